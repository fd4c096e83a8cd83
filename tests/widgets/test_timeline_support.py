"""Support for the timeline and data-browser GUI tests (no tests here): a session, real mouse events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from qtpy.QtCore import QEvent, QPoint, QPointF, Qt
from qtpy.QtGui import QMouseEvent
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TimeFrame,
)
from napari_whiskertoolbox.media import open_media
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

LEFT = Qt.MouseButton.LeftButton
NO_BUTTON = Qt.MouseButton.NoButton
MOVE_INTERVAL_MS = 15


def build_session(viewer: Any, video: Path) -> Any:
    """A session with the 1000-frame video, one analog, one event and one interval key."""
    session = get_session(viewer)
    dm = session.dm
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=500.0))
    dm.set_data("video", open_media(video), "time")
    dm.set_data("angle", AnalogTimeSeries(np.sin(np.arange(1000) / 20).astype(np.float32)))
    dm.set_data("licks", DigitalEventSeries([10, 50, 300, 700]))
    dm.set_data("contact", DigitalIntervalSeries([[100, 200], [400, 450]]))
    return session


def viewport_point(timeline: Any, x: float, y: float) -> QPoint:
    """Viewport pixel of plot coordinates ``(x, y)``."""
    scene = timeline.view_box.mapViewToScene(QPointF(x, y))
    return timeline.plot_widget.mapFromScene(scene)


def lane_y(timeline: Any, key: str) -> float:
    """Plot y at the middle of ``key``'s lane."""
    return timeline.lanes[key].bottom + 0.5


def _send(
    widget: Any,
    kind: QEvent.Type,
    pos: QPoint,
    button: Any,
    buttons: Any,
    modifiers: Any = Qt.KeyboardModifier.NoModifier,
) -> None:
    event = QMouseEvent(kind, QPointF(pos), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def mouse_click(timeline: Any, pos: QPoint) -> None:
    """Press and release the left button at viewport ``pos``."""
    viewport = timeline.plot_widget.viewport()
    _send(viewport, QEvent.Type.MouseMove, pos, NO_BUTTON, NO_BUTTON)
    _send(viewport, QEvent.Type.MouseButtonPress, pos, LEFT, LEFT)
    _send(viewport, QEvent.Type.MouseButtonRelease, pos, LEFT, NO_BUTTON)


def mouse_drag(
    timeline: Any,
    start: QPoint,
    end: QPoint,
    steps: int = 6,
    modifiers: Any = Qt.KeyboardModifier.NoModifier,
) -> None:
    """Left-drag from viewport ``start`` to ``end`` in ``steps`` moves, holding ``modifiers``."""
    viewport = timeline.plot_widget.viewport()
    _send(viewport, QEvent.Type.MouseMove, start, NO_BUTTON, NO_BUTTON, modifiers)
    _send(viewport, QEvent.Type.MouseButtonPress, start, LEFT, LEFT, modifiers)
    for k in range(1, steps + 1):
        QTest.qWait(MOVE_INTERVAL_MS)  # pyqtgraph drops moves closer than its mouseRateLimit
        point = start + (end - start) * (k / steps)
        _send(viewport, QEvent.Type.MouseMove, point, NO_BUTTON, LEFT, modifiers)
    _send(viewport, QEvent.Type.MouseButtonRelease, end, LEFT, NO_BUTTON, modifiers)
