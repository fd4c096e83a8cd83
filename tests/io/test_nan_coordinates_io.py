"""NaN vertices and points: kept on load, written as ``nan``, read back (wt_loaders.md §5, §11)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.session import load_session, save_session
from napari_whiskertoolbox.io.write_back import write_key_home
from napari_whiskertoolbox.io.wt_savers import save_csv_as_whiskertoolbox

LINES_CSV = 'Frame,X,Y\n0,"1.5,nan,3","4,5,6"\n0,"10,20","30,40"\n2,"inf,2","1,-inf"\n'


def _line_item(**options):
    return {"data_type": "line", "name": "w", "format": "csv", "filepath": "w.csv", **options}


def _lines_at(data: LineData, frame: int) -> list[list[list[float]]]:
    return [line.tolist() for line in data.at(frame)]


def test_line_csv_keeps_nan_and_infinite_vertices(tmp_path, write_config):
    """WhiskerToolbox keeps them (§5.1, §11): nothing is skipped or reported."""
    (tmp_path / "w.csv").write_text(LINES_CSV)
    dm = load_config(write_config([_line_item()]))
    lines = dm.get_data("w")
    np.testing.assert_array_equal(lines.at(0)[0], [[1.5, 4], [np.nan, 5], [3, 6]])
    np.testing.assert_array_equal(lines.at(0)[1], [[10, 30], [20, 40]])
    np.testing.assert_array_equal(lines.at(2)[0], [[np.inf, 1], [2, -np.inf]])
    assert not dm.metadata["sources"]["w"].get("notes")


def test_line_folder_keeps_nan_vertices(tmp_path, write_config):
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "0000003.csv").write_text("X,Y\n1,2\nnan,3\n4,nan\n")
    dm = load_config(write_config([_line_item(filepath="w", multi_file=True)]))
    np.testing.assert_array_equal(dm.get_data("w").at(3)[0], [[1, 2], [np.nan, 3], [4, np.nan]])


def test_line_with_a_nan_vertex_writes_back_as_nan_and_reloads(tmp_path, write_config):
    """Saving into the config's own file (an edit of another line) keeps the NaN line."""
    (tmp_path / "w.csv").write_text(LINES_CSV)
    config = write_config([_line_item()])
    dm = load_config(config)
    lines = dm.get_data("w")
    lines.add(5, [[7, 8], [9, 10]])
    write_key_home(dm, "w")
    text = (tmp_path / "w.csv").read_text()
    assert '0,"1.5,nan,3","4,5,6"' in text
    assert '2,"inf,2","1,-inf"' in text
    back = load_config(config).get_data("w")
    for frame in (0, 2, 5):
        assert len(back.at(frame)) == len(lines.at(frame))
        for got, want in zip(back.at(frame), lines.at(frame)):
            np.testing.assert_array_equal(got, want)


def test_whiskertoolbox_saver_writes_nan_vertices(tmp_path, write_config):
    """The SaveData line CSV writes ``nan`` as WhiskerToolbox's stream output does."""
    lines = LineData()
    lines.add(1, [[1, np.nan], [2, 3]])
    save_csv_as_whiskertoolbox("line", lines, tmp_path / "out.csv", {"precision": 1})
    assert (tmp_path / "out.csv").read_text() == 'Frame,X,Y\n1,"1.0,2.0","nan,3.0"\n'
    back = load_config(write_config([_line_item(filepath="out.csv")])).get_data("w")
    np.testing.assert_array_equal(back.at(1)[0], [[1, np.nan], [2, 3]])


def test_points_include_keeps_nan_rows_and_writes_them_back(tmp_path, write_config):
    (tmp_path / "p.csv").write_text("0 1 2\n1 nan 5\n2 inf 4\n")
    item = {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv"}
    skip = load_config(write_config([item])).get_data("p")
    assert skip.times_with_data().tolist() == [0, 2]  # Skip drops NaN rows only (§4.1)
    np.testing.assert_array_equal(skip.at(2), [[np.inf, 4]])
    config = write_config([{**item, "nan_handling": "Include"}])
    dm = load_config(config)
    points = dm.get_data("p")
    np.testing.assert_array_equal(points.at(1), [[np.nan, 5]])
    points.add(7, [[3, 3]])
    write_key_home(dm, "p")
    assert "1 nan 5" in (tmp_path / "p.csv").read_text()
    back = load_config(config).get_data("p")
    for frame in (0, 1, 2, 7):
        np.testing.assert_array_equal(back.at(frame), points.at(frame))


def test_points_skip_item_refuses_to_write_a_nan_point(tmp_path, write_config):
    """Under ``Skip`` the row would be lost on reload: the file is left untouched."""
    (tmp_path / "p.csv").write_text("0 1 2\n")
    item = {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv"}
    dm = load_config(write_config([item]))
    dm.get_data("p").add(4, [[np.nan, 1]])
    with pytest.raises(FormatError, match="nan_handling 'Include'"):
        write_key_home(dm, "p")
    assert (tmp_path / "p.csv").read_text() == "0 1 2\n"


def test_session_save_and_reload_keep_nan_coordinates(tmp_path, write_config):
    (tmp_path / "w.csv").write_text(LINES_CSV)
    (tmp_path / "p.csv").write_text("0 nan nan\n1 2 3\n")
    dm = load_config(
        write_config(
            [
                _line_item(),
                {"data_type": "points", "name": "p", "format": "csv", "filepath": "p.csv",
                 "nan_handling": "Include"},
            ]
        )
    )  # fmt: skip
    save_session(dm, tmp_path / "session")
    back = load_session(tmp_path / "session")
    assert _lines_at(back.get_data("w"), 0)[0][1][0] != _lines_at(back.get_data("w"), 0)[0][1][0]
    for key in ("w", "p"):
        a, b = dm.get_data(key).to_flat(), back.get_data(key).to_flat()
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.coords, b.coords)


def test_a_nan_left_as_it_was_is_no_difference_on_read_back():
    """The write-back's read-back check: NaN equals NaN (an analog NaN sample round-trips)."""
    from napari_whiskertoolbox.core import AnalogTimeSeries, PointData
    from napari_whiskertoolbox.io.same_content import content_difference

    values = np.array([1.0, np.nan, 3.0], np.float32)
    assert content_difference(AnalogTimeSeries(values), AnalogTimeSeries(values.copy())) is None
    a, b = PointData(), PointData()
    a.add(0, [[np.nan, 1.0]])
    b.add(0, [[np.nan, 1.0]])
    assert content_difference(a, b) is None
    b.update(int(b.ids_at(0)[0]), [[2.0, 1.0]])
    assert content_difference(a, b) == "the coordinates differ"
