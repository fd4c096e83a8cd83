"""Write one DataManager key back where (and how) its config loaded it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.key_references import RENAMED_FROM, SOURCES
from napari_whiskertoolbox.core.relative_clock import is_relative_clock, relative_ticks
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.registry import write_data, writer_formats

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["data_to_save", "not_its_item", "source_of", "write_key"]


def source_of(dm: DataManager, key: str) -> dict[str, Any] | None:
    """Return the ``dm.metadata["sources"][key]`` record written by ``load_config``, or None."""
    sources = dm.metadata.get(SOURCES)
    record = sources.get(key) if isinstance(sources, dict) else None
    return record if isinstance(record, dict) else None


def not_its_item(source: dict[str, Any]) -> str:
    """Say why a key whose config item names another key cannot be written on its own.

    Parameters
    ----------
    source : dict
        The key's :func:`source_of` record (its ``item`` is not the key).

    Returns
    -------
    str
        ``"was renamed from 'tip', ..."`` or ``"is one of several keys read from ..."``.
    """
    renamed = source.get(RENAMED_FROM)
    if renamed:
        return (
            f"was renamed from {renamed!r}, the name its config item gives it; a config's "
            "files cannot rename a key"
        )
    return f"is one of several keys read from {Path(source['filepath']).name}"


def data_to_save(dm: DataManager, key: str) -> Any:
    """Return what a file written from ``key`` holds: the values WhiskerToolbox would write.

    That is the stored object, except for events holding relative ticks (on a
    ``relative:<key>`` clock, made by ``NormalizeDigitalEventSeriesRelative``): WhiskerToolbox
    keeps those as relative ticks without a clock and writes the ticks, so they are returned
    with their relative ticks as times (the clock's indices start at the first negative
    tick, and would be off by it).
    """
    obj = dm.get_data(key)
    if isinstance(obj, DigitalEventSeries) and is_relative_clock(dm.time_key(key)):
        return relative_ticks(obj, dm.clock_of(key))
    return obj


def write_key(
    dm: DataManager,
    key: str,
    path: str | os.PathLike[str] | None = None,
    fmt: str | None = None,
    **options: Any,
) -> Path:
    """Write ``key`` in WhiskerToolbox's format for it (atomic).

    Parameters
    ----------
    dm : DataManager
    key : str
    path : path-like, optional
        Destination; defaults to the file the key was loaded from.
    fmt : str, optional
        Format; defaults to the format it was loaded with.
    **options
        Writer options; default to the options the key was loaded with.

    The values written are :func:`data_to_save`'s (relative ticks as they are).

    Raises
    ------
    FormatError
        No destination known, or the key came from a multi-key item (a DeepLabCut body
        part, an analog channel, a label-split event series) whose file cannot be
        rewritten from one key.
    """
    source = source_of(dm, key) or {}
    if path is None:
        if not source.get("filepath"):
            raise FormatError(f"key {key!r} has no source file; pass a path to write it to")
        if source.get("item") != key:
            raise FormatError(
                f"key {key!r} {not_its_item(source)}; pass a path to write it on its own",
                path=source["filepath"],
            )
        path = source["filepath"]
    data_type = dm.data_type(key)
    fmt = fmt or source.get("format") or "csv"
    if fmt not in writer_formats(data_type):
        raise FormatError(
            f"key {key!r} ({data_type}) cannot be written as {fmt!r}; expected one of "
            f"{writer_formats(data_type)}",
            path=path,
        )
    merged = {**source.get("options", {}), **options}
    write_data(data_type, fmt, data_to_save(dm, key), path, **merged)
    return Path(path)
