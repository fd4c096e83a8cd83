"""Whether napari's play button is playing a viewer, and what the session spares it then.

While a viewer plays, its paints follow one another as fast as the machine draws them; on a
machine with few cores each millisecond of CPU spent between two paints, by the main thread
or by a thread holding Python's lock, delays the next one
(``benchmarks/bench_playback.py``, docs/performance.md). While it plays:

- napari's status bar (the layer and value under the cursor) is computed at most every
  :data:`STATUS_INTERVAL_PLAYING_S` instead of for every frame (0.5-0.8 ms each time with an
  annotation layer active, in napari's status thread, which holds Python's lock);
- the lines binding does not build the next frame's paths ahead (it asks :attr:`playing`):
  napari's player moves 1-3 frames between two paints, and building ahead cost more CPU
  than it saved;
- the collector's existing objects are frozen (:mod:`~napari_whiskertoolbox.layers.playback_gc`).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.layers._napari_compat import pace_status, playback_signals
from napari_whiskertoolbox.layers.playback_gc import hold_freeze, release_freeze

if TYPE_CHECKING:
    import napari

__all__ = ["STATUS_INTERVAL_PLAYING_S", "PlaybackWatch"]

STATUS_INTERVAL_PLAYING_S = 0.25
"""Least time in seconds between two status-bar computations while the viewer plays."""


class PlaybackWatch:
    """Follow napari's playback of one viewer; pace its status bar and freeze the collector.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer. One without a Qt window never plays (:attr:`playing` stays ``False``).

    Raises
    ------
    RuntimeError
        See :func:`~napari_whiskertoolbox.layers._napari_compat.playback_signals` and
        :func:`~napari_whiskertoolbox.layers._napari_compat.pace_status`.
    """

    def __init__(self, viewer: napari.Viewer) -> None:
        self.playing = False
        """Whether napari's play button is playing the viewer."""
        self._viewer = weakref.ref(viewer)
        self._signals = playback_signals(viewer)
        if self._signals is None:
            return
        started, finished = self._signals
        started.connect(self._started)
        finished.connect(self._finished)
        pace_status(viewer, self.status_interval)

    def status_interval(self) -> float:
        """Least time in seconds between two status-bar computations now."""
        return STATUS_INTERVAL_PLAYING_S if self.playing else 0.0

    def close(self) -> None:
        """Stop following the viewer, pacing its status bar and holding the freeze.

        Safe to call more than once.
        """
        signals, self._signals = self._signals, None
        self._finished()
        if signals is None:
            return
        started, finished = signals
        started.disconnect(self._started)
        finished.disconnect(self._finished)
        viewer = self._viewer()
        if viewer is not None:
            pace_status(viewer, None)

    def _started(self, *args: Any) -> None:
        if not self.playing:
            self.playing = True
            hold_freeze()

    def _finished(self, *args: Any) -> None:
        if self.playing:
            self.playing = False
            release_freeze()
