"""Tracebacks that show the user's code only.

Frames belonging to the script engine itself are dropped from the top of a traceback,
so the first frame shown is the script line (with its real file name, or ``<script-N>``
for code typed in the editor, whose source is registered in :mod:`linecache`). Frames of
this package (and of ``whiskertoolbox_python``) are dropped from the bottom, so a
traceback stops at the user's line that called ``dm`` rather than inside
``data_manager.py``; the error message itself names what was wrong.

An error caused by a missing DataManager key gets a note naming the key and the closest
one (:mod:`~napari_whiskertoolbox.scripting.missing_keys`).
"""

from __future__ import annotations

import linecache
import os
import traceback
from typing import TYPE_CHECKING

from napari_whiskertoolbox.scripting.missing_keys import lookup_key_notes, missing_key_notes

if TYPE_CHECKING:
    from collections.abc import Collection
    from types import TracebackType

__all__ = [
    "ENGINE_DIR",
    "PACKAGE_DIRS",
    "format_user_traceback",
    "register_source",
    "trim_engine_frames",
]

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
"""Folder of the scripting package; frames from files in it are engine frames."""

PACKAGE_DIRS = (
    os.path.dirname(ENGINE_DIR) + os.sep,
    os.path.join(os.path.dirname(os.path.dirname(ENGINE_DIR)), "whiskertoolbox_python") + os.sep,
)
"""Folders of our own packages; their frames after the user's last frame are dropped."""


def _filename(tb: TracebackType) -> str:
    filename = tb.tb_frame.f_code.co_filename
    return os.path.abspath(filename) if filename and not filename.startswith("<") else ""


def _is_engine_frame(tb: TracebackType) -> bool:
    filename = _filename(tb)
    return os.path.dirname(filename) == ENGINE_DIR if filename else False


def _is_package_frame(tb: TracebackType) -> bool:
    filename = _filename(tb)
    return filename.startswith(PACKAGE_DIRS) if filename else False


def trim_engine_frames(tb: TracebackType | None) -> TracebackType | None:
    """Return ``tb`` from the user's first frame to the user's last (``None`` if none is left).

    Engine frames at the start are dropped; at the end, frames of our own packages
    (the ``dm`` methods, the ``input()`` replacement, ...). Third-party frames (numpy,
    scipy) after the user's last line are kept. The chain is cut in place.
    """
    while tb is not None and _is_engine_frame(tb):
        tb = tb.tb_next
    last_user = tb
    entry = tb
    while entry is not None:
        if not _is_package_frame(entry):
            last_user = entry
        entry = entry.tb_next
    if last_user is not None:
        last_user.tb_next = None
    return tb


def format_user_traceback(exc: BaseException, keys: Collection[str] | None = None) -> str:
    """Format ``exc`` like the interpreter would, minus the engine's own frames.

    Parameters
    ----------
    exc : BaseException
        The exception raised by a script.
    keys : collection of str, optional
        The DataManager's keys: an error caused by a key not among them then gets a note
        naming the closest key.

    Returns
    -------
    str
        ``Traceback (most recent call last): ...`` text pointing at the script's files
        and lines; a ``SyntaxError`` shows the offending line and caret only.
    """
    notes = [] if keys is None else lookup_key_notes(exc, keys)  # reads the frames trimmed next
    tb = trim_engine_frames(exc.__traceback__)
    if keys is not None:
        notes += missing_key_notes(exc, tb, keys)
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return text + "".join(note + "\n" for note in notes)


def register_source(filename: str, source: str) -> None:
    """Make ``source`` available to :mod:`linecache` under the pseudo file ``filename``."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)
