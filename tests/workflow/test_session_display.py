"""Figures in docks and ``wt.plot`` lanes on a real napari viewer (scripts and the console)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalEventSeries, TimeFrame
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow
from napari_whiskertoolbox.workflow.session_display import FigureDock

pytestmark = pytest.mark.gui

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture
def viewer(make_napari_viewer):
    viewer = make_napari_viewer()
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(500, sampling_rate=100.0))
    dm.set_data("angle", AnalogTimeSeries(np.sin(np.arange(500) / 20).astype(np.float32)))
    dm.set_data("touch", DigitalEventSeries([50, 120, 300]))
    yield viewer
    plt.close("all")


def _run_async(qtbot, viewer, code: str):
    """Run ``code`` on the session engine's worker thread, pumping Qt until it ends."""
    engine = get_session(viewer).engine
    done = threading.Event()
    results: list[Any] = []
    engine.run_async(code, lambda result: (results.append(result), done.set()))
    qtbot.waitUntil(done.is_set, timeout=20_000)
    qtbot.wait(50)  # queued main-thread calls
    assert results[0].success, results[0].error
    return results[0]


def _figure_docks(viewer) -> dict[str, FigureDock]:
    return {n: w for n, w in viewer.window.dock_widgets.items() if isinstance(w, FigureDock)}


def test_plt_show_from_the_worker_thread_docks_a_canvas_drawn_on_the_main_thread(
    qtbot, viewer
) -> None:
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    result = _run_async(
        qtbot,
        viewer,
        "import threading\n"
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "drawn_on = []\n"
        "fig.canvas.mpl_connect('draw_event', lambda e: drawn_on.append(threading.current_thread().name))\n"
        "ax.plot(dm.getData('angle').values)\n"
        "plt.show()\n"
        "print(threading.current_thread().name)\n",
    )
    assert result.stdout.strip() == "wtb-script"
    docks = _figure_docks(viewer)
    assert list(docks) == ["Figure 1"]
    dock = docks["Figure 1"]
    assert isinstance(dock.canvas, FigureCanvasQTAgg)
    assert dock.toolbar.canvas is dock.canvas
    assert dock.thread() is qtbot_app_thread()
    engine = get_session(viewer).engine
    fig = engine.namespace["fig"]
    assert fig.canvas is dock.canvas
    assert fig.canvas.manager.canvas is dock.canvas  # pyplot draws through the dock
    qtbot.waitUntil(lambda: bool(engine.namespace["drawn_on"]), timeout=5000)
    assert set(engine.namespace["drawn_on"]) == {"MainThread"}
    wrapper = dock.parentWidget()
    assert not wrapper.isHidden()


def qtbot_app_thread():
    from qtpy.QtWidgets import QApplication

    return QApplication.instance().thread()


def test_showing_again_reuses_the_dock_and_closing_the_figure_removes_it(qtbot, viewer) -> None:
    _run_async(
        qtbot,
        viewer,
        "import matplotlib.pyplot as plt\n"
        "fig = plt.figure('angle plot')\n"
        "plt.plot([1, 2, 3])\n"
        "plt.show()\n"
        "plt.plot([3, 2, 1])\n"
        "plt.show()\n"
        "fig.show()\n"
        "other = plt.figure()\n"
        "plt.show()\n",
    )
    docks = _figure_docks(viewer)
    assert sorted(docks) == ["Figure 2", "angle plot"]
    display = get_workflow(viewer).display
    fig = get_session(viewer).engine.namespace["fig"]
    assert display.dock_of(fig) is docks["angle plot"]
    _run_async(qtbot, viewer, "plt.close(fig)\n")
    qtbot.waitUntil(lambda: "angle plot" not in viewer.window.dock_widgets, timeout=5000)
    assert display.dock_of(fig) is None
    assert list(_figure_docks(viewer)) == ["Figure 2"]


def test_closing_the_dock_closes_the_figure(qtbot, viewer) -> None:
    _run_async(qtbot, viewer, "import matplotlib.pyplot as plt\nplt.figure()\nplt.show()\n")
    assert plt.get_fignums() == [1]
    dock = _figure_docks(viewer)["Figure 1"]
    viewer.window.remove_dock_widget(dock)  # what napari's close button does
    qtbot.waitUntil(lambda: plt.get_fignums() == [], timeout=5000)
    assert _figure_docks(viewer) == {}


def test_plt_pause_in_a_worker_script_animates_the_dock_without_a_qt_loop(qtbot, viewer) -> None:
    result = _run_async(
        qtbot,
        viewer,
        "import threading\n"
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "line, = ax.plot([0, 1], [0, 0])\n"
        "drawn_on = set()\n"
        "fig.canvas.mpl_connect('draw_event', lambda e: drawn_on.add(threading.current_thread().name))\n"
        "plt.show()\n"
        "for step in range(1, 4):\n"
        "    line.set_ydata([0, step])\n"
        "    plt.pause(0.02)\n"
        "fig.canvas.draw()\n"
        "fig.canvas.flush_events()\n",
    )
    assert result.success
    namespace = get_session(viewer).engine.namespace
    assert namespace["drawn_on"] == {"MainThread"}
    dock = _figure_docks(viewer)["Figure 1"]
    assert list(dock.canvas.figure.axes[0].lines[0].get_ydata()) == [0, 3]


def test_closing_the_viewer_closes_its_figures(qtbot, make_napari_viewer) -> None:
    viewer = make_napari_viewer()
    _run_async(qtbot, viewer, "import matplotlib.pyplot as plt\nplt.figure()\nplt.show()\n")
    assert plt.get_fignums() == [1]
    display = get_workflow(viewer).display
    viewer.close()
    assert plt.get_fignums() == []
    assert display.docks == {}
    assert display.window_closed
    plt.close("all")  # nothing left to close: no error from the closed window


def test_wt_plot_adds_timeline_lanes_for_keys_series_and_arrays(qtbot, viewer) -> None:
    result = _run_async(
        qtbot,
        viewer,
        "lanes = [wt.plot('angle'), wt.plot_key('touch')]\n"
        "squared = AnalogTimeSeries(dm.getData('angle').values ** 2)\n"
        "lanes.append(wt.plot(squared, 'angle squared'))\n"
        "lanes.append(wt.plot(DigitalIntervalSeries([(10, 40)])))\n"
        "lanes.append(wt.plot(np.linspace(0, 1, 500)))\n"
        "lanes\n",
    )
    assert result.value_repr == "['angle', 'touch', 'angle squared', 'plot 1', 'plot 2']"
    timeline = get_workflow(viewer).display.timeline()
    assert type(timeline).__name__ == "TimelineWidget"
    for lane in ("angle", "touch", "angle squared", "plot 1", "plot 2"):
        assert timeline.is_lane_shown(lane)
    assert "angle squared" not in get_session(viewer).dm  # plotted, not stored
    squared = get_session(viewer).engine.namespace["squared"]
    lane = timeline.lanes["angle squared"]
    assert lane.source is squared
    np.testing.assert_allclose(lane.values, squared.values)
    with squared.writable() as values:  # the lane follows the series' own changes
        values[:] = 0
    qtbot.waitUntil(lambda: float(np.abs(timeline.lanes["angle squared"].values).max()) == 0)
    timeline.hide_lane("angle squared")
    assert not timeline.is_lane_shown("angle squared")
    assert len(viewer.window.dock_widgets) == 1  # one timeline, reused


@pytest.mark.enable_console
def test_plt_show_and_variables_from_napari_console(qtbot, make_napari_viewer) -> None:
    from napari_whiskertoolbox.layers._napari_compat import console_if_created, viewer_widget
    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

    viewer = make_napari_viewer(show=True)
    get_session(viewer)
    runner = ScriptRunnerWidget(viewer)
    viewer.window.add_dock_widget(runner, name="Script runner")
    viewer_widget(viewer).toggle_console_visibility()
    qtbot.waitUntil(lambda: console_if_created(viewer) is not None, timeout=20_000)
    console = console_if_created(viewer)
    qtbot.waitUntil(lambda: not getattr(console, "_starting", False), timeout=20_000)
    try:
        console.execute(
            "import matplotlib.pyplot as plt\n"
            "fig = plt.figure('from console')\n"
            "plt.plot([0, 1], [1, 0])\n"
            "plt.show()\n"
            "watched = np.arange(6.0)\n"
        )
        qtbot.waitUntil(lambda: "from console" in viewer.window.dock_widgets, timeout=20_000)
        qtbot.waitUntil(lambda: "watched" in runner.inspector.names(), timeout=20_000)
        assert runner.engine.namespace["watched"] is console.shell.user_ns["watched"]
        runner.inspector.finish_stats()
        row = runner.inspector.row("watched")
        assert (row["Min"], row["Max"], row["Mean"]) == ("0", "5", "2.5")
    finally:
        plt.close("all")


def test_figures_tab_together_below_the_editor_and_fill_their_dock(qtbot, make_napari_viewer):
    from qtpy.QtWidgets import QPlainTextEdit

    from napari_whiskertoolbox.layers._napari_compat import main_window

    viewer = make_napari_viewer(show=True)
    editor = QPlainTextEdit()
    viewer.window.add_dock_widget(editor, name="editor", area="right")
    display = get_workflow(viewer).display
    first, second = plt.figure(), plt.figure()
    try:
        display.show_figure(first)
        display.show_figure(second)
        window = main_window(viewer)
        editor_dock, first_dock, second_dock = (
            w.parentWidget() for w in (editor, display.dock_of(first), display.dock_of(second))
        )
        assert window.tabifiedDockWidgets(first_dock) == [second_dock]
        assert window.tabifiedDockWidgets(editor_dock) == []  # the editor stays in view
        qtbot.waitUntil(lambda: display.dock_of(second).canvas.height() > 0, timeout=10_000)
        for figure in (first, second):  # each canvas fills its dock (no stretch below it)
            dock = display.dock_of(figure)
            dock.parentWidget().raise_()
            qtbot.wait(20)
            toolbar_and_canvas = dock.toolbar.height() + dock.canvas.height()
            assert toolbar_and_canvas >= dock.height() - 10, (dock.height(), toolbar_and_canvas)
    finally:
        plt.close("all")


def test_a_docked_figure_leaves_the_script_editor_its_lines(qtbot, make_napari_viewer, tmp_path):
    """A 640×480 figure's size hint squeezed the runner's editor below its six lines."""
    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.widgets.recent_files import RecentFiles
    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(1200, 800)
    runner = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    display = get_workflow(viewer).display
    figure = plt.figure()  # matplotlib's default 6.4 × 4.8 inches
    figure.gca().plot([1, 3, 2])
    display.show_figure(figure)
    dock = display.dock_of(figure)
    qtbot.waitUntil(lambda: dock.canvas.height() > 0, timeout=10_000)
    qtbot.wait(50)  # the dock area settles
    assert runner.editor.height() >= runner.editor.minimumHeight()
    assert dock.height() >= dock.minimumHeight()
    assert main_window(viewer).height() <= 800  # nothing pushed the window taller


def test_a_figure_fits_napari_s_window_beside_the_timeline_and_the_runner(
    qtbot, make_napari_viewer
):
    """With the sample's Timeline at the bottom and the Script runner on the right, a figure
    docked below the runner (minimum heights 456 + 220 px) grew the 1268×800 window to 937."""
    from qtpy.QtCore import Qt

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    window.resize(1268, 800)
    timeline, _ = add_plugin_dock(viewer, "Timeline")
    runner_dock, runner = add_plugin_dock(viewer, "Script runner")
    qtbot.waitUntil(lambda: not runner_dock.visibleRegion().isEmpty())
    qtbot.wait(50)
    display = get_workflow(viewer).display
    figure = plt.figure()
    figure.gca().plot([1, 3, 2])
    try:
        display.show_figure(figure)
        dock = display.dock_of(figure)
        qtbot.waitUntil(lambda: dock.canvas.height() > 0, timeout=10_000)
        qtbot.wait(50)  # the dock area settles
        assert (window.width(), window.height()) == (1268, 800)
        wrapper = dock.parentWidget()
        assert window.dockWidgetArea(wrapper) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert wrapper.geometry().left() > timeline.geometry().right()  # beside the Timeline
        assert not wrapper.visibleRegion().isEmpty()  # not a tab behind
        assert dock.canvas.height() >= 100
        assert window.tabifiedDockWidgets(runner_dock) == []
        assert runner.editor.height() >= runner.editor.minimumHeight()
    finally:
        plt.close("all")


def _show_from_runner(qtbot, viewer, runner, figure, name: str):
    """Run ``plt.show()`` of figure ``name`` in the script runner; return its dock, settled."""
    runner.run_code(f"import matplotlib.pyplot as plt\nplt.figure({name!r})\nplt.show()\n")
    qtbot.waitUntil(lambda: get_workflow(viewer).display.dock_of(figure) is not None)
    dock = get_workflow(viewer).display.dock_of(figure)
    qtbot.waitUntil(lambda: dock.canvas.height() > 0, timeout=10_000)
    qtbot.wait(50)  # the dock area settles
    return dock


def test_a_figure_too_wide_for_the_row_beside_the_timeline_is_a_tab_over_it(
    qtbot, make_napari_viewer
):
    """In napari's 1089x630 window with the Timeline and the Script runner docked, the
    figure put beside the Timeline needed 198 + 340 pixels of a 364-pixel row: the window
    grew to 1312 pixels wide and the Timeline was squeezed to its minimum."""
    from qtpy.QtCore import Qt

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    timeline, _ = add_plugin_dock(viewer, "Timeline")
    runner_dock, runner = add_plugin_dock(viewer, "Script runner")
    qtbot.waitUntil(lambda: not runner_dock.visibleRegion().isEmpty())
    qtbot.wait(200)  # the docks settle
    window.resize(1089, 630)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1089, 630), timeout=2_000)
    qtbot.wait(100)
    timeline_width = timeline.width()
    figure = plt.figure("wide")
    figure.gca().plot([1, 3, 2])
    try:
        dock = _show_from_runner(qtbot, viewer, runner, figure, "wide")
        assert (window.width(), window.height()) == (1089, 630)
        wrapper = dock.parentWidget()
        assert window.dockWidgetArea(wrapper) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert window.tabifiedDockWidgets(timeline) == [wrapper]
        assert not wrapper.visibleRegion().isEmpty()  # the figure in front
        assert dock.canvas.width() >= 200
        timeline.raise_()  # its tab shows the Timeline as wide as before
        qtbot.waitUntil(lambda: not timeline.visibleRegion().isEmpty())
        assert timeline.width() >= timeline_width - 1
    finally:
        plt.close("all")


def test_a_figure_keeps_a_laptop_window_s_height(qtbot, make_napari_viewer):
    """A config with signals docks the Timeline and the Key help; with the Script
    runner tabbed over them, a script's ``plt.show()`` grew a 1366x768 window to 959 pixels:
    the figure went below the runner, judged to fit in the room the growth had just made."""
    from qtpy.QtCore import Qt

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    add_plugin_dock(viewer, "Timeline")
    add_plugin_dock(viewer, "Key help")
    window.resize(1366, 768)
    qtbot.wait(50)
    runner_dock, runner = add_plugin_dock(viewer, "Script runner")
    qtbot.waitUntil(lambda: not runner_dock.visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: window.height() == 768, timeout=2_000)
    figure = plt.figure("point x")
    figure.gca().plot([1, 3, 2])
    try:
        dock = _show_from_runner(qtbot, viewer, runner, figure, "point x")
        assert (window.width(), window.height()) == (1366, 768)
        wrapper = dock.parentWidget()
        assert window.dockWidgetArea(wrapper) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert not wrapper.visibleRegion().isEmpty()  # not a tab behind
        assert runner.editor.height() >= runner.editor.minimumHeight()
    finally:
        plt.close("all")


def test_a_figure_with_no_room_and_no_bottom_dock_is_a_tab_over_the_runner(
    qtbot, make_napari_viewer
):
    """In a low window without a bottom dock the figure is tabbed: the window keeps its size."""
    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    window.resize(1268, 640)
    runner_dock, _ = add_plugin_dock(viewer, "Script runner")
    qtbot.waitUntil(lambda: not runner_dock.visibleRegion().isEmpty())
    qtbot.wait(50)
    display = get_workflow(viewer).display
    figure = plt.figure()
    try:
        display.show_figure(figure)
        dock = display.dock_of(figure)
        qtbot.waitUntil(lambda: dock.canvas.height() > 0, timeout=10_000)
        qtbot.wait(50)
        assert window.height() == 640
        assert window.tabifiedDockWidgets(runner_dock) == [dock.parentWidget()]
        assert not dock.parentWidget().visibleRegion().isEmpty()  # the figure is in front
    finally:
        plt.close("all")


def _inside(outer, inner) -> bool:
    return (
        inner.x0 >= outer.x0 - 0.5
        and inner.y0 >= outer.y0 - 0.5
        and inner.x1 <= outer.x1 + 0.5
        and inner.y1 <= outer.y1 + 0.5
    )


def test_a_figure_at_the_docks_minimum_height_shows_its_axis_and_tick_labels(
    qtbot, make_napari_viewer
):
    """At 200 px the default subplot margins cut the x label and the tick labels below it."""
    viewer = make_napari_viewer(show=True)
    display = get_workflow(viewer).display
    figure = plt.figure()
    ax = figure.gca()
    ax.plot(np.arange(500), np.sin(np.arange(500) / 20))
    ax.set(xlabel="time (frames)", ylabel="angle (deg)", title="whisker angle")
    display.show_figure(figure)
    dock = display.dock_of(figure)
    dock.setFixedHeight(dock.minimumHeight())
    qtbot.waitUntil(lambda: 0 < dock.canvas.height() < 200, timeout=10_000)
    dock.canvas.draw()
    renderer = figure.canvas.get_renderer()
    whole = figure.bbox
    labels = [ax.xaxis.label, ax.yaxis.label, ax.title]
    low, high = ax.get_xlim()
    labels += [t.label1 for t in ax.xaxis.get_major_ticks() if low <= t.get_loc() <= high]
    labels = [label for label in labels if label.get_text()]
    assert len(labels) > 4
    for label in labels:
        box = label.get_window_extent(renderer)
        assert _inside(whole, box), (label.get_text(), box, whole)


def test_a_figure_with_its_own_margins_keeps_them(qtbot, make_napari_viewer):
    viewer = make_napari_viewer(show=True)
    display = get_workflow(viewer).display
    figure = plt.figure()
    figure.subplots_adjust(left=0.3)
    display.show_figure(figure)
    assert figure.get_layout_engine() is None
    assert figure.subplotpars.left == 0.3
