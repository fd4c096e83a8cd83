"""What rewriting a table file from its loaded key would lose: columns or values the loader drops.

WhiskerToolbox's loaders read only some of a file: a points CSV's ``Probability`` column, or
the fraction of an event time (``1.5`` is frame 1). Saving an edited key back into such a
file would silently drop that content. :func:`rewrite_loss` loads the file as the key's
config item does, writes what was loaded to a probe file beside it, and compares the numbers
of both files (rows in any order; rows holding a NaN, which the loaders skip, left out).
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from napari_whiskertoolbox.io.csv_tools import (
    first_line,
    head_text,
    looks_numeric,
    read_bytes,
    utf8_bytes,
)
from napari_whiskertoolbox.io.data_files import data_file_item
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.registry import read_item, write_data
from napari_whiskertoolbox.io.same_content import content_difference

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["TABLE_KINDS", "layout_options", "rewrite_loss"]

TABLE_KINDS = frozenset({"points", "digital_event", "digital_interval", "analog"})
"""Data types whose text files may hold columns or precision their loaders leave out."""

_RELATIVE_TOLERANCE = 1e-6
"""Numbers that differ by less than this (relative) are the same: float32 text rounding."""


def rewrite_loss(path: Path, source: Mapping[str, Any], key: str) -> str | None:
    """Say what of ``path`` a rewrite from its loaded key would lose, or ``None``.

    Parameters
    ----------
    path : Path
        The table file the key was loaded from (a text CSV of :data:`TABLE_KINDS`).
    source : mapping
        The key's ``dm.metadata["sources"][key]`` record (``data_type``, ``format``,
        ``options``).
    key : str
        The key the file was loaded as.

    Returns
    -------
    str or None
        E.g. ``"its column 'Probability'"`` or ``"values such as 1.5 (line 2), read as
        1"``; ``None`` when the numbers survive, when the file is not a numeric table this
        check can read, or when what was loaded does not even read back from its own
        rewrite (options the writer cannot invert, which the write-back's read-back check
        reports).
    """
    data_type = source.get("data_type")
    if data_type not in TABLE_KINDS or source.get("format", "csv") != "csv":
        return None
    options = dict(source.get("options") or {})
    item = data_file_item(path, data_type, key, fmt="csv", options=options)
    loaded = dict(read_item(item)).get(key)
    if loaded is None:
        return None
    probe = path.with_name(f".{path.name}.wtb-probe{path.suffix}")
    try:
        try:
            write_data(
                data_type,
                "csv",
                loaded,
                probe,
                **{**options, **layout_options(path, data_type, options)},
            )
        except FormatError:
            return None  # an option the writer refuses: writing back reports it
        reread = dict(read_item(data_file_item(probe, data_type, key, fmt="csv", options=options)))
        if content_difference(loaded, reread.get(key)) is not None:
            return None  # options the writer cannot invert: the read-back check says which
        original, names = _numbers(path)
        rewritten, _ = _numbers(probe)
    finally:
        with contextlib.suppress(FileNotFoundError):
            probe.unlink()
    if original is None or rewritten is None:
        return None
    return _difference(original, rewritten, names)


_SNIFFED_DELIMITER_KINDS = frozenset({"points", "digital_interval", "analog"})
"""Table kinds whose loaders find the delimiter when the item gives none."""
_DELIMITER_OPTIONS = ("delimiter", "column_delim")
_DELIMITERS = (";", "\t", ",", " ")
"""Delimiters a table's data lines may share, in the order they are looked for."""
_SAMPLE_LINES = 20


def layout_options(path: Path, data_type: str, options: Mapping[str, Any]) -> dict[str, str]:
    """Return the writer options that keep ``path``'s layout when its key rewrites it.

    ``{"header": first line}``: a writer keeps it where its loader read it as the header
    (the spelling ``frame,x,y``, the column order as written). ``{"delimiter": ...}``: for
    a points, intervals or analog table whose read ``options`` give no delimiter (its loader
    finds it: ``;``, or blanks for points), the one its data lines share, so that the rows
    keep it. Either is left out when the file is gone, unreadable or does not tell
    (a first line blank, data lines sharing no delimiter).
    """
    try:
        lines = [line for line in head_text(path).splitlines() if line.strip()]
    except (OSError, FormatError):
        return {}
    out: dict[str, str] = {}
    if lines and first_line(path).strip():
        out["header"] = first_line(path)
    if data_type in _SNIFFED_DELIMITER_KINDS and not any(
        options.get(name) for name in _DELIMITER_OPTIONS
    ):
        sample = lines[1 : 1 + _SAMPLE_LINES] or lines
        shared = [d for d in _DELIMITERS if sample and all(d in line for line in sample)]
        if shared:
            out["delimiter"] = shared[0]
    return out


def _delimiter(line: str) -> str:
    for candidate in (",", "\t", ";"):
        if candidate in line:
            return candidate
    return r"\s+"


def _numbers(path: Path) -> tuple[pd.DataFrame | None, list[str]]:
    """Return the file's rows as float64 columns (``None`` if not numeric) and header names."""
    first = first_line(path)
    sep = _delimiter(first)
    tokens = [token.strip() for token in re.split(sep, first.strip())]
    names = [] if all(looks_numeric(token) for token in tokens if token) else tokens
    try:
        table = pd.read_csv(
            io.BytesIO(utf8_bytes(read_bytes(path), path, quiet=True)),
            sep=sep,
            header=None,
            skiprows=1 if names else 0,
            dtype=np.float64,
            encoding="utf-8",
            skip_blank_lines=True,
        )
    except (ValueError, pd.errors.ParserError):
        return None, names
    return table, names


def _difference(original: pd.DataFrame, rewritten: pd.DataFrame, names: list[str]) -> str | None:
    if original.shape[1] > rewritten.shape[1]:
        lost = [
            repr(names[i]) if i < len(names) and names[i] else f"{i + 1}"
            for i in range(rewritten.shape[1], original.shape[1])
        ]
        noun = "column" if len(lost) == 1 else "columns"
        return f"its {noun} {', '.join(lost)}"
    # rows with an empty or NaN cell: the loader leaves them out, or (points with
    # nan_handling 'Include') keeps them and the rewrite has them too; either way not a loss
    kept, rewritten = original.dropna(), rewritten.dropna()
    if len(kept) != len(rewritten) or kept.shape[1] != rewritten.shape[1]:
        return f"{abs(len(kept) - len(rewritten))} row(s) its loader leaves out"
    ours = kept.to_numpy()
    theirs = rewritten.to_numpy()
    order_ours = np.lexsort(ours.T[::-1])
    order_theirs = np.lexsort(theirs.T[::-1])
    a, b = ours[order_ours], theirs[order_theirs]
    same = np.isclose(a, b, rtol=_RELATIVE_TOLERANCE, atol=0.0)
    if same.all():
        return None
    row, column = np.argwhere(~same)[0]
    line = int(kept.index[order_ours[row]]) + 1 + (1 if names else 0)
    return f"values such as {a[row, column]:g} (line {line}), read as {b[row, column]:g}"
