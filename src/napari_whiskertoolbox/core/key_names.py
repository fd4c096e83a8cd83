"""Rules for key names a person types (the Data browser's New/Rename, a layer renamed)."""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["validate_key_name"]

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


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
    name = name.strip()
    if not name:
        raise ValueError("key name is empty; type a name such as 'contacts'")
    if not _KEY_RE.match(name) or keyword.iskeyword(name):
        raise ValueError(
            f"key name {name!r} is not allowed; use letters, digits, '_', '-' or '.', "
            "starting with a letter or '_'"
        )
    if name in dm and name != allow_existing:
        raise ValueError(f"key {name!r} already exists; choose another name")
    return name
