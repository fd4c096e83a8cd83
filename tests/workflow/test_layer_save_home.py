"""napari's Save Selected Layers into a key's own file writes it as the file is, never with a loss.

The file a key was read from is written in its own format and options (as saving into a
config's files does), and refused, untouched, when its WhiskerToolbox loader leaves out some
of it (a points CSV's ``Probability`` column) that the rewrite would drop.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from napari_whiskertoolbox.io.points import read_points_csv
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"


def test_a_file_with_a_column_its_loader_leaves_out_is_refused_and_kept(
    make_napari_viewer: Any, tmp_path: Path, wtb_data: Path
) -> None:
    path = tmp_path / "test_point.csv"
    shutil.copy(wtb_data / "Points" / "test_point.csv", path)
    before = path.read_bytes()
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    get_session(viewer).dm.get_data("test_point").add(7, np.array([[1.5, 2.5]], np.float32))
    with pytest.raises(RuntimeError, match=r"test_point\.csv.*column 'Probability'.*unchanged"):
        viewer.layers["test_point"].save(str(path), plugin=PLUGIN)
    assert path.read_bytes() == before
    assert viewer.title.endswith(" *")  # the edit is still only in memory
    copy = tmp_path / "edited.csv"
    assert viewer.layers["test_point"].save(str(copy), plugin=PLUGIN) == [str(copy)]
    assert 7 in read_points_csv(copy)[0]


def test_its_own_file_is_written_in_its_own_layout(make_napari_viewer: Any, tmp_path: Path) -> None:
    path = tmp_path / "nose.csv"
    path.write_text("frame,x,y\n0,10.5,20.25\n2,30.0,40.0\n")
    viewer = make_napari_viewer()
    viewer.open(str(path), plugin=PLUGIN)
    get_session(viewer).dm.get_data("nose").add(7, np.array([[1.5, 2.5]], np.float32))
    assert viewer.layers["nose"].save(str(path), plugin=PLUGIN) == [str(path)]
    lines = path.read_text().splitlines()
    assert [line.count(",") for line in lines] == [2] * 4  # still comma-separated
    assert lines[-1] == "7,1.5,2.5"
    assert not viewer.title.endswith(" *")  # the file gives the key back: saved
