"""Hypothesis property tests against simple reference models."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from napari_whiskertoolbox.core import (
    DataManager,
    DigitalIntervalSeries,
    LineData,
    PointData,
    TimeFrame,
)

DOMAIN = 60
times_st = st.integers(0, DOMAIN - 1)


# ------------------------------------------------------------------ clocks
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-1000, 1000), min_size=1, max_size=40).map(sorted),
    st.lists(st.integers(-1200, 1200), min_size=1, max_size=20),
)
def test_index_at_time_matches_brute_force(times, queries):
    tf = TimeFrame(times)
    arr = np.asarray(times)
    for q in queries:
        nearest = int(np.argmin(np.abs(arr - q)))  # first minimum: exact match or earlier tie
        at_or_after = np.flatnonzero(arr >= q)
        following = int(at_or_after[0]) if at_or_after.size else len(times) - 1
        assert tf.index_at_time(q) == nearest
        assert tf.index_at_time(q, preceding=False) == following
    np.testing.assert_array_equal(
        tf.indices_at_times(queries), [tf.index_at_time(q) for q in queries]
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=50, unique=True).map(sorted))
def test_conversion_round_trips_on_a_sub_clock(camera_times):
    master = TimeFrame.from_count(10_001)
    camera = TimeFrame(camera_times)
    for i in range(len(camera_times)):
        assert master.convert_index(camera.convert_index(i, master), camera) == i


# ------------------------------------------------------------------ intervals
interval_op = st.tuples(
    st.sampled_from(["add", "clear", "set_time_false", "set_time_true"]), times_st, times_st
)


def runs(covered: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for t in sorted(covered):
        if out and out[-1][1] + 1 == t:
            out[-1][1] = t
        else:
            out.append([t, t])
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(interval_op, max_size=25))
def test_disjoint_intervals_match_covered_set_model(ops):
    series = DigitalIntervalSeries()
    covered: set[int] = set()
    for op, a, b in ops:
        lo, hi = min(a, b), max(a, b)
        if op == "add":
            series.add(lo, hi)
            covered |= set(range(lo, hi + 1))
        elif op == "clear":
            series.set_range(lo, hi, False)
            covered -= set(range(lo, hi + 1))
        elif op == "set_time_false":
            series.set_time(a, False)
            covered.discard(a)
        else:
            series.set_time(a, True)
            covered.add(a)
        assert series.intervals.tolist() == runs(covered)
        assert np.unique(series.ids).size == len(series)
    for t in range(-1, DOMAIN + 1):
        assert series.contains(t) == (t in covered)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(times_st, times_st), min_size=1, max_size=15), times_st, times_st)
def test_overlapping_query_matches_filter(pairs, a, b):
    pairs = [sorted(p) for p in pairs]
    lo, hi = min(a, b), max(a, b)
    for layout in ("disjoint", "overlapping"):
        series = DigitalIntervalSeries(pairs, layout=layout)
        expected = [p for p in series.intervals.tolist() if p[0] <= hi and p[1] >= lo]
        assert series.overlapping(lo, hi).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(times_st, times_st), min_size=1, max_size=12))
def test_merge_keeps_smallest_id_of_each_merged_group(pairs):
    pairs = [sorted(p) for p in pairs]
    ids = np.arange(100, 100 + len(pairs), dtype=np.uint64)
    series = DigitalIntervalSeries(pairs, ids=ids)
    for (start, end), merged_id in zip(series.intervals.tolist(), series.ids.tolist()):
        members = [i for i, (s, e) in zip(ids.tolist(), pairs) if start <= s and e <= end]
        assert merged_id == min(members)


# ------------------------------------------------------------------ ragged
coord_st = st.floats(-1e4, 1e4, allow_nan=False, width=32)


def line_st(min_size: int = 1):
    return st.lists(st.tuples(coord_st, coord_st), min_size=min_size, max_size=6).map(
        lambda rows: np.asarray(rows, np.float32).reshape(-1, 2)
    )


class RaggedMachine(RuleBasedStateMachine):
    """LineData inside a DataManager vs a dict-of-lists model, including undo/redo."""

    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        self.dm = DataManager()
        self.lines = LineData.from_flat(
            [3, 3, 8], np.arange(10, dtype=np.float32).reshape(5, 2), offsets=[0, 2, 3, 5]
        )
        self.lines.compact_threshold = 4
        self.dm.set_data("lines", self.lines)
        self.model: dict[int, list[tuple[int, np.ndarray]]] = {}
        for t in (3, 8):
            self.model[t] = [
                (int(i), o.copy()) for i, o in zip(self.lines.ids_at(t), self.lines.at(t))
            ]
        self.undo_stack: list[dict] = []
        self.redo_stack: list[dict] = []

    def snapshot(self) -> dict:
        return {t: [(i, o.copy()) for i, o in v] for t, v in self.model.items() if v}

    def before_edit(self) -> None:
        self.undo_stack.append(self.snapshot())
        self.redo_stack.clear()

    def where(self, entity_id: int) -> tuple[int, int] | None:
        for t, entries in self.model.items():
            for k, (i, _) in enumerate(entries):
                if i == entity_id:
                    return t, k
        return None

    @rule(target=ids, t=times_st, line=line_st())
    def add(self, t, line):
        self.before_edit()
        (new_id,) = self.lines.add(t, line)
        self.model.setdefault(t, []).append((int(new_id), line))
        return int(new_id)

    @rule(t=times_st, lines=st.lists(line_st(), max_size=3), keep=st.booleans())
    def set_frame(self, t, lines, keep):
        old = self.model.get(t, [])
        given = [old[k][0] if keep and k < len(old) else 0 for k in range(len(lines))]
        unchanged = len(lines) == len(old) and all(
            g != 0 and np.array_equal(new, o) for g, new, (_, o) in zip(given, lines, old)
        )
        if not unchanged:  # identical rewrites record no undo step
            self.before_edit()
        new_ids = self.lines.set_frame(t, lines, ids=given)
        for g, n in zip(given, new_ids.tolist()):
            assert g == 0 or g == n
        self.model[t] = list(zip(new_ids.tolist(), lines))

    @rule(t=times_st)
    def clear(self, t):
        if self.model.get(t):
            self.before_edit()
        self.lines.clear_at(t)
        self.model[t] = []

    @rule(entity_id=consumes(ids))
    def remove(self, entity_id):
        loc = self.where(entity_id)
        if loc is not None:
            self.before_edit()
        assert self.lines.remove(entity_id) == (loc is not None)
        if loc is not None:
            del self.model[loc[0]][loc[1]]

    @rule(entity_id=ids, line=line_st())
    def update(self, entity_id, line):
        loc = self.where(entity_id)
        if loc is None:
            return
        t, k = loc
        if not np.array_equal(self.model[t][k][1], line):
            self.before_edit()
        self.lines.update(entity_id, line)
        self.model[t][k] = (entity_id, line)

    @rule(src=times_st, dst=times_st)
    def copy_frame(self, src, dst):
        if not self.model.get(src):
            return
        self.before_edit()
        new_ids = self.lines.copy_frame(src, dst)
        copies = [o.copy() for _, o in self.model[src]]
        self.model.setdefault(dst, []).extend(zip(new_ids.tolist(), copies))

    @rule()
    def compact(self):
        self.lines.compact()

    @precondition(lambda self: self.undo_stack)
    @rule()
    def undo(self):
        assert self.dm.undo()
        self.redo_stack.append(self.snapshot())
        self.model = self.undo_stack.pop()

    @precondition(lambda self: self.redo_stack)
    @rule()
    def redo(self):
        assert self.dm.redo()
        self.undo_stack.append(self.snapshot())
        self.model = self.redo_stack.pop()

    @invariant()
    def matches_model(self):
        filled = sorted(t for t, v in self.model.items() if v)
        assert self.lines.times_with_data().tolist() == filled
        assert self.lines.n_entries == sum(len(v) for v in self.model.values())
        for t in filled:
            assert self.lines.ids_at(t).tolist() == [i for i, _ in self.model[t]]
            for got, (_, want) in zip(self.lines.at(t), self.model[t]):
                np.testing.assert_array_equal(got, want)
        flat = self.lines.to_flat() if len(filled) % 3 == 0 else None
        if flat is not None:
            assert flat.times.tolist() == sorted(flat.times.tolist())
            assert np.unique(flat.ids).size == flat.ids.size


TestRaggedAgainstModel = RaggedMachine.TestCase
TestRaggedAgainstModel.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(times_st, st.lists(st.tuples(coord_st, coord_st), max_size=4)), max_size=20)
)
def test_points_from_flat_equals_incremental_adds(frames):
    pts = PointData()
    times, coords = [], []
    for t, rows in frames:
        if rows:
            pts.add(t, rows)
            times += [t] * len(rows)
            coords += rows
    bulk = PointData.from_flat(
        np.asarray(times, np.int64), np.asarray(coords, np.float32).reshape(-1, 2)
    )
    np.testing.assert_array_equal(bulk.times_with_data(), pts.times_with_data())
    for t in pts.times_with_data().tolist():
        np.testing.assert_array_equal(bulk.at(t), pts.at(t))
    flat = pts.to_flat()
    np.testing.assert_array_equal(flat.times, bulk.to_flat().times)
