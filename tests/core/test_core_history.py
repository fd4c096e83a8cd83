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


def test_step_status_follows_undo_redo_and_loss():
    h = CommandHistory(max_depth=2)
    c = Counter(h)
    c.add(1)
    token = h.state
    assert h.step_status(token) == "applied"
    assert h.undo()
    assert h.step_status(token) == "undone"
    assert h.redo()
    assert h.step_status(token) == "applied"
    c.add(2)
    c.add(3)  # beyond max_depth: the first step is dropped
    assert h.step_status(token) is None
    token = h.state
    h.undo()
    c.add(4)  # a new edit clears the undone step
    assert h.step_status(token) is None


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


def test_merged_steps_become_one_step_and_keep_older_history():
    h = CommandHistory(max_depth=3)
    c = Counter(h)
    c.add(100)  # the user's edit before a long script
    with h.merged("script job.py"):
        for _ in range(10):  # more steps than the history keeps
            c.add(1)
        assert h.undo()  # undo works inside, step by step
        assert c.value == 109
        c.add(2)
    assert len(h) == 2
    assert h.undo_label == "script job.py"
    assert h.undo()
    assert c.value == 100  # the whole script, in one step
    assert h.undo_label == "add 100"  # the user's edit was kept
    assert h.redo()
    assert c.value == 111


def test_merged_keeps_the_state_a_save_inside_recorded():
    h = CommandHistory()
    c = Counter(h)
    with h.merged("script"):
        c.add(1)
        c.add(2)
        saved = h.state  # a script that saves at its end
    assert h.state == saved  # so the session is not "modified" after the run
    with h.merged("script"):
        c.add(3)
    assert h.undo_label == "add 3"  # one command keeps its own label
    with h.merged("nothing"):
        pass
    assert len(h) == 2


def test_a_merged_block_beyond_its_bound_is_not_undoable_and_memory_stays_bounded(caplog):
    h = CommandHistory(max_depth=3, max_merged_steps=20)
    c = Counter(h)
    c.add(100)
    with h.merged("run smooth.py"):
        for _ in range(50):
            c.add(1)
            assert len(h) <= 3 + 20 + 1  # never every edit of a long run
    assert c.value == 150
    assert len(h) == 0  # half a run is never undone, nor the edit before it on top of it
    assert not h.undo()
    assert "run smooth.py made more than 20 edits: it cannot be undone" in caplog.text
    with h.merged("run short.py"):  # the next block is bounded afresh
        c.add(1)
        c.add(1)
    assert h.undo_label == "run short.py"
