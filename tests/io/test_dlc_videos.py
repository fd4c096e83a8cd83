"""A DeepLabCut project labelling several videos: each folder's images on frames of their own."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pandas as pd
import pytest

from _dlc_project import SECOND_IMAGES, SECOND_VIDEO, add_outlier_frames, two_video_project
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.dlc import write_dlc_pair
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.session import load_session, save_session

FIRST_IMAGES = ["img005.png", "img033.png", "img038.png", "img142.png"]
FILES = [f"reachingvideo1/{n}" for n in FIRST_IMAGES] + [
    f"{SECOND_VIDEO}/{n}" for n in SECOND_IMAGES
]


def _table(folder: Path) -> pd.DataFrame:
    return pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")


def _hand(dm, pose: str) -> dict[int, tuple[float, float]]:
    flat = dm.get_data(f"{pose}_Hand").to_flat()
    return {int(t): (float(x), float(y)) for t, (x, y) in zip(flat.times, flat.coords)}


def test_each_folder_shows_its_images_and_labels_on_frames_of_its_own(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Was: frame k showed image k of every folder (media, media_2), each folder's labels drawn
    over every folder's images, and a warning saying so."""
    project = two_video_project(tmp_path)
    with caplog.at_level("INFO", logger="napari_whiskertoolbox.io"):
        dm = open_path(project).dm  # the project folder
    assert not [r for r in caplog.records if "frame axis" in r.getMessage()]
    assert dm.keys("images") == ["media"]
    media = dm.get_data("media")
    root = project / "labeled-data"
    assert [p.relative_to(root).as_posix() for p in media.files] == FILES
    np.testing.assert_array_equal(media[4], iio.imread(root / SECOND_VIDEO / "img005.png"))
    assert set(pose_sets(dm)) == {"reachingvideo1", SECOND_VIDEO}
    # reachingvideo1: frames 0..3 (img005 img033 img038 img142); reachingvideo2: 4..6
    for pose, offset, images in (
        ("reachingvideo1", 0, FIRST_IMAGES),
        (SECOND_VIDEO, 4, SECOND_IMAGES),
    ):
        table = _table(root / pose)
        expected = {
            offset + i: tuple(
                np.float32(table.loc[f"labeled-data/{pose}/{name}", ("Mackenzie", "Hand", c)])
                for c in "xy"
            )
            for i, name in enumerate(images)
        }
        assert _hand(dm, pose) == expected


def test_saving_each_folder_keeps_the_other_folder_and_untouched_rows(tmp_path: Path) -> None:
    project = two_video_project(tmp_path)
    first = project / "labeled-data" / "reachingvideo1"
    second = project / "labeled-data" / SECOND_VIDEO
    before_first = (first / "CollectedData_Mackenzie.h5").read_bytes()
    original = _table(second)
    dm = open_path(project).dm
    hand = dm.get_data(f"{SECOND_VIDEO}_Hand")
    frame = 5  # reachingvideo2/img038.png
    hand.set_frame(frame, np.array([[400.5, 300.25]], np.float32), hand.ids_at(frame))
    poses = pose_sets(dm)
    write_dlc_pair(dm, poses[SECOND_VIDEO], second / "CollectedData_Mackenzie.h5")
    back = _table(second)
    image = f"labeled-data/{SECOND_VIDEO}/img038.png"
    assert (
        back.loc[image, ("Mackenzie", "Hand", "x")],
        back.loc[image, ("Mackenzie", "Hand", "y")],
    ) == (400.5, 300.25)
    expected = original.copy()
    expected.loc[image, ("Mackenzie", "Hand", "x")] = 400.5
    expected.loc[image, ("Mackenzie", "Hand", "y")] = 300.25
    pd.testing.assert_frame_equal(back, expected, check_exact=True)  # every other row as it was
    assert (first / "CollectedData_Mackenzie.h5").read_bytes() == before_first
    # the first folder's pose set, unedited, writes its own table back as it was
    frame_first = _table(first)
    write_dlc_pair(dm, poses["reachingvideo1"], first / "CollectedData_Mackenzie.h5")
    pd.testing.assert_frame_equal(_table(first), frame_first, check_exact=True)


def test_a_point_placed_on_another_folders_image_is_refused_naming_the_frames(
    tmp_path: Path,
) -> None:
    project = two_video_project(tmp_path)
    first = project / "labeled-data" / "reachingvideo1"
    before = (first / "CollectedData_Mackenzie.h5").read_bytes()
    dm = open_path(project).dm
    dm.get_data("reachingvideo1_Tongue").add(6, np.array([5.0, 6.0], np.float32))
    with pytest.raises(FormatError, match=r"frames 0\.\.3 show this folder's images"):
        write_dlc_pair(dm, pose_sets(dm)["reachingvideo1"], first / "CollectedData_Mackenzie.h5")
    assert (first / "CollectedData_Mackenzie.h5").read_bytes() == before


def test_videos_of_different_sizes_each_at_their_own_pixels(tmp_path: Path) -> None:
    project = two_video_project(tmp_path, scale=0.5)
    root = project / "labeled-data"
    small = iio.imread(root / SECOND_VIDEO / "img005.png")
    big = iio.imread(root / "reachingvideo1" / "img005.png")
    assert small.shape[:2] == (374, 416)
    assert big.shape[:2] == (747, 832)
    dm = open_path(project).dm
    media = dm.get_data("media")
    assert media.shape == (7, 747, 832, 3)  # a canvas of the largest image
    frame = media[4]
    np.testing.assert_array_equal(frame[:374, :416], small)  # top-left, at its own pixels
    assert not frame[374:].any()
    assert not frame[:, 416:].any()
    assert dm.get_data(f"{SECOND_VIDEO}_Hand").image_size == (416, 374)
    assert dm.get_data("reachingvideo1_Hand").image_size == (832, 747)
    table = _table(root / SECOND_VIDEO)
    x, y = (
        table.loc[f"labeled-data/{SECOND_VIDEO}/img005.png", ("Mackenzie", "Hand", c)] for c in "xy"
    )
    assert _hand(dm, SECOND_VIDEO)[4] == (np.float32(x), np.float32(y))


def test_machine_labels_of_the_second_video_go_on_its_frames(tmp_path: Path) -> None:
    project = two_video_project(tmp_path)
    second = project / "labeled-data" / SECOND_VIDEO
    add_outlier_frames(second)  # img250 (new, last of the folder) and img005... img033
    dm = open_path(project).dm
    machine = f"{SECOND_VIDEO}_machinelabels-iter0"
    assert set(pose_sets(dm)) == {"reachingvideo1", SECOND_VIDEO, machine}
    assert len(dm.get_data("media")) == 8  # 4 + img005 img038 img142 img250
    # img033 is not among reachingvideo2's images (left out); img250 is frame 4 + 3
    assert _hand(dm, machine) == {7: (300.0, 400.0)}


def test_a_session_of_the_project_opens_again_with_the_same_frames(tmp_path: Path) -> None:
    """The one media over the labelled-data folders is saved with its list of images."""
    project = two_video_project(tmp_path)
    dm = open_path(project).dm
    save_session(dm, tmp_path / "saved.session")
    back = load_session(tmp_path / "saved.session")
    assert [p.as_posix() for p in back.get_data("media").files] == [
        p.as_posix() for p in dm.get_data("media").files
    ]
    assert _hand(back, SECOND_VIDEO) == _hand(dm, SECOND_VIDEO)


def test_refined_machine_labels_of_the_second_video_show_in_its_labels_on_its_frames(
    tmp_path: Path,
) -> None:
    from napari_whiskertoolbox.workflow.labelled_data_save import (
        labelled_data_targets,
        save_labelled_data,
    )

    project = two_video_project(tmp_path)
    second = project / "labeled-data" / SECOND_VIDEO
    add_outlier_frames(second)  # img250: frame 4 + 3
    dm = open_path(project).dm
    machine = f"{SECOND_VIDEO}_machinelabels-iter0"
    finger = dm.get_data(f"{machine}_Finger1")
    finger.set_frame(7, np.array([[310.5, 410.5]], np.float32), finger.ids_at(7))
    targets = labelled_data_targets(dm, [f"{machine}_Finger1"])
    assert targets is not None
    save_labelled_data(dm, targets)
    row = _table(second).loc[f"labeled-data/{SECOND_VIDEO}/img250.png", "Mackenzie"]
    assert (row["Finger1", "x"], row["Finger1", "y"]) == (310.5, 410.5)
    assert (row["Hand", "x"], row["Hand", "y"]) == (300.0, 400.0)
    # the second video's labels now show the image the merge added, on its own frame
    assert _hand(dm, SECOND_VIDEO)[7] == (300.0, 400.0)
    np.testing.assert_array_equal(dm.get_data(f"{SECOND_VIDEO}_Finger1").at(7), [[310.5, 410.5]])
    assert 7 not in _hand(dm, "reachingvideo1")
    assert not dm.modified


SHARED = Path("/work/shared/fixtures/deeplabcut/reaching")


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="needs the shared DeepLabCut fixtures (/work/shared/fixtures)"
)
def test_the_reaching_example_labelled_as_two_videos_pages_through_both(tmp_path: Path) -> None:
    """The real Reaching folder (55 labelled images) twice: 110 frames, each with its labels."""
    import shutil

    project = tmp_path / "reaching"
    project.mkdir()
    shutil.copyfile(SHARED / "config.yaml", project / "config.yaml")
    for video in ("reachingvideo1", "reachingvideo2"):
        shutil.copytree(
            SHARED / "labeled-data" / "reachingvideo1", project / "labeled-data" / video
        )
    dm = open_path(project / "config.yaml").dm
    media = dm.get_data("media")
    n = len(media) // 2
    assert len(media) == 2 * n == 110
    assert media.files[n].parent.name == "reachingvideo2"
    assert media.files[n].name == media.files[0].name
    first, second = _hand(dm, "reachingvideo1"), _hand(dm, "reachingvideo2")
    assert set(first) <= set(range(n))
    assert {t - n for t in second} == set(first)  # the same labels, on the second copy's frames
    assert all(second[t + n] == first[t] for t in first)
