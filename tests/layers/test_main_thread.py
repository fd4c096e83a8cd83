"""``run_in_main`` runs a callable on Qt's main thread and hands back its result or error."""

from __future__ import annotations

import threading

import pytest

from napari_whiskertoolbox.layers.main_thread import run_in_main


def _thread_name() -> str:
    return threading.current_thread().name


def _fail() -> None:
    raise KeyError("missing")


def _from_worker(qtbot, func):
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["value"] = run_in_main(func)
        except BaseException as exc:  # handed back to the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=5000)
    return outcome


def test_worker_gets_the_value_computed_on_the_main_thread(qtbot) -> None:
    assert _from_worker(qtbot, _thread_name) == {"value": threading.main_thread().name}


def test_worker_gets_the_exception_raised_on_the_main_thread(qtbot) -> None:
    outcome = _from_worker(qtbot, _fail)
    assert isinstance(outcome["error"], KeyError)


def test_on_the_main_thread_the_call_is_direct() -> None:
    assert run_in_main(_thread_name) == threading.main_thread().name
    with pytest.raises(KeyError):
        run_in_main(_fail)


def test_a_signal_emitted_from_a_worker_reaches_its_slot_on_the_main_thread_in_order(qtbot):
    from psygnal import Signal

    from napari_whiskertoolbox.layers.main_thread import connect_main

    class Source:
        changed = Signal(int, str)

    source, seen = Source(), []
    connect_main(source.changed, lambda n: seen.append((n, _thread_name())))  # takes one
    worker = threading.Thread(
        target=lambda: [source.changed.emit(i, "x") for i in range(50)], name="worker"
    )
    worker.start()
    qtbot.waitUntil(lambda: len(seen) == 50, timeout=5000)
    assert seen == [(i, threading.main_thread().name) for i in range(50)]


def test_an_error_nobody_waits_for_goes_to_the_excepthook(qtbot, monkeypatch):
    import sys

    from napari_whiskertoolbox.layers.main_thread import call_in_main

    hooked: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, exc, tb: hooked.append(exc))
    futures = []
    worker = threading.Thread(target=lambda: futures.append(call_in_main(_fail)))
    worker.start()
    qtbot.waitUntil(lambda: bool(hooked), timeout=5000)
    assert isinstance(hooked[0], KeyError)
    assert isinstance(futures[0].exception(), KeyError)
