"""A cache of parsed text files: the second load of a big CSV maps ``.npy`` files instead.

A 200,000-frame whisker CSV is ~0.7 GB of text; even at pyarrow's speed that is seconds
per load. After a successful parse, the flat arrays of every key an item produced (times,
offsets, coordinates or values), its image size and its load notes are written to a cache
entry; a later load of the same file with the same options memory-maps them (zero copy,
pages read on demand) and gives the same objects, with fresh entity ids, and the same notes.

The entry is found by a hash of the file's path, size, modification time and inode, the
item's data type, format and options, and this module's format version: editing the file
or an option misses the cache. Entries live in ``$NAPARI_WHISKERTOOLBOX_PARSE_CACHE`` (``off``
disables the cache), else ``~/.cache/napari-whiskertoolbox/parsed``; the least recently used
ones are removed when the folder grows past ``$NAPARI_WHISKERTOOLBOX_PARSE_CACHE_BYTES``
(default 8 GiB). A damaged entry is ignored (and removed): the file is parsed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_save_npy, atomic_write_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.io.report import LoadNote

__all__ = ["CACHED_FORMATS", "CACHE_ENV", "cache_root", "cached_read"]

CACHE_ENV = "NAPARI_WHISKERTOOLBOX_PARSE_CACHE"
CACHE_BYTES_ENV = "NAPARI_WHISKERTOOLBOX_PARSE_CACHE_BYTES"
CACHED_FORMATS = {("line", "csv"), ("points", "csv"), ("mask", "csv"), ("analog", "csv")}
"""Text formats worth caching: the big ones, whose parse costs seconds."""
_VERSION = 1
_MIN_BYTES = 1 << 20  # smaller files parse faster than a cache look-up is worth


def cache_root() -> Path | None:
    """Return the cache folder, or None when caching is off."""
    setting = os.environ.get(CACHE_ENV)
    if setting is not None:
        return None if setting.strip().lower() in ("", "off", "0", "none") else Path(setting)
    return Path.home() / ".cache" / "napari-whiskertoolbox" / "parsed"


def _key(item: ConfigItem, fmt: str) -> str | None:
    path = item.path
    if path is None or not path.is_file():
        return None
    stat = path.stat()
    if stat.st_size < _MIN_BYTES:
        return None
    identity = {
        "version": _VERSION,
        "path": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "inode": stat.st_ino,
        "data_type": item.data_type,
        "format": fmt,
        "options": item.options,
    }
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached_read(
    item: ConfigItem, fmt: str, read: Callable[[ConfigItem], list[tuple[str, Any]]]
) -> list[tuple[str, Any]]:
    """Return ``read(item)``, from the cache when this file and these options were read before."""
    root = cache_root()
    key = _key(item, fmt) if root is not None and (item.data_type, fmt) in CACHED_FORMATS else None
    if root is None or key is None:
        return read(item)
    entry = root / key
    hit = _load(entry, item)
    if hit is not None:
        return hit
    first_note = len(item.notes)
    produced = read(item)
    with contextlib.suppress(OSError, ValueError, TypeError):
        _store(entry, item.notes[first_note:], produced)
        _prune(root, keep=entry)
    return produced


def _arrays(obj: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    from napari_whiskertoolbox.core.analog import AnalogTimeSeries
    from napari_whiskertoolbox.core.ragged import RaggedSeries

    if isinstance(obj, RaggedSeries):
        flat = obj.to_flat()
        arrays = {"times": flat.times, "coords": flat.coords}
        if flat.offsets is not None:
            arrays["offsets"] = flat.offsets
        size = None if obj.image_size is None else list(obj.image_size)
        return arrays, {"class": type(obj).__name__, "image_size": size}
    if isinstance(obj, AnalogTimeSeries):
        arrays = {"values": np.asarray(obj.values)}
        if not obj.is_dense:
            arrays["times"] = np.asarray(obj.times)
        return arrays, {"class": "AnalogTimeSeries"}
    return None


def _store(entry: Path, notes: list[LoadNote], produced: list[tuple[str, Any]]) -> None:
    staging = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:8]}.tmp")
    staging.mkdir(parents=True)
    try:
        manifest: dict[str, Any] = {"keys": [], "notes": [n.__dict__ for n in notes]}
        for index, (key, obj) in enumerate(produced):
            parts = _arrays(obj)
            if parts is None:
                return
            arrays, meta = parts
            for name, array in arrays.items():
                atomic_save_npy(staging / f"{index}.{name}.npy", np.ascontiguousarray(array))
            manifest["keys"].append({"key": key, "arrays": sorted(arrays), **meta})
        atomic_write_text(staging / "manifest.json", json.dumps(manifest))
        os.replace(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _load(entry: Path, item: ConfigItem) -> list[tuple[str, Any]] | None:
    from napari_whiskertoolbox.core.analog import AnalogTimeSeries
    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.io.report import LoadNote

    manifest_path = entry / "manifest.json"
    if not manifest_path.is_file():
        return None
    classes: dict[str, Any] = {"PointData": PointData, "LineData": LineData, "MaskData": MaskData}
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        produced: list[tuple[str, Any]] = []
        for index, record in enumerate(manifest["keys"]):
            arrays = {
                name: np.load(entry / f"{index}.{name}.npy", mmap_mode="r", allow_pickle=False)
                for name in record["arrays"]
            }
            if record["class"] == "AnalogTimeSeries":
                obj = AnalogTimeSeries(arrays["values"], arrays.get("times"), copy=False)
            else:
                size = record["image_size"]
                obj = classes[record["class"]].from_flat(
                    arrays["times"],
                    arrays["coords"],
                    offsets=arrays.get("offsets"),
                    image_size=None if size is None else tuple(size),
                    copy=False,
                )
            produced.append((record["key"], obj))
        notes = [LoadNote(**{**n, "lines": tuple(n["lines"])}) for n in manifest["notes"]]
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(entry, ignore_errors=True)
        return None
    item.notes.extend(notes)
    with contextlib.suppress(OSError):
        os.utime(entry)
    return produced


def _prune(root: Path, keep: Path) -> None:
    limit = int(os.environ.get(CACHE_BYTES_ENV, str(8 << 30)))
    entries = []
    total = 0
    for entry in root.iterdir():
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        size = sum(f.stat().st_size for f in entry.iterdir() if f.is_file())
        entries.append((entry.stat().st_mtime, entry, size))
        total += size
    for _, entry, size in sorted(entries):
        if total <= limit:
            break
        if entry != keep:
            shutil.rmtree(entry, ignore_errors=True)
            total -= size
