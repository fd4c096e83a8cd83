"""Notebook-style cells in a script: ``# %%`` lines split it (Spyder's and VS Code's convention).

A line whose first non-blank characters are ``# %%`` (or ``#%%``) starts a cell; the rest
of the line is the cell's title. Code before the first marker is a cell of its own when it
holds anything but blank lines. Cells run in the script's one namespace, one at a time.

:class:`CellOutputs` keeps what each cell's latest run printed and returned, keyed by a
cell key that survives edits inside other cells (the title and its occurrence number), and
the latest run of the whole file (which ran every cell the script then had).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from napari_whiskertoolbox.scripting.capture import terminal_text

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting.engine import RunResult

__all__ = [
    "CELL_MARKER",
    "WHOLE_FILE",
    "Cell",
    "CellOutput",
    "CellOutputs",
    "cell_at",
    "code_digest",
    "split_cells",
]

CELL_MARKER = re.compile(r"^\s*#\s?%%(?P<title>.*)$")
"""A line starting a cell; group ``title`` is the rest of the line."""

WHOLE_FILE = "whole file"
"""Heading of a whole-file run's output: ``whole file · analysis.py``."""


def code_digest(code: str) -> str:
    """Return the SHA-1 hex digest of ``code`` (UTF-8): tells whether code changed since a run."""
    return hashlib.sha1(code.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Cell:
    """One cell of a script.

    Attributes
    ----------
    index : int
        Position among the cells (0-based).
    title : str
        Text after ``# %%`` (stripped); empty for untitled cells.
    start_line : int
        0-based first line: the marker line, or 0 for code before the first marker.
    end_line : int
        0-based line after the cell's last line.
    has_marker : bool
        Whether the cell starts with a ``# %%`` line.
    code : str
        The cell's lines (marker included: it is a comment).
    key : str
        Identity kept across edits: ``title``, or ``title #n`` for its n-th repeat;
        untitled cells are ``cell n`` (their position).
    """

    index: int
    title: str
    start_line: int
    end_line: int
    has_marker: bool
    code: str
    key: str

    @property
    def label(self) -> str:
        """Heading shown with the cell's output: ``cell 2 · load data``."""
        number = f"cell {self.index + 1}"
        return f"{number} · {self.title}" if self.title else number

    @property
    def digest(self) -> str:
        """Hash of the cell's code (tells whether it changed since its last run)."""
        return code_digest(self.code)

    def contains(self, line: int) -> bool:
        """Whether 0-based ``line`` belongs to this cell."""
        return self.start_line <= line < self.end_line


def split_cells(source: str) -> list[Cell]:
    """Return the cells of ``source`` in order (one cell when there is no marker)."""
    lines = source.split("\n")
    starts = [i for i, line in enumerate(lines) if CELL_MARKER.match(line)]
    bounds: list[tuple[int, bool]] = []
    first = starts[0] if starts else len(lines)
    if not starts or any(line.strip() for line in lines[:first]):
        bounds.append((0, False))
    bounds.extend((start, True) for start in starts)
    cells: list[Cell] = []
    seen: dict[str, int] = {}
    for index, (start, has_marker) in enumerate(bounds):
        end = bounds[index + 1][0] if index + 1 < len(bounds) else len(lines)
        match = CELL_MARKER.match(lines[start]) if has_marker else None
        title = match.group("title").strip() if match else ""
        if title:
            seen[title] = seen.get(title, 0) + 1
            key = title if seen[title] == 1 else f"{title} #{seen[title]}"
        else:
            key = f"cell {index + 1}"
        code = "\n".join(lines[start:end])
        cells.append(Cell(index, title, start, end, has_marker, code, key))
    return cells


def cell_at(cells: list[Cell], line: int) -> Cell | None:
    """Return the cell holding 0-based ``line`` (the last cell past the end), or None."""
    for cell in cells:
        if cell.contains(line):
            return cell
    return cells[-1] if cells and line >= cells[-1].end_line else None


@dataclass(frozen=True)
class CellOutput:
    """What a cell's latest run (or the whole file's) printed and returned.

    Attributes
    ----------
    label : str
        The cell's heading at the time of the run (``whole file · <name>`` for a run of
        the whole file).
    text : str
        stdout then stderr of the run, as a terminal shows them (a progress bar's last
        state: see :func:`~napari_whiskertoolbox.scripting.capture.terminal_text`).
    value_repr : str or None
        ``repr`` of the cell's last expression.
    error : str or None
        Traceback (trimmed to the user's code) when the cell failed.
    duration : float
        Seconds the run took.
    digest : str
        :attr:`Cell.digest` of the code that ran (:func:`code_digest` of the script for a
        whole-file run; of the cell as it then was in :meth:`CellOutputs.latest`).
    run : int
        Order of the run among those :class:`CellOutputs` kept (1 for the first).
    whole_file : bool
        The output is a whole-file run's (every cell of the script ran).
    """

    label: str
    text: str
    value_repr: str | None
    error: str | None
    duration: float
    digest: str
    run: int = 0
    whole_file: bool = False

    def render(self, current_digest: str | None = None, what: str = "cell") -> str:
        """Return the output as shown under the heading.

        Parameters
        ----------
        current_digest : str, optional
            Digest of the code as it is now: a note follows the output when it differs
            from :attr:`digest`.
        what : str
            What the note says was edited (``"cell"``, or ``"script"`` for a whole file).
        """
        parts = [self.text] if self.text else []
        if self.error:
            parts.append(self.error)
        if self.value_repr is not None:
            parts.append(f"Out: {self.value_repr}\n")
        if not parts:
            parts.append("(no output)\n")
        if current_digest is not None and current_digest != self.digest:
            parts.append(f"[the {what} was edited since this run]\n")
        return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


class CellOutputs:
    """The latest output of each cell, by :attr:`Cell.key`, and of the whole file.

    Attributes
    ----------
    whole_file : CellOutput or None
        The latest whole-file run (:meth:`record_file`), or None.
    """

    def __init__(self) -> None:
        self._outputs: dict[str, CellOutput] = {}
        self._runs = 0
        self.whole_file: CellOutput | None = None
        self._file_cells: dict[str, str] = {}

    def _output(self, label: str, result: RunResult, digest: str, whole_file: bool) -> CellOutput:
        self._runs += 1
        return CellOutput(
            label=label,
            text=terminal_text(result.stdout) + terminal_text(result.stderr),
            value_repr=result.value_repr,
            error=result.error,
            duration=result.duration,
            digest=digest,
            run=self._runs,
            whole_file=whole_file,
        )

    def record(self, cell: Cell, result: RunResult) -> CellOutput:
        """Keep ``result`` as ``cell``'s output; return the kept record."""
        output = self._output(cell.label, result, cell.digest, whole_file=False)
        self._outputs[cell.key] = output
        return output

    def record_file(self, name: str, source: str, result: RunResult) -> CellOutput:
        """Keep ``result`` as the latest run of the whole script; return the kept record.

        Parameters
        ----------
        name : str
            The script's file name (``untitled`` for an unsaved script): the record's
            label is ``whole file · <name>``.
        source : str
            The script that ran: its cells count as run by it (see :meth:`latest`).
        result : RunResult
            The run's outcome.
        """
        output = self._output(f"{WHOLE_FILE} · {name}", result, code_digest(source), True)
        self.whole_file = output
        self._file_cells = {cell.key: cell.digest for cell in split_cells(source)}
        return output

    def get(self, cell: Cell) -> CellOutput | None:
        """Return ``cell``'s latest output of its own, or None if it has not run alone."""
        return self._outputs.get(cell.key)

    def latest(self, cell: Cell) -> CellOutput | None:
        """Return the latest run that ran ``cell``, or None if none did.

        That is the cell's own run (:meth:`get`), or the whole file's when the file ran
        after it and the script then had a cell of that key. A whole-file record comes
        back with :attr:`CellOutput.whole_file` set and the cell's digest as it was then.
        """
        own = self._outputs.get(cell.key)
        file_run = self.whole_file
        if file_run is None or cell.key not in self._file_cells:
            return own
        if own is not None and own.run > file_run.run:
            return own
        return replace(file_run, digest=self._file_cells[cell.key])

    def clear(self) -> None:
        """Forget every output (a new script was opened)."""
        self._outputs.clear()
        self.whole_file = None
        self._file_cells = {}

    def __len__(self) -> int:
        return len(self._outputs)
