"""WhiskerToolbox's lines, points and mask CSVs read and written at disk speed with pyarrow.

The readers are *fast paths*: they stream a file through pyarrow's CSV reader a block at a
time (bounded memory) and its compute kernels, keep the result only when the file is one the
line-by-line readers of :mod:`.lines`, :mod:`.points` and :mod:`.masks` read without skipping,
reporting or refusing anything, and then return exactly what those readers return (numbers
parsed as float64, then float32, as :func:`~.csv_tools.parse_number` does). Otherwise they
return ``None`` and the caller's line-by-line reader runs, naming the skipped rows and the
line of any error: fast on good files, the same results and messages on bad ones.

The trick for the quoted formats: split each line on ``"`` with quoting off. A
WhiskerToolbox row ``frame,"x1,x2","y1,y2"`` then has exactly five fields — frame and
delimiter, the x list, the delimiter, the y list, the rest — just as WhiskerToolbox finds its
four quotes; a row with other than four quotes has another number of fields and sends the
file to the line-by-line reader.

Blocks are parsed on two worker threads while the caller's thread reads the next one
(:func:`_ordered`): pyarrow's kernels release the GIL. Per block the time goes to splitting
the lists (``split_pattern``, ~25 ns a number) and casting the numbers to float64 (~20 ns);
numpy-level tokenizing would take as many passes over the text (estimated). (polars was tried for the readers: the same
CPU per MB at 136 MB here and twice the peak memory.)

The writers render numbers with orjson — a float32 array to the shortest text that reads
back to the same float32 (~25 ns a number against ~90 ns for pyarrow's cast) — and build
each row from that text without copying it: the separator before each list's first number
becomes the opening quote, and one ``binary_join_element_wise`` per block joins frame, lists
and closing quotes into the bytes handed to the file, two blocks rendered at once. A block
with a NaN or infinite value (orjson writes ``null``) or a delimiter wider than a byte uses
pyarrow's formatter instead. Masks are run-length encoded block by block on the same threads.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

_A = TypeVar("_A")
_R = TypeVar("_R")

__all__ = [
    "ENABLED",
    "EXOTIC_LINE_BREAKS",
    "encode_rle_many",
    "float_text",
    "lines_csv_bytes",
    "masks_csv_bytes",
    "pixel_key_view",
    "plain_text",
    "points_csv_bytes",
    "read_lines_fast",
    "read_masks_fast",
    "read_points_fast",
]

EXOTIC_LINE_BREAKS = (
    b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9"
)  # fmt: skip
"""Line breaks of :meth:`str.splitlines` that a CSV parser does not break on."""
ENABLED = True
"""Use the fast readers (``False`` forces the line-by-line readers: tests, benchmarks)."""
_BLOCK = 1 << 22  # 4 MB: a 10 MB file is already three blocks for the two workers
_CONTROLS = b"\x00\x0b\x0c\x1c\x1d\x1e\r"


def plain_text(data: bytes) -> bool:
    r"""Return whether ``data`` splits into the same lines for pyarrow as for ``splitlines``.

    That is: no exotic line break, no lone ``\r``, no NUL, no byte-order mark. Each check is
    a ``memchr``-speed scan (a 0.7 GB file in a fraction of a second), no copy.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return False
    if any(bytes((control,)) in data for control in _CONTROLS[:-1]):
        return False
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return False  # only the \r of \r\n line ends may be there
    return data.isascii() or not any(mark in data for mark in EXOTIC_LINE_BREAKS[5:])


class _Irregular(Exception):
    """The file is not one the fast path reads exactly: use the line-by-line reader."""


def _batches(
    data: bytes, delimiter: str, skip_rows: int, names: list[str]
) -> Iterator[pa.RecordBatch]:
    """Stream ``data`` as unquoted text columns, a block at a time (bounded memory).

    ASCII text comes as binary columns (the same bytes, without the UTF-8 check, ~10% of
    a lines parse); other text as UTF-8 strings.

    Raises
    ------
    _Irregular
        On any row with another number of fields, or text that is not UTF-8.
    """
    try:
        reader = pacsv.open_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                skip_rows=skip_rows, column_names=names, block_size=_BLOCK
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=False, double_quote=False, escape_char=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.binary() if data.isascii() else pa.string()),
                strings_can_be_null=False,
            ),
        )
        yield from reader
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as exc:
        raise _Irregular from exc


def _only_bytes(strings: pa.Array, allowed: bytes) -> bool:
    """Return whether every byte of every string is one of ``allowed`` (one table look-up each)."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[
        strings.offset : strings.offset + len(strings) + 1
    ]
    text = np.frombuffer(strings.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(allowed, dtype=np.uint8)] = True
    return bool(table[text].all())


def _ints(strings: pa.ChunkedArray | pa.Array) -> np.ndarray | None:
    try:
        return pc.cast(strings, pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _floats(strings: pa.ChunkedArray | pa.Array, comma_decimal: bool) -> np.ndarray | None:
    """float64 → float32 of every string (None when one is not a finite float32).

    A finite number beyond float32's range (``1e39``) gives ``None`` too: the line-by-line
    reader refuses it, naming its line.
    """
    if comma_decimal:
        strings = pc.replace_substring(strings, ",", ".")
    try:
        values = pc.cast(strings, pa.float64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if not np.isfinite(values).all():
        return None
    with np.errstate(over="ignore"):
        out = values.astype(np.float32)
    return out if np.isfinite(out).all() else None


def _frames(field: pa.ChunkedArray, delimiter: str) -> np.ndarray | None:
    """Frames of ``frame<delimiter>`` fields: text before the delimiter must be an integer."""
    if not pc.all(pc.ends_with(field, delimiter)).as_py():
        return None
    if pc.max(pc.count_substring(field, delimiter)).as_py() != 1:
        return None
    if pa.types.is_binary(field.type):
        return _ints(pc.binary_slice(field, 0, -1))
    return _ints(pc.utf8_slice_codeunits(field, 0, -1))


def _numbers(
    lists: pa.ChunkedArray, delimiter: str, comma_decimal: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Numbers per string and all numbers (float32; None if one is not a finite number)."""
    tokens, counts = _split_numbers(lists, delimiter)
    return counts, _floats(tokens, comma_decimal)


def _split_numbers(lists: pa.ChunkedArray, delimiter: str) -> tuple[pa.Array, np.ndarray]:
    """Flatten ``"a<d>b<d>c"`` strings: (all tokens, tokens per string); ``""`` has none."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    empty = pc.equal(lists, "")
    if pc.any(empty).as_py():  # "" would split into one empty token: make it null (none)
        lists = pc.if_else(empty, pa.scalar(None, lists.type), lists)
    parts = pc.split_pattern(lists, delimiter)
    counts = pc.fill_null(pc.list_value_length(parts), 0).to_numpy().astype(np.int64)
    return pc.list_flatten(parts), counts


def _ordered(work: Callable[[_A], _R], items: Iterable[_A]) -> Iterator[_R]:
    """Yield ``work(item)`` of each item in order, two at a time on worker threads.

    The caller's thread takes the next items (reads the next CSV block, writes the last
    rendered one) while the workers run ``work`` — pyarrow's kernels and numpy release the
    GIL, so both cores are busy. At most three items are in flight: bounded memory. At the
    end pyarrow's memory pool hands the blocks' freed memory back to the system (mimalloc
    would keep it: +0.5x the data's size in resident memory after a big file).
    """
    try:
        with ThreadPoolExecutor(2) as pool:
            pending: deque[Future[_R]] = deque()
            try:
                for item in items:
                    pending.append(pool.submit(work, item))
                    if len(pending) > 2:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()
    finally:
        pa.default_memory_pool().release_unused()


def _lines_block(
    batch: pa.RecordBatch, delimiter: str, coord_delimiter: str, comma_decimal: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Frames, vertices per line and ``(P, 2)`` float32 vertices of one block, or None."""
    times = _frames(batch["frame"], delimiter)
    if times is None:
        return None
    x_counts, x = _numbers(batch["x"], coord_delimiter, comma_decimal)
    if x is None:
        return None
    y_counts, y = _numbers(batch["y"], coord_delimiter, comma_decimal)
    if y is None or not np.array_equal(x_counts, y_counts):
        return None
    return times, x_counts, np.stack([x, y], axis=1)


def _parts_of_blocks(
    parse: Callable[[pa.RecordBatch], tuple[np.ndarray, ...] | None],
    batches: Iterable[pa.RecordBatch],
    n_parts: int,
) -> list[list[np.ndarray]] | None:
    """Parse the CSV blocks on the worker threads; return each part's arrays in file order.

    ``None`` when a block or the CSV layout is irregular (the line-by-line reader decides).
    """
    parts: list[list[np.ndarray]] = [[] for _ in range(n_parts)]
    try:
        for block in _ordered(parse, batches):
            if block is None:
                return None
            for part, array in zip(parts, block, strict=True):
                part.append(array)
    except _Irregular:
        return None
    return parts


def read_lines_fast(
    data: bytes, *, skip_rows: int, delimiter: str, coord_delimiter: str, comma_decimal: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Read a ``Frame,X,Y`` line CSV (see :func:`.lines.read_lines_csv`), or ``None``."""
    if not ENABLED or not plain_text(data):
        return None
    parts = _parts_of_blocks(
        lambda batch: _lines_block(batch, delimiter, coord_delimiter, comma_decimal),
        _batches(data, '"', skip_rows, ["frame", "x", "between", "y", "rest"]),
        3,
    )
    if parts is None:
        return None
    frames, counts, coords = parts
    times = np.concatenate(frames) if frames else np.empty(0, np.int64)
    offsets = np.zeros(times.size + 1, dtype=np.int64)
    if counts:
        np.cumsum(np.concatenate(counts), out=offsets[1:])
    vertices = np.concatenate(coords) if coords else np.empty((0, 2), np.float32)
    return times.astype(np.int64), offsets, vertices


def _masks_block(
    batch: pa.RecordBatch, delimiter: str, rle_delimiter: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Frames, numbers per row and all run numbers (int64) of one block, or None."""
    times = _frames(batch["frame"], delimiter)
    if times is None:
        return None
    if not _only_bytes(batch["runs"], b"0123456789" + rle_delimiter.encode()):
        return None  # signs, blanks, other text: the line-by-line reader decides
    tokens, counts = _split_numbers(batch["runs"], rle_delimiter)
    if np.any(counts % 3):
        return None
    values = _ints(tokens)  # fails on an empty number (",,")
    if values is None:
        return None
    return times, counts, values


def read_masks_fast(
    data: bytes, *, skip_rows: int, delimiter: str, rle_delimiter: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Read a ``Frame,RLE`` mask CSV (see :func:`.masks.read_masks_csv`), or ``None``."""
    from napari_whiskertoolbox.io.masks import decode_rle

    if not ENABLED or not plain_text(data):
        return None
    parts = _parts_of_blocks(
        lambda batch: _masks_block(batch, delimiter, rle_delimiter),
        _batches(data, '"', skip_rows, ["frame", "runs", "rest"]),
        3,
    )
    if parts is None:
        return None
    frames, all_counts, all_values = parts
    times = np.concatenate(frames) if frames else np.empty(0, np.int64)
    counts = np.concatenate(all_counts) if all_counts else np.empty(0, np.int64)
    runs = (np.concatenate(all_values) if all_values else np.empty(0, np.int64)).reshape(-1, 3)
    if runs.size and (runs.max() > np.iinfo(np.uint32).max or int(runs[:, 2].sum()) > 1 << 31):
        return None
    run_offsets = np.zeros(times.size + 1, dtype=np.int64)
    np.cumsum(counts // 3, out=run_offsets[1:])
    pixel_starts = np.append(0, np.cumsum(runs[:, 2]))  # of each run, and the total
    offsets = pixel_starts[run_offsets]
    pixels = np.empty((int(offsets[-1]), 2), dtype=np.uint32)
    bounds = np.append(np.arange(0, len(runs), 1 << 16), len(runs))
    starts = pixel_starts[bounds]

    def decode(k: int) -> None:  # chunks decoded in cache, on two threads
        decode_rle(runs[bounds[k] : bounds[k + 1]], out=pixels[starts[k] : starts[k + 1]])

    for _ in _ordered(decode, range(len(bounds) - 1)):
        pass
    return times.astype(np.int64), offsets, pixels


def _points_block(
    batch: pa.RecordBatch, names: list[str], columns: tuple[int, int, int], comma_decimal: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    """Frames and ``(N, 2)`` float32 points of one block, or None."""
    frame, x_col, y_col = (batch[names[c]] for c in columns)
    if not _only_bytes(frame, b"0123456789"):
        return None
    times = _ints(frame)  # fails on an empty frame
    x = _floats(x_col, comma_decimal)
    y = _floats(y_col, comma_decimal)
    if times is None or x is None or y is None:
        return None
    return times, np.stack([x, y], axis=1)


def read_points_fast(
    data: bytes,
    *,
    skip_rows: int,
    delimiter: str,
    columns: tuple[int, int, int],
    comma_decimal: bool,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Read a ``frame x y`` point CSV (see :func:`.points.read_points_csv`), or ``None``.

    Only for a one-character delimiter other than a blank run; every row must have the
    same number of cells and a digits-only frame.
    """
    if not ENABLED or not plain_text(data) or not delimiter or delimiter == '"':
        return None
    head = data[: data.find(b"\n")] if b"\n" in data else data
    width = head.count(delimiter.encode()) + 1
    names = [f"c{i}" for i in range(width)]
    if max(columns) >= width:
        return None
    parts = _parts_of_blocks(
        lambda batch: _points_block(batch, names, columns, comma_decimal),
        _batches(data, delimiter, skip_rows, names),
        2,
    )
    if parts is None or not parts[0]:
        return None
    frames, points = parts
    return np.concatenate(frames).astype(np.int64), np.concatenate(points)


def float_text(values: np.ndarray) -> pa.Array:
    """Return the shortest text of each float32 that reads back to the same float32."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.float32)), pa.string())


def _int_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _json_text(values: np.ndarray, delimiter: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Render ``values`` with orjson: (writable bytes, position of the separator before each).

    ``orjson.dumps`` writes a float32 array as ``[v0,v1,...]`` with the shortest text that
    reads back to the same float32 (``327.57``, ``1e-7``) and an int64 array as
    ``[1,2,...]``, at ~30 ns a number; the ``.0`` it gives whole floats is dropped
    (``131``, as pyarrow's formatter and the original files write them). ``seps[k]`` is
    the ``[`` or ``,`` before value ``k`` and ``seps[N]`` the closing ``]``, so value ``k``
    with the separator before it is ``text[seps[k]:seps[k + 1]]``. ``None`` when a float is
    not finite (orjson would write ``null``) or ``delimiter``, which the caller writes over
    the separators, is wider than one byte.
    """
    if len(delimiter.encode()) != 1:
        return None
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        return None
    raw = orjson.dumps(np.ascontiguousarray(values), option=orjson.OPT_SERIALIZE_NUMPY)
    text = np.frombuffer(raw, dtype=np.uint8)
    seps = np.empty(values.size + 1, dtype=np.int64)
    seps[0] = 0
    seps[1:-1] = np.flatnonzero(text == ord(","))
    seps[-1] = text.size - 1
    if values.dtype.kind == "f":
        ends = seps[1:]
        zero = np.flatnonzero(text[ends - 1] == ord("0"))
        whole = zero[text[ends[zero] - 2] == ord(".")]  # values ending in ".0"
        if whole.size:
            cut = ends[whole] - 2
            keep = np.ones(text.size, dtype=bool)
            keep[cut] = keep[cut + 1] = False
            text = text[keep]
            removed = np.zeros(values.size, dtype=np.int64)
            removed[whole] = 2
            seps[1:] -= np.cumsum(removed)
            return text, seps
    return np.frombuffer(bytearray(raw), dtype=np.uint8), seps


def _string_array(text: np.ndarray, offsets: np.ndarray) -> pa.Array:
    """``text[offsets[k]:offsets[k + 1]]`` for each ``k``, as one string array (no copy)."""
    return pa.StringArray.from_buffers(
        offsets.size - 1, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(text)
    )


def _quoted_lists(values: np.ndarray, offsets: np.ndarray, delimiter: str) -> pa.Array:
    """Row ``k``: ``"`` then ``values[offsets[k]:offsets[k + 1]]`` joined by ``delimiter``.

    ``offsets`` start at 0. The closing quote is left to the caller.
    """
    lengths = np.diff(offsets)
    rendered = _json_text(values, delimiter)
    if rendered is None:  # a non-finite float or a wide delimiter: pyarrow's formatter
        texts = float_text(values) if values.dtype.kind == "f" else _int_text(values)
        lists = _joined(texts, offsets, delimiter)
        return pc.binary_join_element_wise('"', lists, "")
    text, seps = rendered
    if delimiter != ",":
        text[seps[1:-1]] = ord(delimiter)
    starts = seps[offsets]
    text[starts[:-1][lengths > 0]] = ord('"')  # each list's first separator opens its quote
    rows = _string_array(text, starts)
    if (lengths == 0).any():
        rows = pc.if_else(pa.array(lengths == 0), pa.scalar('"'), rows)
    return rows


def _joined(texts: pa.Array, offsets: np.ndarray, separator: str) -> pa.Array:
    """Join ``texts[offsets[k]:offsets[k+1]]`` with ``separator`` for each ``k``."""
    local = pa.array((offsets - offsets[0]).astype(np.int32))
    return pc.binary_join(pa.ListArray.from_arrays(local, texts), separator)


def _bytes(rows: pa.Array) -> memoryview:
    """Return the bytes of all ``rows`` strings, back to back (no copy, no Python string)."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[
        rows.offset : rows.offset + len(rows) + 1
    ]
    return memoryview(rows.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


def _blocks(n_rows: int, offsets: np.ndarray | None, per_block: int) -> Iterator[tuple[int, int]]:
    """Row ranges holding at most ``per_block`` rows (and values, when ``offsets`` is given)."""
    start = 0
    while start < n_rows:
        stop = min(n_rows, start + per_block)
        if offsets is not None:
            limit = int(np.searchsorted(offsets, offsets[start] + 4 * per_block, side="right")) - 1
            stop = max(start + 1, min(stop, limit))
        yield start, stop
        start = stop


def lines_csv_bytes(
    times: np.ndarray,
    offsets: np.ndarray,
    coords: np.ndarray,
    *,
    coord_delimiter: str = ",",
    delimiter: str = ",",
) -> Iterator[memoryview]:
    """Yield the rows ``frame,"x1,x2,...","y1,y2,..."`` of lines, in blocks of bytes.

    ``delimiter`` follows the frame and the x list; ``coord_delimiter`` separates the
    numbers inside the quoted lists.
    """

    def render(block: tuple[int, int]) -> memoryview:
        a, b = block
        seg = coords[offsets[a] : offsets[b]]
        local = offsets[a : b + 1] - offsets[a]
        xs = _quoted_lists(seg[:, 0], local, coord_delimiter)
        ys = _quoted_lists(seg[:, 1], local, coord_delimiter)
        return _bytes(
            pc.binary_join_element_wise(
                _int_text(times[a:b]), delimiter, xs, '"' + delimiter, ys, '"\n', ""
            )
        )

    return _ordered(render, _blocks(len(times), offsets, 1 << 16))


def points_csv_bytes(
    times: np.ndarray, coords: np.ndarray, *, delimiter: str = " "
) -> Iterator[memoryview]:
    """Yield the rows ``frame<d>x<d>y`` of points, in blocks of bytes."""

    def render(block: tuple[int, int]) -> memoryview:
        a, b = block
        frames = _int_text(times[a:b])
        xs, ys = (
            _delimited_values(coords[a:b, 0], delimiter),
            _delimited_values(coords[a:b, 1], delimiter),
        )
        if xs is None or ys is None:
            x_text, y_text = float_text(coords[a:b, 0]), float_text(coords[a:b, 1])
            return _bytes(
                pc.binary_join_element_wise(frames, delimiter, x_text, delimiter, y_text, "\n", "")
            )
        return _bytes(pc.binary_join_element_wise(frames, xs, ys, "\n", ""))

    return _ordered(render, _blocks(len(times), None, 1 << 18))


def _delimited_values(values: np.ndarray, delimiter: str) -> pa.Array | None:
    """Each value with ``delimiter`` before it (``" 1.5"``), or None (see :func:`_json_text`)."""
    rendered = _json_text(values, delimiter)
    if rendered is None:
        return None
    text, seps = rendered
    text[seps[:-1]] = ord(delimiter)
    return _string_array(text, seps)


def masks_csv_bytes(
    times: np.ndarray,
    offsets: np.ndarray,
    pixels: np.ndarray,
    *,
    delimiter: str = ",",
    rle_delimiter: str = ",",
) -> Iterator[memoryview]:
    """Yield the rows ``frame,"y,x_start,length,..."`` of masks, in blocks of bytes.

    ``delimiter`` follows the frame; ``rle_delimiter`` separates the run-length numbers.

    Each block of masks (up to ~1M pixels) is run-length encoded and rendered on a worker.
    """

    def render(block: tuple[int, int]) -> memoryview:
        a, b = block
        runs, run_offsets = encode_rle_many(
            offsets[a : b + 1] - offsets[a], pixels[offsets[a] : offsets[b]]
        )
        lists = _quoted_lists(runs.ravel(), 3 * run_offsets, rle_delimiter)
        return _bytes(
            pc.binary_join_element_wise(_int_text(times[a:b]), delimiter, lists, '"\n', "")
        )

    return _ordered(render, _blocks(len(times), offsets, 1 << 18))


def encode_rle_many(offsets: np.ndarray, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run-length encode every mask at once (as :func:`.masks.encode_rle` does each).

    Masks whose pixels are already sorted by ``(y, x)`` without duplicates (as images and
    run-length files give them) are encoded from one int64 key ``y << 32 | x`` per pixel: a
    run continues where the key steps by one. Others are sorted first.

    Parameters
    ----------
    offsets : (M + 1,) int
        Mask ``k`` is ``pixels[offsets[k]:offsets[k + 1]]``; ``offsets[0] == 0``.
    pixels : (P, 2) int
        ``(x, y)`` pixels, each in ``[0, 2**32)``.

    Returns
    -------
    runs : (R, 3) int64
        ``(y, x_start, length)`` of every run, mask after mask, sorted by ``(y, x)``.
    run_offsets : (M + 1,) int64
        Mask ``k`` owns ``runs[run_offsets[k]:run_offsets[k + 1]]``.
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    px = np.asarray(pixels)
    if not px.size or px.dtype.kind not in "iu":
        return _encode_rle_sorting(offsets, px)
    x, y = px[:, 0], px[:, 1]
    negative = px.dtype.kind == "i" and min(int(x.min()), int(y.min())) < 0
    if negative or int(x.max()) >= 0xFFFFFFFF or int(y.max()) >> 31:
        return _encode_rle_sorting(offsets, px)  # x + 1 must not carry into y, nor y into the sign
    key = _pixel_keys(px)
    new_run = np.zeros(key.size, dtype=bool)
    new_run[offsets[:-1][np.diff(offsets) > 0]] = True  # each mask's first pixel
    step = key[1:] - key[:-1]
    if not ((step > 0) | new_run[1:]).all():
        return _encode_rle_sorting(offsets, px)
    new_run[1:] |= step != 1
    starts = np.flatnonzero(new_run)
    runs = np.empty((starts.size, 3), dtype=np.int64)
    runs[:, :2] = px[starts][:, ::-1]
    runs[:, 2] = np.diff(np.append(starts, key.size))
    return runs, np.searchsorted(starts, offsets).astype(np.int64)


def pixel_key_view(pixels: np.ndarray) -> np.ndarray | None:
    """Return the int64 ``y << 32 | x`` keys an ``(N, 2)`` ``(x, y)`` pixel array holds, or None.

    A C-ordered little-endian uint32 array holds each pixel's key in its memory: the
    returned ``(N,)`` array views it (writing a key writes the pixel). ``None`` for any other
    dtype or layout. The keys order pixels by ``(y, x)`` while ``y < 2**31``.
    """
    if pixels.dtype == np.dtype("<u4") and pixels.flags.c_contiguous:
        return pixels.view(np.int64).reshape(-1)
    return None


def _pixel_keys(px: np.ndarray) -> np.ndarray:
    """``y << 32 | x`` of each ``(x, y)`` pixel as int64 (``y < 2**31``, ``x < 2**32``)."""
    key = pixel_key_view(px)
    if key is None:
        key = px[:, 1].astype(np.int64) << 32
        key |= px[:, 0]
    return key


def _encode_rle_sorting(offsets: np.ndarray, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`encode_rle_many` of masks in any order, with duplicates."""
    n_masks = len(offsets) - 1
    lengths = np.diff(offsets)
    owner = np.repeat(np.arange(n_masks, dtype=np.int64), lengths)
    x = np.asarray(pixels[:, 0], dtype=np.int64)
    y = np.asarray(pixels[:, 1], dtype=np.int64)
    if x.size:
        same = owner[1:] == owner[:-1]
        ordered = ~same | (y[1:] > y[:-1]) | ((y[1:] == y[:-1]) & (x[1:] > x[:-1]))
        if not ordered.all():
            order = np.lexsort((x, y, owner))
            owner, x, y = owner[order], x[order], y[order]
            keep = np.ones(x.size, dtype=bool)
            keep[1:] = (owner[1:] != owner[:-1]) | (y[1:] != y[:-1]) | (x[1:] != x[:-1])
            owner, x, y = owner[keep], x[keep], y[keep]
    new_run = np.ones(x.size, dtype=bool)
    new_run[1:] = (owner[1:] != owner[:-1]) | (y[1:] != y[:-1]) | (x[1:] != x[:-1] + 1)
    starts = np.flatnonzero(new_run)
    run_lengths = np.diff(np.append(starts, x.size))
    runs = np.stack([y[starts], x[starts], run_lengths], axis=1)
    per_mask = np.bincount(owner[starts], minlength=n_masks) if starts.size else np.zeros(
        n_masks, dtype=np.int64
    )  # fmt: skip
    run_offsets = np.zeros(n_masks + 1, dtype=np.int64)
    np.cumsum(per_mask, out=run_offsets[1:])
    return runs, run_offsets
