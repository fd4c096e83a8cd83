"""Parse a WhiskerToolbox JSON config into a flat list of resolved items (no data loaded).

Accepted layouts
----------------
* list form: ``[{"data_type": ..., "name": ..., "filepath": ...}, ...]``;
* object form::

      {
        "variables": {"SESSION": "mouse1/day3"},          # ${SESSION}, then environment
        "clocks":    [{"name": "camera", "format": "uint16", "filepath": "ttl.bin", "channel": 2}],
        "loops":     [{"variable": "WHISKER", "values": ["w0", "w1"],
                       "data": [{"data_type": "line", "name": "${WHISKER}",
                                 "filepath": "${SESSION}/${WHISKER}.csv"}]}],
        "data":      [ ...items... ],
        "python":    "print(dm.keys())"                   # or a list of lines, or {"file": "x.py"}
      }

  ``clocks`` items are ``data_type: "time"`` items (the data type may be omitted); a dict
  ``{"camera": {...}}`` is accepted too. Each ``loops`` entry repeats its ``data`` items once
  per value with ``${variable}`` bound to that value (``values`` may also be a
  ``{"start": a, "stop": b}`` integer range, stop exclusive). Sessions written by this package
  add ``groups`` and ``metadata`` blocks.

Every string in an item may use ``${NAME}``; unknown names fall back to environment
variables and otherwise raise :class:`FormatError` naming the item.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import FormatError

__all__ = ["ConfigItem", "ParsedConfig", "parse_config", "read_json"]

_VAR = re.compile(r"\$\{([^}]*)\}")
_KNOWN_TOP = {"variables", "loops", "clocks", "data", "python", "groups", "metadata", "version"}
_RESERVED = {"data_type", "name", "filepath", "format", "clock", "color"}


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


@dataclass
class ParsedConfig:
    """Items of a config in load order (clocks first), plus the raw extra blocks."""

    path: Path
    clocks: list[ConfigItem] = field(default_factory=list)
    data: list[ConfigItem] = field(default_factory=list)
    python: dict[str, Any] | None = None
    groups: dict[str, list[int]] | None = None
    metadata: dict[str, Any] | None = None


def read_json(path: str | os.PathLike[str]) -> Any:
    """Load a JSON file; syntax errors name the file, line and column."""
    p = Path(path)
    if not p.is_file():
        raise FormatError("expected a JSON config file, the path does not exist", path=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the JSON config ({exc})", path=p) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"invalid JSON at column {exc.colno}: {exc.msg}", path=p, line=exc.lineno
        ) from None


def parse_config(path: str | os.PathLike[str]) -> ParsedConfig:
    """Read and resolve a config: variables, loops, relative paths and globs."""
    p = Path(path).resolve()
    doc = read_json(p)
    parsed = ParsedConfig(path=p)
    base = p.parent
    if isinstance(doc, list):
        parsed.data = [_resolve(it, f"[{i}]", {}, base, p) for i, it in enumerate(doc)]
        _split_time_items(parsed)
        return parsed
    if not isinstance(doc, dict):
        raise FormatError(
            f"expected a list of items or an object with 'data', found {type(doc).__name__}",
            path=p,
        )
    unknown = set(doc) - _KNOWN_TOP
    if unknown:
        raise FormatError(
            f"unknown top-level keys {sorted(unknown)}; expected some of {sorted(_KNOWN_TOP)}",
            path=p,
        )
    variables = doc.get("variables", {})
    if not isinstance(variables, dict):
        raise FormatError("expected 'variables' to be an object of name: value", path=p)
    variables = {str(k): str(v) for k, v in variables.items()}
    clocks = doc.get("clocks", [])
    if isinstance(clocks, dict):
        clocks = [{"name": name, **spec} for name, spec in clocks.items()]
    if not isinstance(clocks, list):
        raise FormatError("expected 'clocks' to be a list of clock items", path=p)
    for i, item in enumerate(clocks):
        if isinstance(item, dict):
            item = {"data_type": "time", **item}
        parsed.clocks.append(_resolve(item, f"clocks[{i}]", variables, base, p))
    data = doc.get("data", [])
    if not isinstance(data, list):
        raise FormatError("expected 'data' to be a list of items", path=p)
    parsed.data = [_resolve(it, f"data[{i}]", variables, base, p) for i, it in enumerate(data)]
    parsed.data += _expand_loops(doc.get("loops", []), variables, base, p)
    _split_time_items(parsed)
    if "python" in doc:
        parsed.python = _parse_python(doc["python"], base, p)
    if "groups" in doc:
        parsed.groups = _parse_groups(doc["groups"], p)
    if "metadata" in doc:
        if not isinstance(doc["metadata"], dict):
            raise FormatError("expected 'metadata' to be an object", path=p)
        parsed.metadata = doc["metadata"]
    return parsed


def _split_time_items(parsed: ParsedConfig) -> None:
    """Move ``data_type: "time"`` items of ``data`` to the clocks list (they load first)."""
    parsed.clocks += [it for it in parsed.data if it.data_type == "time"]
    parsed.data = [it for it in parsed.data if it.data_type != "time"]


def _expand_loops(
    loops: Any, variables: dict[str, str], base: Path, path: Path
) -> list[ConfigItem]:
    if not isinstance(loops, list):
        raise FormatError("expected 'loops' to be a list", path=path)
    items = []
    for i, loop in enumerate(loops):
        where = f"loops[{i}]"
        if not isinstance(loop, dict) or "variable" not in loop or "values" not in loop:
            raise FormatError(
                "expected {'variable': NAME, 'values': [...], 'data': [...]}", path=path, item=where
            )
        values = loop["values"]
        if isinstance(values, dict):
            try:
                values = list(range(int(values["start"]), int(values["stop"])))
            except (KeyError, TypeError, ValueError):
                raise FormatError(
                    "expected 'values' to be a list or {'start': int, 'stop': int}",
                    path=path,
                    item=where,
                ) from None
        body = loop.get("data", loop.get("items"))
        if not isinstance(values, list) or not isinstance(body, list):
            raise FormatError("expected 'values' and 'data' to be lists", path=path, item=where)
        for value in values:
            scope = {**variables, str(loop["variable"]): str(value)}
            for j, raw in enumerate(body):
                items.append(_resolve(raw, f"{where}.data[{j}] ({value})", scope, base, path))
    return items


def _substitute(value: Any, variables: dict[str, str], path: Path, where: str) -> Any:
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return variables[name]
            if name in os.environ:
                return os.environ[name]
            raise FormatError(
                f"variable ${{{name}}} is not defined in 'variables' nor in the environment",
                path=path,
                item=where,
            )

        return _VAR.sub(lookup, value)
    if isinstance(value, list):
        return [_substitute(v, variables, path, where) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables, path, where) for k, v in value.items()}
    return value


def _resolve(raw: Any, where: str, variables: dict[str, str], base: Path, path: Path) -> ConfigItem:
    if not isinstance(raw, dict):
        raise FormatError(f"expected an object, found {type(raw).__name__}", path=path, item=where)
    raw_name = raw.get("name")
    item = _substitute(raw, variables, path, f"{where} '{raw_name}'" if raw_name else where)
    name = item.get("name")
    label = f"{where} '{name}'" if name else where
    for key in ("data_type", "name"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise FormatError(f"expected a non-empty string '{key}'", path=path, item=label)
    file_path = None
    filepath = item.get("filepath", item.get("parent_dir"))
    if filepath is not None:
        if not isinstance(filepath, str):
            raise FormatError("expected 'filepath' to be a string", path=path, item=label)
        file_path = _resolve_path(filepath, base, path, label)
    options = {k: v for k, v in item.items() if k not in _RESERVED and k != "parent_dir"}
    fmt = item.get("format")
    clock = item.get("clock")
    return ConfigItem(
        label=label,
        data_type=item["data_type"],
        name=item["name"],
        format=None if fmt is None else str(fmt),
        path=file_path,
        clock=None if clock is None else str(clock),
        color=item.get("color"),
        options=options,
        raw=item,
    )


def _resolve_path(filepath: str, base: Path, config: Path, label: str) -> Path:
    candidate = Path(os.path.expanduser(filepath))
    if not candidate.is_absolute():
        candidate = base / candidate
    candidate = Path(os.path.normpath(candidate))
    if glob.has_magic(str(candidate)):
        matches = sorted(glob.glob(str(candidate)))
        if not matches:
            raise FormatError(
                f"expected the pattern {filepath!r} to match a file, it matches nothing",
                path=config,
                item=label,
            )
        return Path(matches[0])
    return candidate


def _parse_python(block: Any, base: Path, path: Path) -> dict[str, Any]:
    if isinstance(block, list) and all(isinstance(s, str) for s in block):
        return {"code": "\n".join(block), "file": None}
    if isinstance(block, str):
        return {"code": block, "file": None}
    if isinstance(block, dict) and isinstance(block.get("file"), str):
        file = Path(block["file"])
        file = file if file.is_absolute() else base / file
        return {"code": None, "file": str(file)}
    raise FormatError(
        "expected 'python' to be code (string or list of lines) or {'file': 'script.py'}",
        path=path,
        item="python",
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
