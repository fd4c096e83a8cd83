"""Interval and event transforms (reference §3.5), with set-algebra and round-trip laws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.core import DigitalEventSeries, DigitalIntervalSeries, TimeFrame
from napari_whiskertoolbox.transforms import apply_transform
from napari_whiskertoolbox.transforms.intervals import (
    boolean_intervals,
    group_intervals,
    prune_overlapping,
)


def frames_of(pairs) -> set[int]:
    out: set[int] = set()
    for s, e in np.asarray(pairs).reshape(-1, 2).tolist():
        out.update(range(s, e + 1))
    return out


def test_boolean_illustration():
    a = DigitalIntervalSeries([[0, 4], [8, 12]])
    b = DigitalIntervalSeries([[2, 9]])

    def run(op):
        return apply_transform(
            "DigitalIntervalBoolean", a, {"operation": op}, others=b
        ).intervals.tolist()

    assert run("xor") == [[0, 1], [5, 7], [10, 12]]
    assert run("and_not") == [[0, 1], [10, 12]]
    assert run("and") == [[2, 4], [8, 9]]
    assert run("or") == [[0, 12]]
    assert run("not") == [[5, 7]]
    one = DigitalIntervalSeries([[3, 9]])
    assert (
        apply_transform(
            "DigitalIntervalBoolean", one, {"operation": "not"}, others=b
        ).intervals.tolist()
        == []
    )


def test_boolean_converts_the_other_clock():
    a = DigitalIntervalSeries([[0, 9]])
    b = DigitalIntervalSeries([[1, 2]])  # ticks 100..200 on the slow clock
    fast, slow = TimeFrame(np.arange(0, 1000, 10)), TimeFrame(np.arange(0, 10000, 100))
    out = apply_transform(
        "DigitalIntervalBoolean", a, {"operation": "and"}, others=b, clocks=[fast, slow]
    )
    assert out.intervals.tolist() == []  # b is fast 10..20: no overlap with 0..9
    out = apply_transform(
        "DigitalIntervalBoolean",
        DigitalIntervalSeries([[0, 30]]),
        {"operation": "and"},
        others=b,
        clocks=[fast, slow],
    )
    assert out.intervals.tolist() == [[10, 20]]


intervals = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 8)), max_size=8).map(
    lambda xs: [[s, s + d] for s, d in xs]
)


@settings(max_examples=200, deadline=None)
@given(intervals, intervals)
def test_boolean_algebra_matches_frame_sets(a, b):
    fa, fb = frames_of(a), frames_of(b)
    expected = {"and": fa & fb, "or": fa | fb, "xor": fa ^ fb, "and_not": fa - fb}
    for op, frames in expected.items():
        out = boolean_intervals(np.asarray(a).reshape(-1, 2), np.asarray(b).reshape(-1, 2), op)
        assert frames_of(out) == frames, op
        # maximal runs: disjoint and never touching
        assert np.all(out[1:, 0] > out[:-1, 1] + 1)
    merged = frames_of(a)
    if merged:
        lo, hi = min(merged), max(merged)
        gaps = set(range(lo, hi + 1)) - merged
        assert (
            frames_of(boolean_intervals(np.asarray(a).reshape(-1, 2), np.empty((0, 2)), "not"))
            == gaps
        )


@settings(max_examples=100, deadline=None)
@given(intervals, intervals, intervals)
def test_boolean_laws(a, b, c):
    def op(x, y, name):
        return boolean_intervals(np.asarray(x).reshape(-1, 2), np.asarray(y).reshape(-1, 2), name)

    assert frames_of(op(a, b, "and")) == frames_of(op(b, a, "and"))
    assert frames_of(op(op(a, b, "or"), c, "or")) == frames_of(op(a, op(b, c, "or"), "or"))
    # a and (b or c) == (a and b) or (a and c)
    assert frames_of(op(a, op(b, c, "or"), "and")) == frames_of(
        op(op(a, b, "and"), op(a, c, "and"), "or")
    )
    assert frames_of(op(op(a, b, "xor"), b, "xor")) == frames_of(a)


def test_event_to_interval_keeps_overlaps():
    ev = DigitalEventSeries([10, 12, 30])
    out = apply_transform("EventToInterval", ev, {"pre_expansion": 2, "post_expansion": 3})
    assert out.intervals.tolist() == [[8, 13], [10, 15], [28, 33]]
    assert out.layout == "overlapping"
    assert len(out) == 3
    apart = apply_transform("EventToInterval", DigitalEventSeries([0, 100]), {"post_expansion": 1})
    assert apart.layout == "disjoint"
    assert apart.intervals.tolist() == [[0, 1], [100, 101]]


def test_interval_to_event_points():
    iv = DigitalIntervalSeries([[2, 5], [10, 10], [20, 29]])

    def get(point):
        return apply_transform("IntervalToEvent", iv, {"point": point}).times.tolist()

    assert get("start") == [2, 10, 20]
    assert get("end") == [5, 10, 29]
    assert get("center") == [3, 10, 24]
    # WT's C++ integer division truncates toward zero (Python's // floors)
    before_zero = DigitalIntervalSeries([[-20, -17], [-9, -6], [-3, 0]])
    centres = apply_transform("IntervalToEvent", before_zero, {"point": "center"})
    assert centres.times.tolist() == [-18, -7, -1]  # -37/2, -15/2, -3/2 truncated


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-50, 500), max_size=40, unique=True), st.integers(0, 5), st.integers(0, 5)
)
def test_event_interval_event_round_trip(times, pre, post):
    ev = DigitalEventSeries(times)
    iv = apply_transform("EventToInterval", ev, {"pre_expansion": pre, "post_expansion": post})
    assert len(iv) == len(ev)  # never merged
    starts = apply_transform("IntervalToEvent", iv, {"point": "start"}).times
    np.testing.assert_array_equal(starts + pre, ev.times)
    if pre == post:
        centres = apply_transform("IntervalToEvent", iv, {"point": "center"}).times
        np.testing.assert_array_equal(centres, ev.times)


def test_prune_overlapping_keeps_touching():
    pairs = np.array([[0, 5], [3, 8], [5, 6], [6, 9], [10, 12], [13, 14]])
    out = prune_overlapping(pairs)
    assert out.tolist() == [[0, 5], [6, 9], [10, 12], [13, 14]]
    series = apply_transform(
        "PruneOverlappingIntervals", DigitalIntervalSeries(pairs, layout="overlapping")
    )
    assert series.intervals.tolist() == [[0, 5], [6, 9], [10, 12], [13, 14]]  # not merged


@settings(max_examples=100, deadline=None)
@given(intervals)
def test_prune_gives_non_overlapping_subset(a):
    out = prune_overlapping(np.asarray(a).reshape(-1, 2))
    assert np.all(out[1:, 0] > out[:-1, 1])
    assert {tuple(p) for p in out.tolist()} <= {tuple(p) for p in a}


def test_group_intervals_v1_quirk():
    pairs = np.array([[0, 100], [5, 10], [12, 20], [40, 50]])
    assert group_intervals(pairs, 1.0).tolist() == [[0, 20], [40, 50]]  # end = the last end
    out = apply_transform(
        "Group Intervals", DigitalIntervalSeries([[0, 2], [4, 6], [10, 11]]), {"max_spacing": 1}
    )
    assert out.intervals.tolist() == [[0, 6], [10, 11]]


def test_relative_and_shifted_events():
    ev = DigitalEventSeries([1, 3])
    clock = TimeFrame([0, 100, 200, 300, 400])
    rel = apply_transform(
        "NormalizeDigitalEventSeriesRelative", ev, {"alignment_time": 150}, clocks=[clock]
    )
    assert rel.times.tolist() == [-50, 150]
    shifted = apply_transform("ShiftDigitalEventSeries", ev, {"offset": 2})
    assert shifted.times.tolist() == [3, 5]
    with pytest.raises(Exception, match="outside its clock"):
        apply_transform("ShiftDigitalEventSeries", DigitalEventSeries([9]), clocks=[clock])
