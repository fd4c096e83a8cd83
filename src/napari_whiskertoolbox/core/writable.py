"""Shared writable arrays (NEURON's ``Vector`` ↔ numpy model): ``with obj.writable() as arr``.

A container hands out a writable, zero-copy view of its own storage for the duration of a
``with`` block: writes change the object itself, nothing is copied in or out. On leaving
the block the edit becomes **one** undo step (when the object is in a DataManager) and
**one** ``changed`` signal carrying the frames touched where they can be known; the view
handed out is made read-only again, so ``values`` stays read-only outside the block.

To know what changed (for the undo step and the frames touched) a container that records
its edits keeps a copy of the storage taken on entering the block; on leaving, a step
with few changed elements keeps only those elements, a step that changed most of them
keeps the copy. The signal lists the frames touched, or says "everything" (``None``) when
every element changed, or when nearly all of 4096 evenly spaced probes of a large storage
changed (a whole-array operation: comparing every element would cost as much again). A
standalone container (no recorder) copies nothing and reports "everything" changed. Views derived from ``arr`` inside the block (``arr[::2]``) stay
writable after it: keep writes inside the block.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from napari_whiskertoolbox.core.history import Change, FunctionCommand

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from psygnal import SignalInstance

    from napari_whiskertoolbox.core.history import Command

__all__ = ["WritableStorage", "can_write", "is_shared", "share", "writable_block"]

_SPARSE_FRACTION = 1 / 3
"""An undo step keeps only the changed elements when at most this fraction changed."""

_PROBES = 4096
"""Elements compared, evenly spaced, before comparing a large storage element by element."""

_ALL_CHANGED_FRACTION = 0.9
"""A probe finding at least this fraction changed signals "everything" without comparing all."""

_open_blocks: set[int] = set()
_open_lock = threading.Lock()


class _Owner(Protocol):
    """A container: a ``changed`` signal and an optional undo recorder."""

    @property
    def changed(self) -> SignalInstance: ...

    @property
    def _recorder(self) -> Callable[[Command], None] | None: ...


@dataclass(frozen=True)
class WritableStorage:
    """How a container exposes its storage to :func:`writable_block`.

    Attributes
    ----------
    get : callable
        Returns the container's current storage array (C-contiguous, writable or made
        writable by the caller); called again for undo/redo, since the container may have
        replaced the array (e.g. compaction) without changing its content.
    frames_of : callable
        Maps sorted flat element indices of the storage to the frames they belong to
        (sorted unique int64), or returns ``None`` when they cannot be known.
    label : str
        Undo step label.
    check : callable, optional
        Validates the storage after the block; raises ``ValueError`` (the block's writes are
        then undone when a copy was kept).
    """

    get: Callable[[], np.ndarray]
    frames_of: Callable[[np.ndarray], np.ndarray | None]
    label: str
    check: Callable[[np.ndarray], None] | None = None


def _changed_mask(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Return where ``after``'s bits differ from ``before``'s, as a flat bool array.

    Floats are compared as same-sized unsigned integers: one pass, and a NaN left as it was
    is no change.
    """
    if before.dtype.kind == "f" and before.dtype.itemsize in (2, 4, 8):
        bits = np.dtype(f"u{before.dtype.itemsize}")
        return before.view(bits) != after.view(bits)
    return before != after


class _SparseEdit:
    """Undo data of a block that changed few elements: positions, old and new values."""

    def __init__(self, positions: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        self.positions, self.old, self.new = positions, old, new

    def apply(self, flat: np.ndarray, undo: bool) -> None:
        flat[self.positions] = self.old if undo else self.new


class _FullEdit:
    """Undo data of a block that changed most elements: the other state, swapped in place.

    Kept flat, as :meth:`apply` receives the storage: an N-D storage (tensor rows and
    columns, ``(P, 2)`` coordinates) swaps element for element with its flat view.
    """

    def __init__(self, other: np.ndarray) -> None:
        self.other = other.reshape(-1)

    def apply(self, flat: np.ndarray, undo: bool) -> None:
        current = flat.copy()
        flat[...] = self.other
        self.other = current


class _Share:
    """Holds arrays lent to a reader on another thread; they are shared while it lives."""

    def __init__(self, arrays: tuple[np.ndarray, ...]) -> None:
        self.arrays = arrays


_shares: dict[int, list[weakref.ref[_Share]]] = {}
"""``id(array)`` -> the tokens lending it (two readers may hold one array at once)."""
_shares_lock = threading.Lock()


def share(*arrays: np.ndarray) -> object:
    """Lend storage arrays to a reader (a background save) without copying them.

    Until the returned token is dropped, :func:`is_shared` is true for each array, and a
    container copies such an array before writing into it in place (copy-on-write): the
    reader keeps seeing the content at the time of the call. Keep the token as long as the
    arrays are read.
    """
    token = _Share(arrays)
    with _shares_lock:
        for key, refs in list(_shares.items()):
            refs[:] = [ref for ref in refs if ref() is not None]
            if not refs:
                del _shares[key]
        for arr in arrays:
            _shares.setdefault(id(arr), []).append(weakref.ref(token))
    return token


def is_shared(arr: np.ndarray) -> bool:
    """Return whether ``arr`` is lent to a reader by :func:`share` (copy it before writing)."""
    with _shares_lock:
        tokens = [ref() for ref in _shares.get(id(arr), ())]
    return any(token is not None and any(a is arr for a in token.arrays) for token in tokens)


def can_write(arr: np.ndarray) -> bool:
    """Return whether ``arr``'s memory may be written (its write flag can be turned on).

    False for views of read-only arrays and read-only memory maps; a container then copies
    its storage once into memory it owns.
    """
    if arr.flags.writeable:
        return True
    try:
        arr.setflags(write=True)
    except ValueError:
        return False
    arr.setflags(write=False)
    return True


@contextmanager
def _writeable(arr: np.ndarray) -> Iterator[np.ndarray]:
    """Yield ``arr`` with its write flag on, restoring the flag afterwards."""
    was_writeable = arr.flags.writeable
    if not was_writeable:
        arr.setflags(write=True)
    try:
        yield arr
    finally:
        if not was_writeable:
            arr.setflags(write=False)


@contextmanager
def writable_block(owner: _Owner, storage: WritableStorage) -> Iterator[np.ndarray]:
    """Hand out a writable view of ``storage.get()`` for one ``with`` block.

    Parameters
    ----------
    owner : container
        Emits ``changed`` once on exit; its ``_recorder`` (set by a DataManager) receives
        the undo step.
    storage : WritableStorage
        The storage accessors of the container.

    Yields
    ------
    numpy.ndarray
        A writable view sharing the container's memory (same shape and dtype).

    Raises
    ------
    RuntimeError
        If a writable block of the same object is already open.
    ValueError
        If ``storage.check`` rejects the content on exit (the writes are undone first when
        the object records its edits).

    Notes
    -----
    A block left by an exception keeps the writes made before it, recorded and signalled
    as on a normal exit (content ``storage.check`` rejects is undone as above); the
    exception propagates unchanged.
    """
    with _open_lock:
        if id(owner) in _open_blocks:
            raise RuntimeError(f"{type(owner).__name__}.writable(): a block is already open")
        _open_blocks.add(id(owner))
    try:
        array = storage.get()
        recorder = owner._recorder
        before = array.copy() if recorder is not None else None
        try:
            with _writeable(array):
                view = array.view()
                try:
                    yield view
                finally:
                    view.setflags(write=False)
        except BaseException:
            # the writes made before the error stay (numpy's writes are immediate): they
            # still become one undo step and one signal; content the check refuses is put
            # back, and the block's own error is the one raised
            with contextlib.suppress(ValueError):
                _finish(owner, storage, array, before)
            raise
        _finish(owner, storage, array, before)
    finally:
        with _open_lock:
            _open_blocks.discard(id(owner))


def _finish(
    owner: _Owner, storage: WritableStorage, array: np.ndarray, before: np.ndarray | None
) -> None:
    """Validate, record one undo step and emit one ``changed`` for a closed block."""
    if before is None:
        if storage.check is not None:
            storage.check(array)
        owner.changed.emit(Change.everything())
        return
    flat_before, flat_after = before.reshape(-1), array.reshape(-1)
    if _mostly_changed(flat_before, flat_after):
        _check_or_restore(storage, array, flat_before, True)
        _record(owner, storage, _FullEdit(before), Change.everything())
        return
    changed = _changed_mask(flat_before, flat_after)
    count = int(np.count_nonzero(changed))
    if count == 0:
        return
    _check_or_restore(storage, array, flat_before, changed)
    edit: _SparseEdit | _FullEdit
    frames: np.ndarray | None = None  # everything changed: no list of every frame needed
    if count <= _SPARSE_FRACTION * flat_after.size:
        positions = np.flatnonzero(changed)
        edit = _SparseEdit(positions, flat_before[positions], flat_after[positions].copy())
        frames = storage.frames_of(positions)
    else:
        edit = _FullEdit(before)
        if count < flat_after.size:
            frames = storage.frames_of(np.flatnonzero(changed))
    del changed
    _record(owner, storage, edit, Change(frames))


def _check_or_restore(
    storage: WritableStorage, array: np.ndarray, flat_before: np.ndarray, changed: np.ndarray | bool
) -> None:
    """Run ``storage.check``; if it refuses the content, put the ``changed`` elements back."""
    if storage.check is None:
        return
    try:
        storage.check(array)
    except ValueError:
        with _writeable(array):
            np.copyto(array.reshape(-1), flat_before, where=changed)
        raise


def _mostly_changed(before: np.ndarray, after: np.ndarray) -> bool:
    """Return whether evenly spaced probes of a large flat storage nearly all changed.

    Whole-array operations (``arr *= 2``) then skip the element-by-element comparison,
    which costs about as much as the operation itself; their step keeps the full copy and
    signals every frame.
    """
    step = before.size // _PROBES
    if step < 2:
        return False
    probed = _changed_mask(before[::step], after[::step])
    return bool(np.count_nonzero(probed) >= _ALL_CHANGED_FRACTION * probed.size)


def _record(
    owner: _Owner, storage: WritableStorage, edit: _SparseEdit | _FullEdit, change: Change
) -> None:
    """Push ``edit`` as one undo step (when recorded) and emit ``change`` once."""

    def replay(undo: bool) -> None:
        current = storage.get()
        with _writeable(current):
            edit.apply(current.reshape(-1), undo)
        owner.changed.emit(change)

    recorder = owner._recorder
    if recorder is not None:
        recorder(FunctionCommand(storage.label, lambda: replay(True), lambda: replay(False)))
    owner.changed.emit(change)
