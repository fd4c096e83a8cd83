"""Where a key was read from (``metadata["sources"]``, ``["read_from"]``) follows its name."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, PointData
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.data_files import data_file_item, load_data_file
from napari_whiskertoolbox.io.keys import source_of
from napari_whiskertoolbox.io.read_from import READ_FROM, keys_read_from, record_read_from
from napari_whiskertoolbox.io.write_back import plan_write_back

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def tip_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tip.csv"
    path.write_text("0 1.5 2.5\n4 3.0 4.0\n", encoding="utf-8")
    return path


def _opened(path: Path) -> DataManager:
    dm = DataManager()
    load_data_file(dm, data_file_item(path, "points", "tip"))
    return dm


def test_a_renamed_key_is_still_known_as_read_from_its_file(tip_csv: Path) -> None:
    """Were: renamed, it kept no record, so opening its file again added it a second time."""
    dm = _opened(tip_csv)
    record = dict(source_of(dm, "tip") or {})
    dm.rename_data("tip", "tip_mine")
    assert source_of(dm, "tip_mine") == {**record, "renamed_from": "tip"}
    assert source_of(dm, "tip") is None
    assert keys_read_from(dm, tip_csv) == ["tip_mine"]
    dm.undo()
    assert source_of(dm, "tip") == record
    assert "tip_mine" not in dm.metadata["sources"]
    dm.redo()
    assert keys_read_from(dm, tip_csv) == ["tip_mine"]


def test_another_tool_s_file_follows_a_rename(tmp_path: Path) -> None:
    dm = DataManager()
    dm.set_data("nose", PointData())
    record_read_from(dm, ["nose"], tmp_path / "CollectedData_me.h5")
    dm.rename_data("nose", "snout")
    assert keys_read_from(dm, tmp_path / "CollectedData_me.h5") == ["snout"]
    assert "nose" not in dm.metadata[READ_FROM]


def test_a_deleted_key_leaves_its_file_and_gets_it_back_on_undo(tip_csv: Path) -> None:
    """Were: the record outlived the key, and a new key of that name took its file as home:
    a save into the config's files would rewrite tip.csv with a mask."""
    dm = _opened(tip_csv)
    record = source_of(dm, "tip")
    dm.delete_data("tip")
    assert "tip" not in dm.metadata["sources"]
    dm.undo()
    assert source_of(dm, "tip") == record
    dm.redo()
    dm.set_data("tip", PointData())  # a new key of the same name: not read from tip.csv
    assert source_of(dm, "tip") is None
    assert keys_read_from(dm, tip_csv) == []


def test_a_stored_again_key_keeps_its_file(tip_csv: Path) -> None:
    """set_data over a key (a transform's output) replaces its data, not where it lives."""
    dm = _opened(tip_csv)
    points = PointData()
    points.add(1, np.array([[5.0, 6.0]], np.float32))
    dm.set_data("tip", points)
    assert keys_read_from(dm, tip_csv) == ["tip"]


def test_a_renamed_config_key_is_refused_by_the_config_files_as_renamed(tmp_path: Path) -> None:
    (tmp_path / "tip.csv").write_text("0 1.5 2.5\n", encoding="utf-8")
    config = tmp_path / "exp.json"
    config.write_text(
        json.dumps([{"data_type": "points", "name": "tip", "filepath": "tip.csv"}]),
        encoding="utf-8",
    )
    dm = load_config(config)
    dm.rename_data("tip", "tip_mine")
    plan = plan_write_back(dm, ["tip_mine"], ["tip"], config=config)
    assert not plan.possible
    assert "renamed from 'tip'" in plan.refused["tip_mine"]
    assert "several keys" not in plan.refusals()
