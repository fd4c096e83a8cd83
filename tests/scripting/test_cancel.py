"""Cancel: infinite loops stop within a second; the engine stays usable."""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest

from napari_whiskertoolbox.scripting import cancel
from napari_whiskertoolbox.scripting.cancel import CancelToken, ScriptCancelled

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting import RunResult, ScriptEngine

CANCEL_BOUND_S = 1.0  # the requirement; typical cancel latency is well under 10 ms


def _start(engine: ScriptEngine, code: str) -> tuple[threading.Event, list[RunResult]]:
    started = threading.Event()
    finished = threading.Event()
    results: list[RunResult] = []
    engine.namespace["_started"] = started

    def on_done(result: RunResult) -> None:
        results.append(result)
        finished.set()

    engine.run_async("_started.set()\n" + code, on_done)
    assert started.wait(10), "script did not start"
    return finished, results


@pytest.mark.parametrize(
    "loop",
    [
        "while True: pass",
        "while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass",
        "while True:\n    try:\n        x = sum(range(1000))\n    except BaseException:\n        pass",
    ],
    ids=["plain", "swallows-once", "bare-except"],
)
def test_cancel_stops_an_infinite_loop_within_a_second(engine: ScriptEngine, loop: str) -> None:
    finished, results = _start(engine, loop)
    asked = time.perf_counter()
    assert engine.cancel()
    assert finished.wait(CANCEL_BOUND_S), "script still running 1 s after Cancel"
    latency = time.perf_counter() - asked
    assert latency < CANCEL_BOUND_S
    result = results[0]
    assert result.cancelled
    assert not result.success
    assert result.error is None  # reported as cancelled, not as a crash
    after = engine.run("sum(range(10))")
    assert after.success
    assert after.value_repr == "45"


def test_cancel_when_idle_is_a_no_op(engine: ScriptEngine) -> None:
    assert engine.cancel() is False
    assert engine.run("1").success


def test_script_raising_keyboard_interrupt_itself_is_an_error(engine: ScriptEngine) -> None:
    result = engine.run("raise KeyboardInterrupt('by the script')")
    assert not result.cancelled
    assert not result.success
    assert "KeyboardInterrupt" in result.error


def test_output_before_cancel_is_kept(engine: ScriptEngine) -> None:
    finished, results = _start(engine, "print('working')\nwhile True: pass")
    engine.cancel()
    assert finished.wait(CANCEL_BOUND_S)
    assert results[0].stdout == "working\n"


@pytest.fixture
def no_async_exc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel as on interpreters without ``PyThreadState_SetAsyncExc``: by the tracer only."""
    monkeypatch.setattr(cancel, "_SET_ASYNC_EXC", None)


@pytest.mark.usefixtures("no_async_exc")
def test_trace_fallback_cancels_without_async_exceptions() -> None:
    """The settrace path used where PyThreadState_SetAsyncExc is unavailable."""
    token = CancelToken()
    assert token._trace_from_start
    outcome: list[BaseException] = []
    running = threading.Event()

    def loop() -> None:
        token.enter()
        try:
            running.set()
            while True:
                pass
        except ScriptCancelled as exc:
            outcome.append(exc)
        finally:
            token.leave()

    thread = threading.Thread(target=loop)
    thread.start()
    assert running.wait(10)
    assert token.cancel()
    thread.join(CANCEL_BOUND_S)
    assert not thread.is_alive()
    assert isinstance(outcome[0], ScriptCancelled)


@pytest.mark.usefixtures("no_async_exc")
def test_trace_fallback_never_raises_inside_gc_callbacks(
    engine: ScriptEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gc callback running on the script thread is not the script: it is not interrupted.

    Raising there cannot stop the script; the exception is only reported as unraisable
    (CPython then also drops the tracer, so the script would keep running).
    """
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    script_threads: list[int] = []
    engine.namespace["_threads"] = script_threads
    callback_runs: list[str] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() not in script_threads:
            return
        time.sleep(0.001)  # most of the script's time is spent here: cancel lands here
        callback_runs.append(phase)

    gc.callbacks.append(on_gc)
    try:
        finished, results = _start(
            engine,
            "import gc, threading\n"
            "_threads.append(threading.get_ident())\n"
            "while True:\n"
            "    gc.collect(0)\n",
        )
        deadline = time.monotonic() + 10
        while not callback_runs and time.monotonic() < deadline:
            time.sleep(0.01)
        assert callback_runs, "no garbage collection ran on the script thread"
        assert engine.cancel()
        assert finished.wait(CANCEL_BOUND_S), "script still running 1 s after Cancel"
    finally:
        gc.callbacks.remove(on_gc)
    assert results[0].cancelled
    assert unraisable == []


def test_batch_helpers_check_for_cancel(engine: ScriptEngine) -> None:
    """A loop whose body sleeps in C still stops: the helper checks once per frame."""
    engine.namespace["_started"] = threading.Event()
    finished = threading.Event()
    results: list[RunResult] = []
    code = (
        "import time\n"
        "_started.set()\n"
        "while True:\n"
        "    for t, pts in frames_with_data(dm, 'nose'):\n"
        "        time.sleep(0.05)\n"
    )
    engine.run_async(code, lambda r: (results.append(r), finished.set()))
    assert engine.namespace["_started"].wait(10)
    engine.cancel()
    assert finished.wait(CANCEL_BOUND_S)
    assert results[0].cancelled


def test_cancel_right_after_start_is_not_lost(engine: ScriptEngine) -> None:
    finished = threading.Event()
    results: list[RunResult] = []
    engine.run_async("while True: pass", lambda r: (results.append(r), finished.set()))
    assert engine.cancel()  # the worker may not have reached the script yet
    assert finished.wait(CANCEL_BOUND_S)
    assert results[0].cancelled
    assert engine.cancel() is False


def test_cancel_waits_until_the_script_is_out_of_the_data_manager(engine: ScriptEngine) -> None:
    """The GUI test cancelling ``dm.delete_data('nose')`` + ``while True: pass`` as soon as
    'nose' was gone failed once under load: the key leaves the DataManager before its undo
    record is pushed and its observers run, and the cancel exception, sent to the script
    thread at once, could land there. The deletion was then half done (observers not
    called, no undo step). The exception is now only sent while no DataManager (or other
    state-keeping) frame is running above the script's own code."""
    dm = engine.dm
    inside, calls = threading.Event(), []

    def slow_observer() -> None:  # the script thread is in dm._notify_observers
        inside.set()
        time.sleep(0.3)
        calls.append("first")

    dm.add_observer(slow_observer)
    dm.add_observer(lambda: calls.append("second"))
    key = dm.keys()[0]
    finished, results = _start(engine, f"dm.delete_data({key!r})\nwhile True: pass")
    assert inside.wait(10)
    assert engine.cancel()
    assert finished.wait(10)
    assert results[0].cancelled
    assert calls == ["first", "second"]  # the deletion finished: every observer ran
    assert key not in dm
    dm.undo()  # the run's one undo step holds the deletion
    assert key in dm


def test_a_script_callback_looping_inside_the_data_manager_is_still_cancelled(
    engine: ScriptEngine,
) -> None:
    """Only frames above the script's innermost frame delay the exception: a loop in the
    script's own observer, called from inside the DataManager, stops."""
    key = engine.dm.keys()[0]
    code = f"def spin():\n    while True: pass\ndm.add_observer(spin)\ndm.delete_data({key!r})"
    finished, results = _start(engine, code)
    time.sleep(0.05)
    assert engine.cancel()
    assert finished.wait(10)
    assert results[0].cancelled
