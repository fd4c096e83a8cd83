"""The ``python`` block applied by the script engine's configurator (real environments)."""

from __future__ import annotations

import json
import shutil
import sys
from typing import TYPE_CHECKING

import pytest

from _venvs import make_venv, other_python_version, set_pyvenv_version, site_packages
from napari_whiskertoolbox.core import DataManager, DigitalEventSeries
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.config import (
    clear_python_environment_configurator,
    python_environment_configurator,
)
from napari_whiskertoolbox.scripting import (
    ScriptEngine,
    configure_python_environment,
    register_python_environment_configurator,
    venv,
)
from napari_whiskertoolbox.scripting.headless import run_headless

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def clean_python_state():
    path = list(sys.path)
    yield
    venv.deactivate_venv()
    sys.path[:] = path
    clear_python_environment_configurator()
    for name in [m for m in sys.modules if m.startswith("wtb_probe")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def analysis_env(tmp_path_factory) -> Path:
    env = make_venv(tmp_path_factory.mktemp("cfg_envs") / "analysis")
    (site_packages(env) / "wtb_probe_in_env.py").write_text("VALUE = 'from the environment'\n")
    return env


def write_config(folder: Path, wtb_data: Path, python_block: dict) -> Path:
    shutil.copy(wtb_data / "DigitalEvents" / "events.csv", folder / "events.csv")
    doc = {
        "python": python_block,
        "data": [{"data_type": "digital_event", "name": "licks", "filepath": "events.csv"}],
    }
    path = folder / "experiment.json"
    path.write_text(json.dumps(doc))
    return path


def test_engine_applies_a_block_and_the_script_imports_from_the_new_path(tmp_path) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "wtb_probe_module.py").write_text("VALUE = 123\n")
    engine = ScriptEngine(DataManager())
    ok, message = engine.configure_python_environment(
        {
            "prepend_sys_paths": [str(modules)],
            "required_imports": ["wtb_probe_module"],
            "fail_on_missing_imports": True,
        }
    )
    assert (ok, message) == (True, "")
    result = engine.run("import wtb_probe_module\nprint(wtb_probe_module.VALUE)")
    assert result.stdout == "123\n"


def test_engine_reports_each_missing_required_module() -> None:
    ok, message = ScriptEngine.configure_python_environment(
        {"required_imports": ["wtb_missing_one", "json", "wtb_missing_two"]}
    )
    assert not ok
    assert "wtb_missing_one" in message
    assert "wtb_missing_two" in message
    assert "'json'" not in message


def test_engine_allows_missing_optional_modules_and_names_them() -> None:
    engine = ScriptEngine(DataManager())
    ok, message = engine.configurePythonEnvironment(
        {"required_imports": ["wtb_missing_optional"], "fail_on_missing_imports": False}
    )
    assert ok
    assert "wtb_missing_optional" in message


def test_engine_rejects_a_malformed_block() -> None:
    ok, message = configure_python_environment({"venv_path": ["not", "a", "string"]})
    assert not ok
    assert "python.venv_path must be a string" in message
    # a block written as code, or a list: a message saying what a block is, not a crash
    for block in ("import scipy", ["scipy"]):
        ok, message = ScriptEngine.configure_python_environment(block)
        assert not ok
        assert "expected 'python' to be an object" in message
        assert "python_code" in message


def test_engine_activates_the_blocks_environment(analysis_env) -> None:
    engine = ScriptEngine(DataManager())
    ok, message = engine.configure_python_environment(
        {"venv_path": str(analysis_env), "required_imports": ["wtb_probe_in_env"]}
    )
    assert (ok, message) == (True, "")
    assert venv.active_venv_path() == analysis_env.resolve()
    assert engine.run("import wtb_probe_in_env\nwtb_probe_in_env.VALUE").value_repr == (
        "'from the environment'"
    )


def test_config_loading_activates_the_environment_before_data_loads(
    tmp_path, wtb_data, analysis_env
) -> None:
    register_python_environment_configurator()
    assert python_environment_configurator() is configure_python_environment
    env_link = tmp_path / "envs"
    env_link.mkdir()
    shutil.copytree(analysis_env, env_link / "analysis", symlinks=True)
    config = write_config(
        tmp_path,
        wtb_data,
        {"venv_path": "envs/analysis", "required_imports": ["wtb_probe_in_env"]},
    )
    dm = load_config(config)
    assert venv.active_venv_path() == (env_link / "analysis").resolve()
    assert "licks" in dm
    assert dm.metadata["config_python"]["venv_path"] == str(env_link / "analysis")


def test_an_unusable_environment_stops_the_load_with_nothing_loaded(tmp_path, wtb_data) -> None:
    register_python_environment_configurator()
    env = make_venv(tmp_path / "old_python")
    set_pyvenv_version(env, other_python_version())
    dm = DataManager()
    dm.set_data("existing", DigitalEventSeries([4]))
    config = write_config(tmp_path, wtb_data, {"venv_path": str(env)})
    with pytest.raises(FormatError, match=r"config item python; .*mismatch"):
        load_config(config, dm)
    assert dm.keys() == ["existing"]
    assert not venv.is_venv_active()


def test_headless_runs_apply_the_block(tmp_path, wtb_data, analysis_env, capsys) -> None:
    clear_python_environment_configurator()
    config = write_config(tmp_path, wtb_data, {"venv_path": str(analysis_env)})
    script = tmp_path / "job.py"
    script.write_text(
        "import sys, wtb_probe_in_env\n"
        "print(sys.prefix)\n"
        "print(wtb_probe_in_env.VALUE, len(dm.getData('licks').toList()) > 0)\n"
    )
    assert run_headless(script, session=config) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [str(analysis_env.resolve()), "from the environment True"]
