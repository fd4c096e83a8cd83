"""Which reader opens what: one of ours per pattern, napari's own CSVs to napari, every
folder answered, and our readers preferred only when the user asks (issue 17)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from napari.errors import MultipleReaderError, ReaderPluginError
from napari.layers import Points, Shapes

from napari_whiskertoolbox._reader import READER_TABLE, get_data_file_reader, get_session_reader
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.napari_csv import napari_csv_layer_type
from napari_whiskertoolbox.io.routing import classify_path, open_path
from napari_whiskertoolbox.workflow.reader_preference import (
    FOLDER_PATTERN,
    PLUGIN_NAME,
    prefer_our_readers,
    shared_reader_patterns,
)
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.gui


@pytest.fixture
def reader_settings() -> Iterator[Any]:
    """napari's reader preferences, empty for the test and restored after it."""
    from napari.settings import get_settings

    plugins = get_settings().plugins
    before = dict(plugins.extension2reader)
    plugins.extension2reader = {}
    yield plugins
    plugins.extension2reader = before


def _napari_csvs(tmp_path: Path) -> dict[str, Path]:
    """A points and a shapes layer saved by napari's own builtin writer functions."""
    from napari_builtins.io import napari_write_points, napari_write_shapes

    points = Points(np.array([[1.0, 3.0], [2.0, 4.0]]), name="pts")
    shapes = Shapes([np.array([[0.0, 0.0], [5.0, 8.0]])], shape_type="line", name="shp")
    written = {
        "points": napari_write_points(
            str(tmp_path / "points.csv"), *points.as_layer_data_tuple()[:2]
        ),
        "shapes": napari_write_shapes(
            str(tmp_path / "shapes.csv"), *shapes.as_layer_data_tuple()[:2]
        ),
    }
    return {kind: Path(str(path)) for kind, path in written.items()}


def test_each_file_pattern_is_claimed_by_one_of_our_readers() -> None:
    """Two contributions claimed ``*.csv`` (the data-file and the interop reader)."""
    patterns = [p for row in READER_TABLE for p in row.filename_patterns]
    assert len(patterns) == len(set(patterns)), sorted(patterns)
    assert sum(row.accepts_directories for row in READER_TABLE) == 1


def test_napari_csvs_are_napari_s_and_read_exactly_as_napari_reads_them(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """napari's points CSV opened as a WhiskerToolbox file read frame 0 = (x=1, y=3)."""
    viewer = make_napari_viewer()
    for kind, path in _napari_csvs(tmp_path).items():
        assert path.read_text(encoding="utf-8").startswith("index,")
        assert napari_csv_layer_type(path) == kind
        assert classify_path(path) is None  # not a WhiskerToolbox data file: no form
        with pytest.raises(FormatError, match=rf"napari's own {kind} CSV.*plugin='napari'"):
            open_path(path)
        assert get_data_file_reader(str(path)) is not None
        (ours,) = viewer.open(str(path), plugin=PLUGIN_NAME)
        (napari_s,) = viewer.open(str(path), plugin="napari")
        assert type(ours) is type(napari_s)
        assert ours._type_string == kind
        for a, b in zip(np.atleast_1d(ours.data), np.atleast_1d(napari_s.data), strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(viewer.layers["points"].data, [[1.0, 3.0], [2.0, 4.0]])
    assert not get_session(viewer).dm.keys()


def test_a_folder_we_do_not_read_says_which_folders_we_read(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """Was napari's "Reader 'napari-whiskertoolbox' was selected ... but refused the file"."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("x", encoding="utf-8")
    (notes / "b.md").write_text("# y", encoding="utf-8")
    viewer = make_napari_viewer()
    with pytest.raises(Exception, match=r"none WhiskerToolbox opens.*session\.json.*images") as e:
        viewer.open(str(notes), plugin=PLUGIN_NAME)
    assert "refused" not in str(e.value) + str(e.value.__cause__)
    with pytest.raises(FormatError, match=r"folder is none WhiskerToolbox opens"):
        open_path(notes)
    assert not get_session(viewer).dm.keys()


def test_a_plain_folder_neither_reads_says_what_it_holds_not_a_backend_error(
    make_napari_viewer: Any, reader_settings: Any, tmp_path: Path
) -> None:
    """A readme.txt and an empty sub/: ours preferred, the error was Pillow's
    ``struct.error: unpack_from requires a buffer of at least 4 bytes`` (napari's reader
    reading readme.txt as an image), also after our folder list."""
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    (plain / "readme.txt").write_text("x", encoding="utf-8")
    viewer = make_napari_viewer()
    prefer_our_readers()  # command palette: Open … with WhiskerToolbox
    with pytest.raises(ReaderPluginError) as preferred:  # napari's error around ours
        viewer.open(str(plain), plugin=None)  # what File > Open Folder… does
    errors = [preferred.value, preferred.value.original_error]
    with pytest.raises(FormatError) as chosen:
        viewer.open(str(plain), plugin=PLUGIN_NAME)
    for error in (errors[1], chosen.value):
        assert isinstance(error, FormatError)
        message = str(error)
        assert "a saved session folder (holding session.json), a folder of images" in message
        assert message.endswith(
            "napari's own reader found no images it could read in it "
            "(it holds readme.txt and the folder sub/)"
        )
        assert "unpack_from" not in message
        assert "buffer" not in message
    assert not get_session(viewer).dm.keys()
    assert not viewer.layers


def test_a_folder_napari_reads_and_we_do_not_opens_with_napari_s_reader(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "arrays"
    folder.mkdir()
    np.save(folder / "a.npy", np.arange(12.0).reshape(3, 4))
    assert classify_path(folder) is None
    assert get_session_reader(str(folder)) is not None
    viewer = make_napari_viewer()
    (layer,) = viewer.open(str(folder), plugin=PLUGIN_NAME)
    np.testing.assert_array_equal(np.asarray(layer.data), np.arange(12.0).reshape(3, 4))
    assert not get_session(viewer).dm.keys()


def test_our_readers_are_preferred_only_when_asked(
    make_napari_viewer: Any, reader_settings: Any, frame_number_video: Path, tmp_path: Path
) -> None:
    shared = shared_reader_patterns()
    assert {"*.mp4", "*.tif", "*.csv", FOLDER_PATTERN} <= set(shared)
    assert "*.png" not in shared  # napari's alone
    assert "*.json" not in shared  # ours alone
    viewer = make_napari_viewer()
    with pytest.raises(MultipleReaderError):  # "Choose reader" in the GUI
        viewer.open(str(frame_number_video), plugin=None)
    assert reader_settings.extension2reader == {}  # nothing set without the user

    assert prefer_our_readers() == dict.fromkeys(shared, "")
    assert {reader_settings.extension2reader[p] for p in shared} == {PLUGIN_NAME}
    assert prefer_our_readers() == {}  # asked again: nothing changes
    viewer.open(str(frame_number_video), plugin=None)  # no choice left to make
    assert get_session(viewer).dm.data_type("media") == "video"
    csvs = _napari_csvs(tmp_path)  # napari's own CSV still opens as napari opens it
    (layer,) = viewer.open(str(csvs["points"]), plugin=None)
    np.testing.assert_array_equal(layer.data, [[1.0, 3.0], [2.0, 4.0]])
    assert os.sep in FOLDER_PATTERN


def _drop(viewer: Any, qtbot: Any, path: Path, until: Any) -> list[str]:
    """Drop ``path`` on the canvas (File > Open's route); accept "Choose reader" as offered."""
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication, QDialog

    from _file_drops import drop_file
    from napari_whiskertoolbox.layers._napari_compat import viewer_widget

    dialogs: list[str] = []

    def answer() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                dialogs.append(widget.windowTitle())
                (widget.accept if widget.windowTitle() == "Choose reader" else widget.reject)()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(100)
    drop_file(viewer_widget(viewer), path)
    qtbot.waitUntil(until)
    timer.stop()
    return dialogs


def test_napari_s_points_csv_dropped_and_given_to_us_opens_as_napari_s_points(
    make_napari_viewer: Any, reader_settings: Any, qtbot: Any, tmp_path: Path
) -> None:
    """The tester's route: Choose reader, OK on our preselected plugin, then the form's
    defaults read frame 0 = (x=1, y=3). Now napari's reader reads it, no form asks."""
    viewer = make_napari_viewer()
    path = _napari_csvs(tmp_path)["points"]
    dialogs = _drop(viewer, qtbot, path, lambda: "points" in viewer.layers)
    assert dialogs == ["Choose reader"]
    np.testing.assert_array_equal(viewer.layers["points"].data, [[1.0, 3.0], [2.0, 4.0]])
    assert not get_session(viewer).dm.keys()


def test_with_our_readers_preferred_a_video_opens_without_a_dialog(
    make_napari_viewer: Any, reader_settings: Any, qtbot: Any, frame_number_video: Path
) -> None:
    viewer = make_napari_viewer()
    prefer_our_readers()
    dialogs = _drop(viewer, qtbot, frame_number_video, lambda: "media" in get_session(viewer).dm)
    assert dialogs == []
