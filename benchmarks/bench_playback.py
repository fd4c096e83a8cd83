"""Playback with napari's play button: frames shown per second, all kinds bound vs image only.

Run under a virtual display (the viewers are shown: playback waits for each paint)::

    xvfb-run -a -s "-screen 0 1600x1200x24" .venv/bin/python benchmarks/bench_playback.py
    ... bench_playback.py --fps 30 60 120 --seconds 4 --rounds 2 --backward
    ... bench_playback.py --video /work/shared/fixtures/whiskertoolbox/Media/test_each_frame_number.mp4 --loop 200

Two shown viewers hold the same media (by default the lazy 200,000-frame
``LoopMedia`` of ``bench_frame_step``; ``--video`` a real video decoded with PyAV,
``--loop N`` first remuxes it N times end to end, without re-encoding, into /tmp): one
shows only its Image layer, the other the media with a mask, lines and points on every
frame (``--floor``: napari alone, the same layers updated through its public API, no
plugin code; ``--static``: napari alone, the layers drawn but never updated, the cost of
drawing them, which no update scheme goes below; ``--hidden``: our bindings with the three
annotation layers hidden, neither drawn nor updated, what napari's holding them costs). For
each speed they take turns
(``--rounds``): napari's play button plays the frame axis (``QtDims.play``, as clicking
it does) for ``--seconds``, forward or, with ``--backward``, backward.

napari's player thread asks for a frame every 1/fps s; the viewer ignores the requests
that arrive before the previous frame was painted, and the player then goes on from the
frame shown, so a slow viewer mostly plays slower rather than skipping frames. Printed per
speed: frames shown per second (paints showing a new frame; only paints where every layer
shows that frame count), frames *dropped* per second (frames the play head moved past
without a paint), the bound / image-only ratio of frames shown, and for a video the
share of shown frames the read-ahead had decoded before napari asked for them, and the
lowest and highest ratio of a single round (how much one round's figure says).
``--kinds``: five viewers — image only, the media with the mask, the lines or the points
alone, and all three — to tell which kind costs what.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_frame_step import FloorSession, build_session
from napari_whiskertoolbox.core import DataManager


def loop_video(path: str, times: int) -> Path:
    """Remux ``path`` ``times`` times end to end (no re-encoding) into a file in /tmp."""
    import av

    out_path = Path(tempfile.gettempdir()) / f"{Path(path).stem}_x{times}.mp4"
    if out_path.exists():
        return out_path
    with av.open(path) as source:
        stream = source.streams.video[0]
        stamps = [p.pts for p in source.demux(stream) if p.size]
    step = max(stamps) - min(stamps) + (sorted(stamps)[1] - sorted(stamps)[0])
    with av.open(path) as template, av.open(str(out_path), "w") as out:
        target = out.add_stream_from_template(template.streams.video[0])
        for k in range(times):
            with av.open(path) as source:
                for packet in source.demux(source.streams.video[0]):
                    if not packet.size:
                        continue
                    packet.stream = target
                    packet.pts += k * step
                    packet.dts = None if packet.dts is None else packet.dts + k * step
                    out.mux(packet)
    return out_path


class ReadAheadProbe:
    """Count, for each frame napari reads from a video, whether it was decoded already."""

    def __init__(self, media) -> None:
        self.media = media
        self.hits = self.reads = 0
        self._frame = media.frame
        media.frame = self._read

    def _read(self, index: int):
        self.reads += 1
        self.hits += int(index) in set(self.media.cached_frames)
        return self._frame(index)


class PaintCounter:
    """Count the paints of a viewer's canvas that show a new frame in every layer.

    Also notes the longest wait between two such paints, and the time spent in the
    garbage collector's full (generation 2) collections meanwhile.
    """

    def __init__(self, session) -> None:
        from napari_whiskertoolbox.layers._napari_compat import viewer_widget

        self.session = session
        self.canvas = viewer_widget(session.viewer).canvas
        self.shown = self.mismatched = 0
        self.last: int | None = None
        self.last_time: float | None = None
        self.longest = 0.0
        self.full_gcs = 0
        self.full_gc_s = 0.0
        self._gc_start = 0.0
        self.canvas.events.draw.connect(self._on_draw)
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.full_gcs += 1
            self.full_gc_s += time.perf_counter() - self._gc_start

    def _on_draw(self, event=None) -> None:
        frame = int(self.session.viewer.dims.current_step[0])
        if frame == self.last:
            return
        if self.session.shown_frame != frame:
            self.mismatched += 1  # the image moved on, our layers did not (yet)
            return
        self.last = frame
        self.shown += 1
        now = time.perf_counter()
        if self.last_time is not None:
            self.longest = max(self.longest, now - self.last_time)
        self.last_time = now

    def close(self) -> None:
        self.canvas.events.draw.disconnect(self._on_draw)
        gc.callbacks.remove(self._on_gc)


class StaticSession(FloorSession):
    """napari alone with the four layers showing one frame's annotations, never updated.

    What drawing the layers costs by itself (``--static``): the floor any binding that keeps
    them on the frame stands on.
    """

    def _on_step(self, event=None) -> None:
        if self.shown_frame is None:
            super()._on_step()

    @property
    def shown_frame(self) -> int | None:
        return None if self._frame is None else int(self.viewer.dims.current_step[0])

    @shown_frame.setter
    def shown_frame(self, frame: int | None) -> None:
        self._frame = frame


def play(session, app, fps: float, seconds: float, start: int) -> PaintCounter:
    """Play ``seconds`` at ``fps`` (negative: backward) from ``start``.

    Returns the paint counter: frames shown, paints with a layer behind, longest wait
    between shown frames, full garbage collections; its ``moved`` is how many frames the
    player moved through.
    """
    from napari_whiskertoolbox.layers._napari_compat import viewer_widget

    session.set_frame(start)
    deadline = time.perf_counter() + 0.2
    while time.perf_counter() < deadline:
        app.processEvents()
    counter = PaintCounter(session)
    qt_dims = viewer_widget(session.viewer).dims
    qt_dims.play(axis=0, fps=fps, loop_mode="loop")
    from qtpy.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()  # the application's own event loop, as when a user plays
    qt_dims.stop()
    moved = abs(int(session.viewer.dims.current_step[0]) - start)
    for _ in range(20):
        app.processEvents()
    counter.close()
    counter.moved = moved
    return counter


def run(args) -> None:
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.layers.session import ViewerSession

    media = None
    n_frames = args.frames
    probe = None
    if args.video:
        from napari_whiskertoolbox.media import open_media

        path = loop_video(args.video, args.loop) if args.loop > 1 else args.video
        media = open_media(path)
        n_frames = len(media)
        probe = ReadAheadProbe(media)
        print(f"video {path}: {n_frames} frames, {media.shape[2]}x{media.shape[1]}")
    full = build_session(n_frames, media)
    image_only = DataManager()
    image_only.set_data("media", full.get_data("media"))
    sessions = {}
    for bound, dm in ((False, image_only), (True, full)):
        viewer = napari.Viewer(show=True)
        main_window(viewer).resize(1200, 900)  # the same canvas size for both
        sessions[bound] = (
            StaticSession(viewer, dm, True)
            if args.static
            else FloorSession(viewer, dm, True)
            if args.floor
            else ViewerSession(viewer, dm)
        )
        if bound and args.hidden:
            for layer in viewer.layers:
                if layer.name != "media":
                    layer.visible = False
    app = QApplication.instance()
    direction = -1 if args.backward else 1
    print(
        f"napari play button, {n_frames} frames, {'backward' if args.backward else 'forward'}, "
        f"{args.rounds} x {args.seconds:g} s per viewer and speed, viewers taking turns"
        + ("; --floor: napari alone, public API" if args.floor else "")
        + ("; --static: napari alone, layers never updated" if args.static else "")
        + ("; --hidden: annotation layers hidden" if args.hidden else "")
    )
    header = f"{'fps':>5} {'image shown/s':>14} {'dropped/s':>10} {'bound shown/s':>14} "
    header += f"{'dropped/s':>10} {'ratio':>7} {'behind':>7}"
    header += (
        f" {'longest wait ms image':>21} {'bound':>6} {'full GCs (ms) image':>19} {'bound':>12}"
        f" {'rounds ratio':>15}"
    )
    if probe is not None:
        header += f" {'read-ahead hit image':>21} {'bound':>6}"
    print(header)
    start = n_frames // 2
    for fps in args.fps:
        shown = {False: 0, True: 0}
        moved = {False: 0, True: 0}
        behind = 0
        longest = {False: 0.0, True: 0.0}
        gcs = {False: [0, 0.0], True: [0, 0.0]}
        hits = {False: [0, 0], True: [0, 0]}
        round_ratios = []
        for _ in range(args.rounds):
            round_shown = {}
            for bound in (False, True):
                if probe is not None:
                    probe.hits = probe.reads = 0
                c = play(sessions[bound], app, direction * fps, args.seconds, start)
                shown[bound] += c.shown
                round_shown[bound] = c.shown
                moved[bound] += c.moved
                behind += c.mismatched if bound else 0
                longest[bound] = max(longest[bound], c.longest)
                gcs[bound][0] += c.full_gcs
                gcs[bound][1] += c.full_gc_s
                if probe is not None:
                    hits[bound][0] += probe.hits
                    hits[bound][1] += probe.reads
                start = (start + direction * 3 * fps * args.seconds) % n_frames
            round_ratios.append(round_shown[True] / max(round_shown[False], 1))
        total = args.rounds * args.seconds
        rates = {b: shown[b] / total for b in shown}
        dropped = {b: max(moved[b] - shown[b], 0) / total for b in shown}
        line = (
            f"{fps:>5g} {rates[False]:>14.1f} {dropped[False]:>10.1f} {rates[True]:>14.1f} "
            f"{dropped[True]:>10.1f} {rates[True] / rates[False]:>6.2f}x {behind:>7d}"
            f" {1e3 * longest[False]:>21.0f} {1e3 * longest[True]:>6.0f}"
            f" {gcs[False][0]:>8d} ({1e3 * gcs[False][1]:>6.0f}) {gcs[True][0]:>4d} ({1e3 * gcs[True][1]:>5.0f})"
        )
        line += f" {min(round_ratios):>9.2f}-{max(round_ratios):.2f}x"
        if probe is not None:
            pct = [100 * h / max(r, 1) for h, r in (hits[False], hits[True])]
            line += f" {pct[0]:>20.0f}% {pct[1]:>5.0f}%"
        print(line, flush=True)
    for session in sessions.values():
        viewer = session.viewer
        session.close()
        viewer.close()


KIND_SETS = {
    "image": (),
    "+mask": ("pad_mask",),
    "+lines": ("whiskers",),
    "+points": ("nose",),
    "all": ("pad_mask", "whiskers", "nose"),
}
"""``--kinds``: the annotation keys each viewer binds next to the media."""


def run_kinds(args) -> None:
    """Frames shown per second with each kind bound alone, and all, against image only."""
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.layers.session import ViewerSession

    full = build_session(args.frames)
    sessions = {}
    for name, keys in KIND_SETS.items():
        dm = DataManager()
        dm.set_data("media", full.get_data("media"))
        for key in keys:
            dm.set_data(key, full.get_data(key))
        viewer = napari.Viewer(show=True)
        main_window(viewer).resize(1200, 900)
        sessions[name] = ViewerSession(viewer, dm)
    app = QApplication.instance()
    direction = -1 if args.backward else 1
    print(
        f"napari play button, {args.frames} frames, one kind bound at a time, "
        f"{args.rounds} x {args.seconds:g} s per viewer and speed: frames shown/s (ratio)"
    )
    print(f"{'fps':>5} " + " ".join(f"{name:>15}" for name in KIND_SETS))
    start = args.frames // 2
    for fps in args.fps:
        shown = dict.fromkeys(KIND_SETS, 0)
        for _ in range(args.rounds):
            for name, session in sessions.items():
                shown[name] += play(session, app, direction * fps, args.seconds, start).shown
                start = (start + direction * 3 * fps * args.seconds) % args.frames
        rates = {name: n / (args.rounds * args.seconds) for name, n in shown.items()}
        cells = [f"{rates[n]:6.1f} ({rates[n] / rates['image']:.2f}x)" for n in KIND_SETS]
        print(f"{fps:>5g} " + " ".join(f"{c:>15}" for c in cells), flush=True)
    for session in sessions.values():
        viewer = session.viewer
        session.close()
        viewer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, nargs="+", default=[30, 60, 120])
    parser.add_argument("--frames", type=int, default=200_000, help="lazy media length")
    parser.add_argument("--seconds", type=float, default=4.0, help="play time per turn")
    parser.add_argument("--rounds", type=int, default=2, help="turns each viewer takes")
    parser.add_argument("--backward", action="store_true", help="play backward")
    parser.add_argument(
        "--hidden", action="store_true", help="bound viewer with the annotation layers hidden"
    )
    parser.add_argument("--video", help="play this video (PyAV) instead of the lazy media")
    parser.add_argument(
        "--loop", type=int, default=1, help="with --video: remux it this many times end to end"
    )
    parser.add_argument(
        "--floor", action="store_true", help="napari alone: layers updated via public API"
    )
    parser.add_argument(
        "--static", action="store_true", help="napari alone: the layers drawn, never updated"
    )
    parser.add_argument(
        "--kinds", action="store_true", help="each annotation kind bound alone, then all"
    )
    args = parser.parse_args()
    run_kinds(args) if args.kinds else run(args)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
