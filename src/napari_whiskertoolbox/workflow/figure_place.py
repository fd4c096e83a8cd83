"""Where a new figure dock goes so napari's window grows neither taller nor wider.

napari docks a figure below the docks on the right. When the right-hand column has no room
for it (the docks' minimum heights), it goes to the bottom row: beside the last bottom dock
(the Timeline) when the row can take both at their minimum widths, else as a tab over it.
Splitting regardless made a 1089x630 window 1312 pixels wide with the Timeline and the
Script runner docked: the Timeline's 198 pixels and the figure's 340 side by side needed
more than the 364 the row had, and Qt widened the window to fit them.

Widths are judged from the window's minimum width before the figure was docked: the row
(or the right-hand column) may widen by the window's slack (its width less its minimum
width) beyond the larger of its own minimum and, for a row under the canvas, the canvas'
minimum width. The estimate never overshoots: a placement judged to fit does not widen the
window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QRect, Qt
from qtpy.QtWidgets import QDockWidget, QMainWindow, QStyle

if TYPE_CHECKING:
    from qtpy.QtWidgets import QWidget

__all__ = [
    "canvas_height",
    "dock_min_height",
    "dock_min_width",
    "place_figure_dock",
    "width_slack",
]


def dock_min_height(dock: QDockWidget) -> int:
    """Return the least height (pixels) ``dock`` can be given: its minimum or size hint's."""
    return max(dock.minimumHeight(), dock.minimumSizeHint().height())


def dock_min_width(dock: QDockWidget) -> int:
    """Return the least width (pixels) ``dock`` can be given: its minimum or size hint's."""
    return max(dock.minimumWidth(), dock.minimumSizeHint().width())


def canvas_height(window: QMainWindow) -> int:
    """Return the height (pixels) of ``window``'s central widget (the canvas), else its own."""
    central = window.centralWidget()
    return central.height() if central is not None else window.height()


def width_slack(window: QMainWindow) -> int:
    """Return the pixels ``window`` is wider than its minimum width (0 when not shown)."""
    if not window.isVisible():
        return 0
    return max(window.width() - window.minimumSizeHint().width(), 0)


def _group(window: QMainWindow, dock: QDockWidget) -> list[QDockWidget]:
    return [d for d in (dock, *window.tabifiedDockWidgets(dock)) if not d.isHidden()] or [dock]


def _tab_group_min_height(window: QMainWindow, dock: QDockWidget) -> int:
    """Return the minimum height of ``dock``'s tab group: its tallest tab's minimum."""
    return max(dock_min_height(d) for d in _group(window, dock))


def _tab_group_min_width(window: QMainWindow, dock: QDockWidget) -> int:
    """Return the minimum width of ``dock``'s tab group: its widest tab's minimum."""
    return max(dock_min_width(d) for d in _group(window, dock))


def _docks_in(window: QMainWindow, area: Qt.DockWidgetArea, but: QDockWidget) -> list[QDockWidget]:
    """Return the shown, docked docks of ``area`` other than ``but``, one per tab group."""
    docks: list[QDockWidget] = []
    for dock in window.findChildren(QDockWidget):
        if (
            dock is but
            or dock.parentWidget() is not window
            or dock.isHidden()
            or dock.isFloating()
            or window.dockWidgetArea(dock) != area
        ):
            continue
        if not any(dock in window.tabifiedDockWidgets(other) for other in docks):
            docks.append(dock)
    return docks


def _separator(window: QMainWindow) -> int:
    style = window.style()
    metric = QStyle.PixelMetric.PM_DockWidgetSeparatorExtent
    return style.pixelMetric(metric, None, window) if style is not None else 0


def _row_width_limit(window: QMainWindow, row: list[QDockWidget], row_min: int, slack: int) -> int:
    """Return the widest the bottom ``row`` can become without widening ``window``.

    Under the canvas alone (the corners given to the side columns) the row shares its width
    with the canvas, so it may be as wide as the larger of their minimums plus the slack;
    spanning more, only its own minimum plus the slack is sure.
    """
    span = QRect()
    for dock in row:
        span = span.united(dock.geometry())
    central = window.centralWidget()
    floor = row_min
    if central is not None:
        canvas = central.geometry()
        if span.left() >= canvas.left() - 1 and span.right() <= canvas.right() + 1:
            floor = max(floor, central.minimumSizeHint().width(), central.minimumWidth())
    return floor + slack


def _narrow_to(figure_dock: QDockWidget, width: int) -> None:
    """Lower the figure's minimum width so its dock fits ``width`` pixels (not below 1)."""
    inner: QWidget | None = figure_dock.widget()
    if inner is None:
        return
    frame = max(dock_min_width(figure_dock) - inner.minimumWidth(), 0)
    inner.setMinimumWidth(max(min(inner.minimumWidth(), width - frame), 1))


def place_figure_dock(
    window: QMainWindow,
    figure_dock: QDockWidget,
    room: int | None = None,
    slack: int | None = None,
) -> str:
    """Move a new figure dock (docked on the right) to where it fits without growing ``window``.

    Parameters
    ----------
    window : QMainWindow
        The viewer's main window.
    figure_dock : QDockWidget
        The figure's dock, just docked in the right area below the docks there.
    room : int, optional
        Height (pixels) of the right-hand column before the figure was docked: the canvas'
        height then. Docking it below the other docks may already have grown the window, so
        the height measured now would find room that the growth made. Default: the canvas'
        height now.
    slack : int, optional
        Pixels the window was wider than its minimum width before the figure was docked
        (:func:`width_slack` then). Default: measured now.

    Returns
    -------
    str
        ``"right"`` (left below the right-hand docks: their minimum heights and its own fit
        the column, its minimum width the column's), ``"bottom"`` (beside the last bottom
        dock, a third of the window wide, when the row fits both at their minimum widths),
        ``"bottom tab"`` (a tab over the last bottom dock) or ``"tabbed"`` (over the last
        right-hand dock: no room and no bottom dock). A figure tabbed where even its
        minimum width does not fit is made narrower (its minimum lowered).
    """
    right = Qt.DockWidgetArea.RightDockWidgetArea
    column = _docks_in(window, right, figure_dock)
    separator = _separator(window)
    if room is None:
        room = canvas_height(window)
    if slack is None:
        slack = width_slack(window)
    figure_width = dock_min_width(figure_dock)
    column_width = max((_tab_group_min_width(window, d) for d in column), default=0)
    # a tab group is as tall as its tallest tab's minimum (the Script runner's 456 pixels
    # behind the Key help' 151 counted as 151: the figure went below them, and the
    # window grew by the difference)
    needed = sum(_tab_group_min_height(window, d) + separator for d in column)
    needed += dock_min_height(figure_dock)
    if not column or (needed <= room and figure_width <= column_width + slack):
        return "right"
    bottom = _docks_in(window, Qt.DockWidgetArea.BottomDockWidgetArea, figure_dock)
    if bottom:
        return _place_in_bottom_row(window, figure_dock, bottom, slack)
    _narrow_to(figure_dock, column_width + slack)
    window.tabifyDockWidget(column[-1], figure_dock)
    figure_dock.show()
    figure_dock.raise_()
    return "tabbed"


def _place_in_bottom_row(
    window: QMainWindow, figure_dock: QDockWidget, bottom: list[QDockWidget], slack: int
) -> str:
    """Put the figure beside the last bottom dock when the row fits both, else over it."""
    separator = _separator(window)
    widths = [_tab_group_min_width(window, d) for d in bottom]
    row_min = sum(widths) + separator * (len(widths) - 1)
    limit = _row_width_limit(window, bottom, row_min, slack)
    figure_width = dock_min_width(figure_dock)
    last = bottom[-1]
    # no taller than the row it joins: the left column's minimum (napari's layer
    # controls and list) leaves that row no more height
    inner = figure_dock.widget()
    if inner is not None:
        inner.setMinimumHeight(min(inner.minimumHeight(), last.height()))
    if row_min + separator + figure_width <= limit:
        window.splitDockWidget(last, figure_dock, Qt.Orientation.Horizontal)
        width = max(figure_width, window.width() // 3)
        window.resizeDocks([figure_dock], [width], Qt.Orientation.Horizontal)
        return "bottom"
    # the tab group is as wide as its widest tab: the figure may widen it by what is left
    _narrow_to(figure_dock, limit - (row_min - widths[-1]))
    window.tabifyDockWidget(last, figure_dock)
    figure_dock.show()
    figure_dock.raise_()
    return "bottom tab"
