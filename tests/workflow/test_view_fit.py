"""A dock of ours opened beside the canvas refits the video, unless the user zoomed or panned."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"


def _shown_rect(viewer: Any) -> tuple[float, float, float, float]:
    """(top, left, bottom, right) of the world the canvas shows, in data pixels."""
    camera = viewer.scene.camera
    height, width = viewer.canvas.size
    cy, cx = camera.center[-2:]
    half_h, half_w = height / camera.zoom / 2, width / camera.zoom / 2
    return cy - half_h, cx - half_w, cy + half_h, cx + half_w


def _media_shown_whole(viewer: Any) -> bool:
    height, width = viewer.layers["media"].data.shape[-2:]
    top, left, bottom, right = _shown_rect(viewer)
    return top <= -0.5 and left <= -0.5 and bottom >= height - 0.5 and right >= width - 0.5


def _viewer_with_video(make_napari_viewer: Any, qtbot: Any) -> Any:
    from napari_whiskertoolbox import show_data_manager

    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(1268, 800)
    dm = make_sample_session(n_frames=20)
    for key in list(dm):
        if key != "media":  # the video alone: no Timeline, a faster test
            dm.delete_data(key)
    show_data_manager(viewer, dm)
    qtbot.wait(50)
    return viewer


def test_a_dock_opened_beside_the_canvas_refits_the_video(make_napari_viewer, qtbot) -> None:
    viewer = _viewer_with_video(make_napari_viewer, qtbot)
    assert _media_shown_whole(viewer)
    canvas = main_window(viewer).centralWidget()
    width_before = canvas.width()
    viewer.window.add_plugin_dock_widget(PLUGIN, "Data browser")
    qtbot.waitUntil(lambda: canvas.width() < width_before - 100)
    qtbot.waitUntil(lambda: _media_shown_whole(viewer))  # was cut off at both sides
    assert get_session(viewer).view_is_fitted()


def test_a_view_the_user_zoomed_is_kept_when_a_dock_opens(make_napari_viewer, qtbot) -> None:
    viewer = _viewer_with_video(make_napari_viewer, qtbot)
    camera = viewer.scene.camera
    camera.zoom = camera.zoom * 3
    kept = (tuple(camera.center), camera.zoom)
    assert not get_session(viewer).view_is_fitted()
    canvas = main_window(viewer).centralWidget()
    width_before = canvas.width()
    viewer.window.add_plugin_dock_widget(PLUGIN, "Data browser")
    qtbot.waitUntil(lambda: canvas.width() < width_before - 100)
    qtbot.wait(50)
    assert np.allclose(camera.center, kept[0])
    assert camera.zoom == pytest.approx(kept[1])
