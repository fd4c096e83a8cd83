"""Docks read well on napari's dark and light themes, and follow a theme change."""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy.QtCore import Qt
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.data_browser import DataBrowserWidget
from napari_whiskertoolbox.widgets.theme_colors import (
    MIN_CONTROL_CONTRAST,
    contrast_ratio,
    theme_hex,
)
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

THEMES = ("dark", "light")


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def _pixel(image, x: int, y: int) -> tuple[int, int, int]:
    color = image.pixelColor(x, y)
    return color.red(), color.green(), color.blue()


@pytest.fixture
def browser(make_napari_viewer):
    viewer = make_napari_viewer()
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    widget = DataBrowserWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Data browser", area="right")
    return widget


@pytest.mark.parametrize("theme", THEMES)
def test_unchecked_shown_box_stands_out_from_the_table(browser, theme):
    """An unticked Shown box is drawn with an outline of >= 3:1 contrast on the table."""
    browser.viewer.theme = "light" if theme == "dark" else "dark"
    _settle()
    browser.viewer.theme = theme  # the dock was open before: it follows the change
    _settle()
    row = browser.listed_keys().index("whisker_angle")  # no timeline: not shown
    assert browser.row_of("whisker_angle")["Shown"] == "no"
    table = browser.table
    rect = table.visualRect(table.model().index(row, 0))
    image = table.viewport().grab(rect).toImage()
    table_color = theme_hex(theme, "foreground")
    best = max(
        contrast_ratio(_pixel(image, x, y), table_color)
        for x in range(image.width())
        for y in range(image.height())
    )
    assert best >= MIN_CONTROL_CONTRAST, f"unchecked box contrast {best:.2f} on {theme}"
    checked = table.item(browser.listed_keys().index("whiskers"), 0)
    assert checked.checkState() == Qt.CheckState.Checked


def _widget_display_names() -> list[str]:
    import yaml

    manifest = Path(__file__).resolve().parents[2] / "napari.yaml"
    widgets = yaml.safe_load(manifest.read_text())["contributions"]["widgets"]
    return [entry["display_name"] for entry in widgets]


@pytest.mark.parametrize("name", _widget_display_names())
def test_dock_title_reads_whole_at_default_width(make_napari_viewer, name):
    """The dock's title ("<name> (WhiskerToolbox)") is not cut off at the width napari gives it."""
    from qtpy.QtWidgets import QLabel

    from napari_whiskertoolbox.workflow.docks import add_plugin_dock, dock_name

    viewer = make_napari_viewer(show=True)
    viewer.window.resize(1268, 800)  # napari's default window size
    dock, _ = add_plugin_dock(viewer, name)
    _settle()
    title = dock_name(name)
    labels = [label for label in dock.findChildren(QLabel) if label.text() == title]
    assert labels, f"no title label {title!r}"
    label = labels[0]
    needed = label.fontMetrics().horizontalAdvance(title)
    # a bottom dock's title bar is vertical: napari hides its text (icons only)
    assert label.isHidden() or needed <= label.contentsRect().width(), (
        f"{title!r} needs {needed} px, its title shows {label.contentsRect().width()} px"
    )


@pytest.mark.parametrize("theme", THEMES)
def test_timeline_plot_follows_the_theme(make_napari_viewer, theme):
    """The plot takes napari's canvas colour; lane names, axis and cursor stay readable."""
    from napari_whiskertoolbox.widgets.timeline import TimelineWidget

    viewer = make_napari_viewer()
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    timeline = TimelineWidget(viewer)
    viewer.window.add_dock_widget(timeline, name="Timeline", area="bottom")
    timeline.show_lane("contact")
    viewer.theme = "light" if theme == "dark" else "dark"
    _settle()
    viewer.theme = theme  # changed after the dock opened
    _settle()
    canvas = theme_hex(theme, "canvas")
    image = timeline.plot_widget.grab().toImage()
    assert contrast_ratio(_pixel(image, 2, 2), canvas) < 1.05  # drawn on the canvas colour
    left = timeline.plot_item.getAxis("left")
    label_color = left.textPen().color().name()
    assert contrast_ratio(label_color, canvas) >= 4.5, f"lane names {label_color} on {canvas}"
    cursor_color = timeline.cursor.line.pen.color().name()
    assert contrast_ratio(cursor_color, canvas) >= MIN_CONTROL_CONTRAST, cursor_color
    lane = timeline.lanes["contact"]
    mark = lane.selection.opts["brush"].color().name()
    assert contrast_ratio(mark, canvas) >= MIN_CONTROL_CONTRAST, f"selected interval {mark}"


def test_transforms_messages_read_on_both_themes(make_napari_viewer, tmp_path):
    """Error and warning lines keep 4.5:1 on the background, also after a theme change."""
    from qtpy.QtGui import QPalette

    from napari_whiskertoolbox.transforms.library import PipelineLibrary
    from napari_whiskertoolbox.widgets.theme_colors import MIN_TEXT_CONTRAST
    from napari_whiskertoolbox.widgets.transforms.dock import WARN_COLOR, TransformsWidget, _say

    viewer = make_napari_viewer()
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    dock = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    viewer.window.add_dock_widget(dock, name="Transforms", area="right")
    viewer.theme = "dark"
    dock.report("the transform failed", error=True)
    _say(dock.output_warning, "a key of that name exists", WARN_COLOR, dock.theme_name)
    for theme in ("light", "dark", "light"):
        viewer.theme = theme  # after the messages were shown
        _settle()
        background = theme_hex(theme, "background")
        for label in (dock.status.native, dock.output_warning.native):
            label.ensurePolished()
            color = label.palette().color(QPalette.ColorRole.WindowText).name()
            ratio = contrast_ratio(color, background)
            assert ratio >= MIN_TEXT_CONTRAST, f"{color} on {background} ({theme}): {ratio:.2f}"


@pytest.mark.parametrize("theme", THEMES)
def test_processor_dialog_unchecked_keys_show(make_napari_viewer, qtbot, theme):
    """The Run-as-processor dialog's unticked key boxes stand out (>= 3:1) from the list."""
    from qtpy.QtWidgets import QWidget

    from napari_whiskertoolbox.widgets.processor_run import ProcessorDialog

    viewer = make_napari_viewer(show=True)
    viewer.theme = theme
    dm = get_session(viewer).dm
    adopt_data_manager(dm, make_sample_session(n_frames=30))
    holder = QWidget()
    viewer.window.add_dock_widget(holder, name="holder", area="right")
    dialog = ProcessorDialog(dm, "run_", holder, theme_name=theme)
    qtbot.addWidget(dialog)
    dialog.show()
    _settle()
    keys = dialog.events
    item = keys.item(0)
    assert item.checkState() == Qt.CheckState.Unchecked
    rect = keys.visualItemRect(item)
    image = keys.viewport().grab(rect).toImage()
    list_color = _pixel(image, image.width() - 2, image.height() // 2)  # right of the text
    best = max(
        contrast_ratio(_pixel(image, x, y), list_color)
        for x in range(min(24, image.width()))  # the box, left of the key's name
        for y in range(image.height())
    )
    assert best >= MIN_CONTROL_CONTRAST, f"unchecked box contrast {best:.2f} on {theme}"


@pytest.mark.parametrize("theme", THEMES)
def test_chosen_transform_row_reads_as_napari_lists_selection(make_napari_viewer, tmp_path, theme):
    """A new-user trial: the chosen transform's row was pale text on grey (napari's
    ``highlight``), unlike napari's layer list, whose selected layer is ``current``."""
    from collections import Counter

    from napari_whiskertoolbox.transforms.library import PipelineLibrary
    from napari_whiskertoolbox.widgets.theme_colors import MIN_TEXT_CONTRAST
    from napari_whiskertoolbox.widgets.transforms.dock import TransformsWidget

    viewer = make_napari_viewer(show=True)  # a hidden tree draws no selection
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    dock = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    viewer.window.add_dock_widget(dock, name="Transforms", area="right")
    viewer.theme = "light" if theme == "dark" else "dark"
    _settle()
    dock.search.value = "line angle"
    assert dock.choose_first_match() == "CalculateLineAngle"
    viewer.theme = theme  # the dock was open before: it follows the change
    _settle()
    tree = dock.tree
    image = tree.viewport().grab(tree.visualItemRect(tree.currentItem())).toImage()
    pixels = [_pixel(image, x, y) for x in range(image.width()) for y in range(image.height())]
    row = "#{:02x}{:02x}{:02x}".format(*Counter(pixels).most_common(1)[0][0])
    assert row == theme_hex(theme, "current")
    text = max(contrast_ratio(p, row) for p in pixels)
    assert text >= MIN_TEXT_CONTRAST, f"chosen row's text {text:.2f} on {row} ({theme})"
    # the Pipelines tab's library list too (napari's stylesheet has an item rule for lists)
    source = tmp_path / "angle.json"
    source.write_text('{"steps": [{"step_id": "a", "transform_name": "CalculateLineAngle"}]}')
    dock.tabs.setCurrentIndex(1)
    dock.pipelines.open_pipeline_file(source)
    _settle()
    listing = dock.pipelines.library_list
    image = listing.viewport().grab(listing.visualItemRect(listing.currentItem())).toImage()
    pixels = [_pixel(image, x, y) for x in range(image.width()) for y in range(image.height())]
    row = "#{:02x}{:02x}{:02x}".format(*Counter(pixels).most_common(1)[0][0])
    assert row == theme_hex(theme, "current")
