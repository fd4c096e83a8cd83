"""Import NWB files (pynwb + ndx-pose, extra ``[nwb]``).

A file written by :func:`~napari_whiskertoolbox.io.nwb_export.export_nwb` comes back as the
same keys, clocks, entity ids and pose sets (its ``whiskertoolbox`` processing module says
how). Any other NWB file maps:

- ``TimeSeries`` in ``acquisition`` and processing modules, also inside containers such as
  ``Position`` → ``analog`` (one key per column of 2-D data; values in the series' ``unit``:
  ``data * conversion + offset``, times ``channel_conversion``; the ``unit`` as the file
  has it, ``"a.u."`` too);
- ``TimeIntervals`` (``intervals``: epochs, trials, ...; or in a processing module) →
  ``digital_interval`` from each row's ``start_time`` to its ``stop_time``, its 1-D
  columns (a trial's ``correct``, ``reward_volume``, ``trial_type``: numbers, booleans,
  text) → the intervals' own columns (:mod:`.table_columns`: values by entity id, dtype,
  description), other columns (ragged ``tags``, references) named in a WARNING; rows
  without finite times or stopping before they start are left out, named in a WARNING;
- ``EventsTable`` (``events``, or in a processing module; read from the HDF5 file with a
  pynwb older than 4.0, which leaves ``/events`` out) → ``digital_event`` at its
  ``timestamp``, its 1-D columns → the events' own columns (:mod:`.table_columns`), its
  ``duration`` → ``digital_interval`` ``<name>_duration`` (each event that has one, from
  its time to its time + duration), other columns named in a WARNING;
- a ``BehavioralEvents`` container's ``TimeSeries`` (deprecated by NWB 2.10 for
  ``EventsTable``) → ``digital_event`` at its times (and ``analog`` ``<name>_values`` when
  its values vary);
- ndx-pose ``PoseEstimation`` → one ``points`` key per node, a pose set with its skeleton,
  on the clock of the opened ``ImageSeries`` it was tracked on (:meth:`_GenericImport.video_of`)
  when that video's frames hold every pose time (the set's source then names the video, its
  camera devices, and the series' shared ``confidence_definition`` and ``reference_frame``,
  which our export writes back);
- ndx-pose ``PoseTraining`` (training labels, as sleap-io's ``save_nwb`` writes a project's
  user labels) → one ``points`` key per (instance, node), a pose set per source video, and
  that video as media;
- ``ImageSeries`` with ``external_file`` → ``video`` / ``images`` (relative to the file; one
  whose file is missing is left out, with a WARNING on the ``napari_whiskertoolbox.io``
  logger naming it).

Times are seconds in NWB. Each imported object gets a clock of its own whose values are
ticks of one master rate, so that objects line up with each other: a common multiple of the
file's ``rate`` s (pose series' included, and an EventsTable's ``1 / resolution``; 1 kHz when
none has one) at which every time the file states is a whole tick
(:func:`~.tick_rate.exact_tick_rate`), so that an export writes the very same seconds back
(a WARNING names times no tick up to a nanosecond holds, with their rounding error).

A ``PoseEstimation`` without a linked ``ImageSeries`` whose ``original_videos`` names one
video file that is there (DeepLabCut's own NWB export) opens that video as media, on the
frame times of its series' ``rate`` (else the video's frame rate).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from napari_whiskertoolbox.core.entity import allocate_ids
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS, RAGGED_KINDS
from napari_whiskertoolbox.core.tensor import ROW_TYPES
from napari_whiskertoolbox.io.contributions import NewClock
from napari_whiskertoolbox.io.csv_tools import check_file
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.h5_limits import check_dataset_size
from napari_whiskertoolbox.io.nwb_export import NO_UNIT, OUR_MODULE
from napari_whiskertoolbox.io.optional import require
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL, PoseSet
from napari_whiskertoolbox.io.report import LOGGER
from napari_whiskertoolbox.io.table_columns import TableColumns, column_record
from napari_whiskertoolbox.io.tick_rate import exact_tick_rate
from napari_whiskertoolbox.media._common import natural_sort_key

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Mapping

    from napari_whiskertoolbox.core.tensor import RowType


__all__ = [
    "DEFAULT_MASTER_RATE",
    "NWB_EXPORT",
    "exported_confidences",
    "load_nwb_entries",
    "pose_confidences",
    "series_seconds",
]

DEFAULT_MASTER_RATE = 1000.0
"""Master-clock ticks per second for a generic file whose series have no ``rate``."""


def load_nwb_entries(
    path: str | os.PathLike[str],
    *,
    kinds: Iterable[str] | None = None,
    prefix: str | None = None,
    taken: set[str] | None = None,
) -> list[tuple[str, Any]]:
    """Read an NWB file into ``[(key, object), ..., (name, PoseSet), (clock, NewClock)]``.

    Parameters
    ----------
    path : path-like
        The ``.nwb`` file.
    kinds : iterable of str, optional
        Only these data kinds (default: all).
    prefix : str, optional
        Prefix of generic keys (``<prefix>_<object name>``); our own exports keep their keys.
    taken : set of str, optional
        Keys already used (generic keys avoid them).

    Raises
    ------
    FormatError
        Not an NWB file, or an object that does not fit (names the file and object).
    MissingDependencyError
        pynwb is not installed (extra ``[nwb]``).
    """
    pynwb = require("pynwb", "reading NWB files")
    with contextlib.suppress(ImportError):
        import ndx_pose  # noqa: F401 - registers the extension's classes with pynwb
    path = check_file(path, "NWB file")
    wanted = None if kinds is None else set(kinds)
    try:
        with pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
            nwbfile = io.read()
            if (
                OUR_MODULE in nwbfile.processing
                and "keys" in nwbfile.processing[OUR_MODULE].data_interfaces
            ):
                entries = _OurImport(nwbfile, path).entries()
            else:
                entries = _GenericImport(nwbfile, path, prefix, taken or set()).entries()
    except FormatError:
        raise
    except Exception as exc:  # pynwb/hdmf/h5py raise many types for a damaged file
        raise FormatError(
            f"cannot read as an NWB file ({type(exc).__name__}: {exc})", path=path
        ) from exc
    return _only(entries, wanted)


def _only(entries: list[tuple[str, Any]], wanted: set[str] | None) -> list[tuple[str, Any]]:
    if wanted is None:
        return entries
    from napari_whiskertoolbox.core.kinds import data_type_of

    kept = [(k, o) for k, o in entries if not _is_meta(o) and data_type_of(o) in wanted]
    names = {k for k, _ in kept}
    meta: list[tuple[str, Any]] = []
    for name, obj in entries:
        if isinstance(obj, NewClock) and names & set(obj.keys):
            meta.append((name, NewClock(obj.name, obj.clock, [k for k in obj.keys if k in names])))
        elif (isinstance(obj, PoseSet) and names & set(obj.all_keys())) or (
            isinstance(obj, TableColumns) and obj.key in names
        ):
            meta.append((name, obj))
    return kept + meta


def _is_meta(obj: Any) -> bool:
    return isinstance(obj, (NewClock, PoseSet, TableColumns))


def _ticks(seconds: np.ndarray, rate: float) -> np.ndarray:
    return np.rint(np.asarray(seconds, np.float64) * rate).astype(np.int64)


def _read(dataset: Any, path: Path, what: str, dtype: Any = None) -> np.ndarray:
    """Read a whole dataset, refusing one whose declared size the file cannot hold."""
    check_dataset_size(dataset, path, what)
    return np.asarray(dataset[:], dtype)


def _in_units(series: Any, data: np.ndarray) -> np.ndarray:
    """Return stored ``data`` in the series' ``unit``: ``data * conversion + offset``.

    ``channel_conversion`` (an ``ElectricalSeries``' per-channel factor) applies too. Stored
    values come back unchanged (same array) when every factor is neutral; else float32.
    """
    conversion = float(getattr(series, "conversion", None) or 1.0)
    offset = float(getattr(series, "offset", None) or 0.0)
    channel = getattr(series, "channel_conversion", None)
    if conversion == 1.0 and offset == 0.0 and channel is None:
        return data
    values = data.astype(np.float32) * np.float32(conversion)
    if channel is not None and data.ndim == 2:
        values *= np.asarray(channel[:], np.float32)[None, :]
    return values + np.float32(offset)


def series_seconds(series: Any, n: int) -> np.ndarray:
    """Return the time in seconds of each of the ``n`` samples of a TimeSeries.

    float64 ``(n,)``: its ``timestamps``, else ``starting_time + i / rate``.
    """
    if series.timestamps is not None:
        return np.asarray(series.timestamps[:], np.float64)
    start = float(series.starting_time or 0.0)
    return start + np.arange(n, dtype=np.float64) / float(series.rate)


def pose_confidences(
    source: dict[str, Any],
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Return the confidence of each point of a pose set read from an ndx-pose file.

    Parameters
    ----------
    source : dict
        :attr:`~.pose.PoseSet.source` of a set this module read from a ``PoseEstimation``
        (``format`` ``"nwb"``, ``path``, ``estimation``).

    Returns
    -------
    dict or None
        ``{node: (times, coords, confidence)}`` for each ``PoseEstimationSeries`` with a
        ``confidence``: times ``(n,)`` int64 on the set's clock as reading numbered them,
        coords ``(n, 2)`` float32 as read (finite), confidence ``(n,)`` float64 (NaN where
        the file has none). None when the file or the estimation is gone.
    """
    path, name = source.get("path"), source.get("estimation")
    if not path or not name or not Path(path).is_file():
        return None
    pynwb = require("pynwb", "NWB files")
    with pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        for module in nwbfile.processing.values():
            estimation = module.data_interfaces.get(name)
            if type(estimation).__name__ == "PoseEstimation":
                break
        else:
            return None
        series = dict(estimation.pose_estimation_series)
        seconds = {bp: series_seconds(s, len(s.data)) for bp, s in series.items()}
        instants = np.unique(np.concatenate(list(seconds.values()))) if seconds else np.empty(0)
        out = {}
        for bp, one in series.items():
            if one.confidence is None:
                continue  # no score: drawn as labels (as a DeepLabCut column without likelihood)
            coords = _read(one.data, Path(path), bp, np.float32)[:, :2]
            confidence = _read(one.confidence, Path(path), f"{bp} confidence", np.float64)
            keep = np.isfinite(coords).all(axis=1)[: len(confidence)]
            times = np.searchsorted(instants, seconds[bp])
            rows = np.flatnonzero(keep)
            order = np.argsort(times[rows], kind="stable")
            rows = rows[order]
            out[bp] = (times[rows].astype(np.int64), coords[rows], confidence[rows])
    return out


NWB_EXPORT = "nwb_export"
"""``PoseSet.source`` entry of a set read from our export: ``{"path", "pose"}``, where its
confidences are when the file it came from (DeepLabCut, SLEAP) is not at hand."""


def exported_confidences(
    source: dict[str, Any],
) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Return the confidences our NWB export holds for a pose set read back from it.

    Parameters
    ----------
    source : dict
        :attr:`~.pose.PoseSet.source` of a set read from one of our exports (its
        :data:`NWB_EXPORT` entry names the file and the set).

    Returns
    -------
    dict or None
        ``{(individual, bodypart): (times, coords, confidence)}``: times on the key's clock
        as the import numbered them, coords float32 as read, confidence float64 (the
        source's score for a point as read, 1 for a label). None: no such file.
    """
    info = source.get(NWB_EXPORT) or {}
    path, pose = info.get("path"), info.get("pose")
    if not path or not pose or not Path(path).is_file():
        return None
    pynwb = require("pynwb", "NWB files")
    with contextlib.suppress(ImportError):
        import ndx_pose  # noqa: F401 - registers the extension's classes with pynwb
    with pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        if OUR_MODULE not in nwbfile.processing:
            return None
        return _OurImport(nwbfile, Path(path)).confidences(str(pose))


class _OurImport:
    """Rebuild the DataManager content of one of our exports."""

    def __init__(self, nwbfile: Any, path: Path) -> None:
        self.nwbfile = nwbfile
        self.path = path
        self.module = nwbfile.processing[OUR_MODULE]
        self.clocks: dict[str, tuple[Any, float]] = {}
        self.stored_events: dict[str, _StoredEventsTable] | None = None
        self._pose_facts: dict[str, dict[str, Any]] | None = None

    def entries(self) -> list[tuple[str, Any]]:
        self.read_clocks()
        rows = self.module["keys"].to_dataframe()
        out: list[tuple[str, Any]] = []
        bound: dict[str, list[str]] = {name: [] for name in self.clocks}
        pose_rows = []
        for _, row in rows.iterrows():
            if row["kind"] == "pose_set":
                pose_rows.append(row)
                continue
            try:
                obj = self.read_key(row)
            except _MissingExternalFile as exc:  # the video stayed behind: the rest is wanted
                LOGGER.warning("%s; left out", exc)
                continue
            if obj is None:
                continue
            out.append((str(row["key"]), obj))
            bound.setdefault(str(row["clock"]), []).append(str(row["key"]))
            columns = self.table_columns(row)
            if columns is not None:
                out.append((str(row["key"]), columns))
        for row in pose_rows:
            out.append((str(row["key"]), self.pose_set(row, rows)))
        for name, (clock, _) in self.clocks.items():
            out.append((name, NewClock(name, clock, bound.get(name, []))))
        return out

    def confidences(self, pose: str) -> dict[tuple[str, str], tuple[Any, Any, Any]]:
        """Return ``{(individual, bodypart): (times, coords, confidence)}`` of pose set ``pose``.

        Times are on each key's clock as :meth:`read_key` numbers them, coords float32 as
        it reads them.
        """
        self.read_clocks()
        rows = self.module["keys"].to_dataframe()
        out = {}
        for _, row in rows[(rows["pose"] == pose) & (rows["kind"] == "points")].iterrows():
            if not row["nwb_path"]:
                continue
            obj = self.obj(str(row["nwb_path"]))
            if getattr(obj, "confidence", None) is None:
                continue
            coords = _read(obj.data, self.path, obj.name, np.float32)[:, :2]
            times = self.indices(str(row["clock"]), series_seconds(obj, len(coords)))
            confidence = _read(obj.confidence, self.path, f"{obj.name} confidence", np.float64)
            keep = np.isfinite(coords).all(axis=1)  # a row per frame: NaN where absent
            out[(str(row["individual"]), str(row["bodypart"]))] = (
                np.asarray(times, np.int64)[keep],
                coords[keep],
                confidence[keep],
            )
        return out

    def table_columns(self, row: Any) -> TableColumns | None:
        """Return the columns an events or intervals key's table kept from its source file.

        The keys table's ``table_columns`` (a JSON list) names them; their values are tied to
        the table's ``entity_id`` s. None: the key has none (or the file predates them).
        """
        names = json.loads(str(row["table_columns"])) if "table_columns" in row.index else []
        if not names:
            return None
        table = self.obj(str(row["nwb_path"]))
        ids = np.asarray(table["entity_id"][:], np.uint64)
        columns = {}
        for name in names:
            stored = _row_column(table, name)
            if stored is None:
                raise FormatError(
                    f"{row['nwb_path']}: the keys table names column {name!r}, which it "
                    "does not hold as a 1-D column",
                    path=self.path,
                )
            values = _read(stored, self.path, f"{table.name} {name}")
            record = column_record(values, ids, _description(table, name))
            if record is not None:
                columns[str(name)] = record
        return TableColumns(str(row["key"]), columns)

    def read_clocks(self) -> None:
        from napari_whiskertoolbox.core.timeframe import TimeFrame

        for name, table in self.module.data_interfaces.items():
            if not name.startswith("clock_"):
                continue
            info = json.loads(table.description)
            rate = info.get("sampling_rate")
            if "count" in info:  # a regular clock: its rate form, no ticks
                clock = TimeFrame.regular(
                    int(info["count"]),
                    float(info["tick_step"]),
                    float(info["first_tick"]),
                    sampling_rate=rate,
                )
            else:
                clock = TimeFrame(np.asarray(table["ticks"][:], np.int64), sampling_rate=rate)
            self.clocks[str(info["clock"])] = (clock, info.get("ticks_per_second") or rate)

    def rate_of(self, clock_name: str) -> float:
        rate = self.clocks[clock_name][1]
        if rate:
            return float(rate)
        time_rate = self.clocks.get("time", (None, None))[1]
        if time_rate:
            return float(time_rate)
        raise FormatError(f"clock {clock_name!r} has no sampling rate", path=self.path)

    def indices(self, clock_name: str, seconds: np.ndarray) -> np.ndarray:
        clock = self.clocks[clock_name][0]
        ticks = _ticks(seconds, self.rate_of(clock_name))
        return ticks if len(clock) == 0 else np.asarray(clock.indices_at_times(ticks), np.int64)

    def obj(self, nwb_path: str) -> Any:
        parts = nwb_path.split("/")
        if parts[0] == "acquisition":
            return self.nwbfile.acquisition[parts[1]]
        if parts[0] == "events":
            if not _reads_events(self.nwbfile):  # pynwb < 4.0 skips /events
                if self.stored_events is None:
                    self.stored_events = _stored_events_tables(self.path)
                return self.stored_events[parts[1]]
            return self.nwbfile.events[parts[1]]
        if parts[0] == "intervals":
            return self.nwbfile.intervals[parts[1]]
        container = self.nwbfile.processing[parts[1]][parts[2]]
        return container.pose_estimation_series[parts[3]] if len(parts) == 4 else container

    def read_key(self, row: Any) -> Any:
        from napari_whiskertoolbox.core import (
            AnalogTimeSeries,
            DigitalEventSeries,
            DigitalIntervalSeries,
            PointData,
            TensorData,
        )
        from napari_whiskertoolbox.core.lines import LineData
        from napari_whiskertoolbox.core.masks import MaskData
        from napari_whiskertoolbox.core.ragged import ImageSize

        kind, clock = str(row["kind"]), str(row["clock"])
        size = (
            ImageSize(int(row["image_width"]), int(row["image_height"]))
            if int(row["image_width"]) >= 0
            else None
        )
        if kind == "points" and not row["nwb_path"]:
            return PointData.from_flat(
                np.empty(0, np.int64), np.empty((0, 2), np.float32), image_size=size
            )
        obj = self.obj(str(row["nwb_path"]))
        if kind == "analog":
            values = _read(obj.data, self.path, obj.name, np.float32)
            times = self.indices(clock, series_seconds(obj, len(values)))
            dense = np.array_equal(times, np.arange(len(values)))
            return AnalogTimeSeries(values, None if dense else times, unit=_our_unit(obj, row))
        if kind == "digital_event":
            if hasattr(obj, "colnames"):
                times = self.indices(clock, np.asarray(obj["timestamp"][:], np.float64))
                return DigitalEventSeries(times, np.asarray(obj["entity_id"][:], np.uint64))
            times = self.indices(clock, series_seconds(obj, len(obj.data)))
            return DigitalEventSeries(times, _entity_ids(row))
        if kind == "digital_interval":
            starts = self.indices(clock, np.asarray(obj["start_time"][:], np.float64))
            stops = self.indices(clock, np.asarray(obj["stop_time"][:], np.float64))
            return DigitalIntervalSeries(
                np.stack([starts, stops], axis=1),
                np.asarray(obj["entity_id"][:], np.uint64),
                layout="overlapping" if row["layout"] == "overlapping" else "disjoint",
            )
        if kind in MEDIA_KINDS:
            return _open_external(obj, self.path)
        if kind == "points" and hasattr(obj, "reference_frame"):
            coords = _read(obj.data, self.path, obj.name, np.float32)
            times = self.indices(clock, series_seconds(obj, len(coords)))
            keep = np.isfinite(coords).all(axis=1)  # a row per frame: NaN where absent
            keep &= ~self.hidden(row, obj, len(coords))
            return PointData.from_flat(
                times[keep], coords[keep], ids=_entity_ids(row), image_size=size
            )
        if kind in RAGGED_KINDS:
            cls = {"points": PointData, "line": LineData, "mask": MaskData}[kind]
            times = np.asarray(obj["frame"][:], np.int64)
            ids = np.asarray(obj["entity_id"][:], np.uint64)
            x_index = obj["x"]
            ends = np.asarray(x_index.data[:], np.int64)
            x = np.asarray(x_index.target.data[:])
            y = np.asarray(obj["y"].target.data[:])
            coords = np.stack([x, y], axis=1)
            offsets = None if kind == "points" else np.concatenate([[0], ends])
            return cls.from_flat(times, coords, offsets=offsets, ids=ids, image_size=size)
        if kind == "tensor":
            names = json.loads(str(row["names"]))
            values = np.asarray(obj["values"][:], np.float32)
            rows = np.asarray(obj["row"][:]) if "row" in obj.colnames else None
            row_type = str(row["row_type"] or "ordinal")
            if row_type not in ROW_TYPES:
                raise FormatError(f"unknown tensor row type {row_type!r}", path=self.path)
            return TensorData(
                values, column_names=names, row_type=cast("RowType", row_type), rows=rows
            )
        raise FormatError(f"unknown data kind {kind!r} in the keys table", path=self.path)

    def hidden(self, row: Any, series: Any, n: int) -> np.ndarray:
        """Return which of a pose series' ``n`` rows are predictions the session did not show.

        The export writes a DeepLabCut set's predictions below its likelihood threshold too
        (:mod:`.pose_written`); the session they came from held no point there, nor does the
        one read back (they stay in the file, and are written again from it). The rule is
        reading's (:func:`~.pose_written.threshold_hides`): a NaN confidence is hidden, except
        in the rows the export lists as ``unscored`` (shown with a score not given).
        """
        from napari_whiskertoolbox.io.pose_written import hiding_threshold, threshold_hides

        out = np.zeros(n, bool)
        facts = self.pose_facts().get(str(row.get("pose", "")), {})
        threshold = hiding_threshold(facts.get("source") or {})
        if threshold is None or getattr(series, "confidence", None) is None:
            return out
        confidence = _read(series.confidence, self.path, f"{series.name} confidence", np.float64)
        confidence = confidence[:n]
        unknown = np.zeros(len(confidence), bool)
        rows = np.asarray((facts.get("unscored") or {}).get(str(row.get("key", "")), []), np.int64)
        unknown[rows[rows < len(confidence)]] = True
        out[: len(confidence)] = threshold_hides(confidence, threshold, unknown)
        return out

    def pose_set(self, row: Any, rows: Any) -> PoseSet:
        name = str(row["key"])
        mine = rows[(rows["pose"] == name) & (rows["kind"] == "points")]
        keys: dict[str, dict[str, str]] = {}
        for _, r in mine.iterrows():
            keys.setdefault(str(r["individual"]), {})[str(r["bodypart"])] = str(r["key"])
        facts = self.pose_facts().get(name, {})  # files of older versions have none
        source = dict(facts.get("source") or {})
        source.update(format=str(row["source_format"]), path=str(row["source_path"]))
        # The scores travel in this file too: read when the source file is not at hand.
        source[NWB_EXPORT] = {"path": str(self.path.resolve()), "pose": name}
        size = facts.get("point_size")
        return PoseSet(
            name=name,
            bodyparts=[str(b) for b in json.loads(str(row["names"]))],
            individuals=[str(i) for i in json.loads(str(row["individuals"]))],
            skeleton=[(str(a), str(b)) for a, b in json.loads(str(row["skeleton"]))],
            keys=keys,
            source=source,
            point_size=float(size) if isinstance(size, (int, float)) and size > 0 else None,
            colormap=_name(facts.get("colormap")),
            skeleton_color=_name(facts.get("skeleton_color")),
        )

    def pose_facts(self) -> dict[str, dict[str, Any]]:
        """Return ``{pose set: facts}`` from the ``pose_set_<name>`` tables' JSON descriptions."""
        if self._pose_facts is not None:
            return self._pose_facts
        out: dict[str, dict[str, Any]] = {}
        self._pose_facts = out
        for name, table in self.module.data_interfaces.items():
            if not name.startswith("pose_set_"):
                continue
            try:
                info = json.loads(table.description)
            except (ValueError, TypeError):
                continue  # a key's own table that happens to have the name
            if isinstance(info, dict) and isinstance(info.get("pose_set"), str):
                out[info["pose_set"]] = info
        return out


def _legacy(estimation: Any, name: str) -> Any:
    """Return ndx-pose 0.1's ``nodes``/``edges`` of a PoseEstimation (None when absent).

    ndx-pose 0.2 raises ``ValueError`` for them on an estimation without a ``Skeleton``
    (which the format allows): its nodes are then its series' names.
    """
    try:
        value = getattr(estimation, name, None)
    except ValueError:
        return None
    return None if value is None else list(value[:])


def _unit(series: Any) -> str | None:
    """Return a TimeSeries' ``unit`` exactly as the file has it (``"a.u."`` too); None: none."""
    unit = getattr(series, "unit", None)
    return None if unit in (None, "") else str(unit)


def _our_unit(series: Any, row: Any) -> str | None:
    """Return the unit of an analog key read back from our export.

    The keys table's ``unit`` column holds the key's unit (``""``: none, written as
    :data:`~.nwb_export.NO_UNIT`); exports without that column wrote ``NO_UNIT`` (or
    ``"n.a."``) for none.
    """
    if "unit" in row.index:
        return str(row["unit"]) or None
    unit = getattr(series, "unit", None)
    return None if unit in (None, "", NO_UNIT, "n.a.") else str(unit)


def _entity_ids(row: Any) -> np.ndarray:
    ids = row["entity_ids"] if "entity_ids" in row.index else []
    return np.asarray(ids, np.uint64)


def _reads_events(nwbfile: Any) -> bool:
    """Say whether pynwb read the file's ``/events`` (pynwb 4.0+, NWB 2.10's EventsTable)."""
    return hasattr(nwbfile, "events")


class _StoredEventsTable:
    """An ``EventsTable`` read from the HDF5 file itself, for a pynwb older than 4.0.

    Such a pynwb opens an NWB 2.10+ file but leaves its ``/events`` group out. ``columns``
    maps each column of ``colnames`` to its values (a numeric or text 1-D dataset read whole)
    or None (ragged, a reference to another table: not read); ``descriptions`` each column's
    description.
    """

    neurodata_type = "EventsTable"

    def __init__(
        self,
        name: str,
        columns: dict[str, np.ndarray | None],
        resolution: float | None = None,
        descriptions: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.colnames = list(columns)
        self.columns = columns
        self.resolution = resolution
        self.descriptions = descriptions or {}

    def __getitem__(self, column: str) -> np.ndarray:
        values = self.columns.get(column)
        if values is None:
            raise KeyError(column)
        return values


def _stored_events_tables(path: Path) -> dict[str, _StoredEventsTable]:
    """Return ``{name: table}`` for the ``EventsTable``s of ``/events``, read with h5py."""
    import h5py

    def text(value: Any) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    out: dict[str, _StoredEventsTable] = {}
    with h5py.File(path, "r") as file:
        group = file.get("events")
        if not isinstance(group, h5py.Group):
            return out
        for name, table in group.items():
            if not isinstance(table, h5py.Group):
                continue
            if text(table.attrs.get("neurodata_type", "")) != "EventsTable":
                continue
            columns: dict[str, np.ndarray | None] = {}
            descriptions: dict[str, str] = {}
            for column in (text(c) for c in table.attrs.get("colnames", [])):
                data = table.get(column)
                plain = (
                    isinstance(data, h5py.Dataset)
                    and f"{column}_index" not in table
                    and text(data.attrs.get("neurodata_type", "")) != "DynamicTableRegion"
                    and data.dtype.kind in "biufSO"
                    and data.ndim == 1
                )
                columns[column] = _read(data, path, f"{name} {column}") if plain else None
                if isinstance(data, h5py.Dataset):
                    descriptions[column] = text(data.attrs.get("description", ""))
            stamps = table.get("timestamp")
            resolution = stamps.attrs.get("resolution") if stamps is not None else None
            out[str(name)] = _StoredEventsTable(
                str(name), columns, None if resolution is None else float(resolution), descriptions
            )
    return out


def _resolution(table: Any) -> float | None:
    """Return an EventsTable's timestamp ``resolution`` in seconds (None: not stated, or not > 0)."""
    if isinstance(table, _StoredEventsTable):
        value = table.resolution
    else:
        stamps = table["timestamp"] if "timestamp" in table.colnames else None
        value = getattr(stamps, "resolution", None)
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return seconds if seconds is not None and np.isfinite(seconds) and seconds > 0 else None


def _numeric_column(table: Any, column: str) -> Any:
    """Return the stored 1-D numeric or boolean column ``column`` of ``table``, else ``None``.

    ``None`` for text, ragged, reference, compound and n-D columns (the readers name those in
    their warning of columns not read).
    """
    stored = _plain_column(table, column)
    dtype = getattr(stored, "dtype", None)
    shape = tuple(getattr(stored, "shape", ()))
    if dtype is None or np.dtype(dtype).kind not in "biuf" or len(shape) != 1:
        return None
    return stored


_OUR_TABLE_COLUMNS = frozenset({"id", "entity_id", "start_time", "stop_time", "timestamp"})
"""Columns the export writes from the keys themselves (never kept as a table column)."""


def _row_column(table: Any, column: str) -> Any:
    """Return the stored 1-D numeric, boolean or text column ``column`` of ``table``, else None.

    None for ragged, reference, compound and n-D columns (named in the readers' warning of
    columns not read).
    """
    stored = _plain_column(table, column)
    dtype = getattr(stored, "dtype", None)
    shape = tuple(getattr(stored, "shape", ()))
    if dtype is None or np.dtype(dtype).kind not in "biufSUO" or len(shape) != 1:
        return None
    return stored


def _description(table: Any, column: str) -> str:
    """Return the description of a table's column (``""``: none)."""
    if isinstance(table, _StoredEventsTable):
        return table.descriptions.get(column, "")
    if column not in table.colnames:
        return ""
    return str(getattr(table[column], "description", "") or "")


def _plain_column(table: Any, column: str) -> Any:
    """Return the stored values of a table's column (h5py dataset or array).

    None for a ragged column (its ``VectorIndex``), a reference to another table, or a
    column :func:`_stored_events_tables` did not read.
    """
    from hdmf.common import DynamicTableRegion, VectorIndex

    if isinstance(table, _StoredEventsTable):
        return table.columns.get(column)
    if column not in table.colnames:
        return None
    vector = table[column]
    if isinstance(vector, (VectorIndex, DynamicTableRegion)):
        return None
    return vector.data


class _MissingExternalFile(FormatError):
    """An ImageSeries' ``external_file`` is not there (videos travel apart from the file)."""


def _open_external(series: Any, nwb_path: Path) -> Any:
    from napari_whiskertoolbox.media import open_media

    files = [str(f) for f in (series.external_file[:] if series.external_file is not None else [])]
    if not files:
        raise FormatError(f"ImageSeries {series.name!r} has no external_file", path=nwb_path)
    resolved = [(nwb_path.parent / f).resolve() for f in files]
    missing = [f for f in resolved if not f.exists()]
    if missing:
        raise _MissingExternalFile(
            f"ImageSeries {series.name!r} points at {str(missing[0])!r}, which does not exist",
            path=nwb_path,
        )
    target = resolved[0] if len(resolved) == 1 else resolved[0].parent
    return open_media(target)


class _GenericImport:
    """Map the standard NWB types of any file to keys, each on its own clock."""

    def __init__(self, nwbfile: Any, path: Path, prefix: str | None, taken: set[str]) -> None:
        self.nwbfile = nwbfile
        self.path = path
        self.prefix = prefix
        self.taken = set(taken)
        self.out: list[tuple[str, Any]] = []
        self.found_events: list[Any] | None = None
        self.rate = self.master_rate()
        self.videos: dict[int, _OpenedVideo] = {}
        """The external ImageSeries opened as media, by ``id`` of the series."""

    def master_rate(self) -> float:
        """Return the ticks per second of the imported clocks: every time of the file exact.

        A common multiple of the series' ``rate`` (pose series' included, and an
        EventsTable's ``1 / resolution``; :data:`DEFAULT_MASTER_RATE` when none has one),
        refined until each timestamp, starting time and interval bound is a whole tick
        (:func:`~.tick_rate.exact_tick_rate`), so that an export writes the same seconds.
        Times no rate up to a nanosecond holds are named in a WARNING with their largest
        rounding error.
        """
        series = self.time_series() + self.training_videos() + self.pose_series()
        rates = [float(s.rate) for s in series if getattr(s, "rate", None)]
        # An EventsTable's timestamp resolution (its clock's period) counts as a rate too,
        # so that events timed on a 30 kHz acquisition clock keep their times.
        rates += [1.0 / r for r in map(_resolution, self.events_tables()) if r]
        chosen = exact_tick_rate(rates, self.timed(series), DEFAULT_MASTER_RATE)
        for name, error in chosen.inexact:
            LOGGER.warning(
                "file '%s': the times of %s are not whole ticks of any rate to a nanosecond; "
                "they are rounded to %g Hz ticks (largest rounding error %.3g s)",
                self.path,
                name,
                chosen.rate,
                error,
            )
        return chosen.rate

    def timed(self, series: list[Any]) -> list[tuple[str, np.ndarray]]:
        """Return ``(name, seconds)`` of every time the file states (for :meth:`master_rate`).

        A series' ``timestamps``, else its ``starting_time``; an interval table's starts and
        stops; an EventsTable's timestamps and their ends (timestamp + duration).
        """
        out: list[tuple[str, np.ndarray]] = []
        for one in series:
            what = f"{type(one).__name__} '{one.name}'"
            if one.timestamps is not None:
                out.append((what, _read(one.timestamps, self.path, f"{one.name} timestamps")))
            elif one.starting_time:
                out.append((what, np.asarray([float(one.starting_time)])))
        for table in self.interval_tables():
            stored = [_plain_column(table, c) for c in ("start_time", "stop_time")]
            bounds = [
                _read(c, self.path, table.name, np.float64).ravel() for c in stored if c is not None
            ]
            if bounds:
                out.append((f"TimeIntervals '{table.name}'", np.concatenate(bounds)))
        for table in self.events_tables():
            stored = _plain_column(table, "timestamp")
            if stored is None:
                continue
            stamps = _read(stored, self.path, f"{table.name} timestamp", np.float64).ravel()
            duration = _numeric_column(table, "duration")
            ends = [stamps]
            if duration is not None and duration.shape == stamps.shape:
                ends.append(stamps + _read(duration, self.path, table.name, np.float64))
            out.append((f"EventsTable '{table.name}'", np.concatenate(ends)))
        return out

    def pose_series(self) -> list[Any]:
        """Return the ``PoseEstimationSeries`` of the file's ndx-pose ``PoseEstimation``s.

        Their ``rate`` (a video's frame rate) counts for the master clock, so that a frame's
        time is a whole tick (1/30 s is no whole tick of 1 kHz).
        """
        return [
            one
            for module in self.nwbfile.processing.values()
            for obj in module.data_interfaces.values()
            if type(obj).__name__ == "PoseEstimation"
            for one in obj.pose_estimation_series.values()
        ]

    def training_videos(self) -> list[Any]:
        """Return the source videos (ImageSeries) of the file's ndx-pose ``PoseTraining``."""
        found: list[Any] = []
        for module in self.nwbfile.processing.values():
            for obj in module.data_interfaces.values():
                if type(obj).__name__ == "PoseTraining" and obj.source_videos is not None:
                    found += list(obj.source_videos.image_series.values())
        return found

    def time_series(self) -> list[Any]:
        """Return the TimeSeries of ``acquisition`` and of the processing modules.

        Those a container holds (``Position``, ``BehavioralTimeSeries``, ``PupilTracking``...)
        are included.
        """
        from pynwb import TimeSeries

        found: list[Any] = []
        groups = [self.nwbfile.acquisition.values()]
        groups += [module.data_interfaces.values() for module in self.nwbfile.processing.values()]
        for group in groups:
            for obj in group:
                if isinstance(obj, TimeSeries):
                    found.append(obj)
                elif type(obj).__name__ != "PoseEstimation":  # its series are keypoints
                    children = getattr(obj, "children", ())
                    found += [c for c in children if isinstance(c, TimeSeries)]
        return found

    def say_columns_left_out(
        self, table: Any, read: Iterable[str], kind: str, what: str = "times only"
    ) -> None:
        """Warn, naming them, about a table's columns the import does not read (trial outcome...)."""
        read = set(read)
        others = [str(c) for c in table.colnames if c not in read]
        if others:
            LOGGER.warning(
                "file '%s': %s table '%s' opens as %s (%s); its columns %s are not read",
                self.path,
                getattr(table, "neurodata_type", None) or type(table).__name__,
                table.name,
                kind,
                what,
                ", ".join(f"'{c}'" for c in others),
            )

    def events_tables(self) -> list[Any]:
        """Return the file's ``EventsTable``s: those in ``/events``, then any in a processing module.

        ``/events`` is where NWB (schema 2.10+) puts them; a table in a processing module is a
        ``DynamicTable`` like any other there, so it is found too.
        """
        if self.found_events is not None:
            return self.found_events
        if not _reads_events(self.nwbfile):  # pynwb < 4.0 skips /events: read it with h5py
            self.found_events = list(_stored_events_tables(self.path).values())
            return self.found_events
        self.found_events = self.tables_here_and_in_modules(
            getattr(self.nwbfile, "events", None), lambda obj: type(obj).__name__ == "EventsTable"
        )
        return self.found_events

    def add_events_table(self, table: Any) -> None:
        """Add an ``EventsTable``: an event key ``<name>`` at its ``timestamp`` (seconds).

        Its other columns, as the ``data`` of a ``BehavioralEvents`` series becomes one in
        NWB's migration (a reward's volume, a port number):

        - ``duration`` (seconds, NaN for an event without one): an interval key
          ``<name>_duration`` from each event's time to its time + duration, for the events
          that have one (NWB anchors an event at its timestamp, a duration being optional
          and possibly mixed, so the events key keeps every row; a table whose every row has
          a start and a stop is a ``TimeIntervals``, read as intervals);
        - a 1-D column of numbers, booleans or text (``annotation``): the events' own
          column (:meth:`add_columns`), a value per event in its dtype;
        - any other (ragged, references, n-D): named in a WARNING.

        A row whose timestamp is not finite, or whose duration is negative, is left out
        (of the events, resp. the intervals), with a WARNING counting them.
        """
        from napari_whiskertoolbox.core import DigitalEventSeries

        where = f"file '{self.path}': EventsTable '{table.name}'"
        stamp_column = _plain_column(table, "timestamp")
        if stamp_column is None:
            raise FormatError(f"EventsTable {table.name!r} has no timestamp column", path=self.path)
        stamps = _read(stamp_column, self.path, f"{table.name} timestamp", np.float64)
        finite = np.isfinite(stamps)
        if not finite.all():
            LOGGER.warning(
                "%s: %d event(s) without a finite timestamp are left out",
                where,
                int((~finite).sum()),
            )
        seconds = stamps[finite]
        instants = np.unique(seconds)
        name = self.key(table.name)
        self.add(
            name,
            DigitalEventSeries(np.searchsorted(instants, seconds), allocate_ids(len(seconds))),
            instants,
        )
        events = cast("Any", self.out[-2][1])
        read = {"timestamp"}
        duration = _numeric_column(table, "duration")
        if duration is not None and duration.shape == stamps.shape:
            read.add("duration")
            values = _read(duration, self.path, f"{table.name} duration")[finite]
            self.add_durations(where, table.name, seconds, values.astype(np.float64))
        # the first event of several at one time is the one kept, with its values
        at = np.searchsorted(instants, seconds)
        first = np.unique(at, return_index=True)[1]
        self.add_columns(table, name, finite, first, np.asarray(events.ids), read)
        self.say_columns_left_out(table, read, "events", "times, durations and 1-D columns")

    def add_durations(self, where: str, name: str, seconds: np.ndarray, values: np.ndarray) -> None:
        """Add an EventsTable's ``duration``: intervals ``<name>_duration`` from each event's time."""
        from napari_whiskertoolbox.core import DigitalIntervalSeries

        has = np.isfinite(values)
        negative = has & (values < 0)
        if negative.any():
            LOGGER.warning(
                "%s: %d event(s) with a negative duration are left out of '%s'",
                where,
                int(negative.sum()),
                f"{name}_duration",
            )
        rows = np.flatnonzero(has & ~negative)
        if rows.size == 0:
            return  # no event has a duration
        starts, stops = seconds[rows], seconds[rows] + values[rows]
        ends = np.unique(np.concatenate([starts, stops]))
        pairs = np.stack([np.searchsorted(ends, starts), np.searchsorted(ends, stops)], axis=1)
        self.add(
            self.key(f"{name}_duration"), DigitalIntervalSeries(pairs, layout="overlapping"), ends
        )

    def add_columns(
        self,
        table: Any,
        key: str,
        keep: np.ndarray,
        rows: np.ndarray,
        ids: np.ndarray,
        read: set[str],
    ) -> None:
        """Keep a table's other 1-D columns (numbers, booleans, text) as ``key``'s columns.

        ``keep`` (a mask of the table's rows) are the rows read; ``rows`` index those kept
        rows, in the order of ``ids`` (the key's entity ids). Each column's values, dtype
        and description go to a :class:`~.table_columns.TableColumns` (what the export
        writes back as the table's own columns); columns read are added to ``read``.

        Raises
        ------
        FormatError
            A column whose length is not the table's number of rows (naming it).
        """
        columns: dict[str, dict[str, Any]] = {}
        for column in table.colnames:
            if column in read or column in _OUR_TABLE_COLUMNS:
                continue
            stored = _row_column(table, column)
            if stored is None:
                continue  # named in the warning of columns not read
            if stored.shape[0] != len(keep):
                raise FormatError(
                    f"{getattr(table, 'neurodata_type', None) or type(table).__name__} "
                    f"{table.name!r}: column {column!r} has {stored.shape[0]} values "
                    f"for {len(keep)} rows",
                    path=self.path,
                )
            data = _read(stored, self.path, f"{table.name} {column}")[keep][rows]
            record = column_record(data, ids, _description(table, column))
            if record is not None:
                columns[column] = record
                read.add(column)
        if columns:
            self.out.append((key, TableColumns(key, columns)))

    def interval_tables(self) -> list[Any]:
        """Return the file's ``TimeIntervals``: ``intervals`` (trials, epochs...), then modules'."""
        from pynwb.epoch import TimeIntervals

        return self.tables_here_and_in_modules(
            self.nwbfile.intervals, lambda obj: isinstance(obj, TimeIntervals)
        )

    def tables_here_and_in_modules(
        self, group: Mapping[str, Any] | None, is_table: Callable[[Any], bool]
    ) -> list[Any]:
        """Return the tables of ``group`` (``intervals``, ``events``), then the modules' ones.

        The processing modules' data interfaces for which ``is_table`` is true follow, each
        table once.
        """
        found = list((group or {}).values())
        seen = {id(table) for table in found}
        for module in self.nwbfile.processing.values():
            found += [
                obj
                for obj in module.data_interfaces.values()
                if is_table(obj) and id(obj) not in seen
            ]
        return found

    def add_time_intervals(self, table: Any) -> None:
        """Add a ``TimeIntervals`` (trials, epochs...): an interval key ``<name>``, its columns.

        Each row is an interval from its ``start_time`` to its ``stop_time`` (seconds). As
        for an ``EventsTable``, each 1-D column of numbers, booleans or text (a trial's
        ``correct``, ``reward_volume``, ``trial_type``) is the intervals' own column
        (:meth:`add_columns`), a value per interval in its dtype. Other columns (ragged
        ``tags``, ``timeseries`` references, n-D) are named in a WARNING.

        A row whose start or stop is not finite, or whose stop is before its start, is left
        out (of the intervals and of every column), with a WARNING naming the table, the
        column and the rows.

        Raises
        ------
        FormatError
            No ``start_time`` / ``stop_time`` column (naming the table), or a column whose
            length is not the table's number of rows (naming it).
        """
        from napari_whiskertoolbox.core import DigitalIntervalSeries

        where = f"file '{self.path}': TimeIntervals '{table.name}'"
        times = {}
        for column in ("start_time", "stop_time"):
            stored = _plain_column(table, column)
            if stored is None:
                raise FormatError(
                    f"TimeIntervals {table.name!r} has no {column} column", path=self.path
                )
            times[column] = _read(stored, self.path, f"{table.name} {column}", np.float64)
        starts, stops = times["start_time"], times["stop_time"]
        if starts.ndim != 1 or starts.shape != stops.shape:
            raise FormatError(
                f"TimeIntervals {table.name!r}: start_time has {starts.size} values, "
                f"stop_time {stops.size}",
                path=self.path,
            )
        ids = np.asarray(table.id.data[:]) if len(table.id) == len(starts) else None
        keep = np.ones(len(starts), bool)
        for column, bad in (
            ("start_time", ~np.isfinite(starts)),
            ("stop_time", ~np.isfinite(stops)),
        ):
            self.say_rows_left_out(where, bad & keep, f"without a finite {column}", ids)
            keep &= ~bad
        backwards = keep & (stops < starts)
        self.say_rows_left_out(
            where, backwards, "whose stop_time is before their start_time", ids, starts, stops
        )
        keep &= ~backwards
        starts, stops = starts[keep], stops[keep]
        instants = np.unique(np.concatenate([starts, stops]))
        pairs = np.stack(
            [np.searchsorted(instants, starts), np.searchsorted(instants, stops)], axis=1
        )
        name = self.key(table.name)
        ids = allocate_ids(len(pairs))  # the intervals' order changes; each row's id stays
        self.add(name, DigitalIntervalSeries(pairs, ids, layout="overlapping"), instants)
        read = {"start_time", "stop_time"}
        self.add_columns(table, name, keep, np.arange(len(pairs)), ids, read)
        self.say_columns_left_out(table, read, "intervals", "start and stop times, 1-D columns")

    def say_rows_left_out(
        self,
        where: str,
        bad: np.ndarray,
        why: str,
        ids: np.ndarray | None,
        starts: np.ndarray | None = None,
        stops: np.ndarray | None = None,
    ) -> None:
        """Warn that the rows ``bad`` (a mask) of a table are left out, naming the first few."""
        rows = np.flatnonzero(bad)
        if rows.size == 0:
            return
        named = []
        for row in rows[:3]:
            text = f"row {int(row)}" + (f" (id {ids[row]})" if ids is not None else "")
            if starts is not None and stops is not None:
                text += f": start_time {starts[row]:g} s, stop_time {stops[row]:g} s"
            named.append(text)
        more = f" and {rows.size - 3} more" if rows.size > 3 else ""
        LOGGER.warning(
            "%s: %d row(s) %s are left out (%s%s)",
            where,
            int(rows.size),
            why,
            "; ".join(named),
            more,
        )

    def event_series(self) -> set[int]:
        """Return the ids of the TimeSeries a ``BehavioralEvents`` container holds (event times)."""
        from pynwb.behavior import BehavioralEvents

        groups = [self.nwbfile.acquisition.values()]
        groups += [module.data_interfaces.values() for module in self.nwbfile.processing.values()]
        return {
            id(series)
            for group in groups
            for obj in group
            if isinstance(obj, BehavioralEvents)
            for series in obj.time_series.values()
        }

    def add_events(self, series: Any, data: np.ndarray, seconds: np.ndarray) -> None:
        """Add a ``BehavioralEvents`` series: an event key at its times, ``<name>_values`` too.

        The values are kept as an analog key on a clock of their own samples when they
        differ from one event to the next (a reward's volume); a constant marker (1, 1, 1...)
        is not.
        """
        from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalEventSeries

        instants = np.unique(seconds)
        self.add(
            self.key(series.name), DigitalEventSeries(np.searchsorted(instants, seconds)), instants
        )
        if data.ndim != 1 or len(np.unique(data[np.isfinite(data)])) < 2:
            return
        order = np.argsort(seconds, kind="stable")  # analog samples in time order
        values = AnalogTimeSeries(np.asarray(data[order], np.float32), unit=_unit(series))
        self.add(self.key(f"{series.name}_values"), values, seconds[order])

    def key(self, name: str) -> str:
        key = first_free(f"{self.prefix}_{name}" if self.prefix else name, self.taken.__contains__)
        self.taken.add(key)
        return key

    def add(
        self, key: str, obj: Any, seconds: np.ndarray, clock_name: str | None = None
    ) -> NewClock:
        """Add ``obj`` whose time indices index ``seconds`` (the clock's own instants)."""
        from napari_whiskertoolbox.core.timeframe import TimeFrame

        name = clock_name or key
        ticks = TimeFrame(_ticks(seconds, self.rate), sampling_rate=self.rate)
        clock = NewClock(name, ticks, [key])
        self.out.append((key, obj))
        self.out.append((name, clock))
        return clock

    def add_video(self, series: Any) -> None:
        """Open an external ``ImageSeries`` as media on its own clock (missing: a WARNING)."""
        try:
            media = _open_external(series, self.path)
        except _MissingExternalFile as exc:  # the rest of the file is still wanted
            LOGGER.warning("%s; left out", exc)
            return
        seconds = series_seconds(series, len(media))
        clock = self.add(self.key(series.name), media, seconds)
        self.videos[id(series)] = _OpenedVideo(series, media, clock)

    def video_of(self, estimation: Any) -> _OpenedVideo | None:
        """Return the opened video a ``PoseEstimation`` was tracked on, or None.

        Its ``source_video``; else the one opened ``ImageSeries`` of its camera (``devices``,
        ``device``); else the one whose file its ``original_videos`` names.
        """
        linked = getattr(estimation, "source_video", None)
        if linked is not None:
            return self.videos.get(id(linked))
        devices = _cameras(estimation)
        if devices:
            ids = {id(d) for d in devices}
            by_camera = [v for v in self.videos.values() if id(v.series.device) in ids]
            if len(by_camera) == 1:
                return by_camera[0]
        named = [str(f) for f in (getattr(estimation, "original_videos", None) or [])]
        files = {(self.path.parent / f.replace("\\", "/")).resolve() for f in named}
        by_file = [v for v in self.videos.values() if set(v.files) & files]
        return by_file[0] if len(by_file) == 1 else None

    def series_clock(self, series: Any, seconds: np.ndarray) -> Any:
        """Return the clock of a TimeSeries' samples, its ``starting_time`` kept.

        A series with ``rate`` gets a regular clock (``starting_time`` and the step in
        ticks, no array of ticks); one with ``timestamps`` the ticks of each.
        """
        from napari_whiskertoolbox.core.timeframe import TimeFrame

        if series.timestamps is None and series.rate:
            start = float(series.starting_time or 0.0) * self.rate
            step = self.rate / float(series.rate)
            return TimeFrame.regular(len(seconds), step, start, sampling_rate=self.rate)
        return TimeFrame(_ticks(seconds, self.rate), sampling_rate=self.rate)

    def entries(self) -> list[tuple[str, Any]]:
        from pynwb.image import ImageSeries

        from napari_whiskertoolbox.core import AnalogTimeSeries

        events = self.event_series()
        for series in self.time_series():
            if isinstance(series, ImageSeries) or type(series).__name__ == "PoseEstimationSeries":
                continue
            data = _read(series.data, self.path, series.name)
            if data.ndim not in (1, 2) or not np.issubdtype(data.dtype, np.number):
                continue
            data = _in_units(series, data)
            seconds = series_seconds(series, data.shape[0])
            if id(series) in events:
                self.add_events(series, data, seconds)
                continue
            columns = [data] if data.ndim == 1 else [data[:, k] for k in range(data.shape[1])]
            names = (
                [series.name]
                if data.ndim == 1
                else [f"{series.name}_{k}" for k in range(data.shape[1])]
            )
            keys = [self.key(n) for n in names]
            for key, column in zip(keys, columns):
                analog = AnalogTimeSeries(np.asarray(column, np.float32), unit=_unit(series))
                self.out.append((key, analog))
            self.out.append((keys[0], NewClock(keys[0], self.series_clock(series, seconds), keys)))
        for table in self.interval_tables():
            self.add_time_intervals(table)
        for table in self.events_tables():
            self.add_events_table(table)
        for series in self.nwbfile.acquisition.values():
            if isinstance(series, ImageSeries) and series.external_file is not None:
                self.add_video(series)
        for module in self.nwbfile.processing.values():
            for obj in module.data_interfaces.values():
                if type(obj).__name__ == "PoseEstimation":
                    self.pose(obj)
                elif type(obj).__name__ == "PoseTraining":
                    self.training(obj)
        if not self.out:
            raise FormatError(
                "found nothing to open: no TimeSeries, TimeIntervals, EventsTable, ndx-pose "
                "PoseEstimation or PoseTraining, or ImageSeries with a video file present "
                f"(the file holds {self.contents()})",
                path=self.path,
            )
        return self.out

    def contents(self) -> str:
        """Say what the file's acquisition and processing modules hold (for an error)."""
        held = [
            f"{where}/{name} ({type(obj).__name__})"
            for where, group in [("acquisition", self.nwbfile.acquisition)]
            + [
                (f"processing/{m}", mod.data_interfaces)
                for m, mod in self.nwbfile.processing.items()
            ]
            for name, obj in group.items()
        ]
        return (
            ", ".join(held[:12]) + (", ..." if len(held) > 12 else "")
            if held
            else "no data objects"
        )

    def training(self, training: Any) -> None:
        """Add ndx-pose ``PoseTraining`` labels: a pose set per source video, its video as media.

        Each ``TrainingFrame`` labels frame ``source_video_frame_index`` of its
        ``source_video`` (an ``ImageSeries``: the frame's time from its ``rate`` or
        ``timestamps``); each of its ``SkeletonInstance`` is an individual named by the
        instance's name (``instance_0``... as sleap-io writes them; one name: a single
        animal), its ``node_locations`` the points (a node not visible, or NaN, absent).
        They are labels (no score). The source video opens as media when its
        ``external_file`` is there (else a WARNING, as for any external ImageSeries).
        """
        from napari_whiskertoolbox.core import PointData
        from napari_whiskertoolbox.io.pose import pose_key

        frames = getattr(getattr(training, "training_frames", None), "training_frames", None)
        by_video: dict[int, tuple[Any, list[Any]]] = {}
        for frame in (frames or {}).values():
            video = frame.source_video
            by_video.setdefault(id(video), (video, []))[1].append(frame)
        for video, labelled in by_video.values():
            where = f"PoseTraining {training.name!r}"
            if video is None or (video.rate is None and video.timestamps is None):
                raise FormatError(
                    f"{where}: a training frame has no source video with a rate or timestamps",
                    path=self.path,
                )
            n_frames = 1 + max(int(f.source_video_frame_index) for f in labelled)
            seconds_of = series_seconds(video, n_frames)
            points: dict[tuple[str, str], list[tuple[int, np.ndarray]]] = {}
            nodes: list[str] = []
            edges: list[tuple[str, str]] = []
            for frame in labelled:
                index = int(frame.source_video_frame_index)
                if not 0 <= index < len(seconds_of):
                    raise FormatError(
                        f"{where}: frame {frame.name!r} labels frame {index} of "
                        f"{video.name!r}, which has {len(seconds_of)}",
                        path=self.path,
                    )
                for name, instance in frame.skeleton_instances.skeleton_instances.items():
                    skeleton = [str(n) for n in instance.skeleton.nodes[:]]
                    if not nodes:
                        nodes = skeleton
                        raw = instance.skeleton.edges
                        pairs = np.asarray(raw[:] if raw is not None else [], int).reshape(-1, 2)
                        edges = [(nodes[a], nodes[b]) for a, b in pairs.tolist()]
                    xy = _read(instance.node_locations, self.path, name, np.float32)[:, :2]
                    seen = instance.node_visibility
                    shown = np.ones(len(xy), bool) if seen is None else np.asarray(seen[:], bool)
                    for k, node in enumerate(skeleton[: len(xy)]):
                        if shown[k] and np.isfinite(xy[k]).all():
                            points.setdefault((str(name), node), []).append((index, xy[k]))
            individuals = sorted({ind for ind, _ in points}, key=natural_sort_key)
            single = len(individuals) == 1
            pose_name = self.key(training.name if len(by_video) == 1 else video.name)
            instants = np.unique([seconds_of[t] for one in points.values() for t, _ in one])
            keys: dict[str, dict[str, str]] = {}
            for individual in individuals:
                for node in nodes:
                    found = points.get((individual, node))
                    if not found:
                        continue
                    owner = SINGLE_ANIMAL if single else individual
                    key = self.key(pose_key(training.name, owner, node))
                    times = np.searchsorted(instants, [seconds_of[t] for t, _ in found])
                    coords = np.asarray([xy for _, xy in found], np.float32)
                    self.out.append((key, PointData.from_flat(times, coords)))
                    keys.setdefault(owner, {})[node] = key
            source = {"format": "nwb", "path": str(self.path), "training": str(training.name)}
            self.add_pose_set(
                PoseSet(
                    name=pose_name,
                    bodyparts=nodes,
                    individuals=[SINGLE_ANIMAL] if single else individuals,
                    skeleton=edges,
                    keys=keys,
                    source=source,
                ),
                instants,
            )
            if video.external_file is not None:
                try:
                    media = _open_external(video, self.path)
                except _MissingExternalFile as exc:
                    LOGGER.warning("%s; left out", exc)
                else:
                    self.add(self.key(video.name), media, series_seconds(video, len(media)))

    def pose(self, estimation: Any) -> None:
        from napari_whiskertoolbox.core import PointData

        series = dict(estimation.pose_estimation_series)
        deep = {bp: s.data.shape[1] for bp, s in series.items() if len(s.data.shape) == 2}
        deep = {bp: n for bp, n in deep.items() if n > 2}
        if deep:
            LOGGER.warning(
                "file '%s': PoseEstimation '%s' holds %s-D keypoints (series %s): points are 2-D "
                "image coordinates (x, y), so it is left out rather than read without its "
                "third coordinate",
                self.path,
                estimation.name,
                "/".join(sorted({str(n) for n in deep.values()})),
                ", ".join(f"'{bp}'" for bp in deep),
            )
            return
        skeleton = getattr(estimation, "skeleton", None)
        nodes = [
            str(n)
            for n in (
                skeleton.nodes[:]
                if skeleton is not None
                else _legacy(estimation, "nodes") or list(series)
            )
        ]
        edges_raw = (
            skeleton.edges[:]
            if skeleton is not None and skeleton.edges is not None
            else (_legacy(estimation, "edges") or [])
        )
        edges = [(nodes[int(a)], nodes[int(b)]) for a, b in np.asarray(edges_raw).reshape(-1, 2)]
        name = self.key(estimation.name)
        seconds = {bp: series_seconds(s, len(s.data)) for bp, s in series.items()}
        instants = np.unique(np.concatenate(list(seconds.values()))) if seconds else np.empty(0)
        video = self.video_of(estimation)
        named = None if video is not None else self.original_video(estimation)
        if named is not None and (frames := _frame_seconds(series, named)) is not None:
            # DeepLabCut's own export: no ImageSeries, the video's file named
            video, named = self.add_video_file(named, frames), None
        if (
            video is not None
            and not np.isin(_ticks(instants, self.rate), video.clock.clock.times).all()
        ):
            video = None  # a pose time between its frames: the set keeps a clock of its own
        keys: dict[str, str] = {}
        bodyparts = [n for n in nodes if n in series] + [n for n in series if n not in nodes]
        for bp in bodyparts:
            coords = _read(series[bp].data, self.path, bp, np.float32)[:, :2]
            if video is not None:  # its frames: the keypoints go on its clock
                times = np.searchsorted(video.clock.clock.times, _ticks(seconds[bp], self.rate))
            else:
                times = np.searchsorted(instants, seconds[bp])
            keep = np.isfinite(coords).all(axis=1)
            key = self.key(f"{estimation.name}_{bp}")
            self.out.append((key, PointData.from_flat(times[keep], coords[keep])))
            keys[bp] = key
        source: dict[str, Any] = {
            "format": "nwb",
            "path": str(self.path),
            "estimation": str(estimation.name),
        }
        software = getattr(estimation, "source_software", None)
        if software:
            source["software"] = str(software)  # written back as the tool's name
            version = getattr(estimation, "source_software_version", None)
            if version:
                source["software_version"] = str(version)
        scorer = getattr(estimation, "scorer", None)
        if scorer:
            source["scorer"] = str(scorer)
        if skeleton is not None:
            source["skeleton_name"] = str(skeleton.name)
        units = {str(s.unit) for s in series.values() if getattr(s, "unit", None)}
        if len(units) == 1 and units != {"pixels"}:
            source["unit"] = units.pop()  # written back as the series' unit
        source.update(_series_texts(series.values()))
        devices = _cameras(estimation)
        if devices:  # written back as the estimation's devices
            source["devices"] = [
                {"name": str(d.name), "description": str(d.description or "")} for d in devices
            ]
        if video is not None:  # the video a SLEAP file of the set names
            if len(video.files) == 1:
                source["video_path"] = str(video.files[0])
            else:
                source["video_files"] = [str(f) for f in video.files]
        pose = PoseSet(
            name=name,
            bodyparts=bodyparts,
            individuals=[SINGLE_ANIMAL],
            skeleton=edges,
            keys={SINGLE_ANIMAL: keys},
            source=source,
        )
        if video is not None:
            video.clock.keys.extend(keys.values())
            self.out.append((pose.name, pose))
            return
        clock = self.add_pose_set(pose, instants)
        if named is None:
            return
        if len(named) == len(instants):
            # a row per frame (DeepLabCut's export), and neither a rate nor a frame rate:
            # the video's frame k is the set's instant k
            key = self.key(Path(named.source_path).stem)
            self.out.append((key, named))
            clock.keys.append(key)
            source["video_path"] = str(named.source_path)
        else:
            LOGGER.warning(
                "file '%s': PoseEstimation '%s': its video '%s' has no frame rate and %d "
                "frames for %d pose times; left out",
                self.path,
                estimation.name,
                named.source_path,
                len(named),
                len(instants),
            )

    def original_video(self, estimation: Any) -> Any:
        """Open the video a ``PoseEstimation``'s ``original_videos`` names, when it is there.

        DeepLabCut's NWB export names the video it tracked (a path, absolute or relative to
        the ``.nwb`` file) without an ``ImageSeries``. The one named file that no opened
        ``ImageSeries`` shows opens as media (returned; None: none named, or several). A
        file that is not there, or that cannot be read, is named in a WARNING and left out.
        """
        from napari_whiskertoolbox.media import MediaError, open_media

        named = [str(f) for f in (getattr(estimation, "original_videos", None) or [])]
        if len(named) != 1:
            return None
        file = (self.path.parent / named[0].replace("\\", "/")).resolve()
        if any(file in v.files for v in self.videos.values()):
            return None
        where = f"file '{self.path}': PoseEstimation '{estimation.name}'"
        if not file.is_file():
            LOGGER.warning("%s names its video %r, which does not exist; left out", where, named[0])
            return None
        try:
            return open_media(file)
        except MediaError as exc:  # the poses are still wanted
            LOGGER.warning("%s: its video '%s' cannot be opened (%s); left out", where, file, exc)
            return None

    def add_video_file(self, media: Any, seconds: np.ndarray) -> _OpenedVideo:
        """Add media that no ``ImageSeries`` describes on a clock of its frames' ``seconds``."""
        name = Path(media.source_path).stem
        clock = self.add(self.key(name), media, seconds)
        opened = _OpenedVideo(_NamedVideo(name), media, clock)
        self.videos[id(opened)] = opened
        return opened

    def add_pose_set(self, pose: PoseSet, instants: np.ndarray) -> NewClock:
        """Add ``pose`` and its clock: a tick per labelled instant (seconds, sorted).

        The points keys of ``pose`` (already added) index ``instants``; the clock counts
        them in ticks of the file's master rate.
        """
        from napari_whiskertoolbox.core.timeframe import TimeFrame

        clock = TimeFrame(_ticks(instants, self.rate), sampling_rate=self.rate)
        keys = [key for parts in pose.keys.values() for key in parts.values()]
        added = NewClock(pose.name, clock, keys)
        self.out.append((pose.name, added))
        self.out.append((pose.name, pose))
        return added


@dataclass
class _NamedVideo:
    """Stands for the ``ImageSeries`` of a video only an estimation's ``original_videos`` names."""

    name: str
    device: Any = None


@dataclass
class _OpenedVideo:
    """An external ``ImageSeries`` opened as media: the series, the media, its clock."""

    series: Any
    media: Any
    clock: NewClock

    @property
    def files(self) -> list[Path]:
        """The media's files (absolute): a video's one, an image sequence's each."""
        files = getattr(self.media, "files", None)
        return [Path(f) for f in files] if files else [Path(self.media.source_path)]


def _frame_seconds(series: Mapping[str, Any], media: Any) -> np.ndarray | None:
    """Return the time in seconds of each frame of the video pose ``series`` were tracked on.

    The series' shared ``rate`` and ``starting_time`` (the frame rate DeepLabCut's export
    writes), else, for series with timestamps, the video's own frame rate from 0 s. None:
    neither (or series at different rates).
    """
    rates = {(float(s.rate), float(s.starting_time or 0.0)) for s in series.values() if s.rate}
    fps = getattr(media, "fps", None)
    if len(rates) == 1:
        rate, start = rates.pop()
    elif not rates and fps:
        rate, start = float(fps), 0.0
    else:
        return None
    return start + np.arange(len(media), dtype=np.float64) / rate


def _cameras(estimation: Any) -> list[Any]:
    """Return the ``Device``s of a ``PoseEstimation``: ``device`` (ndx-pose >= 0.3), else ``devices``."""
    from hdmf.utils import get_docval

    if any(a["name"] == "device" for a in get_docval(type(estimation).__init__)):
        device = getattr(estimation, "device", None)
        return [device] if device is not None else []
    return list(getattr(estimation, "devices", None) or [])


def _series_texts(series: Any) -> dict[str, str]:
    """Return the ``confidence_definition`` and ``reference_frame`` every series shares.

    Written back as the source had them; a text the series do not share is left out.
    """
    texts: dict[str, str] = {}
    all_series = list(series)
    for field in ("confidence_definition", "reference_frame"):
        values = {str(getattr(s, field, None) or "") for s in all_series}
        if len(values) == 1 and (value := values.pop()):
            texts[field] = value
    return texts


def _name(value: Any) -> str | None:
    """Return a colour or colormap name stored in a pose set's facts (None: none stored)."""
    return value if isinstance(value, str) and value else None
