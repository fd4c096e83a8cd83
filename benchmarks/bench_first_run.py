"""How long the UI thread is blocked while the Transforms dock runs a transform: first run vs later.

Run under a virtual display::

    xvfb-run -a -s "-screen 0 1600x1200x24" .venv/bin/python benchmarks/bench_first_run.py
    ... bench_first_run.py --transforms SkeletonizeMask AnalogHilbertPhase --runs 3 --cold

Each transform is measured in a fresh interpreter (a first run is only first once): a shown
viewer opens the sample session (File > Open Sample), the Transforms dock is added, the
transform is chosen (its inputs are the dock's suggestions) and, after ``--wait`` seconds
(a user filling the form), run ``--runs`` times with the dock's Run. During a run the main
thread steps one frame forward after each turn of the event loop (a user holding ``.``)
while a 10 ms ``QTimer`` records the gaps between its ticks. Per run it prints the
computation's wall time (the dock's status line), the longest gap while the worker computes
(*compute*), the longest gap overall (*all*: with storing the result and adding its layer,
the same work every run) and the longest frame step; and the longest gap while the
transform is chosen and ``--wait`` passes (the warm-up's imports run then).

``--cold`` turns off the dock's warm-up (the imports a chosen transform needs, started on a
background thread when it is chosen), for the figure before it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _process import load_line, run_measurement


def measure(transform: str, runs: int, wait: float, cold: bool) -> dict[str, object]:
    """Measure ``runs`` runs of ``transform`` in this interpreter; return the figures."""
    import napari
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.widgets.transforms import background
    from napari_whiskertoolbox.widgets.transforms import dock as dock_module

    if cold:
        dock_module.warm_up_in_background = lambda *_a, **_k: None  # type: ignore[attr-defined]

    viewer = napari.Viewer(show=True)
    app = QApplication.instance()
    viewer.open_sample("napari-whiskertoolbox", "whisker_session")
    _, dock = viewer.window.add_plugin_dock_widget("napari-whiskertoolbox", "Transforms")
    for _ in range(20):
        app.processEvents()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    ticks.append(time.perf_counter())
    dock.select_transform(transform)
    end = time.perf_counter() + wait
    while time.perf_counter() < end:  # the user fills the form
        app.processEvents()
        time.sleep(0.005)
    timer.stop()
    choose_gap = max((b - a for a, b in itertools.pairwise(ticks)), default=0.0)
    computed: list[float] = []
    compute = background.BackgroundRun._compute

    def timed_compute(self: background.BackgroundRun) -> object:
        try:
            return compute(self)
        finally:
            computed.append(time.perf_counter())

    background.BackgroundRun._compute = timed_compute  # type: ignore[method-assign]
    n_frames = int(viewer.dims.nsteps[0])
    results = []
    for i in range(runs):
        dock.output_key.value = f"bench_first_run_{i}"
        ticks.clear()
        computed.clear()
        timer.start()
        start = time.perf_counter()
        ticks.append(start)
        run = dock.run()
        assert run is not None, dock.status.value
        steps, frame = [], 0
        while dock.running:
            frame = (frame + 1) % n_frames
            t = time.perf_counter()
            viewer.dims.set_current_step(0, frame)
            app.processEvents()
            steps.append(time.perf_counter() - t)
            time.sleep(0.005)
            app.processEvents()
        for _ in range(5):
            app.processEvents()
            time.sleep(0.01)
        timer.stop()
        gaps = [(b - a, a) for a, b in itertools.pairwise(ticks)]
        done = computed[0] if computed else time.perf_counter()
        during = [g for g, since in gaps if since < done] or [0.0]  # begun before it returned
        results.append(
            {
                "status": dock.status.value,
                "compute_gap_ms": round(max(during) * 1000),
                "all_gap_ms": round(max(g for g, _ in gaps) * 1000),
                "step_ms": round(max(steps or [0.0]) * 1000),
            }
        )
    viewer.close()
    return {"transform": transform, "choose_gap_ms": round(choose_gap * 1000), "runs": results}


def main() -> None:
    """Measure each transform in a fresh interpreter and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--transforms", nargs="+", default=["SkeletonizeMask", "AnalogHilbertPhase"]
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait", type=float, default=3.0, help="seconds between choosing and Run")
    parser.add_argument("--cold", action="store_true", help="no warm-up when a transform is chosen")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.runs, args.wait, args.cold)))
        return
    print(load_line())
    print("longest main-thread gap (ms): compute = while the worker computes, all = with storing")
    for name in args.transforms:
        extra = ["--cold"] if args.cold else []
        out = run_measurement(
            __file__, "--child", name, "--runs", str(args.runs), "--wait", str(args.wait), *extra
        )
        print(f"{name:22s} choosing it: longest gap {out['choose_gap_ms']} ms")
        for i, r in enumerate(out["runs"]):
            which = "first" if i == 0 else f"run {i + 1}"
            print(
                f"{name:22s} {which:6s} compute {r['compute_gap_ms']:5d}  all {r['all_gap_ms']:5d}"
                f"  step {r['step_ms']:5d}  ({r['status']})"
            )


if __name__ == "__main__":
    main()
