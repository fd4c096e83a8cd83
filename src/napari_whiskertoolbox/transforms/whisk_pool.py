"""Worker processes running the Janelia whisker tracker, stopped when a run is cancelled.

Each worker is a fresh ``python -c`` (as in :mod:`~napari_whiskertoolbox.transforms.child_process`:
no re-import of the caller's ``__main__``, safe from a Qt application with threads) started
in the tracker's working folder (:func:`~napari_whiskertoolbox.transforms.whisk_tracker.whisk_workdir`)
and serving :func:`~napari_whiskertoolbox.transforms.whisk_tracker.serve`. The first worker
starts alone, so that only it computes and saves libwhisk's detector banks when they are
missing; the others then read them. It computes them in a new subfolder, under a lock file
(POSIX ``flock``) against other processes doing the same, and they are moved into the
working folder only once written whole: a run cancelled meanwhile leaves no partial bank.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from napari_whiskertoolbox.transforms.child_process import POLL_S
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.whisk_ffmpeg import worker_environment
from napari_whiskertoolbox.transforms.whisk_tracker import PARAMETERS_FILE

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np

    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = ["TracerPool", "usable_cpus"]

_SERVE = "from napari_whiskertoolbox.transforms.whisk_tracker import serve; serve()"
BANKS = ("line.detectorbank", "halfspace.detectorbank")
"""libwhisk's detector banks, computed in its current directory when missing."""


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (POSIX ``flock``; no lock elsewhere)."""
    with path.open("a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def usable_cpus() -> int:
    """Return the number of CPUs this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


class _Worker:
    """One tracker process: send a list of frames, read their segments."""

    def __init__(self, workdir: Path, log: IO[bytes]) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        env = worker_environment(env)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=workdir,
            env=env,
        )

    def _read(self) -> Any:
        assert self.process.stdout is not None
        try:
            status, value = pickle.load(self.process.stdout)
        except (EOFError, pickle.UnpicklingError, OSError) as exc:
            code = self.process.wait()
            raise TransformError(
                f"the whisker tracker process ended without an answer (exit code {code})"
            ) from exc
        if status == "error":
            raise TransformError(value)
        return value

    def ready(self) -> None:
        self._read()

    def trace(self, frames: list[np.ndarray]) -> list[list[np.ndarray]]:
        assert self.process.stdin is not None
        try:
            pickle.dump(frames, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except OSError:
            pass  # the process died: _read reports its exit code
        result: list[list[np.ndarray]] = self._read()
        return result

    def stop(self, kill: bool) -> None:
        if kill and self.process.poll() is None:
            self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class TracerPool:
    """``n_workers`` tracker processes; :meth:`trace` splits a batch of frames among them.

    Use as a context manager. Every wait polls ``ctx``: a cancel kills the processes and
    raises :class:`~napari_whiskertoolbox.transforms.errors.TransformCancelled` within
    :data:`~napari_whiskertoolbox.transforms.child_process.POLL_S` seconds.

    Parameters
    ----------
    n_workers : int
        Number of processes (at least 1).
    workdir : pathlib.Path
        The tracker's working folder; worker ``k`` logs libwhisk's messages to
        ``worker-<k>.log`` there.
    ctx : TransformContext
        Progress and cancellation of the run.
    owner : str
        Transform name for errors.
    """

    def __init__(self, n_workers: int, workdir: Path, ctx: TransformContext, owner: str) -> None:
        self._n = max(int(n_workers), 1)
        self._workdir = workdir
        self._ctx = ctx
        self._owner = owner
        self._workers: list[_Worker] = []
        self._logs: list[IO[bytes]] = []
        self._staging: Path | None = None
        self._threads = ThreadPoolExecutor(self._n, thread_name_prefix="whisk")

    @property
    def n_workers(self) -> int:
        """Return the number of worker processes."""
        return self._n

    def __enter__(self) -> TracerPool:
        try:
            self._start_first()
            self._start(self._n - 1, self._workdir)
        except BaseException:
            self.close(kill=True)
            raise
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close(kill=exc_type is not None)

    def _banks_ready(self) -> bool:
        return all((self._workdir / name).is_file() for name in BANKS)

    def _start_first(self) -> None:
        if self._banks_ready():
            self._start(1, self._workdir)
            return
        with _locked(self._workdir / "banks.lock"):
            if self._banks_ready():  # another process made them meanwhile
                self._start(1, self._workdir)
                return
            staging = Path(tempfile.mkdtemp(prefix="banks-", dir=self._workdir))
            self._staging = staging
            params = self._workdir / PARAMETERS_FILE
            if params.is_file():  # the user's settings shape the banks
                shutil.copy2(params, staging / PARAMETERS_FILE)
            self._start(1, staging)
            for name in (*BANKS, PARAMETERS_FILE):
                if (staging / name).is_file() and not (self._workdir / name).exists():
                    os.replace(staging / name, self._workdir / name)

    def _start(self, count: int, cwd: Path) -> None:
        new = []
        for _ in range(count):
            log = (self._workdir / f"worker-{len(self._workers)}.log").open("wb")
            self._logs.append(log)
            worker = _Worker(cwd, log)
            self._workers.append(worker)
            new.append(worker)
        self._wait([self._threads.submit(w.ready) for w in new])

    def _wait(self, futures: list[Future[Any]]) -> list[Any]:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_EXCEPTION)
            for f in done:
                exc = f.exception()
                if isinstance(exc, TransformError):
                    raise TransformError(str(exc), transform=self._owner) from exc
                if exc is not None:
                    raise exc
            if pending and self._ctx.is_cancelled():
                self.close(kill=True)
                self._ctx.check()
        return [f.result() for f in futures]

    def submit(self, frames: list[np.ndarray]) -> list[Future[Any]]:
        """Start tracing ``frames``, split among the workers; :meth:`collect` the result.

        The caller may prepare the next frames meanwhile (one batch at a time per pool).
        """
        if not frames:
            return []
        n = min(self._n, len(frames))
        bounds = [len(frames) * k // n for k in range(n + 1)]
        return [
            self._threads.submit(self._workers[k].trace, frames[bounds[k] : bounds[k + 1]])
            for k in range(n)
        ]

    def collect(self, batch: list[Future[Any]]) -> list[list[np.ndarray]]:
        """Return the segments of every frame of a submitted batch, in order.

        Raises
        ------
        TransformCancelled
            The context was cancelled (the workers are killed).
        TransformError
            A worker failed or ended.
        """
        return [segments for part in self._wait(batch) for segments in part]

    def trace(self, frames: list[np.ndarray]) -> list[list[np.ndarray]]:
        """Return the segments of every frame (in order): :meth:`submit`, then :meth:`collect`."""
        return self.collect(self.submit(frames))

    def close(self, kill: bool = False) -> None:
        """Stop the workers (``kill``: at once, else once they finish their frames)."""
        for worker in self._workers:
            worker.stop(kill)
        self._workers = []
        self._threads.shutdown(wait=False, cancel_futures=True)
        for log in self._logs:
            log.close()
        self._logs = []
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
