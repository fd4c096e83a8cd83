"""Fit a table's columns to their text, never undoing a width the user dragged.

A live table (the Batch dock's sessions) gains text as events arrive. Re-fitting every
column on every event undid the widths the user had dragged by hand, and read every cell
of the table each time. :class:`ColumnFit` fits the columns once when the rows appear (and
a column when it is added), then only widens a column whose new cell does not fit, up to
a cap; a column the user resized (dragging or double-clicking its header's edge) is left
as the user made it from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qtpy.QtWidgets import QTableWidget

__all__ = ["ColumnFit"]


class ColumnFit(QObject):
    """The column widths of ``table``: fitted to their text until the user sets one.

    Parameters
    ----------
    table : QTableWidget
        The table (its header's sections are watched for the user's resizes).
    max_width : int
        Widest (px) a column is fitted to; a longer text is elided. The user may drag a
        column wider.
    fixed : iterable of int, optional
        Logical columns sized otherwise (e.g. in ``ResizeToContents`` mode): never fitted.

    Attributes
    ----------
    user_sized : set of int
        Logical columns the user resized: never fitted again.
    """

    def __init__(self, table: QTableWidget, max_width: int, fixed: Iterable[int] = ()) -> None:
        super().__init__(table)
        self.table = table
        self.max_width = max_width
        self.fixed = frozenset(fixed)
        self.user_sized: set[int] = set()
        self._pressed = False  # a mouse button is down on the header: its resizes are the user's
        header = table.horizontalHeader()
        header.viewport().installEventFilter(self)
        header.sectionResized.connect(self._section_resized)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note when a mouse button goes down or up on the header (resizes between are the user's)."""
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self._pressed = True
        elif kind == QEvent.Type.MouseButtonRelease:
            self._pressed = False
        return False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if self._pressed:
            self.user_sized.add(column)

    def _fitted(self, column: int) -> bool:
        return column not in self.fixed and column not in self.user_sized

    def fit(self, columns: Iterable[int] | None = None) -> None:
        """Size ``columns`` (all by default) to their header and cells, at most the cap.

        Columns the user resized, and fixed ones, keep their widths.
        """
        table = self.table
        chosen = range(table.columnCount()) if columns is None else columns
        for column in chosen:
            if self._fitted(column):
                table.resizeColumnToContents(column)
                if table.columnWidth(column) > self.max_width:
                    table.setColumnWidth(column, self.max_width)

    def widen_for_row(self, row: int) -> None:
        """Widen each fitted column whose cell in ``row`` does not fit it, up to the cap.

        Reads that row only; a column never narrows here (a column fitted to a wide cell
        keeps its width when that cell's text gets shorter).
        """
        table = self.table
        grid = 1 if table.showGrid() else 0
        for column in range(table.columnCount()):
            if not self._fitted(column) or table.item(row, column) is None:
                continue
            wanted = table.sizeHintForIndex(table.model().index(row, column)).width() + grid
            width = table.columnWidth(column)
            if wanted > width and width < self.max_width:
                table.setColumnWidth(column, min(wanted, self.max_width))

    def forget_columns_from(self, first: int) -> None:
        """Forget the user's widths of columns ``first`` and after (they were removed)."""
        self.user_sized = {column for column in self.user_sized if column < first}
