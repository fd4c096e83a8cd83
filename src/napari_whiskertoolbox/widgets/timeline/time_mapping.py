"""Qt-free mapping of a key's time indices onto the display clock's (fractional) frame axis.

Series may live on another clock than the video (e.g. a 30 kHz master clock). Index ``i``
of clock A sits at master time ``A.times[i]``; its position on the display axis is that
time interpolated between the display clock's frames, so a sample taken between two
frames is drawn between them. Positions are computed vectorised and cached per key.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DisplayMapper", "map_times_to_display"]


def map_times_to_display(indices: np.ndarray, source: Any, display: Any) -> np.ndarray:
    """Map indices of clock ``source`` to fractional frame positions of clock ``display``.

    Parameters
    ----------
    indices : numpy.ndarray
        int indices into ``source``.
    source, display : TimeFrame
        Clocks (anything with ``len``, ``times`` and ``times_at_indices``; a display
        clock's ``regular_form`` spares building its ``times``).

    Returns
    -------
    numpy.ndarray
        float64 positions; times outside the display clock are clamped to its ends, as
        ``TimeFrame.index_at_time`` clamps. When the display clock is empty the indices are
        returned unchanged.
    """
    indices = np.asarray(indices, dtype=np.int64)
    if len(display) == 0 or len(source) == 0:
        return indices.astype(np.float64)
    master = source.times_at_indices(indices).astype(np.float64)
    form = getattr(display, "regular_form", None)
    if form is not None and form[0].is_integer() and form[1].is_integer():
        # ticks start + i * step exactly: the interpolation is arithmetic (a clock of 2e9
        # indices builds no array of its times)
        start, step = form
        return np.clip((master - start) / step, 0.0, len(display) - 1.0)
    display_times = display.times
    frames = np.arange(len(display_times), dtype=np.float64)
    return np.interp(master, display_times.astype(np.float64), frames)


class DisplayMapper:
    """Cache of display-axis positions for the keys of one DataManager.

    Parameters
    ----------
    dm : DataManager
        The session's data.
    display_clock : str
        Name of the clock the x axis shows (the media key's clock).
    """

    def __init__(self, dm: Any, display_clock: str) -> None:
        self.dm = dm
        self.display_clock = display_clock
        self._cache: dict[str, tuple[tuple, np.ndarray | None]] = {}

    def set_display_clock(self, name: str) -> None:
        """Switch the display clock and forget every cached mapping."""
        if name != self.display_clock:
            self.display_clock = name
            self._cache.clear()

    def invalidate(self, key: str | None = None) -> None:
        """Forget the cached positions of ``key`` (all keys when ``None``)."""
        if key is None:
            self._cache.clear()
        else:
            self._cache.pop(key, None)

    def is_identity(self, key: str) -> bool:
        """Whether ``key`` is on the display clock, so its indices are display frames."""
        return self.dm.time_key(key) == self.display_clock

    def positions(self, key: str, indices: np.ndarray) -> np.ndarray:
        """Display positions of ``indices`` of ``key``'s clock (not cached)."""
        if self.is_identity(key):
            return np.asarray(indices, dtype=np.float64)
        source = self.dm.get_time(self.dm.time_key(key))
        display = self.dm.get_time(self.display_clock)
        return map_times_to_display(indices, source, display)

    def cached_positions(self, key: str, indices: np.ndarray) -> np.ndarray | None:
        """Display positions of a key's full time array, cached; ``None`` means identity.

        The cache entry is reused while the key's data object, its clock and the display
        clock are the same objects and ``indices`` has the same length and ends.
        """
        if self.is_identity(key):
            return None
        time_key = self.dm.time_key(key)
        token = (
            id(self.dm.get_data(key)),
            time_key,
            id(self.dm.get_time(time_key)),
            id(self.dm.get_time(self.display_clock)),
            len(indices),
            int(indices[0]) if len(indices) else None,
            int(indices[-1]) if len(indices) else None,
        )
        cached = self._cache.get(key)
        if cached is not None and cached[0] == token:
            return cached[1]
        positions = self.positions(key, indices)
        self._cache[key] = (token, positions)
        return positions
