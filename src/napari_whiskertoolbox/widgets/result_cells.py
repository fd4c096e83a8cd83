"""How the Batch dock shows the values a task leaves in ``results``, and copies its table."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.batch.records import ResultValue

__all__ = ["MAX_TEXT", "full_text", "result_text", "result_tip", "tsv"]

MAX_TEXT = 24
"""Letters of a text value shown in a cell (the rest ends in ``…``; whole in the tooltip)."""


def result_text(value: ResultValue) -> str:
    """Return ``value`` short for a table cell.

    Floats with 4 significant digits (``0.1235``, ``1.235e+06``), ints and bools as they
    are, ``None`` as nothing, text cut to :data:`MAX_TEXT` letters.
    """
    if value is None:
        return ""
    if isinstance(value, (bool, int)):
        return str(value)
    if isinstance(value, float):
        return str(value) if not math.isfinite(value) else f"{value:.4g}"
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())  # one line
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def result_tip(name: str, value: ResultValue) -> str:
    """Return the tooltip of a result cell: its name and the whole value (``repr``)."""
    return f"{name} = {value!r}"


def full_text(value: ResultValue) -> str:
    """Return ``value`` whole, as it goes into a copied table (``repr`` precision)."""
    return "" if value is None else str(value)


def tsv(rows: list[list[str]]) -> str:
    """Return ``rows`` (the header first) as tab-separated lines, as spreadsheets paste them.

    Tabs and line breaks inside a cell become spaces (a cell stays one cell).
    """
    return "".join(
        "\t".join(" ".join(cell.split("\t")).replace("\r", " ").replace("\n", " ") for cell in row)
        + "\n"
        for row in rows
    )
