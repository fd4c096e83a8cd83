"""File-backed frame sources (Qt-free): video files, TIFF stacks and image folders.

:func:`open_media` picks the right :class:`~napari_whiskertoolbox.core.media.MediaData`
subclass for a path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.media import ArrayMedia, MediaData
from napari_whiskertoolbox.media._common import existing_path
from napari_whiskertoolbox.media.errors import (
    FrameDecodeError,
    MediaError,
    MediaFileNotFoundError,
    MediaWarning,
)
from napari_whiskertoolbox.media.frame_index import FrameIndex, build_frame_index
from napari_whiskertoolbox.media.image_folder import ImageFolderMedia
from napari_whiskertoolbox.media.suffixes import (
    IMAGE_SUFFIXES,
    MEDIA_FILE_SUFFIXES,
    TIFF_SUFFIXES,
    VIDEO_SUFFIXES,
    has_images,
    is_media_file_name,
)
from napari_whiskertoolbox.media.tiff import TiffStackMedia
from napari_whiskertoolbox.media.video import DecodeStats, VideoMedia

if TYPE_CHECKING:
    import os

__all__ = [
    "IMAGE_SUFFIXES",
    "MEDIA_FILE_SUFFIXES",
    "OPEN_MEDIA_KINDS",
    "TIFF_SUFFIXES",
    "VIDEO_SUFFIXES",
    "ArrayMedia",
    "DecodeStats",
    "FrameDecodeError",
    "FrameIndex",
    "ImageFolderMedia",
    "MediaData",
    "MediaError",
    "MediaFileNotFoundError",
    "MediaWarning",
    "TiffStackMedia",
    "VideoMedia",
    "build_frame_index",
    "has_images",
    "is_media_file_name",
    "is_media_path",
    "open_media",
]

OPEN_MEDIA_KINDS: tuple[str, ...] = ("video", "tiff", "images")
"""Values of :func:`open_media`'s ``kind``: which reader to use instead of the suffix."""


def open_media(path: str | os.PathLike[str], kind: str | None = None, **options: Any) -> MediaData:
    """Open a video file, TIFF stack or image folder as a lazy frame source.

    Parameters
    ----------
    path : str or os.PathLike
        A video file (a suffix of :data:`VIDEO_SUFFIXES`: ``.mp4 .avi .mov .mkv .m4v``,
        ``.webm .mpg .ts .h264`` ...), a TIFF file (``.tif .tiff``) or a folder of images.
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
        If ``kind`` is not one of :data:`OPEN_MEDIA_KINDS`.
    """
    if kind is not None and kind not in OPEN_MEDIA_KINDS:
        raise ValueError(f"media kind must be one of {OPEN_MEDIA_KINDS} or None, got {kind!r}")
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


def is_media_path(path: str | os.PathLike[str]) -> bool:
    """Return whether :func:`open_media` can open ``path`` (judged by suffix, or a folder)."""
    return Path(path).is_dir() or is_media_file_name(path)
