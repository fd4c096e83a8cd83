"""Entity ids (uint64, 0 = none) and named groups of ids."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core.wtb_aliases import EntityGroupsAliases

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "NO_ENTITY",
    "EntityGroups",
    "allocate_id",
    "allocate_ids",
    "peek_next_id",
    "reserve_ids",
]

NO_ENTITY = 0
"""The id meaning "no entity"."""

_lock = threading.Lock()
_next_id = 1


def allocate_ids(n: int) -> np.ndarray:
    """Return ``n`` fresh, process-wide unique entity ids as a uint64 array.

    Parameters
    ----------
    n : int
        Number of ids wanted (>= 0).
    """
    global _next_id
    n = int(n)
    if n < 0:
        raise ValueError(f"cannot allocate a negative number of ids ({n})")
    with _lock:
        start = _next_id
        _next_id += n
    return np.arange(start, start + n, dtype=np.uint64)


def allocate_id() -> int:
    """Return one fresh entity id as a Python int."""
    return int(allocate_ids(1)[0])


def reserve_ids(max_id: int) -> None:
    """Make sure future ids are greater than ``max_id`` (call after loading ids from disk)."""
    global _next_id
    max_id = int(max_id)
    with _lock:
        if max_id >= _next_id:
            _next_id = max_id + 1


def peek_next_id() -> int:
    """Return the id the next allocation would start at (for diagnostics and tests)."""
    return _next_id


class EntityGroups(EntityGroupsAliases):
    """Named sets of entity ids.

    Signals
    -------
    changed(str)
        Emitted with the group name after any change to that group.
    """

    changed = Signal(str)

    def __init__(self) -> None:
        self._groups: dict[str, set[int]] = {}
        self._descriptions: dict[str, str] = {}
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {
                "groups": {name: set(ids) for name, ids in self._groups.items()},
                "descriptions": dict(self._descriptions),
            }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._groups = state["groups"]
        self._descriptions = dict(state.get("descriptions", {}))  # older pickles have none
        self._lock = threading.RLock()
        if any(self._groups.values()):
            reserve_ids(max(max(ids) for ids in self._groups.values() if ids))

    def _require(self, name: str) -> set[int]:
        try:
            return self._groups[name]
        except KeyError:
            raise KeyError(f"no entity group {name!r}; groups: {sorted(self._groups)}") from None

    def create(self, name: str, ids: Iterable[int] = (), description: str = "") -> None:
        """Create group ``name`` (ValueError if it exists), optionally with ``ids``.

        ``description`` is free text kept with the group (:meth:`description`).
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"group name must be a non-empty string, got {name!r}")
        with self._lock:
            if name in self._groups:
                raise ValueError(f"entity group {name!r} already exists")
            self._groups[name] = {int(i) for i in ids}
            if description:
                self._descriptions[name] = str(description)
        self.changed.emit(name)

    def description(self, name: str) -> str:
        """Return the description of group ``name`` (``""`` when it has none).

        Raises
        ------
        KeyError
            If there is no group ``name`` (the message lists the groups).
        """
        with self._lock:
            self._require(name)
            return self._descriptions.get(name, "")

    def delete(self, name: str) -> bool:
        """Delete group ``name``; return False if it did not exist."""
        with self._lock:
            existed = self._groups.pop(name, None) is not None
            self._descriptions.pop(name, None)
        if existed:
            self.changed.emit(name)
        return existed

    def rename(self, old: str, new: str) -> None:
        """Rename group ``old`` to ``new`` (KeyError / ValueError on missing / taken names)."""
        with self._lock:
            self._require(old)
            if new in self._groups:
                raise ValueError(f"entity group {new!r} already exists")
            self._groups[new] = self._groups.pop(old)
            if old in self._descriptions:
                self._descriptions[new] = self._descriptions.pop(old)
        self.changed.emit(old)
        self.changed.emit(new)

    def add(self, name: str, ids: int | Iterable[int]) -> None:
        """Add one id or several ids to group ``name``."""
        with self._lock:
            self._require(name).update(_as_id_set(ids))
        self.changed.emit(name)

    def remove(self, name: str, ids: int | Iterable[int]) -> None:
        """Remove one id or several ids from group ``name`` (missing ids are ignored)."""
        with self._lock:
            self._require(name).difference_update(_as_id_set(ids))
        self.changed.emit(name)

    def merge(self, other: EntityGroups) -> None:
        """Add every group of ``other`` to these groups.

        Its ids join the group of the same name, created (with ``other``'s description)
        when missing.
        """
        for name, ids in other.to_dict().items():
            if name in self:
                self.add(name, ids)
            else:
                self.create(name, ids, other.description(name))

    def members(self, name: str) -> np.ndarray:
        """Return the sorted ids of group ``name`` as uint64."""
        with self._lock:
            return np.array(sorted(self._require(name)), dtype=np.uint64)

    def groups_of(self, entity_id: int) -> list[str]:
        """Return the sorted names of the groups containing ``entity_id``."""
        entity_id = int(entity_id)
        with self._lock:
            return sorted(n for n, s in self._groups.items() if entity_id in s)

    def names(self) -> list[str]:
        """Return the group names in creation order."""
        return list(self._groups)

    def count(self, name: str) -> int:
        """Return the number of ids in group ``name``."""
        return len(self._require(name))

    def counts(self) -> dict[str, int]:
        """Return ``{group name: number of ids}``."""
        with self._lock:
            return {n: len(s) for n, s in self._groups.items()}

    def to_dict(self) -> dict[str, list[int]]:
        """Return a JSON-able ``{name: sorted ids}`` mapping."""
        with self._lock:
            return {n: sorted(s) for n, s in self._groups.items()}

    @classmethod
    def from_dict(cls, mapping: dict[str, Iterable[int]]) -> EntityGroups:
        """Build groups from a ``{name: ids}`` mapping (see :meth:`to_dict`)."""
        groups = cls()
        for name, ids in mapping.items():
            groups.create(name, ids)
        return groups

    def __contains__(self, name: object) -> bool:
        return name in self._groups

    def __len__(self) -> int:
        return len(self._groups)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._groups))

    def __repr__(self) -> str:
        return f"<EntityGroups {self.counts()}>"


def _as_id_set(ids: int | Iterable[int]) -> set[int]:
    if isinstance(ids, (int, np.integer)):
        return {int(ids)}
    return {int(i) for i in np.asarray(ids).ravel()}
