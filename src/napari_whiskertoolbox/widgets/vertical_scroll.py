"""A frameless scroll area that scrolls up and down only and is as wide as its content.

A plain QScrollArea asks for almost no width, so napari docked a dock holding one narrower
than its content (the Transforms dock: 211 px for 240-260 px of forms, buttons and fields cut
behind a horizontal scroll bar). Docks whose rows would otherwise make a laptop's window
taller than its screen put them in one of these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject, QSize, Qt, QTimer
from qtpy.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

if TYPE_CHECKING:
    from qtpy.QtGui import QResizeEvent, QShowEvent

__all__ = ["CappedScrollArea", "VerticalScrollArea", "capped", "scrolling"]


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


class CappedScrollArea(VerticalScrollArea):
    """A :class:`VerticalScrollArea` as tall as its content, up to ``max_height``.

    For a message that is usually one line but may be twenty (an error naming every
    candidate): it wraps at the area's width and, past ``max_height``, scrolls inside the
    area instead of pushing the rest of the dock (and the window) down.

    Parameters
    ----------
    max_height : int
        Tallest the area gets (pixels).
    """

    def __init__(self, max_height: int) -> None:
        super().__init__()
        self._max_height = max_height
        self._width = -1
        self._viewport_width = -1

    def setWidget(self, widget: QWidget | None) -> None:
        """Hold ``widget``, which may shrink to its height at the area's width.

        A word-wrapped label's size hint is its height at a narrow width (66 px for one
        line of text); a vertical size policy that cannot shrink (magicgui labels use
        ``Minimum``) made QScrollArea size it to that hint, its line centred out of view.
        """
        if widget is not None:
            policy = widget.sizePolicy()
            policy.setVerticalPolicy(QSizePolicy.Policy.Preferred)
            policy.setHeightForWidth(widget.hasHeightForWidth())
            widget.setSizePolicy(policy)
        super().setWidget(widget)

    def _content_height(self) -> int:
        content = self.widget()
        if content is None:
            return 0
        viewport = self.viewport()
        width = viewport.width() if viewport is not None else 0
        if content.hasHeightForWidth() and width > 0:
            return int(content.heightForWidth(width))
        return int(content.sizeHint().height())

    def sizeHint(self) -> QSize:
        """Return the content's height at the area's width, at most ``max_height``.

        The area's frame is added (napari's style sheet draws a 1-px border round scroll
        areas): without it the viewport was 2 px short of a one-line message, which then
        hid behind a scroll bar, centred in the label's taller size hint, out of view.
        """
        margins = self.contentsMargins()
        frame = margins.top() + margins.bottom()
        height = min(self._content_height(), self._max_height) + frame
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        """Return :meth:`sizeHint`'s height: the message is never squeezed below it."""
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def viewportEvent(self, event: QEvent | None) -> bool:
        """Ask for a new height when the content asks for one (a label's new text).

        A label is no layout: its ``updateGeometry`` posts the layout request to its parent,
        the viewport, not to itself (:meth:`eventFilter` watches the content). A three-line
        error replacing a one-line message stayed one line tall behind a scroll bar. The
        viewport's width changes without the area's when that scroll bar comes or goes:
        the text wraps to other lines, so that asks too.
        """
        if event is not None and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self._follow_content()
        return bool(super().viewportEvent(event))

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        """Ask for a new height when the width changes (the text wraps to other lines)."""
        super().resizeEvent(event)
        self._follow_content()

    def showEvent(self, event: QShowEvent | None) -> None:
        """Ask for the height of the text set while the area was hidden."""
        super().showEvent(event)
        self._follow_content()

    def _follow_content(self) -> None:
        """Ask the layout again whenever the height it gave is not the one wanted.

        Only comparing widths missed a text set right after the dock was added, before its
        first layout: the area kept one line of a two-line message ("Run is off: … for the
        pipeline's input" clipped under the dock), its hint right but never asked for again.
        """
        widths = (self.width(), self.viewport().width())
        if widths != (self._width, self._viewport_width) or self._height_is_stale():
            self._width, self._viewport_width = widths
            self.updateGeometry()
            # asked during a layout's own pass (a resize it makes), the request is lost when
            # that pass ends, and each nested layout only asks its parent on the next pass:
            # once this pass is over, ask all of them and lay the window out at once
            QTimer.singleShot(0, self.settle)

    def _height_is_stale(self) -> bool:
        return self.isVisible() and self.height() != self.sizeHint().height()

    def settle(self) -> None:
        """Lay the window out now if this area is not as tall as its text asks.

        Each nested layout asks its parent for room only on the next pass of the event
        loop: a text set right after the dock was added showed its first line only, for
        as many passes as the dock has nested layouts.
        """
        if not self._height_is_stale():
            return
        widget: QWidget | None = self
        while widget is not None and not widget.isWindow():
            widget.updateGeometry()
            widget = widget.parentWidget()
        layout = None if widget is None else widget.layout()
        if layout is not None:
            layout.activate()


def capped(content: QWidget, max_height: int) -> CappedScrollArea:
    """Put ``content`` in a :class:`CappedScrollArea` at most ``max_height`` pixels tall."""
    area = CappedScrollArea(max_height)
    area.setWidget(content)  # QScrollArea filters its widget's events: a new message, a new height
    return area
