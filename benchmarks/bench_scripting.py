"""Script engine and script-runner dock speed.

Run: ``xvfb-run -a .venv/bin/python benchmarks/bench_scripting.py``

Prints:
- engine overhead of one tiny run (capture, compile, namespace diff);
- Cancel latency of ``while True: pass`` and of a loop that swallows KeyboardInterrupt
  (requirement: < 1 s);
- a 100,000-line ``print`` loop, headless and in the dock of a real napari viewer, with
  the longest stall of the Qt event loop while it runs (a 10 ms timer measures it; the
  goal is that the UI never freezes: stalls well under 100 ms).
"""

from __future__ import annotations

import statistics
import threading
import time

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.scripting import ScriptEngine

N_LINES = 100_000
PRINT_LOOP = f"for i in range({N_LINES}):\n    print(i)\n"


def bench_run_overhead(engine: ScriptEngine, repeats: int = 2000) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        engine.run("x = 1")
    return (time.perf_counter() - start) / repeats * 1e6


def bench_cancel(engine: ScriptEngine, code: str, repeats: int = 20) -> tuple[float, float]:
    latencies = []
    for _ in range(repeats):
        started, finished = threading.Event(), threading.Event()
        engine.namespace["_started"] = started
        engine.run_async("_started.set()\n" + code, lambda _result, done=finished: done.set())
        started.wait(10)
        time.sleep(0.02)
        asked = time.perf_counter()
        engine.cancel()
        if not finished.wait(5):
            raise RuntimeError("cancel did not stop the script within 5 s")
        latencies.append((time.perf_counter() - asked) * 1e3)
    return statistics.median(latencies), max(latencies)


def bench_print_headless(engine: ScriptEngine) -> float:
    start = time.perf_counter()
    result = engine.run(PRINT_LOOP)
    assert result.success
    assert result.stdout.count("\n") == N_LINES
    return time.perf_counter() - start


def bench_print_in_dock() -> tuple[float, float, int]:
    import napari
    from qtpy.QtWidgets import QApplication

    from _stalls import StallMeter  # beside this script
    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget

    viewer = napari.Viewer(show=False)
    runner = ScriptRunnerWidget(viewer)
    viewer.window.add_dock_widget(runner, name="Script runner")
    app = QApplication.instance()
    meter = StallMeter(interval_ms=10)
    done = threading.Event()
    runner.run_finished.connect(lambda _result: done.set())
    runner.editor.setPlainText(PRINT_LOOP)
    start = time.perf_counter()
    meter.start()
    runner.run_file()
    while not done.is_set():
        app.processEvents()
        time.sleep(0.001)
    runner.output.flush()
    app.processEvents()
    elapsed = time.perf_counter() - start
    meter.stop()
    lines = runner.output.document().blockCount()
    viewer.close()
    return elapsed, meter.longest_s * 1e3, lines


def main() -> None:
    engine = ScriptEngine(DataManager())
    print(f"engine run overhead ('x = 1'):        {bench_run_overhead(engine):8.1f} us/run")
    median, worst = bench_cancel(engine, "while True: pass")
    print(f"cancel 'while True: pass':           {median:8.2f} ms median, {worst:.2f} ms max")
    swallowing = (
        "while True:\n    try:\n        sum(range(1000))\n    except BaseException:\n        pass"
    )
    median, worst = bench_cancel(engine, swallowing)
    print(f"cancel loop with 'except BaseException': {median:5.2f} ms median, {worst:.2f} ms max")
    print(f"print {N_LINES:,} lines, headless:       {bench_print_headless(engine):8.2f} s")
    elapsed, stall, lines = bench_print_in_dock()
    print(
        f"print {N_LINES:,} lines in the dock:    {elapsed:8.2f} s, "
        f"longest UI stall {stall:.0f} ms, {lines:,} lines kept in the pane"
    )


if __name__ == "__main__":
    main()
