"""Wire the annotation workflow into a new viewer session.

Called once per :class:`ViewerSession`: binds the key table on the viewer, shows the
modified state in the title, fills napari's console, starts autosave and installs the
unsaved-changes prompt and the Save-key filter on the window. When the window goes away
in an orderly way the autosave is dropped: recovery is only for sessions whose process
died.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .autosave import Autosaver
from .close_guard import CloseGuard
from .console import install_console
from .keybindings import bind_keys
from .modified_state import install_modified_indicator
from .save_shortcut import SaveShortcut

if TYPE_CHECKING:
    from .session import ViewerSession

__all__ = ["Workflow", "install_workflow"]


@dataclass
class Workflow:
    """The per-session workflow helpers (kept alive by the session)."""

    autosaver: Autosaver
    close_guard: CloseGuard | None
    save_shortcut: SaveShortcut | None = None


def install_workflow(session: ViewerSession) -> Workflow:
    """Install keys, modified indicator, console names, autosave, close guard and Save key.

    A viewer model without a Qt window (headless) gets keys, title and autosave only.
    """
    from ._napari_compat import main_window

    viewer = session.viewer
    bind_keys(viewer)
    install_modified_indicator(session)
    autosaver = Autosaver(session)
    if getattr(viewer, "window", None) is None:
        return Workflow(autosaver=autosaver, close_guard=None)
    install_console(session)
    window = main_window(viewer)
    close_guard = CloseGuard(session, window, on_discard=autosaver.discard)
    save_shortcut = SaveShortcut(session, window)
    window.destroyed.connect(lambda *_: autosaver.shutdown())
    return Workflow(autosaver=autosaver, close_guard=close_guard, save_shortcut=save_shortcut)
