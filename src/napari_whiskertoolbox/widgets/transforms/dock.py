"""The Transforms dock: pick a WhiskerToolbox transform, fill its form, run it on a key.

Transform tab: a search box and the transforms grouped by the kind of data they take;
the chosen transform's help, its input key(s) (only keys of the accepted kinds; a second
key, input or parameter, defaults to one other than the input — :mod:`.other_keys`), its
parameter form (magicgui widgets from the schema: bounds and choices enforced), the
output key (a suggested free name; a warning when it is taken) and clock, and a preview on
the current frame for transforms of points, lines and masks. The list and the form share
the tab through a splitter (:mod:`.panes`): the list is as tall as its rows (at most
:data:`~.panes.TREE_MAX_ROWS`), and choosing a transform shrinks it, down to
:data:`~.panes.TREE_MIN_ROWS` rows, until the whole form shows; the preview, output key
and Run stay in view under the splitter. Run computes on a worker
thread (napari ``thread_worker``) with progress here and in napari's activity dock; Cancel
stops it and nothing changes. The result is stored as one undo step, so it appears as a
layer or timeline lane at once and Ctrl+Z removes it.

Pipelines tab: the steps applied in this session ("Save as pipeline…") and the pipeline
library (open, run, edit parameters) — :mod:`.pipelines_panel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magicgui.widgets import CheckBox, ComboBox, Container, Label, LineEdit, PushButton
from qtpy.QtCore import Qt, QTimer
from qtpy.QtWidgets import (
    QFileDialog,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.transforms.api import plan_transform
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.library import PipelineLibrary
from napari_whiskertoolbox.transforms.output_clock import planned_clock_problem
from napari_whiskertoolbox.transforms.output_keys import output_key_notes
from napari_whiskertoolbox.transforms.python_transforms import (
    load_entry_point_transforms,
    load_transforms_from_file,
    load_user_transforms,
    user_transforms_dir,
)
from napari_whiskertoolbox.transforms.recorder import AppliedSteps
from napari_whiskertoolbox.transforms.registry import REGISTRY
from napari_whiskertoolbox.transforms.relative import is_relative_clock
from napari_whiskertoolbox.transforms.warm_up import lazy_imports, warm_up_in_background
from napari_whiskertoolbox.widgets.button_style import DISABLED_KEEPS_ITS_SIZE
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.widgets.theme_colors import (
    MESSAGE_COLORS,
    follow_theme,
    readable_text_color,
    selection_style,
)
from napari_whiskertoolbox.widgets.transforms.background import BackgroundRun, RunOutcome
from napari_whiskertoolbox.widgets.transforms.catalogue import (
    INPUT_CLOCK,
    group_label,
    grouped_transforms,
    keys_of_kinds,
    output_clock_of,
    search_v1_names,
    suggest_output_key,
    visible_specs,
)
from napari_whiskertoolbox.widgets.transforms.label_column import LabelColumn
from napari_whiskertoolbox.widgets.transforms.other_keys import OtherKey
from napari_whiskertoolbox.widgets.transforms.panes import (
    FIELD_SPACING,
    ListAndFormSplitter,
    compact,
    readable_search_width,
)
from napari_whiskertoolbox.widgets.transforms.param_form import ParamForm
from napari_whiskertoolbox.widgets.transforms.pipelines_panel import PipelinesPanel
from napari_whiskertoolbox.widgets.transforms.preview import FramePreview, can_preview
from napari_whiskertoolbox.widgets.vertical_scroll import capped, scrolling
from napari_whiskertoolbox.workflow.registry import get_session
from napari_whiskertoolbox.workflow.window_watch import WindowWatch

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.transforms.api import PlannedRun
    from napari_whiskertoolbox.transforms.pipeline import Pipeline
    from napari_whiskertoolbox.transforms.registry import TransformSpec

__all__ = ["TransformsWidget"]

_NAME = Qt.ItemDataRole.UserRole
ERROR_COLOR = MESSAGE_COLORS["error"]
"""Colour of error messages (adjusted to the theme by :func:`readable_text_color`)."""
WARN_COLOR = MESSAGE_COLORS["warning"]
"""Colour of warnings (adjusted to the theme by :func:`readable_text_color`)."""
_MESSAGE_COLOR = "wt_message_color"
STATUS_LINES = 4
"""Lines of the status message shown at once; a longer one scrolls."""
PREVIEW_DELAY_MS = 150
"""Form edits and frame steps are previewed once they pause this long."""
NO_TRANSFORM = "choose a transform in the list"
NO_MATCH = "No transform matches"
"""Why Run is off (and a run from code refused) before a transform is chosen."""


def _row(*widgets: Any) -> Container:
    return compact(Container(widgets=list(widgets), layout="horizontal", labels=False))


def _wrapping_label(value: str) -> Label:
    """Return a word-wrapped :class:`Label` as wide as its column, as tall as its text needs.

    magicgui's Label is fixed-size: wrapped, it kept the width of its first text (the help
    became a column a quarter of the dock wide) and a longer text was cut, squeezing the
    widgets beside it (the Run button shrank to a sliver under a run's status).
    """
    label = Label(value=value)
    label.native.setWordWrap(True)
    label.native.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def _say(label: Label, text: str, color: str = "", theme_name: str = "dark") -> None:
    """Show ``text`` in ``label`` (hidden while empty, so it takes no room).

    ``color`` (``#rrggbb``, ``""`` for the theme's text colour) is adjusted to read on
    napari's theme ``theme_name``; :func:`_restyle` re-applies it after a theme change.
    """
    label.value = text
    label.native.setProperty(_MESSAGE_COLOR, color if text else "")
    _restyle(label, theme_name)
    label.visible = bool(text)


def _restyle(label: Label, theme_name: str) -> None:
    color = label.native.property(_MESSAGE_COLOR)
    style = f"color: {readable_text_color(theme_name, color)}" if color else ""
    label.native.setStyleSheet(style)


class TransformsWidget(Container):
    """Dock widget running WhiskerToolbox transforms and pipelines on the viewer's session.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session (``get_session(viewer).dm``) the transforms work on.
    library : PipelineLibrary, optional
        The pipeline library (the user config folder's by default).

    Attributes
    ----------
    spec : TransformSpec or None
        The chosen transform.
    current_run : BackgroundRun or None
        The latest run (running or finished).
    """

    def __init__(self, napari_viewer: Any, library: PipelineLibrary | None = None) -> None:
        super().__init__(labels=False)
        tabify_when_docked(self.native, viewer=napari_viewer, kind=type(self).__name__)
        self.viewer = napari_viewer
        self.theme_name = str(napari_viewer.theme)
        """napari's theme the messages are coloured for (followed on ``viewer.events.theme``)."""
        self.session = get_session(napari_viewer)
        self.dm = self.session.dm
        self.library = library if library is not None else PipelineLibrary()
        self.spec: TransformSpec | None = None
        self.form: ParamForm | None = None
        self.current_run: BackgroundRun | None = None
        self.preview = FramePreview(self.session)
        self._auto_output = True
        self._output_refused: str | None = None
        """Why a run into the output key would be refused (its name, or its kind), or None."""
        self._shown_block: str | None = None
        """The "Run is off: …" line the status shows (None: it shows something else)."""
        self._run_steps: dict[int, tuple[str, str]] = {}
        """History token of each run this dock stored → (its message, where it stands)."""
        self._closed = False
        self._choosing = False
        """Whether select_transform is listing its choice (a re-listing may not clear it)."""
        # a child of the dock: Qt deletes it with the dock, so it can never fire on (or be
        # stopped after) a deleted widget, whatever order Python tears objects down in
        self._preview_timer = QTimer(self.native)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_transform_tab(), "Transform")
        self.pipelines = PipelinesPanel(
            self.dm,
            self.library,
            self.start_pipeline,
            self.report,
            session_path=lambda: self.session.path,
            run_state_changed=self._show_run_block,
        )
        self.tabs.addTab(scrolling(self.pipelines.native), "Pipelines")
        self.native.setStyleSheet(DISABLED_KEEPS_ITS_SIZE)  # Cancel as tall as Run
        layout = self.native.layout()
        layout.setContentsMargins(4, 2, 4, 2)  # magicgui's 9 px: room for a form row
        layout.setSpacing(FIELD_SPACING + 2)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self._build_run_row().native)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._disconnect = self._connect()
        follow_theme(self.native, napari_viewer, self._apply_theme)
        self.refresh_tree()
        self._set_running(False)

    # ----------------------------------------------------------------- construction
    def _build_transform_tab(self) -> QWidget:
        self.search = LineEdit(tooltip="filter transforms by name, category or help")
        self.search.native.setPlaceholderText("search transforms…")
        self.search.native.setClearButtonEnabled(True)
        readable_search_width(self.search.native)
        self.search.changed.connect(lambda *_: self.refresh_tree())
        self.search.native.returnPressed.connect(self.choose_first_match)
        self.show_legacy = CheckBox(
            text="V1 names", tooltip="also list the legacy V1 operations and …WithContext twins"
        )
        self.show_legacy.changed.connect(lambda *_: self.refresh_tree())
        search_row = _row(self.search, self.show_legacy)
        search_row.native.layout().setStretch(0, 1)  # the search box takes the spare width
        search_row.native.layout().addWidget(self._python_button())

        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(self._tree_selection_changed)

        # the chosen transform: help, input key(s) and parameters (scroll only if too tall)
        details = QWidget()
        layout = QVBoxLayout(details)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(FIELD_SPACING + 2)
        self.help = _wrapping_label("Choose a transform.")
        self.help.native.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.help.native)

        self.input_combo = ComboBox(label="Input", choices=self._input_choices)
        self.input_combo.changed.connect(self._input_changed)
        self.second_combo = ComboBox(label="Second input")
        self.second_combo.changed.connect(self._inputs_changed)
        self.second_combo.changed.connect(self._form_changed)  # its hint
        self.second_combo.visible = False
        self.second_hint = Label(value="", label="")
        self.second_hint.visible = False
        self.second_key = OtherKey(
            self.second_combo, self.second_hint, "", (), (), self._key_choices, needed=True
        )
        """Defaults the second input to a key other than the input (:mod:`.other_keys`)."""
        self._inputs = compact(
            Container(widgets=[self.input_combo, self.second_combo, self.second_hint]),
            FIELD_SPACING,
        )
        layout.addWidget(self._inputs.native)

        self.form_box = QWidget()
        form_layout = QVBoxLayout(self.form_box)
        form_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form_box)
        layout.addStretch(1)
        self.panes = ListAndFormSplitter(search_row.native, self.tree, scrolling(details))

        # under the splitter, always in view (Run is under the tabs)
        self.preview_check = CheckBox(
            text="Preview on the current frame",
            tooltip="run on the shown frame only; points, lines and masks go to a scratch layer",
        )
        self.preview_check.changed.connect(self._preview_toggled)
        self.preview_text = _wrapping_label("")
        self.preview_text.visible = False
        self.output_key = LineEdit(label="Output key")
        self.output_key.changed.connect(self._output_key_edited)
        self.output_warning = _wrapping_label("")
        self.output_warning.visible = False
        self.output_clock = ComboBox(label="Output clock", choices=self._clock_choices)
        self.output_clock.changed.connect(self._update_run_button)
        self.run_button = PushButton(text="Run")
        self.run_button.changed.connect(self.run)

        tab = QWidget()
        tab_layout = QVBoxLayout(tab)
        tab_layout.setContentsMargins(2, 0, 2, 0)
        tab_layout.setSpacing(FIELD_SPACING + 2)
        tab_layout.addWidget(self.panes, 1)
        tab_layout.addWidget(self.preview_check.native)
        tab_layout.addWidget(self.preview_text.native)
        self._outputs = compact(
            Container(widgets=[self.output_key, self.output_clock]), FIELD_SPACING
        )
        tab_layout.addWidget(self._outputs.native)
        tab_layout.addWidget(self.output_warning.native)
        self.label_column = LabelColumn(self._labelled_boxes, tab)
        """The inputs', form's and output's labels at one width: their fields in one column."""
        self.label_column.schedule()
        return tab

    def _labelled_boxes(self) -> list[Container]:
        boxes = [self._inputs, self._outputs]
        return boxes if self.form is None else [self._inputs, self.form, self._outputs]

    def _tab_changed(self, index: int) -> None:
        self.run_button.visible = index == 0  # the Pipelines tab has its own Run
        self._show_run_block()

    def _python_button(self) -> QToolButton:
        button = QToolButton()
        button.setText("Python")
        button.setToolTip("load Python functions registered as transforms (never automatic)")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # napari's style sheet draws the menu arrow in the button's last 12 px, over the
        # text ("Pytho▾"): room on the right for it
        button.setStyleSheet("QToolButton { padding-right: 14px; }")
        menu = QMenu(button)
        menu.addAction("Load a file…", self._ask_python_file)
        menu.addAction(
            f"Load the user folder ({user_transforms_dir()})",
            lambda: self.load_python_transforms(None),
        )
        menu.addAction("Load installed packages' transforms", self._load_entry_points)
        button.setMenu(menu)
        self._python_menu = menu
        return button

    def _build_run_row(self) -> Container:
        self.cancel_button = PushButton(text="Cancel", tooltip="stop the running transform")
        self.cancel_button.changed.connect(self.cancel)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(14)
        self.status = _wrapping_label("")
        self.status.native.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._status_is_error = False
        row = _row(self.run_button, self.cancel_button)  # below the scrolling tab: always in view
        row.native.layout().addWidget(self.progress_bar, 1)
        box = compact(Container(widgets=[row], labels=False))
        # a long message (an error naming every candidate) wraps and scrolls in a few lines:
        # it pushed the form out of the dock and the window past a laptop's screen
        lines = self.status.native.fontMetrics().lineSpacing() * STATUS_LINES
        self.status_area = capped(self.status.native, lines + 4)
        self.status_area.setVisible(False)
        box.native.layout().addWidget(self.status_area)
        return box

    def _connect(self) -> Any:
        dm = self.dm
        slots = [
            (signal, connect_main(signal, self._on_keys_changed))
            for signal in (dm.data_added, dm.data_removed, dm.data_renamed, dm.clocks_changed)
        ]
        slots.append((dm.history.changed, connect_main(dm.history.changed, self._history_changed)))
        frame_slot = self.session.frame_changed.connect(self._schedule_preview)

        def disconnect(*_: object) -> None:
            # runs on ``destroyed``: the dock's Qt children (the preview timer) are already
            # deleted, so touch no Qt object here, only Python state and psygnal slots
            self._closed = True
            self.preview.clear()
            for signal, slot in slots:
                signal.disconnect(slot)
            self.session.frame_changed.disconnect(frame_slot)
            if self.current_run is not None and self.current_run.running:
                self.current_run.cancel()

        self.native.destroyed.connect(disconnect)
        self._window_watch = WindowWatch(self.viewer, self._window_closing)
        return disconnect

    def _window_closing(self) -> None:
        """Stop previews: the viewer's window is closing (its layer controls are going)."""
        self._closed = True
        self._preview_timer.stop()

    # ----------------------------------------------------------------- Python transforms
    def load_python_transforms(self, path: str | os.PathLike[str] | None) -> list[str]:
        """Load Python transforms from a file, or from the user folder when ``path`` is None.

        The file(s) run only now, on request; the new transforms are listed at once.

        Returns
        -------
        list of str
            The names registered (empty on error; the status line says why).
        """
        try:
            names = load_user_transforms() if path is None else load_transforms_from_file(path)
        except TransformError as exc:
            self.report(str(exc), True)
            return []
        self.refresh_tree()
        self.report(f"Python transforms loaded: {', '.join(names) or 'none'}")
        return names

    def _ask_python_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.native, "Load Python transforms", str(user_transforms_dir()), "Python (*.py)"
        )
        if path:
            self.load_python_transforms(path)

    def _load_entry_points(self) -> None:
        try:
            names = load_entry_point_transforms()
        except TransformError as exc:
            self.report(str(exc), True)
            return
        self.refresh_tree()
        self.report(f"installed transforms loaded: {', '.join(names) or 'none'}")

    # ----------------------------------------------------------------- transform list
    def refresh_tree(self) -> None:
        """Re-list the transforms matching the search box, grouped by input kind."""
        groups = grouped_transforms(self.search.value, self.show_legacy.value)
        twins, alone = ({}, []) if self.show_legacy.value else search_v1_names(self.search.value)
        chosen = self.spec.name if self.spec is not None else None
        self.tree.blockSignals(True)
        self.tree.clear()
        expand = bool(self.search.value.strip())
        current = None
        for kind, specs in groups.items():
            group = QTreeWidgetItem([f"{group_label(kind)} ({len(specs)})"])
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(group)
            for spec in specs:
                label = spec.name if spec.engine != "python" else f"{spec.name}  (Python)"
                if spec.name in twins:  # found by the V1 name it stands for
                    label = f"{label} (V1: {', '.join(twins[spec.name])})"
                item = QTreeWidgetItem([label])
                item.setData(0, _NAME, spec.name)
                item.setToolTip(0, spec.description)
                group.addChild(item)
                if spec.name == chosen and current is None:
                    current = item
            group.setExpanded(expand)
        if alone:  # V1 operations without a TransformsV2 twin: say where they are
            count = f"{len(alone)} match{'es' if len(alone) > 1 else ''}"
            hint = QTreeWidgetItem([f"{count} among V1 names — tick V1 names"])
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            hint.setToolTip(0, "\n".join(alone))
            self.tree.addTopLevelItem(hint)
        if current is not None:
            current.parent().setExpanded(True)
            self.tree.setCurrentItem(current)
        self.tree.blockSignals(False)
        if chosen is not None and current is None and not self._choosing:
            self._clear_choice(chosen)  # hidden by the search: Run must not run it unseen
        self._say_no_match(expand and not groups and not alone)
        if len(groups) == 1 or (expand and sum(map(len, groups.values())) <= 12):
            self.tree.expandAll()
        self.panes.schedule_fit()

    def _say_no_match(self, nothing: bool) -> None:
        """Say that the search lists nothing, without an Input row for no transform.

        "zzzz" left an empty list under "Choose a transform", with an empty Input row.
        """
        if self.spec is not None:
            return
        if nothing:
            self.help.value = f"No transform matches {self.search.value.strip()!r}"
        elif self.help.value.startswith(NO_MATCH):
            self.help.value = "Choose a transform."
        self.input_combo.visible = not nothing

    def _clear_choice(self, hidden: str) -> None:
        """Forget the chosen transform ``hidden``, which the search no longer lists.

        It stayed chosen: Run ran it under the output key typed since, with nothing on
        screen naming it ("Connected" listed no transform; Run ran MedianFilterMask).
        """
        self.spec = None
        self.form = None
        self.preview.clear()
        form_layout = self.form_box.layout()
        while form_layout.count():
            old_form = form_layout.takeAt(0).widget()
            if old_form is not None:
                old_form.deleteLater()
        self.help.value = f"Choose a transform ({hidden} is not listed: the search hides it)."
        self.second_combo.visible = self.second_hint.visible = False
        with self.input_combo.changed.blocked():
            self.input_combo.reset_choices()
        self._auto_output = True
        self._set_output_key("")
        if self._status_is_error and not self.running:
            self.report("")  # the error was about that transform
        self.label_column.align()
        self.panes.schedule_fit()

    def choose_first_match(self) -> str | None:
        """Choose the first transform the list shows (Enter in the search box).

        Typing "line angle" and Enter chooses *CalculateLineAngle*, as napari's command
        palette does, rather than leaving the form empty until the row is clicked. Returns
        the chosen name, or None when the search matches nothing.
        """
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group.childCount():
                name = str(group.child(0).data(0, _NAME))
                self.select_transform(name)
                return name
        return None

    def _tree_selection_changed(self, item: QTreeWidgetItem | None, *_: Any) -> None:
        name = None if item is None else item.data(0, _NAME)
        if name:
            self.select_transform(name)

    def select_transform(self, name: str) -> None:
        """Choose transform ``name``: show its help, inputs, form, output key and clock.

        Raises
        ------
        TransformError
            Unknown name.
        """
        spec = REGISTRY.get(name)
        self.spec = spec
        # import what its run will (SciPy, scikit-image…) now, off the UI thread, so the first
        # run neither spends its time importing nor makes the viewer stutter
        warm_up_in_background(lazy_imports(spec.func))
        inputs = " + ".join(
            "/".join(group_label(k) for k in spec.input_kinds(i)) for i in range(spec.arity)
        )
        # an operation editing entity groups writes no key of its output kind: say so
        output = "entity groups" if spec.edits_groups else group_label(spec.output_kind)
        # the name is highlighted in the list just above: a line of the form's height saved
        self.help.value = f"{inputs} → {output} ({spec.engine})\n{spec.description}"
        self.input_combo.visible = True  # hidden while a search listed nothing
        self.second_combo.visible = spec.arity > 1
        if spec.arity > 1:
            self.second_key.retarget(spec.name, spec.input_kinds(1), spec.input_kinds(0))
        else:
            self.second_hint.visible = False  # the previous transform's
        # an operation editing entity groups writes no key (its run reports the groups)
        self.output_key.visible = self.output_clock.visible = not spec.edits_groups
        self.form = ParamForm(spec.schema, spec.name, self._key_choices, spec.input_kinds(0))
        self.form.changed.connect(self._form_changed)
        with self.input_combo.changed.blocked():
            self.input_combo.reset_choices()
        form_layout = self.form_box.layout()
        while form_layout.count():
            old_form = form_layout.takeAt(0).widget()
            if old_form is not None:
                old_form.deleteLater()
        compact(self.form, FIELD_SPACING)
        form_layout.addWidget(self.form.native)
        self.preview_check.enabled = can_preview(spec)
        if not can_preview(spec):
            self.preview_check.value = False
        self._auto_output = True
        if self._status_is_error and not self.running:
            self.report("")  # the error was about the previous choice
        self._input_changed()
        self._choosing = True  # _highlight may re-list the tree before it lists this choice
        try:
            self._highlight(spec.name)
        finally:
            self._choosing = False
        self.label_column.align()
        self.panes.schedule_fit()  # the list gives up rows until the whole form shows

    def _highlight(self, name: str) -> None:
        """Make ``name``'s row of the tree the current one, listing it first if it is not.

        A transform chosen from code may be hidden by the search box or be a legacy one
        while legacy transforms are hidden: the tree kept highlighting the previous
        transform. The search is cleared and legacy transforms shown (each re-lists the
        tree, which highlights the chosen transform) only when needed.
        """
        legacy = name not in {spec.name for spec in visible_specs(False)}
        if legacy and not self.show_legacy.value and self._row_of(name) is None:
            self.show_legacy.value = True
        if self._row_of(name) is None and self.search.value:
            self.search.value = ""
        item = self._row_of(name)
        if item is None:  # cannot happen for a registered transform; never leave a stale row
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(None)
            self.tree.clearSelection()
            self.tree.blockSignals(False)
        elif self.tree.currentItem() is not item:
            self.tree.blockSignals(True)
            item.parent().setExpanded(True)
            self.tree.setCurrentItem(item)
            self.tree.blockSignals(False)

    def _row_of(self, name: str) -> QTreeWidgetItem | None:
        """Return the tree's first row listing transform ``name``, or None."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, _NAME) == name:
                    return group.child(j)
        return None

    def _input_choices(self, *_: Any) -> list[str]:
        return [] if self.spec is None else keys_of_kinds(self.dm, self.spec.input_kinds(0))

    def _key_choices(self, kinds: tuple[str, ...]) -> list[str]:
        return keys_of_kinds(self.dm, kinds) if kinds else list(self.dm.keys())

    def _clock_choices(self, *_: Any) -> list[str]:
        return [INPUT_CLOCK, *self.dm.time_keys()]

    def input_keys(self) -> list[str]:
        """Return the chosen input key(s) (empty when the first input has none).

        A second input the operation ignores (``DigitalIntervalBoolean``'s ``not``) and
        left empty is given the input's key, so it runs with a single interval series.
        """
        if self.spec is None or not self.input_combo.value:
            return []
        keys = [self.input_combo.value]
        if self.spec.arity > 1 and self.second_combo.value:
            keys.append(self.second_combo.value)
        elif self.spec.arity > 1 and not self._other_key_used():
            keys.append(keys[0])
        return keys

    def _other_key_used(self) -> bool:
        return self.form is None or self.form.other_key_used()

    def other_key_problem(self) -> str | None:
        """Return why Run is disabled for want of a second key (input or parameter), else None.

        E.g. "needs a second intervals key": the session's only interval series is the input.
        """
        if self.spec is None or self.form is None or not self.input_combo.value:
            return None
        if self.spec.arity > 1:
            problem = self.second_key.problem(self._other_key_used())
            if problem:
                return problem
        return self.form.other_key_problem()

    def _input_changed(self, *_: Any) -> None:
        """Re-choose the second keys the user did not pick for the new input; update."""
        if self.spec is None or self.form is None:
            return
        if self.spec.arity > 1:
            self.second_key.follow(self.input_combo.value)
        self.form.follow_input(self.input_combo.value)
        self._form_changed()
        self._inputs_changed()

    def _form_changed(self, *_: Any) -> None:
        if self.form is None:
            return
        self.form.show_hints()
        if self.spec is not None and self.spec.arity > 1:
            self.second_key.show_hint(self._other_key_used())
        self._update_run_button()
        self._schedule_preview()

    def _inputs_changed(self, *_: Any) -> None:
        if self.spec is None:
            return
        if self._auto_output:
            self._set_output_key(
                suggest_output_key(self.dm, self.spec.name, self.input_combo.value)
            )
        clock = output_clock_of(self.spec, self.dm, self.input_keys())
        keys = self.input_keys()
        relative = self.spec.makes_relative(
            bool(keys) and keys[0] in self.dm and is_relative_clock(self.dm.time_key(keys[0]))
        )
        where = (
            f"'{clock}' upsampled by '{self.spec.upsampling_param}' ('{clock}_x<k>', made "
            "when missing)"
            if self.spec.upsampling_param
            else "relative ticks: a clock of their own ('relative:<output key>')"
            if relative
            else f"'{clock}': the clock WhiskerToolbox puts the result on"
        )
        self.output_clock.tooltip = f"{INPUT_CLOCK} = {where}"
        self._check_output_key()
        self._schedule_preview()

    # ----------------------------------------------------------------- output
    def _set_output_key(self, key: str) -> None:
        with self.output_key.changed.blocked():
            self.output_key.value = key
        self._check_output_key()

    def _output_key_edited(self, *_: Any) -> None:
        self._auto_output = False
        self._check_output_key()

    def _check_output_key(self) -> str | None:
        note = refusal = None
        if self.spec is not None and not self.spec.edits_groups:
            note, refusal = output_key_notes(
                self.dm, self.output_key.value.strip(), self.spec.output_kind
            )
        self._output_refused = refusal
        # a refusal is said once, by Run ("Run is off: ..."), not also under Output clock
        _say(self.output_warning, note or "", WARN_COLOR, self.theme_name)
        self._update_run_button()
        return note or refusal

    def run_problem(self) -> str | None:
        """Return why the Transform tab's Run is off, or None when it would run.

        No transform is chosen, its input has no key (the session holds none of its
        kinds), the output key would be refused (a name against the key-name rule, a key
        holding another kind of data than the result), a needed second key is missing, a
        parameter breaks its schema (a bound, text that is no number) or the result cannot
        go on the chosen output clock (an analog signal whose sample count is not the
        clock's length: :func:`~napari_whiskertoolbox.transforms.output_clock.planned_clock_problem`).
        """
        if self.spec is None:
            return NO_TRANSFORM
        if not self.input_combo.value:
            return self._missing_input(0).reason
        return (
            self._output_refused
            or self.other_key_problem()
            or (None if self.form is None else self.form.problem())
            or self._output_clock_problem()
        )

    def _output_clock_problem(self) -> str | None:
        """Return why the result cannot go on the chosen output clock, else None."""
        if self.spec is None or self.spec.edits_groups:
            return None
        factor = 1
        if self.spec.upsampling_param and self.form is not None:
            factor = self.form.current().get(self.spec.upsampling_param, 1)
        return planned_clock_problem(
            self.dm, self.spec, self.input_keys(), self.output_time_key(), int(factor or 1)
        )

    def _update_run_button(self) -> None:
        """Enable Run unless busy or :meth:`run_problem` says why not."""
        self._set_run_enabled(not self.running)

    def _set_run_enabled(self, idle: bool) -> None:
        problem = self.run_problem()
        self.run_button.enabled = idle and problem is None
        self.run_button.tooltip = f"Run is off: {problem}" if problem else None
        self._show_run_block()

    def _show_run_block(self) -> None:
        """Say in the status line why the shown tab's Run is off; clear it once it is on.

        Run's tooltip says the same; a run's own messages (and undo's) are left alone
        until the reason changes.
        """
        if self._closed or not hasattr(self, "status_area") or self.running:
            return
        on_transform_tab = self.tabs.currentIndex() == 0
        problem = self.run_problem() if on_transform_tab else self.pipelines.run_problem()
        # no transform chosen: the help above says "Choose a transform." and Run's tooltip
        # why it is off; a warning line under it said the same again
        reason = f"Run is off: {problem}" if problem and problem != NO_TRANSFORM else None
        if reason == self._shown_block:
            return
        if reason is not None:
            self._say_status(reason, False, WARN_COLOR)
        elif self.status.value == self._shown_block:
            self._say_status("", False)
        self._shown_block = reason

    def output_time_key(self) -> str | None:
        """Return the chosen output clock (None = the transform's default)."""
        value = self.output_clock.value
        return None if value in (None, INPUT_CLOCK) else value

    def _on_keys_changed(self, *_: Any) -> None:
        self.input_combo.reset_choices()
        if self.spec is not None and self.spec.arity > 1:
            self.second_key.refresh()
        self.output_clock.reset_choices()
        if self.form is not None:
            self.form.refresh_keys()
            self._form_changed()
        if self.spec is not None and self._auto_output and not self.running:
            self._set_output_key(
                suggest_output_key(self.dm, self.spec.name, self.input_combo.value)
            )
        self._check_output_key()

    # ----------------------------------------------------------------- preview
    def _preview_toggled(self, on: bool) -> None:
        if on:
            self.update_preview()
        else:
            self.preview.clear()
            _say(self.preview_text, "")

    def _schedule_preview(self, *_: Any) -> None:
        if self.preview_check.value:
            self._preview_timer.start()

    def update_preview(self) -> None:
        """Preview the chosen transform on the current frame (when the box is ticked)."""
        if self._closed or not self.preview_check.value or self.spec is None or self.form is None:
            return
        keys = self.input_keys()
        if len(keys) < self.spec.arity:
            _say(self.preview_text, "choose the input key(s) to preview")
            return
        try:
            text = self.preview.show(self.spec, keys, self.form.values())
        except (TransformError, ValueError) as exc:
            self.preview.clear()
            text = f"preview failed: {exc}"
        _say(self.preview_text, text)

    # ----------------------------------------------------------------- running
    @property
    def running(self) -> bool:
        """Whether a transform or pipeline started here is computing."""
        return self.current_run is not None and self.current_run.running

    def plan(self) -> PlannedRun:
        """Check the form and return the run it describes (nothing starts).

        Raises
        ------
        TransformError
            No transform or input chosen, a bad parameter or output key; the message names it.
        """
        if self.spec is None or self.form is None:
            raise TransformError(NO_TRANSFORM, transform="Transforms")
        keys = self.input_keys()
        if len(keys) < self.spec.arity:
            raise self._missing_input(len(keys))
        problem = self.form.other_key_problem()
        if problem:
            raise TransformError(problem, transform=self.spec.name)
        return plan_transform(
            self.dm,
            self.spec.name,
            keys[0],
            self.output_key.value.strip(),
            self.form.values(),
            other_keys=keys[1:],
            output_time_key=self.output_time_key(),
        )

    def _missing_input(self, slot: int) -> TransformError:
        """Return the error for the unchosen input ``slot``, naming its kinds."""
        assert self.spec is not None
        kinds = " or ".join(group_label(k) for k in self.spec.input_kinds(slot))
        which = "its input" if slot == 0 else "its second input"
        combo = self.input_combo if slot == 0 else self.second_combo
        # a second input of the input's kind is never the input (A AND A): "no other" key
        shared = slot == 1 and set(self.spec.input_kinds(1)) & set(self.spec.input_kinds(0))
        message = (
            f"choose {which} ({kinds})"
            if any(combo.choices)
            else f"the session has no {'other ' if shared else ''}{kinds} key for {which}"
        )
        return TransformError(message, transform=self.spec.name)

    def run(self) -> BackgroundRun | None:
        """Start the chosen transform in the background; return the run (None on a bad form)."""
        if self.running:
            return None
        try:
            planned = self.plan()  # refuses what turns Run off: a call from code too
        except TransformError as exc:
            self.report(str(exc), True)
            return None
        return self._start(planned)

    def start_pipeline(self, pipeline: Pipeline, input_key: str, output_key: str) -> None:
        """Run ``pipeline`` on ``input_key`` into ``output_key`` in the background."""
        if self.running:
            return
        try:
            planned = pipeline.plan_on_key(self.dm, input_key, output_key.strip())
        except TransformError as exc:
            self.report(str(exc), True)
            return
        self._start(planned)

    def _start(self, planned: PlannedRun) -> BackgroundRun:
        run = BackgroundRun(planned, AppliedSteps.of(self.dm))
        run.progressed.connect(self._show_progress)
        run.finished.connect(self._finished)
        self.current_run = run
        self.progress_bar.setValue(0)
        self.report(f"running {planned.label}…", False)
        self._set_running(True)
        run.start()
        return run

    def cancel(self) -> None:
        """Stop the running transform or pipeline (nothing is stored)."""
        if self.running and self.current_run is not None:
            self.current_run.cancel()
            self.report("cancelling…", False)

    def _show_progress(self, fraction: float) -> None:
        if not self._closed:
            self.progress_bar.setValue(round(fraction * 1000))

    def _finished(self, outcome: RunOutcome) -> None:
        if self._closed:  # the dock was closed while it ran (a finished result is kept)
            return
        self._set_running(False)
        self.progress_bar.setValue(1000 if outcome.status == "done" else 0)
        self.report(outcome.message, outcome.status == "failed")
        if outcome.status == "done":  # the step just stored: its undo and redo re-word this
            self._run_steps[self.dm.history.state] = (outcome.message, "applied")
        if outcome.status == "done" and self._auto_output and self.spec is not None:
            self._set_output_key(
                suggest_output_key(self.dm, self.spec.name, self.input_combo.value)
            )
        self.pipelines.refresh()

    def _set_running(self, running: bool) -> None:
        self._set_run_enabled(not running)
        self.cancel_button.enabled = running
        self.progress_bar.setVisible(running)
        self.pipelines.set_running(running)

    def _apply_theme(self, theme_name: str) -> None:
        """Re-colour the messages and the chosen row for napari's theme ``theme_name``."""
        self.theme_name = theme_name
        for label in (self.output_warning, self.status):
            _restyle(label, theme_name)
        self.tree.setStyleSheet(selection_style(theme_name))
        self.pipelines.set_theme(theme_name)

    def _history_changed(self) -> None:
        """Name the run an undo or redo just moved, in the status line.

        Follows the DataManager's history (Ctrl+Z in the viewer, *Edit > Undo*, a script's
        ``dm.undo()``): "Undone: CalculateLineAngle → whisker_line_angle in 0.05 s" when a
        run of this dock is undone, "Redone: …" when it is redone, whichever run that is (not
        only the last). Other edits leave the line as it is.
        """
        if self._closed or not self._run_steps:
            return
        moved: str | None = None
        for token, (message, was) in list(self._run_steps.items()):
            where = self.dm.history.step_status(token)
            if where is None:  # gone from the history (dropped, or cleared by a new edit)
                del self._run_steps[token]
            elif where != was:
                self._run_steps[token] = (message, where)
                moved = f"{'Redone' if where == 'applied' else 'Undone'}: {message}"
        if moved is not None and moved != self.status.value:
            self._say_status(moved, False)

    def report(self, message: str, error: bool = False) -> None:
        """Show ``message`` in the status line (red for errors)."""
        self._say_status(message, error)

    def _say_status(self, message: str, error: bool, color: str = "") -> None:
        self._status_is_error = error and bool(message)
        self._shown_block = None
        _say(self.status, message, ERROR_COLOR if error else color, self.theme_name)
        self.status_area.setVisible(bool(message))
        self.status_area.settle()
        self.status_area.verticalScrollBar().setValue(0)
