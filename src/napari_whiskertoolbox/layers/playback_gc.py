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
that freeze is never undone here. :class:`~napari_whiskertoolbox.layers.playback.PlaybackWatch`
holds the freeze for its viewer while it plays.
"""

from __future__ import annotations

import gc

__all__ = ["frozen_playbacks", "hold_freeze", "release_freeze"]

_playing = 0
"""How many playbacks are under way."""
_froze = False
"""Whether the freeze in place is this module's (to be undone when the last one stops)."""


def frozen_playbacks() -> int:
    """Return how many viewers' playbacks are under way (and hold this module's freeze)."""
    return _playing


def hold_freeze() -> None:
    """Count one more playing viewer; freeze the collector's objects for the first."""
    global _playing, _froze
    if _playing == 0 and gc.get_freeze_count() == 0:
        gc.freeze()
        _froze = True
    _playing += 1


def release_freeze() -> None:
    """Count one playing viewer fewer; give the objects back after the last."""
    global _playing, _froze
    if _playing == 0:
        return
    _playing -= 1
    if _playing == 0 and _froze:
        _froze = False
        gc.unfreeze()
