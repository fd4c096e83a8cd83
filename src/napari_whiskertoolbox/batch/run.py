"""``run_batch``: run one task over many sessions on dask.distributed."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch._deps import require_batch_dependencies
from napari_whiskertoolbox.batch.cluster import BatchClient, start_client
from napari_whiskertoolbox.batch.input_files import input_folder, session_inputs
from napari_whiskertoolbox.batch.main_guard import refuse_reimported_main
from napari_whiskertoolbox.batch.markers import (
    LOCK_FILE,
    MARKER_FILE,
    SESSIONS_LOCK_FILE,
    MarkerCheck,
    check_marker,
    completed_record,
)
from napari_whiskertoolbox.batch.outputs import SESSIONS_DIR, assign_outputs, output_parents
from napari_whiskertoolbox.batch.records import (
    BatchProgress,
    ClusterStatus,
    SessionRecord,
    SessionStatus,
)
from napari_whiskertoolbox.batch.report import BatchReport
from napari_whiskertoolbox.batch.sessions import find_sessions, skipped_note
from napari_whiskertoolbox.batch.tasks import PipelineTask, as_task
from napari_whiskertoolbox.batch.worker import SessionJob, run_session
from napari_whiskertoolbox.core.counted import counted

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from distributed import Client, Future

    from napari_whiskertoolbox.batch.tasks import Task, TaskArgs

__all__ = [
    "CANCEL_GRACE_S",
    "LOCK_FILE",
    "SESSIONS_DIR",
    "SESSIONS_LOCK_FILE",
    "SESSION_LOCK_WAIT_S",
    "ClusterUnavailableError",
    "OutputInUseError",
    "default_out",
    "run_batch",
]

_POLL_S = 0.05
_POLL_CLUSTER_S = 0.5
_NO_WORKER_TIMEOUT_S = 60.0
CANCEL_GRACE_S = 2.0
SESSION_LOCK_WAIT_S = 10.0
"""How long a worker waits for another process still writing its session's output folder
(a session of an earlier, cancelled batch running on in a cluster) before reporting the
session as still running elsewhere."""
"""How long a cancel waits for the running sessions to stop (or finish) by themselves."""
_CLIENT_GONE = ("closing", "closed", "failed")
"""``Client.status`` once it gave up on its scheduler: its futures never finish."""


class OutputInUseError(BlockingIOError):
    """Another batch (in this or another process) is writing where this one would."""


class ClusterUnavailableError(ConnectionError):
    """The batch's cluster could not be started or reached (the message says which and why)."""


@contextlib.contextmanager
def _output_lock(out_dir: Path, session_parents: list[Path]) -> Iterator[None]:
    """Hold the lock files of everything the batch writes while it runs.

    ``out_dir``'s :data:`LOCK_FILE` (the report files), and a :data:`SESSIONS_LOCK_FILE`
    in each folder of ``session_parents``, the folders the sessions' output folders are
    in (``out/sessions``, or the inputs' folders when saved beside them): a batch saving
    beside its inputs and another saving the same sessions, beside them or under an
    ``--out``, cannot run at once. OS locks: a killed run frees them.

    A batch that fails before writing anything (its cluster cannot be reached, say) leaves
    no trace: the lock files it made are removed, and the folders made for it when they
    hold nothing else.

    Raises
    ------
    OutputInUseError
        Another batch holds one of them (naming it); none is held then.
    """
    from filelock import FileLock, Timeout

    parents = sorted(set(session_parents))
    made = _missing_folders([out_dir, *parents])
    wanted = [(out_dir / LOCK_FILE, out_dir, "choose another output folder")]
    wanted += [
        (folder / SESSIONS_LOCK_FILE, folder, "run these sessions after it") for folder in parents
    ]
    new_locks: list[Path] = []  # made and held by this batch
    try:
        with contextlib.ExitStack() as held:
            for path, folder, advice in wanted:
                folder.mkdir(parents=True, exist_ok=True)
                is_new = not path.exists()
                lock = FileLock(path, timeout=0)
                try:
                    lock.acquire()
                except Timeout:
                    raise OutputInUseError(
                        f"another batch is writing to {folder} (it holds {path}); two batches "
                        "saving the same sessions would delete each other's files: wait for it "
                        f"to finish, cancel it, or {advice}"
                    ) from None
                held.callback(lock.release)
                if is_new:
                    new_locks.append(path)
            yield
    except BaseException:
        _remove_unused(new_locks, made)
        raise


def _session_columns(
    manifest_rows: Mapping[Path, Mapping[str, str]],
    given: Mapping[str | os.PathLike[str], Mapping[str, str]] | None,
) -> dict[str, dict[str, str]]:
    """Return the results table's text columns by session: the manifests', then ``given``."""
    columns = {str(path): dict(cells) for path, cells in manifest_rows.items() if cells}
    for path, cells in (given or {}).items():
        columns.setdefault(str(Path(path).expanduser().resolve()), {}).update(cells)
    return columns


def _missing_folders(folders: list[Path]) -> list[Path]:
    """Return the folders of ``folders`` and their parents that do not exist yet, deepest first."""
    missing: set[Path] = set()
    for folder in folders:
        for path in (folder, *folder.parents):
            if path.exists():
                break
            missing.add(path)
    return sorted(missing, key=lambda path: len(path.parts), reverse=True)


def _remove_unused(lock_files: list[Path], folders: list[Path]) -> None:
    """Remove ``lock_files`` and each of ``folders`` (deepest first) left empty."""
    for path in lock_files:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty: something else was written there
            folder.rmdir()


def default_out(task: Task) -> Path:
    """Return the default output folder: ``<task stem>-batch`` in the working directory."""
    return Path.cwd() / f"{Path(task.name).stem or 'task'}-batch"


class _Batch:
    """The scheduling loop: submit, follow, retry, cancel; keeps one record per session."""

    def __init__(
        self,
        jobs: list[SessionJob],
        retries: int,
        progress: Callable[[BatchProgress], object] | None,
        cancel: threading.Event | None,
        on_cluster: Callable[[ClusterStatus], object] | None = None,
    ) -> None:
        self.jobs = jobs
        self.on_cluster = on_cluster
        self.local = False
        self.dashboard_link: str | None = None
        self.retries = retries
        self.progress = progress
        self.cancel_requested = cancel if cancel is not None else threading.Event()
        self.records: dict[int, SessionRecord] = {}
        self.status: dict[int, SessionStatus] = {}
        self.cancelled = False
        self.stopped: set[int] = set()
        """Sessions still running when the cancel's grace ended (they may finish anyway)."""
        self.running_since: dict[int, float] = {}
        """Sessions seen running (the current attempt): since when (``time.monotonic()``)."""
        self.submitted: dict[int, int] = {}
        """Sessions handed to a worker: the attempt last handed."""
        self.n_workers = 0
        self.workers_now = 0
        self.client: Client | None = None
        self.address: str | None = None

    # -- events ---------------------------------------------------------------------------
    def emit(
        self, job: SessionJob, status: SessionStatus, record: SessionRecord | None = None
    ) -> None:
        self.status[job.index] = status
        if status == "running":
            self.running_since[job.index] = time.monotonic()
        elif status == "retrying":
            self.running_since.pop(job.index, None)
        if self.progress is not None:
            event = BatchProgress(
                job.index,
                job.name,
                str(job.session),
                status,
                len(self.records),
                len(self.jobs),
                record,
            )
            self.progress(event)

    def cluster_changed(self, n_workers: int) -> None:
        """Say the cluster's state (the first time, and when its number of workers changed)."""
        self.workers_now = n_workers
        if self.on_cluster is not None:
            status = ClusterStatus(self.local, self.address, n_workers, self.dashboard_link)
            self.on_cluster(status)

    def ran_s(self, job: SessionJob) -> float | None:
        """Return how long ``job``'s current attempt has run, by what the batch saw.

        ``None`` when it was never seen running (not handed to a worker, or handed but not
        seen starting): unknown, shown as ``—``, never a made-up 0.
        """
        if self.submitted.get(job.index) != job.attempt:
            return None
        since = self.running_since.get(job.index)
        return None if since is None else time.monotonic() - since

    def attempts_made(self, job: SessionJob) -> int:
        """Return how many attempts of ``job`` were handed to a worker (0: it never started)."""
        return job.attempt if self.submitted.get(job.index) == job.attempt else job.attempt - 1

    def stopped_record(self, job: SessionJob, error: str = "cancelled") -> SessionRecord:
        """Return the record of ``job`` cancelled by the batch, with the time it ran."""
        return replace(
            _cancelled(job, error), duration_s=self.ran_s(job), attempts=self.attempts_made(job)
        )

    def finish(self, job: SessionJob, record: SessionRecord) -> None:
        self.records[job.index] = record
        self.emit(job, record.status, record)

    # -- the loop -------------------------------------------------------------------------
    def run(self, client: Client, pending: list[SessionJob], worker_wait_s: float | None) -> None:
        """Run ``pending`` on ``client``: at most one session per worker thread in flight.

        Sessions are handed to the scheduler only when a worker thread is free, so a worker
        holds nothing but the session it runs: when it dies, only that session is lost.
        With no worker for ``worker_wait_s`` seconds every session left fails (``None``:
        wait until cancelled, as for SLURM jobs waiting in the queue).
        """
        from distributed import Event, as_completed

        token = uuid.uuid4().hex[:8]
        event_name = f"wtb-batch-cancel-{token}"
        cancel_event = Event(event_name, client=client)
        threads = client.nthreads()
        self.client = client
        self.address = address = _scheduler_address(client)
        self.n_workers = len(threads)
        self.cluster_changed(len(threads))
        limit = max(1, sum(threads.values()))
        waiting = deque(pending)
        futures: dict[str, tuple[SessionJob, Future]] = {}
        completed = as_completed(with_results=True)  # results arrive with the notice

        def fill() -> None:
            while waiting and len(futures) < limit:
                job = replace(waiting.popleft(), cancel_event=event_name)
                key = f"wtb-batch-{token}-{job.index}-{job.attempt}"
                futures[key] = (job, client.submit(run_session, job, key=key, pure=False))
                self.submitted[job.index] = job.attempt
                completed.add(futures[key][1])

        # run_batch queued them before starting the cluster; say so here when it did not
        for job in pending:
            if self.status.get(job.index) != "queued":
                self.emit(job, "queued")
        fill()
        last_poll = 0.0
        no_workers_since: float | None = None
        try:
            while futures or waiting:
                if self.cancel_requested.is_set():
                    self._cancel(client, cancel_event, futures, waiting)
                    return
                batch = completed.next_batch(block=False)
                finished = [
                    (futures.pop(str(future.key))[0], future, result) for future, result in batch
                ]
                fill()  # the freed worker threads get their next session first
                for job, future, result in finished:
                    retry = self._collect(job, future, result)
                    if retry is not None:
                        waiting.appendleft(retry)
                fill()
                now = time.monotonic()
                # a session finished on a cluster last seen without workers: one joined (say
                # so now; the batch may end before the next poll)
                if now - last_poll >= _POLL_CLUSTER_S or (finished and not self.workers_now):
                    last_poll = now
                    if client.status in _CLIENT_GONE:  # dask gave up reconnecting
                        self._fail_all(client, futures, waiting, _lost_scheduler(address))
                        return
                    threads = self._poll(client, futures)
                    limit = max(1, sum(threads.values())) if threads is not None else limit
                    if threads is not None and len(threads) != self.workers_now:
                        self.cluster_changed(len(threads))
                    if threads == {} and worker_wait_s is not None:
                        no_workers_since = no_workers_since or now
                        if now - no_workers_since > worker_wait_s:
                            reason = f"the cluster has had no worker for {worker_wait_s:.0f} s"
                            self._fail_all(client, futures, waiting, reason)
                            return
                    elif threads:
                        no_workers_since = None
                with completed.thread_condition:  # woken by the next completion
                    if not batch and not completed.has_ready():
                        completed.thread_condition.wait(_POLL_S)
        except KeyboardInterrupt:
            self._cancel(client, cancel_event, futures, waiting)

    def _collect(self, job: SessionJob, future: Future, result: object) -> SessionJob | None:
        """Record a finished future; return the job to resubmit when it gets another try."""
        record: SessionRecord
        if future.status == "finished" and isinstance(result, SessionRecord):
            record = result
        else:
            exc = _exception_of(result)
            # a scheduler re-runs a task whose worker died `allowed-failures` times before
            # failing it (ours: 0; a lab scheduler's: dask's default 3): each run counts
            job = replace(job, attempt=job.attempt + _scheduler_reruns(exc))
            gone = self.client is not None and self.client.status in (*_CLIENT_GONE, "connecting")
            record = SessionRecord(
                str(job.session),
                job.name,
                "failed",
                error=_lost_scheduler(self.address) if gone else _worker_error(exc),
                attempts=job.attempt,
                transient=True,
                duration_s=self.ran_s(job),
            )
        # a failure the worker reported (a record) is retried only when it may pass on
        # another try (record.transient); a future failing without one (its worker died,
        # the scheduler lost it) always is
        if record.status == "failed" and record.transient and job.attempt <= self.retries:
            self.emit(job, "retrying", record)
            return replace(job, attempt=job.attempt + 1)
        self.finish(job, record)
        return None

    def _poll(
        self, client: Client, futures: dict[str, tuple[SessionJob, Future]]
    ) -> dict[str, int] | None:
        """Mark sessions a worker has started; return the workers' threads (None: unknown)."""
        try:
            threads = client.nthreads()
            processing = client.processing()
        except Exception:
            return None
        for keys in processing.values():
            for key in keys:
                entry = futures.get(key)
                if entry is not None and self.status.get(entry[0].index) in ("queued", "retrying"):
                    self.emit(entry[0], "running")
        return dict(threads)

    def _cancel(
        self,
        client: Client,
        cancel_event: Any,
        futures: dict[str, tuple[SessionJob, Future]],
        waiting: deque[SessionJob],
    ) -> None:
        """Drop waiting sessions, ask running ones to stop, keep what finished meanwhile.

        A running session gets :data:`CANCEL_GRACE_S` to end: its own record is kept
        (``cancelled`` when it stopped; ``done`` when it finished anyway, its outputs saved
        and marked complete, as a task the cooperative cancel cannot stop does), so the
        report says what is on disk. Sessions still running after that are cancelled.
        """
        from distributed import wait

        self.cancelled = True
        self._poll(client, futures)  # which run now: their records say since when
        with contextlib.suppress(Exception):
            cancel_event.set()
        for job in waiting:
            self.finish(job, self.stopped_record(job))
        waiting.clear()
        running = [future for _, future in futures.values()]
        with contextlib.suppress(Exception):  # a timeout: some still run
            wait(running, timeout=CANCEL_GRACE_S)
        self.stopped = {job.index for job, future in futures.values() if not future.done()}
        with contextlib.suppress(Exception):
            client.cancel([future for future in running if not future.done()], force=True)
        for job, future in futures.values():
            record = None
            if future.status == "finished":  # its record is still on the worker: fetch it
                with contextlib.suppress(Exception):
                    record = future.result(timeout=CANCEL_GRACE_S)
            if isinstance(record, SessionRecord):
                self.finish(job, record)
            elif job.index in self.stopped and not self.local:
                # dask drops the future, but cannot stop the worker thread running it: on a
                # cluster not ours (closed, its workers killed) the session runs on
                self.finish(job, self.stopped_record(job, STILL_RUNNING))
            else:
                self.finish(job, self.stopped_record(job))
        futures.clear()

    def _fail_all(
        self,
        client: Client,
        futures: dict[str, tuple[SessionJob, Future]],
        waiting: deque[SessionJob],
        reason: str,
    ) -> None:
        with contextlib.suppress(Exception):
            client.cancel([f for _, f in futures.values()], force=True)
        for job in [j for j, _ in futures.values()] + list(waiting):
            record = SessionRecord(
                str(job.session),
                job.name,
                "failed",
                error=reason,
                attempts=self.attempts_made(job),
                duration_s=self.ran_s(job),
            )
            self.finish(job, record)
        futures.clear()
        waiting.clear()


def _finished_for(record: SessionRecord, job: SessionJob) -> bool:
    """Return whether ``record`` (a completion marker's) is of ``job``'s input.

    The marker records the input path; the folder given as input (a second batch on the
    first one's saved sessions, in place) is its own input too.
    """
    return Path(record.session) == job.session or job.output == job.session


def _resume_check(job: SessionJob) -> MarkerCheck:
    """Check ``job``'s completion marker against its task, outputs and current input files.

    The input is only looked at (its config parsed, its files stat'ed) when a marker exists.
    """
    if not (job.output / MARKER_FILE).is_file():
        return MarkerCheck(None)
    inputs = session_inputs(job.session, job.output)
    return check_marker(job.output, job.fingerprint, inputs, input_folder(job.session))


def _finished_while_stopping(batch: _Batch, since: float) -> None:
    """Report as done the cancelled sessions that finished anyway while the cluster closed.

    A session the cooperative cancel cannot stop (a function, a long call) may end, saved
    and marked complete, while our cluster waits for it to close: its marker, written
    after ``since`` (this batch), is the truth.
    """
    for job in batch.jobs:
        record = batch.records.get(job.index)
        if job.index not in batch.stopped or record is None or record.status != "cancelled":
            continue
        try:
            fresh = (job.output / MARKER_FILE).stat().st_mtime >= since
        except OSError:
            continue
        inputs = session_inputs(job.session, job.output) if fresh else None
        finished = completed_record(job.output, job.fingerprint, inputs) if fresh else None
        if finished is not None:
            batch.finish(job, replace(finished, session=str(job.session), output=str(job.output)))


def _scheduler_address(client: Client) -> str | None:
    """Return the address of ``client``'s scheduler (``None`` if it cannot be asked)."""
    try:
        return str(client.scheduler_info()["address"])
    except Exception:
        return None


def _lost_scheduler(address: str | None) -> str:
    """Say that the scheduler went away (the record's error of the sessions it held)."""
    where = f" at {address}" if address else ""
    return (
        f"lost the connection to the dask scheduler{where}: it stopped, or the network "
        "failed, while the batch ran; run again to resume"
    )


STILL_RUNNING = (
    "cancelled, but still running on its worker when the batch stopped: dask cannot "
    "interrupt a running task (a blocking call, a function), so it may yet finish there and "
    "save its outputs, marked complete; a re-run started before it ends waits for it, "
    "then skips it if it finished or runs it if not (it never writes there at the same time)"
)
"""Error of a cancelled session still running on a cluster the batch did not start."""


def _cancelled(job: SessionJob, error: str = "cancelled") -> SessionRecord:
    return SessionRecord(str(job.session), job.name, "cancelled", error=error, attempts=job.attempt)


def _exception_of(result: object) -> BaseException | None:
    """Return the exception of a failed future, as ``as_completed(with_results=True)`` gives it.

    An errored future comes with ``(type, exception, traceback)``, a cancelled one with the
    ``CancelledError`` itself.
    """
    if isinstance(result, BaseException):
        return result
    if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
        return result[1]
    return None


def _scheduler_reruns(exc: BaseException | None) -> int:
    """Return how often the scheduler re-ran a task whose worker died (``KilledWorker``), else 0."""
    if type(exc).__name__ != "KilledWorker":
        return 0
    reruns = getattr(exc, "allowed_failures", 0)
    return reruns if isinstance(reruns, int) and reruns > 0 else 0


def _worker_error(exc: BaseException | None) -> str:
    """Describe a future that failed without a record (its worker died or it was cancelled)."""
    if exc is None:
        return "the session's task ended without a result"
    name = type(exc).__name__
    if name == "KilledWorker":
        reruns = _scheduler_reruns(exc)
        last = getattr(getattr(exc, "last_worker", None), "address", None)
        text = "the worker process died while running this session"
        if reruns:
            text += f" ({counted(reruns + 1, 'time')}" + (f", last on {last})" if last else ")")
        elif last:
            text += f" (on {last})"
        if reruns:
            text += (
                f": the scheduler re-ran it {counted(reruns, 'time')} itself "
                "(its distributed.scheduler.allowed-failures; these runs count as attempts)"
            )
        return (
            f"{text}; the task made the process exit, crash or pass the worker's memory "
            "limit: see that worker's log"
        )
    if name.endswith("CancelledError"):  # distributed's FutureCancelledError says why
        if getattr(exc, "reason", None) == "scheduler-connection-lost":
            return _lost_scheduler(None)
        return "the session was cancelled by the scheduler (its worker was lost)"
    return f"{name}: {exc}"


def _check_cluster_options(client: object, scheduler: str | None, n_workers: int | None) -> None:
    """Refuse options that would be silently ignored: one cluster, and its own workers.

    Raises
    ------
    ValueError
        Both ``client`` and ``scheduler``, or ``n_workers`` with either of them.
    """
    if client is not None and scheduler:
        raise ValueError(
            f"give client or scheduler, not both (scheduler={scheduler!r} would be ignored: "
            "the sessions run on the client's cluster)"
        )
    if n_workers is not None and (client is not None or scheduler):
        given = "client" if client is not None else f"scheduler={scheduler!r}"
        raise ValueError(
            f"n_workers={n_workers} is the size of the local cluster; with {given} the "
            "sessions run on that cluster's workers (scale it there, or leave n_workers out)"
        )


def check_shared_outputs(task: Task, n_sessions: int) -> None:
    """Refuse a pipeline-runner config that saves every session to the same file.

    Raises
    ------
    ValueError
        ``n_sessions`` > 1 and a ``saves`` entry or ``SaveData`` command of ``task`` has a
        path naming no per-session variable; the message names the file and the entry.
    """
    shared = task.shared_outputs() if isinstance(task, PipelineTask) else []
    if n_sessions > 1 and shared:
        raise ValueError(
            f"{task.name}: {'; '.join(shared)} is the same file for all {n_sessions} "
            "sessions (each would overwrite the last); name the session in it, e.g. "
            "'${output_dir}/angle.csv' or 'out/${session_name}_angle.csv'"
        )


def run_batch(
    task: str | os.PathLike[str] | Callable[..., Any] | Task,
    sessions: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    client: Client | None = None,
    out: str | os.PathLike[str] | None = None,
    retries: int = 0,
    resume: bool = True,
    args: TaskArgs = None,
    progress: Callable[[BatchProgress], object] | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    save_beside_input: bool = False,
    cancel: threading.Event | None = None,
    on_cluster: Callable[[ClusterStatus], object] | None = None,
    session_columns: Mapping[str | os.PathLike[str], Mapping[str, str]] | None = None,
) -> BatchReport:
    """Run ``task`` on every session, each in a worker process, and report what happened.

    Each worker loads its session from disk with :func:`napari_whiskertoolbox.io.routing.open_path`
    (DataManagers never travel between processes), runs the task, saves the session
    atomically (:func:`napari_whiskertoolbox.io.save_session`) and writes a completion
    marker last; it returns a small :class:`SessionRecord`.

    The task runs in its session's output folder (created first; the working directory
    during the run): a file a script or callable writes by a relative path lands there,
    one per session, and counts as one of the session's outputs (resume checks it). A
    script also finds that folder as ``output_dir`` (a :class:`pathlib.Path`) in its
    namespace, a callable as an ``output_dir`` keyword when it has such a parameter, a
    pipeline-runner config as ``${output_dir}`` (its relative paths stay relative to the
    config's folder). On a worker with several threads, its sessions run one at a time
    (the working directory belongs to the process): give workers one thread each.

    Parameters
    ----------
    task : path-like, callable or Task
        A ``.py`` script (run by the script engine with ``dm`` in its namespace; values it
        leaves in a ``results`` dict go to the results table), a ``.json`` pipeline file
        (TransformsV2 pipeline or pipeline-runner config), or ``f(dm, **kw) -> dict``.
    sessions : path-like or iterable of path-like
        Session folders, configs, media, glob patterns, manifest files (``.txt``: one path a
        line; ``.csv``: a ``session`` column).
    client : distributed.Client, optional
        Use this client (left open). Default: a new ``LocalCluster`` (one single-threaded
        worker process per core, or ``n_workers``), or ``scheduler``, closed at the end.
    out : path-like, optional
        Output folder: per-session outputs under ``sessions/<name>/`` and the report files.
        Default ``./<task stem>-batch``.
    retries : int
        Extra attempts of a session whose failure may pass on another try: its worker
        process died or was lost, it ran out of memory (``MemoryError``, also in the task),
        or loading, locking or saving it met a ``TimeoutError``, ``ConnectionError`` or an
        ``OSError`` with a transient errno (EIO, ESTALE, ETIMEDOUT...; see
        :mod:`~napari_whiskertoolbox.batch.failures`), or another run still wrote its
        folder. Other failures (a broken config: invalid JSON, a missing file, a validation
        error; an exception the task raised) would repeat and are reported after one
        attempt. Each record's ``attempts`` says how many were made.
    resume : bool
        Skip sessions whose completion marker (same task) and outputs are present.
    args : sequence of str or mapping, optional
        A script's ``sys.argv[1:]``, a callable's keyword arguments, a pipeline's keys.
    progress : callable, optional
        Called with a :class:`BatchProgress` at each status change (in this thread); the
        sessions left to run are ``queued`` before the cluster is started or connected to.
    scheduler : str, optional
        Address of a running dask scheduler (``tcp://host:8786``) instead of a local cluster.
        A given scheduler or ``client`` may have no worker yet (SLURM jobs in the queue):
        the sessions wait for one, shown as ``queued``, until cancelled. A local cluster
        that loses every worker for 60 s fails the sessions left.
    n_workers : int, optional
        Workers of the local cluster.
    save_beside_input : bool
        Save each session next to its input instead (a config ``exp.json`` → the folder
        ``exp.session``; a session folder in place; media ``a.mp4`` → ``a.session``).
    on_cluster : callable, optional
        Called with a :class:`ClusterStatus` (in this thread) when the batch starts using
        its cluster and whenever its number of workers changes; ``n_workers == 0`` means
        the sessions wait for a worker to join. Not called when no session needs to run
        (all finished by an earlier run): then no cluster is started or connected to.
    cancel : threading.Event, optional
        Set it (from any thread) to cancel: pending sessions are dropped, running ones are
        asked to stop (scripts and pipelines stop within a second), and a local cluster we
        started is shut down, killing what still runs. Finished outputs stay. Ctrl+C
        (``KeyboardInterrupt``) does the same.
    session_columns : mapping, optional
        Text columns of the results table for each session path (``{"animal": "m1"}``);
        the other columns of CSV manifests among ``sessions`` are added without asking.

    Returns
    -------
    BatchReport
        Every session's record and the results table; also written to ``out``.

    Raises
    ------
    MissingBatchDependencyError
        dask.distributed or pyarrow is missing (install ``napari-whiskertoolbox[batch]``).
    FileNotFoundError, FormatError, ValueError
        The task or a session path is unusable, or a pipeline-runner config saves to a
        path that is the same for every session, or ``args`` is a single string, or the
        options name two clusters (``client`` and ``scheduler``, or ``n_workers`` with
        either), all before anything runs.
    OutputInUseError
        Another batch is writing to the same output folder ``out``, or (with
        ``save_beside_input``) into a folder this batch saves sessions into (before
        anything runs): two batches saving the same sessions would delete each other's
        files.
    ReimportedMainError
        Called by a worker process re-importing the script that started the batch (its
        code at top level, not under ``if __name__ == "__main__":``), before anything runs.
    ClusterUnavailableError
        The local cluster did not start, or ``scheduler`` cannot be reached or is no dask
        scheduler (a ``ConnectionError``; the message says which). Sessions finished by an
        earlier run are skipped before any cluster is started.

    Notes
    -----
    The local cluster's workers are new processes that import the calling script's
    ``__main__`` module (Python's "spawn"), so a script calling ``run_batch`` must do so
    under ``if __name__ == "__main__":``, as with any multiprocessing code.
    """
    refuse_reimported_main()
    require_batch_dependencies()
    started = time.perf_counter()
    since = time.time() - 2.0  # markers written from now on are this batch's (coarse mtimes)
    _check_cluster_options(client, scheduler, n_workers)
    the_task = as_task(task, args)
    rows, skipped = find_sessions(sessions)
    notes = [note for note in (skipped_note(skipped), *the_task.notes()) if note]
    paths = list(rows)
    if not paths:
        raise ValueError("no sessions to run: give session folders, configs, globs or manifests")
    check_shared_outputs(the_task, len(paths))
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    out_dir = (Path(out).expanduser() if out is not None else default_out(the_task)).resolve()
    fingerprint = the_task.fingerprint()
    with _output_lock(out_dir, output_parents(paths, out_dir, save_beside_input)):
        # under the lock: the folders other inputs hold cannot change meanwhile
        outputs = assign_outputs(paths, out_dir, save_beside_input)
        jobs = [
            SessionJob(
                i, path, name, output, the_task, fingerprint, lock_wait_s=SESSION_LOCK_WAIT_S
            )
            for i, (path, (name, output)) in enumerate(zip(paths, outputs))
        ]
        batch = _Batch(jobs, retries, progress, cancel, on_cluster)
        pending = []
        for i, job in enumerate(jobs):
            check = _resume_check(job) if resume else MarkerCheck(None)
            previous = check.record
            if previous is not None and not _finished_for(previous, job):
                previous = None  # another input's outputs (assign_outputs keeps clear of them)
            if previous is not None:  # where it is now: the output folder may have moved
                resumed = replace(
                    previous,
                    status="skipped",
                    session=str(job.session),
                    output=str(job.output),
                    rerun_reason=None,
                )
                batch.finish(job, resumed)
            else:
                jobs[i] = job = replace(job, rerun_reason=check.reason)
                pending.append(job)
        owned: BatchClient | None = None
        dashboard = None
        try:
            if pending and not batch.cancel_requested.is_set():
                for job in pending:  # shown while a cluster starts (seconds, or a queue)
                    batch.emit(job, "queued")
                local = batch.local = client is None and scheduler is None
                if client is None:
                    try:
                        owned = start_client(scheduler, n_workers)
                    except OSError as exc:  # says which cluster, and why
                        raise ClusterUnavailableError(str(exc)) from exc
                    client = owned.client
                dashboard = batch.dashboard_link = BatchClient(client, owned=False).dashboard_link
                # a lab cluster's workers may wait in a job queue: only our own workers time out
                batch.run(client, pending, _NO_WORKER_TIMEOUT_S if local else None)
        except KeyboardInterrupt:
            batch.cancelled = True
        finally:
            if owned is not None:
                owned.close()
        for job in jobs:
            if job.index not in batch.records:
                batch.finish(job, batch.stopped_record(job))
        _finished_while_stopping(batch, since)
        report = BatchReport(
            task=f"{the_task.kind} {the_task.name}",
            out=out_dir,
            records=[batch.records[job.index] for job in jobs],
            duration_s=time.perf_counter() - started,
            cancelled=batch.cancelled or batch.cancel_requested.is_set(),
            dashboard_link=dashboard,
            n_workers=batch.n_workers,
            session_columns=_session_columns(rows, session_columns),
            notes=notes,
        )
        report.write(out_dir)
    return report
