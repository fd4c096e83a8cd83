"""Units of analog results, from each transform's one declaration (issue 11, reference §1.6).

A tester's finding: CalculateLineAngle/Length/Curvature, V1 Hilbert Phase and
AnalogHilbertPhase outputs had unit None, and AnalogDifference, ZScoreNormalizeV2 and
SincInterpolation dropped their input's unit.
"""

from __future__ import annotations

import numpy as np
import pytest
from _transforms_support import lines_of

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.io.nwb_export import export_nwb
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.transforms import (
    apply_transform,
    describe,
    load_pipeline,
    names,
    run_transform,
)
from napari_whiskertoolbox.transforms.registry import REGISTRY

FILTER = {"filter_specification": {"filter_family": "butterworth", "filter_response": "lowpass",
                                   "order": 2, "cutoff_hz": 10, "sampling_rate_hz": 100}}  # fmt: skip


def _signal(unit: str | None) -> AnalogTimeSeries:
    return AnalogTimeSeries(np.sin(np.linspace(0, 20, 400)).astype(np.float32), unit=unit)


def _lines():
    return lines_of({0: [[[0, 0], [3, 4]]], 1: [[[0, 0], [1, 1], [2, 0], [3, 1]]]})


@pytest.mark.parametrize(
    ("name", "params", "unit"),
    [
        ("CalculateLineAngle", None, "degrees"),
        ("CalculateLineAngleWithContext", None, "degrees"),
        ("Calculate Line Angle", None, "degrees"),
        ("CalculateLineLength", None, "pixels"),
        ("CalculateLineCurvature", None, "1/pixels"),
        ("Calculate Line Curvature", None, "1/pixels"),
    ],
)
def test_line_measurements_have_their_units(name, params, unit):
    assert apply_transform(name, _lines(), params).unit == unit


@pytest.mark.parametrize(
    ("name", "params", "with_volts", "without"),
    [
        ("AnalogHilbertPhase", None, "radians", "radians"),
        ("Hilbert Phase", None, "radians", "radians"),
        ("AnalogHilbertPhase", {"output_type": "Amplitude"}, "V", None),
        ("Hilbert Phase", {"output_type": "Amplitude"}, "V", None),
        ("AnalogDifference", None, "V/sample", None),
        ("ZScoreNormalizeV2", None, "dimensionless", "dimensionless"),
        ("SincInterpolation", {"upsampling_factor": 2}, "V", None),
        ("SumReduction", None, "V", None),
        ("Filter", FILTER, "V", None),
        ("Scale and Normalize", None, "dimensionless", "dimensionless"),
        ("Scale and Normalize", {"method": "Centering"}, "V", None),
        ("Scale and Normalize", {"method": "FixedGain", "gain_factor": 2.0}, None, None),
    ],
)
def test_signal_transforms_keep_convert_or_set_the_unit(name, params, with_volts, without):
    source = _signal("V")
    assert apply_transform(name, source, params).unit == with_volts
    assert source.unit == "V"  # the input keeps its own
    assert apply_transform(name, _signal(None), params).unit == without


def test_pipelines_carry_the_unit_through_fused_and_container_steps():
    def run(*steps: str) -> str | None:
        doc = {"steps": [{"step_id": f"s{i}", "transform_name": s} for i, s in enumerate(steps)]}
        return load_pipeline(doc).run(_lines()).unit

    assert run("CalculateLineAngle") == "degrees"
    assert run("CalculateLineAngle", "SumReduction") == "degrees"  # fused element steps
    assert run("CalculateLineAngle", "ZScoreNormalizeV2") == "dimensionless"
    assert run("CalculateLineLength", "AnalogDifference") == "pixels/sample"  # container step


def test_declared_units_are_described_and_every_analog_hilbert_or_line_angle_has_one():
    assert describe("CalculateLineAngle")["output_unit"] == "degrees"
    assert describe("AnalogHilbertPhase")["output_unit"] == [
        "output_type",
        {"Phase": "radians", "Amplitude": "{unit}"},
    ]
    for name in names():
        spec = REGISTRY.get(name)
        measured = "Angle" in name or "Hilbert" in name or "Curvature" in name
        if measured and spec.output_kind == "analog":
            assert spec.output_unit is not None, name


def test_units_reach_the_session_and_nwb(tmp_path):
    dm = DataManager()
    dm.set_data("whiskers", _lines())
    dm.set_data("volts", _signal("V"))
    run_transform(dm, "CalculateLineAngle", "whiskers", "angle")
    run_transform(dm, "AnalogHilbertPhase", "volts", "phase")
    run_transform(dm, "AnalogDifference", "volts", "dv")
    path = export_nwb(dm, tmp_path / "units.nwb", sampling_rate=100.0)
    back = open_path(path).dm
    units = {key: back.get_data(key).unit for key in ("angle", "phase", "dv")}
    assert units == {"angle": "degrees", "phase": "radians", "dv": "V/sample"}
