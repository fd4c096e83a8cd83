"""Wire the annotation workflow into a new viewer session.

Called once per :class:`ViewerSession`: binds the key table on the viewer, shows the
modified state in the title, fills napari's console, routes scripts' figures and
``wt.plot`` lanes to the viewer, starts autosave and installs the unsaved-changes prompt
and the Save-key filter on the window. When the window goes away
in an orderly way the autosave is dropped: recovery is only for sessions whose process
died.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from qtpy.QtCore import QTimer

from napari_whiskertoolbox.layers._napari_compat import (
    fit_axis_labels,
    main_window,
    tolerate_status_races,
)
from napari_whiskertoolbox.workflow.ask import DefaultAsk, DialogAsk
from napari_whiskertoolbox.workflow.autosave import Autosaver, offer_untitled_recovery
from napari_whiskertoolbox.workflow.close_guard import CloseGuard
from napari_whiskertoolbox.workflow.console import install_console
from napari_whiskertoolbox.workflow.console_dock import tab_console_over_bottom_docks
from napari_whiskertoolbox.workflow.exit_close import (
    close_viewers_at_exit,
    finish_at_exit,
    interpreter_exiting,
)
from napari_whiskertoolbox.workflow.keybindings import bind_keys
from napari_whiskertoolbox.workflow.modified_state import SessionTitle, install_modified_indicator
from napari_whiskertoolbox.workflow.python_environment import install_python_environment
from napari_whiskertoolbox.workflow.save_shortcut import SaveShortcut
from napari_whiskertoolbox.workflow.save_target import SaveTarget
from napari_whiskertoolbox.workflow.session_display import SessionDisplay, install_session_display

if TYPE_CHECKING:
    from qtpy.QtWidgets import QMainWindow

    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.workflow.ask import Ask

__all__ = ["Workflow", "install_workflow"]


@dataclass
class Workflow:
    """The per-session workflow helpers (kept alive by the registry with the session).

    Attributes
    ----------
    autosaver : Autosaver
    close_guard : CloseGuard or None
        ``None`` for a viewer without a Qt window.
    save_shortcut : SaveShortcut or None
    save_target : SaveTarget
        Where Ctrl+S writes, and which keys changed since the last save.
    display : SessionDisplay or None
        Where scripts' figures and ``wt.plot`` lanes go; ``None`` without a Qt window.
    ask : Ask
        Asks the user (:class:`~.ask.DialogAsk` in a window); replace it to answer from a
        script or a test.
    title : SessionTitle or None
        Keeps the window title naming the session; its ``label`` is that name.
    """

    autosaver: Autosaver
    close_guard: CloseGuard | None
    save_target: SaveTarget
    save_shortcut: SaveShortcut | None = None
    display: SessionDisplay | None = None
    ask: Ask = field(default_factory=DefaultAsk)
    title: SessionTitle | None = None


def install_workflow(session: ViewerSession) -> Workflow:
    """Install Python environments, keys, modified indicator, console names, autosave, close guard, Save key.

    In a window, the frame slider's label field is also sized to each display clock's name.

    A viewer model without a Qt window (headless) gets keys, title and autosave only.
    """
    viewer = session.viewer
    if viewer is None:
        raise RuntimeError("install_workflow: the session's viewer is gone")
    install_python_environment()
    bind_keys(viewer, session)
    title = install_modified_indicator(session)
    autosaver = Autosaver(session)
    save_target = SaveTarget(session)
    if getattr(viewer, "window", None) is None:
        return Workflow(autosaver=autosaver, close_guard=None, save_target=save_target, title=title)
    install_console(session)
    tab_console_over_bottom_docks(viewer)
    display = install_session_display(session)
    window = main_window(viewer)
    tolerate_status_races(viewer)
    fit_axis_labels(viewer)  # the frame slider names the display clock in full
    close_guard = CloseGuard(session, window, on_discard=autosaver.discard_by_user)
    save_shortcut = SaveShortcut(session, window)
    window.destroyed.connect(partial(_window_destroyed, autosaver))
    finish_at_exit(autosaver.end_at_exit)
    close_viewers_at_exit()
    # after the open that made the session: an empty window is asked, a loaded one told
    QTimer.singleShot(0, partial(offer_untitled_recovery, session))
    return Workflow(
        autosaver=autosaver,
        close_guard=close_guard,
        save_target=save_target,
        save_shortcut=save_shortcut,
        display=display,
        ask=DialogAsk(partial(_window_of, session)),
        title=title,
    )


def _window_destroyed(autosaver: Autosaver, *_: object) -> None:
    """End the autosave with its window (kept at interpreter exit, offered again next time)."""
    if interpreter_exiting():
        autosaver.stop()
    else:
        autosaver.shutdown()


def _window_of(session: ViewerSession) -> QMainWindow | None:
    """Return the session viewer's main window (the session holds its viewer weakly)."""
    viewer = session.viewer
    return main_window(viewer) if viewer is not None else None
