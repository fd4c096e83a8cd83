"""Shared setup of the edit-path tests: a session with one layer active on one frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from _bindings_support import make_session
from _napari_input import focus_canvas

if TYPE_CHECKING:
    import napari
    from pytestqt.qtbot import QtBot

    from napari_whiskertoolbox.layers.session import ViewerSession


def editing_session(
    viewer: napari.Viewer, key: str, frame: int, qtbot: QtBot | None = None
) -> ViewerSession:
    """Return the binding-test session on ``viewer`` with layer ``key`` active at ``frame``.

    With ``qtbot`` (a shown viewer), the canvas also gets the keyboard focus, so key
    presses reach the layer.
    """
    session = make_session(viewer)
    session.viewer.layers.selection.active = session.viewer.layers[key]
    session.set_frame(frame)
    if qtbot is not None:
        focus_canvas(session.viewer, qtbot)
    return session


def steps(session: ViewerSession) -> int:
    """Return how many undo steps the session's DataManager holds."""
    return len(session.dm.history)
