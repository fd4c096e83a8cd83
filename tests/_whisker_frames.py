"""Synthetic whisker frames: dark, curved, tapering lines on a bright textured background."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pytest
from scipy import ndimage

from napari_whiskertoolbox.transforms import TransformContext, TransformError
from napari_whiskertoolbox.transforms.whisk_pool import TracerPool
from napari_whiskertoolbox.transforms.whisk_tracker import WHISK_DIR_ENV

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@dataclass(frozen=True)
class Whisker:
    """A drawn whisker: ``points`` (N, 2) (x, y) from base to tip."""

    points: np.ndarray

    @property
    def base(self) -> np.ndarray:
        return self.points[0]

    def distances(self, line: np.ndarray) -> np.ndarray:
        """Distance to the drawn curve of points every 0.5 px along ``line`` (pixels).

        Janelia's vertices are dense at a line's ends and sparse between: resampling keeps
        the ends (traced ~9 px past the drawn ones) from weighing more than their length.
        """
        xy = np.asarray(line, float)
        s = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
        at = np.arange(0.0, s[-1] + 0.25, 0.5)
        pts = np.column_stack([np.interp(at, s, xy[:, 0]), np.interp(at, s, xy[:, 1])])
        d = pts[:, None, :] - self.points[None, :, :]
        return np.hypot(d[..., 0], d[..., 1]).min(axis=1)


def whisker(base: tuple[float, float], angle_deg: float, length: float, bend: float) -> Whisker:
    """A quadratic curve from ``base`` along ``angle_deg``, bending sideways by ``bend``."""
    t = np.linspace(0.0, 1.0, max(int(length * 2), 20))
    a = np.deg2rad(angle_deg)
    along = np.array([np.cos(a), np.sin(a)])
    side = np.array([-along[1], along[0]])
    pts = (
        np.asarray(base, float)[None]
        + (t * length)[:, None] * along[None]
        + (bend * length * t**2)[:, None] * side[None]
    )
    return Whisker(pts)


def draw(height: int, width: int, whiskers: list[Whisker], seed: int) -> np.ndarray:
    """Render ``whiskers`` (gray 90, radius 1 px at the base tapering to 0.5 px at the tip)
    on a smooth random texture around 190 with a little pixel noise; uint8 (height, width).

    Janelia's default parameters trace thin lines of even contrast, as real whiskers are:
    thicker lines (radius > 1 px) or lines fading toward the tip are traced only in part.
    """
    rng = np.random.default_rng(seed)
    background = (
        190.0
        + 3.0 * ndimage.gaussian_filter(rng.normal(0.0, 12.0, (height, width)), 4)
        + rng.normal(0.0, 2.0, (height, width))
    )
    image = background.copy()
    yy, xx = np.mgrid[0:height, 0:width]
    for w in whiskers:
        n = len(w.points)
        for k, (x, y) in enumerate(w.points):
            t = k / (n - 1)
            radius = 0.5 * (1.0 - t) + 0.5
            ys = slice(max(int(y) - 3, 0), min(int(y) + 4, height))
            xs = slice(max(int(x) - 3, 0), min(int(x) + 4, width))
            dist = np.hypot(xx[ys, xs] - x, yy[ys, xs] - y)
            dark = 90.0
            edge = dark + (dist - radius) * (background[ys, xs] - dark)
            value = np.where(dist < radius, dark, np.where(dist < radius + 1, edge, np.inf))
            image[ys, xs] = np.minimum(image[ys, xs], value)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def tracker_skip_reason(folder: Path) -> str | None:
    """Why the tracker cannot run here (None: it runs; its detector banks are now in ``folder``).

    Not installed, or installed without the FFmpeg 6 libraries its library links (whisk
    downloads them on first import; machines without that network access lack them).
    """
    if importlib.util.find_spec("whisk") is None:
        return "whisk-janelia is not installed: pip install 'napari-whiskertoolbox[tracing]'"
    try:
        with TracerPool(1, folder, TransformContext(), "probe"):
            pass
    except TransformError as exc:
        if "WhiskUnavailableError" in str(exc):
            return f"whisk-janelia is installed but its tracker cannot load here: {exc}"
        raise
    return None


def tracker_folder(factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Yield the tracker's working folder for a test module, its detector banks computed once.

    Skips the module when the tracker cannot run here (:func:`tracker_skip_reason`).
    """
    folder = factory.mktemp("whisk")
    reason = tracker_skip_reason(folder)
    if reason is not None:
        pytest.skip(reason)
    patch = pytest.MonkeyPatch()
    patch.setenv(WHISK_DIR_ENV, str(folder))
    yield folder
    patch.undo()
