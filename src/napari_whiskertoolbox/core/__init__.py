"""Qt-free data model: clocks, entity ids, data types, undo history and the DataManager."""

from __future__ import annotations

from .analog import AnalogTimeSeries
from .data_manager import DATA_TYPES, DataManager, data_type_of
from .entity import EntityGroups, allocate_id, allocate_ids, reserve_ids
from .events import DigitalEventSeries
from .history import Change, Command, CommandGroup, CommandHistory, FunctionCommand
from .intervals import DigitalIntervalSeries
from .lines import LineData
from .masks import MaskData
from .media import ArrayMedia, MediaData
from .points import PointData
from .ragged import FlatRagged, ImageSize, RaggedSeries
from .tensor import TensorData
from .timeframe import TimeFrame, TimeFrameIndex
from .wtb_aliases import DataType, Interval, Line2D, Mask2D, Point2D, Point2DU32

__all__ = [
    "DATA_TYPES",
    "AnalogTimeSeries",
    "ArrayMedia",
    "Change",
    "Command",
    "CommandGroup",
    "CommandHistory",
    "DataManager",
    "DataType",
    "DigitalEventSeries",
    "DigitalIntervalSeries",
    "EntityGroups",
    "FlatRagged",
    "FunctionCommand",
    "ImageSize",
    "Interval",
    "Line2D",
    "LineData",
    "Mask2D",
    "MaskData",
    "MediaData",
    "Point2D",
    "Point2DU32",
    "PointData",
    "RaggedSeries",
    "TensorData",
    "TimeFrame",
    "TimeFrameIndex",
    "allocate_id",
    "allocate_ids",
    "data_type_of",
    "reserve_ids",
]
