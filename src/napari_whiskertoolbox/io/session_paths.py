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

An item's options may name further files (:data:`~.option_table.PATH_OPTIONS`: a
DeepLabCut table's ``config`` and ``images``, a tensor's ``row_labels``, an image folder's
``files``). A relative one is taken from the folder of the item's file (:func:`option_path`;
an image folder's ``files`` from the folder itself) and moves with it; an
absolute one in the same tree as ``saved_in`` is looked for in the moved tree first, then
where it was (:func:`rebase_options`), as the item's file is.

A session written before (absolute paths only, no ``"saved_in"``) still opens: its paths
are taken as they are unless :func:`inferred_saved_in` can tell where it was saved (beside
the config its metadata names, or from where its gone files are found again above the
session folder); then its paths are looked for in the moved tree first as well.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from napari_whiskertoolbox.io.option_table import PATH_OPTIONS

__all__ = [
    "ABSOLUTE_KEY",
    "SAVED_IN_KEY",
    "RebasedOptions",
    "anchored",
    "find_reference",
    "inferred_saved_in",
    "moved_candidate",
    "option_path",
    "rebase_metadata",
    "rebase_options",
    "recorded_paths",
    "reference_paths",
    "same_file",
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


def anchored(filepath: str, base: Path) -> Path:
    """Return ``filepath`` (``~`` expanded, normalised); a relative one is taken from ``base``."""
    candidate = Path(os.path.expanduser(filepath))
    return Path(os.path.normpath(candidate if candidate.is_absolute() else base / candidate))


def option_path(value: str | None, item_file: Path | None) -> Path | None:
    """Return a path option of an item (:data:`~.option_table.PATH_OPTIONS`) as a path.

    ``~`` is expanded and a relative path is taken from the folder of the item's file, as
    WhiskerToolbox's DeepLabCut and tensor loaders take theirs (an image folder's ``files``
    are names inside the folder itself: its reader joins them). ``None`` stays ``None``.
    """
    if value is None:
        return None
    if item_file is None:
        return Path(os.path.expanduser(value))
    return anchored(value, item_file.parent)


def same_file(recorded: object, path: str | os.PathLike[str]) -> bool:
    """Whether ``recorded`` (a path a record holds: ``None`` or empty for none) names ``path``.

    Both are resolved (symbolic links, ``..``); a path that cannot be resolved names nothing.
    """
    if not recorded:
        return False
    try:
        return Path(str(recorded)).resolve() == Path(path).resolve()
    except (OSError, ValueError):
        return False


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
    tried = [anchored(filepath, base)]
    if absolute:
        fallback = anchored(absolute, base)
        if fallback != tried[0]:
            tried.append(fallback)
    for path in tried:
        if path.exists():
            return path, tried
    return None, tried


@dataclass
class RebasedOptions:
    """A session item's options with their paths moved along with the session folder.

    Attributes
    ----------
    options : dict
        The options, each absolute path found in the moved tree replaced by its new place.
    fallbacks : list of (str, Path)
        ``(option, path)``: not in the moved tree, taken where it was when saved.
    missing : list of (str, list of Path)
        ``(option, paths tried)``: at none of its places.
    """

    options: dict[str, Any]
    fallbacks: list[tuple[str, Path]] = field(default_factory=list)
    missing: list[tuple[str, list[Path]]] = field(default_factory=list)


def rebase_options(options: dict[str, Any], saved_in: str | None, folder: Path) -> RebasedOptions:
    """Return ``options`` with their absolute paths found as a session item's file is found.

    Only the options of :data:`~.option_table.PATH_OPTIONS` hold paths. A relative one is
    relative to the item's own file, which moved with the session folder: it is kept. An
    absolute one in the same tree as ``saved_in`` is looked for in the moved tree first,
    then where it was (see :func:`find_reference`).
    """
    out = RebasedOptions(dict(options))

    def rebased(key: str, value: Any) -> Any:
        if not isinstance(value, str) or not os.path.isabs(os.path.expanduser(value)):
            return value
        moved = moved_candidate(value, saved_in, folder)
        if moved is None:
            return value
        found, tried = find_reference(str(moved), value, folder)
        if found is None:
            out.missing.append((key, tried))
            return value
        if found != tried[0]:
            out.fallbacks.append((key, found))
        return str(found)

    for key in sorted(PATH_OPTIONS & options.keys()):
        value = options[key]
        if isinstance(value, list):
            out.options[key] = [rebased(key, item) for item in value]
        else:
            out.options[key] = rebased(key, value)
    return out


def recorded_paths(doc: dict[str, Any]) -> list[str]:
    """Return the absolute paths of a session's items written without a relative path.

    The paths of its ``data`` and ``clocks`` items (an old session's video, image folder)
    and of their path options.
    """
    out: list[str] = []
    for items in (doc.get("data"), doc.get("clocks")):
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict) or ABSOLUTE_KEY in item:
                continue
            values = [item.get("filepath")]
            for key in PATH_OPTIONS & item.keys():
                value = item[key]
                values += value if isinstance(value, list) else [value]
            out += [v for v in values if isinstance(v, str) and os.path.isabs(v)]
    return out


def inferred_saved_in(doc: dict[str, Any], folder: Path) -> str | None:
    """Return the folder a session saved without ``"saved_in"`` was saved in, when known.

    1. A session folder ``exp.session`` beside ``exp.json``, whose metadata names a config
       ``exp.json`` at another place, was saved beside that config (Ctrl+S's default
       folder): it was ``<old config folder>/exp.session``.
    2. Otherwise, when paths the session records (:func:`recorded_paths`) are gone, the
       session folder and those files are taken to have moved together: the first folder
       ``A`` at or above ``folder`` (nearest first) and ``X`` at or above the gone paths'
       common folder (nearest first) such that every gone path, moved from below ``X`` to
       below ``A``, exists, place the session at ``X/<folder relative to A>`` when saved.

    ``None`` when neither tells (every recorded path still exists, or the gone ones are not
    found moved): the recorded paths are then taken as they are.
    """
    metadata = doc.get("metadata")
    config = metadata.get("config_path") if isinstance(metadata, dict) else None
    if isinstance(config, str) and os.path.isabs(config):
        old_config = Path(config)
        if (
            folder.name == f"{old_config.stem}.session"
            and (folder.parent / old_config.name).is_file()
        ):
            return str(old_config.parent / folder.name)
    gone = [p for p in map(Path, map(os.path.normpath, recorded_paths(doc))) if not p.exists()]
    if not gone:
        return None
    try:
        common = Path(os.path.commonpath([p.parent for p in gone]))
    except ValueError:  # different drives (Windows)
        return None
    for new_root in _below_anchor(folder):
        for old_root in _below_anchor(common):
            if all((new_root / p.relative_to(old_root)).exists() for p in gone):
                return str(old_root / folder.relative_to(new_root))
    return None


def _below_anchor(path: Path) -> list[Path]:
    """Return ``path`` and its parents, nearest first, without the file-system root."""
    return [p for p in (path, *path.parents) if p != Path(p.anchor)]


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
