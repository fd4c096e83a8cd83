"""Timeline lanes: the pyqtgraph items drawing one series key in a horizontal band.

All lanes share one plot. Lane ``row`` (0 = top) of ``n`` occupies y in
``[n - 1 - row, n - row]``; x is the display clock's frame axis (frame ``i`` centred at
``x = i``). On every view change a lane redraws only what the view can show:

* :class:`AnalogLane` — one curve, min/max peak envelope per pixel column from a
  :class:`~.sampling.PeakPyramid`, clipped to the view (a constant series across the middle
  of its band, its value written above the line at the view's left edge); a series with several values per
  frame (a measure of each line or mask: WhiskerToolbox's ``RaggedAnalogTimeSeries``) is
  drawn as points, never joined — its samples carry no entity ids, so which value of one
  frame continues which of the next is unknown — one per sample once zoomed in to them,
  else one per occupied pixel cell (:func:`~.sampling.occupied_cells`);
* :class:`EventLane` — one curve of vertical ticks (``connect="pairs"``), binned per column;
* :class:`IntervalLane` — one ``BarGraphItem`` of merged, clipped bars (never one item per
  interval), plus one bar item for the selected interval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg

from napari_whiskertoolbox.widgets.theme_colors import (
    MIN_CONTROL_CONTRAST,
    readable_fill,
    readable_on,
)
from napari_whiskertoolbox.widgets.timeline.sampling import (
    PeakPyramid,
    event_ticks,
    has_repeated_times,
    merge_bars,
    occupied_cells,
    row_masks,
)

if TYPE_CHECKING:
    from napari_whiskertoolbox.widgets.timeline.time_mapping import DisplayMapper

__all__ = ["AnalogLane", "EventLane", "IntervalLane", "Lane", "make_lane"]

_MARGIN = 0.08  # fraction of a band left empty above and below the drawing
_BAR_ALPHA = 140
"""Opacity (0-255) of interval bars."""
_SELECTION_ALPHA = 110
"""Opacity (0-255) of the selected interval's highlight over its bar."""
_SCATTER_ROWS = 48
"""Rows a band is divided into when a zoomed-out series of several values per frame is
thinned to one point per occupied cell (about one per pixel row of a lane)."""


class Lane:
    """Base class: one key drawn in one band of the shared plot.

    Parameters
    ----------
    key : str
        DataManager key drawn by the lane.
    dm : DataManager
        Source of the data.
    mapper : DisplayMapper
        Converts the key's time indices to display positions.
    plot : pyqtgraph.PlotItem
        The shared plot the lane's items are added to.
    color : str
        ``#rrggbb`` colour (the one saved; :attr:`drawn_color` is the one drawn).
    """

    def __init__(self, key: str, dm: Any, mapper: DisplayMapper, plot: pg.PlotItem, color: str):
        self.key = key
        self.dm = dm
        self.mapper = mapper
        self.plot = plot
        self.color = color
        self.canvas: str | None = None
        """The plot's background (``#rrggbb``) once :meth:`set_theme_colors` was called."""
        self.text = color
        """Highlight colour: the theme's text colour once :meth:`set_theme_colors` was called."""
        self.bottom = 0.0
        self.items: list[pg.GraphicsObject] = []
        self.source: Any = None
        self._view: tuple[float, float, int] = (0.0, 1.0, 1)

    def _add_item(self, item: pg.GraphicsObject) -> pg.GraphicsObject:
        self.plot.addItem(item)
        self.items.append(item)
        return item

    def set_band(self, bottom: float) -> None:
        """Move the lane to the band ``[bottom, bottom + 1]`` and redraw."""
        self.bottom = float(bottom)
        self.update_view(*self._view)

    def set_color(self, color: str) -> None:
        """Change the lane's colour."""
        self.color = color
        self._apply_color()

    @property
    def drawn_color(self) -> str:
        """The colour the lane is drawn in: :attr:`color`, or a mix that shows on the canvas.

        The mix is towards the theme's text colour, to 3:1 on the canvas (a light tab10 colour
        on a white canvas is darkened).
        """
        if self.canvas is None:
            return self.color
        return readable_on(self.canvas, self.color, self.text, MIN_CONTROL_CONTRAST)

    def set_theme_colors(self, canvas: str, text: str) -> None:
        """Draw on a ``canvas``-coloured plot; highlights in ``text`` (``#rrggbb`` each)."""
        self.canvas, self.text = canvas, text
        self._apply_color()
        self.set_mark_color(text)

    def set_mark_color(self, color: str) -> None:
        """Colour (``#rrggbb``) of highlights drawn over the lane: one that shows on the canvas."""

    def contains_y(self, y: float) -> bool:
        """Whether plot coordinate ``y`` falls inside the lane's band."""
        return self.bottom <= y < self.bottom + 1.0

    def reload(self) -> None:
        """Re-read the key's data (after it changed) and redraw."""
        self.mapper.invalidate(self.key)
        self._load()
        self.update_view(*self._view)

    def update_view(self, x0: float, x1: float, n_columns: int) -> None:
        """Redraw for the visible x range ``[x0, x1]`` spread over ``n_columns`` pixels."""
        self._view = (float(x0), float(x1), max(1, int(n_columns)))
        self._draw(*self._view)

    def remove(self) -> None:
        """Take the lane's items off the plot."""
        for item in self.items:
            self.plot.removeItem(item)
        self.items.clear()

    def marks(self) -> np.ndarray:
        """Display positions a click can snap to / next-previous can step through."""
        return np.empty(0)

    def _load(self) -> None:
        raise NotImplementedError

    def _draw(self, x0: float, x1: float, n_columns: int) -> None:
        raise NotImplementedError

    def _apply_color(self) -> None:
        raise NotImplementedError


class AnalogLane(Lane):
    """Analog series drawn as a min/max peak envelope, clipped to the view.

    A series with several values per frame is drawn as points instead (:attr:`dots`; the
    :attr:`curve` stays empty): see the module docstring.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        color = self.drawn_color
        self.curve = self._add_item(pg.PlotCurveItem(pen=pg.mkPen(color, width=1)))
        self.dots = self._add_item(
            pg.ScatterPlotItem(size=4, pen=pg.mkPen(None), brush=pg.mkBrush(color))
        )
        self.value_label = self._add_item(pg.TextItem("", color=self.text, anchor=(0, 1)))
        """The value of a constant series, above its line at the view's left edge."""
        self._load()

    def _load(self) -> None:
        series = self.source = self.dm.get_data(self.key)
        self.values = np.asarray(series.values)
        self.pyramid = PeakPyramid(self.values)
        self.lo, self.hi = self.pyramid.value_range
        self.constant: float | None = None
        """The value of a series that never changes (CalculateMaskArea of one mask), else None."""
        if self.lo == self.hi and np.isfinite(self.values).any():
            # a zero range: drawn across the middle of the band, not on its bottom edge
            # (where it looked like a lane separator), its value written above it
            self.constant = self.lo
            pad = abs(self.lo) / 2 or 1.0
            self.lo, self.hi = self.lo - pad, self.hi + pad
        self.value_label.setText("" if self.constant is None else f"{self.constant:g}")
        times = series.times
        self.times = times
        self.repeated = not series.is_dense and has_repeated_times(np.asarray(times))
        self.is_dense_identity = bool(series.is_dense) and self.mapper.is_identity(self.key)
        self.positions = None if self.is_dense_identity else self._positions(times)
        self.row_masks = (
            row_masks(self.values, self.lo, self.hi, _SCATTER_ROWS) if self.repeated else None
        )

    def _positions(self, times: np.ndarray) -> np.ndarray:
        mapped = self.mapper.cached_positions(self.key, times)
        return np.asarray(times, dtype=np.float64) if mapped is None else mapped

    def _sample_range(self, x0: float, x1: float) -> tuple[int, int]:
        if self.positions is None:
            return int(np.floor(x0)), int(np.ceil(x1)) + 1
        start = int(np.searchsorted(self.positions, x0, side="left"))
        stop = int(np.searchsorted(self.positions, x1, side="right"))
        return max(0, start - 1), min(len(self.positions), stop + 1)

    def _draw(self, x0: float, x1: float, n_columns: int) -> None:
        start, stop = self._sample_range(x0, x1)
        span = (self.hi - self.lo) or 1.0
        scale = (1.0 - 2 * _MARGIN) / span
        self.value_label.setPos(x0, self.bottom + 0.5)
        if self.repeated:
            self.curve.setData([], [])
            self._draw_points(start, stop, x0, x1, n_columns, scale)
            return
        envelope = self.pyramid.envelope(start, stop, n_columns)
        if self.positions is None:
            x = envelope.sample_indices.astype(np.float64)
        else:
            x = self.positions[envelope.sample_indices]
        y = self.bottom + _MARGIN + (envelope.values - self.lo) * scale
        self.curve.setData(x, y, connect="finite")
        self.dots.setData([], [])

    def _draw_points(
        self, start: int, stop: int, x0: float, x1: float, n_columns: int, scale: float
    ) -> None:
        """Several values per frame: a point per sample, or per occupied cell when dense."""
        start, stop = max(0, start), min(len(self.values), stop)
        positions, masks = self.positions, self.row_masks  # set: repeated times are never dense
        if positions is None or masks is None:
            return
        if stop - start > 2 * n_columns:
            x, rows = occupied_cells(positions, masks, x0, x1, n_columns)
            y = _MARGIN + (rows + 0.5) * ((1.0 - 2 * _MARGIN) / _SCATTER_ROWS)
        else:
            values = self.values[start:stop].astype(np.float64)
            finite = np.isfinite(values)
            x = positions[start:stop][finite]
            y = _MARGIN + (values[finite] - self.lo) * scale
        self.dots.setData(x, self.bottom + y)

    def _apply_color(self) -> None:
        color = self.drawn_color
        self.curve.setPen(pg.mkPen(color, width=1))
        self.dots.setBrush(pg.mkBrush(color))
        self.value_label.setColor(self.text)


class EventLane(Lane):
    """Event raster: a vertical tick per event, at most one per pixel column."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticks = self._add_item(pg.PlotCurveItem(pen=pg.mkPen(self.drawn_color, width=1)))
        self._load()

    def _load(self) -> None:
        self.source = self.dm.get_data(self.key)
        times = np.asarray(self.source.times)
        mapped = self.mapper.cached_positions(self.key, times)
        self.positions = times.astype(np.float64) if mapped is None else mapped

    def marks(self) -> np.ndarray:
        """Return the event positions on the display axis (float64, sorted)."""
        return self.positions

    def _draw(self, x0: float, x1: float, n_columns: int) -> None:
        ticks = event_ticks(self.positions, x0, x1, n_columns)
        x = np.repeat(ticks, 2)
        y = np.tile([self.bottom + _MARGIN, self.bottom + 1 - _MARGIN], len(ticks))
        self.ticks.setData(x, y, connect="pairs")

    def _apply_color(self) -> None:
        self.ticks.setPen(pg.mkPen(self.drawn_color, width=1))


class IntervalLane(Lane):
    """Interval shading drawn as one bar item.

    On the display clock an inclusive ``[s, e]`` spans ``s - 0.5 .. e + 0.5``; on another
    clock it spans the display positions of ``s`` and ``e``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selected_id: int | None = None
        self.bars = self._add_item(self._bar_item(self.color, _BAR_ALPHA))
        self.selection = self._add_item(self._bar_item(self.text, _SELECTION_ALPHA))
        self.selection.setZValue(5)
        self._load()

    @staticmethod
    def _bar_item(color: str, alpha: int) -> pg.BarGraphItem:
        brush = pg.mkBrush(
            pg.mkColor(color).red(), pg.mkColor(color).green(), pg.mkColor(color).blue(), alpha
        )
        return pg.BarGraphItem(x0=[], x1=[], y0=[], height=[], brush=brush, pen=pg.mkPen(None))

    def _load(self) -> None:
        series = self.source = self.dm.get_data(self.key)
        pairs = np.asarray(series.intervals, dtype=np.int64).reshape(-1, 2)
        self.intervals = pairs
        self.ids = np.asarray(series.ids, dtype=np.uint64)
        if len(pairs):
            starts = self.mapper.positions(self.key, pairs[:, 0])
            ends = self.mapper.positions(self.key, pairs[:, 1])
        else:
            starts = ends = np.empty(0)
        # a frame index covers half a frame either side; on a finer clock, indices are
        # drawn where they fall and the bar covers exactly the ticks it holds
        identity = self.mapper.is_identity(self.key)
        pad = 0.5 if identity else 0.0
        self.starts = starts - pad
        self.ends = ends + pad
        self.first_frames = np.floor(starts + 1e-9).astype(np.int64)
        self.last_frames = np.floor(ends + 1e-9).astype(np.int64)
        if self.selected_id is not None and self.selected_id not in set(self.ids.tolist()):
            self.selected_id = None

    def marks(self) -> np.ndarray:
        """Return the interval starts and ends on the display axis (float64, sorted, unique).

        Both edges are frames a user steps to (WhiskerToolbox's interval table jumps to
        either): the first and the last frame each interval holds.
        """
        return np.unique(np.concatenate([self.first_frames, self.last_frames])).astype(np.float64)

    def index_at(self, x: float) -> int | None:
        """Row of the interval drawn under display position ``x``, or ``None``."""
        inside = np.flatnonzero((self.starts <= x) & (x <= self.ends))
        return int(inside[0]) if len(inside) else None

    def select(self, entity_id: int | None) -> None:
        """Highlight the interval with ``entity_id`` (``None`` clears)."""
        self.selected_id = entity_id
        self._draw(*self._view)

    def _draw(self, x0: float, x1: float, n_columns: int) -> None:
        min_gap = (x1 - x0) / max(1, n_columns)
        starts, ends = merge_bars(self.starts, self.ends, x0, x1, min_gap)
        ends = np.maximum(ends, starts + min_gap)  # keep sub-pixel bars one pixel wide
        bottom = self.bottom + _MARGIN
        height = 1.0 - 2 * _MARGIN
        self.bars.setOpts(
            x0=starts, x1=ends, y0=np.full(len(starts), bottom), height=np.full(len(starts), height)
        )
        rows = np.flatnonzero(self.ids == np.uint64(self.selected_id or 0))
        if self.selected_id is not None and len(rows):
            row = rows[0]
            self.selection.setOpts(
                x0=[self.starts[row]], x1=[self.ends[row]], y0=[bottom], height=[height]
            )
            self.selection.show()
        else:
            self.selection.hide()

    @property
    def drawn_fill(self) -> tuple[str, int]:
        """The bars' ``(#rrggbb, alpha 0-255)``: :attr:`color`, translucent, showing at 3:1.

        Made more opaque (then mixed towards the theme's text colour) where needed to show at
        3:1 on the canvas.
        """
        if self.canvas is None:
            return self.color, _BAR_ALPHA
        color, opacity = readable_fill(self.canvas, self.color, self.text, _BAR_ALPHA / 255)
        return color, round(opacity * 255)

    @property
    def drawn_color(self) -> str:
        """The bars' colour, :attr:`drawn_fill` without its opacity."""
        return self.drawn_fill[0]

    def _apply_color(self) -> None:
        name, alpha = self.drawn_fill
        color = pg.mkColor(name)
        color.setAlpha(alpha)
        self.bars.setOpts(brush=pg.mkBrush(color))

    def set_mark_color(self, color: str) -> None:
        """Colour (``#rrggbb``) of the selected interval's highlight."""
        mark = pg.mkColor(color)
        mark.setAlpha(_SELECTION_ALPHA)
        self.selection.setOpts(brush=pg.mkBrush(mark))


_LANE_TYPES = {"analog": AnalogLane, "digital_event": EventLane, "digital_interval": IntervalLane}


def make_lane(key: str, dm: Any, mapper: DisplayMapper, plot: pg.PlotItem, color: str) -> Lane:
    """Create the lane class matching ``dm.data_type(key)``.

    Raises
    ------
    ValueError
        When the key is not an analog, event or interval series.
    """
    data_type = dm.data_type(key)
    try:
        lane_type = _LANE_TYPES[data_type]
    except KeyError:
        raise ValueError(
            f"key {key!r} is {data_type!r}; timeline lanes show analog, digital_event or "
            "digital_interval keys"
        ) from None
    return lane_type(key, dm, mapper, plot, color)
