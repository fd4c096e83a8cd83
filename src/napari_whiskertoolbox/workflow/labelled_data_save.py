"""Ctrl+S of a session opened from DeepLabCut labelled data or a SLEAP project: labels go home.

A DeepLabCut user opens a project (or one ``labeled-data/<video>/`` folder), labels, and
saves: DeepLabCut's own GUI then rewrites ``CollectedData_<scorer>.h5`` and ``.csv``, the
files training reads. Ctrl+S does the same here when every key edited since the last save
belongs to a pose set read from such a table; anything else (a new key, an edited
non-keypoint key) still goes back, and the rest of the session goes to a session folder
(:func:`split_labelled_data`; :mod:`.save_target` says where). DeepLabCut's machine
labels of outlier frames (``machinelabels-iter<N>``), once refined, go where DeepLabCut's
refine step puts them: merged into the folder's ``CollectedData_<scorer>`` table (a new one
named after the project's scorer when the folder has none). A pose set read from a SLEAP
``.slp`` project goes back into that project, as SLEAP's own Ctrl+S saves it
(:func:`~.io.sleap.write_slp`: the project's predictions, other videos, tracks and
provenance kept); a ``.pkg.slp`` labels package is left to the session folder (its embedded
frames would be lost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.dlc import is_labels_table, read_dlc, write_labels_pair
from napari_whiskertoolbox.io.dlc_project import refine_target
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.pose import pose_of_key, pose_sets
from napari_whiskertoolbox.io.sleap import write_slp

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.dlc_twins import KeptTwin
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = [
    "LabelsSplit",
    "LabelsWritten",
    "labelled_data_targets",
    "labels_changed",
    "labels_files",
    "labels_in",
    "save_labelled_data",
    "split_labelled_data",
    "write_labelled_data",
]


@dataclass
class LabelsSplit:
    """Which edits go back into labels files, which cannot, and which those files cannot hold.

    Attributes
    ----------
    targets : dict
        ``{pose set name: (pose set, labels file)}``: pose sets with an edited keypoint
        whose ``CollectedData_*`` table or ``.slp`` project is on disk.
    refused : dict
        ``{pose set name: why}``: pose sets read from a labels file with an edited keypoint
        that cannot go back into it (the file is gone, a key of the set was deleted).
    others : list of str
        Edited keys that no labels file holds (lines, masks, keys of other files).
    """

    targets: dict[str, tuple[PoseSet, Path]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)


@dataclass
class LabelsWritten:
    """The labels files a save wrote, and the files of a pair whose old contents it kept.

    Attributes
    ----------
    files : list of Path
        The files written (each table's ``.h5`` and ``.csv``, each ``.slp``).
    kept : list of KeptTwin
        Files of a ``CollectedData_*`` pair that were unreadable or held other labels than
        the file read, copied to a backup before being replaced (:mod:`.io.dlc_twins`).
    """

    files: list[Path] = field(default_factory=list)
    kept: list[KeptTwin] = field(default_factory=list)

    def kept_message(self) -> str:
        """Say which files' old contents are in which backups (``""``: none)."""
        return "; ".join(kept.message() for kept in self.kept)


def _labels_file(pose: PoseSet) -> Path | None:
    """Return the labels file a pose set goes to on Ctrl+S, if any.

    The ``CollectedData_*`` table or SLEAP ``.slp`` project it was read from, if it still
    exists; for DeepLabCut machine labels, the labelled-data folder's table
    (:func:`~.io.dlc_project.refine_target`).
    """
    source = pose.source
    path = Path(str(source.get("path") or ""))
    if source.get("format") == "sleap":
        return path if _is_slp_project(path) else None
    if source.get("format") != "deeplabcut":
        return None
    if not is_labels_table(path):
        return refine_target(path) if path.is_file() else None
    return path if path.is_file() else None


def labels_files(dm: DataManager) -> list[Path]:
    """Return the labels files the session's pose sets go back into on Ctrl+S, in set order."""
    found = (_labels_file(pose) for pose in pose_sets(dm).values())
    return list(dict.fromkeys(path for path in found if path is not None))


def labelled_data_targets(
    dm: DataManager, changed: Iterable[str], removed: Collection[str] = ()
) -> dict[str, tuple[PoseSet, Path]] | None:
    """Return the pose sets to write back and their labels files, or None.

    Parameters
    ----------
    dm : DataManager
        The session's data.
    changed, removed : iterable of str
        Keys edited or added / deleted since the last save.

    Returns
    -------
    dict or None
        ``{pose set name: (pose set, CollectedData file)}`` when something changed and every
        changed key is a keypoint key of a pose set read from an existing ``CollectedData_*``
        table or ``.slp`` project (the file is then the project); None otherwise (nothing changed, a key was deleted, or a change that the
        labels files cannot hold).
    """
    if removed:
        return None
    split = split_labelled_data(dm, changed)
    if split.refused or split.others:
        return None
    return split.targets or None


def split_labelled_data(
    dm: DataManager, changed: Iterable[str], removed: Collection[str] = ()
) -> LabelsSplit:
    """Split the keys changed since the last save by where Ctrl+S can write them.

    Parameters
    ----------
    dm : DataManager
        The session's data.
    changed, removed : iterable of str
        Keys edited or added / deleted since the last save. A pose set one of whose keys
        was deleted is refused: its table would lose that body part's column.

    Returns
    -------
    LabelsSplit
        The pose sets to write back, those refused (and why), the other keys.
    """
    split = LabelsSplit()
    for key in sorted(changed):
        pose = pose_of_key(dm, key) if key in dm else None
        if pose is None:
            split.others.append(key)
            continue
        labels = _labels_file(pose)
        if labels is not None:
            split.targets[pose.name] = (pose, labels)
        elif (gone := _gone_labels_file(pose)) is not None:
            split.refused[pose.name] = f"{gone.name} is no longer at {gone.parent}"
        else:  # a pose set read from predictions: no labels file of its own
            split.others.append(key)
    for pose in pose_sets(dm).values():
        deleted = sorted(set(pose.all_keys()) & set(removed))
        if deleted and pose.name in split.targets:
            del split.targets[pose.name]
            split.refused[pose.name] = f"its key {deleted[0]!r} was deleted"
    return split


def _gone_labels_file(pose: PoseSet) -> Path | None:
    """Return the labels table or ``.slp`` project ``pose`` was read from, if gone from disk."""
    source = pose.source
    path = Path(str(source.get("path") or ""))
    if not source.get("path") or path.is_file():
        return None
    fmt = source.get("format")
    if (fmt == "deeplabcut" and is_labels_table(path)) or (
        fmt == "sleap" and path.name.lower().endswith(".slp")
    ):
        return path
    return None


def save_labelled_data(dm: DataManager, targets: dict[str, tuple[PoseSet, Path]]) -> LabelsWritten:
    """Write each pose set into its ``CollectedData_*`` pair or ``.slp``; mark ``dm`` saved.

    :func:`write_labelled_data`, then ``dm.mark_saved()``.
    """
    written = write_labelled_data(dm, targets)
    dm.mark_saved()
    return written


def write_labelled_data(dm: DataManager, targets: dict[str, tuple[PoseSet, Path]]) -> LabelsWritten:
    """Write each pose set into its ``CollectedData_*`` pair or ``.slp`` (``dm`` stays modified).

    Returns
    -------
    LabelsWritten
        The files written (each table's ``.h5`` and ``.csv``, each ``.slp``), and the backups
        kept of a pair's file that was unreadable or held other labels
        (:func:`~.io.dlc.write_labels_pair`).

    Raises
    ------
    OSError
        The disk refused a write (the files already written stay written; each write is
        atomic).
    napari_whiskertoolbox.io.FormatError
        A file refused the labels (nothing more is written).
    """
    written = LabelsWritten()
    # A table's own labels first: refined machine labels then merge into what they wrote
    # (and write_labels_pair brings the table's labels set up to date with the merge).
    for pose, labels in sorted(targets.values(), key=lambda target: not _is_source(*target)):
        if labels.suffix.lower() == ".slp":
            written.files.append(write_slp(dm, pose, labels))
        else:
            pair = write_labels_pair(dm, pose, labels)
            written.files += pair.files
            written.kept += pair.kept
    written.files = list(dict.fromkeys(written.files))
    return written


def labels_in(path: Path) -> dict[tuple[str, str, str], tuple[float, float]]:
    """Return the labels of a DeepLabCut table: ``{(image, individual, bodypart): (x, y)}``.

    Empty when the file is not there or is not a DeepLabCut table (a ``.slp`` project).
    """
    if not path.is_file() or path.suffix.lower() == ".slp":
        return {}
    try:
        table = read_dlc(path)
    except (FormatError, OSError, ValueError):
        return {}
    placed = np.isfinite(table.xy).all(axis=-1)
    return {
        (row, *column): (float(table.xy[j, k, 0]), float(table.xy[j, k, 1]))
        for j, row in enumerate(table.rows)
        for k, column in enumerate(table.columns)
        if placed[j, k]
    }


def labels_changed(
    before: dict[tuple[str, str, str], tuple[float, float]],
    after: dict[tuple[str, str, str], tuple[float, float]],
) -> int:
    """Return how many labels were placed, moved or removed between two :func:`labels_in`."""
    return sum(before.get(label) != after.get(label) for label in before.keys() | after.keys())


def _is_slp_project(path: Path) -> bool:
    """Whether ``path`` is a SLEAP ``.slp`` project (not a ``.pkg.slp`` package) on disk."""
    name = path.name.lower()
    return name.endswith(".slp") and not name.endswith(".pkg.slp") and path.is_file()


def _is_source(pose: PoseSet, labels: Path) -> bool:
    """Whether ``labels`` is the table ``pose`` was read from (either of its pair)."""
    path = Path(str(pose.source.get("path") or ""))
    return path.with_suffix("") == labels.with_suffix("")
