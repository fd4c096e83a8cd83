"""What a V1 operation that edits entity groups did: a pure :class:`GroupEdit` result.

WhiskerToolbox's grouping operations (``Group Lines by Index``, ``Group Lines by
Proximity``, ``Group Lines using Kalman Filtering``, ``Line Outlier Detection``) change its
EntityGroupManager in place and return their input unchanged (reference §5). Here such an
operation runs on a *working copy* of the groups (:func:`working_copy`, taken when the run
is planned) and returns the difference as a :class:`GroupEdit`, so computing stays pure
(a worker thread may do it; cancelling changes nothing) and storing is one undo step
(:func:`store_group_edit`): undo reverts exactly the groups created, deleted, filled and
emptied, and every change emits :attr:`EntityGroups.changed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.entity import EntityGroups
from napari_whiskertoolbox.core.history import FunctionCommand
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["GroupEdit", "store_group_edit", "working_copy"]


def working_copy(groups: EntityGroups) -> EntityGroups:
    """Return an independent copy of ``groups`` (ids and descriptions, creation order kept)."""
    copy = EntityGroups()
    for name, ids in groups.to_dict().items():
        copy.create(name, ids, groups.description(name))
    return copy


@dataclass(frozen=True)
class GroupEdit:
    """The change a group-editing operation made, as data (apply it with :meth:`apply`).

    Attributes
    ----------
    created : dict
        ``{name: (description, ids)}`` of the groups it created.
    deleted : dict
        ``{name: (description, ids)}`` of the groups it deleted (kept for undo).
    added, removed : dict
        ``{name: ids}`` added to / removed from groups that existed before and after.
    summary : str
        One line saying what it did (how many lines went to which group).
    """

    created: dict[str, tuple[str, frozenset[int]]] = field(default_factory=dict)
    deleted: dict[str, tuple[str, frozenset[int]]] = field(default_factory=dict)
    added: dict[str, frozenset[int]] = field(default_factory=dict)
    removed: dict[str, frozenset[int]] = field(default_factory=dict)
    summary: str = ""

    @classmethod
    def between(cls, before: EntityGroups, after: EntityGroups, summary: str = "") -> GroupEdit:
        """Return the edit turning ``before`` into ``after``."""
        old = {n: frozenset(v) for n, v in before.to_dict().items()}
        new = {n: frozenset(v) for n, v in after.to_dict().items()}
        created = {n: (after.description(n), ids) for n, ids in new.items() if n not in old}
        deleted = {n: (before.description(n), ids) for n, ids in old.items() if n not in new}
        both = [n for n in new if n in old]
        added = {n: new[n] - old[n] for n in both if new[n] - old[n]}
        removed = {n: old[n] - new[n] for n in both if old[n] - new[n]}
        return cls(created, deleted, added, removed, summary)

    @property
    def is_empty(self) -> bool:
        """Return True when the operation changed no group."""
        return not (self.created or self.deleted or self.added or self.removed)

    def new_members(self) -> dict[str, int]:
        """Return ``{group: number of ids it gained}`` (created groups count all their ids)."""
        out = {n: len(ids) for n, (_, ids) in self.created.items()}
        out.update({n: len(ids) for n, ids in self.added.items()})
        return out

    def apply(self, groups: EntityGroups) -> None:
        """Make the change on ``groups``.

        Raises
        ------
        TransformError
            A group to create exists already, or one to change or delete is gone (the
            groups changed since the operation ran); nothing is changed then.
        """
        taken = [n for n in self.created if n in groups]
        missing = [n for n in (*self.deleted, *self.added, *self.removed) if n not in groups]
        if taken or missing:
            raise TransformError(
                "the entity groups changed while the operation ran "
                f"(groups now existing: {taken}; groups now missing: {missing}); run it again",
                transform="entity groups",
            )
        for name in self.deleted:
            groups.delete(name)
        for name, (description, ids) in self.created.items():
            groups.create(name, sorted(ids), description)
        for name, ids in self.added.items():
            groups.add(name, sorted(ids))
        for name, ids in self.removed.items():
            groups.remove(name, sorted(ids))

    def revert(self, groups: EntityGroups) -> None:
        """Undo the change on ``groups`` (the inverse of :meth:`apply`)."""
        for name, ids in self.removed.items():
            if name in groups:
                groups.add(name, sorted(ids))
        for name, ids in self.added.items():
            if name in groups:
                groups.remove(name, sorted(ids))
        for name in self.created:
            groups.delete(name)
        for name, (description, ids) in self.deleted.items():
            if name not in groups:
                groups.create(name, sorted(ids), description)

    def __str__(self) -> str:
        return self.summary or "no group changed"


def store_group_edit(dm: DataManager, edit: GroupEdit, label: str) -> None:
    """Apply ``edit`` to ``dm.groups`` as one undo step labelled ``label``.

    ``dm.undo()`` reverts it (emitting ``dm.groups.changed`` for each group touched),
    ``dm.redo()`` applies it again. An empty edit records nothing.

    Raises
    ------
    TransformError
        See :meth:`GroupEdit.apply`.
    """
    if edit.is_empty:
        return
    edit.apply(dm.groups)
    dm.history.push(
        FunctionCommand(label, lambda: edit.revert(dm.groups), lambda: edit.apply(dm.groups))
    )
