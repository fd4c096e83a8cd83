"""The collector's existing objects are frozen while napari plays, and given back after."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from _bindings_support import make_session
from qtpy.QtCore import QThread
from qtpy.QtWidgets import QWidget

from napari_whiskertoolbox.layers import _napari_compat
from napari_whiskertoolbox.layers._napari_compat import playback_signals, viewer_widget
from napari_whiskertoolbox.layers.playback_gc import frozen_playbacks

pytestmark = pytest.mark.gui


def test_playback_signals_fire_when_the_play_button_starts_and_stops(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = make_napari_viewer(show=True)
    make_session(viewer)
    signals = playback_signals(viewer)
    assert signals is not None
    started, finished = signals
    dims = viewer_widget(viewer).dims
    with qtbot.waitSignal(started, timeout=5000):
        dims.play(axis=0, fps=10, loop_mode="loop")
    with qtbot.waitSignal(finished, timeout=5000):
        dims.stop()


def test_playback_signals_raise_when_napari_stops_playing_with_its_thread(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    assert isinstance(viewer_widget(viewer).dims._animation_thread, QThread)  # relied on
    # a napari whose viewer widget has no dims widget playing with that thread
    monkeypatch.setattr(_napari_compat, "viewer_widget", lambda viewer: QWidget())
    with pytest.raises(RuntimeError, match="_animation_thread"):
        _napari_compat.playback_signals(viewer)


def test_objects_are_frozen_while_playing_and_given_back_when_stopped(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    gc.unfreeze()  # nothing frozen by anyone else (the freeze is then left alone)
    dims = viewer_widget(viewer).dims
    dims.play(axis=0, fps=10, loop_mode="loop")
    qtbot.waitUntil(lambda: frozen_playbacks() == 1, timeout=5000)
    assert gc.get_freeze_count() > 0
    dims.stop()
    qtbot.waitUntil(lambda: frozen_playbacks() == 0, timeout=5000)
    assert gc.get_freeze_count() == 0
    # closing the session while playing gives the objects back too
    dims.play(axis=0, fps=10, loop_mode="loop")
    qtbot.waitUntil(lambda: frozen_playbacks() == 1, timeout=5000)
    session.close()
    assert frozen_playbacks() == 0
    assert gc.get_freeze_count() == 0
    dims.stop()
    qtbot.wait(50)
    assert frozen_playbacks() == 0


def test_a_freeze_made_by_someone_else_is_left_in_place(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = make_napari_viewer(show=True)
    make_session(viewer)
    gc.freeze()
    try:
        dims = viewer_widget(viewer).dims
        dims.play(axis=0, fps=10, loop_mode="loop")
        qtbot.waitUntil(lambda: frozen_playbacks() == 1, timeout=5000)
        dims.stop()
        qtbot.waitUntil(lambda: frozen_playbacks() == 0, timeout=5000)
        assert gc.get_freeze_count() > 0  # not unfrozen (some objects died meanwhile)
    finally:
        gc.unfreeze()
