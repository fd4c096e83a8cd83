"""Real Ctrl+S presses in a shown viewer save the session, not napari's selected layers."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from qtpy.QtCore import Qt
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication, QFileDialog

from napari_whiskertoolbox.core import PointData, TimeFrame
from napari_whiskertoolbox.io import load_session
from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.workflow import actions as annotation_actions
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow
from napari_whiskertoolbox.workflow.save_shortcut import SaveShortcut

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
KEY = "whisker_pad"


@pytest.fixture
def file_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and cancel) every file dialog napari or we would open."""
    opened: list[str] = []

    def cancelled_save_file(*args: Any, **kwargs: Any) -> tuple[str, str]:
        opened.append("getSaveFileName")
        return "", ""

    def cancelled_directory(*args: Any, **kwargs: Any) -> str:
        opened.append("getExistingDirectory")
        return ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancelled_save_file)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", cancelled_directory)
    return opened


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Sessions saved by the Save key (the real save still runs)."""
    saved: list[Any] = []
    real_save = annotation_actions.save

    def counting_save(session: Any) -> bool:
        saved.append(session)
        return real_save(session)

    monkeypatch.setattr(annotation_actions, "save", counting_save)
    return saved


def _focused_window(viewer: Any, qtbot: Any) -> Any:
    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    assert QApplication.activeWindow() is main_window(viewer)
    return QApplication.focusWidget()


def test_ctrl_s_saves_the_session_instead_of_save_selected_layers(
    make_napari_viewer: Any,
    qtbot: Any,
    tmp_path: Path,
    file_dialogs: list[str],
    saves: list[Any],
) -> None:
    viewer = make_napari_viewer(show=True)
    session = get_session(viewer)
    assert isinstance(get_workflow(session.viewer).save_shortcut, SaveShortcut)
    session.dm.set_time("time", TimeFrame.from_count(30))
    session.dm.set_data(KEY, PointData(), "time")
    session.save(tmp_path / "s")
    assert len(viewer.layers.selection) == 1  # napari's Save Selected Layers is enabled
    focused = _focused_window(viewer, qtbot)

    session.dm.get_data(KEY).add(3, np.array([1.0, 2.0], dtype=np.float32))
    assert session.dm.modified
    QTest.keyClick(focused, Qt.Key_S, Qt.ControlModifier)
    assert saves == [session]
    assert file_dialogs == []
    assert not session.dm.modified
    np.testing.assert_array_equal(load_session(tmp_path / "s").get_data(KEY).at(3), [[1, 2]])

    session.dm.get_data(KEY).add(4, np.array([5.0, 6.0], dtype=np.float32))
    QTest.keyClick(main_window(viewer), Qt.Key_S, Qt.ControlModifier)
    assert len(saves) == 2
    assert file_dialogs == []
    assert load_session(tmp_path / "s").get_data(KEY).count_at(4) == 1


def test_without_session_data_ctrl_s_stays_napari_save_selected_layers(
    make_napari_viewer: Any, qtbot: Any, file_dialogs: list[str], saves: list[Any]
) -> None:
    viewer = make_napari_viewer(show=True)
    get_session(viewer)
    viewer.add_points(np.zeros((1, 2)))  # a plain napari layer, selected
    focused = _focused_window(viewer, qtbot)
    QTest.keyClick(focused, Qt.Key_S, Qt.ControlModifier)
    assert file_dialogs == ["getSaveFileName"]  # napari's menu shortcut still works
    assert saves == []


_SCRIPT_ENDING_WITH_VIEWER_OPEN = """
import napari
viewer = napari.Viewer(show=True)
viewer.open_sample("napari-whiskertoolbox", "whisker_session")
print(len(viewer.layers))
"""


def test_a_script_ending_with_a_session_viewer_open_exits_cleanly() -> None:
    # The Save filter on the application crashed PyQt's exit clean-up (exit code -11);
    # the autouse autosave_dir fixture's folder reaches the child through the environment.
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT_ENDING_WITH_VIEWER_OPEN],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["5"]
