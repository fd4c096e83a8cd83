"""Mixins letting a container record undoable commands and emit changes."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from napari_whiskertoolbox.core.history import Change, Command, FunctionCommand

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from psygnal import Signal

__all__ = ["RecordingMixin", "SnapshotRecordingMixin", "locked"]


class _Lockable(Protocol):
    """An object with a re-entrant ``_lock``."""

    @property
    def _lock(self) -> AbstractContextManager[object]: ...


_LockableT = TypeVar("_LockableT", bound=_Lockable)
_P = ParamSpec("_P")
_R = TypeVar("_R")
_SnapshotT = TypeVar("_SnapshotT")


def locked(
    method: Callable[Concatenate[_LockableT, _P], _R],
) -> Callable[Concatenate[_LockableT, _P], _R]:
    """Wrap ``method`` so that it runs holding the instance's re-entrant ``_lock``."""

    @functools.wraps(method)
    def wrapper(self: _LockableT, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class RecordingMixin:
    """Shared plumbing: ``_recorder`` (set by the DataManager), :meth:`_record`, :meth:`_emit`.

    Subclasses declare ``changed = Signal(object)``.
    """

    changed: ClassVar[Signal]
    _recorder: Callable[[Command], None] | None = None

    def _emit(self, change: Change) -> None:
        self.changed.emit(change)

    def _record(self, label: str, undo: Callable[[], None], redo: Callable[[], None]) -> None:
        recorder = self._recorder
        if recorder is not None:
            recorder(FunctionCommand(label, undo, redo))


class SnapshotRecordingMixin(RecordingMixin, Generic[_SnapshotT]):
    """:class:`RecordingMixin` for containers undone by swapping whole-container snapshots.

    Subclasses implement :meth:`_snapshot` and :meth:`_restore`.
    """

    def _snapshot(self) -> _SnapshotT:
        """Return the container's whole state (immutable arrays, shared, not copied)."""
        raise NotImplementedError

    def _restore(self, snapshot: _SnapshotT) -> Change:
        """Make ``snapshot`` the container's state; return what that touched."""
        raise NotImplementedError

    def _record_snapshot(self, label: str, before: _SnapshotT, after: _SnapshotT) -> None:
        """Record a command that swaps between two whole-container snapshots."""
        if self._recorder is None:
            return
        self._record(
            label,
            lambda: self._emit(self._restore(before)),
            lambda: self._emit(self._restore(after)),
        )
