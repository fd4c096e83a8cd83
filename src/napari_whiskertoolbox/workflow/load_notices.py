"""Rows a load left out, told to the user of the window (the loaders only log them).

WhiskerToolbox's loaders skip some rows (NaN points, decimal frames, rows outside the
options' range) and so do ours, logging each :class:`~napari_whiskertoolbox.io.report.LoadNote`
on the ``napari_whiskertoolbox.io`` logger. In napari nobody reads that log: a CSV whose
every row was skipped opened as an empty layer without a word. :func:`collected_load_notes`
gathers the notes of one open (and still writes them to the terminal, as a script's load
does) and :func:`tell_load_notes` shows one notice for the rows left out, one for the
options no reader reads and the ways the load differs from WhiskerToolbox's
(:func:`other_notes_message`), and one for each file whose clocks could not be lined up
with the session's.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from napari.utils.notifications import show_info, show_warning

from napari_whiskertoolbox.io.report import LOGGER, LoadNote

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
    "collected_load_notes",
    "other_notes_message",
    "rows_left_out_message",
    "tell_load_notes",
]

_SHOWN_NOTES = 3
_SKIPPED_PREFIX = re.compile(r"^skipped \d+ rows?: ")
_KNOWN_LIST = re.compile(r" \(known: [^)]*\)$")
GROUPED_KINDS = ("unknown_option", "divergence", "info")
"""Note kinds told together in one notice (:func:`other_notes_message`)."""


class _NoteCollector(logging.Handler):
    def __init__(self, notes: list[LoadNote]) -> None:
        super().__init__(logging.WARNING)
        self._notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        note = getattr(record, "load_note", None)
        if isinstance(note, LoadNote):
            self._notes.append(note)
            if self._is_only_handler() and logging.lastResort is not None:
                # a logger with a handler is not printed by Python's last resort: the
                # terminal would lose what a script's load writes there
                logging.lastResort.handle(record)

    def _is_only_handler(self) -> bool:
        """Whether this is the first collector and no other handler takes the load notes."""
        collectors = []
        logger: logging.Logger | None = LOGGER
        while logger is not None:
            for handler in logger.handlers:
                if isinstance(handler, _NoteCollector):
                    collectors.append(handler)
                elif handler.level <= logging.WARNING:
                    return False
            logger = logger.parent if logger.propagate else None
        return collectors[:1] == [self]


@contextmanager
def collected_load_notes() -> Iterator[list[LoadNote]]:
    """Collect the load notes logged inside the block (the list fills as they come)."""
    notes: list[LoadNote] = []
    handler = _NoteCollector(notes)
    LOGGER.addHandler(handler)
    try:
        yield notes
    finally:
        LOGGER.removeHandler(handler)


def rows_left_out_message(path: str | os.PathLike[str], notes: list[LoadNote]) -> str | None:
    """Return one notice for the rows ``notes`` say were skipped, or ``None`` if none were.

    E.g. ``"ft.csv: 3 rows left out, as WhiskerToolbox's loader leaves them out: line 2,
    3, 4: frame cell is not all digits (header, negative or decimal frame)"``. Notes about
    other things than rows (files of a folder, body parts without a point) are counted by
    their own text: ``"exp.json: data left out, ...: body parts without a point ..."``.
    """
    skipped = [note for note in notes if note.kind == "skipped" and note.count]
    if not skipped:
        return None
    rows = sum(note.count for note in skipped if _SKIPPED_PREFIX.match(note.message))
    reasons = []
    for note in skipped[:_SHOWN_NOTES]:
        where = f"{Path(note.path).name} " if note.path and len(skipped) > 1 else ""
        at = f"{note.lines_text}: " if note.lines else ""
        reasons.append(f"{where}{at}{_SKIPPED_PREFIX.sub('', note.message)}")
    if len(skipped) > _SHOWN_NOTES:
        reasons.append(f"and {len(skipped) - _SHOWN_NOTES} more (see the log)")
    what = [f"{rows} {'row' if rows == 1 else 'rows'}"] if rows else []
    if any(not _SKIPPED_PREFIX.match(note.message) for note in skipped):
        # files, body parts, trailing samples, config items: their notes say what and how many
        what.append("other data" if rows else "data")
    return (
        f"{Path(path).name}: {' and '.join(what)} left out, as WhiskerToolbox's loader leaves "
        f"them out: {'; '.join(reasons)}"
    )


def other_notes_message(
    path: str | os.PathLike[str], notes: list[LoadNote]
) -> tuple[str, bool] | None:
    """Return one notice for the notes of :data:`GROUPED_KINDS` and whether it is a warning.

    Options the load ignores (``unknown_option``: one no reader reads, or one without effect
    there; a warning, as WhiskerToolbox's loader warns) come first, then the ways the load differs from WhiskerToolbox's (``divergence``) and
    anything else (``info``), e.g. ``"cfg.json: 1 option is ignored and 2 notes on how it
    was read: data[1] 'm': option 'widht' is not read by mask csv and is ignored (did you mean
    'width'?); ..."``. ``None`` when there is none.
    """
    grouped = sorted(
        (note for note in notes if note.kind in GROUPED_KINDS),
        key=lambda note: note.kind != "unknown_option",
    )
    if not grouped:
        return None
    unknown = sum(note.kind == "unknown_option" for note in grouped)
    rest = len(grouped) - unknown
    what = []
    if unknown:
        what.append(f"{unknown} option{' is' if unknown == 1 else 's are'} ignored")
    if rest:
        what.append(f"{rest} note{'' if rest == 1 else 's'} on how it was read")
    told = []
    for note in grouped[:_SHOWN_NOTES]:
        where = "" if note.item == note.path else f"{note.item}: "
        told.append(f"{where}{_KNOWN_LIST.sub('', note.message)}")
    if len(grouped) > _SHOWN_NOTES:
        told.append(f"and {len(grouped) - _SHOWN_NOTES} more (see the terminal)")
    return f"{Path(path).name}: {' and '.join(what)}: {'; '.join(told)}", bool(unknown)


def clock_switch_message(
    old: str,
    new: str,
    old_frames: int,
    new_frames: int,
    key: str | None = None,
    past_end: int | None = None,
) -> str:
    """Return the sentences saying the frame slider moved from clock ``old`` to ``new``.

    E.g. ``"The frame slider now runs on 'my_video_clock' (1000 frames, the clock of
    'my_video') instead of 'camera' (300 frames), at the same moment; to switch back,
    choose 'camera' in the Timeline's Clock box or call
    get_session(viewer).set_display_clock('camera')."`` With ``past_end`` (the frame of
    ``old`` shown before, a moment after the new clock's end), "at its last frame (frame
    499 of 'camera' is past its end)" replaces "at the same moment".
    """
    whose = f", the clock of {key!r}" if key is not None else ""
    where = (
        "at the same moment"
        if past_end is None
        else f"at its last frame (frame {past_end:,} of {old!r} is past its end)"
    )
    return (
        f"The frame slider now runs on {new!r} ({new_frames:,} frames{whose}) instead of "
        f"{old!r} ({old_frames:,} frames), {where}; to switch back, choose "
        f"{old!r} in the Timeline's Clock box or call "
        f"get_session(viewer).set_display_clock({old!r})."
    )


def tell_load_notes(
    path: str | os.PathLike[str], notes: list[LoadNote], clock_switch: str | None = None
) -> None:
    """Show :func:`rows_left_out_message` as a napari warning notice (nothing if none).

    Unknown options, differences from WhiskerToolbox and other notes get one notice,
    :func:`other_notes_message` (a warning when an option is unknown, else an info).

    A file whose clocks could not be lined up with the session's (a ``clock`` note), a
    config whose ``transformations`` step failed (``transform``), one whose keys came in
    under other names (``renamed``), one whose labelled video was not opened with it
    (``media``) and one whose DeepLabCut labels ``.h5`` and ``.csv`` disagree (``twin``)
    each get a notice of their own. ``clock_switch`` (the frame slider moved
    to the file's clock: :func:`clock_switch_message`) starts the last ``clock`` note's
    notice (what a collapsed toast shows), or is a notice of its own without one.
    """
    message = rows_left_out_message(path, notes)
    if message is not None:
        show_warning(message)
    other = other_notes_message(path, notes)
    if other is not None:
        (show_warning if other[1] else show_info)(other[0])
    clock_notes = [note for note in notes if note.kind == "clock"]
    for note in notes:
        if note.kind == "transform":
            show_warning(f"{Path(path).name}, {note.item} {note.message}")
        elif note.kind in ("clock", "media"):
            text = f"{Path(path).name}: {note.message}"
            if clock_switch is not None and clock_notes and note is clock_notes[-1]:
                # the slider's move first: napari's toast shows only the first ~40 characters
                why = note.message[:1].upper() + note.message[1:].rstrip(".") + "."
                text = f"{Path(path).name}: {clock_switch} {why}"
            show_warning(text)
        elif note.kind == "twin":  # CollectedData_*.h5 and .csv disagree
            show_warning(note.message)
        elif note.kind == "renamed":  # e.g. the same file opened twice: tip.csv -> tip_2
            show_info(f"{Path(path).name}: {note.message}")
    if clock_switch is not None and not clock_notes:
        show_info(f"{Path(path).name}: {clock_switch}")
