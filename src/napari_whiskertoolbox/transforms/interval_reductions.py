"""Interval reductions to TensorData (reference §3.7).

Rows are the first input's intervals (sorted); each row gathers the source elements inside
it — converting the row's bounds to ticks and comparing with the source's ticks — and
reduces them with a named range reduction (§4) into one column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.one_value_per_time import refuse_several_values_per_time
from napari_whiskertoolbox.transforms.range_reductions import get_reduction
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import Param, Params, p_str

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound

__all__ = ["reduce_over_intervals"]


def _ticks(indices: np.ndarray, clock: TimeFrame | None) -> np.ndarray:
    idx = np.asarray(indices, np.int64)
    if clock is None or len(clock) == 0:
        return idx
    return clock.times_at_indices(idx)


def reduce_over_intervals(
    rows: Bound,
    source: Bound,
    reduction_name: str,
    element: str,
    column: str,
    owner: str,
    ctx: TransformContext,
) -> TensorData:
    """One value per row interval: the named reduction of the source elements inside it.

    Parameters
    ----------
    rows : Bound
        A DigitalIntervalSeries (rows, on its clock).
    source : Bound
        Analog series (``element="value"``), event series (``"event"``) or interval series
        (``"interval"``, counted when overlapping the row).
    reduction_name : str
        A range reduction consuming ``element``.
    element : str
        What the source provides.
    column, owner : str
        Column name of the result; transform name for errors.
    ctx : TransformContext
        Progress and cancel.

    Returns
    -------
    TensorData
        ``(rows, 1)`` float32 with interval rows.
    """
    reduction = get_reduction(reduction_name)
    if reduction.element != element:
        raise TransformError(
            f"parameter 'reduction_name' = {reduction_name!r} reduces {reduction.element} "
            f"elements; this transform gathers {element} elements",
            transform=owner,
            parameter="reduction_name",
            value=reduction_name,
        )
    if reduction.sample_order:
        refuse_several_values_per_time(source, f"{owner} with {reduction_name}", 1)
    params = reduction.schema.defaults()
    pairs = np.asarray(rows.data.intervals, np.int64).reshape(-1, 2)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    lo_t, hi_t = _ticks(pairs[:, 0], rows.clock), _ticks(pairs[:, 1], rows.clock)
    gather: Callable[[int], Any]
    data = source.data
    if element == "value":
        src_ticks = _ticks(data.times, source.clock)
        times, values = data.times, data.values
        lo = np.searchsorted(src_ticks, lo_t, side="left")
        hi = np.searchsorted(src_ticks, hi_t, side="right")

        def gather(k: int) -> Any:
            return times[lo[k] : hi[k]], values[lo[k] : hi[k]]
    elif element == "event":
        src_ticks = _ticks(data.times, source.clock)
        lo = np.searchsorted(src_ticks, lo_t, side="left")
        hi = np.searchsorted(src_ticks, hi_t, side="right")

        def gather(k: int) -> Any:
            return src_ticks[lo[k] : hi[k]]
    else:
        spairs = np.asarray(data.intervals, np.int64).reshape(-1, 2)
        sids = np.asarray(data.ids)
        s_lo, s_hi = _ticks(spairs[:, 0], source.clock), _ticks(spairs[:, 1], source.clock)

        def gather(k: int) -> Any:
            hit = (s_lo <= hi_t[k]) & (s_hi >= lo_t[k])
            return spairs[hit], sids[hit]

    out = np.empty((pairs.shape[0], 1), np.float64)
    for k in range(pairs.shape[0]):
        ctx.tick(k, pairs.shape[0])
        out[k, 0] = reduction.func(gather(k), params)
    return TensorData(out, column_names=[column], row_type="interval", rows=pairs)


DEFAULT_REDUCTION = {"value": "MeanValue", "event": "EventCount", "interval": "IntervalCount"}
"""The default ``reduction_name`` for each kind of source element. WhiskerToolbox defaults all
three transforms to ``MeanValue``, which fails on events and intervals."""


def _params(element: str) -> tuple[Param, ...]:
    return (
        p_str(
            "reduction_name",
            DEFAULT_REDUCTION[element],
            f"range reduction applied per interval, one of the {element} reductions (reference §4)",
        ),
        p_str(
            "reduction_params_json",
            "{}",
            "ignored, as in WhiskerToolbox (only parameterless reductions)",
        ),
        p_str("column_name", "value", "name of the output column"),
    )


def _make(name: str, source_kind: str, element: str) -> None:
    @container_transform(
        name,
        ("digital_interval", source_kind),
        "tensor",
        _params(element),
        category="Interval reductions",
        source="reference §3.7",
        description=f"One row per interval: a range reduction of the {source_kind} inside it.",
    )
    def run(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
        return reduce_over_intervals(
            inputs[0], inputs[1], p.reduction_name, element, p.column_name, name, ctx
        )


_make("AnalogIntervalReduction", "analog", "value")
_make("EventIntervalReduction", "digital_event", "event")
_make("IntervalOverlapReduction", "digital_interval", "interval")
