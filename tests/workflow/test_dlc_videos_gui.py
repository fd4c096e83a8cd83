"""A DeepLabCut project of two videos in napari: one image and its own labels at each frame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import imageio.v3 as iio
import numpy as np
import pandas as pd
import pytest
from _ask_support import Answers

from _dlc_project import SECOND_VIDEO, two_video_project
from napari_whiskertoolbox.layers.image_binding import canvas_text
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
FIRST = "reachingvideo1"


def test_paging_through_two_videos_shows_each_image_with_its_own_labels_and_saves_each_folder(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    project = two_video_project(tmp_path, scale=0.5)  # the second video is half the size
    root = project / "labeled-data"
    first_before = (root / FIRST / "CollectedData_Mackenzie.h5").read_bytes()
    viewer = make_napari_viewer()
    viewer.open(str(project / "config.yaml"), plugin=PLUGIN)
    session = get_session(viewer)
    get_workflow(viewer).ask = Answers()
    assert viewer.dims.nsteps[0] == 7  # 4 images of the first video, then 3 of the second
    media, first, second = (viewer.layers[n] for n in ("media", FIRST, SECOND_VIDEO))
    overlay = canvas_text(viewer)

    session.set_frame(1)
    assert overlay.text == f"{FIRST}/img033.png"
    assert len(first.data) > 0
    assert len(second.data) == 0
    image = iio.imread(root / FIRST / "img033.png")  # 640 x 470, on the 832 x 747 canvas
    np.testing.assert_array_equal(media.data[1][: image.shape[0], : image.shape[1]], image)

    session.set_frame(5)
    assert overlay.text == f"{SECOND_VIDEO}/img038.png"
    assert len(first.data) == 0
    table = pd.read_hdf(root / SECOND_VIDEO / "CollectedData_Mackenzie.h5")
    row = table.loc[f"labeled-data/{SECOND_VIDEO}/img038.png", "Mackenzie"]
    shown = dict(zip(second.features["bodypart"], second.data))  # (y, x): the shown frame
    assert set(shown) == {bp for bp, c in row.index if c == "x" and np.isfinite(row[bp, "x"])}
    for bodypart, (y, x) in shown.items():
        assert (x, y) == (np.float32(row[bodypart, "x"]), np.float32(row[bodypart, "y"]))

    moved = np.array(second.data)
    moved[0] += np.float32(4)  # the first body part shown, dragged
    second.data = moved
    assert actions.save(session)
    back = pd.read_hdf(root / SECOND_VIDEO / "CollectedData_Mackenzie.h5")
    image = f"labeled-data/{SECOND_VIDEO}/img038.png"
    bodypart = second.features["bodypart"][0]
    saved_x = back.loc[image, ("Mackenzie", bodypart, "x")]  # the shortest text of the float32
    assert np.float32(saved_x) == np.float32(row[bodypart, "x"]) + 4
    others = table.drop(index=image)
    pd.testing.assert_frame_equal(back.drop(index=image), others, check_exact=True)
    assert (root / FIRST / "CollectedData_Mackenzie.h5").read_bytes() == first_before


def test_a_point_added_to_a_folder_on_another_folders_image_is_refused(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    project = two_video_project(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(project), plugin=PLUGIN)
    session = get_session(viewer)
    session.set_frame(5)  # reachingvideo2/img038.png
    first = viewer.layers[FIRST]
    viewer.layers.selection.active = first
    before = {key: session.dm.get_data(key).count_at(5) for key in session.dm.keys("points")}
    first.add([[100.0, 120.0]])
    assert len(first.data) == 0  # the click drew nothing
    assert {key: session.dm.get_data(key).count_at(5) for key in before} == before
    assert notifications[-1] == (
        "select the keypoints layer 'reachingvideo2' to label this image: it is an image of "
        "labelled-data folder reachingvideo2, and reachingvideo1 labels frames 0-3"
    )
    session.set_frame(0)  # the first video's img005 (no Tongue labelled): its own image
    shown = len(first.data)
    first.add([[100.0, 120.0]])
    assert len(first.data) == shown + 1
    np.testing.assert_array_equal(session.dm.get_data(f"{FIRST}_Tongue").at(0), [[120.0, 100.0]])


def test_ctrl_d_on_another_folders_image_copies_nothing(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    project = two_video_project(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(project), plugin=PLUGIN)
    session = get_session(viewer)
    viewer.layers.selection.active = viewer.layers[FIRST]
    session.set_frame(4)  # reachingvideo2/img005.png; reachingvideo1 has labels on 0..3
    before = session.dm.get_data(f"{FIRST}_Hand").times_with_data().tolist()
    assert actions.copy_previous_annotations(session) is None
    assert session.dm.get_data(f"{FIRST}_Hand").times_with_data().tolist() == before
    assert notifications[-1].startswith(
        "Nothing copied: select the keypoints layer 'reachingvideo2' to label this image"
    )
    assert not session.dm.modified


def _name_pixels(viewer: Any, qtbot: Any) -> int:
    """Count the window pixels the canvas's image name draws (on minus off, whole window)."""
    overlay = canvas_text(viewer)
    qtbot.wait(50)
    shown = viewer.screenshot(canvas_only=False, flash=False)[..., :3].astype(int)
    overlay.visible = False
    qtbot.wait(50)
    hidden = viewer.screenshot(canvas_only=False, flash=False)[..., :3].astype(int)
    overlay.visible = True
    qtbot.wait(50)
    return int((np.abs(shown - hidden).max(axis=-1) > 40).sum())


def test_the_refusal_notice_leaves_the_image_name_readable_and_leads_with_what_to_do(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str], qtbot: Any
) -> None:
    """Were: napari's notice, bottom right, covered the image's name (bottom right too)."""
    project = two_video_project(tmp_path)
    viewer = make_napari_viewer(show=True)  # the notice pops up over a shown window only
    viewer.window.resize(1300, 900)
    viewer.open(str(project), plugin=PLUGIN)
    session = get_session(viewer)
    session.set_frame(5)  # reachingvideo2/img038.png
    assert canvas_text(viewer).text == f"{SECOND_VIDEO}/img038.png"
    before = _name_pixels(viewer, qtbot)
    assert before > 200  # the name is drawn
    first = viewer.layers[FIRST]
    viewer.layers.selection.active = first
    first.add([[100.0, 120.0]])
    assert len(first.data) == 0  # refused
    qtbot.wait(300)  # the notice fades in
    after = _name_pixels(viewer, qtbot)
    assert after >= 0.95 * before, (before, after)  # the name still shows beside the notice
    # the notice's first line (all a collapsed napari notice shows) says what to do
    assert notifications[-1].startswith(f"select the keypoints layer {SECOND_VIDEO!r}")
