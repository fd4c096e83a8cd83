"""The timeline showing its whole clock keeps showing it whole when the clock changes length."""

from __future__ import annotations

import pytest
from test_timeline_support import build_session

from napari_whiskertoolbox.core import TimeFrame
from napari_whiskertoolbox.widgets.timeline import TimelineWidget

pytestmark = pytest.mark.gui


def test_a_whole_view_follows_a_clock_replaced_and_undone(
    make_napari_viewer, frame_number_video, qtbot
):
    """Were: after undoing a config load that redefined the clock, the view still spanned
    the loaded clock's frames (here: half of the video)."""
    viewer = make_napari_viewer()
    build_session(viewer, frame_number_video)
    timeline = TimelineWidget(viewer)
    qtbot.addWidget(timeline)
    dm, clock = timeline.dm, timeline.mapper.display_clock
    n = len(dm.get_time(clock))
    timeline.fit_all()

    def shows(frames: int) -> bool:
        return timeline.view_range() == pytest.approx((-0.5, frames - 0.5))

    dm.set_time(clock, TimeFrame.from_count(n // 2))
    qtbot.waitUntil(lambda: shows(n // 2), timeout=2000)
    dm.undo()
    qtbot.waitUntil(lambda: shows(n), timeout=2000)
    timeline.set_view_range(10.0, 20.0)  # zoomed in: a clock change leaves the view alone
    dm.redo()
    qtbot.wait(50)
    assert timeline.view_range() == pytest.approx((10.0, 20.0))
