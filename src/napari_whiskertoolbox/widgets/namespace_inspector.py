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

COLUMNS = ("Name", "Type", "Shape", "Clock", "Key", "Dtype", "Min", "Max", "Mean", "Summary")
"""Name, type, shape (or size) and clock first: in a narrow dock they show without scrolling."""
_LEADING = 4
"""The first columns, fitted into the watch's width (shrunk, never hidden, when it is narrow)."""
_LEADING_MIN_PX = 48
"""Narrowest a leading column gets (its text elides; the tooltip has it whole)."""
_TRAILING_MAX_PX = 96
"""Widest key, dtype and statistics columns get before their text elides."""
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
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.header().setStretchLastSection(True)
        self.header().sectionResized.connect(self._on_section_resized)
        self._fitting = False
        self.user_sized = False
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
            texts = {
                "Name": entry.name,
                "Type": entry.type_name,
                "Shape": shape,
                "Clock": entry.clock or "",
                "Key": entry.key or "",
                "Dtype": entry.dtype or "",
                "Summary": entry.summary,
            }
            row = [texts.get(title, "") for title in COLUMNS]
            item = QTreeWidgetItem(row)
            for column, text in enumerate(row):
                item.setToolTip(column, text)
            self.addTopLevelItem(item)
            self._items[entry.name] = item
            self._pending.append(entry.name)
        self.fit_columns()
        if self._pending and value_of is not None:
            QTimer.singleShot(0, self._compute_some)

    def column(self, title: str) -> int:
        """Return the index of the column titled ``title`` (one of :data:`COLUMNS`)."""
        return COLUMNS.index(title)

    def fit_columns(self) -> None:
        """Fit name, type, shape and clock into the width; give the rest their text's width.

        The leading columns get their contents' width while it fits, else shrink in
        proportion (never below :data:`_LEADING_MIN_PX`); key, dtype and statistics get at
        most :data:`_TRAILING_MAX_PX` and elide (every cell's tooltip holds its whole text).
        Once the user has dragged a column border the widths are theirs.
        """
        if self.user_sized:
            return
        header = self.header()
        wanted = [
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(len(COLUMNS))
        ]
        leading = wanted[:_LEADING]
        room = self.viewport().width()
        if sum(leading) > room > 0:
            scale = room / sum(leading)
            leading = [max(_LEADING_MIN_PX, int(w * scale)) for w in leading]
            leading[0] += max(room - sum(leading), 0)  # what rounding left goes to the name
        trailing = [min(w, _TRAILING_MAX_PX) for w in wanted[_LEADING:]]
        self._fitting = True
        try:
            for column, width in enumerate(leading + trailing):
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _on_section_resized(self, *_: object) -> None:
        if not self._fitting and self.header().underMouse():  # a drag of a column border
            self.user_sized = True

    def resizeEvent(self, event: Any) -> None:
        """Fit the columns again to the new width."""
        super().resizeEvent(event)
        self.fit_columns()

    def _compute_some(self) -> None:
        started = time.perf_counter()
        while self._pending and time.perf_counter() - started < _TURN_BUDGET_S:
            self._compute(self._pending.popleft())
        if self._pending:
            QTimer.singleShot(0, self._compute_some)
        else:
            self.fit_columns()

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
            item.setToolTip(column, stats.format(value))
        if not stats.exact:
            tip = f"approximate: from {stats.n_used:,} of {array.size:,} values (time budget)"
            for column in (_MIN, _MAX, _MEAN):
                item.setToolTip(column, f"{item.text(column)}: {tip}")

    @property
    def stats_pending(self) -> bool:
        """Whether some rows still wait for their statistics."""
        return bool(self._pending)

    def finish_stats(self) -> None:
        """Compute every pending statistic now."""
        while self._pending:
            self._compute(self._pending.popleft())
        self.fit_columns()

    def names(self) -> list[str]:
        """Variable names currently shown."""
        return [self.topLevelItem(i).text(0) for i in range(self.topLevelItemCount())]

    def row(self, name: str) -> dict[str, str]:
        """Return the texts of ``name``'s row by column title."""
        item = self._items[name]
        return {title: item.text(column) for column, title in enumerate(COLUMNS)}
