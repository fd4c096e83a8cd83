"""Helpers for the containers' pickle support (``__getstate__`` / ``__setstate__``).

Containers pickle their numpy arrays as they are, so that with protocol 5 and a
``buffer_callback`` (what dask.distributed and multiprocessing use) every array travels
out of band, without a copy. Locks, psygnal signal instances, undo recorders and derived
views are not pickled: ``__setstate__`` rebuilds them, marks the arrays read-only again
and reserves the entity ids that came from another process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core._arrays import readonly
from napari_whiskertoolbox.core.entity import reserve_ids

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

__all__ = ["restored_array", "restored_ids"]


def restored_array(arr: np.ndarray, dtype: DTypeLike) -> np.ndarray:
    """Return an unpickled array as the read-only ``dtype`` array a container stores.

    An array rebuilt from an out-of-band buffer keeps that buffer (no copy) when it
    already has ``dtype``.
    """
    out = np.asarray(arr, dtype=dtype)
    return readonly(out)


def restored_ids(ids: np.ndarray) -> np.ndarray:
    """Return unpickled entity ids read-only; later allocations in this process exceed them."""
    out = restored_array(ids, np.uint64)
    if out.size:
        reserve_ids(int(out.max()))
    return out
