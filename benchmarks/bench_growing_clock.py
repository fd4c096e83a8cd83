"""Cost of a frame added by a script in a session without media (the clock grows each time).

Run under a virtual display::

    xvfb-run -a .venv/bin/python benchmarks/bench_growing_clock.py [--frames 40]

An empty session in a hidden viewer gets a points key; a loop then adds one point on each
new frame of the automatic ``"time"`` clock, as a script or console loop building data frame
by frame does. Each new frame lengthens the clock, so the hidden placeholder layer that gives
the viewer its frame axis is resized. Printed: seconds per frame added (median), and the same
for a session whose clock was set long enough beforehand (no resize), in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time

from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.core import DataManager, PointData, TimeFrame


def seconds_per_frame(frames: int, clock_set_first: bool) -> float:
    """Median seconds to add one point on each of ``frames`` new frames, events included."""
    import napari

    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = napari.Viewer(show=False)
    dm: DataManager = get_session(viewer).dm
    if clock_set_first:
        dm.set_time("time", TimeFrame.from_count(frames))
    dm.set_data("nose", PointData())
    QApplication.processEvents()
    points = dm.get_data("nose")
    times = []
    for frame in range(frames):
        start = time.perf_counter()
        points.add(frame, [10.0 + frame, 20.0])
        QApplication.processEvents()
        times.append(time.perf_counter() - start)
    viewer.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40)
    args = parser.parse_args()
    growing = seconds_per_frame(args.frames, clock_set_first=False)
    fixed = seconds_per_frame(args.frames, clock_set_first=True)
    print(f"frames added: {args.frames}")
    print(f"clock growing with the data: {growing * 1e3:.1f} ms a frame (median)")
    print(f"clock set first:             {fixed * 1e3:.1f} ms a frame (median)")
    print(f"ratio: {growing / fixed:.2f}x")


if __name__ == "__main__":
    main()
