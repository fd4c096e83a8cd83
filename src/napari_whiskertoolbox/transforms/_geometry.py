"""Vectorised polyline geometry shared by the line transforms (reference §3.2).

Everything works on flat line storage: ``offsets`` (E + 1,) and ``coords`` (P, 2) as
``LineData.to_flat()`` gives them, in chunks of whole lines so that temporaries stay small.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = [
    "ChunkGeometry",
    "eval_poly",
    "fit_polynomials",
    "iter_line_chunks",
    "normalised_arc",
    "point_at_fraction",
]

CHUNK_VERTICES = 1 << 17
MIN_LENGTH = 1e-6


@dataclass(frozen=True)
class ChunkGeometry:
    """Arc-length bookkeeping for a run of whole lines.

    Attributes
    ----------
    e0, e1 : int
        The lines ``e0 .. e1 - 1`` of the batch.
    starts, ends : (k,) int64
        Vertex range of each line inside ``xy``.
    xy : (p, 2) array
        The chunk's vertices (a view of the storage, float32 for lines).
    cum : (p,) float64
        Cumulative arc length over the chunk; zero across line boundaries, so
        ``cum[v] - cum[starts[line]]`` is the distance along the line to vertex ``v``;
        a segment touching a NaN or infinite vertex counts 0, so ``cum`` stays sorted.
    total : (k,) float64
        Length of every line (0 for fewer than two vertices; NaN for a line with a NaN or
        infinite vertex, whose NaN reaches no other line of the chunk).
    """

    e0: int
    e1: int
    starts: np.ndarray
    ends: np.ndarray
    xy: np.ndarray
    cum: np.ndarray
    total: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Return the vertex count of every line."""
        return self.ends - self.starts


def chunk_bounds(offsets: np.ndarray, max_vertices: int = CHUNK_VERTICES) -> list[tuple[int, int]]:
    """Split lines ``0 .. E-1`` into runs of whole lines of about ``max_vertices`` vertices."""
    n_lines = offsets.size - 1
    if n_lines <= 0:
        return []
    marks = np.arange(max_vertices, int(offsets[-1]), max_vertices)
    cuts = np.unique(np.searchsorted(offsets, marks, side="right") - 1)
    cuts = cuts[(cuts > 0) & (cuts < n_lines)]
    edges = [0, *cuts.tolist(), n_lines]
    return list(itertools.pairwise(edges))


def chunk_geometry(offsets: np.ndarray, coords: np.ndarray, e0: int, e1: int) -> ChunkGeometry:
    """Return the :class:`ChunkGeometry` of lines ``e0 .. e1 - 1``."""
    base = int(offsets[e0])
    local = offsets[e0 : e1 + 1] - base
    xy = coords[base : int(offsets[e1])]  # a view, in the storage dtype
    p = xy.shape[0]
    cum = np.zeros(p, np.float64)
    if p > 1:
        d = np.diff(xy, axis=0)
        np.multiply(d, d, out=d)
        seg = d[:, 0] + d[:, 1]
        np.sqrt(seg, out=seg)
        inner = local[1:-1]
        inner = inner[(inner > 0) & (inner < p)]
        seg[inner - 1] = 0.0  # the step from one line's last vertex to the next line's first
        nonfinite = np.flatnonzero(~np.isfinite(seg))
        seg[nonfinite] = 0.0  # a NaN vertex must not reach the next lines' sums
        np.cumsum(seg, dtype=np.float64, out=cum[1:])
    else:
        nonfinite = np.empty(0, np.intp)
    starts = local[:-1]
    ends = local[1:]
    total = np.zeros(starts.size, np.float64)
    many = ends - starts >= 2
    total[many] = cum[ends[many] - 1] - cum[starts[many]]
    if nonfinite.size:  # lines with a NaN or infinite vertex: NaN arc length
        bad = np.unique(np.searchsorted(local, nonfinite + 1, side="right") - 1)
        total[bad] = np.nan
    return ChunkGeometry(e0, e1, starts, ends, xy, cum, total)


def iter_line_chunks(
    offsets: np.ndarray,
    coords: np.ndarray,
    ctx: TransformContext,
    max_vertices: int = CHUNK_VERTICES,
) -> Iterator[ChunkGeometry]:
    """Yield the geometry of runs of whole lines, reporting progress and checking cancel."""
    bounds = chunk_bounds(offsets, max_vertices)
    n = offsets.size - 1
    for e0, e1 in bounds:
        ctx.progress(e0 / n)
        yield chunk_geometry(offsets, coords, e0, e1)
    ctx.progress(1.0)


def point_at_fraction(
    geo: ChunkGeometry,
    lines: np.ndarray,
    fraction: np.ndarray | float,
    interpolate: bool = True,
) -> np.ndarray:
    """Return the point at arc-length ``fraction`` of each line (reference §3.2 helper).

    The fraction is clamped to ``[0, 1]``; a line shorter than 1e-6 gives its first vertex;
    otherwise the first vertex whose distance along the line is ``>= fraction * length``
    is found and, with ``interpolate``, the point is interpolated inside the segment ending
    there (a segment shorter than 1e-6 gives its start vertex); without interpolation that
    vertex itself is returned.

    Parameters
    ----------
    geo : ChunkGeometry
        The chunk.
    lines : (k,) int array
        Chunk-local line numbers; every line must have at least one vertex.
    fraction : float or (k,) array
        Position along each line.
    interpolate : bool
        Interpolate inside the segment (True) or return the next vertex (False).

    Returns
    -------
    (k, 2) float64
    """
    s = geo.starts[lines]
    e = geo.ends[lines]
    total = geo.total[lines]
    frac = np.clip(fraction, 0.0, 1.0)
    base = geo.cum[s]
    target = base + frac * total
    idx = np.searchsorted(geo.cum, target, side="left")
    idx = np.minimum(np.maximum(idx, s), e - 1)
    out = geo.xy[idx].astype(np.float64)
    short = total < MIN_LENGTH
    out[short] = geo.xy[s[short]]
    if not interpolate:
        return out
    inside = (~short) & (idx > s)
    if inside.any():
        i = idx[inside]
        seg = geo.cum[i] - geo.cum[i - 1]
        prev = geo.xy[i - 1].astype(np.float64)
        nxt = geo.xy[i].astype(np.float64)
        ok = seg >= MIN_LENGTH
        r = np.zeros(i.size)
        r[ok] = np.clip((target[inside][ok] - geo.cum[i - 1][ok]) / seg[ok], 0.0, 1.0)
        out[inside] = prev + r[:, None] * (nxt - prev)
    return out


def normalised_arc(xy: np.ndarray) -> np.ndarray:
    """Return the normalised cumulative arc length ``t`` in ``[0, 1]`` of one line.

    A zero-length line uses ``i / (n - 1)`` (reference §3.1 RemoveLineOutliers).
    """
    n = xy.shape[0]
    if n < 2:
        return np.zeros(n)
    seg = np.hypot(*np.diff(np.asarray(xy, np.float64), axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if cum[-1] <= 0:
        return np.arange(n) / (n - 1)
    return cum / cum[-1]


def fit_polynomials(t: np.ndarray, y: np.ndarray, order: int) -> np.ndarray:
    """Least-squares polynomial fits of many curves at once.

    Parameters
    ----------
    t : (k, n) or (n,) array
        Parameter values per curve (a 1-D ``t`` is shared by every curve).
    y : (k, n, d) array
        Values to fit (e.g. ``d = 2`` for x and y).
    order : int
        Polynomial degree (>= 0).

    Returns
    -------
    (k, order + 1, d) float64
        Monomial coefficients, lowest degree first (``numpy.polynomial`` order).

    Notes
    -----
    Uses the pseudo-inverse of the Vandermonde matrix (``numpy.linalg.pinv``, batched), so
    rank-deficient fits give the minimum-norm least-squares solution instead of failing.
    """
    powers = np.arange(order + 1)
    vander = np.asarray(t, np.float64)[..., None] ** powers
    pinv = np.linalg.pinv(vander)
    return np.matmul(pinv, np.asarray(y, np.float64))


def eval_poly(coef: np.ndarray, u: np.ndarray, derivative: int = 0) -> np.ndarray:
    """Evaluate fitted polynomials (or a derivative) at ``u``.

    Parameters
    ----------
    coef : (k, m, d) array
        Coefficients from :func:`fit_polynomials`.
    u : (k,) or (k, s) array
        Where to evaluate each curve.
    derivative : int
        Order of the derivative.

    Returns
    -------
    (k, d) or (k, s, d) float64
    """
    c = coef
    for _ in range(derivative):
        m = c.shape[1]
        if m <= 1:
            c = np.zeros_like(c[:, :1])
            break
        c = c[:, 1:] * np.arange(1, m)[None, :, None]
    u = np.asarray(u, np.float64)
    scalar = u.ndim == 1
    uu = u[:, None] if scalar else u
    out = np.zeros((*uu.shape, c.shape[2]))
    for j in range(c.shape[1] - 1, -1, -1):  # Horner
        out = out * uu[..., None] + c[:, j][:, None, :]
    return out[:, 0] if scalar else out
