"""napari's own CSV layouts: the points and shapes tables napari's builtin writer writes.

napari saves a points layer as ``index,axis-0,axis-1[,…][,property…]`` and a shapes layer
as ``index,shape-type,vertex-index,axis-0,axis-1[,…]``; ``axis-0`` is napari's first data
axis (``y`` of a 2D layer, the frame of a 3D one), not a frame number, and ``index`` is the
row or shape number. Such a file is napari's, not a WhiskerToolbox data file: it is read
by napari's own reader (``viewer.open(path, plugin="napari")``), exactly as napari wrote it.

:data:`NAPARI_CSV_COLUMNS` restates napari's rule (``napari_builtins``'s guess from the
column names, which is private): a header holding every column of a row is that layer type.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import os

__all__ = ["NAPARI_CSV_COLUMNS", "NAPARI_READER", "NapariCsvType", "napari_csv_layer_type"]

NapariCsvType = Literal["points", "shapes"]
"""A napari layer type napari's builtin CSV reader makes."""
NAPARI_READER = "napari"
"""The plugin name of napari's builtin reader (``viewer.open(..., plugin=NAPARI_READER)``)."""
NAPARI_CSV_COLUMNS: tuple[tuple[NapariCsvType, frozenset[str]], ...] = (
    ("shapes", frozenset({"index", "shape-type", "vertex-index", "axis-0", "axis-1"})),
    ("points", frozenset({"axis-0", "axis-1"})),
)
"""napari's layouts, most specific first: the columns a header holds for each layer type."""
_MAX_HEADER_BYTES = 64 * 1024


def napari_csv_layer_type(path: str | os.PathLike[str]) -> NapariCsvType | None:
    """Return the napari layer type of a CSV napari's builtin writer wrote, else ``None``.

    Parameters
    ----------
    path : path-like
        Any path; only a ``.csv`` file whose first line is a napari header is napari's.

    Returns
    -------
    {"points", "shapes"} or None
        What napari's reader makes of it; ``None`` for a file that is not napari's (a
        WhiskerToolbox, DeepLabCut or other CSV), a folder, or a file that cannot be read.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    try:
        with path.open("rb") as file:
            first = file.readline(_MAX_HEADER_BYTES)
    except OSError:
        return None
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    columns = {name.strip() for row in csv.reader([line]) for name in row}
    for layer_type, required in NAPARI_CSV_COLUMNS:
        if required <= columns:
            return layer_type
    return None
