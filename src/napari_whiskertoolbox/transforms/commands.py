"""Commands and command sequences (reference §6.3): run pipelines, upsample clocks, save.

A command is ``{"command_name": ..., "parameters": {...}}``; its parameters follow the
same rules as transform parameters. A sequence substitutes ``${name}`` before each command.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.history import frames_label
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import RAGGED_KINDS, data_type_of
from napari_whiskertoolbox.core.ragged import RaggedSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.config import load_config
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
from napari_whiskertoolbox.transforms.output_keys import refuse_output_key
from napari_whiskertoolbox.transforms.pipeline import load_pipeline
from napari_whiskertoolbox.transforms.schema import (
    Param,
    Params,
    ParamSchema,
    p_bool,
    p_int,
    p_list,
    p_object,
    p_str,
)
from napari_whiskertoolbox.transforms.synthesis import GENERATORS, generate
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
    # WhiskerToolbox's command files name keys freely
    pipeline.run_on_key(
        dm, p.input_key, p.output_key, clock, context=env.context, check_key_name=False
    )
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
    refuse_output_key(dm, p.output_key, pipeline.output_kind, name, check_name=False)
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


# ---------------------------------------------------------------------- data edits
@_command(
    "AddInterval",
    (
        p_str("interval_key", help="interval key to append to", required=True),
        Param("start_frame", "int", help="first frame of the interval", required=True),
        Param("end_frame", "int", help="last frame of the interval (inclusive)", required=True),
        p_bool("create_if_missing", True, "create the key on clock 'time' when it is missing"),
    ),
    "Append an interval to an interval key, creating it if needed.",
)
def _add_interval(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "AddInterval"
    if not p.interval_key:
        raise _fail(name, "parameter 'interval_key' must not be empty")
    if p.end_frame < p.start_frame:
        raise _fail(
            name,
            f"end_frame {p.end_frame} is before start_frame {p.start_frame} "
            "(an interval is start_frame..end_frame, inclusive)",
        )
    with dm.history.group(f"{name} {frames_label(p.start_frame, p.end_frame)} → {p.interval_key}"):
        if p.interval_key not in dm:
            if not p.create_if_missing:
                raise _fail(name, f"Interval series '{p.interval_key}' not found")
            dm.set_data(p.interval_key, DigitalIntervalSeries(), DEFAULT_CLOCK)
        series = dm.get_data(p.interval_key)
        if not isinstance(series, DigitalIntervalSeries):
            raise _fail(
                name,
                f"'{p.interval_key}' holds {dm.data_type(p.interval_key)} data, not intervals "
                "(parameter 'interval_key')",
            )
        series.add(p.start_frame, p.end_frame)
    return [p.interval_key]


_RANGE_KINDS = (*RAGGED_KINDS, "digital_event")
"""What MoveByTimeRange moves (WhiskerToolbox's supported types); CopyByTimeRange also
copies intervals (those overlapping the range, whole)."""


def _range_edit(dm: DataManager, p: Params, name: str, move: bool) -> list[str]:
    for param in ("source_key", "destination_key"):
        if p[param] not in dm:
            raise _fail(
                name,
                f"Key not found: '{p[param]}' (parameter '{param}')"
                f"{did_you_mean(p[param], dm.keys())}",
            )
    kind = dm.data_type(p.source_key)
    if dm.data_type(p.destination_key) != kind:
        raise _fail(
            name,
            "Source and destination must be the same data type "
            f"('{p.source_key}' is {kind}, '{p.destination_key}' is "
            f"{dm.data_type(p.destination_key)})",
        )
    supported = _RANGE_KINDS if move else (*_RANGE_KINDS, "digital_interval")
    if kind not in supported:
        operation = "move" if move else "copy"
        raise _fail(
            name,
            f"Data type does not support {operation} operations ({kind}; supported: "
            f"{', '.join(supported)})",
        )
    src, dst = dm.get_data(p.source_key), dm.get_data(p.destination_key)
    lo, hi = int(p.start_frame), int(p.end_frame)
    with dm.history.group(f"{name} {frames_label(lo, hi)}: {p.source_key} → {p.destination_key}"):
        if isinstance(src, DigitalIntervalSeries):
            for start, end in src.overlapping(lo, hi).tolist():
                dst.add(int(start), int(end))
        elif isinstance(src, DigitalEventSeries):
            times = [int(t) for t in src.in_range(lo, hi)]
            for t in times:
                dst.add(t)
            if move:
                for t in times:
                    src.remove(t)
        else:
            frames = [int(t) for t in src.times_with_data() if lo <= t <= hi]
            for t in frames:
                for obj in list(src.at(t)):
                    dst.add(t, obj)
                if move:
                    src.clear_at(t)
    return [p.source_key, p.destination_key]


_RANGE_PARAMS = (
    p_str("source_key", help="key the entries come from", required=True),
    p_str("destination_key", help="key of the same type they go to", required=True),
    Param("start_frame", "int", help="first frame of the range", required=True),
    Param("end_frame", "int", help="last frame of the range (inclusive)", required=True),
)


@_command(
    "CopyByTimeRange",
    _RANGE_PARAMS,
    "Copy the entries of frames start_frame..end_frame to another key of the same type.",
)
def _copy_range(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    return _range_edit(dm, p, "CopyByTimeRange", move=False)


@_command(
    "MoveByTimeRange",
    _RANGE_PARAMS,
    "Move the entries of frames start_frame..end_frame to another key of the same type.",
)
def _move_range(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    return _range_edit(dm, p, "MoveByTimeRange", move=True)


# ---------------------------------------------------------------------- loading
_LOAD_TYPES = {
    "PointData": "points",
    "LineData": "line",
    "MaskData": "mask",
    "AnalogTimeSeries": "analog",
    "DigitalEventSeries": "digital_event",
    "DigitalIntervalSeries": "digital_interval",
    "TensorData": "tensor",
}
"""LoadData's ``data_type`` names (WhiskerToolbox's class names) → config data types."""


@_command(
    "LoadData",
    (
        p_str("data_key", help="key to load into", required=True),
        p_str(
            "data_type",
            help=f"class name of the data: {', '.join(_LOAD_TYPES)}",
            required=True,
        ),
        p_str("filepath", help="file to read", required=True),
        p_str("format", help="loader format, e.g. csv", required=True),
        p_object("format_options", {}, "the loader's options (those of a config item)"),
    ),
    "Load a file into a key as a config item would (on clock 'time').",
)
def _load(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "LoadData"
    if not p.data_key:
        raise _fail(name, "parameter 'data_key' must not be empty")
    if p.data_type not in _LOAD_TYPES:
        raise _fail(
            name,
            f"Unknown data_type '{p.data_type}' (parameter 'data_type')"
            f"{did_you_mean(p.data_type, _LOAD_TYPES)}; one of: {', '.join(_LOAD_TYPES)}",
        )
    reserved = {"data_type", "name", "filepath", "format"} & set(p.format_options)
    if reserved:
        raise _fail(
            name,
            f"format_options may not set {sorted(reserved)}: they are LoadData's own parameters",
        )
    entry = {
        **p.format_options,
        "data_type": _LOAD_TYPES[p.data_type],
        "name": p.data_key,
        "filepath": str(env.resolve(p.filepath)),
        "format": p.format,
    }
    before = set(dm.keys())
    with tempfile.TemporaryDirectory(prefix="wtb_loaddata_") as tmp:
        config = Path(tmp) / "load_data.json"
        config.write_text(json.dumps([entry]), encoding="utf-8")
        load_config(config, dm)
    added = [k for k in dm if k not in before]
    return [p.data_key] if p.data_key in dm and not added else added or [p.data_key]


# ---------------------------------------------------------------------- synthesis
_TIME_FRAME_MODES = ("create_new", "use_existing", "overwrite")


@_command(
    "SynthesizeData",
    (
        p_str("output_key", help="key of the generated data", required=True),
        p_str("generator_name", help=f"generator: {', '.join(GENERATORS)}", required=True),
        p_str("output_type", "", "WhiskerToolbox's output type name (informational)"),
        p_object("parameters", {}, "the generator's parameters"),
        p_str("time_key", "", "clock of the output ('' = '<output_key>_time')"),
        p_str("time_frame_mode", "create_new", "create_new, use_existing or overwrite"),
    ),
    "Generate WhiskerToolbox's synthetic signals, noise, events, intervals, lines, points or masks.",
)
def _synthesize(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "SynthesizeData"
    if not p.output_key:
        raise _fail(name, "parameter 'output_key' must not be empty")
    if p.time_frame_mode not in _TIME_FRAME_MODES:
        raise _fail(
            name,
            f"Unknown time_frame_mode: '{p.time_frame_mode}'. Valid modes: "
            f"{', '.join(_TIME_FRAME_MODES)}",
        )
    result = generate(p.generator_name, p.parameters, dm)
    clock = p.time_key or f"{p.output_key}_time"
    n = result.num_frames
    with dm.history.group(f"{name} {p.generator_name} → {p.output_key}"):
        if p.time_frame_mode == "use_existing":
            if clock not in dm.time_keys():
                raise _fail(name, f"TimeFrame '{clock}' does not exist (mode=use_existing)")
            frames = len(dm.get_time(clock))
            if frames < n:
                raise _fail(
                    name,
                    f"TimeFrame '{clock}' has {frames} frames but data requires {n} "
                    "(mode=use_existing)",
                )
        else:
            if (
                p.time_frame_mode == "create_new"
                and clock in dm.time_keys()
                and len(dm.get_time(clock)) > 0
            ):
                raise _fail(
                    name,
                    f"TimeFrame '{clock}' already exists (mode=create_new). Use 'overwrite' or "
                    "'use_existing' instead.",
                )
            dm.set_time(clock, TimeFrame(np.arange(n)))
        dm.set_data(p.output_key, result.data, clock)
    return [p.output_key]


# ---------------------------------------------------------------------- meta
@_command(
    "ForEachKey",
    (
        p_list("items", "str", [], "values bound to the variable in turn"),
        p_str("variable", help="name used as ${variable} in the sub-commands", required=True),
        Param("commands", "object_list", [], help="sub-commands run for each item"),
    ),
    "Run sub-commands once per item, with ${variable} bound to the item.",
)
def _for_each_key(dm: DataManager, p: Params, env: CommandEnv) -> list[str]:
    name = "ForEachKey"
    affected: list[str] = []
    for item in p["items"]:
        variables = {p.variable: item}
        for i, command in enumerate(p.commands):
            sub = substitute(command.get("command_name"), variables)
            spec = COMMANDS.get(sub) if isinstance(sub, str) else None
            if spec is None:
                raise _fail(name, f"Unknown sub-command '{sub}' with {p.variable}={item}")
            where = f"ForEachKey sub-command {i} '{sub}' ({p.variable}={item})"
            env.warn(unknown_field_warnings(command, _COMMAND_FIELDS, where))
            try:
                keys = _invoke(dm, spec, command.get("parameters", {}), variables, env, where)
            except TransformCancelled:
                raise
            except (TransformError, FormatError, OSError) as exc:
                raise _fail(
                    name,
                    f"Sub-command '{sub}' failed with {p.variable}={item}: {_failure(exc, sub)}",
                ) from exc
            affected.extend(keys)
    return affected


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


def _invoke(
    dm: DataManager,
    spec: CommandSpec,
    raw: Any,
    variables: Mapping[str, str],
    env: CommandEnv,
    where: str,
) -> list[str]:
    """Substitute ``variables`` into a command's parameters, parse them and run it.

    Raises
    ------
    TransformError, FormatError, OSError
        The parameters do not parse or the command failed.
    """
    params = _whole_numbers(substitute(raw, variables))
    if isinstance(params, Mapping):  # WhiskerToolbox ignores unknown names: so do we, aloud
        env.warn(
            f"{where}: {spec.schema.unknown_key_message(key)}; it is ignored"
            for key in spec.schema.unknown_keys(params)
        )
    parsed = spec.schema.parse(params, spec.name)
    return spec.func(dm, parsed, env)


def _failure(exc: BaseException, name: str) -> str:
    """Return the message of a command's failure (with a hint for an unresolved ``${name}``)."""
    message = exc.reason if isinstance(exc, TransformError) and exc.transform == name else str(exc)
    value = exc.value if isinstance(exc, TransformError) else None
    unresolved = _VAR.search(value) if isinstance(value, str) else None
    if unresolved is not None:
        message += (
            f"; '{unresolved.group(0)}' is not a defined variable (a config's root "
            "'variables' define them; headless there are no runtime variables such as "
            "current_frame)"
        )
    return message


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
    try:
        keys = _invoke(
            dm, spec, command.get("parameters", {}), variables, env, f"command {index} '{name}'"
        )
    except TransformCancelled:
        raise
    except (TransformError, FormatError, OSError) as exc:
        return CommandResult(
            False, error=f"Command '{name}' failed (index {index}): {_failure(exc, name)}"
        )
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
