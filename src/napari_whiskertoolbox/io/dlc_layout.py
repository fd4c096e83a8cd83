"""The pandas layout of a DeepLabCut table: its row index and its header levels.

DeepLabCut (``deeplabcut.utils.auxiliaryfunctions``, napari-deeplabcut's writer) indexes
labelled data by image path (one column, or the newer three ``labeled-data / <video> /
<image>`` columns) and predictions by frame number; its header is ``scorer, bodyparts,
coords``, with an ``individuals`` level after the scorer for multi-animal projects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["image_index", "layout_frame", "row_key"]


def row_key(row: str) -> str:
    """Return an image path as rows are compared (DeepLabCut on Windows writes backslashes)."""
    return row.replace("\\", "/")


def image_index(rows: list[str], index_levels: int) -> pd.Index:
    """Return the row index of image paths ``rows``: one level, or DeepLabCut's three."""
    import pandas as pd

    if index_levels == 3:
        return pd.MultiIndex.from_tuples([tuple(r.split("/", 2)) for r in rows])
    return pd.Index(rows)


def layout_frame(
    values: np.ndarray,
    index: pd.Index,
    scorer: str,
    columns: list[tuple[str, str]],
    coords: tuple[str, ...] | list[str],
    multi_animal: bool,
) -> pd.DataFrame:
    """Return ``values`` as a DeepLabCut table.

    Parameters
    ----------
    values : (rows, columns, coords) float64
        One value per row, ``(individual, bodypart)`` column and coordinate.
    index : pandas.Index
        The row index (:func:`image_index`, or frame numbers).
    scorer : str
        The header's scorer.
    columns : list of (str, str)
        ``(individual, bodypart)`` of each column (individual ignored for one animal).
    coords : sequence of str
        ``("x", "y")`` or ``("x", "y", "likelihood")``.
    multi_animal : bool
        Whether the header has the ``individuals`` level.
    """
    import pandas as pd

    names = (
        ["scorer", "individuals", "bodyparts", "coords"]
        if multi_animal
        else ["scorer", "bodyparts", "coords"]
    )
    tuples = [
        (scorer, ind, bp, coord) if multi_animal else (scorer, bp, coord)
        for ind, bp in columns
        for coord in coords
    ]
    header = pd.MultiIndex.from_tuples(tuples, names=names)
    return pd.DataFrame(values.reshape(len(index), -1), index=index, columns=header)
