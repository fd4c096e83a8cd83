"""A bound mask layer is shaded only where its labels are: the canvas shows the same pixels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _bindings_support import make_session
from napari.layers import Labels
from vispy import gloo

from napari_whiskertoolbox.layers import _napari_compat
from napari_whiskertoolbox.layers._napari_compat import clip_labels_draw, vispy_layer

pytestmark = pytest.mark.gui


def canvas_pixels(viewer: Any, node: Any, *, whole: bool, scale: float | None = None) -> Any:
    """A screenshot of the canvas, the Labels node drawn clipped or (``whole``) as napari does."""
    region = _napari_compat._CLIPPED_NODES[node]
    if whole:
        _napari_compat._CLIPPED_NODES[node] = lambda: None
    try:
        return viewer.screenshot(canvas_only=True, scale=scale)
    finally:
        _napari_compat._CLIPPED_NODES[node] = region


@pytest.fixture
def scissors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int, int]]:
    """The scissor rectangles set while drawing."""
    calls: list[tuple[int, int, int, int]] = []
    set_scissor = gloo.set_scissor

    def record(x: int, y: int, w: int, h: int) -> None:
        calls.append((x, y, w, h))
        set_scissor(x, y, w, h)

    monkeypatch.setattr(gloo, "set_scissor", record)
    return calls


def test_the_mask_layer_is_drawn_clipped_with_the_same_pixels_on_screen(
    make_napari_viewer: Any, scissors: list[Any]
) -> None:
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    layer = viewer.layers["pad"]
    node = vispy_layer(viewer, layer).node
    assert node in _napari_compat._CLIPPED_NODES
    for frame in (0, 7):
        session.set_frame(frame)
        scissors.clear()
        clipped = canvas_pixels(viewer, node, whole=False)
        assert scissors, "the mask layer was not clipped"
        _, _, width, height = scissors[-1]
        assert 0 < width < clipped.shape[1]
        assert 0 < height < clipped.shape[0]
        np.testing.assert_array_equal(clipped, canvas_pixels(viewer, node, whole=True))
    # zoomed in and panned, and rendered at twice the size (an offscreen framebuffer)
    viewer.scene.camera.zoom *= 3
    viewer.scene.camera.center = (0, 12, 9)
    np.testing.assert_array_equal(
        canvas_pixels(viewer, node, whole=False), canvas_pixels(viewer, node, whole=True)
    )
    np.testing.assert_array_equal(
        canvas_pixels(viewer, node, whole=False, scale=2),
        canvas_pixels(viewer, node, whole=True, scale=2),
    )


def test_a_frame_without_masks_draws_no_label_and_an_edit_is_clipped_to_its_labels(
    make_napari_viewer: Any, scissors: list[Any]
) -> None:
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    pad = session.dm.get_data("pad")
    pad.set_frame(4, [])
    session.set_frame(4)
    layer = viewer.layers["pad"]
    node = vispy_layer(viewer, layer).node
    assert not np.any(layer.data)
    assert session.bindings["pad"]._draw_region() == (0, 0, 0, 0)  # not drawn at all
    np.testing.assert_array_equal(
        canvas_pixels(viewer, node, whole=False), canvas_pixels(viewer, node, whole=True)
    )
    # painted outside any earlier box: the box is found again from the label image
    layer.paint((25, 35), 1, refresh=True)
    box = session.bindings["pad"]._draw_region()
    assert box is not None
    y0, y1, x0, x1 = box
    assert y0 <= 25 < y1
    assert x0 <= 35 < x1
    rows, cols = np.flatnonzero(layer.data.any(axis=1)), np.flatnonzero(layer.data.any(axis=0))
    assert box == (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
    scissors.clear()
    painted = canvas_pixels(viewer, node, whole=False)
    assert scissors, "the painted mask layer was drawn whole"
    np.testing.assert_array_equal(painted, canvas_pixels(viewer, node, whole=True))


def test_a_mask_layer_shown_again_stays_clipped(
    make_napari_viewer: Any, scissors: list[Any]
) -> None:
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    session.set_frame(3)
    layer = viewer.layers["pad"]
    node = vispy_layer(viewer, layer).node
    layer.visible = False
    layer.visible = True  # napari refreshes the layer: not an edit the binding made
    scissors.clear()
    shown = canvas_pixels(viewer, node, whole=False)
    assert scissors, "the mask layer shown again was drawn whole"
    assert session.bindings["pad"]._draw_region() == session.bindings["pad"]._drawn_box
    np.testing.assert_array_equal(shown, canvas_pixels(viewer, node, whole=True))


def test_clip_labels_draw_raises_when_napari_changes_its_labels_node(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer(show=True)
    layer = viewer.add_layer(Labels(np.zeros((8, 8), np.uint8)))
    assert clip_labels_draw(viewer, layer, lambda: None)
    # a napari whose vispy Labels layer draws with something else than a vispy node
    fake = type("VispyLabelsLayer", (), {"node": object()})()
    monkeypatch.setattr(_napari_compat, "vispy_layer", lambda viewer, layer: fake)
    with pytest.raises(RuntimeError, match="clip_labels_draw"):
        clip_labels_draw(viewer, layer, lambda: None)


def test_a_colormap_that_colours_label_0_is_drawn_whole(make_napari_viewer: Any) -> None:
    from napari.utils.colormaps import DirectLabelColormap

    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    session.set_frame(3)
    layer = viewer.layers["pad"]
    binding = session.bindings["pad"]
    assert binding._draw_region() is not None  # the key's colours: label 0 transparent
    layer.colormap = DirectLabelColormap(
        color_dict={None: "transparent", 0: "red", 1: "blue"}, background_value=5
    )
    session.set_frame(4)  # the box of the new frame's labels is known again
    assert binding._drawn_box == (4, 7, 5, 11)
    assert binding._draw_region() is None
    layer.opacity = 1.0
    pixels = viewer.screenshot(canvas_only=True)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
    # label 0 red over the image around the small mask (clipped, only the mask's box)
    assert red.mean() > 0.2, red.mean()
