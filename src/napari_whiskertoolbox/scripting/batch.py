"""Helpers for the loops scripts write most: frames, group members, intervals.

Every helper checks for Cancel once per item, so a long loop over a big session stops
promptly even when its body spends its time in C code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from napari_whiskertoolbox.core import (
    DigitalEventSeries,
    DigitalIntervalSeries,
    Interval,
    LineData,
    MaskData,
    PointData,
    RaggedSeries,
)
from napari_whiskertoolbox.scripting.cancel import check_cancelled

__all__ = ["EntityRef", "entities_in_group", "frames_with_data", "intervals_of"]


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
    value : object
        ``(2,)`` point, ``(N, 2)`` line or mask pixels, the event time, or an
        :class:`~napari_whiskertoolbox.core.Interval`.
    """

    key: str
    entity_id: int
    time: int
    value: Any


def _resolve(source: Any, key: str | None, expected: type | tuple[type, ...], what: str) -> Any:
    if key is not None:
        if key not in source:
            raise KeyError(f"{what}: no key {key!r} in the DataManager; keys: {source.keys()}")
        source = source.get_data(key)
    if not isinstance(source, expected):
        names = (
            expected.__name__
            if isinstance(expected, type)
            else " or ".join(t.__name__ for t in expected)
        )
        label = f"key {key!r}" if key is not None else "the argument"
        raise TypeError(f"{what}: {label} holds a {type(source).__name__}, expected {names}")
    return source


def frames_with_data(source: Any, key: str | None = None) -> Iterator[tuple[int, Any]]:
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


def entities_in_group(dm: Any, group: str) -> Iterator[EntityRef]:
    """Yield every member of entity group ``group``, across all keys of ``dm``.

    Members are reported key by key (in ``dm.keys()`` order), by time within a key.

    Raises
    ------
    KeyError
        If ``dm`` has no group called ``group``.
    """
    if group not in dm.groups:
        raise KeyError(f"entities_in_group: no entity group {group!r}; groups: {dm.groups.names()}")
    wanted = dm.groups.members(group)
    if wanted.size == 0:
        return
    readers = (
        ((PointData, LineData, MaskData), _ragged_members),
        (DigitalEventSeries, _event_members),
        (DigitalIntervalSeries, _interval_members),
    )
    for key in dm.keys():
        data = dm.get_data(key)
        for kinds, read in readers:
            if isinstance(data, kinds):
                for ref in read(key, data, wanted):
                    check_cancelled()
                    yield ref


def intervals_of(source: Any, key: str | None = None) -> Iterator[Interval]:
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
