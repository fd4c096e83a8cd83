"""Ragged float results (several values at one time) and the analog transforms.

CalculateLineAngle on a key with 5 lines a frame gives an AnalogTimeSeries whose times
repeat (WhiskerToolbox's RaggedAnalogTimeSeries, reference §1.2). Transforms that walk the
samples in order refuse it, naming the key; order-free ones accept it.
"""

from __future__ import annotations

import numpy as np
import pytest
from _transforms_support import lines_of

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, DigitalIntervalSeries
from napari_whiskertoolbox.transforms import Pipeline, TransformError, run_transform
from napari_whiskertoolbox.transforms.registry import REGISTRY

N_LINES = 5

_FILTER = {
    "filter_family": "butterworth",
    "filter_response": "lowpass",
    "order": 2,
    "sampling_rate_hz": 100.0,
    "cutoff_hz": 10.0,
    "zero_phase": True,
}

REFUSING = {
    "AnalogIntervalThreshold": {},
    "AnalogDifference": {},
    "SincInterpolation": {"upsampling_factor": 2},
    "AnalogHilbertPhase": {},
    "Threshold Interval Detection": {},
    "Hilbert Phase": {},
    "Filter": {"filter_specification": _FILTER},
}


def _whiskers(n_frames: int = 6) -> DataManager:
    """A session whose ``whiskers`` key holds 5 straight lines a frame, line k at k*10°."""
    frames = {}
    for t in range(n_frames):
        lines = []
        for k in range(N_LINES):
            a = np.radians(10.0 * k + t)
            lines.append([[0, 0], [100 * np.cos(a), 100 * np.sin(a)]])
        frames[t] = lines
    dm = DataManager()
    dm.set_data("whiskers", lines_of(frames))
    run_transform(dm, "CalculateLineAngle", "whiskers", "whiskers_line_angle", {"position": 1.0})
    return dm


def test_the_angle_of_every_line_is_a_series_with_repeated_times():
    angle = _whiskers().get_data("whiskers_line_angle")
    assert np.bincount(angle.times).tolist() == [N_LINES] * 6
    np.testing.assert_allclose(angle.values_at(2), [2, 12, 22, 32, 42], atol=1e-3)


def test_the_declared_refusals_are_exactly_these():
    assert sorted(s.name for s in REGISTRY.specs() if s.one_value_per_time) == sorted(REFUSING)


@pytest.mark.parametrize("name", list(REFUSING))
def test_an_order_dependent_transform_refuses_a_ragged_key(name):
    dm = _whiskers()
    before = set(dm.keys())
    with pytest.raises(TransformError) as info:
        run_transform(dm, name, "whiskers_line_angle", "out", REFUSING[name])
    message = str(info.value)
    assert message.startswith(f"{name}: input 1 ('whiskers_line_angle') holds up to 5 values")
    assert "time index 0 has 5" in message
    assert "SumReduction" in message
    assert info.value.key == "whiskers_line_angle"
    assert set(dm.keys()) == before


def test_difference_runs_after_a_per_frame_reduction():
    dm = _whiskers()
    run_transform(dm, "SumReduction", "whiskers_line_angle", "angle_sum")
    run_transform(dm, "AnalogDifference", "angle_sum", "angle_sum_diff", {"method": "Backward"})
    out = dm.get_data("angle_sum_diff")
    np.testing.assert_array_equal(out.times, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(out.values, N_LINES * 1.0, atol=1e-3)  # each line turns 1°/frame


def test_a_pipeline_step_after_the_angle_is_refused_with_its_step_id():
    pipe = Pipeline.from_json(
        {
            "steps": [
                {"step_id": "angle", "transform_name": "CalculateLineAngle"},
                {"step_id": "speed", "transform_name": "AnalogDifference"},
            ]
        }
    )
    dm = _whiskers()
    with pytest.raises(TransformError) as info:
        pipe.run_on_key(dm, "whiskers", "speed")
    assert str(info.value).startswith(
        "Step 'speed' failed: AnalogDifference: input 1 (the result of step 'angle' on "
        "'whiskers') holds up to 5 values at one time"
    )
    assert "speed" not in dm


def test_event_threshold_accepts_a_ragged_key_frames_where_any_value_qualifies():
    dm = _whiskers()
    # line 4 is at 40° + t: it alone passes 42 from frame 3 on
    run_transform(
        dm, "AnalogEventThreshold", "whiskers_line_angle", "ev", {"threshold_value": 42.5}
    )
    assert dm.get_data("ev").times.tolist() == [3, 4, 5]


def test_scale_and_normalize_pools_the_values_and_stays_ragged():
    dm = _whiskers()
    run_transform(dm, "Scale and Normalize", "whiskers_line_angle", "z", {"method": "Centering"})
    angle, z = dm.get_data("whiskers_line_angle"), dm.get_data("z")
    np.testing.assert_array_equal(z.times, angle.times)
    np.testing.assert_allclose(z.values, angle.values - angle.values.mean(), atol=1e-4)


def test_interval_reduction_refuses_only_order_dependent_reductions():
    dm = _whiskers()
    dm.set_data("trial", DigitalIntervalSeries([[1, 2]]))
    run_transform(
        dm,
        "AnalogIntervalReduction",
        "trial",
        "peak",
        {"reduction_name": "MaxValue"},
        other_keys="whiskers_line_angle",
    )
    np.testing.assert_allclose(dm.get_data("peak").values, [[42.0]], atol=1e-3)
    for reduction in ("AreaUnderCurve", "TimeOfThresholdCross"):
        with pytest.raises(TransformError, match=r"'whiskers_line_angle'\) holds up to 5 values"):
            run_transform(
                dm,
                "AnalogIntervalReduction",
                "trial",
                "bad",
                {"reduction_name": reduction},
                other_keys="whiskers_line_angle",
            )
    assert "bad" not in dm


def test_values_at_returns_every_value_and_the_single_value_getters_refuse():
    ragged = AnalogTimeSeries([1.0, 2.0, 3.0, 4.0], [0, 0, 0, 5])
    at0 = ragged.values_at(0)
    assert at0.dtype == np.float32
    assert at0.tolist() == [1.0, 2.0, 3.0]
    assert ragged.values_at(5).tolist() == [4.0]
    assert ragged.values_at(3).shape == (0,)
    assert ragged.value_at(5) == 4.0
    assert ragged.getAtTime(3) is None
    for getter in (ragged.value_at, ragged.getAtTime):
        with pytest.raises(ValueError, match=r"time index 0 holds 3 values.*values_at\(0\)"):
            getter(0)
    dense = AnalogTimeSeries([7.0, 8.0])
    assert dense.values_at(1).tolist() == [8.0]
    assert dense.getAtTime(1) == 8.0


def test_per_value_steps_keep_it_ragged_and_a_peak_is_of_any_line():
    dm = _whiskers()
    run_transform(
        dm, "ZScoreNormalizeV2", "whiskers_line_angle", "z", {"mean": 20.0, "std_dev": 10.0}
    )
    angle, z = dm.get_data("whiskers_line_angle"), dm.get_data("z")
    np.testing.assert_array_equal(z.times, angle.times)
    np.testing.assert_allclose(z.values_at(0), [-2, -1, 0, 1, 2], atol=1e-4)
    dm.set_data("trial", DigitalIntervalSeries([[1, 3]]))
    for peak, frame in (("minimum", 1), ("maximum", 3)):  # line 0 at 1°, line 4 at 43°
        run_transform(
            dm,
            "AnalogIntervalPeak",
            "trial",
            "pk",
            {"peak_type": peak},
            other_keys="whiskers_line_angle",
        )
        assert dm.get_data("pk").times.tolist() == [frame]
