"""A config's ``python`` block with WhiskerToolbox's meaning, as the loader applies it.

These tests use io alone (no script engine): the hook
(``set_python_environment_configurator``) and the loader's own handling when no
configurator is registered. The block with a real virtual environment is in
``tests/scripting/test_python_environment.py``.
"""

from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING

import pytest

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.config import (
    clear_python_environment_configurator,
    missing_modules,
    python_environment_configurator,
    set_python_environment_configurator,
)
from napari_whiskertoolbox.io.report import LoadReport

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.io.config_parse import PythonEnvironment


@pytest.fixture(autouse=True)
def clean_python_state():
    path = list(sys.path)
    previous = python_environment_configurator()
    clear_python_environment_configurator()
    yield
    sys.path[:] = path
    for name in [m for m in sys.modules if m.startswith("wtb_probe")]:
        del sys.modules[name]
    if previous is None:
        clear_python_environment_configurator()
    else:
        set_python_environment_configurator(previous)


@pytest.fixture
def events_config(tmp_path: Path, wtb_data: Path, write_config):
    """``write(python_block)``: a config with WhiskerToolbox's events file and the block."""
    shutil.copy(wtb_data / "DigitalEvents" / "events.csv", tmp_path / "events.csv")

    def write(python_block: object) -> Path:
        item = {"data_type": "digital_event", "name": "licks", "filepath": "events.csv"}
        return write_config({"python": python_block, "data": [item]})

    return write


def probe_package(folder: Path, name: str = "wtb_probe_module") -> Path:
    """Write a module that leaves a marker file when imported (it must not be)."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{name}.imported"
    (folder / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').close()\nVALUE = 123\n")
    return marker


def test_block_prepends_paths_relative_to_the_config_and_checks_imports(
    tmp_path, events_config
) -> None:
    marker = probe_package(tmp_path / "lib")
    config = events_config(
        {
            "prepend_sys_paths": ["lib", str(tmp_path / "absolute")],
            "required_imports": ["wtb_probe_module", "json", "os.path"],
        }
    )
    dm = load_config(config)
    assert sys.path[:2] == [str(tmp_path / "lib"), str(tmp_path / "absolute")]
    assert "licks" in dm
    assert not marker.exists()  # found, not imported: loading runs no code from the config
    assert dm.metadata["config_python"] == {
        "venv_path": None,
        "prepend_sys_paths": [str(tmp_path / "lib"), str(tmp_path / "absolute")],
        "required_imports": ["wtb_probe_module", "json", "os.path"],
        "fail_on_missing_imports": True,
        "message": "",
    }
    import wtb_probe_module  # the script that follows can import it

    assert wtb_probe_module.VALUE == 123


def test_loading_twice_does_not_grow_sys_path(tmp_path, events_config) -> None:
    config = events_config({"prepend_sys_paths": ["lib"]})
    load_config(config)
    length = len(sys.path)
    load_config(config)
    assert len(sys.path) == length
    assert sys.path[0] == str(tmp_path / "lib")


def test_a_missing_required_import_stops_the_load_with_nothing_loaded(events_config) -> None:
    dm = DataManager()
    dm.set_data("existing", DigitalEventSeries([1]))
    config = events_config(
        {"required_imports": ["json", "wtb_no_such_module", "wtb_no_such_either.sub"]}
    )
    with pytest.raises(FormatError, match=r"config item python") as info:
        load_config(config, dm)
    message = str(info.value)
    assert "'wtb_no_such_module'" in message
    assert "'wtb_no_such_either.sub'" in message
    assert "'json'" not in message
    assert dm.keys() == ["existing"]
    assert "config_python" not in dm.metadata


def test_missing_optional_imports_are_reported_and_loading_goes_on(events_config) -> None:
    config = events_config(
        {"required_imports": ["wtb_no_such_module"], "fail_on_missing_imports": False}
    )
    report = LoadReport()
    dm = load_config(config, report=report)  # a note, not a Python warning (-W error in CI)
    assert "licks" in dm
    (note,) = [n for n in report.notes if n.item == "python"]
    assert "wtb_no_such_module" in note.message
    assert "wtb_no_such_module" in dm.metadata["config_python"]["message"]


def test_a_venv_path_without_a_configurator_is_refused(tmp_path, events_config) -> None:
    with pytest.raises(FormatError, match=r"no Python environment configurator is registered"):
        load_config(events_config({"venv_path": "env"}))


def test_the_registered_configurator_gets_the_block_before_anything_loads(
    tmp_path, events_config
) -> None:
    seen: list[PythonEnvironment] = []

    def configurator(environment: PythonEnvironment) -> tuple[bool, str]:
        seen.append(environment)
        return True, ""

    set_python_environment_configurator(configurator)
    dm = load_config(events_config({"venv_path": "envs/analysis", "required_imports": ["x"]}))
    (environment,) = seen
    assert environment.venv_path == tmp_path / "envs" / "analysis"  # relative to the config
    assert environment.required_imports == ("x",)
    assert environment.fail_on_missing_imports is True
    assert "licks" in dm


def test_a_failing_configurator_stops_the_load(events_config) -> None:
    dm = DataManager()
    set_python_environment_configurator(lambda environment: (False, "intentional test failure"))
    with pytest.raises(FormatError, match="intentional test failure"):
        load_config(events_config({"required_imports": ["json"]}), dm)
    assert dm.keys() == []

    def broken(environment: PythonEnvironment) -> tuple[bool, str]:
        raise RuntimeError("bug")

    set_python_environment_configurator(broken)
    with pytest.raises(FormatError, match="configurator failed: RuntimeError: bug"):
        load_config(events_config({}))
    clear_python_environment_configurator()
    assert python_environment_configurator() is None
    assert "licks" in load_config(events_config({}))


def test_whiskertoolbox_config_with_a_python_block_loads(tmp_path, wtb_data, write_config) -> None:
    shutil.copytree(wtb_data / "Points", tmp_path / "Points")
    doc = {
        "python": {
            "prepend_sys_paths": [],
            "required_imports": ["numpy"],
            "fail_on_missing_imports": True,
            "some_future_key": 1,  # WhiskerToolbox ignores keys it does not know
        },
        "data": [
            {
                "data_type": "points",
                "name": "nose",
                "filepath": "Points/test_point.csv",
            }
        ],
    }
    dm = load_config(write_config(doc))
    assert dm.keys() == ["nose"]


def test_missing_modules_looks_without_importing(tmp_path, monkeypatch) -> None:
    package = tmp_path / "wtb_probe_pkg"
    package.mkdir()
    marker = tmp_path / "init.imported"
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (package / "sub.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert missing_modules(["wtb_probe_pkg", "wtb_probe_pkg.sub", "wtb_probe_pkg.nope"]) == [
        "wtb_probe_pkg.nope"
    ]
    assert not marker.exists()


def test_a_misspelt_key_loads_as_in_whiskertoolbox_with_a_did_you_mean_note(
    tmp_path, events_config
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    config = events_config({"prepend_sys_path": ["lib"], "required_import": ["json"]})
    report = LoadReport()
    dm = load_config(config, report=report)  # loads: WhiskerToolbox ignores unknown keys
    assert "licks" in dm
    assert str(lib) not in sys.path  # the misspelt key did nothing
    notes = sorted(
        n.message for n in report.notes if n.kind == "unknown_option" and "python." in n.message
    )
    assert len(notes) == 2
    assert "python.prepend_sys_path is not a key" in notes[0]
    assert "(did you mean 'prepend_sys_paths'?)" in notes[0]
    assert "(did you mean 'required_imports'?)" in notes[1]
