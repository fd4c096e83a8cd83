"""The Key help dock reads whole at napari's default window size and at its narrowest."""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtCore import QRect, Qt
from qtpy.QtWidgets import QDockWidget

from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.widgets.key_help import KeyHelpWidget

pytestmark = pytest.mark.gui

_CELL_MARGINS = 8
"""Pixels of a table cell's width its text does not get (the delegate's margins)."""


def _docked(make_napari_viewer: Any, qtbot: Any, narrowest: bool) -> KeyHelpWidget:
    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    window.resize(1268, 800)  # napari's window on a first start
    widget = KeyHelpWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Key help", area="right")
    dock = widget.parentWidget()
    while not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    if narrowest:
        window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)
        qtbot.waitUntil(lambda: dock.width() <= dock.minimumSizeHint().width() + 2, timeout=5000)
    qtbot.wait(20)
    return widget


@pytest.mark.parametrize("narrowest", [False, True], ids=["default-width", "narrowest"])
def test_every_key_and_action_shows_whole(make_napari_viewer, qtbot, narrowest: bool) -> None:
    widget = _docked(make_napari_viewer, qtbot, narrowest)
    table = widget.table
    metrics = table.fontMetrics()
    key_width, action_width = table.columnWidth(0), table.columnWidth(1)
    assert key_width + action_width <= table.viewport().width()  # no sideways scrolling
    assert action_width >= metrics.horizontalAdvance("Previous frame")
    for row in range(table.rowCount()):
        key, action = table.item(row, 0).text(), table.item(row, 1).text()
        assert metrics.horizontalAdvance(key) + _CELL_MARGINS <= key_width, key
        room = QRect(0, 0, action_width - _CELL_MARGINS, 10_000)
        needed = metrics.boundingRect(room, Qt.TextFlag.TextWordWrap, action).height()
        assert needed <= table.rowHeight(row), (action, needed, table.rowHeight(row))
        assert table.item(row, 1).toolTip() == action
