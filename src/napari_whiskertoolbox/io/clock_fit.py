"""Data a config put on frames its clock does not have: noted, not dropped.

WhiskerToolbox's own test data has a points CSV with 1001 frames beside a 1000-frame
video: the point on frame 1000 loads (as in WhiskerToolbox) but no video frame ever shows
it, and nothing said so. A file counting frames from 1, or a clock of another camera, looks
the same. :func:`frames_outside_clocks` names such keys once the load is done, as
``clock`` notes (the window shows them; ``napari-whiskertoolbox`` commands log them).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["frames_outside_clocks"]


@dataclass(frozen=True)
class _Outside:
    """The objects of one series before frame 0 (``early``) and past the clock (``late``)."""

    early: int
    early_shown: str
    late: int
    late_shown: str
    noun: tuple[str, str]  # singular, plural
    partial: bool  # an object can be partly on the clock (intervals)


def _outside(obj: Any, n: int) -> _Outside | None:
    """Count the objects of ``obj`` outside frames ``0 .. n-1``; None: none, or no frames.

    A dense signal (samples on frames ``0 .. N-1``) and sorted times are judged from their
    ends and ``searchsorted``: a memory-mapped 1-hour, 32-channel recording's times are
    never made (``np.arange`` of them was 27 GB) nor its samples read.
    """
    if isinstance(obj, AnalogTimeSeries) and obj.is_dense:
        size = len(obj)
        if size <= n:
            return None
        return _Outside(0, "", size - n, _shown_sorted(range(n, size)), _ENTRY, False)
    if isinstance(obj, DigitalIntervalSeries):
        pairs = obj.intervals
        if pairs.size == 0:
            return None
        early, late = pairs[pairs[:, 0] < 0], pairs[pairs[:, 1] >= n]
        if not (early.size or late.size):
            return None
        return _Outside(
            len(early), _pairs_shown(early), len(late), _pairs_shown(late), _INTERVAL, True
        )
    if isinstance(obj, RaggedSeries):
        frames = np.asarray(obj.to_flat().times, dtype=np.int64)
    elif isinstance(obj, (AnalogTimeSeries, DigitalEventSeries)):
        frames = np.asarray(obj.times, dtype=np.int64)  # sorted, and already in memory
    else:
        return None
    if frames.size == 0:
        return None
    if frames.size > 1 and not bool(np.all(frames[1:] >= frames[:-1])):
        frames = np.sort(frames)
    first_in = int(np.searchsorted(frames, 0, side="left"))
    first_late = int(np.searchsorted(frames, n, side="left"))
    if first_in == 0 and first_late == frames.size:
        return None
    early, late = frames[:first_in], frames[first_late:]
    return _Outside(early.size, _shown_sorted(early), late.size, _shown_sorted(late), _ENTRY, False)


_ENTRY = ("entry", "entries")
_INTERVAL = ("interval", "intervals")
MEDIA_KINDS: dict[DataKind, str] = {"video": "the video", "images": "the image folder"}
"""How a clock's note names the media that gave the clock, by media kind."""


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
        clock_name = dm.time_key(key)
        n = len(dm.get_time(clock_name))
        found = _outside(dm.get_data(key), n) if n else None
        if found is None:
            continue
        media = [
            f", from {MEDIA_KINDS[kind]} {k!r}"
            for kind in MEDIA_KINDS
            for k in dm.keys(kind)
            if dm.time_key(k) == clock_name
        ]
        one, many = found.noun
        parts = []
        if found.late:
            noun = one if found.late == 1 else many
            if found.partial:
                parts.append(
                    f"{found.late} {noun} ({found.late_shown}) reaching past the last frame"
                )
            else:
                parts.append(f"{found.late} {noun} on frame{found.late_shown}, past the last frame")
        if found.early:
            noun = one if found.early == 1 else many
            if found.partial:
                parts.append(f"{found.early} {noun} ({found.early_shown}) starting before frame 0")
            else:
                parts.append(f"{found.early} {noun} on frame{found.early_shown}, before frame 0")
        total = found.late + found.early
        shown = "the frames outside it" if found.partial else ("it" if total == 1 else "them")
        message = (
            f"key {key!r}: {' and '.join(parts)} of clock {clock_name!r} (frames 0-{n - 1}"
            f"{media[0] if media else ''}): kept, but no frame of the clock shows "
            f"{shown} (do the file's frames count from 1, or belong to another clock?)"
        )
        label = str(record.get("item_label") or key)
        path = record.get("filepath")
        notes.append(LoadNote(label, "clock", message, path=None if path is None else str(path)))
    return notes


SHOWN_FRAMES = 3
"""How many of the frames (or intervals) outside a clock a note lists (the lowest, in order)."""


def _shown_sorted(frames: np.ndarray | range) -> str:
    """``"s 5, 6, 7, ..."``: the lowest distinct of sorted ``frames``, then whether more exist.

    Walked with ``searchsorted`` (``np.unique`` of a 10-million-sample signal on the wrong
    clock took 10 s, ``benchmarks/bench_open.py``); a ``range`` (a dense signal's frames)
    is never made into an array.
    """
    if isinstance(frames, range):
        listed = list(frames[:SHOWN_FRAMES])
        more = len(frames) > SHOWN_FRAMES
    else:
        listed = []
        start = 0
        while start < frames.size and len(listed) < SHOWN_FRAMES:
            listed.append(int(frames[start]))
            start = int(np.searchsorted(frames, listed[-1], side="right"))
        more = start < frames.size
    ellipsis = ", ..." if more else ""
    return f"{'s' if len(listed) > 1 else ''} {', '.join(map(str, listed))}{ellipsis}"


def _pairs_shown(pairs: np.ndarray) -> str:
    """``"[5, 9], [12, 20], [30, 31], ..."``: the first intervals of ``pairs`` (sorted by start)."""
    listed = ", ".join(f"[{int(a)}, {int(b)}]" for a, b in pairs[:SHOWN_FRAMES])
    return listed + (", ..." if len(pairs) > SHOWN_FRAMES else "")
