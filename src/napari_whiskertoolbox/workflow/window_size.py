"""Give napari's window back the size a newly docked dock of ours made it grow from.

napari (``Window.add_dock_widget``) docks a new dock under the other docks of its area. For
that moment the window's minimum height is their minimum heights added up, and Qt grows the
window to it at once; our code then makes the dock a tab or moves it beside the Timeline,
which lowers the minimum again, but Qt never shrinks a window: a 1366x768 window stayed 869
pixels tall with the Script runner, 1015 with the Transforms dock and 959 with a figure, its
bottom (the Timeline, the status bar) off a laptop screen. Callers remember the window's size
before docking (:func:`window_size_before_docking`) and give it back once the dock is placed
(:func:`restore_grown_window`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import QSize

if TYPE_CHECKING:
    from qtpy.QtWidgets import QMainWindow

__all__ = ["restore_grown_window", "window_size_before_docking"]


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
    forced = window.minimumSize()
    taller = size.height() < window.height() <= forced.height()
    wider = size.width() < window.width() <= forced.width()
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
