"""Opening a big WhiskerToolbox config: time to the first frame and memory, Qt-free.

Run: ``.venv/bin/python benchmarks/bench_open.py [--frames 200000] [--samples 10000000]``

Builds (once, in ``--dir``) a config with a video, lines (frames x 5 whiskers x 50 points,
~0.7 GB of CSV at 200k frames), points (3 a frame), a run-length mask a frame and a binary
int16 analog signal, then measures in fresh processes:

* ``first load``: ``io.load_config`` with an empty parse cache (the CSVs are parsed), then
  reading frame 0 of every key;
* ``after caches``: the same again, the parse cache now built;

and prints the seconds to the first frame (goal: <= 2 s after caches), how much of it the
video's frame index takes (media, built on open), and the resident memory the load added
against the data's raw size (the flat arrays' bytes; goal: <= 1.3x). A GUI measurement of the
same (napari showing frame 0) is left to the layers' benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from _process import load_line, rss_mb, run_measurement

WHISKERS = 5
POINTS_PER_WHISKER = 50
POINTS_PER_FRAME = 3
RUNS_PER_MASK = 10


def build(folder: Path, n_frames: int, n_samples: int, video_frames: int) -> Path:
    """Write the data files and config (skipped when the config already exists)."""
    from napari_whiskertoolbox.io.lines import write_lines_csv
    from napari_whiskertoolbox.io.masks import write_masks_csv
    from napari_whiskertoolbox.io.points import write_points_csv

    config = folder / "config.json"
    if config.is_file():
        return config
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    _write_video(folder / "video.mp4", video_frames)
    n_lines = n_frames * WHISKERS
    coords = np.round(rng.uniform(0, 640, (n_lines * POINTS_PER_WHISKER, 2)), 2)
    write_lines_csv(
        folder / "whiskers.csv",
        np.repeat(np.arange(n_frames), WHISKERS),
        np.arange(0, (n_lines + 1) * POINTS_PER_WHISKER, POINTS_PER_WHISKER),
        coords.astype(np.float32),
    )
    del coords
    n_points = n_frames * POINTS_PER_FRAME
    write_points_csv(
        folder / "points.csv",
        np.repeat(np.arange(n_frames), POINTS_PER_FRAME),
        np.round(rng.uniform(0, 640, (n_points, 2)), 2).astype(np.float32),
    )
    lengths = rng.integers(5, 30, n_frames * RUNS_PER_MASK)
    ys = np.tile(np.arange(RUNS_PER_MASK) + 200, n_frames)
    xs = rng.integers(0, 400, ys.size)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pixels = np.stack([np.repeat(xs, lengths) + within, np.repeat(ys, lengths)], 1)
    per_mask = np.add.reduceat(lengths, np.arange(0, ys.size, RUNS_PER_MASK))
    write_masks_csv(
        folder / "mask.csv",
        np.arange(n_frames),
        np.concatenate([[0], np.cumsum(per_mask)]),
        pixels.astype(np.uint32),
    )
    (rng.normal(0, 1000, n_samples)).astype("<i2").tofile(folder / "ephys.bin")
    items = [
        {"data_type": "video", "name": "media", "filepath": "video.mp4"},
        {"data_type": "line", "name": "whiskers", "format": "csv", "filepath": "whiskers.csv",
         "width": 640, "height": 480},
        {"data_type": "points", "name": "snout", "format": "csv", "filepath": "points.csv"},
        {"data_type": "mask", "name": "pad", "format": "csv", "filepath": "mask.csv",
         "width": 640, "height": 480},
        {"data_type": "analog", "name": "ephys", "format": "binary", "filepath": "ephys.bin",
         "binary_data_type": "int16", "use_memory_mapped": True, "scale_factor": 0.195},
    ]  # fmt: skip
    config.write_text(json.dumps({"data": items}, indent=1))
    sizes = {p.name: p.stat().st_size / 1e6 for p in folder.iterdir()}
    print(f"built in {time.perf_counter() - t0:.0f} s: " + ", ".join(
        f"{name} {mb:.0f} MB" for name, mb in sorted(sizes.items())))  # fmt: skip
    return config


def _write_video(path: Path, n_frames: int) -> None:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=500)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.gop_size = 250
        frame = np.zeros((48, 64), np.uint8)
        for i in range(n_frames):
            frame[:] = i % 251
            video_frame = av.VideoFrame.from_ndarray(frame, format="gray").reformat(
                format="yuv420p"
            )
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def measure(config: Path) -> dict[str, float]:
    """Load ``config`` and read frame 0 of every key (run in a fresh process)."""
    t_import = time.perf_counter()
    import av  # noqa: F401 - imported before the baseline, as in a running napari
    import pandas  # noqa: F401 - napari imports it; pyarrow's first conversion would
    import pyarrow.csv  # noqa: F401

    from napari_whiskertoolbox.io import load_config
    from napari_whiskertoolbox.io.registry import reader_formats
    from napari_whiskertoolbox.media import open_media

    reader_formats("line")  # imports every reader module
    imports = time.perf_counter() - t_import
    base_rss, _ = rss_mb()
    t0 = time.perf_counter()
    dm = load_config(config)
    loaded = time.perf_counter() - t0
    frame0 = dict.fromkeys(dm)
    media = dm.get_data("media")
    frame0["media"] = np.asarray(media[0])
    frame0["whiskers"] = dm.get_data("whiskers").at(0)
    frame0["snout"] = dm.get_data("snout").at(0)
    frame0["pad"] = dm.get_data("pad").at(0)
    frame0["ephys"] = dm.get_data("ephys").range(0, 30_000)
    first = time.perf_counter() - t0
    rss, peak = rss_mb()
    raw = 0
    for key in ("whiskers", "snout", "pad"):
        flat = dm.get_data(key).to_flat()
        raw += sum(
            a.nbytes for a in (flat.times, flat.ids, flat.offsets, flat.coords) if a is not None
        )
    raw += len(dm.get_data("ephys")) * 2  # int16 on disk, mapped
    t1 = time.perf_counter()
    open_media(config.parent / "video.mp4").close()
    index = time.perf_counter() - t1
    return {
        "imports_s": imports,
        "load_s": loaded,
        "first_frame_s": first,
        "video_open_s": index,
        "rss_added_mb": rss - base_rss,
        "peak_added_mb": peak - base_rss,
        "raw_mb": raw / 1e6,
    }


def _run(config: Path, cache: Path) -> dict[str, float]:
    env = {**os.environ, "NAPARI_WHISKERTOOLBOX_PARSE_CACHE": str(cache)}
    return run_measurement(__file__, "--measure", str(config), env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=10_000_000)
    parser.add_argument("--video-frames", type=int, default=None, help="default: --frames")
    parser.add_argument("--dir", type=Path, default=None, help="data folder (kept, reused)")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return
    folder = args.dir or Path(tempfile.gettempdir()) / f"bench_open_{args.frames}"
    config = build(folder, args.frames, args.samples, args.video_frames or args.frames)
    cache = Path(tempfile.mkdtemp(prefix="bench_open_cache_"))
    print(load_line())
    for label in ("first load", "after caches"):
        r = _run(config, cache)
        print(
            f"{label:12s}: first frame {r['first_frame_s']:.2f} s (load_config {r['load_s']:.2f} s,"
            f" of which opening the video ~{r['video_open_s']:.2f} s; imports before: "
            f"{r['imports_s']:.1f} s) | RSS added "
            f"{r['rss_added_mb']:.0f} MB (peak {r['peak_added_mb']:.0f}) for {r['raw_mb']:.0f} MB "
            f"raw = x{r['rss_added_mb'] / r['raw_mb']:.2f} (peak x{r['peak_added_mb'] / r['raw_mb']:.2f})"
        )  # fmt: skip


if __name__ == "__main__":
    main()
