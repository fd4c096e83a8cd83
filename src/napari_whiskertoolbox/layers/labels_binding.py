"""MaskData key ↔ napari Labels layer showing the current frame's masks as one label image."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from napari.layers import Labels
from qtpy.QtCore import QTimer

from .binding import Binding
from .converters import label_dtype_for, label_image_to_masks, masks_to_label_image
from .key_table import bind_history_keys, unbind_history_keys

__all__ = ["LabelsBinding"]

FALLBACK_SIZE = (480, 640)
"""``(height, width)`` when neither the masks nor the media know the image size."""


class LabelsBinding(Binding):
    """Show a :class:`~napari_whiskertoolbox.core.MaskData` key as a 2-D Labels layer.

    The layer owns one ``(H, W)`` label image that each frame step rewrites in place (mask
    ``k`` of the frame → label ``k + 1``), followed by one refresh. ``label_ids[v - 1]`` is
    the entity id label ``v`` stands for, so painting or erasing keeps the ids of the masks
    that survive and gives new labels new ids.

    napari announces a paint stroke (``events.paint``) before the pixels are written, so the
    write-back is deferred to the next event-loop turn (and done at the latest before the
    layer shows another frame).
    """

    kinds: ClassVar[tuple[str, ...]] = ("mask",)

    def __init__(self, session: Any, key: str) -> None:
        super().__init__(session, key)
        self.label_ids = np.empty(0, dtype=np.uint64)
        self._edit_timer = QTimer()
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(0)
        self._edit_timer.timeout.connect(self.flush_pending_edit)
        self._edit_pending = False

    @property
    def edit_pending(self) -> bool:
        """Whether a paint stroke waits to be written to the DataManager."""
        return self._edit_pending

    def image_shape(self) -> tuple[int, int]:
        """``(height, width)`` of the label image: the masks' image size, else the media's."""
        size = getattr(self.data, "image_size", None)
        if size is not None:
            return int(size.height), int(size.width)
        media_shape = self.session.media_shape()
        if media_shape is not None:
            return media_shape
        return FALLBACK_SIZE

    def _make_layer(self) -> Labels:
        image = np.zeros(self.image_shape(), dtype=np.uint8)
        return Labels(image, name=self.key, opacity=0.5)

    def _render(self, index: int) -> None:
        layer = self.layer
        masks = self.data.at(index)
        self.label_ids = np.array(self.data.ids_at(index), dtype=np.uint64)
        image = layer.data
        if len(masks) == 0 and not image.any():
            return
        shape = self.image_shape()
        dtype = label_dtype_for(len(masks))
        fits = image.shape == shape and np.iinfo(image.dtype).max >= np.iinfo(dtype).max
        with self.quiet_swap():
            if fits:
                masks_to_label_image(masks, shape, out=image)
            else:
                layer.data = masks_to_label_image(masks, shape)

    def _connect_layer(self, layer: Labels) -> None:
        layer.events.paint.connect(self._on_layer_edit)
        layer.events.data.connect(self._on_layer_edit)
        bind_history_keys(layer, self.session, before=self.flush_pending_edit)

    def _disconnect_layer(self, layer: Labels) -> None:
        layer.events.paint.disconnect(self._on_layer_edit)
        layer.events.data.disconnect(self._on_layer_edit)
        unbind_history_keys(layer)

    def on_data_changed(self, frames: np.ndarray | None) -> None:
        """Write a pending stroke first, then redraw if the shown frame was touched."""
        self.flush_pending_edit()
        super().on_data_changed(frames)

    def detach(self, remove_layer: bool = True) -> None:
        """Write a pending stroke, then disconnect (and remove) the layer."""
        self.flush_pending_edit()
        super().detach(remove_layer)

    def _on_layer_edit(self, event: Any = None) -> None:
        if self.layer is not None:
            self._edit_pending = True
            self._edit_timer.start()

    def flush_pending_edit(self) -> None:
        """Write the layer's label image to the shown frame now if a stroke is pending."""
        if not self._edit_pending:
            return
        self._edit_pending = False
        self._edit_timer.stop()
        if self.layer is None:
            return
        masks, ids, labels = label_image_to_masks(self.layer.data, self.label_ids)
        new_ids = self.push_frame(masks, ids)
        label_ids = np.zeros(int(labels.max()) if labels.size else 0, dtype=np.uint64)
        label_ids[labels - 1] = new_ids
        self.label_ids = label_ids
