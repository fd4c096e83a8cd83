"""Ask before a viewer window with unsaved WhiskerToolbox changes is closed by the user.

An event filter on the viewer's main window sees the close request before napari does.
User closes (window button, window manager, keyboard) arrive as *spontaneous* close events;
programmatic ``viewer.close()`` calls are the caller's decision and are not intercepted,
so scripts and test teardown never block on a dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject
from qtpy.QtWidgets import QMainWindow, QMessageBox

from . import annotation_actions

if TYPE_CHECKING:
    from .session import ViewerSession

__all__ = ["CloseGuard", "install_close_guard"]


class CloseGuard(QObject):
    """Event filter that asks Save / Discard / Cancel when a modified session is closed.

    Parameters
    ----------
    session : ViewerSession
        The session whose ``dm.modified`` decides whether to ask.
    window : QMainWindow
        The viewer's main window (the filter is installed on it).
    on_discard : callable, optional
        Called when the user chooses to discard the changes (e.g. to drop autosaves).
    """

    def __init__(
        self,
        session: ViewerSession,
        window: QMainWindow,
        on_discard: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(window)
        self._session = session
        self._on_discard = on_discard
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Veto a spontaneous close of a modified session unless the user agrees."""
        if event.type() == QEvent.Type.Close and event.spontaneous() and not self.confirm_close():
            event.ignore()
            return True
        return False

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
            return annotation_actions.save(self._session)
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
        from ._napari_compat import main_window

        window = main_window(session.viewer)
    return CloseGuard(session, window, on_discard=on_discard)
