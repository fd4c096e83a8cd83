"""Completion markers: how a re-run knows a session is finished (resume).

A session's marker is written last, atomically, after its outputs were saved. It holds
the task's fingerprint, the record, the size and modification time of every file the
session folder held (its outputs), and those of every file of the session's input as
the worker saw them before loading it (:mod:`~napari_whiskertoolbox.batch.input_files`).
A session counts as done only when the marker exists, was written by the same task,
every output it lists is still there unchanged, and its input is what it was: a
half-written output (a save killed before the marker) is never taken as done, and a
session whose config or data files changed runs again.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch.records import SessionRecord
from napari_whiskertoolbox.io.atomic import atomic_write_text

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Mapping

__all__ = [
    "BATCH_OWN_FILES",
    "LOCK_FILE",
    "LOG_FILE",
    "MARKER_FILE",
    "SESSIONS_LOCK_FILE",
    "FileState",
    "MarkerCheck",
    "changed_files",
    "check_marker",
    "clear_marker",
    "completed_record",
    "file_states",
    "recorded_input",
    "write_marker",
]

MARKER_FILE = "batch-done.json"
"""Name of the marker inside a session's output folder."""
LOCK_FILE = "batch.lock"
"""Lock file in the output folder, held while a batch runs (released when its process ends)."""
SESSIONS_LOCK_FILE = ".napari-whiskertoolbox-batch.lock"
"""Lock file held in each folder a batch saves session folders into (``out/sessions``, or
the inputs' folders when saving beside them)."""
LOG_FILE = "batch-output.txt"
"""What the task printed, saved in the session's output folder."""
BATCH_OWN_FILES = frozenset({MARKER_FILE, LOCK_FILE, SESSIONS_LOCK_FILE, LOG_FILE})
"""Files a batch writes into a session folder besides the session: never part of its input."""

FileState = tuple[int, int]
"""A file's size in bytes and modification time in nanoseconds (``st_mtime_ns``)."""


def file_states(paths: Iterable[Path], base: Path | None = None) -> dict[str, FileState]:
    """Return ``{name: (size, mtime_ns)}`` of ``paths`` (files gone meanwhile are left out).

    Names are relative to ``base`` (POSIX form) when given, else the paths as given.
    """
    out: dict[str, FileState] = {}
    for path in paths:
        with contextlib.suppress(OSError):
            stat = path.stat()
            name = path.relative_to(base).as_posix() if base is not None else str(path)
            out[name] = (stat.st_size, stat.st_mtime_ns)
    return out


def changed_files(
    recorded: Mapping[str, Any], now: Mapping[str, FileState], base: Path | None = None
) -> list[str]:
    """Return the names of the files that differ between ``recorded`` and ``now``, sorted.

    Changed, added and removed files, each shown relative to ``base`` when below it.
    ``recorded`` values may be lists (as read back from JSON).
    """
    changed = []
    for name in sorted(recorded.keys() | now.keys()):
        before = recorded.get(name)
        if (None if before is None else tuple(before)) != now.get(name):
            shown = name
            if base is not None:
                with contextlib.suppress(ValueError):
                    shown = Path(name).relative_to(base).as_posix()
            changed.append(shown)
    return changed


def _outputs(folder: Path) -> dict[str, FileState]:
    files = (
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE and not p.name.endswith(".tmp")
    )
    return file_states(files, folder)


def clear_marker(folder: str | os.PathLike[str]) -> None:
    """Remove the marker of ``folder`` (a new attempt is starting)."""
    with contextlib.suppress(FileNotFoundError):
        (Path(folder) / MARKER_FILE).unlink()


def write_marker(
    folder: str | os.PathLike[str],
    fingerprint: str,
    record: SessionRecord,
    inputs: Mapping[str, FileState] | None = None,
) -> None:
    """Mark ``folder`` complete for the task ``fingerprint`` (atomic; call it last).

    ``inputs``: the state of the session's input files before it was loaded
    (:func:`~napari_whiskertoolbox.batch.input_files.input_state`); ``None`` when the
    session folder is its own input (saved in place: its outputs are its input).
    """
    folder = Path(folder)
    document = {
        "fingerprint": fingerprint,
        "files": _outputs(folder),
        "inputs": None if inputs is None else dict(inputs),
        "record": record.to_dict(),
    }
    atomic_write_text(folder / MARKER_FILE, json.dumps(document, indent=1, allow_nan=True))


@dataclass(frozen=True)
class MarkerCheck:
    """What a session's completion marker says about it.

    Attributes
    ----------
    record : SessionRecord or None
        The finished session's record; ``None`` when it must run (again).
    reason : str or None
        Why a session an earlier run finished must run again (``"input changed:
        signal.csv"``); ``None`` when it is done or was never finished.
    """

    record: SessionRecord | None
    reason: str | None = None


def _listed(names: list[str], limit: int = 3) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def check_marker(
    folder: str | os.PathLike[str],
    fingerprint: str,
    inputs: Mapping[str, FileState] | None = None,
    input_base: Path | None = None,
) -> MarkerCheck:
    """Tell whether the session saved in ``folder`` is finished by the task ``fingerprint``.

    Parameters
    ----------
    folder : path-like
        The session's output folder.
    fingerprint : str
        The task's fingerprint.
    inputs : mapping, optional
        The current state of the session's input files
        (:func:`~napari_whiskertoolbox.batch.input_files.input_state`); ``None`` does not
        compare inputs (a session folder saved in place is its own input).
    input_base : Path, optional
        Input files are named relative to it in the reason (the input's folder).

    Returns
    -------
    MarkerCheck
        The record when finished; else why not, when an earlier run had finished it: the
        task changed, an input file changed (or the marker predates input checks), an
        output is missing or changed.
    """
    folder = Path(folder)
    try:
        document: dict[str, Any] = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return MarkerCheck(None)
    if not isinstance(document, dict):
        return MarkerCheck(None)
    if document.get("fingerprint") != fingerprint:
        return MarkerCheck(None, "the task changed")
    files = document.get("files")
    if not isinstance(files, dict) or not files:
        return MarkerCheck(None)
    recorded_inputs = document.get("inputs")
    if inputs is not None:
        if not isinstance(recorded_inputs, dict):
            return MarkerCheck(None, "its completion marker does not record its input files")
        changed = changed_files(recorded_inputs, inputs, input_base)
        if changed:
            return MarkerCheck(None, f"input changed: {_listed(changed)}")
    now = _outputs(folder)
    missing = sorted(name for name in files if name not in now)
    if missing:
        return MarkerCheck(None, f"output missing: {_listed(missing)}")
    changed = [
        name
        for name, state in files.items()
        if not isinstance(state, list) or tuple(state) != now[name]
    ]
    if changed:
        return MarkerCheck(None, f"output changed: {_listed(sorted(changed))}")
    try:
        return MarkerCheck(SessionRecord.from_dict(document["record"]))
    except (KeyError, TypeError):
        return MarkerCheck(None)


def completed_record(
    folder: str | os.PathLike[str],
    fingerprint: str,
    inputs: Mapping[str, FileState] | None = None,
) -> SessionRecord | None:
    """Return the record of a session finished by the task ``fingerprint``, else ``None``.

    ``None`` when there is no readable marker, it was written by another task, a file it
    lists is missing or changed (size or modification time), or, with ``inputs`` (the
    input's current :func:`~napari_whiskertoolbox.batch.input_files.input_state`), an
    input file changed since (see :func:`check_marker`, which also says why).
    """
    return check_marker(folder, fingerprint, inputs).record


def recorded_input(folder: str | os.PathLike[str]) -> str | None:
    """Return the input path (``record.session``) of the session whose outputs ``folder`` holds.

    Read from its marker, whatever task wrote it (markers of every version hold it);
    ``None`` when it has no readable marker.
    """
    try:
        document = json.loads((Path(folder) / MARKER_FILE).read_text(encoding="utf-8"))
        session = document["record"]["session"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return session if isinstance(session, str) else None
