"""Shared helpers of the script runner tests: dock a runner, run its editor's script."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from napari_whiskertoolbox.scripting.engine import RunResult

RUN_TIMEOUT_MS = 20_000
"""How long a test script run may take before the test fails."""


def docked_runner(viewer: Any, **options: Any) -> ScriptRunnerWidget:
    """Return a :class:`ScriptRunnerWidget` (with ``options``) docked on ``viewer``'s right."""
    widget = ScriptRunnerWidget(viewer, **options)
    viewer.window.add_dock_widget(widget, name="Script runner", area="right")
    return widget


def run_and_wait(
    qtbot: QtBot, runner: ScriptRunnerWidget, code: str | None = None, *, succeed: bool = False
) -> RunResult:
    """Run the editor's script (set to ``code`` first if given) and return its result.

    Waits for ``run_finished``, then flushes the output pane. With ``succeed`` the run
    must have succeeded (the assertion shows its error).
    """
    if code is not None:
        runner.editor.setPlainText(code)
    with qtbot.waitSignal(runner.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        runner.run_file()
    runner.output.flush()
    result = blocker.args[0]
    if succeed:
        assert result.success, result.error
    return result
