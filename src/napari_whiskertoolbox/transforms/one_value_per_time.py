"""Refusing a ragged float series where a transform needs one value per time.

A float measurement of a ragged container (a line angle of every line, a mask area of every
mask) is WhiskerToolbox's ``RaggedAnalogTimeSeries``; here it is an
:class:`~napari_whiskertoolbox.core.AnalogTimeSeries` whose times repeat (reference §1.2).
Transforms that walk the samples in order (differences, filters, Hilbert, interval
thresholds, upsampling) would treat the objects of one frame as consecutive samples of one
signal; WhiskerToolbox does not give them a ragged series at all. They declare
``one_value_per_time`` and are refused such an input, with what to do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.values import group_starts

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.lift import Bound

__all__ = ["most_values_at_one_time", "refuse_several_values_per_time"]


def most_values_at_one_time(series: AnalogTimeSeries) -> tuple[int, int | None]:
    """Return the largest number of samples sharing one time, and the first such time.

    Parameters
    ----------
    series : AnalogTimeSeries
        The series (a dense one never repeats a time).

    Returns
    -------
    count : int
        Largest number of samples at one time (0 for an empty series, 1 when no time repeats).
    time : int or None
        The first time holding ``count`` samples (None when empty).
    """
    if len(series) == 0:
        return 0, None
    if series.is_dense:
        return 1, 0
    times = series.times
    starts = group_starts(times)
    counts = np.diff(np.r_[starts, times.size])
    best = int(np.argmax(counts))
    return int(counts[best]), int(times[starts[best]])


def refuse_several_values_per_time(bound: Bound, transform: str, slot: int = 0) -> None:
    """Raise if the analog input ``bound`` holds several values at one time.

    Parameters
    ----------
    bound : Bound
        The input (its key names it in the message).
    transform : str
        The transform refusing it.
    slot : int
        Input position, for the message.

    Raises
    ------
    TransformError
        The series repeats a time: the message names the key, how many values one time
        holds and at which time, why the transform cannot take it and what to do.
    """
    data = bound.data
    if not isinstance(data, AnalogTimeSeries):
        return
    count, time = most_values_at_one_time(data)
    if count < 2:
        return
    raise TransformError(
        f"input {slot + 1} ({bound.label}) holds up to {count} values at one time "
        f"(time index {time} has {count}): a ragged result, such as a line, mask or point "
        "measurement on several objects a frame. This transform walks the samples in time "
        "order, so it would treat the objects of one frame as consecutive samples of one "
        "signal. Reduce each frame to one value first (SumReduction, or "
        "PointCoordinateReduction for points), or measure a key holding one object per "
        "frame",
        transform=transform,
        key=bound.key,
        value=count,
    )
