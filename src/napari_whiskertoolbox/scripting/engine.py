"""The script engine: one persistent namespace, runs of code or files, cancellation."""

from __future__ import annotations

import ast
import functools
import itertools
import os
import sys
import threading
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.scripting.cancel import CancelToken
from napari_whiskertoolbox.scripting.capture import OutputCallback, OutputCapture
from napari_whiskertoolbox.scripting.importing import import_new_data
from napari_whiskertoolbox.scripting.namespace import (
    DEFAULT_PRELUDE,
    NamespaceEntry,
    build_namespace,
    listing,
)
from napari_whiskertoolbox.scripting.tracebacks import format_user_traceback, register_source

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import CodeType

    from napari_whiskertoolbox.core import DataManager

__all__ = ["RunResult", "ScriptBusyError", "ScriptEngine"]

_ALWAYS_LISTED = frozenset({"dm", "viewer"})
_script_counter = itertools.count(1)


class ScriptBusyError(RuntimeError):
    """Raised when a run is started while another one is still going."""


@dataclass(frozen=True)
class RunResult:
    """Outcome of one script run.

    Attributes
    ----------
    stdout, stderr : str
        What the script printed (only the script thread's output).
    success : bool
        ``True`` when the script finished without an exception (``sys.exit(0)`` counts).
    value_repr : str or None
        ``repr`` of a trailing expression statement (also stored as ``_``).
    duration : float
        Wall time of the run in seconds.
    error : str or None
        Traceback trimmed to the user's code, or the ``sys.exit`` message.
    cancelled : bool
        The run was stopped by :meth:`ScriptEngine.cancel`.
    exit_code : int or None
        Code passed to ``sys.exit`` (``0`` for ``sys.exit()``), else ``None``.
    new_names : tuple of str
        Names the run added to or rebound in the namespace.
    """

    stdout: str
    stderr: str
    success: bool
    value_repr: str | None = None
    duration: float = 0.0
    error: str | None = None
    cancelled: bool = False
    exit_code: int | None = None
    new_names: tuple[str, ...] = ()


@dataclass
class _Outcome:
    value_repr: str | None = None
    exception: BaseException | None = None


def _split_trailing_expression(source: str, filename: str) -> tuple[CodeType, CodeType | None]:
    """Compile ``source`` as a module body plus, if it ends in an expression, that expression."""
    tree = ast.parse(source, filename=filename, mode="exec")
    trailing = None
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        tree.body.pop()
        trailing = ast.Expression(body=last.value)
    body = compile(tree, filename, "exec", dont_inherit=True)
    expression = compile(trailing, filename, "eval", dont_inherit=True) if trailing else None
    return body, expression


def _limited(text: str, limit: int = 20_000) -> str:
    """Return ``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit:,} more characters]"


def _exit_status(exc: SystemExit) -> tuple[bool, int, str | None]:
    """Map ``sys.exit(code)`` to (success, exit code, message)."""
    code = exc.code
    if code is None or code == 0:
        return True, 0, None
    if isinstance(code, int):
        return False, code, f"SystemExit: {code}"
    return False, 1, str(code)


class ScriptEngine:
    r"""Runs user scripts against a DataManager in one persistent namespace.

    Parameters
    ----------
    dm : DataManager
        The session's data; available to scripts as ``dm``.
    viewer : object, optional
        Available to scripts as ``viewer``. GUI callers pass a proxy that marshals calls to
        the Qt main thread, since scripts run on worker threads.
    prelude : str, optional
        Code run in every fresh namespace; defaults to :data:`DEFAULT_PRELUDE`
        (``import numpy as np`` and ``from whiskertoolbox_python import *``).

    Raises
    ------
    ValueError
        If the prelude fails; the message holds its traceback.

    Examples
    --------
    >>> engine = ScriptEngine(DataManager())
    >>> engine.run("x = 2\\nx * 21").value_repr
    '42'
    """

    def __init__(self, dm: DataManager, viewer: object = None, prelude: str | None = None) -> None:
        self._dm = dm
        self._viewer = viewer
        self._prelude = DEFAULT_PRELUDE if prelude is None else prelude
        self._run_lock = threading.Lock()
        self._token: CancelToken | None = None
        self.namespace: dict[str, Any] = {}
        self._baseline: frozenset[str] = frozenset()
        result = self.reset()
        if not result.success:
            raise ValueError(f"script prelude failed:\n{result.error}")

    # -- configuration -------------------------------------------------------------------

    @property
    def dm(self) -> DataManager:
        """The DataManager scripts see as ``dm``."""
        return self._dm

    @property
    def viewer(self) -> object:
        """The object scripts see as ``viewer`` (``None`` when headless).

        The engine never uses it itself: it is whatever the caller passed (the GUI passes
        a proxy of the napari viewer), handed to scripts as is.
        """
        return self._viewer

    @viewer.setter
    def viewer(self, viewer: object) -> None:
        self._viewer = viewer
        self.namespace["viewer"] = viewer

    @property
    def prelude(self) -> str:
        """Code run in each fresh namespace; a new value takes effect on :meth:`reset`."""
        return self._prelude

    @prelude.setter
    def prelude(self, code: str) -> None:
        self._prelude = code

    @property
    def is_running(self) -> bool:
        """Whether a script is running right now."""
        return self._run_lock.locked()

    def reset(self) -> RunResult:
        """Replace the namespace with a fresh one and run the prelude in it.

        Returns
        -------
        RunResult
            The prelude's run.
        """
        self.namespace.clear()
        self.namespace.update(build_namespace(self._dm, self._viewer))
        result = self.run(self._prelude, filename="<prelude>") if self._prelude.strip() else None
        self._baseline = frozenset(self.namespace) - _ALWAYS_LISTED
        return result or RunResult("", "", True)

    # -- running ---------------------------------------------------------------------------

    def run(
        self,
        code: str,
        *,
        filename: str | None = None,
        on_output: OutputCallback | None = None,
    ) -> RunResult:
        """Run ``code`` in the namespace on the calling thread.

        Parameters
        ----------
        code : str
            Python source. A trailing expression's ``repr`` is returned (and stored in ``_``).
        filename : str, optional
            Name shown in tracebacks; defaults to ``<script-N>``.
        on_output : callable, optional
            ``on_output(stream_name, text)`` for live output, called from this thread.

        Raises
        ------
        ScriptBusyError
            If another run of this engine is in progress.
        """
        token = self._acquire()
        try:
            return self._run_locked(code, filename, on_output, token)
        finally:
            self._run_lock.release()

    def run_file(
        self,
        path: str | os.PathLike[str],
        argv: Sequence[str] | None = None,
        *,
        on_output: OutputCallback | None = None,
    ) -> RunResult:
        """Run the script at ``path`` with ``__file__`` set, in the script's folder.

        ``sys.argv`` becomes ``[path, *argv]`` and the working directory the script's
        folder for the run; both are restored afterwards.

        Raises
        ------
        FileNotFoundError
            If ``path`` is not a file.
        ScriptBusyError
            If another run of this engine is in progress.
        """
        token = self._acquire()
        try:
            return self._run_file_locked(path, argv, on_output, token)
        finally:
            self._run_lock.release()

    def run_async(
        self,
        code: str | None = None,
        on_done: Callable[[RunResult], None] | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        argv: Sequence[str] | None = None,
        on_output: OutputCallback | None = None,
        filename: str | None = None,
    ) -> threading.Thread:
        """Run ``code`` (or the file at ``path``) on a new thread.

        ``on_done(result)`` is called on that thread when the run ends; a file that cannot
        be read is reported as a failed result. ``filename`` names ``code`` in tracebacks
        (see :meth:`run`). Returns the started thread.

        Raises
        ------
        ScriptBusyError
            If another run of this engine is in progress.
        ValueError
            If neither or both of ``code`` and ``path`` are given.
        """
        if code is not None and path is None:
            execute = functools.partial(self._run_locked, code, filename, on_output)
        elif path is not None and code is None:
            execute = functools.partial(self._run_file_reporting, path, argv, on_output)
        else:
            raise ValueError("run_async needs exactly one of `code` or `path`")
        token = self._acquire()

        def work() -> None:
            try:
                result = execute(token)
            finally:
                self._run_lock.release()
            if on_done is not None:
                on_done(result)

        thread = threading.Thread(target=work, name="wtb-script", daemon=True)
        thread.start()
        return thread

    def cancel(self) -> bool:
        """Stop the running script (it ends with ``cancelled=True``); ``False`` if idle."""
        token = self._token
        return token.cancel() if token is not None else False

    # -- namespace -------------------------------------------------------------------------

    def listing(self, include_prelude: bool = False) -> list[NamespaceEntry]:
        """Describe the namespace's variables (by default without the prelude's names)."""
        return listing(self.namespace, hidden=frozenset() if include_prelude else self._baseline)

    def user_variables(self) -> dict[str, Any]:
        """Variables a user or script added, plus ``dm`` and ``viewer``."""
        names = {entry.name for entry in self.listing()}
        return {name: self.namespace[name] for name in sorted(names)}

    def import_new_data(self, names: Sequence[str] | None = None, clock: str = "time") -> list[str]:
        """Store data objects left in the namespace into ``dm`` (WhiskerToolbox's importNewData).

        See :func:`napari_whiskertoolbox.scripting.importing.import_new_data`.
        """
        return import_new_data(self.namespace, self._dm, clock=clock, names=names)

    # -- internals -------------------------------------------------------------------------

    def _acquire(self) -> CancelToken:
        """Take the run lock and return the new run's cancel token."""
        if not self._run_lock.acquire(blocking=False):
            raise ScriptBusyError("a script is already running in this engine; cancel it first")
        # Created here, before any worker thread starts, so an early Cancel is not lost.
        token = self._token = CancelToken()
        return token

    def _run_file_reporting(
        self,
        path: str | os.PathLike[str],
        argv: Sequence[str] | None,
        on_output: OutputCallback | None,
        token: CancelToken,
    ) -> RunResult:
        """Run the file at ``path``; a file that cannot be read is a failed result."""
        try:
            return self._run_file_locked(path, argv, on_output, token)
        except (OSError, UnicodeDecodeError) as exc:
            return RunResult("", "", False, error=f"{type(exc).__name__}: {exc}")

    def _run_file_locked(
        self,
        path: str | os.PathLike[str],
        argv: Sequence[str] | None,
        on_output: OutputCallback | None,
        token: CancelToken,
    ) -> RunResult:
        script = Path(path).expanduser().resolve()
        if not script.is_file():
            raise FileNotFoundError(f"script file not found: {script}")
        with tokenize.open(script) as handle:
            source = handle.read()
        previous = (os.getcwd(), sys.argv, self.namespace.get("__file__"))
        self.namespace["__file__"] = str(script)
        sys.argv = [str(script), *(argv or [])]
        os.chdir(script.parent)
        try:
            return self._run_locked(source, str(script), on_output, token)
        finally:
            cwd, sys.argv, old_file = previous
            os.chdir(cwd)
            if old_file is None:
                self.namespace.pop("__file__", None)
            else:
                self.namespace["__file__"] = old_file

    def _run_locked(
        self,
        code: str,
        filename: str | None,
        on_output: OutputCallback | None,
        token: CancelToken,
    ) -> RunResult:
        if filename is None:
            filename = f"<script-{next(_script_counter)}>"
        if not os.path.isfile(filename):
            register_source(filename, code)
        before = dict(self.namespace)
        started = time.perf_counter()
        with OutputCapture(on_output) as capture:
            outcome = self._execute(code, filename, token)
        duration = time.perf_counter() - started
        return self._result(outcome, capture, duration, token, before)

    def _execute(self, code: str, filename: str, token: CancelToken) -> _Outcome:
        outcome = _Outcome()
        try:
            body, expression = _split_trailing_expression(code, filename)
        except (SyntaxError, ValueError) as exc:
            # The parser's frames mean nothing to users; the run is over before it began.
            outcome.exception = exc.with_traceback(None)
            token.leave()
            return outcome
        namespace = self.namespace
        try:
            try:
                token.enter(namespace)
                exec(body, namespace)
                if expression is not None:
                    value = eval(expression, namespace)
                    if value is not None:
                        namespace["_"] = value
                        outcome.value_repr = _limited(repr(value))
            finally:
                token.leave()
        except BaseException as exc:
            outcome.exception = exc
        _leave_surely(token)
        return outcome

    def _result(
        self,
        outcome: _Outcome,
        capture: OutputCapture,
        duration: float,
        token: CancelToken,
        before: dict[str, Any],
    ) -> RunResult:
        new_names = tuple(
            name
            for name, value in self.namespace.items()
            if not name.startswith("__") and (name not in before or before[name] is not value)
        )
        exc = outcome.exception
        result = functools.partial(
            RunResult,
            stdout=capture.stdout,
            stderr=capture.stderr,
            duration=duration,
            new_names=new_names,
        )
        if exc is None:
            return result(success=True, value_repr=outcome.value_repr)
        if isinstance(exc, SystemExit):
            success, code, message = _exit_status(exc)
            return result(success=success, error=message, exit_code=code)
        if isinstance(exc, KeyboardInterrupt) and token.requested:
            return result(success=False, cancelled=True)
        return result(success=False, error=format_user_traceback(exc))


def _leave_surely(token: CancelToken) -> None:
    """Finish ``token.leave()`` even when a late Cancel interrupted the first call.

    A cancel sent just as the script ends can land before ``leave`` has unregistered the
    thread; ``leave`` is idempotent, so repeat it until it completes.
    """
    while True:
        try:
            token.leave()
            return
        except KeyboardInterrupt:
            continue
