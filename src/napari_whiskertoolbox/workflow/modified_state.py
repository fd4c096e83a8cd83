"""Show the session's unsaved state in the viewer title (``"napari *"`` while modified)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.layers.main_thread import connect_main

if TYPE_CHECKING:
    from collections.abc import Callable

    import napari

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = ["MODIFIED_SUFFIX", "install_modified_indicator", "title_with_state"]

MODIFIED_SUFFIX = " *"


def title_with_state(title: str, modified: bool) -> str:
    """Return ``title`` with the modified marker added or removed."""
    base = title.removesuffix(MODIFIED_SUFFIX)
    return base + MODIFIED_SUFFIX if modified else base


def _update_title(viewer: napari.Viewer, modified: bool) -> None:
    viewer.title = title_with_state(viewer.title, modified)


def install_modified_indicator(session: ViewerSession) -> Callable[[], None]:
    """Keep ``session.viewer.title`` marked with ``" *"`` while ``session.dm.modified``.

    Returns
    -------
    callable
        Call it to disconnect the indicator.
    """
    signal = session.dm.modified_changed

    def on_modified_changed(modified: Any) -> None:
        viewer = session.viewer  # held weakly by the session: the DataManager must not keep it
        if viewer is not None:
            _update_title(viewer, bool(modified))

    slot = connect_main(signal, on_modified_changed)
    on_modified_changed(session.dm.modified)
    return lambda: signal.disconnect(slot)
