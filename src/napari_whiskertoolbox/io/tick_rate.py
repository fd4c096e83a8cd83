"""Choose the tick rate of imported clocks so that every time in seconds stays exact.

Clocks count int64 ticks of one master rate (:class:`~napari_whiskertoolbox.core.timeframe.
TimeFrame`). A file that times its objects in float seconds (NWB) comes in on a master rate
at which each of its times is a whole tick: ``rint(t * rate) / rate == t`` in float64, so
that writing the ticks back as seconds gives the very same numbers. The rate is a common
multiple of the file's sampling rates (each series at a rate is then a whole number of ticks
per sample, and written back with that rate), refined by powers of ten (decimal timestamps:
``0.1234567`` s needs 10 MHz) or by the rate a timestamped series is regular at (``k / 30``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MAX_DECIMALS",
    "MAX_TICK",
    "TickRate",
    "common_multiple",
    "exact_tick_rate",
    "rounding_error",
]

MAX_DECIMALS = 9
"""Finest decimal tick tried: 10**-9 s (a nanosecond)."""

MAX_TICK = 2.0**53
"""Largest tick magnitude allowed: every tick a float64 too, so ``tick / rate`` is exact.

The cap of every master rate chosen here and when clocks join a session
(:mod:`.clock_alignment`): ``rate * duration <= 2**53`` (a 1-hour recording: 2.5 THz at
most; int64 holds 1024 times more). A finer rate would seek precision beyond what float64
seconds hold (their spacing near ``t`` is ``t * 2**-52``): timestamps needing one are
rounded to the best rate within the cap, with a warning."""


class TickRate(NamedTuple):
    """A master rate, with the timed objects it cannot hold exactly."""

    rate: float
    """Ticks per second."""
    inexact: list[tuple[str, float]]
    """``[(name, largest rounding error in seconds), ...]``; empty when every time is exact."""


def rounding_error(seconds: np.ndarray, rate: float) -> float:
    """Return the largest ``|rint(t * rate) / rate - t|`` over the finite ``seconds`` (0: exact)."""
    t = np.asarray(seconds, np.float64)
    t = t[np.isfinite(t)]
    if t.size == 0:
        return 0.0
    back = np.rint(t * rate).astype(np.int64).astype(np.float64) / rate
    return float(np.abs(back - t).max())


def _sample(seconds: np.ndarray) -> np.ndarray:
    """Return the first 4096 of ``seconds`` and about 60000 more spread over the rest."""
    if seconds.size <= 65536:
        return seconds
    return np.concatenate([seconds[:4096], seconds[4096 :: seconds.size // 61440]])


def _exact(seconds: np.ndarray, sample: np.ndarray, rate: float, noise: float) -> bool:
    """Say whether each of ``seconds`` is a whole tick of ``rate`` to ``noise`` (``sample`` first)."""
    return rounding_error(sample, rate) <= noise and rounding_error(seconds, rate) <= noise


def _fraction(rate: float) -> Fraction:
    """Return ``rate`` as a small fraction when one gives the same float (29.97 → 2997/100)."""
    small = Fraction(rate).limit_denominator(10**6)
    return small if float(small) == rate else Fraction(rate)


def _lcm(a: Fraction, b: Fraction) -> Fraction:
    """Return the least common multiple of two positive fractions."""
    return Fraction(math.lcm(a.numerator, b.numerator), math.gcd(a.denominator, b.denominator))


def common_multiple(rates: Iterable[float]) -> Fraction:
    """Return the least common multiple of sampling ``rates`` (Hz, > 0), as a fraction.

    Each rate is taken as the smallest fraction that gives the same float (29.97 is
    2997/100), so a rate at which every sample of each is a whole tick: 30 and 1000 → 3000,
    30000 and 1e7 → 3e7. 1 for no rate.
    """
    base = Fraction(1)
    for rate in rates:
        base = _lcm(base, _fraction(float(rate)))
    return base


def _regular_rate(seconds: np.ndarray) -> Fraction | None:
    """Return the rate evenly spaced ``seconds`` are at (``k / 30`` → 30), or None.

    None for times that are not evenly spaced (to a millionth of their step), or whose
    rate is no fraction with a denominator up to 1000.
    """
    steps = np.diff(np.unique(seconds))
    if steps.size == 0 or steps.min() <= 0:
        return None
    step = float(np.median(steps))
    if np.abs(steps - step).max() > 1e-6 * step:
        return None
    rate = 1.0 / step
    small = Fraction(rate).limit_denominator(1000)
    return small if small > 0 and abs(float(small) - rate) <= 1e-6 * rate else None


def exact_tick_rate(
    rates: Iterable[float],
    timed: Iterable[tuple[str, np.ndarray]],
    default: float,
) -> TickRate:
    """Return the coarsest master rate at which every rate and time of a file is exact.

    Parameters
    ----------
    rates : iterable of float
        Sampling rates (Hz, > 0) of the file's regular series: the result is a common
        multiple of them.
    timed : iterable of (str, ndarray)
        ``(name, seconds)`` of each timed object (timestamps, starting times, interval
        bounds): float64 seconds, non-finite values ignored.
    default : float
        The starting rate when ``rates`` is empty (it stays a divisor of the result).

    Returns
    -------
    TickRate
        The rate. Where no rate up to :data:`MAX_DECIMALS` decimals (and the int64 range)
        holds an object's times exactly, the one tried that rounds them least is used and
        the object is named in ``inexact`` with its largest rounding error, unless that
        error is float64's own (a few units in the last place: ``0.5 + k / 30000`` is no
        exact multiple of ``1 / 30000``).
    """
    given = [float(r) for r in rates if r and np.isfinite(r) and r > 0]
    base = common_multiple(given or [float(default)])
    sources = [(name, np.asarray(s, np.float64)) for name, s in timed]
    sources = [(name, s[np.isfinite(s)]) for name, s in sources]
    biggest = max((float(np.abs(s).max()) for _, s in sources if s.size), default=0.0)
    limit = MAX_TICK / max(biggest, 1.0)
    # float64's own rounding: start + k / rate is no exact multiple of 1 / rate
    noise = 4 * float(np.spacing(max(biggest, 1.0)))
    for _, seconds in sources:
        sample = _sample(seconds)
        if _exact(seconds, sample, float(base), noise):
            continue
        steps = [Fraction(10**k) for k in range(1, MAX_DECIMALS + 1)]
        regular = _regular_rate(seconds[:4096])  # a candidate; exactness is checked on all
        if regular is not None:
            steps = [regular] + [regular * s for s in [Fraction(1), *steps]]
        tried = sorted({c for c in (_lcm(base, s) for s in steps) if float(c) <= limit}, key=float)
        found = next((c for c in tried if _exact(seconds, sample, float(c), noise)), None)
        if found is None:  # the smallest rounding error (of the sample), the coarsest of equals
            found = min(tried or [base], key=lambda c: (rounding_error(sample, float(c)), c))
        base = found
    # a later object's rate may have refined an earlier inexact one: say what stays
    rate = float(base)
    inexact = []
    for name, seconds in sources:
        error = rounding_error(seconds, rate)
        if error > noise:
            inexact.append((name, error))
    return TickRate(rate, inexact)
