"""Readers for spatial annotation items: points, lines, masks, tensors (DeepLabCut: readers_pose)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io import lines, masks, points, tensors
from napari_whiskertoolbox.io.item_options import (
    image_size_option,
    item_path,
    option,
    ragged_from_flat,
)
from napari_whiskertoolbox.io.registry import register_reader

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem


@register_reader("points", "csv")
def _read_points(item: ConfigItem) -> list[tuple[str, Any]]:
    delimiter = option(item, "delimiter", str, option(item, "column_delim", str, " "))
    times, coords = points.read_points_csv(
        item_path(item),
        frame_column=option(item, "frame_column", int, 0),
        x_column=option(item, "x_column", int, 1),
        y_column=option(item, "y_column", int, 2),
        delimiter=delimiter,
        has_header=option(item, "has_header", bool, None),
    )
    return [(item.name, ragged_from_flat("points", times, coords, None, image_size_option(item)))]


@register_reader("line", "csv")
def _read_lines(item: ConfigItem) -> list[tuple[str, Any]]:
    path = item_path(item)
    if path.is_dir():
        times, offsets, coords = lines.read_lines_folder(
            path,
            delimiter=option(item, "delimiter", str, ","),
            x_column=option(item, "x_column", int, 0),
            y_column=option(item, "y_column", int, 1),
            has_header=option(item, "has_header", bool, True),
            file_pattern=option(item, "file_pattern", str, "*.csv"),
        )
    else:
        times, offsets, coords = lines.read_lines_csv(
            path,
            delimiter=option(item, "delimiter", str, ","),
            coordinate_delimiter=option(item, "coordinate_delimiter", str, ","),
            has_header=option(item, "has_header", bool, True),
            header_identifier=option(item, "header_identifier", str, "Frame"),
        )
    return [(item.name, ragged_from_flat("line", times, coords, offsets, image_size_option(item)))]


@register_reader("mask", "csv")
def _read_masks_csv(item: ConfigItem) -> list[tuple[str, Any]]:
    times, offsets, pixels = masks.read_masks_csv(
        item_path(item),
        delimiter=option(item, "delimiter", str, ","),
        rle_delimiter=option(item, "rle_delimiter", str, ","),
        has_header=option(item, "has_header", bool, True),
        header_identifier=option(item, "header_identifier", str, "Frame"),
    )
    return [(item.name, ragged_from_flat("mask", times, pixels, offsets, image_size_option(item)))]


@register_reader("mask", "image", "images", "png")
def _read_mask_images(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.core.ragged import ImageSize

    times, offsets, pixels, size = masks.read_mask_images(
        item_path(item),
        file_pattern=option(item, "file_pattern", str, "*.png"),
        filename_prefix=option(item, "filename_prefix", str, ""),
        threshold_value=option(item, "threshold_value", float, 128.0),
        invert_mask=option(item, "invert_mask", bool, False),
    )
    image_size = image_size_option(item) or (None if size is None else ImageSize(*size))
    return [(item.name, ragged_from_flat("mask", times, pixels, offsets, image_size))]


@register_reader("tensor", "npy", "numpy")
def _read_tensor(item: ConfigItem) -> list[tuple[str, Any]]:
    row_labels = option(item, "row_labels", str, None)
    labels_path = None
    if row_labels is not None:
        labels_path = Path(row_labels)
        if not labels_path.is_absolute() and item.path is not None:
            labels_path = item.path.parent / labels_path
    tensor = tensors.read_tensor_npy(
        item_path(item),
        column_names=option(item, "column_names", list, None),
        row_labels=labels_path,
        row_type=option(item, "row_type", str, None),
    )
    return [(item.name, tensor)]
