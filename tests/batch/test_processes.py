"""A real multi-process LocalCluster: sessions in worker processes, a worker SIGKILLed mid-session.

One cluster (two single-threaded worker processes, as ``run_batch`` starts by default) is
shared by the module; each kill waits at most a bounded time.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import TYPE_CHECKING

import pytest
from _batch_support import SESSION_NAMES, start_batch, write_script

from _venvs import make_venv, site_packages
from napari_whiskertoolbox.batch import MARKER_FILE, run_batch, start_client
from napari_whiskertoolbox.io import load_session

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from napari_whiskertoolbox.batch import BatchClient, BatchProgress, BatchReport

WAIT_S = 60.0

# The first session to start writes its worker's pid and waits to be killed; later
# sessions (and the retry) find the pid file and finish.
KILL_ME_SCRIPT = """\
import os, sys, time
from pathlib import Path
pid_file = Path(sys.argv[1])
if not pid_file.exists():
    pid_file.write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.02)
    raise RuntimeError("nobody killed this worker")
results = {"pid": os.getpid(), "keys": len(dm.keys())}
"""


@pytest.fixture(scope="module")
def process_cluster() -> Iterator[BatchClient]:
    started = start_client(n_workers=2, processes=True)
    try:
        yield started
    finally:
        started.close()


def _run_and_kill(
    cluster: BatchClient, script: Path, sessions: Path, out: Path, retries: int
) -> BatchReport:
    """Run the batch in a thread, SIGKILL the worker that wrote the pid file, return the report."""
    pid_file = script.parent / f"pid-{out.name}"
    cancel = threading.Event()
    runner, result = start_batch(
        script,
        sessions.glob("*.session"),
        client=cluster.client,
        out=out,
        retries=retries,
        args=[str(pid_file)],
        cancel=cancel,
    )
    deadline = time.monotonic() + WAIT_S
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "no session started"
        time.sleep(0.02)
    pid = int(pid_file.read_text())
    assert pid != os.getpid()  # a worker process, not this one
    os.kill(pid, signal.SIGKILL)
    runner.join(WAIT_S)
    if runner.is_alive():
        cancel.set()
        runner.join(WAIT_S)
        pytest.fail("the batch hung after a worker was killed")
    return result[0]


def test_sessions_run_in_worker_processes(
    process_cluster: BatchClient, sessions: Path, tmp_path: Path
) -> None:
    script = write_script(tmp_path / "pid.py", "import os\nresults = {'pid': os.getpid()}\n")
    report = run_batch(
        script, sessions.glob("*.session"), client=process_cluster.client, out=tmp_path / "o"
    )
    assert report.ok
    assert report.n_workers == 2
    assert all(r.results["pid"] != os.getpid() for r in report.records)
    assert all(r.worker is not None and r.worker.startswith("tcp://") for r in report.records)


def test_killed_worker_fails_that_session_and_resume_redoes_only_it(
    process_cluster: BatchClient, sessions: Path, tmp_path: Path
) -> None:
    script = write_script(tmp_path / "kill_me.py", KILL_ME_SCRIPT)
    out = tmp_path / "out"
    report = _run_and_kill(process_cluster, script, sessions, out, retries=0)
    failed = report.failed
    assert len(failed) == 1
    assert "worker process died" in failed[0].error
    killed = failed[0].name
    assert not (out / "sessions" / killed / MARKER_FILE).exists()  # nothing taken as done
    others = [r for r in report.records if r.name != killed]
    assert [r.status for r in others] == ["done"] * (len(SESSION_NAMES) - 1)

    again = run_batch(
        script,
        sessions.glob("*.session"),
        client=process_cluster.client,
        out=out,
        args=[str(tmp_path / f"pid-{out.name}")],
    )
    statuses = {r.name: r.status for r in again.records}
    assert statuses.pop(killed) == "done"
    assert set(statuses.values()) == {"skipped"}
    assert "media" in load_session(out / "sessions" / killed)


def test_killed_worker_session_is_retried(
    process_cluster: BatchClient, sessions: Path, tmp_path: Path
) -> None:
    script = write_script(tmp_path / "kill_me.py", KILL_ME_SCRIPT)
    report = _run_and_kill(process_cluster, script, sessions, tmp_path / "retried", retries=1)
    assert report.ok
    assert sorted(r.attempts for r in report.records) == [1, 1, 2]


def test_broken_configs_fail_after_one_attempt_despite_retries(
    process_cluster: BatchClient, tmp_path: Path
) -> None:
    # a config that does not parse, names a missing file or an unknown data_type fails the
    # same way on every try: reloading it twice more would only repeat the error
    configs = {
        "broken": '{"data": [\n  {"data_type": "analog",\n',
        "missing": '{"data": [{"data_type": "digital_event", "name": "licks", '
        '"filepath": "gone.csv"}]}',
        "invalid": '{"data": [{"data_type": "digital_evnt", "name": "licks", '
        '"filepath": "licks.csv"}]}',
    }
    (tmp_path / "licks.csv").write_text("3\n7\n", encoding="utf-8")
    for name, text in configs.items():
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    events: list[BatchProgress] = []
    script = write_script(tmp_path / "ok.py", "results = {'ok': True}\n")
    report = run_batch(
        script,
        [tmp_path / f"{name}.json" for name in configs],
        client=process_cluster.client,
        out=tmp_path / "o",
        retries=2,
        progress=events.append,
    )
    by_name = {r.name.removeprefix(f"{tmp_path.name}-"): r for r in report.records}
    assert sorted(by_name) == sorted(configs)  # a config's name says its folder
    for record in by_name.values():
        assert record.status == "failed"
        assert record.attempts == 1
        assert not record.transient
        assert "could not load" in record.error
    assert "broken.json', line 3: invalid JSON" in by_name["broken"].error
    assert "gone.csv" in by_name["missing"].error
    assert "unknown data_type 'digital_evnt'" in by_name["invalid"].error
    assert "retrying" not in [e.status for e in events]
    assert report.to_frame()["attempts"].tolist() == [1, 1, 1]


# Exits its worker process on the session's first attempt (a marker file says it ran).
EXIT_ONCE_SCRIPT = """\
import os, sys
from pathlib import Path
marker = Path(sys.argv[1])
if not marker.exists():
    marker.write_text(str(os.getpid()))
    os._exit(1)
results = {"pid": os.getpid()}
"""


def test_a_worker_that_died_on_the_first_attempt_is_retried(
    process_cluster: BatchClient, sessions: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "attempted"
    script = write_script(tmp_path / "exit_once.py", EXIT_ONCE_SCRIPT)
    events: list[BatchProgress] = []
    report = run_batch(
        script,
        sessions / "mouse1.session",
        client=process_cluster.client,
        out=tmp_path / "o",
        retries=2,
        args=[str(marker)],
        progress=events.append,
    )
    (record,) = report.records
    assert record.status == "done", record.error
    assert record.attempts == 2
    assert record.results["pid"] != int(marker.read_text())  # a new worker process
    assert [e.status for e in events if e.status in ("retrying", "done")] == ["retrying", "done"]
    retried = next(e.record for e in events if e.status == "retrying")
    assert retried is not None
    assert "worker process died" in (retried.error or "")


def test_closing_kills_a_worker_stuck_in_a_blocking_call() -> None:
    # what a cancelled batch does with its own cluster: a session in one blocking call
    # (which the cooperative cancel cannot interrupt) must not keep its worker running,
    # nor leave the cluster half-closed (napari would keep both until the call ends, and
    # the interpreter would wait for them at exit)
    import psutil

    started = start_client(n_workers=1, processes=True)
    busy = started.client.submit(time.sleep, 600, pure=False)
    deadline = time.monotonic() + WAIT_S
    while not any(started.client.processing().values()):
        assert time.monotonic() < deadline, "the task never started"
        time.sleep(0.02)
    (pid,) = [worker.pid for worker in started.cluster.workers.values()]
    del busy
    started.close(timeout=0.5)
    assert started.cluster.status.name == "closed"
    try:
        running = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        running = False
    assert not running, "the stuck worker process is still running"


def test_a_configs_python_environment_is_active_in_the_worker(
    process_cluster: BatchClient, tmp_path: Path
) -> None:
    # WhiskerToolbox's config `python` block: the worker loading the session activates
    # venv_path as `napari-whiskertoolbox run` does, so the script imports from it
    env = make_venv(tmp_path / "analysis_env")
    (site_packages(env) / "wtb_batch_probe.py").write_text("VALUE = 'from the environment'\n")
    configs = []
    for name in ("mouse1", "mouse2"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "events.csv").write_text("3\n7\n")
        doc = {
            "python": {"venv_path": str(env), "required_imports": ["wtb_batch_probe"]},
            "data": [{"data_type": "digital_event", "name": "licks", "filepath": "events.csv"}],
        }
        configs.append(folder / "config.json")
        configs[-1].write_text(json.dumps(doc))
    script = write_script(
        tmp_path / "probe.py",
        "import os, wtb_batch_probe\n"
        "results = {'value': wtb_batch_probe.VALUE, 'pid': os.getpid(),\n"
        "           'licks': len(dm.getData('licks'))}\n",
    )
    report = run_batch(script, configs, client=process_cluster.client, out=tmp_path / "o")
    assert report.ok, [r.error for r in report.records]
    assert [r.results["value"] for r in report.records] == ["from the environment"] * 2
    assert [r.results["licks"] for r in report.records] == [2, 2]
    assert all(r.results["pid"] != os.getpid() for r in report.records)


def test_a_scheduler_that_reruns_a_dead_workers_task_counts_towards_retries(
    sessions: Path, tmp_path: Path
) -> None:
    # a lab scheduler re-runs a task whose worker died `allowed-failures` times (dask's
    # default: 3) before the batch hears of it: those runs are attempts, or `retries=1`
    # would crash workers 2 x 4 times
    runs = tmp_path / "runs.txt"
    script = write_script(
        tmp_path / "crash.py",
        f"import os\nwith open({str(runs)!r}, 'a') as f:\n    f.write('run\\n')\nos._exit(3)\n",
    )
    started = start_client(n_workers=1, processes=True, allowed_failures=1)
    try:
        report = run_batch(
            script,
            sessions / "mouse1.session",
            client=started.client,
            out=tmp_path / "o",
            retries=1,
        )
    finally:
        started.close()
    (record,) = report.records
    assert record.status == "failed"
    assert runs.read_text().count("run") == 2
    assert record.attempts == 2
    assert "died while running this session (2 times" in record.error
    assert "allowed-failures" in record.error


# Blocks in one C call (a cancel waits for it to return) while the gate, a FIFO the test
# made, exists: reading it returns when the test closes its writing end. (Was: a 3 s sleep,
# which a loaded machine outlasted before the re-run asked for the lock; flaky.) Each run
# logs its pid and says which run wrote the window before it.
GATED_SCRIPT = """\
import json, os, sys
from pathlib import Path
window, gate = Path(sys.argv[1]), Path(sys.argv[2])
before = json.loads(window.read_text())["pid"] if window.exists() else None
window.write_text(json.dumps({"pid": os.getpid()}))
with open(window.with_suffix(".log"), "a") as log:
    log.write(f"{os.getpid()}\\n")
if gate.exists():
    gate.read_bytes()
results = {"after": before}
"""


def _open_gate(gate: Path) -> None:
    """Let the script blocked reading ``gate`` go on (no later run blocks on it)."""
    deadline = time.monotonic() + WAIT_S
    while True:  # the reader may not have opened it yet: no reader, no writer
        try:
            fd = os.open(gate, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert time.monotonic() < deadline, "the script never read the gate"
            time.sleep(0.02)
    gate.unlink()
    os.close(fd)  # the reader gets end-of-file


def test_a_rerun_never_writes_a_session_a_cancelled_run_still_runs_on_a_shared_cluster(
    process_cluster: BatchClient, sessions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clients of one external cluster: a batch cancelled by the first, re-run by the second.

    Was: the re-run ran the session again at once, both writing its output folder.
    """
    from distributed import Client

    from napari_whiskertoolbox.batch import run as batch_run
    from napari_whiskertoolbox.batch.run import STILL_RUNNING

    monkeypatch.setattr(batch_run, "CANCEL_GRACE_S", 0.2)
    script = write_script(tmp_path / "gated.py", GATED_SCRIPT)
    window, gate = tmp_path / "window.json", tmp_path / "gate"
    os.mkfifo(gate)  # the first run holds the session until the test opens it
    options = {"out": tmp_path / "out", "args": [str(window), str(gate)]}
    session = sessions / "mouse1.session"
    address = process_cluster.client.scheduler.address
    with Client(address) as first, Client(address) as second:
        cancel = threading.Event()
        runner, result = start_batch(script, session, client=first, cancel=cancel, **options)
        deadline = time.monotonic() + WAIT_S
        while not window.exists():  # the script runs: cancel it inside its read
            assert time.monotonic() < deadline, "the session did not start"
            time.sleep(0.02)
        cancel.set()
        runner.join(WAIT_S)
        (cancelled,) = result
        assert cancelled.records[0].error == STILL_RUNNING

        monkeypatch.setattr(batch_run, "SESSION_LOCK_WAIT_S", 0.0)
        busy = run_batch(script, session, client=second, **options).records[0]
        assert busy.status == "failed"
        assert busy.error.startswith("still running elsewhere: process ")
        assert json.loads(window.read_text())["pid"] != os.getpid()
        assert str(json.loads(window.read_text())["pid"]) in busy.error  # names the holder
        assert len(window.with_suffix(".log").read_text().split()) == 1  # it did not run

        first_pid = json.loads(window.read_text())["pid"]
        _open_gate(gate)  # the first run ends (its cancel lands), freeing the session
        monkeypatch.setattr(batch_run, "SESSION_LOCK_WAIT_S", WAIT_S)
        waited = run_batch(script, session, client=second, **options).records[0]
    assert waited.status == "done", waited.error
    assert waited.results == {"after": first_pid}
    assert len(window.with_suffix(".log").read_text().split()) == 2
    assert "media" in load_session(tmp_path / "out" / "sessions" / "mouse1")
