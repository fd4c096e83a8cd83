"""Stream processors (Open Ephys Python Processor model): equality, events, memory, cancel."""

from __future__ import annotations

import threading
import tracemalloc
from typing import TYPE_CHECKING

import numpy as np
import pytest
from scipy.signal import sosfilt

from napari_whiskertoolbox import io
from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TimeFrame,
)
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.io.analog import map_analog_binary
from napari_whiskertoolbox.scripting import ScriptEngine
from napari_whiskertoolbox.scripting.processors import (
    ProcessorCancelled,
    ProcessorError,
    load_processor,
    module_from_source,
    plan_processor,
    run_processor,
)
from napari_whiskertoolbox.scripting.templates import load_template

if TYPE_CHECKING:
    from pathlib import Path

RATE = 30_000.0


def _session(n: int, channels: int = 2, seed: int = 0) -> DataManager:
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(n, sampling_rate=RATE))
    rng = np.random.default_rng(seed)
    for c in range(channels):
        dm.set_data(f"ch{c}", AnalogTimeSeries(rng.normal(0, 20, n).astype(np.float32)))
    return dm


@pytest.fixture(scope="module")
def bandpass():
    return module_from_source(load_template("Stream processor: band-pass"), "bandpass")


def _processor(tmp_path: Path, body: str, name: str = "proc") -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(body)
    return path


@pytest.mark.parametrize("chunk", [1, 7, 300, 1000, 5000])
def test_bandpass_template_equals_offline_sosfilt_for_any_chunk_size(bandpass, chunk) -> None:
    n = 1500 if chunk == 1 else 4001  # 7, 300 and 1000 do not divide 4001
    dm = _session(n)
    result = run_processor(dm, bandpass, ["ch0", "ch1"], chunk_samples=chunk)
    assert result.analog_keys == ["bandpass_ch0", "bandpass_ch1"]
    assert result.n_chunks == -(-n // chunk)
    sos = bandpass.design(RATE)
    for key in ("ch0", "ch1"):
        offline = sosfilt(sos, dm.get_data(key).values).astype(np.float32)
        online = dm.get_data(f"bandpass_{key}").values
        np.testing.assert_allclose(online, offline, rtol=1e-6, atol=1e-6)
        assert dm.time_key(f"bandpass_{key}") == "time"
    assert not np.allclose(dm.get_data("bandpass_ch0").values, dm.get_data("ch0").values)


def test_chunk_seconds_uses_the_clock_rate(bandpass) -> None:
    dm = _session(9000)
    plan = plan_processor(dm, bandpass, "ch0", chunk_seconds=0.1)
    assert plan.chunk_samples == 3000
    assert plan.n_chunks == 3


EVENTS_PROCESSOR = """
import numpy as np

class Detector:
    def __init__(self, processor, num_channels, sample_rate):
        self.processor = processor
        self.calls = []

    def start_acquisition(self):
        self.started = True

    def process(self, data):
        for k in np.flatnonzero(data[0] > 0.5):
            self.processor.add_event(3, True, sample=int(k))
        if self.processor.chunk_start == 0:
            self.processor.add_python_event(1, 0)   # Open Ephys's name, at the chunk start

    def handle_event(self, channel, sample_number, state):
        self.processor.add_event(10 + channel, state, sample=sample_number - self.processor.chunk_start)
"""


def test_events_sent_back_land_on_their_samples(tmp_path) -> None:
    n = 1000
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(n, sampling_rate=1000.0))
    values = np.zeros(n, np.float32)
    values[[5, 99, 100, 733]] = 1.0
    dm.set_data("sig", AnalogTimeSeries(values))
    dm.set_data("ttl", DigitalEventSeries([17, 250, 999]))
    dm.set_data("trial", DigitalIntervalSeries([(300, 349)]))
    path = _processor(tmp_path, EVENTS_PROCESSOR, "detector")
    result = run_processor(
        dm, path, ["sig"], chunk_samples=100, event_keys=["ttl", "trial"], output_prefix="d_"
    )
    assert set(result.event_keys) == {
        "d_events_3",
        "d_events_1_off",
        "d_events_10",
        "d_events_11",
        "d_events_11_off",
    }
    np.testing.assert_array_equal(dm.get_data("d_events_3").times, [5, 99, 100, 733])
    np.testing.assert_array_equal(dm.get_data("d_events_1_off").times, [0])
    # input events reach handle_event with their sample numbers, before their chunk is processed
    np.testing.assert_array_equal(dm.get_data("d_events_10").times, [17, 250, 999])
    np.testing.assert_array_equal(dm.get_data("d_events_11").times, [300])
    np.testing.assert_array_equal(dm.get_data("d_events_11_off").times, [350])
    np.testing.assert_array_equal(dm.get_data("d_sig").values, values)  # returned None: in place


def test_events_from_another_clock_are_converted_to_input_samples(tmp_path) -> None:
    dm = DataManager()
    dm.set_time("master", TimeFrame.from_count(1000, sampling_rate=1000.0))
    dm.set_time("camera", TimeFrame(np.arange(0, 1000, 10)))
    dm.set_data("sig", AnalogTimeSeries(np.zeros(1000, np.float32)), "master")
    dm.set_data("frames", DigitalEventSeries([3, 50]), "camera")  # master ticks 30 and 500
    run_processor(
        dm, _processor(tmp_path, EVENTS_PROCESSOR), ["sig"], chunk_samples=64, event_keys=["frames"]
    )
    np.testing.assert_array_equal(dm.get_data("proc_events_10").times, [30, 500])
    assert dm.time_key("proc_events_10") == "master"


def test_run_is_one_undo_step(bandpass) -> None:
    dm = _session(2000)
    steps = len(dm.history)
    run_processor(dm, bandpass, ["ch0", "ch1"], chunk_samples=500)
    assert len(dm.history) == steps + 1
    dm.undo()
    assert "bandpass_ch0" not in dm
    assert "bandpass_ch1" not in dm


def test_bounded_memory_over_a_memory_mapped_recording(tmp_path, bandpass) -> None:
    """A 32 MB interleaved int16 file: inputs read chunk by chunk, outputs memory-mapped."""
    channels, n = 8, 2_500_000
    path = tmp_path / "rec.bin"
    rng = np.random.default_rng(1)
    with path.open("wb") as handle:
        for _start in range(0, n, 500_000):
            rng.integers(-2000, 2000, (500_000, channels), dtype=np.int16).tofile(handle)
    raw = map_analog_binary(path, num_channels=channels)
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(n, sampling_rate=RATE))
    keys = [f"ch{c}" for c in range(channels)]
    for c, key in enumerate(keys):
        dm.set_data(key, AnalogTimeSeries.from_raw(raw[c], scale=0.195))
    passthrough = module_from_source(
        "class PyProcessor:\n"
        "    def __init__(self, processor, num_channels, sample_rate): pass\n"
        "    def process(self, data): return data\n",
        "passthrough",
    )
    tracemalloc.start()
    try:
        result = run_processor(dm, passthrough, keys, chunk_seconds=0.1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    output_bytes = channels * n * 4  # 80 MB if the outputs were kept in memory
    chunk_bytes = channels * result.chunk_samples * 4
    assert peak < 8 * chunk_bytes + 2_000_000, (peak, chunk_bytes)
    assert peak < output_bytes / 10
    assert not any(dm.get_data(key).is_materialized for key in keys)  # never read whole
    out = dm.get_data("passthrough_ch5").values
    assert isinstance(out.base, np.memmap) or isinstance(out, np.memmap) or out.base is not None
    np.testing.assert_allclose(out[-1000:], raw[5][-1000:] * np.float32(0.195), rtol=1e-6)


def test_output_dir_keeps_memory_mapped_npy_files(tmp_path, bandpass) -> None:
    dm = _session(3000)
    out_dir = tmp_path / "outputs"
    run_processor(dm, bandpass, ["ch0"], chunk_samples=1000, output_dir=out_dir)
    kept = np.load(out_dir / "bandpass_ch0.npy", mmap_mode="r")
    np.testing.assert_array_equal(kept, dm.get_data("bandpass_ch0").values)


def test_cancel_between_chunks_stores_nothing(bandpass) -> None:
    dm = _session(10_000)
    steps, keys = len(dm.history), dm.keys()
    cancel = threading.Event()
    seen = []

    def progress(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(ProcessorCancelled, match="nothing was stored"):
        run_processor(dm, bandpass, ["ch0"], chunk_samples=1000, progress=progress, cancel=cancel)
    assert seen == [0.1]
    assert dm.keys() == keys
    assert len(dm.history) == steps


def test_script_cancel_stops_a_processor_run_from_a_script(tmp_path) -> None:
    dm = _session(50_000, channels=1)
    slow = _processor(
        tmp_path,
        "import time\n"
        "class PyProcessor:\n"
        "    def __init__(self, processor, num_channels, sample_rate): pass\n"
        "    def process(self, data):\n"
        "        time.sleep(0.005)\n",
        "slow",
    )
    engine = ScriptEngine(dm)
    started, finished = threading.Event(), threading.Event()
    engine.namespace.update(_started=started, _path=str(slow))
    results = []
    engine.run_async(
        "_started.set()\nrun_processor(dm, _path, 'ch0', chunk_samples=10)",
        lambda result: (results.append(result), finished.set()),
    )
    assert started.wait(10)
    assert engine.cancel()
    assert finished.wait(10)
    assert results[0].cancelled
    assert "slow_ch0" not in dm


def test_errors_name_a_forms_fields_when_given_its_labels(bandpass) -> None:
    dm = _session(100)
    dm.set_time("other", TimeFrame.from_count(100))
    dm.set_data("elsewhere", AnalogTimeSeries(np.zeros(100, np.float32)), "other")
    fields = {"input_keys": "Inputs", "output_prefix": "Prefix", "overwrite": "Replace",
              "sample_rate": "Rate"}  # fmt: skip
    with pytest.raises(ValueError, match=r"no input key: fill in 'Inputs' \(at least one\)"):
        plan_processor(dm, bandpass, [], option_names=fields)
    with pytest.raises(ValueError, match="has no sampling rate; fill in 'Rate' "):
        plan_processor(dm, bandpass, ["elsewhere"], option_names=fields)
    run_processor(dm, bandpass, ["ch0"])
    with pytest.raises(ValueError, match=r"choose another 'Prefix' or tick 'Replace'$"):
        plan_processor(dm, bandpass, ["ch0"], option_names=fields)
    assert (counted(1, "chunk"), counted(3000, "chunk")) == ("1 chunk", "3,000 chunks")


def test_bad_inputs_get_clear_errors(tmp_path, bandpass) -> None:
    dm = _session(100)
    dm.set_data("ev", DigitalEventSeries([1, 2]))
    dm.set_time("other", TimeFrame.from_count(100))
    dm.set_data("elsewhere", AnalogTimeSeries(np.zeros(100, np.float32)), "other")
    dm.set_data("short", AnalogTimeSeries(np.zeros(50, np.float32)))
    with pytest.raises(KeyError, match="no input key 'nope'"):
        run_processor(dm, bandpass, ["nope"])
    with pytest.raises(ValueError, match="'ev' is 'digital_event'; processors read analog"):
        run_processor(dm, bandpass, ["ev"])
    with pytest.raises(ValueError, match="share one clock"):
        run_processor(dm, bandpass, ["ch0", "elsewhere"])
    with pytest.raises(ValueError, match="same number of samples"):
        run_processor(dm, bandpass, ["ch0", "short"])
    with pytest.raises(ValueError, match="clock 'other' has no sampling rate"):
        run_processor(dm, bandpass, ["elsewhere"])
    with pytest.raises(ValueError, match="event key 'ch1' is 'analog'"):
        run_processor(dm, bandpass, ["ch0"], event_keys=["ch1"])
    with pytest.raises(ValueError, match="at least one sample"):
        run_processor(dm, bandpass, ["ch0"], chunk_seconds=1e-9)
    run_processor(dm, bandpass, ["ch0"], chunk_samples=10)
    with pytest.raises(ValueError, match="output keys already exist: bandpass_ch0"):
        run_processor(dm, bandpass, ["ch0"], chunk_samples=10)
    run_processor(dm, bandpass, ["ch0"], chunk_samples=10, overwrite=True)
    with pytest.raises(FileNotFoundError, match="processor module not found"):
        run_processor(dm, tmp_path / "missing.py", ["ch0"])


def test_broken_processors_name_what_failed(tmp_path) -> None:
    dm = _session(100)
    none = _processor(tmp_path, "x = 1\n", "empty")
    with pytest.raises(ProcessorError, match=r"expected a class .PyProcessor.*found none"):
        load_processor(none)
    syntax = _processor(tmp_path, "def (:\n", "broken")
    with pytest.raises(ProcessorError, match=r"broken\.py: SyntaxError"):
        load_processor(syntax)
    shape = _processor(
        tmp_path,
        "class P:\n"
        "    def __init__(self, processor, num_channels, sample_rate): pass\n"
        "    def process(self, data): return data[:, :1]\n",
        "shape",
    )
    with pytest.raises(ProcessorError, match=r"returned shape \(1, 1\) for samples 0..9"):
        run_processor(dm, shape, ["ch0"], chunk_samples=10)
    raising = _processor(
        tmp_path,
        "class P:\n"
        "    def __init__(self, processor, num_channels, sample_rate): pass\n"
        "    def process(self, data):\n"
        "        raise RuntimeError('boom')\n",
        "raising",
    )
    with pytest.raises(
        ProcessorError,
        match=r"raising.process\(\) on samples 0..9 failed: "
        r"RuntimeError: boom \(.*raising.py:4\)",
    ):
        run_processor(dm, raising, ["ch0"], chunk_samples=10)
    assert dm.keys() == ["ch0", "ch1"]


def test_sparse_inputs_keep_their_times(bandpass) -> None:
    dm = DataManager()
    times = np.arange(0, 4000, 2)
    dm.set_time("time", TimeFrame.from_count(4000, sampling_rate=RATE))
    dm.set_data("s", AnalogTimeSeries(np.sin(times / 9.0).astype(np.float32), times=times))
    run_processor(dm, bandpass, ["s"], chunk_samples=333, sample_rate=RATE / 2)
    out = dm.get_data("bandpass_s")
    np.testing.assert_array_equal(out.times, times)
    offline = sosfilt(bandpass.design(RATE / 2), dm.get_data("s").values).astype(np.float32)
    np.testing.assert_allclose(out.values, offline, rtol=1e-6, atol=1e-6)


def test_process_command_runs_headless_and_saves(tmp_path, bandpass) -> None:
    from napari_whiskertoolbox.cli import main

    dm = _session(6000)
    session = tmp_path / "session"
    io.save_session(dm, session)
    module = _processor(tmp_path, load_template("Stream processor: band-pass"), "bp")
    out = tmp_path / "out"
    code = main(
        ["process", str(module), "--session", str(session), "--keys", "ch0,ch1",
         "--chunk-seconds", "0.05", "--save", str(out)]
    )  # fmt: skip
    assert code == 0
    saved = io.load_session(out)
    offline = sosfilt(bandpass.design(RATE), dm.get_data("ch1").values).astype(np.float32)
    np.testing.assert_allclose(saved.get_data("bp_ch1").values, offline, rtol=1e-6, atol=1e-6)
    assert main(["process", str(module), "--session", str(session), "--keys", "zz"]) == 2
    assert main(["process", str(tmp_path / "no.py"), "--keys", "ch0"]) == 2


def test_process_command_without_save_says_the_outputs_are_not_kept(tmp_path, capfd) -> None:
    from napari_whiskertoolbox.cli import main

    session = tmp_path / "session"
    io.save_session(_session(600), session)
    module = _processor(tmp_path, load_template("Stream processor: band-pass"), "bp")
    assert main(["process", str(module), "--session", str(session), "--keys", "ch0"]) == 0
    err = capfd.readouterr().err
    assert "note: the session changed (keys added: bp_ch0) and is not saved" in err


def test_errors_inside_libraries_point_at_the_processors_line(tmp_path) -> None:
    dm = _session(100)
    bad = _processor(
        tmp_path,
        "import numpy as np\n"
        "class P:\n"
        "    def __init__(self, processor, num_channels, sample_rate): pass\n"
        "    def process(self, data):\n"
        "        return np.reshape(data, (7, 7))\n",
        "reshaper",
    )
    with pytest.raises(ProcessorError, match=r"ValueError: .*reshaper\.py:5\)"):
        run_processor(dm, bad, ["ch0"], chunk_samples=10)


def test_process_command_errors_name_its_options(tmp_path, capfd) -> None:
    """The CLI's messages say --sample-rate, --chunk-seconds, --prefix, --overwrite."""
    from napari_whiskertoolbox.cli import main

    dm = _session(600)
    dm.set_time("plain", TimeFrame.from_count(600))  # no sampling rate
    dm.set_data("raw", AnalogTimeSeries(np.zeros(600, np.float32)), "plain")
    session = tmp_path / "session"
    io.save_session(dm, session)
    module = _processor(tmp_path, load_template("Stream processor: band-pass"), "bp")
    base = ["process", str(module), "--session", str(session)]

    def run(*args: str) -> tuple[int, str]:
        code = main([*base, *args])
        return code, capfd.readouterr().err

    code, err = run("--keys", "ch00")
    assert code == 2
    assert "no input key 'ch00' in the DataManager (did you mean 'ch0'?)" in err
    assert "(given with --keys)" in err
    code, err = run("--keys", "ch0", "--event-keys", "nope")
    assert "no event key 'nope'" in err
    assert "(given with --event-keys)" in err
    unwritable = tmp_path / "file"
    unwritable.write_text("")
    code, err = run("--keys", "ch0", "--output-dir", str(unwritable / "sub"))
    assert code == 1
    assert f"cannot create the output folder '{unwritable / 'sub'}' (--output-dir)" in err
    assert "Traceback" not in err
    code, err = run("--keys", "raw")
    assert code == 2
    assert "clock 'plain' has no sampling rate; pass --sample-rate" in err
    assert "sample_rate" not in err
    code, err = run("--keys", "ch0", "--chunk-seconds", "1e-9")
    assert code == 2
    assert "--chunk-seconds 1e-09 at 30000 samples/s is 0 samples" in err
    assert "chunk_seconds" not in err
    with pytest.raises(SystemExit):  # one chunk length, not two
        run("--keys", "ch0", "--chunk-seconds", "1", "--chunk-samples", "100")
    assert "--chunk-samples: not allowed with argument --chunk-seconds" in capfd.readouterr().err
    code, err = run("--keys", "ch0", "--chunk-samples", "0")
    assert "chunk size must be at least one sample; --chunk-samples 0" in err
    save = ["--save", str(tmp_path / "out")]
    assert run("--keys", "ch0", "--chunk-samples", "100", "--prefix", "f_", *save)[0] == 0
    session_out = tmp_path / "out"
    again = ["process", str(module), "--session", str(session_out), "--keys", "ch0"]
    code = main([*again, "--chunk-samples", "100", "--prefix", "f_"])
    err = capfd.readouterr().err
    assert code == 2
    assert "output keys already exist: f_ch0; choose another --prefix or pass --overwrite" in err
    assert main([*again, "--chunk-samples", "100", "--prefix", "f_", "--overwrite"]) == 0
    with pytest.raises(ValueError, match="pass sample_rate= "):  # Python callers: keywords
        run_processor(io.load_session(session), module, ["raw"])


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [("--workers", "0", ">= 1"), ("--retries", "-1", ">= 0"), ("--workers", "two", ">= 1")],
)
def test_batch_command_errors_name_its_options(tmp_path, capsys, option, value, expected):
    from napari_whiskertoolbox.cli import main

    with pytest.raises(SystemExit) as info:
        main(["batch", "task.py", "s1", option, value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: expected an integer {expected}, got '{value}'" in err
    assert "n_workers" not in err


REPEATING_PROCESSOR = """
class Echo:
    def __init__(self, processor, num_channels, sample_rate):
        self.processor = processor

    def process(self, data):
        if self.processor.chunk_start == 0:
            for _ in range(3):  # three "on" events on one sample and line: one event
                self.processor.add_event(3, True)
            self.processor.add_event(3, False)  # another state: its own key
            self.processor.add_event(3, True, sample=1)  # another sample: kept apart

    def handle_event(self, channel, sample_number, state):
        self.processor.add_event(3, bool(state))  # at the chunk start, with the above
"""


def test_events_sent_on_one_sample_line_and_state_merge_and_the_run_says_how_many(
    tmp_path, capfd
) -> None:
    from napari_whiskertoolbox.cli import main

    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(300, sampling_rate=1000.0))
    dm.set_data("sig", AnalogTimeSeries(np.zeros(300, np.float32)))
    dm.set_data("ttl", DigitalEventSeries([10, 20, 150]))  # chunks 0, 0 and 1: echoed at 0, 0, 100
    path = _processor(tmp_path, REPEATING_PROCESSOR, "echo")
    result = run_processor(
        dm, path, ["sig"], chunk_samples=100, event_keys=["ttl"], output_prefix="e_"
    )
    np.testing.assert_array_equal(dm.get_data("e_events_3").times, [0, 1, 100])
    np.testing.assert_array_equal(dm.get_data("e_events_3_off").times, [0])
    # sent: 3 + 1 + 1 in process, 3 echoes; stored: 3 on + 1 off
    assert (result.n_events_sent, result.n_events_merged) == (8, 4)
    assert result.merged_note.startswith("4 events of the 8 sent merged with another")

    session = tmp_path / "session"
    io.save_session(dm, session)
    assert main(["process", str(path), "--session", str(session), "--keys", "sig",
                 "--event-keys", "ttl", "--chunk-samples", "100", "--sample-rate", "1000",
                 "--prefix", "f_"]) == 0  # fmt: skip
    assert "note: 4 events of the 8 sent merged with another" in capfd.readouterr().err


def test_a_run_whose_events_all_stay_apart_says_nothing_of_merging(tmp_path) -> None:
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(1000, sampling_rate=1000.0))
    values = np.zeros(1000, np.float32)
    values[[5, 99, 100, 733]] = 1.0
    dm.set_data("sig", AnalogTimeSeries(values))
    result = run_processor(dm, _processor(tmp_path, EVENTS_PROCESSOR), ["sig"], chunk_samples=100)
    assert result.n_events_merged == 0
    assert result.merged_note == ""
