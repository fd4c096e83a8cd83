"""``python -m napari_whiskertoolbox demo``: napari with the whisker session and our docks."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["DEMO_DOCKS", "PLUGIN_NAME", "launch"]

PLUGIN_NAME = "napari-whiskertoolbox"
#: (widget display name in napari.yaml, dock area)
DEMO_DOCKS: tuple[tuple[str, str], ...] = (
    ("Script runner", "right"),
    ("Transforms", "right"),
    ("Data browser", "right"),
    ("Key help", "right"),
    ("Timeline", "bottom"),
)
TABBED_DOCKS = ("Data browser", "Transforms", "Key help")
"""Docks stacked as a tab over the previous one: each gets the whole right column (the script
runner alone needs most of its height, so docks stacked under it would show a sliver)."""
RAISED_DOCK = "Data browser"
"""The tab shown first in the right column."""
WINDOW_SIZE = (1560, 960)
BOTTOM_DOCK_HEIGHT = 230
SETTLE_ROUNDS = 60


def _process_events(rounds: int = SETTLE_ROUNDS) -> None:
    from qtpy.QtCore import QThread
    from qtpy.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        QThread.msleep(10)


def _add_docks(viewer: object) -> list[str]:
    """Dock every demo widget; return the error messages of those that failed to load."""
    from qtpy.QtCore import Qt

    from napari_whiskertoolbox.workflow.docks import add_plugin_dock, dock_of

    areas = {"right": Qt.RightDockWidgetArea, "bottom": Qt.BottomDockWidgetArea}
    errors = []
    raised = None
    for name, area in DEMO_DOCKS:
        try:
            dock, widget = add_plugin_dock(viewer, name, tabify=name in TABBED_DOCKS)
        except Exception as error:  # a broken dock must not stop the demo; it is reported
            errors.append(f"dock {name!r} failed to load: {type(error).__name__}: {error}")
            continue
        dock = dock or dock_of(widget)  # the sample docked the Timeline already
        if dock is None:
            continue
        if area == "bottom":
            dock.window().addDockWidget(areas[area], dock)
            dock.window().resizeDocks([dock], [BOTTOM_DOCK_HEIGHT], Qt.Vertical)
        if name == RAISED_DOCK:
            raised = dock
    if raised is not None:
        raised.raise_()
    return errors


def _show_an_annotated_frame(viewer: object) -> None:
    """Select the first points layer and jump to a frame where it has data."""
    from napari.layers import Points

    from napari_whiskertoolbox.workflow.actions import go_to_frame_with_data
    from napari_whiskertoolbox.workflow.registry import get_session

    session = get_session(viewer)
    point_layers = [layer for layer in viewer.layers if isinstance(layer, Points)]
    if point_layers:
        viewer.layers.selection.active = point_layers[0]
    if session.active_key is not None:
        go_to_frame_with_data(session, 1)


def launch(path: str | None = None, screenshot: str | None = None) -> int:
    """Open napari with the sample session (or ``path``) and the plugin's docks.

    Parameters
    ----------
    path : str, optional
        A WhiskerToolbox JSON config, a saved session folder, a video or a TIFF stack;
        default: the synthetic "Whisker session" sample.
    screenshot : str, optional
        Save a PNG of the whole window here once everything is drawn, then exit.

    Returns
    -------
    int
        Process exit code: 0 on success, 1 if a dock failed to load.
    """
    import napari

    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = napari.Viewer(title="WhiskerToolbox")
    viewer.window.resize(*WINDOW_SIZE)
    if path is None:
        viewer.open_sample(PLUGIN_NAME, "whisker_session")
    else:
        viewer.open(path, plugin=PLUGIN_NAME)
    errors = _add_docks(viewer)
    _show_an_annotated_frame(viewer)
    session = get_session(viewer)
    session.fit_view()  # the session's fit: kept as docks settle, until the user zooms
    for message in errors:
        print(f"napari-whiskertoolbox demo: {message}", file=sys.stderr)
    if screenshot is not None:
        _process_events()
        session.fit_view()  # fit the canvas as laid out with the docks
        _process_events()
        target = Path(screenshot).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        viewer.screenshot(str(target), canvas_only=False, flash=False)
        viewer.close()
        return 1 if errors else 0
    napari.run()
    return 1 if errors else 0
