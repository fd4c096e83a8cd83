"""Coalescing of rapid scrubbing: apply the viewer's frame at most once per event-loop turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QTimer

from napari_whiskertoolbox.layers.frame_axis import frame_of_dims

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari.components import Dims

__all__ = ["FrameScheduler"]


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

    def __init__(self, dims: Dims, apply: Callable[[int], None]) -> None:
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
