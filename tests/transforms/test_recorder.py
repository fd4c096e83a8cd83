"""A DataManager's record of applied transforms: planned runs, undo, save as pipeline, re-run."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from _transforms_support import lines_of

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.io import load_session, save_session
from napari_whiskertoolbox.transforms import (
    AppliedSteps,
    Pipeline,
    PipelineStep,
    TransformCancelled,
    TransformError,
    load_pipeline,
    run_v1_transformations,
    save_pipeline,
)
from napari_whiskertoolbox.transforms.api import plan_transform
from napari_whiskertoolbox.transforms.recorder import METADATA_KEY


def _dm() -> DataManager:
    dm = DataManager()
    dm.set_data("w", lines_of({0: [[[0, 0], [10, 0]]], 2: [[[0, 0], [0, 4]], [[1, 1], [4, 5]]]}))
    dm.history.clear()
    return dm


def test_planned_run_computes_without_touching_the_dm_then_stores_one_undo_step():
    dm = _dm()
    planned = plan_transform(dm, "CalculateLineLength", "w", "len")
    assert planned.output_time_key == "time"
    result = planned.compute()
    assert dm.keys() == ["w"]
    assert not dm.history.can_undo
    steps = AppliedSteps.of(dm)
    planned.store(result, steps)
    np.testing.assert_allclose(dm.get_data("len").values, [10, 4, 5])
    assert [s.title for s in steps] == ["CalculateLineLength: w → len"]
    assert len(dm.history) == 1
    dm.undo()  # one step: the key and its record go together
    assert dm.keys() == ["w"]
    assert len(steps) == 0
    dm.redo()
    assert "len" in dm
    assert [s.output_key for s in steps] == ["len"]


def test_planning_checks_everything_before_any_work():
    dm = _dm()
    with pytest.raises(TransformError, match="Input data 'nope' not found"):
        plan_transform(dm, "CalculateLineLength", "nope", "len")
    with pytest.raises(TransformError, match=r"CalculateMaskArea: input 1 \('w'\)"):
        plan_transform(dm, "CalculateMaskArea", "w", "area")
    with pytest.raises(TransformError, match=r"'target_spacing' = 0\.0 is invalid.*> 0"):
        plan_transform(dm, "ResampleLine", "w", "w2", {"target_spacing": 0.0})
    with pytest.raises(TransformError, match="output clock 'camera' does not exist"):
        plan_transform(dm, "CalculateLineLength", "w", "len", output_time_key="camera")


def test_cancelled_compute_leaves_the_dm_and_record_unchanged():
    dm = _dm()
    cancel = threading.Event()
    cancel.set()
    planned = plan_transform(dm, "CalculateLineLength", "w", "len")
    with pytest.raises(TransformCancelled):
        planned.compute(cancel=cancel)
    assert dm.keys() == ["w"]
    assert AppliedSteps.of(dm).steps == []


def test_record_lives_in_metadata_and_survives_a_session_save(tmp_path):
    dm = _dm()
    steps = AppliedSteps.of(dm)
    plan = plan_transform(dm, "ResampleLine", "w", "w2", {"target_spacing": 2})
    plan.store(plan.compute(), steps)
    reopened = load_session(save_session(dm, tmp_path / "s"))
    again = AppliedSteps.of(reopened)
    assert again.steps == steps.steps
    assert again.steps[0].parameters["target_spacing"] == 2.0
    dm.metadata[METADATA_KEY] = "broken"
    with pytest.raises(TransformError, match="must be a list"):
        AppliedSteps.of(dm)


def test_pipeline_runs_are_recorded_and_expand_into_the_saved_pipeline(tmp_path):
    dm = _dm()
    steps = AppliedSteps.of(dm)
    resample = Pipeline(
        [PipelineStep("r", "ResampleLine", {"target_spacing": 1.0})], {"name": "fine"}
    )
    resample.run_on_key(dm, "w", "fine", recorder=steps)
    plan = plan_transform(dm, "CalculateLineLength", "fine", "len")
    plan.store(plan.compute(), steps)
    assert [s.title for s in steps] == [
        "pipeline fine: w → fine",
        "CalculateLineLength: fine → len",
    ]
    saved = save_pipeline(steps.to_pipeline(name="fine length"), tmp_path / "p.json")
    pipe = load_pipeline(saved)
    assert [s.transform_name for s in pipe.steps] == ["ResampleLine", "CalculateLineLength"]
    other = DataManager()
    other.set_data("whisker", lines_of({7: [[[0, 0], [3, 4]]]}))
    pipe.run_on_key(other, "whisker", "length")
    np.testing.assert_allclose(other.get_data("length").values, [5], rtol=1e-5)


def test_v1_and_two_input_steps_cannot_go_in_a_pipeline_file():
    dm = _dm()
    steps = AppliedSteps.of(dm)
    plan = plan_transform(dm, "Calculate Line Angle", "w", "angle")
    plan.store(plan.compute(), steps)
    with pytest.raises(
        TransformError,
        match=r"is a WhiskerToolbox V1 operation: 'Calculate Line Angle' .*pipeline files do not "
        r"hold.*write its TransformsV2 twin 'CalculateLineAngle' instead \(parameters: position",
    ):
        steps.to_pipeline()
    with pytest.raises(TransformError, match="no applied steps"):
        steps.to_pipeline(indices=[])


def _whiskers() -> DataManager:
    """Two whiskers on 12 frames (the upper one first), three labelled lines of each."""
    lines = LineData()
    ids = {}
    for t in range(12):
        for k, y in enumerate((40.0 + t, 120.0 - t)):
            pts = np.array([[10, y], [30, y + 4], [60, y + 9]], np.float32)
            ids[t, k] = int(lines.add(t, pts)[0])
    dm = DataManager()
    dm.set_data("w", lines)
    dm.groups.create("C1", [ids[t, 0] for t in (0, 5, 11)])
    dm.groups.create("C2", [ids[t, 1] for t in (0, 5, 11)])
    dm.history.clear()
    return dm


def test_group_operations_are_recorded_and_replayed_from_a_saved_block(tmp_path):
    """Group operations used to be recorded with an empty output key, so the record said
    they wrote '' and could not be replayed; now the record says they edited the entity
    groups, and a saved transformations block redoes them on another session."""
    dm = _whiskers()
    steps = AppliedSteps.of(dm)
    for name, params in [
        ("Group Lines using Kalman Filtering", {"write_to_putative_groups": False}),
        ("Line Outlier Detection", {"groups_to_process": ["C1"], "mad_threshold": 1e6}),
        ("Group Lines by Proximity", {"distance_threshold": 5.0}),
    ]:
        plan = plan_transform(dm, name, "w", "", params)
        plan.store(plan.compute(), steps)
    assert dm.groups.count("C1") == 12
    assert dm.groups.count("C2") == 12
    record = steps.to_json()
    assert [doc.get("edits") for doc in record] == ["entity_groups"] * 3
    assert all("output_key" not in doc for doc in record)  # they wrote no key
    assert steps.steps[0].title == "Group Lines using Kalman Filtering: w → entity groups"
    reopened = AppliedSteps.of(load_session(save_session(dm, tmp_path / "s")))
    assert reopened.steps == steps.steps
    with pytest.raises(TransformError, match=r"V1 operation \(it edits entity groups\)"):
        reopened.to_pipeline()
    saved = reopened.save_transformations(tmp_path / "groups.json")
    block = json.loads(saved.read_text())[0]["transformations"]
    assert [s["transform_name"] for s in block["steps"]] == [s.transform_name for s in steps]
    assert block["steps"][1]["parameters"]["groups_to_process"] == ["C1"]
    other = _whiskers()
    run_v1_transformations(other, block)
    assert _by_frame(other) == _by_frame(dm)
    assert _by_frame(other)["C1"] == [(t, 0) for t in range(12)]


def _by_frame(dm: DataManager) -> dict[str, list[tuple[int, int]]]:
    """Each group's members as (frame, index of the line on its frame)."""
    flat = dm.get_data("w").to_flat()
    where = {int(i): (int(t), k % 2) for k, (t, i) in enumerate(zip(flat.times, flat.ids))}
    return {g: sorted(where[int(i)] for i in dm.groups.members(g)) for g in dm.groups.names()}


def test_old_records_with_an_empty_output_key_still_load():
    dm = _whiskers()
    dm.metadata[METADATA_KEY] = [
        {"transform_name": "Group Lines by Index", "input_key": "w", "output_key": "",
         "parameters": {}}
    ]  # fmt: skip
    (step,) = AppliedSteps.of(dm).steps
    assert step.edits_groups
    assert step.output_key == ""
    assert AppliedSteps.of(dm).to_transformations()["steps"][0] == {
        "step_id": "step1_Group_Lines_by_Index",
        "transform_name": "Group Lines by Index",
        "input_key": "w",
        "parameters": {},
    }


def test_a_saved_config_replays_as_it_was_saved_loaded_or_by_its_path(tmp_path):
    """'Save as config…' writes ``[{"transformations": {...}}]``; a user replaying it with
    ``run_v1_transformations(dm, json.load(f))`` got 'the transformations block must be an
    object, got list'. The saved file (loaded, or its path) and a runner config's root
    object now replay as their block does."""
    dm = _whiskers()
    steps = AppliedSteps.of(dm)
    plan = plan_transform(dm, "Group Lines by Index", "w", "", {"group_name_prefix": "Whisker"})
    plan.store(plan.compute(), steps)
    saved = steps.save_transformations(tmp_path / "groups.json")
    expected = _by_frame(dm)
    config = json.loads(saved.read_text())
    for block in (config, saved, str(saved), {"data": [], **config[0]}):
        other = _whiskers()
        assert run_v1_transformations(other, block) == []
        assert _by_frame(other) == expected, block
    with pytest.raises(TransformError, match=r"no item with a 'transformations' block"):
        run_v1_transformations(_whiskers(), [{"data_type": "line", "name": "w"}])
    with pytest.raises(TransformError, match=r"must be an object, got int"):
        run_v1_transformations(_whiskers(), 3)
