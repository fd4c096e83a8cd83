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


def _on_screen(widget) -> np.ndarray:
    """What the screen shows of ``widget`` (the window system's pixels, not a fresh render)."""
    from qtpy.QtCore import QPoint
    from qtpy.QtWidgets import QApplication

    corner = widget.mapToGlobal(QPoint(0, 0))
    shot = QApplication.primaryScreen().grabWindow(
        0, corner.x(), corner.y(), widget.width(), widget.height()
    )
    image = shot.toImage()
    return np.array(
        [[image.pixel(x, y) for x in range(image.width())] for y in range(image.height())]
    )


def _settled_on_screen(widget, qtbot) -> np.ndarray:
    """What the screen shows of ``widget`` once it has stopped changing (a late thumbnail
    on a loaded machine): two grabs 200 ms apart that agree."""
    last = _on_screen(widget)
    for _ in range(50):
        qtbot.wait(200)
        now = _on_screen(widget)
        if np.array_equal(now, last):
            return now
        last = now
    raise AssertionError("the layer list kept changing for 10 s")


def test_the_layer_list_on_screen_is_what_a_full_repaint_draws_after_playing(
    make_napari_viewer, qtbot
):
    from napari_whiskertoolbox.layers._napari_compat import main_window, viewer_widget

    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(1200, 900)  # every row in view
    session = make_session(viewer)
    session.set_frame(0)
    viewport = viewer_widget(viewer).layers.viewport()
    qtbot.wait(2 * session_module.THUMBNAIL_DELAY_MS)  # thumbnails of frame 0 in every row
    before = _on_screen(viewport)
    dims = viewer_widget(viewer).dims
    frames: set[int] = set()
    viewer.dims.events.current_step.connect(lambda event: frames.add(viewer.dims.current_step[0]))
    dims.play(axis=0, fps=15, loop_mode="loop")
    qtbot.waitUntil(lambda: len(frames) >= 4, timeout=30_000)
    dims.stop()
    qtbot.waitUntil(lambda: not dims.is_playing, timeout=10_000)
    qtbot.waitUntil(lambda: session.shown_frame == viewer.dims.current_step[0], timeout=10_000)
    assert session.shown_frame != 0
    viewer.layers["media"].name = "video"  # a row's name still reaches the screen
    qtbot.wait(2 * session_module.THUMBNAIL_DELAY_MS)
    shown = _settled_on_screen(viewport, qtbot)
    viewport.repaint()  # every row drawn afresh from napari's model
    qtbot.wait(50)
    np.testing.assert_array_equal(shown, _on_screen(viewport))
    assert not np.array_equal(shown, before)  # the thumbnails (and a name) did change
