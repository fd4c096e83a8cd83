"""The environment selector: each environment by name, its path elided in the middle."""

from __future__ import annotations

from pathlib import Path

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

__all__ = ["EnvironmentChoice"]


def environment_label(path: str) -> str:
    """Return what the selector shows for ``path``: ``"name  (path)"``."""
    return f"{Path(path).name or path}  ({path})"


class EnvironmentChoice(QComboBox):
    """A combo box of environment folders, shown as ``name  (path)``.

    The path is the item's data (:meth:`path_at`, :meth:`current_path`); the shown text
    is elided in its middle to the room the box gets, so the name at its start stays
    visible (an editable box scrolled a long path to its end: "irtualenvs/ana"). The whole
    path is the item's and the box's tooltip.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentIndexChanged.connect(self._update_tooltip)

    def add_path(self, path: str) -> int:
        """Add ``path`` (if not listed yet) and return its index."""
        index = self.findData(path)
        if index < 0:
            self.addItem(environment_label(path), path)
            index = self.count() - 1
            self.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
        return index

    def path_at(self, index: int) -> str:
        """Return the environment path of item ``index``."""
        data = self.itemData(index)
        return str(data) if data is not None else ""

    def paths(self) -> list[str]:
        """Return the listed environment paths, in order."""
        return [self.path_at(i) for i in range(self.count())]

    def current_path(self) -> str:
        """Return the chosen environment's path ("" when none is chosen)."""
        return self.path_at(self.currentIndex()) if self.currentIndex() >= 0 else ""

    def set_current_path(self, path: str) -> None:
        """Choose ``path``, adding it when not listed; an empty path chooses nothing."""
        self.setCurrentIndex(self.add_path(path) if path else -1)

    def _update_tooltip(self) -> None:
        self.setToolTip(self.current_path())

    def _text_room(self, option: QStyleOptionComboBox) -> int:
        return (
            self.style()
            .subControlRect(
                QStyle.ComplexControl.CC_ComboBox,
                option,
                QStyle.SubControl.SC_ComboBoxEditField,
                self,
            )
            .width()
        )

    def shown_text(self) -> str:
        """Return the text the box shows: the current item's, elided in its middle to fit."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideMiddle, self._text_room(option)
        )

    def paintEvent(self, event) -> None:
        """Draw the box with :meth:`shown_text`."""
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
