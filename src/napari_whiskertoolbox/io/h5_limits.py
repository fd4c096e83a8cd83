"""Refuse HDF5 datasets whose declared size a damaged file cannot hold.

A flipped byte in an HDF5 header can declare a dataset of terabytes; reading it would
allocate that much and fill it with the fill value (minutes of swapping before any error).
A dataset declaring more than :data:`MAX_RATIO` times the file's size, and more than
:data:`MIN_BYTES`, is refused before it is read.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MAX_RATIO", "MIN_BYTES", "check_dataset_size"]

MAX_RATIO = 200
"""Largest believable ratio of a dataset's bytes to the file's (gzip of NaN-filled pose arrays)."""
MIN_BYTES = 1 << 30
"""Datasets up to this size are always read."""


def check_dataset_size(dataset: Any, path: Path, what: str) -> None:
    """Raise :class:`FormatError` when ``dataset`` (h5py-like: shape, dtype) cannot be real.

    Parameters
    ----------
    dataset : h5py.Dataset or array-like
        Has ``shape`` and ``dtype``.
    path : Path
        The file (for its size and the message).
    what : str
        The dataset's name in the message.
    """
    n = 1
    for side in getattr(dataset, "shape", ()) or ():
        n *= int(side)
    nbytes = n * int(getattr(getattr(dataset, "dtype", None), "itemsize", 8) or 8)
    size = os.path.getsize(path)
    if nbytes > MIN_BYTES and nbytes > MAX_RATIO * size:
        raise FormatError(
            f"dataset {what!r} declares shape {tuple(dataset.shape)} ({nbytes} bytes) in a file "
            f"of {size} bytes; the file is damaged",
            path=path,
        )
