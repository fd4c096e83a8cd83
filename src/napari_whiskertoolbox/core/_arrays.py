"""Small numpy helpers shared by the containers."""

from __future__ import annotations

import numpy as np

__all__ = ["finite_xy", "holds_integers", "readonly", "readonly_view"]


def readonly(arr: np.ndarray) -> np.ndarray:
    """Mark ``arr`` read-only in place and return it."""
    arr.setflags(write=False)
    return arr


def readonly_view(arr: np.ndarray) -> np.ndarray:
    """Return a read-only view sharing ``arr``'s memory."""
    view = arr.view()
    view.setflags(write=False)
    return view


def holds_integers(arr: np.ndarray) -> bool:
    """Return True if ``arr`` has an integer dtype, or a float dtype and only whole values."""
    if np.issubdtype(arr.dtype, np.integer):
        return True
    return bool(np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)))


def finite_xy(arr: np.ndarray, shape_error: str, what: str) -> np.ndarray:
    """Check ``arr`` is a real ``(N, 2)`` array of finite ``(x, y)``; return it as float32.

    ``shape_error`` is the message for a wrong shape; ``what`` names one row in the others
    (``"point"``, ``"line vertex"``).
    """
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{shape_error}, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{what} coordinates must be real numbers, got dtype {arr.dtype}")
    out = arr.astype(np.float32)
    bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
    if bad.size:
        raise ValueError(f"{what} {int(bad[0])} is not finite: {arr[bad[0]].tolist()}")
    return out
