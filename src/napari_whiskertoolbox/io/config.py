"""Load a WhiskerToolbox JSON config into a DataManager, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.config_parse import ConfigItem, ParsedConfig, parse_config
from napari_whiskertoolbox.io.contributions import NewClock
from napari_whiskertoolbox.io.derived_clocks import DERIVED_CLOCK_FORMATS, derive_clock
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.pose import PoseSet, apply_pose
from napari_whiskertoolbox.io.registry import item_format, read_item

if TYPE_CHECKING:
    import os

__all__ = ["load_config"]


def load_config(
    path: str | os.PathLike[str],
    dm: DataManager | None = None,
    *,
    allow_python: bool = False,
) -> DataManager:
    """Load every item of a WhiskerToolbox JSON config.

    Everything is first loaded into a fresh staging DataManager; only when every item
    loaded does it get copied into ``dm``. On any error ``dm`` is left unchanged.

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
    staging = DataManager()
    sources = _load_into(parsed, staging)
    if parsed.python is not None:
        _handle_python(parsed, staging, allow_python)
    target = staging if dm is None else dm
    poses: list[PoseSet] = staging.metadata.pop("_poses", [])
    if dm is not None:
        _copy_into(staging, dm, sources)
    _update_metadata(target, parsed, sources, allow_python)
    for pose in poses:
        apply_pose(target, pose)
    return target


def _load_into(parsed: ParsedConfig, staging: DataManager) -> dict[str, dict[str, Any]]:
    """Load clocks and data in file order, then bind every key to its clock."""
    clocks: dict[str, TimeFrame] = {}
    clock_items: dict[str, str] = {}
    loaded: dict[str, Any] = {}
    bindings: list[tuple[str, str, ConfigItem]] = []
    sources: dict[str, dict[str, Any]] = {}
    key_clocks: dict[str, str] = {}  # keys bound to a clock their own file defines
    for item in [*parsed.clocks, *parsed.data]:
        if item.data_type == "time":
            if item.format in DERIVED_CLOCK_FORMATS:
                produced = [(item.name, derive_clock(item, loaded, clocks))]
            else:
                produced = read_item(item)
            for name, clock in produced:
                if name in clocks:
                    raise FormatError(
                        f"clock {name!r} is defined twice (also by {clock_items[name]})",
                        item=item.label,
                    )
                clocks[name] = clock
                clock_items[name] = item.label
            continue
        for key, obj in read_item(item):
            if isinstance(obj, PoseSet):
                staging.metadata.setdefault("_poses", []).append(obj)
                continue
            if isinstance(obj, NewClock):
                _add_file_clock(obj, item, clocks, clock_items, key_clocks)
                continue
            if key in loaded:
                raise FormatError(
                    f"key {key!r} is produced twice (also by {sources[key]['item_label']})",
                    item=item.label,
                )
            loaded[key] = obj
            bindings.append((key, key_clocks.get(key, item.clock or "time"), item))
            sources[key] = _source_record(item, parsed.path)
    if "time" not in clocks:
        media = [loaded[k] for k, _, it in bindings if it.data_type in MEDIA_KINDS]
        if media:
            # WhiskerToolbox: without an explicit "time" clock, the media's frames define it.
            clocks["time"] = TimeFrame.from_count(max(len(m) for m in media))
    for name in parsed.declared_clocks:
        if name not in clocks:
            raise FormatError(
                f"clock {name!r} is declared but never gets values; expected a "
                f"'data_type': 'time' item named {name!r}",
                path=parsed.path,
                item="clocks",
            )
    for _key, clock_name, item in bindings:
        if clock_name != "time" and clock_name not in clocks:
            raise FormatError(
                f"clock {clock_name!r} is never defined; expected a 'data_type': 'time' item "
                f"named {clock_name!r} (defined: {sorted(clocks) or 'none'})",
                item=item.label,
            )
    for name, clock in clocks.items():
        staging.set_time(name, clock)
    for key, clock_name, _item in bindings:
        staging.set_data(key, loaded[key], clock_name)
    staging.metadata["_defined_clocks"] = list(clocks)
    return sources


def _add_file_clock(
    new: NewClock,
    item: ConfigItem,
    clocks: dict[str, TimeFrame],
    clock_items: dict[str, str],
    key_clocks: dict[str, str],
) -> None:
    """Register a clock defined by a data file (e.g. a recording's sample clock)."""
    if new.name in clocks:
        raise FormatError(
            f"clock {new.name!r} is defined twice (also by {clock_items[new.name]}); give this "
            "item another 'clock' name",
            item=item.label,
        )
    clocks[new.name] = new.clock
    clock_items[new.name] = item.label
    key_clocks.update(dict.fromkeys(new.keys, new.name))


def _source_record(item: ConfigItem, config: Path) -> dict[str, Any]:
    return {
        "data_type": item.data_type,
        "format": item_format(item),
        "filepath": None if item.path is None else str(item.path),
        "options": dict(item.options),
        "clock": item.clock or "time",
        "color": item.color,
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
