"""A compact list of the timeline's lanes: tick to show, drag to reorder, double-click for colour."""

from __future__ import annotations

from qtpy.QtCore import Qt, Signal
from qtpy.QtGui import QColor, QIcon, QPixmap
from qtpy.QtWidgets import QAbstractItemView, QColorDialog, QListWidget, QListWidgetItem

__all__ = ["LanePanel"]


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class LanePanel(QListWidget):
    """Editable list of lanes.

    Signals
    -------
    visibility_changed(str, bool)
        A lane's check box was toggled.
    order_changed(list)
        Lanes were reordered by drag and drop; the new key order.
    color_changed(str, str)
        A new ``#rrggbb`` colour was picked for a key.
    """

    visibility_changed = Signal(str, bool)
    order_changed = Signal(list)
    color_changed = Signal(str, str)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setToolTip("Tick to show a lane, drag to reorder, double-click to change its colour")
        self._filling = False
        self.itemChanged.connect(self._item_changed)
        self.itemDoubleClicked.connect(self._pick_color)
        self.model().rowsMoved.connect(self._rows_moved)

    def set_lanes(self, lanes: list[dict]) -> None:
        """Show ``lanes`` (dicts with ``key``, ``color``, ``visible``) in order."""
        self._filling = True
        try:
            self.clear()
            for lane in lanes:
                item = QListWidgetItem(_swatch(lane["color"]), lane["key"])
                item.setData(Qt.ItemDataRole.UserRole, lane["color"])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if lane.get("visible", True) else Qt.CheckState.Unchecked
                )
                self.addItem(item)
        finally:
            self._filling = False

    def keys(self) -> list[str]:
        """Lane keys in the listed order."""
        return [self.item(i).text() for i in range(self.count())]

    def _item_changed(self, item: QListWidgetItem) -> None:
        if not self._filling:
            self.visibility_changed.emit(item.text(), item.checkState() == Qt.CheckState.Checked)

    def _rows_moved(self, *args: object) -> None:
        if not self._filling:
            self.order_changed.emit(self.keys())

    def _pick_color(self, item: QListWidgetItem) -> None:
        color = QColorDialog.getColor(QColor(item.data(Qt.ItemDataRole.UserRole)), self)
        if color.isValid():
            self.color_changed.emit(item.text(), color.name())
