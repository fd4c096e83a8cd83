"""The table that maps ``(data_type, format)`` to a reader and a writer.

A reader takes a resolved :class:`~.config_parse.ConfigItem` and returns
``[(key, data_object), ...]`` (one item may give several keys, e.g. one per DLC body part
or per analog channel). A writer takes ``(data_object, path, options)``.
The format modules (``readers_*.py``, ``writers.py``) register themselves with
:func:`register_reader` / :func:`register_writer`; they are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.kinds import DATA_KINDS
from napari_whiskertoolbox.io.config_parse import ConfigItem
from napari_whiskertoolbox.io.csv_tools import encoding_notes, legacy_encoding_message
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.kinds import DataObject

__all__ = [
    "CONFIG_DATA_TYPES",
    "DEFAULT_FORMATS",
    "READERS",
    "WRITERS",
    "Reader",
    "Writer",
    "item_format",
    "read_item",
    "reader_formats",
    "register_reader",
    "register_writer",
    "write_data",
    "writer_formats",
]

Reader = Callable[[ConfigItem], list[tuple[str, Any]]]
Writer = Callable[[Any, Path, dict[str, Any]], None]

CONFIG_DATA_TYPES: tuple[str, ...] = (*DATA_KINDS, "time")
"""Values of a config item's ``data_type``: every data kind, and ``time`` for clocks."""
DEFAULT_FORMATS: dict[str, str] = {
    "points": "csv",
    "mask": "csv",
    "line": "csv",
    "analog": "csv",
    "digital_event": "csv",
    "digital_interval": "csv",
    "tensor": "npy",
    "video": "media",
    "images": "media",
}

READERS: dict[tuple[str, str], Reader] = {}
WRITERS: dict[tuple[str, str], Writer] = {}
_FORMAT_MODULES = (
    "readers_spatial",
    "readers_dlc",
    "readers_signals",
    "readers_clocks_media",
    "writers",
    "readers_interop",
)


def register_reader(data_type: str, *formats: str) -> Callable[[Reader], Reader]:
    """Return a decorator making its function the reader of ``data_type`` in each of ``formats``.

    Raises
    ------
    ValueError
        Another function already reads one of the ``(data_type, format)`` pairs: one reader
        per pair, so what an item reads never depends on which module loaded last.
    """

    def register(fn: Reader) -> Reader:
        for fmt in formats:
            _claim(READERS, (data_type, fmt), fn, "reader")
        return fn

    return register


def register_writer(data_type: str, *formats: str) -> Callable[[Writer], Writer]:
    """Return a decorator making its function the writer of ``data_type`` in each of ``formats``.

    Raises
    ------
    ValueError
        Another function already writes one of the ``(data_type, format)`` pairs.
    """

    def register(fn: Writer) -> Writer:
        for fmt in formats:
            _claim(WRITERS, (data_type, fmt), fn, "writer")
        return fn

    return register


def _claim(table: dict[tuple[str, str], Any], pair: tuple[str, str], fn: Any, what: str) -> None:
    old = table.get(pair)
    if old is not None and _name(old) != _name(fn):  # the same function re-imported is fine
        raise ValueError(
            f"{what} of {pair} registered twice: {_name(old)} and {_name(fn)}; keep one"
        )
    table[pair] = fn


def _name(fn: Any) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _load_formats() -> None:
    for name in _FORMAT_MODULES:
        importlib.import_module(f"{__package__}.{name}")


def reader_formats(data_type: str) -> list[str]:
    """Return the formats that can be read for ``data_type``."""
    _load_formats()
    return sorted(f for (t, f) in READERS if t == data_type)


def writer_formats(data_type: str) -> list[str]:
    """Return the formats that can be written for ``data_type``."""
    _load_formats()
    return sorted(f for (t, f) in WRITERS if t == data_type)


_DOCUMENTED_FORMATS = {
    "int16": "WhiskerToolbox's guide names it but its loader does not accept it either: use "
    "'format': 'binary' with 'binary_data_type': 'int16' and 'num_channels'",
    "capnproto": "WhiskerToolbox's loader calls it 'capnp'",
    "opencv": "WhiskerToolbox's loader calls mask images 'image'",
    "deeplabcut": "WhiskerToolbox's loader calls it 'dlc_csv' (points)",
}
"""Format names of WhiskerToolbox's documentation (``IOFormats.hpp``) its loader rejects."""


def item_format(item: ConfigItem) -> str:
    """Return the item's format or its data type's default (an error naming the item if unknown)."""
    if item.data_type not in CONFIG_DATA_TYPES:
        raise FormatError(
            f"unknown data_type {item.data_type!r}"
            f"{did_you_mean(item.data_type, CONFIG_DATA_TYPES)}; expected one of "
            f"{list(CONFIG_DATA_TYPES)}",
            item=item.label,
        )
    if item.format is not None:
        return item.format
    if item.data_type == "time":
        return guess_clock_format(item)
    return DEFAULT_FORMATS[item.data_type]


def read_item(item: ConfigItem) -> list[tuple[str, Any]]:
    """Load one config item; errors are :class:`FormatError` naming the item."""
    fmt = item_format(item)
    _load_formats()
    reader = READERS.get((item.data_type, fmt))
    if reader is None:
        formats = reader_formats(item.data_type)
        hint = _DOCUMENTED_FORMATS.get(fmt)
        raise FormatError(
            f"unknown format {fmt!r} for data_type {item.data_type!r}"
            f"{f'; {hint}' if hint else did_you_mean(fmt, formats)}; expected one of {formats}",
            item=item.label,
        )
    try:
        with encoding_notes() as legacy:
            produced = reader(item)
    except FormatError as exc:
        raise exc.with_item(item.label) from exc.__cause__
    except ValueError as exc:  # a data object rejected the parsed values
        raise FormatError(f"invalid data ({exc})", path=item.path, item=item.label) from exc
    for path, encoding in legacy:
        item.note("info", legacy_encoding_message(encoding), path=path)
    return produced


def write_data(
    data_type: str,
    fmt: str,
    obj: DataObject,
    path: str | os.PathLike[str],
    **options: Any,
) -> None:
    """Write ``obj`` of ``data_type`` to ``path`` in format ``fmt`` (atomic per file)."""
    _load_formats()
    writer = WRITERS.get((data_type, fmt))
    if writer is None:
        raise FormatError(
            f"no writer for format {fmt!r} of data_type {data_type!r}; expected one of "
            f"{writer_formats(data_type)}",
            path=path,
        )
    writer(obj, Path(path), options)


def guess_clock_format(item: ConfigItem) -> str:
    """Guess the format of a ``time`` item without ``format``: count, TTL binary or text ticks."""
    if "count" in item.options or "frame_count" in item.options:
        return "count"
    if item.path is not None and item.path.suffix.lower() in (".bin", ".dat"):
        return "uint16"
    return "csv"
