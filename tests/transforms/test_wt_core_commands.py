"""WhiskerToolbox's core commands in a runner's ``commands``: AddInterval, CopyByTimeRange,
MoveByTimeRange, ForEachKey and LoadData.

The cases and expected values are WhiskerToolbox's own (``src/Commands/Commands.test.cpp``,
``src/Commands/register_core_commands.cpp``, ``src/Commands/ForEachKey.cpp``,
``src/Commands/AddInterval.cpp``; paulmthompson/WhiskerToolbox). Before these were
registered, a runner config using them failed with "Unknown command".
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    TimeFrame,
)
from napari_whiskertoolbox.transforms import run_json_pipeline
from napari_whiskertoolbox.transforms.commands import run_commands


def _cmd(name: str, **parameters: object) -> dict[str, object]:
    return {"command_name": name, "parameters": parameters}


def _line_dm() -> DataManager:
    """``makeLineContext``: lines at frames 10, 20 and 30 in ``src_lines``, none in ``dst_lines``."""
    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(200)))
    src = LineData()
    for t, a, b in ((10, 1.0, 2.0), (20, 3.0, 4.0), (30, 5.0, 6.0)):
        src.add(t, np.array([[a, a], [b, b]], np.float32))
    dm.set_data("src_lines", src, "time")
    dm.set_data("dst_lines", LineData(), "time")
    return dm


def _count(dm: DataManager, key: str) -> int:
    return int(dm.get_data(key).n_entries)


@pytest.mark.parametrize(
    ("lo", "hi", "src_after", "dst_after"), [(15, 25, 2, 1), (0, 100, 0, 3), (50, 60, 3, 0)]
)
def test_move_by_time_range_moves_the_lines_of_the_range(lo, hi, src_after, dst_after) -> None:
    dm = _line_dm()
    result = run_commands(
        dm,
        [
            _cmd(
                "MoveByTimeRange",
                source_key="src_lines",
                destination_key="dst_lines",
                start_frame=lo,
                end_frame=hi,
            )
        ],
    )
    assert result.success, result.error
    assert (_count(dm, "src_lines"), _count(dm, "dst_lines")) == (src_after, dst_after)
    assert result.affected_keys == ["src_lines", "dst_lines"]


def test_move_is_one_undo_step() -> None:
    dm = _line_dm()
    params = {"source_key": "src_lines", "destination_key": "dst_lines"}
    run_commands(dm, [_cmd("MoveByTimeRange", **params, start_frame=15, end_frame=25)])
    dm.undo()
    assert (_count(dm, "src_lines"), _count(dm, "dst_lines")) == (3, 0)


@pytest.mark.parametrize(("lo", "hi", "dst_after"), [(15, 25, 1), (0, 100, 3), (50, 60, 0)])
def test_copy_by_time_range_leaves_the_source(lo, hi, dst_after) -> None:
    dm = _line_dm()
    result = run_commands(
        dm,
        [
            _cmd(
                "CopyByTimeRange",
                source_key="src_lines",
                destination_key="dst_lines",
                start_frame=lo,
                end_frame=hi,
            )
        ],
    )
    assert result.success, result.error
    assert (_count(dm, "src_lines"), _count(dm, "dst_lines")) == (3, dst_after)
    np.testing.assert_array_equal(
        dm.get_data("dst_lines").at(20)[0] if dst_after else [],
        ([[3.0, 3.0], [4.0, 4.0]] if dst_after else []),
    )


def test_range_commands_on_events_and_intervals() -> None:
    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(100)))
    dm.set_data("src_events", DigitalEventSeries([10, 20, 30]), "time")
    dm.set_data("dst_events", DigitalEventSeries(), "time")
    dm.set_data("src_intervals", DigitalIntervalSeries([(10, 20), (30, 40)]), "time")
    dm.set_data("dst_intervals", DigitalIntervalSeries(), "time")
    result = run_commands(
        dm,
        [
            _cmd(
                "MoveByTimeRange",
                source_key="src_events",
                destination_key="dst_events",
                start_frame=15,
                end_frame=25,
            ),
            _cmd(
                "CopyByTimeRange",
                source_key="src_intervals",
                destination_key="dst_intervals",
                start_frame=5,
                end_frame=25,
            ),
        ],
    )
    assert result.success, result.error
    assert dm.get_data("src_events").times.tolist() == [10, 30]
    assert dm.get_data("dst_events").times.tolist() == [20]
    assert len(dm.get_data("src_intervals")) == 2
    assert dm.get_data("dst_intervals").intervals.tolist() == [[10, 20]]


def test_range_command_errors() -> None:
    dm = _line_dm()
    dm.set_data("intervals", DigitalIntervalSeries(), "time")
    rng = {"start_frame": 0, "end_frame": 100}
    missing = run_commands(
        dm, [_cmd("CopyByTimeRange", source_key="src_lines", destination_key="missing", **rng)]
    )
    assert not missing.success
    assert "'missing'" in missing.error
    mismatch = run_commands(
        dm, [_cmd("MoveByTimeRange", source_key="src_lines", destination_key="intervals", **rng)]
    )
    assert not mismatch.success
    assert "same data type" in mismatch.error
    unknown_field = run_commands(dm, [_cmd("MoveByTimeRange", not_a_valid_field=42)])
    assert not unknown_field.success


def test_add_interval_appends_creates_and_refuses() -> None:
    dm = DataManager()
    dm.set_data("tracked", DigitalIntervalSeries(), "time")
    ok = run_commands(
        dm,
        [
            _cmd(
                "AddInterval",
                interval_key="tracked",
                start_frame=100,
                end_frame=200,
                create_if_missing=False,
            ),
            _cmd("AddInterval", interval_key="tracked", start_frame=300, end_frame=400),
            _cmd("AddInterval", interval_key="new_series", start_frame=100, end_frame=200),
        ],
    )
    assert ok.success, ok.error
    assert dm.get_data("tracked").intervals.tolist() == [[100, 200], [300, 400]]
    assert dm.get_data("new_series").intervals.tolist() == [[100, 200]]
    assert dm.time_key("new_series") == "time"
    refused = run_commands(
        dm,
        [
            _cmd(
                "AddInterval",
                interval_key="missing",
                start_frame=100,
                end_frame=200,
                create_if_missing=False,
            )
        ],
    )
    assert not refused.success
    assert "not found" in refused.error
    assert "missing" not in dm


def test_for_each_key_runs_its_sub_commands_per_item() -> None:
    dm = DataManager()
    add = _cmd(
        "AddInterval",
        interval_key="region_${key}",
        start_frame=100,
        end_frame=200,
        create_if_missing=True,
    )
    result = run_commands(
        dm, [_cmd("ForEachKey", items=["alpha", "beta", "gamma"], variable="key", commands=[add])]
    )
    assert result.success, result.error
    for item in ("alpha", "beta", "gamma"):
        assert dm.get_data(f"region_{item}").intervals.tolist() == [[100, 200]]
    assert result.affected_keys == ["region_alpha", "region_beta", "region_gamma"]
    empty = run_commands(dm, [_cmd("ForEachKey", items=[], variable="key", commands=[add])])
    assert empty.success


def test_for_each_key_moves_per_item_and_stops_on_errors() -> None:
    dm = DataManager()
    for name in ("alpha", "beta"):
        pred = LineData()
        pred.add(10, np.array([[1.0, 1.0]], np.float32))
        dm.set_data(f"pred_{name}", pred, "time")
        dm.set_data(f"gt_{name}", LineData(), "time")
    move = _cmd(
        "MoveByTimeRange",
        source_key="pred_${item}",
        destination_key="gt_${item}",
        start_frame=0,
        end_frame=100,
    )
    ok = run_commands(
        dm, [_cmd("ForEachKey", items=["alpha", "beta"], variable="item", commands=[move])]
    )
    assert ok.success, ok.error
    assert [_count(dm, k) for k in ("pred_alpha", "pred_beta", "gt_alpha", "gt_beta")] == [
        0,
        0,
        1,
        1,
    ]
    fail = _cmd(
        "AddInterval",
        interval_key="missing_${key}",
        start_frame=0,
        end_frame=1,
        create_if_missing=False,
    )
    failed = run_commands(
        dm, [_cmd("ForEachKey", items=["a", "b"], variable="key", commands=[fail])]
    )
    assert not failed.success
    assert "Sub-command 'AddInterval' failed with key=a" in failed.error
    assert "missing_a" in failed.error
    unknown = run_commands(
        dm,
        [
            _cmd(
                "ForEachKey",
                items=["x"],
                variable="key",
                commands=[{"command_name": "NoSuchCommand", "parameters": {}}],
            )
        ],
    )
    assert not unknown.success
    assert "Unknown sub-command 'NoSuchCommand'" in unknown.error


def test_runner_config_with_core_commands(tmp_path) -> None:
    """A runner config whose commands load a file, add intervals per item and save them."""
    (tmp_path / "licks.csv").write_text("5\n15\n25\n", encoding="utf-8")
    config = {
        "variables": {"out": "out"},
        "commands": [
            _cmd(
                "LoadData",
                data_key="licks",
                data_type="DigitalEventSeries",
                filepath="licks.csv",
                format="csv",
            ),
            _cmd(
                "ForEachKey",
                items=["10", "20"],
                variable="start",
                commands=[
                    _cmd(
                        "AddInterval",
                        interval_key="trials",
                        start_frame="${start}",
                        end_frame="${start}",
                    )
                ],
            ),
            _cmd(
                "CopyByTimeRange",
                source_key="licks",
                destination_key="licks",
                start_frame=0,
                end_frame=9,
            ),
        ],
        "saves": [{"data_key": "trials", "format": "csv", "path": "${out}/trials.csv"}],
    }
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    result = run_json_pipeline(path)
    assert result.success, result.message
    assert result.dm.get_data("licks").times.tolist() == [5, 15, 25]
    assert result.dm.get_data("trials").intervals.tolist() == [[10, 10], [20, 20]]
    assert (tmp_path / "out" / "trials.csv").read_text().splitlines()[1:] == ["10,10", "20,20"]


def test_load_data_loads_saves_and_undoes(tmp_path) -> None:
    """WT ``src/Commands/IO/LoadData.test.cpp``: points on frames 0, 5 and 10."""
    (tmp_path / "test_points.csv").write_text("0 1.0 2.0\n5 3.0 4.0\n10 5.0 6.0\n")
    dm = DataManager()
    load = _cmd(
        "LoadData",
        data_key="loaded_pts",
        data_type="PointData",
        filepath=str(tmp_path / "test_points.csv"),
        format="csv",
    )
    save = _cmd("SaveData", data_key="loaded_pts", format="csv", path=str(tmp_path / "out.csv"))
    result = run_commands(dm, [load, save])
    assert result.success, result.error
    assert result.affected_keys == ["loaded_pts"]
    points = dm.get_data("loaded_pts")
    assert points.times_with_data().tolist() == [0, 5, 10]
    np.testing.assert_array_equal(points.at(5), [[3.0, 4.0]])
    assert (tmp_path / "out.csv").read_text().strip()
    dm.undo()
    assert "loaded_pts" not in dm

    unknown_type = run_commands(
        dm, [{**load, "parameters": {**load["parameters"], "data_type": "UnknownType"}}]
    )
    assert not unknown_type.success
    assert "Unknown data_type" in unknown_type.error
    fake_format = run_commands(
        dm, [{**load, "parameters": {**load["parameters"], "format": "totally_fake_format"}}]
    )
    assert not fake_format.success
    assert "loaded_pts" not in dm


def _synth(output_key: str, generator: str, parameters: dict[str, object], **extra: object):
    return _cmd(
        "SynthesizeData",
        output_key=output_key,
        generator_name=generator,
        output_type="AnalogTimeSeries",
        parameters=parameters,
        **extra,
    )


def test_synthesize_data_periodic_generators() -> None:
    """WT ``src/Commands/SynthesizeData.test.cpp`` and the generators of
    ``src/DataSynthesizer/Generators/Analog/``: sample t of a wave of ``num_cycles`` over
    ``num_samples`` samples, phase in radians; the data go on ``<output_key>_time``."""
    dm = DataManager()
    sine = {"num_samples": 1000, "amplitude": 2.0, "num_cycles": 10, "phase": 0.0}
    result = run_commands(dm, [_synth("test_sine", "SineWave", {**sine, "dc_offset": 0.0})])
    assert result.success, result.error
    assert result.affected_keys == ["test_sine"]
    values = dm.get_data("test_sine").values
    assert values.dtype == np.float32
    assert len(values) == 1000
    assert abs(values[0]) < 1e-5  # sin(0) == 0
    np.testing.assert_allclose(
        values, 2.0 * np.sin(2 * np.pi * 10 / 1000 * np.arange(1000)), atol=1e-4
    )
    assert dm.time_key("test_sine") == "test_sine_time"
    assert len(dm.get_time("test_sine_time")) == 1000

    eight = {"num_samples": 8}
    result = run_commands(
        dm,
        [
            _synth("square", "SquareWave", eight),
            _synth("triangle", "TriangleWave", eight),
            _synth("sawtooth", "SawtoothWave", eight),
            _synth("duty", "SquareWave", {**eight, "duty_cycle": 0.25, "dc_offset": 1.0}),
        ],
    )
    assert result.success, result.error
    np.testing.assert_allclose(dm.get_data("square").values, [1, 1, 1, 1, -1, -1, -1, -1])
    np.testing.assert_allclose(
        dm.get_data("triangle").values, [0, 0.5, 1, 0.5, 0, -0.5, -1, -0.5], atol=1e-6
    )
    np.testing.assert_allclose(
        dm.get_data("sawtooth").values, [0, 0.25, 0.5, 0.75, -1, -0.75, -0.5, -0.25]
    )
    np.testing.assert_allclose(dm.get_data("duty").values, [2, 2, 0, 0, 0, 0, 0, 0])


def test_synthesize_data_clock_modes_and_errors() -> None:
    dm = DataManager()
    sine = {"num_samples": 50, "amplitude": 1.0, "num_cycles": 1}
    ok = run_commands(dm, [_synth("sig1", "SineWave", sine, time_key="my_tf")])
    assert ok.success, ok.error
    again = run_commands(
        dm, [_synth("sig2", "SineWave", sine, time_key="my_tf", time_frame_mode="create_new")]
    )
    assert not again.success
    assert "already exists" in again.error
    bigger = {"num_samples": 200, "amplitude": 1.0, "num_cycles": 2}
    small = run_commands(
        dm, [_synth("sig2", "SineWave", bigger, time_key="my_tf", time_frame_mode="use_existing")]
    )
    assert not small.success
    assert "frames but data requires" in small.error
    missing = run_commands(
        dm, [_synth("sig2", "SineWave", sine, time_key="nope", time_frame_mode="use_existing")]
    )
    assert "does not exist" in missing.error
    same = run_commands(
        dm, [_synth("sig2", "SquareWave", sine, time_key="my_tf", time_frame_mode="use_existing")]
    )
    assert same.success, same.error
    grown = run_commands(
        dm,
        [
            _synth(
                "sig3",
                "SineWave",
                {"num_samples": 300, "amplitude": 1.0, "num_cycles": 3},
                time_key="my_tf",
                time_frame_mode="overwrite",
            )
        ],
    )
    assert grown.success, grown.error
    assert len(dm.get_time("my_tf")) == 300
    unknown = run_commands(dm, [_synth("will_fail", "NonExistentGenerator", {})])
    assert not unknown.success
    assert "Unknown generator: 'NonExistentGenerator'" in unknown.error
    assert "will_fail" not in dm
