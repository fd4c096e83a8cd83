"""A session snapshot (no array copied) writes the data as it was when taken, whatever edits follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, LineData, TensorData
from napari_whiskertoolbox.core.writable import is_shared
from napari_whiskertoolbox.io import load_session
from napari_whiskertoolbox.io.session_write import snapshot_session

if TYPE_CHECKING:
    from pathlib import Path


def _session() -> DataManager:
    dm = DataManager()
    coords = np.arange(24, dtype=np.float32).reshape(12, 2)
    dm.set_data("whiskers", LineData.from_flat([0, 0, 1, 2], coords, [0, 3, 6, 9, 12]))
    dm.set_data("pressure", AnalogTimeSeries(np.linspace(0, 1, 10)))
    dm.set_data("table", TensorData(np.ones((3, 2)), column_names=["a", "b"]))
    dm.get_data("whiskers").set_frame(1, [np.array([[5.0, 5.0], [6.0, 6.0]])])  # an edited frame
    return dm


def test_in_place_edits_after_the_snapshot_do_not_reach_the_written_files(
    tmp_path: Path, assert_dm_equal
) -> None:
    dm = _session()
    expected = load_session_copy(dm, tmp_path / "expected")
    snapshot = snapshot_session(dm, tmp_path / "snap" / "session.json")
    lines = dm.get_data("whiskers")
    with lines.writable() as coords:
        coords += 100
    with dm.get_data("pressure").writable() as values:
        values[:] = -1
    with dm.get_data("table").writable() as values:
        values *= 7
    lines.set_frame(2, [])
    snapshot.write()
    assert_dm_equal(load_session(tmp_path / "snap"), expected)
    np.testing.assert_array_equal(dm.get_data("pressure").values, -1)  # the edits stayed


def test_arrays_are_lent_only_while_the_snapshot_lives(tmp_path: Path) -> None:
    dm = _session()
    lines = dm.get_data("whiskers")
    lines.compact()
    snapshot = snapshot_session(dm, tmp_path / "snap" / "session.json")
    assert is_shared(lines.to_flat().coords)
    assert snapshot.sizes()["whiskers"] >= lines.to_flat().coords.nbytes
    del snapshot
    assert not is_shared(lines.to_flat().coords)


def test_unedited_keys_point_at_the_previous_files(tmp_path: Path, assert_dm_equal) -> None:
    dm = _session()
    config = tmp_path / "snap" / "session.json"
    first = snapshot_session(dm, config).write()
    with dm.get_data("table").writable() as values:
        values += 1
    again = snapshot_session(dm, config, previous=first, edited={"table"})
    assert set(again.sizes()) == {"table"}
    second = again.write()
    assert second["data:whiskers"].files == first["data:whiskers"].files
    assert second["data:pressure"].files == first["data:pressure"].files
    assert set(second["data:table"].files).isdisjoint(first["data:table"].files)
    assert all(f.is_file() for key in second.values() for f in key.files)
    assert sorted(p.name for p in (tmp_path / "snap" / "data").iterdir()) == sorted(
        f.name for key in second.values() for f in key.files
    )
    assert_dm_equal(load_session(tmp_path / "snap"), dm)


def load_session_copy(dm: DataManager, folder: Path) -> DataManager:
    """Save ``dm`` and load it back: a copy of its data as it is now."""
    from napari_whiskertoolbox.io import save_session

    save_session(dm, folder, mark_saved=False)
    return load_session(folder)
