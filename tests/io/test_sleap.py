"""SLEAP: files written by sleap-io itself, read here; ours read back by sleap-io."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.dlc import write_dlc
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL, pose_sets, swap_individuals
from napari_whiskertoolbox.io.routing import classify_path, open_path
from napari_whiskertoolbox.io.sleap import (
    load_sleap_entries,
    read_sleap_analysis,
    read_slp,
    sleap_key_prefix,
    write_sleap_analysis,
    write_slp,
)

sio = pytest.importorskip("sleap_io")

FRAMES = (2, 3, 7)


@pytest.fixture(scope="module")
def labels():
    """Two tracked mice, three nodes, a node missing on frame 3 (built with sleap-io)."""
    skeleton = sio.Skeleton(
        nodes=["head", "thorax", "tail"], edges=[["head", "thorax"], ["thorax", "tail"]]
    )
    tracks = [sio.Track(name="mouseA"), sio.Track(name="mouseB")]
    video = sio.Video(filename="clip.mp4", open_backend=False)
    rng = np.random.default_rng(0)
    frames = []
    for t in FRAMES:
        a, b = rng.uniform(0, 100, (3, 2)), rng.uniform(0, 100, (3, 2))
        if t == 3:
            a[2] = np.nan
        frames.append(
            sio.LabeledFrame(
                video=video,
                frame_idx=t,
                instances=[
                    sio.Instance.from_numpy(a, skeleton=skeleton, track=tracks[0]),
                    sio.Instance.from_numpy(b, skeleton=skeleton, track=tracks[1]),
                ],
            )
        )
    return sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=tracks)


@pytest.fixture(scope="module")
def files(labels, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sleap")
    sio.save_slp(labels, str(folder / "mice.slp"))
    sio.save_analysis_h5(labels, str(folder / "mice.analysis.h5"))  # matlab preset
    sio.save_analysis_h5(labels, str(folder / "standard.h5"), preset="standard")
    return folder


def _expected(labels) -> np.ndarray:
    return labels.numpy()  # (frames, tracks, nodes, 2), frames from 0


def test_slp_and_analysis_files_read_to_sleap_ios_arrays(labels, files) -> None:
    expected = _expected(labels)
    slp = read_slp(files / "mice.slp")
    assert slp.first_frame == 2
    np.testing.assert_allclose(slp.locations, expected[2:], rtol=1e-6)  # numpy() is float32
    for name in ("mice.analysis.h5", "standard.h5"):
        analysis = read_sleap_analysis(files / name)
        assert analysis.track_names == ["mouseA", "mouseB"]
        assert analysis.node_names == ["head", "thorax", "tail"]
        assert analysis.edges == [("head", "thorax"), ("thorax", "tail")]
        np.testing.assert_allclose(analysis.locations, expected, rtol=1e-6)  # stored float32


def test_legacy_analysis_file_without_dims(labels, tmp_path) -> None:
    """SLEAP 1.x wrote ``tracks`` as (track, xy, node, frame) with no ``dims`` attribute."""
    expected = _expected(labels)
    with h5py.File(tmp_path / "old.h5", "w") as f:
        f.create_dataset("tracks", data=np.transpose(expected, (1, 3, 2, 0)))
        f.create_dataset("node_names", data=np.array([b"head", b"thorax", b"tail"]))
        f.create_dataset("track_names", data=np.array([b"mouseA", b"mouseB"]))
        f.create_dataset("edge_inds", data=np.array([[0, 1], [1, 2]]))
    assert classify_path(tmp_path / "old.h5") == "sleap"
    np.testing.assert_allclose(read_sleap_analysis(tmp_path / "old.h5").locations, expected)


def test_keys_groups_and_skeleton(files) -> None:
    assert classify_path(files / "mice.slp") == "sleap"
    assert classify_path(files / "mice.analysis.h5") == "sleap"
    dm = open_path(files / "mice.analysis.h5").dm
    pose = pose_sets(dm)["mice"]
    assert pose.individuals == ["mouseA", "mouseB"]
    assert pose.skeleton == [("head", "thorax"), ("thorax", "tail")]
    tail = dm.get_data("mice_mouseA_tail")
    np.testing.assert_array_equal(tail.times_with_data(), [2, 7])  # missing on frame 3
    assert dm.groups.count("mice_mouseA") == 8
    assert dm.groups.count("mice_mouseB") == 9


@pytest.mark.parametrize(
    ("file_name", "prefix"),
    [
        ("mice.slp", "mice"),
        ("labels.v003.slp", "labels.v003"),  # SLEAP's GUI names projects so
        ("mouse_cam.mp4.predictions.slp", "mouse_cam"),  # sleap-track's <video>.predictions.slp
        ("mice.pkg.slp", "mice"),  # a labels package
        ("mice.analysis.h5", "mice"),
        ("labels.v003.slp.001_mouse_cam.analysis.h5", "mouse_cam"),  # SLEAP's export: the video
        ("Tracks.H5", "Tracks"),
        (".slp", "sleap"),  # nothing left of the name
    ],
)
def test_key_prefix_names_the_file_or_video(file_name, prefix) -> None:
    assert sleap_key_prefix(f"/data/{file_name}") == prefix


def test_keys_are_named_after_the_file_and_a_second_file_gets_its_own(files, tmp_path) -> None:
    """Like DeepLabCut's: ``<file>_<track>_<node>``; a prefix taken gets ``_2``."""
    dm = open_path(files / "mice.slp").dm
    assert set(pose_sets(dm)) == {"mice"}
    assert "mice_mouseA_head" in dm
    open_path(files / "mice.analysis.h5", dm=dm)
    assert set(pose_sets(dm)) == {"mice", "mice_2"}
    np.testing.assert_array_equal(dm.get_data("mice_2_mouseA_tail").times_with_data(), [2, 7])


@pytest.mark.parametrize("fmt", ["slp", "sleap_h5"])
def test_config_formats(files, tmp_path, fmt) -> None:
    name = "mice.slp" if fmt == "slp" else "mice.analysis.h5"
    item = {"data_type": "points", "name": "m", "format": fmt, "filepath": str(files / name)}
    (tmp_path / "c.json").write_text(json.dumps([item]))
    dm = load_config(tmp_path / "c.json")
    assert len(dm.keys("points")) == 6
    assert "m" in pose_sets(dm)


def test_written_files_read_back_with_sleap_io(labels, files, tmp_path) -> None:
    dm = DataManager()
    commit(dm, load_sleap_entries(files / "mice.slp", "s"))
    pose = pose_sets(dm)["s"]
    write_sleap_analysis(dm, pose, tmp_path / "ours.h5")
    write_slp(dm, pose, tmp_path / "ours.slp")
    expected = _expected(labels)
    for loaded in (
        sio.load_analysis_h5(str(tmp_path / "ours.h5")),
        sio.load_slp(str(tmp_path / "ours.slp"), open_videos=False),
    ):
        assert [t.name for t in loaded.tracks] == ["mouseA", "mouseB"]
        assert [n.name for n in loaded.skeletons[0].nodes] == ["head", "thorax", "tail"]
        assert [
            (e.source.name, e.destination.name) for e in loaded.skeletons[0].edges
        ] == pose.skeleton
        np.testing.assert_allclose(loaded.numpy(), expected, rtol=1e-6)  # float32 storage
    again = read_sleap_analysis(tmp_path / "ours.h5")  # what the keys hold: float32
    kept = read_slp(tmp_path / "ours.slp").locations  # untouched: the source's float64
    np.testing.assert_array_equal(kept, read_slp(files / "mice.slp").locations)
    np.testing.assert_array_equal(again.locations[2:], kept.astype(np.float32))


def test_swap_identities_over_a_range_is_one_undo_step(files) -> None:
    dm = open_path(files / "mice.slp").dm
    pose = pose_sets(dm)["mice"]
    head_a, head_b = dm.get_data("mice_mouseA_head"), dm.get_data("mice_mouseB_head")
    before_a = {t: np.array(head_a.at(t)) for t in FRAMES}
    before_b = {t: np.array(head_b.at(t)) for t in FRAMES}
    ids_a = {t: head_a.ids_at(t).copy() for t in FRAMES}
    depth = len(dm.history)
    changed = swap_individuals(dm, pose, "mouseA", "mouseB", 3, 7)
    assert changed == [3, 7]
    np.testing.assert_array_equal(head_a.at(2), before_a[2])  # outside the range
    for t in (3, 7):
        np.testing.assert_array_equal(head_a.at(t), before_b[t])
        np.testing.assert_array_equal(head_b.at(t), before_a[t])
        np.testing.assert_array_equal(head_a.ids_at(t), ids_a[t])  # ids stay with the key
    tail_b = dm.get_data("mice_mouseB_tail")
    assert tail_b.count_at(3) == 0  # mouseA had no tail on frame 3: it went to B
    assert dm.get_data("mice_mouseA_tail").count_at(3) == 1
    assert len(dm.history) == depth + 1
    assert dm.history.undo_label == "Swap mouseA and mouseB on frames 3–7"
    assert dm.undo()
    for t in FRAMES:
        np.testing.assert_array_equal(head_a.at(t), before_a[t])
        np.testing.assert_array_equal(head_b.at(t), before_b[t])
    assert dm.redo()  # one redo brings the whole swap back
    np.testing.assert_array_equal(head_a.at(7), before_b[7])
    with pytest.raises(KeyError, match="mouseC"):
        swap_individuals(dm, pose, "mouseA", "mouseC", 0, 9)
    with pytest.raises(ValueError, match="start <= end"):
        swap_individuals(dm, pose, "mouseA", "mouseB", 9, 0)


def test_bad_analysis_file_names_file_and_dataset(tmp_path) -> None:
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f.create_dataset("tracks", data=np.zeros((1, 2, 3, 4)))
    with pytest.raises(FormatError, match=r"x\.h5.*'node_names'"):
        read_sleap_analysis(tmp_path / "x.h5")
    with h5py.File(tmp_path / "y.h5", "w") as f:
        f.create_dataset("tracks", data=np.zeros((1, 2, 3, 4)))
        f.create_dataset("node_names", data=np.array([b"a", b"b"]))
    with pytest.raises(
        FormatError, match=r"shape \(1, 2, 3, 4\); expected .*node=2.*\(2 node_names\)"
    ):
        read_sleap_analysis(tmp_path / "y.h5")


def _python_order_copy(source, target) -> None:
    """Copy an analysis file with its arrays frame-first and no ``dims`` (as h5py users write)."""
    shutil.copy(source, target)
    with h5py.File(target, "a") as f:
        for name, axes in [("tracks", (3, 2, 1, 0)), ("point_scores", (2, 1, 0)),
                           ("instance_scores", (1, 0)), ("tracking_scores", (1, 0)),
                           ("track_occupancy", (1, 0))]:  # fmt: skip
            data = f[name][()]
            del f[name]
            f.create_dataset(name, data=np.transpose(data, axes))


def test_an_analysis_file_in_python_order_without_dims_reads_as_its_arrays_say(
    labels, files, tmp_path
) -> None:
    """``tracks`` (frames, nodes, 2, tracks) with ``track_occupancy`` (tracks, frames)."""
    _python_order_copy(files / "mice.analysis.h5", tmp_path / "py.analysis.h5")
    with h5py.File(tmp_path / "py.analysis.h5", "r") as f:
        assert f["tracks"].shape == (8, 3, 2, 2)
        assert "dims" not in f["tracks"].attrs
    read = read_sleap_analysis(tmp_path / "py.analysis.h5")
    np.testing.assert_allclose(read.locations, _expected(labels), rtol=1e-6)
    assert read.track_names == ["mouseA", "mouseB"]


def test_python_order_predictions_keep_their_scores(predictions, tmp_path) -> None:
    from napari_whiskertoolbox.io.sleap import source_point_scores

    source = tmp_path / "preds.analysis.h5"
    sio.save_analysis_h5(sio.load_slp(str(predictions), open_videos=False), str(source))
    _python_order_copy(source, tmp_path / "py.analysis.h5")
    pose = pose_sets(open_path(tmp_path / "py.analysis.h5").dm)["py"]
    _, locations, scores = source_point_scores(pose)
    _, expected_locations, expected_scores = source_point_scores(
        pose_sets(open_path(source).dm)["preds"]
    )
    np.testing.assert_array_equal(locations, expected_locations)
    np.testing.assert_array_equal(scores, expected_scores)
    assert np.nanmin(scores) < 1.0


def test_an_analysis_file_whose_tracks_fit_no_order_names_its_own_shape(files, tmp_path) -> None:
    _python_order_copy(files / "mice.analysis.h5", tmp_path / "bad.h5")
    with h5py.File(tmp_path / "bad.h5", "a") as f:
        del f["tracks"]
        f.create_dataset("tracks", data=np.zeros((8, 4, 2, 2)))  # 4 nodes for 3 names
    with pytest.raises(FormatError, match=r"bad\.h5.*shape \(8, 4, 2, 2\); expected"):
        read_sleap_analysis(tmp_path / "bad.h5")


def test_a_dataset_declaring_more_than_the_file_holds_is_refused_unread(tmp_path) -> None:
    with h5py.File(tmp_path / "huge.h5", "w") as f:
        f.create_dataset("tracks", shape=(2, 2, 3, 2**30), dtype="f8", chunks=(1, 1, 1, 1024))
        f.create_dataset("node_names", data=np.array([b"a", b"b", b"c"]))
    with pytest.raises(FormatError, match=r"huge\.h5.*'tracks' declares .*damaged"):
        read_sleap_analysis(tmp_path / "huge.h5")


@pytest.fixture
def two_videos(tmp_path):
    """A SLEAP project labelling two videos (as SLEAP's GUI makes when a video is added)."""
    skeleton = sio.Skeleton(nodes=["a", "b"])
    videos = [sio.Video(filename=f"/data/{n}.mp4", open_backend=False) for n in ("v1", "v2")]
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[sio.Instance.from_numpy(np.array([[1.0 + t, 2.0], [3.0, 4.0]]), skeleton=skeleton)],
        )
        for video in videos
        for t in (0, 5, 9)
    ]  # fmt: skip
    path = tmp_path / "project.slp"
    sio.save_slp(sio.Labels(labeled_frames=frames, videos=videos, skeletons=[skeleton]), str(path))
    return path


def test_a_project_of_several_videos_says_which_were_left_out(two_videos, caplog) -> None:
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(two_videos).dm
    np.testing.assert_array_equal(dm.get_data("project_a").times_with_data(), [0, 5, 9])
    records = [r for r in caplog.records if r.name == "napari_whiskertoolbox.io"]
    (record,) = [r for r in records if "labelled frames" in r.getMessage()]
    message = record.getMessage()
    assert "project.slp" in message
    assert "/data/v1.mp4" in message  # the one read
    assert "/data/v2.mp4 (3 labelled frames)" in message  # the one left out


def test_saving_over_a_project_of_several_videos_keeps_the_others(two_videos, tmp_path) -> None:
    dm = open_path(two_videos).dm
    pose = pose_sets(dm)["project"]
    dm.get_data("project_a").add(7, np.array([[5.0, 6.0]], dtype=np.float32))
    other = tmp_path / "other.slp"
    other.write_bytes(two_videos.read_bytes())  # another project of these two videos
    before = other.read_bytes()
    with pytest.raises(FormatError, match=r"other\.slp.*/data/v2\.mp4"):
        write_slp(dm, pose, other)  # not the source: its v2 labels would be lost
    assert other.read_bytes() == before
    write_slp(dm, pose, two_videos)  # the source itself: written with the other video's labels
    saved = sio.load_slp(str(two_videos), open_videos=False)
    assert [v.filename for v in saved.videos] == ["/data/v1.mp4", "/data/v2.mp4"]
    v2 = sorted(lf.frame_idx for lf in saved.labeled_frames if lf.video is saved.videos[1])
    assert v2 == [0, 5, 9]
    assert read_slp(two_videos).locations.shape[0] == 10  # v1 with the point added on frame 7
    assert read_slp(two_videos, video=1).locations.shape[0] == 10


def test_saving_over_a_labels_package_keeps_its_embedded_frames(tmp_path) -> None:
    import tifffile

    stack = tmp_path / "clip.tif"
    tifffile.imwrite(stack, np.zeros((4, 8, 10), np.uint8), photometric="minisblack")
    skeleton = sio.Skeleton(nodes=["a", "b"])
    video = sio.Video.from_filename(str(stack))
    frames = [
        sio.LabeledFrame(video=video, frame_idx=t, instances=[sio.Instance.from_numpy(np.array([[1.0 + t, 2.0], [3.0, 4.0]]), skeleton=skeleton)])
        for t in (1, 3)
    ]  # fmt: skip
    package = tmp_path / "labels.pkg.slp"
    labels = sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton])
    sio.save_slp(labels, str(package), embed="user", verbose=False)
    dm = open_path(package).dm
    before = package.read_bytes()
    with pytest.raises(FormatError, match=r"labels\.pkg\.slp.*embedded in it would be lost"):
        write_slp(dm, pose_sets(dm)["labels"], package)
    assert package.read_bytes() == before
    with h5py.File(package, "r") as f:
        assert "video0" in f  # the embedded frames


# ----------------------------------------------------------------------------- predictions


NODES = ("nose", "left_ear", "right_ear", "tail")


def _predicted(skeleton, track, rng, *, score, tracking_score):
    points = rng.uniform(0, 60, (len(NODES), 2))  # float64, as SLEAP stores them
    return sio.PredictedInstance.from_numpy(
        points,
        skeleton=skeleton,
        point_scores=rng.uniform(0.2, 1.0, len(NODES)),
        score=score,
        track=track,
        tracking_score=tracking_score,
    )


@pytest.fixture
def predictions(tmp_path):
    """A proofreading project as SLEAP leaves it (written by sleap-io), on a TIFF stack.

    Frames 0..5, tracks mouseA and mouseB predicted on each (point scores, instance score,
    tracking score); frame 2: mouseA also labelled by the user from its prediction, tail
    left out; frame 4: mouseB labelled by the user alone; suggestions and provenance.
    """
    import tifffile

    stack = tmp_path / "clip.tif"
    tifffile.imwrite(stack, np.zeros((8, 64, 64), np.uint8), photometric="minisblack")
    video = sio.Video.from_filename(str(stack))
    skeleton = sio.Skeleton(
        nodes=list(NODES),  # sleap-io turns the list's names into Nodes
        edges=[["nose", "left_ear"], ["nose", "right_ear"], ["nose", "tail"]],
        symmetries=[["left_ear", "right_ear"]],
    )
    tracks = [sio.Track(name="mouseA"), sio.Track(name="mouseB")]
    rng = np.random.default_rng(1)
    frames = []
    for t in range(6):
        a = _predicted(skeleton, tracks[0], rng, score=0.9 - t / 100, tracking_score=0.8)
        b = _predicted(skeleton, tracks[1], rng, score=0.7 + t / 100, tracking_score=0.6)
        if t == 3:
            b.points["visible"][3] = False  # a node the model did not find
            b.points["xy"][3] = np.nan
        instances = [a, b]
        if t == 2:
            user = a.numpy() + 1.5
            user[3] = np.nan
            instances.append(
                sio.Instance.from_numpy(user, skeleton=skeleton, track=tracks[0], from_predicted=a)
            )
        if t == 4:
            instances = [
                a,
                sio.Instance.from_numpy(b.numpy() - 2.0, skeleton=skeleton, track=tracks[1]),
            ]
        frames.append(sio.LabeledFrame(video=video, frame_idx=t, instances=instances))
    labels = sio.Labels(
        labeled_frames=frames,
        videos=[video],
        skeletons=[skeleton],
        tracks=tracks,
        suggestions=[sio.SuggestionFrame(video=video, frame_idx=t) for t in (1, 6)],
        provenance={
            "model_paths": ["models/centroid", "models/centered"],
            "sleap_version": "1.4.1",
        },
    )
    path = tmp_path / "preds.slp"
    sio.save_slp(labels, str(path))
    return path


def _project(path):
    """A sleap-io project as plain values, compared exactly (float64 bytes, NaN included)."""
    labels = sio.load_slp(str(path), open_videos=False)
    skeleton = labels.skeletons[0]

    def instance(inst, lf):
        made_from = lf.instances.index(inst.from_predicted) if inst.from_predicted else None
        return (
            type(inst).__name__,
            inst.track.name if inst.track else None,
            inst.points["xy"].tobytes(),
            inst.points["visible"].tolist(),
            inst.points["score"].tobytes() if "score" in inst.points.dtype.names else None,
            _exact(getattr(inst, "score", None)),
            _exact(inst.tracking_score),
            made_from,
        )

    return {
        "videos": [str(v.filename) for v in labels.videos],
        "nodes": [n.name for n in skeleton.nodes],
        "edges": [(e.source.name, e.destination.name) for e in skeleton.edges],
        "symmetries": sorted(sorted(n.name for n in s.nodes) for s in skeleton.symmetries),
        "tracks": [t.name for t in labels.tracks],
        "suggestions": [(str(s.video.filename), s.frame_idx) for s in labels.suggestions],
        "provenance": {k: v for k, v in labels.provenance.items() if k != "filename"},
        "frames": {
            lf.frame_idx: sorted(instance(i, lf) for i in lf.instances)
            for lf in labels.labeled_frames
        },
    }


def _exact(value):
    return None if value is None else np.float64(value).tobytes()  # NaN == NaN


def _frame_of(project, t):
    return {(kind, track): rest for kind, track, *rest in project["frames"][t]}


def test_saving_unedited_predictions_over_their_file_keeps_them_predictions(predictions) -> None:
    """Saving the pose set back without an edit writes the project as it was."""
    before = _project(predictions)
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    assert pose.individuals == ["mouseA", "mouseB"]
    tail = dm.get_data("preds_mouseA_tail")
    assert tail.count_at(2) == 0  # the user left it out: the prediction's tail is not shown
    np.testing.assert_array_equal(tail.times_with_data(), [0, 1, 3, 4, 5])
    head_b = dm.get_data("preds_mouseB_nose")
    head_b.set_frame(1, head_b.at(1).copy())  # rewritten with the same value: still untouched
    write_slp(dm, pose, predictions)
    after = _project(predictions)
    assert after == before
    kinds = [kind for kind, *_ in after["frames"][0]]
    assert kinds == ["PredictedInstance", "PredictedInstance"]


def test_edited_predictions_become_user_instances(predictions, tmp_path) -> None:
    before = _project(predictions)
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    dm.get_data("preds_mouseA_nose").set_frame(1, [[10.0, 20.0]])  # moved
    dm.get_data("preds_mouseB_left_ear").clear_at(3)  # deleted
    dm.get_data("preds_mouseB_tail").add(3, np.array([[30.0, 31.0]], np.float32))  # added
    for bodypart in NODES:  # mouseB deleted on frame 5
        dm.get_data(f"preds_mouseB_{bodypart}").clear_at(5)
    dm.get_data("preds_mouseA_tail").add(2, np.array([[7.0, 8.0]], np.float32))  # user's, added
    dm.get_data("preds_mouseA_nose").add(7, np.array([[1.0, 2.0]], np.float32))  # a new frame
    held = {t: pose_locations_of(dm, pose, t) for t in range(8)}
    write_slp(dm, pose, predictions)
    after = _project(predictions)
    for key in ("videos", "nodes", "edges", "symmetries", "tracks", "suggestions", "provenance"):
        assert after[key] == before[key]
    for t in (0, 4):  # untouched frames: exactly as they were
        assert after["frames"][t] == before["frames"][t]
    saved = sio.load_slp(str(predictions), open_videos=False)
    frame = {lf.frame_idx: lf for lf in saved.labeled_frames}

    def users(t, track):
        return [i for i in frame[t].user_instances if i.track.name == track]

    def preds(t, track):
        return [i for i in frame[t].predicted_instances if i.track.name == track]

    # frame 1: mouseA corrected -> a user instance made from its prediction, kept as it was
    (user,) = users(1, "mouseA")
    assert user.from_predicted is preds(1, "mouseA")[0]
    np.testing.assert_array_equal(user.numpy(), held[1][0])
    assert (
        _frame_of(after, 1)["PredictedInstance", "mouseA"]
        == (_frame_of(before, 1)["PredictedInstance", "mouseA"])
    )
    assert (
        _frame_of(after, 1)["PredictedInstance", "mouseB"]
        == (_frame_of(before, 1)["PredictedInstance", "mouseB"])
    )
    assert users(1, "mouseB") == []
    # frame 3: mouseB, a node deleted and one added -> user instance of exactly that
    (user,) = users(3, "mouseB")
    assert np.isnan(user.numpy()[1]).all()
    np.testing.assert_array_equal(user.numpy(), held[3][1])
    # frame 5: mouseB deleted -> its prediction gone too (it would come back)
    assert [i.track.name for i in frame[5].instances] == ["mouseA"]
    assert type(frame[5].instances[0]) is sio.PredictedInstance
    # frame 2: the user's instance edited stays a user instance from the same prediction
    (user,) = users(2, "mouseA")
    assert user.from_predicted is preds(2, "mouseA")[0]
    np.testing.assert_array_equal(user.numpy()[3], [7.0, 8.0])
    # frame 7: new -> user instance of its track
    assert [(type(i).__name__, i.track.name) for i in frame[7].instances] == [
        ("Instance", "mouseA")
    ]
    # read back: what the keys held, nothing resurrected
    again = read_slp(predictions)
    for t in range(8):
        np.testing.assert_array_equal(again.locations[t].astype(np.float32), held[t])


def pose_locations_of(dm, pose, t):
    from napari_whiskertoolbox.io.sleap import pose_locations

    locations, first = pose_locations(dm, pose)
    return locations[t - first].astype(np.float32)


def test_single_animal_predictions_round_trip(tmp_path) -> None:
    """Untracked predictions, one per frame: kept, or a user instance from_predicted."""
    video = sio.Video(filename=str(tmp_path / "one.mp4"), open_backend=False)
    skeleton = sio.Skeleton(nodes=list(NODES))
    rng = np.random.default_rng(2)
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[_predicted(skeleton, None, rng, score=0.5, tracking_score=None)],
        )
        for t in range(3)
    ]
    path = tmp_path / "one.slp"
    sio.save_slp(sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton]), str(path))
    before = _project(path)
    dm = open_path(path).dm
    pose = pose_sets(dm)["one"]
    assert pose.individuals == [SINGLE_ANIMAL]
    dm.get_data("one_tail").set_frame(1, [[3.0, 4.0]])
    write_slp(dm, pose, path)
    after = _project(path)
    assert after["frames"][0] == before["frames"][0]
    assert after["frames"][2] == before["frames"][2]
    saved = sio.load_slp(str(path), open_videos=False)
    lf = next(lf for lf in saved.labeled_frames if lf.frame_idx == 1)
    (user,) = lf.user_instances
    assert user.from_predicted is lf.predicted_instances[0]
    assert user.track is None
    assert pose_sets(open_path(path).dm)["one"].individuals == [SINGLE_ANIMAL]  # still one
    np.testing.assert_array_equal(read_slp(path).locations[1, 0, 3], [3.0, 4.0])


def test_saving_without_the_source_project_says_what_is_not_carried_over(
    predictions, tmp_path, caplog
) -> None:
    """The source moved away: the pose set is still written, and the log says predictions go."""
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    predictions.rename(tmp_path / "moved.slp")
    out = tmp_path / "out.slp"
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        write_slp(dm, pose, out)
    (record,) = [r for r in caplog.records if r.name == "napari_whiskertoolbox.io"]
    assert "preds.slp" in record.getMessage()
    assert "gone" in record.getMessage()
    assert "predictions, scores and other videos are not carried over" in record.getMessage()
    kinds = {type(i).__name__ for lf in sio.load_slp(str(out)).labeled_frames for i in lf}
    assert kinds == {"Instance"}


def test_a_prediction_with_one_nan_coordinate_is_untouched_when_not_edited(tmp_path) -> None:
    """A node stored as (x, NaN) reads as missing; saving must not call its instance edited."""
    skeleton = sio.Skeleton(nodes=["head", "tail"], edges=[["head", "tail"]])
    track = sio.Track(name="mouseA")
    video = sio.Video(filename="clip.mp4", open_backend=False)
    half = sio.PredictedInstance.from_numpy(
        np.array([[10.0, 20.0], [30.0, np.nan]]),
        skeleton=skeleton,
        point_scores=np.array([0.9, 0.4]),
        score=0.8,
        track=track,
    )
    frames = [sio.LabeledFrame(video=video, frame_idx=0, instances=[half])]
    path = tmp_path / "half.slp"
    sio.save_slp(
        sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=[track]),
        str(path),
    )
    before = _project(path)
    dm = open_path(path).dm
    assert dm.get_data("half_mouseA_tail").n_entries == 0
    write_slp(dm, pose_sets(dm)["half"], path)
    assert _project(path) == before  # still one PredictedInstance, no user copy added


def test_analysis_file_saved_back_keeps_the_scores_of_untouched_instances(
    predictions, tmp_path
) -> None:
    """Scores read from an analysis file are written back; edited instances get score 1."""
    source = tmp_path / "preds.analysis.h5"
    sio.save_analysis_h5(sio.load_slp(str(predictions), open_videos=False), str(source))
    with h5py.File(source, "r") as f:
        before = {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)}
        attrs = dict(f.attrs)
    dm = open_path(source).dm
    pose = pose_sets(dm)["preds"]
    nose = dm.get_data("preds_mouseB_nose")
    nose.set_frame(5, [[1.0, 2.0]], nose.ids_at(5))  # mouseB edited on frame 5
    out = write_sleap_analysis(dm, pose, tmp_path / "back.h5")
    with h5py.File(out, "r") as f:
        after = {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)}
        assert f.attrs["skeleton_symmetries"] == attrs["skeleton_symmetries"]
    edited = np.zeros_like(before["instance_scores"], bool)  # (track, frame)
    edited[1, 5] = True
    for name in ("instance_scores", "tracking_scores"):
        np.testing.assert_array_equal(after[name][~edited], before[name][~edited], err_msg=name)
        assert after[name][1, 5] == 1.0
    scores_b, scores_a = after["point_scores"], before["point_scores"]  # (track, node, frame)
    np.testing.assert_array_equal(scores_b[0], scores_a[0])  # mouseA: not a score lost
    np.testing.assert_array_equal(scores_b[1][:, :5], scores_a[1][:, :5])
    np.testing.assert_array_equal(scores_b[1][:, 5], np.ones(len(NODES)))
    assert np.nanmin(scores_a[0]) < 1.0  # real scores were compared
    keep = np.ones(before["tracks"].shape, bool)  # (track, xy, node, frame)
    keep[1, :, :, 5] = False
    np.testing.assert_array_equal(after["tracks"][keep], before["tracks"][keep])
    np.testing.assert_array_equal(after["track_occupancy"], before["track_occupancy"])
    for name in ("labels_path", "provenance", "video_path"):
        assert after[name] == before[name], name
    loaded = sio.load_analysis_h5(str(out))  # sleap-io reads it: scores and tracks
    assert [t.name for t in loaded.tracks] == ["mouseA", "mouseB"]


def _shown_scores(labels) -> dict[tuple[str, str], dict[int, float]]:
    """(track, node) -> {frame: score} of each visible point a session shows, from sleap-io's
    own objects: a prediction's point score, 1 for a user's point; a prediction hidden behind
    the user's instance of its track is left out."""
    shown: dict[tuple[str, str], dict[int, float]] = {}
    for lf in labels.labeled_frames:
        users = {i.track.name for i in lf.user_instances}
        for inst in lf.instances:
            track = inst.track.name
            is_prediction = isinstance(inst, sio.PredictedInstance)
            if is_prediction and track in users:
                continue  # hidden behind the user's instance
            for n, node in enumerate(NODES):
                if not inst.points["visible"][n]:
                    continue
                score = inst.points["score"][n] if is_prediction else 1.0
                shown.setdefault((track, node), {})[lf.frame_idx] = score
    return shown


@pytest.mark.parametrize("kind", ["slp", "analysis"])
def test_point_scores_are_the_nwb_confidence(predictions, tmp_path, kind) -> None:
    """.slp / analysis .h5 -> session -> NWB: a prediction's points keep their scores.

    Were: confidence 1 for every point. A user instance's points (placed by hand, no score)
    have 1, and so has every point of a prediction with one point moved here: it is the
    user's instance, as drawn and as saved to a .slp (were: its other points kept their
    scores).
    """
    pynwb = pytest.importorskip("pynwb")
    pytest.importorskip("ndx_pose")
    from napari_whiskertoolbox.io.nwb_export import export_nwb

    labels = sio.load_slp(str(predictions), open_videos=False)
    source = predictions
    if kind == "analysis":
        source = tmp_path / "preds.analysis.h5"
        sio.save_analysis_h5(labels, str(source))
    dm = open_path(source).dm
    dm.set_sampling_rate("time", 10.0)
    dm.get_data("preds_mouseA_nose").set_frame(1, [[10.0, 20.0]])  # moved here
    export_nwb(dm, tmp_path / "out.nwb")
    expected = _shown_scores(labels)
    for node in NODES:
        expected["mouseA", node][1] = 1.0  # the whole instance is the user's
    with pynwb.NWBHDF5IO(str(tmp_path / "out.nwb"), "r", load_namespaces=True) as io:
        behavior = io.read().processing["behavior"].data_interfaces
        for track in ("mouseA", "mouseB"):
            estimation = behavior[f"preds_{track}"]
            for node in NODES:
                series = estimation.pose_estimation_series[node]
                if series.timestamps is not None:
                    seconds = np.asarray(series.timestamps[:])
                else:
                    seconds = series.starting_time + np.arange(len(series.data)) / series.rate
                shown = np.isfinite(series.data[:]).all(axis=1)  # a row per frame, NaN: none
                frames = np.rint(seconds * 10.0).astype(int)[shown]
                want = expected[track, node]
                assert frames.tolist() == sorted(want), (track, node)
                np.testing.assert_array_equal(
                    series.confidence[:][shown],
                    [want[t] for t in frames],
                    err_msg=f"{track} {node}",
                )
    assert 0.2 < min(min(v.values()) for v in expected.values()) < 1.0  # real scores compared


def test_a_slp_opens_with_the_video_it_labels(tmp_path, caplog) -> None:
    """Were: only the keypoints, on a black canvas, though the video was beside the file."""
    from _sleap_files import write_two_frame_slp
    from _video_files import pattern_frame, write_frames

    video = write_frames(
        tmp_path / "clip.mp4", [pattern_frame(i) for i in range(6)], "libx264", "yuv420p", "gray"
    )
    for name, sleap_video in (
        ("here.slp", sio.Video.from_filename(str(video))),
        ("moved.slp", "/elsewhere/lab/clip.mp4"),  # the project moved
    ):
        write_two_frame_slp(tmp_path / name, sleap_video)
        dm = DataManager()
        open_path(tmp_path / name, dm=dm)
        assert dm.keys("video") == ["media"]
        assert len(dm.get_data("media")) == 6
        key = f"{name.removesuffix('.slp')}_a"  # here_a, moved_a: named after the file
        assert dm.time_key(key) == dm.time_key("media") == "time"
        assert dm.get_time("time").sampling_rate == 30.0  # the video's frame rate
        np.testing.assert_array_equal(dm.get_data(key).times_with_data(), [1, 4])
        dm.history.undo()  # one step: the video goes with the keypoints
        assert list(dm.keys()) == []
    video.unlink()
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "here.slp").dm
    assert dm.keys("video") == []
    assert "here_a" in dm
    assert any(
        "clip.mp4" in r.getMessage() and "open the video first" in r.getMessage()
        for r in caplog.records
    )


def test_deeplabcut_predictions_written_as_slp_stay_predictions(tmp_path) -> None:
    """Were: every DeepLabCut prediction became a user Instance, which SLEAP trains on."""
    from _dlc_tables import write_two_mice_predictions

    rows = [[10.0, 20, 0.9, 30, 40, 0.8, 50, 60, 0.5, 70, 80, 0.25]] * 2
    path = write_two_mice_predictions(tmp_path / "miceDLC_dlcrnet.csv", rows)
    dm = open_path(path).dm
    pose = pose_sets(dm)["mice"]
    dm.get_data("mice_mouse1_nose").set_frame(1, np.array([[11, 21]], np.float32), [0])  # by hand
    write_slp(dm, pose, tmp_path / "mice.slp")
    labels = sio.load_slp(str(tmp_path / "mice.slp"))
    first = {inst.track.name: inst for inst in labels[0].instances}
    assert isinstance(first["mouse1"], sio.PredictedInstance)
    np.testing.assert_allclose(first["mouse2"].points["score"], [0.5, 0.25])
    second = {inst.track.name: inst for inst in labels[1].instances}
    assert type(second["mouse1"]) is sio.Instance  # a keypoint placed by hand: the user's
    assert isinstance(second["mouse2"], sio.PredictedInstance)


def test_swapped_predictions_are_written_as_the_same_predictions_under_swapped_tracks(
    predictions, tmp_path
) -> None:
    """Swap identities, save the .slp: SLEAP's own *transpose instance tracks*.

    Were: each swapped prediction became a user ``Instance`` (no score, SLEAP trains on it)
    made from the other track's prediction, though the layer drew it as a prediction.
    """
    before = _project(predictions)
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    swap_individuals(dm, pose, "mouseA", "mouseB", 0, 2)
    out = tmp_path / "swapped.slp"
    write_slp(dm, pose, out)
    after = _project(out)
    for t in (0, 1):  # predictions only: the same two, tracks exchanged, scores kept
        want = sorted(
            ({"mouseA": "mouseB", "mouseB": "mouseA"}[track], *rest)
            for _, track, *rest in before["frames"][t]
        )
        assert [kind for kind, *_ in after["frames"][t]] == ["PredictedInstance"] * 2
        assert sorted(tuple(rest) for _, *rest in after["frames"][t]) == want
    # frame 2: mouseA's user instance (made from its prediction) and mouseB's prediction
    frame = {lf.frame_idx: lf for lf in sio.load_slp(str(out), open_videos=False)}[2]
    (user,) = frame.user_instances
    assert user.track.name == "mouseB"
    assert user.from_predicted is not None
    assert user.from_predicted.track.name == "mouseB"
    tracks = sorted(i.track.name for i in frame.predicted_instances)
    assert tracks == ["mouseA", "mouseB"]
    assert len(frame.instances) == 3
    again = read_slp(out)  # reads back as what the keys held
    for t in range(6):
        np.testing.assert_array_equal(
            again.locations[t].astype(np.float32), pose_locations_of(dm, pose, t)
        )


def test_swapped_predictions_keep_their_scores_in_an_analysis_file(predictions, tmp_path) -> None:
    """Were: a swapped instance was 'edited', written with scores 1."""
    source = tmp_path / "preds.analysis.h5"
    sio.save_analysis_h5(sio.load_slp(str(predictions), open_videos=False), str(source))
    with h5py.File(source, "r") as f:
        before = {k: f[k][()] for k in ("tracks", "point_scores", "instance_scores")}
        before["tracking_scores"] = f["tracking_scores"][()]
    dm = open_path(source).dm
    pose = pose_sets(dm)["preds"]
    swap_individuals(dm, pose, "mouseA", "mouseB", 0, 1)
    out = write_sleap_analysis(dm, pose, tmp_path / "back.h5")
    with h5py.File(out, "r") as f:
        after = {k: f[k][()] for k in before}
    for name, value in before.items():  # track first, frame last
        want = value.copy()
        want[[0, 1], ..., :2] = value[[1, 0], ..., :2]
        np.testing.assert_array_equal(after[name], want, err_msg=name)
    assert np.nanmax(before["point_scores"][..., :2]) < 1.0  # real scores compared


def test_an_analysis_file_of_a_slp_keeps_its_predictions_scores(predictions, tmp_path) -> None:
    """.slp -> session -> analysis .h5: what SLEAP's own export gives for the predictions.

    Were: point, instance and tracking scores 1 for every instance, predictions included
    (coordinates rounded to float32). An instance edited here, or the user's, has score 1.
    """
    labels = sio.load_slp(str(predictions), open_videos=False)
    reference = tmp_path / "sleap.analysis.h5"
    sio.save_analysis_h5(labels, str(reference), all_frames=False)
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    dm.get_data("preds_mouseB_nose").set_frame(5, [[1.0, 2.0]])  # mouseB edited on frame 5
    out = write_sleap_analysis(dm, pose, tmp_path / "ours.analysis.h5")
    names = ("tracks", "point_scores", "instance_scores", "tracking_scores", "track_occupancy")
    with h5py.File(reference, "r") as f, h5py.File(out, "r") as g:
        want = {k: f[k][()][..., :6] for k in names if k != "track_occupancy"}
        got = {k: g[k][()][..., :6] for k in names if k != "track_occupancy"}
        want["track_occupancy"] = f["track_occupancy"][:6]  # (frame, track)
        got["track_occupancy"] = g["track_occupancy"][:6]
    predicted = np.ones((2, 6), bool)  # (track, frame): a prediction shown, not edited
    predicted[0, 2] = predicted[1, 4] = False  # the user's instances
    predicted[1, 5] = False  # edited here
    for name in ("instance_scores", "tracking_scores"):
        np.testing.assert_array_equal(got[name][predicted], want[name][predicted], err_msg=name)
        np.testing.assert_array_equal(got[name][~predicted], 1.0, err_msg=name)
    for t, f in zip(*np.nonzero(predicted)):
        np.testing.assert_array_equal(got["point_scores"][t, :, f], want["point_scores"][t, :, f])
        np.testing.assert_array_equal(got["tracks"][t, :, :, f], want["tracks"][t, :, :, f])
    np.testing.assert_array_equal(got["track_occupancy"], want["track_occupancy"])
    assert np.nanmax(want["point_scores"]) < 1.0  # real scores compared


def test_a_prediction_with_a_node_deleted_is_the_users_in_an_analysis_file(
    predictions, tmp_path
) -> None:
    """Were: its other nodes kept their point scores and the mean as instance score, a
    prediction, while the .slp save and the keypoints layer made it the user's instance."""
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    dm.get_data("preds_mouseB_nose").set_frame(5, np.empty((0, 2), np.float32))  # deleted
    with h5py.File(write_sleap_analysis(dm, pose, tmp_path / "ours.analysis.h5"), "r") as f:
        point_scores = f["point_scores"][()]  # (track, node, frame)
        instance_scores = f["instance_scores"][()]  # (track, frame)
    assert np.isnan(point_scores[1, 0, 5])  # the node deleted
    np.testing.assert_array_equal(point_scores[1, 1:, 5], 1.0)  # the user's instance
    assert instance_scores[1, 5] == 1.0
    assert instance_scores[0, 5] < 1.0  # mouseA untouched: still the prediction


def test_deeplabcut_predictions_written_as_an_analysis_file_keep_their_likelihoods(
    tmp_path,
) -> None:
    """Were: point scores 1. A keypoint placed by hand makes its instance the user's (1)."""
    from _dlc_tables import write_two_mice_predictions

    rows = [[10.0, 20, 0.9, 30, 40, 0.8, 50, 60, 0.5, 70, 80, 0.25]] * 2
    path = write_two_mice_predictions(tmp_path / "miceDLC_dlcrnet.csv", rows)
    dm = open_path(path).dm
    pose = pose_sets(dm)["mice"]
    dm.get_data("mice_mouse1_nose").set_frame(1, np.array([[11, 21]], np.float32), [0])  # by hand
    out = write_sleap_analysis(dm, pose, tmp_path / "mice.analysis.h5")
    loaded = sio.load_analysis_h5(str(out))
    first = {inst.track.name: inst for inst in loaded[0].instances}
    np.testing.assert_allclose(first["mouse1"].points["score"], [0.9, 0.8])
    np.testing.assert_allclose(first["mouse2"].points["score"], [0.5, 0.25])
    assert first["mouse2"].score == pytest.approx(0.375)  # the mean point score
    assert first["mouse2"].tracking_score is None  # DeepLabCut gives none
    second = {inst.track.name: inst for inst in loaded[1].instances}
    np.testing.assert_array_equal(second["mouse1"].points["score"], [1.0, 1.0])
    np.testing.assert_allclose(second["mouse2"].points["score"], [0.5, 0.25])


def test_sleap_predictions_written_as_deeplabcut_predictions_keep_their_scores(
    predictions, tmp_path
) -> None:
    """.slp -> DeepLabCut predictions ``.h5``: likelihood = SLEAP point score, 1 for the user's.

    Were: ``x``, ``y`` only — DeepLabCut's plots and filters, and movement, found no
    likelihood (confidence NaN).
    """
    import pandas as pd

    labels = sio.load_slp(str(predictions), open_videos=False)
    dm = open_path(predictions).dm
    pose = pose_sets(dm)["preds"]
    dm.get_data("preds_mouseA_nose").set_frame(1, [[10.0, 20.0]])  # moved here
    with pytest.warns(UserWarning, match="8 points placed or moved"):  # 1 + the user's 3 + 4
        write_dlc(dm, pose, tmp_path / "clipDLC_fromsleap.h5")
    table = pd.read_hdf(tmp_path / "clipDLC_fromsleap.h5")
    assert list(table.columns.names) == ["scorer", "individuals", "bodyparts", "coords"]
    assert list(table.columns.get_level_values("coords")[:3]) == ["x", "y", "likelihood"]
    scorer = table.columns[0][0]
    expected = _shown_scores(labels)
    expected["mouseA", "nose"][1] = 1.0
    for (track, node), scores in expected.items():
        for frame, want in scores.items():
            got = table.loc[frame, (scorer, track, node, "likelihood")]
            assert got == want, (frame, track, node)


def test_an_occluded_node_keeps_its_place_when_its_instance_is_edited(tmp_path) -> None:
    """SLEAP's occluded node (``visible`` False, position kept): not shown, not dropped.

    Were: editing another node of the instance wrote the occluded node as NaN.
    """
    video = sio.Video(filename="clip.mp4", open_backend=False)
    skeleton = sio.Skeleton(nodes=["a", "b", "c"])
    instance = sio.Instance.from_numpy(np.array([[1.0, 2], [3, 4], [5, 6]]), skeleton=skeleton)
    instance.points["visible"][2] = False  # toggled occluded in SLEAP's GUI
    frames = [sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])]
    path = tmp_path / "o.slp"
    sio.save_slp(sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton]), str(path))
    dm = open_path(path).dm
    pose = pose_sets(dm)["o"]
    assert dm.get_data("o_c").n_entries == 0  # occluded: not drawn, as in SLEAP
    dm.get_data("o_a").set_frame(0, [[9.0, 9.0]])
    write_slp(dm, pose, path)
    (saved,) = sio.load_slp(str(path), open_videos=False).labeled_frames[0].instances
    np.testing.assert_array_equal(saved.points["xy"], [[9.0, 9.0], [3, 4], [5, 6]])
    assert saved.points["visible"].tolist() == [True, True, False]
    dm.get_data("o_b").clear_at(0)  # deleted here: gone
    write_slp(dm, pose, path)
    (saved,) = sio.load_slp(str(path), open_videos=False).labeled_frames[0].instances
    assert np.isnan(saved.points["xy"][1]).all()
    assert saved.points["visible"].tolist() == [True, False, False]
    np.testing.assert_array_equal(saved.points["xy"][2], [5, 6])


def test_predictions_shown_on_their_video_are_written_to_a_slp_naming_that_video(
    tmp_path,
) -> None:
    """Were: the .slp named a relative ``video.mp4`` that did not exist (sleap-io raised
    FileNotFoundError on touching it) and the analysis file's video_path was empty."""
    from _dlc_tables import write_project_predictions
    from _video_files import write_frames

    table = write_project_predictions(tmp_path / "proj")
    video = table.parent / "vid.mp4"  # the video the table's name says it analysed
    write_frames(video, [np.full((32, 32), 16 * t, np.uint8) for t in range(4)], "libx264", "yuv420p", "gray")  # fmt: skip
    dm = open_path(table).dm
    assert dm.keys("video")  # shown on its video
    pose = pose_sets(dm)["vid"]
    labels = sio.load_slp(str(write_slp(dm, pose, tmp_path / "out" / "vid.slp")))
    (written,) = labels.videos
    assert written.filename == str(video.resolve())  # absolute, as sleap-io resolves no other
    assert written.shape[:3] == (4, 32, 32)  # sleap-io opens it
    with h5py.File(write_sleap_analysis(dm, pose, tmp_path / "out" / "vid.analysis.h5")) as f:
        assert f["video_path"][()].decode() == str(video.resolve())


def test_a_labelled_data_folder_is_written_to_a_slp_as_its_image_sequence(tmp_path) -> None:
    """A DeepLabCut labelled-data folder's images become sleap-io's image-sequence video, so
    SLEAP opens the project with its images (were: a relative ``video.mp4`` that was not there)."""
    from _dlc_project import copy_reaching

    folder = copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"
    dm = open_path(folder).dm
    (pose,) = pose_sets(dm).values()
    images = dm.get_data(dm.keys("images")[0]).files
    labels = sio.load_slp(str(write_slp(dm, pose, tmp_path / "labels.slp")))
    (written,) = labels.videos
    assert type(written.backend).__name__ == "ImageVideo"
    assert written.filename == [str(p.resolve()) for p in images]  # in frame order
    first = labels.labeled_frames[0]
    np.testing.assert_array_equal(
        np.squeeze(first.image),
        np.squeeze(dm.get_data(dm.keys("images")[0]).frame(first.frame_idx)),
    )
    with h5py.File(write_sleap_analysis(dm, pose, tmp_path / "labels.analysis.h5")) as f:
        assert f["video_path"][()].decode() == str(folder.resolve())  # sleap-io opens a folder


def _image_sequence(folder, names):
    """Write PNGs ``names`` into ``folder``, image ``k`` filled with ``10 * (k + 1)``."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for k, name in enumerate(names):
        Image.fromarray(np.full((8, 12), 10 * (k + 1), np.uint8)).save(folder / name)
        files.append(str(folder / name))
    return files


def test_an_image_sequence_slp_opens_with_its_images_in_sleaps_order(tmp_path, caplog) -> None:
    """Were: no media and no warning (the video_path of a list of files was stored as "")."""
    from _sleap_files import write_two_frame_slp

    files = _image_sequence(tmp_path / "imgs", ["f10.png", "f2.png", "f1.png", "f3.png", "f0.png"])
    slp = write_two_frame_slp(tmp_path / "seq.slp", sio.Video.from_filename(files))
    dm = open_path(slp).dm
    assert dm.keys("images") == ["media"]
    media = dm.get_data("media")
    assert [str(f) for f in media.files] == files  # SLEAP's order, not natural name order
    for i in range(len(files)):
        assert int(media.frame(i)[0, 0]) == 10 * (i + 1)
    assert dm.time_key("seq_a") == dm.time_key("media")
    np.testing.assert_array_equal(dm.get_data("seq_a").times_with_data(), [1, 4])

    moved = tmp_path / "moved"  # the project moved with its image folder
    moved.mkdir()
    (tmp_path / "imgs").rename(moved / "imgs")
    slp.rename(moved / "seq.slp")
    dm = open_path(moved / "seq.slp").dm
    assert [f.name for f in dm.get_data("media").files] == [Path(f).name for f in files]

    (moved / "imgs" / "f2.png").unlink()
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(moved / "seq.slp").dm
    assert dm.keys("images") == []
    assert "seq_a" in dm  # the keypoints open all the same
    assert any("f2.png" in r.getMessage() and "not found" in r.getMessage() for r in caplog.records)
    assert not any("f10.png" in r.getMessage() for r in caplog.records)
