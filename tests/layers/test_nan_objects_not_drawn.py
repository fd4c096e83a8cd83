"""A config's NaN-vertex line and NaN point are not drawn and survive edits, saves and reloads.

Issue 19: WhiskerToolbox keeps NaN vertices in lines and NaN points under
``nan_handling: "Include"`` (wt_loaders.md §5.1, §11). The layers leave them out (told
once per key); editing the line or point beside them, saving into the config's own files
or a session folder, and reloading give them back unchanged.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _napari_input import drag

from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.session import load_session
from napari_whiskertoolbox.workflow import actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow
from napari_whiskertoolbox.workflow.save_target import (
    CONFIG_FILES,
    FIRST_SAVE_QUESTION,
    SESSION_FOLDER,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

NAN_LINE = [[5.0, 6.0], [np.nan, 8.0], [12.0, 14.0]]
GOOD_LINE = [[2.0, 3.0], [10.0, 4.0], [20.0, 6.0]]
NAN_POINT = [np.nan, 7.0]


class Answers:
    """Answer the first-save question with ``choice`` (what the user clicks)."""

    def __init__(self, choice: str) -> None:
        self.choice = choice

    def choose(self, question: Any) -> str:
        assert question.id == FIRST_SAVE_QUESTION
        return self.choice


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "w.csv").write_text(
        'Frame,X,Y\n0,"5,nan,12","6,8,14"\n0,"2,10,20","3,4,6"\n', encoding="utf-8"
    )
    (tmp_path / "p.csv").write_text("0 nan 7\n0 4 5\n", encoding="utf-8")
    items = [
        {"data_type": "line", "name": "w", "filepath": "w.csv", "format": "csv",
         "width": 64, "height": 48},
        {"data_type": "points", "name": "p", "filepath": "p.csv", "format": "csv",
         "nan_handling": "Include", "width": 64, "height": 48},
    ]  # fmt: skip
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _edit_the_drawn_line_and_point(make_napari_viewer, config, notifications, answers):
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    get_workflow(viewer).ask = answers
    session.set_frame(0)
    lines, shapes = session.dm.get_data("w"), viewer.layers["w"]
    points, markers = session.dm.get_data("p"), viewer.layers["p"]
    assert shapes.nshapes == 1  # the NaN line is not drawn
    np.testing.assert_array_equal(shapes.data[0], np.asarray(GOOD_LINE)[:, ::-1])
    assert len(markers.data) == 1
    told = [m for m in notifications if m.startswith(("w:", "p:"))]
    assert len(told) == 2, told
    assert "1 line(s) on frame 0 have a NaN or infinite vertex" in told[0]
    assert "1 point(s) on frame 0 have a NaN or infinite coordinate" in told[1]
    ids = lines.ids_at(0).copy()
    shapes.mode = "direct"
    shapes.selected_data = {0}
    drag(viewer, shapes, [(4.0, 10.0), (5.0, 11.0), (9.0, 15.0)])  # the middle vertex
    np.testing.assert_array_equal(lines.ids_at(0), ids)
    np.testing.assert_array_equal(lines.at(0)[0], NAN_LINE)
    np.testing.assert_array_equal(lines.at(0)[1], [[2, 3], [15, 9], [20, 6]])
    markers.add([[30.0, 40.0]])
    np.testing.assert_array_equal(points.at(0), [NAN_POINT, [4, 5], [40, 30]])
    session.set_frame(1)
    session.set_frame(0)  # drawn again from the DataManager: still only the finite ones
    assert shapes.nshapes == 1
    assert len(markers.data) == 2
    assert len([m for m in notifications if m.startswith(("w:", "p:"))]) == 2, "told once"
    return viewer, session


def _check_reloaded(dm) -> None:
    lines, points = dm.get_data("w"), dm.get_data("p")
    np.testing.assert_array_equal(lines.at(0)[0], NAN_LINE)
    np.testing.assert_array_equal(lines.at(0)[1], [[2, 3], [15, 9], [20, 6]])
    np.testing.assert_array_equal(points.at(0), [NAN_POINT, [4, 5], [40, 30]])


def test_saving_into_the_config_files_keeps_the_nan_objects(
    make_napari_viewer, config, tmp_path, notifications
):
    answers = Answers(CONFIG_FILES)
    _viewer, session = _edit_the_drawn_line_and_point(
        make_napari_viewer, config, notifications, answers
    )
    assert actions.save(session)
    assert not session.dm.modified
    assert '0,"5,nan,12","6,8,14"' in (tmp_path / "w.csv").read_text(encoding="utf-8")
    assert "0 nan 7" in (tmp_path / "p.csv").read_text(encoding="utf-8")
    _check_reloaded(load_config(config))


def test_saving_a_session_folder_keeps_the_nan_objects(
    make_napari_viewer, config, tmp_path, notifications
):
    answers = Answers(SESSION_FOLDER)
    _viewer, session = _edit_the_drawn_line_and_point(
        make_napari_viewer, config, notifications, answers
    )
    assert actions.save(session)
    _check_reloaded(load_session(tmp_path / "exp.session"))
    reopened = make_napari_viewer()
    reopened.open(str(tmp_path / "exp.session"), plugin="napari-whiskertoolbox")
    again = get_session(reopened)
    again.set_frame(0)
    assert reopened.layers["w"].nshapes == 1
    _check_reloaded(again.dm)


def test_the_canvas_extent_ignores_nan_and_infinite_coordinates():
    """Without an image size the extent comes from the coordinates the layers draw."""
    from napari_whiskertoolbox.core import DataManager, LineData, PointData
    from napari_whiskertoolbox.layers.frame_axis import annotation_extent

    dm = DataManager()
    lines = LineData()
    lines.add(0, NAN_LINE)
    lines.add(0, [[np.inf, 2.0], [3.0, 4.0]])
    points = PointData()
    points.add(0, [NAN_POINT, [30.0, 20.0]])
    dm.set_data("w", lines)
    dm.set_data("p", points)
    assert annotation_extent(dm) == (21, 31)  # (height, width) from (30, 20)
