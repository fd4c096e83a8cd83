"""Configs' ``transformations`` blocks run by ``load_config`` once the transforms are imported."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pytest

import napari_whiskertoolbox.transforms  # noqa: F401  (installs the runner)
from napari_whiskertoolbox.core import DataManager, DigitalEventSeries
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.config import set_transformations_runner
from napari_whiskertoolbox.io.report import LoadReport
from napari_whiskertoolbox.io.routing import is_config_file, open_path
from napari_whiskertoolbox.transforms import apply_transform, run_v1_transformations

if TYPE_CHECKING:
    from pathlib import Path

ANGLE_STEP = {
    "step_id": "angle",
    "transform_name": "Calculate Line Angle",
    "input_key": "whisker",
    "output_key": "whisker_angle",
}


def _write(folder: Path, doc: object, name: str = "config.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(doc))
    return path


def _whisker(wtb_data: Path) -> dict[str, str]:
    return {
        "data_type": "line",
        "name": "whisker",
        "filepath": str(wtb_data / "Lines" / "line_test_large.csv"),
    }


def test_importing_transforms_installs_the_v1_runner() -> None:
    previous = set_transformations_runner(None)
    set_transformations_runner(previous)
    assert previous is run_v1_transformations


def test_list_config_with_a_transformations_element(tmp_path: Path, wtb_data: Path) -> None:
    doc = [
        _whisker(wtb_data),
        {"transformations": {"metadata": {"variables": {"pos": 0.5}}, "steps": [
            {**ANGLE_STEP, "parameters": {"position": "${pos}"}},
        ]}},
    ]  # fmt: skip
    path = _write(tmp_path, doc)
    assert is_config_file(path)  # the npe2 config reader accepts it
    dm = load_config(path)
    assert dm.keys() == ["whisker", "whisker_angle"]
    assert dm.time_key("whisker_angle") == dm.time_key("whisker")
    expected = apply_transform("Calculate Line Angle", dm.get_data("whisker"), {"position": 0.5})
    np.testing.assert_array_equal(dm.get_data("whisker_angle").values, expected.values)
    assert dm.metadata["config_transformations"] == doc[1:]


def test_runner_config_root_block_through_open_path(tmp_path: Path, wtb_data: Path) -> None:
    doc = {
        "variables": {"out": "whisker_angle"},
        "data": [_whisker(wtb_data)],
        "transformations": {"steps": [{**ANGLE_STEP, "output_key": "${out}"}]},
        "commands": [],
        "saves": [{"data_key": "whisker_angle", "format": "csv", "path": "angle.csv"}],
    }
    dm = DataManager()
    dm.set_data("kept", DigitalEventSeries([1]))
    opened = open_path(_write(tmp_path, doc), dm)
    assert opened.kind == "config"
    assert set(opened.keys) == {"whisker", "whisker_angle"}
    assert "kept" in dm
    assert not (tmp_path / "angle.csv").exists()  # saves belong to the pipeline runner
    assert dm.metadata["config_runner_phases"]["saves"] == doc["saves"]
    dm.undo()  # the whole load, transformations included, is one undo step
    assert dm.keys() == ["kept"]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({**ANGLE_STEP, "transform_name": "CalculateLineAngle"}, "is a TransformsV2 name"),
        ({**ANGLE_STEP, "input_key": "nope"}, "Input data 'nope' not found"),
        ({**ANGLE_STEP, "parameters": {"position": "far"}}, "position"),
    ],
    ids=["v2-name", "missing-key", "bad-parameter"],
)
def test_failing_block_is_a_warning_and_the_data_loads(
    tmp_path: Path, wtb_data: Path, step: dict, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    doc = {"data": [_whisker(wtb_data)], "transformations": {"steps": [step]}}
    dm = DataManager()
    report = LoadReport()
    config = _write(tmp_path, doc)
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        load_config(config, dm, report=report)
    assert dm.keys() == ["whisker"]
    (note,) = report.of_kind("transform")
    assert re.search(
        rf"config item transformations block 0, file '{re.escape(str(config))}': failed.*"
        rf"step.* 'angle'.*{message}",
        str(note),
    )
    assert str(note) in caplog.text


def test_steps_before_the_failing_one_keep_their_results(tmp_path: Path, wtb_data: Path) -> None:
    bad = {**ANGLE_STEP, "step_id": "later", "output_key": "x", "input_key": "nope", "phase": 1}
    doc = {"data": [_whisker(wtb_data)], "transformations": {"steps": [ANGLE_STEP, bad]}}
    report = LoadReport()
    dm = load_config(_write(tmp_path, doc), report=report)
    assert sorted(dm.keys()) == ["whisker", "whisker_angle"]
    (note,) = report.of_kind("transform")
    assert "step 'later'" in note.message


def test_headless_load_prints_the_failed_step_on_stderr(tmp_path: Path, wtb_data: Path) -> None:
    step = {**ANGLE_STEP, "parameters": {"position": "far"}}
    config = _write(tmp_path, {"data": [_whisker(wtb_data)], "transformations": {"steps": [step]}})
    code = (
        "import napari_whiskertoolbox.transforms\n"
        "from napari_whiskertoolbox.io import load_config\n"
        f"print(load_config({str(config)!r}).keys())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "['whisker']"
    assert "transformations block 0" in done.stderr
    assert "parameter 'position' = 'far' is invalid" in done.stderr


def test_entry_points_that_load_configs_import_the_transforms(
    tmp_path: Path, wtb_data: Path
) -> None:
    config = _write(
        tmp_path, {"data": [_whisker(wtb_data)], "transformations": {"steps": [ANGLE_STEP]}}
    )
    headless = (
        "from napari_whiskertoolbox.scripting import load_for_script\n"
        f"print(load_for_script({str(config)!r}).keys())\n"
    )
    viewer_session = (
        "import napari_whiskertoolbox.layers.session\n"
        "from napari_whiskertoolbox.io.config_transformations import get_transformations_runner\n"
        "print(get_transformations_runner().__name__)\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
        ).stdout.strip()
        for code in (headless, viewer_session)
    ]
    assert outputs == ["['whisker', 'whisker_angle']", "run_v1_transformations"]


def test_load_config_without_the_transforms_says_both_ways_to_run_them(
    tmp_path: Path, wtb_data: Path
) -> None:
    """README's first snippet: load_config alone cannot run a transformations block."""
    config = _write(
        tmp_path, {"data": [_whisker(wtb_data)], "transformations": {"steps": [ANGLE_STEP]}}
    )
    code = f"from napari_whiskertoolbox.io import load_config\nload_config({str(config)!r})\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "`import napari_whiskertoolbox.transforms` first" in last
    assert "napari_whiskertoolbox.scripting.load_for_script(path), which does" in last
