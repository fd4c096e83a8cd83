"""The first save of a config's session says where it goes and offers the config's own files."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _ask_support import Answers
from qtpy.QtCore import Qt
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.ask import ChoiceDialog
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow
from napari_whiskertoolbox.workflow.save_target import (
    CONFIG_FILES,
    FIRST_SAVE_QUESTION,
    SESSION_FOLDER,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


@pytest.fixture
def config(tmp_path: Path, wtb_data: Path) -> Path:
    (tmp_path / "Points").mkdir()
    rows = (wtb_data / "Points" / "test_point.csv").read_text(encoding="utf-8").splitlines()
    # without the Probability column the loader ignores (a save would drop it: refused)
    points = "".join(" ".join(row.split()[:3]) + "\n" for row in rows)
    (tmp_path / "Points" / "tip.csv").write_text(points, encoding="utf-8")
    path = tmp_path / "exp.json"
    path.write_text(
        json.dumps([{"data_type": "points", "name": "tip", "filepath": "Points/tip.csv"}]),
        encoding="utf-8",
    )
    return path


def _edited(make_napari_viewer: Any, config: Path, answers: Any, **kwargs: Any) -> Any:
    viewer = make_napari_viewer(**kwargs)
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    if answers is not None:
        get_workflow(viewer).ask = answers
    session.dm.get_data("tip").add(3, np.array([[5.5, 6.5]], dtype=np.float32))
    return viewer, session


def test_first_save_says_where_and_why_then_saves_the_session_folder(
    make_napari_viewer, config, tmp_path, notifications
):
    answers = Answers()
    viewer, session = _edited(make_napari_viewer, config, answers)
    assert viewer.title == "exp.json — napari *"
    assert actions.save(session)
    (question,) = answers.questions
    assert question.id == FIRST_SAVE_QUESTION
    assert [c.id for c in question.choices] == [SESSION_FOLDER, CONFIG_FILES]
    folder_choice, files_choice = question.choices
    assert "exp.session" in folder_choice.label
    assert "opening exp.json later offers this session" in folder_choice.detail
    assert files_choice.enabled
    assert "tip → Points/tip.csv" in files_choice.detail
    folder = tmp_path / "exp.session"
    assert (folder / "session.json").is_file()
    assert session.path == folder
    assert viewer.title == "exp.session — napari"
    assert any("beside exp.json" in message for message in notifications)
    session.dm.get_data("tip").add(4, np.array([[1.0, 1.0]], dtype=np.float32))
    assert actions.save(session)
    assert len(answers.questions) == 1  # later saves go to the same place without asking
    assert config.read_text(encoding="utf-8").count("tip.csv") == 1  # the config is untouched


def test_the_config_files_choice_says_each_only_for_several_new_keys(make_napari_viewer, config):
    # One key added: "as a new item", not "each as a new item" (the new-user trial read it).
    answers = Answers()
    viewer, session = _edited(make_napari_viewer, config, answers)
    dm = session.dm
    dm.set_data("pad", MaskData(), dm.time_key("tip"))
    files_choice = get_workflow(viewer).save_target.question().choices[1]
    assert "adds pad → pad.csv beside the config, as a new item of exp.json" in files_choice.detail
    dm.set_data("licks", DigitalEventSeries(np.array([1, 2])), dm.time_key("tip"))
    files_choice = get_workflow(viewer).save_target.question().choices[1]
    assert "beside the config, each as a new item of exp.json" in files_choice.detail


def test_the_save_toast_s_one_line_names_the_folder_and_the_config(
    make_napari_viewer, config, qtbot
):
    """napari's toast shows the first line of a message, elided to 400 pixels: the saved
    message began with the folder's whole path, and the toast said only "Saved the session
    to /tmp/pytest-of-…", not which folder nor that the config would offer it."""
    from qtpy.QtWidgets import QLabel
    from superqt import QElidingLabel

    answers = Answers(choose={FIRST_SAVE_QUESTION: SESSION_FOLDER})
    viewer, session = _edited(make_napari_viewer, config, answers, show=True)
    assert actions.save(session)

    def toast() -> QElidingLabel | None:
        labels = main_window(viewer).findChildren(QElidingLabel)
        shown = [label for label in labels if label.isVisible() and "exp.session" in label.text()]
        return shown[0] if shown else None

    qtbot.waitUntil(lambda: toast() is not None, timeout=5_000)
    label = toast()
    assert str(config.parent / "exp.session") in label.text()  # the whole path is still there
    qtbot.waitUntil(lambda: "…" in QLabel.text(label) or label.width() > 0)
    first_line = QLabel.text(label).splitlines()[0]  # what the collapsed toast shows
    assert first_line.startswith("Saved exp.session beside exp.json"), first_line


def test_saving_into_the_config_files_rewrites_them_in_their_format(
    make_napari_viewer, config, tmp_path
):
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    _viewer, session = _edited(make_napari_viewer, config, answers)
    assert actions.save(session)
    assert not (tmp_path / "exp.session").exists()
    assert not session.dm.modified
    assert session.path == config
    np.testing.assert_array_equal(load_config(config).get_data("tip").at(3)[-1], [5.5, 6.5])
    session.dm.get_data("tip").add(6, np.array([[2.0, 2.0]], dtype=np.float32))
    assert actions.save(session)
    assert len(answers.questions) == 1
    session.dm.set_data("whiskers", PointData())  # not in the config: added to it
    session.dm.get_data("whiskers").add(2, np.array([[8.0, 9.0]], dtype=np.float32))
    assert actions.save(session)
    assert len(answers.questions) == 1
    assert [item["name"] for item in json.loads(config.read_text("utf-8"))] == ["tip", "whiskers"]
    again = load_config(config)
    np.testing.assert_array_equal(again.get_data("whiskers").at(2), [[8.0, 9.0]])
    session.dm.set_time("ephys", TimeFrame.from_count(10))  # a clock the config lacks: ask again
    session.dm.set_data("units", DigitalEventSeries([1, 2]), "ephys")
    answers.answers[FIRST_SAVE_QUESTION] = SESSION_FOLDER
    assert actions.save(session)
    assert len(answers.questions) == 2
    files_choice = answers.questions[1].choice(CONFIG_FILES)
    assert not files_choice.enabled
    assert "'units' is on clock 'ephys', which exp.json does not define" in files_choice.detail
    assert session.path == tmp_path / "exp.session"


def test_the_save_prompt_is_a_real_dialog_in_a_visible_window(
    make_napari_viewer, config, tmp_path, qtbot, answer_dialog
):
    _viewer, session = _edited(make_napari_viewer, config, None, show=True)

    def choose_folder(dialog: ChoiceDialog) -> None:
        assert dialog.buttons[CONFIG_FILES].isEnabled()
        qtbot.mouseClick(dialog.buttons[SESSION_FOLDER], Qt.MouseButton.LeftButton)

    seen = answer_dialog(ChoiceDialog, choose_folder)
    assert actions.save(session)
    assert seen == ["Where should this session be saved?"]
    assert (tmp_path / "exp.session" / "session.json").is_file()
    session.dm.get_data("tip").add(7, np.array([[3.0, 3.0]], dtype=np.float32))
    assert actions.save(session)  # the session folder now: no question


def test_ctrl_s_saves_a_new_mask_key_into_the_config_beside_its_edited_lines(
    make_napari_viewer, tmp_path, wtb_data, qtbot, answer_dialog
):
    # The new-user trial: a WhiskerToolbox config of video, lines and events; a mask key
    # added and painted, a line edited; Ctrl+S into the config's own files.
    (tmp_path / "whiskers.csv").write_bytes(
        (wtb_data / "Lines" / "line_test_large.csv").read_bytes()
    )
    (tmp_path / "licks.csv").write_bytes((wtb_data / "DigitalEvents" / "events.csv").read_bytes())
    video = wtb_data / "Media" / "test_each_frame_number.mp4"
    items = [
        {"data_type": "video", "name": "media", "filepath": str(video)},
        {"data_type": "line", "name": "whisker", "filepath": "whiskers.csv", "format": "csv"},
        {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv", "format": "csv"},
    ]
    config = tmp_path / "exp.json"
    config.write_text(json.dumps(items, indent=4), encoding="utf-8")
    viewer = make_napari_viewer(show=True)
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    dm = session.dm
    dm.set_data("pad", MaskData(), dm.time_key("media"))
    session.set_frame(0)
    (layer,) = [lay for lay in viewer.layers if lay.metadata.get("wtb_key") == "pad"]
    layer.paint((20, 30), 1)
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=5000)
    painted = {tuple(p) for p in dm.get_data("pad").at(0)[0].tolist()}
    assert (20, 30) in painted or (30, 20) in painted
    whisker = dm.get_data("whisker")
    edited = np.array([[1.5, 2.5], [3.5, 4.25]], dtype=np.float32)
    whisker.update(int(whisker.ids_at(0)[0]), edited)

    def save_into_the_config(dialog: ChoiceDialog) -> None:
        button = dialog.buttons[CONFIG_FILES]
        assert button.isEnabled()
        assert "pad → pad.csv" in button.description()
        assert "whisker → whiskers.csv" in button.description()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    seen = answer_dialog(ChoiceDialog, save_into_the_config)
    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    QTest.keyClick(main_window(viewer), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["Where should this session be saved?"]
    assert not dm.modified
    assert not (tmp_path / "exp.session").exists()
    saved = json.loads(config.read_text(encoding="utf-8"))
    assert saved[:3] == items
    assert saved[3] == {"data_type": "mask", "name": "pad", "filepath": "pad.csv", "format": "csv"}
    again = load_config(config)
    assert {tuple(p) for p in again.get_data("pad").at(0)[0].tolist()} == painted
    np.testing.assert_array_equal(again.get_data("whisker").at(0)[0], edited)
    np.testing.assert_array_equal(again.get_data("licks").times, dm.get_data("licks").times)


def test_a_clock_change_alone_is_not_lost_by_saving_into_the_config_files(
    make_napari_viewer, config, tmp_path
):
    """A rate given to a clock from Python is the session's only change: the config's files
    cannot hold it, so that choice is off (saying why) and the session folder keeps it."""
    from napari_whiskertoolbox.io.session import load_session

    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    get_workflow(viewer).ask = answers
    assert not session.dm.modified
    session.dm.set_sampling_rate("time", 30.0)
    assert viewer.title == "exp.json — napari *"
    assert session.dm.undo()
    assert viewer.title == "exp.json — napari"
    assert session.dm.redo()
    answers.answers[FIRST_SAVE_QUESTION] = SESSION_FOLDER  # the only choice the dialog allows
    assert actions.save(session)
    files_choice = answers.questions[0].choice(CONFIG_FILES)
    assert not files_choice.enabled
    assert "clock 'time' was added or changed (its ticks or rate)" in files_choice.detail
    assert load_session(tmp_path / "exp.session").get_time("time").sampling_rate == 30.0
    assert not session.dm.modified


def test_a_config_files_save_asks_again_when_only_a_clock_changed(
    make_napari_viewer, config, tmp_path
):
    """After a save into the config's files, a clock change (nothing else) asks again rather
    than writing nothing and calling the session saved."""
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    _viewer, session = _edited(make_napari_viewer, config, answers)
    assert actions.save(session)
    assert len(answers.questions) == 1
    session.dm.set_time("ephys", TimeFrame.from_count(10, 1000.0))
    answers.answers[FIRST_SAVE_QUESTION] = SESSION_FOLDER
    assert actions.save(session)
    assert len(answers.questions) == 2
    assert not answers.questions[1].choice(CONFIG_FILES).enabled
    assert session.path == tmp_path / "exp.session"


def test_the_config_files_choice_says_what_whiskertoolbox_will_not_read(make_napari_viewer, config):
    """Two points on a frame are saved, but WhiskerToolbox's points CSV loader reads the
    first: the choice promising "so WhiskerToolbox sees the edits" said nothing of it."""
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    _viewer, session = _edited(make_napari_viewer, config, answers)  # a 2nd point on frame 3
    session.dm.set_data("nose", PointData(), session.dm.time_key("tip"))
    session.dm.get_data("nose").add(4, np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    assert actions.save(session)
    files_choice = answers.questions[0].choice(CONFIG_FILES)
    assert files_choice.enabled  # saved all the same: this session reads every point
    assert files_choice.detail.endswith(
        " WhiskerToolbox will read less than is saved: tip has several points on 1 frame "
        "(2 on frame 3), and WhiskerToolbox's points CSV loader keeps only the first point of "
        "each frame; nose has several points on 1 frame (2 on frame 4), and WhiskerToolbox's "
        "points CSV loader keeps only the first point of each frame."
    )
    assert load_config(config).get_data("nose").to_flat().times.tolist() == [4, 4]


def test_a_key_stored_again_counts_as_edited_not_deleted(make_napari_viewer, config):
    """Were: set_data over a key (a transform's output, a restored autosave) emits removed
    then added, and the key stayed 'deleted': labels could not go back, and saving it to its
    file left the session modified."""
    viewer, session = _edited(make_napari_viewer, config, None)
    dm = session.dm
    dm.set_data("tip", dm.get_data("tip").copy(), dm.time_key("tip"))
    target = get_workflow(viewer).save_target
    assert target.changed == {"tip"}
    assert target.removed == set()
    assert not target.unsaved_besides_keys()
    target.keys_saved(["tip"])
    assert not dm.modified
    dm.delete_data("tip")
    assert target.removed == {"tip"}


@pytest.mark.parametrize(
    ("make", "refused"),
    [
        (lambda: DigitalEventSeries(), "has no events: WhiskerToolbox's events CSV loader"),
        (lambda: AnalogTimeSeries(np.zeros(0, np.float32)), "has no samples"),
        (lambda: PointData(), None),
        (lambda: LineData(), None),
        (lambda: MaskData(), None),
        (lambda: DigitalIntervalSeries(), None),
    ],
)
def test_an_empty_key_the_whiskertoolbox_loader_refuses_is_offered_disabled(
    make_napari_viewer, config, make, refused
):
    """An empty events key (Data browser > New…) was offered "Adds licks → licks.csv", then
    every Ctrl+S raised through napari's key handler: WhiskerToolbox's events (and analog)
    CSV loader fails on a file without any, so the choice is off, naming the key and why;
    empty points, lines, masks and intervals load there as empty keys, and are saved."""
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    get_workflow(viewer).ask = answers
    session.dm.set_data("licks", make(), session.dm.time_key("tip"))
    files_choice = get_workflow(viewer).save_target.question().choice(CONFIG_FILES)
    if refused is None:
        assert files_choice.enabled
        assert actions.save(session)
        assert "licks" in load_config(config)
        return
    assert not files_choice.enabled
    assert f"'licks' {refused}" in files_choice.detail
    assert "an item for it in exp.json would not load" in files_choice.detail


def test_a_failed_save_into_the_config_files_is_told_and_asked_again(
    make_napari_viewer, config, tmp_path, notifications
):
    """A save whose file does not read back raised through napari's key handler on every
    Ctrl+S, naming the staged '.licks.csv.wtb-save.csv', and the remembered choice failed
    again each time: now an error notice names the key and its file, nothing is written,
    and the next save asks again."""
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    viewer, session = _edited(make_napari_viewer, config, answers)
    target = get_workflow(viewer).save_target
    before = (tmp_path / "Points" / "tip.csv").read_text(encoding="utf-8")
    # a point on frame -1: written, WhiskerToolbox's points loader (and ours) skips it
    session.dm.get_data("tip").add(-1, np.array([[1.0, 1.0]], dtype=np.float32))
    assert not actions.save(session)
    assert target.mode is None
    (message,) = [m for m in notifications if m.startswith("Could not save")]
    assert "key 'tip'" in message
    assert "tip.csv" in message
    assert "wtb-save" not in message
    assert "the next save asks again where to save" in message
    assert (tmp_path / "Points" / "tip.csv").read_text(encoding="utf-8") == before
    answers.answers[FIRST_SAVE_QUESTION] = SESSION_FOLDER
    assert actions.save(session)
    assert len(answers.questions) == 2
    assert session.path == tmp_path / "exp.session"


@pytest.mark.parametrize("undo_it", ["delete", "rename"])
def test_a_key_made_and_undone_before_any_save_does_not_block_the_config_files(
    make_napari_viewer, config, undo_it
):
    """A points key made and deleted (or made as 'snout' and renamed 'nose_tip') before the
    first save disabled "Save into the config's own files": "'tmp' was deleted or renamed;
    a config's files cannot forget a key". The config never held it: nothing to forget,
    and a renamed new key is a new key under its new name."""
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    viewer, session = _edited(make_napari_viewer, config, answers)
    dm = session.dm
    clock = dm.time_key("tip")
    dm.set_data("tmp", PointData(), clock)
    if undo_it == "delete":
        dm.delete_data("tmp")
        dm.set_data("nose", PointData(), clock)
    else:
        dm.rename_data("tmp", "nose")
    dm.get_data("nose").add(2, np.array([[10.0, 20.0]], dtype=np.float32))
    target = get_workflow(viewer).save_target
    files_choice = target.question().choice(CONFIG_FILES)
    assert files_choice.enabled, files_choice.detail
    assert "nose → nose.csv" in files_choice.detail
    assert actions.save(session)
    loaded = load_config(config)
    assert "nose" in loaded
    assert "tmp" not in loaded
    # saved into the config, 'nose' is the config's now: deleting it is refused
    dm.delete_data("nose")
    files_choice = target.question().choice(CONFIG_FILES)
    assert not files_choice.enabled
    assert "'nose' was deleted or renamed" in files_choice.detail


@pytest.mark.parametrize("undo_it", ["delete", "rename"])
def test_a_key_of_the_config_deleted_or_renamed_still_refuses_the_config_files(
    make_napari_viewer, config, undo_it
):
    viewer, session = _edited(make_napari_viewer, config, None)
    dm = session.dm
    if undo_it == "delete":
        dm.delete_data("tip")
    else:
        dm.rename_data("tip", "nose_tip")
    files_choice = get_workflow(viewer).save_target.question().choice(CONFIG_FILES)
    assert not files_choice.enabled
    assert "'tip' was deleted or renamed; a config's files cannot forget a key or rename it" in (
        files_choice.detail
    )
    if undo_it == "rename":
        assert "'nose_tip' was renamed from 'tip'" in files_choice.detail
