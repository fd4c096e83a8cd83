"""Give napari's window back the size a newly docked dock of ours made it grow from.

napari (``Window.add_dock_widget``) docks a new dock under the other docks of its area. For
that moment the window's minimum height is their minimum heights added up, and Qt grows the
window to it at once; our code then makes the dock a tab or moves it beside the Timeline,
which lowers the minimum again, but Qt never shrinks a window: a 1366x768 window stayed 869
pixels tall with the Script runner, 1015 with the Transforms dock and 959 with a figure, its
bottom (the Timeline, the status bar) off a laptop screen. Callers remember the window's size
before docking (:func:`window_size_before_docking`) and give it back once the dock is placed
(:func:`restore_grown_window`); where the placing happens later, a :class:`WindowSizeKeeper`
follows the sizes the window is given meanwhile (a user's resize), but not the growth.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from qtpy.QtCore import QEvent, QObject, QSize

if TYPE_CHECKING:
    from qtpy.QtWidgets import QMainWindow

__all__ = ["WindowSizeKeeper", "restore_grown_window", "window_size_before_docking"]


def _forced_growth(before: QSize, now: QSize, minimum: QSize) -> tuple[bool, bool]:
    """Return (taller, wider): whether ``before`` -> ``now`` grew each only up to ``minimum``.

    Growth up to the window's minimum size is Qt fitting it to docks, not a user's resize.
    """
    return (
        before.height() < now.height() <= minimum.height(),
        before.width() < now.width() <= minimum.width(),
    )


def window_size_before_docking(window: QMainWindow) -> QSize | None:
    """Return ``window``'s size to keep, or None when it is not shown (nothing to keep)."""
    return QSize(window.size()) if window.isVisible() else None


def restore_grown_window(window: QMainWindow, size: QSize | None) -> bool:
    """Shrink ``window`` back to ``size`` if docking grew it to its minimum size.

    Only growth that docking forced is undone: the window must be larger than ``size`` and no
    larger than its minimum size (a window the user made larger since is above its minimum and
    keeps its size). The new size is ``size``, or the window's new minimum where that is
    larger; a maximized or full-screen window is left to the window manager.

    Parameters
    ----------
    window : QMainWindow
        The viewer's main window.
    size : QSize or None
        Its size before the dock was added (:func:`window_size_before_docking`).

    Returns
    -------
    bool
        Whether the window was resized.
    """
    if size is None or window.isMaximized() or window.isFullScreen():
        return False
    taller, wider = _forced_growth(size, window.size(), window.minimumSize())
    if not (taller or wider):
        return False
    layout = window.layout()
    if layout is not None:
        layout.activate()  # the window's minimum size once the dock is placed
    minimum = window.minimumSizeHint()
    window.resize(
        max(size.width(), minimum.width()) if wider else window.width(),
        max(size.height(), minimum.height()) if taller else window.height(),
    )
    return True


class WindowSizeKeeper(QObject):
    """Follow the size ``window`` is given until :meth:`restore`, leaving out forced growth.

    A resize that makes the window larger up to its minimum size is Qt fitting it to docks
    stacked for a moment: the size kept stays the one before. Any other resize (the user's,
    a program's) is kept.

    Parameters
    ----------
    window : QMainWindow
        The viewer's main window.
    parent : QObject, optional
        Owner: the keeper (and its event filter) goes with it.
    """

    def __init__(self, window: QMainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # weakly: a keeper whose dock never showed must not keep a closed viewer alive
        self._window = weakref.ref(window)
        self.size = window_size_before_docking(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        """Keep the window's new size unless the resize is forced growth; never consume."""
        window = self._window()
        if (
            window is not None
            and watched is window
            and event is not None
            and event.type() == QEvent.Type.Resize
            and self.size is not None
        ):
            new, old = event.size(), event.oldSize()  # type: ignore[attr-defined]
            taller, wider = _forced_growth(old, new, window.minimumSize())
            self.size = QSize(
                self.size.width() if wider else new.width(),
                self.size.height() if taller else new.height(),
            )
        return False

    def restore(self) -> bool:
        """Stop following; give the window the kept size if docking grew it (see above)."""
        window = self._window()
        if window is None:
            return False
        window.removeEventFilter(self)
        return restore_grown_window(window, self.size)
