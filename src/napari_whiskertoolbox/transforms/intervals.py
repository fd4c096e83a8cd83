"""Digital interval and event transforms (reference §3.5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries, merge_intervals
from napari_whiskertoolbox.transforms.analog import convert_range
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import Params, p_enum, p_int

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound

__all__ = [
    "boolean_intervals",
    "group_intervals",
    "interval_series",
    "prune_overlapping",
    "ticks_of",
]


def interval_series(pairs: np.ndarray) -> DigitalIntervalSeries:
    """Wrap computed intervals without changing them.

    Disjoint, non-touching intervals use the default (disjoint) layout; when merging
    would change anything (overlapping or adjacent intervals, which several transforms
    produce on purpose, reference §8.9) the ``"overlapping"`` layout keeps them as computed.
    """
    p = np.asarray(pairs, np.int64).reshape(-1, 2)
    order = np.lexsort((p[:, 1], p[:, 0]))
    s = p[order]
    if s.shape[0] < 2 or np.all(s[1:, 0] > s[:-1, 1] + 1):
        return DigitalIntervalSeries(s)
    return DigitalIntervalSeries(s, layout="overlapping")


def _merged(pairs: np.ndarray) -> np.ndarray:
    merged, _ = merge_intervals(
        np.asarray(pairs, np.int64).reshape(-1, 2), np.zeros(len(pairs), np.uint64)
    )
    return merged


def _covered(merged: np.ndarray, x: np.ndarray) -> np.ndarray:
    if merged.shape[0] == 0:
        return np.zeros(x.size, bool)
    i = np.searchsorted(merged[:, 0], x, side="right") - 1
    return (i >= 0) & (merged[np.maximum(i, 0), 1] >= x)


def boolean_intervals(a: np.ndarray, b: np.ndarray, operation: str) -> np.ndarray:
    """Boolean of two interval sets (inclusive ends; reference §3.5).

    Both sets are merged first (overlapping or adjacent). ``and``/``or``/``xor``/
    ``and_not`` (a and not b) give the maximal runs where the predicate holds; ``not`` gives
    only the gaps between consecutive intervals of ``a``.
    """
    ma, mb = _merged(a), _merged(b)
    if operation == "not":
        return np.column_stack((ma[:-1, 1] + 1, ma[1:, 0] - 1)).reshape(-1, 2)
    bp = np.unique(np.concatenate([ma[:, 0], ma[:, 1] + 1, mb[:, 0], mb[:, 1] + 1]))
    if bp.size == 0:
        return np.empty((0, 2), np.int64)
    in_a, in_b = _covered(ma, bp), _covered(mb, bp)
    pred = {
        "and": in_a & in_b,
        "or": in_a | in_b,
        "xor": in_a ^ in_b,
        "and_not": in_a & ~in_b,
    }[operation]
    pred[-1] = False  # beyond the last end nothing is covered
    edges = np.diff(np.r_[0, pred.astype(np.int8), 0])
    first = np.flatnonzero(edges == 1)
    after = np.flatnonzero(edges == -1)
    return np.column_stack((bp[first], bp[after] - 1)).reshape(-1, 2)


@container_transform(
    "DigitalIntervalBoolean",
    ("digital_interval", "digital_interval"),
    "digital_interval",
    (
        p_enum(
            "operation",
            ("and", "or", "xor", "not", "and_not"),
            "set operation (not: gaps of input)",
        ),
    ),
    category="Intervals",
    source="reference §3.5",
    other_unused_when=("operation", "not"),
)
def digital_interval_boolean(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """And / or / xor / and_not of two interval series, or the gaps (not) of the first."""
    a, b = inputs
    other = np.asarray(b.data.intervals)
    if other.size and a.clock is not None and b.clock is not None and a.clock is not b.clock:
        lo, hi = convert_range(other[:, 0], other[:, 1], b.clock, a.clock)
        other = np.column_stack((lo, hi))
        other = other[other[:, 1] >= other[:, 0]]
    return DigitalIntervalSeries(
        boolean_intervals(np.asarray(a.data.intervals), other, p.operation)
    )


@container_transform(
    "EventToInterval",
    ("digital_event",),
    "digital_interval",
    (
        p_int("pre_expansion", 0, "frames before each event", minimum=0),
        p_int("post_expansion", 0, "frames after each event", minimum=0),
    ),
    category="Events",
    source="reference §3.5",
)
def event_to_interval(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Put a window [t - pre, t + post] around every event (windows are never merged)."""
    t = np.asarray(inputs[0].data.times, np.int64)
    return interval_series(np.column_stack((t - p.pre_expansion, t + p.post_expansion)))


@container_transform(
    "IntervalToEvent",
    ("digital_interval",),
    "digital_event",
    (p_enum("point", ("start", "end", "center"), "which point of each interval"),),
    category="Intervals",
    source="reference §3.5",
)
def interval_to_event(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """One event per interval at its start, end or (start + end) / 2 in integer division.

    The centre is WhiskerToolbox's C++ ``int64`` division, which truncates toward zero:
    [-3, 0] gives -1 (Python's ``//`` floors to -2); for frames >= 0 it is the floor.
    """
    pairs = np.asarray(inputs[0].data.intervals, np.int64)
    if p.point == "start":
        return DigitalEventSeries(pairs[:, 0])
    if p.point == "end":
        return DigitalEventSeries(pairs[:, 1])
    total = pairs[:, 0] + pairs[:, 1]
    return DigitalEventSeries(np.sign(total) * (np.abs(total) // 2))


def prune_overlapping(pairs: np.ndarray) -> np.ndarray:
    """Greedy pruning over start-sorted intervals (reference §3.5).

    Keeps the first; keeps a later interval only if it starts after the end of the last
    kept one (sharing a frame counts as overlap).
    """
    p = np.asarray(pairs, np.int64).reshape(-1, 2)
    p = p[np.lexsort((p[:, 1], p[:, 0]))]
    m = p.shape[0]
    if m < 2:
        return p
    nxt = np.searchsorted(p[:, 0], p[:, 1], side="right").tolist()
    keep = [0]
    i = 0
    while True:
        i = nxt[i]
        if i >= m:
            break
        keep.append(i)
    return p[keep]


@container_transform(
    "PruneOverlappingIntervals",
    ("digital_interval",),
    "digital_interval",
    (),
    category="Intervals",
    source="reference §3.5",
)
def prune_overlapping_intervals(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Drop every interval overlapping an earlier kept one (kept ones may touch)."""
    return interval_series(prune_overlapping(np.asarray(inputs[0].data.intervals)))


def group_intervals(pairs: np.ndarray, max_spacing: float) -> np.ndarray:
    """Group intervals as V1 ``Group Intervals`` does (reference §5).

    Merge when the gap to the previous interval (``start - previous end - 1``) is
    <= ``max_spacing``; the merged end is the last end.
    """
    p = np.asarray(pairs, np.int64).reshape(-1, 2)
    p = p[np.lexsort((p[:, 1], p[:, 0]))]
    if p.shape[0] == 0:
        return p
    gap = p[1:, 0] - p[:-1, 1] - 1
    first = np.flatnonzero(np.r_[True, gap > max_spacing])
    last = np.r_[first[1:] - 1, p.shape[0] - 1]
    return np.column_stack((p[first, 0], p[last, 1]))


# ---------------------------------------------------------------------- events
def ticks_of(times: np.ndarray, clock: TimeFrame | None, owner: str) -> np.ndarray:
    """Ticks of frame indices on ``clock`` (the indices themselves without a clock).

    Raises
    ------
    TransformError
        An index lies outside the clock.
    """
    t = np.asarray(times, np.int64)
    if clock is None or t.size == 0:
        return t
    bad = (t < 0) | (t >= len(clock))
    if bad.any():
        raise TransformError(
            f"event frame {int(t[bad][0])} lies outside its clock ({len(clock)} frames)",
            transform=owner,
        )
    return clock.times_at_indices(t)


@container_transform(
    "NormalizeDigitalEventSeriesRelative",
    ("digital_event",),
    "digital_event",
    (p_int("alignment_time", 0, "ticks subtracted from every event"),),
    category="Events",
    output_clock=None,
    source="reference §3.5",
)
def normalize_events_relative(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Every event's ticks minus ``alignment_time`` (relative ticks, no clock of their own)."""
    ticks = ticks_of(inputs[0].data.times, inputs[0].clock, "NormalizeDigitalEventSeriesRelative")
    return DigitalEventSeries(ticks - p.alignment_time)


@container_transform(
    "ShiftDigitalEventSeries",
    ("digital_event",),
    "digital_event",
    (p_int("offset", 0, "ticks added to every event"),),
    category="Events",
    keeps_relative=True,
    source="reference §3.5",
)
def shift_events(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Add ``offset`` to every event's ticks, written back as frame indices.

    Meaningful on an identity clock; a series without a clock is taken as relative ticks
    and the result is relative ticks too.
    """
    ticks = ticks_of(inputs[0].data.times, inputs[0].clock, "ShiftDigitalEventSeries")
    return DigitalEventSeries(ticks + p.offset)
