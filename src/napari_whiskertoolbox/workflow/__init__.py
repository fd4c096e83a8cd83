"""The annotation workflow around a viewer session: keys, saving, autosave, close guard.

:func:`get_session` is the entry point: it gives every viewer one
:class:`~napari_whiskertoolbox.layers.session.ViewerSession` and installs the workflow on it.
"""

from __future__ import annotations

from napari_whiskertoolbox.workflow.opening import open_in_viewer
from napari_whiskertoolbox.workflow.registry import get_data_manager, get_session, get_workflow

__all__ = ["get_data_manager", "get_session", "get_workflow", "open_in_viewer"]
