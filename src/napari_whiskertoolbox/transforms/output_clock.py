"""The one rule for storing a result on an output clock the user chose (``output_time_key``).

A transform's result counts frames of the clock it would get by itself (its input's, or the
transform's own: :attr:`PlannedRun.natural_time_key
<napari_whiskertoolbox.transforms.api.PlannedRun>`). Storing it on another clock must not
just relabel those numbers: frame 126 of a 10-ticks-per-frame clock is not frame 126 of the
camera clock.

* Events, intervals, points, lines and masks are moved: every frame index is converted
  through the two clocks' times (both count master-clock ticks; the nearest frame of the
  target, as :meth:`TimeFrame.convert_index
  <napari_whiskertoolbox.core.timeframe.TimeFrame.convert_index>`).
* An analog signal or a tensor has one sample (row) per entry of its clock: as in
  WhiskerToolbox's V2 executor (reference §6.4) it is refused unless its sample count equals
  the target clock's length — "output has N samples but target TimeFrame '<k>' has M entries".
* A relative clock (``relative:<key>``, ticks since each trial's start) shares no time base
  with the others: nothing is converted to or from it.

Converting to a coarser clock can put several frames on one: events on one frame merge (an
event key holds one event per frame), disjoint intervals that come to overlap or touch merge,
and the points, lines or masks of several frames share one. :func:`merge_note` says how many,
for the run's message (the dock's status line, the log of a Python run).

The Transforms dock asks :func:`output_clock_problem` before Run (with the sample count
:func:`expected_samples` predicts); :func:`on_output_clock` applies the rule to a computed
result when it is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import RAGGED_KINDS, data_type_of, kind_info
from napari_whiskertoolbox.core.relative_clock import is_relative_clock
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.transforms.registry import TransformSpec

__all__ = [
    "SAMPLED_KINDS",
    "expected_samples",
    "merge_note",
    "natural_clock_of",
    "on_output_clock",
    "output_clock_problem",
    "planned_clock_problem",
    "sample_count_message",
]

SAMPLED_KINDS = ("analog", "tensor")
"""Kinds with one sample (row) per entry of their clock: refused, never converted."""


def sample_count_message(n_samples: int, target: str, n_entries: int) -> str:
    """Return WhiskerToolbox's refusal (reference §6.4) for a sample count that does not fit."""
    return f"output has {n_samples} samples but target TimeFrame '{target}' has {n_entries} entries"


def _relative_problem(natural: str, target: str) -> str | None:
    for name in (natural, target):
        if is_relative_clock(name):
            return (
                f"clock '{name}' counts ticks relative to each trial: frames cannot be "
                f"converted between '{natural}' and '{target}'"
            )
    return None


def expected_samples(
    dm: DataManager, input_key: str, output_kind: str, factor: int = 1
) -> int | None:
    """Predict the samples (rows) of an analog/tensor result of ``input_key``, else None.

    An analog or tensor input gives as many samples (times ``factor`` for an upsampling
    transform); other inputs (one value per frame with data…) are known only once computed.
    """
    if output_kind not in SAMPLED_KINDS or input_key not in dm:
        return None
    if dm.data_type(input_key) not in SAMPLED_KINDS:
        return None
    return len(dm.get_data(input_key)) * max(int(factor), 1)


def output_clock_problem(
    dm: DataManager,
    output_kind: str | None,
    natural: str,
    target: str | None,
    n_samples: int | None = None,
) -> str | None:
    """Return why a result cannot go on clock ``target`` (None: it can, or it is unknown).

    Parameters
    ----------
    dm : DataManager
    output_kind : str or None
        The result's data kind (None: not known yet).
    natural : str
        The clock the result gets by itself.
    target : str or None
        The chosen output clock (None: the natural one).
    n_samples : int, optional
        The analog/tensor result's sample count, when known (:func:`expected_samples`).
    """
    if target is None or target == natural or target not in dm.time_keys():
        return None
    relative = _relative_problem(natural, target)
    if relative is not None:
        return relative
    n_entries = len(dm.get_time(target))
    if output_kind in SAMPLED_KINDS and n_samples is not None and n_samples != n_entries:
        return sample_count_message(n_samples, target, n_entries)
    return None


def natural_clock_of(spec: TransformSpec, dm: DataManager, keys: Sequence[str]) -> str | None:
    """Return the clock ``spec``'s result gets by itself (reference §1.2), None without keys.

    The clock of the input the transform puts its output on: the first, or the one
    ``spec.output_clock`` names (the analog's for ``AnalogIntervalPeak``).
    """
    slot = spec.output_clock if spec.output_clock is not None else 0
    slot = slot if slot < len(keys) else 0
    key = keys[slot] if keys else None
    return dm.time_key(key) if key and key in dm else None


def planned_clock_problem(
    dm: DataManager,
    spec: TransformSpec,
    keys: Sequence[str],
    target: str | None,
    factor: int = 1,
) -> str | None:
    """Return why ``spec`` run on ``keys`` cannot store its result on ``target``, else None.

    What is known before computing: a relative clock on either side, or an analog/tensor
    input whose sample count (times the upsampling ``factor``) is not ``target``'s length.
    """
    natural = natural_clock_of(spec, dm, keys)
    if natural is None or target is None or spec.output_kind is None:
        return None
    n_samples = expected_samples(dm, keys[0], spec.output_kind, factor)
    return output_clock_problem(dm, spec.output_kind, natural, target, n_samples)


def _convert(dm: DataManager, frames: np.ndarray, natural: str, target: str) -> np.ndarray:
    frames = np.asarray(frames, dtype=np.int64)
    if frames.size == 0:
        return frames
    return np.asarray(dm.convert_index(frames, natural, target), dtype=np.int64)


def on_output_clock(dm: DataManager, result: Any, natural: str, target: str, owner: str) -> Any:
    """Return ``result`` (frames of clock ``natural``) as frames of clock ``target``.

    Raises
    ------
    TransformError
        A relative clock on either side, or an analog/tensor result whose sample count is
        not ``target``'s length (WhiskerToolbox's message).
    """
    if target == natural:
        return result
    problem = _relative_problem(natural, target)
    if problem is None and isinstance(result, (AnalogTimeSeries, TensorData)):
        problem = output_clock_problem(dm, data_type_of(result), natural, target, len(result))
    if problem is not None:
        raise TransformError(problem, transform=owner, parameter="output_time_key", value=target)
    if isinstance(result, DigitalEventSeries):
        return DigitalEventSeries(_convert(dm, result.times, natural, target), result.ids)
    if isinstance(result, DigitalIntervalSeries):
        pairs = _convert(dm, result.intervals.reshape(-1), natural, target).reshape(-1, 2)
        return DigitalIntervalSeries(pairs, result.ids, layout=result.layout)
    if (
        not isinstance(result, (AnalogTimeSeries, TensorData))
        and data_type_of(result) in RAGGED_KINDS
    ):
        flat = result.to_flat()
        return type(result).from_flat(
            _convert(dm, flat.times, natural, target),
            flat.coords,
            flat.offsets,
            flat.ids,
            image_size=result.image_size,
        )
    return result


def merge_note(before: Any, after: Any, target: str) -> str:
    """Return a sentence saying what converting ``before`` to clock ``target`` merged.

    ``after`` is ``before`` converted (:func:`on_output_clock`). "" when nothing merged, or
    for data that cannot merge (analog signals, tensors, overlapping-layout intervals).

    Examples
    --------
    ``"882 events of the 985 merged with another on the same 'camera' frame (an event key
    holds one event per frame): 103 stored"``.
    """
    if isinstance(before, DigitalEventSeries) and isinstance(after, DigitalEventSeries):
        n, kept = before.times.size, after.times.size
        if kept >= n:
            return ""
        return (
            f"{counted(n - kept, 'event')} of the {n:,} merged with another on the same "
            f"'{target}' frame (an event key holds one event per frame): {kept:,} stored"
        )
    if isinstance(before, DigitalIntervalSeries) and isinstance(after, DigitalIntervalSeries):
        n, kept = before.intervals.shape[0], after.intervals.shape[0]
        if kept >= n:
            return ""
        return (
            f"{counted(n - kept, 'interval')} of the {n:,} merged with another it came to "
            f"overlap or touch on '{target}' (the intervals are kept disjoint): {kept:,} stored"
        )
    kind = data_type_of(after) if not isinstance(after, (AnalogTimeSeries, TensorData)) else ""
    if kind in RAGGED_KINDS and data_type_of(before) == kind:
        n, kept = before.n_frames_with_data, after.n_frames_with_data
        if kept >= n:
            return ""
        label = kind_info(kind).label
        return (
            f"{counted(n - kept, 'frame')} of the {n:,} with {label} landed on a '{target}' "
            f"frame another did too (their {label} share it): {counted(kept, 'frame')} "
            "hold them"
        )
    return ""
