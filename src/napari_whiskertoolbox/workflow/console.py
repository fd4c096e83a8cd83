"""Give napari's console the session: ``dm``, ``viewer``, ``np``, the data types and aliases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["console_namespace", "install_console"]


def console_namespace(session: ViewerSession) -> dict[str, Any]:
    """Names pushed into napari's console for ``session``.

    ``dm``, ``viewer``, ``np``, the ``whiskertoolbox_python`` module and every name it
    exports (the data types and WhiskerToolbox's camelCase aliases), so scripts written for
    WhiskerToolbox's console run unchanged.
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
        whiskertoolbox_python=whiskertoolbox_python,
    )
    return namespace


def install_console(session: ViewerSession) -> dict[str, Any]:
    """Push :func:`console_namespace` into the viewer's console; return the pushed names.

    napari keeps only weak references to values pushed before the console opens; the
    session holds strong references to ``dm`` and the viewer, so nothing is lost.
    """
    namespace = console_namespace(session)
    session.viewer.update_console(namespace)
    return namespace
