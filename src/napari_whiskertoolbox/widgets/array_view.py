"""A table view of an array (the variable watch's double-click), lazy for any size.

:class:`ArrayTableModel` reads only the cells Qt asks for, so a 10-million-row array opens
at once. Arrays of more than two dimensions show their first 2-D slice; a ragged series
shows one row per coordinate (frame, entity id, x, y), looked up per cell from its flat
buffers (nothing is copied); a clock shows one row per tick (index, time and, with a
sampling rate, seconds), computed per cell (a regular clock's ticks are never built).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qtpy.QtCore import QAbstractTableModel, QModelIndex, Qt
from qtpy.QtWidgets import QDialog, QLabel, QTableView, QVBoxLayout, QWidget

from napari_whiskertoolbox.core.ragged import FlatRagged, RaggedSeries
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = ["ArrayTableModel", "ArrayViewDialog", "ClockRows", "RaggedRows", "table_of"]

RAGGED_COLUMNS = ["frame", "entity id", "x", "y"]
CLOCK_COLUMNS = ["index", "time", "seconds"]
MAX_TABLE_ROWS = 10_000_000
"""Rows a table shows: Qt's views measure their whole height in C ints of pixels, and a
view of 100 million rows hangs."""


class RaggedRows:
    """The rows of a ragged series' flat buffers as a read-only 2-D table, cell by cell.

    Row ``r`` is coordinate ``r``: its entry's frame and entity id, then its x and y.

    Parameters
    ----------
    flat : FlatRagged
        The series' flat buffers (:meth:`RaggedSeries.to_flat`, views).
    """

    def __init__(self, flat: FlatRagged) -> None:
        self.flat = flat
        self.shape = (int(flat.coords.shape[0]), 4)
        self.ndim = 2

    def entry_of(self, row: int) -> int:
        """Return the entry owning coordinate ``row``."""
        offsets = self.flat.offsets
        return row if offsets is None else int(np.searchsorted(offsets, row, "right")) - 1

    def __getitem__(self, index: tuple[int, int]) -> Any:
        row, column = index
        if column >= 2:
            return self.flat.coords[row, column - 2]
        entry = self.entry_of(row)
        return self.flat.times[entry] if column == 0 else self.flat.ids[entry]


class ClockRows:
    """A clock's ticks as a read-only 2-D table, cell by cell.

    Row ``i`` is tick ``i``: the index, its time (int, in the clock's ticks) and, when the
    clock has a sampling rate, its time in seconds.

    Parameters
    ----------
    clock : TimeFrame
    """

    def __init__(self, clock: TimeFrame) -> None:
        self.clock = clock
        self.shape = (len(clock), 2 if clock.sampling_rate is None else 3)
        self.ndim = 2

    def __getitem__(self, index: tuple[int, int]) -> Any:
        row, column = index
        if column == 0:
            return row
        if column == 1:
            return self.clock.time_at_index(row)
        return self.clock.seconds_at_index(row)


Table = np.ndarray | RaggedRows | ClockRows


def table_of(value: Any) -> tuple[Table, list[str] | None, str]:
    """Return ``(2-D table, column names or None, note)`` for showing ``value`` as a table.

    The table is an array (or :class:`RaggedRows`) indexed ``table[row, column]``; nothing
    is copied.

    Raises
    ------
    TypeError
        If ``value`` has no table form.
    """
    columns: list[str] | None = None
    note = ""
    if isinstance(value, RaggedSeries):
        return RaggedRows(value.to_flat()), list(RAGGED_COLUMNS), note
    if isinstance(value, TimeFrame):
        rows = ClockRows(value)
        return rows, CLOCK_COLUMNS[: rows.shape[1]], note
    if isinstance(value, TensorData):
        columns = value.column_names
        array = value.values
    elif isinstance(value, np.ndarray):
        array = value
    else:
        raise TypeError(f"no table view for {type(value).__name__}")
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(-1, 1)
    elif array.ndim > 2:
        note = f"showing [{', '.join(['0'] * (array.ndim - 2))}, :, :] of shape {array.shape}"
        array = array[(0,) * (array.ndim - 2)]
    return array, columns, note


class ArrayTableModel(QAbstractTableModel):
    """Read-only table model over a 2-D array, :class:`RaggedRows` or :class:`ClockRows` (cells formatted on demand)."""

    def __init__(self, array: Table, columns: list[str] | None = None) -> None:
        super().__init__()
        self.array = array
        self.columns = columns
        self.rows = min(int(array.shape[0]), MAX_TABLE_ROWS)

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        """Return the number of rows shown (at most :data:`MAX_TABLE_ROWS`)."""
        return self.rows

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        """Return the number of columns."""
        return int(self.array.shape[1])

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return the text of one cell."""
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        value = self.array[index.row(), index.column()]
        if isinstance(value, (float, np.floating)):
            return f"{value:.6g}"
        return str(value)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Return column names (or numbers) and row numbers."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and self.columns:
            return self.columns[section]
        return str(section)


class ArrayViewDialog(QDialog):
    """A window with the table of a value (see :func:`table_of`).

    Raises
    ------
    TypeError
        If the value has no table form.
    """

    def __init__(self, name: str, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        array, columns, note = table_of(value)
        if isinstance(value, RaggedSeries):
            size = f"{value.n_entries:,} entries"
        elif isinstance(value, TimeFrame):
            size = f"{len(value):,} ticks"
        else:
            size = "×".join(str(n) for n in np.shape(getattr(value, "values", value)))
        self.setWindowTitle(f"{name} — {type(value).__name__} {size}")
        self.model = ArrayTableModel(array, columns)
        if self.model.rows < array.shape[0]:
            shown = f"showing the first {self.model.rows:,} of {array.shape[0]:,} rows"
            note = f"{note}; {shown}" if note else shown
        self.table = QTableView()
        self.table.setModel(self.model)
        layout = QVBoxLayout(self)
        if note:
            layout.addWidget(QLabel(note))
        layout.addWidget(self.table)
        self.resize(520, 420)
