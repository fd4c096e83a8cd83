"""The viewer title names the session and shows its unsaved state: ``"exp.session — napari *"``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.key_references import SOURCES
from napari_whiskertoolbox.io.session import SESSION_FILE
from napari_whiskertoolbox.layers.main_thread import connect_main

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = [
    "MODIFIED_SUFFIX",
    "TITLE_SEPARATOR",
    "SessionTitle",
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
    sources = dm.metadata.get(SOURCES)
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


class SessionTitle:
    """Keep ``session.viewer.title`` naming the session, marked ``" *"`` while it is modified.

    The title is ``"<session> — <the viewer's own title>"`` (:func:`session_label`). It
    follows saves to a new folder and what starts or replaces the session (a file opened
    into the empty window, a session folder opened). What joins a session holding data
    does not rename it: a config opened into it becomes the session's path (Ctrl+S then
    offers the config's files), yet the window keeps the name it had.

    Parameters
    ----------
    session : ViewerSession
        The session whose viewer's title is kept.
    """

    def __init__(self, session: ViewerSession) -> None:
        self._session = session
        viewer = session.viewer
        self._base = title_with_state(viewer.title, False) if viewer is not None else "napari"
        self._kept: str | None = None
        """The name kept over the path of a config that joined the session."""
        self._shown: str | None = None
        self._empty = True
        self._refill_step: int | None = None
        """The undo step that brought data into the empty session (its history state)."""
        dm = session.dm
        slots = (
            (dm.modified_changed, self._update),
            (dm.data_added, self._update),
            (dm.data_removed, self._update),
            (dm.history.changed, self._on_step),
            (session.path_changed, self._on_path_changed),
        )
        self._slots = [(signal, connect_main(signal, slot)) for signal, slot in slots]
        self._update()

    @property
    def label(self) -> str | None:
        """The session's name as the title shows it (``None``: an empty session)."""
        if self._kept is not None and self._session.dm.keys():
            return self._kept
        return session_label(self._session)

    def _on_step(self) -> None:
        dm = self._session.dm
        if self._empty and dm.keys():
            self._empty = False
            self._refill_step = dm.history.state

    def _on_path_changed(self, *_: Any) -> None:
        # A save, or an open that starts or replaces the session, leaves it unmodified; an
        # open into a session holding data is an edit of it, and the open that refilled an
        # emptied session is its last step.
        dm = self._session.dm
        refilled = self._refill_step == dm.history.state
        joined = dm.modified and self._shown is not None and not refilled
        self._kept = self._shown if joined else None
        self._update()

    def _update(self, *_: Any) -> None:
        session = self._session
        if not session.dm.keys():  # emptied: what is opened next names it
            self._kept = None
            self._empty = True
        self._shown = self.label
        viewer = session.viewer  # held weakly by the session: the DataManager must not keep it
        if viewer is not None:
            viewer.title = session_title(self._base, self._shown, bool(session.dm.modified))

    def disconnect(self) -> None:
        """Stop following the session."""
        for signal, slot in self._slots:
            signal.disconnect(slot)
        self._slots = []


def install_modified_indicator(session: ViewerSession) -> SessionTitle:
    """Keep ``session.viewer.title`` naming the session and its unsaved state (:class:`SessionTitle`).

    Returns
    -------
    SessionTitle
        Its :attr:`~SessionTitle.label` names the session; ``disconnect()`` stops it.
    """
    return SessionTitle(session)
