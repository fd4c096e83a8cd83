"""DigitalEventSeries: sorted unique times with ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import DigitalEventSeries

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.history import Change


def test_construction_sorts_and_dedupes_keeping_first_id():
    ev = DigitalEventSeries([5, 1, 5, 3], ids=[10, 11, 12, 13])
    np.testing.assert_array_equal(ev.times, [1, 3, 5])
    np.testing.assert_array_equal(ev.ids, [11, 13, 10])
    assert not ev.times.flags.writeable


def test_add_remove_contains_and_signal():
    ev = DigitalEventSeries()
    changes: list[Change] = []
    ev.changed.connect(changes.append)
    first = ev.add(7)
    assert ev.add(7) == first
    ev.add(3)
    assert ev.contains(7)
    assert 3 in ev
    assert not ev.contains(4)
    assert ev.remove(7)
    assert not ev.remove(7)
    np.testing.assert_array_equal(ev.times, [3])
    assert [c.frames.tolist() for c in changes] == [[7], [3], [7]]


def test_in_range_inclusive_view():
    ev = DigitalEventSeries([1, 5, 10, 15])
    got = ev.in_range(5, 10)
    np.testing.assert_array_equal(got, [5, 10])
    assert np.shares_memory(got, ev.times)
    np.testing.assert_array_equal(ev.ids_in_range(5, 10), ev.ids[1:3])


def test_set_times_keeps_ids_of_surviving_events():
    ev = DigitalEventSeries([1, 2, 3])
    old = dict(zip(ev.times.tolist(), ev.ids.tolist()))
    seen: list[Change] = []
    ev.changed.connect(seen.append)
    ev.set_times([3, 2, 9])
    np.testing.assert_array_equal(ev.times, [2, 3, 9])
    assert ev.ids[0] == old[2]
    assert ev.ids[1] == old[3]
    assert ev.ids[2] not in old.values()
    assert seen[-1].frames.tolist() == [1, 9]


def test_invalid_times():
    with pytest.raises(ValueError, match="integers"):
        DigitalEventSeries([1.5])
    with pytest.raises(ValueError, match="ids"):
        DigitalEventSeries([1, 2], ids=[1])


def test_sorted_unique_times_are_taken_without_touching_the_callers_array():
    times = np.array([2, 4, 9], dtype=np.int64)
    ev = DigitalEventSeries(times)
    np.testing.assert_array_equal(ev.times, [2, 4, 9])
    assert not np.shares_memory(ev.times, times)
    assert times.flags.writeable  # the caller's array is not made read-only
    times[0] = 100
    assert ev.times[0] == 2
    ids = np.array([7, 8, 9], dtype=np.uint64)
    with_ids = DigitalEventSeries(times[1:] * 0 + [3, 5], ids=ids[:2])
    assert not np.shares_memory(with_ids.ids, ids)


def test_copy_false_takes_ownership_of_sorted_int64_times():
    times = np.arange(0, 50, 5, dtype=np.int64)
    ev = DigitalEventSeries(times, copy=False)
    assert np.shares_memory(ev.times, times)
    assert not times.flags.writeable
    assert len(np.unique(ev.ids)) == len(times)
    assert ev.ids.min() > 0


@pytest.mark.parametrize("times", [[3, 1, 2], [1, 1, 2], [5, 5, 5], [0, 2, 1, 3]], ids=str)
def test_fast_path_never_skips_sorting_or_dedup(times):
    ids = np.arange(10, 10 + len(times), dtype=np.uint64)
    ev = DigitalEventSeries(np.array(times, np.int64), ids=ids, copy=False)
    expected, first = np.unique(times, return_index=True)
    np.testing.assert_array_equal(ev.times, expected)
    np.testing.assert_array_equal(ev.ids, ids[first])


def test_strided_and_other_dtype_times():
    base = np.arange(20, dtype=np.int32)
    ev = DigitalEventSeries(base[::4])
    np.testing.assert_array_equal(ev.times, [0, 4, 8, 12, 16])
    assert ev.times.dtype == np.int64
    assert base.flags.writeable
