"""Every way napari changes a synced Shapes layer reaches the DataManager (issue 16).

Paths, from napari's public API: drawing with each add tool (path, polyline, line,
polygon, lasso, rectangle; ellipse is refused: no polyline is its outline); moving,
resizing shapes (select tool) and vertices (direct tool) by dragging; inserting and
removing vertices (removing one of a two-vertex path removes the shape); deleting with
the Delete key, ``remove_selected`` or ``remove``; paste (Ctrl+V, no ``data`` event);
``layer.data = …``; ``layer.add_*``; a frame change while a shape is being drawn; Ctrl+Z
(napari's Shapes layer has no undo of its own). The transform tool is refused. Each path
is one undo step.
"""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_lines
from _edit_paths_support import editing_session, steps
from _napari_input import CTRL, click, click_vertices, drag, key, move
from napari.layers import Shapes
from qtpy.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def session(make_napari_viewer):
    return editing_session(make_napari_viewer(), "whiskers", 2)


@pytest.fixture
def shown_session(make_napari_viewer, qtbot):
    return editing_session(make_napari_viewer(show=True), "whiskers", 2, qtbot)


def lines(session, frame=2) -> list[list]:
    return [line.tolist() for line in session.dm.get_data("whiskers").at(frame)]


def stored_frame_2() -> list[list]:
    return [line.tolist() for line in frame_lines(2)]


def xy(vertices_yx) -> list[list[float]]:
    return [[float(c), float(r)] for r, c in vertices_yx]


def test_polyline_tool_adds_one_line_in_one_step(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_polyline"
    vertices = [(25.0, 5.0), (26.0, 12.0), (28.0, 20.0), (27.0, 30.0)]
    click_vertices(session.viewer, layer, vertices)
    assert steps(session) == n_steps + 1
    assert lines(session) == [*stored_frame_2(), xy(vertices)]
    session.dm.undo()
    assert lines(session) == stored_frame_2()


def test_freehand_path_drag_adds_one_line_in_one_step(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_path"
    drag(session.viewer, layer, [(25.0, 5.0), (26.0, 12.0), (28.0, 20.0), (27.0, 30.0)])
    assert steps(session) == n_steps + 1
    stored = lines(session)
    assert stored[:2] == stored_frame_2()
    assert stored[2][0] == [5.0, 25.0]
    assert len(stored[2]) >= 3


def test_path_by_click_move_click_adds_one_line(session):
    """napari's path tool: a click starts, the moving mouse lays vertices, a click ends."""
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_path"
    click(session.viewer, layer, (25.0, 5.0))
    for yx in [(26.0, 12.0), (28.0, 20.0), (27.0, 30.0)]:
        move(session.viewer, layer, yx, dragging=False)
    click(session.viewer, layer, (27.0, 30.0))
    assert steps(session) == n_steps + 1
    stored = lines(session)
    assert stored[2][0] == [5.0, 25.0]
    assert len(stored) == 3


@pytest.mark.parametrize("finish", ["mode change", "frame change"])
def test_a_click_with_the_path_tool_stores_no_line_the_layer_cannot_show(
    session, qtbot, notifications, finish
):
    """A stray click with the path tool leaves napari a one-point path: nothing is stored.

    Stored, it would be a line napari cannot draw: gone from the layer on the next frame
    step, so the user could neither see nor delete it, yet saved with the key.
    """
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_path"
    click(session.viewer, layer, (25.0, 5.0))
    if finish == "mode change":
        layer.mode = "select"  # napari finishes the path being drawn
    else:
        session.set_frame(3)
    assert lines(session) == stored_frame_2()
    assert steps(session) == n_steps
    session.set_frame(2)
    qtbot.waitUntil(lambda: layer.nshapes == len(stored_frame_2()), timeout=10_000)
    assert any("fewer than two distinct points" in message for message in notifications)


def test_polygon_tool_stores_a_closed_polyline(session, qtbot):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_polygon"
    vertices = [(20.0, 5.0), (20.0, 15.0), (28.0, 10.0)]
    click_vertices(session.viewer, layer, vertices)
    assert steps(session) == n_steps + 1
    assert lines(session)[-1] == xy([*vertices, vertices[0]])
    # the layer then shows what was stored
    qtbot.waitUntil(lambda: list(layer.shape_type) == ["path"] * 3, timeout=10_000)


def test_lasso_drag_adds_one_closed_line(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_polygon_lasso"
    path = [(20.0, 5.0), (20.0, 10.0), (24.0, 14.0), (28.0, 10.0), (28.0, 5.0)]
    drag(session.viewer, layer, path)
    assert steps(session) == n_steps + 1
    stored = lines(session)[-1]
    assert stored[0] == stored[-1] == [5.0, 20.0]
    assert len(stored) >= 4


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("add_line", [[30.0, 10.0], [36.0, 14.0]]),
        ("add_rectangle", [[30.0, 10.0], [36.0, 10.0], [36.0, 14.0], [30.0, 14.0], [30.0, 10.0]]),
    ],
)
def test_drag_tools_add_one_line(session, mode, expected):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = mode
    drag(session.viewer, layer, [(10.0, 30.0), (12.0, 33.0), (14.0, 36.0)])
    assert steps(session) == n_steps + 1
    assert lines(session) == [*stored_frame_2(), expected]


def test_ellipse_tool_is_refused_with_a_message(session, qtbot, notifications):
    layer = session.viewer.layers["whiskers"]
    layer.mode = "add_path"
    layer.mode = "add_ellipse"
    qtbot.waitUntil(lambda: layer.mode == "add_path", timeout=10_000)
    assert any("ellipse" in message for message in notifications)


def test_programmatic_ellipse_is_refused_and_removed(session, qtbot, notifications):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.add_ellipses(np.array([[10.0, 10.0], [10.0, 20.0], [20.0, 20.0], [20.0, 10.0]]))
    assert lines(session) == stored_frame_2()
    assert steps(session) == n_steps
    qtbot.waitUntil(lambda: layer.nshapes == 2, timeout=10_000)
    assert any("ellipse" in message for message in notifications)


def test_select_drag_moves_a_shape_in_one_step_keeping_its_id(session):
    layer, whiskers = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    ids, n_steps = whiskers.ids_at(2).copy(), steps(session)
    layer.mode = "select"
    grab = (21.0, 8.0)  # on the second line, from (x 1, y 20) to (x 15, y 22)
    drag(session.viewer, layer, [grab, (22.0, 9.0), (24.0, 11.0)])
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(whiskers.ids_at(2), ids)
    moved = np.asarray(frame_lines(2)[1]) + np.array([3.0, 3.0])
    np.testing.assert_allclose(whiskers.at(2)[1], moved)
    assert lines(session)[0] == stored_frame_2()[0]


def test_direct_vertex_drag_is_one_step(session):
    layer, whiskers = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    ids, n_steps = whiskers.ids_at(2).copy(), steps(session)
    layer.mode = "direct"
    layer.selected_data = {0}
    vertex = (4.0, 10.0)  # second vertex of the first line, (row, col)
    drag(session.viewer, layer, [vertex, (5.0, 11.0), (6.0, 13.0)])
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(whiskers.ids_at(2), ids)
    assert lines(session)[0] == [[1.0, 3.0], [13.0, 6.0], [20.0, 6.0]]


def test_a_vertex_drag_under_way_when_the_frame_changes_stays_on_its_frame(session):
    """Pressing '.' with the mouse still down keeps what was dragged on the frame left."""
    from _napari_input import press, release

    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "direct"
    layer.selected_data = {0}
    press(session.viewer, layer, (4.0, 10.0))  # second vertex of the first line, (row, col)
    move(session.viewer, layer, (5.0, 11.0))
    session.set_frame(4)
    move(session.viewer, layer, (6.0, 13.0))
    release(session.viewer, layer, (6.0, 13.0))
    assert steps(session) == n_steps + 1
    assert lines(session)[0] == [[1.0, 3.0], [11.0, 5.0], [20.0, 6.0]]
    assert lines(session, 4) == [line.tolist() for line in frame_lines(4)]


def test_vertex_insert_is_one_step(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "vertex_insert"
    layer.selected_data = {0}
    click(session.viewer, layer, (5.0, 15.0))  # on the segment (x 10, y 4) -> (x 20, y 6)
    assert steps(session) == n_steps + 1
    assert lines(session)[0] == [[1.0, 3.0], [10.0, 4.0], [15.0, 5.0], [20.0, 6.0]]
    assert lines(session)[1] == stored_frame_2()[1]


def test_vertex_remove_is_one_step(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "vertex_remove"
    layer.selected_data = {0}
    click(session.viewer, layer, (4.0, 10.0))
    assert steps(session) == n_steps + 1
    assert lines(session)[0] == [[1.0, 3.0], [20.0, 6.0]]


def test_removing_a_vertex_of_a_two_vertex_path_removes_only_that_line(session):
    layer, whiskers = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    ids, n_steps = whiskers.ids_at(2).copy(), steps(session)
    layer.mode = "vertex_remove"
    layer.selected_data = {1}
    click(session.viewer, layer, (20.0, 1.0))  # first vertex of the two-vertex line
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(whiskers.ids_at(2), ids[:1])
    assert lines(session) == stored_frame_2()[:1]


@pytest.mark.parametrize("remove", ["remove_selected", "remove"])
def test_programmatic_removal_is_one_step(session, remove):
    layer, whiskers = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    ids, n_steps = whiskers.ids_at(2).copy(), steps(session)
    if remove == "remove":
        layer.remove([0])
    else:
        layer.selected_data = {0}
        layer.remove_selected()
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(whiskers.ids_at(2), ids[1:])


def test_delete_key_removes_the_selected_shape(shown_session, qtbot):
    session = shown_session
    layer, whiskers = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    ids = whiskers.ids_at(2).copy()
    layer.mode = "select"
    layer.selected_data = {1}
    key(Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: whiskers.count_at(2) == 1, timeout=10_000)
    np.testing.assert_array_equal(whiskers.ids_at(2), ids[:1])


def test_copy_paste_to_another_frame_lands_in_the_data_manager(shown_session, qtbot):
    session = shown_session
    dm, layer, whiskers = (
        session.dm,
        session.viewer.layers["whiskers"],
        session.dm.get_data("whiskers"),
    )
    layer.mode = "select"
    layer.selected_data = {0}
    key(Qt.Key.Key_C, CTRL)
    session.set_frame(4)
    before = [line.tolist() for line in whiskers.at(4)]
    n_steps = steps(session)
    key(Qt.Key.Key_V, CTRL)
    qtbot.waitUntil(lambda: whiskers.count_at(4) == len(before) + 1, timeout=10_000)
    assert steps(session) == n_steps + 1
    assert lines(session, 4) == [*before, stored_frame_2()[0]]
    dm.undo()
    assert lines(session, 4) == before


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_console_data_assignment_is_one_step(session, count):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    new = [np.array([[5.0 + k, 5.0], [9.0 + k, 30.0]]) for k in range(count)]
    layer.data = (new, ["path"] * len(new)) if new else []
    assert steps(session) == n_steps + 1
    assert lines(session) == [line[:, ::-1].tolist() for line in new]


def test_add_paths_is_one_step(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.add_paths([np.array([[5.0, 5.0], [9.0, 30.0]]), np.array([[7.0, 1.0], [8.0, 2.0]])])
    assert steps(session) == n_steps + 1
    assert lines(session)[-2:] == [[[5.0, 5.0], [30.0, 9.0]], [[1.0, 7.0], [2.0, 8.0]]]


def test_a_line_being_drawn_when_the_frame_changes_lands_on_its_frame(session):
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    layer.mode = "add_polyline"
    for yx in [(20.0, 2.0), (21.0, 8.0), (23.0, 12.0)]:
        move(session.viewer, layer, yx, dragging=False)
        click(session.viewer, layer, yx)
    move(session.viewer, layer, (25.0, 14.0), dragging=False)
    session.set_frame(4)
    assert steps(session) == n_steps + 1
    assert lines(session)[-1] == xy([(20.0, 2.0), (21.0, 8.0), (23.0, 12.0)])
    assert lines(session, 4) == [line.tolist() for line in frame_lines(4)]
    assert layer.nshapes == len(frame_lines(4))


def _start_a_line(session) -> list[list[float]]:
    """Click three vertices with the polyline tool, mouse moved on, not finished."""
    layer = session.viewer.layers["whiskers"]
    layer.mode = "add_polyline"
    vertices = [(20.0, 2.0), (21.0, 8.0), (23.0, 12.0)]
    for yx in vertices:
        move(session.viewer, layer, yx, dragging=False)
        click(session.viewer, layer, yx)
    move(session.viewer, layer, (25.0, 14.0), dragging=False)
    assert lines(session) == stored_frame_2()  # napari has not finished it yet
    return xy(vertices)


def test_save_stores_a_line_still_being_drawn(session, tmp_path):
    """Ctrl+S saves what the user sees: the line being drawn, not the frame before it."""
    from napari_whiskertoolbox.io import load_session
    from napari_whiskertoolbox.workflow import actions

    drawn = _start_a_line(session)
    session.path = tmp_path / "saved"
    assert actions.save(session)
    saved = load_session(tmp_path / "saved").get_data("whiskers").at(2)
    assert [line.tolist() for line in saved] == [*stored_frame_2(), drawn]
    assert not session.dm.modified


def test_undo_key_while_drawing_drops_the_line_not_an_earlier_edit(session):
    """Ctrl+Z during a drawing undoes the drawing; an edit on another frame stays."""
    from napari.utils.key_bindings import coerce_keybinding

    from napari_whiskertoolbox.workflow.keybindings import bind_keys

    bind_keys(session.viewer, session)
    session.dm.get_data("whiskers").clear_at(6)  # the earlier edit, on another frame
    _start_a_line(session)
    session.viewer.keymap[coerce_keybinding("Control-Z")](session.viewer)
    assert lines(session) == stored_frame_2()
    assert session.viewer.layers["whiskers"].nshapes == len(stored_frame_2())
    assert lines(session, 6) == []
    session.set_frame(3)  # nothing left in flight to land on frame 2 later
    assert lines(session) == stored_frame_2()


def test_closing_while_drawing_asks_to_save(session, monkeypatch):
    """A line being drawn is an unsaved change: closing asks instead of dropping it."""
    from qtpy.QtWidgets import QMessageBox

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.close_guard import CloseGuard

    asked: list[str] = []

    def cancel(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", cancel)
    drawn = _start_a_line(session)
    guard = CloseGuard(session, main_window(session.viewer))
    assert not guard.confirm_close()
    assert len(asked) == 1
    assert lines(session)[-1] == drawn


def test_undo_key_goes_to_the_data_manager(shown_session, qtbot):
    from napari_whiskertoolbox.workflow.keybindings import bind_keys

    session = shown_session
    bind_keys(session.viewer, session)
    layer = session.viewer.layers["whiskers"]
    layer.add_paths([np.array([[5.0, 5.0], [9.0, 30.0]])])
    assert len(lines(session)) == 3
    key(Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: len(lines(session)) == 2, timeout=10_000)
    assert layer.nshapes == 2


def test_transform_tool_is_refused_with_a_message(session, qtbot, notifications):
    layer = session.viewer.layers["whiskers"]
    layer.mode = "select"
    layer.mode = "transform"
    qtbot.waitUntil(lambda: layer.mode == "select", timeout=10_000)
    assert any("transform tool" in message for message in notifications)


def test_napari_shapes_have_no_layer_undo():
    """If napari gives Shapes an undo of its own, it must be routed like the Labels one."""
    assert not hasattr(Shapes, "undo")
    assert not hasattr(Shapes, "redo")
