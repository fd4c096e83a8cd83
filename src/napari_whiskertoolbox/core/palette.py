"""The project's one palette of category colours.

matplotlib's ``tab10`` colours as ``#rrggbb`` strings (its grey moved last), given in turn to
the individuals or body parts of a pose set without a colormap and to the timeline's lanes.
"""

from __future__ import annotations

__all__ = ["TAB10"]

TAB10 = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
"""matplotlib's tab10 colours, the grey last (so a palette can leave it out)."""
