"""``DataManager.metadata`` entries that name data keys, carried along when a key is renamed.

:meth:`DataManager.rename_data <napari_whiskertoolbox.core.DataManager.rename_data>` (and
its undo and redo) calls :func:`rename_key_references`, which rewrites every registered
entry before ``data_renamed`` is emitted, so whoever listens sees the new key in them.
``"colors"`` (``{key: colour}``) is registered here; packages that store key names in
metadata of their own shape register theirs on import (the pose sets of
:mod:`napari_whiskertoolbox.io.pose`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["COLORS", "register_key_references", "rename_in_mapping", "rename_key_references"]

COLORS = "colors"
"""``metadata`` entry ``{key: colour}``: the colour each key's layer is drawn in."""

_RENAMERS: dict[str, Callable[[Any, str, str], None]] = {}


def register_key_references(entry: str, rename: Callable[[Any, str, str], None]) -> None:
    """Have ``rename(metadata[entry], old, new)`` called whenever a key is renamed.

    Parameters
    ----------
    entry : str
        The ``metadata`` entry holding key names.
    rename : callable
        Rewrites, in place, the references to key ``old`` in the entry's value to ``new``;
        called only when ``entry`` is in the metadata. Registering an entry again replaces
        its function.
    """
    _RENAMERS[entry] = rename


def rename_in_mapping(mapping: Any, old: str, new: str) -> None:
    """Move ``mapping[old]`` to ``mapping[new]`` (a dict keyed by data key; else nothing)."""
    if isinstance(mapping, dict) and old in mapping:
        mapping[new] = mapping.pop(old)


def rename_key_references(metadata: Any, old: str, new: str) -> None:
    """Rewrite key ``old`` to ``new`` in every registered entry of ``metadata``."""
    if not isinstance(metadata, dict):
        return
    for entry, rename in list(_RENAMERS.items()):
        if entry in metadata:
            rename(metadata[entry], old, new)


register_key_references(COLORS, rename_in_mapping)
