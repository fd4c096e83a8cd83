"""Small least-recently-used cache of decoded frames."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FrameCache"]


class FrameCache:
    """LRU mapping frame number → frame array holding at most ``capacity`` frames.

    Not thread-safe on its own; the owning media source guards it with its lock.

    Parameters
    ----------
    capacity : int
        Maximum number of frames kept (``0`` disables caching).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"cache capacity must be >= 0, got {capacity}")
        self.capacity = int(capacity)
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, index: int) -> bool:
        return index in self._frames

    def get(self, index: int) -> np.ndarray | None:
        """Return the cached frame ``index`` (marking it recently used) or ``None``."""
        frame = self._frames.get(index)
        if frame is not None:
            self._frames.move_to_end(index)
        return frame

    def put(self, index: int, frame: np.ndarray) -> None:
        """Store ``frame`` under ``index``, evicting the least recently used frames."""
        if self.capacity == 0:
            return
        self._frames[index] = frame
        self._frames.move_to_end(index)
        while len(self._frames) > self.capacity:
            self._frames.popitem(last=False)

    def keys(self) -> list[int]:
        """Return the cached frame numbers, least recently used first."""
        return list(self._frames)

    def clear(self) -> None:
        """Drop every cached frame."""
        self._frames.clear()
