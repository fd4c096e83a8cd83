"""Ctrl+S of DeepLabCut labels whose ``.h5`` and ``.csv`` disagree: nothing on disk is lost.

Was: opening the ``.csv`` and saving silently replaced a label only in the ``.h5`` (the
file training reads) with NaN; opening the project (the ``.h5``) and saving silently
replaced a hand-typed label of the ``.csv``; the only notice was "Saved the labels to …".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from _ask_support import Answers
from _reaching_edits import drag_first_point, open_with_hand_dragged

from _dlc_project import copy_reaching, tongue, tongue_in_csv, tongue_in_h5
from napari_whiskertoolbox.core import LineData
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
H5 = "CollectedData_Mackenzie.h5"
CSV = "CollectedData_Mackenzie.csv"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_reaching(tmp_path) / "labeled-data" / "reachingvideo1"


@pytest.fixture
def warned() -> Iterator[list[str]]:
    """Messages of the napari notices of severity warning shown during the test."""
    from napari.utils.notifications import NotificationSeverity, notification_manager

    seen: list[str] = []

    def record(notification: Any) -> None:
        if notification.severity == NotificationSeverity.WARNING:
            seen.append(str(notification.message))

    notification_manager.notification_ready.connect(record)
    yield seen
    notification_manager.notification_ready.disconnect(record)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, header=[0, 1, 2], index_col=0)


def test_ctrl_s_of_the_csv_keeps_the_h5s_own_label_and_says_so(
    make_napari_viewer: Any, folder: Path, warned: list[str]
) -> None:
    tongue_in_h5(folder)
    old_h5 = (folder / H5).read_bytes()
    viewer = make_napari_viewer()
    viewer.open(str(folder / CSV), plugin=PLUGIN)
    assert warned == [
        f"Labels .h5 and .csv disagree: {H5} holds 1 label different (Tongue on img005.png) "
        f"from {CSV}, which was read. Saving writes both from {CSV}, keeping the old {H5} as "
        "a .bak copy beside it"
    ]
    session = get_session(viewer)
    get_workflow(viewer).ask = Answers()
    session.set_frame(1)
    drag_first_point(viewer.layers["reachingvideo1"])
    assert actions.save(session)
    (backup,) = folder.glob(f"{H5}.*.bak")
    assert backup.read_bytes() == old_h5
    assert tongue(pd.read_hdf(backup)) == (555.5, 333.25)
    assert np.isnan(tongue(pd.read_hdf(folder / H5))).all()
    assert warned[1:] == [
        f"Backup kept: {H5} held 1 label different from {CSV}, which was saved over (Tongue "
        f"on img005.png); its old contents are in {backup.name}; saved the labels to "
        f"reachingvideo1/{CSV}, reachingvideo1/{H5}"
    ]


def test_ctrl_s_of_the_project_keeps_a_hand_edited_csv_and_says_so(
    make_napari_viewer: Any, folder: Path, warned: list[str]
) -> None:
    tongue_in_csv(folder)
    _, session = open_with_hand_dragged(make_napari_viewer, folder.parents[1], Answers())
    assert len(warned) == 1
    assert warned[0].startswith(f"Labels .h5 and .csv disagree: {CSV} holds 1 label")
    assert actions.save(session)
    (backup,) = folder.glob(f"{CSV}.*.bak")
    assert tongue(_read_csv(backup)) == (555.5, 333.25)
    assert np.isnan(tongue(_read_csv(folder / CSV))).all()
    assert len(warned) == 2
    assert warned[1].startswith(f"Backup kept: {CSV} held 1 label different from {H5}")
    assert backup.name in warned[1]


def test_saving_a_pair_that_agrees_warns_of_nothing(
    make_napari_viewer: Any, folder: Path, warned: list[str], notifications: list[str]
) -> None:
    _, session = open_with_hand_dragged(make_napari_viewer, folder.parents[1], Answers())
    assert actions.save(session)
    assert warned == []
    assert notifications[-1] == f"Saved the labels to reachingvideo1/{H5}, reachingvideo1/{CSV}"
    assert not list(folder.glob("*.bak"))


def test_labels_saved_with_a_session_folder_say_which_backup_was_kept(
    make_napari_viewer: Any, folder: Path, warned: list[str]
) -> None:
    tongue_in_csv(folder)
    project = folder.parents[1]
    _, session = open_with_hand_dragged(make_napari_viewer, project, Answers(folder=project))
    dm = session.dm
    dm.set_data("whisker", LineData(), dm.time_key("media"))
    dm.get_data("whisker").add(1, np.array([[300.0, 500.0], [280.0, 560.0]], np.float32))
    assert actions.save(session)
    (backup,) = folder.glob(f"{CSV}.*.bak")
    assert tongue(_read_csv(backup)) == (555.5, 333.25)
    (notice,) = warned[1:]
    assert notice.startswith(f"Backup kept: {CSV} held 1 label different from {H5}")
    assert f"; {H5}/.csv updated (1 label changed" in notice
    assert backup.name in notice
    assert "lines saved in" in notice
