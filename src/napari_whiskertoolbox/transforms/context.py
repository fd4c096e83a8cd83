"""Progress reporting and cancellation for running transforms."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.transforms.errors import TransformCancelled

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["TransformContext", "as_context", "sub_context"]

_CHECK_INTERVAL_S = 0.05


class TransformContext:
    """What a running transform may use: progress, cancellation and a log.

    Parameters
    ----------
    progress : callable, optional
        Called with a fraction in ``[0, 1]`` as work advances.
    cancel : object, optional
        Cancellation request: a ``threading.Event`` (or anything with ``is_set()``), an
        object with a boolean ``requested`` attribute, or a callable returning True once
        the run should stop.
    log : callable, optional
        Called with messages a transform wants the user to see.
    name : str, optional
        Name of the running transform (used in :class:`TransformCancelled`).

    Notes
    -----
    WhiskerToolbox's context offers ``progress(p)``, ``is_cancelled()`` and ``log(msg)``
    (reference §7); :meth:`check` raises :class:`TransformCancelled`, which long transforms
    call between chunks so that a cancel stops them within a fraction of a second.
    """

    def __init__(
        self,
        progress: Callable[[float], Any] | None = None,
        cancel: Any = None,
        log: Callable[[str], Any] | None = None,
        name: str | None = None,
    ) -> None:
        self._progress = progress
        self._cancel = cancel
        self._log = log
        self.name = name
        self._last_check = 0.0
        self.messages: list[str] = []

    def is_cancelled(self) -> bool:
        """Return True once cancellation was requested."""
        cancel = self._cancel
        if cancel is None:
            return False
        if hasattr(cancel, "is_set"):
            return bool(cancel.is_set())
        if hasattr(cancel, "requested"):
            return bool(cancel.requested)
        if callable(cancel):
            return bool(cancel())
        return bool(cancel)

    def check(self) -> None:
        """Raise :class:`TransformCancelled` if cancellation was requested.

        Raises
        ------
        TransformCancelled
            When the run was cancelled.
        """
        if self.is_cancelled():
            raise TransformCancelled(self.name)

    def progress(self, fraction: float) -> None:
        """Report progress as a fraction in ``[0, 1]`` (clamped) and check cancellation.

        Raises
        ------
        TransformCancelled
            When the run was cancelled.
        """
        if self._progress is not None:
            self._progress(min(max(float(fraction), 0.0), 1.0))
        self.check()

    def tick(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` items, cheaply: at most every 50 ms.

        Meant for per-item loops; cancellation is checked at the same rate.

        Raises
        ------
        TransformCancelled
            When the run was cancelled.
        """
        now = time.monotonic()
        if now - self._last_check < _CHECK_INTERVAL_S:
            return
        self._last_check = now
        self.progress(done / total if total else 1.0)

    def log(self, message: str) -> None:
        """Record ``message`` and pass it to the log callback."""
        self.messages.append(message)
        if self._log is not None:
            self._log(message)

    def chunks(self, n: int, size: int) -> Iterator[tuple[int, int]]:
        """Yield ``(start, stop)`` ranges covering ``range(n)``, reporting progress.

        Parameters
        ----------
        n : int
            Number of items.
        size : int
            Items per chunk (at least 1).

        Yields
        ------
        tuple of int
            ``start, stop`` of each chunk.

        Raises
        ------
        TransformCancelled
            When the run was cancelled (checked before every chunk).
        """
        size = max(int(size), 1)
        for start in range(0, n, size):
            self.progress(start / n)
            yield start, min(start + size, n)
        self.progress(1.0)


def as_context(context: TransformContext | None, name: str | None = None) -> TransformContext:
    """Return ``context``, or a silent context that is never cancelled."""
    if context is None:
        return TransformContext(name=name)
    if name is not None and context.name is None:
        context.name = name
    return context


class _SubContext(TransformContext):
    """A context mapping its progress into ``[lo, hi]`` of a parent's."""

    def __init__(self, parent: TransformContext, lo: float, hi: float) -> None:
        super().__init__(name=parent.name)
        self._parent = parent
        self._lo = lo
        self._hi = hi

    def is_cancelled(self) -> bool:
        """Return the parent's cancellation state."""
        return self._parent.is_cancelled()

    def progress(self, fraction: float) -> None:
        """Report ``fraction`` of this part to the parent (scaled into its range)."""
        f = min(max(float(fraction), 0.0), 1.0)
        self._parent.progress(self._lo + (self._hi - self._lo) * f)

    def log(self, message: str) -> None:
        """Pass ``message`` to the parent's log."""
        self._parent.log(message)


def sub_context(parent: TransformContext, lo: float, hi: float) -> TransformContext:
    """Return a context whose progress ``[0, 1]`` maps to ``[lo, hi]`` of ``parent``."""
    return _SubContext(parent, lo, hi)
