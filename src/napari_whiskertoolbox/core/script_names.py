"""The names a script sees: what ``from whiskertoolbox_python import *`` gives.

The script engine's namespace, napari's console and the ``whiskertoolbox_python`` module
all take their names from :func:`script_types`.
"""

from __future__ import annotations

from napari_whiskertoolbox.core import wtb_aliases
from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.entity import EntityGroups
from napari_whiskertoolbox.core.kinds import DATA_CLASSES
from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = ["script_types"]


def script_types() -> dict[str, type]:
    """Return the classes scripts use by name, sorted by name.

    Every stored data class (from :data:`~napari_whiskertoolbox.core.kinds.KIND_TABLE`),
    :class:`DataManager`, :class:`TimeFrame`, :class:`EntityGroups` and WhiskerToolbox's
    value classes (``Point2D``, ``Line2D``, ``Interval``, ``DataType``, …).
    """
    names: dict[str, type] = {cls.__name__: cls for cls in DATA_CLASSES}
    for cls in (DataManager, TimeFrame, EntityGroups):
        names[cls.__name__] = cls
    for name in wtb_aliases.__all__:
        names[name] = getattr(wtb_aliases, name)
    return dict(sorted(names.items()))
