"""LineData key ↔ napari Shapes layer of paths showing the current frame's lines."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from napari.layers import Shapes
from napari.utils.interactions import mouse_double_click_callbacks
from qtpy.QtCore import QTimer

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.layers._napari_compat import (
    add_prepared_paths,
    add_shapes_at_current_width,
    keep_shapes_shaders,
    move_paths,
    prepare_paths,
)
from napari_whiskertoolbox.layers.binding import key_color
from napari_whiskertoolbox.layers.converters import (
    drawable_lines,
    lines_to_layer_paths,
    shapes_to_lines,
)
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.layers.points_binding import TRANSFORM_REFUSED
from napari_whiskertoolbox.layers.row_edits import STARTED_ADDING, RowBinding

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari.layers import Layer

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.kinds import DataKind
    from napari_whiskertoolbox.layers._napari_compat import PreparedPaths
    from napari_whiskertoolbox.layers.binding import BindingHost

__all__ = ["ShapesBinding", "default_edge_width"]

WTB_LINE_THICKNESS_PX = 2.0
"""WhiskerToolbox's default line thickness: a 2-pixel pen on its media canvas."""
WTB_LINE_ALPHA = 1.0
"""WhiskerToolbox's default line alpha (``DefaultDisplayValues::ALPHA``): opaque, where napari's
Shapes default, 0.7, pales the lines over the video. The layer starts with it; the opacity
slider's value is the user's (frame steps keep it)."""
WTB_CANVAS_WIDTH_PX = 640
"""Width of WhiskerToolbox's media canvas, onto which it scales the video."""
MIN_EDGE_WIDTH = 1.0
"""Thinnest default path width, in data pixels."""
MAX_AHEAD_STEP = 8
"""Largest step (frames of the key's clock) between two shown frames that the paths read-ahead
repeats; after a longer jump it prepares the next frame in the jump's direction."""
ELLIPSE_REFUSED = (
    "a line key holds polylines and an ellipse is not one; draw with the path, polyline, "
    "line, polygon or rectangle tools"
)


class ShapesBinding(RowBinding):
    """Show a :class:`~napari_whiskertoolbox.core.LineData` key as a 2-D Shapes layer of paths.

    Frame swaps assign ``layer.data = (paths, "path")`` with the layer's events and
    thumbnail blocked and one refresh at the end: measured the cheapest public way (see
    ``benchmarks/bench_frame_step.py``); a frame of the same lines with as many vertices each
    moves them in place instead (``_napari_compat.move_paths``). Shape ``i`` is the line with entity id
    ``row_ids[i]``; drawing, deleting, pasting or editing paths/vertices rewrites the
    shown frame. Polygons and rectangles are stored as closed polylines; ellipses are
    refused. Lines napari cannot draw (fewer than two distinct points, or a NaN or
    infinite vertex as WhiskerToolbox's files may hold) are left out of the layer and kept
    as they are (the user is told once); such a path coming from the layer (a click with the path
    tool) is refused, like an ellipse.

    Paths read-ahead: once a frame is shown and the event loop is idle, the napari path
    objects (triangulated edges) of the frame expected next are built: the last step
    repeated (the play direction and stride). When that frame comes, its swap takes them
    instead of triangulating again (``_napari_compat.add_prepared_paths``); they are used only
    if they were built from the very vertices, width and dims being assigned. Not while
    napari's play button plays the viewer (:mod:`~napari_whiskertoolbox.layers.playback`).
    """

    kinds: ClassVar[tuple[DataKind, ...]] = ("line",)
    skips_unchanged_transforms = True
    blocked_modes: ClassVar[dict[str, str]] = {
        "transform": TRANSFORM_REFUSED,
        "add_ellipse": ELLIPSE_REFUSED,
    }
    noun = "lines"
    _refused_ellipses = 0  # ellipses among the rows last converted (for the message)
    _refused_nonfinite = 0  # paths with a NaN or infinite vertex among them
    _groups_slot: Callable[..., Any] | None = None  # dm.groups.changed -> _show_groups

    def __init__(self, session: BindingHost, key: str) -> None:
        super().__init__(session, key)
        self._rendered_index: int | None = None
        self._ahead_step = 1
        self._prepared: dict[int, PreparedPaths] = {}
        self._taking: PreparedPaths | None = None
        self._ahead_timer = QTimer()
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.setInterval(0)
        self._ahead_timer.timeout.connect(self._prepare_ahead)

    def _make_layer(self) -> Shapes:
        color = key_color(self.session.dm, self.key)
        width = default_edge_width(self.session.dm, self.key)
        layer = Shapes(
            ndim=2,
            name=self.key,
            shape_type="path",
            edge_color=color,
            edge_width=width,
            face_color="transparent",
            opacity=WTB_LINE_ALPHA,
        )
        layer.current_edge_color = color
        layer.current_edge_width = width
        layer.current_face_color = "transparent"
        return layer

    def attach(self, layer: Layer | None = None) -> Layer:
        """Create (or adopt) the layer; its faces keep one shader program across frames.

        vispy would otherwise rebuild and re-link the shader program of the layer's mesh
        on every frame step (see ``_napari_compat.keep_mesh_shaders``). Every line of the
        key is drawn at the layer's one width (``current_edge_width``, napari's "edge
        width" slider): set once, kept by each frame's paths as napari triangulates them.
        """
        layer = super().attach(layer)
        keep_shapes_shaders(self.session.viewer, layer)
        add_shapes_at_current_width(layer)
        add_prepared_paths(layer, self._take_prepared)
        return layer

    def detach(self, remove_layer: bool = True) -> None:
        """Disconnect from the layer; drop the paths prepared ahead."""
        self._ahead_timer.stop()
        self._prepared = {}
        self._taking = None
        super().detach(remove_layer)

    def _connect_layer(self, layer: Layer) -> None:
        super()._connect_layer(layer)
        layer.events.edge_width.connect(self._on_edge_width)
        groups = self.session.dm.groups
        self._groups_slot = connect_main(groups.changed, self._show_groups)

    def _disconnect_layer(self, layer: Layer) -> None:
        layer.events.edge_width.disconnect(self._on_edge_width)
        slot = self._groups_slot
        if slot is not None:
            self.session.dm.groups.changed.disconnect(slot)
            self._groups_slot = None
        super()._disconnect_layer(layer)

    def _show_groups(self, *_: object) -> None:
        """Put the entity groups of the shown lines in the layer's ``group`` feature.

        One string per shape: the names of the groups holding that line, sorted and joined
        by ", " (empty for a line of no group), so the status bar names a hovered whisker's
        groups and ``layer.edge_color = "group"`` colours the lines by group. Refreshed on
        every frame and whenever ``dm.groups`` changes (a group operation, its undo). A
        session without groups leaves the features alone (nothing to show).
        """
        layer = self.layer
        if layer is None:
            return
        groups = self.session.dm.groups
        if not len(groups) and "group" not in layer.features.columns:
            return
        ids = np.asarray(getattr(self, "row_ids", ()), dtype=np.uint64)
        if ids.size != layer.nshapes:
            return  # the layer is being edited; the next frame shows the groups
        names = [", ".join(groups.groups_of(int(i))) for i in ids]
        with self.quiet_swap(layer.block_thumbnail_update()):
            layer.features = {"group": np.array(names, dtype=object)}

    def _on_edge_width(self, event: Any = None) -> None:
        """Give the shown lines the width just set (the slider, a script).

        napari applies a new ``current_edge_width`` to the selected shapes only; the other
        lines of the frame would keep the old width until the next frame step. Not run by
        frame steps (napari emits ``edge_width`` only when the width is set).
        """
        layer = self.layer
        if layer is None:
            return
        width = layer.current_edge_width
        if any(w != width for w in layer.edge_width):
            layer.edge_width = width

    def _drawable(self, objects: Any) -> np.ndarray:
        return drawable_lines(objects)

    def _undrawn_message(self, index: int, undrawn: list[Any]) -> str:
        nonfinite = sum(1 for line in undrawn if not np.isfinite(line).all())
        parts = []
        if nonfinite:
            parts.append(f"{nonfinite} line(s) on frame {index} have a NaN or infinite vertex")
        if len(undrawn) > nonfinite:
            parts.append(
                f"{len(undrawn) - nonfinite} line(s) on frame {index} have fewer than two "
                "distinct points (e.g. a single point)"
            )
        return "; ".join(parts)

    def _to_rows(self, objects: Any, keep: np.ndarray) -> list[np.ndarray]:
        return lines_to_layer_paths([line for line, k in zip(objects, keep) if k])

    def _render(self, index: int) -> None:
        previous, self._rendered_index = self._rendered_index, index
        if previous is not None and previous != index:
            step = index - previous
            self._ahead_step = step if abs(step) <= MAX_AHEAD_STEP else int(np.sign(step))
        super()._render(index)
        self._ahead_timer.start()

    def _show_rows(self, rows: list[np.ndarray]) -> None:
        """Show ``rows``; the same lines with as many vertices each move in place.

        Moving in place (``_napari_compat.move_paths``) leaves the layer and its canvas mesh
        as ``layer.data =`` does, without rebuilding napari's list of shapes; it declines
        (and ``layer.data =`` runs) for another count of lines or vertices, a selection, a
        shape being drawn or visible text.
        """
        layer = self.layer
        shown = self.shown_index
        prepared = None if shown is None else self._prepared.pop(shown, None)
        if rows and move_paths(self.session.viewer, layer, rows, prepared):
            self._show_groups()
            self.session.schedule_thumbnails()
            return
        self._taking = prepared
        try:
            with self.quiet_swap(layer.block_thumbnail_update()):
                layer.data = (rows, ["path"] * len(rows))
        finally:
            self._taking = None
        self._show_groups()

    def _take_prepared(self) -> PreparedPaths | None:
        """Hand the paths prepared for the frame being assigned to the layer (once)."""
        prepared, self._taking = self._taking, None
        return prepared

    def _prepare_ahead(self) -> None:
        """Build the napari paths of the frame expected next (see the class docstring)."""
        layer = self.layer
        shown = self.shown_index
        if layer is None or shown is None or not layer.visible or self.session.playing:
            return
        index = shown + self._ahead_step
        if index < 0 or index in self._prepared:
            return
        objects = self.data.at(index)
        rows = self._to_rows(objects, self._drawable(objects))
        self._prepared = {index: prepare_paths(layer, rows)} if rows else {}

    def _layer_rows(self, layer: Shapes) -> list[np.ndarray]:
        return [np.asarray(shape)[:, -2:] for shape in layer.data]

    def _layer_row_count(self) -> int:
        return 0 if self.layer is None else int(self.layer.nshapes)

    def _rows_to_objects(self, layer: Shapes, rows: list[np.ndarray]) -> list[Any]:
        """Return the line of each shape; ``None`` for ellipses and undrawable paths.

        A click with the path tool leaves napari a path of one repeated point; a vertex
        set in place to a value napari's float32 array cannot hold is infinite. Stored,
        either would be a line the layer cannot draw: gone on the next frame step, so it
        could be neither seen nor deleted, yet saved. Such paths are refused like ellipses.
        """
        lines = shapes_to_lines(rows, list(layer.shape_type))
        self._refused_ellipses = sum(line is None for line in lines)
        self._refused_nonfinite = sum(
            line is not None and not np.isfinite(line).all() for line in lines
        )
        drawable = drawable_lines([np.empty((0, 2)) if line is None else line for line in lines])
        return [line if ok else None for line, ok in zip(lines, drawable)]

    def _refused_rows_message(self, n_rows: int) -> str:
        n_ellipses = min(self._refused_ellipses, n_rows)
        n_nonfinite = min(self._refused_nonfinite, n_rows - n_ellipses)
        parts = []
        if n_ellipses:
            parts.append(f"{n_ellipses} ellipse(s) cannot be stored as lines")
        if n_nonfinite:
            parts.append(
                f"{n_nonfinite} path(s) with a NaN or infinite vertex cannot be shown as lines"
            )
        if n_rows > n_ellipses + n_nonfinite:
            parts.append(
                f"{n_rows - n_ellipses - n_nonfinite} path(s) with fewer than two distinct "
                "points (a click without drawing) cannot be shown as lines"
            )
        return "; ".join(parts) + " and were removed"

    def _rows_changed_form(self, layer: Shapes) -> bool:
        return any(shape_type != "path" for shape_type in layer.shape_type)

    def _pack(self, objects: list[Any]) -> list[np.ndarray]:
        return list(objects)

    def _may_be_drawing(self, layer: Shapes) -> bool:
        """Say yes in an add mode: a path or polyline takes many clicks, announced once."""
        return str(layer.mode).startswith("add_")

    def _finish_drawing(self, layer: Shapes) -> None:
        """Finish the shape being drawn as the user's double-click would, else by a mode change.

        The polyline and polygon tools end on a double-click (napari then drops the vertex
        following the cursor); the other tools end when the mode changes.
        """
        mouse_double_click_callbacks(layer, None)
        if self._started == STARTED_ADDING:
            mode = str(layer.mode)
            layer.mode = "pan_zoom"
            layer.mode = mode


def default_edge_width(dm: DataManager, key: str) -> float:
    """Return the path width, in data pixels, that draws ``key``'s lines as WhiskerToolbox does.

    WhiskerToolbox scales the video onto its 640-pixel-wide canvas and draws lines with a
    2-pixel pen there: on a 640x480 video that is 2 video pixels (napari's width 1 was a
    hairline at the zoom that fits the video beside the docks), on a 320x240 one 1 pixel.
    The width follows the line key's image size, else the widest media of ``dm``. Without
    either (a lines file opened alone) the lines' own extent, which the view fits, stands
    for the video's width.

    The width is a whole number of pixels, never below :data:`MIN_EDGE_WIDTH`: napari's
    *edge width* slider shows whole numbers only (it showed 0 for a width of 0.44, 3 for
    3.125), so it shows the width the lines are drawn at.

    Parameters
    ----------
    dm : DataManager
        The session's data.
    key : str
        A line key of ``dm``.

    Returns
    -------
    float
        The width, in data pixels (a whole number).
    """
    lines = dm.get_data(key)
    size = getattr(lines, "image_size", None)
    width = float(size.width) if size is not None else 0.0
    if not width:
        media = [dm.get_data(k) for k in dm if dm.data_type(k) in MEDIA_KINDS]
        width = float(max((int(m.width) for m in media), default=0))
    if not width:
        coords = lines.to_flat().coords
        span = float(np.ptp(coords, axis=0).max()) if len(coords) else 0.0
        width = span if span > 0 else WTB_CANVAS_WIDTH_PX
    pen = WTB_LINE_THICKNESS_PX * width / WTB_CANVAS_WIDTH_PX
    return max(MIN_EDGE_WIDTH, float(math.floor(pen + 0.5)))
