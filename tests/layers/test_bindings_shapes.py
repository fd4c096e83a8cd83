"""LineData key <-> napari Shapes layer (paths): frames, path and vertex edits, undo."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_lines, make_session, yx

from napari_whiskertoolbox.layers._napari_compat import shape_objects

pytestmark = pytest.mark.gui


@pytest.fixture
def session(make_napari_viewer):
    return make_session(make_napari_viewer())


def assert_paths_equal(layer, lines):
    assert layer.nshapes == len(lines)
    assert set(layer.shape_type) <= {"path"}
    for path, line in zip(layer.data, lines):
        np.testing.assert_array_equal(path, yx(line))


def test_layer_shows_exactly_the_current_frame(session):
    layer = session.viewer.layers["whiskers"]
    assert layer.metadata["wtb_key"] == "whiskers"
    for frame in (0, 1, 2, 8, 3, 0):
        session.set_frame(frame)
        assert_paths_equal(layer, frame_lines(frame))


def test_add_path_gets_a_new_id_and_keeps_the_others(session):
    whiskers = session.dm.get_data("whiskers")
    session.set_frame(4)
    ids = whiskers.ids_at(4).copy()
    layer = session.viewer.layers["whiskers"]
    layer.add_paths([np.array([[5.0, 5.0], [6.0, 9.0], [7.0, 12.0]])])
    assert whiskers.count_at(4) == 3
    np.testing.assert_array_equal(whiskers.ids_at(4)[:2], ids)
    np.testing.assert_array_equal(whiskers.at(4)[2], [[5, 5], [9, 6], [12, 7]])
    assert session.dm.modified
    session.dm.undo()
    assert_paths_equal(layer, frame_lines(4))
    np.testing.assert_array_equal(whiskers.ids_at(4), ids)


def test_add_path_on_an_empty_frame(session):
    whiskers = session.dm.get_data("whiskers")
    session.set_frame(3)
    layer = session.viewer.layers["whiskers"]
    assert layer.nshapes == 0
    layer.add_paths([np.array([[1.0, 2.0], [3.0, 4.0]])])
    assert whiskers.count_at(3) == 1
    np.testing.assert_array_equal(whiskers.at(3)[0], [[2, 1], [4, 3]])


def test_remove_selected_path_drops_only_its_id(session):
    whiskers = session.dm.get_data("whiskers")
    session.set_frame(6)
    ids = whiskers.ids_at(6).copy()
    layer = session.viewer.layers["whiskers"]
    layer.selected_data = {0}
    layer.remove_selected()
    np.testing.assert_array_equal(whiskers.ids_at(6), ids[1:])
    np.testing.assert_array_equal(whiskers.at(6)[0], frame_lines(6)[1])


def test_vertex_edits_keep_the_line_id(session):
    whiskers = session.dm.get_data("whiskers")
    session.set_frame(2)
    ids = whiskers.ids_at(2).copy()
    layer = session.viewer.layers["whiskers"]
    paths = [p.copy() for p in layer.data]
    paths[0][1] = [7.0, 11.0]  # move a vertex
    paths[1] = np.vstack([paths[1], [[25.0, 30.0]]])  # add a vertex
    layer.data = (paths, ["path", "path"])
    np.testing.assert_array_equal(whiskers.ids_at(2), ids)
    np.testing.assert_array_equal(whiskers.at(2)[0][1], [11.0, 7.0])
    assert len(whiskers.at(2)[1]) == 3
    paths = [p.copy() for p in layer.data]
    paths[0] = paths[0][[0, 2]]  # delete a vertex
    layer.data = (paths, ["path", "path"])
    assert len(whiskers.at(2)[0]) == 2
    np.testing.assert_array_equal(whiskers.ids_at(2), ids)
    assert session.dm.undo()
    assert len(whiskers.at(2)[0]) == 3


def test_datamanager_change_redraws_the_shown_frame(session):
    whiskers = session.dm.get_data("whiskers")
    layer = session.viewer.layers["whiskers"]
    session.set_frame(0)
    whiskers.clear_at(0)
    assert layer.nshapes == 0
    session.dm.undo()
    assert_paths_equal(layer, frame_lines(0))
    session.dm.redo()
    assert layer.nshapes == 0


def test_new_paths_take_the_key_colour(session):
    layer = session.viewer.layers["whiskers"]
    session.set_frame(0)
    colors = np.asarray(layer.edge_color)
    assert len(colors) == 2
    np.testing.assert_allclose(colors[0], colors[1])
    session.set_frame(1)
    session.set_frame(0)
    np.testing.assert_allclose(np.asarray(layer.edge_color)[0], colors[0])


def _video_lines_dm(width: int, height: int):
    """A ``width`` x ``height`` video's line key: 0 lines on frame 0, 1 on 1, 3 on 2."""
    from napari_whiskertoolbox.core import DataManager, LineData, TimeFrame

    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(3))
    lines = LineData(image_size=(width, height))
    for frame, count in ((1, 1), (2, 3)):
        drawn = [np.array([[10, 10 + 9 * k], [90, 12 + 9 * k]], np.float32) for k in range(count)]
        lines.set_frame(frame, drawn)
    dm.set_data("whiskers", lines, "time")
    return dm


def test_lines_are_drawn_as_wide_as_whiskertoolbox_draws_them(make_napari_viewer):
    """WhiskerToolbox's 2-pixel pen on its 640-pixel canvas: 2 pixels of a 640x480 video."""
    from _bindings_support import make_session as session_of

    from napari_whiskertoolbox.layers.shapes_binding import default_edge_width

    viewer = make_napari_viewer()
    session = session_of(viewer, _video_lines_dm(640, 480))
    layer = viewer.layers["whiskers"]
    assert layer.current_edge_width == 2.0
    for frame in (0, 1, 2, 0, 2):  # napari gave the paths a frame adds beyond the last width 1
        session.set_frame(frame)
        assert layer.edge_width == [2.0] * len(layer.data)
    assert len(layer.data) == 3
    assert default_edge_width(_video_lines_dm(320, 240), "whiskers") == 1.0
    assert default_edge_width(_video_lines_dm(1280, 1024), "whiskers") == 4.0
    assert default_edge_width(_video_lines_dm(100, 80), "whiskers") == 1.0  # never thinner


def test_lines_without_an_image_size_or_media_are_as_wide_as_their_extent_suggests() -> None:
    """A lines file opened alone: the view fits the lines, which stand for the video's width
    (in whole pixels, at least 1: napari's edge width slider shows whole numbers)."""
    from napari_whiskertoolbox.core import DataManager, LineData
    from napari_whiskertoolbox.layers.shapes_binding import default_edge_width

    dm = DataManager()
    lines = LineData()
    lines.set_frame(0, [np.array([[10, 10], [90, 30]], np.float32)])  # 80 wide, 20 high
    lines.set_frame(4, [np.array([[50, 0], [60, 40]], np.float32)])
    dm.set_data("whiskers", lines)
    assert default_edge_width(dm, "whiskers") == 1.0  # 2 * 80 / 640 = 0.25: the slider showed 0
    lines.set_frame(5, [np.array([[0, 0], [1000, 10]], np.float32)])
    assert default_edge_width(dm, "whiskers") == 3.0  # 3.125
    dm.set_data("empty", LineData())
    assert default_edge_width(dm, "empty") == 2.0  # nothing to go by: a 640-pixel video


@pytest.mark.parametrize(("video_width", "width"), [(1000, 3.0), (None, 1.0), (720, 2.0)])
def test_the_edge_width_slider_shows_the_width_the_lines_are_drawn_at(
    make_napari_viewer, video_width, width
):
    """Were: a 1000-pixel video's lines drawn 3.125 wide with the slider at 3, a lines file
    opened alone (an 80-pixel extent) drawn 0.25 wide with the slider at 0: napari's *edge
    width* slider shows whole numbers only."""
    from superqt import QLabeledSlider

    from napari_whiskertoolbox.core import DataManager, LineData
    from napari_whiskertoolbox.layers._napari_compat import main_window

    if video_width is None:
        dm = DataManager()
        lines = LineData()
        lines.set_frame(0, [np.array([[10, 10], [90, 30]], np.float32)])
        dm.set_data("whiskers", lines)
    else:
        dm = _video_lines_dm(video_width, 480)
    viewer = make_napari_viewer()
    session = make_session(viewer, dm)
    layer = viewer.layers["whiskers"]
    viewer.layers.selection.active = layer
    session.set_frame(2 if video_width else 0)
    (slider,) = [
        s
        for s in main_window(viewer).findChildren(QLabeledSlider)
        if s.toolTip().startswith("Set the edge width")
    ]
    assert slider.value() == layer.current_edge_width == width
    assert set(layer.edge_width) == {width}  # every line drawn at it


def test_the_edge_width_slider_restyles_the_shown_lines_and_later_frames(make_napari_viewer):
    from _bindings_support import make_session as session_of

    viewer = make_napari_viewer()
    session = session_of(viewer, _video_lines_dm(640, 480))
    session.dm.history.clear()
    session.dm.mark_saved()
    layer = viewer.layers["whiskers"]
    session.set_frame(2)
    layer.current_edge_width = 4.0  # what napari's "edge width" slider sets
    assert layer.edge_width == [4.0, 4.0, 4.0]
    session.set_frame(1)
    session.set_frame(2)
    assert layer.edge_width == [4.0, 4.0, 4.0]
    assert not session.dm.modified  # a display setting, not an edit of the lines


def test_lines_are_opaque_as_whiskertoolbox_draws_them_and_keep_the_users_opacity(
    make_napari_viewer,
):
    """WhiskerToolbox draws lines at alpha 1 (``DefaultDisplayValues::ALPHA``); napari's 0.7 paled them.

    The opacity slider's value is the user's: frame steps keep it.
    """
    from _bindings_support import make_session as session_of

    viewer = make_napari_viewer()
    session = session_of(viewer, _video_lines_dm(640, 480))
    layer = viewer.layers["whiskers"]
    assert layer.opacity == 1.0
    session.set_frame(2)
    layer.opacity = 0.4  # napari's opacity slider
    for frame in (1, 0, 2):
        session.set_frame(frame)
        assert layer.opacity == 0.4


def test_the_entity_groups_of_the_shown_lines_are_the_layer_s_group_feature(session):
    """A group operation changed ``dm.groups`` but nothing on the canvas or in the layer
    said which whisker went where; the layer's ``group`` feature names each shown line's
    groups, follows frames, group edits and undo, and ``layer.text`` can draw it."""
    from napari_whiskertoolbox.transforms import run_transform

    dm = session.dm
    layer = session.viewer.layers["whiskers"]
    session.set_frame(0)
    assert "group" not in layer.features.columns  # no groups: the features are left alone
    run_transform(dm, "Group Lines by Index", "whiskers", "", {"group_name_prefix": "W"})
    n = dm.get_data("whiskers").count_at(0)
    assert layer.features["group"].tolist() == [f"W {i}" for i in range(n)]
    first = int(dm.get_data("whiskers").ids_at(0)[0])
    dm.groups.create("C2", [first])
    assert layer.features["group"].tolist()[0] == "C2, W 0"
    layer.text = "{group}"
    session.set_frame(4)
    shown = dm.get_data("whiskers").ids_at(4)
    expected = [", ".join(dm.groups.groups_of(int(i))) for i in shown]
    assert layer.features["group"].tolist() == expected
    assert layer.text.values.tolist() == expected
    session.set_frame(3)  # an empty frame
    assert layer.nshapes == 0
    assert layer.features["group"].tolist() == []
    session.set_frame(0)
    dm.undo()  # the grouping (the run is one undo step); C2 stays
    assert not [g for g in dm.groups.names() if g.startswith("W ")]
    assert layer.features["group"].tolist() == ["C2"] + [""] * (n - 1)


def _step_by_two_and_prepare_frame_4(session, qtbot):
    """Step 0 -> 2 and wait for frame 4's prepared paths; return layer, binding, shapes."""
    binding = session.bindings["whiskers"]
    session.set_frame(0)
    session.set_frame(2)
    qtbot.waitUntil(lambda: 4 in binding._prepared)
    return session.viewer.layers["whiskers"], binding, binding._prepared[4].shapes


def test_the_paths_read_ahead_prepares_the_next_frame_and_its_swap_uses_them(session, qtbot):
    """Stepping by 2 (0 -> 2) prepares frame 4's napari paths while idle; frame 4 uses them."""
    layer, binding, prepared = _step_by_two_and_prepare_frame_4(session, qtbot)
    session.set_frame(4)
    assert_paths_equal(layer, frame_lines(4))
    assert shape_objects(layer) == prepared
    assert not binding._prepared or 4 not in binding._prepared  # used once
    # the layer behaves as after any swap: an added path is stored, undo brings frame 4 back
    whiskers = session.dm.get_data("whiskers")
    layer.add_paths([np.array([[5.0, 5.0], [6.0, 9.0]])])
    assert whiskers.count_at(4) == 3
    session.dm.undo()
    assert_paths_equal(layer, frame_lines(4))


def test_paths_prepared_for_a_frame_edited_since_are_not_shown(session, qtbot):
    layer, _binding, prepared = _step_by_two_and_prepare_frame_4(session, qtbot)
    whiskers = session.dm.get_data("whiskers")
    edited = [line + 1.0 for line in frame_lines(4)]
    whiskers.set_frame(4, edited, whiskers.ids_at(4))
    session.set_frame(4)
    assert_paths_equal(layer, edited)
    assert not set(map(id, shape_objects(layer))) & set(map(id, prepared))
