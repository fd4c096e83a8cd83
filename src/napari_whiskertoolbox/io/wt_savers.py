"""WhiskerToolbox's ``SaveData`` CSV savers: the file layouts and options its savers use.

A runner config's ``saves`` and a ``SaveData`` command write files that a lab's own
analysis code reads next (``pd.read_csv("angle.csv")["Data"]``), so they keep the layout
WhiskerToolbox's savers give them (``wt_loaders.md`` §12.2), not the layout its loaders
read by default: a header line (``Time,Data``, ``Event``, ``Start,End``, ``frame,x,y``,
``Frame,X,Y``, ``Frame,RLE``) and the frame of every analog sample. The options and their
defaults are :data:`SAVER_OPTIONS`; ``parent_dir`` / ``filename`` replace the folder and the
name of the target, as in WhiskerToolbox.

One difference: numbers are written as the shortest text that reads back to the same
float32 unless ``precision`` is given (WhiskerToolbox rounds analog values to 2 decimals,
line coordinates to 1 and points to 6 significant digits by default, losing data).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import format_floats
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.events import write_events_csv
from napari_whiskertoolbox.io.intervals import write_intervals_csv
from napari_whiskertoolbox.io.lines import write_lines_csv
from napari_whiskertoolbox.io.masks import write_masks_csv

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

__all__ = [
    "SAVER_OPTIONS",
    "save_csv_as_whiskertoolbox",
    "saver_target",
    "saves_as_whiskertoolbox",
]

_COMMON = {"line_delim": "\n", "parent_dir": None, "filename": None}

SAVER_OPTIONS: dict[str, dict[str, Any]] = {
    "points": {
        "delimiter": ",",
        "save_header": True,
        "header": "frame,x,y",
        "nan_handling": "Skip",
        "precision": None,
        **_COMMON,
    },
    "line": {
        "delimiter": ",",
        "save_header": True,
        "header": "Frame,X,Y",
        "precision": None,
        "save_type": "single",
        **_COMMON,
    },
    "mask": {
        "delimiter": ",",
        "rle_delimiter": ",",
        "save_header": True,
        "header": "Frame,RLE",
        **_COMMON,
    },
    "analog": {
        "delimiter": ",",
        "save_header": True,
        "header": "Time,Data",
        "precision": None,
        **_COMMON,
    },
    "digital_event": {
        "delimiter": ",",
        "save_header": True,
        "header": "Event",
        "precision": None,
        **_COMMON,
    },
    "digital_interval": {
        "delimiter": ",",
        "save_header": True,
        "header": "Start,End",
        **_COMMON,
    },
}
"""Each CSV saver's options and their defaults (``wt_loaders.md`` §12.2); one table."""


def saves_as_whiskertoolbox(data_type: str, fmt: str, options: dict[str, Any]) -> bool:
    """Whether :func:`save_csv_as_whiskertoolbox` writes ``data_type`` in ``fmt``.

    The CSV savers of :data:`SAVER_OPTIONS`, except a line ``save_type`` of ``"multi"``
    (one file per line, written by the format's own writer).
    """
    if fmt != "csv" or data_type not in SAVER_OPTIONS:
        return False
    return not (data_type == "line" and options.get("save_type", "single") == "multi")


def save_csv_as_whiskertoolbox(
    data_type: str, obj: Any, target: Path, options: dict[str, Any]
) -> list[str]:
    """Write ``obj`` to ``target`` as WhiskerToolbox's CSV saver of ``data_type`` writes it.

    Parameters
    ----------
    data_type : str
        A key of :data:`SAVER_OPTIONS`.
    obj : data object
        The data of that type.
    target : Path
        The file to write, ``parent_dir`` / ``filename`` already applied
        (:func:`saver_target`); its folder exists.
    options : dict
        The ``format_options`` of the save.

    Returns
    -------
    list of str
        One warning per option the saver does not have (ignored, as WhiskerToolbox
        ignores it).

    Raises
    ------
    FormatError
        An option of the wrong type, or points with NaN kept by ``nan_handling``.
    """
    known = SAVER_OPTIONS[data_type]
    warnings = [
        f"format_options '{name}' is not an option of the {data_type} csv saver and is "
        f"ignored{did_you_mean(name, known)}; options: {sorted(known)}"
        for name in options
        if name not in known
    ]
    opts = {**known, **{k: v for k, v in options.items() if k in known}}
    for name in ("delimiter", "header", "line_delim"):
        if not isinstance(opts[name], str):
            raise FormatError(
                f"format_options '{name}' = {opts[name]!r}: expected a string", path=target
            )
    if not isinstance(opts["save_header"], bool):
        raise FormatError(
            f"format_options 'save_header' = {opts['save_header']!r}: expected true or false",
            path=target,
        )
    precision = opts.get("precision")
    if precision is not None and (isinstance(precision, bool) or not isinstance(precision, int)):
        raise FormatError(
            f"format_options 'precision' = {precision!r}: expected a whole number of decimals",
            path=target,
        )
    _SAVERS[data_type](obj, target, opts)
    return warnings


def saver_target(path: str | os.PathLike[str], options: dict[str, Any]) -> Path:
    """Return the file a CSV saver writes: ``path`` with ``parent_dir`` / ``filename`` applied.

    ``parent_dir`` replaces the folder of ``path`` (relative to that folder), ``filename``
    its name, as WhiskerToolbox's single-file savers let them.
    """
    target = Path(path)
    if options.get("parent_dir") is not None:
        target = target.parent / str(options["parent_dir"]) / target.name
    if options.get("filename") is not None:
        target = target.with_name(str(options["filename"]))
    return target


def _header(opts: dict[str, Any]) -> str:
    return str(opts["header"]) if opts["save_header"] else ""


def _write_rows(path: Path, opts: dict[str, Any], rows: list[str]) -> None:
    end = str(opts["line_delim"])
    header = _header(opts)
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + end)
        handle.write("".join(row + end for row in rows))


def _analog(obj: Any, path: Path, opts: dict[str, Any]) -> None:
    values = format_floats(obj.values, opts["precision"])
    frames = np.asarray(obj.times, dtype=np.int64).tolist()
    d = opts["delimiter"]
    _write_rows(path, opts, [f"{t}{d}{v}" for t, v in zip(frames, values, strict=True)])


def _events(obj: Any, path: Path, opts: dict[str, Any]) -> None:
    write_events_csv(path, obj.times, header=_header(opts), line_end=str(opts["line_delim"]))


def _intervals(obj: Any, path: Path, opts: dict[str, Any]) -> None:
    write_intervals_csv(
        path,
        obj.intervals,
        delimiter=opts["delimiter"],
        header=_header(opts) or None,
        line_end=str(opts["line_delim"]),
    )


def _points(obj: Any, path: Path, opts: dict[str, Any]) -> None:
    flat = obj.to_flat()
    coords = np.asarray(flat.coords, dtype=np.float32).reshape(-1, 2)
    frames = np.asarray(flat.times, dtype=np.int64)
    if opts["nan_handling"] == "Skip":
        keep = ~np.isnan(coords).any(axis=1)
        coords, frames = coords[keep], frames[keep]
    order = np.argsort(frames, kind="stable")  # frame order, as WhiskerToolbox writes
    xs = format_floats(coords[order, 0], opts["precision"])
    ys = format_floats(coords[order, 1], opts["precision"])
    d = opts["delimiter"]
    rows = [f"{t}{d}{x}{d}{y}" for t, x, y in zip(frames[order].tolist(), xs, ys, strict=True)]
    _write_rows(path, opts, rows)


def _lines(obj: Any, path: Path, opts: dict[str, Any]) -> None:
    flat = obj.to_flat()
    write_lines_csv(
        path,
        flat.times,
        flat.offsets,
        flat.coords,
        precision=opts["precision"],
        header=_header(opts),
        delimiter=",",  # WhiskerToolbox's line saver: always ',' after the frame
        coordinate_delimiter=opts["delimiter"],
    )


def _masks(obj: Any, path: Path, opts: dict[str, Any]) -> None:
    flat = obj.to_flat()
    write_masks_csv(
        path,
        flat.times,
        flat.offsets,
        flat.coords,
        header=_header(opts),
        delimiter=opts["delimiter"],
        rle_delimiter=str(opts["rle_delimiter"]),
    )


_SAVERS: dict[str, Callable[[Any, Path, dict[str, Any]], None]] = {
    "points": _points,
    "line": _lines,
    "mask": _masks,
    "analog": _analog,
    "digital_event": _events,
    "digital_interval": _intervals,
}
