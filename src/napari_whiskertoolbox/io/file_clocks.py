"""Which clock a file this session wrote or read goes back on when it is opened again.

A key exported (Data browser > Export) or saved to a file records the file in
``dm.metadata["written_to"]`` (:data:`WRITTEN_TO`, :func:`record_written_to`); a key read
from a file records it in its ``sources`` or ``read_from`` entry
(:mod:`napari_whiskertoolbox.io.read_from`). The records follow a renamed key and leave
with a deleted one (:mod:`napari_whiskertoolbox.core.key_references`).
:func:`recorded_clock` looks a file up in them: its frame numbers are ticks of that key's
clock (``contact``'s ticks on ``time``, ten per camera frame in the sample), not of the
video's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.key_references import WRITTEN_TO
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.read_from import keys_read_from
from napari_whiskertoolbox.io.session_paths import same_file

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core import DataManager

__all__ = ["RecordedClock", "record_written_to", "recorded_clock"]


@dataclass(frozen=True)
class RecordedClock:
    """The clock of the key a file was written from or read into.

    Attributes
    ----------
    clock : str
        The key's clock.
    key : str
        The key (its name now).
    how : str
        ``"exported"`` (written from it) or ``"read"`` (read into it).
    """

    clock: str
    key: str
    how: str

    def reason(self) -> str:
        """Say why: ``"the clock of 'contact', which it was exported from"``."""
        which = "it was exported from" if self.how == "exported" else "was read from it"
        return f"the clock of {self.key!r}, which {which}"


def record_written_to(dm: DataManager, key: str, path: str | os.PathLike[str]) -> None:
    """Record that ``key`` of ``dm`` was written to ``path`` (the last writer keeps it).

    Parameters
    ----------
    dm : DataManager
        Holds ``key``.
    key : str
        The key written.
    path : path-like
        The file written; recorded resolved.
    """
    resolved = str(Path(path).resolve())
    table = dm.metadata.get(WRITTEN_TO)
    if not isinstance(table, dict):
        table = dm.metadata[WRITTEN_TO] = {}
    for other, paths in table.items():
        if other != key and isinstance(paths, list) and resolved in paths:
            paths.remove(resolved)
    paths = table.setdefault(key, [])
    if resolved not in paths:
        paths.append(resolved)


def _keys_written_to(dm: DataManager, path: str | os.PathLike[str]) -> list[str]:
    table = dm.metadata.get(WRITTEN_TO)
    if not isinstance(table, dict):
        return []
    return [
        key
        for key, paths in table.items()
        if key in dm and isinstance(paths, list) and any(same_file(p, path) for p in paths)
    ]


def recorded_clock(dm: DataManager, path: str | os.PathLike[str]) -> RecordedClock | None:
    """Return the clock of the key ``path`` was last written from or read into, or ``None``.

    A file written from a key goes back on that key's clock; else one read into a key (not
    media, whose file is no data file) on its clock.
    """
    for key in _keys_written_to(dm, path):
        return RecordedClock(dm.time_key(key), key, "exported")
    for key in keys_read_from(dm, path):
        if dm.data_type(key) not in MEDIA_KINDS:
            return RecordedClock(dm.time_key(key), key, "read")
    return None
