"""A tab separates exactly one cell: an empty cell of a tab-separated file stays in place.

Two tabs in a row hold an empty cell (as in WhiskerToolbox's loaders, spreadsheets and
pandas' ``sep='\\t'``); columns never shift left. A space delimiter still takes a run of
spaces as one separator (aligned columns).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.csv_tools import split_row
from napari_whiskertoolbox.io.points import is_header_line
from napari_whiskertoolbox.io.routing import open_path

POINTS_TAB = "frame\tx\ty\tlikelihood\n0\t12.5\t30.25\t0.9\n1\t\t31.75\t0.8\n2\t14.5\t32.5\t0.7\n"


def load(tmp_path, item):
    (tmp_path / "config.json").write_text(json.dumps([{"name": "k", **item}]))
    return load_config(tmp_path / "config.json")


@pytest.mark.parametrize(
    ("line", "delimiter", "cells"),
    [
        ("1\t\t31.75\t0.8", "\t", ["1", "", "31.75", "0.8"]),
        ("1\t\t31.75\t0.8", " ", ["1", "", "31.75", "0.8"]),
        ("  1   2.5  3 ", " ", ["1", "2.5", "3"]),
        ("1 \t 2\t\t3", " ", ["1", "2", "", "3"]),
        ("1 \t 2\t\t3", "\t", ["1", "2", "", "3"]),
        ("1;;2", ";", ["1", "", "2"]),
    ],
)
def test_split_row_keeps_empty_cells_between_tabs(line, delimiter, cells):
    assert split_row(line, delimiter) == cells


@pytest.mark.parametrize("options", [{"column_delim": "\t"}, {}])
def test_points_empty_x_between_tabs_fails_naming_the_line(tmp_path, options):
    """WhiskerToolbox fails the entry on an empty x cell; y never becomes x."""
    (tmp_path / "p.csv").write_text(POINTS_TAB)
    with pytest.raises(FormatError, match=r"line 3: expected an x coordinate, found an empty"):
        load(tmp_path, {"data_type": "points", "format": "csv", "filepath": "p.csv", **options})


def test_points_tab_file_without_empty_cells_reads(tmp_path):
    (tmp_path / "p.csv").write_text(POINTS_TAB.replace("1\t\t31.75", "1\t13.5\t31.75"))
    dm = load(tmp_path, {"data_type": "points", "format": "csv", "filepath": "p.csv"})
    np.testing.assert_allclose(dm.get_data("k").at(1), [[13.5, 31.75]])


def test_points_tab_file_opened_alone_is_not_shifted(tmp_path):
    (tmp_path / "p.csv").write_text(POINTS_TAB)
    with pytest.raises(FormatError, match=r"line 3: expected an x coordinate"):
        open_path(tmp_path / "p.csv", DataManager())


def test_point_header_detection_counts_empty_cells(tmp_path):
    assert is_header_line("\t1\t2", delimiter="\t")  # the frame cell is empty
    assert not is_header_line("1\t\t2", delimiter="\t")


def test_events_empty_middle_cell_is_a_cell(tmp_path):
    (tmp_path / "e.csv").write_text("a\tb\tt\n1\t\t0.512\n2\t5\t1.034\n")
    dm = load(
        tmp_path,
        {"data_type": "digital_event", "format": "csv", "filepath": "e.csv", "scale": 1000,
         "delimiter": "\t", "has_header": True, "event_column": 2},
    )  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("k").times, [512, 1034])
    assert not any("columns" in note for note in dm.metadata["sources"]["k"].get("notes", []))


def test_analog_empty_middle_cell_is_a_cell(tmp_path):
    (tmp_path / "a.csv").write_text("t\tv\tw\n0\t\t1.5\n1\t2.0\t2.5\n")
    dm = load(
        tmp_path,
        {"data_type": "analog", "format": "csv", "filepath": "a.csv", "delimiter": "\t",
         "has_header": True, "single_column_format": False, "data_column": 2},
    )  # fmt: skip
    series = dm.get_data("k")
    np.testing.assert_array_equal(series.times, [0, 1])
    np.testing.assert_allclose(series.values, [1.5, 2.5])


def test_deeplabcut_table_written_with_tabs_and_nan_cells(tmp_path):
    """pandas' ``to_csv(sep='\\t')`` writes NaN as empty cells: read as the comma file is."""
    columns = pd.MultiIndex.from_product(
        [["me"], ["hand", "nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    table = pd.DataFrame(
        [[1.5, 2.5, 0.9, np.nan, np.nan, np.nan], [3.5, 4.5, 0.9, 5.5, 6.5, 0.8]],
        columns=columns,
    )
    table.to_csv(tmp_path / "tab.csv", sep="\t")
    table.to_csv(tmp_path / "comma.csv")
    read = {}
    for name in ("tab", "comma"):
        dm = load(tmp_path, {"data_type": "points", "format": "dlc_csv", "filepath": f"{name}.csv"})
        read[name] = {
            key.split("_", 1)[1]: {int(t): dm.get_data(key).at(t).tolist() for t in
                                   dm.get_data(key).times_with_data()}
            for key in dm if dm.data_type(key) == "points"
        }  # fmt: skip
    assert read["tab"] == read["comma"]
    assert read["tab"]["nose"] == {1: [[5.5, 6.5]]}
