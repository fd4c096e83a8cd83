"""Labels frame swaps on screen: only the changed window is written, the canvas matches."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import HEIGHT, WIDTH, frame_label_image, make_session

from napari_whiskertoolbox.layers._napari_compat import viewer_widget
from napari_whiskertoolbox.layers.label_regions import (
    box_area,
    label_image_box,
    masks_box,
    masks_extent,
    union_box,
)

pytestmark = pytest.mark.gui


def grab_canvas(viewer) -> np.ndarray:
    """What the viewer shows on screen now, from its GL framebuffer.

    ``viewer.screenshot`` re-renders from the layers' CPU-side arrays, so it cannot tell
    whether the texture on screen was updated; a widget grab can.
    """
    image = viewer_widget(viewer).grab().toImage()
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    rows = np.frombuffer(bits, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].copy()


def count_window_writes(layer, monkeypatch) -> list:
    calls = []
    original = layer.data_setitem

    def spy(indices, value, refresh=True):
        calls.append(len(indices[0]))
        return original(indices, value, refresh)

    monkeypatch.setattr(layer, "data_setitem", spy)
    return calls


def test_boxes_of_masks_and_label_images():
    masks = [np.array([[3, 4], [5, 9]], np.uint32), np.array([[1, 6]], np.uint32)]
    assert masks_box(masks, (20, 20)) == (4, 10, 1, 6)
    assert masks_box([np.empty((0, 2), np.uint32)], (20, 20)) is None
    assert masks_box([np.array([[30, 2]], np.uint32)], (20, 20)) is None  # outside
    unclipped = [np.empty((0, 2), np.uint32), np.array([[-3, 5], [7, -2]]), masks[1]]
    assert masks_extent(unclipped) == (-2, 7, -3, 8)
    image = np.zeros((20, 20), np.uint8)
    assert label_image_box(image) is None
    image[4, 3] = image[9, 5] = image[6, 1] = 2
    assert label_image_box(image) == masks_box(masks, image.shape)
    assert union_box(None, (1, 2, 3, 4)) == (1, 2, 3, 4)
    assert union_box((0, 2, 5, 6), (1, 3, 3, 4)) == (0, 3, 3, 6)
    assert box_area((0, 3, 3, 6)) == 9
    assert box_area(None) == 0


def test_on_screen_steps_write_only_the_window_and_the_canvas_matches(
    make_napari_viewer, qtbot, monkeypatch
):
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    layer = viewer.layers["pad"]
    session.set_frame(0)
    qtbot.wait(50)  # the first paint creates the label texture
    writes = count_window_writes(layer, monkeypatch)
    for frame in (1, 2, 5, 4):
        viewer.dims.set_current_step(0, frame)
        qtbot.wait(20)
        np.testing.assert_array_equal(layer.data, frame_label_image(frame))
    # frame 1 -> 2 changes a 3-row band: the writes are that band, never the whole image
    assert len(writes) == 4
    assert 0 < max(writes) < HEIGHT * WIDTH // 4
    swapped = grab_canvas(viewer)
    layer.refresh()  # a full upload of the same label image
    qtbot.wait(20)
    np.testing.assert_array_equal(grab_canvas(viewer), swapped)


def test_a_paint_between_swaps_is_rewritten_correctly(make_napari_viewer, qtbot):
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    layer = viewer.layers["pad"]
    session.set_frame(3)
    qtbot.wait(50)
    layer.brush_size = 1
    layer.paint((25, 35), 2)  # far from the frame's mask: outside any swap window so far
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=10_000)
    session.set_frame(6)
    np.testing.assert_array_equal(layer.data, frame_label_image(6))
    session.set_frame(3)
    painted = frame_label_image(3)
    painted[25, 35] = 2
    np.testing.assert_array_equal(layer.data, painted)


def test_hidden_viewer_refreshes_the_whole_image(make_napari_viewer, monkeypatch):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    layer = viewer.layers["pad"]
    writes = count_window_writes(layer, monkeypatch)
    for frame in (1, 2, 3):
        session.set_frame(frame)
        np.testing.assert_array_equal(layer.data, frame_label_image(frame))
    assert writes == []  # no texture to patch: napari would refresh everything anyway
