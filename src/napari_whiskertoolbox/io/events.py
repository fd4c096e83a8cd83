"""Digital event CSVs: one time per row; split by an identifier column; a folder of files.

WhiskerToolbox semantics (``wt_loaders.md`` §8.1-8.2): frame = truncate(time x scale);
rows too short or whose time is not a number are skipped (reported); no event at all is
an error. Times are exact: WhiskerToolbox computes in 32-bit floats and loses samples on
long recordings; we truncate the exact decimal product (see :func:`scaled_frames`).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    delimiter_char,
    frame_cell,
    looks_numeric,
    number_style,
    parse_number,
    read_lines,
    short_row_reason,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    import os
    from pathlib import Path

__all__ = [
    "event_files",
    "read_events_csv",
    "scaled_frames",
    "write_events_csv",
]

_SNAP = 1e-9


def scaled_frames(values: np.ndarray, scale: float, scale_divide: bool) -> np.ndarray:
    """Return ``truncate(value x scale)`` (or ``/ scale``) as int64, exact for decimal input.

    A product within a relative 1e-9 of an integer is that integer: ``0.29 x 100`` is
    28.999999999999996 in binary floating point but 29 in the decimal text the user wrote.
    Anything else truncates toward zero, as WhiskerToolbox does (0.00499 s x 10 kHz → 49).
    """
    product = values / scale if scale_divide else values * scale
    nearest = np.round(product)
    snapped = np.abs(product - nearest) <= _SNAP * np.maximum(1.0, np.abs(product))
    return np.where(snapped, nearest, np.trunc(product)).astype(np.int64)


def read_events_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    has_header: bool = False,
    event_column: int = 0,
    identifier_column: int = -1,
    scale: float = 1.0,
    scale_divide: bool = False,
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> dict[str | None, np.ndarray]:
    """Read event times as WhiskerToolbox frames.

    Parameters
    ----------
    delimiter : str, optional
        Column delimiter (first character; default ``,``, or ``;`` when every line holds
        one).
    has_header : bool
        Skip the first line (a header that is not a number is skipped anyway, reported).
    event_column : int
        Column of the time.
    identifier_column : int
        Column whose text splits the events into several series (``-1``: none).
    scale, scale_divide : float, bool
        frame = truncate(time x scale), or time / scale.
    decimal : {".", ","}, optional
        Decimal mark (detected when omitted).
    skips : RowSkips, optional
        Receives the skipped rows.

    Returns
    -------
    dict
        ``{identifier: int64 frames in file order}`` (``None`` key without an identifier
        column), identifiers in lexicographic order of their text (WhiskerToolbox's key
        numbering). Duplicated frames are kept here; the DataManager's event series holds
        each time once.

    Raises
    ------
    FormatError
        A NaN time, a zero scale, or no event at all (naming the file).
    """
    if scale == 0:
        raise FormatError("expected a non-zero scale", path=path)
    skips = skips if skips is not None else RowSkips()
    lines = read_lines(path)
    start = 1 if has_header and lines else 0
    used = max(event_column, identifier_column) + 1
    style = number_style(
        lines[start:],
        path,
        delimiter=delimiter_char(delimiter),
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=1,
        used_columns=used,
        first_line=start + 1,
        text_column=identifier_column if identifier_column >= 0 else None,
        number_column=event_column,
    )
    values: dict[str | None, list[float]] = {}
    first_row = True
    short: str | None = None
    for number, text in enumerate(lines[start:], start=start + 1):
        if not text.strip():
            continue
        cells = style.split(text)
        header_line = first_row
        first_row = False
        if len(cells) < used:
            if short is None:  # a hint when the rows split at another delimiter
                short = short_row_reason(lines[start:], style.delimiter, used, "delimiter")
            skips.add(short, number)
            continue
        try:
            value = parse_number(cells[event_column], style, path, number, "an event time")
        except FormatError:
            if not header_line:
                skips.add("the time is not a number", number)
            continue
        if math.isnan(value) or math.isinf(value):
            raise FormatError(
                f"expected a finite event time, found {value}", path=path, line=number
            )
        frame_cell(
            value / scale if scale_divide else value * scale,
            cells[event_column],
            path,
            number,
            "the event time (times scale)",
        )
        label = cells[identifier_column] if identifier_column >= 0 else None
        values.setdefault(label, []).append(value)
    if not values:
        rows = [text.strip() for text in lines if text.strip()]
        if len(rows) == 1 and not skips and not looks_numeric(rows[0]):
            raise FormatError(
                f"expected event times, found none: the file has a header ({rows[0]!r}) but no "
                "events; WhiskerToolbox's events CSV loader fails on it too (an empty events "
                "key cannot be read from a file)",
                path=path,
            )
        raise skips.none_left("event times", path)
    ordered = sorted(values, key=lambda k: "" if k is None else k.encode("utf-8"))
    return {
        label: scaled_frames(np.asarray(values[label], dtype=np.float64), scale, scale_divide)
        for label in ordered
    }


def event_files(folder: Path, file_pattern: str) -> list[Path]:
    """Return the event files of a ``multi_file`` folder, sorted by path.

    ``file_pattern`` follows WhiskerToolbox: ``*`` is any text, every other character
    keeps its regular-expression meaning, and the whole file name must match
    (case-sensitive); ``""`` takes every ``.csv`` and ``.txt`` file.
    """
    if not folder.is_dir():
        raise FormatError("expected a folder of event files (multi_file)", path=folder)
    try:
        pattern = re.compile(file_pattern.replace("*", ".*")) if file_pattern else None
    except re.error as exc:
        raise FormatError(
            f"file_pattern {file_pattern!r} is not valid ({exc})", path=folder
        ) from None
    files = []
    for file in sorted(folder.iterdir()):
        if not file.is_file():
            continue
        if pattern is None:
            if file.name.endswith((".csv", ".txt")):
                files.append(file)
        elif pattern.fullmatch(file.name):
            files.append(file)
    return files


def write_events_csv(
    path: str | os.PathLike[str],
    times: np.ndarray,
    *,
    header: str | None = None,
    line_end: str = "\n",
) -> None:
    """Atomically write event times, one integer per row, each row ended by ``line_end``."""
    values = np.asarray(times, dtype=np.int64).tolist()
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + line_end)
        handle.write("".join(f"{t}{line_end}" for t in values))
