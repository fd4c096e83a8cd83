"""WhiskerToolbox-compatible names: ``from whiskertoolbox_python import *``.

Scripts written for WhiskerToolbox's Python console import their types from here; the
objects are napari-whiskertoolbox's own (camelCase methods are thin aliases).
"""

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DataType,
    DigitalEventSeries,
    DigitalIntervalSeries,
    EntityGroups,
    ImageSize,
    Interval,
    Line2D,
    LineData,
    Mask2D,
    MaskData,
    Point2D,
    Point2DU32,
    PointData,
    TensorData,
    TimeFrame,
    TimeFrameIndex,
)

__all__ = [
    "AnalogTimeSeries",
    "DataManager",
    "DataType",
    "DigitalEventSeries",
    "DigitalIntervalSeries",
    "EntityGroups",
    "ImageSize",
    "Interval",
    "Line2D",
    "LineData",
    "Mask2D",
    "MaskData",
    "Point2D",
    "Point2DU32",
    "PointData",
    "TensorData",
    "TimeFrame",
    "TimeFrameIndex",
]
