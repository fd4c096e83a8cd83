"""Python functions registered as transforms (reference §7)."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Literal

import numpy as np
import pytest
from _transforms_support import lines_of

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, DigitalEventSeries, Line2D
from napari_whiskertoolbox.transforms import (
    TransformError,
    apply_transform,
    describe,
    load_entry_point_transforms,
    load_pipeline,
    load_transforms_from_file,
    load_user_transforms,
    names,
    register_function,
    run_transform,
    transform,
    unregister,
)
from napari_whiskertoolbox.transforms.python_transforms import TRANSFORMS_ENV, user_transforms_dir


@pytest.fixture
def cleanup():
    registered: list[str] = []
    yield registered
    for name in registered:
        unregister(name)


def test_decorated_element_function_lifts_and_has_a_schema(cleanup):
    @transform(
        "TipX",
        input="Line2D",
        output="float",
        bounds={"offset": (-10, 10)},
        help={"offset": "added, px"},
    )
    def tip_x(line, offset: float = 0.0, end: Literal["tip", "base"] = "tip") -> float:
        """The x of one end of the line."""
        return float(line[-1 if end == "tip" else 0, 0]) + offset

    cleanup.append("TipX")
    assert "TipX" in names("python")
    d = describe("TipX")
    assert d["input_kinds"] == [["line"]]
    assert d["output_kind"] == "analog"
    assert d["description"] == "The x of one end of the line."
    offset = next(p for p in d["parameters"] if p["name"] == "offset")
    assert (offset["minimum"], offset["maximum"], offset["help"]) == (-10, 10, "added, px")
    end = next(p for p in d["parameters"] if p["name"] == "end")
    assert end["choices"] == ["tip", "base"]
    ld = lines_of({0: [[[1, 0], [5, 0]], [[2, 0], [7, 0]]], 3: [[[0, 0], [9, 9]]]})
    out = apply_transform("TipX", ld, {"offset": 1})
    np.testing.assert_array_equal(out.times, [0, 0, 3])
    np.testing.assert_array_equal(out.values, [6, 8, 10])
    with pytest.raises(TransformError, match="TipX: parameter 'offset' = 11"):
        apply_transform("TipX", ld, {"offset": 11})
    with pytest.raises(TransformError, match="'end' = 'middle'"):
        apply_transform("TipX", ld, {"end": "middle"})


def test_hints_give_inputs_and_outputs(cleanup):
    def double(line: Line2D, factor: int = 2) -> Line2D:
        return np.asarray(line) * factor

    def count(series: DigitalEventSeries, ctx=None) -> AnalogTimeSeries:
        ctx.progress(0.5)
        return AnalogTimeSeries([float(len(series))])

    register_function(double, "DoubleLine")
    register_function(count)
    cleanup.extend(["DoubleLine", "count"])
    assert describe("DoubleLine")["kind"] == "element"
    assert describe("count")["kind"] == "container"
    out = apply_transform("DoubleLine", lines_of({1: [[[1, 2], [3, 4]]]}), {"factor": 3})
    np.testing.assert_array_equal(out.at(1)[0], [[3, 6], [9, 12]])
    seen = []
    res = apply_transform("count", DigitalEventSeries([1, 2, 3]), progress=seen.append)
    assert res.values.tolist() == [3]
    assert seen == [0.5]


def test_registered_functions_run_in_pipelines_and_on_a_dm(cleanup):
    @transform("Plus", input="float", output="float")
    def plus(x: float, amount: float = 1.0) -> float:
        return x + amount

    cleanup.append("Plus")
    pipe = load_pipeline({"steps": [
        {"step_id": "len", "transform_name": "CalculateLineLength"},
        {"step_id": "plus", "transform_name": "Plus", "parameters": {"amount": 10}},
        {"step_id": "sum", "transform_name": "SumReduction"},
    ]})  # fmt: skip
    out = pipe.run(lines_of({0: [[[0, 0], [3, 4]], [[0, 0], [0, 1]]]}))
    np.testing.assert_allclose(out.values, [5 + 10 + 1 + 10])
    dm = DataManager()
    dm.set_data("s", AnalogTimeSeries([1.0, 2.0]))
    run_transform(dm, "Plus", "s", "s2")
    assert dm.get_data("s2").values.tolist() == [2, 3]


def test_core_class_names_as_strings_declare_inputs_and_outputs(cleanup):
    # reference §7: input_type/output_type are our core classes or element types
    @transform("ScaleSignal", input="AnalogTimeSeries", output="AnalogTimeSeries")
    def scale(series, factor: float = 2.0):
        return AnalogTimeSeries(series.values * factor)

    @transform("CountEvents", input="DigitalEventSeries", output="AnalogTimeSeries")
    def count(series):
        return AnalogTimeSeries([float(len(series))])

    @transform("LineNoop", input="LineData", output="LineData")
    def noop(lines):
        return lines

    cleanup.extend(["ScaleSignal", "CountEvents", "LineNoop"])
    assert describe("ScaleSignal")["kind"] == "container"
    assert describe("LineNoop")["input_kinds"] == [["line"]]
    out = apply_transform("ScaleSignal", AnalogTimeSeries([1.0, 2.5]), {"factor": 4.0})
    assert out.values.tolist() == [4.0, 10.0]
    assert apply_transform("CountEvents", DigitalEventSeries([1, 5])).values.tolist() == [2]
    with pytest.raises(TransformError, match=r"nor a core class .*'AnalogTimeSeries'"):
        register_function(lambda x: x, "Typo", input="AnalogTimeSerie", output="analog")


def test_errors_in_user_functions_name_the_transform(cleanup):
    @transform("Broken", input="float", output="float")
    def broken(x: float) -> float:
        raise ZeroDivisionError("nope")

    cleanup.append("Broken")
    with pytest.raises(
        TransformError, match="Broken: the function raised ZeroDivisionError at frame 0: nope"
    ):
        apply_transform("Broken", AnalogTimeSeries([1.0]))


def test_bad_declarations():
    with pytest.raises(TransformError, match="no type hint"):
        register_function(lambda x: x, "NoHints")
    with pytest.raises(TransformError, match="needs a default value"):

        @transform("NoDefault", input="float", output="float")
        def f(x: float, k: float) -> float:
            return x

    with pytest.raises(TransformError, match="not an element type"):
        register_function(lambda x: x, "Weird", input="Banana", output="float")
    with pytest.raises(TransformError, match="all be elements or all be data kinds"):
        register_function(lambda x: x, "Mixed", input="Line2D", output="analog")
    assert "NoDefault" not in names()
    with pytest.raises(TransformError, match="built-in transforms cannot be unregistered"):
        unregister("CalculateLineAngle")


def test_name_clash_needs_replace(cleanup):
    register_function(lambda x: x, "Same", input="float", output="float")
    cleanup.append("Same")
    with pytest.raises(ValueError, match="already registered"):
        register_function(lambda x: x, "Same", input="float", output="float")
    register_function(lambda x: x * 2, "Same", input="float", output="float", replace_existing=True)
    assert apply_transform("Same", AnalogTimeSeries([2.0])).values.tolist() == [4]


SCRIPT = """
from napari_whiskertoolbox.transforms import transform

@transform("{name}", input="Point2D", output="Point2D")
def shift(p, dx: float = 1.0):
    return [p[0] + dx, p[1]]
"""


def test_script_and_user_folder(tmp_path, monkeypatch, cleanup):
    (tmp_path / "shift.py").write_text(SCRIPT.format(name="ShiftX"))
    (tmp_path / "other.py").write_text(SCRIPT.format(name="ShiftX2"))
    monkeypatch.setenv(TRANSFORMS_ENV, str(tmp_path))
    assert user_transforms_dir() == tmp_path
    assert "ShiftX" not in names()  # nothing is loaded until asked
    assert load_user_transforms() == ["ShiftX2", "ShiftX"]
    cleanup.extend(["ShiftX", "ShiftX2"])
    from _transforms_support import points_of

    out = apply_transform("ShiftX", points_of({0: [[1, 1]]}), {"dx": 2})
    np.testing.assert_array_equal(out.at(0), [[3, 1]])
    (tmp_path / "bad.py").write_text("raise RuntimeError('boom')")
    with pytest.raises(TransformError, match=r"bad\.py raised RuntimeError: boom"):
        load_transforms_from_file(tmp_path / "bad.py")
    with pytest.raises(TransformError, match="no Python file"):
        load_transforms_from_file(tmp_path / "none.py")


def test_entry_points(tmp_path, monkeypatch, cleanup):
    pkg = tmp_path / "site"
    (pkg / "wtb_plugin_demo").mkdir(parents=True)
    (pkg / "wtb_plugin_demo" / "__init__.py").write_text(
        textwrap.dedent('''
        from napari_whiskertoolbox.core import AnalogTimeSeries

        def negate(series: AnalogTimeSeries) -> AnalogTimeSeries:
            """Negate a signal."""
            return AnalogTimeSeries(-series.values, None if series.is_dense else series.times)
    ''')
    )
    dist = pkg / "wtb_plugin_demo-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wtb-plugin-demo\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[napari_whiskertoolbox.transforms]\nNegateSignal = wtb_plugin_demo:negate\n"
    )
    monkeypatch.syspath_prepend(str(pkg))
    assert load_entry_point_transforms() == ["NegateSignal"]
    cleanup.append("NegateSignal")
    assert apply_transform("NegateSignal", AnalogTimeSeries([1.0, -2.0])).values.tolist() == [-1, 2]
    assert json.loads(json.dumps(describe("NegateSignal")))["engine"] == "python"
    sys.modules.pop("wtb_plugin_demo", None)


def test_binary_element_function(cleanup):
    @transform("DistToPoint", input="Line2D", second="Point2D", output="float")
    def dist(line, point, squared: bool = False) -> float:
        d = float(np.min(np.hypot(*(np.asarray(line) - np.asarray(point)).T)))
        return d * d if squared else d

    cleanup.append("DistToPoint")
    from _transforms_support import points_of

    assert describe("DistToPoint")["kind"] == "binary_element"
    out = apply_transform(
        "DistToPoint", lines_of({0: [[[0, 0], [3, 0]]]}), others=points_of({0: [[3, 4]]})
    )
    assert out.values.tolist() == [4]
