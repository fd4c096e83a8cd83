"""V1 ``Calculate Line Angle`` with WhiskerToolbox's ``reference_x`` / ``reference_y`` setters.

WhiskerToolbox's V1 parameter factory registers ``position``, ``method``,
``polynomial_order``, ``reference_x`` and ``reference_y`` for this operation
(``src/DataManager/transforms/ParameterFactory.cpp``), and its tests and configs write the
reference vector (``src/DataManager/transforms/Lines/Line_Angle/line_angle.test.cpp``: the
cases and expected angles below). A config naming them failed here with "unknown parameter".
"""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, LineData, TimeFrame
from napari_whiskertoolbox.transforms import (
    TransformError,
    apply_transform,
    run_v1_transformations,
)

DIAGONAL = ([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0])
HORIZONTAL = ([0.0, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0])


def _lines(*entries: tuple[int, list[float], list[float]]) -> LineData:
    data = LineData()
    for t, x, y in entries:
        data.add(t, np.stack([x, y], axis=1).astype(np.float32))
    return data


@pytest.mark.parametrize(
    ("line", "reference", "expected"),
    [
        (DIAGONAL, (1.0, 0.0), 45.0),  # "Reference vector - Horizontal reference"
        (DIAGONAL, (0.0, 1.0), -45.0),  # "Reference vector - Vertical reference"
        (HORIZONTAL, (1.0, 1.0), -45.0),  # "Reference vector - 45-degree reference"
        (DIAGONAL, (0.0, 0.0), 45.0),  # "Zero reference vector"
        (HORIZONTAL, (0.0, 2.0), -90.0),  # "Normalizing reference vector" (as (0, 1))
        (HORIZONTAL, (0.0, 1.0), -90.0),
    ],
)
def test_reference_vector_sets_zero_degrees(line, reference, expected) -> None:
    params = {"position": 0.5, "reference_x": reference[0], "reference_y": reference[1]}
    angles = apply_transform("Calculate Line Angle", _lines((110, *line)), params)
    assert angles.times.tolist() == [110]
    np.testing.assert_allclose(angles.values, [expected], atol=1e-3)


def test_reference_vector_with_polynomial_fit_turns_the_angle_by_90_degrees() -> None:
    parabola = _lines((140, [0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 4.0, 9.0, 16.0]))
    fit = {"position": 0.5, "method": "Polynomial Fit", "polynomial_order": 2}
    a = apply_transform("Calculate Line Angle", parabola, fit).values[0]
    b = apply_transform(
        "Calculate Line Angle", parabola, {**fit, "reference_x": 0.0, "reference_y": 1.0}
    ).values[0]
    diff = (a - b + 180.0) % 360.0 - 180.0
    assert abs(abs(diff) - 90.0) < 5.0


def test_reference_and_axes_together_are_refused() -> None:
    with pytest.raises(TransformError, match="either reference_x/reference_y or the axis_"):
        apply_transform(
            "Calculate Line Angle",
            _lines((1, *DIAGONAL)),
            {"reference_x": 0.0, "reference_y": 1.0, "axis_x_x": 0.0, "axis_x_y": -1.0},
        )


def test_config_transformations_step_with_reference_vector() -> None:
    """WT's "Line Angle - JSON pipeline" case: a 45 degree line at frame 100 gives 45."""
    dm = DataManager()
    dm.set_time("default", TimeFrame(np.arange(200)))
    dm.set_data("TestLine.line1", _lines((100, *DIAGONAL)), "default")
    block = {
        "steps": [
            {
                "step_id": "line_angle_step_1",
                "transform_name": "Calculate Line Angle",
                "input_key": "TestLine.line1",
                "output_key": "LineAngles",
                "parameters": {
                    "position": 0.5,
                    "method": "Direct Points",
                    "polynomial_order": 3,
                    "reference_x": 1.0,
                    "reference_y": 0.0,
                },
            }
        ]
    }
    run_v1_transformations(dm, block)
    angles = dm.get_data("LineAngles")
    assert angles.times.tolist() == [100]
    np.testing.assert_allclose(angles.values, [45.0], atol=1e-3)
    assert dm.time_key("LineAngles") == "default"
