"""The timeline dock: lanes of analog, event and interval keys under a frame cursor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pyqtgraph as pg
from qtpy.QtCore import QSize, Qt, QTimer, Signal
from qtpy.QtGui import QFontMetrics, QKeyEvent
from qtpy.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollBar,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from superqt import QFlowLayout

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import SERIES_KINDS
from napari_whiskertoolbox.core.rate_hint import missing_rate_hint
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.widgets.theme_colors import (
    follow_theme,
    item_indicator_style,
    mix,
    readable_on,
    theme_hex,
)
from napari_whiskertoolbox.widgets.timeline.axis import TimeAxisItem
from napari_whiskertoolbox.widgets.timeline.cursor import CURSOR_COLOR, FrameCursor
from napari_whiskertoolbox.widgets.timeline.hit_testing import frame_of, nearest_mark, step_mark
from napari_whiskertoolbox.widgets.timeline.interval_editor import IntervalEditor
from napari_whiskertoolbox.widgets.timeline.lane_panel import LanePanel
from napari_whiskertoolbox.widgets.timeline.lane_state import LaneState, lanes_changed
from napari_whiskertoolbox.widgets.timeline.lanes import EventLane, IntervalLane, Lane, make_lane
from napari_whiskertoolbox.widgets.timeline.mark_buttons import MarkButtons
from napari_whiskertoolbox.widgets.timeline.pending_mark import PendingMark
from napari_whiskertoolbox.widgets.timeline.plotted import LaneSources, PlottedLanes
from napari_whiskertoolbox.widgets.timeline.time_mapping import DisplayMapper
from napari_whiskertoolbox.widgets.timeline.view_box import MARK_MODIFIER_NAME, TimelineViewBox
from napari_whiskertoolbox.workflow.key_table import keys_of
from napari_whiskertoolbox.workflow.registry import get_session
from napari_whiskertoolbox.workflow.timeline_marks import (
    EDITABLE_KINDS,
    cancel_interval_start,
    marks_of,
)

__all__ = ["TimelineWidget", "find_timeline"]

_CLICK_TOLERANCE_PX = 4
_MAX_LABEL_CHARS = 18
_LANE_PADDING_PX = 1
"""Space above and below a lane's label: a lane is never drawn lower than label + padding
(1 pixel: in napari's default 1280x800 window 5 lanes fit instead of 3 at 4 pixels)."""
_PREFERRED_HEIGHT_PX = 240  # a few lanes under the video; the canvas keeps the rest


def lane_labels(keys: list[str]) -> list[str]:
    """Lane labels of ``keys``: each key, elided in the middle when long, never two alike.

    Keys whose middle elisions would read the same (``pad_sign…hreshold`` for
    ``pad_signal_event_threshold`` and ``pad_signal_interval_threshold``) are shown from
    where they start to differ instead (``…event_threshold``, ``…interval_thresho…``).
    """
    half = (_MAX_LABEL_CHARS - 1) // 2
    elided = [k if len(k) <= _MAX_LABEL_CHARS else f"{k[:half]}…{k[-half:]}" for k in keys]
    labels = list(elided)
    for i, key in enumerate(keys):
        twins = [k for k, label in zip(keys, elided) if label == elided[i] and k != key]
        if not twins:
            continue
        start = max(_shared_start(key, twin) for twin in twins)
        rest = key[start:]
        width = _MAX_LABEL_CHARS - 1
        labels[i] = "…" + (rest if len(rest) <= width else rest[: width - 1] + "…")
    return labels


def _shared_start(a: str, b: str) -> int:
    """Length of the longest common prefix of ``a`` and ``b``."""
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


_NO_EDIT = "(no editing)"


class TimelineWidget(QWidget):
    """Timeline plots for one viewer's session.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session (``get_session(viewer)``) is shown.

    Signals
    -------
    lanes_changed()
        Lane visibility, order or colour changed (state is in ``dm.metadata["ui"]["timeline"]``).

    Notes
    -----
    Mouse: wheel zooms time, left-drag pans, click moves the frame to the clicked frame
    (onto an event when clicked near one), click or drag on the time axis scrubs.
    Shift+drag on any interval lane marks an interval there. With an interval key chosen
    for editing, a plain drag on its lane creates an interval and dragging an edge moves
    it; Delete removes the selected interval. The edit key (an interval or event key) is
    also marked at the current frame by the buttons beside the Edit box and their keys
    (:mod:`~napari_whiskertoolbox.workflow.timeline_marks`); a pending interval start is
    drawn on its lane, and Esc in the dock cancels it. ``[`` / ``]`` jump to the previous / next
    event, or interval start or end, of the last clicked event or interval lane. The line under the controls says
    what a drag does now. Lanes are never drawn lower than their label: when more lanes
    than fit, a scroll bar beside the plot scrolls them.
    """

    lanes_changed = Signal()

    def sizeHint(self) -> QSize:
        """Ask for a few lanes' height under the video (Qt gave the dock half the window)."""
        hint = super().sizeHint()
        return QSize(hint.width(), max(self.minimumSizeHint().height(), _PREFERRED_HEIGHT_PX))

    def resizeEvent(self, event: Any) -> None:
        """Keep the wrapped buttons and hint whole above the plot's minimum height.

        A dock area lays its docks out by their minimum heights, not by the height the
        wrapped rows need at the dock's width: they were drawn over the plot.
        """
        super().resizeEvent(event)
        box, label = self._controls_box, self.mode_label
        box.setMinimumHeight(self._controls.heightForWidth(box.width()))
        label.setMinimumHeight(label.heightForWidth(label.width()))

    def __init__(self, napari_viewer: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tabify_when_docked(self, area="bottom", viewer=napari_viewer, kind=type(self).__name__)
        self.viewer = napari_viewer
        self.session = get_session(napari_viewer)
        self.dm = self.session.dm
        self.state = LaneState(self.dm)
        self.plotted = PlottedLanes()
        self.sources = LaneSources(self.dm, self.plotted)
        self.mapper = DisplayMapper(self.sources, self.session.display_clock)
        self._plotted_slots: dict[str, tuple[Any, Any]] = {}
        self.lanes: dict[str, Lane] = {}
        self.active_key: str | None = None
        self._pending_reload: set[str] = set()
        self._pending_rebuild = False
        self._pending_clocks = False
        self._added_keys: list[str] = []
        """Keys added since the last flush: the first one's new lane is scrolled into view."""
        self._fitted_range: tuple[float, float] | None = None
        """The view range :meth:`fit_all` set last (a view still showing it follows the clock)."""

        self._build_ui()
        self.cursor = FrameCursor(self.plot_item, self.set_frame)
        self.editor = IntervalEditor(self.session, self.plot_item)
        self.marks = marks_of(self.session)
        self.pending_mark = PendingMark(self.plot_item)
        self.view_box.handler = self
        self.mark_color = theme_hex(str(napari_viewer.theme), "text")
        """Colour of highlights (cursor hover, selected interval, drag preview) on the canvas."""
        self.canvas_color = theme_hex(str(napari_viewer.theme), "canvas")
        self.text_color = self.mark_color
        self._connect()
        follow_theme(self, napari_viewer, self.apply_theme)
        self.state.sync_keys()
        self._rebuild_lanes()
        self._refresh_controls()
        self._show_mode()
        self.fit_all()
        self._on_dims_step()
        lanes_changed.emit(self.dm)

    # ----------------------------------------------------------------- construction
    def _build_ui(self) -> None:
        self.view_box = TimelineViewBox()
        self.time_axis = TimeAxisItem(self._scrub)
        self.plot_widget = pg.PlotWidget(
            viewBox=self.view_box, axisItems={"bottom": self.time_axis}
        )
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.hideButtons()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.getAxis("left").setStyle(tickLength=0)
        self.plot_widget.setMinimumHeight(120)

        self.edit_combo = QComboBox()
        self.edit_combo.setToolTip(
            "Key annotated: an interval key by dragging on its lane, or either kind at the "
            "current frame with the buttons beside this box (and their keys)"
        )
        self.mark_buttons = MarkButtons(self.session)
        self.clock_combo = QComboBox()
        self.clock_combo.setObjectName("timeline_clock")
        self.clock_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.clock_combo.setToolTip(
            "Clock of the frame slider: its frames are the slider's steps (the clocks of the "
            "videos; without one, of the data). Every layer keeps showing the same moment"
        )
        self.axis_combo = QComboBox()
        self.axis_combo.addItems(["frames", "seconds"])
        self.axis_combo.setToolTip("Time axis unit (seconds needs a clock with a sampling rate)")
        self.prev_button = QPushButton("◀ event")
        self.prev_button.setToolTip(
            "Previous event, or interval start or end, on the selected lane  ["
        )
        self.next_button = QPushButton("event ▶")
        self.next_button.setToolTip("Next event, or interval start or end, on the selected lane  ]")
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show the whole session")
        self.lanes_button = QPushButton("Lanes")
        self.lanes_button.setCheckable(True)
        self.lanes_button.setToolTip("Show the lane list (visibility, order, colour)")

        self.mode_label = QLabel()
        self.mode_label.setObjectName("timeline_mode")
        self.mode_label.setWordWrap(True)
        # wraps into rows when narrow: a Timeline under the video alone, beside two
        # full-height side columns, would otherwise hold napari's window 300 px wider
        self._controls_box = QWidget()
        controls = self._controls = QFlowLayout(self._controls_box)
        controls.setContentsMargins(0, 0, 0, 0)
        gap = self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        controls.setHorizontalSpacing(gap)  # a row's gap (unset, the flow left none)
        controls.setVerticalSpacing(gap)
        controls.addWidget(QLabel("Edit:"))
        controls.addWidget(self.edit_combo)
        for row in self.mark_buttons.rows.values():
            controls.addWidget(row)
        self.clock_label = QLabel("Clock:")
        controls.addWidget(self.clock_label)
        controls.addWidget(self.clock_combo)
        controls.addWidget(self.axis_combo)
        controls.addWidget(self.prev_button)
        controls.addWidget(self.next_button)
        controls.addWidget(self.fit_button)
        controls.addWidget(self.lanes_button)

        self.lane_panel = LanePanel()
        self.lane_panel.hide()
        self.lane_scroll = QScrollBar(Qt.Orientation.Vertical)
        self.lane_scroll.setToolTip("Scroll the lanes (more lanes than fit at a readable height)")
        self.lane_scroll.hide()
        plot_box = QWidget()
        plot_layout = QHBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.setSpacing(0)
        plot_layout.addWidget(self.plot_widget, 1)
        plot_layout.addWidget(self.lane_scroll)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.lane_panel)
        splitter.addWidget(plot_box)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._controls_box)
        layout.addWidget(self.mode_label)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        dm = self.dm
        wrappers = [
            (dm.data_added, connect_main(dm.data_added, self._on_key_added)),
            (dm.data_removed, connect_main(dm.data_removed, self._on_keys_changed)),
            (dm.data_renamed, connect_main(dm.data_renamed, self._on_renamed)),
            (dm.data_changed, connect_main(dm.data_changed, self._on_data_changed)),
            (dm.clocks_changed, connect_main(dm.clocks_changed, self._on_clocks_changed)),
        ]
        step_event = self.viewer.dims.events.current_step
        step_event.connect(self._on_dims_step)
        clock_signal = self.session.display_clock_changed
        clock_signal.connect(self._on_display_clock_changed)
        pending = self.marks.changed
        pending_slot = connect_main(pending, self._show_pending)

        def disconnect(*_: object) -> None:
            for signal, wrapper in [*wrappers, *self._plotted_slots.values()]:
                signal.disconnect(wrapper)
            step_event.disconnect(self._on_dims_step)
            clock_signal.disconnect(self._on_display_clock_changed)
            pending.disconnect(pending_slot)
            lanes_changed.emit(dm)

        self._disconnect = disconnect
        self.destroyed.connect(disconnect)

        self.view_box.sigXRangeChanged.connect(self._update_views)
        self.view_box.sigResized.connect(self._update_views)
        self.view_box.sigResized.connect(self._fit_rows)
        self.lane_scroll.valueChanged.connect(self._fit_rows)
        self.edit_combo.currentTextChanged.connect(self._edit_combo_changed)
        self.axis_combo.currentTextChanged.connect(self.set_axis_mode)
        self.clock_combo.activated.connect(self._clock_combo_activated)
        self.prev_button.clicked.connect(self.previous_event)
        self.next_button.clicked.connect(self.next_event)
        self.fit_button.clicked.connect(self.fit_all)
        self.lanes_button.toggled.connect(self.lane_panel.setVisible)
        self.lane_panel.visibility_changed.connect(
            lambda key, shown: self.show_lane(key) if shown else self.hide_lane(key)
        )
        self.lane_panel.order_changed.connect(self.set_lane_order)
        self.lane_panel.color_changed.connect(self.set_lane_color)

    # ----------------------------------------------------------------- public API
    def apply_theme(self, theme_name: str) -> None:
        """Draw the plot in napari's theme ``theme_name`` (``viewer.theme``).

        The plot's background is the theme's canvas colour (as napari's own canvas), axes and
        lane names its text colour; the frame cursor is amber and the lanes their own colours,
        each mixed towards the text colour where needed to keep 3:1 contrast on the canvas
        (:func:`~napari_whiskertoolbox.widgets.theme_colors.readable_on`; a lane's saved
        colour is unchanged); highlights use the text colour.

        Raises
        ------
        ValueError
            When napari has no theme ``theme_name``.
        """
        canvas = theme_hex(theme_name, "canvas")
        text = theme_hex(theme_name, "text")
        self.canvas_color = canvas
        self.text_color = text
        self.cursor_color = readable_on(canvas, CURSOR_COLOR, text)
        self.mark_color = text
        self.plot_widget.setBackground(canvas)
        for name in ("left", "bottom"):
            axis = self.plot_item.getAxis(name)
            axis.setPen(pg.mkPen(mix(text, canvas, 0.7)))
            axis.setTextPen(pg.mkPen(text))
        self.cursor.set_colors(self.cursor_color, text)
        self.editor.set_mark_color(text)
        self.pending_mark.set_color(text)
        for lane in self.lanes.values():
            lane.set_theme_colors(canvas, text)
        self.lane_panel.setStyleSheet(item_indicator_style(theme_name))

    def show_lane(self, key: str) -> None:
        """Show ``key`` (an analog, event or interval key) as a lane.

        Raises
        ------
        KeyError
            When ``key`` is not in the DataManager.
        ValueError
            When ``key`` is not a series type.
        """
        self._require_series(key)
        self.state.sync_keys()
        self.state.set_visible(key, True)
        self._lanes_edited()

    def plot_series(self, series: Any, name: str | None = None, clock: str = "time") -> str:
        """Draw ``series`` (not in the DataManager) as a view-only lane; return its name.

        The lane follows the series' own changes; it is not saved. Plotting the same
        series again keeps its lane.

        Raises
        ------
        ValueError
            When ``series`` is not an analog, event or interval series, or ``clock`` is
            not a clock of the DataManager.
        """
        if not isinstance(series, (AnalogTimeSeries, DigitalEventSeries, DigitalIntervalSeries)):
            raise ValueError(
                "timeline lanes draw AnalogTimeSeries, DigitalEventSeries or "
                f"DigitalIntervalSeries, got {type(series).__name__}"
            )
        if clock not in self.dm.time_keys():
            raise ValueError(f"no clock {clock!r}; clocks: {self.dm.time_keys()}")
        previous = self.plotted.name_of(series)
        name = self.plotted.add(series, clock, name, set(self.dm), len(self.lanes))
        if previous is not None and previous != name:
            signal, slot = self._plotted_slots.pop(previous)
            signal.disconnect(slot)
        self.mapper.invalidate(name)
        if name in self.lanes:
            self.lanes.pop(name).remove()
        if name not in self._plotted_slots:
            slot = connect_main(series.changed, lambda *_, n=name: self._reload_plotted(n))
            self._plotted_slots[name] = (series.changed, slot)
        self._lanes_edited()
        return name

    def _reload_plotted(self, name: str) -> None:
        if name in self.lanes:
            self.lanes[name].reload()

    def hide_lane(self, key: str) -> None:
        """Hide ``key``'s lane (its settings are kept; a plotted series' lane is dropped)."""
        if key in self.plotted:
            self.plotted.remove(key)
            signal, slot = self._plotted_slots.pop(key)
            signal.disconnect(slot)
            self._lanes_edited()
            return
        self._require_series(key)
        self.state.sync_keys()
        self.state.set_visible(key, False)
        self._lanes_edited()

    def is_lane_shown(self, key: str) -> bool:
        """Whether ``key`` is drawn as a lane."""
        return key in self.lanes

    def lane_keys(self) -> list[str]:
        """Keys of the shown lanes, top to bottom."""
        return self.state.visible_keys()

    def lanes_in_view(self) -> list[str]:
        """Keys of the lanes inside the plot now (all of them unless the lanes scroll)."""
        y0, y1 = self.view_box.viewRange()[1]
        return [k for k, lane in self.lanes.items() if y0 - 1e-6 <= lane.bottom < y1 - 0.5]

    def scroll_to_lane(self, key: str) -> None:
        """Scroll the lanes so that ``key``'s lane is in view (no-op when it is or has none)."""
        keys = list(self.lanes)
        if key not in keys or key in self.lanes_in_view():
            return
        row = keys.index(key)
        scroll = self.lane_scroll
        value = row if row < scroll.value() else row - scroll.pageStep() + 1
        scroll.setValue(max(scroll.minimum(), min(value, scroll.maximum())))

    def set_lane_order(self, keys: list[str]) -> None:
        """Put the lanes of ``keys`` first, top to bottom, in that order."""
        self.state.set_order(list(keys))
        self._lanes_edited()

    def set_lane_color(self, key: str, color: str) -> None:
        """Set the colour (``#rrggbb``) of ``key``'s lane."""
        self.state.set_color(key, color)
        if key in self.lanes:
            self.lanes[key].set_color(color)
        self._lanes_edited()

    def set_axis_mode(self, mode: str) -> None:
        """Label the time axis in ``"frames"`` or ``"seconds"``.

        Raises
        ------
        ValueError
            For another mode, or ``"seconds"`` when the display clock has no sampling rate.
        """
        if mode == "seconds":
            clock = self.dm.get_time(self.mapper.display_clock)
            if clock.sampling_rate is None:
                hint = missing_rate_hint(self.dm, self.mapper.display_clock)
                raise ValueError(f"the timeline can only show frames: {hint}")
            self.time_axis.show_seconds(clock.seconds_at_index)
        elif mode == "frames":
            self.time_axis.show_frames()
        else:
            raise ValueError(f"timeline axis must be 'frames' or 'seconds', got {mode!r}")
        self.state.axis = mode
        if self.axis_combo.currentText() != mode:
            self.axis_combo.setCurrentText(mode)

    def set_edit_key(self, key: str | None) -> None:
        """Annotate ``key`` (``None`` stops editing).

        An interval key is marked by dragging on its lane, and either kind at the current
        frame by the mark buttons and keys. An interval start pending on another key is
        dropped.

        Raises
        ------
        ValueError
            When ``key`` is not a ``digital_interval`` or ``digital_event`` key.
        """
        if key is not None:
            if key not in self.dm or self.dm.data_type(key) not in EDITABLE_KINDS:
                raise ValueError(
                    f"the Timeline edits {' or '.join(EDITABLE_KINDS)} keys, got {key!r}"
                )
            if not self.state.is_visible(key):
                self.show_lane(key)
        if self.marks.pending is not None and self.marks.pending.key != key:
            self.marks.set_pending(None)
        self.state.edit_key = key
        lane = self.lanes.get(key) if key is not None else None
        self.editor.set_lane(lane if isinstance(lane, IntervalLane) else None)
        if key is not None:
            self.scroll_to_lane(key)
        wanted = key if key is not None else _NO_EDIT
        if self.edit_combo.currentText() != wanted:
            self.edit_combo.setCurrentText(wanted)
        self._show_mode()

    def _edit_kind(self) -> str | None:
        """Kind of the edit key (None without one, or when it is gone)."""
        key = self.state.edit_key
        return self.dm.data_type(key) if key is not None and key in self.dm else None

    def mode_text(self) -> str:
        """Return what a drag on the plot and the mark keys do now (shown under the controls)."""
        mark = f"{MARK_MODIFIER_NAME}+drag on an interval lane marks an interval there"
        key, kind = self.state.edit_key, self._edit_kind()
        pending = self.marks.pending
        if pending is not None and pending.key == key and kind == "digital_interval":
            return (
                f"Interval start at frame {pending.display_frame(self.session)} on {key!r}: "
                f"step to its last frame and press {keys_of('mark_interval_end')} to add it "
                f"({keys_of('remove_interval')} cuts those frames out instead, "
                f"{keys_of('cancel_interval_start')} cancels)"
            )
        if kind == "digital_event":
            return (
                f"{keys_of('add_event')} / {keys_of('remove_event')} add / remove a {key!r} "
                f"event at the current frame · drag pans the time axis · {mark}"
            )
        if kind != "digital_interval" or self.editor.key is None:
            return (
                f"Drag pans the time axis · {mark} · choose an Edit key to mark one lane by "
                "dragging or at the current frame"
            )
        return (
            f"Drag on the {key!r} lane marks intervals (drag an edge to move it, Delete "
            f"removes the selected one) · {keys_of('mark_interval_start')} / "
            f"{keys_of('mark_interval_end')} mark a start / end at the current frame · drag "
            f"elsewhere pans · {mark}"
        )

    def _show_mode(self) -> None:
        self.mode_label.setText(self.mode_text())
        kind = self._edit_kind()
        pending = self.marks.pending
        self.mark_buttons.show_for(
            kind if kind in EDITABLE_KINDS else None,
            pending is not None and pending.key == self.state.edit_key,
        )

    def _show_pending(self, *_: object) -> None:
        """Draw the pending interval start on the edit key's lane and say it (or take it off)."""
        pending = self.marks.pending
        lane = self.lanes.get(pending.key) if pending is not None else None
        start = pending.display_frame(self.session) if pending is not None else None
        self.pending_mark.show(lane, start, self.session.current_frame)
        self._show_mode()

    def set_frame(self, frame: int) -> None:
        """Move the viewer to display frame ``frame``."""
        self.session.set_frame(int(frame))

    @property
    def cursor_frame(self) -> int:
        """The frame under the cursor line."""
        return self.cursor.frame

    def view_range(self) -> tuple[float, float]:
        """Visible time range ``(x0, x1)`` in display frames."""
        x0, x1 = self.view_box.viewRange()[0]
        return float(x0), float(x1)

    def set_view_range(self, x0: float, x1: float) -> None:
        """Show display frames ``x0 .. x1``."""
        self.view_box.setXRange(x0, x1, padding=0)

    def fit_all(self) -> None:
        """Show the whole display clock (or all lane data when the clock is empty)."""
        n_frames = len(self.dm.get_time(self.mapper.display_clock))
        if n_frames == 0:
            extents = [lane.marks() for lane in self.lanes.values() if len(lane.marks())]
            n_frames = int(max((m.max() for m in extents), default=99)) + 1
        self.set_view_range(-0.5, n_frames - 0.5)
        self._fitted_range = self.view_range()

    def _shows_all(self) -> bool:
        """Whether the view is still the one :meth:`fit_all` set (not panned or zoomed)."""
        fitted = self._fitted_range
        return fitted is not None and all(
            abs(a - b) < 1e-6 for a, b in zip(self.view_range(), fitted)
        )

    def next_event(self) -> None:
        """Jump to the next event (or interval start or end) of the selected lane."""
        self._step_event(+1)

    def previous_event(self) -> None:
        """Jump to the previous event (or interval start or end) of the selected lane."""
        self._step_event(-1)

    def delete_selected_interval(self) -> bool:
        """Delete the interval selected on the edited lane; return whether one was deleted."""
        return self.editor.delete_selected()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Handle the dock's own keys.

        Delete/Backspace delete the selected interval; ``[`` / ``]`` step through events;
        Esc cancels a pending interval start (whichever layer is selected: a shapes or labels
        layer keeps Esc for itself in the viewer).
        """
        actions = {
            Qt.Key.Key_Delete: self.delete_selected_interval,
            Qt.Key.Key_Backspace: self.delete_selected_interval,
            Qt.Key.Key_BracketRight: self.next_event,
            Qt.Key.Key_BracketLeft: self.previous_event,
        }
        if self.marks.pending is not None:
            actions[Qt.Key.Key_Escape] = lambda: cancel_interval_start(self.session)
        action = actions.get(Qt.Key(event.key()))
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    # ----------------------------------------------------------------- pointer handler
    def click(self, x: float, y: float) -> bool:
        """Left click at plot ``(x, y)``: select/jump on a lane's item, else move the frame."""
        lane = self._lane_at(y)
        target = round(x)
        if lane is not None:
            if isinstance(lane, (EventLane, IntervalLane)):
                self.active_key = lane.key
            if isinstance(lane, IntervalLane):
                if lane is self.editor.lane:
                    self.editor.select_at(x)
            elif isinstance(lane, EventLane):
                mark = nearest_mark(lane.marks(), x, self._pixel_width() * _CLICK_TOLERANCE_PX)
                if mark is not None:
                    target = int(frame_of(mark))
        self.set_frame(target)
        return True

    def drag_start(self, x: float, y: float, mark: bool = False) -> bool:
        """Take the drag over on the edited interval lane, or with ``mark`` on any interval lane."""
        tolerance = self._pixel_width() * _CLICK_TOLERANCE_PX
        if mark:
            lane = self._lane_at(y)
            if isinstance(lane, IntervalLane):
                self.active_key = lane.key
                return self.editor.begin(x, y, tolerance, lane=lane)
        return self.editor.begin(x, y, tolerance)

    def drag_move(self, x: float, finished: bool) -> None:
        """Follow an interval drag."""
        self.editor.move(x, finished)

    # ----------------------------------------------------------------- internals
    def _require_series(self, key: str) -> None:
        if key not in self.dm:
            raise KeyError(f"no key {key!r} in the DataManager")
        if self.dm.data_type(key) not in SERIES_KINDS:
            raise ValueError(
                f"key {key!r} is {self.dm.data_type(key)!r}; timeline lanes show "
                f"{', '.join(SERIES_KINDS)} keys"
            )

    def _lanes_edited(self) -> None:
        self._rebuild_lanes()
        self._refresh_controls()
        self.lanes_changed.emit()
        lanes_changed.emit(self.dm)

    def _pixel_width(self) -> float:
        return float(self.view_box.viewPixelSize()[0])

    def _lane_at(self, y: float) -> Lane | None:
        return next((lane for lane in self.lanes.values() if lane.contains_y(y)), None)

    def _scrub(self, x: float) -> None:
        self.set_frame(round(x))

    def _step_event(self, step: int) -> None:
        lane = self.lanes.get(self.active_key) if self.active_key else None
        if not isinstance(lane, (EventLane, IntervalLane)):
            lane = next(
                (v for v in self.lanes.values() if isinstance(v, (EventLane, IntervalLane))), None
            )
        if lane is None:
            return
        mark = step_mark(lane.marks(), self.session.current_frame, step)
        if mark is not None:
            self.set_frame(round(mark))

    def _rebuild_lanes(self) -> None:
        self.mapper.set_display_clock(self.session.display_clock)
        wanted = [k for k in self.state.visible_keys() if k in self.dm and k not in self.plotted]
        wanted += list(self.plotted)
        for key in [k for k in self.lanes if k not in wanted]:
            self.lanes.pop(key).remove()
        for key in wanted:
            if key not in self.lanes:
                plotted = self.plotted.lanes.get(key)
                color = plotted.color if plotted is not None else self.state.color(key)
                self.lanes[key] = make_lane(key, self.sources, self.mapper, self.plot_item, color)
                self.lanes[key].set_theme_colors(self.canvas_color, self.text_color)
        self.lanes = {key: self.lanes[key] for key in wanted}
        n = len(wanted)
        for row, key in enumerate(wanted):
            self.lanes[key].set_band(n - 1 - row)
        labels = lane_labels(wanted)
        left_axis = self.plot_item.getAxis("left")
        left_axis.setTicks([[(n - row - 0.5, label) for row, label in enumerate(labels)], []])
        metrics = QFontMetrics(left_axis.font())
        left_axis.setWidth(max([40, *(metrics.horizontalAdvance(t) + 16 for t in labels)]))
        self._fit_rows()
        if not any(lane is self.editor.selected_lane for lane in self.lanes.values()):
            self.editor.selected_lane = None  # its lane went (key deleted, renamed or hidden)
        edit_lane = self.lanes.get(self.state.edit_key or "")
        self.editor.set_lane(edit_lane if isinstance(edit_lane, IntervalLane) else None)
        self._show_pending()
        self._update_views()

    def _min_lane_px(self) -> int:
        metrics = QFontMetrics(self.plot_item.getAxis("left").font())
        return metrics.height() + 2 * _LANE_PADDING_PX

    def _fit_rows(self, *_: object) -> None:
        """Show as many lanes as fit at a readable height; scroll the rest.

        Lane ``row`` (0 = top) of ``n`` spans y ``[n - 1 - row, n - row]``; the view shows
        the rows from the scroll bar's value down.
        """
        n = len(self.lanes)
        height = float(self.view_box.height())
        fit = n if height <= 0 else max(1, int(height // self._min_lane_px()))
        scroll = self.lane_scroll
        was_shown = not scroll.isHidden()
        scroll.blockSignals(True)
        if n <= fit:
            scroll.setRange(0, 0)
            scroll.hide()
        else:
            scroll.setRange(0, n - fit)
            scroll.setPageStep(fit)
            scroll.setSingleStep(1)
            scroll.show()
        scroll.blockSignals(False)
        if was_shown != (not scroll.isHidden()):
            # Shown or hidden while a dock squeezed the plot (this runs inside the plot's
            # resize), the layout kept its old split and the bar stayed 0 pixels wide: the
            # lanes below could be neither seen nor scrolled to. Lay it out again next turn.
            QTimer.singleShot(0, self._relayout_lanes)
        if n == 0:
            self.view_box.setYRange(0, 1, padding=0)
            return
        top = scroll.value() if n > fit else 0
        self.view_box.setYRange(n - top - min(n, fit), n - top, padding=0)

    def _relayout_lanes(self) -> None:
        """Lay the plot and the lane scroll bar out again (after the bar was shown or hidden)."""
        try:
            layout = self.lane_scroll.parentWidget().layout()
        except RuntimeError:  # the dock is gone
            return
        if layout is not None:
            layout.invalidate()

    def _refresh_controls(self) -> None:
        self.lane_panel.set_lanes(self.state.lanes())
        editable = [key for kind in EDITABLE_KINDS for key in self.dm.keys(kind)]
        edit_key = self.state.edit_key
        self.edit_combo.blockSignals(True)
        self.edit_combo.clear()
        self.edit_combo.addItems([_NO_EDIT, *editable])
        self.edit_combo.setCurrentText(edit_key if edit_key in editable else _NO_EDIT)
        self.edit_combo.blockSignals(False)
        self._refresh_clock_combo()
        clock = self.dm.get_time(self.mapper.display_clock)
        seconds_ok = clock.sampling_rate is not None
        seconds = self.axis_combo.model().item(1)
        seconds.setEnabled(seconds_ok)
        seconds.setToolTip(
            "" if seconds_ok else missing_rate_hint(self.dm, self.mapper.display_clock)
        )
        self.set_axis_mode(self.state.axis if seconds_ok else "frames")

    def _refresh_clock_combo(self) -> None:
        """List the clocks the frame slider can run on, the display clock selected.

        Shown only when there are two or more to choose from.
        """
        combo = self.clock_combo
        choices = self.session.display_clock_choices()
        combo.blockSignals(True)
        if [combo.itemText(i) for i in range(combo.count())] != choices:
            combo.clear()
            combo.addItems(choices)
        combo.setCurrentText(self.session.display_clock)
        combo.blockSignals(False)
        # one clock to choose from (one video): no box, the header keeps its width
        for widget in (combo, self.clock_label):
            widget.setHidden(len(choices) < 2)

    def set_display_clock(self, clock: str) -> None:
        """Run the frame slider on ``clock`` (what choosing it in the Clock box does).

        See :meth:`napari_whiskertoolbox.layers.session.ViewerSession.set_display_clock`.
        """
        self.session.set_display_clock(clock)

    def _clock_combo_activated(self, index: int) -> None:
        text = self.clock_combo.itemText(index)
        if text and text != self.session.display_clock:
            self.set_display_clock(text)

    def _on_display_clock_changed(self, old: str, new: str) -> None:
        self._refresh_clock_combo()
        self._pending_clocks = True
        self._schedule()

    def _edit_combo_changed(self, text: str) -> None:
        if text:
            self.set_edit_key(None if text == _NO_EDIT else text)

    def _update_views(self, *_: object) -> None:
        x0, x1 = self.view_range()
        n_columns = max(1, int(self.view_box.width()))
        for lane in self.lanes.values():
            lane.update_view(x0, x1, n_columns)

    def _on_dims_step(self, *_: object) -> None:
        frame = self.session.current_frame
        self.cursor.move_to(frame)
        if self.marks.pending is not None:
            self._show_pending()
        x0, x1 = self.view_range()
        if not x0 <= frame <= x1 and self._shows_all():  # the clock grew: keep it whole
            self.fit_all()
        elif not x0 <= frame <= x1:  # follow the cursor (playback, jumps) one page at a time
            width = x1 - x0
            self.set_view_range(frame - 0.1 * width, frame + 0.9 * width)

    def _schedule(self) -> None:
        QTimer.singleShot(0, self._flush)

    def _flush(self) -> None:
        rebuild, self._pending_rebuild = self._pending_rebuild, False
        clocks, self._pending_clocks = self._pending_clocks, False
        reload, self._pending_reload = self._pending_reload, set()
        if rebuild or clocks:
            old_clock = self.mapper.display_clock
            whole = clocks and self._shows_all()  # showing the whole clock: keep it whole
            for key, lane in list(self.lanes.items()):
                if key in self.plotted:
                    continue
                if key not in self.dm or self.dm.get_data(key) is not lane.source:
                    self.lanes.pop(key).remove()  # deleted, renamed or replaced
            self.state.sync_keys()
            self._rebuild_lanes()
            if clocks or self.mapper.display_clock != old_clock:
                self.mapper.invalidate()
                reload = set(self.lanes)
            self._refresh_controls()
            self.lanes_changed.emit()
            lanes_changed.emit(self.dm)
            if self.mapper.display_clock != old_clock or whole:
                self.fit_all()
        added, self._added_keys = self._added_keys, []
        new_lane = next((key for key in added if key in self.lanes), None)
        if new_lane is not None:  # a transform's or a script's result: show where it went
            self.scroll_to_lane(new_lane)
        for key in reload:
            if key in self.lanes:
                self.lanes[key].reload()

    def _on_key_added(self, key: str) -> None:
        self._added_keys.append(key)
        self._on_keys_changed(key)

    def _on_keys_changed(self, key: str) -> None:
        self._pending_rebuild = True
        self._schedule()

    def _on_renamed(self, old: str, new: str) -> None:
        self.state.rename(old, new)
        pending = self.marks.pending
        if pending is not None and pending.key == old:
            self.marks.set_pending(replace(pending, key=new))
        if self.active_key == old:
            self.active_key = new
        self._on_keys_changed(new)

    def _on_data_changed(self, key: str, frames: object = None) -> None:
        if key in self.lanes:
            self._pending_reload.add(key)
            self._schedule()

    def _on_clocks_changed(self, name: str) -> None:
        self._pending_clocks = True
        self._schedule()


def find_timeline(viewer: Any) -> TimelineWidget | None:
    """Return the first :class:`TimelineWidget` docked in ``viewer``'s window, or ``None``."""
    for widget in viewer.window.dock_widgets.values():
        if isinstance(widget, TimelineWidget):
            return widget
    return None
