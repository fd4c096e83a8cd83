"""Fix identity swaps: exchange two individuals' keypoints over a range of display frames.

The range is typed, or taken from the timeline: the interval of an interval key (e.g. one
drawn on the timeline's editable lane, then clicked) that holds the current frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from napari_whiskertoolbox.io.pose import pose_sets, swap_individuals

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["range_from_interval", "swap_identities"]


def swap_identities(
    session: ViewerSession, pose_name: str, first: str, second: str, start: int, end: int
) -> list[int]:
    """Swap ``first`` and ``second`` of pose set ``pose_name`` on display frames ``start..end``.

    The display frames (inclusive) are converted to the clock of the pose set's keys. The
    swap is one undo step (Ctrl+Z reverts all of it).

    Returns
    -------
    list of int
        The frames (on the keys' clock) where points moved.

    Raises
    ------
    KeyError
        No such pose set or individual.
    ValueError
        ``start > end`` or the same individual twice.
    """
    poses = pose_sets(session.dm)
    if pose_name not in poses:
        raise KeyError(f"no pose set {pose_name!r}; pose sets: {sorted(poses)}")
    pose = poses[pose_name]
    if start > end:
        raise ValueError(f"expected start <= end, got frames {start}..{end}")
    keys = [k for k in pose.all_keys() if k in session.dm]
    lo, hi = start, end
    if keys:
        lo = session.from_display(keys[0], start)
        hi = session.from_display(keys[0], end)
    return swap_individuals(session.dm, pose, first, second, lo, hi)


def range_from_interval(session: ViewerSession, interval_key: str) -> tuple[int, int] | None:
    """Return the display-frame range of ``interval_key``'s interval at the current frame.

    Returns None when no interval of the key holds the current frame.
    """
    dm = session.dm
    if dm.data_type(interval_key) != "digital_interval":
        raise ValueError(
            f"key {interval_key!r} holds {dm.data_type(interval_key)} data, expected intervals"
        )
    here = session.from_display(interval_key, session.current_frame)
    found = dm.get_data(interval_key).interval_at(here)
    if found is None:
        return None
    start, end = found
    return session.to_display(interval_key, int(start)), session.to_display(interval_key, int(end))
