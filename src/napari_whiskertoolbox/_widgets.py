"""npe2 widget factories: each builds one dock for ``napari_viewer`` (imports stay lazy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import napari
    from qtpy.QtWidgets import QWidget

__all__ = ["data_browser", "key_help", "script_runner", "timeline"]


def script_runner(napari_viewer: napari.Viewer) -> QWidget:
    """The script-runner dock of ``napari_viewer``'s session."""
    from .widgets.script_runner import ScriptRunnerWidget

    return ScriptRunnerWidget(napari_viewer)


def data_browser(napari_viewer: napari.Viewer) -> QWidget:
    """The data-key browser dock."""
    from .widgets.data_browser import DataBrowserWidget

    return DataBrowserWidget(napari_viewer)


def timeline(napari_viewer: napari.Viewer) -> QWidget:
    """The timeline plots dock."""
    from .widgets.timeline import TimelineWidget

    return TimelineWidget(napari_viewer)


def key_help(napari_viewer: napari.Viewer) -> QWidget:
    """The annotation-keys help dock (binds the keys on the viewer)."""
    from .layers.keybindings import KeyHelpWidget

    return KeyHelpWidget(napari_viewer)
