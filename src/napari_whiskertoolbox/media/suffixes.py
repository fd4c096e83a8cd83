"""The one table of media file suffixes (lower case, with the dot).

:func:`~napari_whiskertoolbox.media.open_media`, the npe2 readers, the viewer session, the
open/save routing in :mod:`napari_whiskertoolbox.io.routing` and the manifest's filename
patterns (checked by a test) all derive from these tuples.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os

__all__ = [
    "IMAGE_SUFFIXES",
    "MEDIA_FILE_SUFFIXES",
    "TIFF_SUFFIXES",
    "VIDEO_SUFFIXES",
    "has_images",
    "is_media_file_name",
]

VIDEO_SUFFIXES: tuple[str, ...] = (
    ".mp4",
    ".avi",
    ".mov",
    ".mkv",
    ".m4v",
    ".webm",
    ".mpg",
    ".mpeg",
    ".ts",
    ".mts",
    ".m2ts",
    ".wmv",
    ".flv",
    ".h264",
)
"""Video files decoded by PyAV: containers, and raw H.264 (``.h264``, as Raspberry Pi
cameras record it)."""
TIFF_SUFFIXES: tuple[str, ...] = (".tif", ".tiff")
"""TIFF stacks (one file, many pages) read by tifffile."""
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".bmp", *TIFF_SUFFIXES)
"""Single-image files an image folder is made of."""
MEDIA_FILE_SUFFIXES: tuple[str, ...] = VIDEO_SUFFIXES + TIFF_SUFFIXES
"""Files that open as a whole media on their own: videos and TIFF stacks."""


def is_media_file_name(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path``'s suffix is one of :data:`MEDIA_FILE_SUFFIXES`."""
    return Path(path).suffix.lower() in MEDIA_FILE_SUFFIXES


def has_images(folder: str | os.PathLike[str]) -> bool:
    """Return whether ``folder`` is a folder holding at least one image file."""
    folder = Path(folder)
    if not folder.is_dir():
        return False
    return any(
        entry.suffix.lower() in IMAGE_SUFFIXES and entry.is_file() for entry in folder.iterdir()
    )
