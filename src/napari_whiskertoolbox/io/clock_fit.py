"""Data a config put on frames its clock does not have: noted, not dropped.

WhiskerToolbox's own test data has a points CSV with 1001 frames beside a 1000-frame
video: the point on frame 1000 loads (as in WhiskerToolbox) but no video frame ever shows
it, and nothing said so. A file counting frames from 1, or a clock of another camera, looks
the same. :func:`frames_outside_clocks` names such keys once the load is done, as
``clock`` notes (the window shows them; ``napari-whiskertoolbox`` commands log them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.io.report import LoadNote

if TYPE_CHECKING:
    from collections.abc import Mapping

    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["frames_outside_clocks"]


def _frames(obj: Any) -> np.ndarray | None:
    """Every frame ``obj`` holds something on (interval ends included); None: no frames."""
    if isinstance(obj, RaggedSeries):
        return np.asarray(obj.to_flat().times, dtype=np.int64)
    if isinstance(obj, (AnalogTimeSeries, DigitalEventSeries)):
        return np.asarray(obj.times, dtype=np.int64)
    if isinstance(obj, DigitalIntervalSeries):
        return np.asarray(obj.intervals, dtype=np.int64).ravel()
    return None


def frames_outside_clocks(
    dm: DataManager, sources: Mapping[str, Mapping[str, Any]]
) -> list[LoadNote]:
    """Return a ``clock`` note for each key of ``sources`` with data outside its clock's frames.

    Parameters
    ----------
    dm : DataManager
        The loaded data.
    sources : mapping
        ``dm.metadata["sources"]``-style records of the keys to check (``item_label`` and
        ``filepath`` name the note's item and file).

    Returns
    -------
    list of LoadNote
        E.g. ``"1 entry on frame 1000, past the last frame (999) of clock 'time' (1000
        frames, from the video 'media'): kept, but no frame of the clock shows it (do the
        file's frames count from 1, or belong to another clock?)"``.
    """
    notes: list[LoadNote] = []
    for key, record in sources.items():
        if key not in dm:
            continue
        frames = _frames(dm.get_data(key))
        clock_name = dm.time_key(key)
        n = len(dm.get_time(clock_name))
        if frames is None or frames.size == 0 or n == 0:
            continue
        if frames.min() >= 0 and frames.max() < n:
            continue
        late, early = frames[frames >= n], frames[frames < 0]
        media = [k for k in dm.keys("video") + dm.keys("images") if dm.time_key(k) == clock_name]
        of_media = f", from the video {media[0]!r}" if media else ""
        parts = []
        if late.size:
            shown = _shown(late)
            parts.append(f"{late.size} {_entries(late.size)} on frame{shown}, past the last frame")
        if early.size:
            shown = _shown(early)
            parts.append(f"{early.size} {_entries(early.size)} on frame{shown}, before frame 0")
        message = (
            f"key {key!r}: {' and '.join(parts)} of clock {clock_name!r} (frames 0-{n - 1}"
            f"{of_media}): kept, but no frame of the clock shows "
            f"{'it' if late.size + early.size == 1 else 'them'} (do the file's frames count "
            "from 1, or belong to another clock?)"
        )
        label = str(record.get("item_label") or key)
        path = record.get("filepath")
        notes.append(LoadNote(label, "clock", message, path=None if path is None else str(path)))
    return notes


def _entries(count: int) -> str:
    return "entry" if count == 1 else "entries"


SHOWN_FRAMES = 3
"""How many of the frames outside a clock a note lists (the lowest, in order)."""


def _shown(frames: np.ndarray) -> str:
    """``"s 5, 6, 7, ..."``: the lowest distinct frames of ``frames``, then whether more exist.

    Sorted frames (the usual case) are walked with ``searchsorted``, others with a few passes
    of ``min``: ``np.unique`` of a 10-million-sample signal on the wrong clock took 10 s
    (``benchmarks/bench_open.py``).
    """
    listed: list[int] = []
    if frames.size > 1 and bool(np.all(frames[1:] >= frames[:-1])):
        start = 0
        while start < frames.size and len(listed) < SHOWN_FRAMES:
            listed.append(int(frames[start]))
            start = int(np.searchsorted(frames, listed[-1], side="right"))
        more = start < frames.size
    else:
        rest = frames
        while rest.size and len(listed) < SHOWN_FRAMES:
            listed.append(int(rest.min()))
            rest = rest[rest > listed[-1]]
        more = rest.size > 0
    ellipsis = ", ..." if more else ""
    return f"{'s' if len(listed) > 1 else ''} {', '.join(map(str, listed))}{ellipsis}"
