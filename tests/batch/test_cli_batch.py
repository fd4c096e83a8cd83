"""``napari-whiskertoolbox batch`` through a real subprocess: summary, exit codes, Ctrl+C."""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pandas as pd
import psutil
import pytest
from _batch_support import SESSION_NAMES, write_script

from napari_whiskertoolbox.batch import MARKER_FILE, as_task, completed_record
from napari_whiskertoolbox.batch.cli import configure_parser, run_from_args

if TYPE_CHECKING:
    from pathlib import Path

    from distributed import Client

WAIT_S = 60.0


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is no zombie."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "napari_whiskertoolbox", "batch", *map(str, args)]


def test_summary_report_and_exit_code(sessions: Path, tmp_path: Path) -> None:
    script = write_script(
        tmp_path / "angle.py",
        "import sys\nresults = {'mean': float(dm.get_data('whisker_angle').values.mean()),"
        " 'tag': sys.argv[1]}\n",
    )
    broken = sessions / "mouse2.session" / "session.json"
    broken.write_text(broken.read_text()[:40])  # truncated JSON
    out = tmp_path / "out"
    proc = subprocess.run(
        _command(script, sessions / "*.session", "--workers", "1", "--out", out, "--", "tagged"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 1, proc.stderr  # one session failed
    assert "mouse2" in proc.stdout
    assert "3 sessions: " in proc.stdout
    assert "2 done" in proc.stdout
    assert "1 failed" in proc.stdout
    assert "dashboard http" in proc.stderr
    assert "session.json" in proc.stderr  # the failed session's error names the file
    results = pd.read_csv(out / "batch_results.csv")
    assert list(results["name"]) == list(SESSION_NAMES)
    assert list(results["tag"].fillna("")) == ["tagged", "", "tagged"]
    assert (out / "batch_results.parquet").is_file()
    assert json.loads((out / "batch_report.json").read_text())["counts"] == {"done": 2, "failed": 1}

    broken.unlink()  # no session any more: the glob skips it, the others resume as done
    proc = subprocess.run(
        _command(script, sessions / "*.session", "--workers", "1", "--out", out, "--", "tagged"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "2 sessions: 2 skipped" in proc.stdout


# The first session finishes; every later one is stuck in one blocking call (which the
# cooperative cancel cannot interrupt: the worker process must be killed).
STUCK_AFTER_FIRST = """\
import os, sys, time
from pathlib import Path
flag = Path(sys.argv[1])
if flag.exists():
    Path(sys.argv[2]).write_text(str(os.getpid()))
    time.sleep(600)
flag.write_text("first done")
results = {"ok": 1}
"""


@pytest.mark.parametrize(
    ("stop", "code", "said"),
    [(signal.SIGINT, 130, "cancelled"), (signal.SIGTERM, 143, "terminated (SIGTERM)")],
    ids=["ctrl-c", "sigterm"],
)
def test_ctrl_c_stops_and_keeps_finished_outputs(
    sessions: Path, tmp_path: Path, stop: signal.Signals, code: int, said: str
) -> None:
    """Ctrl+C, and SIGTERM as ``kill``, ``timeout`` and SLURM send it.

    Was (SIGTERM): Python ended at once, without the report or the summary.
    """
    script = write_script(tmp_path / "stuck.py", STUCK_AFTER_FIRST)
    out = tmp_path / "out"
    flag = tmp_path / "flag"
    stuck_pid = tmp_path / "stuck.pid"
    proc = subprocess.Popen(
        _command(
            script, sessions / "*.session", "--workers", "1", "--out", out, "--", flag, stuck_pid
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT on a hang: every thread's stack
    )
    try:
        first_marker = out / "sessions" / "mouse1" / MARKER_FILE
        deadline = time.monotonic() + WAIT_S
        while not first_marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the first session never finished"
            time.sleep(0.05)
        while not stuck_pid.exists() or not stuck_pid.read_text():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the second session never started"
            time.sleep(0.05)
        interrupted = time.monotonic()
        proc.send_signal(stop)
        try:
            stdout, stderr = proc.communicate(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            stdout, stderr = proc.communicate()
            pytest.fail(f"still running {WAIT_S:.0f} s after {stop.name}:\n{stdout}\n{stderr}")
        stopped_after = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stderr
    assert f"{said}: finished sessions are saved" in stderr
    assert "mouse1" in stdout
    task = as_task(script, [str(flag), str(stuck_pid)])
    assert completed_record(out / "sessions" / "mouse1", task.fingerprint())
    assert not _running(int(stuck_pid.read_text()))  # the stuck worker was killed
    assert not (out / "sessions" / "mouse2" / MARKER_FILE).exists()
    table = pd.read_csv(out / "batch_report.csv").set_index("name")
    statuses = table["status"].to_dict()
    assert statuses == {"mouse1": "done", "mouse2": "cancelled", "mouse3": "cancelled"}
    # the stopped session ran until the batch ended it (was 0.00 s); the last never started
    assert table.loc["mouse2", "duration_s"] > 0
    assert pd.isna(table.loc["mouse3", "duration_s"])  # an empty cell, not 0
    assert table.loc["mouse3", "attempts"] == 0
    assert table.loc["mouse2", "attempts"] == 1
    print(f"Ctrl+C to exit: {stopped_after:.1f} s")


def test_usage_errors_and_missing_extra(
    sessions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    err = io.StringIO()
    args = parser.parse_args([str(tmp_path / "missing.py"), str(sessions / "mouse1.session")])
    assert run_from_args(args, stderr=err) == 2
    assert "task not found" in err.getvalue()

    script = write_script(tmp_path / "keys.py", "results = {}\n")
    both = parser.parse_args(
        [
            str(script),
            str(sessions / "mouse1.session"),
            "--scheduler",
            "tcp://127.0.0.1:8786",
            "--workers",
            "4",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = io.StringIO()
    assert run_from_args(both, stderr=err) == 2  # --workers would be ignored
    assert "error: --workers 4 is the size of the local cluster" in err.getvalue()
    assert "tcp://127.0.0.1:8786 has its own workers" in err.getvalue()
    # the scheduler is connected to inside run_batch now: still a usage error naming it
    unreachable = parser.parse_args(
        [
            str(script),
            str(sessions / "mouse1.session"),
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = io.StringIO()
    assert run_from_args(unreachable, stderr=err) == 2
    assert "cannot reach the dask scheduler at tcp://127.0.0.1:1" in err.getvalue()
    # the error is the last thing said: the progress bar closed before it, not drawn after
    last = err.getvalue().replace("\r", "\n").rstrip().splitlines()[-1]
    assert last.startswith("error: cannot reach the dask scheduler"), err.getvalue()

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "distributed" else real(name, *a),
    )
    err = io.StringIO()
    assert run_from_args(args, stderr=err) == 2
    assert "pip install 'napari-whiskertoolbox[batch]'" in err.getvalue()
    assert "dask.distributed" in err.getvalue()


def test_runner_saving_all_sessions_to_one_file_is_a_usage_error(
    sessions: Path, tmp_path: Path
) -> None:
    runner = tmp_path / "save.json"
    runner.write_text(
        json.dumps(
            {"commands": [], "saves": [{"data_key": "whisker_angle", "path": "out/angle.csv"}]}
        )
    )
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args(
        [str(runner), str(sessions / "*.session"), "--out", str(tmp_path / "o")]
    )
    err = io.StringIO()
    assert run_from_args(args, stderr=err) == 2  # refused before any cluster starts
    assert "error: save.json: saves[0] path 'out/angle.csv' is the same file for all 3" in (
        err.getvalue()
    )
    assert "dask:" not in err.getvalue()
    assert not (tmp_path / "o").exists()


def test_pipeline_without_keys_says_how_to_give_them(tmp_path: Path) -> None:
    pipeline = tmp_path / "angle.json"
    pipeline.write_text(json.dumps({"steps": [{"step_id": "a", "transform_name": "Foo"}]}))
    with pytest.raises(ValueError, match="is a TransformsV2 pipeline") as info:
        as_task(pipeline)
    message = str(info.value)
    assert message.endswith(
        "(command line: `input_key=KEY output_key=KEY` after `--`; "
        "Python: args={'input_key': 'whiskers', 'output_key': 'angle'})"
    ), message


def test_a_scheduler_without_workers_says_the_sessions_wait(sessions: Path, tmp_path: Path) -> None:
    # SLURM workers still in the job queue: the command says why nothing moves yet, and
    # runs the sessions once a worker joins
    import threading

    from distributed import LocalCluster

    script = write_script(tmp_path / "keys.py", "results = {'keys': len(dm.keys())}\n")
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    stdout, stderr = io.StringIO(), io.StringIO()
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        args = parser.parse_args(
            [
                str(script),
                str(sessions / "mouse1.session"),
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(tmp_path / "out"),
            ]
        )
        code: list[int] = []
        runner = threading.Thread(
            target=lambda: code.append(run_from_args(args, stdout=stdout, stderr=stderr))
        )
        runner.start()
        deadline = time.monotonic() + WAIT_S
        while "no worker yet" not in stderr.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        said = stderr.getvalue()
        assert f"dask: {cluster.scheduler_address}, 0 workers" in said
        # the sessions were queued first, while the scheduler was connected to
        connecting = said.index(f"dask: connecting to {cluster.scheduler_address}…")
        assert connecting < said.index(f"dask: {cluster.scheduler_address}, 0 workers")
        assert "the sessions wait until one joins" in stderr.getvalue()
        cluster.scale(1)
        runner.join(WAIT_S)
    assert code == [0], stderr.getvalue()
    assert "1 done" in stdout.getvalue()


def test_a_finished_batch_run_again_starts_no_cluster(
    sessions: Path, tmp_path: Path, threads_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every session will be skipped: no local cluster is started for nothing (~6 s)
    from napari_whiskertoolbox.batch import cluster, run_batch
    from napari_whiskertoolbox.batch import run as batch_run

    script = write_script(tmp_path / "keys.py", "results = {'keys': len(dm.keys())}\n")
    out = tmp_path / "out"
    assert run_batch(script, sessions / "*.session", client=threads_client, out=out).ok

    def no_cluster(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(cluster, "start_client", no_cluster)
    monkeypatch.setattr(batch_run, "start_client", no_cluster)
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    stdout, stderr = io.StringIO(), io.StringIO()
    args = parser.parse_args([str(script), str(sessions / "*.session"), "--out", str(out)])
    assert run_from_args(args, stdout=stdout, stderr=stderr) == 0, stderr.getvalue()
    assert "3 sessions: 3 skipped" in stdout.getvalue()
    assert "dask:" not in stderr.getvalue()


def test_a_retry_says_why_the_attempt_failed() -> None:
    from napari_whiskertoolbox.batch import BatchProgress, SessionRecord
    from napari_whiskertoolbox.batch.cli import _ProgressBar

    error = 'Traceback (most recent call last):\n  File "a.py", line 3\nOSError: share offline'
    record = SessionRecord("/data/m1.session", "m1", "failed", error=error, attempts=1)
    stream = io.StringIO()
    bar = _ProgressBar(stream)
    bar(BatchProgress(0, "m1", "/data/m1.session", "retrying", 0, 2, record))
    bar.close()
    assert "retrying m1 (attempt 1 failed: OSError: share offline)" in stream.getvalue()
