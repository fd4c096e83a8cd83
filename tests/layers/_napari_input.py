"""Drive napari layers as a user does: mouse gestures through napari's own callbacks, real keys.

Mouse gestures go through ``napari.utils.interactions.mouse_*_callbacks`` — the functions
napari's canvas calls for every mouse event — with the event fields napari's canvas fills
in (world position of the viewer, displayed dims, canvas position). Keys are real key
presses on the focused widget of a shown viewer window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from napari.utils.interactions import (
    mouse_double_click_callbacks,
    mouse_move_callbacks,
    mouse_press_callbacks,
    mouse_release_callbacks,
)
from qtpy.QtCore import Qt
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication

CANVAS_PIXELS_PER_DATA_PIXEL = 10.0
"""Canvas position = data position x this (napari's drawing tools measure in screen pixels)."""


@dataclass
class MouseEvent:
    """The fields napari's canvas gives layer mouse callbacks (``NapariMouseEvent``)."""

    type: str
    position: tuple[float, ...]
    pos: np.ndarray
    modifiers: list[str] = field(default_factory=list)
    is_dragging: bool = False
    dims_displayed: list[int] = field(default_factory=lambda: [1, 2])
    dims_point: list[float] = field(default_factory=list)
    view_direction: Any = None
    up_direction: Any = None
    camera_zoom: float = 1.0
    button: int = 1
    buttons: list[int] = field(default_factory=lambda: [1])
    handled: bool = False
    delta: tuple[float, float] = (0.0, 0.0)


class EventProxy:
    """A proxy like the one napari's canvas wraps events in.

    napari points the proxy a drag started with at each later event (``__wrapped__``), so
    a drag callback sees the current event.
    """

    def __init__(self, event: MouseEvent) -> None:
        object.__setattr__(self, "__wrapped__", event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "__wrapped__":
            object.__setattr__(self, name, value)
        else:
            setattr(self.__wrapped__, name, value)


def _event(viewer: Any, kind: str, yx: tuple[float, float], **fields: Any) -> EventProxy:
    frame = float(viewer.dims.point[0])
    return EventProxy(
        MouseEvent(
            type=kind,
            position=(frame, float(yx[0]), float(yx[1])),
            pos=np.array([yx[1], yx[0]], dtype=float) * CANVAS_PIXELS_PER_DATA_PIXEL,
            dims_point=list(viewer.dims.point),
            **fields,
        )
    )


def press(viewer: Any, layer: Any, yx: tuple[float, float], modifiers: tuple = ()) -> None:
    """Press the mouse at data position ``yx`` (row, col) of the current frame."""
    mouse_press_callbacks(layer, _event(viewer, "mouse_press", yx, modifiers=list(modifiers)))


def move(viewer: Any, layer: Any, yx: tuple[float, float], dragging: bool = True) -> None:
    """Move the mouse (with the button held when ``dragging``)."""
    mouse_move_callbacks(layer, _event(viewer, "mouse_move", yx, is_dragging=dragging))


def release(viewer: Any, layer: Any, yx: tuple[float, float]) -> None:
    """Release the mouse button."""
    mouse_release_callbacks(layer, _event(viewer, "mouse_release", yx))


def click(viewer: Any, layer: Any, yx: tuple[float, float], modifiers: tuple = ()) -> None:
    """Click (press and release without moving)."""
    press(viewer, layer, yx, modifiers)
    release(viewer, layer, yx)


def click_vertices(viewer: Any, layer: Any, vertices: list[tuple[float, float]]) -> None:
    """Move to each vertex and click there, then double-click the last one to finish.

    This is how napari's path, polyline and polygon tools are used (and how napari's own
    tests drive them).
    """
    for yx in vertices:
        move(viewer, layer, yx, dragging=False)
        click(viewer, layer, yx)
    mouse_double_click_callbacks(layer, _event(viewer, "mouse_double_click", vertices[-1]))


def drag(viewer: Any, layer: Any, path: list[tuple[float, float]], modifiers: tuple = ()) -> None:
    """Press at ``path[0]``, move through the rest with the button held, release at the end."""
    press(viewer, layer, path[0], modifiers)
    for yx in path[1:]:
        move(viewer, layer, yx)
    release(viewer, layer, path[-1])


def focus_canvas(viewer: Any, qtbot: Any) -> None:
    """Activate the shown viewer window and wait for a focused widget (keys go there)."""
    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)


def key(key_code: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A real key press on the focused widget."""
    widget = QApplication.focusWidget()
    assert widget is not None, "no focused widget to receive the key press"
    QTest.keyClick(widget, key_code, modifiers)


CTRL = Qt.KeyboardModifier.ControlModifier
