"""Random generators (numpy's generator seeded with ``seed``, not WhiskerToolbox's ``mt19937_64``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.synthesis.params import (
    _F32,
    Synthesized,
    _analog,
    _need,
    _round_half_away,
)
from napari_whiskertoolbox.transforms.synthesis.shapes import (
    _frames_needed,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from napari_whiskertoolbox.core.data_manager import DataManager


# ---------------------------------------------------------------------- random
# numpy's generator seeded with ``seed`` (default 42 as WhiskerToolbox) stands in for
# WhiskerToolbox's ``std::mt19937_64``: the same distributions, other values.
def _rng(p: Mapping[str, Any]) -> np.random.Generator:
    return np.random.default_rng(42 if p["seed"] is None else int(p["seed"]))


def _arrivals(rng: np.random.Generator, rate: float, end: float) -> np.ndarray:
    """Return the times of a Poisson process of ``rate`` per sample in ``[0, end)``."""
    times: list[np.ndarray] = []
    last = 0.0
    chunk = max(16, int(rate * end * 1.2) + 16)
    while True:
        t = last + np.cumsum(rng.exponential(1.0 / rate, chunk))
        times.append(t[t < end])
        if t[-1] >= end:
            return np.concatenate(times)
        last = float(t[-1])


def _gaussian_noise(p: dict[str, Any]) -> Synthesized:
    name = "GaussianNoise"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["stddev"] >= 0.0, name, "stddev", "must be >= 0")
    mean = float(_F32(p["mean"] or 0.0))
    return _analog(_rng(p).normal(mean, float(_F32(p["stddev"])), int(p["num_samples"])))


def _uniform_noise(p: dict[str, Any]) -> Synthesized:
    name = "UniformNoise"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    lo, hi = _F32(p["min_value"]), _F32(p["max_value"])
    _need(lo < hi, name, "min_value", "must be < max_value")
    values = _rng(p).uniform(float(lo), float(hi), int(p["num_samples"])).astype(_F32)
    return _analog(np.minimum(values, np.nextafter(hi, lo)))  # [min, max) as WT's


def _poisson_events(p: dict[str, Any]) -> Synthesized:
    name = "PoissonEvents"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["lambda"] > 0.0, name, "lambda", "must be > 0")
    n = int(p["num_samples"])
    times = _arrivals(_rng(p), float(_F32(p["lambda"])), float(n))
    return Synthesized(DigitalEventSeries(np.unique(times.astype(np.int64))), n)


def _burst_events(p: dict[str, Any]) -> Synthesized:
    name = "BurstEvents"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["burst_rate"] > 0.0, name, "burst_rate", "must be > 0")
    _need(p["within_burst_rate"] > 0.0, name, "within_burst_rate", "must be > 0")
    _need(p["burst_duration"] > 0, name, "burst_duration", "must be > 0")
    rng = _rng(p)
    n = float(int(p["num_samples"]))
    burst_scale = 1.0 / float(_F32(p["burst_rate"]))
    within_scale = 1.0 / float(_F32(p["within_burst_rate"]))
    events: list[int] = []
    start = rng.exponential(burst_scale)
    while start < n:
        end = min(start + float(p["burst_duration"]), n)
        t = start + rng.exponential(within_scale)
        while t < end:
            events.append(int(t))
            t += rng.exponential(within_scale)
        start += rng.exponential(burst_scale)
    times = np.unique(np.asarray(events, dtype=np.int64))
    return Synthesized(DigitalEventSeries(times), int(n))


def _inhomogeneous_poisson_events(p: dict[str, Any], dm: DataManager | None) -> Synthesized:
    name = "InhomogeneousPoissonEvents"
    if dm is None:
        raise TransformError(f"{name}: requires DataManager context")
    key = p["rate_signal_key"]
    _need(bool(key), name, "rate_signal_key", "must not be empty")
    scale = float(_F32(1.0 if p["rate_scale"] is None else p["rate_scale"]))
    _need(scale > 0.0, name, "rate_scale", "must be > 0")
    series = dm.get_data(key) if key in dm else None
    if not isinstance(series, AnalogTimeSeries):
        raise TransformError(
            f"{name}: rate_signal_key '{key}' not found in DataManager"
            + (
                "" if series is None else f" as an analog signal (it holds {type(series).__name__})"
            ),
            parameter="rate_signal_key",
        )
    values = np.asarray(series.values, dtype=_F32)
    if values.ndim > 1:  # a multi-channel signal: its first channel, as WhiskerToolbox's view
        values = values[:, 0]
    rates = values.astype(np.float64) * scale
    n = int(rates.size)
    if n and np.any(rates < 0.0):
        raise TransformError(
            f"{name}: rate signal contains negative values (after scaling). All rates must be >= 0.",
            parameter="rate_signal_key",
        )
    peak = float(rates.max()) if n else 0.0
    if peak <= 0.0:
        return Synthesized(DigitalEventSeries(np.empty(0, np.int64)), n)
    rng = _rng(p)
    candidates = _arrivals(rng, peak, float(n))
    idx = candidates.astype(np.int64)
    keep = rng.uniform(0.0, 1.0, idx.size) < rates[idx] / peak  # Lewis-Shedler thinning
    return Synthesized(DigitalEventSeries(np.unique(idx[keep])), n)


def _random_intervals(p: dict[str, Any]) -> Synthesized:
    name = "RandomIntervals"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["mean_duration"] > 0.0, name, "mean_duration", "must be > 0")
    _need(p["mean_gap"] > 0.0, name, "mean_gap", "must be > 0")
    rng = _rng(p)
    n = int(p["num_samples"])
    mean_duration, mean_gap = float(_F32(p["mean_duration"])), float(_F32(p["mean_gap"]))
    pairs: list[tuple[int, int]] = []
    t = rng.exponential(mean_gap)
    while t < n:
        duration = max(1.0, float(_round_half_away(np.asarray(rng.exponential(mean_duration)))))
        pairs.append((int(t), min(int(t + duration - 1.0), n - 1)))
        t += duration + rng.exponential(mean_gap)
    # kept apart even where one ends the frame before the next starts, as WhiskerToolbox
    data = DigitalIntervalSeries(np.asarray(pairs, np.int64).reshape(-1, 2), layout="overlapping")
    return Synthesized(data, n)


def _random_points(p: dict[str, Any]) -> Synthesized:
    name = "RandomPoints"
    _need(p["num_points"] > 0, name, "num_points", "must be > 0")
    lo_x, hi_x, lo_y, hi_y = (_F32(p[k]) for k in ("min_x", "max_x", "min_y", "max_y"))
    _need(hi_x > lo_x, name, "max_x", "must be > min_x")
    _need(hi_y > lo_y, name, "max_y", "must be > min_y")
    frames = _frames_needed(name, p)
    unit = _rng(p).uniform(0.0, 1.0, (int(p["num_points"]), 2))
    lo = np.array([lo_x, lo_y], np.float64)
    span = np.array([hi_x - lo_x, hi_y - lo_y], np.float64)
    points = (lo + unit * span).astype(_F32)
    times = np.repeat(np.arange(frames), points.shape[0])
    return Synthesized(PointData.from_flat(times, np.tile(points, (frames, 1))), frames)
