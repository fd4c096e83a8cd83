"""Support for the workflow GUI tests (no tests here): an ``Ask`` answering from the test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.data_files import data_file_item, key_for_file

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.workflow.ask import DataFileRequest


class Answers:
    """An ``Ask`` that answers from a script and remembers what it was asked."""

    def __init__(
        self,
        choose: dict[str, str] | None = None,
        data_type: str | None = None,
        folder: Path | None = None,
    ):
        self.answers = choose or {}
        self.data_type = data_type
        self.chosen_folder = folder
        self.folder_titles: list[str] = []
        self.questions: list[Any] = []
        self.requests: list[DataFileRequest] = []

    def choose(self, question: Any) -> str | None:
        self.questions.append(question)
        return self.answers.get(question.id, question.default)

    def folder(self, title: str, start: Path | None) -> Path | None:
        self.folder_titles.append(title)
        return self.chosen_folder

    def data_file(self, request: DataFileRequest) -> Any:
        self.requests.append(request)
        if self.data_type is None:
            return None
        return data_file_item(
            request.path,
            self.data_type,
            key_for_file(request.dm, request.path),
            fmt=request.guess.format_for(self.data_type),
            options=request.guess.options_for(self.data_type),
        )
