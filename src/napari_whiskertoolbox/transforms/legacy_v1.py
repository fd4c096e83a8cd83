"""Legacy V1 operations (reference §5), registered under their display names.

They run WhiskerToolbox configs' ``transformations`` blocks. Each maps onto the same
implementation as its TransformsV2 counterpart; the differences the reference lists
(one value per frame, skipped empty masks, V1's absolute threshold, …) are kept. V1
parameter tables are strict: an unknown parameter is an error. Parameters naming other
data (``other_series``, ``point_data``, …) are DataManager keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.transforms import analog as an
from napari_whiskertoolbox.transforms import intervals as iv
from napari_whiskertoolbox.transforms import lines as ln
from napari_whiskertoolbox.transforms import masks as mk
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.filters import filter_signal
from napari_whiskertoolbox.transforms.lift import Batch, Bound, from_batch, pair_batches, to_batch
from napari_whiskertoolbox.transforms.registry import REGISTRY, container_transform
from napari_whiskertoolbox.transforms.schema import (
    Param,
    Params,
    p_bool,
    p_enum,
    p_float,
    p_int,
    p_key,
    p_object,
)
from napari_whiskertoolbox.transforms.units import (
    DEGREES,
    DIMENSIONLESS,
    INPUT_UNIT,
    OutputUnit,
)
from napari_whiskertoolbox.transforms.v1_names import V1_TO_V2
from napari_whiskertoolbox.transforms.values import group_starts

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = ["V1_TO_V2"]


DEFAULT_CANVAS = (256, 256)


def _v2(name: str, raw: dict[str, Any]) -> Params:
    return REGISTRY.get(name).schema.parse(raw, name)


def _canvas(data: Any) -> tuple[int, int]:
    size = data.image_size
    return (size.width, size.height) if size is not None else DEFAULT_CANVAS


def _v1(
    name: str,
    source: str,
    target: str,
    params: tuple[Param, ...] = (),
    description: str = "",
    *,
    one_value_per_time: bool = False,
    other_unused_when: tuple[str, Any] | None = None,
    output_unit: OutputUnit = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return container_transform(
        name,
        (source,),
        target,
        params,
        engine="v1",
        one_value_per_time=one_value_per_time,
        other_unused_when=other_unused_when,
        output_unit=output_unit,
        category="V1 operations",
        description=description,
        source="reference §5",
    )


def _batch(data: Any, etype: str) -> Batch:
    return to_batch(data, (etype,), "V1")


def _map_masks(
    data: MaskData,
    fn: Callable[[np.ndarray], np.ndarray],
    ctx: TransformContext,
    keep_empty: bool = False,
) -> MaskData:
    flat = data.to_flat()
    o = flat.offsets
    assert o is not None
    times, out = [], []
    n = o.size - 1
    for k in range(n):
        ctx.tick(k, n)
        pixels = fn(flat.coords[o[k] : o[k + 1]])
        if keep_empty or len(pixels):
            times.append(int(flat.times[k]))
            out.append(pixels)
    return _masks(times, out, data)


def _masks(times: list[int], masks: list[np.ndarray], like: Any) -> MaskData:
    lengths = [len(m) for m in masks]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    coords = np.concatenate(masks) if masks else np.empty((0, 2), np.uint32)
    return MaskData.from_flat(
        np.asarray(times, np.int64), coords.astype(np.uint32), offsets, image_size=like.image_size
    )


def _lines(times: list[int], lines: list[np.ndarray], like: Any) -> LineData:
    lengths = [len(m) for m in lines]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    coords = np.concatenate(lines) if lines else np.empty((0, 2), np.float32)
    return LineData.from_flat(
        np.asarray(times, np.int64), coords.astype(np.float32), offsets, image_size=like.image_size
    )


# ---------------------------------------------------------------------- masks
@_v1(
    "Calculate Area", "mask", "analog", description="Total pixel count of all masks of each frame."
)
def calculate_area(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Sum of pixel counts of all masks of a frame (one value per frame)."""
    flat = inputs[0].data.to_flat()
    counts = np.diff(flat.offsets).astype(np.float64)
    starts = group_starts(flat.times)
    sums = np.add.reduceat(counts, starts) if counts.size else counts
    return AnalogTimeSeries(sums.astype(np.float32), flat.times[starts])


@_v1("Calculate Mask Centroid", "mask", "points", description="Centroid of every non-empty mask.")
def calculate_centroid(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Mean pixel of every mask; empty masks are skipped (V2 emits (0, 0))."""
    batch = _batch(inputs[0].data, "mask")
    out = REGISTRY.get("CalculateMaskCentroid").func(batch, _v2("CalculateMaskCentroid", {}), ctx)
    keep = np.flatnonzero(batch.lengths() > 0)
    return from_batch(out.take(keep))


@_v1(
    "Apply Median Filter",
    "mask",
    "mask",
    (p_int("window_size", 3, "odd window (even or <= 0 → 3)"),),
)
def apply_median(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Binary median filter on the image canvas (256x256 if unset); empty results dropped."""
    w, h = _canvas(inputs[0].data)
    return _map_masks(inputs[0].data, lambda px: mk.mask_median(px, p.window_size, w, h), ctx)


@_v1("Skeletonize Mask", "mask", "mask")
def skeletonize_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Zhang-Suen skeleton on the image canvas (256x256 if unset); empty results dropped."""
    w, h = _canvas(inputs[0].data)
    return _map_masks(inputs[0].data, lambda px: mk.mask_skeleton(px, "ZhangSuen", w, h), ctx)


def remove_small_components(pixels: np.ndarray, threshold: int) -> np.ndarray:
    """Drop 8-connected components with fewer than ``threshold`` pixels (scipy.ndimage.label)."""
    from scipy import ndimage

    if pixels.shape[0] == 0:
        return pixels
    image, x0, y0 = mk.rasterise(pixels, -1, -1, 1)
    labels, n = ndimage.label(image, structure=np.ones((3, 3), int))
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    keep = sizes >= threshold
    keep[0] = False
    return mk.pixels_of(keep[labels], x0, y0)


@_v1(
    "Remove Small Connected Components",
    "mask",
    "mask",
    (p_int("threshold", 10, "smallest component kept, pixels (<= 0 → 10)"),),
)
def remove_components(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Remove 8-connected components smaller than ``threshold`` from every mask."""
    threshold = p.threshold if p.threshold > 0 else 10
    return _map_masks(inputs[0].data, lambda px: remove_small_components(px, threshold), ctx)


def fill_holes(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """Fill background not 4-connected to the image border (scipy binary_fill_holes)."""
    from scipy import ndimage

    if pixels.shape[0] == 0:
        return pixels
    image, x0, y0 = mk.rasterise(pixels, width, height, 1)
    return mk.pixels_of(ndimage.binary_fill_holes(image), x0, y0)


@_v1("Fill Mask Holes", "mask", "mask")
def fill_mask_holes(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Fill the holes of every mask; empty masks are kept."""
    data = inputs[0].data
    size = data.image_size
    w, h = (size.width, size.height) if size is not None else (-1, -1)
    return _map_masks(data, lambda px: fill_holes(px, w, h), ctx, keep_empty=True)


def principal_axis(pixels: np.ndarray, minor: bool) -> np.ndarray | None:
    """2-point line along a mask's principal axis, clipped to its bounding box (§5)."""
    xy = np.asarray(pixels, np.float64)
    if xy.shape[0] < 2:
        return None
    c = xy.mean(axis=0)
    lam, vec = np.linalg.eigh(np.cov(xy.T, ddof=1))
    v = vec[:, int(np.argmax(lam))]
    if minor:
        v = np.array([-v[1], v[0]])
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    t_min, t_max = -np.inf, np.inf
    for axis in range(2):
        if abs(v[axis]) < 1e-12:
            continue
        a, b = (lo[axis] - c[axis]) / v[axis], (hi[axis] - c[axis]) / v[axis]
        t_min, t_max = max(t_min, min(a, b)), min(t_max, max(a, b))
    if not np.isfinite(t_min) or not np.isfinite(t_max):
        t_min = t_max = 0.0
    return np.vstack([c + t_min * v, c + t_max * v]).astype(np.float32)


@_v1(
    "Calculate Mask Principal Axis",
    "mask",
    "line",
    (p_enum("axis_type", ("Major", "Minor"), "major axis, or the major rotated +90°"),),
)
def mask_principal_axis(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Draw a 2-point line through each mask's centroid along its principal axis (< 2 px skipped)."""
    data = inputs[0].data
    flat = data.to_flat()
    o = flat.offsets
    times, out = [], []
    for k in range(o.size - 1):
        ctx.tick(k, o.size - 1)
        line = principal_axis(flat.coords[o[k] : o[k + 1]], p.axis_type == "Minor")
        if line is not None:
            times.append(int(flat.times[k]))
            out.append(line)
    return _lines(times, out, data)


@_v1(
    "Convert Mask To Line",
    "mask",
    "line",
    (
        p_enum(
            "method",
            ("Skeletonize", "NearestToReference"),
            "skeletonise first, or order raw pixels",
        ),
        p_float("reference_x", 0.0, "x of the whisker-base reference, pixels"),
        p_float("reference_y", 0.0, "y of the whisker-base reference, pixels"),
        p_int("polynomial_order", 3, "order for outlier removal and smoothing"),
        p_float("error_threshold", 5.0, "outlier residual, pixels"),
        p_bool("remove_outliers", True, "drop vertices far from a polynomial fit"),
        p_int("input_point_subsample_factor", 1, "keep every k-th pixel"),
        p_bool("should_smooth_line", False, "polynomial smoothing instead of fixed spacing"),
        p_float(
            "output_resolution",
            5.0,
            "output vertex spacing, pixels",
            minimum=0.0,
            exclusive_minimum=True,
        ),
    ),
)
def convert_mask_to_line(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Skeletonise (on the image canvas), order from the reference, remove outliers, resample."""
    data = inputs[0].data
    w, h = _canvas(data)

    def one(pixels: np.ndarray) -> np.ndarray:
        if p.method == "Skeletonize":
            pixels = mk.mask_skeleton(pixels, "ZhangSuen", w, h)
        line = mk.order_pixels(pixels, p.reference_x, p.reference_y, p.input_point_subsample_factor)
        if p.remove_outliers and line.shape[0] > p.polynomial_order + 2:
            line = ln.remove_outliers(line, p.error_threshold, p.polynomial_order)
        if line.shape[0] <= 2:
            return line
        if p.should_smooth_line:
            return ln.polynomial_smooth(line, p.output_resolution, p.polynomial_order)
        return ln.fixed_spacing(line, p.output_resolution)

    flat = data.to_flat()
    o = flat.offsets
    times, out = [], []
    for k in range(o.size - 1):
        ctx.tick(k, o.size - 1)
        line = one(flat.coords[o[k] : o[k + 1]])
        if line.shape[0]:
            times.append(int(flat.times[k]))
            out.append(line)
    return _lines(times, out, data)


# ---------------------------------------------------------------------- analog
_DIRECTIONS = {
    "Positive (Rising)": "positive",
    "Negative (Falling)": "negative",
    "Absolute (Magnitude)": "absolute",
}
_V1_DIRECTION = p_enum(
    "direction", tuple(_DIRECTIONS), "level test (absolute: |value| > threshold)"
)


@_v1(
    "Threshold Event Detection",
    "analog",
    "digital_event",
    (
        p_float("threshold_value", 1.0, "threshold"),
        _V1_DIRECTION,
        p_float("lockout_time", 0.0, "frames", minimum=0.0),
    ),
)
def threshold_events(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """AnalogEventThreshold with V1's absolute test (|v| > threshold)."""
    times = an.event_threshold(
        inputs[0].data,
        p.threshold_value,
        _DIRECTIONS[p.direction],
        p.lockout_time,
        ctx,
        v1_absolute=True,
    )
    return DigitalEventSeries(times)


@_v1(
    "Threshold Interval Detection",
    "analog",
    "digital_interval",
    (
        p_float("threshold_value", 1.0, "threshold"),
        _V1_DIRECTION,
        p_float("lockout_time", 0.0, "frames", minimum=0.0),
        p_float("min_duration", 0.0, "frames", minimum=0.0),
        p_enum("missing_data_mode", ("Zero", "Ignore"), "gaps count as zeros, or are ignored"),
    ),
    one_value_per_time=True,
)
def threshold_intervals(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """AnalogIntervalThreshold with V1's absolute test and mode names."""
    pairs = an.interval_threshold(
        inputs[0].data,
        p.threshold_value,
        _DIRECTIONS[p.direction],
        p.lockout_time,
        p.min_duration,
        "treat_as_zero" if p.missing_data_mode == "Zero" else "ignore",
        ctx,
        v1_absolute=True,
    )
    return DigitalIntervalSeries(pairs)


@_v1(
    "Interval Peak Detection",
    "analog",
    "digital_event",
    (
        p_enum("peak_type", ("Maximum", "Minimum"), "largest or smallest sample"),
        p_enum("search_mode", ("Within Intervals", "Between Interval Starts"), "where to search"),
        p_key("interval_series", ("digital_interval",), "key of the intervals"),
    ),
)
def interval_peak(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """AnalogIntervalPeak with the intervals given as a key."""
    mode = "within_intervals" if p.search_mode == "Within Intervals" else "between_starts"
    peaks = an.interval_peaks(p.interval_series, inputs[0], p.peak_type.lower(), mode, ctx)
    return DigitalEventSeries(peaks)


@_v1(
    "Hilbert Phase",
    "analog",
    "analog",
    an.HILBERT_PARAMS,
    one_value_per_time=True,
    output_unit=an.HILBERT_UNIT,
)
def hilbert_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Instantaneous phase or amplitude (reference §3.4)."""
    return an.hilbert_phase(inputs[0].data, p, ctx)


def scale_normalize(x: np.ndarray, p: Params) -> np.ndarray:
    """V1 ``Scale and Normalize`` (population statistics; zero spread leaves data unchanged).

    As in WhiskerToolbox, a method scales only when its spread is ``> 0`` (so a NaN
    standard deviation, from a NaN sample, leaves the data unchanged too), and the MinMax
    bounds come from ``std::min_element`` / ``max_element``, which skip NaN samples.
    """
    v = np.asarray(x, np.float64)
    if v.size == 0:
        return v
    mu, sigma = v.mean(), v.std()
    method = p.method
    if method == "FixedGain":
        return v * p.gain_factor
    if method == "Centering":
        return v - mu
    if method == "MinMax":
        lo, hi = v[an.first_extremum(v, False)], v[an.first_extremum(v, True)]
        return (
            p.min_target + (v - lo) / (hi - lo) * (p.max_target - p.min_target)
            if hi - lo > 0
            else v
        )
    if method == "RobustScaling":
        s = np.sort(v)
        iqr = s[(3 * s.size) // 4] - s[s.size // 4]
        return (v - np.median(v)) / iqr if iqr > 0 else v
    if not sigma > 0:
        return v
    if method == "StandardDeviation":
        return (v - mu) / (p.std_dev_target * sigma)
    if method == "UnitVariance":
        return v / sigma
    return (v - mu) / sigma


SCALE_UNIT: OutputUnit = (
    "method",
    {
        "ZScore": DIMENSIONLESS,
        "StandardDeviation": DIMENSIONLESS,
        "UnitVariance": DIMENSIONLESS,
        "RobustScaling": DIMENSIONLESS,
        "Centering": INPUT_UNIT,
    },
)
"""Standardised signals have no unit; centring keeps it; a gain or a target range is the
user's own scale (no unit)."""


@_v1(
    "Scale and Normalize",
    "analog",
    "analog",
    (
        p_enum(
            "method",
            (
                "ZScore",
                "FixedGain",
                "StandardDeviation",
                "MinMax",
                "RobustScaling",
                "UnitVariance",
                "Centering",
            ),
            "scaling rule",
        ),
        p_float("gain_factor", 1.0, "FixedGain multiplier"),
        p_float("std_dev_target", 3.0, "StandardDeviation: divide by this many SDs"),
        p_float("min_target", 0.0, "MinMax lower bound"),
        p_float("max_target", 1.0, "MinMax upper bound"),
        p_float("quantile_low", 0.25, "accepted; RobustScaling uses the quartiles"),
        p_float("quantile_high", 0.75, "accepted; RobustScaling uses the quartiles"),
    ),
    output_unit=SCALE_UNIT,
)
def scale_and_normalize(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Scale or normalise a signal (z-score, gain, min-max, robust, …)."""
    s: AnalogTimeSeries = inputs[0].data
    return AnalogTimeSeries(
        scale_normalize(s.values, p).astype(np.float32), None if s.is_dense else s.times
    )


@_v1(
    "Filter",
    "analog",
    "analog",
    (
        p_object(
            "filter_specification",
            {},
            "IIR filter design (family, response, order, cutoffs, sampling_rate_hz, zero_phase)",
        ),
    ),
    output_unit=INPUT_UNIT,
    one_value_per_time=True,
)
def filter_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """IIR filter (Butterworth, Chebyshev I/II, RBJ biquad) over the sample array."""
    s: AnalogTimeSeries = inputs[0].data
    out = filter_signal(s.values, p.filter_specification, ctx)
    return AnalogTimeSeries(out.astype(np.float32), None if s.is_dense else s.times)


# ---------------------------------------------------------------------- intervals
@_v1(
    "Group Intervals",
    "digital_interval",
    "digital_interval",
    (p_float("max_spacing", 1.0, "largest gap merged, frames"),),
)
def group_intervals_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Merge intervals separated by at most ``max_spacing`` frames."""
    return iv.interval_series(iv.group_intervals(inputs[0].data.intervals, p.max_spacing))


@_v1(
    "Boolean Operation",
    "digital_interval",
    "digital_interval",
    (
        p_enum("operation", ("AND", "OR", "XOR", "NOT", "AND_NOT"), "set operation"),
        p_key("other_series", ("digital_interval",), "key of the other intervals", required=False),
    ),
    other_unused_when=("operation", "NOT"),
)
def boolean_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """DigitalIntervalBoolean with the other series given as a key (not needed for NOT)."""
    other = p.other_series
    if other is None or other == "":
        if p.operation != "NOT":
            raise TransformError(
                f"parameter 'other_series' is required for operation {p.operation}",
                parameter="other_series",
            )
        other = Bound(DigitalIntervalSeries())
    spec = REGISTRY.get("DigitalIntervalBoolean")
    return spec.func([inputs[0], other], _v2(spec.name, {"operation": p.operation.lower()}), ctx)


# ---------------------------------------------------------------------- lines
def _per_frame_last(batch: Batch, values: np.ndarray, valid: np.ndarray) -> AnalogTimeSeries:
    idx = np.flatnonzero(valid)
    times = batch.time_array()[idx]
    last = np.flatnonzero(np.r_[times[1:] != times[:-1], True]) if times.size else idx[:0]
    return AnalogTimeSeries(values[idx][last].astype(np.float32), times[last])


_AXES = (
    p_float("axis_x_x", 1.0, "x component of the reference x axis"),
    p_float("axis_x_y", 0.0, "y component of the reference x axis"),
    p_float("axis_y_x", 0.0, "x component of the reference y axis"),
    p_float("axis_y_y", 1.0, "y component of the reference y axis"),
)


@_v1(
    "Calculate Line Angle",
    "line",
    "analog",
    (
        p_float("position", 0.2, "fraction of arc length"),
        p_float("window", 0.2, "span around position (fraction)"),
        p_enum("method", ("Direct Points", "Polynomial Fit"), "two points or a fit"),
        p_int("polynomial_order", 3, "order of the fit"),
        *_AXES,
        p_float("reference_x", 1.0, "x of the direction that is 0 degrees (the x axis)"),
        p_float("reference_y", 0.0, "y of the direction that is 0 degrees (the x axis)"),
    ),
    output_unit=DEGREES,
)
def line_angle_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """CalculateLineAngle, one value per frame (the frame's last line with >= 2 points).

    ``reference_x`` / ``reference_y`` are the reference vector WhiskerToolbox's V1 setters
    take (its configs and tests write them): the direction that is 0 degrees, angles growing
    toward it rotated +90 degrees. It is the same as ``axis_x_x`` / ``axis_x_y``; giving both
    a reference and other axes is an error.
    """
    batch = _batch(inputs[0].data, "line")
    raw = {**p.to_dict(), "method": p.method.replace(" ", "")}
    reference = (raw.pop("reference_x"), raw.pop("reference_y"))
    if reference != (1.0, 0.0):
        axes = (raw["axis_x_x"], raw["axis_x_y"], raw["axis_y_x"], raw["axis_y_y"])
        if axes != (1.0, 0.0, 0.0, 1.0):
            raise TransformError(
                "give either reference_x/reference_y or the axis_* parameters, not both "
                f"(reference ({reference[0]:g}, {reference[1]:g}), axes {axes})",
                parameter="reference_x",
            )
        rx, ry = reference
        raw.update(axis_x_x=rx, axis_x_y=ry, axis_y_x=-ry, axis_y_y=rx)
    values = ln.line_angles(batch, _v2("CalculateLineAngle", raw), ctx)
    return _per_frame_last(batch, values, batch.lengths() >= 2)


@_v1(
    "Calculate Line Curvature",
    "line",
    "analog",
    (
        p_float("position", 0.5, "fraction of arc length"),
        p_enum("method", ("PolynomialFit",), "curvature from a polynomial fit"),
        p_int("polynomial_order", 3, "order of the fit"),
        p_float("fitting_window_percentage", 0.1, "finite-difference span (fraction)"),
    ),
    output_unit=ln.CURVATURE_UNIT,
)
def line_curvature_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """CalculateLineCurvature, one value per frame (the frame's last line with >= 2 points)."""
    batch = _batch(inputs[0].data, "line")
    values = ln.line_curvatures(batch, _v2("CalculateLineCurvature", p.to_dict()), ctx)
    return _per_frame_last(batch, values, batch.lengths() >= 2)


@_v1(
    "Calculate Line to Point Distance",
    "line",
    "analog",
    (p_key("point_data", ("points",), "key of the points"),),
)
def line_point_distance_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Minimum distance from the frame's first line to the frame's points (rescaled)."""
    lines = _batch(inputs[0].data, "line")
    points: PointData = p.point_data.data
    pts = _batch(points, "point")
    first = group_starts(lines.time_array())
    lines = lines.take(first)
    lines = lines.take(np.flatnonzero(lines.lengths() >= 2))
    size_l, size_p = inputs[0].data.image_size, points.image_size
    if (
        size_l is not None
        and size_p is not None
        and tuple(size_l) != tuple(size_p)
        and pts.coords is not None
    ):
        scale = np.array([size_l.width / size_p.width, size_l.height / size_p.height], np.float32)
        pts = Batch("point", pts.times, coords=pts.coords * scale)
    ia, ib = pair_batches(lines, pts, "Calculate Line to Point Distance")
    spec = REGISTRY.get("CalculateLineMinPointDistance")
    dist = spec.func(lines.take(ia), pts.take(ib), _v2(spec.name, {}), ctx)
    times = dist.time_array()
    starts = group_starts(times)
    mins = np.minimum.reduceat(dist.values, starts) if times.size else np.empty(0, np.float32)
    return AnalogTimeSeries(np.asarray(mins, np.float32), times[starts])


@_v1(
    "Clip Line by Reference Line",
    "line",
    "line",
    (
        p_key("reference_line_data", ("line",), "key of the reference lines"),
        p_int("reference_frame", 0, "frame of the reference line"),
        p_enum("clip_side", ("KeepBase", "KeepDistal"), "part of each line to keep"),
    ),
)
def clip_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Clip every line at the single reference line found at ``reference_frame``."""
    ref_lines = p.reference_line_data.data.at(p.reference_frame)
    if not ref_lines:
        raise TransformError(
            f"reference_line_data {p.reference_line_data.label} has no line at frame {p.reference_frame}",
            parameter="reference_frame",
            value=p.reference_frame,
        )
    reference = np.asarray(ref_lines[0])
    data = inputs[0].data
    flat = data.to_flat()
    o = flat.offsets
    times, out = [], []
    for k in range(o.size - 1):
        ctx.tick(k, o.size - 1)
        line = ln.clip_at_reference(flat.coords[o[k] : o[k + 1]], reference, p.clip_side)
        if line.shape[0]:
            times.append(int(flat.times[k]))
            out.append(line)
    return _lines(times, out, data)


def _via_v2(
    v2_name: str, raw: dict[str, Any]
) -> Callable[[Sequence[Bound], Params, TransformContext], Any]:
    def run(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
        spec = REGISTRY.get(v2_name)
        return from_batch(
            spec.func(_batch(inputs[0].data, "line"), _v2(v2_name, raw | p.to_dict()), ctx)
        )

    return run


@_v1(
    "Extract Point from Line",
    "line",
    "points",
    (
        p_enum("method", ("Parametric", "Direct"), "polynomial fit or the polyline"),
        p_float("position", 0.5, "fraction of arc length"),
        p_int("polynomial_order", 3, "order of the fit"),
        p_bool("use_interpolation", True, "Direct: interpolate (else the next vertex)"),
    ),
)
def extract_point_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """ExtractLinePoint (Parametric by default)."""
    return _via_v2("ExtractLinePoint", {})(inputs, p, ctx)


@_v1(
    "Extract Line Subsegment",
    "line",
    "line",
    (
        p_enum("method", ("Parametric", "Direct"), "polynomial fit or the polyline"),
        p_float("start_position", 0.3, "start fraction"),
        p_float("end_position", 0.7, "end fraction"),
        p_int("polynomial_order", 3, "order of the fit"),
        p_int("output_points", 50, "Parametric: number of points", minimum=2),
        p_bool("preserve_original_spacing", True, "Direct: original vertices only"),
    ),
)
def extract_subsegment_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """ExtractLineSubsegment (Parametric by default)."""
    return _via_v2("ExtractLineSubsegment", {})(inputs, p, ctx)


_ALGORITHMS = {
    "Fixed Spacing": "FixedSpacing",
    "Douglas-Peucker": "DouglasPeucker",
    "Polynomial Smooth": "PolynomialSmooth",
}


@_v1(
    "Resample Line",
    "line",
    "line",
    (
        p_enum("algorithm", tuple(_ALGORITHMS), "resampling algorithm"),
        p_float("target_spacing", 5.0, "pixels", minimum=0.0, exclusive_minimum=True),
        p_float(
            "epsilon", 2.0, "Douglas-Peucker tolerance, pixels", minimum=0.0, exclusive_minimum=True
        ),
        p_int("polynomial_order", 3, "Polynomial Smooth order"),
    ),
)
def resample_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """ResampleLine with V1's algorithm names."""
    raw = {k: v for k, v in p.to_dict().items() if k != "algorithm"}
    raw["method"] = _ALGORITHMS[p.algorithm]
    spec = REGISTRY.get("ResampleLine")
    return from_batch(spec.func(_batch(inputs[0].data, "line"), _v2(spec.name, raw), ctx))


@_v1("Line Base Flip", "line", "line")
def flip_v1(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """FlipLineBase with the reference at (0, 0) (V1 registers no parameters)."""
    spec = REGISTRY.get("FlipLineBase")
    return from_batch(spec.func(_batch(inputs[0].data, "line"), _v2(spec.name, {}), ctx))
