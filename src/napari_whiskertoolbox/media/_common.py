"""Helpers shared by the file-backed media sources."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.media.errors import MediaError, MediaFileNotFoundError

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.media import MediaData

_DIGITS = re.compile(r"(\d+)")


def natural_sort_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that orders ``img2`` before ``img10`` (digit runs compare as numbers)."""
    parts = _DIGITS.split(name)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)


def existing_path(path: str | os.PathLike[str], what: str) -> Path:
    """Return ``path`` as an absolute :class:`Path`, raising a clear error if it is missing.

    Parameters
    ----------
    path : str or os.PathLike
        The path given by the user.
    what : str
        What the path should be, used in the error message (e.g. ``"video file"``).
    """
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise MediaFileNotFoundError(f"{what} not found: {str(resolved)!r}")
    return resolved.resolve()


def sampled_contrast_limits(media: MediaData) -> tuple[float, float] | None:
    """Return the display range of ``media``: full range for ``uint8``, else sampled min/max.

    Frames sampled are the first, the middle and the last one, so the cost does not grow
    with the number of frames.

    Returns
    -------
    tuple of float or None
        ``(low, high)``, or None when no finite value was sampled: the caller then falls
        back to the range implied by the dtype (``MediaData.contrast_limits``).
    """
    if media.dtype == np.uint8:
        return (0.0, 255.0)
    n = len(media)
    if n == 0:
        return None
    samples = [media.frame(i) for i in sorted({0, n // 2, n - 1})]
    low = float(min(np.nanmin(s) for s in samples))
    high = float(max(np.nanmax(s) for s in samples))
    if not np.isfinite(low) or not np.isfinite(high):
        return None
    if high <= low:
        high = low + 1.0
    return (low, high)


def check_frame_shape(
    frame: np.ndarray, expected: tuple[int, ...], source: Path | str
) -> np.ndarray:
    """Return ``frame`` unchanged, or raise :class:`MediaError` naming ``source`` on a shape mismatch."""
    if frame.shape != expected:
        raise MediaError(
            f"image {str(source)!r} has shape {frame.shape}, expected {expected} "
            "like the other frames"
        )
    return frame
