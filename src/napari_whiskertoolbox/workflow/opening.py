"""Open a path in a viewer the way File > Open should: ask what must be asked, then show it.

- A WhiskerToolbox config with a newer saved session beside it (``exp.json`` and
  ``exp.session/``, written by Ctrl+S) offers to open that session instead, which holds the
  edits made since. So does DeepLabCut labelled data (a project, a labelled-data folder, a
  ``CollectedData_*`` table) with a session folder saved from its labels since they last
  changed, holding the lines and masks Ctrl+S could not write into ``CollectedData_*``
  (:func:`~napari_whiskertoolbox.io.routing.newer_saved_session`).
- A data file whose content does not say what it holds asks for its config item once
  (:mod:`.data_file_form`).
- A video, image folder, data file or another tool's file (DeepLabCut, SLEAP, NWB, a
  recording) the session has open already (alone or through a config) is not opened
  again: a notice names its key and its layer is selected
  (:func:`~napari_whiskertoolbox.io.read_from.keys_read_from`).
- Every open fits the view to the media; a path opened into an empty session starts at
  frame 0 (:meth:`ViewerSession.open`); an autosave left by a crash is offered.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from napari.utils.notifications import show_info, show_warning

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.data_files import guess_data_file
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.file_clocks import recorded_clock
from napari_whiskertoolbox.io.read_from import keys_read_from
from napari_whiskertoolbox.io.report import log_renamed_keys
from napari_whiskertoolbox.io.routing import (
    adopt_data_manager,
    classify_path,
    newer_saved_session,
    saved_session_rival,
)
from napari_whiskertoolbox.io.session import SESSION_FILE, session_open_problem
from napari_whiskertoolbox.workflow.ask import Choice, DataFileRequest, Question
from napari_whiskertoolbox.workflow.load_notices import (
    clock_switch_message,
    collected_load_notes,
    tell_load_notes,
)
from napari_whiskertoolbox.workflow.modified_state import TITLE_METADATA

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable

    import napari
    from napari.layers import Layer

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.io.data_files import DataFileGuess
    from napari_whiskertoolbox.io.routing import OpenedPath
    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.workflow.ask import Ask

__all__ = [
    "NEWER_SESSION_QUESTION",
    "adopt_data_manager",
    "adopt_in_session",
    "fit_view_when_shown",
    "open_in_session",
    "open_in_viewer",
    "reveal_docks",
    "show_data_manager",
]

NEWER_SESSION_QUESTION = "newer_session"
"""Id of the question asked when a config has a newer saved session beside it."""

_NAMED_BY_PATH_KINDS = frozenset({"config", "session"})
"""Path kinds that become the session's path, which names the window."""


def _set_title(dm: DataManager, title: object) -> None:
    """Set the session's name (``dm.metadata``'s title entry); ``None`` removes it."""
    if title is None:
        dm.metadata.pop(TITLE_METADATA, None)
    else:
        dm.metadata[TITLE_METADATA] = title


def _when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")


def _newer_session_question(opened: Path, folder: Path) -> Question:
    rival = saved_session_rival(opened)
    if rival == opened:  # a config
        title, what = "A saved session is newer than this config", "the config"
        place = f"next to {opened.name}"
        holds = (
            f"It holds the edits saved with Ctrl+S in an earlier session; {opened.name} does not."
        )
        as_written = "Load the config's own files; the saved session stays on disk."
    else:  # DeepLabCut labelled data
        title, what = "A saved session is newer than these labels", rival.name
        place = f"in {folder.parent}"
        holds = (
            "It holds what Ctrl+S saved in an earlier session: the keypoints (written into "
            f"{rival.name} too) and the lines, masks and other keys, which DeepLabCut's "
            "labels files cannot hold."
        )
        as_written = "Load the DeepLabCut labels only; the saved session stays on disk."
    return Question(
        id=NEWER_SESSION_QUESTION,
        title=title,
        text=(
            f"{folder.name}, {place}, was saved on {_when(folder / SESSION_FILE)} "
            f"— after {what} last changed ({_when(rival)}). {holds}"
        ),
        choices=(
            Choice(
                "session",
                f"Open the saved session {folder.name}",
                "Continue where the last save left off.",
            ),
            Choice("config", f"Open {opened.name} as written", as_written),
        ),
        default="config",
    )


def _choose_config_or_session(path: Path, ask: Ask) -> Path | None:
    folder = newer_saved_session(path)
    if folder is None:
        return path
    problem = session_open_problem(folder)
    if problem is not None:  # offered, it could only fail and leave the window empty
        show_warning(
            f"Opening {path.name} as written: the newer saved session {folder.name} beside it "
            f"cannot be opened — {problem}"
        )
        return path
    question = _newer_session_question(path, folder)
    answer = ask.choose(question)
    if answer is None:
        return None
    if answer == "config":
        show_info(
            f"Opened {path.name}. The newer saved session {folder} holds later edits: "
            "open that folder to continue them."
        )
    return folder if answer == "session" else path


REPLACE_UNSAVED_QUESTION = "replace_unsaved_session"
"""Id of the question asked before a session folder replaces a session with unsaved changes."""


def _may_replace_session(session: ViewerSession, folder: Path, ask: Ask) -> bool:
    """Ask before a session folder replaces a session holding unsaved changes.

    A session folder opened into a window replaces its session (its keys, its folder) and
    starts a new undo history: the unsaved edits of the session shown (a line drawn on the
    sample, a config's annotations) were gone without a word and could not be undone.
    Returns whether opening may go ahead: nothing unsaved, *Save first* saved, or *Open
    without saving* was chosen (the default where nobody can be asked: scripts, hidden
    viewers).
    """
    from napari_whiskertoolbox.workflow import actions

    session.flush_pending_edits()
    if not session.dm.keys() or not session.dm.modified:
        return True
    shown = f"the session {session.path.name!r}" if session.path is not None else "this session"
    question = Question(
        id=REPLACE_UNSAVED_QUESTION,
        title="Unsaved changes",
        text=(
            f"Opening the session {folder.name!r} replaces {shown}, which has unsaved "
            "changes; they cannot be undone afterwards."
        ),
        choices=(
            Choice("save", "Save first", "save this session, then open the other one"),
            Choice("discard", "Open without saving", "the unsaved changes are lost"),
        ),
        default="discard",
    )
    answer = ask.choose(question)
    if answer == "save":
        return actions.save(session)
    return answer == "discard"


_SINGLE_FILE_KINDS = frozenset({"media", "data_file", "deeplabcut", "sleap", "nwb", "ephys"})
"""Path kinds opened as one file: opened again, they are found among the session's keys."""
_NAMED_KEYS = 3
"""How many of a file's keys the open-already notice names."""


def _tell_open_already(session: ViewerSession, path: Path) -> bool:
    """Say so, and select its layer, when the file ``path`` is open in ``session`` already.

    Opening a file again added it a second time (a second layer and, for a video, a second
    clock), and said so only when a config had opened it first. Returns whether it was open.
    """
    keys = keys_read_from(session.dm, path)
    if not keys:
        return False
    key = keys[0]
    if len(keys) == 1:
        held, which = repr(key), repr(key)
    else:  # a pose set, an NWB file: every key must go before the file reads again
        shown = ", ".join(repr(k) for k in keys[:_NAMED_KEYS])
        more = f" and {len(keys) - _NAMED_KEYS} more" if len(keys) > _NAMED_KEYS else ""
        held, which = f"{shown}{more}", f"its {len(keys)} keys"
    show_info(
        f"{path.name} is open already, as {held}: nothing was added. To read it from disk "
        f"again, delete {which} in the Data browser first."
    )
    binding = session.bindings.get(key)
    viewer = session.viewer
    if binding is not None and viewer is not None and binding.layer in viewer.layers:
        viewer.layers.selection.active = binding.layer
    return True


def _tell_replaced_keys(
    path: Path, opened: OpenedPath | None, keys_before: set[str], replaces_session: bool
) -> None:
    """Say which keys of the session a config opened into it replaced (undoable).

    A config opened again, or one sharing key names with the session, replaced those keys
    with the file's content without a word: annotations made since were gone from the
    layers, and nothing said that Ctrl+Z brings them back.
    """
    if opened is None or replaces_session:
        return
    replaced = [key for key in opened.keys if key in keys_before]
    if replaced:
        names = ", ".join(repr(key) for key in replaced)
        show_info(
            f"{path.name}: replaced {names} with the file's content; Ctrl+Z brings back what "
            f"{'it' if len(replaced) == 1 else 'they'} held."
        )


def _tell_data_file_clock(session: ViewerSession, path: Path, opened: OpenedPath | None) -> None:
    """Say which clock a data file opened beside media went on: its frames are that clock's.

    A mask exported from the sample (clock ``camera``) opened again went on ``time`` without
    a word, and showed nothing at the camera frame it was drawn on.
    """
    dm = session.dm
    keys = [key for key in (opened.keys if opened is not None else ()) if key in dm]
    media = [key for key in dm if dm.data_type(key) in MEDIA_KINDS]
    if not keys or not media:
        return
    clock = dm.time_key(keys[0])
    on_clock = [key for key in media if dm.time_key(key) == clock]
    names = ", ".join(repr(key) for key in keys)
    if opened is not None and opened.clock_reason:
        whose = opened.clock_reason
    elif on_clock:
        whose = f"the frames of {on_clock[0]!r}"
    else:
        whose = f"not the clock of {media[0]!r} ({dm.time_key(media[0])!r})"
    others = [name for name in dm.time_keys() if name != clock and len(dm.get_time(name))]
    choose = (
        f". To read it on another clock ({', '.join(repr(c) for c in others)}), delete "
        f"{'it' if len(keys) == 1 else 'them'} and open the file from Python with "
        f"napari_whiskertoolbox.io.routing.open_path(path, dm, clock={others[0]!r})"
        if others and not (opened is not None and opened.clock_reason)
        else ""
    )
    show_info(f"{path.name}: opened as {names} on clock {clock!r}, {whose}{choose}")


def _clock_switch_text(session: ViewerSession) -> str | None:
    """Say the frame slider moved to the clock of the media just opened, if it did."""
    switch = session.display_clock_switch
    if switch is None:
        return None
    old, new = switch
    dm = session.dm
    media = [k for k in dm if dm.data_type(k) in MEDIA_KINDS and dm.time_key(k) == new]
    return clock_switch_message(
        old,
        new,
        len(dm.get_time(old)) if old in dm.time_keys() else 0,
        session.n_frames,
        media[0] if media else None,
        session.moment_past_end,
    )


def open_in_session(
    session: ViewerSession, path: str | os.PathLike[str], ask: Ask
) -> OpenedPath | None:
    """Open ``path`` in ``session``, asking ``ask`` what cannot be told from the files.

    Parameters
    ----------
    session : ViewerSession
        Where the data goes.
    path : path-like
        A config, session folder, media, or data file.
    ask : Ask
        Answers the questions (the workflow's :class:`~.ask.DialogAsk` in a window).

    Returns
    -------
    OpenedPath or None
        What was opened; ``None`` when the user cancelled.

    Raises
    ------
    napari_whiskertoolbox.io.routing.DataFileNeedsItem
        A data file whose content does not say what it holds, and nobody to ask.
    napari_whiskertoolbox.io.FormatError
        A malformed file (the message names it). A config's newer saved session that
        fails to open is not raised: the user is told, and the config is opened instead.
    """
    path = Path(path).expanduser()
    kind = classify_path(path)
    instead_of: Path | None = None  # the config, when its newer saved session was chosen
    if (kind == "config" and path.name != SESSION_FILE) or kind == "deeplabcut":
        chosen = _choose_config_or_session(path, ask)
        if chosen is None:
            return None
        instead_of = path if chosen != path else None
        path = chosen
    if instead_of is not None:
        try:
            return _open_chosen(session, path, ask)
        except FormatError as exc:  # the saved session failed: the config the user opened
            show_warning(
                f"The saved session {path.name} could not be opened, so {instead_of.name} "
                f"was opened as written: {exc}"
            )
            return _open_chosen(session, instead_of, ask)
    return _open_chosen(session, path, ask)


def _open_chosen(session: ViewerSession, path: Path, ask: Ask) -> OpenedPath | None:
    """Open ``path`` (a config's newer-session question answered) in ``session``."""
    from napari_whiskertoolbox.workflow.autosave import offer_recovery
    from napari_whiskertoolbox.workflow.registry import workflow_of

    kind = classify_path(path)
    if kind == "session" and not _may_replace_session(session, path, ask):
        return None
    if kind in _SINGLE_FILE_KINDS and _tell_open_already(session, path):
        return None
    guess = guess_data_file(path) if kind == "data_file" else None
    unsure = guess if guess is not None and not guess.certain else None  # ask what it holds
    # A file opened into an empty session names the window, and keeps naming it while more
    # is opened into the session (a video after a points CSV, a NWB file's media, the
    # sample); set before the load, whose added keys update the title. A config or session
    # folder names it by the session's path.
    starts_session = not session.dm.keys() and session.path is None
    replaces_session = kind == "session"
    keys_before = set(session.dm.keys())
    titled = starts_session and kind not in _NAMED_BY_PATH_KINDS
    title_before = session.dm.metadata.get(TITLE_METADATA)
    if titled:
        _set_title(session.dm, path.name)
    try:
        with collected_load_notes() as notes:
            if unsure is None:
                opened = session.open(path)
            else:
                opened = _ask_data_file(session, path, ask, unsure)
    except BaseException:
        if titled:
            _set_title(session.dm, title_before)
        raise
    if titled and not session.dm.keys():  # nothing opened (the form was cancelled)
        _set_title(session.dm, title_before)
    tell_load_notes(path, notes, _clock_switch_text(session))
    _tell_replaced_keys(path, opened, keys_before, replaces_session)
    if kind == "data_file":
        _tell_data_file_clock(session, path, opened)
    if unsure is None:
        source = None
        if starts_session and session.path is None:
            # a file opened by itself (a video): its autosave goes by the file's name, so
            # opening the file again after a crash offers it
            source = path.resolve()
            workflow = workflow_of(session)
            if workflow is not None:
                workflow.autosaver.opened_from = source
        offer_recovery(session, source=source)
    reveal_docks(session)
    return opened


def open_in_viewer(
    viewer: napari.Viewer, path: str | os.PathLike[str], ask: Ask | None = None
) -> list[Layer]:
    """Open ``path`` in ``viewer``'s session and return the layers that were added.

    What ``viewer.open(path, plugin="napari-whiskertoolbox")`` does, with the layers
    returned: napari's ``viewer.open`` returns ``[]`` for our files, because our reader
    loads into the viewer's DataManager and the session's bindings create (and keep in
    sync) the layers, so the reader hands napari the "already added" sentinel rather than
    layer data for napari to add (see :mod:`napari_whiskertoolbox._reader`).

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer whose session gets the data.
    path : path-like
        A config, session folder, media, data file or another tool's data.
    ask : Ask, optional
        Answers the questions (default: the viewer's dialogs).

    Returns
    -------
    list of napari.layers.Layer
        The layers this call added, in layer-list order (empty when the user cancelled). A
        key that already had a layer keeps it: that layer is updated, not listed.

    Raises
    ------
    napari_whiskertoolbox.io.FormatError
        A malformed file (the message names it).
    """
    from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

    session = get_session(viewer)
    answers = ask if ask is not None else get_workflow(viewer).ask
    return _layers_added(viewer, lambda: open_in_session(session, path, answers))


def adopt_in_session(
    session: ViewerSession,
    source: DataManager,
    name: str,
    *,
    keep_session_keys: bool = False,
    hidden: Iterable[str] = (),
) -> dict[str, str]:
    """Move ``source`` into ``session`` as File > Open does a file, and tell what it did.

    :meth:`ViewerSession.adopt <napari_whiskertoolbox.layers.session.ViewerSession.adopt>`
    (one undo step; media on another clock takes the frame slider), then the notices a
    file's open shows, under ``name``: the slider's move to the new media's clock, clocks
    that could not be lined up, keys that came in under other names.

    As a file does, ``source`` names the window (its ``metadata["title"]``, e.g. the
    sample's) only when it opens into an empty session; a session holding data keeps its
    name (that entry of ``source`` is dropped).

    Parameters
    ----------
    session : ViewerSession
        Where the data goes.
    source : DataManager
        The data (its keys may be renamed, see ``keep_session_keys``; its title entry
        dropped).
    name : str
        What ``source`` is, as the notices and the undo step name it.
    keep_session_keys : bool
        Give ``source``'s keys that the session has a free name (``<key>_2``...), as a
        data file's are, instead of replacing the session's.
    hidden : iterable of str
        Keys of ``source`` (before renaming) left without a layer (e.g. one whose layer
        napari adds).

    Returns
    -------
    dict of str to str
        The renamed keys of ``source``: old name → name in the session.
    """
    renamed: dict[str, str] = {}
    if session.dm.keys() or session.path is not None:
        source.metadata.pop(TITLE_METADATA, None)  # the session keeps its name
    else:  # before the keys join, whose additions update the title (a name left by data
        # since removed goes)
        _set_title(session.dm, source.metadata.get(TITLE_METADATA))
    with collected_load_notes() as notes:
        if keep_session_keys:
            taken = [key for key in source if key in session.dm]
            for key in taken:
                new = first_free(key, lambda k: k in session.dm or k in source)
                source.rename_data(key, new)
                renamed[key] = new
            if renamed:
                log_renamed_keys(name, ", ".join(f"{a!r} as {b!r}" for a, b in renamed.items()))
        for key in hidden:
            session.hide_key(renamed.get(key, key))
        session.adopt(source, name)
    tell_load_notes(name, notes, _clock_switch_text(session))
    return renamed


def show_data_manager(viewer: napari.Viewer, dm: DataManager) -> list[Layer]:
    """Show a DataManager built in Python in ``viewer``: its data joins the viewer's session.

    Every clock, key, group and metadata entry of ``dm`` moves into the session's
    DataManager (:func:`napari_whiskertoolbox.get_data_manager`), whose bindings make the
    layers; a key the session already has is replaced (undoable). Use the session's
    DataManager afterwards: ``dm`` itself is not watched.

    Parameters
    ----------
    viewer : napari.Viewer
        The viewer to show the data in.
    dm : DataManager
        The data (e.g. from :func:`napari_whiskertoolbox.sample.make_sample_session` or
        :func:`napari_whiskertoolbox.io.load_config`).

    Returns
    -------
    list of napari.layers.Layer
        The layers this call added, in layer-list order.
    """
    from napari_whiskertoolbox.workflow.registry import get_session

    session = get_session(viewer)
    had_layers = len(viewer.layers) > 0
    added = _layers_added(viewer, lambda: adopt_in_session(session, dm, "show_data_manager"))
    if not had_layers:
        session.fit_view()
    reveal_docks(session)
    return added


def reveal_docks(session: ViewerSession) -> None:
    """Dock the Timeline and the Key help when the session's data needs them.

    The Timeline when the session holds signals, events or intervals: those have no layer,
    and opened alone they left the canvas on napari's welcome screen and nothing on screen.
    The Key help when it holds a DeepLabCut or SLEAP pose set: its *Next keypoint*
    row chooses the body part the next click labels. Only a window the user sees gets the
    docks; one already docked (from the Plugins menu, ``wt.plot``) is kept. A new dock
    narrows the canvas, so the view is fitted again.
    """
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.core.kinds import SERIES_KINDS
    from napari_whiskertoolbox.io.pose import pose_sets
    from napari_whiskertoolbox.layers._napari_compat import main_window
    from napari_whiskertoolbox.workflow.docks import ANNOTATION_KEYS_WIDGET, add_plugin_dock
    from napari_whiskertoolbox.workflow.registry import workflow_of

    viewer = session.viewer
    workflow = workflow_of(session)
    if viewer is None or workflow is None or workflow.display is None:
        return
    if not main_window(viewer).isVisible():
        return
    docked = set(viewer.window.dock_widgets)
    if any(session.dm.data_type(key) in SERIES_KINDS for key in session.dm):
        workflow.display.timeline()
    if pose_sets(session.dm):
        add_plugin_dock(viewer, ANNOTATION_KEYS_WIDGET)
    if set(viewer.window.dock_widgets) != docked:
        QApplication.processEvents()  # the canvas takes its new size
        session.fit_view()


def _layers_added(viewer: napari.Viewer, load: Callable[[], object]) -> list[Layer]:
    """Run ``load`` and return the layers it added to ``viewer``, in layer-list order."""
    from qtpy.QtWidgets import QApplication

    before = {id(layer) for layer in viewer.layers}
    load()
    QApplication.processEvents()  # layers made by callbacks queued to the main thread
    return [layer for layer in viewer.layers if id(layer) not in before]


def _ask_data_file(
    session: ViewerSession, path: Path, ask: Ask, guess: DataFileGuess
) -> OpenedPath | None:
    opened: list[OpenedPath] = []

    def load(item: ConfigItem) -> None:
        opened.append(session.open(path, item=item))

    recorded = recorded_clock(session.dm, path)  # a file it wrote: the key's clock
    clock = recorded.clock if recorded is not None else session.display_clock
    request = DataFileRequest(path, guess, session.dm, clock, load)
    item = ask.data_file(request)
    if item is not None and not opened:  # an answer that did not load the file itself
        load(item)
    return opened[-1] if opened else None


def fit_view_when_shown(session: ViewerSession, key: str, frame: int = 0) -> None:
    """Fit the view and go to display frame ``frame`` once ``key`` gets its layer.

    E.g. a sample's media, whose layer napari adds after the data joined the session:
    ``frame`` is the frame that open left the session at (0 in an empty session, the
    moment shown before otherwise), which napari's new layer may have moved.
    """

    def shown(shown_key: str, is_shown: bool) -> None:
        if shown_key == key and is_shown:
            session.shown_changed.disconnect(shown)
            session.set_frame(frame)
            session.fit_view()
            reveal_docks(session)

    session.shown_changed.connect(shown)
