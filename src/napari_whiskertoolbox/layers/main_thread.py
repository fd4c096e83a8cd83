"""Run callbacks on Qt's main thread, whichever thread emitted the signal.

Scripts may mutate the DataManager from a worker thread; layers and docks must only be
touched from the main thread. Connect through :func:`connect_main` and keep the returned
callable if you need to disconnect later.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["call_in_main", "connect_main", "run_in_main"]

_POLL_S = 0.1


class _Dispatcher(QObject):
    """The one object, living on the main thread for the whole process, that runs posted jobs.

    Jobs are posted by emitting :attr:`posted` from any thread (a queued connection, in
    order). No per-call ``QObject`` is made in a worker thread: such an object (superqt's
    ``ensure_main_thread`` makes one a call) may be freed by the worker while the main thread
    still runs its slot, which corrupted PyQt's wrapper table and crashed the interpreter at
    exit, after batches run from the Batch dock.
    """

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, job: Callable[[], None]) -> None:
        job()


_dispatcher: _Dispatcher | None = None
_dispatcher_lock = threading.Lock()


def _main_dispatcher(app: QCoreApplication) -> _Dispatcher:
    global _dispatcher
    with _dispatcher_lock:
        if _dispatcher is None:
            dispatcher = _Dispatcher()
            if dispatcher.thread() is not app.thread():
                dispatcher.moveToThread(app.thread())
            _dispatcher = dispatcher
        return _dispatcher


def _post(func: Callable[..., Any], args: tuple[Any, ...], *, waited: bool) -> Future[Any]:
    """Run ``func(*args)`` on the main thread; its result or error goes to the future.

    An error nobody waits for also goes to ``sys.excepthook`` (napari shows it).
    """
    future: Future[Any] = Future()
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is app.thread():
        future.set_result(func(*args))
        return future

    def job() -> None:
        try:
            future.set_result(func(*args))
        except BaseException as exc:
            future.set_exception(exc)
            if not waited:
                sys.excepthook(type(exc), exc, exc.__traceback__)

    _main_dispatcher(app).posted.emit(job)
    return future


def _positional_limit(func: Callable[..., Any]) -> int | None:
    """How many positional arguments ``func`` takes (``None``: any number)."""
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in positional for p in parameters)


def connect_main(signal: Any, slot: Callable[..., Any]) -> Callable[..., Any]:
    """Connect ``slot`` to a psygnal ``signal`` so it always runs on the main thread.

    Emissions on the main thread call ``slot`` synchronously; emissions from other threads
    are queued to the main thread's event loop, in order.

    Returns
    -------
    callable
        The connected wrapper; pass it to ``signal.disconnect`` to undo the connection.
    """
    limit = _positional_limit(slot)

    @functools.wraps(slot)
    def wrapper(*args: Any) -> None:
        _post(slot, args if limit is None else args[:limit], waited=False)

    signal.connect(wrapper)
    return wrapper


def call_in_main(
    func: Callable[..., Any], *args: Any, wait: bool = False, timeout_ms: int = 10000
) -> Any:
    """Call ``func(*args)`` on the main thread.

    Returns
    -------
    Any or concurrent.futures.Future
        With ``wait``: ``func``'s result (its error is raised here; ``TimeoutError``
        after ``timeout_ms``); without: a future of it.
    """
    future = _post(func, args, waited=wait)
    return future.result(timeout=timeout_ms / 1000) if wait else future


def run_in_main(func: Callable[..., Any], *args: Any, timeout_ms: int = 10000) -> Any:
    """Run ``func(*args)`` on the main thread and return its result, or raise its error here.

    On the main thread ``func`` is called directly. A worker thread waits in slices of
    0.1 s, so a script's Cancel (an exception raised asynchronously in that thread) still
    interrupts the wait. ``timeout_ms`` is accepted for compatibility: the wait has no limit.
    """
    if threading.current_thread() is threading.main_thread():
        return func(*args)
    future = _post(func, args, waited=True)
    while not future.done():
        wait_for([future], timeout=_POLL_S)
    return future.result()
