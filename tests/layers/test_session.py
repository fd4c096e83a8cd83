"""ViewerSession: registry, key lifecycle, frame axis, coalescing, files, screenshot."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import N_FRAMES, frame_points, make_dm, make_session, yx

import napari_whiskertoolbox
from napari_whiskertoolbox.core import AnalogTimeSeries, ArrayMedia, LineData
from napari_whiskertoolbox.io.routing import DataFileNeedsItem
from napari_whiskertoolbox.layers.frame_axis import FRAME_AXIS_LAYER, PLACEHOLDER_NAME
from napari_whiskertoolbox.layers.session import ViewerSession
from napari_whiskertoolbox.workflow.registry import get_data_manager, get_session

pytestmark = pytest.mark.gui


def layer_names(viewer):
    return [layer.name for layer in viewer.layers if not layer.metadata.get(FRAME_AXIS_LAYER)]


def test_one_session_per_viewer(make_napari_viewer):
    first, second = make_napari_viewer(), make_napari_viewer()
    session = get_session(first)
    assert get_session(first) is session
    assert get_session(second) is not session
    assert get_data_manager(first) is session.dm
    assert napari_whiskertoolbox.get_data_manager(first) is session.dm
    assert session.viewer is first


def test_spatial_keys_bound_in_stacking_order(make_napari_viewer):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    assert layer_names(viewer) == ["media", "pad", "whiskers", "nose", "tips"]
    media = viewer.layers["media"]
    assert media.colormap.name == "gray"
    assert tuple(media.contrast_limits) == (0.0, 255.0)
    assert viewer.dims.range[0].stop == N_FRAMES - 1
    assert set(session.bindings) == {"media", "pad", "whiskers", "nose", "tips"}


def test_keys_added_removed_renamed_follow(make_napari_viewer):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    events = []
    session.shown_changed.connect(lambda key, shown: events.append((key, shown)))
    lines = LineData()
    lines.add(2, np.array([[0, 0], [5, 5]], np.float32))
    session.dm.set_data("new_lines", lines, "camera")
    assert viewer.layers["new_lines"].metadata["wtb_key"] == "new_lines"
    session.dm.rename_data("new_lines", "renamed")
    assert "renamed" in layer_names(viewer)
    assert "new_lines" not in layer_names(viewer)
    assert viewer.layers["renamed"].metadata["wtb_key"] == "renamed"
    session.set_frame(2)
    assert viewer.layers["renamed"].nshapes == 1
    session.dm.delete_data("renamed")
    assert "renamed" not in layer_names(viewer)
    session.dm.undo()  # the key comes back, and so does its layer
    assert viewer.layers["renamed"].nshapes == 1
    session.dm.set_data("angle", AnalogTimeSeries(np.zeros(5, np.float32)))
    assert "angle" not in layer_names(viewer)
    assert events == [("new_lines", True), ("renamed", False), ("renamed", True)]


def test_renaming_a_layer_renames_its_key_or_says_why_not(make_napari_viewer, monkeypatch):
    """Renaming a layer in napari's layer list left its key as it was: scripts, saves and
    exports used a name the layer list no longer showed."""
    from napari_whiskertoolbox.layers import binding as binding_module

    told: list[str] = []
    monkeypatch.setattr(binding_module, "show_info", told.append)
    viewer = make_napari_viewer()
    session = make_session(viewer)
    dm = session.dm
    layer = viewer.layers["nose"]
    layer.name = "snout"  # what napari's layer list does with a name typed there
    assert "snout" in dm
    assert "nose" not in dm
    assert layer.metadata["wtb_key"] == "snout"
    assert session.bindings["snout"].layer is layer
    session.set_frame(3)
    assert len(layer.data) == len(dm.get_data("snout").at(3))
    dm.undo()  # one undo step, which renames the layer back
    assert "nose" in dm
    assert layer.name == "nose"
    # names that cannot be keys: the layer keeps the key's name and the user is told why
    for typed, reason in (
        ("pad", "key 'pad' already exists"),  # napari makes it "pad [1]"
        ("tips", "key 'tips' already exists"),
        ("my nose", "is not allowed"),
    ):
        layer.name = typed
        assert layer.name == "nose", typed
        assert "nose" in dm
        assert reason in told[-1], told[-1]
    assert set(dm.keys()) >= {"nose", "pad", "tips"}
    # a layer of the user's own takes the key's name: napari names the key's layer
    # "nose [1]", which is left as it is (it was a loop of renames back to "nose")
    layer.name = "snout"
    viewer.add_points(np.zeros((1, 2)), name="nose")
    dm.undo()
    assert "nose" in dm
    assert layer.name == "nose [1]"
    assert layer.metadata["wtb_key"] == "nose"
    layer.name = " nose "  # spaces around the key's name: nothing to rename
    assert "nose" in dm


def test_show_hide_and_user_layer_removal(make_napari_viewer):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    session.hide_key("nose")
    assert not session.is_shown("nose")
    assert "nose" not in layer_names(viewer)
    session.show_key("nose")
    assert session.is_shown("nose")
    frame = session.current_frame
    np.testing.assert_array_equal(viewer.layers["nose"].data, yx(frame_points(frame)))
    viewer.layers.remove("whiskers")
    assert not session.is_shown("whiskers")
    session.dm.get_data("whiskers").clear_at(0)  # no layer any more: nothing to redraw
    session.dm.set_data("angle", AnalogTimeSeries(np.zeros(5, np.float32)))
    with pytest.raises(ValueError, match="angle"):
        session.show_key("angle")


def test_active_key_follows_the_selected_layer(make_napari_viewer):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    seen = []
    session.active_key_changed.connect(seen.append)
    viewer.layers.selection.active = viewer.layers["whiskers"]
    assert session.active_key == "whiskers"
    viewer.layers.selection.active = viewer.layers["pad"]
    assert session.active_key == "pad"
    assert seen[-2:] == ["whiskers", "pad"]
    with pytest.raises(KeyError, match="nope"):
        session.active_key = "nope"


def test_a_single_step_is_shown_in_the_same_turn_as_the_media(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    session.set_frame(0)
    qtbot.wait(10)  # a fresh event-loop turn, as for a slider move or a key press
    viewer.dims.set_current_step(0, 4)
    # no event loop turn in between: the canvas never paints the media of frame 4 with
    # the annotations of frame 0
    assert session.shown_frame == 4
    np.testing.assert_array_equal(viewer.layers["tips"].data, [[4.0, 30.0]])


def test_a_step_on_another_axis_leaves_the_turn_free_for_a_frame_step(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    session.set_frame(0)
    qtbot.wait(10)
    viewer.dims.set_current_step(1, 5)  # a displayed axis: the frame does not change
    viewer.dims.set_current_step(0, 3)
    assert session.shown_frame == 3


def test_rapid_scrubbing_draws_only_the_last_frame(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    session.set_frame(0)
    qtbot.wait(10)  # a fresh event-loop turn
    drawn = []
    session.frame_changed.connect(drawn.append)
    for frame in (1, 2, 3, 4, 5, 6):
        viewer.dims.set_current_step(0, frame)
    assert session.current_frame == 6
    assert drawn == [1]  # the turn's first step at once; 2-5 are never drawn
    qtbot.waitUntil(lambda: session.shown_frame == 6, timeout=10_000)
    assert drawn == [1, 6]
    np.testing.assert_array_equal(viewer.layers["tips"].data, [[6.0, 30.0]])
    qtbot.wait(10)
    assert drawn == [1, 6]  # nothing more once the latest frame is shown


def test_without_media_a_hidden_placeholder_carries_the_frame_axis(make_napari_viewer):
    viewer = make_napari_viewer()
    dm = make_dm()
    dm.delete_data("media")
    session = ViewerSession(viewer, dm)
    assert session.display_clock == "time"
    axis = [layer for layer in viewer.layers if layer.metadata.get(FRAME_AXIS_LAYER)]
    assert len(axis) == 1
    assert not axis[0].visible
    assert axis[0].data.strides[0] == 0  # broadcast: no memory per frame
    assert viewer.dims.range[0].stop == len(dm.get_time("time")) - 1
    session.set_frame(30)
    np.testing.assert_array_equal(viewer.layers["tips"].data, [[3.0, 30.0]])
    assert len(viewer.layers["nose"].data) == 1  # "nose" frame 30 on camera -> clamped 11
    dm.set_data("media", ArrayMedia(np.zeros((N_FRAMES, 30, 40), np.uint8)), "camera")
    assert session.display_clock == "camera"
    assert not [layer for layer in viewer.layers if layer.metadata.get(FRAME_AXIS_LAYER)]
    assert layer_names(viewer)[0] == "media"


def test_the_placeholder_grows_with_the_annotations_and_frames_them(make_napari_viewer):
    """napari does not refresh a hidden layer's extent: the resized placeholder must have it."""
    from napari_whiskertoolbox.core import PointData

    viewer = make_napari_viewer()
    dm = make_dm()
    dm.delete_data("media")
    session = ViewerSession(viewer, dm)
    far = PointData.from_flat([2], np.array([[900.0, 700.0]], np.float32))  # x, y: no image size
    dm.set_data("far", far)
    active = viewer.layers.selection.active
    assert active is viewer.layers["far"]
    session.fit_view()  # as after opening a file
    (axis,) = [layer for layer in viewer.layers if layer.metadata.get(FRAME_AXIS_LAYER)]
    assert axis.name == PLACEHOLDER_NAME
    assert axis.data.shape[1:] == (701, 901)
    np.testing.assert_allclose(axis.extent.world[1, 1:], [700, 900])  # what fitting the view uses
    assert viewer.layers.index(axis) == 0
    assert viewer.layers.selection.active is active  # the user's layer stays the active one
    camera = viewer.scene.camera if hasattr(viewer, "scene") else viewer.camera  # napari < 0.9
    np.testing.assert_allclose(camera.center[1:], [350, 450], atol=5)  # the view frames it


def test_a_points_file_opened_alone_leaves_its_layer_selected_not_the_placeholder(
    make_napari_viewer, wtb_data
):
    """Opened without media, the hidden frame-axis placeholder comes after the points layer:
    it must not take the selection (the layer controls showed an invisible image's contrast
    and a click on the canvas added no point)."""
    viewer = make_napari_viewer()
    get_session(viewer).open(wtb_data / "Points" / "test_point.csv")
    assert [layer.metadata.get(FRAME_AXIS_LAYER) for layer in viewer.layers] == [True, None]
    assert viewer.layers.selection.active is viewer.layers["test_point"]


def test_a_clock_longer_than_napari_s_slider_is_capped_with_a_warning(make_napari_viewer, qtbot):
    """Spike times as sample numbers make a 2e9-frame clock; napari's slider overflows past
    999,999,998 frames (its frame box's validator is a 32-bit int)."""
    from napari.utils.notifications import notification_manager

    from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, PointData
    from napari_whiskertoolbox.layers.frame_axis import MAX_SLIDER_FRAMES

    viewer = make_napari_viewer()
    dm = DataManager()
    dm.set_data("spikes", DigitalEventSeries([5, 2_000_000_000]))
    messages: list[str] = []

    def keep(notification) -> None:
        messages.append(notification.message)

    notification_manager.notification_ready.connect(keep)
    try:
        ViewerSession(viewer, dm)
        dm.set_data("tips", PointData.from_flat([3], np.array([[1.0, 2.0]], np.float32)))
    finally:
        notification_manager.notification_ready.disconnect(keep)
    assert viewer.dims.range[0].stop == MAX_SLIDER_FRAMES - 1
    assert [m for m in messages if "2,000,000,001 frames" in m]
    viewer.dims.set_current_step(0, 3)  # the events' slider moved before: drawn at the turn's end
    qtbot.waitUntil(lambda: len(viewer.layers["tips"].data) == 1)
    np.testing.assert_array_equal(viewer.layers["tips"].data, [[2.0, 1.0]])


def test_frames_added_one_by_one_resize_the_one_placeholder(make_napari_viewer):
    """A script adding frame after frame: the placeholder is resized, never replaced (a
    replacement costs napari a garbage collection, ~0.3 s a frame)."""
    from napari_whiskertoolbox.core import DataManager, PointData

    viewer = make_napari_viewer()
    dm = DataManager()
    session = ViewerSession(viewer, dm)
    dm.set_data("nose", PointData())
    (axis,) = [layer for layer in viewer.layers if layer.metadata.get(FRAME_AXIS_LAYER)]
    removed = []
    viewer.layers.events.removed.connect(lambda event: removed.append(event.value))
    for frame in range(5):
        dm.get_data("nose").add(frame, [10.0 + frame, 20.0])
    assert removed == []
    assert [layer for layer in viewer.layers if layer.metadata.get(FRAME_AXIS_LAYER)] == [axis]
    assert axis.data.shape[0] == 5
    assert viewer.dims.range[0].stop == 4
    assert not axis.visible
    session.set_frame(4)
    np.testing.assert_array_equal(viewer.layers["nose"].data, [[20.0, 14.0]])


def test_open_video_and_config(make_napari_viewer, frame_number_video, wtb_data, tmp_path):
    viewer = make_napari_viewer()
    session = ViewerSession(viewer)
    session.open(frame_number_video)
    assert "media" in session.dm
    assert viewer.layers["media"].data.shape[0] == 1000
    assert viewer.dims.range[0].stop == 999
    session.open(wtb_data / "test_config.json")
    assert "my_video" in layer_names(viewer)
    assert session.path == wtb_data / "test_config.json"
    with pytest.raises(DataFileNeedsItem, match="digital_event"):
        session.open(wtb_data / "DigitalEvents" / "events.csv")  # events or an analog signal?
    unknown = tmp_path / "notes.xyz"
    unknown.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a session folder"):
        session.open(unknown)
    with pytest.raises(FileNotFoundError):
        session.open(wtb_data / "missing.mp4")


def test_save_and_reopen_in_another_viewer(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    session.set_frame(2)
    viewer.layers["nose"].add([[20.0, 21.0]])
    assert session.modified
    with pytest.raises(ValueError, match="save"):
        session.save()
    written = session.save(tmp_path / "saved")
    assert written.name == "session.json"
    assert not session.modified
    assert session.save() == written  # Ctrl+S again: same folder

    other = ViewerSession(make_napari_viewer())
    other.open(tmp_path / "saved")
    assert other.path == tmp_path / "saved"
    assert not other.modified
    nose, reloaded = session.dm.get_data("nose"), other.dm.get_data("nose")
    np.testing.assert_array_equal(reloaded.at(2), nose.at(2))
    np.testing.assert_array_equal(reloaded.ids_at(2), nose.ids_at(2))
    other.set_frame(2)
    np.testing.assert_array_equal(other.viewer.layers["nose"].data[-1], [20.0, 21.0])


def test_engine_is_lazy_and_shares_the_datamanager(make_napari_viewer):
    session = make_session(make_napari_viewer())
    engine = session.engine
    assert engine is session.engine
    result = engine.run("n = len(dm.getAllKeys())")
    assert result.success
    assert engine.namespace["n"] == len(session.dm.keys())
    engine.run("dm.getData('nose').add(0, [1.0, 1.0])")
    session.set_frame(0)
    assert len(session.viewer.layers["nose"].data) == 2


def test_screenshot_shows_whiskers_over_the_video(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer(show=True)  # offscreen canvases render black under Xvfb
    dm = make_dm()
    media = dm.get_data("media")
    dm.set_data("media", ArrayMedia(np.full(media.shape, 60, np.uint8), kind="video"), "camera")
    session = ViewerSession(viewer, dm)
    dm.metadata["colors"] = {}
    session.set_frame(0)
    for key in ("pad", "nose", "tips"):
        session.hide_key(key)
    viewer.layers["whiskers"].edge_width = 2
    image = viewer.screenshot(path=str(tmp_path / "annotated.png"), canvas_only=True, flash=False)
    rgb = image[..., :3].astype(int)
    gray = (np.abs(rgb[..., 0] - rgb[..., 1]) < 8) & (np.abs(rgb[..., 1] - rgb[..., 2]) < 8)
    assert gray.mean() > 0.3  # the video
    assert (~gray).sum() > 50  # coloured whisker paths drawn over it
    session.set_frame(1)  # no whiskers on odd frames
    image = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int)
    gray = (np.abs(image[..., 0] - image[..., 1]) < 8) & (np.abs(image[..., 1] - image[..., 2]) < 8)
    assert (~gray).sum() < 5


def test_hiding_or_deleting_the_media_keeps_the_frame_axis(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    session = make_session(viewer)
    session.set_frame(7)
    session.hide_key("media")
    assert viewer.dims.range[0].stop == N_FRAMES - 1  # placeholder on the media's clock
    assert session.current_frame == 7
    session.show_key("media")
    assert session.current_frame == 7
    assert not [layer for layer in viewer.layers if layer.metadata.get(FRAME_AXIS_LAYER)]
    viewer.layers.remove("media")
    qtbot.waitUntil(lambda: session.current_frame == 7 and viewer.dims.ndim == 3, timeout=10_000)
    np.testing.assert_array_equal(viewer.layers["nose"].data, yx(frame_points(7)))


def test_open_tiff_stack_and_image_folder(make_napari_viewer, tmp_path):
    import imageio.v3 as iio
    import tifffile

    stack = np.arange(5 * 6 * 8, dtype=np.uint16).reshape(5, 6, 8)
    tifffile.imwrite(tmp_path / "stack.tif", stack)
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        iio.imwrite(folder / f"img_{i:03d}.png", np.full((6, 8), 10 * i, np.uint8))
    viewer = make_napari_viewer()
    session = ViewerSession(viewer)
    session.open(tmp_path / "stack.tif")
    assert viewer.layers["media"].data.shape == (5, 6, 8)
    session.open(folder)
    assert viewer.layers["frames"].data.shape == (3, 6, 8)
    assert session.dm.data_type("frames") == "images"


def test_close_removes_synced_layers_and_stops_listening(make_napari_viewer):
    viewer = make_napari_viewer()
    dm = make_dm()
    dm.delete_data("media")  # so that a frame-axis placeholder exists too
    session = ViewerSession(viewer, dm)
    session.close()
    assert len(viewer.layers) == 0
    lines = LineData()
    lines.add(0, np.array([[0, 0], [1, 1]], np.float32))
    dm.set_data("late", lines, "camera")
    assert "late" not in layer_names(viewer)
    assert session.bindings == {}


def test_open_into_an_empty_session_leaves_nothing_to_save_or_undo(
    make_napari_viewer, frame_number_video, wtb_data
):
    for path in (frame_number_video, wtb_data / "test_config.json"):
        session = ViewerSession(make_napari_viewer())
        session.open(path)
        assert session.dm.keys(), path
        assert not session.modified, path
        assert not session.dm.history.can_undo, path


def test_open_into_a_session_with_data_is_an_undoable_edit(make_napari_viewer, frame_number_video):
    viewer = make_napari_viewer()
    session = make_session(viewer)  # annotations, saved state
    session.dm.mark_saved()
    annotated = session.dm.keys()
    session.open(frame_number_video)
    added = [key for key in session.dm if key not in annotated]
    assert len(added) == 1
    assert session.dm.data_type(added[0]) == "video"
    assert session.modified
    assert session.dm.undo()
    assert session.dm.keys() == annotated
    assert added[0] not in layer_names(viewer)


def test_an_undone_delete_puts_the_layer_back_between_the_same_layers(make_napari_viewer):
    """Data browser Delete then Ctrl+Z put a mask layer back on top of the masks added since
    it was made (above pad_median and pad_cc, it had been below them); other layers added
    or removed meanwhile must not move it either: its neighbours count, not its index."""
    viewer = make_napari_viewer()
    session = make_session(viewer)
    dm = session.dm
    from napari_whiskertoolbox.core import MaskData

    for key in ("pad_median", "pad_cc"):
        dm.set_data(key, MaskData(), "camera")
    assert layer_names(viewer) == [
        "media",
        "pad",
        "pad_median",
        "pad_cc",
        "whiskers",
        "nose",
        "tips",
    ]
    dm.delete_data("pad")
    dm.set_data("later_lines", LineData(), "camera")  # added meanwhile, above the masks
    viewer.add_points(name="user points")  # a layer of the user's own, on top
    assert dm.undo()  # the lines key
    assert dm.undo()  # the delete
    assert layer_names(viewer) == [
        "media",
        "pad",
        "pad_median",
        "pad_cc",
        "whiskers",
        "nose",
        "tips",
        "user points",
    ]
    dm.delete_data("pad_median")
    dm.delete_data("pad")  # its neighbour below is gone too: the one above counts
    assert dm.undo()
    assert dm.undo()
    assert layer_names(viewer)[:4] == ["media", "pad", "pad_median", "pad_cc"]
    session.hide_key("whiskers")  # Data browser Hide / Show: back where it was
    viewer.layers.move(viewer.layers.index(viewer.layers["tips"]), 1)
    session.show_key("whiskers")
    assert layer_names(viewer).index("whiskers") == layer_names(viewer).index("pad_cc") + 1
    dm.delete_data("nose")
    dm.set_data("nose", MaskData(), "camera")  # another kind under the same name: a mask's place
    assert layer_names(viewer).index("nose") < layer_names(viewer).index("whiskers")
