"""Load a WhiskerToolbox JSON config into a DataManager, all or nothing.

A config's ``python`` block (WhiskerToolbox's environment block, see
:class:`~napari_whiskertoolbox.io.config_parse.PythonEnvironment`) is applied before any
item loads, by the environment configurator the scripting side registers with
:func:`set_python_environment_configurator` (it activates ``venv_path``); ``io`` itself
never imports the script engine. With no configurator registered the loader applies
``prepend_sys_paths`` and the import checks itself, and refuses a ``venv_path``.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.key_references import COLORS, SOURCES
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS, RAGGED_KINDS
from napari_whiskertoolbox.core.script_names import script_types
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.clock_alignment import on_one_rate, shared_rate
from napari_whiskertoolbox.io.clock_fit import frames_outside_clocks
from napari_whiskertoolbox.io.config_parse import (
    ConfigItem,
    ParsedConfig,
    PythonEnvironment,
    parse_config,
)
from napari_whiskertoolbox.io.config_transformations import (
    clear_transformations_runner,
    run_config_transformations,
    set_transformations_runner,
)
from napari_whiskertoolbox.io.contributions import NewClock
from napari_whiskertoolbox.io.derived_clocks import DERIVED_CLOCK_FORMATS, derive_clock
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.freed_memory import release_freed_memory
from napari_whiskertoolbox.io.native import NATIVE_FORMAT
from napari_whiskertoolbox.io.parse_cache import cached_read
from napari_whiskertoolbox.io.pose import PoseSet, apply_pose
from napari_whiskertoolbox.io.registry import item_format, read_item
from napari_whiskertoolbox.io.report import LoadNote, LoadReport
from napari_whiskertoolbox.io.table_columns import TableColumns, record_columns

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

__all__ = [
    "PythonEnvironmentConfigurator",
    "apply_sys_paths_and_imports",
    "clear_python_environment_configurator",
    "clear_transformations_runner",
    "config_code_namespace",
    "load_config",
    "missing_modules",
    "python_environment_configurator",
    "set_python_environment_configurator",
    "set_transformations_runner",
]

PythonEnvironmentConfigurator = Callable[[PythonEnvironment], tuple[bool, str]]
"""``configurator(environment) -> (ok, message)``: applies a config's ``python`` block.

``ok`` False stops the load (``message`` says why); a non-empty ``message`` with ``ok``
True is reported (e.g. optional modules that are missing) and loading goes on.
"""

_configurator: PythonEnvironmentConfigurator | None = None


def set_python_environment_configurator(configurator: PythonEnvironmentConfigurator) -> None:
    """Make ``configurator`` apply the ``python`` block of every config loaded from now on.

    Parameters
    ----------
    configurator : callable
        ``configurator(environment) -> (ok, message)`` (see
        :data:`PythonEnvironmentConfigurator`); replaces any earlier one.
    """
    global _configurator
    _configurator = configurator


def clear_python_environment_configurator() -> None:
    """Forget the registered configurator: the loader applies paths and import checks itself."""
    global _configurator
    _configurator = None


def python_environment_configurator() -> PythonEnvironmentConfigurator | None:
    """Return the registered configurator, or None."""
    return _configurator


def _module_found(name: str) -> bool:
    """Whether module ``name`` can be imported, found without running any of its code.

    A dotted name is looked up part by part in its parent package's folders, so the
    parent's ``__init__`` does not run either (unless it is imported already).
    """
    parts = name.split(".")
    try:
        if len(parts) == 1 or parts[0] in sys.modules:
            return importlib.util.find_spec(name) is not None
        spec = importlib.util.find_spec(parts[0])
        for depth in range(1, len(parts)):
            locations = None if spec is None else spec.submodule_search_locations
            if locations is None:
                return False
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: depth + 1]), locations)
        return spec is not None
    except (ImportError, ValueError):
        return False


def missing_modules(names: Iterable[str]) -> list[str]:
    """Return the names in ``names`` that cannot be imported (checked without importing them)."""
    return [name for name in names if not _module_found(name)]


def _prepend_sys_paths(paths: Iterable[Path]) -> None:
    """Put ``paths`` first on ``sys.path``, in their order (moved there if already present)."""
    for path in reversed([str(p) for p in paths]):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    importlib.invalidate_caches()


def apply_sys_paths_and_imports(environment: PythonEnvironment) -> tuple[bool, str]:
    """Apply ``prepend_sys_paths`` and check ``required_imports`` of a ``python`` block.

    The modules are looked up, not imported: loading a config never runs code from the
    folders it names.

    Returns
    -------
    tuple of (bool, str)
        ``(False, message naming each missing module)`` when modules are missing and
        ``fail_on_missing_imports`` is set; ``(True, message)`` when optional modules are
        missing; ``(True, "")`` otherwise.
    """
    _prepend_sys_paths(environment.prepend_sys_paths)
    missing = missing_modules(environment.required_imports)
    if not missing:
        return True, ""
    names = ", ".join(repr(name) for name in missing)
    if environment.fail_on_missing_imports:
        return False, (
            f"required Python module(s) not found: {names} (python.required_imports; "
            "install them into the environment, fix python.prepend_sys_paths or set "
            "python.fail_on_missing_imports to false)"
        )
    return True, f"optional Python module(s) not found: {names} (python.required_imports)"


def _configure_python(environment: PythonEnvironment) -> tuple[bool, str]:
    configurator = _configurator
    if configurator is None:
        if environment.venv_path is not None:
            return False, (
                f"python.venv_path asks for the virtual environment {environment.venv_path}, "
                "but no Python environment configurator is registered to activate it (the "
                "napari plugin and `napari-whiskertoolbox run` register one; in plain Python "
                "call napari_whiskertoolbox.scripting.register_python_environment_configurator())"
            )
        return apply_sys_paths_and_imports(environment)
    try:
        return configurator(environment)
    except Exception as exc:  # a configurator bug must stop the load cleanly, not half-way
        return False, f"the Python environment configurator failed: {type(exc).__name__}: {exc}"


def load_config(
    path: str | os.PathLike[str],
    dm: DataManager | None = None,
    *,
    allow_python: bool = False,
    report: LoadReport | None = None,
    document: Any = None,
) -> DataManager:
    """Load every item of a WhiskerToolbox JSON config, with WhiskerToolbox's values and keys.

    Everything is first loaded into a fresh staging DataManager, then the config's
    ``transformations`` blocks run there (WhiskerToolbox's V1 operations, through the runner
    :mod:`napari_whiskertoolbox.transforms` installs when imported); only when all of that
    succeeded does it get copied into ``dm``. On any error ``dm`` is left unchanged. A
    ``transformations`` block whose step fails is the exception, as in WhiskerToolbox (which
    logs it): the data (and the steps that ran) load, and the failure is a ``transform``
    note naming the config, the block, the step and the parameter.

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
        Run the config's ``python_code`` after the data loaded, in a namespace holding
        what a script sees by name: ``dm``, ``np``, ``wt`` and the data types
        (:func:`config_code_namespace`). By default it is only parsed and reported in
        ``dm.metadata["config_python_code"]`` — never executed or imported. (The
        ``python`` environment block is always applied first, see the module docstring;
        ``dm.metadata["config_python"]`` records it and its message.)
    report : LoadReport, optional
        Collects the load's notes.
    document : optional
        The file's JSON content when already read (a session checked before it opens);
        else the file is read.

    Returns
    -------
    DataManager
        ``dm`` (or the new one, with an empty undo history and not modified: its first
        ``undo()`` does not unload a key). ``dm.metadata["sources"][key]`` records where each key came
        from: ``data_type``, ``format``, ``filepath``, ``options``, ``clock``, ``color``,
        ``item`` (the config item name) and ``config``. The keys a ``transformations``
        block wrote are there too (on their input's clock).

    Raises
    ------
    FormatError
        Bad JSON (line and column), unknown data type or format, missing or malformed
        files, undefined variables or clocks, a
        ``transformations`` block while :mod:`napari_whiskertoolbox.transforms` was never
        imported, or a ``python`` block that fails (environment not usable, required module
        missing); the message names the file and line or item.
    """
    parsed = parse_config(path, document)
    report = report if report is not None else LoadReport()
    report.extend(parsed.notes)
    python_message = ""
    if parsed.python is not None:
        ok, python_message = _configure_python(parsed.python)
        if not ok:
            raise FormatError(python_message, path=parsed.path, item="python")
        if python_message:
            report.extend([LoadNote("python", "info", python_message, path=str(parsed.path))])
    staging = DataManager()
    sources = _load_into(parsed, staging, report, dm)
    for name in parsed.auto_removed_clocks:  # a session's transform-made clocks
        if name in staging.time_keys():
            staging.set_time(name, staging.get_time(name), auto_remove=True)
    report.extend(run_config_transformations(staging, parsed.transformations, parsed.path))
    for key in sources:  # data on frames the clock lacks (a 1001-row file, a 1000-frame video)
        if sources[key]["format"] == NATIVE_FORMAT:
            continue  # a saved session's own arrays: told when they first came in
        outside = frames_outside_clocks(staging, {key: sources[key]})
        if outside:
            report.extend(outside)
            sources[key].setdefault("notes", []).extend(str(note) for note in outside)
    if parsed.python_code is not None:
        _run_python_code(parsed, staging, allow_python)
    target = staging if dm is None else dm
    poses: list[PoseSet] = staging.metadata.pop("_poses", [])
    colors = staging.metadata.pop("_colors", {})
    columns: list[TableColumns] = staging.metadata.pop("_table_columns", [])
    if colors:  # before the keys reach ``dm``: its layers are made in these colours
        target.metadata.setdefault(COLORS, {}).update(colors)
    if dm is not None:
        _copy_into(staging, dm, sources)
    _update_metadata(target, parsed, sources, allow_python)
    for pose in poses:
        apply_pose(target, pose)
    for table in columns:
        record_columns(target, table.key, table.columns)
    if parsed.python is not None:
        target.metadata["config_python"] = {**parsed.python.to_json(), "message": python_message}
    if dm is None:  # a new DataManager: loading it is not an undo step, nothing is unsaved
        target.history.clear()
        target.mark_saved()
    release_freed_memory()  # the parsers' garbage: ~0.1 GB of resident memory after a big load
    return target


def _missing_hint(path: Path) -> str:
    """Return what may be meant instead of missing ``path`` (``""``: no hint).

    The closest name in its folder (`` (did you mean 'x'?)``), or the first folder on the
    way to it that does not exist. A name differing only in its numbers is another file of
    a series (``ev_2.csv`` for a loop's missing ``ev_3.csv``), not a misspelling: not offered.
    """
    folder = path.parent
    if folder.is_dir():
        try:
            names = [entry.name for entry in folder.iterdir()]
        except OSError:
            return ""
        shape = re.sub(r"\d+", "0", path.name)
        return did_you_mean(path.name, [n for n in names if re.sub(r"\d+", "0", n) != shape])
    while folder != folder.parent:
        missing, folder = folder, folder.parent
        if folder.is_dir():
            return f" (there is no folder {missing.name!r} in {str(folder)!r})"
    return ""


def _load_into(
    parsed: ParsedConfig, staging: DataManager, report: LoadReport, target: DataManager | None
) -> dict[str, dict[str, Any]]:
    """Load clocks and data in file order, then bind every key to its clock.

    As in WhiskerToolbox, an item's ``clock`` may name a clock ``target`` (the DataManager
    loaded into) already holds, and ``max_value`` / ``derived`` clocks may read its keys
    and clocks; this config's own keys and clocks shadow them.
    """
    held_clocks: dict[str, TimeFrame] = {}
    held_data: dict[str, Any] = {}
    held_key_clocks: dict[str, str] = {}
    if target is not None:
        held_clocks = {name: target.get_time(name) for name in target.time_keys()}
        held_data = {key: target.get_data(key) for key in target}
        held_key_clocks = {key: target.time_key(key) for key in held_data}
    clocks: dict[str, TimeFrame] = {}
    clock_items: dict[str, str] = {}
    loaded: dict[str, Any] = {}
    bindings: dict[str, tuple[str, ConfigItem]] = {}
    sources: dict[str, dict[str, Any]] = {}
    file_clock_of: dict[str, str] = {}  # keys bound to a clock their own file defines
    for item in [*parsed.clocks, *parsed.data]:
        fmt = item_format(item)  # an unknown data_type fails first, as in WhiskerToolbox
        if item.path is not None and fmt != NATIVE_FORMAT and not item.path.exists():
            raise FormatError(
                f"expected a file or folder, the path does not exist{_missing_hint(item.path)}",
                path=item.path,
                item=item.label,
            )
        if item.data_type not in MEDIA_KINDS and item.format is None:
            item.note(
                "divergence",
                f"no 'format': read as {fmt!r} (WhiskerToolbox skips an entry without a "
                "format: 'no suitable loader found for format: unknown')",
            )
        if item.data_type == "time":
            if item.clock is not None and item.format in DERIVED_CLOCK_FORMATS:
                item.note(
                    "unknown_option",
                    f"option 'clock' is ignored on a {item.format!r} clock, as WhiskerToolbox "
                    "ignores it there",
                )
            elif item.clock is not None:
                raise FormatError(
                    "a 'time' item defines a clock and cannot carry 'clock' (WhiskerToolbox "
                    "aborts the end of the load on it); remove 'clock'",
                    item=item.label,
                )
            if item.format in DERIVED_CLOCK_FORMATS:
                key_clocks = {**held_key_clocks, **{k: c for k, (c, _) in bindings.items()}}
                notes = {k: source.notes for k, (_, source) in bindings.items()}
                clock = derive_clock(
                    item, {**held_data, **loaded}, {**held_clocks, **clocks}, key_clocks, notes
                )
                produced = [(item.name, clock)]
            else:
                produced = read_item(item)
            for name, clock in produced:
                _refuse_retiming(name, clock, item, held_clocks, held_key_clocks)
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
        data_keys: list[str] = []
        for _key, obj in produced:  # the file's clocks first: they bind the keys before them
            if isinstance(obj, NewClock):
                _add_file_clock(obj, item, clocks, clock_items, file_clock_of)
        for key, obj in produced:
            if isinstance(obj, PoseSet):
                staging.metadata.setdefault("_poses", []).append(obj)
                continue
            if isinstance(obj, TableColumns):
                staging.metadata.setdefault("_table_columns", []).append(obj)
                continue
            if isinstance(obj, NewClock):
                continue
            if key in loaded:
                item.note(
                    "info",
                    f"key {key!r} replaces the object loaded by {sources[key]['item_label']} "
                    "(as in WhiskerToolbox, a later entry with the same key wins)",
                )
            loaded[key] = obj
            bindings[key] = (file_clock_of.get(key, item.clock or "time"), item)
            sources[key] = _source_record(item, parsed.path)
            data_keys.append(key)
        _record_display_colors(item, data_keys, loaded, staging)
        report.extend(item.notes)
        if item.notes:
            for key in data_keys:
                sources[key]["notes"] = [str(n) for n in item.notes]
    if "time" in parsed.declared_clocks and "time" not in clocks:
        raise FormatError(
            "clock 'time' is declared in 'clocks', so a 'data_type': 'time' item named 'time' "
            "must fill it (WhiskerToolbox checks declared clocks before the media fallback)",
            path=parsed.path,
            item="clocks",
        )
    if "time" not in clocks and not _holds_media_clock(target):
        fallback = _media_clock(loaded, bindings)
        if fallback is not None and _time_is_filled(target):
            _beside_held_time(fallback, bindings, clocks, held_clocks, file_clock_of)
        elif fallback is not None:
            others = {n: c for n, c in held_clocks.items() if n not in clocks and n != "time"}
            others.update(clocks)
            clocks["time"], moved = _join_media_clock(fallback, others)
            clocks.update(moved)
        if fallback is not None:  # the notes about the video's clock, made after its load
            said = fallback.item.notes[fallback.notes_before :]
            report.extend(said)
            if said and fallback.key in sources:
                sources[fallback.key].setdefault("notes", []).extend(str(n) for n in said)
    for name in parsed.declared_clocks:
        if name not in clocks:
            raise FormatError(
                f"clock {name!r} is declared but never gets values; expected a "
                f"'data_type': 'time' item named {name!r}",
                path=parsed.path,
                item="clocks",
            )
    for _key, (clock_name, item) in bindings.items():
        if clock_name == "time" or clock_name in clocks:
            continue
        if clock_name in held_clocks:  # the DataManager's own clock: used, not copied back
            staging.set_time(clock_name, held_clocks[clock_name])
            continue
        defined = sorted(clocks.keys() | held_clocks.keys() - {"time"})
        raise FormatError(
            f"clock {clock_name!r} is never defined; expected a 'data_type': 'time' item "
            f"named {clock_name!r} (defined: {defined or 'none'})",
            item=item.label,
        )
    for name, clock in clocks.items():
        staging.set_time(name, clock)
    for key, (clock_name, _item) in bindings.items():
        staging.set_data(key, loaded[key], clock_name)
    staging.metadata["_defined_clocks"] = list(clocks)
    return sources


def _add_file_clock(
    new: NewClock,
    item: ConfigItem,
    clocks: dict[str, TimeFrame],
    clock_items: dict[str, str],
    file_clock_of: dict[str, str],
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
    file_clock_of.update(dict.fromkeys(new.keys, new.name))


def _time_is_filled(target: DataManager | None) -> bool:
    """Whether ``target``'s ``time`` holds ticks of its own (not just the automatic clock).

    The automatic ``time`` (identity ticks grown to cover the data bound to it, where
    WhiskerToolbox leaves ``time`` empty) counts as empty: a config's video fills it, with
    the video's frame rate, as WhiskerToolbox fills its empty ``time`` from media.
    """
    if target is None or target.default_clock_is_automatic:
        return False
    return len(target.get_time("time")) > 0


def _holds_media_clock(target: DataManager | None) -> bool:
    """Whether ``target``'s ``time`` clock is filled and spans media bound to it.

    WhiskerToolbox fills ``time`` from media only while it is empty: loading a second config
    into a DataManager whose ``time`` already came from its video keeps that clock.
    """
    if target is None or len(target.get_time("time")) == 0:
        return False
    return any(
        target.data_type(key) in MEDIA_KINDS and target.time_key(key) == "time" for key in target
    )


def _refuse_retiming(
    name: str,
    clock: TimeFrame,
    item: ConfigItem,
    held_clocks: dict[str, TimeFrame],
    held_key_clocks: dict[str, str],
) -> None:
    """Refuse a config clock ``time`` that would re-time the session's keys on ``time``.

    WhiskerToolbox re-points the keys on a replaced clock to the new one (wt_loaders.md
    §1.6). For a session's ``time`` with a sampling rate (a recording's, a video's) that
    changes when its data happened, so it is refused; clocks without a rate (WhiskerToolbox's
    own) are replaced as in WhiskerToolbox.

    Raises
    ------
    FormatError
        Naming the item, the clock and the keys on it.
    """
    held = held_clocks.get(name)
    if name != "time" or held is None or held.sampling_rate is None or clock == held:
        return
    keys = sorted(k for k, c in held_key_clocks.items() if c == name)
    if not keys:
        return
    shown = ", ".join(map(repr, keys[:5])) + (", ..." if len(keys) > 5 else "")
    raise FormatError(
        f"clock 'time' would replace the session's clock 'time' ({len(held)} ticks at "
        f"{held.sampling_rate:g} per second), re-timing the keys on it ({shown}); name this "
        "clock otherwise and bind the config's keys to it with 'clock'",
        item=item.label,
    )


def _beside_held_time(
    media: _MediaClock,
    bindings: dict[str, tuple[str, ConfigItem]],
    clocks: dict[str, TimeFrame],
    held_clocks: dict[str, TimeFrame],
    file_clock_of: dict[str, str],
) -> None:
    """Give the config's video a clock of its own beside the session's filled ``time``.

    WhiskerToolbox fills ``time`` from media only while it is empty (wt_loaders.md §1.11),
    so a recording already on ``time`` keeps its clock. As a video opened on its own
    (:func:`~.clock_alignment.media_clock`): when the video has a frame rate and the
    session's and config's clocks share one, the video and the config's keys bound to
    ``time`` by default go on ``<key>_clock`` (frames at the frame rate, joined by
    :func:`~.clock_alignment.on_one_rate`); otherwise they run on the session's ``time``,
    as in WhiskerToolbox. Keys the config binds to ``"clock": "time"`` stay on the
    session's ``time``. ``bindings`` and ``clocks`` are updated; a ``clock`` note of the
    video's item says which clock it got.

    Raises
    ------
    FormatError
        The video itself carries ``"clock": "time"`` while both it and the session's
        ``time`` have a rate: its frames would be counted as the session's ticks.
    """
    clock_name, item = bindings[media.key]
    if clock_name != "time":
        return  # the config names the video's clock; 'time' stays the session's
    held = held_clocks["time"]
    users = sorted(k for k, (c, _) in bindings.items() if c == "time" and k != media.key)
    fps, rate = media.clock.sampling_rate, held.sampling_rate
    if item.clock == "time" and fps is not None and rate is not None:
        raise FormatError(
            f"the video {media.key!r} is assigned to clock 'time', which this session "
            f"already fills ({len(held)} ticks at {rate:g} per second): its {fps:g} fps "
            "frames would be counted as those ticks. Remove 'clock' to give the video a "
            "clock of its own, or name a clock the config defines",
            item=item.label,
        )
    others = {n: c for n, c in held_clocks.items() if n not in clocks}
    others.update(clocks)
    if item.clock == "time" or fps is None or shared_rate(others.values()) is None:
        why = (
            "the config assigns it to 'time'"
            if item.clock == "time"
            else "it has no frame rate"
            if fps is None
            else "the session's clocks have no common sampling rate; give them one with "
            "dm.set_sampling_rate(name, ticks_per_second)"
        )
        media.item.note(
            "clock",
            f"the video {media.key!r} runs on the session's clock 'time' ({why}), as in "
            "WhiskerToolbox: its frames are compared with that clock's ticks as they are",
        )
        return
    name = first_free(f"{media.key}_clock", lambda c: c in held_clocks or c in clocks)
    clocks[name], moved = on_one_rate(media.clock, others, f"video {media.key!r}")
    clocks.update(moved)
    moving = sorted(
        k
        for k, (c, it) in bindings.items()
        if c == "time" and it.clock is None and k not in file_clock_of
    )
    for key in moving:
        bindings[key] = (name, bindings[key][1])
    staying = sorted(set(users) - set(moving))
    joining = [key for key in moving if key != media.key]
    media.item.note(
        "clock",
        f"the session's clock 'time' is already filled ({len(held)} ticks at {rate:g} per "
        f"second), so the video {media.key!r} runs at {fps:g} fps on a clock of its own, "
        f"{name!r}"
        + (f", with the config's keys {', '.join(map(repr, joining))}" if joining else "")
        + (
            f"; keys assigned to 'time' stay on it: {', '.join(map(repr, staying))}"
            if staying
            else ""
        )
        + ". Its frames line up with the session's clocks in seconds",
    )


class _MediaClock(NamedTuple):
    """WhiskerToolbox's default ``time`` clock and the media it counts the frames of."""

    clock: TimeFrame
    key: str
    item: ConfigItem
    notes_before: int
    """How many notes ``item`` had before the clock was made (later ones are about it)."""


def _media_clock(
    loaded: dict[str, Any], bindings: dict[str, tuple[str, ConfigItem]]
) -> _MediaClock | None:
    """Return WhiskerToolbox's default ``time`` clock, or None without media frames.

    ``0..N-1`` over the frames of key ``media`` if it has frames, else of the longest video,
    else of the longest image stack. When that media is on ``time`` (the config binds it
    to no other clock) and has a frame rate (a video's ``fps``), the clock counts its
    frames at that rate: one tick per frame, as in WhiskerToolbox, and ``sampling_rate``
    the frame rate. Image stacks have no frame rate: their clock has none.
    """
    media = {k: loaded[k] for k, (_, it) in bindings.items() if it.data_type in MEDIA_KINDS}
    chosen = None
    if "media" in media and len(media["media"]):
        chosen = "media"
    else:
        for kind in MEDIA_KINDS:
            longest = 0
            for key, obj in media.items():
                if bindings[key][1].data_type == kind and len(obj) > longest:
                    chosen, longest = key, len(obj)
            if chosen is not None:
                break
    if chosen is None:
        return None
    clock_name, item = bindings[chosen]
    frames = media[chosen]
    fps = getattr(frames, "fps", None) if clock_name == "time" else None
    notes_before = len(item.notes)
    if fps is not None and getattr(frames, "variable_frame_rate", False):
        item.note(
            "info",
            f"the video has variable frame timing: clock 'time' counts its frames at the "
            f"average {fps:g} fps (one tick per frame, as WhiskerToolbox's), so seconds on it "
            "are approximate (the video's frame_times give each frame's own)",
        )
    return _MediaClock(TimeFrame.from_count(len(frames), fps), chosen, item, notes_before)


def _join_media_clock(
    media: _MediaClock, others: dict[str, TimeFrame]
) -> tuple[TimeFrame, dict[str, TimeFrame]]:
    """Put the video's ``time`` clock on the tick rate of the config's other clocks.

    As a file joining a session (:func:`~.clock_alignment.on_one_rate`): when the other
    clocks share a sampling rate, ``time`` counts ticks of a common multiple of it and the
    frame rate (the other clocks rescaled by one factor when it is not theirs), so converting frame
    ``i`` to a 30 kHz clock gives sample ``i * 30000 / fps``. Clocks without a rate
    (WhiskerToolbox's) are compared tick for tick, as in WhiskerToolbox.

    Returns
    -------
    tuple of (TimeFrame, dict of str to TimeFrame)
        The ``time`` clock, and the other clocks that were rescaled. What was done is a
        ``clock`` note of the video's item.
    """
    clock, moved = on_one_rate(media.clock, others, f"video {media.key!r}")
    fps = media.clock.sampling_rate
    if fps is None:
        return clock, moved
    rated = sorted(n for n, c in others.items() if len(c) and c.sampling_rate is not None)
    if clock is not media.clock or moved:
        rate = clock.sampling_rate or fps
        names = ", ".join(repr(n) for n in sorted(moved) or rated)
        told = (
            f"clock 'time' counts {rate:g} ticks per second like the clocks {names} (frame i "
            f"is tick round(i x {rate / fps:g}))"
            if not moved
            else f"the clocks {names} now count {rate:g} ticks per second, as the video's "
            "frames do (every conversion between them is unchanged)"
        )
        media.item.note(
            "clock",
            f"the video {media.key!r} runs at {fps:g} fps and gives clock 'time'; {told}, "
            "so its frames line up with them in seconds",
        )
    elif rated and shared_rate(others.values()) is None:
        media.item.note(
            "clock",
            f"the video {media.key!r} gives clock 'time' its {fps:g} fps, but the clocks "
            f"{', '.join(repr(n) for n in sorted(others) if len(others[n]))} have no common "
            "sampling rate: their ticks are compared with its frames as they are. Give them "
            "one with dm.set_sampling_rate(name, ticks_per_second)",
        )
    return clock, moved


_DEFAULT_COLORS = {"points": "#0000FF", "line": "0000FF", "mask": "0000FF"}
"""WhiskerToolbox's display colours when an item gives none (note the inconsistent ``#``)."""


def _source_color(item: ConfigItem) -> str | None:
    """WhiskerToolbox's display colour of a key: ``""`` (auto-assign) for DeepLabCut body parts."""
    if item.data_type == "points" and item_format(item) in ("dlc_csv", "dlc_h5"):
        return ""  # WhiskerToolbox lists every body part with an empty colour, `color` or not
    return item.color if item.color is not None else _DEFAULT_COLORS.get(item.data_type)


_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
"""A config item's ``color``: ``#RRGGBB`` or ``RRGGBB`` (WhiskerToolbox writes both), with alpha."""


def _record_display_colors(
    item: ConfigItem, keys: list[str], loaded: dict[str, Any], staging: DataManager
) -> None:
    """Keep the item's ``color`` as the display colour of its points, line and mask keys.

    Stored in ``staging.metadata["_colors"]`` (``load_config`` moves it into
    ``dm.metadata["colors"]``, which layers are drawn in). DeepLabCut body parts are coloured
    per body part, as WhiskerToolbox auto-assigns them. A colour that is not hex is named in a
    note and the key keeps its own colour.
    """
    color = item.color
    if not isinstance(color, str) or not color.strip():
        return
    if item.data_type not in RAGGED_KINDS:
        return
    if item.data_type == "points" and item_format(item) in ("dlc_csv", "dlc_h5"):
        return
    match = _HEX_COLOR.fullmatch(color.strip())
    if match is None:
        item.note(
            "info",
            f"option 'color' {color!r} is not a hex colour (#RRGGBB or RRGGBB): the key is "
            "drawn in a colour of its own",
        )
        return
    colors = staging.metadata.setdefault("_colors", {})
    for key in keys:
        if key in loaded:
            colors[key] = "#" + match.group(1).lower()


def _source_record(item: ConfigItem, config: Path) -> dict[str, Any]:
    return {
        "data_type": item.data_type,
        "format": item_format(item),
        "filepath": None if item.path is None else str(item.path),
        "options": dict(item.options),
        "clock": item.clock or "time",
        "color": _source_color(item),
        "item": item.name,
        "item_label": item.label,
        "config": str(config),
    }


def _run_python_code(parsed: ParsedConfig, staging: DataManager, allow: bool) -> None:
    if not allow:
        return
    block = parsed.python_code or {}
    code, filename = block.get("code"), block.get("file")
    if code is None and filename is not None:
        try:
            code = Path(filename).read_text(encoding="utf-8")
        except OSError as exc:
            raise FormatError(
                f"cannot read the python_code file ({exc})", path=filename, item="python_code"
            ) from exc
    namespace = config_code_namespace(staging)
    namespace.update({"__name__": "__wtb_config__", "__file__": filename})
    try:
        exec(compile(code or "", filename or f"{parsed.path}:python_code", "exec"), namespace)
    except Exception as exc:
        raise FormatError(
            f"the python_code raised {type(exc).__name__}: {exc}",
            path=parsed.path,
            item="python_code",
        ) from exc


def config_code_namespace(dm: DataManager) -> dict[str, Any]:
    """Return the namespace a config's ``python_code`` runs in.

    What a script sees by name: ``dm``, ``np``, ``wt`` and the data types
    (:func:`~napari_whiskertoolbox.core.script_types`: ``AnalogTimeSeries``,
    ``TimeFrame``, ``DataType``, ``Interval``, …). ``wt`` is a module named
    ``whiskertoolbox_python`` holding those types, so ``wt.TimeFrame`` is the class a
    script's ``wt.TimeFrame`` is; ``io`` does not import the scripting side, so the
    module's viewer helpers (``wt.plot``) are not in it.
    """
    types_by_name = script_types()
    wt = types.ModuleType("whiskertoolbox_python", "WhiskerToolbox's names for config code.")
    wt.__dict__.update(types_by_name)
    return {"dm": dm, "np": np, "wt": wt, **types_by_name}


def _copy_into(staging: DataManager, dm: DataManager, sources: dict[str, Any]) -> None:
    clocks = staging.metadata.get("_defined_clocks", [])
    with dm.history.group("Load config"):
        removed_with_keys = set(staging.auto_removed_clocks())
        for name in clocks:
            dm.set_time(name, staging.get_time(name), auto_remove=name in removed_with_keys)
        for key in list(staging):  # a copy: keys leave staging as they move
            obj = staging.get_data(key)
            clock = staging.time_key(key)
            staging.delete_data(key)
            dm.set_data(key, obj, clock)
    dm.groups.merge(staging.groups)  # made by the transformations or python block


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
        dm.metadata.setdefault(SOURCES, {}).update(sources)
        dm.metadata["config_path"] = str(parsed.path)
    if parsed.transformations:
        dm.metadata["config_transformations"] = parsed.transformations
    if parsed.runner_phases:  # commands/saves: only `napari-whiskertoolbox pipeline` runs them
        dm.metadata["config_runner_phases"] = parsed.runner_phases
    if parsed.python_code is not None:
        dm.metadata["config_python_code"] = {**parsed.python_code, "executed": bool(allow_python)}
    if parsed.groups is not None:
        for name in list(dm.groups.names()):
            dm.groups.delete(name)
        for name, ids in parsed.groups.items():
            dm.groups.create(name, ids)
