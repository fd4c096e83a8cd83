"""PointData key ↔ napari Points layer showing the current frame's points."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from napari.layers import Points

from .binding import Binding, key_color
from .converters import layer_points_to_points, points_to_layer_points, reconcile_row_ids

__all__ = ["PointsBinding"]

_EDIT_ACTIONS = ("added", "removed", "changed")


class PointsBinding(Binding):
    """Show a :class:`~napari_whiskertoolbox.core.PointData` key as a 2-D Points layer.

    Row ``i`` of the layer is the point with entity id ``row_ids[i]``; adding, moving or
    deleting points rewrites the shown frame with those ids kept.
    """

    kinds: ClassVar[tuple[str, ...]] = ("points",)

    def __init__(self, session: Any, key: str) -> None:
        super().__init__(session, key)
        self.row_ids = np.empty(0, dtype=np.uint64)

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

    def _connect_layer(self, layer: Points) -> None:
        layer.events.data.connect(self._on_layer_data)

    def _disconnect_layer(self, layer: Points) -> None:
        layer.events.data.disconnect(self._on_layer_data)

    def _on_layer_data(self, event: Any) -> None:
        action = str(getattr(event, "action", "changed"))
        if action not in _EDIT_ACTIONS or self.layer is None:
            return
        data = self.layer.data
        ids = reconcile_row_ids(
            self.row_ids, len(data), action, tuple(getattr(event, "data_indices", ()) or ())
        )
        self.row_ids = self.push_frame(layer_points_to_points(data), ids)
