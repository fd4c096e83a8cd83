"""File-backed frame sources (Qt-free): video files, TIFF stacks and image folders.

:func:`open_media` picks the right :class:`~napari_whiskertoolbox.core.media.MediaData`
subclass for a path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from napari_whiskertoolbox.core.media import ArrayMedia, MediaData
from napari_whiskertoolbox.media._common import existing_path
from napari_whiskertoolbox.media.errors import MediaError, MediaFileNotFoundError
from napari_whiskertoolbox.media.frame_index import FrameIndex, build_frame_index
from napari_whiskertoolbox.media.image_folder import DEFAULT_IMAGE_EXTENSIONS, ImageFolderMedia
from napari_whiskertoolbox.media.tiff import TiffStackMedia
from napari_whiskertoolbox.media.video import DecodeStats, VideoMedia

__all__ = [
    "DEFAULT_IMAGE_EXTENSIONS",
    "MEDIA_KINDS",
    "TIFF_SUFFIXES",
    "VIDEO_SUFFIXES",
    "ArrayMedia",
    "DecodeStats",
    "FrameIndex",
    "ImageFolderMedia",
    "MediaData",
    "MediaError",
    "MediaFileNotFoundError",
    "TiffStackMedia",
    "VideoMedia",
    "build_frame_index",
    "is_media_path",
    "open_media",
]

VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".avi", ".mov", ".mkv", ".m4v")
TIFF_SUFFIXES: tuple[str, ...] = (".tif", ".tiff")
MEDIA_KINDS: tuple[str, ...] = ("video", "tiff", "images")


def open_media(path: str | os.PathLike, kind: str | None = None, **options: Any) -> MediaData:
    """Open a video file, TIFF stack or image folder as a lazy frame source.

    Parameters
    ----------
    path : str or os.PathLike
        A video file (``.mp4 .avi .mov .mkv .m4v``), a TIFF file (``.tif .tiff``) or a
        folder of images.
    kind : {"video", "tiff", "images"} or None
        Force the reader instead of choosing by suffix: ``"video"`` → :class:`VideoMedia`,
        ``"tiff"`` → :class:`TiffStackMedia`, ``"images"`` → :class:`ImageFolderMedia` for a
        folder or :class:`TiffStackMedia` for a file (WhiskerToolbox's ``data_type``).
    **options
        Passed to the reader (e.g. ``gray=True`` for video, ``pattern="*.png"`` for folders).

    Returns
    -------
    MediaData
        ``VideoMedia`` (kind ``"video"``), ``TiffStackMedia`` or ``ImageFolderMedia``
        (kind ``"images"``).

    Raises
    ------
    MediaFileNotFoundError
        If ``path`` does not exist.
    MediaError
        If the suffix is not a known media type, or the file cannot be read.
    ValueError
        If ``kind`` is not one of :data:`MEDIA_KINDS`.
    """
    if kind is not None and kind not in MEDIA_KINDS:
        raise ValueError(f"media kind must be one of {MEDIA_KINDS} or None, got {kind!r}")
    resolved = existing_path(path, "media path")
    suffix = resolved.suffix.lower()
    if resolved.is_dir():
        if kind not in (None, "images"):
            raise MediaError(f"media path {str(resolved)!r} is a folder, not a {kind} file")
        return ImageFolderMedia(resolved, **options)
    if kind == "video" or (kind is None and suffix in VIDEO_SUFFIXES):
        return VideoMedia(resolved, **options)
    if kind in ("tiff", "images") or suffix in TIFF_SUFFIXES:
        return TiffStackMedia(resolved, **options)
    raise MediaError(
        f"media file {str(resolved)!r} has unsupported suffix {suffix!r}; expected a video "
        f"({' '.join(VIDEO_SUFFIXES)}), a TIFF ({' '.join(TIFF_SUFFIXES)}) or an image folder"
    )


def is_media_path(path: str | os.PathLike) -> bool:
    """Whether ``path`` looks like something :func:`open_media` can open (by suffix or folder)."""
    p = Path(path)
    return p.is_dir() or p.suffix.lower() in VIDEO_SUFFIXES + TIFF_SUFFIXES
