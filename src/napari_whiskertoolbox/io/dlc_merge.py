"""Merge labels into an existing ``CollectedData_<scorer>`` table, as DeepLabCut's refine step does.

DeepLabCut's refinement GUI saves refined outlier frames into a labelled-data folder that
already holds ``CollectedData_<scorer>.h5`` by merging (``refinement.py`` ``saveDataSet``,
napari-deeplabcut's ``write_hdf``): the likelihood columns dropped, the scorer of the
existing table kept, the existing rows and the refined ones concatenated, one row per image,
sorted by image path, and both the ``.h5`` (key ``df_with_missing``) and the ``.csv``
written. Here an existing image keeps its labels except the points the user changed (placed,
moved or deleted where the source had one); images the table lacks are added whole.
Body parts or individuals that differ between the two are refused: the tables describe
different projects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.dlc_layout import image_index, layout_frame, row_key
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from napari_whiskertoolbox.io.dlc import DLCTable

__all__ = ["changed_cells", "merge_labels"]


def changed_cells(
    xy: np.ndarray,
    rows: list[str],
    columns: list[tuple[str, str]],
    source: DLCTable | None,
    threshold: float | None,
) -> np.ndarray:
    """Return which written points differ from the pose set's source file: the user's changes.

    Parameters
    ----------
    xy : (rows, columns, 2) float64
        The points to be written, in the file's pixels (NaN: no point).
    rows, columns : list
        Image path of each row, ``(individual, bodypart)`` of each column.
    source : DLCTable or None
        The file the pose set was read from (None when it is gone: every point is a change).
    threshold : float or None
        The likelihood threshold it was read with: a prediction it hid (below it, or a NaN
        likelihood: :meth:`.DLCTable.hidden_by`, the reader's rule) was never shown, so its
        absence is no deletion.

    Returns
    -------
    (rows, columns) bool
        True where a point was placed, moved, or deleted (the source had one that was shown).
    """
    finite = np.isfinite(xy).all(axis=-1)
    if source is None:
        return finite
    row_of = {r: j for j, r in enumerate(source.rows)}
    column_of = {c: k for k, c in enumerate(source.columns)}
    r_index = np.asarray([row_of.get(r, -1) for r in rows], np.int64)
    c_index = np.asarray([column_of.get(c, -1) for c in columns], np.int64)
    r_in, c_in = r_index >= 0, c_index >= 0
    where = np.ix_(np.flatnonzero(r_in), np.flatnonzero(c_in))
    taken = np.ix_(r_index[r_in], c_index[c_in])
    old = np.full(xy.shape, np.nan)
    old[where] = source.xy[taken]
    hidden = np.zeros(finite.shape, dtype=bool)
    hidden[where] = source.hidden_by(threshold)[taken]
    old_finite = np.isfinite(old).all(axis=-1)
    same = np.where(old_finite, (old == xy).all(axis=-1), ~finite)
    return ~same & ~(hidden & ~finite)


def merge_labels(
    new: DLCTable, changed: np.ndarray, existing: DLCTable, path: Path, pose_name: str
) -> pd.DataFrame:
    """Return ``existing`` with ``new`` merged in, as DeepLabCut's refine step merges.

    Parameters
    ----------
    new : DLCTable
        The labels to save (image-indexed, ``x, y``).
    changed : (rows, columns) bool
        Points of ``new`` the user changed (:func:`changed_cells`); only those replace the
        points of an image ``existing`` holds.
    existing : DLCTable
        The ``CollectedData_*`` table already in the folder.
    path : Path
        Its file (for error messages).
    pose_name : str
        The pose set saved (for error messages).

    Returns
    -------
    pandas.DataFrame
        In ``existing``'s layout (scorer, header levels, index columns), float64, rows
        sorted by image path.

    Raises
    ------
    FormatError
        Body parts or individuals of the two differ (names the file and both lists).
    """
    _check_same_keypoints(new, existing, path, pose_name)
    order = [new.columns.index(c) for c in existing.columns]
    new_xy = new.xy[:, order]
    changed = changed[:, order]
    xy = existing.xy[..., :2].astype(np.float64, copy=True)
    row_of = {row_key(r): j for j, r in enumerate(existing.rows)}
    added: list[int] = []
    for i, row in enumerate(new.rows):
        j = row_of.get(row_key(row))
        if j is None:
            added.append(i)
        else:
            xy[j][changed[i]] = new_xy[i][changed[i]]
    rows = existing.rows + [_row_like(new.rows[i], existing) for i in added]
    xy = np.concatenate([xy, new_xy[added]]) if added else xy
    index = image_index(rows, existing.index_levels)
    frame = layout_frame(
        xy, index, existing.scorer, existing.columns, ("x", "y"), existing.multi_animal
    )
    return frame.sort_index()


def _check_same_keypoints(new: DLCTable, existing: DLCTable, path: Path, pose_name: str) -> None:
    def differ(what: str, ours: list[str], theirs: list[str]) -> FormatError:
        missing = [x for x in theirs if x not in ours]
        extra = [x for x in ours if x not in theirs]
        detail = "; ".join(
            part
            for part in (
                f"only in the file: {missing}" if missing else "",
                f"only in pose set {pose_name!r}: {extra}" if extra else "",
            )
            if part
        )
        return FormatError(
            f"cannot merge pose set {pose_name!r} into this labelled-data table: its {what} "
            f"differ ({detail}); the file has {theirs}, the pose set {ours}. Save under another "
            "CollectedData_<scorer> name, or make the body parts agree (config.yaml)",
            path=path,
        )

    if new.multi_animal != existing.multi_animal or set(new.individuals) != set(
        existing.individuals
    ):
        ours = new.individuals if new.multi_animal else ["(single animal)"]
        theirs = existing.individuals if existing.multi_animal else ["(single animal)"]
        raise differ("individuals", ours, theirs)
    if set(new.bodyparts) != set(existing.bodyparts):
        raise differ("body parts", new.bodyparts, existing.bodyparts)
    if set(new.columns) != set(existing.columns):
        ours = [f"{i} {b}" for i, b in new.columns]
        theirs = [f"{i} {b}" for i, b in existing.columns]
        raise differ("(individual, body part) columns", ours, theirs)


def _row_like(row: str, existing: DLCTable) -> str:
    """Return ``row`` written as ``existing`` writes its image paths (separator)."""
    row = row_key(row)
    if existing.index_levels == 1 and any("\\" in r and "/" not in r for r in existing.rows):
        return row.replace("/", "\\")
    return row
