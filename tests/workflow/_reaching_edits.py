"""The Reaching project opened in napari with its first keypoint (Hand) dragged on img033.

And the drag itself, for a layer opened otherwise (:func:`drag_first_point`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

    from _ask_support import Answers


def open_with_hand_dragged(make_napari_viewer: Any, project: Path, answers: Answers) -> tuple:
    """Open the project folder, let ``answers`` reply to questions, drag Hand by 5 px.

    Returns ``(viewer, session)``; the session is on frame 1 (img033).
    """
    viewer = make_napari_viewer()
    viewer.open(str(project), plugin="napari-whiskertoolbox")
    session = get_session(viewer)
    get_workflow(viewer).ask = answers
    session.set_frame(1)  # img033
    drag_first_point(viewer.layers["reachingvideo1"])  # Hand
    return viewer, session


def drag_first_point(layer: Any, by: float = 5.0) -> None:
    """Move the first point a keypoints ``layer`` shows by ``by`` pixels on both axes."""
    moved = np.array(layer.data)
    moved[0] += np.float32(by)
    layer.data = moved
