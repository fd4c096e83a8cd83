"""Python code editor for the script runner: highlighting, line numbers, drops, Shift+Enter."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import ClassVar

from qtpy.QtCore import QRect, QSize, Qt, Signal
from qtpy.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from qtpy.QtWidgets import QPlainTextEdit, QWidget

__all__ = ["CodeEditor", "PythonHighlighter"]

_INDENT = "    "


def _text_format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Keyword, builtin, string, number, comment and decorator highlighting for Python."""

    STYLES: ClassVar[dict[str, QTextCharFormat]] = {
        "keyword": _text_format("#c678dd", bold=True),
        "builtin": _text_format("#56b6c2"),
        "number": _text_format("#d19a66"),
        "string": _text_format("#98c379"),
        "comment": _text_format("#7f848e", italic=True),
        "decorator": _text_format("#e5c07b"),
        "definition": _text_format("#61afef", bold=True),
    }
    _TRIPLE = (re.compile("'''"), re.compile('"""'))

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        names = (
            "print", "len", "range", "enumerate", "zip", "list", "dict", "set", "tuple",
            "int", "float", "str", "bool", "min", "max", "sum", "abs", "isinstance",
            "sorted", "open", "super", "type", "repr", "None", "True", "False", "self",
        )  # fmt: skip
        builtins = r"\b(?:" + "|".join(names) + r")\b"
        self._rules = [
            (re.compile(r"\b(?:" + "|".join(keyword.kwlist) + r")\b"), self.STYLES["keyword"]),
            (re.compile(builtins), self.STYLES["builtin"]),
            (re.compile(r"\b(?:0[xob])?[0-9][0-9_]*\.?[0-9_]*(?:e[+-]?[0-9]+)?j?\b", re.I),
             self.STYLES["number"]),
            (re.compile(r"^\s*@[\w.]+"), self.STYLES["decorator"]),
            (re.compile(r"\b(?:def|class)\s+(\w+)"), self.STYLES["definition"]),
            (re.compile(r"[rbfuRBFU]{0,2}\"[^\"\\]*(?:\\.[^\"\\]*)*\""), self.STYLES["string"]),
            (re.compile(r"[rbfuRBFU]{0,2}'[^'\\]*(?:\\.[^'\\]*)*'"), self.STYLES["string"]),
            (re.compile(r"#[^\n]*"), self.STYLES["comment"]),
        ]  # fmt: skip

    def highlightBlock(self, text: str) -> None:
        """Apply the highlighting rules to one block of text (Qt calls this)."""
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                start, end = match.span(group)
                self.setFormat(start, end - start, fmt)
        self._highlight_triple_quotes(text)

    def _highlight_triple_quotes(self, text: str) -> None:
        """Multi-line strings: block state 1/2 = inside a ''' / \"\"\" string."""
        self.setCurrentBlockState(0)
        position = 0
        state = self.previousBlockState()
        while position <= len(text):
            if state in (1, 2):
                end = self._TRIPLE[state - 1].search(text, position)
                stop = end.end() if end else len(text)
                self.setFormat(position, stop - position, self.STYLES["string"])
                if end is None:
                    self.setCurrentBlockState(state)
                    return
                position, state = stop, 0
                continue
            starts = [
                (m.start(), i + 1)
                for i, p in enumerate(self._TRIPLE)
                if (m := p.search(text, position))
            ]
            if not starts:
                return
            position, state = min(starts)
            comment = text.find("#", 0, position)
            if comment != -1:
                return
            self.setFormat(position, 3, self.STYLES["string"])
            position += 3


class _LineNumberArea(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.line_number_width(), 0)

    def paintEvent(self, event) -> None:
        self._editor.paint_line_numbers(event)


class CodeEditor(QPlainTextEdit):
    """Plain-text Python editor with a line-number gutter.

    Signals
    -------
    run_selection_requested
        Shift+Enter was pressed.
    file_dropped : str
        A ``.py`` file was dropped onto the editor (its path).
    """

    run_selection_requested = Signal()
    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(_INDENT))
        self.setAcceptDrops(True)
        self.highlighter = PythonHighlighter(self.document())
        self._gutter = _LineNumberArea(self)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_gutter_width()

    # -- selection ------------------------------------------------------------------------

    def selected_code(self) -> str:
        """Return the selected text, or the current line when nothing is selected."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            return cursor.selectedText().replace("\u2029", "\n")
        return cursor.block().text()

    def selection_first_line(self) -> int:
        """0-based number of the first line of the selection (or of the current line)."""
        cursor = self.textCursor()
        return self.document().findBlock(cursor.selectionStart()).blockNumber()

    # -- line numbers ---------------------------------------------------------------------

    def line_number_width(self) -> int:
        """Width in pixels of the line-number gutter."""
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(digits, 3)

    def _update_gutter_width(self, *_: object) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    def resizeEvent(self, event) -> None:
        """Keep the line-number gutter the editor's height."""
        super().resizeEvent(event)
        contents = self.contentsRect()
        self._gutter.setGeometry(
            QRect(contents.left(), contents.top(), self.line_number_width(), contents.height())
        )

    def paint_line_numbers(self, event) -> None:
        """Paint the numbers of the visible lines into the gutter."""
        """Paint the numbers of the visible lines (called by the gutter)."""
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), self.palette().alternateBase())
        painter.setPen(self.palette().placeholderText().color())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                painter.drawText(
                    0, top, self._gutter.width() - 5, height,
                    Qt.AlignmentFlag.AlignRight, str(number + 1),
                )  # fmt: skip
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()

    # -- keys and drops ---------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Run the selection on Shift+Enter and keep the indentation on Enter."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.run_selection_requested.emit()
            return
        if event.key() == Qt.Key.Key_Tab and not self.textCursor().hasSelection():
            self.insertPlainText(_INDENT)
            return
        if enter:
            indent = re.match(r"\s*", self.textCursor().block().text()).group()
            if self.textCursor().block().text().rstrip().endswith(":"):
                indent += _INDENT
            super().keyPressEvent(event)
            self.insertPlainText(indent)
            return
        super().keyPressEvent(event)

    @staticmethod
    def _dropped_scripts(event) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        return [path for path in paths if Path(path).suffix == ".py"]

    def dragEnterEvent(self, event) -> None:
        """Accept drags carrying ``.py`` files."""
        if self._dropped_scripts(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        """Keep accepting a drag of ``.py`` files while it moves."""
        if self._dropped_scripts(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        """Open dropped ``.py`` files; other drops go to the editor."""
        scripts = self._dropped_scripts(event)
        if not scripts:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.file_dropped.emit(scripts[0])
