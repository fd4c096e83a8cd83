"""Small numpy helpers shared by the containers."""

from __future__ import annotations

import numpy as np

__all__ = ["readonly", "readonly_view"]


def readonly(arr: np.ndarray) -> np.ndarray:
    """Mark ``arr`` read-only in place and return it."""
    arr.setflags(write=False)
    return arr


def readonly_view(arr: np.ndarray) -> np.ndarray:
    """Return a read-only view sharing ``arr``'s memory."""
    view = arr.view()
    view.setflags(write=False)
    return view
