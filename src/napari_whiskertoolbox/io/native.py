"""Fast native format: each data object as a few ``.npy`` structure-of-arrays files.

An object is stored under a *prefix* ``<folder>/<stem>``; its arrays go to
``<stem>.<field>.npy`` (e.g. ``whisker-1a2b.times.npy``, ``.ids``, ``.offsets``, ``.coords``).
Saving and loading are a handful of ``np.save``/``np.load`` calls, so they run at disk speed.
No pickles: ``allow_pickle=False`` everywhere.
"""

from __future__ import annotations

from pathlib import Path
from tokenize import TokenError
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.entity import reserve_ids
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.atomic import atomic_save_npy
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.kinds import DataObject

__all__ = ["NATIVE_FORMAT", "load_native", "native_fields", "read_npy", "save_native"]

NATIVE_FORMAT = "wtb_npy"

_FIELDS = {
    "points": ("times", "ids", "coords"),
    "line": ("times", "ids", "offsets", "coords"),
    "mask": ("times", "ids", "offsets", "coords"),
    "analog": ("values", "times"),
    "digital_event": ("times", "ids"),
    "digital_interval": ("intervals", "ids"),
    "tensor": ("values", "rows"),
    "time": ("times",),
}


def native_fields(data_type: str) -> tuple[str, ...]:
    """Return the fields stored for ``data_type`` (some optional, e.g. dense analog ``times``)."""
    return _FIELDS[data_type]


def _file(prefix: Path, name: str) -> Path:
    return prefix.with_name(f"{prefix.name}.{name}.npy")


def save_native(
    data_type: str, obj: Any, prefix: str | os.PathLike[str]
) -> tuple[dict[str, Any], list[Path]]:
    """Write ``obj`` under ``prefix``; return (extra item options, files written).

    Parameters
    ----------
    data_type : str
        DataManager data type of ``obj`` (``"line"``, ``"analog"``, ``"time"``, ...).
    obj : object
        The data object (or a :class:`TimeFrame` for ``"time"``).
    prefix : path-like
        ``<folder>/<stem>``; the folder must exist.
    """
    prefix = Path(prefix)
    arrays: dict[str, np.ndarray] = {}
    extra: dict[str, Any] = {}
    if data_type in ("points", "line", "mask"):
        flat = obj.to_flat()
        arrays = {"times": flat.times, "ids": flat.ids, "coords": flat.coords}
        if data_type != "points":
            arrays["offsets"] = flat.offsets
        size = obj.image_size
        extra["image_size"] = None if size is None else [int(size[0]), int(size[1])]
    elif data_type == "analog":
        arrays["values"] = np.asarray(obj.values)
        if not obj.is_dense:
            arrays["times"] = np.asarray(obj.times)
        if obj.unit is not None:
            extra["unit"] = obj.unit
    elif data_type == "digital_event":
        arrays = {"times": obj.times, "ids": obj.ids}
    elif data_type == "digital_interval":
        arrays = {"intervals": obj.intervals, "ids": obj.ids}
        extra["layout"] = obj.layout
    elif data_type == "tensor":
        arrays["values"] = np.asarray(obj.values)
        extra["row_type"] = obj.row_type
        extra["column_names"] = None if obj.column_names is None else list(obj.column_names)
        if obj.rows is not None:
            arrays["rows"] = np.asarray(obj.rows)
    elif data_type == "time":
        arrays["times"] = obj.times
        extra["sampling_rate"] = obj.sampling_rate
    else:
        raise FormatError(f"no native format for data type {data_type!r}", path=prefix)
    written = []
    for name, array in arrays.items():
        target = _file(prefix, name)
        atomic_save_npy(target, np.ascontiguousarray(array))
        written.append(target)
    return extra, written


def _load(prefix: Path, name: str) -> np.ndarray:
    target = _file(prefix, name)
    if not target.is_file():
        raise FormatError(f"expected the native data file for field {name!r}", path=target)
    return _read(target)


def _load_optional(prefix: Path, name: str) -> np.ndarray | None:
    target = _file(prefix, name)
    return _read(target) if target.is_file() else None


def _read(target: Path) -> np.ndarray:
    return read_npy(target)


def read_npy(path: str | os.PathLike[str], what: str = "a valid .npy file") -> np.ndarray:
    """Load a ``.npy`` file (never a pickle); any malformed file is a ``FormatError`` naming it.

    numpy parses the header text with :mod:`ast`, so a damaged header raises
    ``SyntaxError`` or ``tokenize.TokenError`` besides the usual I/O and value errors.
    """
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, SyntaxError, TokenError) as exc:
        raise FormatError(f"expected {what} ({exc})", path=path) from exc


def load_native(
    data_type: str, prefix: str | os.PathLike[str], options: dict[str, Any]
) -> DataObject | TimeFrame:
    """Load an object written by :func:`save_native` (entity ids kept and reserved)."""
    prefix = Path(prefix)
    if data_type in ("points", "line", "mask"):
        from napari_whiskertoolbox.core.lines import LineData
        from napari_whiskertoolbox.core.masks import MaskData
        from napari_whiskertoolbox.core.points import PointData
        from napari_whiskertoolbox.core.ragged import ImageSize

        classes: dict[str, type[PointData | LineData | MaskData]] = {
            "points": PointData,
            "line": LineData,
            "mask": MaskData,
        }
        cls = classes[data_type]
        size = options.get("image_size")
        ids = _load(prefix, "ids")
        _reserve(ids)
        return cls.from_flat(
            _load(prefix, "times"),
            _load(prefix, "coords"),
            offsets=None if data_type == "points" else _load(prefix, "offsets"),
            ids=ids,
            image_size=None if size is None else ImageSize(int(size[0]), int(size[1])),
            copy=False,  # freshly loaded arrays: adopt them instead of copying 400 MB
        )
    if data_type == "analog":
        unit = options.get("unit")
        return AnalogTimeSeries(
            _load(prefix, "values"),
            _load_optional(prefix, "times"),
            copy=False,
            unit=None if unit is None else str(unit),
        )
    if data_type == "digital_event":
        ids = _load(prefix, "ids")
        _reserve(ids)
        return DigitalEventSeries(_load(prefix, "times"), ids)
    if data_type == "digital_interval":
        ids = _load(prefix, "ids")
        _reserve(ids)
        return DigitalIntervalSeries(
            _load(prefix, "intervals"), ids, layout=options.get("layout", "disjoint")
        )
    if data_type == "tensor":
        from napari_whiskertoolbox.core.tensor import TensorData

        return TensorData(
            _load(prefix, "values"),
            column_names=options.get("column_names"),
            row_type=options.get("row_type", "ordinal"),
            rows=_load_optional(prefix, "rows"),
        )
    if data_type == "time":
        return TimeFrame(_load(prefix, "times"), sampling_rate=options.get("sampling_rate"))
    raise FormatError(f"no native format for data type {data_type!r}", path=prefix)


def _reserve(ids: np.ndarray | None) -> None:
    if ids is not None and ids.size:
        reserve_ids(int(ids.max()))
