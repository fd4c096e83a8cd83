"""A result stored on a chosen output clock (``output_time_key``): converted or refused.

A tester's finding: ZScoreNormalizeV2 on ``whisker_angle`` (clock ``time``, 10 ticks per
camera frame) with ``output_time_key="camera"`` stored 400 samples on the 40-frame camera
clock, and AnalogEventThreshold put events at camera frames 126…1415 of a 300-frame clock:
frame numbers were relabelled, not converted.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalIntervalSeries, LineData, TimeFrame
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.transforms import (
    TransformError,
    apply_transform,
    load_pipeline,
    run_transform,
)
from napari_whiskertoolbox.transforms.api import plan_transform
from napari_whiskertoolbox.transforms.output_clock import (
    merge_note,
    on_output_clock,
    sample_count_message,
)

N_FRAMES = 40


@pytest.fixture
def dm():
    session = make_sample_session(n_frames=N_FRAMES)
    session.history.clear()
    return session


def _nearest_frames(dm, ticks: np.ndarray, clock: str) -> np.ndarray:
    """The plain rule: the frame of ``clock`` whose time is nearest (ties: the earlier)."""
    times = dm.get_time(clock).times
    return np.array([int(np.argmin(np.abs(times - t))) for t in ticks], np.int64)


def test_the_sample_session_has_two_clocks_of_different_lengths(dm):
    assert dm.time_key("whisker_angle") == "time"
    assert len(dm.get_time("time")) == 10 * len(dm.get_time("camera")) == 10 * N_FRAMES


def test_an_analog_result_whose_samples_do_not_fit_the_clock_is_refused(dm):
    n = len(dm.get_data("whisker_angle"))
    message = sample_count_message(n, "camera", N_FRAMES)
    assert message == f"output has {n} samples but target TimeFrame 'camera' has 40 entries"
    with pytest.raises(TransformError, match=message):
        run_transform(dm, "ZScoreNormalizeV2", "whisker_angle", "z", output_time_key="camera")
    assert "z" not in dm
    assert not dm.history.can_undo


def test_an_analog_result_computed_from_lines_is_refused_once_its_count_is_known(dm):
    n_frames_with_lines = dm.get_data("whiskers").n_frames_with_data
    with pytest.raises(TransformError, match="target TimeFrame 'time' has 400 entries"):
        run_transform(dm, "CalculateLineLength", "whiskers", "len", output_time_key="time")
    assert "len" not in dm
    assert n_frames_with_lines != len(dm.get_time("time"))


def test_an_analog_result_goes_on_a_clock_of_its_length(dm):
    n = len(dm.get_data("whisker_angle"))
    dm.set_time("other", TimeFrame(np.arange(n) * 3))
    run_transform(dm, "ZScoreNormalizeV2", "whisker_angle", "z", output_time_key="other")
    assert dm.time_key("z") == "other"
    assert len(dm.get_data("z")) == n


def test_events_are_converted_through_the_clocks_times(dm):
    params = {"threshold_value": 0.5, "lockout_time": 50}
    run_transform(dm, "AnalogEventThreshold", "whisker_angle", "ev_time", params)
    run_transform(
        dm, "AnalogEventThreshold", "whisker_angle", "ev_cam", params, output_time_key="camera"
    )
    ticks = dm.get_time("time").times[dm.get_data("ev_time").times]
    frames = dm.get_data("ev_cam").times
    assert dm.time_key("ev_cam") == "camera"
    assert frames.max() < N_FRAMES  # relabelled, they ran to 10 × the camera's frames
    np.testing.assert_array_equal(frames, np.unique(_nearest_frames(dm, ticks, "camera")))


def test_intervals_are_converted_through_the_clocks_times(dm):
    params = {"threshold_value": 0.5}
    run_transform(dm, "AnalogIntervalThreshold", "whisker_angle", "iv_time", params)
    run_transform(
        dm, "AnalogIntervalThreshold", "whisker_angle", "iv_cam", params, output_time_key="camera"
    )
    ticks = dm.get_time("time").times[dm.get_data("iv_time").intervals]
    pairs = dm.get_data("iv_cam").intervals
    assert len(pairs) == len(ticks)
    np.testing.assert_array_equal(pairs.ravel(), _nearest_frames(dm, ticks.ravel(), "camera"))


def test_lines_are_converted_through_the_clocks_times(dm):
    run_transform(dm, "FlipLineBase", "whiskers", "flipped", output_time_key="time")
    source, moved = dm.get_data("whiskers"), dm.get_data("flipped")
    ticks = dm.get_time("camera").times[source.times_with_data()]
    np.testing.assert_array_equal(moved.times_with_data(), _nearest_frames(dm, ticks, "time"))
    assert moved.n_entries == source.n_entries


def test_a_pipeline_on_another_clock_converts_too(dm):
    pipe = load_pipeline({"steps": [{"step_id": "t", "transform_name": "AnalogEventThreshold",
                                     "parameters": {"threshold_value": 0.5,
                                                    "lockout_time": 50}}]})  # fmt: skip
    pipe.run_on_key(dm, "whisker_angle", "ev_cam", "camera")
    assert dm.get_data("ev_cam").times.max() < N_FRAMES
    with pytest.raises(TransformError, match="target TimeFrame 'camera' has 40 entries"):
        load_pipeline(
            {"steps": [{"step_id": "z", "transform_name": "ZScoreNormalizeV2"}]}
        ).run_on_key(dm, "whisker_angle", "z", "camera")
    assert "z" not in dm


def test_the_natural_clock_chosen_explicitly_changes_nothing(dm):
    run_transform(dm, "ZScoreNormalizeV2", "whisker_angle", "z", output_time_key="time")
    assert isinstance(dm.get_data("z"), AnalogTimeSeries)
    assert len(dm.get_data("z")) == len(dm.get_data("whisker_angle"))


def test_events_merged_on_one_frame_of_the_output_clock_are_counted(dm, caplog):
    """985 events became 103 camera frames and the run said only "… → ev_cam in 0.14 s"."""
    params = {"threshold_value": 10.0}
    source = apply_transform("AnalogEventThreshold", dm.get_data("whisker_angle"), params)
    planned = plan_transform(
        dm, "AnalogEventThreshold", "whisker_angle", "ev_cam", params, output_time_key="camera"
    )
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.transforms"):
        planned.store(planned.compute())
    n, kept = len(source.times), len(dm.get_data("ev_cam").times)
    assert kept < n
    note = (
        f"{n - kept:,} events of the {n:,} merged with another on the same 'camera' frame "
        f"(an event key holds one event per frame): {kept:,} stored"
    )
    assert planned.clock_note == note
    assert f"AnalogEventThreshold → ev_cam: {note}" in caplog.text
    # on its own clock, or to a finer one, nothing merges and nothing is said
    caplog.clear()
    for clock in ("time", None):
        again = plan_transform(
            dm, "AnalogEventThreshold", "whisker_angle", "ev_t", params, output_time_key=clock
        )
        again.store(again.compute())
        assert again.clock_note == ""
    assert "merged" not in caplog.text


def test_intervals_merged_on_the_output_clock_are_counted(dm):
    dm.set_data("iv_t", DigitalIntervalSeries([[0, 2], [4, 6], [30, 40], [100, 103]]), "time")
    planned = plan_transform(dm, "DigitalIntervalBoolean", "iv_t", "iv_cam",
                             {"operation": "not"}, output_time_key="camera")  # fmt: skip
    result = planned.compute()
    planned.store(result)
    n, kept = len(result.intervals), len(dm.get_data("iv_cam").intervals)
    assert kept < n
    assert planned.clock_note == merge_note(result, dm.get_data("iv_cam"), "camera")
    assert planned.clock_note.startswith(f"{n - kept:,} interval")
    note = merge_note(
        DigitalIntervalSeries([[0, 2], [4, 6], [30, 40]]),
        on_output_clock(
            dm, DigitalIntervalSeries([[0, 2], [4, 6], [30, 40]]), "time", "camera", "T"
        ),
        "camera",
    )
    assert note == (
        "1 interval of the 3 merged with another it came to overlap or touch on 'camera' "
        "(the intervals are kept disjoint): 2 stored"
    )


def test_lines_of_several_frames_sharing_one_of_the_output_clock_are_counted(dm):
    flat = dm.get_data("whiskers").to_flat()
    ticks = np.repeat([0, 1, 12], 4)  # 3 frames of 'time', 4 lines each: 0 and 1 -> camera 0
    lines = LineData.from_flat(ticks, flat.coords[: flat.offsets[12]], flat.offsets[:13],
                               flat.ids[:12])  # fmt: skip
    dm.set_data("l_t", lines, "time")
    planned = plan_transform(dm, "FlipLineBase", "l_t", "l_cam", output_time_key="camera")
    planned.store(planned.compute())
    assert dm.get_data("l_cam").n_entries == 12  # nothing lost: frame 0 holds 8 lines
    assert planned.clock_note == (
        "1 frame of the 3 with lines landed on a 'camera' frame another did too (their lines "
        "share it): 2 frames hold them"
    )
