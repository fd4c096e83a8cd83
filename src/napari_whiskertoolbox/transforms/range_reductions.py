"""Range reductions (reference §4): a span of elements → one scalar.

Used as a pipeline's ``pre_reductions`` (results go to the run's value store), as its
``range_reduction``, and by the interval reductions to tensors (§3.7).

Element kinds: ``event`` (times), ``value`` (``(times, values)``), ``raw`` (bare floats of
an analog series), ``interval`` (``(pairs, ids)``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.schema import Param, Params, ParamSchema, p_bool, p_float

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["RANGE_REDUCTIONS", "RangeReduction", "get_reduction", "reduce_range"]

ReductionElement = Literal["event", "value", "raw", "interval"]


@dataclass(frozen=True)
class RangeReduction:
    """One registered range reduction.

    Attributes
    ----------
    name : str
        Registered name (JSON ``reduction_name``).
    element : ReductionElement
        What it consumes.
    schema : ParamSchema
        Its parameters.
    func : callable
        ``func(elements, params) -> float``.
    description : str
        Result and the value for an empty input.
    sample_order : bool
        The result depends on the order of the samples (neighbours), not only on their
        set: a range of a ragged float series (several values at one time) is refused.
    """

    name: str
    element: ReductionElement
    schema: ParamSchema
    func: Callable[[Any, Params], float]
    description: str
    sample_order: bool = False

    def describe(self) -> dict[str, Any]:
        """Return a JSON-compatible description."""
        return {
            "name": self.name,
            "element": self.element,
            "description": self.description,
            "parameters": self.schema.describe(),
        }


RANGE_REDUCTIONS: dict[str, RangeReduction] = {}
"""Every range reduction by name."""


def _register(
    name: str,
    element: ReductionElement,
    description: str,
    params: tuple[Param, ...] = (),
    *,
    sample_order: bool = False,
) -> Callable[[Callable[[Any, Params], float]], Callable[[Any, Params], float]]:
    def wrap(func: Callable[[Any, Params], float]) -> Callable[[Any, Params], float]:
        RANGE_REDUCTIONS[name] = RangeReduction(
            name, element, ParamSchema(params), func, description, sample_order
        )
        return func

    return wrap


def get_reduction(name: str) -> RangeReduction:
    """Return the reduction ``name``.

    Raises
    ------
    TransformError
        "Range reduction '<n>' not found in registry" (with close names).
    """
    found = RANGE_REDUCTIONS.get(name)
    if found is None:
        hint = difflib.get_close_matches(str(name), list(RANGE_REDUCTIONS), n=3)
        extra = f"; did you mean {', '.join(map(repr, hint))}?" if hint else ""
        raise TransformError(f"Range reduction '{name}' not found in registry{extra}", value=name)
    return found


def reduce_range(name: str, elements: Any, params: Mapping[str, Any] | None = None) -> float:
    """Apply reduction ``name`` with JSON ``params`` to ``elements``.

    Raises
    ------
    TransformError
        Unknown reduction, or a bad parameter: an unknown name (with the closest valid
        one), a wrong type or an out-of-bounds value.
    """
    red = get_reduction(name)
    return float(red.func(elements, red.schema.parse(params, name, strict=True)))


def _t(e: Any) -> np.ndarray:
    return np.asarray(e, np.float64)


# ---------------------------------------------------------------------- events
@_register("EventCount", "event", "number of events (0)")
def _event_count(e: Any, p: Params) -> float:
    return float(np.size(e))


@_register("EventPresence", "event", "1 if any event else 0")
def _event_presence(e: Any, p: Params) -> float:
    return 1.0 if np.size(e) else 0.0


@_register("FirstPositiveLatency", "event", "first time > 0 (NaN)")
def _first_positive(e: Any, p: Params) -> float:
    t = _t(e)
    pos = t[t > 0]
    return float(pos[0]) if pos.size else float("nan")


@_register("LastNegativeLatency", "event", "last time < 0 (NaN)")
def _last_negative(e: Any, p: Params) -> float:
    t = _t(e)
    neg = t[t < 0]
    return float(neg[-1]) if neg.size else float("nan")


@_register(
    "EventCountInWindow",
    "event",
    "events with window_start <= t < window_end",
    (
        p_float("window_start", 0.0, "inclusive start"),
        p_float("window_end", float(np.finfo(np.float32).max), "exclusive end"),
    ),
)
def _count_in_window(e: Any, p: Params) -> float:
    t = _t(e)
    return float(np.count_nonzero((t >= p.window_start) & (t < p.window_end)))


@_register("MeanInterEventInterval", "event", "mean consecutive difference (NaN if < 2)")
def _mean_iei(e: Any, p: Params) -> float:
    t = _t(e)
    return float(np.mean(np.diff(t))) if t.size >= 2 else float("nan")


@_register("EventTimeSpan", "event", "last - first (0 if < 2)")
def _span(e: Any, p: Params) -> float:
    t = _t(e)
    return float(t[-1] - t[0]) if t.size >= 2 else 0.0


# ---------------------------------------------------------------------- values
def _v(e: Any) -> tuple[np.ndarray, np.ndarray]:
    times, values = e
    return _t(times), _t(values)


def _register_value_and_raw(name: str, description: str, fn: Callable[[np.ndarray], float]) -> None:
    _register(name, "value", description)(lambda e, p: fn(_v(e)[1]))
    _register(f"{name}Raw", "raw", f"{description}, on raw floats")(lambda e, p: fn(_t(e)))


# WhiskerToolbox's extremum reductions start from -inf (+inf) and keep a value only when it
# is strictly larger (smaller): NaNs compare false and are skipped; with no other value the
# result stays -inf (+inf), and the time of the extremum stays NaN (reference §4).
def _max(v: np.ndarray) -> float:
    keep = v[~np.isnan(v)]
    return float(keep.max()) if keep.size else float("-inf")


def _min(v: np.ndarray) -> float:
    keep = v[~np.isnan(v)]
    return float(keep.min()) if keep.size else float("inf")


def _time_of_extremum(t: np.ndarray, v: np.ndarray, maximum: bool) -> float:
    beyond = v > -np.inf if maximum else v < np.inf  # False for NaN and the start value
    candidates = np.flatnonzero(beyond)
    if not candidates.size:
        return float("nan")
    best = v[candidates]
    return float(t[candidates[int(np.argmax(best) if maximum else np.argmin(best))]])


def _mean(v: np.ndarray) -> float:
    return float(v.mean()) if v.size else float("nan")


def _std(v: np.ndarray) -> float:
    return float(v.std()) if v.size else float("nan")  # population std (ddof 0)


_register_value_and_raw("MaxValue", "maximum, NaNs skipped (-inf)", _max)
_register_value_and_raw("MinValue", "minimum, NaNs skipped (+inf)", _min)
_register_value_and_raw("MeanValue", "mean (NaN)", _mean)
_register_value_and_raw("StdValue", "population standard deviation (NaN; 1 element → 0)", _std)


@_register("TimeOfMax", "value", "time of the first maximum, NaNs skipped (NaN)")
def _time_of_max(e: Any, p: Params) -> float:
    return _time_of_extremum(*_v(e), maximum=True)


@_register("TimeOfMin", "value", "time of the first minimum, NaNs skipped (NaN)")
def _time_of_min(e: Any, p: Params) -> float:
    return _time_of_extremum(*_v(e), maximum=False)


@_register(
    "TimeOfThresholdCross",
    "value",
    "time of the first crossing (NaN if none or < 2 samples)",
    (p_float("threshold", 0.0, "level"), p_bool("rising", True, "rising (else falling) crossing")),
    sample_order=True,
)
def _time_of_cross(e: Any, p: Params) -> float:
    t, v = _v(e)
    if v.size < 2:
        return float("nan")
    prev, cur = v[:-1], v[1:]
    hit = (
        (prev < p.threshold) & (cur >= p.threshold)
        if p.rising
        else (prev >= p.threshold) & (cur < p.threshold)
    )
    i = np.flatnonzero(hit)
    return float(t[i[0] + 1]) if i.size else float("nan")


@_register("SumValue", "value", "sum (0)")
def _sum(e: Any, p: Params) -> float:
    return float(_v(e)[1].sum())


@_register("ValueRange", "value", "max - min, NaNs skipped (NaN)")
def _range(e: Any, p: Params) -> float:
    v = _v(e)[1]
    return _max(v) - _min(v) if v.size else float("nan")


@_register("AreaUnderCurve", "value", "trapezoid area over time (0 if < 2)", sample_order=True)
def _auc(e: Any, p: Params) -> float:
    t, v = _v(e)
    return float(np.trapezoid(v, t)) if v.size >= 2 else 0.0


_ABOVE = (p_float("threshold", 0.0, "level"), p_bool("rising", True, "unused"))


@_register("CountAboveThreshold", "value", "number of values > threshold", _ABOVE)
def _count_above(e: Any, p: Params) -> float:
    return float(np.count_nonzero(_v(e)[1] > p.threshold))


@_register("FractionAboveThreshold", "value", "fraction of values > threshold (NaN)", _ABOVE)
def _fraction_above(e: Any, p: Params) -> float:
    v = _v(e)[1]
    return float(np.count_nonzero(v > p.threshold) / v.size) if v.size else float("nan")


# ---------------------------------------------------------------------- intervals
def _pairs(e: Any) -> tuple[np.ndarray, np.ndarray]:
    pairs, ids = e
    return np.asarray(pairs).reshape(-1, 2), np.asarray(ids)


@_register("IntervalCount", "interval", "number of intervals (0)")
def _interval_count(e: Any, p: Params) -> float:
    return float(_pairs(e)[0].shape[0])


@_register("IntervalStartExtract", "interval", "start of the first interval (NaN)")
def _interval_start(e: Any, p: Params) -> float:
    pairs = _pairs(e)[0]
    return float(pairs[0, 0]) if pairs.shape[0] else float("nan")


@_register("IntervalEndExtract", "interval", "end of the first interval (NaN)")
def _interval_end(e: Any, p: Params) -> float:
    pairs = _pairs(e)[0]
    return float(pairs[0, 1]) if pairs.shape[0] else float("nan")


@_register("IntervalSourceIndex", "interval", "entity id of the first interval (-1)")
def _interval_id(e: Any, p: Params) -> float:
    ids = _pairs(e)[1]
    return float(ids[0]) if ids.size else -1.0
