"""Undo/redo: the :class:`Change` record containers emit and the :class:`CommandHistory`."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from psygnal import Signal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

logger = logging.getLogger(__name__)

__all__ = [
    "Change",
    "Command",
    "CommandGroup",
    "CommandHistory",
    "FunctionCommand",
    "frames_label",
]


def frames_label(first: int, last: int) -> str:
    """Name the frames ``first`` to ``last`` (both included) in undo labels and messages.

    The one wording of a frame range: ``"frame 7"``, ``"frames 100–130"`` (an en dash).

    Parameters
    ----------
    first, last : int
        First and last frame of the range (display frames, or the indices of the key's
        clock where that is what the edit names).

    Returns
    -------
    str
    """
    first, last = int(first), int(last)
    return f"frame {first}" if first == last else f"frames {first}–{last}"


@dataclass(frozen=True)
class Change:
    """What a container edit touched.

    Parameters
    ----------
    frames : numpy.ndarray of int64 or None
        Sorted unique time indices touched; ``None`` means "everything".
    """

    frames: np.ndarray | None = None

    @classmethod
    def at(cls, *frames: int) -> Change:
        """Build a change touching the given frames."""
        return cls(np.unique(np.asarray(frames, dtype=np.int64)))

    @classmethod
    def everything(cls) -> Change:
        """Build a change touching all frames."""
        return cls(None)


@runtime_checkable
class Command(Protocol):
    """One undoable step: ``redo()`` applies it again, ``undo()`` reverts it."""

    label: str

    def undo(self) -> None:
        """Revert the step."""

    def redo(self) -> None:
        """Apply the step again."""


@dataclass
class FunctionCommand:
    """A command built from two callables.

    Parameters
    ----------
    label : str
        Human-readable description shown in menus.
    undo_fn, redo_fn : callable
        Functions reverting and re-applying the step.
    """

    label: str
    undo_fn: Callable[[], None]
    redo_fn: Callable[[], None]

    def undo(self) -> None:
        """Revert the step."""
        self.undo_fn()

    def redo(self) -> None:
        """Apply the step again."""
        self.redo_fn()


@dataclass
class CommandGroup:
    """Several commands undone and redone as one step (undo runs in reverse order)."""

    label: str
    commands: list[Command] = field(default_factory=list)

    def undo(self) -> None:
        """Revert every command, last first."""
        for command in reversed(self.commands):
            command.undo()

    def redo(self) -> None:
        """Re-apply every command, first first."""
        for command in self.commands:
            command.redo()


class CommandHistory:
    """Linear undo/redo stacks of :class:`Command` objects; thread-safe.

    Parameters
    ----------
    max_depth : int
        Number of undo steps kept; older steps are dropped.
    max_merged_steps : int
        Steps a :meth:`merged` block may hold (bounded memory): a block recording more
        cannot be undone, and the history is cleared (older steps would be undone on top
        of the block's edits).

    Notes
    -----
    Commands pushed while an undo or redo is being replayed are ignored, so
    containers may record unconditionally.

    Every undo step carries a unique token; :attr:`state` is the token of the step the
    history stands after, so two moments with equal :attr:`state` hold the same data as
    far as recorded edits go (what the DataManager's ``modified`` flag compares with the
    saved moment).
    """

    changed = Signal()

    def __init__(self, max_depth: int = 500, max_merged_steps: int = 20_000) -> None:
        if max_depth < 1:
            raise ValueError(f"max_depth must be >= 1, got {max_depth}")
        self.max_depth = int(max_depth)
        self.max_merged_steps = int(max_merged_steps)
        self._merge_overflowed = False
        self._undo: list[tuple[int, Command]] = []
        self._redo: list[tuple[int, Command]] = []
        self._groups: list[CommandGroup] = []
        self._replaying = False
        self._lock = threading.RLock()
        self._next_token = 1
        self._base_token = 0  # the state below the oldest undo step
        self._pushes = 0
        self._merging = 0  # open merged() blocks: the depth limit waits for them

    @property
    def state(self) -> int:
        """Token of the moment the history stands at (changes with every push, undo, redo)."""
        with self._lock:
            return self._undo[-1][0] if self._undo else self._base_token

    @property
    def pushes(self) -> int:
        """Number of commands recorded so far (grouped ones included; replays excluded)."""
        return self._pushes

    @property
    def can_undo(self) -> bool:
        """True when there is a step to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """True when there is a step to redo."""
        return bool(self._redo)

    @property
    def undo_label(self) -> str | None:
        """Label of the step :meth:`undo` would revert."""
        return self._undo[-1][1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        """Label of the step :meth:`redo` would re-apply."""
        return self._redo[-1][1].label if self._redo else None

    @property
    def is_merging(self) -> bool:
        """True while a :meth:`merged` block is open (a script run or console command)."""
        return self._merging > 0

    @property
    def is_replaying(self) -> bool:
        """True while an undo or redo runs."""
        return self._replaying

    def step_status(self, token: int) -> str | None:
        """Return where the step with ``token`` (its :attr:`state` just after it) stands.

        Returns
        -------
        {"applied", "undone"} or None
            ``"applied"`` while it is on the undo stack, ``"undone"`` while it waits on the
            redo stack, None once it is gone (dropped beyond :attr:`max_depth`, or an undone
            step cleared by a new edit).
        """
        with self._lock:
            if any(t == token for t, _ in self._undo):
                return "applied"
            if any(t == token for t, _ in self._redo):
                return "undone"
            return None

    def __len__(self) -> int:
        return len(self._undo)

    def push(self, command: Command) -> None:
        """Record an already applied ``command`` (clears the redo stack)."""
        with self._lock:
            if self._replaying:
                return
            self._pushes += 1
            if self._groups:
                self._groups[-1].commands.append(command)
                return
            self._push_step(command)
        self.changed.emit()

    def _push_step(self, command: Command) -> None:
        self._undo.append((self._next_token, command))
        self._next_token += 1
        self._trim()
        self._redo.clear()

    def _trim(self) -> None:
        """Drop the oldest steps beyond :attr:`max_depth` (not while a merge is open)."""
        if self._merging and len(self._undo) > self.max_depth + self.max_merged_steps:
            self._base_token = self._undo[-1][0]
            self._undo.clear()
            self._merge_overflowed = True
            return
        if self._merging or len(self._undo) <= self.max_depth:
            return
        dropped = len(self._undo) - self.max_depth
        self._base_token = self._undo[dropped - 1][0]
        del self._undo[:dropped]

    def undo(self) -> bool:
        """Revert the last step; return False when there is none."""
        with self._lock:
            if not self._undo or self._groups:
                return False
            step = self._undo.pop()
            self._replay(step[1].undo)
            self._redo.append(step)
        self.changed.emit()
        return True

    def redo(self) -> bool:
        """Re-apply the last undone step; return False when there is none."""
        with self._lock:
            if not self._redo or self._groups:
                return False
            step = self._redo.pop()
            self._replay(step[1].redo)
            self._undo.append(step)
        self.changed.emit()
        return True

    def _replay(self, action: Callable[[], None]) -> None:
        self._replaying = True
        try:
            action()
        finally:
            self._replaying = False

    @contextmanager
    def group(self, label: str) -> Iterator[CommandGroup]:
        """Merge every command pushed inside the ``with`` block into one undo step.

        Groups nest; only the outermost one becomes a step. An empty group records nothing.
        """
        with self._lock:
            group = CommandGroup(label)
            self._groups.append(group)
        try:
            yield group
        finally:
            with self._lock:
                self._groups.pop()
                emit = False
                if group.commands:
                    if self._groups:
                        self._groups[-1].commands.append(group)
                    else:
                        self._push_step(group)
                        emit = True
            if emit:
                self.changed.emit()

    @contextmanager
    def merged(self, label: str) -> Iterator[None]:
        """Make the steps recorded inside the ``with`` block one step labelled ``label``.

        Unlike :meth:`group`, the steps are recorded as usual while the block runs:
        :meth:`undo`, :meth:`redo`, :attr:`state` and so the DataManager's ``modified``
        flag work inside it (a script may undo its own edits, or save). When the block
        ends, the steps it left on the undo stack become one step, which keeps the last
        step's token (a save at the end of the block stays the saved state); a single
        step keeps its own label. Steps are not dropped for :attr:`max_depth` while the
        block is open, so older history survives a block of many steps. Steps recorded
        by other threads meanwhile join the merged step.
        """
        with self._lock:
            start = self._next_token
            self._merging += 1
            if self._merging == 1:
                self._merge_overflowed = False
        try:
            yield
        finally:
            with self._lock:
                self._merging -= 1
                first = len(self._undo)
                while first > 0 and self._undo[first - 1][0] >= start:
                    first -= 1
                steps = self._undo[first:]
                overflowed = self._merge_overflowed and not self._merging
                if overflowed:  # the block's first steps are gone: none of it can be undone
                    self._base_token = self.state
                    self._undo.clear()
                    self._redo.clear()
                elif len(steps) > 1:
                    group = CommandGroup(label, [command for _, command in steps])
                    self._undo[first:] = [(steps[-1][0], group)]
                self._trim()
            if overflowed:
                logger.warning(
                    "%s made more than %d edits: it cannot be undone, and the undo history "
                    "was cleared",
                    label,
                    self.max_merged_steps,
                )
            if overflowed or len(steps) > 1:
                self.changed.emit()

    def clear(self) -> None:
        """Forget every undo and redo step (the current :attr:`state` stays the same)."""
        with self._lock:
            self._base_token = self.state
            self._undo.clear()
            self._redo.clear()
        self.changed.emit()

    def __repr__(self) -> str:
        return f"<CommandHistory undo={len(self._undo)} redo={len(self._redo)}>"
