"""A file opened into a session at another tick rate keeps every time of both sides.

Both go on a common multiple of their rates (:func:`~.io.tick_rate.common_multiple`), the
rule NWB import applies inside one file; were: the finer of the two rates, at which the
other side's samples are no whole ticks (a 30 kHz sample at 1e7 Hz is 333.3 ticks).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pytest

from _nwb_files import START
from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.clock_alignment import join_clocks, joint_rate, on_one_rate
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.tick_rate import MAX_TICK

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("pynwb")

STAMPS = np.array([0.10001, 0.1234567, 0.5000333, 2.71828])  # 10 MHz decimals


def _seconds(dm: DataManager) -> dict[str, np.ndarray]:
    """``{clock: every time in seconds}`` of ``dm``'s clocks with a rate."""
    out = {}
    for name in dm.time_keys():
        clock = dm.get_time(name)
        if len(clock) and clock.sampling_rate is not None:
            out[name] = np.asarray(clock.times, np.float64) / clock.sampling_rate
    return out


def _nwb(path: Path, *series) -> Path:
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="t", identifier=path.stem, session_start_time=START)
    for s in series:
        nwbfile.add_acquisition(s)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return path


def _session(rate: float, n: int) -> DataManager:
    dm = DataManager()
    dm.set_time("ephys", TimeFrame.from_count(n, sampling_rate=rate))
    dm.set_data("lfp", AnalogTimeSeries(np.zeros(n, np.float32)), "ephys")
    return dm


def _stamped(tmp_path: Path) -> Path:
    from pynwb import TimeSeries

    licks = TimeSeries(name="licks", data=np.arange(4.0), timestamps=STAMPS, unit="a.u.")
    return _nwb(tmp_path / "licks.nwb", licks)


def test_a_10_mhz_nwb_file_beside_a_30_khz_session_keeps_every_time(tmp_path) -> None:
    dm = _session(30000.0, 90000)
    before = _seconds(dm)
    open_path(_stamped(tmp_path), dm)
    after = _seconds(dm)
    assert dm.get_time("ephys").sampling_rate == 3e7  # a common multiple, not 1e7
    np.testing.assert_array_equal(after["ephys"], before["ephys"])
    licks = dm.clock_of("licks")
    np.testing.assert_array_equal(np.asarray(licks.times) / licks.sampling_rate, STAMPS)
    assert dm.convert_index(0, dm.time_key("licks"), "ephys") == 3000  # 0.10001 s: sample 3000.3


def test_a_1_khz_signal_beside_a_30_fps_session_keeps_every_time(tmp_path) -> None:
    from pynwb import TimeSeries

    dm = DataManager()
    dm.set_time("camera", TimeFrame.from_count(300, sampling_rate=30.0))
    dm.set_data("whisker", AnalogTimeSeries(np.zeros(300, np.float32)), "camera")
    before = _seconds(dm)["camera"]
    emg = TimeSeries(name="emg", data=np.zeros(50), rate=1000.0, starting_time=0.25, unit="V")
    open_path(_nwb(tmp_path / "emg.nwb", emg), dm)
    assert dm.get_time("camera").sampling_rate == 3000.0
    np.testing.assert_array_equal(_seconds(dm)["camera"], before)
    emg_clock = dm.clock_of("emg")
    np.testing.assert_array_equal(emg_clock.times, 750 + 3 * np.arange(50))  # 0.25 s + k ms
    # frame 9 (0.3 s) is sample 50 past the signal's start... it has 50: the last one, 49
    assert dm.convert_index(9, "camera", dm.time_key("emg")) == 49


def test_joint_rate_is_a_common_multiple_or_names_what_it_rounds() -> None:
    video = TimeFrame.from_count(10, sampling_rate=29.97)
    ephys = TimeFrame.from_count(10, sampling_rate=30000.0)
    assert joint_rate({"v": video, "e": ephys}) == (29970000.0, [])
    # a rate given as an odd float: its common multiple with 30 kHz is beyond any tick count
    odd = TimeFrame.from_count(100, sampling_rate=30000.123456789)
    chosen = joint_rate({"odd": odd, "v": video})
    assert chosen.rate == 30000.123456789
    (name, error), *_ = chosen.inexact
    assert name == "v"
    assert 0 < error <= 0.5 / chosen.rate
    # within the cap: the ticks of the longest clock times the factor stay below 2**53
    long = TimeFrame.from_count(10**9, sampling_rate=30.0)
    assert joint_rate({"long": long, "e": ephys}).rate * (10**9 / 30.0) <= MAX_TICK


def test_a_file_no_exact_rate_holds_is_named_with_its_rounding_error(caplog) -> None:
    dm = _session(30000.123456789, 100)
    frames = TimeFrame.from_count(10, sampling_rate=30.0)
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        join_clocks(dm, [("frames", frames)], "clip.mp4")
    said = " ".join(r.getMessage() for r in caplog.records if "rounds" in r.getMessage())
    assert "clock 'frames (clip.mp4)' by up to" in said
    assert "30000.1 ticks per second" in said


def test_on_one_rate_puts_a_config_video_and_a_recording_on_a_common_multiple() -> None:
    video = TimeFrame.from_count(30, sampling_rate=30.0)
    ephys = TimeFrame.from_count(1000, sampling_rate=1000.0)
    clock, moved = on_one_rate(video, {"ephys": ephys})
    assert clock.sampling_rate == moved["ephys"].sampling_rate == 3000.0
    np.testing.assert_array_equal(np.asarray(clock.times) / 3000.0, np.arange(30) / 30.0)
    np.testing.assert_array_equal(
        np.asarray(moved["ephys"].times) / 3000.0, np.arange(1000) / 1000.0
    )


@pytest.mark.gui
def test_a_30_hz_nwb_file_opened_in_a_25_fps_video_window_keeps_every_time(
    make_napari_viewer, tmp_path, frame_number_video
) -> None:
    """Were: the window's frames went on 30 Hz ticks (frame 1 at 1/30 s, not 1/25 s)."""
    from pynwb import TimeSeries

    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    session.open(frame_number_video)  # 25 fps
    before = _seconds(session.dm)
    assert before["time"][:3].tolist() == [0.0, 0.04, 0.08]
    sensor = TimeSeries(name="sensor", data=np.arange(90.0), rate=30.0, unit="V")
    viewer.open(str(_nwb(tmp_path / "sensor.nwb", sensor)), plugin="napari-whiskertoolbox")
    dm = session.dm
    assert dm.get_time("time").sampling_rate == 150.0  # common multiple of 25 and 30
    np.testing.assert_array_equal(_seconds(dm)["time"], before["time"])
    clock = dm.clock_of("sensor")
    np.testing.assert_array_equal(clock.times, 5 * np.arange(90))  # k / 30 s
    viewer.dims.set_current_step(0, 25)  # frame 25: 1 s, sample 30 of the sensor
    assert dm.convert_index(viewer.dims.current_step[0], "time", dm.time_key("sensor")) == 30
    viewer.screenshot(str(tmp_path / "shot.png"), canvas_only=False)


def test_jittered_stamps_of_an_hour_get_a_fine_rate_within_the_cap(caplog) -> None:
    """3 GHz beside a 30 kHz series: int64 and float64 hold its ticks; a later clock whose
    common multiple with it would pass 2**53 ticks is rounded to it, with a warning."""
    from napari_whiskertoolbox.io.tick_rate import exact_tick_rate

    rng = np.random.default_rng(1)
    hour = np.sort(rng.uniform(0, 3600, 2000))  # 17 significant digits
    chosen = exact_tick_rate([30000.0], [("jitter", hour)], 1000.0)
    assert chosen.rate == 3e9
    assert chosen.rate * 3600 <= MAX_TICK
    ((name, error),) = chosen.inexact
    assert name == "jitter"
    assert error <= 0.5 / chosen.rate * 1.01
    months = hour * 2400  # 100 days: 3 GHz would count past 2**53
    assert exact_tick_rate([30000.0], [("jitter", months)], 1000.0).rate * months.max() <= MAX_TICK
    # a 29.97 fps video joining that hour: 2.997 THz would count past 2**53 ticks
    dm = DataManager()
    dm.set_time("jitter", TimeFrame(np.rint(hour * 3e9).astype(np.int64), sampling_rate=3e9))
    ticks = np.asarray(dm.get_time("jitter").times).copy()
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        join_clocks(dm, [("video", TimeFrame.from_count(1000, sampling_rate=29.97))], "v.mp4")
    assert dm.get_time("jitter").sampling_rate == 3e9
    np.testing.assert_array_equal(dm.get_time("jitter").times, ticks)
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "clock 'video (v.mp4)' by up to" in said
    video = dm.get_time("video")
    error = np.abs(np.asarray(video.times) / 3e9 - np.arange(1000) / 29.97).max()
    assert 0 < error <= 0.5 / 3e9 * 1.01
