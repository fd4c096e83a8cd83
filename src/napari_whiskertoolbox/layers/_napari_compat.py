"""The only place that touches private napari attributes.

Each function here is the smallest private access we could not avoid, has its own test in
``tests/layers/test_napari_compat.py``, and fails loudly (a clear ``RuntimeError``) when a
napari release changes the internals it relies on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import napari
    from qtpy.QtWidgets import QMainWindow

__all__ = ["main_window"]


# --------------------------------------------------------------------------- main window
# Used by layers/close_guard.py (owner: napari integration). napari has no public
# accessor for the QMainWindow of a viewer that has no docked widget yet; dock widgets
# would give it through ``dock.window()``, which the close guard cannot wait for.
def main_window(viewer: napari.Viewer) -> QMainWindow:
    """Return the ``QMainWindow`` of ``viewer`` (to install event filters on it).

    Raises
    ------
    RuntimeError
        If this napari version no longer exposes the window where we expect it.
    """
    from qtpy.QtWidgets import QMainWindow

    window = getattr(viewer.window, "_qt_window", None)
    if not isinstance(window, QMainWindow):
        raise RuntimeError(
            "napari_whiskertoolbox: viewer.window._qt_window is no longer the viewer's "
            f"QMainWindow in napari (got {type(window).__name__}); update "
            "layers/_napari_compat.main_window"
        )
    return window
