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


PCUTOFF = 0.4
"""The ``pcutoff`` of :func:`write_project_predictions`' project."""
PREDICTIONS = {
    "Hand": [(10.25, 20.5, 0.9), (11.25, 21.5, 0.2), (12.25, 22.5, 0.5), (13.25, 23.5, 0.1)],
    "Tongue": [(30.5, 40.25, 0.39), (31.5, 41.25, 0.4), (32.5, 42.25, 0.1), (33.5, 43.25, 0.95)],
}
"""``{body part: [(x, y, likelihood) of frames 0..3]}`` of :func:`write_project_predictions`."""


def write_project_predictions(
    folder: Path, predictions: dict[str, list[tuple[float, float, float]]] | None = None
) -> Path:
    """Write a DeepLabCut project (``config.yaml``, ``pcutoff`` 0.4) and a predictions ``.h5``.

    The table is ``videos/vidDLC_resnet50_ReachAug30shuffle1_1000.h5`` as ``analyze_videos``
    writes it (key ``df_with_missing``, float64): ``predictions`` (``{body part: [(x, y,
    likelihood) of each frame]}``; default :data:`PREDICTIONS`, half of them below the
    project's ``pcutoff``). Returns the ``.h5``.
    """
    predictions = PREDICTIONS if predictions is None else predictions
    n_frames = len(next(iter(predictions.values())))
    import numpy as np
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "Task": "Reach", "scorer": "me", "date": "Aug30", "bodyparts": list(predictions),
        "skeleton": [["Hand", "Tongue"]], "pcutoff": PCUTOFF, "dotsize": 8,
    }  # fmt: skip
    (folder / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    scorer = "DLC_resnet50_ReachAug30shuffle1_1000"
    columns = pd.MultiIndex.from_product(
        [[scorer], list(predictions), ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    values = np.array(
        [[v for bp in predictions for v in predictions[bp][f]] for f in range(n_frames)]
    )
    (folder / "videos").mkdir(exist_ok=True)
    path = folder / "videos" / f"vid{scorer}.h5"
    pd.DataFrame(values, columns=columns).to_hdf(path, key="df_with_missing", mode="w")
    return path
