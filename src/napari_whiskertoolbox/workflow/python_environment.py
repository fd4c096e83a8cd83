"""Set up Python environments for a napari process using the plugin.

Once per process, when the first session's workflow is installed: configs' ``python``
blocks are applied by the script engine's configurator (so a ``venv_path`` is activated),
and the environment chosen in the script runner in an earlier napari session is activated
again.
"""

from __future__ import annotations

import logging

from napari_whiskertoolbox.scripting.environment import (
    register_python_environment_configurator,
    restore_environment,
)
from napari_whiskertoolbox.scripting.settings import load_settings

__all__ = ["install_python_environment"]

_log = logging.getLogger(__name__)
_installed = False


def install_python_environment() -> str:
    """Register the configurator and restore the saved environment (first call only).

    Returns
    -------
    str
        Why the saved environment could not be activated, or ``""``.
    """
    global _installed
    register_python_environment_configurator()
    if _installed:
        return ""
    _installed = True
    problem = restore_environment(load_settings().venv_path)
    if problem:
        _log.warning(problem)
    return problem
