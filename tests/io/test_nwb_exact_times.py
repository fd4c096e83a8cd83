"""Another tool's NWB file keeps its times in seconds exactly: open → export → pynwb read.

Also DeepLabCut's own NWB export (its video named only by ``original_videos``) opens with
its video.
"""

from __future__ import annotations

import logging
import shutil
from typing import TYPE_CHECKING

import numpy as np
import pytest

from _nwb_files import START
from napari_whiskertoolbox.io.nwb_export import export_nwb
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.tick_rate import exact_tick_rate, rounding_error

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("pynwb")

STAMPS = np.array([0.10001, 0.1234567, 0.5000333, 2.71828])


def _write(path: Path, *objects) -> Path:
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="t", identifier=path.stem, session_start_time=START)
    for add in objects:
        add(nwbfile)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return path


def _round_trip(path: Path, tmp_path: Path):
    from pynwb import NWBHDF5IO

    out = tmp_path / "out.nwb"
    export_nwb(open_path(path).dm, out)
    io = NWBHDF5IO(str(out), "r")
    return io, io.read()


def _seconds(series) -> np.ndarray:
    if series.timestamps is not None:
        return np.asarray(series.timestamps[:], np.float64)
    return float(series.starting_time or 0.0) + np.arange(len(series.data)) / series.rate


def test_timestamps_and_trial_times_come_back_equal(tmp_path) -> None:
    from pynwb import TimeSeries

    def add(nwbfile) -> None:
        nwbfile.add_acquisition(
            TimeSeries(name="licks", data=np.arange(4.0), timestamps=STAMPS, unit="a.u.")
        )
        nwbfile.add_trial(start_time=0.0123456, stop_time=0.987654)

    path = _write(tmp_path / "ts.nwb", add)
    dm = open_path(path).dm
    clock = dm.clock_of("licks")
    np.testing.assert_array_equal(np.asarray(clock.times) / clock.sampling_rate, STAMPS)
    io, back = _round_trip(path, tmp_path)
    with io:
        np.testing.assert_array_equal(back.acquisition["licks"].timestamps[:], STAMPS)
        trials = back.trials.to_dataframe()
        assert trials["start_time"].tolist() == [0.0123456]
        assert trials["stop_time"].tolist() == [0.987654]


def test_events_table_times_come_back_equal(tmp_path) -> None:
    events = pytest.importorskip("pynwb.event")

    def add(nwbfile) -> None:
        table = events.EventsTable(name="rewards", description="r")
        table.add_column("volume", "uL")
        for t, volume in [(0.1000333, 2.0), (0.5, 3.0), (1.23456, 1.5)]:
            table.add_row(timestamp=t, volume=volume)
        nwbfile.add_events_table(table)

    path = _write(tmp_path / "ev.nwb", add)
    io, back = _round_trip(path, tmp_path)
    with io:
        stamps = back.events["rewards"]["timestamp"][:]
        np.testing.assert_array_equal(stamps, [0.1000333, 0.5, 1.23456])


def test_pose_series_timestamped_at_a_frame_rate_export_with_that_rate(tmp_path) -> None:
    from ndx_pose import PoseEstimation, PoseEstimationSeries

    stamps = np.arange(12) / 30.0

    def add(nwbfile) -> None:
        series = [
            PoseEstimationSeries(
                name=node, data=np.random.default_rng(k).random((12, 2)) * 60,
                confidence=np.full(12, 0.9), timestamps=stamps, reference_frame="top left",
                unit="pixels",
            )
            for k, node in enumerate(["snout", "tailbase"])
        ]  # fmt: skip
        module = nwbfile.create_processing_module("behavior", "b")
        module.add(PoseEstimation(name="pose", pose_estimation_series=series, description="d"))

    path = _write(tmp_path / "pose.nwb", add)
    clock = open_path(path).dm.clock_of("pose_snout")
    np.testing.assert_array_equal(np.asarray(clock.times) / clock.sampling_rate, stamps)
    io, back = _round_trip(path, tmp_path)
    with io:
        pose = back.processing["behavior"]["pose"].pose_estimation_series["snout"]
        assert pose.timestamps is None
        assert pose.rate == 30.0
        np.testing.assert_array_equal(_seconds(pose), stamps)


def test_a_30_fps_video_next_to_a_1_khz_signal_keeps_its_rate(tmp_path, frame_number_video) -> None:
    from pynwb import TimeSeries
    from pynwb.image import ImageSeries

    shutil.copy(frame_number_video, tmp_path / "clip.mp4")

    def add(nwbfile) -> None:
        nwbfile.add_acquisition(
            ImageSeries(name="camera", external_file=["clip.mp4"], format="external",
                        rate=30.0, starting_frame=[0], unit="n.a.", num_samples=1000)
        )  # fmt: skip
        nwbfile.add_acquisition(
            TimeSeries(name="emg", data=np.zeros(50), rate=1000.0, starting_time=0.25, unit="V")
        )

    path = _write(tmp_path / "video.nwb", add)
    io, back = _round_trip(path, tmp_path)
    with io:
        camera = back.acquisition["camera"]
        assert camera.timestamps is None
        assert (camera.rate, camera.starting_time) == (30.0, 0.0)
        emg = back.acquisition["emg"]
        assert emg.timestamps is None
        assert (emg.rate, emg.starting_time) == (1000.0, 0.25)


def test_times_no_tick_holds_are_named_with_their_rounding_error(tmp_path, caplog) -> None:
    from pynwb import TimeSeries

    stamps = np.sort(np.random.default_rng(0).random(20))  # 17 significant digits

    def add(nwbfile) -> None:
        nwbfile.add_acquisition(
            TimeSeries(name="jitter", data=np.zeros(20), timestamps=stamps, unit="V")
        )

    path = _write(tmp_path / "jitter.nwb", add)
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        dm = open_path(path).dm
    said = [r.getMessage() for r in caplog.records if "jitter" in r.getMessage()]
    assert len(said) == 1, said
    assert "largest rounding error" in said[0]
    clock = dm.clock_of("jitter")
    error = np.abs(np.asarray(clock.times) / clock.sampling_rate - stamps).max()
    assert 0 < error <= 5e-10  # the finest decimal tick: a nanosecond


def test_exact_tick_rate_is_a_common_multiple_refined_for_the_times() -> None:
    assert exact_tick_rate([30.0, 1000.0], [], 1000.0).rate == 3000.0
    chosen = exact_tick_rate([], [("a", np.arange(12) / 30), ("b", STAMPS)], 1000.0)
    assert chosen.rate == 3e7
    assert chosen.inexact == []
    ntsc = exact_tick_rate([29.97], [("s", np.array([0.5]))], 1000.0)
    assert ntsc.rate == 29970.0  # 1000 ticks a sample; 0.5 s a whole tick
    assert rounding_error(np.array([0.5, 0.1]), ntsc.rate) == 0
    assert exact_tick_rate([], [], 1000.0).rate == 1000.0
    # start + k / rate is float64's nearest, no exact multiple of 1 / rate: that rate, no warning
    sampled = exact_tick_rate([], [("e", 0.5 + np.arange(100_000) / 30000.0)], 1000.0)
    assert sampled == (30000.0, [])


def _dlc_export(path: Path, video: str, stamps: np.ndarray | None, rate: float | None) -> Path:
    """Write ``path`` as DeepLabCut's ``convert_h5_to_nwb`` does: no ImageSeries."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries

    timing = {"timestamps": stamps} if stamps is not None else {"rate": rate}

    def add(nwbfile) -> None:
        series = [
            PoseEstimationSeries(
                name=node, data=np.full((12, 2), 10.0 + k), confidence=np.full(12, 0.9),
                reference_frame="(0,0) top left", unit="pixels", **timing,
            )
            for k, node in enumerate(["snout", "tailbase"])
        ]  # fmt: skip
        module = nwbfile.create_processing_module("behavior", "b")
        module.add(
            PoseEstimation(name="PoseEstimation", pose_estimation_series=series, description="d",
                           original_videos=[video], source_software="DeepLabCut",
                           scorer="DLC_resnet50")
        )  # fmt: skip

    return _write(path, add)


@pytest.mark.parametrize(
    ("absolute", "stamps", "rate"),
    [(True, np.arange(12) / 25.0, None), (False, None, 25.0), (False, np.arange(12) / 30, None)],
)
def test_deeplabcut_s_nwb_export_opens_with_the_video_it_names(
    tmp_path, frame_number_video, absolute, stamps, rate
) -> None:
    from napari_whiskertoolbox.io.pose import pose_sets

    video = tmp_path / "videos" / "mouse1.mp4"
    video.parent.mkdir()
    shutil.copy(frame_number_video, video)  # 25 fps, 1000 frames
    (tmp_path / "nwb").mkdir()
    named = str(video) if absolute else "../videos/mouse1.mp4"
    path = _dlc_export(tmp_path / "nwb" / "dlc.nwb", named, stamps, rate)
    dm = open_path(path).dm
    assert dm.data_type("mouse1") == "video"
    if stamps is None or np.array_equal(stamps, np.arange(12) / 25.0):
        # the pose rows are frames of the video: the points are on its clock
        assert pose_sets(dm)["PoseEstimation"].source["video_path"] == str(video)
        assert dm.time_key("PoseEstimation_snout") == dm.time_key("mouse1")
        held = dm.get_data("PoseEstimation_snout").times_with_data()
        np.testing.assert_array_equal(held, np.arange(12))
    else:  # 30 fps poses on a 25 fps video: each keeps its own times
        clock = dm.clock_of("PoseEstimation_snout")
        np.testing.assert_array_equal(np.asarray(clock.times) / clock.sampling_rate, stamps)
    assert len(dm.get_data("mouse1")) == 1000


def test_a_video_named_by_deeplabcut_s_export_but_missing_is_named(tmp_path, caplog) -> None:
    path = _dlc_export(tmp_path / "dlc.nwb", "gone.mp4", None, 30.0)
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        dm = open_path(path).dm
    assert sorted(dm.keys()) == ["PoseEstimation_snout", "PoseEstimation_tailbase"]
    assert any("gone.mp4" in r.getMessage() for r in caplog.records)
