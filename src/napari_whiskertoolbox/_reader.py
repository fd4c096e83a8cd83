"""npe2 readers: load a config, session folder, video or TIFF stack into the viewer's session.

Each ``get_*_reader`` returns ``None`` for paths it does not handle, else a reader that
loads the path into the session of ``napari.current_viewer()`` (offering the autosave a
crashed session left for that path, if any) and returns napari's "layers already added"
sentinel ``[(None,)]``: the session's bindings create the layers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "get_config_reader",
    "get_media_reader",
    "get_session_reader",
    "looks_like_config",
]

MEDIA_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".tif", ".tiff")
ALREADY_ADDED: list[tuple[None]] = [(None,)]

ReaderFunction = Callable[[Any], list[tuple[Any, ...]]]


def looks_like_config(path: str | Path) -> bool:
    """Whether ``path`` is a WhiskerToolbox JSON config (list form or object form)."""
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if isinstance(content, dict):
        content = content.get("data")
    return (
        isinstance(content, list)
        and bool(content)
        and all(isinstance(item, dict) and "data_type" in item for item in content)
    )


def _single_path(path: Any) -> Path | None:
    if isinstance(path, (list, tuple)):
        if len(path) != 1:
            return None
        path = path[0]
    return Path(path)


def _load_into_current_viewer(path: Any) -> list[tuple[None]]:
    import napari

    from .layers.autosave import offer_recovery
    from .layers.session import get_session

    viewer = napari.current_viewer()
    if viewer is None:
        raise RuntimeError(f"cannot open {path}: there is no napari viewer to load it into")
    session = get_session(viewer)
    session.open(_single_path(path))
    offer_recovery(session)
    return ALREADY_ADDED


def get_config_reader(path: str | list[str]) -> ReaderFunction | None:
    """Reader for a WhiskerToolbox JSON config, or ``None``."""
    single = _single_path(path)
    return _load_into_current_viewer if single and looks_like_config(single) else None


def _is_image_folder(folder: Path) -> bool:
    from .media.image_folder import DEFAULT_IMAGE_EXTENSIONS

    return any(
        entry.suffix.lower() in DEFAULT_IMAGE_EXTENSIONS
        for entry in folder.iterdir()
        if entry.is_file()
    )


def get_session_reader(path: str | list[str]) -> ReaderFunction | None:
    """Reader for a saved session folder (holding ``session.json``) or an image folder."""
    from .io.session import SESSION_FILE

    single = _single_path(path)
    if single is None or not single.is_dir():
        return None
    if (single / SESSION_FILE).is_file() or _is_image_folder(single):
        return _load_into_current_viewer
    return None


def get_media_reader(path: str | list[str]) -> ReaderFunction | None:
    """Reader for a video file or TIFF stack, or ``None``."""
    single = _single_path(path)
    if single is None or single.suffix.lower() not in MEDIA_SUFFIXES or not single.is_file():
        return None
    return _load_into_current_viewer
