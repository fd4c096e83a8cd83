"""Bind the annotation-workflow key table on a viewer.

Keys are bound on the *viewer* (``viewer.bind_key(..., overwrite=True)``), never on napari's
layer classes, so other layers and plugins keep their own bindings. In a Qt window napari's
menu shortcut for Save Selected Layers takes Ctrl+S before the viewer's keymap sees it;
:mod:`.save_shortcut` claims the key back for the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.workflow.key_table import KEY_TABLE, KeyAction, action_named

if TYPE_CHECKING:
    from collections.abc import Callable

    import napari

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["bind_keys", "run_action"]


def run_action(session: ViewerSession, name: str) -> Any:
    """Do what the keys of the key table's action ``name`` do (a dock's button); return its result."""
    return _run(action_named(name), session)


def _run(action: KeyAction, session: ViewerSession) -> Any:
    session.flush_pending_edits()  # a shape being drawn is part of what the key acts on
    return action.run(session)


def _viewer_callback(action: KeyAction, session: ViewerSession) -> Callable[[napari.Viewer], None]:
    def callback(viewer: napari.Viewer) -> None:
        _run(action, session)

    callback.__name__ = f"wtb_{action.name}"
    callback.__doc__ = action.description
    return callback


def bind_keys(viewer: napari.Viewer, session: ViewerSession) -> None:
    """Bind every key of :data:`KEY_TABLE` on ``viewer`` to act on ``session`` (idempotent)."""
    for action in KEY_TABLE:
        callback = _viewer_callback(action, session)
        for key in action.keys:
            viewer.bind_key(key, callback, overwrite=True)
