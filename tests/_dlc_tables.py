"""DeepLabCut tables written with pandas, as DeepLabCut writes them, for io tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from pathlib import Path


def write_two_mice_predictions(path: Path, rows: list[list[float]]) -> Path:
    """Write a multi-animal predictions CSV: mouse1 and mouse2, nose and tail, x/y/likelihood.

    Each row holds 12 values in DeepLabCut's column order (individual, body part, coord).
    A ``.h5`` path gets the table as DeepLabCut writes it there (key ``df_with_missing``).
    """
    tuples = [
        ("DLC_dlcrnet", ind, bp, c)
        for ind in ("mouse1", "mouse2")
        for bp in ("nose", "tail")
        for c in ("x", "y", "likelihood")
    ]
    columns = pd.MultiIndex.from_tuples(
        tuples, names=["scorer", "individuals", "bodyparts", "coords"]
    )
    table = pd.DataFrame(rows, columns=columns)
    if path.suffix == ".h5":
        table.to_hdf(path, key="df_with_missing", mode="w")
    else:
        table.to_csv(path)
    return path
