"""Python code editor for the script runner: highlighting, line numbers, cells, drops, run keys.

Indentation is four spaces: Tab inserts them, Enter keeps the line's indentation (one
level more after a ``:``), and Backspace inside the indentation goes back one level.
``# %%`` lines split the script into notebook-style cells (:mod:`~napari_whiskertoolbox.scripting.cells`):
a line is drawn above each, its title line is shaded, and the run keys of :data:`RUN_KEYS`
run the selection or a cell. Colours come from napari's theme (:func:`apply_theme`).
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from qtpy.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from qtpy.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from napari_whiskertoolbox.scripting.cells import Cell, cell_at, split_cells
from napari_whiskertoolbox.widgets.script_theme import CELL_TITLE_ALPHA, TextStyle
from napari_whiskertoolbox.workflow.save_shortcut import OWN_SAVE_KEY_PROPERTY

if TYPE_CHECKING:
    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["INDENT", "RUN_KEYS", "CodeEditor", "PythonHighlighter"]

INDENT = "    "
"""One indentation level."""

RUN_KEYS = {
    "run_selection": ("Shift+Enter", "run the selection, or the current line"),
    "run_cell": ("Ctrl+Enter", "run the # %% cell under the cursor"),
    "run_cell_and_advance": ("Ctrl+Shift+Enter", "run the cell and move to the next one"),
}
"""The editor's run keys: action → (key, what it does)."""

_CELL_SCAN_MS = 150
"""Cells are found again this long after the last edit."""

_DEFAULT_SYNTAX = {
    "keyword": TextStyle("", bold=True),
    "builtin": TextStyle(""),
    "number": TextStyle(""),
    "string": TextStyle(""),
    "comment": TextStyle("", italic=True),
    "decorator": TextStyle(""),
    "definition": TextStyle("", bold=True),
}
"""Styles used until a napari theme is applied: the editor's text colour (readable on any
background), bold and italic only; :meth:`CodeEditor.apply_theme` brings the colours."""


def _text_format(style: TextStyle) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if style.color:
        fmt.setForeground(QColor(style.color))
    if style.bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(style.italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Keyword, builtin, string, number, comment and decorator highlighting for Python.

    Attributes
    ----------
    styles : dict of str to QTextCharFormat
        Format of each kind of token (``keyword``, ``builtin``, ``number``, ``string``,
        ``comment``, ``decorator``, ``definition``); see :meth:`set_styles`.
    """

    _TRIPLE = (re.compile("'''"), re.compile('"""'))

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.styles = {name: _text_format(style) for name, style in _DEFAULT_SYNTAX.items()}
        names = (
            "print", "len", "range", "enumerate", "zip", "list", "dict", "set", "tuple",
            "int", "float", "str", "bool", "min", "max", "sum", "abs", "isinstance",
            "sorted", "open", "super", "type", "repr", "None", "True", "False", "self",
        )  # fmt: skip
        builtins = r"\b(?:" + "|".join(names) + r")\b"
        self._rules = [
            (re.compile(r"\b(?:" + "|".join(keyword.kwlist) + r")\b"), "keyword"),
            (re.compile(builtins), "builtin"),
            (re.compile(r"\b(?:0[xob])?[0-9][0-9_]*\.?[0-9_]*(?:e[+-]?[0-9]+)?j?\b", re.I),
             "number"),
            (re.compile(r"^\s*@[\w.]+"), "decorator"),
            (re.compile(r"\b(?:def|class)\s+(\w+)"), "definition"),
            (re.compile(r"[rbfuRBFU]{0,2}\"[^\"\\]*(?:\\.[^\"\\]*)*\""), "string"),
            (re.compile(r"[rbfuRBFU]{0,2}'[^'\\]*(?:\\.[^'\\]*)*'"), "string"),
            (re.compile(r"#[^\n]*"), "comment"),
        ]  # fmt: skip

    def set_styles(self, styles: dict[str, TextStyle]) -> None:
        """Use ``styles`` (by token kind; kinds left out keep theirs) and re-highlight."""
        for name, style in styles.items():
            if name in self.styles:
                self.styles[name] = _text_format(style)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        """Apply the highlighting rules to one block of text (Qt calls this)."""
        for pattern, style in self._rules:
            fmt = self.styles[style]
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
                self.setFormat(position, stop - position, self.styles["string"])
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
            self.setFormat(position, 3, self.styles["string"])
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

    Attributes
    ----------
    gutter_colors : tuple of QColor
        Background, number and current-line-number colours of the gutter (from the theme).

    Signals
    -------
    run_selection_requested
        Shift+Enter was pressed.
    run_cell_requested : bool
        Ctrl+Enter (``False``) or Ctrl+Shift+Enter (``True``: then move to the next cell).
    current_cell_changed : object
        The cursor entered another cell (the :class:`Cell`, or None without cells).
    file_dropped : str
        A ``.py`` file was dropped onto the editor (its path).
    save_requested : bool
        The platform's Save key (Ctrl+S: ``False``) or Save As key (Ctrl+Shift+S: ``True``)
        was pressed: while the editor has the focus they save the script, not the session.
    """

    run_selection_requested = Signal()
    run_cell_requested = Signal(bool)
    current_cell_changed = Signal(object)
    file_dropped = Signal(str)
    save_requested = Signal(bool)

    def setPlainText(self, text: str | None) -> None:
        """Replace the text; the document counts as modified, as if it had been typed.

        Qt's own ``setPlainText`` marks the document unmodified, so text set from code
        (``runner.editor.setPlainText(...)``) looked saved while differing from the file.
        A caller loading a file's text marks it unmodified afterwards.
        """
        super().setPlainText(text)
        self.document().setModified(True)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self.setAcceptDrops(True)
        self.setProperty(OWN_SAVE_KEY_PROPERTY, True)  # Ctrl+S saves the script
        self.highlighter = PythonHighlighter(self.document())
        palette = self.palette()
        self.gutter_colors = (
            palette.alternateBase().color(),
            palette.placeholderText().color(),
            palette.text().color(),
        )
        self._gutter = _LineNumberArea(self)
        self._line_numbers = True
        self.cell_line_color = palette.mid().color()
        self._cells: list[Cell] = []
        self._current_cell_key: str | None = None
        self._cell_timer = QTimer(self)
        self._cell_timer.setSingleShot(True)
        self._cell_timer.setInterval(_CELL_SCAN_MS)
        self._cell_timer.timeout.connect(self.rescan_cells)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._gutter.update)
        self.cursorPositionChanged.connect(self._follow_cursor_cell)
        self.textChanged.connect(self._cell_timer.start)
        self._update_gutter_width()

    # -- appearance -----------------------------------------------------------------------

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Colour the gutter and the syntax with napari's theme."""
        self.gutter_colors = (
            QColor(theme.foreground),
            QColor(theme.gutter_text),
            QColor(theme.text),
        )
        self.cell_line_color = QColor(theme.highlight)
        self.highlighter.set_styles(theme.syntax)
        self._gutter.update()
        self._shade_cell_titles()

    def set_font_size(self, points: int) -> None:
        """Use a ``points``-sized fixed-width font (the gutter and tab width follow)."""
        font = self.font()
        font.setPointSize(int(points))
        self.setFont(font)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self._update_gutter_width()
        self.resizeEvent(None)

    @property
    def line_numbers_visible(self) -> bool:
        """Whether the line-number gutter is shown."""
        return self._line_numbers

    def set_line_numbers_visible(self, visible: bool) -> None:
        """Show or hide the line-number gutter."""
        self._line_numbers = bool(visible)
        self._gutter.setVisible(self._line_numbers)
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

    # -- cells ----------------------------------------------------------------------------

    def cells(self) -> list[Cell]:
        """Return the script's ``# %%`` cells (one cell when it has no marker)."""
        if self._cell_timer.isActive():
            self.rescan_cells()
        return self._cells

    def has_cell_markers(self) -> bool:
        """Whether the script has at least one ``# %%`` line."""
        return any(cell.has_marker for cell in self.cells())

    def current_cell(self) -> Cell | None:
        """Return the cell holding the cursor."""
        return cell_at(self.cells(), self.textCursor().blockNumber())

    def move_to_next_cell(self) -> bool:
        """Put the cursor on the first line after the next cell's ``# %%`` line.

        Returns False (the cursor goes to the end) when the current cell is the last.
        """
        current = self.current_cell()
        cells = self.cells()
        following = [c for c in cells if current is not None and c.index == current.index + 1]
        cursor = self.textCursor()
        if not following:
            cursor.movePosition(cursor.MoveOperation.End)
            self.setTextCursor(cursor)
            return False
        target = following[0]
        line = min(target.start_line + (1 if target.has_marker else 0), target.end_line - 1)
        block = self.document().findBlockByNumber(max(line, target.start_line))
        cursor.setPosition(block.position())
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        return True

    def rescan_cells(self) -> None:
        """Find the cells again (after edits) and redraw their boundaries."""
        self._cell_timer.stop()
        self._cells = split_cells(self.toPlainText())
        self._shade_cell_titles()
        self.viewport().update()
        self._follow_cursor_cell()

    def _follow_cursor_cell(self) -> None:
        cell = cell_at(self._cells, self.textCursor().blockNumber()) if self._cells else None
        key = cell.key if cell is not None and self.has_cell_markers() else None
        if key != self._current_cell_key:
            self._current_cell_key = key
            self.current_cell_changed.emit(cell if key is not None else None)

    def _shade_cell_titles(self) -> None:
        """Shade each ``# %%`` line across the editor's width."""
        color = QColor(self.cell_line_color)
        color.setAlpha(CELL_TITLE_ALPHA)
        selections = []
        for cell in self._cells:
            if not cell.has_marker:
                continue
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(color)
            selection.format.setProperty(QTextCharFormat.Property.FullWidthSelection, True)
            selection.cursor = self.textCursor()
            selection.cursor.setPosition(
                self.document().findBlockByNumber(cell.start_line).position()
            )
            selection.cursor.clearSelection()
            selections.append(selection)
        self.setExtraSelections(selections)

    def paintEvent(self, event) -> None:
        """Draw the text, then a line above each cell's ``# %%`` line."""
        super().paintEvent(event)
        markers = {cell.start_line for cell in self._cells if cell.has_marker}
        if not markers:
            return
        painter = QPainter(self.viewport())
        pen = painter.pen()
        pen.setColor(self.cell_line_color)
        pen.setWidth(2)
        painter.setPen(pen)
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        width = self.viewport().width()
        while block.isValid():
            top = round(self.blockBoundingGeometry(block).translated(offset).top())
            if top > event.rect().bottom():
                break
            if block.blockNumber() in markers and block.isVisible():
                painter.drawLine(0, top, width, top)
            block = block.next()
        painter.end()

    # -- line numbers ---------------------------------------------------------------------

    def line_number_width(self) -> int:
        """Width in pixels of the line-number gutter (0 when it is hidden)."""
        if not self._line_numbers:
            return 0
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
        if event is not None:
            super().resizeEvent(event)
        contents = self.contentsRect()
        self._gutter.setGeometry(
            QRect(contents.left(), contents.top(), self.line_number_width(), contents.height())
        )

    def paint_line_numbers(self, event) -> None:
        """Paint the numbers of the visible lines into the gutter (called by the gutter)."""
        background, number_color, current_color = self.gutter_colors
        current = self.textCursor().blockNumber()
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), background)
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                painter.setPen(current_color if number == current else number_color)
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

    @staticmethod
    def _save_key(event: QKeyEvent) -> bool | None:
        """Return ``True`` for the Save As key, ``False`` for the Save key, else None."""
        if event.matches(QKeySequence.StandardKey.SaveAs):
            return True
        if event.matches(QKeySequence.StandardKey.Save):
            return False
        return None

    def event(self, event: QEvent) -> bool:
        """Take the Save keys from napari's menu shortcuts while the editor has the focus."""
        if event.type() == QEvent.Type.ShortcutOverride and self._save_key(event) is not None:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Run keys (:data:`RUN_KEYS`), Save keys, indentation on Enter, dedent on Backspace."""
        save_as = self._save_key(event)
        if save_as is not None:
            self.save_requested.emit(save_as)
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        modifiers = event.modifiers()
        if enter and modifiers & Qt.KeyboardModifier.ControlModifier:
            self.run_cell_requested.emit(bool(modifiers & Qt.KeyboardModifier.ShiftModifier))
            return
        if enter and modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.run_selection_requested.emit()
            return
        if event.key() == Qt.Key.Key_Tab and not self.textCursor().hasSelection():
            self.insertPlainText(INDENT)
            return
        if event.key() == Qt.Key.Key_Backspace and self._dedent():
            return
        if enter:
            indent = re.match(r"\s*", self.textCursor().block().text()).group()
            if self.textCursor().block().text().rstrip().endswith(":"):
                indent += INDENT
            super().keyPressEvent(event)
            self.insertPlainText(indent)
            return
        super().keyPressEvent(event)

    def _dedent(self) -> bool:
        """Delete back to the previous indentation level when the cursor is in the indentation.

        Returns False (nothing done) when there is a selection or text before the cursor.
        """
        cursor = self.textCursor()
        if cursor.hasSelection():
            return False
        before = cursor.block().text()[: cursor.positionInBlock()]
        if not before or before.strip(" "):
            return False
        width = (len(before) - 1) % len(INDENT) + 1
        cursor.movePosition(cursor.MoveOperation.Left, cursor.MoveMode.KeepAnchor, width)
        cursor.removeSelectedText()
        self.setTextCursor(cursor)
        return True

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
