"""The GUI display target of a session: matplotlib figures in docks, ``wt.plot`` lanes.

Registered for the session's DataManager with
:func:`napari_whiskertoolbox.scripting.display.register_display`. Figures built by scripts
(on any thread, with the Qt-free backend of :mod:`~napari_whiskertoolbox.scripting.mpl_backend`)
are drawn here on the main thread: the first ``plt.show()`` of a figure docks matplotlib's Qt
canvas with its navigation toolbar; showing it again redraws that dock; ``plt.close(fig)``
takes the dock away, and closing the dock closes the figure; closing the viewer closes its
figures. ``plt.pause`` in a worker thread waits while the main thread redraws (no Qt event
loop runs off the main thread). ``wt.plot`` opens the timeline dock if needed and adds the
lane.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from qtpy.QtCore import QEvent, QSize
from qtpy.QtWidgets import QDockWidget, QVBoxLayout, QWidget

from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.layers.main_thread import call_in_main, run_in_main
from napari_whiskertoolbox.scripting.display import (
    register_display,
    unregister_display,
    use_figure_backend,
)
from napari_whiskertoolbox.workflow.figure_place import (
    canvas_height,
    dock_min_height,
    place_figure_dock,
    width_slack,
)
from napari_whiskertoolbox.workflow.window_size import (
    restore_grown_window,
    window_size_before_docking,
)
from napari_whiskertoolbox.workflow.window_watch import WindowWatch

if TYPE_CHECKING:
    from collections.abc import Callable

    import napari
    from matplotlib.figure import Figure

    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.scripting.display import PlotSource

__all__ = [
    "FigureDock",
    "SessionDisplay",
    "dock_min_height",
    "install_session_display",
    "place_figure_dock",
]

FIGURE_MIN_SIZE = (320, 200)
"""Smallest figure dock (pixels): toolbar and a readable plot."""
FIGURE_HINT_HEIGHT = 320
"""Height a new figure dock asks for, whatever the figure's size in inches: a 640×480
figure's own wish took the dock column from the script runner, whose editor shrank to four
lines below its minimum, and the window grew past the screen."""
_PAUSE_SLICE_S = 0.02
"""``plt.pause`` off the main thread sleeps in slices this long (a script's Cancel lands)."""


@functools.cache
def _figure_canvas_class() -> type:
    """Matplotlib's Qt canvas, redrawing on the main thread whoever asks for a draw."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    class MainThreadCanvas(FigureCanvasQTAgg):
        """The Qt canvas of a docked figure; scripts on worker threads use it too."""

        def start_event_loop(self, timeout: float = 0) -> None:
            """Run Qt's loop on the main thread; elsewhere wait (``plt.pause``) in slices."""
            if threading.current_thread() is threading.main_thread():
                super().start_event_loop(timeout)
                return
            deadline = time.monotonic() + max(float(timeout), 0.0)
            while (left := deadline - time.monotonic()) > 0:
                time.sleep(min(left, _PAUSE_SLICE_S))

        def flush_events(self) -> None:
            """Process pending Qt events on the main thread (nothing to do elsewhere)."""
            if threading.current_thread() is threading.main_thread():
                super().flush_events()

        def draw(self) -> None:
            """Render now, on the main thread (a worker thread waits for it)."""
            run_in_main(FigureCanvasQTAgg.draw, self)

        def draw_idle(self) -> None:
            """Ask for a render on the main thread (never waits)."""
            if threading.current_thread() is threading.main_thread():
                super().draw_idle()
            else:
                call_in_main(FigureCanvasQTAgg.draw_idle, self)

    return MainThreadCanvas


def fit_to_canvas(figure: Figure) -> None:
    """Lay ``figure`` out with constrained layout so its labels stay inside a small canvas.

    matplotlib's default margins are fractions of the figure: at the dock's 200-pixel
    minimum they cut the x-axis label and the tick labels. A figure with a layout engine of
    its own, or margins set with ``subplots_adjust``, is left as it is. A figure whose
    colorbars cannot move to constrained layout gets tight layout.
    """
    if figure.get_layout_engine() is not None or not _default_margins(figure):
        return
    try:
        figure.set_layout_engine("constrained")
    except RuntimeError:  # colorbars made for the default layout
        figure.set_layout_engine("tight")


def _default_margins(figure: Figure) -> bool:
    from matplotlib.figure import SubplotParams

    pars, defaults = figure.subplotpars, SubplotParams()  # the rc settings' margins
    return all(
        getattr(pars, side) == getattr(defaults, side)
        for side in ("left", "right", "bottom", "top", "wspace", "hspace")
    )


class FigureDock(QWidget):
    """A figure's Qt canvas with matplotlib's navigation toolbar, for one napari dock.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure; its pyplot manager (if any) now draws through this canvas.
    on_user_close : callable
        Called with the dock when the user closes it (napari takes it out of its window).
    """

    def __init__(self, figure: Figure, on_user_close: Callable[[FigureDock], None]) -> None:
        super().__init__()
        from matplotlib.backends.backend_qtagg import NavigationToolbar2QT

        self.figure = figure
        self.closing = False
        self._on_user_close = on_user_close
        manager = figure.canvas.manager
        self.canvas = _figure_canvas_class()(figure)
        if manager is not None:
            manager.canvas = self.canvas
            self.canvas.manager = manager
        fit_to_canvas(figure)
        self.toolbar = NavigationToolbar2QT(self.canvas, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas, 1)
        self.setMinimumSize(*FIGURE_MIN_SIZE)

    def sizeHint(self) -> QSize:
        """Ask for :data:`FIGURE_HINT_HEIGHT` at most (the user can drag the dock taller)."""
        hint = super().sizeHint()
        return QSize(hint.width(), min(hint.height(), FIGURE_HINT_HEIGHT))

    def event(self, event: QEvent) -> bool:
        """Notice napari taking the widget out of its dock (the user closed it)."""
        handled = super().event(event)
        if event.type() == QEvent.Type.ParentChange and self.parent() is None and not self.closing:
            self.closing = True
            self._on_user_close(self)
        return handled


class SessionDisplay:
    """Figures and timeline lanes of one viewer session (a :class:`DisplayTarget`).

    Parameters
    ----------
    session : ViewerSession
        The session; held weakly.

    Attributes
    ----------
    docks : dict
        ``id(figure)`` → :class:`FigureDock` of the figures shown and not closed.
    """

    def __init__(self, session: ViewerSession) -> None:
        self._session = weakref.ref(session)
        self.docks: dict[int, FigureDock] = {}
        self.window_closed = False
        self._watch: WindowWatch | None = None

    @property
    def viewer(self) -> Any:
        """The session's viewer, or None once it is gone."""
        session = self._session()
        return session.viewer if session is not None else None

    # -- figures ---------------------------------------------------------------------------------

    def show_figure(self, figure: Figure) -> None:
        """Dock ``figure`` (once) and draw it, on the main thread."""
        run_in_main(self._show, figure)

    def close_figure(self, figure: Figure) -> None:
        """Remove ``figure``'s dock, on the main thread (without waiting)."""
        if threading.current_thread() is threading.main_thread():
            self._close(figure)
        else:
            call_in_main(self._close, figure)

    def dock_of(self, figure: Figure) -> FigureDock | None:
        """Return the dock showing ``figure``, or None."""
        return self.docks.get(id(figure))

    def _show(self, figure: Figure) -> None:
        viewer = self.viewer
        if viewer is None or getattr(viewer, "window", None) is None or self.window_closed:
            return
        dock = self.docks.get(id(figure))
        if dock is None:
            dock = self._add_dock(viewer, figure)
        dock.canvas.draw_idle()
        wrapper = dock.parentWidget()
        if wrapper is not None:
            wrapper.show()
            wrapper.raise_()

    def _add_dock(self, viewer: Any, figure: Figure) -> FigureDock:
        """Dock ``figure`` where it fits the window; later figures tab with earlier ones.

        Below the docks on the right when their minimum heights leave it room (tabbed with
        the script runner, a figure shown by a cell would hide the editor). Otherwise beside
        a dock at the bottom (the sample's Timeline), or a tab over it when the row is too
        narrow for both: with the Timeline taking the bottom, the runner's and the figure's
        minimum heights made napari's 1268×800 window grow to 937 pixels. Without a bottom
        dock it is tabbed over the right-hand docks (:func:`place_figure_dock`). The canvas
        takes the dock's whole height (no stretch below it).
        """
        earlier = [d.parentWidget() for d in self.docks.values() if d.parentWidget() is not None]
        dock = FigureDock(figure, self._user_closed)
        self.docks[id(figure)] = dock
        window = main_window(viewer)
        size = window_size_before_docking(window)  # napari's docking may grow the window
        room, slack = canvas_height(window), width_slack(window)
        viewer.window.add_dock_widget(
            dock, name=self._dock_name(figure), area="right", add_vertical_stretch=False
        )
        wrapper = dock.parentWidget()
        if wrapper is None:
            return dock
        if earlier:
            window.tabifyDockWidget(earlier[-1], wrapper)
        elif isinstance(wrapper, QDockWidget):
            place_figure_dock(window, wrapper, room, slack)
        restore_grown_window(window, size)
        return dock

    def _dock_name(self, figure: Figure) -> str:
        manager = figure.canvas.manager
        label = figure.get_label()
        name = label or (f"Figure {manager.num}" if manager is not None else "Figure")
        taken = set(self.viewer.window.dock_widgets)
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name} ({n})", n + 1
        return unique

    def _close(self, figure: Figure) -> None:
        dock = self.docks.pop(id(figure), None)
        if dock is None or dock.closing:
            return
        dock.closing = True
        viewer = self.viewer
        if self.window_closed:
            return  # the window took its docks with it
        if viewer is not None and getattr(viewer, "window", None) is not None:
            with contextlib.suppress(LookupError):  # the window already let go of it
                viewer.window.remove_dock_widget(dock)
        dock.deleteLater()

    def _user_closed(self, dock: FigureDock) -> None:
        self.docks.pop(id(dock.figure), None)
        import matplotlib.pyplot as plt

        if dock.figure.canvas.manager is not None:
            plt.close(dock.figure)
        dock.deleteLater()

    def watch_window(self, viewer: napari.Viewer) -> None:
        """Close the session's figures when ``viewer``'s window closes (:meth:`window_closing`)."""
        self._watch = WindowWatch(viewer, self.window_closing)

    def window_closing(self) -> None:
        """Forget the docks and close their figures: the viewer's window is going away."""
        if self.window_closed:
            return
        self.window_closed = True
        session = self._session()
        if session is not None:
            unregister_display(session.dm)
        docks = list(self.docks.values())
        self.docks.clear()
        for dock in docks:
            dock.closing = True
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            for dock in docks:
                pyplot.close(dock.figure)

    # -- timeline lanes ----------------------------------------------------------------------------

    def plot(self, source: str | PlotSource, name: str | None, clock: str) -> str:
        """Show a key or a series as a timeline lane (opening the timeline); return the lane."""
        return run_in_main(self._plot, source, name, clock)

    def _plot(self, source: str | PlotSource, name: str | None, clock: str) -> str:
        timeline = self.timeline()
        if isinstance(source, str):
            timeline.show_lane(source)
            return source
        return timeline.plot_series(source, name, clock)

    def timeline(self) -> Any:
        """Return the viewer's timeline dock widget, docking one when there is none."""
        viewer = self.viewer
        if viewer is None:
            raise RuntimeError("wt.plot: the session's viewer is gone")
        for widget in viewer.window.dock_widgets.values():
            if callable(getattr(widget, "plot_series", None)):
                return widget
        from napari_whiskertoolbox.workflow.docks import TIMELINE_WIDGET, add_plugin_dock

        _, widget = add_plugin_dock(viewer, TIMELINE_WIDGET)
        return widget


def install_session_display(session: ViewerSession) -> SessionDisplay:
    """Route the session's figures and ``wt.plot`` lanes to its viewer; return the target.

    Also makes the Qt-free dock backend matplotlib's backend (when matplotlib is installed),
    so ``plt.show()`` from scripts and napari's console lands in a dock. The viewer needs a
    Qt window.
    """
    target = SessionDisplay(session)
    dm = session.dm
    register_display(dm, target)
    use_figure_backend()
    session.closed.connect(lambda: unregister_display(dm))
    viewer = session.viewer
    if viewer is not None:
        target.watch_window(viewer)
    return target
