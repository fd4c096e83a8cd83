"""The script runner's "Run as processor…": dialog choices, progress, result keys, Cancel."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np
import pytest
from qtpy.QtCore import Qt
from scipy.signal import sosfilt

from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalEventSeries, TimeFrame
from napari_whiskertoolbox.scripting.processors import throughput_text
from napari_whiskertoolbox.scripting.templates import load_template
from napari_whiskertoolbox.widgets.processor_run import DIALOG_FIELDS, ProcessorDialog
from napari_whiskertoolbox.widgets.recent_files import RecentFiles
from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

RATE = 1000.0


@pytest.fixture
def runner(make_napari_viewer, qtbot, tmp_path: Path) -> ScriptRunnerWidget:
    viewer = make_napari_viewer()
    dm = get_session(viewer).dm
    dm.set_time("time", TimeFrame.from_count(5000, sampling_rate=RATE))
    rng = np.random.default_rng(3)
    for key in ("lfp0", "lfp1"):
        dm.set_data(key, AnalogTimeSeries(rng.normal(size=5000).astype(np.float32)))
    dm.set_data("ttl", DigitalEventSeries([10, 20]))
    widget = ScriptRunnerWidget(viewer, recent_files=RecentFiles(tmp_path / "recent.json"))
    viewer.window.add_dock_widget(widget, name="Script runner", area="right")
    return widget


BANDPASS = load_template("Stream processor: band-pass").replace("LOW_HZ = 300.0", "LOW_HZ = 5.0")


def test_run_as_processor_stores_the_filtered_keys_with_progress(qtbot, runner) -> None:
    runner.editor.setPlainText(BANDPASS)
    fractions: list[float] = []
    run = runner.run_as_processor(["lfp0", "lfp1"], chunk_seconds=0.25)
    assert run is not None
    run.progressed.connect(fractions.append)
    assert not runner._processor_button.enabled  # busy: the run buttons wait
    assert runner._cancel_button.enabled
    with qtbot.waitSignal(run.finished, timeout=20_000) as blocker:
        pass
    outcome = blocker.args[0]
    assert outcome.status == "done", outcome.message
    assert outcome.result.analog_keys == ["untitled_lfp0", "untitled_lfp1"]
    assert fractions[-1] == 1.0
    runner.output.flush()
    assert "untitled_lfp0, untitled_lfp1" in runner.output.toPlainText()
    assert runner._run_button.enabled
    dm = runner.engine.dm
    module = sys.modules[run.plan.processor_class.__module__]  # built from the editor's text
    offline = sosfilt(module.design(RATE), dm.get_data("lfp1").values).astype(np.float32)
    np.testing.assert_allclose(dm.get_data("untitled_lfp1").values, offline, rtol=1e-6, atol=1e-6)


def test_cancel_stops_the_processor_and_stores_nothing(qtbot, runner, tmp_path, capfd) -> None:
    """Also: what the processor prints reaches the output pane (it went to the terminal)."""
    script = tmp_path / "slow_proc.py"
    script.write_text(
        "import sys, time\n"
        "class PyProcessor:\n"
        "    def __init__(self, processor, num_channels, sample_rate):\n"
        "        print('channels', num_channels)\n"
        "    def process(self, data):\n"
        "        print('chunk at', data.shape)\n"
        "        print('slow chunk', file=sys.stderr)\n"
        "        time.sleep(0.01)\n"
    )
    runner.open_path(script)
    run = runner.run_as_processor(["lfp0"], chunk_samples=10)
    qtbot.waitUntil(lambda: run.fraction > 0, timeout=10_000)
    runner.cancel()
    with qtbot.waitSignal(run.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0].status == "cancelled"
    assert "slow_proc_lfp0" not in runner.engine.dm
    runner.output.flush()
    text = runner.output.toPlainText()
    assert "channels 1\n" in text
    assert "chunk at (1, 10)\n" in text
    assert "slow chunk\n" in text
    terminal = capfd.readouterr()
    assert "chunk at" not in terminal.out
    assert "slow chunk" not in terminal.err


def test_throughput_reads_in_samples_per_second_below_a_million() -> None:
    assert throughput_text(48_213.4) == "48,213 samples/s"
    assert throughput_text(12_345_678.0) == "12.3 M samples/s"


def test_unusable_choices_are_reported_in_the_output(qtbot, runner) -> None:
    runner.editor.setPlainText("x = 1\n")
    assert runner.run_as_processor(["lfp0"]) is None
    runner.editor.setPlainText(BANDPASS)
    assert runner.run_as_processor(["ttl"]) is None
    runner.output.flush()
    text = runner.output.toPlainText()
    assert "cannot run as processor: <untitled>: expected a class 'PyProcessor'" in text
    assert "input key 'ttl' is 'digital_event'" in text


def test_a_rerun_from_the_dialog_names_its_fields_and_replaces_when_ticked(
    qtbot, runner, monkeypatch
) -> None:
    runner.editor.setPlainText(BANDPASS)
    first = runner.run_as_processor(["lfp0"])
    with qtbot.waitSignal(first.finished, timeout=20_000):
        pass
    # the dialog's wording, not run_processor's keywords (the dialog has no overwrite=True)
    assert runner.run_as_processor(["lfp0"], option_names=DIALOG_FIELDS) is None
    runner.output.flush()
    assert (
        "output keys already exist: untitled_lfp0; choose another 'Output prefix' or tick "
        "'Replace existing outputs'" in runner.output.toPlainText()
    )
    assert ">>> run processor untitled on lfp0: 5,000 samples in 5 chunks" in (
        runner.output.toPlainText()
    )

    def tick_and_accept(dialog: ProcessorDialog) -> int:
        assert dialog.overwrite.text()
        dialog.overwrite.setChecked(True)
        return ProcessorDialog.DialogCode.Accepted

    monkeypatch.setattr(ProcessorDialog, "exec", tick_and_accept)
    runner._ask_run_as_processor()
    assert runner.processor_run is not first
    with qtbot.waitSignal(runner.processor_run.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0].status == "done", blocker.args[0].message
    assert "1 chunk in" not in blocker.args[0].message  # 5 chunks, counted right


def test_dialog_offers_the_sessions_keys(qtbot, runner) -> None:
    dialog = ProcessorDialog(runner.engine.dm, "bp_")
    assert [dialog.inputs.item(i).text() for i in range(dialog.inputs.count())] == [
        "lfp0",
        "lfp1",
    ]
    dialog.inputs.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.events.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.chunk_seconds.setValue(0.5)
    choices = dialog.choices()
    assert choices.input_keys == ["lfp0", "lfp1"]
    assert choices.event_keys == ["ttl"]
    assert (choices.chunk_seconds, choices.output_prefix, choices.sample_rate) == (0.5, "bp_", None)
    assert choices.overwrite is False


def test_the_dock_says_how_many_sent_events_merged(qtbot, runner) -> None:
    runner.editor.setPlainText(
        "class Echo:\n"
        "    def __init__(self, processor, num_channels, sample_rate):\n"
        "        self.processor = processor\n"
        "    def process(self, data):\n"
        "        return data\n"
        "    def handle_event(self, channel, sample_number, state):\n"
        "        self.processor.add_event(3, True)  # both ttl events: chunk start 0\n"
    )
    run = runner.run_as_processor(["lfp0"], chunk_seconds=1.0, event_keys=["ttl"])
    with qtbot.waitSignal(run.finished, timeout=20_000) as blocker:
        pass
    outcome = blocker.args[0]
    assert outcome.status == "done", outcome.message
    np.testing.assert_array_equal(runner.engine.dm.get_data("untitled_events_3").times, [0])
    runner.output.flush()
    assert "1 event of the 2 sent merged with another sent on the same sample" in (
        runner.output.toPlainText()
    )
