"""Autosave written on a background thread: snapshot, incremental files, disk space, errors.

Real viewers, real files, Qt's real event loop. A write is held half-way by a gate around
``session_write.write_native`` so edits can be made while it runs.
"""

from __future__ import annotations

import errno
import json
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    ArrayMedia,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.io import disk_space, load_session, session_write
from napari_whiskertoolbox.workflow import autosave
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager

N_FRAMES = 60


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "autosave"
    monkeypatch.setenv(autosave.AUTOSAVE_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(autosave, "show_warning", shown.append)
    return shown


def _filled_session(make_napari_viewer: Any, media: ArrayMedia | None = None) -> Any:
    """An unsaved session with lines, points, a mask, analog and intervals on one clock."""
    session = get_session(make_napari_viewer())
    dm = session.dm
    dm.set_time("cam", TimeFrame.from_count(N_FRAMES))
    frames = np.arange(N_FRAMES, dtype=np.int64)
    coords = np.stack([np.linspace(0, 50, 4 * N_FRAMES), np.linspace(5, 9, 4 * N_FRAMES)], 1)
    dm.set_data(
        "whiskers",
        LineData.from_flat(np.repeat(frames, 2), coords, np.arange(2 * N_FRAMES + 1) * 2),
        "cam",
    )
    dm.set_data("nose", PointData.from_flat(frames, coords[:N_FRAMES]), "cam")
    pixels = np.array([[1, 1], [1, 2], [2, 2]], dtype=np.uint32)
    dm.set_data("pad", MaskData.from_flat(frames[:3], np.tile(pixels, (3, 1)), [0, 3, 6, 9]), "cam")
    dm.set_data("pressure", AnalogTimeSeries(np.sin(frames / 7.0)), "cam")
    dm.set_data("contact", DigitalIntervalSeries([[2, 5], [9, 12]]), "cam")
    if media is not None:
        dm.set_data("movie", media, "cam")
    return session


def _contents(dm: DataManager) -> dict[str, list[np.ndarray]]:
    """Every data key's arrays (copies), to compare a recovery with the session."""
    out: dict[str, list[np.ndarray]] = {}
    for key in dm:
        obj = dm.get_data(key)
        kind = dm.data_type(key)
        if kind in ("points", "line", "mask"):
            out[key] = [np.array(a) for a in obj.to_flat() if a is not None]
        elif kind == "analog":
            out[key] = [np.array(obj.values)]
        elif kind == "digital_interval":
            out[key] = [np.array(obj.intervals), np.array(obj.ids)]
        else:
            out[key] = [np.array(obj[:])]
    return out


def _assert_same(a: dict[str, list[np.ndarray]], b: dict[str, list[np.ndarray]]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert len(a[key]) == len(b[key]), key
        for x, y in zip(a[key], b[key], strict=True):
            assert x.dtype == y.dtype, key
            np.testing.assert_array_equal(x, y, err_msg=key)


def _recovered(folder: Path) -> dict[str, list[np.ndarray]]:
    return _contents(load_session(folder / autosave.SESSION_DIR_NAME))


def _data_files(folder: Path) -> dict[str, tuple[int, int]]:
    """The data files of an autosave: name -> (inode, mtime in ns)."""
    return {
        f.name: (f.stat().st_ino, f.stat().st_mtime_ns)
        for f in (folder / autosave.SESSION_DIR_NAME / "data").iterdir()
    }


def _key_files(folder: Path, key: str) -> set[str]:
    return {name for name in _data_files(folder) if name.startswith(f"{key}-")}


def _autosave(saver: autosave.Autosaver, qtbot: Any) -> Path | None:
    """Start an autosave and let Qt's event loop take in its end."""
    folder = saver.autosave_now()
    qtbot.waitUntil(lambda: not saver.busy(), timeout=30_000)
    return folder


class _Gate:
    """Holds the background write at its first native file until :meth:`open`.

    Writes on the main thread (the user's own save) pass.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reached = threading.Event()
        self._open = threading.Event()
        write = session_write.write_native

        def held(*args: Any) -> Any:
            if threading.current_thread() is not threading.main_thread():
                self.reached.set()
                assert self._open.wait(30)
            return write(*args)

        monkeypatch.setattr(session_write, "write_native", held)

    def open(self) -> None:
        self._open.set()


@pytest.mark.gui
def test_the_autosave_is_written_in_the_background_and_restores_the_exact_data(
    make_napari_viewer: Any, root: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _filled_session(make_napari_viewer)
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    gate = _Gate(monkeypatch)
    folder = saver.autosave_now()
    assert folder is not None
    assert gate.reached.wait(10), "the write did not start on its own thread"
    assert saver.busy()
    assert not (folder / autosave.MARKER_NAME).exists(), "marker before the data was complete"
    assert autosave.find_untitled_recoveries(root) == []
    gate.open()
    qtbot.waitUntil(lambda: not saver.busy(), timeout=30_000)  # taken in by the event loop
    assert (folder / autosave.MARKER_NAME).is_file()
    _assert_same(_recovered(folder), _contents(session.dm))

    fresh = get_session(make_napari_viewer())
    info = autosave._read_recovery(folder)
    assert info is not None
    autosave.restore_recovery(fresh.dm, info)
    _assert_same(_contents(fresh.dm), _contents(session.dm))
    saver.stop()


@pytest.mark.gui
def test_edits_made_while_the_write_runs_reach_the_next_autosave_only(
    make_napari_viewer: Any, root: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _filled_session(make_napari_viewer)
    dm = session.dm
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    dm.get_data("whiskers").compact()
    before = _contents(dm)
    gate = _Gate(monkeypatch)
    folder = saver.autosave_now()
    assert folder is not None
    assert gate.reached.wait(10)
    # while the files are written: a frame replaced, coordinates moved in place, a key added
    dm.get_data("nose").set_frame(3, np.array([[99.0, 98.0]], dtype=np.float32))
    with dm.get_data("whiskers").writable() as coords:
        coords += 1000.0
    with dm.get_data("pressure").writable() as values:
        values[:] = 0
    dm.set_data("late", PointData.from_flat([1], [[4.0, 4.0]]), "cam")
    assert saver.autosave_now() is None, "a second autosave started while one runs"
    gate.open()
    qtbot.waitUntil(lambda: not saver.busy(), timeout=30_000)
    _assert_same(_recovered(folder), before)  # the data as it was when the autosave began

    after = _contents(dm)
    assert _autosave(saver, qtbot) == folder
    _assert_same(_recovered(folder), after)
    saver.stop()


@pytest.mark.gui
def test_unchanged_keys_keep_their_files_and_in_memory_media_is_written_once(
    make_napari_viewer: Any, root: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = np.arange(N_FRAMES * 6 * 8, dtype=np.uint8).reshape(N_FRAMES, 6, 8)
    session = _filled_session(make_napari_viewer, ArrayMedia(frames, kind="video"))
    dm = session.dm
    media_writes: list[str] = []
    save_frames = session_write._save_frames_npy

    def counted(target: Path, media: Any) -> None:
        media_writes.append(target.name)
        save_frames(target, media)

    monkeypatch.setattr(session_write, "_save_frames_npy", counted)
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    folder = _autosave(saver, qtbot)
    assert folder is not None
    first = _data_files(folder)

    dm.get_data("nose").set_frame(7, np.array([[1.5, 2.5]], dtype=np.float32))
    assert _autosave(saver, qtbot) == folder
    second = _data_files(folder)
    for key in ("whiskers", "pad", "pressure", "contact", "movie"):
        kept = {name: first[name] for name in _key_files(folder, key)}
        assert kept, key
        assert {name: second[name] for name in kept} == kept, f"{key} was rewritten"
    assert _key_files(folder, "nose").isdisjoint(first), "the edited key kept its old files"
    assert len(media_writes) == 1, media_writes
    _assert_same(_recovered(folder), _contents(dm))

    dm.get_data("whiskers").clear_at(0)
    assert _autosave(saver, qtbot) == folder
    assert len(media_writes) == 1, "an in-memory media is written once, not every autosave"
    _assert_same(_recovered(folder), _contents(dm))
    saver.stop()


@pytest.mark.gui
def test_a_too_big_in_memory_media_is_left_out_with_one_warning(
    make_napari_viewer: Any, root: Path, qtbot: Any, warnings_shown: list[str]
) -> None:
    frames = np.zeros((N_FRAMES, 40, 50), dtype=np.uint8)  # 120 kB of frames
    session = _filled_session(make_napari_viewer, ArrayMedia(frames, kind="video"))
    saver = autosave.Autosaver(session, interval_s=3600, root=root, media_cap_bytes=100_000)
    saver._on_edit("whiskers")
    folder = _autosave(saver, qtbot)
    assert folder is not None
    (warning,) = warnings_shown
    assert "'movie'" in warning
    assert "not protected by autosave" in warning
    recovered = _recovered(folder)
    assert "movie" not in recovered
    everything = _contents(session.dm)
    del everything["movie"]
    _assert_same(recovered, everything)

    session.dm.get_data("nose").clear_at(2)
    _autosave(saver, qtbot)
    assert len(warnings_shown) == 1, "the warning is given once"
    saver.stop()


_REAL_DISK_USAGE = disk_space.disk_usage


def _full_disk(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    real = _REAL_DISK_USAGE

    def usage(path: Any) -> Any:
        total, used, _ = real(path)
        return type(real(path))(total, used, free)

    monkeypatch.setattr(disk_space, "disk_usage", usage)


@pytest.mark.gui
def test_an_autosave_that_does_not_fit_is_skipped_with_one_warning(
    make_napari_viewer: Any,
    root: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    warnings_shown: list[str],
) -> None:
    session = _filled_session(make_napari_viewer)
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    _full_disk(monkeypatch, free=disk_space.RESERVE_BYTES + 1000)
    assert saver.autosave_now() is None
    assert saver.autosave_now() is None
    (warning,) = warnings_shown
    assert "Autosave skipped" in warning
    assert "'whiskers'" in warning
    assert "free" in warning
    assert str(root) in warning
    assert not saver.folder.exists(), "something was written"

    monkeypatch.setattr(disk_space, "disk_usage", _REAL_DISK_USAGE)  # space again
    folder = _autosave(saver, qtbot)
    assert folder is not None
    _assert_same(_recovered(folder), _contents(session.dm))


def test_an_explicit_save_that_does_not_fit_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io import save_session

    dm = DataManager()
    dm.set_data("nose", PointData.from_flat(np.arange(5000), np.ones((5000, 2))))
    _full_disk(monkeypatch, free=disk_space.RESERVE_BYTES + 1000)
    target = tmp_path / "session"
    with pytest.raises(disk_space.DiskSpaceError) as caught:
        save_session(dm, target)
    message = str(caught.value)
    assert str(target) in message
    assert f"({caught.value.needed} bytes)" in message
    assert f"({disk_space.RESERVE_BYTES + 1000} bytes) are free" in message
    assert caught.value.needed > 5000 * 24
    assert not target.exists()
    assert dm.modified


@pytest.mark.gui
def test_a_failed_background_write_warns_once_and_keeps_the_previous_autosave(
    make_napari_viewer: Any,
    root: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    warnings_shown: list[str],
) -> None:
    session = _filled_session(make_napari_viewer)
    dm = session.dm
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    folder = _autosave(saver, qtbot)
    assert folder is not None
    good = _recovered(folder)
    marker = (folder / autosave.MARKER_NAME).read_text(encoding="utf-8")
    files = _data_files(folder)

    def no_space(*args: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    write_native = session_write.write_native
    monkeypatch.setattr(session_write, "write_native", no_space)
    dm.get_data("nose").set_frame(5, np.array([[7.0, 7.0]], dtype=np.float32))
    for _ in range(2):
        assert _autosave(saver, qtbot) == folder
    (warning,) = warnings_shown
    assert "No space left on device" in warning
    assert "previous autosave is kept" in warning
    _assert_same(_recovered(folder), good)
    assert (folder / autosave.MARKER_NAME).read_text(encoding="utf-8") == marker
    assert _data_files(folder) == files, "the failed write left or removed files"

    monkeypatch.setattr(session_write, "write_native", write_native)  # the disk works again
    assert _autosave(saver, qtbot) == folder  # the edit is still pending: written now
    _assert_same(_recovered(folder), _contents(dm))
    assert json.loads((folder / autosave.MARKER_NAME).read_text(encoding="utf-8"))["pid"]
    saver.stop()


@pytest.mark.gui
def test_a_save_while_the_autosave_is_written_leaves_no_recovery(
    make_napari_viewer: Any, root: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _filled_session(make_napari_viewer)
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    gate = _Gate(monkeypatch)
    folder = saver.autosave_now()
    assert folder is not None
    assert gate.reached.wait(10)
    session.save(tmp_path / "saved")
    assert not session.dm.modified
    gate.open()
    qtbot.waitUntil(lambda: not saver.busy(), timeout=30_000)
    assert not folder.exists()
    assert autosave.find_untitled_recoveries(root) == []
    saver.stop()


@pytest.mark.gui
def test_metadata_json_cannot_hold_is_told_once_not_raised_from_the_timer(
    make_napari_viewer: Any, root: Path, qtbot: Any, warnings_shown: list[str]
) -> None:
    session = _filled_session(make_napari_viewer)
    saver = autosave.Autosaver(session, interval_s=3600, root=root)
    saver._on_edit("whiskers")
    session.dm.metadata["when"] = object()
    assert saver.autosave_now() is None
    assert saver.autosave_now() is None
    (warning,) = warnings_shown
    assert "dm.metadata['when']" in warning
    assert "nothing was written" in warning
    del session.dm.metadata["when"]
    folder = _autosave(saver, qtbot)
    assert folder is not None
    _assert_same(_recovered(folder), _contents(session.dm))
    saver.stop()
