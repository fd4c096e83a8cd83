"""A table view of an array (the variable watch's double-click), lazy for any size.

:class:`ArrayTableModel` reads only the cells Qt asks for, so a 10-million-row array opens
at once. Arrays of more than two dimensions show their first 2-D slice; a ragged series
shows its flat table (frame, entity id, x, y).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qtpy.QtCore import QAbstractTableModel, QModelIndex, Qt
from qtpy.QtWidgets import QDialog, QLabel, QTableView, QVBoxLayout, QWidget

from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.core.tensor import TensorData

__all__ = ["ArrayTableModel", "ArrayViewDialog", "table_of"]


def table_of(value: Any) -> tuple[np.ndarray, list[str] | None, str]:
    """Return ``(2-D array, column names or None, note)`` for showing ``value`` as a table.

    Raises
    ------
    TypeError
        If ``value`` has no table form.
    """
    columns: list[str] | None = None
    note = ""
    if isinstance(value, TensorData):
        columns = value.column_names
        array = value.values
    elif isinstance(value, RaggedSeries):
        flat = value.to_flat()
        if flat.offsets is None:
            entry = np.arange(flat.times.size)
        else:
            entry = np.repeat(np.arange(flat.times.size), np.diff(flat.offsets))
        array = np.column_stack(
            [flat.times[entry], flat.ids[entry].astype(np.float64), flat.coords]
        )
        columns = ["frame", "entity id", "x", "y"]
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
    """Read-only table model over a 2-D array (cells formatted on demand)."""

    def __init__(self, array: np.ndarray, columns: list[str] | None = None) -> None:
        super().__init__()
        self.array = array
        self.columns = columns

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        """Return the number of rows."""
        return int(self.array.shape[0])

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
        else:
            size = "×".join(str(n) for n in np.shape(getattr(value, "values", value)))
        self.setWindowTitle(f"{name} — {type(value).__name__} {size}")
        self.model = ArrayTableModel(array, columns)
        self.table = QTableView()
        self.table.setModel(self.model)
        layout = QVBoxLayout(self)
        if note:
            layout.addWidget(QLabel(note))
        layout.addWidget(self.table)
        self.resize(520, 420)
