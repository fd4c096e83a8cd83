"""Read and write ``.py`` files in the encoding Python itself uses for them (PEP 263).

Python reads a source file as UTF-8 unless one of its first two lines declares another
encoding (``# -*- coding: latin-1 -*-``). The script runner read every file as UTF-8, so a
Latin-1 file with such a line failed with ``'utf-8' codec can't decode byte 0xe9 in position
5`` (no file, no line), and one without it with the same bare message. The script runner,
the script engine and batch runs all read scripts here.
"""

from __future__ import annotations

import codecs
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os

__all__ = [
    "ScriptEncodingError",
    "declared_encoding",
    "decode_script",
    "encode_script",
    "read_script",
]

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
"""PEP 263's coding declaration (on line 1 or 2)."""
_EXPECTED = (
    "a Python script is UTF-8 unless a coding line on line 1 or 2 declares another "
    "encoding (PEP 263): save it as UTF-8, or add the line '# -*- coding: cp1252 -*-' "
    "(with its real encoding) at its top"
)


class ScriptEncodingError(ValueError):
    """A script's bytes do not decode, or its text does not encode, in its encoding.

    The message names the file, the line (and column) and what is expected.
    """


def _declared(content: bytes) -> tuple[int, str] | None:
    """Return the line and encoding of the coding declaration, if line 1 or 2 has one."""
    for number, line in enumerate(content.splitlines()[:2], start=1):
        match = _CODING.match(line)
        if match:
            return number, match.group(1).decode("ascii", "replace")
        if line.strip() and not line.lstrip().startswith(b"#"):
            return None  # code on line 1: line 2 cannot declare
    return None


def decode_script(content: bytes, path: str | os.PathLike[str]) -> str:
    """Decode a script's bytes as Python reads the file (byte-order mark, coding line, newlines).

    Parameters
    ----------
    content : bytes
        The file's bytes.
    path : str or PathLike
        The file, named in errors.

    Returns
    -------
    str
        Its text, line endings as LF.

    Raises
    ------
    ScriptEncodingError
        The bytes are not text in the declared encoding (UTF-8 without a declaration),
        or the declaration names an unknown encoding; the message names the file, the
        line of the first bad byte (or of the declaration) and what is expected.
    """
    try:
        return importlib.util.decode_source(content)
    except (SyntaxError, UnicodeDecodeError):
        pass
    declared = _declared(content)
    encoding = declared[1] if declared else "utf-8"
    if declared is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ScriptEncodingError(
                f"{path}, line {declared[0]}: the coding declaration names an unknown "
                f"encoding {encoding!r}; {_EXPECTED}"
            ) from None
    try:
        content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        what = f"{encoding} (its declared encoding)" if declared else "UTF-8"
        raise ScriptEncodingError(
            f"{path}, line {line}, column {column}: byte 0x{content[exc.start]:02x} is not "
            f"{what} text; {_EXPECTED}"
        ) from None
    raise ScriptEncodingError(f"{path}: cannot be read as Python text; {_EXPECTED}")


def read_script(path: str | Path) -> str:
    """Return the text of the Python file at ``path``, decoded as Python would decode it.

    Parameters
    ----------
    path : str or Path
        The ``.py`` file.

    Returns
    -------
    str
        Its text (:func:`decode_script`).

    Raises
    ------
    OSError
        If the file cannot be read.
    ScriptEncodingError
        See :func:`decode_script`.
    """
    return decode_script(Path(path).read_bytes(), path)


def declared_encoding(text: str) -> str:
    """Return the encoding ``text``'s PEP 263 coding line declares (first two lines), else UTF-8.

    Raises
    ------
    ScriptEncodingError
        If the coding line names an encoding Python does not know.
    """
    declared = _declared("\n".join(text.split("\n", 2)[:2]).encode("utf-8"))
    if declared is None:
        return "utf-8"
    try:
        return codecs.lookup(declared[1]).name
    except LookupError:
        raise ScriptEncodingError(
            f"the coding line names an unknown encoding: {declared[1]!r}"
        ) from None


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
