"""MaskData key <-> napari Labels layer: frames, painting and erasing, ids, undo."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import HEIGHT, WIDTH, frame_label_image, make_session

from napari_whiskertoolbox.core import MaskData

pytestmark = pytest.mark.gui


@pytest.fixture
def session(make_napari_viewer):
    return make_session(make_napari_viewer())


def paint(session, qtbot, coord, label):
    """Paint like a brush stroke and let the deferred write-back run."""
    layer = session.viewer.layers["pad"]
    layer.paint(coord, label)
    binding = session.bindings["pad"]
    qtbot.waitUntil(lambda: not binding.edit_pending, timeout=10_000)


def test_layer_shows_exactly_the_current_frame(session):
    layer = session.viewer.layers["pad"]
    assert layer.metadata["wtb_key"] == "pad"
    assert layer.data.shape == (HEIGHT, WIDTH)
    for frame in (0, 5, 2, 11):
        session.set_frame(frame)
        np.testing.assert_array_equal(layer.data, frame_label_image(frame))


def test_paint_grows_the_mask_and_keeps_its_id(session, qtbot):
    pad = session.dm.get_data("pad")
    session.set_frame(1)
    mask_id = int(pad.ids_at(1)[0])
    layer = session.viewer.layers["pad"]
    n_before = len(pad.at(1)[0])
    layer.brush_size = 1
    paint(session, qtbot, (20, 30), 1)
    assert pad.count_at(1) == 1
    assert int(pad.ids_at(1)[0]) == mask_id
    assert len(pad.at(1)[0]) > n_before
    assert [30, 20] in pad.at(1)[0].tolist()
    assert session.dm.modified


def test_paint_new_label_adds_a_mask_and_erase_removes_pixels(session, qtbot):
    pad = session.dm.get_data("pad")
    session.set_frame(1)
    mask_id = int(pad.ids_at(1)[0])
    layer = session.viewer.layers["pad"]
    layer.brush_size = 1
    paint(session, qtbot, (25, 35), 2)
    assert pad.count_at(1) == 2
    assert int(pad.ids_at(1)[0]) == mask_id
    new_id = int(pad.ids_at(1)[1])
    assert new_id != mask_id
    np.testing.assert_array_equal(pad.at(1)[1], [[35, 25]])
    paint(session, qtbot, (1, 5), 0)  # erase one pixel of the first mask
    assert [5, 1] not in pad.at(1)[0].tolist()
    np.testing.assert_array_equal(pad.ids_at(1), [mask_id, new_id])
    paint(session, qtbot, (25, 35), 0)  # erase the whole second mask
    np.testing.assert_array_equal(pad.ids_at(1), [mask_id])


def test_each_stroke_is_one_undo_step(session, qtbot):
    pad = session.dm.get_data("pad")
    layer = session.viewer.layers["pad"]
    session.set_frame(3)
    layer.brush_size = 1
    paint(session, qtbot, (25, 35), 2)
    assert pad.count_at(3) == 2
    assert session.dm.undo()
    assert pad.count_at(3) == 1
    np.testing.assert_array_equal(layer.data, frame_label_image(3))
    assert session.dm.redo()
    assert layer.data[25, 35] == 2


def test_datamanager_change_redraws(session):
    pad = session.dm.get_data("pad")
    layer = session.viewer.layers["pad"]
    session.set_frame(4)
    pad.add(4, np.array([[39, 29]], np.uint32))
    assert layer.data[29, 39] == 2
    pad.clear_at(4)
    assert not layer.data.any()


def test_many_masks_widen_the_label_dtype(session):
    masks = MaskData(image_size=(WIDTH, HEIGHT))
    pixels = [np.array([[i % WIDTH, i // WIDTH]], np.uint32) for i in range(300)]
    masks.set_frame(0, pixels)
    session.dm.set_data("many", masks, "camera")
    session.set_frame(0)
    layer = session.viewer.layers["many"]
    assert layer.data.max() == 300
    assert layer.data[299 // WIDTH, 299 % WIDTH] == 300


def test_stroke_pending_when_the_frame_changes_lands_on_its_own_frame(session):
    pad = session.dm.get_data("pad")
    layer = session.viewer.layers["pad"]
    session.set_frame(2)
    layer.brush_size = 1
    layer.paint((25, 35), 2)  # napari announces the stroke; write-back is still pending
    session.set_frame(3)
    assert pad.count_at(2) == 2
    assert pad.count_at(3) == 1
    np.testing.assert_array_equal(layer.data, frame_label_image(3))
