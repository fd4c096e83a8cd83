"""Which session failures a batch retries (batch/failures.py), without a cluster."""

from __future__ import annotations

import errno
import json

import pytest

from napari_whiskertoolbox.batch.failures import is_transient, is_transient_task_error
from napari_whiskertoolbox.batch.session_lock import SessionBusyError, SessionLockError
from napari_whiskertoolbox.batch.tasks import TaskFailedError
from napari_whiskertoolbox.io.errors import FormatError


def _raised_from(outer: type[BaseException], inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer("wrapped") from exc
    except BaseException as exc:
        return exc


def _raised_while_handling(outer: BaseException, inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 - the implicit context is what is tested
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        MemoryError(),
        TimeoutError("read timed out"),
        ConnectionResetError(errno.ECONNRESET, "reset"),
        OSError(errno.EIO, "Input/output error"),
        OSError(errno.ESTALE, "Stale file handle"),
        SessionBusyError("still running elsewhere"),
    ],
)
def test_transient_failures(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        FormatError("file 'config.json', line 2: invalid JSON at column 1"),
        json.JSONDecodeError("Expecting value", "{", 1),
        FileNotFoundError(errno.ENOENT, "No such file", "data.csv"),
        PermissionError(errno.EACCES, "Permission denied"),
        OSError("Unable to open file (file signature not found)"),  # h5py: no errno
        OSError(errno.ENOSPC, "No space left on device"),
        KeyError("whisker_angle"),
        ValueError("unknown data_type 'analogue'"),
        SessionLockError("could not lock: read-only file system"),
    ],
)
def test_deterministic_failures(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_a_wrapped_transient_cause_counts() -> None:
    # a loader turning an NFS error into its FormatError (raise ... from exc)
    assert is_transient(_raised_from(FormatError, OSError(errno.ESTALE, "Stale file handle")))
    assert not is_transient(_raised_from(FormatError, FileNotFoundError(errno.ENOENT, "gone")))
    # raised while handling one, without `from`
    wrapped = _raised_while_handling(ValueError("cannot read"), OSError(errno.EIO, "I/O"))
    assert is_transient(wrapped)


def test_only_memory_errors_of_the_task_are_retried() -> None:
    assert is_transient_task_error(MemoryError())
    assert is_transient_task_error(_raised_from(RuntimeError, MemoryError()))
    assert is_transient_task_error(TaskFailedError("MemoryError", out_of_memory=True))
    assert not is_transient_task_error(TaskFailedError("KeyError: 'x'"))
    assert not is_transient_task_error(OSError(errno.EIO, "my own file"))
    assert not is_transient_task_error(TimeoutError())


def test_a_scripts_memory_error_is_recognised_from_its_traceback() -> None:
    from napari_whiskertoolbox.batch.tasks import _out_of_memory
    from napari_whiskertoolbox.scripting.engine import RunResult

    def failed(error: str, exit_code: int | None = None) -> RunResult:
        return RunResult("", "", False, error=error, exit_code=exit_code)

    assert _out_of_memory(failed('Traceback...\n  File "a.py", line 1\nMemoryError'))
    assert _out_of_memory(failed("Traceback...\nMemoryError: Unable to allocate 8 GiB"))
    assert _out_of_memory(failed("Traceback...\nnumpy.core._exceptions._ArrayMemoryError: x"))
    assert not _out_of_memory(failed("Traceback...\nKeyError: 'MemoryError'"))
    assert not _out_of_memory(failed("the script exited with code 2", exit_code=2))
