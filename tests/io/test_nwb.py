"""NWB: export a whole session, nwbinspector, round trip, generic files written by pynwb."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _nwb_files import START, write_generic_pose, write_pose_on_camera_video
from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TensorData,
    TimeFrame,
)
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.nwb_export import export_nwb
from napari_whiskertoolbox.io.nwb_import import load_nwb_entries
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import classify_path, open_path
from napari_whiskertoolbox.io.table_columns import key_columns
from napari_whiskertoolbox.sample import CAMERA_RATE, make_sample_session

pynwb = pytest.importorskip("pynwb")
ndx_pose = pytest.importorskip("ndx_pose")
inspector = pytest.importorskip("nwbinspector")

DLC = Path(__file__).resolve().parents[1] / "data" / "deeplabcut" / "reaching"


@pytest.fixture(scope="module")
def session() -> DataManager:
    """The sample session (30 kHz master clock, camera clock) plus a DeepLabCut folder."""
    dm = make_sample_session(40)
    open_path(DLC / "labeled-data" / "reachingvideo1", dm=dm)
    dm.set_data(
        "embedding", TensorData(np.arange(12.0).reshape(4, 3), column_names=["a", "b", "c"])
    )
    clicks = DigitalEventSeries([3, 9, 27])
    dm.set_data("clicks", clicks)
    return dm


@pytest.fixture(scope="module")
def exported(session, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nwb") / "session.nwb"
    export_nwb(session, path, session_start_time=START)
    return path


def _same(a, b, kind: str) -> None:
    if kind in ("points", "line", "mask"):
        fa, fb = a.to_flat(), b.to_flat()
        for x, y in zip(fa, fb):
            if x is None:
                assert y is None
            else:
                np.testing.assert_array_equal(x, y)
        assert a.image_size == b.image_size
    elif kind == "analog":
        np.testing.assert_array_equal(a.values, b.values)
        assert a.is_dense == b.is_dense
    elif kind == "digital_event":
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.ids, b.ids)
    elif kind == "digital_interval":
        np.testing.assert_array_equal(a.intervals, b.intervals)
        np.testing.assert_array_equal(a.ids, b.ids)
    elif kind == "tensor":
        np.testing.assert_array_equal(a.values, b.values)
        assert list(a.column_names) == list(b.column_names)
    else:
        assert a.shape == b.shape
        np.testing.assert_array_equal(a[len(a) - 1], b[len(b) - 1])


def test_export_passes_nwbinspector_without_critical_or_violations(exported) -> None:
    from nwbinspector import Importance, inspect_nwbfile

    messages = list(inspect_nwbfile(nwbfile_path=str(exported)))
    assert messages  # the inspector ran its checks (suggestions remain, e.g. no experimenter)
    serious = [
        m for m in messages
        if m.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)
    ]  # fmt: skip
    assert serious == [], "\n".join(
        f"{m.importance.name} {m.check_function_name}: {m.message}" for m in serious
    )


def test_a_regular_clock_exports_without_an_empty_table(tmp_path) -> None:
    """Were: a session on a video's regular clock exported an empty ``clock_time`` table, a
    BEST_PRACTICE_VIOLATION."""
    from nwbinspector import Importance, inspect_nwbfile

    dm = DataManager()
    dm.set_time("camera", TimeFrame.regular(5, 1000.0, sampling_rate=25000.0))
    dm.set_data("angle", AnalogTimeSeries(np.arange(5.0, dtype=np.float32)), "camera")
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    serious = [
        f"{m.check_function_name} {m.object_name}"
        for m in inspect_nwbfile(nwbfile_path=str(tmp_path / "out.nwb"))
        if m.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)
    ]
    assert serious == []
    back = DataManager()
    commit(back, load_nwb_entries(tmp_path / "out.nwb"))
    assert back.get_time("camera") == dm.get_time("camera")


def test_export_contents(session, exported) -> None:
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(exported), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        angle = nwbfile.acquisition["whisker_angle"]
        rate = session.get_time("time").sampling_rate
        assert angle.rate == rate  # dense on a regular clock: a rate, no timestamps
        np.testing.assert_array_equal(angle.data[:], session.get_data("whisker_angle").values)
        contact = nwbfile.intervals["contact"]
        pairs = session.get_data("contact").intervals
        np.testing.assert_allclose(contact["start_time"][:], pairs[:, 0] / rate)
        events = nwbfile.events["clicks"]
        np.testing.assert_allclose(events["timestamp"][:], np.array([3, 9, 27]) / rate)
        media = nwbfile.acquisition["media_2"]
        assert media.format == "external"
        assert not Path(media.external_file[0]).is_absolute()
        behavior = nwbfile.processing["behavior"]
        hand = behavior["reachingvideo1"].pose_estimation_series["Hand"]
        assert hand.reference_frame.startswith("(0, 0) is the top-left")
        np.testing.assert_array_equal(
            hand.data[:], session.get_data("reachingvideo1_Hand").to_flat().coords
        )
        nose = behavior["nose"].pose_estimation_series["nose"]
        assert nose.rate == CAMERA_RATE  # camera-clock keys in seconds of their own frames
        skeleton = behavior["Skeletons"]["reachingvideo1_skeleton"]
        assert list(skeleton.nodes[:]) == ["Hand", "Finger1", "Tongue", "Joystick1", "Joystick2"]
        np.testing.assert_array_equal(skeleton.edges[:], [[0, 1], [3, 4]])
        whiskers = nwbfile.processing["whiskertoolbox"]["whiskers"].to_dataframe()
        first = session.get_data("whiskers").at(int(whiskers["frame"].iloc[0]))[0]
        np.testing.assert_array_equal(whiskers["x"].iloc[0], first[:, 0])


def test_export_imports_back_equal(session, exported) -> None:
    back = DataManager()
    commit(back, load_nwb_entries(exported))
    exported_keys = [k for k in session if k != "media"]  # the sample's media is in memory
    assert sorted(back.keys()) == sorted(exported_keys)
    for key in exported_keys:
        assert back.time_key(key) == session.time_key(key)
        _same(session.get_data(key), back.get_data(key), session.data_type(key))
    for name in session.time_keys():
        assert back.get_time(name) == session.get_time(name)
    pose = pose_sets(back)["reachingvideo1"]
    assert pose.skeleton == [("Hand", "Finger1"), ("Joystick1", "Joystick2")]
    assert back.groups.count("reachingvideo1") == session.groups.count("reachingvideo1")


def test_opening_our_export_into_a_session_with_its_keys_replaces_none(
    session, exported, caplog
) -> None:
    """Our export keeps its keys; opened a second time they come in as <key>_2, pose set too."""
    dm = open_path(exported).dm
    first = {key: dm.get_data(key) for key in dm}
    open_path(exported, dm=dm)
    assert all(dm.get_data(key) is obj for key, obj in first.items())  # nothing replaced
    assert "whisker_angle_2" in dm
    assert dm.time_key("whisker_angle_2") == dm.time_key("whisker_angle")
    again = pose_sets(dm)
    assert len(again) == 2
    second = next(p for name, p in again.items() if name != "reachingvideo1")
    assert all(k.endswith("_2") for parts in second.keys.values() for k in parts.values())
    assert "'whisker_angle' as 'whisker_angle_2'" in caplog.text


def test_a_pose_set_imported_from_our_export_writes_back_to_its_deeplabcut_file(
    session, exported, tmp_path
) -> None:
    """The pose set's source facts (scorer, image rows, index layout) survive the NWB file."""
    import pandas as pd

    from napari_whiskertoolbox.io.dlc import write_dlc

    back = DataManager()
    commit(back, load_nwb_entries(exported))
    before, after = pose_sets(session)["reachingvideo1"], pose_sets(back)["reachingvideo1"]
    travelled = after.source.pop("nwb_export")  # where its scores are, the source not at hand
    assert travelled == {"path": str(exported.resolve()), "pose": "reachingvideo1"}
    assert after.source == before.source
    assert after.point_size == before.point_size == 12.0  # the project's dotsize
    assert (after.colormap, after.skeleton_color) == ("jet", "blue")  # its colours too
    out = write_dlc(back, after, tmp_path / "CollectedData_Mackenzie.h5")
    labels = DLC / "labeled-data" / "reachingvideo1" / "CollectedData_Mackenzie.h5"
    pd.testing.assert_frame_equal(
        pd.read_hdf(out, "df_with_missing"), pd.read_hdf(labels, "df_with_missing")
    )


def test_generic_file_written_with_pynwb(tmp_path) -> None:
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.image import ImageSeries

    video = tmp_path / "clip.tif"
    import tifffile

    tifffile.imwrite(video, np.zeros((5, 8, 10), np.uint8))
    nwbfile = NWBFile(session_description="generic", identifier="g1", session_start_time=START)
    nwbfile.add_acquisition(
        TimeSeries(name="lfp", data=np.arange(20.0), unit="V", rate=100.0, starting_time=1.0)
    )
    nwbfile.add_acquisition(
        TimeSeries(name="xy", data=np.ones((6, 2)), unit="m", timestamps=np.arange(6) * 0.5)
    )
    nwbfile.add_acquisition(
        ImageSeries(
            name="camera",
            external_file=["clip.tif"],
            starting_frame=[0],
            format="external",
            rate=10.0,
            num_samples=5,
            unit="n.a.",
        )
    )
    nwbfile.add_trial(start_time=1.0, stop_time=2.0)
    nwbfile.add_trial(start_time=3.0, stop_time=3.5)
    skeleton = Skeleton(
        name="mouse", nodes=["nose", "tail"], edges=np.array([[0, 1]], dtype=np.uint8)
    )
    series = [
        PoseEstimationSeries(name=n, data=np.full((4, 2), k, float), unit="pixels", reference_frame="top-left",
                             timestamps=np.arange(4) / 10.0, confidence=np.ones(4), description=n)
        for k, n in enumerate(["nose", "tail"])
    ]  # fmt: skip
    behavior = nwbfile.create_processing_module(name="behavior", description="b")
    behavior.add(Skeletons(skeletons=[skeleton]))
    behavior.add(
        PoseEstimation(
            name="pose", pose_estimation_series=series, skeleton=skeleton, description="p"
        )
    )
    with NWBHDF5IO(str(tmp_path / "g.nwb"), "w") as io:
        io.write(nwbfile)
    assert classify_path(tmp_path / "g.nwb") == "nwb"
    dm = open_path(tmp_path / "g.nwb").dm
    assert set(dm.keys()) >= {"lfp", "xy_0", "xy_1", "trials", "camera", "pose_nose", "pose_tail"}
    np.testing.assert_array_equal(dm.get_data("lfp").values, np.arange(20.0, dtype=np.float32))
    lfp_clock = dm.clock_of("lfp")
    assert lfp_clock.sampling_rate == 100.0
    assert lfp_clock.seconds_at_index(0) == 1.0
    assert lfp_clock.seconds_at_index(19) == pytest.approx(1.19)
    assert lfp_clock.regular_form is not None  # rate + starting_time: no array of ticks
    assert dm.clock_of("xy_0").seconds_at_index(3) == 1.5
    trials = dm.get_data("trials")
    clock = dm.clock_of("trials")
    assert [clock.seconds_at_index(int(i)) for i in trials.intervals.ravel()] == [
        1.0,
        2.0,
        3.0,
        3.5,
    ]
    assert dm.get_data("camera").shape == (5, 8, 10)
    assert pose_sets(dm)["pose"].skeleton == [("nose", "tail")]
    np.testing.assert_array_equal(dm.get_data("pose_tail").at(2), [[1.0, 1.0]])


def test_series_in_containers_and_in_stored_units(tmp_path) -> None:
    """NWB's ``data * conversion + offset`` is the value in ``unit``; behaviour series usually
    sit in a ``Position`` / ``BehavioralTimeSeries`` container, not directly in a module."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.behavior import BehavioralTimeSeries, Position, SpatialSeries

    nwbfile = NWBFile(session_description="units", identifier="u1", session_start_time=START)
    counts = np.array([[70, -39], [0, 26], [-100, 99]], np.int16)
    nwbfile.add_acquisition(
        TimeSeries(name="amp", data=counts, unit="volts", rate=1000.0, conversion=0.195e-6,
                   offset=-1e-6)
    )  # fmt: skip
    behavior = nwbfile.create_processing_module(name="behavior", description="b")
    behavior.add(
        Position(spatial_series=SpatialSeries(name="head", data=np.arange(8.0).reshape(4, 2),
                                              reference_frame="arena", rate=30.0))
    )  # fmt: skip
    behavior.add(
        BehavioralTimeSeries(time_series=TimeSeries(name="licking", data=np.ones(5), unit="a.u.",
                                                    rate=30.0))
    )  # fmt: skip
    with NWBHDF5IO(str(tmp_path / "u.nwb"), "w") as io:
        io.write(nwbfile)
    dm = open_path(tmp_path / "u.nwb").dm
    np.testing.assert_allclose(
        dm.get_data("amp_1").values, counts[:, 1] * 0.195e-6 - 1e-6, rtol=1e-6
    )
    np.testing.assert_array_equal(dm.get_data("head_1").values, [1.0, 3.0, 5.0, 7.0])
    # a common multiple of the file's rates (1 kHz, 30 Hz): every sample a whole tick
    assert dm.clock_of("head_0").sampling_rate == 3000.0
    np.testing.assert_array_equal(dm.get_data("licking").values, np.ones(5, np.float32))


def test_a_video_not_downloaded_with_the_file_is_left_out_and_named(tmp_path, caplog) -> None:
    """DANDI and lab shares keep the videos an NWB file refers to as separate files."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.image import ImageSeries

    nwbfile = NWBFile(session_description="v", identifier="v1", session_start_time=START)
    nwbfile.add_acquisition(TimeSeries(name="lfp", data=np.arange(5.0), unit="V", rate=10.0))
    nwbfile.add_acquisition(
        ImageSeries(name="camera", external_file=["videos/cam.mp4"], starting_frame=[0],
                    format="external", rate=10.0, num_samples=5, unit="n.a.")
    )  # fmt: skip
    with NWBHDF5IO(str(tmp_path / "s.nwb"), "w") as io:
        io.write(nwbfile)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "s.nwb").dm
    assert "lfp" in dm
    assert "camera" not in dm
    (record,) = [r for r in caplog.records if r.name == "napari_whiskertoolbox.io"]
    assert "'camera'" in record.getMessage()
    assert str(tmp_path / "videos" / "cam.mp4") in record.getMessage()


def test_our_export_without_its_video_opens_the_rest(session, exported, tmp_path, caplog) -> None:
    """Were: a FormatError, and nothing opened, when our export travelled without its media."""
    import shutil

    (tmp_path / "downloaded").mkdir()
    moved = shutil.copy(exported, tmp_path / "downloaded" / "session.nwb")
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(moved).dm
    assert "reachingvideo1_Hand" in dm
    assert "clicks" in dm
    [missing] = [k for k in session if session.data_type(k) == "images"]  # the labelled images
    assert missing not in dm
    messages = [r.getMessage() for r in caplog.records if r.name == "napari_whiskertoolbox.io"]
    assert any(f"'{missing}'" in m and "left out" in m for m in messages)


def test_config_format_nwb_loads_one_kind(exported, tmp_path) -> None:
    item = {
        "data_type": "digital_interval",
        "name": "n",
        "format": "nwb",
        "filepath": str(exported),
    }
    (tmp_path / "c.json").write_text(json.dumps([item]))
    dm = load_config(tmp_path / "c.json")
    assert dm.keys() == ["contact"]
    assert dm.time_key("contact") == "time"


def test_cli_export_nwb(tmp_path) -> None:
    config = tmp_path / "s.json"
    np.savetxt(tmp_path / "a.csv", np.arange(10.0))
    config.write_text(json.dumps([{"data_type": "analog", "name": "a", "filepath": "a.csv"}]))
    out = tmp_path / "out.nwb"
    result = subprocess.run(
        [sys.executable, "-m", "napari_whiskertoolbox", "export-nwb", str(config), str(out), "--sampling-rate", "30000"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    dm = open_path(out).dm
    np.testing.assert_array_equal(dm.get_data("a").values, np.arange(10.0, dtype=np.float32))
    bad = subprocess.run(
        [sys.executable, "-m", "napari_whiskertoolbox", "export-nwb", str(config), str(tmp_path / "x.nwb")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "no sampling rate" in bad.stderr
    assert not (tmp_path / "x.nwb").exists()


def test_a_clock_without_rate_says_how_to_give_it_one_in_napari(tmp_path) -> None:
    """File > Save All Layers > NWB has no sampling-rate field: the message must say what a
    napari user can do (the console's ``dm``), not only ``sampling_rate=`` and the CLI."""
    dm = DataManager()
    dm.set_data("a", AnalogTimeSeries(np.arange(5.0, dtype=np.float32)))
    with pytest.raises(ValueError, match=r"clock 'time'.*dm\.set_sampling_rate\('time', 30\.0\)"):
        export_nwb(dm, tmp_path / "x.nwb")
    assert not (tmp_path / "x.nwb").exists()


def test_the_time_clock_without_rate_is_not_said_to_lack_its_own_fallback(tmp_path) -> None:
    """A session whose only clock is 'time' (a WhiskerToolbox config) must not read
    "clock 'time' has no sampling rate (neither has the 'time' clock)"; another clock still
    names the 'time' fallback it also lacks."""
    dm = DataManager()
    dm.set_data("a", AnalogTimeSeries(np.arange(5.0, dtype=np.float32)))
    with pytest.raises(ValueError, match=r"clock 'time' has no sampling rate") as err:
        export_nwb(dm, tmp_path / "x.nwb")
    assert "neither has the 'time' clock" not in str(err.value)
    dm.set_time("cam", TimeFrame(np.arange(5)))
    dm.set_data("b", AnalogTimeSeries(np.arange(5.0, dtype=np.float32)), "cam")
    dm.delete_data("a")
    with pytest.raises(
        ValueError, match=r"clock 'cam' has no sampling rate \(neither has the 'time'"
    ):
        export_nwb(dm, tmp_path / "x.nwb")


def test_a_config_video_on_a_clock_without_rate_names_its_frame_rate(wtb_data, tmp_path) -> None:
    """A 25 fps video the config puts on a clock of its own without a rate failed with the
    generic "30.0 for a 30 fps camera": the message names the video's own rate."""
    video = wtb_data / "Media" / "test_each_frame_number.mp4"
    config = tmp_path / "cam.json"
    config.write_text(
        json.dumps(
            [
                {"data_type": "time", "name": "cam", "format": "count", "count": 1000},
                {"data_type": "video", "name": "my_video", "filepath": str(video), "clock": "cam"},
            ]
        ),
        encoding="utf-8",
    )
    dm = load_config(config)
    with pytest.raises(ValueError, match=r"video 'my_video' on it runs at 25 fps") as err:
        export_nwb(dm, tmp_path / "x.nwb")
    assert "dm.set_sampling_rate('cam', 25.0)" in str(err.value)
    assert "--sampling-rate 25" in str(err.value)


def test_wtb_test_config_exports_in_its_video_s_seconds(wtb_data, tmp_path) -> None:
    """WhiskerToolbox's test config (a 25 fps video giving 'time') was refused: its clock had
    no rate. The video's clock has the video's frame rate, so the export needs none."""
    dm = load_config(wtb_data / "test_config.json")
    assert dm.get_time("time").sampling_rate == 25.0
    export_nwb(dm, tmp_path / "x.nwb", session_start_time=START)
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(tmp_path / "x.nwb"), "r") as io:
        series = io.read().acquisition["my_video"]
        assert series.rate == pytest.approx(25.0)


def test_bad_nwb_names_file(tmp_path) -> None:
    (tmp_path / "bad.nwb").write_bytes(b"not hdf5 at all")
    with pytest.raises(FormatError, match=r"bad\.nwb.*cannot read as an NWB file"):
        load_nwb_entries(tmp_path / "bad.nwb")


def test_analog_on_an_irregular_clock_gets_timestamps(tmp_path) -> None:
    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(100), sampling_rate=1000.0))
    dm.set_time("cam", TimeFrame([0, 10, 25, 30], sampling_rate=1000.0))
    dm.set_data("v", AnalogTimeSeries(np.arange(4.0)), "cam")
    dm.set_data("ev", DigitalIntervalSeries([[1, 2]]), "cam")
    export_nwb(dm, tmp_path / "i.nwb", session_start_time=START)
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(tmp_path / "i.nwb"), "r") as io:
        v = io.read().acquisition["v"]
        np.testing.assert_allclose(v.timestamps[:], [0, 0.010, 0.025, 0.030])
    back = DataManager()
    commit(back, load_nwb_entries(tmp_path / "i.nwb"))
    _same(dm.get_data("v"), back.get_data("v"), "analog")
    assert back.get_time("cam") == dm.get_time("cam")


def test_empty_events_and_intervals_export_and_read_back(tmp_path) -> None:
    dm = DataManager()
    dm.set_data("signal", AnalogTimeSeries(np.arange(10.0)))
    dm.set_data("no_events", DigitalEventSeries())
    dm.set_data("no_intervals", DigitalIntervalSeries())
    dm.set_data("events", DigitalEventSeries([1, 3]))
    dm.set_data("intervals", DigitalIntervalSeries([[1, 3]]))
    path = export_nwb(dm, tmp_path / "empty.nwb", sampling_rate=25.0)
    back = open_path(path).dm
    assert back.get_data("no_events").times.size == 0
    assert back.get_data("no_intervals").intervals.size == 0
    np.testing.assert_array_equal(back.get_data("events").times, [1, 3])
    np.testing.assert_array_equal(back.get_data("events").ids, dm.get_data("events").ids)
    np.testing.assert_array_equal(back.get_data("intervals").intervals, [[1, 3]])
    np.testing.assert_array_equal(back.get_data("intervals").ids, dm.get_data("intervals").ids)


def _pose_series(path: Path) -> dict[str, tuple[np.ndarray, str, np.ndarray]]:
    """``{node: (confidence, unit, data)}`` of every pose series of an NWB file, read by pynwb."""
    from pynwb import NWBHDF5IO

    out = {}
    with NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        for estimation in nwbfile.processing["behavior"].data_interfaces.values():
            if type(estimation).__name__ != "PoseEstimation":
                continue
            for node, s in estimation.pose_estimation_series.items():
                out[node] = (np.asarray(s.confidence[:]), s.unit, np.asarray(s.data[:]))
    return out


def test_confidence_and_units_of_another_tools_file_are_written_back(tmp_path) -> None:
    """Were: confidence 1 for every point, 'pixels' and 'a.u.' whatever the source said."""
    from pynwb import NWBHDF5IO

    write_generic_pose(tmp_path / "g.nwb")
    dm = open_path(tmp_path / "g.nwb").dm
    assert dm.get_data("emg").unit == "V"
    moved = dm.get_data("pose_ear")
    moved.set_frame(2, [[9.0, 9.0]])  # a point moved by hand: confidence 1 from now on
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    series = _pose_series(tmp_path / "out.nwb")
    np.testing.assert_allclose(series["nose"][0], [0.25, 1.0, 0.75])
    np.testing.assert_allclose(series["ear"][0], [0.15, 0.9, 1.0])
    assert series["nose"][1] == series["ear"][1] == "mm"
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r", load_namespaces=True) as io:
        assert io.read().acquisition["emg"].unit == "V"
    back = load_nwb_entries(tmp_path / "out.nwb")  # our own export: units come back too
    [emg] = [obj for key, obj in back if key == "emg" and isinstance(obj, AnalogTimeSeries)]
    assert emg.unit == "V"


def test_deeplabcut_likelihood_is_the_nwb_confidence(tmp_path) -> None:
    import pandas as pd

    columns = pd.MultiIndex.from_product(
        [["resnet50"], ["paw"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    table = pd.DataFrame(
        [[1.0, 2.0, 0.5], [3.0, 4.0, 1.0], [5.0, 6.0, 0.125]], columns=columns
    )  # a prediction of likelihood 1 stays 1; 0.5 and 0.125 stay themselves
    table.to_csv(tmp_path / "videoDLC_resnet50.csv")
    dm = make_sample_session(10)
    open_path(tmp_path / "videoDLC_resnet50.csv", dm=dm)
    [pose] = pose_sets(dm).values()
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    np.testing.assert_allclose(_pose_series(tmp_path / "out.nwb")["paw"][0], [0.5, 1.0, 0.125])
    assert pose.source["format"] == "deeplabcut"


def test_predictions_keep_their_scores_through_an_nwb_file_that_travels_alone(tmp_path) -> None:
    """Were: read back from the NWB file alone (a DANDI download), the points were labels and a
    second export wrote confidence 1 for all; an empty likelihood was exported as 1."""
    import pandas as pd

    from napari_whiskertoolbox.io.pose_scores import source_scores

    columns = pd.MultiIndex.from_product(
        [["resnet50"], ["paw"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    table = pd.DataFrame([[1.0, 2.0, 0.5], [3.0, 4.0, np.nan], [5.0, 6.0, 0.125]], columns=columns)
    table.to_csv(tmp_path / "videoDLC_resnet50.csv")
    dm = make_sample_session(10)
    open_path(tmp_path / "videoDLC_resnet50.csv", dm=dm)
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    confidence = _pose_series(tmp_path / "out.nwb")["paw"][0]
    np.testing.assert_array_equal(confidence, [0.5, np.nan, 0.125])  # unknown, not 1
    (tmp_path / "videoDLC_resnet50.csv").unlink()  # only the NWB file travels
    back = open_path(tmp_path / "out.nwb").dm
    [pose] = pose_sets(back).values()
    scores = source_scores(pose)
    assert scores is not None
    times, _, values = scores.columns[pose.require_key("", "paw")]
    np.testing.assert_array_equal(values, [0.5, np.nan, 0.125])
    paw = back.get_data(pose.require_key("", "paw"))
    assert (
        scores.score(pose.require_key("", "paw"), int(times[2]), paw.at(int(times[2]))[0]) == 0.125
    )
    export_nwb(back, tmp_path / "again.nwb", session_start_time=START)
    np.testing.assert_array_equal(_pose_series(tmp_path / "again.nwb")["paw"][0], confidence)


def test_analog_unit_round_trips_through_nwb_and_sessions(tmp_path) -> None:
    from napari_whiskertoolbox.io import load_session, save_session

    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(4), sampling_rate=100.0))
    dm.set_data("angle", AnalogTimeSeries([1.0, 2.0, 3.0, 4.0], unit="deg"))
    dm.set_data("raw", AnalogTimeSeries([1.0, 2.0, 3.0, 4.0]))
    export_nwb(dm, tmp_path / "a.nwb", session_start_time=START)
    with pynwb.NWBHDF5IO(str(tmp_path / "a.nwb"), "r") as io:
        acquisition = io.read().acquisition
        assert (acquisition["angle"].unit, acquisition["raw"].unit) == ("deg", "a.u.")
    back = dict(load_nwb_entries(tmp_path / "a.nwb"))
    assert (back["angle"].unit, back["raw"].unit) == ("deg", None)
    save_session(dm, tmp_path / "s.session")
    assert load_session(tmp_path / "s.session").get_data("angle").unit == "deg"


def test_source_software_names_the_tool_as_ndx_pose_readers_expect(tmp_path) -> None:
    """Was: 'deeplabcut' / 'nwb' (our format tags); DeepLabCut's and SLEAP's own NWB writers and
    movement say 'DeepLabCut' / 'SLEAP', and another tool's file keeps its own name."""
    import pandas as pd
    from ndx_pose import PoseEstimation, PoseEstimationSeries
    from pynwb import NWBHDF5IO, NWBFile

    columns = pd.MultiIndex.from_product(
        [["resnet50"], ["paw"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    pd.DataFrame([[1.0, 2.0, 0.5]], columns=columns).to_csv(tmp_path / "videoDLC_resnet50.csv")
    dm = make_sample_session(10)
    open_path(tmp_path / "videoDLC_resnet50.csv", dm=dm)
    nwbfile = NWBFile(session_description="pose", identifier="p2", session_start_time=START)
    series = PoseEstimationSeries(
        name="nose", data=np.array([[1.5, 2.0]]), unit="pixels", reference_frame="top-left",
        timestamps=np.array([0.0]), confidence=np.array([0.5]), description="nose",
    )  # fmt: skip
    nwbfile.create_processing_module(name="behavior", description="b").add(
        PoseEstimation(
            name="lp",
            pose_estimation_series=[series],
            description="p",
            source_software="LightningPose",
        )
    )
    with NWBHDF5IO(str(tmp_path / "lp.nwb"), "w") as io:
        io.write(nwbfile)
    open_path(tmp_path / "lp.nwb", dm=dm)
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r", load_namespaces=True) as io:
        behavior = io.read().processing["behavior"].data_interfaces
        software = {
            name: obj.source_software
            for name, obj in behavior.items()
            if type(obj).__name__ == "PoseEstimation"
        }
    assert software["video"] == "DeepLabCut"
    assert software["lp"] == "LightningPose"
    assert set(software.values()) == {"DeepLabCut", "LightningPose", "napari-whiskertoolbox"}


def test_pose_estimation_names_the_video_it_was_tracked_on(tmp_path, frame_number_video) -> None:
    """ndx-pose's source_video: a link to the ImageSeries of the video on the keypoints' clock,
    whose external_file is relative to the .nwb file (was: no video named; then the
    deprecated original_videos)."""
    import shutil

    import pandas as pd
    from pynwb import NWBHDF5IO

    video = tmp_path / "videos" / "mouse.mp4"
    video.parent.mkdir()
    shutil.copy(frame_number_video, video)
    columns = pd.MultiIndex.from_product(
        [["resnet50"], ["paw"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    table = pd.DataFrame([[1.0, 2.0, 0.9], [3.0, 4.0, 0.9]], columns=columns)
    table.to_csv(tmp_path / "videos" / "mouseDLC_resnet50.csv")
    dm = DataManager()
    open_path(video, dm=dm)
    open_path(tmp_path / "videos" / "mouseDLC_resnet50.csv", dm=dm)
    dm.set_sampling_rate(dm.time_key("media"), 30.0)
    export_nwb(dm, tmp_path / "out" / "s.nwb", session_start_time=START)
    with NWBHDF5IO(str(tmp_path / "out" / "s.nwb"), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        (pose,) = [
            obj
            for obj in nwbfile.processing["behavior"].data_interfaces.values()
            if type(obj).__name__ == "PoseEstimation"
        ]
        assert pose.source_video is nwbfile.acquisition["media"]
        assert pose.original_videos is None
        assert list(pose.source_video.external_file) == [str(Path("..") / "videos" / "mouse.mp4")]


def test_sleap_io_training_labels_nwb_opens_as_a_pose_set_on_its_video(tmp_path: Path) -> None:
    """sleap-io's ``save_nwb`` of a SLEAP project's labels writes ndx-pose ``PoseTraining``.

    Was: the file opened with nothing in it, silently (only PoseEstimation was read).
    """
    sio = pytest.importorskip("sleap_io")
    from _video_files import RATE, pattern_frame, write_frames

    video_path = write_frames(
        tmp_path / "clip.mp4", [pattern_frame(i) for i in range(8)], "libx264", "yuv420p", "gray"
    )
    skeleton = sio.Skeleton(nodes=["nose", "tail"], edges=[["nose", "tail"]])
    video = sio.load_video(str(video_path))
    tracks = [sio.Track(name="mouseA"), sio.Track(name="mouseB")]
    labelled = (2, 5, 6)
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[
                sio.Instance.from_numpy(
                    np.array([[10.5 + t + 40 * m, 20.25], [30.0 + 40 * m, 40.0 + t]]),
                    skeleton=skeleton,
                    track=tracks[m],
                )
                for m in (0, 1)
                if not (m == 1 and t == 6)  # one mouse only on frame 6
            ],
        )
        for t in labelled
    ]
    labels = sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=tracks)
    sio.save_nwb(labels, str(tmp_path / "labels.nwb"), nwb_format="annotations")

    dm = open_path(tmp_path / "labels.nwb").dm
    pose = next(iter(pose_sets(dm).values()))
    assert pose.bodyparts == ["nose", "tail"]
    assert pose.skeleton == [("nose", "tail")]
    assert len(pose.individuals) == 2  # sleap-io names instances, not tracks
    first, second = pose.individuals
    nose = dm.get_data(pose.require_key(first, "nose"))
    media_key = next(iter(dm.keys("video")))
    assert len(dm.get_data(media_key)) == 8
    video_clock = dm.get_time(dm.time_key(media_key))
    nose_clock = dm.get_time(dm.time_key(pose.require_key(first, "nose")))
    assert video_clock.sampling_rate == nose_clock.sampling_rate  # ticks of one master clock
    # each label on the tick of the video frame it labels
    ticks = nose_clock.times_at_indices(nose.times_with_data())
    assert video_clock.indices_at_times(ticks).tolist() == list(labelled)
    np.testing.assert_allclose(np.diff(video_clock.times[:2]), video_clock.sampling_rate / RATE)
    for t, frame in zip(nose.times_with_data(), labelled):
        np.testing.assert_array_equal(nose.at(int(t)), [[10.5 + frame, 20.25]])
    tail = dm.get_data(pose.require_key(second, "tail"))
    assert len(tail.times_with_data()) == 2  # the second mouse is not on frame 6


def test_a_file_with_nothing_to_open_says_so_naming_what_it_holds(tmp_path: Path) -> None:
    """Was: opened as nothing at all, no word said (as sleap-io's PoseTraining files were)."""
    from hdmf.common import DynamicTable

    nwbfile = pynwb.NWBFile(
        session_description="notes only",
        identifier="notes",
        session_start_time=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
    )
    module = nwbfile.create_processing_module("behavior", "notes")
    module.add(DynamicTable(name="notes", description="free text"))
    with pynwb.NWBHDF5IO(str(tmp_path / "notes.nwb"), "w") as io:
        io.write(nwbfile)
    with pytest.raises(FormatError, match=r"nothing to open.*processing/behavior/notes"):
        open_path(tmp_path / "notes.nwb")


def test_scorer_version_and_skeleton_name_of_another_tools_file_are_written_back(
    tmp_path,
) -> None:
    """Were: scorer and source_software_version dropped, the Skeleton renamed '<set>_skeleton'."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="pose", identifier="p3", session_start_time=START)
    skeleton = Skeleton(name="mouse", nodes=["nose", "tail"], edges=np.array([[0, 1]], "uint8"))
    series = [
        PoseEstimationSeries(
            name=n, data=np.array([[1.5, 2.0], [3.0, 4.0]]) + k, unit="pixels",
            reference_frame="top-left", timestamps=np.array([0.0, 0.04]),
            confidence=np.array([0.5, 0.25]), description=n,
        )
        for k, n in enumerate(["nose", "tail"])
    ]  # fmt: skip
    behavior = nwbfile.create_processing_module(name="behavior", description="b")
    behavior.add(Skeletons(skeletons=[skeleton]))
    behavior.add(
        PoseEstimation(
            name="PoseEstimation",
            pose_estimation_series=series,
            description="p",
            skeleton=skeleton,
            source_software="DeepLabCut",
            source_software_version="2.3.8",
            scorer="DLC_resnet50_reachingJan1shuffle1_1000",
        )
    )
    with NWBHDF5IO(str(tmp_path / "dlc.nwb"), "w") as io:
        io.write(nwbfile)
    dm = open_path(tmp_path / "dlc.nwb").dm
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r", load_namespaces=True) as io:
        estimation = io.read().processing["behavior"]["PoseEstimation"]
        assert estimation.source_software == "DeepLabCut"
        assert estimation.source_software_version == "2.3.8"
        assert estimation.scorer == "DLC_resnet50_reachingJan1shuffle1_1000"
        assert estimation.skeleton.name == "mouse"
        assert list(estimation.skeleton.nodes[:]) == ["nose", "tail"]


def _seconds(dm, key, ticks) -> np.ndarray:
    clock = dm.get_time(dm.time_key(key))
    return np.asarray(clock.times_at_indices(np.asarray(ticks)), float) / clock.sampling_rate


def test_config_items_of_another_tools_nwb_file_keep_their_seconds(tmp_path) -> None:
    """Were: bound to the config's 'time' by index (intervals 0.2-0.4 s became ticks 0-1 of a
    clock without rate, or samples of a recording's clock), the file's clock left unused."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.epoch import TimeIntervals

    nwbfile = NWBFile(session_description="s", identifier="c1", session_start_time=START)
    laser = TimeIntervals(name="laser", description="laser on")
    laser.add_interval(0.2, 0.4)
    laser.add_interval(1.25, 1.5)
    nwbfile.add_time_intervals(laser)
    nwbfile.add_acquisition(
        TimeSeries(name="lick", data=np.arange(4.0), unit="V", rate=100.0, starting_time=1.5)
    )
    with NWBHDF5IO(str(tmp_path / "session.nwb"), "w") as io:
        io.write(nwbfile)
    items = [
        {"data_type": kind, "name": "nwb", "format": "nwb", "filepath": "session.nwb"}
        for kind in ("digital_interval", "analog")
    ]
    (tmp_path / "c.json").write_text(json.dumps(items))
    dm = load_config(tmp_path / "c.json")
    intervals = dm.get_data("nwb_laser").toList()
    starts = _seconds(dm, "nwb_laser", [i.start for i in intervals])
    ends = _seconds(dm, "nwb_laser", [i.end for i in intervals])
    np.testing.assert_allclose(starts, [0.2, 1.25])
    np.testing.assert_allclose(ends, [0.4, 1.5])
    lick = dm.get_data("nwb_lick")
    np.testing.assert_allclose(_seconds(dm, "nwb_lick", lick.times), [1.5, 1.51, 1.52, 1.53])


def test_pose_series_hold_every_frame_as_movement_and_deeplabcut_read_them(tmp_path) -> None:
    """Row ``t`` of every ``PoseEstimationSeries`` is frame ``t`` (NaN where absent), at the rate.

    movement's ``from_nwb_file`` (and DeepLabCut's dlc2nwb layout) take row ``k`` as frame
    ``k`` at the series' rate and ignore timestamps. Were: only the frames a body part had,
    so a gap shifted every later point to an earlier time, and a body part with one point
    got nwbinspector's CRITICAL check_data_orientation.
    """
    from pynwb import NWBHDF5IO

    from _dlc_tables import write_two_mice_predictions

    rows = [[10.0 + t, 20, 0.9, 30, 40, 0.8, 50, 60, 0.5, 70, 80, 0.25] for t in range(6)]
    for t in (1, 2):
        rows[t][0:3] = [np.nan] * 3  # mouse1's nose missing on frames 1 and 2
    rows[4][3:6] = [np.nan] * 3  # mouse1's tail missing on frame 4
    rows[5][6:12] = [np.nan] * 6  # mouse2 gone on frame 5
    path = write_two_mice_predictions(tmp_path / "miceDLC_dlcrnet.csv", rows)
    dm = open_path(path).dm
    dm.set_sampling_rate("time", 25.0)
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r", load_namespaces=True) as io:
        behavior = io.read().processing["behavior"]
        for individual, first in (("mouse1", 0), ("mouse2", 6)):
            estimation = behavior[f"mice_{individual}"]
            for k, bodypart in enumerate(("nose", "tail")):
                series = estimation.pose_estimation_series[bodypart]
                assert series.timestamps is None
                assert (series.starting_time, series.rate) == (0.0, 25.0)
                column = np.array([r[first + 3 * k : first + 3 * k + 3] for r in rows])
                data = np.asarray(series.data[:])
                assert data.shape == (6, 2), (individual, bodypart)
                np.testing.assert_array_equal(data, column[:, :2])
                np.testing.assert_array_equal(series.confidence[:], column[:, 2])
    back = load_nwb_entries(tmp_path / "out.nwb")  # our own export: the same points
    got = dict(back)
    for key in ("mice_mouse1_nose", "mice_mouse1_tail", "mice_mouse2_nose"):
        np.testing.assert_array_equal(
            got[key].times_with_data(), dm.get_data(key).times_with_data()
        )


def test_behavioral_events_open_as_events(tmp_path) -> None:
    """``BehavioralEvents`` (pynwb's container of event times) -> event keys at those times.

    Were: an analog trace of the values (1, 1, 1) at those times. Values that differ (a
    reward's volume) are kept as well, as an analog key ``<name>_values`` on the same clock.
    """
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.behavior import BehavioralEvents

    nwbfile = NWBFile(session_description="s", identifier="e1", session_start_time=START)
    events = BehavioralEvents(name="BehavioralEvents")
    events.add_timeseries(
        TimeSeries(name="lick", data=np.ones(3), unit="n/a", timestamps=[0.5, 1.0, 2.5])
    )
    events.add_timeseries(
        TimeSeries(name="reward", data=[2.0, 4.0], unit="uL", timestamps=[1.25, 3.0])
    )
    nwbfile.create_processing_module(name="behavior", description="b").add(events)
    with NWBHDF5IO(str(tmp_path / "e.nwb"), "w") as io:
        io.write(nwbfile)
    dm = open_path(tmp_path / "e.nwb").dm
    assert sorted(dm.keys()) == ["lick", "reward", "reward_values"]
    lick = dm.get_data("lick")
    assert isinstance(lick, DigitalEventSeries)
    np.testing.assert_allclose(_seconds(dm, "lick", [int(t) for t in lick.toList()]), [0.5, 1, 2.5])
    reward = dm.get_data("reward")
    assert isinstance(reward, DigitalEventSeries)
    np.testing.assert_allclose(_seconds(dm, "reward", [int(t) for t in reward.toList()]), [1.25, 3])
    values = dm.get_data("reward_values")
    assert isinstance(values, AnalogTimeSeries)
    assert values.unit == "uL"
    np.testing.assert_array_equal(values.values, [2.0, 4.0])
    np.testing.assert_allclose(_seconds(dm, "reward_values", values.times), [1.25, 3])


def test_a_3d_pose_estimation_is_left_out_and_named_not_flattened(tmp_path, caplog) -> None:
    """(x, y, z) keypoints (Anipose, DANNCE): were read as (x, y), z silently dropped."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    nwbfile = NWBFile(session_description="s", identifier="z1", session_start_time=START)
    nwbfile.add_acquisition(TimeSeries(name="emg", data=np.arange(5.0), unit="V", rate=10.0))
    series = PoseEstimationSeries(
        name="nose", data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), unit="mm",
        reference_frame="arena centre", timestamps=np.array([0.0, 0.1]),
        confidence=np.array([0.5, 0.6]), description="nose",
    )  # fmt: skip
    nwbfile.create_processing_module(name="behavior", description="b").add(
        PoseEstimation(name="pose3d", pose_estimation_series=[series], description="3d")
    )
    with NWBHDF5IO(str(tmp_path / "z.nwb"), "w") as io:
        io.write(nwbfile)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "z.nwb").dm
    assert list(dm.keys()) == ["emg"]
    (said,) = [r.getMessage() for r in caplog.records if "pose3d" in r.getMessage()]
    assert "nose" in said
    assert "3" in said


def test_trial_columns_not_read_are_named(tmp_path, caplog) -> None:
    """Were: a trials table's own columns (outcome, stimulus) dropped without a word.

    Its 1-D columns (bool, text) are the trials' columns now; a ragged one is named."""
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="s", identifier="t1", session_start_time=START)
    nwbfile.add_trial_column(name="correct", description="outcome")
    nwbfile.add_trial_column(name="stimulus", description="which")
    nwbfile.add_trial(start_time=0.0, stop_time=1.0, correct=True, stimulus="left", tags=["a"])
    nwbfile.add_trial(start_time=2.0, stop_time=3.0, correct=False, stimulus="right", tags=["b"])
    with NWBHDF5IO(str(tmp_path / "t.nwb"), "w") as io:
        io.write(nwbfile)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "t.nwb").dm
    assert len(dm.get_data("trials").toList()) == 2
    (said,) = [r.getMessage() for r in caplog.records if "trials" in r.getMessage()]
    assert "TimeIntervals table 'trials'" in said
    assert "'tags'" in said  # ragged: not read
    assert "'stimulus'" not in said
    assert "'correct'" not in said
    columns = key_columns(dm, "trials")
    assert columns["correct"].dtype == bool
    np.testing.assert_array_equal(columns["correct"], [True, False])
    assert list(columns["stimulus"]) == ["left", "right"]


def test_time_intervals_columns_open_on_the_intervals_clock(tmp_path, caplog) -> None:
    """A trials table's 1-D columns -> the trials' columns (one value per trial, in its
    dtype, :func:`key_columns`); a TimeIntervals in a processing module opens too."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.epoch import TimeIntervals

    nwbfile = NWBFile(session_description="s", identifier="t2", session_start_time=START)
    nwbfile.add_acquisition(TimeSeries(name="emg", data=np.arange(5.0), unit="V", rate=100.0))
    nwbfile.add_trial_column(name="correct", description="outcome")
    nwbfile.add_trial_column(name="reward_volume", description="uL")
    nwbfile.add_trial_column(name="trial_type", description="which stimulus")
    for start, stop, correct, volume, kind in [
        (2.0, 2.5, True, 3.5, "go"),
        (0.5, 1.25, False, 0.0, "nogo"),  # NWB does not require sorted rows
        (1.5, 1.75, True, 2.0, "go"),
    ]:
        nwbfile.add_trial(
            start_time=start,
            stop_time=stop,
            correct=correct,
            reward_volume=volume,
            trial_type=kind,
            tags=[kind],
        )
    sleep = TimeIntervals(name="sleep_bouts", description="scored sleep")
    sleep.add_column(name="depth", description="score")
    sleep.add_interval(start_time=0.25, stop_time=0.75, depth=2)
    sleep.add_interval(start_time=3.0, stop_time=4.0, depth=3)
    nwbfile.create_processing_module(name="behavior", description="b").add(sleep)
    with NWBHDF5IO(str(tmp_path / "t.nwb"), "w") as io:
        io.write(nwbfile)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "t.nwb").dm
    assert sorted(dm.keys()) == ["emg", "sleep_bouts", "trials"]
    trials = np.asarray(dm.get_data("trials").intervals)  # in time order
    np.testing.assert_allclose(
        _seconds(dm, "trials", trials.ravel()).reshape(-1, 2),
        [[0.5, 1.25], [1.5, 1.75], [2.0, 2.5]],
    )
    assert dm.clock_of("trials").sampling_rate == 100.0  # the file's master clock
    columns = key_columns(dm, "trials")  # each trial's own values, in the trials' order
    np.testing.assert_array_equal(columns["reward_volume"], [0.0, 2.0, 3.5])
    assert columns["reward_volume"].dtype == np.float64
    np.testing.assert_array_equal(columns["correct"], [False, True, True])
    assert columns["correct"].dtype == bool
    assert list(columns["trial_type"]) == ["nogo", "go", "go"]
    sleep_bouts = np.asarray(dm.get_data("sleep_bouts").intervals)
    np.testing.assert_allclose(
        _seconds(dm, "sleep_bouts", sleep_bouts.ravel()).reshape(-1, 2), [[0.25, 0.75], [3, 4]]
    )
    depth = key_columns(dm, "sleep_bouts")["depth"]
    np.testing.assert_array_equal(depth, [2, 3])
    assert depth.dtype.kind == "i"
    said = [r.getMessage() for r in caplog.records]
    (trials_said,) = [m for m in said if "'trials'" in m]
    assert "'tags'" in trials_said  # ragged
    assert "'trial_type'" not in trials_said
    assert "'correct'" not in trials_said
    assert not [m for m in said if "sleep_bouts" in m]  # every column of it is read


def test_trial_columns_go_back_into_the_exported_trials_table(tmp_path) -> None:
    """Trials read with their columns export as a TimeIntervals with those columns again."""
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="s", identifier="t5", session_start_time=START)
    nwbfile.add_trial_column(name="correct", description="outcome")
    nwbfile.add_trial_column(name="reward_volume", description="uL")
    for start, stop, correct, volume in [(2.0, 2.5, True, 3.5), (0.5, 1.0, False, 0.0)]:
        nwbfile.add_trial(start_time=start, stop_time=stop, correct=correct, reward_volume=volume)
    with NWBHDF5IO(str(tmp_path / "t.nwb"), "w") as io:
        io.write(nwbfile)
    dm = open_path(tmp_path / "t.nwb").dm
    dm.set_data("trials_unrelated", AnalogTimeSeries(np.arange(2.0)), "trials")  # other times
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r") as io:
        table = io.read().intervals["trials"]
        assert set(table.colnames) == {
            "start_time", "stop_time", "entity_id", "correct", "reward_volume",
        }  # fmt: skip
        starts = np.asarray(table["start_time"][:])
        order = np.argsort(starts)
        np.testing.assert_allclose(starts[order], [0.5, 2.0])
        correct = np.asarray(table["correct"][:])
        assert correct.dtype == bool  # were: float32 1.0 / 0.0 (an analog key's values)
        np.testing.assert_array_equal(correct[order], [False, True])
        np.testing.assert_array_equal(np.asarray(table["reward_volume"][:])[order], [0.0, 3.5])
        assert table["correct"].description == "outcome"
    back = open_path(tmp_path / "out.nwb").dm  # our own export: the same keys, no twins
    assert sorted(back.keys()) == sorted(dm.keys())
    np.testing.assert_array_equal(key_columns(back, "trials")["reward_volume"], [0.0, 3.5])
    assert key_columns(back, "trials")["correct"].dtype == bool


def test_time_intervals_bad_rows_are_left_out_and_named(tmp_path, caplog) -> None:
    """A trial without a finite stop, or stopping before it starts, is left out of the
    intervals and of its columns' samples; the warning names table, column and row."""
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="s", identifier="t3", session_start_time=START)
    nwbfile.add_trial_column(name="lick_count", description="licks")
    nwbfile.add_trial(start_time=0.0, stop_time=1.0, lick_count=3)
    nwbfile.add_trial(start_time=2.0, stop_time=float("nan"), lick_count=9, id=17)
    nwbfile.add_trial(start_time=4.0, stop_time=3.5, lick_count=8, id=18)
    nwbfile.add_trial(start_time=5.0, stop_time=6.0, lick_count=1, id=19)
    with NWBHDF5IO(str(tmp_path / "t.nwb"), "w") as io:
        io.write(nwbfile)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "t.nwb").dm
    pairs = np.asarray(dm.get_data("trials").intervals)
    np.testing.assert_allclose(
        _seconds(dm, "trials", pairs.ravel()).reshape(-1, 2), [[0.0, 1.0], [5.0, 6.0]]
    )
    np.testing.assert_array_equal(key_columns(dm, "trials")["lick_count"], [3, 1])
    said = " | ".join(r.getMessage() for r in caplog.records if "'trials'" in r.getMessage())
    assert "TimeIntervals 'trials': 1 row(s) without a finite stop_time" in said
    assert "row 1 (id 17)" in said
    assert "whose stop_time is before their start_time" in said
    assert "row 2 (id 18): start_time 4 s, stop_time 3.5 s" in said


def test_pose_series_at_a_video_rate_keep_their_times(tmp_path) -> None:
    """A PoseEstimationSeries at 30 fps (``rate``, as DeepLabCut's NWB export writes it).

    Were: ticks of a 1 kHz master clock (pose series' rates were not counted), so frame 1 at
    1/30 s became 0.033 s, and the export wrote those rounded timestamps instead of the rate.
    """
    from ndx_pose import PoseEstimation, PoseEstimationSeries
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile(session_description="s", identifier="r1", session_start_time=START)
    series = PoseEstimationSeries(
        name="paw", data=np.array([[1.0, 2], [np.nan, np.nan], [3, 4], [5, 6]]),
        confidence=np.array([0.9, np.nan, 0.8, 0.7]), unit="pixels", reference_frame="top-left",
        rate=30.0, starting_time=0.0, description="paw",
    )  # fmt: skip
    nwbfile.create_processing_module(name="behavior", description="b").add(
        PoseEstimation(name="pose", pose_estimation_series=[series], description="p")
    )
    with NWBHDF5IO(str(tmp_path / "dlc.nwb"), "w") as io:
        io.write(nwbfile)
    dm = open_path(tmp_path / "dlc.nwb").dm
    paw = dm.get_data("pose_paw")
    np.testing.assert_allclose(
        _seconds(dm, "pose_paw", paw.times_with_data()), [0, 2 / 30, 3 / 30], rtol=0, atol=1e-12
    )
    export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r", load_namespaces=True) as io:
        out = io.read().processing["behavior"]["pose"].pose_estimation_series["paw"]
        assert out.timestamps is None
        assert (out.starting_time, out.rate) == (0.0, 30.0)
        np.testing.assert_array_equal(out.data[:], series.data)
        np.testing.assert_array_equal(out.confidence[:], series.confidence)


def _write_events_tables(path: Path) -> None:
    """Events as NWB 2.10+ writes them: ``EventsTable``s in ``/events`` (pynwb's own API)."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.event import EventsTable

    nwbfile = NWBFile(session_description="s", identifier="ev1", session_start_time=START)
    nwbfile.add_acquisition(TimeSeries(name="emg", data=np.arange(5.0), unit="V", rate=100.0))
    lick = nwbfile.create_events_table(
        name="lick", description="tongue contacts", source_description="Lickometer"
    )
    for t in (2.5, 0.5, 1.0):  # NWB does not require sorted timestamps
        lick.add_event(timestamp=t, annotation="seen on video")
    reward = EventsTable(name="reward", description="water rewards")
    reward.add_column(name="volume", description="volume in uL")
    reward.add_column(name="port", description="port number")
    reward.add_event(timestamp=3.0, duration=float("nan"), volume=4.0, port=2)
    reward.add_event(timestamp=1.25, duration=0.25, volume=2.0, port=1)
    reward.add_event(timestamp=2.0, duration=0.5, volume=4.0, port=1)
    nwbfile.add_events_table(reward)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


def test_events_tables_open_as_events_with_their_columns(tmp_path, caplog) -> None:
    """NWB's ``EventsTable`` (what replaces the deprecated ``BehavioralEvents``) -> event keys.

    1-D columns (the ``data`` of a BehavioralEvents series in NWB's migration, text such
    as ``annotation``) are kept as the events' columns (:func:`key_columns`, in their dtype),
    ``duration`` as intervals ``<table>_duration`` from each event with one.
    """
    _write_events_tables(tmp_path / "ev.nwb")
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "ev.nwb").dm
    assert sorted(dm.keys()) == ["emg", "lick", "reward", "reward_duration"]
    lick = dm.get_data("lick")
    assert isinstance(lick, DigitalEventSeries)
    assert dm.clock_of("lick").sampling_rate == 100.0  # the file's clock (emg at 100 Hz)
    np.testing.assert_allclose(_seconds(dm, "lick", lick.times), [0.5, 1.0, 2.5])
    reward = dm.get_data("reward")
    np.testing.assert_allclose(_seconds(dm, "reward", reward.times), [1.25, 2.0, 3.0])
    columns = key_columns(dm, "reward")  # in the events' (time) order
    np.testing.assert_array_equal(columns["volume"], [2.0, 4.0, 4.0])
    np.testing.assert_array_equal(columns["port"], [1, 1, 2])
    assert columns["port"].dtype.kind == "i"
    assert list(key_columns(dm, "lick")["annotation"]) == ["seen on video"] * 3
    duration = dm.get_data("reward_duration")
    assert isinstance(duration, DigitalIntervalSeries)
    seconds = _seconds(dm, "reward_duration", np.asarray(duration.intervals).ravel())
    np.testing.assert_allclose(seconds.reshape(-1, 2), [[1.25, 1.5], [2.0, 2.5]])  # NaN: none
    said = [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "'reward'" in m or "'lick'" in m]  # every column is read


def test_events_tables_elsewhere_and_bad_rows(tmp_path, caplog) -> None:
    """An EventsTable in a processing module opens too; NaN times and negative durations are
    left out, counted in a warning (were: NaN became a huge tick)."""
    from hdmf.common import VectorData
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.event import DurationVectorData, EventsTable, TimestampVectorData

    nwbfile = NWBFile(session_description="s", identifier="ev2", session_start_time=START)
    table = EventsTable(
        name="ripples",
        description="detected ripples",
        columns=[
            TimestampVectorData(
                name="timestamp", description="t", data=np.array([0.5, np.nan, 1.5, 2.0])
            ),
            DurationVectorData(
                name="duration", description="d", data=np.array([0.1, 0.2, -1.0, 0.05])
            ),
            VectorData(name="channel", description="c", data=np.array(["a", "b", "c", "d"])),
        ],
    )
    nwbfile.create_processing_module(name="ecephys", description="e").add(table)
    with NWBHDF5IO(str(tmp_path / "r.nwb"), "w") as io:
        io.write(nwbfile)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(tmp_path / "r.nwb").dm
    assert sorted(dm.keys()) == ["ripples", "ripples_duration"]
    ripples = dm.get_data("ripples")
    np.testing.assert_allclose(_seconds(dm, "ripples", ripples.times), [0.5, 1.5, 2.0])
    intervals = np.asarray(dm.get_data("ripples_duration").intervals)
    np.testing.assert_allclose(
        _seconds(dm, "ripples_duration", intervals.ravel()).reshape(-1, 2),
        [[0.5, 0.6], [2.0, 2.05]],
    )
    said = " | ".join(r.getMessage() for r in caplog.records if "ripples" in r.getMessage())
    assert "1 event(s) without a finite timestamp" in said
    assert "1 event(s) with a negative duration" in said
    assert list(key_columns(dm, "ripples")["channel"]) == ["a", "c", "d"]  # NaN row left out


def test_exported_events_are_an_events_table_pynwb_reads(tmp_path) -> None:
    """The export writes NWB's recommended form (EventsTable in /events), exact in seconds."""
    from pynwb import NWBHDF5IO
    from pynwb.event import EventsTable

    dm = DataManager()
    dm.set_data("signal", AnalogTimeSeries(np.arange(10.0)))
    dm.set_data("clicks", DigitalEventSeries([1, 3, 7]))
    dm.set_sampling_rate("time", 30_000.0)
    path = export_nwb(dm, tmp_path / "e.nwb", session_start_time=START)
    with NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwbfile = io.read()
        table = nwbfile.events["clicks"]
        assert isinstance(table, EventsTable)
        np.testing.assert_array_equal(table["timestamp"][:], np.array([1, 3, 7]) / 30_000.0)
        assert table["timestamp"].resolution == 1 / 30_000.0  # the clock's tick period
        assert not [
            name for name, obj in nwbfile.acquisition.items() if name == "clicks"
        ]  # not also as a TimeSeries
    back = open_path(path).dm
    np.testing.assert_array_equal(back.get_data("clicks").times, [1, 3, 7])
    np.testing.assert_array_equal(back.get_data("clicks").ids, dm.get_data("clicks").ids)


def test_events_tables_open_with_a_pynwb_older_than_4(tmp_path, monkeypatch) -> None:
    """pynwb 3.x (allowed by the [nwb] extra) opens an NWB 2.10+ file without its ``/events``.

    Were, with pynwb 3.0 (checked from a scratch install): our own export refused
    ("'NWBFile' object has no attribute 'events'") and a lab's EventsTables silently absent.
    The tables are read from the HDF5 file then; here pynwb 4 is made to look like 3.x.
    """
    from napari_whiskertoolbox.io import nwb_import

    _write_events_tables(tmp_path / "ev.nwb")
    ours = DataManager()
    ours.set_data("signal", AnalogTimeSeries(np.arange(10.0)))
    ours.set_data("clicks", DigitalEventSeries([1, 3, 7]))
    ours.set_sampling_rate("time", 30_000.0)
    export_nwb(ours, tmp_path / "ours.nwb", session_start_time=START)
    wanted = {
        name: sorted((k, type(o).__name__) for k, o in load_nwb_entries(tmp_path / name))
        for name in ("ev.nwb", "ours.nwb")
    }
    monkeypatch.setattr(nwb_import, "_reads_events", lambda nwbfile: False)
    for name, kinds in wanted.items():
        assert sorted((k, type(o).__name__) for k, o in load_nwb_entries(tmp_path / name)) == kinds
    dm = open_path(tmp_path / "ev.nwb").dm
    np.testing.assert_allclose(_seconds(dm, "reward", dm.get_data("reward").times), [1.25, 2, 3])
    np.testing.assert_array_equal(key_columns(dm, "reward")["volume"], [2.0, 4.0, 4.0])
    back = open_path(tmp_path / "ours.nwb").dm
    np.testing.assert_array_equal(back.get_data("clicks").times, [1, 3, 7])
    np.testing.assert_array_equal(back.get_data("clicks").ids, ours.get_data("clicks").ids)


@pytest.mark.parametrize("old_pynwb", [False, True])
def test_an_events_table_s_resolution_sets_the_master_clock(tmp_path, monkeypatch, old_pynwb):
    """Events timed on a 30 kHz acquisition clock (``resolution`` 1/30000 s) in a file whose
    only series is a 30 fps video: were rounded to whole frames (0.51723 s became 0.5333 s)."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.event import EventsTable, TimestampVectorData

    from napari_whiskertoolbox.io import nwb_import

    nwbfile = NWBFile(session_description="s", identifier="ev3", session_start_time=START)
    nwbfile.add_acquisition(TimeSeries(name="frames", data=np.arange(30.0), unit="n", rate=30.0))
    stamps = np.array([15517, 30001, 45000]) / 30_000.0
    nwbfile.add_events_table(
        EventsTable(
            name="ttl",
            description="TTL rising edges",
            columns=[
                TimestampVectorData(
                    name="timestamp", description="t", data=stamps, resolution=1 / 30_000.0
                )
            ],
        )
    )
    with NWBHDF5IO(str(tmp_path / "ttl.nwb"), "w") as io:
        io.write(nwbfile)
    if old_pynwb:
        monkeypatch.setattr(nwb_import, "_reads_events", lambda nwbfile: False)
    dm = open_path(tmp_path / "ttl.nwb").dm
    assert dm.clock_of("ttl").sampling_rate == 30_000.0
    np.testing.assert_allclose(
        _seconds(dm, "ttl", dm.get_data("ttl").times), stamps, rtol=0, atol=1e-12
    )
    frames = dm.clock_of("frames")
    assert frames.seconds_at_index(29) == pytest.approx(29 / 30.0)


def test_a_pose_estimation_of_a_camera_is_on_its_video_and_exports_name_it(
    tmp_path, frame_number_video
) -> None:
    """Were: the keypoints on a clock of their own, a .slp naming a 'video.mp4' that does not
    exist, and an NWB export without the camera, its video, or the source's texts."""
    sio = pytest.importorskip("sleap_io")
    from napari_whiskertoolbox.io.sleap import write_slp

    nwb = write_pose_on_camera_video(tmp_path, frame_number_video)
    dm = open_path(nwb).dm
    (pose,) = pose_sets(dm).values()
    key = pose.key(pose.individuals[0], "left")
    assert dm.time_key(key) == dm.time_key("video1")
    np.testing.assert_array_equal(dm.get_data(key).times_with_data(), np.arange(10, 18))

    labels = sio.load_slp(str(write_slp(dm, pose, tmp_path / "out" / "pose.slp")))
    (video,) = labels.videos
    assert video.filename == str((tmp_path / "clip.mp4").resolve())
    assert [lf.frame_idx for lf in labels.labeled_frames] == list(range(10, 18))  # video frames

    export_nwb(dm, tmp_path / "out" / "pose.nwb", session_start_time=START)
    with pynwb.NWBHDF5IO(str(tmp_path / "out" / "pose.nwb"), "r") as io:
        nwbfile = io.read()
        written = nwbfile.processing["behavior"]["PoseEstimation"]
        assert written.source_video is nwbfile.acquisition["video1"]
        assert written.device.name == "camera1"
        assert written.device.description == "side camera"
        for series in written.pose_estimation_series.values():
            assert series.confidence_definition == "softmax"
            assert series.reference_frame == "(0,0) is top left"


def test_a_slp_of_a_pose_set_on_no_video_says_it_names_none(tmp_path) -> None:
    sio = pytest.importorskip("sleap_io")
    from napari_whiskertoolbox.io.sleap import write_slp

    dm = open_path(write_generic_pose(tmp_path / "pose.nwb")).dm
    (pose,) = pose_sets(dm).values()
    with pytest.warns(UserWarning, match="names no real video"):
        write_slp(dm, pose, tmp_path / "pose.slp")
    assert sio.load_slp(str(tmp_path / "pose.slp"), open_videos=False).video.filename == "video.mp4"
