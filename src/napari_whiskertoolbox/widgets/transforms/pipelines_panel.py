"""The Transforms dock's pipelines tab: the session's applied steps and the pipeline library.

* Applied steps: what ran in this session (kept in ``dm.metadata``, saved with it; undo
  forgets a step with its result). "Save as pipeline…" writes the selected steps (all when
  none is selected) as a TransformsV2 pipeline file in the library.
* Library: the pipeline files of the library folder. Open… copies a pipeline file from
  anywhere into it, Run runs the chosen one on an input key, Edit… changes its steps'
  parameters in forms made from their schemas, Delete removes the file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magicgui.widgets import ComboBox, Container, Label, LineEdit, PushButton
from qtpy.QtCore import Qt
from qtpy.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.library import pipeline_file_stem
from napari_whiskertoolbox.transforms.output_keys import output_key_notes
from napari_whiskertoolbox.transforms.pipeline import Pipeline, load_pipeline, save_pipeline
from napari_whiskertoolbox.transforms.recorder import AppliedSteps
from napari_whiskertoolbox.transforms.registry import REGISTRY
from napari_whiskertoolbox.transforms.warm_up import lazy_imports, warm_up_in_background
from napari_whiskertoolbox.widgets.theme_colors import (
    MESSAGE_COLORS,
    follow_palette,
    message_style,
    readable_text_color,
    selection_style,
)
from napari_whiskertoolbox.widgets.transforms.catalogue import (
    group_label,
    keys_of_kinds,
    suggest_output_key,
)
from napari_whiskertoolbox.widgets.transforms.param_form import ParamForm
from napari_whiskertoolbox.workflow.start_folder import remember_folder, source_file, start_folder

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.transforms.library import LibraryEntry, PipelineLibrary

__all__ = ["PipelineEditor", "PipelinesPanel"]

_ENTRY_ID = Qt.ItemDataRole.UserRole
CONFIG_DIALOG = "transformations config"
"""*Save as config…*'s name for the folder it last saved to (``start_folder``)."""
OPEN_DIALOG = "open pipeline"
"""*Open…*'s name for the folder it last opened from (``start_folder``)."""
CONFIG_FILE_NAME = "transformations.json"
"""The file name *Save as config…* proposes."""


def _row(*widgets: Any) -> Container:
    return Container(widgets=list(widgets), layout="horizontal", labels=False)


class PipelineEditor(QDialog):
    """Edit the parameters of a pipeline's steps; Save writes them back to its file.

    Parameters
    ----------
    pipeline : Pipeline
        The pipeline (changed in place on :meth:`apply`).
    parent : QWidget, optional
    """

    def __init__(self, pipeline: Pipeline, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self.setWindowTitle(f"Edit pipeline — {pipeline.name or 'unnamed'}")
        self.forms: list[ParamForm] = []
        body = QWidget()
        body_layout = QVBoxLayout(body)
        for i, step in enumerate(pipeline.steps):
            spec = REGISTRY.get(step.transform_name)
            body_layout.addWidget(QLabel(f"<b>{i + 1}. {step.step_id}</b> — {spec.name}"))
            form = ParamForm(spec.schema, spec.name)
            form.set_values(step.parameters)
            body_layout.addWidget(form.native)
            self.forms.append(form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(420, 480)
        follow_palette(self, self._style_error)

    def _style_error(self) -> None:
        """Colour the error line for the theme the dialog is drawn in (:func:`follow_palette`)."""
        self.error.setStyleSheet(message_style(self, "error"))

    def apply(self) -> None:
        """Write the forms' values into the pipeline's steps and check it.

        Raises
        ------
        TransformError
            A value breaks a step's schema.
        """
        values = [form.values() for form in self.forms]
        for step, params in zip(self.pipeline.steps, values):
            step.parameters = params
        self.pipeline.validate()

    def _save(self) -> None:
        try:
            self.apply()
            if self.pipeline.path is not None:
                save_pipeline(self.pipeline, self.pipeline.path)
        except (TransformError, OSError) as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class PipelinesPanel(Container):
    """Applied steps and the pipeline library of one session.

    Parameters
    ----------
    dm : DataManager
        The session's data (its record of applied steps, its keys).
    library : PipelineLibrary
        The library folder.
    start_pipeline : callable
        ``start_pipeline(pipeline, input_key, output_key)`` runs a pipeline in the
        background (the dock's runner).
    report : callable
        ``report(message, error)`` shows a message in the dock's status line.
    session_path : callable, optional
        ``session_path()`` returns the session's folder, or the config or file it was
        opened from (None: none); *Save as config…* starts there
        (:func:`~napari_whiskertoolbox.workflow.start_folder.start_folder`).
    run_state_changed : callable, optional
        Called with no argument after *Run pipeline* is turned on or off (the dock says
        why in its status line: :meth:`run_problem`).
    """

    def __init__(
        self,
        dm: DataManager,
        library: PipelineLibrary,
        start_pipeline: Callable[[Pipeline, str, str], None],
        report: Callable[[str, bool], None],
        session_path: Callable[[], Path | None] | None = None,
        run_state_changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(labels=False)
        self.dm = dm
        self._run_state_changed = run_state_changed or (lambda: None)
        self._session_path = session_path or (lambda: None)
        self.library = library
        self._start_pipeline = start_pipeline
        self._report = report
        self._build_steps()
        self._build_library()
        self._disconnect = self._connect()
        self.refresh()

    # ----------------------------------------------------------------- construction
    def _build_steps(self) -> None:
        self.steps_list = QListWidget()
        self.steps_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.steps_list.setToolTip(
            "Transforms applied in this session (saved with it). Select a chain of steps "
            "(or none for all) and save them as a pipeline; WhiskerToolbox V1 operations "
            "(grouping included) save as a config's transformations block instead."
        )
        self.save_steps_button = PushButton(text="Save as pipeline…")
        self.save_steps_button.changed.connect(self._ask_save_steps)
        self.save_config_button = PushButton(text="Save as config…")
        self.save_config_button.tooltip = (
            "Save the chosen V1 steps (e.g. Group Lines …, Line Outlier Detection) as a data "
            "config's transformations block, which replays them on a session"
        )
        self.save_config_button.changed.connect(self._ask_save_config)
        self.clear_steps_button = PushButton(text="Clear list")
        self.clear_steps_button.changed.connect(self.clear_steps)
        layout = self.native.layout()
        layout.addWidget(Label(value="<b>Applied in this session</b>").native)
        layout.addWidget(self.steps_list, 1)
        layout.addWidget(
            _row(self.save_steps_button, self.save_config_button, self.clear_steps_button).native
        )

    def _build_library(self) -> None:
        self.library_list = QListWidget()
        self.library_list.setToolTip(f"Pipeline files in {self.library.folder}")
        self.library_list.currentItemChanged.connect(lambda *_: self._library_selected())
        self.open_button = PushButton(text="Open…", tooltip="add a pipeline file to the library")
        self.open_button.changed.connect(self._ask_open)
        self.edit_button = PushButton(text="Edit…", tooltip="edit the steps' parameters")
        self.edit_button.changed.connect(self._edit_selected)
        self.delete_button = PushButton(text="Delete")
        self.delete_button.changed.connect(self._delete_selected)
        self.run_input = ComboBox(label="Input", choices=self._input_choices)
        self.run_input.changed.connect(lambda *_: self._update_run_button())
        self.run_output = LineEdit(label="Output key")
        self.run_output.changed.connect(lambda *_: self._check_run_output())
        self.run_output_warning = QLabel("")
        """What Run would do to the output key (replace it, refuse it); hidden when new."""
        self._output_refused: str | None = None
        """Why a run into the output key would be refused (its name or its kind), or None."""
        self._pipeline_problem: str | None = None
        """Why the chosen pipeline cannot run whatever its keys (its file is invalid, it has
        no steps), or None."""
        self._input_kinds: tuple[str, ...] = ()
        """The kinds the chosen pipeline's first step reads."""
        self.run_output_warning.setWordWrap(True)
        self.run_output_warning.setVisible(False)
        self.set_theme("dark")
        self._running = False
        self.run_button = PushButton(text="Run pipeline")
        self.run_button.changed.connect(self._run_selected)
        layout = self.native.layout()
        layout.addWidget(Label(value="<b>Pipeline library</b>").native)
        layout.addWidget(self.library_list, 1)
        layout.addWidget(_row(self.open_button, self.edit_button, self.delete_button).native)
        layout.addWidget(Container(widgets=[self.run_input, self.run_output]).native)
        layout.addWidget(self.run_output_warning)
        layout.addWidget(self.run_button.native)

    def _connect(self) -> Callable[[], None]:
        dm = self.dm
        # undo/redo and runs change the applied steps; keys change the run input's choices
        # and what Run would do to the output key
        slots = [(dm.history.changed, connect_main(dm.history.changed, self.refresh_steps))]
        slots += [
            (signal, connect_main(signal, self._on_keys_changed))
            for signal in (dm.data_added, dm.data_removed, dm.data_renamed)
        ]

        def disconnect(*_: object) -> None:
            for signal, slot in slots:
                signal.disconnect(slot)

        self.native.destroyed.connect(disconnect)
        return disconnect

    def _on_keys_changed(self, *_: object) -> None:
        self.run_input.reset_choices()
        self._check_run_output()

    # ----------------------------------------------------------------- applied steps
    @property
    def steps(self) -> AppliedSteps:
        """The session's record of applied steps."""
        return AppliedSteps.of(self.dm)

    def refresh(self) -> None:
        """Re-list the applied steps, the library and the input keys."""
        self.refresh_steps()
        self.refresh_library()
        self.run_input.reset_choices()

    def refresh_steps(self, *_: Any) -> None:
        """Re-list the applied steps."""
        steps = self.steps.steps
        self.steps_list.clear()
        for step in steps:
            item = QListWidgetItem(step.title)
            item.setToolTip(str(step.to_json()))
            self.steps_list.addItem(item)
        self.save_steps_button.enabled = bool(steps)
        self.save_config_button.enabled = bool(steps)
        self.clear_steps_button.enabled = bool(steps)

    def selected_step_indices(self) -> list[int] | None:
        """Return the selected rows in order (None when nothing is selected)."""
        rows = sorted(self.steps_list.row(item) for item in self.steps_list.selectedItems())
        return rows or None

    def save_steps_as_pipeline(
        self, name: str, indices: list[int] | None = None, *, overwrite: bool = False
    ) -> LibraryEntry:
        """Save applied steps (all by default) as the library pipeline ``name``.

        Raises
        ------
        TransformError
            The steps do not form a one-input chain, or the file exists and ``overwrite``
            is False.
        """
        pipeline = self.steps.to_pipeline(indices, name=name)
        entry = self.library.save(pipeline, name, overwrite=overwrite)
        self.select_entry(entry.id)
        return entry

    def _ask_save_steps(self) -> None:
        name, ok = QInputDialog.getText(self.native, "Save as pipeline", "Pipeline name:")
        if not ok or not name.strip():
            return
        name = name.strip()
        existing = self.library.path_of(pipeline_file_stem(name))
        overwrite = existing.exists()
        if overwrite and not self._confirm_replace(name, existing, "the chosen steps"):
            self._report(f"kept the library's '{name}' ({existing}); nothing saved", True)
            return
        try:
            entry = self.save_steps_as_pipeline(
                name, self.selected_step_indices(), overwrite=overwrite
            )
        except TransformError as exc:
            self._report(str(exc), True)
            return
        self._report(f"saved pipeline '{entry.name}' to {entry.path}", False)

    def save_steps_as_config(
        self, path: str | os.PathLike[str], indices: list[int] | None = None
    ) -> Path:
        """Save applied V1 steps (all by default) as a config's ``transformations`` block.

        Raises
        ------
        TransformError
            A chosen step is not a WhiskerToolbox V1 operation.
        """
        return self.steps.save_transformations(path, indices)

    def config_start_path(self) -> Path:
        """Return the file *Save as config…* proposes, ``transformations.json``.

        In the folder the session's data came from, else the folder last saved to, else
        home (:func:`~napari_whiskertoolbox.workflow.start_folder.start_folder`).
        """
        folder = start_folder(CONFIG_DIALOG, self._session_path(), source_file(self.dm))
        return folder / CONFIG_FILE_NAME

    def _ask_save_config(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.native, "Save as config", str(self.config_start_path()), "Config (*.json)"
        )
        if not path:
            return
        if not Path(path).suffix:  # a name typed without the extension the filter names
            path += ".json"
        try:
            saved = self.save_steps_as_config(path, self.selected_step_indices())
        except TransformError as exc:
            self._report(str(exc), True)
            return
        remember_folder(CONFIG_DIALOG, saved)
        self._report(f"saved the steps as a transformations block to {saved}", False)

    def clear_steps(self) -> None:
        """Forget the applied steps (their results stay)."""
        self.steps.clear()
        self.refresh()

    # ----------------------------------------------------------------- library
    def refresh_library(self, select: str | None = None) -> None:
        """Re-list the library's files, keeping (or moving to) a selection."""
        current = select or self.selected_entry_id()
        self.library_list.blockSignals(True)
        self.library_list.clear()
        entries = self.library.entries()
        names = Counter(entry.name for entry in entries)
        for entry in entries:
            # two files of one metadata name (Open… kept both) are told apart by file
            label = entry.name if names[entry.name] == 1 else f"{entry.name} ({entry.path.name})"
            item = QListWidgetItem(label)
            item.setData(_ENTRY_ID, entry.id)
            item.setToolTip(str(entry.path))
            self.library_list.addItem(item)
            if entry.id == current:
                self.library_list.setCurrentItem(item)
        self.library_list.blockSignals(False)
        self._update_library_buttons()

    def _update_library_buttons(self) -> None:
        has = self.selected_entry_id() is not None
        for button in (self.edit_button, self.delete_button):
            button.enabled = has
        self._check_run_output()  # the chosen pipeline (its kinds, its problem) may differ

    def _check_run_output(self) -> str | None:
        """Say what Run would do to the output key, as the Transform tab does.

        A taken key is named before Run: replaced (undo restores it) when it holds the
        pipeline's kind of result; a key holding another kind, or a name the key-name rule
        refuses, turns Run off, which says why (the rule a run from code follows:
        :func:`~napari_whiskertoolbox.transforms.output_keys.output_key_check`); the note
        under the field does not say it again.
        """
        pipeline = self._chosen_pipeline()
        key = self.run_output.value.strip()
        kind = None if pipeline is None else pipeline.output_kind
        note, refusal = output_key_notes(self.dm, key, kind)
        self._output_refused = refusal
        # a refusal is said once, by Run ("Run is off: ..."), as on the Transform tab
        self.run_output_warning.setText(note or "")
        self.run_output_warning.setVisible(note is not None)
        self._update_run_button()
        return note or refusal

    def _chosen_pipeline(self) -> Pipeline | None:
        """Load the chosen pipeline, noting what stops it running whatever its keys.

        Sets :attr:`_pipeline_problem` (an invalid file, no steps) and
        :attr:`_input_kinds` (what its first step reads).
        """
        self._pipeline_problem, self._input_kinds = None, ()
        try:
            pipeline = self.selected_pipeline()
        except TransformError as exc:
            self._pipeline_problem = str(exc)
            return None
        if pipeline is not None and not pipeline.steps:
            self._pipeline_problem = (
                "the pipeline has no steps (a range reduction alone makes no data)"
            )
        elif pipeline is not None:
            self._input_kinds = REGISTRY.get(pipeline.steps[0].transform_name).input_kinds(0)
        return pipeline

    def set_theme(self, theme_name: str) -> None:
        """Colour the output key's warning and the lists' chosen rows for ``theme_name``."""
        color = readable_text_color(theme_name, MESSAGE_COLORS["warning"])
        self.run_output_warning.setStyleSheet(f"color: {color}")
        for view in (self.steps_list, self.library_list):
            view.setStyleSheet(selection_style(theme_name))

    def run_problem(self) -> str | None:
        """Return why *Run pipeline* is off (other than a run going on), or None.

        No pipeline is chosen (or the library has none), the chosen one cannot run (an
        invalid file, no steps), it has no input (the session holds no key of the kinds
        its first step reads) or its output key would be refused.
        """
        if self.selected_entry_id() is None:
            if self.library_list.count():
                return "choose a pipeline in the library"
            return "the library has no pipelines: Open… a pipeline file, or save steps as one"
        if self._pipeline_problem is not None:
            return self._pipeline_problem
        if not self.run_input.value:
            kinds = " or ".join(group_label(k) for k in self._input_kinds)
            if keys_of_kinds(self.dm, self._input_kinds):
                return f"choose the pipeline's input ({kinds})"
            return f"the session has no {kinds} key for the pipeline's input"
        return self._output_refused

    def _update_run_button(self) -> None:
        problem = self.run_problem()
        self.run_button.enabled = not self._running and problem is None
        self.run_button.tooltip = f"Run is off: {problem}" if problem else None
        self._run_state_changed()

    def selected_entry_id(self) -> str | None:
        """Return the id (file stem) of the chosen library pipeline."""
        item = self.library_list.currentItem()
        return None if item is None else item.data(_ENTRY_ID)

    def select_entry(self, entry_id: str) -> None:
        """Choose the library pipeline ``entry_id``."""
        self.refresh_library(select=entry_id)
        self._library_selected()

    def selected_pipeline(self) -> Pipeline | None:
        """Load the chosen pipeline (None when nothing is chosen).

        Raises
        ------
        TransformError
            The file is not a valid pipeline.
        """
        entry_id = self.selected_entry_id()
        return None if entry_id is None else self.library.load(entry_id)

    def _library_selected(self) -> None:
        self._update_library_buttons()
        self.run_input.reset_choices()
        try:
            pipeline = self.selected_pipeline()
        except TransformError as exc:
            self._report(str(exc), True)
            return
        if pipeline is not None and pipeline.steps:
            name = pipeline.name or pipeline.steps[-1].transform_name  # the pipeline's own
            self.run_output.value = suggest_output_key(self.dm, name, self.run_input.value)
            self._check_run_output()  # the kind made may differ even when the key does not
            # import what its steps' runs will now, off the UI thread (see transforms.warm_up)
            warm_up_in_background(
                m
                for step in pipeline.steps
                if step.transform_name in REGISTRY  # an unknown one fails when run, saying so
                for m in lazy_imports(REGISTRY.get(step.transform_name).func)
            )

    def _input_choices(self, *_: Any) -> list[str]:
        try:
            pipeline = self.selected_pipeline()
        except TransformError:
            pipeline = None
        if pipeline is None or not pipeline.steps:
            return list(self.dm.keys())
        spec = REGISTRY.get(pipeline.steps[0].transform_name)
        return keys_of_kinds(self.dm, spec.input_kinds(0))

    def open_pipeline_file(self, path: str | os.PathLike[str]) -> LibraryEntry:
        """Check the pipeline file ``path`` and copy it into the library, keeping its name.

        Raises
        ------
        TransformError
            Not a valid pipeline, or the library already has a file of that name.
        """
        return self.open_pipeline_file_checked(path)[0]

    def open_pipeline_file_checked(
        self,
        path: str | os.PathLike[str],
        clash: Callable[[Path, str], str | None] | None = None,
    ) -> tuple[LibraryEntry, list[str]]:
        """Like :meth:`open_pipeline_file`; also return the file's warnings.

        The library's copy keeps the file's name (``angle.json`` stays ``angle.json``, not
        its ``metadata.name``: WhiskerToolbox uses the file stem as the pipeline's id). The
        warnings name parameters a step does not have (ignored, as WhiskerToolbox does; see
        :attr:`Pipeline.warnings`).

        Parameters
        ----------
        path : path-like
            The pipeline file.
        clash : callable, optional
            When the library already has a file of that name, ``clash(library_file,
            free_stem)`` answers the stem to copy to: ``library_file.stem`` replaces it,
            ``free_stem`` (``angle_2``) keeps both, None adds nothing. Without it such a
            file is refused.

        Raises
        ------
        TransformError
            Not a valid pipeline, or the library has a file of that name and it is kept.
        """
        pipeline = load_pipeline(path)
        stem = Path(path).stem
        existing = self.library.path_of(stem)
        if existing.exists() and existing.resolve() == Path(path).resolve():
            self.select_entry(stem)  # the library's own file: nothing to copy
            entry = next(e for e in self.library.entries() if e.id == stem)
            return entry, list(pipeline.warnings)
        chosen: str | None = stem
        if existing.exists():
            chosen = None if clash is None else clash(existing, self.library.free_stem(stem))
            if chosen is None:
                raise TransformError(
                    f"the library already has {existing.name} ({existing}); kept it, "
                    f"{path} was not added",
                    transform="pipeline library",
                )
        entry = self.library.save(pipeline, stem=chosen, overwrite=chosen == stem)
        self.select_entry(entry.id)
        return entry, list(pipeline.warnings)

    def _ask_open(self) -> None:
        start = start_folder(OPEN_DIALOG, self._session_path(), source_file(self.dm))
        path, _ = QFileDialog.getOpenFileName(
            self.native, "Open pipeline", str(start), "Pipeline (*.json)"
        )
        if not path:
            return
        remember_folder(OPEN_DIALOG, path)
        replaced = False

        def ask_clash(existing: Path, free_stem: str) -> str | None:
            nonlocal replaced
            chosen = self.ask_name_clash(existing, free_stem, path)
            replaced = chosen == existing.stem
            return chosen

        try:
            entry, warnings = self.open_pipeline_file_checked(path, ask_clash)
        except TransformError as exc:
            self._report(str(exc), True)
            return
        where = "replaced in the library" if replaced else "added to the library"
        added = f"{where}: '{entry.name}' as {entry.path.name}"
        if warnings:
            self._report("\n".join([added, *(f"warning: {w}" for w in warnings)]), True)
        else:
            self._report(added, False)

    def ask_name_clash(self, existing: Path, free_stem: str, replacement: str) -> str | None:
        """Ask what to do with ``replacement``, named as the library file ``existing``.

        Returns
        -------
        str or None
            ``existing.stem`` (*Replace*), ``free_stem`` (*Keep both*: the copy is
            ``<free_stem>.json``) or None (*Cancel*).
        """
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Pipeline file exists",
            f"The library already has {existing.name} ({existing}).\n"
            f"Replace it with {replacement}, or keep both and add the new one as "
            f"{free_stem}.json?",
            parent=self.native,
        )
        replace = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep both", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        answer = {replace: existing.stem, keep: free_stem}
        return answer.get(box.clickedButton())

    def _confirm_replace(self, name: str, existing: Path, replacement: str) -> bool:
        """Ask whether ``replacement`` replaces the library's pipeline ``name``."""
        answer = QMessageBox.question(
            self.native,
            "Replace pipeline",
            f"The library already has a pipeline '{name}' ({existing}).\n"
            f"Replace it with {replacement}?",
        )
        return bool(answer == QMessageBox.StandardButton.Yes)

    def edit_dialog(self) -> PipelineEditor | None:
        """Return an editor for the chosen pipeline (None when nothing is chosen)."""
        try:
            pipeline = self.selected_pipeline()
        except TransformError as exc:
            self._report(str(exc), True)
            return None
        return None if pipeline is None else PipelineEditor(pipeline, self.native)

    def _edit_selected(self) -> None:
        dialog = self.edit_dialog()
        if dialog is not None and dialog.exec():
            self._report(f"saved '{dialog.pipeline.name}'", False)

    def _delete_selected(self) -> None:
        entry_id = self.selected_entry_id()
        if entry_id is not None:
            self.library.delete(entry_id)
            self.refresh_library()

    def run_selected(self, input_key: str | None = None, output_key: str | None = None) -> None:
        """Run the chosen pipeline on ``input_key`` into ``output_key`` (the form's by default)."""
        try:
            pipeline = self.selected_pipeline()
        except TransformError as exc:
            self._report(str(exc), True)
            return
        if pipeline is None:
            self._report(f"Run is off: {self.run_problem()}", True)
            return
        self._start_pipeline(
            pipeline,
            input_key or self.run_input.value or "",
            output_key or self.run_output.value,
        )

    def _run_selected(self) -> None:
        self.run_selected()

    def set_running(self, running: bool) -> None:
        """Disable running while another run is going on."""
        self._running = running
        self._update_run_button()
