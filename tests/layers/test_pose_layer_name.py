"""A keypoints layer renamed in napari's layer list keeps its pose set's name, saying why."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import PointData, TimeFrame
from napari_whiskertoolbox.io.pose import PoseSet, apply_pose, pose_sets
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui


def test_a_renamed_keypoints_layer_takes_its_pose_set_name_back(
    make_napari_viewer, qtbot, notifications
):
    """A new-user trial: ``my nose`` was accepted silently; the set stayed ``dlc`` and
    ``pose_sets(dm)["my nose"]`` found nothing. Any other name is refused the same way:
    the set's keys are named after it."""
    viewer = make_napari_viewer()
    viewer.add_points(np.zeros((1, 2)), name="dlc")  # a layer of the user's own has the name
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(10))
    for part in ("nose", "tail"):
        points = PointData()
        points.add(0, np.array([[10.0, 20.0]], np.float32))
        dm.set_data(f"dlc_{part}", points, "time")
    keys = {"": {"nose": "dlc_nose", "tail": "dlc_tail"}}
    apply_pose(dm, PoseSet("dlc", ["nose", "tail"], [""], [], keys))
    qtbot.waitUntil(lambda: "dlc [1]" in [layer.name for layer in viewer.layers])
    assert not notifications  # napari's "dlc [1]" beside the user's "dlc" is left as it is
    viewer.layers.remove("dlc")
    layer = viewer.layers["dlc [1]"]
    layer.name = "dlc"  # the set's own name, now free
    for typed in ("my nose", "mouse"):
        layer.name = typed  # what napari's layer list does with a name typed there
        assert layer.name == "dlc", typed
        assert list(pose_sets(dm)) == ["dlc"]
        assert f"keeps its pose set's name 'dlc' (not '{typed}')" in notifications[-1]
