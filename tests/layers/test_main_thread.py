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
