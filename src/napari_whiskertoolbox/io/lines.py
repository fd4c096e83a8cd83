"""Line (polyline) CSV formats of WhiskerToolbox.

* single file: header ``Frame,X,Y`` then rows ``frame,"x1,x2,...","y1,y2,..."``; several rows
  with the same frame are several lines on that frame;
* one file per frame: a folder of ``<frame>.csv`` files (zero-padded names), each holding
  ``X,Y`` columns of a single line.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_arrow import lines_csv_bytes, read_lines_fast
from napari_whiskertoolbox.io.csv_tools import (
    delimiter_char,
    float32_cell,
    format_floats,
    head_lines,
    number_style,
    parse_float,
    parse_int,
    parse_number,
    read_lines,
    read_text_bytes,
    sniff_quoted_delimiters,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.frame_files import refuse_stale_frame_files
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    import os

__all__ = ["read_lines_csv", "read_lines_folder", "write_lines_csv", "write_lines_folder"]

FlatLines = tuple[np.ndarray, np.ndarray, np.ndarray]


def read_lines_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = ",",
    coordinate_delimiter: str | None = ",",
    has_header: bool = True,
    header_identifier: str = "Frame",
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> FlatLines:
    """Read a single-file line CSV into flat structure-of-arrays buffers.

    WhiskerToolbox's row rules (``wt_loaders.md`` §5.1): line 1 is a header when it
    contains ``header_identifier`` (and ``has_header``); in each row the frame is the text
    before the first ``delimiter``, the x list lies between the first two ``"`` after it
    and the y list between the next two. Rows without the delimiter or the four quotes, or
    whose x and y lists differ in length, are skipped (reported); ``""`` lists give an
    empty line. A frame or coordinate that is not a number is an error naming the line.
    ``nan`` and ``inf`` vertices are kept, as WhiskerToolbox keeps them (napari layers do
    not draw such a line; it stays in the DataManager).

    Parameters
    ----------
    delimiter, coordinate_delimiter : str or None
        First character of each is used; ``None`` sniffs it (``,``, or ``;`` when the file
        uses it, see :func:`~.csv_tools.sniff_quoted_delimiters`).
    decimal : {".", ","}, optional
        Decimal mark of the coordinates; with a coordinate delimiter other than ``,`` a
        comma in a number is read as its decimal mark.
    skips : RowSkips, optional
        Receives the skipped rows.

    Returns
    -------
    times : (L,) int64
        Frame of each line, in file order.
    offsets : (L + 1,) int64
        Line ``k`` is ``coords[offsets[k]:offsets[k + 1]]``.
    coords : (P, 2) float32
        ``(x, y)`` vertices of all lines, concatenated.

    Notes
    -----
    A file that needs no skip, report or error is parsed by pyarrow
    (:func:`~.csv_arrow.read_lines_fast`, multi-threaded); any other file by the
    line-by-line reader, which names each skipped row and the line of an error.
    """
    skips = skips if skips is not None else RowSkips()
    data = read_text_bytes(path)
    head = head_lines(data)
    start = 1 if has_header and head and header_identifier in head[0] else 0
    delim, coord_delim = sniff_quoted_delimiters(head[start:], delimiter, coordinate_delimiter)
    comma_decimal = coordinate_decimal(decimal, coord_delim, path)
    fast = read_lines_fast(
        data,
        skip_rows=start,
        delimiter=delim,
        coord_delimiter=coord_delim,
        comma_decimal=comma_decimal,
    )
    if fast is not None:
        return fast
    return _read_lines_rows(
        path, read_lines(path, data), start, delim, coord_delim, comma_decimal, skips
    )


def _read_lines_rows(
    path: str | os.PathLike[str],
    lines: list[str],
    start: int,
    delim: str,
    coord_delim: str,
    comma_decimal: bool,
    skips: RowSkips,
) -> FlatLines:
    """Line-by-line reader: the reference the pyarrow path matches, naming bad lines."""
    frames: list[int] = []
    line_numbers: list[int] = []
    xs: list[str] = []
    ys: list[str] = []
    counts: list[int] = []
    for number, text in enumerate(lines[start:], start=start + 1):
        if not text.strip():
            continue
        parts = split_quoted_row(text, delim)
        if parts is None:
            skips.add(f"no {delim!r} followed by two quoted lists", number)
            continue
        frame_text, x_text, y_text = parts
        # a delimiter after the last number ("1,2,") ends the list, as WhiskerToolbox reads it
        x_text, y_text = _end_trimmed(x_text, coord_delim), _end_trimmed(y_text, coord_delim)
        nx = _count(x_text, coord_delim)
        ny = _count(y_text, coord_delim)
        if nx != ny:
            skips.add("x and y lists of different lengths", number)
            continue
        frames.append(parse_int(frame_text.strip(), path, number, "a frame number"))
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
        values = _parse_joined(chunks, coord_delim, total, comma_decimal)
        if values is None:
            _raise_first_bad(chunks, count_arr, line_numbers, coord_delim, comma_decimal, path)
        coords[:, axis] = values
    return np.asarray(frames, dtype=np.int64), offsets, coords


def coordinate_decimal(decimal: str | None, coord_delim: str, path: str | os.PathLike[str]) -> bool:
    """Return whether commas in coordinate lists are decimal marks (``decimal`` resolved)."""
    if decimal == "," and coord_delim == ",":
        raise FormatError(
            "decimal ',' needs a coordinate_delimiter other than ',' (e.g. ';')", path=path
        )
    return coord_delim != "," and decimal != "."


def split_quoted_row(text: str, delimiter: str) -> tuple[str, str, str] | None:
    """Return ``(frame, x list, y list)`` of a ``frame<d>"x..."<d>"y..."`` row, or None."""
    d = text.find(delimiter)
    if d < 0:
        return None
    q1 = text.find('"', d + 1)
    q2 = text.find('"', q1 + 1) if q1 >= 0 else -1
    q3 = text.find('"', q2 + 1) if q2 >= 0 else -1
    q4 = text.find('"', q3 + 1) if q3 >= 0 else -1
    if q4 < 0:
        return None
    return text[:d], text[q1 + 1 : q2], text[q3 + 1 : q4]


def _end_trimmed(text: str, delimiter: str) -> str:
    """Return a coordinate list without trailing blanks and one delimiter after its last number."""
    trimmed = text.rstrip()
    return trimmed[: -len(delimiter)] if trimmed.endswith(delimiter) else trimmed


def _count(text: str, delimiter: str) -> int:
    return text.count(delimiter) + 1 if text.strip() else 0


def _parse_joined(
    chunks: list[str], delimiter: str, expected: int, comma_decimal: bool
) -> np.ndarray | None:
    """Parse all coordinate lists in one C call; ``None`` when any token is not a number."""
    if expected == 0:
        return np.empty(0, dtype=np.float32)
    joined = delimiter.join(chunks)
    if comma_decimal:
        joined = joined.replace(",", ".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values = np.fromstring(joined, dtype=np.float64, sep=delimiter)
        except ValueError:
            return None
    if values.size != expected:
        return None
    with np.errstate(over="ignore"):
        out = values.astype(np.float32)
    if np.isinf(out).sum() != np.isinf(values).sum():
        return None  # a number beyond float32's range: _raise_first_bad names its line
    return out


def _raise_first_bad(
    chunks: list[str],
    counts: np.ndarray,
    line_numbers: list[int],
    delimiter: str,
    comma_decimal: bool,
    path: str | os.PathLike[str],
) -> None:
    nonempty = iter(chunks)
    for count, number in zip(counts.tolist(), line_numbers):
        if not count:
            continue
        for token in next(nonempty).split(delimiter):
            text = token.strip().replace(",", ".") if comma_decimal else token.strip()
            value = parse_float(text, path, number, "a number in the coordinate list")
            float32_cell(value, token, path, number, "the coordinate")
    raise FormatError("expected numeric coordinate lists", path=path)


def write_lines_csv(
    path: str | os.PathLike[str],
    times: np.ndarray,
    offsets: np.ndarray,
    coords: np.ndarray,
    *,
    precision: int | None = None,
    header: str = "Frame,X,Y",
    delimiter: str = ",",
    coordinate_delimiter: str = ",",
) -> None:
    """Atomically write lines as a single ``Frame,X,Y`` CSV.

    Parameters
    ----------
    precision : int, optional
        Decimals per coordinate; ``None`` (default) writes the shortest text that reads
        back to the identical float32 value.
    delimiter, coordinate_delimiter : str
        The loader options of the same names (``wt_loaders.md`` §5.1, first character):
        the separator after the frame and the x list, and the one inside the lists.
    """
    delimiter, coordinate_delimiter = (
        delimiter_char(delimiter),
        delimiter_char(coordinate_delimiter),
    )
    times = np.asarray(times, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float32).reshape(-1, 2)
    if precision is None:
        with atomic_open(path, "wb") as handle:
            if header:
                handle.write((header + "\n").encode())
            for block in lines_csv_bytes(
                times,
                offsets,
                coords,
                coord_delimiter=coordinate_delimiter,
                delimiter=delimiter,
            ):
                handle.write(block)
        return
    x_text = format_floats(coords[:, 0], precision)
    y_text = format_floats(coords[:, 1], precision)
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        rows = []
        for k, frame in enumerate(times.tolist()):
            a, b = int(offsets[k]), int(offsets[k + 1])
            xs, ys = coordinate_delimiter.join(x_text[a:b]), coordinate_delimiter.join(y_text[a:b])
            rows.append(f'{frame}{delimiter}"{xs}"{delimiter}"{ys}"\n')
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
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> FlatLines:
    """Read one-line-per-file CSVs named by frame number (``0000123.csv`` → frame 123).

    WhiskerToolbox's rules (``wt_loaders.md`` §5.2): a file whose stem is not an integer is
    skipped (reported); ``has_header`` skips each file's first line; a row whose x or y is
    missing or not a number is skipped (reported), and so is a file without any point;
    ``nan`` and ``inf`` vertices are kept, as WhiskerToolbox keeps them.

    Returns the same flat arrays as :func:`read_lines_csv`, sorted by frame.
    """
    skips = skips if skips is not None else RowSkips()
    root = Path(folder)
    if not root.is_dir():
        raise FormatError("expected a folder of per-frame line CSV files", path=root)
    files = []
    for file in sorted(root.glob(file_pattern)):
        if not file.is_file():
            continue
        if re.fullmatch(r"[-+]?\d+", file.stem) is None:
            skips.add_file("file name is not a frame number", file.name)
            continue
        files.append((int(file.stem), file))
    files.sort(key=lambda pair: pair[0])
    needed = max(x_column, y_column) + 1
    times, counts, parts = [], [], []
    for frame, file in files:
        lines = read_lines(file)
        first = 1 if has_header else 0
        style = number_style(
            lines[first:],
            file,
            delimiter=delimiter_char(delimiter),
            delimiter_given=delimiter != ",",
            decimal=decimal,
            n_numbers=2,
            used_columns=needed,
            first_line=first + 1,
        )
        pts = []
        for number, text in enumerate(lines[first:], start=first + 1):
            if not text.strip():
                continue
            cells = style.split(text)
            try:
                if len(cells) < needed:
                    raise FormatError("short row", path=file, line=number)
                x = parse_number(cells[x_column], style, file, number, "an x coordinate")
                y = parse_number(cells[y_column], style, file, number, "a y coordinate")
            except FormatError:
                skips.add(f"x or y missing or not a number in {file.name}", number)
                continue
            float32_cell(x, cells[x_column], file, number, "the x coordinate")
            float32_cell(y, cells[y_column], file, number, "the y coordinate")
            pts.append((x, y))
        if not pts:
            skips.add_file("no point in the file", file.name)
            continue
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
    same frame are rejected with ``FormatError`` rather than silently dropped. So is a
    folder already holding a frame file (``<integer>.csv``) of a frame not written now
    (an earlier save's line, deleted since, would be read back).
    """
    times = np.asarray(times, dtype=np.int64)
    if np.unique(times).size != times.size:
        raise FormatError(
            "expected at most one line per frame for the one-file-per-frame layout", path=folder
        )
    root = Path(folder)
    refuse_stale_frame_files(
        root,
        times.tolist(),
        sorted(root.glob("*.csv")),
        lambda file: int(file.stem) if re.fullmatch(r"[-+]?\d+", file.stem) else None,
        "a line file",
    )
    root.mkdir(parents=True, exist_ok=True)
    coords = np.asarray(coords, dtype=np.float32).reshape(-1, 2)
    for k, frame in enumerate(times.tolist()):
        seg = coords[int(offsets[k]) : int(offsets[k + 1])]
        xs, ys = format_floats(seg[:, 0], precision), format_floats(seg[:, 1], precision)
        body = "".join(f"{x},{y}\n" for x, y in zip(xs, ys))
        with atomic_open(root / f"{frame:0{frame_id_padding}d}.csv", "w") as handle:
            handle.write((header + "\n" if header else "") + body)
