"""Autosave cost on Qt's main thread for a long session, first and after a one-frame edit.

Run (Qt needs a platform, no window is shown)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_autosave.py [--frames 200000]

Builds the session of ``bench_frame_step.build_session`` (5 lines x 50 vertices, 10 points
and one 20x20 mask per frame) without its media, then times :meth:`Autosaver.autosave_now`
on the main thread (wall time and ``time.thread_time``), the whole autosave until its files
and marker are on disk, and the longest gap between two turns of a 1 ms main-thread timer
while the write runs (how long the UI could not react). Then one point is moved on one frame
and the same is timed again (an incremental autosave). ``--with-media`` keeps the session's
lazy media (no source file): it is left out of the autosave with a warning when larger than
2 GB or a quarter of the free space. The autosave folder is a temporary
folder under ``--dir`` (default: the system's), deleted at the end.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.workflow import autosave
from napari_whiskertoolbox.workflow.autosave import Autosaver

sys.path.insert(0, str(Path(__file__).parent))
from _stalls import StallMeter
from bench_frame_step import build_session


class _Session:
    """What the Autosaver reads of a viewer session: its DataManager and path."""

    def __init__(self, dm) -> None:
        self.dm = dm
        self.path = None
        self.viewer = None


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def idle_stall(app: QApplication, seconds: float = 2.0) -> float:
    """Return the longest gap between turns of the same 1 ms timer with nothing written."""
    meter = StallMeter()
    meter.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.0005)
    meter.stop()
    return meter.longest_s


def timed_autosave(app: QApplication, saver: Autosaver) -> dict[str, float]:
    """Time one autosave: main-thread call, then until complete, with the longest stall."""
    meter = StallMeter()
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    folder = saver.autosave_now()
    call_wall, call_cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
    meter.start()
    busy = getattr(saver, "busy", lambda: False)
    while busy():
        app.processEvents()
        time.sleep(0.0005)
    meter.stop()
    app.processEvents()
    total = time.perf_counter() - wall0
    assert folder is not None
    assert (folder / "recovery.json").is_file()
    return {
        "call_wall": call_wall,
        "call_cpu": call_cpu,
        "total": total,
        "stall": max(call_wall, meter.longest_s),
        "mb": _folder_bytes(folder) / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary root goes")
    parser.add_argument(
        "--with-media",
        action="store_true",
        help="keep the session's lazy 640x480 media (no file: 61 GB of frames at 200k frames)",
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    autosave.show_warning = lambda message: print(f"warning: {message}")  # no viewer shows it
    dm = build_session(args.frames)
    if not args.with_media:
        dm.delete_data("media")
    root = Path(tempfile.mkdtemp(prefix="bench_autosave_", dir=args.dir))
    try:
        saver = Autosaver(_Session(dm), interval_s=3600, root=root)
        saver._on_edit("whiskers")  # as the DataManager's signal would: there are edits
        first = timed_autosave(app, saver)
        dm.get_data("nose").set_frame(1234, np.array([[10.0, 20.0]], dtype=np.float32))
        app.processEvents()
        edit = timed_autosave(app, saver)
        saver.stop()
        idle = idle_stall(app)
        print(f"session: {args.frames} frames, autosave {first['mb']:.0f} MB on disk")
        print(f"longest stall of the same timer with nothing written: {idle * 1e3:.1f} ms")
        print(
            "                       main-thread wall  main-thread CPU  longest stall  until on disk"
        )
        for name, row in (("first autosave", first), ("after a 1-frame edit", edit)):
            print(
                f"{name:22s} {row['call_wall'] * 1e3:12.1f} ms {row['call_cpu'] * 1e3:12.1f} ms"
                f" {row['stall'] * 1e3:10.1f} ms {row['total']:11.2f} s"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
