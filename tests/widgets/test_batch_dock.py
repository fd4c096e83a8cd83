"""The Batch dock on a real napari viewer: run, live table, progress, cancel, open outputs."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import numpy as np
import pytest
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.batch import MARKER_FILE
from napari_whiskertoolbox.io import save_session
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.batch_dock import COLUMNS, MAX_COLUMN_WIDTH, BatchWidget
from napari_whiskertoolbox.widgets.recent_files import RecentFiles
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

WAIT_MS = 90_000
NAMES = ("mouse1", "mouse2", "mouse3")

SCRIPT = """\
angle = dm.get_data("whisker_angle").values
dm.set_data("angle_sign", AnalogTimeSeries(np.sign(angle)), "time")
dm.set_data("whisker_angle", AnalogTimeSeries(angle - angle.mean()), "time")
name = dm.metadata.get("name")
if name == "mouse3" and dm.metadata.get("stuck"):
    import time
    while True:
        time.sleep(0.01)
results = {"mean_angle": float(angle.mean()), "n": len(angle), "label": f"{name} ok"}
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dock_sessions")
    for seed, name in enumerate(NAMES, start=1):
        dm = make_sample_session(12, seed=seed)
        dm.metadata["name"] = name
        save_session(dm, root / f"{name}.session")
    return root


@pytest.fixture
def sessions(saved: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(saved, target)
    return target


@pytest.fixture
def dock(make_napari_viewer, qtbot) -> BatchWidget:
    viewer = make_napari_viewer()
    widget = BatchWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Batch", area="right")
    return widget


def _prepare(dock: BatchWidget, sessions: Path, tmp_path: Path) -> None:
    script = tmp_path / "angle.py"
    script.write_text(SCRIPT)
    dock.task_source.setCurrentIndex(2)  # a file
    dock.task_path.setText(str(script))
    dock.session_folder.setText(str(sessions))
    dock.session_glob.setText("*.session")
    dock.add_button.click()
    dock.n_workers.setValue(1)
    dock.out_dir.setText(str(tmp_path / "out"))


def _statuses(dock: BatchWidget) -> list[str]:
    return [
        dock.table.item(row, COLUMNS.index("status")).text() for row in range(dock.table.rowCount())
    ]


def test_run_fills_the_table_and_opens_outputs(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    broken = sessions / "mouse2.session" / "session.json"
    broken.write_text(broken.read_text().replace('"data"', '"dat"', 1))
    _prepare(dock, sessions, tmp_path)
    assert dock.sessions() == [str(sessions / f"{n}.session") for n in NAMES]

    dock.run_button.click()  # returns at once: the batch runs on a worker thread
    assert dock.is_running
    assert not dock.run_button.isEnabled()
    assert dock.cancel_button.isEnabled()
    activity = dock._worker.pbar  # napari's progress bar of the thread_worker (activity dock)
    assert activity.total == 3
    assert activity.desc == "Batch angle.py"
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)

    assert _statuses(dock) == ["done", "failed", "done"]
    header = dock.table.horizontalHeader()
    shown = [header.logicalIndex(v) for v in range(dock.table.columnCount())]
    headers = [dock.table.horizontalHeaderItem(c).text() for c in shown]
    # the values the script left in `results`, a column each right after the error
    assert headers == [*COLUMNS[:3], "mean_angle", "n", "label", *COLUMNS[3:]]
    assert dock.table_rows()[0] == headers
    values = {name: shown[headers.index(name)] for name in ("mean_angle", "n", "label")}
    assert [dock.table.item(0, values[n]).text() for n in ("n", "label")] == ["120", "mouse1 ok"]
    assert dock.table.item(1, values["n"]) is None  # failed: no values
    record = dock.report.records[0]
    assert dock.table.item(0, values["mean_angle"]).text() == f"{record.results['mean_angle']:.4g}"
    assert dock.table.item(0, values["mean_angle"]).toolTip() == (
        f"mean_angle = {record.results['mean_angle']!r}"
    )
    # the reason a session failed is in view in a dock as narrow as napari's default
    dock.resize(420, dock.height())
    error_x = dock.table.columnViewportPosition(COLUMNS.index("error"))
    assert 0 <= error_x < dock.table.viewport().width() - 60
    assert [
        dock.table.item(0, c).text()
        for c in (COLUMNS.index("keys added"), COLUMNS.index("keys changed"))
    ] == ["angle_sign", "whisker_angle"]
    assert "session.json" in dock.table.item(1, COLUMNS.index("error")).toolTip()
    # a long error is elided at the widest a column is fitted to, whole on hover
    error_width = dock.table.fontMetrics().horizontalAdvance(
        dock.table.item(1, COLUMNS.index("error")).text()
    )
    assert error_width > MAX_COLUMN_WIDTH
    assert dock.table.columnWidth(COLUMNS.index("error")) == MAX_COLUMN_WIDTH
    assert (
        dock.table.item(0, COLUMNS.index("peak memory")).text().endswith(" MiB")
    )  # the worker's peak memory
    # the local cluster closed with the batch: no dead dashboard link is offered
    assert dock.cluster.text() == "dask: local cluster, 1 worker, closed"
    assert "dashboard" not in dock.status.text()
    assert dock.table.item(0, COLUMNS.index("duration")).text().endswith(" s")
    assert dock.run_button.isEnabled()
    assert "1 failed" in dock.status.text()
    assert (tmp_path / "out" / "batch_results.parquet").is_file()
    # where the values the script left in `results` are, in the line a user reads
    assert str(tmp_path / "out" / "batch_results.csv") in dock.status.text()

    viewer = dock._viewer
    dock.table.cellDoubleClicked.emit(0, 0)  # an empty viewer session: opens here
    dm = get_session(viewer).dm
    assert "angle_sign" in dm
    assert "whisker_angle" in dm
    assert "whiskers" in [layer.name for layer in viewer.layers]

    dock.table.cellDoubleClicked.emit(1, 0)  # failed: nothing to open, it says why
    assert dock.status.text().startswith("mouse2 failed, nothing saved to open: FormatError: ")
    assert (
        dock.table.item(1, COLUMNS.index("status")).toolTip()
        == dock.table.item(1, COLUMNS.index("error")).toolTip()
    )  # hover "failed"

    dock.copy_table()  # as tab-separated text, to paste in a spreadsheet
    copied = [line.split("\t") for line in QApplication.clipboard().text().splitlines()]
    assert copied[0] == headers
    assert copied[1][headers.index("mean_angle")] == str(record.results["mean_angle"])  # whole
    assert copied[2][headers.index("status")] == "failed"
    assert "Copied 3 sessions × 11 columns" in dock.status.text()


def test_an_empty_error_column_leaves_the_result_columns_in_view(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    """Trial 27: with every session done, the empty error column kept its 220 px and the
    result columns were scrolled off to the right of the dock."""
    _prepare(dock, sessions, tmp_path)
    dock.resize(420, 700)
    dock.run_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    assert _statuses(dock) == ["done", "done", "done"]
    table = dock.table
    error = COLUMNS.index("error")
    header_width = table.horizontalHeader().sectionSizeHint(error)
    assert table.columnWidth(error) <= header_width  # as narrow as its header
    header = table.horizontalHeader()
    shown = [header.logicalIndex(v) for v in range(table.columnCount())]
    names = [table.horizontalHeaderItem(c).text() for c in shown]
    for name in ("mean_angle", "n"):
        column = shown[names.index(name)]
        end = table.columnViewportPosition(column) + table.columnWidth(column)
        assert 0 < end <= table.viewport().width(), name
        text = table.item(0, column).text()
        assert table.columnWidth(column) >= table.fontMetrics().horizontalAdvance(text)


def test_cancel_keeps_finished_outputs(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    stuck = sessions / "mouse3.session" / "session.json"
    document = json.loads(stuck.read_text())
    document["metadata"]["stuck"] = True
    stuck.write_text(json.dumps(document))
    _prepare(dock, sessions, tmp_path)
    dock.run_button.click()
    qtbot.waitUntil(lambda: _statuses(dock)[:2] == ["done", "done"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _statuses(dock)[2] == "running", timeout=WAIT_MS)
    dock.cancel_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=30_000)
    assert _statuses(dock) == ["done", "done", "cancelled"]
    assert dock.report.cancelled
    for name in NAMES[:2]:
        assert (tmp_path / "out" / "sessions" / name / MARKER_FILE).is_file()
    assert not (tmp_path / "out" / "sessions" / "mouse3" / MARKER_FILE).exists()


def test_sessions_cancelled_before_they_started_show_no_time(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    """Was: "0.00 s" and 1 attempt for sessions that never ran; "—" and 0 now."""
    for name in ("mouse1", "mouse3"):  # the first runs until cancelled, the others wait
        document_path = sessions / f"{name}.session" / "session.json"
        document = json.loads(document_path.read_text())
        document["metadata"]["stuck"] = True
        document["metadata"]["name"] = "mouse3"  # the script's stuck branch
        document_path.write_text(json.dumps(document))
    _prepare(dock, sessions, tmp_path)
    dock.run_button.click()
    qtbot.waitUntil(lambda: _statuses(dock)[0] == "running", timeout=WAIT_MS)
    dock.cancel_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=30_000)
    assert _statuses(dock) == ["cancelled"] * 3
    durations = [dock.table.item(row, COLUMNS.index("duration")).text() for row in range(3)]
    assert durations[0].endswith(" s")
    assert durations[0] != "0.00 s"
    assert durations[1:] == ["—", "—"]
    assert [r.attempts for r in dock.report.records] == [1, 0, 0]


def test_task_from_the_script_runner(make_napari_viewer, tmp_path: Path) -> None:
    viewer = make_napari_viewer()
    runner = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    script = tmp_path / "mine.py"
    script.write_text("results = {}\n")
    runner.open_path(script)
    dock = BatchWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Batch", area="right")
    dock.task_source.setCurrentIndex(2)
    dock.task_source.setCurrentIndex(0)
    assert dock.task_path.text() == str(script.resolve())


def test_a_file_typed_or_browsed_for_is_the_task(
    dock: BatchWidget, qtbot, tmp_path: Path, monkeypatch
) -> None:
    """Under the default task source, *Script in the script runner*, a script path typed
    into File (or chosen with Browse…) was ignored: Run said "Open or save a script in the
    Script runner dock first"."""
    assert dock.task_source.currentText() == "Script in the script runner"
    qtbot.keyClicks(dock.task_path, str(tmp_path / "angle.py"))
    assert dock.task_source.currentText() == "File"
    assert dock.task_path.text() == str(tmp_path / "angle.py")
    dock.task_source.setCurrentIndex(0)
    chosen = str(tmp_path / "other.py")
    monkeypatch.setattr(
        "napari_whiskertoolbox.widgets.batch_dock.QFileDialog.getOpenFileName",
        lambda *a, **k: (chosen, ""),
    )
    dock._browse_task()
    assert dock.task_source.currentText() == "File"
    assert dock.task_path.text() == chosen


def test_the_runner_script_is_taken_as_edited_when_the_batch_starts(
    make_napari_viewer, qtbot, sessions: Path, tmp_path: Path, monkeypatch
) -> None:
    # the Batch dock opened first, the script opened and edited in the runner afterwards:
    # Run takes that script with its unsaved edit, not an older file or none
    viewer = make_napari_viewer()
    dock = BatchWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Batch", area="right")
    runner = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    dock.add_sessions([sessions / "mouse1.session"])
    started: list[Path] = []
    monkeypatch.setattr(dock, "_start_worker", lambda task, s, o, c: started.append(task))
    assert dock.task_source.currentIndex() == 0
    dock.run()  # nothing open in the runner yet
    assert not started
    assert dock.status.text().startswith("Open or save a script in the Script runner")
    script = tmp_path / "mine.py"
    script.write_text("results = {}\n")
    runner.open_path(script)
    cursor = runner.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    runner.editor.setTextCursor(cursor)
    qtbot.keyClicks(runner.editor, "results['edited'] = 1")
    assert runner.modified
    dock.run()
    assert started == [script.resolve()]
    assert "results['edited'] = 1" in script.read_text()
    assert not runner.modified


def test_text_set_from_code_in_the_runner_is_what_the_batch_runs(
    make_napari_viewer, sessions: Path, tmp_path: Path, monkeypatch
) -> None:
    """Trial 27: ``runner.editor.setPlainText(...)`` left ``runner.modified`` False while
    the settings recorded ``editor_modified: True``; the batch then ran the old file."""
    viewer = make_napari_viewer()
    runner = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    dock = BatchWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Batch", area="right")
    script = tmp_path / "mine.py"
    script.write_text("results = {}\n")
    runner.open_path(script)
    assert not runner.modified
    assert runner.settings.editor_modified is False
    runner.editor.setPlainText("results = {'edited': 1}\n")
    assert runner.modified  # one notion: the document's, in the dock and in its settings
    assert runner.settings.editor_modified is True
    assert runner._title.value == "mine.py *"
    dock.add_sessions([sessions / "mouse1.session"])
    started: list[Path] = []
    monkeypatch.setattr(dock, "_start_worker", lambda task, s, o, c: started.append(task))
    dock.run()
    assert started == [script.resolve()]
    assert script.read_text() == "results = {'edited': 1}\n"
    assert not runner.modified
    assert runner.settings.editor_modified is False


def test_pipeline_library_entries(
    make_napari_viewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from napari_whiskertoolbox.transforms.library import LIBRARY_ENV

    library = tmp_path / "library"
    library.mkdir()
    (library / "angle.json").write_text(
        json.dumps(
            {
                "metadata": {"name": "Whisker angle"},
                "steps": [{"step_id": "a", "transform_name": "CalculateLineAngle"}],
            }
        )
    )
    monkeypatch.setenv(LIBRARY_ENV, str(library))
    dock = BatchWidget(make_napari_viewer())
    dock.task_source.setCurrentIndex(1)
    assert dock.library.currentText() == "Whisker angle"
    assert dock.task_path.text() == str(library / "angle.json")


def test_arguments_are_split_as_a_shell_does(
    dock: BatchWidget, sessions: Path, tmp_path: Path, monkeypatch
) -> None:
    # as typed after `--` on the command line: a quoted argument is one argument
    _prepare(dock, sessions, tmp_path)
    started: list[dict] = []
    monkeypatch.setattr(dock, "_start_worker", lambda task, s, options, c: started.append(options))
    dock.task_args.setText("--label 'mouse A' --threshold 2")
    dock.run()
    assert started[0]["args"] == ["--label", "mouse A", "--threshold", "2"]
    dock._worker = None
    dock.task_args.setText("--label 'mouse A")
    dock.run()
    assert len(started) == 1  # nothing started
    assert dock.status.text().startswith("Arguments: ")
    assert "quotation" in dock.status.text()
    # a scheduler chosen without its address: not a local cluster in its place
    dock.task_args.setText("")
    dock.remote.setChecked(True)
    dock.run()
    assert len(started) == 1
    assert dock.status.text().startswith("Scheduler: enter its address")
    dock.address.setText(" tcp://lab:8786 ")
    dock.run()
    assert started[1]["scheduler"] == "tcp://lab:8786"
    assert started[1]["n_workers"] is None


def test_rows_show_the_batch_names_from_the_start(
    dock: BatchWidget, sessions: Path, tmp_path: Path, monkeypatch
) -> None:
    # two sessions of the same name in different folders: told apart while they wait and
    # run, by the names of their output folders, not both shown as "mouse1.session"
    for folder in ("left", "right"):
        shutil.copytree(sessions / "mouse1.session", tmp_path / folder / "mouse1.session")
    _prepare(dock, sessions, tmp_path)
    dock.session_list.clear()
    dock.add_sessions([tmp_path / "left" / "mouse1.session", tmp_path / "right" / "mouse1.session"])
    monkeypatch.setattr(dock, "_start_worker", lambda task, s, options, c: object())
    dock.run()
    names = [dock.table.item(row, 0).text() for row in range(dock.table.rowCount())]
    assert names == ["mouse1", "right-mouse1"]  # the first keeps the name it has alone


def test_workers_that_never_start_end_the_run_with_the_reason(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a worker process hanging while it starts (as when it re-runs a napari launch script
    # without a main guard): the dock must not stay at "Running…" forever
    import dask
    import distributed  # noqa: F401 - its config defaults exist before the block sets one

    from napari_whiskertoolbox.batch import cluster

    hang = tmp_path / "hang_on_start.py"
    hang.write_text("import time\ntime.sleep(600)\n")
    monkeypatch.setattr(cluster, "START_TIMEOUT_S", 1.5)
    _prepare(dock, sessions, tmp_path)
    with dask.config.set({"distributed.worker.preload": [str(hang)]}):
        dock.run_button.click()
        # while the workers start, the dock says so and the sessions are queued
        assert dock.cluster.text() == "dask: starting a local cluster, 1 worker…"
        qtbot.waitUntil(lambda: set(_statuses(dock)) == {"queued"}, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not dock.is_running, timeout=WAIT_MS)
    assert "did not start within 1.5 s" in dock.status.text()
    assert dock.cluster.text() == ""
    assert set(_statuses(dock)) == {""}  # they never ran
    assert dock.run_button.isEnabled()
    assert not dock.cancel_button.isEnabled()


def test_a_scheduler_without_workers_shows_that_the_sessions_wait(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    # SLURM jobs still in the queue: the dock says why nothing runs yet (as the CLI does)
    from distributed import LocalCluster

    _prepare(dock, sessions, tmp_path)
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        dock.remote.setChecked(True)
        dock.address.setText(cluster.scheduler_address)
        dock.run_button.click()
        qtbot.waitUntil(lambda: "Waiting for a worker" in dock.cluster.text(), timeout=WAIT_MS)
        assert dock.cluster.text().startswith(f"dask: {cluster.scheduler_address}, 0 workers")
        # each row's status arrives with the batch's first progress report
        qtbot.waitUntil(lambda: set(_statuses(dock)) == {"queued"}, timeout=WAIT_MS)
        cluster.scale(1)  # a job left the queue
        qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    assert "Waiting" not in dock.cluster.text()
    assert dock.cluster.text().startswith(f"dask: {cluster.scheduler_address}, 1 worker")
    assert _statuses(dock) == ["done"] * 3


def test_a_manifests_other_columns_reach_the_results(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    manifest = sessions / "experiment.csv"
    manifest.write_text("session,animal\nmouse1.session,m1\nmouse2.session,m2\n")
    _prepare(dock, sessions, tmp_path)
    dock.session_list.clear()
    dock.add_sessions([manifest])
    assert dock.sessions() == [str(sessions / f"{n}.session") for n in NAMES[:2]]
    dock.run_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    assert dock.report.results["animal"].tolist() == ["m1", "m2"]


def test_a_library_pipelines_outputs_go_beside_the_sessions_not_into_the_library(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the library is a folder of the user's settings: no batch output belongs there
    from napari_whiskertoolbox.transforms.library import LIBRARY_ENV

    library = tmp_path / "library"
    library.mkdir()
    step = {"step_id": "a", "transform_name": "CalculateLineAngle"}
    (library / "angle.json").write_text(json.dumps({"steps": [step]}))
    monkeypatch.setenv(LIBRARY_ENV, str(library))
    dock.task_source.setCurrentIndex(1)
    dock.task_args.setText("input_key=whiskers output_key=angle")
    dock.add_sessions([str(sessions / "mouse1.session")])
    dock.n_workers.setValue(1)
    assert dock.out_dir.text() == ""
    dock.run_button.click()
    qtbot.waitUntil(lambda: not dock.is_running, timeout=WAIT_MS)
    assert dock.report is not None, dock.status.text()
    # beside the sessions' folder, not in it: a glob over that folder would find them
    assert dock.report.out == (tmp_path / "data-angle-batch").resolve()
    assert [path.name for path in library.iterdir()] == ["angle.json"]
    assert sorted(path.name for path in sessions.iterdir()) == [f"{n}.session" for n in NAMES]


def test_adding_sessions_says_what_a_glob_left_out(
    dock: BatchWidget, sessions: Path, tmp_path: Path
) -> None:
    """A batch's report, markers and saved sessions under the folder are no sessions."""
    from napari_whiskertoolbox.batch import run_batch
    from napari_whiskertoolbox.batch.cluster import start_client

    script = tmp_path / "keys.py"
    script.write_text("results = {'n': len(dm.keys())}\n")
    started = start_client(n_workers=1, processes=False)
    try:
        report = run_batch(
            script, str(sessions / "*.session"), client=started.client, out=sessions / "old"
        )
    finally:
        started.close()
    assert report.ok
    dock.session_folder.setText(str(sessions))
    dock.session_glob.setText("**/*")
    dock.add_button.click()
    assert dock.sessions() == [str(sessions / f"{n}.session") for n in NAMES]
    text = dock.status.text()
    assert text.startswith("3 sessions; left out "), text
    assert f"in the batch output folder {(sessions / 'old').resolve()}" in text


def test_the_batch_dock_fits_a_laptop_window_under_the_timeline(make_napari_viewer, qtbot):
    """Its rows' minimum heights added up to 529 pixels: under a config's Timeline a 1366x768
    window had to grow to 803, its bottom off the screen. The form scrolls instead."""
    viewer = make_napari_viewer(show=True)
    timeline, _ = viewer.window.add_plugin_dock_widget("napari-whiskertoolbox", "Timeline")
    window = timeline.parentWidget()
    window.resize(1366, 768)
    qtbot.wait(50)
    dock, widget = viewer.window.add_plugin_dock_widget("napari-whiskertoolbox", "Batch")
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    qtbot.wait(50)
    assert window.minimumSizeHint().height() <= 768
    assert window.height() == 768
    form = widget.scroll_area.widget()
    # scrolls only up and down: as wide as the form asks, nothing cut off at the right
    qtbot.waitUntil(lambda: form.width() <= widget.scroll_area.viewport().width())
    run = widget.run_button
    assert run.isVisible()
    widget.ensure_visible(run)  # scrolled to, not cut off
    qtbot.waitUntil(lambda: not run.visibleRegion().isEmpty())


def test_a_sessions_load_notes_show_on_its_row(
    dock: BatchWidget, wtb_data: Path, tmp_path: Path, qtbot
) -> None:
    """A config item without a format loads as CSV with a note: hovering the row shows it."""
    item = {
        "data_type": "points",
        "name": "nose",
        "filepath": str(wtb_data / "Points/test_point.csv"),
    }
    config = tmp_path / "s1.json"
    config.write_text(json.dumps([item]))
    script = tmp_path / "n.py"
    script.write_text("results = {'n': len(dm.getData('nose'))}\n")
    dock.task_source.setCurrentIndex(2)  # a file
    dock.task_path.setText(str(script))
    dock.add_sessions([config])
    dock.n_workers.setValue(1)
    dock.out_dir.setText(str(tmp_path / "out"))
    dock.run_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)

    assert _statuses(dock) == ["done"]
    tip = dock.table.item(0, COLUMNS.index("error")).toolTip()
    assert tip.startswith("<pre>load notes:\n")  # rich text: a traceback's ^^^ are marked
    assert "'nose': no 'format': read as 'csv'" in tip
    assert dock.table.item(0, COLUMNS.index("error")).text() == ""  # it did not fail


def test_a_resumed_run_shows_the_values_of_the_sessions_it_skips(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    _prepare(dock, sessions, tmp_path)
    dock.run_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    first = [row[3:6] for row in dock.table_rows()[1:]]
    assert [row[1:] for row in first] == [["120", f"{n} ok"] for n in NAMES]

    assert dock.resume.isChecked()
    dock.report = None
    dock.run_button.click()  # every session finished before: skipped, no cluster started
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    assert _statuses(dock) == ["skipped"] * 3
    assert [row[3:6] for row in dock.table_rows()[1:]] == first


def test_traceback_tooltips_mark_what_the_carets_point_at() -> None:
    from napari_whiskertoolbox.widgets.traceback_html import traceback_html

    text = (
        "Traceback (most recent call last):\n"
        '  File "s.py", line 2, in <module>\n'
        "    x = values[3] / total\n"
        "        ~~~~~~~~~~^~~~~~~\n"
        "ZeroDivisionError: division by zero"
    )
    html = traceback_html(text)
    assert html.startswith("<pre>")
    assert html.endswith("</pre>")
    assert "&lt;module&gt;" in html  # escaped, not read as a tag
    assert "<u>values[3] </u><b><u>/</u></b><u> total</u>" in html
    assert "^" not in html
    assert "~~" not in html
    assert traceback_html("") == ""


def _drag_column_edge(table, column: int, dx: int) -> None:
    """Drag the right edge of ``column``'s header by ``dx`` pixels, as a user does."""
    from qtpy.QtCore import QPoint, Qt
    from qtpy.QtTest import QTest

    header = table.horizontalHeader()
    edge = header.sectionViewportPosition(column) + header.sectionSize(column) - 1
    y = header.height() // 2
    viewport = header.viewport()
    QTest.mouseMove(viewport, QPoint(edge, y))
    QTest.mousePress(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(edge, y)
    )
    for step in range(1, 5):
        QTest.mouseMove(viewport, QPoint(edge + dx * step // 4, y))
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(edge + dx, y)
    )


def test_progress_keeps_the_column_widths_the_user_dragged(dock: BatchWidget, qtbot) -> None:
    """Every progress event re-fitted every column, undoing the widths dragged by hand."""
    from napari_whiskertoolbox.batch import BatchProgress, SessionRecord

    dock.resize(900, 700)
    dock.show()
    qtbot.waitExposed(dock)
    paths = ["/data/mouse1.session", "/data/mouse2.session"]
    dock._reset_table(paths)  # as Run does: the rows appear, fitted to their headers
    table = dock.table
    error, keys = COLUMNS.index("error"), COLUMNS.index("keys added")
    fitted = table.columnWidth(error)
    _drag_column_edge(table, error, 60)
    dragged = table.columnWidth(error)
    assert dragged > fitted + 30  # the drag took
    _drag_column_edge(table, keys, -30)
    narrowed = table.columnWidth(keys)
    long_keys = tuple(f"key_number_{i}" for i in range(12))
    for row, status in enumerate(("failed", "done")):
        record = SessionRecord(
            session=paths[row],
            name=f"mouse{row + 1}",
            status=status,
            duration_s=1.25,
            error="ValueError: " + "a long reason " * 30 if status == "failed" else None,
            keys_added=long_keys,
            results={"mean_angle": 0.5},
        )
        event = BatchProgress(row, record.name, paths[row], "running", row, 2)
        dock._on_progress(event)
        dock._on_progress(BatchProgress(row, record.name, paths[row], status, row + 1, 2, record))
    assert table.columnWidth(error) == dragged  # not re-fitted to the long error
    assert table.columnWidth(keys) == narrowed  # not widened to the long list of keys
    # columns left alone are still fitted to what arrives, at most the cap
    duration = COLUMNS.index("duration")
    assert table.columnWidth(duration) >= table.fontMetrics().horizontalAdvance("1.25 s")
    result = [
        c
        for c in range(table.columnCount())
        if table.horizontalHeaderItem(c).text() == "mean_angle"
    ]
    assert len(result) == 1
    assert table.columnWidth(result[0]) <= MAX_COLUMN_WIDTH
    # a new run keeps the widths the user set
    dock._reset_table(paths)
    assert table.columnWidth(error) == dragged


def test_every_way_of_setting_the_task_chooses_its_source(
    make_napari_viewer, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task file set from code (or dropped) left the source on the Script runner, so Run
    ran the previous source's task; a library pipeline chosen under File ran the File."""
    from qtpy.QtCore import QMimeData, QPointF, Qt, QUrl
    from qtpy.QtGui import QDragEnterEvent, QDropEvent

    from napari_whiskertoolbox.transforms.library import LIBRARY_ENV

    library = tmp_path / "library"
    library.mkdir()
    for stem, name in (("angle", "Whisker angle"), ("length", "Whisker length")):
        (library / f"{stem}.json").write_text(
            json.dumps(
                {
                    "metadata": {"name": name},
                    "steps": [{"step_id": "a", "transform_name": "CalculateLineAngle"}],
                }
            )
        )
    monkeypatch.setenv(LIBRARY_ENV, str(library))
    viewer = make_napari_viewer()
    runner = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(runner, name="Script runner", area="right")
    in_runner = tmp_path / "mine.py"
    in_runner.write_text("results = {}\n")
    runner.open_path(in_runner)
    dock = BatchWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Batch", area="right")
    dock.task_source.setCurrentIndex(2)
    dock.task_source.setCurrentIndex(0)  # the runner's file, shown in File: still its source
    assert dock.task_source.currentText() == "Script in the script runner"
    assert dock.task_path.text() == str(in_runner.resolve())

    other = tmp_path / "other.py"
    dock.task_path.setText(str(other))  # a script setting the field
    assert dock.task_source.currentText() == "File"
    dock.task_source.setCurrentIndex(0)
    dock.set_task_file(in_runner.resolve())  # the same path as the runner's: File all the same
    assert dock.task_source.currentText() == "File"

    dock.task_source.setCurrentIndex(0)
    dropped = tmp_path / "dropped.json"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    where = QPointF(5, 5)
    enter = QDragEnterEvent(
        where.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(dock.task_path, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(dock.task_path, drop)
    assert dock.task_path.text() == str(dropped)  # the path, not a file:// address
    assert dock.task_source.currentText() == "File"

    dock.set_library_pipeline("Whisker length")
    assert dock.task_source.currentText() == "Pipeline from the library"
    assert dock.task_path.text() == str(library / "length.json")
    dock.set_task_file(other)
    dock.library.setCurrentIndex(dock.library.findText("Whisker angle"))  # under File
    assert dock.task_source.currentText() == "Pipeline from the library"
    assert dock.library.currentText() == "Whisker angle"  # kept when the library is re-listed
    assert dock.task_path.text() == str(library / "angle.json")
    with pytest.raises(ValueError, match=r"no pipeline 'nope'.*Whisker angle"):
        dock.set_library_pipeline("nope")

    for path in library.iterdir():
        path.unlink()
    dock.set_task_file(other)
    dock.task_source.setCurrentIndex(1)  # an empty library: no other source's task is left
    assert dock.task_path.text() == ""
    assert dock.task_source.currentText() == "Pipeline from the library"


def test_the_fields_read_at_naparis_default_dock_width(make_napari_viewer, qtbot) -> None:
    """At the default dock width the scheduler's address field got 30 pixels beside Local
    and the workers (its hint read "t…"), and the Output field's elided hint was the only
    place saying where the outputs go by default."""
    from qtpy.QtWidgets import QLineEdit

    viewer = make_napari_viewer(show=True)
    dock, widget = viewer.window.add_plugin_dock_widget("napari-whiskertoolbox", "Batch")
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    qtbot.wait(50)
    address = widget.address
    metrics = address.fontMetrics()
    assert address.width() >= metrics.horizontalAdvance(address.placeholderText()) + 8
    for field in widget.findChildren(QLineEdit):
        if not field.isVisible() or not field.placeholderText():
            continue
        hint = field.fontMetrics().horizontalAdvance(field.placeholderText())
        if hint + 8 > field.width():  # shown elided: the whole hint on hover
            assert field.toolTip(), field.placeholderText()


def test_a_result_named_like_a_column_of_the_table_is_renamed_as_in_the_csv(
    dock: BatchWidget, sessions: Path, tmp_path: Path, qtbot
) -> None:
    _prepare(dock, sessions, tmp_path)
    dock.task_path.setText(str(write_results_script(tmp_path)))
    dock.run_button.click()
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    header = dock.table.horizontalHeader()
    headers = [
        dock.table.horizontalHeaderItem(header.logicalIndex(v)).text()
        for v in range(dock.table.columnCount())
    ]
    assert headers.count("session") == 1
    assert headers[3:5] == ["result_session", "n"]
    csv_columns = (tmp_path / "out" / "batch_results.csv").read_text().splitlines()[0]
    assert csv_columns.split(",")[3:] == ["result_session", "n"]


def write_results_script(tmp_path: Path) -> Path:
    script = tmp_path / "named.py"
    script.write_text("results = {'session': output_dir.name, 'n': 1}\n")
    return script


def test_an_opened_output_of_signals_only_shows_them_in_the_timeline(
    make_napari_viewer, tmp_path: Path, qtbot
) -> None:
    """A batch's analog-only outputs open as File > Open opens them: the Timeline docks."""
    from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
    from napari_whiskertoolbox.widgets.timeline import find_timeline

    dm = DataManager()
    dm.set_data("sig", AnalogTimeSeries(np.arange(50.0)), "time")
    dm.set_data("mean_sig", AnalogTimeSeries(np.full(50, 24.5)), "time")
    folder = tmp_path / "out" / "sessions" / "animal0-config"
    save_session(dm, folder)
    viewer = make_napari_viewer(show=True)
    widget = BatchWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Batch", area="right")
    assert find_timeline(viewer) is None

    opened = widget.open_output(folder)
    assert opened is viewer  # its session was empty
    assert set(get_session(viewer).dm) == {"sig", "mean_sig"}
    timeline = find_timeline(viewer)
    assert timeline is not None
    assert timeline.is_lane_shown("sig")
    assert timeline.is_lane_shown("mean_sig")
