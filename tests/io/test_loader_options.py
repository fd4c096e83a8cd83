"""A test per loader option of ``io.option_table``, each with WhiskerToolbox's value.

Values come from ``shared/reference/wt_loaders.md`` (WhiskerToolbox's JSON loader). Every
test names the options it covers with ``@covers``; ``test_every_option_has_a_test`` fails
when an option of the table has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from _config_support import load

from napari_whiskertoolbox.core.ragged import ImageSize
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.option_table import FORMAT_VARIANTS

if TYPE_CHECKING:
    from pathlib import Path

COVERED: set[tuple[str, str, str]] = set()


def covers(data_type: str, variant: str, *options: str):
    """Register that the decorated test checks ``options`` of one format variant."""
    for name in options:
        COVERED.add((data_type, variant, name))

    def mark(fn):
        return fn

    return mark


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    return name


def ttl_file(tmp_path: Path, words, name="ttl.bin", header=b"") -> str:
    (tmp_path / name).write_bytes(header + np.asarray(words, dtype="<u2").tobytes())
    return name


# ---- clocks ---------------------------------------------------------------------------

TTL_WORDS = [0, 0b100, 0b100, 0, 0, 0b101, 0, 0b100, 0b100]  # bit 2 pulses at 1-2, 5, 7-8


@covers("time", "uint16", "channel", "transition", "header_size", "sampling_rate")
def test_time_uint16(tmp_path):
    name = ttl_file(tmp_path, TTL_WORDS, header=b"HEAD")
    base = {"data_type": "time", "name": "cam", "format": "uint16", "filepath": name,
            "channel": 2, "header_size": 4}  # fmt: skip
    dm, _ = load(tmp_path, {**base, "transition": "rising", "sampling_rate": 500})
    np.testing.assert_array_equal(dm.get_time("cam").times, [1, 5, 7])  # sample 0 never an edge
    assert dm.get_time("cam").sampling_rate == 500
    dm, _ = load(tmp_path, {**base, "transition": "falling"})
    np.testing.assert_array_equal(dm.get_time("cam").times, [3, 6])
    dm, _ = load(tmp_path, {**base, "channel": 0, "transition": "rising"})
    np.testing.assert_array_equal(dm.get_time("cam").times, [5])


@covers("time", "uint16_length", "header_size", "sampling_rate")
def test_time_uint16_length(tmp_path):
    (tmp_path / "d.bin").write_bytes(b"\0" * 13)
    item = {"data_type": "time", "name": "m", "format": "uint16_length", "filepath": "d.bin",
            "header_size": 4, "sampling_rate": 30000.0}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_time("m").times, [0, 1, 2, 3])  # (13 - 4) // 2
    assert dm.get_time("m").sampling_rate == 30000


@covers("time", "filename", "regex_pattern", "file_extension", "mode", "sort_ascending",
        "sampling_rate")  # fmt: skip
def test_time_filename(tmp_path):
    for name in ("img_12.png", "img_3.png", "img_7.png", "img_9.txt", "other.png"):
        write(tmp_path, f"frames/{name}", "")
    base = {"data_type": "time", "name": "t", "format": "filename", "filepath": "frames",
            "regex_pattern": r"img_(\d+)", "file_extension": ".png"}  # fmt: skip
    dm, report = load(tmp_path, base)
    np.testing.assert_array_equal(dm.get_time("t").times, [3, 7, 12])
    assert report.skipped() == 1  # other.png
    dm, _ = load(tmp_path, {**base, "mode": "zero_to_max"})
    np.testing.assert_array_equal(dm.get_time("t").times, np.arange(13))
    dm, _ = load(tmp_path, {**base, "mode": "min_to_max", "sampling_rate": 2.0})
    np.testing.assert_array_equal(dm.get_time("t").times, np.arange(3, 13))
    assert dm.get_time("t").sampling_rate == 2
    # folder order is not sorted in general; clocks must be (WhiskerToolbox accepts it)
    listed = [p.name for p in (tmp_path / "frames").iterdir()]
    numbers = [int(n[4:-4]) for n in listed if n.startswith("img_") and n.endswith(".png")]
    if numbers == sorted(numbers):
        dm, _ = load(tmp_path, {**base, "sort_ascending": False})
        np.testing.assert_array_equal(dm.get_time("t").times, numbers)
    else:
        with pytest.raises(FormatError, match="non-decreasing"):
            load(tmp_path, {**base, "sort_ascending": False})
    dm, _ = load(tmp_path, {**base, "file_extension": ""})
    np.testing.assert_array_equal(dm.get_time("t").times, [3, 7, 9, 12])


DAQ = "date\ntime\n\n\n\nTime\tv0\tv1\n0.000000\t1\t0\n0.000071\t1\t1\n0.000143\t0\t1\n0.000214\t1\t0\n"


@covers("time", "multi_column_binary", "header_lines_to_skip", "delimiter", "time_column",
        "sampling_rate")  # fmt: skip
def test_time_multi_column_binary(tmp_path):
    write(tmp_path, "daq.dat", DAQ)
    item = {"data_type": "time", "name": "daq", "format": "multi_column_binary",
            "filepath": "daq.dat", "sampling_rate": 14000.0}  # fmt: skip
    dm, _ = load(tmp_path, item)  # defaults: 5 preamble lines, tab, column 0
    # rounded to the nearest tick (WhiskerToolbox truncates 0.994 to 0: see README)
    np.testing.assert_array_equal(dm.get_time("daq").times, [0, 1, 2, 3])
    write(tmp_path, "semi.dat", "Time;v0\n1;0,25\n2;0,5\n")
    item = {"data_type": "time", "name": "s", "format": "multi_column_binary",
            "filepath": "semi.dat", "header_lines_to_skip": 0, "delimiter": ";",
            "time_column": 1, "sampling_rate": 100}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_time("s").times, [25, 50])
    dm, _ = load(tmp_path, {**item, "sampling_rate": 1.0})
    np.testing.assert_array_equal(dm.get_time("s").times, [0, 1])  # 0.5 rounds half up


@covers("time", "multi_column_binary", "decimal")
def test_time_multi_column_binary_decimal(tmp_path):
    write(tmp_path, "d.dat", "Time\tv\n0,5\t1\n1,5\t0\n")
    item = {"data_type": "time", "name": "d", "format": "multi_column_binary", "filepath": "d.dat",
            "header_lines_to_skip": 0, "sampling_rate": 10, "decimal": ","}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_time("d").times, [5, 15])


@covers("time", "max_value", "source_data", "start_value", "sampling_rate")
def test_time_max_value(tmp_path):
    write(tmp_path, "a.csv", "\n".join(["0.5"] * 10))
    write(tmp_path, "e.csv", "3\n40\n")
    items = [
        {"data_type": "analog", "name": "a", "format": "csv", "filepath": "a.csv"},
        {"data_type": "digital_event", "name": "e", "format": "csv", "filepath": "e.csv"},
        {"data_type": "time", "name": "from_analog", "format": "max_value", "source_data": "a",
         "start_value": 1, "sampling_rate": 1000},
        {"data_type": "time", "name": "from_events", "format": "max_value", "source_data": "e"},
    ]  # fmt: skip
    dm, _ = load(tmp_path, *items)
    np.testing.assert_array_equal(dm.get_time("from_analog").times, np.arange(1, 10))
    assert dm.get_time("from_analog").sampling_rate == 1000
    np.testing.assert_array_equal(dm.get_time("from_events").times, np.arange(41))


@covers("time", "derived", "source_timeframe", "source_series", "source_type", "event_series",
        "interval_series", "edge", "sampling_rate")  # fmt: skip
def test_time_derived(tmp_path):
    write(tmp_path, "ticks.txt", "\n".join(str(10 * i) for i in range(20)))
    write(tmp_path, "frames.csv", "2\n5\n9\n")
    write(tmp_path, "trials.csv", "Start,End\n1,3\n6,8\n")
    base = [
        {"data_type": "time", "name": "daq", "format": "csv", "filepath": "ticks.txt",
         "sampling_rate": 100},
        {"data_type": "digital_event", "name": "ttl", "format": "csv", "filepath": "frames.csv",
         "clock": "daq"},
        {"data_type": "digital_interval", "name": "trials", "format": "csv",
         "filepath": "trials.csv", "clock": "daq"},
    ]  # fmt: skip
    derived = {"data_type": "time", "format": "derived", "source_timeframe": "daq"}
    items = [
        {**derived, "name": "cam", "source_series": "ttl", "source_type": "event"},
        {**derived, "name": "legacy", "event_series": "ttl", "sampling_rate": 30},
        {**derived, "name": "starts", "interval_series": "trials"},
        {**derived, "name": "ends", "source_series": "trials", "source_type": "interval_series",
         "edge": "end"},
        {**derived, "name": "other_edge", "interval_series": "trials", "edge": "middle"},
    ]  # fmt: skip
    dm, _ = load(tmp_path, *base, *items, clocks=["daq"])
    np.testing.assert_array_equal(dm.get_time("cam").times, [20, 50, 90])
    assert dm.get_time("cam").sampling_rate == 100  # ours: the source clock's
    assert dm.get_time("legacy").sampling_rate == 30
    np.testing.assert_array_equal(dm.get_time("starts").times, [10, 60])
    np.testing.assert_array_equal(dm.get_time("ends").times, [30, 80])
    np.testing.assert_array_equal(dm.get_time("other_edge").times, [10, 60])  # not "end": start


@covers("time", "count", "count", "sampling_rate")
def test_time_count(tmp_path):
    dm, _ = load(tmp_path, {"data_type": "time", "name": "t", "format": "count",
                            "frame_count": 4, "sampling_rate": 30.0})  # fmt: skip
    np.testing.assert_array_equal(dm.get_time("t").times, [0, 1, 2, 3])
    assert dm.get_time("t").sampling_rate == 30


@covers("time", "count", "first_tick", "tick_step")
def test_time_count_regular(tmp_path):
    dm, _ = load(tmp_path, {"data_type": "time", "name": "t", "format": "count", "count": 4,
                            "first_tick": 60, "tick_step": 1.5})  # fmt: skip
    np.testing.assert_array_equal(dm.get_time("t").times, [60, 62, 63, 64])  # ties to even
    assert dm.get_time("t").regular_form == (60.0, 1.5)
    with pytest.raises(FormatError, match="'t': 'tick_step' must be a positive number of ticks"):
        load(tmp_path, {"data_type": "time", "name": "t", "format": "count", "count": 4,
                        "tick_step": 0})  # fmt: skip


@covers("time", "csv", "sampling_rate")
def test_time_csv(tmp_path):
    write(tmp_path, "t.txt", "0\n33\n66\n")
    item = {"data_type": "time", "name": "t", "format": "csv", "filepath": "t.txt",
            "sampling_rate": 1000}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_time("t").times, [0, 33, 66])
    assert dm.get_time("t").sampling_rate == 1000


# ---- media ----------------------------------------------------------------------------


def _images(tmp_path, names):
    import imageio.v3 as iio

    for i, name in enumerate(names):
        path = tmp_path / "stack" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        iio.imwrite(path, np.full((4, 6), 10 * (i + 1), np.uint8), extension=".png")
    return "stack"


@covers("images", "media", "file_extensions", "filename_pattern", "sort_by_name",
        "display_format", "recursive_search")  # fmt: skip
def test_images(tmp_path):
    folder = _images(tmp_path, ["f_2.png", "f_10.png", "g_1.png", "sub/f_5.png", "x.PNG"])
    base = {"data_type": "images", "name": "im", "filepath": folder}
    dm, _ = load(tmp_path, base)
    # .png only (case-sensitive), plain lexicographic order: f_10 before f_2
    assert [p.name for p in dm.get_data("im").files] == ["f_10.png", "f_2.png", "g_1.png"]
    assert dm.get_data("im")[0][0, 0] == 20
    dm, _ = load(tmp_path, {**base, "filename_pattern": "^f_", "recursive_search": True})
    assert [p.name for p in dm.get_data("im").files] == ["f_10.png", "f_2.png", "f_5.png"]
    dm, _ = load(tmp_path, {**base, "file_extensions": [".PNG"], "display_format": "Color"})
    assert [p.name for p in dm.get_data("im").files] == ["x.PNG"]
    dm, _ = load(tmp_path, {**base, "sort_by_name": False})
    assert sorted(p.name for p in dm.get_data("im").files) == ["f_10.png", "f_2.png", "g_1.png"]
    with pytest.raises(FormatError, match="display_format"):
        load(tmp_path, {**base, "display_format": "Gray"})


@covers("images", "media", "files")
def test_images_listed(tmp_path):
    folder = _images(tmp_path, ["f_2.png", "f_10.png", "sub/f_5.png"])
    base = {"data_type": "images", "name": "im", "filepath": folder}
    dm, _ = load(tmp_path, {**base, "files": ["sub/f_5.png", "f_2.png"]})  # in this order
    assert [p.relative_to(tmp_path / folder).as_posix() for p in dm.get_data("im").files] == [
        "sub/f_5.png",
        "f_2.png",
    ]
    assert dm.get_data("im")[0][0, 0] == 30  # the third image written
    with pytest.raises(FormatError, match=r"'files'.*sub/f_6\.png not found"):
        load(tmp_path, {**base, "files": ["f_2.png", "sub/f_6.png"]})


def test_video_options_are_reported_not_used(tmp_path, frame_number_video):
    item = {"data_type": "video", "name": "media", "filepath": str(frame_number_video),
            "gray": True}  # fmt: skip
    dm, report = load(tmp_path, item)
    assert len(dm.get_data("media")) == 1000
    assert [n.message.split()[1] for n in report.of_kind("unknown_option")] == ["'gray'"]


# ---- points ---------------------------------------------------------------------------


@covers("points", "csv", "frame_column", "x_column", "y_column", "column_delim")
def test_points_columns(tmp_path):
    write(tmp_path, "p.csv", "x;y;frame\n1.5;2.5;7\n3;4;9\n-1;2;-3\n")
    item = {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv",
            "frame_column": 2, "x_column": 0, "y_column": 1, "column_delim": ";"}  # fmt: skip
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("p").at(7), [[1.5, 2.5]])
    np.testing.assert_array_equal(dm.get_data("p").times_with_data(), [7, 9])
    assert report.skipped() == 1  # the negative frame
    write(tmp_path, "q.csv", "0\t1\t2\n")
    dm, _ = load(tmp_path, {**item, "filepath": "q.csv", "column_delim": "", "frame_column": 0,
                            "x_column": 1, "y_column": 2})  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("p").at(0), [[1, 2]])


@covers("points", "csv", "nan_handling", "has_header")
def test_points_nan_handling(tmp_path):
    write(tmp_path, "p.csv", "0 1 2\n1 nan nan\n2 3 4\n")
    item = {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv"}
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("p").times_with_data(), [0, 2])
    (note,) = report.of_kind("skipped")
    assert note.lines == (2,)  # the file's own line number
    assert "p.csv', line 2" in str(note)
    dm, report = load(tmp_path, {**item, "nan_handling": "Include"})  # kept, as in WT §4.1
    np.testing.assert_array_equal(dm.get_data("p").times_with_data(), [0, 1, 2])
    np.testing.assert_array_equal(dm.get_data("p").at(1), [[np.nan, np.nan]])
    assert not report.of_kind("skipped")
    dm, _ = load(tmp_path, {**item, "has_header": True})
    np.testing.assert_array_equal(dm.get_data("p").times_with_data(), [2])


@covers("points", "csv", "csv_layout")
def test_points_csv_layout(tmp_path):
    write(tmp_path, "p.csv", "0 1 2\n")
    item = {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv",
            "csv_layout": "simple"}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("p").at(0), [[1, 2]])


DLC = (
    "scorer,s,s,s,s,s,s,s,s\n"
    "bodyparts,nose,nose,nose,Ear,Ear,Ear,tail,tail\n"
    "coords,x,y,likelihood,x,y,likelihood,x,y\n"
    "0,10,20,0.9,30,40,0.2,1,2\n"
    "1,11,21,0.4,31,41,0.95,3,4\n"
    "1,12,22,0.99,,,,5,6\n"
)


@covers("points", "csv dlc", "csv_layout", "bodypart", "all_bodyparts", "frame_column",
        "likelihood_threshold")  # fmt: skip
def test_points_csv_dlc_layout(tmp_path):
    write(tmp_path, "d.csv", DLC)
    item = {"data_type": "points", "name": "p", "format": "csv", "csv_layout": "dlc",
            "filepath": "d.csv"}  # fmt: skip
    dm, _ = load(tmp_path, item)
    assert dm.keys() == ["p"]  # "Ear" sorts before "nose" and "tail" byte-wise
    np.testing.assert_array_equal(dm.get_data("p").at(0), [[30, 40]])
    dm, _ = load(tmp_path, {**item, "bodypart": "nose", "likelihood_threshold": 0.5})
    np.testing.assert_array_equal(dm.get_data("p").times_with_data(), [0, 1])
    np.testing.assert_array_equal(dm.get_data("p").at(1), [[12, 22]])  # duplicate frames kept
    with pytest.raises(FormatError, match="'bodypart' 'paw'"):
        load(tmp_path, {**item, "bodypart": "paw"})
    # a body part without a point above the threshold does not exist for WhiskerToolbox:
    # "" takes the next one, naming it fails the entry, and so does a table without rows
    dm, report = load(tmp_path, {**item, "likelihood_threshold": 0.96})
    np.testing.assert_array_equal(dm.get_data("p").at(1), [[12, 22]])  # Ear: none >= 0.96
    assert "'nose' is loaded" in report.notes[-1].message
    with pytest.raises(FormatError, match="body part 'Ear' has no point"):
        load(tmp_path, {**item, "likelihood_threshold": 0.96, "bodypart": "Ear"})
    write(tmp_path, "e.csv", "\n".join(DLC.splitlines()[:3]))
    with pytest.raises(FormatError, match="no body part has a point"):
        load(tmp_path, {**item, "filepath": "e.csv"})
    dm, _ = load(tmp_path, {**item, "all_bodyparts": True})
    assert dm.keys() == ["p_nose", "p_Ear", "p_tail"]
    moved = "\n".join(",".join([*r.split(",")[1:3], r.split(",")[0], *r.split(",")[3:]])
                      for r in DLC.splitlines())  # fmt: skip
    write(tmp_path, "f.csv", moved)  # frame number in column 2
    dm, _ = load(tmp_path, {**item, "filepath": "f.csv", "bodypart": "tail", "frame_column": 2})
    np.testing.assert_array_equal(dm.get_data("p").times_with_data(), [0, 1])


@covers("points", "dlc_csv", "frame_column", "likelihood_threshold")
def test_points_dlc_csv(tmp_path):
    write(tmp_path, "d.csv", DLC)
    item = {"data_type": "points", "name": "f", "format": "dlc_csv", "filepath": "d.csv",
            "likelihood_threshold": 0.5, "frame_column": 0}  # fmt: skip
    dm, _ = load(tmp_path, {**item, "color": "#ff0000"})
    assert dm.keys() == ["f_nose", "f_Ear", "f_tail"]
    assert dm.metadata["sources"]["f_nose"]["color"] == ""  # WhiskerToolbox: auto-assigned
    np.testing.assert_array_equal(dm.get_data("f_nose").times_with_data(), [0, 1])
    np.testing.assert_array_equal(dm.get_data("f_Ear").times_with_data(), [1])
    assert dm.get_data("f_tail").n_entries == 3  # no likelihood column: always passes
    dm, _ = load(tmp_path, {**item, "likelihood_threshold": 0.99})
    assert dm.keys() == ["f_nose", "f_tail"]  # Ear keeps no point: no key
    write(tmp_path, "n.csv", DLC.replace("\n0,10", "\n-3,10"))  # negative frames are kept
    for fmt in ({"format": "dlc_csv"}, {"format": "csv", "csv_layout": "dlc", "bodypart": "nose"}):
        dm, report = load(tmp_path, {**item, **fmt, "filepath": "n.csv", "name": "f_nose"})
        np.testing.assert_array_equal(dm.get_data(dm.keys()[0]).at(-3), [[10, 20]])
        assert report.skipped() == 0


@covers("points", "dlc_csv", "scaled_width", "scaled_height", "width", "height")
@covers("points", "csv dlc", "scaled_width", "scaled_height")
def test_points_dlc_scaling(tmp_path):
    write(tmp_path, "d.csv", DLC)
    item = {"data_type": "points", "name": "f", "format": "dlc_csv", "filepath": "d.csv",
            "width": 100, "height": 50, "scaled_width": 200, "scaled_height": 25}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("f_nose").at(0), [[20, 10]])
    assert dm.get_data("f_nose").image_size == ImageSize(200, 25)
    no_size = {k: v for k, v in item.items() if k not in ("width", "height")}
    dm, _ = load(tmp_path, no_size)
    np.testing.assert_array_equal(dm.get_data("f_nose").at(0), [[10, 20]])  # not scaled
    assert dm.get_data("f_nose").image_size == ImageSize(200, 25)
    with pytest.raises(FormatError, match="both 'scaled_width' and 'scaled_height'"):
        load(tmp_path, {**item, "scaled_height": -1})
    dm, _ = load(tmp_path, {**item, "format": "csv", "csv_layout": "dlc", "bodypart": "nose"})
    np.testing.assert_array_equal(dm.get_data("f").at(0), [[20, 10]])


def _dlc_h5(tmp_path, name, index=(0, 1, 2)):
    """DeepLabCut's pandas HDF5 table of two predicted body parts (nose, tail)."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tables")
    columns = pd.MultiIndex.from_product(
        [["s"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    values = [[10, 20, 0.9, 1, 2, 0.1], [11, 21, 0.4, 3, 4, 0.8], [12, 22, 0.99, 5, 6, 0.3]]
    frame = pd.DataFrame(np.asarray(values, float), index=list(index), columns=columns)
    frame.to_hdf(tmp_path / name, key="df_with_missing", mode="w")
    return name


@covers("points", "dlc_h5", "likelihood_threshold", "scaled_width", "scaled_height")
def test_points_dlc_h5(tmp_path):
    item = {"data_type": "points", "name": "h", "format": "dlc_h5",
            "filepath": _dlc_h5(tmp_path, "d.h5"), "likelihood_threshold": 0.5}  # fmt: skip
    dm, report = load(tmp_path, item)
    assert dm.keys() == ["h_nose", "h_tail"]
    np.testing.assert_array_equal(dm.get_data("h_nose").times_with_data(), [0, 2])
    np.testing.assert_array_equal(dm.get_data("h_tail").times_with_data(), [1])
    assert report.of_kind("unknown_option") == []
    scaled = {**item, "width": 100, "height": 50, "scaled_width": 50, "scaled_height": 100}
    dm, _ = load(tmp_path, scaled)
    np.testing.assert_array_equal(dm.get_data("h_nose").at(0), [[5, 40]])
    assert dm.get_data("h_nose").image_size == ImageSize(50, 100)
    dm, _ = load(tmp_path, {**item, "likelihood_threshold": 0.95})
    assert dm.keys() == ["h_nose"]  # no tail point reaches 0.95: no key, as WhiskerToolbox


def _labelled_project(tmp_path):
    """A DeepLabCut project: config.yaml (order tail, nose; one edge) and a labelled table."""
    pd = pytest.importorskip("pandas")
    import imageio.v3 as iio
    import yaml

    (tmp_path / "proj").mkdir()
    config = {"scorer": "me", "bodyparts": ["tail", "nose"], "skeleton": [["nose", "tail"]]}
    (tmp_path / "proj" / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "labels").mkdir()
    columns = pd.MultiIndex.from_product(
        [["me"], ["nose", "tail"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    index = ["labeled-data/v/img004.png", "labeled-data/v/img009.png"]
    frame = pd.DataFrame([[1.0, 2, 3, 4], [5, 6, 7, 8]], index=index, columns=columns)
    frame.to_csv(tmp_path / "labels" / "CollectedData_me.csv")
    frame.to_hdf(tmp_path / "labels" / "CollectedData_me.h5", key="df_with_missing", mode="w")
    (tmp_path / "imgs").mkdir()
    for name in ("img001.png", "img004.png", "img009.png"):
        iio.imwrite(tmp_path / "imgs" / name, np.zeros((4, 6), np.uint8))


DLC_FORMATS = {
    "dlc_csv": {"format": "dlc_csv", "filepath": "labels/CollectedData_me.csv"},
    "dlc_h5": {"format": "dlc_h5", "filepath": "labels/CollectedData_me.h5"},
    "csv dlc": {"format": "csv", "csv_layout": "dlc", "all_bodyparts": True,
                "filepath": "labels/CollectedData_me.csv"},
}  # fmt: skip


@pytest.mark.parametrize("variant", sorted(DLC_FORMATS))
def test_points_dlc_labelled_images_and_project(tmp_path, variant):
    """``frame_from``, ``images`` and ``config`` place labelled-image rows and order body parts."""
    from napari_whiskertoolbox.io.pose import pose_sets

    _labelled_project(tmp_path)
    item = {"data_type": "points", "name": "L", **DLC_FORMATS[variant]}
    dm, report = load(tmp_path, item)  # the images' order beside the table: img004, img009
    np.testing.assert_array_equal(dm.get_data("L_nose").times_with_data(), [0, 1])
    np.testing.assert_array_equal(dm.get_data("L_tail").at(1), [[7, 8]])
    assert pose_sets(dm)["L"].skeleton == []
    assert report.of_kind("unknown_option") == []
    dm, _ = load(tmp_path, {**item, "images": "../imgs"})  # img001 is frame 0
    np.testing.assert_array_equal(dm.get_data("L_nose").times_with_data(), [1, 2])
    dm, _ = load(tmp_path, {**item, "frame_from": "image_name"})
    np.testing.assert_array_equal(dm.get_data("L_nose").times_with_data(), [4, 9])
    with pytest.raises(FormatError, match="'frame_from'"):
        load(tmp_path, {**item, "frame_from": "name"})
    dm, _ = load(tmp_path, {**item, "config": "../proj/config.yaml"})  # from the table's folder
    pose = pose_sets(dm)["L"]
    assert pose.bodyparts == ["tail", "nose"]
    assert pose.skeleton == [("nose", "tail")]
    assert dm.keys() == ["L_tail", "L_nose"]


for _variant in DLC_FORMATS:
    covers("points", _variant, "config", "frame_from", "images")


# ---- image sizes on every spatial format ----------------------------------------------


def _h5(tmp_path, name, **datasets):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / name, "w") as handle:
        for key, value in datasets.items():
            if isinstance(value, list):
                vlen = handle.create_dataset(key, (len(value),), dtype=h5py.vlen_dtype("f4"))
                for i, v in enumerate(value):
                    vlen[i] = np.asarray(v, np.float32)
            else:
                handle[key] = value
    return name


def _minimal(tmp_path, data_type, variant):
    """A one-object file of ``(data_type, variant)`` and its config item."""
    if data_type == "points" and variant == "csv":
        return {"format": "csv", "filepath": write(tmp_path, "p.csv", "0 1 2\n")}
    if data_type == "points" and variant == "dlc_h5":
        return {"format": "dlc_h5", "filepath": _dlc_h5(tmp_path, "d.h5")}
    if data_type == "points":
        fmt = (
            {"format": "dlc_csv"}
            if variant == "dlc_csv"
            else {"format": "csv", "csv_layout": "dlc"}
        )
        return {**fmt, "filepath": write(tmp_path, "d.csv", DLC)}
    if data_type == "line" and variant == "csv":
        return {"format": "csv", "filepath": write(tmp_path, "l.csv", 'Frame,X,Y\n0,"1,2","3,4"\n')}
    if data_type == "line" and variant == "csv multi_file":
        write(tmp_path, "lines/0000004.csv", "X,Y\n1,2\n3,4\n")
        return {"format": "csv", "multi_file": True, "filepath": "lines"}
    if data_type == "line":
        return {"format": "hdf5", "filepath": _h5(tmp_path, "l.h5", frames=np.array([4]),
                                                  x=[[3, 4]], y=[[1, 2]])}  # fmt: skip
    if data_type == "mask" and variant == "csv":
        return {"format": "csv", "filepath": write(tmp_path, "m.csv", 'Frame,RLE\n2,"1,2,3"\n')}
    if data_type == "mask" and variant == "hdf5":
        return {"format": "hdf5", "filepath": _h5(tmp_path, "m.h5", frames=np.array([2]),
                                                  widths=[[2, 3]], heights=[[1, 1]])}  # fmt: skip
    import imageio.v3 as iio

    (tmp_path / "masks").mkdir(exist_ok=True)
    image = np.zeros((6, 8), np.uint8)
    image[1, 2] = 255
    iio.imwrite(tmp_path / "masks" / "0002.png", image)
    return {"format": "image", "filepath": "masks"}


SIZED = [
    (t, v)
    for (t, v), row in FORMAT_VARIANTS.items()
    if t in ("points", "line", "mask") and row.accepts("image_size")
]


@pytest.mark.parametrize(("data_type", "variant"), SIZED)
def test_image_size_options(tmp_path, data_type, variant):
    """height+width win over image_width+image_height, which win over image_size."""
    base = {"data_type": data_type, "name": "k", **_minimal(tmp_path, data_type, variant)}
    row = FORMAT_VARIANTS[(data_type, variant)]
    sized = {"image_size": [64, 48]}
    if row.accepts("image_width"):
        sized |= {"image_width": 320, "image_height": 240}
    if row.accepts("width"):
        sized |= {"width": 640, "height": 480}
    expected = (
        ImageSize(640, 480)
        if row.accepts("width")
        else ImageSize(320, 240)
        if row.accepts("image_width")
        else ImageSize(64, 48)
    )
    dm, report = load(tmp_path, {**base, **sized})
    key = next(k for k in dm if k == "k" or k.startswith("k_"))
    assert dm.get_data(key).image_size == expected
    assert report.of_kind("unknown_option") == []
    for name in sized:
        COVERED.add((data_type, variant, name))


for _t, _v in SIZED:
    for _name in ("image_size", "image_width", "image_height", "width", "height"):
        if FORMAT_VARIANTS[(_t, _v)].accepts(_name):
            covers(_t, _v, _name)


@pytest.mark.parametrize(("data_type", "variant"), SIZED)
def test_one_image_size_option_of_a_pair_is_said_to_be_ignored(tmp_path, data_type, variant):
    """'height' without 'width' (or 'image_width' without 'image_height') gave no image size
    and no word: WhiskerToolbox ignores it too, and the note says so."""
    base = {"data_type": data_type, "name": "k", **_minimal(tmp_path, data_type, variant)}
    row = FORMAT_VARIANTS[(data_type, variant)]
    pairs = [p for p in (("width", "height"), ("image_width", "image_height")) if row.accepts(p[0])]
    assert pairs
    for lone, missing in (pair for p in pairs for pair in (p, p[::-1])):
        dm, report = load(tmp_path, {**base, lone: 480})
        key = next(k for k in dm if k == "k" or k.startswith("k_"))
        if variant != "image":  # mask images take their size from the files
            assert dm.get_data(key).image_size is None
        (note,) = report.of_kind("unknown_option")
        assert note.message.startswith(f"option {lone!r} is ignored without {missing!r}")


@pytest.mark.parametrize(
    ("data_type", "variant", "given_name", "hint"),
    [
        ("mask", "hdf5", "image_width", "width"),
        ("mask", "hdf5", "image_height", "height"),
        ("mask", "image", "width", "image_width"),
        ("line", "hdf5", "height", "image_height"),
    ],
)
def test_image_size_of_the_other_spelling_hints_this_format_s_name(
    tmp_path, data_type, variant, given_name, hint
):
    """Mask HDF5 reads width/height only: its 'image_width' hint was 'image_size'."""
    base = {"data_type": data_type, "name": "k", **_minimal(tmp_path, data_type, variant)}
    _, report = load(tmp_path, {**base, given_name: 64})
    (note,) = report.of_kind("unknown_option")
    assert f"option {given_name!r} is not read by" in note.message
    assert f"(did you mean {hint!r}?)" in note.message


def test_option_table_describes_image_size_and_color_as_each_format_reads_them():
    """Formats that read only image_width/image_height called them "legacy ... (when
    height/width are not both given)"; color, a field of points, line and mask items, was
    missing from the table."""
    from napari_whiskertoolbox.io.option_table import options_markdown

    rows = options_markdown().splitlines()
    for data_type, fmt in (("mask", "`image`"), ("line", "`hdf5`")):
        (row,) = [
            r for r in rows if r.startswith(f"| {data_type} | {fmt}") and "`image_width`" in r
        ]
        assert "legacy" not in row
        assert "height/width are not read" in row
    legacy = [r for r in rows if r.startswith("| points | `csv` |") and "`image_width`" in r]
    assert "legacy image width" in legacy[0]
    for data_type in ("points", "line", "mask"):
        (color,) = [r for r in rows if r.startswith(f"| {data_type} | every format | `color`")]
        assert "'#ff8800' or 'ff8800'" in color
    assert not [r for r in rows if "`color`" in r and r.split("|")[1].strip() == "analog"]


def test_mask_image_size_from_files(tmp_path):
    item = {"data_type": "mask", "name": "m", **_minimal(tmp_path, "mask", "image")}
    assert load(tmp_path, item)[0].get_data("m").image_size == ImageSize(8, 6)


# ---- lines ----------------------------------------------------------------------------


@covers("line", "csv", "delimiter", "coordinate_delimiter", "has_header", "header_identifier",
        "multi_file")  # fmt: skip
def test_line_csv(tmp_path):
    write(tmp_path, "l.csv", 'Frame;X;Y\n3;"1 2 3";"4 5 6"\n3;"";""\n')
    item = {"data_type": "line", "name": "w", "format": "csv", "filepath": "l.csv",
            "delimiter": ";", "coordinate_delimiter": " ", "multi_file": False}  # fmt: skip
    dm, _ = load(tmp_path, item)
    first, empty = dm.get_data("w").at(3)
    np.testing.assert_array_equal(first, [[1, 4], [2, 5], [3, 6]])
    assert len(empty) == 0  # "" lists: an empty line
    write(tmp_path, "h.csv", 'Index,X,Y\n3,"1,2","4,5"\n')
    dm, report = load(tmp_path, {"data_type": "line", "name": "w", "format": "csv",
                                 "filepath": "h.csv"})  # fmt: skip
    assert report.skipped() == 1  # "Index" line is not a header: no quotes, skipped
    dm, _ = load(tmp_path, {"data_type": "line", "name": "w", "format": "csv", "filepath": "h.csv",
                            "header_identifier": "Index"})  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("w").at(3)[0], [[1, 4], [2, 5]])
    write(tmp_path, "n.csv", '1,"1,2","4,5"\n')
    dm, _ = load(tmp_path, {"data_type": "line", "name": "w", "format": "csv", "filepath": "n.csv",
                            "has_header": False})  # fmt: skip
    assert dm.get_data("w").n_entries == 1
    # a delimiter after the last number ends the list, as WhiskerToolbox reads it
    write(tmp_path, "t.csv", 'Frame,X,Y\n1,"1,2,","4,5, "\n2,"1 ,","4,"\n')
    dm, _ = load(tmp_path, {"data_type": "line", "name": "w", "format": "csv", "filepath": "t.csv"})
    np.testing.assert_array_equal(dm.get_data("w").at(1)[0], [[1, 4], [2, 5]])
    np.testing.assert_array_equal(dm.get_data("w").at(2)[0], [[1, 4]])


@covers("line", "csv", "decimal")
@covers("line", "csv multi_file", "decimal")
def test_line_decimal_commas(tmp_path):
    write(tmp_path, "l.csv", 'Frame;X;Y\n0;"1,5;2,25";"3,5;4"\n')
    item = {"data_type": "line", "name": "w", "format": "csv", "filepath": "l.csv",
            "delimiter": ";", "coordinate_delimiter": ";"}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("w").at(0)[0], [[1.5, 3.5], [2.25, 4]])
    with pytest.raises(FormatError, match="coordinate list"):
        load(tmp_path, {**item, "decimal": "."})
    write(tmp_path, "lines/0000001.csv", "X;Y\n1,5;2\n")
    dm, _ = load(tmp_path, {"data_type": "line", "name": "w", "format": "csv", "multi_file": True,
                            "filepath": "lines", "delimiter": ";", "decimal": ","})  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("w").at(1)[0], [[1.5, 2]])


@covers("line", "csv multi_file", "multi_file", "delimiter", "x_column", "y_column", "has_header",
        "file_pattern")  # fmt: skip
def test_line_multi_file(tmp_path):
    write(tmp_path, "lines/0000042.csv", "a\tb\tc\n9\t1\t2\n9\t3\t4\n")
    write(tmp_path, "lines/-3.csv", "head\n0\t5\t6\n")
    write(tmp_path, "lines/notes.csv", "x\n")
    write(tmp_path, "lines/7.txt", "head\n0\t1\t1\n")
    item = {"data_type": "line", "name": "w", "format": "csv", "multi_file": True,
            "filepath": "lines", "delimiter": "\t", "x_column": 1, "y_column": 2}  # fmt: skip
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("w").times_with_data(), [-3, 42])
    np.testing.assert_array_equal(dm.get_data("w").at(42)[0], [[1, 2], [3, 4]])
    assert report.skipped() == 1  # notes.csv: not a frame number
    dm, _ = load(tmp_path, {**item, "has_header": False})
    assert len(dm.get_data("w").at(42)[0]) == 2  # header row is not numbers: skipped anyway
    dm, _ = load(tmp_path, {**item, "file_pattern": "*.txt"})
    np.testing.assert_array_equal(dm.get_data("w").times_with_data(), [7])


@covers("line", "hdf5", "frame_key", "x_key", "y_key")
def test_line_hdf5(tmp_path):
    name = _h5(
        tmp_path, "l.h5", frames=np.array([4, 4, 6]), x=[[3, 4], [], [9]], y=[[1, 2, 7], [1], [8]]
    )
    item = {"data_type": "line", "name": "w", "format": "hdf5", "filepath": name}
    dm, report = load(tmp_path, item)
    # WhiskerToolbox's swapped defaults: x_key "y", y_key "x"; pairs up to the shorter list
    np.testing.assert_array_equal(dm.get_data("w").at(4)[0], [[1, 3], [2, 4]])
    assert report.skipped() == 1  # the empty line
    name = _h5(tmp_path, "m.h5", f=np.array([1]), a=[[5, 6]], b=[[7, 8]])
    dm, _ = load(tmp_path, {**item, "filepath": name, "frame_key": "f", "x_key": "a", "y_key": "b"})
    np.testing.assert_array_equal(dm.get_data("w").at(1)[0], [[5, 7], [6, 8]])


# ---- masks ----------------------------------------------------------------------------


@covers("mask", "csv", "delimiter", "rle_delimiter", "has_header", "header_identifier",
        "csv_layout")  # fmt: skip
def test_mask_csv(tmp_path):
    write(tmp_path, "m.csv", 'Frame;RLE\n2;"1 2 3 4 0 1"\n2;""\n')
    item = {"data_type": "mask", "name": "m", "format": "csv", "filepath": "m.csv",
            "delimiter": ";", "rle_delimiter": " ", "csv_layout": "rle"}  # fmt: skip
    dm, _ = load(tmp_path, item)
    first, empty = dm.get_data("m").at(2)
    np.testing.assert_array_equal(first, [[2, 1], [3, 1], [4, 1], [0, 4]])
    assert len(empty) == 0
    write(tmp_path, "h.csv", 'Masks,"RLE"\n2,"1,2,1"\n')
    base = {"data_type": "mask", "name": "m", "format": "csv", "filepath": "h.csv"}
    with pytest.raises(FormatError, match="frame number"):
        load(tmp_path, base)  # not a recognised header: "Masks" is a bad frame → fails
    dm, _ = load(tmp_path, {**base, "header_identifier": "Masks"})
    assert dm.get_data("m").n_entries == 1
    with pytest.raises(FormatError, match="frame number"):
        load(tmp_path, {**base, "header_identifier": "Masks", "has_header": False})
    # WhiskerToolbox reads the frame before looking for quotes: its own unquoted
    # `Frame,RLE` header fails the entry when it is not skipped as a header
    write(tmp_path, "u.csv", 'Frame,RLE\n2,"1,2,1"\n3,no runs\n')
    base = {"data_type": "mask", "name": "m", "format": "csv", "filepath": "u.csv"}
    dm, report = load(tmp_path, base)
    assert dm.get_data("m").n_entries == 1
    assert report.skipped() == 1  # line 3: no quotes
    with pytest.raises(FormatError, match=r"line 1: expected a frame number.*found 'Frame'"):
        load(tmp_path, {**base, "has_header": False})
    with pytest.raises(FormatError, match=r"line 1: expected a frame number.*found 'Frame'"):
        load(tmp_path, {**base, "header_identifier": "Time"})


@covers("mask", "hdf5", "frame_key", "x_key", "y_key")
def test_mask_hdf5(tmp_path):
    name = _h5(tmp_path, "m.h5", frames=np.array([2, 3]), widths=[[2.7, 3], []], heights=[[1, 1]])
    dm, _ = load(tmp_path, {"data_type": "mask", "name": "m", "format": "hdf5", "filepath": name})
    np.testing.assert_array_equal(dm.get_data("m").at(2)[0], [[2, 1], [3, 1]])  # truncated
    name = _h5(tmp_path, "n.h5", t=np.array([5]), u=[[1]], v=[[2]])
    item = {"data_type": "mask", "name": "m", "format": "hdf5", "filepath": name,
            "frame_key": "t", "x_key": "u", "y_key": "v"}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("m").at(5)[0], [[1, 2]])


@covers("mask", "image", "file_pattern", "filename_prefix", "frame_number_padding",
        "threshold_value", "invert_mask")  # fmt: skip
def test_mask_image(tmp_path):
    import imageio.v3 as iio

    folder = tmp_path / "masks"
    folder.mkdir()
    image = np.zeros((4, 5), np.uint8)
    image[1, 2] = 200
    image[2, 3] = 100
    iio.imwrite(folder / "whisker_0012.PNG", image)
    iio.imwrite(folder / "0003.png", image)
    iio.imwrite(folder / "blank_1.png", np.zeros((4, 5), np.uint8))
    item = {"data_type": "mask", "name": "m", "format": "image", "filepath": "masks"}
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("m").times_with_data(), [3])
    assert report.skipped() == 2  # whisker_0012 and blank_1: no frame number at the start
    (note,) = report.of_kind("skipped")  # files are named, not given a line number
    assert "(blank_1.png, whisker_0012.PNG)" in note.message
    assert note.lines == ()
    dm, _ = load(tmp_path, {**item, "filename_prefix": "whisker_", "frame_number_padding": 4})
    np.testing.assert_array_equal(dm.get_data("m").at(12)[0], [[2, 1]])  # pattern is case-blind
    dm, _ = load(tmp_path, {**item, "filename_prefix": "whisker_", "threshold_value": 50})
    assert len(dm.get_data("m").at(12)[0]) == 2
    dm, _ = load(tmp_path, {**item, "filename_prefix": "whisker_", "invert_mask": True})
    assert len(dm.get_data("m").at(12)[0]) == 4 * 5 - 1
    dm, _ = load(tmp_path, {**item, "file_pattern": "00*"})
    np.testing.assert_array_equal(dm.get_data("m").times_with_data(), [3])
    dm, report = load(tmp_path, {**item, "filename_prefix": "blank_"})
    assert dm.get_data("m").n_entries == 0
    assert report.skipped() >= 1  # an all-background image is skipped


# ---- analog ---------------------------------------------------------------------------


def _interleaved(tmp_path, frames=10, channels=3, dtype="<i2", header=b""):
    raw = (np.arange(frames * channels).reshape(frames, channels) * 2).astype(dtype)
    (tmp_path / "a.bin").write_bytes(header + raw.tobytes())
    return raw


@covers("analog", "binary", "binary_data_type", "num_channels", "header_size", "parent_dir")
def test_analog_binary_layout(tmp_path):
    raw = _interleaved(tmp_path, dtype="<f4", header=b"X" * 8)
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.bin",
            "binary_data_type": "float32", "num_channels": 3, "header_size": 8,
            "parent_dir": "."}  # fmt: skip
    dm, _ = load(tmp_path, item)
    assert dm.keys() == ["a_0", "a_1", "a_2"]
    np.testing.assert_array_equal(dm.get_data("a_1").values, raw[:, 1])
    dm, _ = load(tmp_path, {**item, "num_channels": 1})
    assert dm.keys() == ["a"]
    assert len(dm.get_data("a")) == 30


@covers("analog", "binary", "use_memory_mapped", "offset", "stride", "num_samples",
        "scale_factor", "offset_value")  # fmt: skip
def test_analog_binary_memory_mapped_options(tmp_path):
    raw = _interleaved(tmp_path, frames=10, channels=2)
    flat = raw.ravel()
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.bin",
            "num_channels": 2, "use_memory_mapped": True, "offset": 3, "stride": 2,
            "scale_factor": 0.5, "offset_value": -1.0}  # fmt: skip
    dm, _ = load(tmp_path, item)
    # offset in elements: channel c starts at element 3 + c and steps 2 x 2 elements
    np.testing.assert_array_equal(dm.get_data("a_0").values, flat[3::4] * 0.5 - 1)
    np.testing.assert_array_equal(dm.get_data("a_1").values, flat[4::4] * 0.5 - 1)
    assert len(dm.get_data("a_0")) == 5  # ceil((20 - 3) / 4): one more than a_1
    assert len(dm.get_data("a_1")) == 4
    dm, _ = load(tmp_path, {**item, "num_samples": 3})
    assert len(dm.get_data("a_0")) == len(dm.get_data("a_1")) == 3
    with pytest.raises(FormatError, match="num_samples 9"):
        load(tmp_path, {**item, "num_samples": 9})


def test_analog_binary_memory_mapped_trailing_samples_are_read_not_skipped(tmp_path):
    """Memory-mapped channels read the partial last frame (channel 0 has one more
    sample): the note says so, and the report counts no skip (§7.1). Read into memory
    (or into a tensor) the partial frame is dropped: a skip."""
    _interleaved(tmp_path, frames=10, channels=2)
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.bin",
            "num_channels": 2, "use_memory_mapped": True, "offset": 3, "stride": 2}  # fmt: skip
    _, report = load(tmp_path, item)
    assert report.skipped() == 0
    (note,) = [n for n in report.notes if "trailing" in n.message]
    assert note.kind == "info"
    assert note.message.endswith(
        "are read, as WhiskerToolbox reads them: channel(s) 0 have one more sample"
    )
    (tmp_path / "a.bin").write_bytes(np.arange(21, dtype="<i2").tobytes())
    for dropped in ({"use_memory_mapped": False}, {"use_tensor_backed": True}):
        _, report = load(tmp_path, {**item, "offset": 0, "stride": 1, **dropped})
        assert report.skipped() == 1


def test_analog_binary_memory_mapped_load_reads_neither_samples_nor_times(tmp_path):
    """Loading a memory-mapped recording made each channel's int64 times (4 x its int16
    samples: 27 GB for a 1-hour, 32-channel, 30 kHz file) to check them against the clock.
    Peak traced allocations stay far below one channel's times, and no sample is read."""
    import tracemalloc

    channels, frames = 4, 250_000  # one channel's times: 2 MB
    (tmp_path / "rec.bin").write_bytes(np.ones(frames * channels, "<i2").tobytes())
    item = {"data_type": "analog", "name": "rec", "format": "binary", "filepath": "rec.bin",
            "num_channels": channels, "use_memory_mapped": True}  # fmt: skip
    load(tmp_path, item)  # imports and first-use caches, outside the measure
    tracemalloc.start()
    try:
        dm, _ = load(tmp_path, item)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < frames * 8 // 4
    assert [dm.get_data(k).is_materialized for k in dm.keys("analog")] == [False] * channels


def test_analog_binary_offset_is_elements_not_values(tmp_path):
    """The issue's case: ``offset`` was taken as a value offset (every sample wrong)."""
    (tmp_path / "a.bin").write_bytes(np.arange(8, dtype="<i2").tobytes())
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.bin",
            "use_memory_mapped": True, "offset": 2}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("a").values, np.arange(2, 8))


@covers("analog", "binary", "use_tensor_backed", "channel_names", "channel_count")
def test_analog_binary_tensor_and_names(tmp_path):
    raw = _interleaved(tmp_path, frames=4, channels=2)
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.bin",
            "num_channels": 2, "use_tensor_backed": True, "channel_names": ["x", "y"]}  # fmt: skip
    dm, _ = load(tmp_path, item)
    assert dm.keys() == ["a", "a_x", "a_y"]
    np.testing.assert_array_equal(dm.get_data("a").values, raw)
    assert list(dm.get_data("a").column_names) == ["x", "y"]
    with pytest.raises(FormatError, match=r"'channel_count' 4.*num_channels"):
        load(tmp_path, {**item, "channel_count": 4})
    assert load(tmp_path, {**item, "channel_count": 2})[0].keys() == ["a", "a_x", "a_y"]


def test_analog_binary_tensor_backed_as_whiskertoolbox(tmp_path):
    """WhiskerToolbox ``tests/DataManager/IO/formats/Binary/analog/
    analog_binary_tensor_backed.test.cpp`` ("JSON config integration", "column names"): four
    int16 channels of constants 10, 20, 30, 40 over 50 samples load as a (50, 4) tensor under
    the item's name, its columns named by channel index "0".."3" (here they had no names),
    and one analog key per channel."""
    raw = np.tile(np.array([10, 20, 30, 40], np.int16), (50, 1))
    (tmp_path / "json_tensor_backed.bin").write_bytes(raw.tobytes())
    item = {"data_type": "analog", "name": "tensor_test", "filepath": "json_tensor_backed.bin",
            "format": "binary", "num_channels": 4, "header_size": 0, "use_tensor_backed": True}  # fmt: skip
    dm, _ = load(tmp_path, item)
    tensor = dm.get_data("tensor_test")
    assert tensor.values.shape == (50, 4)
    assert list(tensor.column_names) == ["0", "1", "2", "3"]
    for ch in range(4):
        np.testing.assert_array_equal(
            dm.get_data(f"tensor_test_{ch}").values, [10.0 * (ch + 1)] * 50
        )


@covers("analog", "csv", "delimiter", "has_header", "single_column_format", "time_column",
        "data_column")  # fmt: skip
def test_analog_csv(tmp_path):
    write(tmp_path, "a.csv", "Time;Data;Other\n5;1.5;0\n2;2.5;0\n9;nan;0\n")
    item = {"data_type": "analog", "name": "a", "format": "csv", "filepath": "a.csv",
            "delimiter": ";", "has_header": True}  # fmt: skip
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("a").values, [5, 2, 9])  # column 0, dense
    assert dm.get_data("a").is_dense
    assert report.of_kind("info")
    dm, report = load(tmp_path, {**item, "single_column_format": False})
    np.testing.assert_array_equal(dm.get_data("a").times, [2, 5, 9])  # sorted (see README)
    np.testing.assert_array_equal(dm.get_data("a").values, [2.5, 1.5, np.nan])
    dm, _ = load(tmp_path, {**item, "single_column_format": False, "time_column": 2,
                            "data_column": 0})  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("a").values, [5, 2, 9])


@covers("analog", "hdf5", "time_key", "value_key", "scale", "scale_divide")
def test_analog_hdf5(tmp_path):
    name = _h5(tmp_path, "a.h5", t=np.array([0.1, 0.2, 0.25]), v=np.array([1.0, 2.0, 3.0]))
    item = {"data_type": "analog", "name": "a", "format": "hdf5", "filepath": name,
            "time_key": "t", "value_key": "v", "scale": 10}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("a").times, [1, 2, 3])  # round(2.5) -> 3
    dm, _ = load(tmp_path, {**item, "scale": 0.01, "scale_divide": True})
    np.testing.assert_array_equal(dm.get_data("a").times, [10, 20, 25])


# ---- events ---------------------------------------------------------------------------


@covers("digital_event", "csv", "delimiter", "has_header", "event_column", "scale",
        "scale_divide", "base_name")  # fmt: skip
def test_events_csv(tmp_path):
    write(tmp_path, "e.csv", "unit|time\n1|0.00499\n1|0.29\n2|1.5\n")
    item = {"data_type": "digital_event", "name": "e", "format": "csv", "filepath": "e.csv",
            "delimiter": "|", "has_header": True, "event_column": 1, "scale": 10000,
            "base_name": "spikes"}  # fmt: skip
    dm, _ = load(tmp_path, item)
    # truncation toward zero: 49.9 -> 49; 0.29 x 10000 is 2900 exactly (not 2899)
    np.testing.assert_array_equal(dm.get_data("e").times, [49, 2900, 15000])
    dm, _ = load(tmp_path, {**item, "scale": 0.001, "scale_divide": True})
    np.testing.assert_array_equal(dm.get_data("e").times, [4, 290, 1500])


@covers("digital_event", "csv", "identifier_column", "label_column")
def test_events_identifier_split(tmp_path):
    write(tmp_path, "e.csv", "5,10\n6,2\n7,10\n8,2\n9,3\n")
    item = {"data_type": "digital_event", "name": "u", "format": "csv", "filepath": "e.csv",
            "identifier_column": 1}  # fmt: skip
    dm, _ = load(tmp_path, item)
    # lexicographic order of the identifier text: "10" < "2" < "3"
    assert dm.keys() == ["u_0", "u_1", "u_2"]
    np.testing.assert_array_equal(dm.get_data("u_0").times, [5, 7])
    np.testing.assert_array_equal(dm.get_data("u_1").times, [6, 8])
    dm, _ = load(tmp_path, {**item, "identifier_column": 5, "label_column": 1})
    assert dm.keys() == ["u_0", "u_1", "u_2"]


@covers("digital_event", "csv", "multi_file")
@covers("digital_event", "csv multi_file", "multi_file", "file_pattern", "append_filename",
        "delimiter", "has_header", "event_column", "scale", "scale_divide", "base_name")  # fmt: skip
def test_events_multi_file(tmp_path):
    write(tmp_path, "units/b.txt", "t;x\n0,5;1\n")
    write(tmp_path, "units/a.txt", "t;x\n1,0;1\n2,0;1\n")
    write(tmp_path, "units/empty.txt", "t;x\n")
    write(tmp_path, "units/c.csv", "t;x\n9;1\n")
    item = {"data_type": "digital_event", "name": "unit", "format": "csv", "multi_file": True,
            "filepath": "units", "file_pattern": "*.txt", "delimiter": ";", "has_header": True,
            "event_column": 0, "scale": 10, "scale_divide": False, "base_name": "u"}  # fmt: skip
    dm, report = load(tmp_path, item)
    assert dm.keys() == ["unit_0", "unit_1"]  # empty.txt is skipped and takes no number
    np.testing.assert_array_equal(dm.get_data("unit_0").times, [10, 20])
    np.testing.assert_array_equal(dm.get_data("unit_1").times, [5])
    assert report.skipped() == 1
    dm, _ = load(tmp_path, {**item, "append_filename": True, "file_pattern": ""})
    assert dm.keys() == ["unit_a", "unit_b", "unit_c"]


@covers("digital_event", "uint16", "channel", "transition", "header_size", "channel_count")
def test_events_ttl(tmp_path):
    name = ttl_file(tmp_path, TTL_WORDS, header=b"HH")
    item = {"data_type": "digital_event", "name": "e", "format": "binary", "filepath": name,
            "channel": 2, "transition": "falling", "header_size": 2, "channel_count": 1}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("e").times, [3, 6])
    with pytest.raises(FormatError, match="'channel_count' 2 cannot be honoured"):
        load(tmp_path, {**item, "channel_count": 2})


@covers("digital_event", "hdf5", "time_key", "event_key", "scale", "scale_divide")
def test_events_hdf5(tmp_path):
    name = _h5(tmp_path, "e.h5", t=np.array([0.1, 0.2, 0.3]), on=np.array([1.0, 0.2, 0.9]))
    item = {"data_type": "digital_event", "name": "e", "format": "hdf5", "filepath": name,
            "time_key": "t", "event_key": "on", "scale": 100}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("e").times, [10, 30])
    dm, _ = load(tmp_path, {**item, "scale": 10, "scale_divide": True})
    np.testing.assert_array_equal(dm.get_data("e").times, [0])  # 0.01 and 0.03 round to 0


def _bitpacked_h5(tmp_path):
    """WhiskerToolbox's ``hdf5_bitpacked_digital.test.cpp`` file: samples 0,1,1,0,2,2,0 as a
    1-D uint8 dataset and as row 0 of a 2-D Wavesurfer ``sweep_0001/digitalScans``."""
    samples = np.array([0, 1, 1, 0, 2, 2, 0], np.uint8)
    return _h5(tmp_path, "digital_scans.h5", digital_1d=samples,
               **{"sweep_0001/digitalScans": samples.reshape(1, -1)})  # fmt: skip


@covers("digital_event", "hdf5 bitpacked", "data_key", "channel", "transition", "sweep_row")
def test_events_hdf5_bitpacked(tmp_path):
    """WhiskerToolbox ``tests/DataManager/IO/formats/HDF5/hdf5_bitpacked_digital.test.cpp``:
    an HDF5 event item with ``data_key`` reads TTL edges of one bit of uint8/uint16 samples
    (the config failed here asking for ``time_key``)."""
    name = _bitpacked_h5(tmp_path)
    item = {"data_type": "digital_event", "name": "e", "format": "hdf5", "filepath": name,
            "data_key": "digital_1d", "channel": 0, "transition": "rising"}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("e").times, [1])
    wavesurfer = {**item, "data_key": "sweep_0001/digitalScans", "channel": 1}
    np.testing.assert_array_equal(load(tmp_path, wavesurfer)[0].get_data("e").times, [4])
    falling = {**item, "transition": "falling", "sweep_row": 0}
    np.testing.assert_array_equal(load(tmp_path, falling)[0].get_data("e").times, [3])
    with pytest.raises(FormatError, match="sweep_row 1 is out of range"):
        load(tmp_path, {**wavesurfer, "sweep_row": 1})
    with pytest.raises(FormatError, match=r"bit number 0\.\.15"):
        load(tmp_path, {**item, "channel": 16})


@covers("digital_interval", "hdf5", "data_key", "channel", "transition", "sweep_row")
def test_intervals_hdf5_bitpacked(tmp_path):
    """WhiskerToolbox ``hdf5_bitpacked_digital.test.cpp``: bit 1 of 0,1,1,0,2,2,0 is one
    interval [4, 6]; an item without ``data_key`` fails (the test's REQUIRE_FALSE)."""
    name = _bitpacked_h5(tmp_path)
    item = {"data_type": "digital_interval", "name": "i", "format": "hdf5", "filepath": name,
            "data_key": "digital_1d", "channel": 1, "transition": "rising"}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("i").intervals, [[4, 6]])
    row = {**item, "data_key": "sweep_0001/digitalScans", "sweep_row": 0}
    np.testing.assert_array_equal(load(tmp_path, row)[0].get_data("i").intervals, [[4, 6]])
    no_key = {k: v for k, v in item.items() if k != "data_key"}
    with pytest.raises(FormatError, match="'data_key'"):
        load(tmp_path, no_key)
    _h5(tmp_path, "f.h5", d=np.array([0.0, 1.0]))
    with pytest.raises(FormatError, match="expected uint8 or uint16"):
        load(tmp_path, {**item, "filepath": "f.h5", "data_key": "d"})


@covers("time", "hdf5", "data_key", "time_layout", "sweep_row", "sampling_rate")
def test_time_hdf5_identity(tmp_path):
    """WhiskerToolbox ``hdf5_bitpacked_digital.test.cpp``: ``time_layout: identity`` gives
    one tick per sample of the dataset, 0..6 for seven samples."""
    name = _bitpacked_h5(tmp_path)
    item = {"data_type": "time", "name": "daq", "format": "hdf5", "filepath": name,
            "data_key": "digital_1d", "time_layout": "identity", "sampling_rate": 20000}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_time("daq").times, np.arange(7))
    assert dm.get_time("daq").sampling_rate == 20000
    row = {**item, "data_key": "sweep_0001/digitalScans", "sweep_row": 0}
    np.testing.assert_array_equal(load(tmp_path, row)[0].get_time("daq").times, np.arange(7))
    with pytest.raises(FormatError, match="time_layout"):
        load(tmp_path, {**item, "time_layout": "explicit"})


# ---- intervals ------------------------------------------------------------------------


@covers("digital_interval", "csv", "delimiter", "skip_header", "flip_column_order", "csv_layout",
        "layout")  # fmt: skip
def test_intervals_csv(tmp_path):
    write(tmp_path, "i.csv", "0\t99\n100\t199\n10\t20\n100\t199\n")
    item = {"data_type": "digital_interval", "name": "t", "format": "csv", "filepath": "i.csv",
            "delimiter": "\t", "csv_layout": "intervals"}  # fmt: skip
    dm, _ = load(tmp_path, item)  # skip_header defaults to true: "0 99" is dropped
    np.testing.assert_array_equal(dm.get_data("t").intervals, [[10, 20], [100, 199]])
    dm, report = load(tmp_path, {**item, "skip_header": False})
    # kept as the file gives them: back-to-back and nested intervals stay 3 (4 rows, one dup)
    np.testing.assert_array_equal(dm.get_data("t").intervals, [[0, 99], [10, 20], [100, 199]])
    assert report.skipped() == 1
    dm, _ = load(tmp_path, {**item, "skip_header": False, "layout": "disjoint"})
    np.testing.assert_array_equal(dm.get_data("t").intervals, [[0, 199]])
    write(tmp_path, "f.csv", "End,Start\n20,10\n")
    dm, _ = load(
        tmp_path, {**item, "filepath": "f.csv", "delimiter": ",", "flip_column_order": True}
    )
    np.testing.assert_array_equal(dm.get_data("t").intervals, [[10, 20]])


def test_intervals_back_to_back_and_nested(tmp_path):
    """The issue's case: 0,99 / 100,199 and a nested one load as 4 intervals, not 2."""
    write(tmp_path, "i.csv", "Start,End\n0,99\n100,199\n200,299\n210,220\n")
    item = {"data_type": "digital_interval", "name": "t", "format": "csv", "filepath": "i.csv"}
    assert len(load(tmp_path, item)[0].get_data("t")) == 4


@covers("digital_interval", "csv", "start_column", "end_column")
def test_intervals_columns(tmp_path):
    write(tmp_path, "i.csv", "id,end,start\n1,7.9,3.2\n")
    item = {"data_type": "digital_interval", "name": "t", "format": "csv", "filepath": "i.csv",
            "start_column": 2, "end_column": 1}  # fmt: skip
    np.testing.assert_array_equal(load(tmp_path, item)[0].get_data("t").intervals, [[3, 7]])


@covers("digital_interval", "csv binary_state", "csv_layout", "header_lines_to_skip", "delimiter",
        "data_column", "binary_threshold", "time_column", "sampling_rate", "all_columns")  # fmt: skip
def test_intervals_binary_state(tmp_path):
    write(tmp_path, "s.dat", "pre\nTime,a,b\n0.0,1,0.6\n0.1,1,0\n0.2,0,0.7\n0.3,1,0.7\n")
    item = {"data_type": "digital_interval", "name": "s", "format": "csv",
            "csv_layout": "binary_state", "filepath": "s.dat", "header_lines_to_skip": 1,
            "delimiter": ",", "sampling_rate": 1000}  # fmt: skip
    dm, report = load(tmp_path, item)  # data_column 1: "a"; a run open at the end closes there
    np.testing.assert_array_equal(dm.get_data("s").intervals, [[0, 1], [3, 3]])
    # sampling_rate is accepted and not used, as in WhiskerToolbox: said, not silently ignored
    (note,) = report.of_kind("unknown_option")
    assert note.message.startswith("'sampling_rate' accepted and not used, as in WhiskerToolbox")
    assert "format 'multi_column_binary') and give 'clock'" in note.message
    _, report = load(tmp_path, {**item, "time_column": 0})
    assert (
        "'sampling_rate' and 'time_column' accepted" in report.of_kind("unknown_option")[0].message
    )
    dm, _ = load(tmp_path, {**item, "data_column": 2, "binary_threshold": 0.65})
    np.testing.assert_array_equal(dm.get_data("s").intervals, [[2, 3]])
    dm, _ = load(tmp_path, {**item, "all_columns": True})
    assert dm.keys() == ["s_a", "s_b"]
    dm, _ = load(tmp_path, {**item, "all_columns": True, "time_column": 1})
    assert dm.keys() == ["s_Time", "s_b"]
    dm, _ = load(tmp_path, {**item, "format": "multi_column_binary"})
    np.testing.assert_array_equal(dm.get_data("s").intervals, [[0, 1], [3, 3]])
    # an empty cell keeps its column with the default tab delimiter too (README: WhiskerToolbox
    # drops it, shifting the row's later cells left)
    write(tmp_path, "t.dat", "Time\ta\tb\n0\t\t1\n1\t1\t0\n2\t0\t1\n")
    item = {**item, "filepath": "t.dat", "header_lines_to_skip": 0}
    del item["delimiter"]
    dm, report = load(tmp_path, {**item, "data_column": 2})
    np.testing.assert_array_equal(dm.get_data("s").intervals, [[0, 0], [2, 2]])
    dm, report = load(tmp_path, item)  # column a: row 1 is skipped, the index does not advance
    np.testing.assert_array_equal(dm.get_data("s").intervals, [[0, 0]])
    assert report.skipped() == 1
    # a tab ending every row holds no cell; a blank column name keeps its place
    write(tmp_path, "t.dat", "Time\t\tb\t\n0\t1\t1\t\n1\t0\t1\t\n")
    dm, report = load(tmp_path, {**item, "all_columns": True})
    assert dm.keys() == ["s_column1", "s_b"]
    np.testing.assert_array_equal(dm.get_data("s_b").intervals, [[0, 1]])
    assert report.skipped() == 0


@covers("digital_interval", "uint16", "channel", "transition", "header_size", "channel_count")
def test_intervals_ttl(tmp_path):
    # bit 0: high at sample 0 (no rising edge), pulse 3-4, pulse 7 to the end (no falling edge)
    name = ttl_file(tmp_path, [9, 1, 0, 1, 1, 0, 0, 1, 1], header=b"abcd")
    item = {"data_type": "digital_interval", "name": "i", "format": "uint16", "filepath": name,
            "channel": 0, "transition": "rising", "header_size": 4, "channel_count": 1}  # fmt: skip
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("i").intervals, [[3, 5]])  # end: first low sample
    dm, _ = load(tmp_path, {**item, "transition": "falling"})
    np.testing.assert_array_equal(dm.get_data("i").intervals, [[2, 3], [5, 7]])
    dm, _ = load(tmp_path, {**item, "channel": 3})
    np.testing.assert_array_equal(dm.get_data("i").intervals, np.empty((0, 2)))


# ---- tensors --------------------------------------------------------------------------


@covers("tensor", "numpy", "row_type", "column_names", "row_labels")
def test_tensor_numpy(tmp_path, monkeypatch):
    np.save(tmp_path / "t.npy", np.arange(12, dtype=np.float32).reshape(2, 3, 2))
    np.save(tmp_path / "t_rows.npy", np.array([[0, 9], [10, 19]], dtype=np.int64))
    item = {"data_type": "tensor", "name": "t", "format": "numpy", "filepath": "t.npy"}
    tensor = load(tmp_path, item)[0].get_data("t")
    assert tensor.shape == (2, 6)  # trailing axes flattened into columns
    assert tensor.row_type == "interval"
    np.testing.assert_array_equal(tensor.rows, [[0, 9], [10, 19]])
    tensor = load(tmp_path, {**item, "row_type": "ordinal", "column_names": list("abcdef")})[
        0
    ].get_data("t")
    assert tensor.row_type == "ordinal"
    assert tensor.column_names == list("abcdef")
    write(tmp_path, "rows.txt", "5\n7\n")
    tensor = load(tmp_path, {**item, "row_labels": "rows.txt"})[0].get_data("t")
    assert tensor.row_type == "time"
    np.testing.assert_array_equal(tensor.rows, [5, 7])

    # `~` is the home folder there too, as for DeepLabCut's `config` and `images`
    home = tmp_path / "home"
    write(home, "labels/rows.txt", "3\n4\n")
    monkeypatch.setenv("HOME", str(home))
    tensor = load(tmp_path, {**item, "row_labels": "~/labels/rows.txt"})[0].get_data("t")
    np.testing.assert_array_equal(tensor.rows, [3, 4])


@pytest.mark.parametrize(("row_type", "shape"), [("time", "(N,)"), ("interval", "(N, 2)")])
def test_tensor_row_type_without_rows_is_ignored_as_in_whiskertoolbox(tmp_path, row_type, shape):
    """row_type 'time' without a sidecar failed the whole config ("needs rows");
    WhiskerToolbox accepts it and ignores it: ordinal rows, and a note saying how to give rows."""
    np.save(tmp_path / "t.npy", np.zeros((3, 2), np.float32))
    item = {"data_type": "tensor", "name": "t", "format": "numpy", "filepath": "t.npy",
            "row_type": row_type}  # fmt: skip
    dm, report = load(tmp_path, item)
    assert dm.get_data("t").row_type == "ordinal"
    (note,) = report.of_kind("unknown_option")
    assert f"row_type {row_type!r} is ignored without row labels" in note.message
    assert f"t_rows.npy beside the file (int64, shape {shape}) or as a 'row_labels'" in note.message


@covers("tensor", "csv", "delimiter", "has_header", "decimal")
def test_tensor_csv(tmp_path):
    write(tmp_path, "t.csv", "row;a;b\n0-9;1,5;2\n10-19;3;4\n")
    item = {"data_type": "tensor", "name": "t", "format": "csv", "filepath": "t.csv",
            "delimiter": ";", "decimal": ","}  # fmt: skip
    tensor = load(tmp_path, item)[0].get_data("t")
    assert tensor.column_names == ["a", "b"]
    assert tensor.row_type == "interval"
    np.testing.assert_array_equal(tensor.values, [[1.5, 2], [3, 4]])
    write(tmp_path, "u.csv", "4,1,2\n8,3,4\n")
    tensor = load(tmp_path, {"data_type": "tensor", "name": "t", "format": "csv",
                             "filepath": "u.csv", "has_header": False})[0].get_data("t")  # fmt: skip
    assert tensor.row_type == "time"
    np.testing.assert_array_equal(tensor.rows, [4, 8])
    # a label starting with an integer gives time rows (WhiskerToolbox reads its prefix)
    write(tmp_path, "f.csv", "row,a\n4.0,1\n8.0,3\n")
    tensor = load(tmp_path, {**item, "filepath": "f.csv", "delimiter": ",", "decimal": "."})[
        0
    ].get_data("t")
    assert tensor.row_type == "time"
    np.testing.assert_array_equal(tensor.rows, [4, 8])
    write(tmp_path, "g.csv", "row,a\n4,1\n8x,3\n")
    with pytest.raises(FormatError, match=r"line 3: expected an integer row label, found '8x'"):
        load(tmp_path, {**item, "filepath": "g.csv", "delimiter": ",", "decimal": "."})


# ---- decimal and delimiter on every CSV reader that has them --------------------------


DECIMAL_CASES = {
    ("points", "csv"): (
        {"format": "csv"}, "p.csv", "0 1,5 2,25\n", lambda dm: dm.get_data("k").at(0), [[1.5, 2.25]]
    ),
    ("points", "csv dlc"): (
        {"format": "csv", "csv_layout": "dlc"}, "d.csv",
        "scorer;s;s\nbodyparts;a;a\ncoords;x;y\n0;1,5;2,25\n",
        lambda dm: dm.get_data("k").at(0), [[1.5, 2.25]],
    ),
    ("points", "dlc_csv"): (
        {"format": "dlc_csv"}, "d.csv", "scorer;s;s\nbodyparts;a;a\ncoords;x;y\n0;1,5;2,25\n",
        lambda dm: dm.get_data("k_a").at(0), [[1.5, 2.25]],
    ),
    ("analog", "csv"): (
        {"format": "csv"}, "a.csv", "0,5\n1,25\n", lambda dm: dm.get_data("k").values, [0.5, 1.25]
    ),
    ("digital_event", "csv"): (
        {"format": "csv", "scale": 1000}, "e.csv", "0,512\n1,034\n2,750\n3,101\n",
        lambda dm: dm.get_data("k").times, [512, 1034, 2750, 3101],
    ),
    ("digital_event", "csv multi_file"): (
        {"format": "csv", "multi_file": True, "scale": 1000, "filepath": "ev"}, "ev/x.csv",
        "0,512\n1,034\n", lambda dm: dm.get_data("k_0").times, [512, 1034],
    ),
    ("digital_interval", "csv"): (
        {"format": "csv", "skip_header": False}, "i.csv", "0,5,9,5\n",
        lambda dm: dm.get_data("k").intervals, [[0, 9]],
    ),
    ("digital_interval", "csv binary_state"): (
        {"format": "csv", "csv_layout": "binary_state", "header_lines_to_skip": 0,
         "binary_threshold": 0.5}, "s.dat", "t\tv\n0\t0,75\n1\t0,25\n",
        lambda dm: dm.get_data("k").intervals, [[0, 0]],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(DECIMAL_CASES), ids=" ".join)
def test_decimal_commas_given_as_option(tmp_path, case):
    """The issue's numbers: decimal commas read right with ``decimal: ","``."""
    options, name, text, get, expected = DECIMAL_CASES[case]
    write(tmp_path, name, text)
    item = {"data_type": case[0], "name": "k", "filepath": name, "decimal": ",", **options}
    dm, _ = load(tmp_path, item)
    np.testing.assert_array_equal(get(dm), expected)


for _t, _v in DECIMAL_CASES:
    covers(_t, _v, "decimal")
covers("points", "csv dlc", "delimiter")
covers("points", "dlc_csv", "delimiter")


def test_every_option_has_a_test():
    missing = sorted(
        (t, v, o.name)
        for (t, v), row in FORMAT_VARIANTS.items()
        for o in row.options
        if (t, v, o.name) not in COVERED
    )
    assert missing == []


def test_unknown_options_are_reported_not_errors(tmp_path):
    write(tmp_path, "p.csv", "0 1 2\n")
    item = {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv",
            "channel_count": 3, "colour": "red"}  # fmt: skip
    dm, report = load(tmp_path, item)
    assert dm.get_data("p").n_entries == 1
    assert sorted(n.message.split()[1] for n in report.of_kind("unknown_option")) == [
        "'channel_count'",
        "'colour'",
    ]


def test_readme_lists_every_option():
    """The README's option table is the table of ``io.option_table`` (regenerate it if not)."""
    from pathlib import Path

    from napari_whiskertoolbox.io.option_table import options_markdown

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- options-table:start -->") + len("<!-- options-table:start -->")
    end = readme.index("<!-- options-table:end -->")
    assert readme[start:end].strip() == options_markdown()


def test_format_names_not_whiskertoolbox_s_are_marked_ours():
    """Every format WhiskerToolbox accepts has a reader; the table marks the others *(ours)*."""
    from napari_whiskertoolbox.io.derived_clocks import DERIVED_CLOCK_FORMATS
    from napari_whiskertoolbox.io.option_table import WT_FORMATS, options_markdown
    from napari_whiskertoolbox.io.registry import reader_formats

    for data_type, formats in WT_FORMATS.items():
        readable = set(reader_formats(data_type)) | set(DERIVED_CLOCK_FORMATS)
        assert formats <= readable, data_type
    table = options_markdown()
    for row in ("| time | `uint16` / `ttl` *(ours)* |", "| tensor | `numpy` / `npy` *(ours)* |",
                "| mask | `image` / `images` *(ours)* / `png` *(ours)* |"):  # fmt: skip
        assert row in table
