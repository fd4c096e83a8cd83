"""Readers for clocks (``time`` items), media (video / images) and the native format."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io import clocks
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import clock_from_ticks, item_options, item_path
from napari_whiskertoolbox.io.native import NATIVE_FORMAT, load_native, read_npy
from napari_whiskertoolbox.io.registry import READERS, register_reader
from napari_whiskertoolbox.media.suffixes import TIFF_SUFFIXES, VIDEO_SUFFIXES

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.io.config_parse import ConfigItem


@register_reader("time", "count", "frame_count")
def _read_count_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    rate = opts.get("sampling_rate")
    step = float(opts["tick_step"])
    if not step > 0 or not math.isfinite(step):
        raise FormatError(
            f"'tick_step' must be a positive number of ticks, got {opts['tick_step']!r}",
            item=item.label,
        )
    clock = TimeFrame.regular(
        opts["count"], step, float(opts["first_tick"]), None if rate is None else float(rate)
    )
    return [(item.name, clock)]  # a counting or regular clock: no array of its ticks


@register_reader("time", "csv", "txt")
def _read_text_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    item_options(item)
    return clock_from_ticks(item, clocks.read_clock_text(item_path(item)))


def _read_media(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.media import open_media

    path = item_path(item)
    if not path.exists():
        raise FormatError("expected a video file, image folder or TIFF stack", path=path)
    opts = item_options(item)
    options: dict[str, Any] = {}
    if item.data_type == "images" and path.is_dir():
        listed = opts.get("files")
        options["files"] = (
            _listed_files(item, path, listed)
            if listed is not None
            else image_stack_files(item, path, opts)
        )
    try:
        return [(item.name, open_media(path, kind=item.data_type, **options))]
    except FormatError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise FormatError(f"cannot open the media ({exc})", path=path) from exc


def image_stack_files(item: ConfigItem, folder: Path, opts: dict[str, Any]) -> list[Path]:
    """Return the frames of an ``images`` item, chosen and ordered as WhiskerToolbox does.

    See ``wt_loaders.md`` §3.2.

    Files whose *last* extension is one of ``file_extensions`` (case-sensitive) and whose
    name contains a match of ``filename_pattern``, searched in ``folder`` (and its
    sub-folders with ``recursive_search``), sorted by full path (plain lexicographic;
    ``sort_by_name: false`` keeps the folder order).
    """
    if opts["display_format"].lower() == "gray":
        raise FormatError(
            "option 'display_format' 'Gray' cannot be honoured yet: frames are shown as stored "
            "(use 'Color', the default)",
            item=item.label,
        )
    extensions = opts["file_extensions"]
    try:
        pattern = re.compile(opts["filename_pattern"])
    except re.error as exc:
        raise FormatError(
            f"filename_pattern {opts['filename_pattern']!r} is not valid ({exc})", item=item.label
        ) from None
    found = folder.rglob("*") if opts["recursive_search"] else folder.iterdir()
    files = [
        f
        for f in found
        if f.is_file() and f.suffix in extensions and pattern.search(f.name) is not None
    ]
    if opts["sort_by_name"]:
        files.sort(key=str)
    if not files:
        raise FormatError(
            f"no image in the folder has an extension in {extensions} and a name matching "
            f"{opts['filename_pattern']!r} (WhiskerToolbox would load an empty stack)",
            path=folder,
        )
    return files


def _listed_files(item: ConfigItem, folder: Path, listed: list[Any]) -> list[Path]:
    """Return the frames an ``images`` item lists with ``files`` (relative to ``folder``)."""
    files = [folder / str(name) for name in listed]
    missing = [str(name) for name, path in zip(listed, files) if not path.is_file()]
    if missing or not files:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise FormatError(
            f"option 'files': expected image files in the folder, {shown} not found"
            if missing
            else "option 'files': expected at least one image file",
            path=folder,
            item=item.label,
        )
    return files


def _read_media_npy(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.core.media import ArrayMedia

    path = item_path(item)
    frames = read_npy(path, "a .npy array of frames")
    return [(item.name, ArrayMedia(frames, kind=item.data_type))]


def _read_native(item: ConfigItem) -> list[tuple[str, Any]]:
    obj = load_native(item.data_type, item_path(item), item.options)
    if isinstance(obj, TimeFrame) and len(obj) == 0:
        return clock_from_ticks(item, obj.times)
    return [(item.name, obj)]


for _media_type in MEDIA_KINDS:
    READERS[(_media_type, "media")] = _read_media
    READERS[(_media_type, "npy")] = _read_media_npy
    for _fmt in (*(s[1:] for s in (*VIDEO_SUFFIXES, *TIFF_SUFFIXES, ".png", ".jpg")), "folder"):
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
