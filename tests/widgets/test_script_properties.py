"""The script runner's properties, data keys and environment, driven through the real dock."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from _script_runner_support import docked_runner, run_and_wait
from qtpy.QtCore import Qt

from _venvs import (
    build_wheel,
    make_venv,
    other_python_version,
    set_pyvenv_version,
    site_packages,
)
from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.core import DigitalEventSeries
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.scripting import venv
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

pytestmark = pytest.mark.gui

INSTALL_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def no_active_environment():
    yield
    venv.deactivate_venv()


@pytest.fixture
def viewer(make_napari_viewer):
    viewer = make_napari_viewer()
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    return viewer


@pytest.fixture
def runner(viewer, tmp_path: Path) -> ScriptRunnerWidget:
    return docked_runner(viewer, settings_file=tmp_path / "settings.json")


@pytest.fixture(scope="module")
def envs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("dock_envs")
    good = make_venv(root / "analysis")
    dist_info = site_packages(good) / "wtb_probe_dist-0.4.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: wtb-probe-dist\nVersion: 0.4\n"
    )
    old = make_venv(root / "old_python")
    set_pyvenv_version(old, other_python_version())
    return {"root": root, "good": good, "old": old}


def edit(line_edit, text: str) -> None:
    """Type ``text`` into a line edit as a user would and leave the field."""
    line_edit.setText(text)
    line_edit.editingFinished.emit()


def test_python_version_and_executable_are_shown(runner) -> None:
    panel = runner.properties
    assert panel.python_version.text() == f"Python {sys.version.split()[0]}"
    assert panel.executable.text() == sys.executable
    assert "napari's own" in panel.active_environment.text()
    assert runner._environment_label.value.startswith(
        f"Python {sys.version_info.major}.{sys.version_info.minor}"
    )


def test_environment_selector_validates_activates_and_lists_packages(
    qtbot, runner, envs, monkeypatch
) -> None:
    monkeypatch.setenv("HOME", str(envs["root"] / "nobody"))
    monkeypatch.chdir(envs["root"])  # no project .venv here
    panel = runner.properties
    panel.extra_venv_paths = [str(envs["root"])]
    panel.refresh_environments()
    listed = panel.environment_choice.paths()
    assert listed == [str(envs["good"].resolve()), str(envs["old"].resolve())]

    panel.environment_choice.setCurrentIndex(1)
    qtbot.mouseClick(panel.validate_button, Qt.MouseButton.LeftButton)
    assert "mismatch" in panel.environment_message.text()
    qtbot.mouseClick(panel.activate_button, Qt.MouseButton.LeftButton)
    assert not venv.is_venv_active()

    panel.environment_choice.setCurrentIndex(0)
    qtbot.mouseClick(panel.validate_button, Qt.MouseButton.LeftButton)
    assert panel.environment_message.text().startswith("usable")
    with qtbot.waitSignal(panel.environment_changed) as changed:
        qtbot.mouseClick(panel.activate_button, Qt.MouseButton.LeftButton)
    assert changed.args[0] == envs["good"].resolve()
    assert venv.active_venv_path() == envs["good"].resolve()
    assert "analysis" in panel.active_environment.text()
    assert "env: analysis" in runner._environment_label.value
    assert "wtb-probe-dist" in panel.package_names()
    assert runner.settings.venv_path == str(envs["good"].resolve())
    result = run_and_wait(qtbot, runner, "import sys\nsys.prefix\n")
    assert result.value_repr == repr(str(envs["good"].resolve()))

    qtbot.mouseClick(panel.deactivate_button, Qt.MouseButton.LeftButton)
    assert not venv.is_venv_active()
    assert "none" in panel.active_environment.text()
    assert "wtb-probe-dist" not in panel.package_names()
    assert runner.settings.venv_path == ""


def test_deactivating_names_the_modules_scripts_still_use_from_the_environment(
    qtbot, runner, envs
) -> None:
    # a script still imported the package after Deactivate, and nothing said why
    module = site_packages(envs["good"]) / "wtb_probe_still_loaded.py"
    module.write_text("VALUE = 5\n")
    panel = runner.properties
    try:
        panel.select_environment(str(envs["good"]))
        assert panel.activate_selected()
        run_and_wait(qtbot, runner, "import wtb_probe_still_loaded\n", succeed=True)
        qtbot.mouseClick(panel.deactivate_button, Qt.MouseButton.LeftButton)
        message = panel.environment_message.text()
        assert message.startswith("deactivated: scripts import from napari's own environment")
        assert "still imported from analysis" in message
        assert message.endswith("until napari restarts): wtb_probe_still_loaded")
    finally:
        sys.modules.pop("wtb_probe_still_loaded", None)
        module.unlink()


def test_the_open_scripts_and_the_configs_dot_venv_are_listed(
    qtbot, runner, tmp_path, monkeypatch
) -> None:
    # napari started elsewhere (no .venv in its working folder, none in ~)
    monkeypatch.setenv("HOME", str(tmp_path / "nobody"))
    monkeypatch.chdir(tmp_path)
    script_env = make_venv(tmp_path / "scripts_project" / ".venv")
    config_env = make_venv(tmp_path / "data_project" / ".venv")
    script = tmp_path / "scripts_project" / "analysis.py"
    script.write_text("x = 1\n")
    runner.open_path(script)
    runner.engine.dm.metadata["config_path"] = str(tmp_path / "data_project" / "exp.json")
    panel = runner.properties
    qtbot.mouseClick(panel.refresh_environment_list, Qt.MouseButton.LeftButton)
    listed = panel.environment_choice.paths()
    assert listed == [str(config_env.resolve()), str(script_env.resolve())]


def test_a_long_environment_path_does_not_widen_the_properties_tab(runner, tmp_path) -> None:
    long_env = make_venv(tmp_path / ("a_rather_long_folder_name_" * 4) / "analysis_environment")
    panel = runner.properties
    panel.extra_venv_paths = [str(long_env)]
    panel.refresh_environments()
    assert panel.environment_choice.findData(str(long_env.resolve())) >= 0
    # the tab's content fits in the dock at the dock's own minimum width (the combo box
    # was as wide as its longest path: Refresh and Deactivate were scrolled out of view)
    assert panel.widget().minimumSizeHint().width() <= runner.native.minimumSizeHint().width()


def test_typed_path_that_is_not_an_environment_is_refused(qtbot, runner, tmp_path) -> None:
    panel = runner.properties
    panel.select_environment(str(tmp_path))
    assert not panel.activate_selected()
    assert "does not appear to be a Python virtual environment" in (
        panel.environment_message.text()
    )
    panel.select_environment("")
    assert panel.validate_selected() == ["The virtual environment path is empty."]


@pytest.fixture(scope="module")
def env_with_pip(tmp_path_factory) -> Path:
    env = make_venv(tmp_path_factory.mktemp("dock_pip") / "env", "--system-site-packages")
    probe = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "--version"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("the base interpreter has no pip, so an environment cannot run pip install")
    return env


def test_install_runs_in_the_background_with_streamed_output(
    qtbot, runner, env_with_pip, tmp_path
) -> None:
    wheel = build_wheel(tmp_path, "wtb_dock_pkg", "2.0")
    panel = runner.properties
    panel.select_environment(str(env_with_pip))
    assert panel.activate_selected()
    panel.package_name.setText(str(wheel))
    with qtbot.waitSignal(panel.install_finished, timeout=INSTALL_TIMEOUT_MS) as done:
        qtbot.mouseClick(panel.install_button, Qt.MouseButton.LeftButton)
        assert panel.is_installing
        assert not panel.install_button.isEnabled()
        assert panel.cancel_install_button.isEnabled()
        assert runner.engine.run("1 + 1").value_repr == "2"  # napari and scripts go on
    assert done.args[0].success, done.args[0].output
    runner.output.flush()
    text = runner.output.toPlainText()
    assert f">>> pip install {wheel}" in text
    assert "Successfully installed wtb-dock-pkg-2.0" in text
    assert "<<< installed" in text
    assert "wtb-dock-pkg" in panel.package_names()
    assert panel.install_button.isEnabled()
    assert not panel.cancel_install_button.isEnabled()


def test_cancel_stops_an_install(qtbot, runner, env_with_pip, tmp_path) -> None:
    panel = runner.properties
    panel.select_environment(str(env_with_pip))
    assert panel.activate_selected()
    with qtbot.waitSignal(panel.install_finished, timeout=INSTALL_TIMEOUT_MS) as done:
        assert panel.install(str(build_wheel(tmp_path, "wtb_never")))
        qtbot.mouseClick(panel.cancel_install_button, Qt.MouseButton.LeftButton)
    assert done.args[0].cancelled
    assert "install cancelled" in panel.environment_message.text()
    assert not (site_packages(env_with_pip) / "wtb_never").exists()


def test_install_with_an_empty_name_says_so(runner) -> None:
    panel = runner.properties
    assert not panel.install("  ")
    assert "type a package name" in panel.environment_message.text()
    assert not panel.is_installing


def test_editor_settings_apply(qtbot, runner) -> None:
    panel = runner.properties
    panel.font_size.setValue(15)
    assert runner.editor.font().pointSize() == 15
    assert runner.output.font().pointSize() == 15
    panel.line_numbers.setChecked(False)
    assert not runner.editor.line_numbers_visible
    assert runner.editor.viewportMargins().left() == 0
    panel.line_numbers.setChecked(True)
    assert runner.editor.viewportMargins().left() == runner.editor.line_number_width() > 0
    panel.auto_scroll.setChecked(False)
    assert runner.output.auto_scroll is False


def test_working_folder_and_argv_apply_to_runs(qtbot, runner, tmp_path) -> None:
    panel = runner.properties
    edit(panel.working_directory, str(tmp_path))
    edit(panel.argv, 'analysis.py --key "whisker angle"')
    result = run_and_wait(qtbot, runner, "import os, sys\n(os.getcwd(), sys.argv)\n")
    expected = (str(tmp_path.resolve()), ["analysis.py", "--key", "whisker angle"])
    assert result.value_repr == repr(expected)
    edit(panel.argv, "")
    edit(panel.working_directory, "")
    result = run_and_wait(qtbot, runner, "import os\nos.getcwd()\n")
    assert result.value_repr == repr(os.getcwd())
    edit(panel.argv, 'unclosed "quote')
    runner.output.flush()
    assert "sys.argv not changed" in runner.output.toPlainText()


def test_prelude_is_editable_switchable_and_reruns_on_reset(qtbot, runner) -> None:
    panel = runner.properties
    panel.prelude.setPlainText("import numpy as np\nGAIN = 2.5\n")
    panel.prelude_enabled.setChecked(True)
    qtbot.mouseClick(panel.apply_prelude, Qt.MouseButton.LeftButton)
    assert runner.engine.namespace["GAIN"] == 2.5
    runner.engine.run("GAIN = 0")
    runner.reset_namespace()
    assert runner.engine.namespace["GAIN"] == 2.5  # the prelude ran again
    panel.prelude_enabled.setChecked(False)
    runner.reset_namespace()
    assert "GAIN" not in runner.engine.namespace
    assert "dm" in runner.engine.namespace
    assert "wt" in runner.engine.namespace


def test_data_keys_list_the_dm_and_insert_get_data(qtbot, viewer, runner) -> None:
    panel = runner.data_keys
    dm = get_session(viewer).dm
    assert panel.listed_keys() == dm.keys()
    nose = panel.table.findItems("nose", Qt.MatchFlag.MatchExactly)[0]
    assert (nose.text(1), nose.text(2)) == ("Points", dm.time_key("nose"))
    runner.editor.setPlainText("")
    panel.table.itemActivated.emit(nose, 0)  # what a double-click does
    assert runner.editor.toPlainText() == 'dm.getData("nose")\n'
    panel.table.setCurrentItem(panel.table.findItems("contact", Qt.MatchFlag.MatchExactly)[0])
    qtbot.mouseClick(panel.insert_button, Qt.MouseButton.LeftButton)
    assert runner.editor.toPlainText() == 'dm.getData("nose")\ndm.getData("contact")\n'
    dm.set_data("licks", DigitalEventSeries([1, 2]))
    qtbot.waitUntil(lambda: "licks" in panel.listed_keys(), timeout=10_000)
    run_and_wait(qtbot, runner, "dm.deleteData('licks')\n")
    qtbot.waitUntil(lambda: "licks" not in panel.listed_keys(), timeout=10_000)


def test_recent_scripts_are_capped_at_ten(runner, tmp_path) -> None:
    for i in range(12):
        script = tmp_path / f"s{i}.py"
        script.write_text(f"n = {i}\n")
        runner.open_path(script)
    recent = runner._recent.load()
    assert len(recent) == 10
    assert recent[0] == str((tmp_path / "s11.py").resolve())
    assert str((tmp_path / "s1.py").resolve()) not in recent


def _fake_distribution(env: Path, name: str, version: str) -> None:
    dist_info = site_packages(env) / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    )


def test_packages_are_the_active_environments_in_the_lists_order(qtbot, runner, tmp_path) -> None:
    env = make_venv(tmp_path / "ana")
    for name in ("Zeta-Tool", "alpha-probe", "Beta-Probe", "gamma-probe"):
        _fake_distribution(env, name, "1.0")
    panel = runner.properties
    panel.select_environment(str(env))
    assert panel.activate_selected()
    listed = panel.package_names()
    # the environment's own packages, in list_installed_packages' order (case-insensitive),
    # not re-sorted by the table (which put capitals first) and not buried among napari's
    assert listed == [name for name, _ in venv.list_installed_packages()]
    assert listed == ["alpha-probe", "Beta-Probe", "gamma-probe", "Zeta-Tool"]
    inherited = panel.inherited_package_names()
    assert "numpy" in inherited
    assert inherited == sorted(inherited, key=lambda n: (n.lower(), n))
    group = panel.packages.topLevelItem(panel.packages.topLevelItemCount() - 1)
    assert group.text(0) == f"from napari's environment ({len(inherited)})"
    assert not group.isExpanded()
    panel.deactivate()
    assert panel.inherited_package_names() == []
    assert "numpy" in panel.package_names()


def test_the_environment_is_shown_by_name_with_its_path_elided_in_the_middle(
    qtbot, runner, tmp_path
) -> None:
    env = make_venv(tmp_path / "deep" / ".virtualenvs" / "ana")
    panel = runner.properties
    panel.select_environment(str(env))
    choice = panel.environment_choice
    assert choice.currentText() == f"ana  ({env})"
    assert choice.toolTip() == str(env)
    assert panel.selected_environment() == str(env)
    choice.resize(160, choice.sizeHint().height())
    shown = choice.shown_text()  # what paintEvent draws in the box
    assert shown.startswith("ana  (")
    assert "…" in shown
    assert shown.endswith("ana)")
    assert choice.fontMetrics().horizontalAdvance(shown) < 160
    choice.resize(2000, choice.sizeHint().height())
    assert choice.shown_text() == f"ana  ({env})"
