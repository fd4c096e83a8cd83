"""I/O benchmarks: native session save/load at scale, raw disk speed, lines CSV parsing.

Run: ``.venv/bin/python benchmarks/bench_io.py [--frames 200000] [--csv-lines 200000]``

Prints
------
* session save and load of ``frames`` x 5 lines x 50 points (goal: <= 2 s each), next to a
  plain ``np.save`` + fsync / ``np.load`` of the same coordinate bytes (the disk's own speed);
* single-file lines CSV parse throughput in MB/s on a generated file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.io import load_session, save_session
from napari_whiskertoolbox.io.lines import read_lines_csv, write_lines_csv
from napari_whiskertoolbox.io.masks import read_masks_csv, write_masks_csv
from napari_whiskertoolbox.io.points import read_points_csv, write_points_csv

LINES_PER_FRAME = 5
POINTS_PER_LINE = 50


def build_lines(n_frames: int) -> LineData:
    rng = np.random.default_rng(0)
    n_lines = n_frames * LINES_PER_FRAME
    coords = rng.uniform(0, 640, (n_lines * POINTS_PER_LINE, 2)).astype(np.float32)
    return LineData.from_flat(
        np.repeat(np.arange(n_frames, dtype=np.int64), LINES_PER_FRAME),
        coords,
        offsets=np.arange(0, n_lines * POINTS_PER_LINE, POINTS_PER_LINE, dtype=np.int64),
        image_size=(640, 480),
        copy=False,
    )


def drop_page_cache_hint(path: Path) -> None:
    """Ask the kernel to forget cached pages of the files (best effort, Linux only)."""
    if not hasattr(os, "posix_fadvise"):
        return
    for file in path.rglob("*"):
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def bench_session(n_frames: int, folder: Path) -> None:
    t0 = time.perf_counter()
    lines = build_lines(n_frames)
    dm = DataManager()
    dm.set_data("whiskers", lines)
    build = time.perf_counter() - t0
    nbytes = lines.to_flat().coords.nbytes
    print(f"session: {n_frames} frames x {LINES_PER_FRAME} lines x {POINTS_PER_LINE} points")
    print(f"  coordinates: {nbytes / 1e6:.0f} MB (built in {build:.2f} s)")

    raw = folder / "raw.npy"
    coords = lines.to_flat().coords
    t0 = time.perf_counter()
    with open(raw, "wb") as handle:
        np.save(handle, coords)
        handle.flush()
        os.fsync(handle.fileno())
    raw_write = time.perf_counter() - t0
    drop_page_cache_hint(folder)
    t0 = time.perf_counter()
    np.load(raw)
    raw_read = time.perf_counter() - t0
    raw.unlink()
    print(f"  raw np.save+fsync: {raw_write:.2f} s ({nbytes / raw_write / 1e6:.0f} MB/s)")
    print(f"  raw np.load:       {raw_read:.2f} s ({nbytes / raw_read / 1e6:.0f} MB/s)")

    for attempt in (1, 2):
        t0 = time.perf_counter()
        save_session(dm, folder / "session")
        save = time.perf_counter() - t0
        drop_page_cache_hint(folder / "session")
        t0 = time.perf_counter()
        back = load_session(folder / "session")
        load = time.perf_counter() - t0
        n = back.get_data("whiskers").n_entries
        print(
            f"  save_session #{attempt}: {save:.2f} s (goal <= 2 s) | "
            f"load_session: {load:.2f} s (goal <= 2 s) | {n} lines back"
        )
        del back


def bench_lines_csv(n_lines: int, folder: Path) -> None:
    rng = np.random.default_rng(1)
    coords = np.round(rng.uniform(0, 640, (n_lines * POINTS_PER_LINE, 2)), 2).astype(np.float32)
    times = np.repeat(np.arange(n_lines // LINES_PER_FRAME + 1), LINES_PER_FRAME)[:n_lines]
    offsets = np.arange(0, (n_lines + 1) * POINTS_PER_LINE, POINTS_PER_LINE)
    target = folder / "lines.csv"
    t0 = time.perf_counter()
    write_lines_csv(target, times, offsets, coords)
    write = time.perf_counter() - t0
    size = target.stat().st_size
    t0 = time.perf_counter()
    parsed_times, _, parsed = read_lines_csv(target)
    read = time.perf_counter() - t0
    assert parsed.shape == coords.shape
    assert np.array_equal(parsed_times, times)
    print(f"lines CSV: {n_lines} lines x {POINTS_PER_LINE} points, {size / 1e6:.0f} MB")
    print(f"  parse: {read:.2f} s = {size / read / 1e6:.0f} MB/s | write: {write:.2f} s "
          f"= {size / write / 1e6:.0f} MB/s")  # fmt: skip


def bench_points_csv(n_points: int, folder: Path) -> None:
    rng = np.random.default_rng(2)
    coords = np.round(rng.uniform(0, 640, (n_points, 2)), 3).astype(np.float32)
    times = np.arange(n_points, dtype=np.int64)
    target = folder / "points.csv"
    t0 = time.perf_counter()
    write_points_csv(target, times, coords)
    write = time.perf_counter() - t0
    size = target.stat().st_size
    t0 = time.perf_counter()
    parsed_times, parsed = read_points_csv(target)[:2]
    read = time.perf_counter() - t0
    assert np.array_equal(parsed, coords)
    assert np.array_equal(parsed_times, times)
    print(f"points CSV: {n_points} points, {size / 1e6:.0f} MB")
    print(f"  parse: {read:.2f} s = {size / read / 1e6:.0f} MB/s | write: {write:.2f} s "
          f"= {size / write / 1e6:.0f} MB/s")  # fmt: skip


def bench_masks_csv(n_masks: int, folder: Path) -> None:
    rng = np.random.default_rng(3)
    runs_per_mask = 20
    ys = np.tile(np.arange(runs_per_mask), n_masks) + 100
    xs = rng.integers(0, 500, ys.size)
    lengths = rng.integers(1, 40, ys.size)
    counts = np.repeat(lengths, 1)
    pixels = np.stack(
        [
            np.repeat(xs, counts)
            + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)),
            np.repeat(ys, counts),
        ],
        axis=1,
    ).astype(np.uint32)
    per_mask = np.add.reduceat(counts, np.arange(0, ys.size, runs_per_mask))
    offsets = np.concatenate([[0], np.cumsum(per_mask)])
    times = np.arange(n_masks, dtype=np.int64)
    target = folder / "masks.csv"
    t0 = time.perf_counter()
    write_masks_csv(target, times, offsets, pixels)
    write = time.perf_counter() - t0
    size = target.stat().st_size
    t0 = time.perf_counter()
    parsed_times, _parsed_offsets, parsed = read_masks_csv(target)[:3]
    read = time.perf_counter() - t0
    assert np.array_equal(parsed_times, times)
    assert parsed.shape == pixels.shape
    print(f"mask CSV: {n_masks} masks x {runs_per_mask} runs ({pixels.shape[0]} pixels), "
          f"{size / 1e6:.0f} MB")  # fmt: skip
    print(f"  parse: {read:.2f} s = {size / read / 1e6:.0f} MB/s | write: {write:.2f} s "
          f"= {size / write / 1e6:.0f} MB/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--csv-lines", type=int, default=200_000)
    parser.add_argument("--points", type=int, default=2_000_000)
    parser.add_argument("--masks", type=int, default=200_000)
    parser.add_argument("--csv-only", action="store_true", help="skip the session benchmark")
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: tmp)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_io_", dir=args.dir))
    try:
        if not args.csv_only:
            bench_session(args.frames, folder)
        bench_lines_csv(args.csv_lines, folder)
        bench_points_csv(args.points, folder)
        bench_masks_csv(args.masks, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
