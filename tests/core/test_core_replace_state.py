"""DataManager.replace_groups / replace_metadata: one undo step, and the modified flag follows it."""

from __future__ import annotations

from napari_whiskertoolbox.core import DataManager


def _saved_with_a_group() -> DataManager:
    dm = DataManager()
    dm.groups.create("a", [1, 2], "first pick")
    dm.metadata["colors"] = {"tip": "#ff0000"}
    dm.mark_saved()
    return dm


def test_replaced_groups_are_one_undo_step_back_to_the_saved_session() -> None:
    dm = _saved_with_a_group()
    dm.replace_groups({"a": [2, 3], "b": [4]})
    assert dm.groups.to_dict() == {"a": [2, 3], "b": [4]}
    assert dm.groups.description("a") == "first pick"
    assert dm.modified
    dm.undo()
    assert dm.groups.to_dict() == {"a": [1, 2]}
    assert not dm.modified  # were groups edited directly, it would stay modified until saved
    dm.redo()
    assert dm.groups.to_dict() == {"a": [2, 3], "b": [4]}
    assert dm.modified


def test_replacing_with_the_same_groups_or_metadata_records_nothing() -> None:
    dm = _saved_with_a_group()
    dm.replace_groups({"a": [2, 1]})
    dm.replace_metadata({"colors": {"tip": "#ff0000"}})
    assert not dm.history.can_undo
    assert not dm.modified


def test_replaced_metadata_keeps_its_dict_and_undoes() -> None:
    dm = _saved_with_a_group()
    metadata = dm.metadata
    given = {"colors": {"tip": "#00ff00"}, "poses": {}}
    dm.replace_metadata(given)
    given["colors"]["tip"] = "#0000ff"  # a copy was taken
    assert dm.metadata is metadata
    assert dm.metadata == {"colors": {"tip": "#00ff00"}, "poses": {}}
    assert dm.modified
    dm.undo()
    assert dm.metadata == {"colors": {"tip": "#ff0000"}}
    assert not dm.modified
