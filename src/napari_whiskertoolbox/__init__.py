"""napari-whiskertoolbox: WhiskerToolbox's data model and Python workflow in napari.

The top level re-exports :mod:`napari_whiskertoolbox.core` (the DataManager, clocks and
every data type). Importing this package loads no Qt binding and no napari;
:func:`get_data_manager` imports the napari side lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox import core as _core
from napari_whiskertoolbox.core import *  # noqa: F403

if TYPE_CHECKING:
    import napari

__version__ = "0.1.0"

__all__ = [*_core.__all__, "get_data_manager"]


def get_data_manager(viewer: napari.Viewer) -> DataManager:  # noqa: F405
    """Return the DataManager of ``viewer``'s session (created on first use)."""
    from napari_whiskertoolbox.workflow.registry import get_data_manager as _get

    return _get(viewer)
