"""Which folder *Save as* writes the session to, given the folder the user picked.

The folder dialog asks where to save the session *in*. A folder that is empty (or does
not exist yet) or is already a session folder becomes the session folder. Any other
folder, such as a home or project folder holding other files, gets a new session folder
inside it, named after the session as a config's session folder is named beside it
(``exp.session`` for ``exp.json``, :func:`~napari_whiskertoolbox.io.routing.session_folder_for`),
under a free name (``exp_2.session``) when something there has that name already.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.io.routing import is_session_folder, session_folder_for

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["folder_name", "session_folder_in"]

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")
"""A file name's extension (``.json``, ``.mp4``, ``.session``), dropped from a session's name."""
UNNAMED = "session"


def folder_name(label: str | None) -> str:
    """Return the name of a new session folder's stem for a session named ``label``.

    ``label`` is the session's name as the window title shows it: a folder's or file's name
    loses its extension (``exp.json``, ``cam.mp4``, ``exp.session`` → ``exp``); a title
    such as ``Whisker session (sample)`` is kept as it is.

    Parameters
    ----------
    label : str or None
        The session's name (``None``: it has none).
    """
    name = (label or "").replace("/", "_").replace("\\", "_").strip()
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(f".{suffix}"):
        name = stem
    return name or UNNAMED


def session_folder_in(chosen: Path, name: str, current: Path | None = None) -> Path:
    """Return the session folder a save into the picked folder ``chosen`` writes.

    Parameters
    ----------
    chosen : Path
        The folder the user picked.
    name : str
        The new folder's stem (:func:`folder_name`).
    current : Path or None
        The session's own folder: saving there again is not a clash.

    Returns
    -------
    Path
        ``chosen`` itself when it is empty, new or a session folder; else
        ``chosen/<name>.session``, or the first free ``chosen/<name>_<n>.session``.
    """
    if not chosen.is_dir() or is_session_folder(chosen) or not any(chosen.iterdir()):
        return chosen

    def inside(stem: str) -> Path:  # named as the session folder of a config <stem>.json
        return session_folder_for(chosen / f"{stem}.json")

    def taken(stem: str) -> bool:
        folder = inside(stem)
        return folder.exists() and folder != current

    return inside(first_free(name, taken))
