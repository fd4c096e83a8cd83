"""WhiskerToolbox's JSON pipeline runner (reference §6.6) and its command line.

Three phases: load data (with the existing ``io.load_config``) and run the V1
``transformations`` block; run ``commands``; run ``saves``. Each can be skipped; commands
and saves can continue after errors. The result names the failing phase, message and
command index, and carries the DataManager. A failing V1 step does not fail the load phase
(reference §6.5-6.6: WhiskerToolbox only logs it): it is a warning naming the config file,
the step and the parameter, as when the config is opened in the viewer.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.key_references import SOURCES
from napari_whiskertoolbox.io.config import load_config
from napari_whiskertoolbox.io.config_transformations import run_config_transformations
from napari_whiskertoolbox.io.csv_tools import decode_text
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import log_note
from napari_whiskertoolbox.io.substitution import fill_known_variables, fill_loop, loop_placeholders
from napari_whiskertoolbox.transforms.commands import (
    CommandEnv,
    run_command,
    run_commands,
    substitute,
)
from napari_whiskertoolbox.transforms.context import TransformContext
from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError
from napari_whiskertoolbox.transforms.python_transforms import (
    load_transforms_from_file,
    load_user_transforms,
)
from napari_whiskertoolbox.transforms.v1_runner import run_v1_transformations

__all__ = ["PHASES", "PipelineRunResult", "expand_loops", "pipeline_cli", "run_json_pipeline"]

PHASES = ("none", "parse", "normalize", "load_and_transform", "command", "save")
"""Values of :attr:`PipelineRunResult.phase` (``"none"`` = nothing failed)."""

_ROOT_KEYS = ("data", "transformations", "commands", "saves")
_PATH_KEYS = ("filepath", "parent_dir", "directory_path")


@dataclass
class PipelineRunResult:
    """Outcome of :func:`run_json_pipeline`.

    Attributes
    ----------
    success : bool
    phase : str
        The failed phase (one of :data:`PHASES`), ``"none"`` on success.
    message : str
        The error message ("" on success).
    failed_command_index : int
        Index of the failing command, -1 when the failure is not a command's.
    dm : DataManager
        The DataManager (what loaded and ran up to the failure).
    loaded_data : list of str
        Keys loaded in phase 1.
    command_affected_keys : list of str
    saved_paths : list of Path
    warnings : list of str
        Non-fatal problems: dropped loop entries, a ``transformations`` block that failed
        (the data stays loaded, as when the config is opened in the viewer and as
        WhiskerToolbox, which only logs it; names the config file, the block, the step and
        the parameter), and parameter names that a command or a pipeline file's step does
        not have (ignored, as WhiskerToolbox does; each names the command or file, the step
        and the key).
    """

    success: bool
    phase: str
    message: str
    failed_command_index: int
    dm: DataManager
    loaded_data: list[str] = field(default_factory=list)
    command_affected_keys: list[str] = field(default_factory=list)
    saved_paths: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed_phase(self) -> str:
        """Alias of :attr:`phase` (WhiskerToolbox's name)."""
        return self.phase

    @property
    def error_message(self) -> str:
        """Alias of :attr:`message` (WhiskerToolbox's name)."""
        return self.message


class _PhaseError(Exception):
    def __init__(self, phase: str, message: str) -> None:
        super().__init__(message)
        self.phase = phase
        self.message = message


# ---------------------------------------------------------------------- normalisation
def _string_vars(root: Mapping[str, Any]) -> dict[str, str]:
    variables = root.get("variables", {})
    return {k: v for k, v in variables.items() if isinstance(v, str)}


def _normalise(doc: Any) -> tuple[dict[str, Any], list[Any], list[Any] | None, list[Any] | None]:
    """Return (variables, loader data entries, commands, saves) of a runner config."""
    if isinstance(doc, list):
        return {}, list(doc), None, None
    if not isinstance(doc, Mapping):
        raise _PhaseError("normalize", "Pipeline config root must be an object or array")
    if not any(k in doc for k in _ROOT_KEYS):
        hint = (
            " (this is a TransformsV2 pipeline file: run it from a runner config's "
            "RunTransformsV2Pipeline command, the Transforms dock, or `batch`)"
            if "steps" in doc
            else ""
        )
        raise _PhaseError(
            "normalize",
            "Pipeline config object must contain 'data', 'transformations', 'commands', or "
            f"'saves'{hint}",
        )
    for key in ("variables", "loops"):
        if key in doc and not isinstance(doc[key], Mapping):
            raise _PhaseError("normalize", f"'{key}' must be an object")
    if "data" in doc and not isinstance(doc["data"], list):
        raise _PhaseError("normalize", "'data' must be an array")
    if "commands" in doc and not isinstance(doc["commands"], list):
        raise _PhaseError("normalize", "'commands' must be an array")
    data = list(doc.get("data", []))
    if "transformations" in doc:
        data.append({"transformations": doc["transformations"]})
    return dict(doc.get("variables", {})), data, doc.get("commands"), doc.get("saves")


def _loop_values(name: str, spec: Any) -> list[str]:
    if isinstance(spec, list) and all(isinstance(v, (str, int, bool)) for v in spec):
        return [json.dumps(v) if isinstance(v, bool) else str(v) for v in spec]
    if isinstance(spec, Mapping):
        try:
            start, stop = spec["from"], spec["to"]
            step = spec.get("step", 1)
        except KeyError:
            raise _PhaseError(
                "load_and_transform", f"loop '{name}' needs 'from' and 'to'"
            ) from None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, stop, step)):
            raise _PhaseError(
                "load_and_transform", f"loop '{name}': from, to and step must be integers"
            )
        values = list(range(start, stop + (1 if step > 0 else -1), step)) if step else []
        if not values:
            raise _PhaseError("load_and_transform", f"loop '{name}' is empty or has step 0")
        return [str(v) for v in values]
    raise _PhaseError(
        "load_and_transform",
        f"loop '{name}' must be an array of strings/integers/booleans or a range",
    )


def expand_loops(data: Sequence[Any], loops: Mapping[str, Any], warnings: list[str]) -> list[Any]:
    """Repeat data entries once per value of the one loop they use (reference §6.6).

    ``{name}`` placeholders (never the ``{`` of ``${``); entries without one are kept once;
    entries using two or more loops, or an undefined one, are dropped with a warning;
    ``transformations`` elements are copied unchanged.
    """
    values = {name: _loop_values(name, spec) for name, spec in loops.items()}
    out: list[Any] = []
    for i, entry in enumerate(data):
        if isinstance(entry, Mapping) and "transformations" in entry:
            out.append(entry)
            continue
        used = loop_placeholders(entry)
        if not used:
            out.append(entry)
        elif len(used) > 1:
            warnings.append(f"data[{i}] uses several loop variables {sorted(used)}; dropped")
        elif next(iter(used)) not in values:
            warnings.append(
                f"data[{i}] uses undefined loop variable {{{next(iter(used))}}}; dropped"
            )
        else:
            name = next(iter(used))
            out.extend(fill_loop(entry, name, v) for v in values[name])
    return out


def _absolute(entry: Mapping[str, Any], base: Path) -> dict[str, Any]:
    out = dict(entry)
    for key in _PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and "${" not in value:
            p = Path(os.path.expanduser(value))
            out[key] = str(p if p.is_absolute() else base / p)
    return out


# ---------------------------------------------------------------------- phases
def _load_phase(
    dm: DataManager,
    data: list[Any],
    base: Path,
    config_path: Path | None,
    ctx: TransformContext | None,
    warnings: list[str],
) -> list[str]:
    entries = [e for e in data if not (isinstance(e, Mapping) and "transformations" in e)]
    blocks = [
        e["transformations"] for e in data if isinstance(e, Mapping) and "transformations" in e
    ]
    loaded: list[str] = []
    if entries:
        before = set(dm.keys())
        with tempfile.TemporaryDirectory(prefix="wtb_pipeline_") as tmp:
            staged = Path(tmp) / "data.json"
            items = [_absolute(e, base) if isinstance(e, Mapping) else e for e in entries]
            staged.write_text(json.dumps(items), encoding="utf-8")
            load_config(staged, dm)
        loaded = [k for k in dm if k not in before]
        if config_path is not None:
            dm.metadata["config_path"] = str(config_path)
            for record in dm.metadata.get(SOURCES, {}).values():
                if isinstance(record, dict) and record.get("config") == str(staged):
                    record["config"] = str(config_path)
    # as opening the config in the viewer does (and WhiskerToolbox, which only logs them):
    # a failing block leaves the data loaded and becomes a warning naming file, step and
    # parameter; the run goes on
    notes = run_config_transformations(
        dm,
        [{"transformations": block} for block in blocks],
        config_path,
        lambda target, block: run_v1_transformations(target, block, context=ctx),
    )
    warnings.extend(str(log_note(note)) for note in notes)
    return loaded


def _save_phase(
    dm: DataManager,
    saves: Any,
    variables: Mapping[str, str],
    base: Path,
    keep_going: bool,
    ctx: TransformContext | None,
    warnings: list[str],
) -> tuple[list[Path], list[str]]:
    """Run the save descriptors; return the saved paths and every error in order.

    The saves' warnings (a ``format_options`` name the saver does not have) go to
    ``warnings``.
    """
    if not isinstance(saves, list):
        return [], ["'saves' must be an array when present"]
    saved: list[Path] = []
    errors: list[str] = []
    for i, descriptor in enumerate(saves):
        env = CommandEnv(base_dir=base, context=ctx)
        if not isinstance(descriptor, Mapping):
            message = f"Save descriptor at index {i} must be an object"
        else:
            filled = substitute(descriptor, variables)
            if not isinstance(filled.get("path"), str):
                message = f"Save descriptor at index {i} requires string field 'path'"
            else:
                filled["path"] = str(env.resolve(filled["path"]))
                command = {"command_name": "SaveData", "parameters": filled}
                outcome = run_command(dm, command, index=i, env=env)
                warnings.extend(f"saves[{i}]: {w}" for w in env.warnings)
                if outcome.success:
                    saved.extend(env.saved_paths)
                    continue
                message = f"SaveData failed at index {i}: {outcome.error.split(': ', 1)[-1]}"
        errors.append(message)
        if not keep_going:
            break
        saved = []  # WhiskerToolbox quirk: only saves after the last failure are listed
    return saved, errors


def _continued(errors: Sequence[str]) -> list[str]:
    """Return the failures before the last (the run's message) as warnings.

    WhiskerToolbox reports only the last failure of a phase that continued after errors;
    the earlier ones would otherwise be lost.
    """
    return [f"{error} (the run continued)" for error in errors[:-1]]


def _read(source: str | os.PathLike[str]) -> tuple[Any, Path]:
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _PhaseError(
            "parse", f"Failed to open JSON file: {path} ({exc.strerror or exc})"
        ) from None
    try:
        text = decode_text(data, path)  # byte-order marks, BOM-less UTF-16, Windows-1252
    except FormatError as exc:
        raise _PhaseError("parse", f"Failed to read JSON file: {exc}") from None
    try:
        return json.loads(text), path.resolve()
    except json.JSONDecodeError as exc:
        raise _PhaseError(
            "parse", f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def run_json_pipeline(
    path_or_dict: str | os.PathLike[str] | Mapping[str, Any] | list[Any],
    *,
    load_transform: bool = True,
    commands: bool = True,
    saves: bool = True,
    continue_on_command_error: bool = False,
    continue_on_save_error: bool = False,
    dm: DataManager | None = None,
    context: TransformContext | None = None,
) -> PipelineRunResult:
    """Run a WhiskerToolbox JSON pipeline-runner config (reference §6.6).

    Parameters
    ----------
    path_or_dict : path, dict or list
        The config file, or an already parsed config (relative paths then resolve against
        the working directory).
    load_transform, commands, saves : bool
        Run phase 1 (load + V1 transformations), 2 (commands), 3 (saves).
    continue_on_command_error, continue_on_save_error : bool
        Keep running after a failing command/save (the phase still fails).
    dm : DataManager, optional
        Load into this DataManager (a new one by default).
    context : TransformContext, optional
        Progress and cancel.

    Returns
    -------
    PipelineRunResult
        ``success``, ``phase`` (failed phase or ``"none"``), ``message``,
        ``failed_command_index``, ``dm`` and what was loaded, changed and saved. Never
        raises for bad configs or failing steps.

    Notes
    -----
    Data entries are loaded with :func:`napari_whiskertoolbox.io.load_config`: the runner
    expands loops and ``${}`` itself (its rules differ: unknown names stay, multi-loop
    entries are dropped), makes paths absolute and hands ``load_config`` a plain list of
    items, so root keys it does not know (``commands``, ``saves``, …) never reach it.
    Commands' and saves' relative paths resolve against the config's folder.
    """
    dm = DataManager() if dm is None else dm
    result = PipelineRunResult(True, "none", "", -1, dm)
    try:
        if isinstance(path_or_dict, (Mapping, list)):
            doc, config_path = copy.deepcopy(path_or_dict), None
            base = Path.cwd()
        else:
            doc, config_path = _read(path_or_dict)
            base = config_path.parent
        variables, data, command_list, save_list = _normalise(doc)
        strings = {k: v for k, v in variables.items() if isinstance(v, str)}
        if load_transform:
            try:
                loops = doc.get("loops", {}) if isinstance(doc, Mapping) else {}
                expanded = expand_loops(data, loops, result.warnings)
                resolved = fill_known_variables(expanded, strings)
                result.loaded_data = _load_phase(
                    dm, resolved, base, config_path, context, result.warnings
                )
            except _PhaseError:
                raise
            except TransformCancelled as exc:
                raise _PhaseError("load_and_transform", str(exc)) from exc
            except (FormatError, TransformError, OSError, ValueError) as exc:
                # name the config file: the loader only sees a staged copy of its entries
                where = f"{config_path}: " if config_path is not None else ""
                raise _PhaseError("load_and_transform", f"{where}{exc}") from exc
        if commands and command_list:
            env = CommandEnv(base_dir=base, context=context)
            seq = run_commands(
                dm,
                command_list,
                variables=strings,
                continue_on_error=continue_on_command_error,
                env=env,
            )
            result.warnings.extend(env.warnings)
            result.command_affected_keys = seq.affected_keys
            result.saved_paths.extend(seq.saved_paths)
            if not seq.success:
                result.failed_command_index = seq.failed_index
                result.warnings.extend(_continued(seq.errors))
                raise _PhaseError("command", seq.error)
        if saves and save_list is not None:
            saved, errors = _save_phase(
                dm, save_list, strings, base, continue_on_save_error, context, result.warnings
            )
            result.saved_paths.extend(saved)
            if errors:
                result.warnings.extend(_continued(errors))
                raise _PhaseError("save", errors[-1])
    except _PhaseError as exc:
        result.success = False
        result.phase = exc.phase
        result.message = exc.message
    except TransformCancelled as exc:
        result.success = False
        result.phase = "command" if result.phase == "none" else result.phase
        result.message = str(exc)
    return result


# ---------------------------------------------------------------------- CLI
USAGE = """\
usage: napari-whiskertoolbox pipeline [options] CONFIG.json

Run a WhiskerToolbox JSON pipeline-runner config: load data and V1 transformations,
run commands, then saves.

options:
  -h, --help                    show this help and exit
  --no-load-transform           skip loading data and the transformations block
  --no-commands                 skip the commands
  --continue-on-command-error   keep running commands after a failure
  --no-saves                    skip the saves
  --continue-on-save-error      keep running saves after a failure
  --transforms PATH             first load the Python transforms of PATH (a .py file
                                or a folder of them; repeatable)

exit codes: 0 success, 1 pipeline failure, 2 bad arguments
"""

_TRANSFORMS = "--transforms"


def _load_python_transforms(path: str) -> list[str]:
    """Load the Python transforms of a ``.py`` file or of every ``.py`` file of a folder."""
    return load_user_transforms(path) if Path(path).is_dir() else load_transforms_from_file(path)


_FLAGS = {
    "--no-load-transform": ("load_transform", False),
    "--no-commands": ("commands", False),
    "--no-saves": ("saves", False),
    "--continue-on-command-error": ("continue_on_command_error", True),
    "--continue-on-save-error": ("continue_on_save_error", True),
}


class _WarningPrinter(logging.Handler):
    """Print the package's logged warnings to the CLI's error stream, each message once."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.WARNING)
        self._stream = stream
        self._seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.write(record.getMessage())

    def write(self, message: str) -> None:
        """Print ``message`` as ``warning: message`` unless it was printed already."""
        if message not in self._seen:
            self._seen.add(message)
            self._stream.write(f"warning: {message}\n")


def pipeline_cli(
    argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run ``napari-whiskertoolbox pipeline``; return WhiskerToolbox's exit code.

    Parameters
    ----------
    argv : list of str
        The arguments after ``pipeline``: options and one config path.
    stdout, stderr : text streams, optional
        Where to print (``sys.stdout`` / ``sys.stderr`` by default).

    Returns
    -------
    int
        0 success; 1 the pipeline failed (also on an unexpected exception); 2 bad
        arguments (unknown option, no path, several paths).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    options: dict[str, bool] = {}
    paths: list[str] = []
    transform_paths: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in ("-h", "--help"):
            out.write(USAGE)
            return 0
        if arg == _TRANSFORMS or arg.startswith(f"{_TRANSFORMS}="):
            source = arg.partition("=")[2] if "=" in arg else next(args, "")
            if not source:
                err.write(f"Missing PATH after {_TRANSFORMS}\n{USAGE}")
                return 2
            transform_paths.append(source)
        elif arg in _FLAGS:
            key, value = _FLAGS[arg]
            options[key] = value
        elif arg.startswith("-") and arg != "-":
            err.write(f"Unknown option: {arg}\n{USAGE}")
            return 2
        else:
            paths.append(arg)
    if not paths:
        err.write(f"Missing pipeline JSON path\n{USAGE}")
        return 2
    if len(paths) > 1:
        err.write(f"Multiple pipeline JSON paths were provided\n{USAGE}")
        return 2
    try:
        for source in transform_paths:
            _load_python_transforms(source)
    except TransformError as exc:
        err.write(f"Could not load Python transforms: {exc}\n")
        return 1
    printed = _WarningPrinter(err)
    # what the steps report (a group operation writes no key: only its log says what it did)
    said = TransformContext()
    package_logger = logging.getLogger("napari_whiskertoolbox")
    package_logger.addHandler(printed)
    propagate, package_logger.propagate = package_logger.propagate, False
    try:
        result = run_json_pipeline(
            paths[0],
            load_transform=options.get("load_transform", True),
            commands=options.get("commands", True),
            saves=options.get("saves", True),
            continue_on_command_error=options.get("continue_on_command_error", False),
            continue_on_save_error=options.get("continue_on_save_error", False),
            context=said,
        )
    except Exception as exc:
        err.write(f"Pipeline failed with an unexpected error: {type(exc).__name__}: {exc}\n")
        return 1
    finally:
        package_logger.removeHandler(printed)
        package_logger.propagate = propagate
    for warning in result.warnings:
        printed.write(warning)
    if not result.success:
        where = (
            f" at command index {result.failed_command_index}" if result.phase == "command" else ""
        )
        err.write(f"Pipeline failed during phase '{result.phase}'{where}: {result.message}\n")
        err.write(f"  config: {Path(paths[0]).resolve()}\n")
        if "not found in registry" in result.message and result.message.startswith("Command"):
            err.write(f"  a Python transform? load its file first: {_TRANSFORMS} PATH\n")
        return 1
    out.write("Pipeline succeeded\n")
    out.write(f"Loaded data entries: {len(result.loaded_data)}\n")
    if said.messages:
        out.write("Transformations:\n" + "".join(f"  {m}\n" for m in said.messages))
    out.write(f"Command affected keys: {len(result.command_affected_keys)}\n")
    out.write(f"Saved outputs: {len(result.saved_paths)}\n")
    for path in result.saved_paths:
        out.write(f"  {path}\n")
    return 0
