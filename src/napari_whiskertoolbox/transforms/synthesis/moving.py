"""Moving points, lines and masks along WhiskerToolbox's trajectories (``DataSynthesizer/Trajectory``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.synthesis.params import (
    _F32,
    _PI,
    GeneratorParam,
    Synthesized,
    _f,
    _need,
)
from napari_whiskertoolbox.transforms.synthesis.shapes import (
    _clip,
    _frames_needed,
    _image_checks,
    any_ellipse_pixels,
    ellipse_pixels,
    rectangle_pixels,
)

if TYPE_CHECKING:
    from collections.abc import Mapping


# ---------------------------------------------------------------------- moving shapes
def _boundary(
    pos: np.float32, vel: np.float32, lo: np.float32, hi: np.float32, mode: str
) -> tuple[np.float32, np.float32]:
    """WhiskerToolbox's ``applyBoundary`` (``DataSynthesizer/Trajectory/Trajectory.cpp``)."""
    if mode == "clamp":
        if pos < lo:
            pos = lo
        elif pos > hi:
            pos = hi
    elif mode == "bounce":
        while pos < lo or pos > hi:
            if pos < lo:
                pos = lo + (lo - pos)
                vel = -vel
            if pos > hi:
                pos = hi - (pos - hi)
                vel = -vel
    elif mode == "wrap":
        span = hi - lo
        if span > 0:
            while pos < lo:
                pos = pos + span
            while pos > hi:
                pos = pos - span
    return _F32(pos), _F32(vel)


def trajectory(
    start_x: float,
    start_y: float,
    num_frames: int,
    motion: Mapping[str, Any],
    boundary: Mapping[str, Any],
) -> np.ndarray:
    """WhiskerToolbox's ``computeTrajectory``: ``(num_frames, 2)`` float32 positions.

    ``motion`` is ``{"model": "LinearMotionParams" | "SinusoidalMotionParams" |
    "BrownianMotionParams", ...}`` and ``boundary`` holds ``boundary_mode`` (clamp, bounce,
    wrap) and ``bounds_min_x`` … ``bounds_max_y``; the boundary applies at every step
    (bounce reverses the velocity). Brownian steps are numpy's ``normal(0, diffusion)``
    seeded with ``seed`` (WhiskerToolbox: ``mt19937_64``, so the path differs).

    Raises
    ------
    TransformError
        ``bounds_max_x <= bounds_min_x`` or ``bounds_max_y <= bounds_min_y``.
    """
    f = {k: _F32(v) for k, v in boundary.items() if k != "boundary_mode"}
    mode = str(boundary["boundary_mode"])
    for axis in ("x", "y"):
        if f[f"bounds_max_{axis}"] <= f[f"bounds_min_{axis}"]:
            raise TransformError(
                f"computeTrajectory: bounds_max_{axis} must be > bounds_min_{axis}",
                parameter=f"bounds_max_{axis}",
            )
    lo_x, hi_x, lo_y, hi_y = (
        f["bounds_min_x"],
        f["bounds_max_x"],
        f["bounds_min_y"],
        f["bounds_max_y"],
    )
    out = np.empty((num_frames, 2), _F32)
    model = motion["model"]
    x, y = _F32(start_x), _F32(start_y)
    zero = _F32(0.0)
    if model == "LinearMotionParams":
        vx, vy = _F32(motion["velocity_x"]), _F32(motion["velocity_y"])
        for t in range(num_frames):
            if t > 0:
                x, y = _F32(x + vx), _F32(y + vy)
            x, vx = _boundary(x, vx, lo_x, hi_x, mode)
            y, vy = _boundary(y, vy, lo_y, hi_y, mode)
            out[t] = x, y
    elif model == "SinusoidalMotionParams":
        two_pi = _F32(2.0) * _PI
        tf = np.arange(num_frames, dtype=_F32)
        m = {k: _F32(v) for k, v in motion.items() if k != "model"}
        xs = _F32(start_x) + m["amplitude_x"] * np.sin(
            two_pi * m["frequency_x"] * tf + m["phase_x"]
        )
        ys = _F32(start_y) + m["amplitude_y"] * np.sin(
            two_pi * m["frequency_y"] * tf + m["phase_y"]
        )
        for t in range(num_frames):
            out[t, 0] = _boundary(xs[t], zero, lo_x, hi_x, mode)[0]
            out[t, 1] = _boundary(ys[t], zero, lo_y, hi_y, mode)[0]
    else:  # BrownianMotionParams
        rng = np.random.default_rng(int(motion["seed"]))
        steps = rng.normal(0.0, float(motion["diffusion"]), (max(num_frames - 1, 0), 2))
        steps = steps.astype(_F32)
        for t in range(num_frames):
            if t > 0:
                x, y = _F32(x + steps[t - 1, 0]), _F32(y + steps[t - 1, 1])
            x = _boundary(x, zero, lo_x, hi_x, mode)[0]
            y = _boundary(y, zero, lo_y, hi_y, mode)[0]
            out[t] = x, y
    return out


_BOUNDARY = (
    GeneratorParam("boundary_mode", "choice", "clamp", choices=("clamp", "bounce", "wrap")),
    _f("bounds_min_x", 0.0),
    _f("bounds_max_x", 640.0),
    _f("bounds_min_y", 0.0),
    _f("bounds_max_y", 480.0),
)
_MOTION = GeneratorParam(
    "motion",
    "union",
    "LinearMotionParams",
    variants=(
        ("LinearMotionParams", (_f("velocity_x", 1.0), _f("velocity_y", 0.0))),
        (
            "SinusoidalMotionParams",
            tuple(
                _f(f"{what}_{axis}", 0.0)
                for what in ("amplitude", "frequency", "phase")
                for axis in ("x", "y")
            ),
        ),
        ("BrownianMotionParams", (_f("diffusion", 1.0), GeneratorParam("seed", "uint64", 42))),
    ),
)


def _flat_boundary(p: Mapping[str, Any]) -> dict[str, Any]:
    return {q.name: p[q.name] for q in _BOUNDARY}


def _moving_point(p: dict[str, Any]) -> Synthesized:
    frames = _frames_needed("MovingPoint", p)
    path = trajectory(p["start_x"], p["start_y"], frames, p["motion"], p["boundary"])
    return Synthesized(PointData.from_flat(np.arange(frames), path), frames)


def _moving_line(p: dict[str, Any]) -> Synthesized:
    name = "MovingLine"
    _need(p["num_points_per_line"] > 1, name, "num_points_per_line", "must be > 1")
    frames = _frames_needed(name, p)
    n = int(p["num_points_per_line"])
    sx, sy, ex, ey = (_F32(p[k]) for k in ("start_x", "start_y", "end_x", "end_y"))
    cx, cy = (sx + ex) * _F32(0.5), (sy + ey) * _F32(0.5)
    t = np.arange(n, dtype=_F32) / _F32(n - 1)
    offsets = np.column_stack((sx + t * (ex - sx) - cx, sy + t * (ey - sy) - cy)).astype(_F32)
    path = trajectory(
        p["trajectory_start_x"], p["trajectory_start_y"], frames, p["motion"], _flat_boundary(p)
    )
    coords = (path[:, None, :] + offsets[None, :, :]).reshape(-1, 2).astype(_F32)
    starts = np.arange(frames + 1, dtype=np.int64) * n
    return Synthesized(LineData.from_flat(np.arange(frames), coords, starts), frames)


def _moving_mask(p: dict[str, Any]) -> Synthesized:
    name = "MovingMask"
    _image_checks(name, p)
    frames = _frames_needed(name, p)
    shape = p["shape"]
    need = {
        "circle": ("radius",),
        "rectangle": ("width", "height"),
        "ellipse": ("semi_major", "semi_minor"),
    }
    for size in need[shape]:
        _need(p[size] > 0.0, name, size, f"must be > 0 for {shape} shape")
    path = trajectory(p["start_x"], p["start_y"], frames, p["motion"], _flat_boundary(p))
    angle_rad = _F32(p["angle"]) * _PI / _F32(180.0)
    pieces = []
    for cx, cy in path:
        if shape == "circle":
            pixels = ellipse_pixels(cx, cy, p["radius"], p["radius"])
        elif shape == "rectangle":
            pixels = rectangle_pixels(cx, cy, p["width"], p["height"])
        else:
            pixels = any_ellipse_pixels(cx, cy, p["semi_major"], p["semi_minor"], angle_rad)
        pieces.append(_clip(pixels, p))
    counts = np.array([len(k) for k in pieces], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)))
    image = (int(p["image_width"]), int(p["image_height"]))
    data = MaskData.from_flat(np.arange(frames), np.concatenate(pieces), starts, image_size=image)
    return Synthesized(data, frames)
