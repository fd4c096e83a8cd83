"""DataManager: keys, clocks, signals, undo/redo of container and key-level edits."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    ArrayMedia,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
    TensorData,
    TimeFrame,
)
from napari_whiskertoolbox.core.history import CommandHistory, FunctionCommand


@pytest.fixture
def dm() -> DataManager:
    return DataManager()


class Recorder:
    """Collects every DataManager signal emission as (name, args)."""

    def __init__(self, dm: DataManager) -> None:
        self.events: list[tuple] = []
        for name in (
            "data_added",
            "data_removed",
            "data_renamed",
            "data_changed",
            "clocks_changed",
            "modified_changed",
        ):
            getattr(dm, name).connect(lambda *args, _n=name: self.events.append((_n, *args)))

    def of(self, name: str) -> list[tuple]:
        return [e[1:] for e in self.events if e[0] == name]

    def changed_frames(self) -> list[list[int] | None]:
        return [None if f is None else f.tolist() for _, f in self.of("data_changed")]


def test_default_time_clock_exists_and_grows_with_data(dm: DataManager):
    assert dm.time_keys() == ["time"]
    assert len(dm.get_time()) == 0
    dm.set_data("signal", AnalogTimeSeries(np.zeros(50)))
    assert len(dm.get_time("time")) == 50
    pts = PointData()
    dm.set_data("pts", pts)
    pts.add(120, [1, 1])
    assert len(dm.get_time()) == 121


def test_explicit_time_clock_is_not_grown(dm: DataManager):
    dm.set_time("time", TimeFrame.from_count(10))
    dm.set_data("signal", AnalogTimeSeries(np.zeros(50)))
    assert len(dm.get_time()) == 10


@pytest.mark.parametrize(
    ("obj", "kind"),
    [
        (AnalogTimeSeries([1.0]), "analog"),
        (DigitalEventSeries([1]), "digital_event"),
        (DigitalIntervalSeries([[0, 1]]), "digital_interval"),
        (PointData(), "points"),
        (LineData(), "line"),
        (MaskData(), "mask"),
        (TensorData(np.zeros((2, 2))), "tensor"),
        (ArrayMedia(np.zeros((2, 4, 4), np.uint8), kind="video"), "video"),
        (ArrayMedia(np.zeros((2, 4, 4), np.uint8)), "images"),
    ],
)
def test_data_type_of_every_kind(dm: DataManager, obj, kind: str):
    dm.set_data("x", obj)
    assert dm.data_type("x") == kind
    assert dm.keys(kind) == ["x"]
    assert dm["x"] is obj


def test_get_missing_key_lists_available(dm: DataManager):
    dm.set_data("whiskers", LineData())
    with pytest.raises(KeyError, match=r"'nope'.*\['whiskers'\]"):
        dm.get_data("nope")
    with pytest.raises(KeyError, match="'nope'"):
        del dm["nope"]


def test_set_data_validation(dm: DataManager):
    with pytest.raises(KeyError, match="'camera'"):
        dm.set_data("x", PointData(), time_key="camera")
    with pytest.raises(ValueError, match="unsupported data object list"):
        dm.set_data("x", [1, 2])
    with pytest.raises(ValueError, match="non-empty string"):
        dm.set_data("", PointData())
    pts = PointData()
    dm.set_data("a", pts)
    with pytest.raises(ValueError, match="already stored under key 'a'"):
        dm.set_data("b", pts)
    with pytest.raises(ValueError, match="unknown data type"):
        dm.keys("whatever")


def test_container_edits_recorded_and_undone_with_frames(dm: DataManager):
    pts = PointData()
    pts.add(1, [0, 0])  # before insertion: not recorded
    dm.set_data("pts", pts)
    rec = Recorder(dm)
    ids = pts.add(5, [[1, 2], [3, 4]])
    pts.update(int(ids[0]), [9, 9])
    assert rec.changed_frames() == [[5], [5]]
    assert dm.undo()
    np.testing.assert_array_equal(pts.at(5), [[1, 2], [3, 4]])
    assert dm.undo()
    assert pts.count_at(5) == 0
    assert rec.changed_frames() == [[5], [5], [5], [5]]
    assert dm.undo()  # the set_data itself
    assert "pts" not in dm
    assert not dm.undo()
    assert dm.redo()
    assert dm.redo()
    assert dm.redo()
    np.testing.assert_array_equal(pts.at(5), [[9, 9], [3, 4]])
    assert dm.history.can_undo
    assert not dm.history.can_redo


def test_undo_of_set_frame_restores_previous_frame_and_ids(dm: DataManager):
    lines = LineData()
    dm.set_data("whiskers", lines)
    (a,) = lines.add(3, [[0, 0], [1, 1]])
    lines.set_frame(3, [[[5, 5], [6, 6], [7, 7]]], ids=[0])
    assert lines.find(int(a)) is None
    dm.undo()
    assert lines.ids_at(3).tolist() == [a]
    np.testing.assert_array_equal(lines.at(3)[0], [[0, 0], [1, 1]])


def test_undo_survives_compaction(dm: DataManager):
    lines = LineData.from_flat([0, 1], np.zeros((4, 2)), offsets=[0, 2, 4])
    lines.compact_threshold = 2
    dm.set_data("w", lines)
    for t in range(2, 8):
        lines.add(t, np.full((2, 2), t))
    lines.clear_at(0)
    for _ in range(7):
        assert dm.undo()
    np.testing.assert_array_equal(lines.times_with_data(), [0, 1])
    assert lines.n_entries == 2


def test_events_and_intervals_edits_are_undoable(dm: DataManager):
    ev = DigitalEventSeries([1, 2])
    iv = DigitalIntervalSeries([[0, 10]])
    dm.set_data("ttl", ev)
    dm.set_data("contact", iv)
    rec = Recorder(dm)
    ev.add(7)
    iv.set_time(5, False)
    assert iv.intervals.tolist() == [[0, 4], [6, 10]]
    dm.undo()
    assert iv.intervals.tolist() == [[0, 10]]
    dm.undo()
    assert ev.times.tolist() == [1, 2]
    assert [k for k, _ in rec.of("data_changed")] == ["ttl", "contact", "contact", "ttl"]
    assert rec.changed_frames()[-1] == [7]


def test_group_merges_edits_of_several_containers(dm: DataManager):
    pts, ev = PointData(), DigitalEventSeries()
    dm.set_data("pts", pts)
    dm.set_data("ev", ev)
    with dm.history.group("label frame"):
        pts.add(0, [1, 1])
        ev.add(0)
    assert dm.history.undo_label == "label frame"
    dm.undo()
    assert pts.count_at(0) == 0
    assert len(ev) == 0


def test_key_operations_are_undoable_with_signals(dm: DataManager):
    rec = Recorder(dm)
    first, second = PointData(), PointData()
    dm.set_data("p", first)
    dm.set_data("p", second)  # replacement
    dm.rename_data("p", "q")
    assert dm.delete_data("q")
    assert not dm.delete_data("q")
    assert rec.of("data_added") == [("p",), ("p",)]
    assert rec.of("data_removed") == [("p",), ("q",)]
    assert rec.of("data_renamed") == [("p", "q")]
    dm.undo()  # delete
    assert dm["q"] is second
    dm.undo()  # rename
    assert dm["p"] is second
    assert "q" not in dm
    dm.undo()  # replacement
    assert dm["p"] is first
    first.add(0, [1, 1])
    assert dm.history.undo_label.startswith("add point")
    second.add(0, [2, 2])  # no longer stored: not recorded
    assert dm.history.undo_label.startswith("add point")
    dm.undo()
    assert first.count_at(0) == 0


def test_deleted_container_no_longer_records_or_signals(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    dm.delete_data("p")
    rec = Recorder(dm)
    steps = len(dm.history)
    pts.add(0, [1, 1])
    assert len(dm.history) == steps
    assert rec.of("data_changed") == []


def test_rename_validation(dm: DataManager):
    dm.set_data("a", PointData())
    dm.set_data("b", PointData())
    with pytest.raises(ValueError, match="'b' already exists"):
        dm.rename_data("a", "b")
    with pytest.raises(KeyError, match="'zzz'"):
        dm.rename_data("zzz", "c")


def test_a_renamed_key_keeps_its_place(dm: DataManager):
    for key in ("media", "b", "c"):
        dm.set_data(key, PointData())
    dm.rename_data("media", "video")
    assert dm.keys() == ["video", "b", "c"]
    dm.undo()
    assert dm.keys() == ["media", "b", "c"]
    dm.redo()
    assert dm.keys() == ["video", "b", "c"]


def test_renamed_container_signals_under_new_key(dm: DataManager):
    pts = PointData()
    dm.set_data("a", pts)
    dm.rename_data("a", "b")
    rec = Recorder(dm)
    pts.add(2, [0, 0])
    assert rec.of("data_changed")[0][0] == "b"


def test_modified_flag(dm: DataManager):
    rec = Recorder(dm)
    assert not dm.modified
    pts = PointData()
    dm.set_data("p", pts)
    assert dm.modified
    dm.mark_saved()
    assert not dm.modified
    pts.add(0, [0, 0])
    assert dm.modified
    dm.mark_saved()
    dm.groups.create("left", [1])
    assert dm.modified
    assert rec.of("modified_changed") == [(True,), (False,), (True,), (False,), (True,)]


def test_clocks_and_conversion(dm: DataManager):
    rec = Recorder(dm)
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=30000.0))
    dm.set_time("camera", TimeFrame(np.arange(0, 1000, 10)))
    assert rec.of("clocks_changed") == [("time",), ("camera",)]
    pts = PointData()
    dm.set_data("pts", pts, time_key="camera")
    assert dm.time_key("pts") == "camera"
    assert dm.clock_of("pts") is dm.get_time("camera")
    assert dm.convert_index(3, "camera", "time") == 30
    assert dm.convert_index(34, "time", "camera") == 3
    assert dm.convert_index(35, "time", "camera", preceding=False) == 4
    np.testing.assert_array_equal(dm.convert_index([0, 15], "time", "camera"), [0, 1])
    assert dm.convert_index(7, "camera", "camera") == 7
    dm.set_time_key("pts", "time")
    assert dm.time_key("pts") == "time"
    dm.undo()
    assert dm.time_key("pts") == "camera"
    with pytest.raises(KeyError, match=r"'nope'.*camera"):
        dm.get_time("nope")
    with pytest.raises(ValueError, match="used by keys"):
        dm.delete_time("camera")
    with pytest.raises(ValueError, match="TimeFrame"):
        dm.set_time("x", [1, 2, 3])


def test_dunders_and_metadata(dm: DataManager):
    dm["a"] = PointData()
    dm.set_data("b", LineData())
    assert list(dm) == ["a", "b"]
    assert len(dm) == 2
    assert "a" in dm
    assert dm.keys() == ["a", "b"]
    assert [k for k, _ in dm.items()] == ["a", "b"]
    del dm["a"]
    assert "a" not in dm
    dm.metadata["ui"] = {"lanes": ["b"]}
    text = repr(dm)
    assert "'b': line @ time" in text
    assert "time[" in text


def test_edits_from_worker_threads_are_all_recorded(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    steps = len(dm.history)

    def work(base: int) -> None:
        for t in range(50):
            pts.add(base + t, [t, t])

    threads = [threading.Thread(target=work, args=(b,)) for b in (0, 1000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pts.n_entries == 100
    assert len(dm.history) == steps + 100
    while dm.history.can_undo:
        dm.undo()
    assert pts.n_entries == 0


def test_identical_rewrites_record_nothing(dm: DataManager):
    lines, iv, ev = LineData(), DigitalIntervalSeries([[0, 10]]), DigitalEventSeries([3])
    for key, obj in (("l", lines), ("i", iv), ("e", ev)):
        dm.set_data(key, obj)
    (a,) = lines.add(2, [[0, 0], [1, 1]])
    steps = len(dm.history)
    rec = Recorder(dm)
    lines.set_frame(2, [lines.at(2)[0].copy()], ids=[a])
    lines.update(int(a), [[0, 0], [1, 1]])
    lines.clear_at(5)
    iv.add(2, 8)  # inside an existing interval
    iv.set_range(20, 30, False)
    ev.set_times([3])
    assert len(dm.history) == steps
    assert rec.of("data_changed") == []


def test_undo_redo_of_set_data_emits_key_signals(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    rec = Recorder(dm)
    dm.undo()
    dm.redo()
    assert [e[0] for e in rec.events if e[0] != "modified_changed"] == [
        "data_removed",
        "data_added",
    ]
    assert dm["p"] is pts
    pts.add(1, [0, 0])
    assert dm.history.undo_label.startswith("add point")


def test_history_depth_bounds_container_steps(dm: DataManager):
    dm.history.max_depth = 5
    ev = DigitalEventSeries()
    dm.set_data("ev", ev)
    for t in range(10):
        ev.add(t)
    undone = 0
    while dm.undo():
        undone += 1
    assert undone == 5
    assert ev.times.tolist() == [0, 1, 2, 3, 4]


def test_modified_returns_to_saved_after_undoing_back_to_the_save(dm: DataManager):
    rec = Recorder(dm)
    pts = PointData()
    dm.set_data("p", pts)
    pts.add(0, [1, 2])
    dm.mark_saved()
    pts.add(1, [3, 4])
    pts.add(2, [5, 6])
    assert dm.modified
    assert dm.undo()
    assert dm.modified
    assert dm.undo()
    assert not dm.modified  # back at the saved point
    assert dm.undo()
    assert dm.modified  # before the saved point
    assert dm.redo()
    assert not dm.modified
    assert dm.redo()
    assert dm.modified
    flips = [value for (value,) in rec.of("modified_changed")]
    assert flips == [True, False, True, False, True, False, True]


def test_modified_after_undo_to_save_then_new_edit(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    dm.mark_saved()
    pts.add(0, [1, 2])
    dm.undo()
    assert not dm.modified
    pts.add(0, [7, 8])  # a different edit from the saved point: the redo step is gone
    assert dm.modified
    assert not dm.redo()
    dm.undo()
    assert not dm.modified


def test_key_operations_undone_to_the_save_are_unmodified(dm: DataManager):
    dm.set_data("p", PointData())
    dm.mark_saved()
    dm.rename_data("p", "q")
    dm.set_data("r", PointData())
    dm.delete_data("q")
    assert dm.modified
    for _ in range(3):
        dm.undo()
    assert not dm.modified
    assert dm.keys() == ["p"]


def test_unrecorded_changes_stay_modified_after_undo(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    dm.mark_saved()
    pts.add(0, [1, 2])
    pts.image_size = (64, 48)  # not undoable
    dm.undo()
    assert dm.modified
    dm.mark_saved()
    pts.add(2, [1, 2])
    dm.groups.create("left", [1])
    dm.undo()
    assert dm.modified


def test_grouped_edits_undo_to_the_save_as_one_step(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    dm.mark_saved()
    with dm.history.group("two points"):
        pts.add(0, [1, 2])
        pts.add(1, [3, 4])
    assert dm.modified
    dm.undo()
    assert not dm.modified


def test_clearing_the_history_keeps_the_saved_state(dm: DataManager):
    pts = PointData()
    dm.set_data("p", pts)
    dm.mark_saved()
    dm.history.clear()
    assert not dm.modified
    pts.add(0, [1, 2])
    dm.history.clear()
    assert dm.modified


def test_saved_step_dropped_by_history_depth_is_still_found():
    history = CommandHistory(max_depth=2)
    noop = FunctionCommand("x", lambda: None, lambda: None)
    history.push(noop)
    saved = history.state
    history.push(noop)
    history.push(noop)  # the saved step's successor is dropped; the saved step is the base
    history.undo()
    history.undo()
    assert history.state == saved
    assert not history.can_undo


# -- observers, reset, output path (WhiskerToolbox's DataManager) ------------------------------


def test_observers_are_called_once_per_key_or_clock_change(dm) -> None:
    calls: list[int] = []
    first = dm.add_observer(lambda: calls.append(1))
    second = dm.add_observer(lambda: calls.append(2))
    assert first != second
    dm.set_data("ev", DigitalEventSeries([1]))  # grows the automatic clock: still one call
    assert calls == [1, 2]
    dm.get_data("ev").add(5)  # inside an object: signals only
    dm.set_time_key("ev", "time")  # unchanged binding
    assert calls == [1, 2]
    dm.rename_data("ev", "events")
    dm.set_time("camera", TimeFrame([0, 10]))
    assert not dm.set_time("camera", TimeFrame([0, 1]), overwrite=False)
    assert len(dm.get_time("camera")) == 2  # kept
    dm.delete_data("events")
    assert calls == [1, 2] * 4
    assert dm.remove_observer(first)
    assert not dm.remove_observer(first)
    dm.reset()
    assert calls == [1, 2] * 4 + [2]
    with pytest.raises(TypeError, match="callable"):
        dm.add_observer("not a function")  # type: ignore[arg-type]


def test_reset_empties_the_manager_and_tells_listeners(dm) -> None:
    dm.set_time("camera", TimeFrame([0, 10, 20]))
    dm.set_data("pts", PointData(), "camera")
    dm.set_data("ev", DigitalEventSeries([3]))
    dm.groups.create("good", [1, 2])
    dm.metadata["config_path"] = "x.json"
    dm.set_output_path("/tmp/out")
    removed: list[str] = []
    clocks: list[str] = []
    dm.data_removed.connect(removed.append)
    dm.clocks_changed.connect(clocks.append)
    dm.reset()
    assert removed == ["pts", "ev"]
    assert sorted(clocks) == ["camera", "time"]
    assert dm.keys() == []
    assert dm.time_keys() == ["time"]
    assert len(dm.get_time()) == 0
    assert len(dm.groups) == 0
    assert dm.metadata == {}
    assert not dm.history.can_undo
    assert dm.modified
    assert str(dm.output_path) == "/tmp/out"  # kept, as in WhiskerToolbox
    dm.set_data("again", DigitalEventSeries([7]))
    assert len(dm.get_time()) == 8  # the "time" clock is automatic again


def test_output_path_defaults_to_the_working_directory(dm, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert DataManager().output_path == tmp_path
    dm.set_output_path(tmp_path / "out")
    assert dm.output_path == tmp_path / "out"


def test_objects_carry_the_clock_their_key_is_bound_to(dm) -> None:
    camera = TimeFrame([0, 10, 20])
    dm.set_time("camera", camera)
    pts = PointData()
    assert pts.time_frame is None
    dm.set_data("pts", pts, "camera")
    assert pts.time_frame is camera
    dm.set_time_key("pts", "time")
    assert pts.time_frame is dm.get_time("time")
    assert dm.undo()  # the binding back to camera
    assert pts.time_frame is camera
    faster = TimeFrame([0, 5, 10, 15])
    dm.set_time("camera", faster)
    assert pts.time_frame is faster
    dm.set_sampling_rate("camera", 30.0)
    assert pts.time_frame is dm.get_time("camera")
    with pytest.raises(TypeError, match="TimeFrame"):
        pts.set_time_frame("camera")  # type: ignore[arg-type]


def test_a_copied_manager_hands_its_clocks_to_its_objects(dm) -> None:
    import pickle

    dm.set_time("camera", TimeFrame([0, 10, 20]))
    dm.set_data("pts", PointData(), "camera")
    clone = pickle.loads(pickle.dumps(dm))
    assert clone.get_data("pts").time_frame is clone.get_time("camera")


def test_clock_changes_are_undo_steps(dm: DataManager):
    """set_time, set_sampling_rate and delete_time undo to the clock before, values and rate."""
    dm.set_data("e", DigitalEventSeries([1]), "time")
    dm.mark_saved()
    auto_time = dm.get_time("time")
    dm.set_time("time", TimeFrame(np.arange(0, 10, 2)))
    dm.set_time("camera", TimeFrame.from_count(3))
    dm.set_sampling_rate("camera", 100.0)
    dm.delete_time("camera")
    assert dm.time_keys() == ["time"]
    assert dm.undo()
    assert dm.get_time("camera").sampling_rate == 100.0
    assert dm.undo()
    assert dm.get_time("camera").sampling_rate is None
    assert dm.undo()
    assert dm.time_keys() == ["time"]
    assert dm.undo()
    assert dm.get_time("time") is auto_time
    assert dm.get_data("e").time_frame is auto_time
    assert not dm.modified
    for _ in range(4):
        assert dm.redo()
    assert dm.time_keys() == ["time"]
    np.testing.assert_array_equal(dm.get_time("time").times, np.arange(0, 10, 2))
    for _ in range(4):
        dm.undo()
    dm.set_data("later", DigitalEventSeries([40]), "time")  # automatic again: it grows
    assert len(dm.get_time("time")) == 41


def test_setting_a_clock_s_own_rate_is_no_change(dm: DataManager):
    """Were: ``dm.set_sampling_rate("time", 25.0)`` on a 25 fps video's clock marked the
    session unsaved (the close guard asked) and added an undo step that did nothing."""
    dm.set_time("camera", TimeFrame.from_count(3, sampling_rate=25.0))
    dm.mark_saved()
    undo_label = dm.history.undo_label
    dm.set_sampling_rate("camera", 25)
    assert not dm.modified
    assert dm.history.undo_label == undo_label
    dm.set_time("plain", TimeFrame.from_count(3))
    dm.mark_saved()
    dm.set_sampling_rate("plain", None)
    assert not dm.modified
    dm.set_sampling_rate("camera", 50.0)  # a new rate is still a change, one undo step
    assert dm.modified
    assert dm.undo()
    assert dm.get_time("camera").sampling_rate == 25.0
    assert not dm.modified


def test_replacing_a_key_keeps_its_place_through_undo_and_redo(dm: DataManager):
    """Were: a replaced key moved to the end (layer list and data browser reordered), and
    undoing a restore of an autosave scrambled the keys."""
    for key in ("a", "b", "c"):
        dm.set_data(key, DigitalEventSeries([1]))
    dm.set_data("b", DigitalEventSeries([2]))
    assert dm.keys() == ["a", "b", "c"]
    dm.undo()
    assert dm.keys() == ["a", "b", "c"]
    np.testing.assert_array_equal(dm.get_data("b").times, [1])
    dm.redo()
    assert dm.keys() == ["a", "b", "c"]
    np.testing.assert_array_equal(dm.get_data("b").times, [2])


def test_an_auto_removed_clock_goes_with_its_last_key_in_the_same_undo_step(dm: DataManager):
    dm.set_time("own", TimeFrame([0, 5, 9]), auto_remove=True)
    dm.set_time("user", TimeFrame([0, 5, 9]))
    assert dm.auto_removed_clocks() == ["own"]
    dm.set_data("a", DigitalEventSeries([1]), "own")
    dm.set_data("b", DigitalEventSeries([2]), "own")
    dm.delete_data("a")
    assert "own" in dm.time_keys()  # 'b' still uses it
    dm.set_time_key("b", "user")  # unbinding the last key removes it too
    assert "own" not in dm.time_keys()
    dm.undo()
    assert dm.time_key("b") == "own"
    assert dm.auto_removed_clocks() == ["own"]
    dm.set_data("b", DigitalEventSeries([2]), "user")  # so does replacing the key
    assert "own" not in dm.time_keys()
    dm.undo()
    dm.delete_data("b")
    assert dm.time_keys() == ["time", "user"]
    dm.undo()  # the key and its clock, one step
    assert dm.time_key("b") == "own"
    assert dm.get_data("b").time_frame is dm.get_time("own")
    dm.redo()
    assert "own" not in dm.time_keys()
    dm.undo()
    dm.set_time("own", TimeFrame([0, 5, 9]))  # stored again by the user: kept from now on
    dm.delete_data("b")
    assert "own" in dm.time_keys()
    assert dm.auto_removed_clocks() == []
