"""Stopping a running script from another thread.

The main mechanism is CPython's ``PyThreadState_SetAsyncExc`` (through :mod:`ctypes`):
it raises ``KeyboardInterrupt`` in the script thread at its next bytecode boundary, so a
``while True: pass`` stops within microseconds. Because a script may swallow the
exception (``except: pass`` inside a loop), the request is repeated until the script
leaves user code. Where the C API is unavailable, the script thread runs under a
``sys.settrace`` line tracer that raises once cancellation was requested (slower, but
it works everywhere). Code blocked inside a C call (``time.sleep(60)``) is interrupted
when that call returns; long loops can call :func:`CancelToken.check` to stop sooner.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from types import FrameType
from typing import Any

__all__ = ["CancelToken", "ScriptCancelled", "async_exc_supported", "check_cancelled"]

_RESEND_INTERVAL_S = 0.2
_current = threading.local()


class ScriptCancelled(KeyboardInterrupt):
    """Raised inside a script whose run was cancelled."""


def _set_async_exc_function() -> Any | None:
    try:
        return ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (AttributeError, OSError):
        return None


# argtypes are left unset on purpose: the function object is shared process-wide.
_SET_ASYNC_EXC = _set_async_exc_function()


def async_exc_supported() -> bool:
    """Whether this interpreter can raise exceptions in other threads."""
    return _SET_ASYNC_EXC is not None


def _raise_in_thread(thread_id: int, exc_type: type[BaseException] | None) -> bool:
    """Schedule ``exc_type`` in ``thread_id``; ``None`` clears a pending exception."""
    if _SET_ASYNC_EXC is None:
        return False
    exc = ctypes.py_object(exc_type) if exc_type is not None else None
    return _SET_ASYNC_EXC(ctypes.c_ulong(thread_id), exc) == 1


class CancelToken:
    """Cancellation state of one script run on one thread.

    The running thread calls :meth:`enter` before executing user code and :meth:`leave`
    right after; any thread may call :meth:`cancel` in between.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread_id: int | None = None
        self._requested = threading.Event()
        self._exception_sent = False
        self._use_trace = not async_exc_supported()
        self._previous_trace: Any = None

    @property
    def requested(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._requested.is_set()

    def check(self) -> None:
        """Raise :class:`ScriptCancelled` if cancellation was requested (cooperative check)."""
        if self._requested.is_set():
            raise ScriptCancelled("script cancelled")

    def enter(self) -> None:
        """Mark the calling thread as running user code that may be cancelled."""
        with self._lock:
            self._thread_id = threading.get_ident()
        _current.token = self
        if self._use_trace:
            self._previous_trace = sys.gettrace()
            sys.settrace(self._trace)

    def leave(self) -> None:
        """Mark user code as finished; clears a cancellation that arrived too late.

        Safe against a ``KeyboardInterrupt`` landing while it runs: it retries until the
        thread is unregistered and no asynchronous exception is pending.
        """
        while True:
            try:
                if self._use_trace:
                    sys.settrace(self._previous_trace)
                _current.token = None
                with self._lock:
                    thread_id, self._thread_id = self._thread_id, None
                    if self._exception_sent and thread_id is not None:
                        _raise_in_thread(thread_id, None)
                return
            except KeyboardInterrupt:
                continue

    def cancel(self, timeout_s: float = 5.0) -> bool:
        """Request cancellation; returns ``False`` if no user code is running.

        The exception is re-sent every 0.2 s (for up to ``timeout_s``) while the script
        keeps running, in case it caught the first one.
        """
        self._requested.set()
        if self._thread_id is None:
            return False
        if not self._use_trace and self._send():
            resender = threading.Thread(
                target=self._resend, args=(timeout_s,), name="script-cancel", daemon=True
            )
            resender.start()
        return True

    def _send(self) -> bool:
        with self._lock:
            if self._thread_id is None:
                return False
            self._exception_sent = True
            return _raise_in_thread(self._thread_id, ScriptCancelled)

    def _resend(self, timeout_s: float) -> None:
        waited = 0.0
        while waited < timeout_s:
            # ``_requested`` stays set, so wait on a private event for the interval.
            threading.Event().wait(_RESEND_INTERVAL_S)
            waited += _RESEND_INTERVAL_S
            if not self._send():
                return

    def _trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if self._requested.is_set():
            raise ScriptCancelled("script cancelled")
        return self._trace


def check_cancelled() -> None:
    """Raise :class:`ScriptCancelled` if the script running on this thread was cancelled.

    A no-op outside scripts; batch helpers call it once per iteration.
    """
    token: CancelToken | None = getattr(_current, "token", None)
    if token is not None:
        token.check()
