"""What runs on a worker for one session: load, run the task, save, mark complete.

:func:`run_session` never raises for a failing session: load errors, task errors and a
cancel become the returned :class:`~napari_whiskertoolbox.batch.records.SessionRecord`,
its ``transient`` saying whether another try may succeed
(:mod:`~napari_whiskertoolbox.batch.failures`). Only the process dying (or the scheduler
losing the worker) fails the dask future itself.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch.failures import is_transient, is_transient_task_error
from napari_whiskertoolbox.batch.input_files import session_inputs
from napari_whiskertoolbox.batch.markers import (
    LOG_FILE,
    MARKER_FILE,
    clear_marker,
    completed_record,
    write_marker,
)
from napari_whiskertoolbox.batch.records import SessionRecord
from napari_whiskertoolbox.batch.session_lock import SessionLockError, holding_session
from napari_whiskertoolbox.batch.tasks import (
    ResultValuesError,
    RunControl,
    SessionContext,
    TaskCancelledError,
    TaskFailedError,
)
from napari_whiskertoolbox.io.atomic import atomic_write_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari_whiskertoolbox.batch.tasks import Task
    from napari_whiskertoolbox.core import DataManager

__all__ = ["LOG_FILE", "SessionJob", "run_session"]

_BATCH_DIR = str(Path(__file__).parent)
_CANCEL_POLL_S = 0.5
_gc_frozen = False


@dataclass(frozen=True)
class SessionJob:
    """One session of a batch, as sent to a worker (paths and the task, never data).

    Attributes
    ----------
    index : int
        Position in the batch.
    session : Path
        The input path.
    name : str
        Output name.
    output : Path
        Session folder to save to.
    task : Task
    fingerprint : str
        The task's fingerprint, written into the completion marker.
    attempt : int
        1 for the first try.
    cancel_event : str or None
        Name of the dask ``Event`` the batch sets on cancel (``None``: no cooperative cancel).
    lock_wait_s : float
        How long to wait for another process writing the same output folder (a session of
        an earlier, cancelled batch still running on its cluster) before reporting the
        session as still running elsewhere, in seconds.
    rerun_reason : str or None
        Why the session runs again although an earlier run finished it (``"input
        changed: signal.csv"``), kept in its record.
    """

    index: int
    session: Path
    name: str
    output: Path
    task: Task
    fingerprint: str
    attempt: int = 1
    cancel_event: str | None = None
    lock_wait_s: float = 10.0
    rerun_reason: str | None = None


def _reset_peak_memory() -> None:
    """Reset the kernel's peak-RSS counter of this process (Linux; ignored elsewhere)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _peak_memory_mb() -> float | None:
    """Peak resident memory since :func:`_reset_peak_memory`, in MiB (Linux only)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def user_traceback(exc: BaseException) -> str:
    """Format ``exc``'s traceback without the batch machinery's own frames."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(_BATCH_DIR)
    ]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip("\n")


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return None


@contextlib.contextmanager
def _watch_cancel(event_name: str | None, control: RunControl) -> Any:
    """Call ``control.cancel()`` when the batch's dask Event is set (a watcher thread)."""
    if event_name is None:
        yield
        return
    try:
        from distributed import Event, get_client

        event = Event(event_name, client=get_client())
    except (ImportError, ValueError):  # not on a dask worker: nothing to watch
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        # short polls, not a long Event.wait: nothing is left waiting on the scheduler
        # when the session ends and the cluster shuts down
        while not finished.wait(_CANCEL_POLL_S):
            try:
                if event.is_set():
                    control.cancel()
                    return
            except Exception:  # the scheduler went away: the batch is over anyway
                return

    watcher = threading.Thread(target=watch, name="wtb-batch-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()


def run_session(job: SessionJob) -> SessionRecord:
    """Load ``job.session``, run the task, save the outputs, write the completion marker.

    All of it holds the session's output-folder lock
    (:func:`~napari_whiskertoolbox.batch.session_lock.holding_session`): a session another
    process still writes (an earlier batch's, cancelled but running on) is waited for up
    to ``job.lock_wait_s``; when that one finished it meanwhile, its record comes back as
    ``skipped``, else this one runs.

    Returns
    -------
    SessionRecord
        ``done`` with the result values, ``skipped`` (finished by the run this one waited
        for), or ``failed`` / ``cancelled`` with the error (``failed`` "still running
        elsewhere" when the other run still held the folder after the wait).
    """
    started = time.perf_counter()
    worker = _worker_address()
    record = SessionRecord(
        str(job.session),
        job.name,
        "failed",
        attempts=job.attempt,
        worker=worker,
        rerun_reason=job.rerun_reason,
    )
    control = RunControl()
    with _watch_cancel(job.cancel_event, control):
        try:
            with holding_session(
                job.output, wait_s=job.lock_wait_s, cancelled=control.cancelled, worker=worker
            ) as waited_since:
                if waited_since is not None:
                    finished = _finished_since(job, waited_since)
                    if finished is not None:
                        return finished
                _reset_peak_memory()
                inputs = session_inputs(job.session, job.output)  # as loaded: before loading
                changes = _run(job, control)
                _release_memory()
                record = replace(
                    record,
                    duration_s=time.perf_counter() - started,
                    peak_memory_mb=_peak_memory_mb(),
                    **changes,
                )
                if record.status == "done":
                    write_marker(job.output, job.fingerprint, record, inputs)
        except SessionLockError as exc:  # held by another run (busy), or unusable
            if control.cancelled.is_set():
                ran = time.perf_counter() - started  # waiting for the lock
                return replace(record, status="cancelled", error="cancelled", duration_s=ran)
            return replace(
                record,
                error=str(exc),
                duration_s=time.perf_counter() - started,
                transient=is_transient(exc),
            )
    return record


def _finished_since(job: SessionJob, since: float) -> SessionRecord | None:
    """Return the record of ``job``'s session as completed after ``since`` by another run.

    ``skipped`` (finished by that run, as a resume says), with the paths of this job.
    """
    try:
        fresh = (job.output / MARKER_FILE).stat().st_mtime >= since - 2.0  # coarse mtimes
    except OSError:
        return None
    inputs = session_inputs(job.session, job.output) if fresh else None
    finished = completed_record(job.output, job.fingerprint, inputs) if fresh else None
    if finished is None or Path(finished.session) not in (job.session, job.output):
        return None
    return replace(
        finished,
        status="skipped",
        session=str(job.session),
        output=str(job.output),
        rerun_reason=None,
    )


def _run(job: SessionJob, control: RunControl) -> dict[str, Any]:
    """Load, run, save; return the record's fields (``status`` ``done`` on success)."""
    from napari_whiskertoolbox.scripting.headless import load_for_script

    clear_marker(job.output)
    try:
        # as `napari-whiskertoolbox run` loads it: the config's python block applied (its
        # venv_path activated in this worker), its transformations run; not an undo step
        with _load_notes() as notes:
            dm = load_for_script(job.session)
    except Exception as exc:
        error = f"could not load {job.session}: {type(exc).__name__}: {exc}"
        return {"error": error, "load_notes": tuple(notes), "transient": is_transient(exc)}
    return {**_run_loaded(job, dm, control), "load_notes": tuple(notes)}


def _run_loaded(job: SessionJob, dm: DataManager, control: RunControl) -> dict[str, Any]:
    """Run the task on the loaded ``dm`` and save it; return the record's fields."""
    from napari_whiskertoolbox.io import save_session

    context = SessionContext(job.session, job.name, job.output)
    try:  # the task runs in it
        job.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        error = f"could not create the output folder {job.output}: {exc}"
        return {"error": error, "transient": is_transient(exc)}
    bad_results: ResultValuesError | None = None
    try:
        dm.set_output_path(job.output)  # what WhiskerToolbox scripts read: dm.getOutputPath()
        with _KeyChanges(dm) as changes, _in_folder(job.output, control):
            try:
                results = job.task.run(dm, context, control)
            except ResultValuesError as exc:  # it ran: its outputs are saved all the same
                results, bad_results = exc.values, exc
    except TaskCancelledError:
        return {"status": "cancelled", "error": "cancelled"}
    except TaskFailedError as exc:
        _save_log(job.output, control)  # the prints before the failure, to debug it
        return {"error": str(exc), "transient": is_transient_task_error(exc)}
    except Exception as exc:
        _save_log(job.output, control)
        return {"error": user_traceback(exc), "transient": is_transient_task_error(exc)}
    try:
        save_session(dm, job.output)
        if control.output:
            atomic_write_text(job.output / LOG_FILE, "".join(control.output))
    except Exception as exc:
        error = f"could not save to {job.output}: {type(exc).__name__}: {exc}"
        return {"error": error, "transient": is_transient(exc)}
    fields = {
        "status": "done",
        "output": str(job.output),
        "keys_added": changes.added,
        "keys_changed": changes.changed,
        "keys_deleted": changes.deleted,
        "results": results,
    }
    if bad_results is not None:  # saved, not marked complete: a re-run runs it again
        error = f"{bad_results} (the session's outputs were saved to {job.output})"
        return {**fields, "status": "failed", "error": error}
    return fields


class _NoteCollector(logging.Handler):
    """Keep the load notes logged by one thread (the session's), as text."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.notes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.notes.append(record.getMessage())


@contextlib.contextmanager
def _load_notes() -> Iterator[list[str]]:
    """Collect the load notes this thread logs in the block (the list fills as they come).

    A worker keeps a session's notes in its record, not on its stderr: printed there, four
    notes a session interleave with the batch's progress bar and lose their session. With
    a handler on the loaders' logger, Python's last-resort printing stops for the block.
    """
    from napari_whiskertoolbox.io.report import LOGGER

    collector = _NoteCollector()
    LOGGER.addHandler(collector)
    try:
        yield collector.notes
    finally:
        LOGGER.removeHandler(collector)


def _save_log(folder: Path, control: RunControl) -> None:
    """Save what a failed task printed as :data:`LOG_FILE` (best effort: the error matters more)."""
    if control.output:
        with contextlib.suppress(OSError):
            atomic_write_text(folder / LOG_FILE, "".join(control.output))


class _KeyChanges:
    """Follow which keys a task adds to a DataManager and which existing keys it changes.

    Attributes (after the block)
    ----------------------------
    added : tuple of str
        Keys that exist after the block and did not before (in the DataManager's order).
    changed : tuple of str
        Keys that existed before and after and were replaced (``set_data`` on the key, or
        deleted and set again) or modified in place (``data_changed`` emitted for them).
    deleted : tuple of str
        Keys that existed before the block and do not after (in their former order).
    """

    def __init__(self, dm: DataManager) -> None:
        self._dm = dm
        self._before: dict[str, object] = {}
        self._touched: set[str] = set()
        self.added: tuple[str, ...] = ()
        self.changed: tuple[str, ...] = ()
        self.deleted: tuple[str, ...] = ()

    def _on_changed(self, key: str, _frames: object = None) -> None:
        self._touched.add(key)

    def __enter__(self) -> _KeyChanges:
        self._before = {key: self._dm.get_data(key) for key in self._dm}
        self._dm.data_changed.connect(self._on_changed)
        return self

    def __exit__(self, *exc: object) -> None:
        self._dm.data_changed.disconnect(self._on_changed)
        before, dm = self._before, self._dm
        self.added = tuple(k for k in dm if k not in before)
        self.changed = tuple(
            k for k in dm if k in before and (k in self._touched or dm.get_data(k) is not before[k])
        )
        self.deleted = tuple(k for k in before if k not in dm)
        self._before = {}  # the replaced objects are not kept alive


_SESSION_LOCK = threading.Lock()
"""Held while a session's task runs: the working directory is one per process."""


@contextlib.contextmanager
def _in_folder(folder: Path, control: RunControl) -> Any:
    """Run the block in ``folder``, one session of this process at a time.

    On a worker with several threads, sessions wait here for each other: a task's working
    directory, ``sys.argv`` and output capture belong to the whole process. A session
    cancelled while it waits ends without running.

    Raises
    ------
    TaskCancelledError
        The session was cancelled before its turn came.
    """
    while not _SESSION_LOCK.acquire(timeout=_CANCEL_POLL_S):
        if control.cancelled.is_set():
            raise TaskCancelledError("cancelled")
    try:
        if control.cancelled.is_set():
            raise TaskCancelledError("cancelled")
        previous = os.getcwd()
        os.chdir(folder)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.chdir(previous)
    finally:
        _SESSION_LOCK.release()


def _release_memory() -> None:
    """Free the finished session's data now, in a worker process.

    A DataManager's signal connections and undo history form reference cycles, which
    only Python's cyclic collector frees; left to its own schedule a worker's memory
    would grow by sessions. Objects that exist after the first session (imported
    modules) are frozen once per process, so later collections only scan what a session
    created and take a millisecond. Runs in the caller's process are left alone.
    """
    global _gc_frozen
    if multiprocessing.parent_process() is None:
        return
    gc.collect()
    if not _gc_frozen:
        gc.freeze()
        _gc_frozen = True
