"""Script runner dock: edit, open and run Python scripts against the viewer's session.

Scripts run on a worker thread through the session's
:class:`~napari_whiskertoolbox.scripting.ScriptEngine`; ``viewer`` inside scripts is a
:class:`~napari_whiskertoolbox.widgets.viewer_proxy.MainThreadProxy`, so viewer calls
are marshalled to the Qt main thread. After each run the new variables go to napari's
console (``viewer.update_console``); keys the script adds to ``dm`` become layers through
the session's own ``data_added`` handling.

``# %%`` lines make notebook-style cells: Ctrl+Enter runs the cell under the cursor,
Ctrl+Shift+Enter runs it and moves to the next; each cell's latest output and value are
kept and shown above the output log whenever the cursor is in that cell. "Run as
processor…" feeds analog keys chunk by chunk through the script's processor class
(:mod:`~napari_whiskertoolbox.scripting.processors`), with progress and Cancel.

Below the editor, tabs hold the output, the variable watch (the namespace with array
statistics, refreshed after every run and every command of napari's console; double-click
shows a value), the DataManager's keys (double-click inserts ``dm.getData("key")``) and the
properties (Python environment, editor settings, working folder, ``sys.argv``, prelude). Everything the user sets, and the
unsaved editor buffer, is saved in :mod:`~napari_whiskertoolbox.scripting.settings` and
restored when napari starts again. Colours follow napari's theme.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magicgui.widgets import ComboBox, Container, PushButton
from psygnal import Signal
from qtpy.QtCore import QEvent, QObject, Qt, QTimer
from qtpy.QtWidgets import (
    QComboBox,
    QFileDialog,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.layers.main_thread import call_in_main, connect_main
from napari_whiskertoolbox.scripting import RunResult, ScriptEngine, find_new_data, venv
from napari_whiskertoolbox.scripting.cells import Cell, CellOutput, CellOutputs, code_digest
from napari_whiskertoolbox.scripting.display import key_of
from napari_whiskertoolbox.scripting.display import plot as plot_lane
from napari_whiskertoolbox.scripting.environment import restore_environment
from napari_whiskertoolbox.scripting.processors import (
    ProcessorError,
    module_from_source,
    plan_processor,
)
from napari_whiskertoolbox.scripting.settings import (
    ScriptRunnerSettings,
    load_settings,
    settings_path,
)
from napari_whiskertoolbox.scripting.settings import save_settings as write_settings
from napari_whiskertoolbox.scripting.source_files import (
    ScriptEncodingError,
    encode_script,
    read_script,
)
from napari_whiskertoolbox.scripting.templates import list_templates, load_template
from napari_whiskertoolbox.widgets.array_view import ArrayViewDialog, table_of
from napari_whiskertoolbox.widgets.button_style import DISABLED_KEEPS_ITS_SIZE
from napari_whiskertoolbox.widgets.cell_output import CellOutputView
from napari_whiskertoolbox.widgets.data_keys import DataKeysPanel
from napari_whiskertoolbox.widgets.dock_room import keep_room_when_joined
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.widgets.elided_label import ElidedLabel
from napari_whiskertoolbox.widgets.namespace_inspector import NamespaceInspector
from napari_whiskertoolbox.widgets.output_pane import OutputPane
from napari_whiskertoolbox.widgets.processor_run import (
    DIALOG_FIELDS,
    ProcessorDialog,
    ProcessorOutcome,
    ProcessorRun,
)
from napari_whiskertoolbox.widgets.recent_files import RecentFiles
from napari_whiskertoolbox.widgets.script_editor import CodeEditor
from napari_whiskertoolbox.widgets.script_properties import ScriptPropertiesPanel
from napari_whiskertoolbox.widgets.script_theme import ScriptTheme, script_theme
from napari_whiskertoolbox.widgets.viewer_proxy import MainThreadProxy, unwrap
from napari_whiskertoolbox.workflow.console import console_executed

if TYPE_CHECKING:
    from collections.abc import Mapping

    from napari_whiskertoolbox.scripting import NamespaceEntry

__all__ = ["ScriptRunnerWidget"]

_SAVE_DELAY_MS = 400
CANCEL_WAIT_NOTE_MS = 1000
"""How long a cancelled script may take to stop before the output says where it waits."""
"""Edits are written to the settings file this long after the last one."""

_UNTITLED = "untitled"

_EDITOR_MIN_LINES = 6
"""Lines of code the editor always shows, however crowded the dock area."""

_TABS_MIN_HEIGHT = 180
"""Pixels the output / variables tabs may shrink to (below their contents' wish)."""


_TEMPLATE_MIN_CHARS = 12
"""Characters of the template name shown when the dock is narrow (the list shows it all)."""

_NO_MENU_ARROW = "QToolButton::menu-indicator { image: none; width: 0px; }"
"""The Recent button's text ends in its own arrow (the style's was drawn over the text)."""

_EDITOR_SHARE = (2, 3)
"""Weights of the editor and the tabs below it in the dock's height. With 3:2 a new user in a
1600x1200 window had 28 editor lines for an 11-line script and 9 lines of output log, too few
for a traceback; with halves a 1366x768 laptop had 16 editor lines and 9 of log. The editor
keeps :data:`_EDITOR_COMFORT_LINES` where the dock has room for them."""

_EDITOR_COMFORT_LINES = 12
"""Lines of code the editor is given before the tabs get more than their share (the weights
left it 10 lines in napari's default 1089x630 window)."""

_LOG_MIN_LINES = 4
"""Lines of the output log always in view on the Output tab, however crowded the dock area
(a figure docked below left two)."""

_LOG_COMFORT_LINES = 8
"""Lines of output log a figure docked below the runner gives back, shrinking towards its
minimum (as it does for the editor's :data:`_EDITOR_COMFORT_LINES`)."""

_LOG_SHARE = (1, 3)
"""Weights of the cell output view and the output log below it in the Output tab (the cell
view keeps its minimum lines, :data:`~.cell_output.MIN_TEXT_LINES`)."""


class _WeightedSplitter(QSplitter):
    """Splitter sharing its length by ``weights`` until the user drags a handle.

    ``setSizes`` before the dock is laid out does not hold: the children's size hints
    won, and the editor got 150 of 480 pixels (8 lines) while the tabs below it stood
    mostly empty. The weights are applied again on each resize, and when a part is shown
    or hidden (a hidden part's weight goes to the others; the minimum sizes still hold),
    until the user moves the handle; from then on Qt keeps the user's split.
    """

    def __init__(
        self, weights: tuple[int, ...], orientation: Qt.Orientation = Qt.Orientation.Vertical
    ) -> None:
        super().__init__(orientation)
        self._weights = weights
        self.floors = [0] * len(weights)
        """Pixels each part gets before another gets more than its minimum beyond its share."""
        self.user_sized = False
        self.splitterMoved.connect(self._on_moved)

    def _on_moved(self, *_: Any) -> None:
        self.user_sized = True

    def addWidget(self, widget: QWidget) -> None:
        """Add ``widget``; the split is shared again when it is shown or hidden."""
        super().addWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Share again once a part is shown or hidden (after Qt has laid it out)."""
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            QTimer.singleShot(0, self._share_unless_user_sized)
        return False

    def _share_unless_user_sized(self) -> None:
        if not self.user_sized:
            self.share()

    def resizeEvent(self, event: Any) -> None:
        """Share the new length by the weights unless the user has set the split."""
        super().resizeEvent(event)
        if not self.user_sized:
            self.share()

    def share(self) -> None:
        """Split the current length by the weights of the parts shown."""
        if self.count() != len(self._weights):
            return
        sizes = self.sizes()
        shown = [i for i in range(self.count()) if not self.widget(i).isHidden()]
        total = sum(sizes[i] for i in shown)
        weight = sum(self._weights[i] for i in shown)
        if total <= 0 or weight <= 0:
            return
        for i in shown[:-1]:
            sizes[i] = total * self._weights[i] // weight
        sizes[shown[-1]] = total - sum(sizes[i] for i in shown[:-1])
        self.setSizes(self._raised_to_floors(sizes, shown))

    def _raised_to_floors(self, sizes: list[int], shown: list[int]) -> list[int]:
        """Grow parts below their floor with what the others hold above their minimum."""
        vertical = self.orientation() == Qt.Orientation.Vertical
        for i in shown:
            for j in shown:
                if j == i or sizes[i] >= self.floors[i]:
                    continue
                other = self.widget(j)
                hint = other.minimumSizeHint()
                if vertical:  # Qt's rule: a minimum size set wins over the hint
                    minimum = other.minimumHeight() or hint.height()
                else:
                    minimum = other.minimumWidth() or hint.width()
                least = max(self.floors[j], minimum)
                moved = max(0, min(self.floors[i] - sizes[i], sizes[j] - least))
                sizes[i] += moved
                sizes[j] -= moved
        return sizes


def _through_proxy(entry: NamespaceEntry, namespace: dict[str, Any]) -> NamespaceEntry:
    """Describe a main-thread proxy (``viewer``, layers a script got) as the object behind it.

    The watch then says ``Viewer`` rather than ``MainThreadProxy`` and a weak-proxy repr.
    """
    value = namespace.get(entry.name)
    if not isinstance(value, MainThreadProxy):
        return entry
    target = unwrap(value)
    kind = target.__class__.__name__  # a weakref.proxy answers its referent's class
    return dataclasses.replace(
        entry, type_name=kind, summary=f"napari {kind}; scripts call it on the main thread"
    )


def _row(*widgets: Any) -> Container:
    row = Container(widgets=list(widgets), layout="horizontal", labels=False)
    # no margins of its own: magicgui's gave each row of buttons 12 pixels of air, and
    # with a figure docked below the runner the window grew past napari's default height
    row.margins = (0, 0, 0, 0)
    return row


def _boxed(*parts: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        layout.addWidget(part)
    return box


class ScriptRunnerWidget(Container):
    """Dock widget to write, open and run scripts in the viewer's session.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session (``dm``) scripts work on.
    engine : ScriptEngine, optional
        Engine to use instead of the session's (``get_session(viewer).engine``).
    recent_files : RecentFiles, optional
        Recent-files store; ``recent_scripts.json`` in the user config folder by default.
    settings_file : path-like, optional
        Where the dock keeps what the user set
        (:func:`~napari_whiskertoolbox.scripting.settings.settings_path` by default).

    Attributes
    ----------
    run_finished : psygnal.Signal
        Emitted on the main thread with the :class:`RunResult` after each run.
    last_result : RunResult or None
        Outcome of the latest run.
    last_console_push : dict
        Variables pushed into napari's console after the latest run.
    cell_outputs : CellOutputs
        The latest output of each ``# %%`` cell run from the editor, and of *Run file*.
    processor_run : ProcessorRun or None
        The latest "Run as processor" run.
    value_views : list
        Table windows opened from the variable watch (kept while open).
    settings : ScriptRunnerSettings
        What the user set (saved shortly after each change and when the dock closes).
    theme : ScriptTheme or None
        The colours in use (napari's current theme).
    """

    run_finished = Signal(object)

    def __init__(
        self,
        napari_viewer: Any,
        engine: ScriptEngine | None = None,
        recent_files: RecentFiles | None = None,
        settings_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(labels=False)
        tabify_when_docked(self.native, viewer=napari_viewer, kind=type(self).__name__)
        self._viewer = napari_viewer
        self._engine = engine
        self._recent = recent_files if recent_files is not None else RecentFiles()
        self._settings_file = Path(settings_file) if settings_file else settings_path()
        self.settings: ScriptRunnerSettings = load_settings(self._settings_file)
        self._path: Path | None = None
        self._started = 0.0
        self._closed = False
        self._restoring = True
        self._dm_connections: list[tuple[Any, Any]] = []
        self.theme: ScriptTheme | None = None
        self.last_result: RunResult | None = None
        self.last_console_push: dict[str, Any] = {}
        self.cell_outputs = CellOutputs()
        self.processor_run: ProcessorRun | None = None
        self.value_views: list[ArrayViewDialog] = []
        self._running_cell: Cell | None = None
        self._running_file: tuple[str, str] | None = None  # (name, source) of a Run file

        self.native.setStyleSheet(DISABLED_KEEPS_ITS_SIZE)
        self._build_file_row()
        self._build_run_row()
        self._build_panes()
        # a figure docked below keeps the editor its comfortable lines (the figure shrinks)
        keep_room_when_joined(self.native, self._editor_room_missing)
        self._elapsed_timer = QTimer(self.native)
        self._elapsed_timer.setInterval(200)
        self._elapsed_timer.timeout.connect(self._show_elapsed)
        self._save_timer = QTimer(self.native)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_settings)
        self._cancel_wait_timer = QTimer(self.native)
        self._cancel_wait_timer.setSingleShot(True)
        self._cancel_wait_timer.setInterval(CANCEL_WAIT_NOTE_MS)
        self._cancel_wait_timer.timeout.connect(self._note_cancel_waiting)
        self.native.destroyed.connect(self._on_destroyed)
        self._restore_settings()
        self._connect_session()
        self._update_title()
        self._set_busy(False)
        self._restoring = False

    # -- construction ------------------------------------------------------------------------

    def _build_file_row(self) -> None:
        self._template_choice = ComboBox(choices=list_templates(), tooltip="template for New")
        self._template_choice.native.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._template_choice.native.setMinimumContentsLength(_TEMPLATE_MIN_CHARS)
        self._new_button = PushButton(text="New", tooltip="new script from the chosen template")
        self._open_button = PushButton(text="Open…")
        self._save_button = PushButton(text="Save")
        self._save_as_button = PushButton(text="Save As…")
        self._new_button.changed.connect(
            lambda: self.new_from_template(self._template_choice.value)
        )
        self._open_button.changed.connect(self._ask_open)
        self._save_button.changed.connect(self.save)
        self._save_as_button.changed.connect(self._ask_save_as)
        # Two rows, each readable at the dock's narrowest: one row of five buttons and the
        # template list asked for 480 pixels, and "Recent"'s menu arrow covered its last letter.
        row = _row(self._template_choice, self._new_button, self._open_button)
        self._recent_button = QToolButton()
        self._recent_button.setText("Recent ▾")
        self._recent_button.setToolTip("open a recently used script")
        self._recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._recent_button.setStyleSheet(_NO_MENU_ARROW)
        self._recent_menu = QMenu(self._recent_button)
        self._recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._recent_button.setMenu(self._recent_menu)
        row.native.layout().addWidget(self._recent_button)
        self._save_button.tooltip = "save the script (Ctrl+S in the editor)"
        self._save_as_button.tooltip = "save the script elsewhere (Ctrl+Shift+S in the editor)"
        self._title = ElidedLabel(_UNTITLED, min_chars=10)
        self._environment_label = ElidedLabel("", 10, Qt.TextElideMode.ElideMiddle)
        file_row = _row(self._save_button, self._save_as_button)
        file_row.native.layout().insertWidget(0, self._title)
        file_row.native.layout().insertWidget(1, self._environment_label)
        self.extend([row, file_row])

    def _build_run_row(self) -> None:
        self._run_button = PushButton(text="Run file", tooltip="run the whole script")
        self._run_selection_button = PushButton(
            text="Run selection", tooltip="run the selection or current line (Shift+Enter)"
        )
        self._run_cell_button = PushButton(
            text="Run cell",
            tooltip="run the # %% cell under the cursor (Ctrl+Enter; "
            "Ctrl+Shift+Enter runs it and moves to the next cell)",
        )
        self._processor_button = PushButton(
            text="Run as processor…",
            tooltip="feed analog keys chunk by chunk through the script's processor class",
        )
        self._cancel_button = PushButton(text="Cancel", tooltip="stop the running script")
        # its minimum width the same whatever it says: "running… 0.3 s" made the runner 40
        # pixels wider than "done", and Qt keeps a dock's largest minimum width for good
        self._status = ElidedLabel("", 8, Qt.TextElideMode.ElideRight)
        self._status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._run_button.changed.connect(self.run_file)
        self._run_selection_button.changed.connect(self.run_selection)
        self._run_cell_button.changed.connect(lambda: self.run_cell())
        self._processor_button.changed.connect(self._ask_run_as_processor)
        self._cancel_button.changed.connect(self.cancel)
        # two rows, so the dock stays narrow enough to leave the video its room
        row = _row(self._processor_button, self._cancel_button)
        row.native.layout().addWidget(self._status)
        self._busy_bar = QProgressBar()
        self._busy_bar.setRange(0, 0)  # indeterminate: a script's progress is unknown
        self._busy_bar.setMaximumWidth(120)
        self._busy_bar.setTextVisible(False)
        row.native.layout().addWidget(self._busy_bar)
        self.extend(
            [_row(self._run_button, self._run_selection_button, self._run_cell_button), row]
        )

    def _build_panes(self) -> None:
        self.editor = CodeEditor()
        self.editor.setPlaceholderText("# dm, wt, viewer, np and the data types are ready to use")
        self.editor.run_selection_requested.connect(self.run_selection)
        self.editor.run_cell_requested.connect(lambda advance: self.run_cell(advance))
        self.editor.current_cell_changed.connect(self._show_cell_output)
        self.editor.file_dropped.connect(self._open_from_ui)
        self.editor.save_requested.connect(
            lambda save_as: self._ask_save_as() if save_as else self.save()
        )
        self.editor.document().modificationChanged.connect(self._update_title)
        self.editor.textChanged.connect(self._remember_buffer)
        # the saved "modified" follows the document's own (it may change without the text)
        self.editor.document().modificationChanged.connect(self._remember_buffer)

        self.output = OutputPane()
        self._clear_button = QToolButton()
        self._clear_button.setText("Clear")
        self._clear_button.setToolTip("clear the output log")
        self._clear_button.clicked.connect(self.output.clear)

        self.cell_view = CellOutputView()
        self.cell_view.hide()
        self.inspector = NamespaceInspector()
        self.inspector.value_requested.connect(self.show_value)
        self._clock_choice = ComboBox(choices=self._clock_names, tooltip="clock for imported data")
        # short texts: with the clock list and the new-data note, "Import new data" and
        # "Reset namespace" held the dock 70 pixels wider than its buttons above
        self._import_button = PushButton(
            text="Import",
            tooltip="import new data: store the data objects left in the namespace into dm, "
            "on the chosen clock",
        )
        self._import_button.changed.connect(lambda: self.import_new_data(self._clock_choice.value))
        self._new_data_label = ElidedLabel("", 10, Qt.TextElideMode.ElideRight)
        self._reset_button = PushButton(
            text="Reset",
            tooltip="reset the namespace: forget all variables (the prelude runs again)",
        )
        self._reset_button.changed.connect(self.reset_namespace)

        self.data_keys = DataKeysPanel()
        self.data_keys.insert_requested.connect(self.insert_text)
        self.properties = ScriptPropertiesPanel(
            self.output.append_output, extra_venv_paths=self.settings.extra_venv_paths
        )
        self.properties.project_folders = self._project_folders
        self._connect_properties()

        self.tabs = QTabWidget()
        output_split = self._output_split = _WeightedSplitter(_LOG_SHARE)
        output_split.addWidget(self.cell_view)
        output_split.addWidget(self.output)
        output_split.setChildrenCollapsible(False)
        output_split.setStretchFactor(0, _LOG_SHARE[0])
        output_split.setStretchFactor(1, _LOG_SHARE[1])  # the log keeps most of the room
        # Clear sits in the tab bar: a row of its own took the room of three lines of output
        self.tabs.addTab(output_split, "Output")
        self.tabs.setCornerWidget(self._clear_button)
        clear, tabs = self._clear_button, self.tabs
        tabs.currentChanged.connect(
            lambda index: clear.setVisible(tabs.widget(index) is output_split)
        )
        import_row = _row(self._clock_choice, self._import_button, self._reset_button)
        import_row.native.layout().insertWidget(0, self._new_data_label, 1)
        self.tabs.addTab(_boxed(self.inspector, import_row.native), "Variables")
        self.tabs.addTab(self.data_keys, "Data keys")
        self.tabs.addTab(self.properties, "Properties")

        splitter = self._splitter = _WeightedSplitter(_EDITOR_SHARE)
        splitter.addWidget(self.editor)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, _EDITOR_SHARE[0])
        splitter.setStretchFactor(1, _EDITOR_SHARE[1])
        # In a crowded dock area the editor keeps a few lines; the tabs give way first.
        self._fit_editor_min_height()
        self._fit_log_min_height()
        splitter.setChildrenCollapsible(False)
        self.native.layout().addWidget(splitter)

    def _connect_properties(self) -> None:
        panel = self.properties
        panel.font_size.valueChanged.connect(self.set_font_size)
        panel.line_numbers.toggled.connect(self.set_line_numbers)
        panel.auto_scroll.toggled.connect(self.set_auto_scroll)
        panel.working_directory.editingFinished.connect(
            lambda: self.set_working_directory(panel.working_directory.text())
        )
        panel.argv.editingFinished.connect(lambda: self.set_script_arguments(panel.argv.text()))
        panel.prelude_enabled.toggled.connect(self._set_prelude_enabled)
        panel.apply_prelude.clicked.connect(
            lambda: self.apply_prelude(
                panel.prelude.toPlainText(), panel.prelude_enabled.isChecked()
            )
        )
        panel.environment_changed.connect(self._environment_changed)
        panel.extra_paths_changed.connect(self._extra_paths_changed)

    # -- settings -------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        """Apply the saved settings to the editor, output, engine and environment."""
        saved = self.settings
        panel = self.properties
        for widget, value in (
            (panel.font_size, saved.font_size),
            (panel.line_numbers, saved.show_line_numbers),
            (panel.auto_scroll, saved.auto_scroll),
        ):
            widget.blockSignals(True)
            if isinstance(value, bool):
                widget.setChecked(value)
            else:
                widget.setValue(value)
            widget.blockSignals(False)
        self.set_font_size(saved.font_size)
        self.set_line_numbers(saved.show_line_numbers)
        self.set_auto_scroll(saved.auto_scroll)
        panel.working_directory.setText(saved.working_directory)
        panel.argv.setText(saved.script_arguments)
        panel.prelude_enabled.setChecked(saved.prelude_enabled)
        panel.prelude.setPlainText(saved.prelude)
        engine = self.engine
        if saved.working_directory:
            # as if typed: a saved folder deleted since says so instead of being ignored
            self.set_working_directory(saved.working_directory)
        self.set_script_arguments(saved.script_arguments)
        if (engine.prelude, engine.prelude_enabled) != (saved.prelude, saved.prelude_enabled):
            self.apply_prelude(saved.prelude, saved.prelude_enabled)
        problem = restore_environment(saved.venv_path)
        if problem:
            self.output.append_output("stderr", problem + "\n")
        panel.refresh_environments()
        panel.show_active_environment()
        if problem:  # also beside the environment selector, where the user looks for it
            panel.environment_message.setText(problem)
        self._show_environment()
        self._restore_buffer()

    def _project_folders(self) -> list[Path]:
        """Folders whose ``.venv`` the environment list offers: the script's and the config's."""
        folders = [self._path.parent] if self._path is not None else []
        config = self.engine.dm.metadata.get("config_path")
        if isinstance(config, str) and config:
            folders.append(Path(config).parent)
        return folders

    def _restore_buffer(self) -> None:
        saved = self.settings
        path = Path(saved.editor_path) if saved.editor_path else None
        if path is not None and not path.is_file():
            path = None
        text = None
        if path is not None and not saved.editor_modified:
            try:
                text = read_script(path)
            except (OSError, ScriptEncodingError) as exc:
                self.output.append_output("stderr", f"could not open the script again: {exc}\n")
        if path is not None and text is not None:
            self._set_text(text, path)
        elif saved.editor_content:
            self.editor.setPlainText(saved.editor_content)
            self._path = path
            self.editor.document().setModified(saved.editor_modified)
        self._update_title()

    def _remember_buffer(self, *_: Any) -> None:
        saved = self.settings
        saved.editor_content = self.editor.toPlainText()
        saved.editor_path = str(self._path) if self._path is not None else ""
        saved.editor_modified = self.editor.document().isModified()
        self._schedule_save()

    def _schedule_save(self) -> None:
        if not self._restoring and not self._closed:
            self._save_timer.start()

    def save_settings(self) -> bool:
        """Write :attr:`settings` to the settings file now; False when it is not writable."""
        if not self._closed:
            self._save_timer.stop()
        return write_settings(self.settings, self._settings_file)

    def set_font_size(self, points: int) -> None:
        """Use ``points``-sized text in the editor and the output."""
        self.editor.set_font_size(points)
        self._fit_editor_min_height()
        self.output.set_font_size(points)
        self.cell_view.set_font_size(points)
        self._fit_log_min_height()
        self.settings.font_size = int(points)
        self._schedule_save()

    def _fit_editor_min_height(self) -> None:
        """Keep :data:`_EDITOR_MIN_LINES` lines of code in view at the current font size.

        Where the dock has room, the editor's share is raised to :data:`_EDITOR_COMFORT_LINES`.

        The frame and the horizontal scroll bar (long lines do not wrap) come on top: the
        bare line height left 4.6 lines in view beside a docked figure.
        """
        self.editor.setMinimumHeight(self._editor_height(_EDITOR_MIN_LINES))
        self._splitter.floors[0] = self._editor_height(_EDITOR_COMFORT_LINES)

    def _fit_log_min_height(self) -> None:
        """Keep :data:`_LOG_MIN_LINES` lines of the output log in view at the current font size.

        The tabs' minimum holds the log's, the cell output view's and the tab bar (Qt's own
        hint for them; at least :data:`_TABS_MIN_HEIGHT`). A figure docked below gives the
        dock back room for :data:`_LOG_COMFORT_LINES` lines (:meth:`_editor_room_missing`),
        the editor's lines first.
        """
        self.output.setMinimumHeight(self._log_height(_LOG_MIN_LINES))
        self._output_split.floors[1] = self._log_height(_LOG_COMFORT_LINES)
        self.tabs.setMinimumHeight(0)  # ask Qt for the hint of the parts, not the value set
        self.tabs.setMinimumHeight(max(_TABS_MIN_HEIGHT, self.tabs.minimumSizeHint().height()))

    def _log_height(self, lines: int) -> int:
        """Height of the output log showing ``lines`` lines at its current font size."""
        log = self.output
        chrome = 2 * (log.frameWidth() + round(log.document().documentMargin()))
        return log.fontMetrics().lineSpacing() * lines + chrome

    def _editor_room_missing(self) -> int:
        """Pixels the dock lacks for its editor's and output log's comfortable lines.

        The editor's :data:`_EDITOR_COMFORT_LINES`, and the log's :data:`_LOG_COMFORT_LINES`
        while the Output tab shows (0: they have them).
        """
        missing = max(self._splitter.floors[0] - self.editor.height(), 0)
        if self.tabs.currentWidget() is self._output_split:
            missing += max(self._output_split.floors[1] - self.output.height(), 0)
        return missing

    def _editor_height(self, lines: int) -> int:
        """Height of the editor showing ``lines`` lines of code at the current font size."""
        editor = self.editor
        chrome = 2 * (editor.frameWidth() + round(editor.document().documentMargin()))
        chrome += editor.horizontalScrollBar().sizeHint().height()
        return editor.fontMetrics().lineSpacing() * lines + chrome

    def set_line_numbers(self, visible: bool) -> None:
        """Show or hide the editor's line numbers."""
        self.editor.set_line_numbers_visible(visible)
        self.settings.show_line_numbers = bool(visible)
        self._schedule_save()

    def set_auto_scroll(self, enabled: bool) -> None:
        """Make the output follow new text (or stay where the user scrolled)."""
        self.output.auto_scroll = bool(enabled)
        self.settings.auto_scroll = bool(enabled)
        self._schedule_save()

    def set_working_directory(self, path: str) -> None:
        """Run code from the editor in ``path`` (``""``: napari's own working directory)."""
        text = path.strip()
        if not text:
            self.engine.clear_working_directory()
        elif Path(text).expanduser().is_dir():
            self.engine.set_working_directory(text)
        else:
            self.output.append_output(
                "stderr",
                f"working folder {text} does not exist; code runs in {self.engine.working_directory}\n",
            )
        self.settings.working_directory = text
        self._schedule_save()

    def set_script_arguments(self, text: str) -> None:
        """Set ``sys.argv`` of every run from a shell-like line (``""``: not set)."""
        if text.strip():
            try:
                self.engine.set_sys_argv(text)
            except ValueError as exc:
                self.output.append_output("stderr", f"sys.argv not changed: {exc}\n")
                return
        else:
            self.engine.clear_sys_argv()
        self.settings.script_arguments = text
        self._schedule_save()

    def _set_prelude_enabled(self, enabled: bool) -> None:
        self.engine.prelude_enabled = enabled
        self.settings.prelude_enabled = bool(enabled)
        self._schedule_save()

    def apply_prelude(self, code: str, enabled: bool = True) -> None:
        """Use ``code`` as the prelude (run when ``enabled``) and start a fresh namespace."""
        engine = self.engine
        engine.prelude = code
        engine.prelude_enabled = enabled
        self.settings.prelude = code
        self.settings.prelude_enabled = bool(enabled)
        self._schedule_save()
        self.reset_namespace()

    def _environment_changed(self, path: Path | None) -> None:
        self.settings.venv_path = "" if path is None else str(path)
        self._schedule_save()
        self._show_environment()

    def _extra_paths_changed(self, paths: list[str]) -> None:
        self.settings.extra_venv_paths = list(paths)
        self._schedule_save()

    def _show_environment(self) -> None:
        active = venv.active_venv_path()
        version = ".".join(str(n) for n in ScriptEngine.python_version_tuple())
        where = f"env: {active.name}" if active is not None else "env: napari's own"
        # the version is never elided, the environment after it is
        self._environment_label.keep = f"Python {version} "
        self._environment_label.value = f"Python {version} · {where}"
        self._environment_label.tooltip = str(active) if active is not None else None
        if self._viewer is not None:
            from napari_whiskertoolbox.workflow.console import show_console_banner

            show_console_banner(self._viewer)

    # -- theme and session ---------------------------------------------------------------------

    def _apply_theme(self, *_: Any) -> None:
        if self._viewer is None or self._closed:
            return
        theme = script_theme(self._viewer.theme)
        self.theme = theme
        parts = (self.editor, self.output, self.cell_view, self.inspector, self.data_keys)
        for part in (*parts, self.properties):
            part.apply_theme(theme)

    def _connect_session(self) -> None:
        if self._viewer is not None:
            self._viewer.events.theme.connect(self._apply_theme)
            self._apply_theme()
        dm = self.engine.dm
        for signal in (dm.data_added, dm.data_removed, dm.data_renamed, dm.clocks_changed):
            self._dm_connections.append((signal, connect_main(signal, self.refresh_data_keys)))
        self._dm_connections.append(
            (console_executed, connect_main(console_executed, self._on_console_command))
        )
        self.refresh_data_keys()

    def refresh_data_keys(self, *_: Any) -> None:
        """List the DataManager's keys in the Data keys tab."""
        if not self._closed:
            self.data_keys.show_keys(self.engine.dm)

    def _on_destroyed(self, *_: Any) -> None:
        """Stop the script, save the settings and let go of the session: the dock is gone."""
        self._cancel_quietly()
        write_settings(self.settings, self._settings_file)
        if self._viewer is not None:
            self._viewer.events.theme.disconnect(self._apply_theme)
        for signal, slot in self._dm_connections:
            signal.disconnect(slot)
        self._dm_connections.clear()

    # -- engine and session ------------------------------------------------------------------

    @property
    def engine(self) -> ScriptEngine:
        """The engine scripts run in (the session's unless one was given)."""
        if self._engine is None:
            from napari_whiskertoolbox.workflow.registry import get_session

            self._engine = get_session(self._viewer).engine
        current = self._engine.viewer
        if self._viewer is not None and type(current) is not MainThreadProxy:
            # Scripts run on a worker thread: route their viewer use to the main thread.
            # Keep the session's weak reference when it has one.
            self._engine.viewer = MainThreadProxy(current if current is not None else self._viewer)
        return self._engine

    def _clock_names(self, *_: Any) -> list[str]:
        try:
            return list(self.engine.dm.time_keys())
        except Exception:  # the session may not be ready while the dock is being built
            return ["time"]

    @property
    def is_running(self) -> bool:
        """Whether a script started from this dock is running."""
        return self.engine.is_running

    # -- files --------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """File shown in the editor (``None`` for an unsaved script)."""
        return self._path

    @property
    def modified(self) -> bool:
        """Whether the editor has unsaved changes."""
        return self.editor.document().isModified()

    def _update_title(self, *_: Any) -> None:
        name = self._path.name if self._path is not None else _UNTITLED
        self._title.value = f"{name} *" if self.modified else name
        self._title.tooltip = str(self._path) if self._path is not None else None

    def _set_text(self, text: str, path: Path | None) -> None:
        self._path = path
        self.cell_outputs.clear()
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self._update_title()
        self._remember_buffer()

    def confirm_discard(self) -> bool:
        """Ask before unsaved edits are replaced; ``True`` when it is fine to go on."""
        if not self.modified:
            return True
        answer = QMessageBox.question(
            self.native,
            "Unsaved script",
            "The script has unsaved changes. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def new_from_template(self, title: str = "Blank") -> None:
        """Replace the editor content with the template called ``title`` (unsaved)."""
        if self.confirm_discard():
            self._set_text(load_template(title), None)

    def open_path(self, path: str | os.PathLike[str]) -> None:
        """Load the script at ``path`` into the editor.

        It is decoded as Python decodes it: UTF-8, or the encoding its PEP 263 coding line
        (``# -*- coding: latin-1 -*-``) declares; saving writes that encoding back.

        Raises
        ------
        FileNotFoundError
            If ``path`` is not a file.
        OSError
            If it cannot be read.
        ScriptEncodingError
            If it does not decode (the message names the file, line and byte); the editor
            keeps its text.
        """
        script = Path(path).expanduser().resolve()
        if not script.is_file():
            raise FileNotFoundError(f"script file not found: {script}")
        text = read_script(script)
        if not self.confirm_discard():
            return
        self._set_text(text, script)
        self._recent.add(script)
        self._remember_folder(script)

    def _open_from_ui(self, path: str | os.PathLike[str]) -> bool:
        """Open ``path`` for a drop, *Open…* or *Recent*; say in the output why it could not.

        Qt slots must not raise: PyQt6 aborts the process on an exception escaping one.
        """
        try:
            self.open_path(path)
        except (OSError, ScriptEncodingError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            where = "" if str(path) in reason else f"{path}: "
            self.output.append_output("stderr", f"could not open the script: {where}{reason}\n")
            self.tabs.setCurrentIndex(0)  # the Output tab
            return False
        return True

    def save(self) -> bool:
        """Save to the current file (asks for a name when there is none); return whether saved.

        A file that cannot be written (or a character its coding line's encoding has no byte
        for) is not saved: the output says why.
        """
        if self._path is None:
            return self._ask_save_as()
        return self._save_reporting(self._path)

    def _save_reporting(self, path: str | os.PathLike[str]) -> bool:
        try:
            self.save_to(path)
        except (OSError, ScriptEncodingError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.output.append_output("stderr", f"not saved: {reason}\n")
            self.tabs.setCurrentIndex(0)  # the Output tab
            return False
        return True

    def save_to(self, path: str | os.PathLike[str]) -> None:
        """Write the editor content to ``path`` (atomically) and make it the current file."""
        target = Path(path).expanduser().resolve()
        temporary = target.with_name(f".{target.name}.tmp")
        data = encode_script(self.editor.toPlainText(), target)  # its coding line's encoding
        temporary.write_bytes(data)
        os.replace(temporary, target)
        self._path = target
        self.editor.document().setModified(False)
        self._recent.add(target)
        self._remember_folder(target)
        self._update_title()
        self._remember_buffer()

    def _remember_folder(self, script: Path) -> None:
        self.settings.last_folder = str(script.parent)
        self._schedule_save()

    def _start_folder(self) -> str:
        if self._path is not None:
            return str(self._path.parent)
        last = self.settings.last_folder
        return last if last and Path(last).is_dir() else str(Path.home())

    def _matches_disk(self) -> bool:
        try:
            return read_script(self._path) == self.editor.toPlainText()
        except (OSError, ScriptEncodingError):
            return False

    def _ask_open(self) -> None:
        start = self._start_folder()
        path, _ = QFileDialog.getOpenFileName(self.native, "Open script", start, "Python (*.py)")
        if path:
            self._open_from_ui(path)

    def _ask_save_as(self) -> bool:
        start = str(self._path) if self._path else os.path.join(self._start_folder(), "script.py")
        path, _ = QFileDialog.getSaveFileName(self.native, "Save script", start, "Python (*.py)")
        if not path:
            return False
        return self._save_reporting(path)

    def _fill_recent_menu(self) -> None:
        self._recent_menu.clear()
        entries = self._recent.load()
        if not entries:
            self._recent_menu.addAction("(none)").setEnabled(False)
        for entry in entries:
            action = self._recent_menu.addAction(Path(entry).name)
            action.setToolTip(entry)
            action.triggered.connect(lambda _=False, e=entry: self._open_from_ui(e))

    # -- running -------------------------------------------------------------------------------

    def run_file(self) -> None:
        """Run the whole script (saving it first when it has a file and unsaved edits).

        Its output is kept (:attr:`cell_outputs`) and, in a script with ``# %%`` cells,
        shown above the output log as ``whole file · <name> — <seconds> s``.
        """
        source = self.editor.toPlainText()
        if self._path is not None:
            if (self.modified or not self._matches_disk()) and not self._save_reporting(self._path):
                return
            self._start(path=self._path, label=self._path.name, source=source)
        else:
            self._start(code=source, label=_UNTITLED, filename="<untitled>", source=source)

    def run_selection(self) -> None:
        """Run the selected text, or the current line when nothing is selected.

        Tracebacks show the editor's line numbers: the code is compiled as if it started
        on the selection's first line.
        """
        code = textwrap.dedent(self.editor.selected_code())
        if not code.strip():
            return
        padded = "\n" * self.editor.selection_first_line() + code
        name = self._path.name if self._path is not None else _UNTITLED
        self._start(code=padded, label="selection", filename=f"<selection of {name}>")

    def run_cell(self, advance: bool = False) -> None:
        """Run the ``# %%`` cell under the cursor (then move to the next cell with ``advance``).

        The cell's output and last value are kept with it (:attr:`cell_outputs`) and shown
        above the output log while the cursor is in the cell. Tracebacks show editor lines.
        """
        cell = self.editor.current_cell()
        if cell is None or not cell.code.strip():
            return
        if self.engine.is_running or self._processor_running():
            self.output.append_output("info", "a script is already running\n")
            return
        name = self._path.name if self._path is not None else _UNTITLED
        self._start(
            code="\n" * cell.start_line + cell.code,
            label=cell.label,
            filename=f"<{cell.label} of {name}>",
            cell=cell,
        )
        if advance:
            self.editor.move_to_next_cell()

    def _show_cell_output(self, cell: Cell | None = None) -> None:
        """Show the latest run of the cell under the cursor: its own or the whole file's."""
        has_cells = self.editor.has_cell_markers()
        self.cell_view.setVisible(has_cells)
        if has_cells:
            cell = cell if cell is not None else self.editor.current_cell()
            self.cell_view.show_cell(cell, self.cell_outputs.latest(cell) if cell else None)

    def _show_file_run(self, output: CellOutput) -> None:
        """Show a whole-file run's output above the log (till the cursor enters another cell)."""
        has_cells = self.editor.has_cell_markers()
        self.cell_view.setVisible(has_cells)
        if has_cells:
            self.cell_view.show_file_run(output, code_digest(self.editor.toPlainText()))

    def insert_text(self, text: str) -> None:
        """Insert ``text`` at the editor's cursor on a line of its own and focus the editor."""
        cursor = self.editor.textCursor()
        if cursor.positionInBlock() > 0:
            cursor.movePosition(cursor.MoveOperation.EndOfBlock)
            text = "\n" + text
        cursor.insertText(text if text.endswith("\n") else text + "\n")
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def run_code(self, code: str) -> None:
        """Run ``code`` as if it were selected in the editor."""
        self._start(code=code, label="code")

    def cancel(self) -> None:
        """Stop the running script (or processor run)."""
        if self._processor_running():
            self.processor_run.cancel()
            self.output.append_output("info", "cancel requested…\n")
        elif self.engine.cancel():
            self.output.append_output("info", "cancel requested…\n")
            self._cancel_wait_timer.start()

    def _note_cancel_waiting(self) -> None:
        """Say where a cancelled script still runs: a call that blocks ends before it stops."""
        line = self.engine.running_line() if self._engine is not None else None
        if line is None:
            return
        self.output.append_output(
            "info",
            f"still running line {line}: a call that does not return to Python (time.sleep, "
            "waiting on a file or the network, one long C function) finishes before the "
            "script stops\n",
        )

    def _cancel_quietly(self, *_: Any) -> None:
        self._closed = True
        if self._engine is not None:
            self._engine.cancel()
        if self.processor_run is not None:
            self.processor_run.cancel()
        self.properties.cancel_install()

    def _start(
        self,
        code: str | None = None,
        path: Path | None = None,
        label: str = "",
        filename: str | None = None,
        cell: Cell | None = None,
        source: str | None = None,
    ) -> None:
        """Run ``code`` or ``path``; ``cell`` or the whole file's ``source`` keeps the output."""
        engine = self.engine
        if engine.is_running or self._processor_running():
            self.output.append_output("info", "a script is already running\n")
            return
        self._running_cell = cell
        self._running_file = (label, source) if source is not None else None
        self.output.append_output("info", f">>> run {label}\n")
        self._started = time.perf_counter()
        self._set_busy(True)
        engine.run_async(
            code,
            self._on_worker_done,
            path=path,
            on_output=self.output.append_output,
            filename=filename,
        )

    def _on_worker_done(self, result: RunResult) -> None:
        call_in_main(self._finish, result)

    def _finish(self, result: RunResult) -> None:
        if self._closed:  # the dock was closed while the script ran
            return
        self._set_busy(False)
        self.last_result = result
        cell, self._running_cell = self._running_cell, None
        whole_file, self._running_file = self._running_file, None
        if cell is not None:
            self.cell_outputs.record(cell, result)
            self._show_cell_output()
        elif whole_file is not None:
            self._show_file_run(self.cell_outputs.record_file(*whole_file, result))
        self._report(result)
        self.refresh_namespace()
        self._push_to_console(result)
        self.run_finished.emit(result)

    def _report(self, result: RunResult) -> None:
        if result.value_repr is not None:
            self.output.append_output("value", result.value_repr + "\n")
        if result.error:
            self.output.append_traceback(result.error.rstrip("\n") + "\n")
        if result.cancelled:
            outcome = "cancelled"
        elif result.success:
            outcome = "done"
        else:
            outcome = "failed"
        self.output.append_output("info", f"<<< {outcome} in {result.duration:.2f} s\n")
        self._status.value = outcome

    def _push_to_console(self, result: RunResult) -> None:
        namespace = self.engine.namespace
        variables = {
            name: namespace[name]
            for name in result.new_names
            if name in namespace and not name.startswith("_")
        }
        variables["dm"] = self.engine.dm
        self.last_console_push = variables
        if self._viewer is not None:
            self._viewer.update_console(variables)

    def _set_busy(self, busy: bool, determinate: bool = False) -> None:
        # a cancelled run's note is about that run: one that ended (or a new one) has none
        self._cancel_wait_timer.stop()
        self._busy_bar.setVisible(busy)
        self._busy_bar.setRange(0, 1000 if determinate else 0)
        self._cancel_button.enabled = busy
        for button in (
            self._run_button,
            self._run_selection_button,
            self._run_cell_button,
            self._processor_button,
        ):
            button.enabled = not busy
        if busy:
            self._status.value = "running…"
            self._elapsed_timer.start()
        else:
            self._elapsed_timer.stop()

    def _show_elapsed(self) -> None:
        self._status.value = f"running… {time.perf_counter() - self._started:.1f} s"

    # -- namespace --------------------------------------------------------------------------

    def refresh_namespace(self) -> None:
        """Refresh the inspector and the new-data import row."""
        engine = self.engine
        entries = [_through_proxy(entry, engine.namespace) for entry in engine.listing()]
        self.inspector.set_entries(entries, value_of=engine.namespace.__getitem__)
        new_data = find_new_data(engine.namespace, engine.dm)
        self._new_data_label.value = (
            f"new data: {', '.join(new_data)}" if new_data else "no new data objects"
        )
        self._import_button.enabled = bool(new_data)
        self._clock_choice.reset_choices()

    def reset_namespace(self) -> None:
        """Give scripts a fresh namespace (``dm``, ``viewer``, ``np``, the data types)."""
        if self.engine.is_running:
            self.output.append_output("info", "cannot reset while a script is running\n")
            return
        result = self.engine.reset()
        if not result.success:
            self.output.append_traceback(f"prelude failed:\n{result.error}")
        self.output.append_output("info", "namespace reset\n")
        self.refresh_namespace()

    def import_new_data(self, clock: str = "time") -> list[str]:
        """Store the namespace's new data objects in ``dm`` on ``clock`` (the session shows them)."""
        imported = self.engine.import_new_data(clock=clock)
        self.output.append_output(
            "info", f"imported into dm: {', '.join(imported) if imported else 'nothing'}\n"
        )
        self.refresh_namespace()
        return imported

    def _on_console_command(
        self, dm: Any, variables: dict[str, Any], deleted: tuple[str, ...] = ()
    ) -> None:
        """Follow the console command's new, rebound and deleted variables; refresh the watch."""
        if self._closed or dm is not self.engine.dm:
            return
        # the engine keeps its own dm and viewer (a main-thread proxy for worker threads)
        kept = ("dm", "viewer")
        self.engine.namespace.update(
            {name: value for name, value in variables.items() if name not in kept}
        )
        for name in deleted:
            if name not in kept:
                self.engine.namespace.pop(name, None)
        self.refresh_namespace()

    # -- showing values ---------------------------------------------------------------------

    def show_value(self, name: str) -> Any:
        """Show the namespace's ``name``: series as a timeline lane, arrays in a table.

        Returns the lane name or the table window (None when the value has no view; the
        output pane then says so).
        """
        engine = self.engine
        if name not in engine.namespace:
            return None
        value = engine.namespace[name]
        if isinstance(value, (AnalogTimeSeries, DigitalEventSeries, DigitalIntervalSeries)):
            key = key_of(engine.dm, value)
            try:
                return plot_lane(key if key is not None else value, name=name, dm=engine.dm)
            except (KeyError, ValueError) as exc:
                self.output.append_output("stderr", f"{exc}\n")
                return None
        try:
            table_of(value)
        except TypeError:
            self.output.append_output("info", f"{name}: {type(value).__name__} has no view\n")
            return None
        view = ArrayViewDialog(name, value, self.native)
        view.finished.connect(lambda *_: self.value_views.remove(view))
        self.value_views.append(view)
        view.show()
        return view

    # -- stream processors ---------------------------------------------------------------------

    def _processor_running(self) -> bool:
        return self.processor_run is not None and self.processor_run.running

    def _processor_module(self) -> Any:
        """Return the script as a processor module (saving a script that has a file)."""
        if self._path is not None:
            if self.modified or not self._matches_disk():
                self.save_to(self._path)
            return self._path
        return module_from_source(self.editor.toPlainText(), _UNTITLED)

    def _ask_run_as_processor(self) -> None:
        default = f"{self._path.stem if self._path is not None else _UNTITLED}_"
        theme_name = str(self._viewer.theme) if self._viewer is not None else None
        dialog = ProcessorDialog(self.engine.dm, default, self.native, theme_name=theme_name)
        if dialog.exec() != ProcessorDialog.DialogCode.Accepted:
            return
        choices = dialog.choices()
        self.run_as_processor(
            choices.input_keys,
            chunk_seconds=choices.chunk_seconds,
            event_keys=choices.event_keys,
            output_prefix=choices.output_prefix,
            sample_rate=choices.sample_rate,
            overwrite=choices.overwrite,
            option_names=DIALOG_FIELDS,
        )

    def run_as_processor(
        self,
        input_keys: list[str],
        *,
        chunk_seconds: float = 1.0,
        chunk_samples: int | None = None,
        event_keys: list[str] | tuple[str, ...] = (),
        output_prefix: str | None = None,
        sample_rate: float | None = None,
        overwrite: bool = False,
        option_names: Mapping[str, str] | None = None,
    ) -> ProcessorRun | None:
        """Run the editor's script as a stream processor over ``input_keys`` in the background.

        Progress shows in the run row; Cancel stops it before the next chunk. Returns the
        run, or None when the script or the choices are unusable (the output pane says why).
        ``overwrite`` replaces existing output keys; ``option_names`` (parameter → what
        the user set it with, e.g. :data:`DIALOG_FIELDS`) words the error messages.
        """
        if self.engine.is_running or self._processor_running():
            self.output.append_output("info", "a script is already running\n")
            return None
        try:
            plan = plan_processor(
                self.engine.dm,
                self._processor_module(),
                input_keys,
                chunk_seconds=chunk_seconds,
                chunk_samples=chunk_samples,
                output_prefix=output_prefix,
                event_keys=event_keys,
                sample_rate=sample_rate,
                overwrite=overwrite,
                option_names=option_names,
            )
        except (ProcessorError, KeyError, ValueError, OSError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            self.output.append_output("stderr", f"cannot run as processor: {message}\n")
            return None
        run = self.processor_run = ProcessorRun(plan, on_output=self.output.append_output)
        run.progressed.connect(lambda fraction: self._busy_bar.setValue(round(fraction * 1000)))
        run.finished.connect(self._processor_finished)
        self.output.append_output(
            "info",
            f">>> {plan.label}: {plan.n_samples:,} samples in {counted(plan.n_chunks, 'chunk')} "
            f"of {plan.chunk_samples:,}\n",
        )
        self._started = time.perf_counter()
        self._set_busy(True, determinate=True)
        run.start()
        return run

    def _processor_finished(self, outcome: ProcessorOutcome) -> None:
        if self._closed:
            return
        self._set_busy(False)
        stream = "stderr" if outcome.status == "failed" else "info"
        self.output.append_output(stream, f"<<< {outcome.message}\n")
        self._status.value = outcome.status
