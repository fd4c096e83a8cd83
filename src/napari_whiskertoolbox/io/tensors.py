"""Tensors as ``.npy`` files, with optional row labels from a text file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.io.atomic import atomic_save_npy
from napari_whiskertoolbox.io.csv_tools import check_file, parse_int, read_lines
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.tensor import RowType

__all__ = ["read_row_labels", "read_tensor_npy", "write_tensor_npy"]


def read_row_labels(path: str | os.PathLike[str]) -> np.ndarray:
    """Read row labels: one integer time per line, or ``start,end`` per line for intervals.

    Returns
    -------
    (N,) or (N, 2) int64
    """
    rows: list[list[int]] = []
    for number, text in enumerate(read_lines(path), start=1):
        if not text.strip():
            continue
        fields = text.replace(",", " ").split()
        if len(fields) not in (1, 2) or (rows and len(fields) != len(rows[0])):
            raise FormatError(
                "expected one time or a 'start,end' pair per line (same on every line)",
                path=path,
                line=number,
            )
        rows.append([parse_int(f, path, number, "an integer row label") for f in fields])
    arr = np.asarray(rows, dtype=np.int64)
    return arr[:, 0] if arr.ndim == 2 and arr.shape[1] == 1 else arr


def read_tensor_npy(
    path: str | os.PathLike[str],
    *,
    column_names: list[str] | None = None,
    row_labels: str | os.PathLike[str] | None = None,
    row_type: RowType | None = None,
) -> TensorData:
    """Load a numeric ``.npy`` array as :class:`TensorData` (pickles are refused).

    Parameters
    ----------
    row_labels : path-like, optional
        Text file of row labels (see :func:`read_row_labels`); implies ``row_type`` "time"
        (one value per line) or "interval" (two).
    row_type : str, optional
        Override the row type ("ordinal", "time", "interval").
    """
    p = check_file(path)
    try:
        values = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise FormatError(f"expected a numeric .npy array ({exc})", path=p) from exc
    if not np.issubdtype(values.dtype, np.number) and values.dtype != bool:
        raise FormatError(f"expected a numeric array, found dtype {values.dtype}", path=p)
    rows = None
    if row_labels is not None:
        rows = read_row_labels(row_labels)
        if rows.shape[0] != values.shape[0]:
            raise FormatError(
                f"expected {values.shape[0]} row labels (one per tensor row), found {rows.shape[0]}",
                path=row_labels,
            )
        row_type = row_type or ("time" if rows.ndim == 1 else "interval")
    try:
        return TensorData(
            values, column_names=column_names, row_type=row_type or "ordinal", rows=rows
        )
    except ValueError as exc:
        raise FormatError(str(exc), path=p) from exc


def write_tensor_npy(path: str | os.PathLike[str], tensor: TensorData) -> None:
    """Atomically write the tensor values (row labels are not part of a ``.npy``)."""
    atomic_save_npy(Path(path), np.asarray(tensor.values))
