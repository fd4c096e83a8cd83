"""Keypoint labels read on the frames they are drawn over: dark, mid-grey and bright media."""

from __future__ import annotations

import numpy as np
import pytest
from napari.utils.colormaps.standardize_color import transform_color

from napari_whiskertoolbox.core import ArrayMedia, DataManager, PointData
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS, PoseSet, pose_key
from napari_whiskertoolbox.layers.label_contrast import (
    contrast_ratio,
    label_luminance,
    media_luminance,
    srgb_to_linear,
)
from napari_whiskertoolbox.layers.pose_points import LABEL_COLOR, label_color
from napari_whiskertoolbox.layers.session import ViewerSession

NODES = ["nose", "paw"]


def _luminance(color: str) -> float:
    return float(srgb_to_linear(transform_color(color)[0][:3]) @ [0.2126, 0.7152, 0.0722])


def _pose_session(viewer, gray: int) -> ViewerSession:
    """Three frames of one gray level, and a pose set with two labelled body parts."""
    keys: dict[str, dict[str, str]] = {"": {}}
    entries: list[tuple[str, object]] = [
        ("media", ArrayMedia(np.full((3, 60, 80), gray, np.uint8)))
    ]
    for n, node in enumerate(NODES):
        points = PointData(image_size=(80, 60))
        for t in range(3):
            points.add(t, np.array([20.0 + 20 * n, 30.0], np.float32))
        key = pose_key("mouse", "", node)
        entries.append((key, points))
        keys[""][node] = key
    entries.append(("mouse", PoseSet("mouse", NODES, [""], [], keys)))
    dm = DataManager()
    commit(dm, entries)
    return ViewerSession(viewer, dm)


@pytest.mark.parametrize("gray", [0, 40, 128, 160, 255])
def test_media_luminance_is_the_frames_relative_luminance(gray: int) -> None:
    media = ArrayMedia(np.full((4, 10, 10), gray, np.uint8))
    assert media_luminance(media, (0, 255)) == pytest.approx(float(srgb_to_linear(gray / 255)))


@pytest.mark.parametrize("color", [*INDIVIDUAL_COLORS, "#0000ff", "#ffff00", "white", "black"])
@pytest.mark.parametrize("gray", [0, 64, 118, 128, 140, 200, 255])
def test_labels_read_on_any_gray_frame(color: str, gray: int) -> None:
    """One fixed mid luminance read on white and black but was 1.1:1 on mid grey."""
    background = float(srgb_to_linear(gray / 255))
    label = label_color(color, label_luminance(background))
    assert contrast_ratio(_luminance(label), background) >= 4.0


@pytest.mark.gui
@pytest.mark.parametrize("gray", [20, 128, 235])
def test_the_layer_s_labels_follow_the_media_s_brightness(make_napari_viewer, gray: int) -> None:
    viewer = make_napari_viewer(show=False)
    session = _pose_session(viewer, gray)
    session.set_frame(1)
    layer = next(layer for layer in viewer.layers if layer.name == "mouse")
    background = float(srgb_to_linear(gray / 255))
    colors = list(layer.features[LABEL_COLOR])
    assert len(colors) == len(NODES)
    for color in colors:
        assert contrast_ratio(_luminance(color), background) >= 4.0, (gray, color)
    # the text napari draws takes those colours
    drawn = layer.text._view_color(np.arange(len(layer.data)))
    np.testing.assert_allclose(drawn[:, :3], transform_color(colors)[:, :3], atol=1 / 255)


@pytest.mark.gui
def test_a_light_label_over_a_bright_object_of_a_dark_video_gets_a_dark_halo(
    make_napari_viewer,
) -> None:
    """The reaching video: light labels (a dark video) vanished over the bright joystick."""
    frames = np.full((2, 150, 200), 20, np.uint8)
    frames[:, 15:45, 95:170] = 255  # the bright object, under the paw's label
    keys = {"": {node: pose_key("mouse", "", node) for node in NODES}}
    entries: list[tuple[str, object]] = [("media", ArrayMedia(frames))]
    for n, node in enumerate(NODES):
        points = PointData(image_size=(200, 150))
        for t in range(2):
            points.add(t, np.array([40.0 + 60 * n, 42.0], np.float32))
        entries.append((keys[""][node], points))
    entries.append(("mouse", PoseSet("mouse", NODES, [""], [], keys)))
    dm = DataManager()
    commit(dm, entries)
    viewer = make_napari_viewer(show=True)  # a hidden canvas renders nothing
    session = ViewerSession(viewer, dm)
    session.set_frame(1)
    layer = next(layer for layer in viewer.layers if layer.name == "mouse")
    assert all(_luminance(c) > 0.5 for c in layer.features[LABEL_COLOR])  # light labels
    viewer.reset_view()
    shown = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int).sum(axis=2)
    layer.text.visible = False
    hidden = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int).sum(axis=2)
    # where the label crosses the bright object, a dark outline around its letters
    assert np.count_nonzero(hidden - shown > 3 * 100) > 20


def _drawn_luminance(color, background: float, opacity: float = 0.5) -> float:
    """Luminance of ``color`` drawn at ``opacity`` over a gray of luminance ``background``."""
    linear = srgb_to_linear(np.asarray(color)[:3]) @ [0.2126, 0.7152, 0.0722]
    return float(opacity * linear + (1 - opacity) * background)


@pytest.mark.parametrize("gray", [0, 30, 200, 255])
def test_masks_read_on_bright_and_dark_video_by_the_keypoints_rule(make_napari_viewer, gray):
    """On WhiskerToolbox's test video (white frames) label 1 was pale lavender at half
    opacity, 1.1:1 on the frame; masks now take the keypoint labels' rule: their light key
    colours on dark frames, a deep shade of them on bright ones."""
    from napari_whiskertoolbox.core import MaskData
    from napari_whiskertoolbox.layers.binding import KEY_COLORS, key_color

    viewer = make_napari_viewer()
    dm = DataManager()
    commit(dm, [("media", ArrayMedia(np.full((3, 60, 80), gray, np.uint8)))])
    masks = MaskData(image_size=(80, 60))
    masks.add(0, np.array([[5, 5], [6, 5]]))
    dm.set_data("pad", masks, dm.time_key("media"))
    ViewerSession(viewer, dm)
    colormap = viewer.layers["pad"].colormap
    background = float(srgb_to_linear(gray / 255))
    light = gray < 128  # dark frames: light masks
    for label in range(1, len(KEY_COLORS) + 1):
        drawn = _drawn_luminance(colormap.map(np.array([label]))[0], background)
        assert contrast_ratio(drawn, background) >= (1.5 if not light else 2.0), label
    first = transform_color(key_color(dm, "pad"))[0]
    same = np.allclose(colormap.map(np.array([1]))[0], first, atol=1e-6)
    assert same == light  # dark frames: the key colour as it was; bright: a shade of it
