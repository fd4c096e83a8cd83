"""The title's ``*`` after napari's own Save Selected Layers writes a key to its own file.

A key written by napari's writer to the file it was opened from, which reads back the same,
is saved; the session is saved when no other change is left. Written elsewhere, or with
other keys still edited, the ``*`` stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"


def _files(folder: Path) -> tuple[Path, Path]:
    points = folder / "pts.csv"
    points.write_text("frame x y\n0 10.0 20.0\n2 30.0 40.0\n")
    lines = folder / "whisk.csv"
    lines.write_text('Frame,X,Y\n0,"1.0,5.0,9.0","2.0,6.0,10.0"\n')
    return points, lines


def _marked(viewer: Any) -> bool:
    return viewer.title.endswith(" *")


def test_saving_the_edited_key_to_its_own_file_clears_the_marker(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    _, lines = _files(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(lines), plugin=PLUGIN)
    dm = get_session(viewer).dm
    dm.get_data("whisk").add(1, np.array([[3.0, 4.0], [7.0, 8.0]], np.float32))
    assert _marked(viewer)
    assert viewer.layers["whisk"].save(str(lines), plugin=PLUGIN) == [str(lines)]
    assert not _marked(viewer)
    assert not dm.modified
    dm.undo()  # the file holds the line undone here: modified again
    assert _marked(viewer)


def test_the_marker_stays_while_another_key_is_unsaved_or_the_file_is_another(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    points, lines = _files(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(lines), plugin=PLUGIN)
    viewer.open(str(points), plugin=PLUGIN)
    dm = get_session(viewer).dm
    dm.get_data("whisk").add(1, np.array([[3.0, 4.0], [7.0, 8.0]], np.float32))
    dm.get_data("pts").add(1, np.array([[5.0, 6.0]], np.float32))
    viewer.layers["whisk"].save(str(lines), plugin=PLUGIN)
    assert _marked(viewer)  # pts is still edited
    viewer.layers["pts"].save(str(tmp_path / "copy.csv"), plugin=PLUGIN)
    assert _marked(viewer)  # a copy: reopening pts.csv gives the old points
    viewer.layers["pts"].save(str(points), plugin=PLUGIN)
    assert not _marked(viewer)


def test_a_group_made_since_the_save_keeps_the_marker(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """A key's file holds no groups: the group is only in memory until the session is saved."""
    _, lines = _files(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(lines), plugin=PLUGIN)
    dm = get_session(viewer).dm
    dm.get_data("whisk").add(1, np.array([[3.0, 4.0], [7.0, 8.0]], np.float32))
    dm.groups.create("touching", dm.get_data("whisk").ids_at(1))
    viewer.layers["whisk"].save(str(lines), plugin=PLUGIN)
    assert _marked(viewer)


def test_a_clock_changed_since_the_save_keeps_the_marker(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """A key's file holds no clock: a rate given (or a clock added) from Python stays unsaved
    when the edited key is written to its own file."""
    from napari_whiskertoolbox.core import TimeFrame

    _, lines = _files(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(lines), plugin=PLUGIN)
    dm = get_session(viewer).dm
    dm.get_data("whisk").add(5, np.array([[3.0, 4.0], [7.0, 8.0]], np.float32))  # grows 'time'
    dm.set_sampling_rate("time", 30.0)
    viewer.layers["whisk"].save(str(lines), plugin=PLUGIN)
    assert _marked(viewer)
    assert dm.modified
    dm.undo()  # the rate: only the line is left, which its file holds once written again
    viewer.layers["whisk"].save(str(lines), plugin=PLUGIN)
    assert not _marked(viewer)
    dm.set_time("ephys", TimeFrame.from_count(10, 1000.0))  # a clock alone marks the session
    assert _marked(viewer)
    viewer.layers["whisk"].save(str(lines), plugin=PLUGIN)
    assert _marked(viewer)


def test_data_growing_the_automatic_clock_is_saved_with_the_key(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """The automatic 'time' clock growing with an edit is no clock change of its own."""
    _, lines = _files(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(lines), plugin=PLUGIN)
    dm = get_session(viewer).dm
    before = len(dm.get_time("time"))
    dm.get_data("whisk").add(before + 20, np.array([[3.0, 4.0], [7.0, 8.0]], np.float32))
    assert len(dm.get_time("time")) > before
    viewer.layers["whisk"].save(str(lines), plugin=PLUGIN)
    assert not _marked(viewer)
