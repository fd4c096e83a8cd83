"""Code editor and output pane pieces of the script runner (Qt, no viewer needed)."""

from __future__ import annotations

import threading

import pytest
from qtpy.QtCore import Qt

from napari_whiskertoolbox.widgets.output_pane import OutputPane
from napari_whiskertoolbox.widgets.script_editor import CodeEditor

pytestmark = pytest.mark.gui


def _formats(editor: CodeEditor, line: int) -> dict[str, str]:
    """Highlighted text of ``line`` → its foreground colour."""
    block = editor.document().findBlockByNumber(line)
    text = block.text()
    return {
        text[r.start : r.start + r.length]: r.format.foreground().color().name()
        for r in block.layout().formats()
    }


def test_highlighting_of_keywords_strings_comments_and_docstrings(qtbot) -> None:
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.setPlainText('def smooth(x):\n    """Doc\n    string."""\n    return "s"  # note\n')
    styles = {
        name: fmt.foreground().color().name() for name, fmt in editor.highlighter.styles.items()
    }
    first = _formats(editor, 0)
    assert first["def"] == styles["keyword"]
    assert first["smooth"] == styles["definition"]
    assert _formats(editor, 2)['    string."""'] == styles["string"]  # inside a docstring
    last = _formats(editor, 3)
    assert last['"s"'] == styles["string"]
    assert last["# note"] == styles["comment"]


def test_line_numbers_gutter_grows_with_the_line_count(qtbot) -> None:
    editor = CodeEditor()
    qtbot.addWidget(editor)
    narrow = editor.line_number_width()
    editor.setPlainText("\n".join(["x = 1"] * 12_000))
    assert editor.line_number_width() > narrow
    assert editor.viewportMargins().left() == editor.line_number_width()


def test_tab_and_auto_indent(qtbot) -> None:
    editor = CodeEditor()
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor, "for i in x:")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "pass")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "for i in x:\n    pass\n        "


def test_output_pane_accepts_writes_from_threads_and_caps_each_flush(qtbot) -> None:
    pane = OutputPane(max_lines=100, max_flush_chars=50)
    qtbot.addWidget(pane)
    writer = threading.Thread(
        target=lambda: [pane.append_output("stdout", f"{i}\n") for i in range(1000)]
    )
    writer.start()
    writer.join()
    pane.flush()
    text = pane.toPlainText()
    assert text.endswith("999\n") or text.endswith("999")
    assert "characters of output skipped" in text
    assert pane.document().blockCount() <= 100
    pane.clear()
    assert pane.toPlainText() == ""
    assert not pane.has_pending()


def test_output_pane_carriage_return_rewrites_the_line_as_a_terminal(qtbot) -> None:
    # progress lines (tqdm, print(..., end="\r")) update one line instead of piling up
    pane = OutputPane()
    qtbot.addWidget(pane)
    pane.append_output("info", ">>> run job.py\n")
    pane.append_output("stderr", "\r  0%|          | 0/50")
    pane.append_output("stderr", "\r 40%|████      | 20/50\r 80%|████████  | 40/50")
    pane.flush()
    assert pane.toPlainText() == ">>> run job.py\n 80%|████████  | 40/50"
    pane.append_output("stderr", "\r100%|██████████| 50/50\n")
    pane.append_output("stdout", "step 1\r")  # a line that says what is going on, then moves on
    pane.flush()
    pane.append_output("stdout", "step 2\r")
    pane.append_output("stdout", "\n")
    pane.append_output("stdout", "windows\r\nline\r\n")
    pane.flush()
    assert pane.toPlainText() == (">>> run job.py\n100%|██████████| 50/50\nstep 2\nwindows\nline\n")
