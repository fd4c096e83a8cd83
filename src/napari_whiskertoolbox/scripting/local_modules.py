"""A script's own modules: its folder on ``sys.path``, edited modules imported afresh.

``python analysis.py`` puts the script's folder first on ``sys.path``, so the script can
``import helpers`` from a ``helpers.py`` beside it. The engine does the same for each run
of a file (and for code run in a chosen working folder, as ``python -c`` uses the current
folder). The engine's interpreter lives on between runs, so a module imported once would
stay cached; :class:`LocalModules` notes the modules imported from those folders and drops
the ones whose file changed since, so the next run imports the edited code (as a fresh
``python analysis.py`` would). Unchanged modules stay imported: their classes and state
stay the same objects between runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["LocalModules"]


def _mtime_ns(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder) and path[len(folder) : len(folder) + 1] in (os.sep, "/")


class LocalModules:
    """Modules imported from scripts' folders, with their source file's modification time."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, int | None]] = {}
        self._lock = threading.Lock()

    def forget_edited(self) -> list[str]:
        """Drop from ``sys.modules`` the noted modules whose file changed or went away.

        Returns
        -------
        list of str
            The module names dropped (the next ``import`` reads their files again).
        """
        with self._lock:
            dropped = []
            for name, (file, mtime) in list(self._seen.items()):
                module = sys.modules.get(name)
                if module is None or getattr(module, "__file__", None) != file:
                    del self._seen[name]  # gone or replaced by someone else: not ours to drop
                    continue
                if _mtime_ns(file) != mtime:
                    del sys.modules[name]
                    del self._seen[name]
                    dropped.append(name)
            return dropped

    def note(self, folder: str) -> None:
        """Note every imported module whose file lies in ``folder`` (a resolved path)."""
        with self._lock:
            for name, module in list(sys.modules.items()):
                file = getattr(module, "__file__", None)
                if isinstance(file, str) and name not in self._seen and _inside(file, folder):
                    self._seen[name] = (file, _mtime_ns(file))

    @contextlib.contextmanager
    def importing_from(self, folder: Path | None) -> Iterator[None]:
        """Put ``folder`` first on ``sys.path`` while the block runs (``None``: nothing).

        Edited modules noted earlier are dropped first; afterwards the modules imported
        from ``folder`` are noted and the ``sys.path`` entry is removed again (other
        changes the script made to ``sys.path`` stay, as they would in a console).
        """
        if folder is None:
            yield
            return
        entry = str(folder)
        self.forget_edited()
        sys.path.insert(0, entry)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)
            self.note(entry)
