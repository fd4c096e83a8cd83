"""The timeline cursor: a vertical line at the current display frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["CURSOR_COLOR", "FrameCursor"]


CURSOR_COLOR = "#ffd400"
"""The frame cursor's amber (on a light canvas the timeline darkens it to stay readable);
until :meth:`FrameCursor.set_colors` it is also the colour under the mouse."""


class FrameCursor:
    """A draggable vertical line on ``plot`` marking the current frame.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
        Where the line is drawn.
    on_drag : callable
        Called with the frame (int) while the user drags the line.
    """

    def __init__(self, plot: pg.PlotItem, on_drag: Callable[[int], None]) -> None:
        self.line = pg.InfiniteLine(
            pos=0,
            angle=90,
            movable=True,
            pen=pg.mkPen(CURSOR_COLOR, width=2),
            hoverPen=CURSOR_COLOR,
        )
        self.line.setZValue(100)
        plot.addItem(self.line, ignoreBounds=True)
        self._on_drag = on_drag
        self.line.sigDragged.connect(self._dragged)

    @property
    def frame(self) -> int:
        """The frame the cursor shows."""
        return round(self.line.value())

    def move_to(self, frame: int) -> None:
        """Place the cursor on ``frame`` (no callback)."""
        self.line.setValue(float(frame))

    def set_colors(self, color: str, hover: str) -> None:
        """Draw the line in ``color`` and, under the mouse, in ``hover`` (``#rrggbb``)."""
        self.line.setPen(pg.mkPen(color, width=2))
        self.line.setHoverPen(pg.mkPen(hover, width=2))

    def _dragged(self, line: pg.InfiniteLine) -> None:
        self._on_drag(round(line.value()))
