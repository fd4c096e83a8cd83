"""Keys holding relative ticks: events stored on a ``relative:<key>`` clock of their own.

WhiskerToolbox's ``NormalizeDigitalEventSeriesRelative`` returns events holding *relative
ticks* (ticks minus an alignment time) and no clock (``wt_transforms.md`` §3.5). A
DataManager binds every key to a clock, so such a result is stored as indices on a clock of
its own named ``relative:<key>``, whose ticks are the relative ticks (made by
``transforms/relative.py``). What the key holds, as WhiskerToolbox holds it, is then the
clock's ticks at the stored indices: :func:`relative_ticks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.events import DigitalEventSeries

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = ["RELATIVE_CLOCK_PREFIX", "is_relative_clock", "relative_clock_name", "relative_ticks"]

RELATIVE_CLOCK_PREFIX = "relative:"


def is_relative_clock(name: str) -> bool:
    """Return True when clock ``name`` holds relative ticks (``relative:<key>``)."""
    return name.startswith(RELATIVE_CLOCK_PREFIX)


def relative_clock_name(output_key: str) -> str:
    """Return the name of the clock of the relative series stored under ``output_key``."""
    return f"{RELATIVE_CLOCK_PREFIX}{output_key}"


def relative_ticks(data: Any, clock: TimeFrame) -> DigitalEventSeries:
    """Return events stored on a clock with the clock's ticks as times (none: none)."""
    times = np.asarray(data.times, np.int64)
    ticks = clock.times_at_indices(times) if times.size else times  # an empty clock has none
    return DigitalEventSeries(ticks, np.asarray(data.ids))
