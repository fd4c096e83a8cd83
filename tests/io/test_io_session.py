"""save_session / load_session: exact round trip, media references, folder hygiene."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.entity import allocate_ids
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.media import ArrayMedia
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io import FormatError, load_config, load_session, save_session
from napari_whiskertoolbox.media import open_media


def build_rich_dm(tmp_path, video_path=None) -> DataManager:
    """A DataManager with every data type, two clocks, groups and nested metadata."""
    rng = np.random.default_rng(42)
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=500.0))
    dm.set_time("master", TimeFrame(np.arange(0, 30000 * 2, 60), sampling_rate=30000.0))
    points = PointData(image_size=(640, 480))
    for t in range(0, 100, 3):
        points.add(t, rng.uniform(0, 400, (2, 2)))
    lines = LineData.from_flat(
        np.repeat(np.arange(50), 2),
        rng.uniform(0, 600, (100 * 7, 2)),
        offsets=np.arange(0, 700, 7),
        image_size=(640, 480),
    )
    lines.set_frame(3, [rng.uniform(0, 9, (4, 2))])  # an edit held in the overlay
    masks = MaskData(image_size=(64, 48))
    masks.add(5, rng.random((48, 64)) > 0.8)
    masks.add(5, rng.random((48, 64)) > 0.9)
    dm.set_data("points", points)
    dm.set_data("whisker", lines)
    dm.set_data("mask", masks)
    dm.set_data("angle", AnalogTimeSeries(rng.normal(size=1000)))
    dm.set_data("voltage", AnalogTimeSeries(rng.normal(size=50), np.arange(0, 5000, 100)), "master")
    raw = np.arange(40, dtype=np.int16)
    dm.set_data("raw", AnalogTimeSeries.from_raw(raw, scale=0.25, offset=-1.0))
    dm.set_data("licks", DigitalEventSeries([3, 50, 700]))
    dm.set_data("contact", DigitalIntervalSeries([[0, 10], [11, 20], [40, 50]]))
    dm.set_data("trials", DigitalIntervalSeries([[0, 10], [5, 20]], layout="overlapping"), "master")
    dm.set_data(
        "features",
        TensorData(
            rng.normal(size=(4, 3)), column_names=["a", "b", "c"], row_type="time",
            rows=[1, 2, 3, 4],
        ),
    )  # fmt: skip
    dm.set_data("frames", ArrayMedia(rng.integers(0, 255, (5, 8, 6), dtype=np.uint8)))
    if video_path is not None:
        dm.set_data("media", open_media(video_path))
    dm.groups.create("good", [int(points.ids_at(0)[0]), int(lines.ids_at(3)[0])])
    dm.groups.create("empty", [])
    dm.metadata["ui"] = {"lanes": ["angle", "licks"], "colors": {"angle": "#ff0000"}}
    dm.metadata["note"] = "ünïcode ✓"
    return dm


def test_round_trip_is_exact(tmp_path, assert_dm_equal, frame_number_video):
    dm = build_rich_dm(tmp_path, frame_number_video)
    config = save_session(dm, tmp_path / "s")
    assert config == tmp_path / "s" / "session.json"
    assert not dm.modified
    back = load_session(tmp_path / "s")
    assert_dm_equal(dm, back)
    assert not back.modified
    assert not back.history.can_undo
    assert back.get_data("media").source_path == frame_number_video.resolve()
    assert back.get_data("media")[10].shape == (480, 640)


def test_session_config_is_whiskertoolbox_style(tmp_path):
    dm = build_rich_dm(tmp_path)
    save_session(dm, tmp_path / "s")
    doc = json.loads((tmp_path / "s" / "session.json").read_text())
    items = {item["name"]: item for item in doc["data"]}
    assert items["whisker"]["data_type"] == "line"
    assert items["whisker"]["format"] == "wtb_npy"
    assert items["whisker"]["filepath"].startswith("data/")
    assert items["voltage"]["clock"] == "master"
    assert items["frames"]["format"] == "npy"
    assert {c["name"] for c in doc["clocks"]} == {"time", "master"}
    # the same file is a valid config for load_config
    assert sorted(load_config(tmp_path / "s" / "session.json").keys()) == sorted(dm.keys())


def test_entity_ids_are_kept_and_reserved(tmp_path):
    dm = build_rich_dm(tmp_path)
    save_session(dm, tmp_path / "s")
    saved_max = max(int(dm.get_data(k).to_flat().ids.max()) for k in ("points", "whisker", "mask"))
    back = load_session(tmp_path / "s")
    np.testing.assert_array_equal(
        back.get_data("whisker").ids_at(3), dm.get_data("whisker").ids_at(3)
    )
    assert int(allocate_ids(1)[0]) > saved_max
    members = back.groups.members("good")
    assert (
        back.get_data("whisker").find(int(members.max())) is not None
        or back.get_data("points").find(int(members.max())) is not None
    )


def test_resave_removes_files_nothing_points_at(tmp_path, assert_dm_equal):
    dm = build_rich_dm(tmp_path)
    save_session(dm, tmp_path / "s")
    first = set((tmp_path / "s" / "data").iterdir())
    data_dir = tmp_path / "s" / "data"
    (data_dir / ".licks-0123456789.times.npy.x1y2.tmp").write_bytes(b"junk from a killed save")
    (data_dir / "users_own_notes.txt").write_text("not ours: never deleted")
    dm.get_data("licks").add(999)
    dm.delete_data("mask")
    save_session(dm, tmp_path / "s")
    assert (data_dir / "users_own_notes.txt").read_text() == "not ours: never deleted"
    second = set(data_dir.iterdir()) - {data_dir / "users_own_notes.txt"}
    assert not first & second
    doc = json.loads((tmp_path / "s" / "session.json").read_text())
    referenced = {
        item["filepath"].split("/")[-1].split(".")[0]
        for item in doc["data"] + doc["clocks"]
        if "filepath" in item  # a counting clock is its count
    }
    assert {p.name.split(".")[0] for p in second} == referenced
    assert_dm_equal(dm, load_session(tmp_path / "s"))


def test_non_json_metadata_fails_and_keeps_the_old_session(tmp_path, assert_dm_equal):
    dm = build_rich_dm(tmp_path)
    save_session(dm, tmp_path / "s")
    old = load_session(tmp_path / "s")
    dm.metadata["bad"] = object()
    with pytest.raises(FormatError, match=r"session\.json.*JSON values"):
        save_session(dm, tmp_path / "s")
    assert_dm_equal(old, load_session(tmp_path / "s"))


def test_sources_of_a_loaded_config_survive_a_session(tmp_path, wtb_data, write_config):
    cfg = write_config(
        [
            {
                "data_type": "line",
                "name": "w",
                "filepath": str(wtb_data / "Lines" / "line_test_large.csv"),
            }
        ]
    )
    dm = load_config(cfg)
    save_session(dm, tmp_path / "s")
    back = load_session(tmp_path / "s")
    assert back.metadata["sources"]["w"]["filepath"].endswith("line_test_large.csv")


def test_load_session_missing_folder(tmp_path):
    with pytest.raises(FormatError, match=r"nowhere.*session\.json"):
        load_session(tmp_path / "nowhere")


def test_load_session_with_deleted_data_file(tmp_path):
    dm = build_rich_dm(tmp_path)
    save_session(dm, tmp_path / "s")
    victim = next(p for p in (tmp_path / "s" / "data").iterdir() if ".coords." in p.name)
    victim.unlink()
    with pytest.raises(FormatError, match=r"'coords'"):
        load_session(tmp_path / "s")


def test_autosave_style_save_keeps_modified_flag(tmp_path, assert_dm_equal):
    dm = build_rich_dm(tmp_path)
    assert dm.modified
    save_session(dm, tmp_path / "autosave", mark_saved=False)
    assert dm.modified
    assert_dm_equal(dm, load_session(tmp_path / "autosave"))


def test_keys_that_sanitise_to_the_same_file_name(tmp_path, assert_dm_equal):
    dm = DataManager()
    for key, times in {"a/b": [1], "a_b": [2], "A_B": [3], "a:b": [4]}.items():
        dm.set_data(key, DigitalEventSeries(times))
    dm.set_time("a/b", TimeFrame.from_count(3))
    save_session(dm, tmp_path / "s")
    assert_dm_equal(dm, load_session(tmp_path / "s"))


def test_a_session_file_without_its_data_list_is_an_error(tmp_path) -> None:
    import numpy as np

    from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
    from napari_whiskertoolbox.io import FormatError, load_session, save_session
    from napari_whiskertoolbox.io.routing import open_path

    dm = DataManager()
    dm.set_data("a", AnalogTimeSeries(np.arange(4.0)))
    folder = tmp_path / "x.session"
    save_session(dm, folder)
    document = folder / "session.json"
    document.write_text(document.read_text().replace('"data"', '"dat"', 1))
    for load in (load_session, open_path):
        with pytest.raises(
            FormatError, match=r"session\.json.*'data' list|'data' list.*session\.json"
        ):
            load(folder)


@pytest.mark.parametrize("target", ["session.json", "folder"])
def test_saving_over_a_file_that_is_not_a_session_refuses(tmp_path, wtb_data, target):
    """A WhiskerToolbox config (no 'version') chosen as the target, or named session.json
    in the chosen folder, is never replaced; nothing is written."""
    config = tmp_path / "project" / "session.json"
    config.parent.mkdir()
    text = (wtb_data / "test_config.json").read_text()
    config.write_text(text)
    dm = DataManager()
    dm.set_data("licks", DigitalEventSeries([3, 50]))
    with pytest.raises(FormatError, match="not a session saved by") as info:
        save_session(dm, config if target == "session.json" else config.parent)
    assert str(config) in str(info.value)
    assert config.read_text() == text
    assert sorted(p.name for p in config.parent.iterdir()) == ["session.json"]
    assert dm.modified


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"lanes": {"a": np.float32(1)}}, r"dm\.metadata\['ui'\]\['lanes'\]\['a'\]"),
        ({1: "red"}, r"dm\.metadata\['ui'\] key 1"),  # json.dumps would reload it as "1"
        ([0.5, float("nan")], r"dm\.metadata\['ui'\]\[1\]"),
    ],
)
def test_metadata_json_cannot_hold_exactly_is_refused_naming_where(tmp_path, value, where):
    dm = DataManager()
    dm.metadata["ui"] = value
    with pytest.raises(FormatError, match=where):
        save_session(dm, tmp_path / "s")
    assert not (tmp_path / "s" / "session.json").exists()


def test_a_counting_clock_is_saved_as_its_count(tmp_path):
    """Spike times as sample numbers of a 19-hour 30 kHz recording: the session holds the
    clock's length, not 16 GB of times 0 .. n-1 (save took 64 s and 15.6 GB, load was killed)."""
    dm = DataManager()
    dm.set_data("spikes", DigitalEventSeries([5, 2_000_000_000]))
    dm.set_time("camera", TimeFrame([0, 10, 20], sampling_rate=30000.0))
    save_session(dm, tmp_path / "s")
    (time_item, camera_item) = json.loads((tmp_path / "s" / "session.json").read_text())["clocks"]
    assert time_item == {"name": "time", "format": "count", "count": 2_000_000_001}
    assert "count" not in camera_item
    loaded = load_session(tmp_path / "s")
    assert loaded.get_time("time").is_counting
    assert loaded.get_time("time") == dm.get_time("time")
    assert loaded.get_time("camera") == dm.get_time("camera")
    np.testing.assert_array_equal(loaded.get_data("spikes").times, [5, 2_000_000_000])


def test_an_empty_clock_saves_and_loads(tmp_path):
    """An empty clock with an empty series on it (saved as a tick file, it made the session
    unloadable: "the clock never gets values")."""
    dm = DataManager()
    dm.set_time("camera", TimeFrame(np.array([], np.int64), sampling_rate=30.0))
    dm.set_data("licks", DigitalEventSeries([]), "camera")
    save_session(dm, tmp_path / "s")
    loaded = load_session(tmp_path / "s")
    assert len(loaded.get_time("camera")) == 0
    assert loaded.get_time("camera").sampling_rate == 30.0
    assert loaded.time_key("licks") == "camera"


def test_the_empty_automatic_clock_keeps_its_sampling_rate(tmp_path):
    dm = DataManager()
    dm.set_sampling_rate("time", 500.0)
    dm.set_time("camera", TimeFrame(np.arange(3)))
    dm.set_data("licks", DigitalEventSeries([1]), "camera")
    save_session(dm, tmp_path / "s")
    assert load_session(tmp_path / "s").get_time("time").sampling_rate == 500.0


@pytest.mark.parametrize("count", [-1, 2.5, "10"])
def test_a_bad_clock_count_names_the_option(tmp_path, count):
    dm = DataManager()
    dm.set_data("spikes", DigitalEventSeries([5]))
    save_session(dm, tmp_path / "s")
    config = tmp_path / "s" / "session.json"
    document = json.loads(config.read_text())
    document["clocks"][0]["count"] = count
    config.write_text(json.dumps(document))
    with pytest.raises(FormatError, match="count"):
        load_session(tmp_path / "s")
