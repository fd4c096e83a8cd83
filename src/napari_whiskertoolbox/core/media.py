"""Read-only frame sources (video, image stacks, arrays) that napari can slice directly."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core.wtb_aliases import TimeFrameBindingAliases

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["ArrayMedia", "MediaData"]


class MediaData(ClockedMixin, TimeFrameBindingAliases, ABC):
    """Abstract array-like frame source of shape ``(n_frames, height, width[, channels])``.

    Subclasses implement :meth:`frame`, :attr:`shape` and :attr:`dtype`; indexing with ints,
    slices and tuples is provided here so napari can slice the object lazily.
    """

    kind: str = "images"
    source_path: Path | None = None

    @property
    @abstractmethod
    def shape(self) -> tuple[int, ...]:
        """``(n_frames, height, width)`` or ``(n_frames, height, width, channels)``."""

    @property
    @abstractmethod
    def dtype(self) -> np.dtype:
        """Pixel dtype of a frame."""

    @abstractmethod
    def frame(self, index: int) -> np.ndarray:
        """Return frame ``index`` (0-based) as a numpy array of shape ``shape[1:]``."""

    @property
    def ndim(self) -> int:
        """Number of dimensions: 3, or 4 for colour frames."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of pixel values over all frames (and channels)."""
        return int(np.prod(self.shape))

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return self.shape[0]

    @property
    def height(self) -> int:
        """Frame height in pixels."""
        return self.shape[1]

    @property
    def width(self) -> int:
        """Frame width in pixels."""
        return self.shape[2]

    @property
    def is_color(self) -> bool:
        """Whether frames have a trailing channel axis."""
        return self.ndim == 4

    @property
    def contrast_limits(self) -> tuple[float, float]:
        """Display range implied by the dtype (integers: full range; floats: 0..1)."""
        if np.issubdtype(self.dtype, np.integer):
            info = np.iinfo(self.dtype)
            return (float(info.min), float(info.max))
        return (0.0, 1.0)

    def close(self) -> None:
        """Release file handles; the default has none."""

    def __len__(self) -> int:
        return self.shape[0]

    def _normalise_index(self, index: int | np.integer) -> int:
        n = self.shape[0]
        i = int(index)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"frame {index} out of range for media with {n} frames")
        return i

    def __getitem__(self, key: Any) -> np.ndarray:
        rest: tuple = ()
        if isinstance(key, tuple):
            key, rest = (key[0], key[1:]) if key else (slice(None), ())
        if isinstance(key, (int, np.integer)):
            out = self.frame(self._normalise_index(key))
        else:
            indices: Iterable[int]
            if isinstance(key, slice):
                indices = range(*key.indices(self.shape[0]))
            else:
                indices = [self._normalise_index(i) for i in np.asarray(key).ravel()]
            frames = [self.frame(i) for i in indices]
            out = np.stack(frames) if frames else np.empty((0, *self.shape[1:]), dtype=self.dtype)
            if rest:
                return out[(slice(None), *rest)]
            return out
        return out[rest] if rest else out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self[:]
        return arr.astype(dtype) if dtype is not None else arr

    def __repr__(self) -> str:
        src = f", {self.source_path.name!r}" if self.source_path else ""
        return (
            f"{type(self).__name__}({self.width}x{self.height}, frames={self.n_frames}{src}, "
            f"dtype={self.dtype})"
        )


class ArrayMedia(MediaData):
    """In-memory frames held in a numpy array of shape ``(n, H, W[, C])``.

    Parameters
    ----------
    array : array_like
        Frames; a 2-D array is treated as a single frame.
    kind : str
        ``"images"`` (default) or ``"video"``.
    """

    def __init__(self, array: Any, kind: str = "images") -> None:
        arr = np.asarray(array)
        if arr.ndim == 2:
            arr = arr[np.newaxis]
        if arr.ndim not in (3, 4):
            raise ValueError(
                f"ArrayMedia expects (n, H, W) or (n, H, W, C) frames, got shape {arr.shape}"
            )
        self._array = arr
        self.kind = kind

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_frames, height, width)`` or ``(n_frames, height, width, channels)``."""
        return self._array.shape

    @property
    def dtype(self) -> np.dtype:
        """Pixel dtype of a frame."""
        return self._array.dtype

    @property
    def array(self) -> np.ndarray:
        """The backing array (no copy)."""
        return self._array

    def frame(self, index: int) -> np.ndarray:
        """Return frame ``index`` (a view of the backing array; negative indices count back).

        Raises
        ------
        IndexError
            If ``index`` is out of range.
        """
        return self._array[self._normalise_index(index)]

    def __getitem__(self, key: Any) -> np.ndarray:
        return self._array[key]
