"""Qt-free store of series plotted on the timeline without being in the DataManager.

``wt.plot(series)`` (and double-clicking a series in the variable watch) draws a series a
script holds as a lane. Such lanes are view-only: not saved, not in the data browser, gone
with the dock. :class:`LaneSources` lets the lanes and the display mapper read them exactly
like DataManager keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from napari_whiskertoolbox.core.kinds import data_type_of
from napari_whiskertoolbox.widgets.timeline.lane_state import default_color

__all__ = ["LaneSources", "PlottedLane", "PlottedLanes"]


@dataclass
class PlottedLane:
    """One plotted series: the object, the clock its times index, its colour."""

    series: Any
    clock: str
    color: str


class PlottedLanes:
    """Plotted series by lane name, in the order they were added."""

    def __init__(self) -> None:
        self.lanes: dict[str, PlottedLane] = {}
        self._counter = 0

    def __contains__(self, name: object) -> bool:
        return name in self.lanes

    def __iter__(self) -> Any:
        return iter(list(self.lanes))

    def name_of(self, series: Any) -> str | None:
        """Return the lane name of ``series`` if it is plotted already."""
        return next((n for n, lane in self.lanes.items() if lane.series is series), None)

    def add(self, series: Any, clock: str, name: str | None, taken: set[str], index: int) -> str:
        """Add ``series`` under ``name`` (made unique against ``taken``); return the name.

        A series plotted already keeps its lane (renamed when ``name`` is given).
        """
        current = self.name_of(series)
        if current is not None and (name is None or name == current):
            self.lanes[current].clock = clock
            return current
        if current is not None:
            self.lanes.pop(current)
        if name is None:
            self._counter += 1
            name = f"plot {self._counter}"
        unique, n = name, 2
        while unique in taken or unique in self.lanes:
            unique, n = f"{name} ({n})", n + 1
        self.lanes[unique] = PlottedLane(series, clock, default_color(index))
        return unique

    def remove(self, name: str) -> PlottedLane | None:
        """Forget lane ``name``; return it (None if unknown)."""
        return self.lanes.pop(name, None)


class LaneSources:
    """The DataManager plus the plotted series, seen through the DataManager's read API.

    Parameters
    ----------
    dm : DataManager
        The session's data.
    plotted : PlottedLanes
        The plotted series (looked up first).
    """

    def __init__(self, dm: Any, plotted: PlottedLanes) -> None:
        self.dm = dm
        self.plotted = plotted

    def __contains__(self, key: object) -> bool:
        return key in self.plotted or key in self.dm

    def get_data(self, key: str) -> Any:
        """Return the series of a plotted lane or of a DataManager key."""
        lane = self.plotted.lanes.get(key)
        return lane.series if lane is not None else self.dm.get_data(key)

    def data_type(self, key: str) -> str:
        """Return the data kind of ``key``."""
        lane = self.plotted.lanes.get(key)
        return data_type_of(lane.series) if lane is not None else self.dm.data_type(key)

    def time_key(self, key: str) -> str:
        """Return the clock of ``key``."""
        lane = self.plotted.lanes.get(key)
        return lane.clock if lane is not None else self.dm.time_key(key)

    def get_time(self, name: str) -> Any:
        """Return the DataManager's clock ``name``."""
        return self.dm.get_time(name)
