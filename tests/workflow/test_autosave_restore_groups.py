"""A restored autosave brings back entity groups, metadata and renames as they were.

Were: only keys and clocks came back. Groups and ``dm.metadata`` (colours, pose sets) were
those of the reopened files, a renamed key came back as a delete plus a new key (losing the
record of its file and, for a keypoint, its body part), and a session whose only edit was a
group was never autosaved.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from qtpy.QtWidgets import QMessageBox

from _dlc_tables import write_two_mice_predictions
from napari_whiskertoolbox.core import entity
from napari_whiskertoolbox.core.key_references import COLORS, RENAMED_FROM, SOURCES
from napari_whiskertoolbox.io.pose import pose_of_key
from napari_whiskertoolbox.workflow import autosave
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager

pytestmark = pytest.mark.gui

MOUSE1_NOSE = "mice_mouse1_nose"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config of two points keys, an events key and a DeepLabCut table of two mice."""
    monkeypatch.setenv(autosave.AUTOSAVE_DIR_ENV, str(tmp_path / "autosave"))
    (tmp_path / "tip.csv").write_text("0 1.5 2.5\n4 3.0 4.0\n", encoding="utf-8")
    (tmp_path / "nose.csv").write_text("1 10.0 20.0\n2 11.0 21.0\n", encoding="utf-8")
    (tmp_path / "licks.csv").write_text("3\n7\n", encoding="utf-8")
    rows = [[1, 2, 0.9, 3, 4, 0.9, 5, 6, 0.9, 7, 8, 0.9], [11, 12, 0.9, 13, 14, 0.9] * 2]
    write_two_mice_predictions(tmp_path / "preds.csv", rows)
    items = [
        {"data_type": "points", "name": "tip", "filepath": "tip.csv"},
        {"data_type": "points", "name": "nose", "filepath": "nose.csv"},
        {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv"},
        {"data_type": "points", "name": "mice", "format": "dlc_csv", "filepath": "preds.csv"},
    ]
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _crashed(make_napari_viewer: Any, config: Path, edit: Any) -> dict[str, Any]:
    """Open ``config``, ``edit(dm)``, autosave; return what the session held then."""
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    dm = get_session(viewer).dm
    edit(dm)
    saver = get_workflow(viewer).autosaver
    assert saver.autosave_now() is not None, "nothing was autosaved"
    assert saver.wait(timeout=60)
    return {"groups": _groups_by_content(dm), "metadata": json.loads(json.dumps(dm.metadata))}


def _reopened(make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Open ``config`` again and answer Yes to the recovery question."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    viewer = make_napari_viewer(show=True)
    viewer.open(str(config), plugin=None)
    return viewer


def _entities(dm: DataManager) -> dict[int, tuple[str, int, tuple[float, ...]]]:
    """``{entity id: (key, frame, point)}`` of every points key."""
    found = {}
    for key in dm.keys("points"):
        flat = dm.get_data(key).to_flat()
        for t, i, xy in zip(flat.times.tolist(), flat.ids.tolist(), flat.coords.tolist()):
            found[int(i)] = (key, int(t), tuple(xy))
    return found


def _groups_by_content(dm: DataManager) -> dict[str, list[Any]]:
    """Each group as the entities it holds (key, frame, point): ids differ between processes."""
    entities = _entities(dm)
    return {
        name: sorted(entities.get(int(i), ("no entity",)) for i in dm.groups.members(name))
        for name in dm.groups
    }


def _besides_ui(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` but the timeline's lanes, which the shown window's timeline dock adds."""
    return {name: value for name, value in metadata.items() if name != "ui"}


def _group_a_nose_and_a_new_tip(dm: DataManager) -> None:
    nose = dm.get_data("nose")
    new_tip = dm.get_data("tip").add(6, np.array([[7.0, 8.0]], dtype=np.float32))
    dm.groups.create("picked", [int(nose.ids_at(2)[0]), int(new_tip[0])])
    dm.metadata.setdefault(COLORS, {})["nose"] = "#ff00ff"


def test_groups_and_metadata_come_back_naming_the_same_entities(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _crashed(make_napari_viewer, config, _group_a_nose_and_a_new_tip)
    assert before["groups"]["picked"] == [("nose", 2, (11.0, 21.0)), ("tip", 6, (7.0, 8.0))]
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    assert _groups_by_content(dm) == before["groups"]
    assert _besides_ui(dm.metadata) == before["metadata"]
    assert dm.metadata[COLORS]["nose"] == "#ff00ff"
    ids = [int(i) for key in dm.keys("points") for i in dm.get_data(key).to_flat().ids]
    assert len(ids) == len(set(ids)), "a restored entity took the id of a reopened one"
    target = get_workflow(viewer).save_target
    assert target.changed == {"tip"}  # nose was only grouped: its file still holds it
    assert target.groups_changed
    restored_groups = dm.groups.to_dict()
    dm.undo()  # the restore is one undo step: the session as opened
    assert "picked" not in dm.groups
    assert dm.metadata.get(COLORS, {}).get("nose") != "#ff00ff"
    assert not dm.modified
    dm.redo()
    assert dm.groups.to_dict() == restored_groups
    assert _besides_ui(dm.metadata) == before["metadata"]


def test_after_a_restart_restored_entities_do_not_share_ids_with_reopened_ones(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new napari numbers entities from 1 again, as the crashed one did: the restored
    ``tip`` held ids the reopened ``nose`` and keypoints were given, and its group then
    named them."""
    before = _crashed(make_napari_viewer, config, _group_a_nose_and_a_new_tip)
    monkeypatch.setattr(entity, "_next_id", 1)  # what a new process starts from
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    ids = [int(i) for key in dm.keys("points") for i in dm.get_data(key).to_flat().ids]
    assert len(ids) == len(set(ids)), "a restored entity took the id of a reopened one"
    assert _groups_by_content(dm) == before["groups"]
    assert get_workflow(viewer).save_target.changed == {"tip"}


def test_a_group_edited_alone_is_autosaved(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were: autosave waited for a key edit; a session whose only edit was a group kept none."""

    def group_two_noses(dm: DataManager) -> None:
        dm.groups.create("both", [int(i) for i in dm.get_data("nose").to_flat().ids])

    before = _crashed(make_napari_viewer, config, group_two_noses)
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    assert _groups_by_content(dm)["both"] == before["groups"]["both"]
    assert dm.modified
    assert not get_workflow(viewer).save_target.changed


def test_a_renamed_key_comes_back_renamed_with_its_file_record(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crashed(make_napari_viewer, config, lambda dm: dm.rename_data("nose", "snout"))
    info = autosave.find_recovery(config)
    assert info is not None
    assert info.renamed == {"snout": "nose"}
    assert info.edited == frozenset()
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    assert "nose" not in dm
    assert dm.metadata[SOURCES]["snout"][RENAMED_FROM] == "nose"
    assert dm.metadata[SOURCES]["snout"]["filepath"].endswith("nose.csv")
    np.testing.assert_array_equal(dm.get_data("snout").at(2), [[11.0, 21.0]])
    assert dm.history.undo_label == "restore autosave"
    dm.undo()
    assert "nose" in dm
    assert "snout" not in dm


def test_a_renamed_keypoint_key_keeps_its_body_part_and_its_individual_group(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rename_and_move(dm: DataManager) -> None:
        dm.rename_data(MOUSE1_NOSE, "mice_mouse1_snout")
        dm.get_data("mice_mouse1_tail").set_frame(1, np.array([[30.0, 40.0]], np.float32), [0])

    before = _crashed(make_napari_viewer, config, rename_and_move)
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    pose = pose_of_key(dm, "mice_mouse1_snout")
    assert pose is not None, "the renamed key lost its body part"
    assert pose.key("mouse1", "nose") == "mice_mouse1_snout"
    assert _groups_by_content(dm) == before["groups"]
    assert get_workflow(viewer).save_target.renamed == {"mice_mouse1_snout": MOUSE1_NOSE}
    assert get_workflow(viewer).save_target.changed == {"mice_mouse1_tail"}


def test_names_swapped_before_the_crash_are_swapped_back(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def swap(dm: DataManager) -> None:
        dm.rename_data("tip", "spare")
        dm.rename_data("nose", "tip")
        dm.rename_data("spare", "nose")

    _crashed(make_napari_viewer, config, swap)
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    np.testing.assert_array_equal(dm.get_data("tip").at(2), [[11.0, 21.0]])
    np.testing.assert_array_equal(dm.get_data("nose").at(4), [[3.0, 4.0]])
    assert dm.metadata[SOURCES]["tip"]["filepath"].endswith("nose.csv")
    assert not [key for key in dm if "restoring" in key]


def _recolour_nose(dm: DataManager) -> None:
    """A metadata-only edit, as an undo step (what the restore itself does)."""
    dm.replace_metadata({**dm.metadata, COLORS: {**dm.metadata.get(COLORS, {}), "nose": "#00ff00"}})


def test_a_metadata_edit_alone_is_autosaved(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were: autosave waited for a key, clock or group signal; a metadata edit sent none."""
    before = _crashed(make_napari_viewer, config, _recolour_nose)
    assert before["metadata"][COLORS]["nose"] == "#00ff00"
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    assert dm.metadata[COLORS]["nose"] == "#00ff00"
    assert dm.modified
    assert not get_workflow(viewer).save_target.changed


def test_undoing_a_metadata_edit_is_autosaved(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undo changes what the autosave must hold as much as the edit did."""
    crashed = make_napari_viewer()
    crashed.open(str(config), plugin=None)
    dm = get_session(crashed).dm
    dm.groups.create("both", [int(i) for i in dm.get_data("nose").to_flat().ids])
    _recolour_nose(dm)
    saver = get_workflow(crashed).autosaver
    assert saver.autosave_now() is not None
    assert saver.wait(timeout=60)
    dm.undo()  # the colour goes; the group (not undoable) keeps the session modified
    assert dm.modified
    assert saver.autosave_now() is not None, "the undo was not autosaved"
    assert saver.wait(timeout=60)
    viewer = _reopened(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    assert dm.metadata.get(COLORS, {}).get("nose") != "#00ff00"
    assert "both" in dm.groups
