"""The display clock follows a video opened beside another on its own clock; it can be chosen.

A new user opened the sample (300 frames on ``camera``, 0.6 s) and then WhiskerToolbox's
``test_config.json`` (a 1000-frame, 25 fps video that gets a clock of its own): the frame
slider stayed on the sample's 300 steps, and at its last step the video showed frame 16.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from qtpy.QtWidgets import QApplication

from _video_files import _decoded_frames, ffmpeg_convert
from napari_whiskertoolbox.workflow.opening import open_in_viewer
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
SHOTS = os.environ.get("WTB_TEST_SCREENSHOTS")
"""Folder to save screenshots of the window into (to look at them), if set."""


def _reference_frames(video: Path, wanted: set[int]) -> dict[int, np.ndarray]:
    """Frames ``wanted`` of PyAV's plain sequential decode, gray."""
    frames = {}
    for i, frame in enumerate(_decoded_frames(video)):
        if i in wanted:
            frames[i] = ffmpeg_convert(frame, "gray")
    return frames


def _shown(layer, step: int) -> np.ndarray:
    """The image ``layer`` shows at display frame ``step`` (what napari slices)."""
    return np.asarray(layer.data[step])


def _screenshot(viewer, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()
        viewer.window.screenshot(str(Path(SHOTS) / name), canvas_only=False)


@pytest.fixture
def sample_then_config(make_napari_viewer, wtb_data, notifications):
    viewer = make_napari_viewer(show=True)
    viewer.open_sample(PLUGIN, "whisker_session")
    QApplication.processEvents()
    session = get_session(viewer)
    assert session.display_clock == "camera"
    assert viewer.dims.range[0].stop == 299
    session.set_frame(150)  # 0.3 s into the sample
    open_in_viewer(viewer, wtb_data / "test_config.json")
    QApplication.processEvents()
    return viewer, session


def test_a_config_video_on_its_own_clock_takes_the_frame_slider(
    sample_then_config, frame_number_video, notifications
):
    viewer, session = sample_then_config
    dm = session.dm
    assert dm.time_key("my_video") == "my_video_clock"
    assert session.display_clock == "my_video_clock"
    assert viewer.dims.range[0].stop == 999  # every one of the video's 1000 frames
    assert viewer.dims.axis_labels[0] == "my_video_clock"
    # the moment on screen is kept: 0.3 s is the 25 fps video's frame 7 (0.28 s)
    assert session.current_frame == 7
    assert session.bindings["nose"].shown_index == 140
    (told,) = [m for m in notifications if "frame slider now runs on" in m]
    assert "clock of its own, 'my_video_clock'" in told  # one notice, not two
    # the slider's move first: a collapsed napari toast shows only its first ~40 characters
    assert told.startswith("test_config.json: The frame slider now runs on 'my_video_clock'")
    assert "set_display_clock('camera'). The session's clock 'time' is already filled" in told
    assert told.endswith("line up with the session's clocks in seconds.")
    assert "'my_video_clock' (1,000 frames, the clock of 'my_video') instead of 'camera'" in told
    assert "set_display_clock('camera')" in told

    reference = _reference_frames(frame_number_video, {10, 999})
    video = session.bindings["my_video"].layer
    media = session.bindings["media"].layer
    session.set_frame(999)  # the slider's last step shows the video's last frame
    assert session.current_frame == 999
    np.testing.assert_array_equal(_shown(video, 999), reference[999])
    # 39.96 s is past the sample's 0.6 s: the sample shows its last frame
    assert session.bindings["nose"].shown_index == 299
    np.testing.assert_array_equal(_shown(media, 999), dm.get_data("media")[299])
    session.set_frame(10)  # 0.4 s: the sample's frame 200
    np.testing.assert_array_equal(_shown(video, 10), reference[10])
    np.testing.assert_array_equal(_shown(media, 10), dm.get_data("media")[200])
    for key in ("nose", "pad", "whiskers", "pad_mask"):
        assert session.bindings[key].shown_index == 200, key
    nose = session.bindings["nose"].layer.data
    np.testing.assert_allclose(nose[:, -2:], dm.get_data("nose").at(200)[:, ::-1])
    _screenshot(viewer, "after_open.png")


def test_switching_back_with_the_api_keeps_the_moment(sample_then_config):
    viewer, session = sample_then_config
    session.set_frame(10)  # 0.4 s
    session.set_display_clock("camera")
    assert session.display_clock == "camera"
    assert viewer.dims.range[0].stop == 299
    assert session.current_frame == 200
    assert session.bindings["my_video"].shown_index == 10
    session.set_display_clock("my_video")  # a media key names its clock
    assert session.display_clock == "my_video_clock"
    assert session.current_frame == 10
    with pytest.raises(ValueError, match=r"'nope' is neither a clock .*'camera', 'my_video_clock'"):
        session.set_display_clock("nope")
    with pytest.raises(ValueError, match="'whisker_angle'"):
        session.set_display_clock("whisker_angle")  # not media: its clock has no frames shown
    assert session.display_clock == "my_video_clock"


def test_the_timeline_clock_box_switches_the_display_clock(sample_then_config, qtbot):
    from napari_whiskertoolbox.widgets.timeline import TimelineWidget
    from napari_whiskertoolbox.widgets.timeline.widget import find_timeline

    viewer, session = sample_then_config
    timeline = find_timeline(viewer)
    if timeline is None:
        timeline = TimelineWidget(viewer)
        viewer.window.add_dock_widget(timeline, area="bottom")
    qtbot.waitUntil(lambda: timeline.mapper.display_clock == "my_video_clock")
    combo = timeline.clock_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["camera", "my_video_clock"]
    assert combo.currentText() == "my_video_clock"
    assert not combo.isHidden()
    session.set_frame(10)
    qtbot.waitUntil(lambda: timeline.view_range()[1] > 900)  # the whole 1000 frames
    # choose 'camera' as a user does: the box's activated signal
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert session.display_clock == "camera"
    assert viewer.dims.range[0].stop == 299
    assert session.current_frame == 200
    qtbot.waitUntil(lambda: timeline.mapper.display_clock == "camera")
    qtbot.waitUntil(lambda: timeline.view_range()[1] < 400)  # fitted to the 300 frames
    assert timeline.cursor_frame == 200
    _screenshot(viewer, "after_switch.png")
    session.set_display_clock("my_video_clock")  # the box follows the API
    assert combo.currentText() == "my_video_clock"


def test_one_video_keeps_its_clock_and_no_clock_box(make_napari_viewer, wtb_data, qtbot):
    from napari_whiskertoolbox.widgets.timeline import TimelineWidget

    viewer = make_napari_viewer()
    open_in_viewer(viewer, wtb_data / "test_config.json")
    session = get_session(viewer)
    assert session.display_clock == "time"
    assert session.display_clock_switch is None
    assert session.display_clock_choices() == ["time"]
    timeline = TimelineWidget(viewer)
    qtbot.addWidget(timeline)
    assert timeline.clock_combo.currentText() == "time"
    assert timeline.clock_combo.isHidden()  # nothing to choose: the header keeps its width


def test_a_video_opened_alone_beside_the_sample_takes_the_slider_until_undone(
    make_napari_viewer, frame_number_video, notifications
):
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    QApplication.processEvents()
    session = get_session(viewer)
    session.set_frame(150)
    viewer.open(str(frame_number_video), plugin=PLUGIN)
    QApplication.processEvents()
    new = "test_each_frame_number_clock"
    assert session.display_clock == new
    assert viewer.dims.range[0].stop == 999
    assert session.current_frame == 7
    (told,) = [m for m in notifications if "frame slider now runs on" in m]
    assert told.startswith(f"test_each_frame_number.mp4: The frame slider now runs on {new!r}")
    session.dm.undo()  # the video goes: back on the sample's clock, at the same moment
    QApplication.processEvents()
    assert session.display_clock == "camera"
    assert viewer.dims.range[0].stop == 299
    assert session.current_frame == 140


def test_the_sample_opened_beside_a_video_takes_the_slider_until_undone(
    make_napari_viewer, frame_number_video, notifications
):
    """File > Open Sample into a window showing a video left the slider on the video's 1000
    steps, silently: the sample's 300 frames sat in its first 15 steps; its media even
    replaced the video (both are 'media')."""
    viewer = make_napari_viewer(show=True)
    open_in_viewer(viewer, frame_number_video)
    session = get_session(viewer)
    dm = session.dm
    assert session.display_clock == "time"
    assert viewer.dims.range[0].stop == 999
    session.set_frame(10)  # 0.4 s into the 25 fps video
    video = dm.get_data("media")
    viewer.open_sample(PLUGIN, "whisker_session")
    QApplication.processEvents()
    assert dm.get_data("media") is video  # the video stays; the sample's comes in renamed
    assert dm.time_key("media_2") == "camera"
    assert session.bindings["media"].layer is not None
    assert session.bindings["media_2"].layer.name == "media_2"
    assert session.display_clock == "camera"
    assert session.display_clock_switch == ("time", "camera")
    assert viewer.dims.range[0].stop == 299  # every one of the sample's 300 frames
    assert viewer.dims.axis_labels[0] == "camera"
    assert session.current_frame == 200  # the moment on screen is kept: 0.4 s
    assert session.bindings["nose"].shown_index == 200
    assert session.bindings["media"].shown_index == 10
    (told,) = [m for m in notifications if "frame slider now runs on" in m]
    assert told.startswith(
        "Whisker session (sample): The frame slider now runs on 'camera' (300 frames, the "
        "clock of 'media_2') instead of 'time' (1,000 frames), at the same moment"
    )
    assert "set_display_clock('time')" in told
    (renamed,) = [m for m in notifications if "already has keys" in m]
    assert renamed.endswith("'media' as 'media_2'")
    _screenshot(viewer, "after_sample.png")

    dm.undo()  # the whole sample goes in one step: back on the video's clock and moment
    QApplication.processEvents()
    assert dm.keys() == ["media"]
    assert dm.get_data("media") is video
    assert session.display_clock == "time"
    assert viewer.dims.range[0].stop == 999
    assert session.current_frame == 10


def _video_on_cam(viewer):
    """A 1000-frame video on its own 250 Hz clock "cam" in ``viewer``'s session."""
    from napari_whiskertoolbox.core import TimeFrame
    from napari_whiskertoolbox.core.media import ArrayMedia
    from napari_whiskertoolbox.sample import MASTER_RATE

    session = get_session(viewer)
    dm = session.dm
    dm.set_time("cam", TimeFrame(np.arange(1000, dtype=np.int64) * 20, sampling_rate=MASTER_RATE))
    dm.set_data("video", ArrayMedia(np.zeros((1000, 24, 32), np.uint8), kind="video"), "cam")
    return session, dm


def test_a_data_manager_shown_beside_media_takes_the_slider_as_an_open(
    make_napari_viewer, notifications
):
    from napari_whiskertoolbox import show_data_manager
    from napari_whiskertoolbox.sample import make_sample_session

    viewer = make_napari_viewer()
    session, dm = _video_on_cam(viewer)
    QApplication.processEvents()
    assert session.display_clock == "cam"
    session.set_frame(5)  # 0.02 s
    show_data_manager(viewer, make_sample_session(n_frames=40))
    assert session.display_clock == "camera"
    assert viewer.dims.range[0].stop == 39
    assert session.current_frame == 10
    (told,) = [m for m in notifications if "frame slider now runs on" in m]
    assert told.startswith("show_data_manager: The frame slider now runs on 'camera' (40 frames")
    dm.undo()
    QApplication.processEvents()
    assert dm.keys() == ["video"]
    assert session.display_clock == "cam"
    assert session.current_frame == 5


def test_the_sample_beside_media_of_another_key_takes_the_slider(make_napari_viewer, notifications):
    """No key in common: the slider stayed on the media's clock, the sample in its first steps."""
    viewer = make_napari_viewer()
    session, dm = _video_on_cam(viewer)
    session.set_frame(100)  # 0.4 s
    viewer.open_sample(PLUGIN, "whisker_session")
    QApplication.processEvents()
    assert "media" in dm
    assert session.display_clock == "camera"
    assert viewer.dims.range[0].stop == 299
    assert session.current_frame == 200
    (told,) = [m for m in notifications if "frame slider now runs on" in m]
    assert "instead of 'cam' (1,000 frames)" in told
    assert not [m for m in notifications if "already has keys" in m]
    dm.undo()
    QApplication.processEvents()
    assert dm.keys() == ["video"]
    assert session.display_clock == "cam"
    assert session.current_frame == 100


def test_the_frame_slider_shows_the_new_clocks_name_in_full(make_napari_viewer, qtbot):
    """A new user saw 'camer' beside the play button after the sample joined a video on 'time'.

    napari sizes the slider's label field when the window resizes (a dock opening), not when
    the label changes: switching clocks in a settled window kept the old clock's width.
    """
    from napari_whiskertoolbox.core import TimeFrame
    from napari_whiskertoolbox.core.media import ArrayMedia
    from napari_whiskertoolbox.layers._napari_compat import viewer_widget
    from napari_whiskertoolbox.sample import MASTER_RATE

    viewer = make_napari_viewer(show=True)
    session, dm = _video_on_cam(viewer)
    ticks = np.arange(300, dtype=np.int64) * 20
    dm.set_time("side_camera", TimeFrame(ticks, sampling_rate=MASTER_RATE))
    dm.set_data("side", ArrayMedia(np.zeros((300, 24, 32), np.uint8), kind="video"), "side_camera")
    qtbot.wait(50)  # the window settles: no resize refits the field from here on
    field = viewer_widget(viewer).dims.slider_widgets[0].axis_label
    assert field.text() == "cam"
    session.set_display_clock("side_camera")
    QApplication.processEvents()
    assert field.text() == "side_camera"
    margins = field.textMargins()
    # QLineEdit draws its text 2 px inside the content rectangle on each side
    room = field.contentsRect().width() - margins.left() - margins.right() - 4
    assert room >= field.fontMetrics().horizontalAdvance("side_camera"), room
    if SHOTS:
        viewer.window._qt_window.grab().save(str(Path(SHOTS) / "frame_slider_clock_name.png"))


def test_a_moment_past_the_new_clocks_end_is_told_not_called_the_same(
    make_napari_viewer, notifications
):
    """The video at 2 s, the sample lasts 0.6 s: the slider stops at its last frame, and says so."""
    viewer = make_napari_viewer()
    session, _ = _video_on_cam(viewer)
    session.set_frame(500)  # 2 s
    viewer.open_sample(PLUGIN, "whisker_session")
    QApplication.processEvents()
    assert session.display_clock == "camera"
    assert session.current_frame == 299
    assert session.moment_past_end == 500
    (told,) = [m for m in notifications if "frame slider now runs on" in m]
    assert "at its last frame (frame 500 of 'cam' is past its end)" in told
    assert "at the same moment" not in told
