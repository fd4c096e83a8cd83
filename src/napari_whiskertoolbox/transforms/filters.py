"""IIR filter design for the V1 ``Filter`` operation (reference §5), with scipy.signal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.transforms.context import as_context
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = [
    "CHUNK_SAMPLES",
    "FAMILIES",
    "FIELDS",
    "RESPONSES",
    "design_sos",
    "filter_signal",
    "rbj_biquad",
    "sosfiltfilt_chunked",
]


FAMILIES = ("butterworth", "chebyshev_i", "chebyshev_ii", "rbj")
RESPONSES = ("lowpass", "highpass", "bandpass", "bandstop")
_OWNER = "Filter"
FIELDS = (
    "filter_family",
    "filter_response",
    "order",
    "sampling_rate_hz",
    "zero_phase",
    "cutoff_hz",
    "cutoff_low_hz",
    "cutoff_high_hz",
    "ripple_db",
    "q_factor",
)
"""Every field a ``filter_specification`` may have (reference §5)."""


def _check_fields(spec: Mapping[str, Any]) -> None:
    """Reject a field the specification does not have (a typo would use a default)."""
    for name in spec:
        if name not in FIELDS:
            raise TransformError(
                f"filter_specification has no field '{name}'{did_you_mean(name, FIELDS)}; "
                f"fields: {list(FIELDS)}",
                transform=_OWNER,
                parameter=f"filter_specification.{name}",
                value=spec[name],
            )


def _field(spec: Mapping[str, Any], name: str, kind: type, default: Any = None) -> Any:
    value = spec.get(name, default)
    if value is None:
        raise TransformError(
            f"filter_specification needs '{name}'",
            transform=_OWNER,
            parameter=f"filter_specification.{name}",
        )
    ok = (
        isinstance(value, bool)
        if kind is bool
        else isinstance(value, (int, float)) and not isinstance(value, bool)
    )
    if kind is int and ok and not float(value).is_integer():
        ok = False
    if not ok:
        raise TransformError(
            f"filter_specification.{name} = {value!r} is invalid; expected a {kind.__name__}",
            transform=_OWNER,
            parameter=f"filter_specification.{name}",
            value=value,
        )
    return kind(value)


def _choice(spec: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = spec.get(name)
    if value not in choices:
        raise TransformError(
            f"filter_specification.{name} = {value!r} is invalid; expected one of {list(choices)}",
            transform=_OWNER,
            parameter=f"filter_specification.{name}",
            value=value,
        )
    return str(value)


def rbj_biquad(response: str, cutoff: float, q: float, fs: float) -> np.ndarray:
    """One second-order section from the RBJ Audio-EQ cookbook (``[b0 b1 b2 1 a1 a2]``).

    Band-pass uses the constant 0 dB peak gain form; band-stop is the notch.
    """
    w = 2 * np.pi * cutoff / fs
    cos_w, alpha = np.cos(w), np.sin(w) / (2 * q)
    if response == "lowpass":
        b = [(1 - cos_w) / 2, 1 - cos_w, (1 - cos_w) / 2]
    elif response == "highpass":
        b = [(1 + cos_w) / 2, -(1 + cos_w), (1 + cos_w) / 2]
    elif response == "bandpass":
        b = [alpha, 0.0, -alpha]
    else:
        b = [1.0, -2 * cos_w, 1.0]
    a = [1 + alpha, -2 * cos_w, 1 - alpha]
    return np.array([[*(np.asarray(b) / a[0]), 1.0, a[1] / a[0], a[2] / a[0]]])


def design_sos(spec: Mapping[str, Any]) -> tuple[np.ndarray, bool]:
    """Second-order sections and the zero-phase flag of a ``filter_specification``.

    Raises
    ------
    TransformError
        Unknown family/response, an unknown field (with the closest one), missing or bad
        fields, cutoffs outside (0, Nyquist).
    """
    from scipy import signal

    if not isinstance(spec, Mapping):
        raise TransformError(
            f"filter_specification must be an object, got {spec!r}",
            transform=_OWNER,
            parameter="filter_specification",
            value=spec,
        )
    _check_fields(spec)
    family = _choice(spec, "filter_family", FAMILIES)
    response = _choice(spec, "filter_response", RESPONSES)
    fs = _field(spec, "sampling_rate_hz", float)
    zero_phase = _field(spec, "zero_phase", bool, False)
    nyquist = fs / 2
    if fs <= 0:
        raise TransformError(
            f"filter_specification.sampling_rate_hz = {fs:g} must be > 0",
            transform=_OWNER,
            value=fs,
        )
    band = response in ("bandpass", "bandstop")
    if family == "rbj" or not band:
        cutoffs: Any = _field(spec, "cutoff_hz", float)
        edges = [cutoffs]
    else:
        cutoffs = [_field(spec, "cutoff_low_hz", float), _field(spec, "cutoff_high_hz", float)]
        edges = list(cutoffs)
        if cutoffs[0] >= cutoffs[1]:
            raise TransformError(
                f"cutoff_low_hz {cutoffs[0]:g} must be below cutoff_high_hz {cutoffs[1]:g}",
                transform=_OWNER,
                parameter="filter_specification.cutoff_low_hz",
                value=cutoffs[0],
            )
    for edge in edges:
        if not 0 < edge < nyquist:
            raise TransformError(
                f"cutoff {edge:g} Hz must lie inside (0, {nyquist:g}) Hz (Nyquist of {fs:g} Hz)",
                transform=_OWNER,
                parameter="filter_specification.cutoff_hz",
                value=edge,
            )
    if family == "rbj":
        return rbj_biquad(
            response, cutoffs, _field(spec, "q_factor", float, 0.7071), fs
        ), zero_phase
    order = _field(spec, "order", int, 4)
    if order < 1:
        raise TransformError(
            f"filter_specification.order = {order} must be >= 1", transform=_OWNER, value=order
        )
    if family == "butterworth":
        sos = signal.butter(order, cutoffs, response, fs=fs, output="sos")
    elif family == "chebyshev_i":
        sos = signal.cheby1(
            order, _field(spec, "ripple_db", float, 1.0), cutoffs, response, fs=fs, output="sos"
        )
    else:
        sos = signal.cheby2(
            order, _field(spec, "ripple_db", float, 40.0), cutoffs, response, fs=fs, output="sos"
        )
    return sos, zero_phase


CHUNK_SAMPLES = 1 << 20
"""Samples per ``sosfilt`` call: a cancel is checked between calls."""


def _sosfilt_chunks(
    sos: np.ndarray, x: np.ndarray, zi: np.ndarray, ctx: TransformContext
) -> np.ndarray:
    """``scipy.signal.sosfilt(sos, x, zi=zi)[0]`` in chunks, the filter state carried over."""
    from scipy import signal

    out = np.empty_like(x)
    state = zi
    for start, stop in ctx.chunks(x.size, CHUNK_SAMPLES):
        out[start:stop], state = signal.sosfilt(sos, x[start:stop], zi=state)
    return out


def filter_signal(
    values: np.ndarray, spec: Mapping[str, Any], ctx: TransformContext | None = None
) -> np.ndarray:
    """Filter ``values`` as ``spec`` says (``sosfilt``, or ``sosfiltfilt`` when zero-phase).

    Both run in chunks of :data:`CHUNK_SAMPLES` with the filter state carried over (equal to
    one call), checking ``ctx`` for a cancel between them. The zero-phase passes follow
    ``scipy.signal.sosfiltfilt``: odd extension by ``padlen`` samples at both ends, a
    forward pass from the steady state scaled by the first sample, a backward pass from
    the steady state scaled by the last output.

    Raises
    ------
    TransformCancelled
        ``ctx`` was cancelled.
    """
    ctx = as_context(ctx, _OWNER)
    x = np.asarray(values, np.float64)
    if x.size == 0:
        raise TransformError("the input signal is empty", transform=_OWNER)
    sos, zero_phase = design_sos(spec)
    if not zero_phase:
        return _sosfilt_chunks(sos, x, np.zeros((len(sos), 2)), ctx)
    return sosfiltfilt_chunked(sos, x, ctx)


def sosfiltfilt_chunked(sos: np.ndarray, x: np.ndarray, ctx: TransformContext) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, padlen=min(3 (2 len(sos) + 1), x.size - 1))``.

    Both passes run in chunks of :data:`CHUNK_SAMPLES`, checking ``ctx`` for a cancel
    between them (see :func:`filter_signal`).

    Raises
    ------
    TransformCancelled
        ``ctx`` was cancelled.
    """
    from scipy import signal

    x = np.asarray(x, np.float64)
    padlen = min(3 * (2 * len(sos) + 1), x.size - 1)
    ext = (
        np.concatenate((2 * x[0] - x[padlen:0:-1], x, 2 * x[-1] - x[-2 : -padlen - 2 : -1]))
        if padlen > 0
        else x
    )
    zi = signal.sosfilt_zi(sos)
    forward = _sosfilt_chunks(sos, ext, zi * ext[0], ctx)
    backward = _sosfilt_chunks(sos, forward[::-1].copy(), zi * forward[-1], ctx)[::-1]
    return np.ascontiguousarray(backward[padlen : backward.size - padlen])
