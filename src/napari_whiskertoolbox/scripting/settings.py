"""What a user set in the script runner, kept across napari restarts in one JSON file.

The file is ``script_runner.json`` in :func:`config_dir` (the user config folder, or
``$NAPARI_WHISKERTOOLBOX_CONFIG_DIR``), written atomically. A JSON file of our own rather
than napari's plugin settings (npe2 ``configurations``): those are a process-wide cache
whose folder can be set once per process (tests of a closed and reopened viewer need
their own folder), and much of this state is not a preference a settings dialog should
show (the unsaved editor buffer, the last folder). The file needs neither Qt nor napari, so headless runs could
read it too.

WhiskerToolbox keeps the same fields in its Python widget's state
(``PythonWidgetStateData``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.atomic import atomic_write_text
from napari_whiskertoolbox.io.user_dirs import user_config_dir
from napari_whiskertoolbox.scripting.namespace import DEFAULT_PRELUDE

if TYPE_CHECKING:
    import os

__all__ = [
    "ScriptRunnerSettings",
    "config_dir",
    "load_settings",
    "save_settings",
    "settings_path",
]

_FILE_NAME = "script_runner.json"
_VERSION = 1


def config_dir() -> Path:
    """Return the folder for the plugin's user files.

    ``$NAPARI_WHISKERTOOLBOX_CONFIG_DIR`` when set, else the platform's user config folder
    (``~/.config/napari-whiskertoolbox`` on Linux; not roaming on Windows).
    """
    return user_config_dir(roaming=False)


def settings_path() -> Path:
    """Return the settings file, ``script_runner.json`` in :func:`config_dir`."""
    return config_dir() / _FILE_NAME


@dataclass
class ScriptRunnerSettings:
    """Everything the script runner restores when napari starts again.

    Attributes
    ----------
    font_size : int
        Editor and output font size in points.
    show_line_numbers : bool
        Whether the editor shows its line-number gutter.
    auto_scroll : bool
        Whether the output pane follows new output.
    working_directory : str
        Folder code from the editor runs in (``""``: the process's; files run in their own
        folder).
    script_arguments : str
        ``sys.argv`` for runs, as a shell-like line (``""``: not set).
    prelude : str
        Code run in every fresh namespace.
    prelude_enabled : bool
        Whether the prelude runs.
    venv_path : str
        The active virtual environment (``""``: none).
    extra_venv_paths : list of str
        More places to look for environments.
    last_folder : str
        Folder of the last opened or saved script (file dialogs start there).
    editor_content : str
        The editor's text when it was last changed.
    editor_path : str
        File the editor showed (``""`` for an untitled script).
    editor_modified : bool
        Whether ``editor_content`` had unsaved changes.
    """

    font_size: int = 10
    show_line_numbers: bool = True
    auto_scroll: bool = True
    working_directory: str = ""
    script_arguments: str = ""
    prelude: str = DEFAULT_PRELUDE
    prelude_enabled: bool = True
    venv_path: str = ""
    extra_venv_paths: list[str] = field(default_factory=list)
    last_folder: str = ""
    editor_content: str = ""
    editor_path: str = ""
    editor_modified: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the settings as a JSON object (with a format version)."""
        return {"version": _VERSION, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: object) -> ScriptRunnerSettings:
        """Read settings from JSON; a missing or wrongly typed field keeps its default."""
        settings = cls()
        if not isinstance(data, dict):
            return settings
        for spec in dataclasses.fields(cls):
            if spec.name not in data:
                continue
            value = data[spec.name]
            default = getattr(settings, spec.name)
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool)
            elif isinstance(default, list):
                ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            else:
                ok = isinstance(value, str)
            if ok:
                setattr(settings, spec.name, value)
        settings.font_size = min(max(settings.font_size, 6), 48)
        return settings


def load_settings(path: str | os.PathLike[str] | None = None) -> ScriptRunnerSettings:
    """Return the saved settings (defaults when the file is missing or unreadable).

    Parameters
    ----------
    path : path-like, optional
        The settings file; :func:`settings_path` by default.
    """
    target = Path(path) if path is not None else settings_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ScriptRunnerSettings()
    return ScriptRunnerSettings.from_json(data)


def save_settings(
    settings: ScriptRunnerSettings, path: str | os.PathLike[str] | None = None
) -> bool:
    """Write ``settings`` atomically; return False when the folder is not writable.

    A read-only config folder must not stop anyone from working, so write errors are
    reported through the return value, not raised.
    """
    target = Path(path) if path is not None else settings_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, json.dumps(settings.to_json(), indent=1))
    except OSError:
        return False
    return True
