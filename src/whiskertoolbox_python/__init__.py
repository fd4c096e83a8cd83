"""WhiskerToolbox-compatible names: ``from whiskertoolbox_python import *``.

Scripts written for WhiskerToolbox's Python console import their types from here; the
objects are napari-whiskertoolbox's own (camelCase methods are thin aliases). The names
come from :func:`napari_whiskertoolbox.core.script_types`.

``wt.plot(key_or_series)`` and ``wt.plot_key(key)`` add timeline lanes
(:mod:`napari_whiskertoolbox.scripting.display`); they are module attributes only, left out
of ``import *`` so that they never shadow a script's own ``plot``.
"""

from napari_whiskertoolbox.core import script_types
from napari_whiskertoolbox.scripting.display import plot as plot
from napari_whiskertoolbox.scripting.display import plot_key as plot_key

globals().update(script_types())
__all__ = list(script_types())
