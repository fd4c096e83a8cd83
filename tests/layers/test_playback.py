"""napari's play button with every kind bound: each painted frame shows one frame in every layer."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from _bindings_support import (
    frame_label_image,
    frame_lines,
    frame_points,
    make_session,
    yx,
)
from qtpy.QtCore import QEventLoop, QTimer
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.layers._napari_compat import main_window, viewer_widget

pytestmark = pytest.mark.gui


def shown_frame_of_layers(viewer: Any) -> dict[str, bool]:
    """Whether each annotation layer shows the frame of the viewer's frame axis."""
    frame = int(viewer.dims.current_step[0])
    nose, whiskers, pad = (viewer.layers[name] for name in ("nose", "whiskers", "pad"))
    lines = frame_lines(frame)
    return {
        "nose": np.allclose(np.asarray(nose.data), yx(frame_points(frame))),
        "whiskers": len(whiskers.data) == len(lines)
        and all(np.allclose(path, yx(line)) for path, line in zip(whiskers.data, lines)),
        "pad": np.array_equal(np.asarray(pad.data) != 0, frame_label_image(frame) != 0),
    }


# 15 fps: on a loaded machine a paint may take several ticks; at 60 fps the 12-frame session
# looped between two paints and a forward jump read as a step back
@pytest.mark.parametrize("fps", [15.0, -15.0], ids=["forward", "backward"])
def test_play_button_paints_every_layer_on_the_frame_it_plays(
    make_napari_viewer: Any, fps: float
) -> None:
    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(800, 600)
    make_session(viewer)
    painted: list[tuple[int, dict[str, bool]]] = []
    canvas = viewer_widget(viewer).canvas

    def on_draw(event: Any = None) -> None:
        painted.append((int(viewer.dims.current_step[0]), shown_frame_of_layers(viewer)))

    canvas.events.draw.connect(on_draw, position="last")  # after the scene is drawn
    dims = viewer_widget(viewer).dims
    dims.play(axis=0, fps=fps, loop_mode="loop")
    for _ in range(150):  # until eight frames were painted (a loaded machine paints slowly)
        loop = QEventLoop()
        QTimer.singleShot(100, loop.quit)
        loop.exec()  # the application's event loop: each play tick is its own event
        if len({frame for frame, _ in painted}) >= 8:
            break
    dims.stop()
    canvas.events.draw.disconnect(on_draw)
    frames = [frame for frame, _ in painted]
    assert len(set(frames)) >= 8, f"playback painted only frames {frames}"
    half = viewer.dims.nsteps[0] // 2  # a longer jump is the loop wrapping around
    steps = [int(np.sign(b - a)) for a, b in itertools.pairwise(frames) if abs(b - a) < half]
    # napari's player may deliver one stale request after a frame it accepted (see
    # bench_playback.py); playing the wrong way would make most steps go backward
    right_way = steps.count(int(np.sign(fps)))
    assert right_way >= 5, f"played the wrong way: {frames}"
    assert steps.count(-int(np.sign(fps))) <= 1, f"played the wrong way: {frames}"
    wrong = [(frame, ok) for frame, ok in painted if not all(ok.values())]
    assert wrong == [], f"paints with a layer on another frame: {wrong}"


def test_a_paint_inside_a_turn_shows_every_layer_on_the_new_frame(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer(show=True)
    make_session(viewer)
    QApplication.processEvents()
    painted: list[tuple[int, dict[str, bool]]] = []
    canvas = viewer_widget(viewer).canvas

    def on_draw(event: Any = None) -> None:
        painted.append((int(viewer.dims.current_step[0]), shown_frame_of_layers(viewer)))

    canvas.events.draw.connect(on_draw, position="last")  # after the scene is drawn
    viewer.dims.set_current_step(0, 3)  # the turn's first step: shown at once
    viewer.dims.set_current_step(0, 4)  # the same turn: waits for the turn's end...
    canvas.native.repaint()  # ...unless a paint comes first (an expose of the window system)
    canvas.events.draw.disconnect(on_draw)
    assert painted == [(4, {"nose": True, "whiskers": True, "pad": True})]


def _wait(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def test_while_napari_plays_the_status_is_paced_and_no_lines_are_built_ahead(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    from napari_whiskertoolbox.layers._napari_compat import _STATUS_WRAPPERS, main_window
    from napari_whiskertoolbox.layers.playback import STATUS_INTERVAL_PLAYING_S

    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    lines = session.bindings["whiskers"]
    pace = lambda: session._playback.status_interval()  # noqa: E731
    for frame in (2, 4):  # lines on even frames
        viewer.dims.set_current_step(0, frame)
        QApplication.processEvents()
    qtbot.waitUntil(lambda: 6 in lines._prepared)  # idle: the next frame's paths built ahead
    assert not session.playing
    assert pace() == 0.0
    dims = viewer_widget(viewer).dims
    dims.play(axis=0, fps=15.0, loop_mode="loop")
    qtbot.waitUntil(lambda: session.playing)
    lines._prepared.clear()
    _wait(0.8)
    assert pace() == STATUS_INTERVAL_PLAYING_S
    assert lines._prepared == {}
    dims.stop()
    qtbot.waitUntil(lambda: not session.playing)
    assert pace() == 0.0
    for frame in (4, 6):
        viewer.dims.set_current_step(0, frame)
        QApplication.processEvents()
    qtbot.waitUntil(lambda: 8 in lines._prepared)
    session.close()
    assert _STATUS_WRAPPERS[main_window(viewer).status_thread].pace is None
