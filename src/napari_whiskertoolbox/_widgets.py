"""npe2 widget entry points: the dock widget classes, imported lazily by attribute.

napari instantiates a widget contribution by inspecting the class's ``__init__`` for a
``napari_viewer`` parameter, so the manifest points at the classes themselves; this module
only defers importing each dock's module (and its Qt dependencies) until it is opened.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from napari_whiskertoolbox.widgets.data_browser import DataBrowserWidget
    from napari_whiskertoolbox.widgets.key_help import KeyHelpWidget
    from napari_whiskertoolbox.widgets.script_runner import ScriptRunnerWidget
    from napari_whiskertoolbox.widgets.swap_identities import SwapIdentitiesWidget
    from napari_whiskertoolbox.widgets.timeline import TimelineWidget
    from napari_whiskertoolbox.widgets.transforms import TransformsWidget

__all__ = [
    "DataBrowserWidget",
    "KeyHelpWidget",
    "ScriptRunnerWidget",
    "SwapIdentitiesWidget",
    "TimelineWidget",
    "TransformsWidget",
]

_WIDGET_MODULES = {
    "ScriptRunnerWidget": "napari_whiskertoolbox.widgets.script_runner",
    "DataBrowserWidget": "napari_whiskertoolbox.widgets.data_browser",
    "TimelineWidget": "napari_whiskertoolbox.widgets.timeline",
    "KeyHelpWidget": "napari_whiskertoolbox.widgets.key_help",
    "TransformsWidget": "napari_whiskertoolbox.widgets.transforms.dock",
    "SwapIdentitiesWidget": "napari_whiskertoolbox.widgets.swap_identities",
}


def __getattr__(name: str) -> Any:
    module = _WIDGET_MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_WIDGET_MODULES])
