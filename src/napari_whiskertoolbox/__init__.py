"""napari-whiskertoolbox: WhiskerToolbox's data model and Python workflow in napari.

The top level re-exports :mod:`napari_whiskertoolbox.core` (the DataManager, clocks and
every data type). Importing this package loads no Qt binding and no napari;
:func:`get_data_manager`, :func:`open_in_viewer` and :func:`show_data_manager` import the napari side lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox import core as _core
from napari_whiskertoolbox.core import *  # noqa: F403

if TYPE_CHECKING:
    import os

    import napari
    from napari.layers import Layer

__version__ = "0.1.0"

__all__ = [*_core.__all__, "get_data_manager", "open_in_viewer", "show_data_manager"]


def get_data_manager(viewer: napari.Viewer) -> DataManager:  # noqa: F405
    """Return the DataManager of ``viewer``'s session (created on first use)."""
    from napari_whiskertoolbox.workflow.registry import get_data_manager as _get

    return _get(viewer)


def open_in_viewer(viewer: napari.Viewer, path: str | os.PathLike[str]) -> list[Layer]:
    """Open ``path`` in ``viewer``'s session; return the layers added.

    Use it where you would use ``viewer.open(path, plugin="napari-whiskertoolbox")`` and
    need the layers: napari's ``viewer.open`` returns ``[]`` for our files (the session's
    bindings add the layers; see :func:`napari_whiskertoolbox.workflow.open_in_viewer`).
    """
    from napari_whiskertoolbox.workflow.opening import open_in_viewer as _open

    return _open(viewer, path)


def show_data_manager(viewer: napari.Viewer, dm: DataManager) -> list[Layer]:  # noqa: F405
    """Show ``dm`` (built in Python) in ``viewer``'s session; return the layers added.

    See :func:`napari_whiskertoolbox.workflow.opening.show_data_manager`.
    """
    from napari_whiskertoolbox.workflow.opening import show_data_manager as _show

    return _show(viewer, dm)
