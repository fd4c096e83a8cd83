"""WhiskerToolbox's lines, points and mask CSVs written at disk speed with pyarrow.

The writers build each row's text with pyarrow compute kernels — float32 to the shortest
text that reads back to the same float32, lists joined by their offsets — and hand the
bytes of the joined rows to the file, a block at a time and two blocks at once (the
kernels release the GIL), without a Python string per row. :func:`plain_text` tells the
fast readers (:mod:`.csv_polars`) whether a file splits into the same lines for a CSV
parser as for :meth:`str.splitlines`.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "EXOTIC_LINE_BREAKS",
    "encode_rle_many",
    "float_text",
    "lines_csv_bytes",
    "masks_csv_bytes",
    "plain_text",
    "points_csv_bytes",
]

EXOTIC_LINE_BREAKS = (
    b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9"
)  # fmt: skip
"""Line breaks of :meth:`str.splitlines` that a CSV parser does not break on."""
_BLOCK = 1 << 24
_CONTROLS = b"\x00\x0b\x0c\x1c\x1d\x1e\r"


def plain_text(data: bytes) -> bool:
    r"""Return whether ``data`` splits into the same lines for pyarrow as for ``splitlines``.

    That is: no exotic line break, no lone ``\r``, no NUL, no byte-order mark.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return False
    controls = len(data) - len(data.translate(None, _CONTROLS))  # one pass
    if controls != data.count(b"\r\n"):  # only the \r of \r\n line ends may be there
        return False
    return data.isascii() or not any(mark in data for mark in EXOTIC_LINE_BREAKS[5:])


def float_text(values: np.ndarray) -> pa.Array:
    """Return the shortest text of each float32 that reads back to the same float32."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.float32)), pa.string())


def _int_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _joined(texts: pa.Array, offsets: np.ndarray, separator: str) -> pa.Array:
    """Join ``texts[offsets[k]:offsets[k+1]]`` with ``separator`` for each ``k``."""
    local = pa.array((offsets - offsets[0]).astype(np.int32))
    return pc.binary_join(pa.ListArray.from_arrays(local, texts), separator)


def _bytes(rows: pa.Array) -> memoryview:
    r"""Return the bytes of ``rows``, each followed by ``\n`` (no Python string per row)."""
    block = pc.binary_join_element_wise(rows, "", "\n")
    offsets = np.frombuffer(block.buffers()[1], dtype=np.int32)[
        block.offset : block.offset + len(block) + 1
    ]
    return memoryview(block.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


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


def _pipelined(
    render: Callable[[int, int], memoryview], blocks: list[tuple[int, int]]
) -> Iterator[memoryview]:
    """Yield ``render(a, b)`` of each block in order, rendering the next while one is written.

    Two workers and at most three blocks in flight: both cores busy, bounded memory.
    """
    with ThreadPoolExecutor(2) as pool:
        pending: deque[Future[memoryview]] = deque()
        for a, b in blocks:
            pending.append(pool.submit(render, a, b))
            if len(pending) > 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def lines_csv_bytes(
    times: np.ndarray, offsets: np.ndarray, coords: np.ndarray, *, coord_delimiter: str = ","
) -> Iterator[memoryview]:
    """Yield the rows ``frame,"x1,x2,...","y1,y2,..."`` of lines, in blocks of bytes."""

    def render(a: int, b: int) -> memoryview:
        seg = coords[offsets[a] : offsets[b]]
        xs = _joined(float_text(seg[:, 0]), offsets[a : b + 1], coord_delimiter)
        ys = _joined(float_text(seg[:, 1]), offsets[a : b + 1], coord_delimiter)
        rows = pc.binary_join_element_wise(_int_text(times[a:b]), xs, ys, '","')
        rows = pc.replace_substring(rows, '","', ',"', max_replacements=1)
        return _bytes(pc.binary_join_element_wise(rows, "", '"'))

    return _pipelined(render, list(_blocks(len(times), offsets, 1 << 16)))


def points_csv_bytes(
    times: np.ndarray, coords: np.ndarray, *, delimiter: str = " "
) -> Iterator[memoryview]:
    """Yield the rows ``frame<d>x<d>y`` of points, in blocks of bytes."""

    def render(a: int, b: int) -> memoryview:
        return _bytes(
            pc.binary_join_element_wise(
                _int_text(times[a:b]),
                float_text(coords[a:b, 0]),
                float_text(coords[a:b, 1]),
                delimiter,
            )
        )

    return _pipelined(render, list(_blocks(len(times), None, 1 << 18)))


def masks_csv_bytes(
    times: np.ndarray, offsets: np.ndarray, pixels: np.ndarray
) -> Iterator[memoryview]:
    """Yield the rows ``frame,"y,x_start,length,..."`` of masks, in blocks of bytes."""
    runs, run_offsets = encode_rle_many(offsets, pixels)

    def render(a: int, b: int) -> memoryview:
        text = _int_text(runs[run_offsets[a] : run_offsets[b]].ravel())
        joined = _joined(text, 3 * run_offsets[a : b + 1], ",")
        rows = pc.binary_join_element_wise(_int_text(times[a:b]), joined, ',"')
        return _bytes(pc.binary_join_element_wise(rows, "", '"'))

    return _pipelined(render, list(_blocks(len(times), run_offsets, 1 << 16)))


def encode_rle_many(offsets: np.ndarray, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run-length encode every mask at once (as :func:`.masks.encode_rle` does each).

    Returns
    -------
    runs : (R, 3) int64
        ``(y, x_start, length)`` of every run, mask after mask, sorted by ``(y, x)``.
    run_offsets : (M + 1,) int64
        Mask ``k`` owns ``runs[run_offsets[k]:run_offsets[k + 1]]``.
    """
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
