"""The viewer → session registry: one :class:`ViewerSession` and its workflow per viewer.

Every dock of a viewer reaches the same session through :func:`get_session`. The registry
holds the session (and so the DataManager) and its workflow helpers strongly for as long
as the viewer lives: napari offers no public "viewer closed" signal, so entries are keyed
weakly by the viewer, and the session only holds a weak reference back to it. Closing the
session (:meth:`ViewerSession.close`) drops its entry.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from napari_whiskertoolbox.layers._napari_compat import real_viewer
from napari_whiskertoolbox.layers.session import ViewerSession
from napari_whiskertoolbox.workflow.install import Workflow, install_workflow

if TYPE_CHECKING:
    import napari

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "calling_viewer",
    "get_data_manager",
    "get_session",
    "get_workflow",
    "viewers",
    "workflow_of",
]


@dataclass
class _Entry:
    session: ViewerSession
    workflow: Workflow | None = None


_ENTRIES: weakref.WeakKeyDictionary[napari.Viewer, _Entry] = weakref.WeakKeyDictionary()


def _entry(viewer: napari.Viewer) -> _Entry:
    viewer = real_viewer(viewer)
    entry = _ENTRIES.get(viewer)
    if entry is None:
        session = ViewerSession(viewer)
        # Registered before the workflow is installed: its helpers look the session up.
        entry = _Entry(session)
        _ENTRIES[viewer] = entry
        entry.workflow = install_workflow(session)
        session.closed.connect(lambda: _forget(viewer, session))
    return entry


def _forget(viewer: napari.Viewer, session: ViewerSession) -> None:
    entry = _ENTRIES.get(viewer)
    if entry is not None and entry.session is session:
        del _ENTRIES[viewer]


def get_session(viewer: napari.Viewer) -> ViewerSession:
    """Return the session of ``viewer``, creating it (with an empty DataManager) on first use.

    The first call also installs the annotation workflow on the viewer: keys, the modified
    marker in the title, napari's console names, autosave, the close guard and the Save key.
    """
    return _entry(viewer).session


def calling_viewer() -> napari.Viewer | None:
    """Return the viewer whose method is running this call, else napari's current viewer.

    npe2 hands readers, writers and sample loaders no viewer. ``viewer.open`` (File > Open,
    drag-and-drop and Python calls alike), ``viewer.open_sample``, ``layer.save``,
    ``viewer.layers.save`` and File > Save run as methods of the viewer, a layer or the
    layer list, so one of them is ``self`` in a calling frame; the current viewer (the last
    active window) may be another one, with keys of the same names.
    """
    import inspect

    import napari
    from napari.components import LayerList
    from napari.layers import Layer

    frame = inspect.currentframe()
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, napari.Viewer):
            return candidate
        for viewer in viewers() if isinstance(candidate, (Layer, LayerList)) else ():
            if viewer.layers is candidate or any(x is candidate for x in viewer.layers):
                return viewer
        frame = frame.f_back
    return napari.current_viewer()


def viewers() -> list[napari.Viewer]:
    """Return the viewers that have a session (those whose layers may be bound to keys)."""
    return list(_ENTRIES)


def get_workflow(viewer: napari.Viewer) -> Workflow:
    """Return the workflow helpers (autosaver, close guard, Save key) of ``viewer``'s session."""
    workflow = _entry(viewer).workflow
    if workflow is None:
        raise RuntimeError("get_workflow: the session's workflow is still being installed")
    return workflow


def get_data_manager(viewer: napari.Viewer) -> DataManager:
    """Return the DataManager of ``viewer``'s session."""
    return get_session(viewer).dm


def workflow_of(session: ViewerSession) -> Workflow | None:
    """Return the workflow installed on ``session`` by :func:`get_session`, or ``None``.

    Unlike :func:`get_workflow` this never creates a session: a session built directly
    (``ViewerSession(viewer)``) has no workflow.
    """
    viewer = session.viewer
    entry = _ENTRIES.get(viewer) if viewer is not None else None
    return entry.workflow if entry is not None and entry.session is session else None
