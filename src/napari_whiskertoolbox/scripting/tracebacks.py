"""Tracebacks that show the user's code only.

Frames belonging to the script engine itself are dropped from the top of a traceback,
so the first frame shown is the script line (with its real file name, or ``<script-N>``
for code typed in the editor, whose source is registered in :mod:`linecache`). Frames of
this package (and of ``whiskertoolbox_python``) are dropped from the bottom, so a
traceback stops at the user's line that called ``dm`` rather than inside
``data_manager.py``; the error message itself names what was wrong.

WhiskerToolbox's ``dm.getData`` returns None for a key it lacks, so a misspelt key shows
up lines later as "'NoneType' object has no attribute ...". Such an error gets a note
naming the ``dm.getData("...")`` call of the user's code whose key does not exist, and the
closest key.
"""

from __future__ import annotations

import linecache
import os
import re
import traceback
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.close_match import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Collection
    from types import TracebackType

__all__ = [
    "ENGINE_DIR",
    "PACKAGE_DIRS",
    "format_user_traceback",
    "missing_key_notes",
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
        The DataManager's keys: an error about ``None`` then gets :func:`missing_key_notes`.

    Returns
    -------
    str
        ``Traceback (most recent call last): ...`` text pointing at the script's files
        and lines; a ``SyntaxError`` shows the offending line and caret only.
    """
    tb = trim_engine_frames(exc.__traceback__)
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    if keys is not None:
        text += "".join(note + "\n" for note in missing_key_notes(exc, tb, keys))
    return text


_GET_DATA = re.compile(r"""\bgetData\(\s*(["'])([^"'\\]+)\1\s*\)""")
"""A ``getData("key")`` call with a literal key."""


def missing_key_notes(
    exc: BaseException, tb: TracebackType | None, keys: Collection[str]
) -> list[str]:
    """Name the ``dm.getData("key")`` calls, of a key not in ``keys``, behind an error about None.

    Only for an ``AttributeError`` or ``TypeError`` whose message names ``NoneType``; the
    calls are looked for in the source lines of the traceback's frames, up to each
    frame's current line.

    Returns
    -------
    list of str
        E.g. ``"note: dm.getData('angel') on line 3 returned None: there is no key
        'angel' (did you mean 'angle'?)"``; empty when nothing fits.
    """
    if not isinstance(exc, (AttributeError, TypeError)) or "NoneType" not in str(exc):
        return []
    notes: list[str] = []
    entry = tb
    while entry is not None:
        lines = linecache.getlines(entry.tb_frame.f_code.co_filename)
        for number, line in enumerate(lines[: entry.tb_lineno], start=1):
            for match in _GET_DATA.finditer(line):
                key = match.group(2)
                if key in keys:
                    continue
                note = (
                    f"note: dm.getData({key!r}) on line {number} returned None: there is no "
                    f"key {key!r}{did_you_mean(key, keys)}"
                )
                if note not in notes:
                    notes.append(note)
        entry = entry.tb_next
    return notes


def register_source(filename: str, source: str) -> None:
    """Make ``source`` available to :mod:`linecache` under the pseudo file ``filename``."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)
