"""Where scripts' figures and plots go: a display target per DataManager (Qt-free seam).

The GUI registers one :class:`DisplayTarget` per viewer session (keyed by its
DataManager): it docks matplotlib figures and adds timeline lanes. Scripts reach it
through :func:`plot` / :func:`plot_key` (``wt.plot``) and through the matplotlib backend
of :mod:`napari_whiskertoolbox.scripting.mpl_backend` (``plt.show()``).

Which target a call uses: the DataManager of the script running on the calling thread
(the engine marks its runs with :func:`displaying_for`; napari's console marks each
command the same way), else the target registered last. Without any target (a headless
run) figures are not shown and nothing is plotted; a note says so on stderr.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.kinds import SERIES_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "FIGURE_BACKEND",
    "DisplayTarget",
    "PlotSource",
    "current_data_manager",
    "current_display",
    "displaying_for",
    "key_of",
    "plot",
    "plot_key",
    "register_display",
    "unregister_display",
    "use_figure_backend",
]

FIGURE_BACKEND = "module://napari_whiskertoolbox.scripting.mpl_backend"
"""matplotlib backend sending ``plt.show()`` to the display target."""

PlotSource = AnalogTimeSeries | DigitalEventSeries | DigitalIntervalSeries
"""Series a timeline lane can draw."""


class DisplayTarget(Protocol):
    """What the GUI provides for one session: figure docks and timeline lanes.

    Every method may be called from any thread; implementations marshal to the GUI thread.
    """

    def show_figure(self, figure: Any) -> None:
        """Show the matplotlib ``figure`` (a dock per figure, reused when shown again)."""

    def close_figure(self, figure: Any) -> None:
        """Take the dock of ``figure`` away (the figure was closed)."""

    def plot(self, source: str | PlotSource, name: str | None, clock: str) -> str:
        """Show a key (``str``) or a series as a timeline lane; return the lane's name."""


_targets: weakref.WeakKeyDictionary[DataManager, DisplayTarget] = weakref.WeakKeyDictionary()
_order: list[weakref.ReferenceType[DataManager]] = []
_lock = threading.Lock()
_local = threading.local()


def register_display(dm: DataManager, target: DisplayTarget) -> None:
    """Send the figures and plots of scripts working on ``dm`` to ``target``."""
    with _lock:
        _targets[dm] = target
        _order[:] = [ref for ref in _order if ref() is not None and ref() is not dm]
        _order.append(weakref.ref(dm))


def unregister_display(dm: DataManager) -> None:
    """Stop sending ``dm``'s figures and plots anywhere."""
    with _lock:
        _targets.pop(dm, None)
        _order[:] = [ref for ref in _order if ref() is not None and ref() is not dm]


@contextlib.contextmanager
def displaying_for(dm: DataManager) -> Iterator[None]:
    """Mark code run inside the block on this thread as working on ``dm``."""
    previous = getattr(_local, "dm", None)
    _local.dm = dm
    try:
        yield
    finally:
        _local.dm = previous


def current_data_manager() -> DataManager | None:
    """Return the DataManager the calling thread's script works on, else the last registered."""
    dm = getattr(_local, "dm", None)
    if dm is not None:
        return dm
    with _lock:
        for ref in reversed(_order):
            latest = ref()
            if latest is not None:
                return latest
    return None


def current_display() -> DisplayTarget | None:
    """Return the display target of :func:`current_data_manager`, or None (headless)."""
    dm = current_data_manager()
    if dm is None:
        return None
    with _lock:
        return _targets.get(dm)


def key_of(dm: DataManager, obj: object) -> str | None:
    """Return the key under which ``dm`` stores ``obj`` itself, or None."""
    return next((key for key in dm if dm.get_data(key) is obj), None)


def use_figure_backend() -> bool:
    """Make :data:`FIGURE_BACKEND` matplotlib's backend; False when matplotlib is not installed.

    Before ``matplotlib.pyplot`` is imported this only sets the backend setting (pyplot loads
    it on import); afterwards pyplot switches to it (open figures stay as they are).
    """
    if importlib.util.find_spec("matplotlib") is None:
        return False
    import matplotlib

    matplotlib.use(FIGURE_BACKEND)
    return True


def note(text: str) -> None:
    """Write a one-line note to the calling script's stderr."""
    print(text, file=sys.stderr)


def _as_source(value: object) -> PlotSource:
    if isinstance(value, (AnalogTimeSeries, DigitalEventSeries, DigitalIntervalSeries)):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "biuf":
        return AnalogTimeSeries(value)
    raise TypeError(
        "wt.plot expects a DataManager key, an AnalogTimeSeries, DigitalEventSeries, "
        f"DigitalIntervalSeries or a 1-D numeric array, got {type(value).__name__}"
    )


def plot(
    key_or_series: str | PlotSource | np.ndarray,
    name: str | None = None,
    *,
    clock: str = "time",
    dm: DataManager | None = None,
) -> str | None:
    """Add a timeline lane for a key or a series (``wt.plot``).

    Parameters
    ----------
    key_or_series : str or series or 1-D array
        A key of ``dm`` (analog, event or interval), a series object, or a 1-D numeric array
        (drawn as a dense analog series). A series stored in ``dm`` is drawn as its key.
    name : str, optional
        Lane label of a series not in ``dm`` (``"plot 1"``, ``"plot 2"``, … by default).
    clock : str
        Clock of a series not in ``dm`` (its time indices are indices of that clock).
    dm : DataManager, optional
        The session to plot in; by default the one the running script works on.

    Returns
    -------
    str or None
        The lane's name (the key for keys), or None when there is no timeline (headless).

    Raises
    ------
    KeyError
        If a key is not in the DataManager.
    ValueError
        If a key is not an analog, event or interval key.
    TypeError
        If ``key_or_series`` is none of the accepted types.
    """
    dm = dm if dm is not None else current_data_manager()
    source: str | PlotSource
    if isinstance(key_or_series, str):
        source = key_or_series
        if dm is not None:
            _check_series_key(dm, source)
    else:
        series = _as_source(key_or_series)
        stored = key_of(dm, series) if dm is not None else None
        source = stored if stored is not None else series
    with _lock:
        target = _targets.get(dm) if dm is not None else None
    if target is None:
        what = source if isinstance(source, str) else type(source).__name__
        note(f"wt.plot: no napari timeline here (headless run); {what} not plotted")
        return None
    return target.plot(source, name, clock)


def plot_key(key: str, *, dm: DataManager | None = None) -> str | None:
    """Show the analog, event or interval ``key`` as a timeline lane (see :func:`plot`).

    Raises
    ------
    KeyError
        If ``key`` is not in the DataManager.
    ValueError
        If ``key`` is not an analog, event or interval key.
    """
    if not isinstance(key, str):
        raise TypeError(f"plot_key expects a key (str), got {type(key).__name__}")
    return plot(key, dm=dm)


def _check_series_key(dm: DataManager, key: str) -> None:
    if key not in dm:
        raise KeyError(
            f"wt.plot: no key {key!r} in the DataManager{did_you_mean(key, dm)}; keys: {sorted(dm)}"
        )
    kind = dm.data_type(key)
    if kind not in SERIES_KINDS:
        raise ValueError(
            f"wt.plot: key {key!r} is {kind!r}; timeline lanes show {', '.join(SERIES_KINDS)} keys"
        )
