"""LineData key ↔ napari Shapes layer of paths showing the current frame's lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from napari.layers import Shapes

from napari_whiskertoolbox.layers.binding import key_color
from napari_whiskertoolbox.layers.converters import layer_paths_to_lines, lines_to_layer_paths
from napari_whiskertoolbox.layers.row_edits import RowBinding

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["ShapesBinding"]

EDGE_WIDTH = 1.0
"""Path width in data pixels; napari gives shapes added by ``data =`` width 1 as well."""


class ShapesBinding(RowBinding):
    """Show a :class:`~napari_whiskertoolbox.core.LineData` key as a 2-D Shapes layer of paths.

    Frame swaps assign ``layer.data = (paths, "path")`` with the layer's events and
    thumbnail blocked and one refresh at the end: measured the cheapest public way (see
    ``benchmarks/bench_frame_step.py``). Shape ``i`` is the line with entity id
    ``row_ids[i]``; drawing, deleting or editing paths/vertices rewrites the shown frame.
    """

    kinds: ClassVar[tuple[DataKind, ...]] = ("line",)

    def _make_layer(self) -> Shapes:
        color = key_color(self.session.dm, self.key)
        layer = Shapes(
            ndim=2,
            name=self.key,
            shape_type="path",
            edge_color=color,
            edge_width=EDGE_WIDTH,
            face_color="transparent",
        )
        layer.current_edge_color = color
        layer.current_edge_width = EDGE_WIDTH
        layer.current_face_color = "transparent"
        return layer

    def _render(self, index: int) -> None:
        layer = self.layer
        lines = self.data.at(index)
        if len(lines) == 0 and layer.nshapes == 0:
            self.row_ids = np.empty(0, dtype=np.uint64)
            return
        with self.quiet_swap(layer.block_thumbnail_update()):
            paths = lines_to_layer_paths(lines)
            layer.data = (paths, ["path"] * len(paths))
        self.row_ids = np.array(self.data.ids_at(index), dtype=np.uint64)

    def _layer_objects(self, layer: Shapes) -> list[np.ndarray]:
        return layer_paths_to_lines(layer.data)
