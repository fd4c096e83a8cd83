"""Readers for spatial annotation items: points, lines, masks, tensors (DeepLabCut: readers_dlc).

Each reader takes a resolved :class:`~.config_parse.ConfigItem` and returns
``[(key, data object)]`` with WhiskerToolbox's values and key names; options come from
:mod:`.option_table` through :func:`~.item_options.item_options`, and what was skipped is
recorded on the item (:meth:`~.config_parse.ConfigItem.note_skips`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from napari_whiskertoolbox.core.ragged import ImageSize
from napari_whiskertoolbox.io import lines, masks, points, tensors
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import (
    given,
    image_size_option,
    item_options,
    item_path,
    ragged_from_flat,
)
from napari_whiskertoolbox.io.readers_dlc import read_dlc_item
from napari_whiskertoolbox.io.registry import register_reader
from napari_whiskertoolbox.io.report import RowSkips
from napari_whiskertoolbox.io.session_paths import option_path

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem


@register_reader("points", "csv")
def _read_points(item: ConfigItem) -> list[tuple[str, Any]]:
    if item.options.get("csv_layout") == "dlc":
        return read_dlc_item(item, single=True)
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


def _read_ragged_hdf5(item: ConfigItem, kind: Literal["line", "mask"]) -> list[tuple[str, Any]]:
    """Read a line (float coordinates) or mask (integer pixels) item from an HDF5 file."""
    from napari_whiskertoolbox.io.hdf5 import read_hdf5_ragged

    opts = item_options(item)
    path = item_path(item)
    skips = RowSkips()
    times, offsets, coords = read_hdf5_ragged(
        path,
        frame_key=opts["frame_key"],
        x_key=opts["x_key"],
        y_key=opts["y_key"],
        integer_pixels=kind == "mask",
        skips=skips,
    )
    item.note_skips(skips, path)
    size = image_size_option(item, opts)
    return [(item.name, ragged_from_flat(kind, times, coords, offsets, size))]


@register_reader("line", "hdf5")
def _read_lines_hdf5(item: ConfigItem) -> list[tuple[str, Any]]:
    return _read_ragged_hdf5(item, "line")


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
    return _read_ragged_hdf5(item, "mask")


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
    path = item_path(item)
    row_type, row_labels = opts["row_type"], option_path(opts["row_labels"], item.path)
    needs_rows = row_type in ("time", "interval") and row_labels is None and path.is_file()
    if needs_rows and tensors.sidecar_rows(path)[1] is None:
        # nothing says which rows: ignored, as WhiskerToolbox ignores row_type
        shape = "(N,)" if row_type == "time" else "(N, 2)"
        item.note(
            "unknown_option",
            f"row_type {row_type!r} is ignored without row labels, as in WhiskerToolbox "
            f"(the rows are ordinal): give them as {path.stem}_rows.npy beside the file "
            f"(int64, shape {shape}) or as a 'row_labels' text file",
            path=path,
        )
        row_type = None
    tensor = tensors.read_tensor_npy(
        path, column_names=opts["column_names"], row_labels=row_labels, row_type=row_type
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
