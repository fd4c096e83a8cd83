"""Small dialogs of the data-key browser: new key, rename, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qtpy.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from napari_whiskertoolbox.widgets.browser_export import DEFAULT_FORMAT, export_formats, format_help
from napari_whiskertoolbox.widgets.browser_model import NEW_KEY_KINDS, validate_key_name
from napari_whiskertoolbox.widgets.theme_colors import follow_palette, message_style

__all__ = ["ExportDialog", "KeyNameDialog", "NewKeyDialog", "RenameDialog"]


class KeyNameDialog(QDialog):
    """Ask for a key name, validated live against the DataManager.

    A malformed or taken name is explained in red as it is typed. An empty name only
    disables OK (the field's grey placeholder says what to type); it is called an error
    once the user asks to go on with it (Enter in the field, or :meth:`accept`).

    Parameters
    ----------
    dm : DataManager
        Holds the existing keys.
    title : str
        Window title.
    initial : str
        Pre-filled name; also allowed to stay unchanged (renaming to itself).
    """

    def __init__(self, dm: Any, title: str, initial: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.dm = dm
        self._initial = initial or None
        self.name_edit = QLineEdit(initial)
        hint = "a name such as contacts"
        self.name_edit.setPlaceholderText(hint)
        hint_width = self.name_edit.fontMetrics().horizontalAdvance(hint)
        self.name_edit.setMinimumWidth(hint_width + 24)  # read whole, not "a name such as c…"
        self._empty_is_error = False  # set once the user tries to go on with no name
        self.error_label = QLabel()
        # wrapped: a long error ('my nose' is not allowed; use letters…) made the dialog
        # jump from 250 to 630 px wide as it was typed
        self.error_label.setWordWrap(True)
        self.setMinimumWidth(hint_width * 2 + 80)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout(self)
        self.form.addRow("Name", self.name_edit)
        self.name_edit.textChanged.connect(self._validate)
        self.name_edit.returnPressed.connect(self._insist)

    def _finish_layout(self) -> None:
        self.form.addRow(self.error_label)
        self.form.addRow(self.buttons)
        follow_palette(self, self._style_error)
        self._validate()

    def _style_error(self) -> None:
        """Colour the error line for the theme the dialog is drawn in (:func:`follow_palette`)."""
        self.error_label.setStyleSheet(message_style(self, "error"))

    def _validate(self, *_: object) -> bool:
        """Show what is wrong with the name (see the class docstring); return whether it is fine."""
        try:
            validate_key_name(self.dm, self.name_edit.text(), allow_existing=self._initial)
            message = ""
        except ValueError as exc:
            message = str(exc)
        empty = not self.name_edit.text().strip()
        self.error_label.setText("" if empty and not self._empty_is_error else message)
        if self.isVisible():  # a two-line error: taller (the width stays), never clipped
            self.resize(self.width(), max(self.height(), self.heightForWidth(self.width())))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not message)
        return not message

    def _insist(self) -> None:
        """Enter in the name field: an empty name is now reported as an error."""
        self._empty_is_error = True
        self._validate()

    def accept(self) -> None:
        """Close with OK only when the name is valid; otherwise say why and stay open."""
        self._empty_is_error = True
        if self._validate():
            super().accept()

    @property
    def name(self) -> str:
        """The (stripped) name typed."""
        return self.name_edit.text().strip()


class NewKeyDialog(KeyNameDialog):
    """Ask for the name, kind and clock of a new empty key."""

    def __init__(self, dm: Any, parent: QWidget | None = None) -> None:
        super().__init__(dm, "New key", parent=parent)
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(list(NEW_KEY_KINDS))
        self.clock_combo = QComboBox()
        self.clock_combo.addItems(dm.time_keys())
        self.form.addRow("Kind", self.kind_combo)
        self.form.addRow("Clock", self.clock_combo)
        self._finish_layout()

    @property
    def kind(self) -> str:
        """The chosen kind (a key of ``NEW_KEY_KINDS``)."""
        return self.kind_combo.currentText()

    @property
    def clock(self) -> str:
        """The chosen clock name."""
        return self.clock_combo.currentText()


class RenameDialog(KeyNameDialog):
    """Ask for a key's new name."""

    def __init__(self, dm: Any, key: str, parent: QWidget | None = None) -> None:
        super().__init__(dm, f"Rename {key}", initial=key, parent=parent)
        self._finish_layout()


class ExportDialog(QDialog):
    """Choose a destination folder and a format for exporting keys.

    Parameters
    ----------
    formats : list of str
        Formats every selected key can be written in; ``"default"`` (each key's usual
        format) is offered first.
    data_types : list of str
        The data types of the selected keys (the help line explains each format for them).
    folder : path-like
        The folder the dialog starts with (created on export when missing).
    keys : list of str
        The keys to export.
    """

    def __init__(
        self,
        formats: list[str],
        parent: QWidget | None = None,
        data_types: list[str] | None = None,
        folder: str | Path = "",
        keys: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.keys = list(keys or [])
        self.setWindowTitle(f"Export {', '.join(self.keys)}" if self.keys else "Export keys")
        self.data_types = sorted(set(data_types or []))
        self.format_combo = QComboBox()
        self.format_combo.addItems([DEFAULT_FORMAT, *formats])
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.folder_edit = QLineEdit(str(folder))
        self.folder_edit.setToolTip("Created when it does not exist")
        browse = QPushButton("…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("", self.help_label)
        form.addRow("Folder", row)
        form.addRow(buttons)
        self.setMinimumWidth(520)
        self.format_combo.currentTextChanged.connect(self._explain)
        self._explain()

    def help_text(self) -> str:
        """Return what the chosen format writes, for each data type being exported."""
        fmt = self.format_combo.currentText()
        if fmt == DEFAULT_FORMAT or len(self.data_types) <= 1:
            data_type = self.data_types[0] if self.data_types else "*"
            text = format_help(data_type, fmt)
            if fmt == DEFAULT_FORMAT and self.data_types:
                usual = "; ".join(
                    f"{t}: {format_help(t, export_formats(t)[0])}" for t in self.data_types
                )
                text = f"{text} — {usual}"
            return text
        return "; ".join(f"{t}: {format_help(t, fmt)}" for t in self.data_types)

    def _explain(self, *_: object) -> None:
        self.help_label.setText(self.help_text())

    def _browse(self) -> None:
        start = Path(self.folder) if self.folder else Path.home()
        while not start.is_dir() and start != start.parent:
            start = start.parent
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", str(start))
        if folder:
            self.folder_edit.setText(folder)

    @property
    def folder(self) -> str:
        """The chosen folder."""
        return self.folder_edit.text().strip()

    @property
    def format(self) -> str | None:
        """The chosen format, ``None`` for each key's default."""
        text = self.format_combo.currentText()
        return None if text == DEFAULT_FORMAT else text
