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
    # the transform's clock still goes with its last key
    assert back.auto_removed_clocks() == ["relative:rel", "relative:sh"]
    back.delete_data("rel")
    assert "relative:rel" not in back.time_keys()
    into = cam_session()  # loaded into a session that has keys of its own
    from napari_whiskertoolbox.io import load_config

    load_config(tmp_path / "s" / "session.json", into)
    assert "relative:rel" in into.auto_removed_clocks()
    assert "cam" not in into.auto_removed_clocks()


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


@pytest.mark.parametrize(
    ("name", "params", "clock"),
    [
        ("NormalizeDigitalEventSeriesRelative", {"alignment_time": 30}, "relative:out"),
        ("NormalizeClockTicksValueV2", {"alignment_time": 30}, "relative:out"),
    ],
)
def test_a_relative_clock_goes_with_its_last_key_in_the_same_undo_step(name, params, clock):
    """The 'relative:<key>' clock stayed in the DataManager after its key was deleted."""
    dm = cam_session()
    run_transform(dm, name, "ev", "out", params)
    assert dm.time_key("out") == clock
    dm.delete_data("out")
    assert clock not in dm.time_keys()
    dm.history.undo()  # one step: the key and its clock
    assert dm.time_key("out") == clock
    assert ticks(dm, "out") == [-20, -10]
    dm.history.redo()
    assert clock not in dm.time_keys()
    dm.history.undo()
    # a shifted copy is on a relative clock of its own; bound to this one, it keeps it
    run_transform(dm, "ShiftDigitalEventSeries", "out", "sh", {"offset": 1})
    dm.set_time_key("sh", clock)
    assert "relative:sh" not in dm.time_keys()  # unbound from 'sh' by the rebind
    dm.delete_data("out")
    assert clock in dm.time_keys()
    dm.delete_data("sh")
    assert clock not in dm.time_keys()


def test_replacing_a_relative_result_drops_the_clock_it_no_longer_uses():
    dm = cam_session()
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 10})
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 30})
    assert dm.time_key("rel") == "relative:rel_2"
    assert "relative:rel" not in dm.time_keys()
    dm.history.undo()
    assert dm.time_key("rel") == "relative:rel"
    assert "relative:rel_2" not in dm.time_keys()
    assert ticks(dm, "rel") == [0, 10]


def test_a_clock_the_user_made_is_never_removed_with_a_key():
    dm = cam_session()
    dm.set_time("relative:mine", TimeFrame([5, 6, 7]))
    dm.set_data("m", DigitalEventSeries([0]), "relative:mine")
    dm.delete_data("m")
    dm.delete_data("ev")
    assert {"cam", "relative:mine"} <= set(dm.time_keys())
    assert dm.auto_removed_clocks() == []


def test_a_relative_key_saved_to_an_events_csv_holds_its_relative_ticks(tmp_path):
    """WhiskerToolbox writes a relative series' ticks; we wrote the clock's indices, which
    start at the first negative tick ([0, 10] for ticks [-20, -10])."""
    from napari_whiskertoolbox.io import load_config, write_key
    from napari_whiskertoolbox.io.events import read_events_csv
    from napari_whiskertoolbox.transforms.commands import run_command

    dm = cam_session()
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 30})
    write_key(dm, "rel", tmp_path / "key.csv")
    saved = run_command(
        dm,
        {
            "command_name": "SaveData",
            "parameters": {"data_key": "rel", "format": "csv", "path": str(tmp_path / "cmd.csv")},
        },
    )
    assert saved.success, saved.error
    assert (tmp_path / "key.csv").read_text() == "-20\n-10\n"
    assert read_events_csv(tmp_path / "key.csv")[None].tolist() == [-20, -10]
    # SaveData writes WhiskerToolbox's saver layout: an "Event" header, then the ticks
    assert (tmp_path / "cmd.csv").read_text() == "Event\n-20\n-10\n"
    assert read_events_csv(tmp_path / "cmd.csv", has_header=True)[None].tolist() == [-20, -10]
    (tmp_path / "c.json").write_text(
        '[{"data_type": "digital_event", "name": "back", "filepath": "key.csv"}]'
    )
    assert load_config(tmp_path / "c.json").get_data("back").times.tolist() == [-20, -10]
    # a key on an ordinary clock still writes its frame indices
    write_key(dm, "ev", tmp_path / "ev.csv")
    assert (tmp_path / "ev.csv").read_text() == "1\n2\n"


def test_an_empty_relative_key_saves_as_an_empty_file(tmp_path):
    """Its relative clock has no ticks; saving it raised 'TimeFrame is empty'."""
    from napari_whiskertoolbox.io import data_to_save, write_key

    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10, 20, 30], sampling_rate=1000.0))
    dm.set_data("ev", DigitalEventSeries([]), "cam")
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "rel", {"alignment_time": 10})
    assert len(dm.clock_of("rel")) == 0
    assert data_to_save(dm, "rel").times.tolist() == []
    write_key(dm, "rel", tmp_path / "rel.csv")
    assert (tmp_path / "rel.csv").read_text() == ""
