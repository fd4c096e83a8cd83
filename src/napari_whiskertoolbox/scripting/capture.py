"""Per-thread capture of ``sys.stdout`` / ``sys.stderr`` for script runs.

``sys.stdout`` and ``sys.stderr`` are process-wide, but scripts run on a worker thread
while napari, the console and other threads keep printing. While a capture is active,
both streams are replaced by :class:`ThreadRoutedStream` proxies that send writes from
the capturing thread to that capture and everything else to the stream that was in place
before. The proxies are removed again when the last capture ends.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["OutputCapture", "ThreadRoutedStream", "terminal_text", "underlying_stream"]

OutputCallback = Callable[[str, str], None]
"""``callback(stream_name, text)`` with ``stream_name`` in ``{"stdout", "stderr"}``."""

_STREAM_NAMES = ("stdout", "stderr")


def terminal_text(text: str) -> str:
    r"""Return ``text`` as a terminal leaves it: a carriage return rewrites its line.

    Of each line only the text after its last ``\r`` stays (the last state of a progress
    bar such as tqdm's, which rewrites the whole line each update); ``\r\n`` is a line end.
    """
    if "\r" not in text:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(
        next((part for part in reversed(line.split("\r")) if part), "") for line in lines
    )


_install_lock = threading.RLock()
_active_captures = 0


class ThreadRoutedStream(io.TextIOBase):
    """Text stream that dispatches each write on the identity of the writing thread.

    Parameters
    ----------
    name : str
        ``"stdout"`` or ``"stderr"``.
    fallback : TextIO
        Stream receiving writes from threads without a registered sink.
    """

    def __init__(self, name: str, fallback: TextIO) -> None:
        super().__init__()
        self.name = name
        self.fallback = fallback
        self._sinks: dict[int, Callable[[str], None]] = {}

    def register(self, thread_id: int, sink: Callable[[str], None]) -> None:
        """Send writes made by ``thread_id`` to ``sink``."""
        self._sinks[thread_id] = sink

    def unregister(self, thread_id: int) -> None:
        """Stop routing writes of ``thread_id``."""
        self._sinks.pop(thread_id, None)

    def write(self, text: str) -> int:
        """Send ``text`` to the writing thread's sink, else to the fallback stream."""
        sink = self._sinks.get(threading.get_ident())
        if sink is None:
            return self.fallback.write(text) if self.fallback is not None else len(text)
        sink(text)
        return len(text)

    def flush(self) -> None:
        """Flush the fallback stream (sinks keep nothing to flush)."""
        if threading.get_ident() not in self._sinks and self.fallback is not None:
            self.fallback.flush()

    def writable(self) -> bool:
        """Return ``True``: the stream always accepts writes."""
        return True

    def isatty(self) -> bool:
        """Return ``False``: writes may go to a capture rather than a terminal."""
        return False

    # TextIOBase declares ``encoding`` a plain attribute; the C base class makes it a
    # read-only property, so a property is the only way to report the fallback's.
    @property
    def encoding(self) -> str:  # type: ignore[override]
        """Encoding of the fallback stream (``utf-8`` if it has none)."""
        return getattr(self.fallback, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fallback, name)


def underlying_stream(name: str) -> TextIO:
    """Return the real ``sys.<name>`` beneath any routing proxies installed by captures."""
    stream = getattr(sys, name)
    while isinstance(stream, ThreadRoutedStream):
        stream = stream.fallback
    return stream


def _routed(name: str) -> ThreadRoutedStream:
    """Return the routing proxy installed as ``sys.<name>``, installing one if needed."""
    current = getattr(sys, name)
    if isinstance(current, ThreadRoutedStream):
        return current
    proxy = ThreadRoutedStream(name, current)
    setattr(sys, name, proxy)
    return proxy


def _uninstall_if_idle() -> None:
    for name in _STREAM_NAMES:
        current = getattr(sys, name)
        if isinstance(current, ThreadRoutedStream) and not current._sinks:
            setattr(sys, name, current.fallback)


class OutputCapture:
    r"""Context manager collecting what the current thread prints to stdout and stderr.

    Parameters
    ----------
    on_output : callable, optional
        Called as ``on_output(stream_name, text)`` for every write, from the writing
        thread, e.g. to stream output live to a dock or a terminal.
    max_chars : int
        Characters kept per stream in :attr:`stdout` / :attr:`stderr`; later output is
        still passed to ``on_output`` but not stored, and a truncation note is appended.

    Examples
    --------
    >>> with OutputCapture() as capture:
    ...     print("hello")
    >>> capture.stdout
    'hello\\n'
    """

    def __init__(self, on_output: OutputCallback | None = None, max_chars: int = 5_000_000) -> None:
        self._on_output = on_output
        self._max_chars = max_chars
        self._parts: dict[str, list[str]] = {name: [] for name in _STREAM_NAMES}
        self._sizes: dict[str, int] = dict.fromkeys(_STREAM_NAMES, 0)
        self._dropped: dict[str, int] = dict.fromkeys(_STREAM_NAMES, 0)
        self._thread_id: int | None = None
        self._proxies: list[ThreadRoutedStream] = []

    def _sink(self, name: str) -> Callable[[str], None]:
        parts, on_output = self._parts[name], self._on_output

        def write(text: str) -> None:
            if not isinstance(text, str):
                raise TypeError(f"write() argument must be str, not {type(text).__name__}")
            room = self._max_chars - self._sizes[name]
            if room >= len(text):
                parts.append(text)
                self._sizes[name] += len(text)
            else:
                if room > 0:
                    parts.append(text[:room])
                    self._sizes[name] += room
                self._dropped[name] += len(text) - max(room, 0)
            if on_output is not None:
                on_output(name, text)

        return write

    def __enter__(self) -> OutputCapture:
        global _active_captures
        self._thread_id = threading.get_ident()
        with _install_lock:
            _active_captures += 1
            self._proxies = [_routed(name) for name in _STREAM_NAMES]
            for proxy in self._proxies:
                proxy.register(self._thread_id, self._sink(proxy.name))
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _active_captures
        with _install_lock:
            if self._thread_id is not None:
                for proxy in self._proxies:
                    proxy.unregister(self._thread_id)
            _active_captures -= 1
            if _active_captures == 0:
                _uninstall_if_idle()

    def _text(self, name: str) -> str:
        text = "".join(self._parts[name])
        if self._dropped[name]:
            text += f"\n[... {self._dropped[name]} more characters of {name} not kept]\n"
        return text

    @property
    def stdout(self) -> str:
        """Everything the capturing thread wrote to stdout (up to ``max_chars``)."""
        return self._text("stdout")

    @property
    def stderr(self) -> str:
        """Everything the capturing thread wrote to stderr (up to ``max_chars``)."""
        return self._text("stderr")
