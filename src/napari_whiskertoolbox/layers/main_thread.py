"""Run callbacks on Qt's main thread, whichever thread emitted the signal.

Scripts may mutate the DataManager from a worker thread; layers and docks must only be
touched from the main thread. Connect through :func:`connect_main` and keep the returned
callable if you need to disconnect later.
"""

from __future__ import annotations

import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from superqt.utils import ensure_main_thread

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["call_in_main", "connect_main", "run_in_main"]

_POLL_S = 0.1


def connect_main(signal: Any, slot: Callable[..., Any]) -> Callable[..., Any]:
    """Connect ``slot`` to a psygnal ``signal`` so it always runs on the main thread.

    Emissions on the main thread call ``slot`` synchronously; emissions from other threads
    are queued to the main thread's event loop.

    Returns
    -------
    callable
        The connected wrapper; pass it to ``signal.disconnect`` to undo the connection.
    """
    wrapper = ensure_main_thread(slot)
    signal.connect(wrapper)
    return wrapper


def call_in_main(
    func: Callable[..., Any], *args: Any, wait: bool = False, timeout_ms: int = 10000
) -> Any:
    """Call ``func(*args)`` on the main thread; with ``wait`` block for and return its result."""
    return ensure_main_thread(func, await_return=wait, timeout=timeout_ms)(*args)


def run_in_main(func: Callable[..., Any], *args: Any, timeout_ms: int = 10000) -> Any:
    """Run ``func(*args)`` on the main thread and return its result, or raise its error here.

    On the main thread ``func`` is called directly. A worker thread waits in slices of
    0.1 s, so a script's Cancel (an exception raised asynchronously in that thread) still
    interrupts the wait.
    """
    if threading.current_thread() is threading.main_thread():
        return func(*args)

    def task() -> tuple[bool, Any]:
        try:
            return True, func(*args)
        except BaseException as exc:
            return False, exc

    future = call_in_main(task, wait=False, timeout_ms=timeout_ms)
    while True:
        try:
            ok, value = future.result(timeout=_POLL_S)
            break
        except FutureTimeout:
            continue
    if not ok:
        raise value
    return value
