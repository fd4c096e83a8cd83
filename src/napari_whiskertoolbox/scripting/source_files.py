"""Read and write ``.py`` files in the encoding Python itself uses for them (PEP 263).

Python reads a source file as UTF-8 unless one of its first two lines declares another
encoding (``# -*- coding: latin-1 -*-``). The script runner read every file as UTF-8, so a
Latin-1 file with such a line failed with ``'utf-8' codec can't decode byte 0xe9 in position
5`` (no file, no line), and one without it with the same bare message.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from pathlib import Path

__all__ = ["ScriptEncodingError", "declared_encoding", "encode_script", "read_script"]

_CODING_LINE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
"""PEP 263's pattern for the encoding declaration."""


class ScriptEncodingError(ValueError):
    """A script's bytes do not decode, or its text does not encode, in its encoding."""


def _where(data: bytes, offset: int) -> tuple[int, int]:
    """Return the (line, column) of byte ``offset`` in ``data``, both counted from 1."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def read_script(path: str | Path) -> str:
    """Return the text of the Python file at ``path``, decoded as Python would decode it.

    A UTF-8 byte-order mark or a PEP 263 coding line chooses the encoding; otherwise it is
    UTF-8. Line endings become LF.

    Parameters
    ----------
    path : str or Path
        The ``.py`` file.

    Returns
    -------
    str
        Its text.

    Raises
    ------
    OSError
        If the file cannot be read.
    ScriptEncodingError
        If its coding line names an unknown encoding, or a byte does not decode: the message
        names the file, the line and column, the byte and what was expected.
    """
    script = Path(path)
    data = script.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in str(exc.msg):
            # an unknown encoding, or a BOM with a coding line of another encoding
            raise ScriptEncodingError(f"{script}: {exc.msg}") from None
        encoding = "utf-8"  # a first line that is not UTF-8: the decoding below says where
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, column = _where(data, exc.start)
        byte = data[exc.start]
        if encoding in ("utf-8", "utf-8-sig"):
            expected = (
                "Python reads .py files as UTF-8 unless a coding line in the first two "
                "lines names another encoding, e.g. '# -*- coding: latin-1 -*-' (PEP 263): "
                "save the file as UTF-8 or add the coding line of the encoding it was saved in"
            )
        else:
            expected = f"the file's coding line declares {encoding}"
        raise ScriptEncodingError(
            f"{script}: line {line}, column {column}: byte 0x{byte:02x} is not valid "
            f"{encoding}; {expected}"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def declared_encoding(text: str) -> str:
    """Return the encoding ``text``'s PEP 263 coding line declares (first two lines), else UTF-8.

    Raises
    ------
    ScriptEncodingError
        If the coding line names an encoding Python does not know.
    """
    for line in text.split("\n", 2)[:2]:
        match = _CODING_LINE.match(line)
        if match:
            name = match.group(1)
            try:
                return codecs.lookup(name).name
            except LookupError:
                raise ScriptEncodingError(
                    f"the coding line names an unknown encoding: {name!r}"
                ) from None
        if line.strip() and not line.lstrip().startswith("#"):
            break  # a coding line must come before any code
    return "utf-8"


def encode_script(text: str, path: str | Path) -> bytes:
    """Return ``text`` encoded as its coding line declares (UTF-8 without one), for ``path``.

    Raises
    ------
    ScriptEncodingError
        If a character of ``text`` has no byte in the declared encoding (the message names
        the file, the line and column, and the character).
    """
    try:
        encoding = declared_encoding(text)
    except ScriptEncodingError as exc:
        raise ScriptEncodingError(f"{path}: {exc}") from None
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        before = text[: exc.start]
        line = before.count("\n") + 1
        column = exc.start - (before.rfind("\n") + 1) + 1
        raise ScriptEncodingError(
            f"{path}: line {line}, column {column}: {text[exc.start]!r} cannot be written in "
            f"{encoding}, the encoding the file's coding line declares: change that line "
            "(or remove it, for UTF-8) or the character"
        ) from None
