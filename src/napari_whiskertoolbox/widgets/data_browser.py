"""The data-key browser dock: every key of the session in one live table.

Show/hide a spatial key as its synced layer and a series key as a timeline lane; create
empty keys ready to annotate; rename, delete (undoable), export; copy the script line
that fetches a key or insert it into the script editor; list and build entity groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QEvent, QObject, QSize, Qt, QTimer
from qtpy.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS, SERIES_KINDS
from napari_whiskertoolbox.io.pose import pose_of_key
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.layers.session import BINDING_CLASSES
from napari_whiskertoolbox.widgets.browser_dialogs import ExportDialog, NewKeyDialog, RenameDialog
from napari_whiskertoolbox.widgets.browser_export import (
    EXPORT_DIALOG,
    common_formats,
    default_export_folder,
    export_formats,
    export_key,
    export_warning,
)
from napari_whiskertoolbox.widgets.browser_groups import GroupsPanel
from napari_whiskertoolbox.widgets.browser_model import (
    NEW_KEY_KINDS,
    get_data_code,
    key_row,
    make_empty,
    validate_key_name,
)
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.widgets.theme_colors import follow_theme, item_indicator_style
from napari_whiskertoolbox.widgets.timeline import TimelineWidget, find_timeline
from napari_whiskertoolbox.widgets.timeline.lane_state import LaneState, lanes_changed
from napari_whiskertoolbox.workflow.docks import TIMELINE_WIDGET, add_plugin_dock
from napari_whiskertoolbox.workflow.registry import get_session
from napari_whiskertoolbox.workflow.start_folder import remember_folder, source_file

if TYPE_CHECKING:
    from pathlib import Path


__all__ = ["COLUMNS", "DataBrowserWidget", "find_script_editor"]

COLUMNS = ("Shown", "Name", "Type", "Clock", "Size", "Image size")
_NAME_MIN_LETTERS = 14
"""The Name column is never narrower than this many letters."""
_ALL_TYPES = "all types"


def find_script_editor(viewer: Any) -> Any | None:
    """Return the script-runner dock of ``viewer`` if one is open and offers ``insert_text(str)``.

    Looks through the public ``viewer.window.dock_widgets`` mapping for a
    ``widgets.script_runner.ScriptRunnerWidget``.
    """
    try:
        from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
    except ImportError:
        return None
    for widget in viewer.window.dock_widgets.values():
        if isinstance(widget, ScriptRunnerWidget) and callable(
            getattr(widget, "insert_text", None)
        ):
            return widget
    return None


_PREFERRED_WIDTH_PX = 380
"""The browser's width beside the canvas: a quarter or so of a 1268x800 window."""
_BUTTONS_PER_ROW = 3


class DataBrowserWidget(QWidget):
    """Table of the session's keys with actions on the selection.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session (``get_session(viewer)``) is browsed.
    """

    def __init__(self, napari_viewer: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tabify_when_docked(self, viewer=napari_viewer, kind=type(self).__name__)
        self.viewer = napari_viewer
        self.session = get_session(napari_viewer)
        self.dm = self.session.dm
        self._refresh_pending = False
        self._build_ui()
        self._connect()
        follow_theme(self, napari_viewer, self._apply_theme)
        self.refresh()

    def sizeHint(self) -> QSize:
        """Ask for a side column's width: the key names and types show, the table scrolls.

        Docked beside the canvas, the dock is narrowed to this width (the video keeps the
        rest of the window); the user can widen it.
        """
        hint = super().sizeHint()
        return QSize(max(self.minimumSizeHint().width(), _PREFERRED_WIDTH_PX), hint.height())

    def _apply_theme(self, theme_name: str) -> None:
        """Draw the Shown check boxes like napari's, outlined to show on ``theme_name``."""
        self.table.setStyleSheet(item_indicator_style(theme_name))

    # ----------------------------------------------------------------- construction
    def _build_ui(self) -> None:
        self.type_filter = QComboBox()
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("filter keys…")
        self.text_filter.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        filters.addWidget(self.type_filter)
        filters.addWidget(self.text_filter, 1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # a long key name is elided in its middle (_fit_name_column), not pushing Type and
        # Clock out of view, and never narrower than a readable name
        header.setSectionResizeMode(COLUMNS.index("Name"), QHeaderView.ResizeMode.Interactive)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.viewport().installEventFilter(self)

        self.new_button = QPushButton("New…")
        self.new_button.setToolTip("Create an empty points / lines / mask / events / intervals key")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected keys (undo with dm.undo() / Ctrl+Z)")
        self.export_button = QPushButton("Export…")
        self.copy_button = QPushButton("Copy code")
        self.copy_button.setToolTip('Copy dm.get_data("key") for the selected keys')
        self.insert_button = QPushButton("To script")
        self.insert_button.setToolTip('Insert dm.get_data("key") into the script editor')
        actions = QGridLayout()  # two rows of three: one row of six made the dock 514 px wide
        buttons = (
            self.new_button,
            self.rename_button,
            self.delete_button,
            self.export_button,
            self.copy_button,
            self.insert_button,
        )
        for i, button in enumerate(buttons):
            actions.addWidget(button, i // _BUTTONS_PER_ROW, i % _BUTTONS_PER_ROW)

        self.groups = GroupsPanel(self.session)
        keys_box = QWidget()
        keys_layout = QVBoxLayout(keys_box)
        keys_layout.setContentsMargins(0, 0, 0, 0)
        keys_layout.addLayout(filters)
        keys_layout.addWidget(self.table, 1)
        keys_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(keys_box)
        splitter.addWidget(self.groups)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        dm = self.dm
        connections = [
            (dm.data_added, connect_main(dm.data_added, self._schedule_refresh)),
            (dm.data_removed, connect_main(dm.data_removed, self._schedule_refresh)),
            (dm.data_renamed, connect_main(dm.data_renamed, self._schedule_refresh)),
            (dm.data_changed, connect_main(dm.data_changed, self._schedule_refresh)),
            (dm.groups.changed, connect_main(dm.groups.changed, self._schedule_groups)),
            (
                self.session.shown_changed,
                connect_main(self.session.shown_changed, self._schedule_refresh),
            ),
            (lanes_changed, connect_main(lanes_changed, self._on_lanes_changed)),
            # a pose set's keypoints layer added or removed changes its keys' Shown column
            (self.viewer.layers.events.inserted, self._schedule_refresh),
            (self.viewer.layers.events.removed, self._schedule_refresh),
        ]
        for signal, slot in connections[-2:]:
            signal.connect(slot)

        def disconnect(*_: object) -> None:
            for signal, wrapper in connections:
                signal.disconnect(wrapper)

        self.destroyed.connect(disconnect)
        self.type_filter.currentTextChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._apply_filter)
        self.table.itemChanged.connect(self._shown_toggled)
        # a click anywhere in a Shown cell toggles it, not only on its small box
        self._box_toggled = False
        self.table.cellPressed.connect(self._cell_pressed)
        self.table.cellClicked.connect(self._cell_clicked)
        self.new_button.clicked.connect(self._ask_new_key)
        self.rename_button.clicked.connect(self._ask_rename)
        self.delete_button.clicked.connect(lambda: self.delete_keys(self.selected_keys()))
        self.export_button.clicked.connect(self._ask_export)
        self.copy_button.clicked.connect(lambda: self.copy_code(self.selected_keys()))
        self.insert_button.clicked.connect(lambda: self.insert_into_script(self.selected_keys()))

    # ----------------------------------------------------------------- table
    def refresh(self) -> None:
        """Rebuild the table from the DataManager (keeps the selection and filters)."""
        self._refresh_pending = False
        selected = set(self.selected_keys())
        self.table.blockSignals(True)
        try:
            keys = self.dm.keys()
            self.table.setRowCount(len(keys))
            for row, key in enumerate(keys):
                self._fill_row(row, key)
        finally:
            self.table.blockSignals(False)
        self._refresh_type_filter()
        self._apply_filter()
        self.table.clearSelection()
        for row in range(self.table.rowCount()):
            if self.table.item(row, 1).text() in selected:
                self.table.selectRow(row)
        self.groups.refresh()
        self._fit_name_column()

    def _fit_name_column(self) -> None:
        """Give Name its longest name's width, at most half the table, at least 14 letters."""
        name = COLUMNS.index("Name")
        wanted = max(
            self.table.sizeHintForColumn(name),
            self.table.horizontalHeader().sectionSizeHint(name),
        )
        least = self.table.fontMetrics().horizontalAdvance("x" * _NAME_MIN_LETTERS)
        cap = max(least, self.table.viewport().width() // 2)
        self.table.setColumnWidth(name, min(wanted, cap))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Refit the Name column when the table's viewport changes width."""
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_name_column()
        return False

    def _fill_row(self, row: int, key: str) -> None:
        info = key_row(self.dm, key)
        shown = QTableWidgetItem()
        pose = pose_of_key(self.dm, key) if info.data_type == "points" else None
        if pose is not None:  # shown (or not) with the pose set's keypoints layer
            layer = self._pose_layer(key)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if layer is None:  # ticking it brings the removed layer back
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            shown.setFlags(flags)
            shown.setCheckState(Qt.CheckState.Checked if layer else Qt.CheckState.Unchecked)
            shown.setToolTip(
                f"{key!r} is drawn by the pose layer {layer.name!r} with the other keypoints of "
                f"{pose.name!r}"
                if layer is not None
                else f"the keypoints layer of pose set {pose.name!r} was removed: tick to show it"
            )
        elif info.data_type in BINDING_CLASSES or info.data_type in SERIES_KINDS:
            shown.setFlags(
                Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
            )
            shown.setCheckState(
                Qt.CheckState.Checked if self.is_shown(key) else Qt.CheckState.Unchecked
            )
            where = "layer" if info.data_type in BINDING_CLASSES else "timeline lane"
            shown.setToolTip(f"Show {key!r} as a {where}")
        else:
            shown.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.table.setItem(row, 0, shown)
        for column, text in enumerate(info, start=1):
            item = QTableWidgetItem(text)
            item.setToolTip(text if column == COLUMNS.index("Name") else "")
            self.table.setItem(row, column, item)

    def _refresh_type_filter(self) -> None:
        current = self.type_filter.currentText() or _ALL_TYPES
        types = sorted({self.dm.data_type(k) for k in self.dm})
        self.type_filter.blockSignals(True)
        self.type_filter.clear()
        self.type_filter.addItems([_ALL_TYPES, *types])
        self.type_filter.setCurrentText(current if current in types else _ALL_TYPES)
        self.type_filter.blockSignals(False)

    def _apply_filter(self, *_: object) -> None:
        wanted_type = self.type_filter.currentText()
        text = self.text_filter.text().strip().lower()
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 1).text()
            data_type = self.table.item(row, 2).text()
            visible = (
                wanted_type in ("", _ALL_TYPES) or data_type == wanted_type
            ) and text in name.lower()
            self.table.setRowHidden(row, not visible)

    def set_filter(self, data_type: str | None = None, text: str = "") -> None:
        """Filter rows by data type (``None`` = all) and by a case-insensitive substring."""
        self.type_filter.setCurrentText(data_type or _ALL_TYPES)
        self.text_filter.setText(text)
        self._apply_filter()

    def listed_keys(self) -> list[str]:
        """Keys of the rows currently visible (after filtering), in table order."""
        return [
            self.table.item(row, 1).text()
            for row in range(self.table.rowCount())
            if not self.table.isRowHidden(row)
        ]

    def row_of(self, key: str) -> dict[str, str]:
        """Return the texts of ``key``'s row by column name (``Shown`` is ``"yes"``/``"no"``/``""``)."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, 1).text() == key:
                shown = self.table.item(row, 0)
                checkable = shown.data(Qt.ItemDataRole.CheckStateRole) is not None
                texts = {COLUMNS[c]: self.table.item(row, c).text() for c in range(1, len(COLUMNS))}
                texts["Shown"] = (
                    ("yes" if shown.checkState() == Qt.CheckState.Checked else "no")
                    if checkable
                    else ""
                )
                return texts
        raise KeyError(f"key {key!r} is not listed in the data browser")

    def selected_keys(self) -> list[str]:
        """Keys of the selected rows, in table order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.table.item(row, 1).text() for row in rows]

    def select_keys(self, keys: list[str]) -> None:
        """Select the rows of ``keys``."""
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 1).text() in keys:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _schedule_refresh(self, *_: object) -> None:
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self.refresh)

    def _on_lanes_changed(self, dm: Any) -> None:
        if dm is self.dm:
            self._schedule_refresh()

    def _schedule_groups(self, *_: object) -> None:
        QTimer.singleShot(0, self.groups.refresh)

    # ----------------------------------------------------------------- show / hide
    def timeline(self, create: bool = True) -> TimelineWidget | None:
        """Return the viewer's timeline dock; with ``create`` dock a new one when none is open."""
        timeline = find_timeline(self.viewer)
        if timeline is None and create:
            # under the Plugins menu's name, so the menu finds and toggles this one
            _, timeline = add_plugin_dock(self.viewer, TIMELINE_WIDGET, area="bottom")
        return timeline

    def _pose_layer(self, key: str) -> Any | None:
        """Return the keypoints layer of the pose set drawing ``key`` if it is in the viewer."""
        pose = pose_of_key(self.dm, key)
        view = None if pose is None else self.session.poses.points.get(pose.name)
        layer = None if view is None else view.layer
        return layer if layer is not None and layer in self.viewer.layers else None

    def is_shown(self, key: str) -> bool:
        """Whether ``key`` is shown as a synced layer (its pose set's) or a timeline lane."""
        if self.dm.data_type(key) == "points" and pose_of_key(self.dm, key) is not None:
            return self._pose_layer(key) is not None
        if self.dm.data_type(key) in SERIES_KINDS:
            timeline = find_timeline(self.viewer)
            return timeline is not None and LaneState(self.dm).is_visible(key)
        return bool(self.session.is_shown(key))

    def set_shown(self, key: str, shown: bool) -> None:
        """Show or hide ``key``: spatial keys as layers, series keys as timeline lanes.

        Raises
        ------
        ValueError
            For keys that have no view (e.g. tensors), and for a body part of a pose set
            (it is drawn by the set's keypoints layer, shown or hidden in the layer list;
            showing a body part whose set's layer was removed brings that layer back).
        """
        data_type = self.dm.data_type(key)
        pose = pose_of_key(self.dm, key) if data_type == "points" else None
        if pose is not None:
            layer = self._pose_layer(key)
            if layer is None and shown:
                self.session.poses.restore(pose.name)
                self._schedule_refresh()
                return
            where = (
                f"drawn by its pose layer {layer.name!r}; show or hide that layer in the layer list"
                if layer is not None
                else "drawn by the set's keypoints layer, which was removed"
            )
            raise ValueError(f"key {key!r} is a body part of pose set {pose.name!r}, {where}")
        if data_type in SERIES_KINDS:
            timeline = self.timeline(create=shown)
            if timeline is not None:
                timeline.show_lane(key) if shown else timeline.hide_lane(key)
        elif data_type in BINDING_CLASSES:
            self.session.show_key(key) if shown else self.session.hide_key(key)
        else:
            raise ValueError(f"key {key!r} ({data_type}) has no layer or lane to show")
        self._schedule_refresh()

    def _cell_pressed(self, row: int, column: int) -> None:
        self._box_toggled = False

    def _cell_clicked(self, row: int, column: int) -> None:
        """Toggle a Shown cell clicked beside its box (Qt toggles it only on the box).

        The box sits at the left of a 50-pixel cell: a click in the rest of the cell did
        nothing. A click on the box itself was toggled by Qt already (``itemChanged`` came
        between the press and this click) and is left alone.
        """
        toggled, self._box_toggled = self._box_toggled, False
        item = self.table.item(row, column)
        if (
            toggled
            or column != 0
            or item is None
            or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable
            or not item.flags() & Qt.ItemFlag.ItemIsEnabled
        ):
            return
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _shown_toggled(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        self._box_toggled = True
        key = self.table.item(item.row(), 1).text()
        self.set_shown(key, item.checkState() == Qt.CheckState.Checked)

    # ----------------------------------------------------------------- key actions
    def _media_image_size(self) -> tuple[int, int] | None:
        for key in self.dm:
            if self.dm.data_type(key) in MEDIA_KINDS:
                height, width = self.dm.get_data(key).shape[1:3]
                return int(width), int(height)
        return None

    def create_key(self, name: str, kind: str, clock: str | None = None) -> str:
        """Create an empty key and show it ready to annotate.

        Parameters
        ----------
        name : str
            New key name (validated: unique, identifier-like).
        kind : str
            ``"points"``, ``"lines"``, ``"mask"``, ``"events"`` or ``"intervals"``.
        clock : str, optional
            Clock to bind the key to; the display clock by default.

        Returns
        -------
        str
            The created key.
        """
        name = validate_key_name(self.dm, name)
        if kind not in NEW_KEY_KINDS:
            raise ValueError(f"unknown key kind {kind!r}; expected one of {list(NEW_KEY_KINDS)}")
        clock = clock or self.session.display_clock
        if clock not in self.dm.time_keys():
            raise KeyError(f"no clock {clock!r}; clocks: {self.dm.time_keys()}")
        self.dm.set_data(name, make_empty(kind, self._media_image_size()), clock)
        self.set_shown(name, True)
        if kind in ("intervals", "events"):  # marked at once on the Timeline
            self.timeline().set_edit_key(name)
        return name

    def rename_key(self, old: str, new: str) -> str:
        """Rename key ``old`` to ``new`` (validated); return the new name."""
        new = validate_key_name(self.dm, new, allow_existing=old)
        if new != old:
            self.dm.rename_data(old, new)
        return new

    def delete_keys(self, keys: list[str]) -> None:
        """Delete ``keys`` as one undoable step (``dm.undo()`` brings them back)."""
        from napari.utils.notifications import show_info

        if not keys:
            show_info("Select the keys to delete in the table first.")
            return
        with self.dm.history.group(f"delete {', '.join(keys)}"):
            for key in keys:
                self.dm.delete_data(key)
        show_info(f"Deleted {', '.join(keys)} — undo with dm.undo() or Ctrl+Z")

    def export_keys(
        self, keys: list[str], folder: str | Path, fmt: str | None = None
    ) -> list[Path]:
        """Write each key into ``folder`` (see :func:`browser_export.export_key`)."""
        return [export_key(self.dm, key, folder, fmt) for key in keys]

    def code_for(self, keys: list[str]) -> str:
        """Script lines fetching ``keys``: one ``dm.get_data("key")`` per line."""
        return "\n".join(get_data_code(key) for key in keys)

    def copy_code(self, keys: list[str]) -> str:
        """Put :meth:`code_for` ``keys`` on the clipboard and return it."""
        text = self.code_for(keys)
        if text:
            QApplication.clipboard().setText(text)
        return text

    def insert_into_script(self, keys: list[str]) -> bool:
        """Insert :meth:`code_for` ``keys`` into the open script editor.

        Returns
        -------
        bool
            ``True`` when inserted; ``False`` when no script editor is open, in which case
            the text is copied to the clipboard instead.
        """
        text = self.code_for(keys)
        if not text:
            return False
        editor = find_script_editor(self.viewer)
        if editor is None:
            self.copy_code(keys)
            from napari.utils.notifications import show_info

            show_info("No script editor open: the code was copied to the clipboard")
            return False
        editor.insert_text(text)
        return True

    # ----------------------------------------------------------------- dialogs
    def _ask_new_key(self) -> None:
        dialog = NewKeyDialog(self.dm, self)
        dialog.clock_combo.setCurrentText(self.session.display_clock)
        if dialog.exec_() == QDialog.DialogCode.Accepted:
            self._report(self.create_key, dialog.name, dialog.kind, dialog.clock)

    def _ask_rename(self) -> None:
        keys = self.selected_keys()
        if len(keys) != 1:
            from napari.utils.notifications import show_info

            show_info(
                "Select a key in the table to rename it."
                if not keys
                else f"Select only one key to rename ({len(keys)} are selected)."
            )
            return
        dialog = RenameDialog(self.dm, keys[0], self)
        if dialog.exec_() == QDialog.DialogCode.Accepted:
            self._report(self.rename_key, keys[0], dialog.name)

    def export_dialog(self, keys: list[str]) -> ExportDialog | None:
        """Return the Export dialog for ``keys``, or ``None`` (and say why) when none can be.

        Keys that cannot be exported (media stays in its own files) are left out and named.
        """
        from napari.utils.notifications import show_info

        if not keys:
            show_info("Select the keys to export in the table first.")
            return None
        exportable = [k for k in keys if export_formats(self.dm.data_type(k))]
        skipped = [k for k in keys if k not in exportable]
        if skipped:
            show_info(
                f"Not exported: {', '.join(skipped)} (media stays in its own video or image files)."
            )
        if not exportable:
            return None
        data_types = [self.dm.data_type(k) for k in exportable]
        dialog = ExportDialog(
            common_formats(data_types),
            self,
            data_types=data_types,
            folder=default_export_folder(self.session.path, source_file(self.dm)),
            keys=exportable,
        )
        return dialog

    def _ask_export(self) -> None:
        dialog = self.export_dialog(self.selected_keys())
        if dialog is not None and dialog.exec_() == QDialog.DialogCode.Accepted:
            self.finish_export(dialog)

    def finish_export(self, dialog: ExportDialog) -> list[Path] | None:
        """Export the dialog's keys to its folder and format; say where they went."""
        if not dialog.folder:
            from napari.utils.notifications import show_info

            show_info("Nothing exported: choose a folder.")
            return None
        paths = self._report(self.export_keys, dialog.keys, dialog.folder, dialog.format)
        if paths:
            from napari.utils.notifications import show_info

            remember_folder(EXPORT_DIALOG, dialog.folder)
            show_info(f"Exported {len(paths)} key(s) to {dialog.folder}")
            from napari.utils.notifications import show_warning

            for key, path in zip(dialog.keys, paths, strict=True):
                warning = export_warning(self.dm, key, path)
                if warning is not None:
                    show_warning(warning)
        return paths

    @staticmethod
    def _report(action: Any, *args: Any) -> Any:
        try:
            return action(*args)
        except (ValueError, KeyError, OSError) as exc:
            from napari.utils.notifications import show_error

            show_error(str(exc))
            return None
