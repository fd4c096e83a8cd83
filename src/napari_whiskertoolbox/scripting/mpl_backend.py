"""A Qt-free matplotlib backend whose ``show()`` docks figures in napari (when there is one).

Select it with :func:`~napari_whiskertoolbox.scripting.display.use_figure_backend`. Figures are plain Agg figures, so scripts may build them on any thread; ``plt.show()``,
``fig.show()`` and ``plt.close(fig)`` go to the session's display target
(:mod:`napari_whiskertoolbox.scripting.display`), which draws them on the GUI thread. Nothing
ever blocks or opens a window of its own; without a target (a headless run) ``show()`` only
notes on stderr that the figure was not shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from napari_whiskertoolbox.scripting.display import current_display, note

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting.display import DisplayTarget

__all__ = ["FigureCanvas", "FigureManager"]


class FigureManager(FigureManagerBase):
    """Manager of one pyplot figure: shows it through the session's display target."""

    _shown_on: DisplayTarget | None = None
    _noted = False

    def show(self) -> None:
        """Dock the figure (or reuse its dock and redraw); never blocks."""
        target = current_display()
        if target is None:
            if not self._noted:
                self._noted = True
                note(
                    f"figure {self.num} not shown: no napari window (headless run); "
                    "save it with fig.savefig(path)"
                )
            return
        self._shown_on = target
        target.show_figure(self.canvas.figure)

    def destroy(self) -> None:
        """Take the figure's dock away (``plt.close``)."""
        target, self._shown_on = self._shown_on, None
        if target is not None:
            target.close_figure(self.canvas.figure)

    @classmethod
    def pyplot_show(cls, *, block: bool | None = None) -> None:
        """Show every open pyplot figure; ``block`` is ignored (napari keeps running)."""
        for manager in Gcf.get_all_fig_managers():
            manager.show()


class FigureCanvas(FigureCanvasAgg):
    """Agg canvas (renders on any thread) managed by :class:`FigureManager`."""

    manager_class: Any = FigureManager
