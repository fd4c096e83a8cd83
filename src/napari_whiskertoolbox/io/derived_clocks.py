"""Clocks computed from data already loaded by the same config.

These are WhiskerToolbox's ``"format": "max_value"`` and ``"format": "derived"`` time items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem

__all__ = ["DERIVED_CLOCK_FORMATS", "derive_clock"]

DERIVED_CLOCK_FORMATS = ("max_value", "derived")


def _source(item: ConfigItem, option: str, data: dict[str, Any]) -> Any:
    key = item.options.get(option)
    if not isinstance(key, str):
        raise FormatError(f"expected option {option!r} naming a data key", item=item.label)
    if key not in data:
        raise FormatError(
            f"{option} {key!r} is not loaded before this item; loaded keys: {sorted(data)}",
            item=item.label,
        )
    return data[key]


def _times_of(obj: Any, item: ConfigItem, source_type: str = "event") -> np.ndarray:
    if hasattr(obj, "intervals"):
        pairs = np.asarray(obj.intervals)
        return pairs[:, 0] if source_type == "interval" else pairs.ravel()
    if hasattr(obj, "times_with_data"):
        return np.asarray(obj.times_with_data())
    if hasattr(obj, "times"):
        return np.asarray(obj.times)
    raise FormatError(f"cannot take times from a {type(obj).__name__}", item=item.label)


def derive_clock(item: ConfigItem, data: dict[str, Any], clocks: dict[str, TimeFrame]) -> TimeFrame:
    """Build the clock of a ``max_value`` or ``derived`` time item.

    * ``max_value``: ``source_data`` names a loaded series; the clock is ``0 .. max time``.
    * ``derived``: the ticks of clock ``source_timeframe`` at the event times (or interval
      starts, ``source_type: "interval"``) of ``source_series``.
    """
    rate = item.options.get("sampling_rate")
    if item.format == "max_value":
        times = _times_of(_source(item, "source_data", data), item)
        if times.size == 0:
            raise FormatError(
                "source_data has no samples; the clock never gets values", item=item.label
            )
        return TimeFrame.from_count(int(times.max()) + 1, sampling_rate=rate)
    source_clock = item.options.get("source_timeframe")
    if source_clock not in clocks:
        raise FormatError(
            f"source_timeframe {source_clock!r} is not loaded before this item; "
            f"loaded clocks: {sorted(clocks)}",
            item=item.label,
        )
    source_type = item.options.get("source_type", "event")
    if source_type not in ("event", "interval"):
        raise FormatError(
            f"expected source_type 'event' or 'interval', got {source_type!r}", item=item.label
        )
    indices = _times_of(_source(item, "source_series", data), item, source_type)
    if indices.size == 0:
        raise FormatError("source_series is empty; the clock never gets values", item=item.label)
    ticks = clocks[source_clock].times_at_indices(np.asarray(indices, dtype=np.int64))
    return TimeFrame(
        ticks, sampling_rate=rate if rate is not None else clocks[source_clock].sampling_rate
    )
