"""Frame-step cost with media + masks + lines + points bound, against the Image layer alone.

Run under a virtual display::

    xvfb-run -a .venv/bin/python benchmarks/bench_frame_step.py [--steps 40] [--rounds 5] [--sizes 1000 20000 200000]
    xvfb-run -a -s "-screen 0 1600x1200x24" .venv/bin/python benchmarks/bench_frame_step.py --shown
    xvfb-run -a .venv/bin/python benchmarks/bench_frame_step.py --video tests/data/whiskertoolbox/Media/test_each_frame_number.mp4

For each session length it builds a DataManager (stores made with ``from_flat``) holding a
lazy 640x480 gray media, 5 lines x 50 vertices, 10 points and 1 mask per frame. One viewer
shows all of it, a second one only the same media as an Image layer; they take turns
(``--rounds`` turns of ``--steps`` timed steps) so load changes hit both alike. One step:
``viewer.dims`` moves one frame forward (a fresh event-loop turn, as for a key press) and
Qt events are processed until our layers show that frame (*ready*), then once more (*step*:
a shown canvas paints here). It prints the medians and the ratios (the budget is <= 2x,
flat across session length).

Hidden viewers (the default) never paint and have no textures, so napari refreshes a
changed Labels layer in full; ``--shown`` opens the windows, which is what a user has:
label swaps then upload only the changed pixels, and *step* includes a paint, done in
software by Mesa under Xvfb (far slower than a GPU, so *ready* is the figure to compare).
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
    """Build a DataManager with media, lines, points and a mask on every one of ``n_frames``.

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


SETTLE_S = 0.003
"""Untimed event processing after each step, so the next one starts a fresh event-loop turn
(as a key press or a slider move does) and the previous paint is finished."""


def settle(app) -> None:
    """Process events for :data:`SETTLE_S` seconds."""
    deadline = time.perf_counter() + SETTLE_S
    while time.perf_counter() < deadline:
        app.processEvents()


def time_steps(session, app, start: int, n_steps: int) -> np.ndarray:
    """Time ``n_steps`` forward steps from ``start``; return seconds, shape ``(n_steps, 3)``.

    Columns: *ready* (wall time until napari and our layers hold that frame, the work done
    on the CPU before the canvas can paint), *step* (ready plus one pass of the event loop,
    which paints a shown canvas) and the CPU time of that step (this process only; much
    less disturbed than wall time by other processes on a shared machine).
    """
    viewer = session.viewer
    times = np.empty((n_steps, 3))
    for k in range(n_steps):
        frame = start + k + 1
        wall, cpu = time.perf_counter(), time.process_time()
        viewer.dims.set_current_step(0, frame)
        while session.shown_frame != frame:
            app.processEvents()
        ready = time.perf_counter() - wall
        app.processEvents()
        times[k] = ready, time.perf_counter() - wall, time.process_time() - cpu
        settle(app)
    return times


ANNOTATION_KEYS = {"mask": "pad_mask", "lines": "whiskers", "points": "nose"}
"""``--only`` choice → the DataManager key it shows next to the media."""

WARM_STEPS = 5
"""Untimed steps before each timed round."""


def run(
    n_frames: int,
    n_steps: int,
    video: str | None = None,
    only: str | None = None,
    rounds: int = 5,
    shown: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Median (ready, step, CPU) times in ms with only the Image layer, and with keys bound.

    Two viewers hold the same media: one shows only its Image layer, the other every key
    (or, with ``only``, the media and that one key of :data:`ANNOTATION_KEYS`). They take
    turns ``rounds`` times (``n_steps`` timed steps each), so a change in machine load
    while the benchmark runs affects both alike. ``shown`` opens the windows on the
    (virtual) display: napari then uploads changed pixels only and the canvas paints.
    """
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.layers.session import ViewerSession

    media = None
    if video is not None:
        from napari_whiskertoolbox.media import open_media

        media = open_media(video)
        n_frames = len(media)
    full = build_session(n_frames, media)
    shown_keys = list(ANNOTATION_KEYS.values()) if only is None else [ANNOTATION_KEYS[only]]
    for key in set(ANNOTATION_KEYS.values()) - set(shown_keys):
        full.delete_data(key)
    image_only = DataManager()
    image_only.set_data("media", full.get_data("media"))
    stride = WARM_STEPS + n_steps + 10
    needed = 2 * rounds * stride
    if needed >= n_frames:
        # dims would clamp the step and time_steps would wait forever for that frame
        raise ValueError(
            f"{rounds} rounds of --steps {n_steps} need a session of more than {needed} "
            f"frames, got {n_frames}"
        )
    sessions = {}
    for bound, dm in ((False, image_only), (True, full)):
        sessions[bound] = ViewerSession(napari.Viewer(show=shown), dm)
        assert len(sessions[bound].viewer.layers) == 1 + (len(shown_keys) if bound else 0)
    app = QApplication.instance()
    timings: dict[bool, list[np.ndarray]] = {False: [], True: []}
    frame = (n_frames - needed) // 2
    for _ in range(rounds):
        for bound in (False, True):
            session = sessions[bound]
            session.set_frame(frame)
            settle(app)
            time_steps(session, app, frame, WARM_STEPS)
            timings[bound].append(time_steps(session, app, frame + WARM_STEPS, n_steps))
            frame += stride
    if only in (None, "lines"):
        assert len(sessions[True].viewer.layers["whiskers"].data) == N_LINES
    for session in sessions.values():
        viewer = session.viewer
        session.close()
        viewer.close()
    del sessions, full, image_only
    gc.collect()
    image_times, bound_times = (np.concatenate(timings[b]) for b in (False, True))
    return np.median(image_times, axis=0) * 1e3, np.median(bound_times, axis=0) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=5, help="turns each viewer takes")
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
    parser.add_argument(
        "--shown",
        action="store_true",
        help="show the viewers (needs a display, e.g. xvfb-run) so steps include the paint",
    )
    args = parser.parse_args()
    if args.video:
        args.sizes = [0]
    print(
        f"frame step, 640x480 lazy media + {N_LINES} lines x {N_VERTICES} vertices, "
        f"{N_POINTS} points, 1 mask per frame; median of {args.rounds} x {args.steps} steps "
        f"per viewer, the two viewers taking turns; viewers {'shown' if args.shown else 'hidden'}"
    )
    if args.only:
        print(f"--only {args.only}: 'bound' = media + {ANNOTATION_KEYS[args.only]} only")
    columns = ("ready (wall)", "step (wall)", "step (CPU)")
    print(f"{'':>8}" + "".join(f" {c:-^27}" for c in columns))
    header = f"{'image':>8} {'bound':>8} {'ratio':>9}"
    print(f"{'frames':>8}" + f" {header}" * len(columns))
    for n in args.sizes:
        image_only, bound = run(n, args.steps, args.video, args.only, args.rounds, args.shown)
        ratio = bound / image_only
        cells = "".join(
            f" {image_only[i]:>8.2f} {bound[i]:>8.2f} {ratio[i]:>8.2f}x" for i in range(3)
        )
        label = "video" if args.video else n
        print(f"{label:>8}{cells}")


if __name__ == "__main__":
    main()
