"""The kept output of the ``# %%`` cell under the editor's cursor (above the output log).

Just after *Run file* it shows the whole file's run instead (``whole file · name — 0.12 s``);
a cell whose latest run was a whole-file run says so (``cell 2 · load — ran with the whole
file, 0.12 s``) above that run's output. A traceback's ``^^^`` markers show as marked
characters of the code line (:func:`~.output_pane.traceback_pieces`), as in the output log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtGui import QFontDatabase, QTextCharFormat, QTextCursor
from qtpy.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from napari_whiskertoolbox.widgets.output_pane import traceback_pieces

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting.cells import Cell, CellOutput
    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["MIN_TEXT_LINES", "CellOutputView"]

MIN_TEXT_LINES = 3
"""Lines of kept output always shown under the title, however crowded the dock (a cell's
printed line and its ``Out:`` value were cut in half by the output log below)."""


class CellOutputView(QWidget):
    """The cell's title, then what its latest run printed and its last expression's value.

    Attributes
    ----------
    title : QLabel
        ``cell 2 · load data — 0.03 s`` (or "not run yet", or "ran with the whole file,
        0.12 s"); ``whole file · analysis.py — 0.12 s`` after *Run file*.
    text : QPlainTextEdit
        The kept output (read-only).
    cell : Cell or None
        The cell shown (None while a whole-file run is shown).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("Run the cell (Ctrl+Enter) to keep its output here")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        self.cell: Cell | None = None
        self._fit_min_height()

    def set_font_size(self, points: int) -> None:
        """Show the kept output in ``points``-sized text (the output log's size)."""
        font = self.text.font()
        font.setPointSize(int(points))
        self.text.setFont(font)
        self._fit_min_height()

    def _fit_min_height(self) -> None:
        text = self.text
        margins = 2 * (text.frameWidth() + round(text.document().documentMargin()))
        text.setMinimumHeight(text.fontMetrics().lineSpacing() * MIN_TEXT_LINES + margins)

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Use napari's theme colours."""
        self.title.setStyleSheet(f"color: {theme.text}; font-weight: bold;")
        self.text.setStyleSheet(f"background-color: {theme.background}; color: {theme.text};")

    def show_cell(self, cell: Cell | None, output: CellOutput | None) -> None:
        """Show ``cell``'s kept ``output`` (None: not run yet).

        An ``output`` of a whole-file run (:attr:`CellOutput.whole_file`) is headed
        ``<cell> — ran with the whole file, <seconds> s`` (``..., which failed after
        <seconds> s`` when the file's run raised); a run that raised says ``failed after``.
        """
        self.cell = cell
        if cell is None:
            self.title.setText("")
            self.text.setPlainText("")
            return
        if output is None:
            self.title.setText(f"{cell.label} — not run yet")
            self.text.setPlainText("")
            return
        if output.whole_file:
            which = ", which " if output.error is not None else ", "
            self.title.setText(f"{cell.label} — ran with the whole file{which}{_outcome(output)}")
        else:
            self.title.setText(f"{cell.label} — {_outcome(output)}")
        self._show_text(output.render(cell.digest))

    def show_file_run(self, output: CellOutput, current_digest: str | None = None) -> None:
        """Show a whole-file run: ``whole file · analysis.py — 0.12 s`` above its output.

        ``current_digest`` (:func:`~napari_whiskertoolbox.scripting.cells.code_digest` of
        the script now) adds a note when the script was edited since the run.
        """
        self.cell = None
        self.title.setText(f"{output.label} — {_outcome(output)}")
        self._show_text(output.render(current_digest, what="script"))

    def _show_text(self, text: str) -> None:
        self.text.clear()
        cursor = QTextCursor(self.text.document())
        cursor.beginEditBlock()
        for piece, fmt in traceback_pieces(text, QTextCharFormat()):
            cursor.insertText(piece, fmt)
        cursor.endEditBlock()

    def shown_text(self) -> str:
        """Return the title and the text shown."""
        return f"{self.title.text()}\n{self.text.toPlainText()}"


def _outcome(output: CellOutput) -> str:
    """``0.12 s``, or ``failed after 0.12 s`` for a run that raised."""
    took = f"{output.duration:.2f} s"
    return took if output.error is None else f"failed after {took}"
