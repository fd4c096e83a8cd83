"""Annotation-key costs on a 200,000-frame session: data-frame jumps and copy-previous.

Run: ``.venv/bin/python benchmarks/bench_navigation.py`` (prints milliseconds per call).
Qt-free: measures the pure navigation rules and the DataManager work behind the keys.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core import DataManager, LineData, TimeFrame
from napari_whiskertoolbox.workflow import navigation

if TYPE_CHECKING:
    from collections.abc import Callable

N_FRAMES = 200_000
LINES_PER_FRAME = 5
POINTS_PER_LINE = 50


def _per_call_ms(func: Callable[[], object], repeats: int = 200) -> float:
    func()
    start = time.perf_counter()
    for _ in range(repeats):
        func()
    return (time.perf_counter() - start) / repeats * 1e3


def _annotated_lines(rng: np.random.Generator) -> tuple[LineData, np.ndarray]:
    frames = np.sort(rng.choice(N_FRAMES, size=N_FRAMES * 9 // 10, replace=False))
    times = np.repeat(frames, LINES_PER_FRAME)
    offsets = np.arange(times.size + 1, dtype=np.int64) * POINTS_PER_LINE
    coords = rng.random((int(offsets[-1]), 2), dtype=np.float32) * 640
    return LineData.from_flat(times, coords, offsets=offsets), frames


def main() -> None:
    rng = np.random.default_rng(0)
    lines, frames = _annotated_lines(rng)
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(N_FRAMES))
    dm.set_data("whiskers", lines, "time")
    print(
        f"session: {N_FRAMES:,} frames, {frames.size:,} annotated, "
        f"{LINES_PER_FRAME} lines x {POINTS_PER_LINE} points per frame"
    )

    times = lines.times_with_data()
    middle = N_FRAMES // 2
    figures = {
        "times_with_data() (key -> frames)": _per_call_ms(lines.times_with_data, 20),
        "next frame with data": _per_call_ms(
            lambda: navigation.next_frame_with_data(times, middle)
        ),
        "previous frame with data": _per_call_ms(
            lambda: navigation.previous_frame_with_data(times, middle)
        ),
        "next frame without data": _per_call_ms(
            lambda: navigation.next_frame_without_data(times, middle, N_FRAMES)
        ),
    }
    empty = int(np.setdiff1d(np.arange(N_FRAMES), frames)[N_FRAMES // 40])
    source = navigation.previous_frame_with_data(times, empty)

    def copy_previous() -> None:
        lines.set_frame(empty, [np.array(line) for line in lines.at(source)])

    figures["copy previous frame (5 lines, undoable)"] = _per_call_ms(copy_previous, 50)
    figures["undo + redo of that copy"] = _per_call_ms(lambda: (dm.undo(), dm.redo()), 50)
    for name, ms in figures.items():
        print(f"{name:42s} {ms:8.3f} ms")


if __name__ == "__main__":
    main()
