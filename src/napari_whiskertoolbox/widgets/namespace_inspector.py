"""The variable watch: the script namespace with array statistics and data objects' keys.

Rows list name, type, shape and dtype at once; min, max and mean of arrays are computed
afterwards, a few rows per event-loop turn and each within a time budget
(:func:`~napari_whiskertoolbox.scripting.watch.array_stats`), so a namespace holding huge
arrays never freezes napari. Our data objects show the key ``dm`` stores them under and its
clock. Double-clicking a row asks to show the value (:attr:`NamespaceInspector.value_requested`).
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
from qtpy.QtCore import Qt, QTimer, Signal
from qtpy.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.scripting.watch import array_stats

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from napari_whiskertoolbox.scripting import NamespaceEntry
    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["COLUMNS", "NamespaceInspector", "stats_array"]

COLUMNS = ("Name", "Type", "Shape", "Dtype", "Key", "Clock", "Min", "Max", "Mean", "Summary")
"""Key and clock come before the statistics: in a narrow dock they show without scrolling."""
_MIN, _MAX, _MEAN = COLUMNS.index("Min"), COLUMNS.index("Max"), COLUMNS.index("Mean")
_TURN_BUDGET_S = 0.03
"""Statistics computed per event-loop turn before the rest waits for the next turn."""


def stats_array(value: object) -> np.ndarray | None:
    """Return the array whose statistics the watch shows for ``value`` (None: no statistics).

    numpy arrays, tensors, and analog series whose samples are in memory (a memory-mapped
    series that was never read stays unread).
    """
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, TensorData):
        return value.values
    if isinstance(value, AnalogTimeSeries) and value.is_materialized:
        return value.values
    return None


class NamespaceInspector(QTreeWidget):
    """Rows of :class:`~napari_whiskertoolbox.scripting.NamespaceEntry` with lazy statistics.

    Parameters
    ----------
    stats_budget_s : float
        Time one array's statistics may take before the rest of it is only sampled.

    Signals
    -------
    value_requested : str
        A row was double-clicked (the variable's name).
    """

    value_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, stats_budget_s: float = 0.05) -> None:
        super().__init__(parent)
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(True)
        self.setToolTip("Double-click a variable to show it (arrays as a table, series as a lane)")
        self.stats_budget_s = stats_budget_s
        self._items: dict[str, QTreeWidgetItem] = {}
        self._pending: deque[str] = deque()
        self._value_of: Callable[[str], Any] | None = None
        self.itemDoubleClicked.connect(
            lambda item, _column: self.value_requested.emit(item.text(0))
        )

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Colour rows (and alternate rows) with napari's theme, text in the theme's text colour."""
        self.setStyleSheet(
            f"QTreeWidget {{ background-color: {theme.background}; "
            f"alternate-background-color: {theme.foreground}; color: {theme.text}; }}"
        )

    def set_entries(
        self, entries: Sequence[NamespaceEntry], value_of: Callable[[str], Any] | None = None
    ) -> None:
        """Replace the rows with ``entries``; statistics follow from ``value_of(name)``."""
        self.clear()
        self._items.clear()
        self._pending.clear()
        self._value_of = value_of
        for entry in entries:
            shape = "×".join(str(n) for n in entry.shape) if entry.shape is not None else ""
            if not shape and entry.size is not None:
                shape = f"{entry.size:,}"
            row = [entry.name, entry.type_name, shape, entry.dtype or ""]
            row += [entry.key or "", entry.clock or "", "", "", "", entry.summary]
            item = QTreeWidgetItem(row)
            item.setToolTip(len(COLUMNS) - 1, entry.summary)
            self.addTopLevelItem(item)
            self._items[entry.name] = item
            self._pending.append(entry.name)
        if self._pending and value_of is not None:
            QTimer.singleShot(0, self._compute_some)

    def _compute_some(self) -> None:
        started = time.perf_counter()
        while self._pending and time.perf_counter() - started < _TURN_BUDGET_S:
            self._compute(self._pending.popleft())
        if self._pending:
            QTimer.singleShot(0, self._compute_some)

    def _compute(self, name: str) -> None:
        item = self._items.get(name)
        if item is None or self._value_of is None:
            return
        try:
            array = stats_array(self._value_of(name))
        except KeyError:  # the variable went away meanwhile
            return
        stats = array_stats(array, self.stats_budget_s) if array is not None else None
        if stats is None:
            return
        for column, value in ((_MIN, stats.minimum), (_MAX, stats.maximum), (_MEAN, stats.mean)):
            item.setText(column, stats.format(value))
        if not stats.exact:
            tip = f"approximate: from {stats.n_used:,} of {array.size:,} values (time budget)"
            for column in (_MIN, _MAX, _MEAN):
                item.setToolTip(column, tip)

    @property
    def stats_pending(self) -> bool:
        """Whether some rows still wait for their statistics."""
        return bool(self._pending)

    def finish_stats(self) -> None:
        """Compute every pending statistic now."""
        while self._pending:
            self._compute(self._pending.popleft())

    def names(self) -> list[str]:
        """Variable names currently shown."""
        return [self.topLevelItem(i).text(0) for i in range(self.topLevelItemCount())]

    def row(self, name: str) -> dict[str, str]:
        """Return the texts of ``name``'s row by column title."""
        item = self._items[name]
        return {title: item.text(column) for column, title in enumerate(COLUMNS)}
