"""Timeline dock: analog, event and interval lanes under a cursor that follows the frame.

Public names: :class:`TimelineWidget` (the dock) and :func:`find_timeline` (the
timeline docked in a viewer, if any).
"""

from .widget import TimelineWidget, find_timeline

__all__ = ["TimelineWidget", "find_timeline"]
