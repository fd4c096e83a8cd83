"""Qt-free script engine: namespace, output capture, cancellation, headless runs, processors.

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
from napari_whiskertoolbox.scripting.display import plot, plot_key
from napari_whiskertoolbox.scripting.engine import RunResult, ScriptBusyError, ScriptEngine
from napari_whiskertoolbox.scripting.environment import (
    configure_python_environment,
    register_python_environment_configurator,
)
from napari_whiskertoolbox.scripting.headless import load_for_script
from napari_whiskertoolbox.scripting.importing import find_new_data, import_new_data
from napari_whiskertoolbox.scripting.namespace import (
    DEFAULT_PRELUDE,
    NamespaceEntry,
    ScriptInputError,
)
from napari_whiskertoolbox.scripting.processors import (
    ProcessorCancelled,
    ProcessorError,
    ProcessorResult,
    plan_processor,
    run_processor,
)
from napari_whiskertoolbox.scripting.venv import (
    InstallResult,
    VenvError,
    activate_venv,
    active_venv_path,
    deactivate_venv,
    discover_venvs,
    install_package,
    is_venv_active,
    list_inherited_packages,
    list_installed_packages,
    validate_venv,
)

__all__ = [
    "DEFAULT_PRELUDE",
    "EntityRef",
    "InstallResult",
    "NamespaceEntry",
    "ProcessorCancelled",
    "ProcessorError",
    "ProcessorResult",
    "RunResult",
    "ScriptBusyError",
    "ScriptCancelled",
    "ScriptEngine",
    "ScriptInputError",
    "VenvError",
    "activate_venv",
    "active_venv_path",
    "check_cancelled",
    "configure_python_environment",
    "deactivate_venv",
    "discover_venvs",
    "entities_in_group",
    "find_new_data",
    "frames_with_data",
    "import_new_data",
    "install_package",
    "intervals_of",
    "is_venv_active",
    "list_inherited_packages",
    "list_installed_packages",
    "load_for_script",
    "plan_processor",
    "plot",
    "plot_key",
    "register_python_environment_configurator",
    "run_processor",
    "validate_venv",
]
