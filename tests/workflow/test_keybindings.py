"""The annotation keys, bound on a real viewer, drive frames, copies, undo/redo and save."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from napari.layers import Labels, Points, Shapes
from napari.utils.key_bindings import coerce_keybinding

from napari_whiskertoolbox.core import PointData, TimeFrame
from napari_whiskertoolbox.transforms import run_transform
from napari_whiskertoolbox.widgets.key_help import KeyHelpWidget
from napari_whiskertoolbox.workflow.actions import key_label
from napari_whiskertoolbox.workflow.key_table import KEY_TABLE
from napari_whiskertoolbox.workflow.keybindings import bind_keys
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

KEY = "whisker_pad"
ANNOTATED_FRAMES = (3, 4, 5, 8)
N_FRAMES = 40


def _points_session(make_napari_viewer: Any) -> Any:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    dm = session.dm
    dm.set_time("time", TimeFrame.from_count(N_FRAMES))
    points = PointData()
    for t in ANNOTATED_FRAMES:
        points.add(t, np.array([[10.0 + t, 20.0], [30.0, 40.0 + t]], dtype=np.float32))
    dm.set_data(KEY, points, "time")
    session.show_key(KEY)
    viewer.layers.selection.active = _layer(viewer, KEY)
    dm.mark_saved()
    return viewer, session


def _layer(viewer: Any, key: str) -> Any:
    (layer,) = [layer for layer in viewer.layers if layer.metadata.get("wtb_key") == key]
    return layer


def press(viewer: Any, key: str) -> None:
    """Run what napari runs for ``key`` on this viewer's keymap."""
    viewer.keymap[coerce_keybinding(key)](viewer)


def test_every_table_key_is_bound_on_the_viewer_only(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    bind_keys(viewer, get_session(viewer))
    bound = {str(k) for k in viewer.keymap}
    for action in KEY_TABLE:
        for key in action.keys:
            assert str(coerce_keybinding(key)) in bound, key
    for layer_class in (Labels, Points, Shapes):
        assert not [f for f in layer_class.class_keymap.values() if f.__name__.startswith("wtb_")]
    all_keys = [key for action in KEY_TABLE for key in action.keys]
    assert len(set(all_keys)) == len(all_keys)


def test_action_descriptions_end_in_a_word_not_a_possessive() -> None:
    # "... replacing this frame's" read as cut off in the Key help dock
    for action in KEY_TABLE:
        assert not action.description.endswith("'s"), action.description


def test_frame_steps_and_jumps(make_napari_viewer: Any) -> None:
    viewer, session = _points_session(make_napari_viewer)
    assert session.active_key == KEY
    session.set_frame(0)
    press(viewer, ".")
    assert session.current_frame == 1
    press(viewer, ",")
    press(viewer, ",")
    assert session.current_frame == 0
    press(viewer, "Shift-Right")
    assert session.current_frame == 10
    press(viewer, "Shift-Left")
    assert session.current_frame == 0

    press(viewer, "Control-Right")
    assert session.current_frame == 3
    press(viewer, "Control-Right")
    assert session.current_frame == 4
    press(viewer, "Control-Shift-Right")
    assert session.current_frame == 6
    press(viewer, "Control-Right")
    assert session.current_frame == 8
    press(viewer, "Control-Right")  # nothing later: stays
    assert session.current_frame == 8
    press(viewer, "Control-Left")
    assert session.current_frame == 5

    session.set_frame(N_FRAMES - 5)
    press(viewer, "Shift-Right")
    assert session.current_frame == N_FRAMES - 1


def test_copy_previous_frame_is_one_undoable_step(make_napari_viewer: Any) -> None:
    viewer, session = _points_session(make_napari_viewer)
    points = session.dm.get_data(KEY)
    session.set_frame(7)
    press(viewer, "Control-D")
    np.testing.assert_array_equal(points.at(7), points.at(5))
    assert not set(points.ids_at(7).tolist()) & set(points.ids_at(5).tolist())
    np.testing.assert_array_equal(_layer(viewer, KEY).data[:, -2:], points.at(5)[:, ::-1])
    assert session.dm.modified

    press(viewer, "Control-Z")
    assert points.count_at(7) == 0
    press(viewer, "Control-Shift-Z")
    np.testing.assert_array_equal(points.at(7), points.at(5))


def test_undo_redo_keys_revert_a_data_manager_edit(make_napari_viewer: Any) -> None:
    viewer, session = _points_session(make_napari_viewer)
    points = session.dm.get_data(KEY)
    before = np.array(points.at(4))
    points.set_frame(4, np.array([[1.0, 2.0]], dtype=np.float32))
    press(viewer, "Control-Z")
    np.testing.assert_array_equal(points.at(4), before)
    press(viewer, "Control-Shift-Z")
    np.testing.assert_array_equal(points.at(4), [[1.0, 2.0]])


def test_undo_and_redo_show_the_frame_of_the_change(make_napari_viewer: Any) -> None:
    """A new-user trial: Ctrl+Z of an edit of frame 4 made while viewing frame 10 left the
    viewer on frame 10; only the notice named frame 4. Video annotation tools show it."""
    viewer, session = _points_session(make_napari_viewer)
    dm = session.dm
    points = dm.get_data(KEY)
    before = np.array(points.at(4))
    points.set_frame(4, np.array([[1.0, 2.0]], dtype=np.float32))
    session.set_frame(10)
    press(viewer, "Control-Z")
    np.testing.assert_array_equal(points.at(4), before)
    assert session.current_frame == 4
    session.set_frame(12)
    press(viewer, "Control-Shift-Z")
    np.testing.assert_array_equal(points.at(4), [[1.0, 2.0]])
    assert session.current_frame == 4
    press(viewer, "Control-Z")  # on the frame already: it stays
    assert session.current_frame == 4

    # a change of several frames, or of a whole key (a transform's new key), does not jump
    with dm.history.group("two frames"):
        points.set_frame(3, np.array([[5.0, 6.0]], dtype=np.float32))
        points.set_frame(8, np.array([[7.0, 8.0]], dtype=np.float32))
    session.set_frame(20)
    press(viewer, "Control-Z")
    assert points.count_at(8) == 2
    assert session.current_frame == 20
    press(viewer, "Control-Shift-Z")
    assert session.current_frame == 20
    run_transform(dm, "PointCoordinateReduction", KEY, "pad_x", {})
    assert "pad_x" in dm
    press(viewer, "Control-Z")
    assert "pad_x" not in dm
    assert session.current_frame == 20
    press(viewer, "Control-Shift-Z")
    assert "pad_x" in dm
    assert session.current_frame == 20


def test_undo_key_on_a_labels_layer_shows_the_frame_of_the_change(
    make_napari_viewer: Any,
) -> None:
    """napari's Labels layer takes Ctrl+Z first (bind_history_keys): it moves there too."""
    from napari_whiskertoolbox.core import MaskData

    viewer, session = _points_session(make_napari_viewer)
    masks = MaskData(image_size=(40, 40))
    session.dm.set_data("pad_mask", masks, "time")
    session.show_key("pad_mask")
    layer = _layer(viewer, "pad_mask")
    viewer.layers.selection.active = layer
    masks.add(6, np.array([[3, 4], [3, 5]], dtype=np.uint32))
    session.set_frame(15)
    layer.keymap[coerce_keybinding("Control-Z")](layer)
    assert masks.count_at(6) == 0
    assert session.current_frame == 6


def test_save_key_saves_the_session_and_clears_modified(
    make_napari_viewer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qtpy.QtWidgets import QFileDialog

    from napari_whiskertoolbox.io import load_session

    viewer, session = _points_session(make_napari_viewer)
    folder = tmp_path / "saved"
    session.save(folder)
    points = session.dm.get_data(KEY)
    points.add(20, np.array([5.0, 6.0], dtype=np.float32))
    assert session.dm.modified
    assert viewer.title.endswith(" *")

    press(viewer, "Control-S")
    assert not session.dm.modified
    assert not viewer.title.endswith(" *")
    points.add(21, np.array([7.0, 8.0], dtype=np.float32))
    copy = tmp_path / "copy"
    copy.mkdir()
    asked: list[str] = []

    def choose_copy(parent: Any, caption: str, start: str) -> str:
        asked.append(start)
        return str(copy)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose_copy)
    viewer.window.show()  # the folder dialog only shows over a visible window
    press(viewer, "Control-Shift-S")  # save as: always asks, starting next to the session
    assert asked == [str(tmp_path)]
    assert not session.dm.modified
    assert session.path == copy
    first = load_session(folder).get_data(KEY)
    np.testing.assert_array_equal(first.times_with_data(), [*ANNOTATED_FRAMES, 20])
    reloaded = load_session(copy).get_data(KEY)
    np.testing.assert_array_equal(reloaded.at(20), [[5.0, 6.0]])
    np.testing.assert_array_equal(reloaded.times_with_data(), [*ANNOTATED_FRAMES, 20, 21])


def test_key_help_dock_lists_the_table_and_tracks_state(make_napari_viewer: Any) -> None:
    viewer, session = _points_session(make_napari_viewer)
    dock = KeyHelpWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Key help")
    rows = [
        (dock.table.item(r, 0).text(), dock.table.item(r, 1).text())
        for r in range(dock.table.rowCount())
    ]
    assert rows == [(" / ".join(key_label(k) for k in a.keys), a.description) for a in KEY_TABLE]
    assert rows[0] == (".", "Next frame")
    assert ("Ctrl+Shift+D", KEY_TABLE[8].description) in rows
    assert "saved" in dock.status_label.text()
    assert KEY in dock.status_label.text()
    assert dock.pose_row.isHidden()  # "Next keypoint" is for keypoints layers only
    session.dm.get_data(KEY).add(1, np.array([1.0, 1.0], dtype=np.float32))
    assert "unsaved changes" in dock.status_label.text()


def test_key_help_dock_from_the_plugin_menu_shares_the_viewer_session(
    make_napari_viewer: Any,
) -> None:
    viewer, session = _points_session(make_napari_viewer)
    _, dock = viewer.window.add_plugin_dock_widget("napari-whiskertoolbox", "Key help")
    assert isinstance(dock, KeyHelpWidget)
    assert KEY in dock.status_label.text()  # napari passed a proxy; same session found
    session.dm.get_data(KEY).add(2, np.array([3.0, 3.0], dtype=np.float32))
    assert "unsaved changes" in dock.status_label.text()


def test_real_key_presses_reach_the_viewer_bindings(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path
) -> None:
    from qtpy.QtCore import Qt
    from qtpy.QtTest import QTest
    from qtpy.QtWidgets import QApplication

    viewer = make_napari_viewer(show=True)
    session = get_session(viewer)
    session.dm.set_time("time", TimeFrame.from_count(N_FRAMES))
    session.dm.set_data(KEY, PointData(), "time")
    session.save(tmp_path / "s")
    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    target = QApplication.focusWidget()

    QTest.keyClick(target, Qt.Key_Period)
    QTest.keyClick(target, Qt.Key_Right, Qt.ShiftModifier)
    assert session.current_frame == 11
    session.dm.get_data(KEY).add(11, np.array([1.0, 2.0], dtype=np.float32))
    QTest.keyClick(target, Qt.Key_Z, Qt.ControlModifier)
    assert session.dm.get_data(KEY).count_at(11) == 0
    QTest.keyClick(target, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert session.dm.get_data(KEY).count_at(11) == 1
    QTest.keyClick(target, Qt.Key_S, Qt.ControlModifier)
    assert not session.dm.modified


@pytest.mark.parametrize("chosen", [True, False])
def test_first_save_asks_for_a_folder(
    make_napari_viewer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chosen: bool
) -> None:
    from qtpy.QtWidgets import QFileDialog

    viewer, session = _points_session(make_napari_viewer)
    viewer.window.show()  # the real folder dialog only shows over a visible window
    assert session.path is None
    folder = tmp_path / "new_session"
    folder.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder) if chosen else ""
    )
    session.dm.get_data(KEY).add(30, np.array([1.0, 1.0], dtype=np.float32))
    press(viewer, "Control-S")
    assert session.dm.modified is not chosen
    assert (folder / "session.json").is_file() is chosen


def test_a_hidden_viewer_is_never_blocked_by_the_folder_dialog(
    make_napari_viewer: Any, tmp_path: Path, notifications: list[str]
) -> None:
    from _ask_support import Answers

    from napari_whiskertoolbox.workflow.registry import get_workflow

    viewer, session = _points_session(make_napari_viewer)
    session.dm.get_data(KEY).add(30, np.array([1.0, 1.0], dtype=np.float32))
    press(viewer, "Control-S")  # nobody to ask: nothing saved, and a word about it
    assert session.dm.modified
    assert "Not saved" in notifications[-1]
    answers = Answers(folder=tmp_path / "scripted")
    get_workflow(viewer).ask = answers
    press(viewer, "Control-S")
    assert answers.folder_titles == ["Save the WhiskerToolbox session in"]
    assert (tmp_path / "scripted" / "session.json").is_file()
    assert not session.dm.modified


def test_title_marker_follows_the_modified_state() -> None:
    from napari_whiskertoolbox.workflow.modified_state import title_with_state

    assert title_with_state("napari", True) == "napari *"
    assert title_with_state("napari *", True) == "napari *"
    assert title_with_state("napari *", False) == "napari"
    assert title_with_state("napari", False) == "napari"


def test_data_jumps_convert_keys_on_another_clock(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    viewer.open_sample("napari-whiskertoolbox", "whisker_session")
    session = get_session(viewer)
    assert session.display_clock == "camera"
    assert session.dm.time_key("contact_events") == "time"  # master clock, 10 ticks per frame
    session.active_key = "contact_events"
    onsets = [
        session.to_display("contact_events", int(t))
        for t in session.dm.get_data("contact_events").times
    ]
    session.set_frame(0)
    press(viewer, "Control-Right")
    assert session.current_frame == onsets[0]
    press(viewer, "Control-Right")
    assert session.current_frame == onsets[1]
    press(viewer, "Control-Left")
    assert session.current_frame == onsets[0]


def test_copy_previous_says_what_it_replaced_and_merge_keeps_this_frame(
    make_napari_viewer: Any, notifications: list[str]
) -> None:
    viewer, session = _points_session(make_napari_viewer)
    points = session.dm.get_data(KEY)
    points.set_frame(7, np.array([[1.0, 1.0]], dtype=np.float32))
    kept_id = int(points.ids_at(7)[0])
    session.set_frame(7)
    press(viewer, "Control-D")
    assert notifications[-1] == (
        f"{KEY}: copied 2 points from frame 5 to frame 7, replacing 1 point. Ctrl+Z undoes it."
    )
    np.testing.assert_array_equal(points.at(7), points.at(5))
    press(viewer, "Control-Z")
    np.testing.assert_array_equal(points.at(7), [[1.0, 1.0]])

    press(viewer, "Control-Shift-D")
    assert notifications[-1] == (
        f"{KEY}: copied 2 points from frame 5 to frame 7, added to the 1 point already there. "
        "Ctrl+Z undoes it."
    )
    np.testing.assert_array_equal(points.at(7), np.concatenate([[[1.0, 1.0]], points.at(5)]))
    assert int(points.ids_at(7)[0]) == kept_id  # the frame's own point keeps its id
    press(viewer, "Control-Z")
    assert points.count_at(7) == 1

    session.set_frame(9)
    press(viewer, "Control-D")
    assert notifications[-1].endswith(
        "from frame 8 to frame 9, to an empty frame. Ctrl+Z undoes it."
    )
    press(viewer, "Control-Z")
    press(viewer, "Control-Shift-D")  # merging into an empty frame says so, not "the 0 points"
    assert notifications[-1].endswith(
        "from frame 8 to frame 9, to an empty frame. Ctrl+Z undoes it."
    )


def test_data_jumps_use_the_last_annotation_key_while_the_media_is_selected(
    make_napari_viewer: Any,
) -> None:
    viewer = make_napari_viewer()
    viewer.open_sample("napari-whiskertoolbox", "whisker_session")
    session = get_session(viewer)
    dock = KeyHelpWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Key help")
    assert viewer.layers.selection.active.name == "media"  # what napari selects after a sample
    key = session.active_key
    assert key is not None
    assert session.dm.data_type(key) in ("points", "line", "mask")
    assert f"Active key: {key}" in dock.status_label.text()
    assert "while 'media' is selected" in dock.status_label.text()
    frames = session.dm.get_data(key).times_with_data()
    session.set_frame(int(frames[0]))
    press(viewer, "Control-Right")
    assert session.current_frame == session.to_display(key, int(frames[1]))
    viewer.layers.selection.active = viewer.layers["whiskers"]
    assert session.active_key == "whiskers"
    viewer.layers.selection.active = viewer.layers["media"]
    assert session.active_key == "whiskers"
    assert "Active key: whiskers" in dock.status_label.text()


def test_the_key_table_fills_its_dock_in_the_demo_layout(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    from qtpy.QtWidgets import QDockWidget

    from napari_whiskertoolbox.demo import WINDOW_SIZE, _add_docks

    viewer = make_napari_viewer(show=True)
    viewer.window.resize(*WINDOW_SIZE)
    viewer.open_sample("napari-whiskertoolbox", "whisker_session")
    assert _add_docks(viewer) == []
    dock = next(w for w in viewer.window.dock_widgets.values() if isinstance(w, KeyHelpWidget))
    frame = dock.parentWidget()
    while not isinstance(frame, QDockWidget):
        frame = frame.parentWidget()
    frame.raise_()  # its tab in the right column
    table = dock.table
    qtbot.waitUntil(lambda: table.isVisible() and table.viewport().height() > 200, timeout=5000)
    viewport = table.viewport().rect()
    hidden = [
        table.item(row, 1).text()
        for row in range(table.rowCount())
        if not viewport.contains(table.visualItemRect(table.item(row, 1)))
    ]
    assert hidden == []
    assert table.height() >= dock.height() - dock.status_label.height() - 30  # fills the dock


def test_a_keypoints_layer_is_what_the_jump_and_copy_keys_act_on(
    make_napari_viewer: Any, notifications: list[str]
) -> None:
    """Were: with a DeepLabCut/SLEAP keypoints layer selected, Ctrl+→, Ctrl+Shift+→ and
    Ctrl+D said "No active key: select a WhiskerToolbox layer first" (a pose set's layer is
    no key's)."""
    from napari_whiskertoolbox.core import ArrayMedia
    from napari_whiskertoolbox.io.contributions import commit
    from napari_whiskertoolbox.io.pose import PoseSet, pose_key

    viewer = make_napari_viewer()
    session = get_session(viewer)
    dm = session.dm
    keys = {"": {part: pose_key("mouse", "", part) for part in ("snout", "paw")}}
    snout, paw = PointData(), PointData()
    snout.add(2, np.array([[10.0, 20.0]], np.float32))
    paw.add(2, np.array([[30.0, 40.0]], np.float32))
    paw.add(6, np.array([[31.0, 41.0]], np.float32))
    pose = PoseSet("mouse", ["snout", "paw"], [""], keys=keys)
    media = ArrayMedia(np.zeros((N_FRAMES, 64, 64), np.uint8))
    commit(dm, [("media", media), (keys[""]["snout"], snout), (keys[""]["paw"], paw), ("mouse", pose)])  # fmt: skip
    dock = KeyHelpWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Key help")
    viewer.layers.selection.active = viewer.layers["mouse"]
    assert session.active_pose == "mouse"
    assert session.active_key is None
    assert "Active: mouse keypoints" in dock.status_label.text()
    session.set_frame(0)
    press(viewer, "Control-Right")
    assert session.current_frame == 2
    press(viewer, "Control-Right")
    assert session.current_frame == 6  # a frame with one body part counts
    press(viewer, "Control-Shift-Right")
    assert session.current_frame == 7
    press(viewer, "Control-D")  # frame 6's keypoints (paw only) here
    np.testing.assert_array_equal(paw.at(7), [[31.0, 41.0]])
    assert snout.count_at(7) == 0
    assert notifications[-1] == (
        "mouse: copied 1 keypoint from frame 6 to frame 7, to an empty frame. Ctrl+Z undoes it."
    )
    session.set_frame(4)
    snout.add(4, np.array([[1.0, 2.0]], np.float32))
    press(viewer, "Control-Shift-D")  # fills the paw from frame 2, keeps this snout
    np.testing.assert_array_equal(snout.at(4), [[1.0, 2.0]])
    np.testing.assert_array_equal(paw.at(4), [[30.0, 40.0]])
    assert viewer.layers["mouse"].data.shape == (2, 2)
    press(viewer, "Control-Z")  # the whole copy is one step
    assert paw.count_at(4) == 0
    session.set_frame(7)
    press(viewer, "Control-Shift-D")  # frame 6's paw is placed here already: no step made
    assert notifications[-1] == (
        "mouse: nothing copied from frame 6 to frame 7: every body part frame 6 has is "
        "placed here already (1 kept)."
    )  # was "copied 0 keypoints ... Ctrl+Z undoes it": Ctrl+Z undid an earlier edit instead
    viewer.layers.selection.active = viewer.layers["media"]
    assert session.active_pose == "mouse"  # the media does not take it over


def test_the_next_keypoint_chosen_in_the_dock_is_placed_and_the_choice_moves_on(
    make_napari_viewer: Any, notifications: list[str]
) -> None:
    """Were: an added point always went to the first body part missing, so a part after an
    occluded one could not be labelled without placing the occluded one first."""
    from napari_whiskertoolbox.core import ArrayMedia
    from napari_whiskertoolbox.io.contributions import commit
    from napari_whiskertoolbox.io.pose import PoseSet, pose_key
    from napari_whiskertoolbox.widgets.key_help import AUTO_BODYPART

    viewer = make_napari_viewer()
    session = get_session(viewer)
    parts = ["snout", "ear", "paw"]
    keys = {"": {part: pose_key("mouse", "", part) for part in parts}}
    media = ArrayMedia(np.zeros((N_FRAMES, 64, 64), np.uint8))
    entries = [(keys[""][part], PointData()) for part in parts]
    commit(session.dm, [("media", media), *entries, ("mouse", PoseSet("mouse", parts, [""], keys=keys))])  # fmt: skip
    dock = KeyHelpWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Key help")
    layer = viewer.layers["mouse"]
    viewer.layers.selection.active = layer
    assert not dock.pose_row.isHidden()
    assert dock.individual_combo.isHidden()  # one animal
    combo = dock.bodypart_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [AUTO_BODYPART, *parts]
    combo.setCurrentText("ear")  # the snout is occluded: skip it
    layer.add([[5.0, 6.0]])
    dm = session.dm
    np.testing.assert_array_equal(dm.get_data(keys[""]["ear"]).at(0), [[6.0, 5.0]])
    assert combo.currentText() == "paw"  # moved on, as DeepLabCut's sequential labelling
    layer.add([[7.0, 8.0]])
    assert combo.currentText() == "snout"  # wraps round to the one still missing
    combo.setCurrentText("ear")
    layer.add([[9.0, 9.0]])  # the ear is placed already: refused, nothing moved
    assert notifications[-1].startswith("ear of the animal already has a point on this frame")
    assert len(layer.data) == 2
    np.testing.assert_array_equal(dm.get_data(keys[""]["ear"]).at(0), [[6.0, 5.0]])
    combo.setCurrentText(AUTO_BODYPART)
    layer.add([[1.0, 2.0]])
    np.testing.assert_array_equal(dm.get_data(keys[""]["snout"]).at(0), [[2.0, 1.0]])
