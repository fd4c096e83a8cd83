"""Value transforms of TransformsV2 (reference §3.3).

Per-frame sums, z-scores and the time projections used inside trial pipelines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.transforms.lift import Batch, float_batch
from napari_whiskertoolbox.transforms.registry import element_transform
from napari_whiskertoolbox.transforms.schema import Params, p_bool, p_float, p_int
from napari_whiskertoolbox.transforms.units import DIMENSIONLESS, FRAMES, INPUT_UNIT

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = ["group_starts"]


def group_starts(times: np.ndarray) -> np.ndarray:
    """Return the index of the first element of every run of equal (sorted) times."""
    if times.size == 0:
        return np.empty(0, np.int64)
    return np.flatnonzero(np.r_[True, times[1:] != times[:-1]])


@element_transform(
    "SumReduction",
    "float",
    "float",
    (
        p_bool("ignore_nan", False, "skip NaN values"),
        p_float("default_value", 0.0, "value of a frame without values (never a stored frame)"),
    ),
    kind="time_grouped",
    category="Values",
    output_unit=INPUT_UNIT,
    source="reference §3.3",
)
def sum_reduction(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Sum the values of every frame into one value (non-ragged result).

    With ``ignore_nan`` NaNs are skipped, so a frame holding only NaNs sums to 0, as in
    WhiskerToolbox (``sumReduction`` returns ``default_value`` only for an empty group of
    values, which a stored frame never is; reference §3.3).
    """
    values = np.asarray(batch.values, np.float64)
    if batch.times is None:  # dense: one value per frame already
        out = values.copy()
        if p.ignore_nan:
            out[np.isnan(out)] = 0.0
        return Batch("float", None, values=out, ragged=False)
    starts = group_starts(batch.times)
    if values.size == 0:
        return Batch("float", batch.times[:0], values=values, ragged=False)
    if p.ignore_nan:
        sums = np.add.reduceat(np.where(np.isnan(values), 0.0, values), starts)
    else:
        sums = np.add.reduceat(values, starts)
    return Batch("float", batch.times[starts], values=sums, ragged=False)


@element_transform(
    "ZScoreNormalizeV2",
    "float",
    "float",
    (
        p_float("mean", 0.0, "subtracted mean (usually bound to a MeanValueRaw pre-reduction)"),
        p_float("std_dev", 1.0, "divisor (usually bound to StdValueRaw)"),
        p_bool("clamp_outliers", False, "clamp z to ±outlier_threshold"),
        p_float("outlier_threshold", 3.0, "clamp bound"),
        p_float("epsilon", 1e-8, "added to std_dev"),
    ),
    category="Values",
    output_unit=DIMENSIONLESS,
    source="reference §3.3",
    with_context_twin=False,
)
def zscore(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Z = (x - mean) / (std_dev + epsilon), optionally clamped."""
    z = (np.asarray(batch.values, np.float64) - p.mean) / (p.std_dev + p.epsilon)
    if p.clamp_outliers:
        np.clip(z, -p.outlier_threshold, p.outlier_threshold, out=z)
    return float_batch(batch, z.astype(np.float32))


_ALIGN = (p_int("alignment_time", 0, "subtracted from each time (frame index or ticks)"),)


def _relative_times(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Each element's time minus ``alignment_time``, as a float at that time."""
    rel = batch.time_array().astype(np.float64) - p.alignment_time
    return float_batch(batch, rel.astype(np.float32))


_RELATIVE_TIME_TRANSFORMS: tuple[tuple[str, str | tuple[str, ...], str], ...] = (
    (
        "NormalizeTimeValueV2",
        ("event", "sample"),
        "Each element's frame index minus ``alignment_time``, as a float at that frame.",
    ),
    (
        "NormalizeEventTimeValueV2",
        "event",
        "Each event's time minus ``alignment_time``, as a float at the event's frame.",
    ),
    (
        "NormalizeSampleTimeValueV2",
        "sample",
        "Each sample's time minus ``alignment_time`` (replaces the value), at the sample's frame.",
    ),
)
for _name, _inputs, _description in _RELATIVE_TIME_TRANSFORMS:
    element_transform(
        _name,
        _inputs,
        "float",
        _ALIGN,
        category="Values",
        description=_description,
        source="reference §3.3",
        with_context_twin=False,
        output_unit=FRAMES,
    )(_relative_times)


@element_transform(
    "NormalizeClockTicksValueV2",
    "event",
    "event",
    _ALIGN,
    category="Values",
    source="reference §3.3",
    with_context_twin=False,
    output_clock=None,
)
def normalize_clock_ticks_value(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Each event's ticks minus ``alignment_time`` (relative ticks, see :mod:`.relative`)."""
    return Batch("event", batch.time_array() - p.alignment_time, ragged=False)
