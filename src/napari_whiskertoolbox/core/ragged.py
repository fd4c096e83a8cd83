"""RaggedSeries: structure-of-arrays storage of per-frame entries (points, lines, masks).

Layout
------
* a sorted **main** store of flat arrays: per-entry ``times`` (int64) and ``ids`` (uint64),
  per-entry coordinate ``offsets`` (int64, ``E + 1``; absent for points, one coordinate
  per entry) and ``coords`` ``(P, 2)``;
* an **overlay** ``{frame: _Frame}`` holding the full content of frames edited since the
  last compaction (an empty ``_Frame`` means "frame cleared").

Reads look in the overlay, then binary-search the main store and return views. Edits
replace one frame in the overlay: O(entries on that frame). The overlay is folded into
the main store (one concatenate) when it exceeds ``compact_threshold`` frames or when a
flat export needs it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple, Self

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core._arrays import (
    holds_integers,
    overflowed_rows,
    readonly,
    readonly_view,
)
from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core._pickling import restored_array, restored_ids
from napari_whiskertoolbox.core._recording import RecordingMixin
from napari_whiskertoolbox.core.entity import allocate_ids, reserve_ids
from napari_whiskertoolbox.core.history import Change
from napari_whiskertoolbox.core.writable import (
    WritableStorage,
    can_write,
    is_shared,
    share,
    writable_block,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from contextlib import AbstractContextManager

    from numpy.typing import ArrayLike

__all__ = ["FlatRagged", "FrozenFlat", "ImageSize", "RaggedSeries"]


class ImageSize(NamedTuple):
    """Image size in pixels: ``ImageSize(width, height)``."""

    width: int
    height: int


class FlatRagged(NamedTuple):
    """Flat export of a ragged series (see :meth:`RaggedSeries.to_flat`).

    Attributes
    ----------
    times : (E,) int64
        Frame of each entry, sorted.
    ids : (E,) uint64
        Entity id of each entry.
    offsets : (E + 1,) int64 or None
        Entry ``k`` owns ``coords[offsets[k]:offsets[k + 1]]``; None for points.
    coords : (P, 2)
        ``(x, y)`` coordinates.
    """

    times: np.ndarray
    ids: np.ndarray
    offsets: np.ndarray | None
    coords: np.ndarray


class _Frame(NamedTuple):
    ids: np.ndarray  # (k,) uint64
    offsets: np.ndarray | None  # (k + 1,) int64 relative to coords, None for points
    coords: np.ndarray  # (p, 2)


class _Main(NamedTuple):
    times: np.ndarray
    ids: np.ndarray
    offsets: np.ndarray | None
    coords: np.ndarray


class _EntryParts:
    """Runs of entries collected in time order, concatenated once into a new ``_Main``."""

    def __init__(self) -> None:
        self.times: list[np.ndarray] = []
        self.ids: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        self.coords: list[np.ndarray] = []

    def add(
        self, times: np.ndarray, ids: np.ndarray, lengths: np.ndarray | None, coords: np.ndarray
    ) -> None:
        """Add a run of entries (views are fine: :meth:`build` copies).

        ``times`` and ``ids`` are ``(E,)``, ``lengths`` the ``(E,)`` coordinate counts (None
        for points) and ``coords`` the ``(P, 2)`` coordinates.
        """
        self.times.append(times)
        self.ids.append(ids)
        if lengths is not None:
            self.lengths.append(lengths)
        self.coords.append(coords)

    def add_main_slice(self, main: _Main, lo: int, hi: int) -> None:
        """Add main-store entries ``lo:hi`` (views, copied only by :meth:`build`)."""
        if hi <= lo:
            return
        if main.offsets is None:
            self.add(main.times[lo:hi], main.ids[lo:hi], None, main.coords[lo:hi])
        else:
            offsets = main.offsets[lo : hi + 1]
            coords = main.coords[offsets[0] : offsets[-1]]
            self.add(main.times[lo:hi], main.ids[lo:hi], np.diff(offsets), coords)

    def build(self, coord_dtype: np.dtype, has_offsets: bool) -> _Main:
        times = np.concatenate(self.times) if self.times else np.empty(0, np.int64)
        ids = np.concatenate(self.ids) if self.ids else np.empty(0, np.uint64)
        coords = np.concatenate(self.coords) if self.coords else np.empty((0, 2), coord_dtype)
        offsets = None
        if has_offsets:
            offsets = np.zeros(times.size + 1, np.int64)
            if self.lengths:
                np.cumsum(np.concatenate(self.lengths), out=offsets[1:])
            offsets = readonly(offsets)
        return _Main(readonly(times), readonly(ids), offsets, readonly(coords))


class FrozenFlat:
    """A ragged series' flat arrays at one moment (:meth:`RaggedSeries.frozen_flat`)."""

    def __init__(
        self, series: RaggedSeries, main: _Main, overlay: dict[int, _Frame], token: object
    ) -> None:
        self._series, self._main, self._overlay, self._token = series, main, overlay, token

    @property
    def nbytes(self) -> int:
        """Bytes of the flat arrays, at most (edited frames counted besides those they replace)."""
        arrays = [*self._main, *(a for frame in self._overlay.values() for a in frame)]
        return sum(a.nbytes for a in arrays if a is not None) + 8 * len(self._overlay)

    def __call__(self) -> FlatRagged:
        """Return the flat arrays (merging the edited frames: call it off the main thread)."""
        main = self._series._merged(self._main, self._overlay) if self._overlay else self._main
        return FlatRagged(main.times, main.ids, main.offsets, main.coords)


def _as_image_size(size: Any) -> ImageSize | None:
    if size is None:
        return None
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"image_size must be (width, height), got {size!r}") from None
    if width <= 0 or height <= 0:
        raise ValueError(f"image_size must be positive, got width={width} height={height}")
    return ImageSize(width, height)


def _as_int64_1d(values: ArrayLike, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-D, got shape {arr.shape}")
    if arr.size and not holds_integers(arr):
        raise ValueError(f"{what} must be integers, got {arr.dtype} values")
    return arr.astype(np.int64, copy=False)


class RaggedSeries(RecordingMixin, ClockedMixin):
    """Base class of :class:`PointData`, :class:`LineData` and :class:`MaskData`.

    Subclasses set ``coord_dtype``, ``has_offsets`` and implement ``_coerce_entry`` (one
    object → ``(n, 2)`` array) and ``_coerce_objects`` (an ``add``/``set_frame`` argument →
    list of ``(n, 2)`` arrays), plus ``at``.

    Signals
    -------
    changed(Change)
        Emitted after every edit with the frames touched.
    """

    changed = Signal(object)
    coord_dtype: np.dtype = np.dtype(np.float32)
    has_offsets: bool = True
    kind: str = "ragged"
    compact_threshold: int = 1024

    def __init__(self, image_size: Any = None) -> None:
        self._image_size = _as_image_size(image_size)
        self._recorder = None
        self._lock = threading.RLock()
        self._set_main(
            _Main(
                readonly(np.empty(0, np.int64)),
                readonly(np.empty(0, np.uint64)),
                readonly(np.zeros(1, np.int64)) if self.has_offsets else None,
                readonly(np.empty((0, 2), self.coord_dtype)),
            )
        )

    def __getstate__(self) -> dict[str, Any]:
        main = self.to_flat()  # folds edited frames into the flat arrays
        return {"image_size": self._image_size, "main": tuple(main)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        times, ids, offsets, coords = state["main"]
        self._image_size = _as_image_size(state["image_size"])
        self._recorder = None
        self._lock = threading.RLock()
        self._set_main(
            _Main(
                restored_array(times, np.int64),
                restored_ids(ids),
                None if offsets is None else restored_array(offsets, np.int64),
                restored_array(coords, self.coord_dtype),
            )
        )

    # ------------------------------------------------------------------ storage
    def _set_main(self, main: _Main) -> None:
        self._main = main
        self._overlay: dict[int, _Frame] = {}
        self._overlay_ids: dict[int, int] = {}
        self._main_id_order: tuple[np.ndarray, np.ndarray] | None = None
        self._main_frames: np.ndarray | None = None
        self._times_cache: np.ndarray | None = None
        self._n_entries = int(main.ids.size)

    def _empty_frame(self) -> _Frame:
        return _Frame(
            readonly(np.empty(0, np.uint64)),
            readonly(np.zeros(1, np.int64)) if self.has_offsets else None,
            readonly(np.empty((0, 2), self.coord_dtype)),
        )

    def _main_bounds(self, t: int) -> tuple[int, int]:
        times = self._main.times
        lo = int(np.searchsorted(times, t, side="left"))
        hi = int(np.searchsorted(times, t, side="right"))
        return lo, hi

    def _frame(self, t: int) -> _Frame:
        """Return the current content of frame ``t`` (views; never mutate)."""
        frame = self._overlay.get(t)
        if frame is not None:
            return frame
        main = self._main
        lo, hi = self._main_bounds(t)
        if main.offsets is None:
            return _Frame(main.ids[lo:hi], None, main.coords[lo:hi])
        offs = main.offsets[lo : hi + 1]
        return _Frame(main.ids[lo:hi], offs - offs[0], main.coords[offs[0] : offs[-1]])

    @staticmethod
    def _copy_frame_arrays(frame: _Frame) -> _Frame:
        return _Frame(
            readonly(frame.ids.copy()),
            None if frame.offsets is None else readonly(frame.offsets.copy()),
            readonly(frame.coords.copy()),
        )

    def _pack(self, ids: np.ndarray, objects: Sequence[np.ndarray]) -> _Frame:
        if self.has_offsets:
            lengths = np.fromiter((len(o) for o in objects), np.int64, len(objects))
            offsets = np.zeros(len(objects) + 1, np.int64)
            np.cumsum(lengths, out=offsets[1:])
        else:
            offsets = None
        if objects:
            coords = np.concatenate(objects).astype(self.coord_dtype, copy=False)
        else:
            coords = np.empty((0, 2), self.coord_dtype)
        return _Frame(
            readonly(np.asarray(ids, np.uint64).copy()),
            None if offsets is None else readonly(offsets),
            readonly(np.ascontiguousarray(coords)),
        )

    @staticmethod
    def _entry_lengths(frame: _Frame) -> np.ndarray:
        """Return the number of coordinates of each entry of ``frame`` (``(k,)`` int64)."""
        if frame.offsets is None:
            return np.ones(frame.ids.size, np.int64)
        return np.diff(frame.offsets)

    def _objects_of(self, frame: _Frame) -> list[np.ndarray]:
        if frame.offsets is None:
            return [frame.coords[k : k + 1] for k in range(frame.ids.size)]
        o = frame.offsets
        return [frame.coords[o[k] : o[k + 1]] for k in range(frame.ids.size)]

    def _write_frame(self, t: int, frame: _Frame) -> None:
        """Make ``frame`` the content of ``t`` (no recording, no signal)."""
        with self._lock:
            old = self._frame(t)
            previous = self._overlay.get(t)
            if previous is not None:
                for entity_id in previous.ids.tolist():
                    self._overlay_ids.pop(entity_id, None)
            self._overlay[t] = frame
            for entity_id in frame.ids.tolist():
                self._overlay_ids[entity_id] = t
            self._n_entries += int(frame.ids.size) - int(old.ids.size)
            self._times_cache = None
            if len(self._overlay) > self.compact_threshold:
                self.compact()

    def _edit_frame(self, t: int, frame: _Frame, label: str) -> None:
        """Replace frame ``t`` as one undoable step and emit ``changed``.

        Writing content identical to the current frame does nothing (no step, no signal).
        """
        with self._lock:
            current = self._frame(t)
            if _same_frame(current, frame):
                return
            before = self._copy_frame_arrays(current)
            self._write_frame(t, frame)
        if self._recorder is not None:
            self._record(
                label,
                lambda: self._replay(t, before),
                lambda: self._replay(t, frame),
            )
        self._emit(Change.at(t))

    def _replay(self, t: int, frame: _Frame) -> None:
        self._write_frame(t, frame)
        self._emit(Change.at(t))

    def compact(self) -> None:
        """Fold the overlay of edited frames into the sorted main store (one concatenate)."""
        with self._lock:
            if self._overlay:
                self._set_main(self._merged(self._main, self._overlay))

    def _merged(self, main: _Main, overlay: dict[int, _Frame]) -> _Main:
        """Return ``main`` with the frames of ``overlay`` replacing its own (new arrays)."""
        parts = _EntryParts()
        prev = 0
        for t in sorted(overlay):
            lo = int(np.searchsorted(main.times, t, side="left"))
            hi = int(np.searchsorted(main.times, t, side="right"))
            parts.add_main_slice(main, prev, lo)
            frame = overlay[t]
            if frame.ids.size:
                lengths = None if frame.offsets is None else np.diff(frame.offsets)
                parts.add(np.full(frame.ids.size, t, np.int64), frame.ids, lengths, frame.coords)
            prev = hi
        parts.add_main_slice(main, prev, main.times.size)
        return parts.build(self.coord_dtype, self.has_offsets)

    def frozen_flat(self) -> FrozenFlat:
        """Return :meth:`to_flat` of the series as it is now, merged when called.

        Costs O(frames edited since the last compaction) here, and changes nothing: the
        merge is done by calling the result, which may happen on another thread while the
        series is edited (edits replace arrays; an in-place ``writable()`` edit copies the
        coordinates first, see :func:`~napari_whiskertoolbox.core.writable.share`).
        """
        with self._lock:
            main, overlay = self._main, dict(self._overlay)
            return FrozenFlat(self, main, overlay, share(main.coords))

    # ------------------------------------------------------------------ ids
    def _locate(self, entity_id: int) -> int | None:
        """Frame holding ``entity_id``, or None."""
        entity_id = int(entity_id)
        t = self._overlay_ids.get(entity_id)
        if t is not None:
            return t
        main = self._main
        if main.ids.size == 0 or entity_id <= 0:
            return None
        if self._main_id_order is None:
            order = np.argsort(main.ids, kind="stable")
            self._main_id_order = (order, main.ids[order])
        order, sorted_ids = self._main_id_order
        pos = int(np.searchsorted(sorted_ids, np.uint64(entity_id)))
        if pos >= sorted_ids.size or int(sorted_ids[pos]) != entity_id:
            return None
        t = int(main.times[order[pos]])
        return None if t in self._overlay else t

    def _resolve_ids(self, t: int, ids: Any, n: int) -> np.ndarray:
        if ids is None:
            return allocate_ids(n)
        given = [0 if i is None else int(i) for i in ids]
        if len(given) != n:
            raise ValueError(f"set_frame at {t}: got {len(given)} ids for {n} objects")
        out = np.array(given, dtype=np.uint64)
        nonzero = out[out != 0]
        if np.unique(nonzero).size != nonzero.size:
            raise ValueError(f"set_frame at {t}: duplicate entity ids {sorted(nonzero.tolist())}")
        on_frame = set(self._frame(t).ids.tolist())
        for entity_id in nonzero.tolist():
            if entity_id in on_frame:
                continue
            where = self._locate(entity_id)
            if where is not None and where != t:
                raise ValueError(
                    f"set_frame at {t}: entity id {entity_id} already belongs to frame {where}"
                )
        if nonzero.size:
            reserve_ids(int(nonzero.max()))
        missing = out == 0
        out[missing] = allocate_ids(int(missing.sum()))
        return out

    # ------------------------------------------------------------------ subclass hooks
    def _coerce_entry(self, obj: Any) -> np.ndarray:
        raise NotImplementedError

    def _coerce_objects(self, objs: Any) -> list[np.ndarray]:
        raise NotImplementedError

    def _coerce_add(self, obj: Any) -> list[np.ndarray]:
        return [self._coerce_entry(obj)]

    # ------------------------------------------------------------------ public API
    @property
    def image_size(self) -> ImageSize | None:
        """``ImageSize(width, height)`` of the annotated images, or None when unknown."""
        return self._image_size

    @image_size.setter
    def image_size(self, size: Any) -> None:
        self._image_size = _as_image_size(size)
        self._emit(Change.everything())

    def set_image_size(self, size: Any) -> None:
        """Set :attr:`image_size` (``(width, height)`` or None)."""
        self.image_size = size

    def add(self, t: int, obj: Any) -> np.ndarray:
        """Append object(s) at frame ``t``; return the new ids (uint64 array)."""
        t = int(t)
        objects = self._coerce_add(obj)
        new_ids = allocate_ids(len(objects))
        with self._lock:
            current = self._frame(t)
            frame = self._pack(
                np.concatenate([current.ids, new_ids]), self._objects_of(current) + objects
            )
            self._edit_frame(t, frame, f"add {self.kind} at {t}")
        return new_ids

    def at(self, t: int) -> Any:
        """Return the content of frame ``t`` (read-only views)."""
        return self._objects_of(self._frame(int(t)))

    def ids_at(self, t: int) -> np.ndarray:
        """Return the uint64 ids at frame ``t`` (read-only view)."""
        return self._frame(int(t)).ids

    def count_at(self, t: int) -> int:
        """Return the number of entries at frame ``t``."""
        return int(self._frame(int(t)).ids.size)

    def set_frame(self, t: int, objs: Any, ids: Iterable[int | None] | None = None) -> np.ndarray:
        """Replace everything at frame ``t`` (one undo step).

        Parameters
        ----------
        t : int
            Frame (time index).
        objs : sequence
            The new objects of the frame (see the subclass for accepted forms).
        ids : sequence of int or None, optional
            Entity id per object; given ids are kept, ``0``/``None`` get new ids.

        Returns
        -------
        numpy.ndarray of uint64
            The ids now stored at ``t``, in order.
        """
        t = int(t)
        objects = self._coerce_objects(objs)
        with self._lock:
            new_ids = self._resolve_ids(t, None if ids is None else list(ids), len(objects))
            self._edit_frame(t, self._pack(new_ids, objects), f"set {self.kind} frame {t}")
        return new_ids

    def clear_at(self, t: int) -> None:
        """Remove every entry at frame ``t``."""
        t = int(t)
        with self._lock:
            if self.count_at(t):
                self._edit_frame(t, self._empty_frame(), f"clear {self.kind} frame {t}")

    def remove(self, entity_id: int) -> bool:
        """Remove the entry with ``entity_id``; return False if there is none."""
        with self._lock:
            t = self._locate(entity_id)
            if t is None:
                return False
            frame = self._frame(t)
            keep = np.flatnonzero(frame.ids != np.uint64(entity_id))
            objects = self._objects_of(frame)
            self._edit_frame(
                t,
                self._pack(frame.ids[keep], [objects[k] for k in keep]),
                f"remove {self.kind} on frame {t}",  # the frame, not the entity id
            )
        return True

    def update(self, entity_id: int, obj: Any) -> None:
        """Replace the geometry of entry ``entity_id`` (its id and frame are kept)."""
        entry = self._coerce_entry(obj)
        with self._lock:
            t = self._locate(entity_id)
            if t is None:
                raise KeyError(f"no {self.kind} with entity id {entity_id}")
            frame = self._frame(t)
            objects = self._objects_of(frame)
            k = int(np.flatnonzero(frame.ids == np.uint64(entity_id))[0])
            objects[k] = entry
            self._edit_frame(t, self._pack(frame.ids, objects), f"edit {self.kind} on frame {t}")

    def find(self, entity_id: int) -> tuple[int, np.ndarray] | None:
        """Return ``(frame, object)`` of entry ``entity_id``, or None."""
        t = self._locate(entity_id)
        if t is None:
            return None
        frame = self._frame(t)
        k = int(np.flatnonzero(frame.ids == np.uint64(entity_id))[0])
        return t, self._objects_of(frame)[k]

    def _main_frame_times(self) -> np.ndarray:
        frames = self._main_frames
        if frames is None:
            times = self._main.times
            if times.size:
                keep = np.empty(times.size, bool)
                keep[0] = True
                np.not_equal(times[1:], times[:-1], out=keep[1:])
                frames = times[keep]
            else:
                frames = times
            self._main_frames = frames
        return frames

    def times_with_data(self) -> np.ndarray:
        """Return the sorted int64 frames holding at least one entry."""
        cached = self._times_cache
        if cached is not None:
            return cached
        with self._lock:
            frames = self._main_frame_times()
            if self._overlay:
                keys = np.array(sorted(self._overlay), np.int64)
                pos = np.searchsorted(frames, keys)
                hit = pos < frames.size
                hit[hit] = frames[pos[hit]] == keys[hit]
                frames = np.delete(frames, pos[hit])
                filled = np.array([k for k in keys.tolist() if self._overlay[k].ids.size], np.int64)
                frames = np.insert(frames, np.searchsorted(frames, filled), filled)
            self._times_cache = readonly_view(frames)
            return self._times_cache

    @property
    def n_frames_with_data(self) -> int:
        """Number of frames holding at least one entry."""
        return int(self.times_with_data().size)

    @property
    def n_entries(self) -> int:
        """Total number of entries (points, lines or masks)."""
        return self._n_entries

    def __len__(self) -> int:
        return self._n_entries

    def next_time_with_data(self, t: int, step: int = 1) -> int | None:
        """Return the nearest frame holding data after ``t``, or None.

        With ``step < 0``, the nearest one before ``t`` instead.
        """
        times = self.times_with_data()
        if step >= 0:
            pos = int(np.searchsorted(times, int(t), side="right"))
            return int(times[pos]) if pos < times.size else None
        pos = int(np.searchsorted(times, int(t), side="left")) - 1
        return int(times[pos]) if pos >= 0 else None

    def previous_time_with_data(self, t: int) -> int | None:
        """Return the nearest frame before ``t`` that holds data, or None."""
        return self.next_time_with_data(t, step=-1)

    def to_flat(self) -> FlatRagged:
        """Return the whole store as read-only flat arrays (compacts first)."""
        self.compact()
        main = self._main
        return FlatRagged(main.times, main.ids, main.offsets, main.coords)

    def writable(self) -> AbstractContextManager[np.ndarray]:
        """Return a ``with`` block handing out all coordinates as a writable zero-copy array.

        The array is the flat ``(P, 2)`` coordinate store of :meth:`to_flat` (the series is
        compacted first); entry ``k`` owns rows ``offsets[k]:offsets[k + 1]`` (row ``k`` for
        points). Moving coordinates keeps every entity id. On leaving the block the edit is
        one undo step (in a DataManager) and one ``changed`` signal with the frames touched;
        NaN point or line coordinates are kept as written (napari layers do not draw them).
        Do not add or remove entries inside the block. See
        :mod:`napari_whiskertoolbox.core.writable`.
        """
        return writable_block(
            self,
            WritableStorage(
                self._writable_coords,
                self._frames_of_rows,
                f"edit {self.kind} coordinates",
            ),
        )

    def _writable_coords(self) -> np.ndarray:
        self.compact()
        main = self._main
        if (
            not can_write(main.coords)
            or not main.coords.flags.c_contiguous
            or is_shared(main.coords)  # a background save reads it: write into a copy
        ):
            with self._lock:
                coords = readonly(np.array(main.coords, copy=True, order="C"))
                self._main = main._replace(coords=coords)
        return self._main.coords

    def _frames_of_rows(self, positions: np.ndarray) -> np.ndarray:
        rows = np.unique(positions // 2)
        main = self._main
        entries = rows if main.offsets is None else np.searchsorted(main.offsets, rows, "right") - 1
        return np.unique(main.times[entries])

    @classmethod
    def from_flat(
        cls,
        times: ArrayLike,
        coords: ArrayLike,
        offsets: ArrayLike | None = None,
        ids: ArrayLike | None = None,
        image_size: Any = None,
        copy: bool = True,
    ) -> Self:
        """Build a series from flat arrays (cost close to one ``np.concatenate``).

        Parameters
        ----------
        times : (E,) array_like of int
            Frame of each entry (sorted or not).
        coords : (P, 2) array_like
            ``(x, y)`` coordinates.
        offsets : (E + 1,) or (E,) array_like of int, optional
            Entry ``k`` owns ``coords[offsets[k]:offsets[k + 1]]`` (with ``E`` values, the
            final ``P`` is implied). Required for lines and masks; must be None for points.
        ids : (E,) array_like of int, optional
            Entity ids (unique, non-zero); allocated when omitted.
        image_size : (width, height), optional
        copy : bool
            Copy ``coords`` even when it already has the storage dtype (default True).
        """
        self = cls(image_size=image_size)
        t = _as_int64_1d(times, "times")
        c = self._validate_flat_coords(coords, copy)
        n = t.size
        if self.has_offsets:
            if offsets is None:
                raise ValueError(f"{cls.__name__}.from_flat needs offsets (one per entry)")
            o = _as_int64_1d(offsets, "offsets")
            if o.size == n:
                o = np.append(o, c.shape[0])
            if o.size != n + 1 or o[0] != 0 or o[-1] != c.shape[0]:
                raise ValueError(
                    f"offsets must have {n + 1} values running from 0 to {c.shape[0]} "
                    f"(len(coords)), got {o.size} values"
                    + (f" from {o[0]} to {o[-1]}" if o.size else "")
                )
            bad = np.flatnonzero(np.diff(o) < 0)
            if bad.size:
                raise ValueError(
                    f"offsets must be non-decreasing; entry {int(bad[0])} has a negative length"
                )
        else:
            if offsets is not None:
                raise ValueError("points have one coordinate per entry: offsets must be None")
            if c.shape[0] != n:
                raise ValueError(f"got {c.shape[0]} point coordinates for {n} times")
            o = None
        if ids is None:
            i = allocate_ids(n)
        else:
            i = np.asarray(ids).astype(np.uint64).ravel()
            if i.size != n:
                raise ValueError(f"got {i.size} ids for {n} entries")
            if n:
                sorted_ids = np.sort(i)
                if sorted_ids[0] == 0:
                    raise ValueError("entity ids must be non-zero (0 means 'no entity')")
                dup = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
                if dup.size:
                    raise ValueError(f"duplicate entity id {int(sorted_ids[dup[0]])} in ids")
                reserve_ids(int(sorted_ids[-1]))
        if n > 1 and np.any(t[1:] < t[:-1]):
            t, i, o, c = _sort_entries(t, i, o, c)
        self._set_main(
            _Main(
                readonly(np.array(t, copy=True)),
                readonly(i),
                None if o is None else readonly(np.array(o, copy=True)),
                readonly_view(c),
            )
        )
        return self

    def _validate_flat_coords(self, coords: ArrayLike, copy: bool) -> np.ndarray:
        arr = np.asarray(coords)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(f"coords must be a (P, 2) array of (x, y), got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise ValueError(f"coords must be real numbers, got dtype {arr.dtype}")
        if self.coord_dtype.kind == "f":
            return _copy_float(arr, self.coord_dtype, copy)
        self._check_coords(arr, "coords")
        return np.array(arr, dtype=self.coord_dtype, copy=True if copy else None, order="C")

    def _check_coords(self, arr: np.ndarray, what: str) -> None:
        """Validate integer coordinates (hook for subclasses with integer ``coord_dtype``)."""

    def copy(self) -> Self:
        """Return an independent copy with fresh entity ids."""
        flat = self.to_flat()
        return type(self).from_flat(
            flat.times, flat.coords, flat.offsets, image_size=self._image_size
        )

    def copy_frame(self, src: int, dst: int) -> np.ndarray:
        """Append copies of frame ``src``'s entries to frame ``dst`` (new ids); return them."""
        src, dst = int(src), int(dst)
        with self._lock:
            objects = [o.copy() for o in self._objects_of(self._frame(src))]
            current = self._frame(dst)
            new_ids = allocate_ids(len(objects))
            frame = self._pack(
                np.concatenate([current.ids, new_ids]), self._objects_of(current) + objects
            )
            self._edit_frame(dst, frame, f"copy {self.kind} frame {src} to {dst}")
        return new_ids

    def __repr__(self) -> str:
        """Return WhiskerToolbox's ``PointData(times=T, entries=N)``, plus the image size."""
        size = f", image_size={tuple(self._image_size)}" if self._image_size else ""
        return (
            f"{type(self).__name__}(times={self.n_frames_with_data}, "
            f"entries={self.n_entries}{size})"
        )


def _same_frame(a: _Frame, b: _Frame) -> bool:
    return (
        np.array_equal(a.ids, b.ids)
        and (a.offsets is None or (b.offsets is not None and np.array_equal(a.offsets, b.offsets)))
        and np.array_equal(a.coords, b.coords, equal_nan=a.coords.dtype.kind == "f")
    )


def _copy_float(
    arr: np.ndarray, dtype: np.dtype, copy: bool, chunk_rows: int = 1 << 18
) -> np.ndarray:
    """Convert ``arr`` to C-contiguous ``dtype``, refusing finite values it cannot hold.

    NaN and infinite coordinates are kept; a finite value that overflows ``dtype`` (a
    float64 beyond float32's range) is refused. Works chunk by chunk so each chunk is
    checked while it is still in cache: the cost stays close to one plain copy.
    """
    reuse = not copy and arr.dtype == dtype and arr.flags.c_contiguous
    out = arr if reuse else np.empty(arr.shape, dtype)
    for start in range(0, arr.shape[0], chunk_rows):
        block = out[start : start + chunk_rows]
        source = arr[start : start + chunk_rows]
        # Overflow to inf is what the check below looks for, not a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            if not reuse:
                np.copyto(block, source, casting="unsafe")
            total = block.sum()
        if not np.isfinite(total):  # a float32 sum may overflow: check exactly
            bad = overflowed_rows(source, block)
            if bad.size:
                row = start + int(bad[0])
                raise ValueError(f"coords row {row} does not fit in {dtype}: {arr[row].tolist()}")
    return out


def _sort_entries(
    t: np.ndarray, i: np.ndarray, o: np.ndarray | None, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Sort entries by time (stable): ``(E,)`` times and ids, offsets and ``(P, 2)`` coords."""
    order = np.argsort(t, kind="stable")
    t, i = t[order], i[order]
    if o is None:
        return t, i, None, c[order]
    lengths = np.diff(o)[order]
    starts = o[:-1][order]
    new_o = np.zeros(t.size + 1, np.int64)
    np.cumsum(lengths, out=new_o[1:])
    gather = np.repeat(starts - new_o[:-1], lengths) + np.arange(new_o[-1])
    return t, i, new_o, c[gather]
