"""Typed access to a config item's options, shared by the format readers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    from numpy.typing import ArrayLike

    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.core.ragged import ImageSize
    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.io.config_parse import ConfigItem

__all__ = ["clock_from_ticks", "image_size_option", "item_path", "option", "ragged_from_flat"]


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


def ttl_options(item: ConfigItem) -> dict[str, Any]:
    """Return a uint16 TTL item's channel, transition and header_size (or their defaults)."""
    return {
        "channel": option(item, "channel", int, 0),
        "transition": option(item, "transition", str, "rising"),
        "header_size": option(item, "header_size", int, 0),
    }


def item_path(item: ConfigItem) -> Path:
    """Return the item's resolved ``filepath`` (an error naming the item when it has none)."""
    if item.path is None:
        raise FormatError("expected a 'filepath'", item=item.label)
    return item.path


def image_size_option(item: ConfigItem) -> ImageSize | None:
    """Return the item's ``ImageSize``, or None when it has none.

    Read from ``image_size`` (``[w, h]`` or ``{width, height}``) or from ``image_width`` and
    ``image_height``.
    """
    from napari_whiskertoolbox.core.ragged import ImageSize

    size = item.options.get("image_size")
    if size is None and "image_width" in item.options and "image_height" in item.options:
        size = [item.options["image_width"], item.options["image_height"]]
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
    kind: Literal["points", "line", "mask"],
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
