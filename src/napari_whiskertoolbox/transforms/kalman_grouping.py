"""Kalman filtering of line features for WhiskerToolbox's V1 grouping operations.

Ports the parts of WhiskerToolbox's ``StateEstimation`` library that ``Line Outlier
Detection`` and ``Group Lines using Kalman Filtering`` use
(``src/StateEstimation/Filter/Kalman/KalmanMatrixBuilder.hpp``, ``KalmanFilterT.hpp``,
``Cost/CostFunctions.cpp``, ``OutlierDetection.hpp``, ``Features/Line*Extractor.hpp``), in
numpy:

* features of a line: centroid (mean of its vertices) and base point (first vertex), each
  a kinematic 2-D feature with state ``(x, y, vx, vy)``, and arc length, a static feature
  with state ``(L)``;
* a linear Kalman filter (predict; Joseph-form update) and a Rauch-Tung-Striebel smoother;
* the Mahalanobis cost ``sqrt(r^T S^-1 r)``, ``S = H P H^T + R + 1e-6 I``.

Covariances do not depend on the measurements, only on the sequence of predicts and
updates, and a filter reaches a fixed point within a few dozen steps: :class:`CovarianceCache`
memoises each covariance step (keyed by the covariance's bytes), so the per-frame loops do
matrix-vector work only and give bitwise the results of the plain formulas.

The grouping itself (:func:`kalman_assign`) replaces WhiskerToolbox's min-cost-flow tracker
(OR-Tools) by frame-by-frame tracking: every anchor group's track is predicted one frame at
a time and the tracks compete for the frame's ungrouped lines through
:func:`scipy.optimize.linear_sum_assignment` on the Mahalanobis cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.transforms._geometry import iter_line_chunks, point_at_fraction

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from napari_whiskertoolbox.core.lines import LineData
    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = [
    "CovarianceCache",
    "KalmanModel",
    "LineTable",
    "kalman_assign",
    "line_table",
    "mahalanobis",
    "outlier_entities",
    "rts_smooth",
]


_REG = 1e-6  # added to the innovation covariance's diagonal (CostFunctions.cpp)
KINEMATIC_P0 = 100.0  # initial variance of a kinematic feature (LineCentroidExtractor)
STATIC_P0 = 25.0  # initial variance of the length (LineLengthExtractor)


@dataclass(frozen=True)
class LineTable:
    """Per-line features of a LineData in storage order (time, then insertion order).

    Attributes
    ----------
    times : (E,) int64
        Frame of each line.
    ids : (E,) uint64
        Entity id of each line.
    centroid, base : (E, 2) float64
        Mean of the vertices; first vertex (``(0, 0)`` for an empty line, as in
        WhiskerToolbox).
    length : (E,) float64
        Arc length (0 for fewer than two vertices).
    """

    times: np.ndarray
    ids: np.ndarray
    centroid: np.ndarray
    base: np.ndarray
    length: np.ndarray

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Return the rows holding the entity ids ``ids`` that are lines of this table."""
        return np.flatnonzero(np.isin(self.ids, np.asarray(ids, np.uint64)))


def line_table(lines: LineData, ctx: TransformContext) -> LineTable:
    """Compute the features of every line of ``lines`` (vectorised over flat storage)."""
    flat = lines.to_flat()
    offsets, coords = flat.offsets, flat.coords
    assert offsets is not None
    counts = np.diff(offsets)
    n = counts.size
    xy = np.asarray(coords, np.float64)
    sums = np.zeros((n, 2))
    nonempty = counts > 0
    if xy.shape[0]:
        np.add.at(sums, np.repeat(np.arange(n), counts), xy)
    centroid = np.zeros((n, 2))
    centroid[nonempty] = sums[nonempty] / counts[nonempty, None]
    base = np.zeros((n, 2))
    base[nonempty] = xy[offsets[:-1][nonempty]]
    length = np.zeros(n)
    for geo in iter_line_chunks(offsets, coords, ctx):
        length[geo.e0 : geo.e1] = geo.total
    return LineTable(np.asarray(flat.times), np.asarray(flat.ids), centroid, base, length)


def points_at_fraction(lines: LineData, fraction: float, ctx: TransformContext) -> np.ndarray:
    """Return the point at arc-length ``fraction`` of every line (interpolated), (E, 2).

    As WhiskerToolbox's ``point_at_fractional_position(line, fraction, true)``; an empty
    line gives NaN (WhiskerToolbox: no point, an infinite distance).
    """
    flat = lines.to_flat()
    offsets, coords = flat.offsets, flat.coords
    assert offsets is not None
    out = np.full((offsets.size - 1, 2), np.nan)
    for geo in iter_line_chunks(offsets, coords, ctx):
        rows = np.flatnonzero(geo.counts >= 1)
        out[geo.e0 + rows] = point_at_fraction(geo, rows, fraction, True)
    return out


@dataclass(frozen=True)
class KalmanModel:
    """The matrices of a block-diagonal constant-velocity model (KalmanMatrixBuilder).

    The state holds ``(x, y, vx, vy)`` for each of ``n_kinematic`` 2-D features, then one
    value per static feature; the measurement holds the positions and the static values.
    """

    F: np.ndarray
    H: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    P0: np.ndarray
    n_kinematic: int

    @classmethod
    def build(
        cls,
        n_kinematic: int,
        *,
        dt: float,
        process_noise_position: float,
        process_noise_velocity: float,
        static_noise_scale: float,
        measurement_noise_position: float,
        measurement_noise_static: float,
    ) -> KalmanModel:
        """Build F, H, Q, R and the initial covariance for ``n_kinematic`` + one static feature.

        Q is ``diag(qp**2, qp**2, qv**2, qv**2)`` per kinematic block (``qp``, ``qv`` the
        position and velocity process noise) and ``static_noise_scale * qp**2`` for the
        static value; R is the squared measurement noise of each measured value; P0 is 100 per kinematic state and 25 for the static one (the extractors'
        initial states).
        """
        ns, nm = 4 * n_kinematic + 1, 2 * n_kinematic + 1
        F, H = np.eye(ns), np.zeros((nm, ns))
        q, r, p0 = np.zeros(ns), np.zeros(nm), np.zeros(ns)
        pos_var, vel_var = process_noise_position**2, process_noise_velocity**2
        for k in range(n_kinematic):
            s, m = 4 * k, 2 * k
            F[s, s + 2] = F[s + 1, s + 3] = dt
            H[m, s] = H[m + 1, s + 1] = 1.0
            q[s : s + 4] = (pos_var, pos_var, vel_var, vel_var)
            r[m : m + 2] = measurement_noise_position**2
            p0[s : s + 4] = KINEMATIC_P0
        H[-1, -1] = 1.0
        q[-1] = static_noise_scale * pos_var
        r[-1] = measurement_noise_static**2
        p0[-1] = STATIC_P0
        return cls(F, H, np.diag(q), np.diag(r), np.diag(p0), n_kinematic)

    def initial_state(self, z: np.ndarray) -> np.ndarray:
        """Return the state of a first measurement ``z`` (positions, zero velocities)."""
        x = np.zeros(self.F.shape[0])
        for k in range(self.n_kinematic):
            x[4 * k : 4 * k + 2] = z[2 * k : 2 * k + 2]
        x[-1] = z[-1]
        return x

    def predict(self, x: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(F x, F P F^T + Q)`` (symmetrised)."""
        return self.F @ x, self.predict_covariance(P)

    def update(self, x: np.ndarray, P: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the state after measuring ``z`` (Joseph form, symmetrised)."""
        K, P = self.update_gain(P)
        return x + K @ (z - self.H @ x), P

    # The covariance steps: they depend on covariances only, never on the measurements, so
    # CovarianceCache can memoise them.
    def predict_covariance(self, P: np.ndarray) -> np.ndarray:
        """Return ``F P F^T + Q`` (symmetrised)."""
        P = self.F @ P @ self.F.T + self.Q
        return (P + P.T) / 2

    def update_gain(self, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the gain ``K`` of a measurement update and the covariance ``P'`` after it."""
        S = self.H @ P @ self.H.T + self.R
        K = np.linalg.solve(S, self.H @ P).T  # P H^T S^-1 (S, P symmetric)
        A = np.eye(P.shape[0]) - K @ self.H
        P = A @ P @ A.T + K @ self.R @ K.T
        return K, (P + P.T) / 2

    def smoother_gain(self, P: np.ndarray) -> np.ndarray:
        """Return the RTS gain ``P F^T (F P F^T + Q)^-1`` of a filtered covariance ``P``."""
        return np.linalg.solve(self.predict_covariance(P), self.F @ P).T

    def smoothed_covariance(
        self, P: np.ndarray, C: np.ndarray, P_next_smoothed: np.ndarray
    ) -> np.ndarray:
        """Return the smoothed covariance of a step from its filtered ``P`` and gain ``C``."""
        P = P + C @ (P_next_smoothed - self.predict_covariance(P)) @ C.T
        return (P + P.T) / 2

    def innovation_covariance(self, P: np.ndarray) -> np.ndarray:
        """Return ``S = H P H^T + R + 1e-6 I`` of :func:`mahalanobis`."""
        return self.H @ P @ self.H.T + self.R + _REG * np.eye(self.H.shape[0])


_CACHE_LIMIT = 10_000  # entries per table (at most ~20 MB); cleared when it grows past this


class CovarianceCache:
    """Memoised covariance steps of one :class:`KalmanModel` (exact: the model's own).

    Each table maps the bytes of the covariance(s) a step starts from to what the model's
    ``predict_covariance``, ``update_gain``, ``smoother_gain``, ``smoothed_covariance`` and
    ``innovation_covariance`` compute from them, so a track at the filter's fixed point
    costs a dictionary look-up per step instead of a handful of small matrix products and
    solves. It has the model's method names: :func:`rts_smooth` takes either.
    """

    def __init__(self, model: KalmanModel) -> None:
        self.model = model
        self._tables: dict[str, dict[bytes, Any]] = {}

    def _memo(self, step: str, key: bytes, compute: Callable[[], Any]) -> Any:
        table = self._tables.setdefault(step, {})
        out = table.get(key)
        if out is None:
            if len(table) > _CACHE_LIMIT:
                table.clear()
            out = table[key] = compute()
        return out

    def predict_covariance(self, P: np.ndarray) -> np.ndarray:
        """Return :meth:`KalmanModel.predict_covariance` of ``P``."""
        return self._memo("predict", P.tobytes(), lambda: self.model.predict_covariance(P))

    def update_gain(self, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return :meth:`KalmanModel.update_gain` of ``P``: ``(K, P')``."""
        return self._memo("update", P.tobytes(), lambda: self.model.update_gain(P))

    def smoother_gain(self, P: np.ndarray) -> np.ndarray:
        """Return :meth:`KalmanModel.smoother_gain` of ``P``."""
        return self._memo("gain", P.tobytes(), lambda: self.model.smoother_gain(P))

    def smoothed_covariance(
        self, P: np.ndarray, C: np.ndarray, P_next_smoothed: np.ndarray
    ) -> np.ndarray:
        """Return :meth:`KalmanModel.smoothed_covariance` (``C`` is ``P``'s smoother gain)."""
        return self._memo(
            "smooth",
            P.tobytes() + P_next_smoothed.tobytes(),
            lambda: self.model.smoothed_covariance(P, C, P_next_smoothed),
        )

    def innovation_covariance(self, P: np.ndarray) -> np.ndarray:
        """Return :meth:`KalmanModel.innovation_covariance` of ``P``."""
        return self._memo("innovation", P.tobytes(), lambda: self.model.innovation_covariance(P))

    def costs(self, Ps: Sequence[np.ndarray], residuals: np.ndarray) -> np.ndarray:
        """Return :func:`mahalanobis` for several states at once, (T, k).

        ``residuals`` is (T, k, m): ``z - H x`` of k measurements against each state, whose
        covariance is ``Ps[t]``. One stacked solve (numpy runs LAPACK per matrix, as for
        one): the numbers of T calls of :func:`mahalanobis`.
        """
        S = np.stack([self.innovation_covariance(P) for P in Ps])
        try:
            solved = np.linalg.solve(S, residuals.transpose(0, 2, 1)).transpose(0, 2, 1)
        except np.linalg.LinAlgError:  # a singular S: one by one, with the pseudo-inverse
            return np.stack([_mahalanobis_solve(Si, ri) for Si, ri in zip(S, residuals)])
        d2 = np.einsum("tij,tij->ti", residuals, solved)
        return np.sqrt(np.clip(d2, 0.0, None))


def _mahalanobis_solve(S: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Return ``sqrt(r_i^T S^-1 r_i)`` for the rows of ``r`` (pseudo-inverse if singular)."""
    try:
        solved = np.linalg.solve(S, r.T).T
    except np.linalg.LinAlgError:
        solved = r @ np.linalg.pinv(S, rcond=1e-10).T
    d2 = np.einsum("ij,ij->i", r, solved)
    return np.sqrt(np.clip(d2, 0.0, None))


def rts_smooth(
    model: KalmanModel,
    xs: Sequence[np.ndarray],
    Ps: Sequence[np.ndarray],
    covariances: CovarianceCache | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Rauch-Tung-Striebel smoothing of filtered states ``xs``/``Ps`` (one step apart).

    ``covariances``, when given, memoises the covariance steps of ``model``.
    """
    steps = covariances if covariances is not None else model
    xs_s, Ps_s = list(xs), list(Ps)
    for k in range(len(xs) - 2, -1, -1):
        C = steps.smoother_gain(Ps[k])
        xs_s[k] = xs[k] + C @ (xs_s[k + 1] - model.F @ xs[k])
        Ps_s[k] = steps.smoothed_covariance(Ps[k], C, Ps_s[k + 1])
    return xs_s, Ps_s


def mahalanobis(model: KalmanModel, x: np.ndarray, P: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Return ``sqrt(r^T S^-1 r)`` for measurements ``z`` ((m,) or (k, m)) against state ``x``.

    ``r = z - H x``, ``S = H P H^T + R`` with 1e-6 added to its diagonal; a singular ``S``
    falls back to the pseudo-inverse (CostFunctions.cpp).
    """
    r = np.atleast_2d(z) - model.H @ x
    out = _mahalanobis_solve(model.innovation_covariance(P), r)
    return out if np.ndim(z) > 1 else out[0]


def outlier_entities(
    model: KalmanModel,
    frames: np.ndarray,
    measurements: np.ndarray,
    threshold: float,
    warmup: int = 3,
    covariances: CovarianceCache | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Flag the measurements of one group that its smoothed track does not explain.

    Port of WhiskerToolbox's ``OutlierDetection::process`` for one group: filter forward
    over the group's frames (one predict per measurement), smooth backward (RTS), and flag
    every measurement after the first ``warmup`` whose Mahalanobis cost against its smoothed
    state exceeds ``threshold``.

    Parameters
    ----------
    model : KalmanModel
    frames : (n,) int
        Sorted frames of the group's measurements (for the caller's bookkeeping).
    measurements : (n, m) float
        One measurement per frame.
    threshold : float
        Mahalanobis distance above which a measurement is an outlier.
    warmup : int
        Leading measurements never flagged (WhiskerToolbox: 3).
    covariances : CovarianceCache, optional
        The memoised covariance steps of ``model``, shared between the groups of one run
        (their covariances are the same step for step).

    Returns
    -------
    flags : (n,) bool
        Outliers.
    costs : (n,) float
        The cost of every measurement (NaN for the warm-up and when fewer than two).
    """
    n = frames.size
    costs = np.full(n, np.nan)
    if n < 2:
        return np.zeros(n, bool), costs
    cov = covariances if covariances is not None else CovarianceCache(model)
    F, H = model.F, model.H
    x, P = model.initial_state(measurements[0]), model.P0.copy()
    xs, Ps = [], []
    for z in measurements:  # model.predict, model.update with memoised covariances
        x, P = F @ x, cov.predict_covariance(P)
        K, P = cov.update_gain(P)
        x = x + K @ (z - H @ x)
        xs.append(x)
        Ps.append(P)
    xs, Ps = rts_smooth(model, xs, Ps, cov)
    if n > warmup:
        r = measurements[warmup:] - np.stack([H @ xs[k] for k in range(warmup, n)])
        costs[warmup:] = cov.costs(Ps[warmup:], r[:, None, :])[:, 0]
    return np.nan_to_num(costs, nan=-np.inf) > threshold, costs


@dataclass
class _Track:
    group: str
    anchors: dict[int, int]  # frame -> row of the anchor line
    start: int
    end: int
    x: np.ndarray
    P: np.ndarray
    frame: int


def kalman_assign(
    model: KalmanModel,
    table: LineTable,
    features: np.ndarray,
    anchors: dict[str, dict[int, int]],
    free: np.ndarray,
    gate: float,
    ctx: TransformContext,
) -> dict[str, list[int]]:
    """Assign free lines to anchor groups by Kalman tracking between their anchors.

    Every group with anchors on at least two frames gets a track from its first to its last
    anchor frame, started from its first anchor. Frame by frame (frames with lines only),
    each track is predicted once per frame elapsed; a track with an anchor on the frame is
    updated with it; the other tracks compete for the frame's free lines through
    :func:`scipy.optimize.linear_sum_assignment` on the Mahalanobis cost, and a pair is
    kept when its cost is at most ``gate`` (the track is then updated with that line,
    otherwise it coasts).

    Parameters
    ----------
    model : KalmanModel
    table : LineTable
    features : (E, m) float
        The measurement of every line of ``table``.
    anchors : dict
        ``{group: {frame: row}}`` of the grouped lines.
    free : (E,) bool
        Lines that may be assigned (in no group).
    gate : float
        Largest Mahalanobis cost accepted.
    ctx : TransformContext
        Progress and cancel.

    Returns
    -------
    dict
        ``{group: rows assigned}`` for each tracked group (possibly empty).
    """
    from scipy.optimize import linear_sum_assignment

    tracks = []
    for group, by_frame in anchors.items():
        if len(by_frame) < 2:
            continue
        start, end = min(by_frame), max(by_frame)
        z0 = features[by_frame[start]]
        tracks.append(
            _Track(group, by_frame, start, end, model.initial_state(z0), model.P0.copy(), start)
        )
    out: dict[str, list[int]] = {t.group: [] for t in tracks}
    if not tracks:
        return out
    cov, F, H = CovarianceCache(model), model.F, model.H

    def _update(tr: _Track, z: np.ndarray) -> None:  # model.update, memoised covariance
        K, P = cov.update_gain(tr.P)
        tr.x, tr.P = tr.x + K @ (z - H @ tr.x), P

    lo, hi = min(t.start for t in tracks), max(t.end for t in tracks)
    frames = np.unique(table.times)
    order = np.argsort(table.times, kind="stable")
    bounds = np.searchsorted(table.times[order], frames)
    bounds = np.append(bounds, order.size)
    span = np.flatnonzero((frames > lo) & (frames <= hi))
    for done, i in enumerate(span):
        ctx.tick(done, span.size)
        t = int(frames[i])
        rows = order[bounds[i] : bounds[i + 1]]
        active = [tr for tr in tracks if tr.start < t <= tr.end]
        competing = []
        for tr in active:
            for _ in range(t - tr.frame):  # model.predict, memoised covariance
                tr.x, tr.P = F @ tr.x, cov.predict_covariance(tr.P)
            tr.frame = t
            if t in tr.anchors:
                _update(tr, features[tr.anchors[t]])
            else:
                competing.append(tr)
        candidates = rows[free[rows]]
        if not competing or candidates.size == 0:
            continue
        z = features[candidates]
        cost = cov.costs([tr.P for tr in competing], np.stack([z - H @ tr.x for tr in competing]))
        ti, ci = linear_sum_assignment(cost)
        for a, b in zip(ti, ci, strict=True):
            if cost[a, b] <= gate:
                tr, row = competing[a], int(candidates[b])
                _update(tr, features[row])
                out[tr.group].append(row)
                free[row] = False
    return out
