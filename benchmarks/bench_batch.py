"""Batch benchmark: 100 synthetic sessions, sequential loop vs run_batch with 1 and 2 workers.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--sessions 100] [--frames 1000]``.

Each session is the sample generator's session (``make_sample_session``, a different seed
each; the video is left out so 100 sessions fit on disk) saved as a session folder. The
task, on each session: whisker angle from the traced lines (``CalculateLineAngle``,
polynomial fit), protraction intervals from a threshold (``AnalogIntervalThreshold``),
and a per-session summary (mean/max angle, number and fraction of protractions); the
session is saved with the new keys and a completion marker, as in any batch.

Figures, next to the goals of issue 12:

* speedup of ``run_batch`` with 2 workers over the sequential loop (goal >= 1.7x on this
  2-core machine; the loop runs the very same per-session function in this process);
* scheduling overhead: batch wall time with 1 worker minus the time workers spent in
  sessions, as a share of that task time (goal <= 5 %); cluster start-up is shown apart;
* memory per worker: each session's peak RSS in its worker (the kernel's high-water mark,
  reset per session), early vs late sessions, against the size of one session's data
  (goal: bounded by one session, not growing with the number of sessions).

Saving a session fsyncs every file (atomic saves), so on a busy disk sessions wait for the
disk and more workers cannot help; ``--tmp /dev/shm`` measures the CPU side alone.
Prints figures only; never asserts. The machine is shared: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.batch import SESSIONS_DIR, as_task, run_batch, start_client
from napari_whiskertoolbox.batch.worker import SessionJob, run_session
from napari_whiskertoolbox.io import load_session, save_session
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.transforms import run_transform

if TYPE_CHECKING:
    from napari_whiskertoolbox.batch import BatchReport, SessionRecord
    from napari_whiskertoolbox.core import DataManager

MB = 1 << 20


def whisker_summary(dm: DataManager, threshold: float = 10.0) -> dict[str, float]:
    """Run the per-session task: angle from lines, intervals from a threshold, a summary.

    The sample session has several whiskers a frame: the threshold runs on the frame's
    summed angle (``SumReduction``), as threshold transforms refuse a ragged key.
    """
    run_transform(dm, "CalculateLineAngle", "whiskers", "angle", params={"method": "PolynomialFit"})
    # one angle a whisker: the threshold walks one value a frame (their sum)
    run_transform(dm, "SumReduction", "angle", "angle_sum")
    run_transform(
        dm,
        "AnalogIntervalThreshold",
        "angle_sum",
        "protracted",
        params={"threshold_value": threshold},
    )
    angle = dm.get_data("angle").values
    intervals = dm.get_data("protracted").intervals
    frames = len(dm.get_time("camera"))
    covered = int((intervals[:, 1] - intervals[:, 0] + 1).sum()) if len(intervals) else 0
    return {
        "mean_angle": float(angle.mean()),
        "max_angle": float(angle.max()),
        "n_protractions": len(intervals),
        "protracted_fraction": covered / frames,
    }


def make_sessions(root: Path, n: int, frames: int) -> list[Path]:
    paths = []
    for seed in range(n):
        dm = make_sample_session(frames, seed=seed)
        dm.delete_data("media")
        paths.append(save_session(dm, root / f"s{seed:03d}.session").parent)
    return paths


def session_bytes(path: Path) -> int:
    """Bytes of one loaded session's arrays (its protocol-5 out-of-band buffers)."""
    buffers: list[pickle.PickleBuffer] = []
    pickle.dumps(load_session(path), protocol=5, buffer_callback=buffers.append)
    return sum(b.raw().nbytes for b in buffers)


def sequential(paths: list[Path], out: Path) -> tuple[float, list[SessionRecord]]:
    task = as_task(whisker_summary)
    fingerprint = task.fingerprint()
    started = time.perf_counter()
    records = [
        run_session(SessionJob(i, p, p.stem, out / SESSIONS_DIR / p.stem, task, fingerprint))
        for i, p in enumerate(paths)
    ]
    return time.perf_counter() - started, records


def _worker_rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / MB


def batch(paths: list[Path], out: Path, workers: int) -> tuple[float, float, BatchReport, float]:
    started = time.perf_counter()
    client = start_client(n_workers=workers)
    client.client.wait_for_workers(workers)
    # import the task's modules once per worker, like any long-lived cluster has
    client.client.run(lambda: __import__("napari_whiskertoolbox.transforms"))
    baseline = max(client.client.run(_worker_rss_mb).values())
    startup = time.perf_counter() - started
    try:
        started = time.perf_counter()
        report = run_batch(whisker_summary, paths, client=client.client, out=out, resume=False)
        elapsed = time.perf_counter() - started
    finally:
        client.close()
    return startup, elapsed, report, baseline


def memory_figures(records: list[SessionRecord]) -> tuple[float, float, float]:
    peaks = [r.peak_memory_mb or 0.0 for r in records]
    k = max(1, len(peaks) // 10)
    return statistics.median(peaks), statistics.median(peaks[:k]), statistics.median(peaks[-k:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument(
        "--tmp",
        help="folder for the sessions and outputs (e.g. /dev/shm to take the disk's fsync "
        "latency out of the figures); default: the system's temporary folder",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wtb-bench-batch-", dir=options.tmp) as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        paths = make_sessions(root / "data", options.sessions, options.frames)
        print(
            f"{len(paths)} sessions of {options.frames} frames "
            f"({session_bytes(paths[0]) / MB:.1f} MiB of arrays each) built in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        # warm this process's imports the way the workers' are warmed
        whisker_summary(load_session(paths[0]))

        print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        t_seq, seq_records = sequential(paths, root / "seq")
        work_seq = sum(r.duration_s for r in seq_records)
        shutil.rmtree(root / "seq")
        assert all(r.status == "done" for r in seq_records), seq_records[0].error
        rows = [("sequential loop", 0.0, t_seq, work_seq, seq_records)]
        baselines = {}
        for workers in (1, 2):
            startup, elapsed, report, baselines[workers] = batch(
                paths, root / f"batch{workers}", workers
            )
            assert report.ok, report.summary()
            rows.append(
                (
                    f"run_batch, {workers} worker{'s' * (workers > 1)}",
                    startup,
                    elapsed,
                    sum(r.duration_s for r in report.records),
                    report.records,
                )
            )
            seq_mean = [r.results["mean_angle"] for r in seq_records]
            batch_mean = [r.results["mean_angle"] for r in report.records]
            np.testing.assert_allclose(batch_mean, seq_mean)  # same work, same results
            shutil.rmtree(root / f"batch{workers}")

        t_seq_after, _ = sequential(paths, root / "seq")  # the machine's load drifts
        shutil.rmtree(root / "seq")
        print(
            f"\nsequential loop again after the batches: {t_seq_after:.2f} s "
            f"({t_seq_after / t_seq:.2f}x the first run; speedups below use the first)"
        )
        print(
            f"\n{'mode':<22} {'start-up':>9} {'wall':>8} {'in sessions':>12} {'per session':>12} "
            f"{'speedup':>8} {'overhead':>9}"
        )
        for name, startup, wall, work, _ in rows:
            speedup = t_seq / wall
            overhead = (wall - work) / work if name.endswith("1 worker") else None
            print(
                f"{name:<22} {startup:>8.2f}s {wall:>7.2f}s {work:>11.2f}s "
                f"{1000 * work / len(paths):>10.1f}ms {speedup:>7.2f}x "
                + (f"{100 * overhead:>8.1f}%" if overhead is not None else f"{'':>9}")
            )
        print("goals: speedup with 2 workers >= 1.70x; overhead with 1 worker <= 5 %")
        print(f"load average after the runs: {os.getloadavg()[0]:.1f}")

        print(
            f"\n{'peak RSS of a worker per session':<32} {'idle':>7} {'median':>8} "
            f"{'first 10%':>10} {'last 10%':>9}"
        )
        for (name, _, _, _, records), workers in zip(rows[1:], (1, 2)):
            median, early, late = memory_figures(records)
            print(
                f"{name:<32} {baselines[workers]:>5.0f}MB {median:>6.0f}MB {early:>8.0f}MB "
                f"{late:>7.0f}MB"
            )
        print(
            f"one session's arrays: {session_bytes(paths[0]) / MB:.1f} MiB; goal: the per-session "
            "peak stays flat from the first to the last session (nothing accumulates)"
        )


if __name__ == "__main__":
    main()
