"""Electrophysiology recordings through Neo's raw IO (extra ``[ephys]``).

Open Ephys binary folders (``OpenEphysBinaryRawIO``) and Intan ``.rhd``/``.rhs`` files
(``IntanRawIO``), or any Neo raw IO named in the config (``"io"``). Each channel of the
chosen signal stream becomes one ``analog`` key, wrapping the file's int16 samples without
reading them (:meth:`AnalogTimeSeries.from_raw`, scaled to the channel's units by Neo's gain
and offset) wherever Neo describes the samples as one memory-mappable array (its buffer
API: Open Ephys' ``continuous.dat``). Intan's IntanRawIO has no such description, and its
traditional single file interleaves channels in blocks of 60 or 128 samples, which no 1-D
view can express: Intan channels are read through Neo once, at load.

TTL lines become ``digital_event`` keys (rising edges): Open Ephys' TTL event stream (one key
per line), Intan's digital-input channels. Every key is bound to a clock at the
recording's sample rate: sample ``i`` at tick ``t0 + i``, ``t0 = round(t_start * rate)`` the
recording's first sample counted from acquisition start (Neo's ``t_start``; Open Ephys and
Intan recordings started after acquisition have ``t0 > 0``), as a regular clock (no array of
ticks), so a camera clock made from TTL edges (``"format": "derived"``) lines the video up.
Source: Neo ``neo/rawio/openephysbinaryrawio.py``, ``neo/rawio/intanrawio.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.io.contributions import NewClock
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.optional import require
from napari_whiskertoolbox.io.report import LOGGER

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["INTAN_SUFFIXES", "load_recording_entries", "open_raw_io"]

INTAN_SUFFIXES = (".rhd", ".rhs")
DIGITAL_STREAMS = ("USB board digital input channel", "DIGITAL-IN")


def open_raw_io(path: Path, io_name: str | None = None) -> Any:
    """Return a parsed Neo raw IO for ``path`` (the IO is chosen by path unless named).

    Raises
    ------
    FormatError
        Neo cannot parse the recording (names the file and the IO).
    """
    neo_rawio = require("neo", "reading Open Ephys and Intan recordings").rawio
    if io_name is not None:
        cls = getattr(neo_rawio, io_name if io_name.endswith("RawIO") else f"{io_name}RawIO", None)
        if cls is None:
            raise FormatError(f"Neo has no raw IO named {io_name!r}", path=path)
    elif path.is_dir() or path.name == "structure.oebin":
        cls = neo_rawio.OpenEphysBinaryRawIO
    elif path.suffix.lower() in INTAN_SUFFIXES:
        cls = neo_rawio.IntanRawIO
    else:
        raise FormatError(
            "expected an Open Ephys binary folder or an Intan .rhd/.rhs file (or option 'io')",
            path=path,
        )
    target = path.parent if path.name == "structure.oebin" else path
    try:
        reader = (
            cls(dirname=str(target))
            if path.is_dir() or path.name == "structure.oebin"
            else cls(filename=str(target))
        )
        reader.parse_header()
    except Exception as exc:  # Neo raises many types for files it cannot parse
        raise FormatError(
            f"Neo's {cls.__name__} cannot read this recording ({type(exc).__name__}: {exc})",
            path=path,
        ) from exc
    return reader


def _say_recordings_left_out(reader: Any, path: Path) -> None:
    """Warn when ``path`` holds several recordings (Neo blocks / segments): the first is read.

    An Open Ephys folder holds one ``recording<N>`` per press of Record (Neo's segments) and
    one ``experiment<N>`` per restart of acquisition (blocks); the warning names the folders
    not read, each of which opens alone.
    """
    counts = [int(reader.segment_count(b)) for b in range(int(reader.block_count()))]
    total = sum(counts)
    if total <= 1:
        return
    folders = sorted(
        (p.parent for p in Path(path).rglob("structure.oebin")),
        key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(p))],
    )
    if len(folders) == total:
        first, others = str(folders[0]), ", ".join(f"'{f}'" for f in folders[1:])
        LOGGER.warning(
            "file '%s': holds %d recordings; read the first, '%s'; to read another, open its "
            "folder: %s",
            path,
            total,
            first,
            others,
        )
        return
    LOGGER.warning(
        "file '%s': holds %d recordings (Neo: %d blocks, segments %s); read the first "
        "(block 0, segment 0)",
        path,
        total,
        len(counts),
        counts,
    )


def load_recording_entries(
    path: Path,
    name: str,
    *,
    io_name: str | None = None,
    channels: Sequence[str | int] | None = None,
    clock: str = "time",
    stream: int | str | None = None,
) -> list[tuple[str, Any]]:
    """Read a recording into ``[(key, AnalogTimeSeries | DigitalEventSeries), ..., NewClock]``.

    Parameters
    ----------
    path : Path
        Open Ephys folder (any level down to ``recording<N>``) or Intan file.
    name : str
        Key prefix: ``<name>_<channel>`` and ``<name>_TTL<line>``.
    io_name : str, optional
        Neo raw IO class (``"OpenEphysBinary"``, ``"Intan"``, ...).
    channels : list of str or int, optional
        Channel names or indices in the stream (default: all).
    clock : str
        Name of the recording's clock.
    stream : int or str, optional
        Signal stream index or name (default: the first that is not digital).
    """
    from napari_whiskertoolbox.core.timeframe import TimeFrame

    reader = open_raw_io(path, io_name)
    _say_recordings_left_out(reader, path)
    streams = reader.header["signal_streams"]
    if len(streams) == 0:
        raise FormatError("the recording has no signal stream", path=path)
    index = _stream_index(streams, stream, path)
    rate = float(reader.get_signal_sampling_rate(stream_index=index))
    n = int(reader.get_signal_size(block_index=0, seg_index=0, stream_index=index))
    t_start = float(reader.get_signal_t_start(block_index=0, seg_index=0, stream_index=index))
    stream_channels = reader.header["signal_channels"][
        reader.header["signal_channels"]["stream_id"] == streams[index]["id"]
    ]
    picked = _pick_channels(stream_channels, channels, path)
    raw = _memmap(reader, path, index, len(stream_channels), n)
    entries: list[tuple[str, Any]] = []
    for k in picked:
        entries.append(
            (
                f"{name}_{_clean(str(stream_channels[k]['name']))}",
                _series(reader, raw, index, k, stream_channels[k]),
            )
        )
    entries += _ttl_events(reader, name, rate, t_start, n, path)
    keys = [key for key, _ in entries]
    # sample i is at t_start + i / rate: the recording's start is kept (Open Ephys and
    # Intan count from acquisition start), as three numbers, not n ticks
    ticks = TimeFrame.regular(n, 1.0, float(round(t_start * rate)), sampling_rate=rate)
    return [*entries, (clock, NewClock(clock, ticks, keys))]


def _stream_index(streams: Any, stream: int | str | None, path: Path) -> int:
    names = [str(s["name"]) for s in streams]
    if stream is None:
        analog = [i for i, s in enumerate(names) if not any(d in s for d in DIGITAL_STREAMS)]
        return analog[0] if analog else 0
    if isinstance(stream, int):
        if not 0 <= stream < len(names):
            raise FormatError(f"expected stream 0..{len(names) - 1}, got {stream}", path=path)
        return stream
    if stream not in names:
        raise FormatError(f"no signal stream {stream!r}; streams: {names}", path=path)
    return names.index(stream)


def _pick_channels(
    stream_channels: Any, wanted: Sequence[str | int] | None, path: Path
) -> list[int]:
    names = [str(c["name"]) for c in stream_channels]
    if wanted is None:
        return list(range(len(names)))
    picked = []
    for w in wanted:
        if isinstance(w, int) and not isinstance(w, bool) and 0 <= w < len(names):
            picked.append(w)
        elif isinstance(w, str) and w in names:
            picked.append(names.index(w))
        else:
            raise FormatError(f"no channel {w!r}; channels: {names}", path=path)
    return picked


def _memmap(reader: Any, path: Path, index: int, n_channels: int, n: int) -> np.ndarray | None:
    """Return the stream's samples as an (n, channels) memmap, or None when not possible."""
    has_api = reader.has_buffer_description_api
    if callable(has_api):
        has_api = has_api()
    if has_api:
        buffer_id = reader.header["signal_streams"][index]["buffer_id"]
        desc = reader.get_analogsignal_buffer_description(
            block_index=0, seg_index=0, buffer_id=buffer_id
        )
        if desc.get("type") == "raw" and tuple(desc["shape"]) == (n, n_channels):
            return np.memmap(
                desc["file_path"], dtype=desc["dtype"], mode="r", offset=int(desc["file_offset"]),
                shape=tuple(desc["shape"]), order=desc.get("order", "C"),
            )  # fmt: skip
    return None


def _series(reader: Any, raw: np.ndarray | None, index: int, k: int, channel: Any) -> Any:
    from napari_whiskertoolbox.core import AnalogTimeSeries

    gain, offset = float(channel["gain"]), float(channel["offset"])
    if raw is not None:
        head = reader.get_analogsignal_chunk(
            0, 0, 0, min(16, raw.shape[0]), stream_index=index, channel_indexes=[k]
        )
        if np.array_equal(np.asarray(head)[:, 0], raw[: len(head), k]):
            return AnalogTimeSeries.from_raw(raw[:, k], scale=gain, offset=offset)
    samples = np.asarray(
        reader.get_analogsignal_chunk(0, 0, None, None, stream_index=index, channel_indexes=[k])
    )[:, 0]
    steps = offset / gain if gain else 0.0
    if steps and float(steps).is_integer():
        # Intan's uint16 around 32768: shift in integers; float32 (raw * gain + offset) would
        # lose ~1e-4 of the value to cancellation against the large offset.
        shifted = samples.astype(np.int32) + np.int32(steps)
        return AnalogTimeSeries.from_raw(shifted, scale=gain, offset=0.0)
    return AnalogTimeSeries.from_raw(np.ascontiguousarray(samples), scale=gain, offset=offset)


def _ttl_events(
    reader: Any, name: str, rate: float, t_start: float, n: int, path: Path
) -> list[tuple[str, Any]]:
    """Return one event key per TTL line: rising-edge times as indices of the recording clock."""
    from napari_whiskertoolbox.core import DigitalEventSeries

    out: list[tuple[str, Any]] = []
    for c in range(reader.event_channels_count()):
        stamps, _durations, labels = reader.get_event_timestamps(
            block_index=0, seg_index=0, event_channel_index=c
        )
        seconds = np.asarray(
            reader.rescale_event_timestamp(stamps, event_channel_index=c), np.float64
        )
        lines = np.asarray(labels).astype(str)
        for line in sorted(set(lines.tolist()), key=_natural):
            ticks = np.rint((seconds[lines == line] - t_start) * rate).astype(np.int64)
            ticks = np.unique(ticks[(ticks >= 0) & (ticks < n)])
            out.append((f"{name}_TTL{_clean(line)}", DigitalEventSeries(ticks)))
    out += _digital_inputs(reader, name, n)
    return out


def _digital_inputs(reader: Any, name: str, n: int) -> list[tuple[str, Any]]:
    """Rising edges of Intan digital-input channels (read once to find the edges)."""
    from napari_whiskertoolbox.core import DigitalEventSeries

    out: list[tuple[str, Any]] = []
    streams = reader.header["signal_streams"]
    for s, stream in enumerate(streams):
        if not any(d in str(stream["name"]) for d in DIGITAL_STREAMS):
            continue
        channels = reader.header["signal_channels"][
            reader.header["signal_channels"]["stream_id"] == stream["id"]
        ]
        states = np.asarray(reader.get_analogsignal_chunk(0, 0, None, None, stream_index=s))
        for k, channel in enumerate(channels):
            high = states[:n, k] > 0
            rising = np.flatnonzero(high[1:] & ~high[:-1]) + 1
            if high.size and high[0]:
                rising = np.concatenate([[0], rising])
            out.append(
                (
                    f"{name}_{_clean(str(channel['name']))}",
                    DigitalEventSeries(rising.astype(np.int64)),
                )
            )
    return out


def _clean(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text.strip()) or "channel"


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 30, text)
