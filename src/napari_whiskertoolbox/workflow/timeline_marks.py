"""Mark intervals and events of the Timeline's edit key at the current frame.

The key edited is the one chosen in the Timeline's *Edit* box
(``dm.metadata["ui"]["timeline"]["edit_key"]``, saved with the session). As WhiskerToolbox's
*Create Interval*, an interval is marked in two steps: its start at one frame (pending until
its end is marked or it is cancelled; the Timeline draws it on the lane), then its end at
another, which adds ``start..end`` — both frames included, in either order, joined with the
intervals it overlaps or touches as a drag on the lane is. *Remove* with a start pending
cuts the frames from the start to here out of the key (WhiskerToolbox's *Remove Interval*),
trimming or splitting the intervals there; with none pending it removes the interval under
the current frame. Events are added at, or removed from, the current frame.

Frames are display frames (the frame slider's); a key on another clock gets the indices of
its own clock that the frames cover (:func:`.frame_span.frame_span`). Each edit is one undo
step labelled with the key and its frames. Problems (no edit key, a key of another kind,
nothing at this frame) are napari notices; what was done goes to the status bar.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from napari.utils.notifications import show_info
from psygnal import Signal

from napari_whiskertoolbox.core.history import frames_label
from napari_whiskertoolbox.layers.frame_axis import convert_frame
from napari_whiskertoolbox.workflow.frame_span import frame_span

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = [
    "EDITABLE_KINDS",
    "PendingStart",
    "TimelineMarks",
    "add_event_here",
    "cancel_interval_start",
    "edit_key",
    "mark_interval_end",
    "mark_interval_start",
    "marks_of",
    "remove_event_here",
    "remove_interval_here",
]

EDITABLE_KINDS = ("digital_interval", "digital_event")
"""Kinds of key the Timeline's Edit box offers."""

_KIND_WORDS = {"digital_interval": "interval", "digital_event": "event"}


def edit_key(dm: DataManager) -> str | None:
    """Return the key chosen in the Timeline's Edit box, or None.

    The Timeline keeps it in ``dm.metadata["ui"]["timeline"]["edit_key"]``
    (``widgets/timeline/lane_state.py``, which the workflow may not import).
    """
    return dm.metadata.get("ui", {}).get("timeline", {}).get("edit_key")


@dataclass(frozen=True)
class PendingStart:
    """An interval start marked and waiting for its end.

    Attributes
    ----------
    key : str
        The interval key it was marked on.
    frame : int
        The frame marked, on clock ``clock``.
    clock : str
        The display clock when it was marked.
    """

    key: str
    frame: int
    clock: str

    def display_frame(self, session: ViewerSession) -> int:
        """Return the frame marked, on the session's display clock now."""
        return convert_frame(session.dm, self.frame, self.clock, session.display_clock)


class TimelineMarks:
    """The pending interval start of one session.

    Signals
    -------
    changed()
        The pending start was set, moved or dropped.
    """

    changed = Signal()

    def __init__(self) -> None:
        self.pending: PendingStart | None = None

    def set_pending(self, pending: PendingStart | None) -> None:
        """Make ``pending`` the pending start (``None`` drops it)."""
        if pending != self.pending:
            self.pending = pending
            self.changed.emit()

    def pending_on(self, key: str) -> PendingStart | None:
        """Return the pending start if it was marked on ``key``, else None."""
        pending = self.pending
        return pending if pending is not None and pending.key == key else None


_MARKS: weakref.WeakKeyDictionary[ViewerSession, TimelineMarks] = weakref.WeakKeyDictionary()


def marks_of(session: ViewerSession) -> TimelineMarks:
    """Return the :class:`TimelineMarks` of ``session`` (made on first use)."""
    marks = _MARKS.get(session)
    if marks is None:
        marks = _MARKS[session] = TimelineMarks()
    return marks


def _keys(name: str) -> str:
    """Return the keys of the key table's action ``name`` as users read them (``"Shift+W"``)."""
    from napari_whiskertoolbox.workflow.key_table import keys_of

    return keys_of(name)


def _edited(session: ViewerSession, kind: str) -> str | None:
    """Return the edit key when it holds ``kind`` data; else say why not and return None."""
    dm = session.dm
    key = edit_key(dm)
    word = _KIND_WORDS[kind]
    if key is None:
        show_info(
            f"Choose an {word} key in the Timeline's Edit box to mark {word}s "
            "(Plugins > WhiskerToolbox > Timeline)."
        )
        return None
    if key not in dm:
        show_info(f"The edit key {key!r} is gone: choose another in the Timeline's Edit box.")
        return None
    held = dm.data_type(key)
    if held != kind:
        if held == "digital_interval":
            hint = (
                f"{_keys('mark_interval_start')} / {_keys('mark_interval_end')} mark its intervals"
            )
        elif held == "digital_event":
            hint = f"{_keys('add_event')} adds its events"
        else:
            hint = "choose an interval or event key"
        show_info(
            f"{key!r} holds {_KIND_WORDS.get(held, held)}s, not {word}s: {hint}; choose an "
            f"{word} key in the Timeline's Edit box to mark {word}s."
        )
        return None
    return key


def _say(session: ViewerSession, text: str) -> None:
    """Write ``text`` into the viewer's status bar."""
    viewer = session.viewer
    if viewer is not None:
        viewer.status = text


def _display_span(session: ViewerSession, key: str, start: int, end: int) -> tuple[int, int]:
    """Display frames of indices ``start`` and ``end`` of ``key``'s clock."""
    return session.to_display(key, start), session.to_display(key, end)


def mark_interval_start(session: ViewerSession) -> int | None:
    """Mark the current frame as the start of an interval of the edit key.

    A start already pending moves here. Returns the frame, or None (and a notice) when the
    edit key is not an interval key.
    """
    key = _edited(session, "digital_interval")
    if key is None:
        return None
    frame = session.current_frame
    marks_of(session).set_pending(PendingStart(key, frame, session.display_clock))
    _say(
        session,
        f"{key}: interval start at frame {frame}; step to its last frame and press "
        f"{_keys('mark_interval_end')} ({_keys('cancel_interval_start')} cancels)",
    )
    return frame


def mark_interval_end(session: ViewerSession) -> tuple[int, int] | None:
    """Add the interval from the pending start to the current frame (both included).

    Returns its display frames ``(first, last)``, or None (and a notice) without a start
    pending on the edit key.
    """
    key = _edited(session, "digital_interval")
    if key is None:
        return None
    marks = marks_of(session)
    pending = marks.pending_on(key)
    if pending is None:
        show_info(
            f"No interval start marked on {key!r}: press {_keys('mark_interval_start')} at "
            f"its first frame, then {_keys('mark_interval_end')} at its last."
        )
        return None
    first, last = sorted((pending.display_frame(session), session.current_frame))
    start, end = frame_span(session, key, first, last)
    series = session.dm.get_data(key)
    before = series.intervals
    with session.dm.history.group(f"add {key} interval {frames_label(first, last)}"):
        series.add(start, end)
    marks.set_pending(None)
    if series.intervals is before:
        _say(session, f"{key}: {frames_label(first, last)} are inside an interval already")
        return first, last
    covering = series.interval_at(start)
    text = f"{key}: interval {frames_label(first, last)} added"
    if covering is not None and covering != (start, end):
        text += f", joined with its neighbours into {frames_label(*_display_span(session, key, *covering))}"
    _say(session, text)
    return first, last


def has_pending_start(session: ViewerSession) -> bool:
    """Whether an interval start is pending (what Esc cancels, before a layer's own Esc)."""
    return marks_of(session).pending is not None


def cancel_interval_start(session: ViewerSession) -> bool:
    """Drop the pending interval start; return whether there was one (silent if none)."""
    marks = marks_of(session)
    pending = marks.pending
    if pending is None:
        return False
    marks.set_pending(None)
    _say(
        session,
        f"{pending.key}: interval start at frame {pending.display_frame(session)} cancelled",
    )
    return True


def remove_interval_here(session: ViewerSession) -> tuple[int, int] | None:
    """Remove the edit key's interval here, or cut the frames from the pending start to here.

    With no start pending on the edit key, the interval under the current frame is removed;
    with one, the frames from it to the current frame (both included) are cut out of the
    intervals, trimming or splitting them.

    Returns the display frames cut or removed ``(first, last)``, or None (and a notice)
    when there was nothing to remove.
    """
    key = _edited(session, "digital_interval")
    if key is None:
        return None
    marks = marks_of(session)
    pending = marks.pending_on(key)
    series = session.dm.get_data(key)
    frame = session.current_frame
    if pending is not None:
        marks.set_pending(None)
        first, last = sorted((pending.display_frame(session), frame))
        start, end = frame_span(session, key, first, last)
        if not len(series.overlapping(start, end)):
            show_info(f"No {key!r} interval in {frames_label(first, last)}: nothing cut.")
            return None
        with session.dm.history.group(f"cut {frames_label(first, last)} out of {key} intervals"):
            series.set_range(start, end, False)
        _say(session, f"{key}: {frames_label(first, last)} cut out of its intervals")
        return first, last
    start, end = frame_span(session, key, frame, frame)
    pairs = series.intervals
    rows = np.flatnonzero((pairs[:, 0] <= end) & (pairs[:, 1] >= start))
    if not rows.size:
        show_info(
            f"No {key!r} interval at frame {frame}: nothing removed. To cut frames out, "
            f"mark the first with {_keys('mark_interval_start')}, then press "
            f"{_keys('remove_interval')} at the last."
        )
        return None
    first, last = _display_span(session, key, int(pairs[rows, 0].min()), int(pairs[rows, 1].max()))
    ids = [int(series.ids[row]) for row in rows]
    what = "interval" if len(ids) == 1 else f"{len(ids)} intervals"
    with session.dm.history.group(f"remove {key} {what} {frames_label(first, last)}"):
        for entity_id in ids:
            series.remove(entity_id)
    _say(session, f"{key}: {what} {frames_label(first, last)} removed")
    return first, last


def add_event_here(session: ViewerSession) -> int | None:
    """Add an event of the edit key at the current frame; return the frame, or None."""
    key = _edited(session, "digital_event")
    if key is None:
        return None
    frame = session.current_frame
    tick, last_tick = frame_span(session, key, frame, frame)
    series = session.dm.get_data(key)
    if len(series.in_range(tick, last_tick)):
        show_info(f"{key!r} has an event at frame {frame} already.")
        return None
    with session.dm.history.group(f"add {key} event at frame {frame}"):
        series.add(tick)
    _say(session, f"{key}: event added at frame {frame}")
    return frame


def remove_event_here(session: ViewerSession) -> int | None:
    """Remove the edit key's event at the current frame; return the frame, or None.

    On a key whose clock is finer than the display clock a frame spans several of its
    indices: the event nearest the frame's start among them is removed.
    """
    key = _edited(session, "digital_event")
    if key is None:
        return None
    frame = session.current_frame
    start, end = frame_span(session, key, frame, frame)
    series = session.dm.get_data(key)
    times = series.in_range(start, end)
    if not len(times):
        show_info(f"No {key!r} event at frame {frame}: nothing removed.")
        return None
    with session.dm.history.group(f"remove {key} event at frame {frame}"):
        series.remove(int(times[0]))
    _say(session, f"{key}: event at frame {frame} removed")
    return frame
