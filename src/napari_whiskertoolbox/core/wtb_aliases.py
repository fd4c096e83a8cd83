"""WhiskerToolbox-compatible names — the only module where camelCase names live.

Two things live here:

* the small value classes WhiskerToolbox scripts use: :class:`Point2D`,
  :class:`Point2DU32`, :class:`Line2D`, :class:`Mask2D`, :class:`Interval`,
  :class:`EntityId` and the :class:`DataType` enum;
* one mixin per class adding WhiskerToolbox's camelCase methods as thin wrappers of
  the snake_case API (:class:`DataManagerAliases`, :class:`TimeFrameAliases`,
  :class:`TensorAliases`, …, and :class:`ScriptEngineAliases` for the script engine).
  Each class inherits its mixin.

The mixins do not import the core classes (the core classes import this module): each
alias method types ``self`` with a small :class:`~typing.Protocol` listing the snake_case
members it calls, so mypy checks every alias against the class that inherits it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    NamedTuple,
    Protocol,
    SupportsFloat,
    SupportsIndex,
    SupportsInt,
    TypeVar,
)

import numpy as np

from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator, Mapping
    from pathlib import Path

    from numpy.typing import ArrayLike, DTypeLike

    from napari_whiskertoolbox.core.analog import AnalogTimeSeries
    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.entity import EntityGroups
    from napari_whiskertoolbox.core.events import DigitalEventSeries
    from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
    from napari_whiskertoolbox.core.kinds import DataKind, DataObject
    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.media import MediaData
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.core.ragged import ImageSize
    from napari_whiskertoolbox.core.tensor import TensorData
    from napari_whiskertoolbox.core.timeframe import TimeFrame, TimeFrameIndex

__all__ = [
    "AnalogAliases",
    "CallableInt",
    "CallableShape",
    "ClockTicks",
    "DataManagerAliases",
    "DataType",
    "EntityGroupsAliases",
    "EntityId",
    "EventAliases",
    "GroupDescriptor",
    "Interval",
    "IntervalAliases",
    "Line2D",
    "Mask2D",
    "Point2D",
    "Point2DU32",
    "PointAliases",
    "RaggedAliases",
    "ScriptEngineAliases",
    "TensorAliases",
    "TimeFrameAliases",
    "TimeFrameBindingAliases",
    "TimeFrameIndexAliases",
    "WtbElement",
]

_T = TypeVar("_T")


# ====================================================================== value classes
class DataType(StrEnum):
    """WhiskerToolbox's data-type names; each member's value is our data kind.

    ``Unknown`` is WhiskerToolbox's answer for a key it cannot type; no stored object has it.
    """

    Video = "video"
    Images = "images"
    Points = "points"
    Mask = "mask"
    Line = "line"
    Analog = "analog"
    DigitalEvent = "digital_event"
    DigitalInterval = "digital_interval"
    Tensor = "tensor"
    Unknown = "unknown"

    def __str__(self) -> str:
        """Return ``DataType.<Name>``, as WhiskerToolbox prints its enum.

        The member still compares equal to its data kind (``DataType.Analog == "analog"``);
        ``member.value`` is the kind itself.
        """
        return f"{type(self).__name__}.{self.name}"

    def __repr__(self) -> str:
        """Return ``<DataType.<Name>: <number>>``, pybind11's form of WhiskerToolbox's enum."""
        return f"<{type(self).__name__}.{self.name}: {int(self)}>"

    def __int__(self) -> int:
        """Return WhiskerToolbox's number of the member (``DM_DataType``: ``Analog`` is 5)."""
        return _WT_DATA_TYPE_NUMBERS[self.name]

    @classmethod
    def _missing_(cls, value: object) -> DataType | None:
        """Accept WhiskerToolbox's numbers: ``DataType(5)`` is ``DataType.Analog``."""
        if isinstance(value, int) and not isinstance(value, bool):
            for name, number in _WT_DATA_TYPE_NUMBERS.items():
                if number == value:
                    return cls[name]
        return None


_WT_DATA_TYPE_NUMBERS = {
    "Video": 0,
    "Images": 1,
    "Points": 2,
    "Mask": 3,
    "Line": 4,
    "Analog": 5,
    "DigitalEvent": 6,
    "DigitalInterval": 7,
    "Tensor": 8,
    "Unknown": 10,
}
"""WhiskerToolbox's ``DM_DataType`` numbers (``Time``, 9, has no key type and no member)."""


class Point2D:
    """A point ``(x, y)`` with float attributes ``.x`` and ``.y`` (pixels).

    Compares equal to another ``Point2D`` or to an ``(x, y)`` tuple or list; iterating
    yields ``x`` then ``y``; ``np.asarray(point)`` is a ``(2,)`` float32 array.
    """

    __slots__ = ("x", "y")

    def __init__(self, x: SupportsFloat = 0.0, y: SupportsFloat = 0.0) -> None:
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

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        return np.array([self.x, self.y], dtype=dtype or np.float32)

    def __repr__(self) -> str:
        """Return ``Point2D(1.500000, 2.500000)``, as WhiskerToolbox prints it."""
        return f"Point2D({self.x:f}, {self.y:f})"


class Point2DU32(Point2D):
    """A mask pixel ``(x, y)`` with non-negative integer attributes ``.x`` and ``.y``.

    WhiskerToolbox's ``Point2D<uint32_t>``: ``print(p.x, p.y)`` shows ``10 20``.
    ``np.asarray(point)`` is a ``(2,)`` uint32 array.

    Raises
    ------
    ValueError
        If a coordinate is negative or not a whole number.
    """

    __slots__ = ()

    def __init__(self, x: SupportsFloat = 0, y: SupportsFloat = 0) -> None:
        coords: list[int] = []
        for name, value in (("x", x), ("y", y)):
            number = float(int(value)) if isinstance(value, np.integer) else float(value)
            if number < 0 or number != int(number):
                raise ValueError(f"Point2DU32.{name} must be a non-negative integer, got {value!r}")
            coords.append(int(number))
        self.x, self.y = coords

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        return np.array([self.x, self.y], dtype=dtype or np.uint32)

    def __repr__(self) -> str:
        """Return ``Point2DU32(1, 2)``, as WhiskerToolbox prints it."""
        return f"Point2DU32({self.x}, {self.y})"


def _points_to_array(items: ArrayLike | Sequence[Point2D] | _CoordArray) -> np.ndarray:
    """Return ``items`` as an array; an empty input becomes a ``(0, 2)`` array."""
    if isinstance(items, _CoordArray):
        return items.to_numpy()
    if isinstance(items, (list, tuple)) and items and isinstance(items[0], Point2D):
        return np.array([[p.x, p.y] for p in items], dtype=np.float64)
    arr = np.asarray(items)
    return arr.reshape(0, 2) if arr.size == 0 else arr


class _CoordArray:
    """An ``(N, 2)`` ``(x, y)`` coordinate array with :class:`Point2D` element access.

    Parameters
    ----------
    data : array_like, sequence of Point2D or _CoordArray, optional
        ``(N, 2)`` coordinates; empty by default. With ``y`` given, the x coordinates.
    y : array_like, optional
        The y coordinates (WhiskerToolbox's ``Line2D(xs, ys)`` form).

    Raises
    ------
    ValueError
        If the coordinates are not ``(N, 2)``, or a subclass rejects their values.

    Notes
    -----
    Defining ``__eq__`` makes instances unhashable, as they are mutable
    (:meth:`push_back`).
    """

    _dtype: ClassVar[np.dtype]
    _element: ClassVar[type[Point2D]] = Point2D

    def __init__(
        self,
        data: ArrayLike | Sequence[Point2D] | _CoordArray = (),
        y: ArrayLike | None = None,
    ) -> None:
        if y is not None:  # WhiskerToolbox's (x, y) coordinate-vector form
            data = np.column_stack((np.asarray(data), np.asarray(y)))
        arr = _points_to_array(data)
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
        x, y = self._array[index].tolist()
        return self._element(x, y)

    def __iter__(self) -> Iterator[Point2D]:
        for x, y in self._array.tolist():
            yield self._element(x, y)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _CoordArray):
            return np.array_equal(self._array, other._array)
        return NotImplemented

    def to_numpy(self) -> np.ndarray:
        """Return the ``(N, 2)`` coordinate array (no copy)."""
        return self._array

    def size(self) -> int:
        """Return the number of points."""
        return len(self)

    def empty(self) -> bool:
        """Return True when there are no points."""
        return len(self) == 0

    def push_back(self, point: Iterable[SupportsFloat]) -> None:
        """Append one point (a :class:`Point2D` or ``(x, y)``)."""
        row = self._convert(np.asarray([list(point)], dtype=np.float64))
        self._array = np.concatenate([self._array, row])

    def toList(self) -> list[Point2D]:
        """Return the points as a list of :class:`Point2D`."""
        return list(self)

    def points(self) -> list[Point2D]:
        """Return the points as a list of :class:`Point2D` (same as :meth:`toList`)."""
        return self.toList()

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        arr = self._array if dtype is None else self._array.astype(dtype)
        return arr.copy() if copy else arr

    def __repr__(self) -> str:
        """Return ``Line2D(points=3)`` / ``Mask2D(points=3)``, as WhiskerToolbox prints them."""
        return f"{type(self).__name__}(points={len(self)})"


class Line2D(_CoordArray):
    """An ordered polyline: ``(N, 2)`` float32 ``(x, y)`` vertices (pixels).

    Build from a list of :class:`Point2D`, an ``(N, 2)`` array, two coordinate vectors
    ``Line2D(xs, ys)``, or nothing.
    """

    _dtype = np.dtype(np.float32)


class Mask2D(_CoordArray):
    """An unordered set of pixels: ``(N, 2)`` uint32 ``(x, y)`` coordinates.

    Elements are :class:`Point2DU32`.

    Raises
    ------
    ValueError
        If a coordinate is negative or not a whole number.
    """

    _dtype = np.dtype(np.uint32)
    _element = Point2DU32

    def _convert(self, arr: np.ndarray) -> np.ndarray:
        if arr.size and (np.any(arr < 0) or not np.all(arr == np.round(arr))):
            raise ValueError("Mask2D pixels must be non-negative integers")
        return arr.astype(np.uint32)


class Interval:
    """An inclusive interval ``[start, end]`` of time indices, with settable ends.

    WhiskerToolbox's ``Interval``: a value (a series' :meth:`~IntervalAliases.toList` gives
    copies; setting ``.start`` on one does not change the series). ``.start`` and ``.end``
    read as :class:`~napari_whiskertoolbox.core.TimeFrameIndex` (``print(iv.start)``
    shows the number); ``repr`` is ``Interval(10, 50)``. For our own code it also behaves
    as the pair ``(start, end)``: it unpacks, indexes, converts with ``np.asarray`` and
    compares equal to a 2-tuple. Mutable, so not hashable (as in WhiskerToolbox).

    Raises
    ------
    TypeError
        If an end is not an integer.
    """

    __slots__ = ("_end", "_start")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, start: SupportsIndex, end: SupportsIndex) -> None:
        self._start = _as_index(start, "Interval.start")
        self._end = _as_index(end, "Interval.end")

    @property
    def start(self) -> TimeFrameIndex:
        """First time index (inclusive)."""
        from napari_whiskertoolbox.core.timeframe import TimeFrameIndex

        return TimeFrameIndex(self._start)

    @start.setter
    def start(self, value: SupportsIndex) -> None:
        self._start = _as_index(value, "Interval.start")

    @property
    def end(self) -> TimeFrameIndex:
        """Last time index (inclusive)."""
        from napari_whiskertoolbox.core.timeframe import TimeFrameIndex

        return TimeFrameIndex(self._end)

    @end.setter
    def end(self, value: SupportsIndex) -> None:
        self._end = _as_index(value, "Interval.end")

    def __iter__(self) -> Iterator[int]:
        yield self._start
        yield self._end

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: SupportsIndex) -> int:
        return (self._start, self._end)[operator.index(index)]

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        return np.array([self._start, self._end], dtype=dtype or np.int64)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Interval):
            return (self._start, self._end) == (other._start, other._end)
        if isinstance(other, (tuple, list)) and len(other) == 2:
            return (self._start, self._end) == tuple(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Interval({self._start}, {self._end})"


def _as_index(value: SupportsIndex, what: str) -> int:
    """Return ``value`` as an ``int`` (TypeError naming ``what`` if it is not an integer)."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {value!r}") from None


class ClockTicks(int):
    """WhiskerToolbox's ``ClockTicks``: a raw tick count of an acquisition clock (int64).

    An ``int`` subclass: it compares, hashes and indexes as its number; ``getValue()``
    returns it; ``str()`` is the number and ``repr()`` is ``ClockTicks(5)``.
    """

    def getValue(self) -> int:
        """Return the tick count as a plain ``int``."""
        return int(self)

    def __repr__(self) -> str:
        return f"ClockTicks({int(self)})"

    def __str__(self) -> str:
        return str(int(self))


class GroupDescriptor(NamedTuple):
    """WhiskerToolbox's description of an entity group (read-only).

    Attributes
    ----------
    id : str
        The group's id; here, as in :meth:`EntityGroupsAliases.createGroup`, its name.
    name : str
        The group's name.
    description : str
        The description given at creation (``""`` when none).
    entity_count : int
        Number of entity ids in the group.
    """

    id: str
    name: str
    description: str
    entity_count: int

    def __repr__(self) -> str:
        return f"GroupDescriptor('{self.name}', entities={self.entity_count})"


class EntityId:
    """WhiskerToolbox's entity identifier: a uint64 in ``.id`` (0 = none).

    Compares equal to another ``EntityId`` or to the plain ``int`` our containers use;
    hashable like that ``int``; ``int(entity)`` gives the number.

    Raises
    ------
    ValueError
        If the id is negative or not a whole number.
    """

    __slots__ = ("id",)

    def __init__(self, value: SupportsIndex = 0) -> None:
        try:
            number = operator.index(value)
        except TypeError:
            raise TypeError(f"EntityId needs an integer, got {value!r}") from None
        if number < 0:
            raise ValueError(f"EntityId must be a non-negative integer, got {value!r}")
        self.id = number

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EntityId):
            return self.id == other.id
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return self.id == int(other)
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, EntityId):
            return self.id < other.id
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

    def __int__(self) -> int:
        return self.id

    def __index__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"EntityId({self.id})"


class CallableInt(int):
    """An ``int`` that returns itself when called.

    Lets one attribute serve both our property (``tensor.ndim``) and WhiskerToolbox's
    method (``tensor.ndim()``).
    """

    def __call__(self) -> int:
        """Return the number as a plain ``int``."""
        return int(self)


class CallableShape(tuple[int, ...]):
    """A shape tuple that returns itself (as a list, like WhiskerToolbox) when called.

    Lets ``tensor.shape`` (our property, a tuple) and ``tensor.shape()`` (WhiskerToolbox's
    method, a list) both work.
    """

    __slots__ = ()

    def __call__(self) -> list[int]:
        """Return the sizes as a list."""
        return list(self)


WtbElement = Point2D | Line2D | Mask2D
"""What a ragged container's WhiskerToolbox methods return per entry."""


# ====================================================================== DataManager
class _DataManagerLike(Protocol):
    """The snake_case members :class:`DataManagerAliases` calls."""

    @property
    def groups(self) -> EntityGroups: ...
    def __contains__(self, key: object) -> bool: ...
    def get_data(self, key: str) -> Any: ...
    def set_data(self, key: str, obj: DataObject, time_key: str = ...) -> None: ...
    def delete_data(self, key: str) -> bool: ...
    def keys(self, data_type: DataKind | None = ...) -> list[str]: ...
    def data_type(self, key: str) -> DataKind: ...
    def time_key(self, key: str) -> str: ...
    def set_time_key(self, key: str, name: str) -> None: ...
    def get_time(self, name: str = ...) -> TimeFrame: ...
    def set_time(self, name: str, timeframe: TimeFrame, overwrite: bool = ...) -> bool: ...
    def time_keys(self) -> list[str]: ...
    def add_observer(self, callback: Callable[[], object]) -> int: ...
    def remove_observer(self, observer_id: int) -> bool: ...
    @property
    def output_path(self) -> Path: ...
    def set_output_path(self, path: str | os.PathLike[str]) -> None: ...


def _keys_of(dm: _DataManagerLike, *kinds: DataKind) -> list[str]:
    """Return the keys of the given kinds, kind by kind, each in insertion order."""
    return [key for kind in kinds for key in dm.keys(kind)]


class DataManagerAliases:
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.DataManager`."""

    def getData(self: _DataManagerLike, key: str) -> Any:
        """Return the object stored under ``key``, or None when there is no such key.

        WhiskerToolbox's semantics (``if dm.getData("angle"):``); the snake_case
        :meth:`DataManager.get_data` raises ``KeyError`` instead.
        """
        if key not in self:
            return None
        return self.get_data(key)

    def setData(
        self: _DataManagerLike, key: str, obj: DataObject, time_key: str = DEFAULT_CLOCK
    ) -> None:
        """Store ``obj`` under ``key`` bound to clock ``time_key`` (:meth:`DataManager.set_data`).

        An object already stored under another key is stored as a copy (its ``copy()``):
        WhiskerToolbox then holds one object under both keys, here each key holds its own
        (an edit through one key does not show through the other). Media and tensors,
        which have no copy, are refused as by :meth:`DataManager.set_data`.
        """
        stored_elsewhere = any(self.get_data(k) is obj for k in self.keys() if k != key)
        copy = getattr(obj, "copy", None)
        self.set_data(key, copy() if stored_elsewhere and callable(copy) else obj, time_key)

    def deleteData(self: _DataManagerLike, key: str) -> bool:
        """Delete ``key``; return False if it did not exist (:meth:`DataManager.delete_data`)."""
        return self.delete_data(key)

    def getAllKeys(self: _DataManagerLike) -> list[str]:
        """Return every key in insertion order."""
        return self.keys()

    def getKeys(self: _DataManagerLike, data_type: DataKind | None = None) -> list[str]:
        """Return the keys, optionally only those of ``data_type`` (:meth:`DataManager.keys`)."""
        return self.keys(data_type)

    def getType(self: _DataManagerLike, key: str) -> DataType:
        """Return the :class:`DataType` of ``key`` (``DataType.Unknown`` for a missing key)."""
        if key not in self:
            return DataType.Unknown
        return DataType(self.data_type(key))

    def getTimeKey(self: _DataManagerLike, key: str) -> str:
        """Return the name of the clock ``key`` is bound to, or ``""`` for a missing key.

        WhiskerToolbox's semantics; the snake_case :meth:`DataManager.time_key` raises
        ``KeyError`` instead.
        """
        if key not in self:
            return ""
        return self.time_key(key)

    def setTimeKey(self: _DataManagerLike, key: str, name: str) -> None:
        """Bind ``key`` to clock ``name`` (undoable)."""
        self.set_time_key(key, name)

    def getTime(self: _DataManagerLike, name: str = DEFAULT_CLOCK) -> TimeFrame | None:
        """Return clock ``name`` (the ``"time"`` clock by default), or None if there is none.

        WhiskerToolbox's semantics; the snake_case :meth:`DataManager.get_time` raises
        ``KeyError`` instead.
        """
        if name not in self.time_keys():
            return None
        return self.get_time(name)

    def setTime(
        self: _DataManagerLike, key: str, time_frame: TimeFrame, overwrite: bool = False
    ) -> bool:
        """Store clock ``key``; return False, keeping the old clock, if it exists.

        As WhiskerToolbox: an existing clock (``"time"`` always exists) is replaced only
        with ``overwrite=True``. The snake_case :meth:`DataManager.set_time` replaces by
        default.
        """
        return self.set_time(key, time_frame, overwrite)

    def getTimeFrameKeys(self: _DataManagerLike) -> list[str]:
        """Return the clock names."""
        return self.time_keys()

    def getEntityGroupManager(self: _DataManagerLike) -> EntityGroups:
        """Return the manager's named groups of entity ids."""
        return self.groups

    def addObserver(self: _DataManagerLike, callback: Callable[[], object]) -> int:
        """Call ``callback()`` after each state change; return the id (:meth:`DataManager.add_observer`)."""
        return self.add_observer(callback)

    def removeObserver(self: _DataManagerLike, observer_id: int) -> None:
        """Stop calling observer ``observer_id`` (an unknown id is ignored)."""
        self.remove_observer(observer_id)

    def setOutputPath(self: _DataManagerLike, path: str | os.PathLike[str]) -> None:
        """Set the folder outputs go to (:meth:`DataManager.set_output_path`)."""
        self.set_output_path(path)

    def getOutputPath(self: _DataManagerLike) -> str:
        """Return the folder outputs go to, as a string (the working directory by default)."""
        return str(self.output_path)

    def getAnalogKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding analog signals."""
        return _keys_of(self, "analog")

    def getDigitalEventKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding event series."""
        return _keys_of(self, "digital_event")

    def getDigitalIntervalKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding interval series."""
        return _keys_of(self, "digital_interval")

    def getLineKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding lines."""
        return _keys_of(self, "line")

    def getMaskKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding masks."""
        return _keys_of(self, "mask")

    def getPointKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding points."""
        return _keys_of(self, "points")

    def getTensorKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding tensors."""
        return _keys_of(self, "tensor")

    def getMediaKeys(self: _DataManagerLike) -> list[str]:
        """Return the keys holding media: videos first, then image stacks."""
        return _keys_of(self, "video", "images")


def _time_indices(times: np.ndarray) -> list[TimeFrameIndex]:
    """Return int time indices as WhiskerToolbox's list of :class:`TimeFrameIndex`."""
    from napari_whiskertoolbox.core.timeframe import TimeFrameIndex

    return [TimeFrameIndex(t) for t in times.tolist()]


def _entity_ids(ids: np.ndarray) -> list[EntityId]:
    """Return uint64 entity ids as WhiskerToolbox's list of :class:`EntityId`."""
    return [EntityId(i) for i in ids.tolist()]


# ====================================================================== clocks
class _TimeFrameLike(Protocol):
    """The snake_case members :class:`TimeFrameAliases` calls."""

    def __len__(self) -> int: ...
    def time_at_index(self, index: int) -> int: ...
    def index_at_time(self, time: int, preceding: bool = ...) -> int: ...


class TimeFrameAliases:
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.TimeFrame`."""

    def getTimeAtIndex(self: _TimeFrameLike, index: int) -> int:
        """Return the time at ``index`` (clamped to the clock; :meth:`TimeFrame.time_at_index`)."""
        return self.time_at_index(index)

    def getIndexAtTime(self: _TimeFrameLike, time: int, preceding: bool = True) -> int:
        """Return the index for ``time`` (:meth:`TimeFrame.index_at_time`)."""
        return self.index_at_time(time, preceding)

    def getTotalFrameCount(self: _TimeFrameLike) -> int:
        """Return the number of indices in the clock."""
        return len(self)


class TimeFrameIndexAliases:
    """WhiskerToolbox's camelCase method of :class:`~napari_whiskertoolbox.core.TimeFrameIndex`."""

    def getValue(self: SupportsInt) -> int:
        """Return the index as a plain ``int``."""
        return int(self)


# ====================================================================== a data object's clock
class _ClockedLike(Protocol):
    """The snake_case members :class:`TimeFrameBindingAliases` calls."""

    @property
    def time_frame(self) -> TimeFrame | None: ...
    def set_time_frame(self, time_frame: TimeFrame | None) -> None: ...


class TimeFrameBindingAliases:
    """WhiskerToolbox's ``setTimeFrame`` / ``getTimeFrame`` of every data class."""

    def setTimeFrame(self: _ClockedLike, time_frame: TimeFrame | None) -> None:
        """Make ``time_frame`` the object's clock (``ClockedMixin.set_time_frame``).

        As in WhiskerToolbox this does not rebind a stored key: use
        ``dm.setTimeKey(key, clock)`` for that.
        """
        self.set_time_frame(time_frame)

    def getTimeFrame(self: _ClockedLike) -> TimeFrame | None:
        """Return the object's clock: the one its key is bound to once stored, else None."""
        return self.time_frame


# ====================================================================== analog signals
class _AnalogLike(Protocol):
    """The snake_case members :class:`AnalogAliases` calls."""

    @property
    def values(self) -> np.ndarray: ...
    @property
    def times(self) -> np.ndarray: ...
    def __len__(self) -> int: ...
    def range(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]: ...
    def value_at(self, time: int) -> float | None: ...


class AnalogAliases(TimeFrameBindingAliases):
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.AnalogTimeSeries`."""

    def getNumSamples(self: _AnalogLike) -> int:
        """Return the number of samples."""
        return len(self)

    def getAnalogTimeSeries(self: _AnalogLike) -> np.ndarray:
        """Return the read-only float32 samples (a view, no copy)."""
        return self.values

    def getTimeSeries(self: _AnalogLike) -> list[TimeFrameIndex]:
        """Return the time index of each sample as a list of :class:`TimeFrameIndex`.

        A copy, as in WhiskerToolbox; :meth:`toTimeValueArrays` gives arrays.
        """
        return _time_indices(self.times)

    def toTimeValueArrays(self: _AnalogLike) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(times, values)``: int64 time indices and float32 samples (views)."""
        return self.times, self.values

    def getDataInRange(self: _AnalogLike, start: int, end: int) -> np.ndarray:
        """Return the float32 samples with ``start <= time <= end`` (ends inclusive)."""
        return self.range(start, end)[1]

    def getAtTime(self: _AnalogLike, time: int) -> float | None:
        """Return the sample at exactly ``time``, or None if there is none.

        A time holding several samples (a ragged result, which WhiskerToolbox keeps as a
        ``RaggedAnalogTimeSeries`` that its ``dm.getData`` does not return) raises
        ``ValueError``; ``values_at(time)`` returns all of them.
        """
        return self.value_at(time)

    def toList(self: _AnalogLike) -> list[float]:
        """Return the samples as a list of floats."""
        values: list[float] = self.values.tolist()
        return values


# ====================================================================== events
class _EventsLike(Protocol):
    """The snake_case members :class:`EventAliases` calls."""

    @property
    def times(self) -> np.ndarray: ...
    @property
    def ids(self) -> np.ndarray: ...
    def __len__(self) -> int: ...
    def add(self, time: int) -> int: ...
    def remove(self, time: int) -> bool: ...


class EventAliases(TimeFrameBindingAliases):
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.DigitalEventSeries`."""

    def addEvent(self: _EventsLike, time: int) -> None:
        """Add an event at ``time`` (nothing happens if there is one already)."""
        self.add(time)

    def removeEvent(self: _EventsLike, time: int) -> bool:
        """Remove the event at ``time``; return False if there was none."""
        return self.remove(time)

    def toList(self: _EventsLike) -> list[TimeFrameIndex]:
        """Return the sorted event times as a list of :class:`TimeFrameIndex` (ints)."""
        return _time_indices(self.times)

    def toListWithIds(self: _EventsLike) -> list[tuple[TimeFrameIndex, EntityId]]:
        """Return ``(TimeFrameIndex, EntityId)`` pairs sorted by time."""
        return list(zip(_time_indices(self.times), _entity_ids(self.ids)))

    def getEventSeries(self: _EventsLike) -> np.ndarray:
        """Return the read-only sorted int64 event times."""
        return self.times

    def size(self: _EventsLike) -> int:
        """Return the number of events."""
        return len(self)

    def isView(self: _EventsLike) -> bool:
        """Return False: a series owns its arrays, it is never a view of another series."""
        return False

    def isLazy(self: _EventsLike) -> bool:
        """Return False: a series' events are in memory, never computed on access."""
        return False


# ====================================================================== intervals
class _IntervalsLike(Protocol):
    """The snake_case members :class:`IntervalAliases` calls."""

    @property
    def intervals(self) -> np.ndarray: ...
    @property
    def ids(self) -> np.ndarray: ...
    def __len__(self) -> int: ...
    def add(self, start: int, end: int) -> int: ...
    def contains(self, time: int) -> bool: ...
    def set_time(self, time: int, value: bool) -> None: ...
    def remove_interval(self, start: int, end: int) -> bool: ...


def _interval_bounds(
    start: SupportsInt | Sequence[SupportsInt], end: SupportsInt | None
) -> tuple[int, int]:
    """Return ``(start, end)`` as ints from ``(start, end)`` or from ``(interval, None)``.

    Raises
    ------
    ValueError
        If ``end`` is None and ``start`` is not an :class:`Interval` or a pair.
    TypeError
        If ``end`` is given and ``start`` is a sequence.
    """
    if end is None:
        if isinstance(start, Interval) or (isinstance(start, (tuple, list)) and len(start) == 2):
            first, last = start
            return int(first), int(last)
        raise ValueError(f"addEvent expects an Interval or (start, end), got {start!r}")
    if isinstance(start, Sequence):
        raise TypeError(f"interval start must be an int when an end is given, got {start!r}")
    return int(start), int(end)


class IntervalAliases(TimeFrameBindingAliases):
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.DigitalIntervalSeries`."""

    def addEvent(
        self: _IntervalsLike,
        start: SupportsInt | Sequence[SupportsInt],
        end: SupportsInt | None = None,
    ) -> None:
        """Add the interval ``[start, end]``.

        Parameters
        ----------
        start : int or Interval or (int, int)
            The first time index, or the whole interval when ``end`` is omitted.
        end : int, optional
            The last time index (inclusive).

        Raises
        ------
        ValueError
            If ``end`` is omitted and ``start`` is not an interval, or ``end < start``.
        """
        self.add(*_interval_bounds(start, end))

    def addInterval(
        self: _IntervalsLike,
        start: SupportsInt | Sequence[SupportsInt],
        end: SupportsInt | None = None,
    ) -> None:
        """Add the interval ``[start, end]`` (same as :meth:`addEvent`)."""
        self.add(*_interval_bounds(start, end))

    def removeInterval(self: _IntervalsLike, interval: tuple[int, int]) -> bool:
        """Remove the interval exactly ``(start, end)``; return False if there is none."""
        return self.remove_interval(*interval)

    def isEventAtTime(self: _IntervalsLike, time: int) -> bool:
        """Return True if ``time`` lies in some interval (ends inclusive)."""
        return self.contains(time)

    def setEventAtTime(self: _IntervalsLike, time: int, value: bool) -> None:
        """Mark the single time ``time`` inside (True) or outside (False) the intervals."""
        self.set_time(time, value)

    def toList(self: _IntervalsLike) -> list[Interval]:
        """Return the intervals sorted by start (copies: changing one changes nothing)."""
        return [Interval(s, e) for s, e in self.intervals.tolist()]

    def toListWithIds(self: _IntervalsLike) -> list[tuple[Interval, EntityId]]:
        """Return ``(Interval, EntityId)`` pairs sorted by start."""
        return [
            (Interval(s, e), entity)
            for (s, e), entity in zip(self.intervals.tolist(), _entity_ids(self.ids))
        ]

    def size(self: _IntervalsLike) -> int:
        """Return the number of intervals."""
        return len(self)

    def isView(self: _IntervalsLike) -> bool:
        """Return False: a series owns its arrays, it is never a view of another series."""
        return False

    def isLazy(self: _IntervalsLike) -> bool:
        """Return False: a series' intervals are in memory, never computed on access."""
        return False


# ====================================================================== points, lines, masks
class _RaggedLike(Protocol):
    """The snake_case members :class:`RaggedAliases` calls."""

    @property
    def wtb_element(self) -> type[WtbElement]: ...
    @property
    def image_size(self) -> ImageSize | None: ...
    @property
    def n_frames_with_data(self) -> int: ...
    @property
    def n_entries(self) -> int: ...
    def set_image_size(self, size: Any) -> None: ...
    def add(self, t: int, obj: Any) -> np.ndarray: ...
    def at(self, t: int) -> Any: ...
    def count_at(self, t: int) -> int: ...
    def clear_at(self, t: int) -> None: ...
    def find(self, entity_id: int) -> tuple[int, np.ndarray] | None: ...
    def times_with_data(self) -> np.ndarray: ...


def _to_point_array(obj: Any) -> Any:
    """Return ``obj`` with :class:`Point2D` and coordinate arrays turned into numbers."""
    if isinstance(obj, Point2D):
        return [obj.x, obj.y]
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], Point2D):
        return [[p.x, p.y] for p in obj]
    if isinstance(obj, _CoordArray):
        return obj.to_numpy()
    return obj


def _add_at_time(series: _RaggedLike, time: int, obj: Any) -> None:
    """Add ``obj`` at ``time``: points, or one or several lines or masks."""
    if issubclass(series.wtb_element, Point2D):
        series.add(time, _to_point_array(obj))
        return
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], _CoordArray):
        for item in obj:
            series.add(time, item.to_numpy())
        return
    series.add(time, _to_point_array(obj))


class RaggedAliases(TimeFrameBindingAliases):
    """WhiskerToolbox's camelCase methods of points, lines and masks.

    Attributes
    ----------
    wtb_element : type
        The class each entry is returned as: :class:`Point2D`, :class:`Line2D` or
        :class:`Mask2D`. Every inheriting container sets it.
    """

    wtb_element: ClassVar[type[WtbElement]]

    def addAtTime(self: _RaggedLike, time: int, obj: Any, notify: bool = True) -> None:
        """Add entries at frame ``time``.

        Parameters
        ----------
        time : int
            Frame (time index).
        obj : Point2D, Line2D, Mask2D, a list of them, or array_like
            Points: one point or several. Lines and masks: one object (a
            :class:`Line2D` / :class:`Mask2D`, a list of :class:`Point2D` or an
            ``(N, 2)`` array) or a list of :class:`Line2D` / :class:`Mask2D`.
        notify : bool
            Accepted for WhiskerToolbox compatibility; every edit emits ``changed``.
        """
        _add_at_time(self, time, obj)

    def getAtTime(self: _RaggedLike, time: int) -> list[WtbElement]:
        """Return the entries at frame ``time`` as :attr:`wtb_element` objects."""
        element = self.wtb_element
        if issubclass(element, Point2D):
            return [Point2D(x, y) for x, y in self.at(time).tolist()]
        return [element(obj) for obj in self.at(time)]

    def getDataByEntityId(self: _RaggedLike, entity_id: int) -> WtbElement | None:
        """Return the entry with ``entity_id`` as a :attr:`wtb_element`, or None."""
        found = self.find(int(entity_id))
        if found is None:
            return None
        element = self.wtb_element
        if issubclass(element, Point2D):
            return Point2D(*found[1])
        return element(found[1])

    def clearAtTime(self: _RaggedLike, time: int, notify: bool = True) -> bool:
        """Remove every entry at frame ``time``; return True if there was any.

        ``notify`` is accepted for WhiskerToolbox compatibility; clearing emits ``changed``.
        """
        had = self.count_at(time) > 0
        self.clear_at(time)
        return had

    def getTimesWithData(self: _RaggedLike) -> list[TimeFrameIndex]:
        """Return the sorted frames holding at least one entry, as :class:`TimeFrameIndex`."""
        return _time_indices(self.times_with_data())

    def getImageSize(self: _RaggedLike) -> ImageSize | None:
        """Return the ``ImageSize(width, height)`` of the annotated images, or None."""
        return self.image_size

    def setImageSize(self: _RaggedLike, size: Any) -> None:
        """Set the image size: ``(width, height)`` in pixels, or None."""
        self.set_image_size(size)

    def getTimeCount(self: _RaggedLike) -> int:
        """Return the number of frames holding at least one entry."""
        return self.n_frames_with_data

    def getTotalEntryCount(self: _RaggedLike) -> int:
        """Return the total number of entries over all frames."""
        return self.n_entries


class PointAliases(RaggedAliases):
    """:class:`RaggedAliases` plus the points-only ``addPointsAtTime``."""

    def addPointsAtTime(self: _RaggedLike, time: int, obj: Any, notify: bool = True) -> None:
        """Add one point or several points at frame ``time`` (same as :meth:`addAtTime`)."""
        _add_at_time(self, time, obj)


# ====================================================================== entity groups
class _EntityGroupsLike(Protocol):
    """The snake_case members :class:`EntityGroupsAliases` calls."""

    def __contains__(self, name: object) -> bool: ...
    def __len__(self) -> int: ...
    def create(self, name: str, ids: Iterable[int] = ..., description: str = ...) -> None: ...
    def delete(self, name: str) -> bool: ...
    def description(self, name: str) -> str: ...
    def names(self) -> list[str]: ...
    def add(self, name: str, ids: int | Iterable[int]) -> None: ...
    def remove(self, name: str, ids: int | Iterable[int]) -> None: ...
    def members(self, name: str) -> np.ndarray: ...
    def groups_of(self, entity_id: int) -> list[str]: ...
    def count(self, name: str) -> int: ...


class EntityGroupsAliases:
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.EntityGroups`.

    WhiskerToolbox addresses a group by the id ``createGroup`` returns; here that id is
    the group's name.
    """

    def createGroup(self: _EntityGroupsLike, name: str, description: str = "") -> str:
        """Create group ``name`` with ``description`` and return its id (the name).

        Raises
        ------
        ValueError
            If the name is empty or the group exists.
        """
        self.create(name, description=description)
        return name

    def deleteGroup(self: _EntityGroupsLike, name: str) -> bool:
        """Delete group ``name``; return False if it did not exist."""
        return self.delete(name)

    def hasGroup(self: _EntityGroupsLike, name: object) -> bool:
        """Return True if group ``name`` exists."""
        return name in self

    def addEntityToGroup(self: _EntityGroupsLike, name: str, ids: int | Iterable[int]) -> None:
        """Add one entity id or several to group ``name``."""
        self.add(name, ids)

    def removeEntityFromGroup(self: _EntityGroupsLike, name: str, ids: int | Iterable[int]) -> None:
        """Remove one entity id or several from group ``name`` (missing ids are ignored)."""
        self.remove(name, ids)

    def clearGroup(self: _EntityGroupsLike, name: str) -> None:
        """Remove every entity id from group ``name`` (the group stays)."""
        self.remove(name, self.members(name))

    def getEntitiesInGroup(self: _EntityGroupsLike, name: str) -> list[int]:
        """Return the sorted entity ids of group ``name``."""
        ids: list[int] = self.members(name).tolist()
        return ids

    def isEntityInGroup(self: _EntityGroupsLike, name: str, entity_id: int) -> bool:
        """Return True if ``entity_id`` belongs to group ``name``."""
        return name in self.groups_of(entity_id)

    def getGroupsContainingEntity(self: _EntityGroupsLike, entity_id: int) -> list[str]:
        """Return the sorted names of the groups containing ``entity_id``."""
        return self.groups_of(entity_id)

    def getGroupSize(self: _EntityGroupsLike, name: str) -> int:
        """Return the number of entity ids in group ``name``."""
        return self.count(name)

    def getGroupCount(self: _EntityGroupsLike) -> int:
        """Return the number of groups."""
        return len(self)

    def getGroupDescriptor(self: _EntityGroupsLike, name: str) -> GroupDescriptor | None:
        """Return the :class:`GroupDescriptor` of group ``name``, or None if there is none."""
        if name not in self:
            return None
        return GroupDescriptor(name, name, self.description(name), self.count(name))

    def getAllGroupDescriptors(self: _EntityGroupsLike) -> list[GroupDescriptor]:
        """Return the :class:`GroupDescriptor` of every group, in creation order."""
        return [
            GroupDescriptor(name, name, self.description(name), self.count(name))
            for name in self.names()
        ]


# ====================================================================== tensors
class _TensorLike(Protocol):
    """The snake_case members :class:`TensorAliases` calls."""

    @property
    def values(self) -> np.ndarray: ...
    @property
    def column_names(self) -> list[str] | None: ...
    @property
    def row_type(self) -> str: ...
    @property
    def rows(self) -> np.ndarray | None: ...
    def set_column_names(self, names: Sequence[str] | None) -> None: ...
    def row_of_time(self, time: int, match: Any = ...) -> int | None: ...


_ROW_TYPE_NAMES = {"ordinal": "Ordinal", "time": "TimeFrameIndex", "interval": "Interval"}


class TensorAliases(TimeFrameBindingAliases):
    """WhiskerToolbox's camelCase methods of :class:`~napari_whiskertoolbox.core.TensorData`.

    ``ndim()`` and ``shape()`` work too: the class's ``ndim`` and ``shape`` properties
    return a :class:`CallableInt` and a :class:`CallableShape`.
    """

    @classmethod
    def createOrdinal2D(
        cls: Callable[..., _T],
        data: ArrayLike,
        rows: SupportsIndex,
        cols: SupportsIndex,
        column_names: Sequence[str] = (),
    ) -> _T:
        """Build a ``rows`` x ``cols`` tensor from flat row-major ``data`` (ordinal rows).

        Raises
        ------
        ValueError
            If ``data`` does not hold ``rows * cols`` values, or the column names do not
            match ``cols``.
        """
        flat = np.asarray(data, dtype=np.float32).ravel()
        n_rows, n_cols = operator.index(rows), operator.index(cols)
        if flat.size != n_rows * n_cols:
            raise ValueError(
                f"createOrdinal2D: {flat.size} values cannot fill {n_rows} rows x {n_cols} "
                f"columns (expected {n_rows * n_cols})"
            )
        return cls(flat.reshape(n_rows, n_cols), list(column_names) or None)

    @classmethod
    def fromNumpy2D(
        cls: Callable[..., _T], array: ArrayLike, column_names: Sequence[str] = ()
    ) -> _T:
        """Build a tensor from a 2-D array (copied; ordinal rows).

        Raises
        ------
        ValueError
            If ``array`` is not 2-D.
        """
        arr = np.asarray(array, dtype=np.float32)
        if arr.ndim != 2:
            raise ValueError(f"fromNumpy2D expects a 2-D array, got {arr.ndim}-D")
        return cls(arr, list(column_names) or None)

    def numRows(self: _TensorLike) -> int:
        """Return the number of rows (``shape[0]``)."""
        return int(self.values.shape[0])

    def numColumns(self: _TensorLike) -> int:
        """Return the number of columns (``shape[1]``; 1 for a 1-D tensor)."""
        shape = self.values.shape
        return int(shape[1]) if len(shape) >= 2 else 1

    def isEmpty(self: _TensorLike) -> bool:
        """Return True when the tensor holds no values."""
        return self.values.size == 0

    def isContiguous(self: _TensorLike) -> bool:
        """Return True: values are one C-contiguous float32 buffer."""
        return bool(self.values.flags.c_contiguous)

    def toList(self: _TensorLike) -> list[float]:
        """Return every value as a flat list in row-major order (a copy)."""
        values: list[float] = self.values.ravel().tolist()
        return values

    def flatValues(self: _TensorLike) -> np.ndarray:
        """Return the read-only 1-D float32 view of all values (row-major, zero-copy)."""
        return self.values.reshape(-1)

    def hasNamedColumns(self: _TensorLike) -> bool:
        """Return True when the columns have names."""
        return bool(self.column_names)

    def columnNames(self: _TensorLike) -> list[str]:
        """Return the column names (empty when the columns have none)."""
        return list(self.column_names or [])

    def getColumn(self: _TensorLike, column: SupportsIndex | str) -> list[float]:
        """Return one column, by index or by name, as a list of floats (a copy).

        Raises
        ------
        KeyError
            If there is no column of that name.
        IndexError
            If the index is out of range.
        """
        if isinstance(column, str):
            names = self.column_names or []
            if column not in names:
                raise KeyError(f"no column {column!r}; columns: {names}")
            index = names.index(column)
        else:
            index = operator.index(column)
        values = self.values if self.values.ndim >= 2 else self.values[:, np.newaxis]
        n_columns = values.shape[1]
        if not -n_columns <= index < n_columns:
            raise IndexError(f"column {index} is out of range for {n_columns} columns")
        out: list[float] = values[:, index].tolist()
        return out

    def row(self: _TensorLike, index: SupportsIndex) -> list[float]:
        """Return one row as a flat list of floats (a copy)."""
        out: list[float] = self.values[operator.index(index)].ravel().tolist()
        return out

    def rowType(self: _TensorLike) -> str:
        """Return ``"Ordinal"``, ``"TimeFrameIndex"`` or ``"Interval"``."""
        return _ROW_TYPE_NAMES[self.row_type]

    def setColumnNames(self: _TensorLike, names: Sequence[str]) -> None:
        """Name the columns (``[]``: no names; :meth:`TensorData.set_column_names`)."""
        self.set_column_names(names)

    def rowTimeIndices(self: _TensorLike) -> list[TimeFrameIndex]:
        """Return the :class:`TimeFrameIndex` of every row.

        Raises
        ------
        RuntimeError
            If the rows are not time-labelled (as WhiskerToolbox).
        """
        from napari_whiskertoolbox.core.timeframe import TimeFrameIndex

        if self.row_type != "time" or self.rows is None:
            raise RuntimeError("rowTimeIndices() requires RowType::TimeFrameIndex rows")
        return [TimeFrameIndex(t) for t in self.rows.tolist()]

    def findRowForTime(self: _TensorLike, time_index: SupportsIndex) -> int | None:
        """Return the row labelled ``time_index``, or None (:meth:`TensorData.row_of_time`).

        Raises
        ------
        RuntimeError
            If the rows are not time-labelled (as WhiskerToolbox).
        """
        return _row_of_time(self, "findRowForTime", time_index, "exact")

    def findRowGreaterOrEqual(self: _TensorLike, time_index: SupportsIndex) -> int | None:
        """Return the row with the smallest time label ``>= time_index``, or None."""
        return _row_of_time(self, "findRowGreaterOrEqual", time_index, "at_or_after")

    def findRowLessOrEqual(self: _TensorLike, time_index: SupportsIndex) -> int | None:
        """Return the row with the largest time label ``<= time_index``, or None."""
        return _row_of_time(self, "findRowLessOrEqual", time_index, "at_or_before")


def _row_of_time(
    tensor: _TensorLike, method: str, time_index: SupportsIndex, match: str
) -> int | None:
    """Call :meth:`TensorData.row_of_time`, raising RuntimeError as WhiskerToolbox does."""
    if tensor.row_type != "time":
        raise RuntimeError(f"{method}() requires RowType::TimeFrameIndex rows")
    return tensor.row_of_time(operator.index(time_index), match)


# ====================================================================== script engine
class _RunResultLike(Protocol):
    """What the engine's runs return."""

    @property
    def success(self) -> bool: ...


class _EngineLike(Protocol):
    """The snake_case members :class:`ScriptEngineAliases` calls."""

    namespace: dict[str, Any]

    @property
    def working_directory(self) -> Path: ...
    @property
    def active_venv_path(self) -> Path | None: ...
    @property
    def is_venv_active(self) -> bool: ...
    def run(self, code: str) -> Any: ...
    def run_file(self, path: str | os.PathLike[str]) -> Any: ...
    def reset(self) -> Any: ...
    def set_working_directory(self, path: str | os.PathLike[str] | None) -> None: ...
    def set_sys_argv(self, text: str) -> None: ...
    def execute_prelude(self, code: str | None = ...) -> Any: ...
    def expose_data(self, key: str, name: str) -> bool: ...
    def expose_time_frame(self, clock: str, name: str) -> bool: ...
    def import_new_data(self, names: Sequence[str] | None = ..., clock: str = ...) -> list[str]: ...
    def user_variable_names(self) -> list[str]: ...
    def discover_venvs(self, extra_paths: Iterable[str | os.PathLike[str]] = ...) -> list[Path]: ...
    def validate_venv(self, path: str | os.PathLike[str] | None) -> list[str]: ...
    def activate_venv(self, path: str | os.PathLike[str]) -> None: ...
    def deactivate_venv(self) -> None: ...
    def list_installed_packages(self) -> list[tuple[str, str]]: ...
    def install_package(self, name: str) -> Any: ...
    def python_version_tuple(self) -> tuple[int, int]: ...
    def python_version(self) -> str: ...
    def configure_python_environment(
        self, block: Mapping[str, Any], base_dir: str | os.PathLike[str] | None = ...
    ) -> tuple[bool, str]: ...


class ScriptEngineAliases:
    """WhiskerToolbox's camelCase methods of the script engine (``PythonEngine`` / ``PythonBridge``).

    Where WhiskerToolbox returns an error string (empty on success) the alias does too;
    the snake_case methods raise instead.
    """

    def execute(self: _EngineLike, code: str) -> Any:
        """Run ``code`` in the namespace (:meth:`ScriptEngine.run`)."""
        return self.run(code)

    def executeFile(self: _EngineLike, path: str | os.PathLike[str]) -> Any:
        """Run the script at ``path`` (:meth:`ScriptEngine.run_file`)."""
        return self.run_file(path)

    def resetNamespace(self: _EngineLike) -> None:
        """Give scripts a fresh namespace (the prelude runs again when enabled)."""
        self.reset()

    def inject(self: _EngineLike, name: str, value: object) -> None:
        """Put ``value`` into the namespace as ``name``."""
        self.namespace[name] = value

    def exposeData(self: _EngineLike, key: str, python_name: str) -> bool:
        """Put ``dm``'s object ``key`` into the namespace; False if there is no such key."""
        return self.expose_data(key, python_name)

    def exposeTimeFrame(self: _EngineLike, time_key: str, python_name: str) -> bool:
        """Put clock ``time_key`` into the namespace; False if there is no such clock."""
        return self.expose_time_frame(time_key, python_name)

    def importNewData(self: _EngineLike, default_time_key: str = DEFAULT_CLOCK) -> list[str]:
        """Store data objects left in the namespace into ``dm``; return their names."""
        return self.import_new_data(clock=default_time_key)

    def getUserVariableNames(self: _EngineLike) -> list[str]:
        """Return the sorted names of the user's variables (no modules, no dunders)."""
        return self.user_variable_names()

    def setWorkingDirectory(self: _EngineLike, path: str | os.PathLike[str] | None) -> None:
        """Run later scripts in ``path`` (an empty or missing path changes nothing)."""
        self.set_working_directory(path)

    def getWorkingDirectory(self: _EngineLike) -> Path:
        """Return the folder scripts run in."""
        return self.working_directory

    def setSysArgv(self: _EngineLike, args: str) -> None:
        """Set ``sys.argv`` for later runs from a shell-like line (``""`` → ``[]``)."""
        self.set_sys_argv(args)

    def executePrelude(self: _EngineLike, prelude: str | None = None) -> Any:
        """Run ``prelude`` (the engine's prelude by default) in the namespace."""
        return self.execute_prelude(prelude)

    def pythonVersion(self: _EngineLike) -> str:
        """Return ``sys.version`` of the interpreter scripts run in."""
        return self.python_version()

    def pythonVersionTuple(self: _EngineLike) -> tuple[int, int]:
        """Return the interpreter's ``(major, minor)``."""
        return self.python_version_tuple()

    def discoverVenvs(
        self: _EngineLike, extra_paths: Iterable[str | os.PathLike[str]] = ()
    ) -> list[Path]:
        """Return the virtual environments found in the usual places and ``extra_paths``."""
        return self.discover_venvs(extra_paths)

    def validateVenv(self: _EngineLike, venv_path: str | os.PathLike[str] | None) -> str:
        """Return what is wrong with ``venv_path`` as one message, or ``""`` when usable."""
        return " ".join(self.validate_venv(venv_path))

    def activateVenv(self: _EngineLike, venv_path: str | os.PathLike[str]) -> str:
        """Activate ``venv_path``; return ``""`` on success, else the error message."""
        try:
            self.activate_venv(venv_path)
        except (ValueError, OSError) as exc:
            return str(exc)
        return ""

    def deactivateVenv(self: _EngineLike) -> None:
        """Undo the active environment's changes to ``sys.path``, prefixes and ``os.environ``."""
        self.deactivate_venv()

    def isVenvActive(self: _EngineLike) -> bool:
        """Return True while an environment is active."""
        return self.is_venv_active

    def activeVenvPath(self: _EngineLike) -> str:
        """Return the active environment's folder, or ``""``."""
        path = self.active_venv_path
        return "" if path is None else str(path)

    def listInstalledPackages(self: _EngineLike) -> list[tuple[str, str]]:
        """Return ``(name, version)`` of every installed distribution, sorted by name."""
        return self.list_installed_packages()

    def installPackage(self: _EngineLike, package: str) -> Any:
        """Run the active environment's ``pip install package``; return the run's result."""
        return self.install_package(package)

    def configurePythonEnvironment(
        self: _EngineLike, config: Mapping[str, Any]
    ) -> tuple[bool, str]:
        """Apply a config's ``python`` block; return ``(ok, message)``."""
        return self.configure_python_environment(config)


if TYPE_CHECKING:
    # Every core class must have the snake_case members its mixin's aliases call. Alias
    # calls are checked where they are made; these lines check each class once, here.
    _data_manager: type[_DataManagerLike] = DataManager
    _time_frame: type[_TimeFrameLike] = TimeFrame
    _time_frame_index: type[SupportsInt] = TimeFrameIndex
    _analog: type[_AnalogLike] = AnalogTimeSeries
    _events: type[_EventsLike] = DigitalEventSeries
    _intervals: type[_IntervalsLike] = DigitalIntervalSeries
    _points: type[_RaggedLike] = PointData
    _lines: type[_RaggedLike] = LineData
    _masks: type[_RaggedLike] = MaskData
    _entity_groups: type[_EntityGroupsLike] = EntityGroups
    _tensor: type[_TensorLike] = TensorData
    _clocked: tuple[type[_ClockedLike], ...] = (
        AnalogTimeSeries,
        DigitalEventSeries,
        DigitalIntervalSeries,
        PointData,
        LineData,
        MaskData,
        TensorData,
        MediaData,
    )
