"""``dm.rename_data`` of a keypoint key carries its body part along in the pose set."""

from __future__ import annotations

import numpy as np

from napari_whiskertoolbox.core import DataManager, PointData, TimeFrame
from napari_whiskertoolbox.io.pose import PoseSet, apply_pose, pose_of_key, pose_sets


def _mice() -> DataManager:
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(5))
    keys: dict[str, dict[str, str]] = {}
    for individual in ("m1", "m2"):
        for part in ("nose", "tail"):
            points = PointData()
            points.add(0, np.array([[10.0, 20.0]], np.float32))
            key = f"mice_{individual}_{part}"
            dm.set_data(key, points, "time")
            keys.setdefault(individual, {})[part] = key
    apply_pose(dm, PoseSet("mice", ["nose", "tail"], ["m1", "m2"], [("nose", "tail")], keys))
    return dm


def test_a_renamed_key_keeps_its_body_part_colour_and_skeleton_edge() -> None:
    """A new-user trial: the rename dropped m1's nose from the set (pose_sets still listed
    it, the exports wrote it NaN)."""
    dm = _mice()
    colour = dm.metadata["colors"]["mice_m1_nose"]
    dm.rename_data("mice_m1_nose", "mice_m1_snout")
    pose = pose_sets(dm)["mice"]
    assert pose.key("m1", "nose") == "mice_m1_snout"
    assert pose.bodyparts == ["nose", "tail"]
    assert ("m1", "mice_m1_snout", "mice_m1_tail") in list(pose.edges())
    assert pose_of_key(dm, "mice_m1_snout") == pose
    assert pose_of_key(dm, "mice_m1_nose") is None
    assert dm.metadata["colors"]["mice_m1_snout"] == colour
    assert "mice_m1_nose" not in dm.metadata["colors"]


def test_undo_and_redo_of_a_rename_take_the_body_part_along() -> None:
    dm = _mice()
    dm.rename_data("mice_m2_tail", "mice_m2_tailbase")
    assert dm.undo()
    assert pose_sets(dm)["mice"].key("m2", "tail") == "mice_m2_tail"
    assert "mice_m2_tail" in dm.metadata["colors"]
    assert dm.redo()
    assert pose_sets(dm)["mice"].key("m2", "tail") == "mice_m2_tailbase"
    assert "mice_m2_tailbase" in dm.metadata["colors"]


def test_listeners_of_data_renamed_see_the_pose_set_with_the_new_key() -> None:
    dm = _mice()
    seen: list[str | None] = []
    dm.data_renamed.connect(lambda old, new: seen.append(pose_sets(dm)["mice"].key("m1", "tail")))
    dm.rename_data("mice_m1_tail", "mice_m1_base")
    dm.undo()
    assert seen == ["mice_m1_base", "mice_m1_tail"]


def test_renaming_a_key_of_no_pose_set_leaves_the_sets_alone() -> None:
    dm = _mice()
    dm.set_data("whisker_tip", PointData(), "time")
    before = dm.metadata["poses"]["mice"]["keys"]
    dm.rename_data("whisker_tip", "tip")
    assert dm.metadata["poses"]["mice"]["keys"] == before
