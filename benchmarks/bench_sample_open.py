"""Opening the synthetic sample session: time and memory of ``make_sample_session``.

Run: ``.venv/bin/python benchmarks/bench_sample_open.py [--frames 1000 20000 200000] [--viewer]``

For each frame count, in a fresh process (so the peak is that of the call alone):

* ``make_sample_session(n_frames)``: seconds, resident memory added and the peak added
  (``/proc/self/status`` VmRSS / VmHWM against the RSS after the imports);
* reading frame 0 and the middle frame of the media afterwards (the first read renders);
* the raw size of the data held: the bytes of the arrays the session keeps (clocks, flat
  ragged arrays, analog values, intervals, events and the media's own arrays), printed with
  the ratio RSS added / raw.

``--viewer`` (needs a display, e.g. under ``xvfb-run -a``) also measures, in a fresh
process, the seconds from ``adopt_data_manager`` of a session into a napari viewer's session
to napari having drawn the first frame (``viewer.screenshot``), and the RSS added by it.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from _process import load_line, rss_mb, run_measurement


def _media_nbytes(media: Any) -> int:
    """Bytes of the arrays a media holds (an in-memory video: all of its frames)."""
    if hasattr(media, "array"):
        return int(media.array.nbytes)
    return int(getattr(media, "nbytes", 0))


def raw_nbytes(dm: Any) -> dict[str, int]:
    """Bytes of the arrays held per key (and ``"clocks"``), read without copying."""
    sizes = {"clocks": sum(dm.get_time(c).times.nbytes for c in dm.time_keys())}
    for key in dm:
        obj = dm.get_data(key)
        if hasattr(obj, "to_flat"):
            flat = obj.to_flat()
            arrays = (flat.times, flat.ids, flat.offsets, flat.coords)
            sizes[key] = sum(a.nbytes for a in arrays if a is not None)
        elif hasattr(obj, "shape") and hasattr(obj, "frame"):
            sizes[key] = _media_nbytes(obj)
        else:
            arrays = [getattr(obj, name, None) for name in ("values", "intervals", "ids")]
            if not hasattr(obj, "values"):
                arrays.append(getattr(obj, "times", None))
            sizes[key] = sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))
    return sizes


def measure(n_frames: int) -> dict[str, Any]:
    """Build the sample session with ``n_frames`` frames (run in a fresh process)."""
    from napari_whiskertoolbox.sample import make_sample_session

    make_sample_session(n_frames=2)  # warm up imports and numpy's first calls
    base_rss, _ = rss_mb()
    t0 = time.perf_counter()
    dm = make_sample_session(n_frames=n_frames)
    build = time.perf_counter() - t0
    rss, peak = rss_mb()
    media = dm.get_data("media")
    t1 = time.perf_counter()
    np.asarray(media[0])
    first = time.perf_counter() - t1
    t2 = time.perf_counter()
    np.asarray(media[n_frames // 2])
    middle = time.perf_counter() - t2
    return {
        "n_frames": n_frames,
        "build_s": build,
        "frame0_s": first,
        "frame_mid_s": middle,
        "rss_added_mb": rss - base_rss,
        "peak_added_mb": peak - base_rss,
        "raw": raw_nbytes(dm),
        "media_type": type(media).__name__,
    }


def measure_viewer(n_frames: int) -> dict[str, Any]:
    """Seconds from adopting the session into a viewer to napari drawing frame 0."""
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox._sample_data import adopt_data_manager
    from napari_whiskertoolbox.sample import make_sample_session
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = napari.Viewer(show=True)
    session = get_session(viewer)
    QApplication.processEvents()
    base_rss, _ = rss_mb()
    t0 = time.perf_counter()
    dm = make_sample_session(n_frames=n_frames)
    built = time.perf_counter() - t0
    adopt_data_manager(session.dm, dm)
    QApplication.processEvents()
    shot = viewer.screenshot(canvas_only=True)
    first = time.perf_counter() - t0
    rss, peak = rss_mb()
    layers = [layer.name for layer in viewer.layers]
    viewer.close()
    return {
        "n_frames": n_frames,
        "build_s": built,
        "first_frame_s": first,
        "rss_added_mb": rss - base_rss,
        "peak_added_mb": peak - base_rss,
        "layers": layers,
        "screenshot_mean": float(np.asarray(shot)[..., :3].mean()),
    }


def _run(mode: str, n_frames: int) -> dict[str, Any]:
    return run_measurement(__file__, mode, str(n_frames))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, nargs="+", default=[1_000, 20_000, 200_000])
    parser.add_argument("--viewer", action="store_true", help="also time the first frame shown")
    parser.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure-viewer", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return
    if args.measure_viewer is not None:
        print(json.dumps(measure_viewer(args.measure_viewer)))
        return
    print(load_line())
    for n in args.frames:
        r = _run("--measure", n)
        raw = r["raw"]
        raw_mb = sum(raw.values()) / 1e6
        biggest = ", ".join(
            f"{k} {v / 1e6:.0f}" for k, v in sorted(raw.items(), key=lambda kv: -kv[1])[:3]
        )
        print(
            f"{n:>7} frames: make_sample_session {r['build_s']:.2f} s | RSS added "
            f"{r['rss_added_mb']:.0f} MB (peak {r['peak_added_mb']:.0f}) for {raw_mb:.0f} MB raw "
            f"({biggest} MB) = x{r['rss_added_mb'] / raw_mb:.2f} (peak "
            f"x{r['peak_added_mb'] / raw_mb:.2f}) | {r['media_type']} frame 0 "
            f"{r['frame0_s'] * 1e3:.1f} ms, middle frame {r['frame_mid_s'] * 1e3:.1f} ms"
        )
        if args.viewer:
            v = _run("--measure-viewer", n)
            print(
                f"{'':>7}  viewer: first frame drawn {v['first_frame_s']:.2f} s after the call "
                f"(build {v['build_s']:.2f} s) | RSS added {v['rss_added_mb']:.0f} MB "
                f"(peak {v['peak_added_mb']:.0f}) | layers {', '.join(v['layers'])}"
            )


if __name__ == "__main__":
    main()
