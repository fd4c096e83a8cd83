"""Every real WhiskerToolbox test file loads through a JSON config with WhiskerToolbox values."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.io import load_config


def _item(wtb_data, data_type, name, rel, **options):
    return {"data_type": data_type, "name": name, "filepath": str(wtb_data / rel), **options}


def test_points_csv_space_delimited_with_header(wtb_data, write_config):
    dm = load_config(write_config([_item(wtb_data, "points", "pt", "Points/test_point.csv")]))
    pts = dm.get_data("pt")
    times = pts.times_with_data()
    assert times[0] == 0
    assert times[-1] == 1000
    assert len(times) == 1001
    assert all(pts.count_at(t) == 1 for t in (0, 500, 1000))
    np.testing.assert_array_equal(pts.at(0), [[131, 222]])
    np.testing.assert_array_equal(pts.at(2), [[130, 222]])
    np.testing.assert_array_equal(pts.at(1000), [[129, 222]])


def test_dlc_csv_one_key_per_bodypart_with_threshold(wtb_data, write_config):
    item = _item(
        wtb_data,
        "points",
        "face",
        "Points/dlc_test.csv",
        format="dlc_csv",
        likelihood_threshold=0.5,
    )
    dm = load_config(write_config([item]))
    parts = [k.removeprefix("face_") for k in dm.keys("points")]
    # likelihoods of wp_post_left and cuetip are all ~0.0003 / 0.0016: below threshold, and
    # WhiskerToolbox registers only the body parts that keep at least one point
    assert parts == [
        "wp_cent_left", "wp_ant_left", "nose_left", "nose_tip",
        "nose_right", "wp_ant_right", "wp_cent_right", "wp_p_right",
    ]  # fmt: skip
    tip = dm.get_data("face_nose_tip")
    np.testing.assert_array_equal(tip.times_with_data(), [0, 1, 2, 3, 4])
    np.testing.assert_allclose(tip.at(0), [[363.8144531, 272.2839661]], rtol=1e-6)
    np.testing.assert_allclose(tip.at(2), [[363.9734497, 272.3464355]], rtol=1e-6)


def test_dlc_csv_without_threshold_keeps_every_row(wtb_data, write_config):
    dm = load_config(
        write_config([_item(wtb_data, "points", "f", "Points/dlc_test.csv", format="dlc_csv")])
    )
    post = dm.get_data("f_wp_post_left")
    assert post.n_entries == 5
    np.testing.assert_allclose(post.at(4), [[387.9310608, 253.9377289]], rtol=1e-6)


def test_lines_csv_several_rows_per_frame(wtb_data, write_config):
    dm = load_config(write_config([_item(wtb_data, "line", "w", "Lines/line_test_large.csv")]))
    lines = dm.get_data("w")
    np.testing.assert_array_equal(lines.times_with_data(), np.arange(10))
    assert [lines.count_at(t) for t in range(10)] == [5] * 10
    first = lines.at(0)[0]
    assert first.shape == (50, 2)
    np.testing.assert_allclose(first[0], [33.16, 1.72], rtol=1e-6)
    np.testing.assert_allclose(first[1], [42.23, 29.77], rtol=1e-6)
    last = lines.at(9)[-1]
    np.testing.assert_allclose(last[0], [77.32, 24.58], rtol=1e-6)
    np.testing.assert_allclose(last[-1], [17.22, 36.64], rtol=1e-6)


def test_analog_single_column_is_dense(wtb_data, write_config):
    dm = load_config(write_config([_item(wtb_data, "analog", "a", "Analog/single_column.csv")]))
    series = dm.get_data("a")
    assert series.is_dense
    np.testing.assert_array_equal(series.values, [1, 2, 3, 4, 5, 6])


def test_events_csv(wtb_data, write_config):
    dm = load_config(
        write_config([_item(wtb_data, "digital_event", "e", "DigitalEvents/events.csv")])
    )
    np.testing.assert_array_equal(dm.get_data("e").times, [1, 2, 3, 4, 5])


def test_events_csv_scale(wtb_data, write_config):
    item = _item(wtb_data, "digital_event", "e", "DigitalEvents/events.csv", scale=30000)
    dm = load_config(write_config([item]))
    np.testing.assert_array_equal(dm.get_data("e").times, [30000, 60000, 90000, 120000, 150000])


JUN = {
    "format": "csv",
    "csv_layout": "binary_state",
    "header_lines_to_skip": 5,
    "data_column": 1,
    "delimiter": "\t",
    "binary_threshold": 0.5,
}


def test_binary_state_intervals_as_in_whiskertoolbox_tests(wtb_data, write_config):
    item = _item(wtb_data, "digital_interval", "laser", "DigitalIntervals/jun_test.dat", **JUN)
    dm = load_config(write_config([item]))
    # column v0 is 1.0 on all 993 data rows: one interval over every row index
    np.testing.assert_array_equal(dm.get_data("laser").intervals, [[0, 992]])


def test_binary_state_all_columns(wtb_data, write_config):
    item = _item(
        wtb_data,
        "digital_interval",
        "jun",
        "DigitalIntervals/jun_test.dat",
        **JUN,
        all_columns=True,
    )
    dm = load_config(write_config([item]))
    assert dm.keys() == ["jun_v0", "jun_v1", "jun_v2", "jun_v3"]
    np.testing.assert_array_equal(dm.get_data("jun_v0").intervals, [[0, 992]])
    for key in ("jun_v1", "jun_v2", "jun_v3"):
        assert len(dm.get_data(key)) == 0


def test_binary_state_threshold_applies(wtb_data, write_config):
    item = _item(
        wtb_data, "digital_interval", "x", "DigitalIntervals/jun_test.dat",
        **{**JUN, "binary_threshold": 1.5},
    )  # fmt: skip
    dm = load_config(write_config([item]))
    assert len(dm.get_data("x")) == 0


def test_video_sets_time_clock_from_frame_count(wtb_data, write_config):
    cfg = write_config([_item(wtb_data, "video", "my_video", "Media/test_each_frame_number.mp4")])
    dm = load_config(cfg)
    media = dm.get_data("my_video")
    assert dm.data_type("my_video") == "video"
    assert len(media) == 1000
    assert len(dm.get_time("time")) == 1000
    assert dm.get_time("time").time_at_index(999) == 999


def test_whiskertoolbox_own_test_config_loads(wtb_data):
    """The test_config.json shipped with the fixtures (relative path, list form)."""
    dm = load_config(wtb_data / "test_config.json")
    assert dm.keys() == ["my_video"]
    assert len(dm.get_time("time")) == 1000
    source = dm.metadata["sources"]["my_video"]
    assert source["filepath"] == str(wtb_data / "Media" / "test_each_frame_number.mp4")


@pytest.mark.parametrize("pattern", ["Media/*.mp4", "Media/test_each_*"])
def test_glob_pattern_in_filepath(wtb_data, write_config, pattern):
    dm = load_config(write_config([_item(wtb_data, "video", "v", pattern)]))
    assert dm.get_data("v").source_path.name == "test_each_frame_number.mp4"


def test_brackets_in_folder_names_are_not_patterns(wtb_data, tmp_path):
    """``[1]`` in a folder name is a glob character class: an existing path is used as it is,
    and the config's own folder is never read as a pattern."""
    import json
    import shutil

    folder = tmp_path / "mouse [1]"
    (folder / "day [2]").mkdir(parents=True)
    shutil.copy(wtb_data / "Points" / "test_point.csv", folder / "day [2]" / "tip.csv")
    shutil.copy(wtb_data / "Media" / "test_each_frame_number.mp4", folder / "day [2]" / "v.mp4")
    items = [
        {"data_type": "points", "name": "tip", "filepath": "day [2]/tip.csv"},
        {"data_type": "video", "name": "v", "filepath": "*/v.mp4"},  # a pattern below base
    ]
    config = folder / "exp.json"
    config.write_text(json.dumps(items), encoding="utf-8")
    dm = load_config(config)
    assert len(dm.get_data("tip")) == 1001
    assert dm.get_data("v").source_path == folder / "day [2]" / "v.mp4"


def test_everything_in_one_object_form_config(wtb_data, write_config):
    doc = {
        "variables": {"DATA": str(wtb_data)},
        "data": [
            {"data_type": "video", "name": "media", "filepath": "${DATA}/Media/*.mp4"},
            {"data_type": "points", "name": "pt", "filepath": "${DATA}/Points/test_point.csv"},
            {"data_type": "line", "name": "w", "filepath": "${DATA}/Lines/line_test_large.csv"},
            {"data_type": "analog", "name": "a", "filepath": "${DATA}/Analog/single_column.csv"},
            {"data_type": "digital_event", "name": "e",
             "filepath": "${DATA}/DigitalEvents/events.csv"},
            {"data_type": "digital_interval", "name": "i",
             "filepath": "${DATA}/DigitalIntervals/jun_test.dat", **JUN},
        ],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    assert sorted(dm.keys()) == ["a", "e", "i", "media", "pt", "w"]
    assert dm.metadata["sources"]["i"]["options"]["csv_layout"] == "binary_state"


def test_multi_column_binary_format_and_its_clock(wtb_data, write_config):
    """The JSON_loading guide's spelling: format "multi_column_binary" + a time item."""
    dat = str(wtb_data / "DigitalIntervals" / "jun_test.dat")
    doc = {
        "clocks": ["daq"],
        "data": [
            {"data_type": "time", "name": "daq", "format": "multi_column_binary", "filepath": dat,
             "header_lines_to_skip": 5, "time_column": 0, "sampling_rate": 14000.0},
            {"data_type": "digital_interval", "name": "v0", "format": "multi_column_binary",
             "filepath": dat, "data_column": 1, "clock": "daq"},
        ],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    daq = dm.get_time("daq")
    assert len(daq) == 993
    # 0.000071 s * 14 kHz = 0.994 -> tick 1; the last row 0.070829 s -> tick 992
    np.testing.assert_array_equal(daq.times[:3], [0, 1, 2])
    assert daq.times[-1] == 992
    np.testing.assert_array_equal(dm.get_data("v0").intervals, [[0, 992]])
    assert dm.time_key("v0") == "daq"


def test_points_past_the_video_s_last_frame_are_kept_and_named(wtb_data, write_config):
    """WhiskerToolbox's test_point.csv has 1001 frames, its test video 1000: the point of
    frame 1000 loaded without a word, though no frame of the video ever shows it (what a
    file counting frames from 1 also looks like)."""
    from napari_whiskertoolbox.io.report import LoadReport

    items = [
        _item(wtb_data, "video", "media", "Media/test_each_frame_number.mp4"),
        _item(wtb_data, "points", "pt", "Points/test_point.csv"),
        _item(wtb_data, "line", "whisker", "Lines/line_test_large.csv", format="csv"),
        _item(wtb_data, "digital_event", "ev", "DigitalEvents/events.csv", format="csv"),
    ]
    report = LoadReport()
    dm = load_config(write_config(items), report=report)
    assert dm.get_data("pt").count_at(1000) == 1  # kept, as WhiskerToolbox keeps it
    assert [(n.item, n.message) for n in report.of_kind("clock")] == [
        (
            "[1] 'pt'",  # the list form's item
            "key 'pt': 1 entry on frame 1000, past the last frame of clock 'time' (frames "
            "0-999, from the video 'media'): kept, but no frame of the clock shows it (do "
            "the file's frames count from 1, or belong to another clock?)",
        )
    ]
    assert "past the last frame" in dm.metadata["sources"]["pt"]["notes"][-1]
    assert "notes" not in dm.metadata["sources"]["whisker"]  # lines on frames 0-9 fit
    # a session saved from it says nothing again each time it opens (batches open many)
    from napari_whiskertoolbox.io import save_session

    folder = write_config([]).parent / "s.session"
    save_session(dm, folder)
    again = LoadReport()
    reopened = load_config(folder / "session.json", report=again)
    assert reopened.get_data("pt").count_at(1000) == 1
    assert again.of_kind("clock") == []
