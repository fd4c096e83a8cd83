"""Point transforms of TransformsV2 (reference §3.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.transforms.lift import Batch, Bound, float_batch
from napari_whiskertoolbox.transforms.registry import container_transform, element_transform
from napari_whiskertoolbox.transforms.schema import Params, p_enum
from napari_whiskertoolbox.transforms.values import group_starts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.transforms.context import TransformContext

__all__: list[str] = []

_COORDINATE = p_enum("coordinate", ("X", "Y"), "which coordinate, pixels")


@element_transform(
    "PointCoordinate",
    "point",
    "float",
    (_COORDINATE,),
    category="Points",
    source="reference §3.6",
    with_context_twin=False,
)
def point_coordinate(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Take the x or y of every point (one float per point, same frame; ragged)."""
    assert batch.coords is not None
    return float_batch(batch, batch.coords[:, 0 if p.coordinate == "X" else 1].copy())


@container_transform(
    "PointCoordinateReduction",
    ("points",),
    "analog",
    (_COORDINATE, p_enum("reduction", ("First", "Mean", "Sum", "Max", "Min"), "per frame")),
    category="Points",
    source="reference §3.6",
)
def point_coordinate_reduction(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """One value per frame with points: first, mean, sum, max or min of x or y."""
    flat = inputs[0].data.to_flat()
    values = flat.coords[:, 0 if p.coordinate == "X" else 1].astype(np.float64)
    starts = group_starts(flat.times)
    if values.size == 0:
        return AnalogTimeSeries(np.empty(0, np.float32), np.empty(0, np.int64))
    if p.reduction == "First":
        out = values[starts]
    elif p.reduction == "Max":
        out = np.maximum.reduceat(values, starts)
    elif p.reduction == "Min":
        out = np.minimum.reduceat(values, starts)
    else:
        out = np.add.reduceat(values, starts)
        if p.reduction == "Mean":
            out = out / np.diff(np.append(starts, values.size))
    return AnalogTimeSeries(out.astype(np.float32), flat.times[starts])
