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

SHOW = (
    "# %% plot\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])\n"
    "print('plotted')\nplt.show()\n"
)


def _lines(editor: Any) -> float:
    return editor.viewport().height() / editor.fontMetrics().lineSpacing()


def _figure_docks(viewer: Any) -> list[QDockWidget]:
    return [
        w.parentWidget() for w in viewer.window.dock_widgets.values() if isinstance(w, FigureDock)
    ]


@pytest.mark.parametrize(
    ("window", "least_lines", "least_log_lines"),
    [((1268, 800), 9, 4), ((1500, 1000), 11, 7), ((1600, 1100), 11, 7)],
    ids=["1268x800", "1500x1000", "1600x1100"],
)
def test_a_figure_below_the_runner_leaves_the_editor_its_lines(
    make_napari_viewer, qtbot, tmp_path, window, least_lines, least_log_lines
):
    """The figure took all but the runner's minimum: 6 lines of code were left; and (trial
    27, 1500x1000) two lines of output log under the whole file's kept output."""
    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(*window)
    runner = docked_runner(viewer, settings_file=tmp_path / "settings.json")
    (tmp_path / "show.py").write_text("")
    qtbot.waitUntil(runner.editor.isVisible, timeout=5_000)
    qtbot.wait(100)
    runner.open_path(tmp_path / "show.py")  # a file of cells: its run's output above the log
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
            assert runner.cell_view.isVisible()  # the whole file's output, above the log
            assert _lines(runner.output) >= least_log_lines, (_lines(runner.output), n)
            assert main_window(viewer).height() == window[1]  # the window did not grow
    finally:
        plt.close("all")
