"""Private napari access in layers/_napari_compat.py: fails loudly when napari changes."""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtWidgets import QMainWindow

from napari_whiskertoolbox.layers._napari_compat import main_window

pytestmark = pytest.mark.gui


# --------------------------------------------------------------------------- main window
def test_main_window_is_the_viewer_qmainwindow(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    window = main_window(viewer)
    assert isinstance(window, QMainWindow)
    dock = viewer.window.add_dock_widget(QMainWindow(), name="probe")
    assert dock.window() is window  # the public route, once something is docked


def test_main_window_raises_when_napari_moves_it(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    real = viewer.window._qt_window
    monkeypatch.setattr(viewer.window, "_qt_window", object())
    with pytest.raises(RuntimeError, match="_napari_compat.main_window"):
        main_window(viewer)
    monkeypatch.setattr(viewer.window, "_qt_window", real)
