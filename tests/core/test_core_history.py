"""CommandHistory: push/undo/redo, groups, depth, replay guard."""

from __future__ import annotations

import pytest

from napari_whiskertoolbox.core import CommandHistory, FunctionCommand


class Counter:
    def __init__(self, history: CommandHistory) -> None:
        self.value = 0
        self.history = history

    def add(self, n: int) -> None:
        self.value += n
        self.history.push(
            FunctionCommand(
                f"add {n}", lambda: self._set(self.value - n), lambda: self._set(self.value + n)
            )
        )

    def _set(self, v: int) -> None:
        self.value = v
        self.history.push(FunctionCommand("ignored during replay", lambda: None, lambda: None))


def test_undo_redo_linear():
    h = CommandHistory()
    c = Counter(h)
    c.add(1)
    c.add(10)
    assert h.undo_label == "add 10"
    assert h.undo()
    assert c.value == 1
    assert h.can_redo
    assert h.redo_label == "add 10"
    assert h.redo()
    assert c.value == 11
    assert h.undo()
    assert h.undo()
    assert c.value == 0
    assert not h.undo()
    assert len(h) == 0


def test_new_push_clears_redo():
    h = CommandHistory()
    c = Counter(h)
    c.add(1)
    h.undo()
    c.add(5)
    assert not h.can_redo
    assert not h.redo()


def test_group_merges_into_one_step_and_nests():
    h = CommandHistory()
    c = Counter(h)
    with h.group("batch"):
        c.add(1)
        with h.group("inner"):
            c.add(2)
        c.add(3)
    assert len(h) == 1
    assert h.undo_label == "batch"
    h.undo()
    assert c.value == 0
    h.redo()
    assert c.value == 6
    with h.group("empty"):
        pass
    assert len(h) == 1


def test_group_survives_exceptions():
    h = CommandHistory()
    c = Counter(h)

    def add_then_fail() -> None:
        with h.group("boom"):
            c.add(4)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        add_then_fail()
    assert len(h) == 1
    h.undo()
    assert c.value == 0


def test_max_depth_drops_oldest():
    h = CommandHistory(max_depth=3)
    c = Counter(h)
    for _ in range(5):
        c.add(1)
    assert len(h) == 3
    while h.undo():
        pass
    assert c.value == 2


def test_changed_signal_and_clear():
    h = CommandHistory()
    hits: list[None] = []
    h.changed.connect(lambda: hits.append(None))
    c = Counter(h)
    c.add(1)
    h.undo()
    h.redo()
    h.clear()
    assert len(hits) == 4
    assert not h.can_undo
    assert not h.can_redo


def test_invalid_depth():
    with pytest.raises(ValueError, match="max_depth"):
        CommandHistory(max_depth=0)


def test_change_constructors():
    from napari_whiskertoolbox.core import Change

    assert Change.at(5, 2, 5).frames.tolist() == [2, 5]
    assert Change.at(3).frames.dtype.name == "int64"
    assert Change.everything().frames is None
