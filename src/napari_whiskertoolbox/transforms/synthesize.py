"""WhiskerToolbox's data generators (all 21 of them), for the ``SynthesizeData`` command.

Ports of ``src/DataSynthesizer/Generators/**`` (paulmthompson/WhiskerToolbox), one table
(:data:`GENERATORS`) holding each generator's output type, its parameters with their
defaults (WhiskerToolbox parses them with ``rfl::DefaultIfMissing``, so every parameter may be
left out) and its function. Arithmetic is in 32-bit floats where WhiskerToolbox uses ``float``.

Analog (``AnalogTimeSeries``, float32; sample ``t`` = 0, 1, … of a wave with ``num_cycles``
cycles over ``cycle_length`` samples, default ``num_samples``; ``phase`` in radians):

* ``SineWave``: ``amplitude * sin(2π f t + phase) + dc_offset``, ``f = num_cycles / cycle_length``;
* ``SquareWave``: ``+amplitude`` while the cycle fraction ``(f t + phase / 2π) mod 1`` is below
  ``duty_cycle`` (0.5), else ``-amplitude``; plus ``dc_offset``;
* ``TriangleWave``: ``amplitude * (2/π) * asin(sin(2π f t + phase)) + dc_offset``;
* ``SawtoothWave``: ``amplitude * (2 p - 1) + dc_offset``, ``p = (f t + phase / 2π + 0.5) mod 1``.

Events and intervals (frame indices on the output clock):

* ``RegularEvents`` (``DigitalEventSeries``): events at ``0, interval, 2 interval, …`` below
  ``num_samples``; with ``jitter_stddev > 0`` each moves by a rounded Gaussian draw (numpy's
  generator seeded with ``seed``, default 42 — not WhiskerToolbox's ``mt19937_64``, so the
  jittered times differ from WhiskerToolbox's, with the same distribution), is clamped to
  ``[0, num_samples)`` and duplicates are dropped;
* ``RegularIntervals`` (``DigitalIntervalSeries``): inclusive ``[t, min(t + on_duration - 1,
  num_samples - 1)]`` for ``t = start_offset, start_offset + on_duration + off_duration, …``
  below ``num_samples``.

Spatial (the same shape at frames ``0 … num_frames - 1``):

* ``StraightLine`` (``LineData``, float32): ``num_points_per_line`` points evenly spaced from
  ``(start_x, start_y)`` to ``(end_x, end_y)``;
* ``GridPoints`` (``PointData``, float32): ``rows × cols`` points ``(origin_x + c spacing,
  origin_y + r spacing)``, row by row;
* ``CircleMask`` / ``EllipseMask`` / ``RectangleMask`` (``MaskData``, uint32 pixels, image size
  ``image_width × image_height``): WhiskerToolbox's ``generate_ellipse_pixels`` (offsets
  ``dx, dy`` from the rounded centre with ``(dx/rx)² + (dy/ry)² ≤ 1``), its
  ``generate_rotated_ellipse_pixels`` (``angle`` in degrees, pixels whose centre lies in the
  rotated ellipse) and ``generate_rectangle_pixels`` (integer pixels from
  ``trunc(max(0, centre - size/2))`` to ``trunc(centre + size/2)``), then the pixels outside
  the image dropped (``clipPixelsToImage``).

Moving (``src/DataSynthesizer/Trajectory/``; ``motion`` is ``{"model": "LinearMotionParams"
(velocity_x 1, velocity_y 0) | "SinusoidalMotionParams" (amplitude_x/y, frequency_x/y in cycles
per frame, phase_x/y) | "BrownianMotionParams" (diffusion 1, seed 42), …}``, the boundary
``boundary_mode`` clamp / bounce / wrap within ``bounds_min_x`` … ``bounds_max_y`` (0–640,
0–480) applied at every step):

* ``MovingPoint`` (``PointData``; the boundary is a nested ``boundary`` object, as there);
* ``MovingLine`` (``LineData``; the StraightLine shape with its centre at the trajectory,
  starting at ``trajectory_start_x/y``; not clipped);
* ``MovingMask`` (``MaskData``; ``shape`` circle / rectangle / ellipse rasterised at the
  trajectory as the static masks, clipped to the image at every frame).

Random (``seed``, default 42): ``GaussianNoise`` (``mean``, ``stddev``), ``UniformNoise``
(``min_value``, ``max_value``), ``PoissonEvents`` (``lambda`` per sample), ``BurstEvents``
(bursts at ``burst_rate`` lasting ``burst_duration`` samples, events at
``within_burst_rate`` within them), ``InhomogeneousPoissonEvents`` (rate = ``rate_scale`` ×
the analog key ``rate_signal_key``, Lewis-Shedler thinning; its clock has the signal's
length), ``RandomIntervals`` (exponential ``mean_duration`` rounded, ≥ 1, and ``mean_gap``)
and ``RandomPoints`` (``num_points`` uniform in ``[min_x, max_x] × [min_y, max_y]``, the same
at every frame).

The random draws (these, ``RegularEvents``' jitter and Brownian steps) come from numpy's
generator seeded with ``seed``, not WhiskerToolbox's ``std::mt19937_64``: the same
distributions and algorithms, other values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.transforms.errors import TransformError

__all__ = ["GENERATORS", "Generator", "GeneratorParam", "Synthesized", "generate"]

_F32 = np.float32
_PI = _F32(np.pi)

ParamKind = Literal["int", "float", "uint64", "str", "choice", "object", "union"]


@dataclass(frozen=True)
class GeneratorParam:
    """One parameter of a generator: WhiskerToolbox's name, its type and its default.

    ``default=None`` is WhiskerToolbox's ``std::optional`` (the generator picks the value).
    ``choice`` takes one of ``choices`` (an ``enum class``); ``object`` is a nested struct
    of ``fields``; ``union`` is an ``rfl::TaggedUnion`` whose ``"model"`` names one of
    ``variants`` (``default`` is the tag used when the parameter is left out).
    """

    name: str
    kind: ParamKind
    default: float | int | str | None
    choices: tuple[str, ...] = ()
    fields: tuple[GeneratorParam, ...] = ()
    variants: tuple[tuple[str, tuple[GeneratorParam, ...]], ...] = ()


@dataclass(frozen=True)
class Synthesized:
    """A generator's result: the data and the number of frames its new clock gets."""

    data: Any
    num_frames: int


@dataclass(frozen=True)
class Generator:
    """A WhiskerToolbox generator: output type, parameters (declared once) and function."""

    name: str
    output_type: str
    params: tuple[GeneratorParam, ...]
    func: Callable[..., Synthesized]
    description: str
    reads_data: bool = False
    """True: ``func(params, data_manager)`` (WhiskerToolbox's ``GeneratorContext``)."""


def _i(name: str, default: int | None) -> GeneratorParam:
    return GeneratorParam(name, "int", default)


def _f(name: str, default: float | None) -> GeneratorParam:
    return GeneratorParam(name, "float", default)


def _number(name: str, generator: str, value: Any, kind: ParamKind) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TransformError(
            f"{generator}: parameter '{name}' must be a number, got {value!r}", parameter=name
        )
    if kind == "float":
        return float(value)
    if not np.isfinite(value) or float(value) != int(value):
        raise TransformError(
            f"{generator}: parameter '{name}' must be an integer, got {value!r}", parameter=name
        )
    if kind == "uint64" and not 0 <= int(value) < 2**64:
        raise TransformError(
            f"{generator}: parameter '{name}' must be an integer in [0, 2**64), got {value!r}",
            parameter=name,
        )
    return int(value)


def _fields(
    generator: str, fields: tuple[GeneratorParam, ...], raw: Mapping[str, Any], where: str = ""
) -> dict[str, Any]:
    known = {p.name for p in fields}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise TransformError(
            f"{generator}: unknown parameter(s) {', '.join(repr(where + u) for u in unknown)}; "
            f"its parameters{' in ' + where.rstrip('.') if where else ''} are "
            f"{', '.join(p.name for p in fields)}",
            parameter=unknown[0],
        )
    out: dict[str, Any] = {}
    for p in fields:
        value = raw.get(p.name)
        if p.kind == "object":
            out[p.name] = _fields(generator, p.fields, _object(generator, p, value), f"{p.name}.")
        elif p.kind == "union":
            out[p.name] = _union(generator, p, value)
        elif value is None:
            out[p.name] = p.default
        elif p.kind == "str":
            if not isinstance(value, str):
                raise TransformError(
                    f"{generator}: parameter '{where}{p.name}' must be a string, got {value!r}",
                    parameter=p.name,
                )
            out[p.name] = value
        elif p.kind == "choice":
            if value not in p.choices:
                raise TransformError(
                    f"{generator}: parameter '{where}{p.name}' must be one of "
                    f"{', '.join(p.choices)}, got {value!r}",
                    parameter=p.name,
                )
            out[p.name] = value
        else:
            out[p.name] = _number(where + p.name, generator, value, p.kind)
    return out


def _object(generator: str, p: GeneratorParam, value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TransformError(
            f"{generator}: parameter '{p.name}' must be an object, got {value!r}",
            parameter=p.name,
        )
    return value


def _union(generator: str, p: GeneratorParam, value: Any) -> dict[str, Any]:
    variants = dict(p.variants)
    raw = dict(_object(generator, p, value))
    if value is None:
        raw = {"model": p.default}
    tag = raw.pop("model", None)
    if tag not in variants:
        raise TransformError(
            f"{generator}: parameter '{p.name}' needs \"model\": one of "
            f"{', '.join(variants)}, got {tag!r}",
            parameter=p.name,
        )
    return {"model": tag, **_fields(generator, variants[tag], raw, f"{p.name}.")}


def _parse(gen: Generator, raw: Mapping[str, Any]) -> dict[str, Any]:
    return _fields(gen.name, gen.params, raw)


def _need(ok: bool | np.bool_, generator: str, name: str, message: str) -> None:
    if not ok:
        raise TransformError(f"{generator}: {name} {message}", parameter=name)


# ---------------------------------------------------------------------- analog
_WAVE = (
    _i("num_samples", 1000),
    _f("amplitude", 1.0),
    _f("num_cycles", 1.0),
    _i("cycle_length", None),
    _f("phase", None),
    _f("dc_offset", None),
)


def _wave_setup(
    name: str, p: dict[str, Any]
) -> tuple[np.ndarray, np.float32, np.float32, np.float32]:
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["num_cycles"] > 0.0, name, "num_cycles", "must be > 0")
    if p["cycle_length"] is None:
        p["cycle_length"] = p["num_samples"]
    _need(p["cycle_length"] > 0, name, "cycle_length", "must be > 0")
    t = np.arange(p["num_samples"], dtype=_F32)
    frequency = _F32(p["num_cycles"]) / _F32(p["cycle_length"])
    phase = _F32(p["phase"] or 0.0)
    dc = _F32(p["dc_offset"] or 0.0)
    return t, frequency, phase, dc


def _analog(values: np.ndarray) -> Synthesized:
    values = np.asarray(values, dtype=_F32)
    return Synthesized(AnalogTimeSeries(values), int(values.size))


def _sine(p: dict[str, Any]) -> Synthesized:
    t, frequency, phase, dc = _wave_setup("SineWave", p)
    two_pi_freq = _F32(2.0) * _PI * frequency
    return _analog(_F32(p["amplitude"]) * np.sin(two_pi_freq * t + phase) + dc)


def _fraction(values: np.ndarray) -> np.ndarray:
    pos = np.fmod(values, _F32(1.0))
    return np.where(pos < 0, pos + _F32(1.0), pos).astype(_F32)


def _square(p: dict[str, Any]) -> Synthesized:
    t, frequency, phase, dc = _wave_setup("SquareWave", p)
    duty = _F32(0.5 if p["duty_cycle"] is None else p["duty_cycle"])
    _need(0.0 <= duty <= 1.0, "SquareWave", "duty_cycle", "must be in [0, 1]")
    pos = _fraction(frequency * t + phase / (_F32(2.0) * _PI))
    amplitude = _F32(p["amplitude"])
    return _analog(np.where(pos < duty, amplitude, -amplitude).astype(_F32) + dc)


def _triangle(p: dict[str, Any]) -> Synthesized:
    t, frequency, phase, dc = _wave_setup("TriangleWave", p)
    two_pi_freq = _F32(2.0) * _PI * frequency
    scale = _F32(p["amplitude"]) * (_F32(2.0) / _PI)
    return _analog(scale * np.arcsin(np.sin(two_pi_freq * t + phase)) + dc)


def _sawtooth(p: dict[str, Any]) -> Synthesized:
    t, frequency, phase, dc = _wave_setup("SawtoothWave", p)
    pos = _fraction(frequency * t + phase / (_F32(2.0) * _PI) + _F32(0.5))
    return _analog(_F32(p["amplitude"]) * (_F32(2.0) * pos - _F32(1.0)) + dc)


# ---------------------------------------------------------------------- events, intervals
def _round_half_away(values: np.ndarray) -> np.ndarray:
    """``std::round``: halves away from zero (numpy's ``round`` goes to even)."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def _regular_events(p: dict[str, Any]) -> Synthesized:
    name = "RegularEvents"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["interval"] > 0, name, "interval", "must be > 0")
    jitter = _F32(p["jitter_stddev"] or 0.0)
    _need(jitter >= 0.0, name, "jitter_stddev", "must be >= 0")
    n = int(p["num_samples"])
    times = np.arange(0, n, int(p["interval"]), dtype=np.int64)
    if jitter > 0.0:
        seed = 42 if p["seed"] is None else int(p["seed"])
        draws = np.random.default_rng(seed).normal(0.0, float(jitter), times.size).astype(_F32)
        times = times + _round_half_away(draws).astype(np.int64)
    times = np.unique(np.clip(times, 0, n - 1))
    return Synthesized(DigitalEventSeries(times), n)


def _regular_intervals(p: dict[str, Any]) -> Synthesized:
    name = "RegularIntervals"
    _need(p["num_samples"] > 0, name, "num_samples", "must be > 0")
    _need(p["on_duration"] > 0, name, "on_duration", "must be > 0")
    _need(p["off_duration"] > 0, name, "off_duration", "must be > 0")
    n = int(p["num_samples"])
    offset = int(p["start_offset"] or 0)
    on = int(p["on_duration"])
    period = on + int(p["off_duration"])
    # WhiskerToolbox's loop starts at the offset as given (a negative one gives a start < 0)
    starts = np.arange(offset, n, period, dtype=np.int64) if offset < n else np.empty(0, np.int64)
    ends = np.minimum(starts + on - 1, n - 1)
    return Synthesized(DigitalIntervalSeries(np.column_stack((starts, ends))), n)


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


def _inhomogeneous_poisson_events(p: dict[str, Any], dm: Any) -> Synthesized:
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


# ---------------------------------------------------------------------- spatial
def _frames_needed(name: str, p: dict[str, Any]) -> int:
    _need(p["num_frames"] > 0, name, "num_frames", "must be > 0")
    return int(p["num_frames"])


def _straight_line(p: dict[str, Any]) -> Synthesized:
    name = "StraightLine"
    _need(p["num_points_per_line"] > 1, name, "num_points_per_line", "must be > 1")
    frames = _frames_needed(name, p)
    n = int(p["num_points_per_line"])
    t = np.arange(n, dtype=_F32) / _F32(n - 1)
    sx, sy, ex, ey = (_F32(p[k]) for k in ("start_x", "start_y", "end_x", "end_y"))
    line = np.column_stack((sx + t * (ex - sx), sy + t * (ey - sy))).astype(_F32)
    coords = np.tile(line, (frames, 1))
    offsets = np.arange(frames + 1, dtype=np.int64) * n
    return Synthesized(LineData.from_flat(np.arange(frames), coords, offsets), frames)


def _grid_points(p: dict[str, Any]) -> Synthesized:
    name = "GridPoints"
    _need(p["rows"] > 0, name, "rows", "must be > 0")
    _need(p["cols"] > 0, name, "cols", "must be > 0")
    _need(p["spacing"] > 0.0, name, "spacing", "must be > 0")
    frames = _frames_needed(name, p)
    spacing = _F32(p["spacing"])
    r, c = np.divmod(np.arange(int(p["rows"]) * int(p["cols"])), int(p["cols"]))
    grid = np.column_stack(
        (
            _F32(p["origin_x"]) + c.astype(_F32) * spacing,
            _F32(p["origin_y"]) + r.astype(_F32) * spacing,
        )
    ).astype(_F32)
    times = np.repeat(np.arange(frames), grid.shape[0])
    return Synthesized(PointData.from_flat(times, np.tile(grid, (frames, 1))), frames)


def _trunc_int(value: np.float32) -> int:
    """``static_cast<int>(float)``: towards zero."""
    return int(np.trunc(value))


def ellipse_pixels(
    center_x: float, center_y: float, radius_x: float, radius_y: float
) -> np.ndarray:
    """WhiskerToolbox's ``generate_ellipse_pixels`` (``CoreGeometry/src/masks.cpp``).

    Returns the ``(N, 2)`` uint32 ``(x, y)`` pixels, ``dx`` outer and ``dy`` inner as there,
    with negative coordinates dropped.
    """
    cx = int(_round_half_away(np.asarray(_F32(center_x))))
    cy = int(_round_half_away(np.asarray(_F32(center_y))))
    rx, ry = _F32(radius_x), _F32(radius_y)
    reach = _trunc_int(max(rx, ry)) + 1
    offsets = np.arange(-reach, reach + 1)
    dx, dy = (a.ravel() for a in np.meshgrid(offsets, offsets, indexing="ij"))
    nx = dx.astype(_F32) / rx
    ny = dy.astype(_F32) / ry
    inside = (nx * nx + ny * ny) <= _F32(1.0)
    x, y = cx + dx[inside], cy + dy[inside]
    keep = (x >= 0) & (y >= 0)
    return np.column_stack((x[keep], y[keep])).astype(np.uint32)


def _box(center: np.float32, half: np.float32) -> tuple[int, int]:
    return _trunc_int(max(_F32(0.0), center - half)), _trunc_int(center + half)


def _scan(x_lo: int, x_hi: int, y_lo: int, y_hi: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.meshgrid(np.arange(y_lo, y_hi + 1), np.arange(x_lo, x_hi + 1), indexing="ij")
    return xs.ravel(), ys.ravel()  # y outer, x inner, as WhiskerToolbox's loops


def rotated_ellipse_pixels(
    center_x: float,
    center_y: float,
    semi_major: float,
    semi_minor: float,
    angle_rad: float | np.floating,
) -> np.ndarray:
    """WhiskerToolbox's ``generate_rotated_ellipse_pixels`` (``CoreGeometry/src/masks.cpp``)."""
    cx, cy, a, b = _F32(center_x), _F32(center_y), _F32(semi_major), _F32(semi_minor)
    angle = _F32(angle_rad)
    cos_a, sin_a = np.cos(angle), np.sin(angle)
    reach = max(a, b)
    x_lo, x_hi = _box(cx, reach)
    y_lo, y_hi = _box(cy, reach)
    xs, ys = _scan(x_lo, x_hi, y_lo, y_hi)
    dx = xs.astype(_F32) - cx
    dy = ys.astype(_F32) - cy
    lx = dx * cos_a + dy * sin_a
    ly = -dx * sin_a + dy * cos_a
    inside = (lx * lx) / (a * a) + (ly * ly) / (b * b) <= _F32(1.0)
    return np.column_stack((xs[inside], ys[inside])).astype(np.uint32)


def rectangle_pixels(center_x: float, center_y: float, width: float, height: float) -> np.ndarray:
    """WhiskerToolbox's ``generate_rectangle_pixels`` (``CoreGeometry/src/masks.cpp``)."""
    x_lo, x_hi = _box(_F32(center_x), _F32(width) / _F32(2.0))
    y_lo, y_hi = _box(_F32(center_y), _F32(height) / _F32(2.0))
    xs, ys = _scan(x_lo, x_hi, y_lo, y_hi)
    return np.column_stack((xs, ys)).astype(np.uint32)


def _clip(pixels: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """``clipPixelsToImage``: drop the pixels outside ``image_width × image_height``."""
    keep = (pixels[:, 0] < int(p["image_width"])) & (pixels[:, 1] < int(p["image_height"]))
    return pixels[keep]


def _mask_frames(pixels: np.ndarray, p: dict[str, Any], frames: int) -> Synthesized:
    width, height = int(p["image_width"]), int(p["image_height"])
    mask = _clip(pixels, p)
    coords = np.tile(mask, (frames, 1))
    offsets = np.arange(frames + 1, dtype=np.int64) * mask.shape[0]
    data = MaskData.from_flat(np.arange(frames), coords, offsets, image_size=(width, height))
    return Synthesized(data, frames)


def _image_checks(name: str, p: dict[str, Any]) -> None:
    _need(p["image_width"] > 0, name, "image_width", "must be > 0")
    _need(p["image_height"] > 0, name, "image_height", "must be > 0")


def _circle_mask(p: dict[str, Any]) -> Synthesized:
    name = "CircleMask"
    _image_checks(name, p)
    _need(p["radius"] > 0.0, name, "radius", "must be > 0")
    frames = _frames_needed(name, p)
    pixels = ellipse_pixels(p["center_x"], p["center_y"], p["radius"], p["radius"])
    return _mask_frames(pixels, p, frames)


def _ellipse_mask(p: dict[str, Any]) -> Synthesized:
    name = "EllipseMask"
    _image_checks(name, p)
    _need(p["semi_major"] > 0.0, name, "semi_major", "must be > 0")
    _need(p["semi_minor"] > 0.0, name, "semi_minor", "must be > 0")
    frames = _frames_needed(name, p)
    angle_rad = _F32(p["angle"] or 0.0) * _PI / _F32(180.0)
    if abs(angle_rad) < _F32(1e-6):
        pixels = ellipse_pixels(p["center_x"], p["center_y"], p["semi_major"], p["semi_minor"])
    else:
        pixels = rotated_ellipse_pixels(
            p["center_x"], p["center_y"], p["semi_major"], p["semi_minor"], angle_rad
        )
    return _mask_frames(pixels, p, frames)


def _rectangle_mask(p: dict[str, Any]) -> Synthesized:
    name = "RectangleMask"
    _image_checks(name, p)
    _need(p["width"] > 0.0, name, "width", "must be > 0")
    _need(p["height"] > 0.0, name, "height", "must be > 0")
    frames = _frames_needed(name, p)
    pixels = rectangle_pixels(p["center_x"], p["center_y"], p["width"], p["height"])
    return _mask_frames(pixels, p, frames)


# ---------------------------------------------------------------------- moving shapes
def _boundary(
    pos: np.float32, vel: np.float32, lo: np.float32, hi: np.float32, mode: str
) -> tuple[np.float32, np.float32]:
    """WhiskerToolbox's ``applyBoundary`` (``DataSynthesizer/Trajectory/Trajectory.cpp``)."""
    if mode == "clamp":
        if pos < lo:
            pos = lo
        elif pos > hi:
            pos = hi
    elif mode == "bounce":
        while pos < lo or pos > hi:
            if pos < lo:
                pos = lo + (lo - pos)
                vel = -vel
            if pos > hi:
                pos = hi - (pos - hi)
                vel = -vel
    elif mode == "wrap":
        span = hi - lo
        if span > 0:
            while pos < lo:
                pos = pos + span
            while pos > hi:
                pos = pos - span
    return _F32(pos), _F32(vel)


def trajectory(
    start_x: float,
    start_y: float,
    num_frames: int,
    motion: Mapping[str, Any],
    boundary: Mapping[str, Any],
) -> np.ndarray:
    """WhiskerToolbox's ``computeTrajectory``: ``(num_frames, 2)`` float32 positions.

    ``motion`` is ``{"model": "LinearMotionParams" | "SinusoidalMotionParams" |
    "BrownianMotionParams", ...}`` and ``boundary`` holds ``boundary_mode`` (clamp, bounce,
    wrap) and ``bounds_min_x`` … ``bounds_max_y``; the boundary applies at every step
    (bounce reverses the velocity). Brownian steps are numpy's ``normal(0, diffusion)``
    seeded with ``seed`` (WhiskerToolbox: ``mt19937_64``, so the path differs).

    Raises
    ------
    TransformError
        ``bounds_max_x <= bounds_min_x`` or ``bounds_max_y <= bounds_min_y``.
    """
    f = {k: _F32(v) for k, v in boundary.items() if k != "boundary_mode"}
    mode = str(boundary["boundary_mode"])
    for axis in ("x", "y"):
        if f[f"bounds_max_{axis}"] <= f[f"bounds_min_{axis}"]:
            raise TransformError(
                f"computeTrajectory: bounds_max_{axis} must be > bounds_min_{axis}",
                parameter=f"bounds_max_{axis}",
            )
    lo_x, hi_x, lo_y, hi_y = (
        f["bounds_min_x"],
        f["bounds_max_x"],
        f["bounds_min_y"],
        f["bounds_max_y"],
    )
    out = np.empty((num_frames, 2), _F32)
    model = motion["model"]
    x, y = _F32(start_x), _F32(start_y)
    zero = _F32(0.0)
    if model == "LinearMotionParams":
        vx, vy = _F32(motion["velocity_x"]), _F32(motion["velocity_y"])
        for t in range(num_frames):
            if t > 0:
                x, y = _F32(x + vx), _F32(y + vy)
            x, vx = _boundary(x, vx, lo_x, hi_x, mode)
            y, vy = _boundary(y, vy, lo_y, hi_y, mode)
            out[t] = x, y
    elif model == "SinusoidalMotionParams":
        two_pi = _F32(2.0) * _PI
        tf = np.arange(num_frames, dtype=_F32)
        m = {k: _F32(v) for k, v in motion.items() if k != "model"}
        xs = _F32(start_x) + m["amplitude_x"] * np.sin(
            two_pi * m["frequency_x"] * tf + m["phase_x"]
        )
        ys = _F32(start_y) + m["amplitude_y"] * np.sin(
            two_pi * m["frequency_y"] * tf + m["phase_y"]
        )
        for t in range(num_frames):
            out[t, 0] = _boundary(xs[t], zero, lo_x, hi_x, mode)[0]
            out[t, 1] = _boundary(ys[t], zero, lo_y, hi_y, mode)[0]
    else:  # BrownianMotionParams
        rng = np.random.default_rng(int(motion["seed"]))
        steps = rng.normal(0.0, float(motion["diffusion"]), (max(num_frames - 1, 0), 2))
        steps = steps.astype(_F32)
        for t in range(num_frames):
            if t > 0:
                x, y = _F32(x + steps[t - 1, 0]), _F32(y + steps[t - 1, 1])
            x = _boundary(x, zero, lo_x, hi_x, mode)[0]
            y = _boundary(y, zero, lo_y, hi_y, mode)[0]
            out[t] = x, y
    return out


_BOUNDARY = (
    GeneratorParam("boundary_mode", "choice", "clamp", choices=("clamp", "bounce", "wrap")),
    _f("bounds_min_x", 0.0),
    _f("bounds_max_x", 640.0),
    _f("bounds_min_y", 0.0),
    _f("bounds_max_y", 480.0),
)
_MOTION = GeneratorParam(
    "motion",
    "union",
    "LinearMotionParams",
    variants=(
        ("LinearMotionParams", (_f("velocity_x", 1.0), _f("velocity_y", 0.0))),
        (
            "SinusoidalMotionParams",
            tuple(
                _f(f"{what}_{axis}", 0.0)
                for what in ("amplitude", "frequency", "phase")
                for axis in ("x", "y")
            ),
        ),
        ("BrownianMotionParams", (_f("diffusion", 1.0), GeneratorParam("seed", "uint64", 42))),
    ),
)


def _flat_boundary(p: Mapping[str, Any]) -> dict[str, Any]:
    return {q.name: p[q.name] for q in _BOUNDARY}


def _moving_point(p: dict[str, Any]) -> Synthesized:
    frames = _frames_needed("MovingPoint", p)
    path = trajectory(p["start_x"], p["start_y"], frames, p["motion"], p["boundary"])
    return Synthesized(PointData.from_flat(np.arange(frames), path), frames)


def _moving_line(p: dict[str, Any]) -> Synthesized:
    name = "MovingLine"
    _need(p["num_points_per_line"] > 1, name, "num_points_per_line", "must be > 1")
    frames = _frames_needed(name, p)
    n = int(p["num_points_per_line"])
    sx, sy, ex, ey = (_F32(p[k]) for k in ("start_x", "start_y", "end_x", "end_y"))
    cx, cy = (sx + ex) * _F32(0.5), (sy + ey) * _F32(0.5)
    t = np.arange(n, dtype=_F32) / _F32(n - 1)
    offsets = np.column_stack((sx + t * (ex - sx) - cx, sy + t * (ey - sy) - cy)).astype(_F32)
    path = trajectory(
        p["trajectory_start_x"], p["trajectory_start_y"], frames, p["motion"], _flat_boundary(p)
    )
    coords = (path[:, None, :] + offsets[None, :, :]).reshape(-1, 2).astype(_F32)
    starts = np.arange(frames + 1, dtype=np.int64) * n
    return Synthesized(LineData.from_flat(np.arange(frames), coords, starts), frames)


def _moving_mask(p: dict[str, Any]) -> Synthesized:
    name = "MovingMask"
    _image_checks(name, p)
    frames = _frames_needed(name, p)
    shape = p["shape"]
    need = {
        "circle": ("radius",),
        "rectangle": ("width", "height"),
        "ellipse": ("semi_major", "semi_minor"),
    }
    for size in need[shape]:
        _need(p[size] > 0.0, name, size, f"must be > 0 for {shape} shape")
    path = trajectory(p["start_x"], p["start_y"], frames, p["motion"], _flat_boundary(p))
    angle_rad = _F32(p["angle"]) * _PI / _F32(180.0)
    pieces = []
    for cx, cy in path:
        if shape == "circle":
            pixels = ellipse_pixels(cx, cy, p["radius"], p["radius"])
        elif shape == "rectangle":
            pixels = rectangle_pixels(cx, cy, p["width"], p["height"])
        elif abs(angle_rad) < _F32(1e-6):
            pixels = ellipse_pixels(cx, cy, p["semi_major"], p["semi_minor"])
        else:
            pixels = rotated_ellipse_pixels(cx, cy, p["semi_major"], p["semi_minor"], angle_rad)
        pieces.append(_clip(pixels, p))
    counts = np.array([len(k) for k in pieces], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)))
    image = (int(p["image_width"]), int(p["image_height"]))
    data = MaskData.from_flat(np.arange(frames), np.concatenate(pieces), starts, image_size=image)
    return Synthesized(data, frames)


_IMAGE = (_i("image_width", 640), _i("image_height", 480))
_CENTER = (_f("center_x", 320.0), _f("center_y", 240.0))

_TABLE: tuple[Generator, ...] = (
    Generator("SineWave", "AnalogTimeSeries", _WAVE, _sine, "sine wave"),
    Generator(
        "SquareWave", "AnalogTimeSeries", (*_WAVE, _f("duty_cycle", None)), _square, "square wave"
    ),
    Generator("TriangleWave", "AnalogTimeSeries", _WAVE, _triangle, "triangle wave"),
    Generator("SawtoothWave", "AnalogTimeSeries", _WAVE, _sawtooth, "sawtooth wave"),
    Generator(
        "RegularEvents",
        "DigitalEventSeries",
        (
            _i("num_samples", 1000),
            _i("interval", 20),
            _f("jitter_stddev", None),
            GeneratorParam("seed", "uint64", None),
        ),
        _regular_events,
        "evenly spaced events, optional Gaussian jitter",
    ),
    Generator(
        "RegularIntervals",
        "DigitalIntervalSeries",
        (
            _i("num_samples", 1000),
            _i("on_duration", 50),
            _i("off_duration", 50),
            _i("start_offset", None),
        ),
        _regular_intervals,
        "periodic on/off intervals",
    ),
    Generator(
        "StraightLine",
        "LineData",
        (
            _f("start_x", 0.0),
            _f("start_y", 0.0),
            _f("end_x", 100.0),
            _f("end_y", 100.0),
            _i("num_points_per_line", 50),
            _i("num_frames", 100),
        ),
        _straight_line,
        "a straight line at every frame",
    ),
    Generator(
        "GridPoints",
        "PointData",
        (
            _i("rows", 5),
            _i("cols", 5),
            _f("spacing", 20.0),
            _f("origin_x", 0.0),
            _f("origin_y", 0.0),
            _i("num_frames", 100),
        ),
        _grid_points,
        "a grid of points at every frame",
    ),
    Generator(
        "CircleMask",
        "MaskData",
        (*_IMAGE, *_CENTER, _f("radius", 50.0), _i("num_frames", 100)),
        _circle_mask,
        "a circular mask at every frame",
    ),
    Generator(
        "EllipseMask",
        "MaskData",
        (
            *_IMAGE,
            *_CENTER,
            _f("semi_major", 80.0),
            _f("semi_minor", 40.0),
            _f("angle", None),
            _i("num_frames", 100),
        ),
        _ellipse_mask,
        "an elliptical mask (angle in degrees) at every frame",
    ),
    Generator(
        "RectangleMask",
        "MaskData",
        (*_IMAGE, *_CENTER, _f("width", 100.0), _f("height", 60.0), _i("num_frames", 100)),
        _rectangle_mask,
        "a rectangular mask at every frame",
    ),
)

_TABLE += (
    Generator(
        "MovingPoint",
        "PointData",
        (
            _f("start_x", 100.0),
            _f("start_y", 100.0),
            _i("num_frames", 100),
            _MOTION,
            GeneratorParam("boundary", "object", None, fields=_BOUNDARY),
        ),
        _moving_point,
        "one point moving along a trajectory",
    ),
    Generator(
        "MovingLine",
        "LineData",
        (
            _f("start_x", 0.0),
            _f("start_y", 0.0),
            _f("end_x", 100.0),
            _f("end_y", 100.0),
            _i("num_points_per_line", 50),
            _i("num_frames", 100),
            _f("trajectory_start_x", 100.0),
            _f("trajectory_start_y", 100.0),
            _MOTION,
            *_BOUNDARY,
        ),
        _moving_line,
        "a straight line whose centre moves along a trajectory",
    ),
    Generator(
        "MovingMask",
        "MaskData",
        (
            GeneratorParam("shape", "choice", "circle", choices=("circle", "rectangle", "ellipse")),
            *_IMAGE,
            _f("start_x", 320.0),
            _f("start_y", 240.0),
            _f("radius", 50.0),
            _f("width", 100.0),
            _f("height", 60.0),
            _f("semi_major", 80.0),
            _f("semi_minor", 40.0),
            _f("angle", 0.0),
            _i("num_frames", 100),
            _MOTION,
            *_BOUNDARY,
        ),
        _moving_mask,
        "a circle, rectangle or ellipse mask moving along a trajectory",
    ),
)

_SEED = GeneratorParam("seed", "uint64", None)
_TABLE += (
    Generator(
        "GaussianNoise",
        "AnalogTimeSeries",
        (_i("num_samples", 1000), _f("stddev", 1.0), _f("mean", None), _SEED),
        _gaussian_noise,
        "i.i.d. Gaussian noise",
    ),
    Generator(
        "UniformNoise",
        "AnalogTimeSeries",
        (_i("num_samples", 1000), _f("min_value", -1.0), _f("max_value", 1.0), _SEED),
        _uniform_noise,
        "i.i.d. uniform noise in [min_value, max_value)",
    ),
    Generator(
        "PoissonEvents",
        "DigitalEventSeries",
        (_i("num_samples", 1000), _f("lambda", 0.05), _SEED),
        _poisson_events,
        "events of a homogeneous Poisson process (lambda per sample)",
    ),
    Generator(
        "InhomogeneousPoissonEvents",
        "DigitalEventSeries",
        (GeneratorParam("rate_signal_key", "str", ""), _f("rate_scale", None), _SEED),
        _inhomogeneous_poisson_events,
        "events of a Poisson process whose rate is an analog key (thinning)",
        reads_data=True,
    ),
    Generator(
        "BurstEvents",
        "DigitalEventSeries",
        (
            _i("num_samples", 10000),
            _f("burst_rate", 0.005),
            _f("within_burst_rate", 0.5),
            _i("burst_duration", 20),
            _SEED,
        ),
        _burst_events,
        "bursts of events (Poisson bursts of Poisson events)",
    ),
    Generator(
        "RandomIntervals",
        "DigitalIntervalSeries",
        (_i("num_samples", 10000), _f("mean_duration", 50.0), _f("mean_gap", 100.0), _SEED),
        _random_intervals,
        "intervals with exponential durations and gaps",
    ),
    Generator(
        "RandomPoints",
        "PointData",
        (
            _i("num_points", 20),
            _f("min_x", 0.0),
            _f("max_x", 640.0),
            _f("min_y", 0.0),
            _f("max_y", 480.0),
            _i("num_frames", 100),
            _SEED,
        ),
        _random_points,
        "uniform random points, the same at every frame",
    ),
)

GENERATORS: dict[str, Generator] = {g.name: g for g in _TABLE}
"""The generators by WhiskerToolbox's name (the one table of names, types and parameters)."""


def generate(name: str, parameters: Mapping[str, Any], data_manager: Any = None) -> Synthesized:
    """Run generator ``name`` with ``parameters`` (WhiskerToolbox's JSON object).

    ``data_manager`` is the session the generators reading data use
    (``InhomogeneousPoissonEvents``' ``rate_signal_key``).

    Returns
    -------
    Synthesized
        The data (``AnalogTimeSeries``, ``DigitalEventSeries``, ``DigitalIntervalSeries``,
        ``LineData``, ``PointData`` or ``MaskData``) and the frame count of its clock
        (``num_samples`` or ``num_frames``).

    Raises
    ------
    TransformError
        Unknown generator (WhiskerToolbox's message, ``Unknown generator: '<name>'``, with the
        ones available here), a parameter of another name or type, or one out of range (the
        generator's message, e.g. ``CircleMask: radius must be > 0``).
    """
    gen = GENERATORS.get(name)
    if gen is None:
        raise TransformError(
            f"Unknown generator: '{name}' (available: {', '.join(GENERATORS)})",
            parameter="generator_name",
        )
    if not isinstance(parameters, Mapping):
        raise TransformError(
            f"{name}: 'parameters' must be an object, got {parameters!r}", parameter="parameters"
        )
    parsed = _parse(gen, parameters)
    return gen.func(parsed, data_manager) if gen.reads_data else gen.func(parsed)
