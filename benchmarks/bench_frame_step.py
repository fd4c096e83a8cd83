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
Shown viewers get the same window geometry, the one taking its turn is raised, and the
mouse pointer is kept off both canvases (see :func:`same_footing`).

``--floor`` measures napari's own floor: the same layers (Image, Labels, Shapes, Points) in
plain napari, no plugin code, the annotation layers updated through napari's public API
from a ``dims.events.current_step`` callback (``shapes.data =`` inside its public
``block_thumbnail_update()``, ``points.data =``, the
label image rewritten in place and refreshed, or ``data_setitem`` in a shown viewer),
against the same Image layer alone. ``--profile`` runs the timed steps under cProfile and
prints, per viewer, where the milliseconds of one step go (cumulative and own time per
step of the costliest functions).
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


def time_steps(session, app, start: int, n_steps: int, profile=None) -> np.ndarray:
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
        if profile is not None:
            profile.enable()
        wall, cpu = time.perf_counter(), time.process_time()
        viewer.dims.set_current_step(0, frame)
        while session.shown_frame != frame:
            app.processEvents()
        ready = time.perf_counter() - wall
        app.processEvents()
        times[k] = ready, time.perf_counter() - wall, time.process_time() - cpu
        if profile is not None:
            profile.disable()
        settle(app)
    return times


SHOWN_GEOMETRY = (0, 0, 1100, 700)
"""Left, top, width, height of each shown viewer's window (the same for both)."""


def same_footing(viewers, app) -> None:
    """Give shown viewers the same window geometry and keep the mouse pointer off them.

    napari opens a second window at its own size (its canvas was a quarter smaller than the
    first one's) on top of the first, under the pointer (the centre of Xvfb's screen): the
    top viewer's status bar was then recomputed at each step (the value under the pointer,
    in napari's status thread) and the other's not. Both windows now paint canvases of the
    same size, neither computes a status, and the viewer taking its turn is raised.
    """
    from qtpy.QtGui import QCursor

    for viewer in viewers:
        viewer.window.set_geometry(*SHOWN_GEOMETRY)
    screen = app.primaryScreen().geometry()
    QCursor.setPos(screen.right(), screen.bottom())  # outside every window
    settle(app)
    over = [viewer.mouse_over_canvas for viewer in viewers]
    assert not any(over), f"the pointer is still over a canvas: {over}"


class FloorSession:
    """napari alone: the same four layers, updated through napari's public API only.

    The floor our bindings are compared with: no plugin code runs in a step (the objects
    of a frame are looked up in the same stores, and converted with plain numpy).
    ``shown_frame`` is the frame the layers hold, as :class:`ViewerSession` has it.
    """

    def __init__(self, viewer, dm: DataManager, shown: bool) -> None:
        self.viewer = viewer
        self.dm = dm
        self.shown = shown
        self.shown_frame: int | None = None
        media = dm.get_data("media")
        viewer.add_image(media, name="media", colormap="gray", contrast_limits=(0, 255))
        self.labels = self.shapes = self.points = None
        if "pad_mask" in dm:
            self.labels = viewer.add_labels(np.zeros((HEIGHT, WIDTH), np.uint8), opacity=0.5)
        if "whiskers" in dm:
            self.shapes = viewer.add_shapes(
                ndim=2,
                name="whiskers",
                shape_type="path",
                edge_color="#ffd700",
                face_color="transparent",
            )
        if "nose" in dm:
            self.points = viewer.add_points(
                np.empty((0, 2), np.float32), ndim=2, size=8, face_color="#00e5ff"
            )
        viewer.dims.events.current_step.connect(self._on_step)
        self._on_step()

    def set_frame(self, frame: int) -> None:
        self.viewer.dims.set_current_step(0, frame)
        self._on_step()

    def _on_step(self, event=None) -> None:
        frame = int(self.viewer.dims.current_step[0])
        if frame == self.shown_frame:
            return
        dm = self.dm
        if self.labels is not None:
            image = self.labels.data
            fresh = np.zeros_like(image)
            for mask in dm.get_data("pad_mask").at(frame):
                xy = np.asarray(mask, dtype=np.int64)
                fresh[xy[:, 1], xy[:, 0]] = 1
            if self.shown:
                changed = np.nonzero(fresh != image)
                self.labels.data_setitem(changed, fresh[changed])
            else:
                image[...] = fresh
                self.labels.refresh()
        if self.shapes is not None:
            paths = [np.asarray(line)[:, ::-1] for line in dm.get_data("whiskers").at(frame)]
            with self.shapes.block_thumbnail_update():  # public; else 3 thumbnails a step
                self.shapes.data = (paths, ["path"] * len(paths))
        if self.points is not None:
            self.points.data = np.asarray(dm.get_data("nose").at(frame))[:, ::-1]
        self.shown_frame = frame

    def close(self) -> None:
        self.viewer.dims.events.current_step.disconnect(self._on_step)


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
    floor: bool = False,
    profile: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Median (ready, step, CPU) times in ms with only the Image layer, and with keys bound.

    Two viewers hold the same media: one shows only its Image layer, the other every key
    (or, with ``only``, the media and that one key of :data:`ANNOTATION_KEYS`). They take
    turns ``rounds`` times (``n_steps`` timed steps each), so a change in machine load
    while the benchmark runs affects both alike. ``shown`` opens the windows on the
    (virtual) display: napari then uploads changed pixels only and the canvas paints.
    ``floor`` uses :class:`FloorSession` (napari alone) for both viewers; ``profile``
    prints a cProfile summary of each viewer's timed steps.
    """
    import cProfile

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
        viewer = napari.Viewer(show=shown)
        sessions[bound] = FloorSession(viewer, dm, shown) if floor else ViewerSession(viewer, dm)
        assert len(sessions[bound].viewer.layers) == 1 + (len(shown_keys) if bound else 0)
    app = QApplication.instance()
    if shown:
        same_footing([session.viewer for session in sessions.values()], app)
    timings: dict[bool, list[np.ndarray]] = {False: [], True: []}
    profiles = {b: cProfile.Profile() if profile else None for b in (False, True)}
    frame = (n_frames - needed) // 2
    for _ in range(rounds):
        for bound in (False, True):
            session = sessions[bound]
            if shown:
                session.viewer.window.activate()  # on top while it takes its turn
            session.set_frame(frame)
            settle(app)
            time_steps(session, app, frame, WARM_STEPS)
            timings[bound].append(
                time_steps(session, app, frame + WARM_STEPS, n_steps, profiles[bound])
            )
            frame += stride
    if only in (None, "lines"):
        assert len(sessions[True].viewer.layers["whiskers"].data) == N_LINES
    for session in sessions.values():
        viewer = session.viewer
        session.close()
        viewer.close()
    del sessions, full, image_only
    gc.collect()
    if profile:
        for bound in (False, True):
            title = "all kinds bound" if bound else "image only"
            print_profile(profiles[bound], f"{n_frames} frames, {title}", rounds * n_steps)
    image_times, bound_times = (np.concatenate(timings[b]) for b in (False, True))
    return np.median(image_times, axis=0) * 1e3, np.median(bound_times, axis=0) * 1e3


PROFILE_ROWS = 20
"""Functions listed per profile (by cumulative time, then by own time)."""
PROFILE_PARTS = (
    ("dims step (napari slicing + our layers)", "napari/components/dims.py", "set_current_step"),
    ("  our frame swap (ViewerSession._apply_frame)", "layers/session.py", "_apply_frame"),
    ("  our frame swap (floor: FloorSession._on_step)", "bench_frame_step.py", "_on_step"),
    ("    Shapes.data = (napari model)", "layers/shapes/shapes.py", "data"),
    ("    Points.data = (napari model)", "layers/points/points.py", "data"),
    ("    Labels.data_setitem", "layers/labels/labels.py", "data_setitem"),
    ("    layer.refresh", "layers/base/base.py", "refresh"),
    ("    vispy Shapes _on_data_change", "_vispy/layers/shapes.py", "_on_data_change"),
    ("    vispy Points _on_data_change", "_vispy/layers/points.py", "_on_data_change"),
    ("    vispy layer reset (transforms, blending..)", "_vispy/layers/base.py", "reset"),
    ("    vispy _on_matrix_change (transforms)", "_vispy/layers/base.py", "_on_matrix_change"),
    ("  layer slicing (napari _refresh_sync)", "layers/base/base.py", "_refresh_sync"),
    ("  layer list repaint (LayerDelegate.paint)", "~", "<function LayerDelegate.paint"),
    ("canvas paint (vispy on_draw)", "vispy/scene/canvas.py", "on_draw"),
    ("  GL command flush (GLIR parse)", "vispy/gloo/glir.py", "parse"),
    ("  shader program build (vispy ModularProgram)", "shaders/program.py", "build_if_needed"),
    ("  glLinkProgram", "gloo/gl/_gl2.py", "glLinkProgram"),
    ("  glCompileShader", "gloo/gl/_gl2.py", "glCompileShader"),
    ("  glTexSubImage2D (texture upload)", "gloo/gl/_gl2.py", "glTexSubImage2D"),
    ("  glFlush", "gloo/gl/_gl2.py", "glFlush"),
)
"""(label, file ending, function name) of the parts of a step shown in ``--profile``."""


def print_profile(profile, title: str, n_steps: int) -> None:
    """Print where the milliseconds of one step go: cumulative and own time per step."""
    import pstats

    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = sum(tt for _, _, tt, _, _ in stats.values()) / n_steps * 1e3
    print(f"\n--- profile: {title}: {total:.2f} ms per step (profiled; cProfile slows it) ---")

    def label(func) -> str:
        path, line, name = func
        parts = path.replace("\\", "/").split("/")
        for root in ("site-packages", "src"):
            if root in parts:
                parts = parts[parts.index(root) + 1 :]
                break
        return f"{'/'.join(parts[-3:])}:{line}({name})"

    print("  parts of a step (cumulative ms/step, calls/step):")
    for title_, path_end, name in PROFILE_PARTS:
        hits = [
            row
            for (path, _, fname), row in stats.items()
            if path.replace("\\", "/").endswith(path_end) and fname.startswith(name)
        ]
        if hits:
            cum = max(row[3] for row in hits) / n_steps * 1e3
            calls = sum(row[1] for row in hits) / n_steps
            print(f"    {cum:7.3f}  {calls:7.1f}x  {title_}")
    for column, heading in ((3, "cumulative"), (2, "own")):
        print(f"  by {heading} ms/step:")
        ranked = sorted(stats.items(), key=lambda item: item[1][column], reverse=True)
        for func, row in ranked[:PROFILE_ROWS]:
            calls = row[1] / n_steps
            print(f"    {row[column] / n_steps * 1e3:7.3f}  {calls:7.1f}x  {label(func)}")


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
    parser.add_argument(
        "--floor",
        action="store_true",
        help="napari alone (no plugin code): same layers updated through napari's public API",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile summary of the timed steps"
    )
    args = parser.parse_args()
    if args.video:
        args.sizes = [0]
    print(
        f"frame step, 640x480 lazy media + {N_LINES} lines x {N_VERTICES} vertices, "
        f"{N_POINTS} points, 1 mask per frame; median of {args.rounds} x {args.steps} steps "
        f"per viewer, the two viewers taking turns; viewers {'shown' if args.shown else 'hidden'}"
    )
    if args.floor:
        print("--floor: napari alone, layers updated through its public API (no plugin code)")
    if args.only:
        print(f"--only {args.only}: 'bound' = media + {ANNOTATION_KEYS[args.only]} only")
    columns = ("ready (wall)", "step (wall)", "step (CPU)")
    print(f"{'':>8}" + "".join(f" {c:-^27}" for c in columns))
    header = f"{'image':>8} {'bound':>8} {'ratio':>9}"
    print(f"{'frames':>8}" + f" {header}" * len(columns))
    for n in args.sizes:
        image_only, bound = run(
            n,
            args.steps,
            args.video,
            args.only,
            args.rounds,
            args.shown,
            floor=args.floor,
            profile=args.profile,
        )
        ratio = bound / image_only
        cells = "".join(
            f" {image_only[i]:>8.2f} {bound[i]:>8.2f} {ratio[i]:>8.2f}x" for i in range(3)
        )
        label = "video" if args.video else n
        print(f"{label:>8}{cells}")


if __name__ == "__main__":
    main()
