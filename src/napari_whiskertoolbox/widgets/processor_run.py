"""The script runner's "Run as processor…": choose keys and chunk size, run off the UI thread.

:class:`ProcessorDialog` asks for the analog input keys, the event keys whose events reach
``handle_event``, the chunk length, the output prefix and (when the clock has none) the
sample rate. :class:`ProcessorRun` computes on a worker thread
(:meth:`~napari_whiskertoolbox.scripting.processors.ProcessorPlan.compute` never touches the
DataManager), reports progress, stops before the next chunk on Cancel and stores the
outputs on the main thread in one undo step.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psygnal import Signal
from qtpy.QtCore import Qt, QTimer
from qtpy.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.scripting.capture import OutputCapture
from napari_whiskertoolbox.scripting.display import displaying_for
from napari_whiskertoolbox.scripting.processors import (
    ProcessorCancelled,
    ProcessorError,
    throughput_text,
)
from napari_whiskertoolbox.widgets.theme_colors import item_indicator_style

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.scripting.capture import OutputCallback
    from napari_whiskertoolbox.scripting.processors import ProcessorPlan, ProcessorResult

__all__ = [
    "DIALOG_FIELDS",
    "ProcessorChoices",
    "ProcessorDialog",
    "ProcessorOutcome",
    "ProcessorRun",
]

POLL_MS = 100

DIALOG_FIELDS: dict[str, str] = {
    "input_keys": "Analog inputs",
    "event_keys": "Event inputs",
    "chunk_seconds": "Chunk length",
    "output_prefix": "Output prefix",
    "sample_rate": "Sample rate",
    "overwrite": "Replace existing outputs",
}
"""The dialog's field labels by the parameter they set: error messages of a run started from
the dialog name these fields (pass as ``option_names`` to
:func:`~napari_whiskertoolbox.scripting.processors.plan_processor`)."""


@dataclass(frozen=True)
class ProcessorChoices:
    """What the user chose in :class:`ProcessorDialog`."""

    input_keys: list[str]
    event_keys: list[str]
    chunk_seconds: float
    output_prefix: str | None
    sample_rate: float | None
    overwrite: bool = False


def _checkable_list(keys: list[str], checked: set[str]) -> QListWidget:
    widget = QListWidget()
    for key in keys:
        item = QListWidgetItem(key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if key in checked else Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setMaximumHeight(120)
    return widget


def _checked(widget: QListWidget) -> list[str]:
    return [
        widget.item(row).text()
        for row in range(widget.count())
        if widget.item(row).checkState() == Qt.CheckState.Checked
    ]


class ProcessorDialog(QDialog):
    """Choose the keys, chunk size and output prefix of a processor run.

    Parameters
    ----------
    dm : DataManager
        Offers its analog keys as inputs and its event and interval keys as event inputs.
    default_prefix : str
        Shown as the output prefix.
    parent : QWidget, optional
        The dialog's parent (the script runner's dock).
    theme_name : str, optional
        napari's theme (``viewer.theme``): the key lists' check boxes are drawn like napari's,
        outlined to show on it; by default Qt draws them.
    """

    def __init__(
        self,
        dm: DataManager,
        default_prefix: str,
        parent: QWidget | None = None,
        theme_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run as processor")
        analog = dm.keys("analog")
        self.inputs = _checkable_list(analog, set(analog[:1]))
        self.events = _checkable_list(dm.keys("digital_event") + dm.keys("digital_interval"), set())
        if theme_name is not None:
            for keys in (self.inputs, self.events):
                keys.setStyleSheet(item_indicator_style(theme_name))
        self.chunk_seconds = QDoubleSpinBox()
        self.chunk_seconds.setDecimals(4)
        self.chunk_seconds.setRange(0.0001, 3600.0)
        self.chunk_seconds.setValue(1.0)
        self.chunk_seconds.setSuffix(" s")
        self.prefix = QLineEdit(default_prefix)
        self.sample_rate = QDoubleSpinBox()
        self.sample_rate.setRange(0.0, 1e7)
        self.sample_rate.setDecimals(3)
        self.sample_rate.setSpecialValueText("the clock's")
        self.sample_rate.setSuffix(" Hz")
        self.overwrite = QCheckBox("replace the output keys of an earlier run")
        self.overwrite.setToolTip("unticked, a run whose output keys exist is refused")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        fields = DIALOG_FIELDS
        form.addRow(f"{fields['input_keys']} (one clock)", self.inputs)
        form.addRow(f"{fields['event_keys']} (handle_event)", self.events)
        form.addRow(fields["chunk_seconds"], self.chunk_seconds)
        form.addRow(fields["output_prefix"], self.prefix)
        form.addRow(fields["sample_rate"], self.sample_rate)
        form.addRow(fields["overwrite"], self.overwrite)
        form.addRow(buttons)

    def choices(self) -> ProcessorChoices:
        """Return what is chosen now."""
        rate = self.sample_rate.value()
        return ProcessorChoices(
            input_keys=_checked(self.inputs),
            event_keys=_checked(self.events),
            chunk_seconds=float(self.chunk_seconds.value()),
            output_prefix=self.prefix.text() or None,
            sample_rate=rate if rate > 0 else None,
            overwrite=self.overwrite.isChecked(),
        )


@dataclass(frozen=True)
class ProcessorOutcome:
    """How a run ended: ``status`` is ``"done"``, ``"cancelled"`` or ``"failed"``."""

    status: str
    message: str
    result: ProcessorResult | None = None


class ProcessorRun:
    """One processor run on a worker thread, stored on the main thread.

    Parameters
    ----------
    plan : ProcessorPlan
        The checked run.
    on_output : callable, optional
        ``on_output(stream_name, text)`` receives what the processor prints (``"stdout"`` /
        ``"stderr"``), from the worker thread, as it prints; without it the prints go to
        the process's own streams.

    Signals
    -------
    progressed(float)
        Fraction done, on the main thread (every 100 ms).
    finished(ProcessorOutcome)
        On the main thread once the outputs are stored, or the run was cancelled or failed.
    """

    progressed = Signal(float)
    finished = Signal(object)

    def __init__(self, plan: ProcessorPlan, on_output: OutputCallback | None = None) -> None:
        self.plan = plan
        self._on_output = on_output
        self.cancel_event = threading.Event()
        self.fraction = 0.0
        self.outcome: ProcessorOutcome | None = None
        self._computed: tuple[str, Any] | None = None
        self._started = 0.0
        self._timer = QTimer()
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the run started and has not finished."""
        return self._thread is not None and self.outcome is None

    def start(self) -> None:
        """Start computing on a worker thread."""
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._compute, name="wtb-processor", daemon=True)
        self._timer.start()
        self._thread.start()

    def cancel(self) -> None:
        """Stop before the next chunk; nothing is stored."""
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the computation (not the storing) to end; True if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._computed is not None

    def _set_fraction(self, fraction: float) -> None:
        self.fraction = fraction

    def _compute(self) -> None:
        capture = OutputCapture(self._on_output) if self._on_output is not None else nullcontext()
        try:
            with capture, displaying_for(self.plan.dm):
                output = self.plan.compute(progress=self._set_fraction, cancel=self.cancel_event)
        except ProcessorCancelled:
            self._computed = ("cancelled", None)
        except (ProcessorError, ValueError, KeyError) as exc:
            self._computed = ("failed", str(exc))
        except Exception as exc:
            self._computed = ("failed", f"{type(exc).__name__}: {exc}")
        else:
            self._computed = ("done", output)

    def _poll(self) -> None:
        self.progressed.emit(self.fraction)
        if self._computed is None:
            return
        self._timer.stop()
        status, payload = self._computed
        if status == "done":
            try:
                result = self.plan.store(payload)
            except ValueError as exc:
                self._finish(ProcessorOutcome("failed", str(exc)))
                return
            keys = ", ".join([*result.analog_keys, *result.event_keys])
            self._finish(
                ProcessorOutcome(
                    "done",
                    f"{self.plan.label}: {counted(result.n_chunks, 'chunk')} in {result.seconds:.2f} s "
                    f"({throughput_text(result.samples_per_second)}) -> {keys}"
                    + (f"; {result.merged_note}" if result.merged_note else ""),
                    result,
                )
            )
        elif status == "cancelled":
            self._finish(
                ProcessorOutcome("cancelled", f"{self.plan.name} cancelled; nothing stored")
            )
        else:
            self._finish(ProcessorOutcome("failed", str(payload)))

    def _finish(self, outcome: ProcessorOutcome) -> None:
        self.outcome = outcome
        self.finished.emit(outcome)
