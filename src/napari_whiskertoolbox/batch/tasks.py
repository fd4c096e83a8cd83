"""What a batch runs on each session: a script, a pipeline file or a Python callable.

A task is a small picklable object sent to the workers; it never holds a DataManager.
:meth:`Task.run` executes on the worker against the session's freshly loaded DataManager
and returns the session's result values.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import modulefinder
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.io.csv_tools import decode_text
from napari_whiskertoolbox.scripting.source_files import ScriptEncodingError, decode_script

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari_whiskertoolbox.batch.records import ResultValue
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.scripting.engine import RunResult

__all__ = [
    "OUTPUT_DIR_NAME",
    "CallableTask",
    "PipelineTask",
    "ResultValuesError",
    "RunControl",
    "ScriptTask",
    "Task",
    "TaskArgs",
    "TaskCancelledError",
    "TaskFailedError",
    "as_task",
]

TaskArgs = Sequence[str] | Mapping[str, Any] | None
OUTPUT_DIR_NAME = "output_dir"
"""Name under which a script (a global) or a callable (a keyword) gets its session's output folder."""


class TaskFailedError(Exception):
    """The task failed on a session; the message is what the user sees (a trimmed traceback).

    ``out_of_memory`` is True when the failure was a ``MemoryError`` (a script's traceback
    ending in one): the batch retries such a session (``retries``), not other task failures.
    """

    def __init__(self, message: str, *, out_of_memory: bool = False) -> None:
        super().__init__(message)
        self.out_of_memory = out_of_memory


class TaskCancelledError(Exception):
    """The task stopped because the batch was cancelled."""


class RunControl:
    """Cancellation of one running session, given to :meth:`Task.run` on the worker."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self._callbacks: list[Callable[[], object]] = []
        self._lock = threading.Lock()
        self.output: list[str] = []

    def on_cancel(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` (from another thread) when the session is cancelled."""
        with self._lock:
            self._callbacks.append(callback)
            late = self.cancelled.is_set()
        if late:
            callback()

    def cancel(self) -> None:
        """Request cancellation and run the callbacks."""
        with self._lock:
            self.cancelled.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()


class ResultValuesError(TaskFailedError):
    """The task ran, but its result values are not what the results table holds.

    ``values`` holds the values that are (the others are named in the message): the
    session's outputs are saved all the same, and the session is reported ``failed``.
    """

    def __init__(self, message: str, values: dict[str, ResultValue]) -> None:
        super().__init__(message)
        self.values = values


ALLOWED_RESULTS = "a number, string, bool or None (one value per session for the results table)"


def _kind(value: object) -> str:
    shape = getattr(value, "shape", None)
    return type(value).__name__ + (f" of shape {tuple(shape)}" if shape is not None else "")


def result_values(values: object, where: str) -> dict[str, ResultValue]:
    """Check a task's result values: a mapping of names to numbers, strings, bools or None.

    numpy scalars become Python scalars.

    Raises
    ------
    ResultValuesError
        ``values`` is no mapping, or holds other kinds of values (naming each key, its
        type and what is allowed); the error keeps the values that are allowed.
    """
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ResultValuesError(
            f"{where} must be a dict of result values, each {ALLOWED_RESULTS}; got {_kind(values)}",
            {},
        )
    out: dict[str, ResultValue] = {}
    bad = []
    for key, value in values.items():
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            value = value.item()
        if isinstance(value, (bool, int, float, str, type(None))):
            out[str(key)] = value
        else:
            bad.append(f"{where}[{key!r}] is {_kind(value)}")
    if bad:
        raise ResultValuesError(
            f"{'; '.join(bad)}: each value must be {ALLOWED_RESULTS}; keep arrays and "
            "tables with the session (dm.set_data) or in a file in the session's folder "
            "(np.save('name.npy', values)), or give one number (float(values.mean()))",
            out,
        )
    return out


def _file_digest(path: Path, extra: object, content: bytes | None = None) -> str:
    """Hash ``content`` (default: the file's bytes now) with ``extra``."""
    digest = hashlib.sha256(path.read_bytes() if content is None else content)
    digest.update(json.dumps(extra, sort_keys=True, default=repr).encode())
    return digest.hexdigest()[:16]


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # running it reports why


def _check_syntax(path: Path, content: bytes) -> None:
    """Refuse a script that is no Python text.

    Raises
    ------
    ValueError
        It does not decode or does not parse; the message names the file and the line.
    """
    try:
        compile(decode_script(content, path), str(path), "exec", dont_inherit=True)
    except ScriptEncodingError as exc:
        raise ValueError(str(exc)) from None
    except SyntaxError as exc:
        code = f" ({exc.text.strip()})" if exc.text and exc.text.strip() else ""
        raise ValueError(f"{path}, line {exc.lineno}: {exc.msg}{code}") from None


def _local_imports(script: Path) -> list[Path]:
    """Return the files of the modules ``script`` imports from its folder, transitively.

    Found by the standard library's :class:`modulefinder.ModuleFinder` searching only the
    script's folder (what ``python script.py`` puts first on ``sys.path``); a script that
    does not parse has none (running it reports the error).
    """
    finder = modulefinder.ModuleFinder(path=[str(script.parent)])
    try:
        finder.run_script(str(script))
    except (SyntaxError, ValueError, OSError, ImportError):
        return []
    files = {getattr(module, "__file__", None) for name, module in finder.modules.items()}
    files.discard(None)
    files.discard(str(script))
    return sorted(Path(file) for file in files if file)


@contextlib.contextmanager
def _working_directory(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


class Task:
    """Base of the three kinds of task."""

    kind: str = "task"

    @property
    def name(self) -> str:
        """A short label (the file name, or the callable's name)."""
        raise NotImplementedError

    def fingerprint(self) -> str:
        """Identify the task and its arguments: a resumed batch only skips its own sessions."""
        raise NotImplementedError

    def notes(self) -> list[str]:
        """Say what of the task a batch does not use (for the report; none by default)."""
        return []

    def run(
        self, dm: DataManager, context: SessionContext, control: RunControl
    ) -> dict[str, ResultValue]:
        """Run on one session's DataManager; return its result values.

        Raises
        ------
        TaskFailedError
            The task failed (the message is what the user sees).
        TaskCancelledError
            The batch was cancelled while the task ran.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class SessionContext:
    """What a task knows about the session it runs on.

    Attributes
    ----------
    session : Path
        The input path.
    name : str
        The session's output name.
    output : Path
        The session folder the outputs are saved to.
    """

    session: Path
    name: str
    output: Path


@dataclass(frozen=True)
class ScriptTask(Task):
    """A Python script run by the script engine (as ``napari-whiskertoolbox run`` does).

    The script sees ``dm`` (the session), ``output_dir`` (a :class:`pathlib.Path`: the
    session's output folder, created before the run), ``sys.argv[1:] == argv`` and
    ``__file__``. It runs in ``output_dir`` (the working directory), so a file it writes
    by a relative path (``df.to_csv("angle.csv")``, ``plt.savefig("angle.png")``) is one
    per session, saved with the session's outputs; modules beside the script still
    import (its folder is first on ``sys.path``), and files beside it are reached with
    ``Path(__file__).parent``. Values it leaves in a ``results`` dict go to the results
    table.

    ``content`` is the script file's bytes when the batch started (:func:`as_task` reads
    them): every session runs that script, and the fingerprint is its hash, however the
    file is edited while the batch runs (``None``: the file as it is when each session
    runs).
    """

    path: Path
    argv: tuple[str, ...] = ()
    content: bytes | None = None
    kind: str = field(default="script", init=False)

    @property
    def name(self) -> str:
        """The script's file name."""
        return self.path.name

    def fingerprint(self) -> str:
        """Hash of the script's content, its arguments and the modules it imports.

        Modules imported from the script's own folder count: an edited ``helpers.py`` beside
        it re-runs the finished sessions too.
        """
        helpers = [
            [str(path.relative_to(self.path.parent)), _file_digest(path, None)]
            for path in _local_imports(self.path)
        ]
        return _file_digest(self.path, ["script", list(self.argv), helpers], self.content)

    def run(
        self, dm: DataManager, context: SessionContext, control: RunControl
    ) -> dict[str, ResultValue]:
        """Run the script with ``dm`` in its namespace; return its ``results`` dict."""
        from napari_whiskertoolbox.scripting import ScriptEngine

        engine = ScriptEngine(dm, undo_step_per_run=False)  # a worker's history is thrown away
        engine.namespace[OUTPUT_DIR_NAME] = context.output
        control.on_cancel(engine.cancel)
        source = None
        if self.content is not None:
            try:
                source = decode_script(self.content, self.path)
            except ScriptEncodingError as exc:
                raise TaskFailedError(str(exc)) from exc
        result = engine.run_file(
            self.path,
            argv=list(self.argv),
            cwd=context.output,
            source=source,
            cancelled=control.cancelled,  # a cancel before the run started is not lost
        )
        control.output.extend(text for text in (result.stdout, result.stderr) if text)
        if result.cancelled or control.cancelled.is_set():
            raise TaskCancelledError("cancelled")
        if not result.success:
            raise TaskFailedError(_script_failure(result), out_of_memory=_out_of_memory(result))
        return result_values(engine.namespace.get("results"), "the script's `results`")


_STDERR_LINES = 20
"""Lines of a script's stderr shown with a ``sys.exit`` failure."""


def _out_of_memory(result: RunResult) -> bool:
    """Say whether a failed script run ended in a ``MemoryError`` (its traceback's last line)."""
    if result.exit_code is not None or not result.error:
        return False
    last = result.error.strip().splitlines()[-1:]
    return bool(last) and re.match(r"(\w+\.)*\w*MemoryError\b", last[0]) is not None


def _script_failure(result: RunResult) -> str:
    """Describe a failed script run: its traceback, or its exit with what it printed last.

    A script ending with ``sys.exit(2)`` (argparse refusing an option does) said why on
    stderr: its last lines follow the exit code, the reason last.
    """
    error = result.error or f"the script exited with code {result.exit_code}"
    if result.exit_code is None:  # a traceback, the user's line in it
        return error
    printed = result.stderr.strip().splitlines()[-_STDERR_LINES:]
    if not printed:
        return error
    return "\n".join([error, "the script's last lines on stderr:", *printed])


PipelineKind = Literal["runner", "pipeline"]

_SESSION_VARIABLES = ("${output_dir}", "${session_name}", "${session}")
"""The ``${}`` variables a runner config gets per session (see :class:`PipelineTask`)."""


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def pipeline_kind(document: object, path: Path) -> PipelineKind:
    """Tell a JSON pipeline-runner config (commands) from a TransformsV2 pipeline (steps).

    Raises
    ------
    TaskFailedError
        Neither kind.
    """
    if isinstance(document, Mapping):
        if "steps" in document or "range_reduction" in document:
            return "pipeline"
        if "commands" in document or "transformations" in document:
            return "runner"
    raise TaskFailedError(
        f"{path}: not a pipeline: expected a TransformsV2 pipeline (an object with 'steps') "
        "or a pipeline-runner config (an object with 'commands' or 'transformations')"
    )


@dataclass(frozen=True)
class PipelineTask(Task):
    """A transforms pipeline file run on each session.

    * A pipeline-runner config (``commands`` / ``transformations``): its ``data`` entries
      are ignored (the session is the data); the variables ``session``, ``session_name``
      and ``output_dir`` are added for ``${}`` substitution; relative paths resolve against
      the config's folder, so a save path must name the session (``${output_dir}/a.csv``)
      when the batch has several (:func:`~napari_whiskertoolbox.batch.run.check_shared_outputs`).
    * A TransformsV2 pipeline (``steps``): run on the key ``args["input_key"]``, stored under
      ``args["output_key"]`` (on ``args.get("output_time_key")`` or the input's clock).
    """

    path: Path
    args: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    kind: str = field(default="pipeline", init=False)

    @property
    def name(self) -> str:
        """The pipeline's file name."""
        return self.path.name

    def fingerprint(self) -> str:
        """Hash of the pipeline file's content and arguments.

        A runner config's hash includes the content of the pipeline files its commands run
        (``pipeline_path``): a resumed batch redoes its sessions when one of them changed.
        A path naming a ``${}`` variable differs per session and is left out.
        """
        return _file_digest(
            self.path, ["pipeline", list(self.args), self._command_files()], self.content
        )

    def _bytes(self) -> bytes:
        """Return the pipeline file's bytes: as the batch started (``content``), else now."""
        return self.path.read_bytes() if self.content is None else self.content

    def _command_files(self) -> dict[str, str]:
        """Digest of each file a runner config's commands read (``"missing"`` when absent)."""
        try:
            document = json.loads(decode_text(self._bytes(), self.path))
        except (OSError, ValueError):
            return {}
        if not isinstance(document, Mapping) or "steps" in document or "commands" not in document:
            return {}  # a TransformsV2 pipeline, or no commands
        digests = {}
        for command in _as_list(document.get("commands")):
            parameters = command.get("parameters") if isinstance(command, Mapping) else None
            name = parameters.get("pipeline_path") if isinstance(parameters, Mapping) else None
            if not isinstance(name, str) or "${" in name:
                continue
            path = self.path.parent / Path(os.path.expanduser(name))
            try:
                digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            except OSError:
                digests[name] = "missing"
        return digests

    def _document(self) -> dict[str, Any]:
        try:
            document = json.loads(decode_text(self._bytes(), self.path))
        except (OSError, ValueError) as exc:
            raise TaskFailedError(f"cannot read the pipeline {self.path}: {exc}") from exc
        if pipeline_kind(document, self.path) == "pipeline" and (
            missing := _missing_pipeline_keys(self.path, dict(self.args))
        ):
            raise TaskFailedError(missing)
        return dict(document)

    def check(self) -> None:
        """Refuse what would fail on every session, before any runs.

        Raises
        ------
        TaskFailedError
            The file is unreadable, a TransformsV2 pipeline's arguments are wrong, or its
            steps do not load (an unknown transform, a missing ``step_id``, a bad
            parameter); the message names the file.
        """
        from napari_whiskertoolbox.transforms import Pipeline, TransformError

        document = self._document()
        if pipeline_kind(document, self.path) == "pipeline":
            try:
                Pipeline.from_json(document, self.path)
            except TransformError as exc:
                raise TaskFailedError(f"{self.path}: {exc}") from exc

    def notes(self) -> list[str]:
        """Say that a runner config's ``data`` section is not loaded (empty otherwise).

        A batch's data are its sessions: each session is loaded, then the config's
        ``transformations``, ``commands`` and ``saves`` run on it. Loading the config's own
        ``data`` would load the same files into every session.
        """
        try:
            document = self._document()
        except TaskFailedError:
            return []
        data = document.get("data")
        if pipeline_kind(document, self.path) != "runner" or not data:
            return []
        items = counted(len(data), "item") if isinstance(data, list) else "not a list"
        return [
            f"{self.path.name}: its 'data' section ({items}) is not loaded: a batch runs the "
            "config's transformations, commands and saves on each session's own data (load "
            "a further file per session with a LoadData command naming ${session} or "
            "${session_name})"
        ]

    def shared_outputs(self) -> list[str]:
        """Say which files a runner config saves to the same path for every session.

        A ``saves`` entry or ``SaveData`` command whose ``path`` names none of the
        per-session variables (``${output_dir}``, ``${session_name}``, ``${session}``) is
        one file for the whole batch: each session would overwrite the previous one's.

        Returns
        -------
        list of str
            One description per such save (``"saves[0] path 'out/a.csv'"``); empty for a
            TransformsV2 pipeline or when every path names the session.
        """
        document = self._document()
        if pipeline_kind(document, self.path) != "runner":
            return []
        found = []
        places: list[tuple[str, object]] = [
            (f"saves[{i}]", save) for i, save in enumerate(_as_list(document.get("saves")))
        ]
        for i, command in enumerate(_as_list(document.get("commands"))):
            if isinstance(command, Mapping) and command.get("command_name") == "SaveData":
                places.append((f"commands[{i}] (SaveData)", command.get("parameters")))
        for where, save in places:
            path = save.get("path") if isinstance(save, Mapping) else None
            if isinstance(path, str) and not any(v in path for v in _SESSION_VARIABLES):
                found.append(f"{where} path {path!r}")
        return found

    def run(
        self, dm: DataManager, context: SessionContext, control: RunControl
    ) -> dict[str, ResultValue]:
        """Run the pipeline on ``dm``; a pipeline has no result values."""
        from napari_whiskertoolbox.transforms import (
            Pipeline,
            TransformCancelled,
            TransformContext,
            TransformError,
            run_json_pipeline,
        )

        document = self._document()
        transform_context = TransformContext(cancel=control.cancelled)
        if pipeline_kind(document, self.path) == "pipeline":
            args = dict(self.args)
            try:  # the document read when the batch started, not the file now
                pipeline = Pipeline.from_json(document, self.path)
                pipeline.run_on_key(
                    dm,
                    args["input_key"],
                    args["output_key"],
                    args.get("output_time_key") or None,
                    context=transform_context,
                )
            except TransformCancelled as exc:
                raise TaskCancelledError(str(exc)) from exc
            except (TransformError, KeyError, ValueError) as exc:
                raise TaskFailedError(f"{self.path.name}: {exc}") from exc
            return {}
        document.pop("data", None)
        variables = dict(document.get("variables") or {})
        variables.update(
            session=str(context.session),
            session_name=context.name,
            output_dir=str(context.output),
            **dict(self.args),
        )
        document["variables"] = variables
        with _working_directory(self.path.parent):
            result = run_json_pipeline(document, dm=dm, context=transform_context)
        if control.cancelled.is_set():
            raise TaskCancelledError("cancelled")
        if not result.success:
            where = (
                f" at command {result.failed_command_index}" if result.phase == "command" else ""
            )
            raise TaskFailedError(
                f"{self.path.name}: pipeline failed during phase '{result.phase}'{where}: {result.message}"
            )
        return {}


@dataclass(frozen=True)
class CallableTask(Task):
    """A Python callable ``f(dm, **kwargs) -> dict | None`` (sent to workers by cloudpickle).

    The callable must be importable on the workers, or defined in ``__main__`` / a notebook
    (then it travels by value). It runs in the session's output folder (the working
    directory); a callable with an ``output_dir`` parameter gets that folder as a
    :class:`pathlib.Path` keyword, unless the batch's ``args`` give one (a ``**kwargs``
    catch-all gets nothing extra).
    """

    function: Callable[..., Mapping[str, Any] | None]
    kwargs: tuple[tuple[str, Any], ...] = ()
    kind: str = field(default="callable", init=False)

    @property
    def name(self) -> str:
        """The callable's qualified name."""
        return getattr(self.function, "__qualname__", type(self.function).__name__)

    def fingerprint(self) -> str:
        """Hash of the callable's module, name, source (when available) and keyword arguments."""
        function = self.function
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            source = ""
        identity = [getattr(function, "__module__", ""), self.name, source, dict(self.kwargs)]
        return hashlib.sha256(
            json.dumps(identity, sort_keys=True, default=repr).encode()
        ).hexdigest()[:16]

    def run(
        self, dm: DataManager, context: SessionContext, control: RunControl
    ) -> dict[str, ResultValue]:
        """Call the function with ``dm`` and the keyword arguments; return what it returns.

        ``output_dir=context.output`` is added when the function takes it (see the class).
        """
        kwargs = dict(self.kwargs)
        if OUTPUT_DIR_NAME not in kwargs and _accepts_keyword(self.function, OUTPUT_DIR_NAME):
            kwargs[OUTPUT_DIR_NAME] = context.output
        values = self.function(dm, **kwargs)
        return result_values(values, f"the value returned by {self.name}")


def _accepts_keyword(function: Callable[..., object], name: str) -> bool:
    """Return whether ``function`` has a parameter ``name`` that can be given by keyword."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # no signature (some builtins): pass nothing extra
        return False
    return any(
        p.name == name and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters
    )


PIPELINE_ARGUMENTS = ("input_key", "output_key", "output_time_key")
"""The arguments a TransformsV2 pipeline takes (a runner config takes any ``${}`` variable)."""


def _missing_pipeline_keys(path: Path, args: Mapping[str, str]) -> str:
    """Say what is wrong with a TransformsV2 pipeline's arguments ("" if nothing).

    An argument it does not take (a misspelt ``output_time_key`` would be ignored), or a
    missing ``input_key``/``output_key``.
    """
    for name in args:
        if name not in PIPELINE_ARGUMENTS:
            return (
                f"{path.name} is a TransformsV2 pipeline: unknown argument {name!r}"
                f"{did_you_mean(name, PIPELINE_ARGUMENTS)}; it takes "
                f"{', '.join(PIPELINE_ARGUMENTS)}"
            )
    missing = [k for k in ("input_key", "output_key") if not args.get(k)]
    if not missing:
        return ""
    given = " ".join(f"{k}=KEY" for k in missing)
    return (
        f"{path.name} is a TransformsV2 pipeline: give {' and '.join(missing)} "
        f"(command line: `{given}` after `--`; Python: args={{'input_key': 'whiskers', "
        "'output_key': 'angle'})"
    )


def as_task(task: object, args: TaskArgs = None) -> Task:
    """Turn what the user gave into a :class:`Task`.

    Parameters
    ----------
    task : path-like, callable or Task
        A ``.py`` script, a ``.json`` pipeline file, or a callable ``f(dm, **kw) -> dict``.
    args : sequence of str or mapping, optional
        A script's ``sys.argv[1:]``; a callable's keyword arguments; a pipeline's
        ``input_key``/``output_key`` (TransformsV2) or extra ``${}`` variables (runner).
        ``KEY=VALUE`` strings are accepted as a mapping for pipelines and callables.

    Raises
    ------
    FileNotFoundError
        The script or pipeline file does not exist.
    ValueError
        The path is neither ``.py`` nor ``.json``, or ``args`` does not fit the task (a
        single string included: give a list).
    """
    if isinstance(args, (str, bytes)):  # would be iterated character by character
        raise ValueError(
            f"args must be a list of strings or a mapping, got the string {args!r}: a "
            f"script's arguments as a list ({str(args).split()!r}), a callable's or a "
            "pipeline's as a dict or KEY=VALUE strings"
        )
    if isinstance(task, Task):
        return task
    if callable(task) and not isinstance(task, (str, os.PathLike)):
        return CallableTask(task, tuple(sorted(_as_mapping(args, "a callable").items())))
    if not isinstance(task, (str, os.PathLike)):
        raise ValueError(
            f"task must be a script path, a pipeline file or a callable, got {type(task).__name__}"
        )
    path = Path(os.path.expanduser(os.fspath(task))).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"task not found: {path} (expected a .py script or .json pipeline)")
    suffix = path.suffix.lower()
    if suffix == ".py":
        if isinstance(args, Mapping):
            raise ValueError("a script takes its arguments as a list of strings (sys.argv[1:])")
        content = _read_bytes(path)
        if content is not None:
            _check_syntax(path, content)  # else every session fails alike, after a cluster starts
        return ScriptTask(path, tuple(str(a) for a in args or ()), content)
    if suffix == ".json":
        mapping = _as_mapping(args, "a pipeline")
        pipeline_task = PipelineTask(
            path, tuple(sorted((k, str(v)) for k, v in mapping.items())), _read_bytes(path)
        )
        try:
            pipeline_task.check()  # unreadable, keys missing, steps invalid: refuse now
        except TaskFailedError as exc:
            raise ValueError(str(exc)) from None
        return pipeline_task
    raise ValueError(f"task {path}: expected a .py script or a .json pipeline file, got {suffix!r}")


def _as_mapping(args: TaskArgs, what: str) -> dict[str, Any]:
    if args is None:
        return {}
    if isinstance(args, Mapping):
        return dict(args)
    out = {}
    for arg in args:
        key, sep, value = str(arg).partition("=")
        if not sep or not key:
            raise ValueError(f"arguments of {what} are KEY=VALUE pairs, got {arg!r}")
        out[key.lstrip("-")] = value
    return out
