"""No full garbage collection of the session's objects while napari plays.

CPython's collector runs a full (generation 2) collection whenever the objects that
survived younger collections since the last one reach a quarter of the long-lived objects;
napari's playback makes and keeps enough of them (events, slice requests, vispy state) for
one every few hundred steps. A loaded session holds millions of objects, which such a
collection walks: 200-350 ms on this project's machine, a visible stall of the video
(``benchmarks/bench_playback.py``, column "full GCs"). While napari plays, the objects that
existed when playback started are frozen (:func:`gc.freeze`, moved out of the collector's
generations): collections during playback walk only what playback made. They are given
back to the collector when playback stops (:func:`gc.unfreeze`), so nothing is kept from
being collected for longer than the playback. Several viewers playing at once share one
freeze, released when the last one stops. Objects frozen by someone else (a host
application's own :func:`gc.freeze`) are left as they are: no freeze is taken then, and
that freeze is never undone here.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.layers._napari_compat import playback_signals

if TYPE_CHECKING:
    from collections.abc import Callable

    import napari

__all__ = ["freeze_during_playback", "frozen_playbacks"]

_playing = 0
"""How many playbacks are under way."""
_froze = False
"""Whether the freeze in place is this module's (to be undone when the last one stops)."""


def frozen_playbacks() -> int:
    """Return how many viewers' playbacks are under way (and hold this module's freeze)."""
    return _playing


def _start() -> None:
    global _playing, _froze
    if _playing == 0 and gc.get_freeze_count() == 0:
        gc.freeze()
        _froze = True
    _playing += 1


def _stop() -> None:
    global _playing, _froze
    if _playing == 0:
        return
    _playing -= 1
    if _playing == 0 and _froze:
        _froze = False
        gc.unfreeze()


class _Playback:
    """One viewer's hold on the freeze (started → held until finished or disconnected)."""

    def __init__(self) -> None:
        self.held = False

    def started(self, *args: Any) -> None:
        if not self.held:
            self.held = True
            _start()

    def finished(self, *args: Any) -> None:
        if self.held:
            self.held = False
            _stop()


def freeze_during_playback(viewer: napari.Viewer) -> Callable[[], None]:
    """Freeze the collector's existing objects while ``viewer`` plays (napari's play button).

    Returns
    -------
    callable
        Disconnects from the viewer and releases its hold if it is playing (safe to call
        more than once). A viewer without a Qt window never plays: nothing is connected.

    Raises
    ------
    RuntimeError
        See :func:`~napari_whiskertoolbox.layers._napari_compat.playback_signals`.
    """
    signals = playback_signals(viewer)
    if signals is None:
        return lambda: None
    started, finished = signals
    playback = _Playback()
    started.connect(playback.started)
    finished.connect(playback.finished)
    connected = [True]

    def disconnect() -> None:
        if connected[0]:
            connected[0] = False
            started.disconnect(playback.started)
            finished.disconnect(playback.finished)
        playback.finished()

    return disconnect
