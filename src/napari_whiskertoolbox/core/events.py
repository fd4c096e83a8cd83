"""DigitalEventSeries: sorted unique int64 event times, each with an entity id."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core._arrays import (
    holds_integers,
    is_strictly_increasing,
    owned,
    readonly,
)
from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core._pickling import restored_array, restored_ids
from napari_whiskertoolbox.core._recording import SnapshotRecordingMixin, locked
from napari_whiskertoolbox.core.entity import allocate_ids, reserve_ids
from napari_whiskertoolbox.core.history import Change
from napari_whiskertoolbox.core.wtb_aliases import EventAliases

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["DigitalEventSeries"]

_Snapshot = tuple[np.ndarray, np.ndarray]


def _as_times(times: ArrayLike, what: str = "event times") -> np.ndarray:
    arr = np.asarray(times)
    if arr.ndim != 1:
        arr = arr.ravel() if arr.ndim == 0 else arr
        if arr.ndim != 1:
            raise ValueError(f"{what} must be 1-D, got shape {arr.shape}")
    if arr.size and not holds_integers(arr):
        raise ValueError(f"{what} must be integers, got {arr.dtype} values")
    return arr.astype(np.int64, copy=False)


class DigitalEventSeries(SnapshotRecordingMixin[_Snapshot], ClockedMixin, EventAliases):
    """Sorted unique event times (int64 indices into the bound clock) with entity ids.

    Parameters
    ----------
    times : array_like of int, optional
        Event times; sorted and de-duplicated (the first id of a duplicate is kept).
        Times that already are sorted and unique are taken as they are (an O(n) check,
        no sort).
    ids : array_like of int, optional
        Entity id per time; fresh ids are allocated when omitted.
    copy : bool
        Copy ``times`` (and ``ids``) even when they can be used as they are (default
        True). With False the series takes ownership of sorted unique int64 ``times``
        and uint64 ``ids`` arrays: it marks them read-only and the caller must not
        change them.

    Signals
    -------
    changed(Change)
        Emitted after every edit with the times touched.
    """

    changed = Signal(object)

    def __init__(
        self, times: ArrayLike | None = None, ids: ArrayLike | None = None, copy: bool = True
    ) -> None:
        self._recorder = None
        self._lock = threading.RLock()
        t, i = self._build(times, ids, copy)
        self._times = readonly(t)
        self._ids = readonly(i)

    def __getstate__(self) -> dict[str, np.ndarray]:
        return {"times": self._times, "ids": self._ids}

    def __setstate__(self, state: dict[str, np.ndarray]) -> None:
        self._recorder = None
        self._lock = threading.RLock()
        self._times = restored_array(state["times"], np.int64)
        self._ids = restored_ids(state["ids"])

    @staticmethod
    def _build(times: ArrayLike | None, ids: ArrayLike | None, copy: bool) -> _Snapshot:
        """Return sorted unique times and their ids, as arrays the series owns."""
        source: ArrayLike = [] if times is None else times
        t = _as_times(source)
        if ids is None:
            i = allocate_ids(t.size)
        else:
            i = np.asarray(ids, dtype=np.uint64).ravel()
            if i.size != t.size:
                raise ValueError(f"got {i.size} ids for {t.size} event times")
            if i.size:
                reserve_ids(int(i.max()))
            if copy:
                i = owned(i, ids)
        if is_strictly_increasing(t):
            # already sorted and unique: no sort, at most the one copy that owning needs
            return (owned(t, source) if copy else t), i
        t, first = np.unique(t, return_index=True)
        return t, i[first]

    def _set_arrays(self, times: np.ndarray, ids: np.ndarray) -> None:
        self._times = readonly(np.array(times, dtype=np.int64))
        self._ids = readonly(np.array(ids, dtype=np.uint64))

    def _snapshot(self) -> _Snapshot:
        return self._times, self._ids

    def _restore(self, snapshot: _Snapshot) -> Change:
        old = self._times
        self._times, self._ids = snapshot
        return Change(np.setxor1d(old, self._times))

    @property
    def times(self) -> np.ndarray:
        """Read-only sorted int64 event times."""
        return self._times

    @property
    def ids(self) -> np.ndarray:
        """Read-only uint64 entity id per event."""
        return self._ids

    def __len__(self) -> int:
        return int(self._times.size)

    def _commit(self, label: str, times: np.ndarray, ids: np.ndarray, touched: ArrayLike) -> None:
        if np.array_equal(times, self._times) and np.array_equal(ids, self._ids):
            return
        before = self._snapshot()
        self._set_arrays(times, ids)
        self._record_snapshot(label, before, self._snapshot())
        self._emit(Change(np.unique(np.asarray(touched, dtype=np.int64))))

    @locked
    def add(self, time: int) -> int:
        """Add an event at ``time``; return its id (the existing id if already present)."""
        t = int(time)
        pos = int(np.searchsorted(self._times, t))
        if pos < self._times.size and self._times[pos] == t:
            return int(self._ids[pos])
        new_id = allocate_ids(1)
        self._commit(
            f"add event {t}",
            np.insert(self._times, pos, t),
            np.insert(self._ids, pos, new_id),
            [t],
        )
        return int(new_id[0])

    @locked
    def remove(self, time: int) -> bool:
        """Remove the event at ``time``; return False if there was none."""
        t = int(time)
        pos = int(np.searchsorted(self._times, t))
        if pos >= self._times.size or self._times[pos] != t:
            return False
        self._commit(
            f"remove event {t}", np.delete(self._times, pos), np.delete(self._ids, pos), [t]
        )
        return True

    @locked
    def set_times(self, times: ArrayLike) -> None:
        """Replace all events (one undo step); times already present keep their ids."""
        new = np.unique(_as_times(times))
        ids = allocate_ids(new.size)
        _common, new_pos, old_pos = np.intersect1d(
            new, self._times, assume_unique=True, return_indices=True
        )
        ids[new_pos] = self._ids[old_pos]
        touched = np.setxor1d(new, self._times)
        self._commit("set event times", new, ids, touched)

    def clear(self) -> None:
        """Remove every event (one undo step)."""
        self.set_times([])

    def in_range(self, start: int, end: int) -> np.ndarray:
        """Return a view of the event times with ``start <= t <= end``."""
        lo, hi = self._bounds(start, end)
        return self._times[lo:hi]

    def ids_in_range(self, start: int, end: int) -> np.ndarray:
        """Return a view of the ids of the events with ``start <= t <= end``."""
        lo, hi = self._bounds(start, end)
        return self._ids[lo:hi]

    def _bounds(self, start: int, end: int) -> tuple[int, int]:
        lo = int(np.searchsorted(self._times, start, side="left"))
        hi = int(np.searchsorted(self._times, end, side="right"))
        return lo, max(lo, hi)

    def contains(self, time: int) -> bool:
        """Return True if there is an event at exactly ``time``."""
        pos = int(np.searchsorted(self._times, int(time)))
        return pos < self._times.size and int(self._times[pos]) == int(time)

    def __contains__(self, time: object) -> bool:
        return isinstance(time, (int, np.integer)) and self.contains(int(time))

    def copy(self) -> DigitalEventSeries:
        """Return a copy with the same times and fresh ids (ids are unique per process)."""
        return DigitalEventSeries(self._times)

    def __repr__(self) -> str:
        """Return ``DigitalEventSeries(events=N)``, as WhiskerToolbox prints it."""
        return f"DigitalEventSeries(events={len(self)})"
