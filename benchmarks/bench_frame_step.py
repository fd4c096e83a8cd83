"""Frame-step cost with media + masks + lines + points bound, against the Image layer alone.

Run under a virtual display::

    xvfb-run -a .venv/bin/python benchmarks/bench_frame_step.py [--steps 100] [--sizes 1000 20000 200000]
    xvfb-run -a .venv/bin/python benchmarks/bench_frame_step.py --video tests/data/whiskertoolbox/Media/test_each_frame_number.mp4

For each session length it builds a DataManager (stores made with ``from_flat``) holding a
lazy 640x480 gray media, 5 lines x 50 vertices, 10 points and 1 mask per frame, opens it in
a napari viewer (``show=False``) and times one frame step: ``viewer.dims`` moves one frame
forward and Qt events are processed until our layers show that frame. It prints the median
over ``--steps`` steps with only the Image layer shown, then with every key bound, and the
ratio (the budget is <= 2x, flat across session length).
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np

from napari_whiskertoolbox.core import DataManager, LineData, MaskData, MediaData, PointData

HEIGHT, WIDTH = 480, 640
N_LINES, N_VERTICES, N_POINTS, MASK_SIDE = 5, 50, 10, 20


class LoopMedia(MediaData):
    """Lazy gray media of ``n`` frames cycling through 32 distinct precomputed frames."""

    kind = "video"

    def __init__(self, n_frames: int) -> None:
        rng = np.random.default_rng(0)
        self._frames = rng.integers(0, 255, (32, HEIGHT, WIDTH), dtype=np.uint8)
        self._n = n_frames

    @property
    def shape(self) -> tuple[int, ...]:
        return (self._n, HEIGHT, WIDTH)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.uint8)

    def frame(self, index: int) -> np.ndarray:
        return self._frames[index % 32]


def build_session(n_frames: int, media: MediaData | None = None) -> DataManager:
    """A DataManager with media, lines, points and a mask on every one of ``n_frames``.

    ``media`` defaults to a :class:`LoopMedia` of ``n_frames`` frames.
    """
    frames = np.arange(n_frames, dtype=np.int64)
    wobble = (frames % 40).astype(np.float32)

    line_times = np.repeat(frames, N_LINES)
    x = np.linspace(100, 400, N_VERTICES, dtype=np.float32)
    line_rows = (np.arange(N_LINES, dtype=np.float32) * 40 + 150)[None, :, None]
    ys = line_rows + wobble[:, None, None] + 0.002 * (x - 100)[None, None, :] ** 2 * 0.3
    coords = np.empty((n_frames, N_LINES, N_VERTICES, 2), dtype=np.float32)
    coords[..., 0] = x
    coords[..., 1] = ys
    offsets = np.arange(n_frames * N_LINES + 1, dtype=np.int64) * N_VERTICES
    lines = LineData.from_flat(
        line_times, coords.reshape(-1, 2), offsets, image_size=(WIDTH, HEIGHT), copy=False
    )

    point_times = np.repeat(frames, N_POINTS)
    point_xy = np.empty((n_frames, N_POINTS, 2), dtype=np.float32)
    point_xy[..., 0] = np.linspace(80, 560, N_POINTS, dtype=np.float32)
    point_xy[..., 1] = 60 + wobble[:, None]
    points = PointData.from_flat(point_times, point_xy.reshape(-1, 2), image_size=(WIDTH, HEIGHT))

    yy, xx = np.mgrid[0:MASK_SIDE, 0:MASK_SIDE]
    block = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.uint32)
    shift = np.stack([200 + (frames % 50), 300 + (frames % 30)], axis=1).astype(np.uint32)
    mask_coords = (block[None, :, :] + shift[:, None, :]).reshape(-1, 2)
    mask_offsets = np.arange(n_frames + 1, dtype=np.int64) * block.shape[0]
    masks = MaskData.from_flat(
        frames, mask_coords, mask_offsets, image_size=(WIDTH, HEIGHT), copy=False
    )

    dm = DataManager()
    dm.set_data("media", LoopMedia(n_frames) if media is None else media)
    dm.set_data("pad_mask", masks)
    dm.set_data("whiskers", lines)
    dm.set_data("nose", points)
    return dm


def time_steps(session, app, start: int, n_steps: int) -> np.ndarray:
    """Wall and CPU time (s) of ``n_steps`` forward steps from ``start``: shape (n_steps, 2).

    CPU time (this process only) is reported next to wall time because the benchmark
    machine is shared: it is much less disturbed by other processes.
    """
    viewer = session.viewer
    times = np.empty((n_steps, 2))
    for k in range(n_steps):
        frame = start + k + 1
        wall, cpu = time.perf_counter(), time.process_time()
        viewer.dims.set_current_step(0, frame)
        app.processEvents()
        while session.shown_frame != frame:
            app.processEvents()
        times[k] = time.perf_counter() - wall, time.process_time() - cpu
    return times


ANNOTATION_KEYS = {"mask": "pad_mask", "lines": "whiskers", "points": "nose"}
"""``--only`` choice → the DataManager key it shows next to the media."""


def run(
    n_frames: int, n_steps: int, video: str | None = None, only: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Median (wall, CPU) step in ms with only the Image layer, and with every key bound.

    With ``only`` (a key of :data:`ANNOTATION_KEYS`) the second figure shows the media and
    that one annotation key (the others are not bound).
    """
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.layers.session import ViewerSession

    media = None
    if video is not None:
        from napari_whiskertoolbox.media import open_media

        media = open_media(video)
        n_frames = len(media)
    dm = build_session(n_frames, media)
    viewer = napari.Viewer(show=False)
    app = QApplication.instance()
    session = ViewerSession(viewer, dm)
    start = n_frames // 2 if video is None else 100
    last = start + 2 * n_steps + 40
    if last >= n_frames:
        # dims would clamp the step and time_steps would wait forever for that frame
        raise ValueError(
            f"--steps {n_steps} needs a session of more than {last} frames, got {n_frames}"
        )
    annotation_keys = list(ANNOTATION_KEYS.values())
    for key in annotation_keys:
        session.hide_key(key)
    session.set_frame(start)
    time_steps(session, app, start, 10)
    image_only = time_steps(session, app, start + 10, n_steps)
    for key in annotation_keys if only is None else [ANNOTATION_KEYS[only]]:
        session.show_key(key)
    start2 = start + 20 + n_steps
    session.set_frame(start2)
    assert len(viewer.layers) == (4 if only is None else 2)
    time_steps(session, app, start2, 10)
    bound = time_steps(session, app, start2 + 10, n_steps)
    if only in (None, "lines"):
        assert len(viewer.layers["whiskers"].data) == N_LINES
    session.close()
    viewer.close()
    del viewer, session, dm
    gc.collect()
    return np.median(image_only, axis=0) * 1e3, np.median(bound, axis=0) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 20_000, 200_000])
    parser.add_argument(
        "--video",
        help="decode this 640x480 video (PyAV) instead of the lazy in-memory media; "
        "the session then has the video's length",
    )
    parser.add_argument(
        "--only",
        choices=sorted(ANNOTATION_KEYS),
        help="show the media and only this annotation kind (to split the cost per kind)",
    )
    args = parser.parse_args()
    if args.video:
        args.sizes = [0]
    print(
        f"frame step, 640x480 lazy media + {N_LINES} lines x {N_VERTICES} vertices, "
        f"{N_POINTS} points, 1 mask per frame; median of {args.steps} steps"
    )
    if args.only:
        print(f"--only {args.only}: 'all bound' = media + {ANNOTATION_KEYS[args.only]} only")
    print(f"{'':>8} {'---------- wall ms ----------':>30} {'---------- CPU ms -----------':>30}")
    header = f"{'image':>9} {'all bound':>10} {'ratio':>7}"
    print(f"{'frames':>8} {header:>30} {header:>30}")
    for n in args.sizes:
        image_only, bound = run(n, args.steps, args.video, args.only)
        ratio = bound / image_only
        cells = [f"{image_only[i]:>9.2f} {bound[i]:>10.2f} {ratio[i]:>7.2f}" for i in (0, 1)]
        label = "video" if args.video else n
        print(f"{label:>8} {cells[0]:>30} {cells[1]:>30}")


if __name__ == "__main__":
    main()
