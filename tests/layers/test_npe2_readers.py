"""npe2 readers and sample data: File > Open / viewer.open fill the viewer's session."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import tifffile
from napari.layers import Image, Labels, Points, Shapes

from napari_whiskertoolbox._reader import get_config_reader, get_media_reader, get_session_reader
from napari_whiskertoolbox.io.routing import is_config_file
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
PLUGIN = "napari-whiskertoolbox"


def _synced(viewer: Any) -> dict[str, Any]:
    return {
        layer.metadata["wtb_key"]: layer for layer in viewer.layers if "wtb_key" in layer.metadata
    }


@pytest.fixture
def annotation_config(wtb_data: Path, tmp_path: Path) -> Path:
    items = [
        {"data_type": "video", "name": "media", "filepath": "Media/test_each_frame_number.mp4"},
        {"data_type": "points", "name": "tip", "filepath": "Points/test_point.csv"},
        {"data_type": "line", "name": "whisker", "filepath": "Lines/line_test_large.csv"},
        {"data_type": "analog", "name": "angle", "filepath": "Analog/single_column.csv"},
    ]
    for item in items:
        item["filepath"] = str(wtb_data / item["filepath"])
    path = tmp_path / "config.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def test_readers_only_claim_their_own_paths(tmp_path: Path, wtb_data: Path) -> None:
    other_json = tmp_path / "other.json"
    other_json.write_text('{"hello": [1, 2]}', encoding="utf-8")
    assert get_config_reader(str(other_json)) is None
    assert not is_config_file(tmp_path / "missing.json")
    assert get_config_reader(str(wtb_data / "test_config.json")) is not None
    # every folder is taken: one none of ours goes to napari's reader or says which we read
    assert get_session_reader(str(tmp_path)) is not None
    assert get_media_reader(str(wtb_data / "Points" / "test_point.csv")) is None
    assert get_media_reader(str(wtb_data / "Media" / "test_each_frame_number.mp4")) is not None


def test_a_folder_of_configs_names_them_instead_of_being_refused(
    make_napari_viewer: Any, wtb_data: Path
) -> None:
    """WhiskerToolbox's test-data folder (test_config.json beside Media/, Points/…) opened
    with Open Folder…: napari said only that our reader "refused the file"."""
    viewer = make_napari_viewer()
    assert get_session_reader(str(wtb_data)) is not None
    with pytest.raises(Exception, match=r"holds test_config\.json: open one of them"):
        viewer.open(str(wtb_data), plugin=PLUGIN)
    assert not get_session(viewer).dm.keys()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a missing comma between items: napari said only that our reader refused the file
        (
            '[\n {"filepath": "v.mp4", "data_type": "video", "name": "v"}\n {"x": 1}\n]\n',
            r"config\.json', line 3: invalid JSON at column 2: Expecting ',' delimiter",
        ),
        # a trailing comma, in the object form
        (
            '{"data": [\n {"filepath": "p.csv", "data_type": "points", "name": "p",}\n]}\n',
            r"config\.json', line 2: invalid JSON at column \d+",
        ),
        # an item's data_type misspelt: no item had one, so it was not a config
        (
            '[{"filepath": "p.csv", "datatype": "points", "name": "p"}]',
            r"config item \[0\] 'p'.*expected a non-empty string 'data_type'",
        ),
    ],
)
def test_a_config_that_does_not_load_says_where_and_keeps_the_session(
    make_napari_viewer: Any, wtb_data: Path, tmp_path: Path, text: str, message: str
) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(wtb_data / "test_config.json"), plugin=PLUGIN)
    broken = tmp_path / "config.json"
    broken.write_text(text, encoding="utf-8")
    assert get_config_reader(str(broken)) is not None
    with pytest.raises(Exception, match=message):
        viewer.open(str(broken), plugin=PLUGIN)
    assert list(get_session(viewer).dm.keys()) == ["my_video"]
    assert list(_synced(viewer)) == ["my_video"]


def test_other_tools_json_is_left_to_other_readers(tmp_path: Path) -> None:
    for text in ('{"hello": [1, 2]}', '{"hello": [1, 2}', '[{"name": "x"}]'):
        other = tmp_path / "other.json"
        other.write_text(text, encoding="utf-8")
        assert get_config_reader(str(other)) is None, text


def test_whiskertoolbox_fixture_config_opens_its_video(
    make_napari_viewer: Any, wtb_data: Path
) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(wtb_data / "test_config.json"), plugin=PLUGIN)
    layers = _synced(viewer)
    assert list(layers) == ["my_video"]
    assert isinstance(layers["my_video"], Image)
    assert layers["my_video"].name == "my_video"
    assert layers["my_video"].data.shape[0] == 1000
    dm = get_session(viewer).dm
    assert dm.data_type("my_video") == "video"
    assert not dm.modified
    assert not dm.history.can_undo
    assert not viewer.title.endswith(" *")


def test_config_with_annotations_gives_one_layer_per_spatial_key(
    make_napari_viewer: Any, annotation_config: Path
) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(annotation_config), plugin=PLUGIN)
    session = get_session(viewer)
    layers = _synced(viewer)
    assert set(layers) == {"media", "tip", "whisker"}
    assert isinstance(layers["tip"], Points)
    assert isinstance(layers["whisker"], Shapes)
    assert "angle" in session.dm  # non-spatial keys stay in the DataManager
    points = session.dm.get_data("tip")
    lines = session.dm.get_data("whisker")
    for frame in (0, 1, int(points.times_with_data()[-1])):
        session.set_frame(frame)
        np.testing.assert_allclose(
            layers["tip"].data[:, -2:], np.asarray(points.at(frame))[:, ::-1]
        )
        assert len(layers["whisker"].data) == lines.count_at(frame)


def test_saved_session_folder_reopens_equal(
    make_napari_viewer: Any, annotation_config: Path, tmp_path: Path
) -> None:
    first = make_napari_viewer()
    first.open(str(annotation_config), plugin=PLUGIN)
    folder = tmp_path / "saved_session"
    get_session(first).save(folder)

    second = make_napari_viewer()
    second.open(str(folder), plugin=PLUGIN)
    session = get_session(second)
    assert session.path == folder
    assert set(_synced(second)) == {"media", "tip", "whisker"}
    original = get_session(first).dm
    for key in ("tip", "whisker"):
        a, b = original.get_data(key).to_flat(), session.dm.get_data(key).to_flat()
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.coords, b.coords)
        np.testing.assert_array_equal(a.ids, b.ids)
    assert not session.dm.modified


def test_video_file_opens_as_media(make_napari_viewer: Any, frame_number_video: Path) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(frame_number_video), plugin=PLUGIN)
    (layer,) = _synced(viewer).values()
    assert isinstance(layer, Image)
    assert layer.data.shape[0] == 1000


def test_tiff_stack_opens_as_media(make_napari_viewer: Any, tmp_path: Path) -> None:
    stack = np.arange(5 * 12 * 16, dtype=np.uint16).reshape(5, 12, 16)
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, stack)
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    (key,) = _synced(viewer)
    dm = get_session(viewer).dm
    assert dm.data_type(key) == "images"
    np.testing.assert_array_equal(np.asarray(dm.get_data(key)[3]), stack[3])


def test_image_folder_opens_as_media(make_napari_viewer: Any, tmp_path: Path) -> None:
    import imageio.v3 as iio

    frames = np.arange(3 * 8 * 10, dtype=np.uint8).reshape(3, 8, 10)
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(frames):
        iio.imwrite(folder / f"frame_{i:04d}.png", frame)
    assert get_session_reader(str(folder)) is not None
    viewer = make_napari_viewer()
    viewer.open(str(folder), plugin=PLUGIN)
    (key,) = _synced(viewer)
    media = get_session(viewer).dm.get_data(key)
    assert media.shape[0] == 3
    np.testing.assert_array_equal(np.asarray(media[2]), frames[2])


def test_whisker_session_sample(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    session = get_session(viewer)
    layers = _synced(viewer)
    assert isinstance(layers["media"], Image)
    assert isinstance(layers["whiskers"], Shapes)
    assert isinstance(layers["nose"], Points)
    assert isinstance(layers["pad"], Points)
    assert isinstance(layers["pad_mask"], Labels)
    assert session.is_shown("media")  # napari added the sample's layer; the session adopted it
    assert [layer.name for layer in viewer.layers if layer.name == "media"] == ["media"]
    assert set(_synced(viewer)) == {"media", "whiskers", "nose", "pad", "pad_mask"}
    assert {"whisker_angle", "contact", "contact_events"} <= set(session.dm.keys())
    assert not session.dm.modified
    assert not session.dm.history.can_undo
    session.set_frame(17)
    assert len(layers["whiskers"].data) == session.dm.get_data("whiskers").count_at(17)


def test_sample_loads_into_the_viewer_it_is_asked_on(make_napari_viewer: Any) -> None:
    """``open_sample`` of one viewer while another is napari's current viewer."""
    import napari

    first = make_napari_viewer()
    second = make_napari_viewer()
    assert napari.current_viewer() is second
    first.open_sample(PLUGIN, "whisker_session")
    assert "whiskers" in get_session(first).dm
    assert "whiskers" not in get_session(second).dm
    assert {"media", "whiskers"} <= set(_synced(first))


def test_m4v_video_opens_everywhere(make_napari_viewer: Any, tmp_path: Path) -> None:
    """The ``.m4v`` suffix opens like ``.mp4``: open_media, open_path, napari's reader."""
    from _video_files import pattern_frame, read_pattern, write_frames
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.routing import open_path
    from napari_whiskertoolbox.media import VideoMedia, open_media

    path = write_frames(
        tmp_path / "clip.m4v",
        [pattern_frame(i) for i in range(6)],
        "libx264",
        "yuv420p",
        "gray",
        {"preset": "veryfast", "crf": "10"},
    )
    with open_media(path) as media:
        assert isinstance(media, VideoMedia)
        assert read_pattern(media[4]) == 4
    dm = DataManager()
    open_path(path, dm)
    assert dm.data_type(dm.keys()[0]) == "video"
    assert get_media_reader(str(path)) is not None
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    (layer,) = _synced(viewer).values()
    assert isinstance(layer, Image)
    assert layer.data.shape[0] == 6


@pytest.mark.parametrize(
    ("suffix", "codec", "pix_fmt"),
    [
        (".webm", "libvpx", "yuv420p"),
        (".mpg", "mpeg2video", "yuv420p"),
        (".ts", "libx264", "yuv420p"),
        (".h264", "libx264", "yuv420p"),  # raw H.264, as Raspberry Pi cameras record
    ],
)
def test_other_video_files_open_by_their_suffix(
    tmp_path: Path, suffix: str, codec: str, pix_fmt: str
) -> None:
    """Videos PyAV decodes open from File > Open, not only with ``open_media(kind=...)``."""
    import warnings

    from _video_files import pattern_frame, read_pattern, write_frames
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.routing import open_path
    from napari_whiskertoolbox.media import MediaWarning

    path = write_frames(
        tmp_path / f"clip{suffix}", [pattern_frame(i) for i in range(6)], codec, pix_fmt, "gray"
    )
    assert get_media_reader(str(path)) is not None
    dm = DataManager()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MediaWarning)  # raw H.264: random access is slow
        open_path(path, dm)
        media = dm.get_data(dm.keys()[0])
        assert len(media) == 6
        assert read_pattern(media[4]) == 4


@pytest.mark.parametrize("kind", ["hdf5", "yaml"])
def test_an_h5_or_yaml_of_no_tool_we_read_says_what_it_holds_instead_of_being_refused(
    make_napari_viewer: Any, tmp_path: Path, kind: str
) -> None:
    """Were: napari's "Reader 'napari-whiskertoolbox' ... refused the file", no hint why."""
    import h5py

    if kind == "hdf5":
        path = tmp_path / "calcium.h5"
        with h5py.File(path, "w") as f:  # an HDF5 file of another tool: no DLC, SLEAP, NWB
            f["traces"] = np.zeros((3, 4))
            f["cell_ids"] = np.arange(3)
        match = r"calcium\.h5.*DeepLabCut table.*SLEAP analysis.*holds 'cell_ids', 'traces'"
    else:
        path = tmp_path / "params.yaml"
        path.write_text("threshold: 0.5\n", encoding="utf-8")
        match = r"params\.yaml.*DeepLabCut project's config\.yaml"
    viewer = make_napari_viewer()
    with pytest.raises(Exception, match=match):
        viewer.open(str(path), plugin=PLUGIN)
    assert not get_session(viewer).dm.keys()


def test_a_config_opens_with_our_reader_when_napari_picks(
    make_napari_viewer: Any, wtb_data: Path, tmp_path: Path
) -> None:
    """``viewer.open(config, plugin=None)`` (what File > Open and drag-and-drop do): ours is
    the one reader of ``*.json`` that claims a WhiskerToolbox config, so no dialog asks."""
    viewer = make_napari_viewer()
    viewer.open(str(wtb_data / "test_config.json"), plugin=None)
    assert list(_synced(viewer)) == ["my_video"]
    other = tmp_path / "other.json"  # not a config: refused, left to other readers
    other.write_text('{"hello": [1, 2]}', encoding="utf-8")
    with pytest.raises(Exception, match=r"other\.json"):
        viewer.open(str(other), plugin=None)
    assert list(_synced(viewer)) == ["my_video"]


def test_a_dropped_config_opens_without_a_dialog(
    make_napari_viewer: Any, wtb_data: Path, qtbot: Any
) -> None:
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication, QDialog

    from _file_drops import drop_file
    from napari_whiskertoolbox.layers._napari_compat import viewer_widget

    viewer = make_napari_viewer()
    dialogs: list[str] = []

    def close_dialogs() -> None:  # a reader-choice dialog would block the test
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                dialogs.append(widget.windowTitle())
                widget.reject()

    timer = QTimer()
    timer.timeout.connect(close_dialogs)
    timer.start(200)
    drop_file(viewer_widget(viewer), wtb_data / "test_config.json")
    qtbot.waitUntil(lambda: "my_video" in _synced(viewer))
    timer.stop()
    assert dialogs == []


def test_viewer_open_without_plugin_is_napari_builtins_only(
    make_napari_viewer: Any, wtb_data: Path
) -> None:
    """napari's ``ViewerModel.open`` defaults to ``plugin='napari'`` (its builtins, which read
    no JSON), so a plugin cannot take ``viewer.open(config)``; the README says to pass
    ``plugin=None`` or ours. Fails, to update the README, once napari changes that default."""
    viewer = make_napari_viewer()
    with pytest.raises(ValueError, match=r"Given reader 'napari'.*napari-whiskertoolbox"):
        viewer.open(str(wtb_data / "test_config.json"))
    assert _synced(viewer) == {}
