"""The viewer's frame axis: the display clock, clock conversion and the axis placeholder.

The viewer's dims axis 0 is the *display clock* index: the clock of the first media key,
else ``"time"``. Keys bound to other clocks are converted through the DataManager's
clocks (design.md §3: ``B.index_at_time(A.time_at_index(i))``).

When there is no media, napari still needs an axis of the right length: a hidden Image
layer backed by ``numpy.broadcast_to`` (one byte of memory, whatever the frame count) is
the cheapest public way to give the viewer that axis (:class:`FrameAxisPlaceholder`). It
also spans the annotations' image (:func:`annotation_extent`), so that fitting the view
shows the frame the annotations live in, and beyond it (``origin`` may be negative) the
keypoints' text labels (``ViewerSession.fit_view``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core import DEFAULT_CLOCK
from napari_whiskertoolbox.core.default_clock import media_clock_of
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS

if TYPE_CHECKING:
    import napari
    from napari.components import Dims
    from napari.layers import Image

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "FRAME_AXIS",
    "FRAME_AXIS_LAYER",
    "SPATIAL_AXIS_LABELS",
    "FrameAxisPlaceholder",
    "annotation_extent",
    "convert_frame",
    "find_display_clock",
    "frame_axis_labels",
    "frame_axis_placeholder",
    "frame_of_dims",
    "media_shape",
]

FRAME_AXIS = 0
"""The viewer dims axis that carries the display clock."""
FRAME_AXIS_LAYER = "wtb_frame_axis"
"""``layer.metadata`` flag of the hidden placeholder carrying the frame axis."""
PLACEHOLDER_NAME = "frame slider (hidden, no data)"
"""Name of the hidden placeholder layer: what it is for, as the layer list shows it (a new
user saw an unexplained hidden "frame axis" layer beside a points CSV opened alone)."""
SPATIAL_AXIS_LABELS = ("y", "x")
"""Axis labels of the two image axes (napari's rows and columns)."""
MAX_SLIDER_FRAMES = 999_999_998
"""The most frames napari's frame slider takes: its frame box's validator overflows Qt's
32-bit int from 10-digit frame counts (napari 0.9, ``QtDimSliderWidget._update_range``)."""


def frame_axis_labels(display_clock: str) -> tuple[str, str, str]:
    """Return the axis labels of a ``(frame, y, x)`` layer: the display clock's name, y, x.

    napari shows the labels of the layers on the viewer's sliders (in place of its
    default ``-3``).
    """
    return (display_clock, *SPATIAL_AXIS_LABELS)


def find_display_clock(dm: DataManager) -> str:
    """Return the clock of the first media key of ``dm``, else ``"time"``."""
    return media_clock_of(dm)


def media_shape(dm: DataManager) -> tuple[int, int, int] | None:
    """Return ``(n_frames, height, width)`` of the first media key of ``dm``, or ``None``."""
    for key in dm:
        if dm.data_type(key) in MEDIA_KINDS:
            n, height, width = (int(s) for s in dm.get_data(key).shape[:3])
            return n, height, width
    return None


def annotation_extent(dm: DataManager) -> tuple[int, int] | None:
    """Return ``(height, width)`` of the image the spatial annotations of ``dm`` are drawn on.

    The largest image size of the points, lines and masks; without one, the bounding box
    of their finite coordinates from ``(0, 0)``. ``None`` when there are no coordinates.
    """
    from napari_whiskertoolbox.core.kinds import RAGGED_KINDS

    height = width = 0
    for key in dm:
        if dm.data_type(key) not in RAGGED_KINDS:
            continue
        data = dm.get_data(key)
        size = data.image_size
        if size is not None:
            height, width = max(height, int(size.height)), max(width, int(size.width))
            continue
        coords = np.asarray(data.to_flat().coords, dtype=np.float64)
        coords = coords[np.isfinite(coords).all(axis=1)]  # NaN points are not drawn
        if len(coords):
            x_max, y_max = coords.max(axis=0)
            height, width = (
                max(height, int(np.ceil(y_max)) + 1),
                max(width, int(np.ceil(x_max)) + 1),
            )
    return (height, width) if height and width else None


def convert_frame(dm: DataManager, index: int, from_clock: str, to_clock: str) -> int:
    """Convert ``index`` of clock ``from_clock`` to the matching index of ``to_clock``.

    Identity when the clocks are the same or either clock is empty.
    """
    index = int(index)
    if from_clock == to_clock:
        return index
    if len(dm.get_time(from_clock)) == 0 or len(dm.get_time(to_clock)) == 0:
        return index
    return int(dm.convert_index(index, from_clock, to_clock))


def frame_of_dims(dims: Dims) -> int:
    """Return the display frame the dims model points at (``0`` without a frame axis)."""
    if dims.ndim < 3:
        return 0
    return int(dims.current_step[FRAME_AXIS])


def frame_axis_placeholder(n_frames: int, height: int = 1, width: int = 1) -> np.ndarray:
    """Return a zero-memory ``(n_frames, height, width)`` uint8 array to carry the frame axis.

    ``numpy.broadcast_to`` of a single zero: no allocation proportional to the frame count,
    and napari can slice it like any array.
    """
    shape = (max(int(n_frames), 1), max(int(height), 1), max(int(width), 1))
    return np.broadcast_to(np.zeros((1, 1, 1), dtype=np.uint8), shape)


class FrameAxisPlaceholder:
    """The hidden Image layer that gives a viewer without media its frame axis.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer to keep the placeholder in.
    """

    def __init__(self, viewer: napari.Viewer) -> None:
        self._viewer = viewer
        self.layer: Image | None = None
        self._warned_length = 0

    def is_placeholder(self, layer: object) -> bool:
        """Return whether ``layer`` is this placeholder."""
        return layer is not None and layer is self.layer

    def update(
        self,
        wanted: bool,
        n_frames: int,
        extent: tuple[int, int] | None = None,
        display_clock: str = DEFAULT_CLOCK,
        origin: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        """Add, resize or remove the placeholder.

        Parameters
        ----------
        wanted : bool
            Whether the viewer needs the placeholder (synced layers but no media).
        n_frames : int
            Length of the display clock.
        extent : (height, width), optional
            The image the annotations are drawn on; by default the placeholder keeps its size.
        display_clock : str
            Name of the display clock (the frame axis label).
        origin : (y, x)
            Image pixel of the placeholder's top-left corner, with ``extent`` (a box
            reaching past the image's top or left, for the keypoints' labels).
        """
        viewer, layer = self._viewer, self.layer
        translate = (0.0, float(origin[0]), float(origin[1])) if extent is not None else None
        n_frames = self._slider_length(n_frames, display_clock)
        if not wanted:
            self.layer = None
            if layer is not None and layer in viewer.layers:
                viewer.layers.remove(layer)
            return
        if layer is not None and layer in viewer.layers:
            shape = layer.data.shape
            height, width = extent if extent is not None else shape[1:]
            data = frame_axis_placeholder(n_frames, height, width)
            moved = translate is not None and tuple(layer.translate) != translate
            if shape != data.shape or moved:
                # napari refreshes no hidden layer, extent included: shown for the data change
                # (within one call, so never drawn), the layer gives the viewer its new extent.
                # Replacing the layer instead costs a garbage collection per frame added.
                with layer.events.visible.blocker():
                    layer.visible = True
                    if translate is not None:
                        layer.translate = translate
                    layer.data = data
                    layer.visible = False
            elif tuple(layer.axis_labels) != frame_axis_labels(display_clock):
                layer.axis_labels = frame_axis_labels(display_clock)
            return
        self._add(frame_axis_placeholder(n_frames, *(extent or (1, 1))), display_clock)
        if translate is not None and self.layer is not None:
            self.layer.translate = translate

    def _slider_length(self, n_frames: int, display_clock: str) -> int:
        """Return ``n_frames`` capped to :data:`MAX_SLIDER_FRAMES`, saying so once."""
        if n_frames <= MAX_SLIDER_FRAMES:
            return n_frames
        if n_frames > self._warned_length:
            from napari.utils.notifications import show_warning

            self._warned_length = n_frames
            show_warning(
                f"The clock {display_clock!r} has {n_frames:,} frames; napari's frame slider "
                f"takes at most {MAX_SLIDER_FRAMES:,}, so the frames after that cannot be "
                "shown. Bind the keys to a shorter clock (e.g. the camera's) to see them."
            )
        return MAX_SLIDER_FRAMES

    def _add(self, data: np.ndarray, display_clock: str) -> None:
        """Add a placeholder holding ``data`` at the bottom of the layer list.

        The layer the user had selected stays selected, and with none selected none is:
        napari selects each added layer, and a hidden placeholder taking the selection
        (after a points file opened alone, or an events file, say) showed an invisible
        image's controls and made a click on the canvas add nothing.
        """
        from napari.layers import Image

        layer = Image(
            data,
            name=PLACEHOLDER_NAME,
            visible=False,
            contrast_limits=(0, 1),
            metadata={FRAME_AXIS_LAYER: True},
            axis_labels=frame_axis_labels(display_clock),
        )
        self.layer = layer
        viewer = self._viewer
        selected = viewer.layers.selection.active
        viewer.add_layer(layer)
        viewer.layers.move(viewer.layers.index(layer), 0)
        if selected is not None and selected in viewer.layers:
            viewer.layers.selection.active = selected
        else:
            viewer.layers.selection.clear()

    def forget(self) -> None:
        """Drop the reference after napari removed the layer itself."""
        self.layer = None
