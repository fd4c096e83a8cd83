"""Ask before a viewer window with unsaved WhiskerToolbox changes is closed by the user.

An event filter on the viewer's main window sees the close request before napari does.
A close is the user's when

- it is *spontaneous* (the window's X button, the window manager), or
- the window is shown and napari is not tearing the viewer down: napari's File > Close
  Window and File > Exit (and their Ctrl+W / Ctrl+Q shortcuts) close just the main window,
  whereas ``viewer.close()`` first closes the viewer's QtViewer widget (watched too).

Programmatic ``viewer.close()`` calls and hidden windows are never asked, so scripts and
test teardown never block on a dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject
from qtpy.QtWidgets import QMainWindow, QMessageBox

from napari_whiskertoolbox.layers._napari_compat import forget_vetoed_quit, viewer_widget
from napari_whiskertoolbox.workflow import actions

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["CloseGuard", "install_close_guard"]


class CloseGuard(QObject):
    """Event filter that asks Save / Discard / Cancel when a modified session is closed.

    Parameters
    ----------
    session : ViewerSession
        The session whose ``dm.modified`` decides whether to ask.
    window : QMainWindow
        The viewer's main window (the filter is installed on it, and on the viewer's QtViewer
        widget to notice ``viewer.close()``).
    on_discard : callable, optional
        Called when the user chooses to discard the changes (e.g. to drop autosaves).
    """

    def __init__(
        self,
        session: ViewerSession,
        window: QMainWindow,
        on_discard: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(window)  # no Python reference to the window: it must stay collectable
        self._session = session
        self._on_discard = on_discard
        self._viewer_closing = False
        window.installEventFilter(self)
        viewer = session.viewer
        if viewer is not None:
            viewer_widget(viewer).installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Veto a user's close of a modified session unless the user agrees."""
        if event.type() != QEvent.Type.Close:
            return False
        window = self.parent()
        if watched is not window:  # the QtViewer: napari's viewer.close() is under way
            self._viewer_closing = True
            return False
        if self.is_user_close(event) and not self.confirm_close():
            event.ignore()
            forget_vetoed_quit(window)
            return True
        return False

    def is_user_close(self, event: QEvent) -> bool:
        """Whether the close ``event`` of the main window was requested by the user."""
        return event.spontaneous() or (self.parent().isVisible() and not self._viewer_closing)

    def confirm_close(self) -> bool:
        """Return whether closing may go ahead, asking the user if there are unsaved changes."""
        if not self._session.dm.modified:
            return True
        answer = QMessageBox.question(
            self.parent(),
            "Unsaved changes",
            "The WhiskerToolbox session has unsaved changes.\nSave them before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return actions.save(self._session)
        if answer == QMessageBox.StandardButton.Discard:
            if self._on_discard is not None:
                self._on_discard()
            return True
        return False


def install_close_guard(
    session: ViewerSession,
    window: QMainWindow | None = None,
    on_discard: Callable[[], None] | None = None,
) -> CloseGuard:
    """Install a :class:`CloseGuard` on ``window`` (default: the session viewer's main window)."""
    if window is None:
        from napari_whiskertoolbox.layers._napari_compat import main_window

        window = main_window(session.viewer)
    return CloseGuard(session, window, on_discard=on_discard)
