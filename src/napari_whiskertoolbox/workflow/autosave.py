"""Periodic autosave of a modified session to a recovery folder, offered again after a crash.

Recovery folders live under a per-user cache directory (``$NAPARI_WHISKERTOOLBOX_AUTOSAVE_DIR``,
else ``$XDG_CACHE_HOME/napari-whiskertoolbox/autosave``, else ``~/.cache/...``), one per
source path, so the user's data folders are never written to behind their back::

    <root>/<name>-<hash>/session/        the autosaved session (``io.save_session``)
    <root>/<name>-<hash>/recovery.json   {"source": path or null, "saved_at": ISO time,
                                          "pid": the autosaving process,
                                          "edited": keys edited since the last save,
                                          "renamed": {key: its name at the last save}}

A session never saved (the sample, keys made in the console) has a folder of its own,
``<root>/untitled-<time>-<pid>-<token>``, so two windows never overwrite each other's
autosave; when a napari that did not close leaves one behind, the next window to start a
session offers it (:func:`offer_untitled_recovery`) — when the plugin is first used in it
(a dock, a file opened with it, the sample: napari imports a plugin only then).

A clean save (the DataManager becomes unmodified) or discarding on close removes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari.utils.notifications import show_warning
from qtpy.QtCore import QObject, Qt, QTimer, Signal
from qtpy.QtWidgets import QMessageBox

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.atomic import atomic_write_text
from napari_whiskertoolbox.io.disk_space import RESERVE_BYTES, free_bytes, human_bytes
from napari_whiskertoolbox.io.session import SESSION_FILE
from napari_whiskertoolbox.io.session_write import (
    SaveCancelled,
    SessionSnapshot,
    WrittenKey,
    media_bytes,
    snapshot_session,
)
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.workflow.autosave_restore import restore_recovery

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = [
    "AUTOSAVE_DIR_ENV",
    "Autosaver",
    "RecoveryInfo",
    "autosave_root",
    "find_recovery",
    "find_untitled_recoveries",
    "kept_folder",
    "offer_recovery",
    "offer_untitled_recovery",
    "recovery_folder",
    "restore_recovery",
    "untitled_folder",
]

AUTOSAVE_DIR_ENV = "NAPARI_WHISKERTOOLBOX_AUTOSAVE_DIR"
DEFAULT_INTERVAL_S = 60.0
MARKER_NAME = "recovery.json"
SESSION_DIR_NAME = "session"
UNTITLED_PREFIX = "untitled"


def autosave_root() -> Path:
    """Return the folder holding all recovery folders of this user."""
    configured = os.environ.get(AUTOSAVE_DIR_ENV)
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "napari-whiskertoolbox" / "autosave"


def recovery_folder(source: str | os.PathLike[str] | None, root: Path | None = None) -> Path:
    """Recovery folder for a session opened from ``source``.

    ``None`` gives the one folder earlier versions shared among all unsaved sessions; each
    unsaved session now has its own (:func:`untitled_folder`).
    """
    root = autosave_root() if root is None else Path(root)
    if source is None:
        return root / UNTITLED_PREFIX
    resolved = str(Path(source).expanduser().resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:12]
    return root / f"{Path(resolved).name}-{digest}"


def untitled_folder(root: Path | None = None) -> Path:
    """Return a new recovery folder for one unsaved session (``untitled-<UTC>-<pid>-<token>``)."""
    root = autosave_root() if root is None else Path(root)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return root / f"{UNTITLED_PREFIX}-{stamp}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RecoveryInfo:
    """An autosave found on disk.

    Attributes
    ----------
    folder : Path
        The recovery folder (holds ``session/`` and ``recovery.json``).
    source : str or None
        The path the autosaved session was opened from.
    saved_at : str
        ISO 8601 UTC time of the autosave.
    pid : int or None
        The process that wrote it (None in autosaves of earlier versions).
    edited : frozenset of str or None
        The keys added or edited since the session was last saved (the others hold what
        their files hold); ``None`` in autosaves of earlier versions, which did not say.
    renamed : dict or None
        ``{key: the name it had at the last save}`` for the keys renamed since; ``None`` in
        autosaves of earlier versions.
    """

    folder: Path
    source: str | None
    saved_at: str
    pid: int | None = None
    edited: frozenset[str] | None = None
    renamed: dict[str, str] | None = field(default=None, hash=False)

    @property
    def session_path(self) -> Path:
        """The autosaved session folder, loadable with ``io.load_session``."""
        return self.folder / SESSION_DIR_NAME

    @property
    def saved_at_local(self) -> str:
        """:attr:`saved_at` in this computer's time zone, as people read it (``2026-12-04 06:06``)."""
        try:
            return datetime.fromisoformat(self.saved_at).astimezone().strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return self.saved_at

    @property
    def identity(self) -> tuple[str | None, str, int | None]:
        """What tells this autosave from a later one: its source, time and process.

        The same after a cancelled question set it aside (:func:`kept_folder`).
        """
        return (self.source, self.saved_at, self.pid)


_settled: weakref.WeakKeyDictionary[ViewerSession, set[tuple[str | None, str, int | None]]] = (
    weakref.WeakKeyDictionary()
)
"""Per session, the autosaves (:attr:`RecoveryInfo.identity`) it must not be offered again.

Those its recovery question was answered for (Yes, No or Cancel) and those its own
:class:`Autosaver` wrote: a file opened into the session later (a points CSV beside a
config) offered the config's autosave again, the one just declined or the session's own.
"""


def _settle(session: ViewerSession, identity: tuple[str | None, str, int | None]) -> None:
    _settled.setdefault(session, set()).add(identity)


KEPT_SUFFIX = "-kept"
"""Suffix of a recovery folder set aside when its recovery question was cancelled."""


def kept_folder(source: str | os.PathLike[str] | None, root: Path | None = None) -> Path:
    """Where the autosave of ``source`` is kept when its recovery question was cancelled.

    Away from :func:`recovery_folder`, which the reopened session's own autosaves rewrite
    and its orderly close deletes.
    """
    folder = recovery_folder(source, root)
    return folder.with_name(folder.name + KEPT_SUFFIX)


def find_recovery(
    source: str | os.PathLike[str] | None, root: Path | None = None
) -> RecoveryInfo | None:
    """Return the autosave left for ``source``, or ``None`` when there is none.

    The one a crash left (:func:`recovery_folder`), else one set aside by a cancelled
    recovery question (:func:`kept_folder`).
    """
    found = _read_recovery(recovery_folder(source, root))
    return found if found is not None else _read_recovery(kept_folder(source, root))


def _read_recovery(folder: Path) -> RecoveryInfo | None:
    """Return the autosave in ``folder``, ``None`` when it holds none.

    Raises
    ------
    ValueError
        The marker file is not JSON with ``saved_at`` (the message names it).
    """
    marker = folder / MARKER_NAME
    if not marker.is_file() or not (folder / SESSION_DIR_NAME).is_dir():
        return None
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
        pid = record.get("pid")
        edited = record.get("edited")
        renamed = record.get("renamed")
        return RecoveryInfo(
            folder,
            record.get("source"),
            str(record["saved_at"]),
            pid if isinstance(pid, int) else None,
            None if edited is None else frozenset(str(key) for key in edited),
            None if renamed is None else {str(new): str(old) for new, old in renamed.items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"autosave marker {marker} is unreadable ({error}); expected JSON with 'saved_at'"
        ) from error


def _process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (it may still autosave there)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


def find_untitled_recoveries(root: Path | None = None) -> list[RecoveryInfo]:
    """Return the autosaves of unsaved sessions whose napari has stopped, newest first.

    An autosave whose process still runs (another open window) is left out; so is a folder
    whose marker is unreadable.
    """
    root = autosave_root() if root is None else Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.glob(f"{UNTITLED_PREFIX}*"):
        with contextlib.suppress(ValueError):
            info = _read_recovery(folder)
            orphan = info is not None and info.source is None
            if orphan and (info.pid is None or not _process_alive(info.pid)):
                found.append(info)
    return sorted(found, key=lambda info: info.saved_at, reverse=True)


def discard_recovery(source: str | os.PathLike[str] | None, root: Path | None = None) -> None:
    """Delete the autosave left for ``source`` (no error when there is none)."""
    shutil.rmtree(recovery_folder(source, root), ignore_errors=True)


def offer_recovery(
    session: ViewerSession, root: Path | None = None, source: Path | None = None
) -> bool:
    """If an autosave exists for ``session.path`` (else ``source``), ask whether to restore it.

    ``source`` is the file a session without a folder of its own was opened from (a video
    opened by itself): its autosave is kept under that file's name.

    A session is asked once per autosave: one it was already asked about (whatever the
    answer), or that its own :class:`Autosaver` wrote, is not offered again when another
    file is opened into it; a later autosave (or another session) is asked about.

    Only a viewer window the user can see asks (a hidden, scripted viewer never blocks on
    a dialog); the autosave then stays for the next interactive open.

    *Yes* restores it, *No* deletes it, *Cancel* (or closing the question) keeps it for the
    next open.

    Returns
    -------
    bool
        ``True`` when the autosave was restored.
    """
    from napari_whiskertoolbox.layers._napari_compat import main_window

    source = session.path if session.path is not None else source
    if source is None:
        return False
    info = find_recovery(source, root)
    viewer = session.viewer
    if info is None or viewer is None or getattr(viewer, "window", None) is None:
        return False
    if info.identity in _settled.get(session, ()):
        return False
    window = main_window(viewer)
    if not window.isVisible():
        return False
    _settle(session, info.identity)
    answer = QMessageBox.question(
        window,
        "Recover unsaved changes?",
        f"napari-whiskertoolbox found changes autosaved at {info.saved_at_local} that were never "
        f"saved to\n{source}\n\nYes restores them; No deletes them; Cancel keeps them "
        "for the next time this is opened.",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes,
    )
    kept = kept_folder(source, root)
    if answer == QMessageBox.StandardButton.No:
        shutil.rmtree(info.folder, ignore_errors=True)
    elif answer != QMessageBox.StandardButton.Yes and info.folder != kept:
        shutil.rmtree(kept, ignore_errors=True)  # Cancel, or the dialog closed: set aside
        info.folder.rename(kept)
    if answer != QMessageBox.StandardButton.Yes:
        return False
    restore_recovery(session.dm, info)
    if info.folder == kept:  # restored: the session's own autosave protects it from now on
        shutil.rmtree(kept, ignore_errors=True)
    return True


_told: set[Path] = set()
"""Untitled autosaves this process already told about (asked once per process)."""


def offer_untitled_recovery(session: ViewerSession, root: Path | None = None) -> bool:
    """Offer the newest autosave an unsaved session left when its napari stopped.

    Asked when the session is empty and unsaved in a window the user can see: *Yes*
    restores it into the session (and removes the autosave, which the session's own
    autosave now replaces), *No* deletes it, *Cancel* keeps it for the next window.
    Otherwise (a file was opened, a hidden window) a notification says where it is, once
    per process.

    Returns
    -------
    bool
        ``True`` when an autosave was restored.
    """
    from napari.utils.notifications import show_info

    from napari_whiskertoolbox.layers._napari_compat import main_window, window_closed

    viewer = session.viewer
    if viewer is None or window_closed(viewer):
        return False  # closed before its first turn: the next window is offered it
    found = [info for info in find_untitled_recoveries(root) if info.folder not in _told]
    if not found:
        return False
    info = found[0]
    _told.add(info.folder)
    window = main_window(viewer) if getattr(viewer, "window", None) is not None else None
    empty = session.path is None and not session.dm.keys()
    if not empty or window is None or not window.isVisible():
        show_info(
            f"A session that was never saved was autosaved at {info.saved_at_local} before "
            f"napari stopped: open the folder {info.session_path} to recover it."
        )
        return False
    answer = QMessageBox.question(
        window,
        "Recover an unsaved session?",
        f"A session that was never saved was autosaved at {info.saved_at_local} before napari "
        "stopped.\n\nYes restores it into this window; No deletes it; Cancel keeps it for "
        "later.",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes,
    )
    restore = answer == QMessageBox.StandardButton.Yes
    if not restore and answer != QMessageBox.StandardButton.No:
        return False  # Cancel, or the dialog closed: kept
    if restore:
        restore_recovery(session.dm, info)
    shutil.rmtree(info.folder, ignore_errors=True)
    return restore


DEFAULT_MEDIA_CAP_BYTES = 2 * 10**9
"""An in-memory media (no source file) larger than this is left out of autosaves."""

MEDIA_FREE_FRACTION = 0.25
"""... and so is one larger than this fraction of the free disk space."""


class _Job:
    """One autosave written on a background thread."""

    def __init__(self, folder: Path, snapshot: SessionSnapshot, record: dict[str, Any]) -> None:
        self.folder, self.record = folder, record
        self.snapshot: SessionSnapshot | None = snapshot  # dropped once written
        self.lock = threading.Lock()
        self.cancelled = False
        self.done = threading.Event()
        self.written: dict[str, WrittenKey] | None = None  # set once session.json is committed
        self.error: BaseException | None = None
        self.edited: set[str] = set()

    def is_cancelled(self) -> bool:
        return self.cancelled

    def cancel(self) -> None:
        with self.lock:
            self.cancelled = True

    def run(self, finished: Callable[[], None]) -> None:
        """Write the session, then the marker (the autosave is offered only from then on)."""
        snapshot, self.snapshot = self.snapshot, None
        assert snapshot is not None, "an autosave job runs once"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.written = snapshot.write(cancelled=self.is_cancelled)
            with self.lock:
                if self.cancelled:
                    raise SaveCancelled
                atomic_write_text(self.folder / MARKER_NAME, json.dumps(self.record))
        except SaveCancelled:
            shutil.rmtree(self.folder, ignore_errors=True)  # discarded while it was written
        except Exception as error:  # reported on the main thread by Autosaver._collect
            self.error = error
        finally:
            del snapshot  # the arrays it lent go back to their stores
            self.done.set()
            with contextlib.suppress(RuntimeError):  # the Autosaver was deleted at shutdown
                finished()


class _FinishedRelay(QObject):
    """Carries the end of an autosave from its thread to the main thread.

    One for the process, never deleted: a background write that ends while its Autosaver
    is being deleted (its window closing) emits on this object, not on the Autosaver, which
    crashed the process when the emit and the deletion raced.
    """

    finished = Signal(object)


_relay: _FinishedRelay | None = None


def _finished_relay() -> _FinishedRelay:
    """Return the relay (made on the main thread by the first autosave)."""
    global _relay
    if _relay is None:
        _relay = _FinishedRelay()
        _relay.finished.connect(_collect_finished, Qt.ConnectionType.QueuedConnection)
    return _relay


def _collect_finished(autosaver_ref: weakref.ref[Autosaver]) -> None:
    autosaver = autosaver_ref()
    if autosaver is not None:
        with contextlib.suppress(RuntimeError):  # its Qt side is gone: nothing to take in
            autosaver._collect()


class Autosaver(QObject):
    """Autosave ``session`` every ``interval_s`` seconds while it has unsaved edits.

    The main thread only takes a snapshot of the keys (no array copied); the files are
    written on a background thread, one autosave at a time, and the recovery marker is
    written last. Keys not edited since the previous autosave keep their files. An
    in-memory media (no source file) is written once, or left out with a warning when it is
    larger than ``media_cap_bytes`` or a quarter of the free disk space; an autosave that
    would not fit on the disk is skipped with a warning.

    Any change restored from an autosave schedules the next one: a key's data, a rename, a
    clock, a group, an undo step of any kind (a metadata edit, an undo, a redo) and whatever
    else makes the session modified.

    Parameters
    ----------
    session : ViewerSession
        The session to protect.
    interval_s : float
        Seconds between autosave checks.
    root : Path, optional
        Folder for recovery folders (default :func:`autosave_root`).
    media_cap_bytes : int
        In-memory media larger than this are not autosaved.
    """

    def __init__(
        self,
        session: ViewerSession,
        interval_s: float = DEFAULT_INTERVAL_S,
        root: Path | None = None,
        parent: QObject | None = None,
        media_cap_bytes: int = DEFAULT_MEDIA_CAP_BYTES,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._root = root
        self._pending = False
        self._discarded_by_user = False
        self.media_cap_bytes = media_cap_bytes
        self.opened_from: Path | None = None
        """The file a session without a folder was opened from (names its autosave)."""
        self._source = session.path
        self._untitled = untitled_folder(root)
        self._edited: set[str] = set()
        """Keys edited since the last autosave (the others keep its files)."""
        self._unsaved: set[str] = set()
        """Keys added or edited since the last save (:attr:`RecoveryInfo.edited`)."""
        self._renamed: dict[str, str] = {}
        """``{key: its name at the last save}`` (:attr:`RecoveryInfo.renamed`)."""
        self._written: dict[str, WrittenKey] = {}
        self._written_folder: Path | None = None
        self._job: _Job | None = None
        self._told: set[str] = set()
        dm = session.dm
        self._connections = [
            (dm.data_changed, connect_main(dm.data_changed, self._on_edit)),
            (dm.data_added, connect_main(dm.data_added, self._on_edit)),
            (dm.data_removed, connect_main(dm.data_removed, self._on_edit)),
            (dm.data_renamed, connect_main(dm.data_renamed, self._on_rename)),
            (dm.clocks_changed, connect_main(dm.clocks_changed, self._on_clock)),
            (dm.groups.changed, connect_main(dm.groups.changed, self._on_clock)),
            # every undo step, undo and redo: metadata, renames, anything recorded
            (dm.history.changed, connect_main(dm.history.changed, self._on_clock)),
            (dm.modified_changed, connect_main(dm.modified_changed, self._on_modified_changed)),
        ]
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.autosave_now)
        self.timer.start()

    @property
    def folder(self) -> Path:
        """The recovery folder of the session's current path (its own one while unsaved)."""
        return self._folder_of(self.source)

    def _folder_of(self, source: Path | None) -> Path:
        return self._untitled if source is None else recovery_folder(source, self._root)

    @property
    def source(self) -> Path | None:
        """What the autosave is kept for: the session's path, else :attr:`opened_from`."""
        return self._session.path if self._session.path is not None else self.opened_from

    def busy(self) -> bool:
        """Whether an autosave is being written (or its end not yet taken in)."""
        return self._job is not None

    def autosave_now(self) -> Path | None:
        """Start writing the autosave if there are edits since the last one.

        Returns at once: the files are written on a background thread (:meth:`wait` waits
        for them). Nothing starts while the previous autosave is being written (the next
        check does it), nor when the autosave would not fit on the disk (a warning says so).

        Returns
        -------
        Path or None
            The recovery folder being written, ``None`` when nothing was started.
        """
        dm = self._session.dm
        if not (self._pending and dm.modified) or self._job is not None:
            return None
        folder = self.folder
        try:
            free = free_bytes(folder)
            previous = self._written if self._written_folder == folder else {}
            snapshot = snapshot_session(
                dm,
                folder / SESSION_DIR_NAME / SESSION_FILE,
                previous=previous,
                edited=self._edited,
                leave_out=self._media_left_out(dm, previous, free),
            )
        except (OSError, ValueError) as error:  # metadata JSON cannot hold, an unreadable disk
            self._tell_failure(folder, error, "nothing was written")
            return None
        if snapshot.nbytes + RESERVE_BYTES > free:
            sizes = ", ".join(f"{key!r} {human_bytes(n)}" for key, n in snapshot.sizes().items())
            self._tell_once(
                "space",
                f"Autosave skipped: it needs {human_bytes(snapshot.nbytes)} ({sizes}) and the "
                f"disk of {folder.parent} has {human_bytes(free)} free. Free some space or "
                "save the session elsewhere; autosave tries again every minute.",
            )
            return None
        record = {
            "source": None if self.source is None else str(self.source),
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "edited": sorted(self._unsaved & set(dm.keys())),
            "renamed": {new: old for new, old in sorted(self._renamed.items()) if new in dm},
        }
        job = _Job(folder, snapshot, record)
        job.edited, self._edited, self._pending = self._edited, set(), False
        self._job = job
        finished = partial(_finished_relay().finished.emit, weakref.ref(self))
        threading.Thread(target=job.run, args=(finished,), name="autosave", daemon=True).start()
        return folder

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the autosave being written; return ``True`` when none is left running."""
        job = self._job
        if job is not None and job.done.wait(timeout):
            self._collect()
        return self._job is None

    def _collect(self) -> None:
        """Take in the end of the background write (on the main thread)."""
        job = self._job
        if job is None or not job.done.is_set():
            return
        self._job = None
        if job.cancelled:
            return
        if job.written is not None:  # session.json committed: its files are the ones to reuse
            self._written, self._written_folder = job.written, job.folder
        if job.error is None:
            record = job.record
            identity = RecoveryInfo(job.folder, record["source"], record["saved_at"], record["pid"])
            _settle(self._session, identity.identity)
            self._told.difference_update({"space", "error"})
            return
        self._edited |= job.edited
        self._pending = True
        kept = "the previous autosave is kept" if job.written is None else "it may be incomplete"
        self._tell_failure(job.folder, job.error, kept)

    def _tell_failure(self, folder: Path, error: BaseException, what: str) -> None:
        self._tell_once(
            "error",
            f"Autosave to {folder} failed: {error} ({what}). Save the session to keep your "
            "changes; autosave tries again every minute.",
        )

    def _media_left_out(
        self, dm: DataManager, previous: dict[str, WrittenKey], free: int
    ) -> set[str]:
        """Return the in-memory media keys too large to autosave (each told once)."""
        cap = min(self.media_cap_bytes, int(MEDIA_FREE_FRACTION * free))
        left_out = set()
        for key in dm:
            media = dm.get_data(key)
            if dm.data_type(key) not in MEDIA_KINDS or media.source_path is not None:
                continue
            written = previous.get(f"data:{key}")
            if written is not None and written.obj is media:
                continue  # written once already: its file is kept
            size = media_bytes(media)
            if size > cap:
                left_out.add(key)
                self._tell_once(
                    f"media:{key}:{id(media)}",
                    f"Autosave leaves out {key!r}: its {human_bytes(size)} of frames are in "
                    f"memory only (no file), more than autosave writes ({human_bytes(cap)}). "
                    f"{key!r} is not protected by autosave; the rest of the session is.",
                )
        return left_out

    def _tell_once(self, topic: str, message: str) -> None:
        if topic not in self._told:
            self._told.add(topic)
            show_warning(message)

    def discard(self) -> None:
        """Delete this session's autosave (after a clean save or a deliberate discard)."""
        self._pending = False
        if self._job is not None:
            self._job.cancel()  # its folder is removed by its thread
        self._edited, self._written, self._written_folder = set(), {}, None
        self._unsaved, self._renamed = set(), {}
        shutil.rmtree(self.folder, ignore_errors=True)
        # the autosave kept under an earlier name (before a first save: the file opened,
        # else "untitled")
        stale = {self._source, self.opened_from} - {self.source}
        if self.opened_from is not None:
            stale.discard(None)  # autosaved under the file's name, never as "untitled"
        for source in stale:
            shutil.rmtree(self._folder_of(source), ignore_errors=True)
        self._source = self.source

    def stop(self) -> None:
        """Stop the timer and disconnect from the DataManager."""
        with contextlib.suppress(RuntimeError):  # Qt already deleted the timer at shutdown
            self.timer.stop()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []

    def end_at_exit(self, timeout_s: float = 120.0) -> None:
        """At interpreter exit: autosave the edits not yet autosaved, wait (up to ``timeout_s``), stop.

        The autosave is kept, to be offered for recovery the next time (edits made since the
        last timed autosave included).
        """
        self.wait(timeout_s)
        if self.autosave_now() is not None:
            self.wait(timeout_s)
        self.stop()

    def shutdown(self) -> None:
        """End of the session (its window closed): stop; drop the autosave unless it holds edits.

        Edits neither saved nor discarded by the user (a script's ``viewer.close()`` asks
        nothing) are autosaved first and kept, to be offered for recovery, as at exit.
        """
        if self._session.dm.modified and not self._discarded_by_user:
            self.end_at_exit()
            return
        self.stop()
        self.discard()

    def discard_by_user(self) -> None:
        """Drop the autosave for good: the user chose to discard the unsaved changes."""
        self._discarded_by_user = True
        self.discard()

    def _on_edit(self, key: Any = None, *_: Any) -> None:
        self._pending = True
        if isinstance(key, str):
            self._edited.add(key)
            self._unsaved.add(key)

    def _on_rename(self, old: str, new: str) -> None:
        """Note a rename: the key is not edited (its data is still its file's; restored by renaming)."""
        self._pending = True
        self._edited.add(new)
        if old in self._unsaved:
            self._unsaved.discard(old)
            self._unsaved.add(new)
        saved_name = self._renamed.pop(old, old)
        if saved_name != new:
            self._renamed[new] = saved_name

    def _on_clock(self, *_: Any) -> None:
        self._pending = True  # a clock, group or metadata is rewritten when it changed

    def _on_modified_changed(self, modified: Any) -> None:
        if modified:
            self._pending = True  # whatever made it modified (a change undo cannot take back)
        else:
            self.discard()
