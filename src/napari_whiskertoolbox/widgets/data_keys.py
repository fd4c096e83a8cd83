"""The DataManager's keys in the script runner; a double-click inserts ``dm.getData("key")``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from qtpy.QtCore import Qt, Signal
from qtpy.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["DataKeysPanel", "get_data_code"]

_COLUMNS = ("Key", "Type", "Clock")


def get_data_code(key: str) -> str:
    """Return ``dm.getData("key")`` with ``key`` quoted as a Python string literal."""
    return f"dm.getData({json.dumps(key)})"


class DataKeysPanel(QWidget):
    """Table of the DataManager's keys (key, WhiskerToolbox type, clock).

    Signals
    -------
    insert_requested : str
        Code to insert into the editor: a row was double-clicked (or Enter pressed on it),
        or *Insert* was pressed with a row selected.
    """

    insert_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTreeWidget()
        self.table.setColumnCount(len(_COLUMNS))
        self.table.setHeaderLabels(_COLUMNS)
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip('double-click a key to insert dm.getData("key") into the editor')
        self.table.itemActivated.connect(lambda item, _column: self._request(item))
        self.insert_button = QPushButton("Insert")
        self.insert_button.setToolTip('insert dm.getData("key") for the selected key')
        self.insert_button.clicked.connect(self._insert_selected)
        hint = QLabel('double-click a key to insert dm.getData("key")')
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(hint, 1)
        row.addWidget(self.insert_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row)

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Colour rows (and alternate rows) with napari's theme."""
        self.table.setStyleSheet(
            f"QTreeWidget {{ background-color: {theme.background}; "
            f"alternate-background-color: {theme.foreground}; color: {theme.text}; }}"
        )

    def show_keys(self, dm: DataManager) -> None:
        """List ``dm``'s keys with their WhiskerToolbox type and clock."""
        self.set_rows([(key, dm.getType(key).name, dm.time_key(key)) for key in dm])

    def set_rows(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Replace the rows with ``(key, type, clock)`` triples."""
        self.table.clear()
        for row in rows:
            item = QTreeWidgetItem(list(row))
            item.setData(0, Qt.ItemDataRole.UserRole, row[0])
            self.table.addTopLevelItem(item)

    def listed_keys(self) -> list[str]:
        """Keys currently listed, in order."""
        return [self.table.topLevelItem(i).text(0) for i in range(self.table.topLevelItemCount())]

    def _request(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.insert_requested.emit(get_data_code(item.data(0, Qt.ItemDataRole.UserRole)))

    def _insert_selected(self) -> None:
        self._request(self.table.currentItem())
