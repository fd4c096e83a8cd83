"""Closing a window with unsaved changes asks Save / Discard / Cancel (dialog patched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qtpy.QtCore import QEvent
from qtpy.QtGui import QCloseEvent
from qtpy.QtWidgets import QApplication, QMessageBox

from napari_whiskertoolbox.core import PointData, TimeFrame
from napari_whiskertoolbox.io import load_session
from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.layers.close_guard import CloseGuard
from napari_whiskertoolbox.layers.session import get_session

pytestmark = pytest.mark.gui
KEY = "whiskers_tip"


class UserCloseEvent(QCloseEvent):
    """A close request as the window system delivers it (clicking the window's X)."""

    def spontaneous(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _autosave_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAPARI_WHISKERTOOLBOX_AUTOSAVE_DIR", str(tmp_path / "autosave"))


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Queue of answers the patched ``QMessageBox.question`` gives; records the questions."""
    queue: list[Any] = []
    asked: list[str] = []

    def question(parent: Any, title: str, text: str, *args: Any) -> Any:
        asked.append(text)
        return queue.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    queue.append(asked)  # index 0: the record of questions asked
    return queue


def _modified_session(make_napari_viewer: Any, folder: Path) -> tuple[Any, Any]:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    session.dm.set_time("time", TimeFrame.from_count(20))
    session.dm.set_data(KEY, PointData(), "time")
    session.save(folder)
    session.dm.get_data(KEY).add(4, np.array([[7.0, 8.0]], dtype=np.float32))
    assert session.dm.modified
    return viewer, session


def test_the_session_guard_sits_on_the_viewer_window(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    assert isinstance(session.workflow.close_guard, CloseGuard)
    assert session.workflow.close_guard.parent() is main_window(viewer)


def test_cancel_keeps_the_window_open(
    make_napari_viewer: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    asked = answers.pop(0)
    answers.append(QMessageBox.StandardButton.Cancel)
    window = main_window(viewer)
    destroyed: list[bool] = []
    window.destroyed.connect(lambda *_: destroyed.append(True))
    event = UserCloseEvent()
    QApplication.sendEvent(window, event)  # through Qt: the installed filter must veto it
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not event.isAccepted()
    assert destroyed == []
    assert len(asked) == 1 and "unsaved changes" in asked[0]
    assert session.dm.modified


def test_save_saves_then_lets_the_close_through(
    make_napari_viewer: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    answers.pop(0)
    answers.append(QMessageBox.StandardButton.Save)
    assert session.workflow.close_guard.eventFilter(main_window(viewer), UserCloseEvent()) is False
    assert not session.dm.modified
    np.testing.assert_array_equal(load_session(tmp_path / "s").get_data(KEY).at(4), [[7, 8]])


def test_discard_lets_the_close_through_without_saving(
    make_napari_viewer: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    answers.pop(0)
    answers.append(QMessageBox.StandardButton.Discard)
    discarded: list[bool] = []
    guard = CloseGuard(session, main_window(viewer), on_discard=lambda: discarded.append(True))
    assert guard.eventFilter(main_window(viewer), UserCloseEvent()) is False
    assert discarded == [True]
    assert load_session(tmp_path / "s").get_data(KEY).count_at(4) == 0


def test_no_question_when_saved_or_when_closed_by_code(
    make_napari_viewer: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    asked = answers.pop(0)
    guard = session.workflow.close_guard
    programmatic = QCloseEvent()
    assert programmatic.type() == QEvent.Type.Close and not programmatic.spontaneous()
    assert guard.eventFilter(main_window(viewer), programmatic) is False
    session.save()
    assert guard.eventFilter(main_window(viewer), UserCloseEvent()) is False
    assert asked == []
