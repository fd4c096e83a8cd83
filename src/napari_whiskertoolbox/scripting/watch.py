"""The variable watch's numbers: array statistics in bounded time, data objects' key and clock.

:func:`array_stats` reads an array chunk by chunk; when its time budget runs out it
finishes on an evenly strided sample of the part not read yet (what was read counts exactly:
an extreme value already seen is never lost) and says the result is approximate, so a
10-GB memory map costs a few tens of milliseconds, not a full read.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.kinds import DATA_CLASSES, data_type_of
from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager

__all__ = ["ArrayStats", "DataInfo", "array_stats", "data_info"]

_CHUNK_ELEMENTS = 1 << 20
_SAMPLE_ELEMENTS = 1 << 18


@dataclass(frozen=True)
class ArrayStats:
    """Minimum, maximum and mean of an array's finite values.

    Attributes
    ----------
    minimum, maximum, mean : float or None
        None when the array has no finite value.
    exact : bool
        False when the time budget ran out and the numbers come from a strided sample.
    n_used : int
        Elements the numbers are computed from.
    """

    minimum: float | None
    maximum: float | None
    mean: float | None
    exact: bool
    n_used: int

    def format(self, value: float | None) -> str:
        """Return ``value`` as shown in the watch (``≈`` marks sampled numbers)."""
        if value is None:
            return ""
        text = f"{value:.6g}"
        return text if self.exact else f"≈{text}"


class _Accumulator:
    def __init__(self) -> None:
        self.minimum = math.inf
        self.maximum = -math.inf
        self.total = 0.0
        self.count = 0
        self.used = 0

    def add(self, chunk: np.ndarray) -> None:
        self.used += chunk.size
        if chunk.size == 0:
            return
        low, high = float(chunk.min()), float(chunk.max())
        if chunk.dtype.kind == "f" and not (math.isfinite(low) and math.isfinite(high)):
            chunk = chunk[np.isfinite(chunk)]  # only chunks holding NaN or inf pay for a copy
            if chunk.size == 0:
                return
            low, high = float(chunk.min()), float(chunk.max())
        self.minimum = min(self.minimum, low)
        self.maximum = max(self.maximum, high)
        self.total += float(chunk.sum(dtype=np.float64))
        self.count += int(chunk.size)

    def result(self, exact: bool) -> ArrayStats:
        if self.count == 0:
            return ArrayStats(None, None, None, exact, self.used)
        return ArrayStats(self.minimum, self.maximum, self.total / self.count, exact, self.used)

    def with_sample_of_rest(self, sample: _Accumulator, n_rest: int) -> ArrayStats:
        """Return the stats of what was read exactly and a strided ``sample`` of the rest.

        ``n_rest`` elements were not read; the sample stands for them (its share of finite
        values and their mean), so extremes already read are never lost.
        """
        minimum, maximum = min(self.minimum, sample.minimum), max(self.maximum, sample.maximum)
        total, count = self.total, float(self.count)
        if sample.count:
            rest_count = sample.count / sample.used * n_rest
            total += sample.total / sample.count * rest_count
            count += rest_count
        used = self.used + sample.used
        if count == 0:
            return ArrayStats(None, None, None, False, used)
        return ArrayStats(minimum, maximum, total / count, False, used)


def array_stats(arr: np.ndarray, budget_s: float = 0.05) -> ArrayStats | None:
    """Return min, max and mean of ``arr``'s finite values, within about ``budget_s`` seconds.

    Parameters
    ----------
    arr : numpy.ndarray
        Any array; only boolean, integer and real floating dtypes have statistics.
    budget_s : float
        Time after which the rest of the array is only sampled (strided, whole extent).

    Returns
    -------
    ArrayStats or None
        None for empty arrays and other dtypes.
    """
    if arr.size == 0 or arr.dtype.kind not in "biuf":
        return None
    started = time.perf_counter()
    flat = arr.reshape(-1) if arr.flags.c_contiguous else None
    rows = arr if flat is None else flat
    if rows.ndim == 0:
        rows = rows.reshape(1)
    row_size = max(1, rows[0].size if rows.ndim > 1 else 1)
    step = max(1, _CHUNK_ELEMENTS // row_size)
    acc = _Accumulator()
    for start in range(0, rows.shape[0], step):
        acc.add(np.asarray(rows[start : start + step], dtype=_work_dtype(arr)).reshape(-1))
        if time.perf_counter() - started > budget_s and start + step < rows.shape[0]:
            rest = rows[start + step :]
            stride = max(1, rest.shape[0] // max(1, _SAMPLE_ELEMENTS // row_size))
            sample = _Accumulator()
            sample.add(np.asarray(rest[::stride], dtype=_work_dtype(arr)).reshape(-1))
            return acc.with_sample_of_rest(sample, rest.shape[0] * row_size)
    return acc.result(exact=True)


def _work_dtype(arr: np.ndarray) -> np.dtype:
    return np.dtype(np.float64) if arr.dtype.kind in "bu" else arr.dtype


@dataclass(frozen=True)
class DataInfo:
    """What the watch shows for one of our data objects.

    Attributes
    ----------
    kind : str
        The data kind (``"analog"``, ``"points"``, …) or ``"clock"``.
    size : int
        Samples, events, intervals, entries, frames or ticks.
    key : str or None
        The key ``dm`` stores the object itself under.
    clock : str or None
        The clock of that key.
    """

    kind: str
    size: int
    key: str | None
    clock: str | None


def data_info(value: object, dm: DataManager | None = None) -> DataInfo | None:
    """Return the kind, size, key and clock of a data object (None for anything else)."""
    if isinstance(value, TimeFrame):
        name = next((n for n in dm.time_keys() if dm.get_time(n) is value), None) if dm else None
        return DataInfo("clock", len(value), None, name)
    if not isinstance(value, DATA_CLASSES):
        return None
    if isinstance(value, RaggedSeries):
        size = value.n_entries
    elif isinstance(value, MediaData):
        size = int(value.shape[0])
    else:
        size = len(value)  # type: ignore[arg-type]
    key = None
    if dm is not None:
        key = next((k for k in dm if dm.get_data(k) is value), None)
    clock = dm.time_key(key) if dm is not None and key is not None else None
    return DataInfo(data_type_of(value), int(size), key, clock)
