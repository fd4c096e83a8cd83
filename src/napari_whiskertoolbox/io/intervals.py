"""Digital interval text formats.

* ``start,end`` rows (inclusive at both ends);
* the "binary_state" layout (e.g. ``DigitalIntervals/jun_test.dat``): some header lines,
  a column-name row, then one sample per row with a time column and 0/1 state columns.
  Runs of rows whose value is ``>= binary_threshold`` become intervals of row indices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import looks_numeric, parse_int, read_lines, split_row
from napari_whiskertoolbox.io.errors import FormatError

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
    delimiter: str = ",",
    has_header: bool | None = None,
    start_column: int = 0,
    end_column: int = 1,
) -> np.ndarray:
    """Read ``start,end`` rows into an ``(N, 2)`` int64 array (file order).

    A row without ``delimiter`` is split on blanks, so space-separated files load too.
    """
    pairs: list[tuple[int, int]] = []
    first = True
    needed = max(start_column, end_column) + 1
    for number, text in enumerate(read_lines(path), start=1):
        if not text.strip():
            continue
        fields = split_row(text, delimiter if delimiter in text else " ")
        if first:
            first = False
            if has_header or (has_header is None and not looks_numeric(fields[0])):
                continue
        if len(fields) < needed:
            raise FormatError(
                f"expected {needed} columns (start{delimiter}end), found {len(fields)}",
                path=path,
                line=number,
            )
        start = parse_int(fields[start_column], path, number, "an integer interval start")
        end = parse_int(fields[end_column], path, number, "an integer interval end")
        if end < start:
            raise FormatError(
                f"expected start <= end, found {start} > {end}", path=path, line=number
            )
        pairs.append((start, end))
    if first:
        raise FormatError("expected 'start,end' rows, the file is empty", path=path)
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def write_intervals_csv(
    path: str | os.PathLike[str],
    pairs: np.ndarray,
    *,
    delimiter: str = ",",
    header: str | None = None,
) -> None:
    """Atomically write ``(N, 2)`` intervals as ``start,end`` rows."""
    rows = np.asarray(pairs, dtype=np.int64).reshape(-1, 2).tolist()
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        handle.write("".join(f"{a}{delimiter}{b}\n" for a, b in rows))


def intervals_from_states(states: np.ndarray) -> np.ndarray:
    """Turn a boolean sample vector into ``(N, 2)`` inclusive index intervals of its True runs."""
    s = np.asarray(states, dtype=bool).astype(np.int8)
    edges = np.diff(np.concatenate([[0], s, [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return np.stack([starts, ends], axis=1).astype(np.int64)


def _binary_state_table(
    path: str | os.PathLike[str], header_lines_to_skip: int, delimiter: str
) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """Column names, their 1-based line number, and the non-blank data rows ``(line, fields)``."""
    lines = read_lines(path)
    if len(lines) <= header_lines_to_skip:
        raise FormatError(
            f"expected {header_lines_to_skip} header lines and a column-name row, "
            f"the file has {len(lines)} lines",
            path=path,
        )
    names = split_row(lines[header_lines_to_skip], delimiter)
    name_line = header_lines_to_skip + 1
    rows = [
        (number, split_row(text, delimiter))
        for number, text in enumerate(lines[name_line:], start=name_line + 1)
        if text.strip()
    ]
    return names, name_line, rows


def read_binary_state(
    path: str | os.PathLike[str],
    *,
    header_lines_to_skip: int = 0,
    data_column: int = 1,
    delimiter: str = "\t",
    binary_threshold: float = 0.5,
    all_columns: bool = False,
    time_column: int = 0,
) -> dict[str, np.ndarray]:
    """Read the multi-column binary-state layout into intervals of data-row indices.

    Parameters
    ----------
    header_lines_to_skip : int
        Lines before the column-name row.
    data_column : int
        0-based state column (ignored with ``all_columns``).
    all_columns : bool
        Return one interval set per column except ``time_column``.

    Returns
    -------
    dict
        ``{column name: (N, 2) int64 intervals}``.
    """
    if not all_columns and data_column < 0:
        raise FormatError(f"expected data_column >= 0, got {data_column}", path=path)
    names, name_line, data = _binary_state_table(path, header_lines_to_skip, delimiter)
    if not data:
        raise FormatError("expected data rows after the column-name row", path=path, line=name_line)
    if all_columns:
        # Header rows may name more columns than the data holds (jun_test.dat does):
        # the first data row decides how many columns exist.
        width = min(len(data[0][1]), len(names))
        wanted = [c for c in range(width) if c != time_column]
    else:
        wanted = [data_column]
    needed = max(wanted) + 1 if wanted else 1
    for number, fields in data:
        if len(fields) < needed:
            raise FormatError(
                f"expected at least {needed} columns, found {len(fields)}", path=path, line=number
            )
    columns = {}
    for c in wanted:
        try:
            columns[c] = np.asarray([float(f[c]) for _, f in data], dtype=np.float64)
        except ValueError:
            number, fields = next((n, f) for n, f in data if not looks_numeric(f[c]))
            raise FormatError(
                f"expected a numeric state in column {c}, found {fields[c]!r}",
                path=path,
                line=number,
            ) from None
    label = {c: names[c] if c < len(names) else f"column{c}" for c in wanted}
    return {label[c]: intervals_from_states(v >= binary_threshold) for c, v in columns.items()}


def read_binary_state_times(
    path: str | os.PathLike[str],
    *,
    header_lines_to_skip: int = 5,
    time_column: int = 0,
    delimiter: str = "\t",
    sampling_rate: float = 1.0,
) -> np.ndarray:
    """Clock ticks from the time column of the binary-state layout: ``round(t * sampling_rate)``.

    (WhiskerToolbox truncates; rounding keeps ``0.000071 s * 14000 Hz`` at tick 1, not 0.)
    """
    values = []
    for number, fields in _binary_state_table(path, header_lines_to_skip, delimiter)[2]:
        if time_column >= len(fields):
            raise FormatError(
                f"expected at least {time_column + 1} columns, found {len(fields)}",
                path=path,
                line=number,
            )
        try:
            values.append(float(fields[time_column]))
        except ValueError:
            raise FormatError(
                f"expected a numeric time, found {fields[time_column]!r}", path=path, line=number
            ) from None
    return np.rint(np.asarray(values, dtype=np.float64) * sampling_rate).astype(np.int64)
