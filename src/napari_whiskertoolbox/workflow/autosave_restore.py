"""Bring a reopened session to what its autosave held: keys, renames, clocks, groups, metadata.

The session was just opened from its files, so each key it did not edit before the crash
keeps the object read from its file (fresh entity ids, unmodified); groups name entities by
id, so their autosaved ids are mapped to the ids the reopened session gave the same entities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.entity import allocate_ids
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.native import frozen_native, native_fields

if TYPE_CHECKING:
    from collections.abc import Mapping

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.workflow.autosave import RecoveryInfo

__all__ = ["restore_recovery"]


def restore_recovery(dm: DataManager, info: RecoveryInfo) -> list[str]:
    """Bring ``dm`` to the autosaved session, as one undo step.

    Only what the autosaved session changed since its last save is set: the keys it had
    added or edited (:attr:`RecoveryInfo.edited`; every key for an autosave that does not
    say), the keys it had renamed (:attr:`RecoveryInfo.renamed`: renamed here too, so a
    renamed key keeps its file's record and its body part), the clocks that differ, the
    deletion of the keys it no longer held, its entity groups and ``dm.metadata`` (colours,
    pose sets, where keys were read from). A key it had not edited keeps the object ``dm``
    read from its file, so it stays unmodified (a save into a config's own files leaves its
    file alone); the groups' ids of its entities are mapped to that object's ids (a key
    whose entities cannot be paired, its file changed since, is set from the autosave).
    Media keys already present are kept as they are (the autosave only points at the same
    file). The recovered changes are not saved yet: the DataManager is modified when any was
    set.

    Returns
    -------
    list of str
        The keys set from the autosave.
    """
    from napari_whiskertoolbox.io import load_session

    recovered = load_session(info.session_path)
    renamed = dict(info.renamed or {})
    renames = {old: new for new, old in renamed.items() if old in dm and new in recovered}
    restored: list[str] = []
    with dm.history.group("restore autosave"):
        for name in recovered.time_keys():
            clock = recovered.get_time(name)
            if name not in dm.time_keys() or dm.get_time(name) != clock:
                dm.set_time(name, clock)
        for key in list(dm.keys()):
            gone = key not in recovered or key in renames.values()  # its name went to another
            if gone and key not in renames and dm.data_type(key) not in MEDIA_KINDS:
                dm.delete_data(key)
        _rename(dm, renames)
        dm.replace_metadata(recovered.metadata)  # before keys are set: their layers' colours
        grouped = _grouped_ids(recovered)
        id_map: dict[int, int] = {}
        for key in recovered:
            if key in dm and dm.data_type(key) in MEDIA_KINDS:
                continue
            if key in dm and _as_read(dm, recovered, key, info.edited):
                paired = _paired_ids(recovered, dm, key, grouped)
                if paired is not None:
                    id_map.update(paired)
                    continue
            restored.append(key)
        with_ids = [key for key in restored if _has_ids(recovered, key)]
        kept_ids = _ids_of(dm, [k for k in dm if k not in restored]) if with_ids else None
        for key in restored:
            obj = recovered.get_data(key)
            if kept_ids is not None:
                obj, renumbered = _apart_from(recovered, key, obj, kept_ids, grouped)
                id_map.update(renumbered)
            dm.set_data(key, obj, recovered.time_key(key))
        dm.replace_groups(_mapped_groups(dm, recovered, id_map))
    return restored


def _rename(dm: DataManager, renames: Mapping[str, str]) -> None:
    """Rename each key ``old`` of ``renames`` to ``new`` (a swap of names goes by a free name)."""
    todo = {old: new for old, new in renames.items() if new not in dm or new in renames}
    while todo:
        ready = [old for old, new in todo.items() if new not in dm]
        if not ready:  # names swapped around: one key steps aside
            around = [old for old, new in todo.items() if new in todo]
            if not around:
                break  # the name is held by a key that stays (a video)
            old = around[0]
            aside = first_free(f"{old} (restoring)", lambda name: name in dm)
            dm.rename_data(old, aside)
            todo[aside] = todo.pop(old)
            continue
        for old in ready:
            dm.rename_data(old, todo.pop(old))


def _as_read(
    dm: DataManager, recovered: DataManager, key: str, edited: frozenset[str] | None
) -> bool:
    """Whether ``key`` of ``dm`` is as the autosaved session held it: not edited since a save."""
    return (
        edited is not None
        and key not in edited
        and dm.data_type(key) == recovered.data_type(key)
        and dm.time_key(key) == recovered.time_key(key)
    )


def _has_ids(dm: DataManager, key: str) -> bool:
    data_type = dm.data_type(key)
    return data_type not in MEDIA_KINDS and "ids" in native_fields(data_type)


def _arrays(dm: DataManager, key: str) -> dict[str, np.ndarray]:
    return frozen_native(dm.data_type(key), dm.get_data(key)).arrays()


def _ids_of(dm: DataManager, keys: list[str]) -> np.ndarray:
    """Every entity id the ``keys`` of ``dm`` hold."""
    ids = [np.asarray(_arrays(dm, key)["ids"]) for key in keys if _has_ids(dm, key)]
    return np.concatenate(ids) if ids else np.empty(0, dtype=np.uint64)


def _grouped_ids(dm: DataManager) -> np.ndarray:
    members = [dm.groups.members(name) for name in dm.groups]
    return np.unique(np.concatenate(members)) if members else np.empty(0, dtype=np.uint64)


def _paired_ids(
    recovered: DataManager, dm: DataManager, key: str, grouped: np.ndarray
) -> dict[int, int] | None:
    """Map the grouped autosaved ids of ``key`` to ``dm``'s ids of the same entities.

    ``{}`` when none of its entities is in a group; ``None`` when ``dm``'s object does not
    hold the same entries in the same order (its file changed since the autosave).
    """
    if not _has_ids(dm, key):
        return {}
    before = _arrays(recovered, key)
    in_group = np.isin(before["ids"], grouped)
    if not in_group.any():
        return {}
    now = _arrays(dm, key)
    same = before.keys() == now.keys() and all(
        np.array_equal(before[name], now[name]) for name in before if name != "ids"
    )
    if not same:
        return None
    pairs = zip(before["ids"][in_group].tolist(), now["ids"][in_group].tolist(), strict=True)
    return {int(old): int(new) for old, new in pairs}


def _apart_from(
    recovered: DataManager, key: str, obj: object, kept_ids: np.ndarray, grouped: np.ndarray
) -> tuple[object, dict[int, int]]:
    """Return ``obj``, or a copy with fresh ids when it holds ids of ``kept_ids``.

    The reopened session gave its entities ids that the autosaved session (another process)
    may have given other entities. Also returns ``{autosaved id: id now}`` of its ids in
    ``grouped``.
    """
    if not _has_ids(recovered, key):
        return obj, {}
    before = np.asarray(_arrays(recovered, key)["ids"])
    after = before
    if kept_ids.size and np.isin(before, kept_ids).any():
        obj = obj.copy()  # type: ignore[attr-defined]
        after = np.asarray(frozen_native(recovered.data_type(key), obj).arrays()["ids"])
    in_group = np.isin(before, grouped)
    pairs = zip(before[in_group].tolist(), after[in_group].tolist(), strict=True)
    return obj, {int(old): int(new) for old, new in pairs}


def _mapped_groups(
    dm: DataManager, recovered: DataManager, id_map: Mapping[int, int]
) -> dict[str, list[int]]:
    """Return the autosaved groups with their ids mapped to ``dm``'s entities.

    An id no key held (its entity was deleted before the autosave) gets a fresh id when
    ``dm`` gave its number to an entity of its own.
    """
    held: set[int] | None = None
    dangling: dict[int, int] = {}
    groups = {}
    for name in recovered.groups:
        ids = []
        for old in (int(i) for i in recovered.groups.members(name).tolist()):
            if old in id_map:
                ids.append(id_map[old])
                continue
            if held is None:
                held = set(_ids_of(dm, list(dm)).tolist())
            if old in held and old not in dangling:
                dangling[old] = int(allocate_ids(1)[0])
            ids.append(dangling.get(old, old))
        groups[name] = ids
    return groups
