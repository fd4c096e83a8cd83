"""Line (polyline) CSV formats of WhiskerToolbox.

* single file: header ``Frame,X,Y`` then rows ``frame,"x1,x2,...","y1,y2,..."``; several rows
  with the same frame are several lines on that frame;
* one file per frame: a folder of ``<frame>.csv`` files (zero-padded names), each holding
  ``X,Y`` columns of a single line.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    format_floats,
    iter_csv_rows,
    parse_float,
    parse_int,
    read_lines,
)
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

__all__ = ["read_lines_csv", "read_lines_folder", "write_lines_csv", "write_lines_folder"]

FlatLines = tuple[np.ndarray, np.ndarray, np.ndarray]


def read_lines_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    coordinate_delimiter: str = ",",
    has_header: bool = True,
    header_identifier: str = "Frame",
) -> FlatLines:
    """Read a single-file line CSV into flat structure-of-arrays buffers.

    Returns
    -------
    times : (L,) int64
        Frame of each line, in file order.
    offsets : (L + 1,) int64
        Line ``k`` is ``coords[offsets[k]:offsets[k + 1]]``.
    coords : (P, 2) float32
        ``(x, y)`` vertices of all lines, concatenated.
    """
    frames: list[int] = []
    line_numbers: list[int] = []
    xs: list[str] = []
    ys: list[str] = []
    counts: list[int] = []
    rows = iter_csv_rows(
        path,
        n_columns=3,
        columns='frame,"x list","y list"',
        layout="'Frame,X,Y' line",
        delimiter=delimiter,
        has_header=has_header,
        header_identifier=header_identifier,
    )
    for number, (frame_text, x_text, y_text) in rows:
        nx = _count(x_text, coordinate_delimiter)
        ny = _count(y_text, coordinate_delimiter)
        if nx != ny:
            raise FormatError(
                f"expected as many x as y coordinates, found {nx} x and {ny} y",
                path=path,
                line=number,
            )
        frames.append(parse_int(frame_text, path, number, "a frame number"))
        line_numbers.append(number)
        counts.append(nx)
        if nx:
            xs.append(x_text)
            ys.append(y_text)
    count_arr = np.asarray(counts, dtype=np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(count_arr, out=offsets[1:])
    total = int(offsets[-1])
    coords = np.empty((total, 2), dtype=np.float32)
    for axis, chunks in ((0, xs), (1, ys)):
        values = _parse_joined(chunks, coordinate_delimiter, total)
        if values is None:
            _raise_first_bad(chunks, count_arr, line_numbers, coordinate_delimiter, path)
        coords[:, axis] = values
    return np.asarray(frames, dtype=np.int64), offsets, coords


def _count(text: str, delimiter: str) -> int:
    return text.count(delimiter) + 1 if text.strip() else 0


def _parse_joined(chunks: list[str], delimiter: str, expected: int) -> np.ndarray | None:
    """Parse all coordinate lists in one C call; ``None`` when any token is not a number."""
    if expected == 0:
        return np.empty(0, dtype=np.float32)
    joined = delimiter.join(chunks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values = np.fromstring(joined, dtype=np.float32, sep=delimiter)
        except ValueError:
            return None
    if values.size != expected or not np.all(np.isfinite(values)):
        return None
    return values


def _raise_first_bad(
    chunks: list[str],
    counts: np.ndarray,
    line_numbers: list[int],
    delimiter: str,
    path: str | os.PathLike[str],
) -> None:
    nonempty = iter(chunks)
    for count, number in zip(counts.tolist(), line_numbers):
        if not count:
            continue
        for token in next(nonempty).split(delimiter):
            value = parse_float(token.strip(), path, number, "a coordinate list of numbers")
            if not np.isfinite(value):
                raise FormatError(
                    f"expected a finite coordinate, found {token!r}", path=path, line=number
                )
    raise FormatError("expected numeric coordinate lists", path=path)


def write_lines_csv(
    path: str | os.PathLike[str],
    times: np.ndarray,
    offsets: np.ndarray,
    coords: np.ndarray,
    *,
    precision: int | None = None,
    header: str = "Frame,X,Y",
) -> None:
    """Atomically write lines as a single ``Frame,X,Y`` CSV.

    Parameters
    ----------
    precision : int, optional
        Decimals per coordinate; ``None`` (default) writes the shortest text that reads
        back to the identical float32 value.
    """
    times = np.asarray(times, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float32).reshape(-1, 2)
    x_text = format_floats(coords[:, 0], precision)
    y_text = format_floats(coords[:, 1], precision)
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        rows = []
        for k, frame in enumerate(times.tolist()):
            a, b = int(offsets[k]), int(offsets[k + 1])
            rows.append(f'{frame},"{",".join(x_text[a:b])}","{",".join(y_text[a:b])}"\n')
            if len(rows) >= 4096:
                handle.write("".join(rows))
                rows.clear()
        handle.write("".join(rows))


def read_lines_folder(
    folder: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    x_column: int = 0,
    y_column: int = 1,
    has_header: bool = True,
    file_pattern: str = "*.csv",
) -> FlatLines:
    """Read one-line-per-file CSVs named by frame number (``0000123.csv`` → frame 123).

    Returns the same flat arrays as :func:`read_lines_csv`, sorted by frame.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FormatError("expected a folder of per-frame line CSV files", path=root)
    files = []
    for file in root.glob(file_pattern):
        try:
            files.append((int(file.stem), file))
        except ValueError:
            raise FormatError(
                "expected the file name to be a frame number (e.g. 0000123.csv)", path=file
            ) from None
    files.sort()
    times, counts, parts = [], [], []
    for frame, file in files:
        pts = []
        for number, text in enumerate(read_lines(file), start=1):
            if not text.strip() or (has_header and number == 1):
                continue
            fields = [f.strip() for f in text.split(delimiter)]
            needed = max(x_column, y_column) + 1
            if len(fields) < needed:
                raise FormatError(
                    f"expected at least {needed} columns, found {len(fields)}",
                    path=file,
                    line=number,
                )
            pts.append(
                (
                    parse_float(fields[x_column], file, number, "an x coordinate"),
                    parse_float(fields[y_column], file, number, "a y coordinate"),
                )
            )
        times.append(frame)
        counts.append(len(pts))
        parts.append(np.asarray(pts, dtype=np.float32).reshape(-1, 2))
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    coords = np.concatenate(parts) if parts else np.empty((0, 2), np.float32)
    return np.asarray(times, dtype=np.int64), offsets, coords


def write_lines_folder(
    folder: str | os.PathLike[str],
    times: np.ndarray,
    offsets: np.ndarray,
    coords: np.ndarray,
    *,
    frame_id_padding: int = 7,
    precision: int | None = None,
    header: str = "X,Y",
) -> None:
    """Write the first line of each frame to ``<folder>/<frame zero-padded>.csv`` (atomically each).

    Like WhiskerToolbox, only one line per frame fits this layout; further lines on the
    same frame are rejected with ``FormatError`` rather than silently dropped.
    """
    times = np.asarray(times, dtype=np.int64)
    if np.unique(times).size != times.size:
        raise FormatError(
            "expected at most one line per frame for the one-file-per-frame layout", path=folder
        )
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    coords = np.asarray(coords, dtype=np.float32).reshape(-1, 2)
    for k, frame in enumerate(times.tolist()):
        seg = coords[int(offsets[k]) : int(offsets[k + 1])]
        xs, ys = format_floats(seg[:, 0], precision), format_floats(seg[:, 1], precision)
        body = "".join(f"{x},{y}\n" for x, y in zip(xs, ys))
        with atomic_open(root / f"{frame:0{frame_id_padding}d}.csv", "w") as handle:
            handle.write((header + "\n" if header else "") + body)
