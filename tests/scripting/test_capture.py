"""OutputCapture: per-thread routing, live callback, size cap, stream restoration."""

from __future__ import annotations

import sys
import threading

from napari_whiskertoolbox.scripting.capture import (
    OutputCapture,
    ThreadRoutedStream,
    underlying_stream,
)


def test_capture_collects_only_the_current_thread() -> None:
    other_started, other_done = threading.Event(), threading.Event()
    seen_by_other = []

    def other() -> None:
        other_started.wait(10)
        seen_by_other.append(isinstance(sys.stdout, ThreadRoutedStream))
        print("not mine")
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with OutputCapture() as capture:
        print("mine")
        other_started.set()
        other_done.wait(10)
        print("error!", file=sys.stderr)
    thread.join(10)
    assert capture.stdout == "mine\n"
    assert capture.stderr == "error!\n"
    assert seen_by_other == [True]


def test_streams_are_restored_after_the_last_capture() -> None:
    before = sys.stdout, sys.stderr
    with OutputCapture(), OutputCapture():
        assert isinstance(sys.stdout, ThreadRoutedStream)
        assert underlying_stream("stdout") is before[0]
    assert (sys.stdout, sys.stderr) == before


def test_live_callback_and_size_cap() -> None:
    live = []
    with OutputCapture(on_output=lambda s, t: live.append((s, t)), max_chars=10) as capture:
        sys.stdout.write("0123456789abcdef")
    assert live == [("stdout", "0123456789abcdef")]
    assert capture.stdout.startswith("0123456789")
    assert "6 more characters of stdout not kept" in capture.stdout


def test_non_string_write_raises_type_error() -> None:
    with OutputCapture():
        try:
            sys.stdout.write(b"bytes")
        except TypeError as exc:
            message = str(exc)
    assert "must be str" in message
