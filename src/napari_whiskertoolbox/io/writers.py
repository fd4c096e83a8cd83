"""Writers: ``(data object, path, options)`` for every format WhiskerToolbox can save."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io import analog, events, intervals, lines, masks, points, tensors
from napari_whiskertoolbox.io.csv_tools import delimiter_char
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.registry import register_writer

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from napari_whiskertoolbox.core.analog import AnalogTimeSeries
    from napari_whiskertoolbox.core.events import DigitalEventSeries
    from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.core.tensor import TensorData


@register_writer("points", "csv")
def _write_points(obj: PointData, path: Path, options: dict[str, Any]) -> None:
    flat = obj.to_flat()
    delimiter = delimiter_char(options.get("delimiter", options.get("column_delim")), " ")
    columns = (
        int(options.get("frame_column", 0)),
        int(options.get("x_column", 1)),
        int(options.get("y_column", 2)),
    )
    own = options.get("header")  # the replaced file's first line: kept when it is no point
    if own and not points.is_header_line(
        str(own),
        delimiter=delimiter,
        frame_column=columns[0],
        has_header=options.get("has_header"),
    ):
        own = None
    points.write_points_csv(
        path,
        flat.times,
        flat.coords,
        delimiter=delimiter,
        columns=columns,
        header=None if options.get("header") and own is None else "Frame X Y",
        own_header=str(own) if own else None,
        nan_handling=str(options.get("nan_handling", "Skip")),
    )


def _entries(obj: LineData | MaskData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(times, offsets, coords)`` of lines or masks (only points lack offsets)."""
    flat = obj.to_flat()
    if flat.offsets is None:
        raise TypeError(f"expected lines or masks with offsets, got {type(obj).__name__}")
    return flat.times, flat.offsets, flat.coords


@register_writer("line", "csv")
def _write_lines(obj: LineData, path: Path, options: dict[str, Any]) -> None:
    times, offsets, coords = _entries(obj)
    if options.get("multi_file") or path.is_dir():
        lines.write_lines_folder(path, times, offsets, coords, precision=options.get("precision"))
    else:
        lines.write_lines_csv(
            path,
            times,
            offsets,
            coords,
            precision=options.get("precision"),
            header=_identified_header(options, "Frame,X,Y"),
            delimiter=str(options.get("delimiter", ",")),
            coordinate_delimiter=str(options.get("coordinate_delimiter", ",")),
        )


@register_writer("mask", "csv")
def _write_masks(obj: MaskData, path: Path, options: dict[str, Any]) -> None:
    masks.write_masks_csv(
        path,
        *_entries(obj),
        header=_identified_header(options, "Frame,RLE"),
        delimiter=str(options.get("delimiter", ",")),
        rle_delimiter=str(options.get("rle_delimiter", ",")),
    )


def _identified_header(options: dict[str, Any], default: str) -> str:
    """Return the header line of a line or mask CSV (``""``: none).

    ``options["header"]``, the replaced file's own first line, is kept when it holds the
    loader's ``header_identifier`` (default ``Frame``), as the loader took it for the header
    (``frame,x,y`` read with ``header_identifier`` ``frame``); a first line without it was a
    row: the file had no header. Without that option, ``default`` (WhiskerToolbox's saver's).
    """
    own = options.get("header")
    if not own:
        return default
    return str(own) if str(options.get("header_identifier", "Frame")) in str(own) else ""


@register_writer("mask", "image", "images", "png")
def _write_mask_images(obj: MaskData, path: Path, options: dict[str, Any]) -> None:
    if obj.image_size is None:
        raise FormatError("expected the mask data to have an image size to write images", path=path)
    times, offsets, coords = _entries(obj)
    masks.write_mask_images(
        path,
        times,
        offsets,
        coords,
        obj.image_size,
        filename_prefix=options.get("filename_prefix", ""),
        frame_number_padding=int(options.get("frame_number_padding", 4)),
    )


def _header(options: dict[str, Any], present: bool, default: str) -> str | None:
    """Return the header line of a table whose read options say it has one (``present``).

    ``options["header"]`` (the replaced file's own first line, given by a save back into a
    config's file) wins over ``default`` (WhiskerToolbox's saver's header).
    """
    if not present:
        return None
    text = options.get("header")
    return str(text) if text else default


@register_writer("analog", "csv")
def _write_analog(obj: AnalogTimeSeries, path: Path, options: dict[str, Any]) -> None:
    times = None if obj.is_dense else obj.times
    columns = (int(options.get("time_column", 0)), int(options.get("data_column", 1)))
    if times is not None and columns not in ((0, 1), (1, 0)):
        raise FormatError(
            f"cannot write time_column {columns[0]} and data_column {columns[1]}; expected "
            "columns 0 and 1",
            path=path,
        )
    analog.write_analog_csv(
        path,
        obj.values,
        times,
        precision=options.get("precision"),
        header=_header(
            options, bool(options.get("has_header")), "Data" if times is None else "Time,Data"
        ),
        delimiter=delimiter_char(options.get("delimiter")),
        time_first=columns == (0, 1),
    )


@register_writer("digital_event", "csv")
def _write_events(obj: DigitalEventSeries, path: Path, options: dict[str, Any]) -> None:
    scale = options.get("scale", 1.0)
    if int(options.get("event_column", 0)) != 0 or scale not in (1, 1.0, None):
        raise FormatError(
            f"cannot write events for event_column {options.get('event_column', 0)} and "
            f"scale {scale}: the writer saves frame indices in column 0 (expected "
            "event_column 0 and scale 1)",
            path=path,
        )
    header = _header(options, bool(options.get("has_header")), "Event")
    events.write_events_csv(path, obj.times, header=header)


@register_writer("digital_interval", "csv")
def _write_intervals(obj: DigitalIntervalSeries, path: Path, options: dict[str, Any]) -> None:
    if options.get("csv_layout", "start_end") not in ("start_end", "intervals"):
        raise FormatError(
            f"cannot write the {options['csv_layout']!r} layout; expected csv_layout 'start_end'",
            path=path,
        )
    delimiter = options.get("delimiter", ",")
    skip_header = options.get("skip_header", options.get("has_header", True))
    pairs = obj.intervals
    if options.get("flip_column_order"):  # the loader reads end, start (wt_loaders.md §9.1)
        header = _header(options, bool(skip_header), f"End{delimiter}Start")
        pairs = pairs[:, ::-1]
    else:
        header = _header(options, bool(skip_header), f"Start{delimiter}End")
    intervals.write_intervals_csv(path, pairs, delimiter=delimiter, header=header)


@register_writer("tensor", "npy")
def _write_tensor(obj: TensorData, path: Path, options: dict[str, Any]) -> None:
    tensors.write_tensor_npy(path, obj)
