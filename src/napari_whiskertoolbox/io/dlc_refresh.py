"""Bring an open labels pose set up to date with its ``CollectedData_*`` table after a merge.

Saving refined machine labels (``machinelabels-iter<N>``) merges them into the labelled-data
folder's ``CollectedData_<scorer>`` table (:mod:`.dlc_merge`), which the folder's labels pose
set was read from. That set must then show what its table holds: the refined points of
images it already shows, and the images the merge added. Otherwise it keeps the values it
was read with, and its next save (the table is its own: written whole) puts them back over
the merged ones.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.io.dlc import DLCTable, read_dlc
from napari_whiskertoolbox.io.dlc_layout import row_key
from napari_whiskertoolbox.io.pose import POSES

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["sync_with_table"]


def sync_with_table(dm: DataManager, pose: PoseSet, path: Path) -> list[int]:
    """Set ``pose``'s keys to what its labels table at ``path`` holds; return the frames changed.

    Only the table's rows whose image ``pose`` shows (a row it was read with, or an image of
    its folder among its frames) are looked at; a point is set where the table's value
    (as read, times the set's ``scale``) differs from the key's, and cleared where the table
    has none. Each change is a DataManager edit (the caller groups them into one undo
    step). Rows new to the set are recorded in its ``source["rows"]``.
    """
    table = read_dlc(path)
    source = pose.source
    scale = np.asarray(source.get("scale") or (1.0, 1.0), np.float32)
    frame_of = {row_key(str(row)): int(frame) for frame, row in (source.get("rows") or {}).items()}
    new_rows: dict[str, str] = {}
    changed: set[int] = set()
    columns = {col: k for k, col in enumerate(table.columns)}
    for j, row in enumerate(table.rows):
        frame = frame_of.get(row_key(row))
        if frame is None:
            frame = _frame_of_new_image(source.get("new_rows"), row)
            if frame is None:
                continue
        for individual, parts in pose.keys.items():
            for bodypart, key in parts.items():
                k = columns.get((individual, bodypart))
                if k is None or key not in dm:
                    continue
                if _set_point(dm, key, frame, table, j, k, scale):
                    changed.add(frame)
                    if row_key(row) not in frame_of:
                        new_rows[str(frame)] = row
    if new_rows:
        record = dm.metadata.get(POSES, {}).get(pose.name)
        if isinstance(record, dict):
            record.setdefault("source", {}).setdefault("rows", {}).update(new_rows)
    return sorted(changed)


def _set_point(
    dm: DataManager, key: str, frame: int, table: DLCTable, row: int, column: int, scale: Any
) -> bool:
    """Set ``key``'s point on ``frame`` to the table's cell; return whether it changed."""
    points = dm.get_data(key)
    held = points.at(frame)
    value = table.xy[row, column]
    if not np.all(np.isfinite(value)):
        if len(held):
            points.clear_at(frame)
            return True
        return False
    xy = (value.astype(np.float32) * scale).reshape(1, 2)
    if len(held) == 1 and np.array_equal(np.asarray(held, np.float32), xy):
        return False
    ids = [int(i) for i in points.ids_at(frame)[:1]] or [0]
    points.set_frame(frame, xy, ids)
    return True


def _frame_of_new_image(rule: Any, row: str) -> int | None:
    """Return the frame showing the image of ``row`` by the set's ``new_rows`` rule, if any."""
    if not isinstance(rule, dict):
        return None
    name = PurePosixPath(row_key(row)).name
    prefix = row_key(str(rule.get("prefix", "")))
    if prefix and not row_key(row).startswith(prefix):
        return None  # an image of another folder
    if rule.get("frame_from") == "position":
        images = list(rule.get("images") or [])
        if name not in images:
            return None
        return int(rule.get("offset", 0)) + images.index(name)
    return None  # numbered video frames: the set shows no image of its own
