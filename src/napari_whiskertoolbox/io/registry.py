"""The table that maps ``(data_type, format)`` to a reader and a writer.

A reader takes a resolved :class:`~.config_parse.ConfigItem` and returns
``[(key, data_object), ...]`` (one item may give several keys, e.g. one per DLC body part
or per analog channel). A writer takes ``(data_object, path, options)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..core.analog import AnalogTimeSeries
from ..core.events import DigitalEventSeries
from ..core.intervals import DigitalIntervalSeries
from ..core.timeframe import TimeFrame
from . import analog, clocks, dlc, events, intervals, lines, masks, points, tensors
from .config_parse import ConfigItem
from .errors import FormatError
from .native import NATIVE_FORMAT, load_native

__all__ = [
    "DATA_TYPES",
    "DEFAULT_FORMATS",
    "Reader",
    "Writer",
    "read_item",
    "reader_formats",
    "write_data",
    "writer_formats",
]

Reader = Callable[[ConfigItem], list[tuple[str, Any]]]
Writer = Callable[[Any, Path, dict[str, Any]], None]

DATA_TYPES = (
    "video",
    "images",
    "points",
    "mask",
    "line",
    "analog",
    "digital_event",
    "digital_interval",
    "tensor",
    "time",
)
DEFAULT_FORMATS = {
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

_READERS: dict[tuple[str, str], Reader] = {}
_WRITERS: dict[tuple[str, str], Writer] = {}


def _reader(data_type: str, *formats: str) -> Callable[[Reader], Reader]:
    def register(fn: Reader) -> Reader:
        for fmt in formats:
            _READERS[(data_type, fmt)] = fn
        return fn

    return register


def _writer(data_type: str, *formats: str) -> Callable[[Writer], Writer]:
    def register(fn: Writer) -> Writer:
        for fmt in formats:
            _WRITERS[(data_type, fmt)] = fn
        return fn

    return register


def reader_formats(data_type: str) -> list[str]:
    """Formats that can be read for ``data_type``."""
    return sorted(f for (t, f) in _READERS if t == data_type)


def writer_formats(data_type: str) -> list[str]:
    """Formats that can be written for ``data_type``."""
    return sorted(f for (t, f) in _WRITERS if t == data_type)


def item_format(item: ConfigItem) -> str:
    """The item's format, its data type's default, or an error naming the item."""
    if item.data_type not in DATA_TYPES:
        raise FormatError(
            f"unknown data_type {item.data_type!r}; expected one of {list(DATA_TYPES)}",
            item=item.label,
        )
    if item.format is not None:
        return item.format
    if item.data_type == "time":
        return _guess_clock_format(item)
    return DEFAULT_FORMATS[item.data_type]


def read_item(item: ConfigItem) -> list[tuple[str, Any]]:
    """Load one config item; errors are :class:`FormatError` naming the item."""
    fmt = item_format(item)
    reader = _READERS.get((item.data_type, fmt))
    if reader is None:
        raise FormatError(
            f"unknown format {fmt!r} for data_type {item.data_type!r}; expected one of "
            f"{reader_formats(item.data_type)}",
            item=item.label,
        )
    try:
        return reader(item)
    except FormatError as exc:
        raise exc.with_item(item.label) from exc.__cause__
    except ValueError as exc:  # a data object rejected the parsed values
        raise FormatError(f"invalid data ({exc})", path=item.path, item=item.label) from exc


def write_data(
    data_type: str,
    fmt: str,
    obj: Any,
    path: str | os.PathLike[str],
    **options: Any,
) -> None:
    """Write ``obj`` of ``data_type`` to ``path`` in format ``fmt`` (atomic per file)."""
    writer = _WRITERS.get((data_type, fmt))
    if writer is None:
        raise FormatError(
            f"no writer for format {fmt!r} of data_type {data_type!r}; expected one of "
            f"{writer_formats(data_type)}",
            path=path,
        )
    writer(obj, Path(path), options)


# --- option helpers ------------------------------------------------------------------


def _opt(item: ConfigItem, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = item.options.get(name, default)
    if value is default:
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise FormatError(f"expected option {name!r} to be {names}, got {value!r}", item=item.label)
    return value


def _path(item: ConfigItem) -> Path:
    if item.path is None:
        raise FormatError("expected a 'filepath'", item=item.label)
    return item.path


def _image_size(item: ConfigItem) -> Any:
    from ..core.ragged import ImageSize

    size = item.options.get("image_size")
    if size is None and "image_width" in item.options and "image_height" in item.options:
        size = [item.options["image_width"], item.options["image_height"]]
    if size is None:
        return None
    if isinstance(size, dict):
        size = [size.get("width"), size.get("height")]
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise FormatError(
            f"expected 'image_size' as [width, height], got {size!r}", item=item.label
        ) from None
    return ImageSize(width, height)


def _ragged(kind: str, times, coords, offsets, image_size) -> Any:
    from ..core.lines import LineData
    from ..core.masks import MaskData
    from ..core.points import PointData

    cls = {"points": PointData, "line": LineData, "mask": MaskData}[kind]
    return cls.from_flat(times, coords, offsets=offsets, image_size=image_size, copy=False)


# --- readers -------------------------------------------------------------------------


@_reader("points", "csv")
def _read_points(item: ConfigItem) -> list[tuple[str, Any]]:
    delimiter = _opt(item, "delimiter", str, _opt(item, "column_delim", str, " "))
    times, coords = points.read_points_csv(
        _path(item),
        frame_column=_opt(item, "frame_column", int, 0),
        x_column=_opt(item, "x_column", int, 1),
        y_column=_opt(item, "y_column", int, 2),
        delimiter=delimiter,
        has_header=_opt(item, "has_header", bool, None),
    )
    return [(item.name, _ragged("points", times, coords, None, _image_size(item)))]


@_reader("points", "dlc_csv")
def _read_dlc(item: ConfigItem) -> list[tuple[str, Any]]:
    parts = dlc.read_dlc_csv(
        _path(item),
        frame_column=_opt(item, "frame_column", int, 0),
        likelihood_threshold=_opt(item, "likelihood_threshold", float, 0.0),
    )
    size = _image_size(item)
    return [
        (f"{item.name}_{part}", _ragged("points", t, xy, None, size))
        for part, (t, xy) in parts.items()
    ]


@_reader("line", "csv")
def _read_lines(item: ConfigItem) -> list[tuple[str, Any]]:
    path = _path(item)
    if path.is_dir():
        times, offsets, coords = lines.read_lines_folder(
            path,
            delimiter=_opt(item, "delimiter", str, ","),
            x_column=_opt(item, "x_column", int, 0),
            y_column=_opt(item, "y_column", int, 1),
            has_header=_opt(item, "has_header", bool, True),
            file_pattern=_opt(item, "file_pattern", str, "*.csv"),
        )
    else:
        times, offsets, coords = lines.read_lines_csv(
            path,
            delimiter=_opt(item, "delimiter", str, ","),
            coordinate_delimiter=_opt(item, "coordinate_delimiter", str, ","),
            has_header=_opt(item, "has_header", bool, True),
            header_identifier=_opt(item, "header_identifier", str, "Frame"),
        )
    return [(item.name, _ragged("line", times, coords, offsets, _image_size(item)))]


@_reader("mask", "csv")
def _read_masks_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    times, offsets, pixels = masks.read_masks_csv(
        _path(item),
        delimiter=_opt(item, "delimiter", str, ","),
        rle_delimiter=_opt(item, "rle_delimiter", str, ","),
        has_header=_opt(item, "has_header", bool, True),
        header_identifier=_opt(item, "header_identifier", str, "Frame"),
    )
    return [(item.name, _ragged("mask", times, pixels, offsets, _image_size(item)))]


@_reader("mask", "image", "images", "png")
def _read_mask_images(item: ConfigItem) -> list[tuple[str, Any]]:
    from ..core.ragged import ImageSize

    times, offsets, pixels, size = masks.read_mask_images(
        _path(item),
        file_pattern=_opt(item, "file_pattern", str, "*.png"),
        threshold=_opt(item, "threshold", float, 0.0),
    )
    image_size = _image_size(item) or (None if size is None else ImageSize(*size))
    return [(item.name, _ragged("mask", times, pixels, offsets, image_size))]


@_reader("analog", "csv")
def _read_analog_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    values, times = analog.read_analog_csv(
        _path(item),
        delimiter=_opt(item, "delimiter", str, ","),
        has_header=_opt(item, "has_header", bool, None),
        time_column=_opt(item, "time_column", int, 0),
        data_column=_opt(item, "data_column", int, 1),
    )
    return [(item.name, AnalogTimeSeries(values, times, copy=False))]


@_reader("analog", "binary")
def _read_analog_binary(item: ConfigItem) -> list[tuple[str, Any]]:
    dtype = _opt(item, "binary_data_type", str, _opt(item, "dtype", str, "int16"))
    n_channels = _opt(item, "num_channels", int, 1)
    raw = analog.map_analog_binary(
        _path(item),
        dtype=dtype,
        header_size=_opt(item, "header_size", int, 0),
        num_channels=n_channels,
    )
    scale = _opt(item, "scale", float, _opt(item, "scale_factor", float, 1.0))
    offset = _opt(item, "offset", float, _opt(item, "offset_value", float, 0.0))
    names = _opt(item, "channel_names", list, None)
    if names is not None and len(names) != n_channels:
        raise FormatError(f"expected {n_channels} channel_names, got {len(names)}", item=item.label)
    out = []
    for c in range(n_channels):
        key = item.name if n_channels == 1 else f"{item.name}_{names[c] if names else c}"
        out.append((key, AnalogTimeSeries.from_raw(raw[:, c], scale=scale, offset=offset)))
    return out


@_reader("digital_event", "csv")
def _read_events(item: ConfigItem) -> list[tuple[str, Any]]:
    series = events.read_events_csv(
        _path(item),
        delimiter=_opt(item, "delimiter", str, ","),
        has_header=_opt(item, "has_header", bool, None),
        event_column=_opt(item, "event_column", int, 0),
        identifier_column=_opt(item, "identifier_column", int, -1),
        scale=_opt(item, "scale", float, 1.0),
        scale_divide=_opt(item, "scale_divide", bool, False),
    )
    return [
        (item.name if label is None else f"{item.name}_{label}", DigitalEventSeries(times))
        for label, times in series.items()
    ]


@_reader("digital_interval", "csv")
def _read_intervals(item: ConfigItem) -> list[tuple[str, Any]]:
    layout = _opt(item, "csv_layout", str, "start_end")
    if layout == "binary_state":
        all_columns = _opt(item, "all_columns", bool, False)
        columns = intervals.read_binary_state(
            _path(item),
            header_lines_to_skip=_opt(item, "header_lines_to_skip", int, 0),
            data_column=_opt(item, "data_column", int, 1),
            delimiter=_opt(item, "delimiter", str, "\t"),
            binary_threshold=_opt(item, "binary_threshold", float, 0.5),
            all_columns=all_columns,
        )
        if not all_columns:
            return [(item.name, DigitalIntervalSeries(next(iter(columns.values()))))]
        return [(f"{item.name}_{col}", DigitalIntervalSeries(p)) for col, p in columns.items()]
    if layout not in ("start_end", "intervals"):
        raise FormatError(
            f"unknown csv_layout {layout!r}; expected 'start_end' or 'binary_state'",
            item=item.label,
        )
    pairs = intervals.read_intervals_csv(
        _path(item),
        delimiter=_opt(item, "delimiter", str, ","),
        has_header=_opt(item, "has_header", bool, None),
        start_column=_opt(item, "start_column", int, 0),
        end_column=_opt(item, "end_column", int, 1),
    )
    layout_kind = _opt(item, "layout", str, "disjoint")
    return [(item.name, DigitalIntervalSeries(pairs, layout=layout_kind))]


def _binary_state_options(item: ConfigItem) -> dict[str, Any]:
    return {
        "header_lines_to_skip": _opt(item, "header_lines_to_skip", int, 5),
        "delimiter": _opt(item, "delimiter", str, "\t"),
    }


@_reader("digital_interval", "multi_column_binary")
def _read_multi_column_binary(item: ConfigItem) -> list[tuple[str, Any]]:
    all_columns = _opt(item, "all_columns", bool, False)
    columns = intervals.read_binary_state(
        _path(item),
        data_column=_opt(item, "data_column", int, 1),
        binary_threshold=_opt(item, "binary_threshold", float, 0.5),
        all_columns=all_columns,
        time_column=_opt(item, "time_column", int, 0),
        **_binary_state_options(item),
    )
    if not all_columns:
        return [(item.name, DigitalIntervalSeries(next(iter(columns.values()))))]
    return [(f"{item.name}_{col}", DigitalIntervalSeries(p)) for col, p in columns.items()]


@_reader("digital_interval", "uint16")
def _read_ttl_intervals(item: ConfigItem) -> list[tuple[str, Any]]:
    pairs = clocks.read_ttl_intervals(
        _path(item),
        channel=_opt(item, "channel", int, 0),
        transition=_opt(item, "transition", str, "rising"),
        header_size=_opt(item, "header_size", int, 0),
    )
    return [(item.name, DigitalIntervalSeries(pairs))]


@_reader("digital_event", "uint16")
def _read_ttl_events(item: ConfigItem) -> list[tuple[str, Any]]:
    edges = clocks.read_ttl_edges(
        _path(item),
        channel=_opt(item, "channel", int, 0),
        transition=_opt(item, "transition", str, "rising"),
        header_size=_opt(item, "header_size", int, 0),
    )
    return [(item.name, DigitalEventSeries(edges))]


@_reader("time", "multi_column_binary")
def _read_binary_state_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    ticks = intervals.read_binary_state_times(
        _path(item),
        time_column=_opt(item, "time_column", int, 0),
        sampling_rate=_opt(item, "sampling_rate", float, 1.0),
        **_binary_state_options(item),
    )
    return _clock(item, ticks)


@_reader("tensor", "npy")
def _read_tensor(item: ConfigItem) -> list[tuple[str, Any]]:
    row_labels = _opt(item, "row_labels", str, None)
    labels_path = None
    if row_labels is not None:
        labels_path = Path(row_labels)
        if not labels_path.is_absolute() and item.path is not None:
            labels_path = item.path.parent / labels_path
    tensor = tensors.read_tensor_npy(
        _path(item),
        column_names=_opt(item, "column_names", list, None),
        row_labels=labels_path,
        row_type=_opt(item, "row_type", str, None),
    )
    return [(item.name, tensor)]


def _guess_clock_format(item: ConfigItem) -> str:
    if "count" in item.options or "frame_count" in item.options:
        return "count"
    if item.path is not None and item.path.suffix.lower() in (".bin", ".dat"):
        return "uint16"
    return "csv"


def _clock(item: ConfigItem, times: np.ndarray) -> list[tuple[str, Any]]:
    if len(times) == 0:
        raise FormatError(
            "the clock never gets values (no ticks found); expected at least one",
            path=item.path,
            item=item.label,
        )
    rate = _opt(item, "sampling_rate", (int, float), None)
    return [(item.name, TimeFrame(times, sampling_rate=None if rate is None else float(rate)))]


@_reader("time", "uint16", "ttl")
def _read_ttl_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    edges = clocks.read_ttl_edges(
        _path(item),
        channel=_opt(item, "channel", int, 0),
        transition=_opt(item, "transition", str, "rising"),
        header_size=_opt(item, "header_size", int, 0),
    )
    return _clock(item, edges)


@_reader("time", "count", "frame_count")
def _read_count_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    count = _opt(item, "count", int, _opt(item, "frame_count", int, None))
    if count is None or count < 1:
        raise FormatError(
            f"expected a positive integer 'count' for a frame-count clock, got {count!r}",
            item=item.label,
        )
    return _clock(item, np.arange(count, dtype=np.int64))


@_reader("time", "csv", "txt")
def _read_text_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    return _clock(item, clocks.read_clock_text(_path(item)))


def _read_media(item: ConfigItem) -> list[tuple[str, Any]]:
    from ..media import open_media

    path = _path(item)
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
    from ..core.media import ArrayMedia

    path = _path(item)
    try:
        frames = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise FormatError(f"expected a .npy array of frames ({exc})", path=path) from exc
    return [(item.name, ArrayMedia(frames, kind=item.data_type))]


def _read_native(item: ConfigItem) -> list[tuple[str, Any]]:
    obj = load_native(item.data_type, _path(item), item.options)
    if item.data_type == "time" and len(obj) == 0:
        return _clock(item, obj.times)
    return [(item.name, obj)]


for _media_type in ("video", "images"):
    _READERS[(_media_type, "media")] = _read_media
    _READERS[(_media_type, "npy")] = _read_media_npy
    for _fmt in ("mp4", "avi", "mkv", "mov", "tiff", "tif", "png", "jpg", "folder"):
        _READERS[(_media_type, _fmt)] = _read_media
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
    _READERS[(_type, NATIVE_FORMAT)] = _read_native


# --- writers -------------------------------------------------------------------------


@_writer("points", "csv")
def _write_points(obj: Any, path: Path, options: dict[str, Any]) -> None:
    flat = obj.to_flat()
    points.write_points_csv(
        path,
        flat.times,
        flat.coords,
        delimiter=options.get("delimiter", options.get("column_delim", " ")),
    )


@_writer("line", "csv")
def _write_lines(obj: Any, path: Path, options: dict[str, Any]) -> None:
    flat = obj.to_flat()
    if options.get("multi_file") or path.is_dir():
        lines.write_lines_folder(
            path, flat.times, flat.offsets, flat.coords, precision=options.get("precision")
        )
    else:
        lines.write_lines_csv(
            path, flat.times, flat.offsets, flat.coords, precision=options.get("precision")
        )


@_writer("mask", "csv")
def _write_masks(obj: Any, path: Path, options: dict[str, Any]) -> None:
    flat = obj.to_flat()
    masks.write_masks_csv(path, flat.times, flat.offsets, flat.coords)


@_writer("mask", "image", "images", "png")
def _write_mask_images(obj: Any, path: Path, options: dict[str, Any]) -> None:
    if obj.image_size is None:
        raise FormatError("expected the mask data to have an image size to write images", path=path)
    flat = obj.to_flat()
    masks.write_mask_images(path, flat.times, flat.offsets, flat.coords, obj.image_size)


@_writer("analog", "csv")
def _write_analog(obj: Any, path: Path, options: dict[str, Any]) -> None:
    analog.write_analog_csv(
        path, obj.values, None if obj.is_dense else obj.times, precision=options.get("precision")
    )


@_writer("digital_event", "csv")
def _write_events(obj: Any, path: Path, options: dict[str, Any]) -> None:
    events.write_events_csv(path, obj.times)


@_writer("digital_interval", "csv")
def _write_intervals(obj: Any, path: Path, options: dict[str, Any]) -> None:
    if options.get("csv_layout", "start_end") not in ("start_end", "intervals"):
        raise FormatError(
            f"cannot write the {options['csv_layout']!r} layout; expected csv_layout 'start_end'",
            path=path,
        )
    intervals.write_intervals_csv(path, obj.intervals, delimiter=options.get("delimiter", ","))


@_writer("tensor", "npy")
def _write_tensor(obj: Any, path: Path, options: dict[str, Any]) -> None:
    tensors.write_tensor_npy(path, obj)
