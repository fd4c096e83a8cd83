"""DataManager: the keyed store of typed data objects, each bound to a clock."""

from __future__ import annotations

import copy
import itertools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core._recording import RecordingMixin
from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK
from napari_whiskertoolbox.core.entity import EntityGroups
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.history import Change, CommandHistory, FunctionCommand
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.key_references import (
    put_key_references,
    rename_key_references,
    take_key_references,
)
from napari_whiskertoolbox.core.kinds import DataKind, data_type_of, kind_info
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.core.wtb_aliases import DataManagerAliases

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from napari_whiskertoolbox.core.kinds import DataObject

__all__ = ["DEFAULT_CLOCK", "DataManager"]

# a clock (None: absent), whether "time" is automatic, whether it goes with its last key
_ClockState = tuple[TimeFrame | None, bool, bool]


def _extent(obj: DataObject) -> int:
    """Return the number of clock indices ``obj`` spans: its last time index + 1, 0 when empty."""
    if isinstance(obj, AnalogTimeSeries):
        return len(obj) if obj.is_dense else (int(obj.times[-1]) + 1 if len(obj) else 0)
    if isinstance(obj, DigitalEventSeries):
        return int(obj.times[-1]) + 1 if len(obj) else 0
    if isinstance(obj, DigitalIntervalSeries):
        return int(obj.intervals[:, 1].max()) + 1 if len(obj) else 0
    if isinstance(obj, (PointData, LineData, MaskData)):
        times = obj.times_with_data()
        return int(times[-1]) + 1 if times.size else 0
    if isinstance(obj, MediaData):
        return len(obj)
    if isinstance(obj, TensorData) and obj.rows is not None and obj.rows.size:
        return int(obj.rows.max()) + 1
    return 0


class DataManager(DataManagerAliases):
    """Keyed store of data objects bound to named clocks, with undo/redo.

    Signals
    -------
    data_added(str), data_removed(str), data_renamed(str, str)
        Key-level changes.
    data_changed(str, object)
        A stored object changed; the second argument is the int64 array of frames touched
        or None for "everything".
    clocks_changed(str)
        A clock was set or replaced.
    modified_changed(bool)
        :attr:`modified` flipped.

    Notes
    -----
    Edits made through a stored container's own methods are recorded in :attr:`history`,
    so :meth:`undo` reverts the last edit whoever made it. Setting, deleting and renaming
    keys are undoable too.

    :attr:`modified` compares the history's position with the one at the last
    :meth:`mark_saved`: undoing back to the saved moment makes it False again. Changes
    that are not undoable (groups, a container's image size) keep it True until the next
    save. Clocks are undoable: :meth:`set_time`, :meth:`set_sampling_rate` and
    :meth:`delete_time` are undo steps (a config load that replaced a clock undoes to the
    old one).

    A clock stored with ``set_time(..., auto_remove=True)`` (a transform's own clock: the
    ``relative:<key>`` clock of relative ticks, the ``<clock>_x<k>`` clock of an upsampled
    result) is removed when no key is bound to it any more: the delete, replace or rebind
    that unbinds its last key removes it in the same undo step.
    """

    data_added = Signal(str)
    data_removed = Signal(str)
    data_renamed = Signal(str, str)
    data_changed = Signal(str, object)
    clocks_changed = Signal(str)
    modified_changed = Signal(bool)

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._data: dict[str, Any] = {}
        self._time_keys: dict[str, str] = {}
        self._clocks: dict[str, TimeFrame] = {DEFAULT_CLOCK: TimeFrame.from_count(0)}
        self._default_clock_is_auto = True
        self._auto_removed: set[str] = set()  # clocks that go with the last key bound to them
        self._key_by_obj: dict[int, str] = {}
        self._handlers: dict[int, Callable[[Change], None]] = {}
        self._modified = False
        self.history = CommandHistory()
        self._saved_state = self.history.state
        self._unrecorded_change = False  # a change undo cannot take back since the save
        self._groups_recorded = False  # groups being set by an undo step (replace_groups)
        self._seen_pushes = self.history.pushes
        self.groups = EntityGroups()
        self.metadata: dict[str, Any] = {}
        self.groups.changed.connect(self._on_groups_changed)
        self.history.changed.connect(self._refresh_modified)
        self._observers: dict[int, Callable[[], object]] = {}
        self._observer_ids = itertools.count(1)
        self._output_path = Path.cwd()

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict[str, Any]:
        """Keys, objects, clocks, groups, metadata and the modified flag (no undo history)."""
        with self._lock:
            return {
                "data": [(key, obj, self._time_keys[key]) for key, obj in self._data.items()],
                "clocks": dict(self._clocks),
                "default_clock_is_auto": self._default_clock_is_auto,
                "auto_removed_clocks": sorted(self._auto_removed),
                "groups": self.groups,
                "metadata": self.metadata,
                "modified": self._modified,
            }

    def __setstate__(self, state: dict[str, Any]) -> None:
        DataManager.__init__(self)
        self._clocks = dict(state["clocks"])
        self._default_clock_is_auto = bool(state["default_clock_is_auto"])
        self._auto_removed = set(state.get("auto_removed_clocks", ())) & set(self._clocks)
        for key, obj, time_key in state["data"]:
            self._insert(key, obj, time_key)
        self.groups.changed.disconnect(self._on_groups_changed)
        self.groups = state["groups"]
        self.groups.changed.connect(self._on_groups_changed)
        self.metadata = state["metadata"]
        self._modified = bool(state["modified"])

    # ------------------------------------------------------------------ helpers
    def _on_groups_changed(self, _name: str) -> None:
        self._note_change(recorded=self._groups_recorded)

    def _set_modified(self, value: bool) -> None:
        if value != self._modified:
            self._modified = value
            self.modified_changed.emit(value)

    def _note_change(self, recorded: bool) -> None:
        """Mark a change: modified now; an unrecorded one stays modified until saved."""
        if self.history.is_replaying:
            return  # an undo or redo: the history decides once it is done
        if not recorded:
            self._unrecorded_change = True
        self._set_modified(True)

    def _refresh_modified(self) -> None:
        self._set_modified(self._unrecorded_change or self.history.state != self._saved_state)

    @property
    def modified(self) -> bool:
        """True when the data differs from the last save (or construction).

        Undoing back to the saved moment makes it False again, unless something that
        cannot be undone (a group, an image size) changed since the save.
        """
        return self._modified

    def mark_saved(self) -> None:
        """Declare the current state saved (:attr:`modified` becomes False)."""
        self._saved_state = self.history.state
        self._unrecorded_change = False
        self._seen_pushes = self.history.pushes
        self._set_modified(False)

    def _require_key(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise KeyError(
                f"no data key {key!r}{did_you_mean(key, self._data)}; "
                f"available keys: {sorted(self._data)}"
            ) from None

    def _require_clock(self, name: str) -> TimeFrame:
        try:
            return self._clocks[name]
        except KeyError:
            raise KeyError(
                f"no clock {name!r}{did_you_mean(name, self._clocks)}; "
                f"available clocks: {sorted(self._clocks)}"
            ) from None

    def _record(self, label: str, undo: Callable[[], None], redo: Callable[[], None]) -> None:
        self.history.push(FunctionCommand(label, undo, redo))
        self._seen_pushes = self.history.pushes

    def _insert(
        self, key: str, obj: DataObject, time_key: str, position: int | None = None
    ) -> None:
        """Store ``obj`` (no recording); connects signals and the undo recorder.

        ``position`` puts the key back at that place in the key order (undoing a delete).
        """
        with self._lock:
            self._data[key] = obj
            if position is not None and position < len(self._data) - 1:
                items = list(self._data.items())
                items.insert(position, items.pop())
                self._data.clear()
                self._data.update(items)
            self._time_keys[key] = time_key
            self._key_by_obj[id(obj)] = key
            changed = getattr(obj, "changed", None)
            if changed is not None and hasattr(changed, "connect"):

                def handler(change: Change, _obj: Any = obj) -> None:
                    self._on_container_changed(_obj, change)

                changed.connect(handler)
                self._handlers[id(obj)] = handler
            if isinstance(obj, RecordingMixin):
                obj._recorder = self.history.push
            if time_key == DEFAULT_CLOCK:
                self._grow_default_clock(_extent(obj))
            if isinstance(obj, ClockedMixin):
                obj.set_time_frame(self._clocks[time_key])
        self.data_added.emit(key)
        self._note_change(recorded=True)

    def _remove(self, key: str) -> Any:
        """Remove ``key`` (no recording); disconnects signals and the recorder."""
        with self._lock:
            obj = self._data.pop(key)
            self._time_keys.pop(key)
            self._key_by_obj.pop(id(obj), None)
            handler = self._handlers.pop(id(obj), None)
            if handler is not None:
                obj.changed.disconnect(handler)
            if isinstance(obj, RecordingMixin):
                obj._recorder = None
        self.data_removed.emit(key)
        self._note_change(recorded=True)
        return obj

    def _rename(self, old: str, new: str) -> None:
        with self._lock:
            obj = self._data[old]
            self._data = {new if k == old else k: v for k, v in self._data.items()}  # same place
            self._time_keys[new] = self._time_keys.pop(old)
            self._key_by_obj[id(obj)] = new
            rename_key_references(self.metadata, old, new)
        self.data_renamed.emit(old, new)
        self._note_change(recorded=True)

    def _on_container_changed(self, obj: Any, change: Change) -> None:
        key = self._key_by_obj.get(id(obj))
        if key is None:
            return
        frames = change.frames if isinstance(change, Change) else None
        if self._time_keys.get(key) == DEFAULT_CLOCK and frames is not None and frames.size:
            self._grow_default_clock(int(frames[-1]) + 1)
        # Containers record a command before they emit: no new push means no undo step.
        recorded = self.history.pushes != self._seen_pushes
        self._seen_pushes = self.history.pushes
        self.data_changed.emit(key, frames)
        self._note_change(recorded)

    def _grow_default_clock(self, extent: int) -> None:
        """Extend the automatic ``"time"`` clock so it spans ``extent`` indices."""
        if not self._default_clock_is_auto:
            return
        clock = self._clocks[DEFAULT_CLOCK]
        if extent > len(clock):
            self._clocks[DEFAULT_CLOCK] = TimeFrame.from_count(extent, clock.sampling_rate)
            self._hand_clock_to_objects(DEFAULT_CLOCK)
            self.clocks_changed.emit(DEFAULT_CLOCK)

    def _hand_clock_to_objects(self, name: str) -> None:
        """Give every object bound to clock ``name`` that clock (their ``time_frame``)."""
        with self._lock:
            clock = self._clocks.get(name)
            for key, obj in self._data.items():
                if self._time_keys[key] == name and isinstance(obj, ClockedMixin):
                    obj.set_time_frame(clock)

    # ------------------------------------------------------------------ keys
    def set_data(self, key: str, obj: DataObject, time_key: str = DEFAULT_CLOCK) -> None:
        """Store ``obj`` under ``key`` bound to clock ``time_key`` (undoable).

        Replacing an existing key emits ``data_removed`` then ``data_added``; the key keeps
        its place in :meth:`keys`.

        Raises
        ------
        ValueError
            Bad key, unsupported object, or the object is already stored under another key.
        KeyError
            ``time_key`` is not a known clock.
        """
        if not isinstance(key, str) or not key:
            raise ValueError(f"data key must be a non-empty string, got {key!r}")
        data_type_of(obj)
        self._require_clock(time_key)
        with self._lock:
            other = self._key_by_obj.get(id(obj))
            if other is not None and other != key:
                raise ValueError(
                    f"this {type(obj).__name__} is already stored under key {other!r}; "
                    "store a .copy() instead"
                )
            previous = (self._data[key], self._time_keys[key]) if key in self._data else None
            position = list(self._data).index(key) if previous is not None else None
            if previous is not None:
                if previous[0] is obj and previous[1] == time_key:
                    return
                self._remove(key)
            self._insert(key, obj, time_key, position)

        def undo() -> None:
            self._remove(key)
            if previous is not None:
                self._insert(key, *previous, position)

        def redo() -> None:
            if previous is not None:
                self._remove(key)
            self._insert(key, obj, time_key, position)

        with self.history.group(f"set {key}"):
            self._record(f"set {key}", undo, redo)
            if previous is not None:
                self._drop_unused_clock(previous[1])
        self._notify_observers()

    def get_data(self, key: str) -> Any:
        """Return the object stored under ``key`` (KeyError listing the keys if missing)."""
        return self._require_key(key)

    def delete_data(self, key: str) -> bool:
        """Delete ``key`` (undoable: undo puts it back at its place); False if it did not exist.

        Where the key was read from leaves with it
        (:func:`~napari_whiskertoolbox.core.key_references.take_key_references`), so a new
        key of that name is not taken for the file's; undo puts it back.
        """
        with self._lock:
            if key not in self._data:
                return False
            time_key = self._time_keys[key]
            position = list(self._data).index(key)
            taken = take_key_references(self.metadata, key)
            obj = self._remove(key)

        def undo() -> None:
            put_key_references(self.metadata, key, taken)
            self._insert(key, obj, time_key, position)

        def redo() -> None:
            take_key_references(self.metadata, key)
            self._remove(key)

        with self.history.group(f"delete {key}"):
            self._record(f"delete {key}", undo, redo)
            self._drop_unused_clock(time_key)
        self._notify_observers()
        return True

    def rename_data(self, old: str, new: str) -> None:
        """Rename key ``old`` to ``new`` (undoable); the key keeps its place in :meth:`keys`.

        Metadata naming the key goes along (:mod:`~napari_whiskertoolbox.core.key_references`):
        its colour, its body part in a pose set and the file it was read from stay the
        renamed key's; undo and redo take them back and forth with the name.
        """
        if not isinstance(new, str) or not new:
            raise ValueError(f"data key must be a non-empty string, got {new!r}")
        with self._lock:
            self._require_key(old)
            if new == old:
                return
            if new in self._data:
                raise ValueError(f"cannot rename {old!r} to {new!r}: key {new!r} already exists")
            self._rename(old, new)
        self._record(
            f"rename {old} to {new}", lambda: self._rename(new, old), lambda: self._rename(old, new)
        )
        self._notify_observers()

    def keys(self, data_type: DataKind | None = None) -> list[str]:
        """Return the keys in insertion order, optionally only those of ``data_type``."""
        if data_type is None:
            return list(self._data)
        kind_info(data_type)  # raises for an unknown kind
        return [k for k, v in list(self._data.items()) if data_type_of(v) == data_type]

    def items(self) -> list[tuple[str, Any]]:
        """Return ``(key, object)`` pairs in insertion order."""
        return list(self._data.items())

    def data_type(self, key: str) -> DataKind:
        """Return the data kind of ``key`` (see :data:`~napari_whiskertoolbox.core.kinds.DATA_KINDS`)."""
        return data_type_of(self._require_key(key))

    # ------------------------------------------------------------------ clocks
    def time_key(self, key: str) -> str:
        """Return the name of the clock ``key`` is bound to."""
        self._require_key(key)
        return self._time_keys[key]

    def set_time_key(self, key: str, name: str) -> None:
        """Bind ``key`` to clock ``name`` (undoable)."""
        self._require_key(key)
        self._require_clock(name)
        old = self._time_keys[key]
        if old == name:
            return

        def bind(clock: str) -> None:
            self._time_keys[key] = clock
            obj = self._data[key]
            if isinstance(obj, ClockedMixin):
                obj.set_time_frame(self._clocks.get(clock))
            self.data_changed.emit(key, None)
            self._note_change(recorded=True)

        bind(name)
        with self.history.group(f"bind {key} to {name}"):
            self._record(f"bind {key} to {name}", lambda: bind(old), lambda: bind(name))
            self._drop_unused_clock(old)

    def set_time(
        self,
        name: str,
        timeframe: TimeFrame,
        overwrite: bool = True,
        *,
        auto_remove: bool = False,
    ) -> bool:
        """Add clock ``name``, or replace it when ``overwrite`` is True (the default); undoable.

        Parameters
        ----------
        name : str
            Clock name.
        timeframe : TimeFrame
            The clock.
        overwrite : bool
            Replace an existing clock of that name (default True). With False an existing
            clock is kept and False returned (WhiskerToolbox's ``setTime`` default).
        auto_remove : bool
            Remove the clock, in the same undo step, when the last key bound to it is
            deleted, replaced or bound to another clock (default False: the clock stays
            until :meth:`delete_time`). For a clock a transform makes for its output; a
            clock stored again without it is kept from then on.

        Returns
        -------
        bool
            True when the clock was stored.

        Raises
        ------
        ValueError
            ``name`` is not a non-empty string, or ``timeframe`` is not a TimeFrame.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"clock name must be a non-empty string, got {name!r}")
        if not isinstance(timeframe, TimeFrame):
            raise ValueError(f"clock {name!r} must be a TimeFrame, got {type(timeframe).__name__}")
        with self._lock:
            if not overwrite and name in self._clocks:
                return False
            before = self._clock_state(name)
        auto = self._default_clock_is_auto and name != DEFAULT_CLOCK
        after = (timeframe, auto, auto_remove and name != DEFAULT_CLOCK)
        self._change_clock(f"set clock {name}", name, before, after)
        self._notify_observers()
        return True

    def set_sampling_rate(self, name: str, sampling_rate: float | None) -> None:
        """Give clock ``name`` a sampling rate (ticks per second), keeping its ticks (undoable).

        The automatic ``"time"`` clock stays automatic (it still grows with its data). The
        clock's current rate changes nothing: no undo step, no unsaved change.

        Parameters
        ----------
        name : str
            An existing clock.
        sampling_rate : float or None
            Ticks of the clock per second; ``None`` removes the rate.

        Raises
        ------
        KeyError
            No clock ``name`` (the message lists the clocks).
        ValueError
            ``sampling_rate`` is not a positive finite number.
        """
        clock = self._require_clock(name)
        retimed = clock.with_sampling_rate(sampling_rate)
        if retimed.sampling_rate == clock.sampling_rate:
            return
        before = self._clock_state(name)
        self._change_clock(
            f"set the rate of clock {name}", name, before, (retimed, before[1], before[2])
        )

    def _clock_state(self, name: str) -> _ClockState:
        """Return clock ``name`` (None if absent), ``"time"``'s automatic flag, auto-removal."""
        return self._clocks.get(name), self._default_clock_is_auto, name in self._auto_removed

    def _put_clock(self, name: str, state: _ClockState) -> None:
        """Make clock ``name`` ``state[0]`` (None: remove it) and set the two flags."""
        clock, auto, auto_remove = state
        with self._lock:
            if clock is None:
                self._clocks.pop(name, None)
            else:
                self._clocks[name] = clock
            self._default_clock_is_auto = auto
            if auto_remove and clock is not None:
                self._auto_removed.add(name)
            else:
                self._auto_removed.discard(name)
        self._hand_clock_to_objects(name)
        self.clocks_changed.emit(name)
        self._note_change(recorded=True)

    def _change_clock(
        self,
        label: str,
        name: str,
        before: _ClockState,
        after: _ClockState,
    ) -> None:
        """Apply ``after`` to clock ``name`` as one undo step; undo puts ``before`` back."""
        self._put_clock(name, after)
        self._record(
            label, lambda: self._put_clock(name, before), lambda: self._put_clock(name, after)
        )

    def get_time(self, name: str = DEFAULT_CLOCK) -> TimeFrame:
        """Return clock ``name`` (KeyError listing the clocks if missing)."""
        return self._require_clock(name)

    def delete_time(self, name: str) -> None:
        """Remove clock ``name`` (undoable); ``"time"`` and clocks in use cannot be removed."""
        self._require_clock(name)
        if name == DEFAULT_CLOCK:
            raise ValueError("the 'time' clock cannot be removed")
        users = [k for k, c in self._time_keys.items() if c == name]
        if users:
            raise ValueError(f"clock {name!r} is used by keys {users}")
        self._remove_clock(name)

    def _drop_unused_clock(self, name: str) -> None:
        """Remove clock ``name`` (an undo step) if it goes with its last key and has none."""
        with self._lock:
            if name not in self._auto_removed or name not in self._clocks:
                return
            if any(c == name for c in self._time_keys.values()):
                return
        self._remove_clock(name)

    def _remove_clock(self, name: str) -> None:
        """Remove clock ``name`` as one undo step (undo puts it and its flags back)."""
        before = self._clock_state(name)
        self._change_clock(f"delete clock {name}", name, before, (None, before[1], False))

    def time_keys(self) -> list[str]:
        """Return the clock names."""
        return list(self._clocks)

    @property
    def default_clock_is_automatic(self) -> bool:
        """Whether the ``"time"`` clock still grows with the data bound to it.

        True until a ``"time"`` clock is set (:meth:`set_time`, a config or file that
        defines it); its growth then is no change of its own, only of the data.
        """
        return self._default_clock_is_auto

    def auto_removed_clocks(self) -> list[str]:
        """Return the clocks that are removed with the last key bound to them.

        Those stored with ``set_time(..., auto_remove=True)``, in clock order.
        """
        return [name for name in self._clocks if name in self._auto_removed]

    def clock_of(self, key: str) -> TimeFrame:
        """Return the clock ``key`` is bound to."""
        return self._clocks[self.time_key(key)]

    def convert_index(
        self, index: Any, from_clock: str, to_clock: str, preceding: bool = True
    ) -> Any:
        """Convert an index (or int array) of clock ``from_clock`` to clock ``to_clock``."""
        source = self._require_clock(from_clock)
        target = self._require_clock(to_clock)
        if from_clock == to_clock:
            return np.asarray(index, dtype=np.int64) if np.ndim(index) else int(index)
        return source.convert_index(index, target, preceding)

    # ------------------------------------------------------------------ observers
    def add_observer(self, callback: Callable[[], object]) -> int:
        """Call ``callback()`` (no arguments) after each change of the manager's state.

        The state changes are WhiskerToolbox's: a key set (:meth:`set_data`), deleted
        (:meth:`delete_data`) or renamed (:meth:`rename_data`), a clock stored
        (:meth:`set_time`), and :meth:`reset`; one call per change. Edits inside a stored
        object, undo and redo do not call it (use the signals for those).

        Parameters
        ----------
        callback : callable
            Called with no arguments, in the thread that made the change. An exception it
            raises propagates to the caller of the changing method (the change is done).

        Returns
        -------
        int
            The observer's id, for :meth:`remove_observer`.
        """
        if not callable(callback):
            raise TypeError(f"observer must be callable, got {type(callback).__name__}")
        observer_id = next(self._observer_ids)
        with self._lock:
            self._observers[observer_id] = callback
        return observer_id

    def remove_observer(self, observer_id: int) -> bool:
        """Stop calling observer ``observer_id``; return False if there was no such observer."""
        with self._lock:
            return self._observers.pop(int(observer_id), None) is not None

    def _notify_observers(self) -> None:
        with self._lock:
            callbacks = list(self._observers.values())
        for callback in callbacks:
            callback()

    # ------------------------------------------------------------------ groups, metadata
    def replace_groups(self, groups: Mapping[str, Iterable[int]]) -> None:
        """Make the entity groups exactly ``groups`` (``{name: ids}``), as one undo step.

        Unlike editing :attr:`groups` directly, undo takes the change back (and undoing to
        the saved moment leaves the manager unmodified). A group keeping its name keeps its
        description; nothing is recorded when the groups already are ``groups``.
        """
        before = self._groups_state()
        wanted = {name: sorted({int(i) for i in ids}) for name, ids in groups.items()}
        after = (wanted, {name: text for name, text in before[1].items() if name in wanted})
        if after == before:
            return
        self._put_groups(after)
        self._record(
            "replace groups", lambda: self._put_groups(before), lambda: self._put_groups(after)
        )

    def _groups_state(self) -> tuple[dict[str, list[int]], dict[str, str]]:
        ids = self.groups.to_dict()
        return ids, {name: self.groups.description(name) for name in ids}

    def _put_groups(self, state: tuple[dict[str, list[int]], dict[str, str]]) -> None:
        ids, descriptions = state
        self._groups_recorded = True
        try:
            for name in list(self.groups):
                self.groups.delete(name)
            for name, members in ids.items():
                self.groups.create(name, members, descriptions.get(name, ""))
        finally:
            self._groups_recorded = False

    def replace_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Make :attr:`metadata` a copy of ``metadata``, as one undo step.

        :attr:`metadata` stays the same dict (its content is replaced); nothing is recorded
        when it already equals ``metadata``.
        """
        before = copy.deepcopy(self.metadata)
        after = copy.deepcopy(dict(metadata))
        if after == before:
            return

        def put(state: dict[str, Any]) -> None:
            self.metadata.clear()
            self.metadata.update(copy.deepcopy(state))

        put(after)
        self._record("replace metadata", lambda: put(before), lambda: put(after))

    # ------------------------------------------------------------------ reset, output path
    def reset(self) -> None:
        """Empty the manager: no keys, only an empty automatic ``"time"`` clock, no groups.

        As WhiskerToolbox's ``DataManager.reset``: every key is removed (``data_removed``
        per key), every clock but ``"time"`` is removed and ``"time"`` is back to an
        automatic clock of 0 ticks (``clocks_changed`` per clock), groups and
        :attr:`metadata` are cleared, the undo history is forgotten (a reset cannot be
        undone) and the observers are called once. :attr:`output_path` is kept.
        """
        for key in list(self._data):
            self._remove(key)
        for name in [n for n in self._clocks if n != DEFAULT_CLOCK]:
            with self._lock:
                del self._clocks[name]
                self._auto_removed.discard(name)
            self.clocks_changed.emit(name)
        with self._lock:
            self._clocks[DEFAULT_CLOCK] = TimeFrame.from_count(0)
            self._default_clock_is_auto = True
        self.clocks_changed.emit(DEFAULT_CLOCK)
        for name in list(self.groups):
            self.groups.delete(name)
        self.metadata.clear()
        self.history.clear()
        self._note_change(recorded=False)
        self._notify_observers()

    @property
    def output_path(self) -> Path:
        """Folder outputs are written to (default: the working directory at construction)."""
        return self._output_path

    def set_output_path(self, path: str | os.PathLike[str]) -> None:
        """Set :attr:`output_path` (the folder is neither checked nor created)."""
        self._output_path = Path(path)

    # ------------------------------------------------------------------ undo
    def undo(self) -> bool:
        """Revert the last recorded step; return False when there is none."""
        return self.history.undo()

    def redo(self) -> bool:
        """Re-apply the last undone step; return False when there is none."""
        return self.history.redo()

    # ------------------------------------------------------------------ dunder
    def __getitem__(self, key: str) -> Any:
        return self.get_data(key)

    def __setitem__(self, key: str, obj: DataObject) -> None:
        self.set_data(key, obj)

    def __delitem__(self, key: str) -> None:
        self._require_key(key)
        self.delete_data(key)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        entries = ", ".join(
            f"{k!r}: {data_type_of(v)} @ {self._time_keys[k]}" for k, v in self._data.items()
        )
        clocks = ", ".join(f"{n}[{len(tf)}]" for n, tf in self._clocks.items())
        mod = ", modified" if self._modified else ""
        return f"DataManager(keys={len(self._data)}, {{{entries}}}, clocks: {clocks}{mod})"
