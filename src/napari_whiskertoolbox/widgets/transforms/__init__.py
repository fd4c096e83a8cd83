"""Transforms dock: WhiskerToolbox's transforms and pipelines on the viewer's session.

:class:`TransformsWidget` is imported lazily so the Qt-free helpers (``catalogue``) load
without Qt.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TransformsWidget"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from napari_whiskertoolbox.widgets.transforms import dock

        return getattr(dock, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
