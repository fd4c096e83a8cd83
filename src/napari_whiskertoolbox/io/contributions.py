"""What a reader may return besides data objects: pose sets and clocks.

A config reader returns ``[(key, object), ...]``. Readers of other tools' files also describe
how their keys belong together: a :class:`~napari_whiskertoolbox.io.pose.PoseSet` (keys of
one skeleton), a :class:`NewClock` (a recording's own clock, with the keys bound to it) or a
:class:`~napari_whiskertoolbox.io.table_columns.TableColumns` (the other columns of an events
or intervals table, a value per event).
The config loader and :func:`commit` apply them to the DataManager.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.io.clock_alignment import join_clocks
from napari_whiskertoolbox.io.pose import PoseSet, apply_pose, pose_sets, record_pose
from napari_whiskertoolbox.io.report import log_renamed_keys
from napari_whiskertoolbox.io.table_columns import TableColumns, record_columns

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = ["NewClock", "commit", "is_contribution"]


@dataclass
class NewClock:
    """A clock a file defines, and the keys read from that file that run on it.

    Attributes
    ----------
    name : str
        Clock name in the DataManager.
    clock : TimeFrame
        Its ticks (and sampling rate).
    keys : list of str
        Keys bound to it.
    """

    name: str
    clock: TimeFrame
    keys: list[str] = field(default_factory=list)


def is_contribution(obj: Any) -> bool:
    """Return whether a reader's returned object describes keys rather than being data."""
    return isinstance(obj, (PoseSet, NewClock, TableColumns))


def commit(
    dm: DataManager,
    entries: list[tuple[str, Any]],
    *,
    label: str = "Open file",
    clock: str = "time",
    source: str = "the file",
) -> tuple[str, ...]:
    """Add a reader's entries to ``dm`` as one undo step; return the data keys added.

    Clocks are set first (:func:`~.clock_alignment.join_clocks`: on ``dm``'s tick rate,
    renamed when ``dm`` has a clock of that name with other ticks; ``source`` names the
    file in its messages), data keys are bound to the clock a :class:`NewClock` names (else
    ``clock``), then pose sets are recorded (:func:`~napari_whiskertoolbox.io.pose.apply_pose`)
    and table columns (:func:`~napari_whiskertoolbox.io.table_columns.record_columns`).
    A data key ``dm`` already holds is never replaced: it is added as ``<key>_2`` (pose sets
    and clocks follow), and a load note says so.
    """
    renamed = _free_keys(dm, [k for k, obj in entries if not is_contribution(obj)], source)
    clocks = [
        replace(obj, keys=[renamed.get(k, k) for k in obj.keys])
        for _, obj in entries
        if isinstance(obj, NewClock)
    ]
    poses = [_renamed_pose(dm, obj, renamed) for _, obj in entries if isinstance(obj, PoseSet)]
    data = [(renamed.get(k, k), obj) for k, obj in entries if not is_contribution(obj)]
    for pose in poses:  # colours first: layers are drawn in them from the start
        record_pose(dm, pose)
    with dm.history.group(label):
        names = join_clocks(dm, [(c.name, c.clock) for c in clocks], source)
        clock_of = {k: names[c.name] for c in clocks for k in c.keys}
        for key, obj in data:
            dm.set_data(key, obj, clock_of.get(key, clock))
    for pose in poses:
        apply_pose(dm, pose)
    for _, obj in entries:
        if isinstance(obj, TableColumns):
            record_columns(dm, renamed.get(obj.key, obj.key), obj.columns)
    return tuple(k for k, _ in data)


def _free_keys(dm: DataManager, keys: list[str], source: str) -> dict[str, str]:
    """Map each of ``keys`` that ``dm`` holds to a free name; log one note naming them."""
    used = set(keys)
    renamed: dict[str, str] = {}
    for key in keys:
        if key in dm:
            renamed[key] = first_free(key, lambda name: name in dm or name in used)
            used.add(renamed[key])
    if renamed:
        pairs = ", ".join(f"{old!r} as {new!r}" for old, new in renamed.items())
        log_renamed_keys(source, pairs)
    return renamed


def _renamed_pose(dm: DataManager, pose: PoseSet, renamed: dict[str, str]) -> PoseSet:
    """``pose`` on the renamed keys, itself renamed when ``dm`` has a pose set of its name."""
    keys = {
        individual: {part: renamed.get(key, key) for part, key in parts.items()}
        for individual, parts in pose.keys.items()
    }
    name = pose.name
    if renamed:
        existing = pose_sets(dm)
        if name in existing:
            name = first_free(name, existing.__contains__)
    return replace(pose, name=name, keys=keys)
