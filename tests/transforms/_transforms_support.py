"""Helpers for the transforms tests: small containers and reference geometry."""

from __future__ import annotations

import numpy as np

from napari_whiskertoolbox.core import LineData, MaskData, PointData


def lines_of(frames: dict[int, list[list[list[float]]]]) -> LineData:
    """LineData from ``{frame: [line, ...]}`` with lines as lists of (x, y)."""
    ld = LineData(image_size=(640, 480))
    for t, lines in frames.items():
        for line in lines:
            ld.add(t, np.asarray(line, np.float32).reshape(-1, 2))
    return ld


def masks_of(
    frames: dict[int, list[list[list[int]]]], size: tuple[int, int] = (64, 64)
) -> MaskData:
    """MaskData from ``{frame: [mask pixels, ...]}``."""
    md = MaskData(image_size=size)
    for t, masks in frames.items():
        for mask in masks:
            md.add(t, np.asarray(mask, np.int64).reshape(-1, 2))
    return md


def points_of(frames: dict[int, list[list[float]]]) -> PointData:
    """PointData from ``{frame: [(x, y), ...]}``."""
    pd_ = PointData(image_size=(640, 480))
    for t, pts in frames.items():
        pd_.add(t, np.asarray(pts, np.float32).reshape(-1, 2))
    return pd_


def ref_cum(line: np.ndarray) -> np.ndarray:
    """Cumulative arc length, written plainly (reference for the vectorised code)."""
    out = [0.0]
    for i in range(1, len(line)):
        out.append(out[-1] + float(np.hypot(*(line[i] - line[i - 1]))))
    return np.asarray(out)


def ref_point_at(line: np.ndarray, p: float, interpolate: bool = True) -> np.ndarray:
    """The reference §3.2 'point at fraction' helper, one line, plain loops."""
    line = np.asarray(line, np.float64)
    p = min(max(p, 0.0), 1.0)
    cum = ref_cum(line)
    total = cum[-1]
    if total < 1e-6:
        return line[0]
    d = p * total
    i = next((k for k in range(len(line)) if cum[k] >= d), len(line) - 1)
    if not interpolate or i == 0:
        return line[i]
    seg = cum[i] - cum[i - 1]
    if seg < 1e-6:
        return line[i - 1]
    r = (d - cum[i - 1]) / seg
    return line[i - 1] + r * (line[i] - line[i - 1])


def random_lines(rng: np.random.Generator, n_frames: int, per_frame: int, points: int) -> LineData:
    """Random smooth-ish lines (with occasional duplicate vertices) as LineData."""
    n = n_frames * per_frame
    steps = rng.normal(0, 3, size=(n, points, 2)).astype(np.float32)
    steps[:, :, 0] += 4
    steps[rng.random((n, points)) < 0.05] = 0  # zero-length segments
    coords = np.cumsum(steps, axis=1) + rng.uniform(0, 300, size=(n, 1, 2)).astype(np.float32)
    times = np.repeat(np.arange(n_frames), per_frame)
    offsets = np.arange(n + 1) * points
    return LineData.from_flat(times, coords.reshape(-1, 2), offsets)
