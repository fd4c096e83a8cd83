"""Fast native format: each data object as a few ``.npy`` structure-of-arrays files.

An object is stored under a *prefix* ``<folder>/<stem>``; its arrays go to
``<stem>.<field>.npy`` (e.g. ``whisker-1a2b.times.npy``, ``.ids``, ``.offsets``, ``.coords``).
Saving and loading are a handful of ``np.save``/``np.load`` calls, so they run at disk speed.
No pickles: ``allow_pickle=False`` everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from tokenize import TokenError
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.entity import reserve_ids
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import RAGGED_KINDS
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.atomic import atomic_save_npy
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from napari_whiskertoolbox.core.kinds import DataObject

__all__ = [
    "NATIVE_FORMAT",
    "FrozenNative",
    "frozen_native",
    "load_native",
    "native_fields",
    "read_npy",
    "save_native",
    "write_native",
]

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


@dataclass(frozen=True)
class FrozenNative:
    """An object's native arrays at one moment, read when written (:func:`frozen_native`).

    Attributes
    ----------
    extra : dict
        Item options of the session file (``image_size``, ``unit``, ``layout``, ...).
    arrays : callable
        Returns ``{field: array}``; may run on another thread while the object is edited.
    nbytes : int
        Bytes of the arrays, at most (what writing them needs on disk, headers aside).
    """

    extra: dict[str, Any]
    arrays: Callable[[], dict[str, np.ndarray]]
    nbytes: int


def frozen_native(data_type: str, obj: Any) -> FrozenNative:
    """Take what :func:`save_native` writes of ``obj``, cheaply (no array is copied here).

    Edits made to ``obj`` afterwards do not reach the arrays (see
    :meth:`RaggedSeries.frozen_flat <napari_whiskertoolbox.core.ragged.RaggedSeries.frozen_flat>`).

    Raises
    ------
    FormatError
        ``data_type`` has no native format.
    """
    extra: dict[str, Any] = {}
    fixed: dict[str, np.ndarray] = {}
    if data_type in RAGGED_KINDS:
        flat = obj.frozen_flat()
        size = obj.image_size
        extra["image_size"] = None if size is None else [int(size[0]), int(size[1])]

        def ragged() -> dict[str, np.ndarray]:
            times, ids, offsets, coords = flat()
            arrays = {"times": times, "ids": ids, "coords": coords}
            if data_type != "points":
                arrays["offsets"] = offsets
            return arrays

        return FrozenNative(extra, ragged, flat.nbytes)
    if data_type == "analog":
        values = obj.frozen_values()
        if not obj.is_dense:
            fixed["times"] = np.asarray(obj.times)
        if obj.unit is not None:
            extra["unit"] = obj.unit
        nbytes = 4 * len(obj) + sum(a.nbytes for a in fixed.values())
        return FrozenNative(extra, lambda: {"values": values(), **fixed}, nbytes)
    if data_type == "tensor":
        values = obj.frozen_values()
        extra["row_type"] = obj.row_type
        extra["column_names"] = None if obj.column_names is None else list(obj.column_names)
        if obj.rows is not None:
            fixed["rows"] = np.asarray(obj.rows)
        nbytes = obj.values.nbytes + sum(a.nbytes for a in fixed.values())
        return FrozenNative(extra, lambda: {"values": values(), **fixed}, nbytes)
    # edits of these replace their arrays, never write into them
    if data_type == "digital_event":
        fixed = {"times": obj.times, "ids": obj.ids}
    elif data_type == "digital_interval":
        fixed = {"intervals": obj.intervals, "ids": obj.ids}
        extra["layout"] = obj.layout
    elif data_type == "time":
        fixed["times"] = obj.times
        extra["sampling_rate"] = obj.sampling_rate
    else:
        raise FormatError(f"no native format for data type {data_type!r}")
    return FrozenNative(extra, lambda: fixed, sum(a.nbytes for a in fixed.values()))


def write_native(frozen: FrozenNative, prefix: str | os.PathLike[str]) -> list[Path]:
    """Write the arrays of ``frozen`` under ``prefix`` (its folder must exist); return the files."""
    prefix = Path(prefix)
    written = []
    for name, array in frozen.arrays().items():
        target = _file(prefix, name)
        atomic_save_npy(target, np.ascontiguousarray(array))
        written.append(target)
    return written


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
    try:
        frozen = frozen_native(data_type, obj)
    except FormatError as error:
        raise FormatError(error.reason, path=prefix) from None
    return frozen.extra, write_native(frozen, prefix)


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
    if data_type in RAGGED_KINDS:
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
