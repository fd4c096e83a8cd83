"""Point and value transforms (reference §3.3, §3.6)."""

from __future__ import annotations

import math

import numpy as np
from _transforms_support import masks_of, points_of

from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalEventSeries
from napari_whiskertoolbox.transforms import apply_transform


def test_point_coordinate_is_ragged():
    pts = points_of({0: [[1, 2], [3, 4]], 3: [[5, 6]]})
    out = apply_transform("PointCoordinate", pts, {"coordinate": "Y"})
    np.testing.assert_array_equal(out.times, [0, 0, 3])
    np.testing.assert_array_equal(out.values, [2, 4, 6])


def test_point_coordinate_reduction():
    pts = points_of({0: [[1, 2], [3, 4]], 3: [[5, 6]], 4: [[-1, 0], [7, 0], [2, 0]]})
    expected = {
        "First": [1, 5, -1],
        "Mean": [2, 5, 8 / 3],
        "Sum": [4, 5, 8],
        "Max": [3, 5, 7],
        "Min": [1, 5, -1],
    }
    for reduction, values in expected.items():
        out = apply_transform("PointCoordinateReduction", pts, {"reduction": reduction})
        np.testing.assert_array_equal(out.times, [0, 3, 4])
        np.testing.assert_allclose(out.values, values, rtol=1e-6)


def test_sum_reduction_groups_by_frame():
    areas = apply_transform(
        "CalculateMaskArea", masks_of({0: [[[0, 0]] * 2, [[0, 0]] * 3], 5: [[[1, 1]]]})
    )
    out = apply_transform("SumReduction", areas)
    np.testing.assert_array_equal(out.times, [0, 5])
    np.testing.assert_array_equal(out.values, [5, 1])
    nan = AnalogTimeSeries([1.0, np.nan, np.nan, 2.0], [0, 0, 1, 2])
    np.testing.assert_equal(apply_transform("SumReduction", nan).values, [np.nan, np.nan, 2])
    skipped = apply_transform("SumReduction", nan, {"ignore_nan": True, "default_value": -1})
    # WT skips the NaNs and sums what is left: a frame of NaNs sums to 0; default_value
    # is only for an empty group, which a stored frame never is (reference §3.3)
    np.testing.assert_array_equal(skipped.values, [1, 0, 2])
    dense = AnalogTimeSeries([np.nan, 3.0])
    np.testing.assert_array_equal(
        apply_transform("SumReduction", dense, {"ignore_nan": True, "default_value": -1}).values,
        [0, 3],
    )


def test_zscore_and_clamp():
    s = AnalogTimeSeries([0.0, 5.0, 10.0, 100.0])
    out = apply_transform("ZScoreNormalizeV2", s, {"mean": 5, "std_dev": 5, "epsilon": 0})
    np.testing.assert_allclose(out.values, [-1, 0, 1, 19])
    out = apply_transform("ZScoreNormalizeV2", s, {"mean": 5, "std_dev": 5, "clamp_outliers": True})
    assert math.isclose(out.values[-1], 3.0, rel_tol=1e-6)
    assert out.is_dense


def test_time_projections():
    ev = DigitalEventSeries([10, 25])
    rel = apply_transform("NormalizeEventTimeValueV2", ev, {"alignment_time": 20})
    np.testing.assert_array_equal(rel.times, [10, 25])
    np.testing.assert_array_equal(rel.values, [-10, 5])
    s = AnalogTimeSeries([7.0, 8.0], [3, 4])
    np.testing.assert_array_equal(
        apply_transform("NormalizeSampleTimeValueV2", s, {"alignment_time": 1}).values, [2, 3]
    )
    np.testing.assert_array_equal(apply_transform("NormalizeTimeValueV2", ev).values, [10, 25])
    ticks = apply_transform("NormalizeClockTicksValueV2", ev, {"alignment_time": 10})
    np.testing.assert_array_equal(ticks.times, [0, 15])
