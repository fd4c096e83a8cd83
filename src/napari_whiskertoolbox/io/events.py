"""Digital event CSV: one event time per row, optional identifier column splitting series."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    column,
    looks_numeric,
    parse_float,
    read_lines,
    split_row,
)
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

__all__ = ["read_events_csv", "write_events_csv"]


def read_events_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    has_header: bool | None = None,
    event_column: int = 0,
    identifier_column: int = -1,
    scale: float = 1.0,
    scale_divide: bool = False,
) -> dict[str | None, np.ndarray]:
    """Read event times, scaled and rounded to integer times (WhiskerToolbox semantics).

    Parameters
    ----------
    scale : float
        Times are multiplied by ``scale`` (divided when ``scale_divide``) before rounding.
    identifier_column : int
        Column whose values split the events into several series (``-1``: none).
    has_header : bool, optional
        ``None`` skips a first row whose event field is not a number.

    Returns
    -------
    dict
        ``{identifier: sorted unique int64 times}``; the key is ``None`` without an
        identifier column. Identifiers keep first-appearance order.
    """
    if scale == 0:
        raise FormatError("expected a non-zero scale", path=path)
    factor = 1.0 / scale if scale_divide else float(scale)
    out: dict[str | None, list[float]] = {}
    first = True
    for number, text in enumerate(read_lines(path), start=1):
        if not text.strip():
            continue
        fields = split_row(text, delimiter)
        token = column(fields, event_column, path, number)
        if first:
            first = False
            if has_header or (has_header is None and not looks_numeric(token)):
                continue
        value = parse_float(token, path, number, "an event time")
        label = None
        if identifier_column >= 0:
            label = column(fields, identifier_column, path, number)
        out.setdefault(label, []).append(value)
    if first:
        raise FormatError("expected event times, the file is empty", path=path)
    return {
        label: np.unique(np.rint(np.asarray(vals, dtype=np.float64) * factor).astype(np.int64))
        for label, vals in out.items()
    }


def write_events_csv(
    path: str | os.PathLike[str], times: np.ndarray, *, header: str | None = None
) -> None:
    """Atomically write event times, one integer per row."""
    values = np.asarray(times, dtype=np.int64).tolist()
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        handle.write("".join(f"{t}\n" for t in values))
