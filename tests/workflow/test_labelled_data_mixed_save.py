"""Ctrl+S of a DeepLabCut session with lines and masks too: labels home, the rest in a folder.

Was: one key that CollectedData cannot hold sent the whole session to a session folder;
CollectedData_Mackenzie.h5/.csv stayed as they were (a DeepLabCut user then trained on the
old labels), and opening the project again said nothing of the session folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from _ask_support import Answers
from _reaching_edits import open_with_hand_dragged

from _dlc_project import copy_reaching
from napari_whiskertoolbox.core import LineData, MaskData
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.opening import NEWER_SESSION_QUESTION
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
IMAGE = "labeled-data/reachingvideo1/img033.png"
HAND_X = ("Mackenzie", "Hand", "x")
WHISKER = np.array([[300.0, 500.0], [280.0, 560.0], [270.0, 620.0]], np.float32)
PAD = np.array([[500, 300], [500, 301], [501, 300]], np.int32)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_reaching(tmp_path)


def _labels(project: Path) -> Path:
    return project / "labeled-data" / "reachingvideo1" / "CollectedData_Mackenzie.h5"


def _both_tables(project: Path) -> list[pd.DataFrame]:
    h5 = _labels(project)
    return [pd.read_hdf(h5), pd.read_csv(h5.with_suffix(".csv"), header=[0, 1, 2], index_col=0)]


def _mixed_edits(make_napari_viewer: Any, project: Path) -> tuple[Any, Any, Answers]:
    """Open the project folder; move Hand on img033, draw a whisker, paint a mask."""
    answers = Answers(folder=project)  # the user picks the project folder
    viewer, session = open_with_hand_dragged(make_napari_viewer, project, answers)
    dm = session.dm
    clock = dm.time_key("media")
    dm.set_data("whisker", LineData(), clock)  # as the README's Console section shows
    dm.set_data("pad", MaskData(), clock)
    dm.get_data("whisker").add(1, WHISKER)
    dm.get_data("pad").add(1, PAD)
    return viewer, session, answers


def test_ctrl_s_writes_the_labels_into_collected_data_and_the_lines_and_mask_into_a_folder(
    make_napari_viewer: Any, project: Path, notifications: list[str]
) -> None:
    original = pd.read_hdf(_labels(project))
    viewer, session, answers = _mixed_edits(make_napari_viewer, project)
    assert actions.save(session)
    assert answers.folder_titles == ["Save the WhiskerToolbox session in"]
    for back in _both_tables(project):
        assert back.loc[IMAGE, HAND_X] == pytest.approx(original.loc[IMAGE, HAND_X] + 5)
        others = original.drop(index=IMAGE)
        np.testing.assert_array_equal(back.loc[others.index].to_numpy(float), others.to_numpy())
    folder = project / "reaching.session"
    assert session.path == folder
    saved = open_path(folder).dm
    np.testing.assert_array_equal(saved.get_data("whisker").at(1)[0], WHISKER)
    np.testing.assert_array_equal(saved.get_data("pad").at(1)[0], PAD)
    assert not session.dm.modified
    assert not viewer.title.endswith("*")
    n_labels = int(np.isfinite(original.to_numpy(float)).sum() // 2)
    assert notifications[-1] == (
        f"CollectedData_Mackenzie.h5/.csv updated (1 label changed, {n_labels} in all); "
        f"lines and masks saved in reaching/reaching.session ({project})"
    )


def test_the_next_ctrl_s_writes_the_labels_back_again_without_asking(
    make_napari_viewer: Any, project: Path, notifications: list[str]
) -> None:
    viewer, session, answers = _mixed_edits(make_napari_viewer, project)
    assert actions.save(session)
    keypoints = viewer.layers["reachingvideo1"]
    moved = np.array(keypoints.data)
    moved[0] += np.float32(2)  # Hand again, now in the session folder's session
    keypoints.data = moved
    before = pd.read_hdf(_labels(project)).loc[IMAGE, HAND_X]
    assert actions.save(session)
    assert len(answers.folder_titles) == 1  # asked once
    for back in _both_tables(project):
        assert back.loc[IMAGE, HAND_X] == pytest.approx(before + 2)
    assert notifications[-1].startswith("CollectedData_Mackenzie.h5/.csv updated (1 label changed")
    assert notifications[-1].endswith(f"the session saved in reaching.session ({project})")


def test_ctrl_s_says_collected_data_was_not_updated_when_it_is_gone(
    make_napari_viewer: Any, project: Path, notifications: list[str]
) -> None:
    _, session, _ = _mixed_edits(make_napari_viewer, project)
    labels = _labels(project)
    labels.unlink()
    labels.with_suffix(".csv").unlink()
    assert actions.save(session)
    assert not labels.exists()
    saved = open_path(project / "reaching.session").dm  # every edit kept there
    assert len(saved.get_data("whisker").at(1)) == 1
    assert notifications[-1].startswith(
        "labels file NOT updated: reachingvideo1's keypoints could not go back: "
        f"CollectedData_Mackenzie.h5 is no longer at {labels.parent}; everything, those "
        "keypoints too, saved in reaching/reaching.session"
    )


def test_ctrl_s_says_collected_data_was_not_updated_when_the_table_refuses(
    make_napari_viewer: Any, project: Path, notifications: list[str]
) -> None:
    _, session, _ = _mixed_edits(make_napari_viewer, project)
    before = _labels(project).read_bytes()
    # a label on a frame past the labelled images: the table has no row to put it in
    session.dm.get_data("reachingvideo1_Finger1").add(500, np.array([[1.0, 2.0]], np.float32))
    assert actions.save(session)
    assert _labels(project).read_bytes() == before
    saved = open_path(project / "reaching.session").dm  # every edit kept there
    assert len(saved.get_data("reachingvideo1_Finger1").at(500)) == 1
    assert notifications[-1].startswith(
        "labels file NOT updated: CollectedData_Mackenzie.h5/.csv refused the labels: frame "
        "500 has points but there is no image at that position"
    )
    assert notifications[-1].endswith(
        f"everything, those keypoints too, saved in reaching/reaching.session ({project})"
    )


def test_opening_the_project_again_offers_the_newer_session_folder(
    make_napari_viewer: Any, project: Path, notifications: list[str]
) -> None:
    _, session, _ = _mixed_edits(make_napari_viewer, project)
    assert actions.save(session)
    folder = project / "reaching.session"

    chosen = make_napari_viewer()
    answers = Answers(choose={NEWER_SESSION_QUESTION: "session"})
    get_workflow(chosen).ask = answers
    chosen.open(str(project), plugin=PLUGIN)
    assert [q.id for q in answers.questions] == [NEWER_SESSION_QUESTION]
    assert "reaching.session" in answers.questions[0].text
    assert get_session(chosen).path == folder
    assert len(get_session(chosen).dm.get_data("whisker").at(1)) == 1

    by_table = make_napari_viewer()  # nobody to ask: the labels as asked, and a word
    by_table.open(str(_labels(project)), plugin=PLUGIN)
    assert "whisker" not in get_session(by_table).dm
    assert any(f"The newer saved session {folder}" in message for message in notifications)


def test_labels_saved_after_the_session_folder_are_opened_without_offering_it(
    make_napari_viewer: Any, project: Path
) -> None:
    _, session, _ = _mixed_edits(make_napari_viewer, project)
    assert actions.save(session)
    later = make_napari_viewer()  # the labels as written, a keypoint moved, Ctrl+S
    get_workflow(later).ask = Answers()
    later.open(str(project), plugin=PLUGIN)
    get_session(later).set_frame(1)
    keypoints = later.layers["reachingvideo1"]
    moved = np.array(keypoints.data)
    moved[0] += np.float32(1)
    keypoints.data = moved
    assert actions.save(get_session(later))

    again = make_napari_viewer()
    answers = Answers()
    get_workflow(again).ask = answers
    again.open(str(project), plugin=PLUGIN)
    assert answers.questions == []  # CollectedData is newer than the session folder


def test_save_as_writes_the_labels_back_too(
    make_napari_viewer: Any, project: Path, notifications: list[str]
) -> None:
    """Ctrl+Shift+S: the session in the folder picked, the keypoints still into CollectedData.

    Was not: the edits went only to the session folder and, the session then saved, no later
    Ctrl+S wrote them back.
    """
    original = pd.read_hdf(_labels(project))
    _, session = open_with_hand_dragged(make_napari_viewer, project, Answers(folder=project))
    assert actions.save_as(session)
    for back in _both_tables(project):
        assert back.loc[IMAGE, HAND_X] == pytest.approx(original.loc[IMAGE, HAND_X] + 5)
    assert session.path == project / "reaching.session"
    assert notifications[-1].startswith("CollectedData_Mackenzie.h5/.csv updated (1 label")
    assert notifications[-1].endswith(f"the session saved in reaching/reaching.session ({project})")
