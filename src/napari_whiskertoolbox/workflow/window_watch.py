"""Notice that a viewer's window is closing, however it is closed."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject

from napari_whiskertoolbox.layers._napari_compat import main_window, viewer_widget

if TYPE_CHECKING:
    from collections.abc import Callable

    import napari

__all__ = ["WindowWatch"]


class WindowWatch(QObject):
    """Call ``closing`` once when ``viewer``'s window starts to close.

    ``viewer.close()`` closes the viewer's Qt widget first (napari tears its layer controls
    down before the window goes); the user's closes (File > Close Window, the window's X)
    end with the main window being destroyed. Either one calls ``closing``, once.

    Parameters
    ----------
    viewer : napari.Viewer
        A viewer with a Qt window.
    closing : callable
        Called with no argument. A bound method is held weakly (its object may go first).
    """

    def __init__(self, viewer: napari.Viewer, closing: Callable[[], object]) -> None:
        widget = viewer_widget(viewer)
        super().__init__(widget)
        self._closing: Callable[[], Callable[[], object] | None]
        if hasattr(closing, "__self__"):
            self._closing = weakref.WeakMethod(closing)  # type: ignore[arg-type]
        else:
            self._closing = lambda: closing
        self._called = False
        widget.installEventFilter(self)
        main_window(viewer).destroyed.connect(self._notice)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Notice ``viewer.close()`` (it closes the viewer widget first)."""
        if event.type() == QEvent.Type.Close:
            self._notice()
        return False

    def _notice(self, *_: object) -> None:
        if self._called:
            return
        self._called = True
        closing = self._closing()
        if closing is not None:
            closing()
