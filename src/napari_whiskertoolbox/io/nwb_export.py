"""Export a whole session to NWB (pynwb + ndx-pose, extra ``[nwb]``).

========================  ===========================================================
our data kind             NWB object
========================  ===========================================================
analog                    ``TimeSeries`` in ``acquisition`` (``rate`` when dense on a
                          regular clock, else ``timestamps`` in seconds; ``unit`` the
                          series' unit, ``"a.u."`` when it has none)
digital_event             ``EventsTable`` in ``events`` (NWB 2.10+; ``timestamp`` with the
                          clock's tick period as ``resolution``, ``entity_id``, the key's
                          table columns of :mod:`.table_columns`); a
                          ``TimeSeries`` of ones in ``acquisition`` when the installed
                          pynwb (< 4.0) has no EventsTable
digital_interval          ``TimeIntervals`` per key in ``intervals`` (``stop_time`` = the
                          time of the last frame inside, WhiskerToolbox intervals being
                          inclusive at both ends; the key's table columns of
                          :mod:`.table_columns`); an analog key ``<key>_<column>`` with
                          a sample at each interval's start (a trials table's numeric
                          column as older imports made it) is also its column ``<column>``
video / images            ``ImageSeries`` in ``acquisition``, ``external_file`` relative
                          to the NWB file
points                    ndx-pose ``PoseEstimation`` per pose set and individual in
                          processing module ``behavior`` (``PoseEstimationSeries`` per
                          body part, ``Skeleton`` in ``Skeletons``; ``confidence`` the
                          source's for a point as read from it (DeepLabCut likelihood,
                          SLEAP point score, an NWB file's confidence), 1 for a point
                          placed or moved here, labelled by hand in SLEAP, or of a
                          SLEAP prediction edited here (a node moved or deleted);
                          ``unit`` the source's, else pixels); points
                          keys outside a pose set with one point per frame: a
                          ``PoseEstimation`` of one node; with several: a table like lines
line                      ``DynamicTable`` in processing module ``whiskertoolbox``: one row
                          per line, columns ``timestamp`` (s), ``frame``, ``entity_id``,
                          ragged ``x``, ``y`` (pixels)
mask                      the same with ragged pixel columns ``x``, ``y`` (uint32)
tensor                    ``DynamicTable`` with a ``values`` column (one row per tensor row)
                          and ``timestamp`` when rows are time indices
========================  ===========================================================

Every time is converted to seconds through the key's clock: ``ticks / sampling_rate``
(clock values are master-clock ticks; a clock without a rate uses the ``time`` clock's).
The ``whiskertoolbox`` processing module also holds a ``keys`` table (key, data kind,
clock, NWB object, JSON extras), one ``clock_<name>`` table per clock (its ticks, or for
a counting or regular clock no rows and the rate form in its JSON description: ``count``,
``first_tick``, ``tick_step``, ``starting_time`` in s and ``rate`` in Hz) and one
``pose_set_<name>`` table per pose set (its source file's facts), so that
:mod:`.nwb_import` gives back the same DataManager. Source: NWB schema 2.x, ndx-pose 0.2+.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.key_references import COLORS
from napari_whiskertoolbox.core.rate_hint import frames_without_rate
from napari_whiskertoolbox.io.atomic import atomic_path
from napari_whiskertoolbox.io.optional import require
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL, PoseSet, pose_sets

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = [
    "NO_UNIT",
    "OUR_MODULE",
    "REFERENCE_FRAME",
    "SOFTWARE",
    "export_nwb",
    "source_software",
]

OUR_MODULE = "whiskertoolbox"
"""Processing module holding our keys table, clocks, lines, masks and tensors."""
POSE_MODULE = "behavior"
NO_UNIT = "a.u."
"""The ``unit`` written for a series without one (arbitrary units); read back as none."""
REFERENCE_FRAME = "(0, 0) is the top-left corner of the image; x to the right, y down, in pixels"
CONFIDENCE_DEFINITION = (
    "the source's confidence (DeepLabCut likelihood, SLEAP point score, NWB confidence) of a "
    "point as predicted; 1 for a point placed or moved by hand"
)

SOFTWARE = {"deeplabcut": "DeepLabCut", "sleap": "SLEAP"}
"""``PoseEstimation.source_software`` of a pose set by its source format, as DeepLabCut's and
SLEAP's own NWB writers (and movement) name the tools."""


def source_software(pose: PoseSet) -> str:
    """Return the tool that made ``pose``: the source file's own name for it, else ours.

    A pose set read from another NWB file keeps that file's ``source_software``; one read
    from DeepLabCut or SLEAP files says ``DeepLabCut`` / ``SLEAP``; one made here (or from a
    file naming no tool), ``napari-whiskertoolbox``.
    """
    source = pose.source
    named = source.get("software") or SOFTWARE.get(str(source.get("format")))
    return str(named or "napari-whiskertoolbox")


def export_nwb(
    dm: DataManager,
    path: str | os.PathLike[str],
    *,
    session_description: str | None = None,
    identifier: str | None = None,
    session_start_time: dt.datetime | None = None,
    sampling_rate: float | None = None,
    subject_id: str | None = None,
    species: str | None = None,
) -> Path:
    """Write every key of ``dm`` to one NWB file (atomically).

    Parameters
    ----------
    dm : DataManager
        The session.
    path : path-like
        The ``.nwb`` file; media are referenced relative to its folder.
    session_description, identifier : str, optional
        NWB file fields (defaults: ``dm.metadata["nwb"]`` entries, else a generic
        description and a new UUID).
    session_start_time : datetime, optional
        Time zone aware start of the session (default: ``dm.metadata["nwb"]``, else now).
    sampling_rate : float, optional
        Master-clock ticks per second for clocks without a rate of their own and no rate on
        the ``time`` clock.
    subject_id, species : str, optional
        The NWB ``Subject`` (default: ``dm.metadata["nwb"]``, else ``"unknown"`` /
        ``"Mus musculus"``).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        A key's clock has no sampling rate (names the key and the clock).
    MissingDependencyError
        pynwb or ndx-pose is not installed (extra ``[nwb]``).
    """
    pynwb = require("pynwb", "exporting NWB files")
    require("ndx_pose", "exporting poses to NWB")
    from pynwb.file import Subject

    path = Path(path)
    info = dm.metadata.get("nwb", {}) if isinstance(dm.metadata.get("nwb"), dict) else {}
    start = session_start_time or _parse_time(info.get("session_start_time"))
    nwbfile = pynwb.NWBFile(
        session_description=session_description
        or info.get("session_description")
        or "Session exported from napari-whiskertoolbox",
        identifier=identifier or info.get("identifier") or str(uuid.uuid4()),
        session_start_time=start,
        experimenter=info.get("experimenter") or None,
        institution=info.get("institution") or None,
        subject=Subject(
            subject_id=subject_id or info.get("subject_id") or "unknown",
            species=species or info.get("species") or "Mus musculus",
            description=info.get("subject_description") or "subject of the session",
            age=info.get("age") or "P90D/",
            sex=info.get("sex") or "U",
        ),
    )
    writer = _Writer(dm, nwbfile, path.parent, sampling_rate)
    writer.write_all()
    with atomic_path(path) as temp, pynwb.NWBHDF5IO(str(temp), "w") as io:
        io.write(nwbfile)
    return path


class _PoseConfidence:
    """The confidence of each point of a pose set, from the file the set was read from.

    A point whose coordinates are what reading the source gave keeps the source's
    confidence (DeepLabCut's ``likelihood``, a SLEAP prediction's point score, an NWB
    ``PoseEstimationSeries``' ``confidence``); a point placed or moved here, a point of a
    SLEAP user instance, or any point when the source is gone or has none, has 1.
    """

    def __init__(self, writer: _Writer, pose: PoseSet) -> None:
        self.writer = writer
        self.pose = pose
        self._dlc: Any = None
        self._scores: Any = None
        self._sleap: tuple[int, np.ndarray, np.ndarray | None] | None = None
        self._nwb: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self._exported: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = (
            None
        )
        self.by_hand = np.zeros(0, bool)

    def of(self, individual: str, bodypart: str, key: str, flat: Any) -> np.ndarray:
        """Return the confidence of each point of ``flat``: its source's, else 1.

        :attr:`by_hand` is then True for the points no source confidence was found for.
        """
        out = np.full(len(flat.times), np.inf)  # inf: not the source's (no score is inf)
        source = self.pose.source
        fmt = source.get("format")
        try:
            if fmt in ("deeplabcut", "sleap") and not Path(str(source.get("path", ""))).is_file():
                self._from_exported(out, individual, bodypart, flat)  # read back from our export
            elif fmt == "deeplabcut" and self.pose.source.get("likelihood"):
                self._from_dlc(out, individual, bodypart, flat)
            elif fmt == "sleap":
                self._from_sleap(out, individual, bodypart, flat)
            elif fmt == "nwb":
                self._from_nwb(out, bodypart, key, flat)
        except (OSError, ValueError, KeyError, ImportError):
            pass  # the source is gone or changed: the points are as placed here
        self.by_hand = np.isinf(out)
        out[self.by_hand] = 1.0
        return out

    def user_frames(self, keys: list[str], written: dict[str, Any]) -> np.ndarray:
        """Return the frames where one individual of a SLEAP set is the user's instance.

        A prediction with a node placed, moved or deleted here is the user's, every node of
        it (confidence 1), as the keypoints layer draws it and :func:`~.io.sleap.write_slp`
        writes it (:meth:`~.pose_scores.SourceScores.user_frames`); empty for other sources.
        """
        if self.pose.source.get("format") != "sleap":
            return np.empty(0, np.int64)
        from napari_whiskertoolbox.io.pose_scores import source_scores

        if self._scores is None:
            self._scores = source_scores(self.pose) or False
        if not self._scores:
            return np.empty(0, np.int64)
        points = {k: (written[k].times, written[k].coords) for k in keys if k in written}
        return self._scores.user_frames(keys, points)

    def _from_dlc(self, out: np.ndarray, individual: str, bodypart: str, flat: Any) -> None:
        if self.pose.source.get("index") == "image":
            return  # labelled data: human labels
        if self._dlc is None:
            from napari_whiskertoolbox.io.dlc import dlc_frame

            self._dlc = dlc_frame(self.writer.dm, self.pose)  # likelihood 1 where moved
        frame = self._dlc
        parts = [individual, bodypart] if self.pose.multi_animal else [bodypart]
        scorer = frame.columns[0][0]
        column = frame[(scorer, *parts, "likelihood")]
        values = np.asarray(column.loc[flat.times].to_numpy(), np.float64).reshape(len(out), -1)
        out[:] = values[:, 0]  # NaN: the source's empty likelihood cell, a score unknown

    def _from_exported(self, out: np.ndarray, individual: str, bodypart: str, flat: Any) -> None:
        """Confidences of a set read back from our export, its source file not at hand."""
        if self._exported is None:
            from napari_whiskertoolbox.io.nwb_import import exported_confidences

            self._exported = exported_confidences(self.pose.source) or {}
        found = (self._exported or {}).get((individual, bodypart))
        if found is None:
            return
        times, coords, confidence = found
        at = np.clip(np.searchsorted(times, flat.times), 0, max(len(times) - 1, 0))
        if not len(times):
            return
        same = (times[at] == flat.times) & np.all(
            coords[at] == np.asarray(flat.coords, np.float32), axis=1
        )
        out[same] = confidence[at[same]]  # a point moved since stays 1

    def _from_sleap(self, out: np.ndarray, individual: str, bodypart: str, flat: Any) -> None:
        if self._sleap is None:
            from napari_whiskertoolbox.io.sleap import source_point_scores

            self._sleap = source_point_scores(self.pose) or (0, np.empty((0, 0, 0, 2)), None)
        first, locations, scores = self._sleap
        if scores is None or bodypart not in self.pose.bodyparts:
            return
        k, n = self.pose.individuals.index(individual), self.pose.bodyparts.index(bodypart)
        rows = np.asarray(flat.times, np.int64) - first
        inside = (rows >= 0) & (rows < len(locations))
        source = np.full((len(rows), 2), np.nan, np.float32)
        score = np.full(len(rows), np.nan)
        source[inside] = locations[rows[inside], k, n]
        score[inside] = scores[rows[inside], k, n]
        same = np.all(source == np.asarray(flat.coords, np.float32), axis=1) & np.isfinite(score)
        out[same] = score[same]  # a user instance's point (no score) stays 1: placed by hand

    def _from_nwb(self, out: np.ndarray, bodypart: str, key: str, flat: Any) -> None:
        if self._nwb is None:
            self._nwb = _nwb_pose_source(self.pose.source)
        if bodypart not in self._nwb:
            return
        seconds, coords, confidence = self._nwb[bodypart]
        mine = self.writer.seconds(key, flat.times)
        tolerance = 0.5 / self.writer.ticks_per_second(self.writer.dm.time_key(key))
        at = np.clip(np.searchsorted(seconds, mine), 0, max(len(seconds) - 1, 0))
        before = np.clip(at - 1, 0, None)
        nearer = np.where(np.abs(seconds[before] - mine) < np.abs(seconds[at] - mine), before, at)
        same = (np.abs(seconds[nearer] - mine) <= tolerance) & np.all(
            coords[nearer] == np.asarray(flat.coords, np.float32), axis=1
        )
        out[same] = confidence[nearer[same]]


def _nwb_pose_source(
    source: dict[str, Any],
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Return ``{node: (seconds, float32 x/y, confidence)}`` of the source NWB pose estimation."""
    import pynwb

    from napari_whiskertoolbox.io.nwb_import import series_seconds  # imports this module

    path, name = source.get("path"), source.get("estimation")
    if not path or not name or not Path(path).is_file():
        return {}
    out = {}
    with pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        for module in nwbfile.processing.values():
            estimation = module.data_interfaces.get(name)
            if type(estimation).__name__ != "PoseEstimation":
                continue
            for node, series in estimation.pose_estimation_series.items():
                if series.confidence is None:
                    continue
                seconds = series_seconds(series, len(series.data))
                order = np.argsort(seconds, kind="stable")
                out[node] = (
                    seconds[order],
                    np.asarray(series.data[:], np.float32)[order, :2],
                    np.asarray(series.confidence[:], np.float64)[order],
                )
            break
    return out


def _parse_time(value: Any) -> dt.datetime:
    if isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.astimezone()
    return dt.datetime.now().astimezone().replace(microsecond=0)


def nwb_name(key: str) -> str:
    """Return an NWB object name for ``key`` (``/`` and ``:`` are not allowed there)."""
    return key.replace("/", "_").replace(":", "_") or "unnamed"


class _Writer:
    """Adds each key of a DataManager to an NWBFile."""

    def __init__(self, dm: DataManager, nwbfile: Any, folder: Path, rate: float | None) -> None:
        self.dm = dm
        self.nwbfile = nwbfile
        self.folder = folder
        self.rate = rate
        self.rows: list[dict[str, Any]] = []
        self._module: Any = None
        self._pose_module: Any = None
        self._image_series: dict[str, Any] = {}
        self.poses: list[PoseSet] = []
        self.unscored: dict[str, dict[str, list[int]]] = {}
        """``{pose set: {key: rows}}``: shown points whose confidence is NaN, a score not given."""

    # ---------------------------------------------------------------- helpers
    def module(self) -> Any:
        if self._module is None:
            self._module = self.nwbfile.create_processing_module(
                name=OUR_MODULE,
                description="napari-whiskertoolbox: keys, clocks, lines, masks and tensors",
            )
        return self._module

    def pose_module(self) -> Any:
        if self._pose_module is None:
            self._pose_module = self.nwbfile.create_processing_module(
                name=POSE_MODULE, description="keypoints (ndx-pose)"
            )
        return self._pose_module

    def ticks_per_second(self, clock_name: str) -> float:
        clock = self.dm.get_time(clock_name)
        rate = clock.sampling_rate or self.dm.get_time("time").sampling_rate or self.rate
        if not rate:
            fallback = "" if clock_name == "time" else " (neither has the 'time' clock)"
            video = self._video_rate_on(clock_name)
            images = frames_without_rate(self.dm, clock_name) if video is None else None
            if images is not None:
                fallback += f"; the images of {images!r} on it have no frame rate"
                example, cli = "30.0) if they were taken at 30 fps", "--sampling-rate"
            elif video is None:
                example, cli = "30.0) for a 30 fps camera", "--sampling-rate"
            else:
                key, fps = video
                fallback += f"; the video {key!r} on it runs at {fps:g} fps"
                example, cli = f"{float(fps)!r}) if a tick is a frame", f"--sampling-rate {fps:g}"
            raise ValueError(
                f"clock {clock_name!r} has no sampling rate{fallback}: "
                "cannot convert its times to seconds; give it one, in ticks per second "
                f"(in napari's console or a script: dm.set_sampling_rate({clock_name!r}, "
                f"{example}), or pass sampling_rate= (CLI: {cli})"
            )
        return float(rate)

    def _video_rate_on(self, clock_name: str) -> tuple[str, float] | None:
        """Return the first media key on ``clock_name`` with a constant frame rate, and the rate."""
        for key in self.dm:
            media = self.dm.get_data(key)
            fps = getattr(media, "fps", None)
            if (
                self.dm.time_key(key) == clock_name
                and fps
                and not getattr(media, "variable_frame_rate", False)
            ):
                return key, float(fps)
        return None

    def ticks(self, key: str, indices: np.ndarray) -> np.ndarray:
        clock = self.dm.get_time(self.dm.time_key(key))
        indices = np.asarray(indices, np.int64)
        return indices if len(clock) == 0 else np.asarray(clock.times_at_indices(indices), np.int64)

    def seconds(self, key: str, indices: np.ndarray) -> np.ndarray:
        ticks = self.ticks(key, indices)
        return np.asarray(ticks, np.float64) / self.ticks_per_second(self.dm.time_key(key))

    def timing(self, key: str, indices: np.ndarray) -> dict[str, Any]:
        """Return ``rate`` timing when the indices' ticks are regular, else ``timestamps``."""
        return _timing(self.ticks(key, indices), self.ticks_per_second(self.dm.time_key(key)))

    def record(self, key: str, nwb_path: str, **extra: Any) -> None:
        """Add ``key``'s row to the keys table (columns: :data:`KEY_COLUMNS`)."""
        colors = self.dm.metadata.get(COLORS, {})
        row: dict[str, Any] = {name: default for name, (default, _) in KEY_COLUMNS.items()}
        row.update(
            key=key,
            kind=self.dm.data_type(key),
            clock=self.dm.time_key(key),
            nwb_path=nwb_path,
            color=colors.get(key, "") if isinstance(colors, dict) else "",
        )
        for name, value in extra.items():
            row[name] = value
        self.rows.append(row)

    # ---------------------------------------------------------------- all
    def write_all(self) -> None:
        in_poses: set[str] = set()
        for pose in pose_sets(self.dm).values():
            self.write_pose(pose)
            in_poses.update(k for k in pose.all_keys() if k in self.dm)
        for key in list(self.dm):
            kind = self.dm.data_type(key)
            if kind == "points" and key in in_poses:
                continue
            writer = getattr(self, f"write_{kind}")
            writer(key, self.dm.get_data(key))
        self.write_clocks()
        self.write_pose_facts()
        self.write_keys_table()

    # ---------------------------------------------------------------- kinds
    def write_analog(self, key: str, series: Any) -> None:
        from pynwb import TimeSeries

        clock_name = self.dm.time_key(key)
        clock = self.dm.get_time(clock_name)
        values = np.asarray(series)
        timing: dict[str, Any]
        regular = _regular_step(clock, len(values)) if series.is_dense else None
        if regular is not None:
            first_tick, step = regular
            rate = self.ticks_per_second(clock_name)
            timing = {"starting_time": float(first_tick) / rate, "rate": rate / float(step)}
        else:
            timing = {"timestamps": self.seconds(key, series.times)}
        ts = TimeSeries(
            name=nwb_name(key),
            data=values,
            unit=series.unit or NO_UNIT,
            description=f"analog key {key!r}",
            **timing,
        )
        self.nwbfile.add_acquisition(ts)
        self.record(key, f"acquisition/{ts.name}", unit=series.unit or "")

    def write_digital_event(self, key: str, events: Any) -> None:
        seconds = self.seconds(key, events.times)
        try:
            from pynwb.event import EventsTable
        except ImportError:  # pynwb < 4.0 (NWB < 2.10): a TimeSeries of ones at the event times
            from pynwb import TimeSeries

            ts = TimeSeries(
                name=nwb_name(key),
                data=np.ones(len(seconds), np.uint8),
                unit="n.a.",
                timestamps=seconds,
                description=f"events of key {key!r} (value 1 at each event)",
            )
            self.nwbfile.add_acquisition(ts)
            self.record(key, f"acquisition/{ts.name}", entity_ids=np.asarray(events.ids))
            return
        from pynwb.event import TimestampVectorData

        # Whole columns, typed: hdmf cannot infer a dtype from an empty row list.
        table = EventsTable(
            name=nwb_name(key),
            description=f"events of key {key!r}",
            id=np.arange(len(seconds)),
            columns=[
                TimestampVectorData(
                    name="timestamp",
                    description="Time of each event in seconds",
                    data=np.asarray(seconds, np.float64),
                    # the period of the clock's ticks, of which every time is a multiple
                    resolution=1.0 / self.ticks_per_second(self.dm.time_key(key)),
                ),
                _entity_id_column(events.ids),
                *(kept := self.kept_columns(key, events.ids, {"timestamp", "entity_id"})),
            ],
        )
        self.nwbfile.add_events_table(table)
        self.record(key, f"events/{table.name}", table_columns=json.dumps([c.name for c in kept]))

    def write_digital_interval(self, key: str, intervals: Any) -> None:
        from pynwb.epoch import TimeIntervals

        pairs = np.asarray(intervals.intervals).reshape(-1, 2)
        starts = self.seconds(key, pairs[:, 0])
        stops = self.seconds(key, pairs[:, 1])
        from hdmf.common import VectorData

        # Whole columns, typed: hdmf cannot infer a dtype from an empty row list.
        table = TimeIntervals(
            name=nwb_name(key),
            description=f"intervals of key {key!r}; stop_time is the last frame inside",
            id=np.arange(len(starts)),
            columns=[
                VectorData(
                    name="start_time",
                    description="Start time of epoch, in seconds",
                    data=np.asarray(starts, np.float64),
                ),
                VectorData(
                    name="stop_time",
                    description="Stop time of epoch, in seconds",
                    data=np.asarray(stops, np.float64),
                ),
                _entity_id_column(intervals.ids),
                *(kept := self.kept_columns(key, intervals.ids, set(_INTERVAL_COLUMNS))),
                *self.interval_columns(key, starts, {c.name for c in kept}),
            ],
        )
        self.nwbfile.add_time_intervals(table)
        self.record(
            key,
            f"intervals/{table.name}",
            layout=str(getattr(intervals, "layout", "disjoint")),
            table_columns=json.dumps([c.name for c in kept]),
        )

    def kept_columns(self, key: str, ids: np.ndarray, taken: set[str]) -> list[Any]:
        """Return the columns of ``key``'s table kept from its source file, a value per row.

        :mod:`.table_columns` holds them (a reward's ``volume``, a trial's ``correct``):
        each is written with its name, dtype and description, its value for each row's
        entity id. A row without one (an event added here) gets NaN, or ``""`` for text;
        an integer or boolean column with such rows is written as float64 (a WARNING says
        so). Names the table has already are left out.
        """
        from hdmf.common import VectorData

        from napari_whiskertoolbox.io.report import LOGGER
        from napari_whiskertoolbox.io.table_columns import TABLE_COLUMNS, row_values

        records = (self.dm.metadata.get(TABLE_COLUMNS) or {}).get(key) or {}
        columns = []
        for name, record in records.items():
            if nwb_name(name) in taken or not isinstance(record, dict):
                continue
            values, missing = row_values(record, np.asarray(ids, np.uint64))
            if missing and values.dtype == np.float64 and record.get("dtype") != "float64":
                LOGGER.warning(
                    "NWB export: %d row(s) of key %r have no %r value (added since it was "
                    "read); column %r is written as float64 with NaN there, not %s",
                    missing,
                    key,
                    name,
                    name,
                    record.get("dtype"),
                )
            description = str(record.get("description") or "") or f"column {name!r}"
            columns.append(VectorData(name=nwb_name(name), description=description, data=values))
            taken.add(nwb_name(name))
        return columns

    def interval_columns(self, key: str, starts: np.ndarray, kept: set[str]) -> list[Any]:
        """Return the columns of intervals ``key``'s table held by analog keys ``<key>_<column>``.

        An analog key named so with one sample at the start of each interval (what
        :mod:`.nwb_import` made of a ``TimeIntervals``' numeric columns before they were
        kept as table columns: a trial's ``correct``, ``reward_volume``; ``kept``: the
        names the table's kept columns have already) goes back into the table as column ``<column>``,
        a value per row (of two intervals starting at the same time, the first gets the
        first sample). The analog key is written as its own ``TimeSeries`` too: the
        ``keys`` table reads it from there.
        """
        from hdmf.common import VectorData

        if len(starts) == 0:
            return []
        order = np.argsort(starts, kind="stable")
        ahead = starts[order]
        taken = set(_INTERVAL_COLUMNS) | kept
        prefix = f"{key}_"
        columns = []
        for other in self.dm:
            if not other.startswith(prefix) or self.dm.data_type(other) != "analog":
                continue
            name = nwb_name(other[len(prefix) :])
            series = self.dm.get_data(other)
            values = np.asarray(series)
            if name in taken or values.ndim != 1 or len(values) != len(starts):
                continue
            seconds = self.seconds(other, np.asarray(series.times))
            if not np.allclose(seconds, ahead, rtol=1e-12, atol=1e-9):
                continue  # not sampled at the intervals' starts
            data = np.empty_like(values)
            data[order] = values
            description = f"analog key {other!r}: one value per interval, at its start"
            columns.append(VectorData(name=name, description=description, data=data))
            taken.add(name)
        return columns

    def image_series(self, key: str) -> Any:
        """Return the ``ImageSeries`` in ``acquisition`` of media ``key``, adding it once.

        None for media without a file to point at (an in-memory array).
        """
        if key in self._image_series:
            return self._image_series[key]
        from pynwb.image import ImageSeries

        media = self.dm.get_data(key)
        source = getattr(media, "source_path", None)
        series = None
        if source is not None:
            files = [Path(p) for p in getattr(media, "files", [source])]
            n = len(media)
            timing = self.timing(key, np.arange(n))
            if "rate" in timing:
                timing["num_samples"] = n  # external frames: NWB cannot count them from data
            series = ImageSeries(
                name=nwb_name(key),
                external_file=[os.path.relpath(p, self.folder) for p in files],
                starting_frame=list(range(len(files))) if len(files) > 1 else [0],
                format="external",
                description=f"{self.dm.data_type(key)} key {key!r} ({n} frames)",
                unit="n.a.",
                **timing,
            )
            self.nwbfile.add_acquisition(series)
        self._image_series[key] = series
        return series

    def write_video(self, key: str, media: Any) -> None:
        series = self.image_series(key)
        if series is not None:
            self.record(key, f"acquisition/{series.name}")

    write_images = write_video

    def videos_on(self, clock: str) -> dict[str, Any]:
        """Return ndx-pose's link to the video the keypoints on ``clock`` were tracked on.

        ``{"source_video": ImageSeries}`` (ndx-pose >= 0.3, the ``ImageSeries`` of the one
        video on that clock, in ``acquisition``) or, with an older ndx-pose or several
        videos on the clock, ``{"original_videos": [paths]}`` (paths relative to the ``.nwb``
        file's folder, as the videos' ``external_file``); ``{}`` when no video file is on that
        clock (labelled images are not videos).
        """
        from hdmf.utils import get_docval
        from ndx_pose import PoseEstimation

        keys = [
            key
            for key in self.dm
            if self.dm.data_type(key) == "video"
            and self.dm.time_key(key) == clock
            and getattr(self.dm.get_data(key), "source_path", None) is not None
        ]
        if not keys:
            return {}
        takes_source = any(a["name"] == "source_video" for a in get_docval(PoseEstimation.__init__))
        if takes_source and len(keys) == 1:
            return {"source_video": self.image_series(keys[0])}
        files = [os.path.relpath(self.dm.get_data(k).source_path, self.folder) for k in keys]
        return {"original_videos": files}

    def devices_of(self, pose: PoseSet) -> dict[str, Any]:
        """Return ndx-pose's ``devices`` of the cameras the pose set's source named, or ``{}``.

        Each is the file's ``Device`` of that name, added (with the source's description)
        when the file has none yet.
        """
        from hdmf.utils import get_docval
        from ndx_pose import PoseEstimation

        named = [d for d in pose.source.get("devices") or [] if d.get("name")]
        takes = {a["name"] for a in get_docval(PoseEstimation.__init__)}
        if not named or not {"device", "devices"} & takes:
            return {}
        devices = []
        for device in named:
            name = str(device["name"])
            found = self.nwbfile.devices.get(name)
            if found is None:
                found = self.nwbfile.create_device(
                    name=name, description=str(device.get("description") or "") or None
                )
            devices.append(found)
        if "device" in takes:  # ndx-pose >= 0.3: one camera per PoseEstimation
            return {"device": devices[0]} if len(devices) == 1 else {}
        return {"devices": devices}

    def write_pose(self, pose: PoseSet, record: bool = True) -> None:
        from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons

        from napari_whiskertoolbox.io.pose_written import written_points

        module = self.pose_module()
        confidence = _PoseConfidence(self, pose)
        written = written_points(self.dm, pose)  # with the predictions the threshold hid
        skeletons: list[Any] = []
        estimations = []
        for individual in pose.individuals:
            parts = [bp for bp in pose.bodyparts if pose.key(individual, bp) in self.dm]
            if not parts:
                continue
            label = pose.name if individual == SINGLE_ANIMAL else f"{pose.name}_{individual}"
            index = {bp: i for i, bp in enumerate(parts)}
            edges = np.array(
                [[index[a], index[b]] for a, b in pose.skeleton if a in index and b in index],
                dtype=np.uint8,
            ).reshape(-1, 2)
            skeleton = Skeleton(
                name=self.skeleton_name(pose, label, skeletons), nodes=parts, edges=edges
            )
            skeletons.append(skeleton)
            series = []
            series_keys = [pose.require_key(individual, bp) for bp in parts]
            rows = self.pose_rows(written)
            users = confidence.user_frames(series_keys, written)
            for bp in parts:
                key = pose.require_key(individual, bp)
                points = self.dm.get_data(key)
                flat = written[key]
                if np.any(np.diff(flat.times) == 0):
                    raise ValueError(f"key {key!r} has two points on one frame; a pose keeps one")
                size = points.image_size
                facts = {
                    "pose": pose.name,
                    "individual": individual,
                    "bodypart": bp,
                    "entity_ids": np.asarray(points.to_flat().ids),
                    "image_width": -1 if size is None else int(size[0]),
                    "image_height": -1 if size is None else int(size[1]),
                }
                if flat.times.size == 0:  # NWB wants no empty series: the keys table keeps it
                    self.record(key, "", **facts)
                    continue
                at = np.searchsorted(rows, flat.times)  # every frame a row, NaN where absent
                data = np.full((len(rows), 2), np.nan)
                data[at] = np.asarray(flat.coords, np.float64)
                scores = np.full(len(rows), np.nan)
                scores[at] = confidence.of(individual, bp, key, flat)
                by_hand = at[np.isin(flat.times, users)]
                scores[by_hand] = 1.0  # an edited prediction: the user's
                unknown = at[flat.held & np.isnan(scores[at])]  # shown: a score not given
                if unknown.size:
                    self.unscored.setdefault(pose.name, {})[key] = unknown.tolist()
                series.append(
                    PoseEstimationSeries(
                        name=nwb_name(bp),
                        description=f"key {key!r}",
                        data=data,
                        unit=str(pose.source.get("unit") or "pixels"),
                        reference_frame=str(pose.source.get("reference_frame") or REFERENCE_FRAME),
                        confidence=scores,
                        confidence_definition=_confidence_definition(
                            pose, bool(by_hand.size) or bool(confidence.by_hand.any())
                        ),
                        **self.timing(key, rows),
                    )
                )
                self.record(
                    key, f"processing/{POSE_MODULE}/{nwb_name(label)}/{nwb_name(bp)}", **facts
                )
            if not series:
                continue
            estimations.append(
                PoseEstimation(
                    name=nwb_name(label),
                    pose_estimation_series=series,
                    description=f"pose set {pose.name!r}"
                    + (f", individual {individual!r}" if individual else ""),
                    skeleton=skeleton,
                    source_software=source_software(pose),
                    scorer=str(pose.source.get("scorer", "")) or None,
                    **self.software_version(pose),
                    **self.videos_on(self.dm.time_key(series_keys[0])),
                    **self.devices_of(pose),
                )
            )
        if skeletons:
            existing = module.data_interfaces.get("Skeletons")
            if existing is None:
                module.add(Skeletons(skeletons=skeletons))
            else:
                for skeleton in skeletons:
                    existing.add_skeletons(skeleton)
        for estimation in estimations:
            module.add(estimation)
        if record:
            self.pose_records(pose)

    def pose_rows(self, written: dict[str, Any]) -> np.ndarray:
        """Return the frames (indices on the keys' clock) every series of a pose set holds a row for.

        ``written``: the set's :func:`~.pose_written.written_points`.

        Every frame from the clock's first to the last with a point of the set, as
        DeepLabCut's NWB export and movement's ``from_nwb_file`` lay pose series out: row
        ``k`` is frame ``k``, so a series read with its rate alone (timestamps ignored) keeps
        its times, and the set's series line up. An absent point is a NaN row (NaN
        confidence). A set whose last frame lies beyond :data:`DENSE_POSE_ROWS` rows and
        four times its frames (a few points on a 30 kHz recording's clock) gets the rows of
        its frames only, with timestamps.
        """
        held = [points.times for points in written.values()]
        frames = np.unique(np.concatenate(held)).astype(np.int64) if held else np.empty(0, int)
        if len(frames) and int(frames[-1]) + 1 <= max(DENSE_POSE_ROWS, 4 * len(frames)):
            return np.arange(int(frames[-1]) + 1, dtype=np.int64)
        return frames  # a few points far along a fine clock: the set's frames, timestamped

    def skeleton_name(self, pose: PoseSet, label: str, made: list[Any]) -> str:
        """Return the name of a pose set's ``Skeleton``: its source file's, else ``<label>_skeleton``.

        The name the source NWB file gave it (``mouse``...) is kept for a single-animal set
        while no other skeleton of the file has it.
        """
        kept = pose.source.get("skeleton_name")
        if kept and not pose.multi_animal:
            existing = self.pose_module().data_interfaces.get("Skeletons")
            taken = {s.name for s in made}
            if existing is not None:
                taken |= set(existing.skeletons)
            if nwb_name(str(kept)) not in taken:
                return nwb_name(str(kept))
        return nwb_name(f"{label}_skeleton")

    @staticmethod
    def software_version(pose: PoseSet) -> dict[str, str]:
        """Return ``{"source_software_version": ...}`` of a set read from another NWB file, or ``{}``."""
        version = pose.source.get("software_version")
        return {"source_software_version": str(version)} if version else {}

    def pose_records(self, pose: PoseSet) -> None:
        """Keep the pose set's order, skeleton and source for the import."""
        row: dict[str, Any] = {name: default for name, (default, _) in KEY_COLUMNS.items()}
        row.update(
            key=pose.name,
            kind="pose_set",
            nwb_path=f"processing/{POSE_MODULE}",
            names=json.dumps(pose.bodyparts),
            individuals=json.dumps(pose.individuals),
            skeleton=json.dumps([list(e) for e in pose.skeleton]),
            source_format=str(pose.source.get("format", "")),
            source_path=str(pose.source.get("path", "")),
        )
        self.rows.append(row)
        self.poses.append(pose)

    def write_pose_facts(self) -> None:
        """Add a ``pose_set_<name>`` table per pose set: its keys, and what NWB has no field for.

        The table's description is a JSON object (as the clock tables'): ``pose_set`` (the
        name), ``source`` (what writing it back to its source file needs: format, path,
        scorer, image-path rows, index layout...), ``point_size``, ``colormap`` and
        ``skeleton_color``, and ``unscored`` (``{key: rows}`` of points shown with a NaN
        confidence, a score not given: any other NaN confidence is a NaN likelihood, hidden
        by the set's threshold on import); its rows are the
        set's keys (``individual``, ``bodypart``, ``key``). nwbinspector flags JSON objects
        in table cells, not in descriptions.
        """
        from hdmf.common import DynamicTable

        module = self.module()
        for pose in self.poses:
            rows = [(ind, bp, key) for ind, parts in pose.keys.items() for bp, key in parts.items()]
            if not rows:
                continue  # NWB wants no empty table; the import then has the keys table's facts
            info = {
                "pose_set": pose.name,
                "source": pose.source,
                "point_size": pose.point_size,
                "colormap": pose.colormap,
                "skeleton_color": pose.skeleton_color,
            }
            if self.unscored.get(pose.name):  # NaN confidences shown, not hidden on import
                info["unscored"] = self.unscored[pose.name]
            table = DynamicTable(
                name=first_free(
                    nwb_name(f"pose_set_{pose.name}"), module.data_interfaces.__contains__
                ),
                description=json.dumps(info),
                id=np.arange(len(rows)),
            )
            for c, (column, description) in enumerate(
                [
                    ("individual", "individual ('' for a single animal)"),
                    ("bodypart", "body part"),
                    ("key", "the DataManager key holding it"),
                ]
            ):
                table.add_column(name=column, description=description, data=[r[c] for r in rows])
            module.add(table)

    def write_points(self, key: str, points: Any) -> None:
        flat = points.to_flat()
        if flat.times.size == 0 or np.all(np.diff(flat.times) > 0):
            single = PoseSet(
                name=key,
                bodyparts=[key],
                individuals=[SINGLE_ANIMAL],
                keys={SINGLE_ANIMAL: {key: key}},
                source={"format": "napari-whiskertoolbox"},
            )
            self.write_pose(single, record=False)
            return
        offsets = np.arange(len(flat.times) + 1, dtype=np.int64)
        self.write_ragged(key, flat.times, flat.ids, offsets, flat.coords, "points")

    def write_line(self, key: str, lines: Any) -> None:
        flat = lines.to_flat()
        self.write_ragged(key, flat.times, flat.ids, flat.offsets, flat.coords, "line")

    def write_mask(self, key: str, masks: Any) -> None:
        flat = masks.to_flat()
        self.write_ragged(key, flat.times, flat.ids, flat.offsets, flat.coords, "mask")

    def write_ragged(
        self,
        key: str,
        times: np.ndarray,
        ids: np.ndarray,
        offsets: np.ndarray,
        coords: np.ndarray,
        kind: str,
    ) -> None:
        from hdmf.common import DynamicTable

        what = {"points": "points", "line": "line vertices", "mask": "mask pixels"}[kind]
        table = DynamicTable(
            name=nwb_name(key),
            description=f"{kind} key {key!r}: one row per object, ragged x/y of its {what}",
            id=np.arange(len(times)),
        )
        table.add_column(
            name="timestamp", description="time of the frame (s)", data=self.seconds(key, times)
        )
        table.add_column(
            name="frame",
            description="frame index on the key's clock",
            data=np.asarray(times, np.int64),
        )
        table.add_column(
            name="entity_id",
            description="WhiskerToolbox entity id",
            data=np.asarray(ids, np.uint64),
        )
        ends = np.asarray(offsets[1:], np.int64)
        unit = "pixel column" if kind == "mask" else "x (pixels)"
        table.add_column(name="x", description=unit, data=np.asarray(coords[:, 0]), index=ends)
        table.add_column(
            name="y",
            description=unit.replace("column", "row").replace("x ", "y "),
            data=np.asarray(coords[:, 1]),
            index=ends,
        )
        self.module().add(table)
        size = getattr(self.dm.get_data(key), "image_size", None)
        self.record(
            key,
            f"processing/{OUR_MODULE}/{table.name}",
            image_width=-1 if size is None else int(size[0]),
            image_height=-1 if size is None else int(size[1]),
        )

    def write_tensor(self, key: str, tensor: Any) -> None:
        from hdmf.common import DynamicTable

        values = np.asarray(tensor.values)
        table = DynamicTable(
            name=nwb_name(key),
            description=f"tensor key {key!r}: one row per tensor row",
            id=np.arange(values.shape[0]),
        )
        table.add_column(name="values", description="the tensor's rows", data=values)
        rows = getattr(tensor, "rows", None)
        row_type = getattr(tensor, "row_type", "ordinal")
        if row_type == "time" and rows is not None:
            table.add_column(
                name="timestamp", description="time of the row (s)", data=self.seconds(key, rows)
            )
        self.module().add(table)
        names = getattr(tensor, "column_names", None)
        self.record(
            key,
            f"processing/{OUR_MODULE}/{table.name}",
            names=json.dumps(list(names) if names is not None else None),
            row_type=str(row_type),
        )
        if rows is not None:
            table.add_column(
                name="row", description="the tensor's row labels", data=np.asarray(rows)
            )

    # ---------------------------------------------------------------- our tables
    def write_clocks(self) -> None:
        from hdmf.common import DynamicTable

        for name in self.dm.time_keys():
            clock = self.dm.get_time(name)
            try:
                per_second: float | None = self.ticks_per_second(name)
            except ValueError:
                per_second = None
            info: dict[str, Any] = {
                "clock": name,
                "sampling_rate": clock.sampling_rate,
                "ticks_per_second": per_second,
            }
            form = clock.regular_form
            if form is not None:
                # the rate form, as a TimeSeries' starting_time + rate: a 2e9-sample clock
                # is three numbers, not 16 GB of ticks
                first_tick, step = form
                info.update(count=len(clock), first_tick=first_tick, tick_step=step)
                if per_second is not None:
                    info.update(starting_time=first_tick / per_second, rate=per_second / step)
                table = DynamicTable(  # one row: nwbinspector flags an empty table
                    name=nwb_name(f"clock_{name}"), description=json.dumps(info), id=[0]
                )
                for column, value, what in (
                    ("count", len(clock), "number of indices of the regular clock"),
                    ("first_tick", first_tick, "master-clock tick of index 0"),
                    ("tick_step", step, "master-clock ticks between indices"),
                ):
                    table.add_column(name=column, description=what, data=np.array([value]))
                self.module().add(table)
                continue
            ticks = np.asarray(clock.times, np.int64)
            table = DynamicTable(
                name=nwb_name(f"clock_{name}"),
                description=json.dumps(info),
                id=np.arange(len(ticks)),
            )
            table.add_column(
                name="ticks", description="master-clock tick of each index", data=ticks
            )
            self.module().add(table)

    def write_keys_table(self) -> None:
        from hdmf.common import DynamicTable

        table = DynamicTable(
            name="keys",
            description="napari-whiskertoolbox keys: data kind, clock, NWB object and what "
            "NWB has no field for",
            id=np.arange(len(self.rows)),
        )
        for column, (_, description) in KEY_COLUMNS.items():
            values = [row[column] for row in self.rows]
            if column == "entity_ids":
                if not any(len(v) for v in values):
                    continue  # hdmf cannot store an all-empty ragged column; the import defaults it
                ends = np.cumsum([len(v) for v in values]).astype(np.int64)
                flat: Any = (
                    np.concatenate([np.asarray(v, np.uint64) for v in values]) if values else []
                )
                table.add_column(
                    name=column,
                    description=description,
                    data=np.asarray(flat, np.uint64),
                    index=ends,
                )
            else:
                table.add_column(name=column, description=description, data=values)
        self.module().add(table)


KEY_COLUMNS: dict[str, tuple[Any, str]] = {
    "key": ("", "the DataManager key"),
    "kind": ("", "its data kind (or 'pose_set')"),
    "clock": ("", "the clock it is bound to"),
    "nwb_path": ("", "the NWB object holding it ('' when empty)"),
    "color": ("", "display colour"),
    "image_width": (-1, "width of the annotated images in pixels (-1: unknown)"),
    "image_height": (-1, "height of the annotated images in pixels (-1: unknown)"),
    "pose": ("", "pose set of a keypoint key"),
    "individual": ("", "individual of a keypoint key"),
    "bodypart": ("", "body part of a keypoint key"),
    "layout": ("", "interval layout (disjoint or overlapping)"),
    "row_type": ("", "tensor row type"),
    "names": ("[]", "JSON list: tensor column names, or a pose set's body parts"),
    "skeleton": ("[]", "JSON list of a pose set's skeleton edges"),
    "individuals": ("[]", "JSON list of a pose set's individuals"),
    "source_format": ("", "the tool a pose set came from"),
    "source_path": ("", "the file a pose set came from"),
    "entity_ids": ([], "entity ids of keypoints or tensor rows (ragged)"),
    "unit": ("", "an analog key's unit ('' for none, written as 'a.u.')"),
    "table_columns": (
        "[]",
        "JSON list: the columns an events or intervals table kept from its source",
    ),
}
"""Columns of the ``keys`` table: name → (default, description)."""


DENSE_POSE_ROWS = 1_000_000
"""Pose series hold a row per frame up to this many rows (see ``_Writer.pose_rows``)."""


def _confidence_definition(pose: PoseSet, by_hand: bool) -> str:
    """Return a series' ``confidence_definition``: its source's, else ours.

    The source's text gets ours about hand-placed points when the series holds such points.
    """
    source = str(pose.source.get("confidence_definition") or "")
    if not source:
        return CONFIDENCE_DEFINITION
    return f"{source}; 1 for a point placed or moved by hand" if by_hand else source


def _timing(ticks: np.ndarray, rate: float) -> dict[str, Any]:
    """Return TimeSeries timing: ``starting_time``/``rate`` when ticks are regular, else timestamps."""
    ticks = np.asarray(ticks, np.int64)
    if ticks.size >= 2:
        steps = np.diff(ticks)
        if steps[0] > 0 and np.all(steps == steps[0]):
            return {"starting_time": float(ticks[0]) / rate, "rate": rate / float(steps[0])}
    return {"timestamps": ticks.astype(np.float64) / rate}


def _regular_step(clock: TimeFrame, n: int) -> tuple[float, float] | None:
    """Return ``(first tick, ticks per sample)`` when the first ``n`` ticks are equally spaced.

    A regular clock (counting, or rescaled: ``round(start + i * step)``) gives its own
    ``(start, step)`` without building its ticks.
    """
    if len(clock) == 0:
        return (0, 1)
    form = clock.regular_form
    if form is not None and n <= len(clock):
        return form
    ticks = np.asarray(clock.times[:n], np.int64)
    if len(ticks) < n:
        return None
    if n < 2:
        return (int(ticks[0]) if n else 0, 1)
    steps = np.diff(ticks)
    if steps[0] > 0 and np.all(steps == steps[0]):
        return int(ticks[0]), int(steps[0])
    return None


_INTERVAL_COLUMNS = ("id", "start_time", "stop_time", "entity_id", "tags", "timeseries")
"""Columns of a ``TimeIntervals`` that are not a kept or analog key's column."""


def _entity_id_column(ids: Any) -> Any:
    """Return the ``entity_id`` column (int64, one id a row) of an events or intervals table."""
    from hdmf.common import VectorData

    return VectorData(
        name="entity_id",
        description="WhiskerToolbox entity id",
        data=np.asarray(ids).astype(np.int64),
    )
