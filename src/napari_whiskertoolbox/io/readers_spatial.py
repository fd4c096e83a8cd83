"""Readers for spatial annotation items: points, DeepLabCut, lines, masks, tensors.

Each reader takes a resolved :class:`~.config_parse.ConfigItem` and returns
``[(key, data object)]`` with WhiskerToolbox's values and key names; options come from
:mod:`.option_table` through :func:`~.item_options.item_options`, and what was skipped is
recorded on the item (:meth:`~.config_parse.ConfigItem.note_skips`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.ragged import ImageSize
from napari_whiskertoolbox.io import dlc, lines, masks, points, tensors
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import (
    given,
    image_size_option,
    item_options,
    item_path,
    ragged_from_flat,
)
from napari_whiskertoolbox.io.registry import register_reader
from napari_whiskertoolbox.io.report import RowSkips

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem


@register_reader("points", "csv")
def _read_points(item: ConfigItem) -> list[tuple[str, Any]]:
    if item.options.get("csv_layout") == "dlc":
        return _read_dlc(item, single=True)
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    times, coords = points.read_points_csv(
        path,
        frame_column=opts["frame_column"],
        x_column=opts["x_column"],
        y_column=opts["y_column"],
        delimiter=opts["column_delim"] if given(item, "column_delim", "delimiter") else None,
        has_header=opts["has_header"],
        nan_handling=opts["nan_handling"],
        decimal=opts["decimal"],
        skips=skips,
    )
    item.note_skips(skips, path)
    repeats = points.duplicate_frame_count(times)
    if repeats:
        item.note(
            "divergence",
            f"{repeats} rows repeat a frame of an earlier row; all are kept (several points on "
            "that frame) where WhiskerToolbox keeps only the first row of each frame",
            count=repeats,
            path=path,
        )
    size = image_size_option(item, opts)
    return [(item.name, ragged_from_flat("points", times, coords, None, size))]


@register_reader("points", "dlc_csv")
def _read_dlc_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    return _read_dlc(item, single=False)


def _read_dlc(item: ConfigItem, *, single: bool) -> list[tuple[str, Any]]:
    """DeepLabCut CSV: every body part as ``<name>_<part>``, or one part as ``<name>``."""
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    parts = dlc.read_dlc_csv(
        path,
        frame_column=opts["frame_column"],
        likelihood_threshold=opts["likelihood_threshold"],
        delimiter=opts["delimiter"] if given(item, "delimiter") else None,
        decimal=opts["decimal"],
        skips=skips,
    )
    item.note_skips(skips, path)
    if not parts:
        raise FormatError("expected at least one DeepLabCut body part", path=path)
    size = image_size_option(item, opts)
    scale, size = _dlc_scaling(item, opts, size)
    if single and not opts.get("all_bodyparts"):
        wanted = opts["bodypart"] or min(parts, key=lambda p: p.encode("utf-8"))
        if wanted not in parts:
            raise FormatError(
                f"option 'bodypart' {wanted!r} is not in the file; body parts: {sorted(parts)}",
                item=item.label,
            )
        times, xy = parts[wanted]
        return [(item.name, ragged_from_flat("points", times, xy * scale, None, size))]
    out = []
    empty = []
    for part, (times, xy) in parts.items():
        if times.size == 0:
            empty.append(part)
            continue
        out.append(
            (f"{item.name}_{part}", ragged_from_flat("points", times, xy * scale, None, size))
        )
    if empty:
        item.note(
            "skipped",
            f"body parts without a point above the likelihood threshold get no key: {empty}",
            count=len(empty),
            path=path,
        )
    return out


def _dlc_scaling(
    item: ConfigItem, opts: dict[str, Any], size: ImageSize | None
) -> tuple[np.ndarray, ImageSize | None]:
    """Return the ``(x, y)`` factors and image size after WhiskerToolbox's DLC rescaling."""
    one = np.ones(2, dtype=np.float32)
    sw, sh = opts["scaled_width"], opts["scaled_height"]
    if sw == -1 and sh == -1:
        return one, size
    if (sw == -1) != (sh == -1):
        raise FormatError(
            "expected both 'scaled_width' and 'scaled_height' (WhiskerToolbox scales by a "
            "negative factor when only one is given)",
            item=item.label,
        )
    if sw < 1 or sh < 1:
        raise FormatError(
            f"expected scaled_width and scaled_height >= 1, got {sw}, {sh}", item=item.label
        )
    if size is None:
        return one, ImageSize(sw, sh)
    if (sw, sh) == (size.width, size.height):
        return one, size
    return np.asarray([sw / size.width, sh / size.height], dtype=np.float32), ImageSize(sw, sh)


@register_reader("line", "csv")
def _read_lines(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    if opts.get("multi_file") or path.is_dir():
        times, offsets, coords = lines.read_lines_folder(
            path,
            delimiter=opts["delimiter"],
            x_column=opts["x_column"],
            y_column=opts["y_column"],
            has_header=opts["has_header"],
            file_pattern=opts["file_pattern"],
            decimal=opts["decimal"],
            skips=skips,
        )
    else:
        times, offsets, coords = lines.read_lines_csv(
            path,
            delimiter=opts["delimiter"] if given(item, "delimiter") else None,
            coordinate_delimiter=(
                opts["coordinate_delimiter"] if given(item, "coordinate_delimiter") else None
            ),
            has_header=opts["has_header"],
            header_identifier=opts["header_identifier"],
            decimal=opts["decimal"],
            skips=skips,
        )
    item.note_skips(skips, path)
    size = image_size_option(item, opts)
    return [(item.name, ragged_from_flat("line", times, coords, offsets, size))]


@register_reader("line", "hdf5")
def _read_lines_hdf5(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.hdf5 import read_hdf5_ragged

    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    times, offsets, coords = read_hdf5_ragged(
        path,
        frame_key=opts["frame_key"],
        x_key=opts["x_key"],
        y_key=opts["y_key"],
        integer_pixels=False,
        skips=skips,
    )
    times, offsets, coords = lines.drop_nonfinite_lines(
        times, offsets, coords, np.arange(times.size), skips
    )
    item.note_skips(skips, path)
    size = image_size_option(item, opts)
    return [(item.name, ragged_from_flat("line", times, coords, offsets, size))]


@register_reader("line", "capnp", "binary")
def _read_lines_capnp(item: ConfigItem) -> list[tuple[str, Any]]:
    raise FormatError(
        f"format {item.format!r} (WhiskerToolbox's Cap'n Proto line file) cannot be read here: "
        "its schema is internal to WhiskerToolbox; save the lines as 'csv' in WhiskerToolbox",
        path=item.path,
        item=item.label,
    )


@register_reader("mask", "csv")
def _read_masks_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    times, offsets, pixels = masks.read_masks_csv(
        path,
        delimiter=opts["delimiter"] if given(item, "delimiter") else None,
        rle_delimiter=opts["rle_delimiter"] if given(item, "rle_delimiter") else None,
        has_header=opts["has_header"],
        header_identifier=opts["header_identifier"],
        skips=skips,
    )
    item.note_skips(skips, path)
    size = image_size_option(item, opts)
    return [(item.name, ragged_from_flat("mask", times, pixels, offsets, size))]


@register_reader("mask", "hdf5")
def _read_masks_hdf5(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.hdf5 import read_hdf5_ragged

    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    times, offsets, pixels = read_hdf5_ragged(
        path,
        frame_key=opts["frame_key"],
        x_key=opts["x_key"],
        y_key=opts["y_key"],
        integer_pixels=True,
        skips=skips,
    )
    item.note_skips(skips, path)
    size = image_size_option(item, opts)
    return [(item.name, ragged_from_flat("mask", times, pixels, offsets, size))]


@register_reader("mask", "image", "images", "png")
def _read_mask_images(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    times, offsets, pixels, found = masks.read_mask_images(
        path,
        file_pattern=opts["file_pattern"],
        filename_prefix=opts["filename_prefix"],
        threshold_value=opts["threshold_value"],
        invert_mask=opts["invert_mask"],
        skips=skips,
    )
    item.note_skips(skips, path)
    size = image_size_option(item, opts)
    if size is None and found is not None:
        size = ImageSize(*found)
    return [(item.name, ragged_from_flat("mask", times, pixels, offsets, size))]


@register_reader("tensor", "npy", "numpy")
def _read_tensor(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    labels_path = None
    if opts["row_labels"] is not None:
        labels_path = Path(opts["row_labels"])
        if not labels_path.is_absolute() and item.path is not None:
            labels_path = item.path.parent / labels_path
    tensor = tensors.read_tensor_npy(
        item_path(item),
        column_names=opts["column_names"],
        row_labels=labels_path,
        row_type=opts["row_type"],
    )
    return [(item.name, tensor)]


@register_reader("tensor", "csv")
def _read_tensor_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    opts = item_options(item)
    tensor = tensors.read_tensor_csv(
        item_path(item),
        delimiter=opts["delimiter"] if given(item, "delimiter") else None,
        has_header=opts["has_header"],
        decimal=opts["decimal"],
    )
    return [(item.name, tensor)]
