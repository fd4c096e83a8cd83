"""Tracebacks that show the user's code only.

Frames belonging to the script engine itself are dropped from the top of a traceback,
so the first frame shown is the script line (with its real file name, or ``<script-N>``
for code typed in the editor, whose source is registered in :mod:`linecache`).
"""

from __future__ import annotations

import linecache
import os
import traceback
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["ENGINE_DIR", "format_user_traceback", "register_source", "trim_engine_frames"]

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
"""Folder of the scripting package; frames from files in it are engine frames."""


def _is_engine_frame(tb: TracebackType) -> bool:
    filename = tb.tb_frame.f_code.co_filename
    return os.path.dirname(os.path.abspath(filename)) == ENGINE_DIR if filename else False


def trim_engine_frames(tb: TracebackType | None) -> TracebackType | None:
    """Return ``tb`` without engine frames at its start and end (``None`` if nothing is left).

    Trailing engine frames come from helpers such as the ``input()`` replacement; the
    traceback chain is cut in place after the last user frame.
    """
    while tb is not None and _is_engine_frame(tb):
        tb = tb.tb_next
    last_user = tb
    entry = tb
    while entry is not None:
        if not _is_engine_frame(entry):
            last_user = entry
        entry = entry.tb_next
    if last_user is not None:
        last_user.tb_next = None
    return tb


def format_user_traceback(exc: BaseException) -> str:
    """Format ``exc`` like the interpreter would, minus the engine's own frames.

    Parameters
    ----------
    exc : BaseException
        The exception raised by a script.

    Returns
    -------
    str
        ``Traceback (most recent call last): ...`` text pointing at the script's files
        and lines; a ``SyntaxError`` shows the offending line and caret only.
    """
    tb = trim_engine_frames(exc.__traceback__)
    return "".join(traceback.format_exception(type(exc), exc, tb))


def register_source(filename: str, source: str) -> None:
    """Make ``source`` available to :mod:`linecache` under the pseudo file ``filename``."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)
