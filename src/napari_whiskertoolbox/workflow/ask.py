"""The questions the workflow asks the user, behind one replaceable seam.

Every question goes through an :class:`Ask` object kept with the viewer's workflow
(``get_workflow(viewer).ask``). :class:`DialogAsk` shows real dialogs parented to the
viewer's window, and only when that window is on screen: a hidden (scripted, headless or
test) viewer is never blocked by a dialog and gets each question's default answer.
Scripts and tests answer by replacing ``ask`` with any object of the :class:`Ask` shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qtpy.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.io.routing import DataFileNeedsItem

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.io.data_files import DataFileGuess

__all__ = [
    "Ask",
    "Choice",
    "ChoiceDialog",
    "DataFileRequest",
    "DefaultAsk",
    "DialogAsk",
    "Question",
]


@dataclass(frozen=True)
class Choice:
    """One answer to a :class:`Question`.

    Attributes
    ----------
    id : str
        What :meth:`Ask.choose` returns for it.
    label : str
        The button text.
    detail : str
        What the choice does (or, for a disabled choice, why it is not possible).
    enabled : bool
        Whether the choice can be taken.
    """

    id: str
    label: str
    detail: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class Question:
    """A question with a few answers; cancelling answers ``None``.

    Attributes
    ----------
    id : str
        Names the question (e.g. ``"first_save"``), so that scripted answers can match it.
    title, text : str
        Window title and the question itself.
    choices : tuple of Choice
        The answers, in button order.
    default : str
        The id of the answer a viewer without a visible window gets.
    """

    id: str
    title: str
    text: str
    choices: tuple[Choice, ...]
    default: str

    def choice(self, choice_id: str) -> Choice:
        """Return the choice with id ``choice_id`` (``KeyError`` naming the ids if none)."""
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(
            f"question {self.id!r} has no answer {choice_id!r}; "
            f"expected one of {[c.id for c in self.choices]}"
        )


@dataclass(frozen=True)
class DataFileRequest:
    """Ask how to read a data file whose content does not say what it holds.

    Attributes
    ----------
    path : Path
        The file.
    guess : DataFileGuess
        What the content suggests (candidate data types, most likely first).
    dm : DataManager
        The session's DataManager (its keys and clocks).
    default_clock : str
        The clock a new key is bound to unless the user picks another.
    load : callable
        ``load(item)`` loads the file as the config item ``item``; raises
        :class:`~napari_whiskertoolbox.io.FormatError` when the file does not read so.
    """

    path: Path
    guess: DataFileGuess
    dm: DataManager
    default_clock: str
    load: Callable[[ConfigItem], Any]


class Ask(Protocol):
    """What the workflow needs to ask the user."""

    def choose(self, question: Question) -> str | None:
        """Return the id of the chosen answer, or ``None`` when the user cancels."""

    def folder(self, title: str, start: Path | None) -> Path | None:
        """Return a folder the user picks (starting at ``start``), or ``None`` when cancelled."""

    def data_file(self, request: DataFileRequest) -> ConfigItem | None:
        """Ask for the data type and options of a data file, and load it with ``request.load``.

        Returns the item that loaded (an item not loaded yet is loaded by the caller), or
        ``None`` when the user cancels. Raises
        :class:`~napari_whiskertoolbox.io.routing.DataFileNeedsItem` when nobody can be asked.
        """


class DefaultAsk:
    """Answers every question with its default, never showing anything (headless use)."""

    def choose(self, question: Question) -> str | None:
        """Return ``question.default``."""
        return question.default

    def folder(self, title: str, start: Path | None) -> Path | None:
        """Return ``None``: nobody can pick a folder."""
        return None

    def data_file(self, request: DataFileRequest) -> ConfigItem | None:
        """Raise :class:`~napari_whiskertoolbox.io.routing.DataFileNeedsItem`: nobody can say."""
        raise DataFileNeedsItem(request.guess)


class ChoiceDialog(QDialog):
    """A dialog with one command-link button per choice, and Cancel.

    Parameters
    ----------
    question : Question
        What to ask.
    parent : QWidget, optional
        The window the dialog belongs to.
    """

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.answer: str | None = None
        self.setWindowTitle(question.title)
        self.setObjectName(f"wtb_{question.id}")
        layout = QVBoxLayout(self)
        text = QLabel(question.text)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.buttons: dict[str, QCommandLinkButton] = {}
        for choice in question.choices:
            button = QCommandLinkButton(choice.label, choice.detail)
            button.setObjectName(choice.id)
            button.setEnabled(choice.enabled)
            button.setDefault(choice.id == question.default)
            button.clicked.connect(lambda _=False, c=choice.id: self._choose(c))
            layout.addWidget(button)
            self.buttons[choice.id] = button
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel.rejected.connect(self.reject)
        layout.addWidget(cancel)
        self.setMinimumWidth(480)

    def _choose(self, choice_id: str) -> None:
        self.answer = choice_id
        self.accept()


class DialogAsk:
    """Ask with real dialogs over ``window``, only while it is visible.

    Parameters
    ----------
    window : callable
        Returns the viewer's main window (or ``None`` once it is gone).
    """

    def __init__(self, window: Callable[[], QWidget | None]) -> None:
        self._window = window

    def visible_window(self) -> QWidget | None:
        """Return the viewer window when it is on screen, else ``None`` (nothing is shown)."""
        window = self._window()
        return window if window is not None and window.isVisible() else None

    def choose(self, question: Question) -> str | None:
        """Show a :class:`ChoiceDialog`; the default answer when the window is hidden."""
        window = self.visible_window()
        if window is None:
            return question.default
        dialog = ChoiceDialog(question, window)
        try:
            dialog.exec_()
            return dialog.answer
        finally:
            dialog.deleteLater()

    def folder(self, title: str, start: Path | None) -> Path | None:
        """Show the platform's folder dialog; ``None`` when cancelled or the window is hidden."""
        window = self.visible_window()
        if window is None:
            return None
        chosen = QFileDialog.getExistingDirectory(window, title, str(start or ""))
        return Path(chosen) if chosen else None

    def data_file(self, request: DataFileRequest) -> ConfigItem | None:
        """Show the data-file form (it loads the file itself); ``None`` when cancelled.

        A hidden window raises :class:`~napari_whiskertoolbox.io.routing.DataFileNeedsItem`.
        """
        window = self.visible_window()
        if window is None:
            raise DataFileNeedsItem(request.guess)
        from napari_whiskertoolbox.workflow.data_file_form import DataFileDialog

        dialog = DataFileDialog(request, window)
        try:
            dialog.exec_()
            return dialog.loaded_item
        finally:
            dialog.deleteLater()
