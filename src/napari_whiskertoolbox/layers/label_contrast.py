"""How bright the frames under keypoint labels and masks are, and the colours that read there.

napari's text has no outline or halo, so a label is readable only by its own contrast with
the frame behind it. One fixed mid luminance (4.6:1 against white and against black) read
on black and on white frames but vanished on a mid-grey one (about 1.1:1). The media's
brightness, measured once on a few frames spread over it, picks a light or a dark label:
4:1 or more on any gray (at worst where both give the same contrast, 0.18 luminance).
Masks follow the same rule (:func:`prefers_light`): their light key colours, drawn at half
opacity, all but vanished on the white frames of WhiskerToolbox's test video.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DARK_LABEL_LUMINANCE",
    "DARK_MASK_LUMINANCE",
    "LIGHT_LABEL_LUMINANCE",
    "LIGHT_MASK_LUMINANCE",
    "LUMINANCE_WEIGHTS",
    "at_luminance",
    "color_luminance",
    "contrast_ratio",
    "first_media_luminance",
    "label_luminance",
    "mask_color",
    "media_luminance",
    "prefers_light",
    "srgb_to_linear",
]

LIGHT_LABEL_LUMINANCE = 0.85
"""Relative luminance of labels over dark frames: a pale tint of the marker's colour."""
DARK_LABEL_LUMINANCE = 0.005
"""Relative luminance of labels over bright frames: a deep shade of the marker's colour."""
LIGHT_MASK_LUMINANCE = 0.45
"""Least relative luminance of a mask's colour over dark frames (the light key colours have
0.5 or more: they stay as they are)."""
DARK_MASK_LUMINANCE = 0.05
"""Most relative luminance of a mask's colour over bright frames: a deep shade of its hue,
which at the layer's half opacity shows as a clear tint on white (2:1 rather than 1.1:1)."""
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


def prefers_light(background: float) -> bool:
    """Whether light marks read better than dark ones on frames of luminance ``background``.

    The one rule for keypoint labels and masks: the light label luminance has at least the
    contrast of the dark one there.
    """
    light = contrast_ratio(LIGHT_LABEL_LUMINANCE, background)
    return light >= contrast_ratio(DARK_LABEL_LUMINANCE, background)


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
    return LIGHT_LABEL_LUMINANCE if prefers_light(background) else DARK_LABEL_LUMINANCE


def color_luminance(color: str) -> float:
    """Return the relative luminance of ``color`` (any colour napari reads)."""
    from napari.utils.colormaps.standardize_color import transform_color

    return float(srgb_to_linear(transform_color(color)[0][:3]) @ LUMINANCE_WEIGHTS)


def at_luminance(color: str, luminance: float) -> str:
    """Return ``color``'s hue at relative ``luminance`` (``#rrggbb``).

    The linear RGB is scaled to that luminance, and a colour too saturated to reach it so
    (pure blue) is mixed with white.
    """
    from napari.utils.colormaps.standardize_color import transform_color

    linear = srgb_to_linear(transform_color(color)[0][:3])
    current = float(linear @ LUMINANCE_WEIGHTS)
    if current <= 0:
        linear = np.full(3, luminance)
    else:
        linear = np.minimum(linear * (luminance / current), 1.0)
        current = float(linear @ LUMINANCE_WEIGHTS)
        if current < luminance:  # clipped: mix with white, luminance being linear
            linear += (1.0 - linear) * (luminance - current) / (1.0 - current)
    out = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)
    return "#" + "".join(f"{round(float(v) * 255):02x}" for v in np.clip(out, 0, 1))


def mask_color(color: str, background: float) -> str:
    """Return the colour a mask of key colour ``color`` is drawn in over ``background``.

    Over dark frames a colour at least :data:`LIGHT_MASK_LUMINANCE` bright (the light key
    colours as they are), over bright ones a deep shade of it, at most
    :data:`DARK_MASK_LUMINANCE` (:func:`prefers_light` decides, as for keypoint labels).
    """
    luminance = color_luminance(color)
    if prefers_light(background):
        target = max(luminance, LIGHT_MASK_LUMINANCE)
    else:
        target = min(luminance, DARK_MASK_LUMINANCE)
    return color if target == luminance else at_luminance(color, target)


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


def first_media_luminance(dm: Any) -> float | None:
    """Return :func:`media_luminance` of ``dm``'s first media key, or None.

    None when the session has no media or its frames do not read (the marks keep their
    colours).
    """
    from napari_whiskertoolbox.core.kinds import MEDIA_KINDS

    media = next((dm.get_data(k) for k in dm if dm.data_type(k) in MEDIA_KINDS), None)
    if media is None:
        return None
    try:
        return media_luminance(media)
    except (OSError, ValueError):
        return None
