"""TIFF stacks as lazy frame sources (memory-mapped when the file allows it)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import tifffile

from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.media._common import existing_path, sampled_contrast_limits
from napari_whiskertoolbox.media.errors import MediaError

if TYPE_CHECKING:
    import os
    from pathlib import Path

__all__ = ["TiffStackMedia"]


class TiffStackMedia(MediaData):
    """Frames of the first image series of a TIFF file, shape ``(n, H, W[, C])``.

    Uncompressed contiguous files are memory-mapped (no read at open, frames are views of
    the file). Otherwise one :class:`tifffile.TiffFile` stays open and each page is read
    when its frame is requested; a single page holding a whole 3-D stack is read once.
    Multi-page and single-page stacks, gray and RGB(A), 8/16-bit and float are supported;
    leading dimensions beyond one (e.g. ImageJ ``TZCYX``) are flattened into frames.

    Parameters
    ----------
    path : str or os.PathLike
        The TIFF file.

    Raises
    ------
    MediaFileNotFoundError
        If ``path`` does not exist.
    MediaError
        If the file is not a readable TIFF or holds no image.
    """

    kind = "images"
    source_path: Path

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.source_path = existing_path(path, "TIFF file")
        self._lock = threading.Lock()
        self._tiff: tifffile.TiffFile | None = None
        self._pages: list[tifffile.TiffPage | tifffile.TiffFrame | None] | None = None
        self._frames: np.ndarray | None = None
        try:
            self._tiff = tifffile.TiffFile(self.source_path)
            series = self._tiff.series[0] if self._tiff.series else None
        except (tifffile.TiffFileError, OSError, ValueError) as exc:
            self.close()
            raise MediaError(f"cannot read TIFF file {str(self.source_path)!r}: {exc}") from exc
        if series is None or 0 in series.shape:
            self.close()
            raise MediaError(f"TIFF file {str(self.source_path)!r} holds no image")
        self._dtype = np.dtype(series.dtype)
        self._samples_axis = _samples_axis(series)
        frame_ndim = 2 if self._samples_axis is None else 3
        lead = series.shape[:-frame_ndim]
        n = int(np.prod(lead)) if lead else 1
        frame_shape = self._frame_shape(series.shape[-frame_ndim:])
        self._shape = (n, *frame_shape)
        self._open_frames(series, n)

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_frames, height, width[, samples])``."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """Pixel dtype of the series."""
        return self._dtype

    @property
    def is_memory_mapped(self) -> bool:
        """Whether frames are served from a memory map of the file."""
        return isinstance(self._frames, np.memmap) or isinstance(
            getattr(self._frames, "base", None), np.memmap
        )

    @property
    def contrast_limits(self) -> tuple[float, float]:
        """Full range for uint8; otherwise min/max of the first, middle and last frames."""
        return sampled_contrast_limits(self) or super().contrast_limits

    def frame(self, index: int) -> np.ndarray:
        """Return frame ``index`` as an array of shape ``shape[1:]``."""
        i = self._normalise_index(index)
        if self._frames is not None:
            return self._frames[i]
        if self._pages is None:
            raise MediaError(f"TIFF file {str(self.source_path)!r} is closed")
        with self._lock:
            page = self._pages[i]
            if page is None:
                raise MediaError(f"TIFF file {str(self.source_path)!r}: page {i} is missing")
            data = page.asarray()
        return self._to_frame(data)

    def __getitem__(self, key: Any) -> np.ndarray:
        if self._frames is not None:
            return self._frames[key]
        return super().__getitem__(key)

    def __reduce__(self) -> tuple[type[TiffStackMedia], tuple[Path]]:
        # The open TiffFile cannot travel: another process reopens the file.
        return (type(self), (self.source_path,))

    def close(self) -> None:
        """Close the file (memory-mapped frames stay valid until dropped)."""
        if self._tiff is not None:
            self._tiff.close()
        self._tiff = None
        self._pages = None

    def _open_frames(self, series: tifffile.TiffPageSeries, n: int) -> None:
        frame_ndim = len(self._shape) - 1
        stored_frame_shape = tuple(series.shape[-frame_ndim:])
        try:
            mapped = tifffile.memmap(self.source_path, mode="r", series=0)
        except ValueError:
            mapped = None
        if mapped is not None:
            self._frames = self._to_frames(mapped.reshape(n, *stored_frame_shape))
            self.close()
            return
        pages = list(series.pages)
        if len(pages) == n and tuple(series.keyframe.shape) == stored_frame_shape:
            self._pages = pages
            return
        with self._lock:
            data = series.asarray()
        self._frames = self._to_frames(data.reshape(n, *stored_frame_shape))
        self.close()

    def _frame_shape(self, stored: tuple[int, ...]) -> tuple[int, ...]:
        if self._samples_axis == 0:
            return (*stored[1:], stored[0])
        return tuple(stored)

    def _to_frame(self, data: np.ndarray) -> np.ndarray:
        data = data.reshape(self._stored_frame_shape())
        return np.moveaxis(data, 0, -1) if self._samples_axis == 0 else data

    def _to_frames(self, frames: np.ndarray) -> np.ndarray:
        return np.moveaxis(frames, 1, -1) if self._samples_axis == 0 else frames

    def _stored_frame_shape(self) -> tuple[int, ...]:
        if self._samples_axis == 0:
            return (self._shape[-1], *self._shape[1:-1])
        return self._shape[1:]


def _samples_axis(series: tifffile.TiffPageSeries) -> int | None:
    """Return the colour-samples axis within a frame: ``None`` (gray), ``0`` or ``2``."""
    axes = series.axes
    if axes.endswith("S"):
        return 2
    if axes.endswith("SYX"):
        return 0
    return None
