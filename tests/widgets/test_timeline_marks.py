"""Marking the Timeline's edit key at the current frame: real keys and buttons, real viewer.

A new-user trial: intervals could only be dragged on the Timeline, and nothing in the UI
put an event into an events key. WhiskerToolbox marks both at the current frame.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pytest
from napari.utils.key_bindings import coerce_keybinding
from napari.utils.shortcuts import default_shortcuts
from qtpy.QtCore import Qt
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication
from test_timeline_support import build_session

from napari_whiskertoolbox.core import DigitalEventSeries
from napari_whiskertoolbox.widgets.timeline import TimelineWidget
from napari_whiskertoolbox.widgets.timeline.mark_buttons import BUTTONS
from napari_whiskertoolbox.workflow.key_table import KEY_TABLE
from napari_whiskertoolbox.workflow.timeline_marks import marks_of

pytestmark = pytest.mark.gui

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


class Docked:
    """A shown viewer with the Timeline docked and the keyboard focus on the canvas."""

    def __init__(self, viewer: Any, session: Any, timeline: TimelineWidget, canvas: Any) -> None:
        self.viewer = viewer
        self.session = session
        self.dm = session.dm
        self.timeline = timeline
        self._canvas = weakref.ref(canvas)  # held strongly, napari's fixture reports it leaked

    def key(self, key: Any, modifiers: Any = Qt.KeyboardModifier.NoModifier) -> None:
        """Press ``key`` on the canvas, as the user does."""
        QTest.keyClick(self._canvas(), key, modifiers)

    def go(self, frame: int) -> None:
        self.session.set_frame(frame)

    def intervals(self) -> list[list[int]]:
        return self.dm.get_data("contact").intervals.tolist()


@pytest.fixture
def docked(make_napari_viewer: Any, frame_number_video: Any, qtbot: Any) -> Docked:
    viewer = make_napari_viewer(show=True)
    session = build_session(viewer, frame_number_video)
    timeline = TimelineWidget(viewer)
    viewer.window.add_dock_widget(timeline, area="bottom", name="Timeline")
    timeline.set_view_range(-0.5, 999.5)
    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    return Docked(viewer, session, timeline, QApplication.focusWidget())


def test_q_then_w_adds_the_interval_between_the_two_frames_both_included(
    docked: Docked, qtbot: Any, notifications: list[str]
) -> None:
    timeline = docked.timeline
    timeline.set_edit_key("contact")
    docked.go(600)
    docked.key(Qt.Key.Key_Q)
    assert docked.viewer.status.startswith("contact: interval start at frame 600")
    assert "Interval start at frame 600 on 'contact'" in timeline.mode_label.text()
    assert timeline.pending_mark.frame == 600
    for _ in range(4):
        docked.key(Qt.Key.Key_Right, SHIFT)  # 10 frames a press
    assert docked.session.current_frame == 640
    span = timeline.pending_mark.span.opts  # from the start to the cursor, on the lane
    assert (span["x0"][0], span["x1"][0]) == (599.5, 640.5)
    assert span["y0"][0] == timeline.lanes["contact"].bottom
    docked.key(Qt.Key.Key_W)
    assert docked.intervals() == [[100, 200], [400, 450], [600, 640]]
    assert docked.viewer.status == "contact: interval frames 600–640 added"
    assert timeline.pending_mark.frame is None
    assert not timeline.pending_mark.span.isVisible()
    qtbot.waitUntil(lambda: timeline.lanes["contact"].intervals.tolist() == docked.intervals())

    docked.go(720)  # either order: the end before the start
    docked.key(Qt.Key.Key_Q)
    docked.go(700)
    docked.key(Qt.Key.Key_W)
    assert docked.intervals()[-1] == [700, 720]

    docked.go(190)  # overlapping [100, 200]: joined, as a drag joins it
    docked.key(Qt.Key.Key_Q)
    docked.go(210)
    docked.key(Qt.Key.Key_W)
    assert docked.intervals()[0] == [100, 210]
    assert docked.viewer.status.endswith("joined with its neighbours into frames 100–210")

    docked.key(Qt.Key.Key_Z, CTRL)
    assert "Undone: add contact interval frames 190–210" in notifications
    assert docked.intervals()[0] == [100, 200]

    notifications.clear()
    docked.key(Qt.Key.Key_W)  # no start marked
    assert notifications == [
        "No interval start marked on 'contact': press Q at its first frame, then W at its last."
    ]


def test_shift_w_removes_the_interval_here_or_cuts_from_the_start_marked(
    docked: Docked, notifications: list[str]
) -> None:
    docked.timeline.set_edit_key("contact")
    docked.go(420)
    docked.key(Qt.Key.Key_W, SHIFT)
    assert docked.intervals() == [[100, 200]]
    assert docked.viewer.status == "contact: interval frames 400–450 removed"
    docked.key(Qt.Key.Key_Z, CTRL)
    assert notifications[-1] == "Undone: remove contact interval frames 400–450"
    assert docked.intervals() == [[100, 200], [400, 450]]

    docked.go(300)
    docked.key(Qt.Key.Key_W, SHIFT)
    assert notifications[-1].startswith("No 'contact' interval at frame 300: nothing removed")
    assert docked.intervals() == [[100, 200], [400, 450]]

    docked.go(140)  # a start marked: Shift+W cuts the frames from it to here, both included
    docked.key(Qt.Key.Key_Q)
    docked.go(160)
    docked.key(Qt.Key.Key_W, SHIFT)
    assert docked.intervals() == [[100, 139], [161, 200], [400, 450]]
    assert marks_of(docked.session).pending is None
    docked.key(Qt.Key.Key_Z, CTRL)
    assert notifications[-1] == "Undone: cut frames 140–160 out of contact intervals"
    assert docked.intervals() == [[100, 200], [400, 450]]


def test_escape_cancels_the_start_from_the_canvas_and_from_the_timeline(
    docked: Docked, qtbot: Any
) -> None:
    timeline = docked.timeline
    timeline.set_edit_key("contact")
    docked.go(500)
    docked.key(Qt.Key.Key_Q)
    docked.key(Qt.Key.Key_Escape)
    assert marks_of(docked.session).pending is None
    assert docked.viewer.status == "contact: interval start at frame 500 cancelled"
    assert timeline.pending_mark.frame is None
    assert "Interval start" not in timeline.mode_label.text()

    # a shapes layer keeps Esc for itself on the canvas; in the Timeline Esc still cancels
    docked.viewer.add_shapes(ndim=3)
    docked.key(Qt.Key.Key_Q)
    assert marks_of(docked.session).pending is not None
    timeline.plot_widget.setFocus()
    qtbot.waitUntil(lambda: timeline.plot_widget.hasFocus(), timeout=5000)
    QTest.keyClick(timeline.plot_widget, Qt.Key.Key_Escape)
    assert marks_of(docked.session).pending is None

    docked.key(Qt.Key.Key_Q)  # choosing another edit key drops the start
    timeline.set_edit_key("licks")
    assert marks_of(docked.session).pending is None


@pytest.mark.parametrize("kind", ["shapes", "labels"])
def test_escape_on_the_canvas_cancels_the_start_over_a_layer_with_its_own_escape(
    docked: Docked, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Were: with a shapes or labels layer active, napari's own Esc binding on the layer
    came before the viewer's, so Esc on the canvas left the start pending. Without a start
    pending, Esc is still the layer's own (finish drawing, reset the polygon)."""
    docked.timeline.set_edit_key("contact")
    if kind == "shapes":
        layer = docked.viewer.add_shapes(ndim=3)
    else:
        layer = docked.viewer.add_labels(np.zeros((1000, 4, 4), dtype=np.uint8))
    assert docked.viewer.layers.selection.active is layer
    escape = coerce_keybinding("Escape")
    assert escape in type(layer).class_keymap  # napari binds it on the layer class
    own: list[Any] = []
    monkeypatch.setitem(type(layer).class_keymap, escape, own.append)  # napari's own, spied
    docked.go(300)
    docked.key(Qt.Key.Key_Q)
    assert marks_of(docked.session).pending is not None
    docked.key(Qt.Key.Key_Escape)
    assert marks_of(docked.session).pending is None
    assert docked.viewer.status == "contact: interval start at frame 300 cancelled"
    assert own == []  # taken for the start only
    docked.key(Qt.Key.Key_Escape)  # nothing pending: the layer's own Esc
    assert own == [layer]


def test_g_and_shift_g_add_and_remove_events_at_the_current_frame(
    docked: Docked, notifications: list[str]
) -> None:
    docked.timeline.set_edit_key("licks")
    licks = docked.dm.get_data("licks")
    docked.go(123)
    docked.key(Qt.Key.Key_G)
    assert licks.times.tolist() == [10, 50, 123, 300, 700]
    assert docked.viewer.status == "licks: event added at frame 123"
    docked.key(Qt.Key.Key_G)
    assert notifications[-1] == "'licks' has an event at frame 123 already."
    docked.go(50)
    docked.key(Qt.Key.Key_G, SHIFT)
    assert licks.times.tolist() == [10, 123, 300, 700]
    docked.key(Qt.Key.Key_G, SHIFT)
    assert notifications[-1] == "No 'licks' event at frame 50: nothing removed."
    docked.key(Qt.Key.Key_Z, CTRL)
    assert notifications[-1] == "Undone: remove licks event at frame 50"
    docked.key(Qt.Key.Key_Z, CTRL)
    assert notifications[-1] == "Undone: add licks event at frame 123"
    assert licks.times.tolist() == [10, 50, 300, 700]


def test_the_keys_say_why_they_do_nothing_without_a_key_of_their_kind(
    docked: Docked, notifications: list[str]
) -> None:
    docked.go(20)
    docked.key(Qt.Key.Key_Q)
    docked.key(Qt.Key.Key_G)
    assert notifications == [
        "Choose an interval key in the Timeline's Edit box to mark intervals "
        "(Plugins > WhiskerToolbox > Timeline).",
        "Choose an event key in the Timeline's Edit box to mark events "
        "(Plugins > WhiskerToolbox > Timeline).",
    ]
    notifications.clear()
    docked.timeline.set_edit_key("contact")
    docked.key(Qt.Key.Key_G)
    docked.timeline.set_edit_key("licks")
    docked.key(Qt.Key.Key_Q)
    assert notifications == [
        "'contact' holds intervals, not events: Q / W mark its intervals; choose an event "
        "key in the Timeline's Edit box to mark events.",
        "'licks' holds events, not intervals: G adds its events; choose an interval key in "
        "the Timeline's Edit box to mark intervals.",
    ]
    assert len(docked.dm.get_data("licks")) == 4
    assert docked.intervals() == [[100, 200], [400, 450]]


def test_the_buttons_follow_the_edit_key_and_do_what_their_keys_do(docked: Docked) -> None:
    timeline = docked.timeline
    rows, buttons = timeline.mark_buttons.rows, timeline.mark_buttons.buttons
    assert not any(row.isVisible() for row in rows.values())
    assert [timeline.edit_combo.itemText(i) for i in range(timeline.edit_combo.count())] == [
        "(no editing)",
        "contact",
        "licks",
    ]
    timeline.edit_combo.setCurrentText("contact")
    assert rows["digital_interval"].isVisible()
    assert not rows["digital_event"].isVisible()
    assert not buttons["cancel_interval_start"].isEnabled()
    assert buttons["mark_interval_start"].toolTip().endswith("(Q)")
    docked.go(600)
    QTest.mouseClick(buttons["mark_interval_start"], Qt.MouseButton.LeftButton)
    assert buttons["cancel_interval_start"].isEnabled()
    docked.go(610)
    QTest.mouseClick(buttons["mark_interval_end"], Qt.MouseButton.LeftButton)
    assert docked.intervals()[-1] == [600, 610]
    assert not buttons["cancel_interval_start"].isEnabled()
    QTest.mouseClick(buttons["remove_interval"], Qt.MouseButton.LeftButton)
    assert docked.intervals() == [[100, 200], [400, 450]]

    timeline.edit_combo.setCurrentText("licks")
    assert rows["digital_event"].isVisible()
    assert not rows["digital_interval"].isVisible()
    assert "'licks' event at the current frame" in timeline.mode_label.text()
    QTest.mouseClick(buttons["add_event"], Qt.MouseButton.LeftButton)
    assert 610 in docked.dm.get_data("licks")
    QTest.mouseClick(buttons["remove_event"], Qt.MouseButton.LeftButton)
    assert 610 not in docked.dm.get_data("licks")


def test_a_key_on_a_finer_clock_gets_the_ticks_of_the_frames_marked(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    from napari_whiskertoolbox._sample_data import adopt_data_manager
    from napari_whiskertoolbox.sample import TICKS_PER_FRAME, make_sample_session
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    dm = session.dm
    adopt_data_manager(dm, make_sample_session(n_frames=60))
    dm.get_data("contact").set_intervals(np.empty((0, 2), np.int64))
    master = dm.time_key("contact")
    assert master != session.display_clock
    dm.set_data("pokes", DigitalEventSeries([433]), master)
    timeline = TimelineWidget(viewer)
    qtbot.addWidget(timeline)

    def press(key: str) -> None:
        viewer.keymap[coerce_keybinding(key)](viewer)

    timeline.set_edit_key("contact")
    session.set_frame(40)
    press("Q")
    session.set_frame(45)
    press("W")
    # frames 40..45, the last one whole: ticks 400..459
    assert dm.get_data("contact").intervals.tolist() == [
        [40 * TICKS_PER_FRAME, 46 * TICKS_PER_FRAME - 1]
    ]
    assert dm.history.undo_label == "add contact interval frames 40–45"
    timeline.set_edit_key("pokes")
    session.set_frame(12)
    press("G")
    session.set_frame(43)
    press("Shift-G")  # the event at tick 433 lies inside frame 43
    assert dm.get_data("pokes").times.tolist() == [12 * TICKS_PER_FRAME]
    assert dm.history.undo_label == "remove pokes event at frame 43"


def test_the_mark_keys_are_in_the_one_key_table_and_free_in_napari() -> None:
    names = set(BUTTONS)
    rows = [action for action in KEY_TABLE if action.name in names]
    assert {action.name for action in rows} == names  # every button is a key-table row
    taken = {str(binding) for bindings in default_shortcuts.values() for binding in bindings}
    for action in rows:
        for key in action.keys:
            bound = str(coerce_keybinding(key))
            if action.name == "cancel_interval_start":
                # Esc: napari's shapes and labels layers keep it; the Timeline dock takes it
                assert bound == "Escape"
                continue
            assert bound not in taken, f"{key} ({action.name}) is a napari shortcut"
