"""A DataManager's record of applied transforms: planned runs, undo, save as pipeline, re-run."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from _transforms_support import lines_of

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.io import load_session, save_session
from napari_whiskertoolbox.transforms import (
    AppliedSteps,
    Pipeline,
    PipelineStep,
    TransformCancelled,
    TransformError,
    load_pipeline,
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
    with pytest.raises(TransformError, match="must be a one-input TransformsV2"):
        steps.to_pipeline()
    with pytest.raises(TransformError, match="no applied steps"):
        steps.to_pipeline(indices=[])
