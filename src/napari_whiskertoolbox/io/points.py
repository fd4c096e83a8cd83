"""Point CSV: one point per row, ``frame x y`` columns (WhiskerToolbox ``"csv"`` points)."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_arrow import points_csv_bytes, read_points_fast
from napari_whiskertoolbox.io.csv_tools import (
    NumberStyle,
    delimiter_char,
    float32_cell,
    format_floats,
    frame_cell,
    head_lines,
    number_style,
    parse_number,
    read_lines,
    read_text_bytes,
    short_row_reason,
    split_row,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    import os

__all__ = ["is_header_line", "read_points_csv", "write_points_csv"]


_FRAME = re.compile(r"^[0-9]+$")


def is_header_line(
    line: str, *, delimiter: str = " ", frame_column: int = 0, has_header: bool | None = None
) -> bool:
    """Return whether :func:`read_points_csv` reads a file's first line ``line`` as no point.

    With ``has_header`` it skips the line whatever it holds; otherwise a line whose frame
    cell (column ``frame_column`` split at ``delimiter`` as :func:`~.csv_tools.split_row`
    splits it: a space delimiter takes a run of spaces as one separator, a tab separates
    exactly one cell) is not all digits, such as a header ``frame,x,y``, holds no point.
    """
    if has_header:
        return True
    cells = split_row(line, delimiter)
    return len(cells) <= frame_column or not _FRAME.match(cells[frame_column])


def read_points_csv(
    path: str | os.PathLike[str],
    *,
    frame_column: int = 0,
    x_column: int = 1,
    y_column: int = 2,
    delimiter: str | None = None,
    has_header: bool | None = None,
    nan_handling: str = "Skip",
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read a point CSV into flat arrays, with WhiskerToolbox's row rules.

    A row is a point when its frame cell is all decimal digits (so headers, negative and
    ``12.0``-style frames are skipped) and it has the frame, x and y columns. x and y
    must be numbers (else the file is refused, naming the line); a row with a NaN x or y
    is skipped (``nan_handling="Skip"``, the default) or kept (``"Include"``); infinite
    coordinates are kept (WhiskerToolbox's ``Skip`` drops only NaN). Rows with the same
    frame are all kept (WhiskerToolbox keeps only the first; see the README).

    Parameters
    ----------
    path : path-like
        The CSV file.
    frame_column, x_column, y_column : int
        0-based columns (WhiskerToolbox defaults 0, 1, 2).
    delimiter : str, optional
        Column delimiter (first character; a space splits on runs of spaces, a tab
        separates exactly one cell: see :func:`~.csv_tools.split_row`).
        Default: space, or ``;`` when every line holds one.
    has_header : bool, optional
        Skip the first line whatever it holds.
    nan_handling : {"Skip", "Include"}
        Whether rows with a NaN x or y are skipped (reported) or kept as points napari
        layers do not draw.
    decimal : {".", ","}, optional
        Decimal mark; detected when omitted (see :func:`~.csv_tools.number_style`).
    skips : RowSkips, optional
        Receives the skipped rows and why.

    Returns
    -------
    times : (N,) int64
        Frame of each point, in file order.
    coords : (N, 2) float32
        ``(x, y)`` of each point.
    """
    data = read_text_bytes(path)
    head = head_lines(data)
    skips = skips if skips is not None else RowSkips()
    start = 0
    if has_header:
        start = next((i + 1 for i, text in enumerate(head) if text.strip()), 0)
    delim = delimiter_char(delimiter, " ")
    style = number_style(
        head[start:],
        path,
        delimiter=delim,
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=0,
        used_columns=max(frame_column, x_column, y_column) + 1,
        first_line=start + 1,
    )
    columns = (frame_column, x_column, y_column)
    fast = _read_fast(data, head, start, style, columns)
    if fast is not None:
        return fast
    lines = read_lines(path, data)
    needed = max(columns) + 1
    times: list[int] = []
    xy: list[tuple[float, float]] = []
    first_row = True
    short: str | None = None
    for number, text in enumerate(lines[start:], start=start + 1):
        if not text.strip():
            continue
        cells = style.split(text)
        header_line = first_row
        first_row = False
        if len(cells) < needed:
            if short is None:  # a hint when the rows split at another delimiter
                short = short_row_reason(lines[start:], style.delimiter, needed, "column_delim")
                if text.lstrip().lower().startswith("scorer"):
                    short = (
                        f'fewer than {needed} columns (a DeepLabCut table: use "format": "dlc_csv")'
                    )
            skips.add(short, number)
            continue
        frame = cells[frame_column].strip()
        if not _FRAME.match(frame):
            if not header_line:
                skips.add(
                    "frame cell is not all digits (header, negative or decimal frame)", number
                )
            continue
        x = parse_number(cells[x_column], style, path, number, "an x coordinate")
        y = parse_number(cells[y_column], style, path, number, "a y coordinate")
        float32_cell(x, cells[x_column], path, number, "the x coordinate")
        float32_cell(y, cells[y_column], path, number, "the y coordinate")
        if nan_handling != "Include" and (math.isnan(x) or math.isnan(y)):
            skips.add("x or y is NaN (nan_handling 'Skip')", number)
            continue
        frame_cell(float(frame), frame, path, number, "the frame")
        times.append(int(frame))
        xy.append((x, y))
    return np.asarray(times, dtype=np.int64), np.asarray(xy, dtype=np.float32).reshape(-1, 2)


def _read_fast(
    data: bytes,
    head: list[str],
    start: int,
    style: NumberStyle,
    columns: tuple[int, int, int],
) -> tuple[np.ndarray, np.ndarray] | None:
    """Read with pyarrow when the file needs nothing the line-by-line reader reports."""
    if style.paired or len(head) <= start or not head[start].strip():
        return None
    if style.decimal == "," and b"." in data:
        return None  # the line-by-line reader names the cell written with a point
    skip_rows = start
    cells = style.split(head[start])
    if len(cells) <= max(columns):
        return None  # the line-by-line reader reports the short row
    if not _FRAME.match(cells[columns[0]].strip()):
        skip_rows += 1  # a header row, skipped without a report
    return read_points_fast(
        data,
        skip_rows=skip_rows,
        delimiter=style.delimiter,
        columns=columns,
        comma_decimal=style.decimal != ".",
    )


def duplicate_frame_count(times: np.ndarray) -> int:
    """Return how many rows repeat a frame already seen (WhiskerToolbox drops them)."""
    return int(times.size - np.unique(times).size)


def write_points_csv(
    path: str | os.PathLike[str],
    times: np.ndarray,
    coords: np.ndarray,
    *,
    delimiter: str = " ",
    header: str | None = "Frame X Y",
    columns: tuple[int, int, int] = (0, 1, 2),
    own_header: str | None = None,
    nan_handling: str = "Skip",
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
    columns : (int, int, int)
        ``(frame_column, x_column, y_column)``: a permutation of 0, 1, 2 (the loader's
        options of those names).
    own_header : str, optional
        The first line of the file rewritten (``frame,x,y``, in its column order): written
        as it is, instead of ``header``.
    nan_handling : {"Skip", "Include"}
        The loader option the file is read back with: with ``"Include"`` a NaN coordinate
        is written as ``nan`` (infinities as ``inf``/``-inf`` either way).

    Raises
    ------
    FormatError
        A point at a negative frame, or with a NaN coordinate under ``nan_handling``
        ``"Skip"``: WhiskerToolbox's point CSV loader (and :func:`read_points_csv`) would
        silently skip its row (``wt_loaders.md`` §4.1), so the file is not written.
    """
    times = np.asarray(times, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float32).reshape(-1, 2)
    if sorted(columns) != [0, 1, 2]:
        raise FormatError(
            f"cannot write the frame, x and y columns {tuple(columns)}: expected a "
            "permutation of 0, 1, 2",
            path=path,
        )
    negative = np.flatnonzero(times < 0)
    if negative.size:
        raise FormatError(
            f"cannot write {negative.size} point(s) at negative frames (first: frame "
            f"{int(times[negative[0]])}): a point CSV row is read only when its frame is all "
            "digits, so they would be lost on reload",
            path=path,
        )
    bad = np.flatnonzero(np.isnan(coords).any(axis=1) & (nan_handling != "Include"))
    if bad.size:
        raise FormatError(
            f"cannot write {bad.size} point(s) with a NaN coordinate (first at frame "
            f"{int(times[bad[0]])}): nan_handling 'Skip' skips such rows on reload; set "
            "nan_handling 'Include' on the item to keep them",
            path=path,
        )
    if own_header is not None:
        header = None
    if tuple(columns) != (0, 1, 2):
        cells = [
            [str(t) for t in times.tolist()],
            format_floats(coords[:, 0]),
            format_floats(coords[:, 1]),
        ]
        order = np.argsort(columns)  # file column c holds cells[order[c]]
        words = (header or "").split()
        with atomic_open(path, "w") as handle:
            if own_header is not None:
                handle.write(own_header + "\n")
            if header is not None:
                if len(words) == 3:
                    words = [words[int(i)] for i in order]
                handle.write(delimiter.join(words) + "\n")
            handle.write(
                "".join(delimiter.join(row) + "\n" for row in zip(*(cells[int(i)] for i in order)))
            )
        return
    with atomic_open(path, "wb") as handle:
        if own_header is not None:
            handle.write((own_header + "\n").encode())
        if header is not None:
            handle.write((delimiter.join(header.split()) + "\n").encode())
        for block in points_csv_bytes(times, coords, delimiter=delimiter):
            handle.write(block)
