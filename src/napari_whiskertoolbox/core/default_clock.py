"""The name of the clock a DataManager binds data to unless told otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["DEFAULT_CLOCK", "media_clock_of"]

DEFAULT_CLOCK = "time"
"""Name of the automatic clock every :class:`~napari_whiskertoolbox.core.DataManager` has.

While nobody sets it explicitly it spans ``0 .. extent - 1``, where ``extent`` is the
last time index used by any key bound to it, plus one.
"""


def media_clock_of(dm: DataManager) -> str:
    """Return the clock of the first media key of ``dm`` (its frames), else :data:`DEFAULT_CLOCK`."""
    from napari_whiskertoolbox.core.kinds import MEDIA_KINDS  # kinds imports this module

    for key in dm:
        if dm.data_type(key) in MEDIA_KINDS:
            return dm.time_key(key)
    return DEFAULT_CLOCK
