"""Mixin letting a container record undoable snapshot commands and emit changes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from napari_whiskertoolbox.core.history import Change, Command, FunctionCommand

__all__ = ["RecordingMixin", "locked"]

F = TypeVar("F", bound=Callable[..., Any])


def locked(method: F) -> F:
    """Run ``method`` holding the instance's re-entrant ``_lock``."""

    @functools.wraps(method)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class RecordingMixin:
    """Shared plumbing: ``_recorder`` (set by the DataManager) and :meth:`_record`.

    Subclasses declare ``changed = Signal(object)`` and implement
    ``_snapshot() -> Any`` / ``_restore(snapshot) -> Change`` for whole-container snapshots.
    """

    _recorder: Callable[[Command], None] | None = None

    def _emit(self, change: Change) -> None:
        self.changed.emit(change)  # type: ignore[attr-defined]

    def _record(self, label: str, undo: Callable[[], None], redo: Callable[[], None]) -> None:
        recorder = self._recorder
        if recorder is not None:
            recorder(FunctionCommand(label, undo, redo))

    def _record_snapshot(self, label: str, before: Any, after: Any) -> None:
        """Record a command that swaps between two whole-container snapshots."""
        if self._recorder is None:
            return
        self._record(
            label,
            lambda: self._emit(self._restore(before)),  # type: ignore[attr-defined]
            lambda: self._emit(self._restore(after)),  # type: ignore[attr-defined]
        )
