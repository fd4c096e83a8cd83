"""Parse a WhiskerToolbox JSON config into a flat list of resolved items (no data loaded).

Accepted layouts
----------------
* list form: ``[{"data_type": ..., "name": ..., "filepath": ...}, ...]``;
* object form::

      {
        "variables": {"SESSION": "mouse1/day3"},          # ${SESSION}, then environment
        "clocks":    ["master", "time"],                  # forward-declared clock names
        "loops":     {"w": ["w0", "w1"], "i": {"from": 0, "to": 3, "step": 1}},
        "data":      [{"data_type": "line", "name": "whisker_{w}",
                       "filepath": "${SESSION}/{w}.csv"}, ...],
        "python":    {"venv_path": "~/.virtualenvs/analysis",      # WhiskerToolbox's
                      "prepend_sys_paths": ["lib"],               # environment block
                      "required_imports": ["scipy"],
                      "fail_on_missing_imports": true},
        "python_code": "print(dm.keys())"   # ours: code, a list of lines or {"file": "x.py"}
      }

  ``python`` (WhiskerToolbox): the Python environment data loading needs, applied before
  any item loads (:class:`PythonEnvironment`). ``python_code`` (this package's own key):
  code run after the data loaded, only when the caller explicitly allows it
  (``load_config(..., allow_python=True)``); by default it is only reported.

  ``clocks`` (WhiskerToolbox): names of clocks that later ``data_type: "time"`` items must
  populate (loading fails if one never gets values). As an extension an entry may also be a
  full clock item ``{"name": "camera", "format": "uint16", ...}`` (``data_type`` implied), and
  ``clocks`` may be a dict ``{"camera": {...}}``; such items load before ``data``. ``loops`` follows WhiskerToolbox
  (``JsonDataLoadExpansion``): each loop name maps to a list of values or an inclusive
  ``{"from", "to", "step"?}`` integer range; a ``data`` item whose strings contain
  ``{name}`` is repeated once per value of that loop (an item may use only one loop),
  items without placeholders are kept once. Loops expand before ``${...}`` substitution.
  WhiskerToolbox ``{"transformations": ...}`` elements of ``data`` and a root
  ``transformations`` block (JSON pipeline-runner configs, appended last as the runner
  does) are collected in :attr:`ParsedConfig.transformations`, ``${NAME}`` filled where
  known (the block's own ``metadata.variables`` fill the rest); ``load_config`` runs them.
  The runner's ``commands`` and ``saves`` are accepted and kept in
  :attr:`ParsedConfig.runner_phases` (``napari-whiskertoolbox pipeline`` runs them).
  Sessions written by this package add ``groups`` and ``metadata`` blocks, and
  ``auto_removed_clocks``: the clocks a transform made for its output, which go with the
  last key bound to them (``DataManager.set_time(auto_remove=True)``).

In the object form every string of a ``data`` item, object keys included, may use
``${NAME}``; unknown names fall back to environment variables and otherwise raise
:class:`FormatError` naming the item (a non-string value in ``variables`` is ignored, as
WhiskerToolbox ignores it). As in WhiskerToolbox, the list form and the ``clocks`` names get
no substitution.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import re
    from collections.abc import Mapping

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.io.csv_tools import read_text
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import LoadNote, NoteKind, RowSkips
from napari_whiskertoolbox.io.session_paths import (
    ABSOLUTE_KEY,
    SAVED_IN_KEY,
    anchored,
    find_reference,
    inferred_saved_in,
    moved_candidate,
    rebase_metadata,
    rebase_options,
)
from napari_whiskertoolbox.io.substitution import (
    VARIABLE,
    fill_known_variables,
    fill_loop,
    loop_placeholders,
)

__all__ = [
    "ConfigItem",
    "ParsedConfig",
    "PythonEnvironment",
    "config_root_problem",
    "make_item",
    "parse_config",
    "read_json",
    "unknown_python_keys",
]

_KNOWN_TOP = {
    "variables",
    "loops",
    "clocks",
    "data",
    "python",
    "python_code",
    "groups",
    "metadata",
    "version",
    "auto_removed_clocks",
    SAVED_IN_KEY,
}
_PYTHON_ENVIRONMENT_KEYS = (
    "venv_path",
    "prepend_sys_paths",
    "required_imports",
    "fail_on_missing_imports",
)
_RUNNER_TOP = ("transformations", "commands", "saves")  # JSON pipeline-runner root keys
_RESERVED = {"data_type", "name", "filepath", ABSOLUTE_KEY, "format", "clock", "color"}


@dataclass
class ConfigItem:
    """One resolved config entry.

    Attributes
    ----------
    label : str
        Where the item came from, e.g. ``"data[2] 'whisker'"`` (used in error messages).
    data_type, name, format : str
    path : Path or None
        Absolute path (globs resolved), ``None`` when the item has no ``filepath``.
    clock : str or None
        Clock the loaded key is bound to.
    color : str or None
    options : dict
        All other keys (format options).
    raw : dict
        The item after variable substitution, as written (relative filepath kept).
    notes : list of LoadNote
        What its reader wants the user to know (rows skipped, options ignored); collected
        into the :class:`~.report.LoadReport` of the load.
    """

    label: str
    data_type: str
    name: str
    format: str | None
    path: Path | None
    clock: str | None
    color: str | None
    options: dict[str, Any]
    raw: dict[str, Any]
    notes: list[LoadNote] = field(default_factory=list)

    def note(
        self,
        kind: NoteKind,
        message: str,
        *,
        count: int = 0,
        lines: tuple[int, ...] = (),
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        """Record a :class:`~.report.LoadNote` about this item."""
        self.notes.append(
            LoadNote(self.label, kind, message, count, lines, None if path is None else str(path))
        )

    def note_skips(self, skips: RowSkips, path: str | os.PathLike[str] | None) -> None:
        """Record one ``skipped`` note per reason in ``skips``."""
        self.notes.extend(skips.notes(self.label, path))


def make_item(
    data_type: str,
    path: str | os.PathLike[str] | None,
    *,
    name: str | None = None,
    format: str | None = None,
    clock: str | None = None,
    color: str | None = None,
    **options: Any,
) -> ConfigItem:
    """Build a :class:`ConfigItem` for one file, as a config entry would describe it.

    This is the entry point for opening a single WhiskerToolbox data file without a config:
    ``read_item(make_item("line", "whiskers.csv", height=480, width=640))`` returns
    ``[(key, LineData)]`` exactly as a config entry with those fields would.

    Parameters
    ----------
    data_type : str
        A config ``data_type`` (``points``, ``line``, ``mask``, ``analog``, ...).
    path : path-like or None
        The file or folder (``None`` for derived clocks).
    name : str, optional
        Key of the result (default: the file's stem).
    format : str, optional
        The config ``format`` (default: the data type's default).
    clock, color : str, optional
        As in a config entry.
    **options
        Format options (see :mod:`.option_table`).
    """
    file_path = None if path is None else Path(path).resolve()
    key = name or (file_path.stem if file_path is not None else data_type)
    raw: dict[str, Any] = {"data_type": data_type, "name": key, **options}
    if file_path is not None:
        raw["filepath"] = str(file_path)
    if format is not None:
        raw["format"] = format
    return ConfigItem(
        label=f"'{key}'",
        data_type=data_type,
        name=key,
        format=format,
        path=file_path,
        clock=clock,
        color=color,
        options=dict(options),
        raw=raw,
    )


@dataclass(frozen=True)
class PythonEnvironment:
    """A config's ``python`` block: the Python environment its data loading needs.

    WhiskerToolbox's meaning: before any item loads, activate ``venv_path``, put
    ``prepend_sys_paths`` first on :data:`sys.path` (in their order), then check that each
    of ``required_imports`` can be imported. With ``fail_on_missing_imports`` (the
    default) a missing module stops the load with nothing loaded; otherwise missing
    modules are reported and loading goes on.

    Attributes
    ----------
    venv_path : Path or None
        Environment to activate (``~`` expanded; a relative path is taken relative to the
        config's folder).
    prepend_sys_paths : tuple of Path
        Folders for :data:`sys.path`, relative ones resolved against the config's folder.
    required_imports : tuple of str
        Module names (dotted names allowed).
    fail_on_missing_imports : bool
        Whether a missing module is an error (default True).
    """

    venv_path: Path | None = None
    prepend_sys_paths: tuple[Path, ...] = ()
    required_imports: tuple[str, ...] = ()
    fail_on_missing_imports: bool = True

    @classmethod
    def from_mapping(
        cls, block: Mapping[str, Any], base_dir: str | os.PathLike[str] | None = None
    ) -> PythonEnvironment:
        """Read a ``python`` block; relative paths are taken relative to ``base_dir``.

        ``base_dir`` defaults to the current working directory. Keys other than the four
        above are ignored, as WhiskerToolbox does.

        Raises
        ------
        ValueError
            If the block is not an object, or a key has the wrong type (the message names
            the key and what was expected).
        """
        if not isinstance(block, dict):
            raise ValueError(
                "expected 'python' to be an object with some of "
                f"{', '.join(_PYTHON_ENVIRONMENT_KEYS)}; code to run goes under 'python_code'"
            )
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        for legacy in ("code", "file", "python_code"):
            if legacy in block:
                raise ValueError(
                    f"'python.{legacy}' is not part of WhiskerToolbox's environment block; "
                    "code to run goes under the top-level key 'python_code'"
                )
        venv = block.get("venv_path")
        if venv is not None and not isinstance(venv, str):
            raise ValueError(f"python.venv_path must be a string, got {type(venv).__name__}")
        paths = _string_list(block, "prepend_sys_paths")
        imports = _string_list(block, "required_imports")
        fail = block.get("fail_on_missing_imports", True)
        if not isinstance(fail, bool):
            raise ValueError(f"python.fail_on_missing_imports must be true or false, got {fail!r}")
        return cls(
            venv_path=anchored(venv, base) if venv and venv.strip() else None,
            prepend_sys_paths=tuple(anchored(path, base) for path in paths),
            required_imports=tuple(name.strip() for name in imports if name.strip()),
            fail_on_missing_imports=fail,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the block as JSON values (paths as strings), for metadata."""
        return {
            "venv_path": None if self.venv_path is None else str(self.venv_path),
            "prepend_sys_paths": [str(path) for path in self.prepend_sys_paths],
            "required_imports": list(self.required_imports),
            "fail_on_missing_imports": self.fail_on_missing_imports,
        }


def unknown_python_keys(block: Mapping[str, Any]) -> list[str]:
    """Return the keys of a ``python`` block that are none of the four it knows, sorted.

    WhiskerToolbox ignores them; a misspelt key (``prepend_sys_path``) then silently does
    nothing, so the loader reports each one.
    """
    return sorted(str(key) for key in block if key not in _PYTHON_ENVIRONMENT_KEYS)


def _string_list(block: Mapping[str, Any], key: str) -> list[str]:
    value = block.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"python.{key} must be a list of strings, got {value!r}")
    return value


@dataclass
class ParsedConfig:
    """Items of a config in load order, plus the raw extra blocks.

    ``clocks`` holds clock items given in the ``clocks`` block (loaded first); ``data``
    holds every other item in file order (``time`` items included, loaded in place);
    ``declared_clocks`` the clock names forward-declared in ``clocks``.
    """

    path: Path
    clocks: list[ConfigItem] = field(default_factory=list)
    declared_clocks: list[str] = field(default_factory=list)
    data: list[ConfigItem] = field(default_factory=list)
    python: PythonEnvironment | None = None
    python_code: dict[str, Any] | None = None
    groups: dict[str, list[int]] | None = None
    metadata: dict[str, Any] | None = None
    auto_removed_clocks: list[str] = field(default_factory=list)
    transformations: list[dict[str, Any]] = field(default_factory=list)
    runner_phases: dict[str, Any] = field(default_factory=dict)
    notes: list[LoadNote] = field(default_factory=list)

    def note(self, kind: NoteKind, message: str, count: int = 0) -> None:
        """Record a note about the config as a whole (``count``: items it concerns)."""
        self.notes.append(LoadNote("(config)", kind, message, count, path=str(self.path)))


def read_json(path: str | os.PathLike[str]) -> Any:
    """Load a JSON file; syntax errors name the file, line and column."""
    p = Path(path)
    if p.is_dir():
        held = ", ".join(sorted(entry.name for entry in p.glob("*.json")))
        raise FormatError(
            "expected a JSON config file, this is a folder"
            + (f" (it holds {held}: give one of them)" if held else ""),
            path=p,
        )
    if not p.is_file():
        raise FormatError("expected a JSON config file, the path does not exist", path=p)
    text = read_text(p)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        comma = _trailing_comma(exc)
        if comma is not None:
            line, column = comma
            raise FormatError(
                f"invalid JSON at column {column}: a comma after the last entry (JSON allows "
                "none before ']' or '}'); remove it",
                path=p,
                line=line,
            ) from None
        raise FormatError(
            f"invalid JSON at column {exc.colno}: {exc.msg}", path=p, line=exc.lineno
        ) from None


def _trailing_comma(exc: json.JSONDecodeError) -> tuple[int, int] | None:
    """Return the line and column of the comma ``exc`` is about, if it is a trailing comma.

    Python's parser reports the ``]`` or ``}`` after it ("Expecting value"), often lines below.
    """
    text, pos = exc.doc, exc.pos
    if pos >= len(text) or text[pos] not in "]}":
        return None
    before = text[:pos].rstrip()
    if not before.endswith(","):
        return None
    comma = len(before) - 1
    line = text.count("\n", 0, comma) + 1
    return line, comma - (text.rfind("\n", 0, comma) + 1) + 1


def config_root_problem(document: Any) -> str:
    """Say why ``document`` (a JSON file's content) is no WhiskerToolbox config ("" if it is one).

    A config is a list of items or an object with a ``data`` list (``wt_loaders.md`` §1.1:
    WhiskerToolbox does not recognise an object without one, so it is a config error, not
    an empty session), or an object declaring only ``clocks``, which WhiskerToolbox
    honours without ``data``. The items themselves are not checked.
    """
    if isinstance(document, list):
        return ""
    if not isinstance(document, dict):
        return f"expected a list of items or an object with a 'data' list, found {type(document).__name__}"
    if isinstance(document.get("data"), list) or ("data" not in document and "clocks" in document):
        return ""
    found = f"top-level keys {sorted(document)}" if document else "an empty object"
    if "data" in document:
        return f"expected 'data' to be a list of items, found {type(document['data']).__name__}"
    runner = sorted(set(document) & set(_RUNNER_TOP))
    hint = (
        f"; its {', '.join(repr(k) for k in runner)} make it a pipeline-runner config: run it "
        "with `napari-whiskertoolbox pipeline` or as a batch task, not as a session"
        if runner
        else ""
    )
    return (
        "not a WhiskerToolbox config: missing the top-level key 'data' (the list of items "
        f"to load); found {found}{hint}"
    )


def parse_config(path: str | os.PathLike[str], document: Any = None) -> ParsedConfig:
    """Read and resolve a config: variables, loops, relative paths and globs.

    ``document``: the file's JSON content when already read (a session checked by
    :func:`~.session.session_open_problem`), else it is read here.
    """
    p = Path(path).resolve()
    doc = read_json(p) if document is None else document
    parsed = ParsedConfig(path=p)
    base = p.parent
    place = _session_place(doc, base)
    saved_in = None if place is None else place.saved_in
    if saved_in is not None:
        doc = _with_moved_paths(doc, saved_in, base)
    if isinstance(doc, list):
        # WhiskerToolbox's legacy list form gets no ${...} substitution (wt_loaders.md §1.3):
        # the text is used as written, so ${HOME} in a path is a missing file.
        for i, it in enumerate(doc):
            if isinstance(it, dict) and "transformations" in it:
                parsed.transformations.append(it)
            else:
                parsed.data.append(_resolve(it, f"[{i}]", None, base, p))
        return parsed
    problem = config_root_problem(doc)
    if problem:
        raise FormatError(problem, path=p)
    for key in sorted(set(doc) - _KNOWN_TOP):
        if key in ("commands", "saves"):
            parsed.note(
                "info",
                f"top-level {key!r} belongs to WhiskerToolbox's pipeline runner and is not run "
                "when loading (`napari-whiskertoolbox pipeline` runs it; see "
                "dm.metadata['config_runner_phases'])",
            )
        elif key not in _RUNNER_TOP:
            parsed.note(
                "unknown_option",
                f"unknown top-level key {key!r} is ignored; known: "
                f"{sorted(_KNOWN_TOP | set(_RUNNER_TOP))}",
            )
    variables = doc.get("variables", {})
    if not isinstance(variables, dict):
        raise FormatError("expected 'variables' to be an object of name: value", path=p)
    ignored = {str(k): v for k, v in variables.items() if not isinstance(v, str)}
    variables = {str(k): v for k, v in variables.items() if isinstance(v, str)}
    clocks = doc.get("clocks", [])
    if isinstance(clocks, dict):
        clocks = [{"name": name, **spec} for name, spec in clocks.items()]
    if not isinstance(clocks, list):
        raise FormatError("expected 'clocks' to be a list of clock items", path=p)
    for i, item in enumerate(clocks):
        if isinstance(item, str) and item:
            # as written: WhiskerToolbox substitutes ${...} in 'data' only (§1.3)
            parsed.declared_clocks.append(item)
            continue
        if not isinstance(item, dict):
            raise FormatError(
                f"expected a clock name (a non-empty string), found {json.dumps(item)}",
                path=p,
                item=f"clocks[{i}]",
            )
        item = {"data_type": "time", **item}
        parsed.clocks.append(_resolve(item, f"clocks[{i}]", variables, base, p, place=place))
    data = doc.get("data", [])  # a config of clocks only (config_root_problem)
    loops, bad_loops = _parse_loops(doc.get("loops", {}), p)
    used_loops: set[str] = set()
    for i, raw in enumerate(data):
        if isinstance(raw, dict) and "transformations" in raw:
            parsed.transformations.append(fill_known_variables(raw, variables))
            continue
        expanded = _expand_item(raw, f"data[{i}]", loops, bad_loops, p, used_loops)
        if not expanded:
            parsed.note(
                "skipped",
                f"data[{i}] uses loop {sorted(loop_placeholders(raw))[0]!r}, which has no value: "
                "the item is not loaded (as in WhiskerToolbox)",
                count=1,
            )
        for where, item in expanded:
            parsed.data.append(_resolve(item, where, variables, base, p, ignored, place))
    for name in sorted(bad_loops.keys() - used_loops):
        parsed.note(
            "info",
            f"loop {name!r} is dropped: {bad_loops[name]} (no item uses it; WhiskerToolbox "
            "drops an invalid loop too)",
        )
    if "transformations" in doc:
        parsed.transformations.append(
            fill_known_variables({"transformations": doc["transformations"]}, variables)
        )
    parsed.runner_phases = {k: doc[k] for k in ("commands", "saves") if k in doc}
    if "python" in doc:
        try:
            parsed.python = PythonEnvironment.from_mapping(doc["python"], base)
        except ValueError as exc:
            raise FormatError(str(exc), path=p, item="python") from None
        for key in unknown_python_keys(doc["python"]):
            parsed.note(
                "unknown_option",
                f"python.{key} is not a key of the python block and is ignored, as "
                f"WhiskerToolbox ignores it{did_you_mean(key, _PYTHON_ENVIRONMENT_KEYS)}; "
                f"known: {', '.join(_PYTHON_ENVIRONMENT_KEYS)}",
            )
    if "python_code" in doc:
        parsed.python_code = _parse_python_code(doc["python_code"], base, p)
    if "groups" in doc:
        parsed.groups = _parse_groups(doc["groups"], p)
    if "metadata" in doc:
        if not isinstance(doc["metadata"], dict):
            raise FormatError("expected 'metadata' to be an object", path=p)
        parsed.metadata = rebase_metadata(doc["metadata"], saved_in, base)
    if "auto_removed_clocks" in doc:
        names = doc["auto_removed_clocks"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise FormatError("expected 'auto_removed_clocks' to be a list of clock names", path=p)
        parsed.auto_removed_clocks = list(names)
    return parsed


def _parse_loops(loops: Any, path: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Return the loops' values, and for each invalid loop why it is invalid.

    WhiskerToolbox drops an invalid loop definition (and so every item using it): an item
    using one fails here (see :func:`_expand_item`), an unused one is only reported.
    """
    if not isinstance(loops, dict):
        raise FormatError(
            "expected 'loops' to map loop names to a list of values or "
            "{'from': int, 'to': int, 'step': int}",
            path=path,
            item="loops",
        )
    out: dict[str, list[str]] = {}
    bad: dict[str, str] = {}
    for name, spec in loops.items():
        if isinstance(spec, list) and all(isinstance(v, (str, int)) for v in spec):
            out[name] = [_loop_value(v) for v in spec]
        elif isinstance(spec, dict):
            bounds = [spec.get("from"), spec.get("to"), spec.get("step", 1)]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in bounds):
                bad[name] = "expected {'from': int, 'to': int, 'step': int (optional)}"
                continue
            start, stop, step = bounds
            if step == 0:
                bad[name] = "expected a non-zero 'step'"
                continue
            out[name] = [str(v) for v in range(start, stop + (1 if step > 0 else -1), step)]
            if not out[name]:
                del out[name]
                bad[name] = f"the range from {start} to {stop} with step {step} is empty"
        else:
            bad[name] = (
                "expected a list of strings, integers or booleans (no floats), or "
                "{'from': int, 'to': int, 'step': int}"
            )
    return out, bad


def _loop_value(value: str | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _expand_item(
    raw: Any,
    where: str,
    loops: dict[str, list[str]],
    bad_loops: dict[str, str],
    path: Path,
    used_loops: set[str],
) -> list[tuple[str, Any]]:
    """Repeat ``raw`` once per value of the single loop its strings reference.

    The names of the loops ``raw`` references are added to ``used_loops``.
    """
    used = loop_placeholders(raw) if loops or bad_loops else set()
    if not used:
        return [(where, raw)]
    used_loops.update(used)
    invalid = sorted(used & bad_loops.keys())
    if invalid:
        raise FormatError(bad_loops[invalid[0]], path=path, item=f"loops.{invalid[0]}")
    unknown = sorted(used - loops.keys())
    if unknown:
        raise FormatError(
            f"placeholder {{{unknown[0]}}} names no loop; defined loops: {sorted(loops)}",
            path=path,
            item=where,
        )
    if len(used) > 1:
        raise FormatError(
            f"an item may use one loop variable, found {sorted(used)}", path=path, item=where
        )
    (name,) = used
    return [(f"{where} ({name}={v})", fill_loop(raw, name, v)) for v in loops[name]]


def _substitute(
    value: Any,
    variables: dict[str, str],
    path: Path,
    where: str,
    ignored: Mapping[str, Any] | None = None,
) -> Any:
    """Fill ``${NAME}`` in every string and object key of ``value``.

    ``ignored`` holds the non-string ``variables`` (WhiskerToolbox ignores them), named in
    the error when one is used and the environment does not define it either.
    """
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            # WhiskerToolbox writes every backslash of a resolved value as "/".
            if name in variables:
                return variables[name].replace("\\", "/")
            if name in os.environ:
                return os.environ[name].replace("\\", "/")
            if ignored is not None and name in ignored:
                raise FormatError(
                    f"variable ${{{name}}} is {json.dumps(ignored[name])} in 'variables', not a "
                    f"string, and is ignored as WhiskerToolbox ignores it; write it as a string "
                    f'("{ignored[name]}")',
                    path=path,
                    item=where,
                )
            raise FormatError(
                f"variable ${{{name}}} is not defined in 'variables' nor in the environment",
                path=path,
                item=where,
            )

        return VARIABLE.sub(lookup, value)
    if isinstance(value, list):
        return [_substitute(v, variables, path, where, ignored) for v in value]
    if isinstance(value, dict):
        # keys too: WhiskerToolbox substitutes the text of the whole data array
        return {
            _substitute(k, variables, path, where, ignored): _substitute(
                v, variables, path, where, ignored
            )
            for k, v in value.items()
        }
    return value


def _resolve(
    raw: Any,
    where: str,
    variables: dict[str, str] | None,
    base: Path,
    path: Path,
    ignored: Mapping[str, Any] | None = None,
    place: _SessionPlace | None = None,
) -> ConfigItem:
    """Make a :class:`ConfigItem` of ``raw``; ``variables`` None: no ``${...}`` substitution.

    ``place``: where the session ``raw`` belongs to was saved (``None``: not a session).
    """
    if not isinstance(raw, dict):
        raise FormatError(f"expected an object, found {type(raw).__name__}", path=path, item=where)
    raw_name = raw.get("name")
    label = f"{where} '{raw_name}'" if raw_name else where
    item = raw if variables is None else _substitute(raw, variables, path, label, ignored)
    name = item.get("name")
    label = f"{where} '{name}'" if name else where
    for key in ("data_type", "name"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise FormatError(f"expected a non-empty string '{key}'", path=path, item=label)
    file_path = None
    fallback = False
    filepath = item.get("filepath", item.get("parent_dir", item.get("directory_path")))
    if filepath is not None:
        if not isinstance(filepath, str):
            raise FormatError("expected 'filepath' to be a string", path=path, item=label)
        absolute = item.get(ABSOLUTE_KEY)
        if isinstance(absolute, str) and absolute:
            file_path, fallback = _resolve_session_reference(filepath, absolute, base, path, label)
        else:
            file_path = _resolve_path(filepath, base, path, label)
            if _untraced(place, filepath, file_path):
                raise _untraced_error(file_path, path, label)
    options = {
        k: v
        for k, v in item.items()
        if k not in _RESERVED and k not in ("parent_dir", "directory_path")
    }
    option_fallbacks: list[tuple[str, Path]] = []
    if place is not None and place.saved_in is not None:
        rebased = rebase_options(options, place.saved_in, base)
        if rebased.missing:
            key, tried = rebased.missing[0]
            raise _missing_error(tried, path, f"{label} option {key!r}", f"{key!r} option")
        options, option_fallbacks = rebased.options, rebased.fallbacks
    fmt = item.get("format")
    clock = item.get("clock")
    resolved = ConfigItem(
        label=label,
        data_type=item["data_type"],
        name=item["name"],
        format=None if fmt is None else str(fmt),
        path=file_path,
        clock=clock if isinstance(clock, str) else None,
        color=item.get("color"),
        options=options,
        raw=item,
    )
    if filepath is not None and fallback:
        resolved.note(
            "info",
            f"{item['name']!r}: not found at {filepath!r} relative to the session folder; "
            f"opened {str(file_path)!r}, where it was when the session was saved",
        )
    for key, found in option_fallbacks:
        resolved.note(
            "info",
            f"{item['name']!r}: option {key!r} not found in the moved session's tree; "
            f"read {str(found)!r}, where it was when the session was saved",
        )
    if clock is not None and not isinstance(clock, str):
        # WhiskerToolbox reads 'clock' only when it is a string and ignores any other value
        # (wt_loaders.md §1.6): the data stay on the default clock 'time'.
        resolved.note(
            "unknown_option",
            f"option 'clock' is {json.dumps(clock)}, not a clock name (a string), and is "
            "ignored as WhiskerToolbox ignores it: the data stay on clock 'time'",
        )
    elif clock == "":
        resolved.note(
            "unknown_option",
            "option 'clock' is empty and names no clock: the data stay on clock 'time' "
            "(WhiskerToolbox also leaves them there, and aborts the rest of its load)",
        )
    return resolved


@dataclass(frozen=True)
class _SessionPlace:
    """Where a session document's folder was saved (``saved_in``, ``None``: unknown)."""

    saved_in: str | None


def _session_place(doc: Any, base: Path) -> _SessionPlace | None:
    """Return where a session document was saved (``None``: the document is no session)."""
    if not isinstance(doc, dict) or "version" not in doc or not isinstance(doc.get("data"), list):
        return None
    saved_in = doc.get(SAVED_IN_KEY)
    if isinstance(saved_in, str) and saved_in:
        return _SessionPlace(saved_in)
    return _SessionPlace(inferred_saved_in(doc, base))


def _with_moved_paths(doc: dict[str, Any], saved_in: str, base: Path) -> dict[str, Any]:
    """Give each absolute-only item path of a moved session its moved counterpart first.

    A session saved before relative paths were written names its video by its absolute path
    alone; moved with its experiment folder, the same file in the moved tree is looked for
    first (then the absolute path), as for a session written now.
    """

    def moved(items: Any) -> Any:
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            filepath = item.get("filepath") if isinstance(item, dict) else None
            if isinstance(filepath, str) and ABSOLUTE_KEY not in item:
                candidate = moved_candidate(filepath, saved_in, base)
                if candidate is not None:
                    item = {**item, "filepath": str(candidate), ABSOLUTE_KEY: filepath}
            out.append(item)
        return out

    return {**doc, "data": moved(doc.get("data")), "clocks": moved(doc.get("clocks", []))}


def _resolve_session_reference(
    filepath: str, absolute: str, base: Path, config: Path, label: str
) -> tuple[Path, bool]:
    """Resolve a session item's path: relative to the session folder first, then absolute.

    Returns the path and whether it is the absolute fallback.

    Raises
    ------
    FormatError
        Neither exists: names the item, both paths and what to do.
    """
    found, tried = find_reference(filepath, absolute, base)
    if found is not None:
        return found, found != tried[0]
    raise _missing_error(tried, config, label, "'filepath'")


def _missing_error(tried: list[Path], config: Path, label: str, field_name: str) -> FormatError:
    """Return the error of a session's file found at none of the paths ``tried``."""
    places = " nor at ".join(repr(str(p)) for p in tried)
    return FormatError(
        f"the file is missing: it is not at {places} (first its place relative to the "
        "session folder, then where it was when the session was saved). Put the file (or "
        "the experiment folder holding it) back at one of those places, or correct its "
        f"{field_name} in {config.name}; or open the experiment's config instead",
        path=config,
        item=label,
    )


def _untraced(place: _SessionPlace | None, filepath: str, found: Path) -> bool:
    """Whether ``found`` is an old session's absolute-only file, gone, not found moved."""
    return (
        place is not None
        and place.saved_in is None
        and os.path.isabs(os.path.expanduser(filepath))
        and not found.exists()
    )


def _untraced_error(found: Path, config: Path, label: str) -> FormatError:
    """Return the error of an old session's absolute-only file that is gone.

    The session records no ``saved_in``, and no folder at or above the session folder
    holds the gone files as they lay below a folder of theirs
    (:func:`~.session_paths.inferred_saved_in`).
    """
    return FormatError(
        f"the file is missing: it is not at {str(found)!r}, the only path this session "
        f"records (it was saved by an older version, without {SAVED_IN_KEY!r}), nor below "
        f"any folder above the session folder {str(config.parent)!r} at the place it had "
        "below one of its old folders. Put the file (or the experiment folder holding it) "
        "back at that path; or move the session folder back beside the experiment's files; "
        f"or correct its 'filepath' in {config.name}; or open the experiment's config "
        "instead. Once it opens, saving it again records paths relative to the session "
        "folder, which are found when it is moved",
        path=config,
        item=label,
    )


def _resolve_path(filepath: str, base: Path, config: Path, label: str) -> Path:
    """Resolve ``filepath`` against the config's folder ``base``.

    A glob pattern gives its first match in sorted order. An existing path is taken as it
    is (``[1]`` in a folder name is a glob character class), and ``base`` is never a pattern.
    """
    expanded = os.path.expanduser(filepath)
    relative = not os.path.isabs(expanded)
    candidate = anchored(filepath, base)
    if candidate.exists():
        return candidate
    if glob.has_magic(expanded):
        pattern = os.path.join(glob.escape(str(base)), expanded) if relative else expanded
        matches = sorted(glob.glob(os.path.normpath(pattern)))
        if not matches:
            raise FormatError(
                f"expected the pattern {filepath!r} to match a file, it matches nothing",
                path=config,
                item=label,
            )
        return Path(matches[0])
    return candidate


def _parse_python_code(block: Any, base: Path, path: Path) -> dict[str, Any]:
    if isinstance(block, list) and all(isinstance(s, str) for s in block):
        return {"code": "\n".join(block), "file": None}
    if isinstance(block, str):
        return {"code": block, "file": None}
    if isinstance(block, dict) and isinstance(block.get("file"), str):
        file = Path(block["file"])
        file = file if file.is_absolute() else base / file
        return {"code": None, "file": str(file)}
    raise FormatError(
        "expected 'python_code' to be code (a string or a list of lines) or {'file': 'script.py'}",
        path=path,
        item="python_code",
    )


def _parse_groups(groups: Any, path: Path) -> dict[str, list[int]]:
    if not isinstance(groups, dict) or not all(
        isinstance(v, list) and all(isinstance(i, int) and i > 0 for i in v)
        for v in groups.values()
    ):
        raise FormatError(
            "expected 'groups' to map group names to lists of positive entity ids",
            path=path,
            item="groups",
        )
    return {str(k): list(v) for k, v in groups.items()}
