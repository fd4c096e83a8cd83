"""Load a WhiskerToolbox JSON config into a DataManager, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.config_parse import ConfigItem, ParsedConfig, parse_config
from napari_whiskertoolbox.io.derived_clocks import DERIVED_CLOCK_FORMATS, derive_clock
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.native import NATIVE_FORMAT
from napari_whiskertoolbox.io.parse_cache import cached_read
from napari_whiskertoolbox.io.registry import item_format, read_item
from napari_whiskertoolbox.io.report import LoadReport

if TYPE_CHECKING:
    import os

__all__ = ["load_config"]


def load_config(
    path: str | os.PathLike[str],
    dm: DataManager | None = None,
    *,
    allow_python: bool = False,
    report: LoadReport | None = None,
) -> DataManager:
    """Load every item of a WhiskerToolbox JSON config, with WhiskerToolbox's values and keys.

    Everything is first loaded into a fresh staging DataManager; only when every item
    loaded does it get copied into ``dm``. On any error ``dm`` is left unchanged.

    What WhiskerToolbox's loader skips (NaN point rows, headers, rows outside the options'
    range, unknown options) is skipped here too and reported: each :class:`~.report.LoadNote`
    is logged at WARNING level on the ``napari_whiskertoolbox.io`` logger, added to
    ``report`` and stored as text in ``dm.metadata["sources"][key]["notes"]``. Where
    WhiskerToolbox drops a whole entry (missing file, unknown format, a failing reader) the
    load fails instead, naming the item — a partial load reported as success is the one
    thing it must not do.

    Parameters
    ----------
    path : path-like
        The JSON config (list form or object form, see :mod:`.config_parse`).
    dm : DataManager, optional
        Where to put the data; a new DataManager when omitted.
    allow_python : bool
        Run the config's ``python`` block (with ``dm`` and ``np`` in scope) after the data
        loaded. By default it is only parsed and reported in
        ``dm.metadata["config_python"]`` — never executed or imported.

    Returns
    -------
    DataManager
        ``dm`` (or the new one). ``dm.metadata["sources"][key]`` records where each key came
        from: ``data_type``, ``format``, ``filepath``, ``options``, ``clock``, ``color``,
        ``item`` (the config item name) and ``config``.

    Raises
    ------
    FormatError
        Bad JSON (line and column), unknown data type or format, missing or malformed
        files, undefined variables or clocks; the message names the file and line or item.
    """
    parsed = parse_config(path)
    report = report if report is not None else LoadReport()
    report.extend(parsed.notes)
    staging = DataManager()
    sources = _load_into(parsed, staging, report)
    if parsed.python is not None:
        _handle_python(parsed, staging, allow_python)
    target = staging if dm is None else dm
    if dm is not None:
        _copy_into(staging, dm, sources)
    _update_metadata(target, parsed, sources, allow_python)
    return target


def _load_into(
    parsed: ParsedConfig, staging: DataManager, report: LoadReport
) -> dict[str, dict[str, Any]]:
    """Load clocks and data in file order, then bind every key to its clock."""
    clocks: dict[str, TimeFrame] = {}
    clock_items: dict[str, str] = {}
    loaded: dict[str, Any] = {}
    bindings: dict[str, tuple[str, ConfigItem]] = {}
    sources: dict[str, dict[str, Any]] = {}
    for item in [*parsed.clocks, *parsed.data]:
        fmt = item_format(item)  # an unknown data_type fails first, as in WhiskerToolbox
        if item.path is not None and fmt != NATIVE_FORMAT and not item.path.exists():
            raise FormatError(
                "expected a file or folder, the path does not exist",
                path=item.path,
                item=item.label,
            )
        if item.data_type not in ("video", "images") and item.format is None:
            item.note(
                "divergence",
                f"no 'format': read as {fmt!r} (WhiskerToolbox skips an entry without a "
                "format: 'no suitable loader found for format: unknown')",
            )
        if item.data_type == "time":
            if item.clock is not None:
                raise FormatError(
                    "a 'time' item defines a clock and cannot carry 'clock' (WhiskerToolbox "
                    "aborts the end of the load on it); remove 'clock'",
                    item=item.label,
                )
            if item.format in DERIVED_CLOCK_FORMATS:
                key_clocks = {k: c for k, (c, _) in bindings.items()}
                produced = [(item.name, derive_clock(item, loaded, clocks, key_clocks))]
            else:
                produced = read_item(item)
            for name, clock in produced:
                if name in clocks:
                    item.note(
                        "info",
                        f"clock {name!r} replaces the one defined by {clock_items[name]} "
                        "(as in WhiskerToolbox; data on it follows the new clock)",
                    )
                clocks[name] = clock
                clock_items[name] = item.label
            report.extend(item.notes)
            continue
        produced = cached_read(item, fmt, read_item)
        for key, obj in produced:
            if key in loaded:
                item.note(
                    "info",
                    f"key {key!r} replaces the object loaded by {sources[key]['item_label']} "
                    "(as in WhiskerToolbox, a later entry with the same key wins)",
                )
            loaded[key] = obj
            bindings[key] = (item.clock or "time", item)
            sources[key] = _source_record(item, parsed.path)
        report.extend(item.notes)
        if item.notes:
            for key, _obj in produced:
                sources[key]["notes"] = [str(n) for n in item.notes]
    if "time" in parsed.declared_clocks and "time" not in clocks:
        raise FormatError(
            "clock 'time' is declared in 'clocks', so a 'data_type': 'time' item named 'time' "
            "must fill it (WhiskerToolbox checks declared clocks before the media fallback)",
            path=parsed.path,
            item="clocks",
        )
    if "time" not in clocks:
        fallback = _media_clock(loaded, bindings)
        if fallback is not None:
            clocks["time"] = fallback
    for name in parsed.declared_clocks:
        if name not in clocks or len(clocks[name]) == 0:
            raise FormatError(
                f"clock {name!r} is declared but never gets values; expected a "
                f"'data_type': 'time' item named {name!r}",
                path=parsed.path,
                item="clocks",
            )
    for _key, (clock_name, item) in bindings.items():
        if clock_name != "time" and clock_name not in clocks:
            raise FormatError(
                f"clock {clock_name!r} is never defined; expected a 'data_type': 'time' item "
                f"named {clock_name!r} (defined: {sorted(clocks) or 'none'})",
                item=item.label,
            )
    for name, clock in clocks.items():
        staging.set_time(name, clock)
    for key, (clock_name, _item) in bindings.items():
        staging.set_data(key, loaded[key], clock_name)
    staging.metadata["_defined_clocks"] = list(clocks)
    return sources


def _media_clock(
    loaded: dict[str, Any], bindings: dict[str, tuple[str, ConfigItem]]
) -> TimeFrame | None:
    """Return WhiskerToolbox's default ``time`` clock, or None without media frames.

    ``0..N-1`` over the frames of key ``media`` if it has frames, else of the longest video,
    else of the longest image stack.
    """
    media = {k: loaded[k] for k, (_, it) in bindings.items() if it.data_type in MEDIA_KINDS}
    if "media" in media and len(media["media"]):
        return TimeFrame.from_count(len(media["media"]))
    for kind in ("video", "images"):
        longest = 0
        for key, obj in media.items():
            if bindings[key][1].data_type == kind:
                longest = max(longest, len(obj))
        if longest:
            return TimeFrame.from_count(longest)
    return None


_DEFAULT_COLORS = {"points": "#0000FF", "line": "0000FF", "mask": "0000FF"}
"""WhiskerToolbox's display colours when an item gives none (note the inconsistent ``#``)."""


def _source_record(item: ConfigItem, config: Path) -> dict[str, Any]:
    return {
        "data_type": item.data_type,
        "format": item_format(item),
        "filepath": None if item.path is None else str(item.path),
        "options": dict(item.options),
        "clock": item.clock or "time",
        "color": item.color if item.color is not None else _DEFAULT_COLORS.get(item.data_type),
        "item": item.name,
        "item_label": item.label,
        "config": str(config),
    }


def _handle_python(parsed: ParsedConfig, staging: DataManager, allow: bool) -> None:
    if not allow:
        return
    block = parsed.python or {}
    code, filename = block.get("code"), block.get("file")
    if code is None and filename is not None:
        try:
            code = Path(filename).read_text(encoding="utf-8")
        except OSError as exc:
            raise FormatError(
                f"cannot read the python file ({exc})", path=filename, item="python"
            ) from exc
    namespace = {"dm": staging, "np": np, "__name__": "__wtb_config__", "__file__": filename}
    try:
        exec(compile(code or "", filename or f"{parsed.path}:python", "exec"), namespace)
    except Exception as exc:
        raise FormatError(
            f"the python block raised {type(exc).__name__}: {exc}", path=parsed.path, item="python"
        ) from exc


def _copy_into(staging: DataManager, dm: DataManager, sources: dict[str, Any]) -> None:
    clocks = staging.metadata.get("_defined_clocks", [])
    with dm.history.group("Load config"):
        for name in clocks:
            dm.set_time(name, staging.get_time(name))
        for key in list(staging):  # a copy: keys leave staging as they move
            obj = staging.get_data(key)
            clock = staging.time_key(key)
            staging.delete_data(key)
            dm.set_data(key, obj, clock)


def _update_metadata(
    dm: DataManager, parsed: ParsedConfig, sources: dict[str, Any], allow_python: bool
) -> None:
    dm.metadata.pop("_defined_clocks", None)
    for record in sources.values():
        record.pop("item_label", None)
    if parsed.metadata is not None:
        # A saved session: its metadata is restored exactly, groups too.
        dm.metadata.clear()
        dm.metadata.update(parsed.metadata)
    else:
        dm.metadata.setdefault("sources", {}).update(sources)
        dm.metadata["config_path"] = str(parsed.path)
    if parsed.transformations:
        dm.metadata["config_transformations"] = parsed.transformations
    if parsed.python is not None:
        dm.metadata["config_python"] = {**parsed.python, "executed": bool(allow_python)}
    if parsed.groups is not None:
        for name in list(dm.groups.names()):
            dm.groups.delete(name)
        for name, ids in parsed.groups.items():
            dm.groups.create(name, ids)
