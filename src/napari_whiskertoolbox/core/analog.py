"""AnalogTimeSeries: float32 samples at int64 time indices (dense or sparse)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core._arrays import readonly, readonly_view
from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core._pickling import restored_array
from napari_whiskertoolbox.core._recording import RecordingMixin
from napari_whiskertoolbox.core.writable import (
    WritableStorage,
    can_write,
    is_shared,
    share,
    writable_block,
)
from napari_whiskertoolbox.core.wtb_aliases import AnalogAliases

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from numpy.typing import ArrayLike

__all__ = ["AnalogTimeSeries"]


def _validate_times(times: ArrayLike, n: int) -> np.ndarray:
    arr = np.asarray(times)
    if arr.ndim == 0 and arr.dtype == object:  # a clock (TimeFrame) or another object
        raise TypeError(
            f"AnalogTimeSeries times must be the samples' indices on their clock (one integer "
            f"per value, {n}), got a {type(times).__name__}: to put the series on a clock, "
            "give the clock's name to dm.setData(key, series, time_key), with times=None "
            "for samples 0..n-1"
        )
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(
            f"AnalogTimeSeries times must be a 1-D array with one entry per value ({n}), "
            f"got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"AnalogTimeSeries times must be integers, got dtype {arr.dtype}")
    out = np.array(arr, dtype=np.int64, copy=True)
    bad = np.flatnonzero(np.diff(out) < 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise ValueError(
            f"AnalogTimeSeries times must be sorted; index {i} ({out[i]}) < index {i - 1} "
            f"({out[i - 1]})"
        )
    return readonly(out)


class AnalogTimeSeries(RecordingMixin, ClockedMixin, AnalogAliases):
    """A float32 signal sampled at int64 time indices.

    Parameters
    ----------
    values : array_like
        1-D samples, stored as float32 (empty by default).
    times : array_like of int or int, optional
        Sorted time index of each sample; ``None`` means dense ``0 .. N-1``. An int equal
        to ``len(values)`` also means dense (WhiskerToolbox's ``(values, num_samples)``).
    copy : bool
        Copy ``values`` even when they already are contiguous float32 (default True).
    unit : str, optional
        Physical unit of the values (``"V"``, ``"deg"``); ``None`` when unknown. Kept by
        sessions and by NWB (a ``TimeSeries``' ``unit``).

    Attributes
    ----------
    unit : str or None
        Physical unit of the values.

    Notes
    -----
    :attr:`values` and ``np.asarray(series)`` are read-only views of the storage (no copy).
    """

    changed = Signal(object)

    def __init__(
        self,
        values: ArrayLike = (),
        times: ArrayLike | int | None = None,
        copy: bool = True,
        *,
        unit: str | None = None,
    ) -> None:
        arr = np.asarray(values, dtype=np.float32 if np.size(values) == 0 else None)
        if arr.ndim != 1:
            raise ValueError(f"AnalogTimeSeries values must be 1-D, got shape {arr.shape}")
        if copy:
            arr = np.array(arr, dtype=np.float32, copy=True)
        else:
            arr = np.ascontiguousarray(arr, dtype=np.float32)
        self._raw: np.ndarray | None = None
        self._scale = 1.0
        self._offset = 0.0
        self._n = int(arr.size)
        self._values: np.ndarray | None
        self._values_view: np.ndarray | None
        self._set_values(arr)
        if isinstance(times, (int, np.integer)):
            if int(times) != self._n:
                raise ValueError(
                    f"num_samples {int(times)} does not match the {self._n} values given"
                )
            times = None
        self._times = None if times is None else _validate_times(times, self._n)
        self._dense_times: np.ndarray | None = None
        self._lock = threading.Lock()
        self._recorder = None
        self.unit = unit

    def __getstate__(self) -> dict[str, Any]:
        raw = None if self._raw is None else np.asarray(self._raw)  # a memmap pickles as data
        return {
            "values": self._values,
            "raw": raw,
            "scale": self._scale,
            "offset": self._offset,
            "times": self._times,
            "unit": self.unit,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        raw = state["raw"]
        self._raw = None if raw is None else restored_array(raw, raw.dtype)
        self._scale = float(state["scale"])
        self._offset = float(state["offset"])
        self._values = None
        self._values_view = None
        if state["values"] is not None:
            self._set_values(restored_array(state["values"], np.float32))
        source = self._values if self._values is not None else self._raw
        self._n = 0 if source is None else int(source.shape[0])
        times = state["times"]
        self._times = None if times is None else restored_array(times, np.int64)
        self._dense_times = None
        self._lock = threading.Lock()
        self._recorder = None
        self.unit = state.get("unit")

    def _set_values(self, arr: np.ndarray) -> np.ndarray:
        """Store float32 ``arr`` as the samples; return their read-only view."""
        self._values = arr
        self._values_view = readonly_view(arr)
        return self._values_view

    @classmethod
    def from_raw(
        cls,
        raw: np.ndarray,
        scale: float = 1.0,
        offset: float = 0.0,
        times: ArrayLike | None = None,
        unit: str | None = None,
    ) -> AnalogTimeSeries:
        """Wrap raw (e.g. memory-mapped int16) samples without reading them.

        Values are ``raw * scale + offset``. The float32 array is materialised lazily,
        once, on first access of :attr:`values`; :meth:`range` converts only the range.

        Parameters
        ----------
        raw : numpy.ndarray
            1-D raw samples (a ``numpy.memmap`` stays unread until needed).
        scale, offset : float
            Linear conversion to physical units.
        times : array_like of int, optional
            Time index per sample; ``None`` means dense.
        unit : str, optional
            Physical unit of the values.
        """
        if raw.ndim != 1:
            raise ValueError(f"raw samples must be 1-D, got shape {raw.shape}")
        self = cls.__new__(cls)
        self._raw = raw
        self._scale = float(scale)
        self._offset = float(offset)
        self._n = int(raw.shape[0])
        self._values = None
        self._values_view = None
        self._times = None if times is None else _validate_times(times, self._n)
        self._dense_times = None
        self._lock = threading.Lock()
        self._recorder = None
        self.unit = unit
        return self

    def _unconverted(self) -> np.ndarray:
        """Return the raw samples of a series whose float32 values are not materialised.

        Raises
        ------
        RuntimeError
            If the series has no raw samples (every constructor sets values or raw).
        """
        if self._raw is None:
            raise RuntimeError("AnalogTimeSeries has neither float32 values nor raw samples")
        return self._raw

    def _convert_raw(self, raw: np.ndarray) -> np.ndarray:
        out = np.asarray(raw, dtype=np.float32)
        if out is raw or np.shares_memory(out, raw):
            out = out.copy()
        if self._scale != 1.0:
            out *= np.float32(self._scale)
        if self._offset != 0.0:
            out += np.float32(self._offset)
        return out

    @property
    def is_materialized(self) -> bool:
        """False while memory-mapped raw data has not been converted to float32."""
        return self._values is not None

    @property
    def values(self) -> np.ndarray:
        """Read-only float32 view of the samples (zero-copy)."""
        view = self._values_view
        if view is None:
            with self._lock:
                view = self._values_view
                if view is None:
                    view = self._set_values(self._convert_raw(self._unconverted()))
        return view

    @property
    def is_dense(self) -> bool:
        """True when samples sit at time indices ``0 .. N-1``."""
        return self._times is None

    @property
    def times(self) -> np.ndarray:
        """Read-only int64 time index of each sample."""
        if self._times is not None:
            return self._times
        if self._dense_times is None:
            self._dense_times = readonly(np.arange(self._n, dtype=np.int64))
        return self._dense_times

    def __len__(self) -> int:
        return self._n

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return self._n

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        values = self.values
        if dtype is not None and np.dtype(dtype) != values.dtype:
            if copy is False:
                raise ValueError("cannot convert AnalogTimeSeries values without a copy")
            return values.astype(dtype)
        if copy:
            return values.copy()
        return values

    def _index_range(self, start: int, end: int) -> tuple[int, int]:
        if self._times is None:
            lo = min(max(int(start), 0), self._n)
            hi = min(max(int(end) + 1, 0), self._n)
            return lo, max(lo, hi)
        lo = int(np.searchsorted(self._times, start, side="left"))
        hi = int(np.searchsorted(self._times, end, side="right"))
        return lo, max(lo, hi)

    def range(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(times, values)`` with ``start <= time <= end``.

        ``values`` is a view when the samples are materialised (unmaterialised raw data is
        converted for the range only); ``times`` is a view for sparse series and a small
        ``arange`` for dense ones.
        """
        lo, hi = self._index_range(start, end)
        view = self._values_view
        if view is None:
            values = readonly(self._convert_raw(self._unconverted()[lo:hi]))
        else:
            values = view[lo:hi]
        if self._times is None:
            times = readonly(np.arange(lo, hi, dtype=np.int64))
        else:
            times = self._times[lo:hi]
        return times, values

    def value_at(self, time: int) -> float | None:
        """Return the sample at exactly ``time``, or None if there is none.

        Raises
        ------
        ValueError
            ``time`` holds several samples (a ragged result, such as a line angle of every
            line of a frame); :meth:`values_at` returns all of them.
        """
        lo, hi = self._index_range(time, time)
        if hi <= lo:
            return None
        if hi - lo > 1:
            raise ValueError(
                f"time index {int(time)} holds {hi - lo} values (a ragged series: several "
                f"values at one time); values_at({int(time)}) returns all of them"
            )
        values = self._values
        if values is None:
            return float(self._convert_raw(self._unconverted()[lo : lo + 1])[0])
        return float(values[lo])

    def values_at(self, time: int) -> np.ndarray:
        """Return every sample at exactly ``time``.

        A ragged result (a float measurement of every line, mask or point of a frame) holds
        several samples at one time, in the order of the objects in their frame.

        Parameters
        ----------
        time : int
            Time index on the series' clock.

        Returns
        -------
        numpy.ndarray
            ``(k,)`` float32, read-only: ``k`` = 0 when ``time`` has no sample, 1 for an
            ordinary series. Equal to ``range(time, time)[1]``.
        """
        return self.range(time, time)[1]

    def writable(self) -> AbstractContextManager[np.ndarray]:
        """Return a ``with`` block handing out the samples as a writable zero-copy array.

        ``with series.writable() as arr: arr *= 2`` changes the series itself; on leaving
        the block the edit is one undo step (in a DataManager) and one ``changed`` signal
        with the time indices touched. See :mod:`napari_whiskertoolbox.core.writable`.
        Memory-mapped or read-only samples are copied into memory once, on first use.
        """
        return writable_block(
            self, WritableStorage(self._writable_values, self._times_of, "edit analog values")
        )

    def _writable_values(self) -> np.ndarray:
        values = self._values
        if values is None:
            self.values  # noqa: B018 - materialises the float32 samples
            values = self._values
        assert values is not None
        if not can_write(values) or is_shared(values):
            with self._lock:
                values = np.array(values, copy=True)
                self._set_values(values)
        return values

    def frozen_values(self) -> Callable[[], np.ndarray]:
        """Return a function giving :attr:`values` as they are now, from any thread.

        Nothing is copied or converted here; an in-place ``writable()`` edit made while the
        function lives writes into a copy (see :func:`~napari_whiskertoolbox.core.writable.share`).
        """
        with self._lock:
            values, raw = self._values, self._raw
        if values is None:
            return lambda: self._convert_raw(self._unconverted() if raw is None else raw)
        token = share(values)

        def read() -> np.ndarray:
            _ = token  # lent while this function lives
            return readonly_view(values)

        return read

    def _times_of(self, positions: np.ndarray) -> np.ndarray:
        if self._times is None:
            return positions.astype(np.int64, copy=False)
        return np.unique(self._times[positions])

    def copy(self) -> AnalogTimeSeries:
        """Return an independent copy (materialises raw data)."""
        return AnalogTimeSeries(
            self.values, None if self._times is None else self._times, unit=self.unit
        )

    def __repr__(self) -> str:
        """Return WhiskerToolbox's ``AnalogTimeSeries(samples=N)``, plus sparse/lazy if so."""
        sparse = "" if self.is_dense else ", sparse=True"
        lazy = "" if self.is_materialized else ", lazy=True"
        return f"AnalogTimeSeries(samples={self._n}{sparse}{lazy})"
