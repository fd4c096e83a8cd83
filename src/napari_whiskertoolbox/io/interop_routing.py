"""Which other tool wrote a path, and opening it: DeepLabCut, SLEAP, NWB, Neo recordings.

Used by :mod:`napari_whiskertoolbox.io.routing` (``classify_path``/``open_path``) and the
npe2 readers. ``.h5`` files are told apart by content: a SLEAP analysis file has ``tracks``
and ``node_names`` datasets, a DeepLabCut file is a pandas table, an NWB file has an
``nwb_version`` attribute.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from napari_whiskertoolbox.core.free_names import free_prefix
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.read_from import record_read_from

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core import DataManager

__all__ = ["InteropKind", "classify_interop", "h5_flavour", "open_interop", "pose_clock"]

InteropKind = Literal["deeplabcut", "sleap", "nwb", "ephys"]
"""Which tool's files a path holds."""
INTAN_SUFFIXES = (".rhd", ".rhs")


def h5_flavour(path: str | os.PathLike[str]) -> InteropKind | None:
    """Return who wrote an HDF5 file (``sleap``, ``deeplabcut``, ``nwb``), or None."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            if "nwb_version" in f.attrs:
                return "nwb"
            if "tracks" in f and "node_names" in f:
                return "sleap"
            if any("pandas_type" in f[name].attrs for name in f):
                return "deeplabcut"
    except (OSError, ValueError, KeyError, RuntimeError):
        return None
    return None


H5_FILE_SUFFIXES = (".h5", ".hdf5")


def unrecognised_interop(path: str | os.PathLike[str]) -> str | None:
    """Say why a file named like another tool's is none we read (None: not such a name).

    For an ``.h5``/``.hdf5`` file that :func:`h5_flavour` does not recognise: what each
    tool's file would hold, and what this one holds (its top-level names), so that a user
    who opened the wrong file sees which it is; a ``.yaml`` that is no DeepLabCut project
    ``config.yaml``: the entries one has. Used for the error of opening such a file.
    """
    import h5py

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in H5_FILE_SUFFIXES and path.is_file():
        expected = (
            "expected a DeepLabCut table (pandas HDF5, key 'df_with_missing'), a SLEAP "
            "analysis file (datasets 'tracks' and 'node_names') or an NWB file (attribute "
            "'nwb_version')"
        )
        try:
            with h5py.File(path, "r") as f:
                names = sorted(f)
        except (OSError, ValueError) as exc:
            return f"{expected}; this is no readable HDF5 file ({exc})"
        shown = ", ".join(repr(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
        return f"{expected}; this HDF5 file holds {shown or 'nothing'}"
    if suffix == ".yaml" and path.is_file():
        return (
            "expected a DeepLabCut project's config.yaml (a file of that name with 'scorer' "
            "and 'bodyparts' entries; 'multianimalbodyparts' for several animals)"
        )
    return None


def _csv_is_dlc(path: Path) -> bool:
    """Return whether the file's first cell is DeepLabCut's ``scorer``.

    Commas or ``;`` (Excel in a comma-decimal locale) delimit it; the text is decoded as
    the readers decode it (a byte-order mark's UTF-8 or UTF-16, Windows-1252).
    """
    from napari_whiskertoolbox.io.csv_tools import first_line

    try:
        first = first_line(path)
    except OSError:
        return False
    return re.split(r"[,;\t]", first, maxsplit=1)[0].strip().strip('"').lower() == "scorer"


def is_open_ephys_folder(path: Path) -> bool:
    """Return whether ``path`` is an Open Ephys binary-format recording folder.

    Any level of ``Record Node <id>/experiment<N>/recording<M>/structure.oebin`` counts: the
    file is looked for at most three folders down (never a deep scan of a large tree).
    """
    if not path.is_dir():
        return False
    return any(
        next(path.glob("/".join(["*"] * depth + ["structure.oebin"])), None) is not None
        for depth in range(4)
    )


def classify_interop(path: str | os.PathLike[str]) -> InteropKind | None:
    """Return which other tool's data ``path`` holds, or None.

    Parameters
    ----------
    path : path-like
        A file or folder.
    """
    from napari_whiskertoolbox.io.dlc_project import (
        is_dlc_project_config,
        is_dlc_project_folder,
        is_labeled_data_folder,
    )

    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        if is_labeled_data_folder(path) or is_dlc_project_folder(path):
            return "deeplabcut"
        if is_open_ephys_folder(path):
            return "ephys"
        return None
    if not path.is_file():
        return None
    if suffix == ".nwb":
        return "nwb"
    if suffix == ".slp":
        return "sleap"
    if suffix in INTAN_SUFFIXES or path.name == "structure.oebin":
        return "ephys"
    if suffix in (".h5", ".hdf5"):
        return h5_flavour(path)
    if suffix == ".csv" and _csv_is_dlc(path):
        return "deeplabcut"
    if is_dlc_project_config(path):
        return "deeplabcut"
    return None


def open_interop(path: Path, kind: InteropKind, dm: DataManager) -> tuple[str, ...]:
    """Load ``path`` of ``kind`` into ``dm`` (one undo step); return the keys added.

    Everything is read before ``dm`` changes, so a bad file leaves it as it was. The keys
    read from the file are recorded as read from ``path``
    (:func:`~napari_whiskertoolbox.io.read_from.record_read_from`).
    """
    from napari_whiskertoolbox.io.contributions import commit

    taken = set(dm.keys())
    entries: list[tuple[str, Any]]
    if kind == "deeplabcut":
        from napari_whiskertoolbox.io.dlc_project import load_dlc_path
        from napari_whiskertoolbox.io.labelled_video import has_media

        # a CollectedData_* table brings its folder's images, unless the session shows media
        entries = load_dlc_path(path, taken, with_images=not has_media(dm))
    elif kind == "sleap":
        from napari_whiskertoolbox.io.sleap import load_sleap_entries, sleap_key_prefix

        entries = load_sleap_entries(path, free_prefix(sleap_key_prefix(path), taken))
    elif kind == "nwb":
        from napari_whiskertoolbox.io.nwb_import import load_nwb_entries

        entries = load_nwb_entries(path, taken=taken)
    elif kind == "ephys":
        from napari_whiskertoolbox.io.ephys import load_recording_entries

        target = path.parent if path.name == "structure.oebin" else path
        clock = (
            "time"
            if not len(dm.get_time("time"))
            else free_prefix("ephys_clock", set(dm.time_keys()))
        )
        entries = load_recording_entries(target, free_prefix("ephys", taken), clock=clock)
    else:  # pragma: no cover - Literal exhausted
        raise FormatError(f"unknown kind {kind!r}", path=path)
    from napari_whiskertoolbox.core import MediaData
    from napari_whiskertoolbox.io.labelled_video import (
        analysed_video,
        has_media,
        labelled_video,
        open_labelled_video,
        session_media_clock,
    )

    _note_renamed_pose_sets(entries, taken, str(path))
    brings_media = any(isinstance(obj, MediaData) for _, obj in entries)
    clock = pose_clock(dm) if kind in ("deeplabcut", "sleap") and not brings_media else "time"
    labelled = labelled_video(path, entries) if kind == "sleap" else None
    if kind == "deeplabcut" and path.is_file() and not brings_media and not has_media(dm):
        labelled = analysed_video(path)  # predictions open with the video they were made from
    video = None
    if labelled is not None and has_media(dm):
        clock = session_media_clock(path, labelled, dm, clock)
    elif labelled is not None:
        video = open_labelled_video(path, labelled, {k for k, _ in entries}, dm)
    with dm.history.group(f"Open {path.name}"):
        added: tuple[str, ...] = ()
        if video is not None:
            from napari_whiskertoolbox.io.clock_alignment import media_clock

            key, media, video_path = video
            dm.set_data(key, media, media_clock(dm, key, media, str(video_path)))
            added = (key,)
            clock = pose_clock(dm)
        read = commit(dm, entries, label=f"Open {path.name}", source=str(path), clock=clock)
    record_read_from(dm, read, path)  # opened again, the session finds them (a video has its own)
    return added + read


def _note_renamed_pose_sets(entries: list[tuple[str, Any]], taken: set[str], source: str) -> None:
    """Log a ``renamed`` note for pose sets named ``<name>_<n>`` because ``<name>`` was taken.

    The readers pick a free prefix themselves (``dlc_test`` opened twice gives the keys
    ``dlc_test_2_<bodypart>``), so :func:`~napari_whiskertoolbox.io.contributions.commit`
    sees no clash to report.
    """
    from napari_whiskertoolbox.io.pose import PoseSet
    from napari_whiskertoolbox.io.report import log_renamed_keys

    pairs = []
    for _, obj in entries:
        if not isinstance(obj, PoseSet):
            continue
        natural = re.sub(r"_\d+$", "", obj.name)
        if natural != obj.name and free_prefix(natural, taken) == obj.name:
            pairs.append(f"{natural!r} as {obj.name!r} (keys {obj.name}_<bodypart>)")
    if pairs:
        log_renamed_keys(source, ", ".join(pairs))


def pose_clock(dm: DataManager) -> str:
    """Return the clock a pose file's frame numbers count on in ``dm``.

    DeepLabCut and SLEAP number a video's frames, so their keys go on the clock of the
    session's media when all of its media share one clock (a WhiskerToolbox config's
    ``camera`` clock, say), else on ``"time"``. A file that brings its own images (a
    labeled-data folder) keeps them and its labels together on ``"time"``.
    """
    from napari_whiskertoolbox.core.kinds import MEDIA_KINDS

    clocks = {dm.time_key(key) for kind in MEDIA_KINDS for key in dm.keys(kind)}
    return clocks.pop() if len(clocks) == 1 else "time"
