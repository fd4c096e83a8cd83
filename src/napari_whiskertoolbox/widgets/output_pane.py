r"""Script output pane: thread-safe, batched, size-capped, stdout and stderr in two colours.

Long lines wrap at the pane's width (at a word boundary when there is one), so an error
message is read in full without scrolling sideways. A carriage return rewrites the line, as
in a terminal or Jupyter: progress bars (tqdm, ``print(..., end="\r")``) update one line
instead of adding one per update. Colours follow napari's theme
(:meth:`OutputPane.apply_theme`), also for text already shown.

A traceback (:meth:`OutputPane.append_traceback`) shows the expression Python marks with
``^^^`` as bold, underlined characters of its code line instead of a marker line below it:
a wrapped code line took its markers out of line with the expression.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING

from qtpy.QtCore import QTimer
from qtpy.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextOption,
)
from qtpy.QtWidgets import QPlainTextEdit, QWidget

from napari_whiskertoolbox.scripting.tracebacks import lift_caret_lines

if TYPE_CHECKING:
    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["OutputPane", "marked_format", "traceback_pieces"]

_COLORS: dict[str, str | None] = {"stdout": None, "stderr": None, "info": None, "value": None}
"""Stream colours until :meth:`OutputPane.apply_theme`: the pane's text colour, readable on
any background (a fixed red would not be: no red reads at 4.5:1 on both napari themes)."""
_STREAM_PROPERTY = int(QTextFormat.Property.UserProperty) + 1
"""Char-format property holding the stream a piece of text came from (to recolour it)."""
_MARK_PROPERTY = int(QTextFormat.Property.UserProperty) + 2
"""Char-format property of a traceback's marked characters: True for ``^``, False for ``~``."""
_TRACEBACK = "traceback"
"""Queue stream of tracebacks: shown as stderr, their caret lines as marked characters."""


def marked_format(fmt: QTextCharFormat, primary: bool) -> QTextCharFormat:
    """``fmt`` for characters a traceback marks: ``^`` bold and underlined, ``~`` underlined.

    ``~`` (the operands of the failing operation) gets a dotted line, so the ``^`` part (the
    operator, call or subscript that failed) stands out as Python's markers make it.
    """
    marked = QTextCharFormat(fmt)
    marked.setProperty(_MARK_PROPERTY, primary)
    if primary:
        marked.setFontWeight(QFont.Weight.Bold)
    marked.setUnderlineStyle(
        QTextCharFormat.UnderlineStyle.SingleUnderline
        if primary
        else QTextCharFormat.UnderlineStyle.DotLine
    )
    return marked


def traceback_pieces(text: str, fmt: QTextCharFormat) -> list[tuple[str, QTextCharFormat]]:
    """``text`` in pieces to insert in order: in ``fmt``, or marked (:func:`marked_format`).

    The caret lines under a traceback's code lines are left out; the characters they
    marked come in marked pieces.
    """
    plain, spans = lift_caret_lines(text)
    pieces: list[tuple[str, QTextCharFormat]] = []
    done = 0
    for span in spans:
        pieces.append((plain[done : span.start], fmt))
        pieces.append((plain[span.start : span.end], marked_format(fmt, span.primary)))
        done = span.end
    pieces.append((plain[done:], fmt))
    return [(piece, piece_fmt) for piece, piece_fmt in pieces if piece]


class OutputPane(QPlainTextEdit):
    """Read-only text pane fed from any thread through :meth:`append_output`.

    Writes are queued and flushed to the document by a timer, so a script printing
    100,000 lines costs a handful of repaints instead of 100,000; per flush only the
    newest ``max_flush_chars`` characters are shown (inserting text costs ~4 ms per 1,000
    characters, so a flush stays short), and the document keeps at most
    ``max_lines`` lines.

    Parameters
    ----------
    max_lines : int
        Lines kept in the pane (older ones are dropped).
    flush_interval_ms : int
        How often queued output is written to the pane.
    max_flush_chars : int
        Largest amount of text written per flush; the excess is summarised in one line.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        max_lines: int = 10_000,
        flush_interval_ms: int = 50,
        max_flush_chars: int = 8_000,
    ) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setMaximumBlockCount(max_lines)
        self.auto_scroll = True
        self._max_flush_chars = max_flush_chars
        self._queue: deque[tuple[str, str]] = deque()
        self._rewrite_line = False  # the last text ended in "\r": the next text replaces the line
        self._lock = threading.Lock()
        self._formats = {name: self._format(color) for name, color in _COLORS.items()}
        self._timer = QTimer(self)
        self._timer.setInterval(flush_interval_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    @staticmethod
    def _format(color: str | None) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if color:
            fmt.setForeground(QColor(color))
        return fmt

    def _stream_format(self, stream: str) -> QTextCharFormat:
        fmt = QTextCharFormat(self._formats.get(stream, self._formats["stdout"]))
        fmt.setProperty(_STREAM_PROPERTY, stream)
        return fmt

    def _fragment_format(self, old: QTextCharFormat) -> QTextCharFormat | None:
        """Return the format, in the current theme, of text shown in ``old`` (None: not ours)."""
        stream = old.property(_STREAM_PROPERTY)
        if not isinstance(stream, str):
            return None
        fmt = self._stream_format(stream)
        primary = old.property(_MARK_PROPERTY)
        return marked_format(fmt, primary) if isinstance(primary, bool) else fmt

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Colour each stream from napari's theme, including the text already shown."""
        self._formats = {
            name: self._format(theme.streams[name].color if name in theme.streams else color)
            for name, color in _COLORS.items()
        }
        document = self.document()
        block = document.begin()
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt = self._fragment_format(fragment.charFormat())
                if fmt is not None:
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(
                        fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                    )
                    cursor.setCharFormat(fmt)
                iterator += 1
            block = block.next()
        cursor.endEditBlock()

    def set_font_size(self, points: int) -> None:
        """Use a ``points``-sized fixed-width font."""
        font = self.font()
        font.setPointSize(int(points))
        self.setFont(font)

    def append_output(self, stream: str, text: str) -> None:
        """Queue ``text`` for display (any thread).

        ``stream`` is ``"stdout"``, ``"stderr"``, ``"info"`` (status lines) or ``"value"``
        (the repr of a trailing expression).
        """
        with self._lock:
            self._queue.append((stream, text))

    def append_traceback(self, text: str) -> None:
        """Queue a traceback (any thread): stderr's colour, ``^^^`` as marked characters.

        The marker lines under code lines are dropped; the characters they pointed at are
        shown bold and underlined (:func:`traceback_pieces`).
        """
        self.append_output(_TRACEBACK, text)

    def has_pending(self) -> bool:
        """Whether queued output is waiting for the next flush."""
        with self._lock:
            return bool(self._queue)

    def flush(self) -> None:
        """Write queued output to the pane now (main thread)."""
        with self._lock:
            if not self._queue:
                return
            chunks = list(self._queue)
            self._queue.clear()
        runs = self._merge_runs(self._keep_newest(chunks))
        scrollbar = self.verticalScrollBar()
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        for stream, text in runs:
            if stream == _TRACEBACK:
                for piece, fmt in traceback_pieces(text, self._stream_format("stderr")):
                    self._insert(cursor, piece, fmt)
            else:
                self._insert(cursor, text, self._stream_format(stream))
        cursor.endEditBlock()
        if self.auto_scroll:
            scrollbar.setValue(scrollbar.maximum())

    def _insert(self, cursor: QTextCursor, text: str, fmt: QTextCharFormat) -> None:
        r"""Insert ``text`` at ``cursor`` (the end), a ``\r`` starting its line afresh.

        Of a line holding carriage returns only the text after the last one is shown (what
        a terminal shows when each update overwrites the whole line, as progress bars do);
        it replaces the line's text already in the pane.
        """
        if "\r" not in text and not self._rewrite_line:
            cursor.insertText(text, fmt)
            return
        for number, line in enumerate(text.replace("\r\n", "\n").split("\n")):
            if number:
                cursor.insertText("\n", fmt)
                self._rewrite_line = False
            parts = line.split("\r")
            shown = max((i for i, part in enumerate(parts) if part), default=None)
            if shown is None:
                self._rewrite_line = self._rewrite_line or len(parts) > 1
                continue
            if self._rewrite_line or shown > 0:
                cursor.movePosition(
                    QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor
                )
                cursor.removeSelectedText()
            cursor.insertText(parts[shown], fmt)
            self._rewrite_line = shown < len(parts) - 1

    def _keep_newest(self, chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
        total = 0
        kept: list[tuple[str, str]] = []
        for stream, text in reversed(chunks):
            room = self._max_flush_chars - total
            if room <= 0:
                break
            piece = text if len(text) <= room else text[-room:]
            kept.append((stream, piece))
            total += len(piece)
        kept.reverse()
        skipped = sum(len(text) for _, text in chunks) - total
        if skipped:
            kept.insert(0, ("info", f"[... {skipped:,} characters of output skipped ...]\n"))
        return kept

    @staticmethod
    def _merge_runs(chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
        runs: list[tuple[str, list[str]]] = []
        for stream, text in chunks:
            if runs and runs[-1][0] == stream:
                runs[-1][1].append(text)
            else:
                runs.append((stream, [text]))
        return [(stream, "".join(parts)) for stream, parts in runs]

    def clear(self) -> None:
        """Drop shown and queued output."""
        with self._lock:
            self._queue.clear()
        self._rewrite_line = False
        super().clear()
