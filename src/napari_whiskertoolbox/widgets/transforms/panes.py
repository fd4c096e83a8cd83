"""Layout helpers of the Transforms dock: the list/form splitter and compact rows.

The form pane scrolls (:func:`~napari_whiskertoolbox.widgets.vertical_scroll.scrolling`).
A new user at 1600x1000 (and at 1268x800, napari's window on a laptop) picked
CalculateLineAngle and found its Preview box, Output key and the end of its form below the
fold: the transform list kept at least 150 px and every spare pixel, and the tab scrolled
as a whole. :class:`ListAndFormSplitter` gives the list the rows it shows (at most
:data:`TREE_MAX_ROWS`) and, when a transform is chosen, shrinks it (down to
:data:`TREE_MIN_ROWS` rows) until the whole form fits; its handle can be dragged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import Qt, QTimer
from qtpy.QtWidgets import (
    QLineEdit,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from magicgui.widgets import Container
    from qtpy.QtGui import QResizeEvent

__all__ = [
    "FIELD_SPACING",
    "SEARCH_SAMPLE",
    "TREE_MAX_ROWS",
    "TREE_MIN_ROWS",
    "ListAndFormSplitter",
    "compact",
    "readable_search_width",
    "visible_rows",
]

TREE_MIN_ROWS = 2
"""Rows of the transform list kept when the chosen transform's form needs the room (the
chosen one and its neighbour; the list scrolls, and the handle drags it taller)."""
TREE_MAX_ROWS = 16
"""Rows of the transform list at most before it scrolls (the rest goes to the form)."""
SEARCH_SAMPLE = "CalculateLineAngle"
"""A typical transform name the search box always has the width to show whole."""


FIELD_SPACING = 2
"""Pixels between stacked fields (napari's layer controls: 1-2; magicgui's default, 6, made
CalculateLineAngle's eight parameters 48 px taller)."""


def compact(container: Container, spacing: int | None = None) -> Container:
    """Drop the 9 px margins magicgui puts around ``container`` (a row or a few fields).

    Each nested Container added 18 px of height: 72 px of the Transform tab were margins.
    ``spacing`` (pixels between its widgets) is kept unless given.
    """
    layout = container.native.layout()
    layout.setContentsMargins(0, 0, 0, 0)
    if spacing is not None:
        layout.setSpacing(spacing)
    return container


def readable_search_width(line_edit: QLineEdit, sample: str = SEARCH_SAMPLE) -> int:
    """Make ``line_edit`` at least wide enough to show ``sample`` beside its clear button.

    In a narrow dock the search box shrank to 56 px and showed "ateLineAngle".

    Returns
    -------
    int
        The minimum width set, in pixels.
    """
    metrics = line_edit.fontMetrics()
    # text, the clear button (about a line high, square) and the frame's padding
    width = metrics.horizontalAdvance(sample) + metrics.height() + 24
    line_edit.setMinimumWidth(width)
    return width


def visible_rows(tree: QTreeWidget) -> int:
    """Return how many rows ``tree`` shows when scrolled through (expanded items only)."""
    rows = 0
    pending = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while pending:
        item = pending.pop()
        if item is None or item.isHidden():
            continue
        rows += 1
        if item.isExpanded():
            pending.extend(item.child(i) for i in range(item.childCount()))
    return rows


class ListAndFormSplitter(QSplitter):
    """A vertical splitter: the transform list (under its search row) above, the form below.

    :meth:`fit` sizes the list pane to the list's rows (between :data:`TREE_MIN_ROWS` and
    :data:`TREE_MAX_ROWS`) and gives the form the rest, shrinking the list when the form
    needs the room. It runs when :meth:`schedule_fit` is called (a transform chosen, the
    list re-listed, a group expanded) and when the splitter is resized, unless the user
    dragged the handle since the last :meth:`schedule_fit` (then the form pane takes the
    change and the list keeps the height the user gave it).

    Parameters
    ----------
    header : QWidget
        The row above the list (the search box).
    tree : QTreeWidget
        The transform list.
    form_area : QScrollArea
        The chosen transform's help, inputs and form (scrolls if it still does not fit).
    """

    def __init__(self, header: QWidget, tree: QTreeWidget, form_area: QScrollArea) -> None:
        super().__init__(Qt.Orientation.Vertical)
        self.header = header
        self.tree = tree
        self.form_area = form_area
        self.list_pane = QWidget()
        layout = QVBoxLayout(self.list_pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(FIELD_SPACING + 2)
        layout.addWidget(header)
        layout.addWidget(tree, 1)
        tree.setMinimumHeight(2 * tree.frameWidth() + tree.fontMetrics().height())
        self.addWidget(self.list_pane)
        self.addWidget(form_area)
        self.setChildrenCollapsible(False)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        form_area.setMinimumHeight(0)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        self.dragged = False
        """Whether the user dragged the handle since the panes were last fitted on request."""
        self.splitterMoved.connect(self._dragged)
        tree.itemExpanded.connect(self.schedule_fit)
        tree.itemCollapsed.connect(self.schedule_fit)

    def _dragged(self, *_: object) -> None:
        self.dragged = True  # only the user's drags emit splitterMoved, not setSizes

    def row_height(self) -> int:
        """Return the height of one row of the list, in pixels."""
        if self.tree.topLevelItemCount():
            return max(self.tree.sizeHintForRow(0), 1)
        return self.tree.fontMetrics().height()

    def list_height(self, rows: int) -> int:
        """Return the list pane's height showing ``rows`` rows of the tree."""
        spacing = self.list_pane.layout().spacing()
        above = self.header.sizeHint().height() + max(spacing, 0)
        return above + 2 * self.tree.frameWidth() + rows * self.row_height()

    def form_height(self) -> int:
        """Return the height the form pane needs to show its content without scrolling."""
        area = self.form_area
        content = area.widget()
        if content is None:
            return 0
        width = area.viewport().width()
        # the viewport may be a little shorter than the pane (the area's own frame/margins)
        chrome = max(area.height() - area.viewport().height(), 0)
        if content.hasHeightForWidth() and width > 0:
            return int(content.heightForWidth(width)) + chrome
        return int(content.sizeHint().height()) + chrome

    def schedule_fit(self, *_: object) -> None:
        """Fit the panes once the pending layout changes are done (next event-loop turn)."""
        self.dragged = False
        self._timer.start()

    def fit(self) -> None:
        """Size the list to its rows and the form to its content (see the class doc)."""
        total = sum(self.sizes())
        if total <= 0:  # not laid out yet: fitted when first resized
            return
        rows = visible_rows(self.tree)
        least = self.list_height(min(rows, TREE_MIN_ROWS) or 1)
        wanted = self.list_height(min(rows, TREE_MAX_ROWS) or 1)
        room = total - self.form_height()
        top = max(least, min(wanted, room))
        self.setSizes([top, max(total - top, 0)])
        current = self.tree.currentItem()
        if current is not None:
            self.tree.scrollToItem(current)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        """Re-fit the panes to the new height unless the user sized them by hand."""
        super().resizeEvent(event)
        if not self.dragged:
            self.fit()
