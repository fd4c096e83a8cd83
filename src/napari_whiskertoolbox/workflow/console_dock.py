"""napari's console opens as a tab over a dock already at the bottom, not squeezed beside it.

napari docks its console at the bottom of the window. Beside a Timeline (the bottom area
spans the canvas only: the side columns keep the window's height) both got half the canvas's
width: about 230 pixels each in a 1560x960 window, the Timeline's lanes unreadable and the
console's lines wrapped every few words. The first time the console is shown while another
dock sits in the bottom area, it joins that dock's tab group and is raised (as our own docks
join the docks of their area); after that the user's moves win.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import Qt, QTimer
from qtpy.QtWidgets import QDockWidget

from napari_whiskertoolbox.layers._napari_compat import console_dock, main_window

if TYPE_CHECKING:
    import napari
    from qtpy.QtWidgets import QMainWindow

__all__ = ["tab_console_over_bottom_docks"]


def _bottom_mates(window: QMainWindow, dock: QDockWidget) -> list[QDockWidget]:
    """Docks shown in ``window``'s bottom area besides ``dock`` (not tabbed with it)."""
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    tabbed = window.tabifiedDockWidgets(dock)
    return [
        other
        for other in window.findChildren(QDockWidget)
        if other is not dock
        and other.parentWidget() is window
        and other.isVisible()
        and not other.isFloating()
        and window.dockWidgetArea(other) == bottom
        and other not in tabbed
    ]


def tab_console_over_bottom_docks(viewer: napari.Viewer) -> None:
    """Make ``viewer``'s console, first shown beside a bottom dock, a raised tab over it."""
    dock = console_dock(viewer)
    window = main_window(viewer)
    dock_ref, window_ref = weakref.ref(dock), weakref.ref(window)
    placed = False

    def place() -> None:
        nonlocal placed
        shown, main = dock_ref(), window_ref()
        if placed or shown is None or main is None or not shown.isVisible():
            return
        if shown.isFloating():
            placed = True  # the user floated it: theirs
            return
        mates = _bottom_mates(main, shown)
        if main.dockWidgetArea(shown) != Qt.DockWidgetArea.BottomDockWidgetArea or not mates:
            return
        placed = True
        main.tabifyDockWidget(mates[0], shown)
        shown.raise_()

    def on_visibility(visible: bool) -> None:
        if visible and not placed:
            QTimer.singleShot(0, place)  # after napari's own show and raise

    dock.visibilityChanged.connect(on_visibility)
