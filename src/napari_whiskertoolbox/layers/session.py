"""One :class:`ViewerSession` per napari viewer: its DataManager, layer bindings and clock.

The session keeps one binding per shown spatial key (media, masks, lines, points), keeps
the viewer's frame axis on the display clock, and pushes each binding the index of its
own clock that the viewer's frame shows. The viewer → session registry and the annotation
workflow around a session live in :mod:`napari_whiskertoolbox.workflow`.

The session only holds a weak reference to its viewer, so closing and dropping the viewer
drops the session (no leaked Qt widgets in tests).
"""

from __future__ import annotations

import weakref
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from psygnal import Signal
from qtpy.QtCore import QTimer

# imported for its side effect: it installs the runner of configs' transformations blocks
import napari_whiskertoolbox.transforms  # noqa: F401
from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS, SERIES_KINDS
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import (
    OpenedPath,
    adopt_data_manager,
    open_path,
    session_folder_for,
)
from napari_whiskertoolbox.layers._napari_compat import (
    call_before_paint,
    keep_removed_visuals,
    repaint_only_changed_rows,
    slice_once_per_step,
    window_closed,
)
from napari_whiskertoolbox.layers.binding import WTB_KEY, Binding
from napari_whiskertoolbox.layers.frame_axis import (
    FRAME_AXIS_LAYER,
    FrameAxisPlaceholder,
    annotation_extent,
    convert_frame,
    find_display_clock,
    frame_of_dims,
    media_shape,
)
from napari_whiskertoolbox.layers.image_binding import ImageBinding
from napari_whiskertoolbox.layers.labels_binding import LabelsBinding
from napari_whiskertoolbox.layers.layer_places import LayerPlaces
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.layers.playback import PlaybackWatch
from napari_whiskertoolbox.layers.points_binding import PointsBinding
from napari_whiskertoolbox.layers.pose_layers import PoseLayers, is_pose_key
from napari_whiskertoolbox.layers.pose_points import WTB_POSE
from napari_whiskertoolbox.layers.shapes_binding import ShapesBinding
from napari_whiskertoolbox.layers.skeleton import WTB_SKELETON
from napari_whiskertoolbox.layers.time_sync import FrameScheduler

if TYPE_CHECKING:
    from collections.abc import Callable

    import napari

    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.scripting import ScriptEngine

__all__ = ["BINDING_CLASSES", "ViewerSession"]

_Loaded = TypeVar("_Loaded")

STACKED_BINDINGS: tuple[type[Binding], ...] = (
    ImageBinding,
    LabelsBinding,
    ShapesBinding,
    PointsBinding,
)
"""Binding classes from the bottom of the layer list to the top."""
BINDING_CLASSES: dict[str, type[Binding]] = {
    kind: cls for cls in STACKED_BINDINGS for kind in cls.kinds
}
"""Data kind → binding class (the spatial kinds shown as layers)."""
_STACK_ORDER = {kind: STACKED_BINDINGS.index(cls) for kind, cls in BINDING_CLASSES.items()}
THUMBNAIL_DELAY_MS = 250
"""Layer thumbnails are redrawn once scrubbing has paused this long."""


class ViewerSession:
    """A viewer's DataManager plus the layer bindings that keep napari in sync with it.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer to bind (held weakly).
    dm : DataManager, optional
        The DataManager to show; a new one by default.

    Signals
    -------
    frame_changed(int)
        The display frame our layers show changed (coalesced while scrubbing).
    active_key_changed(object)
        :attr:`active_key` changed (str or None), or :attr:`active_pose` did (the
        signal then carries the active key, None).
    shown_changed(str, bool)
        A key got (True) or lost (False) its layer.
    path_changed(object)
        :attr:`path` changed (Path or None).
    display_clock_changed(str, str)
        :attr:`display_clock` changed from the first clock to the second (a file bringing
        media on another clock, :meth:`set_display_clock`, the media's key removed).
    closed()
        :meth:`close` finished: the session is disconnected from the viewer.
    """

    frame_changed = Signal(int)
    active_key_changed = Signal(object)
    shown_changed = Signal(str, bool)
    path_changed = Signal(object)
    display_clock_changed = Signal(str, str)
    closed = Signal()

    def __init__(self, viewer: napari.Viewer, dm: DataManager | None = None) -> None:
        self._viewer_ref = weakref.ref(viewer)
        self._dm = dm if dm is not None else DataManager()
        self._path: Path | None = None
        self.bindings: dict[str, Binding] = {}
        self._hidden: set[str] = set()
        self._places = LayerPlaces()
        """Where each removed key's layer stood, to put it back there (an undone delete)."""
        self._active_key: str | None = None
        self._active_pose: str | None = None
        self._engine: ScriptEngine | None = None
        self._display_clock = "time"
        self._chosen_clock: str | None = None
        self.display_clock_switch: tuple[str, str] | None = None
        """``(old, new)`` display clock when the last :meth:`open` switched it, else None."""
        self.moment_past_end: int | None = None
        """The frame of the old display clock shown before the last :meth:`open` switched
        clocks, when that moment lies past the new clock's end (the slider then stands at its
        last frame), else None."""
        self._frame_axis = FrameAxisPlaceholder(viewer)
        self._loading = False
        self._fitted_camera: tuple[tuple[float, ...], float] | None = None
        self._scheduler = FrameScheduler(viewer.dims, self._apply_frame)
        self._stop_paint_flush = call_before_paint(viewer, self._scheduler.flush_before_paint)
        self._playback = PlaybackWatch(viewer)
        # napari under llvmpipe crashes when one turn deletes an Image's and a Points' visuals
        self._stop_keeping_visuals = keep_removed_visuals(viewer)
        # the media's row only, not a relayout and repaint of the whole layer list per frame
        repaint_only_changed_rows(viewer)
        slice_once_per_step(viewer)
        self._thumbnail_timer = QTimer()
        self._thumbnail_timer.setSingleShot(True)
        self._thumbnail_timer.setInterval(THUMBNAIL_DELAY_MS)
        self._thumbnail_timer.timeout.connect(self._refresh_thumbnails)
        viewer.layers.events.removed.connect(self._on_layer_removed)
        viewer.layers.events.inserted.connect(self._on_layer_inserted)
        viewer.layers.selection.events.active.connect(self._on_active_layer)
        dm = self.dm
        self._dm_slots = [
            (signal, connect_main(signal, slot))
            for signal, slot in (
                (dm.data_added, self._on_data_added),
                (dm.data_removed, self._on_data_removed),
                (dm.data_renamed, self._on_data_renamed),
                (dm.data_changed, self._on_data_changed),
                (dm.clocks_changed, self._on_clocks_changed),
            )
        ]
        self.bind_all()
        self.poses = PoseLayers(self, on_layers_changed=self.update_frame_axis)
        """Keypoints and skeleton layers of the pose sets (their keys get no layer each)."""
        self.update_frame_axis()

    @property
    def loading(self) -> bool:
        """True while :meth:`open` loads a path (layers resync once it is done)."""
        return self._loading

    # ------------------------------------------------------------------ basics
    @property
    def dm(self) -> DataManager:
        """The session's DataManager."""
        return self._dm

    @property
    def viewer(self) -> napari.Viewer | None:
        """The viewer (``None`` once it has been garbage-collected)."""
        return self._viewer_ref()

    @property
    def path(self) -> Path | None:
        """Where the session was opened from or last saved (session folder or config)."""
        return self._path

    @path.setter
    def path(self, path: str | Path | None) -> None:
        path = None if path is None else Path(path)
        if path != self._path:
            self._path = path
            self.path_changed.emit(path)

    @property
    def modified(self) -> bool:
        """Whether the DataManager changed since it was loaded or saved."""
        return bool(self.dm.modified)

    @property
    def engine(self) -> ScriptEngine:
        """The session's :class:`~napari_whiskertoolbox.scripting.ScriptEngine` (created lazily).

        The engine sees the viewer through a weak proxy so that it does not keep a closed
        viewer alive.
        """
        if self._engine is None:
            from napari_whiskertoolbox.scripting import ScriptEngine

            viewer = self.viewer
            self._engine = ScriptEngine(
                self.dm, viewer=weakref.proxy(viewer) if viewer is not None else None
            )
        return self._engine

    @property
    def playing(self) -> bool:
        """Whether napari's play button is playing the viewer."""
        return self._playback.playing

    # ------------------------------------------------------------------ clocks
    @property
    def display_clock(self) -> str:
        """Name of the clock on the viewer's frame axis (its frames are the slider's steps).

        The clock chosen last (:meth:`set_display_clock`, or the clock of the media a file
        opened into the session brought) while some media key (without media: some key)
        is still on it; otherwise the first media key's clock, else ``"time"``.
        """
        return self._display_clock

    def display_clock_choices(self) -> list[str]:
        """Return the clocks the frame axis can run on, in key order.

        The clocks of the media keys; without media, the clocks that some key is bound to
        (else ``["time"]``).
        """
        dm = self.dm
        media = [dm.time_key(k) for k in dm if self._is_media(k)]
        clocks = media or [dm.time_key(k) for k in dm]
        return list(dict.fromkeys(clocks)) or [find_display_clock(dm)]

    def set_display_clock(self, clock_or_media_key: str) -> None:
        """Run the viewer's frame axis on another clock, keeping the moment on screen.

        The frame slider then spans that clock's frames; every layer shows its data for
        the moment of the slider's frame (converted through the clocks' times). A view
        setting: not an edit, not undoable, not saved.

        Parameters
        ----------
        clock_or_media_key : str
            A clock of :meth:`display_clock_choices`, or a media key (its clock).

        Raises
        ------
        ValueError
            ``clock_or_media_key`` is neither one of those clocks nor a media key; the
            message lists the valid ones.
        """
        dm = self.dm
        name = str(clock_or_media_key)
        choices = self.display_clock_choices()
        if name not in choices and name in dm and self._is_media(name):
            name = dm.time_key(name)
        if name not in choices:
            media = [k for k in dm if self._is_media(k)]
            raise ValueError(
                f"set_display_clock: {clock_or_media_key!r} is neither a clock the frame "
                f"axis can run on ({', '.join(map(repr, choices))}) nor a media key"
                + (f" ({', '.join(map(repr, media))})" if media else " (there is no media)")
            )
        self._switch_display_clock(name)

    def _switch_display_clock(self, clock: str) -> None:
        """Make ``clock`` the display clock, keeping the moment on screen."""
        self._chosen_clock = clock
        old_clock, frame = self._display_clock, self.current_frame
        if clock == old_clock:
            return
        self._refresh_clock()
        self._restore_frame(old_clock, frame)

    def _derive_display_clock(self) -> str:
        """Return the display clock: the chosen one while it is a choice, else the default."""
        chosen = self._chosen_clock
        if chosen is not None and chosen in self.display_clock_choices():
            return chosen
        return find_display_clock(self.dm)

    def _update_display_clock(self) -> None:
        """Set :attr:`display_clock` from :meth:`_derive_display_clock`, telling if it changed."""
        old, self._display_clock = self._display_clock, self._derive_display_clock()
        if old != self._display_clock:
            self.display_clock_changed.emit(old, self._display_clock)

    @property
    def n_frames(self) -> int:
        """Number of display frames (length of the display clock, else of the media)."""
        n = len(self.dm.get_time(self._display_clock))
        if n == 0:
            shape = media_shape(self.dm)
            n = shape[0] if shape else 0
        return n

    def media_shape(self) -> tuple[int, int] | None:
        """Return ``(height, width)`` of the first media key, or ``None`` without media."""
        shape = media_shape(self.dm)
        return None if shape is None else (shape[1], shape[2])

    def to_display(self, key: str, index: int) -> int:
        """Display frame showing index ``index`` of ``key``'s clock."""
        return convert_frame(self.dm, index, self.dm.time_key(key), self._display_clock)

    def from_display(self, key: str, frame: int) -> int:
        """Index on ``key``'s clock matching display frame ``frame``."""
        return convert_frame(self.dm, frame, self._display_clock, self.dm.time_key(key))

    # ------------------------------------------------------------------ frame
    @property
    def current_frame(self) -> int:
        """The display frame the viewer's slider points at."""
        viewer = self.viewer
        return frame_of_dims(viewer.dims) if viewer is not None else 0

    @property
    def shown_frame(self) -> int | None:
        """The display frame our layers show.

        It lags :attr:`current_frame` only after several steps within one event-loop turn,
        until the loop runs: scrubbing is coalesced.
        """
        return self._scheduler.applied_frame

    def set_frame(self, frame: int) -> None:
        """Move the viewer to display frame ``frame`` (clamped) and show it right away."""
        viewer = self.viewer
        if viewer is None:
            return
        n = self.n_frames
        frame = min(max(int(frame), 0), max(n - 1, 0))
        if viewer.dims.ndim >= 3:
            viewer.dims.set_current_step(0, frame)
        self._scheduler.flush()

    def flush_pending_edits(self) -> None:
        """Store every layer edit still in progress (e.g. a polyline being drawn) now.

        The frame change does this for the frame being left; the workflow actions (save,
        undo, redo, copying frames, jumps) call it first, so they act on what the user sees:
        a line drawn but not yet finished with a double-click is saved, or undone as one step.
        """
        for binding in list(self.bindings.values()):
            binding.flush_pending_edit()

    def _apply_frame(self, frame: int) -> None:
        for binding in list(self.bindings.values()):
            binding.show_index(self.from_display(binding.key, frame))
        self.frame_changed.emit(frame)

    def _show_current(self, binding: Binding) -> None:
        """Make ``binding`` draw the current frame, whether or not it changed."""
        binding.show_index(self.from_display(binding.key, self.current_frame), force=True)

    def schedule_thumbnails(self) -> None:
        """Redraw layer thumbnails and extents once frame stepping pauses (skipped per step)."""
        self._thumbnail_timer.start()

    def _refresh_thumbnails(self) -> None:
        for binding in self.bindings.values():
            if binding.layer is not None and not isinstance(binding, ImageBinding):
                binding.layer.refresh(data_displayed=False, highlight=False, extent=True)

    # ------------------------------------------------------------------ active key
    @property
    def active_key(self) -> str | None:
        """The key annotation shortcuts act on: the most recently selected annotation layer's.

        Selecting a points, lines or mask layer makes its key active; selecting the media
        (or any other) layer keeps the last annotation key, so that frame-jump keys still
        work right after opening a session, when napari has selected the media.
        """
        return self._active_key

    @active_key.setter
    def active_key(self, key: str | None) -> None:
        if key is not None and key not in self.dm:
            raise KeyError(f"active_key: no data key {key!r}; available keys: {self.dm.keys()}")
        pose_was = self._active_pose
        if key is not None:
            self._active_pose = None
        if key != self._active_key or pose_was != self._active_pose:
            self._active_key = key
            self.active_key_changed.emit(key)

    @property
    def active_pose(self) -> str | None:
        """The pose set annotation shortcuts act on, when its layers were selected last.

        Selecting a pose set's keypoints (or skeleton) layer makes it active instead of a
        key (:attr:`active_key` is then None): frame jumps go by frames with any of its
        keypoints, Ctrl+D copies all of them. None when a key is active, or the pose set
        is gone.
        """
        name = self._active_pose
        if name is not None and name not in pose_sets(self.dm):
            return None
        return name

    def _on_active_layer(self, event: Any) -> None:
        layer = getattr(event, "value", None)
        metadata = layer.metadata if layer is not None else {}
        pose = metadata.get(WTB_POSE, metadata.get(WTB_SKELETON))
        if pose is not None:
            if pose != self._active_pose or self._active_key is not None:
                self._active_pose, self._active_key = str(pose), None
                self.active_key_changed.emit(None)
            return
        key = metadata.get(WTB_KEY)
        if key is not None and key in self.dm and self.dm.data_type(key) not in MEDIA_KINDS:
            self.active_key = key

    # ------------------------------------------------------------------ show / hide
    def bind_all(self) -> None:
        """Give every spatial key (media, masks, lines, points) its layer."""
        self._update_display_clock()
        keys = [
            k
            for k in self.dm
            if self.dm.data_type(k) in BINDING_CLASSES and not is_pose_key(self.dm, k)
        ]
        keys.sort(key=lambda k: _STACK_ORDER[self.dm.data_type(k)])
        for key in keys:
            if key not in self._hidden:
                self.show_key(key, _update_axis=False)
        self.update_frame_axis()
        self._scheduler.flush(force=True)

    def is_shown(self, key: str) -> bool:
        """Whether ``key`` currently has a layer."""
        return key in self.bindings

    def show_key(self, key: str, _update_axis: bool = True, layer: Any = None) -> None:
        """Create the layer of ``key`` (no-op if it is shown already); or adopt ``layer``."""
        if key in self.bindings or self.viewer is None:
            return
        data_type = self.dm.data_type(key)
        binding_class = BINDING_CLASSES.get(data_type)
        if binding_class is None:
            raise ValueError(
                f"key {key!r} holds {data_type} data; only {sorted(BINDING_CLASSES)} "
                "data can be shown as layers"
            )
        self._hidden.discard(key)
        old_clock, frame = self._display_clock, self.current_frame
        if data_type in MEDIA_KINDS:
            self._update_display_clock()
        binding = binding_class(self, key)
        self.bindings[key] = binding
        layer = binding.attach(layer)
        self._place_layer(layer, _STACK_ORDER[data_type])
        self._places.restore(key, binding_class.__name__, layer, self.viewer.layers)
        if _update_axis:
            self.update_frame_axis()
        if data_type in MEDIA_KINDS and _update_axis:
            self._restore_frame(old_clock, frame)
        self._show_current(binding)
        self.shown_changed.emit(key, True)

    def hide_key(self, key: str) -> None:
        """Remove the layer of ``key`` (the data stays in the DataManager)."""
        self._hidden.add(key)
        if isinstance(self.bindings.get(key), ImageBinding):
            self._unbind_media(key)
        else:
            self._unbind(key)

    def _unbind(self, key: str) -> None:
        binding = self.bindings.pop(key, None)
        if binding is None:
            return
        if self.viewer is not None and binding.layer is not None:
            kind = type(binding).__name__  # the key is gone from dm already
            self._places.remember(key, kind, binding.layer, self.viewer.layers)
        binding.detach(remove_layer=True)
        self.shown_changed.emit(key, False)

    def _place_layer(self, layer: Any, order: int) -> None:
        """Stack media below masks below lines below points; other layers stay on top."""
        layers = self.viewer.layers
        target = 0
        for other in layers:
            if other is layer:
                continue
            if other.metadata.get(FRAME_AXIS_LAYER):
                target += 1
                continue
            key = other.metadata.get(WTB_KEY)
            if (
                key in self.bindings
                and key in self.dm
                and _STACK_ORDER.get(self.dm.data_type(key), 99) <= order
            ):
                target += 1
        index = layers.index(layer)
        if index != target:
            layers.move(index, target)

    def _needs_frame_axis(self) -> bool:
        """Whether the viewer needs a frame axis: a shown key, a pose set or a time series.

        Signals, events and intervals have no layer but are lanes of the Timeline, whose
        cursor follows the frame slider: opened alone (an events CSV), they left the viewer
        2-D, on napari's welcome screen, with no slider to step through their clock.
        """
        poses = getattr(self, "poses", None)
        return (
            bool(self.bindings)
            or (poses is not None and bool(poses.points))
            or any(self.dm.data_type(key) in SERIES_KINDS for key in self.dm)
        )

    def update_frame_axis(self) -> None:
        """Keep a hidden placeholder carrying the frame axis when no media is shown.

        Any shown key, pose set (a DeepLabCut table opened alone) or time series (an events
        CSV opened alone) without media needs it.
        """
        viewer = self.viewer
        if viewer is None:
            return
        had_frame_axis = viewer.dims.ndim >= 3
        has_media = any(isinstance(b, ImageBinding) for b in self.bindings.values())
        self._frame_axis.update(
            self._needs_frame_axis() and not has_media,
            self.n_frames,
            display_clock=self._display_clock,
        )
        if not had_frame_axis and viewer.dims.ndim >= 3:  # napari starts a new axis at its middle
            self.set_frame(0)

    # ------------------------------------------------------------------ DataManager → layers
    def _on_data_added(self, key: str) -> None:
        if self._loading or key not in self.dm:
            return
        if (
            self.dm.data_type(key) in BINDING_CLASSES
            and key not in self._hidden
            and not is_pose_key(self.dm, key)
        ):
            self.show_key(key)
        elif self._is_media(key):
            self._refresh_clock()
        elif self.dm.data_type(key) in SERIES_KINDS:
            self.update_frame_axis()

    def _on_data_removed(self, key: str) -> None:
        if self._loading:
            return
        if isinstance(self.bindings.get(key), ImageBinding):
            self._unbind_media(key)
        elif key in self.bindings:
            self._unbind(key)
        else:  # a time series (no layer): the last one takes the frame axis with it
            self.update_frame_axis()
        if key == self._active_key:
            self.active_key = None

    def _unbind_media(self, key: str) -> None:
        """Unbind a media key, keeping a frame axis (placeholder first) and the shown time."""
        old_clock, frame = self._display_clock, self.current_frame
        binding = self.bindings.pop(key)
        self._update_display_clock()
        self.update_frame_axis()  # adds the placeholder before the media layer goes
        self.bindings[key] = binding
        self._unbind(key)
        self._refresh_clock()
        self._restore_frame(old_clock, frame)

    def _restore_frame(self, old_clock: str, frame: int) -> None:
        """Show the moment that was display frame ``frame`` of ``old_clock`` again."""
        if old_clock != self._display_clock and old_clock in self.dm.time_keys():
            frame = convert_frame(self.dm, frame, old_clock, self._display_clock)
        self.set_frame(frame)

    def _past_end(self, old_clock: str, frame: int) -> bool:
        """Whether frame ``frame`` of ``old_clock`` lies after the display clock's last frame."""
        if old_clock not in self.dm.time_keys() or self.current_frame < self.n_frames - 1:
            return False
        return convert_frame(self.dm, self.current_frame, self._display_clock, old_clock) < frame

    def _on_data_renamed(self, old: str, new: str) -> None:
        self._places.rename(old, new)
        if old in self._hidden:
            self._hidden.discard(old)
            self._hidden.add(new)
        binding = self.bindings.pop(old, None)
        if binding is not None:
            binding.rename(new)
            self.bindings[new] = binding
        if self._active_key == old:
            self.active_key = new

    def _on_data_changed(self, key: str, frames: Any) -> None:
        if self._loading:
            return
        if frames is None and isinstance(self.bindings.get(key), ImageBinding):
            self._refresh_clock()  # e.g. the media was bound to another clock
            return
        binding = self.bindings.get(key)
        if binding is not None:
            binding.on_data_changed(frames)

    def _on_clocks_changed(self, name: str) -> None:
        if not self._loading:
            self._refresh_clock()

    def _refresh_clock(self) -> None:
        """Re-derive the display clock and frame axis, then redraw every layer."""
        self._update_display_clock()
        self.update_frame_axis()
        for binding in self.bindings.values():
            if isinstance(binding, ImageBinding):
                binding.on_data_changed(None)
            self._show_current(binding)

    def _on_layer_inserted(self, event: Any) -> None:
        """Adopt a media Image layer added from outside (e.g. the sample) tagged with a key."""
        layer = getattr(event, "value", None)
        key = layer.metadata.get(WTB_KEY) if layer is not None else None
        if key is None or key in self.bindings or key not in self.dm:
            return
        from napari.layers import Image

        if self._is_media(key) and isinstance(layer, Image):
            self.show_key(key, layer=layer)

    def _on_layer_removed(self, event: Any) -> None:
        layer = getattr(event, "value", None)
        if self._frame_axis.is_placeholder(layer):
            self._frame_axis.forget()
            # Deleted by the user: the frame slider went with it. Put it back once the
            # removal is over (never add layers while napari is clearing them).
            frame = self.shown_frame or 0
            QTimer.singleShot(0, partial(self._after_media_layer_removed, frame))
            return
        for key, binding in list(self.bindings.items()):
            if binding.layer is layer:
                binding.detach(remove_layer=False)
                del self.bindings[key]
                self._hidden.add(key)
                self.shown_changed.emit(key, False)
                if isinstance(binding, ImageBinding):
                    # The frame axis may be gone with the media layer. Re-check once the
                    # removal is over (never add layers while napari is clearing them).
                    frame = self.shown_frame or 0
                    QTimer.singleShot(0, partial(self._after_media_layer_removed, frame))

    def _after_media_layer_removed(self, frame: int) -> None:
        viewer = self.viewer
        if viewer is None or window_closed(viewer) or not self._needs_frame_axis():
            return
        self.update_frame_axis()
        self.set_frame(frame)

    # ------------------------------------------------------------------ files
    def open(self, path: str | Path, item: ConfigItem | None = None) -> OpenedPath:
        """Load a session folder, a JSON config, a video, a TIFF stack, an image folder or a data file.

        The path is routed by :func:`napari_whiskertoolbox.io.routing.open_path`. Everything
        is loaded into this session's DataManager, every spatial key is bound and the view
        is fitted to the media (:meth:`fit_view`).

        A path opened into an empty, unmodified session (or any session folder) leaves it
        saved with an empty undo history, at frame 0: there is nothing to save or undo yet.
        Opening into a session that already holds data (e.g. adding a video to annotations)
        is an edit of that session: it stays modified, can be undone, and keeps its frame.

        A file bringing media on a clock other than the display clock (a config's video on a
        clock of its own beside the sample's) makes that clock the display clock, so that
        the slider reaches each of its frames: the moment on screen is kept, converted
        through the clocks, and :attr:`display_clock_switch` says ``(old, new)``
        (:meth:`set_display_clock` switches back).

        Parameters
        ----------
        path : str or Path
            What to open.
        item : ConfigItem, optional
            How to read a data file (see :func:`napari_whiskertoolbox.io.data_files.data_file_item`).

        Returns
        -------
        OpenedPath
            What was loaded.

        Raises
        ------
        napari_whiskertoolbox.io.routing.DataFileNeedsItem
            ``path`` is a data file whose content does not say what it holds (pass ``item``).
        napari_whiskertoolbox.io.FormatError
            ``path`` is none of the supported kinds (or a file in it is malformed).
        FileNotFoundError
            ``path`` does not exist.
        """
        opened = self._load_as_open(
            lambda: open_path(path, self.dm, item=item, default_clock=self._display_clock),
            lambda opened: opened.kind == "session",
        )
        # Only now: marking the load saved must not read as a save of ``path`` (the autosaver
        # would drop the recovery that the reader offers for ``path`` next).
        if opened.source is not None:
            self.path = opened.source
        self.fit_view()
        return opened

    def adopt(self, source: DataManager, name: str = "the DataManager shown") -> tuple[str, ...]:
        """Move the keys, clocks, groups and metadata of ``source`` into the session, as an open.

        What :meth:`open` does with a file, for a DataManager built in Python (the sample,
        :func:`napari_whiskertoolbox.show_data_manager`): the data joins through
        :func:`napari_whiskertoolbox.io.routing.adopt_data_manager` (a key the session has
        is replaced), and the same rules follow. Into an empty, unmodified session it
        leaves nothing to save or undo, at frame 0; otherwise it is one undo step and keeps
        the moment on screen. Media on a clock other than the display clock makes that
        clock the display clock (:attr:`display_clock_switch` says ``(old, new)``). The
        view is not fitted (:meth:`fit_view`).

        Parameters
        ----------
        source : DataManager
            The data; it is not watched afterwards.
        name : str
            What ``source`` is, for the log messages and the undo step's label
            (``"Open <name>"``).

        Returns
        -------
        tuple of str
            The keys ``source`` set in the session.
        """
        return self._load_as_open(lambda: adopt_data_manager(self.dm, source, name), None)

    def _load_as_open(
        self, load: Callable[[], _Loaded], starts_over: Callable[[_Loaded], bool] | None
    ) -> _Loaded:
        """Run ``load`` (which adds to :attr:`dm`) under the rules every open follows.

        Layers resync once the load is done; the clock of media the load brought on
        another clock becomes the display clock (:meth:`_follow_opened_media`, told by
        :attr:`display_clock_switch`); an empty, unmodified session (or one the load starts
        over: ``starts_over(result)``, a session folder) is left saved, with an empty undo
        history, at frame 0; otherwise the moment on screen is kept.
        """
        pristine = not self.dm.keys() and not self.dm.modified
        old_clock, frame = self._display_clock, self.current_frame
        had_frame_axis = self.viewer is not None and self.viewer.dims.ndim >= 3
        media_before = {id(self.dm.get_data(k)) for k in self.dm if self._is_media(k)}
        self.display_clock_switch = None
        self.moment_past_end = None
        loaded = fresh = False
        self._loading = True
        try:
            result = load()
            loaded = True
        finally:
            self._loading = False
            if loaded:
                fresh = starts_over is not None and starts_over(result)
                self._follow_opened_media(fresh, media_before, old_clock)
            self._resync_after_load()
        if media_before and self._display_clock != old_clock and not fresh:
            self.display_clock_switch = (old_clock, self._display_clock)
        if fresh or pristine:
            self.dm.history.clear()
            self.dm.mark_saved()
            self.set_frame(0)
        elif had_frame_axis:  # the moment shown before, also on a new display clock
            self._restore_frame(old_clock, frame)
            if self.display_clock_switch is not None and self._past_end(old_clock, frame):
                self.moment_past_end = frame
        else:  # napari puts a new frame axis at its middle
            self.set_frame(0)
        return result

    def _is_media(self, key: str) -> bool:
        return self.dm.data_type(key) in MEDIA_KINDS

    def _follow_opened_media(
        self, starts_over: bool, media_before: set[int], old_clock: str
    ) -> None:
        """Choose the clock of the media a load brought as the display clock.

        A video opened beside another one on its own clock (a config's video on its own
        clock, the sample beside a video, say) gets the frame slider: its frames are the
        slider's steps, so all of them can be reached. A session folder starts over on its
        first media's clock.
        """
        if starts_over:
            self._chosen_clock = None
            return
        new = [
            k for k in self.dm if self._is_media(k) and id(self.dm.get_data(k)) not in media_before
        ]
        if new and self.dm.time_key(new[0]) != old_clock:
            self._chosen_clock = self.dm.time_key(new[0])

    def fit_view(self) -> None:
        """Fit the viewer's camera to the media (without media: to the annotations' image).

        Without media the view spans the annotations' image from ``(0, 0)`` and, beyond
        it, every keypoint's marker and body-part label (their text keeps its size on
        screen, so the box is found at the zoom it is shown at: a few fits converge).
        The camera it leaves is remembered (:meth:`view_is_fitted`).
        """
        viewer = self.viewer
        if viewer is None:
            return
        self._fit_view(viewer)
        self._fitted_camera = _camera_state(viewer)

    def refit_view(self) -> None:
        """Fit the camera again to what :meth:`fit_view` last showed, for a new canvas size.

        The extent the last fit found is kept (the data did not change); only the camera's
        zoom and center follow the canvas.
        """
        viewer = self.viewer
        if viewer is None:
            return
        viewer.reset_view()
        self._fitted_camera = _camera_state(viewer)

    def view_is_fitted(self) -> bool:
        """Whether the camera is where :meth:`fit_view` last left it (not zoomed or panned since).

        A canvas resized meanwhile (a dock opened beside it) leaves the camera as it was, so
        the fit can be renewed for the new canvas without undoing the user's own view.
        """
        viewer = self.viewer
        if viewer is None or self._fitted_camera is None:
            return False
        center, zoom = _camera_state(viewer)
        fitted_center, fitted_zoom = self._fitted_camera
        return bool(
            np.allclose(center, fitted_center, rtol=1e-6, atol=1e-6)
            and np.isclose(zoom, fitted_zoom, rtol=1e-6)
        )

    def _fit_view(self, viewer: napari.Viewer) -> None:
        if self._frame_axis.layer is None:
            viewer.reset_view()
            return
        extent = annotation_extent(self.dm)
        self._frame_axis.update(True, self.n_frames, extent, display_clock=self._display_clock)
        viewer.reset_view()
        rooms = self.poses.label_room() if hasattr(self, "poses") else []
        if extent is None or not rooms:
            return
        shown: tuple[int, int, int, int] | None = None
        for _ in range(6):
            zoom = float(viewer.scene.camera.zoom)
            top, left, bottom, right = 0.0, 0.0, float(extent[0]), float(extent[1])
            for room in rooms:
                t, lf, b, r = room.box(zoom)
                top, left, bottom, right = min(top, t), min(left, lf), max(bottom, b), max(right, r)
            box = (
                int(np.floor(top)),
                int(np.floor(left)),
                int(np.ceil(bottom)),
                int(np.ceil(right)),
            )
            if shown is not None and all(abs(a - b) <= 1 for a, b in zip(box, shown)):
                return
            shown = box
            self._frame_axis.update(
                True,
                self.n_frames,
                (box[2] - box[0], box[3] - box[1]),
                display_clock=self._display_clock,
                origin=(box[0], box[1]),
            )
            viewer.reset_view()

    def _resync_after_load(self) -> None:
        for key in list(self.bindings):
            if key not in self.dm or self.dm.data_type(key) not in BINDING_CLASSES:
                self._unbind(key)
        self._update_display_clock()
        self.bind_all()
        for binding in self.bindings.values():
            binding.on_data_changed(None)
        if hasattr(self, "poses"):
            self.poses.sync()

    def save(self, path: str | Path | None = None) -> Path:
        """Save the DataManager as a session folder (``path``, else :attr:`path`).

        A session opened from a WhiskerToolbox config is saved, by default, into the folder
        ``<config name>.session`` next to the config, never over the config itself.

        Returns
        -------
        Path
            The written ``session.json``.
        """
        from napari_whiskertoolbox.io import save_session

        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("save: this session has no folder yet; pass save(path=<folder>)")
        if path is None:
            target = session_folder_for(target)
        written = save_session(self.dm, target)
        self.path = written.parent if target.suffix.lower() == ".json" else target
        return written

    def close(self) -> None:
        """Remove every synced layer and disconnect from the DataManager and the viewer."""
        self.poses.close()
        for key in list(self.bindings):
            self._unbind(key)
        if self.viewer is not None:
            self._frame_axis.update(False, 0)  # drops the placeholder, if any
        for signal, slot in self._dm_slots:
            signal.disconnect(slot)
        self._dm_slots = []
        self._stop_paint_flush()
        self._playback.close()
        self._stop_keeping_visuals()
        self._scheduler.close()
        self._thumbnail_timer.stop()
        viewer = self.viewer
        if viewer is not None:
            viewer.layers.events.removed.disconnect(self._on_layer_removed)
            viewer.layers.events.inserted.disconnect(self._on_layer_inserted)
            viewer.layers.selection.events.active.disconnect(self._on_active_layer)
        self.closed.emit()


def _camera_state(viewer: napari.Viewer) -> tuple[tuple[float, ...], float]:
    """Return the camera's center and zoom (what a fit sets and a zoom or pan changes)."""
    camera = viewer.scene.camera
    return tuple(float(c) for c in camera.center), float(camera.zoom)
