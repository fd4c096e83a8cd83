"""A session whose clock counts 2e9 ticks saves, exports and aligns without its 16 GB of times.

A counting clock (``TimeFrame.from_count``) or a regular one (``TimeFrame.regular``) stores
three numbers; these tests check that no writer or aligner builds its ``times`` array, by
the peak of Python's traced allocations (numpy reports its buffers to tracemalloc): 16 GB
of ticks would show as a peak of gigabytes.
"""

from __future__ import annotations

import contextlib
import json
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.clock_alignment import join_clocks, rescaled
from napari_whiskertoolbox.io.session import load_session, save_session

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

N = 2_000_000_000
RATE = 30_000.0
PEAK_LIMIT = 64 * 2**20  # bytes: far above what these writers need, far below 16 GB


def _long_session() -> DataManager:
    """Spikes as sample numbers of a 2e9-sample recording at 30 kHz, on its counting clock."""
    dm = DataManager()
    dm.set_time("ephys", TimeFrame.from_count(N, RATE))
    dm.set_data("spikes", DigitalEventSeries([5, 1_000_000, N - 1]), "ephys")
    return dm


def _peak(run: Callable[[], Any]) -> tuple[Any, int]:
    """Return ``run()`` and the peak of traced allocations while it ran (bytes)."""
    tracemalloc.start()
    try:
        out = run()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(autouse=True)
def _capped() -> Iterator[None]:
    """Cap the address space at its present size + 2 GiB during each test.

    Code that does build 16 GB of ticks then fails with MemoryError instead of exhausting
    the machine's memory (and the memory of every process beside the tests).
    """
    with _address_space_cap(2 * 2**30):
        yield


@contextlib.contextmanager
def _address_space_cap(extra: int) -> Iterator[None]:
    """Limit the process's virtual memory to its present size + ``extra`` bytes (Linux)."""
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (ImportError, OSError):
        yield  # no cap elsewhere: the peak assertion still fails, later
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = pages * resource.getpagesize() + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_a_long_counting_clock_is_rescaled_without_its_times() -> None:
    clock, peak = _peak(lambda: rescaled(TimeFrame.from_count(N, RATE), 40_000.0))
    assert peak < PEAK_LIMIT
    assert clock._times is None
    assert clock.regular_form == (0.0, 4 / 3)
    assert clock.sampling_rate == 40_000.0
    assert clock.time_at_index(3) == 4
    assert clock.time_at_index(N - 1) == round((N - 1) * 4 / 3)


def test_a_finer_file_joins_a_long_session_without_its_times() -> None:
    dm = _long_session()
    fine = TimeFrame.from_count(10, 40_000.0)
    _, peak = _peak(lambda: join_clocks(dm, [("fine", fine)], "test"))
    assert peak < PEAK_LIMIT
    ephys = dm.get_time("ephys")
    assert ephys._times is None
    assert ephys.sampling_rate == 120_000.0  # a common multiple of 30 and 40 kHz
    # sample 3 of the 30 kHz recording is at 0.1 ms: tick 4 of the 40 kHz file
    assert dm.convert_index(3, "ephys", "fine") == 4
    assert ephys.seconds_at_index(N - 1) == pytest.approx((N - 1) / RATE)


def test_a_long_session_sets_a_rate_without_its_times() -> None:
    dm = _long_session()
    _, peak = _peak(lambda: dm.set_sampling_rate("ephys", 20_000.0))
    assert peak < PEAK_LIMIT
    assert dm.get_time("ephys").is_counting
    assert dm.get_time("ephys").sampling_rate == 20_000.0


def test_a_long_session_saves_and_loads_without_its_times(tmp_path: Path) -> None:
    dm = _long_session()
    join_clocks(dm, [("fine", TimeFrame.from_count(10, 40_000.0))], "test")  # now regular
    _, peak = _peak(lambda: save_session(dm, tmp_path / "s"))
    assert peak < PEAK_LIMIT
    back, peak = _peak(lambda: load_session(tmp_path / "s"))
    assert peak < PEAK_LIMIT
    assert back.get_time("ephys") == dm.get_time("ephys")
    assert back.get_time("ephys")._times is None
    np.testing.assert_array_equal(back.get_data("spikes").times, [5, 1_000_000, N - 1])


def test_a_long_session_exports_to_nwb_without_its_times(tmp_path: Path) -> None:
    pynwb = pytest.importorskip("pynwb")
    from napari_whiskertoolbox.io.nwb_export import export_nwb
    from napari_whiskertoolbox.io.routing import open_path

    warm = DataManager()
    warm.set_data("e", DigitalEventSeries([1]))
    export_nwb(warm, tmp_path / "warm.nwb", sampling_rate=RATE)  # pynwb's imports: not measured
    dm = _long_session()
    join_clocks(dm, [("fine", TimeFrame.from_count(10, 40_000.0))], "test")  # now regular
    path = tmp_path / "long.nwb"
    _, peak = _peak(lambda: export_nwb(dm, path))
    assert peak < PEAK_LIMIT
    back = open_path(path).dm
    assert back.get_time("ephys") == dm.get_time("ephys")
    assert back.get_time("ephys")._times is None
    np.testing.assert_array_equal(back.get_data("spikes").times, [5, 1_000_000, N - 1])
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        table = io.read().processing["whiskertoolbox"]["clock_ephys"]
        info = json.loads(table.description)
        assert "ticks" not in table.colnames  # no ticks stored: the rate form, one row
        assert len(table) == 1
        assert int(table["count"][0]) == N
    assert info["count"] == N
    assert info["rate"] == pytest.approx(RATE)  # samples per second
    assert info["starting_time"] == 0.0


def test_event_transforms_look_up_ticks_of_a_long_clock_without_its_times() -> None:
    from napari_whiskertoolbox.transforms.intervals import ticks_of

    clock = TimeFrame.regular(N, 4 / 3, 60_000.0, 40_000.0)  # a recording from tick 60000
    ticks, peak = _peak(lambda: ticks_of(np.array([0, 3, N - 1]), clock, "test"))
    assert peak < PEAK_LIMIT
    np.testing.assert_array_equal(ticks, [60_000, 60_004, round(60_000 + (N - 1) * 4 / 3)])
