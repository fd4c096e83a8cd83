"""DeepLabCut tables written with pandas, as DeepLabCut writes them, for io tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from pathlib import Path


def write_two_mice_predictions(path: Path, rows: list[list[float]]) -> Path:
    """Write a multi-animal predictions CSV: mouse1 and mouse2, nose and tail, x/y/likelihood.

    Each row holds 12 values in DeepLabCut's column order (individual, body part, coord).
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
    pd.DataFrame(rows, columns=columns).to_csv(path)
    return path


MACHINE_SCORER = "DLC_resnet50_ReachingAug30shuffle1_1030000"
"""The network that predicted the Reaching example's outlier frames (a scorer as DeepLabCut names it)."""


def write_machine_labels(
    folder: Path,
    images: list[str],
    rows: list[list[float]],
    bodyparts: list[str],
    iteration: int = 0,
) -> Path:
    """Write ``machinelabels-iter<iteration>.h5`` as DeepLabCut's ``extract_outlier_frames`` does.

    Index: DeepLabCut's three columns ``("labeled-data", <video>, <image>)``; columns
    ``(scorer, bodyparts, coords)`` with ``x, y, likelihood``; key ``df_with_missing``. Each
    row holds ``3 * len(bodyparts)`` values.
    """
    columns = pd.MultiIndex.from_product(
        [[MACHINE_SCORER], bodyparts, ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    index = pd.MultiIndex.from_tuples([("labeled-data", folder.name, image) for image in images])
    path = folder / f"machinelabels-iter{iteration}.h5"
    pd.DataFrame(rows, index=index, columns=columns).to_hdf(path, key="df_with_missing", mode="w")
    return path
