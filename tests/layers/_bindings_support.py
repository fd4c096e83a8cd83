"""Small sessions for the binding tests: media on a camera clock, annotations on others."""

from __future__ import annotations

from typing import Any

import numpy as np

from napari_whiskertoolbox.core import (
    ArrayMedia,
    DataManager,
    LineData,
    MaskData,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.layers.session import ViewerSession

N_FRAMES = 12
HEIGHT, WIDTH = 30, 40
CAMERA_PERIOD = 10
"""The camera takes a frame every 10 master ticks: display frame f = master tick 10 f."""


def frame_points(t: int) -> np.ndarray:
    """(x, y) points stored at frame ``t`` of the "nose" key (t + 1 points)."""
    return np.array([[2.0 + t + k, 3.0 + 2 * k] for k in range(t % 3 + 1)], np.float32)


def frame_lines(t: int) -> list[np.ndarray]:
    """Lines stored at frame ``t`` of the "whiskers" key (none on odd frames)."""
    if t % 2:
        return []
    return [
        np.array([[1, 1 + t], [10, 2 + t], [20, 4 + t]], np.float32),
        np.array([[1, 20], [15, 21 + t / 2]], np.float32),
    ]


def frame_mask(t: int) -> np.ndarray:
    """(x, y) pixels of the single mask at frame ``t`` of the "pad" key."""
    ys, xs = np.mgrid[t : t + 3, 5 : 5 + 2 + t]
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.uint32)


def frame_label_image(t: int) -> np.ndarray:
    """The (HEIGHT, WIDTH) label image the "pad" layer must show at frame ``t``."""
    image = np.zeros((HEIGHT, WIDTH), np.uint8)
    pixels = frame_mask(t)
    image[pixels[:, 1], pixels[:, 0]] = 1
    return image


def make_dm() -> DataManager:
    """Media on "camera", masks/lines/points on "camera", tips on the 10x faster "time"."""
    dm = DataManager()
    dm.set_time("camera", TimeFrame(np.arange(N_FRAMES) * CAMERA_PERIOD))
    dm.set_time("time", TimeFrame.from_count(N_FRAMES * CAMERA_PERIOD))
    frames = np.zeros((N_FRAMES, HEIGHT, WIDTH), np.uint8)
    for t in range(N_FRAMES):
        frames[t, :, t] = 200
    dm.set_data("media", ArrayMedia(frames, kind="video"), "camera")
    nose = PointData(image_size=(WIDTH, HEIGHT))
    whiskers = LineData(image_size=(WIDTH, HEIGHT))
    pad = MaskData(image_size=(WIDTH, HEIGHT))
    for t in range(N_FRAMES):
        nose.set_frame(t, frame_points(t))
        if frame_lines(t):
            whiskers.set_frame(t, frame_lines(t))
        pad.set_frame(t, [frame_mask(t)])
    tips = PointData(image_size=(WIDTH, HEIGHT))
    for t in range(N_FRAMES):
        tips.add(t * CAMERA_PERIOD, np.array([30.0, float(t)], np.float32))
    dm.set_data("nose", nose, "camera")
    dm.set_data("whiskers", whiskers, "camera")
    dm.set_data("pad", pad, "camera")
    dm.set_data("tips", tips, "time")
    dm.history.clear()
    dm.mark_saved()
    return dm


def make_session(viewer: Any, dm: DataManager | None = None) -> ViewerSession:
    """A session on ``viewer`` showing ``dm`` (default :func:`make_dm`)."""
    return ViewerSession(viewer, make_dm() if dm is None else dm)


def yx(points_xy: np.ndarray) -> np.ndarray:
    """Swap (x, y) columns to napari's (row, col)."""
    return np.asarray(points_xy)[:, ::-1]
