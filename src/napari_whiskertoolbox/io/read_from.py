"""Which of a session's keys were read from a given file: what "open already" looks up.

A key records the file it was read from in one of three places:

- its ``dm.metadata["sources"]`` record (a config's items, a WhiskerToolbox data file
  opened alone), ``"filepath"``;
- a media key, its own :attr:`source_path` (a video opened alone has no source record);
- another tool's file (DeepLabCut, SLEAP, NWB, a recording), ``dm.metadata["read_from"]``
  (:data:`READ_FROM`), written by :func:`record_read_from` when it is opened. These keys
  have no source record: that record says how to write a key back as WhiskerToolbox data,
  which their files are not.

Both records follow a renamed key and leave with a deleted one
(:mod:`napari_whiskertoolbox.core.key_references`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.key_references import READ_FROM, SOURCES
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.session_paths import same_file

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager

__all__ = ["READ_FROM", "keys_read_from", "record_read_from"]


def record_read_from(dm: DataManager, keys: Iterable[str], path: Path) -> None:
    """Record that ``keys`` of ``dm`` were read from another tool's file ``path``.

    Parameters
    ----------
    dm : DataManager
        Holds ``keys``.
    keys : iterable of str
        The keys the file added.
    path : Path
        The file (or folder) opened; recorded resolved.
    """
    record = dm.metadata.get(READ_FROM)
    if not isinstance(record, dict):
        record = dm.metadata[READ_FROM] = {}
    record.update(dict.fromkeys(keys, str(path.resolve())))


def _recorded_path(dm: DataManager, key: str) -> object:
    """Return the path ``key`` records it was read from (``None``: none)."""
    for name in (SOURCES, READ_FROM):
        table = dm.metadata.get(name)
        entry = table.get(key) if isinstance(table, dict) else None
        if isinstance(entry, dict):
            entry = entry.get("filepath")
        if entry:
            return entry
    if dm.data_type(key) in MEDIA_KINDS:
        return dm.get_data(key).source_path
    return None


def keys_read_from(dm: DataManager, path: str | os.PathLike[str]) -> list[str]:
    """Return the keys of ``dm`` read from the file or folder ``path``, in ``dm``'s order.

    A key renamed since is found under its new name.
    """
    return [key for key in dm if same_file(_recorded_path(dm, key), path)]
