"""Ctrl+S of a DeepLabCut labelled-data session writes the labels back into CollectedData_*."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from _ask_support import Answers
from _reaching_edits import drag_first_point, open_with_hand_dragged

from _dlc_project import add_outlier_frames, copy_reaching
from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    return copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"


def _moved_hand(make_napari_viewer: Any, folder: Path) -> tuple[Any, Any, Answers]:
    answers = Answers()
    viewer, session = open_with_hand_dragged(make_napari_viewer, folder.parents[1], answers)
    return viewer, session, answers


def test_ctrl_s_writes_the_edited_labels_into_both_files(
    make_napari_viewer: Any, labels: Path, notifications: list[str]
) -> None:
    original = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    viewer, session, answers = _moved_hand(make_napari_viewer, labels)
    assert viewer.title.endswith("*")
    assert actions.save(session)
    assert answers.folder_titles == []  # nothing asked: the labels went home
    assert not session.dm.modified
    assert not viewer.title.endswith("*")
    image = "labeled-data/reachingvideo1/img033.png"
    hand_x = ("Mackenzie", "Hand", "x")
    for back in (
        pd.read_hdf(labels / "CollectedData_Mackenzie.h5"),
        pd.read_csv(labels / "CollectedData_Mackenzie.csv", header=[0, 1, 2], index_col=0),
    ):
        assert back.loc[image, hand_x] == pytest.approx(original.loc[image, hand_x] + 5)
        others = original.drop(index=image)
        np.testing.assert_array_equal(back.loc[others.index].to_numpy(float), others.to_numpy())
    assert any("CollectedData_Mackenzie.h5" in message for message in notifications)


def test_ctrl_s_ctrl_z_ctrl_s_gives_the_original_files_back(
    make_napari_viewer: Any, labels: Path
) -> None:
    """Was: the undone Hand was written float32-rounded (199.3115882141572 -> 199.31158447265625)."""
    csv = labels / "CollectedData_Mackenzie.csv"
    original_csv = csv.read_bytes()
    original_h5 = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    _, session, _ = _moved_hand(make_napari_viewer, labels)
    assert actions.save(session)
    edited_csv = csv.read_bytes()
    assert edited_csv != original_csv
    assert actions.undo(session)
    assert actions.save(session)
    assert csv.read_bytes() == original_csv
    pd.testing.assert_frame_equal(pd.read_hdf(labels / "CollectedData_Mackenzie.h5"), original_h5)
    assert actions.redo(session)
    assert actions.save(session)
    assert csv.read_bytes() == edited_csv


def test_ctrl_s_with_other_edits_asks_for_a_session_folder(
    make_napari_viewer: Any, labels: Path
) -> None:
    before = (labels / "CollectedData_Mackenzie.h5").read_bytes()
    _, session, answers = _moved_hand(make_napari_viewer, labels)
    session.dm.set_data("tracked", PointData.from_flat([0], np.ones((1, 2), np.float32)))
    assert not actions.save(session)  # the labels files cannot hold "tracked": no folder given
    assert answers.folder_titles == ["Save the WhiskerToolbox session in"]
    assert (labels / "CollectedData_Mackenzie.h5").read_bytes() == before
    assert session.dm.modified


def test_ctrl_s_merges_refined_machine_labels_into_collected_data(
    make_napari_viewer: Any, qtbot: Any, labels: Path
) -> None:
    """DeepLabCut's refine step: outlier predictions, corrected, merged into the labels.

    Were: machinelabels-iter0.h5 not opened with the folder; saved by hand, refused.
    """
    add_outlier_frames(labels)  # img250.png extracted, predicted with img033.png
    original = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    viewer = make_napari_viewer()
    viewer.open(str(labels.parents[1]), plugin=PLUGIN)
    session = get_session(viewer)
    answers = Answers()
    get_workflow(viewer).ask = answers
    session.set_frame(4)  # img250.png: the machine's Hand, Finger1, Joystick1, Joystick2
    machine = viewer.layers["reachingvideo1_machinelabels-iter0"]
    assert len(machine.data) == 4  # Tongue below pcutoff
    qtbot.waitUntil(lambda: not session.poses.points[machine.name].reading_scores)
    assert machine.features["predicted"].all()
    drag_first_point(machine)  # Hand, corrected
    assert actions.save(session)
    assert answers.folder_titles == []
    back = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    image = "labeled-data/reachingvideo1/img250.png"
    pd.testing.assert_frame_equal(back.drop(index=image), original)  # img033 kept its labels
    row = back.loc[image, "Mackenzie"]
    assert (row["Hand", "x"], row["Hand", "y"]) == (305.0, 405.0)
    assert (row["Finger1", "x"], row["Finger1", "y"]) == (301.0, 401.0)
    assert np.isnan(row["Tongue", "x"])


def test_labels_layer_shows_refined_machine_labels_merged_into_an_image_it_shows(
    make_napari_viewer: Any, qtbot: Any, labels: Path
) -> None:
    """A second refinement re-predicts img250, whose first refinement is in CollectedData.

    Was: after Ctrl+S merged the corrected Hand into CollectedData, the labels layer kept
    showing img250's old Hand, and its next save wrote that back over the merged one.
    """
    from _dlc_project import REACHING_BODYPARTS, write_machine_labels
    from napari_whiskertoolbox.io.dlc import write_dlc_pair
    from napari_whiskertoolbox.io.pose import pose_sets
    from napari_whiskertoolbox.io.routing import open_path

    add_outlier_frames(labels)  # iter0: img033 and img250 (extracted)
    dm = open_path(labels).dm
    iter0 = pose_sets(dm)["reachingvideo1_machinelabels-iter0"]
    write_dlc_pair(dm, iter0, labels / "CollectedData_Mackenzie.h5")  # refined, merged: img250
    rows = [[v for k in range(5) for v in (320.0 + k, 420.0 + k, 0.9)]]
    write_machine_labels(labels, ["img250.png"], rows, REACHING_BODYPARTS, iteration=1)
    viewer = make_napari_viewer()
    viewer.open(str(labels.parents[1]), plugin=PLUGIN)
    session = get_session(viewer)
    get_workflow(viewer).ask = Answers()
    session.set_frame(4)  # img250.png
    own = viewer.layers["reachingvideo1"]
    hand = list(own.features["bodypart"]).index("Hand")
    np.testing.assert_array_equal(own.data[hand], [400.0, 300.0])  # iter0's, merged: (y, x)
    machine = viewer.layers["reachingvideo1_machinelabels-iter1"]
    qtbot.waitUntil(lambda: not session.poses.points[machine.name].reading_scores)
    moved = np.array(machine.data)
    moved[list(machine.features["bodypart"]).index("Hand")] += np.float32(5)  # corrected
    machine.data = moved
    assert actions.save(session)
    image = "labeled-data/reachingvideo1/img250.png"
    back = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    assert (
        back.loc[image, ("Mackenzie", "Hand", "x")],
        back.loc[image, ("Mackenzie", "Hand", "y")],
    ) == (325.0, 425.0)
    np.testing.assert_array_equal(own.data[hand], [425.0, 325.0])  # the labels show the file
    assert not session.dm.modified
    # the labels set's next save keeps the merged Hand
    session.set_frame(1)
    shown = np.array(own.data)
    shown[0] += np.float32(1)
    own.data = shown
    assert actions.save(session)
    back = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    assert (
        back.loc[image, ("Mackenzie", "Hand", "x")],
        back.loc[image, ("Mackenzie", "Hand", "y")],
    ) == (325.0, 425.0)


def test_ctrl_s_notice_names_each_written_file_with_its_folder(
    make_napari_viewer: Any, labels: Path, notifications: list[str]
) -> None:
    # A project labels several videos, each folder with its own CollectedData_<scorer> pair.
    _, session, _ = _moved_hand(make_napari_viewer, labels)
    assert actions.save(session)
    assert (
        "Saved the labels to reachingvideo1/CollectedData_Mackenzie.h5, "
        "reachingvideo1/CollectedData_Mackenzie.csv"
    ) in notifications


def test_machine_labels_saved_with_save_selected_layers_show_in_the_labels_layer(
    make_napari_viewer: Any, qtbot: Any, labels: Path
) -> None:
    """File > Save Selected Layers of refined machine labels into the folder's CollectedData.

    Was: only Ctrl+S updated the folder's labels layer after such a merge; saved through
    napari's writer, the refined img250 went into the file but not into the layer.
    """
    add_outlier_frames(labels)
    viewer = make_napari_viewer()
    viewer.open(str(labels.parents[1]), plugin=PLUGIN)
    session = get_session(viewer)
    get_workflow(viewer).ask = Answers()
    session.set_frame(4)  # img250.png
    own, machine = (
        viewer.layers["reachingvideo1"],
        viewer.layers["reachingvideo1_machinelabels-iter0"],
    )
    assert len(own.data) == 0
    qtbot.waitUntil(lambda: not session.poses.points[machine.name].reading_scores)
    drag_first_point(machine)  # Hand, corrected
    machine.save(str(labels / "CollectedData_Mackenzie.h5"), plugin=PLUGIN)
    back = pd.read_hdf(labels / "CollectedData_Mackenzie.h5")
    image = "labeled-data/reachingvideo1/img250.png"
    assert back.loc[image, ("Mackenzie", "Hand", "x")] == 305.0
    shown = dict(zip(own.features["bodypart"], own.data))  # (y, x)
    np.testing.assert_array_equal(shown["Hand"], [405.0, 305.0])
    assert set(shown) == {"Hand", "Finger1", "Joystick1", "Joystick2"}  # Tongue below pcutoff
