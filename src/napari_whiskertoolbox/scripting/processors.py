"""Stream processors over analog keys, in the model of Open Ephys's Python Processor.

A processor is a Python module defining a class (``PyProcessor``, as in Open Ephys, or the
module's one class with a ``process`` method)::

    class PyProcessor:
        def __init__(self, processor, num_channels, sample_rate): ...
        def process(self, data): ...          # (channels, samples) float32; return it or
                                              # a new array, or modify it in place
        def start_acquisition(self): ...      # optional
        def stop_acquisition(self): ...       # optional
        def handle_event(self, channel, sample_number, state): ...   # optional

``processor`` is a :class:`ProcessorHandle`: ``processor.add_event(line, state)`` sends an
event back at the current chunk's first sample (Open Ephys's ``add_python_event`` does the
same); ``add_event(line, state, sample=k)`` places it ``k`` samples into the chunk.
An event key holds at most one event per sample (:class:`DigitalEventSeries` keeps
sorted, unique times): events sent on the same sample, line and state merge into one, and
the run reports how many merged (:attr:`ProcessorResult.n_events_merged`; the script
runner and ``napari-whiskertoolbox process`` say it). Give each its own sample
(``sample=k``) to keep them apart.

:func:`run_processor` feeds analog keys on one clock chunk by chunk in time order, keeps
the processed chunks as new analog keys (one per input channel) and the sent events as
event keys, all on the input's clock, in one undo step. Memory stays bounded by a few
chunks: inputs are read one chunk at a time (a memory-mapped recording is never read whole)
and large outputs are written to memory-mapped files.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import tempfile
import threading
import time
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.scripting.cancel import check_cancelled
from napari_whiskertoolbox.scripting.tracebacks import register_source

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "PROCESSOR_CLASS",
    "ProcessorCancelled",
    "ProcessorError",
    "ProcessorHandle",
    "ProcessorOutput",
    "ProcessorPlan",
    "ProcessorResult",
    "SentEvent",
    "load_processor",
    "module_from_source",
    "plan_processor",
    "run_processor",
    "throughput_text",
]

PROCESSOR_CLASS = "PyProcessor"
"""Class name looked for first in a processor module (Open Ephys's)."""

IN_MEMORY_LIMIT = 64 * 1024 * 1024
"""Outputs larger than this (bytes, all channels) go to memory-mapped files."""

_module_counter = itertools.count(1)
_NAME_ATTRIBUTE = "__processor_name__"
"""Module attribute holding a processor module's readable name (its file stem)."""

Cancel = threading.Event | None


class ProcessorError(ValueError):
    """A processor module, its inputs or one of its calls is wrong (the message says how)."""


class ProcessorCancelled(RuntimeError):
    """The run was cancelled; the DataManager is unchanged."""


@dataclass(frozen=True)
class SentEvent:
    """An event a processor sent with :meth:`ProcessorHandle.add_event`.

    Attributes
    ----------
    line : int
        TTL line.
    state : bool
        On (True) or off.
    sample : int
        Sample position in the input (0-based, from the first sample).
    """

    line: int
    state: bool
    sample: int


class ProcessorHandle:
    """The ``processor`` object a processor class receives (Open Ephys's plugin handle).

    Attributes
    ----------
    num_channels : int
        Channels in each chunk.
    sample_rate : float
        Samples per second.
    chunk_start : int
        Sample position of the current chunk's first sample.
    chunk_length : int
        Samples in the current chunk.
    events : list of SentEvent
        Events sent so far.
    """

    def __init__(self, num_channels: int, sample_rate: float) -> None:
        self.num_channels = num_channels
        self.sample_rate = sample_rate
        self.chunk_start = 0
        self.chunk_length = 0
        self.events: list[SentEvent] = []

    def add_event(self, line: int, state: bool | int, sample: int | None = None) -> None:
        """Send an event on TTL ``line`` at the chunk's first sample (or ``sample`` into it).

        Events sent on the same sample with the same line and state merge into one event of
        the output key ``<prefix>events_<line>`` (``..._off`` for off): an event key holds
        one event per sample. The run counts them (:attr:`ProcessorResult.n_events_merged`)
        and says so; pass ``sample`` to place events on samples of their own.

        Raises
        ------
        ValueError
            If ``line`` is negative or ``sample`` falls outside the current chunk.
        """
        line = int(line)
        if line < 0:
            raise ValueError(f"add_event: line must be >= 0, got {line}")
        offset = 0 if sample is None else int(sample)
        if not 0 <= offset < max(self.chunk_length, 1):
            raise ValueError(
                f"add_event: sample {offset} is outside the current chunk of "
                f"{self.chunk_length} samples (0..{self.chunk_length - 1})"
            )
        self.events.append(SentEvent(line, bool(state), self.chunk_start + offset))

    add_python_event = add_event


def module_from_source(code: str, name: str = "untitled") -> types.ModuleType:
    """Execute ``code`` as a new module called ``name`` (tracebacks show ``<name>``).

    Raises
    ------
    ProcessorError
        If the code does not compile or raises while the module runs.
    """
    filename = f"<{name}>"
    register_source(filename, code)
    module = types.ModuleType(_unique_module_name(name))
    module.__file__ = filename
    module.__dict__[_NAME_ATTRIBUTE] = name
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, filename, "exec"), module.__dict__)
    except Exception as exc:
        raise ProcessorError(f"processor {name}: {_describe(exc)}") from exc
    return module


def _unique_module_name(name: str) -> str:
    stem = "".join(ch if ch.isalnum() else "_" for ch in name)
    return f"wtb_processor_{stem}_{next(_module_counter)}"


def _load_module(path: Path) -> types.ModuleType:
    if not path.is_file():
        raise FileNotFoundError(f"processor module not found: {path}")
    module_name = _unique_module_name(path.stem)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ProcessorError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise ProcessorError(f"{path}: {_describe(exc)}") from exc
    return module


def load_processor(module_or_path: types.ModuleType | str | os.PathLike[str]) -> tuple[type, str]:
    """Return the processor class of a module (or of the ``.py`` file at a path) and its name.

    The class is ``PyProcessor`` if the module defines it, else the module's only class
    with a ``process`` method.

    Raises
    ------
    FileNotFoundError
        If the path does not exist.
    ProcessorError
        If the module fails to load or defines no (or several) processor classes.
    """
    if isinstance(module_or_path, types.ModuleType):
        module = module_or_path
        name = getattr(module, _NAME_ATTRIBUTE, None) or module.__name__.rsplit(".", 1)[-1]
    else:
        path = Path(module_or_path).expanduser().resolve()
        module = _load_module(path)
        name = path.stem
    where = getattr(module, "__file__", None) or module.__name__
    named = getattr(module, PROCESSOR_CLASS, None)
    if isinstance(named, type):
        return named, name
    candidates = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and callable(getattr(value, "process", None))
    ]
    if len(candidates) != 1:
        found = ", ".join(c.__name__ for c in candidates) or "none"
        raise ProcessorError(
            f"{where}: expected a class {PROCESSOR_CLASS!r} or exactly one class with a "
            f"process(self, data) method; found {found}"
        )
    return candidates[0], name


def _describe(exc: BaseException, source: str | None = None) -> str:
    """Return ``Type: message (file:line)``: the last frame in ``source``, else the innermost."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [frame for frame in frames if source is not None and frame.filename == source]
    frame = own[-1] if own else (frames[-1] if frames else None)
    where = f" ({frame.filename}:{frame.lineno})" if frame is not None else ""
    return f"{type(exc).__name__}: {exc}{where}"


@dataclass
class ProcessorOutput:
    """What a computed run produced (not yet stored).

    Attributes
    ----------
    channels : list of numpy.ndarray
        One float32 array per input channel (possibly memory-mapped).
    events : list of SentEvent
        Events the processor sent, in order.
    seconds : float
        Wall time of the computation.
    files : list of Path
        Memory-mapped output files kept on disk (``output_dir`` runs).
    """

    channels: list[np.ndarray]
    events: list[SentEvent]
    seconds: float
    files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class ProcessorResult:
    """Outcome of :func:`run_processor`.

    Attributes
    ----------
    analog_keys : list of str
        New analog keys, one per input channel, in input order.
    event_keys : list of str
        New event keys (``<prefix>events_<line>``, off events ``..._off``).
    n_samples, n_chunks, chunk_samples : int
        Samples processed per channel, chunks fed, samples per chunk.
    seconds : float
        Wall time of the computation.
    n_events_sent : int
        Events the processor sent (:meth:`ProcessorHandle.add_event`).
    n_events_merged : int
        Of those, events stored as one with another sent on the same sample, line and
        state (an event key holds one event per sample); see :attr:`merged_note`.
    """

    analog_keys: list[str]
    event_keys: list[str]
    n_samples: int
    n_chunks: int
    chunk_samples: int
    seconds: float
    n_events_sent: int = 0
    n_events_merged: int = 0

    @property
    def merged_note(self) -> str:
        """Return a sentence saying how many sent events merged ("" when none did)."""
        if not self.n_events_merged:
            return ""
        return (
            f"{counted(self.n_events_merged, 'event')} of the {self.n_events_sent:,} sent "
            "merged with another sent on the same sample, line and state (an event key holds "
            "one event per sample; add_event(line, state, sample=k) places events apart)"
        )

    @property
    def samples_per_second(self) -> float:
        """Throughput: samples of all channels processed per second."""
        channels = max(len(self.analog_keys), 1)
        return self.n_samples * channels / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class ProcessorPlan:
    """A checked processor run: inputs, chunking and output keys (see :func:`plan_processor`)."""

    dm: DataManager
    processor_class: type
    name: str
    input_keys: list[str]
    event_keys: list[str]
    clock: str
    n_samples: int
    sample_rate: float
    chunk_samples: int
    output_prefix: str
    output_dir: Path | None = None
    overwrite: bool = False
    option_names: Mapping[str, str] | None = field(default=None, repr=False)
    _inputs: list[AnalogTimeSeries] = field(default_factory=list, repr=False)
    _times: np.ndarray | None = field(default=None, repr=False)

    @property
    def analog_keys(self) -> list[str]:
        """Keys the processed channels are stored under."""
        return [f"{self.output_prefix}{key}" for key in self.input_keys]

    @property
    def n_chunks(self) -> int:
        """Number of chunks fed to ``process``."""
        return -(-self.n_samples // self.chunk_samples)

    @property
    def label(self) -> str:
        """Undo step / progress label."""
        return f"run processor {self.name} on {', '.join(self.input_keys)}"

    # -- compute ------------------------------------------------------------------------------

    def compute(
        self,
        progress: Callable[[float], None] | None = None,
        cancel: Cancel | Callable[[], bool] = None,
    ) -> ProcessorOutput:
        """Feed every chunk through a new processor instance; the DataManager is not touched.

        Parameters
        ----------
        progress : callable, optional
            ``progress(fraction_done)`` after each chunk.
        cancel : threading.Event or callable, optional
            Checked before each chunk (a script's own Cancel is honoured too).

        Raises
        ------
        ProcessorCancelled
            When cancelled (nothing is kept).
        ProcessorError
            When the processor raises or returns a chunk of the wrong shape.
        """
        started = time.perf_counter()
        n_channels = len(self._inputs)
        handle = ProcessorHandle(n_channels, self.sample_rate)
        instance = self._call(
            "__init__", self.processor_class, handle, n_channels, self.sample_rate
        )
        incoming = self._incoming_events()
        channels, files = self._allocate_outputs()
        try:
            self._call_optional(instance, "start_acquisition")
            try:
                self._feed(instance, handle, incoming, channels, progress, cancel)
            finally:
                self._call_optional(instance, "stop_acquisition")
        except BaseException:
            _discard(channels, files)
            raise
        for channel in channels:
            if isinstance(channel, np.memmap):
                channel.flush()
        kept = files if self.output_dir is not None else []
        return ProcessorOutput(channels, handle.events, time.perf_counter() - started, kept)

    def _feed(
        self,
        instance: Any,
        handle: ProcessorHandle,
        incoming: list[tuple[int, int, int]],
        channels: list[np.ndarray],
        progress: Callable[[float], None] | None,
        cancel: Cancel | Callable[[], bool],
    ) -> None:
        n, chunk = self.n_samples, self.chunk_samples
        n_channels = len(channels)
        buffer = np.empty((n_channels, chunk), np.float32)
        event_samples = np.array([e[0] for e in incoming], np.int64)
        for start in range(0, n, chunk):
            _check_cancel(cancel)
            stop = min(start + chunk, n)
            length = stop - start
            data = buffer if length == chunk else np.empty((n_channels, length), np.float32)
            for row, series in enumerate(self._inputs):
                data[row] = self._read(series, start, stop)
            handle.chunk_start, handle.chunk_length = start, length
            lo, hi = np.searchsorted(event_samples, [start, stop])
            handle_event = getattr(instance, "handle_event", None)
            if callable(handle_event):
                for sample, channel, state in incoming[lo:hi]:
                    self._call("handle_event", handle_event, channel, sample, state)
            returned = self._call("process", instance.process, data, where=(start, stop))
            result = data if returned is None else np.asarray(returned)
            if result.shape != (n_channels, length):
                raise ProcessorError(
                    f"{self.name}: process() returned shape {result.shape} for samples "
                    f"{start}..{stop - 1}; expected (channels, samples) = {(n_channels, length)}"
                )
            for row, out in enumerate(channels):
                out[start:stop] = result[row]
            if progress is not None:
                progress(stop / n)

    def _read(self, series: AnalogTimeSeries, start: int, stop: int) -> np.ndarray:
        """Return samples ``start:stop`` of ``series`` (only that range is converted)."""
        if self._times is None:
            return series.range(start, stop - 1)[1]
        return series.range(int(self._times[start]), int(self._times[stop - 1]))[1]

    def _incoming_events(self) -> list[tuple[int, int, int]]:
        """Return ``(sample, channel, state)`` of the chosen event keys, sorted by sample."""
        dm = self.dm
        found: list[tuple[int, int, int]] = []
        for channel, key in enumerate(self.event_keys):
            series = dm.get_data(key)
            if dm.data_type(key) == "digital_event":
                pairs = [(np.asarray(series.times, np.int64), 1)]
            else:
                intervals = np.asarray(series.intervals, np.int64).reshape(-1, 2)
                pairs = [(intervals[:, 0], 1), (intervals[:, 1] + 1, 0)]
            for times, state in pairs:
                on_input = np.asarray(
                    dm.convert_index(times, dm.time_key(key), self.clock), np.int64
                ).reshape(-1)
                samples = (
                    on_input if self._times is None else np.searchsorted(self._times, on_input)
                )
                inside = samples[(samples >= 0) & (samples < self.n_samples)]
                found.extend((int(s), channel, state) for s in inside.tolist())
        found.sort()
        return found

    def _allocate_outputs(self) -> tuple[list[np.ndarray], list[Path]]:
        n, count = self.n_samples, len(self._inputs)
        if self.output_dir is None and n * count * 4 <= IN_MEMORY_LIMIT:
            return [np.empty(n, np.float32) for _ in range(count)], []
        folder = self.output_dir
        temporary = folder is None
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="wtb-processor-"))
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProcessorError(
                f"cannot create the output folder {str(folder)!r} "
                f"({_Spelling(self.option_names).name('output_dir')}): {exc.strerror or exc}"
            ) from exc
        channels: list[np.ndarray] = []
        files: list[Path] = []
        for key in self.analog_keys:
            path = folder / f"{_file_stem(key)}.npy"
            channels.append(
                np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n,))
            )
            files.append(path)
        if temporary and os.name == "posix":
            # The mappings keep the data; the files vanish when the series are dropped.
            for path in files:
                path.unlink()
            folder.rmdir()
            files = []
        return channels, files

    def _call(
        self, method: str, func: Any, *args: Any, where: tuple[int, int] | None = None
    ) -> Any:
        try:
            return func(*args)
        except (ProcessorCancelled, KeyboardInterrupt):
            raise
        except Exception as exc:
            span = f" on samples {where[0]}..{where[1] - 1}" if where else ""
            module = sys.modules.get(self.processor_class.__module__)
            source = getattr(module, "__file__", None)
            message = _describe(exc, source)
            raise ProcessorError(f"{self.name}.{method}(){span} failed: {message}") from exc

    def _call_optional(self, instance: Any, method: str) -> None:
        func = getattr(instance, method, None)
        if callable(func):
            self._call(method, func)

    # -- store ---------------------------------------------------------------------------------

    def event_keys_of(self, events: Sequence[SentEvent]) -> dict[str, np.ndarray]:
        """Return the event keys ``events`` become, with their times on the input clock."""
        by_key: dict[str, list[int]] = {}
        for event in events:
            suffix = "" if event.state else "_off"
            by_key.setdefault(f"{self.output_prefix}events_{event.line}{suffix}", []).append(
                event.sample
            )
        out: dict[str, np.ndarray] = {}
        for key in sorted(by_key):
            samples = np.unique(np.asarray(by_key[key], np.int64))
            out[key] = samples if self._times is None else self._times[samples]
        return out

    def store(self, output: ProcessorOutput) -> ProcessorResult:
        """Store the output in the DataManager as one undo step.

        Raises
        ------
        ValueError
            If an output key exists and ``overwrite`` is off (nothing is stored).
        """
        events = self.event_keys_of(output.events)
        keys = [*self.analog_keys, *events]
        if not self.overwrite:
            _refuse_existing(self.dm, keys, _Spelling(self.option_names))
        with self.dm.history.group(self.label):
            for key, values in zip(self.analog_keys, output.channels):
                series = AnalogTimeSeries(values, times=self._times, copy=False)
                self.dm.set_data(key, series, time_key=self.clock)
            for key, times in events.items():
                self.dm.set_data(key, DigitalEventSeries(times), time_key=self.clock)
        stored = sum(len(times) for times in events.values())
        return ProcessorResult(
            analog_keys=self.analog_keys,
            event_keys=list(events),
            n_samples=self.n_samples,
            n_chunks=self.n_chunks,
            chunk_samples=self.chunk_samples,
            seconds=output.seconds,
            n_events_sent=len(output.events),
            n_events_merged=len(output.events) - stored,
        )


def _file_stem(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)


def _discard(channels: list[np.ndarray], files: list[Path]) -> None:
    channels.clear()
    for path in files:
        path.unlink(missing_ok=True)


def _check_cancel(cancel: Cancel | Callable[[], bool]) -> None:
    check_cancelled()
    if cancel is None:
        return
    requested = cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())
    if requested:
        raise ProcessorCancelled("processor run cancelled; nothing was stored")


@dataclass(frozen=True)
class _Spelling:
    """How the caller's user writes each parameter in an error message.

    ``options`` maps a parameter to what the user sets it with: a command-line option
    (``sample_rate`` → ``--sample-rate``, starting with ``-``) or the label of a form field
    (``sample_rate`` → ``Sample rate``, as in the script runner's *Run as processor…*
    dialog). Parameters it does not list are written as Python keywords.
    """

    options: Mapping[str, str] | None = None

    def _field(self, param: str) -> str | None:
        """Return the form field's label setting ``param`` (None: an option or a keyword)."""
        option = self.options.get(param) if self.options else None
        return option if option is not None and not option.startswith("-") else None

    def name(self, param: str) -> str:
        """Return ``--option``, ``param=`` or ``'Field'`` (what sets ``param``)."""
        field_label = self._field(param)
        if field_label is not None:
            return repr(field_label)
        if self.options and param in self.options:
            return self.options[param]
        return f"{param}="

    def given(self, param: str, value: Any) -> str:
        """Return ``--option VALUE``, ``param=VALUE`` or ``'Field' VALUE`` (what was passed)."""
        field_label = self._field(param)
        if field_label is not None:
            return f"{field_label!r} {value}"
        if self.options and param in self.options:
            return f"{self.options[param]} {value}"
        return f"{param}={value!r}"

    def supply(self, param: str) -> str:
        """Return how to give ``param``: ``pass --option`` / ``pass param=`` / ``fill in 'Field'``."""
        field_label = self._field(param)
        return f"fill in {field_label!r}" if field_label is not None else f"pass {self.name(param)}"

    def enable(self, param: str) -> str:
        """Return how to turn ``param`` on: ``pass --flag`` / ``pass param=True`` / ``tick 'Field'``."""
        field_label = self._field(param)
        if field_label is not None:
            return f"tick {field_label!r}"
        if self.options and param in self.options:
            return f"pass {self.options[param]}"
        return f"pass {param}=True"


def _refuse_existing(dm: DataManager, keys: Sequence[str], spelling: _Spelling) -> None:
    existing = [key for key in keys if key in dm]
    if existing:
        raise ValueError(
            f"output keys already exist: {', '.join(existing)}; choose another "
            f"{spelling.name('output_prefix').rstrip('=')} or {spelling.enable('overwrite')}"
        )


def plan_processor(
    dm: DataManager,
    module_or_path: types.ModuleType | str | os.PathLike[str],
    input_keys: str | Sequence[str],
    *,
    chunk_seconds: float = 1.0,
    chunk_samples: int | None = None,
    output_prefix: str | None = None,
    event_keys: Sequence[str] = (),
    sample_rate: float | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    option_names: Mapping[str, str] | None = None,
) -> ProcessorPlan:
    """Check a processor run and return its plan (see :func:`run_processor`).

    ``option_names`` maps parameters to the command-line options a CLI offers for them
    (``{"sample_rate": "--sample-rate", ...}``): error messages then name the options the
    user typed rather than Python keywords.

    Raises
    ------
    KeyError
        If an input or event key is not in ``dm``.
    ValueError
        For inputs that are not analog keys on one clock with equal sample times, event keys
        that are not events or intervals, a missing sample rate, a chunk size below one
        sample, or output keys that exist (without ``overwrite``).
    FileNotFoundError, ProcessorError
        If the processor module cannot be loaded (:func:`load_processor`).
    """
    spelling = _Spelling(option_names)
    keys = [input_keys] if isinstance(input_keys, str) else list(input_keys)
    if not keys:
        raise ValueError(f"no input key: {spelling.supply('input_keys')} (at least one)")
    inputs = [_analog_input(dm, key, spelling) for key in keys]
    clocks = {dm.time_key(key) for key in keys}
    if len(clocks) != 1:
        raise ValueError(f"input keys must share one clock; got {sorted(clocks)} for {keys}")
    clock = clocks.pop()
    times = _shared_times(keys, inputs)
    for key in event_keys:
        if key not in dm:
            raise KeyError(
                _missing_key(dm, key, "event", ("digital_event", "digital_interval"))
                + f" (given with {spelling.name('event_keys')})"
            )
        if dm.data_type(key) not in ("digital_event", "digital_interval"):
            raise ValueError(
                f"event key {key!r} is {dm.data_type(key)!r}; expected digital_event or "
                "digital_interval"
            )
    rate = sample_rate if sample_rate is not None else dm.get_time(clock).samples_per_second
    if rate is None or not rate > 0:
        raise ValueError(
            f"clock {clock!r} has no sampling rate; {spelling.supply('sample_rate')} "
            "(samples per second)"
            if sample_rate is None
            else f"{spelling.given('sample_rate', sample_rate)} is not a positive rate"
        )
    size = chunk_samples if chunk_samples is not None else round(chunk_seconds * rate)
    if int(size) < 1:
        given = (
            spelling.given("chunk_samples", chunk_samples)
            if chunk_samples is not None
            else f"{spelling.given('chunk_seconds', chunk_seconds)} at {rate:g} samples/s "
            f"is {size} samples"
        )
        raise ValueError(f"chunk size must be at least one sample; {given}")
    processor_class, name = load_processor(module_or_path)
    plan = ProcessorPlan(
        dm=dm,
        processor_class=processor_class,
        name=name,
        input_keys=keys,
        event_keys=list(event_keys),
        clock=clock,
        n_samples=len(inputs[0]),
        sample_rate=float(rate),
        chunk_samples=int(size),
        output_prefix=f"{name}_" if output_prefix is None else output_prefix,
        output_dir=None if output_dir is None else Path(output_dir).expanduser(),
        overwrite=overwrite,
        option_names=option_names,
        _inputs=inputs,
        _times=times,
    )
    if not overwrite:
        _refuse_existing(dm, plan.analog_keys, spelling)
    return plan


def _missing_key(dm: DataManager, key: str, role: str, data_types: tuple[str, ...]) -> str:
    """Say that ``key`` is not in ``dm``: the closest key of ``data_types`` and the valid ones."""
    valid = sorted(k for k in dm if dm.data_type(k) in data_types)
    if not list(dm):
        return f"no {role} key {key!r}: the DataManager is empty (no session loaded)"
    hint = did_you_mean(key, valid)
    return f"no {role} key {key!r} in the DataManager{hint}; {role} keys: {valid}"


def _analog_input(dm: DataManager, key: str, spelling: _Spelling) -> AnalogTimeSeries:
    if key not in dm:
        raise KeyError(
            _missing_key(dm, key, "input", ("analog",))
            + f" (given with {spelling.name('input_keys')})"
        )
    series = dm.get_data(key)
    if not isinstance(series, AnalogTimeSeries):
        raise ValueError(f"input key {key!r} is {dm.data_type(key)!r}; processors read analog keys")
    return series


def _shared_times(keys: list[str], inputs: list[AnalogTimeSeries]) -> np.ndarray | None:
    """Return the inputs' common sample times (None when all are dense)."""
    lengths = {len(series) for series in inputs}
    if len(lengths) != 1:
        sizes = ", ".join(f"{k}: {len(s)}" for k, s in zip(keys, inputs))
        raise ValueError(f"input keys must have the same number of samples; got {sizes}")
    if all(series.is_dense for series in inputs):
        return None
    times = np.asarray(inputs[0].times)
    for key, series in zip(keys[1:], inputs[1:]):
        if not np.array_equal(series.times, times):
            raise ValueError(f"input {key!r} is sampled at other times than {keys[0]!r}")
    if times.size > 1 and not np.all(np.diff(times) > 0):
        raise ValueError(f"input {keys[0]!r} repeats sample times; processors need one per time")
    return times


def run_processor(
    dm: DataManager,
    module_or_path: types.ModuleType | str | os.PathLike[str],
    input_keys: str | Sequence[str],
    *,
    chunk_seconds: float = 1.0,
    chunk_samples: int | None = None,
    output_prefix: str | None = None,
    event_keys: Sequence[str] = (),
    sample_rate: float | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    progress: Callable[[float], None] | None = None,
    cancel: Cancel | Callable[[], bool] = None,
) -> ProcessorResult:
    """Run a stream processor over analog keys and store what it produced.

    Parameters
    ----------
    dm : DataManager
        Holds the inputs; receives the outputs (one undo step).
    module_or_path : module or path-like
        The processor module, or its ``.py`` file.
    input_keys : str or sequence of str
        Analog keys on one clock with the same sample times; channel ``c`` of each chunk is
        ``input_keys[c]``.
    chunk_seconds : float
        Chunk length in seconds (at the clock's ``samples_per_second`` or ``sample_rate``).
    chunk_samples : int, optional
        Chunk length in samples (overrides ``chunk_seconds``).
    output_prefix : str, optional
        Output keys are ``<prefix><input key>`` and ``<prefix>events_<line>`` (``_off`` for
        off events); default ``"<module name>_"``.
    event_keys : sequence of str
        Event or interval keys whose events reach ``handle_event(channel, sample_number,
        state)`` before the chunk holding them is processed (``channel`` = position in this
        list; intervals give state 1 at their start and 0 after their end).
    sample_rate : float, optional
        Samples per second, when the input clock has no ``sampling_rate``.
    output_dir : path-like, optional
        Keep the processed channels as memory-mapped ``.npy`` files in this folder. Without
        it, outputs above 64 MB are memory-mapped from temporary files that disappear with
        the series (on POSIX systems).
    overwrite : bool
        Replace output keys that exist (default: refuse).
    progress : callable, optional
        ``progress(fraction_done)`` after each chunk.
    cancel : threading.Event or callable, optional
        Stops the run before the next chunk (so does a script's Cancel).

    Returns
    -------
    ProcessorResult
        Output keys, samples, chunks and wall time; events sent and how many merged
        (same sample, line and state: one event in the key).

    Raises
    ------
    ProcessorCancelled
        When cancelled; the DataManager is unchanged.
    ProcessorError
        When the module cannot be used or a processor call fails.
    KeyError, ValueError
        For bad keys or parameters (see :func:`plan_processor`).
    """
    plan = plan_processor(
        dm,
        module_or_path,
        input_keys,
        chunk_seconds=chunk_seconds,
        chunk_samples=chunk_samples,
        output_prefix=output_prefix,
        event_keys=event_keys,
        sample_rate=sample_rate,
        output_dir=output_dir,
        overwrite=overwrite,
    )
    return plan.store(plan.compute(progress=progress, cancel=cancel))


def throughput_text(samples_per_second: float) -> str:
    """Return a throughput (samples of all channels per second) as the output pane shows it.

    ``"48,200 samples/s"`` below a million, ``"12.3 M samples/s"`` above (a short run no
    longer reads ``0.0 M samples/s``).
    """
    if samples_per_second >= 1e6:
        return f"{samples_per_second / 1e6:.1f} M samples/s"
    return f"{samples_per_second:,.0f} samples/s"
