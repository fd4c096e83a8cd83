"""The variable watch: statistics, data objects' key and clock, refresh, double-click views."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from _script_runner_support import docked_runner, run_and_wait
from qtpy.QtCore import Qt
from qtpy.QtWidgets import QLabel

from napari_whiskertoolbox.core import AnalogTimeSeries, TimeFrame
from napari_whiskertoolbox.widgets.array_view import ArrayViewDialog
from napari_whiskertoolbox.widgets.namespace_inspector import COLUMNS
from napari_whiskertoolbox.widgets.recent_files import RecentFiles
from napari_whiskertoolbox.workflow.console import console_executed
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

pytestmark = pytest.mark.gui


@pytest.fixture
def viewer(make_napari_viewer):
    viewer = make_napari_viewer()
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=100.0))
    dm.set_data("angle", AnalogTimeSeries(np.linspace(-1, 1, 1000, dtype=np.float32)))
    return viewer


@pytest.fixture
def runner(viewer, qtbot, tmp_path: Path) -> ScriptRunnerWidget:
    return docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))


def test_arrays_get_lazy_stats_and_data_objects_their_key_and_clock(qtbot, runner) -> None:
    run_and_wait(
        qtbot,
        runner,
        "a = np.array([[1.0, np.nan], [4.0, 7.0]])\n"
        "angle = dm.getData('angle')\n"
        "loose = DigitalEventSeries([1, 5])\n"
        "name = 'text'\n",
        succeed=True,
    )
    inspector = runner.inspector
    qtbot.waitUntil(lambda: not inspector.stats_pending, timeout=5000)
    row = inspector.row("a")
    assert (row["Shape"], row["Dtype"]) == ("2×2", "float64")
    assert (row["Min"], row["Max"], row["Mean"]) == ("1", "7", "4")
    angle = inspector.row("angle")
    assert (angle["Key"], angle["Clock"], angle["Type"]) == ("angle", "time", "AnalogTimeSeries")
    assert (angle["Min"], angle["Max"]) == ("-1", "1")
    loose = inspector.row("loose")
    assert (loose["Key"], loose["Clock"], loose["Shape"]) == ("", "", "2")
    assert inspector.row("name")["Min"] == ""
    # the viewer scripts get is a main-thread proxy: the watch names what is behind it
    viewer_row = inspector.row("viewer")
    assert viewer_row["Type"] == "Viewer"
    assert viewer_row["Summary"] == "napari Viewer; scripts call it on the main thread"


def test_huge_arrays_are_sampled_once_the_time_budget_is_spent(qtbot, runner) -> None:
    code = "big = np.broadcast_to(np.float32(1), (3000, 10000))\n"  # 30M values, no memory
    run_and_wait(qtbot, runner, code, succeed=True)
    inspector = runner.inspector
    inspector.stats_budget_s = 0.0  # spent after the first chunk: the rest is sampled
    runner.refresh_namespace()
    inspector.finish_stats()
    row = inspector.row("big")
    assert (row["Min"], row["Max"], row["Mean"]) == ("≈1", "≈1", "≈1")
    item = next(
        inspector.topLevelItem(i)
        for i in range(inspector.topLevelItemCount())
        if inspector.topLevelItem(i).text(0) == "big"
    )
    assert "approximate: from" in item.toolTip(6)
    assert "of 30,000,000 values" in item.toolTip(6)


def test_the_watch_follows_runs_and_console_commands(qtbot, runner) -> None:
    run_and_wait(qtbot, runner, "counter = 1\n", succeed=True)
    assert "counter" in runner.inspector.names()
    # what napari's console reports after a command (tests of the real console: workflow/)
    console_executed.emit(runner.engine.dm, {"from_console": np.arange(3)}, ())
    qtbot.waitUntil(lambda: "from_console" in runner.inspector.names(), timeout=5000)
    assert "from_console" in runner.engine.namespace
    console_executed.emit(runner.engine.dm, {}, ("from_console",))  # `del from_console`
    qtbot.waitUntil(lambda: "from_console" not in runner.inspector.names(), timeout=5000)
    assert "from_console" not in runner.engine.namespace
    console_executed.emit(object(), {"elsewhere": 1}, ())  # another viewer's console
    qtbot.wait(20)
    assert "elsewhere" not in runner.inspector.names()


def test_double_click_shows_arrays_in_a_table_and_series_as_lanes(qtbot, runner, viewer) -> None:
    run_and_wait(
        qtbot,
        runner,
        "table = np.arange(12.0).reshape(4, 3)\n"
        "angle = dm.getData('angle')\n"
        "doubled = AnalogTimeSeries(angle.values * 2)\n",
        succeed=True,
    )
    inspector = runner.inspector
    items = {inspector.topLevelItem(i).text(0): inspector.topLevelItem(i) for i in range(5)}
    inspector.itemDoubleClicked.emit(items["table"], 0)  # what a double-click sends
    assert len(runner.value_views) == 1
    view = runner.value_views[0]
    assert isinstance(view, ArrayViewDialog)
    model = view.model
    assert (model.rowCount(), model.columnCount()) == (4, 3)
    assert model.data(model.index(3, 2)) == "11"
    view.close()
    qtbot.waitUntil(lambda: runner.value_views == [], timeout=10_000)
    assert runner.show_value("angle") == "angle"  # a key: its own lane
    assert runner.show_value("doubled") == "doubled"  # not in dm: a plotted lane by name
    timeline = next(w for w in viewer.window.dock_widgets.values() if hasattr(w, "plot_series"))
    assert timeline.is_lane_shown("doubled")
    assert "doubled" not in runner.engine.dm


def test_big_and_ragged_values_open_lazily(qtbot, runner) -> None:
    run_and_wait(
        qtbot,
        runner,
        "long = np.broadcast_to(np.float32(0), (10_000_000,))\n"
        "nose = PointData()\n"
        "nose.add(3, [[1, 2], [3, 4]])\n"
        "whisker = LineData()\n"
        "whisker.add(2, [[0, 0], [1, 1], [2, 2]])\n"
        "whisker.add(7, [[5, 5], [6, 6]])\n",
        succeed=True,
    )
    view = runner.show_value("long")
    assert view.model.rowCount() == 10_000_000  # cells are read only when drawn
    flat = runner.show_value("nose").model
    assert [flat.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "frame",
        "entity id",
        "x",
        "y",
    ]
    assert flat.data(flat.index(1, 2)) == "3"
    lines = runner.show_value("whisker").model
    assert lines.rowCount() == 5  # one row per coordinate, looked up per cell
    assert [lines.data(lines.index(r, 0)) for r in range(5)] == ["2", "2", "2", "7", "7"]
    assert lines.data(lines.index(3, 3)) == "5"
    whisker = runner.engine.namespace["whisker"]
    assert np.shares_memory(lines.array.flat.coords, whisker.to_flat().coords)  # no copy
    # a clock (it had no view): a tick per row, a regular clock's ticks never built
    runner.engine.namespace["camera"] = TimeFrame.regular(3_000_000_000, 2.5, 7, 1000.0)
    clock = runner.show_value("camera")
    assert clock.windowTitle() == "camera — TimeFrame 3,000,000,000 ticks"
    ticks = clock.model
    assert [ticks.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "index",
        "time",
        "seconds",
    ]
    assert ticks.rowCount() == 10_000_000  # a view of 100 million rows hangs Qt
    assert clock.findChild(QLabel).text() == "showing the first 10,000,000 of 3,000,000,000 rows"
    assert [ticks.data(ticks.index(4, c)) for c in range(3)] == ["4", "17", "0.017"]
    for view in list(runner.value_views):
        view.close()


def test_at_the_docks_narrowest_name_type_shape_and_clock_show_without_scrolling(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    from qtpy.QtWidgets import QDockWidget

    from napari_whiskertoolbox.layers._napari_compat import main_window

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    window.resize(1268, 800)
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=100.0))
    dm.set_data("whisker_angle", AnalogTimeSeries(np.linspace(-1, 1, 1000, dtype=np.float32)))
    runner = docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    dock = runner.native.parentWidget()
    while not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)
    runner.tabs.setCurrentWidget(runner.inspector.parentWidget())
    long_name = "signal_with_a_rather_long_descriptive_name"
    run_and_wait(
        qtbot,
        runner,
        f"{long_name} = np.random.default_rng(0).normal(size=(1000, 32))\n"
        "angle = dm.getData('whisker_angle')\n",
        succeed=True,
    )
    inspector = runner.inspector
    qtbot.waitUntil(lambda: not inspector.stats_pending, timeout=5000)
    qtbot.wait(20)
    header = inspector.header()
    room = inspector.viewport().width()
    assert inspector.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways to
    for title in ("Name", "Type", "Shape", "Clock", "Summary"):
        assert title not in inspector.hidden_columns()
    for column in range(len(COLUMNS)):
        if not inspector.isColumnHidden(column):
            right = header.sectionViewportPosition(column) + header.sectionSize(column)
            assert right <= room, (COLUMNS[column], right, room)
    name_column = inspector.column("Name")
    assert header.sectionSize(name_column) >= inspector.fontMetrics().horizontalAdvance("signal_w")
    item = inspector.findItems(long_name, Qt.MatchFlag.MatchExactly, name_column)[0]
    tip = item.toolTip(name_column).splitlines()
    assert tip[0] == long_name  # elided in the row, whole on hover
    for title in inspector.hidden_columns():  # and the values of the columns left out
        value = item.text(inspector.column(title))
        if value:
            assert any(line.startswith(f"{title}: {value}") for line in tip[1:]), title
    angle = inspector.findItems("angle", Qt.MatchFlag.MatchExactly, name_column)[0]
    assert angle.text(inspector.column("Clock")) == "time"
    assert angle.toolTip(inspector.column("Type")).splitlines()[0] == "AnalogTimeSeries"


def test_at_380_px_every_column_shown_fits_and_long_values_elide(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    """The Variables tab of a 380-px dock in a 1366x768 window scrolled sideways (452 px of
    columns past the edge): the columns shown fit, the value's summary among them, long
    values elide and their tooltips hold them whole."""
    from qtpy.QtWidgets import QDockWidget

    from napari_whiskertoolbox.layers._napari_compat import main_window

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    window.resize(1366, 768)
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=100.0))
    dm.set_data("whisker_angle", AnalogTimeSeries(np.linspace(-1, 1, 1000, dtype=np.float32)))
    runner = docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    dock = runner.native.parentWidget()
    while not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    window.resizeDocks([dock], [380], Qt.Orientation.Horizontal)
    runner.tabs.setCurrentWidget(runner.inspector.parentWidget())
    run_and_wait(
        qtbot,
        runner,
        "signal = np.random.default_rng(0).normal(size=(1000, 32))\n"
        "angle = dm.getData('whisker_angle')\n"
        "message = 'a long string value ' * 20\n"
        "n = 42\n",
        succeed=True,
    )
    inspector = runner.inspector
    inspector.finish_stats()
    qtbot.wait(20)
    assert 370 <= dock.width() <= 400
    header = inspector.header()
    room = inspector.viewport().width()
    assert inspector.horizontalScrollBar().maximum() == 0
    shown = [c for c in range(len(COLUMNS)) if not inspector.isColumnHidden(c)]
    assert [COLUMNS[c] for c in shown][:2] == ["Name", "Type"]
    assert "Summary" in [COLUMNS[c] for c in shown]
    ends = [header.sectionViewportPosition(c) + header.sectionSize(c) for c in shown]
    assert max(ends) <= room
    name = inspector.column("Name")
    assert header.sectionSize(name) >= inspector.fontMetrics().horizontalAdvance("message")
    summary = inspector.column("Summary")
    item = inspector.findItems("message", Qt.MatchFlag.MatchExactly, name)[0]
    whole = item.text(summary)
    assert inspector.fontMetrics().horizontalAdvance(whole) > header.sectionSize(summary)
    assert item.toolTip(summary).splitlines()[0] == whole  # elided in the row, whole on hover
    signal = inspector.findItems("signal", Qt.MatchFlag.MatchExactly, name)[0]
    for title in inspector.hidden_columns():
        if signal.text(inspector.column(title)):
            assert f"{title}: {signal.text(inspector.column(title))}" in signal.toolTip(name)
    assert "Min" in inspector.hidden_columns()


def test_in_a_1500_px_window_array_dtype_and_statistics_show_without_hovering(
    qtbot, make_napari_viewer, tmp_path: Path
) -> None:
    """At 1500x1000 with the Script runner docked, Key, Dtype, Min, Max and Mean were hidden
    (only in tooltips): the summary then starts with them, and has the room to show them."""
    from napari_whiskertoolbox.layers._napari_compat import main_window

    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(1500, 1000)
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=100.0))
    dm.set_data("angle", AnalogTimeSeries(np.linspace(-1, 1, 1000, dtype=np.float32)))
    runner = docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    runner.tabs.setCurrentWidget(runner.inspector.parentWidget())
    run_and_wait(
        qtbot,
        runner,
        "arr = np.linspace(-3, 7, 1001)\n"
        "long_vector = np.zeros(20_000_000, np.float32)\n"
        "img = np.arange(12).reshape(3, 4)\n"
        "sig = dm.getData('angle')\n",
        succeed=True,
    )
    inspector = runner.inspector
    inspector.finish_stats()
    qtbot.wait(20)
    assert inspector.horizontalScrollBar().maximum() == 0
    header = inspector.header()
    summary = inspector.column("Summary")
    room = header.sectionSize(summary) - 2 * inspector.style().pixelMetric(
        inspector.style().PixelMetric.PM_FocusFrameHMargin
    )
    metrics = inspector.fontMetrics()
    for name, shown in (
        ("arr", "float64 · -3 … 7 · mean 2"),
        ("img", "int64 · 0 … 11 · mean 5.5"),
    ):
        row = inspector.row(name)
        for title in ("Dtype", "Min", "Max", "Mean"):  # each in its column or in the summary
            if title in inspector.hidden_columns():
                assert row["Summary"].startswith(shown), (name, row["Summary"])
                assert metrics.horizontalAdvance(shown) <= room, (shown, room)
    assert inspector.row("sig")["Summary"].startswith("key angle · float32 · -1 … 1 · mean")
    # a shape is not cut short to make that room (the type's name elides first)
    shape = inspector.column("Shape")
    assert metrics.horizontalAdvance("20000000") < header.sectionSize(shape)
