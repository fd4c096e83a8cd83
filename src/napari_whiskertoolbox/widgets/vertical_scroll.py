"""A frameless scroll area that scrolls up and down only and is as wide as its content.

A plain QScrollArea asks for almost no width, so napari docked a dock holding one narrower
than its content (the Transforms dock: 211 px for 240-260 px of forms, buttons and fields cut
behind a horizontal scroll bar). Docks whose rows would otherwise make a laptop's window
taller than its screen put them in one of these.
"""

from __future__ import annotations

from qtpy.QtCore import QEvent, QObject, QSize, Qt
from qtpy.QtWidgets import QFrame, QScrollArea, QWidget

__all__ = ["VerticalScrollArea", "scrolling"]


class VerticalScrollArea(QScrollArea):
    """A scroll area that scrolls vertically only and is as wide as its content needs.

    Parameters
    ----------
    min_height : int, optional
        Lowest height asked for (pixels); default: QScrollArea's own minimum.
    """

    def __init__(self, min_height: int | None = None) -> None:
        super().__init__()
        self._min_height = min_height
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def with_scroll_bar(self, width: int) -> int:
        """Return ``width`` (pixels) plus the vertical scroll bar's width."""
        return width + self.verticalScrollBar().sizeHint().width()

    def minimumSizeHint(self) -> QSize:
        """Return the content's minimum width plus the scroll bar, and the lowest height."""
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        width = self.with_scroll_bar(content.minimumSizeHint().width())
        height = hint.height() if self._min_height is None else self._min_height
        return QSize(max(hint.width(), width), height)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        """Ask for a new size when the content's layout changes (another form, new rows)."""
        if (
            watched is self.widget()
            and event is not None
            and event.type() == QEvent.Type.LayoutRequest
        ):
            self.updateGeometry()
        return bool(super().eventFilter(watched, event))


def scrolling(content: QWidget, min_height: int | None = None) -> VerticalScrollArea:
    """Put ``content`` in a :class:`VerticalScrollArea` (``min_height``: its lowest height).

    A short dock then scrolls it rather than making the window taller than the screen.
    """
    area = VerticalScrollArea(min_height)
    area.setWidget(content)
    return area
