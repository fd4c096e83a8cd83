"""WhiskerToolbox camelCase names and value classes."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    ImageSize,
    Interval,
    Line2D,
    LineData,
    Mask2D,
    MaskData,
    Point2D,
    PointData,
    TimeFrame,
    TimeFrameIndex,
)


def test_star_import_exposes_names():
    namespace: dict = {}
    exec("from whiskertoolbox_python import *", namespace)
    for name in (
        "DataManager",
        "PointData",
        "Line2D",
        "Mask2D",
        "Point2D",
        "Interval",
        "TimeFrame",
    ):
        assert name in namespace
    assert namespace["PointData"] is PointData


def test_value_classes():
    p = Point2D(1, 2)
    assert (p.x, p.y) == (1.0, 2.0)
    assert list(p) == [1.0, 2.0]
    assert p == Point2D(1, 2)
    assert p == (1, 2)
    line = Line2D([Point2D(0, 0), Point2D(1, 2)])
    assert len(line) == 2
    assert line[1] == Point2D(1, 2)
    assert line.to_numpy().dtype == np.float32
    assert np.asarray(line).shape == (2, 2)
    assert list(Line2D(np.zeros((3, 2)))) == [Point2D(0, 0)] * 3
    assert len(Line2D()) == 0
    mask = Mask2D([[1, 2], [3, 4]])
    assert mask.to_numpy().dtype == np.uint32
    assert mask[1] == Point2D(3, 4)
    with pytest.raises(ValueError, match="non-negative"):
        Mask2D([[-1, 0]])
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        Line2D([1, 2, 3])
    assert Interval(1, 5).end == 5


def test_data_manager_aliases():
    dm = DataManager()
    dm.setTime("camera", TimeFrame([0, 10, 20]))
    pts = PointData()
    dm.setData("pts", pts, "camera")
    dm.setData("sig", AnalogTimeSeries([1.0, 2.0]))
    assert dm.getData("pts") is pts
    assert dm.getAllKeys() == ["pts", "sig"]
    assert dm.getType("pts") == "points"
    assert dm.getTimeKey("pts") == "camera"
    assert dm.getTime("camera").getTimeAtIndex(1) == 10
    assert dm.getTime().getTotalFrameCount() == 2
    dm.deleteData("sig")
    assert dm.getAllKeys() == ["pts"]


def test_timeframe_and_analog_aliases():
    tf = TimeFrame([0, 10, 20])
    assert tf.getIndexAtTime(14) == 1
    assert tf.getTotalFrameCount() == 3
    ts = AnalogTimeSeries([1.0, 2.0, 3.0])
    assert ts.getNumSamples() == 3
    assert np.shares_memory(ts.getAnalogTimeSeries(), ts.values)


def test_event_and_interval_aliases():
    ev = DigitalEventSeries()
    ev.addEvent(5)
    ev.addEvent(2)
    assert ev.toList() == [2, 5]
    assert ev.size() == 2
    ev.removeEvent(2)
    assert ev.toList() == [5]
    iv = DigitalIntervalSeries()
    iv.addEvent(Interval(0, 4))
    iv.addEvent(5, 8)
    assert iv.toList() == [Interval(0, 8)]
    assert iv.size() == 1
    assert iv.isEventAtTime(8)
    assert not iv.isEventAtTime(9)
    iv.setEventAtTime(3, False)
    assert iv.toList() == [Interval(0, 2), Interval(4, 8)]
    with pytest.raises(ValueError, match="Interval"):
        iv.addEvent(3)


def test_ragged_aliases():
    pts = PointData()
    pts.addAtTime(1, Point2D(1, 2))
    pts.addAtTime(1, [Point2D(3, 4), Point2D(5, 6)])
    assert pts.getAtTime(1) == [Point2D(1, 2), Point2D(3, 4), Point2D(5, 6)]
    assert pts.getTimesWithData() == [1]
    assert isinstance(pts.getTimesWithData()[0], int)
    lines = LineData()
    lines.addAtTime(0, Line2D([Point2D(0, 0), Point2D(1, 1)]))
    lines.addAtTime(0, np.ones((3, 2)))
    lines.addAtTime(2, [Point2D(0, 0), Point2D(2, 2)])
    got = lines.getAtTime(0)
    assert [len(x) for x in got] == [2, 3]
    assert isinstance(got[0], Line2D)
    assert lines.getTimesWithData() == [0, 2]
    assert lines.clearAtTime(2)
    assert not lines.clearAtTime(2)
    masks = MaskData()
    masks.setImageSize(ImageSize(10, 8))
    masks.addAtTime(4, Mask2D([[1, 1], [2, 2]]))
    assert masks.getImageSize() == ImageSize(10, 8)
    assert masks.getAtTime(4)[0][1] == Point2D(2, 2)


def test_more_whiskertoolbox_names():
    from napari_whiskertoolbox.core import DataType, EntityGroups, TimeFrameIndex

    dm = DataManager()
    pts, lines = PointData(), LineData()
    dm.setData("pts", pts)
    dm.setData("whisker", lines)
    dm.setData("sig", AnalogTimeSeries([1.0, 2.0, 3.0], 3))
    assert dm.getType("pts") is DataType.Points
    assert dm.getType("pts") == "points"
    assert dm.getPointKeys() == ["pts"]
    assert dm.getLineKeys() == ["whisker"]
    assert dm.getAnalogKeys() == ["sig"]
    assert dm.getMediaKeys() == []
    assert TimeFrameIndex(4).getValue() == 4

    pts.addPointsAtTime(2, [Point2D(1, 1), Point2D(2, 2)])
    (line_id,) = lines.add(2, [[0, 0], [3, 4]])
    assert pts.getTimeCount() == 1
    assert pts.getTotalEntryCount() == 2
    assert lines.getDataByEntityId(int(line_id)) == Line2D([Point2D(0, 0), Point2D(3, 4)])
    assert pts.getDataByEntityId(int(pts.ids_at(2)[1])) == Point2D(2, 2)
    assert lines.getDataByEntityId(123456789) is None

    line = Line2D([0.0, 1.0], [5.0, 6.0])
    line.push_back(Point2D(2, 7))
    assert line.size() == 3
    assert not line.empty()
    assert line.toList()[2] == Point2D(2, 7)

    sig = dm.getData("sig")
    assert sig.getDataInRange(1, 2).tolist() == [2.0, 3.0]
    assert sig.getAtTime(0) == 1.0
    assert AnalogTimeSeries().getNumSamples() == 0
    with pytest.raises(ValueError, match="num_samples 5"):
        AnalogTimeSeries([1.0], 5)

    ev = DigitalEventSeries([4, 1])
    assert [t for t, _ in ev.toListWithIds()] == [1, 4]
    ev.clear()
    assert ev.size() == 0
    iv = DigitalIntervalSeries([Interval(0, 3), Interval(10, 12)])
    iv.addInterval(20, 22)
    assert iv.removeInterval(Interval(10, 12))
    assert not iv.removeInterval(Interval(10, 12))
    assert [i for i, _ in iv.toListWithIds()] == [Interval(0, 3), Interval(20, 22)]

    groups = dm.getEntityGroupManager()
    assert isinstance(groups, EntityGroups)
    gid = groups.createGroup("contacts", "whisker contacts")
    groups.addEntityToGroup(gid, int(line_id))
    assert groups.hasGroup(gid)
    assert groups.isEntityInGroup(gid, int(line_id))
    assert groups.getEntitiesInGroup(gid) == [int(line_id)]
    assert groups.getGroupsContainingEntity(int(line_id)) == ["contacts"]
    assert groups.getGroupSize(gid) == 1
    assert groups.getGroupCount() == 1
    groups.clearGroup(gid)
    assert groups.getGroupSize(gid) == 0
    assert groups.deleteGroup(gid)
    assert not groups.hasGroup(gid)


def test_aliases_come_from_typed_mixins():
    from napari_whiskertoolbox.core import EntityGroups, TimeFrameIndex
    from napari_whiskertoolbox.core import wtb_aliases as wa

    pairs = (
        (DataManager, wa.DataManagerAliases),
        (TimeFrame, wa.TimeFrameAliases),
        (TimeFrameIndex, wa.TimeFrameIndexAliases),
        (AnalogTimeSeries, wa.AnalogAliases),
        (DigitalEventSeries, wa.EventAliases),
        (DigitalIntervalSeries, wa.IntervalAliases),
        (PointData, wa.PointAliases),
        (LineData, wa.RaggedAliases),
        (MaskData, wa.RaggedAliases),
        (EntityGroups, wa.EntityGroupsAliases),
    )
    for cls, mixin in pairs:
        assert issubclass(cls, mixin)
        camel = [name for name in vars(mixin) if name[:1].islower() and name != name.lower()]
        assert camel, mixin
        for name in camel:  # defined once, on the mixin, never attached to the class
            assert name not in vars(cls), (cls, name)
    assert (PointData.wtb_element, LineData.wtb_element, MaskData.wtb_element) == (
        Point2D,
        Line2D,
        Mask2D,
    )
    assert not hasattr(LineData, "addPointsAtTime")
    assert not hasattr(MaskData, "addPointsAtTime")


def test_wtb_aliases_imports_no_core_class_at_run_time():
    import ast
    from pathlib import Path

    from napari_whiskertoolbox.core import kinds, wtb_aliases

    tree = ast.parse(Path(wtb_aliases.__file__).read_text(encoding="utf-8"))
    runtime = [
        node.module
        for node in tree.body  # module level only; `if TYPE_CHECKING:` blocks are skipped
        if isinstance(node, ast.ImportFrom) and node.module
    ]
    ours = [m for m in runtime if m.startswith("napari_whiskertoolbox")]
    assert ours == ["napari_whiskertoolbox.core.default_clock"]
    assert kinds.DataType is wtb_aliases.DataType


def test_every_alias_forwards():
    from napari_whiskertoolbox.core import TensorData

    dm = DataManager()
    dm.setTime("camera", TimeFrame([0, 10, 20]))
    assert dm.getTimeFrameKeys() == ["time", "camera"]
    ev = DigitalEventSeries([3])
    dm.setData("ev", ev)
    dm.setData("iv", DigitalIntervalSeries([[1, 2]]))
    dm.setData("mask", MaskData())
    dm.setData("tensor", TensorData([[1.0]]))
    assert dm.getKeys("digital_event") == ["ev"]
    assert dm.getDigitalEventKeys() == ["ev"]
    assert dm.getDigitalIntervalKeys() == ["iv"]
    assert dm.getMaskKeys() == ["mask"]
    assert dm.getTensorKeys() == ["tensor"]
    dm.setTimeKey("ev", "camera")
    assert dm.getTimeKey("ev") == "camera"
    assert dm.getTime("camera").getTimeAtIndex(5) == 20
    assert dm.getTime("camera").getIndexAtTime(11, False) == 2
    assert dm.deleteData("ev")
    assert not dm.deleteData("ev")

    ts = AnalogTimeSeries([1.0, 2.0], [4, 9])
    assert ts.getTimeSeries() == [4, 9]
    assert all(type(t) is TimeFrameIndex for t in ts.getTimeSeries())
    assert ts.toList() == [1.0, 2.0]
    assert ts.getAtTime(5) is None

    assert ev.getEventSeries().tolist() == [3]
    assert not ev.removeEvent(7)

    iv = DigitalIntervalSeries()
    iv.addInterval((5, 6))
    with pytest.raises(TypeError, match="start must be an int"):
        iv.addEvent((1, 2), 3)
    assert iv.toList() == [Interval(5, 6)]

    pts = PointData()
    pts.setImageSize((640, 480))
    assert pts.getImageSize() == ImageSize(640, 480)
    assert pts.getDataByEntityId(987654321) is None
    masks = MaskData()
    (mask_id,) = masks.add(1, [[2, 3]])
    assert masks.getDataByEntityId(int(mask_id)) == Mask2D([[2, 3]])
    masks.addAtTime(2, [Mask2D([[0, 0]]), Mask2D([[1, 1], [2, 2]])])
    assert [len(m) for m in masks.getAtTime(2)] == [1, 2]

    groups = dm.getEntityGroupManager()
    groups.createGroup("g")
    groups.addEntityToGroup("g", [1, 2, 3])
    groups.removeEntityFromGroup("g", 2)
    assert groups.getEntitiesInGroup("g") == [1, 3]


def test_interval_is_also_the_pair_our_code_uses() -> None:
    interval = Interval(3, 9)
    start, end = interval
    assert (start, end) == (3, 9)
    assert interval[1] == 9
    assert len(interval) == 2
    assert interval == (3, 9)
    assert interval != (3, 8)
    np.testing.assert_array_equal(np.asarray([interval, Interval(10, 12)]), [[3, 9], [10, 12]])
    interval.end = np.int64(11)
    assert interval.end == 11
    assert type(interval.end).__name__ == "TimeFrameIndex"
    with pytest.raises(TypeError, match=r"Interval\.start must be an integer"):
        interval.start = 1.5  # type: ignore[assignment]


def test_set_data_of_an_object_stored_under_another_key_stores_a_copy() -> None:
    """WhiskerToolbox's ``dm.setData("ax2", dm.getData("angle"), "time")`` runs unchanged."""
    dm = DataManager()
    angle = AnalogTimeSeries([1.0, 2.0, 3.0])
    dm.setData("angle", angle)
    dm.setData("ax2", dm.getData("angle"), "time")
    assert dm.getData("angle") is angle
    copy = dm.getData("ax2")
    assert copy is not angle
    np.testing.assert_array_equal(copy.getAnalogTimeSeries(), angle.getAnalogTimeSeries())
    dm.setData("angle", angle)  # the same object under its own key: stored as it is
    assert dm.getData("angle") is angle
    with pytest.raises(ValueError, match="already stored under key 'angle'"):
        dm.set_data("ax3", angle)  # snake_case keeps refusing
