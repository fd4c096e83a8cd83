"""Readers for signal items: analog, digital events and digital intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.io import analog, clocks, events, intervals
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import clock_from_ticks, item_path, option, ttl_options
from napari_whiskertoolbox.io.registry import register_reader

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem


@register_reader("analog", "csv")
def _read_analog_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    values, times = analog.read_analog_csv(
        item_path(item),
        delimiter=option(item, "delimiter", str, ","),
        has_header=option(item, "has_header", bool, None),
        time_column=option(item, "time_column", int, 0),
        data_column=option(item, "data_column", int, 1),
    )
    return [(item.name, AnalogTimeSeries(values, times, copy=False))]


@register_reader("analog", "binary")
def _read_analog_binary(item: ConfigItem) -> list[tuple[str, Any]]:
    dtype = option(item, "binary_data_type", str, option(item, "dtype", str, "int16"))
    n_channels = option(item, "num_channels", int, 1)
    raw = analog.map_analog_binary(
        item_path(item),
        dtype=dtype,
        header_size=option(item, "header_size", int, 0),
        num_channels=n_channels,
    )
    scale = option(item, "scale", float, option(item, "scale_factor", float, 1.0))
    offset = option(item, "offset", float, option(item, "offset_value", float, 0.0))
    names = option(item, "channel_names", list, None)
    if names is not None and len(names) != n_channels:
        raise FormatError(f"expected {n_channels} channel_names, got {len(names)}", item=item.label)
    out = []
    for c in range(n_channels):
        key = item.name if n_channels == 1 else f"{item.name}_{names[c] if names else c}"
        out.append((key, AnalogTimeSeries.from_raw(raw[:, c], scale=scale, offset=offset)))
    return out


@register_reader("digital_event", "csv")
def _read_events(item: ConfigItem) -> list[tuple[str, Any]]:
    series = events.read_events_csv(
        item_path(item),
        delimiter=option(item, "delimiter", str, ","),
        has_header=option(item, "has_header", bool, None),
        event_column=option(item, "event_column", int, 0),
        identifier_column=option(item, "identifier_column", int, -1),
        scale=option(item, "scale", float, 1.0),
        scale_divide=option(item, "scale_divide", bool, False),
    )
    return [
        (item.name if label is None else f"{item.name}_{label}", DigitalEventSeries(times))
        for label, times in series.items()
    ]


@register_reader("digital_interval", "csv")
def _read_intervals(item: ConfigItem) -> list[tuple[str, Any]]:
    layout = option(item, "csv_layout", str, "start_end")
    if layout == "binary_state":
        all_columns = option(item, "all_columns", bool, False)
        columns = intervals.read_binary_state(
            item_path(item),
            header_lines_to_skip=option(item, "header_lines_to_skip", int, 0),
            data_column=option(item, "data_column", int, 1),
            delimiter=option(item, "delimiter", str, "\t"),
            binary_threshold=option(item, "binary_threshold", float, 0.5),
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
        item_path(item),
        delimiter=option(item, "delimiter", str, ","),
        has_header=option(item, "has_header", bool, None),
        start_column=option(item, "start_column", int, 0),
        end_column=option(item, "end_column", int, 1),
    )
    layout_kind = option(item, "layout", str, "disjoint")
    return [(item.name, DigitalIntervalSeries(pairs, layout=layout_kind))]


def _binary_state_options(item: ConfigItem) -> dict[str, Any]:
    return {
        "header_lines_to_skip": option(item, "header_lines_to_skip", int, 5),
        "delimiter": option(item, "delimiter", str, "\t"),
    }


@register_reader("digital_interval", "multi_column_binary")
def _read_multi_column_binary(item: ConfigItem) -> list[tuple[str, Any]]:
    all_columns = option(item, "all_columns", bool, False)
    columns = intervals.read_binary_state(
        item_path(item),
        data_column=option(item, "data_column", int, 1),
        binary_threshold=option(item, "binary_threshold", float, 0.5),
        all_columns=all_columns,
        time_column=option(item, "time_column", int, 0),
        **_binary_state_options(item),
    )
    if not all_columns:
        return [(item.name, DigitalIntervalSeries(next(iter(columns.values()))))]
    return [(f"{item.name}_{col}", DigitalIntervalSeries(p)) for col, p in columns.items()]


@register_reader("digital_interval", "uint16")
def _read_ttl_intervals(item: ConfigItem) -> list[tuple[str, Any]]:
    pairs = clocks.read_ttl_intervals(item_path(item), **ttl_options(item))
    return [(item.name, DigitalIntervalSeries(pairs))]


@register_reader("digital_event", "uint16")
def _read_ttl_events(item: ConfigItem) -> list[tuple[str, Any]]:
    edges = clocks.read_ttl_edges(item_path(item), **ttl_options(item))
    return [(item.name, DigitalEventSeries(edges))]


@register_reader("time", "multi_column_binary")
def _read_binary_state_clock(item: ConfigItem) -> list[tuple[str, Any]]:
    ticks = intervals.read_binary_state_times(
        item_path(item),
        time_column=option(item, "time_column", int, 0),
        sampling_rate=option(item, "sampling_rate", float, 1.0),
        **_binary_state_options(item),
    )
    return clock_from_ticks(item, ticks)
