"""Refining DeepLabCut outlier frames: machine labels saved into an existing CollectedData_*."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from _dlc_project import add_outlier_frames, copy_reaching
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.dlc import read_dlc, write_dlc_pair
from napari_whiskertoolbox.io.dlc_merge import changed_cells
from napari_whiskertoolbox.io.dlc_project import refine_target
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import open_path

if TYPE_CHECKING:
    from pathlib import Path

BODYPARTS = ["Hand", "Finger1", "Tongue", "Joystick1", "Joystick2"]
IMG033 = "labeled-data/reachingvideo1/img033.png"
IMG250 = "labeled-data/reachingvideo1/img250.png"
MACHINE = "reachingvideo1_machinelabels-iter0"
"""Pose set (and key prefix) of ``labeled-data/reachingvideo1/machinelabels-iter0.h5``."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable Reaching labelled-data folder (CollectedData_Mackenzie, 4 images)."""
    return copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"


def _machine(folder: Path, bodyparts: list[str] = BODYPARTS) -> Path:
    return add_outlier_frames(folder, bodyparts)  # img033 (labelled already) and img250 (new)


def _read_both(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    h5 = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    csv = pd.read_csv(folder / "CollectedData_Mackenzie.csv", header=[0, 1, 2], index_col=0)
    return h5, csv


def test_refined_machine_labels_merge_into_the_existing_collected_data(folder: Path) -> None:
    """Were: refused ("it holds labels ... writing would erase them"), nothing saved."""
    original = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    dm = open_path(_machine(folder)).dm
    pose = pose_sets(dm)[MACHINE]
    frame_033, frame_250 = 1, 4  # positions among img005 img033 img038 img142 img250
    finger = dm.get_data(f"{MACHINE}_Finger1")
    finger.set_frame(frame_033, np.array([[412.5, 198.25]], np.float32), finger.ids_at(frame_033))
    hand = dm.get_data(f"{MACHINE}_Hand")
    hand.set_frame(frame_250, np.array([[310.5, 405.5]], np.float32), hand.ids_at(frame_250))
    dm.get_data(f"{MACHINE}_Joystick2").set_frame(frame_250, np.empty((0, 2)), [])
    written = write_dlc_pair(dm, pose, folder / "CollectedData_Mackenzie.h5")
    assert [p.name for p in written] == [
        "CollectedData_Mackenzie.h5",
        "CollectedData_Mackenzie.csv",
    ]
    h5, csv = _read_both(folder)
    pd.testing.assert_frame_equal(csv, h5, check_names=False)
    assert list(h5.index) == sorted([*original.index, IMG250])  # one row added, sorted
    assert h5.columns.equals(original.columns)  # the existing scorer, x and y only
    others = original.drop(index=IMG033)
    pd.testing.assert_frame_equal(h5.loc[others.index], others)  # bit-exact
    expected_033 = original.loc[IMG033].copy()
    expected_033[("Mackenzie", "Finger1", "x")] = 412.5  # the one point the user moved
    expected_033[("Mackenzie", "Finger1", "y")] = 198.25
    pd.testing.assert_series_equal(h5.loc[IMG033], expected_033)  # the rest: the labels
    new = h5.loc[IMG250].unstack("coords")[["x", "y"]].droplevel("scorer")
    expected = {
        "Hand": [310.5, 405.5],  # moved
        "Finger1": [301.0, 401.0],  # the prediction, untouched: now a label
        "Tongue": [np.nan, np.nan],  # below pcutoff: never shown, not a label
        "Joystick1": [303.0, 403.0],
        "Joystick2": [np.nan, np.nan],  # deleted
    }
    for bodypart, xy in expected.items():
        np.testing.assert_array_equal(new.loc[bodypart].to_numpy(), xy, err_msg=bodypart)


def test_merging_other_body_parts_is_refused_naming_the_file(folder: Path) -> None:
    before = {p.name: p.read_bytes() for p in folder.glob("CollectedData_*")}
    dm = open_path(_machine(folder, ["Hand", "Nose"])).dm
    pose = pose_sets(dm)[MACHINE]
    with pytest.raises(FormatError, match=r"CollectedData_Mackenzie\.h5.*body parts differ") as err:
        write_dlc_pair(dm, pose, folder / "CollectedData_Mackenzie.h5")
    assert f"only in pose set '{MACHINE}': ['Nose']" in str(err.value)
    assert "only in the file: ['Finger1', 'Tongue', 'Joystick1', 'Joystick2']" in str(err.value)
    assert {p.name: p.read_bytes() for p in folder.glob("CollectedData_*")} == before


def test_a_labelled_data_folder_shows_its_machine_labels_beside_its_labels(folder: Path) -> None:
    """Were: machinelabels-iter0.h5 ignored; only CollectedData's labels opened."""
    _machine(folder)
    dm = open_path(folder).dm
    assert set(pose_sets(dm)) == {"reachingvideo1", MACHINE}
    labels, machine = pose_sets(dm)["reachingvideo1"], pose_sets(dm)[MACHINE]
    assert labels.source["likelihood"] is False
    assert machine.source["likelihood"] is True  # predictions, drawn as such
    assert machine.source["likelihood_threshold"] == 0.4  # the project's pcutoff
    assert machine.skeleton == labels.skeleton == [("Hand", "Finger1"), ("Joystick1", "Joystick2")]
    np.testing.assert_array_equal(dm.get_data(f"{MACHINE}_Hand").times_with_data(), [1, 4])
    np.testing.assert_array_equal(dm.get_data(f"{MACHINE}_Hand").at(4), [[300, 400]])
    np.testing.assert_array_equal(dm.get_data(f"{MACHINE}_Tongue").times_with_data(), [1])
    assert dm.get_data("reachingvideo1_Hand").times_with_data().tolist() == [0, 1, 2, 3]


def test_a_folder_with_only_machine_labels_opens_them(folder: Path) -> None:
    """An outlier video's first refinement: no CollectedData_* yet, only machine labels."""
    _machine(folder)
    for path in folder.glob("CollectedData_*"):
        path.unlink()
    dm = open_path(folder).dm
    assert dm.get_data("media").shape[0] == 5
    assert set(pose_sets(dm)) == {MACHINE}


def test_refined_machine_labels_without_collected_data_start_the_scorers_table(
    folder: Path,
) -> None:
    """No CollectedData_* yet: a new one of the project's scorer, as DeepLabCut's refine saves."""
    machine = _machine(folder)
    for path in folder.glob("CollectedData_*"):
        path.unlink()
    target = refine_target(machine)
    assert target == folder / "CollectedData_Mackenzie.h5"  # config.yaml: scorer Mackenzie
    dm = open_path(folder).dm
    write_dlc_pair(dm, pose_sets(dm)[MACHINE], target)
    h5 = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    csv = pd.read_csv(folder / "CollectedData_Mackenzie.csv", header=[0, 1, 2], index_col=[0, 1, 2])
    pd.testing.assert_frame_equal(csv, h5, check_names=False)
    assert ["/".join(row) for row in h5.index] == [IMG033, IMG250]  # the source's 3 columns
    assert set(h5.columns.get_level_values("scorer")) == {"Mackenzie"}
    assert set(h5.columns.get_level_values("coords")) == {"x", "y"}
    assert h5.loc[tuple(IMG250.split("/")), ("Mackenzie", "Hand", "x")] == 300.0


def test_labels_read_elsewhere_merge_instead_of_replacing_the_folders_labels(
    folder: Path, tmp_path: Path
) -> None:
    """Were: the folder's CollectedData_Mackenzie rewritten with only the other file's rows."""
    original = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    elsewhere = tmp_path / "alice" / "labeled-data" / "reachingvideo1"
    elsewhere.mkdir(parents=True)
    for image in ("img033.png", "img142.png"):
        (elsewhere / image).write_bytes((folder / image).read_bytes())
    alice = original.loc[[IMG033, "labeled-data/reachingvideo1/img142.png"]] + 1.0
    alice.columns = alice.columns.set_levels(["Alice"], level="scorer")
    alice.to_csv(elsewhere / "CollectedData_Alice.csv")
    dm = open_path(elsewhere / "CollectedData_Alice.csv").dm
    pose = pose_sets(dm)["reachingvideo1"]
    hand = dm.get_data("reachingvideo1_Hand")
    hand.set_frame(0, np.array([[50.0, 60.0]], np.float32), hand.ids_at(0))  # img033, moved
    write_dlc_pair(dm, pose, folder / "CollectedData_Mackenzie.h5")
    h5, _ = _read_both(folder)
    expected = original.copy()
    expected.loc[IMG033, ("Mackenzie", "Hand", "x")] = 50.0  # the one change; Alice's other
    expected.loc[IMG033, ("Mackenzie", "Hand", "y")] = 60.0  # values do not overwrite
    pd.testing.assert_frame_equal(h5, expected)


def test_merging_other_individuals_is_refused(tmp_path: Path) -> None:
    def table(path: Path, individuals: list[str]) -> Path:
        columns = pd.MultiIndex.from_product(
            [["me"], individuals, ["nose"], ["x", "y"]],
            names=["scorer", "individuals", "bodyparts", "coords"],
        )
        rows = [[1.0, 2.0] * len(individuals)]
        pd.DataFrame(rows, index=["labeled-data/v/img0.png"], columns=columns).to_csv(path)
        return path

    existing = table(tmp_path / "CollectedData_me.csv", ["mouse1", "mouse2"])
    other = tmp_path / "other"
    other.mkdir()
    dm = open_path(table(other / "CollectedData_you.csv", ["mouse1", "mouse3"])).dm
    before = existing.read_bytes()
    with pytest.raises(FormatError, match=r"CollectedData_me\.csv.*individuals differ") as err:
        write_dlc_pair(dm, pose_sets(dm)["other"], existing)
    assert "only in the file: ['mouse2']" in str(err.value)
    assert existing.read_bytes() == before


def test_a_project_of_several_videos_shows_each_folder_on_frames_of_its_own(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Was: frame k showed image k of every folder (media, media_2) and each folder's labels
    over the others' images (reachingvideo1's Hand drawn on reachingvideo2's outlier frame),
    with a warning saying so."""
    import shutil

    second = folder.parent / "reachingvideo2"
    shutil.copytree(folder, second)
    for path in second.glob("CollectedData_*"):
        path.unlink()
    _machine(second)  # an outlier video's first refinement
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(folder.parents[1]).dm  # the project folder
    assert set(pose_sets(dm)) == {"reachingvideo1", "reachingvideo2_machinelabels-iter0"}
    assert not [r for r in caplog.records if getattr(r, "load_note", None)]
    assert dm.keys("images") == ["media"]  # img005 img033 img038 img142, then the same + img250
    assert len(dm.get_data("media")) == 9
    hand = dm.get_data("reachingvideo1_Hand").times_with_data()
    machine = dm.get_data("reachingvideo2_machinelabels-iter0_Hand").times_with_data()
    assert hand.tolist() == [0, 1, 2, 3]
    assert machine.tolist() == [5, 8]  # reachingvideo2's img033 and img250


@pytest.mark.parametrize("writer", ["write_dlc_pair", "write_dlc"])
def test_the_labels_set_shows_a_merge_written_from_python_and_its_next_save_keeps_it(
    folder: Path, writer: str
) -> None:
    """A second refinement of img250, written with the README's ``write_dlc_pair``.

    Was: only Ctrl+S brought the folder's labels set up to date with a merge; after
    ``write_dlc_pair`` (or napari's File > Save Selected Layers, which calls it) the set
    kept img250's old Hand, and its next save wrote it back over the refined one.
    """
    from _dlc_project import REACHING_BODYPARTS, write_machine_labels
    from napari_whiskertoolbox.io import dlc

    _machine(folder)
    first = open_path(folder).dm
    write_dlc_pair(first, pose_sets(first)[MACHINE], folder / "CollectedData_Mackenzie.h5")
    rows = [[v for k in range(5) for v in (320.0 + k, 420.0 + k, 0.9)]]
    write_machine_labels(folder, ["img250.png"], rows, REACHING_BODYPARTS, iteration=1)
    dm = open_path(folder).dm
    own = pose_sets(dm)["reachingvideo1"]
    hand = dm.get_data(own.require_key("", "Hand"))
    frame = int(next(f for f, row in own.source["rows"].items() if row == IMG250))
    np.testing.assert_array_equal(hand.at(frame), [[300.0, 400.0]])  # iter0's, merged
    machine = pose_sets(dm)["reachingvideo1_machinelabels-iter1"]
    predicted = dm.get_data(machine.require_key("", "Hand"))
    predicted.set_frame(frame, predicted.at(frame) + np.float32(5))  # corrected: (325, 425)
    getattr(dlc, writer)(dm, machine, folder / "CollectedData_Mackenzie.h5")
    np.testing.assert_array_equal(hand.at(frame), [[325.0, 425.0]])  # the set shows the file
    assert dm.history.undo_label == "Show the labels merged into CollectedData_Mackenzie.h5"
    dm.undo()  # one step
    np.testing.assert_array_equal(hand.at(frame), [[300.0, 400.0]])
    dm.redo()
    hand.set_frame(0, hand.at(0) + np.float32(1))  # then a label of img005 is moved
    write_dlc_pair(dm, pose_sets(dm)["reachingvideo1"], folder / "CollectedData_Mackenzie.h5")
    back = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    assert back.loc[IMG250, ("Mackenzie", "Hand", "x")] == 325.0
    assert back.loc[IMG250, ("Mackenzie", "Hand", "y")] == 425.0


def test_a_point_the_reader_hid_is_no_deletion_whatever_hid_it(tmp_path: Path) -> None:
    """Were: a ``nan`` likelihood passed the merge's ``likelihood < threshold``, so the point the
    reader hid for it (NaN fails any threshold) counted as deleted and erased the label."""
    path = tmp_path / "machine.csv"
    path.write_text(
        "scorer,s,s,s,s,s,s\nbodyparts,a,a,a,b,b,b\ncoords,x,y,likelihood,x,y,likelihood\n"
        "0,1,2,nan,1,2,0.9\n"  # a: a nan likelihood (hidden)
        "1,3,4,0.2,3,4,0.9\n"  # a: below the threshold (hidden)
        "2,5,6,,5,6,0.9\n"  # a: an empty cell (a score not given: shown)
        "3,7,8,0.9,7,8,0.9\n"  # a: above (shown)
    )
    source = read_dlc(path)
    rows, columns = source.rows, source.columns
    shown = source.xy.copy()
    shown[[0, 1], 0] = np.nan  # what reading with a threshold of 0.5 shows
    assert not changed_cells(shown, rows, columns, source, 0.5).any()
    deleted = shown.copy()
    deleted[[2, 3], 0] = np.nan  # the shown points of a, deleted
    changed = changed_cells(deleted, rows, columns, source, 0.5)
    np.testing.assert_array_equal(changed[:, 0], [False, False, True, True])
    assert not changed[:, 1].any()
