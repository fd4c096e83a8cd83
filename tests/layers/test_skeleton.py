"""Multi-animal skeletons: edges follow the frame, hide with a missing end, colour per individual."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import ArrayMedia, DataManager, PointData
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS, PoseSet, pose_key
from napari_whiskertoolbox.layers.converters import segments_to_layer_vectors
from napari_whiskertoolbox.layers.session import ViewerSession
from napari_whiskertoolbox.layers.skeleton import WTB_SKELETON, skeleton_segments

N = 6
NODES = ["head", "thorax", "tail"]
MICE = ["mouseA", "mouseB"]


def _position(mouse: int, node: int, t: int) -> np.ndarray:
    return np.array([20.0 + 40 * mouse + 5 * node + 3 * t, 20.0 + 15 * node + 2 * t], np.float32)


def _entries() -> list[tuple[str, object]]:
    entries: list[tuple[str, object]] = []
    keys: dict[str, dict[str, str]] = {}
    for m, mouse in enumerate(MICE):
        for n, node in enumerate(NODES):
            points = PointData(image_size=(120, 100))
            for t in range(N):
                if not (mouse == "mouseA" and node == "tail" and t == 3):  # missing on frame 3
                    points.add(t, _position(m, n, t))
            key = pose_key("mice", mouse, node)
            entries.append((key, points))
            keys.setdefault(mouse, {})[node] = key
    pose = PoseSet("mice", NODES, MICE, [("head", "thorax"), ("thorax", "tail")], keys)
    return [("media", ArrayMedia(np.full((N, 100, 120), 40, np.uint8))), *entries, ("mice", pose)]


@pytest.fixture
def session(make_napari_viewer):
    viewer = make_napari_viewer(show=False)
    dm = DataManager()
    commit(dm, _entries())
    return ViewerSession(viewer, dm)


def _expected(t: int) -> np.ndarray:
    starts, ends = [], []
    for m, mouse in enumerate(MICE):
        for a, b in ((0, 1), (1, 2)):
            if mouse == "mouseA" and b == 2 and t == 3:
                continue
            starts.append(_position(m, a, t))
            ends.append(_position(m, b, t))
    return segments_to_layer_vectors(np.array(starts), np.array(ends))


def test_segments_are_pure_and_skip_missing_ends() -> None:
    pose = PoseSet(
        "p",
        ["a", "b", "c"],
        [""],
        [("a", "b"), ("b", "c")],
        {"": {"a": "ka", "b": "kb", "c": "kc"}},
    )
    points = {"ka": np.array([1.0, 2.0]), "kb": np.array([3.0, 4.0]), "kc": None}
    starts, ends, owners = skeleton_segments(pose, points.get)
    np.testing.assert_array_equal(starts, [[1, 2]])
    np.testing.assert_array_equal(ends, [[3, 4]])
    assert owners == [""]
    vectors = segments_to_layer_vectors(starts, ends)
    np.testing.assert_array_equal(vectors, [[[2, 1], [2, 2]]])  # (row, col) origin and projection


@pytest.mark.gui
def test_skeleton_follows_the_frame_with_a_colour_per_individual(session, tmp_path) -> None:
    viewer = session.viewer
    layers = [layer for layer in viewer.layers if WTB_SKELETON in layer.metadata]
    assert [layer.name for layer in layers] == ["mice skeleton"]
    skeleton = layers[0]
    for t in (0, 3, 5, 2):
        session.set_frame(t)
        np.testing.assert_allclose(skeleton.data, _expected(t))
    session.set_frame(3)
    assert len(skeleton.data) == 3  # mouseA's thorax-tail edge hides: no tail on frame 3
    colors = skeleton.edge_color
    np.testing.assert_allclose(colors[0], colors[0])
    assert not np.allclose(colors[0], colors[-1])  # mouseA's edges differ from mouseB's
    points_a = viewer.layers["mice_mouseA_head"]
    points_b = viewer.layers["mice_mouseB_head"]
    assert not np.allclose(points_a.face_color[0], points_b.face_color[0])
    assert session.dm.metadata["colors"]["mice_mouseA_head"] == INDIVIDUAL_COLORS[0]
    viewer.screenshot(str(tmp_path / "skeleton.png"), canvas_only=True)
    assert (tmp_path / "skeleton.png").stat().st_size > 0


@pytest.mark.gui
def test_editing_a_point_moves_its_edges_and_swapping_recolours(session) -> None:
    from napari_whiskertoolbox.io.pose import pose_sets, swap_individuals

    viewer = session.viewer
    session.set_frame(2)
    skeleton = viewer.layers["mice skeleton"]
    session.dm.get_data("mice_mouseB_head").set_frame(
        2, [[111.0, 7.0]], session.dm.get_data("mice_mouseB_head").ids_at(2)
    )
    np.testing.assert_allclose(skeleton.data[2, 0], [7.0, 111.0])
    before = np.array(skeleton.data)
    swap_individuals(session.dm, pose_sets(session.dm)["mice"], "mouseA", "mouseB", 2, 2)
    after = np.array(skeleton.data)
    np.testing.assert_allclose(after[:2], before[2:])  # mouseA's edges now where mouseB's were
    session.dm.undo()
    np.testing.assert_allclose(skeleton.data, before)
