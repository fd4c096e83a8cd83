"""run_batch on an in-process cluster: tasks, results, failures, retries, resume, cancel."""

from __future__ import annotations

import json
import shutil
import threading
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from _batch_support import SESSION_NAMES, start_batch, write_script

from napari_whiskertoolbox.batch import (
    BATCH_EXTRA,
    MARKER_FILE,
    SESSIONS_DIR,
    ClusterUnavailableError,
    MissingBatchDependencyError,
    OutputInUseError,
    as_task,
    completed_record,
    run_batch,
)
from napari_whiskertoolbox.batch.run import CANCEL_GRACE_S, STILL_RUNNING
from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.io import load_session

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from distributed import Client

    from napari_whiskertoolbox.batch import BatchProgress

ANGLE_SCRIPT = """\
import sys
angle = dm.get_data("whisker_angle").values
dm.set_data("angle_change", AnalogTimeSeries(np.diff(angle)), "time")
print("mean", angle.mean())
results = {"mean_angle": float(angle.mean()), "n_contacts": len(dm.get_data("contact")),
           "label": sys.argv[1]}
"""


def _expected_mean(session: Path) -> float:
    return float(load_session(session).get_data("whisker_angle").values.mean())


def cancel_once_running(
    name: str | None = None,
) -> tuple[threading.Event, Callable[[BatchProgress], None]]:
    """Return a cancel event and a progress callback setting it when ``name`` (or any
    session) starts running."""
    cancel = threading.Event()

    def on_progress(event: BatchProgress) -> None:
        if event.status == "running" and name in (None, event.name):
            cancel.set()

    return cancel, on_progress


def test_script_task_saves_outputs_and_results(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(tmp_path / "angle.py", ANGLE_SCRIPT)
    events: list[BatchProgress] = []
    report = run_batch(
        script,
        str(sessions / "*.session"),
        client=threads_client,
        out=tmp_path / "out",
        args=["first"],
        progress=events.append,
    )
    assert report.ok
    assert [r.name for r in report.records] == list(SESSION_NAMES)
    for record in report.records:
        assert record.status == "done"
        assert record.keys_added == ("angle_change",)
        assert record.results["label"] == "first"
        assert record.results["mean_angle"] == pytest.approx(_expected_mean(record.session))
        assert record.peak_memory_mb is not None
        assert record.peak_memory_mb > 0
        saved = load_session(record.output)
        assert "angle_change" in saved
        assert "whisker_angle" in saved
        assert (tmp_path / "out" / "sessions" / record.name / "batch-output.txt").read_text()
    finals = [e for e in events if e.status == "done"]
    assert [e.finished for e in finals] == [1, 2, 3]
    assert {e.status for e in events} >= {"queued", "done"}

    # the results table, as the report returns it and as saved (CSV, Parquet)
    table = report.results
    assert list(table.columns) == ["name", "session", "status", "mean_angle", "n_contacts", "label"]
    from_csv = pd.read_csv(report.files["results_csv"])
    from_parquet = pd.read_parquet(report.files["results_parquet"])
    for frame in (from_csv, from_parquet):
        assert list(frame["name"]) == list(SESSION_NAMES)
        np.testing.assert_allclose(frame["mean_angle"], table["mean_angle"].astype(float))
    report_json = json.loads(report.files["report_json"].read_text())
    assert report_json["counts"] == {"done": 3}
    assert pd.read_csv(report.files["report_csv"])["status"].tolist() == ["done"] * 3


def _contacts(dm: DataManager) -> dict[str, object]:
    return {"n_contacts": len(dm.get_data("contact_events")), "animal": "from the task"}


def test_a_csv_manifests_other_columns_are_columns_of_the_results(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    manifest = sessions / "experiment.csv"
    pd.DataFrame(
        {
            "animal": ["m2", "m1"],
            "session": ["mouse2.session", "mouse1.session"],
            "condition": ["saline", "drug"],
        }
    ).to_csv(manifest, index=False)
    report = run_batch(_contacts, iter([manifest]), client=threads_client, out=tmp_path / "out")
    assert report.ok
    table = pd.read_csv(report.files["results_csv"])
    assert list(table.columns) == [
        "name", "session", "status", "animal", "condition", "n_contacts", "result_animal"
    ]  # fmt: skip
    assert table["animal"].tolist() == ["m2", "m1"]
    assert table["condition"].tolist() == ["saline", "drug"]
    assert table["result_animal"].tolist() == ["from the task"] * 2
    assert pd.read_parquet(report.files["results_parquet"])["condition"].tolist() == [
        "saline",
        "drug",
    ]


def summary(dm: DataManager, threshold: float = 10.0) -> dict[str, float]:
    angle = dm.get_data("whisker_angle").values
    dm.set_data("above", AnalogTimeSeries((angle > threshold).astype(np.float32)), "time")
    return {"fraction_above": float(np.mean(angle > threshold)), "max": np.float32(angle.max())}


def test_callable_task_with_keyword_arguments(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    report = run_batch(
        summary,
        sorted(sessions.glob("*.session")),
        client=threads_client,
        out=tmp_path / "out",
        args={"threshold": 0.0},
    )
    assert report.ok
    for record in report.records:
        angle = load_session(record.session).get_data("whisker_angle").values
        assert record.results["fraction_above"] == pytest.approx(np.mean(angle > 0.0))
        assert isinstance(record.results["max"], float)
        assert record.keys_added == ("above",)
    assert report.task == "callable summary"


def _bad_values(dm: DataManager) -> dict[str, object]:
    dm.set_data("doubled", AnalogTimeSeries(dm.get_data("whisker_angle").values * 2), "time")
    return {"n": 3, "angles": dm.get_data("whisker_angle").values}


def test_results_must_be_single_values(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    report = run_batch(
        _bad_values, sessions / "mouse1.session", client=threads_client, out=tmp_path / "out"
    )
    (record,) = report.records
    assert record.status == "failed"
    assert "['angles'] is ndarray of shape (" in record.error
    assert "must be a number, string, bool or None" in record.error
    # the task ran: what it made is saved, but the session is not marked complete
    assert record.output == str((tmp_path / "out" / "sessions" / "mouse1").resolve())
    assert record.keys_added == ("doubled",)
    assert "doubled" in load_session(record.output)
    assert record.results == {"n": 3}
    assert report.results["n"].tolist() == [3]
    assert not (tmp_path / "out" / "sessions" / "mouse1" / MARKER_FILE).exists()


NESTED_RESULTS_SCRIPT = """\
dm.set_data("doubled", AnalogTimeSeries(dm.get_data("whisker_angle").values * 2), "time")
results = {"n": 1, "per_frame": np.arange(3), "stats": {"mean": 1.0}}
"""


def test_a_scripts_results_that_are_no_single_values_keep_its_outputs(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(tmp_path / "nested.py", NESTED_RESULTS_SCRIPT)
    (record,) = run_batch(
        script, sessions / "mouse2.session", client=threads_client, out=tmp_path / "out"
    ).records
    assert record.status == "failed"
    assert "the script's `results`['per_frame'] is ndarray of shape (3,)" in record.error
    assert "the script's `results`['stats'] is dict" in record.error
    assert "doubled" in load_session(record.output)
    assert record.results == {"n": 1}


def test_pipeline_files(sessions: Path, tmp_path: Path, threads_client: Client) -> None:
    pipeline = tmp_path / "angle_pipeline.json"
    pipeline.write_text(
        json.dumps(
            {
                "metadata": {"name": "whisker angle"},
                "steps": [{"step_id": "angle", "transform_name": "CalculateLineAngle"}],
            }
        )
    )
    report = run_batch(
        pipeline,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "v2",
        args={"input_key": "whiskers", "output_key": "angle"},
    )
    (record,) = report.records
    assert record.status == "done", record.error
    assert record.keys_added == ("angle",)
    saved = load_session(record.output)
    assert saved.data_type("angle") == "analog"
    assert saved.time_key("angle") == "camera"

    runner = tmp_path / "runner.json"
    runner.write_text(
        json.dumps(
            {
                "commands": [
                    {
                        "command_name": "RunTransformsV2Pipeline",
                        "parameters": {
                            "input_key": "whiskers",
                            "output_key": "angle",
                            "pipeline_path": "angle_pipeline.json",
                        },
                    },
                    {
                        "command_name": "SaveData",
                        "parameters": {
                            "data_key": "angle",
                            "format": "csv",
                            "path": "${output_dir}/${session_name}_angle.csv",
                        },
                    },
                ]
            }
        )
    )
    report = run_batch(
        runner, sessions / "mouse2.session", client=threads_client, out=tmp_path / "r"
    )
    (record,) = report.records
    assert record.status == "done", record.error
    assert (tmp_path / "r" / "sessions" / "mouse2" / "mouse2_angle.csv").is_file()
    assert "angle" in load_session(record.output)
    again = run_batch(
        runner, sessions / "mouse2.session", client=threads_client, out=tmp_path / "r"
    )
    assert [r.status for r in again.records] == ["skipped"]
    # the pipeline file the runner config runs changed: its sessions are not finished
    steps = json.loads(pipeline.read_text())
    steps["steps"][0]["parameters"] = {"position": 0.8}
    pipeline.write_text(json.dumps(steps))
    again = run_batch(
        runner, sessions / "mouse2.session", client=threads_client, out=tmp_path / "r"
    )
    assert [r.status for r in again.records] == ["done"]

    with pytest.raises(ValueError, match=r"give input_key and output_key \(command line: "):
        run_batch(pipeline, sessions / "mouse1.session", client=threads_client, out=tmp_path / "m")
    assert not (tmp_path / "m").exists()  # refused before any session ran


def test_bad_session_fails_alone(sessions: Path, tmp_path: Path, threads_client: Client) -> None:
    broken = sessions / "mouse2.session"
    angle_file = next((broken / "data").glob("whisker_angle-*.values.npy"))
    angle_file.write_bytes(b"not a numpy file")
    script = write_script(tmp_path / "angle.py", ANGLE_SCRIPT)
    report = run_batch(
        script, sessions.glob("*.session"), client=threads_client, out=tmp_path / "o", args=["x"]
    )
    by_name = {r.name: r for r in report.records}
    assert by_name["mouse1"].status == "done"
    assert by_name["mouse3"].status == "done"
    failed = by_name["mouse2"]
    assert failed.status == "failed"
    assert "could not load" in failed.error
    assert angle_file.name in failed.error
    assert failed.output is None
    # the summary's row says what is wrong (was: the session's path, cut at the width)
    row = next(line for line in report.summary().splitlines() if line.startswith("mouse2"))
    assert "FormatError: config item data[5] 'whisker_angle'; file 'mouse2.session" in row
    assert str(sessions) not in row
    assert not report.ok
    assert report.failed == [failed]


def test_script_error_shows_the_users_line(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(tmp_path / "broken.py", "x = 1\ny = 2\nz = dm.get_data('nope')\n")
    report = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=tmp_path / "o"
    )
    error = report.records[0].error
    assert 'broken.py", line 3' in error
    assert "KeyError" in error
    assert "napari_whiskertoolbox/batch" not in error


def test_summary_shows_the_error_message_not_the_exception_module(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # the summary's error column is cut at the width: a qualified exception class name
    # (napari_whiskertoolbox.transforms.errors.TransformError) used it all up
    script = write_script(
        tmp_path / "angle.py",
        "from napari_whiskertoolbox.transforms import run_transform\n"
        "run_transform(dm, 'CalculateLineAngle', 'whisker', 'angle', {})\n",
    )
    report = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=tmp_path / "o"
    )
    assert "napari_whiskertoolbox.transforms.errors.TransformError" in report.records[0].error
    row = report.summary().splitlines()[1]
    assert "  TransformError: CalculateLineAngle: Input data 'whisker' not found" in row


def _raise_here(dm: DataManager) -> dict[str, float]:
    raise RuntimeError("user bug")


def test_callable_error_hides_batch_frames(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    report = run_batch(
        _raise_here, sessions / "mouse1.session", client=threads_client, out=tmp_path / "o"
    )
    error = report.records[0].error
    assert "test_run_batch.py" in error
    assert "_raise_here" in error
    assert "RuntimeError: user bug" in error
    assert "batch/worker.py" not in error


FLAKY_SCRIPT = """\
import sys
from pathlib import Path
flag = Path(sys.argv[1])
if not flag.exists():
    flag.write_text("failed once")
    raise MemoryError("the worker is full right now")
results = {"ok": True}
"""


def test_retries(sessions: Path, tmp_path: Path, threads_client: Client) -> None:
    script = write_script(tmp_path / "flaky.py", FLAKY_SCRIPT)
    events: list[BatchProgress] = []
    report = run_batch(
        script,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "a",
        retries=1,
        args=[str(tmp_path / "flag1")],
        progress=events.append,
    )
    (record,) = report.records
    assert record.status == "done"
    assert record.attempts == 2
    assert [e.status for e in events if e.status in ("retrying", "done")] == ["retrying", "done"]

    report = run_batch(
        script,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "b",
        args=[str(tmp_path / "flag2")],
    )
    assert report.records[0].status == "failed"
    assert "the worker is full right now" in report.records[0].error


def test_a_scripts_own_error_is_not_retried(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # the user's code failing (even with an OSError about a file it opens) would fail again
    runs = tmp_path / "runs.txt"
    script = write_script(
        tmp_path / "bad.py",
        f"with open({str(runs)!r}, 'a') as f:\n    f.write('run\\n')\n"
        "import errno\nraise OSError(errno.EIO, 'read error in my own file')\n",
    )
    events: list[BatchProgress] = []
    report = run_batch(
        script,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "o",
        retries=2,
        progress=events.append,
    )
    (record,) = report.records
    assert record.status == "failed"
    assert record.attempts == 1
    assert not record.transient
    assert "read error in my own file" in record.error
    assert runs.read_text() == "run\n"
    assert "retrying" not in [e.status for e in events]


def test_a_transient_load_error_is_retried(
    sessions: Path, tmp_path: Path, threads_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an in-process cluster: the worker thread loads through the patched function
    import errno

    from napari_whiskertoolbox.scripting import headless

    real = headless.load_for_script
    calls: list[object] = []

    def stale_once(path: object) -> object:
        calls.append(path)
        if len(calls) == 1:
            raise OSError(errno.ESTALE, "Stale file handle", str(path))
        return real(path)

    monkeypatch.setattr(headless, "load_for_script", stale_once)
    script = write_script(tmp_path / "ok.py", "results = {'ok': True}\n")
    report = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=tmp_path / "o", retries=2
    )
    (record,) = report.records
    assert record.status == "done", record.error
    assert record.attempts == 2
    assert len(calls) == 2


def test_resume_skips_only_finished_sessions(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(tmp_path / "angle.py", ANGLE_SCRIPT)
    out = tmp_path / "out"

    def run(**options: object) -> dict[str, str]:
        report = run_batch(
            script,
            sessions.glob("*.session"),
            client=threads_client,
            out=out,
            args=["r"],
            **options,
        )
        return {r.name: r.status for r in report.records}

    assert run() == dict.fromkeys(SESSION_NAMES, "done")
    first = json.loads((out / "sessions" / "mouse1" / MARKER_FILE).read_text())
    again = run_batch(
        script, sessions.glob("*.session"), client=threads_client, out=out, args=["r"]
    )
    assert [r.status for r in again.records] == ["skipped"] * 3
    assert again.records[0].results == first["record"]["results"]  # results survive a resume
    assert again.results["mean_angle"].notna().all()

    (out / "sessions" / "mouse2" / MARKER_FILE).unlink()  # killed between save and marker
    data_file = next((out / "sessions" / "mouse3" / "data").glob("angle_change-*.npy"))
    data_file.write_bytes(data_file.read_bytes()[:-8])  # an output damaged since
    assert run() == {"mouse1": "skipped", "mouse2": "done", "mouse3": "done"}
    assert run(resume=False) == dict.fromkeys(SESSION_NAMES, "done")

    script.write_text(ANGLE_SCRIPT + "results['changed'] = 1\n")  # another task: redo all
    assert run() == dict.fromkeys(SESSION_NAMES, "done")
    other_args = run_batch(
        script, sessions.glob("*.session"), client=threads_client, out=out, args=["s"]
    )
    assert {r.status for r in other_args.records} == {"done"}


def test_an_edited_helper_module_beside_the_script_is_another_task(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "stats.py").write_text("import numpy\nSCALE = 1\n")
    (tmp_path / "helpers.py").write_text("from pkg import stats\n")
    script = write_script(tmp_path / "main.py", "import os\nimport helpers\nresults = {}\n")
    first = script_fingerprint(script)
    (tmp_path / "unrelated.py").write_text("X = 1\n")  # not imported: same task
    assert script_fingerprint(script) == first
    (tmp_path / "pkg" / "stats.py").write_text("import numpy\nSCALE = 2\n")  # imported by helpers
    assert script_fingerprint(script) != first


def test_save_beside_input(tmp_path: Path, threads_client: Client) -> None:
    data = tmp_path / "exp"
    data.mkdir()
    pd.DataFrame({"v": np.arange(50, dtype=float)}).to_csv(
        data / "signal.csv", index=False, header=False
    )
    config = data / "exp1.json"
    config.write_text(
        json.dumps([{"data_type": "analog", "name": "signal", "filepath": "signal.csv"}])
    )

    def double(dm: DataManager) -> dict[str, float]:
        values = dm.get_data("signal").values
        dm.set_data("doubled", AnalogTimeSeries(values * 2))
        return {"total": float(values.sum())}

    report = run_batch(
        double, config, client=threads_client, out=tmp_path / "rep", save_beside_input=True
    )
    (record,) = report.records
    assert record.status == "done", record.error
    assert record.output == str(data / "exp1.session")
    assert record.results == {"total": float(np.arange(50).sum())}
    np.testing.assert_array_equal(
        load_session(data / "exp1.session").get_data("doubled").values, np.arange(50) * 2
    )
    assert (tmp_path / "rep" / "batch_report.json").is_file()
    assert not (tmp_path / "rep" / "sessions").exists()


ENDLESS_FOR_MOUSE2 = """\
import time
if dm.get_data("media").shape[0] and __import__("os").environ.get("X") is None:
    pass
name = dm.metadata.get("batch_test_name")
while name == "mouse2":
    time.sleep(0.01)
results = {"name": name}
"""


def test_cancel_stops_a_running_script_and_keeps_finished_outputs(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    for name in SESSION_NAMES:  # tell the script which session it runs on
        folder = sessions / f"{name}.session"
        document = json.loads((folder / "session.json").read_text())
        document["metadata"]["batch_test_name"] = name
        (folder / "session.json").write_text(json.dumps(document))
    script = write_script(tmp_path / "endless.py", ENDLESS_FOR_MOUSE2)
    cancel, on_progress = cancel_once_running("mouse2")

    started = time.monotonic()
    runner, result = start_batch(
        script,
        sessions.glob("*.session"),
        client=threads_client,
        out=tmp_path / "out",
        progress=on_progress,
        cancel=cancel,
    )
    runner.join(timeout=60)
    assert not runner.is_alive(), "the batch did not stop after cancel"
    report = result[0]
    statuses = {r.name: r.status for r in report.records}
    assert statuses["mouse2"] == "cancelled"
    assert report.cancelled
    assert not report.ok
    fingerprint = script_fingerprint(script)
    for name, status in statuses.items():  # finished sessions keep complete outputs
        assert status in ("done", "cancelled")
        complete = completed_record(tmp_path / "out" / "sessions" / name, fingerprint)
        assert (complete is not None) == (status == "done")
    # the endless script was stopped: the single worker thread is free again
    assert threads_client.submit(sum, [1, 2], pure=False).result(timeout=30) == 3
    print(f"cancelled in {time.monotonic() - started:.1f} s")


def script_fingerprint(script: Path) -> str:
    from napari_whiskertoolbox.batch import as_task

    return as_task(script).fingerprint()


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch, sessions: Path) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    with pytest.raises(
        MissingBatchDependencyError, match=r"pyarrow.*napari-whiskertoolbox\[batch\]"
    ):
        run_batch(summary, sessions / "mouse1.session")
    assert BATCH_EXTRA == "napari-whiskertoolbox[batch]"


def test_a_copied_output_stays_complete(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    from napari_whiskertoolbox.batch import as_task

    report = run_batch(
        summary, sessions / "mouse1.session", client=threads_client, out=tmp_path / "a"
    )
    record = report.records[0]
    assert record.status == "done"
    moved = tmp_path / "moved"
    shutil.copytree(record.output, moved)  # markers list files relative to the folder
    assert completed_record(moved, as_task(summary).fingerprint()) == record
    assert completed_record(moved, "another task") is None


def test_a_moved_output_folder_resumes_with_its_own_paths(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # the batch's output folder moved (copied to another disk, say) and the batch re-run
    # there: its skipped sessions' outputs are the ones in the new folder, not the old ones
    first = run_batch(
        summary, sessions / "mouse1.session", client=threads_client, out=tmp_path / "a"
    )
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    shutil.rmtree(tmp_path / "a")
    again = run_batch(
        summary, sessions / "mouse1.session", client=threads_client, out=tmp_path / "b"
    )
    (record,) = again.records
    assert record.status == "skipped"
    assert record.results == first.records[0].results
    assert record.output == str((tmp_path / "b").resolve() / SESSIONS_DIR / "mouse1")
    saved = json.loads((tmp_path / "b" / "batch_report.json").read_text())
    assert saved["records"][0]["output"] == record.output


def _undo_once(dm: DataManager) -> dict[str, object]:
    return {"undone": dm.undo(), "keys": len(dm.keys())}


def test_loading_the_session_is_not_an_undo_step(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # a task's first dm.undo() must not unload the session it runs on (nor save it empty)
    session = sessions / "mouse1.session"
    n_keys = len(load_session(session).keys())
    report = run_batch(_undo_once, session, client=threads_client, out=tmp_path / "out")
    (record,) = report.records
    assert record.status == "done", record.error
    assert record.results == {"undone": False, "keys": n_keys}
    assert len(load_session(record.output).keys()) == n_keys


def _runner_saving_to(tmp_path: Path, path: str, *, as_command: bool) -> Path:
    save = {"data_key": "whisker_angle", "format": "csv", "path": path}
    document: dict[str, object] = {"commands": [], "saves": [save]}
    if as_command:
        document = {"commands": [{"command_name": "SaveData", "parameters": save}]}
    runner = tmp_path / "save_angle.json"
    runner.write_text(json.dumps(document))
    return runner


@pytest.mark.parametrize("as_command", [False, True], ids=["saves", "SaveData"])
def test_runner_saving_every_session_to_one_file_is_refused(
    sessions: Path, tmp_path: Path, threads_client: Client, as_command: bool
) -> None:
    # "out/angle.csv" is the same file for every session: each would overwrite the last
    runner = _runner_saving_to(tmp_path, "out/angle.csv", as_command=as_command)
    where = r"commands\[0\] \(SaveData\)" if as_command else r"saves\[0\]"
    with pytest.raises(
        ValueError,
        match=rf"save_angle.json: {where} path 'out/angle.csv'.*"
        r"\$\{output_dir\}",
    ):
        run_batch(runner, sessions.glob("*.session"), client=threads_client, out=tmp_path / "o")
    assert not (tmp_path / "o").exists()
    assert not (tmp_path / "out").exists()
    # one session, or a path naming the session, is fine
    report = run_batch(
        runner, sessions / "mouse1.session", client=threads_client, out=tmp_path / "one"
    )
    assert report.ok, report.records[0].error
    per_session = _runner_saving_to(
        tmp_path, "${output_dir}/${session_name}_angle.csv", as_command=as_command
    )
    report = run_batch(
        per_session, sessions.glob("*.session"), client=threads_client, out=tmp_path / "all"
    )
    assert report.ok
    for name in SESSION_NAMES:
        assert (tmp_path / "all" / "sessions" / name / f"{name}_angle.csv").is_file()


WAIT_FOR_FLAG = """\
import sys, time
from pathlib import Path
Path(sys.argv[1]).touch()
while not Path(sys.argv[2]).exists():
    time.sleep(0.01)
results = {"ok": 1}
"""


def test_a_second_batch_into_the_same_output_folder_is_refused(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # two batches saving the same sessions at once delete each other's files: a session
    # whose marker says done would not load
    script = write_script(tmp_path / "wait.py", WAIT_FOR_FLAG)
    started, release = tmp_path / "started", tmp_path / "release"
    out = tmp_path / "out"
    args = [str(started), str(release)]
    runner, first = start_batch(
        script, sessions / "mouse1.session", client=threads_client, out=out, args=args
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline, "the first batch never started its session"
            time.sleep(0.01)
        with pytest.raises(OutputInUseError, match="another batch is writing") as info:
            run_batch(
                script, sessions / "mouse1.session", client=threads_client, out=out, args=args
            )
        assert str(out) in str(info.value)
    finally:
        release.touch()
        runner.join(60)
    assert first[0].ok
    again = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=out, args=args
    )
    assert [r.status for r in again.records] == ["skipped"]  # the lock went with the first batch


def test_a_given_cluster_without_workers_yet_is_waited_for(
    monkeypatch: pytest.MonkeyPatch, sessions: Path, tmp_path: Path
) -> None:
    """SLURM workers may wait in the job queue: a given client's sessions stay queued."""
    from distributed import Client, LocalCluster

    from napari_whiskertoolbox.batch import run as batch_run

    monkeypatch.setattr(batch_run, "_NO_WORKER_TIMEOUT_S", 0.3)  # the local cluster's limit
    script = write_script(tmp_path / "keys.py", "results = {'keys': len(dm.keys())}\n")
    statuses: list[str] = []
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        runner, result = start_batch(
            script,
            sessions.glob("*.session"),
            client=client,
            out=tmp_path / "out",
            progress=lambda p: statuses.append(p.status),
        )
        time.sleep(1.5)  # several cluster polls past the local limit, with no worker
        assert set(statuses) == {"queued"}
        cluster.scale(1)  # the job left the queue
        runner.join(60)
    assert not runner.is_alive()
    assert result[0].ok


def test_options_that_would_be_ignored_are_refused(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(tmp_path / "argv.py", "import sys\nresults = {'n': len(sys.argv)}\n")
    session = sessions / "mouse1.session"
    out = tmp_path / "out"
    # one string would be the script's arguments character by character
    with pytest.raises(ValueError, match=r"args must be a list .*\['--threshold', '12'\]"):
        run_batch(script, session, client=threads_client, out=out, args="--threshold 12")
    with pytest.raises(ValueError, match="client or scheduler, not both"):
        run_batch(script, session, client=threads_client, scheduler="tcp://h:8786", out=out)
    with pytest.raises(ValueError, match="n_workers=2 is the size of the local cluster"):
        run_batch(script, session, client=threads_client, n_workers=2, out=out)
    assert not out.exists()  # refused before anything ran


def test_a_scheduler_that_goes_away_ends_the_batch(sessions: Path, tmp_path: Path) -> None:
    """The lab's scheduler stops mid-batch: every session left fails saying so, no hang."""
    import contextlib

    from distributed import Client, LocalCluster

    script = write_script(
        tmp_path / "slow.py", "import time\nfor _ in range(40):\n    time.sleep(0.05)\n"
    )
    statuses: list[tuple[str, str]] = []
    cluster = LocalCluster(n_workers=1, processes=False, protocol="tcp", dashboard_address=None)
    try:
        # a client of the address, as --scheduler makes; it gives up reconnecting after 1 s
        with Client(cluster.scheduler_address, timeout=1) as client:
            runner, result = start_batch(
                script,
                sessions.glob("*.session"),
                client=client,
                out=tmp_path / "out",
                progress=lambda p: statuses.append((p.name, p.status)),
            )
            deadline = time.monotonic() + 60
            while not any(s == "running" for _, s in statuses) and time.monotonic() < deadline:
                time.sleep(0.05)
            cluster.close()  # the scheduler stops (and its workers)
            runner.join(60)
            assert not runner.is_alive()  # before: the batch waited forever
    finally:
        with contextlib.suppress(Exception):
            cluster.close()
    report = result[0]
    assert [r.status for r in report.records] == ["failed"] * len(SESSION_NAMES)
    for record in report.records:
        assert record.error.startswith("lost the connection to the dask scheduler"), record.error


WRITES_BESIDE_ITS_OUTPUTS = """\
from pathlib import Path
from helpers import mean
Path("summary.csv").write_text(f"mean\\n{mean(dm.get_data('whisker_angle').values)}\\n")
results = {
    "in_output_dir": Path.cwd() == output_dir == Path(dm.getOutputPath()),
    "output_dir": str(output_dir),
}
"""


def _writes_a_figure(dm: DataManager, output_dir: Path) -> dict[str, str]:
    (output_dir / "figure.txt").write_text(dm.time_key("whisker_angle"))
    open("relative.txt", "w").close()  # the working directory is output_dir too
    return {"output_dir": str(output_dir)}


def test_tasks_write_extra_files_into_their_sessions_output_folder(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # a file the task writes by a relative path is one per session, among its outputs;
    # before, every session wrote (and overwrote) it in the script's folder
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    script = write_script(scripts / "summary.py", WRITES_BESIDE_ITS_OUTPUTS)
    (scripts / "helpers.py").write_text("def mean(values):\n    return values.mean()\n")
    report = run_batch(
        script, sessions.glob("*.session"), client=threads_client, out=tmp_path / "out"
    )
    assert report.ok, report.summary()
    assert not (scripts / "summary.csv").exists()
    for record in report.records:
        folder = tmp_path / "out" / SESSIONS_DIR / record.name
        assert record.results == {"in_output_dir": True, "output_dir": str(folder)}
        mean = float((folder / "summary.csv").read_text().split()[1])
        assert mean == pytest.approx(_expected_mean(record.session))
        marker = json.loads((folder / MARKER_FILE).read_text())
        assert "summary.csv" in marker["files"]  # resume checks it as an output
    report = run_batch(
        _writes_a_figure, sessions / "mouse1.session", client=threads_client, out=tmp_path / "f"
    )
    (record,) = report.records
    folder = tmp_path / "f" / SESSIONS_DIR / "mouse1"
    assert record.results == {"output_dir": str(folder)}, record.error
    assert (folder / "figure.txt").read_text() == "time"
    assert (folder / "relative.txt").is_file()


def _overwrites_and_edits(dm: DataManager) -> None:
    dm.set_data("whisker_angle", AnalogTimeSeries(dm.get_data("whisker_angle").values + 1))
    dm.get_data("contact_events").add(3)  # modified in place
    dm.set_data("new", AnalogTimeSeries(np.zeros(4)))
    dm.delete_data("contact")


def test_keys_changed_and_deleted_are_reported_beside_keys_added(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    report = run_batch(
        _overwrites_and_edits,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "out",
    )
    (record,) = report.records
    assert record.keys_added == ("new",), record.error
    assert set(record.keys_changed) == {"whisker_angle", "contact_events"}
    table = pd.read_csv(report.files["report_csv"])
    assert table.loc[0, "keys_added"] == "new"
    assert set(table.loc[0, "keys_changed"].split(";")) == {"whisker_angle", "contact_events"}
    assert record.keys_deleted == ("contact",)
    assert table.loc[0, "keys_deleted"] == "contact"
    again = run_batch(  # a resumed session keeps them
        _overwrites_and_edits,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "out",
    )
    assert again.records[0].status == "skipped"
    assert set(again.records[0].keys_changed) == {"whisker_angle", "contact_events"}
    assert again.records[0].keys_deleted == ("contact",)


def test_two_batches_saving_beside_the_same_sessions_are_refused(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # each with its own --out: before, only that folder was locked, and both saved into
    # the same session folders
    script = write_script(tmp_path / "wait.py", WAIT_FOR_FLAG)
    started, release = tmp_path / "started", tmp_path / "release"
    args = [str(started), str(release)]
    session = sessions / "mouse1.session"
    runner, first = start_batch(
        script,
        session,
        client=threads_client,
        out=tmp_path / "a",
        args=args,
        save_beside_input=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline, "the first batch never started its session"
            time.sleep(0.01)
        # cancelled from the start: were it not refused, it would return, not wait
        with pytest.raises(OutputInUseError, match=f"another batch is writing to {sessions}"):
            run_batch(
                script,
                session,
                client=threads_client,
                out=tmp_path / "b",
                args=args,
                save_beside_input=True,
                cancel=_set_event(),
            )
    finally:
        release.touch()
        runner.join(60)
    assert first[0].ok
    assert not (tmp_path / "b" / "batch_report.json").exists()


def test_a_batch_whose_cluster_cannot_be_reached_leaves_no_folders_or_lock_files(
    sessions: Path, tmp_path: Path
) -> None:
    script = write_script(tmp_path / "t.py", "results = {}")
    out = tmp_path / "new" / "out"
    before = sorted(p.name for p in sessions.iterdir())
    for beside in (False, True):
        with pytest.raises(ClusterUnavailableError, match=r"tcp://127\.0\.0\.1:1"):
            run_batch(
                script,
                sessions / "mouse1.session",
                scheduler="tcp://127.0.0.1:1",
                out=out,
                save_beside_input=beside,
            )
        assert not (tmp_path / "new").exists()
        assert sorted(p.name for p in sessions.iterdir()) == before


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


def _sleep_then_finish(dm: DataManager) -> dict[str, int]:
    """A task the cooperative cancel cannot stop: it finishes and its session is saved."""
    time.sleep(0.3)
    return {"n_keys": len(list(dm.keys()))}


def test_a_session_that_finishes_while_cancelling_is_reported_done(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    cancel, on_progress = cancel_once_running()

    report = run_batch(
        _sleep_then_finish,
        sorted(sessions.glob("*.session")),
        client=threads_client,
        out=tmp_path / "out",
        progress=on_progress,
        cancel=cancel,
    )
    # the worker thread is free again: whatever the session wrote is on disk now
    assert threads_client.submit(sum, [1, 2], pure=False).result(timeout=30) == 3
    fingerprint = as_task(_sleep_then_finish).fingerprint()
    statuses = {record.name: record.status for record in report.records}
    on_disk = {
        name: completed_record(tmp_path / "out" / SESSIONS_DIR / name, fingerprint) is not None
        for name in statuses
    }
    assert statuses["mouse1"] == "done", statuses  # it was running: it ended done
    assert {name: status == "done" for name, status in statuses.items()} == on_disk
    assert report.cancelled


def test_a_transformsv2_pipeline_refuses_an_argument_it_does_not_take(tmp_path: Path) -> None:
    pipeline = tmp_path / "angle.json"
    step = {"step_id": "angle", "transform_name": "CalculateLineAngle"}
    pipeline.write_text(json.dumps({"steps": [step]}))
    # a misspelt output_time_key would be ignored: the output put on the input's clock
    args = ["input_key=whiskers", "output_key=angle", "output_tiem_key=camera"]
    with pytest.raises(
        ValueError,
        match=r"angle\.json is a TransformsV2 pipeline: unknown argument 'output_tiem_key' "
        r"\(did you mean 'output_time_key'\?\); it takes input_key, output_key, output_time_key",
    ):
        as_task(pipeline, args)
    assert as_task(pipeline, [*args[:2], "output_time_key=camera"]).name == "angle.json"


def test_sessions_are_queued_before_the_cluster_is_used(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # a local cluster's workers take seconds to start: the sessions are shown waiting first
    events: list[str] = []
    run_batch(
        summary,
        sorted(sessions.glob("*.session")),
        client=threads_client,
        out=tmp_path / "out",
        progress=lambda event: events.append(f"{event.name} {event.status}"),
        on_cluster=lambda status: events.append("cluster"),
    )
    assert events[: len(SESSION_NAMES) + 1] == [f"{n} queued" for n in SESSION_NAMES] + ["cluster"]
    assert events.count("mouse1 queued") == 1


def test_a_script_that_exits_says_what_it_printed_on_stderr(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # argparse refuses a misspelt option with sys.exit(2) after printing why
    script = write_script(
        tmp_path / "options.py",
        "import argparse\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--threshold', type=float, default=1.0)\n"
        "options = parser.parse_args()\n",
    )
    report = run_batch(
        script,
        sessions / "mouse1.session",
        client=threads_client,
        out=tmp_path / "out",
        args=["--thresold", "12"],
    )
    (record,) = report.records
    assert record.status == "failed"
    assert record.error.startswith("SystemExit: 2\n")
    assert record.error.splitlines()[-1].endswith("error: unrecognized arguments: --thresold 12")
    assert "error: unrecognized arguments" in report.summary().splitlines()[1]


def test_what_a_failing_script_printed_is_kept_in_its_output_folder(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(
        tmp_path / "debug.py", "print('checkpoint: loaded', len(dm.keys()), 'keys')\n1 / 0\n"
    )
    report = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=tmp_path / "out"
    )
    (record,) = report.records
    assert record.status == "failed"
    assert "ZeroDivisionError" in record.error
    log = tmp_path / "out" / SESSIONS_DIR / "mouse1" / "batch-output.txt"
    assert log.read_text().startswith("checkpoint: loaded")


def test_a_script_edited_while_the_batch_runs_does_not_change_it(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    # saved again in the script runner after Run: the sessions left still run the script
    # the batch started with (the one its completion markers name)
    script = write_script(
        tmp_path / "versioned.py",
        "results = {'version': 1}\nassert output_dir.name != 'mouse3', 'mouse3 refused'\n",
    )
    fingerprint = as_task(script).fingerprint()

    def edit_after_the_first(event: BatchProgress) -> None:
        if event.name == "mouse1" and event.status == "done":
            script.write_text("results = {'version': 2}\n\n\nraise SystemExit('edited')\n")

    report = run_batch(
        script,
        sorted(sessions.glob("*.session")),
        client=threads_client,
        out=tmp_path / "out",
        progress=edit_after_the_first,
    )
    assert [r.status for r in report.records] == ["done", "done", "failed"]
    assert [r.results.get("version") for r in report.records[:2]] == [1, 1]
    error = report.records[2].error
    assert 'versioned.py", line 2' in error
    assert "assert output_dir.name != 'mouse3', 'mouse3 refused'" in error  # its text then
    assert completed_record(tmp_path / "out" / SESSIONS_DIR / "mouse2", fingerprint) is not None


def test_a_pipeline_edited_while_the_batch_runs_does_not_change_it(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    pipeline = tmp_path / "angle.json"
    step = {"step_id": "angle", "transform_name": "CalculateLineAngle"}
    pipeline.write_text(json.dumps({"steps": [step]}))

    def edit_after_the_first(event: BatchProgress) -> None:
        if event.name == "mouse1" and event.status == "done":
            pipeline.write_text(json.dumps({"steps": [{**step, "transform_name": "NoSuch"}]}))

    report = run_batch(
        pipeline,
        sorted(sessions.glob("*.session")),
        client=threads_client,
        out=tmp_path / "out",
        args={"input_key": "whiskers", "output_key": "angle"},
        progress=edit_after_the_first,
    )
    assert [r.status for r in report.records] == ["done"] * 3, [r.error for r in report.records]


def test_a_transformsv2_pipeline_that_does_not_load_is_refused_before_any_session(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    pipeline = tmp_path / "angle.json"
    pipeline.write_text(json.dumps({"steps": [{"transform_name": "CalculateLineAngle"}]}))
    with pytest.raises(ValueError, match=r"angle\.json.*step_id must be a non-empty string"):
        run_batch(
            pipeline,
            sessions / "mouse1.session",
            client=threads_client,
            out=tmp_path / "out",
            args={"input_key": "whiskers", "output_key": "angle"},
        )
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written


def test_a_script_that_does_not_parse_is_refused_before_any_session(tmp_path: Path) -> None:
    script = write_script(tmp_path / "typo.py", "angle = 1\nif angle > 0\n    print(angle)\n")
    with pytest.raises(ValueError, match=r"typo\.py, line 2: expected ':' \(if angle > 0\)"):
        as_task(script)


def _sleep_past_the_grace(dm: DataManager) -> dict[str, int]:
    time.sleep(0.8)
    return {"n_keys": len(list(dm.keys()))}


def test_a_session_that_finishes_while_its_cluster_closes_is_reported_done(
    sessions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the cancel's grace ends before the function does; our own cluster waits for it
    # while closing, and it saves and marks its session complete meanwhile
    import functools

    from napari_whiskertoolbox.batch import cluster, start_client
    from napari_whiskertoolbox.batch import run as batch_run

    monkeypatch.setattr(batch_run, "CANCEL_GRACE_S", 0.05)
    monkeypatch.setattr(cluster, "CLOSE_TIMEOUT_S", 30.0)  # however slow the machine
    monkeypatch.setattr(batch_run, "start_client", functools.partial(start_client, processes=False))
    cancel, on_progress = cancel_once_running()

    report = run_batch(
        _sleep_past_the_grace,
        sessions / "mouse1.session",
        n_workers=1,
        out=tmp_path / "out",
        progress=on_progress,
        cancel=cancel,
    )
    (record,) = report.records
    finished = completed_record(tmp_path / "out" / SESSIONS_DIR / "mouse1", record_fingerprint())
    assert (record.status == "done") == (finished is not None)
    assert record.status == "done", record
    assert record.results == {"n_keys": finished.results["n_keys"]}


def record_fingerprint() -> str:
    return as_task(_sleep_past_the_grace).fingerprint()


def _sleep_past_the_default_grace(dm: DataManager) -> dict[str, int]:
    """A task the cooperative cancel cannot stop, running past the cancel's grace."""
    time.sleep(CANCEL_GRACE_S + 2.0)
    return {"n_keys": len(list(dm.keys()))}


def test_a_session_a_given_cluster_keeps_running_after_cancel_is_reported_so(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    """A lab cluster (a client given): a running task outlives the cancel.

    Was: reported plain 'cancelled', while it ran on and then saved its outputs, marked
    complete, after the batch said it had stopped.
    """
    cancel, on_progress = cancel_once_running()

    report = run_batch(
        _sleep_past_the_default_grace,
        sorted(sessions.glob("*.session")),
        client=threads_client,
        out=tmp_path / "out",
        progress=on_progress,
        cancel=cancel,
    )
    assert report.cancelled
    records = {record.name: record for record in report.records}
    assert records["mouse1"].status == "cancelled"
    assert records["mouse1"].error == STILL_RUNNING  # says it runs on
    assert all(r.error == "cancelled" for name, r in records.items() if name != "mouse1")
    # it ran until the batch stopped (was reported 0.00 s); the others never started
    assert records["mouse1"].duration_s is not None
    assert records["mouse1"].duration_s > 0
    # never handed to a worker: no time (was 0.00 s) and no attempt (was 1)
    assert [records[name].duration_s for name in ("mouse2", "mouse3")] == [None, None]
    assert [records[name].attempts for name in ("mouse2", "mouse3")] == [0, 0]
    summary = report.summary().splitlines()
    assert " 0.00s" not in summary[1]
    assert [line.split()[:3] for line in summary[2:4]] == [
        ["mouse2", "cancelled", "—"],
        ["mouse3", "cancelled", "—"],
    ]
    # ... and so it did: once the worker thread is free, its outputs are there, complete
    assert threads_client.submit(sum, [1, 2], pure=False).result(timeout=60) == 3
    fingerprint = as_task(_sleep_past_the_default_grace).fingerprint()
    assert completed_record(tmp_path / "out" / SESSIONS_DIR / "mouse1", fingerprint) is not None


def test_a_sessions_load_notes_are_in_its_record_not_on_stderr(
    wtb_data: Path, tmp_path: Path, threads_client: Client, capfd: pytest.CaptureFixture[str]
) -> None:
    """A lab's configs often have items without a ``format`` (read as CSV, with a note).

    Was: a worker printed each session's notes on its stderr, four lines a session through
    the progress bar, and the report did not have them.
    """
    items = [
        {"data_type": "points", "name": "nose", "filepath": str(wtb_data / "Points/test_point.csv")}
    ]
    config = tmp_path / "s1.json"
    config.write_text(json.dumps(items), encoding="utf-8")
    script = write_script(tmp_path / "n.py", "results = {'n': len(dm.getData('nose'))}\n")
    capfd.readouterr()

    report = run_batch(script, config, client=threads_client, out=tmp_path / "o")

    (record,) = report.records
    assert record.status == "done"
    assert any("'nose': no 'format': read as 'csv'" in note for note in record.load_notes)
    assert "no 'format'" not in capfd.readouterr().err
    saved = json.loads((tmp_path / "o" / "batch_report.json").read_text(encoding="utf-8"))
    assert saved["records"][0]["load_notes"] == list(record.load_notes)
    assert "no 'format'" in pd.read_csv(tmp_path / "o" / "batch_report.csv")["load_notes"][0]


def test_a_glob_over_the_sessions_leaves_out_a_batchs_outputs_saved_among_them(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    """A batch saved into the sessions' folder (the dock's old default for a library
    pipeline): a later glob over that folder ran its report, its completion markers
    (empty sessions) and its saved sessions (a second time, under hashed names)."""
    from napari_whiskertoolbox.batch import find_sessions
    from napari_whiskertoolbox.io import FormatError

    first = run_batch(
        _contacts,
        sessions.glob("*.session"),
        client=threads_client,
        out=sessions / "contacts-batch",
    )
    assert first.ok
    pattern = str(sessions / "**" / "*")
    found, skipped = find_sessions(pattern)
    assert sorted(p.name for p in found) == [f"{n}.session" for n in SESSION_NAMES]
    out = (sessions / "contacts-batch").resolve()
    assert out / "batch_report.json" in skipped
    assert out / SESSIONS_DIR / "mouse1" / MARKER_FILE in skipped
    assert out / SESSIONS_DIR / "mouse1" in skipped
    assert all(str(out) in why for why in skipped.values())

    report = run_batch(_contacts, pattern, client=threads_client, out=tmp_path / "again")
    assert sorted(r.name for r in report.records) == list(SESSION_NAMES)  # no hashed names
    assert report.ok
    (note,) = report.notes
    assert f"a batch wrote ({len(skipped)} in the batch output folder {out})" in note
    assert json.loads((tmp_path / "again" / "batch_report.json").read_text())["notes"] == [note]

    # pointed at on purpose, a batch's saved sessions are sessions: a second batch on them
    chained, skipped = find_sessions(str(out / SESSIONS_DIR / "*"))
    assert sorted(p.name for p in chained) == list(SESSION_NAMES)
    assert not skipped
    with pytest.raises(FormatError, match=r"batch_report\.json.*a batch's own file"):
        find_sessions(out / "batch_report.json")


def test_a_json_without_a_data_list_fails_its_session(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    """It ran as an empty session (and the task failed on a missing key, or passed)."""
    not_a_config = tmp_path / "notacfg.json"
    not_a_config.write_text('{"foo": 1}')
    report = run_batch(
        _contacts,
        [sessions / "mouse1.session", not_a_config],
        client=threads_client,
        out=tmp_path / "o",
    )
    by_name = {r.name: r for r in report.records}
    assert by_name["mouse1"].status == "done"
    failed = by_name[f"{tmp_path.name}-notacfg"]  # a file: named with its folder
    assert failed.status == "failed"
    assert "notacfg.json" in failed.error
    assert "missing the top-level key 'data'" in failed.error
    assert not failed.transient  # a broken config is not retried


def test_a_runner_configs_data_section_is_said_to_be_unused(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    """Each session is the data; the config's own data would be the same for all of them."""
    (tmp_path / "contacts.csv").write_text("1\n2\n")
    runner = tmp_path / "runner.json"
    runner.write_text(
        json.dumps(
            {
                "data": [
                    {"data_type": "digital_event", "name": "extra", "filepath": "contacts.csv"}
                ],
                "commands": [
                    {
                        "command_name": "SaveData",
                        "parameters": {
                            "data_key": "contact",
                            "format": "csv",
                            "path": "${output_dir}/contact.csv",
                        },
                    }
                ],
            }
        )
    )
    report = run_batch(
        runner, sessions / "mouse1.session", client=threads_client, out=tmp_path / "r"
    )
    (record,) = report.records
    assert record.status == "done", record.error
    assert "extra" not in load_session(record.output)
    (note,) = report.notes
    assert "runner.json: its 'data' section (1 item) is not loaded" in note
    assert "each session's own data" in note
    without_data = tmp_path / "plain.json"
    document = json.loads(runner.read_text())
    del document["data"]
    without_data.write_text(json.dumps(document))
    assert as_task(without_data).notes() == []


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"# caf\xe9 script\nprint('x')\n", "line 1, column 6: byte 0xe9 is not UTF-8"),
        (b"x = 1\ny = 2\nz = 3  # na\xefve\n", "line 3, column 12: byte 0xef is not UTF-8"),
        (
            b"# coding: utf-8\nx = '\xe9'\n",
            "line 2, column 6: byte 0xe9 is not utf-8 (its declared",
        ),
        (b"# -*- coding: nosuch -*-\nx = 1\n", "line 1: the coding declaration names an unknown"),
    ],
    ids=["first-line", "third-line", "declared", "unknown-encoding"],
)
def test_a_script_that_is_not_text_in_its_encoding_is_refused_naming_the_line(
    tmp_path: Path, content: bytes, where: str
) -> None:
    script = tmp_path / "latin.py"
    script.write_bytes(content)
    with pytest.raises(ValueError, match="PEP 263") as caught:
        as_task(script)
    assert str(caught.value).startswith(f"{script}, {where}")


def test_a_script_declaring_its_encoding_runs(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = tmp_path / "cp1252.py"
    script.write_bytes(b"# -*- coding: cp1252 -*-\nresults = {'word': 'caf\xe9'}\n")
    (record,) = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=tmp_path / "out"
    ).records
    assert record.results == {"word": "café"}


def test_the_error_column_leads_with_the_exception_then_the_note(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    from napari_whiskertoolbox.batch.report import error_line

    write_script(
        tmp_path / "angle_helper_er.py",
        "def mean_of(dm, key):\n    return dm.getData(key).values.mean()\n",
    )
    script = write_script(
        tmp_path / "uses_helper.py",
        'import angle_helper_er\nprint("start")\nangle_helper_er.mean_of(dm, "whisker_angel")\n',
    )
    report = run_batch(
        script, sessions / "mouse1.session", client=threads_client, out=tmp_path / "out"
    )
    (record,) = report.records
    line = error_line(record)
    assert line.startswith("AttributeError: 'NoneType' object has no attribute 'values'; note: ")
    assert "dm.getData(key) on line 2 of angle_helper_er.py returned None" in line
    assert line in report.summary(width=1000)
