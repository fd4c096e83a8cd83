"""The one table of config item options: every reader's options, defaults and aliases.

Source: WhiskerToolbox's JSON loader (``paulmthompson/WhiskerToolbox`` at ``806c00c1``, as
specified in ``shared/reference/wt_loaders.md`` §2-§10). Each format *variant* (a
``(data_type, variant)`` pair, e.g. ``("points", "csv")`` or ``("line", "csv multi_file")``)
lists its options. Options marked ``ours`` are not WhiskerToolbox's: extensions such as
``decimal`` or aliases we accept besides WhiskerToolbox's name.

Readers get their options through :func:`~.item_options.item_options`, which applies the
defaults and aliases here, checks types and ranges (an error naming the item and option)
and reports options of the item that no row of its variant names (a ``unknown_option``
note, as WhiskerToolbox ignores unknown keys). The README's option table is
:func:`options_markdown` (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from napari_whiskertoolbox.core.kinds import RAGGED_KINDS
from napari_whiskertoolbox.media.suffixes import VIDEO_SUFFIXES

__all__ = [
    "COMMON_FIELDS",
    "FORMAT_VARIANTS",
    "PATH_OPTIONS",
    "WT_FORMATS",
    "Option",
    "OptionKind",
    "Variant",
    "options_markdown",
]

OptionKind = Literal["int", "float", "bool", "str", "list", "dict", "number_or_str"]

COMMON_FIELDS = frozenset(
    {"data_type", "name", "filepath", "format", "clock", "color", "parent_dir", "directory_path"}
)
"""Fields every item may carry; not format options."""


@dataclass(frozen=True)
class Option:
    """One option of a format variant.

    Attributes
    ----------
    name : str
        The JSON key.
    kind : OptionKind
        JSON type expected (``float`` accepts integers too).
    default : Any
        Value when absent (``None``: absent, or required when ``required``).
    meaning : str
        What it does, in a few words (README table).
    aliases : tuple of str
        Other keys read as this option (the first present wins, ``name`` first); all ours
        (WhiskerToolbox reads one name per option).
    minimum : float or None
        Smallest accepted value of a number.
    choices : tuple of str or None
        Accepted strings.
    otherwise : str or None
        The choice any other string means, where WhiskerToolbox falls back instead of
        failing (e.g. an unknown filename-clock ``mode`` is ``found_values``); such a value
        is read as this choice and noted. None: any other string is an error.
    required : bool
        The item fails without it.
    ours : bool
        Not a WhiskerToolbox option (an extension of ours).
    path : bool
        A file or folder path (or a list of them), relative to the folder of the item's
        file; a session moved with its experiment folder finds it in the moved tree.
    """

    name: str
    kind: OptionKind
    default: Any
    meaning: str
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    choices: tuple[str, ...] | None = None
    otherwise: str | None = None
    required: bool = False
    ours: bool = False
    path: bool = False


@dataclass(frozen=True)
class Variant:
    """A reader's options: one format (or layout of a format) of one data type.

    Attributes
    ----------
    data_type : str
    variant : str
        The format name, plus the layout that selects it (``"csv binary_state"``).
    formats : tuple of str
        ``format`` values that select it (aliases included).
    options : tuple of Option
    check_unknown : bool
        Report options not in ``options`` (off for our own session format).
    ours : bool
        A format WhiskerToolbox's loader does not accept.
    """

    data_type: str
    variant: str
    formats: tuple[str, ...]
    options: tuple[Option, ...]
    check_unknown: bool = True
    ours: bool = False

    def option(self, name: str) -> Option:
        """Return the option named ``name`` (KeyError if this variant has none)."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(f"{self.data_type} {self.variant} has no option {name!r}")

    def accepts(self, key: str) -> bool:
        """Return whether ``key`` is one of this variant's option names or aliases."""
        return any(key == o.name or key in o.aliases for o in self.options)


def _o(name: str, kind: OptionKind, default: Any, meaning: str, **extra: Any) -> Option:
    return Option(name, kind, default, meaning, **extra)


def _size(legacy: bool = True, modern: bool = True) -> tuple[Option, ...]:
    """Return a format's image-size options.

    ``height``/``width`` (``modern``), the ``image_width``/``image_height`` pair
    (``legacy``: a fallback beside the modern pair, the only size names of formats without
    it) and our ``image_size``.
    """
    out: list[Option] = []
    if modern:
        out += [
            _o("height", "int", None, "image height (used when height and width are both given)",
               minimum=1),
            _o("width", "int", None, "image width (used when height and width are both given)",
               minimum=1),
        ]  # fmt: skip
    if legacy:
        out += [
            _o("image_width", "int", None, "legacy image width (when height/width are not both given)"
               if modern else "image width (height/width are not read)"),
            _o("image_height", "int", None, "legacy image height" if modern else "image height"),
        ]  # fmt: skip
    out.append(_o("image_size", "list", None, "[width, height] in one option", ours=True))
    return tuple(out)


_DECIMAL = _o(
    "decimal",
    "str",
    None,
    "decimal mark of the numbers: '.' or ','; absent: ',' inside a cell of a file not "
    "delimited by commas (1,5 in a ';' file), else '.'",
    choices=(".", ","),
    ours=True,
)
_TTL = (
    _o("channel", "int", None, "bit (0-15) of each uint16 sample holding the TTL line",
       minimum=0, required=True),
    _o("transition", "str", None, "edge that makes an event / tick: rising or falling",
       choices=("rising", "falling"), required=True),
    _o("header_size", "int", 0, "bytes skipped at the start of the file", minimum=0),
    _o("channel_count", "int", 1, "read by WhiskerToolbox but without effect: every uint16 word "
       "is one sample; a value other than 1 is refused", minimum=1),
)  # fmt: skip
_FRAME_COLUMN = _o("frame_column", "int", 0, "column of the frame number", minimum=0)
_THRESHOLD = _o(
    "likelihood_threshold",
    "float",
    0.0,
    "keep a point when its likelihood >= threshold (a nan likelihood fails; parts without "
    "likelihood, and empty likelihood cells, always pass)",
    minimum=0,
)
_DLC_SCALED = (
    _o("scaled_width", "int", -1, "rescale x to this width (needs width; give both scaled_*)"),
    _o("scaled_height", "int", -1, "rescale y to this height (needs height)"),
)
_DLC_PROJECT = (
    _o("config", "str", None, "the DeepLabCut project's config.yaml (body-part order, skeleton; "
       "relative to the table's folder; named here, its pcutoff is the default "
       "likelihood_threshold); default: found beside the table or two folders up",
       ours=True, path=True),
    _o("frame_from", "str", "position", "labelled-image rows: frame = the image's position among "
       "the images, or the number in its name (img<frame>.png)",
       choices=("position", "image_name"), ours=True),
    _o("images", "str", None, "folder of the labelled images, relative to the table's folder "
       "(default: the table's folder)", ours=True, path=True),
)  # fmt: skip
_BINARY_STATE = (
    _o("header_lines_to_skip", "int", 5, "preamble lines before the column-name row", minimum=0),
    _o("delimiter", "str", "\t", "column delimiter"),
    _DECIMAL,
)
_EVENT_CSV = (
    _o("delimiter", "str", ",", "column delimiter (first character)"),
    _o("has_header", "bool", False, "skip the first line"),
    _o("event_column", "int", 0, "column of the event time", minimum=0),
    _o("scale", "float", 1.0, "frame = truncate(time x scale)"),
    _o("scale_divide", "bool", False, "divide by scale instead"),
    _o("base_name", "str", "events", "name used in log messages only"),
    _DECIMAL,
)
_HDF5_TIMES = (
    _o("scale", "float", 1.0, "frame = round(time x scale)"),
    _o("scale_divide", "bool", False, "divide by scale instead"),
)
_DATA_KEY = _o(
    "data_key", "str", None, "dataset of bit-packed uint8/uint16 digital samples", required=True
)
_SWEEP_ROW = _o("sweep_row", "int", 0, "row of a 2-D (sweeps, samples) dataset", minimum=0)
_HDF5_BITS = (
    _DATA_KEY,
    _o("channel", "int", None, "bit (0-15) of each sample holding the TTL line",
       minimum=0, required=True),
    _o("transition", "str", None, "edge that makes an event (rising or falling); intervals: "
       "from this edge to the next opposite one", choices=("rising", "falling"), required=True),
    _SWEEP_ROW,
)  # fmt: skip

_CLOCK_RATE = _o(
    "sampling_rate", "float", None,
    "ticks per second (for seconds; a clock of master ticks takes the master's rate)", ours=True,
)  # fmt: skip

_VARIANTS: tuple[Variant, ...] = (
    # ---- clocks ------------------------------------------------------------------------
    Variant("time", "uint16", ("uint16", "ttl"), (*_TTL[:3],
        _CLOCK_RATE)),
    Variant("time", "uint16_length", ("uint16_length",), (
        _o("header_size", "int", 0, "bytes excluded from the length", minimum=0),
        _CLOCK_RATE)),
    Variant("time", "filename", ("filename",), (
        _o("regex_pattern", "str", None, "regex searched in each file name; group 1 is the "
           "number", required=True),
        _o("file_extension", "str", "", "keep names ending with this text (case-sensitive)"),
        _o("mode", "str", "found_values", "found_values, zero_to_max or min_to_max",
           choices=("found_values", "zero_to_max", "min_to_max"), otherwise="found_values"),
        _o("sort_ascending", "bool", True, "sort the numbers (false: folder order)"),
        _CLOCK_RATE)),
    Variant("time", "multi_column_binary", ("multi_column_binary",), (
        *_BINARY_STATE,
        _o("time_column", "int", 0, "column holding time in seconds", minimum=0),
        _o("sampling_rate", "float", 1.0, "tick = time x sampling_rate (rounded to nearest)",
           minimum=0))),
    Variant("time", "hdf5", ("hdf5",), (
        _DATA_KEY,
        _o("time_layout", "str", "identity", "identity: ticks 0..N-1, one per sample",
           choices=("identity",)),
        _SWEEP_ROW,
        _CLOCK_RATE)),
    Variant("time", "max_value", ("max_value",), (
        _o("source_data", "str", None, "loaded event or analog key spanning the clock",
           required=True),
        _o("start_value", "int", 0, "first tick"),
        _CLOCK_RATE)),
    Variant("time", "derived", ("derived",), (
        _o("source_timeframe", "str", None, "clock sampled at the source's events",
           required=True),
        _o("source_series", "str", None, "event or interval key (with source_type)"),
        _o("source_type", "str", None, "event, event_series, interval or interval_series",
           choices=("event", "event_series", "interval", "interval_series")),
        _o("event_series", "str", None, "legacy: event key"),
        _o("interval_series", "str", None, "legacy: interval key"),
        _o("edge", "str", "start", "intervals: start or end (anything else means start)",
           choices=("start", "end"), otherwise="start"),
        _o("sampling_rate", "float", None, "clock rate in Hz (default: the source clock's)",
           ours=True))),
    Variant("time", "count", ("count", "frame_count"), (
        _o("count", "int", None, "number of frames: ticks 0..count-1 (0: an empty clock)",
           aliases=("frame_count",), minimum=0, required=True, ours=True),
        _o("first_tick", "float", 0.0, "tick of frame 0 (frame i: round(first_tick + i * "
           "tick_step))", ours=True),
        _o("tick_step", "float", 1.0, "ticks from one frame to the next (> 0)", ours=True),
        _CLOCK_RATE),
        ours=True),
    Variant("time", "csv", ("csv", "txt"), (
        _CLOCK_RATE,),
        ours=True),
    # ---- media -------------------------------------------------------------------------
    Variant("video", "media", ("media", *(suffix[1:] for suffix in VIDEO_SUFFIXES)), ()),
    Variant("images", "media", ("media", "folder", "png", "jpg", "tif", "tiff"), (
        _o("file_extensions", "list", [".png", ".jpg", ".jpeg"], "kept file extensions "
           "(last extension, case-sensitive)"),
        _o("filename_pattern", "str", "", "regex searched in each file name"),
        _o("sort_by_name", "bool", True, "sort by path, plain lexicographic (false: folder order)"),
        _o("display_format", "str", "Color", "Color or Gray",
           choices=("Color", "color", "Gray", "gray"), otherwise="Color"),
        _o("recursive_search", "bool", False, "include sub-folders"),
        _o("files", "list", None, "the frames, in order: paths relative to the folder, instead "
           "of the options above (a session of a DeepLabCut project of several videos lists "
           "each labelled-data folder's images)", ours=True, path=True))),
    # ---- points ------------------------------------------------------------------------
    Variant("points", "csv", ("csv",), (
        _FRAME_COLUMN,
        _o("x_column", "int", 1, "column of x", minimum=0),
        _o("y_column", "int", 2, "column of y", minimum=0),
        _o("column_delim", "str", " ", "column delimiter (first character; '' = space)",
           aliases=("delimiter",)),
        _o("nan_handling", "str", "Skip", "Skip drops rows with a NaN x or y; Include keeps "
           "them (stored, not drawn by napari, written back as nan); an infinite x or y is "
           "kept either way", choices=("Skip", "Include")),
        *_size(),
        _o("csv_layout", "str", None, "'dlc' reads one DeepLabCut body part; others ignored"),
        _o("has_header", "bool", None, "skip the first line (rows whose frame is not all "
           "digits are skipped anyway)", ours=True),
        _DECIMAL)),
    Variant("points", "csv dlc", ("csv",), (
        _o("csv_layout", "str", "dlc", "dlc"),
        _o("bodypart", "str", "", "body part to load; '' = first in byte-wise sorted order"),
        _o("all_bodyparts", "bool", False, "load every body part as <name>_<bodypart> "
           "(WhiskerToolbox ignores it in configs)"),
        _FRAME_COLUMN, _THRESHOLD, *_size(), *_DLC_SCALED,
        _o("delimiter", "str", ",", "column delimiter", ours=True), _DECIMAL, *_DLC_PROJECT)),
    Variant("points", "dlc_csv", ("dlc_csv",), (
        _FRAME_COLUMN, _THRESHOLD, *_size(legacy=False), *_DLC_SCALED,
        _o("delimiter", "str", ",", "column delimiter", ours=True), _DECIMAL, *_DLC_PROJECT)),
    Variant("points", "dlc_h5", ("dlc_h5",), (
        _THRESHOLD, *_size(legacy=False), *_DLC_SCALED, *_DLC_PROJECT), ours=True),
    # ---- lines -------------------------------------------------------------------------
    Variant("line", "csv", ("csv",), (
        _o("delimiter", "str", ",", "separator after the frame cell (first character)"),
        _o("coordinate_delimiter", "str", ",", "separator inside the quoted x and y lists"),
        _o("has_header", "bool", True, "skip line 1 when it contains header_identifier"),
        _o("header_identifier", "str", "Frame", "text marking the header line"),
        _o("multi_file", "bool", False, "filepath is a folder of one-line files"),
        *_size(), _DECIMAL)),
    Variant("line", "csv multi_file", ("csv",), (
        _o("multi_file", "bool", True, "filepath is a folder of <frame>.csv files"),
        _o("delimiter", "str", ",", "column delimiter (first character)"),
        _o("x_column", "int", 0, "column of x", minimum=0),
        _o("y_column", "int", 1, "column of y", minimum=0),
        _o("has_header", "bool", True, "skip the first line of each file"),
        _o("file_pattern", "str", "*.csv", "glob of the files (WhiskerToolbox ignores it)"),
        *_size(), _DECIMAL)),
    Variant("line", "hdf5", ("hdf5",), (
        _o("frame_key", "str", "frames", "dataset of frame numbers, one per line"),
        _o("x_key", "str", "y", "dataset of x coordinates (WhiskerToolbox's swapped default)"),
        _o("y_key", "str", "x", "dataset of y coordinates (swapped default)"),
        *_size(modern=False))),
    # ---- masks -------------------------------------------------------------------------
    Variant("mask", "csv", ("csv",), (
        _o("delimiter", "str", ",", "separator after the frame cell (first character)"),
        _o("rle_delimiter", "str", ",", "separator of the run-length numbers"),
        _o("has_header", "bool", True, "skip line 1 when it contains header_identifier"),
        _o("header_identifier", "str", "Frame", "text marking the header line"),
        _o("csv_layout", "str", None, "ignored ('rle')"),
        *_size())),
    Variant("mask", "hdf5", ("hdf5",), (
        _o("frame_key", "str", "frames", "dataset of frame numbers, one per mask"),
        _o("x_key", "str", "widths", "dataset of pixel x"),
        _o("y_key", "str", "heights", "dataset of pixel y"),
        _o("width", "int", None, "image width", minimum=1),
        _o("height", "int", None, "image height", minimum=1),
        _o("image_size", "list", None, "[width, height] in one option", ours=True))),
    Variant("mask", "image", ("image", "images", "png"), (
        _o("file_pattern", "str", "*.png", "file name pattern (* = anything, case-insensitive)"),
        _o("filename_prefix", "str", "", "text before the frame number in the stem"),
        _o("frame_number_padding", "int", 0, "accepted, unused when loading", minimum=0),
        _o("threshold_value", "float", 128, "gray value >= threshold is a mask pixel"),
        _o("invert_mask", "bool", False, "gray value < threshold is a mask pixel instead"),
        *_size(modern=False))),
    # ---- analog ------------------------------------------------------------------------
    Variant("analog", "binary", ("binary",), (
        _o("binary_data_type", "str", "int16", "sample type on disk (little-endian)",
           choices=("int16", "uint16", "int8", "float32", "float64")),
        _o("num_channels", "int", 1, "interleaved channels", minimum=1),
        _o("header_size", "int", 0, "bytes skipped at the start", minimum=0),
        _o("use_memory_mapped", "bool", False, "read lazily (we always do)"),
        _o("offset", "int", 0, "first element of the interleaved stream (elements, not bytes)",
           minimum=0),
        _o("stride", "int", 1, "step between a channel's samples, in frames", minimum=1),
        _o("num_samples", "int", 0, "samples per channel; 0 = all", minimum=0),
        _o("scale_factor", "float", 1.0, "value = raw x scale_factor + offset_value"),
        _o("offset_value", "float", 0.0, "added after scaling"),
        _o("use_tensor_backed", "bool", False, "with several channels, also a (samples, "
           "channels) tensor under <name>, columns named by channel (0, 1, ...)"),
        _o("parent_dir", "str", ".", "irrelevant in configs (paths are resolved)"),
        _o("channel_count", "int", None, "not read by WhiskerToolbox; refused unless equal "
           "to num_channels (use num_channels)"),
        _o("channel_names", "list", None, "key suffixes instead of 0..N-1", ours=True))),
    Variant("analog", "csv", ("csv",), (
        _o("delimiter", "str", ",", "column delimiter (first character)"),
        _o("has_header", "bool", False, "skip the first line"),
        _o("single_column_format", "bool", True, "value from column 0, frame = row count"),
        _o("time_column", "int", 0, "two-column mode: frame = truncate(time)", minimum=0),
        _o("data_column", "int", 1, "two-column mode: value", minimum=0),
        _DECIMAL)),
    Variant("analog", "hdf5", ("hdf5",), (
        _o("time_key", "str", None, "dataset of times", required=True),
        _o("value_key", "str", None, "dataset of values", required=True),
        *_HDF5_TIMES)),
    # ---- events ------------------------------------------------------------------------
    Variant("digital_event", "csv", ("csv",), (
        *_EVENT_CSV,
        _o("identifier_column", "int", -1, "split into one key per identifier (>= 0)"),
        _o("label_column", "int", -1, "alias of identifier_column (wins when both)"),
        _o("multi_file", "bool", False, "filepath is a folder of event files"))),
    Variant("digital_event", "csv multi_file", ("csv",), (
        _o("multi_file", "bool", True, "filepath is a folder of event files"),
        _o("file_pattern", "str", "", "file name pattern (* = anything); '' = *.csv and *.txt"),
        _o("append_filename", "bool", False, "key suffix = file stem (else 0, 1, ...)"),
        *_EVENT_CSV)),
    Variant("digital_event", "uint16", ("uint16", "binary"), _TTL),
    Variant("digital_event", "hdf5", ("hdf5",), (
        _o("time_key", "str", None, "dataset of times", required=True),
        _o("event_key", "str", None, "dataset of 0/1 indicators (> 0.5 is an event)",
           required=True),
        *_HDF5_TIMES)),
    Variant("digital_event", "hdf5 bitpacked", ("hdf5",), _HDF5_BITS),
    # ---- intervals ---------------------------------------------------------------------
    Variant("digital_interval", "csv", ("csv",), (
        _o("delimiter", "str", ",", "column delimiter (first character)"),
        _o("skip_header", "bool", True, "skip the first line, even when it is data",
           aliases=("has_header",)),
        _o("flip_column_order", "bool", False, "end in the first column, start in the second"),
        _o("csv_layout", "str", "intervals", "intervals, or binary_state (next table)"),
        _o("start_column", "int", None, "column of starts (GUI import option)", minimum=0,
           ours=True),
        _o("end_column", "int", None, "column of ends (GUI import option)", minimum=0,
           ours=True),
        _o("layout", "str", "overlapping", "keep intervals as given, or merge them (disjoint)",
           choices=("overlapping", "disjoint"), ours=True),
        _DECIMAL)),
    Variant("digital_interval", "csv binary_state", ("csv", "multi_column_binary"), (
        _o("csv_layout", "str", "binary_state", "binary_state"),
        *_BINARY_STATE,
        _o("data_column", "int", 1, "column holding the 0/1 state", minimum=0),
        _o("binary_threshold", "float", 0.5, "value >= threshold is on"),
        _o("time_column", "int", 0, "only excluded from all_columns", minimum=0),
        _o("sampling_rate", "float", 0, "accepted, not used", minimum=0),
        _o("all_columns", "bool", False, "one key per column but time_column"))),
    Variant("digital_interval", "uint16", ("uint16", "binary"), _TTL),
    Variant("digital_interval", "hdf5", ("hdf5",), _HDF5_BITS),
    # ---- tensors -----------------------------------------------------------------------
    Variant("tensor", "numpy", ("numpy", "npy"), (
        _o("row_type", "str", None, "ordinal, time or interval (WhiskerToolbox ignores it)",
           choices=("ordinal", "time", "interval")),
        _o("column_names", "list", None, "names of the columns", ours=True),
        _o("row_labels", "str", None, "text file of row labels (one time or start,end a line)",
           ours=True, path=True))),
    Variant("tensor", "csv", ("csv",), (
        _o("delimiter", "str", ",", "column delimiter (first character)"),
        _o("has_header", "bool", True, "first line = header (column names after its first cell)"),
        _DECIMAL)),
)  # fmt: skip

FORMAT_VARIANTS: dict[tuple[str, str], Variant] = {(v.data_type, v.variant): v for v in _VARIANTS}
"""Every reader's options, by ``(data_type, variant)``."""

PATH_OPTIONS: frozenset[str] = frozenset(o.name for v in _VARIANTS for o in v.options if o.path)
"""The options holding file paths (``Option.path``): ``config``, ``files``, ``images``…"""

WT_FORMATS: dict[str, frozenset[str]] = {
    "points": frozenset({"csv", "dlc_csv"}),
    "line": frozenset({"csv", "hdf5", "capnp", "binary"}),
    "mask": frozenset({"csv", "hdf5", "image"}),
    "analog": frozenset({"binary", "csv", "hdf5", "spike2"}),
    "digital_event": frozenset({"csv", "uint16", "binary", "hdf5", "spike2"}),
    "digital_interval": frozenset({"csv", "uint16", "binary", "hdf5", "spike2"}),
    "tensor": frozenset({"numpy", "csv"}),
    "time": frozenset(
        {
            "uint16",
            "uint16_length",
            "filename",
            "multi_column_binary",
            "hdf5",
            "max_value",
            "derived",
        }
    ),
}
"""The ``format`` values WhiskerToolbox's loader accepts, by data type (``wt_loaders.md``
§1.7); ``video`` and ``images`` ignore ``format``. Others are ours (marked in the table)."""


def _format_text(data_type: str, fmt: str, variant_ours: bool) -> str:
    ours = data_type in WT_FORMATS and fmt not in WT_FORMATS[data_type] and not variant_ours
    return f"`{fmt}`" + (" *(ours)*" if ours else "")


def _default_text(opt: Option) -> str:
    if opt.required:
        return "required"
    if opt.default is None:
        return "—"
    if isinstance(opt.default, str):
        return repr(opt.default).replace("'", '"')
    if isinstance(opt.default, bool):
        return "true" if opt.default else "false"
    return str(opt.default)


COLOR_OPTION = _o(
    "color",
    "str",
    None,
    "colour of the layer: hex, '#ff8800' or 'ff8800' (WhiskerToolbox's default 0000FF or "
    "#0000FF; here a colour of the key's own); not hex: noted, a colour of its own",
)
"""The ``color`` field of points, line and mask items (a common field, any format)."""
COLORED_KINDS = RAGGED_KINDS


def options_markdown() -> str:
    """Return the README's table of every option, by data type and format.

    Points, line and mask items end with their ``color`` field (:data:`COLOR_OPTION`).
    """
    rows = [
        "| data_type | format | option | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for i, v in enumerate(_VARIANTS):
        rows.extend(_variant_rows(v))
        last_of_kind = i + 1 == len(_VARIANTS) or _VARIANTS[i + 1].data_type != v.data_type
        if last_of_kind and v.data_type in COLORED_KINDS:
            rows.append(
                f"| {v.data_type} | every format | `{COLOR_OPTION.name}` | "
                f"{_default_text(COLOR_OPTION)} | {COLOR_OPTION.meaning} |"
            )
    return "\n".join(rows)


def _variant_rows(v: Variant) -> list[str]:
    """Return the table rows of one format variant's options."""
    fmt = " / ".join(_format_text(v.data_type, f, v.ours) for f in v.formats)
    if v.variant != v.formats[0] and " " in v.variant:
        fmt += f" ({v.variant.split(' ', 1)[1]})"
    if v.ours:
        fmt += " *(ours)*"
    if not v.options:
        return [f"| {v.data_type} | {fmt} | — | | WhiskerToolbox reads no option |"]
    rows = []
    for opt in v.options:
        name = f"`{opt.name}`"
        if opt.aliases:
            name += " (our alias " + ", ".join(f"`{a}`" for a in opt.aliases) + ")"
        if opt.ours:
            name += " *(ours)*"
        meaning = opt.meaning.replace("|", "/")
        rows.append(f"| {v.data_type} | {fmt} | {name} | {_default_text(opt)} | {meaning} |")
    return rows
