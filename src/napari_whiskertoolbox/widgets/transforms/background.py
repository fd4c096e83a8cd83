"""Run a planned transform off the UI thread with napari's ``thread_worker``.

The computation (:meth:`PlannedRun.compute`) runs on a worker thread and never touches the
DataManager; its result is stored on the main thread in one undo step. Progress goes to the
dock's own bar and, for a run still going after :data:`ACTIVITY_DELAY_S`, to a
``napari.utils.progress`` bar (napari's activity dock: making one costs the UI thread
50-250 ms, napari processing events three times, so a short run does without); Cancel sets
an event the transform checks between chunks, so it stops within a fraction of a second
and nothing is stored.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari.qt.threading import thread_worker
from napari.utils import progress
from psygnal import Signal
from qtpy.QtCore import QTimer

from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.api import PlannedRun
    from napari_whiskertoolbox.transforms.recorder import AppliedSteps

__all__ = ["BackgroundRun", "RunOutcome"]

POLL_MS = 100
"""How often the progress bars follow the worker."""
ACTIVITY_DELAY_S = 0.5
"""A run still computing after this many seconds gets a bar in napari's activity dock."""
_STEPS = 1000


@dataclass(frozen=True)
class RunOutcome:
    """How a background run ended.

    Attributes
    ----------
    status : {"done", "cancelled", "failed"}
    message : str
        What happened, for the dock's status line.
    seconds : float
        Wall time of the computation.
    """

    status: str
    message: str
    seconds: float


class BackgroundRun:
    """One run of a :class:`PlannedRun` on a worker thread.

    Parameters
    ----------
    planned : PlannedRun
        The checked run.
    recorder : AppliedSteps, optional
        Where the stored step is recorded (in the same undo step).

    Signals
    -------
    progressed(float)
        The fraction done, on the main thread (polled every 100 ms).
    finished(RunOutcome)
        On the main thread, once the result is stored, the run was cancelled or it failed.

    Attributes
    ----------
    bar : napari.utils.progress or None
        napari's activity-dock bar, made once the run has lasted :data:`ACTIVITY_DELAY_S`
        and closed when it ends.
    """

    progressed = Signal(float)
    finished = Signal(object)

    def __init__(self, planned: PlannedRun, recorder: AppliedSteps | None = None) -> None:
        self.planned = planned
        self.recorder = recorder
        self.cancel_event = threading.Event()
        self.fraction = 0.0
        self.bar: progress | None = None
        self.outcome: RunOutcome | None = None
        self._started = 0.0
        self._timer = QTimer()
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._worker: Any = None

    @property
    def running(self) -> bool:
        """Whether the computation has started and not ended."""
        return self._worker is not None and self.outcome is None

    def start(self) -> None:
        """Start computing on a worker thread."""
        self._started = time.perf_counter()
        self._worker = thread_worker(self._compute, start_thread=False)()
        self._worker.returned.connect(self._on_returned)
        self._worker.errored.connect(self._on_errored)  # only what _compute cannot catch
        self._timer.start()
        self._worker.start()

    def cancel(self) -> None:
        """Ask the computation to stop; nothing is stored."""
        self.cancel_event.set()

    def _set_fraction(self, fraction: float) -> None:
        self.fraction = fraction

    def _compute(self) -> tuple[str, Any]:
        """Run on the worker thread; never raises (the outcome says what happened)."""
        try:
            result = self.planned.compute(progress=self._set_fraction, cancel=self.cancel_event)
        except TransformCancelled:
            return "cancelled", None
        except (TransformError, ValueError, KeyError) as exc:
            return "failed", str(exc)
        except Exception as exc:  # a user's Python transform may raise anything
            return "failed", f"{type(exc).__name__}: {exc}"
        return "done", result

    def _poll(self) -> None:
        if (
            self.bar is None
            and self.outcome is None
            and time.perf_counter() - self._started >= ACTIVITY_DELAY_S
        ):
            bar = progress(total=_STEPS, desc=self.planned.label)
            if self.outcome is not None:  # napari processed events meanwhile: the run ended
                bar.close()
                return
            self.bar = bar
        if self.bar is not None:
            target = round(self.fraction * _STEPS)
            if target > self.bar.n:
                self.bar.update(target - self.bar.n)
        self.progressed.emit(self.fraction)

    def _on_returned(self, value: tuple[str, Any]) -> None:
        status, payload = value
        seconds = time.perf_counter() - self._started
        message = ""
        if status == "done":
            try:
                self.planned.store(payload, self.recorder)
            except (TransformError, ValueError) as exc:
                status, message = "failed", str(exc)
            else:
                message = f"{self.planned.label} in {seconds:.2f} s"
                if self.planned.clock_note:  # what converting to the output clock merged
                    message += f"; {self.planned.clock_note}"
                if self.planned.edits_groups:  # what the operation did to the groups
                    # the edit's summary starts with the operation's name, already said
                    summary = str(payload).removeprefix(f"{self.planned.name}: ")
                    message += f": {summary}"
        elif status == "cancelled":
            message = f"{self.planned.name} cancelled; nothing changed"
        else:
            message = str(payload)
        self._finish(RunOutcome(status, message, seconds))

    def _on_errored(self, exc: BaseException) -> None:
        seconds = time.perf_counter() - self._started
        self._finish(RunOutcome("failed", f"{type(exc).__name__}: {exc}", seconds))

    def _finish(self, outcome: RunOutcome) -> None:
        self._timer.stop()
        self.outcome = outcome
        if self.bar is not None:
            if outcome.status == "done":
                self.fraction = 1.0
                self._poll()
            self.bar.close()
            self.bar = None
        self.finished.emit(outcome)
