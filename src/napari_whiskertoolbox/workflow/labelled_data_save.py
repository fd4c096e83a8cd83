"""Ctrl+S of a session opened from DeepLabCut labelled data or a SLEAP project: labels go home.

A DeepLabCut user opens a project (or one ``labeled-data/<video>/`` folder), labels, and
saves: DeepLabCut's own GUI then rewrites ``CollectedData_<scorer>.h5`` and ``.csv``, the
files training reads. Ctrl+S does the same here when every key edited since the last save
belongs to a pose set read from such a table; anything else (a new key, an edited
non-keypoint key) leaves Ctrl+S to ask for a session folder as before. DeepLabCut's machine
labels of outlier frames (``machinelabels-iter<N>``), once refined, go where DeepLabCut's
refine step puts them: merged into the folder's ``CollectedData_<scorer>`` table (a new one
named after the project's scorer when the folder has none). A pose set read from a SLEAP
``.slp`` project goes back into that project, as SLEAP's own Ctrl+S saves it
(:func:`~.io.sleap.write_slp`: the project's predictions, other videos, tracks and
provenance kept); a ``.pkg.slp`` labels package is left to the session folder (its embedded
frames would be lost).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.io.dlc import is_labels_table, write_dlc_pair
from napari_whiskertoolbox.io.dlc_project import refine_target
from napari_whiskertoolbox.io.pose import pose_of_key
from napari_whiskertoolbox.io.sleap import write_slp

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["labelled_data_targets", "save_labelled_data"]


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
    targets: dict[str, tuple[PoseSet, Path]] = {}
    for key in changed:
        pose = pose_of_key(dm, key) if key in dm else None
        labels = _labels_file(pose) if pose is not None else None
        if pose is None or labels is None:
            return None
        targets[pose.name] = (pose, labels)
    return targets or None


def save_labelled_data(dm: DataManager, targets: dict[str, tuple[PoseSet, Path]]) -> list[Path]:
    """Write each pose set into its ``CollectedData_*`` pair or ``.slp``; mark ``dm`` saved.

    Returns
    -------
    list of Path
        The files written (each table's ``.h5`` and ``.csv``, each ``.slp``).

    Raises
    ------
    OSError
        The disk refused a write (the files already written stay written; each write is
        atomic).
    napari_whiskertoolbox.io.FormatError
        A file refused the labels (nothing more is written; ``dm`` stays modified).
    """
    written: list[Path] = []
    # A table's own labels first: refined machine labels then merge into what they wrote
    # (and write_dlc_pair brings the table's labels set up to date with the merge).
    for pose, labels in sorted(targets.values(), key=lambda target: not _is_source(*target)):
        if labels.suffix.lower() == ".slp":
            written.append(write_slp(dm, pose, labels))
        else:
            written += write_dlc_pair(dm, pose, labels)
    dm.mark_saved()
    return list(dict.fromkeys(written))


def _is_slp_project(path: Path) -> bool:
    """Whether ``path`` is a SLEAP ``.slp`` project (not a ``.pkg.slp`` package) on disk."""
    name = path.name.lower()
    return name.endswith(".slp") and not name.endswith(".pkg.slp") and path.is_file()


def _is_source(pose: PoseSet, labels: Path) -> bool:
    """Whether ``labels`` is the table ``pose`` was read from (either of its pair)."""
    path = Path(str(pose.source.get("path") or ""))
    return path.with_suffix("") == labels.with_suffix("")
