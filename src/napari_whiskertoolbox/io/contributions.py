"""What a reader may return besides data objects: pose sets and clocks.

A config reader returns ``[(key, object), ...]``. Readers of other tools' files also describe
how their keys belong together: a :class:`~napari_whiskertoolbox.io.pose.PoseSet` (keys of
one skeleton) or a :class:`NewClock` (a recording's own clock, with the keys bound to it).
The config loader and :func:`commit` apply them to the DataManager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.clock_alignment import join_clocks
from napari_whiskertoolbox.io.pose import PoseSet, apply_pose, record_pose

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
    return isinstance(obj, (PoseSet, NewClock))


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
    ``clock``), then pose sets are recorded (:func:`~napari_whiskertoolbox.io.pose.apply_pose`).
    """
    clocks = [obj for _, obj in entries if isinstance(obj, NewClock)]
    poses = [obj for _, obj in entries if isinstance(obj, PoseSet)]
    data = [(k, obj) for k, obj in entries if not is_contribution(obj)]
    for pose in poses:  # colours first: layers are drawn in them from the start
        record_pose(dm, pose)
    with dm.history.group(label):
        names = join_clocks(dm, [(c.name, c.clock) for c in clocks], source)
        clock_of = {k: names[c.name] for c in clocks for k in c.keys}
        for key, obj in data:
            dm.set_data(key, obj, clock_of.get(key, clock))
    for pose in poses:
        apply_pose(dm, pose)
    return tuple(k for k, _ in data)
