"""Timeline dock speed with a 10,000,000-sample analog lane, 100,000 events, 10,000 intervals.

Run: ``xvfb-run -a .venv/bin/python benchmarks/bench_timeline.py``

Prints the median (and max) milliseconds of: building the dock and its first paint, a
cursor move (timeline only, and a full frame step through ``viewer.dims``), zooming to a
100k-frame window and to a 5M-frame window (each forced to paint with ``grab()``), and
matplotlib (Agg) redrawing the same analog series for comparison. Goals on a 2-core
machine: cursor move <= 5 ms, zoom <= 30 ms.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

N_SAMPLES = 10_000_000
N_EVENTS = 100_000
N_INTERVALS = 10_000
WIDTH, HEIGHT = 1200, 300


def _ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _session_data(dm: object) -> None:
    from napari_whiskertoolbox.core import (
        AnalogTimeSeries,
        DigitalEventSeries,
        DigitalIntervalSeries,
        PointData,
        TimeFrame,
    )

    rng = np.random.default_rng(0)
    t = np.arange(N_SAMPLES, dtype=np.float32)
    signal = np.sin(t / 5000.0) + 0.3 * rng.standard_normal(N_SAMPLES).astype(np.float32)
    events = np.unique(rng.integers(0, N_SAMPLES, N_EVENTS * 11 // 10))[:N_EVENTS]
    starts = np.sort(rng.choice(N_SAMPLES // 1000, N_INTERVALS, replace=False)) * 1000
    intervals = np.stack([starts, starts + rng.integers(10, 900, N_INTERVALS)], axis=1)
    dm.set_time("time", TimeFrame.from_count(N_SAMPLES, sampling_rate=30_000.0))
    dm.set_data("frames", PointData())  # a spatial key gives the viewer its frame axis
    dm.set_data("voltage", AnalogTimeSeries(signal))
    dm.set_data("ttl", DigitalEventSeries(events))
    dm.set_data("epochs", DigitalIntervalSeries(intervals))


def bench_timeline() -> dict[str, tuple[float, float]]:
    """Figures for the pyqtgraph timeline (milliseconds: median, max)."""
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.widgets.timeline import TimelineWidget
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = napari.Viewer(show=False)
    session = get_session(viewer)
    _session_data(session.dm)
    app = QApplication.instance()
    results: dict[str, tuple[float, float]] = {}

    holder: dict[str, TimelineWidget] = {}

    def first_draw() -> None:
        widget = TimelineWidget(viewer)
        widget.resize(WIDTH, HEIGHT)
        widget.show()
        app.processEvents()
        widget.plot_widget.grab()
        holder["widget"] = widget

    results["first draw (build lanes + paint)"] = _ms(first_draw, 1)
    timeline = holder["widget"]
    plot = timeline.plot_widget
    timeline.set_view_range(0, N_SAMPLES)
    plot.grab()

    frames = iter(np.random.default_rng(1).integers(0, N_SAMPLES, 1000).tolist())

    def cursor_move() -> None:
        timeline.cursor.move_to(next(frames))
        plot.grab()

    def frame_step() -> None:
        viewer.dims.set_current_step(0, next(frames))
        plot.grab()

    results["cursor move (timeline only, full view)"] = _ms(cursor_move, 50)
    results["frame step via viewer.dims + timeline paint"] = _ms(frame_step, 50)

    def zoom(width: int) -> Callable[[], None]:
        starts = iter(np.random.default_rng(width).integers(0, N_SAMPLES - width, 100).tolist())

        def run() -> None:
            start = next(starts)
            timeline.set_view_range(start, start + width)
            plot.grab()

        return run

    results["zoom to a 100k window"] = _ms(zoom(100_000), 30)
    results["zoom to a 5M window"] = _ms(zoom(5_000_000), 30)
    timeline.set_view_range(2_000_000, 2_100_000)
    results["cursor move (timeline only, 100k view)"] = _ms(cursor_move, 50)
    timeline.close()
    viewer.close()
    return results


def bench_matplotlib() -> dict[str, tuple[float, float]]:
    """Matplotlib (Agg) drawing the same analog series, full redraw each time."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    t = np.arange(N_SAMPLES, dtype=np.float32)
    signal = np.sin(t / 5000.0) + 0.3 * rng.standard_normal(N_SAMPLES).astype(np.float32)
    figure = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(signal, linewidth=0.5)
    results = {"matplotlib Agg: full redraw, 10M samples": _ms(canvas.draw, 3)}

    def zoomed() -> None:
        axes.set_xlim(2_000_000, 2_100_000)
        canvas.draw()

    results["matplotlib Agg: redraw zoomed to 100k"] = _ms(zoomed, 3)
    return results


def main() -> None:
    print(
        f"timeline benchmark: {N_SAMPLES:,} analog samples, {N_EVENTS:,} events, "
        f"{N_INTERVALS:,} intervals, {WIDTH}x{HEIGHT} px"
    )
    for name, (median, worst) in {**bench_timeline(), **bench_matplotlib()}.items():
        print(f"  {name:<48s} median {median:8.2f} ms   max {worst:8.2f} ms")


if __name__ == "__main__":
    main()
