"""A napari session applies configs' python blocks and restores the saved environment."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest

from _venvs import make_venv
from napari_whiskertoolbox.io.config import (
    clear_python_environment_configurator,
    python_environment_configurator,
)
from napari_whiskertoolbox.scripting import configure_python_environment, venv
from napari_whiskertoolbox.scripting.settings import ScriptRunnerSettings, save_settings
from napari_whiskertoolbox.workflow import python_environment
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def clean_state():
    clear_python_environment_configurator()
    yield
    venv.deactivate_venv()
    clear_python_environment_configurator()


def test_opening_a_config_in_napari_activates_its_environment(
    make_napari_viewer: Any, tmp_path: Path, wtb_data: Path
) -> None:
    env = make_venv(tmp_path / "envs" / "analysis")
    shutil.copy(wtb_data / "DigitalEvents" / "events.csv", tmp_path / "events.csv")
    config = tmp_path / "experiment.json"
    config.write_text(
        json.dumps(
            {
                "python": {"venv_path": "envs/analysis", "required_imports": ["json"]},
                "data": [{"data_type": "digital_event", "name": "licks", "filepath": "events.csv"}],
            }
        )
    )
    session = get_session(make_napari_viewer())
    assert python_environment_configurator() is configure_python_environment
    session.open(config)
    assert venv.active_venv_path() == env.resolve()
    assert "licks" in session.dm


def test_the_environment_saved_by_the_script_runner_is_activated_again(
    make_napari_viewer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_venv(tmp_path / "saved_env")
    save_settings(ScriptRunnerSettings(venv_path=str(env)))
    monkeypatch.setattr(python_environment, "_installed", False)  # a fresh napari process
    get_session(make_napari_viewer())
    assert venv.active_venv_path() == env.resolve()


def test_a_saved_environment_that_is_gone_is_reported_not_fatal(
    make_napari_viewer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(ScriptRunnerSettings(venv_path=str(tmp_path / "deleted_env")))
    monkeypatch.setattr(python_environment, "_installed", False)
    assert "was not activated" in python_environment.install_python_environment()
    assert not venv.is_venv_active()
    get_session(make_napari_viewer())  # the session still opens
