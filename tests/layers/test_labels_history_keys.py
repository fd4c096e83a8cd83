"""Ctrl+Z / Ctrl+Shift+Z on an active Labels layer undo the DataManager, not napari's own history.

napari's Labels layer binds Ctrl+Z to its paint history, and layer keys win over the
viewer's; without routing, the layer would undo alone and drift from the DataManager.
"""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import make_session
from qtpy.QtCore import Qt
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def _press(key, modifiers) -> None:
    """A real key press on the focused widget of the shown viewer window."""
    widget = QApplication.focusWidget()
    assert widget is not None, "no focused widget to receive the key press"
    QTest.keyClick(widget, key, modifiers)


def test_history_keys_on_an_active_labels_layer_go_through_the_data_manager(
    make_napari_viewer, qtbot, notifications
):
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    dm = session.dm
    layer = viewer.layers["pad"]
    viewer.layers.selection.active = layer
    session.set_frame(3)
    before = [m.copy() for m in dm.get_data("pad").at(3)]

    layer.paint((2, 2), 7)
    binding = session.bindings["pad"]
    qtbot.waitUntil(lambda: not binding.edit_pending, timeout=10_000)
    assert len(dm.get_data("pad").at(3)) == len(before) + 1
    painted = layer.data.copy()

    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    _press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(dm.get_data("pad").at(3)) == len(before), timeout=10_000)
    assert [m.tolist() for m in dm.get_data("pad").at(3)] == [m.tolist() for m in before]
    assert layer.data[2, 2] != 7, "the layer must show the DataManager's undone frame"
    assert notifications[-1] == "Undone: set mask frame 3"  # which edit, wherever it was

    _press(
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: len(dm.get_data("pad").at(3)) == len(before) + 1, timeout=10_000)
    np.testing.assert_array_equal(layer.data != 0, painted != 0)
    assert notifications[-1] == "Redone: set mask frame 3"
