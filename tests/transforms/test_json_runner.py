"""The JSON pipeline runner (reference §6.6) and ``pipeline_cli``, on real WhiskerToolbox files."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.transforms import pipeline_cli, run_json_pipeline
from napari_whiskertoolbox.transforms.json_runner import expand_loops

if TYPE_CHECKING:
    from pathlib import Path

JUN = {
    "format": "csv",
    "csv_layout": "binary_state",
    "header_lines_to_skip": 5,
    "data_column": 1,
    "delimiter": "\t",
    "binary_threshold": 0.5,
}


@pytest.fixture
def project(tmp_path: Path, wtb_data: Path) -> Path:
    """A runner config folder: a length pipeline file and relative output paths."""
    (tmp_path / "length.json").write_text(
        json.dumps({"steps": [{"step_id": "len", "transform_name": "CalculateLineLength"}]})
    )
    return tmp_path


def config(project: Path, wtb_data: Path, **extra) -> Path:
    doc = {
        "variables": {"data": str(wtb_data), "pipes": str(project)},
        "data": [
            {"data_type": "line", "name": "whisker", "filepath": "${data}/Lines/line_test_large.csv"},
            {"data_type": "points", "name": "nose", "filepath": "${data}/Points/test_point.csv"},
        ],
        "transformations": {
            "steps": [
                {"step_id": "angle", "transform_name": "Calculate Line Angle", "input_key": "whisker",
                 "output_key": "whisker_angle"},
            ]
        },
        "commands": [
            {"command_name": "RunTransformsV2Pipeline",
             "parameters": {"input_key": "whisker", "output_key": "whisker_length",
                            "pipeline_path": "${pipes}/length.json"}},
        ],
        "saves": [{"data_key": "whisker_length", "format": "csv", "path": "out/${name}.csv"}],
    }  # fmt: skip
    doc["variables"]["name"] = "length"
    doc.update(extra)
    path = project / "pipeline.json"
    path.write_text(json.dumps(doc))
    return path


def test_three_phases_on_real_files(project, wtb_data):
    result = run_json_pipeline(config(project, wtb_data))
    assert result.success, result.message
    assert result.phase == "none"
    assert result.failed_command_index == -1
    dm = result.dm
    assert result.loaded_data == ["whisker", "nose"]
    assert result.command_affected_keys == ["whisker_length"]
    assert result.saved_paths == [project / "out" / "length.csv"]
    whisker = dm.get_data("whisker")
    lengths = dm.get_data("whisker_length")
    assert len(lengths) == whisker.n_entries
    flat = whisker.to_flat()
    first = flat.coords[flat.offsets[0] : flat.offsets[1]].astype(float)
    assert lengths.values[0] == pytest.approx(np.hypot(*np.diff(first, axis=0).T).sum(), rel=1e-5)
    angle = dm.get_data("whisker_angle")
    assert len(angle) == whisker.n_frames_with_data  # V1: one value per frame
    saved = (project / "out" / "length.csv").read_text().splitlines()
    assert saved[0] == "Time,Data"  # WhiskerToolbox's analog saver: frame,value per sample
    assert len(saved) == len(lengths) + 1
    assert saved[1].split(",")[0] == str(int(lengths.times[0]))


def test_skipping_phases(project, wtb_data):
    path = config(project, wtb_data)
    only_load = run_json_pipeline(path, commands=False, saves=False)
    assert only_load.success
    assert "whisker_length" not in only_load.dm
    no_load = run_json_pipeline(path, load_transform=False, saves=False)
    assert not no_load.success
    assert no_load.phase == "command"
    assert no_load.failed_command_index == 0
    assert "Input data 'whisker' not found" in no_load.message


def test_each_phase_failing(project, wtb_data, tmp_path):
    missing = run_json_pipeline(tmp_path / "nope.json")
    assert (missing.phase, missing.message) == (
        "parse",
        f"Failed to open JSON file: {tmp_path / 'nope.json'} (No such file or directory)",
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert run_json_pipeline(bad).phase == "parse"
    assert run_json_pipeline({"clocks": []}).message == (
        "Pipeline config object must contain 'data', 'transformations', 'commands', or 'saves'"
    )
    steps_only = run_json_pipeline({"steps": [{"step_id": "a", "transform_name": "X"}]})
    assert "this is a TransformsV2 pipeline file" in steps_only.message
    assert run_json_pipeline({"data": {}}).phase == "normalize"
    assert run_json_pipeline({"data": [], "loops": []}).phase == "normalize"
    load = run_json_pipeline(
        {"data": [{"data_type": "line", "name": "x", "filepath": str(tmp_path / "none.csv")}]}
    )
    assert load.phase == "load_and_transform"
    assert "none.csv" in load.message
    v2_in_v1 = run_json_pipeline(config(project, wtb_data, transformations={"steps": [
        {"step_id": "a", "transform_name": "CalculateLineLength", "input_key": "whisker"}]}))  # fmt: skip
    assert v2_in_v1.success, v2_in_v1.message  # a failing V1 step is a warning (§6.5)
    assert any("TransformsV2 name" in w for w in v2_in_v1.warnings)
    save = run_json_pipeline(
        config(
            project, wtb_data, saves=[{"data_key": "whisker_length", "format": "png", "path": "x"}]
        )
    )
    assert save.phase == "save"
    assert save.message.startswith(
        "SaveData failed at index 0: No registered saver supports format 'png'"
    )
    assert run_json_pipeline({"saves": {}}).message == "'saves' must be an array when present"
    assert (
        run_json_pipeline({"saves": [3]}).message == "Save descriptor at index 0 must be an object"
    )
    assert run_json_pipeline({"saves": [{"data_key": "x"}]}).message == (
        "Save descriptor at index 0 requires string field 'path'"
    )


def test_continue_flags(project, wtb_data):
    commands = [
        {"command_name": "Bogus", "parameters": {}},
        {
            "command_name": "UpsampleTimeFrame",
            "parameters": {"source_time_key": "time", "output_time_key": "fast"},
        },
    ]
    stop = run_json_pipeline(config(project, wtb_data, commands=commands), saves=False)
    assert (stop.phase, stop.failed_command_index) == ("command", 0)
    assert "fast" not in stop.dm.time_keys()
    go = run_json_pipeline(
        config(project, wtb_data, commands=commands), saves=False, continue_on_command_error=True
    )
    assert not go.success
    assert go.failed_command_index == 0
    assert "fast" in go.dm.time_keys()
    assert go.command_affected_keys == ["fast"]
    saves = [
        {"data_key": "nose", "format": "csv", "path": "a.csv"},
        {"data_key": "missing", "format": "csv", "path": "b.csv"},
        {"data_key": "nose", "format": "csv", "path": "c.csv"},
    ]
    first = run_json_pipeline(config(project, wtb_data, saves=saves))
    assert first.phase == "save"
    assert not (project / "c.csv").exists()
    later = run_json_pipeline(config(project, wtb_data, saves=saves), continue_on_save_error=True)
    assert later.phase == "save"
    assert (project / "c.csv").exists()
    assert later.saved_paths == [project / "c.csv"]  # WT quirk: saves after the last failure


def test_loops_and_variables(tmp_path, wtb_data):
    for i in range(3):
        (tmp_path / f"ev_{i}.csv").write_text(f"{i}\n{i + 10}\n")
    doc = {
        "variables": {"dir": str(tmp_path), "ignored": 5},
        "loops": {"i": {"from": 0, "to": 2}, "j": ["a"]},
        "data": [
            {"data_type": "digital_event", "name": "ev_{i}", "filepath": "${dir}/ev_{i}.csv"},
            {"data_type": "digital_event", "name": "both_{i}_{j}", "filepath": "x"},
            {"data_type": "digital_interval", "name": "laser", "filepath": str(wtb_data / "DigitalIntervals/jun_test.dat"), **JUN},
        ],
    }  # fmt: skip
    result = run_json_pipeline(doc)
    assert result.success, result.message
    assert result.loaded_data == ["ev_0", "ev_1", "ev_2", "laser"]
    assert result.dm.get_data("ev_2").times.tolist() == [2, 12]
    assert any("several loop variables" in w for w in result.warnings)
    down = expand_loops([{"n": "{k}"}], {"k": {"from": 3, "to": 1, "step": -1}}, [])
    assert [e["n"] for e in down] == ["3", "2", "1"]


def test_variables_fill_object_keys_of_the_data_too(tmp_path):
    """WhiskerToolbox substitutes ``${name}`` in the whole ``data`` text, keys included."""
    (tmp_path / "ev.csv").write_text("2\n4\n")
    doc = {
        "variables": {"option": "scale"},
        "data": [{"data_type": "digital_event", "name": "ev", "format": "csv",
                  "filepath": str(tmp_path / "ev.csv"), "${option}": 10}],
    }  # fmt: skip
    result = run_json_pipeline(doc)
    assert result.success, result.message
    assert result.dm.get_data("ev").times.tolist() == [20, 40]


def test_relative_paths_and_array_root(tmp_path, wtb_data):
    target = tmp_path / "cfg"
    target.mkdir()
    (target / "events.csv").write_text((wtb_data / "DigitalEvents/events.csv").read_text())
    path = target / "p.json"
    path.write_text(json.dumps([
        {"data_type": "digital_event", "name": "ev", "filepath": "events.csv"},
        {"transformations": {"steps": [{"step_id": "w", "transform_name": "Group Intervals",
                                         "input_key": "ev", "output_key": "g"}]}},
    ]))  # fmt: skip
    result = run_json_pipeline(path)
    assert result.success, result.message  # a failing V1 step is a warning (§6.5)
    (warning,) = result.warnings  # Group Intervals needs intervals, not events
    assert "is digital_event data; expected digital_interval" in warning
    assert f"file '{path.resolve()}'" in warning
    assert "transformations: phase 0: step 'w'" in warning
    path.write_text(json.dumps({"data": [{"data_type": "digital_event", "name": "ev",
                                          "filepath": "events.csv"}],
                                "transformations": {"steps": [
                                    {"step_id": "w", "transform_name": "Group Interval",
                                     "input_key": "ev", "output_key": "g"}]}}))  # fmt: skip
    (misspelt,) = run_json_pipeline(path).warnings
    assert "transformations: steps[0] 'w'" in misspelt
    assert "(did you mean 'Group Intervals'?)" in misspelt
    assert result.dm.get_data("ev").times.tolist() == [1, 2, 3, 4, 5]
    assert result.dm.metadata["config_path"] == str(path.resolve())


def test_load_into_an_existing_dm(project, wtb_data):
    dm = DataManager()
    result = run_json_pipeline(config(project, wtb_data), dm=dm, saves=False)
    assert result.dm is dm
    assert "whisker_length" in dm


# ---------------------------------------------------------------------- CLI
def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = pipeline_cli(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_exit_codes(project, wtb_data, tmp_path):
    path = str(config(project, wtb_data))
    code, out, err = cli(path)
    assert code == 0, err
    assert out.splitlines()[:4] == [
        "Pipeline succeeded",
        "Loaded data entries: 2",
        "Command affected keys: 1",
        "Saved outputs: 1",
    ]
    assert out.splitlines()[4].strip() == str(project / "out" / "length.csv")
    code, out, _ = cli("--help")
    assert code == 0
    assert "--continue-on-save-error" in out
    assert cli("--bogus", path)[0] == 2
    assert "Unknown option: --bogus" in cli("--bogus", path)[2]
    assert cli()[2].startswith("Missing pipeline JSON path")
    assert cli(path, path)[2].startswith("Multiple pipeline JSON paths were provided")
    code, _, err = cli(str(tmp_path / "missing.json"))
    assert code == 1
    assert err.startswith("Pipeline failed during phase 'parse': Failed to open JSON file")
    code, _, err = cli(
        str(config(project, wtb_data, commands=[{"command_name": "X", "parameters": {}}]))
    )
    assert code == 1
    assert "during phase 'command' at command index 0: Unknown command 'X'" in err
    assert cli("--no-commands", "--no-saves", "--no-load-transform", path)[0] == 0


def test_unknown_parameters_in_files_run_as_in_whiskertoolbox_and_are_warned(project, wtb_data):
    """WT ignores unknown parameter names in commands and pipeline files (§1.4, §6.3)."""
    (project / "length.json").write_text(
        json.dumps({"steps": [{"step_id": "len", "transform_name": "CalculateLineLength",
                               "parameters": {"scale": 2}}]})
    )  # fmt: skip
    commands = [
        {"command_name": "RunTransformsV2Pipeline",
         "parameters": {"input_key": "whisker", "output_key": "whisker_length",
                        "pipeline_path": "${pipes}/length.json", "ouput_time_key": "time"}},
    ]  # fmt: skip
    path = config(project, wtb_data, commands=commands)
    result = run_json_pipeline(path)
    assert result.success, result.message
    assert "whisker_length" in result.dm
    assert len(result.warnings) == 2
    command_warning = next(w for w in result.warnings if w.startswith("command 0"))
    assert "'RunTransformsV2Pipeline': unknown parameter 'ouput_time_key'" in command_warning
    assert "did you mean 'output_time_key'?" in command_warning
    file_warning = next(w for w in result.warnings if "length.json" in w)
    assert "steps[0] 'len': CalculateLineLength: unknown parameter 'scale'" in file_warning
    code, _, err = cli(str(path))
    assert code == 0
    unknown = [line for line in err.splitlines() if "unknown parameter" in line]
    assert len(unknown) == 2  # each printed once (logged and returned)
    assert all(line.startswith("warning: ") for line in unknown)
    assert "unknown parameter 'ouput_time_key'" in err


def test_readme_runner_config_example_runs(tmp_path, wtb_data):
    """The README's pipeline-runner example (band-pass in `transformations`, a pipeline file
    in `commands`, two saves) runs as written, with its session folder pointed here."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- runner-config-example -->\s*```json\n(.*?)```", readme, re.S)
    assert block is not None
    doc = json.loads(block.group(1))
    angle = re.search(r"`angle\.json` beside it:\s*`(\{.*?\})`", readme, re.S)
    assert angle is not None
    session = tmp_path / "session01"
    session.mkdir()
    (session / "angle.json").write_text(angle.group(1))
    (session / "whisker.csv").write_bytes((wtb_data / "Lines" / "line_test_large.csv").read_bytes())
    t = np.arange(30_000) / 30_000.0
    voltage = 100 * np.sin(2 * np.pi * 1000 * t) + 100 * np.sin(2 * np.pi * 20 * t)
    np.savetxt(session / "voltage.csv", voltage, fmt="%.6f")
    doc["variables"]["session"] = str(session)
    path = session / "pipeline.json"
    path.write_text(json.dumps(doc))
    code, out, err = cli(str(path))
    assert code == 0, err
    assert err == ""  # the example draws no warning (each data item names its format)
    assert out.splitlines()[:4] == [
        "Pipeline succeeded", "Loaded data entries: 2", "Command affected keys: 1", "Saved outputs: 2"
    ]  # fmt: skip
    result = run_json_pipeline(path, saves=False)
    bp = result.dm.get_data("voltage_bp").values
    # the 20 Hz part is gone, the 1 kHz part stays (zero-phase Butterworth 300-3000 Hz)
    assert abs(np.std(bp[3000:-3000]) - 100 / np.sqrt(2)) < 3
    assert len(result.dm.get_data("whisker_angle")) == result.dm.get_data("whisker").n_entries
    assert (session / "out" / "voltage_bp.csv").is_file()
    assert (session / "out" / "whisker_angle.csv").is_file()


USER_TRANSFORM = """
from napari_whiskertoolbox.transforms import transform


@transform("CliTestLineTipX", input="Line2D", output="float")
def tip_x(line, offset: float = 0.0) -> float:
    return float(line[-1, 0]) + offset
"""


def test_cli_runs_pipelines_of_python_transforms_loaded_with_transforms_option(project, wtb_data):
    """A pipeline file made in the dock from a Python transform runs headless (issue 11 §Python).

    ``--transforms PATH`` (a .py file or a folder of them, repeatable) loads them first; without
    it the error says how.
    """
    from napari_whiskertoolbox.transforms import unregister

    code_dir = project / "my_transforms"
    code_dir.mkdir()
    (code_dir / "tips.py").write_text(USER_TRANSFORM)
    (project / "tip.json").write_text(json.dumps({"steps": [
        {"step_id": "tip", "transform_name": "CliTestLineTipX", "parameters": {"offset": 1.5}}]}))  # fmt: skip
    commands = [{"command_name": "RunTransformsV2Pipeline",
                 "parameters": {"input_key": "whisker", "output_key": "tip_x",
                                "pipeline_path": "${pipes}/tip.json"}}]  # fmt: skip
    saves = [{"data_key": "tip_x", "format": "csv", "path": "out/tip_x.csv"}]
    path = str(config(project, wtb_data, commands=commands, saves=saves))
    try:
        code, _, err = cli(path)
        assert code == 1
        assert "Transform 'CliTestLineTipX' not found in registry" in err
        assert "--transforms" in err  # how to load it
        for where in (code_dir, code_dir / "tips.py"):
            code, out, err = cli("--transforms", str(where), path)
            assert code == 0, err
            assert "Saved outputs: 1" in out
            unregister("CliTestLineTipX")
        code, _, err = cli(f"--transforms={project / 'nothing.py'}", path)
        assert code == 1
        assert "nothing.py" in err
        assert cli("--transforms")[0] == 2
        assert "--transforms PATH" in cli("--help")[1]
    finally:
        unregister("CliTestLineTipX")
    lines = run_json_pipeline(path, commands=False, saves=False).dm.get_data("whisker")
    tips = [float(line[-1, 0]) + 1.5 for t in lines.times_with_data() for line in lines.at(t)]
    saved = np.loadtxt(project / "out" / "tip_x.csv", delimiter=",", ndmin=2, skiprows=1)
    np.testing.assert_allclose(saved[:, -1], tips, rtol=1e-6)


def test_continued_runs_report_every_failure_not_only_the_last(project, wtb_data):
    """With --continue-on-…-error the result keeps WT's last error; the earlier ones were lost.

    A user with three bad saves saw only the last, fixed it, and met the next on the re-run.
    """
    commands = [
        {"command_name": "Bogus", "parameters": {}},
        {"command_name": "UpsampleTimeFrame", "parameters": {"source_time_key": "nope",
                                                              "output_time_key": "fast"}},
    ]  # fmt: skip
    saves = [
        {"data_key": "missing", "format": "csv", "path": "a.csv"},
        {"data_key": "nose", "format": "csv"},
        {"data_key": "nose", "format": "csv", "path": "c.csv"},
    ]
    path = config(project, wtb_data, commands=commands, saves=saves)
    go = run_json_pipeline(path, continue_on_command_error=True)
    assert go.failed_command_index == 1
    assert "'nope'" in go.message
    assert any("Unknown command 'Bogus' (index 0)" in w for w in go.warnings)
    run = run_json_pipeline(path, commands=False, continue_on_save_error=True)
    assert run.phase == "save"
    assert run.message.startswith("Save descriptor at index 1 requires string field 'path'")
    assert any(w.startswith("SaveData failed at index 0: ") for w in run.warnings)
    code, _, err = cli("--no-commands", "--continue-on-save-error", str(path))
    assert code == 1
    assert "SaveData failed at index 0: Data key 'missing' not found" in err
    assert "Save descriptor at index 1 requires string field 'path'" in err
    stop = run_json_pipeline(path, commands=False)  # without the flag: one failure, no extra
    assert not any("index 0" in w for w in stop.warnings)


def test_a_failing_v1_step_loads_and_warns_as_opening_the_config_does(project, wtb_data, capsys):
    """The runner failed its load phase on a failing V1 step; opening the same config in the
    viewer loads the data and warns. WhiskerToolbox only logs it (reference §6.5-6.6)."""
    from napari_whiskertoolbox.io import load_config
    from napari_whiskertoolbox.io.report import LoadReport

    bad_step = {"step_id": "angle", "transform_name": "Calculate Line Angle",
                "input_key": "whisker", "output_key": "whisker_angle",
                "parameters": {"position": "far"}}  # fmt: skip
    path = config(project, wtb_data, transformations={"steps": [bad_step]})
    result = run_json_pipeline(path)
    assert result.success, result.message
    assert result.phase == "none"
    assert result.loaded_data == ["whisker", "nose"]
    assert "whisker_length" in result.dm  # the commands and saves ran
    assert (project / "out/length.csv").is_file()
    (warning,) = result.warnings
    assert f"file '{path.resolve()}'" in warning
    assert "step 'angle'" in warning or "steps[0] 'angle'" in warning
    assert "parameter 'position' = 'far' is invalid" in warning
    report = LoadReport()
    opened = load_config(path, report=report)  # the viewer's open
    assert [str(n) for n in report.of_kind("transform")] == [warning]
    assert sorted(opened.keys()) == sorted(result.loaded_data)
    assert pipeline_cli([str(path)]) == 0
    assert "parameter 'position' = 'far' is invalid" in capsys.readouterr().err


def test_cli_says_what_the_transformations_block_s_group_operations_did(tmp_path, wtb_data):
    """A config whose transformations group lines printed only 'Loaded data entries: 1':
    nothing said the groups were made (they write no key, so no count or save shows them)."""
    path = tmp_path / "groups.json"
    path.write_text(json.dumps({
        "data": [{"data_type": "line", "name": "whisker", "format": "csv",
                  "filepath": str(wtb_data / "Lines" / "line_test_large.csv")}],
        "transformations": {"steps": [
            {"step_id": "prox", "transform_name": "Group Lines by Proximity",
             "input_key": "whisker", "parameters": {"new_group_name": "Ungrouped"}},
        ]},
    }))  # fmt: skip
    code, out, err = cli(str(path))
    assert code == 0, err
    assert "Pipeline succeeded" in out
    assert (
        "Transformations:\n  step 'prox': Group Lines by Proximity: 50 lines → 'Ungrouped'" in out
    )
