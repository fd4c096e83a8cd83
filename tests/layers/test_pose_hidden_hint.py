"""A frame whose predictions the likelihood threshold hides says so in the status bar.

Were: a DeepLabCut frame where every body part is below the project's pcutoff showed no
point and nothing else: "no prediction" and "all below the threshold" looked the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from _dlc_tables import write_project_predictions
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PREDICTIONS = {
    "Hand": [(10.0, 20.0, 0.9), (11.0, 21.0, 0.2), (12.0, 22.0, 0.1), (13.0, 23.0, 0.95)],
    "Tongue": [(30.0, 40.0, 0.8), (31.0, 41.0, 0.9), (32.0, 42.0, 0.3), (33.0, 43.0, 0.9)],
}
"""pcutoff 0.4: frame 0 and 3 all shown, frame 1 Hand hidden, frame 2 both hidden."""


def _at(viewer: Any, qtbot: Any, frame: int) -> Any:
    """Step the slider to ``frame``; return the keypoints layer once it shows that frame."""
    session = get_session(viewer)
    viewer.dims.set_current_step(0, frame)
    view = session.poses.points["vid"]
    qtbot.waitUntil(lambda: session.shown_frame == frame and not view.reading_scores)
    return view.layer


@pytest.fixture
def viewer(make_napari_viewer: Any, tmp_path: Path) -> Any:
    path = write_project_predictions(tmp_path / "proj", PREDICTIONS)
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin="napari-whiskertoolbox")
    return viewer


def test_the_status_counts_the_body_parts_below_pcutoff_on_the_frame(
    viewer: Any, qtbot: Any
) -> None:
    layer = _at(viewer, qtbot, 2)
    assert len(layer.data) == 0
    assert viewer.status == "vid: 2 of 2 body parts below pcutoff 0.4 on this frame (not drawn)"
    layer = _at(viewer, qtbot, 1)
    assert len(layer.data) == 1
    assert viewer.status == "vid: 1 of 2 body parts below pcutoff 0.4 on this frame (not drawn)"
    layer = _at(viewer, qtbot, 3)
    assert len(layer.data) == 2
    assert "pcutoff" not in str(viewer.status)  # every prediction drawn: our hint is gone


def test_a_point_placed_on_the_frame_is_no_longer_hidden(viewer: Any, qtbot: Any) -> None:
    _at(viewer, qtbot, 2)
    dm = get_session(viewer).dm
    dm.get_data("vid_Hand").add(2, np.array([[50.0, 60.0]], np.float32))
    assert viewer.status == "vid: 1 of 2 body parts below pcutoff 0.4 on this frame (not drawn)"
    dm.undo()
    assert viewer.status == "vid: 2 of 2 body parts below pcutoff 0.4 on this frame (not drawn)"


def test_napari_s_own_status_is_left_alone_on_a_frame_without_hidden_predictions(
    viewer: Any, qtbot: Any
) -> None:
    _at(viewer, qtbot, 0)
    viewer.status = "napari's own"
    _at(viewer, qtbot, 3)
    assert viewer.status == "napari's own"
