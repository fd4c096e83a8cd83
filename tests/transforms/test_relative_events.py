"""Relative ticks stored in a DataManager (reference §3.5 Normalize…Relative / Shift)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, TimeFrame
from napari_whiskertoolbox.io.session import load_session, save_session
from napari_whiskertoolbox.transforms import TransformError, run_transform
from napari_whiskertoolbox.transforms.pipeline import Pipeline


def cam_session() -> DataManager:
    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10, 20, 30], sampling_rate=1000.0))
    dm.set_data("ev", DigitalEventSeries([1, 2]), "cam")
    return dm


def ticks(dm: DataManager, key: str) -> list[int]:
    return dm.clock_of(key).times_at_indices(dm.get_data(key).times).tolist()


def test_relative_result_gets_a_clock_of_its_own_and_shift_keeps_it_relative():
    dm = cam_session()
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 10})
    assert dm.time_key("rel") == "relative:rel"
    assert ticks(dm, "rel") == [0, 10]
    assert dm.get_time("relative:rel").sampling_rate == 1000.0
    run_transform(dm, "ShiftDigitalEventSeries", "rel", "shifted", {"offset": 5})
    assert dm.time_key("shifted") == "relative:shifted"
    assert ticks(dm, "shifted") == [5, 15]
    # negative relative ticks: the clock starts at the first one
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "before", {"alignment_time": 30})
    assert ticks(dm, "before") == [-20, -10]
    # the original key and its clock are untouched
    assert dm.time_key("ev") == "cam"
    assert dm.get_data("ev").times.tolist() == [1, 2]


def test_relative_ticks_survive_a_session_round_trip(tmp_path):
    dm = cam_session()
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 30})
    back = load_session(save_session(dm, tmp_path / "s"))
    assert back.time_key("rel") == "relative:rel"
    assert ticks(back, "rel") == [-20, -10]
    run_transform(back, "ShiftDigitalEventSeries", "rel", "sh", {"offset": 20})
    assert ticks(back, "sh") == [0, 10]


def test_frame_transforms_refuse_relative_ticks_naming_the_key():
    dm = cam_session()
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 10})
    with pytest.raises(TransformError, match=r"EventToInterval.*'rel' holds relative ticks"):
        run_transform(dm, "EventToInterval", "rel", "iv")
    assert "iv" not in dm


def test_rerun_with_other_ticks_keeps_the_old_clock_for_undo():
    dm = cam_session()
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 10})
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 30})
    assert dm.time_key("rel") == "relative:rel_2"
    assert ticks(dm, "rel") == [-20, -10]
    dm.history.undo()
    assert ticks(dm, "rel") == [0, 10]


def test_pipeline_normalise_then_shift_is_relative():
    dm = cam_session()
    pipeline = Pipeline.from_json(
        {
            "steps": [
                {
                    "step_id": "n",
                    "transform_name": "NormalizeDigitalEventSeriesRelative",
                    "parameters": {"alignment_time": 10},
                },
                {
                    "step_id": "s",
                    "transform_name": "ShiftDigitalEventSeries",
                    "parameters": {"offset": 5},
                },
            ]
        }
    )
    pipeline.run_on_key(dm, "ev", "out")
    assert dm.time_key("out") == "relative:out"
    assert ticks(dm, "out") == [5, 15]
    bad = Pipeline.from_json(
        {
            "steps": [
                {"step_id": "n", "transform_name": "NormalizeDigitalEventSeriesRelative"},
                {"step_id": "e", "transform_name": "EventToInterval"},
            ]
        }
    )
    with pytest.raises(TransformError, match=r"Step 'e' failed.*relative ticks"):
        bad.run_on_key(dm, "ev", "bad")
    assert "bad" not in dm
    assert np.array_equal(dm.get_data("ev").times, [1, 2])


def test_normalize_clock_ticks_value_is_relative_ticks_too():
    """NormalizeClockTicksValueV2 (ticks → ticks) subtracted from frame indices and kept them
    on the input's clock: [-9, -8] on 'cam', both drawn at its first frame."""
    dm = cam_session()
    run_transform(dm, "NormalizeClockTicksValueV2", "ev", "rel", {"alignment_time": 10})
    assert dm.time_key("rel") == "relative:rel"
    assert ticks(dm, "rel") == [0, 10]
    run_transform(dm, "ShiftDigitalEventSeries", "rel", "shifted", {"offset": 3})
    assert ticks(dm, "shifted") == [3, 13]
    pipeline = Pipeline.from_json(
        {
            "steps": [
                {
                    "step_id": "n",
                    "transform_name": "NormalizeClockTicksValueV2",
                    "parameters": {"alignment_time": 30},
                }
            ]
        }
    )
    pipeline.run_on_key(dm, "ev", "piped")
    assert ticks(dm, "piped") == [-20, -10]
