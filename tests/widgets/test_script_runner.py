"""GUI tests of the script-runner dock on a real napari viewer with the sample session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from _script_runner_support import RUN_TIMEOUT_MS, docked_runner, run_and_wait
from qtpy.QtCore import Qt
from qtpy.QtGui import QTextCursor

from _file_drops import drop_file
from napari_whiskertoolbox._sample_data import adopt_data_manager
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.recent_files import RecentFiles
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.widgets.output_pane import OutputPane

pytestmark = pytest.mark.gui


@pytest.fixture
def viewer(make_napari_viewer):
    viewer = make_napari_viewer()
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=30))
    return viewer


@pytest.fixture
def runner(viewer, qtbot, tmp_path: Path) -> ScriptRunnerWidget:
    return docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))


def output_fragments(pane: OutputPane) -> list[tuple[str, str]]:
    """(text, foreground colour) of every formatted run in the output pane."""
    fragments = []
    block = pane.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            color = fragment.charFormat().foreground().color().name()
            fragments.append((fragment.text(), color))
            iterator += 1
        block = block.next()
    return fragments


def test_run_shows_stdout_stderr_and_new_data_as_a_layer(qtbot, viewer, runner) -> None:
    code = (
        "import sys\n"
        "print('nose frames:', len(dm.getData('nose').getTimesWithData()))\n"
        "print('careful', file=sys.stderr)\n"
        "tips = PointData()\n"
        "for t, whiskers in frames_with_data(dm, 'whiskers'):\n"
        "    tips.addAtTime(t, [Point2D(*w[-1]) for w in whiskers])\n"
        "dm.setData('whisker_tips', tips, 'camera')\n"
        "tips.getTimesWithData()[:3]\n"
    )
    result = run_and_wait(qtbot, runner, code)
    assert result.success, result.error
    fragments = output_fragments(runner.output)
    text = "".join(t for t, _ in fragments)
    assert "nose frames: 30" in text
    # repr of the trailing expression, as WhiskerToolbox prints its list of TimeFrameIndex
    assert "[TimeFrameIndex(0), TimeFrameIndex(1), TimeFrameIndex(2)]" in text
    stderr_colors = {color for t, color in fragments if "careful" in t}
    stdout_colors = {color for t, color in fragments if "nose frames" in t}
    assert stderr_colors
    assert stdout_colors
    assert stderr_colors.isdisjoint(stdout_colors)
    qtbot.waitUntil(
        lambda: any(layer.metadata.get("wtb_key") == "whisker_tips" for layer in viewer.layers),
        timeout=5000,
    )
    assert "tips" in runner.inspector.names()


def test_a_run_editing_every_frame_is_undone_with_one_ctrl_z(qtbot, viewer, runner) -> None:
    from napari_whiskertoolbox.workflow import actions

    nose_layer = next(layer for layer in viewer.layers if layer.metadata.get("wtb_key") == "nose")
    shown = np.array(nose_layer.data, copy=True)
    code = (
        "nose = dm.getData('nose')\n"
        "for t in nose.getTimesWithData():\n"
        "    p = nose.getAtTime(t)[0]\n"
        "    nose.clearAtTime(t)\n"
        "    nose.addAtTime(t, [Point2D(p.x + 5, p.y)])\n"
        "dm.setData('nose_x', AnalogTimeSeries(np.zeros(30, np.float32)), 'camera')\n"
    )
    run_and_wait(qtbot, runner, code, succeed=True)
    dm = get_session(viewer).dm
    assert dm.history.undo_label == "run untitled"
    qtbot.waitUntil(lambda: not np.array_equal(nose_layer.data, shown), timeout=5000)
    assert actions.undo(get_session(viewer))  # what Ctrl+Z does
    assert "nose_x" not in dm
    qtbot.waitUntil(lambda: np.array_equal(nose_layer.data, shown), timeout=5000)


def test_error_traceback_goes_to_the_output_in_stderr_colour(qtbot, runner) -> None:
    result = run_and_wait(qtbot, runner, "x = 1\ny = dm.get_data('no_such_key')\n")
    assert not result.success
    fragments = output_fragments(runner.output)
    error_lines = [(t, c) for t, c in fragments if "no_such_key" in t]
    assert error_lines
    assert "line 2" in "".join(t for t, _ in fragments)
    assert runner._status.value == "failed"


def test_cancel_from_the_dock_stops_an_infinite_loop(qtbot, viewer, runner, notifications) -> None:
    from napari_whiskertoolbox.workflow import actions

    dm = get_session(viewer).dm
    runner.editor.setPlainText("dm.delete_data('nose')\nwhile True:\n    pass\n")
    runner.run_file()
    qtbot.waitUntil(lambda: runner.is_running and "nose" not in dm, timeout=5000)
    assert not actions.undo(get_session(viewer))  # Ctrl+Z would edit under the running script
    assert "nose" not in dm
    assert any("A script is running" in m for m in notifications)
    assert not runner._busy_bar.isHidden()
    assert runner._cancel_button.enabled
    assert not runner._run_button.enabled
    with qtbot.waitSignal(runner.run_finished, timeout=10_000) as blocker:
        runner.cancel()
    assert blocker.args[0].cancelled
    assert runner._busy_bar.isHidden()
    assert run_and_wait(qtbot, runner, "1 + 1").value_repr == "2"
    viewer.dims.set_current_step(0, 5)  # napari still responds
    assert viewer.dims.current_step[0] == 5


def test_a_cancelled_script_blocked_in_a_call_says_where_it_waits(qtbot, viewer, runner) -> None:
    runner.editor.setPlainText("import time\nx = 1\ntime.sleep(3)\n")
    runner.run_file()
    qtbot.waitUntil(lambda: runner.engine.running_line() == 3, timeout=5000)
    with qtbot.waitSignal(runner.run_finished, timeout=10_000) as blocker:
        runner.cancel()
        qtbot.waitUntil(lambda: "still running line 3" in runner.output.toPlainText(), timeout=3000)
    assert blocker.args[0].cancelled
    assert "time.sleep" in runner.output.toPlainText()
    assert runner.engine.running_line() is None


def test_a_cancel_says_cancel_requested_first_and_where_it_waits_once(qtbot, runner) -> None:
    """Trial 27: after one cancelled run, cancelling the next (blocked in time.sleep) logged
    "still running line 2" before "cancel requested…", then the same line again: the first
    cancel's note was still pending when its run ended."""
    from napari_whiskertoolbox.widgets.script_runner import CANCEL_WAIT_NOTE_MS

    runner.editor.setPlainText("while True:\n    pass\n")
    runner.run_file()
    qtbot.waitUntil(lambda: runner.is_running, timeout=5000)
    with qtbot.waitSignal(runner.run_finished, timeout=10_000):
        runner.cancel()
    runner.output.clear()
    runner.editor.setPlainText("import time\ntime.sleep(4)\n")
    runner.run_file()
    qtbot.waitUntil(lambda: runner.engine.running_line() == 2, timeout=5000)
    qtbot.wait(CANCEL_WAIT_NOTE_MS + 300)  # the first cancel's note would be due by now
    runner.output.flush()
    assert "still running" not in runner.output.toPlainText()
    with qtbot.waitSignal(runner.run_finished, timeout=10_000) as blocker:
        runner.cancel()
        qtbot.waitUntil(lambda: "still running line 2" in runner.output.toPlainText(), timeout=3000)
    assert blocker.args[0].cancelled
    runner.output.flush()
    text = runner.output.toPlainText()
    assert text.count("still running line 2") == 1, text
    assert text.index("cancel requested") < text.index("still running line 2"), text


def test_console_receives_dm_and_script_variables(qtbot, viewer, runner, monkeypatch) -> None:
    pushed: list[dict] = []
    original = type(viewer).update_console

    def spy(self, variables):
        if self is viewer:
            pushed.append(dict(variables))
        return original(self, variables)

    # The Viewer model refuses instance attributes, so spy on the class for this test.
    monkeypatch.setattr(type(viewer), "update_console", spy)
    run_and_wait(qtbot, runner, "threshold = 3\nangles = dm.getData('whisker_angle').values\n")
    assert pushed, "nothing was pushed to napari's console"
    assert pushed[-1]["dm"] is get_session(viewer).dm
    assert pushed[-1]["threshold"] == 3
    assert np.shares_memory(
        pushed[-1]["angles"], get_session(viewer).dm.get_data("whisker_angle").values
    )
    assert runner.last_console_push.keys() == pushed[-1].keys()


def test_script_uses_the_viewer_from_its_worker_thread(qtbot, viewer, runner) -> None:
    code = (
        "import threading, napari\n"
        "on_worker = threading.current_thread() is not threading.main_thread()\n"
        "names = [layer.name for layer in viewer.layers]\n"
        "viewer.dims.set_current_step(0, 7)\n"
        "extra = viewer.add_points(np.array([[1.0, 2.0, 3.0]]), name='from_script')\n"
        "extra.opacity = 0.5\n"
        "(on_worker, isinstance(viewer, napari.Viewer), 'whiskers' in names)\n"
    )
    result = run_and_wait(qtbot, runner, code)
    assert result.success, result.error
    assert result.value_repr == "(True, True, True)"
    assert viewer.dims.current_step[0] == 7
    assert viewer.layers["from_script"].opacity == 0.5


def test_run_selection_with_shift_enter(qtbot, runner) -> None:
    runner.editor.setPlainText("first = 1\nsecond = 2\n")
    cursor = runner.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.Down)
    runner.editor.setTextCursor(cursor)
    with qtbot.waitSignal(runner.run_finished, timeout=RUN_TIMEOUT_MS):
        qtbot.keyClick(runner.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    namespace = runner.engine.namespace
    assert namespace.get("second") == 2
    assert "first" not in namespace
    assert runner.editor.toPlainText() == "first = 1\nsecond = 2\n"  # no newline inserted


def test_open_save_modified_marker_and_recent_files(qtbot, runner, tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text("value = 41\n")
    runner.open_path(script)
    assert runner._title.value == "analysis.py"
    runner.editor.moveCursor(QTextCursor.MoveOperation.End)
    runner.editor.insertPlainText("value += 1\n")
    assert runner.modified
    assert runner._title.value == "analysis.py *"
    runner.save()
    assert not runner.modified
    assert runner._title.value == "analysis.py"
    assert script.read_text() == "value = 41\nvalue += 1\n"
    copy = tmp_path / "copy.py"
    runner.save_to(copy)
    assert runner.path == copy.resolve()
    assert RecentFiles(tmp_path / "recent.json").load() == [
        str(copy.resolve()),
        str(script.resolve()),
    ]
    result = run_and_wait(qtbot, runner)
    assert runner.engine.namespace["value"] == 42
    assert result.success


def test_run_file_saves_edits_and_runs_in_the_script_folder(qtbot, runner, tmp_path) -> None:
    script = tmp_path / "where.py"
    script.write_text("")
    runner.open_path(script)
    runner.editor.setPlainText("import os\nhere = os.getcwd()\n")
    run_and_wait(qtbot, runner)
    assert script.read_text() == "import os\nhere = os.getcwd()\n"
    assert runner.engine.namespace["here"] == str(tmp_path)


def test_new_from_template_and_unsaved_changes_guard(qtbot, runner, monkeypatch) -> None:
    runner.new_from_template("Per-interval summary")
    assert "intervals_of" in runner.editor.toPlainText()
    assert runner.path is None
    assert not runner.modified
    runner.editor.insertPlainText("# my edit\n")
    monkeypatch.setattr(ScriptRunnerWidget, "confirm_discard", lambda self: False)
    runner.new_from_template("Blank")
    assert "# my edit" in runner.editor.toPlainText()
    result = run_and_wait(qtbot, runner)
    assert result.success, result.error
    assert "contact_summary" in get_session(runner._viewer).dm


def test_dropping_a_py_file_opens_it(qtbot, runner, tmp_path: Path) -> None:
    script = tmp_path / "dropped.py"
    script.write_text("dropped = True\n")
    _drop(runner, script)
    assert runner.path == script.resolve()
    assert runner.editor.toPlainText() == "dropped = True\n"


def test_import_new_data_with_chosen_clock(qtbot, runner) -> None:
    run_and_wait(qtbot, runner, "speed = AnalogTimeSeries(np.ones(30, dtype=np.float32))\n")
    assert "speed" in runner._new_data_label.value
    assert runner.import_new_data("camera") == ["speed"]
    dm = get_session(runner._viewer).dm
    assert dm.time_key("speed") == "camera"
    runner.reset_namespace()
    assert "speed" not in runner.engine.namespace
    assert runner.inspector.names() == ["dm", "viewer"]


def test_a_hundred_thousand_lines_are_capped_in_the_pane(qtbot, runner) -> None:
    result = run_and_wait(qtbot, runner, "for i in range(100_000):\n    print(i)\n")
    assert result.success
    document = runner.output.document()
    assert document.blockCount() <= runner.output.maximumBlockCount()
    assert "99999" in runner.output.toPlainText()


def test_selection_errors_report_editor_line_numbers(qtbot, runner) -> None:
    runner.editor.setPlainText("a = 1\nb = 2\nc = missing_name\n")
    cursor = runner.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.Down)
    cursor.movePosition(QTextCursor.MoveOperation.Down, QTextCursor.MoveMode.KeepAnchor)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfLine, QTextCursor.MoveMode.KeepAnchor)
    runner.editor.setTextCursor(cursor)
    with qtbot.waitSignal(runner.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        runner.run_selection()
    error = blocker.args[0].error
    assert 'File "<selection of untitled>", line 3, in <module>' in error
    assert "c = missing_name" in error
    assert "NameError" in error


def test_the_editor_gets_two_fifths_and_12_lines_of_the_split_until_the_user_drags(
    make_napari_viewer, qtbot, tmp_path: Path
) -> None:
    # the editor had 150 of 480 pixels (8 lines) in a 1000-pixel window with the
    # Timeline docked, while the output tab below it stood mostly empty; with three fifths,
    # the output log then had 9 lines of a 1600x1200 window, too few for a traceback; with
    # halves a 1366x768 laptop had 16 lines of code and 9 of log
    viewer = make_napari_viewer(show=True)
    runner = docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    window = runner.native.window()
    window.resize(1280, 900)
    editor, tabs = runner.editor, runner.tabs
    qtbot.waitUntil(lambda: tabs.height() > 0 and editor.isVisible())

    def editor_share() -> float:
        return editor.height() / (editor.height() + tabs.height())

    qtbot.waitUntil(lambda: abs(editor_share() - 0.4) < 0.02)
    # where two fifths are fewer than 12 lines of code, the editor keeps 12
    window.resize(1280, 600)
    qtbot.waitUntil(lambda: window.height() == 600)
    qtbot.wait(50)
    lines = editor.viewport().height() / editor.fontMetrics().lineSpacing()
    assert editor_share() > 0.42, editor_share()
    assert lines >= 12, lines
    # a split the user dragged stays theirs when the window changes size
    window.resize(1280, 900)
    qtbot.waitUntil(lambda: abs(editor_share() - 0.4) < 0.02)
    splitter = editor.parentWidget()
    splitter.moveSplitter((editor.height() + tabs.height()) * 7 // 10, 1)
    assert splitter.user_sized
    assert editor.height() > tabs.height()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.height() == 800)
    qtbot.wait(50)
    assert editor.height() > tabs.height()


def test_ctrl_s_in_the_editor_saves_the_script_not_the_session(
    make_napari_viewer, qtbot, tmp_path: Path, monkeypatch
) -> None:
    # Ctrl+S while typing a script opened "Save the WhiskerToolbox session in" and left
    # the script unsaved
    from qtpy.QtTest import QTest
    from qtpy.QtWidgets import QApplication, QFileDialog

    from napari_whiskertoolbox.workflow import actions

    viewer = make_napari_viewer(show=True)
    adopt_data_manager(get_session(viewer).dm, make_sample_session(n_frames=5))
    runner = docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    sessions_saved: list[object] = []
    monkeypatch.setattr(actions, "save", sessions_saved.append)
    dialogs: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (dialogs.append("save") or "", "")
    )
    script = tmp_path / "analysis.py"
    script.write_text("x = 1\n")
    runner.open_path(script)
    viewer.window.activate()
    runner.editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is runner.editor)
    qtbot.keyClicks(runner.editor, "y = 2  # ")
    assert runner.modified
    QTest.keyClick(runner.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not runner.modified
    assert script.read_text().startswith("y = 2  # x = 1")
    assert sessions_saved == []
    assert dialogs == []
    # Ctrl+Shift+S: the script's Save As, not napari's Save All Layers
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(runner.editor, Qt.Key.Key_S, shift_ctrl)
    assert dialogs == ["save"]
    assert sessions_saved == []


def test_the_run_status_leaves_the_docks_minimum_width(qtbot, make_napari_viewer, tmp_path):
    """ "running… 0.3 s" asked for 40 pixels more than "done"; Qt keeps a dock's largest
    minimum width, so after one run the runner held napari's window 40 pixels wider."""
    viewer = make_napari_viewer(show=True)
    runner = docked_runner(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    dock = runner.native.parentWidget()
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    qtbot.wait(50)
    before = dock.minimumWidth()
    for status in ("running… 0.3 s", "running… 1234.5 s", "done"):
        runner._status.value = status
        qtbot.wait(50)  # the dock's layout settles
    assert dock.minimumWidth() == before
    runner._status.value = "running… 1234.5 s"
    assert runner._status.toolTip() in ("", "running… 1234.5 s")  # whole text when elided


def _drop(runner: ScriptRunnerWidget, path: Path) -> None:
    drop_file(runner.editor, path)


def test_a_file_that_is_not_utf8_is_refused_in_the_dock_by_name_and_line(
    qtbot, runner, tmp_path: Path
) -> None:
    """Dropped, or chosen in Recent, a Latin-1 file raised "'utf-8' codec can't decode byte
    0xe9 in position 5" out of a Qt slot: PyQt6 aborted a script without napari.run()."""
    runner.editor.setPlainText("kept = 1\n")
    bad = tmp_path / "latin1.py"
    bad.write_bytes(b'# caf\xe9 script\nprint("latin1")\n')
    _drop(runner, bad)  # an exception escaping the slot fails the test (pytest-qt)
    assert runner.editor.toPlainText() == "kept = 1\n"  # the editor unchanged
    assert runner.path is None
    runner.output.flush()
    log = runner.output.toPlainText()
    assert str(bad) in log
    assert "line 1, column 6" in log
    assert "0xe9" in log
    assert "coding" in log
    runner._recent.add(bad)  # Recent goes the same way
    runner._fill_recent_menu()
    [action] = [a for a in runner._recent_menu.actions() if a.text() == "latin1.py"]
    action.trigger()
    assert runner.editor.toPlainText() == "kept = 1\n"
    runner.output.flush()
    assert runner.output.toPlainText().count("0xe9") == 2


def test_a_file_with_a_coding_line_opens_and_saves_in_its_encoding(
    qtbot, runner, tmp_path: Path
) -> None:
    script = tmp_path / "latin.py"
    script.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    runner.editor.document().setModified(False)
    _drop(runner, script)
    assert runner.editor.toPlainText() == "# -*- coding: latin-1 -*-\nname = 'café'\n"
    runner.editor.setPlainText(runner.editor.toPlainText() + "other = 'né'\n")
    assert runner.save()
    assert script.read_bytes() == b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nother = 'n\xe9'\n"
    result = run_and_wait(qtbot, runner)
    assert result.success, result.error
    assert runner.engine.namespace["name"] == "café"


def test_the_environment_label_never_cuts_the_python_version(qtbot, runner) -> None:
    """At napari's 1089x630 window the label read "Python 3.1…: analysis" (Python 3.1)."""
    import sys

    from napari_whiskertoolbox.widgets.elided_label import ElidedLabel

    version = f"Python {sys.version_info.major}.{sys.version_info.minor}"
    assert runner._environment_label.keep == f"{version} "
    assert runner._environment_label.value.startswith(f"{version} · env: ")
    label = ElidedLabel(keep=runner._environment_label.keep)
    qtbot.addWidget(label)
    label.value = f"{version} · env: analysis-with-a-long-name"
    label.show()
    for width in (label.minimumSizeHint().width(), 150, 200):
        label.resize(width, label.height())
        qtbot.waitUntil(lambda: label.width() == width)  # noqa: B023
        assert label.text().startswith(f"{version} "), (width, label.text())
        assert label.elided
        assert label.toolTip().startswith(f"{version} · env: analysis-with-a-long-name")
