"""A paint stroke the frame changes under (next-frame key, playback) lands on its own frame."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_label_image, frame_mask
from _edit_paths_support import editing_session, steps
from _napari_input import move, press, release

pytestmark = pytest.mark.gui


def _pixels(mask) -> set[tuple[int, int]]:
    return {tuple(p) for p in np.asarray(mask).tolist()}


@pytest.mark.parametrize("mode", ["paint", "erase"])
def test_a_stroke_continued_across_a_frame_change_lands_where_it_started(
    make_napari_viewer, qtbot, mode
):
    """Were: stored on frame 4 (a shown viewer: napari announces a stroke at its release),
    or split, the part before the step on frame 3 and the rest on frame 4 (a hidden one)."""
    session = editing_session(make_napari_viewer(), "pad", 3)
    viewer, pad = session.viewer, session.dm.get_data("pad")
    layer, binding = viewer.layers["pad"], session.bindings["pad"]
    n_steps = steps(session)
    layer.mode = mode
    layer.brush_size = 1
    layer.selected_label = 2
    # paint: a new mask along row 20; erase: along row 4, which frames 3 and 4 both cover
    row = 20.0 if mode == "paint" else 4.0
    press(viewer, layer, (row, 5.0))
    move(viewer, layer, (row, 6.0))
    qtbot.wait(5)  # the event loop turns, as between mouse events
    viewer.dims.set_current_step(0, 4)  # the next-frame key or playback, mid-stroke
    qtbot.wait(5)
    move(viewer, layer, (row, 7.0))
    release(viewer, layer, (row, 7.0))
    qtbot.waitUntil(lambda: not binding.edit_pending, timeout=10_000)
    qtbot.wait(5)
    stroke = {(x, int(row)) for x in (5, 6, 7)}
    assert _pixels(pad.at(4)[0]) == _pixels(frame_mask(4)), "frame 4 untouched"
    assert pad.count_at(4) == 1
    if mode == "paint":
        assert pad.count_at(3) == 2
        assert _pixels(pad.at(3)[1]) == stroke
    else:
        assert _pixels(pad.at(3)[0]) == _pixels(frame_mask(3)) - stroke
    assert steps(session) == n_steps + 1, "one stroke, one undo step"
    np.testing.assert_array_equal(layer.data, frame_label_image(4))  # the layer follows
    session.dm.undo()
    assert _pixels(pad.at(3)[0]) == _pixels(frame_mask(3))
    assert pad.count_at(3) == 1


def test_a_slow_stroke_is_one_undo_step(make_napari_viewer, qtbot):
    """Were: where napari refreshes the whole layer at each mouse move (a viewer not on
    screen), each event-loop turn between two moves stored the stroke so far as an undo
    step of its own."""
    session = editing_session(make_napari_viewer(), "pad", 3)
    viewer, pad = session.viewer, session.dm.get_data("pad")
    layer, binding = viewer.layers["pad"], session.bindings["pad"]
    n_steps = steps(session)
    layer.mode = "paint"
    layer.brush_size = 1
    layer.selected_label = 2
    press(viewer, layer, (20.0, 5.0))
    for col in (6.0, 7.0, 8.0):
        qtbot.wait(5)
        move(viewer, layer, (20.0, col))
    release(viewer, layer, (20.0, 8.0))
    qtbot.waitUntil(lambda: not binding.edit_pending, timeout=10_000)
    assert steps(session) == n_steps + 1
    assert _pixels(pad.at(3)[1]) == {(x, 20) for x in (5, 6, 7, 8)}
