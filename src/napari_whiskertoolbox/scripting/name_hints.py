"""A "did you mean" note for a misspelt attribute or name in a script's error.

Python 3.12 puts ``Did you mean: 'x'?`` into :mod:`traceback`'s text for an
``AttributeError`` or ``NameError``; on 3.11 only the interactive interpreter prints it.
This module gives the same hint on 3.11, the closest name
(:func:`~napari_whiskertoolbox.core.close_match.closest`) among ``dir(obj)`` (an ``AttributeError``) or the failing frame's locals, globals and
builtins (a ``NameError``). On 3.12+ it gives none, so the hint is never shown twice.

Building the note never raises: an object whose ``dir()`` fails gets no note.
"""

from __future__ import annotations

import builtins
import sys
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.close_match import closest

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["name_hint_notes"]

_TRACEBACK_SUGGESTS = sys.version_info >= (3, 12)
"""Whether :mod:`traceback` already adds the suggestion itself."""


def name_hint_notes(exc: BaseException, tb: TracebackType | None) -> list[str]:
    """Return ``["note: did you mean 'x'?"]`` for a misspelt attribute or name, else ``[]``.

    Parameters
    ----------
    exc : BaseException
        The script's exception; only an ``AttributeError`` or ``NameError`` gets a note.
    tb : types.TracebackType or None
        Its (trimmed) traceback; the last frame's namespaces are searched for a
        ``NameError``.

    Returns
    -------
    list of str
        One note, or none when there is no close match, the exception names nothing, or
        this Python's traceback already carries the suggestion.
    """
    if _TRACEBACK_SUGGESTS or "did you mean" in str(exc).lower():
        return []
    try:
        choices = _choices(exc, tb)
    except Exception:  # a note must never hide the script's own error
        return []
    name = getattr(exc, "name", None)
    if not isinstance(name, str) or choices is None:
        return []
    match = closest(name, [c for c in choices if c != name])
    return [f"note: did you mean '{match}'?"] if match is not None else []


def _choices(exc: BaseException, tb: TracebackType | None) -> list[str] | None:
    if isinstance(exc, AttributeError):
        obj = getattr(exc, "obj", None)
        if obj is None and "NoneType" in str(exc):
            return None
        return [str(attr) for attr in dir(obj)]
    if isinstance(exc, NameError):
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is None:
            return None
        frame = tb.tb_frame
        return [*frame.f_locals, *frame.f_globals, *dir(builtins)]
    return None
