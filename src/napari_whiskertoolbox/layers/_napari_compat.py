"""The only place that touches private napari attributes.

Each function here is the smallest private access we could not avoid, has its own test in
``tests/layers/test_napari_compat.py``, and fails loudly (a clear ``RuntimeError``) when a
napari release changes the internals it relies on.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import napari
    from qtpy.QtWidgets import QDockWidget, QMainWindow, QWidget

__all__ = [
    "PreparedPaths",
    "add_prepared_paths",
    "add_shapes_at_current_width",
    "block_refresh",
    "call_before_paint",
    "clear_paint_history",
    "clip_labels_draw",
    "console_dock",
    "console_if_created",
    "fit_axis_labels",
    "forget_vetoed_quit",
    "keep_mesh_shaders",
    "keep_removed_visuals",
    "keep_shapes_shaders",
    "layer_list_dock",
    "main_window",
    "move_points",
    "on_console_shown",
    "outline_text",
    "pace_status",
    "playback_signals",
    "prepare_paths",
    "quit_requested",
    "real_viewer",
    "repaint_only_changed_rows",
    "route_layer_history",
    "set_napari_close_questions",
    "skip_empty_draws",
    "skip_repeated_update_draw",
    "skip_unchanged_transforms",
    "slice_once_per_step",
    "tolerate_status_races",
    "unroute_layer_history",
    "viewer_widget",
    "vispy_layer",
    "window_closed",
    "write_to_console",
]


# --------------------------------------------------------------------------- viewer proxies
# Used by workflow/registry.py and every helper below. napari hands plugin widgets a
# ``PublicOnlyProxy`` of the viewer (napari/utils/_proxies.py, a wrapt proxy) that warns on
# private attribute access and is a new object each time: a session keyed or weakly
# referenced by it would vanish with the proxy. ``__wrapped__`` is wrapt's public way to the
# object behind a proxy.
def real_viewer(viewer: napari.Viewer) -> napari.Viewer:
    """Return the viewer behind napari's plugin proxy (``viewer`` itself if not proxied)."""
    while "ObjectProxy" in {cls.__name__ for cls in type(viewer).__mro__}:
        wrapped = getattr(viewer, "__wrapped__", None)
        if wrapped is None or wrapped is viewer:
            break
        viewer = wrapped
    return viewer


# --------------------------------------------------------------------------- main window
# Used by workflow/close_guard.py (owner: napari integration). napari has no public
# accessor for the QMainWindow of a viewer that has no docked widget yet; dock widgets
# would give it through ``dock.window()``, which the close guard cannot wait for.
def main_window(viewer: napari.Viewer) -> QMainWindow:
    """Return the ``QMainWindow`` of ``viewer`` (to install event filters on it).

    Raises
    ------
    RuntimeError
        If this napari version no longer exposes the window where we expect it.
    """
    from qtpy.QtWidgets import QMainWindow

    window = getattr(real_viewer(viewer).window, "_qt_window", None)
    if not isinstance(window, QMainWindow):
        raise RuntimeError(
            "napari_whiskertoolbox: viewer.window._qt_window is no longer the viewer's "
            f"QMainWindow in napari (got {type(window).__name__}); update "
            "layers/_napari_compat.main_window"
        )
    return window


# --------------------------------------------------------------------------- closed window
# Used by layers/session.py (the frame slider placeholder). ``viewer.close()`` removes every
# layer, then closes the window; a layer removal cannot tell that from the user deleting
# layers, and napari has no public flag for a closed viewer. Its ``Window.close`` deletes
# ``window._qt_window`` (napari/_qt/qt_main_window.py).
def window_closed(viewer: napari.Viewer) -> bool:
    """Return whether ``viewer``'s window has been closed (``viewer.close()``, File > Close).

    Raises
    ------
    RuntimeError
        If this napari version keeps something else under ``window._qt_window``.
    """
    if getattr(real_viewer(viewer), "window", None) is None:  # a ViewerModel: no window
        return False
    return _qt_window_or_none(viewer, "window_closed") is None


def _qt_window_or_none(viewer: napari.Viewer, probe: str) -> QMainWindow | None:
    """Return ``viewer.window._qt_window`` (None: no window, or one ``viewer.close()`` closed).

    Raises
    ------
    RuntimeError
        If it is something else than a ``QMainWindow`` (naming ``probe``, the caller).
    """
    from qtpy.QtWidgets import QMainWindow

    window = getattr(getattr(real_viewer(viewer), "window", None), "_qt_window", None)
    if window is not None and not isinstance(window, QMainWindow):
        raise RuntimeError(
            "napari_whiskertoolbox: viewer.window._qt_window is no longer the viewer's "
            f"QMainWindow in napari (got {type(window).__name__}); update "
            f"layers/_napari_compat.{probe}"
        )
    return window


# --------------------------------------------------------------------------- open viewers
# Used by workflow/exit_close.py. A window closed by its title bar or File > Close Window
# is deleted by Qt (napari sets WA_DeleteOnClose) while its viewer stays in napari's
# ``Viewer._instances`` with its layers: ``napari.Viewer.close_all()`` then raises on it
# (leaving the viewers after it open), or clears its layers into a deleted canvas.
def open_viewers() -> list[napari.Viewer]:
    """Return every viewer napari has not closed with ``viewer.close()``, windows closed included.

    :func:`window_deleted` tells which of them Qt has deleted the window of.

    Raises
    ------
    RuntimeError
        If napari no longer keeps its viewers in ``Viewer._instances`` (a ``WeakSet``).
    """
    import napari

    instances = getattr(napari.Viewer, "_instances", None)
    if not isinstance(instances, weakref.WeakSet):
        raise RuntimeError(
            "napari_whiskertoolbox: napari.Viewer._instances is no longer napari's WeakSet of "
            "viewers; update layers/_napari_compat.open_viewers"
        )
    return list(instances)


def window_deleted(viewer: napari.Viewer) -> bool:
    """Return whether Qt has deleted ``viewer``'s main window (closed by its user).

    Raises
    ------
    RuntimeError
        If this napari version keeps something else under ``window._qt_window``.
    """
    window = _qt_window_or_none(viewer, "window_deleted")
    if window is None:
        return False
    try:
        window.objectName()
    except RuntimeError:  # sip: "wrapped C/C++ object ... has been deleted"
        return True
    return False


# --------------------------------------------------------------------------- layer list dock
# Used by widgets/docking.py (dock layout). napari docks its layer list in a
# ``QtViewerDockWidget`` that only ``QtViewer.dockLayerList`` returns; a dock of ours at the
# bottom gives the left column its height back and the layer list the room it asks for.
def layer_list_dock(viewer: napari.Viewer) -> QDockWidget:
    """Return the ``QDockWidget`` napari shows its layer list in.

    Raises
    ------
    RuntimeError
        If this napari version no longer has ``QtViewer.dockLayerList``.
    """
    from qtpy.QtWidgets import QDockWidget

    dock = getattr(viewer_widget(viewer), "dockLayerList", None)
    if not isinstance(dock, QDockWidget):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtViewer.dockLayerList is no longer the layer "
            f"list's QDockWidget (got {type(dock).__name__}); update "
            "layers/_napari_compat.layer_list_dock"
        )
    return dock


# --------------------------------------------------------------------------- layer list rows
# Used by layers/session.py (once per viewer). napari's layer list model (``QtLayerListModel``,
# the source model of the ``QtLayerList`` view behind a ``ReverseProxyModel``) answers every
# event a layer emits with ``dataChanged`` for the layer's row (``_process_event``, reached
# through the layer list's re-emission of its layers' events). Qt's ``QListView`` answers any
# ``dataChanged`` with a relayout of all rows and a repaint of the whole list (every row's
# name, SVG type icon, eye and thumbnail: about 1 ms a row on this machine). The media's
# Image layer emits three such events on each frame napari slices (``_extent_augmented``,
# ``set_data``, ``thumbnail``), so playback re-laid-out and repainted the whole list on every
# frame, four rows with every kind bound. A row shows the layer's name, visibility, type,
# lock, loading state and thumbnail (all of a fixed size); ``set_data`` and
# ``_extent_augmented`` change none of them, and a new thumbnail changes only its own row.
_ROWLESS_EVENTS = frozenset({"set_data", "_extent_augmented"})
"""Layer events that change nothing a layer list row shows (napari maps them to no role)."""


def repaint_only_changed_rows(viewer: napari.Viewer) -> bool:
    """Make ``viewer``'s layer list repaint only the row a layer's thumbnail changed in.

    Events that change nothing a row shows (``set_data``, ``_extent_augmented``) no longer
    reach the list's Qt view; a new thumbnail repaints its own row (no relayout, no other
    row); every other event goes to napari's model as before. Idempotent. A viewer without
    a Qt window has no layer list: nothing is done.

    Returns
    -------
    bool
        Whether the viewer's layer list repaints this way.

    Raises
    ------
    RuntimeError
        If napari's layer list is no longer a Qt item view over a proxy of its
        ``QtLayerListModel``, which turns layer events into ``dataChanged`` in
        ``_process_event``.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return False
    from qtpy.QtCore import QSortFilterProxyModel

    view: Any = getattr(viewer_widget(viewer), "layers", None)
    proxy: Any = view.model() if callable(getattr(view, "model", None)) else None
    source: Any = proxy.sourceModel() if isinstance(proxy, QSortFilterProxyModel) else None
    process = getattr(source, "_process_event", None)
    if (
        not callable(process)
        or not callable(getattr(view, "update", None))
        or not callable(getattr(source, "index", None))
        or type(source).__name__ != "QtLayerListModel"
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's layer list (QtViewer.layers) is no longer a Qt "
            "view over a proxy of a QtLayerListModel with _process_event; update "
            "layers/_napari_compat.repaint_only_changed_rows"
        )
    if getattr(process, "_wtb_rows", False):
        return True
    # weak references only: the model keeps this function, and must not keep itself alive
    view_ref, proxy_ref, source_ref = weakref.ref(view), weakref.ref(proxy), weakref.ref(source)
    napari_process = type(source)._process_event

    def process_event(event: Any) -> None:
        model, shown, rows = source_ref(), view_ref(), proxy_ref()
        if model is None or shown is None or rows is None:
            return
        kind = getattr(event, "type", None)
        index = getattr(event, "index", None)
        if kind in _ROWLESS_EVENTS and isinstance(index, int):
            return
        if kind == "thumbnail" and isinstance(index, int):
            row = rows.mapFromSource(model.index(index))
            if row.isValid():
                shown.update(row)  # that row's rectangle only
            return
        napari_process(model, event)

    process_event._wtb_rows = True  # type: ignore[attr-defined]
    source._process_event = process_event
    return True


# --------------------------------------------------------------------------- close requests
# Used by workflow/close_guard.py (owner: napari integration). ``viewer.close()`` (napari's
# ``Window.close()``) closes the viewer's QtViewer widget before its main window, while
# the user's closes (File > Close Window / Exit, Ctrl+W / Ctrl+Q, the window's X button)
# close only the main window. The close guard watches that widget to tell the two apart.
def viewer_widget(viewer: napari.Viewer) -> QWidget:
    """Return the Qt widget napari's ``viewer.close()`` closes before the main window.

    Raises
    ------
    RuntimeError
        If this napari version no longer exposes it where we expect it.
    """
    from qtpy.QtWidgets import QWidget

    widget = getattr(real_viewer(viewer).window, "_qt_viewer", None)
    if not isinstance(widget, QWidget):
        raise RuntimeError(
            "napari_whiskertoolbox: viewer.window._qt_viewer is no longer the viewer's Qt "
            f"widget in napari (got {type(widget).__name__}); update "
            "layers/_napari_compat.viewer_widget"
        )
    return widget


# napari's File > Exit runs ``window.close(quit_app=True)``, which records the quit in
# ``_QtMainWindow._quit_app`` before the close event that our guard may veto. Left set,
# the window's next close (even the X button) would quit the whole application.
def forget_vetoed_quit(window: QMainWindow) -> None:
    """Forget an application quit requested by a close that was vetoed.

    Raises
    ------
    RuntimeError
        If this napari version no longer records the quit in ``_quit_app``.
    """
    if not isinstance(getattr(window, "_quit_app", None), bool):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's main window no longer has the _quit_app flag; "
            "update layers/_napari_compat.forget_vetoed_quit"
        )
    window._quit_app = False


def quit_requested(window: QMainWindow) -> bool:
    """Return whether the close under way was requested by File > Exit (quits napari).

    Raises
    ------
    RuntimeError
        If this napari version no longer records the quit in ``_quit_app``.
    """
    flag = getattr(window, "_quit_app", None)
    if not isinstance(flag, bool):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's main window no longer has the _quit_app flag; "
            "update layers/_napari_compat.quit_requested"
        )
    return flag


# Used by workflow/close_guard.py. With its confirm_close_window setting on (the default),
# napari asks its own "Close window?" / "Quit?" in ``_QtMainWindow.close(quit_app,
# confirm_need=True)`` (File > Close Window, File > Exit, Ctrl+W, Ctrl+Q) before the close
# event our guard asks in; the user would get two questions. ``_is_close_dialog`` holds
# napari's own per-command "may ask" flags (napari clears one while closing so that it never
# asks twice, and sets it again afterwards); the guard clears them while a session has
# unsaved changes, so that only its Save / Discard / Cancel question is asked.
def set_napari_close_questions(window: QMainWindow, close: bool, quit: bool) -> None:
    """Let napari ask (True) or not (False) its own question for Close Window and Exit.

    Raises
    ------
    RuntimeError
        If this napari version no longer keeps the flags in ``_is_close_dialog``.
    """
    flags = getattr(window, "_is_close_dialog", None)
    if not isinstance(flags, dict) or set(flags) != {False, True}:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's main window no longer has the _is_close_dialog "
            "flags; update layers/_napari_compat.set_napari_close_questions"
        )
    flags[False] = bool(close)
    flags[True] = bool(quit)


# --------------------------------------------------------------------------- refresh batching
# Used by layers/binding.py (owner: layers A) for frame swaps. ``layer.data = ...`` makes
# napari refresh the layer (re-slice, thumbnail, highlight) up to three times for Shapes
# and once for Points before our own single refresh; napari's ``Layer._block_refresh``
# context manager is the only way to skip those intermediate refreshes.
@contextlib.contextmanager
def block_refresh(layer: Any) -> Iterator[None]:
    """Suppress ``layer.refresh()`` calls inside the block (the caller refreshes after).

    Raises
    ------
    RuntimeError
        If this napari version no longer has ``Layer._block_refresh``.
    """
    blocker = getattr(layer, "_block_refresh", None)
    if blocker is None or not hasattr(layer, "_refresh_blocked"):
        raise RuntimeError(
            "napari_whiskertoolbox: napari layers no longer have _block_refresh(); update "
            "layers/_napari_compat.block_refresh (frame swaps would be correct but slower "
            "with contextlib.nullcontext())"
        )
    with blocker():
        yield


# --------------------------------------------------------------------------- points moves
# Used by layers/points_binding.py (owner: layers A) for frame swaps. ``Points.data =``
# re-derives the per-point state even when the point count is unchanged (``fix_data_points``,
# features resize, text re-apply, ``_update_dims``, two ``data`` events and a ``features``
# event): about 0.2 ms of a 1.5 ms frame step in a shown viewer for 10 points. With the
# same count and dimensionality that per-point state (features, sizes, colours, symbols,
# text) is what the setter would leave anyway, so only the coordinates array is replaced;
# ``Points._data`` is the array napari's ``data`` property returns.
def move_points(layer: Any, coords: np.ndarray) -> bool:
    """Replace a Points layer's coordinates by ``coords`` if the point count is unchanged.

    The caller refreshes the layer afterwards (as after ``Points.data =`` inside
    :func:`block_refresh`). No event is emitted. A fresh array is stored (the previous
    ``layer.data`` array is not written to), exactly as ``layer.data = coords`` would.

    Parameters
    ----------
    layer : napari.layers.Points
        The layer.
    coords : numpy.ndarray
        ``(N, D)`` new coordinates, ``N`` and ``D`` as the layer's data.

    Returns
    -------
    bool
        Whether the coordinates were replaced; ``False`` (nothing done) when the count or
        the dimensionality differs or the layer is empty: use ``layer.data =`` then.

    Raises
    ------
    RuntimeError
        If napari's Points layer no longer keeps its coordinates in ``_data``.
    """
    held = getattr(layer, "_data", None)
    if not isinstance(held, np.ndarray) or held is not layer.data:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Points layer no longer keeps its coordinates "
            "in Points._data; update layers/_napari_compat.move_points (frame swaps would "
            "be correct but slower with `layer.data = coords`)"
        )
    if coords.ndim != 2 or len(coords) == 0 or coords.shape != held.shape:
        return False
    layer._data = coords
    return True


# --------------------------------------------------------------------------- markers moves
# Used by layers/points_binding.py for frame swaps during playback. After ``move_points``
# (same count), napari's refresh re-slices the layer (a 2-D layer shown in 2-D: every point,
# in order, again), recomputes its highlight, and its vispy layer rebuilds the markers' whole
# vertex buffer (``MarkersVisual.set_data``: positions, sizes, colours, symbols, border
# widths): about half of a Points frame swap. With nothing selected or highlighted, no
# visible text and every point in view, only the positions differ from what is on the GPU:
# they are written into vispy's interleaved vertex array (``MarkersVisual._data``, field
# ``a_position``, as ``set_data`` lays it out: display x, y, 0) and that array is uploaded
# again (``_vbo``). Anything else goes napari's way.
def move_points_on_canvas(viewer: napari.Viewer, layer: Any, coords: np.ndarray) -> bool:
    """Give Points ``layer`` the coordinates ``coords`` and only move its drawn markers.

    Does what ``move_points(layer, coords)`` followed by ``layer.refresh()`` would leave on
    the canvas, without napari's re-slice and full marker rebuild. No event is emitted;
    the thumbnail and extent are left to the caller (as after a refresh with
    ``thumbnail=False, extent=False``).

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer drawing the layer.
    layer : napari.layers.Points
        A 2-D layer shown in 2-D.
    coords : numpy.ndarray
        ``(N, 2)`` float32 coordinates, ``N`` the layer's point count.

    Returns
    -------
    bool
        ``False`` (nothing changed) unless the layer is visible, 2-D, shown in 2-D with every
        point in view, has no selection, highlight or visible text, keeps ``N`` points and is
        drawn by a vispy markers visual holding ``N`` markers: then use ``layer.data =`` (or
        :func:`move_points`) and a refresh.

    Raises
    ------
    RuntimeError
        If napari's Points layer or its vispy layer no longer keep what this reads
        (``Points._data``, ``_view_indices``, ``_highlight_index``, ``_highlight_box``,
        ``_slice_input``; ``node.points_markers`` with an interleaved ``_data`` array holding
        ``a_position`` and a ``_vbo`` vertex buffer).
    """
    if getattr(real_viewer(viewer), "window", None) is None or not layer.visible:
        return False
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return False
    markers = getattr(getattr(visual, "node", None), "points_markers", None)
    drawn = getattr(markers, "_data", None)
    slice_input = getattr(layer, "_slice_input", None)
    if (
        not isinstance(getattr(layer, "_data", None), np.ndarray)
        or not hasattr(layer, "_view_indices")
        or not hasattr(layer, "_highlight_index")
        or not hasattr(layer, "_highlight_box")
        or not hasattr(slice_input, "ndisplay")
        or not hasattr(slice_input, "displayed")
        or markers is None
        or not hasattr(markers, "_vbo")
        or (drawn is not None and "a_position" not in (drawn.dtype.names or ()))
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Points layer or its vispy markers changed; "
            "update layers/_napari_compat.move_points_on_canvas (frame swaps would be "
            "correct but slower with `layer.data = coords` and a refresh)"
        )
    n = len(coords)
    view = layer._view_indices
    if (
        drawn is None
        or len(drawn) != n
        or coords.shape != (n, 2)
        or layer._data.shape != coords.shape
        or layer.ndim != 2
        or slice_input.ndisplay != 2
        or tuple(slice_input.displayed) != (0, 1)
        or len(view) != n
        or not np.array_equal(view, np.arange(n))
        or layer.selected_data
        or len(layer._highlight_index)
        or layer._highlight_box is not None
        or _has_visible_text_check()(layer)
    ):
        return False
    layer._data = coords
    drawn["a_position"][:, 0] = coords[:, 1]  # vispy's x: the layer's column axis
    drawn["a_position"][:, 1] = coords[:, 0]
    markers._vbo.set_data(drawn)
    markers.update()
    return True


# --------------------------------------------------------------------------- console banner
# Used by workflow/console.py (owner: scripting) to show which Python environment scripts
# use. napari creates its console only when the user first opens it and has no public hook
# for that moment: ``QtViewer.dockConsole`` is the dock that shows it (napari's own
# ``visibilityChanged`` slot creates the console before ours runs) and ``QtViewer._console``
# holds it once created. qtconsole has no public call to print a line above the prompt;
# ``_append_plain_text(text, before_prompt=True)`` is the one its own banner code uses.
def console_if_created(viewer: napari.Viewer) -> Any:
    """Return napari's console widget of ``viewer``, or None while it was never opened.

    Raises
    ------
    RuntimeError
        If this napari version no longer keeps the console in ``QtViewer._console``.
    """
    qt_viewer = viewer_widget(viewer)
    if not hasattr(qt_viewer, "_console"):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtViewer no longer has _console; update "
            "layers/_napari_compat.console_if_created"
        )
    return qt_viewer._console


def console_dock(viewer: napari.Viewer) -> QDockWidget:
    """Return the dock napari shows ``viewer``'s console in (created hidden with the window).

    Raises
    ------
    RuntimeError
        If this napari version no longer has the ``QDockWidget`` ``QtViewer.dockConsole``.
    """
    from qtpy.QtWidgets import QDockWidget

    dock = getattr(viewer_widget(viewer), "dockConsole", None)
    if not isinstance(dock, QDockWidget):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtViewer no longer has the QDockWidget "
            "dockConsole; update layers/_napari_compat.console_dock"
        )
    return dock


def on_console_shown(viewer: napari.Viewer, callback: Any) -> None:
    """Call ``callback(console)`` each time napari's console dock of ``viewer`` is shown.

    Raises
    ------
    RuntimeError
        If this napari version no longer has ``QtViewer.dockConsole``.
    """
    qt_viewer = viewer_widget(viewer)
    dock = getattr(qt_viewer, "dockConsole", None)
    signal = getattr(dock, "visibilityChanged", None)
    if signal is None:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtViewer no longer has dockConsole; update "
            "layers/_napari_compat.on_console_shown"
        )

    viewer_ref = weakref.ref(viewer)  # the dock must not keep a closed viewer alive

    def shown(visible: bool) -> None:
        current = viewer_ref()
        console = console_if_created(current) if visible and current is not None else None
        if console is not None:
            callback(console)

    signal.connect(shown)


def write_to_console(console: Any, text: str, *, retries: int = 200) -> None:
    """Write ``text`` into napari's console above its prompt (output only, nothing runs).

    A console still starting (qtconsole's ``_starting``: its kernel has not answered yet)
    clears itself once it has, so the text is written when it is ready (checked every
    0.1 s, ``retries`` times at most).

    Raises
    ------
    RuntimeError
        If the console (qtconsole) no longer has ``_append_plain_text``.
    """
    append = getattr(console, "_append_plain_text", None)
    if append is None:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's console no longer has _append_plain_text "
            "(qtconsole); update layers/_napari_compat.write_to_console"
        )
    if getattr(console, "_starting", False) and retries > 0:
        from qtpy.QtCore import QTimer

        timer = QTimer(console)  # goes away with the console
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: write_to_console(console, text, retries=retries - 1))
        timer.timeout.connect(timer.deleteLater)
        timer.start(100)
        return
    append(text if text.endswith("\n") else text + "\n", before_prompt=True)


# --------------------------------------------------------------------------- Labels history
# Used by layers/labels_binding.py. napari's Labels layer records every write in its own
# paint history, our frame swaps through ``data_setitem`` included, and napari's
# ``layer.undo()`` would replay them: a frame swap undone paints another frame's masks.
# Ctrl+Z goes to the DataManager, whose history holds every stroke; clearing napari's
# after each swap and each stored stroke leaves its own undo nothing to replay (and keeps
# its memory from growing with the frames stepped through). napari has no public way to
# clear it.
def clear_paint_history(layer: Any) -> None:
    """Empty a Labels layer's own undo/redo history.

    Raises
    ------
    RuntimeError
        If this napari version no longer has ``Labels._reset_history``.
    """
    reset = getattr(layer, "_reset_history", None)
    if not callable(reset) or not hasattr(layer, "_undo_history"):
        raise RuntimeError(
            "napari_whiskertoolbox: napari Labels layers no longer have _reset_history(); "
            "update layers/_napari_compat.clear_paint_history"
        )
    reset()


# --------------------------------------------------------------------------- layer undo/redo
# Used by layers/history_keys.py. napari's Labels layer has public ``undo()`` and ``redo()``
# methods, which its own Ctrl+Z / Ctrl+Shift+Z bindings and scripts call; they replay the
# layer's own paint history, which the binding empties after each frame swap and each
# stored stroke (``clear_paint_history``), so they did nothing. The DataManager holds the
# strokes: each bound layer instance gets ``undo`` / ``redo`` attributes that shadow the
# class's methods and go to the DataManager's history, as the keys do. This relies on
# napari calling them by attribute lookup on the instance (``layer.undo()``) and on its
# layers taking instance attributes; napari has no hook to replace its layer history.
_ROUTED_HISTORY = ("undo", "redo")


def route_layer_history(layer: Any, undo: Callable[[], Any], redo: Callable[[], Any]) -> None:
    """Make ``layer.undo()`` and ``layer.redo()`` call ``undo`` and ``redo`` instead.

    napari's own key bindings (``layer.undo()``) and scripts then reach them; the class's
    methods (and every other layer) are left alone. :func:`unroute_layer_history` undoes it.

    Raises
    ------
    RuntimeError
        If the layer's class has no public ``undo`` / ``redo`` methods (napari changed its
        Labels history: update this function and its caller), or if the layer does not
        take the instance attributes.
    """
    for name, action in zip(_ROUTED_HISTORY, (undo, redo)):
        if not callable(getattr(type(layer), name, None)):
            raise RuntimeError(
                f"napari_whiskertoolbox: napari {type(layer).__name__} layers no longer have "
                f"a public {name}() method; update layers/_napari_compat.route_layer_history"
            )
        try:
            setattr(layer, name, action)
        except (AttributeError, TypeError, ValueError) as exc:
            raise RuntimeError(
                f"napari_whiskertoolbox: napari {type(layer).__name__} layers no longer "
                f"take an instance {name}(); update layers/_napari_compat.route_layer_history"
            ) from exc


def unroute_layer_history(layer: Any) -> None:
    """Give ``layer`` back its class's ``undo`` and ``redo`` (undo :func:`route_layer_history`)."""
    for name in _ROUTED_HISTORY:
        vars(layer).pop(name, None)


# --------------------------------------------------------------------------- Labels polygon
# Used by layers/labels_binding.py. napari's Labels polygon tool keeps the vertices being
# clicked in the layer's ``_overlays["polygon"]`` (a ``LabelsPolygonOverlay``, in the
# layer's data coordinates, the frame included) until a double-click paints them; a
# polygon started on one frame would otherwise be painted on whatever frame is shown when
# it is finished. napari has no public accessor for the overlay.
def finish_labels_polygon(layer: Any) -> bool:
    """Paint the polygon being drawn with ``layer``'s polygon tool, as a double-click would.

    The trailing vertex that follows the mouse is dropped (napari's double-click does the
    same); fewer than three vertices paint nothing. The overlay is emptied either way.

    Returns
    -------
    bool
        Whether a polygon was being drawn.

    Raises
    ------
    RuntimeError
        If this napari version no longer keeps the polygon in ``Labels._overlays["polygon"]``.
    """
    overlays = getattr(layer, "_overlays", None)
    overlay = overlays.get("polygon") if isinstance(overlays, Mapping) else None
    if not hasattr(overlay, "points") or not callable(
        getattr(overlay, "add_polygon_to_labels", None)
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari Labels layers no longer keep the polygon being "
            'drawn in _overlays["polygon"]; update layers/_napari_compat.finish_labels_polygon'
        )
    if not overlay.points:
        return False
    overlay.points = list(overlay.points)[:-1]  # the vertex following the mouse
    overlay.add_polygon_to_labels(layer)
    return True


# --------------------------------------------------------------------------- vispy layers
# Used by layers/shapes_binding.py and points_binding.py (frame steps). napari keeps the vispy side of each layer
# in ``QtViewer.canvas.layer_to_visual`` and has no public accessor for it.
def vispy_layer(viewer: napari.Viewer, layer: Any) -> Any:
    """Return napari's vispy layer drawing ``layer`` in ``viewer`` (``None`` if not drawn).

    Raises
    ------
    RuntimeError
        If this napari version no longer keeps its vispy layers in
        ``QtViewer.canvas.layer_to_visual``.
    """
    canvas = getattr(viewer_widget(viewer), "canvas", None)
    visuals = getattr(canvas, "layer_to_visual", None)
    if not isinstance(visuals, dict):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtViewer.canvas no longer has the "
            "layer_to_visual dict; update layers/_napari_compat.vispy_layer"
        )
    return visuals.get(layer)


# --------------------------------------------------------------------------- mesh shaders
# Used by layers/shapes_binding.py (frame steps of a shown viewer). vispy's
# ``MeshVisual._update_data`` (run before the first draw after each ``set_data``; napari's
# Shapes layer sets its faces' mesh on every data change) builds a *new* shader
# ``Function`` for the colour transform and a *new* colormap LUT texture every time: the
# new function makes vispy regenerate, re-send and re-link the mesh's whole shader program
# on every frame step (and upload a 1024-texel texture), although the GLSL is the same.
# Handing back the same function and texture while the kind of colours stays the same (one
# colour, or one colour per vertex / face) keeps the program; only the vertex buffers change.
def keep_mesh_shaders(mesh: Any) -> None:
    """Make a vispy ``MeshVisual`` reuse its shader program across ``set_data`` calls.

    The colour transform and LUT texture vispy builds for each data update are built once
    and handed back while they would be the same; colours given as values through a
    colormap (``(N, 1)`` colours, rebuilt with the current limits) keep vispy's own code.

    Raises
    ------
    RuntimeError
        If this vispy version no longer builds them in ``_build_color_transform`` and the
        colormap's ``texture_lut`` (the mesh would still draw right; the workaround in
        ``layers/_napari_compat.keep_mesh_shaders`` needs updating or can go).
    """
    build = getattr(mesh, "_build_color_transform", None)
    cmap = getattr(mesh, "_cmap", None)
    texture_lut = getattr(cmap, "texture_lut", None)
    if not callable(build) or not callable(texture_lut) or not hasattr(mesh, "_update_data"):
        raise RuntimeError(
            "napari_whiskertoolbox: vispy's MeshVisual no longer has _build_color_transform "
            "and _cmap.texture_lut; update layers/_napari_compat.keep_mesh_shaders"
        )
    if getattr(build, "_wtb_kept", False):
        return
    kept: dict[str, Any] = {}

    def build_color_transform(colors: Any) -> Any:
        if colors.ndim == 2 and colors.shape[1] == 1:
            return build(colors)  # values through the colormap: limits may have changed
        if "plain" not in kept:
            kept["plain"] = build(colors)
        return kept["plain"]

    def kept_texture_lut() -> Any:
        if "lut" not in kept:
            kept["lut"] = texture_lut()
        return kept["lut"]

    build_color_transform._wtb_kept = True  # type: ignore[attr-defined]
    mesh._build_color_transform = build_color_transform
    cmap.texture_lut = kept_texture_lut


def keep_shapes_shaders(viewer: napari.Viewer, layer: Any) -> None:
    """Apply :func:`keep_mesh_shaders` to the faces mesh napari draws Shapes ``layer`` with.

    A viewer without a canvas (no Qt window) has nothing to keep.

    Raises
    ------
    RuntimeError
        If napari's vispy Shapes layer no longer draws its faces with ``node.shape_faces``
        (or see :func:`keep_mesh_shaders`).
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return
    mesh = getattr(getattr(visual, "node", None), "shape_faces", None)
    if mesh is None:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's vispy Shapes layer no longer has "
            "node.shape_faces; update layers/_napari_compat.keep_shapes_shaders"
        )
    keep_mesh_shaders(mesh)


# --------------------------------------------------------------------------- shapes widths
# Used by layers/shapes_binding.py (set once when the layer is made). napari's
# ``Shapes.data = ...`` (our frame swap) gives every shape beyond the previous frame's count
# width 1, whatever the layer's ``current_edge_width``: a line key drawn wider than 1 would
# draw some lines of a frame at 1 and some at its width. napari passes the widths to
# ``Shapes._add_shapes`` (as do drawing, ``add`` and paste), where the shapes are
# triangulated; handing it the layer's current width instead draws every line of a bound key
# at one width, the one napari's "edge width" slider sets, at no extra cost per frame.
def add_shapes_at_current_width(layer: Any) -> None:
    """Make every shape added to Shapes ``layer`` take its ``current_edge_width``. Idempotent.

    Raises
    ------
    RuntimeError
        If napari's Shapes layer no longer adds shapes through ``_add_shapes(...,
        edge_width=...)``.
    """
    import inspect

    add = getattr(layer, "_add_shapes", None)
    if getattr(add, "_wtb_current_width", False):
        return
    if not callable(add) or "edge_width" not in inspect.signature(add).parameters:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Shapes layer no longer adds shapes through "
            "_add_shapes(..., edge_width=...); update "
            "layers/_napari_compat.add_shapes_at_current_width"
        )

    def add_at_current_width(*args: Any, **kwargs: Any) -> Any:
        kwargs["edge_width"] = layer.current_edge_width
        return add(*args, **kwargs)

    add_at_current_width._wtb_current_width = True  # type: ignore[attr-defined]
    layer._add_shapes = add_at_current_width


# --------------------------------------------------------------------------- prepared paths
# Used by layers/shapes_binding.py (frame steps). napari's ``Shapes.data = ...`` builds one
# shape object per path (``Shapes._add_shapes_to_view``: vertex checks, triangulation of the
# path's edge, bounding box), about 0.1 ms a path. The binding builds the napari ``Path``
# objects of the frame it expects next while the event loop is idle; when that frame's
# paths are then assigned, ``_add_shapes_to_view`` takes those objects instead of building
# them again, provided every input matches what they were built from (path type, vertices,
# width, z index, the layer's dims order and ndisplay). Anything else builds as napari does.


@dataclass(frozen=True)
class PreparedPaths:
    """napari ``Path`` shape objects built ahead of time for some paths of a Shapes layer.

    Attributes
    ----------
    rows : tuple of numpy.ndarray
        Copies of the ``(N, 2)`` vertex arrays the shapes were built from (layer coordinates).
    shapes : tuple
        One napari ``Path`` object per row; used at most once (a layer then owns them).
    edge_width : float
        The width they were triangulated at.
    order : tuple of int
        The layer's dims order when they were built.
    ndisplay : int
        The layer's number of displayed dimensions when they were built.
    """

    rows: tuple[np.ndarray, ...]
    shapes: tuple[Any, ...]
    edge_width: float
    order: tuple[int, ...]
    ndisplay: int


def _dims_of(layer: Any) -> tuple[tuple[int, ...], int]:
    """Return the layer's dims order and number of displayed dimensions, as a Path takes them."""
    slice_input = layer._slice_input
    return tuple(int(i) for i in slice_input.order), int(slice_input.ndisplay)


def prepare_paths(layer: Any, rows: Sequence[np.ndarray]) -> PreparedPaths:
    """Build the napari ``Path`` objects Shapes ``layer`` would build for ``rows`` now.

    Parameters
    ----------
    layer : napari.layers.Shapes
        The layer the paths are meant for (its ``current_edge_width`` and dims order).
    rows : sequence of numpy.ndarray
        ``(N, 2)`` vertex arrays in layer coordinates.

    Returns
    -------
    PreparedPaths
        Shapes for :func:`add_prepared_paths`.
    """
    from napari.layers.shapes._shapes_models import Path

    order, ndisplay = _dims_of(layer)
    width = float(layer.current_edge_width)
    shapes = tuple(
        Path(row, edge_width=width, z_index=0, dims_order=order, ndisplay=ndisplay) for row in rows
    )
    copies = tuple(np.array(row, copy=True) for row in rows)
    return PreparedPaths(copies, shapes, width, order, ndisplay)


def _prepared_match(layer: Any, prepared: PreparedPaths, shape_inputs: tuple[Any, ...]) -> bool:
    """Whether ``prepared`` holds exactly the shapes napari would build from ``shape_inputs``."""
    if len(shape_inputs) != len(prepared.shapes):
        return False
    if (prepared.order, prepared.ndisplay) != _dims_of(layer):
        return False
    for (data, shape_type, width, _ec, _fc, z_index), row in zip(shape_inputs, prepared.rows):
        if shape_type != "path" or width != prepared.edge_width or z_index != 0:
            return False
        if not np.array_equal(np.asarray(data), row):
            return False
    return True


def shape_objects(layer: Any) -> tuple[Any, ...]:
    """Return the napari shape objects of Shapes ``layer``, one per shape in data order.

    Lets callers tell whether :func:`add_prepared_paths` used the prepared objects.

    Raises
    ------
    RuntimeError
        If napari's Shapes layer no longer keeps them in ``_data_view.shapes``.
    """
    shapes = getattr(getattr(layer, "_data_view", None), "shapes", None)
    if shapes is None:
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Shapes layer no longer keeps its shape objects "
            "in _data_view.shapes; update layers/_napari_compat.shape_objects"
        )
    return tuple(shapes)


def add_prepared_paths(layer: Any, take: Callable[[], PreparedPaths | None]) -> None:
    """Make Shapes ``layer`` use prepared ``Path`` objects when they match what it adds.

    Each time the layer builds shapes (a data assignment, drawing, ``add``, paste),
    ``take()`` is called once: shapes it returns are used if they were built from exactly
    the inputs napari got (:func:`prepare_paths`), else napari builds them as usual.

    Parameters
    ----------
    layer : napari.layers.Shapes
        The layer.
    take : callable
        Returns the prepared shapes for the content being assigned, or ``None``.

    Raises
    ------
    RuntimeError
        If napari's Shapes layer no longer builds its shapes in
        ``_add_shapes_to_view(shape_inputs, data_view)`` from (data, shape_type,
        edge_width, edge_color, face_color, z_index) tuples, or its ``ShapeList`` no longer
        has ``add(shape=, edge_color=, face_color=, z_refresh=)`` and ``_update_z_order``.
    """
    import inspect

    from napari.layers.shapes._shape_list import ShapeList

    build = getattr(layer, "_add_shapes_to_view", None)
    params = list(inspect.signature(build).parameters) if callable(build) else []
    add_params = inspect.signature(ShapeList.add).parameters
    if (
        params != ["shape_inputs", "data_view"]
        or not {"shape", "edge_color", "face_color", "z_refresh"} <= set(add_params)
        or not callable(getattr(ShapeList, "_update_z_order", None))
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Shapes layer no longer builds its shapes in "
            "_add_shapes_to_view(shape_inputs, data_view) and ShapeList.add(shape=, "
            "edge_color=, face_color=, z_refresh=); update "
            "layers/_napari_compat.add_prepared_paths"
        )
    if getattr(build, "_wtb_prepared", False):
        return
    build_shapes: Callable[..., Any] = build  # type: ignore[assignment]

    def add_to_view(shape_inputs: Any, data_view: Any) -> Any:
        shape_inputs = tuple(shape_inputs)
        prepared = take()
        if prepared is None or not _prepared_match(layer, prepared, shape_inputs):
            return build_shapes(shape_inputs, data_view)
        data_view.add(
            shape=prepared.shapes,
            edge_color=tuple(inputs[3] for inputs in shape_inputs),
            face_color=tuple(inputs[4] for inputs in shape_inputs),
            z_refresh=False,
        )
        data_view._update_z_order()
        return None

    add_to_view._wtb_prepared = True  # type: ignore[attr-defined]
    layer._add_shapes_to_view = add_to_view


# --------------------------------------------------------------------------- paths moves
# Used by layers/shapes_binding.py (frame steps). ``Shapes.data = ...`` builds a new
# ``ShapeList`` and adds every path to it again (colours, z order, widths, dims, features and
# text re-derived) although a frame of the same lines, each with as many vertices as on the
# frame before, only moves the vertices. napari's own vertex edits replace a shape in its
# ``ShapeList`` and rewrite that shape's part of the mesh arrays in place
# (``ShapeList.update(index)`` inside ``batched_updates``); the same is done here for every
# path whose new triangulation has as many mesh vertices and triangles as the one it
# replaces, then the vispy layer reads the mesh again (``_on_data_change``), as a refresh
# would. Anything else goes through ``Shapes.data =``.
def move_paths(
    viewer: napari.Viewer,
    layer: Any,
    rows: Sequence[np.ndarray],
    prepared: PreparedPaths | None = None,
) -> bool:
    """Give the paths of Shapes ``layer`` the vertices ``rows``, in place, and redraw them.

    Leaves the layer's data and its canvas mesh as ``layer.data = (rows, "path")`` (at the
    layer's ``current_edge_width``) and a refresh would. No event is emitted; thumbnail and
    extent are left to the caller (as after a refresh with ``thumbnail=False,
    extent=False``).

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer drawing the layer.
    layer : napari.layers.Shapes
        A 2-D layer shown in 2-D.
    rows : sequence of numpy.ndarray
        ``(N_i, 2)`` vertices of each path, layer coordinates.
    prepared : PreparedPaths, optional
        Paths built ahead (:func:`prepare_paths`); used if built from exactly ``rows``.

    Returns
    -------
    bool
        ``False`` (nothing changed) unless the layer is visible, 2-D, shown in 2-D, holds
        ``len(rows)`` paths drawn at ``current_edge_width``, each with as many vertices as
        its row and a triangulation of the same size, with nothing selected, nothing being
        drawn and no visible text: then use ``layer.data =``.

    Raises
    ------
    RuntimeError
        If napari's Shapes layer no longer keeps its shapes in a ``ShapeList``
        (``_data_view``) with ``shapes``, ``batched_updates()`` and ``update(index)``, or its
        vispy layer no longer redraws from ``_on_data_change``.
    """
    if getattr(real_viewer(viewer), "window", None) is None or not layer.visible:
        return False
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return False
    from napari.layers.shapes._shapes_models import Path

    view = getattr(layer, "_data_view", None)
    slice_input = getattr(layer, "_slice_input", None)
    if (
        not isinstance(getattr(view, "shapes", None), list)
        or not callable(getattr(view, "batched_updates", None))
        or not callable(getattr(view, "update", None))
        or not hasattr(layer, "_is_creating")
        or not hasattr(slice_input, "ndisplay")
        or not callable(getattr(visual, "_on_data_change", None))
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Shapes layer or its vispy layer changed; update "
            "layers/_napari_compat.move_paths (frame swaps would be correct but slower with "
            "`layer.data =`)"
        )
    shapes = view.shapes
    width = float(layer.current_edge_width)
    if (
        not rows
        or len(shapes) != len(rows)
        or layer.ndim != 2
        or slice_input.ndisplay != 2
        or layer.selected_data
        or layer._is_creating
        or _has_visible_text_check()(layer)
    ):
        return False
    order, ndisplay = _dims_of(layer)
    for shape, row in zip(shapes, rows):
        if (
            type(shape) is not Path
            or len(shape.data) != len(row)
            or shape.edge_width != width
            or shape.z_index != 0
            or list(shape.dims_order) != list(order)
        ):
            return False
    inputs = tuple((row, "path", width, None, None, 0) for row in rows)
    ahead = (
        prepared.shapes
        if prepared is not None and _prepared_match(layer, prepared, inputs)
        else (None,) * len(rows)
    )
    new = []
    for shape, row, built in zip(shapes, rows, ahead):
        if built is None:
            built = Path(row, edge_width=width, z_index=0, dims_order=order, ndisplay=ndisplay)
        if (
            built.vertices_count != shape.vertices_count
            or built.triangles_count != shape.triangles_count
        ):
            return False
        new.append(built)
    with view.batched_updates():
        for index, built in enumerate(new):
            shapes[index] = built
            view.update(index)
    if not _move_mesh_vertices(visual, view._mesh):
        visual._on_data_change()
    return True


def _move_mesh_vertices(visual: Any, mesh: Any) -> bool:
    """Upload only the moved vertices of napari's Shapes mesh to its vispy faces mesh.

    napari's ``_on_data_change`` gives the vispy ``MeshVisual`` a new ``MeshData`` of
    vertices, faces and face colours, and vispy's next draw re-derives and uploads all of
    them (the colours into a new vertex buffer). When the faces and their colours are those
    already drawn, the vertices (indexed by faces, as vispy's ``_update_data`` lays them
    out) are all that changes. Returns ``False`` (nothing done: use ``_on_data_change``)
    otherwise, or while vispy has a full update pending.
    """
    faces_mesh = getattr(getattr(visual, "node", None), "shape_faces", None)
    data = getattr(faces_mesh, "_meshdata", None)
    buffer = getattr(faces_mesh, "_vertices", None)
    if data is None or buffer is None or not hasattr(faces_mesh, "_data_changed"):
        raise RuntimeError(
            "napari_whiskertoolbox: vispy's MeshVisual no longer keeps _meshdata, _vertices "
            "and _data_changed; update layers/_napari_compat.move_paths"
        )
    if faces_mesh._data_changed or not data.has_face_color():
        return False
    faces = mesh.displayed_triangles
    held = data.get_faces()
    vertices = mesh.vertices[:, ::-1]
    shown = data.get_vertices()
    if (
        held is None
        or shown is None
        or held.shape != faces.shape
        or shown.shape != vertices.shape
        or not np.array_equal(held, faces)
        or not np.array_equal(data.get_face_colors(), mesh.displayed_triangles_colors)
    ):
        return False
    data.set_vertices(vertices)
    faces_mesh._bounds = data.get_bounds()
    by_face = data.get_vertices(indexed="faces")
    if by_face.shape[-1] == 2:
        by_face = np.concatenate((by_face, np.zeros((*by_face.shape[:-1], 1))), -1)
    buffer.set_data(by_face, convert=True)
    faces_mesh.update()
    return True


# --------------------------------------------------------------------------- text outline
# Used by layers/pose_layers.py (once, when a keypoints layer is added). napari's text has no
# outline or background (napari issue #3186, open): a light label over a bright object of a
# dark video (the reaching fixture's joystick) vanished. vispy draws text from a signed
# distance field (SDF) of each glyph, padded by the field's spread, so the glyph's shape
# grown by a pixel is in the texture already: the fragment shader of the keypoints' text
# visual (``VispyPointsLayer.node.text``) is given the same code with, around each glyph, a
# halo of black behind light text or white behind dark text. Set once on the shader
# program; napari's per-frame text updates only change its vertex buffers.
_TEXT_DISCARD = "if (alpha <= 0) discard;"
_TEXT_COLOR = "gl_FragColor = vec4(v_color.rgb, v_color.a * alpha);"
TEXT_HALO_SDF = 0.4
"""How far the halo reaches, in the glyph SDF's units (0.5 is the glyph's edge, 0 the end of
the field's spread, an eighth of the font's size): about one screen pixel at 8-point text."""
_TEXT_HALO = f"""// napari_whiskertoolbox: a halo of the contrasting colour around each glyph
        float wtb_halo = contour(distance + {TEXT_HALO_SDF:.3f}, width);
        float wtb_cover = max(alpha, wtb_halo);
        if (wtb_cover <= 0.0) discard;
        float wtb_lum = dot(v_color.rgb, vec3(0.2126, 0.7152, 0.0722));
        vec3 wtb_halo_rgb = wtb_lum > 0.5 ? vec3(0.0) : vec3(1.0);
        gl_FragColor = vec4(mix(wtb_halo_rgb, v_color.rgb, alpha / wtb_cover),
                            v_color.a * wtb_cover);"""


_OUTLINED_TEXTS: weakref.WeakSet[Any] = weakref.WeakSet()
"""The text visuals given the halo (vispy visuals take no new attributes)."""


def outline_text(viewer: napari.Viewer, layer: Any) -> bool:
    """Draw the text labels of Points ``layer`` with a contrasting halo around each glyph.

    Black around light text, white around dark text, about a pixel wide: readable over any
    frame. Idempotent; a viewer without a canvas (no Qt window) or a layer not drawn has
    nothing to outline.

    Returns
    -------
    bool
        Whether the layer's text is drawn outlined.

    Raises
    ------
    RuntimeError
        If napari's vispy Points layer no longer draws its text with ``node.text``, or
        vispy's text fragment shader no longer ends as this workaround expects.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return False
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return False
    text = getattr(getattr(visual, "node", None), "text", None)
    shaders = getattr(type(text), "_shaders", None)
    source = shaders.get("fragment") if isinstance(shaders, dict) else None
    program = getattr(text, "shared_program", None)
    if (
        text is None
        or program is None
        or not isinstance(source, str)
        or _TEXT_DISCARD not in source
        or _TEXT_COLOR not in source
        or "contour(" not in source
        or not hasattr(program, "frag")
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's vispy Points layer no longer draws text with "
            "node.text, or vispy's text fragment shader changed; update "
            "layers/_napari_compat.outline_text"
        )
    if text in _OUTLINED_TEXTS:
        return True
    program.frag = source.replace(_TEXT_DISCARD, "").replace(_TEXT_COLOR, _TEXT_HALO)
    _OUTLINED_TEXTS.add(text)
    text.update()
    return True


# --------------------------------------------------------------------------- transform re-sends
# Used by layers/points_binding.py, shapes_binding.py and labels_binding.py (frame steps). On
# every data change napari's vispy Points layer runs its full ``reset()`` (visibility,
# opacity, blending, the layer transform composed from its transform chain, clipping planes,
# view direction, antialiasing, shading) and its vispy Shapes and Labels layers re-send the
# transform, though none of that changed: each of those has its own layer event that napari
# handles. During ``_on_data_change`` only, the transform is recomputed when what it depends
# on besides the layer's transform events changed (the layer's ndim, displayed axes,
# ndisplay, units scale; for Labels also the vispy node in use, and always for a multiscale
# layer, whose transform follows the part of the data shown), and Points' reset does only
# its data-dependent parts (text, highlight, canvas size limits, which depend on the point
# count). Those parts, and the text of Shapes, are in turn skipped when they would write
# again what their vispy node holds: a layer without visible text gets napari's placeholder
# text ('' at the origin) re-set on each data change (six vispy property writes, and the
# text laid out and re-uploaded at the next paint), a layer with nothing highlighted gets
# empty highlight markers re-uploaded, and the marker size limits are re-sent although they
# only change when the layer becomes empty or not (or through their own layer event).
_RESET_PARTS = ("_update_text", "_on_highlight_change", "_on_canvas_size_limits_change")


def _has_visible_text_check() -> Callable[[Any], bool]:
    """Return napari's ``_has_visible_text(layer)`` (the test its vispy layers use)."""
    from napari._vispy.utils import text as vispy_text

    check = getattr(vispy_text, "_has_visible_text", None)
    if not callable(check):
        raise RuntimeError(
            "napari_whiskertoolbox: napari._vispy.utils.text no longer has _has_visible_text; "
            "update layers/_napari_compat.skip_unchanged_transforms"
        )
    return check


def _no_text(layer: Any) -> bool:
    """Stand-in for ``_has_visible_text`` on layers napari draws without text (Labels)."""
    return False


def _shows_no_text(node: Any) -> bool:
    """Return whether a vispy text node draws no glyph (every string of it is empty)."""
    texts = node.text
    if isinstance(texts, str):
        return texts == ""
    return not any(np.atleast_1d(np.asarray(texts, dtype=object)))


def _nothing_highlighted(layer: Any) -> bool:
    """Return whether a Points layer has no highlighted point and no highlight box."""
    box = layer._highlight_box
    return len(layer._highlight_index) == 0 and (box is None or 0 in np.shape(box))


def skip_unchanged_transforms(viewer: napari.Viewer, layer: Any) -> None:
    """Stop napari's vispy Points/Shapes/Labels layer re-sending an unchanged transform per data change.

    A viewer without a canvas (no Qt window) or a layer not drawn has nothing to skip.
    Idempotent.

    Raises
    ------
    RuntimeError
        If napari's vispy layer no longer has ``_on_data_change``, ``_on_matrix_change`` and
        ``reset`` (Points: and the parts of ``reset`` kept, the marker node's size limits
        and the layer's highlight state; Points and Shapes: ``_update_text``, the text node
        and napari's ``_has_visible_text``), or the layer no longer has
        ``_slice_input.displayed`` / ``ndisplay``.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return
    from napari.layers import Points, Shapes

    points = isinstance(layer, Points)
    texts = points or isinstance(layer, Shapes)
    needed: tuple[str, ...] = (
        "_on_data_change",
        "_on_matrix_change",
        "reset",
        "_world_to_layer_units_scale",
    )
    needed += _RESET_PARTS if points else ("_update_text",) if texts else ()
    slice_input = getattr(layer, "_slice_input", None)
    node = getattr(visual, "node", None)
    if (
        any(not hasattr(visual, name) for name in needed)
        or not hasattr(slice_input, "displayed")
        or not hasattr(slice_input, "ndisplay")
        or (texts and not hasattr(getattr(node, "text", None), "text"))
        or (
            points
            and (
                not hasattr(getattr(node, "points_markers", None), "canvas_size_limits")
                or not hasattr(layer, "_highlight_index")
                or not hasattr(layer, "_highlight_box")
                or not hasattr(layer, "canvas_size_limits")
            )
        )
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's vispy layers or Layer._slice_input changed "
            f"({type(visual).__name__}); update layers/_napari_compat.skip_unchanged_transforms"
        )
    if getattr(visual.__dict__.get("_on_data_change"), "_wtb_skips", False):
        return
    has_visible_text = _has_visible_text_check() if texts else _no_text
    data_change = visual._on_data_change  # the class's bound method
    cls = type(visual)
    sent: dict[str, Any] = {}

    def placement() -> tuple[Any, ...]:
        inputs = layer._slice_input
        return (
            layer.ndim,
            tuple(inputs.displayed),
            inputs.ndisplay,
            tuple(visual._world_to_layer_units_scale),
            id(getattr(visual, "node", None)),
        )

    def matrix_if_changed() -> bool:
        key = placement()
        if sent.get("key") == key and not getattr(layer, "multiscale", False):
            return False
        cls._on_matrix_change(visual)
        sent["key"] = key
        return True

    def text_if_changed(*, update_node: bool = True) -> None:
        # napari writes its placeholder ('' at the origin) when the layer has no visible text
        if has_visible_text(layer) or not _shows_no_text(visual.node.text):
            cls._update_text(visual, update_node=update_node)

    def forget_highlight(event: Any = None) -> None:
        sent.pop("no_highlight", None)  # the highlight event redrew it: state unknown

    def highlight_if_changed() -> None:
        if _nothing_highlighted(layer) and sent.get("no_highlight"):
            return  # empty before (as drawn by this function), empty now
        cls._on_highlight_change(visual)
        sent["no_highlight"] = _nothing_highlighted(layer)

    def canvas_limits_if_changed() -> None:
        wanted = (0, 0) if len(layer.data) == 0 else layer.canvas_size_limits
        held = visual.node.points_markers.canvas_size_limits
        if held is None or tuple(held) != tuple(wanted):
            cls._on_canvas_size_limits_change(visual)

    def light_reset() -> None:
        if sent.get("key") != placement():
            cls.reset(visual)  # first time or placement changed: the full reset
            sent["key"] = placement()  # as the reset left it
            forget_highlight()
            return
        text_if_changed(update_node=False)
        highlight_if_changed()
        canvas_limits_if_changed()

    if points:
        layer.events.highlight.connect(forget_highlight)

    def on_data_change(*args: Any, **kwargs: Any) -> Any:
        visual._on_matrix_change = matrix_if_changed
        if points:
            visual.reset = light_reset
        elif texts:
            visual._update_text = text_if_changed
        try:
            return data_change(*args, **kwargs)
        finally:
            del visual._on_matrix_change
            if points:
                del visual.reset
            elif texts:
                del visual._update_text

    on_data_change._wtb_skips = True  # type: ignore[attr-defined]
    visual._on_data_change = on_data_change


# --------------------------------------------------------------------------- status thread
# Used by workflow/install.py (owner: napari integration) and layers/playback.py. napari
# computes the status bar in a thread of its own (``_QtMainWindow.status_thread``, a
# ``StatusChecker``), triggered by every cursor move and every dims step, while the main
# thread may be between a layer's new data and its re-slice: ``Points.get_status`` then
# indexes the new data with the old view's indices. napari catches that and shows the
# IndexError as an error notification ("Our codebase is not threadsafe", in
# ``calculate_status``): a user stepping frames over a keypoints layer saw it now and then. A
# failed computation is tried again after the main thread moved on; only an error that
# persists is napari's to report. The same wrapper can pace the computation: it then waits
# until a given interval has passed since the last one (the thread holds no lock while it
# waits, and a trigger that arrives meanwhile is computed after it, so the status shown is
# always the latest one's).
STATUS_RETRIES = 3
STATUS_RETRY_DELAY_S = 0.02


@dataclass
class _StatusWrapper:
    """What the status computation of one window does besides napari's computation."""

    pace: Callable[[], float] | None = None
    """Returns the least time in seconds between two computations (``None``: no pacing)."""
    last: float = float("-inf")
    """``time.monotonic()`` when the last computation started."""


_STATUS_WRAPPERS: weakref.WeakKeyDictionary[Any, _StatusWrapper] = weakref.WeakKeyDictionary()
"""napari status threads whose computation is wrapped → what the wrapper does."""


def _status_wrapper(viewer: napari.Viewer, caller: str) -> _StatusWrapper:
    """Wrap the status computation of ``viewer``'s window (once) and return its settings."""
    import time

    thread = getattr(main_window(viewer), "status_thread", None)
    original = getattr(thread, "calculate_status", None)
    viewer_ref = getattr(thread, "viewer_ref", None)
    emitter = getattr(thread, "status_and_tooltip_changed", None)
    if original is None or viewer_ref is None or emitter is None:
        raise RuntimeError(
            "napari_whiskertoolbox: _QtMainWindow.status_thread (calculate_status, "
            "viewer_ref, status_and_tooltip_changed) is no longer napari's status thread; "
            f"update layers/_napari_compat.{caller}"
        )
    wrapper = _STATUS_WRAPPERS.get(thread)
    if wrapper is not None:
        return wrapper
    wrapper = _STATUS_WRAPPERS[thread] = _StatusWrapper()

    def calculate_status() -> None:
        pace = wrapper.pace
        if pace is not None:
            wait = wrapper.last + pace() - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        wrapper.last = time.monotonic()
        for _ in range(STATUS_RETRIES):
            model = viewer_ref()
            if model is None:
                return
            try:
                status = model._calc_status_from_cursor()
            except Exception:  # napari's own handler reports one that persists, below
                time.sleep(STATUS_RETRY_DELAY_S)
                continue
            emitter.emit(status)
            return
        original()

    thread.calculate_status = calculate_status  # type: ignore[union-attr]
    return wrapper


def tolerate_status_races(viewer: napari.Viewer) -> None:
    """Retry ``viewer``'s status-bar computation when it fails mid-update, before reporting.

    Idempotent.

    Raises
    ------
    RuntimeError
        If this napari version no longer has the status thread where we expect it.
    """
    _status_wrapper(viewer, "tolerate_status_races")


def pace_status(viewer: napari.Viewer, interval_s: Callable[[], float] | None) -> None:
    """Compute ``viewer``'s status bar at most once every ``interval_s()`` seconds.

    The status computed is always the latest cursor position's and frame's: a computation
    asked for meanwhile waits for the interval to end. Also tolerates status races
    (:func:`tolerate_status_races`). A viewer without a Qt window has no status thread:
    nothing is done.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer.
    interval_s : callable or None
        Called (from napari's status thread) before each computation; returns the least
        time in seconds since the last one, ``0`` for none. ``None`` stops the pacing.

    Raises
    ------
    RuntimeError
        If this napari version no longer has the status thread where we expect it.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return
    _status_wrapper(viewer, "pace_status").pace = interval_s


# --------------------------------------------------------------------------- paints
# Used by layers/session.py (frame scheduling). napari has no public hook that runs before
# its canvas draws. vispy's SceneCanvas emits ``events.draw`` for every paint (Qt's repaints
# and the window system's expose events alike) and draws the scene in its own ``on_draw``
# callback; a callback connected at position "first" runs before it. napari's VispyCanvas
# (``QtViewer.canvas``) forwards ``events`` to that SceneCanvas.
def call_before_paint(viewer: napari.Viewer, callback: Callable[..., None]) -> Callable[[], None]:
    """Call the bound method ``callback(event)`` before each paint of ``viewer``'s canvas.

    vispy holds the method's owner weakly. A viewer without a Qt window never paints:
    nothing is connected.

    Returns
    -------
    callable
        Disconnects ``callback`` (safe to call more than once).

    Raises
    ------
    RuntimeError
        If napari's canvas no longer has vispy's draw event, or vispy's scene no longer
        draws from a callback of it.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return lambda: None
    canvas = getattr(viewer_widget(viewer), "canvas", None)
    draw = getattr(getattr(canvas, "events", None), "draw", None)
    if draw is None or not any(
        isinstance(cb, tuple) and cb[1] == "on_draw" and "SceneCanvas" in type(cb[0]()).__name__
        for cb in getattr(draw, "callbacks", ())
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtViewer.canvas.events.draw no longer carries "
            "vispy's SceneCanvas.on_draw; update layers/_napari_compat.call_before_paint"
        )
    draw.connect(callback, position="first")
    return lambda: draw.disconnect(callback)


# --------------------------------------------------------------------------- removed visuals
# Used by layers/session.py. napari 0.9.2 with vispy 0.17 on Mesa's llvmpipe segfaults in the
# next paints' ``glDrawArrays`` when one event-loop turn removes an Image layer and a Points
# layer while another Image layer stays (napari alone reproduces it; README, Known issues):
# the removed layers' vispy visuals are dropped at once and their GL objects deleted in the
# same turn. Undoing an open that brought a second video with annotations did exactly that.
# Keeping the removed layers' vispy layers alive for REMOVED_VISUAL_PAINTS paints, so that
# their GL objects are deleted in a later paint, avoids it (tested against the crash).
REMOVED_VISUAL_PAINTS = 2
"""Paints a removed layer's vispy layer is kept for before it may be deleted."""


def keep_removed_visuals(viewer: napari.Viewer) -> Callable[[], None]:
    """Keep the vispy layer of each layer removed from ``viewer`` for a few paints.

    A viewer without a Qt window draws nothing: nothing is connected.

    Returns
    -------
    callable
        Disconnects; what is kept then is let go of :data:`REMOVED_VISUALS_LINGER_MS` later.

    Raises
    ------
    RuntimeError
        See :func:`vispy_layer` and :func:`call_before_paint`.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return lambda: None
    layers = viewer.layers
    kept = _KeptVisuals()

    def removing(event: Any) -> None:
        index = getattr(event, "index", None)
        if isinstance(index, int) and 0 <= index < len(layers):
            visual = vispy_layer(viewer, layers[index])
            if visual is not None:
                kept.entries.append([visual, 0])

    layers.events.removing.connect(removing)
    stop_counting = call_before_paint(viewer, kept.count_paint)

    def disconnect() -> None:
        from qtpy.QtCore import QTimer

        layers.events.removing.disconnect(removing)
        stop_counting()
        # what was just removed (a closing session's layers) is let go of after later paints
        QTimer.singleShot(REMOVED_VISUALS_LINGER_MS, kept.entries.clear)

    return disconnect


REMOVED_VISUALS_LINGER_MS = 1000
"""After :func:`keep_removed_visuals` is disconnected, how long what it keeps stays kept."""


class _KeptVisuals:
    """Removed layers' vispy layers, each with the paints it has been kept for."""

    def __init__(self) -> None:
        self.entries: list[list[Any]] = []

    def count_paint(self, event: Any = None) -> None:
        for entry in self.entries:
            entry[1] += 1
        self.entries = [entry for entry in self.entries if entry[1] <= REMOVED_VISUAL_PAINTS]


# --------------------------------------------------------------------------- per-paint corners
# Used by layers/binding.py. napari's canvas calls every layer's ``_update_draw`` on every paint
# (``VispyCanvas.on_draw``): it sets ``scale_factor`` and maps the canvas corners through the
# layer's transforms to ``corner_pixels`` (0.13-0.15 ms a layer a paint on this project's
# machine), which only multiscale layers use to choose what to load. While the camera stands
# still - all of playback - each paint recomputes for a 2-D, single-scale annotation layer the
# values it already holds. The call is skipped when its arguments, the layer's displayed axes,
# transforms, extent and ``editable`` are those of the call last made; the one thing a paint
# changes then is a Points layer's hover highlight (napari's status thread sets the hovered
# point, the next paint draws it), which is still updated.
_TRANSFORM_EVENTS = ("affine", "rotate", "scale", "shear", "translate", "units", "axis_labels")
"""Layer events after which ``_update_draw`` runs again whatever its arguments."""


def skip_repeated_update_draw(layer: Any) -> None:
    """Skip napari's per-paint ``_update_draw`` of ``layer`` when it would change nothing.

    Idempotent. A layer shown in 3-D, multiscale or not ``editable``, and a layer of another
    class (a subclass may draw differently), is updated on every paint as napari does.

    Parameters
    ----------
    layer : napari.layers.Points, napari.layers.Shapes or napari.layers.Labels
        An annotation layer.

    Raises
    ------
    RuntimeError
        If napari's layer no longer has ``_update_draw(scale_factor, corner_pixels_displayed,
        shape_threshold)``, ``_slice_input.displayed``, ``_transforms`` and ``extent``, or a
        Points layer no longer has ``_set_highlight``.
    """
    import inspect

    from napari.layers import Labels, Points, Shapes

    update = getattr(layer, "_update_draw", None)
    kind = type(layer)
    if getattr(update, "_wtb_skips_repeats", False) or kind not in (Labels, Points, Shapes):
        return
    params = list(inspect.signature(update).parameters) if callable(update) else []
    if (
        params != ["scale_factor", "corner_pixels_displayed", "shape_threshold"]
        or not hasattr(getattr(layer, "_slice_input", None), "displayed")
        or not hasattr(layer, "_transforms")
        or (kind is Points and not callable(getattr(layer, "_set_highlight", None)))
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's Layer._update_draw(scale_factor, "
            "corner_pixels_displayed, shape_threshold), _slice_input, _transforms or "
            "Points._set_highlight changed; update layers/_napari_compat.skip_repeated_update_draw"
        )
    full_update: Callable[..., None] = update  # type: ignore[assignment]
    transforms_changed = [0]
    last: list[Any] = [None]

    def count_change(event: Any = None) -> None:
        transforms_changed[0] += 1

    for name in _TRANSFORM_EVENTS:
        emitter = getattr(layer.events, name, None)
        if emitter is not None:
            emitter.connect(count_change)

    def update_draw(
        scale_factor: float, corner_pixels_displayed: Any, shape_threshold: Any
    ) -> None:
        slice_input = layer._slice_input
        corners = np.asarray(corner_pixels_displayed)
        key = None
        if slice_input.ndisplay == 2 and not layer.multiscale and layer.editable:
            key = (
                scale_factor,
                corners.shape,
                corners.tobytes(),
                tuple(shape_threshold),
                tuple(slice_input.displayed),
                transforms_changed[0],
                id(layer._transforms),
                layer.extent.data.tobytes(),
            )
        if key is not None and key == last[0]:
            if kind is Points:
                layer._set_highlight()
            return
        last[0] = None
        full_update(scale_factor, corner_pixels_displayed, shape_threshold)
        last[0] = key

    update_draw._wtb_skips_repeats = True  # type: ignore[attr-defined]
    layer._update_draw = update_draw


# --------------------------------------------------------------------------- playback
# Used by layers/playback_gc.py. napari's play button (and ``QtDims.play``) runs a
# ``QThread`` of its own, ``QtDims._animation_thread``, started when playback starts and
# finished when it stops (napari's play button listens to the same two signals to show its
# state). napari has no public playback event.
def playback_signals(viewer: napari.Viewer) -> tuple[Any, Any] | None:
    """Return the Qt signals emitted when ``viewer``'s playback starts and stops.

    Returns
    -------
    tuple of (started, finished) Qt signals, or None
        ``None`` for a viewer without a Qt window (it cannot play).

    Raises
    ------
    RuntimeError
        If napari's dims widget no longer plays with a ``QThread`` in ``_animation_thread``.
    """
    from qtpy.QtCore import QThread

    if getattr(real_viewer(viewer), "window", None) is None:
        return None
    thread = getattr(getattr(viewer_widget(viewer), "dims", None), "_animation_thread", None)
    if not isinstance(thread, QThread):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtDims no longer plays with a QThread in "
            f"_animation_thread (got {type(thread).__name__}); update "
            "layers/_napari_compat.playback_signals"
        )
    return thread.started, thread.finished


# --------------------------------------------------------------------------- slicing once a step
# Used by layers/session.py (once per viewer). ``ViewerModel`` connects ``_update_layers`` to
# both ``dims.events.point`` and ``dims.events.current_step`` (a workaround noted in its
# ``__init__``: a ``point`` changed by the dims' root validator, e.g. clamped into a new
# range, fires ``current_step`` but not ``point``), and ``set_current_step`` sets ``point``,
# which fires both: every frame step submits every layer to the slicer twice, recomputes the
# layers' extent and moves the cursor twice (~0.9 ms a step here; the second slice returns
# early). The ``current_step`` connection is replaced by one that slices only when the point
# differs from the one the ``point`` event sliced last, which keeps the workaround's case.
def slice_once_per_step(viewer: napari.Viewer) -> bool:
    """Make a frame step of ``viewer`` slice its layers once instead of twice.

    ``dims.events.current_step`` slices the layers only when ``dims.point`` is not the point
    ``dims.events.point`` last sliced (a point the dims' validator changed without a
    ``point`` event); ``dims.events.point`` slices as before, first. Idempotent.

    Returns
    -------
    bool
        Whether the viewer now slices once a step; ``False`` when napari no longer slices on
        ``current_step`` (nothing to do).

    Raises
    ------
    RuntimeError
        If napari's viewer model no longer slices its layers in ``_update_layers``
        connected to ``dims.events.point``.
    """
    model = real_viewer(viewer)
    dims = model.dims
    napari_update = getattr(model, "_update_layers", None)

    def connected(emitter: Any, name: str) -> bool:
        return any(
            isinstance(cb, tuple) and cb[0]() is model and cb[1] == name for cb in emitter.callbacks
        )

    if not callable(napari_update) or not connected(dims.events.point, "_update_layers"):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's ViewerModel no longer slices its layers in "
            "_update_layers on dims.events.point; update layers/_napari_compat.slice_once_per_step"
        )
    if any(getattr(cb, "_wtb_once", False) for cb in dims.events.current_step.callbacks):
        return True
    if not connected(dims.events.current_step, "_update_layers"):
        return False
    model_ref = weakref.ref(model)
    sliced = _SlicedPoint(tuple(dims.point))

    def note_sliced_point(event: Any = None) -> None:
        shown = model_ref()
        if shown is not None:
            sliced.point = tuple(shown.dims.point)

    def slice_if_point_moved_silently(event: Any = None) -> None:
        shown = model_ref()
        if shown is None or tuple(shown.dims.point) == sliced.point:
            return
        note_sliced_point()
        shown._update_layers()

    slice_if_point_moved_silently._wtb_once = True  # type: ignore[attr-defined]
    dims.events.current_step.disconnect(napari_update)
    dims.events.current_step.connect(slice_if_point_moved_silently, position="first")
    dims.events.point.connect(note_sliced_point)
    return True


@dataclass
class _SlicedPoint:
    point: tuple[float, ...]


# --------------------------------------------------------------------------- axis labels
# Used by workflow/install.py. napari sizes the frame slider's axis-label field to its text
# (``QtDims._resize_axis_labels``: the longest shown label, at most a fifth of the slider,
# plus four average characters) when the field's ``textChanged`` fires or a slider resizes.
# A label set through the model (``viewer.dims.axis_labels``, as a layer's ``axis_labels``
# does) reaches the field by ``QtDimSliderWidget._pull_label``, which blocks ``textChanged``:
# the field keeps the width of the previous label (``time``), and a longer clock name
# (``camera``) is cut off beside the play button until the window is resized (napari 0.9).
# napari has no public call to size the field.
_FITTED_AXIS_LABELS: weakref.WeakSet[Any] = weakref.WeakSet()
"""QtDims widgets whose axis-label fields are refitted to each new label."""


def fit_axis_labels(viewer: napari.Viewer) -> None:
    """Size ``viewer``'s slider axis-label fields to their text whenever the labels change.

    Idempotent. A viewer without a Qt window shows no labels: nothing is done.

    Raises
    ------
    RuntimeError
        If napari's dims widget no longer sizes its labels in ``_resize_axis_labels``.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return
    qt_dims = getattr(viewer_widget(viewer), "dims", None)
    resize = getattr(qt_dims, "_resize_axis_labels", None)
    if not callable(resize):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's QtDims no longer sizes the slider axis labels "
            f"in _resize_axis_labels (dims widget {type(qt_dims).__name__}); update "
            "layers/_napari_compat.fit_axis_labels"
        )
    if qt_dims in _FITTED_AXIS_LABELS:
        return
    _FITTED_AXIS_LABELS.add(qt_dims)
    dims_ref = weakref.ref(qt_dims)

    def refit(_event: Any = None) -> None:
        # napari's own callbacks (``_pull_label``, which writes the new text) run first:
        # napari keeps its core callbacks ahead of any plugin's
        widget = dims_ref()
        if widget is None:
            return
        with contextlib.suppress(RuntimeError):  # the Qt widget is being deleted
            widget._resize_axis_labels()

    real_viewer(viewer).dims.events.axis_labels.connect(refit, position="last")


# --------------------------------------------------------------------------- labels drawing
# Used by layers/labels_binding.py. napari draws a 2-D Labels layer as one textured quad over
# the whole image, and the GPU runs the label shader (two texture reads, blending) on every
# pixel of the canvas it covers, although most of a mask layer is label 0, transparent. On
# software OpenGL (Mesa's llvmpipe) that is 5-7 ms of a 900x800 canvas paint. The binding
# knows the box around the non-zero pixels it wrote; the quad is drawn with the GL scissor
# test limited to that box (one pixel of margin), and not at all when nothing is labelled:
# the same pixels on screen, shaded only where a label can be. vispy draws each scene node by
# calling its ``draw()``; the node of napari's vispy layer is reached through
# ``vispy_layer`` (private) and replaced for 3-D display or another texture dtype, which
# then draws whole until this is applied to it again.
_CLIPPED_NODES: weakref.WeakKeyDictionary[Any, Callable[[], Any]] = weakref.WeakKeyDictionary()
"""Labels nodes drawn clipped → the region callable they use."""


def _scissor_rect(node: Any, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Return the framebuffer rectangle ``(x, y, w, h)`` covering ``box`` of ``node``'s image."""
    y0, y1, x0, x1 = box
    corners = np.array(
        [
            [x0 - 1, y0 - 1, 0, 1],
            [x1 + 1, y0 - 1, 0, 1],
            [x0 - 1, y1 + 1, 0, 1],
            [x1 + 1, y1 + 1, 0, 1],
        ],
        dtype=float,
    )
    mapped = node.transforms.get_transform("visual", "framebuffer").map(corners)
    xy = mapped[:, :2] / mapped[:, 3:4]
    lo = np.maximum(np.floor(xy.min(axis=0)), 0).astype(int)
    hi = np.ceil(xy.max(axis=0)).astype(int)
    return int(lo[0]), int(lo[1]), max(int(hi[0] - lo[0]), 0), max(int(hi[1] - lo[1]), 0)


def clip_labels_draw(
    viewer: napari.Viewer, layer: Any, region: Callable[[], tuple[int, int, int, int] | None]
) -> bool:
    """Draw 2-D Labels ``layer`` only inside the box ``region()`` returns, at each paint.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer drawing ``layer``.
    layer : napari.layers.Labels
        The layer.
    region : callable
        Called before each paint; returns ``(y0, y1, x0, x1)`` (half-open, label-image
        pixels) holding every non-zero pixel of the layer's 2-D image (an empty box: no
        non-zero pixel, nothing is drawn), or ``None`` when that is not known (drawn whole).

    Returns
    -------
    bool
        Whether the layer's current node is drawn clipped (``False``: a viewer without a
        canvas or a layer not drawn). Idempotent; call again after napari may have replaced
        the node (``layer.data`` of another dtype, 3-D display).

    Raises
    ------
    RuntimeError
        If napari's vispy Labels layer no longer draws its 2-D image with a vispy scene node
        (``node.draw`` and ``node.transforms``).
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return False
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return False
    node: Any = getattr(visual, "node", None)
    transforms = getattr(node, "transforms", None)
    if not callable(getattr(node, "draw", None)) or not callable(
        getattr(transforms, "get_transform", None)
    ):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's vispy Labels layer no longer draws with a vispy "
            "scene node (node.draw, node.transforms); update "
            "layers/_napari_compat.clip_labels_draw"
        )
    if type(node).__name__ != "LabelNode":
        return False  # 3-D display (a volume): drawn whole
    known = node in _CLIPPED_NODES
    _CLIPPED_NODES[node] = region
    if known:
        return True
    from vispy import gloo

    node_ref = weakref.ref(node)
    draw_whole = type(node).draw

    def draw() -> None:
        me = node_ref()
        if me is None:
            return
        box = _CLIPPED_NODES[me]()
        if box is None:
            draw_whole(me)
            return
        if box[0] >= box[1] or box[2] >= box[3]:
            return  # no label anywhere: nothing to shade
        x, y, w, h = _scissor_rect(me, box)
        if w == 0 or h == 0:
            return
        gloo.set_scissor(x, y, w, h)
        gloo.set_state(scissor_test=True)
        try:
            draw_whole(me)
        finally:
            gloo.set_state(scissor_test=False)

    try:
        node.draw = draw
    except AttributeError as error:  # a vispy node that takes no new attribute
        raise RuntimeError(
            "napari_whiskertoolbox: the vispy node of napari's Labels layer no longer takes "
            "a draw of its own; update layers/_napari_compat.clip_labels_draw"
        ) from error
    return True


# --------------------------------------------------------------------------- empty parts
# Used by layers/row_edits.py (Points and Shapes bindings). vispy needs data in every visual,
# so napari gives the parts of a Points or Shapes layer that have nothing to show a
# placeholder: the text of a layer without text is one empty string at the origin, a
# highlight with nothing selected is a marker of size 0 or a triangle with its three corners
# at the origin, a frame without shapes a triangle likewise. vispy still draws each of them
# at every paint (its transforms, uniforms, GL state and a draw call: about 0.1-0.4 ms of
# Python each, four per paint with a bound lines and points key, and a draw on software
# OpenGL). Their ``_prepare_draw`` (vispy's hook before each draw, whose ``False`` skips the
# draw) is made to skip them while they are placeholders; vispy's own preparation runs as
# soon as they hold something (a mesh then uploads the data it was given meanwhile).
def _text_is_empty(text: Any) -> bool:
    strings = text.text
    if isinstance(strings, str):
        return strings == ""
    return not any(np.ravel(np.asarray(strings, dtype=object)))


def _markers_are_empty(markers: Any) -> bool:
    data = markers._data
    return data is not None and not np.any(data["a_size"])


def _mesh_is_empty(mesh: Any) -> bool:
    vertices = mesh.mesh_data.get_vertices()
    return vertices is not None and len(vertices) <= 3 and not np.any(vertices)


def skip_empty_draws(viewer: napari.Viewer, layer: Any) -> int:
    """Make the parts of Points or Shapes ``layer`` that draw nothing skip vispy's draw.

    Idempotent; a viewer without a canvas or a layer not drawn has nothing to skip.

    Returns
    -------
    int
        How many parts (text, markers and meshes of the layer's vispy node) skip their draw
        while empty.

    Raises
    ------
    RuntimeError
        If napari's vispy layer no longer draws with a vispy compound node of text, markers
        and meshes (``node._subvisuals``, each with ``_prepare_draw``), or vispy's markers no
        longer keep their sizes in ``_data["a_size"]``.
    """
    if getattr(real_viewer(viewer), "window", None) is None:
        return 0
    visual = vispy_layer(viewer, layer)
    if visual is None:
        return 0
    from vispy.visuals import MarkersVisual, MeshVisual, TextVisual

    parts = getattr(getattr(visual, "node", None), "_subvisuals", None)
    if not isinstance(parts, list) or not any(isinstance(p, TextVisual) for p in parts):
        raise RuntimeError(
            "napari_whiskertoolbox: napari's vispy Points/Shapes layer no longer draws with a "
            "vispy compound node holding its text (node._subvisuals); update "
            "layers/_napari_compat.skip_empty_draws"
        )
    checks: list[tuple[Any, Callable[[Any], bool]]] = []
    for part in parts:
        if isinstance(part, TextVisual):
            checks.append((part, _text_is_empty))
        elif isinstance(part, MarkersVisual):
            data = getattr(part, "_data", None)
            if data is not None and "a_size" not in (data.dtype.names or ()):
                raise RuntimeError(
                    "napari_whiskertoolbox: vispy's MarkersVisual no longer keeps sizes in "
                    '_data["a_size"]; update layers/_napari_compat.skip_empty_draws'
                )
            checks.append((part, _markers_are_empty))
        elif isinstance(part, MeshVisual):
            checks.append((part, _mesh_is_empty))
    for part, is_empty in checks:
        if "_prepare_draw" in part.__dict__:
            continue  # done before
        prepare = type(part)._prepare_draw
        part_ref = weakref.ref(part)

        def prepare_draw(
            view: Any, prepare: Any = prepare, part_ref: Any = part_ref, is_empty: Any = is_empty
        ) -> Any:
            me = part_ref()
            if me is None or is_empty(me):
                return False
            return prepare(me, view)

        try:
            part._prepare_draw = prepare_draw
        except AttributeError as error:
            raise RuntimeError(
                "napari_whiskertoolbox: a vispy visual of napari's Points/Shapes layer no "
                "longer takes a _prepare_draw of its own; update "
                "layers/_napari_compat.skip_empty_draws"
            ) from error
    return len(checks)
