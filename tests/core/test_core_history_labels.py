"""The undo/redo notices name what a user sees (frames), never an internal entity id."""

from __future__ import annotations

import numpy as np

from napari_whiskertoolbox.core import (
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
)


def _dm_with(key: str, obj: object) -> DataManager:
    dm = DataManager()
    dm.set_data(key, obj)
    return dm


def test_interval_labels_name_their_frames():
    """A new-user trial: deleting an interval on the Timeline and Ctrl+Z said "Undone:
    remove interval 2110", 2110 being its entity id; the interval ran over frames 100-130."""
    intervals = DigitalIntervalSeries([[10, 20]])
    dm = _dm_with("contact", intervals)
    entity = int(intervals.add(100, 130))
    assert dm.history.undo_label == "add interval frames 100–130"
    intervals.update(entity, 105, 140)
    assert dm.history.undo_label == "move interval frames 100–130 to frames 105–140"
    assert intervals.remove(entity)
    assert dm.history.undo_label == "remove interval frames 105–140"
    assert str(entity) not in dm.history.undo_label
    intervals.set_range(12, 14, False)
    assert dm.history.undo_label == "clear intervals on frames 12–14"
    assert dm.undo()
    assert dm.undo()
    assert dm.history.redo_label == "remove interval frames 105–140"


def test_point_line_and_mask_labels_name_the_frame_not_the_entity():
    """Labels read "remove point 2113" / "edit line 2114": the object's id, not its frame."""
    for kind, obj, entry, moved in (
        ("point", PointData(), [5.0, 6.0], [7.0, 8.0]),
        ("line", LineData(), np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[1.0, 1.0]])),
        ("mask", MaskData(), np.array([[1, 2], [2, 2]]), np.array([[3, 3]])),
    ):
        dm = _dm_with("key", obj)
        entity = int(obj.add(17, entry)[0])
        obj.update(entity, moved)
        assert dm.history.undo_label == f"edit {kind} on frame 17"
        assert obj.remove(entity)
        assert dm.history.undo_label == f"remove {kind} on frame 17"
        assert str(entity) not in dm.history.undo_label


def test_event_labels_name_their_frame():
    events = DigitalEventSeries([3, 9])
    dm = _dm_with("licks", events)
    events.add(42)
    assert dm.history.undo_label == "add event 42"


def test_every_frame_range_label_is_worded_alike():
    """Were two styles: "add interval 100–130" from the data, "add contact interval frames
    600 to 640" from the Timeline's marks (and "3..7", "5-9" elsewhere)."""
    from napari_whiskertoolbox.core.history import frames_label

    assert frames_label(600, 640) == "frames 600–640"
    assert frames_label(7, 7) == "frame 7"
    intervals = DigitalIntervalSeries()
    dm = _dm_with("contact", intervals)
    intervals.add(600, 640)
    assert dm.history.undo_label.endswith(frames_label(600, 640))
