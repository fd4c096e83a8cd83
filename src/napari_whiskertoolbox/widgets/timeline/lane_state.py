"""Qt-free timeline UI state kept in ``dm.metadata["ui"]["timeline"]`` (saved with sessions).

Layout of the stored dict::

    {"lanes": [{"key": "whisker_angle", "color": "#1f77b4", "visible": true}, ...],
     "axis": "frames" | "seconds",
     "edit_key": "contact" | null}

The list order is the lane order, top to bottom.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from psygnal import SignalInstance

from napari_whiskertoolbox.core.kinds import SERIES_KINDS
from napari_whiskertoolbox.core.palette import TAB10

__all__ = ["LaneState", "default_color", "lanes_changed"]

lanes_changed = SignalInstance((object,), name="lanes_changed")
"""Emitted with the DataManager whenever a timeline's lanes change, appear or go away.

Lets other docks (the data browser) follow lane visibility without holding the timeline.
"""

_PALETTE = TAB10[:-1]
"""Lane colours: tab10 without its grey."""
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_DROPPED_LANES: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, dict]]] = (
    weakref.WeakKeyDictionary()
)
"""Lanes of deleted keys, per DataManager: ``{key: (index, lane)}``, restored on undo."""


def default_color(index: int) -> str:
    """Colour of the ``index``-th lane in the default palette (``#rrggbb``)."""
    return _PALETTE[index % len(_PALETTE)]


class LaneState:
    """Read and write the timeline's UI state in a DataManager's metadata.

    Parameters
    ----------
    dm : DataManager
        Whose ``metadata`` holds the state.
    """

    def __init__(self, dm: Any) -> None:
        self.dm = dm

    @property
    def _state(self) -> dict:
        ui = self.dm.metadata.setdefault("ui", {})
        state = ui.setdefault("timeline", {})
        state.setdefault("lanes", [])
        state.setdefault("axis", "frames")
        state.setdefault("edit_key", None)
        return state

    def sync_keys(self) -> bool:
        """Add a visible lane for every new series key, drop lanes of deleted keys.

        A dropped lane is remembered (for this DataManager, not saved): when its key comes
        back — undoing a delete — the lane returns to its place with its colour.

        Returns
        -------
        bool
            Whether the lane list changed.
        """
        lanes = self._state["lanes"]
        series = [k for k in self.dm if self.dm.data_type(k) in SERIES_KINDS]
        dropped = _DROPPED_LANES.setdefault(self.dm, {})
        kept = []
        for index, lane in enumerate(lanes):
            if lane.get("key") in series:
                kept.append(lane)
            else:
                dropped[lane.get("key")] = (index, lane)
        known = {lane["key"] for lane in kept}
        for key in series:
            if key in known:
                continue
            if key in dropped:
                index, lane = dropped.pop(key)
                kept.insert(min(index, len(kept)), lane)
            else:
                kept.append({"key": key, "color": default_color(len(kept)), "visible": True})
        changed = kept != lanes
        self._state["lanes"] = kept
        return changed

    def lanes(self) -> list[dict]:
        """All lanes (visible or not) in display order, as copies."""
        return [dict(lane) for lane in self._state["lanes"]]

    def visible_keys(self) -> list[str]:
        """Keys of the visible lanes, top to bottom."""
        return [lane["key"] for lane in self._state["lanes"] if lane.get("visible", True)]

    def _lane(self, key: str) -> dict:
        for lane in self._state["lanes"]:
            if lane["key"] == key:
                return lane
        raise KeyError(f"timeline has no lane for key {key!r}")

    def is_visible(self, key: str) -> bool:
        """Whether ``key``'s lane is shown (``False`` if it has no lane)."""
        try:
            return bool(self._lane(key).get("visible", True))
        except KeyError:
            return False

    def set_visible(self, key: str, visible: bool) -> None:
        """Show or hide ``key``'s lane (raises ``KeyError`` for a non-series key)."""
        self._lane(key)["visible"] = bool(visible)

    def color(self, key: str) -> str:
        """Colour of ``key``'s lane as ``#rrggbb``."""
        return self._lane(key).get("color") or default_color(0)

    def set_color(self, key: str, color: str) -> None:
        """Set ``key``'s lane colour; ``color`` must be ``#rrggbb``."""
        if not _COLOR_RE.match(color):
            raise ValueError(f"lane colour for {key!r} must look like '#rrggbb', got {color!r}")
        self._lane(key)["color"] = color

    def set_order(self, keys: list[str]) -> None:
        """Reorder lanes: ``keys`` first in that order, then any others as before."""
        lanes = self._state["lanes"]
        by_key = {lane["key"]: lane for lane in lanes}
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise KeyError(f"timeline has no lanes for keys {unknown}")
        ordered = [by_key[k] for k in keys]
        ordered += [lane for lane in lanes if lane["key"] not in keys]
        self._state["lanes"] = ordered

    def rename(self, old: str, new: str) -> None:
        """Carry a lane's settings over when its key is renamed."""
        for lane in self._state["lanes"]:
            if lane["key"] == old:
                lane["key"] = new
        if self._state["edit_key"] == old:
            self._state["edit_key"] = new

    @property
    def axis(self) -> str:
        """``"frames"`` or ``"seconds"``."""
        return self._state["axis"]

    @axis.setter
    def axis(self, mode: str) -> None:
        if mode not in ("frames", "seconds"):
            raise ValueError(f"timeline axis must be 'frames' or 'seconds', got {mode!r}")
        self._state["axis"] = mode

    @property
    def edit_key(self) -> str | None:
        """The interval or event key edited on the Timeline, or ``None``.

        The mark keys read it with :func:`napari_whiskertoolbox.workflow.timeline_marks.edit_key`.
        """
        return self._state["edit_key"]

    @edit_key.setter
    def edit_key(self, key: str | None) -> None:
        self._state["edit_key"] = key
