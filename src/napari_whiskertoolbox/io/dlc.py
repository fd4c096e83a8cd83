"""DeepLabCut CSV: 3 header rows (scorer, bodyparts, coords), then ``frame, x, y, likelihood, ...``."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    NumberStyle,
    fast_numeric_table,
    format_float32,
    integral,
    number_style,
    parse_float,
    parse_int,
    read_lines,
    split_row,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = ["read_dlc_csv", "write_dlc_csv"]

_HEADER_ROWS = 3


def read_dlc_csv(
    path: str | os.PathLike[str],
    *,
    frame_column: int = 0,
    likelihood_threshold: float = 0.0,
    delimiter: str | None = None,
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read a DeepLabCut CSV into one point set per body part.

    Points whose likelihood is below ``likelihood_threshold`` are dropped (WhiskerToolbox
    keeps points with ``likelihood >= threshold``; a body part without a likelihood column
    always passes). Points with a NaN coordinate are left out (recorded in ``skips``).
    ``delimiter`` (default ``,``, or ``;`` when every line holds one) and ``decimal``
    follow :func:`~.csv_tools.number_style`.

    Returns
    -------
    dict
        ``{bodypart: (times (N,) int64, coords (N, 2) float32)}`` in header order.
    """
    lines = read_lines(path)
    style = number_style(
        lines,
        path,
        delimiter="," if delimiter is None else (delimiter[:1] or ","),
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=0,
        used_columns=10**9,
    )
    if style.delimiter != "," or style.decimal != ".":
        lines = [_as_comma_text(text, style) for text in lines]
    nonblank = [i for i, text in enumerate(lines) if text.strip()]
    header_end = nonblank[_HEADER_ROWS - 1] + 1 if len(nonblank) >= _HEADER_ROWS else len(lines)
    rows = [(number, fields) for number, fields in _csv_rows(lines[:header_end], path)]
    if len(rows) < _HEADER_ROWS:
        raise FormatError(
            "expected 3 DeepLabCut header rows (scorer, bodyparts, coords)",
            path=path,
            line=rows[-1][0] if rows else None,
        )
    (_, _scorer), (_bp_line, bodyparts), (coord_line, coords) = rows[:_HEADER_ROWS]
    if len(bodyparts) != len(coords):
        raise FormatError(
            f"expected the bodyparts row ({len(bodyparts)} fields) and coords row "
            f"({len(coords)} fields) to have the same length",
            path=path,
            line=coord_line,
        )
    parts: dict[str, dict[str, int]] = {}
    for col, (part, coord) in enumerate(zip(bodyparts, coords)):
        if col == frame_column:
            continue
        parts.setdefault(part, {})[coord.strip().lower()] = col
    for part, cols in parts.items():
        missing = {"x", "y"} - cols.keys()
        if missing:
            raise FormatError(
                f"expected columns x and y for body part {part!r}, missing {sorted(missing)}",
                path=path,
                line=coord_line,
            )
    n_cols = len(coords)
    fast = fast_numeric_table(lines[header_end:], ",")
    times = None
    if fast is not None and fast.shape[1] == n_cols and len(fast):
        times = integral(fast[:, frame_column])
    if fast is None or times is None:
        times, values = _parse_rows(lines, header_end, n_cols, frame_column, path)
    else:
        values = fast
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    skips = skips if skips is not None else RowSkips()
    row_lines = _data_line_numbers(lines, header_end)
    for part, cols in parts.items():
        keep = np.ones(len(values), dtype=bool)
        if "likelihood" in cols:
            keep = values[:, cols["likelihood"]] >= likelihood_threshold
        finite = np.isfinite(values[:, cols["x"]]) & np.isfinite(values[:, cols["y"]])
        skips.add_many(
            f"{part}: NaN x or y (points hold finite coordinates)", row_lines[keep & ~finite]
        )
        keep &= finite
        xy = np.stack([values[keep, cols["x"]], values[keep, cols["y"]]], axis=1)
        out[part] = (times[keep], xy.astype(np.float32))
    return out


def _as_comma_text(text: str, style: NumberStyle) -> str:
    """Rewrite a line of a ``;``- or decimal-comma DeepLabCut file as plain comma CSV."""
    return ",".join(style.normalise(cell) for cell in split_row(text, style.delimiter))


def _data_line_numbers(lines: list[str], header_end: int) -> np.ndarray:
    """1-based file line of each non-blank data row (the rows of the parsed table)."""
    return np.asarray(
        [i + 1 for i in range(header_end, len(lines)) if lines[i].strip()], dtype=np.int64
    )


def _csv_rows(
    lines: list[str], path: str | os.PathLike[str], first_line: int = 1
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` of each non-blank CSV row of ``lines``."""
    reader = csv.reader(lines, delimiter=",", quotechar='"')
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                yield reader.line_num + first_line - 1, fields
    except csv.Error as exc:
        raise FormatError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from exc


def _parse_rows(
    lines: list[str], start: int, n_cols: int, frame_column: int, path: str | os.PathLike[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Line-by-line parse (missing values allowed) that names the first bad line."""
    frames: list[int] = []
    table: list[list[float]] = []
    for line, fields in _csv_rows(lines[start:], path, first_line=start + 1):
        if len(fields) != n_cols:
            raise FormatError(
                f"expected {n_cols} columns, found {len(fields)}", path=path, line=line
            )
        frames.append(parse_int(fields[frame_column], path, line, "a frame number"))
        table.append(
            [
                parse_float(tok, path, line, f"a number in column {i + 1}") if tok else np.nan
                for i, tok in enumerate(fields)
            ]
        )
    values = np.asarray(table, dtype=np.float64).reshape(-1, n_cols)
    return np.asarray(frames, dtype=np.int64), values


def write_dlc_csv(
    path: str | os.PathLike[str],
    parts: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    scorer: str = "napari_whiskertoolbox",
) -> None:
    """Atomically write body-part points as a DeepLabCut CSV (likelihood 1, missing = empty).

    Parameters
    ----------
    parts : dict
        ``{bodypart: (times, coords)}`` with at most one point per frame per body part.
    """
    part_times = [np.asarray(t, np.int64) for t, _ in parts.values()]
    frames = np.unique(np.concatenate(part_times)) if part_times else np.empty(0, np.int64)
    names = list(parts)
    with atomic_open(path, "w") as handle:
        handle.write(",".join(["scorer"] + [scorer] * 3 * len(names)) + "\n")
        handle.write(",".join(["bodyparts"] + [n for n in names for _ in range(3)]) + "\n")
        handle.write(",".join(["coords"] + ["x", "y", "likelihood"] * len(names)) + "\n")
        lookup = []
        for name in names:
            t, xy = parts[name]
            lookup.append(dict(zip(np.asarray(t, np.int64).tolist(), np.asarray(xy).tolist())))
        for frame in frames.tolist():
            fields = [str(frame)]
            for table in lookup:
                if frame in table:
                    x, y = table[frame]
                    fields += [format_float32(x), format_float32(y), "1"]
                else:
                    fields += ["", "", "0"]
            handle.write(",".join(fields) + "\n")
