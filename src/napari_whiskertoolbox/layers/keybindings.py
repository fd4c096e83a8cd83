"""The annotation-workflow keys: one declarative table, bound on the viewer, and a help dock.

Keys are bound on the *viewer* (``viewer.bind_key(..., overwrite=True)``), never on napari's
layer classes, so other layers and plugins keep their own bindings. In a Qt window napari's
menu shortcut for Save Selected Layers takes Ctrl+S before the viewer's keymap sees it;
:mod:`.save_shortcut` claims the key back for the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qtpy.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from .key_table import KEY_TABLE, KeyAction
from .main_thread import connect_main
from .session import get_session

if TYPE_CHECKING:
    import napari


__all__ = ["KEY_TABLE", "KeyAction", "KeyHelpWidget", "bind_keys"]


def _viewer_callback(action: KeyAction) -> Callable[[napari.Viewer], None]:
    def callback(viewer: napari.Viewer) -> None:
        action.run(get_session(viewer))

    callback.__name__ = f"wtb_{action.name}"
    callback.__doc__ = action.description
    return callback


def bind_keys(viewer: napari.Viewer) -> None:
    """Bind every key of :data:`KEY_TABLE` on ``viewer`` (idempotent)."""
    for action in KEY_TABLE:
        callback = _viewer_callback(action)
        for key in action.keys:
            viewer.bind_key(key, callback, overwrite=True)


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
        bind_keys(napari_viewer)
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
        """The status line: active key and whether there are unsaved changes."""
        key = self._session.active_key
        state = "unsaved changes" if self._session.dm.modified else "saved"
        return f"Active key: {key if key is not None else '—'}   ·   {state}"

    def _refresh(self, *_: Any) -> None:
        self.status_label.setText(self.status_text())
