"""Numbers as labs write them: decimal commas and ``;`` delimiters in every CSV reader.

Each reader reads them right — detected when unambiguous (a comma inside a cell of a
file not delimited by commas), or given as ``decimal`` / ``delimiter``. A comma-delimited
file is read as WhiskerToolbox reads it, integer columns (``100,200,1`` is three), with a note
when its rows of integers vary in width.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.io import FormatError, load_config


def load(tmp_path, item):
    (tmp_path / "config.json").write_text(json.dumps([item]))
    return load_config(tmp_path / "config.json")


def refused(tmp_path, item, line, pattern=None):
    with pytest.raises(FormatError, match=pattern) as info:
        load(tmp_path, item)
    message = str(info.value)
    assert item["filepath"] in message
    assert f"line {line}" in message
    return message


def item(data_type, filepath, **options):
    return {"data_type": data_type, "name": "k", "filepath": filepath, **options}


# ---- the files ----------------------------------------------------------------

EVENTS_SECONDS = "0,512\n1,034\n2,750\n3,101\n"


def test_events_comma_columns_read_as_whiskertoolbox_without_decimal(tmp_path):
    """'0,512' is time 0 and a column the reader does not take, as WhiskerToolbox reads it."""
    (tmp_path / "e.csv").write_text(EVENTS_SECONDS)
    dm = load(tmp_path, item("digital_event", "e.csv", format="csv", scale=1000))
    np.testing.assert_array_equal(dm.get_data("k").times, [0, 1000, 2000, 3000])


@pytest.mark.parametrize(
    ("entry", "text", "expected"),
    [
        ({"data_type": "digital_interval"}, "Start,End,Trial\n100,200,1\n300,400,2\n",
         [[100, 200], [300, 400]]),
        ({"data_type": "digital_event", "identifier_column": 1}, "12345,3,1\n12400,5,2\n",
         {"k_0": [12345], "k_1": [12400]}),
        ({"data_type": "digital_event"}, "100,3\n200,4\n", [100, 200]),
        ({"data_type": "points", "column_delim": ","}, "0,100,200,1\n1,300,400,1\n",
         [[100, 200]]),
    ],
)  # fmt: skip
def test_integer_tables_with_an_extra_column_load_as_in_whiskertoolbox(
    tmp_path, entry, text, expected
):
    """These failed the whole config ("reads either as numbers with decimal commas or as 3
    comma-separated integer columns"); WhiskerToolbox has no decimal-comma reading."""
    (tmp_path / "f.csv").write_text(text)
    dm = load(tmp_path, {"name": "k", "filepath": "f.csv", "format": "csv", **entry})
    if isinstance(expected, dict):
        for key, times in expected.items():
            np.testing.assert_array_equal(dm.get_data(key).times, times)
    elif entry["data_type"] == "digital_interval":
        np.testing.assert_array_equal(dm.get_data("k").intervals, expected)
    elif entry["data_type"] == "points":
        np.testing.assert_array_equal(dm.get_data("k").at(0), expected)
    else:
        np.testing.assert_array_equal(dm.get_data("k").times, expected)


@pytest.mark.parametrize(("options", "text"), [
    ({"decimal": ","}, EVENTS_SECONDS),
    ({}, "0,512;a\n1,034;a\n2,750;a\n3,101;a\n"),  # ';' delimiter detected, then ',' is decimal
    ({"delimiter": "\t"}, "0,512\n1,034\n2,750\n3,101\n"),  # no ',' delimiter: ',' is decimal
])  # fmt: skip
def test_events_decimal_commas_read_right(tmp_path, options, text):
    (tmp_path / "e.csv").write_text(text)
    dm = load(tmp_path, item("digital_event", "e.csv", format="csv", scale=1000, **options))
    np.testing.assert_array_equal(dm.get_data("k").times, [512, 1034, 2750, 3101])


def test_analog_decimal_commas_are_not_pairs(tmp_path):
    """A one-column file: as WhiskerToolbox, the values before the commas; read right with
    decimal ','."""
    (tmp_path / "a.csv").write_text("0,5\n1,25\n2,125\n")
    np.testing.assert_array_equal(
        load(tmp_path, item("analog", "a.csv", format="csv")).get_data("k").values, [0, 1, 2]
    )
    dm = load(tmp_path, item("analog", "a.csv", format="csv", decimal=","))
    np.testing.assert_array_equal(dm.get_data("k").values, [0.5, 1.25, 2.125])


def test_analog_semicolon_two_columns(tmp_path):
    (tmp_path / "a.csv").write_text("Time;Data\n0;1,5\n1;-2,25\n")
    dm = load(tmp_path, item("analog", "a.csv", format="csv", single_column_format=False))
    np.testing.assert_array_equal(dm.get_data("k").values, [1.5, -2.25])


def test_intervals_decimal_commas(tmp_path):
    (tmp_path / "i.csv").write_text("Start,End\n0,5,9,5\n")
    dm = load(tmp_path, item("digital_interval", "i.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[0, 5]])  # as WhiskerToolbox
    dm = load(tmp_path, item("digital_interval", "i.csv", format="csv", decimal=","))
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[0, 9]])
    (tmp_path / "j.csv").write_text("Start;End\n0,5;9,5\n")
    dm = load(tmp_path, item("digital_interval", "j.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[0, 9]])  # truncated


def test_points_decimal_commas(tmp_path):
    (tmp_path / "p.csv").write_text("0 1,5 2,25\n1 3 4,75\n")
    dm = load(tmp_path, item("points", "p.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").at(0), [[1.5, 2.25]])
    (tmp_path / "q.csv").write_text("frame;x;y\n0;1,5;2,25\n")
    dm = load(tmp_path, item("points", "q.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").at(0), [[1.5, 2.25]])
    refused(tmp_path, item("points", "p.csv", format="csv", decimal="."), 1, "'1,5'")
    (tmp_path / "r.csv").write_text("0,1,5,2,5\n")
    dm = load(tmp_path, item("points", "r.csv", format="csv", column_delim=","))
    np.testing.assert_array_equal(dm.get_data("k").at(0), [[1, 5]])  # as WhiskerToolbox


def test_dlc_semicolons_and_decimal_commas(tmp_path):
    (tmp_path / "d.csv").write_text(
        "scorer;s;s;s\nbodyparts;nose;nose;nose\ncoords;x;y;likelihood\n0;1,5;2,5;0,9\n"
    )
    dm = load(tmp_path, item("points", "d.csv", format="dlc_csv", likelihood_threshold=0.5))
    np.testing.assert_array_equal(dm.get_data("k_nose").at(0), [[1.5, 2.5]])
    (tmp_path / "e.csv").write_text(
        "scorer,s,s,s\nbodyparts,nose,nose,nose\ncoords,x,y,likelihood\n0,1,5,2,5,0,9\n"
    )
    refused(tmp_path, item("points", "e.csv", format="dlc_csv"), 4, "columns")


def test_lines_semicolon_file(tmp_path):
    (tmp_path / "l.csv").write_text('Frame;X;Y\n0;"1,5;2,5";"3,5;4,5"\n')
    dm = load(tmp_path, item("line", "l.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").at(0)[0], [[1.5, 3.5], [2.5, 4.5]])
    (tmp_path / "m.csv").write_text('Frame,X,Y\n0,"1,5,2,5","3,5,4,5"\n')
    # decimal commas inside comma lists cannot be told apart: the quoted lists read as
    # numbers 1, 5, 2, 5 — as written; with decimal ',' the file is refused
    with pytest.raises(FormatError, match="coordinate_delimiter other than"):
        load(tmp_path, item("line", "m.csv", format="csv", decimal=","))


def test_masks_semicolon_file(tmp_path):
    (tmp_path / "m.csv").write_text('Frame;RLE\n4;"1;2;3"\n')
    dm = load(tmp_path, item("mask", "m.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").at(4)[0], [[2, 1], [3, 1], [4, 1]])
    (tmp_path / "n.csv").write_text('Frame,RLE\n4,"1,2,3,5"\n')
    refused(tmp_path, item("mask", "n.csv", format="csv"), 2, "triplets")


def test_clock_text_with_decimal_comma_is_refused(tmp_path):
    (tmp_path / "t.txt").write_text("0\n1,5\n")
    refused(tmp_path, item("time", "t.txt", format="csv"), 2, "integer clock tick")


def test_daq_table_decimal_commas(tmp_path):
    (tmp_path / "d.dat").write_text("Time\tv\n0,0\t1\n0,5\t0\n1,0\t1\n")
    dm = load(tmp_path, item("time", "d.dat", format="multi_column_binary",
                             header_lines_to_skip=0, sampling_rate=10))  # fmt: skip
    np.testing.assert_array_equal(dm.get_time("k").times, [0, 5, 10])


def test_tensor_semicolons(tmp_path):
    (tmp_path / "t.csv").write_text("row;a\n3;1,5\n")
    dm = load(tmp_path, item("tensor", "t.csv", format="csv"))
    np.testing.assert_array_equal(dm.get_data("k").values, [[1.5]])


# ---- never silently wrong: any value written either way reads back -------------------

finite32 = st.floats(-1e6, 1e6, allow_nan=False, width=32).map(lambda v: float(np.float32(v)))


def _text(value: float) -> str:
    return np.format_float_positional(np.float32(value), unique=True, trim="0")


@settings(max_examples=40, deadline=None)
@given(values=st.lists(finite32, min_size=1, max_size=20), comma=st.booleans())
def test_analog_values_read_back_exactly(tmp_path_factory, values, comma):
    folder = tmp_path_factory.mktemp("analog")
    lines = [_text(v).replace(".", ",") if comma else _text(v) for v in values]
    (folder / "a.csv").write_text("\n".join(f"{i};{t}" for i, t in enumerate(lines)) + "\n")
    dm = load(folder, item("analog", "a.csv", format="csv", single_column_format=False))
    np.testing.assert_array_equal(dm.get_data("k").values, np.asarray(values, np.float32))


@settings(max_examples=40, deadline=None)
@given(values=st.lists(finite32, min_size=1, max_size=20))
def test_point_values_read_back_exactly(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("points")
    rows = [f"{i} {_text(v).replace('.', ',')} {_text(-v)}" for i, v in enumerate(values)]
    (folder / "p.csv").write_text("\n".join(rows) + "\n")
    flat = load(folder, item("points", "p.csv", format="csv")).get_data("k").to_flat()
    expected = np.stack([values, [-v for v in values]], axis=1).astype(np.float32)
    np.testing.assert_array_equal(flat.coords, expected)


# ---- the same kind: headers, Excel's files, quoting -------------------------------------


@pytest.mark.parametrize("top", ["time\n", "sep=;\n", "sep=;\ntime\n"])
def test_decimal_commas_after_a_header_read_with_decimal(tmp_path, top):
    """A header line or Excel's ``sep=;`` above decimal commas: read with ``decimal``."""
    (tmp_path / "e.csv").write_text(top + EVENTS_SECONDS)
    dm = load(tmp_path, item("digital_event", "e.csv", format="csv", scale=1000, decimal=","))
    np.testing.assert_array_equal(dm.get_data("k").times, [512, 1034, 2750, 3101])


def test_decimal_commas_in_some_rows_only_are_read_as_columns_with_a_note(tmp_path, caplog):
    """'0,1,5' next to '1,2' (a whole value): read as WhiskerToolbox reads it, integer
    columns, with a note naming the line and the option; rows of one width say nothing."""
    (tmp_path / "a.csv").write_text("0,1,5\n1,2\n2,3,25\n")
    entry = item("analog", "a.csv", format="csv", single_column_format=False)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = load(tmp_path, entry)
    np.testing.assert_array_equal(dm.get_data("k").values, [1, 2, 3])
    assert "line 1: '0,1,5') are read as integer columns" in caplog.text
    assert '"decimal": ","' in caplog.text
    caplog.clear()
    (tmp_path / "a.csv").write_text("0,1,5\n1,2,6\n")
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        load(tmp_path, entry)
    assert "integer columns" not in caplog.text


def test_quoted_numbers_are_numbers(tmp_path):
    """CSV writers quoting every field: was 'expected event times, found none'."""
    (tmp_path / "e.csv").write_text('"0.512"\n"1.034"\n')
    dm = load(tmp_path, item("digital_event", "e.csv", format="csv", scale=1000))
    np.testing.assert_array_equal(dm.get_data("k").times, [512, 1034])
    (tmp_path / "a.csv").write_text('"Time","Data"\n"0","1.5"\n"1","-2.25"\n')
    dm = load(tmp_path, item("analog", "a.csv", format="csv", single_column_format=False))
    np.testing.assert_array_equal(dm.get_data("k").values, [1.5, -2.25])


def test_no_readable_row_names_the_first_line_and_why(tmp_path):
    (tmp_path / "e.csv").write_text("t\n-\nn/a\n")
    message = refused(tmp_path, item("digital_event", "e.csv", format="csv"), 2)
    assert "the time is not a number" in message


def test_headerless_intervals_first_line_is_reported(tmp_path):
    """skip_header (WhiskerToolbox's default) drops line 1: said when it holds numbers."""
    from napari_whiskertoolbox.io.report import LoadReport

    (tmp_path / "i.csv").write_text("0,9\n12,20\n")
    (tmp_path / "config.json").write_text(json.dumps([item("digital_interval", "i.csv")]))
    report = LoadReport()
    dm = load_config(tmp_path / "config.json", report=report)
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[12, 20]])
    [note] = report.of_kind("skipped")
    assert note.lines == (1,)
    assert "skip_header" in note.message


# ---- events with an identifier column and decimal commas --------------------------------

UNITS_SECONDS = "0,512,u1\n1,000,u1\n2,250,u2\n"


@pytest.mark.parametrize("header", ["", "time,unit\n"])
def test_event_identifiers_without_decimal_are_columns(tmp_path, header):
    """Without ``decimal``, '0,512,u1' is three columns, as WhiskerToolbox reads it."""
    (tmp_path / "e.csv").write_text(header + UNITS_SECONDS)
    entry = item("digital_event", "e.csv", format="csv", scale=1000, identifier_column=2)
    dm = load(tmp_path, entry)
    np.testing.assert_array_equal(dm.get_data("k_0").times, [0, 1000])
    np.testing.assert_array_equal(dm.get_data("k_1").times, [2000])


@pytest.mark.parametrize("header", ["", "time,unit\n"])
def test_event_identifiers_with_decimal_commas_read_right(tmp_path, header):
    (tmp_path / "e.csv").write_text(header + UNITS_SECONDS)
    entry = item(
        "digital_event", "e.csv", format="csv", scale=1000, identifier_column=1, decimal=","
    )
    dm = load(tmp_path, entry)
    np.testing.assert_array_equal(dm.get_data("k_0").times, [512, 1000])
    np.testing.assert_array_equal(dm.get_data("k_1").times, [2250])


def test_event_identifier_before_decimal_comma_times(tmp_path):
    (tmp_path / "e.csv").write_text("u1,0,512\nu1,1,000\nu2,2,250\n")
    entry = item(
        "digital_event", "e.csv", format="csv", scale=1000, identifier_column=0, event_column=1,
        decimal=",",
    )  # fmt: skip
    dm = load(tmp_path, entry)
    np.testing.assert_array_equal(dm.get_data("k_0").times, [512, 1000])


def test_event_identifier_counted_in_cells_with_decimal_commas_is_named(tmp_path):
    """identifier_column 2 counts cells; with decimal commas a number is one column."""
    (tmp_path / "e.csv").write_text(UNITS_SECONDS)
    entry = item(
        "digital_event", "e.csv", format="csv", scale=1000, identifier_column=2, decimal=","
    )
    message = refused(tmp_path, entry, 1, "identifier_column")
    assert "puts its text in column 1" in message


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("1523,2\n1600,1\n", {"identifier_column": 1}, {"k_0": [1600], "k_1": [1523]}),
        ("12,u1\n13,u2\n", {"identifier_column": 1}, {"k_0": [12], "k_1": [13]}),
        ("0,512,u1\n1,5,u1\n", {"identifier_column": 2, "decimal": "."}, {"k": [0, 1]}),
        ("0.5,512,u1\n", {"identifier_column": 2}, {"k": [0]}),  # a '.': columns
    ],
)
def test_event_identifier_files_that_are_not_ambiguous(tmp_path, text, options, expected):
    (tmp_path / "e.csv").write_text(text)
    dm = load(tmp_path, item("digital_event", "e.csv", format="csv", **options))
    for key, times in expected.items():
        np.testing.assert_array_equal(dm.get_data(key).times, times)
