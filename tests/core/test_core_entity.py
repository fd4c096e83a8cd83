"""Entity ids and groups."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from napari_whiskertoolbox.core import EntityGroups, allocate_id, allocate_ids, reserve_ids
from napari_whiskertoolbox.core.entity import peek_next_id


def test_ids_are_uint64_increasing_and_nonzero():
    a = allocate_ids(3)
    b = allocate_ids(2)
    assert a.dtype == np.uint64
    assert (a > 0).all()
    assert b[0] > a[-1]
    assert allocate_id() > int(b[-1])


def test_reserve_bumps_counter_only_upward():
    target = peek_next_id() + 1000
    reserve_ids(target)
    assert allocate_id() == target + 1
    reserve_ids(5)
    assert allocate_id() == target + 2


def test_allocation_is_thread_safe():
    out: list[np.ndarray] = []

    def work():
        for _ in range(200):
            out.append(allocate_ids(3))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = np.concatenate(out)
    assert np.unique(ids).size == ids.size == 2400


def test_negative_count_rejected():
    with pytest.raises(ValueError, match="negative"):
        allocate_ids(-1)


def test_groups_lifecycle_and_signal():
    groups = EntityGroups()
    seen: list[str] = []
    groups.changed.connect(seen.append)
    groups.create("left", [3, 1])
    groups.add("left", 7)
    groups.create("right", np.array([7, 8], dtype=np.uint64))
    np.testing.assert_array_equal(groups.members("left"), [1, 3, 7])
    assert groups.groups_of(7) == ["left", "right"]
    assert groups.counts() == {"left": 3, "right": 2}
    groups.remove("left", [1, 99])
    assert groups.count("left") == 2
    groups.rename("left", "L")
    assert "L" in groups
    assert "left" not in groups
    assert groups.delete("right")
    assert not groups.delete("right")
    assert groups.to_dict() == {"L": [3, 7]}
    assert EntityGroups.from_dict(groups.to_dict()).to_dict() == {"L": [3, 7]}
    assert seen == ["left", "left", "right", "left", "left", "L", "right"]


def test_group_errors_name_the_group():
    groups = EntityGroups()
    groups.create("a")
    with pytest.raises(ValueError, match="'a' already exists"):
        groups.create("a")
    with pytest.raises(KeyError, match="'nope'"):
        groups.members("nope")
    groups.create("b")
    with pytest.raises(ValueError, match="'b' already exists"):
        groups.rename("a", "b")


def test_group_descriptions_follow_renames_and_pickles() -> None:
    import pickle

    groups = EntityGroups()
    groups.create("good", [1], description="hand-checked")
    groups.create("bad")
    assert groups.description("good") == "hand-checked"
    assert groups.description("bad") == ""
    groups.rename("good", "best")
    assert groups.description("best") == "hand-checked"
    assert pickle.loads(pickle.dumps(groups)).description("best") == "hand-checked"
    groups.delete("best")
    groups.create("best")
    assert groups.description("best") == ""
    with pytest.raises(KeyError, match="no entity group"):
        groups.description("none")


def test_merge_adds_groups_and_ids_keeping_descriptions():
    mine, theirs = EntityGroups(), EntityGroups()
    mine.create("A", [1], "mine")
    theirs.create("A", [2], "theirs")
    theirs.create("B", [3], "new")
    seen = []
    mine.changed.connect(seen.append)
    mine.merge(theirs)
    assert mine.to_dict() == {"A": [1, 2], "B": [3]}
    assert (mine.description("A"), mine.description("B")) == ("mine", "new")
    assert seen == ["A", "B"]
