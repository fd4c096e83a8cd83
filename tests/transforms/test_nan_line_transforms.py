"""Line transforms on a line with a NaN vertex (kept from WhiskerToolbox's files) do not raise."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import LineData, PointData
from napari_whiskertoolbox.transforms import api

NAN_LINE = [[0, 0], [np.nan, 1], [2, 2], [3, 3]]
GOOD_LINE = [[0, 0], [1, 1], [2, 2], [3, 3]]


def _lines() -> LineData:
    """The NaN line first: its NaN must not reach the next line's arc length."""
    lines = LineData()
    lines.add(0, NAN_LINE)
    lines.add(1, GOOD_LINE)
    return lines


@pytest.mark.parametrize(
    "name",
    [
        "ResampleLine",
        "Resample Line",
        "ExtractLineSubsegment",
        "Extract Line Subsegment",
        "ExtractLinePoint",
    ],
)
def test_line_transforms_of_a_nan_line_give_it_unchanged_or_nan(name):
    """No arc length: the reference's neutral results, the line unchanged or NaN (§1.4)."""
    out = api.apply_transform(name, _lines())
    if name == "ExtractLinePoint":  # a point on a line without arc length: NaN
        assert np.isnan(out.at(0)).any()
    else:
        np.testing.assert_array_equal(out.at(0)[0], NAN_LINE)
    assert np.isfinite(np.asarray(out.at(1), dtype=float)).all()


@pytest.mark.parametrize(
    "name", ["CalculateLineAngle", "CalculateLineLength", "CalculateLineCurvature"]
)
def test_line_values_of_a_nan_line_are_nan(name):
    out = api.apply_transform(name, _lines())
    values = dict(zip(np.asarray(out.times).tolist(), np.asarray(out.values).tolist()))
    assert np.isnan(values[0])
    assert np.isfinite(values[1])
    if name == "CalculateLineLength":
        assert values[1] == pytest.approx(3 * np.sqrt(2))


def test_min_point_distance_of_a_nan_line_is_nan():
    points = PointData()
    points.add(0, [[1, 1]])
    points.add(1, [[1, 1]])
    out = api.apply_transform("CalculateLineMinPointDistance", _lines(), others=[points])
    assert np.isnan(np.asarray(out.values)[0])
    assert np.asarray(out.values)[1] == 0
