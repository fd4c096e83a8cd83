"""The "did you mean" hint of error messages about a misspelt name."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(name: object, choices: Iterable[str]) -> str | None:
    """Return the closest of ``choices`` to ``name`` (difflib, similarity >= 0.6), or None."""
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return close[0] if close else None


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` naming the closest of ``choices``, or ``""``.

    The closest is difflib's best close match (similarity ratio >= 0.6).

    Examples
    --------
    ``did_you_mean("positon", ["position", "method"])`` → ``" (did you mean 'position'?)"``.
    """
    match = closest(name, choices)
    return f" (did you mean '{match}'?)" if match is not None else ""
