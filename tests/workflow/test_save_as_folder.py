"""The folder picked at the first Ctrl+S (or Ctrl+Shift+S) is where the session folder goes.

Was: whatever folder was picked became the session folder itself: ``session.json`` and
``data/`` were written in among the files of the user's home or project folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _workflow_configs import tip_config
from napari.utils.key_bindings import coerce_keybinding
from qtpy.QtWidgets import QFileDialog

from napari_whiskertoolbox.io import load_session
from napari_whiskertoolbox.io.session import SESSION_FILE
from napari_whiskertoolbox.workflow import start_folder
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
PLUGIN = "napari-whiskertoolbox"
SAMPLE_FOLDER = "Whisker session (sample).session"


def press(viewer: Any, key: str) -> None:
    """Run what napari runs for ``key`` on this viewer's keymap."""
    viewer.keymap[coerce_keybinding(key)](viewer)


@pytest.fixture
def picked(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The folder the (real) folder dialog returns, and where each dialog started."""
    state: dict[str, Any] = {"folder": "", "starts": []}

    def pick(parent: Any, caption: str, start: str) -> str:
        state["starts"].append(start)
        return str(state["folder"])

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", pick)
    return state


def _sample(make_napari_viewer: Any) -> tuple[Any, Any]:
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    viewer.window.show()  # the folder dialog only shows over a visible window
    return viewer, get_session(viewer)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("mine", encoding="utf-8")
    (project / "analysis.py").write_text("print(1)\n", encoding="utf-8")
    return project


def test_a_folder_of_other_files_gets_a_session_folder_inside_named_after_the_session(
    make_napari_viewer, tmp_path, picked, notifications
):
    viewer, session = _sample(make_napari_viewer)
    project = _project(tmp_path)
    picked["folder"] = project
    press(viewer, "Control-S")

    folder = project / SAMPLE_FOLDER
    assert session.path == folder
    assert (folder / SESSION_FILE).is_file()
    assert sorted(p.name for p in project.iterdir()) == sorted(
        ["notes.txt", "analysis.py", SAMPLE_FOLDER]
    )
    assert (project / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not session.dm.modified
    assert viewer.title == f"{SAMPLE_FOLDER} — napari"
    assert notifications[-1] == (
        f"Saved project/{SAMPLE_FOLDER} in {tmp_path}: a new session folder, as project holds "
        "other files"
    )
    assert sorted(load_session(folder).keys()) == sorted(session.dm.keys())


def test_an_empty_folder_or_a_session_folder_is_saved_into(
    make_napari_viewer, tmp_path, picked, notifications
):
    viewer, session = _sample(make_napari_viewer)
    empty = tmp_path / "new folder"
    empty.mkdir()
    picked["folder"] = empty
    press(viewer, "Control-S")
    assert session.path == empty
    assert (empty / SESSION_FILE).is_file()
    assert notifications[-1] == f"Saved new folder in {tmp_path}"

    other, other_session = _sample(make_napari_viewer)
    other_session.dm.get_data("nose").add(5, np.array([[1.0, 2.0]], dtype=np.float32))
    picked["folder"] = empty  # a session folder now: this session replaces it, as asked
    press(other, "Control-S")
    assert other_session.path == empty
    assert [p.name for p in empty.iterdir() if p.name.endswith(".session")] == []
    assert load_session(empty).get_data("nose").count_at(5) == 2


def test_an_existing_folder_of_that_name_is_never_overwritten(
    make_napari_viewer, tmp_path, picked, notifications
):
    project = _project(tmp_path)
    taken = project / SAMPLE_FOLDER
    taken.mkdir()
    (taken / SESSION_FILE).write_text("{}", encoding="utf-8")  # another session
    viewer, session = _sample(make_napari_viewer)
    picked["folder"] = project
    press(viewer, "Control-S")
    assert session.path == project / "Whisker session (sample)_2.session"
    assert (session.path / SESSION_FILE).is_file()
    assert (taken / SESSION_FILE).read_text(encoding="utf-8") == "{}"
    assert notifications[-1] == (
        f"Saved project/Whisker session (sample)_2.session in {tmp_path}: a new session folder, as "
        f"project holds other files, {SAMPLE_FOLDER} among them"
    )

    session.dm.get_data("nose").add(5, np.array([[1.0, 2.0]], dtype=np.float32))
    press(viewer, "Control-Shift-S")  # its own folder, inside the same project: saved there
    assert session.path == project / "Whisker session (sample)_2.session"
    assert not (project / "Whisker session (sample)_3.session").exists()


def test_the_folder_dialog_starts_in_the_data_folder_or_home_not_the_working_folder(
    make_napari_viewer, tmp_path, picked, monkeypatch, wtb_data
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(start_folder, "_last", {})  # no folder picked yet in this process
    viewer, _ = _sample(make_napari_viewer)  # no file of its own
    press(viewer, "Control-S")  # cancelled
    assert picked["starts"] == [str(home)]

    video = make_napari_viewer()
    video.open(str(wtb_data / "Media" / "test_each_frame_number.mp4"), plugin=PLUGIN)
    video.window.show()
    press(video, "Control-S")
    assert picked["starts"][-1] == str(wtb_data / "Media")

    picked["folder"] = tmp_path / "picked"  # the next session without a file starts there
    press(viewer, "Control-S")
    again, _ = _sample(make_napari_viewer)
    press(again, "Control-S")
    assert picked["starts"][-1] == str(tmp_path / "picked")


def test_a_config_session_saved_into_a_project_folder_is_named_after_the_config(
    make_napari_viewer, tmp_path, picked, wtb_data
):
    config = tip_config(tmp_path, wtb_data)
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=PLUGIN)
    viewer.window.show()
    project = _project(tmp_path)
    picked["folder"] = project
    press(viewer, "Control-Shift-S")
    assert get_session(viewer).path == project / "exp.session"
    assert (project / "exp.session" / SESSION_FILE).is_file()


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("exp.json", "exp"),
        ("cam.mp4", "cam"),
        ("exp.session", "exp"),
        ("Whisker session (sample)", "Whisker session (sample)"),
        ("built in Python", "built in Python"),
        ("a/b", "a_b"),
        (None, "session"),
    ],
)
def test_a_new_session_folder_is_named_after_the_session_without_an_extension(label, name):
    from napari_whiskertoolbox.workflow.save_folder import folder_name

    assert folder_name(label) == name
