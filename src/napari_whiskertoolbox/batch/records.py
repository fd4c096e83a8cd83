"""What a batch reports: one record per session, and progress events."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "FINAL_STATUSES",
    "BatchProgress",
    "ClusterStatus",
    "ResultValue",
    "SessionRecord",
    "SessionStatus",
]

SessionStatus = Literal["queued", "running", "retrying", "done", "skipped", "failed", "cancelled"]
"""Where a session is: waiting, running, waiting again after a failed attempt, finished
(``done``), finished by an earlier run (``skipped`` on resume), ``failed`` or ``cancelled``."""
FINAL_STATUSES: frozenset[str] = frozenset({"done", "skipped", "failed", "cancelled"})
ResultValue = bool | int | float | str | None
"""A value a task may return for the results table."""


@dataclass(frozen=True)
class SessionRecord:
    """The small record a worker returns for one session.

    Attributes
    ----------
    session : str
        The input path (a session folder, a config or media).
    name : str
        The session's output name (its folder under the batch's ``sessions/``).
    status : SessionStatus
        A final status: ``done``, ``skipped``, ``failed`` or ``cancelled``.
    output : str or None
        The session folder the outputs were saved to (``None`` if nothing was saved).
    duration_s : float or None
        Wall time of load + task + save on the worker, in seconds. For a session the
        batch stopped without a word from its worker (cancelled past the grace, its
        worker died, the scheduler was lost): the time since the batch saw it start
        running; ``None`` when it never saw it running (unknown: never started, or started
        unseen), shown as ``—`` and an empty cell in ``batch_report.csv``.
    peak_memory_mb : float or None
        Peak resident memory of the worker process during the session, in MiB (Linux;
        ``None`` elsewhere).
    keys_added : tuple of str
        DataManager keys the task created.
    keys_changed : tuple of str
        Keys the session had before the task that it replaced (``set_data`` on an existing
        key, a runner config writing to one) or modified in place.
    keys_deleted : tuple of str
        Keys the session had before the task that it deleted (and did not set again).
    results : dict
        What the task returned (a callable), or left in ``results`` (a script).
    error : str or None
        The error: the traceback trimmed to the user's code, or the load/format error.
    attempts : int
        How many times the session was handed to a worker (1 + its retries; a scheduler's
        own re-runs of a task whose worker died count too); 0 for a session cancelled or
        failed before it ever was.
    worker : str or None
        Address of the worker that ran the last attempt.
    load_notes : tuple of str
        What loading the session noted (rows skipped, an item read with a default format,
        entries past the clock's end: the loader's ``LoadReport`` notes), in load order.
        The session loaded; on a worker these are kept here instead of printed.
    transient : bool
        A ``failed`` session's failure may pass on another try (out of memory, a file
        share timing out, its worker died): the batch retries such failures only
        (:mod:`~napari_whiskertoolbox.batch.failures`). False for a broken config or a
        task that raised, which fail the same way every time.
    rerun_reason : str or None
        Why this run redid a session an earlier run had finished (resume): ``"input
        changed: signal.csv"``, ``"the task changed"``, ``"output missing: angle.csv"``...
        ``None`` when it had not been finished, or was skipped.
    """

    session: str
    name: str
    status: SessionStatus
    output: str | None = None
    duration_s: float | None = 0.0
    peak_memory_mb: float | None = None
    keys_added: tuple[str, ...] = ()
    keys_changed: tuple[str, ...] = ()
    keys_deleted: tuple[str, ...] = ()
    results: dict[str, ResultValue] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 1
    worker: str | None = None
    load_notes: tuple[str, ...] = ()
    transient: bool = False
    rerun_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-compatible values."""
        out = asdict(self)
        out["keys_added"] = list(self.keys_added)
        out["keys_changed"] = list(self.keys_changed)
        out["keys_deleted"] = list(self.keys_deleted)
        out["load_notes"] = list(self.load_notes)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionRecord:
        """Rebuild a record written by :meth:`to_dict` (unknown fields are ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["keys_added"] = tuple(known.get("keys_added", ()))
        # older markers have neither
        known["keys_changed"] = tuple(known.get("keys_changed", ()))
        known["keys_deleted"] = tuple(known.get("keys_deleted", ()))
        known["load_notes"] = tuple(known.get("load_notes", ()))
        known["results"] = dict(known.get("results") or {})
        return cls(**known)


@dataclass(frozen=True)
class BatchProgress:
    """A progress event: a session changed status.

    Attributes
    ----------
    index : int
        Position of the session in the batch.
    name : str
        The session's output name.
    session : str
        The input path.
    status : SessionStatus
        The new status.
    finished : int
        Sessions in a final status so far.
    total : int
        Sessions in the batch.
    record : SessionRecord or None
        The record, for final statuses (and ``retrying``: the failed attempt).
    """

    index: int
    name: str
    session: str
    status: SessionStatus
    finished: int
    total: int
    record: SessionRecord | None = None


@dataclass(frozen=True)
class ClusterStatus:
    """The cluster a batch runs on, when the batch starts using it and when its workers change.

    Attributes
    ----------
    local : bool
        A local cluster the batch started (else a given client or scheduler address).
    address : str or None
        The scheduler's address.
    n_workers : int
        Workers connected to the scheduler now; 0 while a lab cluster's workers wait in a
        job queue (the sessions wait for one).
    dashboard_link : str or None
        The dask dashboard's address, when the scheduler serves one.
    """

    local: bool
    address: str | None
    n_workers: int
    dashboard_link: str | None = None

    @property
    def waiting_for_workers(self) -> bool:
        """True while the scheduler has no worker: nothing runs until one joins."""
        return self.n_workers == 0
