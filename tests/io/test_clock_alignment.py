"""Files whose clocks count other ticks join a DataManager on one tick rate (design.md §3)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, PointData
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.clock_alignment import join_clocks, rescaled, tick_rate
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.session import load_session, save_session
from napari_whiskertoolbox.sample import CAMERA_RATE, MASTER_RATE, make_sample_session

VIDEO = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "whiskertoolbox"
    / "Media"
    / "test_each_frame_number.mp4"
)
EPHYS_RATE = 30000.0


@pytest.fixture
def recording(tmp_path):
    """An Open Ephys recording of 2 s at 30 kHz from sample 1000 of acquisition (t_start),
    TTL line 1 high from its sample 15000 to 18000 (0.5 s to 0.6 s into the recording)."""
    pytest.importorskip("neo")
    from _ephys_files import write_open_ephys

    n = int(2 * EPHYS_RATE)
    samples = np.zeros((n, 1), np.int16)
    return write_open_ephys(tmp_path, samples, {1: [(15000, 18000)]})


def test_rescaled_rounds_ticks_to_the_new_rate() -> None:
    clock = TimeFrame([0, 1, 2, 3], sampling_rate=3.0)
    out = rescaled(clock, 10.0)
    np.testing.assert_array_equal(out.times, [0, 3, 7, 10])
    assert out.sampling_rate == 10.0
    assert rescaled(clock, 3.0) is clock
    with pytest.raises(ValueError, match="without a sampling_rate"):
        rescaled(TimeFrame([0, 1]), 5.0)


def test_a_finer_file_clock_rescales_the_session_and_keeps_every_conversion() -> None:
    dm = make_sample_session(20)
    before = dm.convert_index(7, "camera", "time")
    fine = TimeFrame.from_count(1000, sampling_rate=4 * MASTER_RATE)
    names = join_clocks(dm, [("fine", fine)], "test")
    assert names == {"fine": "fine"}
    assert tick_rate(dm) == 4 * MASTER_RATE
    assert dm.convert_index(7, "camera", "time") == before
    assert dm.get_time("camera").seconds_at_index(7) == pytest.approx(7 / CAMERA_RATE)
    # frame 7 is at 14 ms: sample 280 of a 20 kHz clock
    assert dm.convert_index(7, "camera", "fine") == 280


def test_a_coarser_file_clock_is_rescaled_to_the_session() -> None:
    dm = make_sample_session(20)
    coarse = TimeFrame.from_count(20, sampling_rate=CAMERA_RATE)
    join_clocks(dm, [("frames", coarse)], "test")
    np.testing.assert_array_equal(dm.get_time("frames").times, dm.get_time("camera").times)
    assert tick_rate(dm) == MASTER_RATE


def test_a_clock_name_taken_by_other_ticks_joins_under_a_free_name() -> None:
    dm = make_sample_session(20)
    camera = dm.get_time("camera")
    other = TimeFrame.from_count(5, sampling_rate=MASTER_RATE)
    names = join_clocks(dm, [("camera", other), ("time", dm.get_time("time"))], "test")
    assert names == {"camera": "camera_2", "time": "time"}
    assert dm.get_time("camera") is camera
    np.testing.assert_array_equal(dm.get_time("camera_2").times, np.arange(5))


def test_clocks_without_a_rate_are_compared_as_they_are_with_a_warning(caplog) -> None:
    dm = DataManager()
    dm.set_data("signal", AnalogTimeSeries(np.zeros(100, np.float32)))  # WhiskerToolbox: no rate
    with caplog.at_level(logging.WARNING):
        join_clocks(
            dm, [("ephys_clock", TimeFrame.from_count(10, sampling_rate=EPHYS_RATE))], "rec"
        )
    np.testing.assert_array_equal(dm.get_time("ephys_clock").times, np.arange(10))
    assert "file 'rec': its clocks count 30000 ticks per second" in caplog.text
    assert "'time'" in caplog.text
    assert "dm.set_sampling_rate" in caplog.text


def test_set_sampling_rate_keeps_the_automatic_clock_growing() -> None:
    dm = DataManager()
    dm.set_sampling_rate("time", 25.0)
    dm.set_data("signal", AnalogTimeSeries(np.zeros(10, np.float32)))
    assert len(dm.get_time("time")) == 10
    assert dm.get_time("time").sampling_rate == 25.0
    with pytest.raises(KeyError, match="camera"):
        dm.set_sampling_rate("camera", 2.0)
    with pytest.raises(ValueError, match="positive"):
        dm.set_sampling_rate("time", -1.0)


def test_video_then_ephys_recording_line_up_in_seconds(recording) -> None:
    dm = open_path(VIDEO).dm
    fps = dm.get_time("time").sampling_rate
    assert fps == pytest.approx(25.0)  # the video's frame rate
    open_path(recording, dm)
    clock = dm.time_key("ephys_CH1")
    # frame 20 is at 0.8 s: 24000 samples after acquisition start, the recording's first
    # being sample 1000 (its t_start): recorded sample 23000
    assert dm.convert_index(20, "time", clock) == 23000
    ttl = dm.get_data("ephys_TTL1").times  # rising edge at 16000 / 30 kHz: frame 13.3 -> 13
    assert dm.convert_index(int(ttl[0]), clock, "time") == 13


def test_ephys_then_video_line_up_too(recording) -> None:
    dm = open_path(recording).dm
    opened = open_path(VIDEO, dm)
    clock = dm.time_key("media")
    assert clock == "media_clock"
    assert opened.keys == ("media",)
    assert dm.convert_index(20, clock, "time") == 23000  # 0.8 s: sample 24000 - t_start 1000
    dm.undo()
    assert "media" not in dm


def test_a_second_video_in_the_sample_session_gets_its_own_clock() -> None:
    dm = make_sample_session(100)
    (key,) = open_path(VIDEO, dm).keys
    clock = dm.time_key(key)
    assert clock == f"{key}_clock"
    # frame 3 of the 25 fps video is at 120 ms: frame 60 of the 500 fps camera
    assert dm.convert_index(3, clock, "camera") == 60
    assert dm.convert_index(0, clock, "camera") == 0
    assert dm.get_time(clock).seconds_at_index(3) == pytest.approx(3 / 25.0)


@pytest.mark.gui
def test_timeline_steps_to_a_ttl_edge_at_its_video_frame(make_napari_viewer, tmp_path, qtbot):
    pytest.importorskip("neo")
    from _ephys_files import write_open_ephys

    from napari_whiskertoolbox.widgets.timeline import TimelineWidget
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    session.open(VIDEO)
    # 0.52 s after acquisition start (frame 13 of the 25 fps video); the recording
    # starts at acquisition sample 1000
    rising = int(0.52 * EPHYS_RATE) - 1000
    node = write_open_ephys(
        tmp_path, np.zeros((int(EPHYS_RATE), 1), np.int16), {1: [(rising, rising + 300)]}
    )
    session.open(node)
    timeline = TimelineWidget(viewer)
    qtbot.addWidget(timeline)
    timeline.set_frame(0)
    qtbot.waitUntil(lambda: timeline.is_lane_shown("ephys_TTL1"))
    timeline.active_key = "ephys_TTL1"
    timeline.next_event()
    assert viewer.dims.current_step[0] == 13
    assert timeline.cursor_frame == 13


@pytest.mark.gui
def test_a_recording_beside_clocks_without_a_rate_is_told_in_the_window(
    make_napari_viewer, recording, notifications
):
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    signal = AnalogTimeSeries(np.zeros(100, np.float32))
    get_session(viewer).dm.set_data("signal", signal)  # on a clock without a rate, as WT's
    viewer.open(str(recording), plugin="napari-whiskertoolbox")
    (message,) = [m for m in notifications if "ticks per second" in m]
    assert message.startswith("Record Node 101: its clocks count 30000 ticks per second")
    assert "dm.set_sampling_rate" in message


def test_a_video_beside_clocks_without_a_rate_says_it_runs_on_time(caplog) -> None:
    dm = DataManager()
    dm.set_data("signal", AnalogTimeSeries(np.zeros(100, np.float32)))  # WhiskerToolbox: no rate
    with caplog.at_level(logging.WARNING):
        (key,) = open_path(VIDEO, dm).keys
    assert dm.time_key(key) == "time"  # as in WhiskerToolbox
    assert "its 25 frames per second run on 'time', but the clock 'time' has no sampling rate" in (
        caplog.text
    )
    assert "dm.set_sampling_rate" in caplog.text


VFR_MS = [0, 33, 50, 120, 133, 200, 410, 433, 466, 700]
"""Presentation times (ms) of a variable-frame-rate video's frames: irregular gaps."""


def _vfr_video(tmp_path: Path) -> Path:
    from _video_files import write_vfr_video

    return write_vfr_video(tmp_path / "vfr.mp4", VFR_MS)


def _open_warned(path: Path, dm: DataManager | None = None) -> DataManager:
    from napari_whiskertoolbox.media import MediaWarning

    with pytest.warns(MediaWarning, match="variable frame timing"):
        return open_path(path, dm).dm


def test_a_variable_frame_rate_video_runs_on_its_frame_times(tmp_path) -> None:
    from _video_files import read_pattern

    dm = _open_warned(_vfr_video(tmp_path))
    clock = dm.get_time(dm.time_key("media"))
    assert not clock.is_counting
    seconds = [clock.seconds_at_index(i) for i in range(len(VFR_MS))]
    np.testing.assert_allclose(seconds, np.array(VFR_MS) / 1000)
    media = dm.get_data("media")
    assert len(media) == len(clock)
    assert [read_pattern(media.frame(i)) for i in range(len(media))] == list(range(len(VFR_MS)))


def test_a_variable_frame_rate_video_joins_a_session_at_its_frame_times(tmp_path) -> None:
    dm = make_sample_session(400)  # a 500 fps camera on a 20 kHz master clock
    from napari_whiskertoolbox.media import MediaWarning

    with pytest.warns(MediaWarning, match="variable frame timing"):
        (key,) = open_path(_vfr_video(tmp_path), dm).keys
    clock = dm.time_key(key)
    assert clock == f"{key}_clock"
    # frame 6 is at 410 ms: frame 205 of the 500 fps camera (not 6 / 14.2 fps = 422 ms)
    assert dm.convert_index(6, clock, "camera") == 205
    assert dm.convert_index(9, clock, "camera") == 350
    assert dm.get_time(clock).seconds_at_index(4) == pytest.approx(0.133)


def test_a_constant_frame_rate_video_keeps_its_counting_clock() -> None:
    dm = open_path(VIDEO).dm
    assert dm.get_time("time").is_counting
    assert dm.get_time("time").sampling_rate == pytest.approx(25.0)


@pytest.mark.gui
def test_stepping_a_session_shows_each_variable_rate_frame_at_its_time(
    make_napari_viewer, tmp_path
):
    """A 30 fps video first, then a variable-rate one beside it on the 30 fps clock.

    Opening the variable-rate video gives it the frame slider (each of its frames a step);
    switched back to the 30 fps clock, each step shows the nearest variable-rate frame.
    """
    from _video_files import pattern_frame, read_pattern, write_frames
    from napari_whiskertoolbox.media import MediaWarning
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    frames = [pattern_frame(i) for i in range(24)]
    options = {"preset": "veryfast", "crf": "10"}
    session.open(write_frames(tmp_path / "cfr.mp4", frames, "libx264", "yuv420p", "gray", options))
    with pytest.warns(MediaWarning, match="variable frame timing"):
        session.open(_vfr_video(tmp_path))
    (vfr,) = [k for k in session.dm if k != "media"]
    shown = viewer.layers[vfr]
    assert session.display_clock == session.dm.time_key(vfr)
    for step in range(10):
        viewer.dims.set_current_step(0, step)
        assert read_pattern(np.asarray(shown.data[viewer.dims.current_step[0]])) == step
    session.set_display_clock("media")
    # display frame j is at j / 30 s; the nearest variable-rate frame is shown
    for step, picture in [(0, 0), (3, 3), (4, 4), (12, 6), (14, 8), (21, 9)]:
        viewer.dims.set_current_step(0, step)
        assert read_pattern(np.asarray(shown.data[viewer.dims.current_step[0]])) == picture


def test_a_recording_keeps_its_start_time(recording, tmp_path) -> None:
    """Open Ephys counts samples from acquisition start: this one's first is sample 1000."""
    dm = open_path(recording).dm
    clock = dm.get_time(dm.time_key("ephys_CH1"))
    assert clock.time_at_index(0) == 1000  # t_start = 1000 / 30 kHz, not 0
    assert clock.seconds_at_index(0) == pytest.approx(1000 / EPHYS_RATE)
    assert clock._times is None  # still three numbers
    # the TTL rise is sample 15000 of the recording: 16000 samples after acquisition start
    (rise,) = dm.get_data("ephys_TTL1").times[:1]
    assert clock.seconds_at_index(int(rise)) == pytest.approx(16000 / EPHYS_RATE)
    save_session(dm, tmp_path / "s")
    assert load_session(tmp_path / "s").get_time(dm.time_key("ephys_CH1")) == clock


def test_a_recording_joins_a_video_at_its_start_time(recording) -> None:
    dm = open_path(VIDEO).dm  # 25 fps, frame 0 at 0 s
    open_path(recording, dm)
    clock = dm.time_key("ephys_CH1")
    # recording sample 0 is at 1000 / 30 kHz = 33 ms: frame 1 of the video
    assert dm.convert_index(0, clock, "time") == 1
    # frame 20 is at 0.8 s: 24000 samples after acquisition start, sample 23000 recorded
    assert dm.convert_index(20, "time", clock) == 23000


def test_a_video_opened_into_a_whiskertoolbox_config_session_runs_on_time(tmp_path) -> None:
    """wt_loaders.md §3.1: a WhiskerToolbox video runs on its entry's ``clock``, default
    ``time``; WT makes no frame clock of its own for a video, and its clocks have no rate
    (§2), so nothing says how the video's frames fall on the session's ticks."""
    import json

    from napari_whiskertoolbox.io import load_config

    (tmp_path / "daq.bin").write_bytes(np.zeros(300, np.uint16).tobytes())
    config = {"data": [{"data_type": "time", "name": "time", "format": "uint16_length",
                        "filepath": "daq.bin"}]}  # fmt: skip
    (tmp_path / "session.json").write_text(json.dumps(config))
    dm = load_config(tmp_path / "session.json")
    assert dm.get_time("time").sampling_rate is None
    (key,) = open_path(VIDEO, dm).keys
    assert dm.time_key(key) == "time"
    assert set(dm.time_keys()) == {"time"}  # no <key>_clock: as WhiskerToolbox


def test_a_video_opened_alone_keeps_its_frame_count_when_later_data_runs_past_it(
    tmp_path, caplog
) -> None:
    """WhiskerToolbox's own test_point.csv (frames 0-1000) opened beside its 1000-frame
    video: the clock stays the video's 1000 frames, and a note names the late point, as
    when a config loads the pair (it grew to 1001 frames, silently)."""
    dm = open_path(VIDEO).dm
    points = tmp_path / "test_point.csv"
    points.write_text("Frame X Y\n0 131 222\n999 129 222\n1000 129 222\n")
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        open_path(points, dm)
    assert len(dm.get_time("time")) == 1000
    assert dm.get_time("time").sampling_rate == pytest.approx(25.0)
    assert "1 entry on frame 1000, past the last frame of clock 'time'" in caplog.text
    assert any("past the last frame" in n for n in dm.metadata["sources"]["test_point"]["notes"])
    dm.undo()  # the points go; the video's clock stays as it was
    assert "test_point" not in dm
    assert len(dm.get_time("time")) == 1000


def test_frames_outside_a_clock_are_listed_lowest_first_sorted_or_not() -> None:
    """The note lists the three lowest distinct frames outside the clock and '...' when
    there are more, for a long sorted signal and for unsorted interval ends alike."""
    from napari_whiskertoolbox.core import DigitalIntervalSeries
    from napari_whiskertoolbox.io.clock_fit import frames_outside_clocks

    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(100)))
    dm.set_data("signal", AnalogTimeSeries(np.zeros(1_000_000, np.float32)), "time")
    nested = [[-7, 120], [-4, 10], [-2, 5]]  # their ends, flattened, are not sorted
    dm.set_data("trials", DigitalIntervalSeries(nested, layout="overlapping"), "time")
    dm.set_data("inside", AnalogTimeSeries(np.zeros(100, np.float32)), "time")
    sources = {key: {"item_label": key} for key in ("signal", "trials", "inside")}
    notes = {note.item: note.message for note in frames_outside_clocks(dm, sources)}
    assert set(notes) == {"signal", "trials"}
    assert "999900 entries on frames 100, 101, 102, ..., past the last frame" in notes["signal"]
    # intervals are counted as intervals, not as their two ends
    assert "1 interval ([-7, 120]) reaching past the last frame" in notes["trials"]
    assert "3 intervals ([-7, 120], [-4, 10], [-2, 5]) starting before frame 0" in notes["trials"]


def test_frames_outside_a_clock_count_intervals_and_name_an_image_folder() -> None:
    """jun_test.dat's 3290 trials past a short clock were "6580 entries" (both ends of
    each), and a clock from an image folder was "the video 's'"."""
    from napari_whiskertoolbox.core import DigitalIntervalSeries
    from napari_whiskertoolbox.core.media import ArrayMedia
    from napari_whiskertoolbox.io.clock_fit import frames_outside_clocks

    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(1000)))
    dm.set_data("s", ArrayMedia(np.zeros((1000, 4, 4), np.uint8), kind="images"), "time")
    starts = 1006 + 10 * np.arange(3290)
    dm.set_data("trials", DigitalIntervalSeries(np.c_[starts, starts + 4]), "time")
    (note,) = frames_outside_clocks(dm, {"trials": {"item_label": "trials"}})
    assert note.message.startswith(
        "key 'trials': 3290 intervals ([1006, 1010], [1016, 1020], [1026, 1030], ...) "
        "reaching past the last frame of clock 'time' (frames 0-999, from the image folder 's')"
    )
    assert "entries" not in note.message
    assert "video" not in note.message


def _frames_of_points(n: int) -> PointData:
    points = PointData()
    for frame in range(n):
        points.add(frame, np.array([[1.0, 2.0]], dtype=np.float32))
    return points


def test_a_video_beside_keypoints_counting_its_frames_is_not_warned_about(caplog) -> None:
    """A DeepLabCut file opened alone counts frames 0..n-1 on 'time': the video's frames are
    those frames, and the 'no sampling rate' warning only alarmed (a new-user trial)."""
    n = len(open_path(VIDEO, DataManager()).dm.get_data("media"))
    dm = DataManager()
    dm.set_data("nose", _frames_of_points(n), "time")
    with caplog.at_level(logging.WARNING):
        (key,) = open_path(VIDEO, dm).keys
    assert dm.time_key(key) == "time"
    assert "sampling rate" not in caplog.text
    longer = DataManager()
    longer.set_data("nose", _frames_of_points(n + 5), "time")
    with caplog.at_level(logging.WARNING):
        open_path(VIDEO, longer)
    assert f"its {n} frames run on 'time', whose data reach frame {n + 4}" in caplog.text
