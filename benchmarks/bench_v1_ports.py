"""Benchmark of the ported V1 operations: line alignment, the particle filter, grouping.

Run: ``.venv/bin/python benchmarks/bench_v1_ports.py [--frames N] [--particles N]
[--group-frames N]``.
Line alignment: 2 whiskers of 50 vertices per frame on 640 x 480 uint8 frames held in memory
(``ArrayMedia``; decoding a real video adds its own cost), WhiskerToolbox's defaults (width
20, range 50). Particle filter: one point labelled at the first and last frame of a disk mask
of radius 20 (~1250 pixels) drifting across the frames, both motion models. Kalman grouping
and Line Outlier Detection: 5 whiskers of 20 vertices per frame over ``--group-frames`` frames
(default 20 000), sweeping back and forth; grouping starts from each whisker labelled every
500 frames, outlier detection from every line in its whisker's group (5 groups). Prints wall
and CPU time (best of ``--repeat``); never asserts.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core import DataManager, LineData, MaskData, PointData
from napari_whiskertoolbox.core.media import ArrayMedia
from napari_whiskertoolbox.transforms import apply_transform, run_transform

if TYPE_CHECKING:
    from collections.abc import Callable


def timed(label: str, fn: Callable[[], Any], repeat: int) -> None:
    """Print the best wall and CPU time of ``fn``."""
    best = best_cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    print(f"{label:<52} wall {best:7.3f} s   cpu {best_cpu:7.3f} s")


def alignment_inputs(n_frames: int) -> tuple[LineData, ArrayMedia]:
    """Return whiskers 3 px off two vertical ridges, and the frames."""
    xx = np.arange(640, dtype=np.float64)
    row = 200 * (np.exp(-((xx - 300) ** 2) / 8) + np.exp(-((xx - 400) ** 2) / 8))
    frame = np.repeat(row[None], 480, axis=0).astype(np.uint8)
    media = ArrayMedia(np.broadcast_to(frame, (n_frames, 480, 640)))
    ys = np.linspace(40, 440, 50, dtype=np.float32)
    lines = LineData(image_size=(640, 480))
    for t in range(n_frames):
        for x in (303.0, 397.0):
            lines.add(t, np.column_stack((np.full(50, x, np.float32), ys)))
    return lines, media


def filter_inputs(n_frames: int) -> tuple[PointData, MaskData]:
    """Return a disk mask drifting right, labelled at both ends."""
    r = 20
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    disk = np.column_stack((dx[dx**2 + dy**2 <= r * r], dy[dx**2 + dy**2 <= r * r]))
    centre = lambda t: np.array([100 + 400 * t / max(n_frames - 1, 1), 240.0])  # noqa: E731
    masks = MaskData(image_size=(640, 480))
    for t in range(n_frames):
        masks.add(t, (disk + np.round(centre(t)).astype(np.int64)).astype(np.uint32))
    points = PointData(image_size=(640, 480))
    for t in (0, n_frames - 1):
        points.add(t, np.round(centre(t))[None].astype(np.float32))
    return points, masks


def grouping_session(n_frames: int, label_every: int | None) -> DataManager:
    """Return 5 sweeping whiskers per frame; whisker k's lines labelled into group ``Wk``.

    ``label_every``: label every that many frames (Kalman anchors), or every line (None).
    """
    t = np.arange(n_frames)
    s = np.linspace(0.0, 1.0, 20)
    lines = LineData(image_size=(640, 480))
    rng = np.random.default_rng(0)
    ids = np.empty((n_frames, 5), np.int64)
    for f in range(n_frames):
        for k in range(5):
            angle = 0.4 * np.sin(2 * np.pi * f / 40 + k) + 0.3 * (k - 2)
            base = np.array([100.0, 120.0 + 60 * k]) + rng.normal(0, 0.5, 2)
            length = 200 + 10 * np.sin(f / 50 + k)
            xy = base + length * s[:, None] * np.array([np.cos(angle), np.sin(angle)])
            ids[f, k] = lines.add(f, xy.astype(np.float32))[0]
    dm = DataManager()
    dm.set_data("w", lines)
    rows = t if label_every is None else t[::label_every]
    for k in range(5):
        dm.groups.create(f"W{k}", ids[rows, k])
    dm.history.clear()
    return dm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--particles", type=int, default=1000)
    parser.add_argument("--group-frames", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.group_frames
    anchored = grouping_session(n, 500)
    timed(
        f"Group Lines using Kalman Filtering: {n} frames x 5 lines",
        lambda: (
            run_transform(anchored, "Group Lines using Kalman Filtering", "w", ""),
            anchored.undo(),
        ),
        args.repeat,
    )
    labelled = grouping_session(n, None)
    timed(
        f"Line Outlier Detection: {n} frames x 5 lines, 5 groups",
        lambda: (run_transform(labelled, "Line Outlier Detection", "w", ""), labelled.undo()),
        args.repeat,
    )
    lines, media = alignment_inputs(args.frames)
    timed(
        f"Line Alignment: {args.frames} frames x 2 lines x 50 vertices",
        lambda: apply_transform(
            "Line Alignment to Bright Features", lines, {"media_data": "m"}, others={"m": media}
        ),
        args.repeat,
    )
    points, masks = filter_inputs(args.frames)
    for velocity in (True, False):
        timed(
            f"Particle filter: {args.frames} frames, {args.particles} particles, "
            f"{'velocity' if velocity else 'position'}",
            lambda velocity=velocity: apply_transform(
                "Track Points Through Masks (Particle Filter)",
                points,
                {"mask_data": "m", "num_particles": args.particles, "use_velocity_model": velocity},
                others={"m": masks},
            ),
            args.repeat,
        )


if __name__ == "__main__":
    main()
