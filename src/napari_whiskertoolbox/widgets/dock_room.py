"""A dock keeps the height it needs when another dock joins its column.

A figure shown by a script (``plt.show()``) is docked below the Script runner when the
runner's minimum height and the figure's fit the right-hand column, and Qt took all it could
from the runner: in napari's 1268x800 window the editor kept its minimum, 6 lines (114 of
its 236 pixels), the figure 290 pixels. :func:`keep_room_when_joined` watches the window a
widget is docked in; after a dock is added to it (once the code that placed that dock has
finished), a widget of ours left below the height it asks for (``missing()`` pixels) gets
them back from the other docks of its column, down to their minimum heights
(``QMainWindow.resizeDocks``). The user's later drags of the separator are kept.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject, Qt, QTimer
from qtpy.QtWidgets import QDockWidget, QMainWindow

from napari_whiskertoolbox.widgets.docking import dock_of
from napari_whiskertoolbox.workflow.figure_place import dock_min_height

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtpy.QtWidgets import QWidget

__all__ = ["DockRoomKeeper", "keep_room_when_joined"]


def _column_mates(window: QMainWindow, dock: QDockWidget) -> list[QDockWidget]:
    """Return the docks on screen in ``dock``'s area besides it, one per tab group."""
    area = window.dockWidgetArea(dock)
    mates: list[QDockWidget] = []
    for other in window.findChildren(QDockWidget):
        if (
            other is dock
            or other.parentWidget() is not window
            or other.isHidden()
            or other.isFloating()
            or window.dockWidgetArea(other) != area
            or not window.rect().intersects(other.geometry())  # Qt keeps tabs behind outside
            or other in window.tabifiedDockWidgets(dock)
        ):
            continue
        mates.append(other)
    return mates


class DockRoomKeeper(QObject):
    """Event filter giving a docked widget back its height after another dock arrives.

    Parameters
    ----------
    widget : QWidget
        A dock widget's Qt widget.
    missing : callable
        Returns the pixels of height ``widget`` lacks (0 when it has what it asks for).
    """

    def __init__(self, widget: QWidget, missing: Callable[[], int]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._missing = missing
        # weakly: napari's leak check fails a closed viewer whose window a dock still holds
        self._window: weakref.ReferenceType[QMainWindow] | None = None
        self._timer = QTimer(self)  # a child: it dies with the widget
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.restore)
        widget.installEventFilter(self)

    def _watch_window(self) -> None:
        dock = dock_of(self._widget)
        window = dock.parentWidget() if dock is not None else None
        watched = self._watched_window()
        if not isinstance(window, QMainWindow) or window is watched:
            return
        if watched is not None:
            watched.removeEventFilter(self)
        window.installEventFilter(self)
        self._window = weakref.ref(window)

    def _watched_window(self) -> QMainWindow | None:
        return self._window() if self._window is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Find the window once shown docked; after a dock is added to it, restore."""
        kind = event.type()
        if watched is self._widget and kind == QEvent.Type.Show:
            self._watch_window()
        elif (
            kind == QEvent.Type.ChildAdded
            and watched is self._watched_window()
            and isinstance(event.child(), QDockWidget)
        ):
            self._timer.start()  # after the caller has placed and sized the new dock
        return False

    def restore(self) -> bool:
        """Give the widget's dock the height it lacks from its column; return whether asked.

        Qt takes it from the other docks of the column down to their minimum heights.
        Nothing changes when the dock is floating, hidden (a tab behind another), alone in
        its column, or not short of height.
        """
        dock = dock_of(self._widget)
        window = dock.parentWidget() if dock is not None else None
        if not isinstance(window, QMainWindow) or dock.isFloating() or not dock.isVisible():
            return False
        wanted = self._missing()
        # roomiest first
        mates = sorted(_column_mates(window, dock), key=lambda d: dock_min_height(d) - d.height())
        if wanted <= 0 or not mates:
            return False
        # each dock of the column named with its new height: given ours alone, Qt spread
        # the change over the column and the editor got half the pixels it lacked
        heights = []
        missing = wanted
        for mate in mates:
            taken = max(min(missing, mate.height() - dock_min_height(mate)), 0)
            missing -= taken
            heights.append(mate.height() - taken)
        gained = wanted - missing
        if gained <= 0:
            return False
        window.resizeDocks(
            [dock, *mates], [dock.height() + gained, *heights], Qt.Orientation.Vertical
        )
        return True


def keep_room_when_joined(widget: QWidget, missing: Callable[[], int]) -> DockRoomKeeper:
    """Give ``widget``'s dock back the ``missing()`` pixels each time a dock joins its window.

    Parameters
    ----------
    widget : QWidget
        A dock widget's Qt widget (docked later: the window is found when it is shown).
    missing : callable
        Returns the pixels of height ``widget`` lacks (0 when it has what it asks for).

    Returns
    -------
    DockRoomKeeper
        The event filter (owned by ``widget``).
    """
    return DockRoomKeeper(widget, missing)
