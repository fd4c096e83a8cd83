"""Media frames that cannot be decoded show empty in napari, with one notification per stretch.

napari slices an Image layer's data on every frame step; an exception there would repeat
on every step through a damaged stretch of a video. :class:`EmptyWhereUndecodable` wraps
the frame source handed to napari: a frame whose read raises
:class:`~napari_whiskertoolbox.media.MediaError` is shown as zeros, and the user is told
once for each stretch of neighbouring frames that fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from napari.utils.notifications import show_warning

from napari_whiskertoolbox.media.errors import MediaError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["EmptyWhereUndecodable"]


class EmptyWhereUndecodable:
    """Array-like view of a frame source (``(n, H, W[, C])``) whose bad frames read as zeros.

    Parameters
    ----------
    source : array-like
        A :class:`~napari_whiskertoolbox.core.MediaData` or a view of one (e.g.
        ``ClockMappedMedia``); indexed on its first axis one frame at a time.
    label : str
        How the notification names the source (the DataManager key).
    notify : callable
        Called with the message for each new stretch of failing frames (napari's
        ``show_warning`` by default).
    """

    def __init__(
        self, source: Any, label: str, notify: Callable[[str], Any] = show_warning
    ) -> None:
        self.source = source
        self.label = label
        self.dtype = np.dtype(source.dtype)
        self.shape = tuple(int(s) for s in source.shape)
        self.ndim = len(self.shape)
        self._notify = notify
        self._failed: set[int] = set()

    @property
    def failed_frames(self) -> list[int]:
        """Frame numbers (of the source) that failed so far, sorted."""
        return sorted(self._failed)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        rest: tuple = ()
        if isinstance(key, tuple):
            key, rest = (key[0], key[1:]) if key else (slice(None), ())
        if isinstance(key, (int, np.integer)):
            frame = self._frame(int(key))
            return frame[rest] if rest else frame
        indices = (
            range(*key.indices(self.shape[0]))
            if isinstance(key, slice)
            else np.asarray(key).ravel().tolist()
        )
        frames = [self._frame(int(i)) for i in indices]
        out = np.stack(frames) if frames else np.empty((0, *self.shape[1:]), self.dtype)
        return out[(slice(None), *rest)] if rest else out

    def _frame(self, index: int) -> np.ndarray:
        try:
            return np.asarray(self.source[index])
        except MediaError as exc:
            self._report(int(getattr(exc, "frame", index)), exc)
            return np.zeros(self.shape[1:], dtype=self.dtype)

    def _report(self, frame: int, error: MediaError) -> None:
        new_stretch = not self._failed.intersection((frame - 1, frame, frame + 1))
        self._failed.add(frame)
        if new_stretch:
            self._notify(
                f"{self.label}: {error}. It is shown empty, and so are the undecodable "
                "frames next to it (no further notice for them)."
            )
