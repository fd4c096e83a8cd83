"""Qt-free helpers of the data-key browser: row summaries, key-name rules, empty containers."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.key_names import validate_key_name
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS, RAGGED_KINDS

__all__ = [
    "NEW_KEY_KINDS",
    "KeyRow",
    "describe_entity",
    "get_data_code",
    "key_row",
    "make_empty",
    "size_summary",
    "validate_key_name",
]

NEW_KEY_KINDS = {
    "points": "points",
    "lines": "line",
    "mask": "mask",
    "events": "digital_event",
    "intervals": "digital_interval",
}
"""User-facing kind of a new empty key → DataManager data type."""


class KeyRow(NamedTuple):
    """One row of the browser table."""

    name: str
    data_type: str
    clock: str
    size: str
    image_size: str


def size_summary(data_type: str, obj: Any) -> str:
    """Human summary of a data object's size (samples, events, intervals, frames...)."""
    if data_type == "analog":
        return counted(len(obj), "sample")
    if data_type == "digital_event":
        return counted(len(obj), "event")
    if data_type == "digital_interval":
        return counted(len(obj), "interval")
    if data_type in RAGGED_KINDS:
        frames = counted(obj.n_frames_with_data, "frame")
        return f"{counted(obj.n_entries, 'entry').replace('entrys', 'entries')} in {frames}"
    if data_type in MEDIA_KINDS:
        return counted(len(obj), "frame")
    if data_type == "tensor":
        return " × ".join(str(n) for n in obj.shape)
    return ""


def _image_size(data_type: str, obj: Any) -> str:
    if data_type in RAGGED_KINDS:
        size = obj.image_size
        return "" if size is None else f"{size.width} × {size.height}"
    if data_type in MEDIA_KINDS:
        height, width = obj.shape[1:3]
        return f"{width} × {height}"
    return ""


def key_row(dm: Any, key: str) -> KeyRow:
    """Summarise ``key`` of ``dm`` for the table."""
    data_type = dm.data_type(key)
    obj = dm.get_data(key)
    return KeyRow(
        key, data_type, dm.time_key(key), size_summary(data_type, obj), _image_size(data_type, obj)
    )


def make_empty(kind: str, image_size: tuple[int, int] | None = None) -> Any:
    """Return an empty container of user-facing ``kind`` (see :data:`NEW_KEY_KINDS`).

    Parameters
    ----------
    kind : str
        ``"points"``, ``"lines"``, ``"mask"``, ``"events"`` or ``"intervals"``.
    image_size : tuple, optional
        ``(width, height)`` for spatial kinds (usually the video's).

    Raises
    ------
    ValueError
        For an unknown kind.
    """
    from napari_whiskertoolbox.core import (
        DigitalEventSeries,
        DigitalIntervalSeries,
        LineData,
        MaskData,
        PointData,
    )

    factories = {
        "points": lambda: PointData(image_size=image_size),
        "lines": lambda: LineData(image_size=image_size),
        "mask": lambda: MaskData(image_size=image_size),
        "events": DigitalEventSeries,
        "intervals": DigitalIntervalSeries,
    }
    try:
        return factories[kind]()
    except KeyError:
        raise ValueError(f"unknown key kind {kind!r}; expected one of {list(factories)}") from None


def get_data_code(key: str) -> str:
    """Return the script line that fetches ``key``: ``dm.get_data("key")``."""
    return f"dm.get_data({json.dumps(key)})"


def describe_entity(dm: Any, entity_id: int) -> str:
    """Where entity ``entity_id`` lives: ``"<id>  key @ frame t"``, or ``"<id>  (not found)"``.

    Searches points, lines, masks, events and intervals of ``dm``.
    """
    entity_id = int(entity_id)
    for key in dm:
        data_type = dm.data_type(key)
        obj = dm.get_data(key)
        if data_type in RAGGED_KINDS:
            found = obj.find(entity_id)
            if found is not None:
                return f"{entity_id}  {key} @ frame {int(found[0])}"
        elif data_type in ("digital_event", "digital_interval"):
            rows = (obj.ids == entity_id).nonzero()[0]
            if len(rows):
                row = int(rows[0])
                where = (
                    f"time {int(obj.times[row])}"
                    if data_type == "digital_event"
                    else "interval [{}, {}]".format(*(int(v) for v in obj.intervals[row]))
                )
                return f"{entity_id}  {key} @ {where}"
    return f"{entity_id}  (not found)"
