"""Run and Cancel rows of our docks: a disabled button is as tall as the enabled ones beside it.

On a real napari viewer (its stylesheet draws disabled buttons with a border) under Xvfb.
"""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtWidgets import QApplication, QPushButton

from napari_whiskertoolbox.transforms.library import PipelineLibrary
from napari_whiskertoolbox.widgets.batch_dock import BatchWidget
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
from napari_whiskertoolbox.widgets.transforms import TransformsWidget

pytestmark = pytest.mark.gui


def _shown(viewer: Any, widget: Any, name: str) -> None:
    viewer.window.add_dock_widget(widget, name=name, area="right")
    native = getattr(widget, "native", widget)
    native.parentWidget().raise_()
    QApplication.processEvents()


def _heights(*buttons: QPushButton) -> dict[str, tuple[int, bool]]:
    return {button.text(): (button.height(), button.isEnabled()) for button in buttons}


def _assert_one_height(*buttons: QPushButton) -> None:
    heights = _heights(*buttons)
    assert any(not enabled for _, enabled in heights.values()), heights  # a disabled one
    assert len({height for height, _ in heights.values()}) == 1, heights


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_transforms_cancel_is_as_tall_as_run(make_napari_viewer, qtbot, tmp_path, theme):
    viewer = make_napari_viewer(show=True)
    viewer.theme = theme
    widget = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    _shown(viewer, widget, "Transforms")
    widget.select_transform("DigitalIntervalBoolean")
    qtbot.waitUntil(widget.run_button.native.isVisible, timeout=5_000)
    _assert_one_height(widget.run_button.native, widget.cancel_button.native)


def test_batch_cancel_is_as_tall_as_run(make_napari_viewer, qtbot):
    viewer = make_napari_viewer(show=True)
    widget = BatchWidget(viewer)
    _shown(viewer, widget, "Batch")
    qtbot.waitUntil(widget.run_button.isVisible, timeout=5_000)
    _assert_one_height(widget.run_button, widget.cancel_button)


def test_script_runner_run_rows_keep_one_height_idle_and_running(
    make_napari_viewer, qtbot, tmp_path
):
    viewer = make_napari_viewer(show=True)
    runner = ScriptRunnerWidget(viewer, settings_file=tmp_path / "settings.json")
    _shown(viewer, runner, "Script runner")
    buttons = [
        runner._run_button.native,
        runner._run_selection_button.native,
        runner._run_cell_button.native,
        runner._processor_button.native,
        runner._cancel_button.native,
    ]
    qtbot.waitUntil(buttons[-1].isVisible, timeout=5_000)
    _assert_one_height(*buttons)  # Cancel disabled
    runner.editor.setPlainText("import time\nwhile True:\n    time.sleep(0.01)\n")
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        runner.run_file()
        qtbot.waitUntil(buttons[-1].isEnabled, timeout=5_000)
        QApplication.processEvents()
        _assert_one_height(*buttons)  # the Run buttons disabled, Cancel enabled
        runner.cancel()
