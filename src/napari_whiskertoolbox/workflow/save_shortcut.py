"""Ctrl+S (the platform's Save key) saves the WhiskerToolbox session of the active viewer.

napari's File > Save Selected Layers owns the Save key as a Qt menu shortcut, so a
``viewer.bind_key("Control-S", ...)`` binding never sees it (napari issue #6305), and
napari offers plugins no public way to override one of its app-model keybindings.

Qt asks the focused widget whether it wants a key before treating the key as a menu
shortcut (``QEvent.ShortcutOverride``). An application event filter answers "yes" for
the Save key while this viewer's window is active and its session holds data; Qt then
delivers the key as an ordinary key press, which the filter turns into a session save.
With an empty session the key is left to napari (Save Selected Layers). A focused widget
with the Qt property :data:`OWN_SAVE_KEY_PROPERTY` set (the script runner's editor, where
Ctrl+S saves the script) keeps the key.
"""

from __future__ import annotations

import atexit
import contextlib
import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject
from qtpy.QtGui import QKeyEvent, QKeySequence
from qtpy.QtWidgets import QApplication, QDockWidget, QMainWindow

from napari_whiskertoolbox.workflow import actions

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["OWN_SAVE_KEY_PROPERTY", "SaveShortcut"]

OWN_SAVE_KEY_PROPERTY = "wtb_own_save_key"
"""Qt property of a widget that handles the Save key itself while it has the focus."""

_KEY_EVENTS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
_INSTALLED: weakref.WeakSet[SaveShortcut] = weakref.WeakSet()


@atexit.register
def _remove_filters_at_exit() -> None:
    """Take the filters off the application before PyQt tears its objects down.

    A script that ends with a viewer still open otherwise crashes in PyQt's exit clean-up
    (atexit handlers run last-registered first, so this runs before PyQt's).
    """
    app = QApplication.instance()
    for shortcut in list(_INSTALLED):
        if app is not None:
            with contextlib.suppress(RuntimeError):  # its window was already deleted
                app.removeEventFilter(shortcut)
    _INSTALLED.clear()


class SaveShortcut(QObject):
    """Application event filter that routes the Save key of ``window`` to the session.

    Parameters
    ----------
    session : ViewerSession
        The session to save (with :func:`actions.save`).
    window : QMainWindow
        The viewer's main window; the filter lives as long as it does.
    """

    def __init__(self, session: ViewerSession, window: QMainWindow) -> None:
        super().__init__(window)  # no Python reference to the window: it must stay collectable
        self._session = session
        QApplication.instance().installEventFilter(self)
        _INSTALLED.add(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Claim the Save key from napari's menu shortcut, then save on the key press."""
        if event.type() not in _KEY_EVENTS or not self.owns_save_key(event):
            return False
        event.accept()
        if event.type() == QEvent.Type.KeyPress and not event.isAutoRepeat():
            self._save()
        return True

    def owns_save_key(self, event: QKeyEvent) -> bool:
        """Whether ``event`` is the Save key pressed in this window with session data."""
        focused = QApplication.focusWidget()
        return (
            event.matches(QKeySequence.StandardKey.Save)
            and self._window_is_active()
            and not (focused is not None and focused.property(OWN_SAVE_KEY_PROPERTY))
            and bool(self._session.dm.keys())
        )

    def _window_is_active(self) -> bool:
        active = QApplication.activeWindow()
        if isinstance(active, QDockWidget):  # a floating dock belongs to its main window
            active = active.parentWidget()
        return active is self.parent()

    def _save(self) -> None:
        actions.save(self._session)  # a failed save is told in a notice there
