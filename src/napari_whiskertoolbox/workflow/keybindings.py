"""Bind the annotation-workflow key table on a viewer.

Keys are bound on the *viewer* (``viewer.bind_key(..., overwrite=True)``), never on napari's
layer classes, so other layers and plugins keep their own bindings. In a Qt window napari's
menu shortcut for Save Selected Layers takes Ctrl+S before the viewer's keymap sees it;
:mod:`.save_shortcut` claims the key back for the session.

A layer's bindings come before the viewer's: napari's Shapes and Labels layers bind Esc
(finish drawing, reset the polygon), so Esc on the canvas never reached the viewer's
*cancel the interval start*. An action with :attr:`~.KeyAction.claims` is also bound on
each layer instance whose own bindings take one of its keys, and takes the key there only
while it claims it (a start is pending); otherwise the layer's own binding runs, as before.
"""

from __future__ import annotations

import inspect
import weakref
from typing import TYPE_CHECKING, Any

from napari.utils.key_bindings import coerce_keybinding  # type: ignore[import-untyped]

from napari_whiskertoolbox.workflow.key_table import KEY_TABLE, KeyAction, action_named

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import napari

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["bind_claimed_keys", "bind_keys", "run_action"]


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
    """Bind every key of :data:`KEY_TABLE` on ``viewer`` to act on ``session`` (idempotent).

    The keys of an action that :attr:`~.KeyAction.claims` them are also bound on each layer
    (present or added later) whose own bindings take them (:func:`bind_claimed_keys`).
    """
    for action in KEY_TABLE:
        callback = _viewer_callback(action, session)
        for key in action.keys:
            viewer.bind_key(key, callback, overwrite=True)
    for layer in viewer.layers:
        bind_claimed_keys(layer, session)
    inserted = viewer.layers.events.inserted
    previous = _ON_INSERTED.get(session)
    if previous is not None:  # idempotent: one connection per session
        inserted.disconnect(previous)
    session_ref = weakref.ref(session)

    def on_inserted(event: Any) -> None:
        alive = session_ref()
        if alive is not None:
            bind_claimed_keys(event.value, alive)

    _ON_INSERTED[session] = on_inserted
    inserted.connect(on_inserted)


_ON_INSERTED: weakref.WeakKeyDictionary[ViewerSession, Callable[[Any], None]] = (
    weakref.WeakKeyDictionary()
)
"""The slot binding each session's claimed keys on the layers added to its viewer."""


def _own_binding(layer: Any, key: str) -> Any:
    """Return what ``layer`` binds ``key`` to itself (its instance, else its classes), or None.

    Read through napari's public keymaps (``layer.keymap``, each class's ``class_keymap``).
    """
    bound = coerce_keybinding(key)
    own = layer.keymap.get(bound)
    if own is not None and getattr(own, "__name__", "").startswith(_CLAIMED):
        own = None  # ours (bound before): what the layer's classes bind
    if own is not None:
        return own
    for cls in type(layer).__mro__:
        keymap = cls.__dict__.get("class_keymap")
        if keymap and bound in keymap:
            return keymap[bound]
    return None


_CLAIMED = "wtb_claimed_"


def bind_claimed_keys(layer: Any, session: ViewerSession) -> None:
    """Bind on ``layer`` the keys a :attr:`~.KeyAction.claims` action shares with it.

    Only the keys ``layer`` binds itself (napari's Shapes and Labels: Esc) are bound; each
    runs the action while it claims the key and the layer's own binding otherwise (looked
    up at the press, so a binding changed later is the one that runs).
    """
    for action in KEY_TABLE:
        if action.claims is None:
            continue
        for key in action.keys:
            if _own_binding(layer, key) is not None:
                layer.bind_key(key, _claiming_callback(action, key, session), overwrite=True)


def _claiming_callback(action: KeyAction, key: str, session: ViewerSession) -> Any:
    claims = action.claims
    assert claims is not None

    def callback(layer: Any) -> Iterator[None]:
        # a generator, as napari's press/release bindings are: napari advances it once at
        # the press and once more at the release
        if claims(session):
            _run(action, session)
            return
        own = _own_binding(layer, key)
        if own is None or own is Ellipsis:
            return
        result = own(layer)
        if inspect.isgenerator(result):
            yield from result

    callback.__name__ = f"{_CLAIMED}{action.name}"
    callback.__doc__ = f"{action.description} (when one is pending), else the layer's own"
    return callback
