"""Give napari's console the session: ``dm``, ``wt``, ``viewer``, ``np``, the data types and aliases.

When napari's console opens it also shows a banner naming those and the Python
environment scripts use (see :func:`console_banner`).
"""

from __future__ import annotations

import sys
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.layers._napari_compat import (
    console_if_created,
    on_console_shown,
    write_to_console,
)
from napari_whiskertoolbox.scripting.venv import active_venv_path

if TYPE_CHECKING:
    import napari

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["console_banner", "console_namespace", "install_console", "show_console_banner"]

_consoles_with_banner: weakref.WeakSet[Any] = weakref.WeakSet()


def console_namespace(session: ViewerSession) -> dict[str, Any]:
    """Names pushed into napari's console for ``session``.

    ``dm``, ``viewer``, ``np``, the ``whiskertoolbox_python`` module (also as ``wt``, as
    WhiskerToolbox's bridge provides it) and every name it exports (the data types and
    WhiskerToolbox's camelCase aliases), so scripts written for WhiskerToolbox's console run
    unchanged.
    """
    import whiskertoolbox_python

    exported = getattr(whiskertoolbox_python, "__all__", None)
    if exported is None:
        exported = [name for name in vars(whiskertoolbox_python) if not name.startswith("_")]
    namespace: dict[str, Any] = {name: getattr(whiskertoolbox_python, name) for name in exported}
    namespace.update(
        dm=session.dm,
        viewer=session.viewer,
        np=np,
        wt=whiskertoolbox_python,
        whiskertoolbox_python=whiskertoolbox_python,
    )
    return namespace


def console_banner() -> str:
    """Return the console's banner: the names ready to use and the Python environment."""
    active = active_venv_path()
    environment = f"the virtual environment {active}" if active else "napari's own environment"
    version = sys.version.split()[0]
    return (
        "napari-whiskertoolbox: dm, wt, viewer, np and the WhiskerToolbox data types are "
        f"ready.\nPython {version}, scripts import from {environment}."
    )


def show_console_banner(viewer: napari.Viewer) -> bool:
    """Write :func:`console_banner` into ``viewer``'s console if it is open; True if written."""
    if getattr(viewer, "window", None) is None:
        return False
    console = console_if_created(viewer)
    if console is None:
        return False
    write_to_console(console, console_banner())
    _consoles_with_banner.add(console)
    return True


def install_console(session: ViewerSession) -> dict[str, Any]:
    """Push :func:`console_namespace` into the viewer's console; return the pushed names.

    napari keeps only weak references to values pushed before the console opens; the
    session holds strong references to ``dm`` and the viewer, so nothing is lost.
    """
    namespace = console_namespace(session)
    viewer = session.viewer
    viewer.update_console(namespace)

    def first_shown(console: Any) -> None:
        if console not in _consoles_with_banner:
            _consoles_with_banner.add(console)
            write_to_console(console, console_banner())

    on_console_shown(viewer, first_shown)
    if console_if_created(viewer) is not None:
        show_console_banner(viewer)
    return namespace
