"""The first save of a config's session says where it goes and offers the config's own files."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _ask_support import Answers
from qtpy.QtCore import Qt

from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.ask import ChoiceDialog
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow
from napari_whiskertoolbox.workflow.save_target import (
    CONFIG_FILES,
    FIRST_SAVE_QUESTION,
    SESSION_FOLDER,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


@pytest.fixture
def config(tmp_path: Path, wtb_data: Path) -> Path:
    (tmp_path / "Points").mkdir()
    rows = (wtb_data / "Points" / "test_point.csv").read_text(encoding="utf-8").splitlines()
    # without the Probability column the loader ignores (a save would drop it: refused)
    points = "".join(" ".join(row.split()[:3]) + "\n" for row in rows)
    (tmp_path / "Points" / "tip.csv").write_text(points, encoding="utf-8")
    path = tmp_path / "exp.json"
    path.write_text(
        json.dumps([{"data_type": "points", "name": "tip", "filepath": "Points/tip.csv"}]),
        encoding="utf-8",
    )
    return path


def _edited(make_napari_viewer: Any, config: Path, answers: Any, **kwargs: Any) -> Any:
    viewer = make_napari_viewer(**kwargs)
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    if answers is not None:
        get_workflow(viewer).ask = answers
    session.dm.get_data("tip").add(3, np.array([[5.5, 6.5]], dtype=np.float32))
    return viewer, session


def test_first_save_says_where_and_why_then_saves_the_session_folder(
    make_napari_viewer, config, tmp_path, notifications
):
    answers = Answers()
    viewer, session = _edited(make_napari_viewer, config, answers)
    assert viewer.title == "exp.json — napari *"
    assert actions.save(session)
    (question,) = answers.questions
    assert question.id == FIRST_SAVE_QUESTION
    assert [c.id for c in question.choices] == [SESSION_FOLDER, CONFIG_FILES]
    folder_choice, files_choice = question.choices
    assert "exp.session" in folder_choice.label
    assert "opening exp.json later offers this session" in folder_choice.detail
    assert files_choice.enabled
    assert "tip → Points/tip.csv" in files_choice.detail
    folder = tmp_path / "exp.session"
    assert (folder / "session.json").is_file()
    assert session.path == folder
    assert viewer.title == "exp.session — napari"
    assert any("beside exp.json" in message for message in notifications)
    session.dm.get_data("tip").add(4, np.array([[1.0, 1.0]], dtype=np.float32))
    assert actions.save(session)
    assert len(answers.questions) == 1  # later saves go to the same place without asking
    assert config.read_text(encoding="utf-8").count("tip.csv") == 1  # the config is untouched


def test_saving_into_the_config_files_rewrites_them_in_their_format(
    make_napari_viewer, config, tmp_path
):
    answers = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    _viewer, session = _edited(make_napari_viewer, config, answers)
    assert actions.save(session)
    assert not (tmp_path / "exp.session").exists()
    assert not session.dm.modified
    assert session.path == config
    np.testing.assert_array_equal(load_config(config).get_data("tip").at(3)[-1], [5.5, 6.5])
    session.dm.get_data("tip").add(6, np.array([[2.0, 2.0]], dtype=np.float32))
    assert actions.save(session)
    assert len(answers.questions) == 1
    session.dm.set_data("whiskers", PointData())  # not in the config: ask again
    answers.answers[FIRST_SAVE_QUESTION] = SESSION_FOLDER
    assert actions.save(session)
    assert len(answers.questions) == 2
    files_choice = answers.questions[1].choice(CONFIG_FILES)
    assert not files_choice.enabled
    assert "whiskers is not in the config" in files_choice.detail
    assert session.path == tmp_path / "exp.session"


def test_the_save_prompt_is_a_real_dialog_in_a_visible_window(
    make_napari_viewer, config, tmp_path, qtbot, answer_dialog
):
    _viewer, session = _edited(make_napari_viewer, config, None, show=True)

    def choose_folder(dialog: ChoiceDialog) -> None:
        assert dialog.buttons[CONFIG_FILES].isEnabled()
        qtbot.mouseClick(dialog.buttons[SESSION_FOLDER], Qt.MouseButton.LeftButton)

    seen = answer_dialog(ChoiceDialog, choose_folder)
    assert actions.save(session)
    assert seen == ["Where should this session be saved?"]
    assert (tmp_path / "exp.session" / "session.json").is_file()
    session.dm.get_data("tip").add(7, np.array([[3.0, 3.0]], dtype=np.float32))
    assert actions.save(session)  # the session folder now: no question
