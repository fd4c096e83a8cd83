"""Multi-animal skeletons: edges follow the frame, hide with a missing end, colour per individual."""

from __future__ import annotations

import numpy as np
import pytest
from napari.utils.colormaps.standardize_color import transform_color

from napari_whiskertoolbox.core import ArrayMedia, DataManager, PointData
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS, PoseSet, pose_key
from napari_whiskertoolbox.layers.converters import segments_to_layer_vectors
from napari_whiskertoolbox.layers.label_contrast import LIGHT_LABEL_LUMINANCE
from napari_whiskertoolbox.layers.pose_points import LABEL_COLOR, label_color
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


def _expected_points(t: int) -> tuple[np.ndarray, list[str]]:
    rows, owners = [], []
    for m, mouse in enumerate(MICE):
        for n in range(3):
            if not (mouse == "mouseA" and n == 2 and t == 3):
                rows.append(_position(m, n, t)[::-1])
                owners.append(mouse)
    return np.array(rows), owners


@pytest.mark.gui
def test_one_keypoints_layer_and_a_skeleton_follow_the_frame(session, tmp_path) -> None:
    viewer = session.viewer
    assert [layer.name for layer in viewer.layers] == ["media", "mice skeleton", "mice"]
    skeleton, points = viewer.layers["mice skeleton"], viewer.layers["mice"]
    assert skeleton.metadata[WTB_SKELETON] == "mice"
    assert points.metadata["wtb_pose"] == "mice"
    for t in (0, 3, 5, 2):
        session.set_frame(t)
        np.testing.assert_allclose(skeleton.data, _expected(t))
        rows, _ = _expected_points(t)
        np.testing.assert_allclose(points.data, rows)
    session.set_frame(3)
    assert len(skeleton.data) == 3  # mouseA's thorax-tail edge hides: no tail on frame 3
    assert len(points.data) == 5
    assert list(points.features["individual"]) == ["mouseA"] * 2 + ["mouseB"] * 3
    assert list(points.text.values) == [
        "mouseA · head",
        "mouseA · thorax",
        "mouseB · head",
        "mouseB · thorax",
        "mouseB · tail",
    ]
    edge_colors = skeleton.edge_color
    assert not np.allclose(edge_colors[0], edge_colors[-1])  # mouseA's edges differ from mouseB's
    face = points.face_color
    np.testing.assert_allclose(face[0], face[1])  # mouseA head and thorax: one colour
    assert not np.allclose(face[0], face[-1])  # mouseB another
    assert session.dm.metadata["colors"]["mice_mouseA_head"] == INDIVIDUAL_COLORS[0]
    viewer.screenshot(str(tmp_path / "skeleton.png"), canvas_only=True)
    assert (tmp_path / "skeleton.png").stat().st_size > 0


@pytest.mark.gui
def test_keypoints_layer_edits_go_to_their_keys_as_one_undo_step(session) -> None:
    viewer = session.viewer
    dm = session.dm
    points = viewer.layers["mice"]
    skeleton = viewer.layers["mice skeleton"]
    session.set_frame(3)  # mouseA has no tail here
    head_b = dm.get_data("mice_mouseB_head")
    id_b = int(head_b.ids_at(3)[0])
    moved = np.array(points.data)
    moved[2] = [7.0, 111.0]  # row 2: mouseB head (mouseA has only head and thorax)
    points.data = moved  # napari emits a "changed" data event, as a drag does
    np.testing.assert_array_equal(head_b.at(3), [[111.0, 7.0]])
    assert int(head_b.ids_at(3)[0]) == id_b  # the entity keeps its id
    np.testing.assert_allclose(skeleton.data[1, 0], [7.0, 111.0])  # the edge followed
    assert dm.undo()
    np.testing.assert_array_equal(head_b.at(3), [_position(1, 0, 3)])
    session.set_frame(3)
    points.selected_data = {0}  # a mouseA point: the current individual
    points.add([[50.0, 60.0]])  # goes to mouseA's first body part without a point: tail
    np.testing.assert_array_equal(dm.get_data("mice_mouseA_tail").at(3), [[60.0, 50.0]])
    assert len(skeleton.data) == 4
    tail_row = len(points.data) - 4  # redrawn in key order: mouseA head, thorax, tail, mouseB...
    np.testing.assert_allclose(points.data[2], [50.0, 60.0])
    np.testing.assert_allclose(points.face_color[tail_row], points.face_color[0])  # mouseA's colour
    assert list(points.text.values) == [f"{i} · {n}" for i in ("mouseA", "mouseB") for n in NODES]
    points.selected_data = {len(points.data) - 2}  # a mouseB point; mouseB has every part
    n_before = len(points.data)
    points.add([[1.0, 1.0]])
    assert len(points.data) == n_before  # refused and taken back
    points.selected_data = {1}
    points.remove_selected()  # mouseA thorax
    assert dm.get_data("mice_mouseA_thorax").count_at(3) == 0
    assert dm.undo()
    assert dm.get_data("mice_mouseA_thorax").count_at(3) == 1


@pytest.mark.gui
@pytest.mark.parametrize("deleted", [1, 2])  # a middle body part, the individual's last one
def test_point_added_after_a_delete_gets_its_own_label_and_colour(session, deleted) -> None:
    """Labels and colours follow the keys after a delete then an add on the same frame."""
    dm = session.dm
    points = session.viewer.layers["mice"]
    session.set_frame(0)
    key = pose_key("mice", "mouseA", NODES[deleted])
    points.selected_data = {deleted}
    points.remove_selected()
    assert dm.get_data(key).count_at(0) == 0
    kept = [n for n in NODES if n != NODES[deleted]]
    assert list(points.text.values) == [f"mouseA · {n}" for n in kept] + [
        f"mouseB · {n}" for n in NODES
    ]
    points.selected_data = {0}  # mouseA: the current individual
    points.add([[33.0, 44.0]])  # takes mouseA's missing body part
    np.testing.assert_array_equal(dm.get_data(key).at(0), [[44.0, 33.0]])
    assert list(points.features["bodypart"]) == NODES * 2
    assert list(points.text.values) == [  # each marker labelled with its own part
        f"{i} · {n}" for i in ("mouseA", "mouseB") for n in NODES
    ]
    assert list(points.features["individual"]) == ["mouseA"] * 3 + ["mouseB"] * 3
    np.testing.assert_allclose(points.data[deleted], [33.0, 44.0])
    np.testing.assert_allclose(points.face_color[deleted], points.face_color[0])  # mouseA's
    assert not np.allclose(points.face_color[deleted], points.face_color[3])  # not mouseB's
    light = LIGHT_LABEL_LUMINANCE  # the media (gray 40) is dark: light labels
    label_a, label_b = (label_color(INDIVIDUAL_COLORS[k], light) for k in (0, 1))
    assert list(points.features[LABEL_COLOR]) == [label_a] * 3 + [label_b] * 3
    np.testing.assert_allclose(  # the colours napari draws the labels in
        points.text.color(points.features)[deleted], transform_color(label_a)[0]
    )


@pytest.mark.gui
def test_swapping_identities_redraws(session) -> None:
    from napari_whiskertoolbox.io.pose import pose_sets, swap_individuals

    viewer = session.viewer
    session.set_frame(2)
    skeleton = viewer.layers["mice skeleton"]
    before = np.array(skeleton.data)
    swap_individuals(session.dm, pose_sets(session.dm)["mice"], "mouseA", "mouseB", 2, 2)
    after = np.array(skeleton.data)
    np.testing.assert_allclose(after[:2], before[2:])  # mouseA's edges now where mouseB's were
    session.dm.undo()
    np.testing.assert_allclose(skeleton.data, before)


def _luminance(color: str) -> float:
    srgb = transform_color(color)[0][:3]
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("color", [*INDIVIDUAL_COLORS, "#0000ff", "#ffff00", "white", "black"])
def test_label_colours_read_on_white_and_on_black_frames(color: str) -> None:
    """Were white: unreadable over white frames. Now WCAG AA (4.5:1) on both, the marker's hue."""
    label = label_color(color)
    luminance = _luminance(label)
    assert 1.05 / (luminance + 0.05) >= 4.5  # against white
    assert (luminance + 0.05) / 0.05 >= 4.5  # against black
    rgb, marker = transform_color(label)[0][:3], transform_color(color)[0][:3]
    if np.ptp(marker) > 0.2:  # a colour: its hue is kept (channels in the same order)
        assert list(np.argsort(rgb, kind="stable")) == list(np.argsort(marker, kind="stable"))
