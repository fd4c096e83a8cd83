"""Tracebacks that show the user's code only.

Frames belonging to the script engine itself are dropped from the top of a traceback,
so the first frame shown is the script line (with its real file name, or ``<script-N>``
for code typed in the editor, whose source is registered in :mod:`linecache`). Frames of
this package (and of ``whiskertoolbox_python``) are dropped from the bottom, so a
traceback stops at the user's line that called ``dm`` rather than inside
``data_manager.py``; the error message itself names what was wrong.

An error caused by a missing DataManager key gets a note naming the key and the closest
one (:mod:`~napari_whiskertoolbox.scripting.missing_keys`); a misspelt attribute or name
gets a "did you mean" note on Python 3.11 too
(:mod:`~napari_whiskertoolbox.scripting.name_hints`).
"""

from __future__ import annotations

import functools
import linecache
import os
import re
import traceback
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from napari_whiskertoolbox.scripting.missing_keys import missing_key_notes
from napari_whiskertoolbox.scripting.name_hints import name_hint_notes

if TYPE_CHECKING:
    from collections.abc import Collection
    from types import TracebackType

__all__ = [
    "ENGINE_DIR",
    "PACKAGE_DIRS",
    "CaretSpan",
    "format_user_traceback",
    "lift_caret_lines",
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
    tb = trim_engine_frames(exc.__traceback__)
    notes = [] if keys is None else missing_key_notes(exc, tb, keys)
    notes += name_hint_notes(exc, tb)
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return text + "".join(note + "\n" for note in notes)


def register_source(filename: str, source: str) -> None:
    """Make ``source`` available to :mod:`linecache` under the pseudo file ``filename``."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)


@dataclass(frozen=True)
class CaretSpan:
    """Characters of a traceback's code line that Python marked with ``^`` or ``~``.

    Attributes
    ----------
    start, end : int
        Offsets of the marked characters in the text :func:`lift_caret_lines` returns.
    primary : bool
        ``^`` (what failed: the call, the operator, the subscript) rather than ``~`` (its
        operands, in Python 3.11+).
    """

    start: int
    end: int
    primary: bool


_FILE_LINE = re.compile(r' {2}File ".*", line \d+')
"""A frame's first line (``in <function>`` follows, but not for a ``SyntaxError``)."""
_CODE_INDENT = " " * 4
"""Indent of a frame's code lines, and of their caret lines."""
_CARET_LINE = re.compile(r"( *)([~^]+) *")
"""A marker line: spaces up to the marked column, then ``^`` / ``~`` only."""


def lift_caret_lines(text: str) -> tuple[str, list[CaretSpan]]:
    """Drop the ``^^^`` marker lines of the tracebacks in ``text``; return where they pointed.

    Python 3.11+ puts a line of ``^`` (and ``~``) under a frame's code line, each marker in
    the column of the character it marks. Where lines wrap (a narrow pane) or the code line
    is shown in a proportional font, the markers no longer sit under their characters;
    highlighting the characters themselves stays right however the line is laid out.

    A marker line is only taken as one right under a frame's code line (the lines after
    ``  File "...", line N``), and only when it ends within that line; any other text,
    including lines of ``^`` printed by the script, is kept as it is.

    Parameters
    ----------
    text : str
        Output holding tracebacks as :func:`format_user_traceback` or Python prints them.

    Returns
    -------
    tuple of (str, list of CaretSpan)
        ``text`` without its marker lines, and the marked characters of the code lines in
        it (one span per run of ``^`` or of ``~``).
    """
    kept: list[str] = []
    spans: list[CaretSpan] = []
    offset = 0
    in_frame = False
    code: tuple[int, str] | None = None  # offset and text of the code line just kept
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        marks = _marked_columns(content, code[1]) if code is not None else None
        if marks is not None and code is not None:
            spans.extend(CaretSpan(code[0] + a, code[0] + b, primary) for a, b, primary in marks)
            code = None
            continue
        if _FILE_LINE.match(content):
            in_frame, code = True, None
        elif in_frame and content.startswith(_CODE_INDENT):
            code = (offset, content)
        else:
            in_frame, code = False, None
        kept.append(line)
        offset += len(line)
    return "".join(kept), spans


def _marked_columns(markers: str, code: str) -> list[tuple[int, int, bool]] | None:
    """Character ranges of ``code`` under the markers of ``markers`` (None: not a marker line)."""
    match = _CARET_LINE.fullmatch(markers)
    if match is None or len(match.group(1)) < len(_CODE_INDENT):
        return None
    runs: list[tuple[int, int, bool]] = []
    column = len(match.group(1))
    for run in re.finditer(r"\^+|~+", match.group(2)):
        start = _char_at_column(code, column + run.start())
        end = _char_at_column(code, column + run.end())
        if start is None or end is None or end <= start:
            return None
        runs.append((start, end, run.group().startswith("^")))
    return runs


def _char_at_column(line: str, column: int) -> int | None:
    """Index of the character of ``line`` starting at display ``column`` (None: past its end).

    A column counts a wide character (CJK, emoji) as two when this Python's tracebacks do.
    """
    if line.isascii() or not _carets_count_display_width():
        return column if column <= len(line) else None
    width = 0
    for index, char in enumerate(line):
        if width >= column:
            return index
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return len(line) if width >= column else None


@functools.cache
def _carets_count_display_width() -> bool:
    """Whether this Python aligns carets to wide characters as two columns (3.11.7 does)."""
    filename = "<caret-probe>"
    source = "全 = 1; 全 + None\n"
    register_source(filename, source)
    try:
        exec(compile(source, filename, "exec"), {})
    except TypeError as exc:
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        carets = "".join(lines).splitlines()[-2]
        return len(carets) - len(carets.lstrip()) == len(_CODE_INDENT) + len("全 = 1; ") + 1
    finally:
        linecache.cache.pop(filename, None)
    return False
