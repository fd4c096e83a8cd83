"""WhiskerToolbox-compatible names: ``from whiskertoolbox_python import *``.

Scripts written for WhiskerToolbox's Python console import their types from here; the
objects are napari-whiskertoolbox's own (camelCase methods are thin aliases). The names
come from :func:`napari_whiskertoolbox.core.script_types`.
"""

from napari_whiskertoolbox.core import script_types

globals().update(script_types())
__all__ = list(script_types())
