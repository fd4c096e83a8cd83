"""WhiskerToolbox's lines, points and mask CSVs parsed at disk speed with polars.

These are *fast paths*: polars' multi-threaded CSV reader and string kernels parse the whole
file; the result is kept only when the file is one the line-by-line readers of :mod:`.lines`,
:mod:`.points` and :mod:`.masks` read without skipping, reporting or refusing anything, and it
is then exactly what they return (numbers parsed as float64, then float32, as
:func:`~.csv_tools.parse_number` does). Otherwise these functions return ``None`` and the
caller's line-by-line reader runs, naming the skipped rows and the line of any error: fast on
good files, the same results and messages on bad ones.

The trick for the quoted formats: split each line on ``"`` with quoting off. A WhiskerToolbox
row ``frame,"x1,x2","y1,y2"`` then has exactly five fields — frame and delimiter, the x list,
the delimiter, the y list, the rest — just as WhiskerToolbox finds its four quotes; counting
the file's quotes proves every row had exactly four. (polars measured ~2x less CPU per MB than
the same steps in pyarrow compute on this project's 2-core machine; ``bench_io.py``.)
"""

from __future__ import annotations

import numpy as np
import polars as pl

from napari_whiskertoolbox.io.csv_arrow import plain_text

__all__ = ["ENABLED", "read_lines_fast", "read_masks_fast", "read_points_fast"]

ENABLED = True
"""Use the fast readers (``False`` forces the line-by-line readers: tests, benchmarks)."""

_LINE_FIELDS = ("frame", "x", "between", "y", "rest")
_MASK_FIELDS = ("frame", "runs", "rest")


def _read(
    data: bytes, separator: str, skip_rows: int, names: tuple[str, ...]
) -> pl.DataFrame | None:
    """All fields as text, quoting off; ``None`` on a row with extra fields or bad UTF-8."""
    try:
        return pl.read_csv(
            data,
            has_header=False,
            skip_rows=skip_rows,
            separator=separator,
            quote_char=None,
            schema=dict.fromkeys(names, pl.String),
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None


def _body(data: bytes, skip_rows: int) -> bytes:
    """Return ``data`` after its first ``skip_rows`` lines."""
    start = 0
    for _ in range(skip_rows):
        newline = data.find(b"\n", start)
        if newline < 0:
            return b""
        start = newline + 1
    return data[start:] if start else data


def _frames(frame: pl.Series, delimiter: str) -> np.ndarray | None:
    """Frames of ``<integer><delimiter>`` fields (every row one)."""
    if frame.null_count() or not frame.str.ends_with(delimiter).all():
        return None
    if (frame.str.count_matches(delimiter, literal=True) != 1).any():
        return None
    return _ints(frame.str.head(-1))


def _ints(text: pl.Series) -> np.ndarray | None:
    values = text.cast(pl.Int64, strict=False)
    return None if values.null_count() else values.to_numpy()


def _floats(text: pl.Series, comma_decimal: bool) -> np.ndarray | None:
    """float64 → float32 of every string (None when one is not a finite number)."""
    if comma_decimal:
        text = text.str.replace_all(",", ".", literal=True)
    values = text.cast(pl.Float64, strict=False)
    if values.null_count():
        return None
    out = values.to_numpy()
    return out.astype(np.float32) if np.isfinite(out).all() else None


def _count(delimiter: str, name: str) -> pl.Expr:
    """Numbers in each ``"a<d>b"`` list of column ``name`` (``""``, read as null, has none)."""
    return (pl.col(name).str.count_matches(delimiter, literal=True) + 1).fill_null(0)


def _numbers(delimiter: str, comma_decimal: bool, name: str) -> pl.Expr:
    """Every number of the lists of column ``name``, as float64 (null where not a number)."""
    tokens = pl.col(name).drop_nulls().str.split(delimiter).explode()
    if comma_decimal:
        tokens = tokens.str.replace_all(",", ".", literal=True)
    return tokens.cast(pl.Float64, strict=False)


def _finite32(values: pl.Series) -> np.ndarray | None:
    """float32 of float64 ``values``; None when one is null (not a number) or not finite."""
    if values.null_count():
        return None
    out = values.to_numpy()
    return out.astype(np.float32) if np.isfinite(out).all() else None


def _lists(text: pl.Series, delimiter: str) -> tuple[np.ndarray, pl.Series]:
    """Numbers per ``"a<d>b"`` string (``""``, read as null, has none) and all the tokens."""
    counts = (text.str.count_matches(delimiter, literal=True) + 1).fill_null(0)
    tokens = text.drop_nulls().str.split(delimiter).explode()
    return counts.to_numpy().astype(np.int64), tokens


def read_lines_fast(
    data: bytes, *, skip_rows: int, delimiter: str, coord_delimiter: str, comma_decimal: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Read a ``Frame,X,Y`` line CSV (see :func:`.lines.read_lines_csv`), or ``None``."""
    if not ENABLED or not plain_text(data):
        return None
    table = _read(data, '"', skip_rows, _LINE_FIELDS)
    if table is None or _body(data, skip_rows).count(b'"') != 4 * table.height:
        return None
    times = _frames(table["frame"], delimiter)
    if times is None:
        return None
    # expressions, so that polars works on x and y at once
    counts = table.select(x=_count(coord_delimiter, "x"), y=_count(coord_delimiter, "y"))
    if not counts["x"].equals(counts["y"]):
        return None
    numbers = table.select(
        x=_numbers(coord_delimiter, comma_decimal, "x"),
        y=_numbers(coord_delimiter, comma_decimal, "y"),
    )
    del table
    x = _finite32(numbers["x"])
    y = _finite32(numbers["y"])
    if x is None or y is None:
        return None
    offsets = np.zeros(times.size + 1, dtype=np.int64)
    np.cumsum(counts["x"].to_numpy(), out=offsets[1:])
    coords = np.empty((x.size, 2), dtype=np.float32)
    coords[:, 0] = x
    coords[:, 1] = y
    return times.astype(np.int64), offsets, coords


def read_masks_fast(
    data: bytes, *, skip_rows: int, delimiter: str, rle_delimiter: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Read a ``Frame,RLE`` mask CSV (see :func:`.masks.read_masks_csv`), or ``None``."""
    from napari_whiskertoolbox.io.masks import decode_rle

    if not ENABLED or not plain_text(data):
        return None
    table = _read(data, '"', skip_rows, _MASK_FIELDS)
    if table is None or _body(data, skip_rows).count(b'"') != 2 * table.height:
        return None
    times = _frames(table["frame"], delimiter)
    if times is None:
        return None
    counts, tokens = _lists(table["runs"], rle_delimiter)
    if np.any(counts % 3) or not tokens.str.contains(r"^[0-9]+$").all():
        return None
    values = _ints(tokens)
    if values is None:
        return None
    runs = values.reshape(-1, 3)
    if runs.size and (runs.max() > np.iinfo(np.uint32).max or int(runs[:, 2].sum()) > 1 << 31):
        return None
    owner = np.repeat(np.arange(times.size), counts // 3)
    per_mask = np.bincount(owner, weights=runs[:, 2], minlength=times.size).astype(np.int64)
    offsets = np.zeros(times.size + 1, dtype=np.int64)
    np.cumsum(per_mask, out=offsets[1:])
    return times.astype(np.int64), offsets, decode_rle(runs)


def read_points_fast(
    data: bytes,
    *,
    skip_rows: int,
    delimiter: str,
    columns: tuple[int, int, int],
    comma_decimal: bool,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Read a ``frame x y`` point CSV (see :func:`.points.read_points_csv`), or ``None``.

    Every row must hold the same cells (one-character delimiter, a blank one as single
    spaces), with a digits-only frame and numbers for x and y.
    """
    if not ENABLED or not plain_text(data) or not delimiter or delimiter in '"\r\n':
        return None
    body = _body(data, skip_rows)
    first = body[: body.find(b"\n")] if b"\n" in body else body
    width = first.count(delimiter.encode()) + 1
    if max(columns) >= width:
        return None
    names = tuple(f"c{i}" for i in range(width))
    table = _read(data, delimiter, skip_rows, names)
    if table is None or table.height == 0:
        return None
    frame, x_text, y_text = (table[names[c]] for c in columns)
    if frame.null_count() or not frame.str.contains(r"^[0-9]+$").all():
        return None
    times = _ints(frame)
    x = _floats(x_text, comma_decimal)
    y = _floats(y_text, comma_decimal)
    if times is None or x is None or y is None:
        return None
    return times.astype(np.int64), np.stack([x, y], axis=1)
