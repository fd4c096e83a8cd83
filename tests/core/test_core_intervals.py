"""DigitalIntervalSeries: inclusive intervals, merge/split edge cases, layouts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import DigitalIntervalSeries

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.history import Change


def rows(series: DigitalIntervalSeries) -> list[list[int]]:
    return series.intervals.tolist()


def test_touching_intervals_merge_keeping_earliest_id():
    s = DigitalIntervalSeries()
    a = s.add(0, 4)
    b = s.add(10, 12)
    merged = s.add(5, 9)  # touches both: 4 + 1 == 5 and 9 + 1 == 10
    assert rows(s) == [[0, 12]]
    assert merged == a == int(s.ids[0])
    assert b != a


def test_gap_of_one_does_not_merge():
    s = DigitalIntervalSeries([[0, 4], [6, 8]])
    assert rows(s) == [[0, 4], [6, 8]]


def test_nested_and_overlapping_merge():
    s = DigitalIntervalSeries([[0, 10], [2, 3], [8, 15], [40, 50]])
    assert rows(s) == [[0, 15], [40, 50]]


def test_merge_keeps_smallest_id_even_when_later_interval_starts_first():
    s = DigitalIntervalSeries()
    first = s.add(10, 20)
    s.add(0, 12)
    assert rows(s) == [[0, 20]]
    assert int(s.ids[0]) == first


def test_clear_single_time_splits_and_right_part_gets_new_id():
    s = DigitalIntervalSeries([[0, 10]])
    original = int(s.ids[0])
    s.set_time(5, False)
    assert rows(s) == [[0, 4], [6, 10]]
    assert int(s.ids[0]) == original
    assert int(s.ids[1]) != original


def test_clear_at_ends_trims():
    s = DigitalIntervalSeries([[0, 10]])
    s.set_time(0, False)
    s.set_time(10, False)
    assert rows(s) == [[1, 9]]
    s.set_range(1, 9, False)
    assert rows(s) == []


def test_clear_range_across_several_intervals():
    s = DigitalIntervalSeries([[0, 5], [8, 9], [12, 20]])
    s.set_range(3, 14, False)
    assert rows(s) == [[0, 2], [15, 20]]


def test_clear_outside_is_a_no_op_without_signal():
    s = DigitalIntervalSeries([[0, 5]])
    seen: list[Change] = []
    s.changed.connect(seen.append)
    s.set_range(6, 9, False)
    assert seen == []


def test_set_true_is_add():
    s = DigitalIntervalSeries([[0, 5]])
    s.set_time(6, True)
    assert rows(s) == [[0, 6]]


def test_queries_inclusive():
    s = DigitalIntervalSeries([[0, 5], [10, 15], [20, 25]])
    assert s.contains(5)
    assert s.contains(10)
    assert not s.contains(6)
    assert s.interval_at(12) == (10, 15)
    assert s.interval_at(7) is None
    got = s.overlapping(5, 10)
    assert got.tolist() == [[0, 5], [10, 15]]
    assert np.shares_memory(got, s.intervals)
    assert s.overlapping(16, 19).tolist() == []
    assert s.id_at(21) == int(s.ids[2])


def test_update_moves_and_remerges():
    s = DigitalIntervalSeries([[0, 5], [20, 25]])
    first, second = (int(i) for i in s.ids)
    s.update(second, 30, 40)
    assert rows(s) == [[0, 5], [30, 40]]
    assert int(s.ids[1]) == second
    s.update(second, 6, 8)
    assert rows(s) == [[0, 8]]
    assert int(s.ids[0]) == first
    with pytest.raises(KeyError, match="999999"):
        s.update(999999, 0, 1)


def test_remove_by_id():
    s = DigitalIntervalSeries([[0, 5], [20, 25]])
    assert s.remove(int(s.ids[0]))
    assert rows(s) == [[20, 25]]
    assert not s.remove(123456789)


def test_overlapping_layout_keeps_intervals_apart():
    s = DigitalIntervalSeries([[0, 10], [5, 15]], layout="overlapping")
    assert rows(s) == [[0, 10], [5, 15]]
    s.add(1, 2)
    assert len(s) == 3
    assert s.overlapping(11, 12).tolist() == [[5, 15]]
    s.set_time(6, False)
    assert rows(s) == [[0, 5], [1, 2], [5, 5], [7, 10], [7, 15]]


def test_signal_reports_changed_bounds():
    s = DigitalIntervalSeries([[0, 5]])
    seen: list[Change] = []
    s.changed.connect(seen.append)
    s.add(10, 12)
    assert seen[-1].frames.tolist() == [10, 12]
    s.set_time(11, False)
    assert seen[-1].frames.tolist() == [10, 12]


@pytest.mark.parametrize(
    ("pairs", "message"),
    [([[5, 1]], "end 1 < start 5"), ([[1, 2, 3]], r"\(N, 2\)"), ([[0.5, 2]], "integers")],
)
def test_invalid_intervals(pairs, message):
    with pytest.raises(ValueError, match=message):
        DigitalIntervalSeries(pairs)


def test_invalid_layout():
    with pytest.raises(ValueError, match="layout"):
        DigitalIntervalSeries(layout="weird")


def test_set_intervals_bulk():
    s = DigitalIntervalSeries([[0, 1]])
    s.set_intervals([[10, 20], [21, 22]])
    assert rows(s) == [[10, 22]]


@pytest.mark.parametrize("layout", ["disjoint", "overlapping"])
@pytest.mark.parametrize(
    "pairs",
    [
        [[0, 2], [4, 6], [9, 9]],  # already normalised
        [[0, 2], [3, 6]],  # touching
        [[0, 5], [2, 3]],  # nested
        [[4, 6], [0, 2]],  # unsorted
        [[0, 3], [0, 1]],  # same start, ends descending
    ],
    ids=str,
)
def test_construction_matches_the_merge_whatever_the_order(pairs, layout):
    from napari_whiskertoolbox.core.intervals import merge_intervals

    arr = np.array(pairs, np.int64)
    ids = np.arange(1, len(pairs) + 1, dtype=np.uint64) + 1000
    series = DigitalIntervalSeries(arr, ids=ids, layout=layout)
    if layout == "disjoint":
        want_pairs, want_ids = merge_intervals(arr, ids)
    else:
        order = np.lexsort((arr[:, 1], arr[:, 0]))
        want_pairs, want_ids = arr[order], ids[order]
    np.testing.assert_array_equal(series.intervals, want_pairs)
    np.testing.assert_array_equal(series.ids, want_ids)
    assert arr.flags.writeable
    assert not np.shares_memory(series.intervals, arr)


def test_copy_false_takes_ownership_of_normalised_pairs():
    pairs = np.array([[0, 2], [5, 8]], np.int64)
    series = DigitalIntervalSeries(pairs, copy=False)
    assert np.shares_memory(series.intervals, pairs)
    assert not pairs.flags.writeable
