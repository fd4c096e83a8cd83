"""PointData key ↔ napari Points layer showing the current frame's points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from napari.layers import Points

from napari_whiskertoolbox.layers._napari_compat import move_points, move_points_on_canvas
from napari_whiskertoolbox.layers.binding import key_color
from napari_whiskertoolbox.layers.converters import layer_points_to_points, points_to_layer_points
from napari_whiskertoolbox.layers.row_edits import RowBinding

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["TRANSFORM_REFUSED", "PointsBinding"]

TRANSFORM_REFUSED = (
    "the transform tool moves the whole layer on screen, not the stored annotations; "
    "it is off for layers synced with WhiskerToolbox data"
)
"""Why napari's transform mode is refused on synced annotation layers."""


class PointsBinding(RowBinding):
    """Show a :class:`~napari_whiskertoolbox.core.PointData` key as a 2-D Points layer.

    Row ``i`` of the layer is the point with entity id ``row_ids[i]``; adding, moving,
    deleting or pasting points rewrites the shown frame with those ids kept. Points with a
    NaN or infinite coordinate (WhiskerToolbox's ``nan_handling: "Include"``) are not drawn
    and stay unchanged in the frame (the user is told once); every other point is drawn,
    coordinates outside the image included.
    """

    kinds: ClassVar[tuple[DataKind, ...]] = ("points",)
    blocked_modes: ClassVar[dict[str, str]] = {"transform": TRANSFORM_REFUSED}
    noun = "points"
    skips_unchanged_transforms = True  # and Points' per-step full reset

    def _make_layer(self) -> Points:
        color = key_color(self.session.dm, self.key)
        return Points(
            np.empty((0, 2), dtype=np.float32),
            ndim=2,
            name=self.key,
            size=8,
            face_color=color,
            border_color="black",
            border_width=0.1,
        )

    def _drawable(self, objects: Any) -> np.ndarray:
        points = np.asarray(objects)
        return np.isfinite(points).all(axis=1) if points.size else np.ones(len(points), bool)

    def _undrawn_message(self, index: int, undrawn: list[Any]) -> str:
        return f"{len(undrawn)} point(s) on frame {index} have a NaN or infinite coordinate"

    def _to_rows(self, objects: Any, keep: np.ndarray) -> list[np.ndarray]:
        return list(points_to_layer_points(np.asarray(objects)[keep]))

    def _show_rows(self, rows: list[np.ndarray]) -> None:
        """Show ``rows``; a frame with as many points as the last only moves the markers.

        Moving only the markers (``_napari_compat.move_points_on_canvas``) leaves the layer
        and its canvas as the full swap below does, without napari's re-slice and rebuild of
        the markers' sizes, colours and symbols; it declines (and the full swap runs) with a
        selection, a highlight, visible text or another point count.
        """
        layer = self.layer
        coords = np.asarray(rows, dtype=np.float32) if rows else np.empty((0, 2), np.float32)
        if len(coords) and move_points_on_canvas(self.session.viewer, layer, coords):
            self.session.schedule_thumbnails()
            return
        with self.quiet_swap():
            if layer.selected_data:
                layer.selected_data = set()
            if not move_points(layer, coords):  # same count: napari's per-point state stays
                layer.data = coords

    def _layer_rows(self, layer: Points) -> list[np.ndarray]:
        return list(np.asarray(layer.data)[:, -2:])

    def _layer_row_count(self) -> int:
        return 0 if self.layer is None else len(self.layer.data)

    def _rows_to_objects(self, layer: Points, rows: list[np.ndarray]) -> list[Any]:
        if not rows:
            return []
        return list(layer_points_to_points(np.asarray(rows)))

    def _pack(self, objects: list[Any]) -> np.ndarray:
        if not objects:
            return np.empty((0, 2), dtype=np.float32)
        return np.asarray(objects, dtype=np.float32).reshape(-1, 2)
