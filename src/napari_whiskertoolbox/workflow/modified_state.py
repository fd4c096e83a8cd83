"""The viewer title names the session and shows its unsaved state: ``"exp.session — napari *"``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.session import SESSION_FILE
from napari_whiskertoolbox.layers.main_thread import connect_main

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = [
    "MODIFIED_SUFFIX",
    "TITLE_SEPARATOR",
    "install_modified_indicator",
    "session_label",
    "session_title",
    "title_with_state",
]

MODIFIED_SUFFIX = " *"
TITLE_SEPARATOR = " — "
UNTITLED = "untitled session"
TITLE_METADATA = "title"
"""``dm.metadata`` entry naming a session that has no file yet (e.g. the sample)."""


def title_with_state(title: str, modified: bool) -> str:
    """Return ``title`` with the modified marker added or removed."""
    base = title.removesuffix(MODIFIED_SUFFIX)
    return base + MODIFIED_SUFFIX if modified else base


def session_label(session: ViewerSession) -> str | None:
    """Name of the session for the title: its folder or config, else its media or data file.

    ``None`` for an empty session (the title is then the viewer's own).
    """
    if session.path is not None:
        path = session.path
        return path.parent.name if path.name == SESSION_FILE else path.name
    dm = session.dm
    if not dm.keys():
        return None
    title = dm.metadata.get(TITLE_METADATA)
    if isinstance(title, str) and title:
        return title
    for key in dm:
        source = getattr(dm.get_data(key), "source_path", None)
        if source:
            return Path(source).name
    sources = dm.metadata.get("sources")
    files = {
        Path(record["filepath"]).name
        for record in (sources.values() if isinstance(sources, dict) else ())
        if isinstance(record, dict) and record.get("filepath")
    }
    return files.pop() if len(files) == 1 else UNTITLED


def session_title(base: str, label: str | None, modified: bool) -> str:
    """Return the window title: ``"<label> — <base>"`` plus the modified marker."""
    title = base if label is None else f"{label}{TITLE_SEPARATOR}{base}"
    return title_with_state(title, modified)


def install_modified_indicator(session: ViewerSession) -> Callable[[], None]:
    """Keep ``session.viewer.title`` naming the session, marked ``" *"`` while it is modified.

    The title is ``"<session> — <the viewer's own title>"``; it follows saves to a new
    folder, opened files and added keys.

    Returns
    -------
    callable
        Call it to disconnect the indicator.
    """
    viewer = session.viewer
    base = title_with_state(viewer.title, False) if viewer is not None else "napari"
    dm = session.dm

    def update(*_: Any) -> None:
        viewer = session.viewer  # held weakly by the session: the DataManager must not keep it
        if viewer is not None:
            viewer.title = session_title(base, session_label(session), bool(dm.modified))

    signals = (dm.modified_changed, dm.data_added, dm.data_removed, session.path_changed)
    slots = [(signal, connect_main(signal, update)) for signal in signals]
    update()

    def disconnect() -> None:
        for signal, slot in slots:
            signal.disconnect(slot)

    return disconnect
