"""WhiskerToolbox's periodic analog generators, for the ``SynthesizeData`` command.

Ports of ``src/DataSynthesizer/Generators/Analog/{Sine,Square,Triangle,Sawtooth}WaveGenerator.cpp``
(paulmthompson/WhiskerToolbox), computed in 32-bit floats as there. Sample ``t`` (0, 1, …)
of a wave with ``num_cycles`` cycles over ``cycle_length`` samples (default ``num_samples``):

* ``SineWave``: ``amplitude * sin(2π f t + phase) + dc_offset``, ``f = num_cycles / cycle_length``;
* ``SquareWave``: ``+amplitude`` while the cycle fraction ``(f t + phase / 2π) mod 1`` is below
  ``duty_cycle`` (0.5), else ``-amplitude``; plus ``dc_offset``;
* ``TriangleWave``: ``amplitude * (2/π) * asin(sin(2π f t + phase)) + dc_offset``;
* ``SawtoothWave``: ``amplitude * (2 p - 1) + dc_offset``, ``p = (f t + phase / 2π + 0.5) mod 1``.

``phase`` is in radians. WhiskerToolbox's random generators (noise, Poisson events, random
intervals and points) and its event, interval, line, mask and point generators are not
ported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from napari_whiskertoolbox.transforms.errors import TransformError

__all__ = ["GENERATORS", "generate"]

_F32 = np.float32
_PI = _F32(np.pi)

_COMMON = {
    "num_samples": 1000,
    "amplitude": 1.0,
    "num_cycles": 1.0,
    "cycle_length": None,
    "phase": None,
    "dc_offset": None,
}


def _number(name: str, generator: str, value: Any, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TransformError(
            f"{generator}: parameter '{name}' must be a number, got {value!r}", parameter=name
        )
    if integer:
        if float(value) != int(value):
            raise TransformError(
                f"{generator}: parameter '{name}' must be an integer, got {value!r}",
                parameter=name,
            )
        return int(value)
    return float(value)


def _params(generator: str, raw: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {**_COMMON, **extra}
    out: dict[str, Any] = {}
    for name, default in defaults.items():
        value = raw.get(name, default)
        if value is None:
            out[name] = None
            continue
        integer = name in ("num_samples", "cycle_length")
        out[name] = _number(name, generator, value, integer)
    if out["num_samples"] <= 0:
        raise TransformError(f"{generator}: num_samples must be > 0", parameter="num_samples")
    if out["num_cycles"] <= 0.0:
        raise TransformError(f"{generator}: num_cycles must be > 0", parameter="num_cycles")
    if out["cycle_length"] is None:
        out["cycle_length"] = out["num_samples"]
    if out["cycle_length"] <= 0:
        raise TransformError(f"{generator}: cycle_length must be > 0", parameter="cycle_length")
    return out


def _setup(p: Mapping[str, Any]) -> tuple[np.ndarray, np.float32, np.float32, np.float32]:
    t = np.arange(p["num_samples"], dtype=_F32)
    frequency = _F32(p["num_cycles"]) / _F32(p["cycle_length"])
    phase = _F32(p["phase"] or 0.0)
    dc = _F32(p["dc_offset"] or 0.0)
    return t, frequency, phase, dc


def _sine(raw: Mapping[str, Any]) -> np.ndarray:
    p = _params("SineWave", raw, {})
    t, frequency, phase, dc = _setup(p)
    two_pi_freq = _F32(2.0) * _PI * frequency
    return _F32(p["amplitude"]) * np.sin(two_pi_freq * t + phase) + dc


def _fraction(values: np.ndarray) -> np.ndarray:
    pos = np.fmod(values, _F32(1.0))
    return np.where(pos < 0, pos + _F32(1.0), pos).astype(_F32)


def _square(raw: Mapping[str, Any]) -> np.ndarray:
    p = _params("SquareWave", raw, {"duty_cycle": None})
    duty = _F32(0.5 if p["duty_cycle"] is None else p["duty_cycle"])
    if duty < 0.0 or duty > 1.0:
        raise TransformError("SquareWave: duty_cycle must be in [0, 1]", parameter="duty_cycle")
    t, frequency, phase, dc = _setup(p)
    pos = _fraction(frequency * t + phase / (_F32(2.0) * _PI))
    amplitude = _F32(p["amplitude"])
    return np.where(pos < duty, amplitude, -amplitude).astype(_F32) + dc


def _triangle(raw: Mapping[str, Any]) -> np.ndarray:
    p = _params("TriangleWave", raw, {})
    t, frequency, phase, dc = _setup(p)
    two_pi_freq = _F32(2.0) * _PI * frequency
    scale = _F32(p["amplitude"]) * (_F32(2.0) / _PI)
    return scale * np.arcsin(np.sin(two_pi_freq * t + phase)) + dc


def _sawtooth(raw: Mapping[str, Any]) -> np.ndarray:
    p = _params("SawtoothWave", raw, {})
    t, frequency, phase, dc = _setup(p)
    pos = _fraction(frequency * t + phase / (_F32(2.0) * _PI) + _F32(0.5))
    return _F32(p["amplitude"]) * (_F32(2.0) * pos - _F32(1.0)) + dc


GENERATORS: dict[str, Callable[[Mapping[str, Any]], np.ndarray]] = {
    "SineWave": _sine,
    "SquareWave": _square,
    "TriangleWave": _triangle,
    "SawtoothWave": _sawtooth,
}
"""The generators by WhiskerToolbox's name; each returns float32 samples."""


def generate(name: str, parameters: Mapping[str, Any]) -> np.ndarray:
    """Return the float32 samples of generator ``name`` with ``parameters``.

    Raises
    ------
    TransformError
        Unknown generator (WhiskerToolbox's message, ``Unknown generator: '<name>'``, with the
        ones available here), or a parameter out of range (its message).
    """
    func = GENERATORS.get(name)
    if func is None:
        raise TransformError(
            f"Unknown generator: '{name}' (available here: {', '.join(GENERATORS)}; "
            "WhiskerToolbox's random, event, interval, line, mask and point generators are "
            "not ported)",
            parameter="generator_name",
        )
    if not isinstance(parameters, Mapping):
        raise TransformError(
            f"{name}: 'parameters' must be an object, got {parameters!r}", parameter="parameters"
        )
    return np.asarray(func(parameters), dtype=_F32)
