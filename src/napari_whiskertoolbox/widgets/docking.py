"""Our docks open as tabs over the docks already in their area, not stacked under them.

napari's Plugins menu docks a plugin widget with ``viewer.window.add_dock_widget(widget,
name=...)``, whose ``tabify`` defaults to False: a second and third dock of ours in the
right area are stacked vertically, each getting a sliver of the height, and the video's
column shrinks. The manifest cannot ask for tabs, so each of our dock widgets calls
:func:`tabify_when_docked` on itself: the first time it is shown inside a docked
``QDockWidget`` it joins the tab group of the other docks in that area (as
``add_dock_widget(..., tabify=True)`` would have done) and is raised. A dock that is already
tabbed, floating, or alone in its area is left where it is, and a dock alone in its area that
Qt made bigger than it asks for is shrunk to its size hint; after that the user's moves win.

Each of our docks is docked once per viewer. napari names a dock differently by the way it
was docked (the Plugins menu: ``"Timeline (WhiskerToolbox)"``;
``Window.add_plugin_dock_widget`` and ``napari -w``: ``"Timeline (napari-whiskertoolbox)"``)
and its menu finds an open dock only under its own name: it docked a second Timeline beside
the one ``add_plugin_dock_widget`` had docked. Given the viewer, :func:`tabify_when_docked`
removes such a second dock as it is shown and shows and raises the first instead. The menu
toggles a dock it finds; a dock hidden behind another tab is not on screen, so the menu
hid it where the user asked to see it: it is shown again and raised.

Tabbed, our docks' tabs read ``Key help``, ``Data browser``…: the tab shows the
``QDockWidget``'s window title, which napari sets to the dock's name (``"Key help
(WhiskerToolbox)"``), elided to ``"Key help (…"`` in a tab group of four. The title loses
the plugin's suffix as the dock is first shown (:func:`short_dock_title`); napari's name, by
which ``Window.dock_widgets`` and its menus find the dock, its title bar and the Window
menu's entry keep it.

A dock of ours narrows the canvas: once it is laid out, the video is fitted to the canvas
again (napari keeps the camera's zoom and center: the video was cut off at its sides), unless
the user has zoomed or panned since the session last fitted it.

napari docks a new dock under the other docks of its area before it becomes a tab, which
grew a laptop's window past its screen: the window's size before the dock arrived is
remembered, and once the dock is a tab the window gets it back
(:mod:`~napari_whiskertoolbox.workflow.window_size`).

A dock of ours at the bottom (the Timeline) spans only the canvas and the right-hand docks:
the left column (napari's layer controls and layer list) keeps the window's whole height
(:func:`leave_left_column_whole`). Spanning the whole width, a Timeline at its minimum height
left napari's layer list about one row of a 1268x800 window. A dock of ours on the right
likewise keeps the window's whole height, the bottom docks spanning the canvas alone
(:func:`leave_right_column_whole`): under a Timeline the Script runner showed 4 lines of its
output log in napari's default window.

Otherwise only public API is used: napari documents that a docked widget's parent is its
``QDockWidget`` (``Window.dock_widgets``), ``Window.remove_dock_widget`` removes one, and
the rest is Qt's ``QMainWindow``; the layer list's dock comes from
:func:`~napari_whiskertoolbox.layers._napari_compat.layer_list_dock`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Literal

from qtpy.QtCore import QEvent, QObject, Qt, QTimer
from qtpy.QtWidgets import QDockWidget, QMainWindow, QWidget

from napari_whiskertoolbox.layers._napari_compat import layer_list_dock, main_window
from napari_whiskertoolbox.workflow.window_size import WindowSizeKeeper

__all__ = [
    "DOCK_KIND",
    "dock_of",
    "docked_twin",
    "fit_dock_size",
    "leave_left_column_whole",
    "leave_right_column_whole",
    "raise_dock",
    "short_dock_title",
    "tabify_when_docked",
    "tabify_with_area",
]

DOCK_KIND = "wtb_dock_kind"
"""Qt property naming which of our docks a widget is (one dock of each kind per viewer)."""

DockArea = Literal["left", "right", "top", "bottom"]
_QT_AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
}


def dock_of(widget: QWidget) -> QDockWidget | None:
    """Return the ``QDockWidget`` holding ``widget`` (None when it is not in one)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent


def tabify_with_area(dock: QDockWidget) -> bool:
    """Tab ``dock`` over the other shown docks of its area and raise it.

    Parameters
    ----------
    dock : QDockWidget
        A dock of a ``QMainWindow``.

    Returns
    -------
    bool
        Whether it was moved: False when it is floating, already tabbed with another dock,
        not in a main window, or the only shown dock of its area.
    """
    window = dock.parentWidget()
    if not isinstance(window, QMainWindow) or dock.isFloating():
        return False
    if window.tabifiedDockWidgets(dock):
        return False
    area = window.dockWidgetArea(dock)
    others = [
        other
        for other in window.findChildren(QDockWidget)
        if other is not dock
        and other.parentWidget() is window
        and not other.isHidden()
        and not other.isFloating()
        and window.dockWidgetArea(other) == area
    ]
    if not others:
        return False
    grouped = [other for other in others if window.tabifiedDockWidgets(other)]
    window.tabifyDockWidget((grouped or others)[-1], dock)
    dock.show()
    dock.raise_()
    return True


def docked_twin(widget: QWidget, viewer: Any) -> QWidget | None:
    """Return another widget of ``widget``'s kind docked in ``viewer``'s window, or None.

    The kind is ``widget``'s :data:`DOCK_KIND` property (set by :func:`tabify_when_docked`).
    """
    kind = widget.property(DOCK_KIND)
    window = getattr(viewer, "window", None)
    if not kind or window is None:
        return None
    for inner in list(window.dock_widgets.values()):
        native = getattr(inner, "native", inner)
        ours = native is not widget and isinstance(native, QWidget)
        if ours and native.property(DOCK_KIND) == kind and dock_of(native) is not None:
            return native
    return None


def short_dock_title(dock: QDockWidget) -> str:
    """Drop the plugin's name from ``dock``'s window title, the text of its tab; return it.

    ``"Key help (WhiskerToolbox)"`` and ``"Key help (napari-whiskertoolbox)"`` (the names
    napari gives our docks) become ``"Key help"``; any other title is left as it is. The
    dock's toggle action (napari's Window menu entry) keeps its text.
    """
    from napari_whiskertoolbox.workflow.docks import PLUGIN_NAME, dock_name

    suffixes = [f" ({PLUGIN_NAME})"]
    with contextlib.suppress(KeyError):  # KeyError: plugins not discovered (no manifest)
        suffixes.append(dock_name(""))  # " (WhiskerToolbox)", the manifest's display name
    title = dock.windowTitle()
    suffix = next((end for end in suffixes if title.endswith(end) and title != end), None)
    if suffix is None:
        return title
    action = dock.toggleViewAction()
    entry = action.text()
    title = title.removesuffix(suffix)
    dock.setWindowTitle(title)
    action.setText(entry)  # Qt copies the window title into the action's text
    return title


def raise_dock(dock: QDockWidget) -> None:
    """Show ``dock`` and bring it to the front of its tab group."""
    dock.show()
    dock.raise_()


class _TabifyOnFirstShow(QObject):
    """Event filter: on the widget's first show inside a dock, tab that dock (once).

    Given a viewer, a second dock of the widget's kind is removed there and the first one
    raised; afterwards the dock is watched (:class:`_ShowWhenHiddenOffScreen`).
    """

    def __init__(self, widget: QWidget, area: DockArea | None, viewer: Any = None) -> None:
        super().__init__(widget)
        self._widget = widget
        self._area = area
        self._viewer = viewer
        self._done = False
        # a child timer dies with the widget, so it can never fire on a deleted one
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tabify)
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(0)
        self._refit_timer.timeout.connect(self._refit_view)
        self._keeper: WindowSizeKeeper | None = None
        if viewer is not None:
            try:
                self._keeper = WindowSizeKeeper(main_window(viewer), self)
            except RuntimeError:  # no napari window (a proxy, or napari changed): nothing kept
                self._keeper = None
        widget.installEventFilter(self)

    def _restore_window_size(self) -> None:
        """Give the window back the size it had before the dock arrived, if that grew it."""
        if self._keeper is not None:
            self._keeper.restore()
            self._keeper = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and watched is self._widget and event.type() == QEvent.Type.Show:
            dock = dock_of(self._widget)
            if dock is not None:
                self._done = True
                self._widget.removeEventFilter(self)
                # after napari's add_dock_widget has finished placing and sizing the dock
                self._timer.start()
        return False

    def _tabify(self) -> None:
        dock = dock_of(self._widget)
        if dock is None:
            return
        twin = docked_twin(self._widget, self._viewer)
        if twin is not None:
            self._viewer.window.remove_dock_widget(dock)
            # napari leaves the removed widget without a parent: delete it, so that its
            # ``destroyed`` handlers let go of the session as a closed dock's do
            self._widget.deleteLater()
            twin_dock = dock_of(twin)
            if twin_dock is not None:
                raise_dock(twin_dock)
            self._restore_window_size()
            return
        short_dock_title(dock)
        window = dock.parentWidget()
        if self._area is not None and isinstance(window, QMainWindow) and not dock.isFloating():
            wanted = _QT_AREAS[self._area]
            if window.dockWidgetArea(dock) != wanted:
                window.addDockWidget(wanted, dock)  # moves it
        if isinstance(window, QMainWindow) and not dock.isFloating():
            area = window.dockWidgetArea(dock)
            if area == Qt.DockWidgetArea.BottomDockWidgetArea:
                leave_left_column_whole(window, self._viewer)
            elif area == Qt.DockWidgetArea.RightDockWidgetArea:
                leave_right_column_whole(window)
        if not tabify_with_area(dock):
            fit_dock_size(dock)
        self._restore_window_size()
        if self._viewer is not None:
            _ShowWhenHiddenOffScreen(dock)
            self._refit_timer.start()  # once the window has laid the dock out

    def _refit_view(self) -> None:
        """Fit the video to the canvas the dock left, unless the user zoomed or panned."""
        from napari_whiskertoolbox.workflow.registry import get_session

        session = get_session(self._viewer)
        if session.view_is_fitted():
            session.refit_view()


class _ShowWhenHiddenOffScreen(QObject):
    """Event filter on a dock: hidden while behind another tab, it is shown and raised.

    A tab behind another is not on screen, yet napari's Plugins menu finds it visible and
    its click hides it; the user, who cannot see it, asked to see it. A dock on screen
    hides as the menu (or its own hide button) asks. A dock the menu shows again comes to
    the front of its tabs.
    """

    def __init__(self, dock: QDockWidget) -> None:
        super().__init__(dock)
        self._dock = dock
        self._was_hidden = False
        dock.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        dock = self._dock
        if watched is dock and event.type() == QEvent.Type.Hide and dock.isHidden():
            window = dock.parentWidget()
            # Qt keeps the docks of the other tabs outside the window: off screen
            behind = (
                isinstance(window, QMainWindow)
                and not dock.isFloating()
                and bool(window.tabifiedDockWidgets(dock))
                and not window.rect().intersects(dock.geometry())
            )
            if behind:
                QTimer.singleShot(0, self._show_again)
            else:
                self._was_hidden = True
        elif watched is dock and event.type() == QEvent.Type.Show and self._was_hidden:
            self._was_hidden = False
            QTimer.singleShot(0, self._raise)
        return False

    def _show_again(self) -> None:
        window = self._dock.parentWidget()
        if isinstance(window, QMainWindow) and self._dock.isHidden():  # not removed since
            raise_dock(self._dock)

    def _raise(self) -> None:
        if isinstance(self._dock.parentWidget(), QMainWindow) and not self._dock.isHidden():
            self._dock.raise_()


def leave_left_column_whole(window: QMainWindow, viewer: Any = None) -> None:
    """Keep the left dock column beside the bottom docks, at the window's whole height.

    Qt's bottom dock area takes the window's bottom-left corner by default: a Timeline at its
    minimum height left napari's layer controls and layer list (the left column) their
    minimum heights, the list about one row at 1268x800. With the corner given to the left
    area, the bottom docks span the canvas and the right-hand docks; the left column keeps
    its height and, given ``viewer``, napari's layer list gets the height it asks for (about
    five rows) and the layer controls the rest.

    Parameters
    ----------
    window : QMainWindow
        The viewer's main window.
    viewer : napari.Viewer, optional
        The viewer, to find napari's layer list dock; without it only the corner changes.
    """
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    if viewer is None:
        return
    layer_list = layer_list_dock(viewer)
    left = Qt.DockWidgetArea.LeftDockWidgetArea
    if layer_list.isFloating() or window.dockWidgetArea(layer_list) != left:
        return  # the user moved it: the user's layout wins
    wanted = max(layer_list.sizeHint().height(), layer_list.minimumSizeHint().height())
    if layer_list.height() < wanted:
        window.resizeDocks([layer_list], [wanted], Qt.Orientation.Vertical)


def leave_right_column_whole(window: QMainWindow) -> None:
    """Give the right dock column the window's whole height, the bottom docks beside it.

    Qt's bottom dock area takes the window's bottom-right corner by default: under a Timeline
    spanning the canvas and the right column, the Script runner kept 456 of napari's 727
    pixels (4 lines of output log, 6 of code). With the corner given to the right area the
    Timeline spans the canvas alone (its controls wrap when narrow) and the right-hand tabs
    keep the window's height.

    Parameters
    ----------
    window : QMainWindow
        The viewer's main window.
    """
    corner, right = Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea
    if window.corner(corner) != right:  # setting it again lays the window out again
        window.setCorner(corner, right)


def fit_dock_size(dock: QDockWidget) -> bool:
    """Shrink a dock alone in its area that Qt made bigger than it asks for.

    A left or right dock is narrowed, a top or bottom dock made lower, to its size hint.
    With a dock already spanning the bottom (the Timeline), Qt splits the width left of it
    evenly between the canvas and a new side dock: the video got half of a laptop screen;
    and a Timeline docked under the video took half of the window's height.

    Parameters
    ----------
    dock : QDockWidget
        A dock of a ``QMainWindow``.

    Returns
    -------
    bool
        Whether it was resized: False when floating, tabbed, or not bigger than its size
        hint.
    """
    window = dock.parentWidget()
    if not isinstance(window, QMainWindow) or dock.isFloating() or window.tabifiedDockWidgets(dock):
        return False
    side = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
    if window.dockWidgetArea(dock) in side:
        wanted = max(dock.sizeHint().width(), dock.minimumSizeHint().width())
        if dock.width() <= wanted:
            return False
        window.resizeDocks([dock], [wanted], Qt.Orientation.Horizontal)
        return True
    wanted = max(dock.sizeHint().height(), dock.minimumSizeHint().height())
    if dock.height() <= wanted:
        return False
    window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)
    return True


def tabify_when_docked(
    widget: QWidget, area: DockArea | None = None, *, viewer: Any = None, kind: str = ""
) -> None:
    """Make ``widget``'s dock join its area's tabs the first time it is shown docked.

    Parameters
    ----------
    widget : QWidget
        The dock widget's Qt widget (a magicgui widget's ``.native``).
    area : {"left", "right", "top", "bottom"}, optional
        Move the dock to this area first (the Timeline belongs under the video); by
        default it stays where napari docked it.
    viewer : napari.Viewer, optional
        The viewer it is docked in: with ``kind``, a dock of that kind already docked there
        is shown and raised and this second one removed; a dock hidden while behind a tab
        is shown and raised.
    kind : str
        Which of our docks this is (``"Timeline"``): one of each kind per viewer.
    """
    if kind:
        widget.setProperty(DOCK_KIND, kind)
    _TabifyOnFirstShow(widget, area, viewer)
