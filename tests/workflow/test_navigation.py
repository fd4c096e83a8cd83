"""Pure frame-navigation rules (no Qt)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from napari_whiskertoolbox.workflow import navigation


@pytest.mark.parametrize(
    ("current", "delta", "n_frames", "expected"),
    [(5, 1, 10, 6), (5, -1, 10, 4), (9, 10, 10, 9), (3, -10, 10, 0), (0, 1, 0, 0)],
)
def test_step_frame_clamps(current: int, delta: int, n_frames: int, expected: int) -> None:
    assert navigation.step_frame(current, delta, n_frames) == expected


def test_next_and_previous_frame_with_data() -> None:
    times = np.array([2, 5, 9])
    assert navigation.next_frame_with_data(times, 0) == 2
    assert navigation.next_frame_with_data(times, 2) == 5
    assert navigation.next_frame_with_data(times, 9) is None
    assert navigation.previous_frame_with_data(times, 9) == 5
    assert navigation.previous_frame_with_data(times, 3) == 2
    assert navigation.previous_frame_with_data(times, 2) is None
    assert navigation.next_frame_with_data(np.array([], np.int64), 0) is None


def test_next_frame_without_data_skips_the_annotated_run() -> None:
    times = np.array([3, 4, 5, 6, 8])
    assert navigation.next_frame_without_data(times, 2, 20) == 7
    assert navigation.next_frame_without_data(times, 6, 20) == 7
    assert navigation.next_frame_without_data(times, 7, 20) == 9
    assert navigation.next_frame_without_data(times, 0, 20) == 1
    assert navigation.next_frame_without_data(np.arange(10), 3, 10) is None
    assert navigation.next_frame_without_data(times, 19, 20) is None


@given(
    st.sets(st.integers(0, 60), max_size=40),
    st.integers(0, 60),
)
def test_navigation_matches_a_linear_scan(annotated: set[int], current: int) -> None:
    n_frames = 61
    times = np.array(sorted(annotated), dtype=np.int64)
    later = [t for t in range(current + 1, n_frames) if t in annotated]
    earlier = [t for t in range(current) if t in annotated]
    empty = [t for t in range(current + 1, n_frames) if t not in annotated]
    assert navigation.next_frame_with_data(times, current) == (later[0] if later else None)
    assert navigation.previous_frame_with_data(times, current) == (earlier[-1] if earlier else None)
    assert navigation.next_frame_without_data(times, current, n_frames) == (
        empty[0] if empty else None
    )


def test_next_frame_without_data_after_a_long_annotated_run() -> None:
    times = np.concatenate([np.arange(10, 5000), np.arange(5001, 9000)])
    assert navigation.next_frame_without_data(times, 9, 10_000) == 5000
    assert navigation.next_frame_without_data(times, 5000, 10_000) == 9000
    assert navigation.next_frame_without_data(np.arange(10_000), 0, 10_000) is None
    unsorted_with_duplicates = np.array([7, 5, 6, 5, 9])
    assert navigation.next_frame_without_data(unsorted_with_duplicates, 4, 20) == 8
    assert navigation.next_frame_with_data(unsorted_with_duplicates, 7) == 9
