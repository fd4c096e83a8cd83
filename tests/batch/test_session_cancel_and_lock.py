"""A session's cancel that arrives before its script starts, and its output-folder lock."""

from __future__ import annotations

import os
import threading
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
