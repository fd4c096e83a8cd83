"""``napari-whiskertoolbox pipeline`` through real subprocesses: WhiskerToolbox's exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from pathlib import Path

GUI_MODULES = {"napari", "qtpy", "PyQt5", "PyQt6", "PySide2", "PySide6", "magicgui", "pyqtgraph"}


def _pipeline(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "napari_whiskertoolbox", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _runner_config(folder: Path, wtb_data: Path, **extra: object) -> Path:
    """A runner config: load a real line file, V1 angle, a V2 length command, two saves."""
    (folder / "length.json").write_text(
        json.dumps({"steps": [{"step_id": "len", "transform_name": "CalculateLineLength"}]})
    )
    doc = {
        "variables": {"data": str(wtb_data)},
        "data": [
            {"data_type": "line", "name": "whisker", "format": "csv",
             "filepath": "${data}/Lines/line_test_large.csv"},
        ],
        "transformations": {"steps": [
            {"step_id": "angle", "transform_name": "Calculate Line Angle",
             "input_key": "whisker", "output_key": "whisker_angle"},
        ]},
        "commands": [
            {"command_name": "RunTransformsV2Pipeline",
             "parameters": {"input_key": "whisker", "output_key": "whisker_length",
                            "pipeline_path": "length.json"}},
        ],
        "saves": [
            {"data_key": "whisker_length", "format": "csv", "path": "out/length.csv"},
            {"data_key": "whisker_angle", "format": "csv", "path": "out/angle.csv"},
        ],
    }  # fmt: skip
    doc.update(extra)
    path = folder / "pipeline.json"
    path.write_text(json.dumps(doc))
    return path


def test_pipeline_runs_three_phases_without_gui_modules(tmp_path: Path, wtb_data: Path) -> None:
    config = _runner_config(tmp_path, wtb_data)
    probe = (
        "import sys\n"
        "from napari_whiskertoolbox.cli import main\n"
        f"code = main(['pipeline', {str(config)!r}])\n"
        f"print('gui', sorted({{m.split('.')[0] for m in sys.modules}} & {GUI_MODULES!r}))\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:4] == [
        "Pipeline succeeded",
        "Loaded data entries: 1",
        "Command affected keys: 1",
        "Saved outputs: 2",
    ]
    assert [line.strip() for line in lines[4:6]] == [
        str(tmp_path / "out" / "length.csv"),
        str(tmp_path / "out" / "angle.csv"),
    ]
    assert lines[6] == "gui []"  # the runner never loads Qt or napari
    # WhiskerToolbox's analog saver: a Time,Data header, then frame,value per sample
    lengths = pd.read_csv(tmp_path / "out" / "length.csv")
    angles = pd.read_csv(tmp_path / "out" / "angle.csv")
    assert list(lengths.columns) == list(angles.columns) == ["Time", "Data"]
    # V2 length: one value per line; V1 angle: one value per frame (its first line)
    assert len(lengths) > len(angles) > 0
    assert set(angles["Time"]) == set(lengths["Time"])
    assert angles["Time"].is_unique
    assert np.isfinite(lengths["Data"]).all()
    assert (lengths["Data"] > 0).all()


def test_pipeline_exit_codes_and_flags(tmp_path: Path, wtb_data: Path) -> None:
    config = _runner_config(tmp_path, wtb_data)

    usage = _pipeline("--bogus", config, cwd=tmp_path)
    assert usage.returncode == 2
    assert usage.stderr.startswith("Unknown option: --bogus")
    assert "usage: napari-whiskertoolbox pipeline" in usage.stderr

    skipped = _pipeline("--no-saves", "--no-commands", config, cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert "Command affected keys: 0" in skipped.stdout
    assert "Saved outputs: 0" in skipped.stdout
    assert not (tmp_path / "out").exists()

    bad = _runner_config(
        tmp_path,
        wtb_data,
        commands=[
            {"command_name": "NoSuchCommand", "parameters": {}},
            {
                "command_name": "RunTransformsV2Pipeline",
                "parameters": {
                    "input_key": "whisker",
                    "output_key": "whisker_length",
                    "pipeline_path": "length.json",
                },
            },
        ],
    )
    failed = _pipeline("--continue-on-command-error", bad, cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.startswith(
        "Pipeline failed during phase 'command' at command index 0: Unknown command 'NoSuchCommand'"
    )
    assert f"\n  config: {bad.resolve()}\n" in failed.stderr
    assert failed.stdout == ""


def test_each_warning_is_printed_once(tmp_path: Path, wtb_data: Path) -> None:
    """A warning that is logged and also returned in the result reaches stderr once."""
    path = _runner_config(tmp_path, wtb_data)
    (tmp_path / "length.json").write_text(
        json.dumps({"steps": [{"step_id": "len", "transform_name": "CalculateLineLength",
                               "parameters": {"scael": 2}}]})
    )  # fmt: skip
    done = _pipeline(path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "unknown parameter 'scael'" in line]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("warning: pipeline file ")
