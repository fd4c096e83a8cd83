"""The first open: what napari asks, what we read, the data-file form, fitted views and titles."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import npe2
import numpy as np
import pytest
import tifffile
from _ask_support import Answers
from napari.layers import Image, Points
from qtpy.QtCore import Qt
from qtpy.QtWidgets import QDialogButtonBox

from napari_whiskertoolbox._reader import (
    get_config_reader,
    get_data_file_reader,
    get_media_reader,
    get_session_reader,
)
from napari_whiskertoolbox.io.data_files import guess_data_file
from napari_whiskertoolbox.io.routing import DataFileNeedsItem
from napari_whiskertoolbox.layers.frame_axis import PLACEHOLDER_NAME
from napari_whiskertoolbox.workflow.ask import DataFileRequest
from napari_whiskertoolbox.workflow.data_file_form import DataFileDialog
from napari_whiskertoolbox.workflow.opening import (
    NEWER_SESSION_QUESTION,
    REPLACE_UNSAVED_QUESTION,
    reveal_docks,
)
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

pytestmark = pytest.mark.gui
PLUGIN = "napari-whiskertoolbox"


def _png(tmp_path: Path) -> Path:
    import imageio.v3 as iio

    path = tmp_path / "photo.png"
    iio.imwrite(path, (np.arange(120 * 160) % 251).reshape(120, 160).astype(np.uint8))
    return path


def _config(tmp_path: Path, wtb_data: Path) -> Path:
    items = [
        {
            "data_type": "video",
            "name": "media",
            "filepath": str(wtb_data / "Media" / "test_each_frame_number.mp4"),
        },
        {
            "data_type": "points",
            "name": "tip",
            "filepath": str(wtb_data / "Points" / "test_point.csv"),
        },
    ]
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _compatible(path: Path) -> set[str]:
    manager = npe2.PluginManager.instance()
    manager.discover()
    return {r.plugin_name for r in manager.iter_compatible_readers([str(path)])}


def camera(viewer: Any) -> Any:
    """The viewer's camera (``viewer.scene.camera`` since napari 0.9)."""
    return getattr(viewer, "scene", viewer).camera


def _camera_is_fitted(viewer: Any) -> bool:
    center, zoom = tuple(camera(viewer).center), camera(viewer).zoom
    viewer.reset_view()
    return np.allclose(center, camera(viewer).center) and np.isclose(zoom, camera(viewer).zoom)


def test_readers_name_only_what_we_read(tmp_path, wtb_data):
    png = _png(tmp_path)
    assert _compatible(png) == {"napari"}  # no "Choose reader" for ordinary images
    assert _compatible(wtb_data / "test_config.json") == {PLUGIN}
    assert _compatible(wtb_data / "DigitalIntervals" / "jun_test.dat") == {PLUGIN}
    # napari reads .csv, videos and every folder too: it asks once which reader to use
    assert _compatible(wtb_data / "Points" / "test_point.csv") == {"napari", PLUGIN}
    plain = tmp_path / "plain_folder"
    plain.mkdir()
    (plain / "notes.txt").write_text("x", encoding="utf-8")
    # ...and ours, offered every folder, hands one it does not read to napari's reader or
    # says which folders it reads (test_a_folder_we_do_not_read_says_which_folders_we_read)
    assert get_session_reader(str(plain)) is not None
    images = tmp_path / "frames"
    images.mkdir()
    tifffile.imwrite(images / "0001.tif", np.zeros((4, 5), np.uint8))
    assert get_session_reader(str(images)) is not None
    assert get_media_reader(str(png)) is None
    assert get_data_file_reader(str(png)) is None
    assert get_config_reader(str(png)) is None
    assert get_data_file_reader(str(wtb_data / "Points" / "test_point.csv")) is not None


def test_a_png_opens_with_napari_without_asking(make_napari_viewer, tmp_path):
    viewer = make_napari_viewer()
    session = get_session(viewer)
    layers = viewer.open(str(_png(tmp_path)), plugin=None)  # what File > Open does
    assert [type(layer) for layer in layers] == [Image]
    assert layers[0].data.shape == (120, 160)
    assert not session.dm.keys()


def test_a_config_opens_at_frame_0_fitted_and_named(make_napari_viewer, tmp_path, wtb_data):
    viewer = make_napari_viewer()
    viewer.open(str(_config(tmp_path, wtb_data)), plugin=None)
    session = get_session(viewer)
    assert session.current_frame == 0
    assert viewer.dims.current_step[0] == 0
    assert _camera_is_fitted(viewer)
    assert viewer.title == "exp.json — napari"
    assert isinstance(viewer.layers["tip"], Points)


def test_the_sample_opens_fitted_at_frame_0(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    session = get_session(viewer)
    assert session.current_frame == 0
    height, width = session.media_shape()
    assert np.allclose(camera(viewer).center[-2:], ((height - 1) / 2, (width - 1) / 2), atol=1)
    assert _camera_is_fitted(viewer)
    assert viewer.title.startswith("Whisker session (sample) — ")


def test_the_sample_video_is_rendered_frame_by_frame_in_the_viewer(make_napari_viewer, tmp_path):
    """napari reads the lazy sample video one frame at a time; the layer shows that frame."""
    from napari_whiskertoolbox.sample import SampleVideo

    viewer = make_napari_viewer(show=True)  # offscreen canvases render black under Xvfb
    viewer.open_sample(PLUGIN, "whisker_session")
    session = get_session(viewer)
    media = session.dm.get_data("media")
    assert isinstance(media, SampleVideo)
    layer = viewer.layers["media"]
    assert layer.data.shape == media.shape
    shots = {}
    for frame in (0, 37):
        session.set_frame(frame)
        image = media[frame]
        row, col = np.unravel_index(np.argmax(image), image.shape)  # a whisker pixel
        assert image[row, col] >= 200
        assert layer.get_value((frame, row, col)) == image[row, col]
        assert layer.get_value((frame, 5, 5)) == image[5, 5]
        shots[frame] = viewer.screenshot(
            path=str(tmp_path / f"sample_frame_{frame}.png"), canvas_only=True, flash=False
        )[..., :3].astype(int)
    # the whiskers moved between the frames, and so did what napari drew of the video alone
    for key in ("whiskers", "nose", "pad", "pad_mask"):
        session.hide_key(key)
    video_only = {}
    for frame in (0, 37):
        session.set_frame(frame)
        video_only[frame] = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int)
    assert not np.array_equal(media[0], media[37])
    assert np.count_nonzero(np.abs(video_only[0] - video_only[37]).max(axis=-1) > 100) > 50
    assert shots[37].max() > 150  # bright whiskers over the dark video


def test_a_points_csv_opens_into_the_session(make_napari_viewer, wtb_data):
    viewer = make_napari_viewer()
    path = wtb_data / "Points" / "test_point.csv"
    viewer.open(str(path), plugin=PLUGIN)  # the choice napari's dialog offers
    session = get_session(viewer)
    assert session.dm.keys() == ["test_point"]
    assert isinstance(viewer.layers["test_point"], Points)
    assert session.dm.metadata["sources"]["test_point"]["filepath"] == str(path.resolve())
    assert not session.dm.modified
    assert viewer.title == "test_point.csv — napari"
    assert _camera_is_fitted(viewer)
    (axis,) = [layer for layer in viewer.layers if layer.name == PLACEHOLDER_NAME]
    xy = session.dm.get_data("test_point").to_flat().coords.max(axis=0)
    assert axis.data.shape[1:] == (int(np.ceil(xy[1])) + 1, int(np.ceil(xy[0])) + 1)  # the view
    # spans the image the points are drawn on, from (0, 0)


def test_another_tools_file_opened_alone_names_the_window(make_napari_viewer, wtb_data):
    """A DeepLabCut table (an interop file, no config item) is named like any data file."""
    viewer = make_napari_viewer()
    viewer.open(str(wtb_data / "Points" / "dlc_test.csv"), plugin=PLUGIN)
    assert "dlc_test_nose_tip" in get_session(viewer).dm
    assert viewer.title == "dlc_test.csv — napari"  # was "untitled session — napari"


@pytest.mark.parametrize("first", ["video", "csv", "dlc", "config"])
def test_what_joins_a_session_with_data_leaves_the_window_named_after_it(
    make_napari_viewer, tmp_path, wtb_data, first
):
    """The first file opened names the session; the sample, a video or a DataManager shown
    into it later do not rename it. Were: the sample's title took over at the next edit, and
    a video opened after a points CSV named the window after the video."""
    from napari_whiskertoolbox.core import DataManager, PointData
    from napari_whiskertoolbox.workflow.modified_state import TITLE_METADATA
    from napari_whiskertoolbox.workflow.opening import show_data_manager

    path = {
        "video": wtb_data / "Media" / "test_each_frame_number.mp4",
        "csv": wtb_data / "Points" / "test_point.csv",
        "dlc": wtb_data / "Points" / "dlc_test.csv",
        "config": _config(tmp_path, wtb_data),
    }[first]
    viewer = make_napari_viewer()
    session = get_session(viewer)
    viewer.open(str(path), plugin=PLUGIN)
    named = f"{path.name} — napari"
    assert viewer.title == named
    viewer.open_sample(PLUGIN, "whisker_session")
    if first != "video":
        viewer.open(str(wtb_data / "Media" / "test_each_frame_number.mp4"), plugin=PLUGIN)
    shown = DataManager()
    shown.metadata[TITLE_METADATA] = "built in Python"
    shown.set_data("extra", PointData())
    show_data_manager(viewer, shown)
    session.dm.set_data("drawn", PointData(), session.display_clock)  # any later edit
    assert viewer.title == f"{named} *"
    session.dm.delete_data("drawn")
    assert viewer.title == f"{named} *"


def test_the_sample_names_a_window_emptied_of_what_named_it(make_napari_viewer, wtb_data):
    """A session emptied of its data starts over: what is opened next names it."""
    viewer = make_napari_viewer()
    session = get_session(viewer)
    viewer.open(str(wtb_data / "Points" / "dlc_test.csv"), plugin=PLUGIN)
    for key in list(session.dm.keys()):
        session.dm.delete_data(key)
    viewer.open_sample(PLUGIN, "whisker_session")
    assert viewer.title.startswith("Whisker session (sample) — ")
    for key in list(session.dm.keys()):
        session.dm.delete_data(key)
    viewer.open(str(wtb_data / "Points" / "test_point.csv"), plugin=PLUGIN)
    assert viewer.title.startswith("test_point.csv — ")


def test_unknown_options_and_differences_are_told_in_the_window(make_napari_viewer, tmp_path):
    """A mask item's typo 'widht', an events file with a repeated frame and an item with no
    format loaded without a word in napari (the notes were only in the report): one notice,
    a warning because an option is unknown."""
    import json

    from napari.utils.notifications import NotificationSeverity, notification_manager

    (tmp_path / "m.csv").write_text("0,1,2,3\n", encoding="utf-8")
    (tmp_path / "e.csv").write_text("3\n3\n5\n", encoding="utf-8")
    config = tmp_path / "cfg.json"
    config.write_text(json.dumps({"data": [
        {"data_type": "mask", "format": "csv", "name": "m", "filepath": "m.csv", "height": 100,
         "widht": 200},
        {"data_type": "digital_event", "format": "csv", "name": "e", "filepath": "e.csv"},
        {"data_type": "digital_event", "name": "e2", "filepath": "e.csv"},
    ]}))  # fmt: skip
    seen: list[tuple[object, str]] = []

    def record(notification) -> None:
        seen.append((notification.severity, str(notification.message)))

    notification_manager.notification_ready.connect(record)
    try:
        viewer = make_napari_viewer()
        viewer.open(str(config), plugin=PLUGIN)
    finally:
        notification_manager.notification_ready.disconnect(record)
    ((severity, message),) = [(s, m) for s, m in seen if "ignored and" in m]
    assert severity == NotificationSeverity.WARNING
    assert message.startswith("cfg.json: 2 options are ignored and 3 notes on how it was read: ")
    assert "data[0] 'm': option 'widht' is not read by mask csv" in message
    assert "(did you mean 'width'?)" in message
    assert "known:" not in message
    assert "data[0] 'm': option 'height' is ignored without 'width'" in message  # no typo's fix
    assert "and 2 more (see the terminal)" in message


def test_load_notes_reach_the_terminal_while_collected(monkeypatch, capsys):
    """Collecting the notes for the window added a handler, so Python's last resort no longer
    wrote them to the terminal: a napari user saw them nowhere."""
    import logging

    from napari_whiskertoolbox.io.report import LoadNote, log_note
    from napari_whiskertoolbox.workflow.load_notices import collected_load_notes

    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # pytest's capture handler
    with collected_load_notes() as notes, collected_load_notes() as inner:
        log_note(LoadNote("data[0] 'm'", "unknown_option", "option 'widht' is ignored"))
    assert len(notes) == len(inner) == 1
    assert capsys.readouterr().err.count("option 'widht' is ignored") == 1


def test_rows_a_load_leaves_out_are_told_in_the_window(make_napari_viewer, tmp_path, notifications):
    """Decimal frames are skipped as WhiskerToolbox skips them; the user is told, not just the log."""
    path = tmp_path / "tracked.csv"
    path.write_text("frame,x,y\n0.0,1,2\n1.0,3,4\n2,5,6\n", encoding="utf-8")
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    assert len(get_session(viewer).dm.get_data("tracked")) == 1  # only the row of frame 2
    (message,) = [m for m in notifications if "left out" in m]
    assert message.startswith("tracked.csv: 2 rows left out, as WhiskerToolbox's loader")
    assert "lines 2, 3: frame cell is not all digits" in message
    notifications.clear()
    clean = tmp_path / "clean.csv"
    clean.write_text("frame,x,y\n0,1,2\n", encoding="utf-8")
    viewer.open(str(clean), plugin=PLUGIN)
    assert not [m for m in notifications if "left out" in m]


def test_a_failing_transformations_step_is_a_warning_and_the_data_opens(
    make_napari_viewer, tmp_path, wtb_data, notifications
):
    """WhiskerToolbox loads the data and logs the failed step; so do we, in the window too."""
    step = {
        "step_id": "angle",
        "transform_name": "Calculate Line Angle",
        "input_key": "whisker",
        "parameters": {"position": "far"},
    }
    line = {
        "data_type": "line",
        "name": "whisker",
        "format": "csv",
        "filepath": str(wtb_data / "Lines" / "line_test_large.csv"),
    }
    config = tmp_path / "session.json"
    config.write_text(json.dumps({"data": [line], "transformations": {"steps": [step]}}))
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=PLUGIN)
    assert get_session(viewer).dm.keys() == ["whisker"]
    (message,) = [m for m in notifications if "transformations" in m]
    assert message.startswith("session.json, transformations block 0 failed")
    assert "steps[0] 'angle'" in message
    assert "parameter 'position' = 'far' is invalid" in message


def test_a_file_whose_keys_the_session_has_comes_in_renamed_and_says_so(
    make_napari_viewer, tmp_path, wtb_data, notifications
):
    """A copy of a points CSV and of a DeepLabCut table opened come in as ``<key>_2``:
    nothing is replaced, and the window says so (the renaming was silent, or only in the
    log). The files themselves opened again are open already (see below)."""
    viewer = make_napari_viewer()
    copies = []
    for name in ("test_point.csv", "dlc_test.csv"):
        viewer.open(str(wtb_data / "Points" / name), plugin=PLUGIN)
        copies.append(tmp_path / name)
        copies[-1].write_bytes((wtb_data / "Points" / name).read_bytes())
    assert not [m for m in notifications if "already has" in m]
    for path in copies:
        viewer.open(str(path), plugin=PLUGIN)
    dm = get_session(viewer).dm
    assert {"test_point", "test_point_2", "dlc_test_nose_tip", "dlc_test_2_nose_tip"} <= set(dm)
    told = [m for m in notifications if "already has" in m]
    assert len(told) == 2
    assert told[0].startswith("test_point.csv: ")
    assert "'test_point' as 'test_point_2'" in told[0]
    assert told[1].startswith("dlc_test.csv: ")
    assert "'dlc_test' as 'dlc_test_2' (keys dlc_test_2_<bodypart>)" in told[1]


def test_an_ambiguous_file_is_asked_once_and_loaded_as_answered(make_napari_viewer, wtb_data):
    viewer = make_napari_viewer()
    session = get_session(viewer)
    path = wtb_data / "DigitalEvents" / "events.csv"
    with pytest.raises(DataFileNeedsItem, match="digital_event"):
        viewer.open(str(path), plugin=PLUGIN)  # a hidden window cannot ask: a clear error
    answers = Answers(data_type="digital_event")
    get_workflow(viewer).ask = answers
    viewer.open(str(path), plugin=PLUGIN)
    assert len(answers.requests) == 1
    assert answers.requests[0].guess.candidates[:2] == ("digital_event", "analog")
    assert session.dm.data_type("events") == "digital_event"
    assert session.dm.get_data("events").times.tolist() == [1, 2, 3, 4, 5]


def test_the_data_file_form_shows_errors_and_loads_the_item(qtbot, wtb_data):
    from napari_whiskertoolbox.core import DataManager

    dm = DataManager()
    path = wtb_data / "Analog" / "single_column.csv"
    loaded: list[Any] = []

    def load(item: Any) -> None:
        from napari_whiskertoolbox.io.data_files import load_data_file

        loaded.append(load_data_file(dm, item))

    dialog = DataFileDialog(DataFileRequest(path, guess_data_file(path), dm, "time", load))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.preview.toPlainText().startswith("1.0\n2.0")
    assert dialog.data_type == "analog"  # the most likely first (its folder is Analog/)
    dialog.set_data_type("digital_event")
    assert '"data_type": "digital_event"' in dialog.item_label.text()
    dialog.set_data_type("analog")
    assert dialog.format_combo.currentText() == "csv"
    assert '"data_type": "analog"' in dialog.item_label.text()
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
    qtbot.keyClicks(dialog.options_edit, '{"delimiter": ')
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert "not valid JSON" in dialog.error_label.text()
    assert dialog.isVisible()
    assert not loaded
    dialog.options_edit.clear()
    dialog.name_edit.setText("whisker angle")  # the key-name rule of the Data browser
    assert "letters, digits" in dialog.error_label.text()
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert not loaded
    dialog.name_edit.setText("whisker_angle")
    assert dialog.error_label.text() == ""
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert loaded == [["whisker_angle"]]
    assert dm.data_type("whisker_angle") == "analog"
    assert dialog.loaded_item.name == "whisker_angle"


def test_a_visible_window_asks_with_the_real_form(
    make_napari_viewer, qtbot, wtb_data, answer_dialog
):
    viewer = make_napari_viewer(show=True)

    first_type: list[str] = []

    def answer(dialog: DataFileDialog) -> None:
        first_type.append(dialog.data_type)
        dialog.set_data_type("analog")
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Open), Qt.MouseButton.LeftButton
        )

    seen = answer_dialog(DataFileDialog, answer)
    viewer.open(str(wtb_data / "Analog" / "single_column.csv"), plugin=PLUGIN)
    assert seen == ["Open single_column.csv"]
    assert get_session(viewer).dm.data_type("single_column") == "analog"
    assert first_type == ["analog"]  # the form starts as the file (in Analog/) looks
    # a signal has no layer: the Timeline docks to show it (the canvas stayed blank)
    (timeline,) = [w for w in viewer.window.dock_widgets.values() if hasattr(w, "lane_keys")]
    assert timeline.is_lane_shown("single_column")
    reveal_docks(get_session(viewer))  # the next open
    docked = [w for w in viewer.window.dock_widgets.values() if hasattr(w, "lane_keys")]
    assert docked == [timeline]  # the one already docked is kept


def test_a_config_with_a_newer_saved_session_offers_it(
    make_napari_viewer, tmp_path, wtb_data, notifications
):
    config = _config(tmp_path, wtb_data)
    first = make_napari_viewer()
    first.open(str(config), plugin=None)
    session = get_session(first)
    session.dm.get_data("tip").add(3, np.array([[1.0, 2.0]], dtype=np.float32))
    get_workflow(first).ask = Answers()  # first save: the session folder (the default)
    from napari_whiskertoolbox.workflow.actions import save

    assert save(session)
    folder = tmp_path / "exp.session"
    assert session.path == folder
    os.utime(config, (1_000_000, 1_000_000))  # the config is older than the session

    chosen = make_napari_viewer()
    answers = Answers(choose={NEWER_SESSION_QUESTION: "session"})
    get_workflow(chosen).ask = answers
    chosen.open(str(config), plugin=None)
    assert [q.id for q in answers.questions] == [NEWER_SESSION_QUESTION]
    assert "exp.session" in answers.questions[0].text
    reopened = get_session(chosen)
    assert reopened.path == folder
    assert len(reopened.dm.get_data("tip").at(3)) == 2  # the saved edit is there
    assert chosen.title == "exp.session — napari"

    by_file = make_napari_viewer()  # the session.json inside the folder opens it too
    by_file.open(str(folder / "session.json"), plugin=None)
    assert len(get_session(by_file).dm.get_data("tip").at(3)) == 2
    assert by_file.title == "exp.session — napari"

    hidden = make_napari_viewer()  # nobody to ask: the config as asked, and a word about it
    hidden.open(str(config), plugin=None)
    assert get_session(hidden).path == config
    assert len(get_session(hidden).dm.get_data("tip").at(3)) == 1
    assert any("exp.session" in message for message in notifications)


def _moved_experiment(tmp_path: Path, wtb_data: Path, viewer: Any) -> tuple[Path, Path]:
    """Save ``exp.session`` beside ``expA/exp.json`` (video in expA), move expA; return both."""
    import shutil

    from napari_whiskertoolbox.workflow.actions import save

    exp = tmp_path.resolve() / "expA"
    (exp / "Media").mkdir(parents=True)
    shutil.copy(wtb_data / "Media" / "test_each_frame_number.mp4", exp / "Media")
    items = [
        {"data_type": "video", "name": "media", "filepath": "Media/test_each_frame_number.mp4"},
        {
            "data_type": "points",
            "name": "tip",
            "filepath": str(wtb_data / "Points" / "test_point.csv"),
        },
    ]
    (exp / "exp.json").write_text(json.dumps(items), encoding="utf-8")
    viewer.open(str(exp / "exp.json"), plugin=None)
    session = get_session(viewer)
    session.dm.get_data("tip").add(3, np.array([[1.0, 2.0]], dtype=np.float32))
    get_workflow(viewer).ask = Answers()
    assert save(session)
    os.utime(exp / "exp.json", (1_000_000, 1_000_000))  # the config is older than the session
    moved = tmp_path.resolve() / "moved" / "expA"
    moved.parent.mkdir()
    shutil.copytree(exp, moved)
    return exp, moved


def _open_choosing_the_session(make_napari_viewer, config):
    """Open ``config`` in a new viewer, answering "session" if a newer session is offered."""
    viewer = make_napari_viewer()
    answers = Answers(choose={NEWER_SESSION_QUESTION: "session"})
    get_workflow(viewer).ask = answers
    viewer.open(str(config), plugin=None)
    return viewer, answers


@pytest.mark.parametrize("old_folder_kept", [False, True])
def test_a_moved_config_offers_its_moved_session_with_the_moved_video(
    make_napari_viewer, tmp_path, wtb_data, old_folder_kept
):
    """A session folder saved beside its config stopped opening once the experiment folder
    moved (its video was an absolute path), or opened the old folder's video while it was
    still there."""
    import shutil

    old, moved = _moved_experiment(tmp_path, wtb_data, make_napari_viewer())
    if not old_folder_kept:
        shutil.rmtree(old)
    viewer, answers = _open_choosing_the_session(make_napari_viewer, moved / "exp.json")
    assert [q.id for q in answers.questions] == [NEWER_SESSION_QUESTION]
    session = get_session(viewer)
    assert session.path == moved / "exp.session"
    assert (
        session.dm.get_data("media").source_path == moved / "Media" / "test_each_frame_number.mp4"
    )
    assert len(session.dm.get_data("tip").at(3)) == 2  # the saved edit
    assert session.dm.metadata["config_path"] == str(moved / "exp.json")


def test_a_newer_session_whose_video_is_gone_opens_the_config_and_says_why(
    make_napari_viewer, tmp_path, wtb_data, notifications
):
    import shutil

    old, moved = _moved_experiment(tmp_path, wtb_data, make_napari_viewer())
    shutil.rmtree(old)
    (moved / "Media" / "test_each_frame_number.mp4").rename(moved / "Media" / "renamed.mp4")
    items = json.loads((moved / "exp.json").read_text(encoding="utf-8"))
    items[0]["filepath"] = "Media/renamed.mp4"
    (moved / "exp.json").write_text(json.dumps(items), encoding="utf-8")
    os.utime(moved / "exp.json", (1_000_000, 1_000_000))
    viewer, answers = _open_choosing_the_session(make_napari_viewer, moved / "exp.json")
    assert answers.questions == []  # a session that cannot open is not offered
    session = get_session(viewer)
    assert session.path == moved / "exp.json"
    assert session.dm.get_data("media").shape[0] == 1000  # not an empty viewer
    assert len(viewer.layers) > 0
    (told,) = [m for m in notifications if "cannot be opened" in m]
    assert "exp.session" in told
    assert "'media'" in told
    assert str(old / "Media" / "test_each_frame_number.mp4") in told


def test_a_chosen_session_that_fails_to_load_opens_the_config_instead(
    make_napari_viewer, tmp_path, wtb_data, notifications
):
    import shutil

    old, moved = _moved_experiment(tmp_path, wtb_data, make_napari_viewer())
    shutil.rmtree(old)
    for data_file in (moved / "exp.session" / "data").iterdir():
        data_file.unlink()  # found only when the data loads, after the session was chosen
    viewer, answers = _open_choosing_the_session(make_napari_viewer, moved / "exp.json")
    assert [q.id for q in answers.questions] == [NEWER_SESSION_QUESTION]
    session = get_session(viewer)
    assert session.path == moved / "exp.json"
    assert len(session.dm.get_data("tip").at(3)) == 1  # the config's own points
    assert any("could not be opened" in m and "exp.json" in m for m in notifications)


@pytest.mark.parametrize(("answer", "replaced"), [(None, False), ("discard", True)])
def test_a_session_folder_asks_before_replacing_unsaved_changes(
    make_napari_viewer, tmp_path, wtb_data, answer, replaced
):
    """A saved session opened into a window whose session had unsaved edits replaced it
    with no question, marked it saved and cleared its undo history: the edits were lost."""
    config = _config(tmp_path, wtb_data)
    saver = make_napari_viewer()
    saver.open(str(config), plugin=None)
    get_workflow(saver).ask = Answers(folder=tmp_path / "saved")
    from napari_whiskertoolbox.workflow.actions import save_as

    (tmp_path / "saved").mkdir()
    assert save_as(get_session(saver))

    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    session = get_session(viewer)
    session.dm.get_data("tip").add(3, np.array([[1.0, 2.0]], dtype=np.float32))  # unsaved
    answers = Answers(choose={REPLACE_UNSAVED_QUESTION: answer})
    get_workflow(viewer).ask = answers
    viewer.open(str(tmp_path / "saved"), plugin=PLUGIN)
    assert [q.id for q in answers.questions] == [REPLACE_UNSAVED_QUESTION]
    assert "'saved'" in answers.questions[0].text
    assert "'exp.json'" in answers.questions[0].text
    if replaced:
        assert session.path == tmp_path / "saved"
        assert len(session.dm.get_data("tip").at(3)) == 1
    else:  # cancelled: the unsaved edit, the session's file and its undo are all kept
        assert session.path == config
        assert len(session.dm.get_data("tip").at(3)) == 2
        assert session.dm.modified

    saved = make_napari_viewer()  # a saved session is replaced without a question
    saved.open(str(config), plugin=None)
    quiet = Answers()
    get_workflow(saved).ask = quiet
    saved.open(str(tmp_path / "saved"), plugin=PLUGIN)
    assert quiet.questions == []
    assert get_session(saved).path == tmp_path / "saved"


def test_a_session_folder_opened_into_the_sample_replaces_it_whatever_its_clocks(
    make_napari_viewer, tmp_path, wtb_data
):
    """It failed: 'clock time would replace the session's clock time (3000 ticks at 5000 per
    second)…', and a session folder sharing no clock with the window's was merged into it."""
    config = _config(tmp_path, wtb_data)
    saver = make_napari_viewer()
    saver.open(str(config), plugin=None)
    get_session(saver).save(tmp_path / "saved")
    expected = {k: get_session(saver).dm.time_key(k) for k in get_session(saver).dm}

    viewer = make_napari_viewer()
    viewer.open_sample("napari-whiskertoolbox", "whisker_session")
    session = get_session(viewer)
    assert "whiskers" in session.dm
    viewer.open(str(tmp_path / "saved"), plugin=PLUGIN)
    dm = session.dm
    assert {k: dm.time_key(k) for k in dm} == expected  # the sample's keys are gone
    assert "camera" not in dm.time_keys()
    assert session.path == tmp_path / "saved"
    assert not dm.modified
    assert not dm.undo()  # a session opened starts its own history
    assert {layer.name for layer in viewer.layers} >= set(expected)
    assert "whiskers" not in [layer.name for layer in viewer.layers]


def test_a_config_opened_again_says_which_keys_it_replaced(
    make_napari_viewer, tmp_path, wtb_data, notifications
):
    """Opening the session's config again replaced its edited keys with no word at all."""
    config = _config(tmp_path, wtb_data)
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    dm = get_session(viewer).dm
    dm.get_data("tip").add(3, np.array([[1.0, 2.0]], dtype=np.float32))
    assert not [m for m in notifications if "replaced" in m]
    viewer.open(str(config), plugin=None)
    assert len(dm.get_data("tip").at(3)) == 1
    (told,) = [m for m in notifications if "replaced" in m]
    assert (
        told
        == "exp.json: replaced 'media', 'tip' with the file's content; Ctrl+Z brings back what they held."
    )
    dm.undo()
    assert len(dm.get_data("tip").at(3)) == 2  # as the notice says


def _image_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    for index in range(3):
        tifffile.imwrite(folder / f"img{index:03d}.tif", np.full((8, 10), index, np.uint8))
    return folder


@pytest.mark.parametrize(
    ("first", "again", "key"),
    [
        ("test_config.json", "Media/test_each_frame_number.mp4", "my_video"),
        ("Media/test_each_frame_number.mp4", "Media/test_each_frame_number.mp4", "media"),
        ("Points/test_point.csv", "Points/test_point.csv", "test_point"),
        ("frames", "frames", "media"),
    ],
)
def test_a_file_opened_again_says_it_is_open_already_and_adds_nothing(
    make_napari_viewer, tmp_path, wtb_data, notifications, first, again, key
):
    """Were: a video opened alone, opened again, came in as a second key, layer and clock
    (``test_each_frame_number_clock``) without a word; after the config, the second copy
    came with a notice."""
    folder = _image_folder(tmp_path).parent if first == "frames" else wtb_data
    viewer = make_napari_viewer()
    viewer.open(str(folder / first), plugin=None if first.endswith(".json") else PLUGIN)
    session = get_session(viewer)
    dm = session.dm
    keys, clocks, layers = list(dm.keys()), dm.time_keys(), list(viewer.layers)
    viewer.layers.selection.clear()
    assert viewer.open(str(folder / again), plugin=PLUGIN) == []
    assert (list(dm.keys()), dm.time_keys(), list(viewer.layers)) == (keys, clocks, layers)
    (told,) = [m for m in notifications if "open already" in m]
    assert told == (
        f"{Path(again).name} is open already, as {key!r}: nothing was added. To read it from "
        f"disk again, delete {key!r} in the Data browser first."
    )
    assert viewer.layers.selection.active is viewer.layers[key]  # shown where it is
    other = make_napari_viewer()  # a file opened once says nothing of the kind
    other.open(str(folder / again), plugin=PLUGIN)
    assert len([m for m in notifications if "open already" in m]) == 1


def test_a_renamed_key_s_file_opened_again_is_open_already_under_the_new_name(
    make_napari_viewer, wtb_data, notifications
):
    """Were: the key renamed kept no record of its file, so opening it again added a second
    copy (``test_point``) beside the renamed one."""
    path = wtb_data / "Points" / "test_point.csv"
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    dm = get_session(viewer).dm
    dm.rename_data("test_point", "my_tip")
    assert viewer.open(str(path), plugin=PLUGIN) == []
    assert list(dm.keys()) == ["my_tip"]
    (told,) = [m for m in notifications if "open already" in m]
    assert told.startswith("test_point.csv is open already, as 'my_tip': nothing was added.")
    dm.delete_data("my_tip")  # deleted: the file reads again, under its own name
    viewer.open(str(path), plugin=PLUGIN)
    assert list(dm.keys()) == ["test_point"]


def _another_tools_file(folder: Path, kind: str) -> Path:
    """Write a file of ``kind`` with the tool's own library into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind in ("dlc_csv", "dlc_h5"):
        from _dlc_tables import write_two_mice_predictions

        rows = [[float(i + k) for k in range(12)] for i in range(3)]
        suffix = ".csv" if kind == "dlc_csv" else ".h5"
        return write_two_mice_predictions(folder / f"predsDLC_resnet50{suffix}", rows)
    if kind == "slp":
        pytest.importorskip("sleap_io")
        from _sleap_files import write_two_frame_slp

        return write_two_frame_slp(folder / "two.slp", "gone.mp4")
    pytest.importorskip("ndx_pose")
    from _nwb_files import write_generic_pose

    return write_generic_pose(folder / "g.nwb")


@pytest.mark.parametrize("kind", ["dlc_csv", "dlc_h5", "slp", "nwb"])
def test_another_tools_file_opened_again_says_it_is_open_already_and_adds_nothing(
    make_napari_viewer, tmp_path, notifications, kind
):
    """Were: a DeepLabCut table, a SLEAP .slp or an NWB file opened again came in a second
    time as ``<key>_2`` keys, where a WhiskerToolbox file says it is open already. A
    different file with the same key names still comes in renamed."""
    path = _another_tools_file(tmp_path / "a", kind)
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    dm = get_session(viewer).dm
    keys, clocks, layers = list(dm.keys()), dm.time_keys(), list(viewer.layers)
    assert len(keys) >= 2
    viewer.layers.selection.clear()
    assert viewer.open(str(path), plugin=PLUGIN) == []
    assert (list(dm.keys()), dm.time_keys(), list(viewer.layers)) == (keys, clocks, layers)
    (told,) = [m for m in notifications if "open already" in m]
    named = ", ".join(repr(k) for k in keys[:3]) + (
        f" and {len(keys) - 3} more" if len(keys) > 3 else ""
    )
    assert told == (
        f"{path.name} is open already, as {named}: nothing was added. To read it from disk "
        f"again, delete its {len(keys)} keys in the Data browser first."
    )
    other = _another_tools_file(tmp_path / "b", kind)  # the same key names, another file
    viewer.open(str(other), plugin=PLUGIN)
    added = [k for k in dm if k not in keys]
    assert len(added) == len(keys)
    assert all(re.search(r"_2(_|$)", k) for k in added), added
    assert len([m for m in notifications if "open already" in m]) == 1


def test_the_readme_names_the_sample_menu_item_as_napari_shows_it(make_napari_viewer):
    from pathlib import Path

    from napari_whiskertoolbox.layers._napari_compat import main_window

    viewer = make_napari_viewer()

    def paths(menu: Any, trail: tuple[str, ...]) -> list[str]:
        found = []
        for action in menu.actions():
            text = action.text().replace("&", "")
            if action.menu() is not None:
                found += paths(action.menu(), (*trail, text))
            elif "Whisker session" in text:
                found.append(" > ".join((*trail, text)))
        return found

    (menu_path,) = paths(main_window(viewer).menuBar(), ())
    assert menu_path == "File > Open Sample > Whisker session (WhiskerToolbox)"
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"**{menu_path}**" in readme


def test_the_readme_names_the_save_menu_items_as_napari_shows_them(make_napari_viewer):
    from pathlib import Path

    from napari_whiskertoolbox.layers._napari_compat import main_window

    viewer = make_napari_viewer()
    (file_menu,) = [
        action.menu()
        for action in main_window(viewer).menuBar().actions()
        if action.text().replace("&", "") == "File"
    ]
    items = [action.text().replace("&", "").rstrip(".") for action in file_menu.actions()]
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for item in ("Save Selected Layers", "Save All Layers"):
        assert item in items
        assert f"File > {item}" in readme
    assert "Save Selected Layer(s)" not in readme


def test_open_in_viewer_returns_the_layers_viewer_open_cannot(
    make_napari_viewer, tmp_path, wtb_data
):
    """napari's viewer.open returns [] for our files (the bindings add the layers: see
    _reader); open_in_viewer is the call that returns them."""
    from napari_whiskertoolbox import open_in_viewer

    config = _config(tmp_path, wtb_data)
    viewer = make_napari_viewer()
    assert viewer.open(str(config), plugin=PLUGIN) == []  # the documented limitation
    assert "tip" in viewer.layers
    other = make_napari_viewer()
    layers = open_in_viewer(other, config)
    assert layers == list(other.layers)  # every layer of the fresh viewer came from this call
    names = [layer.name for layer in layers]
    assert {"media", "tip"} <= set(names)
    assert isinstance(other.layers["tip"], Points)
    assert layers[names.index("tip")].metadata["wtb_key"] == "tip"
    assert open_in_viewer(other, wtb_data / "Points" / "test_point.csv") == []  # open already,
    # as the config's 'tip'
    points = tmp_path / "more" / "test_point.csv"
    points.parent.mkdir()
    points.write_bytes((wtb_data / "Points" / "test_point.csv").read_bytes())
    added = open_in_viewer(other, points)  # into the same session: only the new key's layer
    assert [layer.name for layer in added] == ["test_point"]
    assert get_session(other).dm.get_data("test_point") is not None


def test_show_data_manager_shows_a_data_manager_built_in_python(make_napari_viewer) -> None:
    from napari_whiskertoolbox import get_data_manager, show_data_manager
    from napari_whiskertoolbox.sample import make_sample_session

    viewer = make_napari_viewer()
    built = make_sample_session(n_frames=40)
    keys = set(built.keys())
    layers = show_data_manager(viewer, built)
    assert layers == list(viewer.layers)
    assert {layer.name for layer in layers} >= {"media", "whiskers"}
    dm = get_data_manager(viewer)
    assert set(dm.keys()) == keys
    assert not dm.modified  # like a file just opened: nothing to save yet
    viewer.dims.set_current_step(0, 39)
    assert get_session(viewer).current_frame == 39
    whiskers = viewer.layers["whiskers"]
    assert len(whiskers.data) == len(dm.get_data("whiskers").at(39))


def test_a_config_opened_into_a_recording_shows_the_moment_shown_before(
    make_napari_viewer, tmp_path, wtb_data
):
    """A config opened into a session holding a recording shows the recording's moment (the
    video takes a clock of its own; napari had put the new frame axis at its middle, frame
    499 of 1000); opened into a session that shows frames, the frame on screen stays."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "_ephys_files", Path(__file__).parents[1] / "io" / "_ephys_files.py"
    )
    assert spec is not None
    assert spec.loader is not None
    ephys = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ephys)
    samples = np.zeros((60000, 2), np.int16)
    recording = ephys.write_open_ephys(tmp_path / "rec", samples, {1: [(15000, 18000)]})
    viewer = make_napari_viewer()
    session = get_session(viewer)
    session.open(recording)  # no layer, but the frame slider of its clock, at frame 0
    assert viewer.dims.ndim == 3
    assert session.current_frame == 0
    session.open(_config(tmp_path, wtb_data))
    assert session.display_clock == session.dm.time_key("media") != "time"
    # the recording's first sample (tick 1000 of 30 kHz) is nearest the video's frame 1 (1200)
    assert session.current_frame == 1
    session.set_frame(500)
    (tmp_path / "again").mkdir()
    session.open(_config(tmp_path / "again", wtb_data))  # a second video, on its own clock
    assert session.current_frame == 500  # shown frames stay where they were


def test_the_frame_slider_placeholder_of_a_file_opened_alone_comes_back_when_deleted(
    make_napari_viewer, wtb_data, qtbot
):
    """A points CSV opened alone (no video) gets a hidden layer that gives the frame slider
    the clock's length. Were: named "frame axis" without a word, and deleting it took the
    frame slider away for good."""
    viewer = make_napari_viewer()
    session = get_session(viewer)
    viewer.open(str(wtb_data / "Points" / "test_point.csv"), plugin=PLUGIN)
    (axis,) = [layer for layer in viewer.layers if layer.name == PLACEHOLDER_NAME]
    assert "hidden" in axis.name
    assert not axis.visible
    assert viewer.dims.range[0].stop == 1000
    session.set_frame(7)
    viewer.layers.remove(axis)
    qtbot.waitUntil(lambda: PLACEHOLDER_NAME in [layer.name for layer in viewer.layers])
    assert viewer.dims.ndim == 3
    assert viewer.dims.range[0].stop == 1000
    assert session.current_frame == 7
    session.set_frame(500)
    assert viewer.dims.current_step[0] == 500


@pytest.mark.parametrize(
    ("relative", "data_type", "n_frames"),
    [
        ("DigitalEvents/events.csv", "digital_event", 6),
        ("Analog/single_column.csv", "analog", 6),
        ("DigitalIntervals/jun_test.dat", None, 993),
    ],
)
def test_a_time_series_opened_alone_gets_the_frame_slider_and_the_timeline_follows(
    make_napari_viewer, qtbot, wtb_data, relative, data_type, n_frames
):
    """Were: the Timeline docked with its lane, but the viewer stayed 2-D on napari's welcome
    screen, with no frame slider to step the clock (a points file opened alone had one)."""
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    get_workflow(viewer).ask = Answers(data_type=data_type)
    session = get_session(viewer)
    viewer.open(str(wtb_data / relative), plugin=PLUGIN)
    (key,) = session.dm.keys()
    (axis,) = list(viewer.layers)
    assert axis.name == PLACEHOLDER_NAME
    assert not axis.visible
    assert viewer.layers.selection.active is None  # no invisible image's controls
    assert viewer.dims.ndim == 3
    assert viewer.dims.range[0].stop == n_frames - 1 == session.n_frames - 1
    _, timeline = add_plugin_dock(viewer, "Timeline")
    timeline = timeline or next(
        w for w in viewer.window.dock_widgets.values() if hasattr(w, "lane_keys")
    )
    assert timeline.is_lane_shown(key)
    viewer.dims.set_current_step(0, 3)  # the slider, as the user drags it
    qtbot.waitUntil(lambda: timeline.cursor_frame == 3)
    viewer.layers.remove(axis)  # deleted: it comes back, at the same frame
    qtbot.waitUntil(lambda: PLACEHOLDER_NAME in [layer.name for layer in viewer.layers])
    assert session.current_frame == 3
    session.dm.delete_data(key)  # the last series gone: the slider goes with it
    assert not list(viewer.layers)
    assert viewer.dims.ndim == 2


def test_an_exported_mask_opened_again_lands_on_the_video_s_clock(
    make_napari_viewer, tmp_path, notifications
):
    """The sample's pad_mask (clock camera), exported and opened again, went on clock time
    (10 ticks per camera frame) without a word and showed nothing at camera frame 100: a
    WhiskerToolbox data file holds frame numbers, the frames of the video it annotates."""
    from napari_whiskertoolbox import open_in_viewer
    from napari_whiskertoolbox.widgets.browser_export import export_key

    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    dm = get_session(viewer).dm
    assert dm.time_key("pad_mask") == "camera"
    path = export_key(dm, "pad_mask", tmp_path)
    open_in_viewer(viewer, path)
    assert dm.time_key("pad_mask_2") == "camera"
    assert np.array_equal(
        dm.get_data("pad_mask_2").to_flat().coords, dm.get_data("pad_mask").to_flat().coords
    )
    assert (
        "pad_mask.csv: opened as 'pad_mask_2' on clock 'camera', the clock of 'pad_mask', "
        "which it was exported from"
    ) in notifications


def test_a_mask_file_the_session_has_no_record_of_goes_on_the_video_s_clock_and_says_how_to_choose(
    make_napari_viewer, tmp_path, notifications
):
    """A file of the layout nobody asks about, opened into a session of two clocks with no
    record of it, went on the video's clock; the notice must say how to choose another."""
    import shutil

    from napari_whiskertoolbox import open_in_viewer
    from napari_whiskertoolbox.widgets.browser_export import export_key

    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    dm = get_session(viewer).dm
    exported = export_key(dm, "pad_mask", tmp_path / "out")
    path = Path(shutil.copy(exported, tmp_path / "someone_elses_mask.csv"))
    open_in_viewer(viewer, path)
    assert dm.time_key("someone_elses_mask") == "camera"
    assert (
        "someone_elses_mask.csv: opened as 'someone_elses_mask' on clock 'camera', the frames "
        "of 'media'. To read it on another clock ('time'), delete it and open the file from "
        "Python with napari_whiskertoolbox.io.routing.open_path(path, dm, clock='time')"
    ) in notifications


@pytest.mark.parametrize("key", ["contact", "contact_events"])
def test_a_file_exported_from_a_key_off_the_display_clock_opens_again_on_its_clock(
    make_napari_viewer, tmp_path, notifications, key
):
    """Were: the sample's contact (clock time, 10 ticks per camera frame), exported and opened
    again, went on the video's clock camera: interval [70, 251] (camera frames 7-25) came back
    as camera frames 70-251, and no form asked (the file's layout is unambiguous)."""
    from napari_whiskertoolbox.widgets.browser_export import export_key

    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    dm = get_session(viewer).dm
    assert dm.time_key(key) == "time"
    dm.rename_data(key, f"{key}_renamed")  # the record follows the key
    path = export_key(dm, f"{key}_renamed", tmp_path)
    viewer.open(str(path), plugin=PLUGIN)
    new = f"{key}_renamed_2"
    assert dm.time_key(new) == "time"
    field = "intervals" if key == "contact" else "times"
    assert np.array_equal(
        getattr(dm.get_data(new), field), getattr(dm.get_data(f"{key}_renamed"), field)
    )
    assert (
        f"{path.name}: opened as {new!r} on clock 'time', the clock of {key + '_renamed'!r}, "
        "which it was exported from"
    ) in notifications
