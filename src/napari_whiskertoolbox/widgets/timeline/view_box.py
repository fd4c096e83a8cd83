"""The timeline's ViewBox: time-only zoom and pan, with clicks and drags offered to a handler."""

from __future__ import annotations

from typing import Any, Protocol

import pyqtgraph as pg
from qtpy.QtCore import Qt

__all__ = [
    "MARK_MODIFIER",
    "MARK_MODIFIER_NAME",
    "MIN_VISIBLE_FRAMES",
    "PointerHandler",
    "TimelineViewBox",
]

MIN_VISIBLE_FRAMES = 4
"""Zooming in stops when this many frames fill the view."""
MARK_MODIFIER = Qt.KeyboardModifier.ShiftModifier
"""Held while dragging, marks an interval on the interval lane under the mouse."""
MARK_MODIFIER_NAME = "Shift"


class PointerHandler(Protocol):
    """What the timeline widget implements to react to the pointer."""

    def click(self, x: float, y: float) -> bool:
        """Handle a left click at plot coordinates; return whether it was consumed."""

    def drag_start(self, x: float, y: float, mark: bool = False) -> bool:
        """Start a left drag where the button went down; return whether to take it over.

        ``mark``: the mark modifier (:data:`MARK_MODIFIER`) is held.
        """

    def drag_move(self, x: float, finished: bool) -> None:
        """Move the taken-over drag to ``x``; ``finished`` on the button release."""


class TimelineViewBox(pg.ViewBox):
    """ViewBox whose wheel zooms and drag pans the time axis only.

    Left clicks and left drags go to ``handler`` first (with whether :data:`MARK_MODIFIER`
    is held); unconsumed drags pan.
    """

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)
        self.setLimits(minXRange=MIN_VISIBLE_FRAMES)
        self.handler: PointerHandler | None = None
        self._drag_consumed = False

    def _plot_xy(self, event: Any, scene_pos: Any = None) -> tuple[float, float]:
        point = self.mapSceneToView(scene_pos if scene_pos is not None else event.scenePos())
        return float(point.x()), float(point.y())

    def mouseClickEvent(self, event: Any) -> None:
        """Offer left clicks to the handler."""
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self.handler is not None
            and self.handler.click(*self._plot_xy(event))
        ):
            event.accept()
            return
        super().mouseClickEvent(event)

    def mouseDragEvent(self, event: Any, axis: int | None = None) -> None:
        """Offer left drags to the handler; pan (x only) otherwise."""
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self.handler is not None
            and axis is None
        ):
            if event.isStart():
                down = self._plot_xy(event, event.buttonDownScenePos())
                mark = bool(event.modifiers() & MARK_MODIFIER)
                self._drag_consumed = self.handler.drag_start(*down, mark=mark)
            if self._drag_consumed:
                self.handler.drag_move(self._plot_xy(event)[0], bool(event.isFinish()))
                event.accept()
                return
        super().mouseDragEvent(event, axis=axis)
