"""The dask client of a batch: a local cluster we start and close, or an existing scheduler.

SLURM (and PBS, SGE, LSF…) goes through dask-jobqueue (``pip install
'napari-whiskertoolbox[slurm]'``): start the cluster yourself and pass its client::

    from dask.distributed import Client
    from dask_jobqueue import SLURMCluster

    cluster = SLURMCluster(cores=1, processes=1, memory="8GB", walltime="02:00:00",
                           queue="normal", job_extra_directives=["--account=mylab"])
    cluster.scale(jobs=20)               # 20 single-core workers, one SLURM job each
    with Client(cluster) as client:
        report = run_batch("angle.py", "sessions/*.session", client=client, out="results")

or run the scheduler on the login node (``dask scheduler``), submit workers with
``dask worker tcp://login-node:8786`` in a job array, and use
``napari-whiskertoolbox batch angle.py 'sessions/*' --scheduler tcp://login-node:8786``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch._deps import require_batch_dependencies

if TYPE_CHECKING:
    from collections.abc import Iterator

    from distributed import Client

__all__ = [
    "CLOSE_TIMEOUT_S",
    "CONNECT_TIMEOUT_S",
    "START_TIMEOUT_S",
    "BatchClient",
    "default_n_workers",
    "start_client",
]

CLOSE_TIMEOUT_S = 2.0
"""How long closing our own cluster waits for running tasks before killing the workers."""
CONNECT_TIMEOUT_S = 10.0
"""How long connecting to a scheduler address may take, its handshake included."""
START_TIMEOUT_S = 60.0
"""How long the local cluster's worker processes may take to start."""
_WORKER_PROCESS_NAME = "Dask Worker process"
_LATE_SPAWN_GRACE_S = 3.0


def default_n_workers() -> int:
    """Return the number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class BatchClient:
    """A dask client and whether the batch owns (started, and will close) its cluster.

    Attributes
    ----------
    client : distributed.Client
    owned : bool
        True for the local cluster :func:`start_client` started.
    """

    client: Client
    owned: bool
    cluster: Any = None

    @property
    def dashboard_link(self) -> str | None:
        """The dask dashboard's address, when the scheduler serves one."""
        try:
            return str(self.client.dashboard_link) or None
        except (AttributeError, KeyError):
            return None

    def close(self, timeout: float | None = None) -> None:
        """Close the client; an owned cluster is shut down, killing still-running workers.

        dask's close asks each worker to stop and waits for its running task; a worker
        still busy after ``timeout`` (a session in a blocking call the cooperative cancel
        cannot interrupt) is killed (SIGKILL), so closing never waits for a session to end
        by itself. dask's close is never interrupted midway: a cluster left half-closed
        keeps its workers running and makes the interpreter wait for them at exit.
        """
        timeout = CLOSE_TIMEOUT_S if timeout is None else timeout
        pids = self._worker_pids()
        with contextlib.suppress(Exception):
            self.client.close(timeout=timeout)
        if self.cluster is None:
            return
        cluster = self.cluster

        def close_cluster() -> None:
            with contextlib.suppress(Exception):
                cluster.close()

        closer = threading.Thread(target=close_cluster, name="wtb-batch-close", daemon=True)
        closer.start()
        closer.join(timeout)
        if closer.is_alive():
            _kill(pids)
            closer.join(CONNECT_TIMEOUT_S)

    def _worker_pids(self) -> list[int]:
        """Return the process ids of our local cluster's workers (none: threads, remote)."""
        workers = getattr(self.cluster, "workers", None) or {}
        pids = [getattr(worker, "pid", None) for worker in list(workers.values())]
        return [pid for pid in pids if isinstance(pid, int) and pid != os.getpid()]


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


async def _check_reachable(address: str, timeout: float) -> None:
    """Open (and close) a plain TCP connection to a ``tcp://`` or ``tls://`` ``address``.

    Tells "nothing listens there" apart from "something listens but is no scheduler",
    which dask's connect reports alike, as a timeout after retrying for ``timeout`` s.
    Other schemes are left to dask.

    Raises
    ------
    OSError
        Unknown host, connection refused, or no answer within ``timeout`` s; the message
        names the address.
    ValueError
        A malformed host:port.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme not in ("tcp", "tls"):
        return
    host, port = parse_host_port(location)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is not in 1-65535")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except socket.gaierror as exc:
        raise OSError(
            f"cannot reach the dask scheduler at {address}: unknown host {host!r} ({exc})"
        ) from exc
    except ConnectionRefusedError as exc:
        raise OSError(
            f"cannot reach the dask scheduler at {address}: connection refused (nothing "
            f"listens on port {port} of {host}: is the scheduler running, on port {port}? "
            "`dask scheduler` listens on 8786 by default)"
        ) from exc
    except TimeoutError as exc:
        raise OSError(
            f"cannot reach the dask scheduler at {address}: no answer from {host} within "
            f"{timeout:g} s (a wrong host, or a firewall in the way?)"
        ) from exc
    except OSError as exc:
        raise OSError(f"cannot reach the dask scheduler at {address}: {exc}") from exc
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def _connect(address: str, timeout: float) -> Client:
    """Connect a client to the scheduler at ``address``, in at most about ``timeout`` s.

    dask's own connect timeout does not cover the handshake: a server that accepts the
    connection and waits for the client to speak first (a web server, such as the
    dashboard's port) keeps ``Client(address)`` waiting forever, and one that answers
    something else can make it fail with a ``MemoryError``. A probe connection, with its
    handshake under a timeout, goes first.
    """
    from distributed import Client
    from distributed.comm import connect
    from distributed.security import Security

    async def probe() -> None:
        await _check_reachable(address, timeout)
        args = Security().get_connection_args("client")
        comm = await asyncio.wait_for(connect(address, timeout=timeout, **args), timeout)
        await comm.close()

    not_dask = (
        f"{address} does not answer as a dask scheduler within {timeout:g} s: something "
        "accepts connections there but does not speak dask's protocol (a dashboard or "
        "web address? a scheduler listens on port 8786 by default)"
    )
    with ThreadPoolExecutor(1) as pool:  # its own event loop, even when one runs here
        try:
            pool.submit(asyncio.run, probe()).result()
        except (ValueError, TypeError) as exc:  # a malformed address
            raise ValueError(f"bad dask scheduler address {address!r}: {exc}") from exc
        except TimeoutError as exc:  # asyncio.TimeoutError too (an OSError: first)
            raise OSError(not_dask) from exc
        except OSError as exc:
            if str(exc).startswith("cannot reach"):  # _check_reachable's own message
                raise
            if "handshake" in str(exc):
                raise OSError(not_dask) from exc
            raise OSError(f"cannot reach the dask scheduler at {address}: {exc}") from exc
        except Exception as exc:
            raise OSError(
                f"{address} does not answer as a dask scheduler: what it sent is no dask "
                f"message ({type(exc).__name__}: {exc})"
            ) from exc
    try:
        return Client(address, timeout=timeout)
    except ValueError:
        raise
    except OSError as exc:
        raise OSError(f"cannot connect to the dask scheduler at {address}: {exc}") from exc
    except Exception as exc:
        raise OSError(f"cannot connect to the dask scheduler at {address}: {exc}") from exc


def start_client(
    scheduler: str | None = None,
    n_workers: int | None = None,
    *,
    processes: bool = True,
    allowed_failures: int = 0,
    quiet: bool = True,
    connect_timeout: float | None = None,
    start_timeout: float | None = None,
) -> BatchClient:
    """Connect to ``scheduler``, or start ``LocalCluster(n_workers, threads_per_worker=1)``.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``).
    n_workers : int, optional
        Workers of the local cluster (default: the cores this process may use).
    processes : bool
        One process per worker (default); ``False`` runs the workers as threads of this
        process (tests, debugging).
    allowed_failures : int
        Times the local scheduler reschedules a task whose worker died before failing it
        (0: the batch's own retries decide).
    quiet : bool
        Only show dask's errors, not its warnings about workers being killed on cancel
        (in this process and in the local cluster's worker processes).
    connect_timeout : float, optional
        Seconds to reach ``scheduler`` and complete dask's handshake (default
        :data:`CONNECT_TIMEOUT_S`).
    start_timeout : float, optional
        Seconds the local worker processes may take to start (default
        :data:`START_TIMEOUT_S`); the ones that did not are stopped.

    Raises
    ------
    MissingBatchDependencyError
        dask.distributed is not installed.
    OSError
        The scheduler cannot be reached or does not answer as a dask scheduler, or the
        local workers did not start within ``start_timeout``.
    ValueError
        A malformed scheduler address, ``n_workers`` < 1, or ``n_workers`` with
        ``scheduler``.
    """
    require_batch_dependencies()
    import dask
    from distributed import Client, LocalCluster

    if quiet:
        for name in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
    if scheduler:
        if n_workers is not None:
            raise ValueError(
                f"n_workers={n_workers} is the size of a local cluster; the scheduler "
                f"{scheduler} has its own workers (scale them there, or leave n_workers out)"
            )
        timeout = CONNECT_TIMEOUT_S if connect_timeout is None else connect_timeout
        return BatchClient(_connect(scheduler, timeout), owned=False)
    start_s = START_TIMEOUT_S if start_timeout is None else start_timeout
    workers = default_n_workers() if n_workers is None else int(n_workers)
    if workers < 1:
        raise ValueError(f"n_workers must be >= 1, got {workers}")
    # dask makes workers hand freed memory back to the OS at once (MALLOC_TRIM_THRESHOLD_);
    # numpy-heavy sessions then page-fault on every large array and run about 2x slower.
    # Memory stays bounded without it: each session's data is freed when it ends.
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    if quiet:  # the worker processes too: their "ended with CancelledError" on cancel
        environ["DASK_LOGGING__DISTRIBUTED"] = "error"
    settings = {
        "distributed.scheduler.allowed-failures": allowed_failures,
        "distributed.nanny.pre-spawn-environ": environ,
    }
    before = set(multiprocessing.active_children())
    started = time.monotonic()
    try:
        with dask.config.set(settings):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",
                death_timeout=start_s,  # a nanny gives up on a worker that does not start
            )
    except Exception as exc:
        elapsed = time.monotonic() - started
        if processes:
            _stop_new_workers(before)
        # a worker that gave up at the timeout, or one that failed at once (its start-up
        # raised: a main script that exits when imported without its arguments, say)
        what = (
            f"did not start within {start_s:g} s"
            if elapsed >= 0.9 * start_s
            else f"failed to start (after {elapsed:.1f} s)"
        )
        raise OSError(
            f"the {workers} local dask worker process{'es' if workers > 1 else ''} {what} "
            f"({type(exc).__name__}: {exc}). Each worker process imports the program's main "
            "script (Python's 'spawn'): a script that starts napari or run_batch must do so "
            'under `if __name__ == "__main__":`'
        ) from exc
    return BatchClient(Client(cluster), owned=True, cluster=cluster)


def _stop_new_workers(before: set[multiprocessing.process.BaseProcess]) -> None:
    """Kill the dask worker processes started since ``before`` (a failed cluster start).

    A nanny spawns its worker from a watcher thread, which may still be starting one after
    the cluster gave up; keep looking until none has appeared for
    :data:`_LATE_SPAWN_GRACE_S`.
    """
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < _LATE_SPAWN_GRACE_S:
        new = [
            process
            for process in set(multiprocessing.active_children()) - before
            if process.name.startswith(_WORKER_PROCESS_NAME)
        ]
        for process in new:
            process.kill()
            process.join(5)
        if new:
            quiet_since = time.monotonic()
        time.sleep(0.05)


@contextlib.contextmanager
def batch_client(
    scheduler: str | None = None, n_workers: int | None = None, **options: Any
) -> Iterator[BatchClient]:
    """Context manager of :func:`start_client`, closing what it started."""
    started = start_client(scheduler, n_workers, **options)
    try:
        yield started
    finally:
        started.close()
