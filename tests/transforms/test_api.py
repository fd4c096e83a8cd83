"""names/describe/apply_transform/run_transform: kinds, errors, undo, cancel, progress."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from _transforms_support import lines_of, random_lines

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    TimeFrame,
)
from napari_whiskertoolbox.core.kinds import DATA_KINDS
from napari_whiskertoolbox.transforms import (
    AppliedSteps,
    TransformCancelled,
    TransformContext,
    TransformError,
    apply_transform,
    describe,
    names,
    run_transform,
)

V2_CATALOGUE = {
    # reference §2, in table order; (ctx) = a ...WithContext twin is registered too
    "CalculateMaskArea": True,
    "CalculateMaskCentroid": True,
    "MedianFilterMask": True,
    "SkeletonizeMask": True,
    "MaskToLine": True,
    "RemoveLineOutliers": True,
    "CalculateLineAngle": True,
    "CalculateLineCurvature": True,
    "CalculateLineLength": True,
    "FlipLineBase": True,
    "ResampleLine": True,
    "ExtractLineSubsegment": True,
    "ExtractLinePoint": True,
    "CalculateLineMinPointDistance": False,
    "ClipLineAtReference": False,
    "SumReduction": True,
    "ZScoreNormalizeV2": False,
    "NormalizeTimeValueV2": False,
    "NormalizeEventTimeValueV2": False,
    "NormalizeSampleTimeValueV2": False,
    "NormalizeClockTicksValueV2": False,
    "AnalogEventThreshold": False,
    "AnalogIntervalThreshold": False,
    "AnalogIntervalPeak": False,
    "AnalogDifference": False,
    "SincInterpolation": False,
    "DigitalIntervalBoolean": False,
    "EventToInterval": False,
    "IntervalToEvent": False,
    "PruneOverlappingIntervals": False,
    "NormalizeDigitalEventSeriesRelative": False,
    "ShiftDigitalEventSeries": False,
    "PointCoordinate": False,
    "PointCoordinateReduction": False,
    "AnalogIntervalReduction": False,
    "EventIntervalReduction": False,
    "IntervalOverlapReduction": False,
    "TensorPCA": False,
    "TensorICA": False,
    "TensorRobustPCA": False,
    "TensorTSNE": False,
    "TensorCAR": False,
    "TensorWhitening": False,
    "TensorCentralDifference": False,
    "TensorTemporalNeighbors": False,
}


def test_every_v2_name_of_the_reference_is_registered():
    registered = set(names("v2"))
    for name, twin in V2_CATALOGUE.items():
        assert name in registered, name
        assert (f"{name}WithContext" in registered) == twin, name
    expected = {*V2_CATALOGUE, *(f"{n}WithContext" for n, t in V2_CATALOGUE.items() if t)}
    assert registered - expected == {"AnalogHilbertPhase"}  # shipped, not registered by WT
    assert describe("AnalogHilbertPhase")["in_wt_registry"] is False


def test_kinds_come_from_the_kind_table():
    for name in names():
        d = describe(name)
        for slot in d["input_kinds"]:
            assert slot
            assert set(slot) <= set(DATA_KINDS)
        assert d["output_kind"] in DATA_KINDS


def test_apply_is_pure():
    ld = lines_of({0: [[[0, 0], [3, 4]]]})
    before = ld.to_flat().coords.copy()
    out = apply_transform("FlipLineBase", ld, {"reference_x": 3, "reference_y": 4})
    np.testing.assert_array_equal(ld.to_flat().coords, before)
    np.testing.assert_array_equal(out.at(0)[0], [[3, 4], [0, 0]])
    assert out is not ld


def test_wrong_kind_names_transform_and_input():
    with pytest.raises(
        TransformError, match=r"CalculateMaskArea: input 1 .* is line data; expected mask"
    ):
        apply_transform("CalculateMaskArea", lines_of({0: [[[0, 0], [1, 1]]]}))
    with pytest.raises(TransformError, match="takes 2 inputs, got 1"):
        apply_transform("DigitalIntervalBoolean", DigitalIntervalSeries([[0, 1]]))
    with pytest.raises(TransformError, match="not a data object"):
        apply_transform("CalculateLineLength", np.zeros((3, 2)))


def test_unknown_transform():
    with pytest.raises(TransformError, match="unknown transform 'NoSuchThing'"):
        apply_transform("NoSuchThing", LineData())


def _dm_with_lines() -> DataManager:
    dm = DataManager()
    dm.set_time("camera", TimeFrame(np.arange(0, 500, 10)))
    dm.set_data("whisker", lines_of({0: [[[0, 0], [10, 0]]], 3: [[[0, 0], [0, 5]]]}), "camera")
    dm.history.clear()
    return dm


def test_run_transform_adds_one_undo_step_on_the_input_clock():
    dm = _dm_with_lines()
    out = run_transform(dm, "CalculateLineLength", "whisker", "length")
    assert dm.time_key("length") == "camera"
    assert dm.get_data("length") is out
    np.testing.assert_array_equal(out.times, [0, 3])
    np.testing.assert_allclose(out.values, [10, 5])
    assert len(dm.history) == 1
    assert dm.undo()
    assert "length" not in dm
    assert dm.redo()
    assert dm.get_data("length") is out


@pytest.mark.parametrize("bad", ["tip point", "2nd", "for", "a/b"])
def test_a_new_output_key_follows_the_key_name_rule(bad):
    dm = _dm_with_lines()
    with pytest.raises(TransformError, match=r"parameter 'output_key'.*letters, digits") as info:
        run_transform(dm, "ExtractLinePoint", "whisker", bad)
    assert info.value.parameter == "output_key"
    assert bad not in dm
    assert len(dm.history) == 0


def test_an_existing_key_of_any_name_is_replaced_and_files_may_name_keys_freely():
    dm = _dm_with_lines()
    # WhiskerToolbox files (a config's transformations block) may use any name
    run_transform(dm, "CalculateLineLength", "whisker", "whisker length", check_key_name=False)
    assert "whisker length" in dm
    # once it exists, a person may replace it under its own name
    run_transform(dm, "CalculateLineAngle", "whisker", "whisker length")
    assert len(dm.history) == 2


def test_run_transform_replaces_same_kind_and_undo_restores():
    dm = _dm_with_lines()
    first = run_transform(dm, "CalculateLineLength", "whisker", "value")
    second = run_transform(dm, "CalculateLineAngle", "whisker", "value")
    assert dm.get_data("value") is second
    dm.undo()
    assert dm.get_data("value") is first


def test_run_transform_bad_input_leaves_dm_unchanged():
    dm = _dm_with_lines()
    keys, undo = dm.keys(), len(dm.history)
    bad = [
        ({"name": "Nope"}, "unknown transform 'Nope'"),
        ({"input_key": "missing"}, "Input data 'missing' not found"),
        ({"params": {"position": "far"}}, "'position' = 'far'"),
        ({"output_time_key": "nope"}, "output clock 'nope' does not exist"),
        ({"name": "CalculateMaskArea"}, "is line data; expected mask"),
        (
            {"output_key": "whisker", "name": "CalculateLineLength"},
            r"'whisker' already holds lines; the result \(analog signals\) cannot replace it",
        ),
    ]
    for change, fragment in bad:
        args = {
            "name": "CalculateLineAngle",
            "input_key": "whisker",
            "output_key": "out",
            "params": None,
        }
        args.update(change)
        with pytest.raises(TransformError, match=fragment):
            run_transform(
                dm,
                args["name"],
                args["input_key"],
                args["output_key"],
                args["params"],
                output_time_key=change.get("output_time_key"),
            )
        assert dm.keys() == keys
        assert len(dm.history) == undo


def test_output_clock_of_interval_peak_is_the_analog_clock():
    dm = DataManager()
    dm.set_time("fast", TimeFrame(np.arange(100)))
    dm.set_time("slow", TimeFrame(np.arange(0, 100, 10)))
    dm.set_data("sig", AnalogTimeSeries(np.sin(np.arange(100) / 5.0)), "fast")
    dm.set_data("trials", DigitalIntervalSeries([[0, 2], [5, 7]]), "slow")
    out = run_transform(dm, "AnalogIntervalPeak", "trials", "peaks", other_keys=["sig"])
    assert dm.time_key("peaks") == "fast"
    # slow [0, 2] = ticks 0..20 -> fast 0..20: sin(t/5) peaks at t = 8 (5*pi/2 = 7.85)
    assert out.times[0] == 8


def test_progress_is_reported_and_cancel_stops_without_storing(rng):
    dm = DataManager()
    dm.set_data("w", random_lines(rng, 3000, 5, 50))
    seen: list[float] = []
    run_transform(dm, "CalculateLineAngle", "w", "a", progress=seen.append)
    assert seen[-1] == 1.0
    assert len(seen) > 3
    assert seen == sorted(seen)
    cancel = threading.Event()
    cancel.set()
    keys = dm.keys()
    with pytest.raises(TransformCancelled):
        run_transform(dm, "CalculateLineAngle", "w", "b", cancel=cancel)
    assert dm.keys() == keys


def test_cancel_from_another_thread_stops_a_per_element_loop_quickly(rng):
    """A per-mask loop (median filter) stops within a second of the request."""
    import time

    square = np.array([[x, y] for x in range(20) for y in range(20)])
    n = 20000
    big = MaskData.from_flat(
        np.arange(n), np.tile(square, (n, 1)), np.arange(n + 1) * len(square), image_size=(64, 64)
    )
    cancel = threading.Event()
    ctx = TransformContext(cancel=cancel)
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            apply_transform("MedianFilterMask", big, context=ctx)
            outcome["result"] = "finished"
        except TransformCancelled:
            outcome["result"] = "cancelled"
            outcome["at"] = time.monotonic()

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(0.3)
    requested = time.monotonic()
    cancel.set()
    thread.join(5)
    assert outcome["result"] == "cancelled"
    assert outcome["at"] - requested < 1.0  # type: ignore[operator]


def test_recorder_records_successful_runs_only():
    dm = _dm_with_lines()
    steps = AppliedSteps()
    run_transform(dm, "CalculateLineLength", "whisker", "len", recorder=steps)
    with pytest.raises(TransformError):
        run_transform(dm, "CalculateLineLength", "nope", "len2", recorder=steps)
    assert len(steps) == 1
    assert steps.steps[0].transform_name == "CalculateLineLength"
    assert steps.steps[0].output_key == "len"


def test_misspelt_parameter_is_an_error_naming_transform_key_and_valid_keys():
    """A typo must not silently run with the default (Python API and dock path)."""
    dm = _dm_with_lines()
    for name in ("Calculate Line Angle", "CalculateLineAngle"):
        with pytest.raises(TransformError) as info:
            run_transform(dm, name, "whisker", "angle", {"positon": 0.5})
        message = str(info.value)
        assert message.startswith(f"{name}: unknown parameter 'positon'")
        assert "did you mean 'position'?" in message
        assert "'window'" in message
        assert "'method'" in message
        assert info.value.parameter == "positon"
    assert "angle" not in dm
    with pytest.raises(
        TransformError, match=r"unknown parameter 'positon'.*did you mean 'position'"
    ):
        apply_transform("CalculateLineAngle", lines_of({0: [[[0, 0], [3, 4]]]}), {"positon": 1.0})
    with pytest.raises(TransformError, match=r"unknown parameter 'zzz'; valid parameters: \["):
        apply_transform("CalculateLineAngle", lines_of({0: [[[0, 0], [3, 4]]]}), {"zzz": 1.0})


def _two_interval_series() -> DataManager:
    dm = DataManager()
    dm.set_data("contact", DigitalIntervalSeries([[0, 4], [8, 12]]))
    dm.set_data("other", DigitalIntervalSeries([[2, 9]]))
    return dm


def test_a_missing_second_input_says_how_to_pass_it():
    """Was only "takes 2 inputs, got 1"; other_series is V1 Boolean Operation's parameter."""
    dm = _two_interval_series()
    params = {"operation": "xor", "other_series": "other"}
    with pytest.raises(TransformError) as info:
        run_transform(dm, "DigitalIntervalBoolean", "contact", "c", params)
    message = str(info.value)
    assert message.startswith("DigitalIntervalBoolean: takes 2 inputs, got 1: pass the second")
    assert "other_keys='KEY'" in message
    assert "'other_series' ('other') names a key but is no parameter" in message
    assert "other_keys='other'" in message
    assert "c" not in dm
    with pytest.raises(TransformError, match=r"takes 1 input, got 2: leave other_keys out"):
        run_transform(dm, "IntervalToEvent", "contact", "e", other_keys="other")
    xor = run_transform(dm, "DigitalIntervalBoolean", "contact", "c", {"operation": "xor"},
                        other_keys="other")  # fmt: skip
    assert np.asarray(xor.intervals).tolist() == [[0, 1], [5, 7], [10, 12]]  # reference §3.5


def test_not_takes_no_second_input_as_in_the_dock():
    """reference §3.5: not gives the gaps of the input; the other series is ignored."""
    dm = _two_interval_series()
    gaps = run_transform(dm, "DigitalIntervalBoolean", "contact", "gaps", {"operation": "not"})
    assert np.asarray(gaps.intervals).tolist() == [[5, 7]]
    data = apply_transform("DigitalIntervalBoolean", dm.get_data("contact"), {"operation": "not"})
    assert np.asarray(data.intervals).tolist() == [[5, 7]]
    v1 = run_transform(dm, "Boolean Operation", "contact", "gaps_v1", {"operation": "NOT"})
    assert np.asarray(v1.intervals).tolist() == [[5, 7]]
    with pytest.raises(TransformError, match=r"not needed with operation='not'"):
        run_transform(dm, "DigitalIntervalBoolean", "contact", "x", {"operation": "and"})
    assert describe("DigitalIntervalBoolean")["other_unused_when"] == ["operation", "not"]
