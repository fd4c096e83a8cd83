"""Virtual environments (WhiskerToolbox phase 6) with real environments made by ``python -m venv``.

Each environment is created in a temporary folder; activation is process-wide, so every
test leaves none active (checked by the autouse fixture, which also checks that sys.path,
the prefixes and the environment variables are back to what they were).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

import pytest

from _venvs import (
    MAJOR,
    MINOR,
    build_wheel,
    make_venv,
    other_python_version,
    set_pyvenv_version,
    site_packages,
)
from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.scripting import ScriptEngine, venv

if TYPE_CHECKING:
    from pathlib import Path


def process_state() -> tuple:
    variables = (os.environ.get("VIRTUAL_ENV"), os.environ.get("PATH"))
    return list(sys.path), sys.prefix, sys.exec_prefix, variables


@pytest.fixture(autouse=True)
def no_environment_leaks():
    before = process_state()
    yield
    venv.deactivate_venv()
    assert not venv.is_venv_active()
    assert process_state() == before


@pytest.fixture(scope="module")
def envs(tmp_path_factory) -> dict[str, Path]:
    """Two usable environments and one whose pyvenv.cfg names another Python version."""
    root = tmp_path_factory.mktemp("envs")
    first = make_venv(root / "first")
    second = make_venv(root / "second")
    mismatched = make_venv(root / "mismatched")
    set_pyvenv_version(mismatched, other_python_version())
    return {"first": first, "second": second, "mismatched": mismatched, "root": root}


def test_python_version_tuple_is_the_running_interpreter() -> None:
    assert venv.python_version_tuple() == (MAJOR, MINOR)
    assert ScriptEngine.python_version_tuple() == (MAJOR, MINOR)


def test_discovery_looks_in_the_usual_places_and_extra_paths(tmp_path, monkeypatch, envs):
    home = tmp_path / "home"
    wrapper = make_venv(home / ".virtualenvs" / "analysis")
    pyenv = make_venv(home / ".pyenv" / "versions" / "tools")
    conda = home / ".conda" / "envs" / "imaging"
    (conda / "conda-meta").mkdir(parents=True)
    (home / ".virtualenvs" / "not_an_env").mkdir()
    project = tmp_path / "project"
    project_env = make_venv(project / ".venv")
    monkeypatch.setenv("HOME", str(home))
    found = venv.discover_venvs(
        [envs["root"], envs["first"], tmp_path / "does" / "not" / "exist"], project_dir=project
    )
    expected = {wrapper, pyenv, conda, project_env, envs["first"], envs["second"]}
    expected |= {envs["mismatched"]}
    assert set(found) == {p.resolve() for p in expected}
    assert found == sorted(found)
    assert len(found) == len(set(found))  # envs["first"] given twice, listed once


def test_discover_without_any_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert venv.discover_venvs([tmp_path / "missing"], project_dir=tmp_path) == []


def test_validate_says_what_is_wrong(tmp_path, envs) -> None:
    assert "empty" in venv.validate_venv("")[0]
    assert "empty" in venv.validate_venv(None)[0]
    missing = venv.validate_venv(tmp_path / "nowhere")
    assert "does not exist or is not a directory" in missing[0]
    plain = tmp_path / "plain"
    plain.mkdir()
    assert "does not appear to be a Python virtual environment" in venv.validate_venv(plain)[0]
    assert venv.validate_venv(envs["first"]) == []
    (problem,) = venv.validate_venv(envs["mismatched"])
    assert "mismatch" in problem
    assert f"{MAJOR}.{MINOR}" in problem


def test_activate_and_deactivate_restore_everything(envs) -> None:
    path_before = list(sys.path)
    path_object = sys.path
    env = envs["first"]
    assert venv.activate_venv(env) == env.resolve()
    assert venv.is_venv_active()
    assert venv.active_venv_path() == env.resolve()
    assert sys.path[0] == str(site_packages(env).resolve())
    assert sys.prefix == sys.exec_prefix == str(env.resolve())
    assert os.environ["VIRTUAL_ENV"] == str(env.resolve())
    assert os.environ["PATH"].split(os.pathsep)[0] == str(env.resolve() / "bin")
    assert venv.deactivate_venv()
    assert sys.path == path_before
    assert sys.path is path_object
    assert not venv.deactivate_venv()  # nothing active any more


def test_activating_another_environment_deactivates_the_first(envs) -> None:
    path_before = list(sys.path)
    venv.activate_venv(envs["first"])
    venv.activate_venv(envs["second"])
    assert venv.active_venv_path() == envs["second"].resolve()
    assert str(site_packages(envs["first"]).resolve()) not in sys.path
    assert sys.path[0] == str(site_packages(envs["second"]).resolve())
    assert sys.prefix == str(envs["second"].resolve())
    venv.deactivate_venv()
    assert sys.path == path_before


def test_invalid_or_mismatched_environment_is_refused_and_nothing_changes(tmp_path, envs):
    before = list(sys.path)
    with pytest.raises(venv.VenvError, match="does not exist"):
        venv.activate_venv(tmp_path / "nowhere")
    with pytest.raises(venv.VenvError, match="mismatch"):
        venv.activate_venv(envs["mismatched"])
    assert not venv.is_venv_active()
    assert sys.path == before


def test_a_script_imports_from_the_active_environment(envs) -> None:
    (site_packages(envs["first"]) / "wtb_probe_module.py").write_text("VALUE = 123\n")
    engine = ScriptEngine(DataManager())
    assert engine.activateVenv(str(envs["first"])) == ""
    assert engine.isVenvActive()
    result = engine.run(
        "import sys, os, wtb_probe_module\n"
        "(wtb_probe_module.VALUE, sys.prefix == os.environ['VIRTUAL_ENV'], dm is not None)"
    )
    assert result.success, result.error
    assert result.value_repr == "(123, True, True)"
    engine.deactivateVenv()
    sys.modules.pop("wtb_probe_module", None)
    assert not engine.run("import wtb_probe_module").success


def test_modules_imported_from_an_environment_are_named(envs) -> None:
    package = site_packages(envs["second"]) / "wtb_probe_pkg_named"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sub.py").write_text("VALUE = 1\n")
    venv.activate_venv(envs["second"])
    try:
        import wtb_probe_pkg_named.sub  # noqa: F401

        venv.deactivate_venv()
        # still imported after deactivation: named once, by its top-level name
        assert venv.modules_imported_from(envs["second"]) == ["wtb_probe_pkg_named"]
        assert venv.modules_imported_from(envs["first"]) == []
    finally:
        for name in ("wtb_probe_pkg_named.sub", "wtb_probe_pkg_named"):
            sys.modules.pop(name, None)
    assert venv.modules_imported_from(envs["second"]) == []


def test_camelcase_aliases_return_messages_like_whiskertoolbox(tmp_path, envs) -> None:
    engine = ScriptEngine(DataManager())
    assert "empty" in engine.validateVenv("")
    assert engine.validateVenv(str(envs["first"])) == ""
    assert "mismatch" in engine.activateVenv(str(envs["mismatched"]))
    assert not engine.isVenvActive()
    assert engine.activeVenvPath() == ""
    assert envs["first"].resolve() in engine.discoverVenvs([envs["root"]])
    assert engine.pythonVersionTuple() == (MAJOR, MINOR)


def test_pth_folders_are_added_but_their_import_lines_not_run(tmp_path, envs) -> None:
    extra = tmp_path / "editable_src"
    extra.mkdir()
    marker = tmp_path / "ran"
    (site_packages(envs["second"]) / "project.pth").write_text(
        f"{extra}\nimport pathlib; pathlib.Path({str(marker)!r}).touch()\n"
    )
    venv.activate_venv(envs["second"])
    assert str(extra.resolve()) in sys.path[:3]
    assert not marker.exists()


def test_installed_packages_are_listed_sorted_with_versions() -> None:
    packages = venv.list_installed_packages()
    names = [name for name, _ in packages]
    assert names == sorted(names, key=lambda n: (n.lower(), n))
    assert dict(packages)["numpy"]
    assert len(names) == len({n.lower() for n in names})


def test_install_with_an_empty_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="package name is empty"):
        venv.install_package("  ")
    with pytest.raises(ValueError, match="option"):
        venv.install_package("--index-url=http://example.invalid")


@pytest.fixture(scope="module")
def env_with_pip(tmp_path_factory) -> Path:
    """An environment whose interpreter runs pip (from the base interpreter's site-packages)."""
    env = make_venv(tmp_path_factory.mktemp("pip_env") / "env", "--system-site-packages")
    probe = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "--version"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("the base interpreter has no pip, so an environment cannot run pip install")
    return env


def test_install_runs_the_active_environments_pip_and_streams_its_output(
    tmp_path, env_with_pip
) -> None:
    wheel = build_wheel(tmp_path)
    venv.activate_venv(env_with_pip)
    lines: list[str] = []
    result = venv.install_package(str(wheel), on_output=lines.append)
    assert result.success, result.output
    assert result.command[0] == str(env_with_pip.resolve() / "bin" / "python")
    assert any("Successfully installed wtb-probe-pkg-1.2.3" in line for line in lines)
    assert "".join(lines) == result.output
    assert (site_packages(env_with_pip) / "wtb_probe_pkg" / "__init__.py").is_file()
    assert ("wtb-probe-pkg", "1.2.3") in venv.list_installed_packages()


def test_a_raising_output_callback_does_not_stop_the_install(tmp_path, env_with_pip) -> None:
    # the reader thread must keep draining pip's pipe (else a long install blocks forever)
    venv.activate_venv(env_with_pip)
    calls: list[str] = []

    def closed_pane(line: str) -> None:
        calls.append(line)
        raise RuntimeError("output pane deleted")

    result = venv.install_package(str(build_wheel(tmp_path, "wtb_raising")), on_output=closed_pane)
    assert result.success, result.output
    assert len(calls) == 1  # not called again after it raised
    assert "Successfully installed wtb-raising-1.2.3" in result.output
    assert result.output.rstrip().endswith(
        "the on_output callback raised RuntimeError: output pane deleted; "
        "later lines were not passed to it]"
    )
    assert (site_packages(env_with_pip) / "wtb_raising" / "__init__.py").is_file()


def test_a_failing_install_reports_pips_exit_code(tmp_path, env_with_pip) -> None:
    venv.activate_venv(env_with_pip)
    result = venv.install_package(str(tmp_path / "no_such_file-1.0-py3-none-any.whl"))
    assert not result.success
    assert result.returncode not in (0, None)
    assert "no_such_file" in result.output


def test_cancel_stops_pip(tmp_path, env_with_pip) -> None:
    venv.activate_venv(env_with_pip)
    cancel = threading.Event()
    cancel.set()
    result = venv.install_package(str(build_wheel(tmp_path, "wtb_cancelled")), cancel=cancel)
    assert result.cancelled
    assert result.returncode is None
    assert not result.success
    assert not (site_packages(env_with_pip) / "wtb_cancelled").exists()


def _installation(root: Path, minor_version: str) -> Path:
    """A Python installation as pyenv lays it out: bin/python, lib/pythonX.Y, no pyvenv.cfg."""
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "python").symlink_to(sys.executable)
    (root / "lib" / f"python{minor_version}" / "site-packages").mkdir(parents=True)
    return root


def test_a_python_installation_is_refused_as_not_a_virtual_environment(tmp_path) -> None:
    """pyenv's ~/.pyenv/versions/3.11.7 was 'usable' and activated: its site-packages went
    first on sys.path; 2.7.18 was refused with its version 'from its pyvenv.cfg', which it
    does not have."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    same = _installation(tmp_path / "versions" / f"{running}.7", running)
    [problem] = venv.validate_venv(same)
    assert "not a virtual environment" in problem
    assert "pyvenv.cfg" in problem
    assert "-m venv" in problem
    old = _installation(tmp_path / "versions" / "2.7.18", "2.7")
    [problem] = venv.validate_venv(old)
    assert "Python 2.7, from its lib/python2.7 folder" in problem
    with pytest.raises(venv.VenvError, match="not a virtual environment"):
        venv.activate_venv(same)
    assert not venv.is_venv_active()
    assert venv.discover_venvs([tmp_path / "versions"], project_dir=tmp_path) == []


def test_a_version_mismatch_says_where_the_version_was_read(tmp_path) -> None:
    conda = tmp_path / "conda_env"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "lib" / "python2.7" / "site-packages").mkdir(parents=True)
    problems = venv.validate_venv(conda)
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert any(
        f"napari runs Python {running} but" in p
        and "uses Python 2.7 (from its lib/python2.7 folder)" in p
        for p in problems
    ), problems


def test_installed_packages_are_the_active_environments_and_the_rest_is_inherited(
    envs,
) -> None:
    dist_info = site_packages(envs["first"]) / "Wtb_Capital_Probe-2.0.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: Wtb_Capital_Probe\nVersion: 2.0\n"
    )
    assert venv.list_inherited_packages() == []  # none active: napari's is the active one
    venv.activate_venv(envs["first"])
    assert venv.list_installed_packages() == [("Wtb_Capital_Probe", "2.0")]
    inherited = dict(venv.list_inherited_packages())
    assert inherited["numpy"]
    assert "Wtb_Capital_Probe" not in inherited
