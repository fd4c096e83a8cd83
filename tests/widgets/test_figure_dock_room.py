"""A figure docked below the Script runner leaves its editor usable (real viewer, Xvfb)."""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtWidgets import QApplication, QDockWidget

from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.workflow.session_display import FigureDock

from _script_runner_support import docked_runner, run_and_wait  # isort: skip

pytestmark = pytest.mark.gui

plt = pytest.importorskip("matplotlib.pyplot")

SHOW = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])\nplt.show()\n"


def _lines(editor: Any) -> float:
    return editor.viewport().height() / editor.fontMetrics().lineSpacing()


def _figure_docks(viewer: Any) -> list[QDockWidget]:
    return [
        w.parentWidget() for w in viewer.window.dock_widgets.values() if isinstance(w, FigureDock)
    ]


@pytest.mark.parametrize(
    ("window", "least_lines"), [((1268, 800), 9), ((1600, 1100), 11)], ids=["1268x800", "1600x1100"]
)
def test_a_figure_below_the_runner_leaves_the_editor_its_lines(
    make_napari_viewer, qtbot, tmp_path, window, least_lines
):
    """The figure took all but the runner's minimum: 6 lines of code were left."""
    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(*window)
    runner = docked_runner(viewer, settings_file=tmp_path / "settings.json")
    qtbot.waitUntil(runner.editor.isVisible, timeout=5_000)
    qtbot.wait(100)
    try:
        for n in range(2):  # the second figure is a tab of the first
            run_and_wait(qtbot, runner, SHOW.replace("fig,", f"fig{n},"), succeed=True)
            shown = n + 1
            qtbot.waitUntil(lambda: len(_figure_docks(viewer)) == shown, timeout=5_000)  # noqa: B023
            qtbot.wait(100)
            QApplication.processEvents()
            figure = _figure_docks(viewer)[-1]
            assert figure.isVisible()
            assert not figure.visibleRegion().isEmpty()  # not hidden behind the runner
            assert figure.height() >= figure.minimumSizeHint().height()
            assert not runner.native.visibleRegion().isEmpty()  # nor the runner behind it
            assert _lines(runner.editor) >= least_lines, (_lines(runner.editor), n)
            assert main_window(viewer).height() == window[1]  # the window did not grow
    finally:
        plt.close("all")
