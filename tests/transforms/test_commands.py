"""Commands and command sequences (reference §6.3)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _transforms_support import lines_of, masks_of, points_of

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TimeFrame,
)
from napari_whiskertoolbox.transforms import run_command, run_commands
from napari_whiskertoolbox.transforms.commands import CommandEnv, substitute, upsample_ticks


@pytest.fixture
def area_file(tmp_path):
    path = tmp_path / "area.json"
    path.write_text(
        json.dumps({"steps": [{"step_id": "a", "transform_name": "CalculateMaskArea"}]})
    )
    return path


def test_upsample_ticks_rounds_half_away():
    assert upsample_ticks(np.array([0, 50]), 4).tolist() == [0, 13, 25, 38, 50]
    assert upsample_ticks(np.array([7]), 3).tolist() == [7]
    assert len(upsample_ticks(np.arange(0, 100, 10), 3)) == (10 - 1) * 3 + 1


def test_upsample_and_sinc_lengths_match(tmp_path):
    dm = DataManager()
    dm.set_time("cam", TimeFrame(np.arange(0, 200, 20)))
    dm.set_data("sig", AnalogTimeSeries(np.sin(np.arange(10.0))), "cam")
    sinc = tmp_path / "sinc.json"
    sinc.write_text(
        json.dumps(
            {
                "steps": [
                    {
                        "step_id": "s",
                        "transform_name": "SincInterpolation",
                        "parameters": {"upsampling_factor": 4},
                    }
                ]
            }
        )
    )
    result = run_commands(dm, [
        {"command_name": "UpsampleTimeFrame", "parameters": {"source_time_key": "cam", "output_time_key": "cam4", "upsampling_factor": 4}},
        {"command_name": "RunTransformsV2Pipeline", "parameters": {"input_key": "sig", "output_key": "sig4", "pipeline_path": str(sinc), "output_time_key": "cam4"}},
    ])  # fmt: skip
    assert result.success, result.error
    assert result.affected_keys == ["cam4", "sig4"]
    assert len(dm.get_time("cam4")) == len(dm.get_data("sig4")) == 37
    assert dm.time_key("sig4") == "cam4"


def test_upsample_errors():
    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10]))
    cases = [
        (
            {"source_time_key": "cam", "output_time_key": "x", "upsampling_factor": 0},
            "upsampling_factor",
        ),
        ({"source_time_key": "nope", "output_time_key": "x"}, "'nope' not found"),
        ({"source_time_key": "cam", "output_time_key": "time"}, "may already exist"),
        ({"source_time_key": "", "output_time_key": "x"}, "must not be empty"),
    ]
    for params, fragment in cases:
        out = run_command(dm, {"command_name": "UpsampleTimeFrame", "parameters": params}, index=3)
        assert not out.success
        assert out.error.startswith("Command 'UpsampleTimeFrame' failed (index 3): ")
        assert fragment in out.error
    ok = run_command(
        dm,
        {
            "command_name": "UpsampleTimeFrame",
            "parameters": {"source_time_key": "cam", "output_time_key": "time", "overwrite": True},
        },
    )
    assert ok.success


def test_run_pipeline_command_errors(area_file):
    dm = DataManager()
    dm.set_data("m", masks_of({0: [[[0, 0]]]}))
    dm.set_data("lines", lines_of({0: [[[0, 0], [1, 1]]]}))

    def run(**p):
        return run_command(dm, {"command_name": "RunTransformsV2Pipeline", "parameters": p})

    assert (
        "Failed to open file"
        in run(input_key="m", output_key="a", pipeline_path="/no/such.json").error
    )
    assert (
        "Input data 'x' not found in DataManager (parameter 'input_key')"
        in run(input_key="x", output_key="a", pipeline_path=str(area_file)).error
    )
    misspelt = run(input_key="mm", output_key="a", pipeline_path=str(area_file)).error
    assert "(parameter 'input_key') (did you mean 'm'?); keys: ['lines', 'm']" in misspelt
    wrong_kind = run(input_key="lines", output_key="a", pipeline_path=str(area_file)).error
    assert wrong_kind == (
        f"Command 'RunTransformsV2Pipeline' failed (index 0): pipeline file '{area_file}': "
        "Step 'a' failed: CalculateMaskArea: input 1 ('lines') is line data; expected mask"
    )
    assert (
        "'lines' already holds lines; the result (analog signals) cannot replace it"
        in run(input_key="m", output_key="lines", pipeline_path=str(area_file)).error
    )
    assert "'pipeline_path' is required" in run(input_key="m", output_key="a").error
    assert run(input_key="m", output_key="a", pipeline_path=str(area_file)).success
    assert dm.get_data("a").values.tolist() == [1]


def test_run_pipeline_at_time_merges_one_frame(tmp_path):
    flip = tmp_path / "flip.json"
    flip.write_text(
        json.dumps(
            {
                "steps": [
                    {
                        "step_id": "f",
                        "transform_name": "FlipLineBase",
                        "parameters": {"reference_x": 9, "reference_y": 9},
                    }
                ]
            }
        )
    )
    dm = DataManager()
    dm.set_data("w", lines_of({0: [[[0, 0], [9, 9]]], 1: [[[1, 1], [9, 9]]]}))
    dm.set_data("out", lines_of({0: [[[5, 5], [6, 6]]], 1: [[[7, 7], [8, 8]]]}))
    dm.history.clear()
    cmd = {
        "command_name": "RunTransformsV2PipelineAtTime",
        "parameters": {
            "input_key": "w",
            "output_key": "out",
            "pipeline_path": str(flip),
            "time": "${current_frame}",
        },
    }
    result = run_commands(dm, [cmd], variables={"current_frame": "1"})
    assert result.success, result.error
    out = dm.get_data("out")
    assert out.at(1)[0].tolist() == [[9, 9], [1, 1]]
    assert out.at(0)[0].tolist() == [[5, 5], [6, 6]]  # other frames untouched
    assert len(dm.history) == 1
    dm.undo()
    assert dm.get_data("out").at(1)[0].tolist() == [[7, 7], [8, 8]]


def test_save_data_with_backup(tmp_path):
    dm = DataManager()
    dm.set_data("sig", AnalogTimeSeries([1.0, 2.0]))
    target = tmp_path / "out" / "sig.csv"
    env = CommandEnv(base_dir=tmp_path)
    cmd = {
        "command_name": "SaveData",
        "parameters": {"data_key": "sig", "format": "csv", "path": "out/sig.csv"},
    }
    assert run_command(dm, cmd, env=env).success
    assert target.read_text() == "Time,Data\n0,1.0\n1,2.0\n"
    dm.set_data("sig", AnalogTimeSeries([3.0]))
    cmd["parameters"]["backup_existing"] = True
    assert run_command(dm, cmd, env=env).success
    assert (tmp_path / "out" / "sig.csv.bak").exists()
    assert env.saved_paths == [target, target]
    bad = run_command(
        dm,
        {
            "command_name": "SaveData",
            "parameters": {"data_key": "sig", "format": "png", "path": "x"},
        },
    )
    assert "No registered saver supports format 'png' for data type analog" in bad.error
    missing = run_command(
        dm,
        {
            "command_name": "SaveData",
            "parameters": {"data_key": "nope", "format": "csv", "path": "x"},
        },
    )
    assert "Data key 'nope' not found in DataManager (parameter 'data_key')" in missing.error


def _save(dm, key, path, **options):
    env = CommandEnv()
    parameters = {"data_key": key, "format": "csv", "path": str(path)}
    if options:
        parameters["format_options"] = options
    outcome = run_command(dm, {"command_name": "SaveData", "parameters": parameters}, env=env)
    assert outcome.success, outcome.error
    return env


def test_save_data_writes_whiskertoolbox_saver_layouts(tmp_path):
    """A runner config's saves give the files WhiskerToolbox's savers write (wt_loaders.md
    §12.2): a header, and the frame of every analog sample. They were written in the
    loaders' default layout instead: an analog signal as bare values without its frames
    or the `Time,Data` header, events without `Event`, points space-separated, so a lab's
    `pd.read_csv("angle.csv")["Data"]` broke after switching."""
    dm = DataManager()
    dm.set_data("sig", AnalogTimeSeries([1.5, -2.25, 3.0]))
    dm.set_data("sparse", AnalogTimeSeries([0.5, 0.25], [4, 9]))
    dm.set_data("ev", DigitalEventSeries([3, 7]))
    dm.set_data("iv", DigitalIntervalSeries([[2, 5], [8, 9]]))
    dm.set_data("pt", points_of({2: [[131.0, 222.5]], 0: [[1.25, 2.0]]}))
    dm.set_data("wh", lines_of({1: [[[1.0, 2.0], [3.5, 4.0]]]}))
    dm.set_data("mk", masks_of({0: [[[1, 2], [2, 2], [3, 2]]]}))
    expected = {
        "sig": "Time,Data\n0,1.5\n1,-2.25\n2,3.0\n",
        "sparse": "Time,Data\n4,0.5\n9,0.25\n",
        "ev": "Event\n3\n7\n",
        "iv": "Start,End\n2,5\n8,9\n",
        "pt": "frame,x,y\n0,1.25,2.0\n2,131.0,222.5\n",
        "wh": 'Frame,X,Y\n1,"1,3.5","2,4"\n',
        "mk": 'Frame,RLE\n0,"2,1,3"\n',
    }
    for key, text in expected.items():
        _save(dm, key, tmp_path / f"{key}.csv")
        assert (tmp_path / f"{key}.csv").read_text() == text, key
    # the savers' own options, as WhiskerToolbox names them
    _save(dm, "sig", tmp_path / "a.csv", save_header=False, delimiter=";", precision=2)
    assert (tmp_path / "a.csv").read_text() == "0;1.50\n1;-2.25\n2;3.00\n"
    _save(dm, "wh", tmp_path / "b.csv", delimiter=" ", precision=1, header="f,x,y")
    assert (tmp_path / "b.csv").read_text() == 'f,x,y\n1,"1.0 3.5","2.0 4.0"\n'
    _save(dm, "ev", tmp_path / "c.csv", parent_dir="sub", filename="events.txt")
    assert (tmp_path / "sub" / "events.txt").read_text() == "Event\n3\n7\n"
    # an option the saver does not have is ignored, as there, and named in a warning
    env = _save(dm, "sig", tmp_path / "d.csv", presicion=2)
    assert (tmp_path / "d.csv").read_text() == expected["sig"]
    assert env.warnings == [
        "SaveData 'sig': format_options 'presicion' is not an option of the analog csv "
        "saver and is ignored (did you mean 'precision'?); options: ['delimiter', "
        "'filename', 'header', 'line_delim', 'parent_dir', 'precision', 'save_header']"
    ]
    bad = run_command(
        dm,
        {
            "command_name": "SaveData",
            "parameters": {
                "data_key": "sig",
                "format": "csv",
                "path": str(tmp_path / "e.csv"),
                "format_options": {"save_header": "yes"},
            },
        },
    )
    assert "format_options 'save_header' = 'yes': expected true or false" in bad.error
    assert not (tmp_path / "e.csv").exists()


def test_substitution_rules():
    variables = {"n": "5", "flag": "true", "name": "mask", "path": "a/b"}
    assert substitute(
        {"k": "${n}", "b": "${flag}", "s": "${name}_area", "u": "${unknown}"}, variables
    ) == {
        "k": 5,
        "b": True,
        "s": "mask_area",
        "u": "${unknown}",
    }
    assert substitute(["${path}/x.json", {"${name}": 1}], variables) == ["a/b/x.json", {"mask": 1}]


def test_sequence_stops_or_continues():
    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10]))
    commands = [
        {
            "command_name": "UpsampleTimeFrame",
            "parameters": {"source_time_key": "cam", "output_time_key": "a"},
        },
        {"command_name": "Nonsense", "parameters": {}},
        {
            "command_name": "UpsampleTimeFrame",
            "parameters": {"source_time_key": "cam", "output_time_key": "b"},
        },
        {
            "command_name": "UpsampleTimeFrame",
            "parameters": {"source_time_key": "zzz", "output_time_key": "c"},
        },
    ]
    stop = run_commands(dm, commands)
    assert not stop.success
    assert stop.failed_index == 1
    assert stop.error.startswith("Unknown command 'Nonsense' (index 1)")
    assert stop.affected_keys == ["a"]
    go = run_commands(dm, commands[2:], continue_on_error=True)
    assert not go.success
    assert go.failed_index == 1
    assert go.affected_keys == ["b"]
    named = run_commands(
        dm,
        [
            {
                "command_name": "${cmd}",
                "parameters": {
                    "source_time_key": "cam",
                    "output_time_key": "d",
                    "upsampling_factor": 2.0,
                },
            }
        ],
        variables={"cmd": "UpsampleTimeFrame"},
    )
    assert named.success  # command names are substituted; 2.0 is read as an integer


def test_a_misnamed_command_field_is_named():
    """``params`` (reference §8.2) instead of ``parameters``: warned, and the error names it."""
    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10]))
    env = CommandEnv()
    command = {"command_name": "UpsampleTimeFrame",
               "params": {"source_time_key": "cam", "output_time_key": "up"}}  # fmt: skip
    out = run_command(dm, command, index=2, env=env)
    assert not out.success
    assert "parameter 'source_time_key' is required" in out.error
    (warning,) = env.warnings
    for fragment in ("command 2 'UpsampleTimeFrame'", "unknown field 'params'", "'parameters'"):
        assert fragment in warning
    good = {"command_name": "UpsampleTimeFrame", "description": "4x",
            "parameters": {"source_time_key": "cam", "output_time_key": "up"}}  # fmt: skip
    env = CommandEnv()
    assert run_command(dm, good, env=env).success
    assert env.warnings == []


def test_an_undefined_variable_is_named_when_a_parameter_fails():
    """'${current_frame}' is a runtime variable of WT's GUI; headless it stays as written."""
    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10]))
    command = {"command_name": "UpsampleTimeFrame",
               "parameters": {"source_time_key": "cam", "output_time_key": "up",
                              "upsampling_factor": "${factor}"}}  # fmt: skip
    out = run_commands(dm, [command], variables={"other": "2"})
    assert "expected an integer, got a string" in out.error
    assert "'${factor}' is not a defined variable" in out.error
    assert run_commands(dm, [command], variables={"factor": "2"}).success
