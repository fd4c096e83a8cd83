"""Frame step with napari slicing the layers once a step (ours) against twice (napari's own).

Run under a virtual display (the viewers are shown)::

    xvfb-run -a -s "-screen 0 1600x1200x24" .venv/bin/python benchmarks/bench_slice_once.py

napari slices every layer on both ``dims.events.point`` and ``dims.events.current_step``, so a
frame step slices twice; a viewer session of ours slices once
(``_napari_compat.slice_once_per_step``). Four shown viewers of the same session (media
only, and media + mask + lines + points of ``bench_frame_step``), each once with napari's two
connections put back ("twice") and once as our session leaves it ("once"), take turns
(``--rounds``) stepping ``--steps`` frames forward. Printed: the median ready / step / CPU
time of a step (as ``bench_frame_step.py --shown`` defines them) and the once / twice ratio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_frame_step import build_session, same_footing, time_steps
from napari_whiskertoolbox.core import DataManager


def slice_twice_again(viewer) -> None:
    """Put back napari's own ``current_step`` → ``_update_layers`` connection."""
    emitter = viewer.dims.events.current_step
    for callback in list(emitter.callbacks):
        if getattr(callback, "_wtb_once", False):
            emitter.disconnect(callback)
    emitter.connect(viewer._update_layers, position="first")


def run(args) -> None:
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.layers.session import ViewerSession

    full = build_session(args.frames)
    image_only = DataManager()
    image_only.set_data("media", full.get_data("media"))
    sessions = {}
    for kind, dm in (("image only", image_only), ("all bound", full)):
        for slicing in ("twice", "once"):
            viewer = napari.Viewer(show=True)
            sessions[kind, slicing] = ViewerSession(viewer, dm)
            if slicing == "twice":
                slice_twice_again(viewer)
    app = QApplication.instance()
    same_footing([session.viewer for session in sessions.values()], app)
    times: dict[tuple[str, str], list[np.ndarray]] = {key: [] for key in sessions}
    start = args.frames // 20
    for _ in range(args.rounds):
        for key, session in sessions.items():
            session.viewer.window.activate()
            session.viewer.dims.set_current_step(0, start)
            for _ in range(20):
                app.processEvents()
            times[key].append(time_steps(session, app, start, args.steps))
            start += args.steps + 10
    print(f"{args.frames} frames, {args.rounds} x {args.steps} steps per viewer, shown")
    print(f"{'viewer':12s} {'slicing':8s} {'ready ms':>9s} {'step ms':>8s} {'CPU ms':>7s}")
    medians = {key: np.median(np.concatenate(parts), axis=0) * 1e3 for key, parts in times.items()}
    for (kind, slicing), (ready, step, cpu) in medians.items():
        print(f"{kind:12s} {slicing:8s} {ready:9.2f} {step:8.2f} {cpu:7.2f}")
    for kind in ("image only", "all bound"):
        ratio = medians[kind, "once"] / medians[kind, "twice"]
        print(
            f"{kind}: once / twice  ready {ratio[0]:.3f}  step {ratio[1]:.3f}  CPU {ratio[2]:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=40)
    run(parser.parse_args())
    import os

    os._exit(0)  # napari's viewers and threads: no slow teardown


if __name__ == "__main__":
    main()
