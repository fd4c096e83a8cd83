"""Qt-free script engine: namespace, output capture, cancellation, headless runs.

Nothing here imports Qt or napari; the GUI dock lives in
:mod:`napari_whiskertoolbox.widgets.script_runner`.
"""

from __future__ import annotations

from napari_whiskertoolbox.scripting.batch import (
    EntityRef,
    entities_in_group,
    frames_with_data,
    intervals_of,
)
from napari_whiskertoolbox.scripting.cancel import ScriptCancelled, check_cancelled
from napari_whiskertoolbox.scripting.engine import RunResult, ScriptBusyError, ScriptEngine
from napari_whiskertoolbox.scripting.importing import find_new_data, import_new_data
from napari_whiskertoolbox.scripting.namespace import (
    DEFAULT_PRELUDE,
    NamespaceEntry,
    ScriptInputError,
)

__all__ = [
    "DEFAULT_PRELUDE",
    "EntityRef",
    "NamespaceEntry",
    "RunResult",
    "ScriptBusyError",
    "ScriptCancelled",
    "ScriptEngine",
    "ScriptInputError",
    "check_cancelled",
    "entities_in_group",
    "find_new_data",
    "frames_with_data",
    "import_new_data",
    "intervals_of",
]
