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

    Everything is read before ``dm`` changes, so a bad file leaves it as it was.
    """
    from napari_whiskertoolbox.io.contributions import commit

    taken = set(dm.keys())
    entries: list[tuple[str, Any]]
    if kind == "deeplabcut":
        from napari_whiskertoolbox.io.dlc_project import load_dlc_path

        entries = load_dlc_path(path, taken)
    elif kind == "sleap":
        from napari_whiskertoolbox.io.sleap import load_sleap_entries

        entries = load_sleap_entries(path, free_prefix("sleap", taken))
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

    _note_renamed_pose_sets(entries, taken, str(path))
    video = _labelled_video(path, entries, dm) if kind == "sleap" else None
    brings_media = any(isinstance(obj, MediaData) for _, obj in entries)
    with dm.history.group(f"Open {path.name}"):
        added: tuple[str, ...] = ()
        if video is not None:
            from napari_whiskertoolbox.io.clock_alignment import media_clock

            key, media, video_path = video
            dm.set_data(key, media, media_clock(dm, key, media, str(video_path)))
            added = (key,)
        clock = pose_clock(dm) if kind in ("deeplabcut", "sleap") and not brings_media else "time"
        return added + commit(dm, entries, label=f"Open {path.name}", source=str(path), clock=clock)


def _labelled_video(
    path: Path, entries: list[tuple[str, Any]], dm: DataManager
) -> tuple[str, Any, Path] | None:
    """Return ``(key, opened media, its path)`` of the video a SLEAP file labels, to open with it.

    Only into a session without media (one with media numbers the labels on its media's
    clock, :func:`pose_clock`). The video is the file's ``video_path`` as stored (relative:
    to the SLEAP file's folder), else a file of that name beside the SLEAP file (a project
    moved with its video, as SLEAP's own search for a moved video finds it). A video not
    found or not readable is left out with a load note naming it; the labels open all
    the same.
    """
    from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
    from napari_whiskertoolbox.io.pose import PoseSet
    from napari_whiskertoolbox.io.report import LoadNote, log_note
    from napari_whiskertoolbox.media.suffixes import is_media_file_name

    if any(dm.keys(kind) for kind in MEDIA_KINDS):
        return None
    stored = next(
        (str(obj.source.get("video_path") or "") for _, obj in entries if isinstance(obj, PoseSet)),
        "",
    )
    if not stored:
        return None
    named = Path(stored.replace("\\", "/")).expanduser()
    candidates = [named if named.is_absolute() else path.parent / named, path.parent / named.name]
    found = next(
        (c for c in candidates if is_media_file_name(c) and c.is_file() and c != path), None
    )

    def note(message: str) -> None:
        log_note(LoadNote(str(path), "info", message, path=str(path)))

    if found is None:
        if is_media_file_name(named):
            note(
                f"the video the labels belong to, {stored!r}, was not found (nor "
                f"{named.name!r} beside the file): the keypoints open without it; open the "
                "video first, then this file, to see them on its frames"
            )
        return None
    from napari_whiskertoolbox.media import MediaError, open_media

    try:
        media = open_media(found)
    except (MediaError, OSError, ValueError) as exc:
        note(f"the video the labels belong to, '{found}', cannot be read ({exc}): left out")
        return None
    from napari_whiskertoolbox.io.routing import MEDIA_KEY, free_key

    taken = {k for k, _ in entries}
    key = MEDIA_KEY if MEDIA_KEY not in dm and MEDIA_KEY not in taken else free_key(dm, found.stem)
    return key, media, found


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
