"""Ctrl+S of a session opened from a SLEAP ``.slp`` writes the edits back into it, as SLEAP does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _ask_support import Answers

from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
sio = pytest.importorskip("sleap_io")

PLUGIN = "napari-whiskertoolbox"


def _two_mice(path: Path) -> Path:
    """Write a ``.slp``: skeleton nose-tail, tracks m1 and m2 labelled on frames 0 and 3."""
    skeleton = sio.Skeleton(nodes=["nose", "tail"], edges=[("nose", "tail")])
    video = sio.Video(filename="mice.mp4", open_backend=False)
    tracks = [sio.Track("m1"), sio.Track("m2")]
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[
                sio.Instance.from_numpy(
                    np.array([[10.0 + 40 * k + t, 20.0], [10.0 + 40 * k, 45.0]]),
                    skeleton=skeleton,
                    track=track,
                )
                for k, track in enumerate(tracks)
            ],
        )
        for t in (0, 3)
    ]
    labels = sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=tracks)
    sio.save_slp(labels, str(path))
    return path


def _edited(make_napari_viewer: Any, slp: Path) -> tuple[Any, Answers]:
    viewer = make_napari_viewer()
    viewer.open(str(slp), plugin=PLUGIN)
    session = get_session(viewer)
    answers = Answers()
    get_workflow(viewer).ask = answers
    session.set_frame(3)
    keypoints = viewer.layers["mice"]
    moved = np.array(keypoints.data)
    moved[0] += np.float32(2)  # m1's nose, dragged (row, column)
    keypoints.data = moved
    return session, answers


def test_ctrl_s_writes_the_edits_back_into_the_slp(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    slp = _two_mice(tmp_path / "mice.slp")
    session, answers = _edited(make_napari_viewer, slp)
    assert actions.save(session)
    assert answers.folder_titles == []  # nothing asked: the labels went home
    assert not session.dm.modified
    back = sio.load_slp(str(slp), open_videos=False)
    assert [t.name for t in back.tracks] == ["m1", "m2"]
    assert [(e.source.name, e.destination.name) for e in back.skeleton.edges] == [("nose", "tail")]
    assert back.video.filename == "mice.mp4"
    by_frame = {lf.frame_idx: {i.track.name: i.numpy() for i in lf.instances} for lf in back}
    np.testing.assert_array_equal(by_frame[3]["m1"], [[15.0, 22.0], [10.0, 45.0]])
    np.testing.assert_array_equal(by_frame[3]["m2"], [[53.0, 20.0], [50.0, 45.0]])
    np.testing.assert_array_equal(by_frame[0]["m1"], [[10.0, 20.0], [10.0, 45.0]])
    assert any("mice.slp" in message for message in notifications)


def test_ctrl_s_with_other_edits_still_asks_for_a_session_folder(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    slp = _two_mice(tmp_path / "mice.slp")
    before = slp.read_bytes()
    session, answers = _edited(make_napari_viewer, slp)
    session.dm.set_data("tracked", PointData.from_flat([0], np.ones((1, 2), np.float32)))
    assert not actions.save(session)  # the .slp cannot hold "tracked": no folder given
    assert answers.folder_titles == ["Save the WhiskerToolbox session in"]
    assert slp.read_bytes() == before


def test_save_selected_layers_into_the_slp_clears_the_titles_marker(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """File > Save Selected Layers into the project the labels came from saves them."""
    slp = _two_mice(tmp_path / "mice.slp")
    session, _ = _edited(make_napari_viewer, slp)
    viewer = session.viewer
    assert viewer.title.endswith(" *")
    viewer.layers["mice"].save(str(tmp_path / "copy.slp"), plugin=PLUGIN)
    assert viewer.title.endswith(" *")  # another file: mice.slp still holds the old labels
    viewer.layers["mice"].save(str(slp), plugin=PLUGIN)
    assert not viewer.title.endswith(" *")
    assert not session.dm.modified


def test_an_image_sequence_project_shows_its_images_and_ctrl_s_keeps_them(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    """Were: only the hidden frame slider, no image, no warning (sleap-io's ``ImageVideo``)."""
    from PIL import Image

    (tmp_path / "imgs").mkdir()
    files = []
    for k, name in enumerate(["b.png", "a.png", "c.png", "d.png"]):  # SLEAP's order, not sorted
        Image.fromarray(np.full((60, 90), 40 * (k + 1), np.uint8)).save(tmp_path / "imgs" / name)
        files.append(str(tmp_path / "imgs" / name))
    skeleton = sio.Skeleton(nodes=["nose", "tail"], edges=[("nose", "tail")])
    video = sio.Video.from_filename(files)
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[sio.Instance.from_numpy(np.array([[10.0 + t, 20.0], [30.0, 45.0]]), skeleton=skeleton)],
        )
        for t in (0, 3)
    ]  # fmt: skip
    slp = tmp_path / "seq.slp"
    sio.save_slp(sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton]), str(slp))
    viewer = make_napari_viewer()
    viewer.open(str(slp), plugin=PLUGIN)
    session = get_session(viewer)
    get_workflow(viewer).ask = Answers()
    (image,) = [layer for layer in viewer.layers if layer.__class__.__name__ == "Image"]
    assert image.visible
    assert image.data.shape[0] == 4
    assert int(np.asarray(image.data[1]).max()) == 80  # a.png, SLEAP's frame 1
    session.set_frame(3)
    keypoints = viewer.layers["seq"]
    moved = np.array(keypoints.data)
    moved[0] += np.float32(2)
    keypoints.data = moved
    assert actions.save(session)
    back = sio.load_slp(str(slp), open_videos=False)
    assert back.video.filename == files  # the same image sequence, in the same order
    by_frame = {lf.frame_idx: lf.instances[0].numpy() for lf in back}
    np.testing.assert_array_equal(by_frame[3], [[15.0, 22.0], [30.0, 45.0]])
