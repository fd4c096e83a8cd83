"""A DeepLabCut labels table's two files disagree: a save keeps the other one's old contents.

DeepLabCut keeps ``CollectedData_<scorer>.h5`` (what training reads) and ``.csv``; a save
writes both from the one read. Was: a label only in the other file (a spreadsheet edit of
the ``.csv``, a label only in the ``.h5``), or the whole of an unreadable ``.h5``, was
silently overwritten.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from _dlc_project import copy_reaching, tongue, tongue_in_csv, tongue_in_h5
from napari_whiskertoolbox.io.dlc import read_dlc, write_dlc_pair, write_labels_pair
from napari_whiskertoolbox.io.dlc_project import labels_file_of
from napari_whiskertoolbox.io.dlc_twins import differing_labels
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.report import LOGGER
from napari_whiskertoolbox.io.routing import open_path

if TYPE_CHECKING:
    from pathlib import Path

H5 = "CollectedData_Mackenzie.h5"
CSV = "CollectedData_Mackenzie.csv"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"


def _open(path: Path):
    dm = open_path(path).dm
    return dm, pose_sets(dm)["reachingvideo1"]


def _drag_hand(dm) -> None:
    hand = dm.get_data("reachingvideo1_Hand")
    hand.set_frame(1, hand.at(1) + np.float32(5), hand.ids_at(1))


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, header=[0, 1, 2], index_col=0)


def test_saving_the_csv_keeps_the_h5s_own_label_in_a_backup(folder: Path) -> None:
    tongue_in_h5(folder)
    old_h5 = (folder / H5).read_bytes()
    dm, pose = _open(folder / CSV)
    _drag_hand(dm)
    written = write_labels_pair(dm, pose, folder / CSV)
    assert written.files == [folder / CSV, folder / H5]
    (kept,) = written.kept
    assert kept.path == folder / H5
    assert kept.differing == ["Tongue on img005.png"]
    assert kept.backup.parent == folder
    assert kept.backup.name.startswith(f"{H5}.")
    assert kept.backup.suffix == ".bak"
    assert kept.backup.read_bytes() == old_h5
    assert tongue(pd.read_hdf(kept.backup)) == (555.5, 333.25)
    assert np.isnan(tongue(pd.read_hdf(folder / H5))).all()  # the pair now agrees
    assert kept.message() == (
        f"Backup kept: {H5} held 1 label different from {CSV}, which was saved over (Tongue "
        f"on img005.png); its old contents are in {kept.backup.name}"
    )


def test_saving_the_h5_keeps_a_hand_edited_csv_in_a_backup(folder: Path) -> None:
    tongue_in_csv(folder)
    old_csv = (folder / CSV).read_bytes()
    dm, pose = _open(folder)  # the folder: the .h5 is read
    _drag_hand(dm)
    with pytest.warns(UserWarning, match=r"CollectedData_Mackenzie\.csv held 1 label different"):
        write_dlc_pair(dm, pose, folder / H5)
    (backup,) = folder.glob(f"{CSV}.*.bak")
    assert backup.read_bytes() == old_csv
    assert tongue(_read_csv(backup)) == (555.5, 333.25)
    assert np.isnan(tongue(_read_csv(folder / CSV))).all()


def test_a_pair_that_agrees_is_saved_without_a_backup(folder: Path) -> None:
    dm, pose = _open(folder / CSV)
    _drag_hand(dm)
    assert write_labels_pair(dm, pose, folder / CSV).kept == []
    assert write_labels_pair(dm, pose, folder / CSV).kept == []  # saved again: still one
    assert sorted(p.name for p in folder.glob("CollectedData_*")) == [CSV, H5]


def test_a_damaged_h5_beside_the_csv_read_is_kept_in_a_backup(folder: Path) -> None:
    h5 = folder / H5
    h5.write_bytes(h5.read_bytes()[: h5.stat().st_size // 2])  # truncated
    damaged = h5.read_bytes()
    dm, pose = _open(folder / CSV)
    _drag_hand(dm)
    (kept,) = write_labels_pair(dm, pose, folder / CSV).kept
    assert kept.unreadable
    assert kept.differing == []
    assert kept.backup.read_bytes() == damaged
    assert f"{H5} could not be read" in kept.message()
    assert kept.backup.name in kept.message()
    pd.read_hdf(h5)  # rewritten whole


def test_the_backup_is_not_read_as_the_folders_labels(folder: Path) -> None:
    tongue_in_h5(folder)
    dm, pose = _open(folder / CSV)
    _drag_hand(dm)
    (kept,) = write_labels_pair(dm, pose, folder / CSV).kept
    assert kept.backup.exists()
    assert labels_file_of(folder) == folder / H5
    reopened, _ = _open(folder)
    assert "reachingvideo1_Hand" in reopened


def test_a_project_with_a_damaged_h5_opens_from_the_csv_and_says_so(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Was: the whole project refused (the user had to find and open the .csv)."""
    h5 = folder / H5
    h5.write_bytes(h5.read_bytes()[:1000])
    expected = read_dlc(folder / CSV)
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        dm = open_path(folder).dm
    (pose,) = pose_sets(dm).values()
    assert pose.source["path"] == str(folder / CSV)
    assert "reachingvideo1_Hand" in dm
    notes = [r.load_note for r in caplog.records if getattr(r, "load_note", None)]
    (note,) = [n for n in notes if n.kind == "twin"]
    assert note.message.startswith(f"Labels .h5 and .csv disagree: {H5} could not be read")
    assert f"Saving writes both from {CSV}, keeping the old {H5} as a .bak copy" in note.message
    assert np.isfinite(expected.xy).any()


def test_a_damaged_h5_without_a_readable_csv_is_refused(folder: Path) -> None:
    h5 = folder / H5
    h5.write_bytes(h5.read_bytes()[:1000])
    (folder / CSV).unlink()
    with pytest.raises(FormatError) as raised:
        open_path(folder)
    assert raised.value.path == str(h5)


def test_opening_a_pair_that_disagrees_says_which_was_read_and_how_many_differ(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tongue_in_csv(folder)
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        open_path(folder)
    notes = [r.load_note for r in caplog.records if getattr(r, "load_note", None)]
    (note,) = [n for n in notes if n.kind == "twin"]
    assert note.message.startswith(
        f"Labels .h5 and .csv disagree: {CSV} holds 1 label different (Tongue on img005.png) "
        f"from {H5}, which was read"
    )


def test_text_round_off_is_not_a_different_label(folder: Path) -> None:
    csv = folder / CSV
    text = csv.read_text()
    assert "185.25173502386923" in text
    csv.write_text(text.replace("185.25173502386923", "185.251735023869", 1))  # 15 digits
    assert differing_labels(read_dlc(csv), read_dlc(folder / H5)) == []
    csv.write_text(text.replace("185.25173502386923", "185.26", 1))
    assert differing_labels(read_dlc(csv), read_dlc(folder / H5)) == ["Hand on img005.png"]
