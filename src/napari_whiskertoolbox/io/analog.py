"""Analog signal formats: CSV and interleaved multi-channel raw binary.

A CSV has one column (dense values) or two (time, value); a raw binary file is
memory-mapped, never read at load time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import (
    check_file,
    delimiter_char,
    float32_cell,
    format_floats,
    frame_cell,
    number_style,
    parse_number,
    read_lines,
    short_row_reason,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    import os

__all__ = [
    "BINARY_DTYPES",
    "FRAMES_SORTED",
    "map_analog_binary",
    "read_analog_csv",
    "write_analog_csv",
]

FRAMES_SORTED = "frames are not in increasing order"
"""Start of the load note of an analog item whose samples were sorted by frame on reading."""

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
    delimiter: str | None = None,
    has_header: bool = False,
    single_column_format: bool = True,
    time_column: int = 0,
    data_column: int = 1,
    decimal: str | None = None,
    skips: RowSkips | None = None,
    info: dict[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read an analog CSV with WhiskerToolbox's rules (``wt_loaders.md`` §7.2).

    ``single_column_format`` (the default): the value is column 0 of each row and the
    frame is the count of rows read so far (dense). Otherwise frame = truncate(cell of
    ``time_column``) and value = cell of ``data_column``; rows are kept in file order
    unless their frames go backwards, when they are sorted by frame (stable).
    Blank, short and non-numeric rows are skipped (a first line that is not a number is
    taken as a header); NaN values are kept.

    Parameters
    ----------
    delimiter : str, optional
        First character is the delimiter (default ``,``; ``;`` when every line holds one).
    decimal : {".", ","}, optional
        Decimal mark (detected when omitted).
    skips : RowSkips, optional
        Receives the skipped rows.
    info : dict, optional
        Receives ``max_columns`` (widest row) and ``reordered`` (rows were sorted).

    Returns
    -------
    values : (N,) float32
    times : (N,) int64 or None
        ``None`` in single-column format (dense).

    Raises
    ------
    FormatError
        No value at all, or a NaN time (naming the file and line).
    """
    skips = skips if skips is not None else RowSkips()
    info = info if info is not None else {}
    lines = read_lines(path)
    start = 1 if has_header and lines else 0
    used = 1 if single_column_format else max(time_column, data_column) + 1
    style = number_style(
        lines[start:],
        path,
        delimiter=delimiter_char(delimiter),
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=1 if single_column_format else 2,
        used_columns=used,
        first_line=start + 1,
    )
    values: list[float] = []
    times: list[int] = []
    widest = 0
    first_row = True
    short: str | None = None
    for number, text in enumerate(lines[start:], start=start + 1):
        if not text.strip():
            continue
        cells = style.split(text)
        widest = max(widest, len(cells))
        header_line = first_row
        first_row = False
        if len(cells) < used:
            if short is None:  # a hint when the rows split at another delimiter
                short = short_row_reason(lines[start:], style.delimiter, used, "delimiter")
            skips.add(short, number)
            continue
        try:
            if single_column_format:
                value = parse_number(cells[0], style, path, number, "a value")
            else:
                time = parse_number(cells[time_column], style, path, number, "a time")
                value = parse_number(cells[data_column], style, path, number, "a value")
        except FormatError:
            if not header_line:
                skips.add("a cell is not a number", number)
            continue
        cell = cells[0 if single_column_format else data_column]
        float32_cell(value, cell, path, number, "the value")
        if not single_column_format:
            if not math.isfinite(time):
                raise FormatError(f"expected a finite time, found {time}", path=path, line=number)
            frame_cell(time, cells[time_column], path, number, "the time")
            times.append(math.trunc(time))
        values.append(value)
    info["max_columns"] = widest
    if not values:
        raise skips.none_left("analog values", path)
    out_values = np.asarray(values, dtype=np.float32)
    if single_column_format:
        return out_values, None
    out_times = np.asarray(times, dtype=np.int64)
    info["reordered"] = bool(np.any(np.diff(out_times) < 0))
    if info["reordered"]:
        order = np.argsort(out_times, kind="stable")
        out_times, out_values = out_times[order], out_values[order]
    return out_values, out_times


def write_analog_csv(
    path: str | os.PathLike[str],
    values: np.ndarray,
    times: np.ndarray | None = None,
    *,
    precision: int | None = None,
    header: str | None = None,
    delimiter: str = ",",
    time_first: bool = True,
) -> None:
    """Atomically write an analog CSV: one column when ``times`` is None, else ``time,value``.

    ``delimiter`` separates the two columns; ``time_first=False`` writes ``value,time``
    (a config reading ``time_column`` 1 and ``data_column`` 0).
    """
    text_values = format_floats(values, precision)
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        if times is None:
            handle.write("".join(v + "\n" for v in text_values))
        else:
            t_list = [str(t) for t in np.asarray(times, dtype=np.int64).tolist()]
            pairs = zip(t_list, text_values) if time_first else zip(text_values, t_list)
            handle.write("".join(f"{a}{delimiter}{b}\n" for a, b in pairs))


def map_analog_binary(
    path: str | os.PathLike[str],
    *,
    dtype: str = "int16",
    header_size: int = 0,
    num_channels: int = 1,
    offset: int = 0,
    stride: int = 1,
    num_samples: int = 0,
    memory_mapped_counts: bool = False,
    info: dict[str, Any] | None = None,
) -> list[np.ndarray]:
    """Memory-map an interleaved binary file as one raw sample array per channel.

    Nothing is read: each array is a strided view of one ``np.memmap`` that pages data
    in on access. Layout (WhiskerToolbox, ``wt_loaders.md`` §7.1): ``header_size`` bytes,
    then elements sample-major (ch0, ch1, ..., ch0, ...). Channel ``c`` starts at element
    ``offset + c`` and steps ``stride * num_channels`` elements.

    Parameters
    ----------
    dtype : str
        One of :data:`BINARY_DTYPES` (little-endian).
    header_size : int
        Bytes before the first element.
    num_channels : int
        Interleaved channels.
    offset, stride : int
        First element, and step in frames, of every channel.
    num_samples : int
        Samples per channel (0: as many as the file holds); more than it holds is an error.
    memory_mapped_counts : bool
        WhiskerToolbox's count for ``use_memory_mapped``: ``ceil((E - offset - c) /
        (stride * N))`` per channel, so a partial last frame gives low channels one more
        sample; otherwise every channel gets the whole frames only.
    info : dict, optional
        Receives ``leftover_elements``: elements after the last whole frame.

    Returns
    -------
    list of np.ndarray
        One 1-D raw array per channel.
    """
    p = check_file(path)
    info = info if info is not None else {}
    if dtype not in BINARY_DTYPES:
        raise FormatError(
            f"expected binary data type one of {sorted(BINARY_DTYPES)}, got {dtype!r}", path=p
        )
    if num_channels < 1 or header_size < 0 or offset < 0 or stride < 1 or num_samples < 0:
        raise FormatError(
            "expected num_channels >= 1, header_size >= 0, offset >= 0, stride >= 1 and "
            f"num_samples >= 0, got {num_channels}, {header_size}, {offset}, {stride} and "
            f"{num_samples}",
            path=p,
        )
    np_dtype = np.dtype(BINARY_DTYPES[dtype]).newbyteorder("<")
    size = p.stat().st_size
    if header_size > size:
        raise FormatError(
            f"the {header_size}-byte header is longer than the file ({size} bytes)", path=p
        )
    elements = (size - header_size) // np_dtype.itemsize
    step = stride * num_channels
    frames = max(0, elements - offset) // num_channels
    info["leftover_elements"] = max(0, elements - offset) - frames * num_channels
    counts = []
    for c in range(num_channels):
        available = (
            -(-max(0, elements - offset - c) // step)
            if memory_mapped_counts
            else -(-frames // stride)
        )
        if num_samples:
            if num_samples > available:
                raise FormatError(
                    f"num_samples {num_samples} is more than channel {c} holds ({available} "
                    f"samples of {dtype} after header {header_size}, offset {offset}, stride "
                    f"{stride})",
                    path=p,
                )
            available = num_samples
        counts.append(available)
    if elements == 0:
        return [np.zeros(0, dtype=np_dtype) for _ in range(num_channels)]
    raw = np.memmap(p, dtype=np_dtype, mode="r", offset=header_size, shape=(elements,))
    return [raw[offset + c :: step][: counts[c]] for c in range(num_channels)]
