"""Decode a script file's bytes as Python does, with an error naming the line and the fix."""

from __future__ import annotations

import codecs
import importlib.util
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os

__all__ = ["ScriptDecodeError", "decode_script"]

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
"""PEP 263's coding declaration (on line 1 or 2)."""
_EXPECTED = (
    "a Python script is UTF-8 unless a coding line on line 1 or 2 declares another "
    "encoding (PEP 263): save it as UTF-8, or add the line '# -*- coding: cp1252 -*-' "
    "(with its real encoding) at its top"
)


class ScriptDecodeError(ValueError):
    """A script's bytes are not text in its encoding (the message names the file and line)."""


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
    """Decode a script's bytes as Python reads the file (coding declaration, newlines).

    Raises
    ------
    ScriptDecodeError
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
            raise ScriptDecodeError(
                f"{path}, line {declared[0]}: the coding declaration names an unknown "
                f"encoding {encoding!r}; {_EXPECTED}"
            ) from None
    try:
        content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        what = f"{encoding} (its declared encoding)" if declared else "UTF-8"
        raise ScriptDecodeError(
            f"{path}, line {line}, column {column}: byte 0x{content[exc.start]:02x} is not "
            f"{what} text; {_EXPECTED}"
        ) from None
    raise ScriptDecodeError(f"{path}: cannot be read as Python text; {_EXPECTED}")
