"""napari's console receives dm, viewer, np, the data types and whiskertoolbox_python."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import napari_whiskertoolbox
from napari_whiskertoolbox.workflow.console import console_namespace, install_console
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


def test_namespace_holds_the_session_and_the_types(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    namespace = console_namespace(session)
    assert namespace["dm"] is session.dm
    assert namespace["viewer"] is viewer
    assert namespace["np"] is np
    for name in ("AnalogTimeSeries", "PointData", "LineData", "MaskData", "TimeFrame"):
        assert namespace[name] is getattr(napari_whiskertoolbox, name)
    assert namespace["whiskertoolbox_python"].__name__ == "whiskertoolbox_python"
    assert namespace["wt"] is namespace["whiskertoolbox_python"]  # as WhiskerToolbox's bridge


def test_whiskertoolbox_scripts_run_in_that_namespace(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    namespace = console_namespace(get_session(viewer))
    exec(  # what a user types in the console
        "from whiskertoolbox_python import *\n"
        "dm.setData('angle', AnalogTimeSeries(np.arange(5, dtype=np.float32)), 'time')\n"
        "n = len(dm.getData('angle').values)\n"
        "kind = str(dm.getType('angle'))\n"
        "missing = dm.getData('nothing')\n"
        "tensor = wt.TensorData.createOrdinal2D([1.0, 2.0], 1, 2)\n",
        namespace,
    )
    assert namespace["n"] == 5
    assert namespace["kind"] == "DataType.Analog"
    assert namespace["missing"] is None
    assert namespace["tensor"].numColumns() == 2
    assert "angle" in get_session(viewer).dm


def test_run_processor_is_in_scope_as_in_scripts(make_napari_viewer: Any, tmp_path: Path) -> None:
    """The README promises ``run_processor(dm, "proc.py", ["ch0"], ...)`` in the console too;
    typing it there raised NameError."""
    from napari_whiskertoolbox.scripting.templates import load_template

    viewer = make_napari_viewer()
    namespace = console_namespace(get_session(viewer))
    proc = tmp_path / "bandpass.py"
    proc.write_text(load_template("Stream processor: band-pass"), encoding="utf-8")
    exec(  # what a user types in the console
        "dm.set_data('ch0', AnalogTimeSeries(np.sin(np.arange(3000) / 5.0)), 'time')\n"
        "dm.set_sampling_rate('time', 1000.0)\n"
        f"run_processor(dm, {str(proc)!r}, ['ch0'], chunk_seconds=1.0)\n",
        namespace,
    )
    assert "bandpass_ch0" in get_session(viewer).dm


def test_install_pushes_the_namespace_into_the_viewer_console(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    pushed: list[dict[str, Any]] = []
    monkeypatch.setattr(
        type(viewer), "update_console", lambda self, variables: pushed.append(variables)
    )
    namespace = install_console(session)
    assert pushed == [namespace]
    assert pushed[0]["dm"] is session.dm


@pytest.mark.enable_console
def test_the_console_banner_names_the_environment_and_a_command_is_one_undo_step(
    qtbot, make_napari_viewer: Any, tmp_path: Path
) -> None:
    from _venvs import make_venv
    from napari_whiskertoolbox.layers._napari_compat import console_if_created, viewer_widget
    from napari_whiskertoolbox.scripting import venv
    from napari_whiskertoolbox.workflow.console import console_banner, show_console_banner

    env = make_venv(tmp_path / "banner_env")
    viewer = make_napari_viewer(show=True)
    get_session(viewer)  # installs the workflow, console names and banner included
    venv.activate_venv(env)
    try:
        assert str(env.resolve()) in console_banner()
        viewer_widget(viewer).toggle_console_visibility()  # the user opens the console
        qtbot.waitUntil(lambda: console_if_created(viewer) is not None, timeout=20_000)
        console = console_if_created(viewer)
        qtbot.waitUntil(
            lambda: "scripts import from" in console._control.toPlainText(), timeout=20_000
        )
        qtbot.wait(500)  # the banner stays once the console has started
        text = console._control.toPlainText()
        assert "In [" in text
        assert "dm, wt, viewer, np" in text
        assert f"the virtual environment {env.resolve()}" in text
        assert text.count("scripts import from") == 1  # once per console
        venv.deactivate_venv()
        assert show_console_banner(viewer)  # the dock calls this after a change
        assert "scripts import from napari's own environment" in console._control.toPlainText()
    finally:
        venv.deactivate_venv()
    # (the same console: starting one takes seconds) a command is one undo step, so a loop
    # over frames is undone with one Ctrl+Z
    dm = get_session(viewer).dm
    # the clock first: growing the default clock frame by frame re-adds the frame axis'
    # placeholder layer at each frame (slow, and not what this test is about)
    dm.set_time("time", napari_whiskertoolbox.TimeFrame.from_count(20))
    dm.setData("nose", napari_whiskertoolbox.PointData(), "time")
    dm.history.clear()
    console.execute(
        "nose = dm.getData('nose')\n"
        "for t in range(20):\n"
        "    nose.addAtTime(t, [Point2D(t, 2 * t)])\n"
        "\n"
        "dm.setData('angle', AnalogTimeSeries(np.zeros(20, np.float32)), 'time')\n"
    )
    qtbot.waitUntil(lambda: "angle" in dm, timeout=20_000)
    qtbot.waitUntil(lambda: dm.history.undo_label.startswith("console In ["), timeout=5_000)
    assert len(dm.history) == 1
    assert dm.undo()
    assert "angle" not in dm
    assert dm.get_data("nose").n_entries == 0
    # each command reports the names it made and the ones it deleted (the watch follows)
    from napari_whiskertoolbox.workflow.console import console_executed

    reports: list[tuple[dict, tuple]] = []

    def report(_dm: object, made: dict, deleted: tuple) -> None:
        reports.append((made, deleted))

    console_executed.connect(report)
    try:
        console.execute("probe_value = 41 + 1\n")
        qtbot.waitUntil(lambda: any("probe_value" in made for made, _ in reports), timeout=10_000)
        console.execute("del probe_value\n")
        qtbot.waitUntil(lambda: any("probe_value" in gone for _, gone in reports), timeout=10_000)
    finally:
        console_executed.disconnect(report)


def test_a_console_traceback_names_the_missing_key(capsys) -> None:
    """In napari's console a misspelt key gave a bare "'NoneType' object has no attribute
    'values'", without the note the script runner adds."""
    from IPython.core.interactiveshell import InteractiveShell

    from napari_whiskertoolbox.workflow.console import note_missing_keys

    shell = InteractiveShell()  # napari's console runs such a shell (in-process kernel)
    dm = napari_whiskertoolbox.DataManager()
    dm.setData("angle", napari_whiskertoolbox.AnalogTimeSeries([1.0, 2.0]), "time")
    shell.user_ns["dm"] = dm
    assert note_missing_keys(shell)
    shell.run_cell("x = dm.getData('angel')\nx.values\n")
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert "'NoneType' object has no attribute 'values'" in shown
    assert "dm.getData('angel') on line 1 returned None: there is no key 'angel'" in shown
    assert "did you mean 'angle'" in shown
    shell.run_cell("y = 1 + None\n")  # other errors: the traceback alone
    assert "note:" not in "".join(capsys.readouterr())
    assert not note_missing_keys(shell)  # installed once; a user's handlers are kept
