"""Analog-signal transforms (reference §3.4).

Thresholds, interval peaks, differences, sinc interpolation and the Hilbert phase.

Durations (lockout, minimum duration, gaps) are in frame-index units of the signal's own
clock. Thresholds are vectorised over the sample array in chunks; only lockouts walk the
qualifying samples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.transforms.child_process import run_stoppable
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.filters import sosfiltfilt_chunked
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import Params, p_bool, p_enum, p_float, p_int
from napari_whiskertoolbox.transforms.units import INPUT_UNIT, RADIANS, OutputUnit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound

__all__ = [
    "analytic_signal",
    "convert_range",
    "difference",
    "event_threshold",
    "hilbert_phase",
    "interval_peaks",
    "interval_threshold",
    "qualifies",
    "sinc_interpolate",
]


THRESHOLD_CHUNK = 1 << 17


def qualifies(
    values: np.ndarray, threshold: float, direction: str, v1_absolute: bool = False
) -> np.ndarray:
    """Level test of every sample (reference §3.4): ``>``, ``<`` or ``|v| > |thr|``.

    ``v1_absolute`` compares ``|v| > threshold`` (V1's absolute, reference §5).
    """
    if direction == "negative":
        return _less(values, threshold)
    if direction == "absolute":
        return _greater(np.abs(values), threshold if v1_absolute else abs(threshold))
    return _greater(values, threshold)


def _greater(values: np.ndarray, threshold: float) -> np.ndarray:
    """``values > threshold`` exactly (the threshold is not rounded to float32)."""
    if values.dtype != np.float32:
        return values > np.float64(threshold)
    t32 = np.float32(threshold)
    return values >= t32 if float(t32) > threshold else values > t32


def _less(values: np.ndarray, threshold: float) -> np.ndarray:
    """``values < threshold`` exactly (the threshold is not rounded to float32)."""
    if values.dtype != np.float32:
        return values < np.float64(threshold)
    t32 = np.float32(threshold)
    return values <= t32 if float(t32) < threshold else values < t32


def _lockout(candidates: np.ndarray, lockout: float, ctx: TransformContext) -> np.ndarray:
    """Greedy acceptance: keep an event when it is ``>= lockout`` after the last kept one."""
    m = candidates.size
    if lockout <= 0 or m < 2:
        return candidates
    # A candidate at least `lockout` after its predecessor is always kept, so only runs of
    # closer candidates ("clusters") need the sequential walk.
    brk = np.empty(m, bool)
    brk[0] = True
    np.greater_equal(np.diff(candidates), lockout, out=brk[1:])
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], m)
    keep = brk
    for c in np.flatnonzero(ends - starts > 1).tolist():
        lo, hi = int(starts[c]), int(ends[c])
        cluster = candidates[lo:hi]
        nxt = np.searchsorted(cluster, cluster + lockout, side="left").tolist()
        i = 0
        steps = 0
        while True:
            i = nxt[i]
            if i >= hi - lo:
                break
            keep[lo + i] = True
            steps += 1
            if steps % 65536 == 0:
                ctx.check()
    return candidates[keep]


def event_threshold(
    series: AnalogTimeSeries,
    threshold: float,
    direction: str,
    lockout: float,
    ctx: TransformContext,
    v1_absolute: bool = False,
) -> np.ndarray:
    """Frames of the samples passing the level test, with a lockout (reference §3.4).

    Returns
    -------
    (k,) int64
        Sorted event frames (input clock).
    """
    values = series.values
    n = values.size
    # two passes (count, then fill) so the only large allocation is the result itself
    counts = [
        int(np.count_nonzero(qualifies(values[a:b], threshold, direction, v1_absolute)))
        for a, b in ctx.chunks(n, THRESHOLD_CHUNK)
    ]
    candidates = np.empty(sum(counts), np.int64)
    pos = 0
    for (start, stop), count in zip(_chunk_ranges(n), counts):
        if not count:
            continue
        idx = np.flatnonzero(qualifies(values[start:stop], threshold, direction, v1_absolute))
        candidates[pos : pos + count] = (
            idx + start if series.is_dense else series.times[start:stop][idx]
        )
        pos += count
    return _lockout(candidates, lockout, ctx)


_DIRECTION = p_enum(
    "direction", ("positive", "negative", "absolute"), "value > thr, < thr, or |v| > |thr|"
)
_LOCKOUT = p_float("lockout_time", 0.0, "minimum frames between events", minimum=0.0)


@container_transform(
    "AnalogEventThreshold",
    ("analog",),
    "digital_event",
    (p_float("threshold_value", 1.0, "threshold (signal units)"), _DIRECTION, _LOCKOUT),
    category="Analog",
    source="reference §3.4",
)
def analog_event_threshold(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Emit an event at every qualifying sample (level test, not crossings), with a lockout."""
    times = event_threshold(inputs[0].data, p.threshold_value, p.direction, p.lockout_time, ctx)
    return DigitalEventSeries(times, copy=False)  # sorted, unique and ours: no sort, no copy


def _chunk_ranges(n: int) -> list[tuple[int, int]]:
    return [(a, min(a + THRESHOLD_CHUNK, n)) for a in range(0, n, THRESHOLD_CHUNK)]


def expected_step(times: np.ndarray) -> int:
    """Return the sampling step (reference §3.4): ``t1 - t0``, or ``t2 - t1`` if smaller."""
    n = times.size
    if n < 2:
        return 1
    step = int(times[1] - times[0])
    if n > 2 and int(times[2] - times[1]) != step:
        step = min(step, int(times[2] - times[1]))
    return step


def interval_threshold(
    series: AnalogTimeSeries,
    threshold: float,
    direction: str,
    lockout: float,
    min_duration: float,
    missing_data_mode: str,
    ctx: TransformContext,
    v1_absolute: bool = False,
) -> np.ndarray:
    """Intervals where the level test holds (reference §3.4 AnalogIntervalThreshold).

    Runs of qualifying samples become ``[first, last]`` (inclusive, frames of the input
    clock). With ``treat_as_zero`` a gap wider than ⌊3s/2⌋ (s the expected step) behaves as
    zeros: virtual zero samples are inserted at ``prev + s`` and ``cur - s`` (the latter
    cannot start an interval), which ends, starts or continues intervals as WhiskerToolbox's
    state machine does. A lockout delays interval starts; intervals shorter than
    ``min_duration`` frames are dropped but still count for the lockout.

    Returns
    -------
    (k, 2) int64
    """
    n = series.n_samples
    if n == 0:
        return np.empty((0, 2), np.int64)
    values = series.values
    q = np.empty(n, bool)
    for start, stop in ctx.chunks(n, THRESHOLD_CHUNK):
        q[start:stop] = qualifies(values[start:stop], threshold, direction, v1_absolute)
    t = None if series.is_dense else series.times
    startable = None
    if t is not None and missing_data_mode == "treat_as_zero":
        t, q, startable = _insert_gap_zeros(t, q, threshold, direction, v1_absolute)
    edges = np.diff(q.astype(np.int8))
    run_starts = np.flatnonzero(edges == 1) + 1
    run_ends = np.flatnonzero(edges == -1)
    if q[0]:
        run_starts = np.r_[0, run_starts]
    if q[-1]:
        run_ends = np.r_[run_ends, q.size - 1]

    def time(i: np.ndarray) -> np.ndarray:
        return i.astype(np.int64) if t is None else t[i]

    if lockout > 0:
        keep_start = []
        keep_end = []
        last_end = -lockout - 1
        all_times = np.arange(q.size, dtype=np.int64) if t is None else t
        for k, (rs, re) in enumerate(zip(run_starts.tolist(), run_ends.tolist())):
            ctx.tick(k, run_starts.size)
            i = max(int(np.searchsorted(all_times, last_end + lockout, side="left")), rs)
            while i <= re and startable is not None and not startable[i]:
                i += 1
            if i > re:
                continue
            keep_start.append(i)
            keep_end.append(re)
            last_end = int(all_times[re])
        run_starts = np.asarray(keep_start, np.int64)
        run_ends = np.asarray(keep_end, np.int64)
    pairs = np.column_stack((time(run_starts), time(run_ends))).reshape(-1, 2)
    if min_duration > 0:
        pairs = pairs[pairs[:, 1] - pairs[:, 0] + 1 >= min_duration]
    return pairs


def _insert_gap_zeros(
    t: np.ndarray, q: np.ndarray, threshold: float, direction: str, v1_absolute: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    step = expected_step(t)
    gap_at = np.flatnonzero(np.diff(t) > (3 * step) // 2)
    startable = np.ones(t.size, bool)
    if gap_at.size == 0:
        return t, q, startable
    zero_q = bool(qualifies(np.zeros(1), threshold, direction, v1_absolute)[0])
    first = t[gap_at] + step
    pos = [gap_at + 1]
    new_t = [first]
    new_start = [np.ones(gap_at.size, bool)]
    if zero_q:
        second = t[gap_at + 1] - step
        two = second > first
        pos.append(gap_at[two] + 1)
        new_t.append(second[two])
        new_start.append(np.zeros(int(two.sum()), bool))
    where = np.concatenate(pos)
    order = np.lexsort((np.concatenate(new_t), where))
    where = where[order]
    vt = np.concatenate(new_t)[order]
    vs = np.concatenate(new_start)[order]
    t2 = np.insert(t, where, vt)
    q2 = np.insert(q, where, np.full(vt.size, zero_q))
    s2 = np.insert(startable, where, vs)
    return t2, q2, s2


@container_transform(
    "AnalogIntervalThreshold",
    ("analog",),
    "digital_interval",
    (
        p_float("threshold_value", 1.0, "threshold (signal units)"),
        _DIRECTION,
        p_float(
            "lockout_time",
            0.0,
            "minimum frames from an interval's end to the next start",
            minimum=0.0,
        ),
        p_float("min_duration", 0.0, "shortest interval kept, frames", minimum=0.0),
        p_enum("missing_data_mode", ("treat_as_zero", "ignore"), "how gaps in the samples count"),
    ),
    one_value_per_time=True,
    category="Analog",
    source="reference §3.4",
)
def analog_interval_threshold(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Intervals where the signal passes the level test (inclusive frame ranges)."""
    pairs = interval_threshold(
        inputs[0].data,
        p.threshold_value,
        p.direction,
        p.lockout_time,
        p.min_duration,
        p.missing_data_mode,
        ctx,
    )
    return DigitalIntervalSeries(pairs, copy=False)  # sorted and apart: no merge, no copy


# ---------------------------------------------------------------------- interval peaks
def convert_range(
    starts: np.ndarray, ends: np.ndarray, source: TimeFrame | None, target: TimeFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Convert inclusive index ranges between clocks through ticks (reference §3.4).

    Start → first target index whose time is >= the start's ticks; end → the target index
    nearest the end's ticks (ties to the earlier); both clamped. Same clock object, or a
    missing clock: indices unchanged.
    """
    if source is None or target is None or source is target or len(target) == 0:
        return starts, ends
    lo = target.indices_at_times(source.times_at_indices(starts), preceding=False)
    hi = target.indices_at_times(source.times_at_indices(ends), preceding=True)
    return lo, hi


def search_ranges(pairs: np.ndarray, mode: str) -> np.ndarray:
    """Search ranges of AnalogIntervalPeak: each interval, or start to next start - 1."""
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    if mode == "between_starts" and pairs.shape[0] > 1:
        out = pairs.copy()
        out[:-1, 1] = pairs[1:, 0] - 1
        return out
    return pairs


def interval_peaks(
    intervals: Bound, analog: Bound, peak_type: str, search_mode: str, ctx: TransformContext
) -> np.ndarray:
    """Frame (analog clock) of the first maximum/minimum in each search range (§3.4)."""
    ranges = search_ranges(np.asarray(intervals.data.intervals), search_mode)
    lo, hi = convert_range(ranges[:, 0], ranges[:, 1], intervals.clock, analog.clock)
    series: AnalogTimeSeries = analog.data
    out = []
    for k, (a, b) in enumerate(zip(np.asarray(lo).tolist(), np.asarray(hi).tolist())):
        ctx.tick(k, lo.size)
        times, values = series.range(a, b)
        if times.size == 0:
            continue
        out.append(int(times[first_extremum(values, peak_type == "maximum")]))
    return np.asarray(out, np.int64)


def first_extremum(values: np.ndarray, maximum: bool) -> int:
    """Index of the first maximum (minimum) of a non-empty array, as ``std::max_element``.

    WhiskerToolbox keeps the first sample and replaces it only by a strictly larger
    (smaller) one; a NaN compares false, so NaNs are skipped, unless the first sample is
    NaN, which then stays (index 0). ``np.argmax`` would pick the first NaN instead.
    """
    if np.isnan(values[0]):
        return 0
    return int(np.nanargmax(values) if maximum else np.nanargmin(values))


@container_transform(
    "AnalogIntervalPeak",
    ("digital_interval", "analog"),
    "digital_event",
    (
        p_enum("peak_type", ("maximum", "minimum"), "largest or smallest sample"),
        p_enum("search_mode", ("within_intervals", "between_starts"), "where to search"),
    ),
    category="Analog",
    output_clock=1,
    source="reference §3.4",
)
def analog_interval_peak(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """One event (on the analog's clock) at the peak sample of each interval."""
    return DigitalEventSeries(interval_peaks(inputs[0], inputs[1], p.peak_type, p.search_mode, ctx))


# ---------------------------------------------------------------------- difference
def difference(
    values: np.ndarray, method: str, window: int, edge: str
) -> tuple[np.ndarray, np.ndarray]:
    """Finite difference on index-adjacent samples (reference §3.4 AnalogDifference).

    Returns
    -------
    out : (n,) float64
        Differences (NaN/0/clamped where the window is incomplete).
    keep : (n,) bool
        False where ``edge == "Skip"`` drops the sample.
    """
    x = np.asarray(values, np.float64)
    n = x.size
    idx = np.arange(n)
    back = idx - window if method != "Forward" else idx
    fwd = idx + window if method != "Backward" else idx
    missing = (back < 0) | (fwd > n - 1)
    prev = x[np.clip(back, 0, n - 1)]
    nxt = x[np.clip(fwd, 0, n - 1)]
    out = nxt - prev
    if method == "Central":
        out = out / (2 * window)
    keep = np.ones(n, bool)
    if edge == "Skip":
        keep = ~missing
    elif edge == "NaN":
        out[missing] = np.nan
    elif edge == "Zero":
        out[missing] = 0.0
    return out, keep


@container_transform(
    "AnalogDifference",
    ("analog",),
    "analog",
    (
        p_enum("method", ("Backward", "Central", "Forward"), "which neighbours"),
        p_int("window", 1, "distance to the neighbour, samples", minimum=1),
        p_enum("edge_policy", ("Skip", "NaN", "Zero", "Clamp"), "where the window is incomplete"),
    ),
    one_value_per_time=True,
    category="Analog",
    output_unit=f"{INPUT_UNIT}/sample",
    source="reference §3.4",
)
def analog_difference(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Backward, forward or central difference of index-adjacent samples."""
    series: AnalogTimeSeries = inputs[0].data
    if series.n_samples == 0:
        raise TransformError("the input signal is empty", transform="AnalogDifference")
    out, keep = difference(series.values, p.method, p.window, p.edge_policy)
    if not keep.any():
        raise TransformError(
            f"edge_policy 'Skip' removed all {series.n_samples} samples (window {p.window})",
            transform="AnalogDifference",
            parameter="window",
            value=p.window,
        )
    if keep.all():
        return AnalogTimeSeries(out.astype(np.float32), None if series.is_dense else series.times)
    return AnalogTimeSeries(out[keep].astype(np.float32), series.times[keep])


# ---------------------------------------------------------------------- sinc
def _window(t: np.ndarray, k: int, kind: str) -> np.ndarray:
    a = np.abs(t)
    if kind == "Hann":
        w = 0.5 * (1 + np.cos(np.pi * t / k))
    elif kind == "Blackman":
        w = 0.42 + 0.5 * np.cos(np.pi * t / k) + 0.08 * np.cos(2 * np.pi * t / k)
    else:
        w = np.sinc(t / k)
    return np.where(a < k, w, 0.0)


def sinc_interpolate(
    values: np.ndarray, factor: int, half_width: int, window: str, boundary: str
) -> np.ndarray:
    """Windowed-sinc upsampling by an integer factor (reference §3.4 SincInterpolation).

    Output ``(N - 1) * factor + 1`` samples; originals copied at multiples of ``factor``;
    between them, taps ``c - K + 1 .. c + K`` weighted by window x sinc and renormalised per
    phase (so DC is exact). Boundary: ``ZeroPad`` or ``SymmetricExtension`` (mirror without
    repeating the edge, clamped for large overshoot). Each phase is one
    ``scipy.signal.correlate`` of the padded signal.
    """
    from scipy import signal

    x = np.asarray(values, np.float64)
    n = x.size
    if factor == 1 or n == 1:
        return x.copy()
    k = max(int(half_width), 1)
    pad_index = np.arange(-k + 1, n + k)
    if boundary == "ZeroPad":
        padded = np.where((pad_index >= 0) & (pad_index < n), x[np.clip(pad_index, 0, n - 1)], 0.0)
    else:
        mirrored = np.where(pad_index < 0, -pad_index, pad_index)
        mirrored = np.where(mirrored > n - 1, 2 * (n - 1) - mirrored, mirrored)
        padded = x[np.clip(mirrored, 0, n - 1)]
    out = np.empty((n - 1) * factor + 1)
    out[::factor] = x
    taps = np.arange(-k + 1, k + 1)  # n - c for the taps c-K+1 .. c+K
    for r in range(1, factor):
        dist = r / factor - taps  # x - n
        weights = _window(dist, k, window) * np.sinc(dist)
        total = weights.sum()
        if total != 0:
            weights = weights / total
        # y[c] = sum_j weights[j] * s[c + taps[j]]; padded[0] is s[-k + 1]
        phase = signal.correlate(padded, weights, mode="valid")[: n - 1]
        out[r::factor] = phase
    return out


@container_transform(
    "SincInterpolation",
    ("analog",),
    "analog",
    (
        p_int("upsampling_factor", 1, "integer upsampling factor (1 = copy)"),
        p_int("kernel_half_width", 8, "taps on each side"),
        p_enum("window_type", ("Lanczos", "Hann", "Blackman"), "window of the sinc kernel"),
        p_enum("boundary_mode", ("SymmetricExtension", "ZeroPad"), "samples beyond the ends"),
    ),
    one_value_per_time=True,
    category="Analog",
    upsampling_param="upsampling_factor",
    output_unit=INPUT_UNIT,
    source="reference §3.4",
)
def sinc_interpolation(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Upsample by an integer factor with a windowed sinc; store on an upsampled clock."""
    series: AnalogTimeSeries = inputs[0].data
    f = int(p.upsampling_factor)
    if f < 1:
        raise TransformError(
            f"parameter 'upsampling_factor' = {f} is invalid; expected an integer >= 1",
            transform="SincInterpolation",
            parameter="upsampling_factor",
            value=f,
        )
    if series.n_samples == 0:
        raise TransformError("the input signal is empty", transform="SincInterpolation")
    ctx.check()
    out = sinc_interpolate(series.values, f, p.kernel_half_width, p.window_type, p.boundary_mode)
    if series.is_dense:
        return AnalogTimeSeries(out.astype(np.float32))
    t = series.times
    if t.size == 1:
        return AnalogTimeSeries(out.astype(np.float32), t * f)
    base = np.repeat(t[:-1] * f, f)
    step = np.repeat(np.diff(t), f) * np.tile(np.arange(f), t.size - 1)
    times = np.append(base + step, t[-1] * f)
    return AnalogTimeSeries(out.astype(np.float32), times)


# ---------------------------------------------------------------------- Hilbert
def analytic_signal(x: np.ndarray) -> np.ndarray:
    """Analytic signal by FFT, WhiskerToolbox's convention (reference §3.4).

    Keeps bin 0, doubles bins 1 … ⌈n/2⌉ - 1 and zeroes the rest — for even ``n`` the
    Nyquist bin is zeroed, unlike ``scipy.signal.hilbert`` which keeps it.
    """
    from scipy import fft as sp_fft

    n = x.size
    spectrum = sp_fft.fft(x)
    h = np.zeros(n)
    h[0] = 1.0
    h[1 : (n + 1) // 2] = 2.0
    return sp_fft.ifft(spectrum * h)


CHILD_FFT_SAMPLES = 2**20
"""Analytic signals of more samples are computed in a child process that a cancel ends.

One FFT cannot stop midway: 2**20 samples take about half a second here, 20M several
seconds. Longer ones (``max_chunk_size: 0`` on a long chunk, or windows that long) run in
:func:`~.child_process.run_stoppable`, with the same code and so the same result; the child
costs about a second to start, small beside such an FFT.
"""


def _analytic(x: np.ndarray, ctx: TransformContext) -> np.ndarray:
    """:func:`analytic_signal` of ``x``, stopped within a bounded time by a cancel."""
    ctx.check()
    if x.size > CHILD_FFT_SAMPLES:
        owner = ctx.name or "AnalogHilbertPhase"
        return np.asarray(run_stoppable(analytic_signal, (x,), ctx, owner))
    return analytic_signal(x)


def _analytic_windowed(
    x: np.ndarray, size: int, overlap_fraction: float, taper: bool, ctx: TransformContext
) -> np.ndarray:
    from scipy import signal

    n = x.size
    overlap = int(size * min(max(overlap_fraction, 0.0), 0.5))
    step = max(size - overlap, 1)
    discard = overlap // 2
    out = np.empty(n, complex)
    start = 0
    kept_from = 0
    while True:
        ctx.check()  # between windows: a long chunk is many of them
        stop = min(start + size, n)
        win = x[start:stop]
        if taper:
            win = win * signal.windows.hann(win.size, sym=False) if win.size > 1 else win
        a = _analytic(win, ctx)
        last = stop >= n
        kept_to = n if last else start + step + discard
        out[kept_from:kept_to] = a[kept_from - start : kept_to - start]
        if last:
            return out
        kept_from = kept_to
        start += step


def hilbert_phase(series: AnalogTimeSeries, p: Params, ctx: TransformContext) -> AnalogTimeSeries:
    """Instantaneous phase (radians, [-π, π]) or amplitude (reference §3.4).

    Splits at frame gaps > ``discontinuity_threshold``; per chunk drops NaNs, optionally
    band-passes (zero-phase Butterworth, ``scipy.signal.butter`` + ``sosfiltfilt``), takes
    the analytic signal (windowed for chunks longer than ``max_chunk_size``), and writes a
    dense output over frames ``0 .. last`` (0 elsewhere), linearly interpolating small gaps
    inside a chunk (phase unwrapped first).
    """
    n = series.n_samples
    if n == 0:
        return AnalogTimeSeries(np.empty(0, np.float32))
    t = series.times
    values = np.asarray(series.values, np.float64)
    out = np.zeros(int(t[-1]) + 1, np.float64)
    threshold = p.discontinuity_threshold
    cuts = np.flatnonzero(np.diff(t) > threshold) + 1
    bounds = list(zip(np.r_[0, cuts].tolist(), np.r_[cuts, n].tolist()))
    phase = p.output_type == "Phase"
    for k, (a, b) in enumerate(bounds):
        ctx.progress(k / len(bounds))
        tt, vv = t[a:b], values[a:b]
        ok = np.isfinite(vv)
        tt, vv = tt[ok], vv[ok]
        if vv.size == 0:
            continue
        if p.apply_bandpass_filter:
            vv = _bandpass(vv, p, ctx)
        if p.max_chunk_size > 0 and vv.size > p.max_chunk_size:
            z = _analytic_windowed(
                vv, int(p.max_chunk_size), p.overlap_fraction, p.use_windowing, ctx
            )
        else:
            z = _analytic(vv, ctx)  # one FFT over the chunk: in a child when it is long
        r = np.angle(z) if phase else np.abs(z)
        frames = np.arange(int(tt[0]), int(tt[-1]) + 1)
        filled = np.interp(frames, tt, np.unwrap(r) if phase else r)
        if phase:
            filled = np.angle(np.exp(1j * filled))
        gap = np.diff(tt) > threshold
        for g in np.flatnonzero(gap).tolist():
            filled[int(tt[g]) + 1 - int(tt[0]) : int(tt[g + 1]) - int(tt[0])] = 0.0
        out[frames] = filled
    ctx.progress(1.0)
    return AnalogTimeSeries(out.astype(np.float32))


def _bandpass(x: np.ndarray, p: Params, ctx: TransformContext) -> np.ndarray:
    from scipy import signal

    nyquist = p.sampling_rate / 2
    if not 0 < p.filter_low_freq < p.filter_high_freq < nyquist:
        raise TransformError(
            f"band {p.filter_low_freq:g}-{p.filter_high_freq:g} Hz must lie inside "
            f"(0, {nyquist:g}) Hz for sampling_rate {p.sampling_rate:g}",
            parameter="filter_high_freq",
            value=p.filter_high_freq,
        )
    sos = signal.butter(
        p.filter_order,
        [p.filter_low_freq, p.filter_high_freq],
        "bandpass",
        fs=p.sampling_rate,
        output="sos",
    )
    return sosfiltfilt_chunked(sos, x, ctx)


HILBERT_PARAMS = (
    p_enum("output_type", ("Phase", "Amplitude"), "phase (radians) or envelope"),
    p_int("discontinuity_threshold", 1000, "frame gap that splits the signal into chunks"),
    p_int(
        "max_chunk_size", 100000, "longer chunks are processed in overlapping windows (0 = never)"
    ),
    p_float("overlap_fraction", 0.25, "window overlap (clamped to 0-0.5)"),
    p_bool("use_windowing", True, "Hann taper of the windows"),
    p_bool("apply_bandpass_filter", False, "zero-phase Butterworth band-pass first"),
    p_float("filter_low_freq", 5.0, "band-pass low edge, Hz"),
    p_float("filter_high_freq", 15.0, "band-pass high edge, Hz"),
    p_int("filter_order", 4, "Butterworth order", minimum=1, maximum=8),
    p_float("sampling_rate", 1000.0, "samples per second, Hz", minimum=0.0, exclusive_minimum=True),
)


HILBERT_UNIT: OutputUnit = ("output_type", {"Phase": RADIANS, "Amplitude": INPUT_UNIT})
"""Phase in radians (reference §1.6), the envelope in the input's unit."""


@container_transform(
    "AnalogHilbertPhase",
    ("analog",),
    "analog",
    HILBERT_PARAMS,
    one_value_per_time=True,
    category="Analog",
    in_wt_registry=False,
    output_unit=HILBERT_UNIT,
    source="reference §3.4 (WhiskerToolbox registers it only as V1 'Hilbert Phase')",
)
def analog_hilbert_phase(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Instantaneous phase (radians) or amplitude of a signal, dense on its clock."""
    return hilbert_phase(inputs[0].data, p, ctx)
