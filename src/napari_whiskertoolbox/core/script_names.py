"""The names a script sees: what ``from whiskertoolbox_python import *`` gives.

The script engine's namespace, napari's console and the ``whiskertoolbox_python`` module
all take their names from :func:`script_types`.
"""

from __future__ import annotations

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.entity import EntityGroups
from napari_whiskertoolbox.core.kinds import DATA_CLASSES
from napari_whiskertoolbox.core.ragged import ImageSize
from napari_whiskertoolbox.core.timeframe import TimeFrame, TimeFrameIndex
from napari_whiskertoolbox.core.wtb_aliases import (
    ClockTicks,
    DataType,
    EntityId,
    GroupDescriptor,
    Interval,
    Line2D,
    Mask2D,
    Point2D,
    Point2DU32,
)

__all__ = ["script_types"]

_NAMED_TYPES: tuple[type, ...] = (
    DataManager,
    TimeFrame,
    TimeFrameIndex,
    EntityGroups,
    ImageSize,
    ClockTicks,
    DataType,
    EntityId,
    GroupDescriptor,
    Interval,
    Line2D,
    Mask2D,
    Point2D,
    Point2DU32,
)
"""Classes a script uses by name besides the stored data classes."""


def script_types() -> dict[str, type]:
    """Return the classes scripts use by name, sorted by name.

    Every stored data class (from :data:`~napari_whiskertoolbox.core.kinds.KIND_TABLE`),
    :class:`DataManager`, :class:`TimeFrame`, :class:`TimeFrameIndex`,
    :class:`EntityGroups`, :class:`ImageSize` and WhiskerToolbox's value classes
    (``Point2D``, ``Point2DU32``, ``Line2D``, ``Mask2D``, ``Interval``, ``EntityId``,
    ``ClockTicks``, ``GroupDescriptor``, ``DataType``).
    """
    names: dict[str, type] = {cls.__name__: cls for cls in DATA_CLASSES}
    for cls in _NAMED_TYPES:
        names[cls.__name__] = cls
    return dict(sorted(names.items()))
