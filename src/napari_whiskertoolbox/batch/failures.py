"""Which failures of a session a batch retries (``retries`` / ``--retries``).

A retry is worth it only for a failure that may not happen again: the worker process died
or was lost (decided by :mod:`.run`, the dask future failing without a record), the process
ran out of memory, or the session's files could not be reached for a moment (a network
share timing out, a stale NFS handle, an I/O error, a lock held by another run). A session
whose config is broken (invalid JSON, a missing file, a validation error naming a key) or
whose task (the user's script, pipeline or function) raised fails the same way every time:
it is reported after its first attempt.
"""

from __future__ import annotations

import errno

from napari_whiskertoolbox.batch.session_lock import SessionBusyError

__all__ = ["TRANSIENT_ERRNOS", "is_transient", "is_transient_task_error"]

TRANSIENT_ERRNOS: frozenset[int] = frozenset(
    getattr(errno, name)
    for name in (
        "EAGAIN",
        "EBUSY",
        "EINTR",
        "EIO",
        "ESTALE",
        "ETIMEDOUT",
        "ENOMEM",
        "ENOLCK",
        "ENFILE",
        "EMFILE",
        "ENOBUFS",
        "ECONNRESET",
        "ECONNABORTED",
        "ECONNREFUSED",
        "ENETDOWN",
        "ENETUNREACH",
        "ENETRESET",
        "EHOSTDOWN",
        "EHOSTUNREACH",
        "EREMOTEIO",
    )
    if hasattr(errno, name)
)
"""``OSError.errno`` values a retry may get past (I/O, network, resource exhaustion).

A missing file, a permission refused, a path that is a folder, a full disk, or an
``OSError`` without an errno (h5py's "file signature not found") are not among them."""

_MAX_CHAIN = 16


def _chain(exc: BaseException) -> list[BaseException]:
    """Return ``exc`` and the exceptions it was raised from or while handling (each once)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < _MAX_CHAIN and all(current is not s for s in seen):
        seen.append(current)
        cause = current.__cause__
        current = (
            cause if cause is not None or current.__suppress_context__ else current.__context__
        )
    return seen


def _one_transient(exc: BaseException) -> bool:
    if isinstance(exc, (MemoryError, TimeoutError, ConnectionError, SessionBusyError)):
        return True
    return isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS


def is_transient(exc: BaseException) -> bool:
    """Say whether a failure loading, locking or saving a session may pass on another try.

    True when ``exc``, or an exception it was raised from (``raise ... from``) or while
    handling, is a ``MemoryError``, a ``TimeoutError`` or ``ConnectionError``, an
    ``OSError`` whose ``errno`` is in :data:`TRANSIENT_ERRNOS`, or a
    :class:`~.session_lock.SessionBusyError` (another run still writes the session's
    folder). A ``FormatError`` or ``ConfigError`` of its own (invalid JSON, a missing key),
    a missing file or a permission refused are False.
    """
    return any(_one_transient(one) for one in _chain(exc))


def is_transient_task_error(exc: BaseException) -> bool:
    """Say whether the task's own failure may pass on another try: only when out of memory.

    What the user's script, pipeline or function raised (a ``KeyError``, an assertion, an
    ``OSError`` about a file it opens, ``sys.exit``) would be raised again: not retried. A
    ``MemoryError`` (``exc`` itself, what it was raised from, or a script's traceback
    ending in one, marked by :class:`~.tasks.TaskFailedError`'s ``out_of_memory``) depends
    on what else the worker holds: retried.
    """
    if getattr(exc, "out_of_memory", False):
        return True
    return any(isinstance(one, MemoryError) for one in _chain(exc))
