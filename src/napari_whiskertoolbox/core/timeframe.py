"""Clocks: :class:`TimeFrame` maps frame indices to master-clock times and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import numpy as np

from napari_whiskertoolbox.core.wtb_aliases import TimeFrameAliases, TimeFrameIndexAliases

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["TimeFrame", "TimeFrameIndex"]


class TimeFrameIndex(int, TimeFrameIndexAliases):
    """An integer index into a :class:`TimeFrame` (an ``int`` subclass).

    Adding or subtracting an integer (or another index) gives a :class:`TimeFrameIndex`,
    as in WhiskerToolbox; ``str()`` is the plain number, ``repr()`` names the class.
    Other arithmetic gives plain numbers.
    """

    @property
    def value(self) -> int:
        """The index as a plain ``int``."""
        return int(self)

    def __add__(self, other: object) -> TimeFrameIndex:
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return TimeFrameIndex(int(self) + int(other))
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> TimeFrameIndex:
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return TimeFrameIndex(int(self) - int(other))
        return NotImplemented

    def __rsub__(self, other: object) -> TimeFrameIndex:
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return TimeFrameIndex(int(other) - int(self))
        return NotImplemented

    def __hash__(self) -> int:
        return int.__hash__(self)

    def __repr__(self) -> str:
        return f"TimeFrameIndex({int(self)})"

    def __str__(self) -> str:
        return str(int(self))


def _as_int64_times(times: ArrayLike) -> np.ndarray:
    arr = np.asarray(times)
    if arr.ndim != 1:
        raise ValueError(f"TimeFrame times must be 1-D, got shape {arr.shape}")
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"TimeFrame times must be integers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"TimeFrame times must be integers; index {i} holds {arr[i]!r}")
    out = np.array(arr, dtype=np.int64, copy=True)
    if out.size > 1:
        bad = np.flatnonzero(np.diff(out) < 0)
        if bad.size:
            i = int(bad[0]) + 1
            raise ValueError(
                f"TimeFrame times must be non-decreasing; index {i} ({out[i]}) is smaller "
                f"than index {i - 1} ({out[i - 1]})"
            )
    out.setflags(write=False)
    return out


class TimeFrame(TimeFrameAliases):
    """A clock: an increasing int64 array mapping index → time (master-clock ticks).

    Parameters
    ----------
    times : array_like of int
        Non-decreasing time values, one per index.
    sampling_rate : float, optional
        Ticks of the time values per second; lets plots show seconds.

    Notes
    -----
    A *counting* clock (:meth:`from_count`: times ``0 .. n-1``) stores only ``n``: every
    conversion is arithmetic, so a clock of ``2e9`` samples (event times given as sample
    numbers of a 30 kHz recording) costs no memory until :attr:`times` is read. A
    *regular* clock (:meth:`regular`: times ``round(start + i * step)``, e.g. a counting
    clock counted in finer ticks, or a recording starting at a later tick) is the same.

    Examples
    --------
    >>> master = TimeFrame.from_count(1000)
    >>> camera = TimeFrame([0, 100, 200, 300])
    >>> camera.convert_index(2, master)
    200
    """

    def __init__(self, times: ArrayLike, sampling_rate: float | None = None) -> None:
        array = _as_int64_times(times)
        self._times: np.ndarray | None = array
        self._count = int(array.size)
        self._regular: tuple[float, float] | None = None  # (start, step) of a regular clock
        self._sampling_rate = _checked_rate(sampling_rate)

    def __getstate__(self) -> dict[str, Any]:
        if self._regular is not None:
            start, step = self._regular
            state: dict[str, Any] = {"count": self._count, "sampling_rate": self._sampling_rate}
            if not self.is_counting:
                state.update(start=start, step=step)
            return state
        return {"times": self._times, "sampling_rate": self._sampling_rate}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._sampling_rate = state["sampling_rate"]
        if "count" in state:
            form = (float(state.get("start", 0.0)), float(state.get("step", 1.0)))
            self._times, self._count, self._regular = None, int(state["count"]), form
            return
        times = np.asarray(state["times"], dtype=np.int64)
        times.setflags(write=False)
        self._times, self._count, self._regular = times, int(times.size), None

    @classmethod
    def from_count(cls, n: int, sampling_rate: float | None = None) -> TimeFrame:
        """Return the counting clock whose times are ``0 .. n-1`` (stores only ``n``).

        Raises
        ------
        ValueError
            If ``n`` is negative or ``sampling_rate`` is not a positive finite number.
        """
        return cls.regular(n, 1.0, 0.0, sampling_rate)

    @classmethod
    def regular(
        cls, n: int, step: float, start: float = 0.0, sampling_rate: float | None = None
    ) -> TimeFrame:
        """Return the clock whose time ``i`` is ``round(start + i * step)`` (stores 3 numbers).

        Parameters
        ----------
        n : int
            Number of indices.
        step : float
            Ticks from one index to the next (> 0). It need not be whole (a counting clock
            counted in 1.5 times finer ticks): each time is rounded to the nearest tick,
            ties to even, as ``numpy.rint``.
        start : float
            Tick of index 0 (e.g. a recording that starts 2 s into the master clock).
        sampling_rate : float, optional
            Ticks per second.

        Raises
        ------
        ValueError
            If ``n`` is negative, ``step`` is not a positive finite number, ``start`` is
            not finite, or ``sampling_rate`` is not a positive finite number.
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"TimeFrame count must be >= 0, got {n}")
        step, start = float(step), float(start)
        if not np.isfinite(step) or step <= 0:
            raise ValueError(f"TimeFrame step must be a positive finite number, got {step}")
        if not np.isfinite(start):
            raise ValueError(f"TimeFrame start must be finite, got {start}")
        clock = cls.__new__(cls)
        clock._times, clock._count = None, n
        clock._regular = (start, step)
        clock._sampling_rate = _checked_rate(sampling_rate)
        return clock

    def with_sampling_rate(self, sampling_rate: float | None) -> TimeFrame:
        """Return this clock with another ``sampling_rate`` (a regular clock stays regular).

        Raises
        ------
        ValueError
            If ``sampling_rate`` is not a positive finite number.
        """
        if self._regular is not None:
            start, step = self._regular
            return TimeFrame.regular(self._count, step, start, sampling_rate)
        out = TimeFrame.__new__(TimeFrame)
        out._times, out._count, out._regular = self._times, self._count, None
        out._sampling_rate = _checked_rate(sampling_rate)
        return out

    @property
    def sampling_rate(self) -> float | None:
        """Ticks of the time values per second, or None."""
        return self._sampling_rate

    @property
    def is_counting(self) -> bool:
        """Whether the times are ``0 .. n-1`` as made by :meth:`from_count`."""
        return self._regular == _COUNTING_FORM

    @property
    def regular_form(self) -> tuple[float, float] | None:
        """``(start, step)`` of a regular clock (time ``i`` is ``round(start + i * step)``).

        ``(0.0, 1.0)`` for a counting clock; None for a clock made from an array of times
        (even an evenly spaced one).
        """
        return self._regular

    @property
    def samples_per_second(self) -> float | None:
        """Indices per second: ``sampling_rate`` over the average tick step, or None.

        Equal to ``sampling_rate`` for a clock of consecutive ticks; a camera clock of
        master ticks ``[0, 10, 20, ...]`` at 5000 ticks per second has 500.
        """
        rate = self._sampling_rate
        n = self._count
        if rate is None or n < 2:
            return rate
        if self._regular is not None:
            return rate / self._regular[1]
        step = float(self.time_at_index(n - 1) - self.time_at_index(0)) / (n - 1)
        return rate / step if step > 0 else rate

    @property
    def times(self) -> np.ndarray:
        """Read-only int64 array of the time values, shape ``(len(self),)``.

        A counting clock builds it on first use (8 bytes an index): prefer the conversion
        methods on long clocks.
        """
        if self._times is None:
            times = self._regular_times(np.arange(self._count, dtype=np.int64))
            times.setflags(write=False)
            self._times = times
        return self._times

    def __len__(self) -> int:
        return self._count

    @property
    def n_frames(self) -> int:
        """Number of indices in the clock."""
        return self._count

    def _require_nonempty(self) -> None:
        if self._count == 0:
            raise ValueError("TimeFrame is empty: it has no index or time to convert")

    def time_at_index(self, index: int) -> int:
        """Return the time at ``index``, clamping the index to ``[0, len - 1]``."""
        self._require_nonempty()
        i = min(max(int(index), 0), self._count - 1)
        if self.is_counting:
            return i
        if self._regular is not None:
            return int(self._regular_times(np.asarray([i], np.int64))[0])
        return int(self.times[i])

    def times_at_indices(self, indices: ArrayLike) -> np.ndarray:
        """Vectorised :meth:`time_at_index` (int64 array out)."""
        self._require_nonempty()
        idx = np.clip(np.asarray(indices, dtype=np.int64), 0, self._count - 1)
        if self.is_counting:
            return idx
        return self._regular_times(idx) if self._regular is not None else self.times[idx]

    def _regular_times(self, idx: np.ndarray) -> np.ndarray:
        """Return the times of indices ``idx`` (int64, in range) of a regular clock."""
        assert self._regular is not None
        start, step = self._regular
        if self.is_counting:
            return np.asarray(idx, np.int64)
        if start.is_integer() and step.is_integer():  # exact in integers
            return np.asarray(int(start) + idx * int(step), np.int64)
        return np.rint(start + idx.astype(np.float64) * step).astype(np.int64)

    def _first_at_or_after(self, t: np.ndarray) -> np.ndarray:
        """``searchsorted(times, t, side="left")`` of a regular clock, without ``times``."""
        assert self._regular is not None
        start, step = self._regular
        n = self._count
        est = np.ceil((np.asarray(t, np.float64) - 0.5 - start) / step)
        k = np.clip(np.nan_to_num(est, nan=n, posinf=n, neginf=0), 0, n).astype(np.int64)
        while True:  # the estimate is exact but for float rounding and ties to even
            down = (k > 0) & (self._regular_times(np.maximum(k - 1, 0)) >= t)
            up = (k < n) & (self._regular_times(np.minimum(k, n - 1)) < t)
            if not (down.any() or up.any()):
                return k
            k = k - down + (up & ~down)

    def index_at_time(self, time: int, preceding: bool = True) -> int:
        """Return the index for ``time``.

        Parameters
        ----------
        time : int
            A time value (master-clock ticks).
        preceding : bool
            True: the exact match, else the nearest index (ties go to the earlier one).
            False: the first index whose time is ``>= time``.
            Either way the result is clamped to ``[0, len - 1]``.
        """
        return int(self.indices_at_times(np.asarray([time]), preceding)[0])

    def indices_at_times(self, times: ArrayLike, preceding: bool = True) -> np.ndarray:
        """Vectorised :meth:`index_at_time` (int64 array out)."""
        self._require_nonempty()
        t = np.asarray(times)
        if self.is_counting:
            return _counting_indices(t, self._count, preceding)
        if self._regular is not None:
            return self._regular_indices(t, preceding)
        ts = self.times
        n = ts.size
        pos = np.searchsorted(ts, t, side="left").astype(np.int64)
        if not preceding:
            return np.minimum(pos, n - 1)
        nxt = np.minimum(pos, n - 1)
        prev = np.maximum(pos - 1, 0)
        prev = np.searchsorted(ts, ts[prev], side="left")  # first of duplicated times
        d_next = np.abs(ts[nxt] - t)
        d_prev = np.abs(t - ts[prev])
        return np.where(d_prev <= d_next, prev, nxt).astype(np.int64)

    def _regular_indices(self, t: np.ndarray, preceding: bool) -> np.ndarray:
        """:meth:`indices_at_times` of a regular clock (the same rule, times computed)."""
        n = self._count
        pos = self._first_at_or_after(t)
        if not preceding:
            return np.minimum(pos, n - 1)
        nxt = np.minimum(pos, n - 1)
        prev = self._first_at_or_after(self._regular_times(np.maximum(pos - 1, 0)))
        d_next = np.abs(self._regular_times(nxt) - t)
        d_prev = np.abs(t - self._regular_times(prev))
        return np.where(d_prev <= d_next, prev, nxt).astype(np.int64)

    @overload
    def convert_index(self, index: int, to: TimeFrame, preceding: bool = True) -> int: ...
    @overload
    def convert_index(
        self, index: np.ndarray, to: TimeFrame, preceding: bool = True
    ) -> np.ndarray: ...
    def convert_index(self, index: Any, to: TimeFrame, preceding: bool = True) -> Any:
        """Convert an index (or array of indices) of this clock to clock ``to``."""
        if to is self:
            return index if np.ndim(index) else int(index)
        if np.ndim(index):
            return to.indices_at_times(self.times_at_indices(index), preceding)
        return to.index_at_time(self.time_at_index(index), preceding)

    def seconds_at_index(self, index: int) -> float:
        """Return ``time_at_index(index) / sampling_rate`` (needs ``sampling_rate``)."""
        if self.sampling_rate is None:
            raise ValueError("TimeFrame has no sampling_rate; cannot convert to seconds")
        return self.time_at_index(index) / self.sampling_rate

    def _ends(self) -> tuple[int, int] | tuple[()]:
        if self._count == 0:
            return ()
        return self.time_at_index(0), self.time_at_index(self._count - 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimeFrame):
            return NotImplemented
        if self.sampling_rate != other.sampling_rate or len(self) != len(other):
            return False
        if self._regular is not None and self._regular == other._regular:
            return True
        if self._regular is None and other._regular is None:
            return np.array_equal(self.times, other.times)
        if self._count == 0:
            return True
        for lo in range(0, self._count, _CHUNK):  # a regular clock's times are never built
            idx = np.arange(lo, min(lo + _CHUNK, self._count), dtype=np.int64)
            if not np.array_equal(self.times_at_indices(idx), other.times_at_indices(idx)):
                return False
        return True

    def __hash__(self) -> int:
        return hash((self._count, self._ends(), self._sampling_rate))

    def __repr__(self) -> str:
        ends = self._ends()
        span = f", times={ends[0]}..{ends[1]}" if ends else ""
        rate = f", sampling_rate={self.sampling_rate:g}" if self.sampling_rate else ""
        return f"TimeFrame(frames={len(self)}{span}{rate})"


_COUNTING_FORM = (0.0, 1.0)
"""``(start, step)`` of a counting clock: times ``0 .. n-1``."""
_CHUNK = 1 << 20
"""Indices compared at a time when a regular clock is compared with another clock."""


def _checked_rate(sampling_rate: float | None) -> float | None:
    if sampling_rate is None:
        return None
    rate = float(sampling_rate)
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"sampling_rate must be a positive finite number, got {rate}")
    return rate


def _counting_indices(t: np.ndarray, n: int, preceding: bool) -> np.ndarray:
    """:meth:`TimeFrame.indices_at_times` of the counting clock ``0 .. n-1``."""
    if t.dtype.kind in "iub":
        idx = t.astype(np.int64)
    else:
        # nearest index, ties to the earlier one; or the first index at or after t
        idx = np.ceil(t - 0.5) if preceding else np.ceil(t)
        idx = np.clip(np.nan_to_num(idx, nan=n), -1, n).astype(np.int64)
    return np.clip(idx, 0, n - 1)
