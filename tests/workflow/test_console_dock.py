"""napari's console, first opened beside the Timeline, becomes a raised tab over it."""

from __future__ import annotations

from typing import Any

import pytest
from qtpy.QtCore import Qt

from napari_whiskertoolbox.layers._napari_compat import console_dock, main_window, viewer_widget
from napari_whiskertoolbox.workflow.docks import add_plugin_dock
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui


def _timeline_viewer(make_napari_viewer: Any, qtbot: Any) -> tuple[Any, Any]:
    viewer = make_napari_viewer(show=True)
    get_session(viewer)
    main_window(viewer).resize(1560, 960)
    timeline, _ = add_plugin_dock(viewer, "Timeline")
    main_window(viewer).addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, timeline)
    qtbot.waitUntil(timeline.isVisible, timeout=5000)
    return viewer, timeline


def _on_screen(dock: Any) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


@pytest.mark.enable_console
def test_the_console_opens_as_a_raised_tab_over_the_timeline(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer, timeline = _timeline_viewer(make_napari_viewer, qtbot)
    viewer_widget(viewer).toggle_console_visibility()  # the console button
    # (only now: napari's console takes the calling frame's variables into its namespace)
    window = main_window(viewer)
    console = console_dock(viewer)
    qtbot.waitUntil(lambda: console in window.tabifiedDockWidgets(timeline), timeout=10_000)
    qtbot.waitUntil(lambda: _on_screen(console), timeout=5000)
    assert not _on_screen(timeline)  # the Timeline is the other tab
    assert console.width() >= main_window(viewer).centralWidget().width()  # the canvas's width
    viewer_widget(viewer).toggle_console_visibility()  # closed: the Timeline shows again
    qtbot.waitUntil(lambda: _on_screen(timeline), timeout=5000)


@pytest.mark.enable_console
def test_a_console_the_user_moved_stays_where_they_put_it(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer, timeline = _timeline_viewer(make_napari_viewer, qtbot)
    viewer_widget(viewer).toggle_console_visibility()
    window = main_window(viewer)
    console = console_dock(viewer)
    qtbot.waitUntil(lambda: console in window.tabifiedDockWidgets(timeline), timeout=10_000)
    window.removeDockWidget(console)  # the user drags it out of the tab group, beside
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, console)
    console.show()
    qtbot.waitUntil(lambda: console not in window.tabifiedDockWidgets(timeline), timeout=5000)
    viewer_widget(viewer).toggle_console_visibility()
    qtbot.waitUntil(lambda: not console.isVisible(), timeout=5000)
    viewer_widget(viewer).toggle_console_visibility()
    qtbot.waitUntil(console.isVisible, timeout=5000)
    qtbot.wait(100)
    assert console not in window.tabifiedDockWidgets(timeline)
