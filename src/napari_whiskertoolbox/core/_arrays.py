"""Small numpy helpers shared by the containers."""

from __future__ import annotations

import numpy as np

__all__ = [
    "float32_xy",
    "holds_integers",
    "is_strictly_increasing",
    "owned",
    "readonly",
    "readonly_view",
]

_CHECK_CHUNK = 1 << 20


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


def float32_xy(arr: np.ndarray, shape_error: str, what: str) -> np.ndarray:
    """Check ``arr`` is a real ``(N, 2)`` array of ``(x, y)``; return it as float32.

    NaN and infinite coordinates are kept (WhiskerToolbox's line and point files hold
    them, ``wt_loaders.md`` §11); a finite value too large for float32 is refused, as it
    would silently become infinite. ``shape_error`` is the message for a wrong shape;
    ``what`` names one row in the others (``"point"``, ``"line vertex"``).
    """
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{shape_error}, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{what} coordinates must be real numbers, got dtype {arr.dtype}")
    with np.errstate(over="ignore", invalid="ignore"):
        out = arr.astype(np.float32)
    bad = overflowed_rows(arr, out)
    if bad.size:
        raise ValueError(f"{what} {int(bad[0])} does not fit in float32: {arr[bad[0]].tolist()}")
    return out


def overflowed_rows(source: np.ndarray, converted: np.ndarray) -> np.ndarray:
    """Return the rows of ``converted`` holding a non-finite value ``source`` had finite.

    Only a float wider than float32 can overflow; for any other ``source`` dtype the
    answer is empty without a look at the values.
    """
    if source.dtype.kind != "f" or source.dtype.itemsize <= 4:
        return np.empty(0, dtype=np.intp)
    lost = ~np.isfinite(converted) & np.isfinite(source)
    return np.flatnonzero(lost.reshape(lost.shape[0], -1).any(axis=1))


def is_strictly_increasing(arr: np.ndarray) -> bool:
    """Return True if the 1-D ``arr`` is sorted with no repeats (O(n), chunked).

    The comparison runs over chunks of about a million elements, so the only temporary is
    a 1 MB boolean buffer whatever the length.
    """
    n = arr.shape[0]
    for start in range(0, max(n - 1, 0), _CHECK_CHUNK):
        stop = min(start + _CHECK_CHUNK, n - 1)
        if not np.all(arr[start + 1 : stop + 1] > arr[start:stop]):
            return False
    return True


def owned(arr: np.ndarray, source: object) -> np.ndarray:
    """Return ``arr``, copied if it may share memory with the caller's ``source``.

    Containers mark their arrays read-only in place; this keeps that from reaching an array
    the caller still holds (an ``astype(copy=False)`` or ``asarray`` of the input).
    """
    base = source if isinstance(source, np.ndarray) else None
    if base is None and hasattr(source, "__array__"):
        base = np.asarray(source)
    if base is not None and np.may_share_memory(arr, base):
        return arr.copy()
    return arr
