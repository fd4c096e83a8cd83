"""Stream processors over a memory-mapped multi-channel recording: throughput and peak memory.

Run: ``.venv/bin/python benchmarks/bench_processors.py [--minutes 60] [--channels 32]
[--rate 30000] [--chunk-seconds 1] [--folder DIR] [--passthrough]``.

Writes an interleaved int16 recording (``minutes`` × ``channels`` × ``rate``; the default
is 1 hour, 32 channels, 30 kHz: 6.9 GB) to ``--folder`` (a temporary folder by default,
deleted afterwards), maps it with the session loader's reader (nothing is read), and runs
the band-pass template processor (and with ``--passthrough`` a processor that returns its
input, i.e. the framework's own cost) with ``run_processor``. The outputs (float32, twice
the file) go to memory-mapped files that vanish with the series.

Prints wall and CPU time, throughput in samples per second (all channels), the peak of
anonymous memory (RssAnon, sampled every 20 ms: what the run holds in RAM, page cache of
the mapped files excluded) above the level before the run, and whether the input was ever
read whole (``is_materialized``). Prints figures only; never asserts.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, TimeFrame
from napari_whiskertoolbox.io.analog import map_analog_binary
from napari_whiskertoolbox.scripting.processors import module_from_source, run_processor
from napari_whiskertoolbox.scripting.templates import load_template

MB = 1 << 20
PASSTHROUGH = (
    "class PyProcessor:\n"
    "    def __init__(self, processor, num_channels, sample_rate): pass\n"
    "    def process(self, data): return data\n"
)


def rss_anon() -> int:
    """Anonymous resident memory of this process in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakSampler:
    """Samples RssAnon on a thread; ``peak`` is the highest value seen."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self.peak = rss_anon()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak = max(self.peak, rss_anon())

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_anon())


def write_recording(path: Path, n: int, channels: int, rate: float) -> float:
    """Write ``n`` interleaved int16 frames of ``channels`` (noise + a 50 Hz hum + spikes)."""
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    block = int(10 * rate)
    hum = (200 * np.sin(2 * np.pi * 50 * np.arange(block) / rate)).astype(np.int16)
    with path.open("wb") as handle:
        for start in range(0, n, block):
            length = min(block, n - start)
            frames = rng.integers(-300, 300, (length, channels), dtype=np.int16)
            frames += hum[:length, None]
            frames[rng.integers(0, length, 20)] += 3000
            frames.tofile(handle)
    return time.perf_counter() - started


def session_over(path: Path, n: int, channels: int, rate: float) -> tuple[DataManager, list[str]]:
    raw = map_analog_binary(path, num_channels=channels)
    assert raw.shape == (n, channels)
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(n, sampling_rate=rate))
    keys = [f"ch{c:02d}" for c in range(channels)]
    for c, key in enumerate(keys):
        dm.set_data(key, AnalogTimeSeries.from_raw(raw[c], scale=0.195))
    return dm, keys


def bench(label: str, source: str, dm: DataManager, keys: list[str], chunk_s: float) -> None:
    module = module_from_source(source, label)
    base = rss_anon()
    cpu = time.process_time()
    with PeakSampler() as sampler:
        result = run_processor(dm, module, keys, chunk_seconds=chunk_s, output_prefix=f"{label}_")
    cpu = time.process_time() - cpu
    out = dm.get_data(f"{label}_{keys[-1]}").values
    tail = float(np.abs(out[-1000:]).mean())
    read_whole = any(dm.get_data(k).is_materialized for k in keys)
    print(
        f"  {label:<12} wall {result.seconds:7.1f} s  cpu {cpu:7.1f} s  "
        f"{result.samples_per_second / 1e6:7.1f} M samples/s  "
        f"peak RssAnon +{(sampler.peak - base) / MB:6.1f} MB  "
        f"chunk {result.chunk_samples:,} x {len(keys)} ch = "
        f"{result.chunk_samples * len(keys) * 4 / MB:.1f} MB float32  "
        f"input read whole: {read_whole}  (tail |mean| {tail:.2f})"
    )
    for key in result.analog_keys:
        dm.delete_data(key)
    dm.history.clear()  # let the memory-mapped outputs go


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--rate", type=float, default=30_000.0)
    parser.add_argument("--chunk-seconds", type=float, default=1.0)
    parser.add_argument("--folder", type=Path, help="where to write the recording (kept)")
    parser.add_argument("--passthrough", action="store_true", help="also time a no-op processor")
    args = parser.parse_args()
    n = int(args.minutes * 60 * args.rate)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="wtb-bench-processors-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rec_{args.channels}ch.bin"
    size = n * args.channels * 2
    print(
        f"recording: {args.minutes:g} min x {args.channels} channels x {args.rate:g} Hz int16 = "
        f"{n:,} samples/channel, {size / 2**30:.2f} GiB"
    )
    try:
        if not path.exists() or path.stat().st_size != size:
            print(f"  written in {write_recording(path, n, args.channels, args.rate):.1f} s")
        dm, keys = session_over(path, n, args.channels, args.rate)
        if args.passthrough:
            bench("passthrough", PASSTHROUGH, dm, keys, args.chunk_seconds)
        bench(
            "bandpass", load_template("Stream processor: band-pass"), dm, keys, args.chunk_seconds
        )
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
