"""The pending interval start drawn on its lane: a line at the start, a dashed span to the cursor.

The span shows what marking the end at the current frame would add (both frames included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from qtpy.QtCore import Qt

if TYPE_CHECKING:
    from napari_whiskertoolbox.widgets.timeline.lanes import Lane

__all__ = ["PendingMark"]

_SPAN_ALPHA = 45
"""Opacity (0-255) of the span's fill: the lane's intervals show through it."""


class PendingMark:
    """Draw a pending interval start on ``plot``.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
        The Timeline's plot.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.span = pg.BarGraphItem(x0=[0], x1=[1], y0=[0], height=[1])
        self.start = pg.PlotDataItem([0, 0], [0, 1])
        for z, item in ((45, self.span), (55, self.start)):
            item.setZValue(z)
            item.hide()
            plot.addItem(item, ignoreBounds=True)
        self.frame: int | None = None
        """The display frame of the start drawn, or None when nothing is drawn."""
        self.set_color("#ffffff")

    def set_color(self, color: str) -> None:
        """Draw in ``color`` (``#rrggbb``; one that shows on the canvas)."""
        fill = pg.mkColor(color)
        fill.setAlpha(_SPAN_ALPHA)
        dashed = pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine)
        self.span.setOpts(brush=pg.mkBrush(fill), pen=dashed)
        self.start.setPen(pg.mkPen(color, width=3))

    def show(self, lane: Lane | None, start: int | None, cursor: int) -> None:
        """Draw the start at display frame ``start`` on ``lane``, spanning to ``cursor``.

        ``lane`` or ``start`` None hides the mark.
        """
        if lane is None or start is None:
            self.frame = None
            self.span.hide()
            self.start.hide()
            return
        first, last = min(start, cursor), max(start, cursor)
        bottom = lane.bottom
        self.span.setOpts(x0=[first - 0.5], x1=[last + 0.5], y0=[bottom], height=[1.0])
        edge = start - 0.5 if start <= cursor else start + 0.5
        self.start.setData([edge, edge], [bottom, bottom + 1.0])
        self.frame = start
        self.span.show()
        self.start.show()
