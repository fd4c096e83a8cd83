"""Readers for clocks (``time`` items), media (video / images) and the native format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io import clocks
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import clock_from_ticks, item_path, option, ttl_options
from napari_whiskertoolbox.io.native import NATIVE_FORMAT, load_native
from napari_whiskertoolbox.io.registry import READERS, register_reader

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem


@register_reader("time", "uint16", "ttl")
def _read_ttl_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    edges = clocks.read_ttl_edges(item_path(item), **ttl_options(item))
    return clock_from_ticks(item, edges)


@register_reader("time", "count", "frame_count")
def _read_count_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    count = option(item, "count", int, option(item, "frame_count", int, None))
    if count is None or count < 1:
        raise FormatError(
            f"expected a positive integer 'count' for a frame-count clock, got {count!r}",
            item=item.label,
        )
    return clock_from_ticks(item, np.arange(count, dtype=np.int64))


@register_reader("time", "csv", "txt")
def _read_text_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    return clock_from_ticks(item, clocks.read_clock_text(item_path(item)))


def _read_media(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.media import open_media

    path = item_path(item)
    if not path.exists():
        raise FormatError("expected a video file, image folder or TIFF stack", path=path)
    options = {k: v for k, v in item.options.items() if k not in ("sampling_rate",)}
    try:
        return [(item.name, open_media(path, kind=item.data_type, **options))]
    except FormatError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise FormatError(f"cannot open the media ({exc})", path=path) from exc


def _read_media_npy(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.core.media import ArrayMedia

    path = item_path(item)
    try:
        frames = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise FormatError(f"expected a .npy array of frames ({exc})", path=path) from exc
    return [(item.name, ArrayMedia(frames, kind=item.data_type))]


def _read_native(item: ConfigItem) -> list[tuple[str, Any]]:
    obj = load_native(item.data_type, item_path(item), item.options)
    if isinstance(obj, TimeFrame) and len(obj) == 0:
        return clock_from_ticks(item, obj.times)
    return [(item.name, obj)]


for _media_type in ("video", "images"):
    READERS[(_media_type, "media")] = _read_media
    READERS[(_media_type, "npy")] = _read_media_npy
    for _fmt in ("mp4", "avi", "mkv", "mov", "tiff", "tif", "png", "jpg", "folder"):
        READERS[(_media_type, _fmt)] = _read_media
for _type in (
    "points",
    "line",
    "mask",
    "analog",
    "digital_event",
    "digital_interval",
    "tensor",
    "time",
):
    READERS[(_type, NATIVE_FORMAT)] = _read_native
