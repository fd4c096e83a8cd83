"""The Timeline's buttons marking the edit key at the current frame.

Each button runs a row of the workflow's key table (:data:`~.key_table.KEY_TABLE`), as its
keys do, and says them in its tooltip. Only the buttons fitting the edit key's kind are
shown: interval buttons for an interval key, event buttons for an event key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtWidgets import QHBoxLayout, QPushButton, QWidget

from napari_whiskertoolbox.workflow.key_table import action_named, keys_of
from napari_whiskertoolbox.workflow.keybindings import run_action

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["BUTTONS", "MarkButtons"]

BUTTONS: dict[str, tuple[str, str]] = {
    "mark_interval_start": ("digital_interval", "Mark start"),
    "mark_interval_end": ("digital_interval", "Mark end"),
    "cancel_interval_start": ("digital_interval", "Cancel start"),
    "remove_interval": ("digital_interval", "Remove"),
    "add_event": ("digital_event", "Add event"),
    "remove_event": ("digital_event", "Remove event"),
}
"""Key-table action → (kind of edit key it acts on, button text)."""


class MarkButtons:
    """One button per :data:`BUTTONS` entry, acting on ``session``, in a row per kind.

    Parameters
    ----------
    session : ViewerSession
        The session whose edit key the buttons mark.

    Attributes
    ----------
    rows : dict of str to QWidget
        Kind of edit key → the row of its buttons (hidden unless the edit key holds it).
    buttons : dict of str to QPushButton
        Key-table action → its button.
    """

    def __init__(self, session: ViewerSession) -> None:
        self.rows: dict[str, QWidget] = {}
        self.buttons: dict[str, QPushButton] = {}
        for name, (kind, text) in BUTTONS.items():
            row = self.rows.get(kind)
            if row is None:
                row = self.rows[kind] = QWidget()
                QHBoxLayout(row).setContentsMargins(0, 0, 0, 0)
                row.hide()
            button = QPushButton(text)
            button.setObjectName(f"timeline_{name}")
            button.setToolTip(f"{action_named(name).description}  ({keys_of(name)})")
            button.clicked.connect(lambda _=False, n=name: run_action(session, n))
            row.layout().addWidget(button)
            self.buttons[name] = button

    def show_for(self, kind: str | None, pending: bool) -> None:
        """Show the row acting on an edit key of ``kind`` (None: hide both).

        *Cancel start* is on only with an interval start ``pending``.
        """
        for row_kind, row in self.rows.items():
            row.setVisible(row_kind == kind)
        self.buttons["cancel_interval_start"].setEnabled(pending)
