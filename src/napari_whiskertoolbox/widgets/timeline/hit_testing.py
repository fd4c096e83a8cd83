"""Qt-free hit tests on the timeline: interval edges, event marks, next/previous mark."""

from __future__ import annotations

import numpy as np

__all__ = ["edge_at", "frame_of", "nearest_mark", "step_mark"]


def frame_of(position: float | np.ndarray) -> np.ndarray:
    """Display frame holding display ``position`` (a frame spans ``[i, i + 1)`` of a finer clock).

    Whole-number positions (keys on the display clock) map to themselves.
    """
    return np.floor(np.asarray(position, dtype=np.float64) + 1e-9)


def edge_at(
    starts: np.ndarray, ends: np.ndarray, x: float, tolerance: float
) -> tuple[int, str] | None:
    """Return the interval edge within ``tolerance`` of ``x``, nearest first.

    Parameters
    ----------
    starts, ends : numpy.ndarray
        Drawn left and right edges of each interval (display coordinates).
    x : float
        Pointer position.
    tolerance : float
        Maximum distance, in display units.

    Returns
    -------
    tuple or None
        ``(row, "start" | "end")`` of the closest edge, or ``None`` when none is close.
    """
    if len(starts) == 0:
        return None
    d_start = np.abs(np.asarray(starts, dtype=np.float64) - x)
    d_end = np.abs(np.asarray(ends, dtype=np.float64) - x)
    row_start, row_end = int(np.argmin(d_start)), int(np.argmin(d_end))
    best_start, best_end = d_start[row_start], d_end[row_end]
    if min(best_start, best_end) > tolerance:
        return None
    return (row_end, "end") if best_end < best_start else (row_start, "start")


def nearest_mark(marks: np.ndarray, x: float, tolerance: float) -> float | None:
    """Return the mark (sorted positions) closest to ``x`` if within ``tolerance``, else ``None``."""
    if len(marks) == 0:
        return None
    i = int(np.searchsorted(marks, x))
    candidates = [j for j in (i - 1, i) if 0 <= j < len(marks)]
    best = min(candidates, key=lambda j: abs(marks[j] - x))
    return float(marks[best]) if abs(marks[best] - x) <= tolerance else None


def step_mark(marks: np.ndarray, frame: float, step: int) -> float | None:
    """Return the first mark after ``frame`` (``step=+1``) or before it (``step=-1``), or ``None``.

    ``marks`` are sorted display positions; each is taken as the frame it falls in
    (``floor``), so a mark inside the current frame is not returned again.
    """
    if len(marks) == 0:
        return None
    rounded = frame_of(np.asarray(marks, dtype=np.float64))
    if step > 0:
        i = int(np.searchsorted(rounded, frame, side="right"))
        return float(rounded[i]) if i < len(rounded) else None
    i = int(np.searchsorted(rounded, frame, side="left")) - 1
    return float(rounded[i]) if i >= 0 else None
