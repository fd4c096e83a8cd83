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

import contextlib
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch._deps import require_batch_dependencies

if TYPE_CHECKING:
    from collections.abc import Iterator

    from distributed import Client

__all__ = ["CLOSE_TIMEOUT_S", "BatchClient", "default_n_workers", "start_client"]

CLOSE_TIMEOUT_S = 2.0
"""How long closing our own cluster waits for running tasks before killing the workers."""


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

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Close the client; an owned cluster is shut down, killing still-running workers."""
        with contextlib.suppress(Exception):
            self.client.close(timeout=timeout)
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=timeout)


def start_client(
    scheduler: str | None = None,
    n_workers: int | None = None,
    *,
    processes: bool = True,
    allowed_failures: int = 0,
    quiet: bool = True,
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
        Only show dask's errors, not its warnings about workers being killed on cancel.

    Raises
    ------
    MissingBatchDependencyError
        dask.distributed is not installed.
    OSError
        The scheduler cannot be reached.
    """
    require_batch_dependencies()
    import dask
    from distributed import Client, LocalCluster

    if quiet:
        for name in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
    if scheduler:
        return BatchClient(Client(scheduler, timeout="10s"), owned=False)
    workers = default_n_workers() if n_workers is None else int(n_workers)
    if workers < 1:
        raise ValueError(f"n_workers must be >= 1, got {workers}")
    # dask makes workers hand freed memory back to the OS at once (MALLOC_TRIM_THRESHOLD_);
    # numpy-heavy sessions then page-fault on every large array and run about 2x slower.
    # Memory stays bounded without it: each session's data is freed when it ends.
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    settings = {
        "distributed.scheduler.allowed-failures": allowed_failures,
        "distributed.nanny.pre-spawn-environ": environ,
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
        )
    return BatchClient(Client(cluster), owned=True, cluster=cluster)


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
