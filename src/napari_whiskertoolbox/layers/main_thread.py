"""Run callbacks on Qt's main thread, whichever thread emitted the signal.

Scripts may mutate the DataManager from a worker thread; layers and docks must only be
touched from the main thread. Connect through :func:`connect_main` and keep the returned
callable if you need to disconnect later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from superqt.utils import ensure_main_thread

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["call_in_main", "connect_main"]


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
