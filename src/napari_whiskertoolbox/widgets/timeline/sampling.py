"""Qt-free helpers that reduce long series to what a view of ``n_columns`` pixels can show.

* :class:`PeakPyramid` keeps min/max envelopes of an analog series at block sizes
  ``base ** k`` so that any view is reduced to about two points per pixel column in
  O(pixels), whatever the zoom (peak downsampling: spikes one sample wide stay visible).
* :func:`event_ticks` thins an event raster to at most one tick per pixel column.
* :func:`merge_bars` clips intervals to the view and merges those closer than a pixel, so
  one bar item draws any number of intervals.
* :func:`row_masks` and :func:`occupied_cells` thin the points of a series with several
  values per time (a line or mask measure: one value per whisker per frame) to one per
  occupied pixel cell.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MAX_ROWS",
    "Envelope",
    "PeakPyramid",
    "event_ticks",
    "has_repeated_times",
    "merge_bars",
    "occupied_cells",
    "row_masks",
]


class Envelope:
    """Points to draw for one view of an analog series.

    Attributes
    ----------
    sample_indices : numpy.ndarray
        int64 indices into the series of each drawn point (the first sample of its block).
    values : numpy.ndarray
        float32 y values, the same length as ``sample_indices``.
    is_raw : bool
        ``True`` when the points are the samples themselves (no reduction was needed).
    """

    __slots__ = ("is_raw", "sample_indices", "values")

    def __init__(self, sample_indices: np.ndarray, values: np.ndarray, is_raw: bool) -> None:
        self.sample_indices = sample_indices
        self.values = values
        self.is_raw = is_raw

    def __len__(self) -> int:
        return len(self.sample_indices)


class PeakPyramid:
    """Min/max envelopes of a 1-D series at block sizes ``base, base**2, ...``.

    Parameters
    ----------
    values : array_like
        The samples (any real dtype; NaNs are ignored by the envelopes).
    base : int
        Block-size factor between consecutive levels (>= 2). Memory is about
        ``2 * len(values) / (base - 1)`` floats.

    Notes
    -----
    Building costs one pass over ``values`` plus a geometric tail; each
    :meth:`envelope` call then touches at most ``n_columns * base`` summary entries.
    """

    def __init__(self, values: np.ndarray, base: int = 8) -> None:
        if base < 2:
            raise ValueError(f"PeakPyramid base must be >= 2, got {base}")
        self.values = np.asarray(values)
        if self.values.ndim != 1:
            raise ValueError(f"PeakPyramid expects a 1-D series, got shape {self.values.shape}")
        self.base = int(base)
        self.block_sizes: list[int] = []
        self._mins: list[np.ndarray] = []
        self._maxs: list[np.ndarray] = []
        self._build()

    def _build(self) -> None:
        mins = maxs = self.values
        block = 1
        while len(mins) > self.base:
            starts = np.arange(0, len(mins), self.base)
            mins = np.fmin.reduceat(mins, starts)
            maxs = np.fmax.reduceat(maxs, starts)
            block *= self.base
            self.block_sizes.append(block)
            self._mins.append(mins)
            self._maxs.append(maxs)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def value_range(self) -> tuple[float, float]:
        """``(min, max)`` of the whole series ignoring NaNs; ``(0.0, 0.0)`` when empty/all-NaN."""
        top_min = self._mins[-1] if self._mins else self.values
        top_max = self._maxs[-1] if self._maxs else self.values
        if len(top_min) == 0 or np.all(np.isnan(top_min)):
            return 0.0, 0.0
        return float(np.nanmin(top_min)), float(np.nanmax(top_max))

    def envelope(self, start: int, stop: int, n_columns: int) -> Envelope:
        """Reduce samples ``start <= i < stop`` to about two points per column.

        Parameters
        ----------
        start, stop : int
            Half-open sample range; clipped to the series.
        n_columns : int
            Pixel columns available (>= 1).

        Returns
        -------
        Envelope
            The raw samples when ``stop - start <= 2 * n_columns``; otherwise, for each
            column, its block's minimum then maximum, both at the block's first sample.
        """
        n_total = len(self.values)
        start = max(0, int(start))
        stop = min(n_total, int(stop))
        n_columns = max(1, int(n_columns))
        if stop <= start:
            return Envelope(np.empty(0, np.int64), np.empty(0, np.float32), True)
        count = stop - start
        if count <= 2 * n_columns:
            indices = np.arange(start, stop, dtype=np.int64)
            return Envelope(indices, self.values[start:stop].astype(np.float32), True)

        samples_per_column = count / n_columns
        level = -1
        for k, block in enumerate(self.block_sizes):
            if block <= samples_per_column:
                level = k
        if level < 0:
            block, mins, maxs = 1, self.values, self.values
        else:
            block, mins, maxs = self.block_sizes[level], self._mins[level], self._maxs[level]
        first = -(-start // block)
        last = max(first, stop // block)
        group = max(1, (last - first) // n_columns)
        offsets = np.arange(0, last - first, group)
        starts = [(first + offsets) * block]
        col_mins = [np.fmin.reduceat(mins[first:last], offsets)] if len(offsets) else []
        col_maxs = [np.fmax.reduceat(maxs[first:last], offsets)] if len(offsets) else []
        head_stop = min(first * block, stop)
        if start < head_stop:  # partial block before the first full one, from raw samples
            low, high = _nan_extent(self.values[start:head_stop])
            starts.insert(0, np.array([start]))
            col_mins.insert(0, [low])
            col_maxs.insert(0, [high])
        tail_start = max(last * block, head_stop)
        if tail_start < stop:  # partial block after the last full one
            low, high = _nan_extent(self.values[tail_start:stop])
            starts.append(np.array([tail_start]))
            col_mins.append([low])
            col_maxs.append([high])
        col_start = np.concatenate(starts).astype(np.int64)
        indices = np.repeat(col_start, 2)
        values = np.empty(2 * len(col_start), np.float32)
        values[0::2] = np.concatenate(col_mins)
        values[1::2] = np.concatenate(col_maxs)
        return Envelope(indices, values, False)


def _nan_extent(samples: np.ndarray) -> tuple[float, float]:
    """``(min, max)`` ignoring NaNs; NaNs when every sample is NaN."""
    low, high = np.fmin.reduce(samples), np.fmax.reduce(samples)
    return float(low), float(high)


def event_ticks(positions: np.ndarray, x0: float, x1: float, n_columns: int) -> np.ndarray:
    """Event positions to draw in view ``[x0, x1]``, at most one per pixel column.

    Parameters
    ----------
    positions : numpy.ndarray
        Sorted event x positions.
    x0, x1 : float
        Visible range (inclusive).
    n_columns : int
        Pixel columns of the view.

    Returns
    -------
    numpy.ndarray
        float64 positions: the events themselves when there are no more than
        ``n_columns`` of them in view, else the centres of the columns holding events.
    """
    lo = np.searchsorted(positions, x0, side="left")
    hi = np.searchsorted(positions, x1, side="right")
    visible = np.asarray(positions[lo:hi], dtype=np.float64)
    n_columns = max(1, int(n_columns))
    if len(visible) <= n_columns or x1 <= x0:
        return visible
    width = (x1 - x0) / n_columns
    columns = np.minimum(((visible - x0) / width).astype(np.int64), n_columns - 1)
    occupied = np.flatnonzero(np.bincount(columns, minlength=n_columns))
    return x0 + (occupied + 0.5) * width


def merge_bars(
    starts: np.ndarray, ends: np.ndarray, x0: float, x1: float, min_gap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bars ``[start, end]`` overlapping ``[x0, x1]``, merged when closer than ``min_gap``.

    Parameters
    ----------
    starts, ends : numpy.ndarray
        Bar edges sorted by start (ends need not be monotonic).
    x0, x1 : float
        Visible range.
    min_gap : float
        Bars whose gap is at most this (typically one pixel in data units) are merged.

    Returns
    -------
    tuple of numpy.ndarray
        ``(starts, ends)`` float64 of the merged visible bars, clipped to the view.
    """
    starts = np.asarray(starts, dtype=np.float64)
    ends = np.asarray(ends, dtype=np.float64)
    keep = (ends >= x0) & (starts <= x1)
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return starts, ends
    reach = np.maximum.accumulate(ends)
    new_group = np.empty(len(starts), bool)
    new_group[0] = True
    new_group[1:] = starts[1:] > reach[:-1] + min_gap
    group_first = np.flatnonzero(new_group)
    group_last = np.append(group_first[1:] - 1, len(starts) - 1)
    merged_starts = np.maximum(starts[group_first], x0)
    merged_ends = np.minimum(reach[group_last], x1)
    return merged_starts, merged_ends


def has_repeated_times(times: np.ndarray) -> bool:
    """Return True if sorted ``times`` hold some time more than once."""
    return bool(times.size > 1 and np.any(times[1:] == times[:-1]))


MAX_ROWS = 64
"""Most rows :func:`row_masks` can split a value range into (one bit of a uint64 each)."""


def row_masks(values: np.ndarray, lo: float, hi: float, n_rows: int) -> np.ndarray:
    """One bit per sample: which of ``n_rows`` rows of ``[lo, hi]`` its value falls in.

    Built once per series (O(len(values))) so that :func:`occupied_cells` can thin any view
    with one pass over bits instead of over float values.

    Parameters
    ----------
    values : numpy.ndarray
        The samples (any real dtype).
    lo, hi : float
        The value range split into rows (``hi == lo``: every value in row 0).
    n_rows : int
        Rows, 1 to :data:`MAX_ROWS`.

    Returns
    -------
    numpy.ndarray
        uint64 per sample: ``1 << row``, or 0 for a NaN (never drawn).

    Raises
    ------
    ValueError
        When ``n_rows`` is not within 1..:data:`MAX_ROWS`.
    """
    if not 1 <= n_rows <= MAX_ROWS:
        raise ValueError(f"n_rows must be 1..{MAX_ROWS}, got {n_rows}")
    values = np.asarray(values)
    scale = n_rows / (hi - lo) if hi > lo else 0.0
    with np.errstate(invalid="ignore"):  # NaN: sent to the row past the last, bit 0
        scaled = (values - lo) * scale
        rows = np.where(np.isnan(scaled), n_rows, np.clip(scaled, 0, n_rows - 1)).astype(np.intp)
    bit = np.zeros(n_rows + 1, np.uint64)
    bit[:n_rows] = np.left_shift(np.uint64(1), np.arange(n_rows, dtype=np.uint64))
    return bit[rows]


def occupied_cells(
    positions: np.ndarray, masks: np.ndarray, x0: float, x1: float, n_columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Thin a point cloud to one point per occupied ``(pixel column, row)`` cell of a view.

    A series with several values per time (the angle of each whisker of a frame) is drawn
    as points; a view holding more samples than it has pixels draws one point per cell
    holding a sample, so separate entries stay separate clouds (a min/max envelope would
    fill the band between them).

    Parameters
    ----------
    positions : numpy.ndarray
        Sorted x position of every sample.
    masks : numpy.ndarray
        :func:`row_masks` of the samples' values.
    x0, x1 : float
        Visible x range; samples outside it are left out.
    n_columns : int
        Pixel columns of the view (>= 1).

    Returns
    -------
    x : numpy.ndarray
        float64 centre of each occupied cell's column.
    rows : numpy.ndarray
        int64 row of each occupied cell. At most ``n_columns * MAX_ROWS`` cells; work is
        one OR per visible sample plus O(n_columns * MAX_ROWS).
    """
    n_columns = max(1, int(n_columns))
    if x1 <= x0:
        return np.empty(0), np.empty(0, np.int64)
    width = (x1 - x0) / n_columns
    edges = x0 + np.arange(n_columns + 1) * width
    edges[-1] = x1
    starts = np.searchsorted(positions, edges[:-1], side="left")
    stop = int(np.searchsorted(positions, x1, side="right"))
    bounds = np.append(starts, stop)
    filled = np.flatnonzero(bounds[1:] > bounds[:-1])
    if filled.size == 0:
        return np.empty(0), np.empty(0, np.int64)
    first = int(starts[filled[0]])
    per_column = np.bitwise_or.reduceat(masks[first:stop], starts[filled] - first)
    bits = np.unpackbits(per_column.astype("<u8").view(np.uint8), bitorder="little")
    cell_columns, rows = np.nonzero(bits.reshape(len(filled), MAX_ROWS))
    return x0 + (filled[cell_columns] + 0.5) * width, rows.astype(np.int64)
