"""Media key (video / image stack) → napari Image layer, sliced lazily by napari."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from napari.layers import Image

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.layers.binding import Binding
from napari_whiskertoolbox.layers.frame_axis import frame_axis_labels
from napari_whiskertoolbox.layers.undecodable_frames import EmptyWhereUndecodable

if TYPE_CHECKING:
    from napari.layers import Layer

    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["ClockMappedMedia", "ImageBinding"]


class ClockMappedMedia:
    """Array-like view of a media on the display clock, for media bound to another clock.

    Frame ``i`` of this view is frame ``index_map[i]`` of ``media``. Only integer indexing on
    the first axis is mapped; napari slices one frame at a time.
    """

    def __init__(self, media: Any, index_map: np.ndarray) -> None:
        self.media = media
        self.index_map = np.asarray(index_map, dtype=np.int64)
        self.dtype = media.dtype
        self.shape = (int(self.index_map.size), *tuple(media.shape[1:]))
        self.ndim = len(self.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        rest: tuple = ()
        if isinstance(key, tuple):
            key, rest = key[0], key[1:]
        mapped = self.index_map[key]
        frames = self.media[int(mapped)] if np.ndim(mapped) == 0 else self.media[mapped.tolist()]
        if not rest:
            return frames
        if np.ndim(mapped) == 0:
            return frames[rest]
        return frames[(slice(None), *rest)]


NAME_POSITION = "top_right"
"""Canvas corner of an image folder's shown file name: clear of napari's notifications, which
pop up bottom right (a refused edit's notice would cover the name it refers to)."""


def canvas_text(viewer: Any) -> Any:
    """Return napari's canvas text overlay (``viewer.text_overlay`` before napari 0.9)."""
    canvas = getattr(viewer, "canvas", None)
    overlays = getattr(canvas, "overlays", None)
    return overlays.text if overlays is not None else viewer.text_overlay


def _shown_name(file: Any, root: Any) -> str:
    """Return ``file`` relative to the folder ``root`` (its name when it is not inside)."""
    path = Path(file)
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


class ImageBinding(Binding):
    """Show a media key as an Image layer: gray colormap, contrast limits from the media.

    The MediaData is handed to napari (lazy: napari reads one frame per step) through
    :class:`~napari_whiskertoolbox.layers.undecodable_frames.EmptyWhereUndecodable`, so a
    frame that cannot be decoded shows empty (one notification per stretch). A media bound
    to a clock other than the display clock is seen through :class:`ClockMappedMedia`.
    For an image folder (a DeepLabCut ``labeled-data`` folder…) the shown image's file name
    is written in the top-right corner of the canvas (napari's ``viewer.text_overlay``), as the
    frame slider only gives its position.
    """

    kinds: ClassVar[tuple[DataKind, ...]] = MEDIA_KINDS
    _file_names: tuple[Any, list[str]] | None = None  # (media, its file names)
    _naming: bool = False  # the text overlay shows our file names

    def _frame_source(self) -> Any:
        """Return the media, or its view on the display clock."""
        media = self.data
        session = self.session
        if session.dm.time_key(self.key) == session.display_clock:
            return media
        display_times = session.dm.get_time(session.display_clock).times
        index_map = session.dm.clock_of(self.key).indices_at_times(display_times)
        return ClockMappedMedia(media, np.clip(index_map, 0, len(media) - 1))

    def _layer_source(self, frames: Any = None) -> EmptyWhereUndecodable:
        return EmptyWhereUndecodable(self._frame_source() if frames is None else frames, self.key)

    def _axis_labels(self) -> tuple[str, ...]:
        """Return the display clock's name, y, x (the frame slider shows the clock's name)."""
        return frame_axis_labels(self.session.display_clock)

    def _make_layer(self) -> Image:
        media = self.data
        return Image(
            self._layer_source(),
            name=self.key,
            colormap="gray",
            contrast_limits=tuple(media.contrast_limits),
            rgb=bool(getattr(media, "is_color", False)),
            multiscale=False,
        )

    def attach(self, layer: Layer | None = None) -> Layer:
        """Create the layer, or adopt ``layer`` and have it read frames through our guard."""
        layer = super().attach(layer)
        if not isinstance(layer.data, EmptyWhereUndecodable):
            layer.data = self._layer_source()
        return layer

    def _render(self, index: int) -> None:
        """Napari slices the media itself; an image folder's file name goes on the canvas."""
        names = self._names()
        viewer = self.session.viewer
        if names is None or viewer is None:
            return
        overlay = canvas_text(viewer)
        overlay.text = names[index] if 0 <= index < len(names) else ""
        # top right: napari's notifications pop up bottom right, over the canvas's corner
        overlay.position = NAME_POSITION
        overlay.visible = True
        self._naming = True

    def _names(self) -> list[str] | None:
        """File names of an image-folder media in frame order (None for other media).

        Relative to the media's folder: ``img005.png`` for a folder's own images,
        ``reachingvideo1/img005.png`` for one media over a DeepLabCut project's labelled-data
        folders.
        """
        media = self.data
        if self._file_names is None or self._file_names[0] is not media:
            files = getattr(media, "files", None)
            root = getattr(media, "source_path", None)
            self._file_names = (media, [_shown_name(f, root) for f in files] if files else [])
        return self._file_names[1] or None

    def detach(self, remove_layer: bool = True) -> None:
        """Disconnect from the layer; take our file name off the canvas."""
        viewer = self.session.viewer
        if self._naming and viewer is not None:
            overlay = canvas_text(viewer)
            overlay.visible = False
            overlay.text = ""
            self._naming = False
        super().detach(remove_layer)

    def on_data_changed(self, frames: np.ndarray | None) -> None:
        """Swap the media when the key was replaced with a new media object."""
        if self.layer is None or frames is not None:
            return
        frames = self._frame_source()
        if frames is not getattr(self.layer.data, "source", None):
            self.layer.data = self._layer_source(frames)
            self.layer.contrast_limits = tuple(self.data.contrast_limits)
        if tuple(self.layer.axis_labels) != self._axis_labels():
            self.layer.axis_labels = self._axis_labels()
