"""What a config load did besides loading: rows skipped, options ignored, divergences.

WhiskerToolbox's loader skips some rows (NaN points, header lines, rows outside the options'
range) and ignores unknown options, writing a line to its log. We skip the same rows and
ignore the same options, and say so here: every reader records :class:`LoadNote` records on
the :class:`~.config_parse.ConfigItem` it reads; :func:`~.config.load_config` collects them in
a :class:`LoadReport`, logs each at WARNING level on the ``napari_whiskertoolbox.io`` logger
and stores their text in ``dm.metadata["sources"][key]["notes"]``.

Notes go through :mod:`logging` rather than :func:`warnings.warn`: a load's notes are data
about that load (a GUI lists them, a script inspects ``report.skipped``), they must not be
collapsed to one per code location as Python warnings are, and they must not turn a
successful load into an exception under ``-W error``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

__all__ = [
    "LOGGER",
    "LoadNote",
    "LoadReport",
    "NoteKind",
    "RowSkips",
    "log_note",
    "log_renamed_keys",
]

LOGGER = logging.getLogger("napari_whiskertoolbox.io")
"""Logger every load note is written to (WARNING level); the record's ``load_note`` is the note."""

NoteKind = Literal[
    "skipped",
    "unknown_option",
    "divergence",
    "clock",
    "renamed",
    "media",
    "transform",
    "twin",
    "info",
]
_SHOWN_LINES = 5


@dataclass(frozen=True)
class LoadNote:
    """One thing a reader wants the user to know about an item it loaded.

    Attributes
    ----------
    item : str
        The config item, e.g. ``"data[2] 'whisker'"``.
    kind : {"skipped", "unknown_option", "divergence", "clock", "renamed", "media", "transform", "info"}
        ``skipped``: rows or files left out (``count`` of them); ``unknown_option``: an
        option no reader of this format reads; ``divergence``: we read something
        differently from WhiskerToolbox (see the README); ``clock``: the file's clocks
        could not be lined up with the session's (:mod:`.clock_alignment`), or a key has
        data on frames its clock lacks (:mod:`.clock_fit`); ``renamed``:
        the file's keys were opened under other names, the session holding theirs;
        ``media``: the video a labels file belongs to was not opened with it (not found,
        unreadable, or the session shows other media); ``transform``: a step of the
        config's ``transformations`` block failed (the data loaded;
        :mod:`.config_transformations`); ``twin``: the two files of a DeepLabCut labels
        table (``.h5`` and ``.csv``) disagree (:mod:`.dlc_twins`); ``info``: anything else.
    message : str
        What happened, in words.
    count : int
        Rows or files concerned (0 when not a count).
    lines : tuple of int
        The first few 1-based file lines concerned.
    path : str or None
        The file concerned.
    """

    item: str
    kind: NoteKind
    message: str
    count: int = 0
    lines: tuple[int, ...] = ()
    path: str | None = None

    @property
    def lines_text(self) -> str:
        """The lines concerned in words (``"line 4"``, ``"lines 2, 3, ..."``); ``""`` if none."""
        if not self.lines:
            return ""
        shown = ", ".join(str(n) for n in self.lines)
        more = ", ..." if self.count > len(self.lines) else ""
        return f"line{'s' if self.count > 1 else ''} {shown}{more}"

    def __str__(self) -> str:
        if self.path is not None and self.item == self.path:  # a file opened, not a config item
            where = f"file '{self.path}'"
        else:
            where = f"config item {self.item}"
            if self.path is not None:
                where += f", file '{self.path}'"
        if self.lines:
            where += f", {self.lines_text}"
        return f"{where}: {self.message}"


@dataclass
class LoadReport:
    """Every note of one :func:`~.config.load_config` call, in load order."""

    notes: list[LoadNote] = field(default_factory=list)

    def extend(self, notes: Iterable[LoadNote]) -> None:
        """Append ``notes``, logging each at WARNING level."""
        for note in notes:
            self.notes.append(note)
            log_note(note)

    def skipped(self, item: str | None = None) -> int:
        """Return how many rows or files were skipped (by one item, or by all)."""
        return sum(
            n.count for n in self.notes if n.kind == "skipped" and (item is None or n.item == item)
        )

    def of_kind(self, kind: NoteKind) -> list[LoadNote]:
        """Return the notes of one kind."""
        return [n for n in self.notes if n.kind == kind]


class RowSkips:
    """Rows a reader left out, grouped by reason, with their 1-based file line numbers."""

    def __init__(self) -> None:
        self._lines: dict[str, list[int]] = {}
        self._files: dict[str, list[str]] = {}
        self._counts: dict[str, int] = {}

    def add(self, reason: str, line: int) -> None:
        """Record one skipped row at file ``line`` for ``reason``."""
        self.add_many(reason, [line])

    def add_many(self, reason: str, lines: Iterable[int] | np.ndarray) -> None:
        """Record skipped rows at the given file ``lines`` for ``reason``."""
        arr = np.asarray(list(lines) if not isinstance(lines, np.ndarray) else lines)
        if arr.size == 0:
            return
        kept = self._lines.setdefault(reason, [])
        room = _SHOWN_LINES - len(kept)
        if room > 0:
            kept.extend(int(v) for v in arr[:room].tolist())
        self._counts[reason] = self._counts.get(reason, 0) + int(arr.size)

    def add_file(self, reason: str, name: str) -> None:
        """Record one file of a folder left out for ``reason`` (named in the note, no line)."""
        kept = self._files.setdefault(reason, [])
        if len(kept) < _SHOWN_LINES:
            kept.append(name)
        self._counts[reason] = self._counts.get(reason, 0) + 1

    def add_count(self, reason: str, count: int) -> None:
        """Record ``count`` skipped rows of a file without lines (HDF5 tables) for ``reason``."""
        if count <= 0:
            return
        self._lines.setdefault(reason, [])
        self._counts[reason] = self._counts.get(reason, 0) + count

    def count(self, reason: str | None = None) -> int:
        """Return the number of skipped rows (for one reason, or all)."""
        if reason is None:
            return sum(self._counts.values())
        return self._counts.get(reason, 0)

    def __bool__(self) -> bool:
        return bool(self._counts)

    def first(self) -> tuple[str, int] | None:
        """Return ``(reason, line)`` of the earliest skipped row kept with its line, or None."""
        kept = [(lines[0], reason) for reason, lines in self._lines.items() if lines]
        if not kept:
            return None
        line, reason = min(kept)
        return reason, line

    def none_left(self, expected: str, path: str | os.PathLike[str]) -> FormatError:
        """Return the error for a file whose every row was skipped, naming the first one."""
        first = self.first()
        if first is None:
            return FormatError(f"expected {expected}, found none", path=path)
        reason, line = first
        return FormatError(
            f"expected {expected}, found none: every row was skipped (first: {reason})",
            path=path,
            line=line,
        )

    def notes(
        self,
        item: str,
        path: str | os.PathLike[str] | None,
        *,
        kind: NoteKind = "skipped",
        verb: str = "skipped",
    ) -> list[LoadNote]:
        """Return one note per reason (files of a folder are named, rows lined).

        ``kind`` and ``verb`` say what happened to the rows: ``skipped`` by default; a
        reader that keeps rows it wants the user to look at records them here too
        (``kind="info", verb="kept"``).
        """
        notes = []
        for reason, n in self._counts.items():
            if reason in self._files:
                names = self._files[reason]
                more = ", ..." if n > len(names) else ""
                message = (
                    f"{verb} {n} file{'s' if n != 1 else ''}: {reason} ({', '.join(names)}{more})"
                )
            else:
                message = f"{verb} {n} row{'s' if n != 1 else ''}: {reason}"
            notes.append(
                LoadNote(
                    item=item,
                    kind=kind,
                    message=message,
                    count=n,
                    lines=tuple(self._lines.get(reason, ())),
                    path=None if path is None else str(path),
                )
            )
        return notes


def log_renamed_keys(source: str, pairs: str) -> LoadNote:
    """Log (and return) the ``renamed`` note of a file whose keys the session already had.

    Parameters
    ----------
    source : str
        The file opened.
    pairs : str
        The renamings in words, e.g. ``"'tip' as 'tip_2'"``.
    """
    return log_note(
        LoadNote(
            source,
            "renamed",
            f"the session already has keys of these names, so the file's are opened as "
            f"other keys: {pairs}",
            path=source,
        )
    )


def log_note(note: LoadNote) -> LoadNote:
    """Log ``note`` at WARNING level on :data:`LOGGER` (the record's ``load_note``); return it."""
    LOGGER.warning("%s", note, extra={"load_note": note})
    return note
