"""``# %%`` cells in the script runner: keys, kept outputs, boundaries, shared namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from qtpy.QtCore import Qt
from qtpy.QtGui import QColor, QTextCursor
from qtpy.QtWidgets import QWidget

from napari_whiskertoolbox.widgets.recent_files import RecentFiles
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

RUN_TIMEOUT_MS = 20_000

SCRIPT = """# %% setup
x = np.arange(10)
print("x has", len(x), "values")
# %% total
x.sum()
# %% broken
1 / 0
"""


@pytest.fixture
def runner(make_napari_viewer, qtbot, tmp_path: Path) -> ScriptRunnerWidget:
    viewer = make_napari_viewer()
    widget = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(widget, name="Script runner", area="right")
    widget.editor.setPlainText(SCRIPT)
    widget.editor.rescan_cells()
    return widget


def _put_cursor(runner: ScriptRunnerWidget, line: int) -> None:
    cursor = runner.editor.textCursor()
    cursor.setPosition(runner.editor.document().findBlockByNumber(line).position())
    runner.editor.setTextCursor(cursor)


def _edit_cursor_line(runner: ScriptRunnerWidget, text: str) -> None:
    """Type ``text`` at the end of the cursor's line; the pane then shows that cell."""
    cursor = runner.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    cursor.insertText(text)
    runner.editor.rescan_cells()
    runner._show_cell_output()


def _press(qtbot, runner: ScriptRunnerWidget, modifiers) -> object:
    with qtbot.waitSignal(runner.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        qtbot.keyClick(runner.editor, Qt.Key.Key_Return, modifiers)
    runner.output.flush()
    return blocker.args[0]


def test_ctrl_enter_runs_the_cell_under_the_cursor_and_keeps_its_output(qtbot, runner) -> None:
    _put_cursor(runner, 1)
    result = _press(qtbot, runner, Qt.KeyboardModifier.ControlModifier)
    assert result.stdout == "x has 10 values\n"
    assert runner.editor.textCursor().blockNumber() == 1  # Ctrl+Enter stays in the cell
    assert ">>> run cell 1 · setup" in runner.output.toPlainText()
    assert not runner.cell_view.isHidden()
    assert "cell 1 · setup" in runner.cell_view.title.text()
    assert runner.cell_view.text.toPlainText() == "x has 10 values\n"
    assert "x" in runner.inspector.names()


def test_run_and_advance_moves_to_the_next_cell_and_values_are_kept(qtbot, runner) -> None:
    _put_cursor(runner, 0)
    advance = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    _press(qtbot, runner, advance)
    assert runner.editor.textCursor().blockNumber() == 4  # first line of "total"
    result = _press(qtbot, runner, advance)  # the next cell uses x from the first
    assert result.value_repr == "np.int64(45)"
    assert runner.editor.textCursor().blockNumber() == 6
    failed = _press(qtbot, runner, advance)
    assert "ZeroDivisionError" in failed.error
    assert "line 7" in failed.error  # tracebacks show the editor's line numbers
    # coming back to a cell shows what it printed and returned then
    _put_cursor(runner, 4)
    assert "cell 2 · total" in runner.cell_view.title.text()
    assert "Out: np.int64(45)" in runner.cell_view.text.toPlainText()
    _put_cursor(runner, 1)
    assert runner.cell_view.text.toPlainText() == "x has 10 values\n"
    _put_cursor(runner, 6)
    assert "ZeroDivisionError" in runner.cell_view.text.toPlainText()


def test_an_edited_cell_says_its_output_is_older(qtbot, runner) -> None:
    _put_cursor(runner, 4)
    runner.run_cell()
    qtbot.waitUntil(lambda: runner.last_result is not None, timeout=RUN_TIMEOUT_MS)
    _edit_cursor_line(runner, " * 2")
    assert "edited since this run" in runner.cell_view.text.toPlainText()


def test_cell_boundaries_are_drawn(qtbot, runner) -> None:
    runner.native.window().resize(1400, 1400)  # room for the editor's first lines
    qtbot.wait(20)
    runner.editor.resize(500, 300)
    runner.editor.cell_line_color = QColor("#ff0000")
    runner.editor.viewport().update()
    qtbot.wait(50)
    image = runner.editor.viewport().grab().toImage()
    red_rows = {
        y
        for y in range(image.height())
        for x in range(40, min(image.width(), 300), 37)
        if image.pixelColor(x, y).red() > 200 and image.pixelColor(x, y).green() < 80
    }
    marker_tops = []
    for line in (0, 3, 5):
        block = runner.editor.document().findBlockByNumber(line)
        geometry = runner.editor.blockBoundingGeometry(block).translated(
            runner.editor.contentOffset()
        )
        marker_tops.append(round(geometry.top()))
    for top in marker_tops:
        assert any(abs(row - top) <= 1 for row in red_rows), (top, sorted(red_rows))
    assert len(runner.editor.extraSelections()) == 3  # the title lines are shaded


def test_scripts_without_markers_hide_the_cell_view(qtbot, runner) -> None:
    runner.editor.setPlainText("y = 1\ny + 1\n")
    runner.editor.rescan_cells()
    runner._show_cell_output()
    assert runner.cell_view.isHidden()
    _put_cursor(runner, 1)
    result = _press(qtbot, runner, Qt.KeyboardModifier.ControlModifier)  # the whole script
    assert result.value_repr == "2"
    assert np.array_equal(runner.engine.namespace["y"], 1)


def test_a_cells_output_stays_readable_in_a_crowded_dock(make_napari_viewer, qtbot, tmp_path):
    """A figure docked below the runner left the cell view two lines: its value was cut."""
    viewer = make_napari_viewer(show=True)
    runner = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    dock = viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    figure_like = QWidget()
    figure_like.setMinimumHeight(300)
    viewer.window.add_dock_widget(figure_like, name="Figure 1", area="right")
    dock.window().resize(1200, 800)
    runner.set_font_size(13)
    long_line = "# " + "a long comment " * 20  # the editor's horizontal scroll bar shows
    runner.editor.setPlainText(
        f"# %% two lines and a value\n{long_line}\nprint('a')\nprint('b')\n41 + 1\n"
    )
    runner.editor.rescan_cells()
    _put_cursor(runner, 1)
    _press(qtbot, runner, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: runner.cell_view.isVisible() and runner.cell_view.text.height() > 0)
    qtbot.wait(50)  # the dock area settles
    text = runner.cell_view.text
    assert text.toPlainText() == "a\nb\nOut: 42\n"
    # the three lines show under the title, and the log below does not cover them
    assert text.viewport().height() >= 3 * text.fontMetrics().lineSpacing()
    assert runner.cell_view.height() >= runner.cell_view.minimumSizeHint().height()
    assert runner.output.height() > 0
    assert text.font().pointSize() == 13  # the font size setting reaches the cell's output
    # the editor keeps six lines of code in view at that size, scroll bar or not
    editor = runner.editor
    assert editor.horizontalScrollBar().isVisible()
    six_lines = 6 * editor.fontMetrics().lineSpacing()
    assert editor.viewport().height() >= six_lines
    # ... however crowded: its minimum height holds them beside the scroll bar
    assert editor.minimumHeight() >= six_lines + editor.horizontalScrollBar().height()
    # Clear sits in the tab bar beside the Output tab (its own row took three lines)
    assert runner._clear_button.isVisible()
    runner._clear_button.click()
    runner.output.flush()
    assert runner.output.toPlainText() == ""
    runner.tabs.setCurrentIndex(1)
    assert not runner._clear_button.isVisible()


def _run_file(qtbot, runner: ScriptRunnerWidget) -> object:
    with qtbot.waitSignal(runner.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        runner._run_button.native.click()
    runner.output.flush()
    return blocker.args[0]


def test_run_file_names_the_whole_file_above_its_output(qtbot, runner) -> None:
    """After Run file the pane read "cell 1 · setup — not run yet" above nothing."""
    _put_cursor(runner, 1)
    result = _run_file(qtbot, runner)
    assert "ZeroDivisionError" in result.error  # the third cell fails: errors show too
    title = runner.cell_view.title.text()
    assert title == f"whole file · untitled — failed after {result.duration:.2f} s"
    assert "not run yet" not in runner.cell_view.shown_text()
    shown = runner.cell_view.text.toPlainText()
    assert shown.startswith("x has 10 values\n")
    assert "ZeroDivisionError" in shown
    assert "line 7" in shown
    # the cells that ran with the file say so when the cursor comes to them
    _put_cursor(runner, 4)
    assert runner.cell_view.title.text() == (
        f"cell 2 · total — ran with the whole file, which failed after {result.duration:.2f} s"
    )
    assert runner.cell_view.text.toPlainText().startswith("x has 10 values\n")
    # a cell run on its own afterwards shows its own output again, as before
    own = _press(qtbot, runner, Qt.KeyboardModifier.ControlModifier)
    assert runner.cell_view.title.text() == f"cell 2 · total — {own.duration:.2f} s"
    assert runner.cell_view.text.toPlainText() == "Out: np.int64(45)\n"
    _put_cursor(runner, 1)
    assert "cell 1 · setup — ran with the whole file" in runner.cell_view.title.text()
    _put_cursor(runner, 4)
    assert runner.cell_view.title.text() == f"cell 2 · total — {own.duration:.2f} s"
    # a cell added since the file ran has not run
    cursor = runner.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("# %% later\ny = 2\n")
    runner.editor.setTextCursor(cursor)
    runner.editor.rescan_cells()
    _put_cursor(runner, 8)
    assert runner.cell_view.title.text() == "cell 4 · later — not run yet"


def test_run_file_after_a_cell_run_replaces_the_cells_older_output(
    qtbot, runner, tmp_path: Path
) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(SCRIPT.replace("1 / 0", "print('done')"), encoding="utf-8")
    runner.editor.document().setModified(False)  # the fixture's text: nothing to keep
    runner.open_path(script)
    _put_cursor(runner, 1)
    _press(qtbot, runner, Qt.KeyboardModifier.ControlModifier)
    _put_cursor(runner, 4)
    _press(qtbot, runner, Qt.KeyboardModifier.ControlModifier)
    assert runner.cell_view.text.toPlainText() == "Out: np.int64(45)\n"
    result = _run_file(qtbot, runner)
    assert result.success, result.error
    assert runner.cell_view.title.text() == f"whole file · analysis.py — {result.duration:.2f} s"
    assert runner.cell_view.text.toPlainText() == "x has 10 values\ndone\n"
    _put_cursor(runner, 1)
    _put_cursor(runner, 4)  # the file ran after the cell's own run: its output is older
    assert "cell 2 · total — ran with the whole file" in runner.cell_view.title.text()
    assert runner.cell_view.text.toPlainText() == "x has 10 values\ndone\n"
    # editing the cell afterwards says the shown run is older, as for a cell's own run
    _edit_cursor_line(runner, " * 2")
    assert "the cell was edited since this run" in runner.cell_view.text.toPlainText()
