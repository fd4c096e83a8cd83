"""Write-back of edits for layers whose rows are objects with entity ids (Points, Shapes).

Row ``i`` of the layer is the object with entity id ``row_ids[i]``. napari's ``data``
event says which rows were added, removed or changed; the rows that survive keep their
ids, new rows get new ids, and the whole frame is written back as one undo step.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.layers.binding import Binding, BindingHost
from napari_whiskertoolbox.layers.converters import reconcile_row_ids

if TYPE_CHECKING:
    from napari.layers import Layer

__all__ = ["EDIT_ACTIONS", "RowBinding"]

EDIT_ACTIONS = ("added", "removed", "changed")
"""Values of napari's ``events.data.action`` that finish an edit of the layer's rows."""


class RowBinding(Binding):
    """A binding whose layer rows are objects of the shown frame, in entity-id order.

    Subclasses convert between the model's objects and the layer's rows
    (:meth:`_layer_objects`) and set :attr:`row_ids` whenever they render a frame.

    Parameters
    ----------
    session : BindingHost
        The session owning the viewer and the DataManager.
    key : str
        The DataManager key shown by this binding.
    """

    def __init__(self, session: BindingHost, key: str) -> None:
        super().__init__(session, key)
        self.row_ids = np.empty(0, dtype=np.uint64)
        """Entity id of each layer row (uint64, one per row)."""

    @abstractmethod
    def _layer_objects(self, layer: Layer) -> Any:
        """Return the layer's rows as model objects of the shown frame."""

    def _connect_layer(self, layer: Layer) -> None:
        layer.events.data.connect(self._on_layer_data)

    def _disconnect_layer(self, layer: Layer) -> None:
        layer.events.data.disconnect(self._on_layer_data)

    def _on_layer_data(self, event: Any) -> None:
        action = str(getattr(event, "action", "changed"))
        if action not in EDIT_ACTIONS or self.layer is None:
            return
        objects = self._layer_objects(self.layer)
        indices = tuple(i for i in (getattr(event, "data_indices", ()) or ()) if i is not None)
        ids = reconcile_row_ids(self.row_ids, len(objects), action, indices)
        self.row_ids = self.push_frame(objects, ids)
