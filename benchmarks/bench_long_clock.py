"""Memory and time of aligning, saving and exporting a session with a 2e9-tick clock.

Run::

    .venv/bin/python benchmarks/bench_long_clock.py [--ticks 2000000000]

A session holds three spikes as sample numbers of a 30 kHz recording on its counting clock
(``TimeFrame.from_count``: stores only its length). Each step is timed and its peak of
traced allocations (numpy reports its buffers to tracemalloc) printed: rescaling the clock
to 40 kHz, a 40 kHz file joining the session (the session's clock is rescaled), setting a
rate, saving and loading the session, exporting it to NWB and opening the export. For
comparison, the same peak for building the clock's ``times`` array of a clock 1000 times
shorter, in the same run (the full clock's would be 1000 times that).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, TimeFrame
from napari_whiskertoolbox.io.clock_alignment import join_clocks, rescaled
from napari_whiskertoolbox.io.session import load_session, save_session

RATE = 30_000.0


def measure(label: str, run: Any) -> Any:
    """Run ``run()``; print its seconds and peak of traced allocations; return its result."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        out = run()
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"{label:<44} {seconds:8.3f} s   peak {peak / 2**20:9.2f} MiB")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ticks", type=int, default=2_000_000_000)
    n = parser.parse_args().ticks
    dm = DataManager()
    dm.set_time("ephys", TimeFrame.from_count(n, RATE))
    dm.set_data("spikes", DigitalEventSeries([5, n // 2, n - 1]), "ephys")
    print(f"clock of {n} ticks ({n * 8 / 2**30:.1f} GiB as an int64 array)")
    measure("rescale 30 kHz -> 40 kHz", lambda: rescaled(dm.get_time("ephys"), 40_000.0))
    fine = [("fine", TimeFrame.from_count(10, 40_000.0))]
    measure("a 40 kHz file joins (session rescaled)", lambda: join_clocks(dm, fine, "bench"))
    measure("set_sampling_rate", lambda: dm.set_sampling_rate("fine", 40_000.0))
    with tempfile.TemporaryDirectory() as folder:
        measure("save_session", lambda: save_session(dm, Path(folder) / "s"))
        measure("load_session (first: imports)", lambda: load_session(Path(folder) / "s"))
        measure("load_session", lambda: load_session(Path(folder) / "s"))
        try:
            from napari_whiskertoolbox.io.nwb_export import export_nwb
            from napari_whiskertoolbox.io.routing import open_path
        except ImportError:
            return
        warm = DataManager()
        warm.set_data("e", DigitalEventSeries([1]))
        export_nwb(warm, Path(folder) / "warm.nwb", sampling_rate=RATE)  # pynwb's imports
        measure("export_nwb", lambda: export_nwb(dm, Path(folder) / "x.nwb"))
        measure("open the NWB export", lambda: open_path(Path(folder) / "x.nwb"))
    short = TimeFrame.from_count(n // 1000)
    measure(f"for comparison: times of {n // 1000} ticks", lambda: short.times)


if __name__ == "__main__":
    main()
