"""NWB round trip of a lab's file keeps its structure: tables' columns (names, dtypes,
values, descriptions) and TimeSeries' units, as pynwb reads them back."""

from __future__ import annotations

import numpy as np
import pytest

from _nwb_files import START
from napari_whiskertoolbox.io.nwb_export import export_nwb
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.session import load_session, save_session
from napari_whiskertoolbox.io.table_columns import TABLE_COLUMNS, key_columns

pynwb = pytest.importorskip("pynwb")
pytest.importorskip("ndx_pose")
inspector = pytest.importorskip("nwbinspector")

EVENT_COLUMNS = {  # name: (description, values in row order)
    "volume": ("volume in uL", [1.5, 2.0, 2.5]),
    "port": ("port number", np.array([3, 1, 2], np.int64)),
    "rewarded": ("whether water came", [True, False, True]),
    "cue": ("the cue played", ["tone", "light", "tone"]),
}
TRIAL_COLUMNS = {
    "correct": ("outcome", [True, False, True]),
    "licks": ("lick count", np.array([4, 0, 7], np.int64)),
    "trial_type": ("stimulus", ["go", "nogo", "go"]),
}


def _write_lab_file(path) -> None:
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.event import EventsTable

    nwbfile = NWBFile(session_description="lab", identifier="tc1", session_start_time=START)
    module = nwbfile.create_processing_module("behavior", "b")
    module.add(
        TimeSeries(
            name="even30",
            data=np.arange(10.0),
            unit="a.u.",
            timestamps=2.0 + np.arange(10) / 30,
            description="whisker pad motion energy",
        )
    )
    module.add(TimeSeries(name="nothing", data=np.ones(4), unit="n.a.", rate=10.0))
    for name, (description, _) in TRIAL_COLUMNS.items():
        nwbfile.add_trial_column(name, description)
    for k, (start, stop) in enumerate([(0.1, 0.9), (1.0333333, 1.7), (2.25, 3.125)]):
        nwbfile.add_trial(
            start_time=start,
            stop_time=stop,
            **{name: values[k] for name, (_, values) in TRIAL_COLUMNS.items()},
        )
    rewards = EventsTable(name="rewards", description="r")
    for name, (description, _) in EVENT_COLUMNS.items():
        rewards.add_column(name, description)
    for k, t in enumerate([0.2501, 1.1, 3.7777777]):
        rewards.add_row(
            timestamp=t, **{name: values[k] for name, (_, values) in EVENT_COLUMNS.items()}
        )
    nwbfile.add_events_table(rewards)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


def _columns(table) -> dict[str, tuple[str, np.dtype, list]]:
    """``{column: (description, dtype kind, values)}`` of a pynwb table (text decoded)."""
    out = {}
    for name in table.colnames:
        values = np.asarray(table[name][:])
        listed = [v.decode() if isinstance(v, bytes) else v for v in values.tolist()]
        kind = "T" if values.dtype.kind in "SUO" else values.dtype.kind
        out[name] = (table[name].description, kind, listed)
    return out


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """``(in.nwb, DataManager opened from it, out.nwb exported from that)``."""
    folder = tmp_path_factory.mktemp("round_trip")
    _write_lab_file(folder / "in.nwb")
    dm = open_path(folder / "in.nwb").dm
    export_nwb(dm, folder / "out.nwb", session_start_time=START)
    return folder / "in.nwb", dm, folder / "out.nwb"


def _compare_tables(source, out, tables, dtypes_only=False) -> None:
    """Assert the tables ``tables(nwbfile)`` of both files have the same columns, dtype kinds,
    values and (but for the times) descriptions; ``entity_id`` is ours on top."""
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(source), "r") as one, NWBHDF5IO(str(out), "r") as two:
        for table_before, table_after in zip(tables(one.read()), tables(two.read())):
            had, has = _columns(table_before), _columns(table_after)
            assert set(has) == set(had) | {"entity_id"}
            for name, (description, kind, values) in had.items():
                assert has[name][1] == kind, name
                if dtypes_only:
                    continue
                if name not in ("timestamp", "start_time", "stop_time"):
                    assert has[name][0] == description, name
                if kind == "f":
                    np.testing.assert_array_equal(has[name][2], values)
                else:
                    assert has[name][2] == values, name


def test_an_events_table_keeps_its_columns(round_trip) -> None:
    """Were: ``rewards`` exported with only timestamp and entity_id, its volume (and port,
    rewarded) as TimeSeries ``rewards_<column>`` in acquisition, its text column dropped."""
    from pynwb import NWBHDF5IO

    source, dm, out = round_trip
    assert sorted(dm.keys()) == ["even30", "nothing", "rewards", "trials"]  # no column keys
    columns = key_columns(dm, "rewards")
    assert list(columns) == list(EVENT_COLUMNS)
    with NWBHDF5IO(str(out), "r") as io:
        assert set(io.read().acquisition) == {"even30", "nothing"}  # no rewards_volume
    _compare_tables(source, out, lambda f: [f.events["rewards"]])


def test_interval_tables_keep_their_columns_and_dtypes(round_trip) -> None:
    """Were: the trials' ``correct`` bool written back as float32 1.0/0.0, ``licks`` as
    float32, ``trial_type`` (text) dropped."""
    from pynwb import NWBHDF5IO

    source, dm, out = round_trip
    with NWBHDF5IO(str(out), "r") as io:
        assert np.asarray(io.read().trials["correct"][:]).dtype == bool
    _compare_tables(source, out, lambda f: [f.trials], dtypes_only=True)
    _compare_tables(source, out, lambda f: [f.trials])
    assert key_columns(dm, "trials")["correct"].dtype == bool


def test_units_are_kept_as_the_file_has_them(round_trip) -> None:
    """Were: unit ``a.u.`` (and ``n.a.``) read as None."""
    from pynwb import NWBHDF5IO

    _, dm, out = round_trip
    assert dm.get_data("even30").unit == "a.u."
    assert dm.get_data("nothing").unit == "n.a."
    with NWBHDF5IO(str(out), "r") as io:
        acquisition = io.read().acquisition
        assert acquisition["even30"].unit == "a.u."
        assert acquisition["nothing"].unit == "n.a."
    back = open_path(out).dm
    assert back.get_data("even30").unit == "a.u."


def test_the_export_of_a_lab_file_passes_nwbinspector(round_trip) -> None:
    from nwbinspector import Importance, inspect_nwbfile

    serious = [
        f"{m.importance.name} {m.check_function_name} {m.object_name}: {m.message}"
        for m in inspect_nwbfile(nwbfile_path=str(round_trip[2]))
        if m.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)
    ]
    assert serious == []


def test_our_export_reads_back_with_the_same_columns(round_trip) -> None:
    _, dm, out = round_trip
    back = open_path(out).dm
    assert sorted(back.keys()) == sorted(dm.keys())
    for key in ("rewards", "trials"):
        assert list(key_columns(back, key)) == list(key_columns(dm, key))
        for name, values in key_columns(dm, key).items():
            got = key_columns(back, key)[name]
            assert got.dtype == values.dtype
            assert got.tolist() == values.tolist()
    assert back.metadata[TABLE_COLUMNS]["rewards"]["volume"]["description"] == "volume in uL"


def test_columns_follow_the_key_and_the_session(tmp_path, caplog) -> None:
    """Columns are tied to entity ids: a renamed key keeps them, a saved session too; an
    event added here has none (NaN; an int or bool column is then float64, said so)."""
    from pynwb import NWBHDF5IO

    _write_lab_file(tmp_path / "in.nwb")
    dm = open_path(tmp_path / "in.nwb").dm
    dm.rename_data("rewards", "water")
    assert "rewards" not in dm.metadata[TABLE_COLUMNS]
    save_session(dm, tmp_path / "s.session")
    dm = load_session(tmp_path / "s.session")
    assert key_columns(dm, "water")["cue"].tolist() == ["tone", "light", "tone"]
    events = dm.get_data("water")
    events.add(int(events.times[-1]) + 5)
    columns = key_columns(dm, "water")
    np.testing.assert_array_equal(columns["volume"], [1.5, 2.0, 2.5, np.nan])
    assert columns["cue"].tolist() == ["tone", "light", "tone", ""]
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        export_nwb(dm, tmp_path / "out.nwb", session_start_time=START)
    said = " | ".join(r.getMessage() for r in caplog.records)
    assert "'port'" in said
    assert "float64" in said
    with NWBHDF5IO(str(tmp_path / "out.nwb"), "r") as io:
        table = io.read().events["water"]
        port = np.asarray(table["port"][:])
        assert port.dtype == np.float64
        np.testing.assert_array_equal(port, [3, 1, 2, np.nan])
    dm.delete_data("water")
    assert "water" not in dm.metadata.get(TABLE_COLUMNS, {})


def test_a_config_item_keeps_the_tables_columns(tmp_path) -> None:
    """An ``nwb`` config item (here its intervals only) brings the trials' columns too."""
    import json

    from napari_whiskertoolbox.io import load_config

    _write_lab_file(tmp_path / "lab.nwb")
    item = {"data_type": "digital_interval", "name": "nwb", "format": "nwb", "filepath": "lab.nwb"}
    (tmp_path / "c.json").write_text(json.dumps([item]))
    dm = load_config(tmp_path / "c.json")
    assert list(dm.keys()) == ["nwb_trials"]
    columns = key_columns(dm, "nwb_trials")
    assert columns["correct"].tolist() == [True, False, True]
    assert columns["licks"].tolist() == [4, 0, 7]
    assert columns["trial_type"].tolist() == ["go", "nogo", "go"]
