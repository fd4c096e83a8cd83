"""The status bar names the keypoints a likelihood threshold hides on the frame shown.

A DeepLabCut predictions table read with a threshold (the project's ``pcutoff``) loads only
the predictions at or above it (:mod:`napari_whiskertoolbox.io.pose_written`): on a frame
where every body part is below it the keypoints layer is empty, as on a frame with no
prediction at all. Each frame step that lands on a frame with hidden keypoints writes
``"vid: 2 of 2 body parts below pcutoff 0.6 on this frame (not drawn)"`` into napari's status
bar (``viewer.status``, public); a frame without clears it, unless napari has written its
own status since (the cursor moved over the canvas).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["READY", "HiddenStatus"]

READY = "Ready"
"""napari's status while the cursor is off the canvas (what clearing ours leaves)."""


class HiddenStatus:
    """Write the hidden-keypoint notes of the frame shown into the viewer's status bar.

    Parameters
    ----------
    viewer_of : callable
        Returns the viewer (None once it is gone).
    """

    def __init__(self, viewer_of: Callable[[], Any]) -> None:
        self._viewer_of = viewer_of
        self._shown: str | None = None

    def show(self, messages: Iterable[str | None]) -> None:
        """Show ``messages`` (None entries skipped); none: take ours off the status bar."""
        viewer = self._viewer_of()
        if viewer is None:
            return
        text = "; ".join(m for m in messages if m)
        if text:
            if viewer.status != text:
                viewer.status = text
            self._shown = text
        elif self._shown is not None:
            if viewer.status == self._shown:
                viewer.status = READY
            self._shown = None
