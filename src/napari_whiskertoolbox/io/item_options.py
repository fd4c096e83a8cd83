"""Typed access to a config item's options, shared by the format readers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    from numpy.typing import ArrayLike

    from napari_whiskertoolbox.core.kinds import RaggedKind
    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.core.ragged import ImageSize
    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.io.option_table import Option, Variant

__all__ = [
    "clock_from_ticks",
    "given",
    "image_size_option",
    "item_options",
    "item_path",
    "option",
    "ragged_from_flat",
    "variant_of",
]

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "str": (str,),
    "list": (list,),
    "dict": (dict,),
    "number_or_str": (int, float, str),
}


def variant_of(item: ConfigItem, fmt: str | None = None) -> Variant | None:
    """Return the option-table row of ``item`` (``None`` for a format without one).

    The layout options pick the row within a format: ``csv_layout`` (points ``dlc``,
    intervals ``binary_state``), ``multi_file`` (lines and events; a line folder too),
    ``data_key`` (bit-packed HDF5 events).
    """
    from napari_whiskertoolbox.io.option_table import FORMAT_VARIANTS
    from napari_whiskertoolbox.io.registry import item_format

    fmt = fmt or item_format(item)
    variant = fmt
    layout = item.options.get("csv_layout")
    if item.data_type == "points" and fmt == "csv" and layout == "dlc":
        variant = "csv dlc"
    elif item.data_type == "digital_interval" and (
        fmt == "multi_column_binary" or (fmt == "csv" and layout == "binary_state")
    ):
        variant = "csv binary_state"
    elif item.data_type == "digital_event" and fmt == "hdf5" and "data_key" in item.options:
        variant = "hdf5 bitpacked"
    elif item.data_type in ("line", "digital_event") and fmt == "csv":
        multi = item.options.get("multi_file") is True
        if item.data_type == "line" and item.path is not None and item.path.is_dir():
            multi = True
        variant = "csv multi_file" if multi else "csv"
    else:
        for (data_type, name), row in FORMAT_VARIANTS.items():
            if data_type == item.data_type and fmt in row.formats and " " not in name:
                variant = name
                break
    return FORMAT_VARIANTS.get((item.data_type, variant))


def item_options(item: ConfigItem, fmt: str | None = None) -> dict[str, Any]:
    """Return every option of ``item``'s format variant: its value, or the default.

    Aliases are resolved to the option's name; types, ranges and choices are checked;
    options of the item that its variant does not read are recorded as
    ``unknown_option`` notes (WhiskerToolbox ignores unknown keys; we say so).

    Raises
    ------
    FormatError
        An option of the wrong type, out of range, not one of its choices, or a required
        option missing; the message names the item and the option.
    """
    from napari_whiskertoolbox.io.option_table import COLOR_OPTION, COLORED_KINDS, COMMON_FIELDS

    variant = variant_of(item, fmt)
    if variant is None:
        return dict(item.options)
    out: dict[str, Any] = {}
    for opt in variant.options:
        present = [k for k in (opt.name, *opt.aliases) if k in item.options]
        if not present:
            if opt.required:
                guessed = "" if item.format is not None else " (the item gives no 'format')"
                raise FormatError(
                    f"expected option {opt.name!r} ({opt.meaning}); it is required for "
                    f"{item.data_type} {variant.variant}{guessed}",
                    item=item.label,
                )
            out[opt.name] = opt.default
            continue
        out[opt.name] = _checked(item, present[0], item.options[present[0]], opt)
    if variant.check_unknown:
        # a points, line or mask item's own ``color`` field is an option too (any format)
        common = (COLOR_OPTION,) if item.data_type in COLORED_KINDS else ()
        known = [*variant.options, *common]
        for key in item.options:
            if key not in COMMON_FIELDS and not variant.accepts(key):
                names = [n for o in known for n in (o.name, *o.aliases)]
                other_name = _SIZE_NAMES.get(key)  # the other spelling of an image size
                hint = (
                    f" (did you mean {other_name!r}?)"
                    if other_name is not None and variant.accepts(other_name)
                    else did_you_mean(key, names)
                )
                item.note(
                    "unknown_option",
                    f"option {key!r} is not read by {item.data_type} {variant.variant} and is "
                    f"ignored{hint} "
                    f"(known: {', '.join(o.name for o in known) or 'none'})",
                )
    return out


_SIZE_NAMES = {
    "width": "image_width",
    "height": "image_height",
    "image_width": "width",
    "image_height": "height",
}
"""Each image-size option and its name in the formats that read the other pair."""


def _checked(item: ConfigItem, key: str, value: Any, opt: Option) -> Any:
    kinds = _PY_TYPES[opt.kind]
    if value is None and not opt.required:
        return opt.default
    wrong = not isinstance(value, kinds) or (opt.kind != "bool" and isinstance(value, bool))
    if wrong:
        raise FormatError(
            f"expected option {key!r} to be {opt.kind}, got {value!r}", item=item.label
        )
    if opt.kind == "float":
        value = float(value)
    if opt.minimum is not None and value < opt.minimum:
        raise FormatError(
            f"expected option {key!r} >= {opt.minimum:g}, got {value!r}", item=item.label
        )
    if opt.choices is not None and value not in opt.choices:
        if opt.otherwise is not None:
            item.note(
                "unknown_option",
                f"option {key!r} {value!r} is not one of {list(opt.choices)}; read as "
                f"{opt.otherwise!r}, as WhiskerToolbox reads any other value",
            )
            return opt.otherwise
        raise FormatError(
            f"expected option {key!r} to be one of {list(opt.choices)}, got {value!r}",
            item=item.label,
        )
    return value


def given(item: ConfigItem, *names: str) -> bool:
    """Return whether the config item itself sets any of ``names`` (not a default)."""
    return any(name in item.options for name in names)


def option(item: ConfigItem, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    """Return option ``name`` of ``item``, checked to be of ``kind`` (ints accepted for floats)."""
    value = item.options.get(name, default)
    if value is default:
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise FormatError(f"expected option {name!r} to be {names}, got {value!r}", item=item.label)
    return value


def ttl_options(item: ConfigItem, opts: dict[str, Any]) -> dict[str, Any]:
    """Return a uint16 TTL item's ``channel``, ``transition`` and ``header_size``.

    ``channel_count`` is read by WhiskerToolbox without effect (every uint16 word is one
    sample); anything but 1 is refused rather than silently ignored.
    """
    if opts.get("channel_count", 1) != 1:
        raise FormatError(
            f"option 'channel_count' {opts['channel_count']} cannot be honoured: WhiskerToolbox "
            "reads every uint16 word of a TTL file as one sample (channel_count has no effect); "
            "remove it, or split the channels first",
            item=item.label,
        )
    if opts["channel"] > 15:
        raise FormatError(
            f"expected option 'channel' to be a bit number 0..15, got {opts['channel']}",
            item=item.label,
        )
    return {k: opts[k] for k in ("channel", "transition", "header_size")}


def item_path(item: ConfigItem) -> Path:
    """Return the item's resolved ``filepath`` (an error naming the item when it has none)."""
    if item.path is None:
        raise FormatError("expected a 'filepath'", item=item.label)
    return item.path


def image_size_option(item: ConfigItem, opts: dict[str, Any]) -> ImageSize | None:
    """Return the item's ``ImageSize`` as WhiskerToolbox picks it, or None.

    ``height`` and ``width`` when both are given, else ``image_width`` and ``image_height``
    when both are given (the options the item's format reads, see :mod:`.option_table`),
    else our ``image_size`` (``[w, h]`` or ``{width, height}``). One of a pair without the
    other is ignored as in WhiskerToolbox, with an ``unknown_option`` note naming both.
    """
    from napari_whiskertoolbox.core.ragged import ImageSize

    pairs = (("width", "height"), ("image_width", "image_height"))
    found: ImageSize | None = None
    for w_key, h_key in pairs:
        width, height = opts.get(w_key), opts.get(h_key)
        if found is None and width is not None and height is not None:
            if width < 1 or height < 1:
                raise FormatError(
                    f"expected options {w_key!r} and {h_key!r} >= 1, got {width} and {height}",
                    item=item.label,
                )
            found = ImageSize(int(width), int(height))
        elif (width is None) != (height is None):
            lone, missing = (w_key, h_key) if width is not None else (h_key, w_key)
            item.note(
                "unknown_option",
                f"option {lone!r} is ignored without {missing!r}, as in WhiskerToolbox: an "
                f"image size needs both {w_key!r} and {h_key!r}",
            )
    if found is not None:
        return found
    size = opts.get("image_size")
    if size is None:
        return None
    if isinstance(size, dict):
        size = [size.get("width"), size.get("height")]
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise FormatError(
            f"expected 'image_size' as [width, height], got {size!r}", item=item.label
        ) from None
    return ImageSize(width, height)


def ragged_from_flat(
    kind: RaggedKind,
    times: ArrayLike,
    coords: ArrayLike,
    offsets: ArrayLike | None,
    image_size: ImageSize | None,
) -> PointData | LineData | MaskData:
    """Build the points, lines or masks of ``kind`` from flat arrays, adopting them (no copy).

    Parameters
    ----------
    kind : {"points", "line", "mask"}
        The data kind to build.
    times, coords, offsets, image_size
        As in :meth:`~napari_whiskertoolbox.core.ragged.RaggedSeries.from_flat`
        (``offsets`` is None for points).
    """
    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.points import PointData

    classes: dict[str, type[PointData | LineData | MaskData]] = {
        "points": PointData,
        "line": LineData,
        "mask": MaskData,
    }
    cls = classes[kind]
    return cls.from_flat(times, coords, offsets=offsets, image_size=image_size, copy=False)


def clock_from_ticks(item: ConfigItem, times: np.ndarray) -> list[tuple[str, TimeFrame]]:
    """Return ``[(name, TimeFrame)]`` for a time item (an empty clock is an error naming it)."""
    from napari_whiskertoolbox.core.timeframe import TimeFrame

    if len(times) == 0:
        raise FormatError(
            "the clock never gets values (no ticks found); expected at least one",
            path=item.path,
            item=item.label,
        )
    rate = option(item, "sampling_rate", (int, float), None)
    return [(item.name, TimeFrame(times, sampling_rate=None if rate is None else float(rate)))]
