"""DeepLabCut files saved, an edit undone, saved again: the file is the original again.

Points are held as float32; a DeepLabCut file holds float64. A point the save did not
change is written with the file's float64 value, also after the save replaced that value
and the edit was undone (the table a save replaced is remembered); a point really edited
is written as the shortest text of its float32.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from _dlc_project import copy_reaching
from _dlc_tables import write_two_mice_predictions
from napari_whiskertoolbox.io import dlc
from napari_whiskertoolbox.io.dlc import read_dlc, write_dlc, write_dlc_pair
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import open_path

if TYPE_CHECKING:
    from pathlib import Path

IMG033 = "labeled-data/reachingvideo1/img033.png"


def _open_labels(tmp_path: Path):
    folder = copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"
    dm = open_path(folder).dm
    return folder, dm, pose_sets(dm)["reachingvideo1"]


def _move(points, frame: int, by: float = 5.0) -> None:
    """Move the one point of ``frame`` by ``by`` pixels in x and y (one undo step)."""
    points.set_frame(frame, points.at(frame) + np.float32(by), points.ids_at(frame))


@pytest.mark.parametrize("saved", ["csv", "h5"])
def test_labels_edit_save_undo_save_gives_the_original_files(tmp_path, saved) -> None:
    folder, dm, pose = _open_labels(tmp_path)
    csv, h5 = folder / "CollectedData_Mackenzie.csv", folder / "CollectedData_Mackenzie.h5"
    csv_before = csv.read_bytes()
    h5_before = pd.read_hdf(h5, "df_with_missing")
    finger = dm.get_data("reachingvideo1_Finger1")
    _move(finger, 1)  # img033
    write_dlc_pair(dm, pose, folder / f"CollectedData_Mackenzie.{saved}")
    assert csv.read_bytes() != csv_before
    edited_csv = csv.read_bytes()
    assert dm.undo()
    write_dlc_pair(dm, pose, folder / f"CollectedData_Mackenzie.{saved}")
    assert csv.read_bytes() == csv_before  # was: the undone point written float32-rounded
    pd.testing.assert_frame_equal(pd.read_hdf(h5, "df_with_missing"), h5_before)
    assert dm.redo()
    write_dlc_pair(dm, pose, folder / f"CollectedData_Mackenzie.{saved}")
    assert csv.read_bytes() == edited_csv  # the edit again, written as the first time


def test_an_undo_two_saves_back_is_written_with_the_original_value(tmp_path) -> None:
    folder, dm, pose = _open_labels(tmp_path)
    csv = folder / "CollectedData_Mackenzie.csv"
    before = csv.read_bytes()
    finger = dm.get_data("reachingvideo1_Finger1")
    for by in (5.0, 7.0, 9.0):  # three edits of one point, each saved
        _move(finger, 1, by)
        write_dlc_pair(dm, pose, csv)
    for _ in range(3):
        assert dm.undo()
    write_dlc_pair(dm, pose, csv)
    assert csv.read_bytes() == before


def test_an_edited_point_is_written_as_the_shortest_text_of_its_float32(tmp_path) -> None:
    folder, dm, pose = _open_labels(tmp_path)
    finger = dm.get_data("reachingvideo1_Finger1")
    finger.set_frame(1, np.array([[204.31158, 100.1]], np.float32), finger.ids_at(1))
    write_dlc_pair(dm, pose, folder / "CollectedData_Mackenzie.csv")
    line = next(
        t for t in (folder / "CollectedData_Mackenzie.csv").read_text().splitlines() if IMG033 in t
    )
    assert ",204.31158,100.1," in line  # was 204.31158447265625,100.0999984741211
    for name in ("CollectedData_Mackenzie.csv", "CollectedData_Mackenzie.h5"):
        back = read_dlc(folder / name)
        xy = back.xy[back.rows.index(IMG033), back.columns.index(("", "Finger1"))]
        assert xy.tolist() == [204.31158, 100.1]  # the .h5 holds the same float64
        np.testing.assert_array_equal(xy.astype(np.float32), finger.at(1)[0])


def _predictions(path: Path) -> pd.DataFrame:
    """A single-animal predictions CSV with float64 values no float32 holds."""
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50_x"], ["Hand", "Tongue"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    rng = np.random.default_rng(3)
    values = rng.uniform(10, 600, (4, 6))
    values[:, 2::3] = rng.uniform(0.5, 1.0, (4, 2))
    frame = pd.DataFrame(values, index=range(4), columns=columns)
    frame.to_csv(path)
    return frame


def test_predictions_edit_save_undo_save_keeps_values_and_likelihood(tmp_path) -> None:
    path = tmp_path / "videoDLC_resnet50_x.csv"
    _predictions(path)
    before = path.read_bytes()
    dm = open_path(path).dm
    (pose,) = pose_sets(dm).values()
    hand = dm.get_data(pose.key("", "Hand"))
    _move(hand, 2)
    with pytest.warns(UserWarning, match="1 point placed or moved by hand"):
        write_dlc(dm, pose, path)
    assert read_dlc(path).likelihood[2, 0] == 1.0  # moved by hand
    assert dm.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no point by hand any more: no warning
        write_dlc(dm, pose, path)
    assert path.read_bytes() == before  # coordinates and the network's likelihood back


def test_multi_animal_edit_save_undo_save_gives_the_original_file(tmp_path) -> None:
    rng = np.random.default_rng(5)
    rows = rng.uniform(10, 600, (3, 12))
    rows[:, 2::3] = rng.uniform(0.5, 1.0, (3, 4))
    path = write_two_mice_predictions(tmp_path / "miceDLC_dlcrnet.csv", rows.tolist())
    before = path.read_bytes()
    dm = open_path(path).dm
    (pose,) = pose_sets(dm).values()
    tail = dm.get_data(pose.key("mouse2", "tail"))
    _move(tail, 1)
    dm.get_data(pose.key("mouse1", "nose")).clear_at(0)
    with pytest.warns(UserWarning, match="placed or moved by hand"):
        write_dlc(dm, pose, path)
    assert dm.undo()
    assert dm.undo()
    write_dlc(dm, pose, path)
    assert path.read_bytes() == before


def test_remembered_tables_are_bounded_and_keep_the_first(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(dlc, "_replaced", {})
    path = tmp_path / "videoDLC_resnet50_x.csv"
    _predictions(path)
    first = read_dlc(path)
    tables = [first] + [
        dlc.replace(first, xy=first.xy + k) for k in range(1, dlc._REPLACED_PER_TABLE + 3)
    ]
    for table in tables:
        dlc.remember_replaced(path, table)
    dlc.remember_replaced(path.with_suffix(".h5"), tables[-1])  # the twin: one table, kept once
    kept = dlc.replaced_tables(path)
    assert len(kept) == dlc._REPLACED_PER_TABLE
    assert kept[0] is tables[-1]  # newest first
    assert kept[-1] is first  # the first stays
    monkeypatch.setattr(dlc, "_REPLACED_BYTES", 2 * dlc._table_bytes(first))
    other = tmp_path / "otherDLC_resnet50_x.csv"
    dlc.remember_replaced(other, first)
    assert dlc.replaced_tables(path) == []  # the least recently saved file forgotten
    assert dlc.replaced_tables(other) == [first]
