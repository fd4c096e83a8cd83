"""Whether two data objects hold the same content, up to what a text format rounds."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["content_difference"]

_COORD_TOLERANCE = 1e-3
"""Largest coordinate or value difference (pixels, signal units) a text format may round to."""


def content_difference(ours: Any, read: Any) -> str | None:
    """Describe how ``read`` differs from ``ours`` (``None`` when they hold the same).

    Parameters
    ----------
    ours, read : data object
        Two objects of the DataManager's kinds (points, lines, masks, events, intervals,
        analog, tensors); coordinates and values may differ by the rounding of a text
        format (up to 1e-3 pixels or signal units; NaN equals NaN, and infinities of one sign
        equal each other), a mask's pixels may be in any order.

    Returns
    -------
    str or None
        What differs first (``"the frames differ"``, ``"the coordinates differ"``, ...).
    """
    if read is None or type(read) is not type(ours):
        return f"it reads as {type(read).__name__}, not {type(ours).__name__}"
    if hasattr(ours, "to_flat"):
        a, b = ours.to_flat(), read.to_flat()
        if not np.array_equal(a.times, b.times):
            return "the frames differ"
        if (a.offsets is None) != (b.offsets is None) or (
            a.offsets is not None and not np.array_equal(a.offsets, b.offsets)
        ):
            return "the objects per frame differ"
        if a.coords.shape != b.coords.shape or not _close(
            _canonical(a.coords, a.offsets), _canonical(b.coords, b.offsets)
        ):
            return "the coordinates differ"
        return None
    if hasattr(ours, "intervals"):
        return None if np.array_equal(ours.intervals, read.intervals) else "the intervals differ"
    if hasattr(ours, "values") and hasattr(ours, "is_dense"):
        if not np.array_equal(np.asarray(ours.times), np.asarray(read.times)):
            return "the sample times differ"
        return None if _close(ours.values, read.values) else "the values differ"
    if hasattr(ours, "times"):
        return None if np.array_equal(ours.times, read.times) else "the event times differ"
    if hasattr(ours, "values"):
        return None if _close(ours.values, read.values) else "the values differ"
    return f"{type(ours).__name__} cannot be compared"


def _canonical(coords: np.ndarray, offsets: np.ndarray | None) -> np.ndarray:
    """Sort integer pixel lists within each entry (a mask's pixels have no order)."""
    if offsets is None or not np.issubdtype(coords.dtype, np.integer):
        return coords
    parts = [coords[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    return np.concatenate(
        [p[np.lexsort((p[:, 0], p[:, 1]))] for p in parts] or [coords[:0]], axis=0
    )


def _close(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(
        np.allclose(a, b, rtol=0, atol=_COORD_TOLERANCE, equal_nan=True)
    )
