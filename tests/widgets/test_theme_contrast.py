"""Every fixed colour of our docks reads on napari's dark and light themes (WCAG 2.1).

Each test opens the real widget in a real napari viewer, switches the theme after the widget
is shown, and measures the colour the widget actually applied against the background it is
actually drawn on (grabbed pixels): text >= 4.5:1, marks (curves, bars, lines) >= 3:1.
"""

from __future__ import annotations

from collections import Counter

import pytest
from qtpy.QtGui import QColor, QPalette, QTextFormat
from qtpy.QtWidgets import QApplication, QWidget

from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.theme_colors import (
    MIN_CONTROL_CONTRAST,
    MIN_TEXT_CONTRAST,
    contrast_ratio,
    mix,
)
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

THEMES = ("dark", "light")


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def _other(theme: str) -> str:
    return "light" if theme == "dark" else "dark"


def _most_common(widget: QWidget) -> str:
    """The colour most of ``widget``'s grabbed pixels have: what it is drawn on."""
    image = widget.grab().toImage()
    step = max(1, min(image.width(), image.height()) // 40)
    counts = Counter(
        QColor(image.pixel(x, y)).name()
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    )
    return counts.most_common(1)[0][0]


def _text_color(label: QWidget) -> str:
    label.ensurePolished()
    return label.palette().color(QPalette.ColorRole.WindowText).name()


@pytest.fixture
def viewer(make_napari_viewer):
    viewer = make_napari_viewer(show=True)
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    return viewer


def _holder(viewer) -> QWidget:
    holder = QWidget()
    viewer.window.add_dock_widget(holder, name="holder", area="right")
    return holder


# -- dialogs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
def test_pipeline_editor_error_reads(viewer, qtbot, theme):
    """The Edit pipeline dialog's error line (once #e06c6c: 2.6:1 on light) reads at 4.5:1."""
    from napari_whiskertoolbox.transforms.pipeline import Pipeline
    from napari_whiskertoolbox.widgets.transforms.pipelines_panel import PipelineEditor

    viewer.theme = _other(theme)
    holder = _holder(viewer)
    _settle()
    dialog = PipelineEditor(Pipeline(metadata={"name": "p"}), holder)
    qtbot.addWidget(dialog)
    dialog.error.setText("step 1: sigma must be positive")
    dialog.show()
    _settle()
    viewer.theme = theme  # while the dialog is open
    _settle()
    color, background = _text_color(dialog.error), _most_common(dialog.error)
    ratio = contrast_ratio(color, background)
    assert ratio >= MIN_TEXT_CONTRAST, f"{color} on {background} ({theme}): {ratio:.2f}"


@pytest.mark.parametrize("theme", THEMES)
def test_key_name_dialog_error_reads(viewer, qtbot, theme):
    """The data browser's New key / Rename error line (once #e06c75) reads at 4.5:1."""
    from napari_whiskertoolbox.widgets.browser_dialogs import RenameDialog

    viewer.theme = _other(theme)
    holder = _holder(viewer)
    _settle()
    dm = get_session(viewer).dm
    dialog = RenameDialog(dm, "nose", holder)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("whiskers")  # taken: the error shows
    dialog.show()
    _settle()
    viewer.theme = theme  # while the dialog is open
    _settle()
    assert dialog.error_label.text()
    color, background = _text_color(dialog.error_label), _most_common(dialog.error_label)
    ratio = contrast_ratio(color, background)
    assert ratio >= MIN_TEXT_CONTRAST, f"{color} on {background} ({theme}): {ratio:.2f}"


@pytest.mark.parametrize("theme", THEMES)
def test_dialog_opened_on_the_theme_reads(viewer, qtbot, theme):
    """A key-name dialog opened after the theme was chosen starts readable."""
    from napari_whiskertoolbox.widgets.browser_dialogs import NewKeyDialog

    viewer.theme = theme
    holder = _holder(viewer)
    _settle()
    dialog = NewKeyDialog(get_session(viewer).dm, holder)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("nose")
    dialog.show()
    _settle()
    color, background = _text_color(dialog.error_label), _most_common(dialog.error_label)
    assert contrast_ratio(color, background) >= MIN_TEXT_CONTRAST, f"{color} on {background}"


# -- docks whose message colours already followed the theme: measured on pixels ------------------


@pytest.mark.parametrize("theme", THEMES)
def test_transforms_messages_read_on_their_pixels(viewer, tmp_path, theme):
    """The Transforms dock's error and warning lines, against the dock's grabbed pixels."""
    from napari_whiskertoolbox.transforms.library import PipelineLibrary
    from napari_whiskertoolbox.widgets.transforms.dock import WARN_COLOR, TransformsWidget, _say

    dock = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    viewer.window.add_dock_widget(dock, name="Transforms", area="right")
    viewer.theme = _other(theme)
    dock.report("the transform failed", error=True)
    _say(dock.output_warning, "a key of that name exists", WARN_COLOR, dock.theme_name)
    viewer.theme = theme
    _settle()
    for label in (dock.status.native, dock.output_warning.native):
        color, background = _text_color(label), _most_common(label)
        ratio = contrast_ratio(color, background)
        assert ratio >= MIN_TEXT_CONTRAST, f"{color} on {background} ({theme}): {ratio:.2f}"


@pytest.mark.parametrize("theme", THEMES)
def test_batch_statuses_read_on_their_pixels(viewer, theme):
    """Each status colour of the Batch results table, against the table's grabbed pixels."""
    from napari_whiskertoolbox.batch.records import BatchProgress
    from napari_whiskertoolbox.widgets.batch_dock import COLUMNS, BatchWidget

    dock = BatchWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Batch", area="right")
    statuses = ["done", "skipped", "failed", "cancelled"]
    dock._reset_table([f"s{i}.json" for i in range(len(statuses))])
    for index, status in enumerate(statuses):
        event = BatchProgress(
            index=index,
            name=f"s{index}",
            session=f"s{index}.json",
            status=status,
            finished=index + 1,
            total=len(statuses),
            record=None,
        )
        dock._on_progress(event)
    viewer.theme = _other(theme)
    _settle()
    viewer.theme = theme
    _settle()
    column = COLUMNS.index("status")
    table = dock.table
    for row, status in enumerate(statuses):
        rect = table.visualRect(table.model().index(row, column))
        image = table.viewport().grab(rect).toImage()
        background = QColor(image.pixel(image.width() - 2, image.height() // 2)).name()
        color = table.item(row, column).foreground().color().name()
        ratio = contrast_ratio(color, background)
        assert ratio >= MIN_TEXT_CONTRAST, (
            f"{status} {color} on {background} ({theme}): {ratio:.2f}"
        )


# -- script runner -------------------------------------------------------------------------------


@pytest.fixture
def runner(viewer, tmp_path):
    from _script_runner_support import docked_runner

    widget = docked_runner(viewer, settings_file=tmp_path / "settings.json")
    widget.native.resize(600, 900)
    return widget


@pytest.mark.parametrize("theme", THEMES)
def test_output_streams_read(viewer, runner, theme):
    """stderr, status and value lines of the output pane read at 4.5:1 on the pane.

    Before: napari's dark theme gave stderr #ff3a3a (4.4:1), the light one #e40000 (4.0:1)
    and status lines #3d7b7b (4.0:1).
    """
    viewer.theme = _other(theme)
    _settle()
    viewer.theme = theme
    _settle()
    pane = runner.output
    background = _most_common(pane.viewport())
    for stream in ("stdout", "stderr", "info", "value"):
        fmt = pane._stream_format(stream)
        own = fmt.hasProperty(QTextFormat.Property.ForegroundBrush)
        color = fmt.foreground().color().name() if own else _text_color(pane)
        ratio = contrast_ratio(color, background)
        assert ratio >= MIN_TEXT_CONTRAST, (
            f"{stream} {color} on {background} ({theme}): {ratio:.2f}"
        )


@pytest.mark.parametrize("theme", THEMES)
def test_syntax_colours_read(viewer, runner, theme):
    """Each syntax colour reads at 4.5:1 on the editor and on a cell title's shading.

    Before: napari's light theme gave keywords #008000 (4.2:1), comments #3d7b7b (4.0:1) and
    decorators #aa22ff (3.9:1).
    """
    viewer.theme = _other(theme)
    _settle()
    viewer.theme = theme
    _settle()
    editor = runner.editor
    editor.setPlainText("# %% a cell title\nx = 1\n")
    editor.rescan_cells()
    _settle()
    QApplication.processEvents()
    viewport = editor.viewport()
    background = _most_common(viewport)
    image = viewport.grab().toImage()
    block = editor.document().begin()
    title_rect = editor.blockBoundingGeometry(block).translated(editor.contentOffset())
    y = int(title_rect.center().y() * image.height() / viewport.height())
    title = QColor(image.pixel(image.width() - 4, y)).name()  # right of the title's text
    assert title != background, "the cell title line is not shaded"
    for name, fmt in editor.highlighter.styles.items():
        color = fmt.foreground().color().name()
        for under in (background, title):
            ratio = contrast_ratio(color, under)
            assert ratio >= MIN_TEXT_CONTRAST, f"{name} {color} on {under} ({theme}): {ratio:.2f}"


# -- timeline ------------------------------------------------------------------------------------


@pytest.fixture
def timeline(viewer):
    from napari_whiskertoolbox.widgets.timeline import TimelineWidget

    widget = TimelineWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Timeline", area="bottom")
    for key in ("whisker_angle", "contact", "contact_events"):
        widget.show_lane(key)
    _settle()
    return widget


def _pen(item) -> str:
    return item.opts["pen"].color().name()


def _drawn(brush, canvas: str) -> str:
    """The colour a translucent ``brush`` shows on ``canvas``."""
    color = brush.color()
    return mix(color.name(), canvas, color.alphaF())


@pytest.mark.parametrize("theme", THEMES)
def test_timeline_marks_show_on_the_canvas(viewer, timeline, theme):
    """Lanes in every palette colour, the selected interval, the drag preview and the cursor
    under the mouse show at 3:1 on the plot.

    Before: on the light theme's white canvas tab10's orange, green, olive and cyan lanes
    drew at 2.0-3.0:1 (interval bars, translucent, at 1.4-1.8:1), and the hovered cursor,
    the drag preview and the selected interval started white (1:1) until the theme applied.
    """
    from napari_whiskertoolbox.widgets.timeline.lane_state import _PALETTE

    viewer.theme = _other(theme)
    _settle()
    viewer.theme = theme
    _settle()
    canvas = _most_common(timeline.plot_widget)
    failures = []
    for color in _PALETTE:
        for key in ("whisker_angle", "contact", "contact_events"):
            timeline.set_lane_color(key, color)
        _settle()
        lanes = timeline.lanes
        drawn = {
            "analog": _pen(lanes["whisker_angle"].curve),
            "event": _pen(lanes["contact_events"].ticks),
            "interval": _drawn(lanes["contact"].bars.opts["brush"], canvas),
        }
        for kind, shown in drawn.items():
            ratio = contrast_ratio(shown, canvas)
            if ratio < MIN_CONTROL_CONTRAST:
                failures.append(f"{kind} lane {color} drawn {shown}: {ratio:.2f}")
    assert not failures, f"on {canvas} ({theme}): {failures}"
    lane = timeline.lanes["contact"]
    bar = _drawn(lane.bars.opts["brush"], canvas)
    marks = {
        "selected interval": _drawn(lane.selection.opts["brush"], bar),
        "drag preview outline": timeline.editor.preview.opts["pen"].color().name(),
        "cursor": timeline.cursor.line.pen.color().name(),
        "cursor under the mouse": timeline.cursor.line.hoverPen.color().name(),
    }
    for name, shown in marks.items():
        ratio = contrast_ratio(shown, canvas)
        assert ratio >= MIN_CONTROL_CONTRAST, f"{name} {shown} on {canvas} ({theme}): {ratio:.2f}"
    # the lane keeps its saved colour: only the drawing adapts
    assert timeline.state.color("contact") == _PALETTE[-1]
