"""napari's own Save Selected Layers, writing a key to its own file, saves that key.

The title's ``*`` says that some edit is only in memory: reopening what the session was
opened from would not give it back. A key written by napari's writer (``layer.save``,
File > Save Selected Layers) to the file the session reads it from holds its edits there,
so it is saved:

- a key read from a file of its own (a data file opened alone, a config item of one key):
  written to that file, and the file, read as the key is read (its format and options),
  gives the key back;
- a pose set read from a DeepLabCut table or a SLEAP file: written in that tool's format
  to that file (as Ctrl+S writes labels home, :mod:`.labelled_data_save`).

The session is saved, and the ``*`` goes, when no other key is added, edited or deleted and
no group changed since the last save (:meth:`.save_target.SaveTarget.keys_saved`). A
session kept in a session folder is saved by saving the folder: a key written elsewhere
leaves it as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox.io.session_paths import same_file
from napari_whiskertoolbox.io.write_back import is_own_file, read_back_difference
from napari_whiskertoolbox.workflow.registry import workflow_of

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from napari_whiskertoolbox.io.pose import PoseSet
    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.workflow.save_target import SaveTarget

__all__ = ["note_key_written", "note_pose_set_written"]


def note_key_written(
    session: ViewerSession, key: str, path: str | Path, *, read_back: bool = False
) -> None:
    """Call after napari's writer wrote ``key`` to ``path``: saved if that is its own file.

    ``read_back``: the writer checked already that ``path`` gives ``key`` back (written in
    its item's format and options), so it is not read again here.
    """
    target = _save_target(session)
    if target is None or key not in session.dm:
        return
    if not is_own_file(session.dm, key, path):
        return
    if read_back:
        target.keys_saved([key])
        return
    try:
        same = read_back_difference(session.dm, key, path) is None
    except (OSError, ValueError):  # the file was written; only whether it reads back is unknown
        same = False
    if same:
        target.keys_saved([key])


def note_pose_set_written(
    session: ViewerSession, pose: PoseSet, fmt: str, written: Iterable[str | Path]
) -> None:
    """Call after napari's writer wrote ``pose`` as ``fmt`` (``deeplabcut``, ``sleap``).

    Saved when ``written`` holds the file the pose set was read from and ``fmt`` is its
    format.
    """
    target = _save_target(session)
    if target is None or pose.source.get("format") != fmt:
        return
    source = pose.source.get("path")
    if any(same_file(source, path) for path in written):
        target.keys_saved(pose.all_keys())


def _save_target(session: ViewerSession) -> SaveTarget | None:
    """Return the session's :class:`~.save_target.SaveTarget`, unless a session folder holds it."""
    workflow = workflow_of(session)
    if workflow is None:
        return None
    target = workflow.save_target
    if session.path is not None and target.config() is None:
        return None  # a session folder: saved by saving the folder
    return target
