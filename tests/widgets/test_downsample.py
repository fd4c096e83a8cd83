"""Pure (Qt-free) tests of the timeline's downsampling, event binning and bar merging."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.widgets.timeline.sampling import (
    MAX_ROWS,
    PeakPyramid,
    event_ticks,
    merge_bars,
    occupied_cells,
    row_masks,
)


def brute_envelope(values: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each column given the envelope's column start indices."""
    starts = indices[0::2]
    bounds = np.append(starts[1:], None)
    mins = [values[s:e].min() for s, e in zip(starts, bounds)]
    maxs = [values[s:e].max() for s, e in zip(starts, bounds)]
    return np.array(mins), np.array(maxs)


def test_small_range_returns_raw_samples() -> None:
    values = np.arange(100, dtype=np.float32)
    env = PeakPyramid(values).envelope(10, 30, n_columns=50)
    assert env.is_raw
    np.testing.assert_array_equal(env.sample_indices, np.arange(10, 30))
    np.testing.assert_array_equal(env.values, values[10:30])


def test_envelope_keeps_single_sample_spike() -> None:
    values = np.zeros(1_000_000, np.float32)
    values[654_321] = 7.0
    values[123_457] = -3.0
    env = PeakPyramid(values).envelope(0, len(values), n_columns=800)
    assert not env.is_raw
    assert len(env) <= 4 * 800
    assert env.values.max() == 7.0
    assert env.values.min() == -3.0
    spike_column = np.searchsorted(env.sample_indices[0::2], 654_321, side="right") - 1
    assert env.values[1::2][spike_column] == 7.0


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(50, 5000),
    base=st.integers(2, 9),
    columns=st.integers(1, 60),
    data=st.data(),
)
def test_envelope_matches_brute_force(n: int, base: int, columns: int, data) -> None:
    rng = np.random.default_rng(n)
    values = rng.normal(size=n).astype(np.float32)
    start = data.draw(st.integers(0, n - 1))
    stop = data.draw(st.integers(start + 1, n))
    env = PeakPyramid(values, base=base).envelope(start, stop, columns)
    if env.is_raw:
        np.testing.assert_array_equal(env.values, values[start:stop])
        return
    mins, maxs = brute_envelope(values[:stop], env.sample_indices)
    assert env.sample_indices[0] == start
    np.testing.assert_array_equal(env.values[0::2], mins)
    np.testing.assert_array_equal(env.values[1::2], maxs)
    assert len(env) <= 4 * columns + 2


def test_envelope_ignores_nan_and_reports_range() -> None:
    values = np.array([np.nan, 1.0, 5.0, np.nan, -2.0] * 100, np.float32)
    pyramid = PeakPyramid(values, base=2)
    assert pyramid.value_range == (-2.0, 5.0)
    env = pyramid.envelope(0, len(values), 10)
    assert np.nanmax(env.values) == 5.0
    assert np.nanmin(env.values) == -2.0


def test_pyramid_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="1-D"):
        PeakPyramid(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="base"):
        PeakPyramid(np.zeros(3), base=1)


def test_event_ticks_returns_events_when_sparse() -> None:
    events = np.array([1.0, 5.0, 9.0, 50.0])
    np.testing.assert_array_equal(event_ticks(events, 0, 10, 100), [1.0, 5.0, 9.0])


def test_event_ticks_bins_per_column_when_dense() -> None:
    events = np.arange(0, 100_000, dtype=np.float64)
    ticks = event_ticks(events, 0, 99_999, 500)
    assert len(ticks) == 500
    sparse = np.array([0.0, 0.5, 10.0, 99.0])
    ticks = event_ticks(np.concatenate([sparse, np.linspace(20, 21, 1000)]), 0, 100, 10)
    # columns of width 10: events in columns 0, 1, 2 and 9
    np.testing.assert_allclose(ticks, [5.0, 15.0, 25.0, 95.0])


def test_merge_bars_merges_closer_than_gap_and_clips() -> None:
    starts = np.array([0, 10, 12, 30, 100])
    ends = np.array([5, 11, 20, 40, 110])
    s, e = merge_bars(starts, ends, 3, 50, min_gap=0.5)
    np.testing.assert_array_equal(s, [3, 10, 12, 30])
    np.testing.assert_array_equal(e, [5, 11, 20, 40])
    s, e = merge_bars(starts, ends, 3, 50, min_gap=5)
    np.testing.assert_array_equal(s, [3, 30])
    np.testing.assert_array_equal(e, [20, 40])


def test_merge_bars_handles_nested_overlapping_intervals() -> None:
    s, e = merge_bars(np.array([0, 2, 50]), np.array([40, 5, 60]), 0, 100, min_gap=1)
    np.testing.assert_array_equal(s, [0, 50])
    np.testing.assert_array_equal(e, [40, 60])
    s, e = merge_bars(np.array([]), np.array([]), 0, 1, 1)
    assert len(s) == 0


def test_occupied_cells_keep_separate_values_of_a_frame_apart():
    # 4 whiskers a frame over 100_000 frames: angles near 10, 20, 30 and 40 degrees
    x = np.repeat(np.arange(100_000, dtype=np.float64), 4)
    y = np.tile([10.0, 20.0, 30.0, 40.0], 100_000) + np.tile([0.0, 0.1, 0.0, -0.1], 100_000)
    y[5] = np.nan
    masks = row_masks(y, 9.9, 40.1, 40)
    assert masks[5] == 0  # NaN: in no row
    assert {int(m).bit_length() - 1 for m in masks[:4]} == {0, 13, 26, 39}
    cx, rows = occupied_cells(x, masks, 0.0, 99_999.0, 500)
    assert len(cx) == 4 * 500  # every column shows all four clouds, and nothing between
    assert set(rows.tolist()) == {0, 13, 26, 39}
    assert (cx >= 0).all()
    assert (cx <= 99_999).all()
    np.testing.assert_allclose(np.unique(cx), (np.arange(500) + 0.5) * 99_999 / 500)
    cx, rows = occupied_cells(x, masks, 200.0, 100.0, 10)  # empty view
    assert len(cx) == 0
    cx, rows = occupied_cells(x, masks, -50.0, -1.0, 10)  # nothing in view
    assert len(cx) == 0
    with pytest.raises(ValueError, match="n_rows"):
        row_masks(y, 0.0, 1.0, MAX_ROWS + 1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=200),
    st.integers(1, 30),
    st.integers(1, MAX_ROWS),
)
def test_occupied_cells_match_a_brute_force_grid(frames, n_columns, n_rows):
    x = np.sort(np.asarray(frames, dtype=np.float64))
    values = np.sin(x * 1.7 + np.arange(len(x)))
    masks = row_masks(values, -1.0, 1.0, n_rows)
    x0, x1 = 3.0, 40.0
    cx, rows = occupied_cells(x, masks, x0, x1, n_columns)
    width = (x1 - x0) / n_columns
    inside = (x >= x0) & (x <= x1)
    columns = np.minimum(((x[inside] - x0) / width).astype(int), n_columns - 1)
    expected_rows = np.clip(((values[inside] + 1.0) * n_rows / 2.0).astype(int), 0, n_rows - 1)
    expected = set(zip(columns.tolist(), expected_rows.tolist()))
    got = set(zip(np.round((cx - x0) / width - 0.5).astype(int).tolist(), rows.tolist()))
    assert got == expected
