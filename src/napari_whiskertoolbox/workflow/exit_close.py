"""Close the viewers still open when the interpreter exits, before PyQt's own clean-up.

A script that opens viewers and ends without ``napari.run()`` leaves their windows open at
exit. PyQt6's ``cleanup_on_exit`` (an ``atexit`` callback of ``PyQt6.QtCore``) then walks its
table of object wrappers to destroy what Python still owns; with napari's windows alive and
the session's own Qt objects (autosave timer, close guard, Save key) it met a freed wrapper
and the process ended in a segmentation fault (``sip_api_get_address`` under
``cleanup_qobject``) in most runs. A plain napari script survives with fewer objects, so
the fault is in that shutdown order, not in one of ours. Closing the viewers first, as the
end of ``napari.run()`` does, avoids it. ``atexit`` callbacks run last registered first, so
this one, registered when a session's window is set up (after Qt was imported), runs before
PyQt's.

At exit no question is asked and autosaves are kept: a session with unsaved changes is
offered for recovery the next time, as after a crash. What must end first (an autosave
being written on its thread) is registered with :func:`finish_at_exit`.
"""

from __future__ import annotations

import atexit
import weakref
from typing import TYPE_CHECKING

from napari_whiskertoolbox.layers._napari_compat import open_viewers, window_deleted

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["close_viewers_at_exit", "finish_at_exit", "interpreter_exiting"]

_state = {"registered": False, "exiting": False}
_finishers: list[weakref.WeakMethod[Callable[[], object]]] = []


def interpreter_exiting() -> bool:
    """Whether the interpreter is exiting (the viewers are being closed by :func:`close_viewers_at_exit`)."""
    return _state["exiting"]


def close_viewers_at_exit() -> None:
    """Close every napari viewer still open when the interpreter exits (registered once).

    Call after Qt is imported, so that the callback runs before PyQt6's clean-up.
    """
    if not _state["registered"]:
        atexit.register(_close_open_viewers)
        _state["registered"] = True


def finish_at_exit(method: Callable[[], object]) -> None:
    """Call the bound ``method`` at exit before the viewers close, if its object still lives."""
    _finishers.append(weakref.WeakMethod(method))  # type: ignore[arg-type]


def _close_open_viewers() -> None:
    _state["exiting"] = True
    for reference in _finishers:
        method = reference()
        if method is not None:
            method()
    for viewer in open_viewers():
        if not window_deleted(viewer):  # else closed by its user: nothing of it left to close
            viewer.close()
