"""Pure frame-navigation rules for the annotation workflow (numpy only, no Qt, no napari).

Frames are indices into the display clock; ``times_with_data`` is a sorted array of the
display frames on which the active key has at least one object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "clamp_frame",
    "next_frame_with_data",
    "next_frame_without_data",
    "previous_frame_with_data",
    "step_frame",
]


def clamp_frame(frame: int, n_frames: int) -> int:
    """Clamp ``frame`` to ``[0, n_frames - 1]`` (``0`` when there are no frames)."""
    if n_frames <= 0:
        return 0
    return int(min(max(int(frame), 0), n_frames - 1))


def step_frame(current: int, delta: int, n_frames: int) -> int:
    """Return ``current + delta`` clamped to the valid frame range."""
    return clamp_frame(int(current) + int(delta), n_frames)


def _sorted_times(times_with_data: ArrayLike) -> np.ndarray:
    """Sorted unique int64 frames; already sorted unique input is used as is (O(N) check)."""
    times = np.asarray(times_with_data, dtype=np.int64).ravel()
    if times.size > 1 and np.any(times[1:] <= times[:-1]):
        times = np.unique(times)
    return times


def next_frame_with_data(times_with_data: ArrayLike, current: int) -> int | None:
    """Return the first frame after ``current`` that has data, or ``None`` if there is none."""
    times = _sorted_times(times_with_data)
    index = int(np.searchsorted(times, int(current), side="right"))
    return int(times[index]) if index < times.size else None


def previous_frame_with_data(times_with_data: ArrayLike, current: int) -> int | None:
    """Return the last frame before ``current`` that has data, or ``None`` if there is none."""
    times = _sorted_times(times_with_data)
    index = int(np.searchsorted(times, int(current), side="left")) - 1
    return int(times[index]) if index >= 0 else None


def next_frame_without_data(times_with_data: ArrayLike, current: int, n_frames: int) -> int | None:
    """Return the first frame after ``current`` that has no data, or ``None`` if all are full.

    Scans the run of annotated frames after ``current`` in doubling blocks, so the cost
    follows the length of that run, not the session length.
    """
    times = _sorted_times(times_with_data)
    candidate = int(current) + 1
    position = int(np.searchsorted(times, candidate, side="left"))
    block = 64
    while position < times.size and candidate < n_frames:
        chunk = times[position : position + block]
        gaps = np.flatnonzero(chunk != candidate + np.arange(chunk.size, dtype=np.int64))
        if gaps.size:
            candidate += int(gaps[0])
            break
        candidate += chunk.size
        position += chunk.size
        block *= 2
    return candidate if candidate < n_frames else None
