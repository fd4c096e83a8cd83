"""Rules for key names a person types (the Data browser's New/Rename, a layer renamed)."""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["key_name_problem", "new_key_problem", "validate_key_name"]

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def key_name_problem(name: str) -> str | None:
    """Return why ``name`` (stripped) cannot name a new key, or None when it can.

    The one rule for names a person types: letters, digits, ``_``, ``-`` or ``.``,
    starting with a letter or ``_``, and not a Python keyword (so a script can use it).
    Files written by WhiskerToolbox may hold any name; the rule applies to new names only.
    """
    name = name.strip()
    if not name:
        return "key name is empty; type a name such as 'contacts'"
    if not _KEY_RE.match(name) or keyword.iskeyword(name):
        return (
            f"key name {name!r} is not allowed; use letters, digits, '_', '-' or '.', "
            "starting with a letter or '_'"
        )
    return None


def new_key_problem(dm: DataManager, name: str) -> str | None:
    """Return why ``name`` cannot receive a result in ``dm``, or None.

    An existing key may be written whatever its name (a key loaded from a WhiskerToolbox
    file under a name with a space is replaced as it is); a new key must follow
    :func:`key_name_problem`.
    """
    if name in dm:
        return None
    return key_name_problem(name)


def validate_key_name(dm: DataManager, name: str, *, allow_existing: str | None = None) -> str:
    """Check a new key name and return it stripped.

    Parameters
    ----------
    dm : DataManager
        Holds the existing keys.
    name : str
        Proposed name.
    allow_existing : str, optional
        A key that may be reused (renaming a key to itself).

    Raises
    ------
    ValueError
        When the name is empty, malformed, a Python keyword, or already used.
    """
    problem = key_name_problem(name)
    if problem is not None:
        raise ValueError(problem)
    name = name.strip()
    if name in dm and name != allow_existing:
        raise ValueError(f"key {name!r} already exists; choose another name")
    return name
