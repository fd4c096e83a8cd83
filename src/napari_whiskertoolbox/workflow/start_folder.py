"""Where a file dialog of the session starts: where the data came from, else where the user was.

Every save dialog that writes files about a session (Export, *Save as config…*) starts in
the same place, found in this order:

1. the session's folder, or the folder of the config or data file it was opened from;
2. the folder of the first media or data file it holds (a video opened alone);
3. the last folder the user chose in that dialog (remembered for the running process);
4. the user's home folder — never the process's working folder, which for a napari started
   from a desktop launcher is ``/`` or the install folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.key_references import SOURCES

if TYPE_CHECKING:
    import os

__all__ = ["data_folder", "last_folder", "remember_folder", "source_file", "start_folder"]

_last: dict[str, Path] = {}
"""The folder last chosen in each kind of dialog, this process."""


def source_file(dm: Any) -> Path | None:
    """Return the file the first key with one was read from (a video's, an image folder's).

    Parameters
    ----------
    dm : DataManager
        The session's data; media report theirs as ``source_path``, config keys in
        ``dm.metadata["sources"][key]["filepath"]``.
    """
    for key in dm:
        source = getattr(dm.get_data(key), "source_path", None)
        if source:
            return Path(source)
    sources = dm.metadata.get(SOURCES)
    for record in sources.values() if isinstance(sources, dict) else ():
        if isinstance(record, dict) and record.get("filepath"):
            return Path(record["filepath"])
    return None


def data_folder(session_path: Path | None, media_path: Path | None = None) -> Path | None:
    """Return the folder the session's data came from, or None when it has none.

    Parameters
    ----------
    session_path : Path or None
        The session folder, or the config / data file the session was opened from.
    media_path : Path or None
        A file (or image folder) the session's data was read from (:func:`source_file`).
    """
    for path in (session_path, media_path):
        if path is None:
            continue
        folder = path if path.is_dir() else path.parent
        while not folder.is_dir() and folder != folder.parent:  # moved or deleted since
            folder = folder.parent
        if folder.is_dir() and folder != folder.parent:
            return folder
    return None


def start_folder(
    kind: str, session_path: Path | None = None, media_path: Path | None = None
) -> Path:
    """Return the folder a ``kind`` dialog starts in (see the module docstring).

    Parameters
    ----------
    kind : str
        The dialog, e.g. ``"export"``, ``"transformations config"``: each remembers its own
        last folder (:func:`remember_folder`).
    session_path, media_path : Path or None
        As for :func:`data_folder`.
    """
    found = data_folder(session_path, media_path)
    if found is not None:
        return found
    last = last_folder(kind)
    return last if last is not None else Path.home()


def last_folder(kind: str) -> Path | None:
    """Return the folder last chosen in a ``kind`` dialog (this process), if it still exists."""
    last = _last.get(kind)
    return last if last is not None and last.is_dir() else None


def remember_folder(kind: str, path: str | os.PathLike[str]) -> None:
    """Remember the folder of ``path`` (a chosen file, or a folder) for ``kind`` dialogs."""
    chosen = Path(path)
    _last[kind] = chosen if chosen.is_dir() else chosen.parent
