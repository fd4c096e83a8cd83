"""PointData key ↔ napari Points layer showing the current frame's points."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from napari.layers import Points

from napari_whiskertoolbox.layers.binding import key_color
from napari_whiskertoolbox.layers.converters import layer_points_to_points, points_to_layer_points
from napari_whiskertoolbox.layers.row_edits import RowBinding

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["PointsBinding"]


class PointsBinding(RowBinding):
    """Show a :class:`~napari_whiskertoolbox.core.PointData` key as a 2-D Points layer.

    Row ``i`` of the layer is the point with entity id ``row_ids[i]``; adding, moving or
    deleting points rewrites the shown frame with those ids kept.
    """

    kinds: ClassVar[tuple[DataKind, ...]] = ("points",)

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

    def _render(self, index: int) -> None:
        layer = self.layer
        points = self.data.at(index)
        if len(points) == 0 and len(layer.data) == 0:
            self.row_ids = np.empty(0, dtype=np.uint64)
            return
        with self.quiet_swap():
            if layer.selected_data:
                layer.selected_data = set()
            layer.data = points_to_layer_points(points)
        self.row_ids = np.array(self.data.ids_at(index), dtype=np.uint64)

    def _layer_objects(self, layer: Points) -> np.ndarray:
        return layer_points_to_points(layer.data)
