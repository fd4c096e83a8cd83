"""The script runner's Properties tab: Python environment, editor settings, run options.

The environment section does its work itself (WhiskerToolbox's properties panel, Python
phase 6): it lists the environments :func:`~napari_whiskertoolbox.scripting.venv.discover_venvs`
finds, validates and activates one, lists its packages and runs ``pip install`` on a
background thread with the output streamed and a Cancel. The editor and run controls are
plain widgets the dock connects (``ScriptRunnerWidget``), since they change the editor,
the output pane and the engine.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from psygnal import Signal
from qtpy.QtCore import QSize, Qt
from qtpy.QtGui import QFont, QFontDatabase
from qtpy.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.layers.main_thread import call_in_main
from napari_whiskertoolbox.scripting import venv
from napari_whiskertoolbox.widgets.environment_choice import EnvironmentChoice

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from napari_whiskertoolbox.widgets.script_theme import ScriptTheme

__all__ = ["ScriptPropertiesPanel"]


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _form(box: QGroupBox) -> QFormLayout:
    """Return a form whose fields go under their labels when the dock is too narrow for both.

    Side by side, "Prelude" and its switch, or "pip install" and its three widgets, held the
    tab wider than the script runner's other tabs.
    """
    form = QFormLayout(box)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def _selectable(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _still_loaded(environment: Path) -> str:
    """``"; still imported from <env> until napari restarts: a, b"`` or ``""``."""
    names = venv.modules_imported_from(environment)
    if not names:
        return ""
    return (
        f"; still imported from {environment.name} (scripts keep using them until napari "
        f"restarts): {', '.join(names)}"
    )


class ScriptPropertiesPanel(QScrollArea):
    """Python environment, editor settings and run options of the script runner.

    Parameters
    ----------
    on_output : callable
        ``on_output(stream, text)`` receives pip's output (any thread), e.g. the output
        pane's ``append_output``.
    extra_venv_paths : iterable of str
        More places to look for environments (folders the user browsed to before).

    Attributes
    ----------
    environment_changed : psygnal.Signal
        Emitted with the active environment's :class:`~pathlib.Path` (or None) after the
        user activated or deactivated one.
    extra_paths_changed : psygnal.Signal
        Emitted with the list of extra places when the user browsed to a new one.
    install_finished : psygnal.Signal
        Emitted on the main thread with the :class:`~napari_whiskertoolbox.scripting.venv.InstallResult`.
    project_folders : callable
        Returns the folders whose ``.venv`` is listed too (the script runner gives the open
        script's folder and the loaded config's); none by default.
    """

    environment_changed = Signal(object)
    extra_paths_changed = Signal(object)
    install_finished = Signal(object)

    def __init__(
        self,
        on_output: Callable[[str, str], None],
        extra_venv_paths: Iterable[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_output = on_output
        self.extra_venv_paths = list(extra_venv_paths)
        self._cancel: threading.Event | None = None
        self._packages_shown = False
        self.project_folders: Callable[[], Iterable[Path]] = tuple
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self._build_environment())
        layout.addWidget(self._build_editor_settings())
        layout.addWidget(self._build_run_options())
        layout.addStretch(1)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.refresh_environments()
        self.show_active_environment()

    def minimumSizeHint(self) -> QSize:
        """Ask for the settings' narrowest width beside the vertical scroll bar.

        A scroll area asks for little, so the dock could be dragged narrower than the
        settings and the tab scrolled sideways (Refresh half out of view).
        """
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        width = (
            content.minimumSizeHint().width()
            + self.verticalScrollBar().sizeHint().width()
            + 2 * self.frameWidth()
        )
        return QSize(max(hint.width(), width), hint.height())

    # -- construction ------------------------------------------------------------------------

    def _build_environment(self) -> QGroupBox:
        box = QGroupBox("Python environment")
        form = _form(box)
        version = sys.version.split()[0]
        self.python_version = _selectable(f"Python {version}")
        self.python_version.setToolTip(sys.version)
        self.executable = _selectable(sys.executable)
        self.active_environment = _selectable()
        bold = QFont(self.active_environment.font())
        bold.setBold(True)
        self.active_environment.setFont(bold)
        form.addRow("Version", self.python_version)
        form.addRow("Executable", self.executable)
        form.addRow("Active", self.active_environment)

        # each environment as "name  (path)", elided in the middle to the room it gets:
        # sized by a few characters, not by the longest path listed (a long path made the
        # tab wider than the dock), and never cut at its start (an editable box showed the
        # end of the path only, "irtualenvs/ana")
        self.environment_choice = EnvironmentChoice()
        self.environment_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.environment_choice.setMinimumContentsLength(8)
        self.environment_choice.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed
        )
        self.environment_choice.setWhatsThis(
            "environments found in ~/.virtualenvs, ~/.conda/envs, ~/.pyenv/versions, the "
            "project's .venv and folders you browsed to (Browse…)"
        )
        self.browse_environment = QPushButton("Browse…")
        self.refresh_environment_list = QPushButton("Refresh")
        self.browse_environment.clicked.connect(self._browse_environment)
        self.refresh_environment_list.clicked.connect(self.refresh_environments)
        form.addRow(
            "Environment",
            _row(self.environment_choice, self.browse_environment, self.refresh_environment_list),
        )
        self.validate_button = QPushButton("Validate")
        self.activate_button = QPushButton("Activate")
        self.deactivate_button = QPushButton("Deactivate")
        self.validate_button.clicked.connect(self.validate_selected)
        self.activate_button.clicked.connect(self.activate_selected)
        self.deactivate_button.clicked.connect(self.deactivate)
        form.addRow("", _row(self.validate_button, self.activate_button, self.deactivate_button))
        self.environment_message = _selectable()
        form.addRow("", self.environment_message)

        self.packages = QTreeWidget()
        self.packages.setColumnCount(2)
        self.packages.setHeaderLabels(("Package", "Version"))
        self.packages.setRootIsDecorated(False)
        self.packages.setAlternatingRowColors(True)
        # no sorting by the view: list_installed_packages' order is the one shown
        self.packages.setSortingEnabled(False)
        self._inherited_group: QTreeWidgetItem | None = None
        self.packages.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.packages.setMinimumHeight(120)
        self.refresh_packages_button = QPushButton("Refresh packages")
        self.refresh_packages_button.clicked.connect(self.refresh_packages)
        form.addRow("Packages", self.packages)
        form.addRow("", self.refresh_packages_button)

        self.package_name = QLineEdit()
        self.package_name.setPlaceholderText("package to install, e.g. scipy")
        self.package_name.returnPressed.connect(self._install_typed)
        self.install_button = QPushButton("Install")
        self.cancel_install_button = QPushButton("Cancel")
        self.cancel_install_button.setEnabled(False)
        self.install_button.clicked.connect(self._install_typed)
        self.cancel_install_button.clicked.connect(self.cancel_install)
        form.addRow(
            "pip install", _row(self.package_name, self.install_button, self.cancel_install_button)
        )
        return box

    def _build_editor_settings(self) -> QGroupBox:
        box = QGroupBox("Editor")
        form = _form(box)
        self.font_size = QSpinBox()
        self.font_size.setRange(6, 48)
        self.font_size.setSuffix(" pt")
        self.line_numbers = QCheckBox("Show line numbers")
        self.auto_scroll = QCheckBox("Scroll the output to new text")
        form.addRow("Font size", self.font_size)
        form.addRow("", self.line_numbers)
        form.addRow("", self.auto_scroll)
        return box

    def _build_run_options(self) -> QGroupBox:
        box = QGroupBox("Running")
        form = _form(box)
        self.working_directory = QLineEdit()
        self.working_directory.setPlaceholderText("napari's own (files run in their folder)")
        self.working_directory.setToolTip(
            "folder code from the editor runs in; a saved script runs in its own folder"
        )
        self.browse_working_directory = QPushButton("Browse…")
        self.browse_working_directory.clicked.connect(self._browse_working_directory)
        form.addRow("Working folder", _row(self.working_directory, self.browse_working_directory))
        self.argv = QLineEdit()
        self.argv.setPlaceholderText("script.py --input data.csv")
        self.argv.setToolTip(
            "sys.argv of every run, split like a shell line (quotes group words); "
            "empty: a script gets [its path]"
        )
        form.addRow("sys.argv", self.argv)
        self.prelude_enabled = QCheckBox("Run the prelude in every fresh namespace")
        self.prelude = QPlainTextEdit()
        self.prelude.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.prelude.setMinimumHeight(80)
        self.apply_prelude = QPushButton("Apply and reset namespace")
        self.apply_prelude.setToolTip("use this prelude now: the namespace starts afresh")
        form.addRow("Prelude", self.prelude_enabled)
        form.addRow("", self.prelude)
        form.addRow("", self.apply_prelude)
        return box

    # -- appearance ----------------------------------------------------------------------------

    def apply_theme(self, theme: ScriptTheme) -> None:
        """Colour the packages table with napari's theme."""
        self.packages.setStyleSheet(
            f"QTreeWidget {{ background-color: {theme.background}; "
            f"alternate-background-color: {theme.foreground}; color: {theme.text}; }}"
        )

    def showEvent(self, event) -> None:
        """Look for environments again; list the packages the first time (that takes a moment)."""
        super().showEvent(event)
        self.refresh_environments()  # a script or config opened since may have a .venv
        if not self._packages_shown:
            self.refresh_packages()

    # -- environments --------------------------------------------------------------------------

    def refresh_environments(self) -> None:
        """Fill the environment list with what :func:`discover_venvs` finds.

        Besides the usual places and the extra paths, the ``.venv`` of each of
        :attr:`project_folders` (a project's environment, whatever folder napari was
        started from).
        """
        chosen = self.selected_environment()
        self.environment_choice.clear()
        places: list[str | Path] = [
            *self.extra_venv_paths,
            *(Path(f) / ".venv" for f in self.project_folders()),
        ]
        for path in venv.discover_venvs(places):
            self.environment_choice.add_path(str(path))
        active = venv.active_venv_path()
        self.environment_choice.set_current_path(str(active) if active is not None else chosen)

    def selected_environment(self) -> str:
        """Return the chosen environment's path ("" when none is chosen)."""
        return self.environment_choice.current_path().strip()

    def select_environment(self, path: str) -> None:
        """Choose ``path`` in the environment list (added to it when it is not listed)."""
        self.environment_choice.set_current_path(path)

    def validate_selected(self) -> list[str]:
        """Validate the chosen environment; show and return what is wrong (empty if usable)."""
        problems = venv.validate_venv(self.selected_environment())
        self._say(" ".join(problems) if problems else "usable: Python version and layout match")
        return problems

    def activate_selected(self) -> bool:
        """Activate the chosen environment for every script; False (and why) when it cannot be."""
        previous = venv.active_venv_path()
        try:
            path = venv.activate_venv(self.selected_environment())
        except venv.VenvError as exc:
            self._say(str(exc))
            self.show_active_environment()
            return False
        left = _still_loaded(previous) if previous is not None and previous != path else ""
        self._say(f"activated {path}{left}")
        self._after_environment_change(path)
        return True

    def deactivate(self) -> None:
        """Deactivate the active environment (``sys.path`` back exactly as it was).

        Modules scripts imported from it stay imported (and in use) until napari restarts:
        the message names them.
        """
        previous = venv.active_venv_path()
        if venv.deactivate_venv():
            left = _still_loaded(previous) if previous is not None else ""
            self._say(f"deactivated: scripts import from napari's own environment{left}")
        self._after_environment_change(None)

    def show_active_environment(self) -> None:
        """Show which environment is active."""
        active = venv.active_venv_path()
        self.active_environment.setText(
            f"{active.name}  ({active})" if active is not None else "none (napari's own)"
        )
        self.deactivate_button.setEnabled(active is not None)

    def _after_environment_change(self, path: Path | None) -> None:
        self.show_active_environment()
        self.refresh_packages()
        self.environment_changed.emit(path)

    def _say(self, text: str) -> None:
        self.environment_message.setText(text)

    def _browse_environment(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a virtual environment")
        if not folder:
            return
        self.select_environment(folder)
        parent = str(Path(folder).parent)
        if parent not in self.extra_venv_paths:
            self.extra_venv_paths.append(parent)
            self.extra_paths_changed.emit(list(self.extra_venv_paths))

    def _browse_working_directory(self) -> None:
        start = self.working_directory.text() or str(Path.cwd())
        folder = QFileDialog.getExistingDirectory(self, "Working folder for scripts", start)
        if folder:
            self.working_directory.setText(folder)
            self.working_directory.editingFinished.emit()

    # -- packages --------------------------------------------------------------------------

    def refresh_packages(self) -> None:
        """List the active environment's packages in :func:`venv.list_installed_packages`'s order.

        With an environment active, the packages scripts still import from napari's own
        environment follow in a collapsed group of their own, "from napari's environment".
        The table does not sort again: the list's order (by name, case-insensitively) is
        the one shown.
        """
        self._packages_shown = True
        self.packages.clear()
        for name, version in venv.list_installed_packages():
            self.packages.addTopLevelItem(QTreeWidgetItem([name, version]))
        inherited = venv.list_inherited_packages()
        self.packages.setRootIsDecorated(bool(inherited))
        if inherited:
            group = QTreeWidgetItem([f"from napari's environment ({len(inherited)})", ""])
            group.setToolTip(
                0,
                "importable by scripts too: installed in napari's own environment, "
                "not in the active one",
            )
            font = QFont(group.font(0))
            font.setItalic(True)
            group.setFont(0, font)
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            group.addChildren([QTreeWidgetItem([name, version]) for name, version in inherited])
            self.packages.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            self._inherited_group: QTreeWidgetItem | None = group
        else:
            self._inherited_group = None

    def package_names(self) -> list[str]:
        """Names of the active environment's packages listed, in the order shown."""
        items = (self.packages.topLevelItem(i) for i in range(self.packages.topLevelItemCount()))
        return [item.text(0) for item in items if item is not self._inherited_group]

    def inherited_package_names(self) -> list[str]:
        """Names listed under "from napari's environment" (empty with no environment active)."""
        group = self._inherited_group
        if group is None:
            return []
        return [group.child(i).text(0) for i in range(group.childCount())]

    @property
    def is_installing(self) -> bool:
        """Whether a pip install is running."""
        return self._cancel is not None

    def install(self, name: str) -> bool:
        """Run ``pip install name`` in the active environment on a background thread.

        Returns False (and says why) when the name is empty or an install is running.
        """
        if self._cancel is not None:
            self._say("an install is already running")
            return False
        spec = name.strip()
        if not spec:
            self._say("type a package name to install, e.g. scipy")
            return False
        cancel = self._cancel = threading.Event()
        self.install_button.setEnabled(False)
        self.cancel_install_button.setEnabled(True)
        target = venv.active_venv_path() or "napari's own environment"
        self._on_output("info", f">>> pip install {spec} (into {target})\n")

        def work() -> None:
            try:
                result: object = venv.install_package(
                    spec, on_output=lambda line: self._on_output("stdout", line), cancel=cancel
                )
            except (OSError, ValueError) as exc:
                result = exc
            call_in_main(self._install_done, result)

        threading.Thread(target=work, name="wtb-pip-install", daemon=True).start()
        return True

    def cancel_install(self) -> None:
        """Stop the running install."""
        if self._cancel is not None:
            self._cancel.set()
            self._on_output("info", "cancelling the install…\n")

    def _install_typed(self) -> None:
        self.install(self.package_name.text())

    def _install_done(self, result: object) -> None:
        self._cancel = None
        self.install_button.setEnabled(True)
        self.cancel_install_button.setEnabled(False)
        if isinstance(result, venv.InstallResult):
            if result.cancelled:
                outcome = "install cancelled"
            elif result.success:
                outcome = "installed"
            else:
                outcome = f"install failed (pip exit code {result.returncode})"
        else:
            outcome = f"install failed: {result}"
        self._on_output("info" if "failed" not in outcome else "stderr", f"<<< {outcome}\n")
        self._say(outcome)
        self.refresh_packages()
        self.install_finished.emit(result)
