"""Batch dock: run a script or pipeline over many sessions on dask, with a live table.

The batch runs through :func:`napari_whiskertoolbox.batch.run_batch` on a napari
``thread_worker`` (its progress shows in napari's activity bar); the UI never waits for
it. Every status change updates the table on the main thread. Cancel drops waiting
sessions, stops running ones and shuts down the local cluster; finished sessions keep
their outputs. Double-clicking a finished session opens its saved outputs: in this
viewer when its session is empty, else in a new viewer. The values a task leaves in
``results`` fill a column each as the sessions finish; *Copy table* puts the table on
the clipboard as tab-separated text.
"""

from __future__ import annotations

import os
import queue
import shlex
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QSize, Qt
from qtpy.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.batch import (
    FINAL_STATUSES,
    BatchProgress,
    BatchReport,
    ClusterStatus,
    MissingBatchDependencyError,
    SessionRecord,
    find_sessions,
    require_batch_dependencies,
    run_batch,
    session_names,
    skipped_note,
)
from napari_whiskertoolbox.batch.cluster import default_n_workers
from napari_whiskertoolbox.batch.report import (
    duration_text,
    error_line,
    memory_text,
    result_column,
)
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.layers.main_thread import call_in_main
from napari_whiskertoolbox.widgets.button_style import DISABLED_KEEPS_ITS_SIZE
from napari_whiskertoolbox.widgets.column_fit import ColumnFit
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.widgets.result_cells import full_text, result_text, result_tip, tsv
from napari_whiskertoolbox.widgets.theme_colors import (
    MIN_TEXT_CONTRAST,
    follow_theme,
    readable_on,
    readable_text_color,
    theme_hex,
)
from napari_whiskertoolbox.widgets.traceback_html import traceback_html
from napari_whiskertoolbox.widgets.vertical_scroll import VerticalScrollArea

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["BatchWidget"]

MIN_SCROLL_HEIGHT = 200
"""Lowest the dock's scrolling form gets (pixels): the task rows and a few more in view."""
TASK_SOURCES = ("Script in the script runner", "Pipeline from the library", "File")
COLUMNS = (
    "session",
    "status",
    "error",
    "duration",
    "peak memory",
    "keys added",
    "keys changed",
    "keys deleted",
)
_STATUS = COLUMNS.index("status")
_ERROR = COLUMNS.index("error")
_DURATION = COLUMNS.index("duration")
_MEMORY = COLUMNS.index("peak memory")
_KEYS_ADDED, _KEYS_CHANGED, _KEYS_DELETED = (
    COLUMNS.index(f"keys {what}") for what in ("added", "changed", "deleted")
)
MAX_COLUMN_WIDTH = 220
"""Widest (px) a column of the results table is fitted to: a longer error or value is
elided, whole on hover; a column is otherwise as wide as its header and cells."""
_COLUMN_TIPS = {
    _MEMORY: "The session's peak resident memory in its worker process (load, task, save)",
    _KEYS_ADDED: "DataManager keys the task created",
    _KEYS_CHANGED: "Keys the session had that the task replaced or modified",
    _KEYS_DELETED: "Keys the session had that the task deleted",
}
_STATUS_COLORS = {
    "done": "#3fa34d",
    "skipped": "#5b8fd6",
    "failed": "#d64545",
    "cancelled": "#b08a2e",
}
"""Status colours, adjusted to read on napari's theme (:meth:`BatchWidget.status_color`)."""
_WAITING_COLOR = "#d9a03f"


class _RowsScroll(VerticalScrollArea):
    """The dock's rows: it asks for their whole height, and scrolls in a lower window."""

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        return QSize(self.with_scroll_bar(hint.width()), hint.height())


class BatchWidget(QWidget):
    """Dock widget to run a task over many sessions and follow each one.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer: its script runner provides a task, and finished sessions open in it.

    Attributes
    ----------
    report : BatchReport or None
        The last finished batch.
    scroll_area : QScrollArea
        Holds the dock's rows: they scroll up and down in a low window.
    """

    def __init__(self, napari_viewer: Any) -> None:
        super().__init__()
        tabify_when_docked(self, viewer=napari_viewer, kind=type(self).__name__)
        self.setStyleSheet(DISABLED_KEEPS_ITS_SIZE)  # Cancel as tall as Run
        self._viewer = napari_viewer
        self._rows: dict[int, int] = {}
        self._records: dict[int, SessionRecord] = {}
        self._cancel: threading.Event | None = None
        self._session_columns: dict[str, dict[str, str]] = {}  # session path -> manifest cells
        self._result_columns: dict[str, int] = {}  # result name -> its table column
        self._worker: Any = None
        self._cluster_reported = False
        self._cluster_local = False
        self.report: BatchReport | None = None
        self._showing_source = False
        """True while the dock writes a source's task into *File* (not a file chosen)."""

        # the rows scroll: their minimum heights (529 pixels) under a config's Timeline made a
        # 1366x768 window grow to 803, its bottom off a laptop screen
        self.scroll_area = _RowsScroll(MIN_SCROLL_HEIGHT)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        content = QWidget()
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(content)
        layout.addLayout(self._build_task())
        layout.addLayout(self._build_sessions())
        layout.addLayout(self._build_scheduler())
        layout.addLayout(self._build_buttons())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self._columns = ColumnFit(self.table, MAX_COLUMN_WIDTH, fixed=(0,))
        """Fits the columns when rows or columns appear; never a column the user resized."""
        self._columns.fit()
        header.setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        for column, tip in _COLUMN_TIPS.items():
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.cellDoubleClicked.connect(self._open_row)
        self.table.setToolTip(
            "Double-click a finished session to open its outputs; right-click to copy the table"
        )
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        layout.addWidget(self.table, stretch=1)
        self.cluster = QLabel("")
        self.cluster.setWordWrap(True)
        self.cluster.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.cluster)
        self.status = QLabel("Choose a task and sessions, then Run.")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self._on_source_changed()
        self._set_running(False)
        self._theme_name = "dark"
        self._cluster_waiting = False
        follow_theme(self, napari_viewer, self._apply_theme)

    def status_color(self, status: str) -> str | None:
        """Return the ``#rrggbb`` colour of ``status`` in the results table, or ``None``.

        The status's own colour, mixed towards the theme's text colour until it reads at
        4.5:1 on the table (napari draws tables in the theme's ``foreground``).
        """
        color = _STATUS_COLORS.get(status)
        if color is None:
            return None
        theme = self._theme_name
        table = theme_hex(theme, "foreground")
        return readable_on(table, color, theme_hex(theme, "text"), MIN_TEXT_CONTRAST)

    def _apply_theme(self, theme_name: str) -> None:
        """Re-colour the statuses and the cluster line for napari's theme ``theme_name``."""
        self._theme_name = theme_name
        for row in range(self.table.rowCount()):
            item = self.table.item(row, _STATUS)
            color = self.status_color(item.text()) if item is not None else None
            if color:
                item.setForeground(_brush(color))
        self._style_cluster()

    def _style_cluster(self) -> None:
        if self._cluster_waiting:
            color = readable_text_color(self._theme_name, _WAITING_COLOR)
            self.cluster.setStyleSheet(f"color: {color};")
        else:
            self.cluster.setStyleSheet("")

    def ensure_visible(self, widget: QWidget) -> None:
        """Scroll the dock's form so that ``widget`` (one of its rows) is in view."""
        self.scroll_area.ensureWidgetVisible(widget)

    # -- construction ----------------------------------------------------------------------
    def _build_task(self) -> QFormLayout:
        form = QFormLayout()
        self.task_source = QComboBox()
        self.task_source.addItems(TASK_SOURCES)
        self.task_source.currentIndexChanged.connect(self._on_source_changed)
        form.addRow("Task", self.task_source)
        self.library = QComboBox()
        form.addRow("Pipeline", self.library)
        self.library.currentIndexChanged.connect(self._on_library_changed)
        row = QHBoxLayout()
        self.task_path = _TaskPathEdit()
        self.task_path.setPlaceholderText("script.py or pipeline.json")
        self.task_path.setToolTip(
            "The task: a script (.py) or a pipeline file (.json); type its path, drop the "
            "file here or Browse…"
        )
        # a path put here (typed, dropped, browsed for, set by a script) is the task: under
        # another source Run ignored it and ran the previous source's task
        self.task_path.textChanged.connect(self._task_path_changed)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_task)
        row.addWidget(self.task_path, stretch=1)
        row.addWidget(browse)
        form.addRow("File", row)
        self.task_args = QLineEdit()
        self.task_args.setPlaceholderText("script arguments, or input_key=... output_key=...")
        self.task_args.setToolTip(
            "A script's arguments (split as a shell does), or a pipeline's "
            "input_key=... output_key=..."
        )
        form.addRow("Arguments", self.task_args)
        return form

    def _build_sessions(self) -> QVBoxLayout:
        box = QVBoxLayout()
        row = QHBoxLayout()
        self.session_folder = QLineEdit()
        self.session_folder.setPlaceholderText("sessions' folder")
        self.session_folder.setToolTip("The folder holding the sessions; Add adds its matches")
        folder_button = QPushButton("Folder…")
        folder_button.clicked.connect(self._browse_folder)
        self.session_glob = QLineEdit("*.session")
        self.session_glob.setToolTip("Pattern inside the folder (** recurses)")
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._add_from_folder)
        row.addWidget(QLabel("Sessions"))
        row.addWidget(self.session_folder, stretch=2)
        row.addWidget(folder_button)
        row.addWidget(self.session_glob, stretch=1)
        row.addWidget(self.add_button)
        box.addLayout(row)
        self.session_list = QListWidget()
        self.session_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.session_list.setMaximumHeight(110)
        box.addWidget(self.session_list)
        row = QHBoxLayout()
        manifest = QPushButton("Manifest…")
        manifest.clicked.connect(self._browse_manifest)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove_selected)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.session_list.clear)
        for button in (manifest, remove, clear):
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        return box

    def _build_scheduler(self) -> QFormLayout:
        form = QFormLayout()
        row = QHBoxLayout()
        self.local = QRadioButton("Local, workers:")
        self.local.setChecked(True)
        self.n_workers = QSpinBox()
        self.n_workers.setRange(1, 256)
        self.n_workers.setValue(default_n_workers())
        self.remote = QRadioButton("Scheduler:")
        self.address = QLineEdit()
        self.address.setPlaceholderText("tcp://host:8786")
        self.address.setToolTip("The dask scheduler's address, e.g. tcp://host:8786")
        row.addWidget(self.local)
        row.addWidget(self.n_workers)
        row.addStretch(1)
        form.addRow("Run on", row)
        # its own row: beside Local and the workers the address got 30 pixels ("t…") at
        # napari's default dock width
        row = QHBoxLayout()
        row.addWidget(self.remote)
        row.addWidget(self.address, stretch=1)
        form.addRow("", row)
        row = QHBoxLayout()
        self.out_dir = QLineEdit()
        default_out = (
            "output folder (default: <task>-batch beside the task; a library "
            "pipeline's beside the sessions' folder)"
        )
        self.out_dir.setPlaceholderText(default_out)
        self.out_dir.setToolTip(default_out[0].upper() + default_out[1:])  # elided in the field
        out_button = QPushButton("…")
        out_button.clicked.connect(self._browse_out)
        row.addWidget(self.out_dir, stretch=1)
        row.addWidget(out_button)
        form.addRow("Output", row)
        row = QHBoxLayout()
        self.retries = QSpinBox()
        self.retries.setRange(0, 10)
        self.resume = QCheckBox("Resume (skip finished sessions)")
        self.resume.setChecked(True)
        row.addWidget(QLabel("Retries"))
        row.addWidget(self.retries)
        row.addWidget(self.resume)
        row.addStretch(1)
        form.addRow(row)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button = QPushButton("Copy table")
        self.copy_button.setToolTip(
            "Copy the sessions table (with the values of `results`) as tab-separated text, "
            "to paste in a spreadsheet"
        )
        self.copy_button.clicked.connect(self.copy_table)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.copy_button)
        return row

    # -- task ------------------------------------------------------------------------------
    def set_task_file(self, path: str | os.PathLike[str]) -> None:
        """Make the file ``path`` (a script or a pipeline file) the task: source *File*."""
        self.task_path.setText(str(path))
        self._use_file_source()  # also when the path was already shown under another source

    def set_library_pipeline(self, name: str) -> None:
        """Make the library pipeline ``name`` the task: source *Pipeline from the library*.

        Raises
        ------
        ValueError
            The library has no pipeline ``name`` (the message lists those it has).
        """
        self.task_source.setCurrentText(TASK_SOURCES[1])  # lists the library afresh
        index = self.library.findText(name)
        if index < 0:
            names = [self.library.itemText(i) for i in range(self.library.count())]
            raise ValueError(f"the pipeline library has no pipeline {name!r} (it has {names})")
        self.library.setCurrentIndex(index)

    def _on_source_changed(self, *_: Any) -> None:
        source = self.task_source.currentText()
        self.library.setEnabled(source == TASK_SOURCES[1])
        if source == TASK_SOURCES[0]:
            path = self._script_runner_path()
            if path is not None:
                self._show_task(str(path))
            else:
                self.status.setText("Open or save a script in the Script runner dock first.")
        elif source == TASK_SOURCES[1]:
            from napari_whiskertoolbox.transforms import PipelineLibrary

            chosen = self.library.currentData()
            self.library.blockSignals(True)
            self.library.clear()
            for entry in PipelineLibrary().entries():
                self.library.addItem(entry.name, str(entry.path))
            kept = self.library.findData(chosen) if chosen else -1
            self.library.setCurrentIndex(max(kept, 0))  # the pipeline chosen before stays
            self.library.blockSignals(False)
            self._on_library_changed()

    def _on_library_changed(self, *_: Any) -> None:
        """Make the chosen library pipeline the task, choosing that source too."""
        path = self.library.currentData()
        if self.task_source.currentText() != TASK_SOURCES[1]:
            self.task_source.setCurrentText(TASK_SOURCES[1])  # lists the library, comes back
            return
        self._show_task(path or "")  # an empty library leaves no other source's task

    def _show_task(self, path: str) -> None:
        """Show the current source's task in *File* (keeping that source)."""
        self._showing_source = True
        try:
            self.task_path.setText(path)
        finally:
            self._showing_source = False

    def _task_path_changed(self, *_: Any) -> None:
        if not self._showing_source:
            self._use_file_source()

    def _script_runner_path(self) -> Path | None:
        """Return the file open in this viewer's script runner dock, if any."""
        from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

        window = getattr(self._viewer, "window", None)
        docks = getattr(window, "dock_widgets", {}) if window is not None else {}
        for widget in docks.values():
            if isinstance(widget, ScriptRunnerWidget) and widget.path is not None:
                if widget.modified:
                    widget.save()
                return widget.path
        return None

    def _browse_task(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the task", "", "Scripts and pipelines (*.py *.json)"
        )
        if path:
            self.set_task_file(path)

    def _use_file_source(self, *_: Any) -> None:
        """Make the path in *File* the task (a path typed or browsed for)."""
        self.task_source.setCurrentText(TASK_SOURCES[2])

    # -- sessions --------------------------------------------------------------------------
    def sessions(self) -> list[str]:
        """Return the session paths in the list."""
        return [self.session_list.item(i).text() for i in range(self.session_list.count())]

    def add_sessions(self, paths: list[str] | list[Path]) -> None:
        """Append ``paths`` (expanded: globs, manifests) to the list, skipping duplicates."""
        try:
            found, skipped = find_sessions([str(p) for p in paths])
        except (OSError, ValueError) as exc:
            self.status.setText(f"Sessions: {exc}")
            return
        # a CSV manifest's other columns go to the results table: the list holds only paths
        self._session_columns.update({str(path): cells for path, cells in found.items() if cells})
        known = set(self.sessions())
        for path in found:
            if str(path) not in known:
                self.session_list.addItem(str(path))
                known.add(str(path))
        note = skipped_note(skipped)
        self.status.setText(f"{self.session_list.count()} sessions" + (f"; {note}" if note else ""))

    def _add_from_folder(self) -> None:
        folder = self.session_folder.text().strip()
        if not folder:
            self.status.setText("Choose the folder holding the sessions first.")
            return
        self.add_sessions([str(Path(folder) / (self.session_glob.text().strip() or "*"))])

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder holding the sessions")
        if folder:
            self.session_folder.setText(folder)

    def _browse_manifest(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Manifest", "", "Manifests (*.txt *.csv *.tsv *.lst)"
        )
        if path:
            self.add_sessions([path])

    def _remove_selected(self) -> None:
        for item in self.session_list.selectedItems():
            self.session_list.takeItem(self.session_list.row(item))

    def _browse_out(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Output folder")
        if folder:
            self.out_dir.setText(folder)

    # -- running ---------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """Whether a batch is running."""
        return self._worker is not None

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def run(self) -> None:
        """Start the batch on a worker thread (returns at once).

        With the task *Script in the script runner*, the task is the runner's file as the
        editor shows it: unsaved edits are saved first.
        """
        if self.is_running:
            return
        try:
            require_batch_dependencies()
        except MissingBatchDependencyError as exc:
            self.status.setText(str(exc))
            return
        if self.task_source.currentText() == TASK_SOURCES[0]:
            # the script as it is in the runner now (unsaved edits saved first, as its
            # Run file does), not the file that was open when this dock was made
            script = self._script_runner_path()
            if script is None:
                self.status.setText(
                    "Open or save a script in the Script runner dock first "
                    "(the batch runs the saved file)."
                )
                return
            self._show_task(str(script))
        task_text = self.task_path.text().strip()
        sessions = self.sessions()
        if not task_text or not sessions:
            self.status.setText("Choose a task and add sessions first.")
            return
        try:  # as typed after `--` on the command line: 'mouse A' is one argument
            args = shlex.split(self.task_args.text())
        except ValueError as exc:
            self.status.setText(f"Arguments: {exc} in {self.task_args.text()!r}")
            return
        address = self.address.text().strip()
        if self.remote.isChecked() and not address:  # else a local cluster would run it
            self.status.setText("Scheduler: enter its address (tcp://host:8786), or run locally.")
            return
        task = Path(task_text).expanduser()
        out = self.out_dir.text().strip() or str(self._default_out(task, sessions))
        options = {
            "out": out,
            "args": args,
            "retries": self.retries.value(),
            "resume": self.resume.isChecked(),
            "scheduler": address if self.remote.isChecked() else None,
            "n_workers": self.n_workers.value() if self.local.isChecked() else None,
            "session_columns": {
                s: self._session_columns[s] for s in sessions if s in self._session_columns
            },
        }
        self._reset_table(sessions)
        # until the cluster reports (its worker processes take seconds to start; a lab
        # scheduler is connected to): replaced by _on_cluster, cleared if none was needed
        self.cluster.setText(
            f"dask: connecting to {address}…"
            if self.remote.isChecked()
            else f"dask: starting a local cluster, {counted(self.n_workers.value(), 'worker')}…"
        )
        self._cluster_reported = False
        self._cancel = threading.Event()
        self._worker = self._start_worker(task, sessions, options, self._cancel)
        self._set_running(True)
        self.status.setText(f"Running {task.name} on {len(sessions)} sessions…")

    def _default_out(self, task: Path, sessions: list[str]) -> Path:
        """Return ``<task>-batch`` beside the task; for a library pipeline, beside the sessions.

        The pipeline library is a folder of the user's settings: batch outputs (whole
        sessions) do not belong there. They go beside the folder holding the sessions,
        ``<folder>-<task>-batch``, outside its tree: saved sessions among the inputs would
        be found again by whatever looks through that folder (a glob, another tool). Inside
        it only when that folder has no writable parent (a drive's root).
        """
        if self.task_source.currentText() != TASK_SOURCES[1]:
            return task.parent / f"{task.stem}-batch"
        parents = [Path(s).expanduser().resolve().parent for s in sessions]
        try:
            folder = Path(os.path.commonpath(parents))
        except ValueError:  # on several drives (Windows): the first session's folder
            folder = parents[0]
        outside = folder.parent
        if outside == folder or not os.access(outside, os.W_OK):
            return folder / f"{task.stem}-batch"
        return outside / f"{folder.name}-{task.stem}-batch"

    def _start_worker(
        self, task: Path, sessions: list[str], options: dict[str, Any], cancel: threading.Event
    ) -> Any:
        from napari.qt.threading import thread_worker

        def on_event(event: BatchProgress) -> None:
            call_in_main(self._on_progress, event)
            if event.status in FINAL_STATUSES:
                finals.put(event)

        def on_cluster(status: ClusterStatus) -> None:
            call_in_main(self._on_cluster, status)

        finals: queue.Queue[BatchProgress | None] = queue.Queue()
        outcome: dict[str, Any] = {}

        def batch() -> None:
            try:
                outcome["report"] = run_batch(
                    task,
                    sessions,
                    progress=on_event,
                    cancel=cancel,
                    on_cluster=on_cluster,
                    **options,
                )
            except Exception as exc:
                outcome["error"] = exc
            finally:
                finals.put(None)

        # errors go to _on_error (the status line), not re-raised in the main thread
        @thread_worker(
            progress={"total": len(sessions), "desc": f"Batch {task.name}"}, ignore_errors=True
        )
        def follow() -> Iterator[BatchProgress]:
            runner = threading.Thread(target=batch, name="wtb-batch", daemon=True)
            runner.start()
            while (event := finals.get()) is not None:
                yield event  # each finished session advances napari's progress bar
            runner.join()
            if "error" in outcome:
                raise outcome["error"]
            return outcome["report"]

        worker = follow()
        worker.returned.connect(self._on_finished)
        worker.errored.connect(self._on_error)
        worker.start()
        return worker

    def cancel(self) -> None:
        """Cancel the running batch; finished sessions keep their outputs."""
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText("Cancelling…")

    def _on_cluster(self, status: ClusterStatus) -> None:
        """Show where the batch runs, and that it waits while the scheduler has no worker."""
        self._cluster_reported = True
        self._cluster_local = status.local
        where = "local cluster" if status.local else (status.address or "scheduler")
        n = status.n_workers
        text = f"dask: {where}, {n} worker{'' if n == 1 else 's'}"
        if status.dashboard_link:
            text += f" — dashboard {status.dashboard_link}"
        if status.waiting_for_workers:
            text += (
                "\nWaiting for a worker: the scheduler has none yet (jobs still in the "
                "queue?); the sessions start when one joins. Cancel stops."
            )
        self._cluster_waiting = bool(status.waiting_for_workers)
        self._style_cluster()
        self.cluster.setText(text)

    def _reset_table(self, sessions: list[str]) -> None:
        self._rows.clear()
        self._records.clear()
        self._result_columns.clear()
        self._columns.forget_columns_from(len(COLUMNS))  # the result columns go
        self.table.setColumnCount(len(COLUMNS))
        self.cluster.setText("")
        self._cluster_waiting = False
        self._style_cluster()
        self.table.setRowCount(len(sessions))
        # the names the batch gives them (its output folders): two `exp.json` of different
        # folders are told apart from the start, not only once they finish
        names = session_names([Path(path) for path in sessions])
        for row, (path, name) in enumerate(zip(sessions, names)):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            for column in range(1, len(COLUMNS)):
                self.table.setItem(row, column, QTableWidgetItem(""))
            self.table.item(row, 0).setToolTip(path)
        # each column as wide as its header and cells, at most MAX_COLUMN_WIDTH: an empty
        # error column stays as narrow as its header, so the result columns after it are in
        # view; a long error is elided (the whole error on hover)
        self._columns.fit()

    def _on_progress(self, event: BatchProgress) -> None:
        row = event.index
        status_item = self.table.item(row, _STATUS)
        if status_item is None:
            return
        if status_item.text() in FINAL_STATUSES and event.status not in FINAL_STATUSES:
            return  # a late "running" after the session finished
        status_item.setText(event.status)
        color = self.status_color(event.status)
        if color:
            status_item.setForeground(_brush(color))
        record = event.record
        if record is not None:
            if event.status in FINAL_STATUSES:
                self._records[row] = record
            self.table.item(row, 0).setText(record.name)
            self.table.item(row, _DURATION).setText(duration_text(record.duration_s))
            self.table.item(row, _MEMORY).setText(memory_text(record.peak_memory_mb))
            error = (record.error or "").strip()
            last = error_line(record) if event.status != "done" else ""
            for column, keys in (
                (_KEYS_ADDED, record.keys_added),
                (_KEYS_CHANGED, record.keys_changed),
                (_KEYS_DELETED, record.keys_deleted),
            ):
                self.table.item(row, column).setText(", ".join(keys))
                self.table.item(row, column).setToolTip("\n".join(keys))
            if record.load_notes:  # the session loaded; what its loader noted
                notes = "\n".join(record.load_notes)
                error = f"{error}\n\nload notes:\n{notes}" if error else f"load notes:\n{notes}"
            self.table.item(row, _ERROR).setText(last)
            self.table.item(row, _ERROR).setToolTip(traceback_html(error))
            status_item.setToolTip(traceback_html(error))
            if event.status in FINAL_STATUSES:
                self._show_results(row, record)
        # this row's new text only: re-fitting the whole table on every event undid the
        # widths the user had dragged (and read every cell each time)
        self._columns.widen_for_row(row)
        self.status.setText(f"{event.finished}/{event.total} sessions finished")

    def _show_results(self, row: int, record: SessionRecord) -> None:
        """Fill ``row``'s result cells from ``record.results``, adding a column per new name."""
        added = []
        for name, value in record.results.items():
            column = self._result_columns.get(name)
            if column is None:
                column = self.table.columnCount()
                self.table.insertColumn(column)
                header = QTableWidgetItem(result_column(name, COLUMNS))
                header.setToolTip(f"results[{name!r}]: the value the task left for this name")
                self.table.setHorizontalHeaderItem(column, header)
                # shown right after the error column, in the order the names first came
                visual = _ERROR + 1 + len(self._result_columns)
                self.table.horizontalHeader().moveSection(column, visual)
                self._result_columns[name] = column
                added.append(column)
            item = QTableWidgetItem(result_text(value))
            item.setToolTip(result_tip(name, value))
            item.setData(Qt.ItemDataRole.UserRole, full_text(value))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        self._columns.fit(added)

    def table_rows(self) -> list[list[str]]:
        """Return the table as text, columns as shown: the header, then a row per session.

        Result values are whole (not as shortened in their cells); the error column holds
        the error's last line.
        """
        header = self.table.horizontalHeader()
        columns = [header.logicalIndex(v) for v in range(self.table.columnCount())]
        rows = [[self.table.horizontalHeaderItem(c).text() for c in columns]]
        for row in range(self.table.rowCount()):
            cells = []
            for column in columns:
                item = self.table.item(row, column)
                whole = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
                cells.append(whole if whole is not None else (item.text() if item else ""))
            rows.append(cells)
        return rows

    def _results_csv(self) -> Path | None:
        """Return the last report's ``batch_results.csv`` (None before a run has finished)."""
        return self.report.files.get("results_csv") if self.report is not None else None

    def copy_table(self) -> None:
        """Put the table on the clipboard as tab-separated text; say where the CSV is."""
        rows = self.table_rows()
        QApplication.clipboard().setText(tsv(rows))
        text = (
            f"Copied {counted(len(rows) - 1, 'session')} × "
            f"{counted(len(rows[0]), 'column')} (tab-separated)."
        )
        results = self._results_csv()
        if results:
            text += f" Results CSV: {results}"
        self.status.setText(text)

    def _table_menu(self, pos: Any) -> None:
        menu = QMenu(self.table)
        menu.addAction("Copy table", self.copy_table)
        results = self._results_csv()
        if results:
            menu.addAction(
                "Copy results CSV path", lambda: QApplication.clipboard().setText(str(results))
            )
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _on_finished(self, report: BatchReport) -> None:
        self.report = report
        self._worker = None
        self._set_running(False)
        if not self._cluster_reported:  # every session finished earlier: no cluster started
            self.cluster.setText("")
        elif self._cluster_local:  # shut down with the batch: its dashboard is gone
            n = report.n_workers
            self.cluster.setText(f"dask: local cluster, {counted(n, 'worker')}, closed")
            self._cluster_waiting = False
            self._style_cluster()
        counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
        link = ""
        if report.dashboard_link and not self._cluster_local:
            link = f" — dashboard {report.dashboard_link}"
        results = report.files.get("results_csv")
        values = f"; values of `results`: {results}" if results else ""
        notes = "".join(f"\nNote: {note}" for note in report.notes)
        self.status.setText(
            f"{counts}. Report: {report.files.get('report_json')}{values}{link}{notes}"
        )

    def _on_error(self, exc: BaseException) -> None:
        self._worker = None
        self._set_running(False)
        if not self._cluster_reported:  # it did not start, or could not be reached
            self.cluster.setText("")
        for row in range(self.table.rowCount()):  # "queued": they never ran
            item = self.table.item(row, _STATUS)
            if item is not None and item.text() not in FINAL_STATUSES:
                item.setText("")
        self.status.setText(f"Batch failed to run: {exc}")

    # -- outputs ---------------------------------------------------------------------------
    def _open_row(self, row: int, _column: int = 0) -> None:
        record = self._records.get(row)
        if record is not None and record.output is None and record.error:
            self.status.setText(
                f"{record.name} {record.status}, nothing saved to open: {error_line(record)} "
                "(the whole error: hover its status)"
            )
            return
        if record is None or record.output is None:
            self.status.setText("This session has no saved outputs (yet).")
            return
        self.open_output(record.output)

    def open_output(self, folder: str | Path) -> Any:
        """Open a session's saved outputs: in this viewer if its session is empty, else a new one.

        As ``viewer.open(folder, plugin="napari-whiskertoolbox")`` and File > Open do
        (:func:`~napari_whiskertoolbox.workflow.opening.open_in_viewer`): the load notes are
        told, and the Timeline is docked when the session holds signals, events or
        intervals (a batch's results often are nothing else).

        Returns
        -------
        napari.Viewer
            The viewer the session was opened in.
        """
        from napari_whiskertoolbox.workflow.opening import open_in_viewer
        from napari_whiskertoolbox.workflow.registry import get_session

        viewer = self._viewer
        session = get_session(viewer)
        if session.dm.keys() or session.dm.modified:
            import napari

            viewer = napari.Viewer(title=Path(folder).name)
        open_in_viewer(viewer, Path(folder))
        return viewer

    def closeEvent(self, event: Any) -> None:
        """Cancel a running batch when the dock closes."""
        self.cancel()
        super().closeEvent(event)


class _TaskPathEdit(QLineEdit):
    """The *File* field: a script or pipeline file dropped on it becomes its text (the task).

    A plain line edit pasted a dropped file's ``file://`` address into the text.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptDrops(True)

    @staticmethod
    def _dropped_file(event: Any) -> str | None:
        mime = event.mimeData()
        files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        return files[0] if mime.hasUrls() and files else None

    def dragEnterEvent(self, event: Any) -> None:
        """Accept a drag carrying a local file."""
        if self._dropped_file(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:
        """Keep accepting a drag of a local file while it moves."""
        if self._dropped_file(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: Any) -> None:
        """Put the dropped file's path in the field (other drops insert their text)."""
        path = self._dropped_file(event)
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.setText(path)


def _brush(color: str) -> Any:
    from qtpy.QtGui import QBrush, QColor

    return QBrush(QColor(color))
