"""Which indices of a key's clock a run of display frames covers (Qt-free).

A key may live on another clock than the frame slider's: a 30 kHz master clock under a
500 Hz camera, or a coarser one. Marking display frames ``first..last`` on such a key takes
the key's indices from the one showing ``first`` to the last before frame ``last + 1``, so
the whole last frame is included — what dragging on a Timeline lane and the mark keys do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["frame_span"]


def frame_span(session: ViewerSession, key: str, first: int, last: int) -> tuple[int, int]:
    """Return the indices ``(start, end)`` of ``key``'s clock covering frames ``first..last``.

    Both ends are included, ``first <= last`` (display frames).

    Parameters
    ----------
    session : ViewerSession
        Gives the DataManager, the display clock and the conversions between clocks.
    key : str
        A key of the session's DataManager.
    first, last : int
        Display frames.

    Returns
    -------
    tuple of int
        Inclusive indices on ``key``'s clock; ``start <= end``. On the display clock (or
        with an empty display clock) they are ``first`` and ``last``.
    """
    dm = session.dm
    n_display = len(dm.get_time(session.display_clock))
    if dm.time_key(key) == session.display_clock or n_display == 0:
        return int(first), int(last)
    start = int(session.from_display(key, first))
    if last + 1 < n_display:
        end = int(session.from_display(key, last + 1)) - 1
    else:
        end = len(dm.clock_of(key)) - 1
    return start, max(start, end)
