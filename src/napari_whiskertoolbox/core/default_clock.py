"""The name of the clock a DataManager binds data to unless told otherwise."""

from __future__ import annotations

__all__ = ["DEFAULT_CLOCK"]

DEFAULT_CLOCK = "time"
"""Name of the automatic clock every :class:`~napari_whiskertoolbox.core.DataManager` has.

While nobody sets it explicitly it spans ``0 .. extent - 1``, where ``extent`` is the
last time index used by any key bound to it, plus one.
"""
