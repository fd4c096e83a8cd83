"""The small form asking how to read a data file: a WhiskerToolbox config item, filled in.

It asks what a config item says — data type, format, key, clock and options — shows the
first lines of the file and the config item the answers make, and loads the file itself
so that a file that does not read that way says why without closing the form.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qtpy.QtGui import QFontDatabase
from qtpy.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.core.key_names import new_key_problem
from napari_whiskertoolbox.core.kinds import kind_info
from napari_whiskertoolbox.io.data_files import (
    FILE_DATA_TYPES,
    data_file_item,
    file_formats,
    key_for_file,
)
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.workflow.ask import DataFileRequest

__all__ = ["DataFileDialog", "data_type_label"]

_CLOCK_LABEL = "clock (time)"
OPTIONS_HINT = 'JSON object of config item options, e.g. {"delimiter": " ", "has_header": true}'


def data_type_label(data_type: str) -> str:
    """Return the combo text of a config ``data_type``: ``"digital_event — events"``."""
    if data_type == "time":
        return f"time — {_CLOCK_LABEL}"
    return f"{data_type} — {kind_info(data_type).label}"


class DataFileDialog(QDialog):
    """Ask for the config item that reads ``request.path``, and load it.

    Parameters
    ----------
    request : DataFileRequest
        The file, what its content suggests, the DataManager and the loader.
    parent : QWidget, optional
        The window the form belongs to.

    Attributes
    ----------
    loaded_item : ConfigItem or None
        The item that loaded (set when the form closes with Open).
    """

    def __init__(self, request: DataFileRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.loaded_item: ConfigItem | None = None
        guess = request.guess
        self.guess = guess
        """The reading of the file the form follows (a :class:`DataFileGuess`)."""
        self._readings = [guess] if guess.alternative is None else [guess, guess.alternative]
        self.setWindowTitle(f"Open {request.path.name}")
        self.setObjectName("wtb_data_file_form")

        self.intro = intro = QLabel()
        intro.setWordWrap(True)
        # a file whose numbers read two ways (decimal commas or columns): which, with the
        # first values each way gives
        self.reading_combo = QComboBox()
        for reading in self._readings:
            self.reading_combo.addItem(reading.reading)
        self.reading_combo.setToolTip(
            'How the numbers are read: commas as decimal marks (the "decimal" option) or '
            "as column separators (WhiskerToolbox's reading)"
        )
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.preview = QPlainTextEdit("\n".join(guess.preview) or "(binary data)")
        self.preview.setReadOnly(True)
        self.preview.setFont(mono)
        self.preview.setMaximumHeight(120)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.type_combo = QComboBox()
        self._fill_types()
        self.format_combo = QComboBox()
        self.name_edit = QLineEdit(key_for_file(request.dm, request.path))
        self.clock_combo = QComboBox()
        self.clock_combo.addItems(request.dm.time_keys())
        self.clock_combo.setCurrentText(request.default_clock)
        self.options_edit = QLineEdit()
        self.options_edit.setPlaceholderText(OPTIONS_HINT)
        self.options_edit.setToolTip(OPTIONS_HINT)
        self.item_label = QLabel()
        self.item_label.setFont(mono)
        self.item_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #e06c75")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_open)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        if len(self._readings) > 1:
            form.addRow("Numbers", self.reading_combo)
        form.addRow("Data type", self.type_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("Key", self.name_edit)
        form.addRow("Clock", self.clock_combo)
        form.addRow("Options", self.options_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.preview)
        layout.addLayout(form)
        layout.addWidget(QLabel("As a config item:"))
        layout.addWidget(self.item_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.reading_combo.currentIndexChanged.connect(self._reading_changed)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        for edit in (self.name_edit, self.options_edit):
            edit.textChanged.connect(self._update_item)
        self.format_combo.currentTextChanged.connect(self._update_item)
        self.clock_combo.currentTextChanged.connect(self._update_item)
        self._type_changed()

    def _fill_types(self) -> None:
        """List the data types, the reading's candidates first, and tell what was seen."""
        guess = self.guess
        self.intro.setText(
            f"<b>What does {self.request.path.name} hold?</b><br>Its content looks like "
            f"{guess.reason}. Choose what WhiskerToolbox should read it as — the same fields "
            "a config item has."
        )
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        others = [t for t in FILE_DATA_TYPES if t not in guess.candidates]
        for data_type in (*guess.candidates, *others):
            self.type_combo.addItem(data_type_label(data_type), data_type)
        self.type_combo.blockSignals(False)

    def _reading_changed(self, index: int) -> None:
        self.guess = self._readings[index]
        self._fill_types()
        self._type_changed()

    # ------------------------------------------------------------------ fields
    @property
    def data_type(self) -> str:
        """The chosen config ``data_type``."""
        return str(self.type_combo.currentData())

    def set_data_type(self, data_type: str) -> None:
        """Choose ``data_type`` (``ValueError`` when the form does not offer it)."""
        index = self.type_combo.findData(data_type)
        if index < 0:
            raise ValueError(f"the form offers no data type {data_type!r}")
        self.type_combo.setCurrentIndex(index)

    def options(self) -> dict[str, Any]:
        """Return the options typed, as a dict (``FormatError`` unless a JSON object)."""
        text = self.options_edit.text().strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"options are not valid JSON ({exc.msg}); {OPTIONS_HINT}") from None
        if not isinstance(value, dict):
            raise FormatError(f"options must be a JSON object; {OPTIONS_HINT}")
        return value

    def item(self) -> ConfigItem:
        """Return the config item the form describes (``FormatError`` for bad fields)."""
        name = self.name_edit.text().strip()
        if not name:
            raise FormatError("the key is empty; type a name such as 'contacts'")
        problem = new_key_problem(self.request.dm, name) if self.data_type != "time" else None
        if problem is not None:  # the rule of every key a person names (Data browser, layers)
            raise FormatError(problem)
        clock = None if self.data_type == "time" else self.clock_combo.currentText() or None
        return data_file_item(
            self.request.path,
            self.data_type,
            name,
            fmt=self.format_combo.currentText() or None,
            clock=clock,
            options=self.options(),
        )

    # ------------------------------------------------------------------ actions
    def try_open(self) -> bool:
        """Load the file as :meth:`item`; close on success, else show why and stay open."""
        try:
            item = self.item()
            self.request.load(item)
        except (FormatError, ValueError, KeyError, OSError) as exc:
            self.error_label.setText(str(exc))
            return False
        self.loaded_item = item
        self.accept()
        return True

    def _type_changed(self, *_: object) -> None:
        data_type = self.data_type
        guess = self.guess
        self.format_combo.blockSignals(True)
        self.format_combo.clear()
        self.format_combo.addItems(file_formats(data_type))
        self.format_combo.setCurrentText(guess.format_for(data_type))
        self.format_combo.blockSignals(False)
        options = guess.options_for(data_type)
        self.options_edit.setText(json.dumps(options) if options else "")
        self.clock_combo.setEnabled(data_type != "time")
        self._update_item()

    def _update_item(self, *_: object) -> None:
        try:
            raw = dict(self.item().raw)
        except FormatError as exc:
            self.item_label.setText("—")
            self.error_label.setText(str(exc))
            return
        raw["filepath"] = self.request.path.name
        self.item_label.setText(json.dumps(raw))
        self.error_label.setText("")
