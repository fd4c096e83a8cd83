"""A config's video gives its ``time`` clock the video's frame rate (README, "Opening a second
file into a session lines the clocks up in seconds"), so seconds and conversions to clocks
with a rate work as they do for a video opened on its own."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.core.rate_hint import missing_rate_hint
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.clock_alignment import on_one_rate
from napari_whiskertoolbox.io.report import LoadReport
from napari_whiskertoolbox.io.routing import open_path

VIDEO = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "whiskertoolbox"
    / "Media"
    / "test_each_frame_number.mp4"
)
FPS = 25.0  # the fixture video's frame rate
N_FRAMES = 1000


def _config(tmp_path: Path, items: list[dict], name: str = "exp.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _video(name: str = "media", **extra: object) -> dict:
    return {"data_type": "video", "name": name, "filepath": str(VIDEO), **extra}


def test_a_config_video_clock_counts_its_frames_at_the_video_frame_rate(tmp_path) -> None:
    dm = load_config(_config(tmp_path, [_video()]))
    clock = dm.get_time("time")
    assert clock.sampling_rate == FPS
    np.testing.assert_array_equal(clock.times, np.arange(N_FRAMES))  # WhiskerToolbox's ticks
    assert clock.seconds_at_index(50) == pytest.approx(2.0)
    # the same clock a video opened on its own gets
    alone = DataManager()
    open_path(VIDEO, alone)
    assert alone.get_time("time") == clock


def test_frames_convert_to_a_config_clock_with_a_rate_in_seconds(tmp_path, caplog) -> None:
    """Frame 20 of the 25 fps video is sample 24000 of a 30 kHz clock the config defines."""
    items = [
        {
            "data_type": "time",
            "name": "daq",
            "format": "count",
            "count": 400_000,
            "sampling_rate": 30_000,
        },
        _video(),
    ]
    report = LoadReport()
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        dm = load_config(_config(tmp_path, items), report=report)
    assert dm.convert_index(20, "time", "daq") == 24_000
    assert dm.convert_index(24_000, "daq", "time") == 20
    assert dm.get_time("time").seconds_at_index(20) == pytest.approx(0.8)
    assert dm.get_time("daq").seconds_at_index(24_000) == pytest.approx(0.8)
    np.testing.assert_array_equal(dm.get_time("daq").times[:3], [0, 1, 2])  # as the config says
    (note,) = report.of_kind("clock")
    assert "25 fps" in note.message
    assert "'daq'" in note.message
    assert note.message in dm.metadata["sources"]["media"]["notes"][0]


def test_a_finer_video_rescales_the_config_s_other_clocks_by_one_factor(tmp_path) -> None:
    items = [
        {"data_type": "time", "name": "slow", "format": "count", "count": 100, "sampling_rate": 5},
        {
            "data_type": "time",
            "name": "slow2",
            "format": "count",
            "count": 50,
            "tick_step": 2,
            "sampling_rate": 5,
        },
        _video(),
    ]
    dm = load_config(_config(tmp_path, items))
    assert dm.get_time("time").sampling_rate == FPS
    assert dm.get_time("slow").sampling_rate == FPS
    assert dm.convert_index(3, "slow2", "slow") == 6  # unchanged between the config's clocks
    assert dm.convert_index(1, "slow", "time") == 5  # 0.2 s is frame 5


def test_clocks_without_a_rate_are_compared_tick_for_tick_as_in_whiskertoolbox(tmp_path) -> None:
    items = [{"data_type": "time", "name": "daq", "format": "count", "count": 5000}, _video()]
    report = LoadReport()
    dm = load_config(_config(tmp_path, items), report=report)
    assert dm.get_time("time").sampling_rate == FPS
    np.testing.assert_array_equal(dm.get_time("time").times, np.arange(N_FRAMES))
    assert dm.convert_index(20, "time", "daq") == 20
    assert report.of_kind("clock") == []  # a WhiskerToolbox config: nothing to say


def test_a_video_the_config_puts_on_its_own_clock_leaves_that_clock_as_given(tmp_path) -> None:
    items = [
        {"data_type": "time", "name": "cam", "format": "count", "count": N_FRAMES},
        _video(clock="cam"),
    ]
    dm = load_config(_config(tmp_path, items))
    assert dm.get_time("cam").sampling_rate is None
    assert dm.get_time("time").sampling_rate is None  # not the video's clock


def test_a_config_opened_into_a_recording_session_lines_up_with_it(tmp_path) -> None:
    """A held 30 kHz clock (a recording opened first) and the config's video: one tick rate,
    undone together with the load."""
    dm = DataManager()
    dm.set_time("ephys", TimeFrame.from_count(60_000, 30_000.0))
    dm.set_data("lfp", AnalogTimeSeries(np.zeros(60_000, np.float32)), "ephys")
    dm.mark_saved()
    load_config(_config(tmp_path, [_video()]), dm)
    assert dm.convert_index(20, "time", "ephys") == 24_000
    assert dm.undo()
    assert "media" not in dm
    assert dm.get_time("ephys") == TimeFrame.from_count(60_000, 30_000.0)


def test_a_config_video_fills_the_automatic_time_of_a_file_opened_first(tmp_path) -> None:
    """Were: a signal opened first on the automatic ``time`` (identity ticks grown to its
    samples, where WhiskerToolbox's ``time`` is still empty) kept the config's video on that
    rate-less clock, so the timeline had no seconds axis. Now the video fills ``time`` with
    its frame rate, as WhiskerToolbox fills its empty ``time`` from media; undo puts the
    automatic clock back."""
    dm = DataManager()
    dm.set_data("signal", AnalogTimeSeries(np.arange(6, dtype=np.float32)), "time")
    assert dm.default_clock_is_automatic
    assert len(dm.get_time("time")) == 6
    dm.mark_saved()
    report = LoadReport()
    load_config(_config(tmp_path, [_video()]), dm, report=report)
    clock = dm.get_time("time")
    assert clock.sampling_rate == FPS
    np.testing.assert_array_equal(clock.times, np.arange(N_FRAMES))
    assert dm.time_key("signal") == dm.time_key("media") == "time"
    assert report.of_kind("clock") == []
    assert dm.undo()
    assert "media" not in dm
    assert dm.default_clock_is_automatic
    assert dm.get_time("time").sampling_rate is None
    assert len(dm.get_time("time")) == 6


def _image_folder_session(tmp_path: Path) -> DataManager:
    (tmp_path / "frames").mkdir()
    for i in range(3):
        iio.imwrite(tmp_path / "frames" / f"f{i}.png", np.full((4, 5), i, np.uint8))
    return load_config(
        _config(tmp_path, [{"data_type": "images", "name": "media", "filepath": "frames"}])
    )


def test_an_image_folder_gives_a_clock_without_a_rate(tmp_path) -> None:
    dm = _image_folder_session(tmp_path)
    assert dm.get_time("time").sampling_rate is None
    assert len(dm.get_time("time")) == 3
    assert missing_rate_hint(dm, "time") == (
        "clock 'time' has no sampling rate (the images of 'media' on it have no frame rate, "
        "unlike a video's frames); give it one with "
        "dm.set_sampling_rate('time', frames_per_second)"
    )
    dm.set_sampling_rate("time", 30.0)
    assert missing_rate_hint(dm, "time") == ""


def test_an_nwb_export_of_an_image_folder_says_images_have_no_frame_rate(tmp_path) -> None:
    pytest.importorskip("pynwb")
    from napari_whiskertoolbox.io.nwb_export import export_nwb

    dm = _image_folder_session(tmp_path)
    with pytest.raises(ValueError, match=r"the images of 'media' on it have no frame rate"):
        export_nwb(dm, tmp_path / "x.nwb")


def test_a_video_joining_an_image_folder_says_the_images_have_no_rate(tmp_path, caplog) -> None:
    dm = _image_folder_session(tmp_path)
    with caplog.at_level(logging.WARNING):
        open_path(VIDEO, dm)
    assert "the clock 'time' has no sampling rate (the images of 'media' have no frame" in (
        caplog.text
    )


def test_on_one_rate_leaves_clocks_without_a_common_rate() -> None:
    frames = TimeFrame.from_count(10, 25.0)
    same, moved = on_one_rate(frames, {"a": TimeFrame.from_count(3, 100.0), "b": TimeFrame([1])})
    assert same is frames
    assert moved == {}
    joined, moved = on_one_rate(frames, {"a": TimeFrame.from_count(3, 100.0)})
    np.testing.assert_array_equal(joined.times[:3], [0, 4, 8])
    assert moved == {}


EPHYS_RATE = 30_000.0


@pytest.fixture
def recording(tmp_path):
    """An Open Ephys recording of 2 s at 30 kHz from sample 1000 of acquisition (t_start),
    TTL line 1 high from its sample 15000 to 18000; opened first, it is on clock ``time``."""
    pytest.importorskip("neo")
    from _ephys_files import write_open_ephys

    samples = np.zeros((int(2 * EPHYS_RATE), 1), np.int16)
    return write_open_ephys(tmp_path / "rec", samples, {1: [(15000, 18000)]})


def test_a_config_video_after_a_recording_gets_a_clock_of_its_own(recording, tmp_path) -> None:
    """WhiskerToolbox fills ``time`` from the video only while it is empty (wt_loaders.md
    §1.11): the recording keeps its clock, the video and the config's keys go on the
    video's own clock, as a video opened on its own does."""
    dm = open_path(recording).dm
    assert dm.time_key("ephys_CH1") == "time"
    before = dm.get_time("time")
    ttl_before = dm.get_data("ephys_TTL1").times.copy()
    points = tmp_path / "pts.csv"
    points.write_text("frame,x,y\n20,1.0,2.0\n", encoding="utf-8")
    items = [
        _video(),
        {
            "data_type": "points",
            "name": "pts",
            "filepath": str(points),
            "format": "csv",
            "column_delim": ",",
        },
    ]
    report = LoadReport()
    load_config(_config(tmp_path, items), dm, report=report)
    assert dm.get_time("time") == before  # the recording's 30 kHz samples, unchanged
    assert dm.time_key("ephys_CH1") == "time"
    np.testing.assert_array_equal(dm.get_data("ephys_TTL1").times, ttl_before)
    clock = dm.time_key("media")
    assert clock == "media_clock"
    assert dm.time_key("pts") == clock  # the config's own 'time' is its video's
    assert len(dm.get_time(clock)) == N_FRAMES
    # frame 20 is at 0.8 s: 24000 samples after acquisition start, sample 23000 recorded
    assert dm.convert_index(20, clock, "time") == 23000
    assert dm.convert_index(23000, "time", clock) == 20
    notes = [n.message for n in report.of_kind("clock") if "media_clock" in n.message]
    assert notes
    assert "'time'" in notes[0]
    assert "'pts'" in notes[0]
    assert notes[0] in dm.metadata["sources"]["media"]["notes"][-1]
    dm.undo()  # one undo step takes the whole config out again
    assert "media" not in dm
    assert "media_clock" not in dm.time_keys()
    assert dm.get_time("time") == before


def test_a_config_video_bound_to_a_recording_time_clock_is_refused(recording, tmp_path) -> None:
    """An explicit ``"clock": "time"`` on the video would put its frames on the recording's
    samples: refused, naming the item and the clock, and the session is left as it was."""
    dm = open_path(recording).dm
    before = dm.get_time("time")
    keys = set(dm)
    with pytest.raises(FormatError, match=r"media.*'time'"):
        load_config(_config(tmp_path, [_video(clock="time")]), dm)
    assert set(dm) == keys
    assert dm.get_time("time") == before


def test_a_config_time_clock_does_not_re_time_a_recording(recording, tmp_path) -> None:
    """WhiskerToolbox would re-point the recording's keys to the config's ``time``: that
    changes when they happened, so the config is refused, naming the item and the clock."""
    dm = open_path(recording).dm
    before = dm.get_time("time")
    daq = {"data_type": "time", "name": "time", "format": "count", "count": 500}
    with pytest.raises(FormatError, match=r"item \[0\] 'time': clock 'time' .*'ephys_CH1'"):
        load_config(_config(tmp_path, [{**daq, "sampling_rate": 100}, _video()]), dm)
    assert dm.get_time("time") == before
    assert "media" not in dm
