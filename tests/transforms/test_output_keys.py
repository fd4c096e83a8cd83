"""The output-key rule: runs into a key they cannot store in are refused before computing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TimeFrame,
)
from napari_whiskertoolbox.transforms import (
    TransformError,
    load_pipeline,
    register_function,
    run_command,
    run_transform,
    run_v1_transformations,
    unregister,
)
from napari_whiskertoolbox.transforms.api import plan_transform
from napari_whiskertoolbox.transforms.output_keys import output_key_check

COUNTED = "CountedDouble"


@pytest.fixture
def calls():
    """Register ``CountedDouble`` (float → float), counting the values it computes."""
    seen: list[float] = []

    def counted_double(x: float) -> float:
        seen.append(x)
        return 2 * x

    register_function(counted_double, COUNTED)
    yield seen
    unregister(COUNTED)


def _dm() -> DataManager:
    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(200)))
    dm.set_data("sig", AnalogTimeSeries(np.arange(200.0)), "time")
    dm.set_data("contact", DigitalIntervalSeries([[0, 5], [20, 30]]), "time")
    return dm


def _state(dm: DataManager) -> tuple[list[str], int, list[str]]:
    return dm.keys(), len(dm.history), dm.time_keys()


def test_run_transform_into_another_kind_is_refused_before_computing(calls):
    dm = _dm()
    before = _state(dm)
    with pytest.raises(TransformError) as info:
        run_transform(dm, COUNTED, "sig", "contact")
    assert str(info.value) == (
        "CountedDouble: parameter 'output_key': 'contact' already holds intervals; "
        "the result (analog signals) cannot replace it"
    )
    assert (info.value.key, info.value.parameter) == ("contact", "output_key")
    assert calls == []  # nothing computed
    assert _state(dm) == before
    # planning alone refuses it too: the dock's Run and a script ask the same rule
    with pytest.raises(TransformError) as planned:
        plan_transform(dm, COUNTED, "sig", "contact")
    assert output_key_check(dm, "contact", "analog")[0] in str(planned.value)
    # a key of the result's kind is replaced, computed once
    run_transform(dm, COUNTED, "sig", "sig")
    assert len(calls) == 200


def test_refused_names_and_empty_keys_are_refused_before_computing(calls):
    dm = _dm()
    before = _state(dm)
    for key, fragment in (
        ("a b", "key name 'a b' is not allowed"),
        ("", "the output needs a key, got ''"),
        (None, "the output needs a key, got None"),
    ):
        with pytest.raises(TransformError, match=fragment):
            run_transform(dm, COUNTED, "sig", key)
    assert calls == []
    assert _state(dm) == before


def test_pipeline_into_another_kind_is_refused_before_computing(calls):
    dm = _dm()
    pipeline = load_pipeline(
        {
            "metadata": {"name": "doubles"},
            "steps": [
                {"step_id": "one", "transform_name": COUNTED},
                {"step_id": "two", "transform_name": COUNTED},
            ],
        }
    )
    assert pipeline.output_kind == "analog"
    before = _state(dm)
    with pytest.raises(TransformError) as info:
        pipeline.run_on_key(dm, "sig", "contact")
    assert str(info.value) == (
        "pipeline 'doubles': parameter 'output_key': 'contact' already holds intervals; "
        "the result (analog signals) cannot replace it"
    )
    # keys named in WhiskerToolbox's files keep any name, never another kind's key
    with pytest.raises(TransformError, match="already holds intervals"):
        pipeline.run_on_key(dm, "sig", "contact", check_key_name=False)
    assert calls == []
    assert _state(dm) == before


def test_pipeline_without_steps_is_refused_when_planned(calls):
    dm = _dm()
    pipeline = load_pipeline({"range_reduction": {"reduction_name": "MeanValue"}})
    assert pipeline.output_kind is None
    with pytest.raises(TransformError, match="Pipeline has no steps"):
        pipeline.plan_on_key(dm, "sig", "out")


def test_pipeline_at_time_command_is_refused_before_computing(calls, tmp_path):
    dm = _dm()
    path = tmp_path / "double.json"
    path.write_text(json.dumps({"steps": [{"step_id": "d", "transform_name": COUNTED}]}))
    before = _state(dm)
    result = run_command(
        dm,
        {
            "command_name": "RunTransformsV2PipelineAtTime",
            "parameters": {
                "input_key": "sig",
                "output_key": "contact",
                "pipeline_path": str(path),
                "time": 3,
            },
        },
    )
    assert "'contact' already holds intervals; the result (analog signals)" in result.error
    assert calls == []
    assert _state(dm) == before


def _threshold_step(step_id: str, name: str, output_key: str, phase: int = 0) -> dict:
    return {
        "step_id": step_id,
        "transform_name": name,
        "input_key": "sig",
        "output_key": output_key,
        "phase": phase,
        "parameters": {"threshold_value": 10},
    }


def test_v1_block_checks_every_output_key_before_its_first_step():
    dm = _dm()
    before = _state(dm)
    # step 'b' writes a key holding intervals; step 'a' (run first) would have stored 'ev'
    block = {
        "steps": [
            _threshold_step("a", "Threshold Event Detection", "ev"),
            _threshold_step("b", "Threshold Event Detection", "contact", phase=1),
        ]
    }
    with pytest.raises(TransformError) as info:
        run_v1_transformations(dm, block)
    assert str(info.value) == (
        "transformations: step 'b' (Threshold Event Detection): parameter 'output_key': "
        "'contact' already holds intervals; the result (events) cannot replace it "
        "(no step was run)"
    )
    assert _state(dm) == before


def test_v1_block_counts_the_kind_an_earlier_step_stores():
    dm = _dm()
    before = _state(dm)
    clash = {
        "steps": [
            _threshold_step("events", "Threshold Event Detection", "found"),
            _threshold_step("intervals", "Threshold Interval Detection", "found", phase=2),
        ]
    }
    with pytest.raises(TransformError, match=r"'found' will hold events \(an earlier step"):
        run_v1_transformations(dm, clash)
    assert _state(dm) == before
    # phases run in order, whatever the order of the list: the interval step runs first
    # here, so the event step is the one refused
    swapped = {"steps": [clash["steps"][1] | {"phase": 1}, clash["steps"][0] | {"phase": 0}]}
    with pytest.raises(TransformError, match=r"step 'intervals'.*'found' will hold events"):
        run_v1_transformations(dm, swapped)
    # a later step replacing an earlier one's key with the same kind runs
    same = {
        "steps": [
            _threshold_step("low", "Threshold Event Detection", "found"),
            _threshold_step("high", "Threshold Event Detection", "found", phase=1),
        ]
    }
    assert run_v1_transformations(dm, same) == ["found", "found"]
    assert isinstance(dm.get_data("found"), DigitalEventSeries)


def test_output_key_check_rule():
    dm = _dm()
    assert output_key_check(dm, "new_key", "analog") == (None, False)
    assert output_key_check(dm, "sig", "analog") == (
        "'sig' exists and will be replaced (undo restores it)",
        False,
    )
    assert output_key_check(dm, "contact", "analog")[1]
    assert output_key_check(dm, "", "analog") == ("the output needs a key", True)
    assert output_key_check(dm, "", None) == (None, False)  # nothing chosen yet
    assert output_key_check(dm, "a b", None)[1]
    assert output_key_check(dm, "a b", "analog", check_name=False) == (None, False)
    assert output_key_check(dm, "sig", "digital_event", planned={"sig": "digital_event"}) == (
        "'sig' exists and will be replaced (undo restores it)",
        False,
    )
