"""Broken input for every reader raises FormatError naming the file and line or item."""

from __future__ import annotations

import re

import numpy as np
import pytest

from napari_whiskertoolbox.io import FormatError, load_config


def _load_item(write_config, data_type, target, name="k", **options):
    return load_config(
        write_config([{"data_type": data_type, "name": name, "filepath": str(target), **options}])
    )


def _expect(write_config, data_type, target, pattern, line=None, **options):
    with pytest.raises(FormatError) as info:
        _load_item(write_config, data_type, target, **options)
    message = str(info.value)
    assert target.name in message, message
    assert "config item [0] 'k'" in message, message
    if line is not None:
        assert f"line {line}" in message, message
    assert re.search(pattern, message), message
    assert isinstance(info.value, ValueError)
    return message


# ---- missing files -------------------------------------------------------------------

MISSING = [
    ("points", {}),
    ("points", {"format": "dlc_csv"}),
    ("line", {}),
    ("mask", {}),
    ("analog", {}),
    ("analog", {"format": "binary"}),
    ("digital_event", {}),
    ("digital_interval", {}),
    ("digital_interval", {"csv_layout": "binary_state"}),
    ("tensor", {}),
    ("video", {}),
    ("time", {"format": "uint16"}),
]


@pytest.mark.parametrize(("data_type", "options"), MISSING)
def test_missing_file(tmp_path, write_config, data_type, options):
    _expect(write_config, data_type, tmp_path / "nope.csv", r"does not exist|expected", **options)


# ---- points --------------------------------------------------------------------------


def test_points_non_numeric(tmp_path, write_config):
    (tmp_path / "p.csv").write_text("Frame X Y\n0 1 2\n1 abc 2\n")
    _expect(write_config, "points", tmp_path / "p.csv", "expected an x coordinate, found 'abc'", 3)


def test_points_too_few_columns(tmp_path, write_config):
    (tmp_path / "p.csv").write_text("0 1 2\n1 5\n")
    _expect(write_config, "points", tmp_path / "p.csv", "expected at least 3 columns, found 2", 2)


def test_points_empty_file(tmp_path, write_config):
    (tmp_path / "p.csv").write_text("")
    _expect(write_config, "points", tmp_path / "p.csv", "empty")


def test_points_binary_garbage(tmp_path, write_config):
    (tmp_path / "p.csv").write_bytes(b"0 1 2\n\xff\xfe\x00\x81garbage")
    _expect(write_config, "points", tmp_path / "p.csv", "UTF-8", 2)


# ---- DeepLabCut ----------------------------------------------------------------------


def test_dlc_truncated_header(tmp_path, write_config):
    (tmp_path / "d.csv").write_text("scorer,s,s,s\nbodyparts,a,a,a\n")
    _expect(
        write_config, "points", tmp_path / "d.csv", "3 DeepLabCut header rows", format="dlc_csv"
    )


def test_dlc_wrong_column_count(tmp_path, write_config):
    text = "scorer,s,s,s\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,2,0.9\n1,1,2\n"
    (tmp_path / "d.csv").write_text(text)
    _expect(
        write_config,
        "points",
        tmp_path / "d.csv",
        "expected 4 columns, found 3",
        5,
        format="dlc_csv",
    )


def test_dlc_non_numeric(tmp_path, write_config):
    text = "scorer,s,s,s\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,oops,0.9\n"
    (tmp_path / "d.csv").write_text(text)
    _expect(write_config, "points", tmp_path / "d.csv", "found 'oops'", 4, format="dlc_csv")


def test_dlc_missing_coordinate(tmp_path, write_config):
    # x, y without likelihood is DeepLabCut's labelled-data layout (valid); y is required.
    (tmp_path / "d.csv").write_text("scorer,s,s\nbodyparts,a,a\ncoords,x,likelihood\n0,1,2\n")
    _expect(write_config, "points", tmp_path / "d.csv", "missing \\['y'\\]", 3, format="dlc_csv")


# ---- lines ---------------------------------------------------------------------------


def test_lines_non_numeric_coordinate_names_line(tmp_path, write_config):
    text = 'Frame,X,Y\n0,"1,2,3","4,5,6"\n1,"1,2,x3","4,5,6"\n'
    (tmp_path / "l.csv").write_text(text)
    _expect(write_config, "line", tmp_path / "l.csv", "found 'x3'", 3)


def test_lines_x_y_count_mismatch(tmp_path, write_config):
    (tmp_path / "l.csv").write_text('Frame,X,Y\n0,"1,2,3","4,5"\n')
    _expect(write_config, "line", tmp_path / "l.csv", "3 x and 2 y", 2)


def test_lines_wrong_column_count(tmp_path, write_config):
    (tmp_path / "l.csv").write_text('Frame,X,Y\n0,"1,2","3,4"\n1,"1,2"\n')
    _expect(write_config, "line", tmp_path / "l.csv", "expected 3 columns", 3)


def test_lines_truncated_quote(tmp_path, write_config):
    (tmp_path / "l.csv").write_text('Frame,X,Y\n0,"1,2","3,4"\n1,"1,2')
    _expect(write_config, "line", tmp_path / "l.csv", "expected 3 columns", 3)


def test_lines_non_numeric_frame(tmp_path, write_config):
    (tmp_path / "l.csv").write_text('Frame,X,Y\nzero,"1,2","3,4"\n')
    _expect(write_config, "line", tmp_path / "l.csv", "expected a frame number", 2)


def test_lines_folder_bad_file_name(tmp_path, write_config):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "first.csv").write_text("X,Y\n1,2\n")
    with pytest.raises(FormatError, match=r"first\.csv.*frame number"):
        _load_item(write_config, "line", folder)


def test_lines_folder_bad_value(tmp_path, write_config):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "0000003.csv").write_text("X,Y\n1,2\n1,?\n")
    with pytest.raises(FormatError, match=r"0000003\.csv', line 3: expected a y coordinate"):
        _load_item(write_config, "line", folder)


# ---- masks ---------------------------------------------------------------------------


def test_mask_rle_not_triplets(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\n0,"1,2,3"\n1,"1,2,3,4"\n')
    _expect(write_config, "mask", tmp_path / "m.csv", "triplets", 3)


def test_mask_rle_non_numeric(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\n0,"1,b,3"\n')
    _expect(write_config, "mask", tmp_path / "m.csv", "found 'b'", 2)


def test_mask_rle_wrong_columns(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\n0,"1,2,3",9\n')
    _expect(write_config, "mask", tmp_path / "m.csv", "expected 2 columns", 2)


def test_mask_image_garbage(tmp_path, write_config):
    folder = tmp_path / "masks"
    folder.mkdir()
    (folder / "mask_0001.png").write_bytes(b"not a png at all")
    with pytest.raises(FormatError, match=r"mask_0001\.png.*readable image"):
        _load_item(write_config, "mask", folder, format="image")


# ---- analog --------------------------------------------------------------------------


def test_analog_non_numeric(tmp_path, write_config):
    (tmp_path / "a.csv").write_text("1.0\n2.0\nNaNx\n")
    _expect(write_config, "analog", tmp_path / "a.csv", "expected an analog value", 3)


def test_analog_ragged_columns(tmp_path, write_config):
    (tmp_path / "a.csv").write_text("0,1.0\n1,2.0\n2\n")
    _expect(write_config, "analog", tmp_path / "a.csv", "expected 2 columns, found 1", 3)


def test_analog_times_not_increasing(tmp_path, write_config):
    (tmp_path / "a.csv").write_text("0,1.0\n5,2.0\n5,3.0\n")
    _expect(write_config, "analog", tmp_path / "a.csv", "increasing", 3)


def test_analog_binary_size_not_multiple(tmp_path, write_config):
    (tmp_path / "a.bin").write_bytes(b"\x00" * 7)
    _expect(
        write_config, "analog", tmp_path / "a.bin", "multiple of 4", format="binary", num_channels=2
    )


def test_analog_binary_unknown_dtype(tmp_path, write_config):
    (tmp_path / "a.bin").write_bytes(b"\x00" * 8)
    _expect(
        write_config, "analog", tmp_path / "a.bin", "binary data type", format="binary",
        binary_data_type="int128",
    )  # fmt: skip


def test_option_of_wrong_type(tmp_path, write_config):
    (tmp_path / "a.bin").write_bytes(b"\x00" * 8)
    with pytest.raises(FormatError, match="option 'num_channels' to be int"):
        _load_item(write_config, "analog", tmp_path / "a.bin", format="binary", num_channels="2")


# ---- events / intervals --------------------------------------------------------------


def test_events_non_numeric(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("1\n2\nthree\n")
    _expect(write_config, "digital_event", tmp_path / "e.csv", "expected an event time", 3)


def test_events_missing_identifier_column(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("1,a\n2\n")
    _expect(
        write_config, "digital_event", tmp_path / "e.csv", "at least 2 columns", 2,
        identifier_column=1,
    )  # fmt: skip


def test_intervals_end_before_start(tmp_path, write_config):
    (tmp_path / "i.csv").write_text("0,5\n9,3\n")
    _expect(write_config, "digital_interval", tmp_path / "i.csv", "start <= end", 2)


def test_intervals_one_column(tmp_path, write_config):
    (tmp_path / "i.csv").write_text("0,5\n9\n")
    _expect(write_config, "digital_interval", tmp_path / "i.csv", "expected 2 columns", 2)


def test_intervals_non_numeric(tmp_path, write_config):
    (tmp_path / "i.csv").write_text("0,5\n9,x\n")
    _expect(write_config, "digital_interval", tmp_path / "i.csv", "interval end, found 'x'", 2)


def test_binary_state_too_few_header_lines(tmp_path, write_config):
    (tmp_path / "s.dat").write_text("date\ntime\n")
    _expect(
        write_config, "digital_interval", tmp_path / "s.dat", "5 header lines",
        csv_layout="binary_state", header_lines_to_skip=5,
    )  # fmt: skip


def test_binary_state_non_numeric(tmp_path, write_config):
    (tmp_path / "s.dat").write_text("Time\tv0\n0.0\t1\n0.1\tx\n")
    _expect(
        write_config, "digital_interval", tmp_path / "s.dat", "numeric state", 3,
        csv_layout="binary_state",
    )  # fmt: skip


def test_unknown_csv_layout(tmp_path, write_config):
    (tmp_path / "s.dat").write_text("0,1\n")
    with pytest.raises(FormatError, match="unknown csv_layout 'weird'"):
        _load_item(write_config, "digital_interval", tmp_path / "s.dat", csv_layout="weird")


# ---- tensors -------------------------------------------------------------------------


def test_tensor_garbage(tmp_path, write_config):
    (tmp_path / "t.npy").write_bytes(b"\x93NUMPY garbage")
    _expect(write_config, "tensor", tmp_path / "t.npy", "npy")


def test_tensor_pickle_refused(tmp_path, write_config):
    np.save(tmp_path / "t.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    _expect(write_config, "tensor", tmp_path / "t.npy", "numeric .npy|pickle")


def test_tensor_row_label_count(tmp_path, write_config):
    np.save(tmp_path / "t.npy", np.zeros((3, 2)))
    (tmp_path / "rows.txt").write_text("1\n2\n")
    with pytest.raises(FormatError, match=r"rows\.txt.*expected 3 row labels"):
        _load_item(write_config, "tensor", tmp_path / "t.npy", row_labels="rows.txt")


# ---- media ---------------------------------------------------------------------------


def test_video_garbage_file(tmp_path, write_config):
    (tmp_path / "v.mp4").write_bytes(b"\x00\x01 definitely not a video" * 10)
    _expect(write_config, "video", tmp_path / "v.mp4", "video|media")


# ---- clocks --------------------------------------------------------------------------


def test_clock_that_never_gets_values(tmp_path, write_config):
    np.zeros(50, dtype=np.uint16).tofile(tmp_path / "ttl.bin")
    doc = {"clocks": [{"name": "camera", "filepath": str(tmp_path / "ttl.bin"), "channel": 1}]}
    with pytest.raises(FormatError) as info:
        load_config(write_config(doc))
    message = str(info.value)
    assert "clocks[0] 'camera'" in message
    assert "ttl.bin" in message
    assert "never gets values" in message


def test_item_bound_to_undefined_clock(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("1\n")
    with pytest.raises(FormatError, match=r"\[0\] 'k'.*clock 'camera' is never defined"):
        _load_item(write_config, "digital_event", tmp_path / "e.csv", clock="camera")


def test_ttl_odd_byte_count(tmp_path, write_config):
    (tmp_path / "ttl.bin").write_bytes(b"\x00\x01\x00")
    with pytest.raises(FormatError, match=r"ttl\.bin.*whole number of uint16"):
        load_config(
            write_config(
                [{"data_type": "time", "name": "c", "filepath": str(tmp_path / "ttl.bin")}]
            )
        )


# ---- the JSON config itself ----------------------------------------------------------


def test_bad_json_reports_line_and_column(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text('[\n  {"data_type": "points",\n   "name": "p" "filepath": "x.csv"}\n]\n')
    with pytest.raises(FormatError) as info:
        load_config(cfg)
    assert "c.json', line 3" in str(info.value)
    assert "column 16" in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(FormatError, match=r"nothing\.json.*does not exist"):
        load_config(tmp_path / "nothing.json")


def test_unknown_data_type(tmp_path, write_config):
    with pytest.raises(FormatError, match=r"\[0\] 'k'.*unknown data_type 'whiskers'"):
        _load_item(write_config, "whiskers", tmp_path / "x.csv")


def test_unknown_format(tmp_path, write_config):
    with pytest.raises(FormatError, match=r"\[0\] 'k'.*unknown format 'hdf5' for data_type 'line'"):
        _load_item(write_config, "line", tmp_path / "x.h5", format="hdf5")


def test_item_without_name(write_config):
    with pytest.raises(FormatError, match=r"config item \[0\].*non-empty string 'name'"):
        load_config(write_config([{"data_type": "points", "filepath": "p.csv"}]))


def test_item_not_an_object(write_config):
    with pytest.raises(FormatError, match=r"config item data\[1\].*expected an object"):
        load_config(write_config({"data": [{"data_type": "time", "name": "t", "count": 3}, 5]}))


def test_undefined_variable(write_config, monkeypatch):
    monkeypatch.delenv("WTB_SURELY_UNSET", raising=False)
    doc = {"data": [{"data_type": "points", "name": "p", "filepath": "${WTB_SURELY_UNSET}/p.csv"}]}
    with pytest.raises(FormatError, match=r"data\[0\] 'p'.*\$\{WTB_SURELY_UNSET\} is not defined"):
        load_config(write_config(doc))


def test_unknown_top_level_key(write_config):
    with pytest.raises(FormatError, match="unknown top-level keys"):
        load_config(write_config({"data": [], "dta": []}))


def test_glob_matching_nothing(tmp_path, write_config):
    with pytest.raises(FormatError, match=r"pattern .*\*\.mp4.* matches nothing"):
        _load_item(write_config, "video", tmp_path / "*.mp4")


def test_duplicate_keys(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("1\n")
    item = {"data_type": "digital_event", "name": "e", "filepath": str(tmp_path / "e.csv")}
    with pytest.raises(FormatError, match="key 'e' is produced twice"):
        load_config(write_config([item, item]))
