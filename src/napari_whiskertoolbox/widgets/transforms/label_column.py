"""One column of field labels across the Transforms tab's separate magicgui forms.

The tab stacks three labelled magicgui Containers: the input keys, the chosen transform's
parameters and the output key and clock. magicgui lines labels up within one Container
only, and measures them with a font other than napari's stylesheet gives them: with
DigitalIntervalBoolean chosen, "Input"'s combo box started at x=60, "Second input"'s at
112, "Operation"'s at 91 and "Output key"'s at 96. :class:`LabelColumn` gives every row
label of its containers the width of the widest shown one as drawn (wider by the difference
where a container sits further left, as the output rows outside the form's scroll area do),
so the fields, and the hints under them (rows with an empty label), start at one left edge.
It measures again when a label is shown or its font or style changes (napari restyles the
window on a theme change) and when :meth:`LabelColumn.align` is called (a new form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject, QPoint, QTimer
from qtpy.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from magicgui.widgets import Container

__all__ = ["LabelColumn", "row_labels"]

_REMEASURE = (
    QEvent.Type.FontChange,
    QEvent.Type.StyleChange,
    QEvent.Type.Polish,
    QEvent.Type.Show,
)


def _left(widget: QWidget) -> int:
    """Return ``widget``'s left edge in its window (pixels)."""
    return widget.mapTo(widget.window(), QPoint(0, 0)).x()


def row_labels(container: Container) -> list[QLabel]:
    """Return the labels magicgui put left of ``container``'s widgets (empty ones included).

    magicgui wraps each labelled widget in a row whose layout holds the label, then the
    widget; unlabelled widgets (buttons, check boxes) sit in ``container`` itself.
    """
    labels: list[QLabel] = []
    for widget in container:
        row = widget.native.parentWidget()
        layout = row.layout() if row is not None and row is not container.native else None
        if layout is None or layout.count() < 2:
            continue
        first = layout.itemAt(0).widget()
        if isinstance(first, QLabel) and first is not widget.native:
            labels.append(first)
    return labels


class LabelColumn(QObject):
    """Keep the row labels of several magicgui Containers at one width.

    Parameters
    ----------
    containers : callable
        Returns the Containers to align, top to bottom (called at each alignment: a form
        replaced since is aligned with the others).
    parent : QObject
        Owner (the dock); the column's timer dies with it.
    """

    def __init__(self, containers: Callable[[], Iterable[Container]], parent: QObject) -> None:
        super().__init__(parent)
        self._containers = containers
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.align)
        self.width = 0
        """The labels' width (pixels) at the last alignment."""

    def align(self) -> int:
        """Give the row labels the width of the widest shown label's text; return it.

        Rows hidden (a one-input transform's "Second input") do not widen the column. A
        container laid out further left than another (the output rows, outside the form's
        scroll area and its frame) gets labels wider by the difference.
        """
        boxes = [(box, row_labels(box)) for box in self._containers()]
        shown = [
            label
            for _, labels in boxes
            for label in labels
            if label.text() and not label.parentWidget().isHidden()
        ]
        self.width = max((label.sizeHint().width() for label in shown), default=0)
        lefts = [_left(box.native) for box, _ in boxes]
        for (_, labels), left in zip(boxes, lefts):
            for label in labels:
                label.installEventFilter(self)  # installing again only moves it to the front
                label.setFixedWidth(self.width + max(lefts) - left)
        return self.width

    def schedule(self) -> None:
        """Align once the pending style and layout changes are done (next event-loop turn)."""
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Measure again once a label's font or style changed, or it is shown."""
        if event.type() in _REMEASURE:
            self.schedule()
        return False
