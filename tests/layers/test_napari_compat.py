"""Private napari access in layers/_napari_compat.py: fails loudly when napari changes."""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtWidgets import QMainWindow, QWidget

from napari_whiskertoolbox.layers._napari_compat import block_refresh, main_window

pytestmark = pytest.mark.gui


# --------------------------------------------------------------------------- main window
def test_main_window_is_the_viewer_qmainwindow(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    window = main_window(viewer)
    assert isinstance(window, QMainWindow)
    dock = viewer.window.add_dock_widget(QWidget(), name="probe")
    assert dock.window() is window  # the public route, once something is docked


def test_main_window_raises_when_napari_moves_it(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    window = viewer.window
    real = window._qt_window
    window._qt_window = object()
    try:
        with pytest.raises(RuntimeError, match="_napari_compat.main_window"):
            main_window(viewer)
    finally:
        window._qt_window = real  # the fixture closes the real one


# --------------------------------------------------------------------------- block_refresh
def test_block_refresh_suppresses_and_restores_refresh(make_napari_viewer: Any) -> None:
    import numpy as np

    viewer = make_napari_viewer()
    layer = viewer.add_points(np.zeros((1, 2)))
    refreshed: list[object] = []
    layer.events.set_data.connect(refreshed.append)
    with block_refresh(layer):
        layer.refresh()
        layer.data = np.ones((3, 2))  # napari refreshes inside the setter
    assert refreshed == []
    layer.refresh()
    assert len(refreshed) == 1
    assert len(layer._view_data) == 3  # re-sliced by the one refresh


def test_block_refresh_raises_when_napari_drops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeLayer:
        pass

    with (
        pytest.raises(RuntimeError, match="_napari_compat.block_refresh"),
        block_refresh(FakeLayer()),
    ):
        pass
