"""How long Qt's main thread was held up: the longest gap between turns of a repeating timer."""

from __future__ import annotations

import time

from qtpy.QtCore import QTimer


class StallMeter:
    """Note the gaps between turns of a ``interval_ms`` Qt timer while it runs.

    A gap much longer than the interval is a time the event loop (the UI) could not react.
    """

    def __init__(self, interval_ms: int = 1) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        """Start timing from now."""
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer."""
        self._timer.stop()

    @property
    def longest_s(self) -> float:
        """The longest gap seen, in seconds (0 before any)."""
        return max(self.gaps, default=0.0)
