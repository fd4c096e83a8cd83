"""A session's cancel that arrives before its script starts, and its output-folder lock."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest
from _batch_support import write_script

from napari_whiskertoolbox.batch import as_task
from napari_whiskertoolbox.batch.session_lock import (
    SessionBusyError,
    SessionLockError,
    holding_session,
    session_owner_path,
)
from napari_whiskertoolbox.batch.tasks import RunControl, SessionContext, TaskCancelledError
from napari_whiskertoolbox.sample import make_sample_session

if TYPE_CHECKING:
    from pathlib import Path

FIRST_LINE_WRITES = "from pathlib import Path\nPath('ran.txt').write_text('x')\nresults = {}\n"


def test_a_cancel_before_the_script_started_stops_it_before_its_first_line(tmp_path: Path) -> None:
    """The worker's cancel watcher may fire while the session's engine is being made.

    Was: ``engine.cancel()`` found no run yet and returned False; the script then ran to
    its end (hours, for a long one) before the session was reported cancelled.
    """
    script = write_script(tmp_path / "task.py", FIRST_LINE_WRITES)
    output = tmp_path / "out"
    output.mkdir()
    control = RunControl()
    control.cancel()  # before task.run registers its engine's cancel

    with pytest.raises(TaskCancelledError):
        as_task(script).run(
            make_sample_session(5, seed=1), SessionContext(script, "s", output), control
        )
    assert not (output / "ran.txt").exists()


def test_a_held_session_is_reported_busy_naming_its_holder(tmp_path: Path) -> None:
    output = tmp_path / "sessions" / "mouse1"
    never = threading.Event()
    with holding_session(output, wait_s=0.0, cancelled=never, worker="tcp://w:1") as waited:
        assert waited is None
        other = threading.Thread(target=lambda: errors.append(_try(output, never)))
        errors: list[BaseException | None] = []
        other.start()
        other.join()
    (error,) = errors
    assert isinstance(error, SessionBusyError)
    assert f"process {os.getpid()} on " in str(error)
    assert "dask worker tcp://w:1" in str(error)
    assert not session_owner_path(output).exists()  # released: no holder named any more
    with holding_session(output, wait_s=0.0, cancelled=never) as waited:
        assert waited is None


def test_a_cancel_ends_the_wait_for_a_held_session(tmp_path: Path) -> None:
    output = tmp_path / "mouse1"
    cancelled = threading.Event()
    errors: list[BaseException | None] = []
    with holding_session(output, wait_s=0.0, cancelled=threading.Event()):
        waiter = threading.Thread(target=lambda: errors.append(_try(output, cancelled, 600.0)))
        waiter.start()
        cancelled.set()
        waiter.join(60.0)
        assert not waiter.is_alive()
    assert isinstance(errors[0], SessionBusyError)


def _try(output: Path, cancelled: threading.Event, wait_s: float = 0.0) -> BaseException | None:
    try:
        with holding_session(output, wait_s=wait_s, cancelled=cancelled):
            return None
    except SessionBusyError as exc:
        return exc


def test_a_session_folder_that_cannot_be_locked_says_why(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "sessions"
    not_a_folder.write_text("a file where the sessions' folder should be")
    with (
        pytest.raises(
            SessionLockError, match=r"could not make the folder of .*\.mouse1\.batch\.lock"
        ),
        holding_session(not_a_folder / "mouse1", wait_s=0.0, cancelled=threading.Event()),
    ):
        pass


def test_a_session_the_holder_finished_while_waited_for_is_skipped(
    sessions: Path, tmp_path: Path
) -> None:
    """The cancelled run's session ends, saved and marked complete: the re-run keeps it."""
    from napari_whiskertoolbox.batch.input_files import input_state
    from napari_whiskertoolbox.batch.markers import write_marker
    from napari_whiskertoolbox.batch.records import SessionRecord
    from napari_whiskertoolbox.batch.worker import SessionJob, run_session

    script = write_script(tmp_path / "task.py", FIRST_LINE_WRITES)
    task = as_task(script)
    output = tmp_path / "out" / "sessions" / "mouse1"
    job = SessionJob(
        0, sessions / "mouse1.session", "mouse1", output, task, task.fingerprint(), lock_wait_s=60
    )
    records: list[SessionRecord] = []
    with holding_session(output, wait_s=0.0, cancelled=threading.Event()):
        waiter = threading.Thread(target=lambda: records.append(run_session(job)))
        waiter.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_the_lock(waiter):
            assert time.monotonic() < deadline, "the session never asked for the lock"
            time.sleep(0.01)
        output.mkdir(parents=True)
        (output / "angle.csv").write_text("1\n")  # the holder's outputs, then its marker
        earlier = SessionRecord(str(job.session), "mouse1", "done", results={"by": 1})
        write_marker(output, job.fingerprint, earlier, input_state(job.session))
    waiter.join(60)

    (record,) = records
    assert record.status == "skipped"
    assert record.results == {"by": 1}
    assert not (output / "ran.txt").exists()  # this run did not run the task


def _waiting_for_the_lock(thread: threading.Thread) -> bool:
    """Return whether ``thread`` found the session's lock held and waits for it."""
    frame = sys._current_frames().get(thread.ident or 0)
    while frame is not None:
        if frame.f_code.co_name == "holding_session" and frame.f_locals.get("waited_since"):
            return True
        frame = frame.f_back
    return False
