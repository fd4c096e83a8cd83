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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["GENERATORS", "Generator", "GeneratorParam", "Synthesized", "generate"]
__all__ = ["GENERATORS", "Generator", "GeneratorParam", "Synthesized", "generate"]
from napari_whiskertoolbox.transforms.synthesis.moving import (
    _BOUNDARY,
    _MOTION,
    _moving_line,
    _moving_mask,
    _moving_point,
)
from napari_whiskertoolbox.transforms.synthesis.noise import (
    _burst_events,
    _gaussian_noise,
    _inhomogeneous_poisson_events,
    _poisson_events,
    _random_intervals,
    _random_points,
    _uniform_noise,
)
from napari_whiskertoolbox.transforms.synthesis.params import (
    Generator,
    GeneratorParam,
    Synthesized,
    _f,
    _i,
    _parse,
)
from napari_whiskertoolbox.transforms.synthesis.shapes import (
    _circle_mask,
    _ellipse_mask,
    _grid_points,
    _rectangle_mask,
    _straight_line,
)
from napari_whiskertoolbox.transforms.synthesis.signals import (
    _WAVE,
    _regular_events,
    _regular_intervals,
    _sawtooth,
    _sine,
    _square,
    _triangle,
)

_IMAGE = (_i("image_width", 640), _i("image_height", 480))
_CENTER = (_f("center_x", 320.0), _f("center_y", 240.0))

_LINE = (
    _f("start_x", 0.0),
    _f("start_y", 0.0),
    _f("end_x", 100.0),
    _f("end_y", 100.0),
    _i("num_points_per_line", 50),
    _i("num_frames", 100),
)
"""StraightLine's parameters, which MovingLine shares."""

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
        _LINE,
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
            *_LINE,
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


def generate(
    name: str, parameters: Mapping[str, Any], data_manager: DataManager | None = None
) -> Synthesized:
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
