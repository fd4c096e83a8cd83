"""The timeline's time axis: labels in frames or seconds; click or drag on it scrubs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pyqtgraph as pg
from qtpy.QtCore import Qt
from qtpy.QtGui import QFontMetricsF

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TimeAxisItem"]

_LABEL_GAP_PX = 12
"""Least room between two time labels (pixels)."""


def _divides(step: float, major: float) -> bool:
    """Return whether ``major`` is a whole number of ``step``."""
    ratio = major / step
    return abs(ratio - round(ratio)) < 1e-6


def _next_step(step: float) -> float:
    """Return the next step of the 1, 2, 5 × 10ⁿ series above ``step``."""
    power = 10.0 ** math.floor(math.log10(step))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power > step * (1 + 1e-9):
            return factor * power
    return 10.0 * power


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
        """Return pyqtgraph's tick levels, whole frames only, labels apart at any width.

        pyqtgraph always labels its major level: on a 150-pixel axis over 1000 frames that
        was every 200 frames, five labels of 25 pixels that ran together ("200400600800").
        The major step grows (1, 2, 5 × 10ⁿ) until each label has its width and a gap.
        """
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1] or [(1.0, 0.0)]
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0:
            return whole
        major = whole[0][0]
        while span / major * self._label_room(minVal, maxVal, major) > size:
            major = _next_step(major)
        # finer levels only where they divide the major step (200 within 500 put a "0.4"
        # beside the "1")
        finer = [lvl for lvl in whole if lvl[0] < major and _divides(lvl[0], major)]
        return [(major, 0.0), *finer]

    def _label_room(self, low: float, high: float, step: float) -> float:
        """Pixels one tick label needs: the widest at the range's ends and a gap."""
        font = self.style.get("tickFont") or self.font()
        metrics = QFontMetricsF(font)
        ends = self.tickStrings([low, low + step, high], 1.0, step)  # a step's decimals
        return max(metrics.horizontalAdvance(text) for text in ends) + _LABEL_GAP_PX

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
