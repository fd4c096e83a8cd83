"""Frame swaps keep napari's layer list quiet: its rows show nothing a swap changes."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_label_image, frame_points, make_session, yx

from napari_whiskertoolbox.layers import session as session_module

pytestmark = pytest.mark.gui

ANNOTATION_LAYERS = ("pad", "whiskers", "nose")


def test_frame_steps_reach_the_canvas_but_not_the_layer_list(
    make_napari_viewer, qtbot, monkeypatch
):
    # rows refresh once stepping pauses; on a loaded machine one step can outlast the usual
    # pause, so the pause here is longer than any step
    monkeypatch.setattr(session_module, "THUMBNAIL_DELAY_MS", 3_000)
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    session.set_frame(0)
    qtbot.wait(50)  # first paint: textures exist, Labels swaps write only the changed window
    canvas_updates: list[str] = []
    for name in ANNOTATION_LAYERS:
        layer = viewer.layers[name]
        layer.events.set_data.connect(lambda event, name=name: canvas_updates.append(name))
    list_events: list[tuple[str, str]] = []

    def record(event) -> None:  # the layer list re-emits a layer's events with its index
        index = getattr(event, "index", None)
        name = viewer.layers[index].name if isinstance(index, int) else None
        if name in ANNOTATION_LAYERS:
            list_events.append((name, event.type))

    viewer.layers.events.connect(record)
    for frame in (1, 2, 5):
        viewer.dims.set_current_step(0, frame)
        qtbot.waitUntil(lambda frame=frame: session.shown_frame == frame, timeout=10_000)
    np.testing.assert_array_equal(viewer.layers["pad"].data, frame_label_image(5))
    np.testing.assert_allclose(viewer.layers["nose"].data, yx(frame_points(5)))
    assert {"whiskers", "nose"} <= set(canvas_updates)  # their visuals were refreshed
    assert list_events == []  # no row repaint per step
    # once stepping pauses, the rows get their new thumbnails through the layer list
    qtbot.waitUntil(lambda: ("nose", "thumbnail") in list_events, timeout=10_000)
