"""Point CSV: one point per row, ``frame x y`` columns (WhiskerToolbox ``"csv"`` points)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    column,
    fast_numeric_table,
    format_float32,
    integral,
    looks_numeric,
    parse_float,
    parse_int,
    read_lines,
    split_row,
)
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

__all__ = ["read_points_csv", "write_points_csv"]


def read_points_csv(
    path: str | os.PathLike[str],
    *,
    frame_column: int = 0,
    x_column: int = 1,
    y_column: int = 2,
    delimiter: str = " ",
    has_header: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read a point CSV into flat arrays.

    Parameters
    ----------
    path : path-like
        The CSV file.
    frame_column, x_column, y_column : int
        0-based columns (WhiskerToolbox defaults 0, 1, 2).
    delimiter : str
        Column delimiter; the default ``" "`` splits on runs of blanks.
    has_header : bool, optional
        Skip the first row. ``None`` (default) skips it when its frame field is not a number.

    Returns
    -------
    times : (N,) int64
        Frame of each point, in file order.
    coords : (N, 2) float32
        ``(x, y)`` of each point.
    """
    lines = read_lines(path)
    fast = _fast_points(lines, frame_column, x_column, y_column, delimiter, has_header)
    if fast is not None:
        return fast
    times: list[int] = []
    xy: list[tuple[float, float]] = []
    first = True
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        fields = split_row(text, delimiter)
        if first:
            first = False
            skip = has_header
            if skip is None:
                skip = not looks_numeric(column(fields, frame_column, path, number))
            if skip:
                continue
        frame = parse_int(
            column(fields, frame_column, path, number), path, number, "a frame number"
        )
        x = parse_float(column(fields, x_column, path, number), path, number, "an x coordinate")
        y = parse_float(column(fields, y_column, path, number), path, number, "a y coordinate")
        times.append(frame)
        xy.append((x, y))
    if not times and first:
        raise FormatError("expected point rows 'frame x y', the file is empty", path=path)
    return np.asarray(times, dtype=np.int64), np.asarray(xy, dtype=np.float32).reshape(-1, 2)


def _fast_points(
    lines: list[str],
    frame_column: int,
    x_column: int,
    y_column: int,
    delimiter: str,
    has_header: bool | None,
) -> tuple[np.ndarray, np.ndarray] | None:
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    if first is None:
        return None
    fields = split_row(lines[first], delimiter)
    if frame_column >= len(fields):
        return None
    skip = has_header if has_header is not None else not looks_numeric(fields[frame_column])
    table = fast_numeric_table(
        lines[first + 1 :] if skip else lines[first:], delimiter, (frame_column, x_column, y_column)
    )
    if table is None:
        return None
    times = integral(table[:, 0])
    if times is None:
        return None
    return times, table[:, 1:3].astype(np.float32)


def write_points_csv(
    path: str | os.PathLike[str],
    times: np.ndarray,
    coords: np.ndarray,
    *,
    delimiter: str = " ",
    header: str | None = "Frame X Y",
) -> None:
    """Atomically write points as ``frame x y`` rows (readable by :func:`read_points_csv`).

    Parameters
    ----------
    path : path-like
        Destination file.
    times : (N,) int
        Frame of each point.
    coords : (N, 2) float
        ``(x, y)`` of each point.
    delimiter : str
        Column delimiter.
    header : str or None
        Header row; ``None`` writes none. Its words are joined with ``delimiter``.
    """
    times = np.asarray(times, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float32).reshape(-1, 2)
    with atomic_open(path, "w") as handle:
        if header is not None:
            handle.write(delimiter.join(header.split()) + "\n")
        for t, (x, y) in zip(times.tolist(), coords.tolist()):
            handle.write(f"{t}{delimiter}{_fmt(x)}{delimiter}{_fmt(y)}\n")


def _fmt(value: float) -> str:
    """Return the shortest text that round-trips a float32 value."""
    return format_float32(value)
