"""Find the session folder saved from a DeepLabCut project's labels, if newer than them.

Ctrl+S of a session opened from DeepLabCut labelled data with lines or masks writes the
keypoints back into ``CollectedData_<scorer>.h5``/``.csv`` and the whole session into a
session folder the user picked (usually in the project folder). Opening the project
again reads only the labels: the lines and masks were in a folder nothing pointed to.
As a config's ``exp.session`` beside it (:func:`~.routing.newer_saved_session`), such a
session folder is found here: a session folder directly in the opened folder, the
labelled-data folder, the project folder or the folder holding the project, whose pose
sets were read from one of the ``CollectedData_*`` tables the path opens, saved after
that table last changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.io.dlc import is_labels_table
from napari_whiskertoolbox.io.dlc_project import (
    is_dlc_project_config,
    is_dlc_project_folder,
    is_labeled_data_folder,
    labels_file_of,
    project_config_of,
)
from napari_whiskertoolbox.io.session import SESSION_FILE

if TYPE_CHECKING:
    import os

__all__ = ["labels_tables_of", "newer_labels_session", "newest_labels_table"]

_LABELLED_DATA = "labeled-data"


def _project_root(path: Path) -> Path | None:
    """Return the DeepLabCut project folder ``path`` (a folder, file or config) is in."""
    here = path if path.is_dir() else path.parent
    for folder in (here, *here.parents)[:3]:  # a project, labeled-data/<video>/, a table
        if is_dlc_project_folder(folder):
            return folder
    return None


def labels_tables_of(path: str | os.PathLike[str]) -> list[Path]:
    """Return the ``CollectedData_*`` tables opening ``path`` reads (none: it reads none).

    Parameters
    ----------
    path : path-like
        A project folder or its ``config.yaml``, a ``labeled-data/<video>/`` folder, or a
        ``CollectedData_*`` table.
    """
    path = Path(path)
    if path.is_dir() and project_config_of(path) is not None:
        path = path / "config.yaml" if (path / "config.yaml").is_file() else path / "config.yml"
    if path.is_file() and is_dlc_project_config(path):
        root = path.parent / _LABELLED_DATA
        folders = sorted(p for p in root.glob("*") if is_labeled_data_folder(p))
    elif path.is_dir() and is_labeled_data_folder(path):
        folders = [path]
    elif path.is_file() and is_labels_table(path):
        return [path]
    else:
        return []
    return [table for folder in folders if (table := labels_file_of(folder)) is not None]


def newest_labels_table(path: str | os.PathLike[str]) -> Path | None:
    """Return the table (or its ``.h5``/``.csv`` twin) of ``path`` that changed last."""
    files = [twin for table in labels_tables_of(path) for twin in _twins(table) if twin.is_file()]
    return max(files, key=lambda file: file.stat().st_mtime_ns, default=None)


def newer_labels_session(path: str | os.PathLike[str]) -> Path | None:
    """Return the newest session folder saved from ``path``'s labels after they last changed.

    Parameters
    ----------
    path : path-like
        What the user opens (see :func:`labels_tables_of`).

    Returns
    -------
    Path or None
        A session folder (directly in the opened folder, the table's folder, the project
        folder or the folder holding it) whose ``session.json`` holds a pose set read from
        one of ``path``'s tables and is newer than that table; the newest of them. ``None``
        when there is none.
    """
    path = Path(path)
    tables = {_stem(table): table for table in labels_tables_of(path)}
    if not tables:
        return None
    found: list[tuple[int, Path]] = []
    for folder in _session_folders_near(path):
        saved = folder / SESSION_FILE
        read = _tables_read(saved) & tables.keys()
        if not read:
            continue
        saved_at = saved.stat().st_mtime_ns
        changed_at = max(_changed_at(tables[stem]) for stem in read)
        if saved_at > changed_at:
            found.append((saved_at, folder))
    return max(found)[1] if found else None


def _session_folders_near(path: Path) -> list[Path]:
    """Return the session folders directly in the folders a save of ``path`` is picked in."""
    here = path if path.is_dir() else path.parent
    places = [here, here.parent]
    root = _project_root(path)
    if root is not None:
        places += [root, root.parent]
    folders: list[Path] = []
    for place in dict.fromkeys(p.resolve() for p in places):
        try:
            children = sorted(place.iterdir())
        except OSError:
            continue
        folders += [child for child in children if (child / SESSION_FILE).is_file()]
    return list(dict.fromkeys(folders))


def _tables_read(saved: Path) -> set[str]:
    """Return the DeepLabCut labels tables (:func:`_stem`) a ``session.json``'s poses were read from."""
    try:
        record = json.loads(saved.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    poses = (record.get("metadata") or {}).get("poses") if isinstance(record, dict) else None
    stems = set()
    for pose in poses.values() if isinstance(poses, dict) else ():
        source = pose.get("source") if isinstance(pose, dict) else None
        if isinstance(source, dict) and source.get("format") == "deeplabcut":
            table = Path(str(source.get("path") or ""))
            if is_labels_table(table):
                stems.add(_stem(table))
    return stems


def _twins(table: Path) -> tuple[Path, Path]:
    return table.with_suffix(".h5"), table.with_suffix(".csv")


def _stem(table: Path) -> str:
    """Name a labels table without its suffix, resolved: its ``.h5`` and ``.csv`` are one."""
    return str(table.resolve().with_suffix(""))


def _changed_at(table: Path) -> int:
    """When the table (either of its twins) last changed, in ns."""
    return max((t.stat().st_mtime_ns for t in _twins(table) if t.is_file()), default=0)
