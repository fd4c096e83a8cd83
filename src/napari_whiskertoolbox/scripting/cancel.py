"""Stopping a running script from another thread.

:meth:`CancelToken.cancel` raises :class:`ScriptCancelled` (a ``KeyboardInterrupt``) in
the script thread with CPython's ``PyThreadState_SetAsyncExc`` (through :mod:`ctypes`):
it lands at the script's next bytecode boundary, so ``while True: pass`` stops at once.

A script may swallow that exception (``except BaseException: pass`` in a loop). So when
the exception is created in the script thread it also arms a ``sys.settrace`` line
tracer on the running frames, which raises again at the next line, including the
handler's own lines, so the exception escapes the loop. The request is also re-sent
every 0.2 s until the script has stopped. Where the C API is unavailable, the tracer is
armed from the start of each run instead (slower, but it works everywhere).

The tracer only ever raises in the script's own frames: those running with the script's
globals (the engine's namespace), on the script's thread. Other Python code that happens
to run on that thread, such as ``gc`` callbacks, finalizers and library functions the
script called, is left alone: an exception raised inside a ``gc`` callback could not
reach the script and would only be reported as "unraisable".

The exception is only sent while the script thread runs no state-keeping code above the
script's own frames (:data:`CRITICAL_MODULES`: the DataManager and the rest of
``napari_whiskertoolbox.core``, and psygnal's signal emission): an exception landing there
would leave that state half changed — e.g. a key deleted from the DataManager whose undo
record and observers never came. While the script is in such code the request waits
(checked every 5 ms) and is sent as soon as the call has returned, as for a long C call.

Code blocked inside one long C call (``time.sleep(60)``) stops when that call returns;
loops can call :func:`check_cancelled` (the batch helpers do) to stop between items.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import FrameType

    from _typeshed import TraceFunction

__all__ = [
    "CRITICAL_MODULES",
    "CancelToken",
    "ScriptCancelled",
    "async_exc_supported",
    "check_cancelled",
]

_RESEND_INTERVAL_S = 0.2
_DEFER_POLL_S = 0.005

CRITICAL_MODULES = ("napari_whiskertoolbox.core", "psygnal")
"""Modules (and their submodules) a cancel exception is never sent into: while one of their
frames runs above the script's own code, the request waits until it has returned."""


def _in_critical_module(frame: FrameType) -> bool:
    name = frame.f_globals.get("__name__", "")
    return isinstance(name, str) and any(
        name == m or name.startswith(m + ".") for m in CRITICAL_MODULES
    )


_current = threading.local()


def _set_async_exc_function() -> Callable[..., int] | None:
    try:
        return ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (AttributeError, OSError):
        return None


# argtypes are left unset on purpose: the function object is shared process-wide.
_SET_ASYNC_EXC = _set_async_exc_function()


def async_exc_supported() -> bool:
    """Return whether this interpreter can raise exceptions in other threads."""
    return _SET_ASYNC_EXC is not None


def _raise_in_thread(thread_id: int, exc_type: type[BaseException]) -> bool:
    """Schedule ``exc_type`` to be raised in ``thread_id``.

    Never called with NULL to clear a pending exception: on CPython 3.11 that leaves the
    interpreter's "async exception pending" flag set, which stalls traced threads.
    """
    if _SET_ASYNC_EXC is None:
        return False
    return _SET_ASYNC_EXC(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type)) == 1


class ScriptCancelled(KeyboardInterrupt):
    """Raised inside a script whose run was cancelled.

    Creating it on a script thread whose run was cancelled arms the line tracer, so a
    handler that swallows it cannot keep the script alive.
    """

    __module__ = "napari_whiskertoolbox.scripting"

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or ("script cancelled",)))
        token: CancelToken | None = getattr(_current, "token", None)
        if token is not None and token.requested:
            token._arm_tracer(sys._getframe(1))


class _AsyncCancel(ScriptCancelled):
    """The exception type sent across threads; its creation marks the delivery."""

    __module__ = "napari_whiskertoolbox.scripting"

    def __init__(self, *args: object) -> None:
        token: CancelToken | None = getattr(_current, "token", None)
        if token is not None:
            token._pending = False
        super().__init__(*args)


class CancelToken:
    """Cancellation state of one script run on one thread.

    The running thread calls :meth:`enter` before executing user code and :meth:`leave`
    right after; any thread may call :meth:`cancel` in between.
    """

    def __init__(self) -> None:
        # Re-entrant: a delivered exception updates ``_pending`` while ``leave`` holds it.
        self._lock = threading.RLock()
        self._thread_id: int | None = None
        self._requested = threading.Event()
        self._pending = False
        self._finished = False
        self._trace_from_start = not async_exc_supported()
        self._previous_trace: TraceFunction | None = None
        self._tracing = False
        self._script_globals: Mapping[str, object] | None = None

    @property
    def requested(self) -> bool:
        """Return whether :meth:`cancel` was called."""
        return self._requested.is_set()

    def check(self) -> None:
        """Raise :class:`ScriptCancelled` if cancellation was requested (cooperative check)."""
        if self._requested.is_set():
            raise ScriptCancelled()

    def enter(self, script_globals: Mapping[str, object] | None = None) -> None:
        """Mark the calling thread as running user code that may be cancelled.

        Parameters
        ----------
        script_globals : mapping, optional
            Globals of the user code (the engine passes its namespace). The line tracer
            only raises in frames running with exactly these globals. Defaults to the
            caller's module globals.
        """
        if script_globals is None:
            script_globals = sys._getframe(1).f_globals
        with self._lock:
            self._thread_id = threading.get_ident()
            self._script_globals = script_globals
        _current.token = self
        if self._trace_from_start:
            self._arm_tracer(sys._getframe(1))
        self.check()  # cancelled before the script even started

    def leave(self) -> None:
        """Mark user code as finished and absorb a cancellation that arrived too late.

        Safe against a ``KeyboardInterrupt`` landing while it runs: it retries until the
        thread is unregistered and no exception sent by :meth:`cancel` is pending.
        """
        while True:
            try:
                if self._tracing:
                    sys.settrace(self._previous_trace)
                    self._tracing = False
                with self._lock:
                    self._thread_id = None
                    self._script_globals = None
                    self._finished = True
                self._drain_pending()
                _current.token = None
                return
            except KeyboardInterrupt:
                continue

    def _drain_pending(self, timeout_s: float = 1.0) -> None:
        """Run bytecode until a sent exception has been delivered (it is raised here)."""
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            for _ in range(1000):
                pass

    def cancel(self, timeout_s: float = 5.0) -> bool:
        """Request cancellation; returns ``False`` if the run has already finished.

        A run that has not started yet stops as soon as it starts. The exception is
        re-sent every 0.2 s (for up to ``timeout_s`` after the first sending) while the
        script keeps running; while the script thread is in one of
        :data:`CRITICAL_MODULES` the sending waits until it is out.
        """
        with self._lock:
            if self._finished:
                return False
            self._requested.set()
        state = self._send()
        if state != "idle":
            resender = threading.Thread(
                target=self._resend, args=(timeout_s, state), name="script-cancel", daemon=True
            )
            resender.start()
        return True

    def _send(self) -> str:
        """Send the exception: ``"sent"``, ``"deferred"`` (critical code) or ``"idle"``."""
        with self._lock:
            if self._thread_id is None:
                return "idle"
            if self._in_critical_code(self._thread_id):
                return "deferred"
            self._pending = True  # before sending: delivery may clear it at once
            sent = _raise_in_thread(self._thread_id, _AsyncCancel)
            if not sent:
                self._pending = False
            return "sent" if sent else "idle"

    def _in_critical_code(self, thread_id: int) -> bool:
        """Return whether a :data:`CRITICAL_MODULES` frame runs above the script's code.

        The thread's frames are walked from the innermost out to the first script frame;
        what runs below it (the engine, or library code that called back into the script)
        does not count, so a script's own callback stays interruptible.
        """
        frame = sys._current_frames().get(thread_id)
        while frame is not None:
            if self._is_script_frame(frame):
                return False
            if _in_critical_module(frame):
                return True
            frame = frame.f_back
        return False

    def _resend(self, timeout_s: float, state: str) -> None:
        sent_for = 0.0
        pause = threading.Event()  # never set: only used to sleep without busy waiting
        while sent_for < timeout_s:
            if state == "deferred":  # out of critical code soon: look again shortly
                pause.wait(_DEFER_POLL_S)
            else:
                pause.wait(_RESEND_INTERVAL_S)
                sent_for += _RESEND_INTERVAL_S
            state = self._send()
            if state == "idle":
                return

    def _arm_tracer(self, frame: FrameType | None) -> None:
        """Trace the calling (script) thread; from ``frame`` up, trace script frames too."""
        if sys.gettrace() is not self._trace:
            if not self._tracing:
                self._previous_trace = sys.gettrace()
            sys.settrace(self._trace)
            self._tracing = True
        while frame is not None:
            if self._is_script_frame(frame):
                frame.f_trace = self._trace
            frame = frame.f_back

    def script_line(self) -> int | None:
        """Return the line the script runs now (its innermost own frame), ``None`` if idle.

        A script blocked in a long C call (``time.sleep(60)``) is on the line of that call.
        """
        with self._lock:
            thread_id = self._thread_id
        frame = None if thread_id is None else sys._current_frames().get(thread_id)
        while frame is not None:
            if self._is_script_frame(frame):
                return frame.f_lineno
            frame = frame.f_back
        return None

    def _is_script_frame(self, frame: FrameType) -> bool:
        """Return whether ``frame`` runs the script's own code (with the script's globals)."""
        return frame.f_globals is self._script_globals

    def _trace(self, frame: FrameType, event: str, arg: object) -> TraceFunction | None:
        """Raise :class:`ScriptCancelled` in a script frame once cancellation is requested.

        Frames of any other code on the script thread (``gc`` callbacks, finalizers, the
        engine, libraries the script calls) are neither interrupted nor line-traced.
        """
        if not self._is_script_frame(frame):
            return None
        if self._requested.is_set() and self._thread_id == threading.get_ident():
            raise ScriptCancelled()
        return self._trace


def check_cancelled() -> None:
    """Raise :class:`ScriptCancelled` if the script running on this thread was cancelled.

    A no-op outside scripts; batch helpers call it once per iteration.
    """
    token: CancelToken | None = getattr(_current, "token", None)
    if token is not None:
        token.check()
