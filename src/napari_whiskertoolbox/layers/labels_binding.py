"""MaskData key ↔ napari Labels layer showing the current frame's masks as one label image."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from napari.layers import Labels
from napari.utils.colormaps import CyclicLabelColormap
from napari.utils.notifications import show_info
from qtpy.QtCore import QTimer

from napari_whiskertoolbox.layers._napari_compat import (
    clear_paint_history,
    clip_labels_draw,
    finish_labels_polygon,
    main_window,
)
from napari_whiskertoolbox.layers.binding import KEY_COLORS, Binding, BindingHost, key_color
from napari_whiskertoolbox.layers.converters import label_dtype_for, masks_to_label_image
from napari_whiskertoolbox.layers.history_keys import bind_history_keys, unbind_history_keys
from napari_whiskertoolbox.layers.label_contrast import first_media_luminance, mask_color
from napari_whiskertoolbox.layers.label_regions import (
    Box,
    box_area,
    box_exceeds,
    clip_box,
    label_image_box,
    masks_extent,
    union_box,
)
from napari_whiskertoolbox.layers.mask_edits import merge_label_edit, renumbering
from napari_whiskertoolbox.layers.points_binding import TRANSFORM_REFUSED

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari.layers import Layer

    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["LabelsBinding", "mask_colormap"]


def mask_colormap(dm: Any, key: str, background: float | None = None) -> Any:
    """Return the label colours of mask ``key``: its key colour, then the other key colours.

    napari's own label colours are random and some were dark or grey, hard to see at the
    layer's half opacity on a mid-grey frame; these are the light :data:`KEY_COLORS`. With
    ``background`` (the relative luminance of the session's frames) each is made light or
    dark to read there (:func:`~.label_contrast.mask_color`, the keypoint labels' rule):
    label 1 was pale lavender, all but invisible on white frames.
    """
    from napari.utils.colormaps.standardize_color import transform_color

    first = key_color(dm, key)
    rest = [color for color in KEY_COLORS if color != first]
    palette = [first, *rest]
    if background is not None:
        palette = [mask_color(color, background) for color in palette]
    colors = transform_color(palette)
    background = np.zeros((1, 4), dtype=colors.dtype)
    return CyclicLabelColormap(colors=np.vstack([background, colors]))


FALLBACK_SIZE = (480, 640)
"""``(height, width)`` when neither the masks nor the media know the image size."""
PARTIAL_SWAP_MAX_FRACTION = 0.25
"""A frame swap whose changed window covers at most this fraction of the label image is
written pixel by pixel through napari's partial texture update; larger ones refresh all."""
_UNKNOWN = "unknown"
STROKE_MODES = frozenset({"paint", "erase"})
"""Labels modes whose mouse drag paints a stroke over several mouse events."""
STROKE_HELD = (
    "the paint stroke stays on the frame it started on; the layer shows the new frame's "
    "masks when you release the mouse"
)
"""Told (once per stroke) when the frame changes under a stroke."""


class LabelsBinding(Binding):
    """Show a :class:`~napari_whiskertoolbox.core.MaskData` key as a 2-D Labels layer.

    The layer owns one ``(H, W)`` label image that each frame step rewrites in place (mask
    ``k`` of the frame → label ``k + 1``). ``label_ids[v - 1]`` is the entity id label ``v``
    stands for, so painting or erasing keeps the ids of the masks that survive and gives
    new labels new ids.

    A frame step only rewrites the window around the old and the new frame's masks. While
    the viewer is on screen, a small window goes through ``Labels.data_setitem``, which
    uploads just those pixels to the canvas texture (a full refresh re-sends the layer's
    transform down the scene graph and costs several times more); napari also keeps those
    swaps in the layer's own paint history, which is never used because Ctrl+Z and the
    layer's ``undo()`` / ``redo()`` go to the DataManager. A hidden viewer has no texture yet, so there (and for large windows) the
    image is rewritten in place and refreshed once.

    napari announces a paint stroke (``events.paint``) before the pixels are written, so the
    write-back is deferred to the next event-loop turn (and done at the latest before the
    layer shows another frame). Only the masks whose labels the edit changed are rewritten
    (:func:`~napari_whiskertoolbox.layers.mask_edits.merge_label_edit`): every other mask
    of the frame is kept exactly, and pixels the image cannot show (outside it, or under
    another mask) stay in the DataManager. napari's own paint history is emptied after
    each swap and each stored edit, so it never replays a frame swap; Ctrl+Z on the layer,
    and the layer's own ``undo()`` / ``redo()`` (what napari's Labels key bindings and
    scripts call), go to the DataManager's history
    (:func:`~napari_whiskertoolbox.layers.history_keys.bind_history_keys`).

    A frame's masks are a list: label ``k + 1`` is mask ``k``, which is all the DataManager
    and the saved files keep. An edit that leaves the labels numbered otherwise (a new
    label painted as 5 on a frame of one mask, a mask erased whole before others) shows the
    stored numbering at once, and the first time for the key says why.

    A brush or eraser stroke is one undo step on the frame it started on: it is stored
    when the mouse is released (napari refreshes the layer at every mouse move of it), and
    while the button is held the layer keeps showing that frame even when the frame changes
    under it (the next-frame key, playback); the new frame is shown once the stroke is
    stored.
    """

    kinds: ClassVar[tuple[DataKind, ...]] = ("mask",)
    blocked_modes: ClassVar[dict[str, str]] = {"transform": TRANSFORM_REFUSED}
    skips_unchanged_transforms = True  # a full label refresh (hidden viewer, new dtype)

    def __init__(self, session: BindingHost, key: str) -> None:
        super().__init__(session, key)
        self.label_ids = np.empty(0, dtype=np.uint64)
        self._edit_timer = QTimer()
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(0)
        self._edit_timer.timeout.connect(self._flush_after_stroke)
        self._edit_pending = False
        self._drawn_box: Box | str | None = _UNKNOWN
        """Box around the label image's non-zero pixels, or ``_UNKNOWN`` after a paint."""
        self._stroke_index: int | None = None
        """The shown index while a brush or eraser stroke is in progress."""
        self._held = False
        """Whether a frame change waits for the stroke in progress to end."""
        self._renumber_told = False
        """Whether the user was told that an edit renumbered the labels of a frame."""

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

    @property
    def stroke_in_progress(self) -> bool:
        """Whether the mouse button of a brush or eraser stroke is held on the layer."""
        return self._stroke_index is not None

    def show_index(self, index: int, force: bool = False) -> None:
        """Show ``index``, or hold it until the stroke in progress ends (then show it)."""
        stroke = self._stroke_index is not None and self.layer is not None
        if stroke and (force or index != self.shown_index):
            self.wanted_index = index
            if not self._held:
                self._held = True
                show_info(f"{self.key}: {STROKE_HELD}")
            return
        super().show_index(index, force)

    def _track_stroke(self, layer: Labels, event: Any) -> Iterator[None]:
        """Mouse-drag callback: note a brush or eraser stroke from press to release."""
        if str(layer.mode) not in STROKE_MODES or self.shown_index is None:
            return
        self._stroke_index = self.shown_index
        try:
            yield
            while event.type == "mouse_move":
                yield
        finally:
            self._stroke_index = None
            if self._held:
                # After napari's own release handling, which announces the stroke.
                QTimer.singleShot(0, self._show_held_frame)
            elif self._edit_pending:
                self._edit_timer.start()

    def _flush_after_stroke(self) -> None:
        """Store a pending edit, unless a stroke is still being painted (one stroke, one step).

        napari refreshes the layer at each mouse move of a stroke; the stroke is stored
        when the mouse is released.
        """
        if self._stroke_index is None:
            self.flush_pending_edit()

    def _show_held_frame(self) -> None:
        """Store the finished stroke on its frame, then show the frame asked for meanwhile."""
        if not self._held or self._stroke_index is not None:
            return
        self._held = False
        if self.wanted_index is not None:
            self.show_index(self.wanted_index, force=True)

    def attach(self, layer: Layer | None = None) -> Layer:
        """Create (or adopt) the layer; the canvas shades it only where labels can be."""
        layer = super().attach(layer)
        clip_labels_draw(self.session.viewer, layer, self._draw_region)
        return layer

    def _draw_region(self) -> Box | None:
        """Box holding every label of the layer's image (empty: none), ``None``: draw it whole.

        ``None`` (the whole image is drawn) also when label 0 may have a colour: a colormap
        other than napari's cyclic one, or one whose transparent background is another label.
        """
        layer = self.layer
        if layer is None or layer.data.ndim != 2:
            return None
        box = self._drawn_box
        if isinstance(box, str):  # napari refreshed or painted the layer: find the labels
            if not isinstance(layer.data, np.ndarray):
                return None
            box = self._drawn_box = label_image_box(layer.data)
        colormap = layer.colormap
        if not isinstance(colormap, CyclicLabelColormap) or colormap.background_value != 0:
            return None
        return (0, 0, 0, 0) if box is None else box

    def _make_layer(self) -> Labels:
        image = np.zeros(self.image_shape(), dtype=np.uint8)
        dm = self.session.dm
        colormap = mask_colormap(dm, self.key, first_media_luminance(dm))
        return Labels(image, name=self.key, opacity=0.5, colormap=colormap)

    def _render(self, index: int) -> None:
        layer = self.layer
        masks = self.data.at(index)
        self.label_ids = np.array(self.data.ids_at(index), dtype=np.uint64)
        image = layer.data
        shape = self.image_shape()
        dtype = label_dtype_for(len(masks))
        fits = image.shape == shape and np.iinfo(image.dtype).max >= np.iinfo(dtype).max
        if self._drawn_box == _UNKNOWN:
            self._drawn_box = label_image_box(image) if fits else None
        extent = masks_extent(masks)
        if not self._undrawn_told and box_exceeds(extent, shape):
            self.tell_undrawn_once(
                f"mask pixels on frame {index} lie outside the {shape[1]}x{shape[0]} image"
            )
        new_box = clip_box(extent, shape)
        window = union_box(self._drawn_box, new_box) if fits else None
        if fits and window is None:
            return  # nothing drawn before, nothing to draw now
        partial = (
            window is not None
            and box_area(window) <= PARTIAL_SWAP_MAX_FRACTION * image.size
            and self._viewer_on_screen()
        )
        if partial:
            self._write_window(masks, window)
        else:
            with self.quiet_swap():
                if fits:
                    masks_to_label_image(masks, shape, out=image)
                else:
                    layer.data = masks_to_label_image(masks, shape)
        self._drawn_box = new_box
        if not fits:  # napari may have made a node for the new dtype or size
            clip_labels_draw(self.session.viewer, layer, self._draw_region)

    def _write_window(self, masks: list[np.ndarray], window: Box) -> None:
        """Rewrite only the pixels of ``window`` that change, through napari's partial update."""
        layer = self.layer
        y0, y1, x0, x1 = window
        image = layer.data
        fresh = np.zeros((y1 - y0, x1 - x0), dtype=image.dtype)
        masks_to_label_image(masks, fresh.shape, out=fresh, origin=(x0, y0))
        rows, cols = np.nonzero(fresh != image[y0:y1, x0:x1])
        if rows.size == 0:
            return
        with layer.events.paint.blocker(), layer.events.data.blocker(), self.layer_list_quiet():
            layer.data_setitem((rows + y0, cols + x0), fresh[rows, cols])
        clear_paint_history(layer)
        self.session.schedule_thumbnails()

    def _viewer_on_screen(self) -> bool:
        viewer = self.session.viewer
        try:
            return viewer is not None and main_window(viewer).isVisible()
        except RuntimeError:
            return False

    def _connect_layer(self, layer: Labels) -> None:
        layer.events.paint.connect(self._on_layer_edit)
        layer.events.data.connect(self._on_layer_edit)
        layer.events.set_data.connect(self._on_set_data)
        layer.mouse_drag_callbacks.append(self._track_stroke)
        bind_history_keys(
            layer, self.session.dm, before=self.flush_pending_edit, session=self.session
        )

    def _disconnect_layer(self, layer: Labels) -> None:
        layer.events.paint.disconnect(self._on_layer_edit)
        layer.events.data.disconnect(self._on_layer_edit)
        layer.events.set_data.disconnect(self._on_set_data)
        if self._track_stroke in layer.mouse_drag_callbacks:
            layer.mouse_drag_callbacks.remove(self._track_stroke)
        self._stroke_index = None
        self._held = False
        unbind_history_keys(layer)

    def on_data_changed(self, frames: np.ndarray | None) -> None:
        """Write a pending stroke first, then redraw if the shown frame was touched."""
        self.flush_pending_edit()
        super().on_data_changed(frames)

    def detach(self, remove_layer: bool = True) -> None:
        """Write a pending stroke, then disconnect (and remove) the layer."""
        self.flush_pending_edit()
        super().detach(remove_layer)

    def _on_set_data(self, event: Any = None) -> None:
        """Treat a refresh that is not the binding's own as a possible edit.

        Pixels written in place (``layer.data[...] = …`` then ``layer.refresh()``) are an
        edit; otherwise the write-back finds nothing changed and stores nothing.
        """
        if not self._own_refresh:
            self._on_layer_edit()

    def _on_layer_edit(self, event: Any = None) -> None:
        if self.layer is not None:
            self._drawn_box = _UNKNOWN
            self._edit_pending = True
            self._edit_timer.start()

    def flush_pending_edit(self) -> None:
        """Write the edited masks of the shown frame now if a stroke is pending.

        A polygon still being drawn with the polygon tool is painted first, on the frame it
        was started on (napari would paint it on whatever frame is shown when it is
        finished).
        """
        layer = self.layer
        if layer is not None and self.shown_index is not None:
            finish_labels_polygon(layer)  # its paint event makes the edit pending
        if not self._edit_pending:
            return
        self._edit_pending = False
        self._edit_timer.stop()
        layer = self.layer
        if layer is None or self.shown_index is None:
            return
        data, index = self.data, self.shown_index
        masks = data.at(index)
        ids = np.asarray(data.ids_at(index), dtype=np.uint64)
        label_of = {int(i): v for v, i in enumerate(self.label_ids.tolist(), start=1) if i}
        labels = [label_of.get(int(i), 0) for i in ids]
        after = np.asarray(layer.data)
        before = masks_to_label_image(masks, after.shape, labels=labels)
        clear_paint_history(layer)  # the DataManager holds the stroke now
        merged = merge_label_edit(masks, ids, labels, before, after)
        if merged is None:
            return
        new_masks, new_ids, new_labels = merged
        stored = self.push_frame(new_masks, new_ids)
        renumbered = renumbering(new_labels)
        if renumbered:
            self._show_renumbered(index, renumbered)
            return
        label_ids = np.zeros(max(new_labels, default=0), dtype=np.uint64)
        for label, entity_id in zip(new_labels, stored.tolist()):
            if label:
                label_ids[label - 1] = entity_id
        self.label_ids = label_ids

    def _show_renumbered(self, index: int, renumbered: dict[int, int]) -> None:
        """Show the stored frame, whose labels an edit renumbered; say so once per key.

        The brush keeps painting the mask it painted: a selected label that was renumbered
        becomes its new number.
        """
        layer = self.layer
        self._render(index)
        selected = int(layer.selected_label)
        if selected in renumbered:
            layer.selected_label = renumbered[selected]
        if self._renumber_told:
            return
        self._renumber_told = True
        moves = ", ".join(f"{old} is now {new}" for old, new in sorted(renumbered.items())[:4])
        more = ", …" if len(renumbered) > 4 else ""
        show_info(
            f"{self.key}, frame {index}: label {moves}{more}. A frame's labels number its "
            "masks 1, 2, … in the order they are stored and saved: a new label takes the "
            "next number, the labels after a mask erased whole move down (told once)."
        )
