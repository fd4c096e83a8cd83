"""A folder of image files (one frame per file) as a lazy frame source."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import imageio.v3 as iio
import numpy as np
import tifffile
from PIL import Image, UnidentifiedImageError

from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.media._common import (
    check_frame_shape,
    existing_path,
    natural_sort_key,
    sampled_contrast_limits,
)
from napari_whiskertoolbox.media.errors import MediaError
from napari_whiskertoolbox.media.frame_cache import FrameCache
from napari_whiskertoolbox.media.suffixes import IMAGE_SUFFIXES, TIFF_SUFFIXES

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["ImageFolderMedia"]


class ImageFolderMedia(MediaData):
    """Image files of a folder, in natural name order (``img2`` before ``img10``), as frames.

    Files are read on demand (tifffile for TIFF, imageio otherwise) and the few most recent
    frames are cached. Images of different sizes (normal in DeepLabCut's labelled-data
    folders) are each shown at their own pixel coordinates: frames are a canvas of the
    largest width and height, each image anchored at the top-left, the rest zero. Sizes are
    read from the headers when the folder is opened; channels and dtype must agree.

    Parameters
    ----------
    folder : str or os.PathLike
        The folder holding the images.
    pattern : str
        Glob pattern the file names must match (default ``"*"``).
    extensions : iterable of str or None
        Accepted file suffixes (case-insensitive); default :data:`IMAGE_SUFFIXES`.
    validate : bool
        Check every file's image size from its header at open (default ``True``).
    cache_size : int
        Number of decoded frames kept in memory.
    files : sequence of path-like, optional
        The frames, in order, instead of ``pattern``/``extensions`` and natural sorting
        (a config's ``images`` options choose them, see ``io.readers_clocks_media``).

    Raises
    ------
    MediaFileNotFoundError
        If ``folder`` does not exist.
    MediaError
        If it is not a folder, holds no matching image, or a header cannot be read.
    """

    kind = "images"
    source_path: Path

    def __init__(
        self,
        folder: str | os.PathLike[str],
        pattern: str = "*",
        extensions: Iterable[str] | None = None,
        validate: bool = True,
        cache_size: int = 8,
        files: Sequence[str | os.PathLike[str]] | None = None,
    ) -> None:
        self.source_path = existing_path(folder, "image folder")
        if not self.source_path.is_dir():
            raise MediaError(f"image folder {str(self.source_path)!r} is not a folder")
        suffixes = IMAGE_SUFFIXES if extensions is None else extensions
        self._suffixes = {s.lower() if s.startswith(".") else f".{s.lower()}" for s in suffixes}
        self._pattern = pattern
        if files is not None:
            self._files = [self.source_path / f for f in files]
        else:
            self._files = sorted(
                (
                    p
                    for p in self.source_path.glob(pattern)
                    if p.is_file() and p.suffix.lower() in self._suffixes
                ),
                key=lambda p: natural_sort_key(p.name),
            )
        if not self._files:
            raise MediaError(
                f"image folder {str(self.source_path)!r} has no files matching {pattern!r} "
                f"with extension {sorted(self._suffixes)}"
            )
        self._lock = threading.Lock()
        self._cache = FrameCache(cache_size)
        first = self._read(0)
        self._sizes: list[tuple[int, int]] | None = None
        if validate:
            self._sizes = [first.shape[:2], *(_header_size(p) for p in self._files[1:])]
            canvas = (max(h for h, _ in self._sizes), max(w for _, w in self._sizes))
        else:
            canvas = first.shape[:2]
        self._frame_shape: tuple[int, ...] = (*canvas, *first.shape[2:])
        self._dtype = first.dtype
        self._cache.put(0, self._on_canvas(first, self._files[0]))

    @classmethod
    def from_files(
        cls, files: Sequence[str | os.PathLike[str]], cache_size: int = 8
    ) -> ImageFolderMedia:
        """Return the image files ``files`` (absolute, any folders) as frames in that order.

        Frame ``i`` is ``files[i]`` (an image sequence as SLEAP stores it); the folder is the
        files' deepest common folder.

        Raises
        ------
        MediaFileNotFoundError
            If a file does not exist (the first missing one is named).
        MediaError
            If ``files`` is empty or a header cannot be read.
        """
        paths = [existing_path(f, "image file") for f in files]
        if not paths:
            raise MediaError("expected image files for an image sequence, got none")
        root = Path(os.path.commonpath([str(p.parent) for p in paths]))
        return cls(root, cache_size=cache_size, files=[p.relative_to(root) for p in paths])

    def __reduce__(
        self,
    ) -> tuple[type[ImageFolderMedia], tuple[Path, str, list[str], bool, int, list[str]]]:
        # Another process gets the same file list (the files are not read until needed).
        args = (
            self.source_path,
            self._pattern,
            sorted(self._suffixes),
            False,
            self._cache.capacity,
            [str(p.relative_to(self.source_path)) for p in self._files],
        )
        return (type(self), args)

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_files, height, width[, channels])``."""
        return (len(self._files), *self._frame_shape)

    @property
    def dtype(self) -> np.dtype:
        """Pixel dtype of the first image (every image must share it)."""
        return self._dtype

    @property
    def files(self) -> list[Path]:
        """The image files, in frame order."""
        return list(self._files)

    @property
    def contrast_limits(self) -> tuple[float, float]:
        """Full range for uint8; otherwise min/max of the first, middle and last frames."""
        return sampled_contrast_limits(self) or super().contrast_limits

    def frame(self, index: int) -> np.ndarray:
        """Return the image of frame ``index`` (read from disk unless cached)."""
        i = self._normalise_index(index)
        with self._lock:
            cached = self._cache.get(i)
        if cached is not None:
            return cached
        frame = self._on_canvas(self._read(i), self._files[i])
        if frame.dtype != self._dtype:
            raise MediaError(
                f"image {str(self._files[i])!r} has dtype {frame.dtype}, expected {self._dtype} "
                "like the other frames"
            )
        with self._lock:
            self._cache.put(i, frame)
        return frame

    def _read(self, i: int) -> np.ndarray:
        path = self._files[i]
        try:
            if path.suffix.lower() in TIFF_SUFFIXES:
                data = tifffile.imread(path)
            else:
                data = iio.imread(path)
        except Exception as exc:  # any decoder failure is a bad file for the user
            raise MediaError(f"cannot read image {str(path)!r}: {exc}") from exc
        data = np.asarray(data)
        data.flags.writeable = False
        return data

    @property
    def image_sizes(self) -> list[tuple[int, int]]:
        """``(height, width)`` of each image file (frames may be padded to a larger canvas)."""
        if self._sizes is None:
            self._sizes = [_header_size(p) for p in self._files]
        return list(self._sizes)

    def _on_canvas(self, image: np.ndarray, path: Path) -> np.ndarray:
        """Return ``image`` placed at the top-left of the frame canvas (itself when it fills it)."""
        canvas = self._frame_shape
        if image.shape == canvas:
            return image
        if (
            image.ndim != len(canvas)
            or image.shape[2:] != canvas[2:]
            or image.shape[0] > canvas[0]
            or image.shape[1] > canvas[1]
        ):
            check_frame_shape(image, canvas, path)  # raises, naming the file
        frame = np.zeros(canvas, dtype=image.dtype)
        frame[: image.shape[0], : image.shape[1]] = image
        frame.flags.writeable = False
        return frame


def _header_size(path: Path) -> tuple[int, int]:
    """Return the ``(height, width)`` of an image file, read from its header only."""
    try:
        if path.suffix.lower() in TIFF_SUFFIXES:
            with tifffile.TiffFile(path) as tif:
                page = tif.pages.first
                return (int(page.imagelength), int(page.imagewidth))
        with Image.open(path) as image:
            width, height = image.size
            return (int(height), int(width))
    except (OSError, ValueError, UnidentifiedImageError, tifffile.TiffFileError) as exc:
        raise MediaError(f"cannot read image {str(path)!r}: {exc}") from exc
