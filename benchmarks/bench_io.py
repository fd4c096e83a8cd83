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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--csv-lines", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: tmp)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_io_", dir=args.dir))
    try:
        bench_session(args.frames, folder)
        bench_lines_csv(args.csv_lines, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
