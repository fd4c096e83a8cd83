"""The script runner reads well: indentation keys, napari theme colours, wrapping, short tracebacks.

Each test drives the real dock in a real napari viewer (issue 17, "Script runner
readability").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _script_runner_support import RUN_TIMEOUT_MS, docked_runner, run_and_wait
from qtpy.QtCore import Qt
from qtpy.QtGui import QColor, QFont, QTextCharFormat, QTextCursor

from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.scripting import NamespaceEntry
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
from napari_whiskertoolbox.widgets.script_theme import script_theme
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

    from qtpy.QtGui import QImage, QTextDocument
    from qtpy.QtWidgets import QAbstractButton

pytestmark = pytest.mark.gui


@pytest.fixture
def viewer(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.theme = "dark"
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    return viewer


@pytest.fixture
def runner(viewer, tmp_path: Path) -> ScriptRunnerWidget:
    widget = docked_runner(viewer, settings_file=tmp_path / "settings.json")
    widget.native.resize(600, 900)
    return widget


def color_at(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name()


def close(a: str, b: str, tolerance: int = 3) -> bool:
    ca, cb = QColor(a), QColor(b)
    return all(
        abs(x - y) <= tolerance
        for x, y in zip(ca.getRgb()[:3], cb.getRgb()[:3])  # alpha left out
    )


def luminance(color: QColor) -> float:
    return 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue()


# -- Backspace ------------------------------------------------------------------------------------


def test_backspace_in_indentation_goes_back_one_level(qtbot, runner) -> None:
    editor = runner.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "total = 0")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "for i in range(4):")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "if i % 2:")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "total += i")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # 8 spaces of indentation
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # back to the for-loop's level
    qtbot.keyClicks(editor, "total += 10")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # back to the top level
    qtbot.keyClicks(editor, "done = True")
    assert editor.toPlainText() == (
        "total = 0\n"
        "for i in range(4):\n"
        "    if i % 2:\n"
        "        total += i\n"
        "    total += 10\n"
        "done = True"
    )
    with qtbot.waitSignal(runner.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        runner.run_file()
    assert blocker.args[0].success, blocker.args[0].error  # no IndentationError
    assert runner.engine.namespace["total"] == 1 + 3 + 40


def test_backspace_snaps_to_the_indentation_grid_and_deletes_normally_after_text(
    qtbot, runner
) -> None:
    editor = runner.editor
    editor.setPlainText("      x")  # 6 spaces: one Backspace goes to 4
    cursor = editor.textCursor()
    cursor.setPosition(6)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert editor.toPlainText() == "    x"
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # after text: one character
    assert editor.toPlainText() == "    "
    editor.setPlainText("a    ")
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # spaces after text are not indentation
    assert editor.toPlainText() == "a   "


# -- napari theme colours ---------------------------------------------------------------------------


def gutter_image(runner: ScriptRunnerWidget) -> QImage:
    gutter = runner.editor._gutter
    gutter.resize(runner.editor.line_number_width(), 300)
    return gutter.grab().toImage()


def test_gutter_uses_the_theme_and_follows_theme_changes(qtbot, viewer, runner) -> None:
    runner.editor.setPlainText("\n".join(f"x{i} = {i}" for i in range(10)))
    dark = script_theme("dark")
    image = gutter_image(runner)
    background = color_at(image, 1, image.height() - 2)
    assert close(background, dark.foreground)
    numbers = [
        QColor(image.pixel(x, y))
        for x in range(image.width())
        for y in range(min(image.height(), 120))
    ]
    contrast = max(abs(luminance(c) - luminance(QColor(background))) for c in numbers)
    assert contrast > 80, "line numbers are hard to read against the gutter"

    viewer.theme = "light"
    light = script_theme("light")
    assert runner.theme == light
    image = gutter_image(runner)
    assert close(color_at(image, 1, image.height() - 2), light.foreground)
    assert runner.editor.highlighter.styles["keyword"].foreground().color().name() == (
        light.syntax["keyword"].color.lower()
    )


def test_namespace_rows_use_the_theme_and_follow_theme_changes(qtbot, viewer, runner) -> None:
    inspector = runner.inspector
    runner.tabs.setCurrentIndex(1)
    inspector.resize(500, 200)
    entries = [NamespaceEntry(name, "int", None, None, "1") for name in ("a", "b", "c")]
    inspector.set_entries(entries)

    def row_colors() -> list[str]:
        image = inspector.viewport().grab().toImage()
        colors = []
        for row in range(3):
            rect = inspector.visualItemRect(inspector.topLevelItem(row))
            colors.append(color_at(image, image.width() - 3, rect.center().y()))
        return colors

    dark = script_theme("dark")
    first, second, third = row_colors()
    assert close(first, dark.background)
    assert close(second, dark.foreground)  # the alternate row: dark, not white
    assert close(third, dark.background)
    viewer.theme = "light"
    light = script_theme("light")
    first, second, _ = row_colors()
    assert close(first, light.background)
    assert close(second, light.foreground)


def test_output_colours_follow_theme_changes_for_text_already_shown(qtbot, viewer, runner) -> None:
    run_and_wait(qtbot, runner, "import sys\nprint('to stderr', file=sys.stderr)\n")
    dark, light = script_theme("dark"), script_theme("light")

    def stderr_color() -> str:
        block = runner.output.document().begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if "to stderr" in fragment.text():
                    return fragment.charFormat().foreground().color().name()
                iterator += 1
            block = block.next()
        raise AssertionError("stderr text not found")

    assert stderr_color() == dark.streams["stderr"].color.lower()
    viewer.theme = "light"
    assert stderr_color() == light.streams["stderr"].color.lower()


# -- wrapping and tracebacks ---------------------------------------------------------------------------


def test_output_wraps_long_lines(qtbot, make_napari_viewer, tmp_path) -> None:
    viewer = make_napari_viewer(show=True)  # wrapping is laid out on screen
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    runner = ScriptRunnerWidget(viewer, settings_file=tmp_path / "settings.json")
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    runner.tabs.setCurrentIndex(0)
    qtbot.waitExposed(runner.output)
    result = run_and_wait(qtbot, runner, "dm.get_data('no_such_key')\n")
    assert not result.success
    message = result.error.rstrip().splitlines()[-1]
    assert runner.output.fontMetrics().horizontalAdvance(message) > runner.output.viewport().width()
    document = runner.output.document()
    block = document.findBlock(runner.output.toPlainText().index("available keys"))
    qtbot.waitUntil(lambda: block.layout().lineCount() > 1, timeout=10_000)
    assert runner.output.horizontalScrollBar().maximum() == 0  # nothing hidden to the right


def test_tracebacks_stop_at_the_users_code(qtbot, runner) -> None:
    result = run_and_wait(qtbot, runner, "x = 1\nvalue = dm.get_data('no_such_key')\n")
    text = runner.output.toPlainText()
    assert 'File "<untitled>", line 2, in <module>' in text
    assert "value = dm.get_data('no_such_key')" in text
    assert "data_manager.py" not in text
    assert "napari_whiskertoolbox" not in result.error
    traceback_lines = result.error.rstrip().splitlines()
    assert traceback_lines[-1].startswith("KeyError:")
    assert "no_such_key" in traceback_lines[-1]


def _marked(document: QTextDocument) -> list[tuple[str, bool]]:
    """Underlined runs of ``document``'s text, and whether each is bold (``^``, not ``~``)."""
    runs: list[tuple[str, bool]] = []
    last_end = -1
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            fmt = fragment.charFormat()
            if fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline:
                bold = fmt.fontWeight() >= QFont.Weight.Bold
                if runs and last_end == fragment.position() and runs[-1][1] == bold:
                    runs[-1] = (runs[-1][0] + fragment.text(), bold)
                else:
                    runs.append((fragment.text(), bold))
                last_end = fragment.position() + fragment.length()
            iterator += 1
        block = block.next()
    return runs


def test_a_wrapped_code_line_keeps_the_failing_expression_marked(
    qtbot, make_napari_viewer, tmp_path
) -> None:
    """Python's ``^^^`` line under a code line wider than the pane wrapped on its own, away
    from the expression; the pane marks the expression's own characters instead."""
    viewer = make_napari_viewer(show=True)  # wrapping is laid out on screen
    viewer.theme = "dark"
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    runner = docked_runner(viewer, settings_file=tmp_path / "settings.json")
    runner.tabs.setCurrentIndex(0)
    qtbot.waitExposed(runner.output)
    name = "a_rather_long_variable_name_for_the_offset"
    failing = (
        f"total = {name} + {name} * 2 + {name} * 3 + values[7] * {name} + mean_of('whisker_angel')"
    )
    assert len(failing) > 150
    code = (
        "# %% the cell view shows the whole file's run too\n"
        "def mean_of(key):\n    return dm.getData(key).values\n"
        f"values = [1, 2]\n{name} = 1\n{failing}\n"
    )
    result = run_and_wait(qtbot, runner, code)
    assert "^" in result.error  # the text kept for the terminal and batches is Python's
    shown = runner.output.toPlainText()
    assert "^" not in shown
    assert "~" not in shown
    assert f"    {failing}\n" in shown
    assert _marked(runner.output.document()) == [("values", False), ("[7]", True)]
    block = runner.output.document().findBlock(shown.index(failing))
    qtbot.waitUntil(lambda: block.layout().lineCount() > 1, timeout=10_000)  # it wraps
    viewer.theme = "light"  # recolouring keeps the marks
    assert _marked(runner.output.document()) == [("values", False), ("[7]", True)]
    cell_text = runner.cell_view.text.toPlainText()
    assert f"    {failing}\n" in cell_text
    assert "^" not in cell_text
    assert _marked(runner.cell_view.text.document()) == [("values", False), ("[7]", True)]

    run_and_wait(qtbot, runner, code.replace("values[7]", "values[1]"))
    assert _marked(runner.output.document())[-2:] == [
        ("mean_of('whisker_angel')", True),
        ("dm.getData(key).values", True),
    ]
    assert runner.output.toPlainText().rstrip().splitlines()[-2] == (
        "note: dm.getData(key) on line 3 returned None: there is no key 'whisker_angel' "
        "(did you mean 'whisker_angle'?)"
    )


# -- narrow docks ------------------------------------------------------------------------------------


def _narrowest_runner(qtbot, make_napari_viewer, tmp_path: Path) -> ScriptRunnerWidget:
    """The runner in a napari window of its default size, its dock dragged to its narrowest."""
    from qtpy.QtWidgets import QDockWidget

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.widgets.recent_files import RecentFiles

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    window.resize(1268, 800)
    runner = docked_runner(
        viewer,
        settings_file=tmp_path / "settings.json",
        recent_files=RecentFiles(tmp_path / "recent.json"),
    )
    dock = runner.native.parentWidget()
    while not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: dock.width() <= dock.minimumSizeHint().width() + 2, timeout=5000)
    return runner


def _room_for(button: QAbstractButton) -> int:
    """Width the style needs for ``button``'s text in its state (a fresh button's size hint).

    napari's style sheet draws a border round a disabled button only.
    """
    from qtpy.QtWidgets import QPushButton

    if not isinstance(button, QPushButton):
        return button.fontMetrics().horizontalAdvance(button.text()) + 4
    probe = QPushButton(button.text(), button.parentWidget())
    probe.setEnabled(button.isEnabled())
    probe.ensurePolished()
    room = probe.sizeHint().width()
    probe.deleteLater()
    return room


def test_at_its_narrowest_the_runner_leaves_the_video_room_and_shows_every_label(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    from qtpy.QtWidgets import QAbstractButton

    runner = _narrowest_runner(qtbot, make_napari_viewer, tmp_path)
    assert runner.native.width() <= 420  # one row of file buttons held it at 501 pixels
    runner._import_button.enabled = False  # napari's style draws a border round it then
    for index in range(runner.tabs.count()):
        runner.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        buttons = [
            b for b in runner.native.findChildren(QAbstractButton) if b.isVisible() and b.text()
        ]
        assert buttons
        for button in buttons:
            assert button.width() >= _room_for(button), (button.text(), button.width())
    runner.tabs.setCurrentWidget(runner.properties)
    qtbot.wait(10)
    assert runner.properties.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    assert runner._recent_button.text().endswith("▾")
    for row in list(runner)[:4]:  # the button rows: no air of their own above and below
        tallest = max(w.sizeHint().height() for w in row.native.findChildren(QAbstractButton))
        assert row.native.height() <= tallest + 2


def test_long_titles_elide_in_the_middle_and_show_whole_on_hover(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    runner = _narrowest_runner(qtbot, make_napari_viewer, tmp_path)
    name = "a_very_long_analysis_script_name_for_whisker_contacts.py"
    script = tmp_path / name
    script.write_text("x = 1\n")
    runner.open_path(script)
    qtbot.wait(10)
    title = runner._title
    assert title.value == name
    assert title.elided
    assert title.text().startswith(name[:3])
    assert title.text().endswith(name[-3:])
    assert name in title.toolTip()
    assert str(script) in title.toolTip()
    assert title.width() <= runner.native.width()


def test_the_narrowest_width_does_not_follow_the_notes(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    runner = _narrowest_runner(qtbot, make_napari_viewer, tmp_path)
    narrowest = runner.native.minimumSizeHint().width()
    runner._new_data_label.value = "new: " + ", ".join(f"signal_{i}" for i in range(20))
    runner._environment_label.value = "Python 3.11 · env: /a/very/long/path/to/an/environment"
    assert runner.native.minimumSizeHint().width() == narrowest


def test_a_long_environment_label_elides_in_the_middle_with_the_whole_in_its_tooltip(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    runner = _narrowest_runner(qtbot, make_napari_viewer, tmp_path)
    label = runner._environment_label
    text = "Python 3.11.7 · env: analysis-environment-with-a-very-long-name"
    label.value = text
    label.tooltip = "/home/user/envs/analysis-environment-with-a-very-long-name"
    qtbot.waitUntil(lambda: label.elided, timeout=5000)
    assert label.text().startswith("Python 3")
    assert label.text().endswith(text[-3:])
    assert "…" in label.text()
    assert text in label.toolTip()
    assert "/home/user/envs/" in label.toolTip()
