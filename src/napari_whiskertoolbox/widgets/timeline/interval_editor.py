"""Drag-to-annotate intervals on the timeline lane of one interval key.

Drag on empty space of the lane to create ``[start, end]`` (inclusive frames); drag within
a few pixels of an edge to move that edge; click an interval to select it and press Delete
to remove it. Edits go through the interval series, so the key's layout decides merging
and the DataManager's history makes each edit one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyqtgraph as pg

from napari_whiskertoolbox.widgets.timeline.hit_testing import edge_at
from napari_whiskertoolbox.workflow.frame_span import frame_span

if TYPE_CHECKING:
    from napari_whiskertoolbox.widgets.timeline.lanes import IntervalLane

__all__ = ["IntervalEditor"]


class IntervalEditor:
    """Create, resize, select and delete intervals of one key by pointer gestures.

    Parameters
    ----------
    session : ViewerSession
        Gives the DataManager, clock conversion (``from_display``) and ``n_frames``.
    plot : pyqtgraph.PlotItem
        Where the drag preview is drawn.
    """

    def __init__(self, session: Any, plot: pg.PlotItem) -> None:
        self.session = session
        self.lane: IntervalLane | None = None
        self.selected_lane: IntervalLane | None = None
        """The lane holding the one highlighted interval (Delete removes it), or ``None``."""
        self._drag: dict | None = None
        self.preview = pg.BarGraphItem(
            x0=[0],
            x1=[1],
            y0=[0],
            height=[1],
            brush=pg.mkBrush(None),
            pen=pg.mkPen(None),
        )  # coloured by set_mark_color (the timeline's theme) before a drag shows it
        self.preview.setZValue(50)
        self.preview.hide()
        plot.addItem(self.preview, ignoreBounds=True)

    def set_mark_color(self, color: str) -> None:
        """Colour (``#rrggbb``) of the drag preview: one that shows on the canvas."""
        fill = pg.mkColor(color)
        fill.setAlpha(60)
        self.preview.setOpts(brush=pg.mkBrush(fill), pen=pg.mkPen(color, width=1))

    @property
    def key(self) -> str | None:
        """The edited interval key, or ``None`` when editing is off."""
        return None if self.lane is None else self.lane.key

    def set_lane(self, lane: IntervalLane | None) -> None:
        """Edit the intervals of ``lane`` (``None`` turns editing off)."""
        if self.lane is not None and self.lane is not lane:
            self.lane.select(None)
        if lane is not self.lane and self.selected_lane not in (None, lane):
            self.selected_lane.select(None)
            self.selected_lane = None
        self.lane = lane
        self._drag = None
        self.preview.hide()

    @property
    def dragging(self) -> bool:
        """Whether a drag is under way."""
        return self._drag is not None

    def _series(self, lane: IntervalLane) -> Any:
        return self.session.dm.get_data(lane.key)

    def begin(self, x: float, y: float, tolerance: float, lane: IntervalLane | None = None) -> bool:
        """Start a drag at ``(x, y)`` if it is on the edited lane; return whether taken.

        ``lane`` edits that lane for this one drag instead (a modifier-drag on any interval
        lane creates an interval there).
        """
        lane = lane if lane is not None else self.lane
        if lane is None or not lane.contains_y(y):
            return False
        hit = edge_at(lane.starts, lane.ends, x, tolerance) if lane is self.lane else None
        if hit is None:
            self._drag = {"mode": "create", "anchor": round(x), "lane": lane}
        else:
            row, edge = hit
            self._drag = {
                "mode": edge,
                "lane": lane,
                "id": int(lane.ids[row]),
                "start": int(lane.first_frames[row]),
                "end": int(lane.last_frames[row]),
            }
        return True

    def _frames(self, x: float) -> tuple[int, int]:
        """Display frames ``(first, last)`` the drag covers, inside the recording."""
        frame = round(x)
        drag = self._drag
        if drag["mode"] == "create":
            first, last = drag["anchor"], frame
        elif drag["mode"] == "start":
            first, last = frame, drag["end"]
        else:
            first, last = drag["start"], frame
        first, last = min(first, last), max(first, last)
        n_frames = int(self.session.n_frames)
        if n_frames > 0:  # a drag past either end stops at the recording's first / last frame
            first, last = (min(max(f, 0), n_frames - 1) for f in (first, last))
        return first, last

    def move(self, x: float, finished: bool) -> None:
        """Follow the pointer; on ``finished`` write the interval to the DataManager."""
        if self._drag is None:
            return
        first, last = self._frames(x)
        lane: IntervalLane = self._drag["lane"]
        if not finished:
            bottom = lane.bottom
            self.preview.setOpts(x0=[first - 0.5], x1=[last + 0.5], y0=[bottom], height=[1.0])
            self.preview.show()
            return
        drag, self._drag = self._drag, None
        self.preview.hide()
        start, end = frame_span(self.session, lane.key, first, last)
        series = self._series(lane)
        if drag["mode"] == "create":
            self._select(lane, int(series.add(start, end)))
        else:
            series.update(drag["id"], start, end)
            self._select(lane, drag["id"])

    def _select(self, lane: IntervalLane, entity_id: int | None) -> None:
        """Highlight ``entity_id`` on ``lane``; the interval highlighted elsewhere is let go."""
        if self.selected_lane is not None and self.selected_lane is not lane:
            self.selected_lane.select(None)
        self.selected_lane = lane if entity_id is not None else None
        lane.select(entity_id)

    def select_at(self, x: float) -> int | None:
        """Select the interval under ``x`` on the edited lane; return its entity id."""
        row = self.lane.index_at(x) if self.lane is not None else None
        entity_id = None if row is None else int(self.lane.ids[row])
        if self.lane is not None:
            self._select(self.lane, entity_id)
        return entity_id

    def delete_selected(self) -> bool:
        """Remove the highlighted interval from its key; return whether one was removed."""
        lane = self.selected_lane
        if lane is None or lane.selected_id is None:
            return False
        entity_id = lane.selected_id
        self._select(lane, None)
        return bool(self._series(lane).remove(entity_id))
