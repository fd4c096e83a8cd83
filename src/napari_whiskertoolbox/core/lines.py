"""LineData: any number of ordered (N, 2) float32 polylines per frame (whiskers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from napari_whiskertoolbox.core._arrays import float32_xy
from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.core.wtb_aliases import Line2D, RaggedAliases

__all__ = ["LineData"]


def as_line(obj: Any) -> np.ndarray:
    """Convert ``obj`` to an ``(N, 2)`` float32 line of ``(x, y)`` vertices (NaN kept)."""
    if hasattr(obj, "to_numpy"):
        obj = obj.to_numpy()
    arr = np.asarray(obj)
    if arr.size == 0:
        return np.empty((0, 2), np.float32)
    return float32_xy(arr, "a line must be an (N, 2) array of (x, y)", "line vertex")


class LineData(RaggedSeries, RaggedAliases):
    """Polylines per frame, stored as flat arrays (times, ids, offsets, coords).

    Parameters
    ----------
    image_size : (width, height), optional
        Size of the images the lines annotate.
    """

    coord_dtype = np.dtype(np.float32)
    has_offsets = True
    kind = "line"
    wtb_element = Line2D

    def _coerce_entry(self, obj: Any) -> np.ndarray:
        return as_line(obj)

    def _coerce_objects(self, objs: Any) -> list[np.ndarray]:
        if isinstance(objs, np.ndarray) and objs.dtype != object:
            if objs.ndim == 3:
                return [as_line(o) for o in objs]
            if objs.size == 0:
                return []
            raise ValueError(
                f"set_frame expects a list of (N, 2) lines, got an array of shape {objs.shape}"
            )
        return [as_line(o) for o in objs]

    def add(self, t: int, obj: Any) -> np.ndarray:
        """Append one ``(N, 2)`` line at frame ``t``; return its id (1-element array)."""
        return super().add(t, obj)

    def at(self, t: int) -> list[np.ndarray]:
        """Return the lines at frame ``t`` as a list of ``(Ni, 2)`` float32 read-only views."""
        return super().at(t)
