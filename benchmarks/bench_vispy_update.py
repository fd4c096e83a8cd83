"""napari's vispy Points / Shapes / Labels update per frame, with and without ``skip_unchanged_transforms``.

Run under a virtual display::

    xvfb-run -a .venv/bin/python benchmarks/bench_vispy_update.py [--frames 200] [--rounds 5]

One hidden viewer (640x480 image plane; a hidden canvas refreshes a changed Labels layer in
full) holds, per kind, two layers with the same data: one as napari makes it (*A*), one
with :func:`napari_whiskertoolbox.layers._napari_compat.skip_unchanged_transforms` applied,
as our bindings do (*B*). Each frame gives every layer that frame's data through napari's
public API (``points.data =``, ``shapes.data =`` inside ``block_thumbnail_update()``, the
label image rewritten in place and ``refresh()``). The two variants take turns (``--rounds``
turns of ``--frames`` frames each), each turn under cProfile, and the figure is the
cumulative time of the vispy layer's ``_on_data_change`` per frame (profiled: cProfile adds
to both alike), medians over the turns.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

import numpy as np

from _process import load_line

HEIGHT, WIDTH = 480, 640
N_POINTS, N_LINES, N_VERTICES = 10, 5, 50


def frame_data(rng: np.random.Generator, n_frames: int) -> dict[str, list]:
    """Per-frame points (10 x 2), paths (5 x 50 x 2) and label images (480 x 640 uint8)."""
    points, paths, labels = [], [], []
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    for frame in range(n_frames):
        points.append(rng.uniform((0, 0), (HEIGHT, WIDTH), (N_POINTS, 2)))
        base = rng.uniform((50, 50), (HEIGHT - 50, WIDTH - 250), (N_LINES, 1, 2))
        run = np.linspace(0, 200, N_VERTICES)[None, :, None] * np.array([0.2, 1.0])
        paths.append(list(base + run))
        cy, cx = 240 + 40 * np.sin(frame / 10), 320 + 40 * np.cos(frame / 10)
        labels.append((((yy - cy) / 60) ** 2 + ((xx - cx) / 40) ** 2 < 1).astype(np.uint8))
    return {"points": points, "shapes": paths, "labels": labels}


def data_change_ms(profile: cProfile.Profile, n_frames: int) -> float:
    """Cumulative ms per frame of the outermost vispy ``_on_data_change`` in ``profile``."""
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    cumulative = [
        ct
        for (file, _, name), (_, _, _, ct, _) in stats.items()
        if name == "_on_data_change" and "_vispy/layers/" in file.replace("\\", "/")
    ]
    if not cumulative:
        raise RuntimeError("napari's vispy layer _on_data_change was never called")
    return max(cumulative) / n_frames * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200, help="frames per turn")
    parser.add_argument("--rounds", type=int, default=5, help="turns each variant takes")
    args = parser.parse_args()

    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.layers._napari_compat import skip_unchanged_transforms

    print(load_line())
    frames = frame_data(np.random.default_rng(0), args.frames)
    viewer = napari.Viewer(show=False)
    viewer.add_image(np.zeros((HEIGHT, WIDTH), np.uint8), name="plane")
    layers: dict[tuple[str, bool], object] = {}
    for skip in (False, True):
        tag = "B" if skip else "A"
        layers["points", skip] = viewer.add_points(frames["points"][0], name=f"points {tag}")
        layers["shapes", skip] = viewer.add_shapes(
            frames["shapes"][0], shape_type="path", edge_width=2, name=f"shapes {tag}"
        )
        layers["labels", skip] = viewer.add_labels(frames["labels"][0].copy(), name=f"labels {tag}")
    QApplication.processEvents()
    for (_, skip), layer in layers.items():
        if skip:
            skip_unchanged_transforms(viewer, layer)

    def update(kind: str, layer, frame: int) -> None:
        if kind == "points":
            layer.data = frames["points"][frame]
        elif kind == "shapes":
            with layer.block_thumbnail_update():
                layer.data = frames["shapes"][frame]
        else:
            layer.data[...] = frames["labels"][frame]
            layer.refresh()

    timings: dict[tuple[str, bool], list[float]] = {key: [] for key in layers}
    for _ in range(args.rounds):
        for key, layer in layers.items():
            kind, _skip = key
            profile = cProfile.Profile()
            profile.enable()
            for frame in range(args.frames):
                update(kind, layer, frame)
            profile.disable()
            QApplication.processEvents()
            timings[key].append(data_change_ms(profile, args.frames))
    viewer.close()

    print(
        f"vispy _on_data_change per frame, {WIDTH}x{HEIGHT}, hidden viewer (full refresh), "
        f"median of {args.rounds} x {args.frames} frames, profiled"
    )
    print(f"  {'layer':8} {'napari as is':>14} {'skip_unchanged':>16}   ratio")
    for kind in ("points", "shapes", "labels"):
        plain, skipped = (float(np.median(timings[kind, skip])) for skip in (False, True))
        print(f"  {kind:8} {plain:11.2f} ms {skipped:13.2f} ms   {skipped / plain:.2f}x")
    print(load_line())


if __name__ == "__main__":
    main()
