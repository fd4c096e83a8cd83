"""WhiskerToolbox-compatible camelCase names — the only place they live.

Importing this module (``core/__init__`` does) attaches thin camelCase aliases to the
snake_case classes and defines the small value classes WhiskerToolbox scripts use:
:class:`Point2D`, :class:`Line2D`, :class:`Mask2D` and :class:`Interval`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.data_manager import DEFAULT_CLOCK, DataManager
from napari_whiskertoolbox.core.entity import EntityGroups
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import DataType
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.ragged import ImageSize, RaggedSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame, TimeFrameIndex

__all__ = [
    "DataType",
    "ImageSize",
    "Interval",
    "Line2D",
    "Mask2D",
    "Point2D",
    "Point2DU32",
    "TimeFrameIndex",
]


class Point2D:
    """A point ``(x, y)`` with attributes ``.x`` and ``.y``."""

    __slots__ = ("x", "y")

    def __init__(self, x: float = 0.0, y: float = 0.0) -> None:
        self.x = float(x)
        self.y = float(y)

    def __iter__(self) -> Iterator[float]:
        yield self.x
        yield self.y

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Point2D):
            return (self.x, self.y) == (other.x, other.y)
        if isinstance(other, (tuple, list)) and len(other) == 2:
            return (self.x, self.y) == (float(other[0]), float(other[1]))
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return np.array([self.x, self.y], dtype=dtype or np.float32)

    def __repr__(self) -> str:
        return f"Point2D(x={self.x:g}, y={self.y:g})"


def _points_to_array(items: Any, dtype: np.dtype) -> np.ndarray:
    if isinstance(items, _CoordArray):
        return items.to_numpy()
    if isinstance(items, (list, tuple)) and items and isinstance(items[0], Point2D):
        return np.array([[p.x, p.y] for p in items], dtype=np.float64)
    arr = np.asarray(items)
    return arr.reshape(0, 2) if arr.size == 0 else arr


class _CoordArray:
    """An ``(N, 2)`` coordinate array with Point2D element access."""

    _dtype: np.dtype

    def __init__(self, data: Any = (), y: Any = None) -> None:
        if y is not None:  # WhiskerToolbox's (x, y) coordinate-vector form
            data = np.column_stack((np.asarray(data), np.asarray(y)))
        arr = _points_to_array(data, self._dtype)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"{type(self).__name__} needs (N, 2) (x, y) coordinates, got shape {arr.shape}"
            )
        self._array = self._convert(arr)

    def _convert(self, arr: np.ndarray) -> np.ndarray:
        return arr.astype(self._dtype)

    def __len__(self) -> int:
        return int(self._array.shape[0])

    def __getitem__(self, index: int) -> Point2D:
        x, y = self._array[index]
        return Point2D(x, y)

    def __iter__(self) -> Iterator[Point2D]:
        for x, y in self._array.tolist():
            yield Point2D(x, y)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _CoordArray):
            return np.array_equal(self._array, other._array)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def to_numpy(self) -> np.ndarray:
        """Return the ``(N, 2)`` coordinate array."""
        return self._array

    def size(self) -> int:
        """Number of points."""
        return len(self)

    def empty(self) -> bool:
        """True when there are no points."""
        return len(self) == 0

    def push_back(self, point: Any) -> None:
        """Append one point (a :class:`Point2D` or ``(x, y)``)."""
        row = self._convert(np.asarray([list(point)], dtype=np.float64))
        self._array = np.concatenate([self._array, row])

    def toList(self) -> list[Point2D]:
        """Return the points as a list of :class:`Point2D`."""
        return list(self)

    points = toList

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self._array if dtype is None else self._array.astype(dtype)
        return arr.copy() if copy else arr

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} points)"


class Line2D(_CoordArray):
    """An ordered polyline: ``(N, 2)`` float32 ``(x, y)`` vertices.

    Build from a list of :class:`Point2D`, an ``(N, 2)`` array, or nothing.
    """

    _dtype = np.dtype(np.float32)


class Mask2D(_CoordArray):
    """An unordered set of pixels: ``(N, 2)`` uint32 ``(x, y)`` coordinates."""

    _dtype = np.dtype(np.uint32)

    def _convert(self, arr: np.ndarray) -> np.ndarray:
        if arr.size and (np.any(arr < 0) or not np.all(arr == np.round(arr))):
            raise ValueError("Mask2D pixels must be non-negative integers")
        return arr.astype(np.uint32)


Point2DU32 = Point2D
"""WhiskerToolbox's integer (mask pixel) point; the same class here."""


class Interval(NamedTuple):
    """An inclusive interval ``[start, end]``."""

    start: int
    end: int


# ---------------------------------------------------------------- DataManager
def _dm_set_data(self: DataManager, key: str, obj: Any, time_key: str = DEFAULT_CLOCK) -> None:
    self.set_data(key, obj, time_key)


def _dm_get_time(self: DataManager, name: str = DEFAULT_CLOCK) -> TimeFrame:
    return self.get_time(name)


DataManager.getData = DataManager.get_data
DataManager.setData = _dm_set_data
DataManager.getAllKeys = lambda self: self.keys()
DataManager.getKeys = DataManager.keys
DataManager.getTimeKey = DataManager.time_key
DataManager.setTimeKey = DataManager.set_time_key
DataManager.deleteData = DataManager.delete_data
DataManager.getTime = _dm_get_time
DataManager.setTime = lambda self, key, time_frame, overwrite=True: self.set_time(key, time_frame)
DataManager.getTimeFrameKeys = DataManager.time_keys
DataManager.getEntityGroupManager = lambda self: self.groups
DataManager.getType = lambda self, key: DataType(self.data_type(key))
for _name, _kinds in (
    ("getAnalogKeys", ("analog",)),
    ("getDigitalEventKeys", ("digital_event",)),
    ("getDigitalIntervalKeys", ("digital_interval",)),
    ("getLineKeys", ("line",)),
    ("getMaskKeys", ("mask",)),
    ("getPointKeys", ("points",)),
    ("getTensorKeys", ("tensor",)),
    ("getMediaKeys", ("video", "images")),
):
    setattr(
        DataManager,
        _name,
        lambda self, _kinds=_kinds: [k for kind in _kinds for k in self.keys(kind)],
    )

# ---------------------------------------------------------------- TimeFrame
TimeFrameIndex.getValue = lambda self: int(self)
TimeFrame.getTimeAtIndex = TimeFrame.time_at_index
TimeFrame.getIndexAtTime = TimeFrame.index_at_time
TimeFrame.getTotalFrameCount = lambda self: len(self)

# ---------------------------------------------------------------- AnalogTimeSeries
AnalogTimeSeries.getNumSamples = lambda self: len(self)
AnalogTimeSeries.getAnalogTimeSeries = lambda self: self.values
AnalogTimeSeries.getTimeSeries = lambda self: self.times
AnalogTimeSeries.getDataInRange = lambda self, start, end: self.range(start, end)[1]
AnalogTimeSeries.getAtTime = AnalogTimeSeries.value_at
AnalogTimeSeries.toList = lambda self: self.values.tolist()


# ---------------------------------------------------------------- DigitalEventSeries
def _events_add(self: DigitalEventSeries, time: int) -> None:
    self.add(time)


DigitalEventSeries.addEvent = _events_add
DigitalEventSeries.removeEvent = DigitalEventSeries.remove
DigitalEventSeries.toList = lambda self: self.times.tolist()
DigitalEventSeries.getEventSeries = lambda self: self.times
DigitalEventSeries.size = lambda self: len(self)
DigitalEventSeries.toListWithIds = lambda self: list(zip(self.times.tolist(), self.ids.tolist()))


# ---------------------------------------------------------------- DigitalIntervalSeries
def _intervals_add(self: DigitalIntervalSeries, start: Any, end: int | None = None) -> None:
    if end is None:
        if isinstance(start, Interval) or (isinstance(start, (tuple, list)) and len(start) == 2):
            start, end = start
        else:
            raise ValueError(f"addEvent expects an Interval or (start, end), got {start!r}")
    self.add(int(start), int(end))


DigitalIntervalSeries.addEvent = _intervals_add
DigitalIntervalSeries.toList = lambda self: [Interval(int(s), int(e)) for s, e in self.intervals]
DigitalIntervalSeries.size = lambda self: len(self)
DigitalIntervalSeries.isEventAtTime = DigitalIntervalSeries.contains
DigitalIntervalSeries.setEventAtTime = DigitalIntervalSeries.set_time
DigitalIntervalSeries.addInterval = _intervals_add
DigitalIntervalSeries.removeInterval = lambda self, interval: self.remove_interval(*interval)
DigitalIntervalSeries.toListWithIds = lambda self: [
    (Interval(int(s), int(e)), int(i)) for (s, e), i in zip(self.intervals, self.ids)
]


# ---------------------------------------------------------------- Points / lines / masks
def _to_point_array(obj: Any) -> Any:
    if isinstance(obj, Point2D):
        return [obj.x, obj.y]
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], Point2D):
        return [[p.x, p.y] for p in obj]
    if isinstance(obj, _CoordArray):
        return obj.to_numpy()
    return obj


def _add_at_time(self: RaggedSeries, time: int, obj: Any, notify: bool = True) -> None:
    if isinstance(self, PointData):
        self.add(time, _to_point_array(obj))
        return
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], _CoordArray):
        for item in obj:
            self.add(time, item.to_numpy())
        return
    self.add(time, _to_point_array(obj))


def _get_at_time(self: RaggedSeries, time: int) -> list:
    if isinstance(self, PointData):
        return [Point2D(x, y) for x, y in self.at(time).tolist()]
    wrapper = Mask2D if isinstance(self, MaskData) else Line2D
    return [wrapper(obj) for obj in self.at(time)]


def _clear_at_time(self: RaggedSeries, time: int, notify: bool = True) -> bool:
    had = self.count_at(time) > 0
    self.clear_at(time)
    return had


def _get_by_entity_id(self: RaggedSeries, entity_id: int) -> Any:
    found = self.find(int(entity_id))
    if found is None:
        return None
    if isinstance(self, PointData):
        return Point2D(*found[1])
    return (Mask2D if isinstance(self, MaskData) else Line2D)(found[1])


def _get_image_size(self: RaggedSeries) -> ImageSize | None:
    return self.image_size


def _set_image_size(self: RaggedSeries, size: Any) -> None:
    self.image_size = size


for _cls in (PointData, LineData, MaskData):
    _cls.addAtTime = _add_at_time
    _cls.getAtTime = _get_at_time
    _cls.getTimesWithData = lambda self: self.times_with_data().tolist()
    _cls.getImageSize = _get_image_size
    _cls.setImageSize = _set_image_size
    _cls.clearAtTime = _clear_at_time
    _cls.getTimeCount = lambda self: self.n_frames_with_data
    _cls.getTotalEntryCount = lambda self: self.n_entries
    _cls.getDataByEntityId = _get_by_entity_id
PointData.addPointsAtTime = _add_at_time
del _cls


# ---------------------------------------------------------------- entity groups
# WhiskerToolbox addresses groups by an id returned from createGroup; here the id is the name.
def _create_group(self: EntityGroups, name: str, description: str = "") -> str:
    self.create(name)
    return name


EntityGroups.createGroup = _create_group
EntityGroups.deleteGroup = EntityGroups.delete
EntityGroups.hasGroup = EntityGroups.__contains__
EntityGroups.addEntityToGroup = EntityGroups.add
EntityGroups.removeEntityFromGroup = EntityGroups.remove
EntityGroups.getEntitiesInGroup = lambda self, name: self.members(name).tolist()
EntityGroups.isEntityInGroup = lambda self, name, entity_id: name in self.groups_of(entity_id)
EntityGroups.getGroupsContainingEntity = EntityGroups.groups_of
EntityGroups.getGroupSize = EntityGroups.count
EntityGroups.getGroupCount = lambda self: len(self)
EntityGroups.clearGroup = lambda self, name: self.remove(name, self.members(name))
