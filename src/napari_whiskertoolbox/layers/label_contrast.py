"""How bright the frames under keypoint labels are, and the label luminance that reads there.

napari's text has no outline or halo, so a label is readable only by its own contrast with
the frame behind it. One fixed mid luminance (4.6:1 against white and against black) read
on black and on white frames but vanished on a mid-grey one (about 1.1:1). The media's
brightness, measured once on a few frames spread over it, picks a light or a dark label:
4:1 or more on any gray (at worst where both give the same contrast, 0.18 luminance).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DARK_LABEL_LUMINANCE",
    "LIGHT_LABEL_LUMINANCE",
    "LUMINANCE_WEIGHTS",
    "contrast_ratio",
    "label_luminance",
    "media_luminance",
    "srgb_to_linear",
]

LIGHT_LABEL_LUMINANCE = 0.85
"""Relative luminance of labels over dark frames: a pale tint of the marker's colour."""
DARK_LABEL_LUMINANCE = 0.005
"""Relative luminance of labels over bright frames: a deep shade of the marker's colour."""
SAMPLED_FRAMES = 5
"""Frames read (evenly spread) to measure a media's brightness."""
LUMINANCE_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])
"""Relative luminance of linear RGB (WCAG 2, sRGB primaries): ``linear_rgb @ LUMINANCE_WEIGHTS``."""


def srgb_to_linear(srgb: np.ndarray) -> np.ndarray:
    """Return linear RGB (or gray) of sRGB values in [0, 1]."""
    srgb = np.clip(np.asarray(srgb, np.float64), 0.0, 1.0)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def contrast_ratio(a: float, b: float) -> float:
    """Return the WCAG contrast ratio of two relative luminances (1 to 21)."""
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def label_luminance(background: float) -> float:
    """Return the label luminance (light or dark) with more contrast on ``background``.

    Parameters
    ----------
    background : float
        Relative luminance (0 black, 1 white) of the frame behind the labels.

    Returns
    -------
    float
        :data:`LIGHT_LABEL_LUMINANCE` or :data:`DARK_LABEL_LUMINANCE`.
    """
    light = contrast_ratio(LIGHT_LABEL_LUMINANCE, background)
    dark = contrast_ratio(DARK_LABEL_LUMINANCE, background)
    return LIGHT_LABEL_LUMINANCE if light >= dark else DARK_LABEL_LUMINANCE


def media_luminance(media: Any, contrast_limits: tuple[float, float] | None = None) -> float:
    """Return the mean relative luminance of a media's frames as napari draws them.

    Parameters
    ----------
    media : MediaData
        The frames (gray or RGB); :data:`SAMPLED_FRAMES` of them, evenly spread, are read.
    contrast_limits : tuple of float, optional
        The values drawn black and white (a gray image layer's); by default the media's.

    Returns
    -------
    float
        0 (black) to 1 (white). Each frame's pixel values are mapped through the contrast
        limits, taken as sRGB, and their luminance averaged (so a frame half black, half
        white is as bright as its mean luminance, not its mean value).
    """
    n = int(media.n_frames)
    if n <= 0:
        raise ValueError("media_luminance: the media has no frames")
    low, high = contrast_limits if contrast_limits is not None else media.contrast_limits
    span = float(high) - float(low) or 1.0
    indices = np.unique(np.linspace(0, n - 1, min(SAMPLED_FRAMES, n)).round().astype(int))
    means = []
    for index in indices:
        frame = np.asarray(media.frame(int(index)), np.float64)
        step = max(1, max(frame.shape[:2]) // 256)  # a 256-pixel grid is plenty
        frame = frame[::step, ::step]
        linear = srgb_to_linear((frame - float(low)) / span)
        if media.is_color:
            linear = linear[..., :3] @ LUMINANCE_WEIGHTS
        means.append(float(linear.mean()))
    return float(np.mean(means))
