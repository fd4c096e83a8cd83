"""The script engine: one persistent namespace, runs of code or files, cancellation.

Besides running code the engine carries WhiskerToolbox's script-management and
environment API (Python phases 5 and 6): a working directory and ``sys.argv`` applied to
every run, the prelude, virtual environments (:mod:`.venv`) and a config's ``python``
block (:mod:`.environment`). WhiskerToolbox's camelCase names for all of it come from
:class:`~napari_whiskertoolbox.core.wtb_aliases.ScriptEngineAliases`.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import itertools
import keyword
import linecache
import os
import shlex
import sys
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.wtb_aliases import ScriptEngineAliases
from napari_whiskertoolbox.scripting import venv
from napari_whiskertoolbox.scripting.cancel import CancelToken
from napari_whiskertoolbox.scripting.capture import OutputCallback, OutputCapture
from napari_whiskertoolbox.scripting.display import displaying_for
from napari_whiskertoolbox.scripting.environment import configure_python_environment
from napari_whiskertoolbox.scripting.importing import import_new_data
from napari_whiskertoolbox.scripting.local_modules import LocalModules
from napari_whiskertoolbox.scripting.namespace import (
    DEFAULT_PRELUDE,
    NamespaceEntry,
    build_namespace,
    listing,
)
from napari_whiskertoolbox.scripting.source_files import ScriptEncodingError, decode_script
from napari_whiskertoolbox.scripting.tracebacks import format_user_traceback, register_source

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from types import CodeType

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.wtb_aliases import _EngineLike
    from napari_whiskertoolbox.io.config_parse import PythonEnvironment

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
    stdout_text, stderr_text : str
        WhiskerToolbox's ``PythonResult`` fields (what ``execute`` / ``executeFile`` return
        there): ``stdout``, and ``stderr`` followed by the error's traceback, where
        WhiskerToolbox writes it.
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

    @property
    def stdout_text(self) -> str:
        """Return :attr:`stdout` (WhiskerToolbox's ``PythonResult.stdout_text``)."""
        return self.stdout

    @property
    def stderr_text(self) -> str:
        """Return :attr:`stderr` then the traceback (WhiskerToolbox's ``PythonResult.stderr_text``)."""
        if not self.error or self.success:
            return self.stderr
        separator = "" if not self.stderr or self.stderr.endswith("\n") else "\n"
        return f"{self.stderr}{separator}{self.error}"


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


@contextlib.contextmanager
def _source_lines(filename: str, source: str) -> Iterator[None]:
    """Show ``source``'s lines for the file ``filename`` in tracebacks, within the block.

    The file may hold other text by now; :mod:`linecache` would read that. The file's
    own entry comes back after the block (read afresh when next needed).
    """
    register_source(filename, source)
    try:
        yield
    finally:
        linecache.cache.pop(filename, None)


class ScriptEngine(ScriptEngineAliases):
    r"""Runs user scripts against a DataManager in one persistent namespace.

    Parameters
    ----------
    dm : DataManager
        The session's data; available to scripts as ``dm`` (and ``wt`` is the
        ``whiskertoolbox_python`` module, as in WhiskerToolbox).
    viewer : object, optional
        Available to scripts as ``viewer``. GUI callers pass a proxy that marshals calls to
        the Qt main thread, since scripts run on worker threads.
    prelude : str, optional
        Code run in every fresh namespace; defaults to :data:`DEFAULT_PRELUDE`
        (``import numpy as np`` and ``from whiskertoolbox_python import *``).
    prelude_enabled : bool
        Whether a fresh namespace runs the prelude (WhiskerToolbox's prelude switch).
    undo_step_per_run : bool
        Make each run one undo step of ``dm`` (labelled ``run <script name>``), however
        many edits it makes: a loop over every frame is undone with one Ctrl+Z and does
        not push the user's earlier edits out of the history. Inside the run, ``dm.undo()``
        still undoes the script's own edits one by one. Headless runs, whose history is
        thrown away, pass ``False`` (the history then keeps at most its depth of steps
        instead of every edit of the run).

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

    def __init__(
        self,
        dm: DataManager,
        viewer: object = None,
        prelude: str | None = None,
        *,
        prelude_enabled: bool = True,
        undo_step_per_run: bool = True,
    ) -> None:
        self._dm = dm
        self.undo_step_per_run = undo_step_per_run
        self._viewer = viewer
        self._prelude = DEFAULT_PRELUDE if prelude is None else prelude
        self._prelude_enabled = prelude_enabled
        self._working_directory: Path | None = None
        self._argv: list[str] | None = None
        self._run_lock = threading.Lock()
        self._token: CancelToken | None = None
        self._local_modules = LocalModules()
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
    def prelude_enabled(self) -> bool:
        """Whether :meth:`reset` runs the prelude in the fresh namespace."""
        return self._prelude_enabled

    @prelude_enabled.setter
    def prelude_enabled(self, enabled: bool) -> None:
        self._prelude_enabled = bool(enabled)

    @property
    def working_directory(self) -> Path:
        """Folder code runs in: the one set with :meth:`set_working_directory`, else the process's.

        A file run by :meth:`run_file` runs in its own folder instead.
        """
        return self._working_directory if self._working_directory is not None else Path.cwd()

    def set_working_directory(self, path: str | os.PathLike[str] | None) -> None:
        """Run later code in ``path``; an empty path, or one that is not a folder, changes nothing.

        The process's working directory changes only while a script runs (napari's own
        file dialogs and relative paths are left alone in between).
        """
        if path is None or not str(path).strip():
            return
        folder = Path(path).expanduser()
        if folder.is_dir():
            self._working_directory = folder.resolve()

    def clear_working_directory(self) -> None:
        """Run later code in the process's working directory again."""
        self._working_directory = None

    @property
    def sys_argv(self) -> list[str] | None:
        """``sys.argv`` later runs see (a copy), or None when not set."""
        return None if self._argv is None else list(self._argv)

    def set_sys_argv(self, text: str) -> None:
        """Set ``sys.argv`` for every later run from a shell-like line.

        The line is split like a POSIX shell does (:func:`shlex.split`: quotes group
        words); ``""`` gives an empty ``sys.argv``, as in WhiskerToolbox. A file run without
        its own ``argv`` sees exactly this list (``argv[0]`` is whatever the line starts
        with).

        Raises
        ------
        ValueError
            If the line has an unclosed quote.
        """
        try:
            self._argv = shlex.split(text)
        except ValueError as exc:
            raise ValueError(f"cannot split the arguments {text!r}: {exc}") from None

    def clear_sys_argv(self) -> None:
        """Stop setting ``sys.argv``: files get ``[path]``, code sees the process's."""
        self._argv = None

    @property
    def is_running(self) -> bool:
        """Whether a script is running right now."""
        return self._run_lock.locked()

    def reset(self) -> RunResult:
        """Replace the namespace with a fresh one and run the prelude in it (when enabled).

        Returns
        -------
        RunResult
            The prelude's run (an empty success when there is none or it is disabled).
        """
        self.namespace.clear()
        self.namespace.update(build_namespace(self._dm, self._viewer))
        result = self.execute_prelude() if self._prelude_enabled else None
        self._baseline = frozenset(self.namespace) - _ALWAYS_LISTED
        return result or RunResult("", "", True)

    def execute_prelude(self, code: str | None = None) -> RunResult:
        """Run ``code`` (the engine's prelude by default) as a prelude in the namespace.

        Empty code is a successful no-op; a failing prelude leaves the engine usable.

        Raises
        ------
        ScriptBusyError
            If another run of this engine is in progress.
        """
        source = self._prelude if code is None else code
        if not source.strip():
            return RunResult("", "", True)
        return self.run(source, filename="<prelude>")

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
        cwd: str | os.PathLike[str] | None = None,
        source: str | None = None,
        cancelled: threading.Event | None = None,
    ) -> RunResult:
        """Run the script at ``path`` with ``__file__`` set, in the script's folder (or ``cwd``).

        ``source`` runs that text as the file ``path`` (its tracebacks show those lines)
        instead of what the file holds now: a batch runs every session with the script
        as it was when the batch started, however it is edited meanwhile.

        ``sys.argv`` becomes ``[path, *argv]`` (without ``argv``: the list set with
        :meth:`set_sys_argv`, else ``[path]``) and the working directory the script's
        folder for the run, or ``cwd`` when given (a batch runs each session's script in
        that session's output folder); both are restored afterwards. As for ``python
        path``, the script's folder is first on ``sys.path`` during the run (modules beside
        the script import; one edited since an earlier run is imported afresh, see
        :mod:`.local_modules`). A file that cannot be opened or decoded gives a failed
        result saying so.

        ``cancelled``, an event set by whoever also calls :meth:`cancel` (after setting
        it), closes the gap before the run exists: a :meth:`cancel` called while this
        method has not started the run yet finds nothing to stop (it returns ``False``),
        but the event is seen, and the script ends cancelled before its first line.

        Raises
        ------
        ScriptBusyError
            If another run of this engine is in progress.
        """
        token = self._acquire()
        if cancelled is not None and cancelled.is_set():  # a cancel() that found no run
            token.cancel()
        try:
            return self._run_file_reporting(path, argv, on_output, token, cwd, source)
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

    def running_line(self) -> int | None:
        """Return the line of the running script's code it is on now; ``None`` when idle."""
        token = self._token
        return token.script_line() if token is not None and self.is_running else None

    # -- namespace -------------------------------------------------------------------------

    def listing(self, include_prelude: bool = False) -> list[NamespaceEntry]:
        """Describe the namespace's variables (by default without the prelude's names)."""
        return listing(
            self.namespace,
            hidden=frozenset() if include_prelude else self._baseline,
            dm=self._dm,
        )

    def user_variables(self) -> dict[str, Any]:
        """Variables a user or script added, plus ``dm`` and ``viewer``."""
        names = {entry.name for entry in self.listing()}
        return {name: self.namespace[name] for name in sorted(names)}

    def user_variable_names(self) -> list[str]:
        """Return the sorted namespace names that are not dunders or modules (WhiskerToolbox's rule)."""
        return sorted(
            name
            for name, value in self.namespace.items()
            if not name.startswith("__") and not isinstance(value, types.ModuleType)
        )

    def expose_data(self, key: str, name: str) -> bool:
        """Put ``dm``'s object ``key`` into the namespace as ``name``.

        Returns
        -------
        bool
            False (and the namespace unchanged) when ``dm`` has no key ``key``.

        Raises
        ------
        ValueError
            If ``name`` is not a Python identifier, or is a keyword (``"for"``).
        """
        _check_identifier(name)
        if key not in self._dm:
            return False
        self.namespace[name] = self._dm.get_data(key)
        return True

    def expose_time_frame(self, clock: str, name: str) -> bool:
        """Put ``dm``'s clock ``clock`` (a :class:`TimeFrame`) into the namespace as ``name``.

        Returns
        -------
        bool
            False (and the namespace unchanged) when ``dm`` has no clock ``clock``.

        Raises
        ------
        ValueError
            If ``name`` is not a Python identifier, or is a keyword (``"for"``).
        """
        _check_identifier(name)
        if clock not in self._dm.time_keys():
            return False
        self.namespace[name] = self._dm.get_time(clock)
        return True

    # -- Python environment ----------------------------------------------------------------

    @staticmethod
    def python_version() -> str:
        """Return ``sys.version`` of the interpreter scripts run in."""
        return sys.version

    @staticmethod
    def python_version_tuple() -> tuple[int, int]:
        """Return the interpreter's ``(major, minor)`` version."""
        return venv.python_version_tuple()

    @staticmethod
    def discover_venvs(extra_paths: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
        """Return the virtual environments found (:func:`.venv.discover_venvs`)."""
        return venv.discover_venvs(extra_paths)

    @staticmethod
    def validate_venv(path: str | os.PathLike[str] | None) -> list[str]:
        """Return what makes ``path`` unusable (empty when usable; :func:`.venv.validate_venv`)."""
        return venv.validate_venv(path)

    @staticmethod
    def activate_venv(path: str | os.PathLike[str]) -> None:
        """Activate the environment at ``path`` for every script (:func:`.venv.activate_venv`).

        Raises
        ------
        VenvError
            If the environment cannot be used; the message says why.
        """
        venv.activate_venv(path)

    @staticmethod
    def deactivate_venv() -> None:
        """Deactivate the active environment, restoring ``sys.path`` exactly."""
        venv.deactivate_venv()

    @property
    def is_venv_active(self) -> bool:
        """Whether a virtual environment is active."""
        return venv.is_venv_active()

    @property
    def active_venv_path(self) -> Path | None:
        """The active environment's folder, or None."""
        return venv.active_venv_path()

    @staticmethod
    def list_installed_packages() -> list[tuple[str, str]]:
        """Return ``(name, version)`` of the active environment's packages, sorted by name.

        See :func:`napari_whiskertoolbox.scripting.venv.list_installed_packages`.
        """
        return venv.list_installed_packages()

    @staticmethod
    def install_package(
        name: str,
        *,
        on_output: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> venv.InstallResult:
        """Run the active environment's ``pip install name`` in a subprocess.

        See :func:`.venv.install_package`.

        Raises
        ------
        ValueError
            If ``name`` is empty.
        """
        return venv.install_package(name, on_output=on_output, cancel=cancel)

    @staticmethod
    def configure_python_environment(
        block: PythonEnvironment | Mapping[str, Any],
        base_dir: str | os.PathLike[str] | None = None,
    ) -> tuple[bool, str]:
        """Apply a config's ``python`` block; return ``(ok, message)``.

        The message names each missing module. See
        :func:`.environment.configure_python_environment`.
        """
        return configure_python_environment(block, base_dir)

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
        cwd: str | os.PathLike[str] | None = None,
        source: str | None = None,
    ) -> RunResult:
        """Run the file at ``path`` (in ``cwd``, default its folder); a file that cannot be opened is a failed result.

        With ``source``, that text runs as the file (see :meth:`run_file`).
        """
        script = Path(path).expanduser().resolve()
        if source is None:
            try:
                source = decode_script(script.read_bytes(), script)
            except ScriptEncodingError as exc:
                token.leave()
                return RunResult("", "", False, error=f"Could not read the script: {exc}")
            except OSError as exc:
                token.leave()
                reason = exc.strerror or str(exc)
                return RunResult("", "", False, error=f"Could not open file: {script} ({reason})")
            lines: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
        else:
            lines = _source_lines(str(script), source)
        if argv is not None:
            run_argv = [str(script), *argv]
        else:
            run_argv = list(self._argv) if self._argv is not None else [str(script)]
        old_file = self.namespace.get("__file__")
        self.namespace["__file__"] = str(script)
        try:
            with lines:
                return self._run_locked(
                    source,
                    str(script),
                    on_output,
                    token,
                    cwd=Path(cwd).expanduser() if cwd is not None else script.parent,
                    argv=run_argv,
                    import_from=script.parent,
                )
        finally:
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
        *,
        cwd: Path | None = None,
        argv: list[str] | None = None,
        import_from: Path | None = None,
    ) -> RunResult:
        """Run ``code`` in ``cwd`` with ``argv`` (by default the engine's working directory and argv).

        ``import_from`` (default ``cwd``, or the chosen working folder) is first on
        ``sys.path`` during the run, as the script's folder is for ``python script.py``:
        modules beside the script import.
        """
        if filename is None:
            filename = f"<script-{next(_script_counter)}>"
        if not os.path.isfile(filename):
            register_source(filename, code)
        before = dict(self.namespace)
        started = time.perf_counter()
        folder = cwd if cwd is not None else self._working_directory
        with (
            _process_state(folder, argv if argv is not None else self._argv),
            self._local_modules.importing_from(import_from or folder),
            self._one_undo_step(filename),
            OutputCapture(on_output) as capture,
            displaying_for(self._dm),
        ):
            outcome = self._execute(code, filename, token)
        duration = time.perf_counter() - started
        return self._result(outcome, capture, duration, token, before)

    def _one_undo_step(self, filename: str) -> contextlib.AbstractContextManager[object]:
        """Merge the run's edits of ``dm`` into one undo step ``run <name>`` (when enabled)."""
        if not self.undo_step_per_run or filename == "<prelude>":
            return contextlib.nullcontext()
        name = Path(filename).name if os.path.isfile(filename) else filename.strip("<>")
        return self._dm.history.merged(f"run {name}")

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
        return result(success=False, error=format_user_traceback(exc, self._dm.keys()))


@contextlib.contextmanager
def _process_state(cwd: Path | None, argv: list[str] | None) -> Iterator[None]:
    """Set the working directory and ``sys.argv`` for one run (None: leave as is); restore both.

    A working directory that disappeared since it was chosen is left alone.
    """
    old_cwd = os.getcwd() if cwd is not None else None
    old_argv = sys.argv
    if cwd is not None:
        with contextlib.suppress(OSError):
            os.chdir(cwd)
    if argv is not None:
        sys.argv = list(argv)
    try:
        yield
    finally:
        sys.argv = old_argv
        if old_cwd is not None:
            with contextlib.suppress(OSError):
                os.chdir(old_cwd)


def _check_identifier(name: str) -> None:
    """Refuse a variable name scripts could not write (``"1x"``, ``""``, ``"for"``, ``3``)."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(
            f"expected a Python identifier (not a keyword) for the variable name, got {name!r}"
        )


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


if TYPE_CHECKING:
    # ScriptEngine must have every snake_case member its WhiskerToolbox aliases call.
    _engine: type[_EngineLike] = ScriptEngine
