"""One data file opened on its own: told from its content, or read as the config item given."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.data_files import (
    data_file_item,
    guess_data_file,
    key_for_file,
    load_data_file,
)
from napari_whiskertoolbox.io.routing import DataFileNeedsItem, classify_path, open_path


@pytest.mark.parametrize(
    ("relative", "data_type", "fmt", "keys", "n"),
    [
        ("Points/test_point.csv", "points", "csv", ["test_point"], 1001),
        ("Lines/line_test_large.csv", "line", "csv", ["line_test_large"], 50),
        (
            "DigitalIntervals/jun_test.dat",
            "digital_interval",
            "multi_column_binary",
            ["jun_test"],
            1,
        ),
    ],
)
def test_content_that_leaves_no_doubt_opens_without_asking(
    wtb_data, relative, data_type, fmt, keys, n
):
    path = wtb_data / relative
    assert classify_path(path) == "data_file"
    guess = guess_data_file(path)
    assert guess.certain
    assert (guess.data_type, guess.format_for(data_type)) == (data_type, fmt)
    opened = open_path(path)
    assert opened.kind == "data_file"
    assert list(opened.keys) == keys
    dm = opened.dm
    assert dm.data_type(keys[0]) == data_type
    assert len(dm.get_data(keys[0])) == n
    source = dm.metadata["sources"][keys[0]]
    assert (source["data_type"], source["format"], source["filepath"]) == (
        data_type,
        fmt,
        str(path.resolve()),
    )


def test_deeplabcut_csv_gives_one_points_key_per_body_part(wtb_data):
    opened = open_path(wtb_data / "Points" / "dlc_test.csv")
    assert len(opened.keys) == 10
    assert all(key.startswith("dlc_test_") for key in opened.keys)  # <file stem>_<bodypart>
    assert "dlc_test_nose_tip" in opened.keys
    assert {opened.dm.data_type(key) for key in opened.keys} == {"points"}


@pytest.mark.parametrize(
    ("relative", "first"),
    [("DigitalEvents/events.csv", "digital_event"), ("Analog/single_column.csv", "analog")],
)
def test_a_column_of_numbers_needs_the_user_to_say(wtb_data, relative, first):
    path = wtb_data / relative
    guess = guess_data_file(path)
    assert not guess.certain
    assert guess.candidates[0] == first
    assert "analog" in guess.candidates
    assert guess.preview[:2] == ("1.0", "2.0")
    dm = DataManager()
    with pytest.raises(DataFileNeedsItem, match="one column of numbers") as caught:
        open_path(path, dm)
    assert caught.value.guess == guess
    assert not dm.keys()
    item = data_file_item(path, "analog", "signal")
    opened = open_path(path, dm, item=item)
    assert opened.keys == ("signal",)
    np.testing.assert_array_equal(dm.get_data("signal").values[:3], [1.0, 2.0, 3.0])


def test_fractional_values_or_the_folder_name_put_a_signal_first(tmp_path):
    """The form starts at the first candidate: WhiskerToolbox's ``Analog/single_column.csv``
    (1.0 ... 6.0) started as events. Events and clock ticks are frame numbers (whole); where the
    content allows several types, a folder named as in WhiskerToolbox's data decides."""
    fractional = tmp_path / "trace.csv"
    fractional.write_text("0.5\n1.25\n2.0\n", encoding="utf-8")
    guess = guess_data_file(fractional)
    assert guess.candidates == ("analog", "digital_event", "time")
    assert "fractional" in guess.reason
    whole = "1\n2\n5\n"
    for folder, first in [
        ("analog", "analog"),
        ("DigitalEvents", "digital_event"),
        ("Points", "digital_event"),  # points cannot be one column: the content decides
        ("session", "digital_event"),
    ]:
        path = tmp_path / folder / "column.csv"
        path.parent.mkdir()
        path.write_text(whole, encoding="utf-8")
        guess = guess_data_file(path)
        assert guess.candidates[0] == first, folder
        assert set(guess.options) == set(guess.candidates)
        assert ("its folder is named" in guess.reason) == (folder in ("analog", "DigitalEvents"))
    pairs = tmp_path / "analog" / "pairs.csv"
    pairs.write_text("start,end\n1,4\n", encoding="utf-8")
    assert guess_data_file(pairs).candidates == ("digital_interval",)  # the content is sure
    binary = tmp_path / "DigitalIntervals" / "ttl.bin"
    binary.parent.mkdir()
    np.arange(8, dtype=np.uint16).tofile(binary)
    assert guess_data_file(binary).candidates[0] == "digital_interval"


def test_two_numeric_columns_and_a_binary_file_are_asked(tmp_path):
    pairs = tmp_path / "epochs.txt"
    pairs.write_text("10 20\n30 45\n", encoding="utf-8")
    guess = guess_data_file(pairs)
    assert guess.candidates == ("digital_interval", "analog")
    # WhiskerToolbox's interval CSV skips line 1 by default: a table without header says so
    assert guess.options_for("digital_interval") == {"delimiter": " ", "skip_header": False}
    dm = DataManager()
    item = data_file_item(
        pairs, "digital_interval", "epochs", options=guess.options_for("digital_interval")
    )
    assert load_data_file(dm, item) == ["epochs"]
    assert dm.get_data("epochs").intervals.tolist() == [[10, 20], [30, 45]]
    binary = tmp_path / "amplifier.dat"
    np.arange(40, dtype=np.int16).tofile(binary)
    guess = guess_data_file(binary)
    assert not guess.certain
    assert guess.preview == ()
    assert guess.format_for("analog") == "binary"
    assert guess.format_for("digital_event") == "uint16"


def test_guessed_options_read_the_table_as_seen(tmp_path):
    """Header row and time,value columns become the options WhiskerToolbox's readers need."""
    path = tmp_path / "signal.csv"
    path.write_text("time,volts\n0,0.5\n1,0.25\n3,0.75\n", encoding="utf-8")
    guess = guess_data_file(path)
    assert guess.options_for("analog") == {"has_header": True, "single_column_format": False}
    assert guess.options_for("digital_interval") == {}  # skips line 1 by default
    dm = DataManager()
    item = data_file_item(path, "analog", "volts", options=guess.options_for("analog"))
    load_data_file(dm, item)
    np.testing.assert_array_equal(dm.get_data("volts").values, [0.5, 0.25, 0.75])
    np.testing.assert_array_equal(dm.get_data("volts").times, [0, 1, 3])


def test_a_deeplabcut_item_gets_its_pose_set_and_its_notes(tmp_path, caplog):
    from napari_whiskertoolbox.io.pose import pose_sets

    path = tmp_path / "pred.csv"
    path.write_text(
        "scorer,s,s,s,s\nbodyparts,a,a,b,b\ncoords,x,y,x,y\n0,1,2,3,4\n1,,5,6,7\n",
        encoding="utf-8",
    )
    dm = DataManager()
    keys = load_data_file(dm, data_file_item(path, "points", "pred", fmt="dlc_csv"))
    assert keys == ["pred_a", "pred_b"]
    assert pose_sets(dm)["pred"].bodyparts == ["a", "b"]
    (note,) = dm.metadata["sources"]["pred_a"]["notes"]
    assert "line 5" in note
    assert "a: NaN x or y" in note
    assert note in caplog.text


def test_header_names_the_points_columns(tmp_path):
    path = tmp_path / "tip.csv"
    path.write_text("likelihood,frame,y,x\n0.9,3,20.5,10.5\n0.8,4,21,11\n", encoding="utf-8")
    guess = guess_data_file(path)
    assert guess.data_type == "points"
    options = guess.options_for("points")
    assert options == {"delimiter": ",", "frame_column": 1, "x_column": 3}  # y: column 2
    dm = open_path(path).dm
    np.testing.assert_array_equal(dm.get_data("tip").at(3), [[10.5, 20.5]])


def test_bad_items_and_taken_keys_are_refused_naming_the_file(wtb_data, tmp_path):
    path = wtb_data / "Points" / "test_point.csv"
    dm = open_path(path).dm
    with pytest.raises(FormatError, match="already exists"):
        load_data_file(dm, data_file_item(path, "points", "test_point"))
    with pytest.raises(FormatError, match="item fields"):
        data_file_item(path, "points", "p", options={"clock": "camera"})
    with pytest.raises(FormatError, match="no clock 'camera'"):
        load_data_file(dm, data_file_item(path, "points", "p", clock="camera"))
    with pytest.raises(FormatError, match=r"test_point\.csv"):
        load_data_file(dm, data_file_item(path, "digital_interval", "wrong"))
    assert dm.keys() == ["test_point"]
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(FormatError, match="empty"):
        guess_data_file(empty)


def test_key_for_file_makes_a_free_identifier(tmp_path):
    dm = DataManager()
    assert key_for_file(dm, tmp_path / "2p cell #3.csv") == "_2p_cell_3"
    assert key_for_file(dm, tmp_path / "tip.csv") == "tip"
    dm.set_data("tip", _points())
    assert key_for_file(dm, tmp_path / "tip.csv") == "tip_2"


def _points():
    from napari_whiskertoolbox.core import PointData

    return PointData()


def test_an_empty_key_saved_alone_reopens_as_the_same_kind(tmp_path):
    """A header-only file: the header the writer of each kind writes says which it is."""
    from napari_whiskertoolbox.core import LineData, MaskData, PointData
    from napari_whiskertoolbox.io import write_key

    dm = DataManager()
    for key, empty in (("whisker", LineData()), ("tip", PointData()), ("pad", MaskData())):
        dm.set_data(key, empty)
        write_key(dm, key, tmp_path / f"{key}.csv", "csv")
        again = open_path(tmp_path / f"{key}.csv").dm
        assert again.data_type(key) == dm.data_type(key)
        assert len(again.get_data(key)) == 0
    # WhiskerToolbox's own points saver writes a lower-case comma header: still points
    (tmp_path / "wt_points.csv").write_text("frame,x,y\n", encoding="utf-8")
    assert open_path(tmp_path / "wt_points.csv").dm.data_type("wt_points") == "points"


def test_repeated_intervals_are_dropped_and_the_note_names_their_lines(tmp_path, caplog):
    path = tmp_path / "contact.csv"
    path.write_text("Start,End\n10,20\n30,40\n10,20\n50,60\n30,40\n", encoding="utf-8")
    dm = DataManager()
    load_data_file(dm, data_file_item(path, "digital_interval", "contact"))
    np.testing.assert_array_equal(dm.get_data("contact").intervals, [[10, 20], [30, 40], [50, 60]])
    (note,) = dm.metadata["sources"]["contact"]["notes"]
    assert "exact duplicate of an earlier interval" in note
    assert "lines 4, 6" in note
    assert note in caplog.text


def test_a_mask_csv_opened_beside_a_video_takes_the_video_s_image_size(tmp_path, wtb_data):
    """A mask CSV opened beside a video had no image size, so label_image() failed; it
    annotates the video's frames and takes their size, unless its item gives one."""
    from napari_whiskertoolbox.io import load_config

    video = wtb_data / "Media" / "test_each_frame_number.mp4"
    config = tmp_path / "exp.json"
    config.write_text(json.dumps([{"data_type": "video", "name": "media", "filepath": str(video)}]))
    (tmp_path / "pad.csv").write_text('Frame,RLE\n3,"10,20,5"\n', encoding="utf-8")
    dm = load_config(config)
    _, height, width = dm.get_data("media").shape[:3]
    open_path(tmp_path / "pad.csv", dm)
    mask = dm.get_data("pad")
    assert tuple(mask.image_size) == (width, height)
    assert mask.label_image(3).sum() == 5
    sized = data_file_item(tmp_path / "pad.csv", "mask", "own", options={"height": 9, "width": 40})
    load_data_file(dm, sized)
    assert tuple(dm.get_data("own").image_size) == (40, 9)


def test_a_mask_without_an_image_size_says_how_to_give_it_one():
    from napari_whiskertoolbox.core import MaskData

    with pytest.raises(ValueError, match=r"mask.image_size = \(width, height\).*'height' and"):
        MaskData().label_image(0)
