"""napari's per-paint work on annotation layers, and its status thread, as playback spares them."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from napari.layers import Labels, Points, Shapes

from napari_whiskertoolbox.layers import _napari_compat
from napari_whiskertoolbox.layers._napari_compat import (
    main_window,
    pace_status,
    skip_repeated_update_draw,
    tolerate_status_races,
    viewer_widget,
)

pytestmark = pytest.mark.gui


def _add(viewer: Any, kind: str) -> Any:
    if kind == "labels":
        image = np.zeros((60, 80), np.uint8)
        image[10:20, 30:40] = 1
        return viewer.add_labels(image)
    if kind == "points":
        return viewer.add_points(np.array([[10.0, 20.0], [40.0, 70.0]]))
    return viewer.add_shapes([np.array([[5.0, 5.0], [50.0, 70.0]])], shape_type="path")


def _full_updates(monkeypatch: pytest.MonkeyPatch, layer: Any) -> list[int]:
    """Count the calls of napari's own ``_update_draw`` for ``layer``."""
    calls: list[int] = []
    real = type(layer)._update_draw

    def counting(
        self: Any, scale_factor: Any, corner_pixels_displayed: Any, shape_threshold: Any
    ) -> None:
        if self is layer:
            calls.append(1)
        real(self, scale_factor, corner_pixels_displayed, shape_threshold)

    monkeypatch.setattr(type(layer), "_update_draw", counting)
    return calls


def _paint(viewer: Any, qtbot: Any) -> None:
    """Repaint the canvas once and wait for the paint."""
    canvas = viewer_widget(viewer).canvas
    painted: list[int] = []

    def on_draw(event: Any = None) -> None:
        painted.append(1)

    canvas.events.draw.connect(on_draw, position="last")
    canvas.native.update()
    qtbot.waitUntil(lambda: bool(painted))
    canvas.events.draw.disconnect(on_draw)


def _settled_paint(viewer: Any, qtbot: Any) -> None:
    """Paint until a paint leaves the canvas size as it was (a loaded machine resizes late)."""
    canvas = viewer_widget(viewer).canvas
    for _ in range(10):
        size = tuple(canvas.size)
        _paint(viewer, qtbot)
        if tuple(canvas.size) == size:
            return


def _shown(make_napari_viewer: Any, qtbot: Any) -> Any:
    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(800, 600)
    qtbot.waitExposed(main_window(viewer))
    return viewer


@pytest.mark.parametrize("kind", ["points", "shapes", "labels"])
def test_napari_recomputes_the_corners_of_every_layer_on_every_paint_without_the_workaround(
    make_napari_viewer: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """If this fails, napari no longer does it: skip_repeated_update_draw can go."""
    viewer = _shown(make_napari_viewer, qtbot)
    layer = _add(viewer, kind)
    calls = _full_updates(monkeypatch, layer)
    for _ in range(3):
        _paint(viewer, qtbot)
    assert len(calls) >= 3


@pytest.mark.parametrize("kind", ["points", "shapes", "labels"])
def test_skip_repeated_update_draw_skips_repeats_and_follows_camera_transforms_and_extent(
    make_napari_viewer: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    viewer = _shown(make_napari_viewer, qtbot)
    layer = _add(viewer, kind)
    twin = _add(viewer, kind)  # napari's own updates, for comparison
    calls = _full_updates(monkeypatch, layer)
    skip_repeated_update_draw(layer)
    skip_repeated_update_draw(layer)  # idempotent
    canvas = viewer_widget(viewer).canvas
    for _ in range(5):  # again if the window manager resized the canvas meanwhile
        _settled_paint(viewer, qtbot)
        size, first = tuple(canvas.size), len(calls)
        for _ in range(3):
            _paint(viewer, qtbot)
        if tuple(canvas.size) == size:
            break
    assert len(calls) == first  # nothing moved: napari's update was skipped

    def same_as_napari() -> None:
        assert layer.scale_factor == twin.scale_factor
        np.testing.assert_array_equal(layer.corner_pixels, twin.corner_pixels)

    same_as_napari()
    # each change is followed (at least one update: a loaded machine may resize the canvas
    # late, which is a change too); then repeats are skipped again
    before = len(calls)
    viewer.camera.zoom *= 2.0
    _settled_paint(viewer, qtbot)
    assert len(calls) > before
    same_as_napari()
    before = len(calls)
    for target in (layer, twin):
        target.scale = (2.0, 0.5)
    _settled_paint(viewer, qtbot)
    assert len(calls) > before
    same_as_napari()
    before = len(calls)
    _paint(viewer, qtbot)
    assert len(calls) == before
    if kind != "labels":  # new data: a new extent to clip the corners to
        for target in (layer, twin):
            target.data = (
                np.array([[500.0, 700.0], [510.0, 720.0]])
                if kind == "points"
                else [np.array([[500.0, 700.0], [510.0, 720.0]])]
            )
        before = len(calls)
        _settled_paint(viewer, qtbot)
        assert len(calls) > before
        same_as_napari()


def test_skip_repeated_update_draw_still_draws_the_hovered_point(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = _shown(make_napari_viewer, qtbot)
    layer = _add(viewer, "points")
    skip_repeated_update_draw(layer)
    layer.mode = "select"
    _paint(viewer, qtbot)
    assert list(layer._highlight_index) == []
    layer._value = 1  # what napari's status thread sets for a point under the cursor
    _paint(viewer, qtbot)
    assert list(layer._highlight_index) == [1]


def test_skip_repeated_update_draw_leaves_other_layer_classes_to_napari(
    make_napari_viewer: Any,
) -> None:
    class OwnPoints(Points):
        pass

    layer = OwnPoints(np.zeros((1, 2)))
    skip_repeated_update_draw(layer)
    assert "_update_draw" not in vars(layer)


def test_skip_repeated_update_draw_raises_when_napari_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for layer in (Points(np.zeros((1, 2))), Shapes(ndim=2), Labels(np.zeros((4, 4), np.uint8))):
        with monkeypatch.context() as patch:
            patch.setattr(type(layer), "_update_draw", lambda self, scale_factor, corners: None)
            with pytest.raises(RuntimeError, match=r"_napari_compat.skip_repeated_update_draw"):
                skip_repeated_update_draw(layer)


# --------------------------------------------------------------------------- status pacing
def test_pace_status_spaces_the_computations_and_shows_the_latest_status(
    make_napari_viewer: Any,
) -> None:
    viewer = make_napari_viewer()
    viewer.add_points(np.array([[10.0, 10.0], [20.0, 20.0]]))
    viewer.mouse_over_canvas = True
    thread = main_window(viewer).status_thread
    emitted: list[Any] = []
    thread.status_and_tooltip_changed.connect(emitted.append)
    started: list[float] = []
    compute = type(viewer)._calc_status_from_cursor

    def timed(model: Any) -> Any:
        started.append(time.monotonic())
        return compute(model)

    pace_status(viewer, lambda: 0.3)
    tolerate_status_races(viewer)  # the same wrapper: pacing stays
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(viewer), "_calc_status_from_cursor", timed)
        viewer.cursor.position = (10.0, 10.0)
        thread.calculate_status()
        viewer.cursor.position = (20.0, 20.0)
        thread.calculate_status()
        pace_status(viewer, None)
        thread.calculate_status()
        latest = compute(viewer)
    assert started[1] - started[0] >= 0.3
    assert started[2] - started[1] < 0.3
    assert emitted[1] == latest != emitted[0]


def test_a_paced_status_still_tolerates_races(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    viewer.mouse_over_canvas = True
    monkeypatch.setattr(_napari_compat, "STATUS_RETRY_DELAY_S", 0.0)
    pace_status(viewer, lambda: 0.0)
    failures = [IndexError("mid-update")]
    compute = type(viewer)._calc_status_from_cursor

    def racing(model: Any) -> Any:
        if failures:
            raise failures.pop()
        return compute(model)

    monkeypatch.setattr(type(viewer), "_calc_status_from_cursor", racing)
    emitted: list[Any] = []
    thread = main_window(viewer).status_thread
    thread.status_and_tooltip_changed.connect(emitted.append)
    thread.calculate_status()
    assert failures == []
    assert len(emitted) == 1


def test_pace_status_does_nothing_without_a_window() -> None:
    import napari

    viewer = napari.components.ViewerModel()
    pace_status(viewer, lambda: 1.0)  # type: ignore[arg-type]


def test_pace_status_raises_when_napari_moves_the_thread(qtbot: Any) -> None:
    from types import SimpleNamespace

    from qtpy.QtWidgets import QMainWindow

    window = QMainWindow()  # a window without napari's status thread
    qtbot.addWidget(window)
    viewer = SimpleNamespace(window=SimpleNamespace(_qt_window=window))
    with pytest.raises(RuntimeError, match=r"_napari_compat.pace_status"):
        pace_status(viewer, lambda: 0.0)  # type: ignore[arg-type]
