"""Analog signal formats: CSV and interleaved multi-channel raw binary.

A CSV has one column (dense values) or two (time, value); a raw binary file is
memory-mapped, never read at load time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    check_file,
    fast_numeric_table,
    format_floats,
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

__all__ = ["BINARY_DTYPES", "map_analog_binary", "read_analog_csv", "write_analog_csv"]

BINARY_DTYPES = {
    "int8": np.int8,
    "int16": np.int16,
    "uint16": np.uint16,
    "float32": np.float32,
    "float64": np.float64,
}


def read_analog_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    has_header: bool | None = None,
    time_column: int = 0,
    data_column: int = 1,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read an analog CSV.

    A file with one column holds dense values (time = row index); with two or more columns
    ``time_column`` holds integer times and ``data_column`` the values.

    Returns
    -------
    values : (N,) float32
    times : (N,) int64 or None
        ``None`` for a dense single-column file.
    """
    lines = read_lines(path)
    fast = _fast_analog(lines, delimiter, has_header, time_column, data_column)
    if fast is not None:
        return fast
    rows: list[tuple[int, list[str]]] = []
    for number, text in enumerate(lines, start=1):
        if text.strip():
            rows.append((number, split_row(text, delimiter)))
    if not rows:
        raise FormatError("expected analog values, the file is empty", path=path)
    skip = has_header if has_header is not None else not looks_numeric(rows[0][1][0])
    if skip:
        rows = rows[1:]
    if not rows:
        raise FormatError("expected analog values after the header", path=path)
    width = len(rows[0][1])
    for number, fields in rows:
        if len(fields) != width:
            raise FormatError(
                f"expected {width} columns, found {len(fields)}", path=path, line=number
            )
    if width == 1:
        values = [parse_float(f[0], path, n, "an analog value") for n, f in rows]
        return np.asarray(values, dtype=np.float32), None
    if max(time_column, data_column) >= width:
        raise FormatError(
            f"expected at least {max(time_column, data_column) + 1} columns, found {width}",
            path=path,
            line=rows[0][0],
        )
    times = [parse_int(f[time_column], path, n, "an integer time") for n, f in rows]
    values = [parse_float(f[data_column], path, n, "an analog value") for n, f in rows]
    times_arr = np.asarray(times, dtype=np.int64)
    if np.any(np.diff(times_arr) <= 0):
        bad = int(np.flatnonzero(np.diff(times_arr) <= 0)[0]) + 1
        raise FormatError("expected strictly increasing times", path=path, line=rows[bad][0])
    return np.asarray(values, dtype=np.float32), times_arr


def _fast_analog(
    lines: list[str],
    delimiter: str,
    has_header: bool | None,
    time_column: int,
    data_column: int,
) -> tuple[np.ndarray, np.ndarray | None] | None:
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    if first is None:
        return None
    fields = split_row(lines[first], delimiter)
    skip = has_header if has_header is not None else not looks_numeric(fields[0])
    table = fast_numeric_table(lines[first + 1 :] if skip else lines[first:], delimiter)
    if table is None or len(table) == 0:
        return None
    if table.shape[1] == 1:
        return table[:, 0].astype(np.float32), None
    if max(time_column, data_column) >= table.shape[1]:
        return None
    times = integral(table[:, time_column])
    if times is None or np.any(np.diff(times) <= 0):
        return None
    return table[:, data_column].astype(np.float32), times


def write_analog_csv(
    path: str | os.PathLike[str],
    values: np.ndarray,
    times: np.ndarray | None = None,
    *,
    precision: int | None = None,
    header: str | None = None,
) -> None:
    """Atomically write an analog CSV: one column when ``times`` is None, else ``time,value``."""
    text_values = format_floats(values, precision)
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        if times is None:
            handle.write("".join(v + "\n" for v in text_values))
        else:
            t_list = np.asarray(times, dtype=np.int64).tolist()
            handle.write("".join(f"{t},{v}\n" for t, v in zip(t_list, text_values)))


def map_analog_binary(
    path: str | os.PathLike[str],
    *,
    dtype: str = "int16",
    header_size: int = 0,
    num_channels: int = 1,
) -> np.ndarray:
    """Memory-map an interleaved multi-channel binary file as ``(n_samples, num_channels)``.

    Nothing is read: the returned ``np.memmap`` pages data in on access.
    """
    p = check_file(path)
    if dtype not in BINARY_DTYPES:
        raise FormatError(
            f"expected binary data type one of {sorted(BINARY_DTYPES)}, got {dtype!r}", path=p
        )
    if num_channels < 1 or header_size < 0:
        raise FormatError(
            f"expected num_channels >= 1 and header_size >= 0, got {num_channels} and {header_size}",
            path=p,
        )
    np_dtype = np.dtype(BINARY_DTYPES[dtype])
    payload = p.stat().st_size - header_size
    frame_bytes = np_dtype.itemsize * num_channels
    if payload < 0 or payload % frame_bytes:
        raise FormatError(
            f"expected {payload if payload > 0 else 0} data bytes after the {header_size}-byte "
            f"header to be a multiple of {frame_bytes} ({num_channels} channels of {dtype})",
            path=p,
        )
    n = payload // frame_bytes
    if n == 0:
        return np.zeros((0, num_channels), dtype=np_dtype)
    return np.memmap(p, dtype=np_dtype, mode="r", offset=header_size, shape=(n, num_channels))
