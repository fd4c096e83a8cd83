"""Autosave of a modified session, recovery offered on reopen after a crash, cleanup."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from qtpy.QtWidgets import QApplication, QMessageBox

from napari_whiskertoolbox.core import PointData, TimeFrame
from napari_whiskertoolbox.io import load_session
from napari_whiskertoolbox.workflow import autosave
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

KEY = "nose"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "autosave"
    monkeypatch.setenv(autosave.AUTOSAVE_DIR_ENV, str(folder))
    return folder


def answer_questions(monkeypatch: pytest.MonkeyPatch, accept: bool = True) -> list[str]:
    """Answer every recovery question Yes (or No); return the questions' texts."""
    questions: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> Any:
        questions.append(text)
        return QMessageBox.StandardButton.Yes if accept else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    return questions


def test_recovery_folder_is_per_source_and_under_the_root(root: Path, tmp_path: Path) -> None:
    a = autosave.recovery_folder(tmp_path / "a" / "session")
    b = autosave.recovery_folder(tmp_path / "b" / "session")
    assert a != b
    assert a.parent == root
    assert b.parent == root
    assert a.name.startswith("session-")
    assert autosave.recovery_folder(tmp_path / "a" / "session") == a
    assert autosave.recovery_folder(None) == root / "untitled"
    assert autosave.find_recovery(tmp_path / "a" / "session") is None


def test_unreadable_marker_names_the_file(root: Path, tmp_path: Path) -> None:
    folder = autosave.recovery_folder(tmp_path / "s")
    (folder / autosave.SESSION_DIR_NAME).mkdir(parents=True)
    (folder / autosave.MARKER_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"recovery\.json"):
        autosave.find_recovery(tmp_path / "s")


def autosaved(saver: autosave.Autosaver) -> Path | None:
    """Autosave now and wait until it is on disk (the write runs on a background thread)."""
    folder = saver.autosave_now()
    assert saver.wait(timeout=60)
    return folder


def _saved_session(make_napari_viewer: Any, folder: Path) -> Any:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    dm = session.dm
    dm.set_time("time", TimeFrame.from_count(50))
    points = PointData()
    points.add(2, np.array([[1.0, 2.0]], dtype=np.float32))
    dm.set_data(KEY, points, "time")
    session.save(folder)
    assert not dm.modified
    return viewer, session


@pytest.mark.gui
def test_autosave_writes_only_when_modified_and_keeps_modified(
    make_napari_viewer: Any, root: Path, tmp_path: Path
) -> None:
    _, session = _saved_session(make_napari_viewer, tmp_path / "session")
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    assert saver.autosave_now() is None  # nothing to save

    session.dm.get_data(KEY).add(7, np.array([[3.0, 4.0]], dtype=np.float32))
    folder = autosaved(saver)
    assert folder == autosave.recovery_folder(session.path, root)
    assert session.dm.modified, "an autosave must not count as saving"
    info = autosave.find_recovery(session.path, root)
    assert info is not None
    assert info.source == str(session.path)
    np.testing.assert_array_equal(load_session(info.session_path).get_data(KEY).at(7), [[3, 4]])
    assert saver.autosave_now() is None  # no edit since the last autosave

    session.save()
    assert not folder.exists(), "a clean save drops the autosave"
    saver.stop()


@pytest.mark.gui
@pytest.mark.parametrize("accept", [True, False])
def test_recovery_is_offered_on_reopen_after_a_crash(
    make_napari_viewer: Any,
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    accept: bool,
) -> None:
    folder = tmp_path / "session"
    _, crashed = _saved_session(make_napari_viewer, folder)
    crashed.dm.get_data(KEY).add(9, np.array([[5.0, 6.0]], dtype=np.float32))
    autosaved(get_workflow(crashed.viewer).autosaver)  # the timer fired, then the process "died"

    questions = answer_questions(monkeypatch, accept)
    hidden = make_napari_viewer()  # scripted, invisible viewers never ask
    hidden.open(str(folder), plugin="napari-whiskertoolbox")
    assert questions == []
    assert autosave.find_recovery(folder, root) is not None

    viewer = make_napari_viewer(show=True)
    viewer.open(str(folder), plugin="napari-whiskertoolbox")
    reopened = get_session(viewer)
    assert len(questions) == 1
    assert str(folder.name) in questions[0]
    points = reopened.dm.get_data(KEY)
    if accept:
        np.testing.assert_array_equal(points.at(9), [[5.0, 6.0]])
        assert reopened.dm.modified
        assert autosave.find_recovery(reopened.path, root) is not None
    else:
        assert points.count_at(9) == 0
        assert autosave.find_recovery(reopened.path, root) is None
    np.testing.assert_array_equal(points.at(2), [[1.0, 2.0]])


@pytest.mark.gui
def test_closing_the_recovery_question_keeps_the_autosave(
    make_napari_viewer: Any, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were: Yes/No only, so Escape or the window's close button answered No and deleted it."""
    folder = tmp_path / "session"
    _, crashed = _saved_session(make_napari_viewer, folder)
    crashed.dm.get_data(KEY).add(9, np.array([[5.0, 6.0]], dtype=np.float32))
    autosaved(get_workflow(crashed.viewer).autosaver)
    asked: list[tuple[str, Any]] = []

    def closed(parent: Any, title: str, text: str, buttons: Any, *args: Any) -> Any:
        asked.append((text, buttons))
        return QMessageBox.StandardButton.Cancel  # what QMessageBox returns on Escape / close

    monkeypatch.setattr(QMessageBox, "question", closed)
    viewer = make_napari_viewer(show=True)
    viewer.open(str(folder), plugin="napari-whiskertoolbox")
    ((text, buttons),) = asked
    assert buttons & QMessageBox.StandardButton.Cancel
    assert "No deletes" in text
    assert "Cancel keeps" in text
    session = get_session(viewer)
    assert session.dm.get_data(KEY).count_at(9) == 0
    session.dm.get_data(KEY).add(11, np.array([[1.0, 1.0]], dtype=np.float32))
    workflow = get_workflow(viewer)
    autosaved(workflow.autosaver)  # this window's own autosave; closed, its changes discarded
    workflow.autosaver.discard_by_user()
    workflow.autosaver.shutdown()
    assert autosave.find_recovery(folder, root) is not None  # asked again next time
    answer_questions(monkeypatch, accept=True)
    again = make_napari_viewer(show=True)
    again.open(str(folder), plugin="napari-whiskertoolbox")
    np.testing.assert_array_equal(get_session(again).dm.get_data(KEY).at(9), [[5.0, 6.0]])
    assert get_session(again).dm.get_data(KEY).count_at(11) == 0
    assert not autosave.kept_folder(folder, root).exists()  # restored: no longer kept aside


def _close_and_delete(viewer: Any) -> None:
    from qtpy.QtCore import QEvent

    viewer.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.gui
def test_closing_by_code_keeps_the_unsaved_edits_for_recovery(
    make_napari_viewer: Any, root: Path, tmp_path: Path
) -> None:
    """Was: ``viewer.close()`` asked nothing and deleted the autosave with the edits."""
    viewer, session = _saved_session(make_napari_viewer, tmp_path / "session")
    session.dm.get_data(KEY).add(3, np.array([[1.0, 1.0]], dtype=np.float32))
    assert autosaved(get_workflow(session.viewer).autosaver) is not None
    session.dm.get_data(KEY).add(4, np.array([[2.0, 2.0]], dtype=np.float32))  # not autosaved
    _close_and_delete(viewer)
    info = autosave.find_recovery(tmp_path / "session", root)
    assert info is not None
    kept = load_session(info.folder / autosave.SESSION_DIR_NAME).get_data(KEY)
    np.testing.assert_array_equal(kept.at(3), [[1.0, 1.0]])
    np.testing.assert_array_equal(kept.at(4), [[2.0, 2.0]])


@pytest.mark.gui
def test_closing_a_saved_session_drops_its_autosave(
    make_napari_viewer: Any, root: Path, tmp_path: Path
) -> None:
    from napari_whiskertoolbox.workflow import actions

    viewer, session = _saved_session(make_napari_viewer, tmp_path / "session")
    session.dm.get_data(KEY).add(3, np.array([[1.0, 1.0]], dtype=np.float32))
    folder = autosaved(get_workflow(session.viewer).autosaver)
    assert folder is not None
    assert actions.save(session)
    _close_and_delete(viewer)
    assert not folder.exists()
    assert autosave.find_recovery(tmp_path / "session", root) is None


@pytest.mark.gui
def test_the_timer_autosaves_an_edited_session(
    make_napari_viewer: Any, root: Path, tmp_path: Path, qtbot: Any
) -> None:
    _, session = _saved_session(make_napari_viewer, tmp_path / "session")
    saver = autosave.Autosaver(session, interval_s=0.05, root=root)
    session.dm.get_data(KEY).add(11, np.array([[2.0, 2.0]], dtype=np.float32))
    qtbot.waitUntil(lambda: autosave.find_recovery(session.path, root) is not None, timeout=5000)
    saver.stop()


@pytest.mark.gui
def test_a_video_opened_by_itself_offers_its_autosave_when_opened_again(
    make_napari_viewer: Any, root: Path, frame_number_video: Path, monkeypatch: Any
) -> None:
    """A session with no folder yet (a bare video) is autosaved under the video's name."""
    crashed = make_napari_viewer(show=True)
    crashed.open(str(frame_number_video), plugin="napari-whiskertoolbox")
    session = get_session(crashed)
    assert session.path is None
    clock = session.dm.time_key("media")
    session.dm.set_data(KEY, PointData(), clock)  # a new key, as the data browser makes
    session.dm.get_data(KEY).add(400, np.array([[120.0, 100.0]], dtype=np.float32))
    folder = autosaved(get_workflow(crashed).autosaver)
    assert folder == autosave.recovery_folder(frame_number_video.resolve(), root)

    questions = answer_questions(monkeypatch)
    viewer = make_napari_viewer(show=True)
    viewer.open(str(frame_number_video), plugin="napari-whiskertoolbox")
    assert len(questions) == 1
    assert frame_number_video.name in questions[0]
    np.testing.assert_array_equal(get_session(viewer).dm.get_data(KEY).at(400), [[120.0, 100.0]])
    reopened = get_workflow(viewer).autosaver
    get_session(viewer).save(root.parent / "annotated")  # the first save drops the autosave
    assert not folder.exists()
    assert reopened.folder.name.startswith("annotated")


def _stopped_pid() -> int:
    """The process id of a process that has ended (as a crashed napari's)."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _left_by_a_stopped_napari(folder: Path) -> str:
    """Make the autosave in ``folder`` look left by a napari that stopped; return its time."""
    marker = folder / autosave.MARKER_NAME
    record = json.loads(marker.read_text(encoding="utf-8"))
    marker.write_text(json.dumps({**record, "pid": _stopped_pid()}), encoding="utf-8")
    return str(record["saved_at"])


def _untitled_autosave(make_napari_viewer: Any, root: Path, x: float) -> Path:
    """An unsaved session with one point, autosaved; returns its recovery folder."""
    session = get_session(make_napari_viewer())
    points = PointData()
    points.add(4, np.array([[x, 2.0]], dtype=np.float32))
    session.dm.set_data(KEY, points)
    folder = autosaved(get_workflow(session.viewer).autosaver)
    assert folder is not None
    QApplication.processEvents()  # this window's own offer runs while its autosave is its own
    return folder


@pytest.mark.gui
def test_unsaved_sessions_autosave_to_folders_of_their_own(
    make_napari_viewer: Any, root: Path
) -> None:
    """Two untitled windows used to share one folder: each overwrote the other's autosave."""
    first = _untitled_autosave(make_napari_viewer, root, 1.0)
    second = _untitled_autosave(make_napari_viewer, root, 2.0)
    assert first != second
    assert first.parent == second.parent == root
    assert first.name.startswith("untitled-")
    xs = [
        load_session(f / autosave.SESSION_DIR_NAME).get_data(KEY).at(4)[0, 0]
        for f in (first, second)
    ]
    assert xs == [1.0, 2.0]
    # both windows still run: neither autosave is offered as left behind
    assert autosave.find_untitled_recoveries(root) == []
    _left_by_a_stopped_napari(second)
    (found,) = autosave.find_untitled_recoveries(root)
    assert found.folder == second


@pytest.mark.gui
def test_an_unsaved_session_left_by_a_stopped_napari_is_offered_to_an_empty_window(
    make_napari_viewer: Any, root: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    folder = _untitled_autosave(make_napari_viewer, root, 7.0)
    saved_at = _left_by_a_stopped_napari(folder)
    questions = answer_questions(monkeypatch)
    viewer = make_napari_viewer(show=True)
    session = get_session(viewer)
    qtbot.waitUntil(lambda: bool(questions), timeout=10_000)
    shown = datetime.fromisoformat(saved_at).astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"autosaved at {shown} " in questions[0]  # local time, not ISO UTC
    np.testing.assert_array_equal(session.dm.get_data(KEY).at(4), [[7.0, 2.0]])
    assert session.dm.modified
    assert not folder.exists()  # the window's own autosave takes over


def _points_csv(path: Path, frame: int) -> Path:
    """A WhiskerToolbox points CSV with one point (opened without a question)."""
    path.write_text(f"Frame X Y Probability\n{frame} 131 222 1.0\n", encoding="utf-8")
    return path


@pytest.mark.gui
@pytest.mark.parametrize(
    "answer",
    [
        QMessageBox.StandardButton.Yes,
        QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Cancel,
    ],
    ids=["yes", "no", "cancel"],
)
def test_an_answered_recovery_is_not_offered_again_when_another_file_is_opened(
    make_napari_viewer: Any,
    root: Path,
    tmp_path: Path,
    frame_number_video: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
) -> None:
    """Were: a points CSV opened after a config asked about the config's autosave again
    (the one just declined, or the session's own autosave written since)."""
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps([{"filepath": str(frame_number_video), "data_type": "video", "name": "cam"}]),
        encoding="utf-8",
    )
    crashed = make_napari_viewer()
    crashed.open(str(config), plugin="napari-whiskertoolbox")
    dm = get_session(crashed).dm
    dm.set_data(KEY, PointData(), dm.time_key("cam"))
    dm.get_data(KEY).add(5, np.array([[1.0, 2.0]], dtype=np.float32))
    folder = autosaved(get_workflow(crashed).autosaver)
    assert folder is not None
    get_workflow(crashed).autosaver.stop()  # the process "died"

    questions: list[str] = []

    def answered(parent: Any, title: str, text: str, *args: Any) -> Any:
        questions.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", answered)
    viewer = make_napari_viewer(show=True)
    viewer.open(str(config), plugin="napari-whiskertoolbox")
    assert len(questions) == 1
    session = get_session(viewer)
    viewer.open(str(_points_csv(tmp_path / "a.csv", 1)), plugin="napari-whiskertoolbox")
    assert len(questions) == 1, "the recovery just answered was offered again"
    session.dm.get_data("a").add(2, np.array([[3.0, 4.0]], dtype=np.float32))
    assert autosaved(get_workflow(viewer).autosaver) == folder
    viewer.open(str(_points_csv(tmp_path / "b.csv", 3)), plugin="napari-whiskertoolbox")
    assert len(questions) == 1, "the session's own autosave was offered to it"

    # an autosave written later (by another napari that stopped) is asked about
    marker = folder / autosave.MARKER_NAME
    record = json.loads(marker.read_text(encoding="utf-8"))
    record.update(saved_at="2099-01-01T00:00:00+00:00", pid=_stopped_pid())
    marker.write_text(json.dumps(record), encoding="utf-8")
    viewer.open(str(_points_csv(tmp_path / "c.csv", 4)), plugin="napari-whiskertoolbox")
    assert len(questions) == 2
    assert "2099-01-01" in questions[1]


@pytest.mark.gui
def test_a_window_closed_before_its_recovery_offer_leaves_the_offer_to_the_next(
    make_napari_viewer: Any, root: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    """Was: the offer, due after the window's first event-loop turn, raised on a closed
    window (napari's window gone): an unhandled exception in a Qt callback aborts PyQt."""
    folder = _untitled_autosave(make_napari_viewer, root, 5.0)
    _left_by_a_stopped_napari(folder)
    questions = answer_questions(monkeypatch)
    closed = make_napari_viewer(show=True)
    get_session(closed)
    closed.close()
    for _ in range(5):
        QApplication.processEvents()
    assert questions == []
    assert folder.exists()
    session = get_session(make_napari_viewer(show=True))
    qtbot.waitUntil(lambda: bool(questions), timeout=10_000)
    np.testing.assert_array_equal(session.dm.get_data(KEY).at(4), [[5.0, 2.0]])


_DOCKS = [
    "Script runner",
    "Data browser",
    "Timeline",
    "Key help",
    "Transforms",
    "Swap IDs",
    "Batch",
]


@pytest.mark.gui
@pytest.mark.parametrize("first_use", [*_DOCKS, "video", "config", "sample"])
def test_the_first_use_of_whiskertoolbox_in_a_window_offers_a_left_autosave(
    make_napari_viewer: Any,
    root: Path,
    tmp_path: Path,
    frame_number_video: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
    notifications: list[str],
    first_use: str,
) -> None:
    """napari imports a plugin only when one of its contributions is first used (npe2 has
    no start-up hook), so a window asks nothing until then: a dock opened from the
    Plugins menu asks (the window is empty); a file or the sample opened with it says
    where the autosave is."""
    folder = _untitled_autosave(make_napari_viewer, root, 3.0)
    _left_by_a_stopped_napari(folder)
    questions = answer_questions(monkeypatch)
    viewer = make_napari_viewer(show=True)
    if first_use in _DOCKS:
        viewer.window.add_plugin_dock_widget("napari-whiskertoolbox", first_use)
        qtbot.waitUntil(lambda: bool(questions), timeout=10_000)
        np.testing.assert_array_equal(get_session(viewer).dm.get_data(KEY).at(4), [[3.0, 2.0]])
        return
    if first_use == "sample":
        viewer.open_sample("napari-whiskertoolbox", "whisker_session")
    else:
        path = frame_number_video
        if first_use == "config":
            path = tmp_path / "config.json"
            path.write_text(
                json.dumps(
                    [{"filepath": str(frame_number_video), "data_type": "video", "name": "cam"}]
                ),
                encoding="utf-8",
            )
        viewer.open(str(path), plugin="napari-whiskertoolbox")
    qtbot.waitUntil(lambda: any("never saved" in m for m in notifications), timeout=10_000)
    (told,) = [m for m in notifications if "never saved" in m]
    assert str(folder) in told
    assert questions == []
    assert folder.exists()
