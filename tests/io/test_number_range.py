"""A number too large for what it is stored in is refused, naming the file's own line.

Coordinates and signal values are float32 (``1e39`` would silently become infinite);
frames are int64 (``1e39`` would wrap to a wrong frame). NaN and ``inf`` cells stay what
they are.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.routing import open_path


def refused(tmp_path, name, text, item, line, pattern):
    (tmp_path / name).write_text(text)
    (tmp_path / "config.json").write_text(json.dumps([{"name": "k", "filepath": name, **item}]))
    with pytest.raises(FormatError, match=pattern) as info:
        load_config(tmp_path / "config.json")
    message = str(info.value)
    assert str(tmp_path / name) in message
    assert f"line {line}:" in message
    assert "row" not in message  # a file line, not an internal row index
    return message


POINTS_ROWS = "".join(f"{i} {i}.5 {i}.25\n" for i in range(600))


@pytest.mark.parametrize("delimiter", [" ", ",", "\t"])
@pytest.mark.parametrize("big", ["1e39", "-3.5e38", "1E+300"])
def test_points_coordinate_beyond_float32(tmp_path, delimiter, big):
    rows = POINTS_ROWS.replace("596 596.5", f"596 {big}").replace(" ", delimiter)
    text = f"frame{delimiter}x{delimiter}y\n{rows}"
    refused(
        tmp_path, "p.csv", text, {"data_type": "points", "column_delim": delimiter}, 598,
        rf"the x coordinate {re.escape(repr(big))} does not fit in a 32-bit float",
    )  # fmt: skip


def test_points_opened_alone_names_the_line(tmp_path):
    (tmp_path / "p.csv").write_text(f"frame x y\n{POINTS_ROWS.replace('596.25', '1e39')}")
    with pytest.raises(FormatError, match=r"p\.csv', line 598: the y coordinate '1e39'"):
        open_path(tmp_path / "p.csv", DataManager())


def test_points_largest_float32_and_inf_are_kept(tmp_path):
    (tmp_path / "p.csv").write_text("0 3.4028235e38 inf\n1 -3.4028235e38 nan\n")
    (tmp_path / "config.json").write_text(
        json.dumps([{"name": "k", "filepath": "p.csv", "data_type": "points",
                     "nan_handling": "Include"}])
    )  # fmt: skip
    points = load_config(tmp_path / "config.json").get_data("k")
    np.testing.assert_array_equal(points.at(0), [[np.finfo(np.float32).max, np.inf]])


def test_points_frame_beyond_int64(tmp_path):
    refused(
        tmp_path, "p.csv", "0 1 2\n99999999999999999999 1 2\n", {"data_type": "points"}, 2,
        r"the frame '99999999999999999999' is beyond",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "item", "line", "pattern"),
    [
        ('Frame,X,Y\n0,"1,2","3,4"\n1,"1e39,2","3,4"\n', {"data_type": "line"}, 3,
         r"the coordinate '1e39'"),
        ("1.5\n1e39\n2\n", {"data_type": "analog"}, 2, r"the value '1e39'"),
        ("0,1.5\n1e39,2\n", {"data_type": "analog", "single_column_format": False}, 2,
         r"the time '1e39' is beyond"),
        ("row,a,b\n0,1,2\n1,1e39,3\n", {"data_type": "tensor", "format": "csv"}, 3,
         r"the value of column 1 '1e39'"),
        ("1\n1e39\n", {"data_type": "digital_event"}, 2, r"the event time .* '1e39' is beyond"),
        ("1\n1e16\n", {"data_type": "digital_event", "scale": 1000}, 2, r"'1e16' is beyond"),
        ("1,2\n3,1e39\n", {"data_type": "digital_interval", "skip_header": False}, 2,
         r"the interval end '1e39' is beyond"),
    ],
)  # fmt: skip
def test_other_readers_refuse_numbers_out_of_range(tmp_path, text, item, line, pattern):
    refused(tmp_path, "d.csv", text, {"format": "csv", **item}, line, pattern)
