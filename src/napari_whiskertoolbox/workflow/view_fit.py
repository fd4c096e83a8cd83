"""Keep the video fitted in the canvas while docks open, close or resize beside it.

A dock opened after the video (the Data browser, the Timeline a sample docks) narrows the
canvas, and napari keeps the camera's zoom and center: the video fitted to the wider canvas
was cut off at its sides. While the camera is still where the session's last fit left it
(the user has neither zoomed nor panned since), each change of the canvas size fits the
view again once the layout has settled; after a zoom or a pan the user's view is kept.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject, QTimer

if TYPE_CHECKING:
    from qtpy.QtWidgets import QWidget

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["ViewFitKeeper"]


class ViewFitKeeper(QObject):
    """Refit ``session``'s view after ``canvas`` (the window's central widget) is resized.

    Parameters
    ----------
    session : ViewerSession
        Held weakly; its :meth:`~ViewerSession.view_is_fitted` decides.
    canvas : QWidget
        The widget holding napari's canvas (the main window's central widget); the keeper
        goes away with it.
    """

    def __init__(self, session: ViewerSession, canvas: QWidget) -> None:
        super().__init__(canvas)
        self._session = weakref.ref(session)
        # coalesces the resizes of one layout change; a child timer dies with the canvas
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refit)
        canvas.installEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        """Schedule :meth:`refit` when the canvas is resized (the event goes on)."""
        if event is not None and event.type() == QEvent.Type.Resize:
            self._timer.start()  # after the layout has settled
        return False

    def refit(self) -> bool:
        """Fit the view again if the camera is as the last fit left it; return whether it was."""
        session = self._session()
        if session is None or not session.view_is_fitted():
            return False
        session.fit_view()
        return True
