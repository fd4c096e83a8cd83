"""Notebook-style cells in a script: ``# %%`` lines split it (Spyder's and VS Code's convention).

A line whose first non-blank characters are ``# %%`` (or ``#%%``) starts a cell; the rest
of the line is the cell's title. Code before the first marker is a cell of its own when it
holds anything but blank lines. Cells run in the script's one namespace, one at a time.

:class:`CellOutputs` keeps what each cell's latest run printed and returned, keyed by a
cell key that survives edits inside other cells (the title and its occurrence number).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from napari_whiskertoolbox.scripting.capture import terminal_text

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting.engine import RunResult

__all__ = ["CELL_MARKER", "Cell", "CellOutput", "CellOutputs", "cell_at", "split_cells"]

CELL_MARKER = re.compile(r"^\s*#\s?%%(?P<title>.*)$")
"""A line starting a cell; group ``title`` is the rest of the line."""


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
        return hashlib.sha1(self.code.encode("utf-8")).hexdigest()

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
    """What a cell's latest run printed and returned.

    Attributes
    ----------
    label : str
        The cell's heading at the time of the run.
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
        :attr:`Cell.digest` of the code that ran.
    """

    label: str
    text: str
    value_repr: str | None
    error: str | None
    duration: float
    digest: str

    def render(self, current_digest: str | None = None) -> str:
        """Return the output as shown under the cell's heading."""
        parts = [self.text] if self.text else []
        if self.error:
            parts.append(self.error)
        if self.value_repr is not None:
            parts.append(f"Out: {self.value_repr}\n")
        if not parts:
            parts.append("(no output)\n")
        if current_digest is not None and current_digest != self.digest:
            parts.append("[the cell was edited since this run]\n")
        return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


class CellOutputs:
    """The latest output of each cell, by :attr:`Cell.key`."""

    def __init__(self) -> None:
        self._outputs: dict[str, CellOutput] = {}

    def record(self, cell: Cell, result: RunResult) -> CellOutput:
        """Keep ``result`` as ``cell``'s output; return the kept record."""
        output = CellOutput(
            label=cell.label,
            text=terminal_text(result.stdout) + terminal_text(result.stderr),
            value_repr=result.value_repr,
            error=result.error,
            duration=result.duration,
            digest=cell.digest,
        )
        self._outputs[cell.key] = output
        return output

    def get(self, cell: Cell) -> CellOutput | None:
        """Return ``cell``'s latest output, or None if it has not run."""
        return self._outputs.get(cell.key)

    def clear(self) -> None:
        """Forget every output (a new script was opened)."""
        self._outputs.clear()

    def __len__(self) -> int:
        return len(self._outputs)
