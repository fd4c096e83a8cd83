"""Keep the video fitted in the canvas while docks open, close or resize beside it.

A dock opened after the video (the Data browser, the Timeline a sample docks) narrows the
canvas, and napari keeps the camera's zoom and center: the video fitted to the wider canvas
was cut off at its sides. While the camera is still where the session's last fit left it
(the user has neither zoomed nor panned since), each change of the canvas size (napari's
public ``viewer.canvas.events.size``) fits the view again once the layout has settled; after
a zoom or a pan the user's view is kept. No Qt event filter: one on a window's widgets
crashed PyQt's clean-up at the exit of a script that ended with a viewer open.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QTimer

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["ViewFitKeeper"]


class ViewFitKeeper:
    """Refit ``session``'s view after ``viewer``'s canvas changes size.

    Parameters
    ----------
    session : ViewerSession
        Held weakly; its :meth:`~ViewerSession.view_is_fitted` decides.
    viewer : napari.Viewer
        The viewer whose canvas is watched (napari holds this keeper weakly: keep a
        reference to it, as the session's workflow does).
    """

    def __init__(self, session: ViewerSession, viewer: Any) -> None:
        self._session = weakref.ref(session)
        # coalesces the size changes of one layout change, and fits after it has settled
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refit)
        viewer.canvas.events.size.connect(self._on_size)

    def _on_size(self, event: Any = None) -> None:
        self._timer.start()

    def refit(self) -> bool:
        """Fit the view again if the camera is as the last fit left it; return whether it was."""
        session = self._session()
        if session is None or not session.view_is_fitted():
            return False
        session.fit_view()
        return True
