"""The folder of the user's own files: settings, recent scripts, the pipeline library."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "CONFIG_DIR_ENV", "user_cache_dir", "user_config_dir"]

APP_NAME = "napari-whiskertoolbox"
CONFIG_DIR_ENV = "NAPARI_WHISKERTOOLBOX_CONFIG_DIR"
"""Environment variable naming the folder of every user file (tests point it to a tmp dir)."""


def user_config_dir(roaming: bool = True) -> Path:
    r"""Return this application's user config folder (not created).

    ``$NAPARI_WHISKERTOOLBOX_CONFIG_DIR`` when set; else platformdirs' user config folder:
    ``$XDG_CONFIG_HOME/napari-whiskertoolbox`` (default ``~/.config``) on Linux,
    ``~/Library/Application Support/napari-whiskertoolbox`` on macOS, and on Windows
    ``%APPDATA%\napari-whiskertoolbox`` (``roaming``: the pipeline library and user
    transforms) or ``%LOCALAPPDATA%\napari-whiskertoolbox`` (the script runner's settings).
    """
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=roaming))


def user_cache_dir() -> Path:
    r"""Return this application's user cache folder (not created).

    platformdirs' user cache folder: ``$XDG_CACHE_HOME/napari-whiskertoolbox`` (default
    ``~/.cache``) on Linux, ``~/Library/Caches/napari-whiskertoolbox`` on macOS,
    ``%LOCALAPPDATA%\napari-whiskertoolbox\Cache`` on Windows. Files there can be made again.
    """
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
