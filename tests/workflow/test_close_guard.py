"""Closing a window with unsaved changes asks Save / Discard / Cancel (dialog patched)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from qtpy.QtCore import QEvent
from qtpy.QtGui import QCloseEvent
from qtpy.QtWidgets import QAction, QApplication, QMessageBox

from napari_whiskertoolbox.core import PointData, TimeFrame
from napari_whiskertoolbox.io import load_session
from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.workflow.close_guard import CloseGuard
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
KEY = "whiskers_tip"


class UserCloseEvent(QCloseEvent):
    """A close request as the window system delivers it (clicking the window's X)."""

    def spontaneous(self) -> bool:
        return True


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


def _saved_points_session(viewer: Any, folder: Path, modified: bool) -> Any:
    """The viewer's session holding KEY, saved to ``folder``, then a point added if ``modified``."""
    session = get_session(viewer)
    session.dm.set_time("time", TimeFrame.from_count(20))
    session.dm.set_data(KEY, PointData(), "time")
    session.save(folder)
    if modified:
        session.dm.get_data(KEY).add(4, np.array([[7.0, 8.0]], dtype=np.float32))
        assert session.dm.modified
    return session


def _activate(viewer: Any, qtbot: Any) -> None:
    """Raise the shown viewer's window and wait until it is Qt's active window."""
    viewer.window.activate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window(viewer), timeout=5000)


def _modified_session(make_napari_viewer: Any, folder: Path) -> tuple[Any, Any]:
    viewer = make_napari_viewer()
    return viewer, _saved_points_session(viewer, folder, modified=True)


def _shown_session(make_napari_viewer: Any, qtbot: Any, folder: Path, modified: bool) -> Any:
    viewer = make_napari_viewer(show=True)
    session = _saved_points_session(viewer, folder, modified)
    _activate(viewer, qtbot)
    return viewer, session


def test_the_session_guard_sits_on_the_viewer_window(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    session = get_session(viewer)
    assert isinstance(get_workflow(session.viewer).close_guard, CloseGuard)
    assert get_workflow(session.viewer).close_guard.parent() is main_window(viewer)


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
    assert len(asked) == 1
    assert "unsaved changes" in asked[0]
    assert session.dm.modified


def test_save_saves_then_closes_the_viewer(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    answers.pop(0)
    answers.append(QMessageBox.StandardButton.Save)
    window = main_window(viewer)
    event = UserCloseEvent()
    # The X-button close is taken over: napari must not ask its own question after ours.
    assert get_workflow(session.viewer).close_guard.eventFilter(window, event) is True
    assert not session.dm.modified
    np.testing.assert_array_equal(load_session(tmp_path / "s").get_data(KEY).at(4), [[7, 8]])
    qtbot.waitUntil(lambda: not hasattr(viewer.window, "_qt_window"), timeout=10_000)


def test_discard_closes_the_viewer_without_saving(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    answers.pop(0)
    answers.append(QMessageBox.StandardButton.Discard)
    discarded: list[bool] = []
    guard = CloseGuard(session, main_window(viewer), on_discard=lambda: discarded.append(True))
    assert guard.eventFilter(main_window(viewer), UserCloseEvent()) is True
    assert discarded == [True]
    assert load_session(tmp_path / "s").get_data(KEY).count_at(4) == 0
    qtbot.waitUntil(lambda: not hasattr(viewer.window, "_qt_window"), timeout=10_000)


def test_discard_leaves_no_autosave_once_the_window_is_gone(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any], autosave_dir: Path
) -> None:
    """Closing by code keeps unsaved edits for recovery; the user's Discard must not."""
    from napari_whiskertoolbox.workflow import autosave

    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    workflow = get_workflow(session.viewer)
    workflow.autosaver.autosave_now()
    workflow.autosaver.wait(30)
    assert autosave.find_recovery(tmp_path / "s", autosave_dir) is not None
    answers.pop(0)
    answers.append(QMessageBox.StandardButton.Discard)
    assert workflow.close_guard.eventFilter(main_window(viewer), UserCloseEvent()) is True
    qtbot.waitUntil(lambda: not hasattr(viewer.window, "_qt_window"), timeout=10_000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert autosave.find_recovery(tmp_path / "s", autosave_dir) is None


def test_no_question_when_saved_or_when_closed_by_code(
    make_napari_viewer: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _modified_session(make_napari_viewer, tmp_path / "s")
    asked = answers.pop(0)
    guard = get_workflow(session.viewer).close_guard
    programmatic = QCloseEvent()
    assert programmatic.type() == QEvent.Type.Close
    assert not programmatic.spontaneous()
    assert guard.eventFilter(main_window(viewer), programmatic) is False
    session.save()
    assert guard.eventFilter(main_window(viewer), UserCloseEvent()) is False
    assert asked == []


CLOSE_WINDOW = "napari.window.file.close_dialog"
"""app-model command id of napari's File > Close Window (its QAction's objectName)."""
EXIT = "napari.window.file.quit_dialog"
"""app-model command id of napari's File > Exit."""


def _shown_modified_session(make_napari_viewer: Any, qtbot: Any, folder: Path) -> tuple[Any, Any]:
    from napari.settings import get_settings

    get_settings().application.confirm_close_window = False  # napari's own "are you sure?"
    return _shown_session(make_napari_viewer, qtbot, folder, modified=True)


def _menu_action(viewer: Any, command_id: str) -> QAction:
    """The QAction of ``command_id`` in the window's menu bar (app-model names it by id)."""
    menus = [action.menu() for action in main_window(viewer).menuBar().actions()]
    while menus:
        menu = menus.pop()
        for action in menu.actions():
            if action.objectName() == command_id:
                return action
            if action.menu() is not None:
                menus.append(action.menu())
    raise AssertionError(f"napari's menu bar has no action for {command_id}")


@pytest.mark.parametrize("command_id", [CLOSE_WINDOW, EXIT])
def test_file_menu_close_and_exit_ask_and_cancel_keeps_the_window(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any], command_id: str
) -> None:
    viewer, session = _shown_modified_session(make_napari_viewer, qtbot, tmp_path / "s")
    asked = answers.pop(0)
    answers.append(QMessageBox.StandardButton.Cancel)
    _menu_action(viewer, command_id).trigger()  # what a click on the menu item does
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(asked) == 1
    assert "unsaved changes" in asked[0]
    assert main_window(viewer).isVisible()
    assert session.dm.modified
    # a cancelled Exit must not turn the window's next close into an application quit
    assert main_window(viewer)._quit_app is False


def test_ctrl_w_asks_first(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any]
) -> None:
    from qtpy.QtCore import Qt
    from qtpy.QtTest import QTest

    viewer, _session = _shown_modified_session(make_napari_viewer, qtbot, tmp_path / "s")
    asked = answers.pop(0)
    answers.append(QMessageBox.StandardButton.Cancel)
    QTest.keyClick(main_window(viewer), Qt.Key_W, Qt.ControlModifier)  # Close Window's key
    assert len(asked) == 1
    assert main_window(viewer).isVisible()


def test_viewer_close_of_a_shown_modified_window_does_not_ask(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _shown_modified_session(make_napari_viewer, qtbot, tmp_path / "s")
    asked = answers.pop(0)
    viewer.close()  # a script's or a test's decision: never a dialog
    assert asked == []
    assert session.dm.modified


# --------------------------------------------------------------------------- one question
@pytest.fixture
def napari_questions(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """napari's own "Close window?" / "Quit?" dialog, on (its default) and recorded."""
    from napari._qt.dialogs.confirm_close_dialog import ConfirmCloseDialog
    from napari.settings import get_settings
    from qtpy.QtWidgets import QDialog

    asked: list[bool] = []

    def exec_(dialog: Any) -> Any:
        asked.append(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConfirmCloseDialog, "exec_", exec_)
    monkeypatch.setattr(ConfirmCloseDialog, "exec", exec_)
    monkeypatch.setattr(get_settings().application, "confirm_close_window", True)
    return asked


@pytest.mark.parametrize("how", ["x_button", CLOSE_WINDOW, EXIT])
def test_napari_does_not_ask_next_to_us(
    make_napari_viewer: Any,
    qtbot: Any,
    tmp_path: Path,
    answers: list[Any],
    napari_questions: list[bool],
    how: str,
) -> None:
    viewer, session = _shown_session(make_napari_viewer, qtbot, tmp_path / "s", modified=True)
    asked = answers.pop(0)
    answers.append(QMessageBox.StandardButton.Cancel)
    if how == "x_button":
        QApplication.sendEvent(main_window(viewer), UserCloseEvent())
    else:
        _menu_action(viewer, how).trigger()
    assert len(asked) == 1
    assert napari_questions == [], "napari asked its own question next to ours"
    assert main_window(viewer).isVisible()
    assert session.dm.modified


def test_x_button_discard_closes_without_napari_asking(
    make_napari_viewer: Any,
    qtbot: Any,
    tmp_path: Path,
    answers: list[Any],
    napari_questions: list[bool],
) -> None:
    viewer, _session = _shown_session(make_napari_viewer, qtbot, tmp_path / "s", modified=True)
    asked = answers.pop(0)
    answers.append(QMessageBox.StandardButton.Discard)
    QApplication.sendEvent(main_window(viewer), UserCloseEvent())
    qtbot.waitUntil(lambda: not hasattr(viewer.window, "_qt_window"), timeout=10_000)
    assert len(asked) == 1
    assert napari_questions == []


def test_napari_asks_alone_when_nothing_is_unsaved(
    make_napari_viewer: Any,
    qtbot: Any,
    tmp_path: Path,
    answers: list[Any],
    napari_questions: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every change saved, napari's own question (the user's setting) is the only one."""
    from napari._qt.dialogs.confirm_close_dialog import ConfirmCloseDialog
    from qtpy.QtWidgets import QDialog

    viewer, _session = _shown_session(make_napari_viewer, qtbot, tmp_path / "s", modified=False)
    asked = answers.pop(0)
    monkeypatch.setattr(
        ConfirmCloseDialog,
        "exec_",
        lambda dialog: napari_questions.append(True) or QDialog.DialogCode.Rejected,
    )
    _menu_action(viewer, CLOSE_WINDOW).trigger()
    assert asked == []
    assert napari_questions == [True]
    assert main_window(viewer).isVisible()


def test_undoing_back_to_the_save_closes_without_a_question(
    make_napari_viewer: Any, qtbot: Any, tmp_path: Path, answers: list[Any]
) -> None:
    viewer, session = _shown_session(make_napari_viewer, qtbot, tmp_path / "s", modified=True)
    asked = answers.pop(0)
    session.dm.undo()
    assert not session.dm.modified
    assert get_workflow(viewer).close_guard.confirm_close()
    assert asked == []


# --------------------------------------------------------------------------- exit, many windows
def test_exit_asks_for_every_window_with_unsaved_changes(
    make_napari_viewer: Any,
    qtbot: Any,
    tmp_path: Path,
    answers: list[Any],
    napari_questions: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import napari._qt.qt_main_window as qt_main_window

    quits: list[bool] = []

    def quit_app() -> None:  # napari's quit_app without quitting the test's QApplication
        from napari import Viewer

        quits.append(True)
        for open_viewer in list(Viewer._instances):
            open_viewer.close()

    monkeypatch.setattr(qt_main_window, "quit_app_", quit_app)
    first, first_session = _shown_session(make_napari_viewer, qtbot, tmp_path / "a", True)
    _saved, _ = _shown_session(make_napari_viewer, qtbot, tmp_path / "b", modified=False)
    _third, third_session = _shown_session(make_napari_viewer, qtbot, tmp_path / "c", True)
    asked = answers.pop(0)
    answers.extend([QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Save])
    _activate(first, qtbot)
    _menu_action(first, EXIT).trigger()
    assert len(asked) == 2, "one question per window with unsaved changes"
    assert not first_session.dm.modified
    assert not third_session.dm.modified
    assert load_session(tmp_path / "c").get_data(KEY).count_at(4) == 1
    assert napari_questions == []
    assert quits == [True]


def test_cancel_in_any_window_keeps_napari_running(
    make_napari_viewer: Any,
    qtbot: Any,
    tmp_path: Path,
    answers: list[Any],
    napari_questions: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import napari._qt.qt_main_window as qt_main_window

    quits: list[bool] = []
    monkeypatch.setattr(qt_main_window, "quit_app_", lambda: quits.append(True))
    first, _ = _shown_session(make_napari_viewer, qtbot, tmp_path / "a", True)
    second, second_session = _shown_session(make_napari_viewer, qtbot, tmp_path / "b", True)
    asked = answers.pop(0)
    answers.extend([QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Cancel])
    _activate(first, qtbot)
    _menu_action(first, EXIT).trigger()
    assert len(asked) == 2
    assert quits == []
    assert main_window(first).isVisible()
    assert main_window(second).isVisible()
    assert second_session.dm.modified
    assert main_window(first)._quit_app is False
