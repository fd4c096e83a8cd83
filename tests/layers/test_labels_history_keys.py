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


def test_the_layer_s_own_undo_and_redo_go_through_the_data_manager_once(
    make_napari_viewer, qtbot, notifications
):
    """``layer.undo()`` / ``layer.redo()`` (napari's public Labels API) do what Ctrl+Z does.

    Two strokes: Ctrl+Z takes back exactly one (napari's own Labels key binding, which calls
    ``layer.undo()``, must not fire as well), ``layer.undo()`` the other, ``layer.redo()``
    and Ctrl+Shift+Z bring them back one at a time; the layer always shows the stored frame.
    """
    from napari.layers.labels import _labels_key_bindings

    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    dm = session.dm
    layer = viewer.layers["pad"]
    viewer.layers.selection.active = layer
    session.set_frame(3)
    binding = session.bindings["pad"]
    pad = dm.get_data("pad")
    stored = [[m.tolist() for m in pad.at(3)]]
    for label, where in ((2, (20, 20)), (3, (20, 30))):
        layer.paint(where, label)
        qtbot.waitUntil(lambda: not binding.edit_pending, timeout=10_000)
        stored.append([m.tolist() for m in pad.at(3)])
    assert len(stored[0]) == 1
    assert len(stored[2]) == 3
    n_steps = len(dm.history)

    def shows(state: int) -> None:
        assert [m.tolist() for m in pad.at(3)] == stored[state]
        np.testing.assert_array_equal(layer.data, pad.label_image(3))

    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    _press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(dm.history) == n_steps - 1, timeout=10_000)
    shows(1)  # one step, not two
    layer.undo()
    assert len(dm.history) == n_steps - 2
    shows(0)
    assert notifications[-1] == "Undone: set mask frame 3"
    layer.redo()
    shows(1)
    assert notifications[-1] == "Redone: set mask frame 3"
    _press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(dm.history) == n_steps, timeout=10_000)
    shows(2)
    # napari's own Labels key bindings call the layer's methods: routed too.
    _labels_key_bindings.undo(layer)
    shows(1)
    _labels_key_bindings.redo(layer)
    shows(2)
    layer.redo()
    assert notifications[-1] == "Nothing to redo."
    shows(2)


def test_a_stroke_still_pending_is_stored_before_the_layer_s_undo(make_napari_viewer, qtbot):
    """``layer.undo()`` right after a stroke takes back that stroke, not the edit before it."""
    viewer = make_napari_viewer()
    session = make_session(viewer)
    dm = session.dm
    layer = viewer.layers["pad"]
    session.set_frame(3)
    before = [m.tolist() for m in dm.get_data("pad").at(3)]
    layer.paint((20, 20), 2)
    assert session.bindings["pad"].edit_pending
    layer.undo()
    assert [m.tolist() for m in dm.get_data("pad").at(3)] == before
    assert not np.any(layer.data == 2)
    layer.redo()
    assert len(dm.get_data("pad").at(3)) == 2


def test_an_unbound_layer_gets_napari_s_own_undo_back(make_napari_viewer, qtbot):
    """A layer whose key goes away keeps working as a plain napari Labels layer."""
    viewer = make_napari_viewer()
    session = make_session(viewer)
    layer = viewer.layers["pad"]
    binding = session.bindings["pad"]
    binding.detach(remove_layer=False)
    assert "undo" not in vars(layer)
    assert "redo" not in vars(layer)
    layer.paint((20, 20), 2)
    layer.undo()
    assert layer.data[20, 20] == 0, "napari's own paint history works again"
