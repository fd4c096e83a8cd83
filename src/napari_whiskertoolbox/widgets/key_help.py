"""The Annotation keys dock: the key table, the active key and the session's saved state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.workflow.key_table import KEY_TABLE
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    import napari

__all__ = ["KeyHelpWidget"]


class KeyHelpWidget(QWidget):
    """Dock listing the annotation keys, the active key and the session's saved state.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session the dock shows; its keys are bound on creation.
    """

    def __init__(self, napari_viewer: napari.Viewer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = get_session(napari_viewer)
        self.status_label = QLabel(self)
        self.table = QTableWidget(len(KEY_TABLE), 2, self)
        self.table.setHorizontalHeaderLabels(["Key", "Action"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for row, action in enumerate(KEY_TABLE):
            self.table.setItem(row, 0, QTableWidgetItem(" / ".join(action.keys)))
            self.table.setItem(row, 1, QTableWidgetItem(action.description))
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table)
        dm = self._session.dm
        connections = [
            (dm.modified_changed, connect_main(dm.modified_changed, self._refresh)),
            (
                self._session.active_key_changed,
                connect_main(self._session.active_key_changed, self._refresh),
            ),
        ]

        def disconnect(*_: Any) -> None:
            for signal, slot in connections:
                signal.disconnect(slot)

        self.destroyed.connect(disconnect)
        self._refresh()

    def status_text(self) -> str:
        """Return the status line: active key and whether there are unsaved changes."""
        key = self._session.active_key
        state = "unsaved changes" if self._session.dm.modified else "saved"
        return f"Active key: {key if key is not None else '—'}   ·   {state}"

    def _refresh(self, *_: Any) -> None:
        self.status_label.setText(self.status_text())
