"""Our docks open as tabs of their area (the video keeps its room), as a user opens them."""

from __future__ import annotations

import pytest
from qtpy.QtWidgets import QDockWidget, QWidget

from napari_whiskertoolbox.widgets.docking import tabify_with_area

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
MENU_DOCKS = ("Script runner", "Transforms", "Data browser", "Key help")


def test_docks_opened_one_by_one_from_the_plugins_menu_are_tabbed(make_napari_viewer, qtbot):
    """napari's Plugins menu docks without ``tabify``; ours still end up as tabs."""
    viewer = make_napari_viewer(show=True)
    docks: list[QDockWidget] = []
    for name in MENU_DOCKS:
        dock, _ = viewer.window.add_plugin_dock_widget(PLUGIN, name)  # what the menu does
        docks.append(dock)
        # the dock the user just opened is the one shown
        qtbot.waitUntil(lambda d=dock: d.widget().isVisible() and not d.visibleRegion().isEmpty())
        qtbot.wait(20)
    window = docks[0].parentWidget()
    assert set(window.tabifiedDockWidgets(docks[-1])) == set(docks[:-1])
    # Qt moves the docks of the other tabs off screen: nothing of them is drawn
    assert all(d.visibleRegion().isEmpty() for d in docks[:-1])
    assert not docks[-1].visibleRegion().isEmpty()
    # each got the whole right column, not a quarter of it
    assert docks[-1].height() > 0.8 * window.centralWidget().height()


def test_tabbed_docks_show_their_short_names(make_napari_viewer, qtbot):
    """Four tabs of "Key help (WhiskerToolbox)"… were elided to "Key help (…": a tab reads the
    dock's window title, which drops the plugin's name; napari's dock name (by which
    ``dock_widgets`` and the Plugins menu find it), title bar and Window menu entry keep it."""
    from qtpy.QtWidgets import QTabBar

    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(1300, 850)
    docks = {}
    for name in MENU_DOCKS[1:]:
        dock, _ = viewer.window.add_plugin_dock_widget(PLUGIN, name)  # "(napari-whiskertoolbox)"
        docks[name] = dock
    dock, _ = add_plugin_dock(viewer, MENU_DOCKS[0])  # the Plugins menu's "(WhiskerToolbox)"
    docks[MENU_DOCKS[0]] = dock
    qtbot.waitUntil(lambda: all(d.windowTitle() == n for n, d in docks.items()))
    tab_bar = next(
        bar
        for bar in main_window(viewer).findChildren(QTabBar)
        if bar.isVisible() and "Key help" in [bar.tabText(i) for i in range(bar.count())]
    )
    shown = [tab_bar.tabText(i) for i in range(tab_bar.count())]
    assert sorted(shown) == sorted(MENU_DOCKS)
    for i in range(tab_bar.count()):  # each name read whole
        text_px = tab_bar.fontMetrics().horizontalAdvance(tab_bar.tabText(i))
        assert tab_bar.tabRect(i).width() > text_px
    assert set(viewer.window.dock_widgets) == {
        f"{name} (napari-whiskertoolbox)" for name in MENU_DOCKS[1:]
    } | {f"{MENU_DOCKS[0]} (WhiskerToolbox)"}
    key_help = docks["Key help"]
    assert key_help.toggleViewAction().text() == "Key help (napari-whiskertoolbox)"
    assert add_plugin_dock(viewer, "Key help")[0] is None  # still found: not docked twice


def test_a_lone_tabbed_or_floating_dock_is_left_alone(make_napari_viewer, qtbot):
    viewer = make_napari_viewer(show=True)
    lone = viewer.window.add_dock_widget(QWidget(), name="lone", area="bottom")
    qtbot.waitUntil(lone.isVisible)
    assert not tabify_with_area(lone)  # napari's (hidden) console dock does not count
    second = viewer.window.add_dock_widget(QWidget(), name="second", area="bottom")
    qtbot.waitUntil(second.isVisible)
    window = lone.parentWidget()
    assert window.tabifiedDockWidgets(second) == []  # stacked, as napari docks it
    assert tabify_with_area(second)
    assert window.tabifiedDockWidgets(second) == [lone]
    assert not tabify_with_area(second)  # already tabbed: nothing moves
    floating = viewer.window.add_dock_widget(QWidget(), name="floating", area="bottom")
    floating.setFloating(True)
    assert not tabify_with_area(floating)
    assert window.tabifiedDockWidgets(floating) == []


def test_the_timeline_docks_under_the_video(make_napari_viewer, qtbot):
    """The Timeline is wide and short: it goes to the bottom area, not into the right tabs."""
    from qtpy.QtCore import Qt

    viewer = make_napari_viewer(show=True)
    browser, _ = viewer.window.add_plugin_dock_widget(PLUGIN, "Data browser")
    timeline, _ = viewer.window.add_plugin_dock_widget(PLUGIN, "Timeline")
    window = timeline.parentWidget()
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    qtbot.waitUntil(lambda: window.dockWidgetArea(timeline) == bottom)
    assert window.dockWidgetArea(browser) == Qt.DockWidgetArea.RightDockWidgetArea
    assert timeline not in window.tabifiedDockWidgets(browser)
    canvas = window.centralWidget()
    # the window lays the moved dock out on a later turn of the event loop
    qtbot.waitUntil(lambda: timeline.geometry().top() >= canvas.geometry().bottom())


def test_a_side_dock_opened_under_a_timeline_keeps_its_own_width(make_napari_viewer, qtbot):
    """With the Timeline spanning the bottom, Qt gave a new side dock half the window."""
    viewer = make_napari_viewer(show=True)
    window = viewer.window.add_plugin_dock_widget(PLUGIN, "Timeline")[0].parentWidget()
    window.resize(1280, 800)
    qtbot.wait(50)
    dock, _ = viewer.window.add_plugin_dock_widget(PLUGIN, "Transforms")
    wanted = max(dock.sizeHint().width(), dock.minimumSizeHint().width())
    qtbot.waitUntil(lambda: dock.width() <= wanted + 10)
    assert window.centralWidget().width() > dock.width()  # the video keeps the room


def test_timeline_and_transforms_fit_a_900_pixel_window_and_leave_the_video_most(
    make_napari_viewer, qtbot
):
    """The Timeline took half the window's height, and the Transforms dock's 550-pixel
    minimum made a 900-pixel window grow past a laptop screen."""
    viewer = make_napari_viewer(show=True)
    window = viewer.window.add_plugin_dock_widget(PLUGIN, "Timeline")[0].parentWidget()
    window.resize(1280, 900)
    qtbot.wait(50)
    timeline = viewer.window.dock_widgets["Timeline (napari-whiskertoolbox)"].parentWidget()
    transforms, widget = viewer.window.add_plugin_dock_widget(PLUGIN, "Transforms")
    qtbot.waitUntil(lambda: timeline.height() <= timeline.sizeHint().height() + 10)
    assert window.height() == 900
    assert transforms.minimumSizeHint().height() < 300
    assert window.centralWidget().height() > 2 * timeline.height()
    run = widget.run_button.native
    qtbot.waitUntil(lambda: not run.visibleRegion().isEmpty())  # Run never scrolls away


def test_docks_opened_one_by_one_keep_a_laptop_window_s_height(make_napari_viewer, qtbot):
    """napari docks each new dock under the others first; their minimum heights added up
    grew a 1366x768 window to 869 pixels (Script runner) and 1015 (Transforms) before the
    dock became a tab, and the window stayed that tall: its bottom off a laptop screen."""
    viewer = make_napari_viewer(show=True)
    timeline, _ = viewer.window.add_plugin_dock_widget(PLUGIN, "Timeline")
    window = timeline.parentWidget()
    viewer.window.add_plugin_dock_widget(PLUGIN, "Key help")
    window.resize(1366, 768)
    qtbot.wait(50)
    assert window.height() == 768
    for name in ("Script runner", "Transforms", "Data browser"):
        dock, _ = viewer.window.add_plugin_dock_widget(PLUGIN, name)
        qtbot.waitUntil(lambda d=dock: bool(window.tabifiedDockWidgets(d)))
        qtbot.waitUntil(lambda: window.height() == 768, timeout=2_000)
        assert window.minimumSizeHint().height() <= 768
        # the new dock is the one shown (laid out the next turn: the window did not grow)
        qtbot.waitUntil(lambda d=dock: not d.visibleRegion().isEmpty(), timeout=2_000)
    assert window.width() == 1366


def _menu_action(window, *path: str):
    """The action at ``path`` of ``window``'s menu bar ("&Plugins", "WhiskerToolbox", ...)."""
    actions = window.menuBar().actions()
    for i, text in enumerate(path):
        action = next(a for a in actions if a.text() == text)
        if i < len(path) - 1:
            action.menu().aboutToShow.emit()  # napari fills its menus as they open
            actions = action.menu().actions()
    return action


def test_the_plugins_menu_toggles_the_docks_our_code_opened(make_napari_viewer, qtbot):
    """The demo's docks and the Timeline ``wt.plot`` opens were named "Timeline
    (napari-whiskertoolbox)"; Plugins > WhiskerToolbox > Timeline looks for "Timeline
    (WhiskerToolbox)", so it docked a second Timeline beside the first."""
    from napari_whiskertoolbox.demo import DEMO_DOCKS, _add_docks
    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    assert _add_docks(viewer) == []
    docked = dict(viewer.window.dock_widgets)
    assert len(docked) == len(DEMO_DOCKS)
    for name, _ in DEMO_DOCKS:
        _menu_action(main_window(viewer), "&Plugins", "WhiskerToolbox", name).trigger()
    assert dict(viewer.window.dock_widgets) == docked  # toggled, none docked again
    timeline = docked["Timeline (WhiskerToolbox)"]
    assert add_plugin_dock(viewer, "Timeline") == (None, timeline)  # what wt.plot reuses
    with pytest.raises(KeyError, match=r"no widget 'Timelines'.*'Timeline'"):
        add_plugin_dock(viewer, "Timelines")


def test_add_plugin_dock_returns_a_dock_napari_docked_under_its_other_name(
    make_napari_viewer, qtbot
):
    """A script's ``add_plugin_dock`` returns the Timeline ``add_plugin_dock_widget`` (or
    ``napari -w``) docked as "Timeline (napari-whiskertoolbox)" instead of docking a second
    one that the one-dock-per-window rule then removes (its widget deleted under the script)."""
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    _, timeline = viewer.window.add_plugin_dock_widget(PLUGIN, "Timeline")
    assert add_plugin_dock(viewer, "Timeline") == (None, timeline)
    assert len(_docks_of_kind(viewer, timeline)) == 1


def _manifest_widgets() -> list[str]:
    """Display names of every widget napari.yaml contributes, in manifest order."""
    from npe2 import PluginManager

    return [
        c.display_name for c in PluginManager.instance().iter_widgets() if c.plugin_name == PLUGIN
    ]


def _docks_of_kind(viewer, widget) -> list:
    """Our docks in ``viewer`` holding a widget of ``widget``'s class."""
    return [w for w in viewer.window.dock_widgets.values() if type(w) is type(widget)]


def test_the_plugins_menu_raises_a_dock_docked_under_napari_s_other_name(make_napari_viewer, qtbot):
    """``add_plugin_dock_widget`` (scripts, ``napari -w``) names a dock "Timeline
    (napari-whiskertoolbox)"; Plugins > WhiskerToolbox > Timeline looks for "Timeline
    (WhiskerToolbox)" and docked a second Timeline. Every widget of napari.yaml."""
    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.widgets.docking import dock_of

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    names = _manifest_widgets()
    assert {"Timeline", "Script runner", "Data browser", "Transforms", "Batch"} <= set(names)
    first = None
    for name in names:
        dock, widget = viewer.window.add_plugin_dock_widget(PLUGIN, name)
        qtbot.waitUntil(lambda d=dock: not d.visibleRegion().isEmpty())
        qtbot.wait(20)
        if first is not None and window.tabifiedDockWidgets(dock):
            first.raise_()  # another tab over it: the menu must bring it forward
            qtbot.waitUntil(lambda d=dock: d.visibleRegion().isEmpty())
        first = first or dock
        _menu_action(window, "&Plugins", "WhiskerToolbox", name).trigger()
        qtbot.waitUntil(lambda d=dock: not d.visibleRegion().isEmpty())  # the first, raised
        qtbot.wait(20)
        assert _docks_of_kind(viewer, widget) == [widget], name
        assert dock_of(getattr(widget, "native", widget)) is dock
        assert not dock.visibleRegion().isEmpty(), name


def test_the_plugins_menu_raises_a_tab_behind_another_instead_of_hiding_it(
    make_napari_viewer, qtbot
):
    """A dock behind another tab counted as visible: the menu hid it instead of showing it."""
    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import add_plugin_dock

    viewer = make_napari_viewer(show=True)
    window = main_window(viewer)
    runner, _ = add_plugin_dock(viewer, "Script runner")
    qtbot.waitUntil(lambda: not runner.visibleRegion().isEmpty())
    qtbot.wait(20)
    browser, _ = add_plugin_dock(viewer, "Data browser")
    qtbot.waitUntil(lambda: window.tabifiedDockWidgets(browser) == [runner])
    qtbot.waitUntil(lambda: not browser.visibleRegion().isEmpty())
    assert runner.visibleRegion().isEmpty()  # behind the browser
    action = _menu_action(window, "&Plugins", "WhiskerToolbox", "Script runner")
    action.trigger()
    qtbot.waitUntil(lambda: not runner.visibleRegion().isEmpty())
    assert not runner.isHidden()
    assert browser.visibleRegion().isEmpty()
    action.trigger()  # on screen: the menu hides it, as napari's menu does
    qtbot.waitUntil(runner.isHidden)
    qtbot.wait(20)
    assert runner.isHidden()
    action.trigger()  # and shows it again, in front
    qtbot.waitUntil(lambda: not runner.visibleRegion().isEmpty())
    assert len(viewer.window.dock_widgets) == 2


def test_a_dock_s_former_name_finds_it_under_its_name_now(make_napari_viewer, qtbot):
    """Scripts written before the Key help and Swap IDs docks were renamed keep working."""
    from napari_whiskertoolbox.workflow.docks import FORMER_WIDGET_NAMES, add_plugin_dock

    viewer = make_napari_viewer()
    for former, now in FORMER_WIDGET_NAMES.items():
        dock, widget = add_plugin_dock(viewer, former)
        assert dock is not None
        assert dock.name.startswith(now)
        again, same = add_plugin_dock(viewer, now)
        assert again is None
        assert same is widget
