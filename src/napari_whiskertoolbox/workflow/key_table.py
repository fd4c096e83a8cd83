"""The annotation-workflow key table: one declarative list of keys and what they do.

:mod:`.keybindings` binds it on the viewer and shows it in a dock; layers that keep a
history of their own (napari's Labels) route its undo/redo keys to the DataManager with
:func:`bind_history_keys`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.layers.history_keys import HISTORY_KEYS
from napari_whiskertoolbox.workflow import actions, timeline_marks

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["KEY_TABLE", "KeyAction", "action_named", "keys_of"]


@dataclass(frozen=True)
class KeyAction:
    """One row of the key table.

    Attributes
    ----------
    keys : tuple of str
        napari key names bound to the action, e.g. ``("Control-Shift-Right",)``.
    name : str
        Short identifier of the action.
    description : str
        What the keys do, shown in the help dock.
    run : callable
        ``run(session)`` performs the action.
    claims : callable, optional
        ``claims(session)``: whether the action takes its keys now from a layer that binds
        them too (napari's Shapes and Labels keep Esc). The keys then go to the action only
        while it is True, else to the layer's own binding. None: the layer keeps them.
    """

    keys: tuple[str, ...]
    name: str
    description: str
    run: Callable[[ViewerSession], Any]
    claims: Callable[[ViewerSession], bool] | None = None

    @property
    def key(self) -> str:
        """The main key of the action."""
        return self.keys[0]


KEY_TABLE: tuple[KeyAction, ...] = (
    KeyAction((".",), "next_frame", "Next frame", lambda s: actions.step(s, 1)),
    KeyAction((",",), "previous_frame", "Previous frame", lambda s: actions.step(s, -1)),
    KeyAction(("Shift-Right",), "forward_10", "Forward 10 frames", lambda s: actions.step(s, 10)),
    KeyAction(("Shift-Left",), "back_10", "Back 10 frames", lambda s: actions.step(s, -10)),
    KeyAction(
        ("Control-Right",),
        "next_data_frame",
        "Next frame with data in the active key",
        lambda s: actions.go_to_frame_with_data(s, 1),
    ),
    KeyAction(
        ("Control-Left",),
        "previous_data_frame",
        "Previous frame with data in the active key",
        lambda s: actions.go_to_frame_with_data(s, -1),
    ),
    KeyAction(
        ("Control-Shift-Right",),
        "next_empty_frame",
        "Next frame without data in the active key",
        actions.go_to_empty_frame,
    ),
    KeyAction(
        ("Control-D",),
        "copy_previous",
        "Copy the previous annotated frame of the active key here, replacing this frame's objects",
        actions.copy_previous_annotations,
    ),
    KeyAction(
        ("Control-Shift-D",),
        "merge_previous",
        "Add the previous annotated frame's objects of the active key to this frame",
        actions.merge_previous_annotations,
    ),
    KeyAction(
        ("Q",),
        "mark_interval_start",
        "Mark an interval start at this frame (the Timeline's edit key)",
        timeline_marks.mark_interval_start,
    ),
    KeyAction(
        ("W",),
        "mark_interval_end",
        "Mark the interval end at this frame: adds the interval from its start, both included",
        timeline_marks.mark_interval_end,
    ),
    KeyAction(
        ("Escape",),
        "cancel_interval_start",
        "Cancel the interval start marked",
        timeline_marks.cancel_interval_start,
        claims=timeline_marks.has_pending_start,  # else a shapes or labels layer's own Esc
    ),
    KeyAction(
        ("Shift-W",),
        "remove_interval",
        "Remove the interval at this frame; with a start marked, cut the frames from it to "
        "here out of the intervals",
        timeline_marks.remove_interval_here,
    ),
    KeyAction(
        ("G",),
        "add_event",
        "Add an event at this frame (the Timeline's edit key)",
        timeline_marks.add_event_here,
    ),
    KeyAction(
        ("Shift-G",),
        "remove_event",
        "Remove the event at this frame",
        timeline_marks.remove_event_here,
    ),
    KeyAction(HISTORY_KEYS["undo"][0], "undo", "Undo", actions.undo),
    KeyAction(HISTORY_KEYS["redo"][0], "redo", "Redo", actions.redo),
    KeyAction(("Control-S",), "save", "Save the session", actions.save),
    KeyAction(
        ("Control-Shift-S",), "save_as", "Save the session in another folder", actions.save_as
    ),
)


def action_named(name: str) -> KeyAction:
    """Return the row of :data:`KEY_TABLE` called ``name``.

    Raises
    ------
    KeyError
        When no row has that name.
    """
    for action in KEY_TABLE:
        if action.name == name:
            return action
    raise KeyError(f"no key action {name!r}; actions: {[a.name for a in KEY_TABLE]}")


def keys_of(name: str) -> str:
    """Return the keys of action ``name`` as users read them: ``"Shift+W"``, ``". / ,"``."""
    return " / ".join(actions.key_label(key) for key in action_named(name).keys)
