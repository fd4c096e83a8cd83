"""Paths a saved session refers to, kept valid when the experiment folder is moved or copied.

A session's ``session.json`` names files outside its ``data/`` folder: the video or image
folder of a media key (``"filepath"`` of its item) and, in ``metadata``, the config and
source files the keys were first read from. Saved as absolute paths only, a session folder
moved (or copied) with its experiment folder no longer opened, or quietly opened the old
folder's video when that was still there.

So :func:`~.session.save_session` writes, for a file in the same tree as the session folder
(the two share a folder below the file-system root: ``expA/Media/v.mp4`` beside
``expA/exp.session``), its path *relative to the session folder* as ``"filepath"``
(``../Media/v.mp4``) and its absolute path as ``"filepath_absolute"``, and records the
folder it was saved in as the top-level ``"saved_in"``. Loading takes the relative path when
it exists, else the absolute one; neither existing is an error naming both.

A session written before (absolute paths only, no ``"saved_in"``) still opens: its paths
are taken as they are, except that a session folder ``exp.session`` lying beside the config
``exp.json`` its metadata names (the folder Ctrl+S writes) is known to have been saved in
that config's old folder, so its paths are looked for in the moved tree first as well.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "ABSOLUTE_KEY",
    "SAVED_IN_KEY",
    "find_reference",
    "inferred_saved_in",
    "moved_candidate",
    "rebase_metadata",
    "reference_paths",
]

ABSOLUTE_KEY = "filepath_absolute"
"""Item key holding the absolute path beside a relative ``"filepath"`` (session files only)."""

SAVED_IN_KEY = "saved_in"
"""Top-level key of ``session.json``: the absolute session folder it was saved in."""


def _same_tree(target: Path, folder: Path) -> bool:
    """Whether ``target`` and ``folder`` share a folder below the file-system root."""
    try:
        common = Path(os.path.commonpath([target, folder]))
    except ValueError:  # different drives (Windows)
        return False
    return common != Path(common.anchor)


def reference_paths(target: Path, folder: Path) -> dict[str, str]:
    """Return the ``filepath`` (and ``filepath_absolute``) a session item saves for ``target``.

    Parameters
    ----------
    target : Path
        The file or folder referred to (resolved here).
    folder : Path
        The session folder (resolved here).

    Returns
    -------
    dict
        ``{"filepath": "Media/v.mp4"}`` for a target inside the session folder;
        ``{"filepath": "../Media/v.mp4", "filepath_absolute": "/x/expA/Media/v.mp4"}`` for a
        target in the same tree; ``{"filepath": "/data/v.mp4"}`` (absolute) otherwise.
    """
    target, folder = target.resolve(), folder.resolve()
    try:
        return {"filepath": target.relative_to(folder).as_posix()}
    except ValueError:
        pass
    if not _same_tree(target, folder):
        return {"filepath": str(target)}
    relative = Path(os.path.relpath(target, folder)).as_posix()
    return {"filepath": relative, ABSOLUTE_KEY: str(target)}


def moved_candidate(absolute: str, saved_in: str | None, folder: Path) -> Path | None:
    """Return where ``absolute`` would be now, the session folder saved in ``saved_in`` being ``folder``.

    ``None`` when the session was not moved, ``saved_in`` is unknown, or ``absolute`` is not
    in the same tree as ``saved_in`` (such a file does not move with the experiment folder).
    """
    if not saved_in or not os.path.isabs(absolute) or not os.path.isabs(saved_in):
        return None
    old, target = Path(os.path.normpath(saved_in)), Path(os.path.normpath(absolute))
    if old == folder or not _same_tree(target, old):
        return None
    return Path(os.path.normpath(folder / os.path.relpath(target, old)))


def find_reference(
    filepath: str, absolute: str | None, base: Path
) -> tuple[Path | None, list[Path]]:
    """Return the path a session item's file is at, relative first, and the paths tried.

    Parameters
    ----------
    filepath : str
        The item's ``"filepath"``: relative to ``base`` (the session folder) or absolute.
    absolute : str or None
        Its ``"filepath_absolute"``: where it was when the session was saved.
    base : Path
        The session folder.

    Returns
    -------
    found : Path or None
        The first of the tried paths that exists (``None``: none does).
    tried : list of Path
        The paths looked at, in order.
    """
    candidate = Path(os.path.expanduser(filepath))
    first = Path(os.path.normpath(candidate if candidate.is_absolute() else base / candidate))
    tried = [first]
    if absolute:
        fallback = Path(os.path.normpath(os.path.expanduser(absolute)))
        if fallback != first:
            tried.append(fallback)
    for path in tried:
        if path.exists():
            return path, tried
    return None, tried


def inferred_saved_in(metadata: Any, folder: Path) -> str | None:
    """Return the folder a session saved without ``"saved_in"`` was saved in, when known.

    A session folder ``exp.session`` beside ``exp.json``, whose metadata names a config
    ``exp.json`` at another place, was saved beside that config (Ctrl+S's default folder):
    it was ``<old config folder>/exp.session``. Otherwise ``None``.
    """
    config = metadata.get("config_path") if isinstance(metadata, dict) else None
    if not isinstance(config, str) or not os.path.isabs(config):
        return None
    old_config = Path(config)
    if folder.name != f"{old_config.stem}.session":
        return None
    if not (folder.parent / old_config.name).is_file():
        return None
    return str(old_config.parent / folder.name)


def rebase_metadata(value: Any, saved_in: str | None, folder: Path) -> Any:
    """Return ``value`` (session metadata) with its paths moved along with the session folder.

    Every absolute path string in the same tree as ``saved_in`` (a source's ``filepath`` and
    ``config``, ``config_path``, a pose set's file…) whose moved counterpart exists is
    replaced by it; other values are returned as they are. Nothing changes when the session
    is where it was saved.
    """
    if isinstance(value, dict):
        return {key: rebase_metadata(item, saved_in, folder) for key, item in value.items()}
    if isinstance(value, list):
        return [rebase_metadata(item, saved_in, folder) for item in value]
    if isinstance(value, str) and value and os.path.isabs(value):
        moved = moved_candidate(value, saved_in, folder)
        if moved is not None and moved.exists():
            return str(moved)
    return value
