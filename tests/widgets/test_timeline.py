"""GUI tests of the timeline dock on a real napari viewer, real video and real mouse events."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from qtpy.QtCore import QPoint, Qt
from qtpy.QtGui import QFontMetrics
from qtpy.QtTest import QTest
from test_timeline_support import build_session, lane_y, mouse_click, mouse_drag, viewport_point

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TimeFrame,
)
from napari_whiskertoolbox.widgets.timeline import TimelineWidget

pytestmark = pytest.mark.gui


@pytest.fixture
def timeline(make_napari_viewer, frame_number_video, qtbot):
    viewer = make_napari_viewer()
    build_session(viewer, frame_number_video)
    widget = TimelineWidget(viewer)
    qtbot.addWidget(widget)
    widget.resize(900, 320)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_view_range(-0.5, 999.5)
    widget.set_frame(0)  # napari starts mid-video; keep the cursor line out of the way
    return widget


def current_frame(timeline: TimelineWidget) -> int:
    return int(timeline.viewer.dims.current_step[0])


def test_lanes_for_every_series_key_saved_in_metadata(timeline, qtbot):
    assert timeline.lane_keys() == ["angle", "licks", "contact"]
    dm = timeline.dm
    dm.set_data("pole", DigitalEventSeries([5, 6]))
    qtbot.waitUntil(lambda: timeline.is_lane_shown("pole"))
    timeline.hide_lane("licks")
    timeline.set_lane_order(["contact", "angle"])
    timeline.set_lane_color("angle", "#00ff00")
    lanes = dm.metadata["ui"]["timeline"]["lanes"]
    assert [lane["key"] for lane in lanes] == ["contact", "angle", "licks", "pole"]
    assert {lane["key"]: lane["visible"] for lane in lanes}["licks"] is False
    assert timeline.lane_keys() == ["contact", "angle", "pole"]
    assert timeline.lanes["contact"].bottom > timeline.lanes["angle"].bottom
    assert timeline.lanes["angle"].color == "#00ff00"
    dm.delete_data("pole")
    qtbot.waitUntil(lambda: not timeline.is_lane_shown("pole"))
    with pytest.raises(ValueError, match="video"):
        timeline.show_lane("video")
    with pytest.raises(ValueError, match="#rrggbb"):
        timeline.set_lane_color("angle", "green")


def test_cursor_follows_viewer_dims_and_view_follows_cursor(timeline, qtbot):
    timeline.viewer.dims.set_current_step(0, 321)
    assert timeline.cursor_frame == 321
    timeline.set_view_range(0, 100)
    timeline.viewer.dims.set_current_step(0, 640)
    x0, x1 = timeline.view_range()
    assert x0 <= 640 <= x1
    assert x1 - x0 == pytest.approx(100)


def test_many_lanes_keep_a_readable_height_and_scroll(timeline, qtbot):
    dm = timeline.dm
    for i in range(30):
        dm.set_data(f"ttl_{i:02d}", DigitalEventSeries(np.arange(i, 1000, 37)))
    qtbot.waitUntil(lambda: len(timeline.lanes) == 33)
    label_px = QFontMetrics(timeline.plot_item.getAxis("left").font()).height()

    def lane_px(key: str) -> float:
        bottom = timeline.lanes[key].bottom
        top_y = viewport_point(timeline, 0, bottom + 1).y()
        return viewport_point(timeline, 0, bottom).y() - top_y

    shown = timeline.lanes_in_view()
    assert 3 < len(shown) < 33  # the 33 lanes do not all fit the 320-pixel dock
    assert shown[0] == "angle"
    assert all(lane_px(key) >= label_px for key in shown)
    assert timeline.lane_scroll.isVisible()
    timeline.lane_scroll.setValue(timeline.lane_scroll.maximum())  # the user scrolls down
    assert timeline.lanes_in_view()[-1] == "ttl_29"
    timeline.set_view_range(200, 300)
    mouse_click(timeline, viewport_point(timeline, 270, lane_y(timeline, "ttl_29")))
    assert current_frame(timeline) == 270  # clicks still land on the scrolled lanes
    timeline.set_edit_key("contact")  # picking a lane to edit scrolls it into view
    assert "contact" in timeline.lanes_in_view()
    for i in range(30):
        dm.delete_data(f"ttl_{i:02d}")
    qtbot.waitUntil(lambda: len(timeline.lanes) == 3)
    assert timeline.lanes_in_view() == ["angle", "licks", "contact"]
    assert not timeline.lane_scroll.isVisible()


def test_a_key_added_later_scrolls_its_lane_into_view(timeline, qtbot):
    """A transform's or a script's result lands below the lanes in view: it is shown."""
    dm = timeline.dm
    for i in range(30):
        dm.set_data(f"ttl_{i:02d}", DigitalEventSeries(np.arange(i, 1000, 37)))
    qtbot.waitUntil(lambda: len(timeline.lanes) == 33)
    assert timeline.lanes_in_view()[0] == "angle"  # a load of many keys keeps the top
    dm.set_data("whisker_angle", AnalogTimeSeries(np.linspace(0, 1, 1000, dtype=np.float32)))
    qtbot.waitUntil(lambda: "whisker_angle" in timeline.lanes)
    assert timeline.lane_keys()[-1] == "whisker_angle"
    assert "whisker_angle" in timeline.lanes_in_view()


def test_lanes_shrink_to_their_label_before_they_scroll(
    make_napari_viewer, frame_number_video, qtbot
):
    """A new-user trial: in napari's default 1280x800 window the Timeline's plot is about 82
    pixels tall and showed 3 of 6 lanes (each its label + 4 pixels above and below); at
    label + 1 pixel 5 fit, still readable, from the first lane down."""
    viewer = make_napari_viewer()
    dm = build_session(viewer, frame_number_video).dm
    for i in range(3):  # before the dock: a key added later is scrolled into view
        dm.set_data(f"ttl_{i}", DigitalEventSeries(np.arange(i, 1000, 37)))
    timeline = TimelineWidget(viewer)
    qtbot.addWidget(timeline)
    timeline.resize(900, 320)
    timeline.show()
    qtbot.waitExposed(timeline)
    label_px = QFontMetrics(timeline.plot_item.getAxis("left").font()).height()
    plot_px = 5 * (label_px + 2) + 1
    timeline.resize(900, 320 + plot_px - round(timeline.view_box.height()))
    qtbot.waitUntil(lambda: abs(timeline.view_box.height() - plot_px) < 1)
    shown = timeline.lanes_in_view()
    assert shown == ["angle", "licks", "contact", "ttl_0", "ttl_1"]
    for key in shown:
        bottom = timeline.lanes[key].bottom
        top_y = viewport_point(timeline, 0, bottom + 1).y()
        height = viewport_point(timeline, 0, bottom).y() - top_y
        assert height >= label_px, f"lane {key} {height} px, its label {label_px} px"
    assert timeline.lane_scroll.isVisible()


def test_the_lane_scroll_bar_gets_room_when_a_dock_squeezes_the_timeline(
    make_napari_viewer, frame_number_video, qtbot
):
    """Lanes that fitted, then a dock (a figure's) squeezing the Timeline: the scroll bar was
    shown 0 pixels wide, so the lanes below could be neither seen nor scrolled to."""
    from qtpy.QtWidgets import QLabel

    viewer = make_napari_viewer(show=True)
    viewer.window._qt_window.resize(1500, 950)
    build_session(viewer, frame_number_video)
    timeline = TimelineWidget(viewer)
    viewer.window.add_dock_widget(timeline, area="bottom", name="Timeline")
    for i in range(3):
        timeline.dm.set_data(f"ttl_{i}", DigitalEventSeries(np.arange(i, 1000, 37)))
    qtbot.waitUntil(lambda: len(timeline.lanes) == 6)
    qtbot.wait(20)
    figure = QLabel("figure")
    figure.setMinimumHeight(800)
    viewer.window.add_dock_widget(figure, area="right", name="Figure 1")
    scroll = timeline.lane_scroll
    qtbot.waitUntil(lambda: len(timeline.lanes_in_view()) < 6)
    qtbot.waitUntil(lambda: scroll.width() > 0)
    assert scroll.isVisible()
    assert scroll.geometry().right() < scroll.parentWidget().width()


def test_click_in_timeline_sets_frame(timeline):
    mouse_click(timeline, viewport_point(timeline, 250, lane_y(timeline, "angle")))
    assert current_frame(timeline) == 250
    assert timeline.cursor_frame == 250


def test_click_near_event_jumps_to_it_and_next_previous(timeline):
    pixel = timeline.view_box.viewPixelSize()[0]
    mouse_click(timeline, viewport_point(timeline, 300 + 2 * pixel, lane_y(timeline, "licks")))
    assert current_frame(timeline) == 300
    timeline.next_event()
    assert current_frame(timeline) == 700
    timeline.previous_event()
    timeline.previous_event()
    assert current_frame(timeline) == 50
    QTest.keyClick(timeline.plot_widget, Qt.Key.Key_BracketRight)
    assert current_frame(timeline) == 300


def test_click_inside_an_interval_jumps_to_the_clicked_frame(timeline):
    mouse_click(timeline, viewport_point(timeline, 420, lane_y(timeline, "contact")))
    assert current_frame(timeline) == 420  # not the interval's start (400)


def test_next_previous_on_an_interval_lane_reach_its_ends_too(timeline):
    """Were: ``[`` / ``]`` stepped through interval starts only (the end of [400, 450] and of
    [100, 200] could not be reached); WhiskerToolbox's interval table jumps to either edge."""
    mouse_click(timeline, viewport_point(timeline, 420, lane_y(timeline, "contact")))
    timeline.next_event()
    assert current_frame(timeline) == 450
    seen = []
    for _ in range(3):
        QTest.keyClick(timeline.plot_widget, Qt.Key.Key_BracketLeft)
        seen.append(current_frame(timeline))
    assert seen == [400, 200, 100]


def test_click_and_drag_on_time_axis_scrubs(timeline):
    axis = timeline.time_axis
    axis_y = timeline.plot_widget.mapFromScene(axis.mapToScene(axis.boundingRect().center())).y()

    def at(frame: float) -> QPoint:
        return QPoint(viewport_point(timeline, frame, 0).x(), axis_y)

    mouse_click(timeline, at(600))
    assert current_frame(timeline) == 600
    view_before = timeline.view_range()
    mouse_drag(timeline, at(100), at(180))
    assert current_frame(timeline) == 180
    assert timeline.view_range() == view_before  # scrubbing does not pan


def test_wheel_zooms_and_drag_pans_time_only(timeline):
    y_before = timeline.view_box.viewRange()[1]
    x0, x1 = timeline.view_range()
    centre = viewport_point(timeline, 500, lane_y(timeline, "angle"))
    QTest.mouseMove(timeline.plot_widget.viewport(), centre)
    from qtpy.QtCore import QPointF
    from qtpy.QtGui import QWheelEvent
    from qtpy.QtWidgets import QApplication

    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(timeline.plot_widget.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(timeline.plot_widget.viewport(), wheel)
    z0, z1 = timeline.view_range()
    assert z1 - z0 < x1 - x0
    assert z0 < 500 < z1
    assert timeline.view_box.viewRange()[1] == y_before
    mouse_drag(
        timeline,
        viewport_point(timeline, 500, lane_y(timeline, "angle")),
        viewport_point(timeline, 450, lane_y(timeline, "angle")),
    )
    p0, p1 = timeline.view_range()
    assert p0 == pytest.approx(z0 + 50, abs=2)
    assert p1 - p0 == pytest.approx(z1 - z0)
    assert current_frame(timeline) == 0  # a pan is not a click


def test_drag_creates_interval_and_undo_removes_it(timeline, qtbot):
    dm = timeline.dm
    timeline.set_edit_key("contact")
    timeline.set_view_range(500, 800)
    y = lane_y(timeline, "contact")
    mouse_drag(timeline, viewport_point(timeline, 600, y), viewport_point(timeline, 650, y))
    intervals = dm.get_data("contact").intervals.tolist()
    assert intervals == [[100, 200], [400, 450], [600, 650]]
    qtbot.waitUntil(lambda: timeline.lanes["contact"].intervals.tolist() == intervals)
    assert dm.undo()
    assert dm.get_data("contact").intervals.tolist() == [[100, 200], [400, 450]]


def test_drag_past_either_end_of_the_recording_stops_at_its_first_and_last_frame(timeline):
    timeline.set_edit_key("contact")
    y = lane_y(timeline, "contact")
    timeline.set_view_range(900, 1040)
    mouse_drag(timeline, viewport_point(timeline, 980, y), viewport_point(timeline, 1030, y))
    timeline.set_view_range(-40, 100)
    mouse_drag(timeline, viewport_point(timeline, 30, y), viewport_point(timeline, -30, y))
    # the video has frames 0..999: no interval reaches frames that do not exist
    assert timeline.dm.get_data("contact").intervals.tolist() == [
        [0, 30],
        [100, 200],
        [400, 450],
        [980, 999],
    ]


def test_drag_touching_interval_merges_per_layout(timeline):
    timeline.set_edit_key("contact")
    timeline.set_view_range(150, 300)
    y = lane_y(timeline, "contact")
    mouse_drag(timeline, viewport_point(timeline, 201, y), viewport_point(timeline, 230, y))
    # inclusive semantics: [201, 230] touches [100, 200] and merges (disjoint layout)
    assert timeline.dm.get_data("contact").intervals.tolist() == [[100, 230], [400, 450]]


def test_drag_edge_moves_it_and_undo_restores(timeline, qtbot):
    dm = timeline.dm
    timeline.set_edit_key("contact")
    timeline.set_view_range(50, 500)  # about 2 pixels per frame: every frame is reachable
    y = lane_y(timeline, "contact")
    mouse_drag(timeline, viewport_point(timeline, 200.5, y), viewport_point(timeline, 260, y))
    assert dm.get_data("contact").intervals.tolist() == [[100, 260], [400, 450]]
    qtbot.waitUntil(lambda: timeline.lanes["contact"].intervals.tolist()[0] == [100, 260])
    mouse_drag(timeline, viewport_point(timeline, 399.5, y), viewport_point(timeline, 380, y))
    assert dm.get_data("contact").intervals.tolist() == [[100, 260], [380, 450]]
    assert dm.undo()
    assert dm.undo()
    assert dm.get_data("contact").intervals.tolist() == [[100, 200], [400, 450]]


def test_select_and_delete_interval_with_delete_key(timeline, qtbot):
    dm = timeline.dm
    timeline.set_edit_key("contact")
    mouse_click(timeline, viewport_point(timeline, 420, lane_y(timeline, "contact")))
    assert timeline.lanes["contact"].selected_id == int(dm.get_data("contact").ids[1])
    timeline.plot_widget.setFocus()
    QTest.keyClick(timeline.plot_widget, Qt.Key.Key_Delete)
    assert dm.get_data("contact").intervals.tolist() == [[100, 200]]
    assert dm.undo()
    assert dm.get_data("contact").intervals.tolist() == [[100, 200], [400, 450]]


def test_delete_removes_the_one_highlighted_interval_after_a_shift_drag_elsewhere(timeline, qtbot):
    dm = timeline.dm
    dm.set_data("whisking", DigitalIntervalSeries([[20, 30]]))
    qtbot.waitUntil(lambda: timeline.is_lane_shown("whisking"))
    timeline.set_edit_key("contact")
    timeline.set_view_range(50, 500)
    mouse_click(timeline, viewport_point(timeline, 420, lane_y(timeline, "contact")))
    assert timeline.lanes["contact"].selected_id is not None
    y = lane_y(timeline, "whisking")
    shift = Qt.KeyboardModifier.ShiftModifier
    mouse_drag(
        timeline,
        viewport_point(timeline, 300, y),
        viewport_point(timeline, 340, y),
        modifiers=shift,
    )
    new_id = int(dm.get_data("whisking").ids[-1])
    # only the interval just marked is highlighted, and Delete removes that one
    assert timeline.lanes["whisking"].selected_id == new_id
    assert timeline.lanes["contact"].selected_id is None
    timeline.plot_widget.setFocus()
    QTest.keyClick(timeline.plot_widget, Qt.Key.Key_Delete)
    assert dm.get_data("whisking").intervals.tolist() == [[20, 30]]
    assert dm.get_data("contact").intervals.tolist() == [[100, 200], [400, 450]]


def test_series_on_other_clock_drawn_against_display_clock(timeline, qtbot):
    dm = timeline.dm
    # master clock ticks 0..99_999; display frame i was taken at master tick 100 * i
    dm.set_time("time", TimeFrame(np.arange(1000) * 100, sampling_rate=500.0))
    dm.set_time("master", TimeFrame.from_count(100_000, sampling_rate=50_000.0))
    ramp = np.zeros(100_000, np.float32)
    ramp[25_000] = 1.0  # one spike at master tick 25000 = display frame 250
    dm.set_data("voltage", AnalogTimeSeries(ramp), "master")
    dm.set_data("ttl", DigitalEventSeries([5_050]), "master")
    qtbot.waitUntil(lambda: timeline.is_lane_shown("voltage") and timeline.is_lane_shown("ttl"))
    timeline.set_view_range(200, 300)
    x, y = timeline.lanes["voltage"].curve.getData()
    assert x[np.argmax(y)] == pytest.approx(250, abs=0.05)
    tick_x, _ = timeline.lanes["ttl"].ticks.getData()
    timeline.set_view_range(0, 100)
    tick_x, _ = timeline.lanes["ttl"].ticks.getData()
    assert tick_x[0] == pytest.approx(50.5)


def test_long_analog_is_peak_downsampled_to_the_view(timeline, qtbot):
    values = np.zeros(2_000_000, np.float32)
    values[1_234_567] = 5.0
    timeline.dm.set_time("time", TimeFrame.from_count(2_000_000))
    timeline.dm.set_data("long", AnalogTimeSeries(values))
    qtbot.waitUntil(lambda: timeline.is_lane_shown("long"))
    timeline.set_view_range(0, 2_000_000)
    x, y = timeline.lanes["long"].curve.getData()
    assert len(x) <= 4 * timeline.view_box.width() + 4
    assert y.max() == pytest.approx(timeline.lanes["long"].bottom + 0.92)
    timeline.set_view_range(1_000_000, 1_000_100)
    x, _ = timeline.lanes["long"].curve.getData()
    assert x.min() >= 999_999
    assert x.max() <= 1_000_101


@pytest.mark.parametrize("value", [1697.0, 0.0, -2.5])
def test_a_constant_series_is_drawn_mid_lane_with_its_value(timeline, qtbot, value):
    """CalculateMaskArea of one mask (always 1697) was a flat line on the lane's bottom edge,
    looking like a lane separator, with no value anywhere."""
    timeline.dm.set_data("area", AnalogTimeSeries(np.full(1000, value)))
    qtbot.waitUntil(lambda: timeline.is_lane_shown("area"))
    lane = timeline.lanes["area"]
    _, y = lane.curve.getData()
    np.testing.assert_allclose(y, lane.bottom + 0.5)
    assert lane.value_label.textItem.toPlainText() == f"{value:g}"
    assert lane.value_label.isVisible()
    x0, _ = timeline.view_range()
    assert lane.value_label.pos().x() == pytest.approx(x0)
    assert lane.value_label.pos().y() == pytest.approx(lane.bottom + 0.5)
    timeline.dm.set_data("area", AnalogTimeSeries(np.arange(1000.0)))  # it varies now
    qtbot.waitUntil(lambda: timeline.lanes["area"].value_label.textItem.toPlainText() == "")


def test_several_values_per_frame_draw_points_never_joined(timeline, qtbot):
    # a line measure (e.g. the angle of 2 whiskers): 2 samples per frame, NaN for an empty line
    times = np.repeat(np.arange(1000, dtype=np.int64), 2)
    values = np.tile(np.float32([0.0, 10.0]), 1000)
    values[2 * 500 + 1] = np.nan
    timeline.dm.set_data("per_line", AnalogTimeSeries(values, times))
    timeline.dm.set_data("plain", AnalogTimeSeries(np.sin(np.arange(1000) / 20).astype("f4")))
    qtbot.waitUntil(lambda: timeline.is_lane_shown("per_line") and timeline.is_lane_shown("plain"))
    lane = timeline.lanes["per_line"]
    low, high = lane.bottom + 0.08, lane.bottom + 0.92
    for view in ((490, 510), (0, 1000)):  # zoomed in to the samples, and out to all of them
        timeline.set_view_range(*view)
        curve_x = lane.curve.getData()[0]
        assert curve_x is None or len(curve_x) == 0  # no line between the values
        x, y = lane.dots.getData()
        for frame in (495.0, 505.0):  # both values of a frame are separate points
            near = np.abs(x - frame) <= 0.5 * (view[1] - view[0]) / timeline.view_box.width() + 0.5
            assert np.isclose(y[near], low, atol=0.02).any()
            assert np.isclose(y[near], high, atol=0.02).any()
        assert np.isclose(y, low, atol=0.02).sum() + np.isclose(y, high, atol=0.02).sum() == len(y)
    timeline.set_view_range(490, 510)
    x, y = lane.dots.getData()
    in_view = (x >= 490) & (x <= 510)
    assert in_view.sum() == 2 * 21 - 1  # every sample of frames 490..510, but the NaN one
    assert 500.0 not in x[np.isclose(y, high)]
    timeline.set_view_range(0, 1000)
    assert len(lane.dots.getData()[0]) <= 2 * timeline.view_box.width() + 2  # thinned
    plain = timeline.lanes["plain"]  # one value per frame stays a line
    x, _ = plain.curve.getData()
    assert len(x) > 100
    assert len(plain.dots.getData()[0]) == 0


def test_a_few_frames_in_view_are_ticked_at_whole_frames(timeline):
    """A 6-frame clock was ticked at 0, 0.5, 1, 1.5…: frames are whole."""
    timeline.set_view_range(-0.5, 5.5)
    axis = timeline.time_axis
    levels = axis.tickSpacing(-0.5, 5.5, axis.width())
    assert levels
    assert all(spacing >= 1 for spacing, _ in levels)
    ticks = [v for _, values in axis.tickValues(-0.5, 5.5, axis.width()) for v in values]
    assert ticks
    assert all(float(v).is_integer() for v in ticks)
    assert axis.tickSpacing(0, 1000, axis.width())[0][0] >= 50  # zoomed out: as pyqtgraph


@pytest.mark.parametrize("mode", ["frames", "seconds"])
def test_a_narrow_time_axis_labels_fewer_ticks_never_overlapping(timeline, qtbot, mode):
    """Squeezed beside a figure (198 pixels), the axis over 1000 frames labelled every 200
    frames, 3 pixels apart: the labels read as one, "200400600800"."""
    from qtpy.QtGui import QImage, QPainter

    if mode == "seconds":
        timeline.set_axis_mode("seconds")
    timeline.resize(198, 320)
    qtbot.waitUntil(lambda: timeline.time_axis.width() < 160, timeout=2_000)
    timeline.set_view_range(-0.5, 999.5)
    axis = timeline.time_axis
    image = QImage(400, 100, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    rects = sorted((rect for rect, _, _ in texts), key=lambda r: r.left())
    assert rects  # still labelled
    gap = QFontMetrics(axis.font()).horizontalAdvance("  ")  # two spaces apart at least
    for left, right in itertools.pairwise(rects):
        assert right.left() - left.right() >= gap, [text for _, _, text in texts]


def test_axis_in_seconds_uses_display_clock_rate(timeline):
    timeline.set_axis_mode("seconds")
    assert timeline.time_axis.tickStrings([0, 250, 500], 1.0, 250) == ["0.0", "0.5", "1.0"]
    assert timeline.dm.metadata["ui"]["timeline"]["axis"] == "seconds"
    timeline.set_axis_mode("frames")
    assert timeline.time_axis.tickStrings([0, 250], 1.0, 250) == ["0", "250"]
    timeline.dm.set_time("time", TimeFrame.from_count(1000))
    with pytest.raises(ValueError, match="sampling_rate"):
        timeline.set_axis_mode("seconds")


def test_interval_drag_on_a_finer_clock_covers_whole_frames(make_napari_viewer, qtbot):
    from napari_whiskertoolbox._sample_data import adopt_data_manager
    from napari_whiskertoolbox.sample import TICKS_PER_FRAME, make_sample_session
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    adopt_data_manager(session.dm, make_sample_session(n_frames=60))
    session.dm.get_data("contact").set_intervals(np.empty((0, 2), np.int64))
    timeline = TimelineWidget(viewer)
    qtbot.addWidget(timeline)
    timeline.resize(900, 320)
    timeline.show()
    qtbot.waitExposed(timeline)
    timeline.set_frame(0)
    timeline.set_edit_key("contact")
    timeline.set_view_range(-0.5, 59.5)
    y = lane_y(timeline, "contact")
    mouse_drag(timeline, viewport_point(timeline, 40, y), viewport_point(timeline, 45, y))
    # "contact" is on the master clock: frames 40..45 are ticks 400..459
    assert session.dm.get_data("contact").intervals.tolist() == [
        [40 * TICKS_PER_FRAME, 46 * TICKS_PER_FRAME - 1]
    ]
    qtbot.waitUntil(lambda: len(timeline.lanes["contact"].intervals) == 1)
    mouse_click(timeline, viewport_point(timeline, 43, y))
    assert current_frame(timeline) == 43


def test_lane_panel_toggles_visibility_and_reorders(timeline):
    panel = timeline.lane_panel
    assert panel.keys() == ["angle", "licks", "contact"]
    panel.item(1).setCheckState(Qt.CheckState.Unchecked)  # the user unticks "licks"
    assert timeline.lane_keys() == ["angle", "contact"]
    assert not timeline.is_lane_shown("licks")
    panel.color_changed.emit("contact", "#ff0000")  # what the colour dialog reports
    assert timeline.lanes["contact"].color == "#ff0000"
    assert timeline.dm.metadata["ui"]["timeline"]["lanes"][2]["color"] == "#ff0000"
    panel.order_changed.emit(["contact", "licks", "angle"])  # what a drag-and-drop reports
    assert timeline.lane_keys() == ["contact", "angle"]
    assert panel.keys() == ["contact", "licks", "angle"]


def test_lane_settings_survive_session_save_and_open(timeline, make_napari_viewer, tmp_path):
    from napari_whiskertoolbox.workflow.registry import get_session

    timeline.hide_lane("licks")
    timeline.set_lane_color("angle", "#00ff00")
    timeline.set_lane_order(["contact", "angle", "licks"])
    saved = timeline.session.save(tmp_path / "session")
    viewer = make_napari_viewer()
    get_session(viewer).open(saved)
    reopened = TimelineWidget(viewer)
    assert reopened.lane_keys() == ["contact", "angle"]
    assert reopened.lanes["angle"].color == "#00ff00"
    reopened.deleteLater()


def test_the_drag_mode_is_shown_and_shift_drag_marks_the_lane_under_the_mouse(timeline):
    assert timeline.editor.key is None
    assert "Drag pans the time axis" in timeline.mode_label.text()
    assert "Shift+drag on an interval lane marks an interval" in timeline.mode_label.text()
    y = lane_y(timeline, "contact")
    timeline.set_view_range(549.5, 699.5)  # a few pixels per frame
    view_before = timeline.view_range()
    mouse_drag(
        timeline,
        viewport_point(timeline, 600, y),
        viewport_point(timeline, 640, y),
        modifiers=Qt.KeyboardModifier.ShiftModifier,
    )
    assert timeline.dm.get_data("contact").intervals.tolist() == [
        [100, 200],
        [400, 450],
        [600, 640],
    ]
    assert timeline.view_range() == view_before  # marking does not pan
    assert timeline.editor.key is None  # the edit mode stays as it was
    mouse_drag(timeline, viewport_point(timeline, 660, y), viewport_point(timeline, 690, y))
    assert len(timeline.dm.get_data("contact")) == 3  # a plain drag pans
    assert timeline.view_range() != view_before
    timeline.set_edit_key("contact")
    assert "Drag on the 'contact' lane marks intervals" in timeline.mode_label.text()
    timeline.set_edit_key(None)
    assert "Drag pans" in timeline.mode_label.text()


def test_relative_ticks_are_drawn_at_their_ticks(timeline, qtbot):
    """NormalizeDigitalEventSeriesRelative's result sits at its relative ticks, not at its
    values read as frames of the input's clock (negative ticks clamp to frame 0)."""
    from napari_whiskertoolbox.transforms import run_transform

    run_transform(
        timeline.dm, "NormalizeDigitalEventSeriesRelative", "licks", "rel", {"alignment_time": 50}
    )
    timeline.show_lane("rel")
    qtbot.waitUntil(lambda: timeline.is_lane_shown("rel"))
    np.testing.assert_array_equal(timeline.lanes["rel"].marks(), [0, 0, 250, 650])
    run_transform(timeline.dm, "ShiftDigitalEventSeries", "rel", "later", {"offset": 100})
    timeline.show_lane("later")
    qtbot.waitUntil(lambda: timeline.is_lane_shown("later"))
    np.testing.assert_array_equal(timeline.lanes["later"].marks(), [60, 100, 350, 750])


def test_seconds_axis_of_an_image_folder_says_why_it_is_off(make_napari_viewer, qtbot, tmp_path):
    """Images have no frame rate: the disabled 'seconds' entry and the error say so, and how
    to give the clock one."""
    import imageio.v3 as iio

    from napari_whiskertoolbox.core import AnalogTimeSeries
    from napari_whiskertoolbox.workflow.registry import get_session

    for i in range(5):
        iio.imwrite(tmp_path / f"f{i}.png", np.full((8, 8), i, np.uint8))
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path), plugin="napari-whiskertoolbox")
    dm = get_session(viewer).dm
    assert dm.data_type("media") == "images"
    dm.set_data("signal", AnalogTimeSeries(np.zeros(5, np.float32)))
    widget = TimelineWidget(viewer)
    qtbot.addWidget(widget)
    seconds = widget.axis_combo.model().item(1)
    assert not seconds.isEnabled()
    assert "images of 'media' on it have no frame rate" in seconds.toolTip()
    with pytest.raises(ValueError, match=r"dm.set_sampling_rate\('time', frames_per_second\)"):
        widget.set_axis_mode("seconds")
    dm.set_sampling_rate("time", 30.0)
    qtbot.waitUntil(lambda: seconds.isEnabled())
    assert seconds.toolTip() == ""


def test_a_whole_view_stays_whole_when_a_config_grows_its_clock(
    make_napari_viewer, qtbot, tmp_path, wtb_data
):
    """A timeline showing the whole of a 6-sample signal's clock shows the whole 1000-frame
    clock after a config's video fills it (was: napari's step to the new axis's middle
    paged the view to 6 frames there, and it was no longer whole when the clock changed)."""
    import json

    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    session.dm.set_data("sig", AnalogTimeSeries(np.arange(6, dtype=np.float32)))
    widget = TimelineWidget(viewer)
    qtbot.addWidget(widget)
    widget.resize(900, 320)
    widget.show()
    qtbot.waitExposed(widget)
    widget.fit_all()
    assert widget.view_range() == pytest.approx((-0.5, 5.5))
    config = tmp_path / "exp.json"
    video = wtb_data / "Media" / "test_each_frame_number.mp4"
    config.write_text(json.dumps([{"data_type": "video", "name": "media", "filepath": str(video)}]))
    session.open(config)
    qtbot.waitUntil(lambda: widget.view_range() == pytest.approx((-0.5, 999.5)), timeout=5000)
    assert session.current_frame == 0


def test_lane_labels_of_long_keys_never_read_alike() -> None:
    """Two threshold outputs were both labelled 'pad_sign…hreshold'."""
    from napari_whiskertoolbox.widgets.timeline.widget import lane_labels

    keys = [
        "pad_signal_event_threshold",
        "pad_signal_interval_threshold",
        "angle",
        "pad_signal_interval_threshold_digital_interval_boolean",
    ]
    labels = lane_labels(keys)
    assert len(set(labels)) == len(labels)
    assert labels[2] == "angle"  # short keys as they are
    assert labels[3] == "pad_sign…_boolean"  # a long key without a twin: middle elision
    assert labels[0] == "…event_threshold"  # twins: from where they differ
    assert labels[1].startswith("…interval_thresh")
    assert max(len(label) for label in labels) <= 18
