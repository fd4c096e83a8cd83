"""napari-whiskertoolbox: WhiskerToolbox's data model and Python workflow in napari.

Importing this package loads no Qt binding and no napari; :func:`get_data_manager`
imports the napari layer lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
    TensorData,
    TimeFrame,
)

if TYPE_CHECKING:
    from .core import DataManager as _DataManager

__version__ = "0.1.0"

__all__ = [
    "AnalogTimeSeries",
    "DataManager",
    "DigitalEventSeries",
    "DigitalIntervalSeries",
    "LineData",
    "MaskData",
    "PointData",
    "TensorData",
    "TimeFrame",
    "get_data_manager",
]


def get_data_manager(viewer: Any) -> _DataManager:
    """Return the DataManager of ``viewer``'s session (created on first use)."""
    from .layers.session import get_data_manager as _get

    return _get(viewer)
