"""Predicted keypoints are drawn apart from labels, and a moved prediction becomes a label.

Were: a SLEAP predicted instance, a DeepLabCut prediction with its likelihood and a user's
label all looked the same (filled discs with a black rim).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

from napari_whiskertoolbox.core import ArrayMedia, DataManager
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.dlc import dlc_to_pose, read_dlc
from napari_whiskertoolbox.layers.pose_points import (
    LABEL_BORDER_WIDTH,
    PREDICTED_BORDER_WIDTH,
    PosePointsView,
)

if TYPE_CHECKING:
    from pathlib import Path


def _row(layer: Any, individual: str, bodypart: str) -> int:
    features = layer.features
    hit = np.flatnonzero((features.individual == individual) & (features.bodypart == bodypart))
    return int(hit[0])


def _assert_predicted(layer: Any, row: int, score: float) -> None:
    assert bool(layer.features.predicted[row])
    assert layer.features.score[row] == pytest.approx(score)
    assert layer.face_color[row, 3] == 0.0  # hollow
    np.testing.assert_allclose(layer.border_color[row, :3], layer.face_color[row, :3])
    assert layer.border_width[row] == pytest.approx(PREDICTED_BORDER_WIDTH)


def _assert_label(layer: Any, row: int) -> None:
    assert not bool(layer.features.predicted[row])
    assert np.isnan(layer.features.score[row])
    assert layer.face_color[row, 3] == 1.0  # filled
    np.testing.assert_array_equal(layer.border_color[row], [0, 0, 0, 1])
    assert layer.border_width[row] == pytest.approx(LABEL_BORDER_WIDTH)


@pytest.mark.gui
def test_sleap_predictions_are_hollow_and_a_dragged_one_becomes_the_users(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path
) -> None:
    sio = pytest.importorskip("sleap_io")
    from _napari_input import drag

    from napari_whiskertoolbox.io.sleap import load_sleap_entries
    from napari_whiskertoolbox.layers.session import ViewerSession

    skeleton = sio.Skeleton(nodes=["nose", "tail"], edges=[["nose", "tail"]])
    tracks = [sio.Track(name="mouseA"), sio.Track(name="mouseB")]
    video = sio.Video(filename=str(tmp_path / "gone.mp4"), open_backend=False)
    frames = []
    for t in (0, 1):
        a = sio.PredictedInstance.from_numpy(
            np.array([[20.0 + t, 30.0], [40.0, 60.0]]), skeleton=skeleton,
            point_scores=np.array([0.2 + 0.4 * t, 0.9]), score=0.9, track=tracks[0],
        )  # fmt: skip
        b = sio.Instance.from_numpy(np.array([[90.0, 20.0], [100.0, 70.0]]), skeleton=skeleton, track=tracks[1])  # fmt: skip
        frames.append(sio.LabeledFrame(video=video, frame_idx=t, instances=[a, b]))
    path = tmp_path / "mice.slp"
    labels = sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=tracks)
    sio.save_slp(labels, str(path))
    dm = DataManager()
    media = ("media", ArrayMedia(np.zeros((2, 96, 128), np.uint8)))
    commit(dm, [media, *load_sleap_entries(path, "mice")])
    viewer = make_napari_viewer(show=False)
    session = ViewerSession(viewer, dm)
    layer = viewer.layers["mice"]
    session.set_frame(0)
    qtbot.waitUntil(lambda: not session.poses.points["mice"].reading_scores)
    nose_a, tail_a = _row(layer, "mouseA", "nose"), _row(layer, "mouseA", "tail")
    _assert_predicted(layer, nose_a, 0.2)
    _assert_predicted(layer, tail_a, 0.9)
    ring = layer.border_color[nose_a, 3]
    assert ring < layer.border_color[tail_a, 3]  # fainter: lower score
    _assert_label(layer, _row(layer, "mouseB", "nose"))

    viewer.layers.selection.active = layer
    layer.mode = "select"
    y, x = layer.data[nose_a][-2:]
    drag(viewer, layer, [(y, x), (y + 5, x + 5), (y + 10, x + 10)])  # the prediction corrected
    _assert_label(layer, nose_a)
    _assert_label(layer, tail_a)  # the whole instance is the user's, as write_slp saves it
    _assert_label(layer, _row(layer, "mouseB", "nose"))
    session.dm.history.undo()
    _assert_predicted(layer, nose_a, 0.2)  # back where the network put it
    _assert_predicted(layer, tail_a, 0.9)
    session.dm.history.redo()
    _assert_label(layer, nose_a)
    _assert_label(layer, tail_a)
    session.set_frame(1)
    _assert_predicted(layer, _row(layer, "mouseA", "nose"), 0.6)  # frame 1 untouched
    assert layer.border_color[_row(layer, "mouseA", "nose"), 3] > ring  # more opaque: 0.6 > 0.2


@pytest.mark.gui
def test_a_sleap_prediction_with_a_node_deleted_is_the_users_as_saved(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path
) -> None:
    """Were: the other nodes stayed hollow predictions with scores on screen (and in the NWB
    export) while Ctrl+S wrote the instance as a user Instance, as SLEAP's GUI makes an edited
    prediction."""
    sio = pytest.importorskip("sleap_io")
    pytest.importorskip("ndx_pose")
    from pynwb import NWBHDF5IO

    from napari_whiskertoolbox.io.nwb_export import export_nwb
    from napari_whiskertoolbox.io.pose import pose_sets
    from napari_whiskertoolbox.io.sleap import load_sleap_entries, write_slp
    from napari_whiskertoolbox.layers.session import ViewerSession

    skeleton = sio.Skeleton(nodes=["nose", "ear", "tail"], edges=[["nose", "tail"]])
    track = sio.Track(name="mouseA")
    video = sio.Video(filename=str(tmp_path / "gone.mp4"), open_backend=False)
    predicted = sio.PredictedInstance.from_numpy(
        np.array([[20.0, 30.0], [30.0, 45.0], [40.0, 60.0]]), skeleton=skeleton,
        point_scores=np.array([0.2, 0.5, 0.9]), score=0.9, track=track,
    )  # fmt: skip
    frame = sio.LabeledFrame(video=video, frame_idx=0, instances=[predicted])
    path = tmp_path / "mice.slp"
    sio.save_slp(
        sio.Labels(labeled_frames=[frame], videos=[video], skeletons=[skeleton], tracks=[track]),
        str(path),
    )
    dm = DataManager()
    commit(dm, [("media", ArrayMedia(np.zeros((2, 96, 128), np.uint8))), *load_sleap_entries(path, "mice")])  # fmt: skip
    dm.set_sampling_rate("time", 25.0)
    viewer = make_napari_viewer(show=False)
    session = ViewerSession(viewer, dm)
    layer = viewer.layers["mice"]
    session.set_frame(0)
    qtbot.waitUntil(lambda: not session.poses.points["mice"].reading_scores)
    _assert_predicted(layer, _row(layer, "mouseA", "tail"), 0.9)

    viewer.layers.selection.active = layer
    layer.mode = "select"
    layer.selected_data = {_row(layer, "mouseA", "nose")}
    layer.remove_selected()  # what the Delete key does
    _assert_label(layer, _row(layer, "mouseA", "ear"))  # the user's, at once
    _assert_label(layer, _row(layer, "mouseA", "tail"))
    exported = export_nwb(session.dm, tmp_path / "out.nwb")
    with NWBHDF5IO(str(exported), "r", load_namespaces=True) as io:
        series = io.read().processing["behavior"]["mice_mouseA"].pose_estimation_series
        assert series["tail"].confidence[0] == 1.0  # as drawn: placed by hand
        assert series["ear"].confidence[0] == 1.0
    written = sio.load_slp(str(write_slp(session.dm, pose_sets(session.dm)["mice"], path)))
    kinds = sorted(type(i).__name__ for i in written.labeled_frames[0].instances)
    assert kinds == ["Instance", "PredictedInstance"]  # the prediction kept beside, as SLEAP does

    session.dm.history.undo()
    _assert_predicted(layer, _row(layer, "mouseA", "nose"), 0.2)  # the network's instance again
    _assert_predicted(layer, _row(layer, "mouseA", "tail"), 0.9)


def _pose_view(qtbot: Any, dm: DataManager, entries: list[tuple[str, Any]]) -> PosePointsView:
    commit(dm, entries)
    pose = entries[-1][1]
    view = PosePointsView(pose, dm, lambda key, frame: frame, lambda message: None)
    view.draw(0)
    qtbot.waitUntil(lambda: not view.reading_scores)
    return view


def test_deeplabcut_likelihoods_mark_predictions_and_labels_have_none(
    qtbot: Any, tmp_path: Path
) -> None:
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50"], ["snout", "paw"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    rows = [[300.0 + t, 200.0, 0.9, 420.5 + t, 210.25, 0.05] for t in range(3)]
    path = tmp_path / "mouse1DLC_resnet50.csv"
    pd.DataFrame(rows, columns=columns).to_csv(path)
    entries, pose = dlc_to_pose(read_dlc(path), "mouse", source=path, scale=(0.5, 0.5))
    assert pose is not None
    view = _pose_view(qtbot, DataManager(), [*entries, ("mouse", pose)])
    layer = view.layer
    snout, paw = _row(layer, "", "snout"), _row(layer, "", "paw")
    _assert_predicted(layer, snout, 0.9)  # coordinates scaled as read still match
    _assert_predicted(layer, paw, 0.05)
    moved = layer.data.copy()
    moved[paw] += 3.0
    layer.data = moved  # an edit through the layer
    _assert_label(layer, paw)
    _assert_predicted(layer, snout, 0.9)

    labelled = tmp_path / "CollectedData_me.csv"
    pd.DataFrame(
        [[r[0], r[1], r[3], r[4]] for r in rows],
        columns=pd.MultiIndex.from_product(
            [["me"], ["snout", "paw"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
        ),
    ).to_csv(labelled)
    entries, pose = dlc_to_pose(read_dlc(labelled), "labels", source=labelled)
    assert pose is not None
    view = _pose_view(qtbot, DataManager(), [*entries, ("labels", pose)])
    assert not view.reading_scores  # a labelled-data table is not read again
    layer = view.layer
    for row in range(len(layer.data)):
        _assert_label(layer, row)


def test_a_deeplabcut_point_with_an_empty_likelihood_is_a_prediction_without_score(
    qtbot: Any, tmp_path: Path
) -> None:
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50"], ["snout"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    path = tmp_path / "mouse1DLC_resnet50.csv"
    pd.DataFrame([[300.0, 200.0, np.nan]], columns=columns).to_csv(path)
    entries, pose = dlc_to_pose(read_dlc(path), "mouse", source=path)
    assert pose is not None
    view = _pose_view(qtbot, DataManager(), [*entries, ("mouse", pose)])
    layer = view.layer
    assert bool(layer.features.predicted[0])
    assert np.isnan(layer.features.score[0])  # unknown, not 1
    assert layer.face_color[0, 3] == 0.0  # a ring, as the other predictions
    assert layer.border_width[0] == pytest.approx(PREDICTED_BORDER_WIDTH)


def test_ndx_pose_confidence_draws_predictions_as_dlc_likelihood_does(
    qtbot: Any, tmp_path: Path
) -> None:
    """Were: an NWB file's confidences were read for export but every point drawn as a label."""
    pytest.importorskip("ndx_pose")
    import datetime as dt

    from ndx_pose import PoseEstimation, PoseEstimationSeries
    from pynwb import NWBHDF5IO, NWBFile

    from napari_whiskertoolbox.io.nwb_import import load_nwb_entries

    nwbfile = NWBFile(
        session_description="pose",
        identifier="p1",
        session_start_time=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
    )
    common = {"unit": "pixels", "reference_frame": "top-left", "timestamps": np.arange(2) / 10.0}
    series = [
        PoseEstimationSeries(name="nose", data=np.array([[10.0, 20.0], [11.0, 21.0]]),
                             confidence=np.array([0.25, 0.9]), description="n", **common),
        PoseEstimationSeries(name="ear", data=np.array([[30.0, 40.0], [31.0, 41.0]]),
                             description="no confidence", **common),
    ]  # fmt: skip
    behavior = nwbfile.create_processing_module(name="behavior", description="b")
    behavior.add(PoseEstimation(name="pose", pose_estimation_series=series, description="p"))
    path = tmp_path / "pose.nwb"
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    entries = [(k, v) for k, v in load_nwb_entries(path) if type(v).__name__ != "NewClock"]
    dm = DataManager()
    view = _pose_view(qtbot, dm, entries)
    layer = view.layer
    nose, ear = _row(layer, "", "nose"), _row(layer, "", "ear")
    _assert_predicted(layer, nose, 0.25)
    _assert_label(layer, ear)  # a series without confidence: no prediction scores
    view.draw(1)
    _assert_predicted(layer, _row(layer, "", "nose"), 0.9)


def test_two_pose_sets_of_one_session_get_different_markers(qtbot: Any, tmp_path: Path) -> None:
    """Were: a DeepLabCut and a SLEAP set of the same body parts looked the same."""
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50"], ["snout"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    dm = DataManager()
    views = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}DLC_resnet50.csv"
        pd.DataFrame([[300.0, 200.0, 0.9]], columns=columns).to_csv(path)
        entries, pose = dlc_to_pose(read_dlc(path), name, source=path)
        views.append(_pose_view(qtbot, dm, [*entries, (name, pose)]))
    first, second = (view.layer for view in views)
    np.testing.assert_allclose(first.face_color[0], second.face_color[0])  # same body part
    assert first.symbol[0] != second.symbol[0]
    assert str(first.current_symbol) != str(second.current_symbol)  # added points too
