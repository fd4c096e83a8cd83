"""Digital interval text formats.

* ``start,end`` rows (inclusive at both ends);
* the "binary_state" layout (e.g. ``DigitalIntervals/jun_test.dat``): some header lines,
  a column-name row, then one sample per row with a time column and 0/1 state columns.
  Runs of rows whose value is ``>= binary_threshold`` become intervals of row indices.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    NumberStyle,
    delimiter_char,
    frame_cell,
    looks_numeric,
    number_style,
    parse_number,
    read_lines,
    short_row_reason,
    split_row,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    import os

__all__ = [
    "intervals_from_states",
    "read_binary_state",
    "read_intervals_csv",
    "write_intervals_csv",
]


def read_intervals_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    skip_header: bool = True,
    flip_column_order: bool = False,
    start_column: int | None = None,
    end_column: int | None = None,
    decimal: str | None = None,
    skips: RowSkips | None = None,
    drop_exact_duplicates: bool = False,
) -> np.ndarray:
    """Read ``start,end`` rows with WhiskerToolbox's rules (``wt_loaders.md`` §9.1).

    The first line is skipped by default (``skip_header``, even when it is data). Cells are
    numbers truncated toward zero (exactly: no 32-bit rounding). Blank rows, rows with
    fewer than two cells and rows that are not numbers are skipped (reported). An empty
    file gives no interval. Intervals are returned as the file gives them, in file order;
    the caller keeps overlaps (WhiskerToolbox does not merge on load).

    Parameters
    ----------
    flip_column_order : bool
        The file holds the end first.
    start_column, end_column : int, optional
        Columns of start and end (default 0 and 1, swapped by ``flip_column_order``).
    drop_exact_duplicates : bool
        Skip (and report, with its line) a row repeating an earlier interval, as
        WhiskerToolbox's loader drops them.

    Returns
    -------
    (N, 2) int64

    Raises
    ------
    FormatError
        A NaN bound, or an end before its start (naming the line).
    """
    skips = skips if skips is not None else RowSkips()
    lines = read_lines(path)
    first = 1 if skip_header and lines else 0
    starts_at = (1 if flip_column_order else 0) if start_column is None else start_column
    ends_at = (0 if flip_column_order else 1) if end_column is None else end_column
    needed = max(starts_at, ends_at, 1) + 1
    style = number_style(
        lines[first:],
        path,
        delimiter=delimiter_char(delimiter),
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=2,
        used_columns=needed,
        first_line=first + 1,
    )
    if first and _holds_numbers(style.split(lines[0])):
        skips.add("the first line holds numbers but skip_header skips it as a header", 1)
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    short: str | None = None
    for number, text in enumerate(lines[first:], start=first + 1):
        if not text.strip():
            continue
        cells = style.split(text)
        if len(cells) < needed:
            if short is None:  # a hint when the rows split at another delimiter
                short = short_row_reason(lines[first:], style.delimiter, needed, "delimiter")
            skips.add(short, number)
            continue
        try:
            a = parse_number(cells[starts_at], style, path, number, "an interval start")
            b = parse_number(cells[ends_at], style, path, number, "an interval end")
        except FormatError:
            skips.add("start or end is not a number", number)
            continue
        if not (math.isfinite(a) and math.isfinite(b)):
            raise FormatError(
                f"expected finite start and end, found {a} and {b}", path=path, line=number
            )
        frame_cell(a, cells[starts_at], path, number, "the interval start")
        frame_cell(b, cells[ends_at], path, number, "the interval end")
        start, end = math.trunc(a), math.trunc(b)
        if end < start:
            raise FormatError(
                f"expected start <= end, found {start} > {end}", path=path, line=number
            )
        if drop_exact_duplicates:
            if (start, end) in seen:
                skips.add("exact duplicate of an earlier interval", number)
                continue
            seen.add((start, end))
        pairs.append((start, end))
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _holds_numbers(cells: list[str]) -> bool:
    """Whether a row's cells are all numbers (decimal commas too): data, not a header."""
    cells = [c for c in cells if c]
    return bool(cells) and all(looks_numeric(c.replace(",", ".")) for c in cells)


def write_intervals_csv(
    path: str | os.PathLike[str],
    pairs: np.ndarray,
    *,
    delimiter: str = ",",
    header: str | None = "",
    line_end: str = "\n",
) -> None:
    """Atomically write ``(N, 2)`` intervals as ``start,end`` rows after WhiskerToolbox's header.

    The loader skips the first line by default (``skip_header``), so the header matters:
    ``""`` (default) writes ``Start<delimiter>End``, ``None`` none. Each row ends with
    ``line_end``.
    """
    if header == "":
        header = f"Start{delimiter}End"
    rows = np.asarray(pairs, dtype=np.int64).reshape(-1, 2).tolist()
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + line_end)
        handle.write("".join(f"{a}{delimiter}{b}{line_end}" for a, b in rows))


def intervals_from_states(states: np.ndarray) -> np.ndarray:
    """Turn a boolean sample vector into ``(N, 2)`` inclusive index intervals of its True runs."""
    s = np.asarray(states, dtype=bool).astype(np.int8)
    edges = np.diff(np.concatenate([[0], s, [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return np.stack([starts, ends], axis=1).astype(np.int64)


def _binary_state_table(
    path: str | os.PathLike[str],
    header_lines_to_skip: int,
    delimiter: str | None,
    decimal: str | None,
    skips: RowSkips,
) -> tuple[list[str], int, NumberStyle, list[tuple[int, list[str]]]]:
    """Column names, their line number, the number style and the data rows ``(line, cells)``.

    Blank data rows are skipped (reported); cells keep their position, with the default tab
    delimiter too (WhiskerToolbox drops empty cells with a one-character delimiter, shifting
    later columns left; see README). A space delimiter splits on runs of spaces
    (:func:`~.csv_tools.split_row`).
    """
    lines = read_lines(path)
    if len(lines) <= header_lines_to_skip:
        raise FormatError(
            f"expected {header_lines_to_skip} header lines and a column-name row, "
            f"the file has {len(lines)} lines",
            path=path,
        )
    name_line = header_lines_to_skip + 1
    style = number_style(
        lines[name_line:],
        path,
        delimiter="\t" if delimiter is None else delimiter,
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=0,
        used_columns=10**9,  # wide 0/1 tables: every column may be read (all_columns)
        first_line=name_line + 1,
    )
    exact_tabs = style.delimiter == "\t" and not style.paired
    header = lines[header_lines_to_skip]
    cells = header.rstrip().split("\t") if exact_tabs else split_row(header, style.delimiter)
    names = [n.strip() for n in cells]
    rows = []
    for number, text in enumerate(lines[name_line:], start=name_line + 1):
        if not text.strip():
            skips.add("blank row", number)
        elif exact_tabs:
            # tabs ending the row (exports often end every row with one) hold no cell
            rows.append((number, [cell.strip() for cell in text.rstrip().split("\t")]))
        else:
            rows.append((number, style.split(text)))
    return names, name_line, style, rows


def _column_values(
    rows: list[tuple[int, list[str]]],
    column: int,
    style: NumberStyle,
    path: str | os.PathLike[str],
    skips: RowSkips,
) -> np.ndarray:
    """Return the numbers of ``column`` over the rows where it is a number (others skipped)."""
    values = []
    for number, cells in rows:
        if column >= len(cells):
            skips.add(f"fewer than {column + 1} columns", number)
            continue
        try:
            values.append(parse_number(cells[column], style, path, number, "a number"))
        except FormatError:
            skips.add(f"column {column} is not a number", number)
    return np.asarray(values, dtype=np.float64)


def read_binary_state(
    path: str | os.PathLike[str],
    *,
    header_lines_to_skip: int = 5,
    data_column: int = 1,
    delimiter: str | None = None,
    binary_threshold: float = 0.5,
    all_columns: bool = False,
    time_column: int = 0,
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> dict[str, np.ndarray]:
    """Read the binary-state layout into intervals of row indices (``wt_loaders.md`` §9.2).

    The index of a row is its position among the rows whose state cell is a number
    (skipped rows do not advance it). An interval runs from the first "on" row
    (value >= ``binary_threshold``) to the last one, inclusive; a run still on at the
    last row ends there.

    Parameters
    ----------
    header_lines_to_skip : int
        Lines before the column-name row.
    data_column : int
        0-based state column (ignored with ``all_columns``).
    delimiter : str, optional
        Column delimiter (default tab; ``;`` when every line holds one).
    all_columns : bool
        One interval set per column except ``time_column``; a column that fails is left
        out (reported), at least one must load.

    Returns
    -------
    dict
        ``{column name: (N, 2) int64 intervals}``.
    """
    skips = skips if skips is not None else RowSkips()
    names, name_line, style, data = _binary_state_table(
        path, header_lines_to_skip, delimiter, decimal, skips
    )
    if not all_columns:
        values = _column_values(data, data_column, style, path, skips)
        label = names[data_column] if data_column < len(names) else f"column{data_column}"
        return {label: intervals_from_states(values >= binary_threshold)}
    width = max((len(cells) for _, cells in data), default=0)
    out = {}
    for c in range(min(width, len(names)) if names else width):
        if c == time_column:
            continue
        values = _column_values(data, c, style, path, skips)
        if values.size == 0:
            continue
        label = names[c] if c < len(names) and names[c] else f"column{c}"
        out[label] = intervals_from_states(values >= binary_threshold)
    if not out:
        raise FormatError(
            "expected at least one numeric state column after the column-name row",
            path=path,
            line=name_line,
        )
    return out


def read_binary_state_times(
    path: str | os.PathLike[str],
    *,
    header_lines_to_skip: int = 5,
    time_column: int = 0,
    delimiter: str | None = None,
    sampling_rate: float = 1.0,
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> np.ndarray:
    """Clock ticks from the time column of the binary-state layout: ``t * sampling_rate``.

    Rounded to the nearest tick (half up). WhiskerToolbox truncates, which turns the
    6-decimal times of a 14 kHz export into repeated ticks (0.000071 s x 14000 = 0.994 → 0,
    the same as row 0); see the README. Rows whose time is not a number are skipped.
    """
    skips = skips if skips is not None else RowSkips()
    _, _, style, data = _binary_state_table(path, header_lines_to_skip, delimiter, decimal, skips)
    values = _column_values(data, time_column, style, path, skips)
    if values.size and not np.all(np.isfinite(values)):
        raise FormatError("expected finite times in the time column", path=path)
    return np.floor(values * sampling_rate + 0.5).astype(np.int64)
