"""One writer per session output folder, across batches, clients and clusters.

A session cancelled on a cluster the batch did not start (a lab scheduler) may run on
after its batch has ended: dask cannot interrupt a running task. A batch started right
after it (by the same client or another one, on the same cluster or another) must not
run that session again into the same folder while the first still writes there.

The worker running a session holds an OS file lock (:mod:`filelock`) beside the
session's output folder from before it clears the old completion marker until after it
wrote the new one. A process that dies (a killed worker, a closed cluster) releases it
by itself, so a lock is never left stale; on a file system without ``flock``,
:mod:`filelock` falls back to its lock file with owner and stale-owner detection. The
holder's host, process, worker and start time are written next to the lock, so the
second run can say who holds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from napari_whiskertoolbox.io.atomic import atomic_write_text

if TYPE_CHECKING:
    import threading
    from collections.abc import Iterator
    from pathlib import Path

__all__ = [
    "SESSION_LOCK_SUFFIXES",
    "SessionBusyError",
    "SessionLockError",
    "holding_session",
    "session_lock_path",
    "session_owner_path",
]

_POLL_S = 0.1


class SessionLockError(OSError):
    """The lock of a session's output folder could not be taken (a read-only folder, say)."""


class SessionBusyError(SessionLockError):
    """Another process (another batch's worker) is writing the session's output folder."""


SESSION_LOCK_SUFFIXES = (".batch.lock", ".batch-owner.json")
"""How the lock file and the owner file beside a session output folder ``x`` end
(``.x.batch.lock``, ``.x.batch-owner.json``)."""


def session_lock_path(output: Path) -> Path:
    """Return the lock file of the session output folder ``output`` (hidden, beside it)."""
    return output.with_name(f".{output.name}{SESSION_LOCK_SUFFIXES[0]}")


def session_owner_path(output: Path) -> Path:
    """Return the file naming the holder of ``output``'s lock (beside the lock)."""
    return output.with_name(f".{output.name}{SESSION_LOCK_SUFFIXES[1]}")


def _owner_text(output: Path) -> str:
    """Describe the current holder of ``output``'s lock from its owner file."""
    try:
        owner = json.loads(session_owner_path(output).read_text(encoding="utf-8"))
        return (
            f"process {owner['pid']} on {owner['host']}"
            + (f" (dask worker {owner['worker']})" if owner.get("worker") else "")
            + f", since {owner['since']}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextlib.contextmanager
def holding_session(
    output: Path,
    *,
    wait_s: float,
    cancelled: threading.Event,
    worker: str | None = None,
) -> Iterator[float | None]:
    """Hold the lock of the session output folder ``output`` for the block.

    Waits up to ``wait_s`` seconds for another holder to finish (polling ``cancelled``).

    Parameters
    ----------
    output : Path
        The session's output folder (its parent is created if needed).
    wait_s : float
        Longest wait for a busy lock, in seconds.
    cancelled : threading.Event
        Set when the session is cancelled: the wait ends at once.
    worker : str, optional
        This dask worker's address, written in the owner file.

    Yields
    ------
    float or None
        When another process held the lock as this one asked for it: the time
        (``time.time()``) this one started waiting; ``None`` when it was free.

    Raises
    ------
    SessionLockError
        The lock file cannot be made or locked (the message names it and why).
    SessionBusyError
        Still held by another process after ``wait_s`` (or cancelled while waiting); the
        message names the holder and the lock file.
    """
    from filelock import FileLock, Timeout

    path = session_lock_path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionLockError(f"could not make the folder of {path}: {exc}") from exc
    lock = FileLock(path, timeout=0)
    waited_since: float | None = None
    deadline = time.monotonic() + wait_s
    while True:
        try:
            lock.acquire()
            break
        except Timeout:
            waited_since = waited_since or time.time()
            if cancelled.is_set() or time.monotonic() >= deadline:
                raise SessionBusyError(
                    f"still running elsewhere: {_owner_text(output)} is writing {output} "
                    f"(it holds {path}); most likely this session of an earlier batch was "
                    "cancelled while it ran on a cluster that batch did not start, and dask "
                    "cannot stop a running task. This run left its folder alone: run the "
                    "batch again when it has ended (a finished session is then skipped)"
                ) from None
            cancelled.wait(_POLL_S)
        except OSError as exc:  # not a Timeout: the lock file cannot be made or locked
            raise SessionLockError(
                f"could not lock the session's output folder {output} with {path}: {exc}"
            ) from exc
    try:
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "worker": worker,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with contextlib.suppress(OSError):  # only used to name the holder
            atomic_write_text(session_owner_path(output), json.dumps(owner))
        yield waited_since
    finally:
        with contextlib.suppress(OSError):  # removed while held: no holder is misnamed
            session_owner_path(output).unlink(missing_ok=True)
        lock.release()
