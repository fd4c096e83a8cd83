"""Static lines, points and masks, with WhiskerToolbox's pixel rules (``CoreGeometry/masks.cpp``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.transforms.synthesis.params import (
    _F32,
    _PI,
    Synthesized,
    _need,
    _round_half_away,
)

if TYPE_CHECKING:
    from collections.abc import Mapping


# ---------------------------------------------------------------------- spatial
def _frames_needed(name: str, p: dict[str, Any]) -> int:
    _need(p["num_frames"] > 0, name, "num_frames", "must be > 0")
    return int(p["num_frames"])


def _straight_line(p: dict[str, Any]) -> Synthesized:
    name = "StraightLine"
    _need(p["num_points_per_line"] > 1, name, "num_points_per_line", "must be > 1")
    frames = _frames_needed(name, p)
    n = int(p["num_points_per_line"])
    t = np.arange(n, dtype=_F32) / _F32(n - 1)
    sx, sy, ex, ey = (_F32(p[k]) for k in ("start_x", "start_y", "end_x", "end_y"))
    line = np.column_stack((sx + t * (ex - sx), sy + t * (ey - sy))).astype(_F32)
    coords = np.tile(line, (frames, 1))
    offsets = np.arange(frames + 1, dtype=np.int64) * n
    return Synthesized(LineData.from_flat(np.arange(frames), coords, offsets), frames)


def _grid_points(p: dict[str, Any]) -> Synthesized:
    name = "GridPoints"
    _need(p["rows"] > 0, name, "rows", "must be > 0")
    _need(p["cols"] > 0, name, "cols", "must be > 0")
    _need(p["spacing"] > 0.0, name, "spacing", "must be > 0")
    frames = _frames_needed(name, p)
    spacing = _F32(p["spacing"])
    r, c = np.divmod(np.arange(int(p["rows"]) * int(p["cols"])), int(p["cols"]))
    grid = np.column_stack(
        (
            _F32(p["origin_x"]) + c.astype(_F32) * spacing,
            _F32(p["origin_y"]) + r.astype(_F32) * spacing,
        )
    ).astype(_F32)
    times = np.repeat(np.arange(frames), grid.shape[0])
    return Synthesized(PointData.from_flat(times, np.tile(grid, (frames, 1))), frames)


def _trunc_int(value: np.float32) -> int:
    """``static_cast<int>(float)``: towards zero."""
    return int(np.trunc(value))


def ellipse_pixels(
    center_x: float, center_y: float, radius_x: float, radius_y: float
) -> np.ndarray:
    """WhiskerToolbox's ``generate_ellipse_pixels`` (``CoreGeometry/src/masks.cpp``).

    Returns the ``(N, 2)`` uint32 ``(x, y)`` pixels, ``dx`` outer and ``dy`` inner as there,
    with negative coordinates dropped.
    """
    cx = int(_round_half_away(np.asarray(_F32(center_x))))
    cy = int(_round_half_away(np.asarray(_F32(center_y))))
    rx, ry = _F32(radius_x), _F32(radius_y)
    reach = _trunc_int(max(rx, ry)) + 1
    offsets = np.arange(-reach, reach + 1)
    dx, dy = (a.ravel() for a in np.meshgrid(offsets, offsets, indexing="ij"))
    nx = dx.astype(_F32) / rx
    ny = dy.astype(_F32) / ry
    inside = (nx * nx + ny * ny) <= _F32(1.0)
    x, y = cx + dx[inside], cy + dy[inside]
    keep = (x >= 0) & (y >= 0)
    return np.column_stack((x[keep], y[keep])).astype(np.uint32)


def _box(center: np.float32, half: np.float32) -> tuple[int, int]:
    return _trunc_int(max(_F32(0.0), center - half)), _trunc_int(center + half)


def _scan(x_lo: int, x_hi: int, y_lo: int, y_hi: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.meshgrid(np.arange(y_lo, y_hi + 1), np.arange(x_lo, x_hi + 1), indexing="ij")
    return xs.ravel(), ys.ravel()  # y outer, x inner, as WhiskerToolbox's loops


def rotated_ellipse_pixels(
    center_x: float,
    center_y: float,
    semi_major: float,
    semi_minor: float,
    angle_rad: float | np.floating,
) -> np.ndarray:
    """WhiskerToolbox's ``generate_rotated_ellipse_pixels`` (``CoreGeometry/src/masks.cpp``)."""
    cx, cy, a, b = _F32(center_x), _F32(center_y), _F32(semi_major), _F32(semi_minor)
    angle = _F32(angle_rad)
    cos_a, sin_a = np.cos(angle), np.sin(angle)
    reach = max(a, b)
    x_lo, x_hi = _box(cx, reach)
    y_lo, y_hi = _box(cy, reach)
    xs, ys = _scan(x_lo, x_hi, y_lo, y_hi)
    dx = xs.astype(_F32) - cx
    dy = ys.astype(_F32) - cy
    lx = dx * cos_a + dy * sin_a
    ly = -dx * sin_a + dy * cos_a
    inside = (lx * lx) / (a * a) + (ly * ly) / (b * b) <= _F32(1.0)
    return np.column_stack((xs[inside], ys[inside])).astype(np.uint32)


def any_ellipse_pixels(
    center_x: float, center_y: float, semi_major: float, semi_minor: float, angle_rad: np.float32
) -> np.ndarray:
    """Return the pixels of an ellipse turned by ``angle_rad`` (radians).

    :func:`ellipse_pixels` when ``|angle_rad| < 1e-6``, else :func:`rotated_ellipse_pixels`,
    as WhiskerToolbox's ``EllipseMaskGenerator`` and ``MovingMaskGenerator`` choose.
    """
    if abs(angle_rad) < _F32(1e-6):
        return ellipse_pixels(center_x, center_y, semi_major, semi_minor)
    return rotated_ellipse_pixels(center_x, center_y, semi_major, semi_minor, angle_rad)


def rectangle_pixels(center_x: float, center_y: float, width: float, height: float) -> np.ndarray:
    """WhiskerToolbox's ``generate_rectangle_pixels`` (``CoreGeometry/src/masks.cpp``)."""
    x_lo, x_hi = _box(_F32(center_x), _F32(width) / _F32(2.0))
    y_lo, y_hi = _box(_F32(center_y), _F32(height) / _F32(2.0))
    xs, ys = _scan(x_lo, x_hi, y_lo, y_hi)
    return np.column_stack((xs, ys)).astype(np.uint32)


def _clip(pixels: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """``clipPixelsToImage``: drop the pixels outside ``image_width × image_height``."""
    keep = (pixels[:, 0] < int(p["image_width"])) & (pixels[:, 1] < int(p["image_height"]))
    return pixels[keep]


def _mask_frames(pixels: np.ndarray, p: dict[str, Any], frames: int) -> Synthesized:
    width, height = int(p["image_width"]), int(p["image_height"])
    mask = _clip(pixels, p)
    coords = np.tile(mask, (frames, 1))
    offsets = np.arange(frames + 1, dtype=np.int64) * mask.shape[0]
    data = MaskData.from_flat(np.arange(frames), coords, offsets, image_size=(width, height))
    return Synthesized(data, frames)


def _image_checks(name: str, p: dict[str, Any]) -> None:
    _need(p["image_width"] > 0, name, "image_width", "must be > 0")
    _need(p["image_height"] > 0, name, "image_height", "must be > 0")


def _circle_mask(p: dict[str, Any]) -> Synthesized:
    name = "CircleMask"
    _image_checks(name, p)
    _need(p["radius"] > 0.0, name, "radius", "must be > 0")
    frames = _frames_needed(name, p)
    pixels = ellipse_pixels(p["center_x"], p["center_y"], p["radius"], p["radius"])
    return _mask_frames(pixels, p, frames)


def _ellipse_mask(p: dict[str, Any]) -> Synthesized:
    name = "EllipseMask"
    _image_checks(name, p)
    _need(p["semi_major"] > 0.0, name, "semi_major", "must be > 0")
    _need(p["semi_minor"] > 0.0, name, "semi_minor", "must be > 0")
    frames = _frames_needed(name, p)
    angle_rad = _F32(p["angle"] or 0.0) * _PI / _F32(180.0)
    pixels = any_ellipse_pixels(
        p["center_x"], p["center_y"], p["semi_major"], p["semi_minor"], angle_rad
    )
    return _mask_frames(pixels, p, frames)


def _rectangle_mask(p: dict[str, Any]) -> Synthesized:
    name = "RectangleMask"
    _image_checks(name, p)
    _need(p["width"] > 0.0, name, "width", "must be > 0")
    _need(p["height"] > 0.0, name, "height", "must be > 0")
    frames = _frames_needed(name, p)
    pixels = rectangle_pixels(p["center_x"], p["center_y"], p["width"], p["height"])
    return _mask_frames(pixels, p, frames)
