"""The viewer's frame axis: clock conversion and coalescing of rapid scrubbing.

The viewer's dims axis 0 is the *display clock* index (the media's clock, else
``"time"``). Keys bound to other clocks are converted through the DataManager's clocks
(design.md §3: ``B.index_at_time(A.time_at_index(i))``).

When there is no media, napari still needs an axis of the right length: a hidden Image
layer backed by ``numpy.broadcast_to`` (one byte of memory, whatever the frame count) is the
cheapest public way to give the viewer that axis; see :func:`frame_axis_placeholder`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from qtpy.QtCore import QTimer

__all__ = [
    "FRAME_AXIS",
    "FrameScheduler",
    "convert_frame",
    "frame_axis_placeholder",
    "frame_of_dims",
]

FRAME_AXIS = 0
"""The viewer dims axis that carries the display clock."""


def convert_frame(dm: Any, index: int, from_clock: str, to_clock: str) -> int:
    """Convert ``index`` of clock ``from_clock`` to the matching index of ``to_clock``.

    Identity when the clocks are the same or either clock is empty.
    """
    index = int(index)
    if from_clock == to_clock:
        return index
    if len(dm.get_time(from_clock)) == 0 or len(dm.get_time(to_clock)) == 0:
        return index
    return int(dm.convert_index(index, from_clock, to_clock))


def frame_of_dims(dims: Any) -> int:
    """The display frame the dims model points at (``0`` when there is no frame axis)."""
    if dims.ndim < 3:
        return 0
    return int(dims.current_step[FRAME_AXIS])


def frame_axis_placeholder(n_frames: int, height: int = 1, width: int = 1) -> np.ndarray:
    """A zero-memory ``(n_frames, height, width)`` uint8 array to carry the frame axis.

    ``numpy.broadcast_to`` of a single zero: no allocation proportional to the frame count,
    and napari can slice it like any array.
    """
    shape = (max(int(n_frames), 1), max(int(height), 1), max(int(width), 1))
    return np.broadcast_to(np.zeros((1, 1, 1), dtype=np.uint8), shape)


class FrameScheduler:
    """Apply the viewer's frame at most once per event-loop turn, in the same turn as napari.

    The first ``dims.events.current_step`` of an event-loop turn (a slider move, a key
    press, a playback tick) is applied at once, inside the same call as napari's own slicing
    of the Image layer, so the canvas paints the media and our layers of the same frame
    once. It also starts a 0 ms single-shot timer; further steps in that turn (a script
    looping over frames, queued key repeats) only wait for it, and when the event loop gets
    to it ``apply(frame)`` runs once with the *latest* frame. Frames requested in between
    are never drawn by our bindings.

    Parameters
    ----------
    dims : napari.components.Dims
        The viewer's dims model.
    apply : callable
        Called with the display frame to show.
    """

    def __init__(self, dims: Any, apply: Callable[[int], None]) -> None:
        self._dims = dims
        self._apply = apply
        self._applied: int | None = None
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_turn_end)
        dims.events.current_step.connect(self._on_step)

    @property
    def pending(self) -> bool:
        """Whether a frame change is waiting to be applied."""
        return frame_of_dims(self._dims) != self._applied

    @property
    def applied_frame(self) -> int | None:
        """The last frame handed to ``apply`` (``None`` before the first)."""
        return self._applied

    def _on_step(self, event: Any = None) -> None:
        if not self.pending:
            return  # another axis moved: the turn stays free for a frame step
        if self._timer.isActive():
            return  # this turn has drawn a frame already: the timer brings the latest
        self._timer.start()
        self.flush()

    def _on_turn_end(self) -> None:
        if self.pending:
            self._timer.start()
            self.flush()

    def flush(self, force: bool = False) -> None:
        """Apply the current frame now (if it changed, or always with ``force``)."""
        frame = frame_of_dims(self._dims)
        if force or frame != self._applied:
            self._applied = frame
            self._apply(frame)

    def close(self) -> None:
        """Stop listening to the dims model."""
        self._timer.stop()
        self._dims.events.current_step.disconnect(self._on_step)
