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
"""Name, type, shape (or size) and clock first: in a narrow dock they show (when a row has
one), with the value's summary."""
_LEADING = 4
"""The first columns, fitted into the watch's width (shrunk, never hidden, when it is narrow)."""
_LEADING_MIN_PX = 48
"""Narrowest a shown column gets (its text elides; the tooltip has it whole)."""
_NAME_SHARE = 0.3
"""Widest the name column gets, as a share of the width, while other columns need room."""
_SUMMARY_SHARE = 0.3
"""Share of the width kept for the value's summary while the other columns need room."""
_COMPACT_SHARE = 0.5
"""Share kept for the summary when it also holds the values of columns without room
(dtype, min … max, mean: in a 1500-px window's dock they were only in tooltips)."""
_COMPACT_DIGITS = 4
"""Significant digits of min, max and mean inside the summary (6 in their own columns)."""
_TRAILING_MAX_PX = 96
"""Widest key, dtype and statistics columns get before their text elides."""
_TRAILING_ORDER = ("Summary", "Key", "Dtype", "Min", "Max", "Mean")
"""Which of the other columns get the room left first; those that find none are hidden
(their values are in each row's tooltip), so the watch never scrolls sideways."""
_MIN, _MAX, _MEAN = COLUMNS.index("Min"), COLUMNS.index("Max"), COLUMNS.index("Mean")
_KEY, _DTYPE, _SUMMARY = COLUMNS.index("Key"), COLUMNS.index("Dtype"), COLUMNS.index("Summary")
_APPROXIMATE = Qt.ItemDataRole.UserRole
"""Item data (on the Min column): why the statistics are approximate."""
_DESCRIPTION = Qt.ItemDataRole.UserRole
"""Item data (on the Summary column): the value's own summary, before hidden columns join it."""
_SHAPE_SAYS_IT = Qt.ItemDataRole.UserRole + 1
"""Item data (on the Summary column): the summary only repeats shape and dtype (an array)."""
_SEPARATOR = " · "
_TURN_BUDGET_S = 0.03
"""Statistics computed per event-loop turn before the rest waits for the next turn."""


def _shorter(number: str) -> str:
    """Return a statistic's text with :data:`_COMPACT_DIGITS` significant digits (``≈`` kept)."""
    approximate = number.startswith("≈")
    try:
        value = float(number.removeprefix("≈"))
    except ValueError:
        return number
    text = f"{value:.{_COMPACT_DIGITS}g}"
    return f"≈{text}" if approximate else text


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
            item.setData(_SUMMARY, _DESCRIPTION, entry.summary)
            item.setData(
                _SUMMARY,
                _SHAPE_SAYS_IT,
                isinstance(entry.shape, tuple)
                and entry.summary == f"array {entry.shape} {entry.dtype}",
            )
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
        """Fit the columns into the watch's width: no sideways scrolling.

        The name column gets its contents' width, up to :data:`_NAME_SHARE` of the width
        while the others need room; type, shape and clock their contents' width (at most
        :data:`_TRAILING_MAX_PX`) while it fits beside :data:`_SUMMARY_SHARE` of the width
        kept for the value's summary, else they shrink in proportion (never below
        :data:`_LEADING_MIN_PX`). The room left goes to the other columns in
        :data:`_TRAILING_ORDER` (the summary first; key, dtype and statistics at most
        :data:`_TRAILING_MAX_PX`), the last one shown stretching to the edge. Columns
        empty in every row, or finding no room, are hidden: the Summary column then starts
        with their values, ``key · dtype · min … max · mean · summary`` (an array's own
        summary, which only repeats shape and dtype, left out), so a narrow dock still
        shows an array's statistics; each row's tooltip lists them one per line. Text too
        long for its column elides; each cell's tooltip
        starts with its whole text. Once the user has dragged a column border the widths
        are theirs.
        """
        if self.user_sized:
            self._tell_hidden(self.hidden_columns())
            return
        header = self.header()
        items = self._rows()
        filled = [any(item.text(c) for item in items) for c in range(len(COLUMNS))]
        wanted = [
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(len(COLUMNS))
        ]
        viewport = self.viewport()
        room = viewport.width() if viewport is not None else 0
        if room <= 0:
            self._tell_hidden(self.hidden_columns())
            return
        summary = COLUMNS.index("Summary")
        # the value's summary keeps a share of the width: at a dock's narrowest it is what
        # tells the rows apart (name, type, shape and clock took it all)
        # and more of it when the columns do not all fit: it then starts with the values of
        # the columns left out (dtype, min … max, mean)
        crowded = sum(w for w, f in zip(wanted, filled, strict=True) if f) > room
        share = _COMPACT_SHARE if crowded else _SUMMARY_SHARE
        reserve = (
            min(wanted[summary], max(_LEADING_MIN_PX, int(room * share))) if filled[summary] else 0
        )
        shown = [0] + [c for c in range(1, _LEADING) if filled[c]]
        leading = {c: wanted[c] if c == 0 else min(wanted[c], _TRAILING_MAX_PX) for c in shown}
        fits = room - reserve
        if sum(leading.values()) > fits:
            leading[0] = min(leading[0], max(_LEADING_MIN_PX, int(room * _NAME_SHARE)))
        kind = COLUMNS.index("Type")
        if sum(leading.values()) > fits and kind in leading:
            # the type's name elides first ("AnalogTime…"): a shape or size cut short
            # ("200…" for 20000000) would mislead
            over = sum(leading.values()) - fits
            leading[kind] = max(min(leading[kind], _LEADING_MIN_PX), leading[kind] - over)
        if sum(leading.values()) > fits and crowded and filled[summary]:
            # then the summary gives back room, down to its usual share, before shapes shrink
            usual = min(wanted[summary], max(_LEADING_MIN_PX, int(room * _SUMMARY_SHARE)))
            fits = max(fits, min(room - usual, sum(leading.values())))
        if sum(leading.values()) > fits and len(shown) > 1:
            rest = sum(leading[c] for c in shown[1:])
            scale = max(fits - leading[0], 0) / max(rest, 1)
            for c in shown[1:]:
                leading[c] = max(_LEADING_MIN_PX, int(leading[c] * scale))
        widths = dict(leading)
        left = room - sum(leading.values())
        for title in _TRAILING_ORDER:
            column = COLUMNS.index(title)
            width = wanted[column] if column == summary else min(wanted[column], _TRAILING_MAX_PX)
            if not filled[column] or left < min(width, _LEADING_MIN_PX):
                continue
            widths[column] = min(width, left)
            left -= widths[column]
        if left > 0:  # what is left goes to the name, then to the last column shown
            grow = min(left, max(wanted[0] - widths[0], 0))
            widths[0] += grow
            widths[max(widths)] += left - grow
        self._fitting = True
        try:
            for column in range(len(COLUMNS)):
                self.setColumnHidden(column, column not in widths)
                if column in widths:
                    header.resizeSection(column, widths[column])
        finally:
            self._fitting = False
        self._tell_hidden([COLUMNS[c] for c in range(len(COLUMNS)) if c not in widths])

    def hidden_columns(self) -> list[str]:
        """Return the titles of the columns hidden for want of room (or of values)."""
        return [title for c, title in enumerate(COLUMNS) if self.isColumnHidden(c)]

    def _tell_hidden(self, hidden: list[str]) -> None:
        """Give every cell the tooltip: its whole text, then the values of hidden columns."""
        self.headerItem().setToolTip(
            _SUMMARY,
            (
                "the value; first the columns without room: "
                + _SEPARATOR.join(title.lower() for title in hidden if title != "Summary")
            )
            if any(COLUMNS.index(t) in (_KEY, _DTYPE, _MIN, _MAX, _MEAN) for t in hidden)
            else "the value",
        )
        for item in self._rows():
            self._tell_row(item, hidden)

    def _rows(self) -> list[QTreeWidgetItem]:
        rows = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in rows if item is not None]

    @staticmethod
    def _compact_summary(item: QTreeWidgetItem, hidden: list[str]) -> str:
        """Return the Summary text: the values of hidden columns, then the value's summary."""
        hidden_columns = {COLUMNS.index(title) for title in hidden}
        parts = []
        if _KEY in hidden_columns and item.text(_KEY):
            parts.append(f"key {item.text(_KEY)}")
        if _DTYPE in hidden_columns and item.text(_DTYPE):
            parts.append(item.text(_DTYPE))
        low, high = _shorter(item.text(_MIN)), _shorter(item.text(_MAX))
        if (_MIN in hidden_columns or _MAX in hidden_columns) and (low or high):
            parts.append(f"{low} … {high}")
        if _MEAN in hidden_columns and item.text(_MEAN):
            parts.append(f"mean {_shorter(item.text(_MEAN))}")
        description = item.data(_SUMMARY, _DESCRIPTION) or ""
        if description and not (parts and item.data(_SUMMARY, _SHAPE_SAYS_IT)):
            parts.append(description)
        return _SEPARATOR.join(parts)

    @classmethod
    def _tell_row(cls, item: QTreeWidgetItem, hidden: list[str]) -> None:
        item.setText(_SUMMARY, cls._compact_summary(item, hidden))
        approximate = item.data(_MIN, _APPROXIMATE)

        def whole(column: int) -> str:
            text = item.text(column)
            if approximate and text and column in (_MIN, _MAX, _MEAN):
                return f"{text}: {approximate}"
            return text

        more = [
            f"{title}: {whole(COLUMNS.index(title))}"
            for title in hidden
            if item.text(COLUMNS.index(title))
        ]
        extra = ("\n" + "\n".join(more)) if more else ""
        for column in range(len(COLUMNS)):
            item.setToolTip(column, whole(column) + extra)

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
        if not stats.exact:
            tip = f"approximate: from {stats.n_used:,} of {array.size:,} values (time budget)"
            item.setData(_MIN, _APPROXIMATE, tip)
        self._tell_row(item, self.hidden_columns())

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
