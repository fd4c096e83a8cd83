"""Every way napari changes a synced Labels layer reaches the DataManager (issue 16).

Paths, from napari's public API: painting with the brush, erasing, filling and drawing a
polygon with the mouse; ``paint``, ``fill`` and ``data_setitem``; ``layer.data = …`` from
the console, or pixels written in place followed by ``layer.refresh()``; napari's own
layer undo (Ctrl+Z on the layer and ``layer.undo()`` / ``layer.redo()`` go to the
DataManager — ``tests/layers/test_labels_history_keys.py``). The transform tool is refused. Each path is one undo step, and masks the edit did
not touch are kept exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_mask
from _edit_paths_support import editing_session, steps
from _napari_input import click, click_vertices, drag
from napari.layers import Labels

pytestmark = pytest.mark.gui


@pytest.fixture
def session(make_napari_viewer):
    return editing_session(make_napari_viewer(), "pad", 3)


def stored(session, frame=3) -> list[np.ndarray]:
    return session.dm.get_data("pad").at(frame)


def settle(session, qtbot) -> None:
    """Wait for the deferred write-back of the last stroke."""
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=10_000)


def pixel_set(mask) -> set[tuple[int, int]]:
    return {tuple(p) for p in np.asarray(mask).tolist()}


def test_brush_stroke_is_one_step_and_a_new_mask(session, qtbot):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    ids, n_steps = pad.ids_at(3).copy(), steps(session)
    layer.mode = "paint"
    layer.brush_size = 3
    layer.selected_label = 2
    drag(session.viewer, layer, [(20.0, 20.0), (20.0, 22.0), (20.0, 25.0), (21.0, 28.0)])
    settle(session, qtbot)
    assert steps(session) == n_steps + 1, "one stroke, one undo step"
    assert pad.ids_at(3)[0] == ids[0]
    assert len(stored(session)) == 2
    assert (20, 20) in pixel_set(stored(session)[1])  # (x, y)
    assert pixel_set(stored(session)[0]) == pixel_set(frame_mask(3))
    session.dm.undo()
    assert len(stored(session)) == 1
    assert not np.any(layer.data == 2)


def test_erasing_shrinks_only_the_erased_mask(session, qtbot):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    ids, n_steps = pad.ids_at(3).copy(), steps(session)
    layer.mode = "erase"
    layer.brush_size = 1
    drag(session.viewer, layer, [(3.0, 5.0), (3.0, 6.0)])  # (row, col) of the mask's corner
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    np.testing.assert_array_equal(pad.ids_at(3), ids)
    assert pixel_set(stored(session)[0]) == pixel_set(frame_mask(3)) - {(5, 3), (6, 3)}


def test_fill_is_one_step(session, qtbot):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    n_steps = steps(session)
    layer.mode = "fill"
    layer.selected_label = 1
    layer.contiguous = True
    click(session.viewer, layer, (4.0, 6.0))  # inside the mask: refill it with its own label
    settle(session, qtbot)
    assert steps(session) == n_steps, "filling a mask with its own label changes nothing"
    layer.selected_label = 5
    click(session.viewer, layer, (4.0, 6.0))
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    assert pixel_set(stored(session)[0]) == pixel_set(frame_mask(3))
    assert len(pad.ids_at(3)) == 1, "the refilled mask keeps its id"


def test_polygon_tool_is_one_step(session, qtbot):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    n_steps = steps(session)
    layer.mode = "polygon"
    layer.selected_label = 4
    click_vertices(session.viewer, layer, [(20.0, 2.0), (20.0, 12.0), (28.0, 7.0)])
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    assert len(pad.ids_at(3)) == 2
    assert (7, 24) in pixel_set(stored(session)[1])


def test_a_polygon_being_drawn_when_the_frame_changes_lands_on_its_frame(session, qtbot):
    """napari paints an unfinished polygon on whatever frame is shown when it is finished."""
    from _bindings_support import frame_label_image
    from _napari_input import move

    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    n_steps = steps(session)
    layer.mode = "polygon"
    layer.selected_label = 4
    for yx in [(20.0, 2.0), (20.0, 12.0), (28.0, 7.0)]:
        move(session.viewer, layer, yx, dragging=False)
        click(session.viewer, layer, yx)
    move(session.viewer, layer, (27.0, 3.0), dragging=False)
    session.set_frame(4)
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    assert len(pad.ids_at(3)) == 2
    assert (7, 24) in pixel_set(stored(session)[1])
    assert (3, 27) not in pixel_set(stored(session)[1]), "the vertex following the mouse"
    assert len(pad.ids_at(4)) == 1
    np.testing.assert_array_equal(layer.data, frame_label_image(4))  # the overlay is empty


@pytest.mark.parametrize("how", ["paint", "fill", "data_setitem"])
def test_programmatic_edits_are_one_step(session, qtbot, how):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    n_steps = steps(session)
    if how == "paint":
        layer.paint((20, 20), 3)
    elif how == "fill":
        layer.fill((20, 20), 3)
    else:
        layer.data_setitem((np.array([20, 21]), np.array([20, 20])), 3)
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    assert len(pad.ids_at(3)) == 2
    assert pixel_set(stored(session)[0]) == pixel_set(frame_mask(3))


def test_console_data_assignment_is_one_step(session, qtbot):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    ids, n_steps = pad.ids_at(3).copy(), steps(session)
    image = np.array(layer.data)
    image[25:28, 30:35] = 2
    layer.data = image
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    assert pad.ids_at(3)[0] == ids[0]
    assert pixel_set(stored(session)[1]) == {(x, y) for y in range(25, 28) for x in range(30, 35)}


def test_in_place_pixels_then_refresh_are_one_step(session, qtbot):
    """``layer.data[...] = …`` then ``layer.refresh()`` (napari's documented way to edit
    labels from code): was lost at the frame change."""
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    ids, n_steps = pad.ids_at(3).copy(), steps(session)
    layer.refresh()
    settle(session, qtbot)
    assert steps(session) == n_steps, "a refresh alone is no edit"
    layer.data[25:27, 30:33] = 2
    layer.refresh()
    settle(session, qtbot)
    assert steps(session) == n_steps + 1
    assert pad.ids_at(3)[0] == ids[0]
    assert pixel_set(stored(session)[1]) == {(x, y) for y in range(25, 27) for x in range(30, 33)}
    session.set_frame(4)
    session.set_frame(3)
    assert np.count_nonzero(layer.data == 2) == 6


def test_napari_layer_undo_undoes_the_stroke_not_a_frame_swap(session, qtbot):
    """``layer.undo()`` goes to the DataManager: it takes back the stroke, never a frame swap.

    Frame swaps and stored strokes never stay in napari's own Labels history.
    """
    layer = session.viewer.layers["pad"]
    layer.paint((20, 20), 3)
    settle(session, qtbot)
    for frame in (4, 5, 3):
        session.set_frame(frame)
    n_steps = steps(session)
    layer.undo()
    assert steps(session) == n_steps - 1
    assert len(stored(session)) == 1
    np.testing.assert_array_equal(layer.data, session.dm.get_data("pad").label_image(3))


def test_transform_tool_is_refused_with_a_message(session, qtbot, notifications):
    layer = session.viewer.layers["pad"]
    layer.mode = "paint"
    layer.mode = "transform"
    qtbot.waitUntil(lambda: layer.mode == "paint", timeout=10_000)
    assert any("transform tool" in message for message in notifications)


def test_napari_labels_undo_exists_and_is_routed():
    """napari's Labels layer has its own undo: its keys and methods go to the DataManager."""
    from napari_whiskertoolbox.layers.history_keys import HISTORY_KEYS

    assert callable(Labels.undo)
    assert callable(Labels.redo)
    assert set(HISTORY_KEYS) == {"undo", "redo"}


def test_a_new_label_shows_at_once_as_the_number_it_is_stored_and_saved_as(
    session, qtbot, notifications, tmp_path
):
    """A frame's labels number its masks: a label painted or filled as 5 shows as 2 at once.

    The DataManager keeps each label of a frame as one mask in a list, not its value (nor
    does the ``Frame,RLE`` CSV); the layer shows the frame as stored right after the edit,
    so the number seen does not change on a frame change or a save and reload. The brush
    keeps painting that mask, and the user is told once why.
    """
    from napari_whiskertoolbox.core import MaskData
    from napari_whiskertoolbox.io.masks import read_masks_csv, write_masks_csv

    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    layer.selected_label = 5
    layer.fill((20, 20), 5)  # the empty background around (20, 20) becomes label 5
    settle(session, qtbot)
    assert len(stored(session)) == 2
    assert layer.data[20, 20] == 2, "shown as the number it is stored as"
    assert layer.selected_label == 2, "the brush keeps painting the mask it filled"
    np.testing.assert_array_equal(layer.data, pad.label_image(3))
    told = [m for m in notifications if "label 5 is now 2" in m]
    assert len(told) == 1
    assert "in the order they are stored and saved" in told[0]

    layer.paint((25, 35), 7)
    settle(session, qtbot)
    assert layer.data[25, 35] == 3
    assert not [m for m in notifications if "label 7" in m], "told once per key"
    shown = np.array(layer.data)
    session.set_frame(4)
    session.set_frame(3)
    np.testing.assert_array_equal(layer.data, shown)

    flat = pad.to_flat()
    write_masks_csv(tmp_path / "pad.csv", flat.times, flat.offsets, flat.coords)
    times, offsets, pixels = read_masks_csv(tmp_path / "pad.csv")
    reloaded = MaskData.from_flat(times, pixels, offsets, image_size=pad.image_size)
    np.testing.assert_array_equal(reloaded.label_image(3), shown)


def test_erasing_a_whole_mask_moves_the_later_labels_down_at_once(session, qtbot):
    layer, pad = session.viewer.layers["pad"], session.dm.get_data("pad")
    layer.paint((20, 20), 2)
    settle(session, qtbot)
    layer.paint((20, 32), 3)
    settle(session, qtbot)
    ids = pad.ids_at(3).copy()
    layer.selected_label = 3
    layer.fill((4, 6), 0)  # erase mask 1 (label 1) whole
    settle(session, qtbot)
    np.testing.assert_array_equal(pad.ids_at(3), ids[1:])
    assert layer.data[20, 20] == 1
    assert layer.data[20, 32] == 2
    assert layer.selected_label == 2
    np.testing.assert_array_equal(layer.data, pad.label_image(3))
