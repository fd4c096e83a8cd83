"""TensorData transforms (reference §3.8).

PCA, ICA, robust PCA, t-SNE, common-average reference, whitening, central differences and
temporal neighbours.

Every transform needs a 2-D tensor; rows keep their descriptor (frame indices, intervals
or ordinals) and the input clock. Decompositions use scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.transforms.child_process import run_stoppable
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import (
    Params,
    p_bool,
    p_enum,
    p_float,
    p_int,
    p_list,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound

__all__ = ["robust_pca"]


_NAN = p_enum(
    "nan_policy", ("Propagate", "Fail", "Drop"), "rows with NaN/Inf: keep as NaN, fail, or drop"
)
_BOUNDARY = p_enum("boundary_policy", ("NaN", "Drop", "Clamp", "Zero"), "rows beyond the ends")


def _matrix(tensor: TensorData, owner: str) -> np.ndarray:
    if tensor.ndim != 2:
        raise TransformError(f"needs a 2-D tensor, got shape {tensor.shape}", transform=owner)
    return np.asarray(tensor.values, np.float64)


def _names(tensor: TensorData) -> list[str]:
    n = tensor.shape[1]
    return list(tensor.column_names) if tensor.column_names else [f"col{i}" for i in range(n)]


def _result(
    tensor: TensorData, values: np.ndarray, names: list[str], rows: np.ndarray | None = None
) -> TensorData:
    """Build a tensor with the input's row descriptor (``rows`` selects a subset)."""
    labels = tensor.rows
    if labels is not None and rows is not None:
        labels = labels[rows]
    return TensorData(values, column_names=names, row_type=tensor.row_type, rows=labels)


def _decompose(
    tensor: TensorData,
    p: Params,
    owner: str,
    prefix: str,
    n_out: int,
    fit: Any,
    min_columns: int = 1,
) -> TensorData:
    """Apply ``fit(finite_rows) -> (m, n_out)`` with the NaN policy (reference §3.8)."""
    x = _matrix(tensor, owner)
    if x.shape[1] < min_columns:
        raise TransformError(
            f"needs at least {min_columns} columns, got {x.shape[1]}", transform=owner
        )
    finite = np.isfinite(x).all(axis=1)
    if p.nan_policy == "Fail" and not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise TransformError(f"row {bad} holds NaN or Inf (nan_policy 'Fail')", transform=owner)
    if finite.sum() < 2:
        raise TransformError(
            f"needs at least 2 finite rows, got {int(finite.sum())}", transform=owner
        )
    projected = np.asarray(fit(x[finite]), np.float64)
    names = [f"{prefix}{i + 1}" for i in range(n_out)]
    if p.nan_policy == "Drop":
        return _result(tensor, projected, names, np.flatnonzero(finite))
    out = np.full((x.shape[0], n_out), np.nan)
    out[finite] = projected
    return _result(tensor, out, names)


def _components(p: Params, x: TensorData, owner: str) -> int:
    k = int(p.n_components)
    n_cols = x.shape[1] if x.ndim == 2 else 0
    if not 1 <= k <= n_cols:
        raise TransformError(
            f"parameter 'n_components' = {k} is invalid; expected 1 to {n_cols} (the column count)",
            transform=owner,
            parameter="n_components",
            value=k,
        )
    return k


@container_transform(
    "TensorPCA",
    ("tensor",),
    "tensor",
    (p_int("n_components", 2, "number of principal components", minimum=1), _NAN),
    category="Tensors",
    source="reference §3.8",
)
def tensor_pca(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Project the rows on the principal components (columns PC1…PCk; signs arbitrary)."""
    from sklearn.decomposition import PCA

    t: TensorData = inputs[0].data
    k = _components(p, t, "TensorPCA")
    return _decompose(
        t,
        p,
        "TensorPCA",
        "PC",
        k,
        lambda x: PCA(n_components=k, svd_solver="full").fit_transform(x),
    )


def _ica_sources(x: np.ndarray, n: int) -> np.ndarray:
    """Return scikit-learn FastICA's sources of the rows of ``x`` (run in a child process)."""
    from sklearn.decomposition import FastICA

    return np.asarray(
        FastICA(n_components=n, whiten="unit-variance", max_iter=1000).fit_transform(x)
    )


@container_transform(
    "TensorICA",
    ("tensor",),
    "tensor",
    (
        p_float("noise_std_dev", 0.175, "RADICAL augmentation noise (FastICA ignores it)"),
        p_int("replicates", 30, "RADICAL replicates (FastICA ignores it)", minimum=1),
        p_int("angles", 150, "RADICAL angles searched (FastICA ignores it)", minimum=1),
        p_int("sweeps", 0, "RADICAL sweeps (FastICA ignores it)", minimum=0),
        _NAN,
    ),
    category="Tensors",
    source="reference §3.8 (WhiskerToolbox uses RADICAL; here scikit-learn FastICA)",
)
def tensor_ica(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Independent components of the columns (IC1…; scikit-learn FastICA, non-deterministic).

    FastICA cannot stop between iterations, so it runs in a child process that a cancel ends.
    """
    t: TensorData = inputs[0].data
    n = t.shape[1] if t.ndim == 2 else 0

    def fit(x: np.ndarray) -> np.ndarray:
        return np.asarray(run_stoppable(_ica_sources, (x, n), ctx, "TensorICA"))

    return _decompose(t, p, "TensorICA", "IC", n, fit, min_columns=2)


def robust_pca(
    x: np.ndarray, lam: float, tol: float, max_iter: int, ctx: TransformContext
) -> np.ndarray:
    """Low-rank part L of ``x = L + S`` by principal component pursuit (inexact ALM).

    ``lam`` 0 means 1/sqrt(max(rows, columns)). Stops when ``||x - L - S||_F <= tol ||x||_F``
    or after ``max_iter`` iterations.
    """
    m, n = x.shape
    lam = lam if lam > 0 else 1.0 / np.sqrt(max(m, n))
    norm_x = np.linalg.norm(x)
    if norm_x == 0:
        return x.copy()
    two = np.linalg.norm(x, 2)
    y = x / max(two, np.abs(x).max() / lam)
    mu = float(1.25 / two)
    rho = 1.5
    low = np.zeros_like(x)
    sparse = np.zeros_like(x)
    for _ in range(max_iter):
        ctx.check()
        u, s, vt = np.linalg.svd(x - sparse + y / mu, full_matrices=False)
        low = (u * np.maximum(s - 1 / mu, 0)) @ vt
        resid = x - low + y / mu
        sparse = np.sign(resid) * np.maximum(np.abs(resid) - lam / mu, 0)
        z = x - low - sparse
        y = y + mu * z
        mu = min(float(mu) * rho, 1e7)
        if np.linalg.norm(z) <= tol * norm_x:
            break
    return low


@container_transform(
    "TensorRobustPCA",
    ("tensor",),
    "tensor",
    (
        p_int("n_components", 2, "number of components", minimum=1),
        p_float("lambda", 0.0, "sparsity weight (0 = 1/sqrt(max(rows, columns)))", minimum=0.0),
        p_float("tol", 1e-5, "relative convergence tolerance", minimum=0.0, exclusive_minimum=True),
        p_int("max_iter", 100, "iterations", minimum=1),
        _NAN,
    ),
    category="Tensors",
    source="reference §3.8",
)
def tensor_robust_pca(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Principal components of the low-rank part of a robust (L + S) decomposition."""
    from sklearn.decomposition import PCA

    t: TensorData = inputs[0].data
    k = _components(p, t, "TensorRobustPCA")

    def fit(x: np.ndarray) -> np.ndarray:
        low = robust_pca(x, p["lambda"], p.tol, p.max_iter, ctx)
        return PCA(n_components=k, svd_solver="full").fit_transform(low)

    return _decompose(t, p, "TensorRobustPCA", "RPCA", k, fit)


def _tsne_embedding(
    x: np.ndarray, k: int, perplexity: float, angle: float, method: str
) -> np.ndarray:
    """Return scikit-learn's t-SNE embedding of the rows of ``x`` (run in a child process)."""
    from sklearn.manifold import TSNE

    return np.asarray(
        TSNE(n_components=k, perplexity=perplexity, angle=angle, method=method).fit_transform(x)
    )


@container_transform(
    "TensorTSNE",
    ("tensor",),
    "tensor",
    (
        p_int("n_components", 2, "embedding dimensions", minimum=1),
        p_float(
            "perplexity",
            30.0,
            "effective number of neighbours",
            minimum=0.0,
            exclusive_minimum=True,
        ),
        p_float("theta", 0.5, "Barnes-Hut accuracy (scikit-learn 'angle')", minimum=0.0),
        _NAN,
    ),
    category="Tensors",
    source="reference §3.8",
)
def tensor_tsne(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """t-SNE embedding of the rows (columns tSNE1…; scikit-learn, non-deterministic).

    scikit-learn cannot stop between iterations, so it runs in a child process that a
    cancel terminates.
    """
    t: TensorData = inputs[0].data
    k = int(p.n_components)

    def fit(x: np.ndarray) -> np.ndarray:
        if p.perplexity >= x.shape[0]:
            raise TransformError(
                f"parameter 'perplexity' = {p.perplexity:g} is invalid; expected less than the "
                f"{x.shape[0]} rows",
                transform="TensorTSNE",
                parameter="perplexity",
                value=p.perplexity,
            )
        method = "barnes_hut" if k < 4 else "exact"
        args = (x, k, float(p.perplexity), float(p.theta), method)
        return np.asarray(run_stoppable(_tsne_embedding, args, ctx, "TensorTSNE"))

    return _decompose(t, p, "TensorTSNE", "tSNE", k, fit)


def _included(n: int, exclude: list[int], owner: str) -> np.ndarray:
    bad = [c for c in exclude if not 0 <= c < n]
    if bad:
        raise TransformError(
            f"parameter 'exclude_channels' = {exclude} holds {bad[0]}, not a column index (0-{n - 1})",
            transform=owner,
            parameter="exclude_channels",
            value=exclude,
        )
    keep = np.ones(n, bool)
    keep[list(exclude)] = False
    if not keep.any():
        raise TransformError(
            "every channel is excluded",
            transform=owner,
            parameter="exclude_channels",
            value=exclude,
        )
    return keep


@container_transform(
    "TensorCAR",
    ("tensor",),
    "tensor",
    (
        p_enum("method", ("Median", "Mean"), "reference computed from the included channels"),
        p_list("exclude_channels", "int", [], "column indices left out of the reference"),
        p_bool("use_gpu", False, "accepted; computation is on the CPU"),
    ),
    category="Tensors",
    source="reference §3.8",
)
def tensor_car(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Common-average reference: subtract each row's mean/median of included channels."""
    t: TensorData = inputs[0].data
    x = _matrix(t, "TensorCAR")
    keep = _included(x.shape[1], p.exclude_channels, "TensorCAR")
    ref = np.median(x[:, keep], axis=1) if p.method == "Median" else x[:, keep].mean(axis=1)
    out = x - ref[:, None]
    return TensorData(out, column_names=t.column_names, row_type=t.row_type, rows=t.rows)


@container_transform(
    "TensorWhitening",
    ("tensor",),
    "tensor",
    (
        p_float(
            "mad_threshold_multiplier",
            4.0,
            "rows beyond this many robust SDs are left out of the covariance (0 = none)",
        ),
        p_list("exclude_channels", "int", [], "column indices copied unchanged"),
        p_bool("rescale_amplitude", True, "multiply by the mean robust SD"),
        p_float("epsilon", 1e-8, "added to the eigenvalues"),
        p_bool("use_gpu", False, "accepted; computation is on the CPU"),
    ),
    category="Tensors",
    source="reference §3.8",
)
def tensor_whitening(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """ZCA whitening of the included channels with a robust covariance."""
    owner = "TensorWhitening"
    t: TensorData = inputs[0].data
    x = _matrix(t, owner)
    if x.shape[0] < 2 or x.shape[1] == 0:
        raise TransformError(
            f"needs at least 2 rows and 1 column, got shape {x.shape}", transform=owner
        )
    if p.epsilon <= 0:
        raise TransformError(
            f"parameter 'epsilon' = {p.epsilon!r} is invalid; expected > 0",
            transform=owner,
            parameter="epsilon",
            value=p.epsilon,
        )
    if not np.isfinite(x).all():
        raise TransformError("the tensor holds NaN or Inf", transform=owner)
    keep = _included(x.shape[1], p.exclude_channels, owner)
    sub = x[:, keep]
    med = np.median(sub, axis=0)
    centred = sub - med
    sigma = 1.4826 * np.median(np.abs(centred), axis=0)
    rows = np.ones(x.shape[0], bool)
    if p.mad_threshold_multiplier > 0:
        rows = (np.abs(centred) <= p.mad_threshold_multiplier * sigma).all(axis=1)
        if rows.sum() < 2:
            rows[:] = True
    c = centred[rows]
    cov = c.T @ c / (c.shape[0] - 1)
    lam, vec = np.linalg.eigh(cov)
    w = vec @ np.diag((np.maximum(lam, 0) + p.epsilon) ** -0.5) @ vec.T
    white = centred @ w
    if p.rescale_amplitude:
        white *= sigma.mean()
    out = x.copy()
    out[:, keep] = white
    return TensorData(out, column_names=t.column_names, row_type=t.row_type, rows=t.rows)


def _require_time_rows(t: TensorData, owner: str) -> np.ndarray:
    x = _matrix(t, owner)
    if t.row_type != "time":
        raise TransformError(
            f"needs frame-indexed rows (row_type 'time'), got {t.row_type!r}", transform=owner
        )
    return x


def _shifted(x: np.ndarray, offset: int, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``r + offset`` of ``x`` and which rows were out of range."""
    n = x.shape[0]
    idx = np.arange(n) + offset
    outside = (idx < 0) | (idx >= n)
    out = x[np.clip(idx, 0, n - 1)].copy()
    if policy == "NaN":
        out[outside] = np.nan
    elif policy == "Zero":
        out[outside] = 0.0
    return out, outside


@container_transform(
    "TensorCentralDifference",
    ("tensor",),
    "tensor",
    (_BOUNDARY, p_bool("include_original", True, "keep the original columns first")),
    category="Tensors",
    source="reference §3.8",
)
def tensor_central_difference(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """(v[r+1] - v[r-1]) / 2 over adjacent rows, as ``<name>_delta`` columns."""
    owner = "TensorCentralDifference"
    t: TensorData = inputs[0].data
    x = _require_time_rows(t, owner)
    n = x.shape[0]
    if p.boundary_policy == "Drop" and n <= 2:
        raise TransformError(f"'Drop' needs more than 2 rows, got {n}", transform=owner)
    idx = np.arange(n)
    prev = x[np.maximum(idx - 1, 0)]
    nxt = x[np.minimum(idx + 1, n - 1)]
    delta = (nxt - prev) / 2  # Clamp: the row itself stands in for the missing neighbour
    if p.boundary_policy in ("NaN", "Zero") and n:
        fill = np.nan if p.boundary_policy == "NaN" else 0.0
        delta[[0, n - 1]] = fill
    names = _names(t)
    values = np.hstack([x, delta]) if p.include_original else delta
    cols = ([*names] if p.include_original else []) + [f"{c}_delta" for c in names]
    if p.boundary_policy == "Drop":
        return _result(t, values[1:-1], cols, np.arange(1, n - 1))
    return _result(t, values, cols)


@container_transform(
    "TensorTemporalNeighbors",
    ("tensor",),
    "tensor",
    (
        p_int("lag_range", 0, "largest lag (rows back; 0 = none)", minimum=0),
        p_int("lag_step", 1, "lag increment", minimum=1),
        p_int("lead_range", 0, "largest lead (rows ahead; 0 = none)", minimum=0),
        p_int("lead_step", 1, "lead increment", minimum=1),
        _BOUNDARY,
        p_bool("include_original", True, "keep the original columns first"),
    ),
    category="Tensors",
    source="reference §3.8",
)
def tensor_temporal_neighbors(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Append the columns of neighbouring rows (``<name>_lag-1``, ``<name>_lag+1``, …)."""
    owner = "TensorTemporalNeighbors"
    t: TensorData = inputs[0].data
    x = _require_time_rows(t, owner)
    offsets = [-o for o in range(p.lag_range, 0, -p.lag_step)] if p.lag_range else []
    offsets += list(range(p.lead_step, p.lead_range + 1, p.lead_step)) if p.lead_range else []
    names = _names(t)
    if not offsets:
        return TensorData(x, column_names=t.column_names, row_type=t.row_type, rows=t.rows)
    blocks = [x] if p.include_original else []
    cols = list(names) if p.include_original else []
    any_outside = np.zeros(x.shape[0], bool)
    for off in offsets:
        block, outside = _shifted(x, off, p.boundary_policy)
        any_outside |= outside
        blocks.append(block)
        cols += [f"{c}_lag{off:+d}" for c in names]
    values = np.hstack(blocks)
    if p.boundary_policy == "Drop":
        rows = np.flatnonzero(~any_outside)
        if rows.size == 0:
            raise TransformError("'Drop' removed every row", transform=owner)
        return _result(t, values[rows], cols, rows)
    return _result(t, values, cols)
