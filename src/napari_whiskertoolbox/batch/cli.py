"""``napari-whiskertoolbox batch TASK SESSIONS...``: the batch command line.

Prints the dask dashboard's address, a progress bar, a summary table and where the
report went; exits 0 when every session is done, 1 when any failed, 2 for unusable
arguments, a missing ``[batch]`` extra, an unreachable scheduler or an output folder
another batch is writing to, 130 when interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

from napari_whiskertoolbox.batch._deps import (
    MissingBatchDependencyError,
    require_batch_dependencies,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from napari_whiskertoolbox.batch.records import BatchProgress, ClusterStatus

__all__ = [
    "EXIT_CANCELLED",
    "EXIT_FAILED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "configure_parser",
    "run_from_args",
]

EXIT_FAILED = 1
"""Some session failed."""
EXIT_USAGE = 2
"""Bad arguments, or the ``[batch]`` extra is not installed."""
EXIT_CANCELLED = 130
"""Interrupted with Ctrl+C (as a shell reports it)."""
EXIT_TERMINATED = 128 + signal.SIGTERM
"""Stopped by SIGTERM (``kill``, SLURM's ``scancel`` or time limit, ``timeout``), as a shell reports it."""

EPILOG = """\
TASK is a .py script (`dm` is the session; values left in a `results` dict go to the
results table), or a .json pipeline (TransformsV2 pipeline: pass input_key=KEY
output_key=KEY [output_time_key=CLOCK] after `--`; pipeline-runner config: commands run on
each session, KEY=VALUE after `--` sets its ${KEY} variables).
SESSIONS are session folders, configs, media, glob patterns ('data/**/*.json', quoted) or
manifests (.txt one path a line, .csv with a 'session' column).
Arguments after `--` go to the script as sys.argv[1:].
Outputs: OUT/sessions/<name>/ per session, OUT/batch_report.{json,csv},
OUT/batch_results.{csv,parquet}. Exit code 1 when any session failed."""


def _int_at_least(minimum: int) -> Any:
    """Return an argparse ``type`` accepting integers >= ``minimum``.

    argparse then names the option in its error (``argument --workers: expected an integer
    >= 1, got '0'``), rather than the Python parameter the value ends up in.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value

    return parse


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``batch`` command's arguments to ``parser``."""
    parser.add_argument("task", help="a .py script or a .json pipeline to run on each session")
    parser.add_argument("sessions", nargs="+", help="session folders, configs, globs, manifests")
    parser.add_argument(
        "--scheduler", metavar="ADDR", help="a running dask scheduler, tcp://host:8786"
    )
    parser.add_argument(
        "--workers",
        type=_int_at_least(1),
        metavar="N",
        help="local worker processes (default: cores)",
    )
    parser.add_argument("--out", metavar="DIR", help="output folder (default ./<task>-batch)")
    parser.add_argument(
        "--retries",
        type=_int_at_least(0),
        default=0,
        metavar="K",
        help=(
            "extra tries per session whose failure may pass (its worker died, out of "
            "memory, a file share timing out); a broken config or a script error is not retried"
        ),
    )
    parser.add_argument(
        "--no-resume", action="store_true", help="redo sessions finished by an earlier run"
    )
    parser.add_argument("--beside", action="store_true", help="save each session next to its input")
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


class _ProgressBar:
    """A tqdm bar over the sessions, advanced when a session reaches a final status."""

    def __init__(self, stream: TextIO, starting: str = "") -> None:
        self._stream = stream
        self._bar: Any = None  # a tqdm bar, created with the first event
        self._counts: dict[str, int] = {}
        self._starting = starting  # said when sessions wait for the cluster to start
        self.cluster_shown = False

    def write(self, text: str) -> None:
        """Print a line above the bar (or plainly, before it exists)."""
        if self._bar is not None:
            self._bar.write(text, file=self._stream)
        else:
            print(text, file=self._stream)

    def __call__(self, event: BatchProgress) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(
                total=event.total, unit="session", file=self._stream, dynamic_ncols=True
            )
        if event.status == "queued" and self._starting and not self.cluster_shown:
            self.write(self._starting)  # local workers take seconds to start
            self._starting = ""
        if event.status in ("done", "skipped", "failed", "cancelled"):
            self._counts[event.status] = self._counts.get(event.status, 0) + 1
            self._bar.set_postfix(self._counts, refresh=False)
            self._bar.update(1)
        elif event.status == "retrying":
            record = event.record
            attempt = record.attempts if record else "?"
            lines = (record.error or "").strip().splitlines() if record else []
            why = f": {lines[-1]}" if lines else ""
            self.write(f"retrying {event.name} (attempt {attempt} failed{why})")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run_from_args(
    args: argparse.Namespace,
    script_args: Sequence[str] = (),
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the ``batch`` command parsed into ``args``; return the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        require_batch_dependencies()
    except MissingBatchDependencyError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    from napari_whiskertoolbox.batch.run import (
        STILL_RUNNING,
        ClusterUnavailableError,
        OutputInUseError,
        check_shared_outputs,
        run_batch,
    )
    from napari_whiskertoolbox.batch.sessions import expand_sessions
    from napari_whiskertoolbox.batch.tasks import as_task

    if args.scheduler and args.workers is not None:
        print(
            f"error: --workers {args.workers} is the size of the local cluster; the scheduler "
            f"{args.scheduler} has its own workers (scale them there, or leave --workers out)",
            file=err,
        )
        return EXIT_USAGE
    try:
        task = as_task(args.task, list(script_args))
        check_shared_outputs(task, len(expand_sessions(args.sessions)))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    from napari_whiskertoolbox.batch.cluster import default_n_workers
    from napari_whiskertoolbox.core.counted import counted

    n_local = args.workers or default_n_workers()
    bar = _ProgressBar(
        err,
        f"dask: connecting to {args.scheduler}…"
        if args.scheduler
        else f"dask: starting a local cluster, {counted(n_local, 'worker')}…",
    )

    def on_cluster(status: ClusterStatus) -> None:
        """Say where the batch runs when it starts, and when its number of workers changes."""
        workers = f"{status.n_workers} worker{'' if status.n_workers == 1 else 's'}"
        if not bar.cluster_shown:
            where = (
                f"{args.scheduler}, {workers}" if args.scheduler else f"local cluster, {workers}"
            )
            link = status.dashboard_link
            bar.write(f"dask: {where}" + (f"; dashboard {link}" if link else ""))
            bar.cluster_shown = True
        else:
            bar.write(f"dask: the scheduler has {workers} now")
        if status.waiting_for_workers:  # a lab cluster whose workers are still in a job queue
            bar.write(
                "the scheduler has no worker yet: the sessions wait until one joins (Ctrl+C stops)"
            )

    terminated = threading.Event()
    cancel = threading.Event()
    try:
        try:
            with _signals_cancel(cancel, terminated):
                # the cluster starts only when a session is left to run (not for a finished batch)
                report = run_batch(
                    task,
                    args.sessions,
                    out=args.out,
                    retries=args.retries,
                    resume=not args.no_resume,
                    progress=bar,
                    scheduler=args.scheduler,
                    n_workers=args.workers,
                    save_beside_input=args.beside,
                    on_cluster=on_cluster,
                    cancel=cancel,
                )
        finally:
            bar.close()  # before anything else is said: not redrawn after it
    except KeyboardInterrupt:
        print("terminated" if terminated.is_set() else "interrupted", file=err)
        return EXIT_TERMINATED if terminated.is_set() else EXIT_CANCELLED
    except (OutputInUseError, ClusterUnavailableError, ValueError) as exc:
        print(f"error: {exc}", file=err)  # names the folder, the address or the local workers
        return EXIT_USAGE
    print(report.summary(), file=out)
    for note in report.notes:
        print(f"note: {note}", file=err)
    for record in report.failed:
        print(f"\n--- {record.name} ({record.session}) failed:\n{record.error}", file=err)
    noted = [record for record in report.records if record.load_notes]
    if noted:
        first = noted[0]
        print(
            f"\n{counted(len(noted), 'session')} loaded with notes (the first, {first.name}: "
            f"{first.load_notes[0]}); every session's notes are in "
            f"{report.files.get('report_json')} and {report.files.get('report_csv')} "
            "(load_notes)",
            file=err,
        )
    print(f"report: {report.files.get('report_json')}", file=out)
    print(f"results: {report.files.get('results_csv')} (and .parquet)", file=out)
    if report.cancelled:
        why = "terminated (SIGTERM)" if terminated.is_set() else "cancelled"
        print(f"{why}: finished sessions are saved; run again to resume", file=err)
        running = [r.name for r in report.records if r.error == STILL_RUNNING]
        if running:
            print(
                f"still running on the cluster's workers: {', '.join(running)} (dask cannot "
                "interrupt them); they may finish and save there: a re-run waits for them "
                "(or reports them as still running elsewhere) and never writes there meanwhile",
                file=err,
            )
        return EXIT_TERMINATED if terminated.is_set() else EXIT_CANCELLED
    return 0 if report.ok else EXIT_FAILED


@contextlib.contextmanager
def _signals_cancel(cancel: threading.Event, terminated: threading.Event) -> Iterator[None]:
    """Make Ctrl+C and SIGTERM cancel the batch, in the block (main thread only).

    The first signal sets ``cancel`` (and, for SIGTERM, ``terminated``): the batch loop
    notices it within its poll interval, running sessions get the cancel's grace, the report
    is written, the exit code is :data:`EXIT_CANCELLED` or :data:`EXIT_TERMINATED`. A
    ``KeyboardInterrupt`` raised at an arbitrary point instead could land inside dask's
    client while it held a lock its event-loop thread needs, and the batch then hung
    (seen once in CI: no exit 60 s after Ctrl+C). ``kill``, ``timeout`` and SLURM
    (``scancel``, a job's time limit) send SIGTERM, which by default ends Python at once: no
    report, the cluster not closed. A second signal while stopping raises
    ``KeyboardInterrupt``: stop now.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        if signum == signal.SIGTERM:
            terminated.set()
        cancel.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
