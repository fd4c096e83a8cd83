"""File > Open / Save of other tools' files in a real viewer, and the Swap identities dock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

from _dlc_project import REACHING, copy_reaching
from napari_whiskertoolbox._reader import get_data_file_reader, get_session_reader
from napari_whiskertoolbox.core import DigitalIntervalSeries, TimeFrame
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.routing import classify_path
from napari_whiskertoolbox.layers.frame_axis import PLACEHOLDER_NAME
from napari_whiskertoolbox.layers.image_binding import canvas_text
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
PLUGIN = "napari-whiskertoolbox"
LABELS = REACHING / "labeled-data" / "reachingvideo1"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"


def _synced(viewer: Any) -> dict[str, Any]:
    return {
        layer.metadata["wtb_key"]: layer for layer in viewer.layers if "wtb_key" in layer.metadata
    }


def test_readers_claim_only_what_they_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n")
    unknown = tmp_path / "x.h5"
    import h5py

    with h5py.File(unknown, "w") as f:
        f.create_dataset("data", data=np.zeros(3))
    assert classify_path(plain) == "data_file"  # a CSV the content does not name: the form asks
    # an .h5 of no tool we read is taken, to say what it holds rather than napari's bare
    # "refused the file" (test_npe2_readers); napari offers us every .h5 by name already
    assert get_data_file_reader(str(unknown)) is not None
    assert get_data_file_reader(str(LABELS / "CollectedData_Mackenzie.h5")) is not None
    assert get_data_file_reader(str(LABELS / "CollectedData_Mackenzie.csv")) is not None
    assert get_session_reader(str(LABELS)) is not None


def test_open_loads_into_the_viewer_it_is_called_on(make_napari_viewer: Any) -> None:
    """``viewer.open`` of one viewer while another is napari's current viewer."""
    import napari

    first = make_napari_viewer()
    second = make_napari_viewer()
    assert napari.current_viewer() is second
    first.open(str(LABELS / "CollectedData_Mackenzie.csv"), plugin=PLUGIN)
    assert "reachingvideo1" in [layer.name for layer in first.layers]
    assert "reachingvideo1_Hand" in get_session(first).dm
    assert "reachingvideo1_Hand" not in get_session(second).dm
    assert [layer.name for layer in second.layers if "wtb_key" in layer.metadata] == []


def test_labeled_data_folder_opens_with_skeleton_and_saves_back(
    make_napari_viewer: Any, project: Path, tmp_path: Path
) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(project), plugin=PLUGIN)
    assert set(_synced(viewer)) == {"media"}  # the keypoints are one layer per pose set
    assert viewer.layers["reachingvideo1 skeleton"].metadata["wtb_skeleton"] == "reachingvideo1"
    keypoints = viewer.layers["reachingvideo1"]
    session = get_session(viewer)
    session.set_frame(1)  # img033, 640 x 470, top-left of the 832 x 747 canvas
    original = pd.read_hdf(project / "CollectedData_Mackenzie.h5")
    row = original.loc["labeled-data/reachingvideo1/img033.png"]
    hand = [row[("Mackenzie", "Hand", "y")], row[("Mackenzie", "Hand", "x")]]
    np.testing.assert_allclose(keypoints.data[0], hand, rtol=1e-6)  # Hand: first body part
    moved = np.array(keypoints.data)
    moved[0] += np.float32(5)  # a user drags the point
    keypoints.data = moved
    written = keypoints.save(str(project / "CollectedData_Mackenzie.h5"), plugin=PLUGIN)
    # DeepLabCut keeps the labels twice; both are rewritten so they never disagree
    assert written == [str(project / f"CollectedData_Mackenzie.{s}") for s in ("h5", "csv")]
    back = pd.read_hdf(project / "CollectedData_Mackenzie.h5")
    twin = pd.read_csv(project / "CollectedData_Mackenzie.csv", header=[0, 1, 2], index_col=0)
    np.testing.assert_allclose(twin.to_numpy(float), back.to_numpy(float), rtol=1e-15)
    assert list(twin.index) == list(back.index)
    assert list(back.index) == list(original.index)
    assert back.loc[
        "labeled-data/reachingvideo1/img033.png", ("Mackenzie", "Hand", "x")
    ] == pytest.approx(row[("Mackenzie", "Hand", "x")] + 5, rel=1e-6)
    others = original.drop(index="labeled-data/reachingvideo1/img033.png")
    pd.testing.assert_frame_equal(back.loc[others.index], others)


def test_keypoints_layer_saved_as_csv_is_deeplabcut_csv(
    make_napari_viewer: Any, project: Path, tmp_path: Path
) -> None:
    """napari's "Save Selected Layer(s)" with a .csv name and our plugin: DeepLabCut's CSV."""
    viewer = make_napari_viewer()
    viewer.open(str(project), plugin=PLUGIN)
    viewer.layers.selection = {viewer.layers["reachingvideo1"]}
    target = tmp_path / "labels.csv"
    assert viewer.layers.save(str(target), selected=True, plugin=PLUGIN) == [str(target)]
    saved = pd.read_csv(target, header=[0, 1, 2], index_col=0)
    original = pd.read_hdf(project / "CollectedData_Mackenzie.h5")
    assert list(saved.index) == list(original.index)
    np.testing.assert_allclose(saved.to_numpy(float), original.to_numpy(float), rtol=1e-15)


def test_project_root_opens_with_body_part_labels_on_the_points(
    make_napari_viewer: Any, project: Path
) -> None:
    root = project.parents[1]  # config.yaml, labeled-data/ (and videos/ in a real project)
    assert get_session_reader(str(root)) is not None
    viewer = make_napari_viewer()
    viewer.open(str(root), plugin=PLUGIN)
    keypoints = viewer.layers["reachingvideo1"]
    session = get_session(viewer)
    session.set_frame(1)  # img033: every body part but one is labelled
    shown = list(keypoints.features["bodypart"])
    assert shown == [
        bp
        for bp in ("Hand", "Finger1", "Tongue", "Joystick1", "Joystick2")
        if session.dm.get_data(f"reachingvideo1_{bp}").count_at(1)
    ]
    assert len(shown) == len(keypoints.data) > 0
    assert keypoints.current_size == 12  # the project's dotsize
    assert set(keypoints.size) == {12}
    # the labels start beside the marker, not on it (offset in image pixels, along x)
    np.testing.assert_allclose(keypoints.text.translation, [0, 0.6 * 12])
    assert keypoints.text.visible
    assert list(keypoints.text.values) == shown  # each point labelled with its body part
    session.set_frame(0)
    assert list(keypoints.text.values) == list(keypoints.features["bodypart"])
    assert len(keypoints.text.values) == len(keypoints.data)

    # the frame slider gives a position; the canvas names the labelled image
    files = session.dm.get_data("media").files
    overlay = canvas_text(viewer)
    assert overlay.visible
    assert overlay.text == files[0].name
    session.set_frame(1)
    assert overlay.text == files[1].name == "img033.png"
    viewer.layers.remove(viewer.layers["media"])
    assert not overlay.visible


def test_a_labels_table_alone_gets_a_frame_slider(make_napari_viewer: Any, project: Path) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(project / "CollectedData_Mackenzie.csv"), plugin=PLUGIN)
    session = get_session(viewer)
    assert viewer.dims.ndim == 3  # frame, y, x: no media, yet every labelled frame is reachable
    assert viewer.dims.nsteps[0] == session.n_frames > 1
    last = session.n_frames - 1
    viewer.dims.set_current_step(0, last)
    assert session.current_frame == last
    shown = viewer.layers["reachingvideo1"]
    assert (
        len(shown.data)
        == sum(
            session.dm.get_data(f"reachingvideo1_{bp}").count_at(last)
            for bp in ("Hand", "Finger1", "Tongue", "Joystick1", "Joystick2")
        )
        > 0
    )


def test_slp_and_nwb_open_without_naming_the_plugin(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(nodes=["a", "b"], edges=[["a", "b"]])
    video = sio.Video(filename="v.mp4", open_backend=False)
    frames = [
        sio.LabeledFrame(video=video, frame_idx=t, instances=[sio.Instance.from_numpy(np.array([[1.0 + t, 2.0], [3.0, 4.0]]), skeleton=skeleton)])
        for t in range(3)
    ]  # fmt: skip
    sio.save_slp(
        sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton]),
        str(tmp_path / "p.slp"),
    )
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "p.slp"), plugin=None)  # None: napari picks the one reader
    assert viewer.layers["p"].metadata["wtb_pose"] == "p"
    assert len(viewer.layers["p"].data) == 2
    dm = get_session(viewer).dm
    out = tmp_path / "session.nwb"
    with pytest.raises(RuntimeError, match="no sampling rate"):
        viewer.layers.save(str(out), plugin=PLUGIN)
    assert not out.exists()
    dm.set_time("time", TimeFrame.from_count(3, sampling_rate=30.0))
    viewer.layers.save(str(out), plugin=PLUGIN)  # File > Save All Layers... as NWB
    assert out.is_file()
    other = make_napari_viewer()
    other.open(str(out), plugin=None)
    back = get_session(other).dm
    np.testing.assert_array_equal(
        back.get_data("p_a").to_flat().coords, dm.get_data("p_a").to_flat().coords
    )


def test_a_sleap_users_project_opens_on_its_video_and_saves_an_edit_back(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """A .slp of two tracks (user and predicted instances) on a PyAV video, as a new user meets it.

    Were: the video the project labels was not opened (keypoints on a black canvas).
    """
    sio = pytest.importorskip("sleap_io")
    from _napari_input import drag

    from _video_files import pattern_frame, write_frames

    video = write_frames(
        tmp_path / "mice.mp4", [pattern_frame(i) for i in range(8)], "libx264", "yuv420p", "gray"
    )
    skeleton = sio.Skeleton(nodes=["nose", "tail"], edges=[["nose", "tail"]])
    tracks = [sio.Track(name="mouseA"), sio.Track(name="mouseB")]
    sleap_video = sio.Video.from_filename(str(video))
    frames = []
    for t in (2, 5):
        a = sio.PredictedInstance.from_numpy(
            np.array([[20.0 + t, 30.0], [40.0, 60.0]]), skeleton=skeleton,
            point_scores=np.array([0.5, 0.75]), score=0.9, track=tracks[0], tracking_score=0.8,
        )  # fmt: skip
        b = sio.Instance.from_numpy(np.array([[90.0, 20.0], [100.0, 70.0]]), skeleton=skeleton, track=tracks[1])  # fmt: skip
        frames.append(sio.LabeledFrame(video=sleap_video, frame_idx=t, instances=[a, b]))
    path = tmp_path / "mice.slp"
    sio.save_slp(
        sio.Labels(
            labeled_frames=frames, videos=[sleap_video], skeletons=[skeleton], tracks=tracks
        ),
        str(path),
    )
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    assert viewer.layers["media"].data.shape[:3] == (8, 96, 128)
    layer = viewer.layers["mice"]
    viewer.layers.selection.active = layer
    layer.mode = "select"
    viewer.dims.set_current_step(0, 2)
    nose_a = int(np.flatnonzero((layer.features.individual == "mouseA") & (layer.features.bodypart == "nose"))[0])  # fmt: skip
    y, x = layer.data[nose_a][-2:]
    drag(viewer, layer, [(y, x), (y + 5, x + 5), (y + 10, x + 10)])  # the prediction corrected
    assert layer.save(str(path), plugin=PLUGIN) == [str(path)]  # File > Save Selected Layers
    saved = sio.load_slp(str(path), open_videos=False)
    assert [t.name for t in saved.tracks] == ["mouseA", "mouseB"]
    assert [e.source.name for e in saved.skeletons[0].edges] == ["nose"]
    assert saved.videos[0].filename == str(video)
    by_frame = {lf.frame_idx: lf for lf in saved.labeled_frames}
    assert sorted(by_frame) == [2, 5]
    (user_a,) = [i for i in by_frame[2].user_instances if i.track.name == "mouseA"]
    np.testing.assert_allclose(user_a.numpy(), [[32.0, 40.0], [40.0, 60.0]])
    (predicted_a,) = by_frame[2].predicted_instances  # kept, with its scores
    assert user_a.from_predicted is predicted_a
    np.testing.assert_array_equal(predicted_a.points["score"], [0.5, 0.75])
    np.testing.assert_array_equal(predicted_a.numpy(), [[22.0, 30.0], [40.0, 60.0]])
    untouched = [(type(i).__name__, i.track.name) for i in by_frame[5].instances]
    assert untouched == [("PredictedInstance", "mouseA"), ("Instance", "mouseB")]
    np.testing.assert_array_equal(by_frame[5].predicted_instances[0].points["score"], [0.5, 0.75])


def test_a_deeplabcut_table_opened_alone_shows_every_label_whole(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """Were: the view fitted a box from (0, 0) to the points, cutting the right one's label."""
    from napari.utils.colormaps.standardize_color import transform_color

    from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS
    from napari_whiskertoolbox.layers.pose_points import label_color

    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50"], ["snout", "left_whisker_base"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    rows = [[300.0 + t, 200.0, 0.9, 420.0 + t, 210.0, 0.8] for t in range(5)]
    pd.DataFrame(rows, columns=columns).to_csv(tmp_path / "mouse1DLC_resnet50.csv")
    viewer = make_napari_viewer(show=True)  # offscreen canvases render black under Xvfb
    viewer.open(str(tmp_path / "mouse1DLC_resnet50.csv"), plugin=PLUGIN)
    assert [layer.name for layer in viewer.layers] == [PLACEHOLDER_NAME, "mouse1"]
    canvas = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int)
    orange = np.round(transform_color(label_color(INDIVIDUAL_COLORS[1]))[0][:3] * 255)
    text = np.abs(canvas - orange).max(axis=-1) < 60  # left_whisker_base's label, antialiased
    _, columns_hit = np.nonzero(text)
    assert len(columns_hit) > 30  # the label is drawn...
    assert columns_hit.max() < canvas.shape[1] - 4  # ...and ends inside the canvas
    # the Key help dock, whose Next keypoint row picks the body part to label, docks
    assert "Key help (WhiskerToolbox)" in viewer.window.dock_widgets


def test_multi_animal_labels_name_the_individual_and_the_body_part(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """Were: only the body part ("nose" twice, one per mouse), unlike napari-deeplabcut."""
    from napari.utils.colormaps.standardize_color import transform_color

    from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS
    from napari_whiskertoolbox.layers.pose_points import label_color

    columns = pd.MultiIndex.from_product(
        [["DLC_dlcrnet"], ["mouse1", "mouse2"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    rows = [[100.0, 100.0, 0.9, 140.0, 130.0, 0.9, 300.0, 220.0, 0.9, 340.0, 250.0, 0.9]]
    pd.DataFrame(rows, columns=columns).to_csv(tmp_path / "cageDLC_dlcrnet.csv")
    viewer = make_napari_viewer(show=True)  # offscreen canvases render black under Xvfb
    viewer.open(str(tmp_path / "cageDLC_dlcrnet.csv"), plugin=PLUGIN)
    keypoints = viewer.layers["cage"]
    assert list(keypoints.text.values) == [
        "mouse1 · nose",
        "mouse1 · tail",
        "mouse2 · nose",
        "mouse2 · tail",
    ]
    canvas = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int)
    orange = np.round(transform_color(label_color(INDIVIDUAL_COLORS[1]))[0][:3] * 255)
    text = np.abs(canvas - orange).max(axis=-1) < 60  # mouse2's labels, antialiased
    _, columns_hit = np.nonzero(text)
    assert len(columns_hit) > 30  # drawn...
    assert columns_hit.max() < canvas.shape[1] - 4  # ...whole: the view makes room for them


def test_sleap_labels_are_node_names_with_the_track_named_once(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """As SLEAP's GUI: nodes by name, the track by colour and named once per instance.

    Were: ``track · node`` on every keypoint; two animals side by side (ears a few pixels
    apart) gave a heap of long labels over each other.
    """
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(nodes=["nose", "left_ear", "right_ear"])
    tracks = [sio.Track(name="mouseA"), sio.Track(name="mouseB")]
    video = sio.Video(filename="cage.mp4", open_backend=False)
    nose_a = [[50.0, 40.0], [np.nan, np.nan]]  # mouseA's nose not seen on frame 1
    frames = [
        sio.LabeledFrame(video=video, frame_idx=t, instances=[
            sio.Instance.from_numpy(np.array([nose_a[t], [44.0, 48.0], [56.0, 48.0]]), skeleton=skeleton, track=tracks[0]),
            sio.Instance.from_numpy(np.array([[64.0, 46.0], [58.0, 54.0], [70.0, 54.0]]), skeleton=skeleton, track=tracks[1]),
        ])
        for t in (0, 1)
    ]  # fmt: skip
    path = tmp_path / "cage.slp"
    labels = sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=tracks)
    sio.save_slp(labels, str(path))
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    session = get_session(viewer)
    keypoints = viewer.layers["cage"]
    session.set_frame(0)
    assert list(keypoints.text.values) == [
        "mouseA · nose", "left_ear", "right_ear", "mouseB · nose", "left_ear", "right_ear",
    ]  # fmt: skip
    session.set_frame(1)
    assert list(keypoints.text.values) == [
        "mouseA · left_ear", "right_ear", "mouseB · nose", "left_ear", "right_ear",
    ]  # fmt: skip
    # deleting the keypoint that named its track names the track on its next one (were:
    # mouseB's remaining keypoints unnamed until the frame was shown again)
    session.set_frame(0)
    viewer.layers.selection.active = keypoints
    keypoints.selected_data = {3}  # mouseB · nose
    keypoints.remove_selected()
    assert not len(session.dm.get_data("cage_mouseB_nose").at(0))
    assert list(keypoints.text.values) == [
        "mouseA · nose", "left_ear", "right_ear", "mouseB · left_ear", "right_ear",
    ]  # fmt: skip


def test_an_analysis_h5_name_saves_a_sleap_analysis_file(
    make_napari_viewer: Any, project: Path, tmp_path: Path
) -> None:
    """``*.analysis.h5`` is SLEAP's name for its analysis file: not a DeepLabCut table."""
    h5py = pytest.importorskip("h5py")
    viewer = make_napari_viewer()
    viewer.open(str(project), plugin=PLUGIN)
    target = tmp_path / "reaching.analysis.h5"
    assert viewer.layers["reachingvideo1"].save(str(target), plugin=PLUGIN) == [str(target)]
    with h5py.File(target, "r") as f:
        assert {"tracks", "node_names"} <= set(f)
    dlc = tmp_path / "CollectedData_me.h5"  # any other .h5 name stays DeepLabCut's
    assert viewer.layers["reachingvideo1"].save(str(dlc), plugin=PLUGIN)[0] == str(dlc)
    assert list(pd.read_hdf(dlc).columns.names) == ["scorer", "bodyparts", "coords"]


def test_swap_identities_dock_with_a_timeline_interval(make_napari_viewer: Any) -> None:
    from test_skeleton import _entries

    from napari_whiskertoolbox.widgets.swap_identities import SwapIdentitiesWidget

    viewer = make_napari_viewer()
    session = get_session(viewer)
    commit(session.dm, _entries())
    session.dm.set_data("swap_range", DigitalIntervalSeries([[2, 4]]))
    dock = SwapIdentitiesWidget(viewer)
    viewer.window.add_dock_widget(dock)
    assert dock.pose.value == "mice"
    assert (dock.first.value, dock.second.value) == ("mouseA", "mouseB")
    dm = session.dm
    head_a, head_b = dm.get_data("mice_mouseA_head"), dm.get_data("mice_mouseB_head")
    before = {t: (np.array(head_a.at(t)), np.array(head_b.at(t))) for t in range(6)}
    dock.interval_key.value = "swap_range"
    session.set_frame(0)
    assert not dock.take_interval()  # no interval holds frame 0
    session.set_frame(3)  # the interval clicked on the timeline holds the current frame
    assert dock.take_interval()
    assert (dock.start.value, dock.end.value) == (2, 4)
    assert dock.run() == [2, 3, 4]
    for t in range(6):
        a, b = before[t]
        if 2 <= t <= 4:
            np.testing.assert_array_equal(head_a.at(t), b)
            np.testing.assert_array_equal(head_b.at(t), a)
        else:
            np.testing.assert_array_equal(head_a.at(t), a)
    skeleton = viewer.layers["mice skeleton"]
    assert len(skeleton.data) == 3  # frame 3: the missing tail moved to mouseB
    assert len(viewer.layers["mice"].data) == 5
    assert dm.undo()  # one step undoes the whole swap
    for t in range(6):
        np.testing.assert_array_equal(head_a.at(t), before[t][0])
    dock.start.value, dock.end.value = 4, 2
    assert dock.run() == []
    assert "start <= end" in dock.status.value


def test_an_nwb_pose_estimation_shows_on_its_camera_video_and_saves_a_slp_naming_it(
    make_napari_viewer: Any, tmp_path: Path, frame_number_video: Path
) -> None:
    """Were: keypoints on a clock of their own and a .slp naming a 'video.mp4' not there."""
    sio = pytest.importorskip("sleap_io")
    pytest.importorskip("ndx_pose")
    from _nwb_files import write_pose_on_camera_video

    viewer = make_napari_viewer()
    viewer.open(str(write_pose_on_camera_video(tmp_path, frame_number_video)), plugin=PLUGIN)
    session = get_session(viewer)
    keypoints = viewer.layers["PoseEstimation"]
    assert viewer.layers["video1"].data.shape[0] == 1000  # the slider runs over the video
    session.set_frame(12)  # 0.48 s: the video's frame 12, the pose's third row
    np.testing.assert_array_equal(keypoints.data, [[50.0, 12.0], [50.0, 22.0]])
    target = tmp_path / "out.slp"
    assert keypoints.save(str(target), plugin=PLUGIN) == [str(target)]
    labels = sio.load_slp(str(target))
    assert labels.video.filename == str((tmp_path / "clip.mp4").resolve())
    assert labels.video.shape[0] == 1000  # sleap-io opens it
    assert [lf.frame_idx for lf in labels.labeled_frames] == list(range(10, 18))
