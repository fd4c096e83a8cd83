"""Tensors as ``.npy`` files, with optional row labels from a text file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.io.atomic import atomic_save_npy
from napari_whiskertoolbox.io.csv_tools import (
    check_file,
    delimiter_char,
    float32_cell,
    number_style,
    parse_int,
    parse_number,
    read_lines,
    split_row,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.native import read_npy

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.tensor import RowType

__all__ = [
    "read_row_labels",
    "read_tensor_csv",
    "read_tensor_npy",
    "sidecar_rows",
    "write_tensor_npy",
]


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


def sidecar_rows(path: Path) -> tuple[str, np.ndarray | None]:
    """Row labels from WhiskerToolbox's ``<stem>_rows.npy`` sidecar, if there is one.

    int64 ``(N, 2)`` → interval rows; ``(N,)`` equal to ``0..N-1`` → ordinal rows; other
    ``(N,)`` → time rows; anything else or no sidecar → ordinal rows.
    """
    sidecar = path.with_name(f"{path.stem}_rows.npy")
    if not sidecar.is_file():
        return "ordinal", None
    rows = read_npy(sidecar, "an int64 .npy of row labels")
    if rows.dtype != np.int64:
        return "ordinal", None
    if rows.ndim == 2 and rows.shape[1] == 2:
        return "interval", rows
    if rows.ndim == 1:
        if np.array_equal(rows, np.arange(rows.size)):
            return "ordinal", None
        return "time", rows
    return "ordinal", None


def read_tensor_npy(
    path: str | os.PathLike[str],
    *,
    column_names: list[str] | None = None,
    row_labels: str | os.PathLike[str] | None = None,
    row_type: RowType | None = None,
) -> TensorData:
    """Load a numeric ``.npy`` array as :class:`TensorData` (pickles are refused).

    As WhiskerToolbox: the first axis is rows, the others are flattened into columns (a 1-D
    array is one column); row labels come from a ``<stem>_rows.npy`` sidecar (see
    :func:`sidecar_rows`). Unlike WhiskerToolbox, any real dtype is accepted (converted to
    float32) and Fortran-ordered files read right.

    Parameters
    ----------
    row_labels : path-like, optional
        Text file of row labels (see :func:`read_row_labels`), instead of the sidecar.
    row_type : str, optional
        Override the row type ("ordinal", "time", "interval").
    """
    p = check_file(path)
    values = read_npy(p, "a numeric .npy array")
    if not np.issubdtype(values.dtype, np.number) and values.dtype != bool:
        raise FormatError(f"expected a numeric array, found dtype {values.dtype}", path=p)
    if np.iscomplexobj(values):
        raise FormatError(f"expected a real array, found dtype {values.dtype}", path=p)
    if values.ndim == 0:
        raise FormatError("expected an array with at least one axis, found a scalar", path=p)
    values = values.reshape(values.shape[0], -1) if values.ndim != 2 else values
    if row_labels is not None:
        rows: np.ndarray | None = read_row_labels(row_labels)
        kind = "time" if rows is not None and rows.ndim == 1 else "interval"
    else:
        kind, rows = sidecar_rows(p)
    if rows is not None and rows.shape[0] != values.shape[0]:
        raise FormatError(
            f"expected {values.shape[0]} row labels (one per tensor row), found {rows.shape[0]}",
            path=row_labels if row_labels is not None else p,
        )
    if row_type == "ordinal":
        rows = None
    try:
        return TensorData(
            values.astype(np.float32),
            column_names=column_names,
            row_type=row_type or kind,  # type: ignore[arg-type]
            rows=rows,
        )
    except ValueError as exc:
        raise FormatError(str(exc), path=p) from exc


def read_tensor_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    has_header: bool = True,
    decimal: str | None = None,
) -> TensorData:
    """Read WhiskerToolbox's tensor CSV (``wt_loaders.md`` §10.2).

    Header: its first cell is skipped, the others name the columns. Each data row: a row
    label, then the values. The first label decides the row kind: ``start-end`` →
    interval rows, a label starting with an integer (``5``, ``5.0``) → time rows, anything
    else → ordinal rows. Time labels must be integers (``12`` or ``12.0``; WhiskerToolbox
    reads ``12abc`` as 12, here it is an error naming the line).
    """
    lines = list(read_lines(path))
    numbered = [(i + 1, t) for i, t in enumerate(lines) if t.strip()]
    if not numbered:
        raise FormatError("expected a tensor CSV, the file is empty", path=path)
    names = None
    if has_header:
        header = numbered.pop(0)[1]
        names = [c.strip() for c in split_row(header, (delimiter or ",")[:1])[1:]]
    if not numbered:
        raise FormatError("expected tensor rows after the header", path=path)
    style = number_style(
        [t for _, t in numbered],
        path,
        delimiter=delimiter_char(delimiter),
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=0,
        used_columns=10**9,
        first_line=numbered[0][0],
    )
    labels, table = [], []
    width = None
    for number, text in numbered:
        cells = style.split(text)
        width = len(cells) if width is None else width
        if len(cells) != width:
            raise FormatError(
                f"expected {width} cells like the first row, found {len(cells)}",
                path=path,
                line=number,
            )
        labels.append(cells[0].strip())
        table.append(
            [
                float32_cell(
                    parse_number(c, style, path, number, "a tensor value"),
                    c,
                    path,
                    number,
                    f"the value of column {k}",
                )
                for k, c in enumerate(cells[1:], start=1)
            ]
        )
    values = np.asarray(table, dtype=np.float32).reshape(len(table), -1)
    first = labels[0]
    rows: np.ndarray | None = None
    kind: RowType = "ordinal"
    if "-" in first[1:]:
        kind = "interval"
        rows = np.asarray(
            [_interval_label(lab, path, n) for lab, (n, _) in zip(labels, numbered)], dtype=np.int64
        )
    elif _LEADING_INT.match(first):
        kind = "time"
        rows = np.asarray(
            [
                parse_int(lab, path, n, "an integer row label")
                for lab, (n, _) in zip(labels, numbered)
            ],
            dtype=np.int64,
        )
    if names is not None and len(names) != values.shape[1]:
        names = None
    try:
        return TensorData(values, column_names=names, row_type=kind, rows=rows)
    except ValueError as exc:
        raise FormatError(str(exc), path=path) from exc


_LEADING_INT = re.compile(r"^[-+]?\d")
"""A label starting with an integer: time rows (WhiskerToolbox reads its integer prefix; each
label must then be an integer, ``12`` or ``12.0``, else the error names its line)."""


def _interval_label(label: str, path: str | os.PathLike[str], line: int) -> tuple[int, int]:
    start, sep, end = label[1:].partition("-")
    if not sep:
        raise FormatError(
            f"expected a 'start-end' row label, found {label!r}", path=path, line=line
        )
    return (
        parse_int(label[0] + start, path, line, "an interval start"),
        parse_int(end, path, line, "an interval end"),
    )


def write_tensor_npy(path: str | os.PathLike[str], tensor: TensorData) -> None:
    """Atomically write a tensor as WhiskerToolbox's ``.npy`` and ``<stem>_rows.npy`` sidecar.

    The values are written as a C-ordered float32 ``(rows, columns)`` array (the only
    dtype WhiskerToolbox loads, ``wt_loaders.md`` §10.1). Time rows go to the sidecar as
    int64 ``(N,)``, interval rows as int64 ``(N, 2)``, so :func:`read_tensor_npy` (and
    WhiskerToolbox) read the same row labels back. Ordinal rows need no sidecar; an existing
    one (from an earlier save of other rows) is replaced by ``0..N-1``, which reads as
    ordinal, rather than left to relabel the rows. Column names are not part of the format.
    """
    target = Path(path)
    atomic_save_npy(target, np.ascontiguousarray(tensor.values, dtype=np.float32))
    sidecar = target.with_name(f"{target.stem}_rows.npy")
    if tensor.rows is not None:
        atomic_save_npy(sidecar, np.ascontiguousarray(tensor.rows, dtype=np.int64))
    elif sidecar.exists():
        atomic_save_npy(sidecar, np.arange(tensor.values.shape[0], dtype=np.int64))
