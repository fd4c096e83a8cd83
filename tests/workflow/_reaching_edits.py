"""The Reaching project opened in napari with its first keypoint (Hand) dragged on img033."""

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
    keypoints = viewer.layers["reachingvideo1"]
    moved = np.array(keypoints.data)
    moved[0] += np.float32(5)  # Hand, dragged
    keypoints.data = moved
    return viewer, session
