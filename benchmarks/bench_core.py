"""Core data-model benchmark: bulk LineData build, memory, frame reads, edits, analog values.

Run: ``.venv/bin/python benchmarks/bench_core.py [--frames N]`` (prints figures).
Goals: from_flat within 3x of np.concatenate; buffers <= 1.3x raw float32 bytes;
``AnalogTimeSeries.values`` O(1) microseconds without a copy.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, LineData

if TYPE_CHECKING:
    from collections.abc import Callable


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def make_flat(n_frames: int, lines_per_frame: int, points_per_line: int):
    n_lines = n_frames * lines_per_frame
    n_points = n_lines * points_per_line
    times = np.repeat(np.arange(n_frames, dtype=np.int64), lines_per_frame)
    offsets = np.arange(0, n_points + 1, points_per_line, dtype=np.int64)
    coords = np.empty((n_points, 2), np.float32)
    coords[:, 0] = np.tile(np.arange(points_per_line, dtype=np.float32), n_lines)
    coords[:, 1] = 3.0
    return times, offsets, coords


def bench_build(times, offsets, coords) -> LineData:
    def concat_baseline():
        half = coords.shape[0] // 2
        np.concatenate([coords[:half], coords[half:]])
        np.concatenate([times[:1], times[1:]])
        np.concatenate([offsets[:1], offsets[1:]])

    t_concat = best_of(concat_baseline)
    t_build = best_of(lambda: LineData.from_flat(times, coords, offsets))
    print(f"from_flat build:          {t_build * 1e3:8.1f} ms")
    print(f"np.concatenate baseline:  {t_concat * 1e3:8.1f} ms")
    print(f"ratio build / concatenate: {t_build / t_concat:6.2f}x   (goal <= 3x)")

    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    lines = LineData.from_flat(times, coords, offsets)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_delta = rss_bytes() - rss_before
    flat = lines.to_flat()
    stored = flat.times.nbytes + flat.ids.nbytes + flat.offsets.nbytes + flat.coords.nbytes
    raw = coords.nbytes
    print(f"raw float32 coordinate bytes: {raw / 1e6:8.1f} MB")
    print(
        f"stored buffer bytes:          {stored / 1e6:8.1f} MB  ({stored / raw:.3f}x raw, goal <= 1.3x)"
    )
    print(
        f"tracemalloc retained / peak:  {current / 1e6:8.1f} / {peak / 1e6:.1f} MB "
        f"({current / raw:.3f}x / {peak / raw:.3f}x raw)"
    )
    print(f"RSS delta:                    {rss_delta / 1e6:8.1f} MB  ({rss_delta / raw:.3f}x raw)")
    return lines


def bench_reads(lines: LineData, n_frames: int) -> None:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, n_frames, 10_000).tolist()
    lines.at(frames[0])
    start = time.perf_counter()
    for t in frames:
        lines.at(t)
    per = (time.perf_counter() - start) / len(frames)
    print(f"at(t) random frame:           {per * 1e6:8.1f} us")
    start = time.perf_counter()
    for t in frames:
        lines.ids_at(t)
    per = (time.perf_counter() - start) / len(frames)
    print(f"ids_at(t) random frame:       {per * 1e6:8.1f} us")


def bench_edits(lines: LineData, n_frames: int) -> None:
    dm = DataManager()
    dm.set_data("whiskers", lines)
    rng = np.random.default_rng(1)
    new_lines = [np.full((50, 2), k, np.float32) for k in range(5)]
    singles = []
    for t in rng.integers(0, n_frames, 6).tolist():
        ids = lines.ids_at(t).tolist()
        start = time.perf_counter()
        lines.set_frame(t, new_lines, ids=ids)
        singles.append(time.perf_counter() - start)
    print(f"first set_frame edit (cold, lazy numpy imports): {singles[0] * 1e3:8.3f} ms")
    print(f"one set_frame edit (200k store, median of 5):   {np.median(singles[1:]) * 1e3:8.3f} ms")
    frames = rng.integers(0, n_frames, 3000).tolist()
    start = time.perf_counter()
    for f in frames:
        lines.set_frame(f, new_lines, ids=lines.ids_at(f).tolist())
    total = time.perf_counter() - start
    print(
        f"set_frame amortised over {len(frames)} edits (incl. compactions): "
        f"{total / len(frames) * 1e3:8.3f} ms/edit"
    )
    start = time.perf_counter()
    dm.undo()
    print(f"undo of one frame edit:          {(time.perf_counter() - start) * 1e3:8.3f} ms")
    start = time.perf_counter()
    lines.times_with_data()
    print(f"times_with_data after edits:     {(time.perf_counter() - start) * 1e3:8.3f} ms")
    n_stored = lines.n_frames_with_data
    start = time.perf_counter()
    lines.compact()
    print(
        f"compact() of pending edits into a {n_stored:,}-frame store: "
        f"{(time.perf_counter() - start) * 1e3:8.1f} ms"
    )


def bench_analog(n: int = 10_000_000) -> None:
    series = AnalogTimeSeries(np.arange(n, dtype=np.float32), copy=False)
    _ = series.values
    reps = 100_000
    start = time.perf_counter()
    for _ in range(reps):
        _ = series.values
    per = (time.perf_counter() - start) / reps
    values = series.values
    print(
        f"AnalogTimeSeries({n:,}).values: {per * 1e6:8.3f} us, "
        f"shares memory with np.asarray: {np.shares_memory(values, np.asarray(series))}, "
        f"writeable: {values.flags.writeable}"
    )
    start = time.perf_counter()
    for _ in range(10_000):
        series.range(5_000_000, 5_000_999)
    print(
        f"AnalogTimeSeries.range (1000 samples): {(time.perf_counter() - start) / 10_000 * 1e6:8.3f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--points", type=int, default=50)
    args = parser.parse_args()
    print(f"LineData: {args.frames:,} frames x {args.lines} lines x {args.points} points")
    times, offsets, coords = make_flat(args.frames, args.lines, args.points)
    lines = bench_build(times, offsets, coords)
    del times, offsets, coords
    bench_reads(lines, args.frames)
    bench_edits(lines, args.frames)
    bench_analog()


if __name__ == "__main__":
    main()
