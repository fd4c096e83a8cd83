"""GUI tests of the data-key browser on a real viewer holding the sample whisker session."""

from __future__ import annotations

import numpy as np
import pytest
from qtpy.QtCore import Qt
from qtpy.QtGui import QTextCursor
from qtpy.QtWidgets import QApplication, QStyle

from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.core import DigitalEventSeries
from napari_whiskertoolbox.io.intervals import read_intervals_csv
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.data_browser import COLUMNS, DataBrowserWidget
from napari_whiskertoolbox.widgets.timeline import TimelineWidget, find_timeline
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

SAMPLE_KEYS = [
    "media",
    "whiskers",
    "nose",
    "pad",
    "pad_mask",
    "whisker_angle",
    "contact",
    "contact_events",
]


@pytest.fixture
def browser(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    session = get_session(viewer)
    adopt_data_manager(session.dm, make_sample_session(n_frames=60))
    widget = DataBrowserWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Data browser", area="right")
    return widget


def layer_names(browser: DataBrowserWidget) -> list[str]:
    return [layer.name for layer in browser.viewer.layers]


def test_lists_sample_session_with_summaries(browser):
    assert browser.listed_keys() == SAMPLE_KEYS
    whiskers = browser.row_of("whiskers")
    assert whiskers["Type"] == "line"
    assert whiskers["Clock"] == "camera"
    assert whiskers["Size"] == "240 entries in 60 frames"
    assert whiskers["Image size"] == "320 × 240"
    assert whiskers["Shown"] == "yes"
    assert browser.row_of("media")["Size"] == "60 frames"
    assert browser.row_of("whisker_angle")["Size"] == "600 samples"
    n_contacts = len(browser.dm.get_data("contact"))
    plural = "" if n_contacts == 1 else "s"
    assert browser.row_of("contact")["Size"] == f"{n_contacts} interval{plural}"
    assert browser.row_of("contact")["Shown"] == "no"  # no timeline open yet


def test_follows_adds_deletes_renames_made_by_a_script(browser, qtbot):
    def run(code: str) -> None:
        result = browser.session.engine.run(code)
        assert result.success, result.error

    run("dm.set_data('licks', DigitalEventSeries([1, 5, 9]), 'time')")
    qtbot.waitUntil(lambda: "licks" in browser.listed_keys())
    assert browser.row_of("licks")["Size"] == "3 events"
    run("dm.get_data('licks').add(20)")
    qtbot.waitUntil(lambda: browser.row_of("licks")["Size"] == "4 events")
    run("dm.rename_data('licks', 'lick_times')")
    qtbot.waitUntil(lambda: "lick_times" in browser.listed_keys())
    assert "licks" not in browser.listed_keys()
    run("dm.delete_data('lick_times')")
    qtbot.waitUntil(lambda: "lick_times" not in browser.listed_keys())


def test_filter_by_type_and_text(browser):
    browser.set_filter("digital_interval")
    assert browser.listed_keys() == ["contact"]
    browser.set_filter(None, "PA")
    assert browser.listed_keys() == ["pad", "pad_mask"]
    browser.set_filter("points", "pa")
    assert browser.listed_keys() == ["pad"]
    browser.set_filter()
    assert browser.listed_keys() == SAMPLE_KEYS


def test_show_hide_toggles_synced_layer(browser, qtbot):
    assert "nose" in layer_names(browser)
    browser.set_shown("nose", False)
    assert "nose" not in layer_names(browser)
    qtbot.waitUntil(lambda: browser.row_of("nose")["Shown"] == "no")
    row = browser.listed_keys().index("nose")
    browser.table.item(row, 0).setCheckState(Qt.CheckState.Checked)  # the user ticks the box
    assert "nose" in layer_names(browser)
    assert browser.viewer.layers["nose"].metadata["wtb_key"] == "nose"
    qtbot.waitUntil(lambda: browser.row_of("nose")["Shown"] == "yes")


def test_a_click_anywhere_in_a_shown_cell_toggles_it_once(browser, qtbot):
    """Only the small box at the left of the Shown cell toggled the layer: a click in the
    middle of the cell did nothing."""
    from qtpy.QtCore import QPoint

    browser.viewer.window._qt_window.show()
    table = browser.table
    qtbot.waitExposed(table)

    def click(key: str, on_box: bool) -> None:
        row = browser.listed_keys().index(key)
        rect = table.visualItemRect(table.item(row, 0))
        box = table.style().subElementRect(
            QStyle.SubElement.SE_ItemViewItemCheckIndicator, _view_option(table, rect), table
        )
        where = box.center() if on_box else QPoint(rect.right() - 3, rect.center().y())
        assert rect.contains(where)
        assert on_box == box.contains(where)
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)

    click("nose", on_box=False)  # beside the box: hides
    assert "nose" not in layer_names(browser)
    qtbot.waitUntil(lambda: browser.row_of("nose")["Shown"] == "no")
    click("nose", on_box=False)  # and shows again
    assert "nose" in layer_names(browser)
    qtbot.waitUntil(lambda: browser.row_of("nose")["Shown"] == "yes")
    click("nose", on_box=True)  # on the box: Qt toggles it, once
    assert "nose" not in layer_names(browser)
    qtbot.waitUntil(lambda: browser.row_of("nose")["Shown"] == "no")


def _view_option(table, rect):
    from qtpy.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.rect = rect
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    return option


def test_series_key_shows_as_timeline_lane(browser, qtbot):
    browser.set_shown("whisker_angle", True)
    timeline = find_timeline(browser.viewer)
    assert isinstance(timeline, TimelineWidget)
    assert timeline.is_lane_shown("whisker_angle")
    qtbot.waitUntil(lambda: browser.row_of("contact")["Shown"] == "yes")
    browser.set_shown("contact", False)
    assert not timeline.is_lane_shown("contact")
    qtbot.waitUntil(lambda: browser.row_of("contact")["Shown"] == "no")
    timeline.show_lane("contact")  # changed in the timeline: the browser follows
    qtbot.waitUntil(lambda: browser.row_of("contact")["Shown"] == "yes")


def test_new_key_becomes_synced_layer_or_lane(browser, qtbot):
    browser.create_key("whisker_tips", "points")
    layer = browser.viewer.layers["whisker_tips"]
    assert layer.metadata["wtb_key"] == "whisker_tips"
    assert browser.dm.time_key("whisker_tips") == "camera"  # the display clock
    assert browser.dm.get_data("whisker_tips").image_size == (320, 240)
    browser.create_key("pole_touch", "intervals", clock="time")
    timeline = find_timeline(browser.viewer)
    assert timeline.is_lane_shown("pole_touch")
    assert timeline.editor.key == "pole_touch"
    qtbot.waitUntil(lambda: "pole_touch" in browser.listed_keys())
    browser.create_key("licks", "events", clock="time")  # marked at once, with G
    assert timeline.state.edit_key == "licks"
    assert timeline.mark_buttons.rows["digital_event"].isVisibleTo(timeline)
    with pytest.raises(ValueError, match="already exists"):
        browser.create_key("nose", "points")
    with pytest.raises(ValueError, match="not allowed"):
        browser.create_key("2 bad", "mask")
    with pytest.raises(ValueError, match="unknown key kind"):
        browser.create_key("ok_name", "tensor")
    with pytest.raises(KeyError, match="no clock"):
        browser.create_key("ok_name", "events", clock="nope")


def test_rename_and_undoable_delete(browser, qtbot):
    dm = browser.dm
    browser.rename_key("nose", "snout")
    assert "snout" in dm
    assert "nose" not in dm
    assert "snout" in layer_names(browser)
    with pytest.raises(ValueError, match="already exists"):
        browser.rename_key("snout", "pad")
    browser.delete_keys(["snout", "contact"])
    assert "snout" not in dm
    assert "contact" not in dm
    qtbot.waitUntil(lambda: "snout" not in browser.listed_keys())
    assert dm.undo()  # one step brings both back
    assert "snout" in dm
    assert "contact" in dm
    qtbot.waitUntil(lambda: "snout" in browser.listed_keys() and "contact" in browser.listed_keys())


def test_export_selection_reads_back(browser, tmp_path):
    browser.select_keys(["contact", "contact_events"])
    assert browser.selected_keys() == ["contact", "contact_events"]
    paths = browser.export_keys(browser.selected_keys(), tmp_path)
    assert [p.name for p in paths] == ["contact.csv", "contact_events.csv"]
    loaded = read_intervals_csv(paths[0])
    np.testing.assert_array_equal(loaded, browser.dm.get_data("contact").intervals)
    native = browser.export_keys(["whiskers"], tmp_path, "wtb_npy")[0]
    assert (tmp_path / "whiskers.coords.npy").is_file(), native
    with pytest.raises(ValueError, match="cannot be exported"):
        browser.export_keys(["media"], tmp_path)
    made = browser.export_keys(["contact"], tmp_path / "new" / "folder")  # a missing folder
    assert made == [tmp_path / "new" / "folder" / "contact.csv"]
    assert made[0].is_file()


def test_copy_code_and_insert_into_script_editor(browser):
    text = browser.copy_code(["whisker_angle", "contact"])
    assert text == 'dm.get_data("whisker_angle")\ndm.get_data("contact")'
    assert QApplication.clipboard().text() == text
    QApplication.clipboard().clear()
    assert browser.insert_into_script(["nose"]) is False  # no editor: clipboard fallback
    assert QApplication.clipboard().text() == 'dm.get_data("nose")'
    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

    runner = ScriptRunnerWidget(browser.viewer)
    browser.viewer.window.add_dock_widget(runner, name="Script runner")
    runner.editor.setPlainText("x = 1")
    runner.editor.moveCursor(QTextCursor.MoveOperation.End)
    assert browser.insert_into_script(["nose"]) is True
    assert runner.editor.toPlainText() == 'x = 1\ndm.get_data("nose")\n'
    assert QApplication.clipboard().text() == 'dm.get_data("nose")'  # clipboard untouched


def test_groups_listed_and_made_from_layer_selection(browser, qtbot):
    dm = browser.dm
    whisker_ids = dm.get_data("whiskers").ids_at(0)
    dm.groups.create("first_frame_whiskers", whisker_ids.tolist())
    qtbot.waitUntil(lambda: "first_frame_whiskers" in browser.groups.group_names())
    members = browser.groups.members_shown("first_frame_whiskers")
    assert len(members) == 4
    assert all("whiskers @ frame 0" in text for text in members)
    tree = browser.groups.tree
    group = tree.topLevelItem(browser.groups.group_names().index("first_frame_whiskers"))
    child = group.child(0)
    text_px = tree.fontMetrics().horizontalAdvance(child.text(0))
    drawn = tree.visualRect(tree.indexFromItem(child, 0))
    assert drawn.width() >= text_px  # the member's text is not elided to "1018 …"

    browser.session.set_frame(0)
    layer = browser.viewer.layers["whiskers"]
    layer.selected_data = {1, 3}
    browser.viewer.layers.selection.active = layer
    ids = browser.groups.group_from_layer("two_whiskers")
    np.testing.assert_array_equal(np.sort(ids), np.sort(whisker_ids[[1, 3]]))
    qtbot.waitUntil(lambda: "two_whiskers" in browser.groups.group_names())
    item = browser.groups.tree.topLevelItem(browser.groups.group_names().index("two_whiskers"))
    assert item.text(1) == "2"
    layer.selected_data = set()
    with pytest.raises(ValueError, match="nothing is selected"):
        browser.groups.group_from_layer("empty")
    assert isinstance(dm.get_data("contact_events"), DigitalEventSeries)


def test_new_key_dialog_validates_the_name(browser):
    from qtpy.QtWidgets import QDialogButtonBox

    from napari_whiskertoolbox.widgets.browser_dialogs import NewKeyDialog

    dialog = NewKeyDialog(browser.dm, browser)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    assert dialog.error_label.text() == ""  # nothing typed yet is no error
    hint = dialog.name_edit.placeholderText()  # a grey hint instead, read whole
    assert "contacts" in hint
    assert dialog.name_edit.minimumWidth() > dialog.name_edit.fontMetrics().horizontalAdvance(hint)
    dialog.name_edit.setText("nose")
    assert not ok.isEnabled()
    assert "already exists" in dialog.error_label.text()
    dialog.name_edit.setText("whisker_tips")
    dialog.kind_combo.setCurrentText("lines")
    dialog.clock_combo.setCurrentText("camera")
    assert ok.isEnabled()
    assert dialog.error_label.text() == ""
    assert (dialog.name, dialog.kind, dialog.clock) == ("whisker_tips", "lines", "camera")
    dialog.name_edit.setText("")  # typed, then deleted: OK is off, still no red line
    assert not ok.isEnabled()
    assert dialog.error_label.text() == ""
    dialog.deleteLater()


def test_key_name_dialog_reports_an_empty_name_once_the_user_goes_on(browser, qtbot):
    from napari_whiskertoolbox.widgets.browser_dialogs import NewKeyDialog, RenameDialog

    dialog = NewKeyDialog(browser.dm, browser)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.error_label.text() == ""
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # Enter with no name
    assert dialog.isVisible()
    assert "empty" in dialog.error_label.text()
    dialog.accept()  # whatever calls accept: refused and explained
    assert dialog.isVisible()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.name_edit.setText("whisker_tips")
    assert dialog.error_label.text() == ""
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted

    rename = RenameDialog(browser.dm, "nose", browser)
    qtbot.addWidget(rename)
    assert rename.error_label.text() == ""
    rename.name_edit.setText("")
    assert rename.error_label.text() == ""
    rename.name_edit.setText("pad")
    assert "already exists" in rename.error_label.text()


def test_rename_without_a_selection_says_so(browser, qtbot, notifications):
    browser.table.clearSelection()
    qtbot.mouseClick(browser.rename_button, Qt.MouseButton.LeftButton)
    assert notifications[-1] == "Select a key in the table to rename it."
    browser.select_keys(["nose", "pad"])
    qtbot.mouseClick(browser.rename_button, Qt.MouseButton.LeftButton)
    assert notifications[-1] == "Select only one key to rename (2 are selected)."


def test_delete_without_a_selection_says_so(browser, qtbot, notifications):
    browser.table.clearSelection()
    keys = browser.dm.keys()
    qtbot.mouseClick(browser.delete_button, Qt.MouseButton.LeftButton)
    assert notifications[-1] == "Select the keys to delete in the table first."
    assert browser.dm.keys() == keys


def test_export_offers_writable_formats_explains_them_and_makes_the_folder(
    browser, qtbot, tmp_path, notifications, answer_dialog
):
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT
    from napari_whiskertoolbox.widgets.browser_dialogs import ExportDialog
    from napari_whiskertoolbox.widgets.browser_export import export_formats

    assert export_formats("video") == []
    assert export_formats("mask") == ["csv", "png", NATIVE_FORMAT]  # one name per writer
    browser.session.path = tmp_path / "exp.session"  # a saved session: exports go beside it
    (tmp_path / "exp.session").mkdir()
    browser.select_keys(["media", "contact"])

    def check_and_export(dialog: ExportDialog) -> None:
        formats = [dialog.format_combo.itemText(i) for i in range(dialog.format_combo.count())]
        assert formats == ["default", "csv", NATIVE_FORMAT]  # media is left out
        assert dialog.keys == ["contact"]
        assert dialog.folder == str(tmp_path / "exp.session" / "exports")
        assert "start,end" in dialog.help_label.text()
        dialog.format_combo.setCurrentText(NATIVE_FORMAT)
        assert "read back only by this plugin" in dialog.help_label.text()
        dialog.format_combo.setCurrentText("csv")
        dialog.folder_edit.setText(str(tmp_path / "new" / "exports"))
        dialog.accept()

    seen = answer_dialog(ExportDialog, check_and_export)
    qtbot.mouseClick(browser.export_button, Qt.MouseButton.LeftButton)
    assert seen == ["Export contact"]
    assert "Not exported: media (media stays in its own video or image files)." in notifications
    written = tmp_path / "new" / "exports" / "contact.csv"
    np.testing.assert_array_equal(
        read_intervals_csv(written), browser.dm.get_data("contact").intervals
    )
    browser.select_keys(["media"])
    qtbot.mouseClick(browser.export_button, Qt.MouseButton.LeftButton)  # nothing to ask
    assert notifications[-1].startswith("Not exported: media")


def test_undoing_a_delete_puts_the_key_back_in_place_with_its_lane_colour(browser, qtbot):
    timeline = browser.timeline()
    timeline.set_lane_color("contact", "#ff0000")
    lanes_before = timeline.lane_keys()
    browser.delete_keys(["contact", "nose"])
    qtbot.waitUntil(lambda: "contact" not in browser.listed_keys())
    qtbot.waitUntil(lambda: "contact" not in timeline.lane_keys())
    browser.dm.undo()
    qtbot.waitUntil(lambda: browser.listed_keys() == SAMPLE_KEYS)
    qtbot.waitUntil(lambda: timeline.lane_keys() == lanes_before)
    assert timeline.lanes["contact"].color == "#ff0000"
    assert browser.dm.keys() == SAMPLE_KEYS


def test_keypoints_of_a_pose_set_are_shown_by_its_layer_not_one_layer_each(browser, qtbot):
    from napari_whiskertoolbox.core import PointData
    from napari_whiskertoolbox.io.pose import PoseSet, apply_pose

    dm = browser.dm
    for part in ("nose", "tail"):
        points = PointData()
        points.add(0, [[10.0, 20.0]])
        dm.set_data(f"dlc_{part}", points, "camera")
    apply_pose(
        dm,
        PoseSet("dlc", ["nose", "tail"], [""], [], {"": {"nose": "dlc_nose", "tail": "dlc_tail"}}),
    )
    qtbot.waitUntil(lambda: "dlc" in layer_names(browser))
    qtbot.waitUntil(lambda: "dlc_nose" in browser.listed_keys())
    assert browser.row_of("dlc_nose")["Shown"] == "yes"  # drawn by the pose layer
    with pytest.raises(ValueError, match="pose layer 'dlc'"):
        browser.set_shown("dlc_nose", True)
    assert "dlc_nose" not in layer_names(browser)  # no second layer of the same keypoints
    browser.viewer.layers.remove("dlc")
    qtbot.waitUntil(lambda: browser.row_of("dlc_nose")["Shown"] == "no")
    browser.set_shown("dlc_tail", True)  # brings the removed pose layer back
    assert layer_names(browser).count("dlc") == 1
    qtbot.waitUntil(lambda: browser.row_of("dlc_nose")["Shown"] == "yes")
    assert "dlc_tail" not in layer_names(browser)


def test_key_name_dialog_keeps_its_width_and_shows_a_long_error_whole(browser, qtbot):
    """A long error wraps in the dialog's width (it made the dialog jump from 250 to 630 px
    wide as the name was typed) and the dialog grows a line for it, never clipping it."""
    from napari_whiskertoolbox.widgets.browser_dialogs import NewKeyDialog, RenameDialog

    for dialog in (NewKeyDialog(browser.dm, browser), RenameDialog(browser.dm, "nose", browser)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        width = dialog.width()
        dialog.name_edit.setText("my nose")
        qtbot.wait(50)
        label = dialog.error_label
        assert "not allowed" in label.text()
        assert dialog.width() == width
        assert label.height() >= label.heightForWidth(label.width())  # every line shown
        assert label.geometry().bottom() < dialog.buttons.geometry().top()
        dialog.close()


def test_a_long_key_name_leaves_the_other_columns_in_view(browser, qtbot):
    """A 55-character key pushed Type and Clock off a dock as narrow as napari's; then an
    all-stretch layout left Name a few pixels wide ("…" in every row) at the default size."""
    long_key = "pad_signal_interval_threshold_digital_interval_boolean"
    browser.dm.set_data(long_key, DigitalEventSeries([1, 5]))
    table = browser.table
    for width in (420, 300):
        browser.resize(width, 400)
        browser.show()
        qtbot.waitUntil(lambda: long_key in browser.listed_keys())
        QApplication.processEvents()
        right = table.viewport().width()
        for column in ("Type", "Clock"):
            c = COLUMNS.index(column)
            if width >= 420:
                end = table.columnViewportPosition(c) + table.columnWidth(c)
                assert end <= right, (column, end, right)
        readable = table.fontMetrics().horizontalAdvance("x" * 14)
        assert table.columnWidth(1) >= readable  # never a column of "…"
        assert table.columnWidth(1) < table.fontMetrics().horizontalAdvance(long_key)
    row = browser.listed_keys().index(long_key)
    name = table.item(row, 1)
    assert name.text() == long_key  # elided on screen only
    assert name.toolTip() == long_key
    short = browser.listed_keys().index("nose")
    assert table.columnWidth(1) >= table.fontMetrics().horizontalAdvance(
        table.item(short, 1).text()
    )


def test_the_timeline_the_browser_docks_is_the_one_the_plugins_menu_toggles(browser, qtbot):
    """Were: docked as 'Timeline', not 'Timeline (WhiskerToolbox)': the Plugins menu showed
    it unchecked, and add_plugin_dock(viewer, 'Timeline') built a second widget that napari
    deleted at once (RuntimeError: wrapped C/C++ object ... deleted)."""
    from qtpy.QtWidgets import QDockWidget

    from napari_whiskertoolbox.workflow.docks import add_plugin_dock, dock_name

    viewer = browser.viewer
    assert find_timeline(viewer) is None
    timeline = browser.timeline()
    docks = viewer.window.dock_widgets
    assert dock_name("Timeline") in docks
    assert "Timeline" not in docks
    assert add_plugin_dock(viewer, "Timeline") == (None, timeline)
    timeline.lane_keys()  # the widget lives
    wrapper = timeline.parentWidget()
    while not isinstance(wrapper, QDockWidget):
        wrapper = wrapper.parentWidget()
    area = viewer.window._qt_window.dockWidgetArea(wrapper)
    assert area == Qt.DockWidgetArea.BottomDockWidgetArea
    assert [w for w in QApplication.allWidgets() if isinstance(w, TimelineWidget)] == [timeline]
