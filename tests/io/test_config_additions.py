"""Keys a config lacks are saved into it as new items, their files beside it, all or nothing."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    ArrayMedia,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
    TensorData,
    TimeFrame,
)
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io import write_back as write_back_module
from napari_whiskertoolbox.io.config_additions import config_text_with, loader_drops
from napari_whiskertoolbox.io.same_content import content_difference
from napari_whiskertoolbox.io.write_back import plan_write_back, write_back

PAD = np.array([[4, 10], [4, 11], [5, 10]], dtype=np.uint32)


@pytest.fixture
def experiment(tmp_path, wtb_data):
    """A WhiskerToolbox config of video, lines, events, intervals and analog, as users write."""
    for relative, name in (
        ("Lines/line_test_large.csv", "whiskers.csv"),
        ("DigitalEvents/events.csv", "licks.csv"),
        ("Analog/single_column.csv", "angle.csv"),
    ):
        shutil.copy(wtb_data / relative, tmp_path / name)
    (tmp_path / "contact.csv").write_text("Start,End\n1,5\n10,20\n", encoding="utf-8")
    video = wtb_data / "Media" / "test_each_frame_number.mp4"
    text = (
        "[\n"
        f'  {{"data_type": "video", "name": "media", "filepath": "{video}"}},\n'
        '  {"data_type": "line", "name": "whisker", "filepath": "whiskers.csv", '
        '"format": "csv", "color": "#00ff00"},\n'
        '  {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv", '
        '"format": "csv"},\n'
        '  {"data_type": "digital_interval", "name": "contact", "filepath": "contact.csv", '
        '"format": "csv"},\n'
        '  {"data_type": "analog", "name": "angle", "filepath": "angle.csv", "format": "csv"}\n'
        "]\n"
    )
    config = tmp_path / "exp.json"
    config.write_text(text, encoding="utf-8")
    return config


def _paint_pad_and_edit_a_line(dm):
    pad = MaskData()
    pad.set_image_size((640, 480))  # as the Data browser's New… gives it the video's size
    dm.set_data("pad", pad, dm.time_key("media"))
    pad.add(3, PAD)
    whisker = dm.get_data("whisker")
    (entity,) = whisker.ids_at(0)[:1]
    whisker.update(int(entity), np.array([[1.5, 2.5], [3.5, 4.25]], dtype=np.float32))
    return int(entity)


def test_a_new_mask_key_is_added_as_an_item_and_edited_lines_go_back(experiment, tmp_path):
    before = experiment.read_text(encoding="utf-8")
    dm = load_config(experiment)
    _paint_pad_and_edit_a_line(dm)
    plan = plan_write_back(dm, ["pad", "whisker"], config=experiment)
    assert plan.possible
    assert plan.writes == {"whisker": tmp_path / "whiskers.csv"}
    assert list(plan.additions) == ["pad"]
    written = write_back(dm, plan)
    assert written == [tmp_path / "whiskers.csv", tmp_path / "pad.csv", experiment]
    after = experiment.read_text(encoding="utf-8")
    # the user's items are kept byte for byte; the new one is appended
    assert after.startswith(before.rstrip()[:-1].rstrip() + ",\n")
    assert json.loads(after)[:-1] == json.loads(before)
    assert json.loads(after)[-1] == {
        "data_type": "mask",
        "name": "pad",
        "filepath": "pad.csv",
        "format": "csv",
        "height": 480,
        "width": 640,  # WhiskerToolbox's options for the size its mask CSV does not hold
    }
    again = load_config(experiment)
    assert again.get_data("pad").image_size == dm.get_data("pad").image_size
    assert again.keys() == dm.keys()
    assert again.time_key("pad") == dm.time_key("media")
    assert sorted(map(tuple, again.get_data("pad").at(3)[0])) == sorted(map(tuple, PAD))
    np.testing.assert_array_equal(again.get_data("whisker").at(0)[0], [[1.5, 2.5], [3.5, 4.25]])
    assert len(again.get_data("whisker")) == len(dm.get_data("whisker"))
    assert not list(tmp_path.glob(".*wtb-*"))  # no staged or backup file left
    # once in the config the key is written back into its own file, the config untouched
    dm.get_data("pad").add(7, PAD[:1])
    second = plan_write_back(dm, ["pad"], config=experiment)
    assert second.writes == {"pad": tmp_path / "pad.csv"}
    assert not second.additions
    write_back(dm, second)
    assert experiment.read_text(encoding="utf-8") == after
    np.testing.assert_array_equal(load_config(experiment).get_data("pad").at(7)[0], PAD[:1])


def test_an_object_config_keeps_its_other_content_and_order(tmp_path, wtb_data):
    shutil.copy(wtb_data / "DigitalEvents" / "events.csv", tmp_path / "licks.csv")
    doc = {
        "variables": {"ROOT": "."},
        "data": [
            {"data_type": "digital_event", "name": "licks", "filepath": "${ROOT}/licks.csv",
             "format": "csv"},
        ],
        "python": {"required_imports": ["numpy"]},
    }  # fmt: skip
    config = tmp_path / "exp.json"
    config.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    dm = load_config(config, allow_python=False)
    values = np.array([0.5, 1.25, 2.0], dtype=np.float32)
    dm.set_data("angle", AnalogTimeSeries(values, np.array([2, 5, 9])), "time")
    write_back(dm, plan_write_back(dm, ["angle"], config=config))
    after = json.loads(config.read_text(encoding="utf-8"))
    assert list(after) == list(doc)
    assert {k: v for k, v in after.items() if k != "data"} == {
        k: v for k, v in doc.items() if k != "data"
    }
    assert after["data"][0] == doc["data"][0]
    assert "clock" not in after["data"][1]  # WhiskerToolbox's default clock
    assert after["data"][1]["single_column_format"] is False  # times kept with the values
    assert config.read_text(encoding="utf-8").startswith('{\n  "variables"')
    again = load_config(config, allow_python=False)
    np.testing.assert_array_equal(again.get_data("angle").values, values)
    np.testing.assert_array_equal(again.get_data("angle").times, [2, 5, 9])
    assert again.time_key("angle") == "time"


def test_keys_a_config_item_cannot_bring_back_are_refused_naming_why(experiment):
    dm = load_config(experiment)
    dm.set_time("ephys", TimeFrame(np.arange(100)))
    dm.set_data("spikes", AnalogTimeSeries(np.zeros(100, np.float32)), "ephys")
    dm.set_data("frames", ArrayMedia(np.zeros((3, 4, 5), np.uint8)), "time")
    plan = plan_write_back(dm, ["spikes", "frames"], config=experiment)
    assert plan.refused == {
        "spikes": "is on clock 'ephys', which exp.json does not define",
        "frames": "is new media, which a config item names by its video or image files; "
        "add it by hand",
    }
    assert not plan.additions


def test_a_failed_replacement_puts_every_file_back(experiment, tmp_path, monkeypatch):
    # The disk refuses the last step (the config): the lines already replaced get their
    # content back and the new mask file goes.
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    dm = load_config(experiment)
    _paint_pad_and_edit_a_line(dm)
    plan = plan_write_back(dm, ["pad", "whisker"], config=experiment)
    real_replace = os.replace

    def replace(source, target):
        if str(target) == str(experiment):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(write_back_module.os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        write_back(dm, plan)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == files
    assert "pad" not in (dm.metadata.get("sources") or {})


def test_a_new_key_that_would_not_read_back_writes_nothing(experiment, tmp_path):
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    dm = load_config(experiment)
    _paint_pad_and_edit_a_line(dm)
    # a NaN point: the new item's loader skips NaN rows (nan_handling "Skip"), so it
    # cannot go back
    bad = PointData()
    bad.add(2, [[1.0, 2.0], [np.nan, 3.0]])
    dm.set_data("bad", bad, "time")
    plan = plan_write_back(dm, ["pad", "whisker", "bad"], config=experiment)
    with pytest.raises(FormatError, match=r"NaN coordinate .first at frame 2.: nan_handling"):
        write_back(dm, plan)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == files


def test_a_compact_list_config_stays_compact(tmp_path):
    config = tmp_path / "c.json"
    config.write_text('[{"data_type": "video", "name": "m", "filepath": "v.mp4"}]', "utf-8")
    text = config_text_with(config, [{"data_type": "mask", "name": "pad"}])
    assert text == (
        '[{"data_type": "video", "name": "m", "filepath": "v.mp4"}, '
        '{"data_type": "mask", "name": "pad"}]'
    )


def test_a_key_on_a_clock_of_the_config_is_added_with_it(tmp_path, write_config):
    np.zeros(50, "<u2").tofile(tmp_path / "cam.bin")
    (tmp_path / "licks.csv").write_text("1\n2\n", encoding="utf-8")
    config = write_config(
        {
            "data": [
                {"data_type": "time", "name": "cam", "format": "uint16_length",
                 "filepath": "cam.bin"},
                {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv",
                 "format": "csv", "clock": "cam"},
            ],
            "python_code": "dm.set_data('smooth', AnalogTimeSeries(np.zeros(3)))",
        },
        name="exp.json",
    )  # fmt: skip
    dm = load_config(config, allow_python=False)
    touch = DigitalIntervalSeries()
    touch.add(3, 7)
    dm.set_data("touch", touch, "cam")
    dm.set_data("smooth", AnalogTimeSeries(np.ones(3, np.float32)), "time")
    plan = plan_write_back(dm, ["touch", "smooth"], config=config)
    assert plan.refused == {
        "smooth": "is made by the transformations or python code of exp.json when it loads "
        "(an item for it would be replaced)"
    }
    plan.refused.clear()
    write_back(dm, plan)
    assert json.loads(config.read_text(encoding="utf-8"))["data"][2]["clock"] == "cam"
    again = load_config(config, allow_python=False)
    assert again.time_key("touch") == "cam"
    np.testing.assert_array_equal(again.get_data("touch").intervals, [[3, 7]])


def _line():
    lines = LineData()
    lines.add(4, np.array([[1.5, 2.0], [3.0, 4.75], [5.0, 6.0]], dtype=np.float32))
    return lines


def _points():
    points = PointData()
    points.add(1, np.array([[1.25, 2.5]], dtype=np.float32))
    return points


def _intervals():
    intervals = DigitalIntervalSeries()
    intervals.add(2, 5)
    intervals.add(9, 9)
    return intervals


NEW_KEYS = {
    "line": _line,
    "points": _points,
    "digital_event": lambda: DigitalEventSeries([3, 9, 20]),
    "digital_interval": _intervals,
    "analog": lambda: AnalogTimeSeries(np.array([0.1, 0.2, 0.3], dtype=np.float32)),
    "tensor": lambda: TensorData(np.arange(6, dtype=np.float32).reshape(3, 2)),
}


@pytest.mark.parametrize("data_type", list(NEW_KEYS))
def test_a_new_key_of_each_kind_reads_back_from_its_new_item(data_type, experiment):
    dm = load_config(experiment)
    dm.set_data("added", NEW_KEYS[data_type](), "time")
    plan = plan_write_back(dm, ["added"], config=experiment)
    assert plan.additions["added"].raw["data_type"] == data_type
    write_back(dm, plan)
    again = load_config(experiment)
    assert content_difference(dm.get_data("added"), again.get_data("added")) is None


def test_loader_drops_names_the_frames_whiskertoolbox_reads_one_point_of():
    """WhiskerToolbox's points CSV loader keeps the first row of each frame."""
    nose = PointData()
    nose.add(3, np.array([[249.5, 249.5], [199.6, 259.5]], dtype=np.float32))
    nose.add(7, np.array([[10.0, 20.0]], dtype=np.float32))
    assert loader_drops("points", "csv", nose) == (
        "has several points on 1 frame (2 on frame 3), and WhiskerToolbox's points CSV "
        "loader keeps only the first point of each frame"
    )
    nose.add(9, np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32))
    assert loader_drops("points", "csv", nose).startswith(
        "has several points on 2 frames (2 on frame 3, …)"
    )
    single = PointData()
    single.add(3, np.array([[1.0, 2.0]], dtype=np.float32))
    assert loader_drops("points", "csv", single) is None
    assert loader_drops("points", "dlc_csv", nose) is None


def _points_config(tmp_path, rows):
    (tmp_path / "nose.csv").write_text("Frame X Y\n" + rows, encoding="utf-8")
    config = tmp_path / "pts.json"
    config.write_text(
        '[{"data_type": "points", "name": "nose", "filepath": "nose.csv", "format": "csv"}]\n',
        encoding="utf-8",
    )
    return config


def test_a_points_file_repeating_frames_is_written_back_whole(tmp_path):
    """Frames the file repeats (read here with a note) are all written back."""
    config = _points_config(tmp_path, "3 10 20\n3 12 22\n7 11 21\n")
    dm = load_config(config)
    dm.get_data("nose").add(9, np.array([[50.0, 60.0]], dtype=np.float32))
    plan = plan_write_back(dm, ["nose"], config=config)
    assert not plan.refused
    write_back(dm, plan)
    assert load_config(config).get_data("nose").to_flat().times.tolist() == [3, 3, 7, 9]
