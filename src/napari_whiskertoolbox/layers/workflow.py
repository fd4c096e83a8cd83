"""Wire the annotation workflow into a new viewer session.

Called once per :class:`ViewerSession`: binds the key table on the viewer, shows the
modified state in the title, fills napari's console, starts autosave and installs the
unsaved-changes prompt on the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .autosave import Autosaver
from .close_guard import CloseGuard, install_close_guard
from .console import install_console
from .keybindings import bind_keys
from .modified_state import install_modified_indicator

if TYPE_CHECKING:
    from .session import ViewerSession

__all__ = ["Workflow", "install_workflow"]


@dataclass
class Workflow:
    """The per-session workflow helpers (kept alive by the session)."""

    autosaver: Autosaver
    close_guard: CloseGuard | None


def install_workflow(session: ViewerSession) -> Workflow:
    """Install keys, modified indicator, console names, autosave and close guard."""
    viewer = session.viewer
    bind_keys(viewer)
    install_modified_indicator(session)
    install_console(session)
    autosaver = Autosaver(session)
    close_guard = install_close_guard(session, on_discard=autosaver.discard)
    return Workflow(autosaver=autosaver, close_guard=close_guard)
