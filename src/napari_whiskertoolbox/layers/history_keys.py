"""Undo and redo keys that go to the DataManager's history, also from layers with their own.

The workflow's key table binds :data:`HISTORY_KEYS` on the viewer. napari's Labels layer
binds Ctrl+Z to its own paint history, and layer keys take precedence over the viewer's,
so the Labels binding routes the same keys on its layer with :func:`bind_history_keys`;
otherwise the layer would undo alone and leave the DataManager out of step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari.utils.notifications import show_info

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari.layers import Layer

    from napari_whiskertoolbox.core import DataManager

__all__ = ["HISTORY_KEYS", "bind_history_keys", "redo", "unbind_history_keys", "undo"]


_SCRIPT_RUNNING = "A script is running: undo and redo wait until it ends (or Cancel it)."


def undo(dm: DataManager) -> bool:
    """Undo the last DataManager edit and say which (it may be on a frame not shown).

    ``False`` (and a notice) when there is nothing to undo, or while a script runs (its
    own edits would be taken back under it).
    """
    if dm.history.is_merging:
        show_info(_SCRIPT_RUNNING)
        return False
    label = dm.history.undo_label
    done = bool(dm.undo())
    show_info(f"Undone: {label}" if done else "Nothing to undo.")
    return done


def redo(dm: DataManager) -> bool:
    """Redo the last undone DataManager edit and say which; ``False`` when there is none.

    ``False`` (and a notice) while a script runs too.
    """
    if dm.history.is_merging:
        show_info(_SCRIPT_RUNNING)
        return False
    label = dm.history.redo_label
    done = bool(dm.redo())
    show_info(f"Redone: {label}" if done else "Nothing to redo.")
    return done


HISTORY_KEYS: dict[str, tuple[tuple[str, ...], Callable[[DataManager], bool]]] = {
    "undo": (("Control-Z",), undo),
    "redo": (("Control-Shift-Z",), redo),
}
"""History action name → (napari key names, action on the DataManager)."""


def bind_history_keys(
    layer: Layer, dm: DataManager, before: Callable[[], Any] | None = None
) -> None:
    """Bind the undo/redo keys on one layer instance to ``dm``'s history.

    Parameters
    ----------
    layer : napari.layers.Layer
        The layer whose own bindings would otherwise take the keys.
    dm : DataManager
        The DataManager whose history the keys drive.
    before : callable, optional
        Run first (e.g. to write a pending paint stroke).
    """
    for name, (keys, action) in HISTORY_KEYS.items():

        def callback(_layer: Layer, action: Callable[[DataManager], bool] = action) -> None:
            if before is not None:
                before()
            action(dm)

        callback.__name__ = f"wtb_{name}"
        for key in keys:
            layer.bind_key(key, callback, overwrite=True)


def unbind_history_keys(layer: Layer) -> None:
    """Undo :func:`bind_history_keys` on ``layer``."""
    for keys, _action in HISTORY_KEYS.values():
        for key in keys:
            layer.bind_key(key, None)
