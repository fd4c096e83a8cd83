"""Apply a config's ``python`` block: WhiskerToolbox's Python environment configurator.

:func:`configure_python_environment` activates the block's ``venv_path``
(:mod:`~napari_whiskertoolbox.scripting.venv`), then puts ``prepend_sys_paths`` first on
:data:`sys.path` and checks ``required_imports``, in WhiskerToolbox's order.
:func:`register_python_environment_configurator` hands it to the config loader
(:func:`napari_whiskertoolbox.io.config.set_python_environment_configurator`), so
``io`` applies configs' blocks without importing the script engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.config import (
    apply_sys_paths_and_imports,
    set_python_environment_configurator,
)
from napari_whiskertoolbox.io.config_parse import PythonEnvironment
from napari_whiskertoolbox.scripting.venv import VenvError, activate_venv, active_venv_path

if TYPE_CHECKING:
    import os

__all__ = [
    "configure_python_environment",
    "register_python_environment_configurator",
    "restore_environment",
]


def configure_python_environment(
    environment: PythonEnvironment | Mapping[str, Any],
    base_dir: str | os.PathLike[str] | None = None,
) -> tuple[bool, str]:
    """Apply a ``python`` block: activate its environment, extend ``sys.path``, check imports.

    Parameters
    ----------
    environment : PythonEnvironment or mapping
        The block, parsed or as JSON (``venv_path``, ``prepend_sys_paths``,
        ``required_imports``, ``fail_on_missing_imports``). Anything else (a string of
        code, a list) gives ``(False, message)`` saying what a block is.
    base_dir : path-like, optional
        Folder relative paths of a JSON block are taken from (the current working
        directory by default; a config's folder when the loader calls).

    Returns
    -------
    tuple of (bool, str)
        ``(ok, message)``: ``ok`` False when the block is malformed, the environment
        cannot be activated or a required module is missing (``message`` says which,
        naming each missing module); ``ok`` True with a message when optional modules are
        missing.
    """
    if not isinstance(environment, PythonEnvironment):
        # anything but a parsed block goes through the parser, so that a string or a list
        # (a block written as code, a misplaced value) is a message, not an AttributeError
        block = dict(environment) if isinstance(environment, Mapping) else environment
        try:
            environment = PythonEnvironment.from_mapping(block, base_dir)
        except ValueError as exc:
            return False, str(exc)
    venv = environment.venv_path
    if venv is not None and active_venv_path() != venv.expanduser().resolve():
        try:
            activate_venv(venv)
        except VenvError as exc:
            return False, f"python.venv_path: {exc}"
    return apply_sys_paths_and_imports(environment)


def register_python_environment_configurator() -> None:
    """Make the config loader apply ``python`` blocks with :func:`configure_python_environment`."""
    set_python_environment_configurator(configure_python_environment)


def restore_environment(path: str | os.PathLike[str] | None) -> str:
    """Activate the environment saved from an earlier napari session, unless one is active.

    Returns
    -------
    str
        ``""`` when there is nothing to do or it worked; otherwise why the saved
        environment could not be activated (it is left inactive).
    """
    if not path or not str(path).strip() or active_venv_path() is not None:
        return ""
    try:
        activate_venv(path)
    except VenvError as exc:
        return f"the saved environment {path} was not activated: {exc}"
    return ""
