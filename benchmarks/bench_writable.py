"""Shared writable arrays: ``with series.writable() as arr: arr *= 2`` against numpy and a copy.

Run: ``.venv/bin/python benchmarks/bench_writable.py [--samples 10000000] [--repeat 5]``.

Prints the best-of-``repeat`` wall time of doubling an analog series of ``samples`` float32
values

- with plain numpy on an array (the floor),
- copying the array into fresh memory that stays allocated, as an undo step's copy of the
  old values does (the floor of a recorded edit: on virtual machines that hand freed
  memory back to the host, first touching fresh memory costs far more than the copy),
- in a ``writable()`` block of a standalone series (nothing recorded: no copy at all),
- in a ``writable()`` block of a series stored in a DataManager (one undo step: a snapshot
  taken on entry and a comparison on exit, to know the samples touched),
- by copying: ``dm.set_data(key, AnalogTimeSeries(series.values * 2))`` (the way without
  writable arrays),

and the undo of the stored edit, plus the extra memory each way allocates (tracemalloc peak).
Prints figures only; never asserts.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager

if TYPE_CHECKING:
    from collections.abc import Callable

MB = 1 << 20


def best(
    fn: Callable[[], object], repeat: int, release: Callable[[], object] | None = None
) -> tuple[float, float]:
    """Return (best wall seconds, peak traced MB of one run).

    ``release`` (untimed, after each run) frees what the run kept, as a bounded undo
    history does, so every run allocates its copy as a long session would.
    """
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
        if release is not None:
            release()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if release is not None:
        release()
    return min(times), peak / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n, repeat = args.samples, args.repeat
    values = np.random.default_rng(0).normal(size=n).astype(np.float32)
    print(f"doubling {n:,} float32 samples ({values.nbytes / MB:.0f} MB), best of {repeat}")

    plain = values.copy()

    def numpy_in_place() -> None:
        plain[...] *= 2

    kept: list[np.ndarray] = []

    def numpy_copy_kept() -> None:
        kept.append(plain.copy())

    standalone = AnalogTimeSeries(values)

    def writable_standalone() -> None:
        with standalone.writable() as arr:
            arr *= 2

    dm = DataManager()
    stored = AnalogTimeSeries(values)
    dm.set_data("signal", stored)

    def writable_in_dm() -> None:
        with stored.writable() as arr:
            arr *= 2

    dm.set_data("copied", AnalogTimeSeries(values))

    def copy_and_store() -> None:
        dm.set_data("copied", AnalogTimeSeries(dm.get_data("copied").values * 2))

    rows = [
        ("numpy a *= 2 (floor)", numpy_in_place, None),
        ("numpy copy, kept (undo's floor)", numpy_copy_kept, kept.clear),
        ("writable(), standalone", writable_standalone, None),
        ("writable(), in dm (1 undo step)", writable_in_dm, dm.undo),
        ("copy + dm.set_data", copy_and_store, dm.undo),
    ]
    floor = None
    measured = {}
    for label, fn, release in rows:
        seconds, peak = best(fn, repeat, release)
        floor = floor or seconds
        measured[fn] = seconds
        print(f"  {label:<34} {seconds * 1e3:8.1f} ms  x{seconds / floor:5.1f}  +{peak:6.1f} MB")
    floor_recorded = measured[numpy_copy_kept] + measured[numpy_in_place]
    print(
        "  writable() in dm / (numpy copy kept + a *= 2): "
        f"{measured[writable_in_dm] / floor_recorded:.2f}x"
    )
    for label, changed in (
        ("every sample", slice(None)),
        ("1% of the samples", slice(0, n // 100)),
    ):
        with stored.writable() as arr:
            arr[changed] *= 2
        started = time.perf_counter()
        dm.undo()
        undo = time.perf_counter() - started
        started = time.perf_counter()
        dm.redo()
        redo = time.perf_counter() - started
        print(
            f"  undo / redo of a writable() step changing {label}: {undo * 1e3:.1f} / {redo * 1e3:.1f} ms"
        )
    with stored.writable() as arr:
        shared = np.shares_memory(arr, stored.values)
    print(f"  zero-copy: np.shares_memory(arr, series.values) is {shared}")


if __name__ == "__main__":
    main()
