"""Completion markers: how a re-run knows a session is finished (resume).

A session's marker is written last, atomically, after its outputs were saved. It holds
the task's fingerprint, the record, and the size of every file the session folder held.
A session counts as done only when the marker exists, was written by the same task, and
every file it lists is still there with the same size: a half-written output (a save
killed before the marker) is never taken as done.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch.records import SessionRecord
from napari_whiskertoolbox.io.atomic import atomic_write_text

if TYPE_CHECKING:
    import os

__all__ = [
    "LOCK_FILE",
    "MARKER_FILE",
    "SESSIONS_LOCK_FILE",
    "clear_marker",
    "completed_record",
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


def _files(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE and not p.name.endswith(".tmp")
    }


def clear_marker(folder: str | os.PathLike[str]) -> None:
    """Remove the marker of ``folder`` (a new attempt is starting)."""
    with contextlib.suppress(FileNotFoundError):
        (Path(folder) / MARKER_FILE).unlink()


def write_marker(folder: str | os.PathLike[str], fingerprint: str, record: SessionRecord) -> None:
    """Mark ``folder`` complete for the task ``fingerprint`` (atomic; call it last)."""
    folder = Path(folder)
    document = {"fingerprint": fingerprint, "files": _files(folder), "record": record.to_dict()}
    atomic_write_text(folder / MARKER_FILE, json.dumps(document, indent=1, allow_nan=True))


def completed_record(folder: str | os.PathLike[str], fingerprint: str) -> SessionRecord | None:
    """Return the record of a session finished by the task ``fingerprint``, else ``None``.

    ``None`` when there is no readable marker, it was written by another task, or a file it
    lists is missing or has another size.
    """
    folder = Path(folder)
    try:
        document: dict[str, Any] = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("fingerprint") != fingerprint:
        return None
    files = document.get("files")
    if not isinstance(files, dict) or not files:
        return None
    for name, size in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return None
    try:
        return SessionRecord.from_dict(document["record"])
    except (KeyError, TypeError):
        return None


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
