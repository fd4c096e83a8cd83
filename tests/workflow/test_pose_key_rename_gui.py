"""A keypoint key renamed in the Data browser stays its pose set's body part, in napari.

A new-user trial renamed ``mice_m1_nose`` to ``mice_m1_snout``: the nose vanished from the
keypoints layer and its skeleton, the exports wrote it NaN, the SLEAP export turned the
predicted instances into user ones, a drag right after raised a ``KeyError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from _ask_support import Answers

from _dlc_project import copy_reaching
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.layers.converters import layer_points_to_points
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.widgets.data_browser import DataBrowserWidget

pytestmark = pytest.mark.gui
sio = pytest.importorskip("sleap_io")

PLUGIN = "napari-whiskertoolbox"
FRAMES = (0, 3)


def _predicted_mice(path: Path) -> Path:
    """Write a ``.slp``: nodes nose-tail, m1 predicted and m2 labelled on frames 0 and 3."""
    skeleton = sio.Skeleton(nodes=["nose", "tail"], edges=[("nose", "tail")])
    video = sio.Video(filename="mice.mp4", open_backend=False)
    m1, m2 = sio.Track("m1"), sio.Track("m2")
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.array([[10.0 + t, 20.0], [10.0, 45.0]]),
                    skeleton=skeleton,
                    point_scores=np.array([0.9, 0.8]),
                    score=0.85,
                    track=m1,
                ),
                sio.Instance.from_numpy(
                    np.array([[50.0 + t, 20.0], [50.0, 45.0]]), skeleton=skeleton, track=m2
                ),
            ],
        )
        for t in FRAMES
    ]
    labels = sio.Labels(
        labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=[m1, m2]
    )
    sio.save_slp(labels, str(path))
    return path


def _opened(make_napari_viewer: Any, slp: Path) -> tuple[Any, DataBrowserWidget]:
    viewer = make_napari_viewer()
    viewer.open(str(slp), plugin=PLUGIN)
    _, browser = viewer.window.add_plugin_dock_widget(PLUGIN, "Data browser")
    get_session(viewer).set_frame(3)
    return viewer, browser


def _shown(layer: Any) -> dict[str, list[float]]:
    """``{"individual:bodypart": [x, y]}`` of the keypoints layer's rows."""
    owners = layer.features[["individual", "bodypart"]].to_numpy().tolist()
    xy = layer_points_to_points(layer.data).tolist()
    return {f"{a}:{b}": p for (a, b), p in zip(owners, xy)}


def test_the_layer_skeleton_and_slp_export_keep_the_renamed_body_part(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path
) -> None:
    viewer, browser = _opened(make_napari_viewer, _predicted_mice(tmp_path / "mice.slp"))
    layer, skeleton = viewer.layers["mice"], viewer.layers["mice skeleton"]
    assert browser.rename_key("mice_m1_nose", "mice_m1_snout") == "mice_m1_snout"
    # at once, on the same frame: no frame change needed
    assert _shown(layer)["m1:nose"] == [13.0, 20.0]
    assert len(skeleton.data) == 2  # m1's nose-tail edge and m2's
    assert "mice_m1_snout" not in [lay.name for lay in viewer.layers]  # the set shows it
    row = list(_shown(layer)).index("m1:nose")
    qtbot.waitUntil(lambda: bool(layer.features["predicted"][row]))  # still a prediction
    pose = pose_sets(get_session(viewer).dm)["mice"]
    assert pose.key("m1", "nose") == "mice_m1_snout"
    viewer.layers["mice"].save(str(tmp_path / "out.slp"), plugin=PLUGIN)
    back = sio.load_slp(str(tmp_path / "out.slp"), open_videos=False)
    assert [node.name for node in back.skeleton.nodes] == ["nose", "tail"]
    for frame in back:
        by_track = {i.track.name: i for i in frame.instances}
        assert isinstance(by_track["m1"], sio.PredictedInstance)  # not made the user's
        np.testing.assert_allclose(by_track["m1"].numpy()[0], [10.0 + frame.frame_idx, 20.0])


def test_undo_and_redo_of_the_rename_redraw_the_layer_at_once(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    viewer, browser = _opened(make_napari_viewer, _predicted_mice(tmp_path / "mice.slp"))
    session, layer = get_session(viewer), viewer.layers["mice"]
    browser.rename_key("mice_m1_nose", "mice_m1_snout")
    assert actions.undo(session)
    assert pose_sets(session.dm)["mice"].key("m1", "nose") == "mice_m1_nose"
    assert _shown(layer)["m1:nose"] == [13.0, 20.0]
    assert actions.redo(session)
    assert pose_sets(session.dm)["mice"].key("m1", "nose") == "mice_m1_snout"
    assert _shown(layer)["m1:nose"] == [13.0, 20.0]


def test_a_drag_right_after_the_rename_or_its_undo_is_stored(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    """The trial's drag raised ``KeyError: no data key 'mice_m1_nose'`` and stored nothing."""
    viewer, browser = _opened(make_napari_viewer, _predicted_mice(tmp_path / "mice.slp"))
    session, layer = get_session(viewer), viewer.layers["mice"]
    dm = session.dm
    browser.rename_key("mice_m1_nose", "mice_m1_snout")
    for key, dy in (("mice_m1_snout", 4.0), ("mice_m1_nose", 7.0)):
        if key == "mice_m1_nose":
            assert dm.undo()  # the drag, then the rename: back to the first name
            assert dm.undo()
        rows = np.array(layer.data)
        row = list(_shown(layer)).index("m1:nose")
        rows[row, 0] += np.float32(dy)  # dragged down (row, column)
        layer.data = rows
        np.testing.assert_allclose(dm.get_data(key).at(3), [[13.0, 20.0 + dy]])
    assert not [m for m in notifications if "no longer in the session" in m]


def test_an_edit_on_a_layer_showing_a_gone_key_is_refused_with_a_notice(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    """Should a layer ever show a key no longer there, an edit says so rather than raise."""
    viewer, _ = _opened(make_napari_viewer, _predicted_mice(tmp_path / "mice.slp"))
    dm, layer = get_session(viewer).dm, viewer.layers["mice"]
    with dm.data_renamed.blocked():  # the layer is not told
        dm.rename_data("mice_m1_nose", "mice_m1_snout")
    rows = np.array(layer.data)
    rows[0, 0] += np.float32(4)
    layer.data = rows  # raised KeyError before
    np.testing.assert_allclose(dm.get_data("mice_m1_snout").at(3), [[13.0, 20.0]])
    assert any("'mice_m1_nose' is no longer in the session" in m for m in notifications)


def test_ctrl_s_after_a_rename_keeps_the_node_in_the_slp_and_the_name_in_a_session(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    slp = _predicted_mice(tmp_path / "mice.slp")
    viewer, browser = _opened(make_napari_viewer, slp)
    session = get_session(viewer)
    answers = Answers(folder=tmp_path / "sessions")
    (tmp_path / "sessions").mkdir()
    get_workflow(viewer).ask = answers
    layer = viewer.layers["mice"]
    rows = np.array(layer.data)
    rows[list(_shown(layer)).index("m2:nose"), 0] += np.float32(2)
    layer.data = rows
    browser.rename_key("mice_m1_nose", "mice_m1_snout")
    assert actions.save(session)
    # the .slp names nodes, not keys: the new name needs a session folder
    assert answers.folder_titles == ["Save the WhiskerToolbox session in"]
    assert not session.dm.modified
    back = sio.load_slp(str(slp), open_videos=False)
    by_frame = {f.frame_idx: {i.track.name: i for i in f.instances} for f in back}
    np.testing.assert_allclose(by_frame[3]["m2"].numpy()[0], [53.0, 22.0])
    np.testing.assert_allclose(by_frame[3]["m1"].numpy()[0], [13.0, 20.0])
    assert isinstance(by_frame[3]["m1"], sio.PredictedInstance)
    assert any("renamed keys saved in" in m for m in notifications)
    assert not any("deleted" in m for m in notifications)


def test_ctrl_s_after_renaming_a_dlc_label_key_writes_the_labels_back(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    """The trial: "its key 'reachingvideo1_Hand' was deleted" for a key renamed."""
    labels = copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"
    original = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    viewer = make_napari_viewer()
    viewer.open(str(labels.parents[1]), plugin=PLUGIN)
    session = get_session(viewer)
    get_workflow(viewer).ask = Answers(folder=tmp_path / "sessions")
    (tmp_path / "sessions").mkdir()
    _, browser = viewer.window.add_plugin_dock_widget(PLUGIN, "Data browser")
    browser.rename_key("reachingvideo1_Hand", "reachingvideo1_Palm")
    session.set_frame(1)  # img033
    layer = viewer.layers["reachingvideo1"]
    rows = np.array(layer.data)
    row = list(layer.features["bodypart"]).index("Hand")
    rows[row] += np.float32(5)
    layer.data = rows
    assert actions.save(session)
    assert not any("was deleted" in m for m in notifications)
    back = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    assert list(back.columns) == list(original.columns)  # Hand's columns stay
    image = "labeled-data/reachingvideo1/img033.png"
    hand_x = ("Mackenzie", "Hand", "x")
    assert back.loc[image, hand_x] == pytest.approx(original.loc[image, hand_x] + 5)
    assert any("renamed keys saved in" in m for m in notifications)
