"""The one table of data kinds: names, classes, WhiskerToolbox's names and families.

Every other list of data kinds in the package (namespaces, readers, bindings, the
browser, the timeline) derives from :data:`KIND_TABLE`. A data kind is the snake_case
string :meth:`DataManager.data_type <napari_whiskertoolbox.core.DataManager.data_type>`
returns and a WhiskerToolbox config's ``data_type`` names.

WhiskerToolbox's names are the :class:`~napari_whiskertoolbox.core.wtb_aliases.DataType`
enum, defined with the other WhiskerToolbox names in ``wtb_aliases`` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.core.wtb_aliases import DataType

__all__ = [
    "DATA_CLASSES",
    "DATA_KINDS",
    "KIND_TABLE",
    "MEDIA_KINDS",
    "RAGGED_KINDS",
    "SERIES_KINDS",
    "DataKind",
    "DataObject",
    "DataType",
    "Family",
    "KindInfo",
    "RaggedKind",
    "data_type_of",
    "kind_info",
    "kinds_of_family",
]

DataKind = Literal[
    "analog",
    "digital_event",
    "digital_interval",
    "points",
    "line",
    "mask",
    "tensor",
    "video",
    "images",
]
"""A data kind, as stored in a DataManager (the order is the display order)."""

RaggedKind = Literal["points", "line", "mask"]
"""A kind of the ``ragged`` family (:data:`RAGGED_KINDS`; a test checks they agree), for
signatures that take only those."""

Family = Literal["series", "ragged", "tensor", "media"]
"""What a kind is made of: time series of values or events, per-frame spatial objects
(each with an entity id), an N-d table, or frames of pixels."""

DataObject = (
    AnalogTimeSeries
    | DigitalEventSeries
    | DigitalIntervalSeries
    | PointData
    | LineData
    | MaskData
    | TensorData
    | MediaData
)
"""Any object a DataManager stores."""


@dataclass(frozen=True)
class KindInfo:
    """One row of :data:`KIND_TABLE`.

    Attributes
    ----------
    kind : DataKind
        The snake_case kind name.
    cls : type
        The class of stored objects (``MediaData`` for both media kinds).
    wtb_type : DataType
        WhiskerToolbox's name for the kind.
    family : Family
        What the kind is made of.
    label : str
        Plural noun for user-facing text (``"analog signals"``).
    """

    kind: DataKind
    cls: type
    wtb_type: DataType
    family: Family
    label: str


KIND_TABLE: tuple[KindInfo, ...] = (
    KindInfo("analog", AnalogTimeSeries, DataType.Analog, "series", "analog signals"),
    KindInfo("digital_event", DigitalEventSeries, DataType.DigitalEvent, "series", "events"),
    KindInfo(
        "digital_interval", DigitalIntervalSeries, DataType.DigitalInterval, "series", "intervals"
    ),
    KindInfo("points", PointData, DataType.Points, "ragged", "points"),
    KindInfo("line", LineData, DataType.Line, "ragged", "lines"),
    KindInfo("mask", MaskData, DataType.Mask, "ragged", "masks"),
    KindInfo("tensor", TensorData, DataType.Tensor, "tensor", "tensors"),
    KindInfo("video", MediaData, DataType.Video, "media", "videos"),
    KindInfo("images", MediaData, DataType.Images, "media", "image stacks"),
)
"""Every data kind, in :data:`DATA_KINDS` order."""

DATA_KINDS: tuple[DataKind, ...] = get_args(DataKind)
"""Every data kind, in display order."""

_BY_KIND: dict[str, KindInfo] = {info.kind: info for info in KIND_TABLE}


def kinds_of_family(family: Family) -> tuple[DataKind, ...]:
    """Return the kinds of ``family``, in :data:`DATA_KINDS` order."""
    return tuple(info.kind for info in KIND_TABLE if info.family == family)


SERIES_KINDS = kinds_of_family("series")
"""Kinds drawn as timeline lanes: analog signals, events and intervals."""
RAGGED_KINDS = kinds_of_family("ragged")
"""Kinds holding per-frame objects with entity ids: points, lines and masks."""
MEDIA_KINDS = kinds_of_family("media")
"""Kinds holding frames of pixels: videos and image stacks."""

DATA_CLASSES: tuple[type, ...] = tuple(dict.fromkeys(info.cls for info in KIND_TABLE))
"""The distinct classes a DataManager stores."""


def kind_info(kind: str) -> KindInfo:
    """Return the table row of ``kind``.

    Raises
    ------
    ValueError
        If ``kind`` is not a data kind (the message lists them).
    """
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown data type {kind!r}; expected one of {DATA_KINDS}") from None


def data_type_of(obj: object) -> DataKind:
    """Return the data kind of ``obj``.

    Raises
    ------
    ValueError
        If ``obj`` is not one of the stored data classes.
    """
    if isinstance(obj, MediaData):
        return "video" if obj.kind == "video" else "images"
    for info in KIND_TABLE:
        if isinstance(obj, info.cls):
            return info.kind
    supported = ", ".join(cls.__name__ for cls in DATA_CLASSES)
    raise ValueError(f"unsupported data object {type(obj).__name__}; expected one of {supported}")
