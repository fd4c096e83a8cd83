"""Line transforms of TransformsV2 (reference §3.1 RemoveLineOutliers, §3.2).

Angle, length, point extraction and base flipping are vectorised over the flat line
storage (chunks of whole lines); the polynomial variants fit many lines at once, grouped
by vertex count. Variable-length outputs (resampling, subsegments, clipping, outlier
removal) loop over lines.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.transforms._geometry import (
    MIN_LENGTH,
    ChunkGeometry,
    chunk_bounds,
    chunk_geometry,
    eval_poly,
    fit_polynomials,
    iter_line_chunks,
    normalised_arc,
    point_at_fraction,
)
from napari_whiskertoolbox.transforms.lift import Batch, batch_of_arrays, float_batch, segment_ids
from napari_whiskertoolbox.transforms.registry import element_transform
from napari_whiskertoolbox.transforms.schema import Params, p_bool, p_enum, p_float, p_int
from napari_whiskertoolbox.transforms.units import DEGREES, PIXELS

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = [
    "angle_basis",
    "angle_span",
    "clip_at_reference",
    "douglas_peucker",
    "extract_subsegment",
    "fixed_spacing",
    "line_angles",
    "line_curvatures",
    "line_points",
    "polynomial_smooth",
    "remove_outliers",
]

_FIT_GROUP = 4096
_DEDUP = 1e-3


def _order(order: int) -> int:
    return max(int(order), 0)


def _round_half_away(x: float) -> int:
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


# ---------------------------------------------------------------------- one-line helpers
def _cum(xy: np.ndarray) -> np.ndarray:
    xy = np.asarray(xy, np.float64)
    if xy.shape[0] < 2:
        return np.zeros(xy.shape[0])
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])


def _point_at(xy: np.ndarray, cum: np.ndarray, fraction: float) -> np.ndarray:
    """Return the interpolated point at ``fraction`` of one line (§3.2 helper)."""
    geo = ChunkGeometry(
        0,
        1,
        np.array([0]),
        np.array([xy.shape[0]]),
        np.asarray(xy, np.float64),
        cum,
        np.array([cum[-1] if cum.size > 1 else 0.0]),
    )
    return point_at_fraction(geo, np.array([0]), fraction)[0]


def _fit_one(t: np.ndarray, xy: np.ndarray, order: int) -> np.ndarray:
    return fit_polynomials(t[None], np.asarray(xy, np.float64)[None], order)


def remove_outliers(xy: np.ndarray, error_threshold: float, order: int) -> np.ndarray:
    """Drop vertices far from a polynomial fit, iteratively (reference §3.1).

    Order clamped to [1, 9]; lines with <= order + 2 points are returned unchanged; at most
    10 rounds of: fit x(t), y(t) on normalised arc length, keep points whose squared
    residual <= threshold²; stop when nothing is removed or fewer than order + 2 would stay.
    """
    order = min(max(int(order), 1), 9)
    pts = np.asarray(xy)
    if pts.shape[0] <= order + 2:
        return pts
    for _ in range(10):
        t = normalised_arc(pts)
        coef = _fit_one(t, pts, order)
        fitted = eval_poly(coef, t[None])[0]
        resid = ((fitted - pts) ** 2).sum(axis=1)
        keep = resid <= error_threshold**2
        if keep.sum() < order + 2 or keep.all():
            return pts
        pts = pts[keep]
    return pts


def fixed_spacing(xy: np.ndarray, spacing: float) -> np.ndarray:
    """Resample a line every ``spacing`` of arc length (reference §3.2 FixedSpacing)."""
    xy = np.asarray(xy, np.float64)
    cum = _cum(xy)
    total = cum[-1]
    steps = np.arange(1, int(total // spacing) + 1) * spacing if spacing > 0 else np.empty(0)
    steps = steps[steps <= total]
    keep = np.concatenate([[True], np.diff(cum) > 0])  # skip zero-length segments
    cx, px, py = cum[keep], xy[keep, 0], xy[keep, 1]
    new = np.column_stack((np.interp(steps, cx, px), np.interp(steps, cx, py)))
    out = [xy[0]]
    for point in new:
        if not np.all(np.abs(point - out[-1]) < _DEDUP):
            out.append(point)
    if not np.all(np.abs(xy[-1] - out[-1]) < _DEDUP) or len(out) == 1:
        out.append(xy[-1])
    return np.asarray(out, np.float32)


def douglas_peucker(xy: np.ndarray, epsilon: float) -> np.ndarray:
    """Douglas-Peucker simplification (reference §3.2).

    Distance is to the *infinite* line through the segment ends (scikit-image's
    ``approximate_polygon`` uses the segment, hence this short implementation); a point is
    kept when strictly farther than ``epsilon``; first and last are kept.
    """
    pts = np.asarray(xy, np.float64)
    n = pts.shape[0]
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        inner = pts[a + 1 : b]
        d = pts[b] - pts[a]
        norm = math.hypot(d[0], d[1])
        if norm == 0:
            dist = np.hypot(*(inner - pts[a]).T)
        else:
            dist = (
                np.abs(d[0] * (inner[:, 1] - pts[a, 1]) - d[1] * (inner[:, 0] - pts[a, 0])) / norm
            )
        k = int(np.argmax(dist))
        if dist[k] > epsilon:
            mid = a + 1 + k
            keep[mid] = True
            stack.extend(((a, mid), (mid, b)))
    return pts[keep].astype(np.float32)


def polynomial_smooth(xy: np.ndarray, spacing: float, order: int) -> np.ndarray:
    """Replace a line by points on a polynomial fit (reference §3.2 PolynomialSmooth).

    ``N = max(2, round(L / spacing))`` points at ``t = i / (N - 1)`` of normalised arc
    length, L the original length; one point at t = 0 when L < 1e-6; lines with
    ``n <= order`` unchanged.
    """
    order = min(max(int(order), 1), 9)
    pts = np.asarray(xy, np.float64)
    if pts.shape[0] <= order:
        return np.asarray(xy, np.float32)
    t = normalised_arc(pts)
    coef = _fit_one(t, pts, order)
    total = _cum(pts)[-1]
    if total < MIN_LENGTH:
        u = np.zeros(1)
    else:
        u = np.linspace(0.0, 1.0, max(2, _round_half_away(total / spacing)))
    out = eval_poly(coef, u[None])[0]
    if not np.all(np.isfinite(out)):
        return fixed_spacing(pts, spacing)
    return out.astype(np.float32)


def extract_subsegment(
    xy: np.ndarray,
    start: float,
    end: float,
    method: str,
    order: int,
    output_points: int,
    preserve_spacing: bool,
) -> np.ndarray:
    """Return the part of a line between two arc-length fractions (reference §3.2).

    A line with a NaN or infinite vertex has no arc length: it is returned unchanged.
    """
    pts = np.asarray(xy, np.float64)
    n = pts.shape[0]
    if n <= 1 or not np.isfinite(pts).all():
        return np.asarray(xy, np.float32)
    s, e = min(max(start, 0.0), 1.0), min(max(end, 0.0), 1.0)
    if s >= e:
        return np.empty((0, 2), np.float32)
    cum = _cum(pts)
    total = cum[-1]
    if total < MIN_LENGTH:
        return pts[:1].astype(np.float32)
    if method == "Parametric" and n >= _order(order) + 1:
        coef = _fit_one(cum / total, pts, _order(order))
        u = s + np.arange(output_points) / (output_points - 1) * (e - s)
        return eval_poly(coef, u[None])[0].astype(np.float32)
    if method == "Direct" and preserve_spacing:
        inside = (cum >= s * total) & (cum <= e * total)
        if inside.any():
            return pts[inside].astype(np.float32)
        return _point_at(pts, cum, s)[None].astype(np.float32)
    out = [_point_at(pts, cum, s)]
    out.extend(pts[(cum > s * total) & (cum < e * total)])
    last = _point_at(pts, cum, e)
    if np.hypot(*(last - out[-1])) >= MIN_LENGTH:
        out.append(last)
    return np.asarray(out, np.float32)


def clip_at_reference(line: np.ndarray, reference: np.ndarray, keep: str) -> np.ndarray:
    """Cut a line at its first crossing with a reference line (reference §3.2).

    Scans line segments in order and, for each, reference segments in order; parallel
    segments (|cross| < 1e-10) never intersect; endpoints count. ``KeepBase`` keeps
    vertices 0..i and the crossing; ``KeepDistal`` the crossing and vertices i+1..end.
    """
    p = np.asarray(line, np.float64)
    q = np.asarray(reference, np.float64)
    if p.shape[0] < 2 or q.shape[0] < 2:
        return np.asarray(line, np.float32)
    p0, r = p[:-1, None, :], np.diff(p, axis=0)[:, None, :]
    q0, s = q[None, :-1, :], np.diff(q, axis=0)[None, :, :]
    denom = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
    qp = q0 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[..., 0] * s[..., 1] - qp[..., 1] * s[..., 0]) / denom
        u = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / denom
    hit = (np.abs(denom) >= 1e-10) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    if not hit.any():
        return np.asarray(line, np.float32)
    i, j = divmod(int(np.flatnonzero(hit.ravel())[0]), hit.shape[1])
    point = p[i] + t[i, j] * (p[i + 1] - p[i])
    if keep == "KeepDistal":
        out = np.vstack([point, p[i + 1 :]])
    else:
        out = p[: i + 1]
        if np.hypot(*(point - out[-1])) >= MIN_LENGTH:
            out = np.vstack([out, point])
    return out.astype(np.float32)


# ---------------------------------------------------------------------- angle
def angle_span(position: float, window: float) -> tuple[float, float]:
    """Return the arc-length span ``[t_low, t_high]`` of the angle window (reference §3.2)."""
    p = min(max(position, 0.0), 1.0)
    w = min(max(window, 0.0), 1.0)
    if w >= 1.0:
        return 0.0, 1.0
    lo, hi = p - w / 2, p + w / 2
    if lo < 0:
        lo, hi = 0.0, hi - lo
    if hi > 1:
        lo, hi = lo - (hi - 1.0), 1.0
    if hi - lo <= 0:
        lo, hi = max(p - 1e-4, 0.0), min(p + 1e-4, 1.0)
    return lo, hi


def angle_basis(ax: tuple[float, float], ay: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal basis from the axis parameters (reference §3.2 CalculateLineAngle).

    ê_x = normalise(axis_x) (degenerate → (1, 0)); ê_y = axis_y Gram-Schmidt against ê_x
    (degenerate → ê_x rotated +90°), negated if ê_x x ê_y < 0.
    """
    ex = np.asarray(ax, np.float64)
    norm = np.hypot(*ex)
    ex = np.array([1.0, 0.0]) if norm < 1e-12 else ex / norm
    ey = np.asarray(ay, np.float64)
    ey = ey - (ey @ ex) * ex
    norm = np.hypot(*ey)
    ey = np.array([-ex[1], ex[0]]) if norm < 1e-12 else ey / norm
    if ex[0] * ey[1] - ex[1] * ey[0] < 0:
        ey = -ey
    return ex, ey


def _degrees(v: np.ndarray, ex: np.ndarray, ey: np.ndarray) -> np.ndarray:
    deg = np.degrees(np.arctan2(v @ ey, v @ ex))
    deg[deg <= -180.0] = 180.0
    return deg


def _fit_angles(
    geo: ChunkGeometry, lines: np.ndarray, t_lo: float, t_hi: float, p: Params
) -> np.ndarray:
    """PolynomialFit angles of ``lines`` (all with >= 2 vertices) of one chunk."""
    order = _order(p.polynomial_order)
    n = geo.counts[lines]
    samples = np.clip(np.maximum(order + 2, 2 * n), order + 2, 128)
    u0 = min(max((min(max(p.position, 0.0), 1.0) - t_lo) / (t_hi - t_lo), 0.0), 1.0)
    out = np.empty((lines.size, 2))
    for s_count in np.unique(samples):
        sel = np.flatnonzero(samples == s_count)
        u = np.linspace(0.0, 1.0, int(s_count))
        fracs = t_lo + (t_hi - t_lo) * u
        pts = point_at_fraction(geo, np.repeat(lines[sel], s_count), np.tile(fracs, sel.size))
        coef = fit_polynomials(u, pts.reshape(sel.size, int(s_count), 2), order)
        out[sel] = eval_poly(coef, np.full(sel.size, u0), derivative=1)
    return out


CURVATURE_UNIT = f"1/{PIXELS}"
"""The unit of a curvature (the inverse of a radius in pixels)."""


def line_angles(batch: Batch, p: Params, ctx: TransformContext) -> np.ndarray:
    """Angle (degrees, (-180, 180]) of every line at ``position`` (reference §3.2).

    Lines with fewer than 2 vertices give NaN. A direction with |v|² < 1e-20 is
    degenerate: ``DirectPoints`` gives 0 and ``PolynomialFit`` falls back to
    ``DirectPoints`` (so a zero-length line is 0° whichever the method).
    """
    offsets, coords = batch.offsets, batch.coords
    assert offsets is not None
    assert coords is not None
    out = np.full(offsets.size - 1, np.nan, np.float64)
    t_lo, t_hi = angle_span(p.position, p.window)
    ex, ey = angle_basis((p.axis_x_x, p.axis_x_y), (p.axis_y_x, p.axis_y_y))
    fit = p.method == "PolynomialFit" and t_hi - t_lo > 0
    for geo in iter_line_chunks(offsets, coords, ctx):
        lines = np.flatnonzero(geo.counts >= 2)
        v = point_at_fraction(geo, lines, t_hi) - point_at_fraction(geo, lines, t_lo)
        if fit:
            fitted = _fit_angles(geo, lines, t_lo, t_hi, p)
            usable = np.isfinite(fitted).all(axis=1) & ((fitted**2).sum(axis=1) >= 1e-20)
            v = np.where(usable[:, None], fitted, v)
        deg = _degrees(v, ex, ey)
        deg[(v**2).sum(axis=1) < 1e-20] = 0.0
        out[geo.e0 + lines] = deg
    return out


_ANGLE_PARAMS = (
    p_float("position", 0.2, "where along the line (fraction of arc length, 0 = base)"),
    p_float("window", 0.2, "span around position used for the direction (fraction)"),
    p_enum("method", ("DirectPoints", "PolynomialFit"), "direction from two points or a fit"),
    p_int("polynomial_order", 3, "order of the PolynomialFit"),
    p_float("axis_x_x", 1.0, "x component of the reference x axis"),
    p_float("axis_x_y", 0.0, "y component of the reference x axis"),
    p_float("axis_y_x", 0.0, "x component of the reference y axis"),
    p_float("axis_y_y", 1.0, "y component of the reference y axis"),
)


@element_transform(
    "CalculateLineAngle",
    "line",
    "float",
    _ANGLE_PARAMS,
    category="Lines",
    source="reference §3.2",
    output_unit=DEGREES,
)
def calculate_line_angle(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Angle of every line in degrees (atan2 from +x toward +y, y down), (-180, 180]."""
    return float_batch(batch, line_angles(batch, p, ctx).astype(np.float32))


# ---------------------------------------------------------------------- length
def line_lengths(batch: Batch, ctx: TransformContext) -> np.ndarray:
    """Sum of segment lengths of every line (0 for fewer than 2 vertices), float64."""
    offsets, coords = batch.offsets, batch.coords
    assert offsets is not None
    assert coords is not None
    out = np.zeros(offsets.size - 1, np.float64)
    for geo in iter_line_chunks(offsets, coords, ctx):
        out[geo.e0 : geo.e1] = geo.total
    return out


@element_transform(
    "CalculateLineLength",
    "line",
    "float",
    (),
    category="Lines",
    source="reference §3.2",
    output_unit=PIXELS,
)
def calculate_line_length(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Length of every line in pixels (sum of segment lengths; < 2 points → 0)."""
    return float_batch(batch, line_lengths(batch, ctx).astype(np.float32))


# ---------------------------------------------------------------------- curvature
def _group_by_count(
    geo: ChunkGeometry, lines: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Split ``lines`` by vertex count: (selection, t (k, n), xy (k, n, 2)) per group."""
    groups = []
    counts = geo.counts[lines]
    for n in np.unique(counts):
        sel_all = np.flatnonzero(counts == n)
        for g in range(0, sel_all.size, _FIT_GROUP):
            sel = sel_all[g : g + _FIT_GROUP]
            idx = geo.starts[lines[sel]][:, None] + np.arange(int(n))
            xy = geo.xy[idx]
            local = geo.cum[idx] - geo.cum[idx[:, :1]]
            total = geo.total[lines[sel]]
            t = np.empty_like(local)
            ok = total > 0
            t[ok] = local[ok] / total[ok, None]
            t[~ok] = np.arange(int(n)) / max(int(n) - 1, 1)
            groups.append((sel, t, xy))
    return groups


def line_curvatures(batch: Batch, p: Params, ctx: TransformContext) -> np.ndarray:
    """Signed curvature of every line at ``position`` (reference §3.2)."""
    offsets, coords = batch.offsets, batch.coords
    assert offsets is not None
    assert coords is not None
    order = int(p.polynomial_order)
    out = np.full(offsets.size - 1, np.nan, np.float64)
    t0 = min(max(p.position, 0.0), 1.0)
    h = min(max(p.fitting_window_percentage, 0.001), 1.0) / 2
    tm, tp = max(0.0, t0 - h), min(1.0, t0 + h)
    for geo in iter_line_chunks(offsets, coords, ctx):
        lines = np.flatnonzero((geo.counts >= 2) & (geo.counts >= order + 1))
        for sel, t, xy in _group_by_count(geo, lines):
            coef = fit_polynomials(t, xy, _order(order))
            at = eval_poly(coef, np.tile([tm, t0, tp], (sel.size, 1)))
            first = (
                (at[:, 2] - at[:, 0]) / (tp - tm) if tp - tm >= 1e-9 else np.zeros((sel.size, 2))
            )
            second = (at[:, 2] - 2 * at[:, 1] + at[:, 0]) / h**2
            speed2 = (first**2).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                kappa = (first[:, 0] * second[:, 1] - first[:, 1] * second[:, 0]) / speed2**1.5
            kappa[speed2 < 1e-9] = 0.0
            kappa[~np.isfinite(kappa)] = np.nan
            out[geo.e0 + lines[sel]] = kappa
    return out


@element_transform(
    "CalculateLineCurvature",
    "line",
    "float",
    (
        p_float("position", 0.5, "where along the line (fraction of arc length)"),
        p_enum("method", ("PolynomialFit",), "curvature from a polynomial fit"),
        p_int("polynomial_order", 3, "order of the fit (not clamped)"),
        p_float("fitting_window_percentage", 0.1, "finite-difference span (fraction, 0.001-1)"),
    ),
    category="Lines",
    output_unit=CURVATURE_UNIT,
    source="reference §3.2",
)
def calculate_line_curvature(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Signed curvature (1/pixels) of every line; < 2 or < order + 1 points → NaN."""
    return float_batch(batch, line_curvatures(batch, p, ctx).astype(np.float32))


# ---------------------------------------------------------------------- points on lines
def line_points(batch: Batch, p: Params, ctx: TransformContext) -> np.ndarray:
    """Return the point at ``position`` of every line, (E, 2) float64 (reference §3.2)."""
    offsets, coords = batch.offsets, batch.coords
    assert offsets is not None
    assert coords is not None
    out = np.zeros((offsets.size - 1, 2), np.float64)
    order = _order(p.polynomial_order)
    for geo in iter_line_chunks(offsets, coords, ctx):
        lines = np.flatnonzero(geo.counts >= 1)
        direct = lines
        if p.method == "Parametric":
            fit = lines[geo.counts[lines] >= order + 1]
            direct = lines[geo.counts[lines] < order + 1]
            u = min(max(p.position, 0.0), 1.0)
            for sel, t, xy in _group_by_count(geo, fit):
                coef = fit_polynomials(t, xy, order)
                out[geo.e0 + fit[sel]] = eval_poly(coef, np.full(sel.size, u))
        out[geo.e0 + direct] = point_at_fraction(geo, direct, p.position, p.use_interpolation)
    return out


@element_transform(
    "ExtractLinePoint",
    "line",
    "point",
    (
        p_float("position", 0.5, "fraction of arc length (0 = first vertex)"),
        p_enum("method", ("Direct", "Parametric"), "on the polyline or on a polynomial fit"),
        p_int("polynomial_order", 3, "order of the Parametric fit"),
        p_bool("use_interpolation", True, "Direct: interpolate (else the next vertex)"),
    ),
    category="Lines",
    source="reference §3.2",
)
def extract_line_point(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """One point per line at a fraction of its length; an empty line gives (0, 0)."""
    pts = line_points(batch, p, ctx)
    return Batch("point", batch.times, coords=pts.astype(np.float32), image_size=batch.image_size)


@element_transform(
    "FlipLineBase",
    "line",
    "line",
    (
        p_float("reference_x", 0.0, "x of the reference point, pixels"),
        p_float("reference_y", 0.0, "y of the reference point, pixels"),
    ),
    category="Lines",
    source="reference §3.2",
)
def flip_line_base(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Reverse every line whose last vertex is strictly closer to the reference than its first."""
    offsets, coords = batch.offsets, batch.coords
    assert offsets is not None
    assert coords is not None
    starts, ends = offsets[:-1], offsets[1:]
    many = ends - starts >= 2
    ref = np.array([p.reference_x, p.reference_y])
    flip = np.zeros(starts.size, bool)
    first = coords[starts[many]].astype(np.float64)
    last = coords[ends[many] - 1].astype(np.float64)
    flip[many] = ((last - ref) ** 2).sum(axis=1) < ((first - ref) ** 2).sum(axis=1)
    ctx.check()
    if not flip.any():
        return batch
    owner = segment_ids(offsets)
    vertex = np.arange(coords.shape[0], dtype=np.int64)
    rev = flip[owner]
    gather = vertex.copy()
    gather[rev] = (starts + ends - 1)[owner[rev]] - vertex[rev]
    return Batch(
        "line", batch.times, offsets=offsets, coords=coords[gather], image_size=batch.image_size
    )


def _map_lines(batch: Batch, ctx: TransformContext, fn: object) -> Batch:
    o, c = batch.offsets, batch.coords
    assert o is not None
    assert c is not None
    assert callable(fn)
    n = o.size - 1
    out = []
    for k in range(n):
        ctx.tick(k, n)
        out.append(fn(c[o[k] : o[k + 1]]))
    return batch_of_arrays(batch, "line", out, np.float32)


@element_transform(
    "RemoveLineOutliers",
    "line",
    "line",
    (
        p_float("error_threshold", 5.0, "largest residual kept, pixels"),
        p_int("polynomial_order", 3, "order of the fit (clamped to 1-9)"),
    ),
    category="Lines",
    source="reference §3.1",
)
def remove_line_outliers(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Drop vertices far from a polynomial fit of every line (iterated up to 10 times)."""
    return _map_lines(
        batch, ctx, lambda xy: remove_outliers(xy, p.error_threshold, p.polynomial_order)
    )


def resample(xy: np.ndarray, p: Params) -> np.ndarray:
    """Resample one line with ``p.method`` (reference §3.2 ResampleLine).

    A line with a NaN or infinite vertex (kept from WhiskerToolbox's files) has no arc
    length: it is returned unchanged, the reference's neutral result.
    """
    if xy.shape[0] <= 2 or not np.isfinite(xy).all():
        return np.asarray(xy, np.float32)
    if p.method == "DouglasPeucker":
        return douglas_peucker(xy, p.epsilon)
    if p.method == "PolynomialSmooth":
        return polynomial_smooth(xy, p.target_spacing, p.polynomial_order)
    return fixed_spacing(xy, p.target_spacing)


@element_transform(
    "ResampleLine",
    "line",
    "line",
    (
        p_enum("method", ("FixedSpacing", "DouglasPeucker", "PolynomialSmooth"), "algorithm"),
        p_float(
            "target_spacing",
            5.0,
            "arc length between vertices, pixels",
            minimum=0.0,
            exclusive_minimum=True,
        ),
        p_float(
            "epsilon", 2.0, "DouglasPeucker tolerance, pixels", minimum=0.0, exclusive_minimum=True
        ),
        p_int("polynomial_order", 3, "PolynomialSmooth order (clamped to 1-9)"),
    ),
    category="Lines",
    source="reference §3.2",
)
def resample_line(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Resample every line (fixed spacing, Douglas-Peucker or polynomial smoothing)."""
    return _map_lines(batch, ctx, lambda xy: resample(xy, p))


@element_transform(
    "ExtractLineSubsegment",
    "line",
    "line",
    (
        p_float("start_position", 0.3, "start, fraction of arc length"),
        p_float("end_position", 0.7, "end, fraction of arc length"),
        p_enum("method", ("Parametric", "Direct"), "polynomial fit or the polyline itself"),
        p_int("polynomial_order", 3, "order of the Parametric fit"),
        p_int("output_points", 50, "Parametric: number of points", minimum=2),
        p_bool("preserve_original_spacing", True, "Direct: keep original vertices only"),
    ),
    category="Lines",
    source="reference §3.2",
)
def extract_line_subsegment(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Extract the part of every line between two fractions of its length."""
    return _map_lines(
        batch,
        ctx,
        lambda xy: extract_subsegment(
            xy,
            p.start_position,
            p.end_position,
            p.method,
            p.polynomial_order,
            p.output_points,
            p.preserve_original_spacing,
        ),
    )


# ---------------------------------------------------------------------- binary
@element_transform(
    "CalculateLineMinPointDistance",
    "line",
    "float",
    (
        p_bool("use_first_line_only", True, "accepted and unused, as in WhiskerToolbox"),
        p_bool("return_squared_distance", False, "return the squared distance"),
    ),
    kind="binary_element",
    second="point",
    category="Lines",
    source="reference §3.2",
    with_context_twin=False,
)
def line_min_point_distance(a: Batch, b: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Distance (pixels) from each point to its paired line; lines < 2 points → +inf."""
    offsets, coords = a.offsets, a.coords
    assert offsets is not None
    assert coords is not None
    assert b.coords is not None
    n = offsets.size - 1
    best = np.full(n, np.inf)
    pts = b.coords.astype(np.float64)
    for e0, e1 in chunk_bounds(offsets):
        ctx.check()
        geo = chunk_geometry(offsets, coords, e0, e1)
        xy = np.asarray(geo.xy, np.float64)
        if xy.shape[0] < 2:
            continue
        owner = segment_ids(np.append(geo.starts, geo.ends[-1]))
        seg_ok = np.ones(xy.shape[0] - 1, bool)
        last = geo.ends[geo.counts > 0] - 1
        seg_ok[last[last < xy.shape[0] - 1]] = False  # no segment leaves a line's last vertex
        idx = np.flatnonzero(seg_ok)
        p0, p1 = xy[idx], xy[idx + 1]
        line = owner[idx]
        q = pts[geo.e0 + line]
        d = p1 - p0
        dd = (d**2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(dd > 0, ((q - p0) * d).sum(axis=1) / dd, 0.0)
        t = np.clip(t, 0.0, 1.0)
        dist2 = ((p0 + t[:, None] * d - q) ** 2).sum(axis=1)
        first = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
        best[geo.e0 + line[first]] = np.minimum.reduceat(dist2, first)
    out = best if p.return_squared_distance else np.sqrt(best)
    return float_batch(a, out.astype(np.float32))


@element_transform(
    "ClipLineAtReference",
    "line",
    "line",
    (p_enum("clip_side", ("KeepBase", "KeepDistal"), "part of the line to keep"),),
    kind="binary_element",
    second="line",
    category="Lines",
    source="reference §3.2",
    with_context_twin=False,
)
def clip_line_at_reference(a: Batch, b: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Cut every line at its first crossing with the paired reference line."""
    oa, ca, ob, cb = a.offsets, a.coords, b.offsets, b.coords
    assert oa is not None
    assert ca is not None
    assert ob is not None
    assert cb is not None
    out = []
    for k in range(oa.size - 1):
        ctx.tick(k, oa.size - 1)
        out.append(clip_at_reference(ca[oa[k] : oa[k + 1]], cb[ob[k] : ob[k + 1]], p.clip_side))
    return batch_of_arrays(a, "line", out, np.float32)
