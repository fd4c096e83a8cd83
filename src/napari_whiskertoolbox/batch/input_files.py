"""What a session's input is on disk, so that a resume re-runs a session whose input changed.

A session's completion marker records the state (size and modification time in
nanoseconds) of every file its input is made of, as the worker saw them before loading:

- a config: the config, each file its items and clocks name (a folder item: the files
  directly in it) and the files their path options name;
- a session folder: every file in it (but a batch's own files), and the files its
  ``session.json`` names outside it;
- anything else (a video, an image folder, a data file): that file, or the files in
  that folder.

Reading the state stats files and never reads their content: a file rewritten with the
same size within the file system's time resolution goes unnoticed, and a file whose
time changed without its content (``touch``, a copy that does not keep times) re-runs
its session, the safe side.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.batch.markers import BATCH_OWN_FILES, FileState, file_states
from napari_whiskertoolbox.batch.session_lock import SESSION_LOCK_SUFFIXES

if TYPE_CHECKING:
    import os

__all__ = ["input_files", "input_folder", "input_state", "session_inputs"]


def _own(path: Path) -> bool:
    """Return whether ``path`` is a file a batch writes (a marker, a lock, a partial save)."""
    name = path.name
    return (
        name in BATCH_OWN_FILES
        or name.endswith(".tmp")
        or (name.startswith(".") and name.endswith(SESSION_LOCK_SUFFIXES))
    )


def _folder_files(folder: Path, recursive: bool) -> list[Path]:
    try:
        entries = folder.rglob("*") if recursive else folder.iterdir()
        return [p for p in entries if p.is_file() and not _own(p)]
    except OSError:
        return []


def _named_files(document: Path) -> list[Path]:
    """Return the files a config or ``session.json`` names (resolved as loading resolves them).

    An item's path options are taken from its file's folder
    (:func:`~napari_whiskertoolbox.io.session_paths.option_path`).

    Empty when the document cannot be parsed: loading it fails and says why.
    """
    from napari_whiskertoolbox.io.config_parse import parse_config
    from napari_whiskertoolbox.io.option_table import PATH_OPTIONS
    from napari_whiskertoolbox.io.session_paths import option_path

    try:
        parsed = parse_config(document)
    except Exception:
        return []
    named: list[Path] = []
    for item in (*parsed.clocks, *parsed.data):
        paths: list[Path] = [] if item.path is None else [item.path]
        for key in PATH_OPTIONS & item.options.keys():
            value = item.options[key]
            for each in value if isinstance(value, list) else [value]:
                if isinstance(each, str):
                    paths.append(option_path(each, item.path) or Path(each))
        for path in paths:
            if path.is_dir():
                named += _folder_files(path, recursive=False)
            elif path.is_file():
                named.append(path)
    return named


def input_files(session: str | os.PathLike[str]) -> list[Path]:
    """Return the files ``session``'s input is made of (absolute, sorted, no duplicates).

    See the module docstring for what counts. A path that does not exist gives nothing.
    """
    from napari_whiskertoolbox.io.routing import SESSION_FILE, is_config_file

    path = Path(session).expanduser().resolve()
    files: list[Path] = []
    if path.is_dir():
        files += _folder_files(path, recursive=True)
        if (path / SESSION_FILE).is_file():
            files += _named_files(path / SESSION_FILE)
    elif path.is_file():
        files.append(path)
        if is_config_file(path):
            files += _named_files(path)
    return sorted({p.resolve() for p in files})


def input_state(session: str | os.PathLike[str]) -> dict[str, FileState]:
    """Return ``{absolute path: (size, mtime_ns)}`` of every file of ``session``'s input."""
    return file_states(input_files(session))


def session_inputs(session: Path, output: Path) -> dict[str, FileState] | None:
    """Return the input state a session's marker records and a resume compares.

    ``None`` when the session folder ``session`` is saved in place (``output``): its
    files are its outputs, which the marker checks anyway.
    """
    return None if output == session else input_state(session)


def input_folder(session: Path) -> Path:
    """Return the folder input file names are shown relative to (a file's folder, or itself)."""
    return session if session.is_dir() else session.parent
