"""The Key help dock: the key table, the active key and the session's saved state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QSize, Qt
from qtpy.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.layers.binding import WTB_KEY
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.workflow.actions import key_label
from napari_whiskertoolbox.workflow.key_table import KEY_TABLE
from napari_whiskertoolbox.workflow.labels_back import save_key_description
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    import napari

    from napari_whiskertoolbox.layers.pose_points import PosePointsView

__all__ = ["AUTO_BODYPART", "KeyHelpWidget"]

AUTO_BODYPART = "first missing"
"""The "Next keypoint" choice that places the first body part missing on the frame."""


_ACTION_MIN_TEXT = "Previous frame"
"""The action column is never narrower than this text (longer actions wrap)."""


class _KeyTable(QTableWidget):
    """The key table: keys whole, actions wrapped to the width left.

    The action column is never narrower than :data:`_ACTION_MIN_TEXT` (the dock could be
    dragged to 89 pixels, the actions gone).
    """

    def minimumSizeHint(self) -> QSize:
        """Ask for the keys' column, a few words of action and the vertical scroll bar."""
        hint = super().minimumSizeHint()
        width = (
            self.horizontalHeader().sectionSize(0)
            + self.fontMetrics().horizontalAdvance(_ACTION_MIN_TEXT)
            + 2 * _CELL_MARGIN
            + self.verticalScrollBar().sizeHint().width()
            + 2 * self.frameWidth()
        )
        return QSize(max(hint.width(), width), hint.height())


_SAVE_ROW = next(row for row, action in enumerate(KEY_TABLE) if action.name == "save")
"""The key table's row of Ctrl+S."""

_CELL_MARGIN = 6
"""Pixels each side of a cell's text (the item delegate's margin, with room to spare)."""


class KeyHelpWidget(QWidget):
    """Dock listing the annotation keys, the active key and the session's saved state.

    The table takes all the height of the dock, and asks for enough to show every key.
    With labels that Ctrl+S writes back (a DeepLabCut or SLEAP project), the *Save* row says
    where the keypoints and the other data go (:func:`.labels_back.save_key_description`).
    With a keypoints layer active, a "Next keypoint" row chooses the individual and body
    part the next point added goes to (:attr:`PosePointsView.next_bodypart`).

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session the dock shows; its keys are bound on creation.
    """

    def __init__(self, napari_viewer: napari.Viewer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tabify_when_docked(self, viewer=napari_viewer, kind=type(self).__name__)
        self._viewer = napari_viewer
        self._session = get_session(napari_viewer)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.pose_row = QWidget(self)
        row = QHBoxLayout(self.pose_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Next keypoint:"))
        self.individual_combo = QComboBox()
        self.individual_combo.setToolTip("The individual the next point added belongs to")
        self.bodypart_combo = QComboBox()
        self.bodypart_combo.setToolTip(
            "The body part the next point added goes to; placing it moves on to the next "
            "one missing here (choose another to skip an occluded part)"
        )
        row.addWidget(self.individual_combo)
        row.addWidget(self.bodypart_combo, 1)
        self.pose_row.hide()
        self._pose_view: PosePointsView | None = None
        self.individual_combo.currentTextChanged.connect(self._individual_chosen)
        self.bodypart_combo.currentIndexChanged.connect(self._bodypart_chosen)
        self.table = _KeyTable(len(KEY_TABLE), 2, self)
        self.table.setHorizontalHeaderLabels(["Key", "Action"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # actions wrap (a row grows a line) rather than elide: cut to "Copy the previous
        # ann…", the action could only be read in its tooltip
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setStyleSheet("QTableView::item { padding: 2px 0px; }")  # wrapped lines breathe
        for row, action in enumerate(KEY_TABLE):
            keys = " / ".join(key_label(key) for key in action.keys)
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            description = QTableWidgetItem(action.description)
            description.setToolTip(action.description)
            self.table.setItem(row, 1, description)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(self.fontMetrics().height() + 8)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status_label)
        layout.addWidget(self.pose_row)
        layout.addWidget(self.table, 1)
        dm = self._session.dm
        selection = napari_viewer.layers.selection.events.active
        connections = [
            (dm.modified_changed, connect_main(dm.modified_changed, self._refresh)),
            (
                self._session.active_key_changed,
                connect_main(self._session.active_key_changed, self._refresh),
            ),
            (selection, connect_main(selection, self._refresh)),
            (dm.data_added, connect_main(dm.data_added, self._refresh)),
            (dm.data_removed, connect_main(dm.data_removed, self._refresh)),
        ]

        def disconnect(*_: Any) -> None:
            for signal, slot in connections:
                signal.disconnect(slot)
            self._watch(None)

        self.destroyed.connect(disconnect)
        self._refresh()

    def table_height(self) -> int:
        """Height in pixels that shows every row of the key table."""
        rows = sum(self.table.rowHeight(row) for row in range(self.table.rowCount()))
        return rows + self.table.horizontalHeader().height() + 2 * self.table.frameWidth()

    def sizeHint(self) -> QSize:
        """Ask for room to show the whole key table."""
        hint = super().sizeHint()
        margins = self.layout().contentsMargins()
        height = (
            self.status_label.sizeHint().height()
            + self.layout().spacing()
            + self.table_height()
            + margins.top()
            + margins.bottom()
        )
        return QSize(hint.width(), max(hint.height(), height))

    def status_text(self) -> str:
        """Return the status line: the active key (and why it is active) and the saved state."""
        key = self._session.active_key
        state = "unsaved changes" if self._session.dm.modified else "saved"
        pose = self._session.active_pose
        if key is None and pose is not None:
            return f"Active: {pose} keypoints (every body part)   ·   {state}"
        if key is None:
            return f"Active key: —  (select a points, lines, mask or keypoints layer)   ·   {state}"
        selected = self._viewer.layers.selection.active
        selected_key = selected.metadata.get(WTB_KEY) if selected is not None else None
        if selected is not None and selected_key != key:
            return (
                f"Active key: {key}  (the last annotation layer selected; keys act on it while "
                f"{selected.name!r} is selected)   ·   {state}"
            )
        return f"Active key: {key}   ·   {state}"

    def _refresh(self, *_: Any) -> None:
        self.status_label.setText(self.status_text())
        self._refresh_pose_row()
        self._refresh_save_row()

    def _refresh_save_row(self) -> None:
        """Say in the *Save* row where Ctrl+S puts labels it writes back, if the session has any."""
        item = self.table.item(_SAVE_ROW, 1)
        text = save_key_description(self._session.dm) or KEY_TABLE[_SAVE_ROW].description
        if item.text() != text:
            item.setText(text)
            item.setToolTip(text)

    # ------------------------------------------------------------------ next keypoint
    def _active_pose_view(self) -> PosePointsView | None:
        name = self._session.active_pose
        return None if name is None else self._session.poses.points.get(name)

    def _watch(self, view: PosePointsView | None) -> None:
        if view is self._pose_view:
            return
        if self._pose_view is not None:
            self._pose_view.next_changed.disconnect(self._refresh_pose_row)
        self._pose_view = view
        if view is not None:
            view.next_changed.connect(self._refresh_pose_row)

    def _refresh_pose_row(self, *_: Any) -> None:
        """Show the active pose set's next individual and body part (hidden without one)."""
        view = self._active_pose_view()
        self._watch(view)
        if view is None:
            self.pose_row.hide()
            return
        pose = view.pose
        for combo, items, current in (
            (self.individual_combo, pose.individuals, view.current_individual),
            (self.bodypart_combo, [AUTO_BODYPART, *pose.bodyparts], view.next_bodypart),
        ):
            combo.blockSignals(True)
            try:
                if [combo.itemText(i) for i in range(combo.count())] != items:
                    combo.clear()
                    combo.addItems(items)
                combo.setCurrentIndex(items.index(current) if current in items else 0)
            finally:
                combo.blockSignals(False)
        self.individual_combo.setVisible(pose.multi_animal)
        self.pose_row.show()

    def _individual_chosen(self, individual: str) -> None:
        view = self._active_pose_view()
        if view is not None and individual in view.pose.individuals:
            view.current_individual = individual

    def _bodypart_chosen(self, index: int) -> None:
        view = self._active_pose_view()
        if view is not None and index >= 0:
            view.next_bodypart = None if index == 0 else self.bodypart_combo.itemText(index)
