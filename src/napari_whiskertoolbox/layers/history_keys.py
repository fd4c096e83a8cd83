"""Undo and redo keys that go to the DataManager's history, also from layers with their own.

The workflow's key table binds :data:`HISTORY_KEYS` on the viewer. napari's Labels layer
binds Ctrl+Z to its own paint history, and layer keys take precedence over the viewer's,
so the Labels binding routes the same keys on its layer with :func:`bind_history_keys`;
otherwise the layer would undo alone and leave the DataManager out of step. The layer's
public ``undo()`` / ``redo()`` (what napari's Labels bindings and scripts call) are routed
the same way. Given the
viewer session, an undo or redo of an edit on one frame other than the shown one moves the
viewer to that frame (:func:`show_changed_frame`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from napari.utils.notifications import show_info

from napari_whiskertoolbox.layers._napari_compat import route_layer_history, unroute_layer_history

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari.layers import Layer

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "HISTORY_KEYS",
    "FrameHost",
    "bind_history_keys",
    "redo",
    "show_changed_frame",
    "unbind_history_keys",
    "undo",
]


class FrameHost(Protocol):
    """What moving to an undone edit's frame needs: the viewer session's frame and clock."""

    @property
    def dm(self) -> DataManager:
        """The session's DataManager (its history is what undo and redo move)."""

    @property
    def current_frame(self) -> int:
        """The display frame shown."""

    def to_display(self, key: str, index: int) -> int:
        """Return the display frame showing index ``index`` of ``key``'s clock."""

    def set_frame(self, frame: int) -> None:
        """Move the viewer to display frame ``frame``."""


_SCRIPT_RUNNING = "A script is running: undo and redo wait until it ends (or Cancel it)."


def undo(dm: DataManager, session: FrameHost | None = None) -> bool:
    """Undo the last DataManager edit and say which (it may be on a frame not shown).

    ``False`` (and a notice) when there is nothing to undo, or while a script runs (its
    own edits would be taken back under it). With ``session``, an edit of one frame other
    than the shown one is shown: the viewer moves to its frame (:func:`show_changed_frame`).
    """
    if dm.history.is_merging:
        show_info(_SCRIPT_RUNNING)
        return False
    label = dm.history.undo_label
    with _changes(dm) as changed:
        done = bool(dm.undo())
    show_info(f"Undone: {label}" if done else "Nothing to undo.")
    if done and session is not None:
        show_changed_frame(session, changed)
    return done


def redo(dm: DataManager, session: FrameHost | None = None) -> bool:
    """Redo the last undone DataManager edit and say which; ``False`` when there is none.

    ``False`` (and a notice) while a script runs too. With ``session``, the viewer moves to
    the frame of a one-frame edit, as :func:`undo` does.
    """
    if dm.history.is_merging:
        show_info(_SCRIPT_RUNNING)
        return False
    label = dm.history.redo_label
    with _changes(dm) as changed:
        done = bool(dm.redo())
    show_info(f"Redone: {label}" if done else "Nothing to redo.")
    if done and session is not None:
        show_changed_frame(session, changed)
    return done


@contextmanager
def _changes(dm: DataManager) -> Iterator[list[tuple[str, Any]]]:
    """Collect ``(key, frames)`` of every change ``dm`` announces inside the block.

    A key added, removed or renamed is recorded with frames ``None`` (all of it).
    """
    changed: list[tuple[str, Any]] = []

    def on_data(key: str, frames: Any) -> None:
        changed.append((key, frames))

    def on_key(key: str, *_: Any) -> None:
        changed.append((key, None))

    slots = [(dm.data_changed, on_data)]
    slots += [(signal, on_key) for signal in (dm.data_added, dm.data_removed, dm.data_renamed)]
    for signal, slot in slots:
        signal.connect(slot)
    try:
        yield changed
    finally:
        for signal, slot in slots:
            signal.disconnect(slot)


def show_changed_frame(session: FrameHost, changed: list[tuple[str, Any]]) -> int | None:
    """Move the viewer to the display frame of an undone or redone edit of one frame.

    Video annotation tools show what was undone: an edit of frame 4 undone while frame 10
    is shown moves the viewer to frame 4. An edit of several frames, or of a whole key (a
    transform's result), leaves the frame where it is.

    Returns
    -------
    int or None
        The frame moved to; None when the viewer stays.
    """
    frames: set[int] = set()
    for key, touched in changed:
        if touched is None or key not in session.dm:
            return None
        try:
            frames.update(
                session.to_display(key, int(index))
                for index in np.unique(np.asarray(touched, dtype=np.int64))
            )
        except (KeyError, ValueError):  # a clock the display clock does not map to
            return None
    if len(frames) != 1:
        return None
    (frame,) = frames
    if frame == session.current_frame:
        return None
    session.set_frame(frame)
    return frame


_Action = Callable[["DataManager", "FrameHost | None"], bool]
"""An undo or redo: ``(dm, session)`` → whether there was a step."""

HISTORY_KEYS: dict[str, tuple[tuple[str, ...], _Action]] = {
    "undo": (("Control-Z",), undo),
    "redo": (("Control-Shift-Z",), redo),
}
"""History action name → (napari key names, action on the DataManager and its session)."""


def bind_history_keys(
    layer: Layer,
    dm: DataManager,
    before: Callable[[], Any] | None = None,
    session: FrameHost | None = None,
) -> None:
    """Bind the undo/redo keys on one layer instance to ``dm``'s history.

    A layer with public ``undo()`` / ``redo()`` methods of its own (napari's Labels, whose
    layer controls' key bindings and scripts call them) has them routed to ``dm``'s history
    too (:func:`~._napari_compat.route_layer_history`): ``layer.undo()`` does what
    Ctrl+Z does, once (the key calls the same action, not the layer's method as well).

    Parameters
    ----------
    layer : napari.layers.Layer
        The layer whose own bindings would otherwise take the keys.
    dm : DataManager
        The DataManager whose history the keys drive.
    before : callable, optional
        Run first (e.g. to write a pending paint stroke).
    session : FrameHost, optional
        The session showing ``dm``: the viewer moves to the frame of an undone one-frame
        edit (:func:`show_changed_frame`).
    """
    routed: dict[str, Callable[[], bool]] = {}
    for name, (keys, action) in HISTORY_KEYS.items():

        def run(action: _Action = action) -> bool:
            if before is not None:
                before()
            return action(dm, session)

        def callback(_layer: Layer, run: Callable[[], bool] = run) -> None:
            run()

        callback.__name__ = run.__name__ = f"wtb_{name}"
        routed[name] = run
        for key in keys:
            layer.bind_key(key, callback, overwrite=True)
    if all(callable(getattr(type(layer), name, None)) for name in routed):
        route_layer_history(layer, undo=routed["undo"], redo=routed["redo"])


def unbind_history_keys(layer: Layer) -> None:
    """Undo :func:`bind_history_keys` on ``layer``."""
    for keys, _action in HISTORY_KEYS.values():
        for key in keys:
            layer.bind_key(key, None)
    unroute_layer_history(layer)
