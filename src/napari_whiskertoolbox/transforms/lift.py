"""Lifting element transforms to containers over flat structure-of-arrays storage.

An element transform (reference §1.2) maps one item to one item: a mask to a float, a
line to a line, ... Here it runs on a :class:`Batch`: every element of a container at
once, as the container's flat arrays (``RaggedSeries.to_flat()``; an analog series'
values), so the common transforms are vectorised rather than looping per frame. Outputs
stay at their input's frame; one input entry gives one output entry.

Float results of a ragged input (WhiskerToolbox's ``RaggedAnalogTimeSeries``) are stored
as an :class:`AnalogTimeSeries` whose times repeat for frames with several entries (the
flat form of a ragged float series; times stay sorted).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.kinds import DataKind, data_type_of
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.ragged import ImageSize, RaggedSeries
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = [
    "ELEMENT_CONTAINER",
    "Batch",
    "Bound",
    "ElementType",
    "batch_of_arrays",
    "drop_empty",
    "float_batch",
    "from_batch",
    "pair_batches",
    "segment_ids",
    "to_batch",
]

ElementType = Literal["float", "sample", "event", "point", "line", "mask"]
"""What an element transform maps: a float, a ``(time, value)`` sample, an event time, a
point, a line or a mask."""

ELEMENT_CONTAINER: dict[str, DataKind] = {
    "float": "analog",
    "sample": "analog",
    "event": "digital_event",
    "point": "points",
    "line": "line",
    "mask": "mask",
}
"""The container kind holding each element type (input and output of a lifted step)."""

_VARIABLE_LENGTH = ("line", "mask")


@dataclass(frozen=True)
class Bound:
    """One input of a transform: a data object with its clock.

    Attributes
    ----------
    data : object
        A data object (see :mod:`napari_whiskertoolbox.core.kinds`).
    clock : TimeFrame or None
        The clock its time indices refer to; None = unknown (treated as identity).
    key : str or None
        The DataManager key it came from (for messages).
    relative : bool
        Its times are relative ticks (``clock`` is None; see
        :mod:`napari_whiskertoolbox.transforms.relative`).
    step : str or None
        In a chain, the step whose result this is (``key`` stays the chain's input).
    groups : EntityGroups or None
        A copy of the DataManager's entity groups, for transforms that read or edit them
        (``TransformSpec.entity_groups``); None otherwise.
    """

    data: Any
    clock: TimeFrame | None = None
    key: str | None = None
    relative: bool = False
    step: str | None = None
    groups: Any = None

    @property
    def label(self) -> str:
        """Return ``'key'`` or the object's type name (and the step it comes from), for messages."""
        base = repr(self.key) if self.key else type(self.data).__name__
        return f"the result of step {self.step!r} on {base}" if self.step else base


@dataclass(frozen=True)
class Batch:
    """Every element of a container as flat arrays.

    Attributes
    ----------
    etype : ElementType
        Element type.
    times : (E,) int64 array or None
        Frame of each element, sorted (non-decreasing); None = dense ``0 .. E-1``.
    values : array or None
        ``float``/``sample``: ``(E,)`` values; ``event``: unused (None).
    offsets : (E + 1,) int64 array or None
        ``line``/``mask``: element ``k`` owns ``coords[offsets[k]:offsets[k + 1]]``.
    coords : array or None
        ``point``: ``(E, 2)`` float32; ``line``: ``(P, 2)`` float32; ``mask``: ``(P, 2)``
        uint32 pixels (x, y).
    image_size : ImageSize or None
        Image size of the source container (kept on spatial outputs).
    ragged : bool
        The source may hold several elements per frame.
    """

    etype: ElementType
    times: np.ndarray | None
    values: np.ndarray | None = None
    offsets: np.ndarray | None = None
    coords: np.ndarray | None = None
    image_size: ImageSize | None = None
    ragged: bool = True

    def __len__(self) -> int:
        if self.times is not None:
            return int(self.times.size)
        if self.values is not None:
            return int(self.values.shape[0])
        if self.offsets is not None:
            return int(self.offsets.size) - 1
        return 0 if self.coords is None else int(self.coords.shape[0])

    def time_array(self) -> np.ndarray:
        """Return the int64 frame of every element (materialised for dense input)."""
        if self.times is None:
            return np.arange(len(self), dtype=np.int64)
        return self.times

    def lengths(self) -> np.ndarray:
        """Return the number of vertices/pixels of every line/mask element."""
        if self.offsets is None:
            raise ValueError(f"{self.etype} elements have no lengths")
        return np.diff(self.offsets)

    def element(self, k: int) -> Any:
        """Return element ``k``: a float, an int time, a ``(2,)`` point or an ``(n, 2)`` array."""
        if self.etype in ("float", "sample"):
            return float(self.values[k])  # type: ignore[index]
        if self.etype == "event":
            return int(self.time_array()[k])
        if self.etype == "point":
            return self.coords[k]  # type: ignore[index]
        o = self.offsets
        return self.coords[o[k] : o[k + 1]]  # type: ignore[index]

    def elements(self) -> Iterator[Any]:
        """Iterate over the elements in storage order."""
        for k in range(len(self)):
            yield self.element(k)

    def take(self, index: np.ndarray) -> Batch:
        """Return the elements at ``index`` (any order, repeats allowed) as a new batch."""
        index = np.asarray(index, dtype=np.int64)
        times = self.time_array()[index]
        if self.etype in _VARIABLE_LENGTH:
            assert self.offsets is not None
            assert self.coords is not None
            lengths = np.diff(self.offsets)[index]
            offsets = np.zeros(index.size + 1, np.int64)
            np.cumsum(lengths, out=offsets[1:])
            gather = np.repeat(self.offsets[:-1][index] - offsets[:-1], lengths)
            gather += np.arange(offsets[-1], dtype=np.int64)
            return replace(self, times=times, offsets=offsets, coords=self.coords[gather])
        values = None if self.values is None else self.values[index]
        coords = None if self.coords is None else self.coords[index]
        return replace(self, times=times, values=values, coords=coords)


def segment_ids(offsets: np.ndarray) -> np.ndarray:
    """Return, for every vertex/pixel, the index of the element owning it (int64)."""
    lengths = np.diff(offsets)
    return np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)


def _accepts(etype: str, kind: str) -> bool:
    return ELEMENT_CONTAINER[etype] == kind


def to_batch(data: Any, etypes: tuple[str, ...], owner: str, slot: int = 0) -> Batch:
    """Return every element of ``data`` as a :class:`Batch` of one of ``etypes``.

    Parameters
    ----------
    data : data object
        The container.
    etypes : tuple of ElementType
        Element types the step accepts (the first whose container kind matches is used).
    owner : str
        Transform name, for errors.
    slot : int
        Input position, for errors.

    Raises
    ------
    TransformError
        ``data`` is not a container of an accepted element type.
    """
    kind = _kind_or_error(data, owner, slot)
    etype = next((e for e in etypes if _accepts(e, kind)), None)
    if etype is None:
        expected = sorted({ELEMENT_CONTAINER[e] for e in etypes})
        raise TransformError(
            f"input {slot + 1} is {kind} data; expected {' or '.join(expected)}",
            transform=owner,
            value=kind,
        )
    if isinstance(data, AnalogTimeSeries):
        times = None if data.is_dense else data.times
        ragged = bool(times is not None and times.size > 1 and np.any(times[1:] == times[:-1]))
        return Batch(etype, times, values=data.values, ragged=ragged)  # type: ignore[arg-type]
    if isinstance(data, DigitalEventSeries):
        return Batch(etype, data.times, ragged=False)  # type: ignore[arg-type]
    assert isinstance(data, RaggedSeries)
    flat = data.to_flat()
    return Batch(
        etype,  # type: ignore[arg-type]
        flat.times,
        offsets=flat.offsets,
        coords=flat.coords,
        image_size=data.image_size,
    )


def _kind_or_error(data: Any, owner: str, slot: int) -> DataKind:
    try:
        return data_type_of(data)
    except ValueError:
        raise TransformError(
            f"input {slot + 1} is a {type(data).__name__}, not a data object",
            transform=owner,
            value=type(data).__name__,
        ) from None


def from_batch(batch: Batch) -> Any:
    """Build the container holding ``batch`` (see :data:`ELEMENT_CONTAINER`).

    Float and sample batches give an :class:`AnalogTimeSeries` (dense when the times are
    ``0 .. E-1``); events a :class:`DigitalEventSeries`; points, lines and masks the
    matching ragged series with the batch's image size.
    """
    etype = batch.etype
    if etype in ("float", "sample"):
        assert batch.values is not None
        values = np.ascontiguousarray(batch.values, dtype=np.float32)
        times = batch.times
        n = values.size
        spans = times is not None and (n == 0 or (times[0] == 0 and times[-1] == n - 1))
        if spans and (n < 2 or bool(np.all(times[1:] > times[:-1]))):  # type: ignore[index]
            times = None  # E distinct sorted values from 0 to E-1: the dense layout
        return AnalogTimeSeries(values, times, copy=False)
    if etype == "event":
        return DigitalEventSeries(batch.time_array())
    times = batch.time_array()
    if batch.coords is None:
        raise ValueError(f"a {etype} batch needs coords")
    if etype == "point":
        return PointData.from_flat(times, batch.coords, image_size=batch.image_size, copy=False)
    cls = LineData if etype == "line" else MaskData
    return cls.from_flat(
        times, batch.coords, batch.offsets, image_size=batch.image_size, copy=False
    )


def pair_batches(a: Batch, b: Batch, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """Pair the elements of two batches by frame (reference §1.3).

    In every frame present in both: equal counts pair i-th with i-th; a side with exactly
    one element is broadcast against every element of the other; frames present in only
    one input give nothing. Frames are compared as raw indices (no clock conversion).

    Returns
    -------
    (M,) int64 array, (M,) int64 array
        Element indices into ``a`` and ``b`` of every pair, frame ascending.

    Raises
    ------
    TransformError
        A frame holds different counts on both sides, neither of them 1.
    """
    ta, tb = a.time_array(), b.time_array()
    fa, start_a, count_a = np.unique(ta, return_index=True, return_counts=True)
    fb, start_b, count_b = np.unique(tb, return_index=True, return_counts=True)
    _, ia, ib = np.intersect1d(fa, fb, assume_unique=True, return_indices=True)
    na, nb = count_a[ia], count_b[ib]
    bad = np.flatnonzero((na != nb) & (na != 1) & (nb != 1))
    if bad.size:
        k = int(bad[0])
        raise TransformError(
            f"frame {int(fa[ia[k]])} holds {int(na[k])} and {int(nb[k])} elements; pairing "
            "needs equal counts or exactly one element on one side",
            transform=owner,
        )
    m = np.maximum(na, nb)
    total = int(m.sum())
    first = np.zeros(m.size + 1, np.int64)
    np.cumsum(m, out=first[1:])
    within = np.arange(total, dtype=np.int64) - np.repeat(first[:-1], m)
    idx_a = np.repeat(start_a[ia], m) + np.where(np.repeat(na, m) > 1, within, 0)
    idx_b = np.repeat(start_b[ib], m) + np.where(np.repeat(nb, m) > 1, within, 0)
    return idx_a, idx_b


def batch_of_arrays(
    like: Batch, etype: ElementType, elements: list[np.ndarray], dtype: np.dtype | type
) -> Batch:
    """Return a line/mask/point batch holding ``elements`` at ``like``'s frames.

    Parameters
    ----------
    like : Batch
        Supplies the frame of every element (same count) and the image size.
    etype : ElementType
        ``"line"``, ``"mask"`` or ``"point"`` (points: every element is ``(2,)``).
    elements : list of arrays
        One ``(n_i, 2)`` array (or ``(2,)`` point) per element of ``like``.
    dtype : dtype
        Coordinate dtype of the result.
    """
    times = like.time_array()
    if etype == "point":
        coords = np.asarray(elements, dtype=dtype).reshape(-1, 2)
        return Batch(etype, times, coords=coords, image_size=like.image_size, ragged=like.ragged)
    lengths = np.fromiter((len(e) for e in elements), np.int64, len(elements))
    offsets = np.zeros(len(elements) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    parts = [np.asarray(e, dtype=dtype).reshape(-1, 2) for e in elements]
    coords = np.concatenate(parts) if parts else np.empty((0, 2), dtype)
    return Batch(
        etype, times, offsets=offsets, coords=coords, image_size=like.image_size, ragged=like.ragged
    )


def float_batch(like: Batch, values: np.ndarray) -> Batch:
    """Return a float batch of ``values`` (one per element of ``like``) at ``like``'s frames."""
    return Batch("float", like.times, values=np.asarray(values), ragged=like.ragged)


def drop_empty(batch: Batch) -> Batch:
    """Return ``batch`` without its zero-length line/mask elements."""
    if batch.offsets is None:
        return batch
    keep = np.flatnonzero(np.diff(batch.offsets) > 0)
    return batch if keep.size == len(batch) else batch.take(keep)
