"""Transforms benchmark: line angle/length, mask area, analog event threshold.

Run: ``.venv/bin/python benchmarks/bench_transforms.py [--frames N] [--samples N]``.
Prints wall time and CPU time of this process (best of ``--repeat``; on a shared machine
the CPU time is the steadier figure) and peak memory allocated during one run
(tracemalloc, which numpy reports to), next to the goals of issue 11:
each <= 1 s on this machine; peak <= 2 x output + the input's existing storage
(the input is built before measuring, so the printed peak is what the transform adds
and the goal column is 2 x output bytes). Prints figures only; never asserts.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core import AnalogTimeSeries, LineData, MaskData
from napari_whiskertoolbox.transforms import TransformContext, apply_transform
from napari_whiskertoolbox.transforms.analog import event_threshold

if TYPE_CHECKING:
    from collections.abc import Callable

MB = 1 << 20


def nbytes(obj: Any) -> int:
    """Storage bytes of a result (values + times, or flat arrays)."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, AnalogTimeSeries):
        return obj.values.nbytes + (0 if obj.is_dense else obj.times.nbytes)
    if hasattr(obj, "times") and hasattr(obj, "ids"):
        return obj.times.nbytes + obj.ids.nbytes
    flat = obj.to_flat()
    return sum(a.nbytes for a in flat if a is not None)


def measure(label: str, fn: Callable[[], Any], input_bytes: int, repeat: int) -> None:
    """Print best time, peak traced memory and the goals for one transform."""
    best = best_cpu = float("inf")
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        del out
    gc.collect()
    tracemalloc.start()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out_bytes = nbytes(out)
    time_ok = "ok" if best <= 1.0 else "OVER"
    mem_ok = "ok" if peak <= 2 * out_bytes else "OVER"
    print(
        f"{label:<34} {best:7.3f} s (cpu {best_cpu:6.3f} s; goal 1 s: {time_ok})  "
        f"peak +{peak / MB:8.1f} MB  output {out_bytes / MB:7.1f} MB  "
        f"input {input_bytes / MB:7.1f} MB  (goal peak <= 2 x output: {mem_ok})"
    )


def make_lines(n_frames: int, per_frame: int, points: int) -> LineData:
    """Smooth random whiskers: ``n_frames`` x ``per_frame`` lines of ``points`` vertices."""
    rng = np.random.default_rng(0)
    n = n_frames * per_frame
    base = rng.uniform(50, 400, size=(n, 1, 2)).astype(np.float32)
    t = np.linspace(0, 1, points, dtype=np.float32)
    bend = rng.uniform(-40, 40, size=(n, 1)).astype(np.float32)
    coords = np.empty((n, points, 2), np.float32)
    coords[:, :, 0] = base[:, :, 0] + 200 * t
    coords[:, :, 1] = base[:, :, 1] + bend * t * t
    times = np.repeat(np.arange(n_frames, dtype=np.int64), per_frame)
    offsets = np.arange(0, n * points + 1, points, dtype=np.int64)
    return LineData.from_flat(times, coords.reshape(-1, 2), offsets, copy=False)


def make_masks(n_masks: int, pixels: int) -> MaskData:
    """``n_masks`` masks (one per frame) of ``pixels`` pixels each."""
    rng = np.random.default_rng(1)
    coords = rng.integers(0, 512, size=(n_masks * pixels, 2), dtype=np.uint32)
    offsets = np.arange(0, n_masks * pixels + 1, pixels, dtype=np.int64)
    return MaskData.from_flat(
        np.arange(n_masks), coords, offsets, image_size=(512, 512), copy=False
    )


def bench_lines(args: argparse.Namespace) -> None:
    """Angle and length of every line."""
    lines = make_lines(args.frames, args.lines, args.points)
    flat = lines.to_flat()
    size = sum(a.nbytes for a in flat if a is not None)
    print(
        f"lines: {args.frames} frames x {args.lines} lines x {args.points} points "
        f"({flat.coords.shape[0]:,} vertices)"
    )
    for name in ("CalculateLineAngle", "CalculateLineLength"):
        measure(name, partial(apply_transform, name, lines), size, args.repeat)


def bench_masks(args: argparse.Namespace) -> None:
    """Area of every mask."""
    masks = make_masks(args.masks, args.mask_pixels)
    size = sum(a.nbytes for a in masks.to_flat() if a is not None)
    print(f"masks: {args.masks} masks x {args.mask_pixels} pixels")
    measure(
        "CalculateMaskArea", partial(apply_transform, "CalculateMaskArea", masks), size, args.repeat
    )


def bench_analog(args: argparse.Namespace) -> None:
    """Event threshold of a long dense signal, rare and frequent events."""
    values = np.random.default_rng(2).standard_normal(args.samples, dtype=np.float32)
    signal = AnalogTimeSeries(values, copy=False)
    size = signal.values.nbytes
    print(f"analog: {args.samples:,} dense float32 samples of N(0, 1)")
    cases = [
        ("AnalogEventThreshold (thr 3.5)", {"threshold_value": 3.5}, args.repeat),
        (
            "AnalogEventThreshold (3.5, lockout)",
            {"threshold_value": 3.5, "lockout_time": 100},
            args.repeat,
        ),
        ("AnalogEventThreshold (thr 1, 16 %)", {"threshold_value": 1.0}, args.repeat),
    ]
    for label, params, repeat in cases:
        measure(
            label, partial(apply_transform, "AnalogEventThreshold", signal, params), size, repeat
        )
    # the same without building the DigitalEventSeries (core's constructor checks the
    # order and allocates ids): what the transform itself costs
    kernel = partial(event_threshold, signal, 1.0, "positive", 0.0, TransformContext())
    measure("  thr 1: event times only (no core)", kernel, size, args.repeat)


def main() -> None:
    """Build the inputs, then time and measure each transform."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--masks", type=int, default=200_000)
    parser.add_argument("--mask-pixels", type=int, default=100)
    parser.add_argument("--samples", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for bench in (bench_lines, bench_masks, bench_analog):
        bench(args)
        gc.collect()


if __name__ == "__main__":
    main()
