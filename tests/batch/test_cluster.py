"""Starting the batch's dask client: addresses that are no scheduler, workers that never start.

Neither may leave a batch (or the Batch dock) waiting forever: both end in an ``OSError``
saying what is wrong.
"""

from __future__ import annotations

import multiprocessing
import socket
import threading
import urllib.request
from typing import TYPE_CHECKING

import dask
import distributed  # noqa: F401 - its config defaults exist before a test sets one of them
import pytest

from napari_whiskertoolbox.batch import start_client

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections (the kernel's backlog) and never answers.

    Like a web server (the dask dashboard's port 8787, say): it waits for the client to
    speak first, while a dask client waits for the scheduler's handshake.
    """
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@pytest.fixture
def garbage_port() -> Iterator[int]:
    """A TCP port that answers every connection with bytes that are no dask message."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.sendall(b"SSH-2.0-OpenSSH_9.6 not a dask scheduler\r\n" * 4)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()


def test_an_address_that_never_answers_is_an_error_not_a_hang(silent_port: int) -> None:
    address = f"tcp://127.0.0.1:{silent_port}"
    with pytest.raises(OSError, match="not answer as a dask scheduler") as info:
        start_client(address, connect_timeout=1.0)
    assert address in str(info.value)
    assert "8786" in str(info.value)  # the usual scheduler port, for a dashboard address


def test_an_address_answering_something_else_is_an_error(garbage_port: int) -> None:
    address = f"tcp://127.0.0.1:{garbage_port}"
    with pytest.raises(OSError, match="not answer as a dask scheduler") as info:
        start_client(address, connect_timeout=1.0)
    assert address in str(info.value)


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then closed)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return int(port)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("tcp://127.0.0.1:{closed_port}", "connection refused"),
        ("tcp://no-such-host.invalid:8786", "unknown host 'no-such-host.invalid'"),
    ],
)
def test_an_address_nothing_listens_on_says_so(address: str, expected: str) -> None:
    # no scheduler running there, or a typo in the host: "cannot reach", not "answers
    # something else" (nor a timeout after dask's retries). The port is picked when the test
    # runs: pytest-xdist's workers must collect the same test ids.
    address = address.format(closed_port=_closed_port())
    with pytest.raises(OSError, match="cannot reach the dask scheduler") as info:
        start_client(address, connect_timeout=5.0)
    assert address in str(info.value)
    assert expected in str(info.value)
    assert "does not speak dask" not in str(info.value)


def test_a_port_out_of_range_is_a_bad_address() -> None:
    with pytest.raises(ValueError, match=r"bad dask scheduler address .*port 99999 is not"):
        start_client("tcp://127.0.0.1:99999")


def test_workers_that_never_start_are_an_error_and_are_stopped(tmp_path: Path) -> None:
    # a worker process that hangs while starting, as when it imports a main script that
    # opens napari without `if __name__ == "__main__":` (spawn re-runs the main script)
    hang = tmp_path / "hang_on_start.py"
    hang.write_text("import time\ntime.sleep(600)\n")
    before = set(multiprocessing.active_children())
    with (
        dask.config.set({"distributed.worker.preload": [str(hang)]}),
        pytest.raises(OSError, match=r"did not start within 1\.5 s") as info,
    ):
        start_client(n_workers=1, start_timeout=1.5)
    assert "__main__" in str(info.value)
    assert set(multiprocessing.active_children()) <= before  # the stuck worker was stopped


def test_workers_that_fail_at_once_are_not_said_to_time_out(tmp_path: Path) -> None:
    # a worker whose start-up raises (as a main script that exits when re-imported without
    # its arguments): the error says it failed and why, not "did not start within 60 s"
    boom = tmp_path / "boom_on_start.py"
    boom.write_text("raise RuntimeError('boom while the worker starts')\n")
    with (
        dask.config.set({"distributed.worker.preload": [str(boom)]}),
        pytest.raises(OSError, match=r"failed to start \(after [\d.]+ s\)") as info,
    ):
        start_client(n_workers=1, processes=False)
    assert "boom while the worker starts" in str(info.value)
    assert "within" not in str(info.value)


def test_workers_of_a_scheduler_are_not_ours_to_size() -> None:
    with pytest.raises(ValueError, match=r"n_workers=2 .* tcp://127\.0\.0\.1:8786 has its own"):
        start_client("tcp://127.0.0.1:8786", 2)


def test_the_local_cluster_serves_dasks_dashboard() -> None:
    """The link the batch prints opens dask's dashboard, not its "needs bokeh" page."""
    batch_client = start_client(n_workers=1, processes=False)
    try:
        link = batch_client.dashboard_link
        assert link is not None
        with urllib.request.urlopen(link, timeout=10) as page:
            assert b"Dask Diagnostic UI" in page.read()
    finally:
        batch_client.close()


def _distributed_log_level() -> int:
    import logging

    return logging.getLogger("distributed.worker.state_machine").getEffectiveLevel()


def test_quiet_local_workers_log_only_errors() -> None:
    """A cancel made each worker process log "... ended with CancelledError" warnings."""
    import logging

    batch_client = start_client(n_workers=1)
    try:
        levels = batch_client.client.run(_distributed_log_level)
        assert list(levels.values()) == [logging.ERROR]
    finally:
        batch_client.close()
