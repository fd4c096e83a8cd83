"""Background thread that decodes frames ahead of a sequential reader."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ReadAheadWorker"]


class ReadAheadWorker:
    """Run ``step`` repeatedly on a daemon thread after each :meth:`wake`, until it returns False.

    ``step`` does one small unit of work (decode one frame) and takes the owner's lock itself,
    so a reader waiting for the lock waits at most one unit.

    Parameters
    ----------
    step : callable
        ``step() -> bool``; ``True`` means "more work may be pending".
    name : str
        Thread name (shows up in debuggers and thread dumps).
    """

    def __init__(self, step: Callable[[], bool], name: str = "wtb-read-ahead") -> None:
        self._step = step
        self._name = name
        self._wake_event = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    @property
    def is_running(self) -> bool:
        """Whether the worker thread has been started and not stopped."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Ask the worker to run ``step`` until it reports nothing left (starts the thread lazily)."""
        if self._stopped:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        self._wake_event.set()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread and wait up to ``timeout`` seconds for it to finish its current step."""
        self._stopped = True
        self._wake_event.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake_event.wait()
            self._wake_event.clear()
            if self._stopped:
                return
            try:
                while not self._stopped and self._step():
                    pass
            except Exception:  # read-ahead is best effort; the reader re-raises
                continue
