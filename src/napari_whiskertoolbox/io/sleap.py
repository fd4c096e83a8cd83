"""SLEAP: analysis ``.h5`` (h5py) and project ``.slp`` (sleap-io), read and written.

The analysis HDF5 file holds dense arrays: ``tracks`` (coordinates), ``track_occupancy``,
``point_scores``, ``node_names``, ``track_names`` and ``edge_inds``. Its axis order is
SLEAP's ``matlab`` preset — ``tracks`` as ``(track, xy, node, frame)`` — unless each
dataset's ``dims`` attribute (JSON list, written by sleap-io) says otherwise; files of old
SLEAP versions without ``dims`` mark a frame-first layout with ``transpose = False``, and a
file that says neither (arrays written from Python without attributes) is read in the one
of the two orders its ``node_names``, ``track_names`` and ``track_occupancy`` agree with.
Source: sleap-io ``sleap_io/io/analysis_h5.py`` and SLEAP's ``sleap/info/write_tracking_h5.py``.

Each (track, node) becomes one :class:`PointData` key, ``<name>_<track>_<node>``; files
without tracks give ``<name>_<node>`` (one instance per frame) or, for untracked
multi-instance ``.slp`` labels, ``instance_<k>`` individuals in frame order. A file opened
on its own is named after it (:func:`sleap_key_prefix`), as DeepLabCut's files are.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_path
from napari_whiskertoolbox.io.csv_tools import check_file
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.h5_limits import check_dataset_size
from napari_whiskertoolbox.io.optional import require
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL, PoseSet, pose_key
from napari_whiskertoolbox.io.report import LOGGER
from napari_whiskertoolbox.media.suffixes import is_media_file_name

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.core.ragged import ImageSize

__all__ = [
    "SleapPoses",
    "load_sleap_entries",
    "read_sleap_analysis",
    "read_slp",
    "sleap_key_prefix",
    "write_sleap_analysis",
    "write_slp",
]

MATLAB_TRACKS_DIMS = ("track", "xy", "node", "frame")
"""Axis order of ``tracks`` in SLEAP's analysis export (``matlab`` preset)."""
LEGACY_UNTRANSPOSED_DIMS = ("frame", "node", "xy", "track")
CANONICAL = ("frame", "track", "node", "xy")
UNTRACKED = "instance"
FALLBACK_PREFIX = "sleap"
"""The key prefix of a file whose name leaves nothing to name it by."""
_FILE_SUFFIXES = (".slp", ".h5", ".hdf5")
_SLEAP_MARKS = (".analysis", ".predictions", ".pkg")
"""What SLEAP adds before the suffix: analysis export, sleap-track's output, labels package."""
_EXPORT_NAME = re.compile(r"^.*\.slp\.\d{3}_(?P<video>.+)$")
"""SLEAP's analysis export name ``<project>.slp.<video index:03>_<video stem>`` (no suffix)."""
NO_VIDEO = "video.mp4"
"""The video a ``.slp`` names when the pose set has none (SLEAP requires one)."""
_WRITER_ATTRS = ("preset", "format", "transpose", "sleap_io_version")
"""Analysis-file attributes about the writer or layout, not carried over from a source."""


class SleapPoses:
    """Dense keypoints of one video: ``(frames, tracks, nodes, 2)`` with NaN for absent.

    Parameters
    ----------
    locations : (n_frames, n_tracks, n_nodes, 2) float
        Coordinates in pixels; frame ``k`` of the array is frame ``first_frame + k``.
    node_names, track_names : list of str
        Nodes (body parts) and tracks (``[""]`` when the file has no tracks).
    edges : list of (str, str)
        Skeleton edges by node name.
    first_frame : int
        Frame number of the array's first row.
    video_path : str
        The video the labels belong to ("" when unknown or an image sequence).
    scores : (n_frames, n_tracks, n_nodes) float64, optional
        Each keypoint's score as SLEAP gave it: a prediction's point score, NaN for a user
        instance's point (placed by hand) or an absent one; None when not read.
    video_files : list of str, optional
        An image sequence's files as stored (frame ``i`` is file ``i``); empty for a video.
    """

    def __init__(
        self,
        locations: np.ndarray,
        node_names: list[str],
        track_names: list[str],
        edges: list[tuple[str, str]],
        first_frame: int = 0,
        video_path: str = "",
        scores: np.ndarray | None = None,
        video_files: list[str] | None = None,
    ) -> None:
        self.locations = locations
        self.node_names = node_names
        self.track_names = track_names
        self.edges = edges
        self.first_frame = first_frame
        self.video_path = video_path
        self.scores = scores
        self.video_files = list(video_files or [])


# ----------------------------------------------------------------------------- reading


def read_sleap_analysis(path: str | os.PathLike[str]) -> SleapPoses:
    """Read a SLEAP analysis ``.h5`` file with h5py.

    Raises
    ------
    FormatError
        Not HDF5, a dataset missing, or shapes that disagree (names the file and dataset).
    """
    import h5py

    path = check_file(path, "SLEAP analysis file")
    try:
        with h5py.File(path, "r") as f:
            for name in ("tracks", "node_names"):
                if name not in f or not isinstance(f[name], h5py.Dataset):
                    raise FormatError(
                        f"expected a SLEAP analysis file with dataset {name!r}", path=path
                    )
            tracks = f["tracks"]
            check_dataset_size(tracks, path, "tracks")
            node_names = _names(f["node_names"][()], "node_names", path)
            track_names = (
                _names(f["track_names"][()], "track_names", path) if "track_names" in f else []
            )
            dims = _tracks_dims(f, path)
            locations = np.transpose(tracks[()], [dims.index(d) for d in CANONICAL])
            edge_inds = np.asarray(f["edge_inds"][()]) if "edge_inds" in f else np.empty((0, 2))
            video_path = _text(f["video_path"][()]) if "video_path" in f else ""
    except FormatError:
        raise
    except Exception as exc:  # h5py raises OSError, KeyError, ValueError... for damaged files
        raise FormatError(
            f"cannot read as a SLEAP analysis HDF5 file ({type(exc).__name__}: {exc})", path=path
        ) from exc
    _, n_tracks, _, _ = locations.shape
    if track_names and len(track_names) != n_tracks:
        raise FormatError(
            f"expected {n_tracks} track_names like 'tracks', found {len(track_names)}", path=path
        )
    if not track_names:
        track_names = (
            [SINGLE_ANIMAL] if n_tracks == 1 else [f"{UNTRACKED}_{k}" for k in range(n_tracks)]
        )
    edges = _edges(edge_inds, node_names, path)
    return SleapPoses(
        np.asarray(locations, np.float64), node_names, track_names, edges, 0, video_path
    )


class _Sizes(NamedTuple):
    """What the rest of an analysis file says about the axes of its ``tracks``."""

    nodes: int
    """Number of ``node_names``."""
    tracks: int | None
    """Number of ``track_names`` (None: the file has none)."""
    occupancy: tuple[int, ...] | None
    """Shape of ``track_occupancy`` (frames and tracks, in either order), None: absent."""


def _fits(shape: tuple[int, ...], dims: tuple[str, ...], sizes: _Sizes) -> bool:
    """Say whether ``tracks`` of ``shape`` in axis order ``dims`` agrees with ``sizes``."""
    size = dict(zip(dims, shape))
    if size["xy"] != 2 or size["node"] != sizes.nodes:
        return False
    if sizes.tracks is not None and size["track"] != sizes.tracks:
        return False
    return sizes.occupancy is None or sorted(sizes.occupancy) == sorted(
        (size["frame"], size["track"])
    )


def _tracks_dims(f: Any, path: Path) -> tuple[str, ...]:
    """Return the axis names of the open analysis file ``f``'s ``tracks`` (:func:`_dims`)."""
    nodes = _names(f["node_names"][()], "node_names", path)
    tracks = _names(f["track_names"][()], "track_names", path) if "track_names" in f else []
    occupancy = f.get("track_occupancy")
    shape = getattr(occupancy, "shape", None)
    return _dims(f["tracks"], f.attrs, path, _Sizes(len(nodes), len(tracks) or None, shape))


def _dims(dataset: Any, file_attrs: Any, path: Path, sizes: _Sizes) -> tuple[str, ...]:
    """Return the axis names of an analysis file's ``tracks``, in its order.

    The dataset's ``dims`` attribute (sleap-io) when it has one. Else, as sleap-io reads
    such a file, SLEAP's ``matlab`` order ``(track, xy, node, frame)``, or with a
    ``transpose`` attribute of False the untransposed Python order ``(frame, node, xy,
    track)``; a file that states neither (``tracks`` written from Python without
    attributes) is read in the one of the two orders that agrees with ``node_names``,
    ``track_names`` and ``track_occupancy``.

    Raises
    ------
    FormatError
        Not 4 axes, ``dims`` not SLEAP's axis names, or axes that agree with no order
        (the error names the file's shape and each order's expected sizes).
    """
    shape = tuple(dataset.shape)
    raw = dataset.attrs.get("dims")
    if raw is not None:
        try:
            stated = tuple(json.loads(_text(raw)))
        except (ValueError, TypeError) as exc:
            raise FormatError(
                f"expected 'tracks' dims as a JSON list, got {raw!r}", path=path
            ) from exc
        if sorted(stated) != sorted(CANONICAL):
            raise FormatError(
                f"expected 'tracks' dims to be {sorted(CANONICAL)}, got {stated}", path=path
            )
        orders = [stated]
    elif "transpose" in file_attrs:
        transposed = bool(file_attrs["transpose"])
        orders = [MATLAB_TRACKS_DIMS if transposed else LEGACY_UNTRANSPOSED_DIMS]
    else:
        orders = [MATLAB_TRACKS_DIMS, LEGACY_UNTRANSPOSED_DIMS]
    if len(shape) == 4:
        fitting = [dims for dims in orders if _fits(shape, dims, sizes)]
        if fitting:
            return fitting[0]
    expected = " or ".join(_expected(dims, sizes) for dims in orders)
    raise FormatError(
        f"'tracks' has shape {shape}{'' if raw is None else f' with dims {stated}'}; "
        f"expected {expected} ({sizes.nodes} node_names"
        + ("" if sizes.tracks is None else f", {sizes.tracks} track_names")
        + ("" if sizes.occupancy is None else f", track_occupancy {tuple(sizes.occupancy)}")
        + ")",
        path=path,
    )


def _expected(dims: tuple[str, ...], sizes: _Sizes) -> str:
    """Say the shape ``tracks`` should have in axis order ``dims``: ``(track, xy=2, node=4, frame)``."""
    known = {"xy": 2, "node": sizes.nodes, "track": sizes.tracks}
    return "(" + ", ".join(f"{d}={known[d]}" if known.get(d) else d for d in dims) + ")"


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return _text(value[()])
    return str(value)


def _names(values: Any, what: str, path: Path) -> list[str]:
    arr = np.atleast_1d(np.asarray(values))
    if arr.ndim != 1:
        raise FormatError(
            f"expected {what!r} to be a list of names, found shape {arr.shape}", path=path
        )
    return [_text(v) for v in arr]


def _edges(edge_inds: np.ndarray, node_names: list[str], path: Path) -> list[tuple[str, str]]:
    inds = np.asarray(edge_inds).reshape(-1, 2) if np.asarray(edge_inds).size else np.empty((0, 2))
    if inds.size and (inds.min() < 0 or inds.max() >= len(node_names)):
        raise FormatError(
            f"expected 'edge_inds' between 0 and {len(node_names) - 1}, found {inds.min()}..{inds.max()}",
            path=path,
        )
    return [(node_names[int(a)], node_names[int(b)]) for a, b in inds]


def read_slp(path: str | os.PathLike[str], video: int = 0, *, quiet: bool = False) -> SleapPoses:
    """Read the labels of one video of a SLEAP ``.slp`` project with sleap-io.

    The labels of the project's other videos are left out, and (unless ``quiet``) a
    WARNING on the ``napari_whiskertoolbox.io`` logger names those videos and their
    labelled frames. ``scores`` holds each shown prediction's point scores.

    Parameters
    ----------
    path : path-like
        The ``.slp`` file.
    video : int
        Which of the project's videos.

    Raises
    ------
    FormatError
        Not a SLEAP file, or no such video.
    MissingDependencyError
        sleap-io is not installed (extra ``[sleap]``).
    """
    sio = require("sleap_io", "reading SLEAP .slp files")
    path = check_file(path, "SLEAP .slp file")
    try:
        labels = sio.load_slp(str(path), open_videos=False)
    except Exception as exc:  # sleap-io/h5py raise many types for a damaged file
        raise FormatError(
            f"cannot read as a SLEAP .slp file ({type(exc).__name__}: {exc})", path=path
        ) from exc
    if not labels.skeletons:
        raise FormatError("expected a skeleton in the SLEAP file, found none", path=path)
    if labels.videos and not 0 <= video < len(labels.videos):
        raise FormatError(f"expected video 0..{len(labels.videos) - 1}, got {video}", path=path)
    skeleton = labels.skeletons[0]
    nodes = [n.name for n in skeleton.nodes]
    target = labels.videos[video] if labels.videos else None
    frames = [lf for lf in labels.labeled_frames if target is None or lf.video is target]
    others = _other_videos(labels, target)
    if others and not quiet:
        LOGGER.warning(
            "file '%s': read the labels of video %d, %s; a pose set holds one video, so "
            "those of %s were left out",
            path,
            video,
            _video_name(target),
            ", ".join(f"{name} ({n} labelled frames)" for name, n in others),
        )
    individuals, layouts = _source_columns(sio, labels, frames)
    first = min((lf.frame_idx for lf in frames), default=0)
    last = max((lf.frame_idx for lf in frames), default=-1)
    locations = np.full((last - first + 1, len(individuals), len(nodes), 2), np.nan)
    scores = np.full(locations.shape[:3], np.nan)
    column = {name: k for k, name in enumerate(individuals)}
    for lf, columns in layouts:
        for name, group in columns.items():
            row, k = lf.frame_idx - first, column[name]
            locations[row, k], scores[row, k] = _shown(sio, group, len(nodes))
    edges = [(e.source.name, e.destination.name) for e in skeleton.edges]
    filename = getattr(target, "filename", "")
    video_path = str(filename) if isinstance(filename, str) else ""
    files = [str(f) for f in filename] if isinstance(filename, (list, tuple)) else []
    return SleapPoses(locations, nodes, individuals, edges, first, video_path, scores, files)


def _video_name(video: Any) -> str:
    """Return a video's file name; an image sequence's as ``<folder of its first image> (N images)``."""
    filename = getattr(video, "filename", "")
    if isinstance(filename, (list, tuple)):
        return f"{Path(str(filename[0])).parent} ({len(filename)} images)" if filename else ""
    return filename if isinstance(filename, str) else str(filename)


def _other_videos(labels: Any, target: Any) -> list[tuple[str, int]]:
    """Return ``[(video file name, labelled frames)]`` of the project's videos but ``target``."""
    counts: dict[int, int] = {}
    for lf in labels.labeled_frames:
        if lf.video is not target:
            counts[id(lf.video)] = counts.get(id(lf.video), 0) + 1
    return [(_video_name(v), counts[id(v)]) for v in labels.videos if id(v) in counts]


def _refuse_dropping_other_videos(
    sio: Any, path: Path, filename: str, *, keeps_other_videos: bool = False
) -> None:
    """Refuse to replace a ``.slp`` that labels videos but ``filename``, or embeds frames.

    ``keeps_other_videos``: the labels written are this project's own, other videos and all.
    """
    if not path.is_file():
        return
    try:
        labels = sio.load_slp(str(path), open_videos=False)
    except Exception:  # not a SLEAP project we could read: nothing of it to keep
        return
    kept = [v for v in labels.videos if _video_name(v) == filename]
    others = _other_videos(labels, kept[0] if kept else None)
    if others and not keeps_other_videos:
        raise FormatError(
            f"cannot replace this SLEAP project with the labels of {filename}: it also labels "
            + ", ".join(f"{name} ({n} labelled frames)" for name, n in others)
            + ", which would be lost; save to another file",
            path=path,
        )
    if any(_embeds_images(v, path) for v in labels.videos):
        raise FormatError(
            "cannot replace this SLEAP labels package: the labelled frames embedded in it "
            "would be lost (the .slp written refers to a video and embeds no image); save "
            "to another file",
            path=path,
        )


def _embeds_images(video: Any, path: Path) -> bool:
    """Whether ``video`` is frames stored inside the ``.slp`` file ``path`` (a ``.pkg.slp``)."""
    metadata = getattr(video, "backend_metadata", None) or {}
    if metadata.get("has_embedded_images"):
        return True
    return Path(_video_name(video)).resolve() == path.resolve()


class _Column:
    """The instances of one frame that make one individual's keypoints.

    ``shown`` are those read (user instances, else predictions); ``hidden`` the predictions
    a user instance of the frame replaces (SLEAP keeps them in the file: the user instance
    names one as ``from_predicted``, or has the same track; SLEAP trains on user instances).
    """

    def __init__(self) -> None:
        self.shown: list[Any] = []
        self.hidden: list[Any] = []


def _frame_columns(sio: Any, lf: Any) -> dict[str, _Column]:
    """Group a labelled frame's instances by individual: track name or ``instance_<k>``.

    A prediction is hidden, as in SLEAP's ``LabeledFrame.unused_predictions``, when a user
    instance of the frame was made from it or has its track; untracked instances are
    numbered user instances first, in file order.
    """
    user = [i for i in lf.instances if not isinstance(i, sio.PredictedInstance)]
    predicted = [i for i in lf.instances if isinstance(i, sio.PredictedInstance)]
    made_from = {id(i.from_predicted): i for i in user if i.from_predicted is not None}
    user_tracks = {id(i.track) for i in user if i.track is not None}
    columns: dict[str, _Column] = {}
    name_of: dict[int, str] = {}
    untracked = 0
    for inst in user + predicted:
        if isinstance(inst, sio.PredictedInstance) and (
            id(inst) in made_from or (inst.track is not None and id(inst.track) in user_tracks)
        ):
            continue
        if inst.track is not None:
            name = inst.track.name
        else:
            name = f"{UNTRACKED}_{untracked}"
            untracked += 1
        columns.setdefault(name, _Column()).shown.append(inst)
        name_of[id(inst)] = name
    for inst in predicted:
        if id(inst) not in name_of:
            owner = made_from.get(id(inst))
            name = name_of[id(owner)] if owner is not None else inst.track.name
            columns.setdefault(name, _Column()).hidden.append(inst)
    return columns


def _source_columns(
    sio: Any, labels: Any, frames: list[Any]
) -> tuple[list[str], list[tuple[Any, dict[str, _Column]]]]:
    """Return ``(individuals, [(labelled frame, {individual: _Column})])`` of a video's frames.

    Individuals are the project's tracks, then ``instance_<k>`` for untracked instances;
    a project with no tracks and at most one instance shown per frame has the one
    individual :data:`SINGLE_ANIMAL`.
    """
    layouts = [(lf, _frame_columns(sio, lf)) for lf in frames]
    track_names = [t.name for t in labels.tracks]
    n_untracked = max(
        (sum(1 for name in columns if name.startswith(f"{UNTRACKED}_")) for _, columns in layouts),
        default=0,
    )
    for _, columns in layouts:  # tracks of instances the project does not list
        track_names += [
            name
            for name in columns
            if not name.startswith(f"{UNTRACKED}_") and name not in track_names
        ]
    if not track_names and n_untracked <= 1:
        for _, columns in layouts:
            if columns:
                columns[SINGLE_ANIMAL] = columns.pop(f"{UNTRACKED}_0")
        return [SINGLE_ANIMAL], layouts
    return track_names + [f"{UNTRACKED}_{k}" for k in range(n_untracked)], layouts


def _shown_points(group: _Column, n_nodes: int) -> np.ndarray:
    """Return an individual's ``(n_nodes, 2)`` float64 keypoints as read.

    Those of its first shown instance; a node missing there is taken from the next (two
    instances of one track on a frame). A node with one NaN coordinate is missing (NaN is
    SLEAP's absent node), so that an untouched instance compares equal to its keys.
    """
    return _shown(None, group, n_nodes)[0]


def _shown(sio: Any, group: _Column, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Return an individual's keypoints as read (see :func:`_shown_points`) and their scores.

    Scores ``(n_nodes,)`` float64: a ``PredictedInstance``'s point scores, NaN for a user
    instance's points and missing nodes (all NaN when ``sio`` is None).
    """
    row = np.full((n_nodes, 2), np.nan)
    scores = np.full(n_nodes, np.nan)
    for inst in group.shown:
        points = np.asarray(inst.numpy(), np.float64)[:, :2].copy()
        points[~np.isfinite(points).all(axis=1)] = np.nan
        fill = np.isnan(row[:, 0]) & ~np.isnan(points[:, 0])
        row[fill] = points[fill]
        if sio is not None and isinstance(inst, sio.PredictedInstance):
            scores[fill] = np.asarray(inst.points["score"], np.float64)[fill]
    return row, scores


def source_point_scores(pose: PoseSet) -> tuple[int, np.ndarray, np.ndarray] | None:
    """Return the keypoints and point scores of the SLEAP file a pose set was read from.

    Returns
    -------
    (first_frame, locations, scores) or None
        ``locations`` ``(frames, individuals, bodyparts, 2)`` float64 pixels and ``scores``
        ``(frames, individuals, bodyparts)`` float64 in the pose set's individual and body-part
        order, row ``k`` being frame ``first_frame + k``; a score is a prediction's point score,
        NaN for a user instance's point (placed by hand). None when the pose set was not read
        from a SLEAP file, or the file is gone, unreadable or no longer has the pose set's
        tracks and nodes.
    """
    source = pose.source
    path = Path(str(source.get("path") or ""))
    if source.get("format") != "sleap" or not path.is_file():
        return None
    if path.suffix.lower() == ".slp":
        try:
            poses = read_slp(path, int(source.get("video", 0)), quiet=True)
        except (FormatError, OSError, ValueError, KeyError, TypeError):
            return None
        if poses.scores is None or poses.node_names != list(pose.bodyparts):
            return None
        first, locations, scores = poses.first_frame, poses.locations, poses.scores
        names = poses.track_names
    else:
        found = _source_analysis(pose)
        if found is None:
            return None
        first, locations, scores = 0, found.locations, found.point_scores
        names = list(pose.individuals)
    if not set(pose.individuals) <= set(names):
        return None
    order = [names.index(name) for name in pose.individuals]
    return first, locations[:, order], scores[:, order]


# ----------------------------------------------------------------------------- to keys


def sleap_key_prefix(path: str | os.PathLike[str]) -> str:
    """Return the key prefix (and pose-set name) of a SLEAP ``.slp`` or analysis ``.h5`` file.

    The file's name without ``.slp``/``.h5`` and what SLEAP adds before it (``.analysis``,
    ``.predictions``, ``.pkg``); when that is a video's file name (``sleap-track`` writes
    ``<video>.predictions.slp``) or SLEAP's analysis export name
    (``<project>.slp.<k>_<video>.analysis.h5``), the video's stem. ``sleap`` when nothing is
    left. The caller makes it free (:func:`~napari_whiskertoolbox.core.free_names.free_prefix`).

    Examples
    --------
    ``mice.slp`` → ``mice``; ``labels.v003.slp`` → ``labels.v003``;
    ``mouse_cam.mp4.predictions.slp`` → ``mouse_cam``;
    ``labels.v003.slp.000_mouse_cam.analysis.h5`` → ``mouse_cam``.
    """
    name = Path(path).name
    if name.lower().endswith(_FILE_SUFFIXES):
        name = name[: name.rindex(".")]
    marked = True
    while marked:
        marked = False
        for mark in _SLEAP_MARKS:
            if name.lower().endswith(mark):
                name, marked = name[: -len(mark)], True
    export = _EXPORT_NAME.match(name)
    if export is not None:
        name = export["video"]
    if is_media_file_name(name):
        name = name[: name.rindex(".")]
    return name or FALLBACK_PREFIX


def sleap_to_pose(
    poses: SleapPoses, name: str, source: Path, image_size: ImageSize | None = None
) -> tuple[list[tuple[str, PointData]], PoseSet]:
    """Turn dense SLEAP arrays into one PointData per (track, node) and their pose set."""
    from napari_whiskertoolbox.core.points import PointData

    frames = np.arange(poses.locations.shape[0], dtype=np.int64) + poses.first_frame
    entries: list[tuple[str, PointData]] = []
    keys: dict[str, dict[str, str]] = {}
    for k, track in enumerate(poses.track_names):
        for n, node in enumerate(poses.node_names):
            xy = poses.locations[:, k, n]
            keep = np.isfinite(xy).all(axis=1)
            key = pose_key(name, track, node)
            points = PointData.from_flat(
                frames[keep], xy[keep].astype(np.float32), image_size=image_size
            )
            entries.append((key, points))
            keys.setdefault(track, {})[node] = key
    pose = PoseSet(
        name=name,
        bodyparts=list(poses.node_names),
        individuals=list(poses.track_names),
        skeleton=list(poses.edges),
        keys=keys,
        source={"format": "sleap", "path": str(source), "video_path": poses.video_path},
    )
    if poses.video_files:
        pose.source["video_files"] = list(poses.video_files)
    return entries, pose


def load_sleap_entries(
    path: Path, name: str, *, image_size: ImageSize | None = None, video: int = 0
) -> list[tuple[str, Any]]:
    """Read a ``.slp`` or analysis ``.h5`` file into ``[(key, PointData), ..., (name, PoseSet)]``."""
    poses = read_slp(path, video) if path.suffix.lower() == ".slp" else read_sleap_analysis(path)
    entries, pose = sleap_to_pose(poses, name, path, image_size)
    if path.suffix.lower() == ".slp":
        pose.source["video"] = video  # which of the project's videos: write_slp keeps the rest
    return [*entries, (name, pose)]


# ----------------------------------------------------------------------------- writing


def pose_locations(dm: DataManager, pose: PoseSet) -> tuple[np.ndarray, int]:
    """Return ``(locations (frames, tracks, nodes, 2) float64, first frame)`` of a pose set.

    The keys' points and the source's predictions the likelihood threshold hid
    (:func:`~.pose_written.written_points`).
    """
    from napari_whiskertoolbox.io.pose_written import written_points

    points = written_points(dm, pose)
    all_times = np.asarray(
        np.concatenate([p.times for p in points.values()]) if points else [], np.int64
    )
    first = int(all_times.min()) if all_times.size else 0
    last = int(all_times.max()) if all_times.size else -1
    out = np.full((last - first + 1, len(pose.individuals), len(pose.bodyparts), 2), np.nan)
    for k, individual in enumerate(pose.individuals):
        for n, bodypart in enumerate(pose.bodyparts):
            key = pose.key(individual, bodypart)
            if key is None or key not in points:
                continue
            found = points[key]
            rows = found.times - first
            if np.any(np.bincount(rows) > 1) if rows.size else False:
                raise ValueError(f"key {key!r} has more than one point on a frame; SLEAP keeps one")
            out[rows, k, n] = found.coords
    return out, first


def write_sleap_analysis(dm: DataManager, pose: PoseSet, path: str | os.PathLike[str]) -> Path:
    """Write a pose set as a SLEAP analysis ``.h5`` (``matlab`` preset, ``dims`` attributes).

    Frames run from 0 to the last frame with data (SLEAP's ``all_frames``). A pose set read
    from an analysis file that is still there, with the same tracks and nodes, keeps what
    that file holds for every instance (track on a frame) whose keypoints are what reading
    gave (float32 compared exactly; a node with a NaN coordinate is missing): its float64
    coordinates, ``point_scores``, ``instance_scores``, ``tracking_scores`` and occupancy,
    and the file's frame count, ``labels_path``, ``provenance``, ``video_ind`` and
    attributes (skeleton symmetries...); an instance holding what reading gave for another
    track (identities swapped) takes that track's. A pose set read from elsewhere keeps the
    scores of its predictions (:func:`_fill_prediction_scores`): a ``.slp``'s
    ``PredictedInstance`` shown and untouched is written as SLEAP's export writes it
    (float64 coordinates, point, instance and tracking scores), a DeepLabCut or NWB prediction
    with its likelihoods or confidences (instance score their mean, no tracking score). An
    instance placed or edited here, or labelled by the user, has score 1 for each point
    present, and instance and tracking scores 1.
    """
    import h5py

    locations, first = pose_locations(dm, pose)
    if first > 0:
        pad = np.full((first, *locations.shape[1:]), np.nan)
        locations = np.concatenate([pad, locations])
    source = _source_analysis(pose)
    if source is not None and source.locations.shape[0] > locations.shape[0]:
        pad = np.full(
            (source.locations.shape[0] - locations.shape[0], *locations.shape[1:]), np.nan
        )
        locations = np.concatenate([locations, pad])
    present = np.isfinite(locations).all(axis=-1)  # (frame, track, node)
    occupancy = present.any(axis=2).astype(np.uint8)  # (frame, track)
    scores = np.where(present, 1.0, np.nan)
    instance = np.where(occupancy > 0, 1.0, np.nan)  # (frame, track)
    tracking = instance.copy()
    if source is not None:
        frames, tracks_of = source.untouched_from(locations)
        n = frames.shape[0]
        kept = tracks_of >= 0
        for out, read in (
            (locations, source.locations),
            (scores, source.point_scores),
            (instance, source.instance_scores),
            (tracking, source.tracking_scores),
            (occupancy, source.occupancy),
        ):
            out[:n][kept] = read[frames[kept], tracks_of[kept]]
    else:
        _fill_prediction_scores(pose, locations, (scores, instance, tracking))
    node_index = {n: i for i, n in enumerate(pose.bodyparts)}
    edge_inds = np.array(
        [[node_index[a], node_index[b]] for a, b in pose.skeleton], np.int64
    ).reshape(-1, 2)
    tracks = [t if t else "track_0" for t in pose.individuals] if pose.multi_animal else []
    scalars = {
        "labels_path": "",
        "video_path": _analysis_video_path(dm, pose),
        "video_ind": 0,
        "provenance": json.dumps({"software": "napari-whiskertoolbox"}),
    }
    attrs: dict[str, Any] = {}
    if source is not None:
        scalars.update({k: v for k, v in source.scalars.items() if k != "video_path"})
        attrs.update(source.attrs)
    path = Path(path)
    with atomic_path(path) as temp, h5py.File(temp, "w") as f:
        _dataset(
            f, "tracks", np.transpose(locations, (1, 3, 2, 0)), ["track", "xy", "node", "frame"]
        )
        _dataset(f, "track_occupancy", occupancy, ["frame", "track"])
        _dataset(f, "point_scores", np.transpose(scores, (1, 2, 0)), ["track", "node", "frame"])
        _dataset(f, "instance_scores", instance.T, ["track", "frame"])
        _dataset(f, "tracking_scores", tracking.T, ["track", "frame"])
        f.create_dataset("track_names", data=np.array([t.encode() for t in tracks], dtype="S"))
        f.create_dataset(
            "node_names", data=np.array([n.encode() for n in pose.bodyparts], dtype="S")
        )
        f.create_dataset(
            "edge_names",
            data=np.array([[a.encode(), b.encode()] for a, b in pose.skeleton], dtype="S").reshape(
                -1, 2
            ),
        )
        f.create_dataset("edge_inds", data=edge_inds)
        for name, value in scalars.items():
            f.create_dataset(name, data=value)
        f.attrs.update(attrs)
        f.attrs["preset"] = "matlab"
        f.attrs["format"] = "analysis"
    return path


def _analysis_video_path(dm: DataManager, pose: PoseSet) -> str:
    """Return an analysis file's ``video_path``: the session's media file or image folder.

    Absolute (sleap-io opens a folder as an image sequence); else the source's, else "".
    """
    media = _session_media(dm, pose)
    if media is not None:
        return str(Path(media.source_path).resolve())
    return str(pose.source.get("video_path", ""))


def _fill_prediction_scores(
    pose: PoseSet, locations: np.ndarray, out: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    """Give the instances that are the source's predictions their scores (and coordinates).

    For a pose set not read from an analysis file: an instance (frame, track) every keypoint
    of which is a prediction of its source (:func:`~.pose_scores.source_scores`: a SLEAP
    point score, a DeepLabCut likelihood, an NWB confidence, also after identities were
    swapped) gets those point scores, and the instance score of the ``.slp``'s
    ``PredictedInstance`` it is, with its tracking score and float64 coordinates (SLEAP's own
    export, point scores of its nodes not found included); from another source, the mean point score and no tracking score (NaN).

    Parameters
    ----------
    locations : (frames, tracks, nodes, 2) float64
        Frame-first keypoints from frame 0; predictions' coordinates are replaced in place.
    out : tuple of arrays
        ``point_scores (frames, tracks, nodes)``, ``instance_scores (frames, tracks)``,
        ``tracking_scores (frames, tracks)``, filled in place.
    """
    from napari_whiskertoolbox.io.pose_scores import source_scores

    scores = source_scores(pose)
    if scores is None:
        return
    point_scores, instance_scores, tracking_scores = out
    instances = _slp_predictions(pose)
    for f, k in zip(*np.nonzero(np.isfinite(locations).all(axis=-1).any(axis=-1))):
        points = locations[f, k]
        found = _prediction_scores(scores, pose, int(k), int(f), points)
        if found is None:
            continue
        point_scores[f, k] = found
        instance = instances.get((int(f), points.astype(np.float32).tobytes()))
        if instance is None:
            instance_scores[f, k] = float(np.nanmean(found)) if np.isfinite(found).any() else 0.0
            tracking_scores[f, k] = np.nan
            continue
        instance_scores[f, k], tracking_scores[f, k], locations[f, k], point_scores[f, k] = instance


def _slp_predictions(
    pose: PoseSet,
) -> dict[tuple[int, bytes], tuple[float, float, np.ndarray, np.ndarray]]:
    """Return the shown predictions of the ``.slp`` a pose set was read from, by keypoints.

    ``{(frame, float32 (nodes, 2) bytes as the keys hold them): (instance score, tracking
    score (NaN: none), float64 coordinates, point scores as stored (a node not found keeps
    its score, as in SLEAP's export))}``; empty when the pose set is not from a
    ``.slp`` that still fits it.
    """
    if Path(str(pose.source.get("path") or "")).suffix.lower() != ".slp":
        return {}
    try:
        import sleap_io as sio
    except ImportError:
        return {}
    source = _source_project(sio, pose)
    if source is None:
        return {}
    labels, video = source
    n_nodes = len(pose.bodyparts)
    _, layouts = _source_columns(
        sio, labels, [lf for lf in labels.labeled_frames if lf.video is video]
    )
    found = {}
    for lf, columns in layouts:
        for group in columns.values():
            if len(group.shown) != 1 or not isinstance(group.shown[0], sio.PredictedInstance):
                continue
            inst = group.shown[0]
            row = _shown_points(group, n_nodes)
            tracking = np.nan if inst.tracking_score is None else float(inst.tracking_score)
            key = (int(lf.frame_idx), row.astype(np.float32).tobytes())
            point_scores = np.asarray(inst.points["score"], np.float64)
            found[key] = (float(inst.score), tracking, row, point_scores)
    return found


class _SourceAnalysis:
    """What an analysis file holds besides keypoints, in frame-first order.

    ``locations`` are the file's keypoints as :func:`read_sleap_analysis` gave them.

    Attributes
    ----------
    locations : (frames, tracks, nodes, 2) float64
    point_scores : (frames, tracks, nodes) float64
    instance_scores, tracking_scores : (frames, tracks) float64
    occupancy : (frames, tracks) uint8
    scalars : dict
        ``labels_path``, ``provenance``, ``video_ind``, ``video_path`` as stored.
    attrs : dict
        The file's attributes but ``preset``, ``format`` and ``transpose``.
    """

    def __init__(self, f: Any, locations: np.ndarray) -> None:
        # SLEAP's matlab order unless the file says (or its tracks show) it is frame-first
        transpose = _tracks_dims(f, Path(f.filename)) != LEGACY_UNTRANSPOSED_DIMS
        self.locations = locations
        frames, n_tracks, n_nodes, _ = self.locations.shape
        self.point_scores = _frame_first(f, "point_scores", ("track", "node", "frame"), transpose)
        self.instance_scores = _frame_first(f, "instance_scores", ("track", "frame"), transpose)
        self.tracking_scores = _frame_first(f, "tracking_scores", ("track", "frame"), transpose)
        self.occupancy = _frame_first(f, "track_occupancy", ("frame", "track"), transpose)
        self.occupancy = self.occupancy.astype(np.uint8)
        for name, got, want in (
            ("point_scores", self.point_scores.shape, (frames, n_tracks, n_nodes)),
            ("instance_scores", self.instance_scores.shape, (frames, n_tracks)),
            ("tracking_scores", self.tracking_scores.shape, (frames, n_tracks)),
            ("track_occupancy", self.occupancy.shape, (frames, n_tracks)),
        ):
            if got != want:
                raise ValueError(f"{name!r} has shape {got} (frame-first), expected {want}")
        self.scalars = {
            k: f[k][()] for k in ("labels_path", "provenance", "video_ind", "video_path") if k in f
        }
        self.attrs = {k: v for k, v in f.attrs.items() if k not in _WRITER_ATTRS}

    def untouched_from(self, locations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return where each instance's keypoints were read: ``(frames, tracks)`` int arrays.

        ``(frames, tracks)`` of this file's shape ``(n_frames, n_tracks)``: an instance
        (frame ``f``, track ``t``) that holds what reading gave for track ``tracks[f, t]`` on
        that frame — its own (untouched), or another track's after identities were swapped,
        when that track no longer holds it — else ``tracks[f, t]`` is -1 (edited, or empty).
        ``frames[f, t]`` is ``f``.
        """
        source = self.locations.astype(np.float32)
        source[~np.isfinite(source).all(axis=-1)] = np.nan
        held = locations[: source.shape[0]].astype(np.float32)
        n_frames, n_tracks = source.shape[:2]
        frames = np.repeat(np.arange(n_frames)[:, None], n_tracks, axis=1)
        tracks = np.where(self.untouched(locations), np.arange(n_tracks)[None, :], -1)
        for f, t in zip(*np.nonzero(tracks < 0)):
            if np.isnan(held[f, t]).all():
                continue
            for u in range(n_tracks):
                if u == t or u in tracks[f] or np.isnan(source[f, u]).all():
                    continue
                if np.array_equal(source[f, u], held[f, t], equal_nan=True):
                    tracks[f, t] = u
                    break
        return frames, tracks

    def untouched(self, locations: np.ndarray) -> np.ndarray:
        """Return ``(frames, tracks)`` bool: the instance holds what reading gave.

        ``locations`` has at least this file's frames; the result covers this file's frames.
        """
        source = self.locations.astype(np.float32)
        source[~np.isfinite(source).all(axis=-1)] = np.nan
        held = locations[: source.shape[0]].astype(np.float32)
        same = (source == held) | (np.isnan(source) & np.isnan(held))
        return np.asarray(same.all(axis=(2, 3)))


def _frame_first(f: Any, name: str, matlab: tuple[str, ...], transpose: bool) -> np.ndarray:
    """Return dataset ``name`` as frame-first float64 (NaN-filled when the file has none)."""
    if name not in f:
        tracks = f["tracks"]
        dims = _tracks_dims(f, Path(f.filename))
        shape = [tracks.shape[dims.index(d)] for d in ("frame", "track", "node")]
        fill = 1.0 if name == "track_occupancy" else np.nan
        return np.full(shape[: 3 if name == "point_scores" else 2], fill)
    dataset = f[name]
    raw = dataset.attrs.get("dims")
    dims = (
        tuple(json.loads(_text(raw)))
        if raw is not None
        else (matlab if transpose else tuple(reversed(matlab)))
    )
    order = ("frame", "track", "node")[: len(dims)]
    return np.asarray(np.transpose(dataset[()], [dims.index(d) for d in order]), np.float64)


def _source_analysis(pose: PoseSet) -> _SourceAnalysis | None:
    """Return the analysis file the pose set was read from, if it is there with its tracks and nodes.

    None otherwise (a WARNING on the ``napari_whiskertoolbox.io`` logger says why when the file
    is there but does not fit: its scores are then not carried over).
    """
    import h5py

    source = pose.source
    path = Path(str(source.get("path") or ""))
    if source.get("format") != "sleap" or path.suffix.lower() == ".slp" or not path.is_file():
        return None
    try:
        poses = read_sleap_analysis(path)
        with h5py.File(path, "r") as f:
            found = _SourceAnalysis(f, poses.locations)
    except (FormatError, OSError, KeyError, ValueError, TypeError) as exc:
        LOGGER.warning(
            "file '%s' (the pose set's source): not readable as before (%s); its point, "
            "instance and tracking scores are not carried over",
            path,
            exc,
        )
        return None
    if poses.node_names != list(pose.bodyparts) or poses.track_names != list(pose.individuals):
        LOGGER.warning(
            "file '%s' (the pose set's source): its nodes or tracks are no longer the pose "
            "set's; its point, instance and tracking scores are not carried over",
            path,
        )
        return None
    return found


def _dataset(f: Any, name: str, data: np.ndarray, dims: list[str]) -> None:
    ds = f.create_dataset(name, data=data, compression="gzip", compression_opts=1)
    ds.attrs["dims"] = json.dumps(dims)


def _session_media(dm: DataManager, pose: PoseSet) -> Any | None:
    """Return the one media file or image folder the pose set is shown on in ``dm``, or None.

    The media of a file (a video, a TIFF stack, an image folder) on the clock of the set's
    keys; None without one, or with several.
    """
    from napari_whiskertoolbox.core.kinds import MEDIA_KINDS

    keys = [k for k in pose.all_keys() if k in dm]
    if not keys:
        return None
    clock = dm.time_key(keys[0])
    media = [
        dm.get_data(k)
        for kind in MEDIA_KINDS
        for k in dm.keys(kind)
        if dm.time_key(k) == clock and getattr(dm.get_data(k), "source_path", None) is not None
    ]
    return media[0] if len(media) == 1 else None


def session_video(dm: DataManager, pose: PoseSet) -> str | list[str] | None:
    """Return the video a SLEAP file written from ``dm`` names for the pose set, or None.

    The session's media the set is shown on (:func:`_session_media`), as SLEAP names it:
    a video or TIFF file's absolute path; an image folder's image files, absolute, in frame
    order (sleap-io's ``ImageVideo``, an image sequence; sleap-io resolves a relative video
    path against the working folder, and only a single file's name beside the project).
    """
    media = _session_media(dm, pose)
    if media is None:
        return None
    files = getattr(media, "files", None)
    if files:
        return [str(Path(f).resolve()) for f in files]
    return str(Path(media.source_path).resolve())


def _sleap_video(sio: Any, filename: str | list[str], grayscale: bool | None = None) -> Any:
    """Return a ``sio.Video`` of ``filename`` (a file, or image files): opened when it can be.

    Opened, sleap-io stores the video's shape and, for images, each file (an image
    sequence); a file it cannot open is named only. ``grayscale``: whether the session
    shows it as one channel (None: sleap-io guesses from its first frame, and takes a
    near-gray colour image for gray).
    """
    if isinstance(filename, list) or Path(filename).is_file():
        try:
            return sio.Video.from_filename(filename, grayscale=grayscale)
        except Exception:  # sleap-io's backends raise many types for a file they cannot read
            LOGGER.debug("sleap-io cannot open %s: named only", filename)
        if isinstance(filename, list):
            return sio.Video(filename=filename, open_backend=False)
    return sio.Video(filename=filename, open_backend=False)


def write_slp(
    dm: DataManager, pose: PoseSet, path: str | os.PathLike[str], video_path: str | None = None
) -> Path:
    """Write a pose set as a SLEAP ``.slp`` project with sleap-io.

    A pose set read from a ``.slp`` project that is still there is written as that project
    with the pose set's keypoints, as SLEAP's GUI saves a proofread project: an individual
    whose keypoints on a frame are what reading gave (float32 compared exactly, NaN for a
    missing node) keeps the source's instances as they were — a ``PredictedInstance`` with
    its point scores, instance score and tracking score, a user ``Instance``; one edited
    here (a node moved, added or deleted) becomes a user ``Instance`` of the same track,
    made ``from_predicted`` the prediction, which stays in the file as SLEAP keeps it; an
    individual deleted on a frame is gone, predictions too; a new one is a user ``Instance``.
    The project's other videos, their labels, tracks, skeleton (symmetries), suggestions
    and provenance are kept. Otherwise (no such source, or its skeleton differs from the
    pose set's) user instances are written: individuals as tracks (none for one animal).

    Parameters
    ----------
    dm : DataManager
        Holds the pose set's keys.
    pose : PoseSet
        Body parts become nodes, individuals tracks (none for a single animal).
    path : path-like
        The ``.slp`` file (written atomically).
    video_path : str, optional
        The video the labels belong to (default: the source project's; for a pose set read
        from elsewhere the session's media it is shown on, :func:`session_video` — a video
        file, or an image folder's images as an image sequence — else the source's video,
        else :data:`NO_VIDEO`, with a ``UserWarning`` saying the file names no real video).

    Raises
    ------
    FormatError
        ``path`` is a SLEAP project other than the source that also labels other videos,
        or a labels package with embedded frames (they would be lost); nothing is written.
    ValueError
        A key holds more than one point on a frame.
    """
    sio = require("sleap_io", "writing SLEAP .slp files")
    locations, first = pose_locations(dm, pose)
    path = Path(path)
    source = _source_project(sio, pose)
    if source is not None:
        labels, video = source
        if video_path and video_path != _video_name(video):
            video.replace_filename(video_path, open=False)
        _merge_into_source(sio, labels, video, pose, locations, first)
        filename = _video_name(video)
        source_path = Path(str(pose.source["path"]))
        replaces_source = path.exists() and path.resolve() == source_path.resolve()
    else:
        media = _session_media(dm, pose)
        grayscale = None if media is None or video_path else len(media.shape) == 3
        shown_on = video_path or session_video(dm, pose)
        labels = _fresh_labels(sio, pose, locations, first, shown_on, grayscale)
        filename = _video_name(labels.videos[0])
        replaces_source = False
    _refuse_dropping_other_videos(sio, path, filename, keeps_other_videos=replaces_source)
    with atomic_path(path) as temp:
        sio.save_slp(labels, str(temp))
    return path


def _fresh_labels(
    sio: Any,
    pose: PoseSet,
    locations: np.ndarray,
    first: int,
    video_path: str | list[str] | None,
    grayscale: bool | None = None,
) -> Any:
    """Return new ``sio.Labels``: individuals as tracks (none for one animal).

    An individual on a frame whose every keypoint is a prediction of the pose set's source
    (:func:`~.pose_scores.source_scores`: a DeepLabCut likelihood, an NWB confidence, a
    SLEAP analysis file's score, untouched) is a ``PredictedInstance`` with those point
    scores, so SLEAP does not train on it; any other is a user ``Instance``.
    """
    from napari_whiskertoolbox.io.pose_scores import source_scores

    skeleton = sio.Skeleton(nodes=list(pose.bodyparts), edges=[list(e) for e in pose.skeleton])
    tracks = [sio.Track(name=t) for t in pose.individuals] if pose.multi_animal else []
    filename = video_path or pose.source.get("video_files") or pose.source.get("video_path")
    if not filename:
        warnings.warn(
            f"the SLEAP file of pose set {pose.name!r} names no real video (a placeholder "
            f"{NO_VIDEO!r}): the set is shown on no video or image file and its source names "
            "none; open its video before saving, or set the video in SLEAP",
            stacklevel=3,
        )
    video = _sleap_video(sio, filename or NO_VIDEO, grayscale)
    scores = source_scores(pose)
    frames = []
    for row in range(locations.shape[0]):
        instances = []
        for k in range(locations.shape[1]):
            points = locations[row, k]
            if np.isnan(points).all():
                continue
            track = tracks[k] if tracks else None
            point_scores = _prediction_scores(scores, pose, k, first + row, points)
            if point_scores is None:
                instances.append(sio.Instance.from_numpy(points, skeleton=skeleton, track=track))
                continue
            instances.append(
                sio.PredictedInstance.from_numpy(
                    points,
                    skeleton=skeleton,
                    point_scores=point_scores,
                    score=float(np.nanmean(point_scores))
                    if np.isfinite(point_scores).any()
                    else 0.0,
                    track=track,
                )
            )
        if instances:
            frames.append(sio.LabeledFrame(video=video, frame_idx=first + row, instances=instances))
    return sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=tracks)


def _prediction_scores(
    scores: Any, pose: PoseSet, k: int, frame: int, points: np.ndarray
) -> np.ndarray | None:
    """Return the point scores of individual ``k``'s ``points`` on ``frame`` if all predicted.

    None when any of its keypoints is not a source prediction (placed or moved here, or the
    source holds none), or a node a SLEAP source predicted was deleted: the instance is then
    the user's.
    """
    if scores is None:
        return None
    out = np.full(len(pose.bodyparts), np.nan)
    for n, bodypart in enumerate(pose.bodyparts):
        key = pose.key(pose.individuals[k], bodypart)
        if np.isnan(points[n]).all():
            if key is not None and scores.instance_of is not None and scores.predicts(key, frame):
                return None  # a predicted node deleted: the instance is the user's
            continue
        score = None if key is None else scores.score(key, frame, points[n])
        if score is None:
            return None
        out[n] = score
    return out


def _source_project(sio: Any, pose: PoseSet) -> tuple[Any, Any] | None:
    """Return ``(labels, video)`` of the ``.slp`` the pose set was read from, if it fits.

    ``None`` when the pose set was not read from a ``.slp`` file, the file is gone or no
    longer readable, or its skeleton's nodes or edges are not the pose set's.
    """
    source = pose.source
    path = Path(str(source.get("path") or ""))
    if source.get("format") != "sleap" or path.suffix.lower() != ".slp":
        return None
    alone = "writing the pose set alone, as user instances (the source's predictions, scores "
    alone += "and other videos are not carried over)"
    if not path.is_file():
        LOGGER.warning("file '%s' (the pose set's source): gone; %s", path, alone)
        return None
    try:
        labels = sio.load_slp(str(path), open_videos=False)
    except Exception:  # sleap-io/h5py raise many types for a damaged file
        LOGGER.warning("file '%s': not readable any more; %s", path, alone)
        return None
    index = int(source.get("video", 0))
    if not labels.skeletons or not 0 <= index < len(labels.videos):
        LOGGER.warning("file '%s': no skeleton or no video %d any more; %s", path, index, alone)
        return None
    skeleton = labels.skeletons[0]
    edges = [(e.source.name, e.destination.name) for e in skeleton.edges]
    if [n.name for n in skeleton.nodes] != list(pose.bodyparts) or edges != [
        tuple(e) for e in pose.skeleton
    ]:
        LOGGER.warning(
            "file '%s': its skeleton's nodes or edges are no longer the pose set's; %s",
            path,
            alone,
        )
        return None
    return labels, labels.videos[index]


def _merge_into_source(
    sio: Any, labels: Any, video: Any, pose: PoseSet, locations: np.ndarray, first: int
) -> None:
    """Put the pose set's keypoints into the source project ``labels`` (see :func:`write_slp`).

    Parameters
    ----------
    locations : (n_frames, n_individuals, n_nodes, 2) float64
        The pose set's keypoints (float32 values), frame ``k`` being frame ``first + k``.
    """
    skeleton = labels.skeletons[0]
    frames = [lf for lf in labels.labeled_frames if lf.video is video]
    _, layouts = _source_columns(sio, labels, frames)
    tracks = {t.name: t for t in labels.tracks}
    held_column = {name: k for k, name in enumerate(pose.individuals)}
    n_nodes = len(pose.bodyparts)
    missing = np.full((n_nodes, 2), np.nan)

    def held(frame: int, name: str) -> np.ndarray:
        row, k = frame - first, held_column.get(name)
        if k is None or not 0 <= row < locations.shape[0]:
            return missing
        return locations[row, k]

    def track_of(name: str) -> Any:
        if name in tracks or not (name == SINGLE_ANIMAL or name.startswith(f"{UNTRACKED}_")):
            if name not in tracks:
                tracks[name] = sio.Track(name=name)
                labels.tracks.append(tracks[name])
            return tracks[name]
        return None

    def new_instance(name: str, points: np.ndarray, made_from: Any = None) -> Any:
        return sio.Instance.from_numpy(
            points, skeleton=skeleton, track=track_of(name), from_predicted=made_from
        )

    done: set[int] = set()
    emptied: set[int] = set()
    for lf, columns in layouts:
        done.add(lf.frame_idx)
        columns = _follow_swaps(
            columns, pose.individuals, functools.partial(held, lf.frame_idx), n_nodes, track_of
        )
        dropped: set[int] = set()
        added: list[Any] = []
        for name, group in columns.items():
            points = held(lf.frame_idx, name)
            shown = _shown_points(group, n_nodes)
            if np.array_equal(shown.astype(np.float32), points.astype(np.float32), equal_nan=True):
                continue  # untouched: its instances stay as they are
            if np.isnan(points).all():  # deleted here: predictions too, or they would return
                dropped.update(id(i) for i in group.shown + group.hidden)
                continue
            edited = group.shown[0]
            dropped.update(id(i) for i in group.shown if not isinstance(i, sio.PredictedInstance))
            if isinstance(edited, sio.PredictedInstance):  # SLEAP keeps the prediction
                added.append(new_instance(name, points, made_from=edited))
            else:
                added.append(_with_points(edited, points))
        for name in pose.individuals:
            points = held(lf.frame_idx, name)
            if name not in columns and not np.isnan(points).all():
                added.append(new_instance(name, points))
        had_instances = bool(lf.instances)
        lf.instances = [i for i in lf.instances if id(i) not in dropped] + added
        if had_instances and not lf.instances:
            emptied.add(id(lf))
    labels.labeled_frames = [lf for lf in labels.labeled_frames if id(lf) not in emptied]
    for frame in range(first, first + locations.shape[0]):
        if frame in done:
            continue
        instances = [
            new_instance(name, held(frame, name))
            for name in pose.individuals
            if not np.isnan(held(frame, name)).all()
        ]
        if instances:
            labels.labeled_frames.append(
                sio.LabeledFrame(video=video, frame_idx=frame, instances=instances)
            )


def _follow_swaps(
    columns: dict[str, _Column],
    individuals: list[str],
    held: Any,
    n_nodes: int,
    track_of: Any,
) -> dict[str, _Column]:
    """Give a frame's instances to the individual that now holds their keypoints.

    After identities were swapped (:func:`~.pose.swap_individuals`), individual ``name``
    holds exactly what another individual's instances showed on the frame, and that one
    holds something else: those instances (shown and hidden, predictions included) are
    re-tracked to ``name``, keeping their kind and scores, as SLEAP's *transpose instance
    tracks* does. Untracked individuals (no track to give) are left as they are.

    Parameters
    ----------
    columns : dict
        ``{individual: _Column}`` of the frame as read; the instances' ``track`` is changed.
    individuals : list of str
        The pose set's individuals.
    held : callable
        ``held(name)`` -> ``(n_nodes, 2)`` float64: the keypoints the individual holds now.
    n_nodes : int
        Skeleton size.
    track_of : callable
        ``track_of(name)`` -> the project's ``sio.Track`` of that name (made if new), or
        None for an untracked individual.

    Returns
    -------
    dict
        ``{individual: _Column}`` after the swaps (a column whose instances moved away and
        received none is gone).
    """

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return np.array_equal(a.astype(np.float32), b.astype(np.float32), equal_nan=True)

    shown = {name: _shown_points(group, n_nodes) for name, group in columns.items()}
    moved: dict[str, str] = {}  # to -> from
    for name in individuals:
        points = held(name)
        if np.isnan(points).all() or (name in shown and same(shown[name], points)):
            continue
        for other, was in shown.items():
            if other == name or other in moved.values() or not same(was, points):
                continue
            if same(was, held(other)):
                continue  # still there too: a copy, not a swap
            if track_of(name) is None or track_of(other) is None:
                continue
            moved[name] = other
            break
    if not moved:
        return columns
    out = {name: group for name, group in columns.items() if name not in moved.values()}
    for name, other in moved.items():
        group = columns[other]
        for inst in group.shown + group.hidden:
            inst.track = track_of(name)
        out[name] = group
    return out


def _with_points(instance: Any, points: np.ndarray) -> Any:
    """Return a copy of a user instance (track, scores, ``from_predicted``...) with new keypoints.

    A node the instance holds as occluded (``visible`` False, its position kept, as SLEAP's
    GUI toggles it) is not shown here, so not in ``points``: it stays as it was.
    """
    edited = copy.copy(instance)
    edited.points = instance.points.copy()
    occluded = ~instance.points["visible"] & np.isfinite(instance.points["xy"]).all(axis=1)
    keep = occluded & ~np.isfinite(points).all(axis=1)
    xy = np.array(points, np.float64)
    xy[keep] = instance.points["xy"][keep]
    edited.points["xy"] = xy
    edited.points["visible"] = np.isfinite(points).all(axis=1)
    return edited
