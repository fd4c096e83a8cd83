"""Commands and command sequences (reference §6.3): run pipelines, upsample clocks, save.

A command is ``{"command_name": ..., "parameters": {...}}``; its parameters follow the
same rules as transform parameters. A sequence substitutes ``${name}`` before each command.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.kinds import data_type_of
from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.keys import data_to_save
from napari_whiskertoolbox.io.registry import write_data, writer_formats
from napari_whiskertoolbox.io.wt_savers import (
    save_csv_as_whiskertoolbox,
    saver_target,
    saves_as_whiskertoolbox,
)
from napari_whiskertoolbox.transforms.api import bound_key, store_result
from napari_whiskertoolbox.transforms.context import TransformContext, as_context
from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError
from napari_whiskertoolbox.transforms.json_fields import unknown_field_warnings
from napari_whiskertoolbox.transforms.pipeline import load_pipeline
from napari_whiskertoolbox.transforms.schema import (
    Param,
    Params,
    ParamSchema,
    p_bool,
    p_int,
    p_object,
    p_str,
)
from napari_whiskertoolbox.transforms.upsampling import upsample_ticks

__all__ = [
    "COMMANDS",
    "CommandEnv",
    "CommandResult",
    "CommandSpec",
    "SequenceResult",
    "run_command",
    "run_commands",
    "slice_at",
    "substitute",
    "upsample_ticks",
]


@dataclass
class CommandEnv:
    """What a command may use besides the DataManager.

    Attributes
    ----------
    base_dir : Path or None
        Relative paths (pipeline files, save targets) resolve against it (the runner
        config's folder); the working directory when None.
    context : TransformContext or None
        Progress and cancel.
    saved_paths : list of Path
        Files written by ``SaveData`` commands.
    warnings : list of str
        Non-fatal problems: parameter names a command or a pipeline file's step does not
        have (ignored, as WhiskerToolbox does, but reported).
    """

    base_dir: Path | None = None
    context: TransformContext | None = None
    saved_paths: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def resolve(self, path: str) -> Path:
        """Resolve ``path`` against :attr:`base_dir` (lexically normalised)."""
        p = Path(os.path.expanduser(path))
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        return Path(os.path.normpath(p))

    def warn(self, messages: Iterable[str]) -> None:
        """Add ``messages`` to :attr:`warnings`, each once (a file run by several commands)."""
        self.warnings.extend(m for m in messages if m not in self.warnings)


CommandFunc = Callable[[DataManager, Params, CommandEnv], list[str]]


@dataclass(frozen=True)
class CommandSpec:
    """One command: its name, parameters and implementation (returns affected keys)."""

    name: str
    schema: ParamSchema
    func: CommandFunc
    description: str = ""


COMMANDS: dict[str, CommandSpec] = {}
_COMMAND_FIELDS = ("command_name", "parameters", "description")
"""The fields of a command object (reference §6.3); WhiskerToolbox ignores any other."""
"""Every command by name."""


def _command(
    name: str, params: tuple[Param, ...], description: str
) -> Callable[[CommandFunc], CommandFunc]:
    def wrap(func: CommandFunc) -> CommandFunc:
        COMMANDS[name] = CommandSpec(name, ParamSchema(params), func, description)
        return func

    return wrap


def _fail(command: str, message: str) -> TransformError:
    return TransformError(message, transform=command)


# ---------------------------------------------------------------------- pipelines
@_command(
    "RunTransformsV2Pipeline",
    (
        p_str("input_key", help="DataManager key of the input", required=True),
        p_str("output_key", help="key that receives the result", required=True),
        p_str("pipeline_path", help="pipeline file (§6.1)", required=True),
        p_str("output_time_key", "", "clock of the output ('' = the input key's clock)"),
    ),
    "Run a pipeline file over a whole data object and store the result.",
)
def _run_pipeline(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "RunTransformsV2Pipeline"
    for key in ("input_key", "output_key", "pipeline_path"):
        if not p[key]:
            raise _fail(name, f"parameter '{key}' must not be empty")
    pipeline = load_pipeline(env.resolve(p.pipeline_path))
    env.warn(pipeline.warnings)
    bound_key(dm, p.input_key, name, "input_key")
    clock = p.output_time_key or dm.time_key(p.input_key)
    if clock not in dm.time_keys():
        raise _fail(name, f"output_time_key '{clock}' is not a clock (clocks: {dm.time_keys()})")
    pipeline.run_on_key(dm, p.input_key, p.output_key, clock, context=env.context)
    return [p.output_key]


def slice_at(data: Any, t: int) -> Any:
    """Return a new container holding only the entries of ``data`` at frame ``t``."""
    if isinstance(data, RaggedSeries):
        out = type(data)(image_size=data.image_size)
        objects = data.at(t)
        if len(objects):
            out.set_frame(t, objects)
        return out
    kind = data_type_of(data)
    if kind == "analog":
        times, values = data.range(t, t)
        return type(data)(values, times)
    if kind == "digital_event":
        return type(data)(data.in_range(t, t))
    if kind == "digital_interval":
        return type(data)(data.overlapping(t, t))
    return data


@_command(
    "RunTransformsV2PipelineAtTime",
    (
        p_str("input_key", help="DataManager key of the input", required=True),
        p_str("output_key", help="key that receives the result", required=True),
        p_str("pipeline_path", help="pipeline file (§6.1)", required=True),
        Param("time", "int", help="frame index (often ${current_frame})", required=True),
    ),
    "Run a pipeline file on one frame and merge that frame into the output.",
)
def _run_pipeline_at(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "RunTransformsV2PipelineAtTime"
    for key in ("input_key", "output_key", "pipeline_path"):
        if not p[key]:
            raise _fail(name, f"parameter '{key}' must not be empty")
    pipeline = load_pipeline(env.resolve(p.pipeline_path))
    env.warn(pipeline.warnings)
    source = bound_key(dm, p.input_key, name, "input_key")
    t = int(p.time)
    result = pipeline.run(slice_at(source.data, t), clock=source.clock, context=env.context)
    clock = dm.time_key(p.input_key)
    existing = dm.get_data(p.output_key) if p.output_key in dm else None
    if isinstance(existing, RaggedSeries) and type(existing) is type(result):
        with dm.history.group(f"{name} at {t} → {p.output_key}"):
            existing.set_frame(t, result.at(t))
        return [p.output_key]
    store_result(dm, p.output_key, result, clock, f"{name} at {t} → {p.output_key}", name)
    return [p.output_key]


# ---------------------------------------------------------------------- clocks
@_command(
    "UpsampleTimeFrame",
    (
        p_str("source_time_key", help="clock to upsample", required=True),
        p_str("output_time_key", help="name of the new clock", required=True),
        p_int("upsampling_factor", 2, "new entries per source interval (> 0)"),
        p_bool("overwrite", False, "replace an existing clock of that name"),
    ),
    "Create a clock with (N - 1) · k + 1 entries between the source clock's ticks.",
)
def _upsample(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "UpsampleTimeFrame"
    if not p.source_time_key or not p.output_time_key:
        raise _fail(name, "parameters 'source_time_key' and 'output_time_key' must not be empty")
    if p.upsampling_factor <= 0:
        raise TransformError(
            f"parameter 'upsampling_factor' = {p.upsampling_factor} is invalid; expected > 0",
            transform=name,
            parameter="upsampling_factor",
            value=p.upsampling_factor,
        )
    if p.source_time_key not in dm.time_keys():
        raise _fail(
            name, f"source clock '{p.source_time_key}' not found (clocks: {dm.time_keys()})"
        )
    if p.output_time_key in dm.time_keys() and not p.overwrite:
        raise _fail(
            name,
            f"could not create clock '{p.output_time_key}': it may already exist (pass overwrite: true)",
        )
    source = dm.get_time(p.source_time_key)
    rate = source.sampling_rate
    new = TimeFrame(
        upsample_ticks(source.times, p.upsampling_factor),
        None if rate is None else rate,
    )
    dm.set_time(p.output_time_key, new)
    return [p.output_time_key]


# ---------------------------------------------------------------------- saving
@_command(
    "SaveData",
    (
        p_str("data_key", help="key to save", required=True),
        p_str("format", help="saver format, e.g. csv", required=True),
        p_str("path", help="target file or folder", required=True),
        p_object("format_options", {}, "options passed to the saver"),
        p_bool("backup_existing", False, "rename an existing file to path + suffix first"),
        p_str("backup_suffix", ".bak", "suffix of the backup"),
    ),
    "Save a key with a registered saver.",
)
def _save(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "SaveData"
    if p.data_key not in dm:
        raise _fail(
            name,
            f"Data key '{p.data_key}' not found in DataManager (parameter 'data_key')"
            f"{did_you_mean(p.data_key, dm.keys())}; keys: {sorted(dm.keys())}",
        )
    kind = dm.data_type(p.data_key)
    if p.format not in writer_formats(kind):
        raise _fail(
            name,
            f"No registered saver supports format '{p.format}' for data type {kind} "
            f"(formats: {writer_formats(kind)})",
        )
    as_whiskertoolbox = saves_as_whiskertoolbox(kind, p.format, p.format_options)
    path = env.resolve(p.path)
    if as_whiskertoolbox:
        path = saver_target(path, p.format_options)
    if p.backup_existing and path.is_file():
        os.replace(path, Path(f"{path}{p.backup_suffix}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        obj = data_to_save(dm, p.data_key)
        if as_whiskertoolbox:
            # WhiskerToolbox's saver layout (a header, the frame of each sample), not the
            # loader's default layout: the lab's code reading these files expects it
            warnings = save_csv_as_whiskertoolbox(kind, obj, path, p.format_options)
            env.warn(f"SaveData '{p.data_key}': {w}" for w in warnings)
        else:
            write_data(kind, p.format, obj, path, **p.format_options)
    except FormatError as exc:
        raise _fail(name, str(exc)) from exc
    env.saved_paths.append(path)
    return []


# ---------------------------------------------------------------------- running
@dataclass
class CommandResult:
    """Outcome of one command."""

    success: bool
    affected_keys: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class SequenceResult:
    """Outcome of a command sequence (reference §6.3).

    Attributes
    ----------
    success : bool
    affected_keys : list of str
        Keys changed by the successful commands.
    error : str
        The last error message ("" on success).
    failed_index : int
        Index of the last failing command, -1 when none failed.
    saved_paths : list of Path
    errors : list of str
        Every failure's message in order (more than one with ``continue_on_error``); the
        last is :attr:`error`.
    """

    success: bool
    affected_keys: list[str] = field(default_factory=list)
    error: str = ""
    failed_index: int = -1
    saved_paths: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_VAR = re.compile(r"\$\{([^}]*)\}")
_WHOLE = re.compile(r"^\$\{([^}]*)\}$")


def _literal(text: str) -> Any:
    if text in ("true", "false", "null"):
        return json.loads(text)
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def substitute(value: Any, variables: Mapping[str, str]) -> Any:
    """Replace ``${name}`` in every string of a JSON value (keys too).

    Unknown names stay as written; a string that is exactly one reference whose value is a
    JSON number, ``true``, ``false`` or ``null`` becomes that JSON value.
    """
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole and whole.group(1) in variables:
            text = str(variables[whole.group(1)])
            literal = _literal(text)
            if literal is not None or text == "null":
                return literal
            return text
        return _VAR.sub(
            lambda m: str(variables[m.group(1)]) if m.group(1) in variables else m.group(0), value
        )
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, Mapping):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    return value


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


def run_command(
    dm: DataManager,
    command: Any,
    *,
    index: int = 0,
    variables: Mapping[str, str] | None = None,
    env: CommandEnv | None = None,
) -> CommandResult:
    """Run one command object after ``${name}`` substitution.

    Returns
    -------
    CommandResult
        ``error`` is "Unknown command '<name>' (index i)" or
        "Command '<name>' failed (index i): <message>".

    Raises
    ------
    TransformCancelled
        The environment's context was cancelled.
    """
    env = env or CommandEnv()
    variables = dict(variables or {})
    if not isinstance(command, Mapping):
        return CommandResult(
            False, error=f"Command at index {index} must be an object, got {command!r}"
        )
    name = substitute(command.get("command_name"), variables)
    spec = COMMANDS.get(name) if isinstance(name, str) else None
    if spec is None:
        known = ", ".join(sorted(COMMANDS))
        return CommandResult(
            False, error=f"Unknown command '{name}' (index {index}); commands: {known}"
        )
    env.warn(unknown_field_warnings(command, _COMMAND_FIELDS, f"command {index} '{name}'"))
    raw = command.get("parameters", {})
    params = _whole_numbers(substitute(raw, variables))
    if isinstance(params, Mapping):  # WhiskerToolbox ignores unknown names: so do we, aloud
        env.warn(
            f"command {index} '{name}': {spec.schema.unknown_key_message(key)}; it is ignored"
            for key in spec.schema.unknown_keys(params)
        )
    try:
        parsed = spec.schema.parse(params, name)
        keys = spec.func(dm, parsed, env)
    except TransformCancelled:
        raise
    except (TransformError, FormatError, OSError) as exc:
        message = (
            exc.reason if isinstance(exc, TransformError) and exc.transform == name else str(exc)
        )
        value = exc.value if isinstance(exc, TransformError) else None
        unresolved = _VAR.search(value) if isinstance(value, str) else None
        if unresolved is not None:
            message += (
                f"; '{unresolved.group(0)}' is not a defined variable (a config's root "
                "'variables' define them; headless there are no runtime variables such as "
                "current_frame)"
            )
        return CommandResult(False, error=f"Command '{name}' failed (index {index}): {message}")
    return CommandResult(True, keys)


def run_commands(
    dm: DataManager,
    commands: Sequence[Any],
    *,
    variables: Mapping[str, str] | None = None,
    continue_on_error: bool = False,
    env: CommandEnv | None = None,
) -> SequenceResult:
    """Run a command sequence (reference §6.3).

    Stops at the first failure unless ``continue_on_error``; then the remaining commands
    still run but the sequence fails (last error and index kept; keys of the successful
    commands kept).
    """
    env = env or CommandEnv()
    ctx = as_context(env.context, "commands")
    result = SequenceResult(True)
    for i, command in enumerate(commands):
        ctx.check()
        one = run_command(dm, command, index=i, variables=variables, env=env)
        if one.success:
            result.affected_keys.extend(
                k for k in one.affected_keys if k not in result.affected_keys
            )
            continue
        result.success = False
        result.error = one.error
        result.errors.append(one.error)
        result.failed_index = i
        if not continue_on_error:
            break
    result.saved_paths = list(env.saved_paths)
    return result
