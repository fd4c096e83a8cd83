"""V1 ``Whisker Tracing`` benchmark: frames per second of the Janelia tracker (whisk-janelia).

Run: ``.venv/bin/python benchmarks/bench_whisker_tracing.py [--frames N] [--size 640x480]``.
Synthetic frames (three thin dark curved whiskers on a textured bright background) are
traced end to end (``apply_transform``: worker start, frame conversion, post-processing) with
one worker and with one per usable CPU, and the tracker alone is timed on started workers.
The tracker's detector banks are computed first (once per working folder). The workers'
CPU time per frame is the steadier figure on a shared machine. Prints figures only; never
asserts. Needs ``pip install 'napari-whiskertoolbox[tracing]'``.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import numpy as np
from scipy import ndimage

from _process import load_line
from napari_whiskertoolbox.core.media import ArrayMedia
from napari_whiskertoolbox.transforms import TransformContext, apply_transform
from napari_whiskertoolbox.transforms.whisk_pool import TracerPool, usable_cpus
from napari_whiskertoolbox.transforms.whisk_tracker import WHISK_DIR_ENV, whisk_workdir


def frame(height: int, width: int, seed: int) -> np.ndarray:
    """Three quadratic whiskers (1-2 px wide, gray 90) on a smooth texture around 190."""
    rng = np.random.default_rng(seed)
    image = 190.0 + 3.0 * ndimage.gaussian_filter(rng.normal(0.0, 12.0, (height, width)), 4)
    t = np.linspace(0.0, 1.0, 2 * width)
    for k, y0 in enumerate((0.2, 0.45, 0.7)):
        x = 0.1 * width + 0.7 * width * t
        y = height * y0 + 0.05 * height * (k - 1 + seed % 3) * t + 0.15 * height * t**2
        ix, iy = np.rint(x).astype(int), np.rint(y).astype(int)
        ok = (iy >= 0) & (iy < height - 1)
        image[iy[ok], ix[ok]] = 90.0
        image[iy[ok] + 1, ix[ok]][t[ok] < 0.5] = 90.0
    return np.clip(np.rint(image + rng.normal(0.0, 2.0, image.shape)), 0, 255).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--size", default="640x480", help="WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    os.environ.setdefault(WHISK_DIR_ENV, os.path.join(tempfile.gettempdir(), "bench-whisk"))
    frames = np.stack([frame(height, width, i) for i in range(min(args.frames, 20))])
    frames = frames[np.arange(args.frames) % len(frames)]
    media = ArrayMedia(frames)
    print(f"{args.frames} frames {width}x{height}; {load_line()}; usable CPUs {usable_cpus()}")
    start = time.perf_counter()
    with TracerPool(1, whisk_workdir(), TransformContext(), "bench"):
        pass
    print(f"first worker start (detector banks): {time.perf_counter() - start:.1f} s")
    for n in sorted({1, usable_cpus()}):
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with TracerPool(n, whisk_workdir(), TransformContext(), "bench") as pool:
            start = time.perf_counter()
            for lo in range(0, args.frames, 100):
                pool.trace(list(frames[lo : lo + 100]))
            seconds = time.perf_counter() - start
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers have ended
        cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        print(
            f"tracker only, {n} worker(s): {args.frames / seconds:.1f} frames/s "
            f"(workers' CPU {1000 * cpu / args.frames:.0f} ms per frame, start included)"
        )
    for parallel in (False, True):
        ctx = TransformContext(log=lambda m: None)
        out = apply_transform(
            "Whisker Tracing", media, {"use_parallel_processing": parallel}, context=ctx
        )
        print(f"end to end: {ctx.messages[-1]} ({out.n_entries / args.frames:.1f} per frame)")


if __name__ == "__main__":
    main()
