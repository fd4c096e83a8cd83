"""Legacy V1 operations (reference §5) and the transformations block (§6.5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _transforms_support import lines_of, masks_of, points_of

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, DigitalIntervalSeries
from napari_whiskertoolbox.transforms import TransformError, apply_transform, names, run_transform
from napari_whiskertoolbox.transforms.legacy_v1 import V1_TO_V2
from napari_whiskertoolbox.transforms.v1_runner import parse_v1_block, run_v1_transformations

REFERENCE_V1 = [
    "Calculate Area", "Calculate Mask Centroid", "Apply Median Filter", "Skeletonize Mask",
    "Remove Small Connected Components", "Fill Mask Holes", "Calculate Mask Principal Axis",
    "Convert Mask To Line", "Threshold Event Detection", "Threshold Interval Detection",
    "Interval Peak Detection", "Hilbert Phase", "Scale and Normalize", "Filter",
    "Group Intervals", "Boolean Operation", "Calculate Line Angle", "Calculate Line Curvature",
    "Calculate Line to Point Distance", "Clip Line by Reference Line", "Extract Point from Line",
    "Extract Line Subsegment", "Resample Line", "Line Base Flip", "Whisker Tracing",
    # entity groups (v1_line_groups)
    "Group Lines by Index", "Group Lines by Proximity", "Group Lines using Kalman Filtering",
    "Line Outlier Detection", "Line Group to Digital Intervals",
    # line alignment and particle filter
    "Line Alignment to Bright Features", "Track Points Through Masks (Particle Filter)",
]  # fmt: skip


def test_every_v1_name_of_the_reference_is_registered():
    assert set(names("v1")) == set(REFERENCE_V1)
    for v1, v2 in V1_TO_V2.items():
        assert v1 in names("v1")
        assert v2 in names("v2")


def test_v1_parameters_are_strict_and_accept_text_numbers():
    s = AnalogTimeSeries([0.0, 2.0, 0.0])
    out = apply_transform("Threshold Event Detection", s, {"threshold_value": "1.5"})
    assert out.times.tolist() == [1]
    with pytest.raises(
        TransformError, match="Threshold Event Detection: unknown parameter 'thresh'"
    ):
        apply_transform("Threshold Event Detection", s, {"thresh": 1})
    with pytest.raises(TransformError, match="unknown parameter 'reference_x'"):
        apply_transform("Line Base Flip", lines_of({0: [[[0, 0], [1, 1]]]}), {"reference_x": 3})


def test_calculate_area_sums_per_frame():
    md = masks_of({0: [[[0, 0]] * 2, [[1, 1]] * 3], 4: [[[2, 2]]]})
    out = apply_transform("Calculate Area", md)
    assert out.times.tolist() == [0, 4]
    assert out.values.tolist() == [5, 1]


def test_centroid_skips_empty_masks():
    out = apply_transform("Calculate Mask Centroid", masks_of({0: [[[2, 4], [4, 4]], []]}))
    assert out.n_entries == 1
    np.testing.assert_allclose(out.at(0), [[3, 4]])


def test_small_components_and_holes():
    big = [[x, y] for x in range(10) for y in range(10)]
    speck = [[30, 30], [31, 31]]  # 8-connected pair
    out = apply_transform(
        "Remove Small Connected Components", masks_of({0: [big + speck]}), {"threshold": 3}
    )
    assert len(out.at(0)[0]) == 100
    kept = apply_transform(
        "Remove Small Connected Components", masks_of({0: [big + speck]}), {"threshold": 2}
    )
    assert len(kept.at(0)[0]) == 102  # the diagonal pair is one 8-connected component
    ring = [[x, y] for x in range(10) for y in range(10) if x in (0, 9) or y in (0, 9)]
    filled = apply_transform("Fill Mask Holes", masks_of({0: [ring, []]}))
    assert len(filled.at(0)[0]) == 100
    assert len(filled.at(0)[1]) == 0  # empty masks are kept


def test_principal_axis():
    bar = [[x, 5] for x in range(3, 20)]
    out = apply_transform("Calculate Mask Principal Axis", masks_of({0: [bar, [[1, 1]]]}))
    assert out.n_entries == 1  # < 2 pixels skipped
    np.testing.assert_allclose(sorted(out.at(0)[0].tolist()), [[3, 5], [19, 5]], atol=1e-4)
    minor = apply_transform(
        "Calculate Mask Principal Axis",
        masks_of({0: [[[x, y] for x in range(3, 20) for y in (4, 5, 6)]]}),
        {"axis_type": "Minor"},
    )
    np.testing.assert_allclose(sorted(minor.at(0)[0].tolist()), [[11, 4], [11, 6]], atol=1e-4)


def test_convert_mask_to_line():
    bar = [[x, y] for x in range(5, 60) for y in range(10, 14)]
    out = apply_transform("Convert Mask To Line", masks_of({0: [bar]}, size=(64, 64)))
    line = out.at(0)[0]
    assert line[0, 0] < line[-1, 0]  # starts near the reference (0, 0)
    np.testing.assert_allclose(np.diff(line[:, 0])[:-1], 5, atol=0.5)  # output_resolution


def test_line_angle_one_value_per_frame():
    ld = lines_of({0: [[[0, 0], [1, 0]], [[0, 0], [0, 1]], [[3, 3]]], 2: [[[0, 0]]]})
    out = apply_transform("Calculate Line Angle", ld)
    assert out.times.tolist() == [0]  # frame 2 has no line with >= 2 points
    assert out.values[0] == pytest.approx(90)  # the later line overwrites
    poly = apply_transform("Calculate Line Angle", ld, {"method": "Polynomial Fit"})
    assert poly.values[0] == pytest.approx(90)


def test_line_to_point_distance_rescales_points():
    lines = lines_of({0: [[[0, 0], [10, 0]], [[0, 50], [10, 50]]], 1: [[[0, 0], [0, 10]]]})
    lines.set_image_size((200, 200))
    pts = points_of({0: [[5, 2], [5, 1]], 1: [[3, 3]], 5: [[0, 0]]})
    pts.set_image_size((100, 100))  # points are at half the line image size
    dm = DataManager()
    dm.set_data("w", lines)
    dm.set_data("p", pts)
    out = run_transform(dm, "Calculate Line to Point Distance", "w", "d", {"point_data": "p"})
    assert out.times.tolist() == [0, 1]
    np.testing.assert_allclose(out.values, [2, 6])


def test_boolean_operation_with_key_or_object():
    a = DigitalIntervalSeries([[0, 4], [8, 12]])
    b = DigitalIntervalSeries([[2, 9]])
    out = apply_transform(
        "Boolean Operation", a, {"operation": "XOR", "other_series": "b"}, others={"b": b}
    )
    assert out.intervals.tolist() == [[0, 1], [5, 7], [10, 12]]
    out = apply_transform("Boolean Operation", a, {"operation": "AND", "other_series": b})
    assert out.intervals.tolist() == [[2, 4], [8, 9]]
    assert apply_transform("Boolean Operation", a, {"operation": "NOT"}).intervals.tolist() == [
        [5, 7]
    ]
    with pytest.raises(TransformError, match="'other_series' is required for operation AND"):
        apply_transform("Boolean Operation", a, {"operation": "AND"})
    with pytest.raises(TransformError, match="names a data key"):
        apply_transform("Boolean Operation", a, {"operation": "AND", "other_series": "b"})


def test_interval_peak_detection_by_key():
    dm = DataManager()
    dm.set_data("sig", AnalogTimeSeries([0, 5, 1, 0, 2, 9, 0]))
    dm.set_data("iv", DigitalIntervalSeries([[0, 2], [4, 6]]))
    out = run_transform(dm, "Interval Peak Detection", "sig", "pk", {"interval_series": "iv"})
    assert out.times.tolist() == [1, 5]
    with pytest.raises(TransformError, match="'interval_series' = 'sig' is analog data"):
        run_transform(dm, "Interval Peak Detection", "sig", "pk2", {"interval_series": "sig"})


@pytest.mark.parametrize(
    ("method", "extra", "expected"),
    [
        ("ZScore", {}, lambda v: (v - v.mean()) / v.std()),
        ("FixedGain", {"gain_factor": 2}, lambda v: 2 * v),
        ("StandardDeviation", {"std_dev_target": 3}, lambda v: (v - v.mean()) / (3 * v.std())),
        ("MinMax", {"min_target": -1, "max_target": 1}, lambda v: -1 + (v - 1) / 7 * 2),
        ("RobustScaling", {}, lambda v: (v - np.median(v)) / (np.sort(v)[6] - np.sort(v)[2])),
        ("UnitVariance", {}, lambda v: v / v.std()),
        ("Centering", {}, lambda v: v - v.mean()),
    ],
)
def test_scale_and_normalize(method, extra, expected):
    v = np.array([1, 2, 3, 4, 5, 6, 7, 8, 2.5], float)
    out = apply_transform("Scale and Normalize", AnalogTimeSeries(v), {"method": method, **extra})
    np.testing.assert_allclose(out.values, expected(v), rtol=1e-5)


def test_scale_zero_spread_leaves_data():
    flat = AnalogTimeSeries(np.full(5, 3.0))
    np.testing.assert_array_equal(apply_transform("Scale and Normalize", flat).values, 3.0)


def test_scale_with_a_nan_sample_follows_wt_guards():
    # WT scales only when the spread is > 0: a NaN std (one NaN sample) leaves the data as
    # it is; MinMax takes std::min_element / max_element, which skip the NaN
    v = np.array([1.0, np.nan, 3.0, 5.0])
    for method in ("ZScore", "StandardDeviation", "UnitVariance"):
        out = apply_transform("Scale and Normalize", AnalogTimeSeries(v), {"method": method})
        np.testing.assert_array_equal(out.values, v)
    out = apply_transform("Scale and Normalize", AnalogTimeSeries(v), {"method": "MinMax"})
    np.testing.assert_array_equal(out.values, [0, np.nan, 0.5, 1])
    centred = apply_transform("Scale and Normalize", AnalogTimeSeries(v), {"method": "Centering"})
    assert np.isnan(centred.values).all()  # x - NaN mean, as in WT


def test_filter_families():
    t = np.arange(4000) / 1000.0
    x = np.sin(2 * np.pi * 5 * t) + np.sin(2 * np.pi * 200 * t)
    s = AnalogTimeSeries(x)
    for family, extra in [
        ("butterworth", {}),
        ("chebyshev_i", {"ripple_db": 0.5}),
        ("chebyshev_ii", {"ripple_db": 40}),
        ("rbj", {"q_factor": 0.707}),
    ]:
        spec = {
            "filter_family": family,
            "filter_response": "lowpass",
            "order": 4,
            "sampling_rate_hz": 1000,
            "cutoff_hz": 30,
            "zero_phase": True,
            **extra,
        }
        out = apply_transform("Filter", s, {"filter_specification": spec}).values
        assert np.abs(out[500:-500] - np.sin(2 * np.pi * 5 * t[500:-500])).max() < 0.3, family
    band = {
        "filter_family": "butterworth",
        "filter_response": "bandpass",
        "order": 2,
        "sampling_rate_hz": 1000,
        "cutoff_low_hz": 150,
        "cutoff_high_hz": 250,
    }
    out = apply_transform("Filter", s, {"filter_specification": band}).values
    assert np.abs(out[1000:]).max() > 0.8
    with pytest.raises(TransformError, match="cutoff 600 Hz must lie inside"):
        apply_transform(
            "Filter",
            s,
            {"filter_specification": {**band, "filter_response": "lowpass", "cutoff_hz": 600}},
        )
    with pytest.raises(TransformError, match="filter_family"):
        apply_transform("Filter", s, {"filter_specification": {"filter_family": "bessel"}})
    with pytest.raises(TransformError, match="empty"):
        apply_transform("Filter", AnalogTimeSeries([]), {"filter_specification": band})
    with pytest.raises(  # a typo would silently use order 4
        TransformError, match=r"has no field 'ordr' \(did you mean 'order'\?\)"
    ):
        apply_transform("Filter", s, {"filter_specification": {**band, "ordr": 8}})


def test_line_ops_via_v2():
    ld = lines_of({0: [[[0, 0], [4, 0], [8, 0], [12, 0]]]})
    pt = apply_transform("Extract Point from Line", ld, {"position": 0.5})  # Parametric by default
    np.testing.assert_allclose(pt.at(0), [[6, 0]], atol=1e-4)
    sub = apply_transform("Extract Line Subsegment", ld, {"method": "Direct"})
    np.testing.assert_allclose(sub.at(0)[0], [[4, 0], [8, 0]])
    res = apply_transform("Resample Line", ld, {"algorithm": "Douglas-Peucker"})
    np.testing.assert_allclose(res.at(0)[0], [[0, 0], [12, 0]])
    flip = apply_transform("Line Base Flip", lines_of({0: [[[5, 5], [0, 0]]]}))
    np.testing.assert_allclose(flip.at(0)[0], [[0, 0], [5, 5]])
    k = apply_transform("Calculate Line Curvature", ld)
    assert k.values[0] == pytest.approx(0, abs=1e-6)


def test_clip_by_reference_frame():
    dm = DataManager()
    dm.set_data("w", lines_of({0: [[[0, 0], [20, 0]]], 1: [[[0, 2], [20, 2]]]}))
    dm.set_data("ref", lines_of({7: [[[10, -5], [10, 5]]]}))
    out = run_transform(
        dm,
        "Clip Line by Reference Line",
        "w",
        "c",
        {"reference_line_data": "ref", "reference_frame": 7},
    )
    np.testing.assert_allclose(out.at(1)[0], [[0, 2], [10, 2]])
    with pytest.raises(TransformError, match="no line at frame 0"):
        run_transform(dm, "Clip Line by Reference Line", "w", "c2", {"reference_line_data": "ref"})


# ---------------------------------------------------------------------- the block
def _dm() -> DataManager:
    dm = DataManager()
    dm.set_data("mask", masks_of({0: [[[0, 0]] * 3], 1: [[[0, 0]] * 9], 2: [[[0, 0]] * 8]}))
    return dm


BLOCK = {
    "metadata": {"variables": {"thr": 5}},
    "steps": [
        {"step_id": "touch", "transform_name": "Threshold Interval Detection", "input_key": "area",
         "output_key": "touch", "parameters": {"threshold_value": "${thr}", "direction": "Positive (Rising)"},
         "phase": 1},
        {"step_id": "area", "transform_name": "Calculate Area", "input_key": "mask", "output_key": "area", "phase": 0},
        {"step_id": "tmp", "transform_name": "Calculate Area", "input_key": "mask"},
        {"step_id": "off", "transform_name": "Calculate Area", "input_key": "nothing", "enabled": False},
    ],
}  # fmt: skip


def test_block_runs_by_phase_with_variables_and_temporaries():
    dm = _dm()
    written = run_v1_transformations(dm, BLOCK)
    assert written == ["area", "tmp_output", "touch"]
    assert dm.get_data("touch").intervals.tolist() == [[1, 2]]
    assert "off_output" not in dm


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            {"transform_name": "CalculateMaskArea"},
            r"is a TransformsV2 name; .* \(its V1 name is 'Calculate Area'\)",
        ),
        ({"transform_name": "Frobnicate"}, "unknown V1 operation 'Frobnicate'"),
        ({"step_id": "touch"}, "duplicate step_id"),
        ({"phase": -1}, "'phase' must be >= 0"),
        ({"input_key": ""}, "'input_key' must be a non-empty string"),
        ({"parameters": {"bogus": 1}}, "unknown parameter 'bogus'"),
    ],
)
def test_block_validation_errors(change, fragment):
    block = {**BLOCK, "steps": [BLOCK["steps"][0], {**BLOCK["steps"][1], **change}]}
    with pytest.raises(TransformError, match=fragment):
        parse_v1_block(block)


def test_block_step_failure_stops_later_phases():
    dm = _dm()
    block = {"steps": [
        {"step_id": "bad", "transform_name": "Calculate Area", "input_key": "missing", "phase": 0},
        {"step_id": "good", "transform_name": "Calculate Area", "input_key": "mask", "phase": 0},
        {"step_id": "later", "transform_name": "Calculate Area", "input_key": "mask", "phase": 1},
    ]}  # fmt: skip
    with pytest.raises(TransformError, match=r"step 'bad' .* Input data 'missing' not found"):
        run_v1_transformations(dm, block)
    assert "good_output" in dm  # the rest of the phase ran
    assert "later_output" not in dm


def test_non_integer_phase_is_ignored():
    steps = parse_v1_block(
        {
            "steps": [
                {"step_id": "a", "transform_name": "Calculate Area", "input_key": "m", "phase": "x"}
            ]
        }
    )
    assert steps[0].phase == 0
    assert math.isclose(steps[0].phase, 0)


def test_unknown_step_field_is_warned(caplog):
    """A V1 step's parameters under ``params`` (reference §8.2) would run the defaults unseen."""
    block = {"steps": [{"step_id": "ev", "transform_name": "Threshold Event Detection",
                        "input_key": "v", "params": {"threshold_value": 2.5}}]}  # fmt: skip
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.transforms"):
        parse_v1_block(block)
    (message,) = [r.getMessage() for r in caplog.records]
    for fragment in ("steps[0] 'ev'", "unknown field 'params'", "'parameters'"):
        assert fragment in message
    caplog.clear()
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.transforms"):
        parse_v1_block(BLOCK)
    assert not caplog.records


@pytest.mark.parametrize("zero_phase", [False, True])
def test_filter_runs_in_chunks_that_a_cancel_stops(monkeypatch, zero_phase):
    """One sosfiltfilt call over 30M samples took seconds with no cancel check; the passes
    now run in chunks (state carried across), equal to scipy's one-call result."""
    from scipy import signal

    from napari_whiskertoolbox.transforms import TransformCancelled, TransformContext, filters

    spec = {"filter_family": "butterworth", "filter_response": "bandpass", "order": 3,
            "cutoff_low_hz": 20, "cutoff_high_hz": 200, "sampling_rate_hz": 1000,
            "zero_phase": zero_phase}  # fmt: skip
    x = np.random.default_rng(3).normal(size=5000)
    monkeypatch.setattr(filters, "CHUNK_SAMPLES", 317)
    sos, _ = filters.design_sos(spec)
    expected = (
        signal.sosfiltfilt(sos, x, padlen=3 * (2 * len(sos) + 1))
        if zero_phase
        else signal.sosfilt(sos, x)
    )
    np.testing.assert_allclose(filters.filter_signal(x, spec), expected, rtol=1e-10, atol=1e-12)
    checks: list[int] = []
    ctx = TransformContext(cancel=lambda: checks.append(1) or len(checks) > 3)
    with pytest.raises(TransformCancelled):
        apply_transform("Filter", AnalogTimeSeries(x), {"filter_specification": spec}, context=ctx)
