"""Most-recently-used script list, kept in a small JSON file in the user config folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.scripting.settings import config_dir

if TYPE_CHECKING:
    import os

__all__ = ["RecentFiles", "default_recent_files_path"]


def default_recent_files_path() -> Path:
    """``recent_scripts.json`` in the plugin's user config folder (:func:`config_dir`)."""
    return config_dir() / "recent_scripts.json"


class RecentFiles:
    """Ordered list of recently opened or saved scripts, newest first.

    Parameters
    ----------
    path : path-like, optional
        JSON file backing the list; :func:`default_recent_files_path` by default.
    limit : int
        Number of entries kept.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, limit: int = 10) -> None:
        self.path = Path(path) if path is not None else default_recent_files_path()
        self.limit = limit

    def load(self) -> list[str]:
        """Return the stored entries that still exist on disk (a missing or corrupt file gives ``[]``)."""
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(entries, list):
            return []
        return [entry for entry in entries if isinstance(entry, str) and Path(entry).is_file()]

    def add(self, script: str | os.PathLike[str]) -> list[str]:
        """Move ``script`` to the front, store the list and return it."""
        entry = str(Path(script).resolve())
        entries = [entry] + [old for old in self.load() if old != entry]
        entries = entries[: self.limit]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(entries, indent=1), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            pass  # a read-only config folder must not stop the user from working
        return entries
