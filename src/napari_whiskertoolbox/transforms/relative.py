"""Relative ticks in the DataManager (reference §3.5 NormalizeDigitalEventSeriesRelative).

WhiskerToolbox's ``NormalizeDigitalEventSeriesRelative`` returns events holding *relative
ticks* (ticks minus an alignment time) and no clock; ``ShiftDigitalEventSeries`` keeps a
relative series relative. Transforms see such a series as a :class:`Bound` without a clock
(its times are the relative ticks). Our DataManager binds every key to a clock, so a relative
result is stored on a clock of its own, ``relative:<key>``: a regular clock of consecutive
ticks starting at ``min(0, first tick)``, so index ``i`` is relative tick ``start + i``
(series without negative ticks keep their ticks as indices). Time conversions, the timeline
and session files then place and keep the events at their relative ticks; reading the key
back for a transform gives the relative ticks again. The clock's name and reading the ticks
back are in :mod:`napari_whiskertoolbox.core.relative_clock` (saving a key to a file needs
them too).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.relative_clock import (
    RELATIVE_CLOCK_PREFIX,
    is_relative_clock,
    relative_clock_name,
    relative_ticks,
)
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.transforms.lift import Bound
    from napari_whiskertoolbox.transforms.registry import TransformSpec

__all__ = [
    "RELATIVE_CLOCK_PREFIX",
    "as_ticks",
    "is_relative_clock",
    "refuse_relative",
    "relative_clock_name",
    "relative_ticks",
    "stored_relative",
]


def stored_relative(
    result: Any, sampling_rate: float | None, owner: str
) -> tuple[DigitalEventSeries, TimeFrame]:
    """Return ``result`` (events holding relative ticks) as indices on a clock of its own.

    Raises
    ------
    TransformError
        ``result`` is not a DigitalEventSeries.
    """
    if not isinstance(result, DigitalEventSeries):
        raise TransformError(
            f"a relative result must be a DigitalEventSeries, got {type(result).__name__}",
            transform=owner,
        )
    ticks = np.asarray(result.times, np.int64)
    start = min(0, int(ticks[0])) if ticks.size else 0
    n = int(ticks[-1]) - start + 1 if ticks.size else 0
    clock = TimeFrame.regular(n, 1.0, float(start), sampling_rate)
    return DigitalEventSeries(ticks - start, np.asarray(result.ids)), clock


def as_ticks(bound: Bound, owner: str) -> Bound:
    """Return ``bound`` with its events' frame indices replaced by their clock's ticks.

    For an element transform whose result is relative ticks
    (``NormalizeClockTicksValueV2``): it then subtracts from ticks, as
    ``NormalizeDigitalEventSeriesRelative`` does. Anything but events on a clock is
    returned as it is.

    Raises
    ------
    TransformError
        An event lies outside its clock.
    """
    clock, data = bound.clock, bound.data
    if clock is None or bound.relative or not isinstance(data, DigitalEventSeries):
        return bound
    t = np.asarray(data.times, np.int64)
    bad = (t < 0) | (t >= len(clock))
    if bad.any():
        raise TransformError(
            f"event frame {int(t[bad][0])} lies outside its clock ({len(clock)} frames)",
            transform=owner,
            key=bound.key,
        )
    return replace(bound, data=relative_ticks(data, clock), clock=None)


def refuse_relative(spec: TransformSpec, key: str, dm: DataManager) -> None:
    """Raise unless ``spec`` understands relative ticks.

    Raises
    ------
    TransformError
        ``key`` holds relative ticks and ``spec`` would read them as frame indices.
    """
    from napari_whiskertoolbox.transforms.registry import REGISTRY

    if spec.accepts_relative:
        return
    takers = [s.name for s in REGISTRY.specs() if s.accepts_relative]
    raise TransformError(
        f"input '{key}' holds relative ticks (clock '{dm.time_key(key)}', made by "
        f"NormalizeDigitalEventSeriesRelative), not frame indices; transforms that take "
        f"relative ticks: {', '.join(takers)}",
        transform=spec.name,
        key=key,
    )
