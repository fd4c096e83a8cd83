"""PointData key <-> napari Points layer: frames, edits, DataManager changes, threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from _bindings_support import CAMERA_PERIOD, frame_points, make_session, yx

pytestmark = pytest.mark.gui


@pytest.fixture
def session(make_napari_viewer):
    return make_session(make_napari_viewer())


def test_layer_shows_exactly_the_current_frame(session):
    layer = session.viewer.layers["nose"]
    assert layer.metadata["wtb_key"] == "nose"
    for frame in (0, 1, 5, 11, 4):
        session.set_frame(frame)
        np.testing.assert_array_equal(layer.data, yx(frame_points(frame)))


def test_key_on_faster_clock_is_converted(session):
    layer = session.viewer.layers["tips"]
    for frame in (0, 3, 7):
        session.set_frame(frame)
        assert session.from_display("tips", frame) == frame * CAMERA_PERIOD
        np.testing.assert_array_equal(layer.data, [[frame, 30.0]])
    assert session.to_display("tips", 7 * CAMERA_PERIOD + 2) == 7


def test_add_point_keeps_ids_and_is_one_undo_step(session):
    dm, nose = session.dm, session.dm.get_data("nose")
    session.set_frame(2)
    before_ids = nose.ids_at(2).copy()
    layer = session.viewer.layers["nose"]
    layer.add([[25.0, 12.0]])
    assert nose.count_at(2) == len(before_ids) + 1
    np.testing.assert_array_equal(nose.ids_at(2)[:-1], before_ids)
    assert nose.ids_at(2)[-1] not in before_ids
    np.testing.assert_array_equal(nose.at(2)[-1], [12.0, 25.0])
    assert dm.modified
    assert dm.undo()
    np.testing.assert_array_equal(nose.ids_at(2), before_ids)
    np.testing.assert_array_equal(layer.data, yx(frame_points(2)))
    assert dm.redo()
    assert len(layer.data) == len(before_ids) + 1


def test_move_point_keeps_its_id(session):
    nose = session.dm.get_data("nose")
    session.set_frame(2)
    ids = nose.ids_at(2).copy()
    layer = session.viewer.layers["nose"]
    moved = layer.data.copy()
    moved[1] = [9.0, 8.0]
    layer.data = moved
    np.testing.assert_array_equal(nose.ids_at(2), ids)
    np.testing.assert_array_equal(nose.at(2)[1], [8.0, 9.0])
    assert session.dm.history.can_undo


def test_delete_selected_point_drops_only_its_id(session):
    nose = session.dm.get_data("nose")
    session.set_frame(2)
    ids = nose.ids_at(2).copy()
    layer = session.viewer.layers["nose"]
    layer.selected_data = {0}
    layer.remove_selected()
    np.testing.assert_array_equal(nose.ids_at(2), ids[1:])
    np.testing.assert_array_equal(nose.at(2), frame_points(2)[1:])
    session.dm.undo()
    np.testing.assert_array_equal(nose.ids_at(2), ids)


def test_edit_on_slower_clock_goes_to_the_converted_frame(session):
    tips = session.dm.get_data("tips")
    session.set_frame(4)
    session.viewer.layers["tips"].add([[1.0, 2.0]])
    assert tips.count_at(4 * CAMERA_PERIOD) == 2
    assert tips.count_at(4) == 0


def test_datamanager_change_updates_only_when_frame_is_touched(session):
    nose = session.dm.get_data("nose")
    layer = session.viewer.layers["nose"]
    session.set_frame(3)
    shown = layer.data
    nose.add(7, np.array([1.0, 1.0], np.float32))
    assert layer.data is shown  # another frame changed: the layer was not rebuilt
    nose.add(3, np.array([1.5, 2.5], np.float32))
    np.testing.assert_array_equal(layer.data[-1], [2.5, 1.5])
    assert len(layer.data) == len(frame_points(3)) + 1


def test_scripted_change_from_worker_thread_reaches_layer(session, qtbot):
    nose = session.dm.get_data("nose")
    layer = session.viewer.layers["nose"]
    session.set_frame(5)
    worker = threading.Thread(target=lambda: nose.set_frame(5, np.array([[4.0, 6.0]])))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(layer.data) == 1, timeout=10_000)
    np.testing.assert_array_equal(layer.data, [[6.0, 4.0]])


def test_swapping_frames_does_not_touch_the_datamanager(session):
    dm = session.dm
    for frame in range(6):
        session.set_frame(frame)
    assert not dm.modified
    assert not dm.history.can_undo


def test_hidden_layer_skips_swaps_and_catches_up_when_shown(session):
    layer = session.viewer.layers["nose"]
    session.set_frame(1)
    layer.visible = False
    shown = layer.data
    session.set_frame(2)
    assert layer.data is shown  # not rebuilt while hidden
    layer.visible = True
    np.testing.assert_array_equal(layer.data, yx(frame_points(2)))


def test_frames_with_as_many_points_move_the_drawn_markers_only(session, monkeypatch):
    """Same count: the markers on the canvas are those napari's full rebuild would draw."""
    from napari_whiskertoolbox.layers import _napari_compat, points_binding

    layer = session.viewer.layers["nose"]
    markers = _napari_compat.vispy_layer(session.viewer, layer).node.points_markers
    moved = []
    real = points_binding.move_points_on_canvas

    def counting(*args):
        done = real(*args)
        moved.append(done)
        return done

    monkeypatch.setattr(points_binding, "move_points_on_canvas", counting)
    session.set_frame(1)
    for frame in (4, 7, 10):
        assert len(frame_points(frame)) == len(frame_points(frame - 3)) == 2
        session.set_frame(frame)
        assert moved[-1]
        np.testing.assert_array_equal(layer.data, yx(frame_points(frame)))
        drawn = markers._data.copy()
        _napari_compat.vispy_layer(session.viewer, layer)._on_data_change()
        for name in drawn.dtype.names:
            np.testing.assert_array_equal(drawn[name], markers._data[name], err_msg=name)
