"""Qt-free data model: clocks, entity ids, data types, undo history and the DataManager."""

from __future__ import annotations

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK
from napari_whiskertoolbox.core.entity import EntityGroups, allocate_id, allocate_ids, reserve_ids
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.history import (
    Change,
    Command,
    CommandGroup,
    CommandHistory,
    FunctionCommand,
)
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import (
    DATA_CLASSES,
    DATA_KINDS,
    KIND_TABLE,
    MEDIA_KINDS,
    RAGGED_KINDS,
    SERIES_KINDS,
    DataKind,
    DataObject,
    DataType,
    data_type_of,
)
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.media import ArrayMedia, MediaData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.ragged import FlatRagged, ImageSize, RaggedSeries
from napari_whiskertoolbox.core.script_names import script_types
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.core.timeframe import TimeFrame, TimeFrameIndex
from napari_whiskertoolbox.core.wtb_aliases import (
    ClockTicks,
    EntityId,
    GroupDescriptor,
    Interval,
    Line2D,
    Mask2D,
    Point2D,
    Point2DU32,
)

__all__ = [
    "DATA_CLASSES",
    "DATA_KINDS",
    "DEFAULT_CLOCK",
    "KIND_TABLE",
    "MEDIA_KINDS",
    "RAGGED_KINDS",
    "SERIES_KINDS",
    "AnalogTimeSeries",
    "ArrayMedia",
    "Change",
    "ClockTicks",
    "Command",
    "CommandGroup",
    "CommandHistory",
    "DataKind",
    "DataManager",
    "DataObject",
    "DataType",
    "DigitalEventSeries",
    "DigitalIntervalSeries",
    "EntityGroups",
    "EntityId",
    "FlatRagged",
    "FunctionCommand",
    "GroupDescriptor",
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
    "script_types",
]
