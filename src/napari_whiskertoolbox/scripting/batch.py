"""Helpers for the loops scripts write most: frames, group members, intervals.

Every helper checks for Cancel once per item, so a long loop over a big session stops
promptly even when its body spends its time in C code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, TypeVar

import numpy as np

from napari_whiskertoolbox.core import (
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    Interval,
    LineData,
    MaskData,
    PointData,
    RaggedSeries,
)
from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.scripting.cancel import check_cancelled

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["EntityRef", "entities_in_group", "frames_with_data", "intervals_of"]

_Container = TypeVar("_Container")


class EntityRef(NamedTuple):
    """Where a group member lives and what it is.

    Attributes
    ----------
    key : str
        DataManager key holding the entity.
    entity_id : int
        The entity id.
    time : int
        Time index of the entity in ``key``'s clock (the start for intervals).
    value : numpy.ndarray or int or Interval
        ``(2,)`` point, ``(N, 2)`` line or mask pixels, the event time, or an
        :class:`~napari_whiskertoolbox.core.Interval`.
    """

    key: str
    entity_id: int
    time: int
    value: np.ndarray | int | Interval


def _resolve(source: object, key: str | None, expected: type[_Container], what: str) -> _Container:
    """Return ``source`` (or ``source[key]`` of a DataManager), checked to be ``expected``.

    Raises
    ------
    KeyError
        If the DataManager has no ``key``.
    TypeError
        If ``key`` is given but ``source`` is no DataManager, or the object is no
        ``expected``.
    """
    found = source
    if key is not None:
        if not isinstance(source, DataManager):
            raise TypeError(
                f"{what}: a key ({key!r}) needs a DataManager, got a {type(source).__name__}"
            )
        if key not in source:
            raise KeyError(
                f"{what}: no key {key!r} in the DataManager{did_you_mean(key, source.keys())}; "
                f"keys: {source.keys()}"
            )
        found = source.get_data(key)
    if not isinstance(found, expected):
        label = f"key {key!r}" if key is not None else "the argument"
        raise TypeError(
            f"{what}: {label} holds a {type(found).__name__}, expected {expected.__name__}"
        )
    return found


def frames_with_data(
    source: DataManager | RaggedSeries, key: str | None = None
) -> Iterator[tuple[int, np.ndarray | list[np.ndarray]]]:
    """Yield ``(time, data_at_time)`` for every frame that holds points, lines or masks.

    Parameters
    ----------
    source : DataManager or PointData or LineData or MaskData
        A container, or a DataManager together with ``key``.
    key : str, optional
        Key of the container in ``source`` (a DataManager).

    Yields
    ------
    time : int
        Time index (in the container's clock).
    data : numpy.ndarray or list of numpy.ndarray
        ``container.at(time)``: an ``(N, 2)`` array of points, or a list of lines / masks.

    Examples
    --------
    >>> for t, whiskers in frames_with_data(dm, "whiskers"):
    ...     lengths = [np.linalg.norm(np.diff(w, axis=0), axis=1).sum() for w in whiskers]
    """
    container = _resolve(source, key, RaggedSeries, "frames_with_data")
    for time in container.times_with_data():
        check_cancelled()
        yield int(time), container.at(int(time))


def _ragged_members(key: str, data: RaggedSeries, wanted: np.ndarray) -> Iterator[EntityRef]:
    flat = data.to_flat()
    for index in np.flatnonzero(np.isin(flat.ids, wanted)):
        if flat.offsets is None:
            value = flat.coords[index]
        else:
            value = flat.coords[flat.offsets[index] : flat.offsets[index + 1]]
        yield EntityRef(key, int(flat.ids[index]), int(flat.times[index]), value)


def _event_members(key: str, data: DigitalEventSeries, wanted: np.ndarray) -> Iterator[EntityRef]:
    for index in np.flatnonzero(np.isin(data.ids, wanted)):
        time = int(data.times[index])
        yield EntityRef(key, int(data.ids[index]), time, time)


def _interval_members(
    key: str, data: DigitalIntervalSeries, wanted: np.ndarray
) -> Iterator[EntityRef]:
    for index in np.flatnonzero(np.isin(data.ids, wanted)):
        start, end = (int(v) for v in data.intervals[index])
        yield EntityRef(key, int(data.ids[index]), start, Interval(start, end))


def entities_in_group(dm: DataManager, group: str) -> Iterator[EntityRef]:
    """Yield every member of entity group ``group``, across all keys of ``dm``.

    Members are reported key by key (in ``dm.keys()`` order), by time within a key.

    Raises
    ------
    KeyError
        If ``dm`` has no group called ``group``.
    """
    if group not in dm.groups:
        names = dm.groups.names()
        raise KeyError(
            f"entities_in_group: no entity group {group!r}{did_you_mean(group, names)}; "
            f"groups: {names}"
        )
    wanted = dm.groups.members(group)
    if wanted.size == 0:
        return
    for key in dm:
        data = dm.get_data(key)
        members: Iterator[EntityRef]
        if isinstance(data, (PointData, LineData, MaskData)):
            members = _ragged_members(key, data, wanted)
        elif isinstance(data, DigitalEventSeries):
            members = _event_members(key, data, wanted)
        elif isinstance(data, DigitalIntervalSeries):
            members = _interval_members(key, data, wanted)
        else:
            continue
        for ref in members:
            check_cancelled()
            yield ref


def intervals_of(
    source: DataManager | DigitalIntervalSeries, key: str | None = None
) -> Iterator[Interval]:
    """Yield each interval ``(start, end)`` (inclusive) of an interval series, in order.

    Parameters
    ----------
    source : DataManager or DigitalIntervalSeries
        A series, or a DataManager together with ``key``.
    key : str, optional
        Key of the series in ``source``.
    """
    series = _resolve(source, key, DigitalIntervalSeries, "intervals_of")
    for start, end in series.intervals.tolist():
        check_cancelled()
        yield Interval(int(start), int(end))
