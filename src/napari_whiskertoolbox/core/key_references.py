"""``DataManager.metadata`` entries that name data keys, carried along when a key is renamed.

:meth:`DataManager.rename_data <napari_whiskertoolbox.core.DataManager.rename_data>` (and
its undo and redo) calls :func:`rename_key_references`, which rewrites every registered
entry before ``data_renamed`` is emitted, so whoever listens sees the new key in them.
An entry that says where a key was read from (:data:`SOURCES`, another tool's file) also
leaves with a deleted key: :meth:`DataManager.delete_data` takes the key's value out
(:func:`take_key_references`) and its undo puts it back (:func:`put_key_references`), so a
new key given that name later is not taken for the file's.

``"colors"``, ``"sources"``, ``"read_from"`` and ``"written_to"`` are registered here; packages that store
key names in metadata of their own shape register theirs on import (the pose sets of
:mod:`napari_whiskertoolbox.io.pose`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "COLORS",
    "READ_FROM",
    "RENAMED_FROM",
    "SOURCES",
    "WRITTEN_TO",
    "put_key_references",
    "register_key_references",
    "register_key_sources",
    "rename_in_mapping",
    "rename_key_references",
    "take_key_references",
]

COLORS = "colors"
"""``metadata`` entry ``{key: colour}``: the colour each key's layer is drawn in."""

SOURCES = "sources"
"""``metadata`` entry ``{key: record}``: the config item (file, format, options) each key
was read from (:func:`napari_whiskertoolbox.io.keys.source_of`)."""

READ_FROM = "read_from"
"""``metadata`` entry ``{key: path}``: the other tool's file (DeepLabCut, SLEAP, NWB, a
recording) each key was read from (:mod:`napari_whiskertoolbox.io.read_from`)."""

WRITTEN_TO = "written_to"
"""``metadata`` entry ``{key: [path, ...]}``: the files each key was exported or saved to
(:mod:`napari_whiskertoolbox.io.file_clocks`), so a file opened again goes on its clock."""

RENAMED_FROM = "renamed_from"
"""Field of a :data:`SOURCES` record: the name the key was read under, once it is renamed."""


@dataclass(frozen=True)
class _Entry:
    rename: Callable[[Any, str, str], None]
    leaves_with_key: bool
    """A ``{key: value}`` mapping whose value is taken out when the key is deleted."""


_ENTRIES: dict[str, _Entry] = {}


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
    _ENTRIES[entry] = _Entry(rename, leaves_with_key=False)


def register_key_sources(entry: str, rename: Callable[[Any, str, str], None] | None = None) -> None:
    """Register ``metadata[entry]``, ``{key: where it was read from}``, to follow its keys.

    The value moves with a renamed key (``rename``, default :func:`rename_in_mapping`) and
    leaves with a deleted one (its undo puts it back).

    Parameters
    ----------
    entry : str
        The ``metadata`` entry.
    rename : callable, optional
        As for :func:`register_key_references`.
    """
    _ENTRIES[entry] = _Entry(rename or rename_in_mapping, leaves_with_key=True)


def rename_in_mapping(mapping: Any, old: str, new: str) -> None:
    """Move ``mapping[old]`` to ``mapping[new]`` (a dict keyed by data key; else nothing)."""
    if isinstance(mapping, dict) and old in mapping:
        mapping[new] = mapping.pop(old)


def rename_key_references(metadata: Any, old: str, new: str) -> None:
    """Rewrite key ``old`` to ``new`` in every registered entry of ``metadata``."""
    if not isinstance(metadata, dict):
        return
    for entry, registered in list(_ENTRIES.items()):
        if entry in metadata:
            registered.rename(metadata[entry], old, new)


def take_key_references(metadata: Any, key: str) -> dict[str, Any]:
    """Take the values of deleted ``key`` out of the entries that leave with it.

    Returns
    -------
    dict
        ``{entry: value}`` taken, for :func:`put_key_references` (undoing the delete).
    """
    taken: dict[str, Any] = {}
    if not isinstance(metadata, dict):
        return taken
    for entry, registered in list(_ENTRIES.items()):
        mapping = metadata.get(entry)
        if registered.leaves_with_key and isinstance(mapping, dict) and key in mapping:
            taken[entry] = mapping.pop(key)
    return taken


def put_key_references(metadata: Any, key: str, taken: dict[str, Any]) -> None:
    """Put back what :func:`take_key_references` took from ``key``."""
    if not isinstance(metadata, dict):
        return
    for entry, value in taken.items():
        mapping = metadata.setdefault(entry, {})
        if isinstance(mapping, dict):
            mapping[key] = value


def _rename_source(sources: Any, old: str, new: str) -> None:
    """Move key ``old``'s record to ``new``, noting the name the key was read under."""
    if not isinstance(sources, dict) or old not in sources:
        return
    record = sources.pop(old)
    if isinstance(record, dict):
        read_as = record.pop(RENAMED_FROM, old)
        if read_as != new:  # renamed back (an undo): as read
            record[RENAMED_FROM] = read_as
    sources[new] = record


register_key_references(COLORS, rename_in_mapping)
register_key_sources(SOURCES, _rename_source)
register_key_sources(READ_FROM)
register_key_sources(WRITTEN_TO)
