"""Coalescing of rapid scrubbing: apply the viewer's frame at most once per event-loop turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QObject, Qt, Signal

from napari_whiskertoolbox.layers.frame_axis import frame_of_dims

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari.components import Dims

__all__ = ["FrameScheduler"]


class FrameScheduler(QObject):
    """Apply the viewer's frame at most once per event-loop turn, in the same turn as napari.

    The first ``dims.events.current_step`` of an event-loop turn (a slider move, a key
    press, a tick of napari's play button) is applied at once, inside the same call as
    napari's own slicing of the Image layer, so the canvas paints the media and our layers
    of the same frame. It also posts an end-of-turn event to Qt's event queue; further
    steps before the event loop gets to it (a script looping over frames, queued key
    repeats) only wait for it, and then ``apply(frame)`` runs once with the *latest* frame.
    Frames requested in between are never drawn by our bindings.

    The end of the turn is a posted event, not a 0 ms timer: Qt delivers posted events in
    order, before the canvas repaint (a low-priority posted event), while a 0 ms timer can
    fire only after the paint and the next play tick, which would then be deferred and
    painted with our layers one frame behind.

    Parameters
    ----------
    dims : napari.components.Dims
        The viewer's dims model.
    apply : callable
        Called with the display frame to show.
    """

    _turn_ended = Signal()

    def __init__(self, dims: Dims, apply: Callable[[int], None]) -> None:
        super().__init__()
        self._dims = dims
        self._apply = apply
        self._applied: int | None = None
        self._turn_open = False
        self._closed = False
        self._turn_ended.connect(self._on_turn_end, Qt.ConnectionType.QueuedConnection)
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
        if self._turn_open:
            return  # this turn has drawn a frame already: its end brings the latest
        self._turn_open = True
        self._turn_ended.emit()  # queued: runs when the event loop gets to it
        self.flush()

    def _on_turn_end(self) -> None:
        self._turn_open = False
        if not self._closed:
            self.flush()

    def flush(self, force: bool = False) -> None:
        """Apply the current frame now (if it changed, or always with ``force``)."""
        frame = frame_of_dims(self._dims)
        if force or frame != self._applied:
            self._applied = frame
            self._apply(frame)

    def flush_before_paint(self, event: Any = None) -> None:
        """Apply a frame still waiting for its turn's end before the canvas paints.

        A paint inside a turn (the window system's expose, a synchronous repaint) would
        otherwise show the media of the new frame with our layers of the one before.
        """
        if not self._closed:
            self.flush()

    def close(self) -> None:
        """Stop listening to the dims model."""
        self._closed = True
        self._dims.events.current_step.disconnect(self._on_step)
