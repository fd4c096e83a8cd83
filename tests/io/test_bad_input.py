"""Broken input for every reader raises FormatError naming the file and line or item."""

from __future__ import annotations

import re

import numpy as np
import pytest

from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.report import LoadReport


def _load_item(write_config, data_type, target, name="k", **options):
    return load_config(
        write_config([{"data_type": data_type, "name": name, "filepath": str(target), **options}])
    )


def _one(data_type, target, name="k", **options):
    return {"data_type": data_type, "name": name, "filepath": str(target), **options}


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


def test_a_missing_file_is_named_with_what_may_be_meant(tmp_path, write_config):
    """Was only 'the path does not exist': a misspelt file name or folder went unexplained."""
    (tmp_path / "whisker_points.csv").write_text("0 1 2\n")
    with pytest.raises(FormatError, match=r"does not exist \(did you mean 'whisker_points\.csv'\?\)"):  # fmt: skip
        load_config(write_config([{"data_type": "points", "name": "p", "filepath": "whisker_pionts.csv"}]))  # fmt: skip
    with pytest.raises(FormatError, match=r"does not exist \(there is no folder 'Pts' in '"):
        load_config(write_config([{"data_type": "points", "name": "p", "filepath": "Pts/a/p.csv"}]))  # fmt: skip
    (tmp_path / "ev_2.csv").write_text("1\n")  # a series' file is no misspelling of ev_3.csv
    with pytest.raises(FormatError, match=r"ev_3\.csv'?: expected a file or folder, the path does not exist$"):  # fmt: skip
        load_config(write_config([{"data_type": "digital_event", "name": "e", "filepath": "ev_3.csv"}]))  # fmt: skip


# ---- points --------------------------------------------------------------------------


def test_points_non_numeric(tmp_path, write_config):
    (tmp_path / "p.csv").write_text("Frame X Y\n0 1 2\n1 abc 2\n")
    _expect(write_config, "points", tmp_path / "p.csv", "expected an x coordinate, found 'abc'", 3)


def test_points_too_few_columns_are_skipped_and_reported(tmp_path, write_config):
    """WhiskerToolbox reuses the previous row's cells for a short row; we skip it and say so."""
    (tmp_path / "p.csv").write_text("0 1 2\n1 5\n2 3 4\n")
    report = LoadReport()
    dm = load_config(write_config([_one("points", tmp_path / "p.csv")]), report=report)
    np.testing.assert_array_equal(dm.get_data("k").times_with_data(), [0, 2])
    assert report.skipped("[0] 'k'") == 1
    assert report.of_kind("skipped")[0].lines == (2,)


SHORT_ROWS = [  # (data type, file text, options, the hint the skip note gives)
    # WhiskerToolbox's own points saver writes commas; its points loader splits on spaces
    ("points", "frame,x,y\n0,1.5,2.5\n1,3,4\n", {}, 'at \',\'; set "column_delim": ","'),
    ("points", "0\t1\t2\n1\t3\t4\n", {"column_delim": ","}, 'at tab; set "column_delim": "\\t"'),
    ("points", "scorer,DLC,DLC\nbodyparts,a,a\ncoords,x,y\n0,1,2\n", {}, '"format": "dlc_csv"'),
    ("digital_event", "1\tu1\n2\tu2\n", {"identifier_column": 1, "delimiter": ","}, "at tab"),
    (
        "analog",
        "0 1.5\n1 2.5\n",
        {"single_column_format": False, "delimiter": ","},
        'at space; set "delimiter": " "',
    ),
    ("digital_interval", "Start End\n1 5\n8 9\n", {"delimiter": ","}, 'set "delimiter": " "'),
]


@pytest.mark.parametrize(
    ("data_type", "text", "options", "hint"),
    SHORT_ROWS,
    ids=["points-comma", "points-tab", "points-dlc", "events", "analog", "intervals"],
)
def test_rows_all_short_at_the_wrong_delimiter_say_which_one_splits_them(
    tmp_path, write_config, data_type, text, options, hint
):
    """Every row short: the note names the delimiter that splits them (the load kept nothing)."""
    (tmp_path / "f.csv").write_text(text)
    report = LoadReport()
    try:
        load_config(write_config([_one(data_type, tmp_path / "f.csv", **options)]), report=report)
    except FormatError as exc:  # an analog file with no value fails, naming the first skip
        message = str(exc)
    else:
        (note,) = report.of_kind("skipped")
        message = note.message
    assert "fewer than" in message, message
    assert hint in message, message


def test_points_empty_file_loads_empty(tmp_path, write_config):
    """WhiskerToolbox registers an empty object for an empty point file."""
    (tmp_path / "p.csv").write_text("")
    dm = load_config(write_config([_one("points", tmp_path / "p.csv")]))
    assert dm.get_data("k").n_entries == 0


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


def test_dlc_without_likelihood_always_passes(tmp_path, write_config):
    # x, y without likelihood is DeepLabCut's labelled-data layout (valid): no threshold applies.
    (tmp_path / "d.csv").write_text("scorer,s,s\nbodyparts,a,a\ncoords,x,y\n0,1,2\n")
    item = _one("points", tmp_path / "d.csv", format="dlc_csv", likelihood_threshold=0.9)
    dm = load_config(write_config([item]))
    np.testing.assert_array_equal(dm.get_data("k_a").at(0), [[1, 2]])


def test_dlc_missing_y(tmp_path, write_config):
    (tmp_path / "d.csv").write_text("scorer,s,s\nbodyparts,a,a\ncoords,x,likelihood\n0,1,2\n")
    message = _expect(write_config, "points", tmp_path / "d.csv", "x and y", 3, format="dlc_csv")
    assert "missing ['y']" in message, message


# ---- lines ---------------------------------------------------------------------------


def test_lines_non_numeric_coordinate_names_line(tmp_path, write_config):
    text = 'Frame,X,Y\n0,"1,2,3","4,5,6"\n1,"1,2,x3","4,5,6"\n'
    (tmp_path / "l.csv").write_text(text)
    _expect(write_config, "line", tmp_path / "l.csv", "found 'x3'", 3)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('Frame,X,Y\n0,"1,2","3,4"\n1,"1,2,3","4,5"\n', "different lengths"),
        ('Frame,X,Y\n0,"1,2","3,4"\n1,"1,2"\n', "two quoted lists"),
        ('Frame,X,Y\n0,"1,2","3,4"\n1,"1,2', "two quoted lists"),
    ],
)
def test_lines_rows_whiskertoolbox_skips_are_reported(tmp_path, write_config, text, reason):
    (tmp_path / "l.csv").write_text(text)
    report = LoadReport()
    dm = load_config(write_config([_one("line", tmp_path / "l.csv")]), report=report)
    assert dm.get_data("k").n_entries == 1
    (note,) = report.of_kind("skipped")
    assert reason in note.message
    assert note.lines == (3,)
    assert "l.csv', line 3" in str(note)


def test_lines_non_numeric_frame(tmp_path, write_config):
    (tmp_path / "l.csv").write_text('Frame,X,Y\nzero,"1,2","3,4"\n')
    _expect(write_config, "line", tmp_path / "l.csv", "expected a frame number", 2)


def test_lines_folder_skips_bad_names_and_rows(tmp_path, write_config):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "first.csv").write_text("X,Y\n1,2\n")
    (folder / "0000003.csv").write_text("X,Y\n1,2\n1,?\n3,4\n")
    report = LoadReport()
    dm = load_config(write_config([_one("line", folder, multi_file=True)]), report=report)
    np.testing.assert_array_equal(dm.get_data("k").at(3)[0], [[1, 2], [3, 4]])
    assert report.skipped() == 2


# ---- masks ---------------------------------------------------------------------------


def test_mask_rle_not_triplets(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\n0,"1,2,3"\n1,"1,2,3,4"\n')
    _expect(write_config, "mask", tmp_path / "m.csv", "triplets", 3)


def test_mask_rle_non_numeric(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\n0,"1,b,3"\n')
    _expect(write_config, "mask", tmp_path / "m.csv", "found 'b'", 2)


def test_mask_rle_extra_cells_are_ignored(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\n0,"1,2,3",9\n')
    dm = load_config(write_config([_one("mask", tmp_path / "m.csv")]))
    np.testing.assert_array_equal(dm.get_data("k").at(0)[0], [[2, 1], [3, 1], [4, 1]])


def test_mask_rle_non_numeric_frame(tmp_path, write_config):
    (tmp_path / "m.csv").write_text('Frame,RLE\nzero,"1,2,3"\n')
    _expect(write_config, "mask", tmp_path / "m.csv", "frame number", 2)


def test_mask_image_garbage(tmp_path, write_config):
    folder = tmp_path / "masks"
    folder.mkdir()
    (folder / "0001.png").write_bytes(b"not a png at all")
    with pytest.raises(FormatError, match=r"0001\.png.*readable image"):
        _load_item(write_config, "mask", folder, format="image")


# ---- analog --------------------------------------------------------------------------


def test_analog_non_numeric_row_is_skipped(tmp_path, write_config):
    (tmp_path / "a.csv").write_text("1.0\n2.0\nNaNx\n")
    report = LoadReport()
    dm = load_config(write_config([_one("analog", tmp_path / "a.csv")]), report=report)
    np.testing.assert_array_equal(dm.get_data("k").values, [1, 2])
    assert report.of_kind("skipped")[0].lines == (3,)


def test_analog_short_row_is_skipped(tmp_path, write_config):
    (tmp_path / "a.csv").write_text("0,1.0\n1,2.0\n2\n")
    item = _one("analog", tmp_path / "a.csv", single_column_format=False)
    report = LoadReport()
    dm = load_config(write_config([item]), report=report)
    np.testing.assert_array_equal(dm.get_data("k").times, [0, 1])
    assert report.skipped() == 1


def test_analog_nothing_to_read(tmp_path, write_config):
    (tmp_path / "a.csv").write_text("value\nx\n")
    _expect(write_config, "analog", tmp_path / "a.csv", "found none")


def test_analog_binary_partial_frame_is_reported(tmp_path, write_config):
    (tmp_path / "a.bin").write_bytes(b"\x00" * 7)
    report = LoadReport()
    dm = load_config(
        write_config([_one("analog", tmp_path / "a.bin", format="binary", num_channels=2)]),
        report=report,
    )
    assert len(dm.get_data("k_0")) == 1
    assert report.skipped() == 1


def test_analog_binary_unknown_dtype(tmp_path, write_config):
    (tmp_path / "a.bin").write_bytes(b"\x00" * 8)
    with pytest.raises(FormatError, match=r"\[0\] 'k'.*'binary_data_type'.*'int128'"):
        _load_item(write_config, "analog", tmp_path / "a.bin", format="binary",
                   binary_data_type="int128")  # fmt: skip


def test_option_of_wrong_type(tmp_path, write_config):
    (tmp_path / "a.bin").write_bytes(b"\x00" * 8)
    with pytest.raises(FormatError, match="option 'num_channels' to be int"):
        _load_item(write_config, "analog", tmp_path / "a.bin", format="binary", num_channels="2")


# ---- events / intervals --------------------------------------------------------------


def test_events_non_numeric_is_skipped(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("1\n2\nthree\n")
    report = LoadReport()
    dm = load_config(write_config([_one("digital_event", tmp_path / "e.csv")]), report=report)
    np.testing.assert_array_equal(dm.get_data("k").times, [1, 2])
    assert report.of_kind("skipped")[0].lines == (3,)


def test_events_nan_is_refused(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("1\nnan\n")
    _expect(write_config, "digital_event", tmp_path / "e.csv", "finite event time", 2)


def test_events_none_at_all(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("time\n")
    _expect(write_config, "digital_event", tmp_path / "e.csv", "found none")


def test_intervals_end_before_start(tmp_path, write_config):
    (tmp_path / "i.csv").write_text("0,5\n9,3\n")
    _expect(write_config, "digital_interval", tmp_path / "i.csv", "start <= end", 2)


@pytest.mark.parametrize("bad_row", ["9", "9,x"])
def test_intervals_bad_rows_are_skipped(tmp_path, write_config, bad_row):
    (tmp_path / "i.csv").write_text(f"Start,End\n0,5\n{bad_row}\n")
    report = LoadReport()
    dm = load_config(write_config([_one("digital_interval", tmp_path / "i.csv")]), report=report)
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[0, 5]])
    assert report.of_kind("skipped")[0].lines == (3,)


def test_binary_state_too_few_header_lines(tmp_path, write_config):
    (tmp_path / "s.dat").write_text("date\ntime\n")
    _expect(
        write_config, "digital_interval", tmp_path / "s.dat", "5 header lines",
        csv_layout="binary_state", header_lines_to_skip=5,
    )  # fmt: skip


def test_binary_state_non_numeric_row_is_skipped(tmp_path, write_config):
    (tmp_path / "s.dat").write_text("Time\tv0\n0.0\t1\n0.1\tx\n0.2\t1\n")
    report = LoadReport()
    item = _one(
        "digital_interval", tmp_path / "s.dat", csv_layout="binary_state", header_lines_to_skip=0
    )
    dm = load_config(write_config([item]), report=report)
    # the skipped row does not advance the index: rows 0 and 1 are both on
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[0, 1]])
    assert report.of_kind("skipped")[0].lines == (3,)


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
    doc = {
        "clocks": [
            {"name": "camera", "filepath": str(tmp_path / "ttl.bin"), "channel": 1,
             "transition": "rising"}
        ],
        "data": [],
    }  # fmt: skip
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


def test_ttl_odd_byte_is_ignored(tmp_path, write_config):
    (tmp_path / "ttl.bin").write_bytes(b"\x00\x00\x01\x00\x00")
    item = {"data_type": "time", "name": "c", "filepath": str(tmp_path / "ttl.bin"),
            "format": "uint16", "channel": 0, "transition": "rising"}  # fmt: skip
    np.testing.assert_array_equal(load_config(write_config([item])).get_time("c").times, [1])


@pytest.mark.parametrize("missing", ["channel", "transition"])
def test_ttl_channel_and_transition_are_required(tmp_path, write_config, missing):
    (tmp_path / "ttl.bin").write_bytes(b"\x00\x00\x01\x00")
    item = {"data_type": "digital_event", "name": "c", "filepath": str(tmp_path / "ttl.bin"),
            "format": "uint16", "channel": 0, "transition": "rising"}  # fmt: skip
    del item[missing]
    with pytest.raises(FormatError, match=rf"\[0\] 'c'.*option '{missing}'.*required"):
        load_config(write_config([item]))


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
    (tmp_path / "x.cp").write_bytes(b"")
    with pytest.raises(FormatError, match=r"\[0\] 'k'.*unknown format 'capnproto' for data_type"):
        _load_item(write_config, "line", tmp_path / "x.cp", format="capnproto")
    # the names of WhiskerToolbox's guide its loader rejects say what to write instead
    with pytest.raises(
        FormatError, match=r"'int16'.*use 'format': 'binary' with 'binary_data_type'"
    ):
        _load_item(write_config, "analog", tmp_path / "x.cp", format="int16")
    with pytest.raises(FormatError, match=r"'point' \(did you mean 'points'\?\)"):
        _load_item(write_config, "point", tmp_path / "x.cp", format="csv")


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


def test_unknown_top_level_key_is_reported(write_config, caplog):
    report = LoadReport()
    load_config(write_config({"data": [], "dta": []}), report=report)
    (note,) = report.of_kind("unknown_option")
    assert "'dta'" in note.message
    assert "'dta'" in caplog.text


def test_a_misspelt_item_option_is_named_with_the_closest_option(tmp_path, write_config):
    """Was only 'ignored (known: ...)': a misspelt likelihood_threshold loads every prediction."""
    (tmp_path / "e.csv").write_text("1\n2\n")
    item = {"data_type": "digital_event", "name": "e", "filepath": str(tmp_path / "e.csv")}
    report = LoadReport()
    load_config(write_config([{**item, "scael": 2.0}]), report=report)
    (note,) = report.of_kind("unknown_option")
    assert "option 'scael' is not read by digital_event csv and is ignored (did you mean 'scale'?)" in note.message  # fmt: skip


@pytest.mark.parametrize(
    ("data_type", "text"),
    [
        ("points", "frame,x,y\n0,1.0,2.0\n"),
        ("line", "frame,x,y\n0,1.0,2.0\n"),
        ("mask", "0,1,2\n"),
    ],
)
def test_a_misspelt_colour_is_named_with_the_color_field(tmp_path, write_config, data_type, text):
    """'colour' on a points/line/mask item: the note listed options without 'color', no hint."""
    (tmp_path / "d.csv").write_text(text)
    item = {"data_type": data_type, "name": "d", "filepath": str(tmp_path / "d.csv")}
    report = LoadReport()
    load_config(write_config([{**item, "colour": "#ff8800"}]), report=report)
    (note,) = report.of_kind("unknown_option")
    assert "option 'colour'" in note.message
    assert "(did you mean 'color'?)" in note.message
    assert "color)" in note.message  # the known options end with the item's color field


def test_glob_matching_nothing(tmp_path, write_config):
    with pytest.raises(FormatError, match=r"pattern .*\*\.mp4.* matches nothing"):
        _load_item(write_config, "video", tmp_path / "*.mp4")


def test_duplicate_keys_later_entry_wins(tmp_path, write_config):
    """WhiskerToolbox: a later entry with the same key replaces the earlier object."""
    (tmp_path / "e.csv").write_text("1\n")
    (tmp_path / "f.csv").write_text("2\n")
    item = {"data_type": "digital_event", "name": "e", "filepath": str(tmp_path / "e.csv")}
    report = LoadReport()
    dm = load_config(write_config([item, {**item, "filepath": "f.csv"}]), report=report)
    np.testing.assert_array_equal(dm.get_data("e").times, [2])
    assert any("replaces" in n.message for n in report.notes)


def test_clocks_entry_that_is_not_a_name(write_config):
    with pytest.raises(
        FormatError, match=r"config item clocks\[1\].*expected a clock name.*found 5"
    ):
        load_config(write_config({"clocks": ["cam", 5], "data": []}))


# ---- the config's root -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "found"),
    [
        ({"foo": 1}, r"found top-level keys \['foo'\]"),
        ({}, "found an empty object"),
        ({"variables": {"a": "b"}, "loops": {}}, r"\['loops', 'variables'\]"),
        ({"commands": [], "saves": []}, "pipeline-runner config"),
    ],
)
def test_an_object_without_a_data_list_is_no_config(tmp_path, document, found):
    """wt_loaders.md §1.1: WhiskerToolbox does not read such an object as a config."""
    import json

    from napari_whiskertoolbox.io.routing import is_config_file

    path = tmp_path / "notacfg.json"
    path.write_text(json.dumps(document))
    with pytest.raises(FormatError) as info:
        load_config(path)
    message = str(info.value)
    assert "notacfg.json" in message
    assert "missing the top-level key 'data'" in message
    assert re.search(found, message), message
    assert not is_config_file(path)  # what the viewer's reader refuses, by the same rule


def test_a_data_key_that_is_no_list_is_named(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"data": {"name": "x"}}')
    with pytest.raises(
        FormatError, match=r"c\.json.*expected 'data' to be a list of items, found dict"
    ):
        load_config(path)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('[\n  {"data_type": "points",\n   "name": "x"},\n  {"name": "y"},\n]\n', 4, 16),
        ('{"data": [],\n "clocks": [],\n}\n', 2, 14),
    ],
)
def test_a_trailing_comma_is_named_where_it_is(tmp_path, text, line, column) -> None:
    """Was: the line of the ']' or '}' after it ("Expecting value"), often lines below."""
    config = tmp_path / "config.json"
    config.write_text(text)
    with pytest.raises(FormatError) as info:
        load_config(config)
    message = str(info.value)
    assert f"line {line}: invalid JSON at column {column}: a comma after the last entry" in message


def test_a_folder_given_as_config_says_it_is_a_folder_and_names_its_configs(tmp_path) -> None:
    """Was: "the path does not exist" for a folder that exists."""
    (tmp_path / "config.json").write_text("[]")
    (tmp_path / "test_config.json").write_text("[]")
    with pytest.raises(FormatError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert "does not exist" not in message
    assert "this is a folder (it holds config.json, test_config.json" in message
