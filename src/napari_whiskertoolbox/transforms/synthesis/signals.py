"""Periodic analog signals and regular events and intervals (WhiskerToolbox's ``Generators/Analog``, ``DigitalEvent``, ``DigitalInterval``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.transforms.synthesis.params import (
    _F32,
    _PI,
    Synthesized,
    _analog,
    _f,
    _i,
    _need,
    _round_half_away,
)

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
