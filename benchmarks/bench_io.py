"""I/O benchmarks: native session save/load at scale, raw disk speed, lines CSV parsing.

Run: ``.venv/bin/python benchmarks/bench_io.py [--frames 200000] [--csv-lines 200000]``
(``--against old/csv_arrow.py``: the lines CSV parse and write of an older ``csv_arrow.py``
and of this one, interleaved in one process — before/after figures on a shared machine).

Prints
------
* session save and load of ``frames`` x 5 lines x 50 points (goal: <= 2 s each), next to a
  plain ``np.save`` + fsync / ``np.load`` of the same coordinate bytes (the disk's own speed);
* WhiskerToolbox's lines, points and mask CSVs: parse and write throughput of the
  Python-level code this package had (line-by-line readers, f-string writers) and of the
  pyarrow readers and pyarrow/orjson writers (``io.csv_arrow``), side by side with their
  ratio; the two parsers must give the same float32 bits. Wall-clock MB/s depends on how
  busy the 2 cores are; the CPU MB/s (all threads) shows each one's own cost. The
  machine's load average is printed first and last.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.io import csv_arrow, load_session, save_session
from napari_whiskertoolbox.io.dlc import read_dlc
from napari_whiskertoolbox.io.lines import read_lines_csv, write_lines_csv
from napari_whiskertoolbox.io.masks import read_masks_csv, write_masks_csv
from napari_whiskertoolbox.io.points import read_points_csv, write_points_csv

REPEATS = 3
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


def _rate(nbytes: int, seconds: float) -> str:
    return f"{nbytes / seconds / 1e6:6.0f} MB/s"


def _timed(fn):
    """Return ``(result, wall seconds, CPU seconds of all threads)`` of ``fn()``."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - t0, time.process_time() - c0


def _compare(name: str, path: Path, read, write_before, write_after) -> None:
    """Print write and parse speed of the Python-level code and of pyarrow, and the ratios.

    Each figure is wall-clock MB/s and CPU-time MB/s (all threads) of one run; the fast
    paths take the best of ``REPEATS`` runs (the machine is shared).
    """
    _, w_before, wc_before = _timed(write_before)
    size = path.stat().st_size
    w_after, wc_after = min(_timed(write_after)[1:] for _ in range(REPEATS))
    assert path.stat().st_size > 0
    csv_arrow.ENABLED = False
    before, r_before, rc_before = _timed(lambda: read(path))
    csv_arrow.ENABLED = True
    after, r_after, rc_after = _timed(lambda: read(path))
    for _ in range(REPEATS - 1):
        wall, cpu = _timed(lambda: read(path))[1:]
        r_after, rc_after = min((r_after, rc_after), (wall, cpu))
    for a, b in zip(before, after):
        assert a.dtype == b.dtype, name
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), name
    print(f"{name}: {size / 1e6:.0f} MB")
    for what, slow, fast in (
        ("parse  line-by-line", (r_before, rc_before), (r_after, rc_after)),
        ("write  Python-level", (w_before, wc_before), (w_after, wc_after)),
    ):
        print(
            f"  {what} {_rate(size, slow[0])} (CPU {_rate(size, slow[1])}) | "
            f"pyarrow/orjson {_rate(size, fast[0])} (CPU {_rate(size, fast[1])}) | "
            f"x{slow[0] / fast[0]:.1f} wall, x{slow[1] / fast[1]:.1f} CPU"
        )
    print("  same float32 bits from both parsers: yes")


def bench_lines_csv(n_lines: int, folder: Path) -> None:
    rng = np.random.default_rng(1)
    coords = np.round(rng.uniform(0, 640, (n_lines * POINTS_PER_LINE, 2)), 2).astype(np.float32)
    times = np.repeat(np.arange(n_lines // LINES_PER_FRAME + 1), LINES_PER_FRAME)[:n_lines]
    offsets = np.arange(0, (n_lines + 1) * POINTS_PER_LINE, POINTS_PER_LINE)
    target = folder / "lines.csv"
    _compare(
        f"lines CSV ({n_lines} lines x {POINTS_PER_LINE} points)",
        target,
        read_lines_csv,
        lambda: legacy_write_lines(target, times, offsets, coords),
        lambda: write_lines_csv(target, times, offsets, coords),
    )


def bench_points_csv(n_points: int, folder: Path) -> None:
    rng = np.random.default_rng(2)
    coords = np.round(rng.uniform(0, 640, (n_points, 2)), 3).astype(np.float32)
    times = np.arange(n_points, dtype=np.int64)
    target = folder / "points.csv"
    _compare(
        f"points CSV ({n_points} points)",
        target,
        read_points_csv,
        lambda: legacy_write_points(target, times, coords),
        lambda: write_points_csv(target, times, coords),
    )


def bench_masks_csv(n_masks: int, folder: Path) -> None:
    rng = np.random.default_rng(3)
    runs_per_mask = 20
    ys = np.tile(np.arange(runs_per_mask), n_masks) + 100
    xs = rng.integers(0, 500, ys.size)
    lengths = rng.integers(1, 40, ys.size)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pixels = np.stack([np.repeat(xs, lengths) + within, np.repeat(ys, lengths)], axis=1)
    pixels = pixels.astype(np.uint32)
    per_mask = np.add.reduceat(lengths, np.arange(0, ys.size, runs_per_mask))
    offsets = np.concatenate([[0], np.cumsum(per_mask)])
    times = np.arange(n_masks, dtype=np.int64)
    target = folder / "masks.csv"
    _compare(
        f"mask CSV ({n_masks} masks x {runs_per_mask} runs, {pixels.shape[0]} pixels)",
        target,
        read_masks_csv,
        lambda: legacy_write_masks(target, times, offsets, pixels),
        lambda: write_masks_csv(target, times, offsets, pixels),
    )


def bench_dlc_csv(n_frames: int, folder: Path, n_bodyparts: int = 10) -> None:
    """DeepLabCut predictions CSV (written by pandas): ours with and without pyarrow, and pandas."""
    import pandas as pd

    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50"], [f"part{i}" for i in range(n_bodyparts)], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    rng = np.random.default_rng(4)
    target = folder / "dlc.csv"
    pd.DataFrame(rng.random((n_frames, 3 * n_bodyparts)) * 640, columns=columns).to_csv(target)
    size = target.stat().st_size
    csv_arrow.ENABLED = False
    slow, r_slow, rc_slow = _timed(lambda: read_dlc(target))
    csv_arrow.ENABLED = True
    fast, r_fast, rc_fast = min((_timed(lambda: read_dlc(target)) for _ in range(REPEATS)),
                                key=lambda t: t[1])  # fmt: skip
    assert np.array_equal(slow.xy, fast.xy, equal_nan=True)
    r_pandas, rc_pandas = min(
        _timed(lambda: pd.read_csv(target, header=[0, 1, 2], index_col=0))[1:]
        for _ in range(REPEATS)
    )
    print(f"DeepLabCut CSV ({n_frames} frames x {n_bodyparts} body parts): {size / 1e6:.0f} MB")
    print(
        f"  parse  line-by-line {_rate(size, r_slow)} (CPU {_rate(size, rc_slow)}) | "
        f"pyarrow {_rate(size, r_fast)} (CPU {_rate(size, rc_fast)}) | "
        f"x{r_slow / r_fast:.1f} wall | pandas.read_csv {_rate(size, r_pandas)} "
        f"(CPU {_rate(size, rc_pandas)}): ours / pandas x{r_fast / r_pandas:.2f} wall"
    )


def bench_against(module_path: Path, n_lines: int, folder: Path, rounds: int = 5) -> None:
    """Print lines CSV parse and write of another ``csv_arrow.py`` and of this one.

    The two are interleaved round by round in one process (medians of wall and CPU MB/s),
    so a busy shared machine slows both alike.
    """
    import importlib.util
    import statistics

    spec = importlib.util.spec_from_file_location("other_csv_arrow", module_path)
    assert spec is not None
    assert spec.loader is not None
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    rng = np.random.default_rng(1)
    coords = np.round(rng.uniform(0, 640, (n_lines * POINTS_PER_LINE, 2)), 2).astype(np.float32)
    times = np.repeat(np.arange(n_lines // LINES_PER_FRAME + 1), LINES_PER_FRAME)[:n_lines]
    offsets = np.arange(0, (n_lines + 1) * POINTS_PER_LINE, POINTS_PER_LINE)
    target = folder / "against.csv"
    write_lines_csv(target, times, offsets, coords)
    data = target.read_bytes()

    def parse(module) -> None:
        module.read_lines_fast(
            data, skip_rows=1, delimiter=",", coord_delimiter=",", comma_decimal=False
        )

    def write(module) -> None:
        with open(target, "wb") as handle:
            for block in module.lines_csv_bytes(times, offsets, coords):
                handle.write(block)

    figures: dict[str, list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for what, fn in (("parse", parse), ("write", write)):
            for name, module in (("other", other), ("this", csv_arrow)):
                run = functools.partial(fn, module)
                figures.setdefault(f"{what} {name}", []).append(_timed(run)[1:])
    print(f"lines CSV, {module_path} against this checkout ({len(data) / 1e6:.0f} MB, "
          f"{rounds} interleaved rounds, no fsync):")  # fmt: skip
    for name, runs in figures.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"  {name:11s} {_rate(len(data), wall)} wall, {_rate(len(data), cpu)} CPU (medians)")


# ---- the Python-level writers this package had before pyarrow (the "before" figures) ----


def legacy_write_lines(path: Path, times, offsets, coords) -> None:
    x_text = np.asarray(coords[:, 0], dtype=np.float32).astype(str).tolist()
    y_text = np.asarray(coords[:, 1], dtype=np.float32).astype(str).tolist()
    with open(path, "w") as handle:
        handle.write("Frame,X,Y\n")
        rows = []
        for k, frame in enumerate(np.asarray(times).tolist()):
            a, b = int(offsets[k]), int(offsets[k + 1])
            rows.append(f'{frame},"{",".join(x_text[a:b])}","{",".join(y_text[a:b])}"\n')
            if len(rows) >= 4096:
                handle.write("".join(rows))
                rows.clear()
        handle.write("".join(rows))


def legacy_write_points(path: Path, times, coords) -> None:
    from napari_whiskertoolbox.io.csv_tools import format_float32

    with open(path, "w") as handle:
        handle.write("Frame X Y\n")
        for t, (x, y) in zip(np.asarray(times).tolist(), np.asarray(coords).tolist()):
            handle.write(f"{t} {format_float32(x)} {format_float32(y)}\n")


def legacy_write_masks(path: Path, times, offsets, pixels) -> None:
    from napari_whiskertoolbox.io.masks import encode_rle

    with open(path, "w") as handle:
        handle.write("Frame,RLE\n")
        for k, frame in enumerate(np.asarray(times).tolist()):
            runs = encode_rle(pixels[int(offsets[k]) : int(offsets[k + 1])])
            handle.write(f'{frame},"{",".join(map(str, runs.ravel().tolist()))}"\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--csv-lines", type=int, default=200_000)
    parser.add_argument("--points", type=int, default=2_000_000)
    parser.add_argument("--masks", type=int, default=200_000)
    parser.add_argument("--dlc-frames", type=int, default=100_000)
    parser.add_argument("--csv-only", action="store_true", help="skip the session benchmark")
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="another csv_arrow.py: interleaved lines parse/write A/B against this one, only",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_io_", dir=args.dir))
    print(
        f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores"
    )
    try:
        if args.against is not None:
            bench_against(args.against, args.csv_lines, folder)
            return
        if not args.csv_only:
            bench_session(args.frames, folder)
        bench_lines_csv(args.csv_lines, folder)
        bench_points_csv(args.points, folder)
        bench_masks_csv(args.masks, folder)
        bench_dlc_csv(args.dlc_frames, folder)
        print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
