"""A file dropped on a Qt widget, as a user drags it from a file manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QMimeData, QPointF, Qt, QUrl
from qtpy.QtGui import QDropEvent

if TYPE_CHECKING:
    from pathlib import Path

    from qtpy.QtWidgets import QWidget


def drop_file(widget: QWidget, path: Path) -> None:
    """Drop ``path`` (a local file URL) on ``widget`` at (10, 10) through its ``dropEvent``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)
