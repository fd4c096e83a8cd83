"""Recognise what a batch wrote, so that a later batch's session globs leave it out.

A batch's output folder holds its :data:`~.markers.LOCK_FILE` (from its start) and its
report files (at its end). Anything below such a folder is a batch's output: its report,
its completion markers, the session folders it saved (loaded again, those would run a
second time under other names). A session saved beside its input (``save_beside_input``)
is the user's session from then on, and is not left out: its
:data:`~.markers.MARKER_FILE` alone does not make it a batch's output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox.batch.markers import LOCK_FILE, MARKER_FILE
from napari_whiskertoolbox.batch.report import REPORT_FILES

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BATCH_FILE_NAMES", "BatchOutputs", "is_batch_file"]

BATCH_FILE_NAMES = frozenset({MARKER_FILE, *REPORT_FILES.values()})
"""Files a batch writes that a glob for configs (``*.json``, ``*.csv``) would match."""
_OUTPUT_SIGNS = (LOCK_FILE, REPORT_FILES["report_json"])
"""Files only a batch's output folder holds."""


def is_batch_file(path: Path) -> bool:
    """Return whether ``path`` is one of a batch's own files (a report, a completion marker)."""
    return path.name in BATCH_FILE_NAMES


class BatchOutputs:
    """Tell whether paths lie in something a batch wrote, below a given folder.

    Parameters
    ----------
    root : Path
        The folder the user named (a glob pattern's fixed part): a batch output at or
        above it was chosen on purpose (a second batch run on a first one's sessions)
        and counts as input.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._known: dict[Path, bool] = {}

    def _is_output_folder(self, folder: Path) -> bool:
        if folder not in self._known:
            self._known[folder] = any((folder / name).is_file() for name in _OUTPUT_SIGNS)
        return self._known[folder]

    def written_by_a_batch(self, path: Path) -> Path | None:
        """Return the folder a batch wrote that holds ``path`` (or is it), else ``None``.

        Only folders strictly below :attr:`root` are looked at.
        """
        path = path.resolve()
        start = path if path.is_dir() else path.parent
        for folder in (start, *start.parents):
            if folder == self.root or self.root not in folder.parents:
                return None
            if self._is_output_folder(folder):
                return folder
        return None
