"""Sessions: a folder holding ``session.json`` (a WhiskerToolbox-style config) + its data files.

Layout::

    my_session/
      session.json                      # object-form config: clocks, data, groups, metadata
      data/<key>-<token>.<field>.npy    # native structure-of-arrays files (see .native)

Saving is atomic at the folder level: new data files get fresh names (a new random
token per save), then ``session.json`` is atomically replaced (the commit point), then
files nothing points at are removed. A save killed at any moment leaves the previous
``session.json`` and every file it points at intact. The writing itself is in
:mod:`.session_write` (a snapshot, then the files; autosave writes in the background).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.config import load_config
from napari_whiskertoolbox.io.config_parse import parse_config
from napari_whiskertoolbox.io.csv_tools import read_text
from napari_whiskertoolbox.io.disk_space import check_free_space
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.session_write import snapshot_session

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = [
    "SESSION_FILE",
    "check_session_file",
    "load_session",
    "save_session",
    "session_config_path",
    "session_open_problem",
]

SESSION_FILE = "session.json"


def session_config_path(path: str | os.PathLike[str]) -> Path:
    """Return the ``session.json`` of a session folder (a ``.json`` path is returned as is)."""
    p = Path(path)
    return p if p.suffix.lower() == ".json" else p / SESSION_FILE


def save_session(dm: DataManager, path: str | os.PathLike[str], *, mark_saved: bool = True) -> Path:
    """Save every key, clock, group and ``dm.metadata`` to the session folder ``path``.

    Parameters
    ----------
    dm : DataManager
    path : path-like
        Session folder (created if needed), or the path of its ``.json`` config.
    mark_saved : bool
        Call ``dm.mark_saved()`` after success (``False`` for autosaves and backups).

    Returns
    -------
    Path
        The written ``session.json``.

    Raises
    ------
    FormatError
        The config path already holds a file that is not a session this function wrote
        (a WhiskerToolbox config named ``session.json``, the config chosen as the target,
        anything unreadable): it is never replaced. Also a non-JSON value in ``dm.metadata``.
    DiskSpaceError
        The files would not fit on the folder's disk (with a reserve left free): the
        message names the folder, the bytes needed and the bytes free. Nothing is written.

    Notes
    -----
    Media keys are saved as references to their source file; in-memory media
    (no source file) is saved as a ``.npy`` of its frames.
    """
    config_path = session_config_path(path)
    _check_replaceable(config_path)
    snapshot = snapshot_session(dm, config_path)
    check_free_space(config_path.parent, snapshot.nbytes)
    snapshot.write()
    if mark_saved:
        dm.mark_saved()
    return config_path


def load_session(path: str | os.PathLike[str], dm: DataManager | None = None) -> DataManager:
    """Load a session folder written by :func:`save_session` into a new DataManager.

    Keys, clocks (with sampling rates), values, entity ids, image sizes, interval layouts,
    groups and metadata come back exactly; the result is marked saved.

    Parameters
    ----------
    path : path-like
        The session folder, or its ``session.json``.
    dm : DataManager, optional
        Where to put the data (as :func:`~.config.load_config` does); a new DataManager
        when omitted.

    Raises
    ------
    FormatError
        The folder has no session file, or the file is not a session :func:`save_session`
        writes (a ``"data"`` list is required: a WhiskerToolbox config may omit it, a
        session never does); the message names the file and the key. Also a file the
        session names (its video, an image folder) found neither relative to the session
        folder nor at its absolute path: the message names the key and both paths.

    Notes
    -----
    A session folder moved or copied with its experiment folder opens the moved copy's
    files (paths relative to the session folder come first, see :mod:`.session_paths`).
    ``session.json`` is read once: the content :func:`session_open_problem` has just read
    of the same, unchanged file is used.
    """
    config_path = session_config_path(path)
    if not config_path.is_file():
        raise FormatError(f"expected a session folder holding {SESSION_FILE}", path=config_path)
    document = _checked_document(config_path, keep=False)  # None: load_config reports it
    return load_config(config_path, dm, document=document)


def session_open_problem(path: str | os.PathLike[str]) -> str | None:
    """Return why the session folder ``path`` cannot be opened, or ``None`` when it can.

    Reads ``session.json`` and looks for every file it names outside its ``data/`` folder
    (the video of a moved experiment folder that is at neither of its paths, see
    :mod:`.session_paths`), without loading any data: the check a window makes before it
    offers the session. The content read is kept for :func:`load_session` of the same,
    unchanged file (it is read once).
    """
    config_path = session_config_path(path)
    if not config_path.is_file():
        return f"there is no {SESSION_FILE} in {str(config_path.parent)!r}"
    try:
        document = _checked_document(config_path, keep=True)
        parse_config(config_path, document=document)
    except FormatError as exc:
        return str(exc)
    return None


def check_session_file(config_path: Path, document: Any = None) -> None:
    """Check that ``config_path`` holds a session's top-level ``"data"`` list.

    ``document``: the file's JSON content when already read, else it is read here.

    Raises
    ------
    FormatError
        Naming the file and the keys found. Unreadable JSON is left to :func:`load_config`,
        which reports its line and column.
    """
    if document is None:
        try:
            document = json.loads(config_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return  # load_config reports the line and column
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise FormatError(
            "a session file needs a top-level 'data' list (the saved keys); "
            f"found keys {sorted(document) if isinstance(document, dict) else type(document).__name__}",
            path=config_path,
        )


_last_read: tuple[tuple[str, int, int, int], Any] | None = None
"""The ``session.json`` :func:`session_open_problem` read last: (file identity, content)."""


def _checked_document(config_path: Path, *, keep: bool) -> Any:
    """Return ``config_path``'s JSON content, checked as a session's (``None``: unreadable).

    The content kept by the last check (``keep``) of the same, unchanged file (same size,
    modification time and inode: an atomic save makes a new inode) is used instead of
    reading it again, and is handed out once.
    """
    global _last_read
    stat = config_path.stat()
    identity = (str(config_path.resolve()), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    kept, _last_read = _last_read, None
    if kept is not None and kept[0] == identity:
        document = kept[1]
    else:
        try:
            document = json.loads(read_text(config_path))
        except (FormatError, ValueError):  # load_config reports the line and column
            return None
    check_session_file(config_path, document)
    if keep:
        _last_read = (identity, document)
    return document


def _check_replaceable(config_path: Path) -> None:
    """Refuse to replace a file at ``config_path`` unless it is a session (``version`` + ``data``).

    Every session :func:`save_session` writes has both top-level keys; a WhiskerToolbox
    config has no ``version`` (``wt_loaders.md`` §1.1).
    """
    if not config_path.exists():
        return
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"cannot save the session over this file: it is not a session's {SESSION_FILE} "
            f"(unreadable: {exc}); choose an empty folder or a session folder",
            path=config_path,
        ) from exc
    if not (
        isinstance(document, dict)
        and "version" in document
        and isinstance(document.get("data"), list)
    ):
        raise FormatError(
            "cannot save the session over this file: it is not a session saved by "
            "napari-whiskertoolbox (no top-level 'version' and 'data'; a WhiskerToolbox "
            "config?), and it is never replaced; choose an empty folder or a session folder",
            path=config_path,
        )
