"""One WhiskerToolbox data file opened on its own: what it holds, and loading it as a config item.

WhiskerToolbox loads every data file through a config item (``data_type``, ``format`` and
options). A file opened on its own gets the same treatment: :func:`guess_data_file` reads
the first lines and says what the file holds when the content leaves no doubt (a
DeepLabCut CSV, a ``Frame,X,Y`` lines CSV, a ``Frame,RLE`` mask CSV, a points CSV with
``frame x y`` columns, a ``start,end`` intervals CSV, the multi-column state ``.dat`` of
``DigitalIntervals/jun_test.dat``). Otherwise it lists the data types the file could hold,
most likely first, and a caller asks the user (the form starts at the first): a column of
numbers is an analog signal as much as a list of event times, unless a value is fractional
(then a signal first: events are frame numbers); where the content leaves it open, the
file's folder, named as in WhiskerToolbox's data (:data:`FOLDER_DATA_TYPES`: ``Analog``,
``DigitalEvents``...), puts its data type first. :func:`data_file_item` then builds the
:class:`~napari_whiskertoolbox.io.config_parse.ConfigItem` and :func:`load_data_file` reads
it with :func:`~napari_whiskertoolbox.io.registry.read_item` into a DataManager.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.key_references import SOURCES
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS, SERIES_KINDS
from napari_whiskertoolbox.io.clock_fit import frames_outside_clocks
from napari_whiskertoolbox.io.config_parse import ConfigItem
from napari_whiskertoolbox.io.contributions import commit, is_contribution
from napari_whiskertoolbox.io.csv_tools import has_leading_zero, looks_numeric, utf8_bytes
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.native import NATIVE_FORMAT
from napari_whiskertoolbox.io.registry import (
    CONFIG_DATA_TYPES,
    DEFAULT_FORMATS,
    item_format,
    read_item,
    reader_formats,
)
from napari_whiskertoolbox.io.report import LoadReport

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "DATA_FILE_SUFFIXES",
    "FILE_DATA_TYPES",
    "FOLDER_DATA_TYPES",
    "DataFileGuess",
    "data_file_item",
    "decimal_comma_evidence",
    "file_formats",
    "file_key_stem",
    "guess_data_file",
    "is_data_file_name",
    "key_for_file",
    "load_data_file",
    "source_record",
    "with_media_size",
]

DATA_FILE_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".dat", ".bin")
"""Suffixes of WhiskerToolbox data files that open on their own (text tables and raw binary)."""
FILE_DATA_TYPES: tuple[str, ...] = tuple(
    t for t in CONFIG_DATA_TYPES if t not in MEDIA_KINDS and t != "tensor"
)
"""Data types a data file of :data:`DATA_FILE_SUFFIXES` can hold (media open on their own)."""
FOLDER_DATA_TYPES: dict[str, str] = {
    "analog": "analog",
    "digitalevents": "digital_event",
    "digitalintervals": "digital_interval",
    "points": "points",
    "lines": "line",
    "masks": "mask",
}
"""Folder names of WhiskerToolbox's data (lower-cased) → the data type their files hold: the
hint that orders the candidates of a file whose content could be several (``Analog/x.csv``)."""
_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 40
_BINARY_TYPES = (*SERIES_KINDS, "time")
_BINARY_FORMATS = {"analog": "binary", "digital_event": "uint16", "digital_interval": "uint16"}
_QUOTED_LIST = re.compile(r'"[^"]*,[^"]*"')
_LINES_HEADER = ["Frame", "X", "Y"]
"""The header WhiskerToolbox's line CSV saver writes (and ours), case and all."""


@dataclass(frozen=True)
class DataFileGuess:
    """What the content of a data file says it holds.

    Attributes
    ----------
    path : Path
        The file.
    data_type : str or None
        The data type when the content leaves no doubt, else ``None``.
    candidates : tuple of str
        The data types the file could hold, most likely first (one when certain).
    formats : dict
        The config ``format`` for each candidate data type.
    options : dict
        Config item options read from the content (delimiter, header lines...), for each
        candidate data type.
    reason : str
        Why: what was seen in the file, in a sentence for the user.
    preview : tuple of str
        The first lines of a text file (empty for a binary file).
    reading : str
        How the numbers are read, with the first values, when the file can be read two
        ways (``""`` otherwise): ``"commas separate columns, as WhiskerToolbox reads them:
        0 | 512, 1 | 34…"``.
    alternative : DataFileGuess or None
        The other reading of a file whose cells look like numbers with decimal commas
        (``0,512`` / ``1,034``, see :func:`decimal_comma_evidence`): the guess is then
        the decimal-comma reading (``"decimal": ","`` in its options) and
        ``alternative`` WhiskerToolbox's (commas separate columns). ``None`` otherwise.
    """

    path: Path
    data_type: str | None
    candidates: tuple[str, ...]
    formats: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason: str = ""
    preview: tuple[str, ...] = ()
    reading: str = ""
    alternative: DataFileGuess | None = None

    @property
    def certain(self) -> bool:
        """Whether the content alone says what the file holds."""
        return self.data_type is not None

    def format_for(self, data_type: str) -> str:
        """Return the config ``format`` for reading the file as ``data_type``."""
        return self.formats.get(data_type) or DEFAULT_FORMATS.get(data_type) or "csv"

    def options_for(self, data_type: str) -> dict[str, Any]:
        """Return the config options read from the content for ``data_type`` (a copy)."""
        return dict(self.options.get(data_type, {}))


def is_data_file_name(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path``'s suffix is one of :data:`DATA_FILE_SUFFIXES`."""
    return Path(path).suffix.lower() in DATA_FILE_SUFFIXES


def file_key_stem(path: str | os.PathLike[str]) -> str:
    """Return the key a data file is named by in a session without it (``tip.csv`` → ``tip``)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(path).stem).strip("_.-") or "data"
    if not (stem[0].isalpha() or stem[0] == "_"):
        stem = f"_{stem}"
    return stem


def key_for_file(dm: DataManager, path: str | os.PathLike[str]) -> str:
    """Return a free key named after ``path``'s stem (``tip.csv`` → ``tip``, then ``tip_2``...)."""
    return first_free(file_key_stem(path), dm.__contains__)


def file_formats(data_type: str) -> list[str]:
    """Return the config formats that read a single file of ``data_type``."""
    skip = {NATIVE_FORMAT, "count", "frame_count"}
    return [f for f in reader_formats(data_type) if f not in skip]


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc})", path=path) from exc


def _text_lines(head: bytes, path: Path) -> list[str] | None:
    """Decode the head of a file as text lines, or ``None`` when it is binary.

    Decoded as the readers decode the whole file (:func:`~.csv_tools.utf8_bytes`: a
    byte-order mark's UTF-16, Windows-1252).
    """
    try:
        text = utf8_bytes(head, path, partial=len(head) == _SNIFF_BYTES, quiet=True).decode()
    except FormatError:
        return None
    if "\x00" in text:
        return None
    lines = text.splitlines()
    if len(head) == _SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    return lines[:_SNIFF_LINES]


def _delimiter(line: str) -> str:
    for candidate in (",", "\t", ";"):
        if candidate in line:
            return candidate
    return " "


def _fields(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        return line.split()
    return [f.strip().strip('"') for f in line.split(delimiter)]


def guess_data_file(path: str | os.PathLike[str]) -> DataFileGuess:
    """Tell what a data file holds from its first lines.

    Parameters
    ----------
    path : path-like
        A text table (``.csv``, ``.txt``, ``.dat``) or a raw binary file.

    Returns
    -------
    DataFileGuess
        ``data_type`` is set only when the content leaves no doubt.

    Raises
    ------
    FormatError
        The file cannot be read, or holds no lines.
    """
    path = Path(path)
    head = _head(path)
    lines = _text_lines(head, path)
    if lines is None:
        guess = DataFileGuess(
            path,
            None,
            _BINARY_TYPES,
            formats={t: _BINARY_FORMATS.get(t, "uint16") for t in _BINARY_TYPES},
            reason="binary data: multi-channel samples (analog) or TTL words (events, "
            "intervals or a clock)",
        )
        return _folder_first(guess)
    rows = [line for line in lines if line.strip()]
    if not rows:
        raise FormatError("expected data rows, the file is empty", path=path)
    preview = tuple(lines[:8])
    certain = _certain_layout(path, lines, rows)
    if certain is not None:
        data_type, fmt, options, reason = certain
        return DataFileGuess(
            path, data_type, (data_type,), {data_type: fmt}, {data_type: options}, reason, preview
        )
    return _folder_first(_numeric_guess(path, rows, preview))


def _folder_first(guess: DataFileGuess) -> DataFileGuess:
    """Put the data type the file's folder is named for first (:data:`FOLDER_DATA_TYPES`).

    Only among the candidates the content allows: ``Analog/events.csv`` holding whole,
    increasing numbers is first a signal, one holding a ``start,end`` table stays intervals.
    """
    folder = guess.path.parent.name
    hinted = FOLDER_DATA_TYPES.get(folder.lower())
    if hinted is None or hinted not in guess.candidates:
        return guess
    order = (hinted, *(t for t in guess.candidates if t != hinted))
    return dataclasses.replace(
        guess, candidates=order, reason=f"{guess.reason}; its folder is named {folder}"
    )


def _certain_layout(
    path: Path, lines: list[str], rows: list[str]
) -> tuple[str, str, dict[str, Any], str] | None:
    """Return ``(data_type, format, options, reason)`` for layouts only one reader fits."""
    first = rows[0]
    delimiter = _delimiter(first)
    names = [name.lower() for name in _fields(first, delimiter)]
    if names[:1] == ["scorer"] and len(rows) > 2 and rows[1].lower().startswith("bodyparts"):
        return "points", "dlc_csv", {}, "a DeepLabCut table (scorer, bodyparts, coords rows)"
    state_header = _state_header_line(lines)
    if state_header is not None:
        return (
            "digital_interval",
            "multi_column_binary",
            {} if state_header == 5 else {"header_lines_to_skip": state_header},
            "a multi-column state table (a 'Time' column, then 0/1 columns)",
        )
    if not names or looks_numeric(names[0]):
        return None
    options: dict[str, Any] = {} if delimiter == "," else {"delimiter": delimiter}
    if names == ["event"] and all(len(_fields(row, delimiter)) == 1 for row in rows):
        # WhiskerToolbox's events saver writes this header (its loader skips the line)
        return "digital_event", "csv", {"has_header": True}, "an events table (Event header)"
    if names[:2] == ["frame", "rle"]:
        return "mask", "csv", options, "a run-length mask table (Frame,RLE header)"
    if names[:3] == ["frame", "x", "y"] and len(rows) > 1 and _QUOTED_LIST.search(rows[1]):
        return "line", "csv", options, "a lines table (Frame,X,Y with quoted coordinate lists)"
    if len(rows) == 1 and delimiter == "," and _fields(first, delimiter) == _LINES_HEADER:
        # An empty line key as the line savers write it (WhiskerToolbox's and ours); the
        # points savers write ``frame,x,y`` (WhiskerToolbox) or ``Frame X Y`` (ours).
        return "line", "csv", options, "an empty lines table (the Frame,X,Y header only)"
    columns = {name: index for index, name in enumerate(names)}
    if {"x", "y"} <= columns.keys() and ("frame" in columns or "time" in columns):
        frame = columns.get("frame", columns.get("time", 0))
        point_options: dict[str, Any] = {"delimiter": delimiter}
        for option, index in (("frame_column", frame), ("x_column", columns["x"])):
            if index != {"frame_column": 0, "x_column": 1}[option]:
                point_options[option] = index
        if columns["y"] != 2:
            point_options["y_column"] = columns["y"]
        return "points", "csv", point_options, "a points table (frame, x and y columns)"
    if names[:2] == ["start", "end"]:
        return "digital_interval", "csv", options, "an intervals table (start,end header)"
    return None


def _state_header_line(lines: list[str]) -> int | None:
    """Index of a ``Time<TAB>name...`` row that follows non-numeric lines and precedes numbers."""
    for index, line in enumerate(lines):
        fields = line.split("\t")
        if len(fields) > 1 and fields[0].strip().lower() == "time":
            following = [f for f in lines[index + 1 : index + 3] if f.strip()]
            if following and all(
                looks_numeric(t) for f in following for t in f.split("\t") if t.strip()
            ):
                return index
            return None
        if line.strip() and looks_numeric(line.split()[0]):
            return None
    return None


_UNSIGNED = re.compile(r"^\d+$")
_SIGNED = re.compile(r"^[-+]?\d+$")


def decimal_comma_evidence(data: list[list[str]]) -> str | None:
    """Return why the comma-delimited cells ``data`` look like numbers with decimal commas.

    Only a table whose every row is two integer cells, the second unsigned (``0,512``),
    can be one column of decimal-comma numbers. It looks like one when a second cell has
    a leading zero (``1,034``: a fraction's digits; an integer column is not written so),
    or when the second cells vary in digit count, none of several digits ends in ``0``
    (decimals are written without trailing zeros: ``2,75`` next to ``3,101``; about one
    integer in ten ends in 0) and some is smaller than the first cell (so the rows are no
    ``start,end`` table). ``None``: no sign of decimal commas.
    """
    if not data or any(len(row) != 2 for row in data):
        return None
    if not all(_SIGNED.match(a) and _UNSIGNED.match(b) for a, b in data):
        return None
    zero = next((f"{a},{b}" for a, b in data if has_leading_zero(b)), None)
    if zero is not None:
        return f"'{zero}': a second cell with a leading zero, as decimals have"
    seconds = [b for _, b in data]
    if (
        len({len(b) for b in seconds}) > 1
        and not any(len(b) > 1 and b.endswith("0") for b in seconds)
        and any(int(b) < int(a) for a, b in data)
    ):
        return (
            "second cells of varying digit counts without trailing zeros, as decimals are "
            "written, and not interval ends"
        )
    return None


def _first_values(values: list[list[float]], separator: str = " | ") -> str:
    shown = [separator.join(f"{v:g}" for v in row) for row in values[:4]]
    return ", ".join(shown) + ("…" if len(values) > 4 else "")


def _numeric_guess(path: Path, rows: list[str], preview: tuple[str, ...]) -> DataFileGuess:
    """Guess from a table of numbers (after at most one header row).

    A comma-delimited table of integer pairs that looks like one column of numbers with
    decimal commas (:func:`decimal_comma_evidence`) is guessed both ways: the guess
    returned reads the decimal commas (``"decimal": ","``), its ``alternative`` reads
    the commas as WhiskerToolbox does (separating columns).
    """
    delimiter = _delimiter(rows[-1])
    data = [_fields(row, delimiter) for row in rows]
    header = bool(data) and not all(looks_numeric(t) for t in data[0])
    if header:
        data = data[1:]
    if not data or not all(looks_numeric(t) for row in data for t in row):
        return DataFileGuess(
            path,
            None,
            ("points", "line", "mask", "digital_interval", "digital_event", "analog"),
            reason="a table whose columns could not be recognised",
            preview=preview,
        )
    columns = _table_guess(path, data, delimiter, header, preview)
    why = decimal_comma_evidence(data) if delimiter == "," else None
    if why is None:
        return columns
    decimals = _table_guess(path, [[f"{a}.{b}"] for a, b in data], ",", header, preview, True)
    zero = next((b for _, b in data if has_leading_zero(b)), None)
    lost = "" if zero is None else f" ('{zero}' read as {int(zero)}: its leading zero is lost)"
    as_columns = (
        f"commas separate columns, as WhiskerToolbox reads them: "
        f"{_first_values([[float(t) for t in row] for row in data])}{lost}"
    )
    as_decimals = (
        'commas are decimal marks ("decimal": ","): '
        f"{_first_values([[float(f'{a}.{b}')] for a, b in data])}"
    )
    columns = dataclasses.replace(
        columns,
        reason=f"{columns.reason} — but its cells look like numbers with decimal commas ({why})",
        reading=as_columns,
    )
    decimals = dataclasses.replace(
        decimals,
        reason=f"{decimals.reason}, written with decimal commas ({why}); WhiskerToolbox reads "
        "the commas as separating two integer columns",
        reading=as_decimals,
    )
    return dataclasses.replace(decimals, alternative=columns)


def _table_guess(
    path: Path,
    data: list[list[str]],
    delimiter: str,
    header: bool,
    preview: tuple[str, ...],
    decimal: bool = False,
) -> DataFileGuess:
    """Guess from the numeric cells ``data`` (``decimal``: read with ``"decimal": ","``)."""
    n_columns = max(len(row) for row in data)
    values = [[float(t) for t in row] for row in data]

    def options(data_type: str) -> dict[str, Any]:
        found = _csv_options(data_type, delimiter, header=header, n_columns=n_columns)
        return {**found, "decimal": ","} if decimal else found

    if n_columns == 1:
        column = [row[0] for row in values]
        increasing = all(b > a for a, b in itertools.pairwise(column))
        whole = all(v.is_integer() for v in column)
        order: tuple[str, ...] = ("digital_event", "analog", "time") if increasing else ("analog",)
        if decimal:  # clock text takes no decimal commas
            order = tuple(t for t in order if t != "time")
        reason = "one column of numbers: event times" + (
            ", signal samples or clock ticks" if increasing else " or signal samples"
        )
        if increasing and whole:
            reason += " (whole, increasing numbers)"
        elif increasing:  # events and clock ticks are frame numbers: whole
            order = ("analog", "digital_event") if decimal else ("analog", "digital_event", "time")
            reason = "one column of numbers, some fractional: signal samples, event times" + (
                "" if decimal else " or clock ticks"
            )
        return DataFileGuess(
            path,
            None,
            order,
            options={t: options(t) for t in order},
            reason=reason,
            preview=preview,
        )
    if n_columns == 2:
        ordered = all(row[0] <= row[-1] for row in values if len(row) == 2)
        pair = ("digital_interval", "analog") if ordered else ("analog", "digital_interval")
        return DataFileGuess(
            path,
            None,
            pair,
            options={t: options(t) for t in pair},
            reason="two columns of numbers: start,end intervals or time,value samples",
            preview=preview,
        )
    several = ("points", "analog", "digital_interval")
    return DataFileGuess(
        path,
        None,
        several,
        options={t: options(t) for t in several},
        reason=f"{n_columns} columns of numbers: frame x y points, or time,value samples",
        preview=preview,
    )


def _csv_options(data_type: str, delimiter: str, *, header: bool, n_columns: int) -> dict[str, Any]:
    """Return the options that make ``data_type``'s CSV reader read the table as it was seen.

    The table's ``delimiter`` when it has several columns (for points always: their default
    is a space); the header option (``has_header``/``skip_header``, from
    :mod:`.option_table`) when its WhiskerToolbox default does not match whether the table
    starts with a header row; ``time,value`` columns for an analog table of several columns.
    """
    from napari_whiskertoolbox.io.option_table import FORMAT_VARIANTS

    variant = FORMAT_VARIANTS.get((data_type, "csv"))
    if variant is None:
        return {}
    options: dict[str, Any] = {}
    if n_columns > 1 and (delimiter != "," or data_type == "points"):
        options["delimiter"] = delimiter
    for opt in variant.options:
        if opt.name in ("has_header", "skip_header") and opt.default not in (None, header):
            options[opt.name] = header
    if data_type == "analog" and n_columns > 1:
        options["single_column_format"] = False
    return options


def data_file_item(
    path: str | os.PathLike[str],
    data_type: str,
    name: str,
    *,
    fmt: str | None = None,
    clock: str | None = None,
    options: dict[str, Any] | None = None,
) -> ConfigItem:
    """Return the config item that loads ``path`` as ``data_type`` under the key ``name``.

    Parameters
    ----------
    path : path-like
        The data file.
    data_type : str
        A config ``data_type`` (:data:`FILE_DATA_TYPES`).
    name : str
        The key (or key prefix for items giving several keys).
    fmt : str, optional
        The config ``format``; the data type's default when omitted.
    clock : str, optional
        The clock the key is bound to (``"time"`` when omitted).
    options : dict, optional
        Other config item options (``delimiter``, ``has_header``, ``scale``...).

    Raises
    ------
    FormatError
        An unknown data type, or an option named like a reserved item field.
    """
    path = Path(path).resolve()
    if data_type not in CONFIG_DATA_TYPES:
        raise FormatError(
            f"unknown data_type {data_type!r}; expected one of {list(FILE_DATA_TYPES)}",
            path=path,
        )
    options = dict(options or {})
    reserved = sorted(set(options) & {"data_type", "name", "filepath", "format", "clock"})
    if reserved:
        raise FormatError(
            f"options {reserved} are item fields, not options; set them in the form itself",
            path=path,
        )
    raw: dict[str, Any] = {"data_type": data_type, "name": name, "filepath": str(path)}
    if fmt is not None:
        raw["format"] = fmt
    if clock is not None:
        raw["clock"] = clock
    raw.update(options)
    return ConfigItem(
        label=f"{path.name!r} as {data_type}",
        data_type=data_type,
        name=name,
        format=fmt,
        path=path,
        clock=clock,
        color=None,
        options=options,
        raw=raw,
    )


def source_record(item: ConfigItem) -> dict[str, Any]:
    """Return the ``dm.metadata["sources"]`` record of a key loaded from ``item``.

    The same record :func:`~napari_whiskertoolbox.io.config.load_config` keeps, so that
    :func:`~napari_whiskertoolbox.io.keys.write_key` can write the key back to its file.
    """
    return {
        "data_type": item.data_type,
        "format": item_format(item),
        "filepath": None if item.path is None else str(item.path),
        "options": dict(item.options),
        "clock": item.clock or "time",
        "color": item.color,
        "item": item.name,
        "config": None,
    }


_SIZE_OPTIONS = frozenset({"height", "width", "image_width", "image_height", "image_size"})


def with_media_size(dm: DataManager, item: ConfigItem) -> ConfigItem:
    """Return ``item`` with the image size of ``dm``'s media when a mask CSV gives none.

    A mask CSV holds pixels, not the size of the image they were drawn on: opened beside a
    video, it annotates that video's frames (:func:`~.routing.open_path` puts it on their
    clock), so it takes their size as ``height`` and ``width`` — the media on the item's
    clock, else the first — unless the item sets a size. Without media, or with media of
    several sizes, the item is returned as it is.
    """
    if (
        item.path is None
        or item.data_type != "mask"
        or item_format(item) != "csv"
        or _SIZE_OPTIONS & set(item.options)
    ):
        return item
    media = [key for key in dm if dm.data_type(key) in MEDIA_KINDS]
    on_clock = [key for key in media if dm.time_key(key) == (item.clock or "time")]
    for key in on_clock or media[:1]:
        shape: tuple[int, ...] = tuple(getattr(dm.get_data(key), "shape", ()))
        if len(shape) < 3:
            continue
        height, width = int(shape[1]), int(shape[2])
        options = {**item.options, "height": height, "width": width}
        return data_file_item(
            item.path, item.data_type, item.name, fmt=item.format, clock=item.clock, options=options
        )
    return item


def load_data_file(dm: DataManager, item: ConfigItem) -> list[str]:
    """Read ``item`` and add its keys to ``dm`` as one undo step, all or nothing.

    Data on frames its clock does not have (past the end of a video's frames) is kept and
    named in a WARNING, as a config load names it. Clock items (``data_type`` ``time``) set a clock named ``item.name`` instead. What the
    reader skipped or ignored (:class:`~.report.LoadNote`) is logged at WARNING level, as a
    config load does, and kept in ``dm.metadata["sources"][key]["notes"]``; a pose set or
    a clock the file defines (:mod:`.contributions`) is applied as the config loader does.

    Returns
    -------
    list of str
        The keys (or the clock) added.

    Raises
    ------
    FormatError
        The file does not read as the item says (the message names the file and line),
        a key is already taken, or the item's clock does not exist.
    """
    item = with_media_size(dm, item)
    loaded = read_item(item)
    LoadReport().extend(item.notes)
    clock = item.clock or "time"
    if item.data_type == "time":
        with dm.history.group(f"open {item.path}"):
            for name, timeframe in loaded:
                dm.set_time(name, timeframe)
        return [name for name, _ in loaded]
    data = [key for key, obj in loaded if not is_contribution(obj)]
    taken = [key for key in data if key in dm]
    if taken:
        raise FormatError(
            f"key {taken[0]!r} already exists; choose another name", path=item.path, item=item.label
        )
    if clock not in dm.time_keys():
        raise FormatError(
            f"no clock {clock!r}; expected one of {dm.time_keys()}", path=item.path, item=item.label
        )
    record = source_record(item)
    if item.notes:
        record["notes"] = [str(note) for note in item.notes]
    keys = commit(dm, loaded, label=f"open {item.path}", clock=clock, source=str(item.path))
    sources = dm.metadata.setdefault(SOURCES, {})
    for key in keys:
        sources[key] = dict(record)
        # data on frames the clock lacks (test_point.csv's frame 1000 beside a 1000-frame
        # video), told as a config load tells it
        outside = frames_outside_clocks(dm, {key: {"item_label": item.label, **record}})
        if outside:
            LoadReport().extend(outside)
            sources[key]["notes"] = [*sources[key].get("notes", []), *map(str, outside)]
    return list(keys)
