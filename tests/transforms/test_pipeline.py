"""TransformsV2 pipeline files (§6.1), the library (§6.2), the recorder."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from _transforms_support import lines_of, masks_of

from _pipeline_docs import SELF_ZSCORE
from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.transforms import (
    AppliedSteps,
    Pipeline,
    PipelineLibrary,
    TransformError,
    apply_transform,
    load_pipeline,
    pipeline_file_stem,
    run_transform,
    save_pipeline,
)
from napari_whiskertoolbox.transforms.library import LIBRARY_ENV, default_library_dir
from napari_whiskertoolbox.transforms.python_transforms import TRANSFORMS_ENV, user_transforms_dir


def test_reference_example_self_zscore():
    x = np.array([1.0, 2.0, 3.0, 10.0])
    out = load_pipeline(SELF_ZSCORE).run(AnalogTimeSeries(x))
    np.testing.assert_allclose(out.values, (x - x.mean()) / (x.std() + 1e-8), rtol=1e-6)


def test_minimal_mask_area_file(tmp_path):
    path = tmp_path / "area.json"
    path.write_text(
        json.dumps({"steps": [{"step_id": "area", "transform_name": "CalculateMaskArea"}]})
    )
    out = load_pipeline(path).run(masks_of({0: [[[0, 0]] * 4]}))
    assert out.values.tolist() == [4]


def test_fused_element_chain_equals_step_by_step():
    ld = lines_of({0: [[[0, 0], [3, 0], [9, 8], [20, 8]]], 4: [[[1, 1], [5, 1], [5, 6]]]})
    pipe = load_pipeline({
        "steps": [
            {"step_id": "flip", "transform_name": "FlipLineBase", "parameters": {"reference_x": 20, "reference_y": 8}},
            {"step_id": "sub", "transform_name": "ExtractLineSubsegment", "parameters": {"method": "Direct", "preserve_original_spacing": False}},
            {"step_id": "len", "transform_name": "CalculateLineLength"},
            {"step_id": "sum", "transform_name": "SumReduction"},
            {"step_id": "z", "transform_name": "ZScoreNormalizeV2", "parameters": {"mean": 1}},
        ]
    })  # fmt: skip
    fused = pipe.run(ld)
    step = ld
    for s in pipe.steps:
        step = apply_transform(s.transform_name, step, s.parameters)
    np.testing.assert_array_equal(fused.times, step.times)
    np.testing.assert_allclose(fused.values, step.values)


def test_container_steps_in_a_chain():
    pipe = load_pipeline({
        "steps": [
            {"step_id": "thr", "transform_name": "AnalogEventThreshold", "parameters": {"threshold_value": 0.5}},
            {"step_id": "win", "transform_name": "EventToInterval", "parameters": {"post_expansion": 2}},
        ]
    })  # fmt: skip
    out = pipe.run(AnalogTimeSeries([0, 1, 0, 0, 0, 0, 1.0]))
    assert out.intervals.tolist() == [[1, 3], [6, 8]]


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ([], "the root must be an object"),
        ({"steps": []}, "at least one step or a range reduction"),
        ({"steps": "x"}, "'steps' must be an array"),
        ({"steps": [{"transform_name": "CalculateMaskArea"}]}, r"steps\[0\]\.step_id"),
        ({"steps": [{"step_id": "a", "transform_name": "Nope"}]}, r"steps\[0\] 'a': Transform 'Nope' not found"),
        ({"steps": [{"step_id": "a", "transform_name": "CalculateMaskAre"}]},
         r"Transform 'CalculateMaskAre' not found in registry \(did you mean 'CalculateMaskArea'\?\)"),
        ({"metadata": {"name": 1}, "steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]},
         "Failed to parse pipeline JSON: metadata.name must be a string, got 1"),
        ({"metadata": {"tags": "x"}, "steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]},
         "metadata.tags must be an array of strings"),
        ({"steps": [{"step_id": "a", "transform_name": "CalculateMaskArea", "enabled": False}]}, "Step 'a' is disabled"),
        ({"steps": [{"step_id": "a", "transform_name": "CalculateMaskArea", "parameters": {"min_area": -1}}]},
         "Failed to load parameters for transform 'CalculateMaskArea' in step 'a'.*'min_area' = -1"),
        ({"steps": [{"step_id": "a", "transform_name": "Calculate Area"}]},
         r"steps\[0\] 'a': 'Calculate Area' is a WhiskerToolbox V1 operation name.*write its "
         r"TransformsV2 twin 'CalculateMaskArea' instead"),
        ({"steps": [{"step_id": "a", "transform_name": "Group Lines by Index"}]},
         r"'Group Lines by Index' is a WhiskerToolbox V1 operation name.*no TransformsV2 twin: "
         r"keep it in a config's transformations block"),
        ({"pre_reductions": [{"reduction_name": "Nope", "output_key": "k"}], "steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]},
         "Range reduction 'Nope' not found"),
    ],
)  # fmt: skip
def test_load_rules(doc, fragment):
    with pytest.raises(TransformError, match=fragment):
        load_pipeline(doc)


def _zscore_with(bindings, pre=("MeanValueRaw", "mu")):
    doc = {
        "pre_reductions": [{"reduction_name": pre[0], "output_key": pre[1]}],
        "steps": [{"step_id": "z", "transform_name": "ZScoreNormalizeV2",
                   "parameters": {"mean": 1.0, "std_dev": 2.0}, "param_bindings": bindings}],
    }  # fmt: skip
    return load_pipeline(doc)


def test_bindings_apply_all_or_none_as_in_wt(caplog):
    # WT's PipelineStep::applyBindings uses tryApplyBindingsErased: any failure (a missing
    # store key, a bound value that does not validate) leaves ALL the step's parameters as
    # written (reference §6.1); a binding to an unknown field is ignored (§1.4)
    x = AnalogTimeSeries([1.0, 3.0])
    as_written = [0.0, 1.0]  # (x - 1) / 2
    caplog.set_level("WARNING", logger="napari_whiskertoolbox.transforms")
    out = _zscore_with({"mean": "mu", "std_dev": "missing"}).run(x)
    np.testing.assert_allclose(out.values, as_written)  # mean not bound either
    assert "steps[0] 'z': ZScoreNormalizeV2: param_bindings not applied" in caplog.text
    assert "no value 'missing' for 'std_dev'" in caplog.text
    caplog.clear()
    nan = AnalogTimeSeries([1.0, np.nan, 3.0])
    out = _zscore_with({"mean": "mu"}).run(nan)  # MeanValueRaw is NaN: WT's JSON has null
    np.testing.assert_allclose(out.values, [0.0, np.nan, 1.0])
    assert "'mean' = nan (from 'mu')" in caplog.text
    caplog.clear()
    pipe = _zscore_with({"mean": "mu", "sd": "mu"})
    assert any("unknown parameter 'sd'" in w and "param_bindings" in w for w in pipe.warnings)
    np.testing.assert_allclose(pipe.run(x).values, [-0.5, 0.5])  # mean = 2 bound, sd ignored
    bad_kind = load_pipeline({
        "pre_reductions": [{"reduction_name": "MaxValueRaw", "output_key": "m"}],
        "steps": [{"step_id": "e", "transform_name": "AnalogEventThreshold",
                   "parameters": {"threshold_value": 2.5}, "param_bindings": {"direction": "m"}}],
    })  # fmt: skip
    assert bad_kind.run(AnalogTimeSeries([1.0, 3.0])).times.tolist() == [1]
    assert "'direction' = 3.0 is invalid" in caplog.text


def test_range_reduction_only_loads_but_cannot_run():
    pipe = load_pipeline({"range_reduction": {"reduction_name": "MeanValue"}})
    with pytest.raises(TransformError, match="Pipeline has no steps"):
        pipe.run(AnalogTimeSeries([1.0]))


def test_a_step_wt_cannot_load_is_a_warning():
    # AnalogHilbertPhase runs here but WT registers it only as V1 'Hilbert Phase' (§8.7)
    pipe = load_pipeline({"steps": [{"step_id": "h", "transform_name": "AnalogHilbertPhase"}]})
    assert any("'AnalogHilbertPhase' is not in WhiskerToolbox's" in w for w in pipe.warnings)
    assert not load_pipeline(SELF_ZSCORE).warnings


def test_load_rule_errors_name_the_file(tmp_path):
    # a runner config may run several pipeline files: the message says which one failed
    path = tmp_path / "angle.json"
    path.write_text(json.dumps({"steps": [{"step_id": "s", "transform_name": "Nope"}]}))
    with pytest.raises(TransformError, match=re.escape(f"{path}: steps[0] 's': Transform 'Nope'")):
        load_pipeline(path)


def test_missing_file_and_bad_json(tmp_path):
    with pytest.raises(TransformError, match="Failed to open file"):
        load_pipeline(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops")
    with pytest.raises(TransformError, match="line 2"):
        load_pipeline(bad)


def test_step_failure_names_the_step():
    pipe = load_pipeline({"steps": [{"step_id": "d", "transform_name": "AnalogDifference"}]})
    with pytest.raises(TransformError, match=r"Step 'd' failed: .*empty"):
        pipe.run(AnalogTimeSeries([]))
    area = load_pipeline({"steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]})
    with pytest.raises(TransformError, match=r"Step 'a' failed: .*is analog data; expected mask"):
        area.run(AnalogTimeSeries([1.0]))


def test_step_failure_names_the_file_the_key_and_the_transform_once(tmp_path):
    path = tmp_path / "area.json"
    path.write_text('{"steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]}')
    area = load_pipeline(path)
    with pytest.raises(TransformError) as failed:
        area.run(AnalogTimeSeries([1.0]), key="voltage")
    assert str(failed.value) == (
        f"pipeline file '{path}': Step 'a' failed: "
        "CalculateMaskArea: input 1 ('voltage') is analog data; expected mask"
    )
    assert failed.value.transform == "CalculateMaskArea"


def test_save_round_trip(tmp_path):
    pipe = load_pipeline(SELF_ZSCORE)
    path = save_pipeline(pipe, tmp_path / "z.json")
    again = load_pipeline(path)
    assert again.to_json() == pipe.to_json() == SELF_ZSCORE


def test_run_on_key_one_undo_step():
    dm = DataManager()
    dm.set_data("sig", AnalogTimeSeries([1.0, 2.0, 6.0]))
    dm.history.clear()
    load_pipeline(SELF_ZSCORE).run_on_key(dm, "sig", "z")
    assert "z" in dm
    assert len(dm.history) == 1
    dm.undo()
    assert "z" not in dm


def test_run_on_key_refuses_a_new_output_key_against_the_key_name_rule():
    dm = DataManager()
    dm.set_data("sig", AnalogTimeSeries([1.0, 2.0, 6.0]))
    dm.history.clear()
    with pytest.raises(TransformError, match=r"parameter 'output_key'.*'z score'.*letters"):
        load_pipeline(SELF_ZSCORE).run_on_key(dm, "sig", "z score")
    assert dm.keys() == ["sig"]
    assert len(dm.history) == 0
    # WhiskerToolbox's command files name keys freely
    load_pipeline(SELF_ZSCORE).run_on_key(dm, "sig", "z score", check_key_name=False)
    assert "z score" in dm


def test_file_stems():
    assert pipeline_file_stem("My Pipeline (v2)!") == "my_pipeline_v2"
    assert pipeline_file_stem("--Tail--") == "tail"
    assert pipeline_file_stem("***") == "pipeline"
    assert pipeline_file_stem("a - b__c") == "a_b_c"


def test_library(tmp_path, monkeypatch):
    monkeypatch.setenv(LIBRARY_ENV, str(tmp_path / "lib"))
    assert default_library_dir() == tmp_path / "lib"
    lib = PipelineLibrary()
    assert lib.entries() == []
    entry = lib.save(load_pipeline(SELF_ZSCORE), "Zeta score")
    assert entry.id == "zeta_score"
    lib.save(
        load_pipeline({"steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]}), "alpha"
    )
    (tmp_path / "lib" / "broken.json").write_text("{")
    (tmp_path / "lib" / "notes.txt").write_text("x")
    assert [(e.id, e.name) for e in lib.entries()] == [
        ("zeta_score", "Zeta score"),
        ("alpha", "alpha"),
        ("broken", "broken"),
    ]  # byte order: upper-case first
    assert lib.load("zeta_score").steps[0].transform_name == "ZScoreNormalizeV2"
    with pytest.raises(TransformError, match="already exists"):
        lib.save(load_pipeline(SELF_ZSCORE), "Zeta score")
    lib.delete("alpha")
    with pytest.raises(TransformError, match="no pipeline 'alpha'"):
        lib.delete("alpha")


def test_recorder_to_pipeline_and_rerun():
    dm = DataManager()
    dm.set_data("w", lines_of({0: [[[0, 0], [10, 0]]], 1: [[[0, 0], [0, 4]]]}))
    steps = AppliedSteps()
    run_transform(dm, "ResampleLine", "w", "w2", {"target_spacing": 2}, recorder=steps)
    run_transform(dm, "CalculateLineLength", "w2", "len", recorder=steps)
    pipe = steps.to_pipeline(name="resample and length")
    assert isinstance(pipe, Pipeline)
    assert [s.transform_name for s in pipe.steps] == ["ResampleLine", "CalculateLineLength"]
    assert pipe.steps[0].parameters["target_spacing"] == 2.0
    other = DataManager()
    other.set_data("w", lines_of({5: [[[0, 0], [3, 4]]]}))
    pipe.run_on_key(other, "w", "len")
    np.testing.assert_allclose(other.get_data("len").values, [5])
    run_transform(dm, "CalculateLineLength", "w", "len_w", recorder=steps)
    with pytest.raises(TransformError, match="a pipeline file is a chain"):
        steps.to_pipeline()
    assert steps.to_json()[2] == {
        "transform_name": "CalculateLineLength",
        "input_key": "w",
        "output_key": "len_w",
        "parameters": {},
    }


def test_unknown_step_parameter_is_ignored_as_in_whiskertoolbox_but_warned(tmp_path, caplog):
    """Reference §1.4: V2 ignores unknown fields; we run like WT and say so (file, step, key)."""
    doc = {"steps": [{"step_id": "ang", "transform_name": "CalculateLineAngle",
                      "parameters": {"positon": 0.9, "window": 0.2}}]}  # fmt: skip
    path = tmp_path / "angle.json"
    path.write_text(json.dumps(doc))
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.transforms"):
        pipe = load_pipeline(path)
    assert len(pipe.warnings) == 1
    warning = pipe.warnings[0]
    for fragment in (str(path), "steps[0] 'ang'", "'positon'", "did you mean 'position'?"):
        assert fragment in warning
    assert [r.getMessage() for r in caplog.records] == [warning]
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.transforms"):
        again = load_pipeline(path)  # docks parse a pipeline whenever they list or run it
    assert again.warnings == [warning]
    assert [r.getMessage() for r in caplog.records] == [warning]  # logged once
    line = lines_of({0: [[[0, 0], [10, 0], [10, 10]]]})
    ran = pipe.run(line)
    default = apply_transform("CalculateLineAngle", line)
    np.testing.assert_array_equal(ran.values, default.values)  # the default position was used
    assert load_pipeline(SELF_ZSCORE).warnings == []


def test_library_and_user_transforms_follow_the_config_dir_env(tmp_path, monkeypatch):
    # NAPARI_WHISKERTOOLBOX_CONFIG_DIR moves every user file, the pipeline library too
    # (it was ignored: the Transforms dock wrote the library to ~/.config regardless)
    monkeypatch.delenv(LIBRARY_ENV, raising=False)
    monkeypatch.delenv(TRANSFORMS_ENV, raising=False)
    monkeypatch.setenv("NAPARI_WHISKERTOOLBOX_CONFIG_DIR", str(tmp_path / "cfg"))
    assert default_library_dir() == tmp_path / "cfg" / "pipelines" / "transforms_v2"
    assert user_transforms_dir() == tmp_path / "cfg" / "transforms"


def test_a_misnamed_step_field_is_warned_not_silently_dropped(tmp_path):
    """Reference §8.2: docs write ``params``/``transform``/``reduction``; WT ignores the field.

    A step whose parameters sit under ``params`` runs with the defaults, so the file must
    say so (naming the file, the step, the field and the real field name), and a missing
    ``transform_name`` next to a ``transform`` field names the field to use.
    """
    doc = {
        "pre_reductions": [{"reduction": "MeanValueRaw", "reduction_name": "MeanValueRaw",
                            "output_key": "mu"}],
        "steps": [{"step_id": "thr", "transform_name": "AnalogIntervalThreshold",
                   "params": {"threshold_value": 2.5}}],
        "range_reduction": {"reduction_name": "MeanValue", "param": {}},
    }  # fmt: skip
    path = tmp_path / "thr.json"
    path.write_text(json.dumps(doc))
    warnings = load_pipeline(path).warnings
    assert len(warnings) == 3, warnings
    step = next(w for w in warnings if "steps[0]" in w)
    for fragment in (str(path), "steps[0] 'thr'", "unknown field 'params'", "'parameters'"):
        assert fragment in step
    assert any("pre_reductions[0]" in w and "'reduction'" in w for w in warnings)
    assert any("range_reduction" in w and "'param'" in w for w in warnings)
    assert load_pipeline(SELF_ZSCORE).warnings == []
    wrong = {"steps": [{"step_id": "a", "transform": "CalculateLineAngle"}]}
    with pytest.raises(TransformError, match=r"has 'transform'.*'transform_name'"):
        load_pipeline(wrong)


def test_null_optional_step_fields_read_as_absent():
    """WT reads a JSON ``null`` optional field as absent (std::optional); so do we."""
    doc = {"steps": [{"step_id": "len", "transform_name": "CalculateLineLength", "parameters": None,
                      "param_bindings": None, "description": None, "tags": None,
                      "enabled": None}]}  # fmt: skip
    step = load_pipeline(doc).steps[0]
    assert (step.tags, step.parameters, step.description) == ([], {}, "")
    with pytest.raises(TransformError, match="tags must be an array of strings"):
        load_pipeline({"steps": [{**doc["steps"][0], "tags": "a"}]})
    with pytest.raises(TransformError, match="enabled must be true or false"):
        load_pipeline({"steps": [{**doc["steps"][0], "enabled": 0}]})


def test_a_v1_name_s_message_names_the_twin_that_runs_in_its_place():
    """Every V1 operation with a V2 twin: the refusal names the twin and its parameters, and
    the pipeline written with that name (its defaults) loads."""
    from napari_whiskertoolbox.transforms.registry import REGISTRY
    from napari_whiskertoolbox.transforms.v1_names import V1_TO_V2

    for v1, v2 in V1_TO_V2.items():
        with pytest.raises(TransformError) as err:
            load_pipeline({"steps": [{"step_id": "a", "transform_name": v1}]})
        message = str(err.value)
        assert f"twin '{v2}' instead" in message, v1
        for name in REGISTRY.get(v2).schema.names():
            assert name in message, (v1, name)
        pipe = load_pipeline({"steps": [{"step_id": "a", "transform_name": v2}]})
        assert pipe.steps[0].transform_name == v2
