"""Every way napari changes a synced Points layer reaches the DataManager (issue 16).

Paths, from napari's public API: adding with the mouse (add mode) or ``layer.add``;
dragging selected points (select mode); deleting with the Delete key, ``remove_selected``,
``remove`` or ``pop``; paste (Ctrl+V, which emits no ``data`` event); ``layer.data = …``
from the console, or ``layer.data[i] = …`` followed by ``layer.refresh()``; Ctrl+Z
(napari's Points layer has no undo of its own: the viewer's key goes to the DataManager). The transform tool is refused with a message. Each path is one
undo step.
"""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_points, yx
from _edit_paths_support import editing_session, steps
from _napari_input import CTRL, click, drag, key
from napari.layers import Points
from qtpy.QtCore import Qt

pytestmark = pytest.mark.gui

FAR = (25.0, 32.0)
"""A data position (row, col) away from every stored point."""


@pytest.fixture
def session(make_napari_viewer):
    return editing_session(make_napari_viewer(), "nose", 2)


@pytest.fixture
def shown_session(make_napari_viewer, qtbot):
    return editing_session(make_napari_viewer(show=True), "nose", 2, qtbot)


def test_add_with_the_mouse_is_one_step(session):
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    before_ids, n_steps = nose.ids_at(2).copy(), steps(session)
    layer.mode = "add"
    click(session.viewer, layer, FAR)
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(nose.ids_at(2)[:-1], before_ids)
    np.testing.assert_array_equal(nose.at(2)[-1], [FAR[1], FAR[0]])
    session.dm.undo()
    np.testing.assert_array_equal(nose.at(2), frame_points(2))


def test_drag_in_select_mode_is_one_step_and_keeps_the_id(session):
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    layer.add([FAR])
    moved_id, n_steps = nose.ids_at(2)[-1], steps(session)
    layer.mode = "select"
    path = [FAR, (FAR[0] + 1, FAR[1] - 1), (FAR[0] + 2, FAR[1] - 3), (FAR[0] + 3, FAR[1] - 5)]
    drag(session.viewer, layer, path)
    assert steps(session) == n_steps + 1, "a drag is one undo step"
    assert nose.ids_at(2)[-1] == moved_id
    np.testing.assert_array_equal(nose.at(2)[-1], [FAR[1] - 5, FAR[0] + 3])
    np.testing.assert_array_equal(nose.at(2)[:-1], frame_points(2))
    session.dm.undo()
    np.testing.assert_array_equal(nose.at(2)[-1], [FAR[1], FAR[0]])


def test_a_drag_under_way_when_the_frame_changes_stays_on_its_frame(session):
    """Pressing '.' with the mouse still down keeps what was dragged on the frame left."""
    from _napari_input import move, press, release

    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    layer.add([FAR])
    n_steps = steps(session)
    layer.mode = "select"
    press(session.viewer, layer, FAR)
    move(session.viewer, layer, (FAR[0] + 2, FAR[1] - 3))
    session.set_frame(3)
    move(session.viewer, layer, (FAR[0] + 4, FAR[1] - 6))
    release(session.viewer, layer, (FAR[0] + 4, FAR[1] - 6))
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(nose.at(2)[-1], [FAR[1] - 3, FAR[0] + 2])
    np.testing.assert_array_equal(nose.at(3), frame_points(3))


@pytest.mark.parametrize("remove", ["remove_selected", "remove", "pop"])
def test_programmatic_removal_is_one_step(session, remove):
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    ids, n_steps = nose.ids_at(2).copy(), steps(session)
    if remove == "remove_selected":
        layer.selected_data = {1}
        layer.remove_selected()
    elif remove == "remove":
        layer.remove([1])
    else:
        layer.pop(1)
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(nose.ids_at(2), ids[[0, 2]])


def test_delete_key_removes_the_selected_point(shown_session, qtbot):
    session = shown_session
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    ids, n_steps = nose.ids_at(2).copy(), steps(session)
    layer.mode = "select"
    layer.selected_data = {0}
    key(Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: nose.count_at(2) == len(ids) - 1, timeout=10_000)
    np.testing.assert_array_equal(nose.ids_at(2), ids[1:])
    assert steps(session) == n_steps + 1


def test_copy_paste_to_another_frame_lands_in_the_data_manager(shown_session, qtbot):
    """Ctrl+C on one frame, Ctrl+V on another: napari's paste emits no data event."""
    session = shown_session
    dm, layer, nose = session.dm, session.viewer.layers["nose"], session.dm.get_data("nose")
    dm.mark_saved()
    layer.mode = "select"
    layer.selected_data = {0, 1}
    key(Qt.Key.Key_C, CTRL)
    session.set_frame(5)
    before = nose.at(5).copy()
    n_steps = steps(session)
    key(Qt.Key.Key_V, CTRL)
    qtbot.waitUntil(lambda: nose.count_at(5) == len(before) + 2, timeout=10_000)
    assert dm.modified
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(nose.at(5)[-2:], frame_points(2)[:2])
    assert not set(nose.ids_at(5)[-2:]) & set(nose.ids_at(2)), "pasted points get new ids"
    session.set_frame(6)
    session.set_frame(5)
    assert len(layer.data) == len(before) + 2, "pasted points survive a frame change"
    dm.undo()
    np.testing.assert_array_equal(nose.at(5), before)
    np.testing.assert_array_equal(layer.data, yx(before))


def test_paste_before_any_refresh_is_caught_when_the_frame_changes(session):
    """Rows added with no event and no refresh are written before the layer moves on."""
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    with layer.events.data.blocker(), layer.events.set_data.blocker():
        layer.data = np.concatenate([layer.data, [FAR]]).astype(np.float32)
    session.set_frame(3)
    assert nose.count_at(2) == len(frame_points(2)) + 1
    np.testing.assert_array_equal(nose.at(2)[-1], [FAR[1], FAR[0]])


def test_in_place_change_then_refresh_is_one_step(session):
    """``layer.data[0] = …`` then ``layer.refresh()`` (console): was lost at the frame change."""
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    ids, n_steps = nose.ids_at(2).copy(), steps(session)
    layer.refresh()
    assert steps(session) == n_steps, "a refresh alone is no edit"
    layer.data[0] = FAR
    layer.refresh()
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(nose.ids_at(2), ids)
    np.testing.assert_array_equal(nose.at(2)[0], [FAR[1], FAR[0]])
    session.set_frame(3)
    session.set_frame(2)
    np.testing.assert_array_equal(layer.data[0], FAR)
    session.dm.undo()
    np.testing.assert_array_equal(nose.at(2), frame_points(2))


@pytest.mark.parametrize("count", [0, 2, 3, 5])
def test_console_data_assignment_is_one_step(session, count):
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    ids, n_steps = nose.ids_at(2).copy(), steps(session)
    new = np.array([[10.0 + k, 20.0 + k] for k in range(count)], np.float32).reshape(-1, 2)
    layer.data = new
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(nose.at(2), new[:, ::-1])
    kept = min(count, len(ids))
    np.testing.assert_array_equal(nose.ids_at(2)[:kept], ids[:kept])


def test_undo_key_goes_to_the_data_manager(shown_session, qtbot):
    """napari's Points layer has no undo of its own; Ctrl+Z undoes the DataManager edit."""
    from napari_whiskertoolbox.workflow.keybindings import bind_keys

    session = shown_session
    bind_keys(session.viewer, session)  # the workflow's viewer keys, as every session has
    layer, nose = session.viewer.layers["nose"], session.dm.get_data("nose")
    layer.add([FAR])
    assert nose.count_at(2) == len(frame_points(2)) + 1
    key(Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: nose.count_at(2) == len(frame_points(2)), timeout=10_000)
    np.testing.assert_array_equal(layer.data, yx(frame_points(2)))


def test_transform_tool_is_refused_with_a_message(session, qtbot, notifications):
    layer = session.viewer.layers["nose"]
    layer.mode = "select"
    layer.mode = "transform"
    qtbot.waitUntil(lambda: layer.mode == "select", timeout=10_000)
    assert any("transform tool" in message for message in notifications)
    assert np.allclose(layer.affine.affine_matrix, np.eye(3))


def test_napari_points_have_no_layer_undo():
    """If napari gives Points an undo of its own, it must be routed like the Labels one."""
    assert not hasattr(Points, "undo")
    assert not hasattr(Points, "redo")
