"""Readers for signal items: analog, digital events and digital intervals.

Keys follow WhiskerToolbox's batch naming (``wt_loaders.md`` §1.9): one object → ``<name>``;
several → ``<name>_<label>`` (channel number, column header) or ``<name>_<i>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import SERIES_KINDS
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.io import analog, clocks, events, intervals
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import (
    clock_from_ticks,
    given,
    item_options,
    item_path,
    ttl_options,
)
from napari_whiskertoolbox.io.registry import register_reader
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem

_MMAP_ONLY = ("offset", "stride", "num_samples", "scale_factor", "offset_value")

_IGNORED_BY_WT: dict[tuple[bool, bool], tuple[tuple[str, ...], str, str]] = {
    # (use_memory_mapped, tensor-backed) -> (options WhiskerToolbox ignores, the mode, its
    # rule) (wt_loaders.md §7.1)
    (False, False): (
        _MMAP_ONLY,
        "use_memory_mapped is false",
        "it applies them only with use_memory_mapped: true",
    ),
    (False, True): (
        _MMAP_ONLY,
        "use_tensor_backed is true and use_memory_mapped is false",
        "its tensor-backed loader ignores offset, stride and num_samples, and scale_factor "
        "and offset_value without use_memory_mapped",
    ),
    (True, True): (
        _MMAP_ONLY[:3],
        "use_tensor_backed is true",
        "its tensor-backed loader ignores offset, stride and num_samples",
    ),
    (True, False): ((), "", ""),
}


def _delimiter(item: ConfigItem, opts: dict[str, Any]) -> str | None:
    """Return the ``delimiter`` option when the item gives it, else None (default, sniffed)."""
    return opts["delimiter"] if given(item, "delimiter") else None


def _spike2(item: ConfigItem) -> list[tuple[str, Any]]:
    raise FormatError(
        "format 'spike2' needs CED's SonPy inside WhiskerToolbox's embedded Python and is not "
        "supported here; export the channel (e.g. as binary or csv) and load that",
        path=item.path,
        item=item.label,
    )


for _type in SERIES_KINDS:
    register_reader(_type, "spike2")(_spike2)


@register_reader("analog", "csv")
def _read_analog_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    info: dict[str, Any] = {}
    values, times = analog.read_analog_csv(
        path,
        delimiter=_delimiter(item, opts),
        has_header=opts["has_header"],
        single_column_format=opts["single_column_format"],
        time_column=opts["time_column"],
        data_column=opts["data_column"],
        decimal=opts["decimal"],
        skips=skips,
        info=info,
    )
    item.note_skips(skips, path)
    if opts["single_column_format"] and info.get("max_columns", 1) > 1:
        item.note(
            "info",
            f"rows hold up to {info['max_columns']} columns; single_column_format is true "
            "(WhiskerToolbox's default), so column 0 is the value and the frame is the row "
            "count; set single_column_format: false for time,value files",
            path=path,
        )
    if info.get("reordered"):
        item.note(
            "divergence",
            f"{analog.FRAMES_SORTED}; the samples are sorted by frame (stable) where WhiskerToolbox "
            "keeps file order",
            path=path,
        )
    return [(item.name, AnalogTimeSeries(values, times, copy=False))]


@register_reader("analog", "binary")
def _read_analog_binary(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    n = opts["num_channels"]
    if opts["channel_count"] is not None and opts["channel_count"] != n:
        raise FormatError(
            f"option 'channel_count' {opts['channel_count']} is not read by WhiskerToolbox's "
            f"binary analog loader (it would load {n} channel(s)); use 'num_channels'",
            item=item.label,
        )
    mmap = opts["use_memory_mapped"]
    tensor_backed = opts["use_tensor_backed"] and n > 1
    ignored, mode, wt_rule = _IGNORED_BY_WT[(bool(mmap), bool(tensor_backed))]
    used = [k for k in ignored if given(item, k)]
    if used:
        item.note(
            "divergence",
            f"{used} are applied although {mode} (WhiskerToolbox would not apply them: {wt_rule})",
        )
    info: dict[str, Any] = {}
    channels = analog.map_analog_binary(
        path,
        dtype=opts["binary_data_type"],
        header_size=opts["header_size"],
        num_channels=n,
        offset=opts["offset"],
        stride=opts["stride"],
        num_samples=opts["num_samples"],
        memory_mapped_counts=mmap,
        info=info,
    )
    leftover = int(info.get("leftover_elements", 0))
    if leftover and mmap and not tensor_backed:
        # WhiskerToolbox's memory-mapped counts: each channel reads to the file's end, the
        # partial frame included, so nothing is dropped (§7.1)
        sizes = [c.size for c in channels]
        longer = [str(c) for c, size in enumerate(sizes) if size > min(sizes)]
        item.note(
            "info",
            f"{leftover} trailing sample(s) do not fill a frame of {n} channel(s) and are "
            "read, as WhiskerToolbox reads them"
            + (f": channel(s) {', '.join(longer)} have one more sample" if longer else ""),
            path=path,
        )
    elif leftover:
        item.note(
            "skipped",
            f"{leftover} trailing sample(s) do not fill a frame of {n} channel(s) and are "
            + ("left out of the tensor (the channel keys keep them)" if mmap else "ignored"),
            count=leftover,
            path=path,
        )
    names = opts["channel_names"]
    if names is not None and len(names) != n:
        raise FormatError(f"expected {n} channel_names, got {len(names)}", item=item.label)
    scale, offset = opts["scale_factor"], opts["offset_value"]
    out: list[tuple[str, Any]] = []
    if tensor_backed:
        rows = min(c.size for c in channels)
        table = np.stack([c[:rows] for c in channels], axis=1).astype(np.float32)
        # column names as WhiskerToolbox's loadTensorBacked: the channel indices "0", "1", ...
        # (with our channel_names, those names, as the keys)
        columns = [str(names[c]) if names else str(c) for c in range(n)]
        out.append(
            (
                item.name,
                TensorData(table * np.float32(scale) + np.float32(offset), column_names=columns),
            )
        )
    for c, raw in enumerate(channels):
        key = item.name if n == 1 else f"{item.name}_{names[c] if names else c}"
        out.append((key, AnalogTimeSeries.from_raw(raw, scale=scale, offset=offset)))
    return out


@register_reader("analog", "hdf5")
def _read_analog_hdf5(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.hdf5 import read_hdf5_analog

    opts = item_options(item)
    values, frames = read_hdf5_analog(
        item_path(item),
        time_key=opts["time_key"],
        value_key=opts["value_key"],
        scale=opts["scale"],
        scale_divide=opts["scale_divide"],
    )
    if np.any(np.diff(frames) < 0):
        order = np.argsort(frames, kind="stable")
        values, frames = values[order], frames[order]
        item.note(
            "divergence",
            f"{analog.FRAMES_SORTED}; the samples are sorted by frame (stable) where WhiskerToolbox "
            "keeps dataset order",
        )
    return [(item.name, AnalogTimeSeries(values, frames))]


def _event_series(item: ConfigItem, frames: np.ndarray) -> DigitalEventSeries:
    repeats = int(frames.size - np.unique(frames).size)
    if repeats:
        item.note(
            "divergence",
            f"{repeats} event(s) repeat the frame of another; the series holds each frame once "
            "(WhiskerToolbox keeps the duplicates)",
            count=repeats,
        )
    return DigitalEventSeries(frames)


@register_reader("digital_event", "csv")
def _read_events(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    common = {
        "delimiter": _delimiter(item, opts),
        "has_header": opts["has_header"],
        "event_column": opts["event_column"],
        "scale": opts["scale"],
        "scale_divide": opts["scale_divide"],
        "decimal": opts["decimal"],
    }
    if opts.get("multi_file"):
        return _read_event_folder(item, opts, common)
    split = opts["label_column"] if opts["label_column"] >= 0 else opts["identifier_column"]
    skips = RowSkips()
    series = events.read_events_csv(path, identifier_column=split, skips=skips, **common)
    item.note_skips(skips, path)
    if len(series) == 1:
        return [(item.name, _event_series(item, next(iter(series.values()))))]
    labels = list(series)
    item.note(
        "info",
        "keys numbered by the identifiers in lexicographic order: "
        + ", ".join(f"{item.name}_{i} = {label!r}" for i, label in enumerate(labels)),
    )
    return [
        (f"{item.name}_{i}", _event_series(item, series[label])) for i, label in enumerate(labels)
    ]


def _read_event_folder(
    item: ConfigItem, opts: dict[str, Any], common: dict[str, Any]
) -> list[tuple[str, Any]]:
    folder = item_path(item)
    files = events.event_files(folder, opts["file_pattern"])
    if not files:
        raise FormatError(
            f"no file matches file_pattern {opts['file_pattern'] or '*.csv / *.txt'!r}",
            path=folder,
        )
    out: list[tuple[str, Any]] = []
    empty = []
    for file in files:
        skips = RowSkips()
        try:
            series = events.read_events_csv(file, skips=skips, **common)
        except FormatError as exc:
            if "found none" not in str(exc):
                raise
            empty.append(file.name)
            continue
        item.note_skips(skips, file)
        suffix = file.stem if opts["append_filename"] and file.stem else str(len(out))
        out.append((f"{item.name}_{suffix}", _event_series(item, next(iter(series.values())))))
    if empty:
        item.note("skipped", f"files without events get no key: {empty}", count=len(empty))
    if not out:
        raise FormatError("expected events in at least one file of the folder", path=folder)
    return out


def _hdf5_bits(item: ConfigItem, opts: dict[str, Any]) -> np.ndarray:
    """Return the 0/1 states of bit ``channel`` of a bit-packed HDF5 dataset (``data_key``)."""
    from napari_whiskertoolbox.io.hdf5 import read_hdf5_bitpacked

    if opts["channel"] > 15:
        raise FormatError(
            f"expected option 'channel' to be a bit number 0..15, got {opts['channel']}",
            item=item.label,
        )
    samples = read_hdf5_bitpacked(
        item_path(item), data_key=opts["data_key"], sweep_row=opts["sweep_row"]
    )
    return ((samples >> np.uint16(opts["channel"])) & np.uint16(1)).astype(np.int8)


@register_reader("digital_event", "hdf5")
def _read_events_hdf5(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.hdf5 import read_hdf5_events

    opts = item_options(item)
    if "data_key" in opts:
        edges = clocks.ttl_edges(_hdf5_bits(item, opts), opts["transition"])
        return [(item.name, DigitalEventSeries(edges))]
    frames = read_hdf5_events(
        item_path(item),
        time_key=opts["time_key"],
        event_key=opts["event_key"],
        scale=opts["scale"],
        scale_divide=opts["scale_divide"],
    )
    return [(item.name, _event_series(item, frames))]


def _nonempty_ttl(item: ConfigItem) -> None:
    path = item_path(item)
    if path.is_file() and path.stat().st_size == 0:
        raise FormatError("expected uint16 TTL samples, the file is empty", path=path)


@register_reader("digital_event", "uint16", "binary")
def _read_ttl_events(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    _nonempty_ttl(item)
    edges = clocks.read_ttl_edges(item_path(item), **ttl_options(item, opts))
    return [(item.name, DigitalEventSeries(edges))]


@register_reader("digital_interval", "csv")
def _read_intervals(item: ConfigItem) -> list[tuple[str, Any]]:
    layout = item.options.get("csv_layout", "intervals")
    if layout == "binary_state":
        return _read_binary_state(item)
    opts = item_options(item)
    if layout not in ("intervals", "start_end"):
        raise FormatError(
            f"unknown csv_layout {layout!r}; expected 'intervals' or 'binary_state'",
            item=item.label,
        )
    path = item_path(item)
    skips = RowSkips()
    pairs = intervals.read_intervals_csv(
        path,
        delimiter=_delimiter(item, opts),
        skip_header=opts["skip_header"],
        flip_column_order=opts["flip_column_order"],
        start_column=opts["start_column"],
        end_column=opts["end_column"],
        decimal=opts["decimal"],
        skips=skips,
        drop_exact_duplicates=True,
    )
    item.note_skips(skips, path)
    return [(item.name, DigitalIntervalSeries(pairs, layout=opts["layout"]))]


@register_reader("digital_interval", "multi_column_binary")
def _read_binary_state(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    columns = intervals.read_binary_state(
        path,
        header_lines_to_skip=opts["header_lines_to_skip"],
        data_column=opts["data_column"],
        delimiter=_delimiter(item, opts),
        binary_threshold=opts["binary_threshold"],
        all_columns=opts["all_columns"],
        time_column=opts["time_column"],
        decimal=opts["decimal"],
        skips=skips,
    )
    item.note_skips(skips, path)
    unused = [k for k in ("sampling_rate",) if given(item, k)]
    if not opts["all_columns"] and given(item, "time_column"):
        unused.append("time_column")  # it only leaves a column out of all_columns
    if unused:
        item.note(
            "unknown_option",
            f"{' and '.join(map(repr, unused))} accepted and not used, as in WhiskerToolbox: "
            "the intervals are row indices; to put them on time, load the file's time column "
            "as a clock (data_type 'time', format 'multi_column_binary') and give 'clock'",
        )
    if len(columns) == 1:
        return [(item.name, DigitalIntervalSeries(next(iter(columns.values()))))]
    return [(f"{item.name}_{col}", DigitalIntervalSeries(p)) for col, p in columns.items()]


@register_reader("digital_interval", "uint16", "binary")
def _read_ttl_intervals(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    _nonempty_ttl(item)
    pairs = clocks.read_ttl_intervals(item_path(item), **ttl_options(item, opts))
    return [(item.name, DigitalIntervalSeries(pairs, layout="overlapping"))]


@register_reader("digital_interval", "hdf5")
def _read_intervals_hdf5(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    pairs = clocks.ttl_intervals(_hdf5_bits(item, opts), opts["transition"])
    return [(item.name, DigitalIntervalSeries(pairs, layout="overlapping"))]


@register_reader("time", "hdf5")
def _read_hdf5_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.hdf5 import hdf5_sample_count

    opts = item_options(item)
    count = hdf5_sample_count(
        item_path(item), data_key=opts["data_key"], sweep_row=opts["sweep_row"]
    )
    return clock_from_ticks(item, np.arange(count, dtype=np.int64))


@register_reader("time", "uint16", "ttl")
def _read_ttl_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    edges = clocks.read_ttl_edges(item_path(item), **ttl_options(item, opts))
    return clock_from_ticks(item, edges)


@register_reader("time", "uint16_length")
def _read_length_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    return clock_from_ticks(
        item, clocks.file_length_ticks(item_path(item), header_size=opts["header_size"])
    )


@register_reader("time", "filename")
def _read_filename_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    ticks = clocks.filename_ticks(
        path,
        regex_pattern=opts["regex_pattern"],
        file_extension=opts["file_extension"],
        mode=opts["mode"],
        sort_ascending=opts["sort_ascending"],
        skips=skips,
    )
    item.note_skips(skips, path)
    return clock_from_ticks(item, ticks)


@register_reader("time", "multi_column_binary")
def _read_binary_state_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    ticks = intervals.read_binary_state_times(
        path,
        header_lines_to_skip=opts["header_lines_to_skip"],
        time_column=opts["time_column"],
        delimiter=_delimiter(item, opts),
        sampling_rate=opts["sampling_rate"],
        decimal=opts["decimal"],
        skips=skips,
    )
    item.note_skips(skips, path)
    return clock_from_ticks(item, ticks)
