"""Parameters of WhiskerToolbox's generators: declaration, parsing and checks; the result type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.transforms.errors import TransformError

__all__ = ["Generator", "GeneratorParam", "ParamKind", "Synthesized"]

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


def _analog(values: np.ndarray) -> Synthesized:
    values = np.asarray(values, dtype=_F32)
    return Synthesized(AnalogTimeSeries(values), int(values.size))


def _round_half_away(values: np.ndarray) -> np.ndarray:
    """``std::round``: halves away from zero (numpy's ``round`` goes to even)."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)
