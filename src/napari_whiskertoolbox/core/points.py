"""PointData: any number of (x, y) float32 points per frame, each with an entity id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core._arrays import float32_xy
from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.core.wtb_aliases import Point2D, PointAliases

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["PointData"]


def _as_points(obj: Any) -> np.ndarray:
    arr = np.asarray(obj if not isinstance(obj, (list, tuple)) else [np.asarray(o) for o in obj])
    if arr.ndim == 1 and arr.shape[0] == 2:
        arr = arr[np.newaxis]
    if arr.size == 0:
        return np.empty((0, 2), np.float32)
    return float32_xy(arr, "points must be (x, y) or an (N, 2) array", "point")


class PointData(RaggedSeries, PointAliases):
    """Points per frame, stored as flat arrays (one coordinate per entry).

    Parameters
    ----------
    image_size : (width, height), optional
        Size of the images the points annotate.

    Examples
    --------
    >>> pts = PointData()
    >>> ids = pts.add(0, [[10.0, 20.0], [30.0, 40.0]])
    >>> pts.at(0).shape
    (2, 2)
    """

    coord_dtype = np.dtype(np.float32)
    has_offsets = False
    kind = "point"
    wtb_element = Point2D

    def _coerce_entry(self, obj: Any) -> np.ndarray:
        pts = _as_points(obj)
        if pts.shape[0] != 1:
            raise ValueError(f"expected one (x, y) point, got {pts.shape[0]} points")
        return pts

    def _coerce_add(self, obj: Any) -> list[np.ndarray]:
        pts = _as_points(obj)
        return [pts[k : k + 1] for k in range(pts.shape[0])]

    def _coerce_objects(self, objs: Any) -> list[np.ndarray]:
        return self._coerce_add(objs)

    def add(self, t: int, obj: Any) -> np.ndarray:
        """Append one ``(x, y)`` point or an ``(N, 2)`` array at frame ``t``; return N ids."""
        return super().add(t, obj)

    def at(self, t: int) -> np.ndarray:
        """Return the ``(N, 2)`` float32 points at frame ``t`` (read-only view)."""
        return self._frame(int(t)).coords

    def set_frame(self, t: int, objs: Any, ids: Iterable[int | None] | None = None) -> np.ndarray:
        """Replace the points at frame ``t`` with ``(N, 2)`` ``objs`` (one undo step).

        Given ``ids`` are kept; ``0``/``None`` get new ids. Returns the ids in order.
        """
        return super().set_frame(t, objs, ids)

    def find(self, entity_id: int) -> tuple[int, np.ndarray] | None:
        """Return ``(frame, (2,) point)`` of ``entity_id``, or None."""
        found = super().find(entity_id)
        return None if found is None else (found[0], found[1][0])
