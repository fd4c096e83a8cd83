"""Table of the script namespace: name, type, shape, dtype, summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.scripting import NamespaceEntry
    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["NamespaceInspector"]

_COLUMNS = ("Name", "Type", "Shape", "Dtype", "Summary")


class NamespaceInspector(QTreeWidget):
    """Read-only listing of :class:`~napari_whiskertoolbox.scripting.NamespaceEntry` rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(len(_COLUMNS))
        self.setHeaderLabels(_COLUMNS)
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(True)

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Colour rows (and alternate rows) with napari's theme, text in the theme's text colour."""
        self.setStyleSheet(
            f"QTreeWidget {{ background-color: {theme.background}; "
            f"alternate-background-color: {theme.foreground}; color: {theme.text}; }}"
        )

    def set_entries(self, entries: Sequence[NamespaceEntry]) -> None:
        """Replace the rows with ``entries``."""
        self.clear()
        for entry in entries:
            shape = "×".join(str(n) for n in entry.shape) if entry.shape is not None else ""
            row = (entry.name, entry.type_name, shape, entry.dtype or "", entry.summary)
            item = QTreeWidgetItem(list(row))
            item.setToolTip(4, entry.summary)
            self.addTopLevelItem(item)

    def names(self) -> list[str]:
        """Variable names currently shown."""
        return [self.topLevelItem(i).text(0) for i in range(self.topLevelItemCount())]
