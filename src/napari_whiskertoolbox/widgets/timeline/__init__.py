"""Timeline dock: analog, event and interval lanes under a cursor that follows the frame.

Public names: :class:`TimelineWidget` (the dock) and :func:`find_timeline` (the
timeline docked in a viewer, if any). They are imported lazily so that the Qt-free
helpers (``sampling``, ``time_mapping``, ``hit_testing``, ``lane_state``) load without Qt.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TimelineWidget", "find_timeline"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from napari_whiskertoolbox.widgets.timeline import widget

        return getattr(widget, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
