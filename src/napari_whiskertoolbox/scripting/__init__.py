"""Qt-free script engine: namespace, output capture, cancellation, headless runs.

Nothing here imports Qt or napari; the GUI dock lives in
:mod:`napari_whiskertoolbox.widgets.script_runner`.
"""

from __future__ import annotations

from .cancel import ScriptCancelled, check_cancelled
from .engine import RunResult, ScriptBusyError, ScriptEngine
from .importing import find_new_data, import_new_data
from .namespace import DEFAULT_PRELUDE, NamespaceEntry, ScriptInputError

__all__ = [
    "DEFAULT_PRELUDE",
    "NamespaceEntry",
    "RunResult",
    "ScriptBusyError",
    "ScriptCancelled",
    "ScriptEngine",
    "ScriptInputError",
    "check_cancelled",
    "find_new_data",
    "import_new_data",
]
