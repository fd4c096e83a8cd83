"""Folders of one file per frame (line CSVs, mask images): what a save must not leave behind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

__all__ = ["refuse_stale_frame_files"]


def refuse_stale_frame_files(
    root: Path,
    frames: Iterable[int],
    files: Iterable[Path],
    frame_of: Callable[[Path], int | None],
    what: str,
) -> None:
    """Refuse to save into ``root`` when it holds a frame file of a frame not written now.

    Saving never deletes: such a file (an earlier save's frame, deleted since) would be
    read back as data on that frame.

    Parameters
    ----------
    root : Path
        The folder (nothing is checked when it does not exist).
    frames : iterable of int
        The frames being written.
    files : iterable of Path
        The folder's candidate files, in the order to report them.
    frame_of : callable
        The frame a file holds, or None when it is no frame file.
    what : str
        What one file holds, for the message (``"a line file"``).

    Raises
    ------
    FormatError
        Naming the first such file and its frame.
    """
    if not root.is_dir():
        return
    wanted = set(frames)
    for file in files:
        frame = frame_of(file)
        if frame is not None and frame not in wanted:
            raise FormatError(
                f"the folder already holds {what} for frame {frame} ({file.name}), which "
                "would be read back as data there; write into an empty folder",
                path=root,
            )
