"""Everything set in the script runner comes back after napari closes and opens again."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest
from qtpy.QtCore import Qt

from _venvs import make_venv
from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.scripting import venv
from napari_whiskertoolbox.scripting.settings import settings_path
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def no_active_environment():
    yield
    venv.deactivate_venv()


def open_runner(make_napari_viewer):
    viewer = make_napari_viewer()
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=20))
    runner = ScriptRunnerWidget(viewer)  # the user's settings file (a tmp dir in tests)
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    return viewer, runner


def edit(line_edit, text: str) -> None:
    line_edit.setText(text)
    line_edit.editingFinished.emit()


def saved() -> dict:
    return json.loads(settings_path().read_text(encoding="utf-8"))


def test_settings_buffer_and_environment_survive_closing_the_viewer(
    qtbot, make_napari_viewer, tmp_path: Path, user_config_dir: Path
) -> None:
    env = make_venv(tmp_path / "envs" / "analysis")
    work = tmp_path / "work"
    work.mkdir()
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    first_script, second_script = scripts / "first.py", scripts / "second.py"
    first_script.write_text("first = 1\n")
    second_script.write_text("value = 41\n")

    viewer, runner = open_runner(make_napari_viewer)
    assert settings_path().parent == user_config_dir  # never the user's real home
    panel = runner.properties
    panel.font_size.setValue(14)
    panel.line_numbers.setChecked(False)
    panel.auto_scroll.setChecked(False)
    edit(panel.working_directory, str(work))
    edit(panel.argv, "job.py --gain 2")
    panel.prelude.setPlainText("GAIN = 3\n")
    panel.prelude_enabled.setChecked(True)
    qtbot.mouseClick(panel.apply_prelude, Qt.MouseButton.LeftButton)
    panel.select_environment(str(env))
    assert panel.activate_selected()
    runner.open_path(first_script)
    runner.open_path(second_script)
    runner.editor.moveCursor(runner.editor.textCursor().MoveOperation.End)
    runner.editor.insertPlainText("value += 1  # not saved yet\n")
    assert runner.modified
    buffer = runner.editor.toPlainText()

    viewer.close()
    qtbot.waitUntil(lambda: saved().get("editor_content") == buffer, timeout=5000)
    venv.deactivate_venv()  # a new napari process starts with no environment active
    assert not venv.is_venv_active()

    viewer, runner = open_runner(make_napari_viewer)
    panel = runner.properties
    assert panel.font_size.value() == 14
    assert runner.editor.font().pointSize() == 14
    assert not panel.line_numbers.isChecked()
    assert not runner.editor.line_numbers_visible
    assert not panel.auto_scroll.isChecked()
    assert runner.output.auto_scroll is False
    assert panel.working_directory.text() == str(work)
    assert panel.argv.text() == "job.py --gain 2"
    assert panel.prelude.toPlainText() == "GAIN = 3\n"
    assert panel.prelude_enabled.isChecked()
    assert venv.active_venv_path() == env.resolve()
    assert "analysis" in panel.active_environment.text()
    assert runner.editor.toPlainText() == buffer  # the unsaved buffer ...
    assert runner.modified  # ... restored and marked modified
    assert runner.path == second_script.resolve()
    assert runner._title.value == "second.py *"
    assert second_script.read_text() == "value = 41\n"  # the file itself was not touched
    assert runner._recent.load() == [str(second_script.resolve()), str(first_script.resolve())]
    assert runner._start_folder() == str(scripts.resolve())
    runner._set_text("", None)  # nothing open: dialogs start in the last folder
    assert runner._start_folder() == str(scripts.resolve())

    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as done:
        runner.run_code("import os, sys\n(GAIN, os.getcwd(), sys.argv, sys.prefix)\n")
    assert done.args[0].value_repr == repr(
        (3, str(work.resolve()), ["job.py", "--gain", "2"], str(env.resolve()))
    )
    assert os.getcwd() != str(work.resolve())


def test_an_untitled_buffer_comes_back_untitled_and_modified(qtbot, make_napari_viewer) -> None:
    viewer, runner = open_runner(make_napari_viewer)
    runner.editor.setPlainText("draft = [1, 2, 3]\n")
    runner.save_settings()
    viewer.close()
    viewer, runner = open_runner(make_napari_viewer)
    assert runner.editor.toPlainText() == "draft = [1, 2, 3]\n"
    assert runner.path is None
    assert runner.modified
    assert runner._title.value == "untitled *"


def test_a_saved_file_reopens_from_disk(qtbot, make_napari_viewer, tmp_path) -> None:
    script = tmp_path / "kept.py"
    script.write_text("kept = True\n")
    viewer, runner = open_runner(make_napari_viewer)
    runner.open_path(script)
    runner.save_settings()
    viewer.close()
    script.write_text("kept = 'changed on disk meanwhile'\n")
    viewer, runner = open_runner(make_napari_viewer)
    assert runner.path == script.resolve()
    assert runner.editor.toPlainText() == "kept = 'changed on disk meanwhile'\n"
    assert not runner.modified


def test_a_corrupt_settings_file_gives_defaults(make_napari_viewer) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{not json")
    _, runner = open_runner(make_napari_viewer)
    assert runner.properties.font_size.value() == 10
    assert runner.editor.line_numbers_visible


def test_a_saved_environment_and_folder_deleted_since_are_reported(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    gone_env, gone_folder = tmp_path / "deleted_env", tmp_path / "deleted_folder"
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(
        json.dumps({"venv_path": str(gone_env), "working_directory": str(gone_folder)})
    )
    _, runner = open_runner(make_napari_viewer)
    runner.output.flush()
    text = runner.output.toPlainText()
    assert f"working folder {gone_folder} does not exist" in text
    assert f"the saved environment {gone_env} was not activated" in text
    # and beside the environment selector, not only in the Output tab
    message = runner.properties.environment_message.text()
    assert message.startswith(f"the saved environment {gone_env} was not activated")
    assert "does not exist" in message
    assert runner.engine.working_directory != gone_folder
    assert not venv.is_venv_active()
