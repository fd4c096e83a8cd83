"""Say why a clock has no sampling rate when seconds are asked of it, and how to give it one.

A video's clock counts its frames at the video's frame rate; an image folder or TIFF stack
has no frame rate, so the clock of its frames has none either (as WhiskerToolbox's clocks,
which carry no rate at all). Where seconds are needed (the timeline's seconds axis, an NWB
export, a clock joining others on one tick rate), the message names the media on that
clock and the call that fixes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["frames_without_rate", "missing_rate_hint"]


def frames_without_rate(dm: DataManager, clock_name: str) -> str | None:
    """Return the first key of frames without a frame rate bound to ``clock_name``, or None.

    Parameters
    ----------
    dm : DataManager
        The session.
    clock_name : str
        A clock of ``dm``.

    Returns
    -------
    str or None
        An image-stack key (``data_type`` ``"images"``, or media whose ``fps`` is None) on
        that clock.
    """
    for key in dm:
        if dm.time_key(key) != clock_name:
            continue
        kind = dm.data_type(key)
        if kind == "images" or (kind == "video" and not getattr(dm.get_data(key), "fps", None)):
            return key
    return None


def missing_rate_hint(dm: DataManager, clock_name: str) -> str:
    """Return why clock ``clock_name`` has no sampling rate and how to give it one.

    Parameters
    ----------
    dm : DataManager
        The session.
    clock_name : str
        A clock of ``dm``.

    Returns
    -------
    str
        ``""`` when the clock has a rate. Otherwise a sentence starting with ``"clock
        '<name>' has no sampling rate"``, naming image frames on it (which have no frame
        rate, unlike a video) and ending with the ``dm.set_sampling_rate`` call to make.
    """
    if dm.get_time(clock_name).sampling_rate is not None:
        return ""
    key = frames_without_rate(dm, clock_name)
    why = (
        f" (the images of {key!r} on it have no frame rate, unlike a video's frames)"
        if key is not None
        else ""
    )
    example = "frames_per_second" if key is not None else "ticks_per_second"
    return (
        f"clock {clock_name!r} has no sampling rate{why}; give it one with "
        f"dm.set_sampling_rate({clock_name!r}, {example})"
    )
