"""The video a SLEAP file or a DeepLabCut predictions table labels, in the session it opens into.

Into a session without media the video opens with the labels (:func:`open_labelled_video`).
Into a session that shows media already (a WhiskerToolbox config's video, say) nothing is
opened or replaced: when the labels' video is one the session shows, the keypoints go on
that media's clock (:func:`session_media_clock`); when it is another, a ``media`` load note
names both files and says on which clock the keypoints were put by frame number.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.report import LoadNote, log_note

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager, MediaData

__all__ = [
    "LabelledVideo",
    "analysed_video",
    "has_media",
    "labelled_video",
    "open_labelled_video",
    "session_media_clock",
]


@dataclass(frozen=True)
class LabelledVideo:
    """The video a pose file names: as stored, and the file found for it (None: not found).

    An image sequence (SLEAP's ``ImageVideo``) has ``images``, its files found in frame
    order (``found`` is their folder), or ``missing``, those not found as stored.
    """

    stored: str
    found: Path | None
    images: tuple[Path, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def shown_name(self) -> str:
        """The path to name in messages: the file found, else the path as stored."""
        return str(self.found) if self.found is not None else self.stored


def has_media(dm: DataManager) -> bool:
    """Return whether ``dm`` holds a video or an image stack."""
    return any(dm.keys(kind) for kind in MEDIA_KINDS)


def labelled_video(path: Path, entries: list[tuple[str, Any]]) -> LabelledVideo | None:
    """Return the video the pose sets of ``entries`` (read from ``path``) label, or None.

    The file's ``video_path`` as stored (relative: to the file's folder), else a file of
    that name beside the file (a project moved with its video, as SLEAP's own search for a
    moved video finds it). An image sequence's files (``video_files``) are each found so, or
    in a folder of its folder's name beside the file. None when no media file name is stored.
    """
    from napari_whiskertoolbox.io.pose import PoseSet
    from napari_whiskertoolbox.media.suffixes import is_media_file_name

    source = next((obj.source for _, obj in entries if isinstance(obj, PoseSet)), {})
    files = [str(f) for f in source.get("video_files") or []]
    if files:
        return _labelled_images(path, files)
    stored = str(source.get("video_path") or "")
    if not stored or not is_media_file_name(_as_stored(stored)):
        return None
    return LabelledVideo(stored, _find_stored(path, stored))


def _as_stored(stored: str) -> Path:
    """Return the path a pose file stores, its Windows separators read as ``/``."""
    return Path(stored.replace("\\", "/"))


def _find_stored(path: Path, stored: str, *, in_own_folder: bool = False) -> Path | None:
    """Return the file ``stored`` names, found as :func:`labelled_video` says (None: not found).

    As stored (relative: to ``path``'s folder), else (``in_own_folder``) in a folder of its
    folder's name beside ``path``, else beside ``path``; never ``path`` itself.
    """
    named = _as_stored(stored).expanduser()
    candidates = [named if named.is_absolute() else path.parent / named]
    if in_own_folder:
        candidates.append(path.parent / named.parent.name / named.name)
    candidates.append(path.parent / named.name)
    return next((c for c in candidates if c.is_file() and c != path), None)


def _labelled_images(path: Path, files: list[str]) -> LabelledVideo:
    """Return an image sequence's files found (see :func:`labelled_video`), or those missing."""
    found: list[Path] = []
    missing: list[str] = []
    for stored in files:
        hit = _find_stored(path, stored, in_own_folder=True)
        if hit is None:
            missing.append(stored)
        else:
            found.append(hit.resolve())
    name = f"{_as_stored(files[0]).parent} ({len(files)} images)"
    if missing:
        return LabelledVideo(name, None, missing=tuple(missing))
    folder = Path(os.path.commonpath([str(f.parent) for f in found]))
    return LabelledVideo(name, folder, images=tuple(found))


def analysed_video(path: Path) -> LabelledVideo | None:
    """Return the video a DeepLabCut predictions table at ``path`` was made from, or None.

    DeepLabCut's ``analyze_videos`` writes ``<video>DLC_<network>...h5`` (and ``.csv``,
    ``_filtered``, multi-animal ``_el``) beside ``<video>.<ext>``: the video is a file of that
    stem with a video or TIFF suffix beside the table (the first in
    :data:`~napari_whiskertoolbox.media.suffixes.MEDIA_FILE_SUFFIXES` order). A table named so
    with no such video beside it gets a ``media`` load note saying the keypoints open
    without it, and None; a table not named so (labels, LightningPose, any other name):
    None, no note.
    """
    from napari_whiskertoolbox.io.dlc_project import PREDICTIONS_MARK
    from napari_whiskertoolbox.media.suffixes import MEDIA_FILE_SUFFIXES

    stem, mark, _ = path.stem.partition(PREDICTIONS_MARK)
    if not mark or not stem:
        return None
    siblings = {p.name.lower(): p for p in path.parent.iterdir() if p.is_file()}
    for suffix in MEDIA_FILE_SUFFIXES:
        found = siblings.get(f"{stem}{suffix}".lower())
        if found is not None:
            return LabelledVideo(found.name, found)
    _note(
        path,
        f"no video {stem!r} ({stem}.mp4, .avi…) beside the predictions, which DeepLabCut "
        "names after the video it analysed: the keypoints open without it; open the video "
        "first, then this file, to see them on its frames",
    )
    return None


def _note(path: Path, message: str) -> None:
    log_note(LoadNote(str(path), "media", message, path=str(path)))


def open_labelled_video(
    path: Path, video: LabelledVideo, taken: set[str], dm: DataManager
) -> tuple[str, MediaData, Path] | None:
    """Open ``video`` for a session without media: ``(key, media, its file)``, or None.

    A video not found or not readable is left out with a ``media`` load note naming it
    (an image sequence's missing files); the labels open all the same. ``taken`` holds the
    keys the file itself brings.
    """
    if video.missing:
        shown = ", ".join(repr(f) for f in video.missing[:5])
        more = f" and {len(video.missing) - 5} more" if len(video.missing) > 5 else ""
        _note(
            path,
            f"the labels belong to an image sequence, {video.stored}, of which "
            f"{len(video.missing)} image files were not found (nor beside the file): "
            f"{shown}{more}; the keypoints open without the images",
        )
        return None
    if video.found is None:
        _note(
            path,
            f"the video the labels belong to, {video.stored!r}, was not found (nor "
            f"{_as_stored(video.stored).name!r} beside the file): the keypoints "
            "open without it; open the video first, then this file, to see them on its frames",
        )
        return None
    from napari_whiskertoolbox.media import ImageFolderMedia, MediaError, open_media

    try:
        media = (
            ImageFolderMedia.from_files(video.images) if video.images else open_media(video.found)
        )
    except (MediaError, OSError, ValueError) as exc:
        _note(
            path,
            f"the video the labels belong to, '{video.found}', cannot be read ({exc}): left out",
        )
        return None
    from napari_whiskertoolbox.io.routing import MEDIA_KEY, free_key

    free = MEDIA_KEY not in dm and MEDIA_KEY not in taken
    key = MEDIA_KEY if free else free_key(dm, video.found.stem)
    return key, media, video.found


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _copy_of(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are files of one name and one size (a copy in another folder)."""
    try:
        return a.name == b.name and a.stat().st_size == b.stat().st_size
    except OSError:
        return False


def _keys_showing(dm: DataManager, images: tuple[Path, ...]) -> list[str]:
    """Return the media keys of ``dm`` showing exactly the image files ``images``, in order."""
    if not images:
        return []
    keys = [key for kind in MEDIA_KINDS for key in dm.keys(kind)]
    return [
        key
        for key in keys
        if [Path(f).resolve() for f in getattr(dm.get_data(key), "files", None) or []]
        == list(images)
    ]


def session_media_clock(
    path: Path, video: LabelledVideo | None, dm: DataManager, fallback: str
) -> str:
    """Return the clock the labels of ``video`` go on in ``dm``, which holds media already.

    The clock of the media key showing that video file (the same file, or a copy of it: same
    name and size). Without one: when the labels' file was not found, a media file of its
    name (a project moved since it was labelled); an image sequence: the media showing its
    files in its order; else ``fallback``, with a ``media`` load
    note naming the labels' video and the session's, and the clock the keypoints are on.
    """
    if video is None:
        return fallback
    media = [(key, dm.get_data(key).source_path) for kind in MEDIA_KINDS for key in dm.keys(kind)]
    files = [(key, Path(source)) for key, source in media if source is not None]
    if video.images or video.missing:
        match = next((key for key in _keys_showing(dm, video.images)), None)
        if match is not None:
            return dm.time_key(match)
    elif video.found is not None:
        for test in (_same_file, _copy_of):
            match = next((key for key, file in files if test(video.found, file)), None)
            if match is not None:
                return dm.time_key(match)
    else:
        name = _as_stored(video.stored).name
        match = next((key for key, file in files if file.name == name), None)
        if match is not None:
            clock = dm.time_key(match)
            _note(
                path,
                f"the video the labels belong to, {video.stored!r}, was not found; the "
                f"session's {name!r} (key {match!r}) has its name, so the keypoints are on its "
                f"clock {clock!r}",
            )
            return clock
    shown = ", ".join(
        f"{key!r} ({str(source) if source is not None else 'no file'})" for key, source in media
    )
    where = "" if video.found is not None else " (not found)"
    _note(
        path,
        f"the labels belong to the video '{video.shown_name}'{where}, which is not the "
        f"session's media ({shown}): it was not opened, and the keypoints are placed by frame "
        f"number on clock {fallback!r}. To see them on their own video, open this file in a "
        "session without media, or open that video first",
    )
    return fallback
