"""DigitalIntervalSeries: inclusive ``[start, end]`` intervals with entity ids."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core._arrays import holds_integers, owned, readonly
from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core._pickling import restored_array, restored_ids
from napari_whiskertoolbox.core._recording import SnapshotRecordingMixin, locked
from napari_whiskertoolbox.core.entity import allocate_ids, reserve_ids
from napari_whiskertoolbox.core.history import Change, frames_label
from napari_whiskertoolbox.core.wtb_aliases import IntervalAliases

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["DigitalIntervalSeries", "merge_intervals"]

Layout = Literal["disjoint", "overlapping"]
_Snapshot = tuple[np.ndarray, np.ndarray]


def _as_pairs(pairs: ArrayLike) -> np.ndarray:
    arr = np.asarray(pairs)
    if arr.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    if arr.ndim == 1 and arr.size == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"intervals must be an (N, 2) array of [start, end], got shape {arr.shape}"
        )
    if not holds_integers(arr):
        raise ValueError(f"interval bounds must be integers, got {arr.dtype} values")
    out = arr.astype(np.int64, copy=False)
    bad = np.flatnonzero(out[:, 1] < out[:, 0])
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"interval {i} has end {out[i, 1]} < start {out[i, 0]} (expected start <= end)"
        )
    return out


def merge_intervals(pairs: np.ndarray, ids: np.ndarray) -> _Snapshot:
    """Merge overlapping or touching inclusive intervals, keeping the smallest id of each run.

    Parameters
    ----------
    pairs : (N, 2) int64 array
        Inclusive ``[start, end]`` intervals in any order.
    ids : (N,) uint64 array
        Entity id of each interval.

    Returns
    -------
    (M, 2) int64 array, (M,) uint64 array
        Disjoint, non-touching intervals sorted by start, and their ids.
    """
    if pairs.shape[0] == 0:
        return np.empty((0, 2), np.int64), np.empty(0, np.uint64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    p = pairs[order]
    i = ids[order]
    running_end = np.maximum.accumulate(p[:, 1])
    # a new run starts where the start is beyond the previous running end + 1
    new_run = np.ones(p.shape[0], dtype=bool)
    new_run[1:] = p[1:, 0] > running_end[:-1] + 1
    run_starts = np.flatnonzero(new_run)
    run_ends = np.append(run_starts[1:], p.shape[0]) - 1
    merged = np.column_stack((p[run_starts, 0], running_end[run_ends]))
    merged_ids = np.minimum.reduceat(i, run_starts)
    return merged, merged_ids


class DigitalIntervalSeries(SnapshotRecordingMixin[_Snapshot], ClockedMixin, IntervalAliases):
    """Inclusive ``[start, end]`` intervals (int64 indices into the bound clock) with ids.

    Parameters
    ----------
    pairs : array_like, optional
        ``(N, 2)`` starts and ends.
    ids : array_like of int, optional
        Entity id per interval; fresh ids are allocated when omitted.
    layout : {"disjoint", "overlapping"}
        ``"disjoint"`` (default) merges overlapping or touching intervals (``a.end + 1 ==
        b.start``), keeping the earliest (smallest) id; ``"overlapping"`` keeps them apart.
        Intervals already in the layout's order (and, for ``"disjoint"``, apart) are taken
        as they are after an O(n) check.
    copy : bool
        Copy ``pairs`` (and ``ids``) even when they can be used as they are (default True).
        With False the series takes ownership of an ``(N, 2)`` int64 array already in
        order (and a uint64 ``ids`` array): it marks them read-only.

    Signals
    -------
    changed(Change)
        Emitted after every edit; ``frames`` holds the times whose membership changed.
    """

    changed = Signal(object)

    def __init__(
        self,
        pairs: ArrayLike | None = None,
        ids: ArrayLike | None = None,
        layout: Layout = "disjoint",
        copy: bool = True,
    ) -> None:
        if layout not in ("disjoint", "overlapping"):
            raise ValueError(f"layout must be 'disjoint' or 'overlapping', got {layout!r}")
        self._layout: Layout = layout
        self._recorder = None
        self._lock = threading.RLock()
        source: ArrayLike = [] if pairs is None else pairs
        p = _as_pairs(source)
        if ids is None:
            i = allocate_ids(p.shape[0])
        else:
            i = np.asarray(ids, dtype=np.uint64).ravel()
            if i.size != p.shape[0]:
                raise ValueError(f"got {i.size} ids for {p.shape[0]} intervals")
            if i.size:
                reserve_ids(int(i.max()))
            if copy:
                i = owned(i, ids)
        if _in_layout_order(p, layout):
            # already normalised: no sort or merge, at most the one copy owning needs
            p = np.ascontiguousarray(owned(p, source) if copy else p)
        else:
            p, i = self._normalise(p, i)
        self._pairs = readonly(p)
        self._ids = readonly(i)

    def __getstate__(self) -> dict[str, object]:
        return {"pairs": self._pairs, "ids": self._ids, "layout": self._layout}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._layout = state["layout"]
        self._recorder = None
        self._lock = threading.RLock()
        self._pairs = restored_array(state["pairs"], np.int64).reshape(-1, 2)
        self._ids = restored_ids(state["ids"])

    def _normalise(self, pairs: np.ndarray, ids: np.ndarray) -> _Snapshot:
        if self._layout == "disjoint":
            return merge_intervals(pairs, ids)
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        return pairs[order], ids[order]

    def _set_arrays(self, pairs: np.ndarray, ids: np.ndarray) -> None:
        self._pairs = readonly(np.array(pairs, dtype=np.int64).reshape(-1, 2))
        self._ids = readonly(np.array(ids, dtype=np.uint64))

    def _snapshot(self) -> _Snapshot:
        return self._pairs, self._ids

    def _restore(self, snapshot: _Snapshot) -> Change:
        old = self._pairs
        self._pairs, self._ids = snapshot
        return _change_between(old, self._pairs)

    def _commit(self, label: str, pairs: np.ndarray, ids: np.ndarray) -> None:
        pairs, ids = self._normalise(pairs, ids)
        if np.array_equal(pairs, self._pairs) and np.array_equal(ids, self._ids):
            return
        before = self._snapshot()
        self._set_arrays(pairs, ids)
        self._record_snapshot(label, before, self._snapshot())
        self._emit(_change_between(before[0], self._pairs))

    @property
    def layout(self) -> Layout:
        """``"disjoint"`` or ``"overlapping"``."""
        return self._layout

    @property
    def intervals(self) -> np.ndarray:
        """Read-only ``(N, 2)`` int64 ``[start, end]`` rows sorted by start."""
        return self._pairs

    @property
    def ids(self) -> np.ndarray:
        """Read-only uint64 entity id per interval."""
        return self._ids

    def __len__(self) -> int:
        return int(self._pairs.shape[0])

    @locked
    def add(self, start: int, end: int) -> int:
        """Add ``[start, end]``; return the id of the interval now covering it."""
        new = _as_pairs([[start, end]])
        new_id = allocate_ids(1)
        self._commit(
            f"add interval {frames_label(start, end)}",
            np.concatenate([self._pairs, new]),
            np.concatenate([self._ids, new_id]),
        )
        return self._id_covering(int(start), int(new_id[0]))

    def _id_covering(self, start: int, new_id: int) -> int:
        if self._layout == "overlapping":
            return new_id
        row = self._row_at(start)
        return new_id if row is None else int(self._ids[row])

    def set_time(self, time: int, value: bool) -> None:
        """Mark the single time ``time`` inside (True) or outside (False) the intervals."""
        self.set_range(time, time, value)

    @locked
    def set_range(self, start: int, end: int, value: bool) -> None:
        """Mark ``[start, end]`` inside (True, like :meth:`add`) or outside (False).

        Clearing trims intervals that overlap the range and splits those that contain it;
        the right-hand part of a split gets a new id.
        """
        start, end = (int(x) for x in _as_pairs([[start, end]])[0])
        if value:
            self.add(start, end)
            return
        p, i = self._pairs, self._ids
        hit = (p[:, 0] <= end) & (p[:, 1] >= start)
        if not hit.any():
            return
        keep_p, keep_i = [p[~hit]], [i[~hit]]
        hp, hi = p[hit], i[hit]
        left = hp[:, 0] < start
        keep_p.append(np.column_stack((hp[left, 0], np.full(left.sum(), start - 1))))
        keep_i.append(hi[left])
        right = hp[:, 1] > end
        right_ids = hi[right].copy()
        both = left[right]
        right_ids[both] = allocate_ids(int(both.sum()))
        keep_p.append(np.column_stack((np.full(right.sum(), end + 1), hp[right, 1])))
        keep_i.append(right_ids)
        self._commit(
            f"clear intervals on {frames_label(start, end)}",
            np.concatenate(keep_p).astype(np.int64),
            np.concatenate(keep_i).astype(np.uint64),
        )

    @locked
    def remove(self, entity_id: int) -> bool:
        """Remove the interval with ``entity_id``; return False if there is none."""
        rows = np.flatnonzero(self._ids == np.uint64(entity_id))
        if rows.size == 0:
            return False
        start, end = (int(x) for x in self._pairs[rows[0]])
        self._commit(
            f"remove interval {frames_label(start, end)}",  # frames the timeline shows, not the entity id
            np.delete(self._pairs, rows, axis=0),
            np.delete(self._ids, rows),
        )
        return True

    @locked
    def update(self, entity_id: int, start: int, end: int) -> None:
        """Move interval ``entity_id`` to ``[start, end]`` (re-merging in disjoint layout)."""
        rows = np.flatnonzero(self._ids == np.uint64(entity_id))
        if rows.size == 0:
            raise KeyError(f"no interval with entity id {entity_id}")
        pairs = self._pairs.copy()
        old_start, old_end = (int(x) for x in pairs[rows[0]])
        pairs[rows[0]] = _as_pairs([[start, end]])[0]
        new_start, new_end = (int(x) for x in pairs[rows[0]])
        old, new = frames_label(old_start, old_end), frames_label(new_start, new_end)
        label = f"move interval {old} to {new}"
        self._commit(label, pairs, self._ids)

    @locked
    def set_intervals(self, pairs: ArrayLike, ids: ArrayLike | None = None) -> None:
        """Replace every interval (one undo step); new ids are allocated when omitted."""
        p = _as_pairs(pairs)
        i = allocate_ids(p.shape[0]) if ids is None else np.asarray(ids, dtype=np.uint64)
        if i.size != p.shape[0]:
            raise ValueError(f"got {i.size} ids for {p.shape[0]} intervals")
        if i.size:
            reserve_ids(int(i.max()))
        self._commit("set intervals", p, i)

    def clear(self) -> None:
        """Remove every interval (one undo step)."""
        self.set_intervals([])

    @locked
    def remove_interval(self, start: int, end: int) -> bool:
        """Remove the interval exactly ``[start, end]``; return False if there is none."""
        rows = np.flatnonzero((self._pairs[:, 0] == start) & (self._pairs[:, 1] == end))
        if rows.size == 0:
            return False
        return self.remove(int(self._ids[rows[0]]))

    def overlapping(self, start: int, end: int) -> np.ndarray:
        """Return the intervals overlapping ``[start, end]`` (a view in disjoint layout)."""
        if self._layout == "disjoint":
            lo = int(np.searchsorted(self._pairs[:, 1], start, side="left"))
            hi = int(np.searchsorted(self._pairs[:, 0], end, side="right"))
            return self._pairs[lo : max(lo, hi)]
        p = self._pairs
        return p[(p[:, 0] <= end) & (p[:, 1] >= start)]

    def _row_at(self, time: int) -> int | None:
        p = self._pairs
        if self._layout == "disjoint":
            row = int(np.searchsorted(p[:, 0], time, side="right")) - 1
            if row >= 0 and p[row, 1] >= time:
                return row
            return None
        rows = np.flatnonzero((p[:, 0] <= time) & (p[:, 1] >= time))
        return int(rows[0]) if rows.size else None

    def contains(self, time: int) -> bool:
        """Return True if ``time`` lies in some interval (ends inclusive)."""
        return self._row_at(int(time)) is not None

    def interval_at(self, time: int) -> tuple[int, int] | None:
        """Return ``(start, end)`` of the (first) interval containing ``time``, or None."""
        row = self._row_at(int(time))
        return None if row is None else (int(self._pairs[row, 0]), int(self._pairs[row, 1]))

    def id_at(self, time: int) -> int | None:
        """Return the id of the (first) interval containing ``time``, or None."""
        row = self._row_at(int(time))
        return None if row is None else int(self._ids[row])

    def copy(self) -> DigitalIntervalSeries:
        """Return a copy with the same intervals and fresh ids."""
        return DigitalIntervalSeries(self._pairs, layout=self._layout)

    def __repr__(self) -> str:
        layout = "" if self._layout == "disjoint" else f", layout={self._layout!r}"
        return f"DigitalIntervalSeries(intervals={len(self)}{layout})"


def _in_layout_order(pairs: np.ndarray, layout: Layout) -> bool:
    """Return True if ``pairs`` already is what :meth:`_normalise` would make of it (O(n)).

    Disjoint: starts increasing and each start more than one past the previous end (no
    overlap, no touching). Overlapping: sorted by start, then end.
    """
    starts, ends = pairs[:, 0], pairs[:, 1]
    if layout == "disjoint":
        return bool(np.all(starts[1:] > ends[:-1] + 1))
    later = starts[1:] > starts[:-1]
    return bool(np.all(later | ((starts[1:] == starts[:-1]) & (ends[1:] >= ends[:-1]))))


_ROW = np.dtype([("start", np.int64), ("end", np.int64)])


def _change_between(old: np.ndarray, new: np.ndarray) -> Change:
    """Change whose frames are the start and end of every interval added or removed."""
    as_rows = [np.ascontiguousarray(p, dtype=np.int64).view(_ROW).ravel() for p in (old, new)]
    changed = np.setxor1d(as_rows[0], as_rows[1])
    return Change(np.unique(np.concatenate([changed["start"], changed["end"]])))
