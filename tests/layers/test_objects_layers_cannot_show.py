"""Objects a napari layer cannot show are kept unchanged through edits, saves and reloads.

Issue 19: lines with fewer than two distinct points (valid in WhiskerToolbox's files), mask
pixels outside the image, objects at negative frames. The layer leaves them out (the user
is told once per key), edits of other objects on their frame still land, and those objects
are never rewritten.
"""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import HEIGHT, WIDTH
from _napari_input import click_vertices

from napari_whiskertoolbox.core import ArrayMedia, DataManager, LineData, MaskData, PointData
from napari_whiskertoolbox.io import load_session, save_session
from napari_whiskertoolbox.layers.session import ViewerSession

pytestmark = pytest.mark.gui

EMPTY_LINE = np.empty((0, 2), np.float32)
ONE_POINT = np.array([[7.0, 8.0]], np.float32)
SAME_TWICE = np.array([[3.0, 4.0], [3.0, 4.0]], np.float32)
GOOD_LINE = np.array([[1.0, 1.0], [10.0, 12.0]], np.float32)
# mask 0 reaches 10 px past the right edge; mask 1 is inside
WIDE_MASK = np.array([[x, 5] for x in range(WIDTH - 5, WIDTH + 10)], np.uint32)
INNER_MASK = np.array([[x, y] for y in range(10, 13) for x in range(3, 6)], np.uint32)
FAR_POINT = np.array([[-15.0, 200.0]], np.float32)


def odd_dm() -> DataManager:
    dm = DataManager()
    dm.set_data("media", ArrayMedia(np.zeros((6, HEIGHT, WIDTH), np.uint8), kind="video"))
    lines = LineData(image_size=(WIDTH, HEIGHT))
    lines.set_frame(1, [EMPTY_LINE, GOOD_LINE, ONE_POINT, SAME_TWICE])
    lines.set_frame(2, [ONE_POINT])
    lines.set_frame(-3, [GOOD_LINE])
    masks = MaskData(image_size=(WIDTH, HEIGHT))
    masks.set_frame(1, [WIDE_MASK, INNER_MASK])
    masks.set_frame(-1, [INNER_MASK])
    points = PointData(image_size=(WIDTH, HEIGHT))
    points.set_frame(1, np.concatenate([FAR_POINT, [[4.0, 4.0]]]).astype(np.float32))
    points.set_frame(-2, np.array([[1.0, 2.0]], np.float32))
    dm.set_data("whiskers", lines)
    dm.set_data("pad", masks)
    dm.set_data("nose", points)
    dm.history.clear()
    dm.mark_saved()
    return dm


def snapshot(dm: DataManager) -> dict[str, tuple]:
    """Every object of the three keys: (frames, ids, coordinates), for exact comparison."""
    out = {}
    for key in ("whiskers", "pad", "nose"):
        flat = dm.get_data(key).to_flat()
        offsets = None if flat.offsets is None else flat.offsets.tolist()
        out[key] = (flat.times.tolist(), flat.ids.tolist(), offsets, flat.coords.tolist())
    return out


@pytest.fixture
def session(make_napari_viewer, notifications):
    session = ViewerSession(make_napari_viewer(), odd_dm())
    session.set_frame(1)
    return session


def test_degenerate_lines_are_left_out_of_the_layer(session, notifications):
    layer = session.viewer.layers["whiskers"]
    assert layer.nshapes == 1
    np.testing.assert_array_equal(layer.data[0], GOOD_LINE[:, ::-1])
    told = [message for message in notifications if "whiskers" in message]
    assert len(told) == 1
    assert "fewer than two distinct points" in told[0]
    session.set_frame(2)  # a frame with only a one-point line
    assert layer.nshapes == 0
    session.set_frame(1)
    assert len([m for m in notifications if "whiskers" in m]) == 1, "told once"


def test_a_path_drawn_on_a_frame_with_degenerate_lines_lands(session):
    dm, layer, lines = (
        session.dm,
        session.viewer.layers["whiskers"],
        session.dm.get_data("whiskers"),
    )
    ids = lines.ids_at(1).copy()
    session.viewer.layers.selection.active = layer
    layer.mode = "add_polyline"
    click_vertices(session.viewer, layer, [(20.0, 2.0), (22.0, 9.0), (25.0, 20.0)])
    assert lines.count_at(1) == 5
    np.testing.assert_array_equal(lines.ids_at(1)[:4], ids)
    stored = lines.at(1)
    for before, after in zip([EMPTY_LINE, GOOD_LINE, ONE_POINT, SAME_TWICE], stored[:4]):
        np.testing.assert_array_equal(after, before)
    np.testing.assert_array_equal(stored[4], [[2.0, 20.0], [9.0, 22.0], [20.0, 25.0]])
    dm.undo()
    assert lines.count_at(1) == 4


def test_deleting_the_drawn_line_keeps_the_degenerate_ones_in_place(session):
    layer, lines = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    ids = lines.ids_at(1).copy()
    layer.remove([0])
    np.testing.assert_array_equal(lines.ids_at(1), ids[[0, 2, 3]])
    for before, after in zip([EMPTY_LINE, ONE_POINT, SAME_TWICE], lines.at(1)):
        np.testing.assert_array_equal(after, before)


def test_painting_another_mask_keeps_pixels_outside_the_image(session, qtbot, notifications):
    layer, masks = session.viewer.layers["pad"], session.dm.get_data("pad")
    assert any("outside the" in m for m in notifications if "pad" in m)
    ids = masks.ids_at(1).copy()
    layer.paint((25, 25), 3)
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=10_000)
    assert masks.count_at(1) == 3
    np.testing.assert_array_equal(masks.ids_at(1)[:2], ids)
    np.testing.assert_array_equal(masks.at(1)[0], WIDE_MASK)
    np.testing.assert_array_equal(masks.at(1)[1], INNER_MASK)


def test_editing_a_mask_keeps_its_own_pixels_outside_the_image(session, qtbot):
    layer, masks = session.viewer.layers["pad"], session.dm.get_data("pad")
    layer.paint((8, WIDTH - 2), 1, refresh=True)  # grow the wide mask inside the image
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=10_000)
    grown = {tuple(p) for p in masks.at(1)[0].tolist()}
    assert {tuple(p) for p in WIDE_MASK.tolist()} <= grown
    assert (WIDTH - 2, 8) in grown


def test_overlapped_mask_is_kept_when_the_top_one_is_painted(make_napari_viewer, qtbot):
    dm = DataManager()
    dm.set_data("media", ArrayMedia(np.zeros((2, HEIGHT, WIDTH), np.uint8), kind="video"))
    under = np.array([[x, 10] for x in range(0, 10)], np.uint32)
    over = np.array([[x, 10] for x in range(5, 15)], np.uint32)
    masks = MaskData(image_size=(WIDTH, HEIGHT))
    masks.set_frame(0, [under, over])
    dm.set_data("pad", masks)
    session = ViewerSession(make_napari_viewer(), dm)
    layer = session.viewer.layers["pad"]
    layer.paint((20, 20), 2)  # grow the top mask elsewhere
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=10_000)
    np.testing.assert_array_equal(masks.at(0)[0], under)  # hidden pixels 5..9 kept
    assert {tuple(p) for p in over.tolist()} <= {tuple(p) for p in masks.at(0)[1].tolist()}


def test_points_outside_the_image_are_shown_and_kept(session):
    layer, points = session.viewer.layers["nose"], session.dm.get_data("nose")
    assert len(layer.data) == 2
    layer.add([[30.0, 30.0]])
    np.testing.assert_array_equal(points.at(1)[0], FAR_POINT[0])


def test_negative_frames_survive_edits_save_and_reload(session, qtbot, tmp_path):
    dm = session.dm
    layer = session.viewer.layers["pad"]
    layer.paint((25, 25), 3)
    qtbot.waitUntil(lambda: not session.bindings["pad"].edit_pending, timeout=10_000)
    session.viewer.layers["whiskers"].remove([0])
    before = snapshot(dm)
    assert -3 in before["whiskers"][0]
    assert -1 in before["pad"][0]
    assert -2 in before["nose"][0]
    save_session(dm, tmp_path / "odd.session")
    reloaded = load_session(tmp_path / "odd.session")
    assert snapshot(reloaded) == before


def test_untouched_odd_objects_round_trip_exactly(tmp_path):
    dm = odd_dm()
    before = snapshot(dm)
    save_session(dm, tmp_path / "odd.session")
    assert snapshot(load_session(tmp_path / "odd.session")) == before
