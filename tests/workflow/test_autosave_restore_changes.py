"""A restored autosave marks modified only the keys that differ from the reopened session."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _ask_support import Answers
from qtpy.QtWidgets import QMessageBox

from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.workflow import actions, autosave
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow
from napari_whiskertoolbox.workflow.save_target import CONFIG_FILES, FIRST_SAVE_QUESTION

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wtb_data: Path) -> Path:
    """A config of three points keys and an events key, each in its own file.

    ``whisker`` is WhiskerToolbox's ``test_point.csv``, whose ``Probability`` column the
    loader leaves out: the config's files cannot take it back (a rewrite would drop it).
    """
    monkeypatch.setenv(autosave.AUTOSAVE_DIR_ENV, str(tmp_path / "autosave"))
    (tmp_path / "tip.csv").write_text("0 1.5 2.5\n4 3.0 4.0\n", encoding="utf-8")
    (tmp_path / "nose.csv").write_text("1 10.0 20.0\n2 11.0 21.0\n", encoding="utf-8")
    (tmp_path / "licks.csv").write_text("3\n7\n", encoding="utf-8")
    items = [
        {"data_type": "points", "name": "tip", "filepath": "tip.csv"},
        {"data_type": "points", "name": "nose", "filepath": "nose.csv"},
        {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv"},
        {
            "data_type": "points",
            "name": "whisker",
            "filepath": str(wtb_data / "Points" / "test_point.csv"),
        },
    ]
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _crash_with_edits(make_napari_viewer: Any, config: Path) -> None:
    """Open ``config``, move a tip point and delete ``licks``, autosave; the process "dies"."""
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin=None)
    dm = get_session(viewer).dm
    dm.get_data("tip").add(6, np.array([[7.0, 8.0]], dtype=np.float32))
    dm.delete_data("licks")
    saver = get_workflow(viewer).autosaver
    assert saver.autosave_now() is not None
    assert saver.wait(timeout=60)


def _reopen_accepting_recovery(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    viewer = make_napari_viewer(show=True)
    viewer.open(str(config), plugin=None)
    return viewer


def test_a_restored_autosave_marks_only_the_keys_edited_before_the_crash(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash_with_edits(make_napari_viewer, config)
    viewer = _reopen_accepting_recovery(make_napari_viewer, config, monkeypatch)
    session = get_session(viewer)
    dm = session.dm
    np.testing.assert_array_equal(dm.get_data("tip").at(6), [[7.0, 8.0]])
    assert "licks" not in dm
    assert dm.modified
    target = get_workflow(viewer).save_target
    assert target.changed == {"tip"}
    assert target.removed == {"licks"}
    assert not target.changed_clocks()
    nose = dm.get_data("nose")
    assert dm.history.can_undo
    dm.undo()  # the restore is one undo step: the session as opened
    assert "licks" in dm
    assert dm.get_data("nose") is nose  # an unedited key is the one read from its file


def test_a_restored_autosave_can_be_saved_into_the_config_files(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were: every key restored counted as edited, so the config's own files refused the
    save ('whisker' would lose the Probability column of its file, though never edited)
    and the first-save question listed every key as rewritten."""
    _crash_with_edits(make_napari_viewer, config)
    viewer = _reopen_accepting_recovery(make_napari_viewer, config, monkeypatch)
    dm = get_session(viewer).dm
    dm.set_data("licks", load_config(config).get_data("licks").copy())  # back: not deleted
    workflow = get_workflow(viewer)
    choice = workflow.save_target.question().choice(CONFIG_FILES)
    assert choice.enabled, choice.detail
    assert "tip → tip.csv" in choice.detail
    assert "nose" not in choice.detail
    workflow.ask = Answers(choose={FIRST_SAVE_QUESTION: CONFIG_FILES})
    assert actions.save(get_session(viewer))
    assert not dm.modified
    np.testing.assert_array_equal(load_config(config).get_data("tip").at(6), [[7.0, 8.0]])


def test_the_autosave_names_the_keys_edited_since_the_last_save(
    make_napari_viewer: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An autosave of an earlier version does not name them: every key it holds is restored."""
    _crash_with_edits(make_napari_viewer, config)
    info = autosave.find_recovery(config)
    assert info is not None
    assert info.edited == {"tip"}
    marker = info.folder / autosave.MARKER_NAME
    record = json.loads(marker.read_text(encoding="utf-8"))
    del record["edited"]
    marker.write_text(json.dumps(record), encoding="utf-8")
    viewer = _reopen_accepting_recovery(make_napari_viewer, config, monkeypatch)
    assert get_workflow(viewer).save_target.changed == {"tip", "nose", "whisker"}
