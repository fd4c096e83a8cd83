"""The timeline's time axis: labels in frames or seconds; click or drag on it scrubs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from qtpy.QtCore import Qt

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TimeAxisItem"]


class TimeAxisItem(pg.AxisItem):
    """Bottom axis of the timeline.

    Parameters
    ----------
    on_scrub : callable
        Called with the x position (display frame, float) when the user clicks or drags
        with the left button on the axis.
    """

    def __init__(self, on_scrub: Callable[[float], None]) -> None:
        super().__init__(orientation="bottom")
        self._on_scrub = on_scrub
        self._seconds_of: Callable[[int], float] | None = None
        self.setLabel("frame")

    def show_frames(self) -> None:
        """Label ticks with display frame indices."""
        self._seconds_of = None
        self.setLabel("frame")
        self.picture = None
        self.update()

    def show_seconds(self, seconds_of: Callable[[int], float]) -> None:
        """Label ticks in seconds, using ``seconds_of(frame)`` for each tick."""
        self._seconds_of = seconds_of
        self.setLabel("time (s)")
        self.picture = None
        self.update()

    @property
    def mode(self) -> str:
        """``"frames"`` or ``"seconds"``."""
        return "frames" if self._seconds_of is None else "seconds"

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        """Return the tick levels of pyqtgraph, without steps under one frame (frames are whole)."""
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1]
        return whole or [(1.0, 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Tick labels: integer frames, or seconds with enough decimals for the spacing."""
        if self._seconds_of is None:
            return [f"{round(v):d}" if abs(v - round(v)) < 1e-6 else f"{v:g}" for v in values]
        seconds = [self._seconds_of(round(v)) for v in values]
        if len(seconds) > 1:
            step = abs(seconds[1] - seconds[0]) or 1.0
            decimals = max(0, min(6, -int(f"{step:e}".split("e")[1])))
        else:
            decimals = 3
        return [f"{s:.{decimals}f}" for s in seconds]

    def _x_of(self, event: object) -> float | None:
        view = self.linkedView()
        if view is None:
            return None
        return float(view.mapSceneToView(event.scenePos()).x())

    def mouseClickEvent(self, event: object) -> None:
        """Move the frame to a left click on the axis."""
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mouseClickEvent(event)
        x = self._x_of(event)
        if x is not None:
            event.accept()
            self._on_scrub(x)
        return None

    def mouseDragEvent(self, event: object) -> None:
        """Scrub the frame with a left drag along the axis; other buttons pan as usual."""
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mouseDragEvent(event)
        x = self._x_of(event)
        if x is not None:
            event.accept()
            self._on_scrub(x)
        return None
