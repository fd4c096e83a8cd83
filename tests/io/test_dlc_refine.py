"""Refining DeepLabCut outlier frames: machine labels saved into an existing CollectedData_*."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from _dlc_tables import write_machine_labels

from _dlc_project import copy_reaching
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.dlc import write_dlc_pair
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import open_path

if TYPE_CHECKING:
    from pathlib import Path

BODYPARTS = ["Hand", "Finger1", "Tongue", "Joystick1", "Joystick2"]
IMG033 = "labeled-data/reachingvideo1/img033.png"
IMG250 = "labeled-data/reachingvideo1/img250.png"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The Reaching labelled-data folder, with outlier frame img250.png extracted into it."""
    labels = copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"
    shutil.copyfile(labels / "img142.png", labels / "img250.png")
    return labels


def _machine(folder: Path, bodyparts: list[str] = BODYPARTS) -> Path:
    # img033 is labelled already; img250 is new. Tongue of img250 is below pcutoff (0.4).
    n = len(bodyparts)
    rows = [
        [v for k in range(n) for v in (100.0 + k, 200.0 + k, 0.9)],
        [v for k in range(n) for v in (300.0 + k, 400.0 + k, 0.1 if k == 2 else 0.95)],
    ]
    return write_machine_labels(folder, ["img033.png", "img250.png"], rows, bodyparts)


def _read_both(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    h5 = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    csv = pd.read_csv(folder / "CollectedData_Mackenzie.csv", header=[0, 1, 2], index_col=0)
    return h5, csv


def test_refined_machine_labels_merge_into_the_existing_collected_data(folder: Path) -> None:
    """Were: refused ("it holds labels ... writing would erase them"), nothing saved."""
    original = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    dm = open_path(_machine(folder)).dm
    pose = pose_sets(dm)["machinelabels-iter0"]
    frame_033, frame_250 = 1, 4  # positions among img005 img033 img038 img142 img250
    finger = dm.get_data("machinelabels-iter0_Finger1")
    finger.set_frame(frame_033, np.array([[412.5, 198.25]], np.float32), finger.ids_at(frame_033))
    hand = dm.get_data("machinelabels-iter0_Hand")
    hand.set_frame(frame_250, np.array([[310.5, 405.5]], np.float32), hand.ids_at(frame_250))
    dm.get_data("machinelabels-iter0_Joystick2").set_frame(frame_250, np.empty((0, 2)), [])
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
    pose = pose_sets(dm)["machinelabels-iter0"]
    with pytest.raises(FormatError, match=r"CollectedData_Mackenzie\.h5.*body parts differ") as err:
        write_dlc_pair(dm, pose, folder / "CollectedData_Mackenzie.h5")
    assert "only in pose set 'machinelabels-iter0': ['Nose']" in str(err.value)
    assert "only in the file: ['Finger1', 'Tongue', 'Joystick1', 'Joystick2']" in str(err.value)
    assert {p.name: p.read_bytes() for p in folder.glob("CollectedData_*")} == before
