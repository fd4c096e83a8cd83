"""Dock our widgets under the names napari's *Plugins > WhiskerToolbox* menu gives them.

napari's ``Window.add_plugin_dock_widget(plugin, widget)`` names a dock
``"<widget> (<plugin name>)"`` (``"Timeline (napari-whiskertoolbox)"``), while its Plugins
menu names, finds and toggles a dock as ``"<widget> (<display name>)"``
(``"Timeline (WhiskerToolbox)"``). A dock our code opened with the first (the demo's docks,
the Timeline ``wt.plot`` opens) was not found by the menu, which docked a second one beside
it. :func:`add_plugin_dock` docks under the menu's name, so the menu toggles it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import napari
    from qtpy.QtWidgets import QDockWidget

__all__ = [
    "ANNOTATION_KEYS_WIDGET",
    "PLUGIN_NAME",
    "TIMELINE_WIDGET",
    "add_plugin_dock",
    "dock_name",
    "dock_of",
]

PLUGIN_NAME = "napari-whiskertoolbox"
ANNOTATION_KEYS_WIDGET = "Key help"
"""The Key help dock's display name in ``napari.yaml``."""
TIMELINE_WIDGET = "Timeline"
"""The Timeline dock's display name in ``napari.yaml``."""


def dock_name(widget_name: str) -> str:
    """Return the dock name the Plugins menu gives ``widget_name``.

    Parameters
    ----------
    widget_name : str
        The widget's display name in ``napari.yaml`` (``"Timeline"``); a former name
        (:data:`FORMER_WIDGET_NAMES`) finds the dock under its name now.

    Returns
    -------
    str
        ``"Timeline (WhiskerToolbox)"``: the widget and the plugin's display name, as
        napari's menu formats them.
    """
    from npe2 import PluginManager

    manifest = PluginManager.instance().get_manifest(PLUGIN_NAME)
    return f"{widget_name} ({manifest.display_name or PLUGIN_NAME})"


FORMER_WIDGET_NAMES = {"Annotation keys": ANNOTATION_KEYS_WIDGET, "Swap identities": "Swap IDs"}
"""Display names our docks had before → their names now (scripts calling
:func:`add_plugin_dock` with the old name keep working)."""


def add_plugin_dock(
    viewer: napari.Viewer, widget_name: str, *, tabify: bool = False, area: str = "right"
) -> tuple[QDockWidget | None, Any]:
    """Dock our widget ``widget_name`` as the Plugins menu would, or return the docked one.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer to dock into.
    widget_name : str
        The widget's display name in ``napari.yaml`` (``"Timeline"``).
    tabify : bool
        Stack the new dock as a tab over the last dock of its area.
    area : str
        Where a new dock goes (``"right"``, napari's default; ``"bottom"``...).

    Returns
    -------
    tuple
        ``(dock, widget)``; ``dock`` is ``None`` when the widget was already docked (then
        ``widget`` is that one, however it was docked: the Plugins menu, a config,
        ``Window.add_plugin_dock_widget`` or ``napari -w``).

    Raises
    ------
    KeyError
        If the plugin has no widget of that name (the message lists those it has).
    """
    from npe2 import PluginManager

    widget_name = FORMER_WIDGET_NAMES.get(widget_name, widget_name)
    name = dock_name(widget_name)
    # napari names a dock by how it was docked: the menu "Timeline (WhiskerToolbox)",
    # Window.add_plugin_dock_widget and napari -w "Timeline (napari-whiskertoolbox)"
    for docked_as in (name, f"{widget_name} ({PLUGIN_NAME})"):
        docked = viewer.window.dock_widgets.get(docked_as)
        if docked is not None:
            return None, docked
    ours = [c for c in PluginManager.instance().iter_widgets() if c.plugin_name == PLUGIN_NAME]
    for contribution in ours:
        if contribution.display_name == widget_name:
            widget = contribution.get_callable()(napari_viewer=viewer)
            return viewer.window.add_dock_widget(
                widget, name=name, area=area, tabify=tabify
            ), widget
    raise KeyError(
        f"{PLUGIN_NAME} has no widget {widget_name!r}; it has "
        f"{sorted(c.display_name for c in ours)}"
    )


def dock_of(widget: Any) -> QDockWidget | None:
    """Return the dock widget holding ``widget`` (its nearest ``QDockWidget`` parent)."""
    from qtpy.QtWidgets import QDockWidget

    parent = widget.parentWidget() if widget is not None else None
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent
