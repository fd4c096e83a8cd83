"""Analog transforms (reference §3.4): thresholds, peaks, differences, sinc, Hilbert."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalIntervalSeries, TimeFrame
from napari_whiskertoolbox.transforms import TransformError, apply_transform
from napari_whiskertoolbox.transforms.analog import analytic_signal, sinc_interpolate


def series(values, times=None):
    return AnalogTimeSeries(np.asarray(values, np.float32), times)


# ---------------------------------------------------------------------- thresholds
def test_event_threshold_illustration():
    s = series([0.2, 3.0, 3.5, 0.1, 2.9, 0.0, 4.0, 4.2], np.arange(10, 90, 10))
    ev = apply_transform("AnalogEventThreshold", s, {"threshold_value": 2.5})
    np.testing.assert_array_equal(ev.times, [20, 30, 50, 70, 80])
    ev = apply_transform("AnalogEventThreshold", s, {"threshold_value": 2.5, "lockout_time": 25})
    np.testing.assert_array_equal(ev.times, [20, 50, 80])


def test_event_threshold_directions():
    s = series([-3, -1, 0, 1, 3])
    neg = apply_transform(
        "AnalogEventThreshold", s, {"threshold_value": -0.5, "direction": "negative"}
    )
    np.testing.assert_array_equal(neg.times, [0, 1])
    ab = apply_transform(
        "AnalogEventThreshold", s, {"threshold_value": -2, "direction": "absolute"}
    )
    np.testing.assert_array_equal(ab.times, [0, 4])  # |v| > |thr|
    v1 = apply_transform(
        "Threshold Event Detection", s, {"threshold_value": -2, "direction": "Absolute (Magnitude)"}
    )
    np.testing.assert_array_equal(v1.times, [0, 1, 2, 3, 4])  # V1: |v| > thr
    assert len(apply_transform("AnalogEventThreshold", series([]))) == 0


def _ref_events(times, values, thr, lockout):
    out, last = [], -lockout - 1
    for t, v in zip(times, values):
        if v > thr and t - last >= lockout:
            out.append(t)
            last = t
    return out


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-5, 5, width=32), min_size=1, max_size=200),
    st.lists(st.integers(1, 4), min_size=200, max_size=200),
    st.floats(-2, 2),
    st.floats(0, 12),
)
def test_event_lockout_matches_the_sequential_rule(values, gaps, thr, lockout):
    times = np.cumsum(gaps[: len(values)])
    s = series(values, times)
    out = apply_transform(
        "AnalogEventThreshold", s, {"threshold_value": thr, "lockout_time": lockout}
    )
    np.testing.assert_array_equal(
        out.times, _ref_events(times.tolist(), s.values.tolist(), thr, lockout)
    )


def test_interval_threshold_illustrations():
    s = series([0.2, 3.0, 3.5, 0.1, 2.9, 0.0, 4.0, 4.2, 1.0], np.arange(10, 100, 10))
    out = apply_transform("AnalogIntervalThreshold", s, {"threshold_value": 2.5})
    assert out.intervals.tolist() == [[20, 30], [50, 50], [70, 80]]
    out = apply_transform("AnalogIntervalThreshold", s, {"threshold_value": 2.5, "min_duration": 2})
    assert out.intervals.tolist() == [[20, 30], [70, 80]]
    gap = series([-2, -2, -2, 0.3], [0, 1, 5, 6])
    out = apply_transform("AnalogIntervalThreshold", gap, {"threshold_value": -1})
    assert out.intervals.tolist() == [[2, 4], [6, 6]]
    out = apply_transform(
        "AnalogIntervalThreshold", gap, {"threshold_value": -1, "missing_data_mode": "ignore"}
    )
    assert out.intervals.tolist() == [[6, 6]]


def _ref_intervals(times, values, thr, lockout, min_dur, mode):
    """The reference's state machine, sample by sample (positive direction)."""
    n = len(times)
    if n == 0:
        return []
    step = 1 if n < 2 else times[1] - times[0]
    if n > 2 and times[2] - times[1] != step:
        step = min(step, times[2] - times[1])
    q0 = thr < 0
    state = {"in": False, "start": 0, "last": -lockout - 1}
    out = []

    def close(end):
        if end - state["start"] + 1 >= min_dur:
            out.append([state["start"], end])
        state["last"] = end
        state["in"] = False

    prev = None
    for t, v in zip(times, values):
        q = v > thr
        if prev is not None and mode == "treat_as_zero" and t - prev > (3 * step) // 2:
            if state["in"] and not q0:
                close(prev)
            elif not state["in"] and q0 and prev + step - state["last"] >= lockout:
                state["in"], state["start"] = True, prev + step
            if state["in"] and q0 and not q:
                close(t - step)
                prev = t
                continue
        if q and not state["in"] and t - state["last"] >= lockout:
            state["in"], state["start"] = True, t
        elif not q and state["in"]:
            close(prev)
        prev = t
    if state["in"]:
        close(prev)
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-3, 3, width=32), min_size=3, max_size=120),
    st.lists(st.sampled_from([1, 1, 1, 2, 3, 7]), min_size=120, max_size=120),
    st.floats(-1.5, 1.5),
    st.integers(0, 6),
    st.integers(0, 4),
    st.sampled_from(["treat_as_zero", "ignore"]),
)
def test_interval_threshold_matches_the_state_machine(values, gaps, thr, lockout, min_dur, mode):
    gaps = [1, 1, *gaps[2:]]  # expected step 1 (so the gap rule never inverts an interval)
    times = np.cumsum(gaps[: len(values)])
    s = series(values, times)
    params = {
        "threshold_value": thr,
        "lockout_time": lockout,
        "min_duration": min_dur,
        "missing_data_mode": mode,
    }
    out = apply_transform("AnalogIntervalThreshold", s, params)
    expected = _ref_intervals(times.tolist(), s.values.tolist(), thr, lockout, min_dur, mode)
    assert out.intervals.tolist() == expected


def test_interval_threshold_dense_input_without_gaps():
    s = series([0, 5, 5, 0, 5])
    out = apply_transform("AnalogIntervalThreshold", s, {"threshold_value": 1})
    assert out.intervals.tolist() == [[1, 2], [4, 4]]


# ---------------------------------------------------------------------- peaks
def test_interval_peak_within_and_between():
    s = series([0, 5, 1, 0, 2, 9, 0, 3, 0, 1])
    iv = DigitalIntervalSeries([[0, 2], [4, 6]])
    out = apply_transform("AnalogIntervalPeak", iv, others=s)
    np.testing.assert_array_equal(out.times, [1, 5])
    out = apply_transform("AnalogIntervalPeak", iv, {"peak_type": "minimum"}, others=s)
    np.testing.assert_array_equal(out.times, [0, 6])
    out = apply_transform(
        "AnalogIntervalPeak",
        DigitalIntervalSeries([[0, 1], [3, 4], [7, 8]]),
        {"search_mode": "between_starts"},
        others=s,
    )
    np.testing.assert_array_equal(out.times, [1, 5, 7])  # [0,2], [3,6], [7,8]


def test_interval_peak_skips_nans_as_max_element_does():
    # WT takes std::ranges::max_element / min_element: a NaN compares false, so it is never
    # chosen, unless it is the range's first sample (which is where the search starts)
    s = series([0, np.nan, 3, 7, np.nan, 2, np.nan, 5, 1])
    iv = DigitalIntervalSeries([[0, 4], [6, 8]])
    np.testing.assert_array_equal(apply_transform("AnalogIntervalPeak", iv, others=s).times, [3, 6])
    low = apply_transform("AnalogIntervalPeak", iv, {"peak_type": "minimum"}, others=s)
    np.testing.assert_array_equal(low.times, [0, 6])
    v1 = apply_transform("Interval Peak Detection", s, {"interval_series": "iv"}, others={"iv": iv})
    np.testing.assert_array_equal(v1.times, [3, 6])


def test_interval_peak_converts_through_ticks():
    s = series(np.arange(100, dtype=float) % 17)
    slow = TimeFrame(np.arange(0, 1000, 10))
    fast = TimeFrame(np.arange(100))
    iv = DigitalIntervalSeries([[1, 2]])  # ticks 10..20 on the slow clock
    out = apply_transform("AnalogIntervalPeak", iv, others=s, clocks=[slow, fast])
    np.testing.assert_array_equal(out.times, [16])
    empty = apply_transform(
        "AnalogIntervalPeak", DigitalIntervalSeries([[200, 300]]), others=series([1.0, 2.0])
    )
    assert len(empty) == 0


# ---------------------------------------------------------------------- difference
def test_difference_methods_and_edges():
    s = series([0, 1, 4, 9, 16], [0, 2, 4, 6, 8])
    back = apply_transform("AnalogDifference", s)
    np.testing.assert_array_equal(back.times, [2, 4, 6, 8])
    np.testing.assert_array_equal(back.values, [1, 3, 5, 7])
    fwd = apply_transform("AnalogDifference", s, {"method": "Forward", "edge_policy": "NaN"})
    np.testing.assert_array_equal(fwd.values[:4], [1, 3, 5, 7])
    assert math.isnan(fwd.values[4])
    cen = apply_transform(
        "AnalogDifference", s, {"method": "Central", "window": 2, "edge_policy": "Zero"}
    )
    np.testing.assert_array_equal(cen.values, [0, 0, 4, 0, 0])
    cl = apply_transform("AnalogDifference", s, {"method": "Central", "edge_policy": "Clamp"})
    np.testing.assert_array_equal(cl.values, [0.5, 2, 4, 6, 3.5])


def test_difference_failures():
    with pytest.raises(TransformError, match="AnalogDifference: the input signal is empty"):
        apply_transform("AnalogDifference", series([]))
    with pytest.raises(TransformError, match="removed all 2 samples"):
        apply_transform("AnalogDifference", series([1, 2]), {"window": 5})
    with pytest.raises(TransformError, match="'window' = 0"):
        apply_transform("AnalogDifference", series([1, 2]), {"window": 0})


# ---------------------------------------------------------------------- sinc
def _ref_sinc(x, m, f, k, window):
    xx = m / f
    c = math.floor(xx)
    num = den = 0.0
    for n in range(c - k + 1, c + k + 1):
        t = xx - n
        sinc = 1.0 if t == 0 else math.sin(math.pi * t) / (math.pi * t)
        w = math.sin(math.pi * t / k) / (math.pi * t / k) if window == "Lanczos" and t else 1.0
        if window == "Hann":
            w = 0.5 * (1 + math.cos(math.pi * t / k))
        i = abs(n)
        if i > len(x) - 1:
            i = 2 * (len(x) - 1) - i
        num += w * sinc * x[min(max(i, 0), len(x) - 1)]
        den += w * sinc
    return num / den


@pytest.mark.parametrize("window", ["Lanczos", "Hann"])
def test_sinc_matches_the_formula(window):
    x = np.sin(np.arange(20) / 3.0)
    out = sinc_interpolate(x, 4, 5, window, "SymmetricExtension")
    assert out.size == (20 - 1) * 4 + 1
    np.testing.assert_array_equal(out[::4], x)
    for m in (1, 6, 39, 74, 75):
        assert out[m] == pytest.approx(_ref_sinc(x, m, 4, 5, window), abs=1e-9)


def test_sinc_dc_is_exact_and_edges():
    np.testing.assert_allclose(
        sinc_interpolate(np.full(10, 3.0), 3, 8, "Blackman", "SymmetricExtension"), 3.0
    )
    s = series([1, 2, 3, 4, 5], [0, 1, 2, 4, 5])
    out = apply_transform("SincInterpolation", s, {"upsampling_factor": 2})
    np.testing.assert_array_equal(out.times, [0, 1, 2, 3, 4, 6, 8, 9, 10])
    np.testing.assert_array_equal(apply_transform("SincInterpolation", s).values, s.values)
    one = apply_transform("SincInterpolation", series([7.0], [3]), {"upsampling_factor": 5})
    assert one.times.tolist() == [15]
    with pytest.raises(TransformError, match="upsampling_factor"):
        apply_transform("SincInterpolation", s, {"upsampling_factor": 0})
    with pytest.raises(TransformError, match="empty"):
        apply_transform("SincInterpolation", series([]))


def test_sinc_recovers_a_band_limited_signal():
    t = np.arange(200)
    x = np.sin(2 * np.pi * 0.05 * t)
    out = sinc_interpolate(x, 4, 16, "Lanczos", "SymmetricExtension")
    fine = np.sin(2 * np.pi * 0.05 * np.arange(out.size) / 4)
    np.testing.assert_allclose(out[200:600], fine[200:600], atol=2e-3)


# ---------------------------------------------------------------------- Hilbert
def test_analytic_signal_zeroes_nyquist_unlike_scipy():
    x = np.random.default_rng(3).normal(size=16)
    ours = analytic_signal(x)
    ref = signal.hilbert(x)
    spectrum = np.fft.fft(ref)
    spectrum[8] = 0  # WhiskerToolbox zeroes the Nyquist bin for even n
    np.testing.assert_allclose(ours, np.fft.ifft(spectrum), atol=1e-12)
    odd = np.random.default_rng(4).normal(size=15)
    np.testing.assert_allclose(analytic_signal(odd), signal.hilbert(odd), atol=1e-12)


def test_hilbert_phase_of_a_cosine():
    t = np.arange(2000)
    x = np.cos(2 * np.pi * t / 50)
    out = apply_transform("AnalogHilbertPhase", series(x))
    expected = np.angle(np.exp(1j * 2 * np.pi * t / 50))
    err = np.angle(np.exp(1j * (out.values[100:-100] - expected[100:-100])))
    assert np.abs(err).max() < 0.05
    amp = apply_transform("Hilbert Phase", series(x), {"output_type": "Amplitude"})
    np.testing.assert_allclose(amp.values[100:-100], 1.0, atol=0.02)


def test_hilbert_chunks_gaps_and_dense_output():
    times = np.r_[np.arange(0, 100), np.arange(3000, 3100)]
    x = np.cos(2 * np.pi * times / 20.0)
    out = apply_transform("AnalogHilbertPhase", series(x, times))
    assert out.is_dense
    assert len(out) == 3100
    assert np.all(out.values[100:3000] == 0)  # between chunks: zeros
    holes = np.r_[np.arange(0, 50), np.arange(53, 100)]  # a 3-frame hole inside a chunk
    filled = apply_transform("AnalogHilbertPhase", series(np.cos(2 * np.pi * holes / 20.0), holes))
    assert np.all(filled.values[50:53] != 0)
    assert len(apply_transform("AnalogHilbertPhase", series([]))) == 0


def test_hilbert_windowed_mode_agrees_inside():
    t = np.arange(5000)
    x = np.cos(2 * np.pi * t / 40)
    whole = apply_transform("AnalogHilbertPhase", series(x), {"max_chunk_size": 0}).values
    windowed = apply_transform(
        "AnalogHilbertPhase", series(x), {"max_chunk_size": 1000, "use_windowing": False}
    ).values
    err = np.angle(np.exp(1j * (whole[200:-200] - windowed[200:-200])))
    assert np.abs(err).max() < 0.1


def test_hilbert_bandpass_checks_frequencies():
    with pytest.raises(TransformError, match="AnalogHilbertPhase: band 5-600 Hz"):
        apply_transform(
            "AnalogHilbertPhase",
            series(np.ones(100)),
            {"apply_bandpass_filter": True, "filter_high_freq": 600},
        )
    out = apply_transform(
        "AnalogHilbertPhase",
        series(np.cos(np.arange(3000) / 15.0)),
        {"apply_bandpass_filter": True},
    )
    assert np.isfinite(out.values).all()


def test_sinc_result_goes_on_an_upsampled_clock():
    """Issue 11: 'an upsampled clock for sinc interpolation'. The result has (N-1)·k+1 samples;
    stored on the input's clock (N entries) its frames ran past the clock's end."""
    from napari_whiskertoolbox.core import DataManager, TimeFrame
    from napari_whiskertoolbox.transforms import TransformError, run_transform
    from napari_whiskertoolbox.transforms.upsampling import upsample_ticks

    dm = DataManager()
    dm.set_time("cam", TimeFrame(np.arange(0, 100, 10)))
    dm.set_data("v", AnalogTimeSeries(np.sin(np.arange(10.0))), "cam")
    run_transform(dm, "SincInterpolation", "v", "up", {"upsampling_factor": 4})
    assert dm.time_key("up") == "cam_x4"
    clock = dm.get_time("cam_x4").times
    np.testing.assert_array_equal(clock, upsample_ticks(np.arange(0, 100, 10), 4))
    assert len(clock) == len(dm.get_data("up")) == 37
    run_transform(dm, "SincInterpolation", "v", "again", {"upsampling_factor": 4})
    assert dm.time_key("again") == "cam_x4"  # the clock is reused
    run_transform(dm, "SincInterpolation", "v", "copy", {"upsampling_factor": 1})
    assert dm.time_key("copy") == "cam"
    run_transform(
        dm, "SincInterpolation", "v", "asked", {"upsampling_factor": 4}, output_time_key="cam"
    )
    assert dm.time_key("asked") == "cam"  # an explicit clock wins, as in WhiskerToolbox
    dm.set_time("cam_x2", TimeFrame([0, 1]))
    with pytest.raises(TransformError, match="clock 'cam_x2' exists with other ticks"):
        run_transform(dm, "SincInterpolation", "v", "clash", {"upsampling_factor": 2})
    assert "clash" not in dm
    dm.history.undo()  # the clock 'cam_x2' (clocks are undo steps)
    dm.history.undo()  # 'asked'
    dm.history.undo()  # 'copy'
    dm.history.undo()  # 'again'
    dm.history.undo()  # 'up', with the clock it made
    assert "up" not in dm
    assert "cam_x4" not in dm.time_keys()


def test_hilbert_windowed_mode_stops_between_windows(monkeypatch):
    """A cancel is seen between the windows of one long chunk (it waited for all of them)."""
    import threading

    from napari_whiskertoolbox.transforms import TransformCancelled, TransformContext, analog

    cancel = threading.Event()
    windows = []

    def first_window_then_cancel(x: np.ndarray) -> np.ndarray:
        windows.append(x.size)
        cancel.set()
        return analytic_signal(x)

    monkeypatch.setattr(analog, "analytic_signal", first_window_then_cancel)
    with pytest.raises(TransformCancelled):
        apply_transform(
            "AnalogHilbertPhase",
            series(np.cos(np.arange(20_000) / 7.0)),
            {"max_chunk_size": 1000},
            context=TransformContext(cancel=cancel),
        )
    assert windows == [1000]


def test_hilbert_bandpass_in_chunks_equals_scipy_sosfiltfilt(monkeypatch):
    from napari_whiskertoolbox.transforms import filters

    monkeypatch.setattr(filters, "CHUNK_SAMPLES", 1000)  # the 5000 samples in 6 chunks
    n = 5000
    x = np.cos(np.arange(n) / 15.0) + 0.3 * np.cos(np.arange(n) / 2.0)
    out = apply_transform(
        "AnalogHilbertPhase", series(x), {"apply_bandpass_filter": True, "max_chunk_size": 0}
    ).values
    sos = signal.butter(4, [5.0, 15.0], "bandpass", fs=1000.0, output="sos")
    y = signal.sosfiltfilt(sos, x, padlen=3 * (2 * len(sos) + 1))
    expected = np.angle(analytic_signal(y))
    assert np.abs(np.angle(np.exp(1j * (out - expected)))).max() < 1e-3


def test_an_upsampled_clock_goes_with_its_last_key_in_the_same_undo_step():
    """The '<clock>_x<k>' clock Sinc upsampling made stayed after its keys were deleted."""
    from napari_whiskertoolbox.core import DataManager, TimeFrame
    from napari_whiskertoolbox.transforms import run_transform

    dm = DataManager()
    dm.set_time("cam", TimeFrame(np.arange(0, 100, 10)))
    dm.set_data("v", AnalogTimeSeries(np.sin(np.arange(10.0))), "cam")
    run_transform(dm, "SincInterpolation", "v", "up", {"upsampling_factor": 4})
    run_transform(dm, "SincInterpolation", "v", "again", {"upsampling_factor": 4})
    assert dm.auto_removed_clocks() == ["cam_x4"]
    dm.delete_data("up")
    assert dm.time_key("again") == "cam_x4"  # still used
    dm.delete_data("again")
    assert dm.time_keys() == ["time", "cam"]
    dm.history.undo()  # 'again' and its clock, one step
    assert dm.time_key("again") == "cam_x4"
    assert len(dm.get_time("cam_x4")) == len(dm.get_data("again")) == 37
    dm.history.redo()
    assert "cam_x4" not in dm.time_keys()
    # a clock the user made (UpsampleTimeFrame) and a transform reused stays
    dm.history.undo()
    dm.history.undo()
    from napari_whiskertoolbox.transforms.commands import run_command

    made = run_command(
        dm,
        {
            "command_name": "UpsampleTimeFrame",
            "parameters": {"source_time_key": "cam", "output_time_key": "cam_x2"},
        },
    )
    assert made.success, made.error
    run_transform(dm, "SincInterpolation", "v", "made", {"upsampling_factor": 2})
    assert dm.time_key("made") == "cam_x2"
    dm.delete_data("made")
    assert "cam_x2" in dm.time_keys()


def test_hilbert_one_long_fft_stops_on_a_cancel():
    """With max_chunk_size 0 the analytic signal of a long chunk was one FFT in the caller's
    process, which a cancel could not interrupt: it ran to its end (progress 1.0) first. It
    now runs in a child process that the cancel ends."""
    import threading

    from napari_whiskertoolbox.transforms import TransformCancelled, TransformContext

    x = series(np.cos(np.arange(2**22) / 7.0))  # about 1.5 s of FFT here
    cancel = threading.Event()
    seen: list[float] = []
    timer = threading.Timer(0.3, cancel.set)

    def progress(fraction: float) -> None:
        seen.append(fraction)
        if fraction == 0.0:
            timer.start()  # the chunk starts: cancel while its FFT runs

    with pytest.raises(TransformCancelled):
        apply_transform(
            "AnalogHilbertPhase",
            x,
            {"max_chunk_size": 0},
            context=TransformContext(cancel=cancel, progress=progress),
        )
    timer.join()
    assert seen == [0.0]  # stopped inside the FFT: the chunk never finished


@pytest.mark.parametrize("output_type", ["Phase", "Amplitude"])
def test_hilbert_long_fft_in_a_child_gives_the_same_values(monkeypatch, output_type):
    from napari_whiskertoolbox.transforms import analog

    times = np.r_[np.arange(0, 6000), np.arange(6003, 9000)]  # a filled hole inside the chunk
    x = series(np.cos(times / 9.0) + 0.2 * np.sin(times / 2.5), times)
    params = {"max_chunk_size": 0, "output_type": output_type}
    here = apply_transform("AnalogHilbertPhase", x, params).values
    monkeypatch.setattr(analog, "CHILD_FFT_SAMPLES", 1000)  # this chunk now goes to a child
    child = apply_transform("AnalogHilbertPhase", x, params).values
    np.testing.assert_array_equal(child, here)
