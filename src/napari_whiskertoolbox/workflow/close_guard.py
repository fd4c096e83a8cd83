"""Ask before a viewer window with unsaved WhiskerToolbox changes is closed by the user.

An event filter on the viewer's main window sees the close request before napari does.
A close is the user's when

- it is *spontaneous* (the window's X button, the window manager), or
- the window is shown and napari is not tearing the viewer down: napari's File > Close
  Window and File > Exit (and their Ctrl+W / Ctrl+Q shortcuts) close just the main window,
  whereas ``viewer.close()`` first closes the viewer's QtViewer widget (watched too).

Programmatic ``viewer.close()`` calls and hidden windows are never asked, so scripts and
test teardown never block on a dialog.

One question per window, ours: while a session has unsaved changes napari's own "Close
window?" / "Quit?" (its ``confirm_close_window`` setting) is switched off for that window
(and napari's quit question for every window), and a viewer whose window's X button was
clicked is, once the user agreed, closed by code (``viewer.close()``) so that napari does
not ask after us.

File > Exit quits napari, closing every window by code: the guard of the window it was
chosen in asks, in turn, for every window whose session has unsaved changes; one Cancel
keeps napari running.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject, QTimer
from qtpy.QtWidgets import QMainWindow, QMessageBox

from napari_whiskertoolbox.layers._napari_compat import (
    forget_vetoed_quit,
    quit_requested,
    set_napari_close_questions,
    viewer_widget,
)
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.workflow import actions

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["CloseGuard", "install_close_guard", "open_guards"]

_GUARDS: weakref.WeakSet[CloseGuard] = weakref.WeakSet()


def open_guards() -> list[CloseGuard]:
    """Return the close guards of the windows still open."""
    return [guard for guard in list(_GUARDS) if guard.window is not None]


def _sync_napari_questions() -> None:
    """Switch napari's own close / quit questions off where ours will be asked."""
    guards = open_guards()
    any_unsaved = any(guard.unsaved for guard in guards)
    for guard in guards:
        window = guard.window
        if window is not None:
            set_napari_close_questions(window, close=not guard.unsaved, quit=not any_unsaved)


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
        self._confirmed = False  # the user agreed to close: the next close goes through
        window.installEventFilter(self)
        viewer = session.viewer
        if viewer is not None:
            viewer_widget(viewer).installEventFilter(self)
        signal = session.dm.modified_changed
        slot = connect_main(signal, lambda *_: _sync_napari_questions())
        self.destroyed.connect(lambda *_: signal.disconnect(slot))
        _GUARDS.add(self)
        _sync_napari_questions()

    @property
    def window(self) -> QMainWindow | None:
        """The guarded main window (None once Qt deleted it)."""
        try:
            parent = self.parent()
        except RuntimeError:  # the C++ object is gone
            return None
        return parent if isinstance(parent, QMainWindow) else None

    @property
    def unsaved(self) -> bool:
        """Whether the guarded session has unsaved changes."""
        return bool(self._session.dm.modified)

    def store_pending_edits(self) -> None:
        """Store an edit still in progress (a line being drawn) before asking about changes."""
        self._session.flush_pending_edits()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Veto a user's close of a modified session unless the user agrees."""
        if event.type() != QEvent.Type.Close:
            return False
        window = self.window
        if window is None:
            return False
        if watched is not window:  # the QtViewer: napari's viewer.close() is under way
            self._viewer_closing = True
            return False
        if self._confirmed or not self.is_user_close(event):
            self._confirmed = False
            return False
        self.store_pending_edits()
        others = self._other_unsaved_windows() if quit_requested(window) else []
        asked = self.unsaved
        if not self._confirm_all(others):
            event.ignore()
            forget_vetoed_quit(window)
            _sync_napari_questions()
            return True
        viewer = self._session.viewer
        if event.spontaneous() and asked and viewer is not None:
            # napari would now ask its own "Close window?": close the viewer by code instead
            # (napari's viewer.close(), once this event is over).
            event.ignore()
            QTimer.singleShot(0, viewer.close)
            return True
        return False

    def _other_unsaved_windows(self) -> list[CloseGuard]:
        """Return the guards of the other shown windows with unsaved changes."""
        for guard in open_guards():
            if guard is not self and guard.window is not None and guard.window.isVisible():
                guard.store_pending_edits()
        return [
            guard
            for guard in open_guards()
            if guard is not self
            and guard.unsaved
            and guard.window is not None
            and guard.window.isVisible()
        ]

    def _confirm_all(self, others: list[CloseGuard]) -> bool:
        """Ask for this window, then for ``others``; False (nothing confirmed) on a Cancel."""
        if not self.confirm_close():
            return False
        for guard in others:
            if not guard.confirm_close():
                for other in others:
                    other._confirmed = False
                return False
            guard._confirmed = True  # napari's quit closes it by code next: asked already
        return True

    def is_user_close(self, event: QEvent) -> bool:
        """Whether the close ``event`` of the main window was requested by the user."""
        window = self.window
        visible = window is not None and window.isVisible()
        return event.spontaneous() or (visible and not self._viewer_closing)

    def confirm_close(self) -> bool:
        """Return whether closing may go ahead, asking the user if there are unsaved changes."""
        self.store_pending_edits()
        if not self._session.dm.modified:
            return True
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"{self._describe()} has unsaved changes.\nSave them before closing?",
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

    def _describe(self) -> str:
        """Name the session in the question: its folder, else its window's title."""
        path = self._session.path
        if path is not None:
            return f"The WhiskerToolbox session {path.name!r}"
        window = self.window
        title = window.windowTitle().removesuffix(" *") if window is not None else ""
        return f"The WhiskerToolbox session of window {title!r}" if title else "The session"


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
