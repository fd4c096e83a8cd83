"""Parameter schemas: parsing rules (reference §1.4), errors, forms."""

from __future__ import annotations

import math

import pytest

from napari_whiskertoolbox.transforms import TransformError, describe, names
from napari_whiskertoolbox.transforms.registry import REGISTRY
from napari_whiskertoolbox.transforms.schema import (
    ParamSchema,
    p_bool,
    p_enum,
    p_float,
    p_int,
    p_key,
    p_list,
)

SCHEMA = ParamSchema(
    (
        p_float("scale", 1.0, "a scale", minimum=0.0, exclusive_minimum=True),
        p_int("window", 3, "odd window", minimum=1, maximum=99),
        p_bool("flag", False),
        p_enum("method", ("DirectPoints", "PolynomialFit")),
        p_list("channels", "int", []),
    )
)


def test_missing_fields_take_defaults_and_unknown_are_ignored():
    p = SCHEMA.parse({"bogus": 1}, "T")
    assert p.to_dict() == {
        "scale": 1.0,
        "window": 3,
        "flag": False,
        "method": "DirectPoints",
        "channels": [],
    }
    assert p.scale == 1.0


def test_strict_parsing_rejects_unknown_keys():
    with pytest.raises(TransformError, match="unknown parameter 'bogus'") as info:
        SCHEMA.parse({"bogus": 1}, "T", strict=True)
    assert info.value.parameter == "bogus"


@pytest.mark.parametrize(
    ("raw", "param", "fragment"),
    [
        ({"scale": 0.0}, "scale", "> 0"),
        ({"scale": "1"}, "scale", "a number, got a string"),
        ({"scale": True}, "scale", "a number, got a boolean"),
        ({"window": 2.5}, "window", "fractional"),
        ({"window": 100}, "window", "in [1, 99]"),
        ({"flag": 1}, "flag", "true or false"),
        ({"method": "directpoints"}, "method", "case-sensitive"),
        ({"channels": [1, "a"]}, "channels", "array of int"),
    ],
)
def test_bad_values_name_transform_parameter_and_value(raw, param, fragment):
    with pytest.raises(TransformError) as info:
        SCHEMA.parse(raw, "MyTransform")
    message = str(info.value)
    assert message.startswith("MyTransform:")
    assert f"'{param}'" in message
    assert repr(raw[param]) in message
    assert fragment in message
    assert info.value.parameter == param
    assert info.value.value == raw[param]


def test_whole_number_floats_are_integers_and_ints_are_floats():
    p = SCHEMA.parse({"window": 5.0, "scale": 2}, "T")
    assert p.window == 5
    assert isinstance(p.window, int)
    assert isinstance(p.scale, float)


def test_lenient_parsing_converts_text_numbers():
    p = SCHEMA.parse({"scale": "0.5", "window": "7", "flag": "true"}, "T", lenient=True)
    assert (p.scale, p.window, p.flag) == (0.5, 7, True)
    with pytest.raises(TransformError, match="'scale'"):
        SCHEMA.parse({"scale": "abc"}, "T", lenient=True)


def test_nan_is_rejected_for_bounded_and_unbounded_floats():
    with pytest.raises(TransformError):
        SCHEMA.parse({"scale": math.nan}, "T")
    with pytest.raises(TransformError):
        ParamSchema((p_float("x", 0.0),)).parse({"x": math.nan}, "T")


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e400, "inf", "nan", "1e400"])
def test_non_finite_floats_are_refused_naming_the_parameter(value):
    """``inf`` and an overflowing ``1e400`` ran as a threshold of inf (the Python API too)."""
    lenient = isinstance(value, str)
    for schema in (SCHEMA, ParamSchema((p_float("scale", 0.0),))):
        with pytest.raises(TransformError, match=r"'scale' = .* expected a finite number"):
            schema.parse({"scale": value}, "T", lenient=lenient)
    with pytest.raises(TransformError, match=r"'window' = .* non-finite"):
        SCHEMA.parse({"window": value}, "T", lenient=lenient)


def test_a_parameter_may_allow_non_finite_floats():
    schema = ParamSchema((p_float("limit", math.inf, allow_non_finite=True),))
    assert schema.parse({"limit": -math.inf}, "T").limit == -math.inf
    assert schema.parse({}, "T").limit == math.inf


def test_every_registered_float_default_is_finite_or_allowed():
    for name in names():
        for param in REGISTRY.get(name).schema:
            if param.type == "float" and not param.required:
                assert math.isfinite(param.default) or param.allow_non_finite, (name, param.name)


def test_required_parameters():
    schema = ParamSchema((p_key("other", ("digital_interval",), "other series"),))
    with pytest.raises(TransformError, match="'other' is required"):
        schema.parse({}, "T")


def test_not_an_object():
    with pytest.raises(TransformError, match="must be a JSON object"):
        SCHEMA.parse([1, 2], "T")  # type: ignore[arg-type]


def test_to_json_round_trip():
    p = SCHEMA.parse({"scale": 2.5, "channels": [3]}, "T")
    assert SCHEMA.parse(SCHEMA.to_json(p), "T") == p


def test_widget_options_are_magicgui_keywords():
    opts = SCHEMA["window"].widget_options()
    assert opts["widget_type"] == "SpinBox"
    assert (opts["min"], opts["max"], opts["value"]) == (1, 99, 3)
    assert opts["label"] == "Window"
    assert opts["tooltip"] == "odd window"
    scale = SCHEMA["scale"].widget_options()
    # floats: a field keeping any value exactly; the bounds are parse's (no fudged minimum)
    assert scale["widget_type"] == "FloatField"
    assert "min" not in scale
    assert "max" not in scale
    assert SCHEMA["scale"].parse(1e-300) == 1e-300
    method = SCHEMA["method"].widget_options()
    assert method == {
        "label": "Method",
        "tooltip": "",
        "value": "DirectPoints",
        "widget_type": "ComboBox",
        "choices": ["DirectPoints", "PolynomialFit"],
    }
    assert SCHEMA["flag"].widget_options()["widget_type"] == "CheckBox"


def test_every_registered_parameter_has_widget_options_and_annotation():
    for name in names():
        spec = REGISTRY.get(name)
        for param in spec.schema:
            opts = param.widget_options()
            assert opts["label"]
            assert param.annotation() is not None
            if param.type == "enum":
                assert param.default in opts["choices"]
            if param.type == "int" and "value" in opts:
                assert opts["min"] <= opts["value"] <= opts["max"], (name, param.name)
            if param.type == "float" and "value" in opts:
                assert param.parse(opts["value"], name) == opts["value"], (name, param.name)


def test_describe_has_kinds_and_parameters():
    d = describe("CalculateMaskArea")
    assert d["input_kinds"] == [["mask"]]
    assert d["output_kind"] == "analog"
    assert d["kind"] == "element"
    scale = next(p for p in d["parameters"] if p["name"] == "scale_factor")
    assert scale["default"] == 1.0
    assert scale["minimum"] == 0.0
    assert scale["exclusive_minimum"] is True
    peak = describe("AnalogIntervalPeak")
    assert peak["input_kinds"] == [["digital_interval"], ["analog"]]
    assert peak["output_clock"] == 1
    with pytest.raises(TransformError, match="unknown transform 'CalculateMaskAre'; did you mean"):
        describe("CalculateMaskAre")
