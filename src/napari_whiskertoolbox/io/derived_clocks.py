"""Clocks computed from data the same config loaded before them.

These are WhiskerToolbox's ``"format": "max_value"`` and ``"format": "derived"`` time items
(``wt_loaders.md`` §2.5-2.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.analog import FRAMES_SORTED
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import item_options

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.io.report import LoadNote

__all__ = ["DERIVED_CLOCK_FORMATS", "derive_clock"]

DERIVED_CLOCK_FORMATS = ("max_value", "derived")


def _source(item: ConfigItem, option: str, key: str, data: dict[str, Any]) -> Any:
    if key not in data:
        raise FormatError(
            f"{option} {key!r} is not loaded before this item; loaded keys: {sorted(data)}",
            item=item.label,
        )
    return data[key]


def _tick_of(
    item: ConfigItem,
    index: int,
    clock_name: str,
    clocks: dict[str, TimeFrame],
    what: str,
) -> int:
    """Tick of ``index`` on ``clock_name``; the index itself when that clock has no ticks yet."""
    clock = clocks.get(clock_name)
    if clock is None or len(clock) == 0:
        item.note(
            "divergence",
            f"{what} is on clock {clock_name!r}, which has no ticks when this item loads; its "
            "index is used as the tick (WhiskerToolbox looks it up on the empty clock and "
            "gets 0)",
        )
        return index
    if not 0 <= index < len(clock):
        raise FormatError(
            f"{what} index {index} is outside clock {clock_name!r} ({len(clock)} ticks)",
            item=item.label,
        )
    return clock.time_at_index(index)


def derive_clock(
    item: ConfigItem,
    data: dict[str, Any],
    clocks: dict[str, TimeFrame],
    key_clocks: dict[str, str],
    source_notes: dict[str, list[LoadNote]] | None = None,
) -> TimeFrame:
    """Build the clock of a ``max_value`` or ``derived`` time item.

    Parameters
    ----------
    item : ConfigItem
        The time item.
    data : dict
        Objects loaded so far, by key.
    clocks : dict
        Clocks loaded so far, by name.
    key_clocks : dict
        The clock each loaded key is bound to.
    source_notes : dict, optional
        The load notes of the item each loaded key came from.

    Notes
    -----
    * ``max_value``: ticks ``start_value .. last`` where ``last`` is the tick of the last
      (largest) event of ``source_data`` on its clock, or the largest sample index of an
      analog series. WhiskerToolbox takes an analog series' last *stored* index: for a file
      whose frames go backwards that is its last row, not the largest frame, and the
      samples past it fall off the clock. The series is sorted when read here, so the
      clock spans every sample; a ``divergence`` note says so when the rows were sorted.
    * ``derived``: the ticks of ``source_timeframe`` at the events of the source series, or
      the start (``edge: "end"``: end) of each interval converted through the interval
      series' own clock.
    """
    opts = item_options(item)
    rate = opts.get("sampling_rate")
    if item.format == "max_value":
        return _max_value(item, opts, data, clocks, key_clocks, rate, source_notes or {})
    source_clock = opts["source_timeframe"]
    if source_clock not in clocks:
        raise FormatError(
            f"source_timeframe {source_clock!r} is not loaded before this item; "
            f"loaded clocks: {sorted(clocks)}",
            item=item.label,
        )
    pair = ("source_series", "source_type")
    if opts["source_series"] is not None and opts["source_type"] is not None:
        key = opts["source_series"]
        kind = "interval" if opts["source_type"].startswith("interval") else "event"
    else:
        # WhiskerToolbox reads the pair only together (wt_loaders.md §2.6); one alone is
        # ignored, in favour of the legacy interval_series / event_series
        lone = [name for name in pair if opts[name] is not None]
        if lone:
            other = next(name for name in pair if name not in lone)
            item.note(
                "unknown_option",
                f"option {lone[0]!r} {opts[lone[0]]!r} is ignored without {other!r} (as "
                "WhiskerToolbox ignores it)",
            )
        if opts["interval_series"] is not None:
            key, kind = opts["interval_series"], "interval"
        elif opts["event_series"] is not None:
            key, kind = opts["event_series"], "event"
        else:
            raise FormatError(
                "expected 'source_series' with 'source_type', or 'event_series', or "
                "'interval_series'" + (f" (found {lone[0]!r} alone)" if lone else ""),
                item=item.label,
            )
    source = _source(item, "source_series", key, data)
    base = clocks[source_clock]
    if kind == "event":
        if not isinstance(source, DigitalEventSeries):
            raise FormatError(f"source_series {key!r} is not an event series", item=item.label)
        indices = np.asarray(source.times, dtype=np.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= len(base)):
            bad = int(indices[(indices < 0) | (indices >= len(base))][0])
            raise FormatError(
                f"event at index {bad} is outside clock {source_clock!r} ({len(base)} ticks)",
                item=item.label,
            )
        ticks = base.times_at_indices(indices) if indices.size else indices
    else:
        if not isinstance(source, DigitalIntervalSeries):
            raise FormatError(f"source_series {key!r} is not an interval series", item=item.label)
        column = 1 if opts["edge"] == "end" else 0
        edges = np.asarray(source.intervals[:, column], dtype=np.int64)
        own = key_clocks.get(key, "time")
        name = own if own in clocks and len(clocks[own]) else source_clock
        ticks = np.asarray(
            [_tick_of(item, int(i), name, clocks, f"interval edge of {key!r}") for i in edges],
            dtype=np.int64,
        )
    if ticks.size == 0:
        raise FormatError(
            f"source_series {key!r} is empty; the clock gets no ticks", item=item.label
        )
    return TimeFrame(ticks, sampling_rate=rate if rate is not None else base.sampling_rate)


def _max_value(
    item: ConfigItem,
    opts: dict[str, Any],
    data: dict[str, Any],
    clocks: dict[str, TimeFrame],
    key_clocks: dict[str, str],
    rate: float | None,
    source_notes: dict[str, list[LoadNote]],
) -> TimeFrame:
    key = opts["source_data"]
    source = _source(item, "source_data", key, data)
    if isinstance(source, DigitalEventSeries):
        if len(source) == 0:
            raise FormatError(f"source_data {key!r} has no events", item=item.label)
        clock = key_clocks.get(key, "time")
        last_event = int(np.max(source.times))
        last = _tick_of(item, last_event, clock, clocks, f"last event of {key!r}")
    elif isinstance(source, AnalogTimeSeries):
        if len(source) == 0:
            raise FormatError(f"source_data {key!r} has no samples", item=item.label)
        last = int(np.max(source.times))  # sorted in the model; not relied upon here
        if any(
            n.kind == "divergence" and n.message.startswith(FRAMES_SORTED)
            for n in source_notes.get(key, ())
        ):
            item.note(
                "divergence",
                f"source_data {key!r} had its frames out of order in its file (sorted when "
                f"read): the clock ends at its largest frame, {last}; WhiskerToolbox ends it "
                "at the frame of the file's last row, leaving the samples past that row's "
                "frame off the clock",
            )
    else:
        raise FormatError(
            f"source_data {key!r} is a {type(source).__name__}; expected events or analog",
            item=item.label,
        )
    start = opts["start_value"]
    if start > last:
        raise FormatError(
            f"start_value {start} is after the last tick {last}; the clock gets no ticks",
            item=item.label,
        )
    # a regular clock: spanning a 2e9-sample recording costs no memory
    return TimeFrame.regular(last + 1 - start, 1.0, float(start), sampling_rate=rate)
