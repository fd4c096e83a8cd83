"""The default dock layout in napari's 1268x800 window: layer list, canvas and docks all usable."""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtCore import QPoint, QRect, Qt
from qtpy.QtWidgets import QAbstractItemView, QDockWidget

from napari_whiskertoolbox.layers._napari_compat import layer_list_dock, main_window
from napari_whiskertoolbox.sample import make_sample_session

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
WINDOW = (1268, 800)  # napari's window on a 1366x768-class laptop screen


def _visible_rows(viewer: Any) -> float:
    """Rows of napari's layer list that fit in its visible viewport."""
    view = layer_list_dock(viewer).findChild(QAbstractItemView)
    assert view is not None
    assert view.model().rowCount() > 0  # its rows all have one height
    return view.viewport().height() / view.sizeHintForRow(0)


def _shown_sample(
    make_napari_viewer: Any, qtbot: Any, window: tuple[int, int] | None = WINDOW
) -> Any:
    """A shown viewer with the sample's video and signals (these dock the Timeline).

    ``window`` is its size; None keeps napari's own (on first show napari sizes its window to
    its layout's size hint: 1089x630 under Xvfb).
    """
    from napari_whiskertoolbox import show_data_manager

    viewer = make_napari_viewer(show=True)
    if window is not None:
        main_window(viewer).resize(*window)
    dm = make_sample_session(n_frames=20)
    for key in ("whiskers", "nose", "pad", "pad_mask"):  # fewer layers: a faster test
        dm.delete_data(key)
    show_data_manager(viewer, dm)
    qtbot.waitUntil(lambda: any(name.startswith("Timeline") for name in viewer.window.dock_widgets))
    qtbot.wait(100)  # the Timeline moves to the bottom on its first show, laid out next turn
    return viewer


def _dock(viewer: Any, prefix: str) -> QDockWidget:
    widget = next(w for n, w in viewer.window.dock_widgets.items() if n.startswith(prefix))
    parent = getattr(widget, "native", widget).parentWidget()
    while not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent


def test_the_timeline_leaves_the_layer_list_four_rows_and_stays_usable(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    """At the full window width, the Timeline left napari's layer list about one row."""
    viewer = _shown_sample(make_napari_viewer, qtbot)
    window = main_window(viewer)
    assert (window.width(), window.height()) == WINDOW  # no dock grew the window
    timeline = _dock(viewer, "Timeline")
    assert window.dockWidgetArea(timeline) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert _visible_rows(viewer) >= 4
    # the Timeline keeps its height and most of the width, beside the left column
    plot = timeline.widget().plot_widget
    assert plot.height() >= plot.minimumHeight()
    assert timeline.width() >= 0.7 * window.width()
    assert timeline.geometry().left() >= layer_list_dock(viewer).geometry().right()


def test_the_data_browser_takes_a_side_column_not_half_the_window(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    """Its row of six buttons made it 514 px wide: wider than the canvas left beside it."""
    viewer = _shown_sample(make_napari_viewer, qtbot)
    dock, _ = viewer.window.add_plugin_dock_widget(PLUGIN, "Data browser")
    window = main_window(viewer)
    qtbot.waitUntil(lambda: dock.width() <= 400)
    assert dock.width() <= 0.32 * window.width()
    assert window.centralWidget().width() > 1.4 * dock.width()
    assert _visible_rows(viewer) >= 4


def _shown_whole(widget: Any) -> bool:
    """Whether ``widget`` is visible and no ancestor (a scroll viewport, the dock) cuts it."""
    if not widget.isVisible():
        return False
    rect = QRect(QPoint(0, 0), widget.size())
    while widget.parentWidget() is not None:
        rect = QRect(widget.mapToParent(rect.topLeft()), rect.size())
        widget = widget.parentWidget()
        if not widget.rect().contains(rect):
            return False
    return True


@pytest.mark.parametrize("window", [WINDOW, (1600, 1000)], ids=["1268x800", "1600x1000"])
def test_a_chosen_transform_s_whole_form_shows_without_scrolling(
    make_napari_viewer: Any, qtbot: Any, window: tuple[int, int]
) -> None:
    """After picking CalculateLineAngle at 1600x1000, its last parameters, Preview and Output
    key were below the fold: the list kept 150+ px and every spare pixel, the tab scrolled."""
    viewer = _shown_sample(make_napari_viewer, qtbot)
    main_window(viewer).resize(*window)
    _, transforms = viewer.window.add_plugin_dock_widget(PLUGIN, "Transforms")
    qtbot.waitUntil(lambda: transforms.native.isVisible())
    for name in ("CalculateLineAngle", "AnalogIntervalThreshold", "CalculateMaskArea"):
        transforms.select_transform(name)  # no search: the list shows the whole group
        form = transforms.form.native.layout()
        fields = [form.itemAt(i).widget() for i in range(form.count())]
        shown = [
            transforms.preview_check.native,
            transforms.output_key.native,
            transforms.output_clock.native,
            transforms.run_button.native,
            transforms.help.native,
            *fields,
        ]
        qtbot.waitUntil(lambda shown=shown: all(map(_shown_whole, shown)), timeout=2000)
        assert _shown_whole(transforms.tree.currentItem().treeWidget().viewport())
        current = transforms.tree.visualItemRect(transforms.tree.currentItem())
        assert transforms.tree.viewport().rect().contains(current), name  # the pick in view
    search = transforms.search.native  # the search box shows a typical name whole
    search.setText("CalculateLineAngle")
    assert search.width() >= search.fontMetrics().horizontalAdvance(search.text()) + 20


def test_a_long_transform_error_scrolls_in_the_dock_and_leaves_the_form_in_view(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    """A 12-part error under the Run button grew to 370 px: the form shrank to a 20-px strip
    and the window grew to 902 px on a 768-px screen. It wraps in a few lines and scrolls."""
    from napari_whiskertoolbox.widgets.transforms import TransformsWidget

    viewer = _shown_sample(make_napari_viewer, qtbot)
    window = main_window(viewer)
    window.resize(1366, 768)
    dock = TransformsWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Transforms", area="right")
    dock.select_transform("Line Alignment to Bright Features")
    qtbot.wait(50)
    line = dock.status.native.fontMetrics().lineSpacing()
    dock.report("Line Alignment to Bright Features on whiskers in 0.1 s: 20 lines", False)
    qtbot.wait(50)
    assert dock.status_area.isVisible()
    assert dock.status_area.height() < 2 * line + 8  # a short message: one line, no more
    tabs_before = dock.tabs.height()
    error = "Line Alignment to Bright Features failed on whiskers: " + "; ".join(
        f"parameter 'media_data' {i}: expected a media key holding frames of the lines' "
        f"image size (640 x 480), got key 'other_{i}' of 320 x 240"
        for i in range(12)
    )
    dock.report(error, True)
    qtbot.wait(100)
    assert window.height() <= 768  # the window did not grow past the screen
    area = dock.status_area
    assert area.height() <= 5 * line + 8
    assert area.verticalScrollBar().maximum() > 0  # the rest of the message scrolls
    assert dock.status.value == error  # whole, to scroll through or select and copy
    assert dock.tabs.height() >= tabs_before - 4 * line - 8  # the form stays in view
    assert dock.tabs.height() >= 200
    dock.report("", False)
    qtbot.wait(50)
    assert not area.isVisible()


_FAILING_CELLS = """# %% load
angle = dm.getData("whisker_angle")
for i in range(5):
    print("line", i, angle.values[i])
# %% broken
def helper(x):
    return x.values.mean()
result = helper(dm.getData("whisker_angel"))
"""


def _runner_after_a_traceback(viewer: Any, qtbot: Any, runner: Any = None) -> Any:
    """The docked script runner (docked now unless given) after a failed run, the cursor in
    the failing cell."""
    from _script_runner_support import run_and_wait

    if runner is None:
        _, runner = viewer.window.add_plugin_dock_widget(PLUGIN, "Script runner")
        qtbot.wait(100)
    assert not run_and_wait(qtbot, runner, _FAILING_CELLS).success
    cursor = runner.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    runner.editor.setTextCursor(cursor)  # shows cell 2's kept output above the log
    qtbot.waitUntil(runner.cell_view.isVisible)
    qtbot.wait(50)  # the split is shared again the turn after the cell view shows
    return runner


def _lines(pane: Any) -> float:
    """Lines of text ``pane`` (a plain-text editor) shows."""
    return pane.viewport().height() / pane.fontMetrics().lineSpacing()


def test_the_script_runner_output_log_holds_a_traceback_in_a_1600x1200_window(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    """A new user could not read a traceback: the editor had 28 lines, the log 9 (3:2 split)."""
    viewer = _shown_sample(make_napari_viewer, qtbot)
    main_window(viewer).resize(1600, 1200)
    runner = _runner_after_a_traceback(viewer, qtbot)
    editor, log, cell = _lines(runner.editor), _lines(runner.output), _lines(runner.cell_view.text)
    assert log >= 15, (editor, log, cell)  # a 10-line traceback and the lines before it
    assert editor >= 15, (editor, log, cell)  # the editor stays usable
    assert cell >= 3, (editor, log, cell)


def test_the_script_runner_keeps_editor_cell_and_log_lines_in_napari_s_window(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = _shown_sample(make_napari_viewer, qtbot)
    runner = _runner_after_a_traceback(viewer, qtbot)
    editor, log, cell = _lines(runner.editor), _lines(runner.output), _lines(runner.cell_view.text)
    assert editor >= 6, (editor, log, cell)
    assert cell >= 3, (editor, log, cell)
    assert log >= 3, (editor, log, cell)
    # without a cell shown, the log takes the whole Output tab
    runner.cell_view.hide()
    qtbot.wait(50)
    assert runner.output.height() >= runner.tabs.currentWidget().height() - 2


LAPTOP = (1366, 738)  # a 1366x768 screen, maximized, less the title bar
FULL_HD = (1920, 1050)
ALL_DOCKS = ("Data browser", "Transforms", "Key help", "Batch", "Script runner")
_PRINTS_40_LINES = "for i in range(40):\n    print('line', i)\n"


def _all_docks_opened(make_napari_viewer: Any, qtbot: Any, window: tuple[int, int] | None) -> Any:
    """The sample with every dock of ours opened from the Plugins menu; return the runner."""
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = _shown_sample(make_napari_viewer, qtbot, window)
    for name in ALL_DOCKS:
        add_plugin_dock(viewer, name)  # as the Plugins menu docks it
        qtbot.wait(20)
    runner = next(w for n, w in viewer.window.dock_widgets.items() if n.startswith("Script"))
    qtbot.waitUntil(lambda: not _dock(viewer, "Script").visibleRegion().isEmpty())
    qtbot.wait(100)  # the corner and the split settle the turn after the dock shows
    return viewer, runner


@pytest.mark.parametrize(
    "window", [None, LAPTOP, FULL_HD], ids=["napari-default", "1366x768", "1920x1080"]
)
def test_with_every_dock_open_the_script_runner_shows_code_and_output(
    make_napari_viewer: Any, qtbot: Any, window: tuple[int, int] | None
) -> None:
    """Under a Timeline spanning the canvas and the right column, the Script runner kept 456
    of napari's 727 pixels: 6 lines of code and 4 of output log. The right column now keeps
    the window's height and the Timeline spans the canvas."""
    from _script_runner_support import run_and_wait

    viewer, runner = _all_docks_opened(make_napari_viewer, qtbot, window)
    main = main_window(viewer)
    if window is None:
        assert main.height() <= main.layout().sizeHint().height()  # no dock grew the window
    else:
        assert (main.width(), main.height()) == window
    run_and_wait(qtbot, runner, _PRINTS_40_LINES, succeed=True)
    qtbot.wait(50)
    editor, log = _lines(runner.editor), _lines(runner.output)
    assert editor >= 12, (editor, log)
    assert log >= 10, (editor, log)
    right = _dock(viewer, "Script")
    assert right.geometry().bottom() >= main.centralWidget().geometry().bottom()
    timeline = _dock(viewer, "Timeline")
    assert main.dockWidgetArea(timeline) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert timeline.geometry().right() < right.geometry().left()  # under the canvas
    plot = timeline.widget().plot_widget
    assert plot.height() >= 0.6 * plot.minimumHeight(), plot.height()  # its lanes readable
    assert _visible_rows(viewer) >= 2.5  # napari's layer list
    canvas = main.centralWidget()
    assert canvas.width() >= timeline.width() - 12  # the canvas keeps the Timeline's width
    # napari's 1089x630 default: the Timeline's buttons wrap to three rows under a 315-pixel
    # canvas, which keeps 306 pixels of height; larger windows keep more
    assert canvas.height() >= (0.45 if window is None else 0.6) * main.height()


@pytest.mark.parametrize(
    ("window", "least_log"),
    [(None, 5.5), (LAPTOP, 10), (FULL_HD, 10)],
    ids=["napari-default", "1366x768", "1920x1080"],
)
def test_with_every_dock_open_a_cell_s_traceback_leaves_code_and_log_lines(
    make_napari_viewer: Any, qtbot: Any, window: tuple[int, int] | None, least_log: float
) -> None:
    """With a cell's kept output shown above the log: in napari's 630-pixel default window the
    runner's four rows of buttons, 12 lines of code and the cell's 3 leave the log 6 lines."""
    viewer, runner = _all_docks_opened(make_napari_viewer, qtbot, window)
    _runner_after_a_traceback(viewer, qtbot, runner)
    editor, log, cell = _lines(runner.editor), _lines(runner.output), _lines(runner.cell_view.text)
    assert editor >= 12, (editor, log, cell)
    assert log >= least_log, (editor, log, cell)
    assert cell >= 3, (editor, log, cell)
