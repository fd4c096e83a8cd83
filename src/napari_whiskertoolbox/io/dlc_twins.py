"""The two files of a DeepLabCut labels table, ``CollectedData_<scorer>.h5`` and ``.csv``.

DeepLabCut writes both on every save and training reads the ``.h5``; a save here writes
both too, from the one file it read (:func:`~.dlc.write_labels_pair`). When the other one
was edited apart (a spreadsheet edit of the ``.csv``, a label only in the ``.h5``) or is
unreadable, saving would silently replace its labels: its old contents are first copied to
``<name>.<YYYYmmdd-HHMMSS>.bak`` beside it (:func:`keep_twin`), a name neither DeepLabCut
(which reads ``CollectedData_<scorer>.h5`` by name) nor our openers (``CollectedData_*``
ending ``.h5``/``.hdf5``/``.csv``, :func:`~.dlc_project.labels_file_of`) read as a table.
"""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.io.dlc import H5_SUFFIXES, is_labels_table, read_dlc
from napari_whiskertoolbox.io.dlc_layout import row_key
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import LoadNote

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.io.dlc import DLCTable

__all__ = [
    "KeptTwin",
    "differing_labels",
    "keep_twin",
    "readable_twin",
    "twin_note",
    "twin_of",
    "twins_differ",
]

TOLERANCE = 1e-6
"""Pixels two files' coordinates of a label may differ by and still be one label (text round-off)."""

SHOWN = 3
"""Differing labels named in a message (the rest are counted)."""


class KeptTwin(NamedTuple):
    """A file of the pair whose old contents a save kept in a backup before replacing them.

    Attributes
    ----------
    path : Path
        The file replaced (``CollectedData_<scorer>.h5`` or ``.csv``).
    backup : Path
        Where its old contents are.
    read_from : Path or None
        The file the save's labels were read from (None: it could not be read either).
    differing : list of str
        The labels that differed (``"Tongue on img005.png"``); empty when ``path`` was unreadable.
    unreadable : str
        Why ``path`` could not be read (``""``: it was read).
    """

    path: Path
    backup: Path
    read_from: Path | None
    differing: list[str]
    unreadable: str = ""

    def message(self) -> str:
        """Say that a backup was kept, what the file held, and where its old contents are.

        Starts ``Backup kept:`` (what a collapsed napari notice shows).
        """
        if self.unreadable:
            held = f"{self.path.name} could not be read ({self.unreadable})"
        else:
            against = (
                f"from {self.read_from.name}, which was saved over"
                if self.read_from is not None
                else "from what was saved"
            )
            held = (
                f"{self.path.name} held {counted(len(self.differing), 'label')} different "
                f"{against} ({_shown(self.differing)})"
            )
        return f"Backup kept: {held}; its old contents are in {self.backup.name}"


def _shown(labels: list[str]) -> str:
    """Return the first :data:`SHOWN` labels, ``…`` for the rest."""
    return ", ".join(labels[:SHOWN]) + (", …" if len(labels) > SHOWN else "")


def twin_of(path: Path) -> Path:
    """Return the other file of a ``CollectedData_*`` pair (``.h5`` ↔ ``.csv``)."""
    return path.with_suffix(".csv" if path.suffix.lower() in H5_SUFFIXES else ".h5")


def _labels(table: DLCTable) -> dict[tuple[str, str, str], np.ndarray]:
    placed = np.isfinite(table.xy).all(axis=-1)
    return {
        (row_key(row), *column): table.xy[j, k]
        for j, row in enumerate(table.rows)
        for k, column in enumerate(table.columns)
        if placed[j, k]
    }


def differing_labels(a: DLCTable, b: DLCTable | None) -> list[str]:
    """Return the labels ``a`` and ``b`` disagree on: placed in one only, or elsewhere.

    ``b`` None: every label of ``a``. Coordinates within :data:`TOLERANCE` pixels agree
    (a ``.csv`` written by hand may round the ``.h5``'s float64). Each is named
    ``"<bodypart> on <image>"`` (``"<individual> <bodypart> on <image>"`` with individuals),
    in image order.
    """
    first = _labels(a)
    second = _labels(b) if b is not None else {}
    differ = sorted(
        label
        for label in first.keys() | second.keys()
        if label not in first
        or label not in second
        or not np.allclose(first[label], second[label], rtol=0, atol=TOLERANCE)
    )
    return [
        f"{f'{ind} ' if ind else ''}{bodypart} on {row.rsplit('/', 1)[-1]}"
        for row, ind, bodypart in differ
    ]


def twins_differ(read: DLCTable, twin: Path) -> list[str] | str:
    """Compare the table read with its twin file on disk.

    Returns
    -------
    list of str or str
        The labels that differ (:func:`differing_labels`; empty: the two agree), or why the
        twin could not be read.
    """
    table = _read_or_why(twin)
    return table if isinstance(table, str) else differing_labels(table, read)


def keep_twin(path: Path, read_from: Path | None, read: DLCTable | None) -> KeptTwin | None:
    """Copy ``path`` to a backup beside it when a save would lose what it holds.

    Parameters
    ----------
    path : Path
        A file of the pair about to be replaced (not the one read, unless that is unreadable
        now).
    read_from : Path or None
        The file the labels saved were read from.
    read : DLCTable or None
        That file as it is on disk now (None: gone or unreadable).

    Returns
    -------
    KeptTwin or None
        The backup made; None when ``path`` is not there, or reads as the labels ``read``.
    """
    if not path.is_file():
        return None
    found = twins_differ(read, path) if read is not None else _read_all(path)
    if isinstance(found, list) and not found:
        return None
    backup = _backup_name(path)
    shutil.copy2(path, backup)
    if isinstance(found, str):
        return KeptTwin(path, backup, read_from, [], found)
    return KeptTwin(path, backup, read_from, found)


def _read_all(path: Path) -> list[str] | str:
    """Every label of ``path`` (nothing read to compare with), or why it could not be read."""
    table = _read_or_why(path)
    return table if isinstance(table, str) else differing_labels(table, None)


def _read_or_why(path: Path) -> DLCTable | str:
    """Read a labels table; why it could not be read, if not."""
    try:
        return read_dlc(path)
    except (FormatError, ImportError, OSError, ValueError) as error:
        return str(getattr(error, "reason", None) or error)


def _backup_name(path: Path) -> Path:
    """``<name>.<YYYYmmdd-HHMMSS>.bak`` beside ``path`` (``-2``, ``-3``… when taken)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    n = 2
    while backup.exists():
        backup = path.with_name(f"{path.name}.{stamp}-{n}.bak")
        n += 1
    return backup


def readable_twin(path: Path) -> tuple[Path, DLCTable] | None:
    """Return the twin of the labels table ``path`` and its table, if the twin reads.

    For a labels ``.h5`` that will not read while its ``.csv`` beside it does (or the
    reverse): the twin is read instead, and :func:`twin_note` then says that ``path`` could
    not be read. None: ``path`` is no labels table, or its twin is missing or unreadable.
    """
    twin = twin_of(path)
    if not is_labels_table(path) or not twin.is_file():
        return None
    table = _read_or_why(twin)
    return None if isinstance(table, str) else (twin, table)


def twin_note(path: Path, table: DLCTable) -> LoadNote | None:
    """Say that the labels table ``path`` (read as ``table``) and its twin disagree (None: they agree).

    The note starts ``Labels .h5 and .csv disagree:`` (what a collapsed napari notice
    shows), then names the labels that differ, the file read, and what saving does.
    """
    twin = twin_of(path)
    if not is_labels_table(path) or not twin.is_file():
        return None
    found = twins_differ(table, twin)
    if isinstance(found, list) and not found:
        return None
    if isinstance(found, str):
        held = f"{twin.name} could not be read ({found}); {path.name} was read"
    else:
        held = (
            f"{twin.name} holds {counted(len(found), 'label')} different ({_shown(found)}) "
            f"from {path.name}, which was read"
        )
    return LoadNote(
        str(path),
        "twin",
        f"Labels .h5 and .csv disagree: {held}. Saving writes both from {path.name}, keeping "
        f"the old {twin.name} as a .bak copy beside it",
        count=0 if isinstance(found, str) else len(found),
        path=str(path),
    )
