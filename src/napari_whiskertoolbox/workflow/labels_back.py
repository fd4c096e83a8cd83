"""Ctrl+S of a session holding DeepLabCut (or SLEAP) labels with other edits: both saved.

A DeepLabCut user who also drew a whisker or painted a mask expects Ctrl+S to do what
DeepLabCut's own save does, rewrite ``CollectedData_<scorer>.h5`` and ``.csv`` (the files
training reads), and to keep the lines and masks too. The keypoint edits go back into
their labels files (:func:`~.labelled_data_save.write_labelled_data`) and the whole session
goes to a session folder; one notice names both (:meth:`LabelsBack.notice`). When the
labels cannot go back (the file is gone, a key of the set was deleted, the table refused
the write) the notice says that the labels file was NOT updated, and why; the session
folder still holds every edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.kinds import DATA_KINDS, kind_info
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.workflow.labelled_data_save import (
    labels_changed,
    labels_files,
    labels_in,
    split_labelled_data,
    write_labelled_data,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager

__all__ = ["LabelsBack", "save_key_description", "write_labels_back"]


@dataclass
class LabelsBack:
    """What a save wrote back into labels files, what it could not, and what else changed.

    Attributes
    ----------
    written : dict
        ``{labels file: (labels changed, labels in all)}`` per labels file written (a
        ``CollectedData_*`` table's ``.csv`` twin is written with it); ``None`` for a
        SLEAP ``.slp`` project (not counted).
    refused : list of str
        Why a labels file was not updated (one sentence each, naming the file or set).
    others : list of str
        Kinds of the other edits (``"lines"``, ``"masks"``, ``"deleted keys"``...), which
        only the session folder holds.
    kept : list of str
        Files of a ``CollectedData_*`` pair that were unreadable or held other labels than
        the file read, and the backup each was copied to (one sentence each,
        :meth:`~.io.dlc_twins.KeptTwin.message`).
    """

    written: dict[Path, tuple[int, int] | None] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def warns(self) -> bool:
        """Whether the notice is a warning: a labels file NOT updated, or a backup kept."""
        return bool(self.refused or self.kept)

    def summary(self) -> str:
        """Say which backups were kept, and which labels files were updated or NOT (``""``: none)."""
        parts = list(self.kept)  # first: a collapsed notice shows only its first words
        if self.written:
            files = ", ".join(_pair_name(path) for path in self.written)
            counts = [n for n in self.written.values() if n is not None]
            changed, total = sum(n for n, _ in counts), sum(n for _, n in counts)
            count = f" ({counted(changed, 'label')} changed, {total} in all)" if counts else ""
            parts.append(f"{files} updated{count}")
        if self.refused:
            parts.append(f"labels file NOT updated: {'; '.join(self.refused)}")
        return "; ".join(parts)

    def notice(self, folder: Path, where: str) -> str:
        """Return the notice of a save of both: the labels files, then the session folder.

        Parameters
        ----------
        folder : Path
            The session folder saved.
        where : str
            How the notice names it (``dlc_mixed/dlc_mixed.session``); its full path follows.
        """
        if self.refused:
            what = "everything, those keypoints too,"
        else:
            what = " and ".join(self.others) if self.others else "the session"
        return f"{self.summary()}; {what} saved in {where} ({folder.parent})"


def save_key_description(dm: DataManager) -> str | None:
    """Say what Ctrl+S does in a session holding labels it writes back (``None``: none).

    The Key help dock's *Save* row, for a DeepLabCut project or a SLEAP project.
    """
    files = labels_files(dm)
    if not files:
        return None
    if any(path.suffix.lower() != ".slp" for path in files):
        home = "their CollectedData_* files (.h5 and .csv)"
    else:
        home = "their .slp project"
    return f"Save: keypoints back into {home}, other data (lines, masks…) into a session folder"


def write_labels_back(
    dm: DataManager,
    changed: Iterable[str],
    removed: Collection[str] = (),
    *,
    besides: Iterable[str] = (),
) -> LabelsBack | None:
    """Write the keypoint edits back into their labels files; ``dm`` stays modified.

    Parameters
    ----------
    dm : DataManager
        The session's data.
    changed, removed : iterable of str
        Keys edited or added / deleted since the last save.
    besides : iterable of str
        Other unsaved changes no key's file holds (``"groups"``, ``"clocks"``).

    Returns
    -------
    LabelsBack or None
        What was written and refused; ``None`` when no edited key is a keypoint of a pose
        set read from a labels file (nothing to write back, nothing to tell).
    """
    split = split_labelled_data(dm, changed, removed)
    if not split.targets and not split.refused:
        return None
    types = {dm.data_type(key) for key in split.others}
    kinds = {kind_info(kind).label: None for kind in DATA_KINDS if kind in types}
    if removed:
        kinds["deleted keys"] = None
    back = LabelsBack(others=[*kinds, *besides])
    back.refused = [
        f"{name}'s keypoints could not go back: {why}" for name, why in split.refused.items()
    ]
    if not split.targets:
        return back
    files = sorted({labels for _, labels in split.targets.values()})
    before = {path: (labels_in(path), _stamp(path)) for path in files}
    failure = None
    try:
        back.kept = [kept.message() for kept in write_labelled_data(dm, split.targets).kept]
    except (FormatError, OSError) as error:
        failure = error
    for path in files:
        if _stamp(path) == before[path][1]:  # not written (each write is atomic)
            if failure is not None:
                back.refused.append(f"{_pair_name(path)} refused the labels: {failure}")
            continue
        if path.suffix.lower() == ".slp":
            back.written[path] = None
            continue
        after = labels_in(path)
        back.written[path] = (labels_changed(before[path][0], after), len(after))
    return back


def _stamp(path: Path) -> tuple[int, int] | None:
    """Return the modification time and size of ``path`` (``None``: not there)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _pair_name(path: Path) -> str:
    """``CollectedData_Mackenzie.h5/.csv`` for a DeepLabCut labels table, else its name."""
    if path.name.startswith("CollectedData_") and path.suffix.lower() in (".h5", ".csv"):
        return f"{path.stem}.h5/.csv"
    return path.name
